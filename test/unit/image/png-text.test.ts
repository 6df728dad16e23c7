import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { encodePng, tensorToRgb } from '../../../src/core/image/encode';
import { crc32, readTextChunks } from '../../../src/core/image/png-text';
import { tensor } from '../../../src/core/tensor';

describe('PNG text chunks', () => {
  test('crc32 matches the standard check value', () => {
    // The CRC-32 check value of "123456789" (ISO 3309 / ITU-T V.42).
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  });

  test('Latin-1 text goes in tEXt, other text in iTXt, and both read back; pixels are unchanged', async () => {
    const image = { data: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]), width: 2, height: 2 };
    const png = await encodePng(image, { parameters: 'a café\nSteps: 20', note: 'ein Bär 🐻' });
    const types: string[] = [];
    for (let o = 8; o < png.length; ) {
      const length = png.readUInt32BE(o);
      types.push(png.toString('latin1', o + 4, o + 8));
      o += 12 + length;
    }
    assert.deepEqual(types.slice(0, 3), ['IHDR', 'tEXt', 'iTXt']);
    assert.deepEqual(readTextChunks(png), { parameters: 'a café\nSteps: 20', note: 'ein Bär 🐻' });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.channels], [2, 2, 3]);
    assert.deepEqual([...data], [...image.data]);
    // A strict decoder accepts the chunks (it checks every CRC).
    const meta = await sharp(png).metadata();
    assert.equal(meta.format, 'png');
  });

  test('the same pixels and text give the same bytes', async () => {
    const image = { data: new Uint8Array(48).map((_, i) => i * 5), width: 4, height: 4 };
    const a = await encodePng(image, { parameters: 'x' });
    const b = await encodePng(image, { parameters: 'x' });
    assert.ok(a.equals(b));
  });

  test('tensorToRgb maps [-1, 1] to 0..255 with rounding and clipping, planar to interleaved', () => {
    const t = tensor(new Float32Array([-1, 0, 1, 2, /* G */ -2, 0.5, -0.5, 0.003, /* B */ 0, 0, 0, 0]), [1, 3, 2, 2]);
    const rgb = tensorToRgb(t);
    assert.deepEqual([rgb.width, rgb.height], [2, 2]);
    // (x/2+0.5)*255 rounded: -1→0, 0→127.5→128, 1→255, 2→clip 255; -2→0, .5→191.25→191, -.5→63.75→64, .003→127.88→128
    assert.deepEqual([...rgb.data], [0, 0, 128, 128, 191, 128, 255, 64, 128, 255, 128, 128]);
  });
});
