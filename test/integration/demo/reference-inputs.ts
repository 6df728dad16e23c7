// The fixed inputs the demo models' reference outputs were computed from (written by
// tools/demo-model/export.py), and the tolerance their ONNX graphs are held to.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRaster, type Raster } from '../../../src/core/image/raster';

export const repoRoot = path.resolve(__dirname, '../../../..');

export function readJson<T>(...parts: string[]): T {
  return JSON.parse(fs.readFileSync(path.join(...parts), 'utf8')) as T;
}

export function assertClose(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  assert.ok(actual.length >= expected.length, `${what}: ${actual.length} values`);
  for (let i = 0; i < expected.length; i++) {
    const tolerance = 2e-4 + 2e-4 * Math.abs(expected[i]);
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** The reference latent [1, 4, 8, 8]: 1.3 * sin(0.37 * i). */
export function sinLatent(): Float32Array {
  const x = new Float32Array(256);
  for (let i = 0; i < 256; i++) x[i] = 1.3 * Math.sin(0.37 * i);
  return x;
}

/** The reference image [1, 3, 64, 64] in [-1, 1]: blue with a red square at rows and columns 16..47. */
export function squareImage(): Float32Array {
  const x = new Float32Array(3 * 64 * 64);
  const blue = [35, 75, 225];
  const red = [210, 25, 35];
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < 64; y++) {
      for (let col = 0; col < 64; col++) {
        const inside = y >= 16 && y < 48 && col >= 16 && col < 48;
        x[c * 4096 + y * 64 + col] = (inside ? red : blue)[c] / 127.5 - 1;
      }
    }
  }
  return x;
}

/** The reference image as an 8-bit RGB picture. */
export function squareRaster(): Raster {
  const planar = squareImage();
  const image = createRaster(64, 64, 3);
  for (let p = 0; p < 4096; p++) for (let c = 0; c < 3; c++) image.data[p * 3 + c] = Math.round((planar[c * 4096 + p]! + 1) * 127.5);
  return image;
}
