// The one list of sampler names: the format parser, completion, the grammar tests and the image
// metadata all read it. Each sampler is a diffusers scheduler class built from the model's config
// as `from_config` builds it when a user switches samplers.

import { catchUserErrorSync, fail, type Result } from '../errors';
import { createDdim } from './ddim';
import { createDpmSolverMultistep } from './dpmSolverMultistep';
import { createEuler } from './euler';
import { createEulerAncestral } from './eulerAncestral';
import { createLms } from './lms';
import { createPndm } from './pndm';
import type { Scheduler, SchedulerConfig } from './scheduler';

export interface SamplerInfo {
  /** The canonical name, as written in .sdprompt files and recipes. */
  id: string;
  /** How people call it in prose. */
  label: string;
  /** A1111's names for it (without " Karras"); the first is what metadata writes. */
  a1111: readonly string[];
  diffusersClass: string;
  /** Takes Karras sigmas (`<id>_karras`, `<A1111 name> Karras`). */
  sigmaBased: boolean;
}

export const SAMPLERS: readonly SamplerInfo[] = [
  { id: 'pndm', label: 'PLMS (PNDM)', a1111: ['PLMS'], diffusersClass: 'PNDMScheduler', sigmaBased: false },
  { id: 'ddim', label: 'DDIM', a1111: ['DDIM'], diffusersClass: 'DDIMScheduler', sigmaBased: false },
  { id: 'euler', label: 'Euler', a1111: ['Euler'], diffusersClass: 'EulerDiscreteScheduler', sigmaBased: true },
  {
    id: 'euler_a',
    label: 'Euler ancestral',
    a1111: ['Euler a'],
    diffusersClass: 'EulerAncestralDiscreteScheduler',
    sigmaBased: true,
  },
  { id: 'lms', label: 'LMS', a1111: ['LMS'], diffusersClass: 'LMSDiscreteScheduler', sigmaBased: true },
  {
    id: 'dpmpp_2m',
    label: 'DPM++ 2M',
    a1111: ['DPM++ 2M'],
    diffusersClass: 'DPMSolverMultistepScheduler',
    sigmaBased: true,
  },
];

export interface SamplerChoice {
  sampler: SamplerInfo;
  karras: boolean;
  /** Canonical, e.g. `dpmpp_2m_karras`. */
  name: string;
}

const KARRAS_SUFFIX = '_karras';

function choice(sampler: SamplerInfo, karras: boolean): SamplerChoice {
  return { sampler, karras, name: karras ? sampler.id + KARRAS_SUFFIX : sampler.id };
}

/** Every accepted spelling with what it means, canonical names first. */
function spellings(): [string, SamplerChoice][] {
  const canonical: [string, SamplerChoice][] = [];
  const aliases: [string, SamplerChoice][] = [];
  for (const sampler of SAMPLERS) {
    canonical.push([sampler.id, choice(sampler, false)]);
    if (sampler.sigmaBased) canonical.push([sampler.id + KARRAS_SUFFIX, choice(sampler, true)]);
    for (const name of sampler.a1111) {
      aliases.push([name, choice(sampler, false)]);
      if (sampler.sigmaBased) aliases.push([`${name} Karras`, choice(sampler, true)]);
    }
  }
  const seen = new Set<string>();
  return [...canonical, ...aliases].filter(([name]) => {
    const key = name.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const BY_NAME = new Map(spellings().map(([name, c]) => [name.toLowerCase(), c]));

/**
 * The sampler a name means: a canonical id (`euler_a`), `<id>_karras` for the sigma-based ones,
 * or an A1111 name (`Euler a`, `DPM++ 2M Karras`), in any letter case; surrounding spaces are
 * ignored. Undefined for anything else.
 */
export function resolveSampler(name: string): SamplerChoice | undefined {
  return BY_NAME.get(name.trim().toLowerCase());
}

/** Every accepted spelling, canonical names first, once each ignoring case (for completion and did-you-mean). */
export function samplerNames(): string[] {
  return spellings().map(([name]) => name);
}

/** A sampler with Karras sigmas or its own schedule; undefined for Karras on a sampler that does not step on sigmas. */
export function withSchedule(c: SamplerChoice, karras: boolean): SamplerChoice | undefined {
  return karras && !c.sampler.sigmaBased ? undefined : choice(c.sampler, karras);
}

/** A1111's name for a choice, as its `parameters` text writes it (`DPM++ 2M Karras`). */
export function a1111Name(c: SamplerChoice): string {
  return c.sampler.a1111[0]! + (c.karras ? ' Karras' : '');
}

/**
 * The model's own sampler: its config's `_class_name` (Flax names too) and, for the sigma
 * samplers, `use_karras_sigmas`. Unknown or missing classes fall back to PNDM, what Stable
 * Diffusion 1.x ships with.
 */
export function defaultSamplerFor(config: SchedulerConfig): SamplerChoice {
  const className = typeof config['_class_name'] === 'string' ? config['_class_name'].replace(/^Flax/, '') : '';
  const sampler = SAMPLERS.find((s) => s.diffusersClass === className) ?? SAMPLERS[0]!;
  return choice(sampler, sampler.sigmaBased && config['use_karras_sigmas'] === true);
}

/** The most steps a run may have: one per training timestep, at most 1000 (the format's limit). */
const MAX_STEPS = 1000;

/**
 * A scheduler for one run of `steps` steps, built from the model's scheduler config. A config this
 * project cannot honour is a `model-invalid` error; steps out of range an `invalid-request`.
 */
export function createScheduler(c: SamplerChoice, config: SchedulerConfig, steps: number): Result<Scheduler> {
  // A num_train_timesteps that is no count is the config's error, which the class reports.
  const trainSteps = config['num_train_timesteps'];
  const limit = typeof trainSteps === 'number' && Number.isInteger(trainSteps) && trainSteps >= 1 ? Math.min(MAX_STEPS, trainSteps) : MAX_STEPS;
  if (!Number.isInteger(steps) || steps < 1 || steps > limit) {
    return fail({ code: 'invalid-request', message: `steps must be an integer from 1 to ${limit}, not ${steps}` });
  }
  if (c.karras && !c.sampler.sigmaBased) {
    return fail({ code: 'invalid-request', message: `${c.sampler.id} does not take Karras sigmas` });
  }
  return catchUserErrorSync((): Scheduler => {
    switch (c.sampler.id) {
      case 'pndm':
        return createPndm(config, steps);
      case 'ddim':
        return createDdim(config, steps);
      case 'euler':
        return createEuler(config, steps, c.karras);
      case 'euler_a':
        return createEulerAncestral(config, steps, c.karras);
      case 'lms':
        return createLms(config, steps, c.karras);
      case 'dpmpp_2m':
        return createDpmSolverMultistep(config, steps, c.karras);
      default:
        throw new Error(`no scheduler for sampler ${c.sampler.id}`);
    }
  });
}

/**
 * The model's own scheduler config checked as its own sampler reads it (one step): a config
 * that no run could use is found when the folder is read, before any model work. What only
 * another sampler reads is checked when a run asks for that sampler.
 */
export function checkSchedulerConfig(config: SchedulerConfig): Result<void> {
  const created = createScheduler(defaultSamplerFor(config), config, 1);
  return created.ok ? { ok: true, value: undefined } : created;
}

/**
 * What `sdprompt debug schedule` prints: diffusers' `scheduler.timesteps` and, for the sigma
 * samplers, `scheduler.sigmas` (with the final one) after `set_timesteps(steps)`.
 */
export function describeSchedule(
  c: SamplerChoice,
  config: SchedulerConfig,
  steps: number,
): Result<{ timesteps: number[]; sigmas?: number[] }> {
  const created = createScheduler(c, config, steps);
  if (!created.ok) return created;
  const { timesteps, sigmas } = created.value;
  return { ok: true, value: sigmas ? { timesteps: [...timesteps], sigmas: [...sigmas] } : { timesteps: [...timesteps] } };
}
