// Image headers read without decoding (src/core/image/header.ts), against sharp's own files.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { readImageHeader } from '../../../src/core/image/header';

const picture = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#3366cc' } });

describe('readImageHeader', () => {
  it('reads the format and size of PNG, JPEG, and lossy, lossless and extended WebP', async () => {
    const cases: [string, Buffer, string][] = [
      ['png', await picture(123, 45).png().toBuffer(), 'png'],
      ['jpeg', await picture(640, 481).jpeg().toBuffer(), 'jpeg'],
      ['progressive jpeg with EXIF', await picture(33, 17).withMetadata({ orientation: 6 }).jpeg({ progressive: true }).toBuffer(), 'jpeg'],
      ['webp lossy', await picture(301, 199).webp().toBuffer(), 'webp'],
      ['webp lossless', await picture(16383, 2).webp({ lossless: true }).toBuffer(), 'webp'],
      ['webp with alpha (VP8X)', await sharp({ create: { width: 70, height: 90, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 0.5 } } }).webp().toBuffer(), 'webp'],
    ];
    for (const [name, bytes, format] of cases) {
      const { width, height } = await sharp(bytes).metadata();
      const [w, h] = name.includes('EXIF') ? [33, 17] : [width, height];
      assert.deepEqual(readImageHeader(bytes), { format, width: w, height: h }, name);
    }
  });

  it('answers undefined for what is not one of them, or cut short', async () => {
    const png = await picture(8, 8).png().toBuffer();
    for (const bytes of [Buffer.from('GIF89a......'), Buffer.from('hello'), Buffer.alloc(0), png.subarray(0, 20), (await picture(8, 8).jpeg().toBuffer()).subarray(0, 40)]) {
      assert.equal(readImageHeader(bytes), undefined, bytes.subarray(0, 8).toString('hex'));
    }
  });
});
