// Reads test/fixtures/image/a1111-image-ops.json (written by tools/reference/image_ops.py from
// A1111's own functions and Pillow, OpenCV and torch) into rasters and float arrays.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Channels, Raster } from '../../../src/core/image/raster';

export interface FixturePicture {
  width: number;
  height: number;
  channels: Channels;
  mode: string;
  data: string;
}

type PictureRef = FixturePicture | string;

type Box = [number, number, number, number];

export interface ImageOpsFixture {
  source: Record<string, string>;
  inputs: Record<string, FixturePicture>;
  resample: { input: string; width: number; height: number; filter: string; box: Box | null; output: FixturePicture }[];
  resize: { input: string; mode: number; width: number; height: number; output: FixturePicture }[];
  flatten: { input: string; output: FixturePicture };
  blur: { input: string; sigma: number; kernel_size: number; output: FixturePicture }[];
  box_blur: { input: string; radius: number; output: FixturePicture }[];
  fill: { image: FixturePicture; mask: FixturePicture; output: FixturePicture };
  crop: {
    cases: { width: number; height: number; box: Box; pad: number; region: Box; processing: [number, number]; expanded: Box }[];
    empty: null;
  };
  overlay: {
    kind: 'whole' | 'masked';
    original: FixturePicture;
    mask: FixturePicture;
    overlay_mask?: FixturePicture;
    region?: Box;
    crop_input?: FixturePicture;
    overlay: FixturePicture;
    generated: FixturePicture;
    output: FixturePicture;
  }[];
  bicubic: {
    input: { width: number; height: number; data: string };
    cases: { width: number; height: number; output: string; normalized: string }[];
  };
}

export const fixture: ImageOpsFixture = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'image', 'a1111-image-ops.json'), 'utf8'),
);

/** A picture of the fixture, by value or by its name under `inputs`. */
export function raster(ref: PictureRef): Raster {
  const p: FixturePicture = typeof ref === 'string' ? fixture.inputs[ref] : ref;
  if (!p) throw new Error(`no picture ${String(ref)} in the fixture`);
  const data = new Uint8Array(Buffer.from(p.data, 'base64'));
  return { data, width: p.width, height: p.height, channels: p.channels };
}

export function float32(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** How many samples differ, and by how much at most. */
export function difference(a: Raster, b: Raster): { differing: number; max: number } {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new Error(`sizes differ: ${a.width}x${a.height}x${a.channels} vs ${b.width}x${b.height}x${b.channels}`);
  }
  let differing = 0;
  let max = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i]! - b.data[i]!);
    if (d > 0) differing++;
    max = Math.max(max, d);
  }
  return { differing, max };
}
