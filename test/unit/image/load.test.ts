import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { MAX_IMAGE_SIDE } from '../../../src/core/image/check';
import { loadImage } from '../../../src/core/image/load';
import { crc32 } from '../../../src/core/image/png-text';

let dir: string;
const origin = { file: '/prompts/a.sdprompt', line: 4, column: 7 };
/** 3x2 RGB: red, green, blue / white, black, grey. */
const rgb = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 128, 128, 128]);

async function write(name: string, make: (s: sharp.Sharp) => sharp.Sharp, input: Buffer = rgb, channels: 3 | 4 = 3, width = 3, height = 2) {
  const file = path.join(dir, name);
  writeFileSync(file, await make(sharp(input, { raw: { width, height, channels } })).toBuffer());
  return file;
}

/** A valid 1x1 PNG whose header claims width × height (with a correct CRC). */
async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = await sharp(Buffer.from([1, 2, 3]), { raw: { width: 1, height: 1, channels: 3 } }).png().toBuffer();
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sdprompt-load-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('loadImage', () => {
  test('a PNG decodes to its exact pixels as RGBA, with the file’s sha256', async () => {
    const file = await write('a.png', (s) => s.png());
    const loaded = await loadImage(file, 'init');
    assert.ok(loaded.ok);
    const { raster, hasAlpha, sha256 } = loaded.value;
    assert.deepEqual([raster.width, raster.height, raster.channels, hasAlpha], [3, 2, 4, false]);
    assert.deepEqual([...raster.data.subarray(0, 8)], [255, 0, 0, 255, 0, 255, 0, 255]);
    assert.deepEqual([...raster.data.subarray(20, 24)], [128, 128, 128, 255]);
    assert.equal(sha256, createHash('sha256').update(readFileSync(file)).digest('hex'));
  });

  test('lossless WebP is exact, JPEG close; an RGBA PNG keeps its alpha', async () => {
    const webp = await loadImage(await write('a.webp', (s) => s.webp({ lossless: true })), 'mask');
    assert.ok(webp.ok);
    assert.deepEqual([...webp.value.raster.data.subarray(12, 16)], [255, 255, 255, 255]);
    const bigger = Buffer.alloc(16 * 16 * 3, 200);
    const jpeg = await loadImage(await write('a.jpg', (s) => s.jpeg({ quality: 95 }), bigger, 3, 16, 16), 'depth');
    assert.ok(jpeg.ok);
    assert.ok(Math.abs(jpeg.value.raster.data[0]! - 200) <= 2);
    const rgba = Buffer.from([10, 20, 30, 0, 40, 50, 60, 255]);
    const png = await loadImage(await write('alpha.png', (s) => s.png(), rgba, 4, 2, 1), 'mask');
    assert.ok(png.ok);
    assert.equal(png.value.hasAlpha, true);
    assert.deepEqual([...png.value.raster.data], [10, 20, 30, 0, 40, 50, 60, 255]);
  });

  test('an EXIF orientation turns the picture upright', async () => {
    const file = await write('rotated.jpg', (s) => s.jpeg({ quality: 100 }).withMetadata({ orientation: 6 }), Buffer.alloc(8 * 4 * 3, 90), 3, 8, 4);
    const loaded = await loadImage(file, 'init');
    assert.ok(loaded.ok);
    assert.deepEqual([loaded.value.raster.width, loaded.value.raster.height], [4, 8]);
  });

  test('missing, a folder, not an image, another format, truncated, absurdly large: each a located image-invalid error', async () => {
    writeFileSync(path.join(dir, 'notes.png'), 'not a picture at all');
    mkdirSync(path.join(dir, 'folder.png'));
    const gif = await write('a.gif', (s) => s.gif());
    const png = readFileSync(await write('whole.png', (s) => s.png({ compressionLevel: 0 }), Buffer.alloc(64 * 64 * 3, 7), 3, 64, 64));
    writeFileSync(path.join(dir, 'truncated.png'), png.subarray(0, png.length / 2));
    writeFileSync(path.join(dir, 'huge.png'), await pngClaiming(100_000, 50));
    const cases: [string, RegExp][] = [
      ['missing.png', /init image .*missing\.png: no such file/],
      ['folder.png', /is a folder, not an image/],
      ['notes.png', /is not an image \(expected PNG, JPEG or WebP\)/],
      [gif, /is a GIF image; use PNG, JPEG or WebP/],
      ['truncated.png', /cannot be decoded/],
      ['huge.png', new RegExp(`is 100000x50, larger than ${MAX_IMAGE_SIDE} pixels a side`)],
    ];
    for (const [name, message] of cases) {
      const result = await loadImage(path.resolve(dir, name), 'init', origin);
      assert.ok(!result.ok, name);
      assert.equal(result.error.code, 'image-invalid');
      assert.match(result.error.message, message);
      assert.deepEqual([result.error.file, result.error.line, result.error.column], [origin.file, origin.line, origin.column]);
    }
    const unlocated = await loadImage(path.join(dir, 'missing.png'), 'mask');
    assert.ok(!unlocated.ok);
    assert.equal(unlocated.error.file, path.join(dir, 'missing.png'));
    assert.match(unlocated.error.message, /^mask /);
  });
});
