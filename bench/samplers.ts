// The samplers' time per step on the demo model, each over Euler's: per sampler step as the
// `steps:` setting counts them (Heun, DPM2, DPM2 a, DPM++ SDE and DPM++ 2S a make two UNet calls a
// step but for the last), and per UNet call, so the cost of a sampler's own arithmetic shows apart
// from its extra calls. Each run of a sampler is paired with a run of Euler just before it and
// the ratio taken per pair, so a machine whose load changes skews both alike.

import { existsSync } from 'node:fs';
import { modelContext, resolveImageSettings } from '../src/core/jobs/image-settings';
import { generateImage } from '../src/core/pipelines/generate';
import { loadStableDiffusion, type StableDiffusion } from '../src/core/pipelines/stable-diffusion';
import { demoModelDir } from '../src/core/models/demo';
import { SAMPLERS, resolveSampler } from '../src/core/schedulers';

export interface SamplerFigure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** One image's denoising time and UNet calls with a sampler. */
async function denoiseTime(sd: StableDiffusion, sampler: string, size: number, steps: number, seed: number): Promise<{ ms: number; calls: number }> {
  const asked = { prompt: 'a red circle on a blue background', seed, steps, sampler: resolveSampler(sampler)!, size: { width: size, height: size }, rng: 'torch' as const };
  const resolved = resolveImageSettings(asked, modelContext(sd.model));
  if (!resolved.ok) throw new Error(`${sampler}: ${resolved.error.message}`);
  sd.model.stats.reset();
  const result = await generateImage(sd, resolved.value);
  if (!result.ok) throw new Error(`${sampler}: ${result.error.message}`);
  return { ms: result.value.timings.denoiseMs, calls: sd.model.stats.unet.calls };
}

/** Each sampler's median time per step and per UNet call over Euler's, on the demo model. */
export async function samplerTimes(): Promise<SamplerFigure[]> {
  const dir = demoModelDir();
  if (!existsSync(dir)) return [];
  const loaded = await loadStableDiffusion(dir);
  if (!loaded.ok) throw new Error(loaded.error.message);
  const sd = loaded.value;
  const figures: SamplerFigure[] = [];
  try {
    for (const [size, steps, pairs] of [
      [64, 20, 7],
      [512, 6, 2],
    ] as const) {
      await denoiseTime(sd, 'euler', size, steps, 1); // warm-up
      for (const sampler of SAMPLERS) {
        await denoiseTime(sd, sampler.id, size, steps, 1); // warm-up
        const perStep: number[] = [];
        const perCall: number[] = [];
        const ownMs: number[] = [];
        let calls = 0;
        for (let i = 0; i < pairs; i++) {
          const euler = await denoiseTime(sd, 'euler', size, steps, i + 2);
          const own = await denoiseTime(sd, sampler.id, size, steps, i + 2);
          perStep.push(own.ms / euler.ms);
          perCall.push(own.ms / own.calls / (euler.ms / euler.calls));
          ownMs.push(own.ms);
          calls = own.calls;
        }
        const label = `${sampler.a1111[0]!} (${sampler.id}), demo model ${size}x${size}, ${steps} steps`;
        // The spread of the pairs' ratios says how much the machine's load moved them.
        const spread = `${Math.min(...perStep).toFixed(2)} to ${Math.max(...perStep).toFixed(2)} over ${pairs} pairs`;
        figures.push({ name: `time per step over Euler's, ${label}`, value: median(perStep), unit: 'x', note: `${calls} UNet calls, ${(median(ownMs) / steps).toFixed(1)} ms a step; ${spread}` });
        figures.push({ name: `time per UNet call over Euler's, ${label}`, value: median(perCall), unit: 'x' });
      }
    }
  } finally {
    await sd.model.release();
  }
  return figures;
}
