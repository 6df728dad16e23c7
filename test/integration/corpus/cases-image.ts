// Bad pictures: an init (or mask, or depth map) that is missing, empty, not an image, cut
// short, a GIF, a header that claims a giant size, a folder, a device, a named pipe, a huge
// file; and the same through `sdprompt watermark read`. Each is an error that names the picture
// and, from a prompt file, the setting's line and column, with no UNet step run.

import { execFileSync } from 'node:child_process';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { crc32 } from '../../../src/core/image/png-text';
import { sharedModel, type CorpusCase, type Workspace } from './harness';

async function smallPng(): Promise<Buffer> {
  return sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
}

/** A real PNG whose header says `width`x`height`: a few bytes that would decode to gigabytes. */
async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(await smallPng());
  // The IHDR chunk starts at byte 8: length, "IHDR", width, height, …, CRC over type and data.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

type Arrange = (ws: Workspace, file: string) => void | Promise<void>;

/** A prompt file whose block names `name` as its `init` (or `setting`), arranged by `arrange`. */
function pictureCase(name: string, arrange: Arrange, message: RegExp, options: { picture?: string; setting?: string; exit?: number } = {}): CorpusCase {
  const picture = options.picture ?? 'in.png';
  const setting = options.setting ?? 'init';
  const extra = setting === 'init' ? '' : '\ninit: good.png';
  return {
    kind: 'image',
    name,
    arrange: async (ws) => {
      ws.write('case.sdprompt', `model: ${sharedModel()}\nsteps: 2\nseed: 1\n${setting}: ${picture}${extra}\nred circle\n`);
      if (setting !== 'init') ws.write('good.png', await smallPng());
      await arrange(ws, path.join(ws.work, picture));
    },
    args: () => ['run', 'case.sdprompt', '--json'],
    expect: { exit: options.exit ?? 4, where: () => `case.sdprompt:4:${setting.length + 3}`, message, maxSteps: 0 },
  };
}

const ROLE = /init image .*in\.png: /;

export const IMAGE_CASES: CorpusCase[] = [
  pictureCase('init missing', () => undefined, new RegExp(`${ROLE.source}no such file`)),
  pictureCase('init empty', (_ws, file) => writeFileSync(file, ''), new RegExp(`${ROLE.source}is not an image \\(expected PNG, JPEG or WebP\\)`)),
  pictureCase('init a text file', (_ws, file) => writeFileSync(file, 'not a picture\n'), /is not an image \(expected PNG, JPEG or WebP\)/),
  pictureCase('init cut short', async (_ws, file) => {
    const png = await smallPng();
    writeFileSync(file, png.subarray(0, Math.floor(png.length / 2)));
  }, /in\.png: (cannot be decoded|is not an image)/),
  pictureCase('init a GIF', async (_ws, file) => writeFileSync(file, await sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } }).gif().toBuffer()), /is a GIF image; use PNG, JPEG or WebP/),
  pictureCase('init whose header claims 10000x10000 (a decompression bomb)', async (_ws, file) => writeFileSync(file, await pngClaiming(10_000, 10_000)), /is 10000x10000, larger than 8192 pixels a side; scale it down first/),
  pictureCase('init a folder', (_ws, file) => mkdirSync(file), /is a folder, not an image/),
  pictureCase('init /dev/zero (was read until memory ran out)', () => undefined, /init image \/dev\/zero: is not a regular file \(a device, a pipe or a socket\), not an image/, { picture: '/dev/zero' }),
  pictureCase('init a named pipe nobody writes to (was a hang)', (_ws, file) => {
    execFileSync('mkfifo', [file]);
  }, /is not a regular file \(a device, a pipe or a socket\), not an image/),
  pictureCase('init a 600 MB file (sparse)', (_ws, file) => {
    writeFileSync(file, '');
    truncateSync(file, 600 * 1024 * 1024);
  }, /is 629145600 bytes long; a picture file may be at most 536870912 bytes \(512 MiB\)/),
  pictureCase('mask not an image', (_ws, file) => writeFileSync(file, 'x'), /mask .*m\.png: is not an image/, { picture: 'm.png', setting: 'mask' }),
  pictureCase('depth map missing', () => undefined, /depth map .*d\.png: no such file/, { picture: 'd.png', setting: 'depth' }),
  {
    kind: 'image',
    name: 'watermark read: /dev/zero, a folder and a truncated PNG, each named',
    arrange: async (ws) => {
      mkdirSync(path.join(ws.work, 'pics'));
      const png = await smallPng();
      ws.write('cut.png', png.subarray(0, 20));
    },
    args: () => ['watermark', 'read', '/dev/zero', 'pics', 'cut.png'],
    expect: { exit: 1, where: () => '/dev/zero', message: /image \/dev\/zero: is not a regular file[^]*pics: is a folder, not an image[^]*cut\.png: /, maxSteps: 0 },
  },
];
