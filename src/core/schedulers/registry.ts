// The one list of sampler names: the format parser, completion, the grammar tests and the image
// metadata all read it. Each sampler is a diffusers scheduler class built from the model's config
// as `from_config` builds it when a user switches samplers (DPM++ 2S a, which diffusers lacks,
// is k-diffusion's as A1111 runs it). The schedule type is apart from the sampler, as in A1111
// since 1.9; the older combined names (`DPM++ 2M Karras`, `dpmpp_2m_karras`) still name both.

import { catchUserErrorSync, fail, type Result } from '../errors';
import { createDdim } from './ddim';
import { createDdpm } from './ddpm';
import { createDeis } from './deis';
import { createDpm2, createDpm2Ancestral } from './dpm2';
import { createDpmpp2sAncestral } from './dpmpp2sAncestral';
import { createDpmSolverMultistep, createDpmSolverMultistepSde } from './dpmSolverMultistep';
import { createDpmSolverSde } from './dpmSolverSde';
import { createEuler } from './euler';
import { createEulerAncestral } from './eulerAncestral';
import { createHeun } from './heun';
import { createLcm } from './lcm';
import { createLms } from './lms';
import { createPndm } from './pndm';
import type { Scheduler, SchedulerConfig } from './scheduler';
import { SCHEDULE_LABELS, SCHEDULE_TYPES, type ScheduleType } from './scheduleTypes';
import { createUniPc } from './unipc';

type Create = (config: SchedulerConfig, steps: number, schedule: ScheduleType) => Scheduler;

export interface SamplerInfo {
  /** The canonical name, as written in .sdprompt files and recipes. */
  id: string;
  /** A1111's names for it (without a schedule type); the first is its name in A1111's menu and metadata. */
  a1111: readonly string[];
  /** The diffusers class it follows, or what it follows where diffusers has none. */
  diffusersClass: string;
  /** Takes the Karras and exponential schedules (the samplers that step over sigmas). */
  sigmaBased: boolean;
  create: Create;
}

const sampler = (
  id: string,
  a1111: string,
  diffusersClass: string,
  create: Create,
  sigmaBased = true,
): SamplerInfo => ({ id, a1111: [a1111], diffusersClass, sigmaBased, create });

/** The samplers that step over training timesteps, not sigmas: they have no Karras or exponential schedule. */
const NO_SIGMAS = false;

export const SAMPLERS: readonly SamplerInfo[] = [
  sampler('pndm', 'PLMS', 'PNDMScheduler', (c, n) => createPndm(c, n), NO_SIGMAS),
  sampler('ddim', 'DDIM', 'DDIMScheduler', (c, n) => createDdim(c, n), NO_SIGMAS),
  sampler('euler', 'Euler', 'EulerDiscreteScheduler', createEuler),
  sampler('euler_a', 'Euler a', 'EulerAncestralDiscreteScheduler', createEulerAncestral),
  sampler('lms', 'LMS', 'LMSDiscreteScheduler', createLms),
  sampler('dpmpp_2m', 'DPM++ 2M', 'DPMSolverMultistepScheduler', createDpmSolverMultistep),
  sampler('heun', 'Heun', 'HeunDiscreteScheduler', createHeun),
  sampler('dpm2', 'DPM2', 'KDPM2DiscreteScheduler', createDpm2),
  sampler('dpm2_a', 'DPM2 a', 'KDPM2AncestralDiscreteScheduler', createDpm2Ancestral),
  sampler('dpmpp_2m_sde', 'DPM++ 2M SDE', 'DPMSolverMultistepScheduler', createDpmSolverMultistepSde),
  sampler('dpmpp_sde', 'DPM++ SDE', 'DPMSolverSDEScheduler', createDpmSolverSde),
  sampler('dpmpp_2s_a', 'DPM++ 2S a', "k-diffusion's sample_dpmpp_2s_ancestral", createDpmpp2sAncestral),
  sampler('unipc', 'UniPC', 'UniPCMultistepScheduler', createUniPc),
  sampler('lcm', 'LCM', 'LCMScheduler', (c, n) => createLcm(c, n), NO_SIGMAS),
  sampler('ddpm', 'DDPM', 'DDPMScheduler', (c, n) => createDdpm(c, n), NO_SIGMAS),
  sampler('deis', 'DEIS', 'DEISMultistepScheduler', createDeis),
];

export interface SamplerChoice {
  sampler: SamplerInfo;
  /** The schedule type the name asks for: `automatic` unless a combined name (`dpmpp_2m_karras`) names one. */
  schedule: ScheduleType;
  /** Canonical, e.g. `dpmpp_2m` or `dpmpp_2m_karras`. */
  name: string;
}

function choice(info: SamplerInfo, schedule: ScheduleType): SamplerChoice {
  return { sampler: info, schedule, name: schedule === 'automatic' ? info.id : `${info.id}_${schedule}` };
}

/** The schedule types a sampler can be asked for. */
function schedulesOf(info: SamplerInfo): readonly ScheduleType[] {
  return info.sigmaBased ? SCHEDULE_TYPES : ['automatic'];
}

/** Every accepted spelling with what it means: canonical names, then A1111's, once each ignoring case. */
function spellings(): [string, SamplerChoice][] {
  const canonical: [string, SamplerChoice][] = [];
  const aliases: [string, SamplerChoice][] = [];
  for (const info of SAMPLERS) {
    for (const schedule of schedulesOf(info)) {
      const c = choice(info, schedule);
      canonical.push([c.name, c]);
      for (const name of info.a1111) aliases.push([schedule === 'automatic' ? name : `${name} ${SCHEDULE_LABELS[schedule]}`, c]);
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

const SPELLINGS = spellings();
const BY_NAME = new Map(SPELLINGS.map(([name, c]) => [name.toLowerCase(), c]));

/**
 * The sampler a name means: a canonical id (`euler_a`), `<id>_karras` / `<id>_exponential` for
 * the sigma-based ones, or an A1111 name (`Euler a`, `DPM++ 2M Karras`), in any letter case;
 * surrounding spaces are ignored. Undefined for anything else.
 */
export function resolveSampler(name: string): SamplerChoice | undefined {
  return BY_NAME.get(name.trim().toLowerCase());
}

/** Every accepted spelling, canonical names first, once each ignoring case (for the grammar and did-you-mean). */
export function samplerNames(): string[] {
  return SPELLINGS.map(([name]) => name);
}

/** Each sampler once, by its A1111 name, in the registry's order (the panel's menu, completion). */
export function a1111SamplerNames(): string[] {
  return SAMPLERS.map((info) => info.a1111[0]!);
}

/** A1111's older combined name for a choice (`DPM++ 2M Karras`), which names both. */
export function combinedName(c: SamplerChoice): string {
  return c.schedule === 'automatic' ? a1111Name(c) : `${a1111Name(c)} ${SCHEDULE_LABELS[c.schedule]}`;
}

/** The sampler with a schedule type set (a `schedule:` setting, `--schedule`). */
export function withSchedule(c: SamplerChoice, schedule: ScheduleType): SamplerChoice {
  return choice(c.sampler, schedule);
}

/** A1111's name for a sampler, as its parameters text writes it since 1.9 (the schedule apart). */
export function a1111Name(c: SamplerChoice): string {
  return c.sampler.a1111[0]!;
}

/**
 * The choice as it runs on a model: `automatic` made explicit where the class takes Karras or
 * exponential sigmas from the config (`use_karras_sigmas`, `use_exponential_sigmas`) and for DPM++
 * 2S a, whose automatic is Karras as in A1111. What stays `automatic` steps with the sampler's
 * plain spacing. Runs, recipes and metadata use this, so they say what ran.
 */
export function effectiveChoice(c: SamplerChoice, config: SchedulerConfig): SamplerChoice {
  if (c.schedule !== 'automatic' || !c.sampler.sigmaBased || c.sampler.id === 'euler_a') return c;
  if (c.sampler.id === 'dpmpp_2s_a' || config['use_karras_sigmas'] === true) return choice(c.sampler, 'karras');
  return config['use_exponential_sigmas'] === true ? choice(c.sampler, 'exponential') : c;
}

/**
 * The sampler a run uses on a model: the one asked for or the model's own, with the schedule type
 * asked for (if any), made explicit as `effectiveChoice` says.
 */
export function runChoice(sampler: SamplerChoice | undefined, schedule: ScheduleType | undefined, config: SchedulerConfig): SamplerChoice {
  const base = sampler ?? defaultSamplerFor(config);
  return effectiveChoice(schedule ? choice(base.sampler, schedule) : base, config);
}

/**
 * The model's own sampler: its config's `_class_name` (Flax names too; DPM-Solver's
 * `algorithm_type` tells DPM++ 2M SDE from DPM++ 2M), with the schedule its config asks for.
 * Unknown or missing classes fall back to PNDM, what Stable Diffusion 1.x ships with.
 */
export function defaultSamplerFor(config: SchedulerConfig): SamplerChoice {
  const className = typeof config['_class_name'] === 'string' ? config['_class_name'].replace(/^Flax/, '') : '';
  const sde = config['algorithm_type'] === 'sde-dpmsolver++';
  const found = SAMPLERS.find((s) => s.diffusersClass === className && (className !== 'DPMSolverMultistepScheduler' || (s.id === 'dpmpp_2m_sde') === sde));
  return choice(found ?? SAMPLERS[0]!, 'automatic');
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
  if (!schedulesOf(c.sampler).includes(c.schedule)) {
    return fail({
      code: 'invalid-request',
      message: `${a1111Name(c)} has no ${SCHEDULE_LABELS[c.schedule]} schedule: it steps over training timesteps, not sigmas (use schedule: automatic)`,
    });
  }
  return catchUserErrorSync((): Scheduler => c.sampler.create(config, steps, c.schedule));
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
 * samplers, the sigma of each UNet call and the final one, after `set_timesteps(steps)`.
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
