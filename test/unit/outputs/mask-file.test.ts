// Painted masks as files (src/core/outputs/mask-file.ts): the PNG checked, written beside the
// picture under a free name.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { maskPngBytes, maskStem, writeMask } from '../../../src/core/outputs/mask-file';

const png = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#fff' } }).png().toBuffer();
const dataUrl = (bytes: Buffer, type = 'png') => `data:image/${type};base64,${bytes.toString('base64')}`;

describe('maskPngBytes', () => {
  it('gives the bytes of a PNG of the size claimed', async () => {
    const bytes = await png(64, 48);
    const result = maskPngBytes(dataUrl(bytes), 64, 48);
    assert.ok(result.ok);
    assert.ok(result.value.equals(bytes));
  });

  it('refuses another size, another format, or what is not a data URL of a PNG', async () => {
    const wrongSize = maskPngBytes(dataUrl(await png(64, 48)), 48, 64);
    assert.ok(!wrongSize.ok && wrongSize.error.message === 'the painted mask is 64x48, not 48x64');
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).jpeg().toBuffer();
    for (const url of [dataUrl(jpeg), `data:image/png;base64,${jpeg.toString('base64')}`, 'data:image/png;base64,!!', 'file:///etc/passwd', '']) {
      const result = maskPngBytes(url, 8, 8);
      assert.ok(!result.ok && result.error.message === 'the painted mask is not a PNG', url.slice(0, 40));
    }
  });
});

describe('writeMask', () => {
  it('names a mask after its picture, and a new version of a mask after the mask', () => {
    assert.equal(maskStem('/o/hero-1.png'), 'hero-1-mask');
    assert.equal(maskStem('/o/hero-1-mask.png'), 'hero-1-mask');
    assert.equal(maskStem('/o/hero-1-mask-3.png'), 'hero-1-mask');
    assert.equal(maskStem('/o/photo.jpeg'), 'photo-mask');
  });

  it('never overwrites: a taken name moves the new mask to -2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sdprompt-mask-'));
    writeFileSync(path.join(dir, 'hero-1-mask.png'), 'the first mask');
    const bytes = await png(4, 4);
    const written = await writeMask(dir, 'hero-1-mask', bytes);
    assert.ok(written.ok);
    assert.equal(written.value, path.join(dir, 'hero-1-mask-2.png'));
    assert.equal(readFileSync(path.join(dir, 'hero-1-mask.png'), 'utf8'), 'the first mask');
    assert.ok(readFileSync(written.value).equals(bytes));
    assert.deepEqual(readdirSync(dir).sort(), ['hero-1-mask-2.png', 'hero-1-mask.png'], 'no temporary file left');
  });

  it('a folder that cannot be written is an error naming it, and leaves nothing', async () => {
    const blocker = path.join(mkdtempSync(path.join(tmpdir(), 'sdprompt-mask-')), 'shapes');
    writeFileSync(blocker, 'a file where the folder should be');
    const written = await writeMask(blocker, 'a-mask', await png(4, 4));
    assert.ok(!written.ok && written.error.file === blocker && /cannot create the output folder/.test(written.error.message));
  });
});
