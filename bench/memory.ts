// Peak memory per image next to the weights' size (issue 12): each measurement in a fresh
// process (bench/memory-child.ts), as the process's peak resident memory above what Node itself
// holds before the model loads. On the CPU provider the weights live in that memory too; on a GPU
// provider most of them would be on the device.

import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

export interface MemoryFigure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

/** The bytes of a folder's ONNX files and their external weights. */
export function weightsSize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) total += weightsSize(file);
    else if (/\.onnx$|\.onnx_data$|^weights\.pb$/.test(entry.name)) total += statSync(file).size;
  }
  return total;
}

interface Measured {
  baseline: number;
  loaded: number;
  peak: number;
}

function measure(args: readonly string[]): Measured {
  const child = path.join(__dirname, 'memory-child.js');
  const r = spawnSync(process.execPath, [child, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`memory-child ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Measured;
}

const MB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

/** The weights' size, then for each run (size, seeds in one UNet call) the peak per image, then tiled against whole decoding. */
export function memoryFigures(label: string, dir: string, runs: readonly { size: number; batch: number }[]): MemoryFigure[] {
  const weights = weightsSize(dir);
  const figures: MemoryFigure[] = [{ name: `${label}: weights (ONNX files)`, value: weights / MB, unit: 'MB' }];
  for (const { size, batch } of runs) {
    const m = measure(['image', dir, String(size), String(batch)]);
    const perImage = (m.peak - m.loaded) / batch;
    figures.push({
      name: `${label}, ${size}x${size}, batch ${batch}: peak memory above the loaded model, per image`,
      value: perImage / MB,
      unit: 'MB',
      note: `loaded model ${mb(m.loaded - m.baseline)} (${((m.loaded - m.baseline) / weights).toFixed(2)}× the weights); whole peak ${mb(m.peak - m.baseline)} (${((m.peak - m.baseline) / weights).toFixed(2)}× the weights) for ${batch} image(s)`,
    });
  }
  const big = 1536;
  const whole = measure(['decode', dir, String(big), 'whole']);
  const tiled = measure(['decode', dir, String(big), 'tiled']);
  figures.push({
    name: `${label}: decoding ${big}x${big} in tiles / whole, peak memory above the loaded model`,
    value: (tiled.peak - tiled.loaded) / Math.max(1, whole.peak - whole.loaded),
    unit: '×',
    note: `${mb(tiled.peak - tiled.loaded)} tiled, ${mb(whole.peak - whole.loaded)} whole`,
  });
  return figures;
}

/** The text encoder's file and the model's, for the release figure's note. */
function textEncoderShare(dir: string): string {
  const te = weightsSize(path.join(dir, 'text_encoder'));
  return `the text encoder is ${mb(te)} of the ${mb(weightsSize(dir))} of weights`;
}

/**
 * The peak of one image with the text encoder closed after encoding (`lowMemory`, what a GPU
 * provider does) against with every session kept open, each the median of `repeats` fresh
 * processes: what releasing saves is the text encoder's share of what is resident after encoding.
 */
export function releaseFigure(label: string, dir: string, size: number, repeats = 3): MemoryFigure {
  const peakOf = (args: readonly string[]) => {
    const peaks = Array.from({ length: repeats }, () => {
      const m = measure(args);
      return m.peak - m.baseline;
    }).sort((a, b) => a - b);
    return peaks[Math.floor(repeats / 2)]!;
  };
  const kept = peakOf(['image', dir, String(size), '1']);
  const released = peakOf(['image', dir, String(size), '1', 'low-memory']);
  return {
    name: `${label}, ${size}x${size}: peak memory with the text encoder released after encoding / kept open`,
    value: released / kept,
    unit: '×',
    note: `${mb(released)} released, ${mb(kept)} kept (peak above Node alone, median of ${repeats}); ${textEncoderShare(dir)}`,
  };
}
