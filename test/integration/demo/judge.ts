// The pixel judge of the demo model's world (tools/demo-model/README.md, "The judge"): which
// background colour and which shape colour an image shows.
//   1. every pixel takes the class of its nearest palette colour (squared RGB distance; ties
//      to the earlier palette entry);
//   2. background: the most frequent class on the border ring (`border_width` pixels);
//   3. shape colour: the most frequent class among the other pixels, if it covers at least
//      `min_shape_share` of the image.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RgbImage } from '../../../src/core/image/encode';

export interface World {
  palette: { name: string; rgb: [number, number, number] }[];
  shapes: { name: string; plural: string }[];
  judge: { border_width: number; min_shape_share: number };
}

export function loadWorld(modelDir: string): World {
  return JSON.parse(readFileSync(path.join(modelDir, 'sdprompt_world.json'), 'utf8')) as World;
}

export interface Verdict {
  background: number;
  /** -1 when no colour covers enough of the image. */
  shapeColor: number;
  /** Share of the image of each palette class. */
  shares: number[];
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

export function judge(image: RgbImage, world: World): Verdict {
  const palette = world.palette.map((c) => c.rgb);
  const { width, height, data } = image;
  const classes = new Int32Array(width * height);
  for (let p = 0; p < classes.length; p++) {
    let best = 0;
    let bestDistance = Infinity;
    for (let k = 0; k < palette.length; k++) {
      const [r, g, b] = palette[k]!;
      const d = (data[p * 3]! - r) ** 2 + (data[p * 3 + 1]! - g) ** 2 + (data[p * 3 + 2]! - b) ** 2;
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    classes[p] = best;
  }
  const ring = new Array<number>(palette.length).fill(0);
  const counts = new Array<number>(palette.length).fill(0);
  const w = world.judge.border_width;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = classes[y * width + x]!;
      counts[c]!++;
      if (y < w || y >= height - w || x < w || x >= width - w) ring[c]!++;
    }
  }
  const background = argmax(ring);
  const others = counts.slice();
  others[background] = 0;
  const shape = argmax(others);
  const shares = counts.map((c) => c / classes.length);
  return { background, shapeColor: shares[shape]! >= world.judge.min_shape_share ? shape : -1, shares };
}
