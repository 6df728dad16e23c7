// Loading the diffusers reference fixtures written by tools/reference/schedulers.py, and the
// pipeline loop they were made with, replayed on our schedulers.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NumpyRandomState } from '../../../src/core/noise';
import type { Scheduler, SchedulerConfig } from '../../../src/core/schedulers';

export const root = join(__dirname, '..', '..', '..', '..');
const fixtureDir = join(root, 'test', 'fixtures', 'schedulers');

export interface ReferenceSchedule {
  steps: number;
  timesteps: number[];
  sigmas: number[] | null;
  initNoiseSigma: number;
}

export interface ReferenceTrajectory {
  steps: number;
  /** The UNet call after which `afterFirstStep16` was taken: 0, or 1 for k-diffusion's two-call samplers (after the first whole step). */
  afterCall?: number;
  afterFirstStep16?: number[];
  final?: number[];
  /** Set where diffusers itself fails on this run. */
  error?: string;
}

/** diffusers' img2img start for a (steps, strength), and what follows it (tools/reference/schedulers.py); blendedFinal16 only for diffusers' classes. */
export interface ReferenceImg2Img {
  steps: number;
  strength: number;
  startIndex: number;
  calls: number;
  /** The call from the start after which `afterFirstStep16` was taken: 0, or 1 for k-diffusion's two-call samplers. */
  afterCall?: number;
  start16?: number[];
  afterFirstStep16?: number[];
  final16?: number[];
  /** [scale of x₀, scale of the noise] of add_noise at each call from the start. */
  levels?: [number, number][];
  blendedFinal16?: number[];
}

export interface ReferenceFixture {
  origin: string;
  description: string;
  config: SchedulerConfig;
  alphasCumprod: number[];
  samplers: Record<string, { schedules: ReferenceSchedule[]; trajectories: ReferenceTrajectory[]; img2img?: ReferenceImg2Img[] }>;
}

export function loadFixtures(): [string, ReferenceFixture][] {
  return readdirSync(fixtureDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(fixtureDir, f), 'utf8')) as ReferenceFixture]);
}

/**
 * The reference script's loop: latents = RandomState(1).randn(64)·init_noise_sigma, then per call
 * scale, fake UNet, step; the samplers that add noise keep drawing from the same RandomState. The fake UNet
 * is given `unetTimesteps` (the reference's own), so that this checks the step arithmetic alone;
 * the schedule tests check the timesteps.
 */
export function runTrajectory(
  scheduler: Scheduler,
  unetTimesteps: readonly number[],
  afterCall = 0,
): { afterFirstStep: Float32Array; final: Float32Array } {
  const noise = new NumpyRandomState(1);
  let latents: Float32Array = noise.randn(64).map((v) => v * scheduler.initNoiseSigma);
  let afterFirstStep = latents;
  for (let i = 0; i < scheduler.timesteps.length; i++) {
    const input = scheduler.scaleModelInput(latents, i);
    const c = Math.cos(unetTimesteps[i]! / 300);
    const s = Math.sin(i + 1);
    const eps = new Float32Array(input.length);
    for (let k = 0; k < input.length; k++) eps[k] = 0.3 * input[k]! * c + 0.05 * s;
    latents = scheduler.step(eps, i, latents, noise);
    if (i === afterCall) afterFirstStep = latents;
  }
  return { afterFirstStep, final: latents };
}

/** max |a − b| / max |b|: the error relative to the size of the reference. */
export function scaledError(actual: ArrayLike<number>, expected: readonly number[]): number {
  if (actual.length < expected.length) return Infinity;
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  expected.forEach((v, i) => {
    worst = Math.max(worst, Math.abs(actual[i]! - v));
  });
  return scale === 0 ? worst : worst / scale;
}

/** max over i of |a − b| / |b| (0 where both are 0). */
export function relativeError(actual: readonly number[], expected: readonly number[]): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  expected.forEach((v, i) => {
    const d = Math.abs(actual[i]! - v);
    worst = Math.max(worst, d === 0 ? 0 : d / Math.abs(v));
  });
  return worst;
}

export function absoluteError(actual: readonly number[], expected: readonly number[]): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  expected.forEach((v, i) => {
    worst = Math.max(worst, Math.abs(actual[i]! - v));
  });
  return worst;
}

/**
 * The DPM-Solver-form samplers truncate the timesteps they do not round (the exponential
 * schedule's always, DPM-Solver's Karras ones for cosine betas), so on cosine betas σ_max maps to
 * 998 here and to 999 in the fixtures: numpy 1.x's float32 promotion, which numpy 2 has not.
 */
export function truncatesFirstTimestep(name: string): boolean {
  return /^(dpmpp_2m|dpmpp_2m_sde|unipc|deis)_exponential$/.test(name) || /^dpmpp_2m(_sde)?_karras$/.test(name);
}
