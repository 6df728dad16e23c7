import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../../../src/core/image/encode';
import { encodePng } from '../../../src/core/image/encode';
import { canWatermark, embedWatermark, findWatermark, readWatermarkBits, SD_WATERMARK } from '../../../src/core/image/watermark';

interface Fixture {
  origin: string;
  sd: { pattern: 'smooth' | 'textured'; width: number; height: number; inputSha256: string; markedSha256: string; changedPixels: number; decoded: string }[];
  sdxl: { width: number; height: number; bits: number[]; bitsReadBack: number[] };
  /** What the library's decoder read from PNGs of our marked images (tools/reference/watermark.py --ours). */
  ours: Record<string, string>;
}

const fixtures = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'watermark');
// The invisible-watermark library (dwtDct) run by tools/reference/watermark.py.
const fixture = JSON.parse(readFileSync(join(fixtures, 'watermark.json'), 'utf8')) as Fixture;

/** tools/reference/watermark.py's `pattern`, in the same integer arithmetic. */
function pattern(kind: 'smooth' | 'textured', width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      if (kind === 'smooth') {
        data[p] = 30 + Math.floor((x * 190) / (width - 1));
        data[p + 1] = 40 + Math.floor((y * 170) / (height - 1));
        data[p + 2] = 60 + Math.floor((((x % 64) - 32) ** 2 + ((y % 48) - 24) ** 2) / 12);
      } else {
        const t = (x * x * 31 + y * y * 17 + x * y * 7 + x * 3 + y * 11) % 251;
        data[p] = 40 + Math.floor(t / 2);
        data[p + 1] = 60 + ((t * 5) % 120);
        data[p + 2] = 50 + ((t * 11) % 140);
      }
    }
  }
  return { data, width, height };
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const bitsToLatin1 = (bits: number[]): string =>
  Buffer.from(Array.from({ length: bits.length / 8 }, (_, i) => bits.slice(i * 8, i * 8 + 8).reduce((byte, bit) => (byte << 1) | bit, 0))).toString('latin1');

test('the fixture is the library (0.2.0) with OpenCV 4.6', () => {
  assert.match(fixture.origin, /invisible-watermark 0\.2\.0 .* OpenCV 4\.6/);
});

for (const c of fixture.sd) {
  const what = `${c.pattern} ${c.width}x${c.height}`;
  test(`${what}: our marked pixels equal the library's, byte for byte`, () => {
    const image = pattern(c.pattern, c.width, c.height);
    assert.equal(sha256(image.data), c.inputSha256, 'the test image is the one the library marked');
    const marked = embedWatermark(image);
    let changed = 0;
    for (let p = 0; p < image.data.length; p += 3) if (marked.data.subarray(p, p + 3).some((v, k) => v !== image.data[p + k])) changed++;
    assert.equal(changed, c.changedPixels, 'pixels changed');
    assert.equal(sha256(marked.data), c.markedSha256);
  });

  test(`${what}: we read the bits the library's decoder reads, even where the method fails`, () => {
    const marked = embedWatermark(pattern(c.pattern, c.width, c.height));
    assert.equal(bitsToLatin1(readWatermarkBits(marked, 136).bits), c.decoded);
  });
}

test("the library's decoder reads our marked images (PNG files) exactly as it reads its own", () => {
  for (const c of fixture.sd) assert.equal(fixture.ours[`${c.pattern}-${c.width}x${c.height}.png`], c.decoded, `${c.pattern} ${c.width}x${c.height}`);
});

test('a textured 512x384 image reads back as StableDiffusionV1, through the library and through us', () => {
  const c = fixture.sd.find((s) => s.pattern === 'textured' && s.width === 512)!;
  assert.equal(c.decoded, 'StableDiffusionV1');
  const found = findWatermark(embedWatermark(pattern('textured', 512, 384)));
  assert.equal(found?.payload.name, 'StableDiffusionV1');
  assert.equal(found?.matchingBits, 136);
});

test("diffusers' SDXL mark, written by the library on float RGB, is found through the float path", async () => {
  const { data, info } = await sharp(join(fixtures, 'library-marked-sdxl.png')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const image = { data: new Uint8Array(data), width: info.width, height: info.height };
  const found = findWatermark(image);
  assert.equal(found?.payload.name, 'SDXL (diffusers)');
  assert.equal(found?.matchingBits, 48);
  // Through the 8-bit path the mark does not read back, for the library either (tools/reference/watermark.py).
  const eightBit = readWatermarkBits(image, 48).bits.filter((bit, k) => bit === fixture.sdxl.bits[k]).length;
  const library = fixture.sdxl.bitsReadBack.filter((bit, k) => bit === fixture.sdxl.bits[k]).length;
  assert.ok(eightBit < 43 && library < 43, `8-bit reads match ${eightBit} (ours) and ${library} (library) of 48 bits`);
});

test('unmarked images carry no known watermark', () => {
  assert.equal(findWatermark(pattern('textured', 512, 384)), undefined);
  assert.equal(findWatermark(pattern('smooth', 256, 256)), undefined);
});

test('the method needs 256x256 pixels (by area, as the library checks); smaller images are refused', () => {
  assert.equal(canWatermark(256, 256), true);
  assert.equal(canWatermark(1024, 64), true);
  assert.equal(canWatermark(255, 256), false);
  assert.throws(() => embedWatermark(pattern('smooth', 200, 200)), /too small/);
  assert.equal(findWatermark(pattern('smooth', 200, 200)), undefined);
});

// For tools/reference/watermark.py --ours: our marked images as PNG, for the library's decoder.
if (process.env['SDPROMPT_WRITE_MARKED']) {
  test('writes our marked images for the library to read', async () => {
    const dir = process.env['SDPROMPT_WRITE_MARKED']!;
    mkdirSync(dir, { recursive: true });
    for (const c of fixture.sd) {
      writeFileSync(join(dir, `${c.pattern}-${c.width}x${c.height}.png`), await encodePng(embedWatermark(pattern(c.pattern, c.width, c.height), SD_WATERMARK.bits)));
    }
  });
}
