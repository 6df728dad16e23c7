// Pictures a block names, checked from their first bytes (src/core/image/check.ts), and the
// prompt file's pictures found and checked as the editor marks them (src/core/format/pictures.ts).

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { namedPictures, pictureProblems } from '../../../src/core/format/pictures';
import { parseSdprompt } from '../../../src/core/format/parse';
import { checkPicture, MAX_IMAGE_SIDE } from '../../../src/core/image/check';

/** A PNG whose header claims `width` x `height` (no pixel data needed to read it). */
function pngHeader(width: number, height: number): Buffer {
  const head = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(head, 0);
  head.writeUInt32BE(13, 8);
  head.write('IHDR', 12, 'latin1');
  head.writeUInt32BE(width, 16);
  head.writeUInt32BE(height, 20);
  return head;
}

async function folder(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sdprompt-check-'));
  writeFileSync(path.join(dir, 'cat.png'), await sharp({ create: { width: 40, height: 24, channels: 3, background: '#888' } }).png().toBuffer());
  writeFileSync(path.join(dir, 'notes.png'), 'not a picture');
  writeFileSync(path.join(dir, 'huge.png'), pngHeader(MAX_IMAGE_SIDE + 1, 16));
  mkdirSync(path.join(dir, 'shots.png'));
  return dir;
}

describe('checkPicture', () => {
  it('gives a picture\'s format and size, or the run\'s message for what is wrong', async () => {
    const dir = await folder();
    const ok = await checkPicture(path.join(dir, 'cat.png'), 'init');
    assert.deepEqual(ok.ok && ok.value, { format: 'png', width: 40, height: 24 });
    const cases: [string, 'init' | 'mask' | 'depth', string][] = [
      ['missing.png', 'init', 'init image {}: no such file'],
      ['notes.png', 'mask', 'mask {}: is not an image (expected PNG, JPEG or WebP)'],
      ['shots.png', 'depth', 'depth map {}: is a folder, not an image'],
      ['huge.png', 'init', `init image {}: is ${MAX_IMAGE_SIDE + 1}x16, larger than ${MAX_IMAGE_SIDE} pixels a side; scale it down first`],
    ];
    for (const [name, role, message] of cases) {
      const file = path.join(dir, name);
      const result = await checkPicture(file, role);
      assert.ok(!result.ok, name);
      assert.deepEqual(result.error, { code: 'image-invalid', message: message.replace('{}', file), file }, name);
    }
  });
});

describe('pictures of a prompt file', () => {
  it('finds each picture setting once, relative to the file, and none for depth: auto', () => {
    const text = ['init: cat.png', '', '--- a', 'x', 'mask: masks/m.png', '', '--- b', 'x', 'depth: auto', '', '--- c', 'x', 'depth: ~/d.png', ''].join('\n');
    const found = namedPictures(parseSdprompt(text, '/w/p.sdprompt'), '/w/p.sdprompt');
    assert.deepEqual(found.map((p) => [p.key, p.file, p.entry.valueRange.start.line]), [
      ['init', '/w/cat.png', 1],
      ['mask', '/w/masks/m.png', 5],
      ['depth', path.join(process.env['HOME'] ?? '', 'd.png'), 13],
    ]);
  });

  it('marks the value of each picture a run could not use, with the run\'s message', async () => {
    const dir = await folder();
    const file = path.join(dir, 'p.sdprompt');
    const text = ['--- a', 'x', 'init: cat.png', 'mask: gone.png', '', '--- b', 'x', 'init: notes.png', ''].join('\n');
    const problems = await pictureProblems(parseSdprompt(text, file), file);
    assert.deepEqual(problems.map((d) => [d.severity, d.code, d.range, d.message]), [
      ['error', 'image-invalid', { start: { line: 4, column: 7 }, end: { line: 4, column: 15 } }, `mask ${path.join(dir, 'gone.png')}: no such file`],
      ['error', 'image-invalid', { start: { line: 8, column: 7 }, end: { line: 8, column: 16 } }, `init image ${path.join(dir, 'notes.png')}: is not an image (expected PNG, JPEG or WebP)`],
    ]);
  });
});
