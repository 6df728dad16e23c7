// Bad pictures: an init (or mask, or depth map) that is missing, unreadable, empty, not an
// image, cut short, a GIF, a header that claims a giant size, a folder, a device, a named pipe, a
// huge file; a mask without an init, a depth map for a model without depth; and the same through
// `sdprompt watermark read`. Each is an error that names the picture and, from a prompt file, the
// setting's line and column, with no UNet step run. A mask of another size is made to fit, with a
// warning located at the `mask:` setting.

import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { crc32 } from '../../../src/core/image/png-text';
import { RUNNING_AS_ROOT, sharedModel, type CorpusCase, type Workspace } from './harness';

async function smallPng(side = 32): Promise<Buffer> {
  return sharp({ create: { width: side, height: side, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
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

interface PictureOptions {
  picture?: string;
  setting?: 'init' | 'mask' | 'depth';
  /** Add `init: good.png` (a 32x32 PNG) after the setting: the default for a mask or depth map. */
  withInit?: boolean;
  exit?: number;
  /** Where the message points; the setting's value by default. */
  where?: (ws: Workspace) => string;
  asOtherUser?: boolean;
  written?: string[];
}

/** A prompt file whose block names `picture` as its `init` (or `setting`), arranged by `arrange`. */
function pictureCase(name: string, arrange: Arrange, message: RegExp, options: PictureOptions = {}): CorpusCase {
  const picture = options.picture ?? 'in.png';
  const setting = options.setting ?? 'init';
  const withInit = options.withInit ?? setting !== 'init';
  return {
    kind: 'image',
    name,
    arrange: async (ws) => {
      ws.write('case.sdprompt', `model: ${sharedModel()}\nsteps: 2\nseed: 1\n${setting}: ${picture}${withInit ? '\ninit: good.png' : ''}\nred circle\n`);
      if (withInit) ws.write('good.png', await smallPng());
      await arrange(ws, path.join(ws.work, picture));
    },
    args: () => ['run', 'case.sdprompt', '--json'],
    ...(options.asOtherUser ? { driver: { asOtherUser: true } } : {}),
    expect: {
      exit: options.exit ?? 4,
      where: options.where ?? (() => `case.sdprompt:4:${setting.length + 3}`),
      message,
      // A case that makes its image runs its two steps; the others none.
      ...(options.written ? { written: options.written } : { maxSteps: 0 }),
    },
  };
}

const ROLE = /init image .*in\.png: /;

export const IMAGE_CASES: CorpusCase[] = [
  pictureCase('init missing', () => undefined, new RegExp(`${ROLE.source}no such file`)),
  pictureCase('init unreadable (no permission)', (ws, file) => {
    writeFileSync(file, 'x');
    chmodSync(file, 0o000);
    // Root reads through permissions, so as root the CLI runs as nobody, who may write the outputs.
    chmodSync(path.join(ws.work, 'case'), 0o777);
  }, new RegExp(`${ROLE.source}cannot be read \\(permission denied\\)`), { asOtherUser: RUNNING_AS_ROOT }),
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
  pictureCase('mask without an init', async (_ws, file) => writeFileSync(file, await smallPng()), /a mask needs an init image to repaint: add 'init: FILE'/, {
    picture: 'm.png',
    setting: 'mask',
    withInit: false,
    exit: 1,
    where: () => 'case.sdprompt:4:1',
  }),
  pictureCase('mask of another size: made to fit, with a warning at the mask setting', async (_ws, file) => writeFileSync(file, await smallPng(16)), /warning: block 1, seed 1: the mask is 16x16 and the init 32x32: the mask was stretched to fit/, {
    picture: 'm.png',
    setting: 'mask',
    exit: 0,
    written: ['case/block-1-1-2.png', 'case/block-1-1-2.json'],
  }),
  pictureCase('depth map missing', () => undefined, /depth map .*d\.png: no such file/, { picture: 'd.png', setting: 'depth' }),
  pictureCase('depth map for a model without depth', async (_ws, file) => writeFileSync(file, await smallPng()), /a depth map needs a depth model \(5 UNet input channels\); this UNet takes 4/, {
    picture: 'd.png',
    setting: 'depth',
    exit: 1,
  }),
  // `auto` names no file: the problem is the image's, located at its block (the file's first line, by its full path).
  pictureCase('depth: auto for a model without depth', () => undefined, /a depth estimate needs a depth model \(5 UNet input channels\); this UNet takes 4/, {
    picture: 'auto',
    setting: 'depth',
    exit: 1,
    where: (ws) => `${path.join(ws.cwd, 'case.sdprompt')}:1:1`,
  }),
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
