// Decoding in tiles beyond 1024x1024, as diffusers' AutoencoderKL.tiled_decode: the fixture is
// diffusers' own tiled decode of the test model `tiling` (tools/reference/vae_tiling.py), whose
// decoder's pixels depend on all the latents it is given, so that tiles and blends show.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { LoadedModel } from '../../../src/core/models';
import { decodeLatents, tiledDecode, TILE_BEYOND } from '../../../src/core/pipelines/decode';
import type { Tensor } from '../../../src/core/tensor';
import { testModelDir } from '../../../tools/test-models/test-dir';
import { load, maxAbsDiff, values } from '../models/helpers';

const ROOT = path.resolve(__dirname, '../../../..');
const fixture = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/pipelines/vae-tiling.json'), 'utf8')) as {
  diffusers: string;
  tileSize: number;
  latents: number[];
  shape: number[];
  image: string;
  largestDifferenceFromUntiled: number;
};

let model: LoadedModel | undefined;
async function tilingModel(): Promise<LoadedModel> {
  model ??= await load(testModelDir('tiling'));
  return model;
}
after(async () => model?.release());

describe('tiled decoding', () => {
  it(`is diffusers ${fixture.diffusers}'s tiled_decode: tiles of a quarter overlap, blended into the one above and the one to the left`, async () => {
    const m = await tilingModel();
    const latents: Tensor = { data: Float32Array.from(fixture.latents), shape: [1, 4, 6, 10] };
    const tiled = await tiledDecode(m.vaeDecoder, latents, fixture.tileSize);
    const bytes = Buffer.from(fixture.image, 'base64');
    const expected: Tensor = { data: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4), shape: fixture.shape };
    assert.ok(maxAbsDiff(tiled, expected) < 1e-5, `differs from diffusers by ${maxAbsDiff(tiled, expected)}`);
    // The tiles do decode differently from the whole: the blending is what is being compared.
    assert.ok(maxAbsDiff(await m.vaeDecoder.decode(latents), expected) > 0.1);
  });

  it(`decodes whole up to ${TILE_BEYOND} pixels a side and in tiles of the VAE's sample size beyond`, async () => {
    const m = await tilingModel();
    const tiling = { tileSize: m.info.vaeSampleSize!, beyond: TILE_BEYOND };
    assert.equal(tiling.tileSize, 64);
    const up = values([1, 4, 8, TILE_BEYOND / 8], 3);
    assert.equal(maxAbsDiff(await decodeLatents(m.vaeDecoder, up, tiling), await m.vaeDecoder.decode(up)), 0);
    const beyond = values([1, 4, 8, TILE_BEYOND / 8 + 8], 4);
    const decoded = await decodeLatents(m.vaeDecoder, beyond, tiling);
    assert.deepEqual(decoded.shape, [1, 3, 64, TILE_BEYOND + 64]);
    assert.equal(maxAbsDiff(decoded, await tiledDecode(m.vaeDecoder, beyond, 64)), 0);
    assert.ok(maxAbsDiff(decoded, await m.vaeDecoder.decode(beyond)) > 0.01);
  });
});
