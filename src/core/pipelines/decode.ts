// Latents to pixels through the VAE decoder, whole or, for images beyond 1024x1024, in tiles as
// diffusers' AutoencoderKL.tiled_decode does: latent tiles of the VAE's sample size / 8 every
// 3/4 of a tile, each decoded alone, then each tile blended into the one above and the one to its
// left (already blended: the blends change the tiles in place) over a quarter of a tile, and cut
// to 3/4 of a tile before the rows and columns are joined. Memory then grows with the tile, not
// with the image.

import type { VaeDecoder } from '../models';
import type { Tensor } from '../tensor';

/** Tiling: the VAE's sample size in pixels (its config's sample_size), and from which image side on to tile. */
export interface Tiling {
  tileSize: number;
  /** Images with a side larger than this are decoded in tiles. */
  beyond: number;
}

/** Images larger than this on a side are decoded in tiles. */
export const TILE_BEYOND = 1024;
const OVERLAP_FACTOR = 0.25;
const VAE_FACTOR = 8;

/** [B, C, h, w] rows y0..y1, columns x0..x1 (clipped to the tensor, as a Python slice is). */
function crop(t: Tensor, y0: number, y1: number, x0: number, x1: number): Tensor {
  const [b, c, h, w] = t.shape as [number, number, number, number];
  const ye = Math.min(y1, h);
  const xe = Math.min(x1, w);
  const oh = ye - y0;
  const ow = xe - x0;
  const out = new Float32Array(b * c * oh * ow);
  for (let p = 0; p < b * c; p++) {
    for (let y = 0; y < oh; y++) out.set(t.data.subarray(p * h * w + (y0 + y) * w + x0, p * h * w + (y0 + y) * w + xe), (p * oh + y) * ow);
  }
  return { data: out, shape: [b, c, oh, ow] };
}

/** diffusers' blend_v: b's first rows fade in from a's last rows, in place. */
function blendV(a: Tensor, b: Tensor, extent: number): void {
  const [n, c, ah, w] = a.shape as [number, number, number, number];
  const bh = b.shape[2]!;
  const e = Math.min(ah, bh, extent);
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < e; y++) {
      const t = Math.fround(y / e);
      const s = Math.fround(1 - y / e);
      const ar = p * ah * w + (ah - e + y) * w;
      const br = p * bh * w + y * w;
      for (let x = 0; x < w; x++) b.data[br + x] = Math.fround(a.data[ar + x]! * s) + Math.fround(b.data[br + x]! * t);
    }
  }
}

/** diffusers' blend_h: b's first columns fade in from a's last columns, in place. */
function blendH(a: Tensor, b: Tensor, extent: number): void {
  const [n, c, h, aw] = a.shape as [number, number, number, number];
  const bw = b.shape[3]!;
  const e = Math.min(aw, bw, extent);
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < e; x++) {
        const ai = p * h * aw + y * aw + (aw - e + x);
        const bi = p * h * bw + y * bw + x;
        b.data[bi] = Math.fround(a.data[ai]! * Math.fround(1 - x / e)) + Math.fround(b.data[bi]! * Math.fround(x / e));
      }
    }
  }
}

/** Tiles of one row joined side by side, or rows stacked: each already cut to the tile's limit. */
function join(parts: Tensor[], axis: 2 | 3): Tensor {
  const [b, c] = parts[0]!.shape as [number, number];
  const h = axis === 2 ? parts.reduce((s, p) => s + p.shape[2]!, 0) : parts[0]!.shape[2]!;
  const w = axis === 3 ? parts.reduce((s, p) => s + p.shape[3]!, 0) : parts[0]!.shape[3]!;
  const out = new Float32Array(b * c * h * w);
  let at = 0;
  for (const part of parts) {
    const [, , ph, pw] = part.shape as [number, number, number, number];
    for (let p = 0; p < b * c; p++) {
      for (let y = 0; y < ph; y++) {
        const row = axis === 2 ? at + y : y;
        const col = axis === 3 ? at : 0;
        out.set(part.data.subarray((p * ph + y) * pw, (p * ph + y + 1) * pw), (p * h + row) * w + col);
      }
    }
    at += axis === 2 ? ph : pw;
  }
  return { data: out, shape: [b, c, h, w] };
}

/** diffusers' tiled_decode for latents already divided by the scaling factor. */
export async function tiledDecode(decoder: VaeDecoder, latents: Tensor, tileSize: number): Promise<Tensor> {
  const latentTile = Math.floor(tileSize / VAE_FACTOR);
  const overlap = Math.floor(latentTile * (1 - OVERLAP_FACTOR));
  const extent = Math.floor(tileSize * OVERLAP_FACTOR);
  const limit = tileSize - extent;
  const [, , h, w] = latents.shape as [number, number, number, number];
  const rows: Tensor[][] = [];
  for (let i = 0; i < h; i += overlap) {
    const row: Tensor[] = [];
    for (let j = 0; j < w; j += overlap) row.push(await decoder.decode(crop(latents, i, i + latentTile, j, j + latentTile)));
    rows.push(row);
  }
  const joined = rows.map((row, i) =>
    join(
      row.map((tile, j) => {
        if (i > 0) blendV(rows[i - 1]![j]!, tile, extent);
        if (j > 0) blendH(row[j - 1]!, tile, extent);
        return crop(tile, 0, limit, 0, limit);
      }),
      3,
    ),
  );
  return join(joined, 2);
}

/** Latents (already divided by the scaling factor) to [B, 3, H, W]: in tiles when a side is beyond `tiling.beyond` pixels. */
export async function decodeLatents(decoder: VaeDecoder, latents: Tensor, tiling: Tiling): Promise<Tensor> {
  const [, , h, w] = latents.shape as [number, number, number, number];
  const tiled = Math.max(h, w) * VAE_FACTOR > tiling.beyond && Math.max(h, w) > Math.floor(tiling.tileSize / VAE_FACTOR);
  return tiled ? tiledDecode(decoder, latents, tiling.tileSize) : decoder.decode(latents);
}
