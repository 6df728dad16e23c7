// A job that arrives from another process (the engine's `run` request) checked field by field
// against the same limits the format's parser applies, so that whatever reaches the pipeline is
// a job the planner could have made. Every field of `Job` has its check in one table: a field
// added to `Job` without one does not compile.

import * as path from 'node:path';
import { GRID_KEYS, MAX_GRID_CELLS, SCHEDULES } from '../format/grid';
import { MAX_MASK_BLUR, MAX_OUTPAINT, MAX_PADDING } from '../format/image-values';
import { MAX_BATCH, MAX_CFG, MAX_SEED, MAX_STEPS, sideProblem } from '../format/settings';
import type { ImageOrigin } from '../image/check';
import { INPAINT_AREAS, MASKED_CONTENTS, OUTPAINT_SIDES, RESIZE_MODES, type Extension } from '../image/modes';
import { isRngName, type RngName } from '../noise';
import { isSafeStem } from '../outputs/naming';
import { resolveSampler, type SamplerChoice } from '../schedulers/registry';
import { MAX_PROMPT_FILE_BYTES, promptLengthProblem } from '../format/limits';
import type { ImageFile, ImageRequest } from './image-settings';
import type { Job, JobGrid } from './plan';

/** A value checked and copied (only the fields it should have), or what is wrong with it. */
type Check<T> = (value: unknown) => { ok: true; value: T } | { ok: false; problem: string };

const good = <T>(value: T) => ({ ok: true as const, value });
const bad = (problem: string) => ({ ok: false as const, problem });

/** A value shown in a message: JSON, and cut short. */
export function showValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const promptText =
  (what: 'prompt' | 'negative prompt'): Check<string> =>
  (v) => {
    if (typeof v !== 'string') return bad(`must be text, not ${showValue(v)}`);
    const problem = promptLengthProblem(v, what);
    return problem ? bad(`is too long: ${problem}`) : good(v);
  };

const text =
  (max: number): Check<string> =>
  (v) =>
    typeof v === 'string' && v.length <= max ? good(v) : bad(`must be text of at most ${max} characters, not ${showValue(v)}`);

const integer =
  (min: number, max: number): Check<number> =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? good(v) : bad(`must be a whole number from ${min} to ${max}, not ${showValue(v)}`);

/** Where a picture was written, for messages only (the prompt file as the run names it: `shapes.sdprompt`): never opened. */
const originFile: Check<string> = (v) =>
  typeof v === 'string' && v.length > 0 && v.length <= 4096 && !v.includes('\0') ? good(v) : bad(`must be a file name, not ${showValue(v)}`);

const absolutePath: Check<string> = (v) =>
  typeof v === 'string' && v.length > 0 && v.length <= 4096 && !v.includes('\0') && path.isAbsolute(v) ? good(v) : bad(`must be an absolute path, not ${showValue(v)}`);

const cfg: Check<number> = (v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_CFG ? good(v) : bad(`must be a number from 0 to ${MAX_CFG}, not ${showValue(v)}`);

const sampler: Check<SamplerChoice> = (v) => {
  const name = isRecord(v) ? v['name'] : undefined;
  const choice = typeof name === 'string' ? resolveSampler(name) : undefined;
  // The registry's own object, never the sender's: its `sampler` part decides which class runs.
  return choice && choice.name === name ? good(choice) : bad(`must name a known sampler, not ${showValue(v)}`);
};

const size: Check<{ width: number; height: number }> = (v) => {
  if (!isRecord(v)) return bad(`must be { width, height }, not ${showValue(v)}`);
  for (const side of ['width', 'height'] as const) {
    const n = v[side];
    if (typeof n !== 'number' || !Number.isInteger(n)) return bad(`${side} must be a whole number, not ${showValue(n)}`);
    const problem = sideProblem(side, n);
    if (problem) return bad(problem);
  }
  return good({ width: v['width'] as number, height: v['height'] as number });
};

const rng: Check<RngName> = (v) => (typeof v === 'string' && isRngName(v) ? good(v) : bad(`must name a known noise source, not ${showValue(v)}`));

const stem: Check<string> = (v) => (typeof v === 'string' && isSafeStem(v) ? good(v) : bad(`must be a plain file name stem, not ${showValue(v)}`));

/** Checks an object's fields with a table of checks; absent optional fields stay absent. */
function record<T extends object>(checks: { [K in keyof Required<T>]: Check<T[K]> }, optional: readonly (keyof T)[] = []): Check<T> {
  return (v) => {
    if (!isRecord(v)) return bad(`must be an object, not ${showValue(v)}`);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(checks) as (keyof T & string)[]) {
      if (v[key] === undefined && optional.includes(key)) continue;
      const checked = checks[key](v[key]);
      if (!checked.ok) return bad(`${key} ${checked.problem}`);
      out[key] = checked.value;
    }
    return good(out as T);
  };
}

const boolean: Check<boolean> = (v) => (typeof v === 'boolean' ? good(v) : bad(`must be true or false, not ${showValue(v)}`));

const fraction: Check<number> = (v) =>
  typeof v === 'number' && v >= 0 && v <= 1 ? good(v) : bad(`must be a number from 0 to 1, not ${showValue(v)}`);

const oneOf =
  <T extends string>(names: readonly T[]): Check<T> =>
  (v) =>
    typeof v === 'string' && (names as readonly string[]).includes(v) ? good(v as T) : bad(`must be one of ${names.join(', ')}, not ${showValue(v)}`);

const extension: Check<Extension> = (v) => {
  if (!isRecord(v)) return bad(`must be { left, right, top, bottom }, not ${showValue(v)}`);
  for (const side of OUTPAINT_SIDES) {
    const n = v[side];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_OUTPAINT || n % 8 !== 0) {
      return bad(`${side} must be a multiple of 8 pixels from 0 to ${MAX_OUTPAINT}, not ${showValue(n)}`);
    }
  }
  return good(Object.fromEntries(OUTPAINT_SIDES.map((side) => [side, v[side]])) as Extension);
};

const maxLine = integer(1, Number.MAX_SAFE_INTEGER);

const imageFile = record<ImageFile>(
  { path: absolutePath, spec: text(4096), origin: record<ImageOrigin>({ file: originFile, line: maxLine, column: maxLine }) },
  ['origin'],
);

const depth: Check<'auto' | ImageFile> = (v) => (v === 'auto' ? good('auto') : imageFile(v));

const request = record<ImageRequest>(
  {
    prompt: promptText('prompt'),
    negativePrompt: promptText('negative prompt'),
    seed: integer(0, MAX_SEED),
    steps: integer(1, MAX_STEPS),
    cfg,
    sampler,
    size,
    rng,
    init: imageFile,
    strength: fraction,
    resize: oneOf(RESIZE_MODES),
    mask: imageFile,
    maskInvert: boolean,
    maskBlur: integer(0, MAX_MASK_BLUR),
    maskedContent: oneOf(MASKED_CONTENTS),
    inpaintArea: oneOf(INPAINT_AREAS),
    padding: integer(0, MAX_PADDING),
    outpaint: extension,
    depth,
    subseed: integer(0, MAX_SEED),
    subseedStrength: fraction,
    watermark: boolean,
    schedule: oneOf(SCHEDULES),
  },
  // Every field but the prompt and the seed may be absent.
  ['negativePrompt', 'steps', 'cfg', 'sampler', 'size', 'rng', 'init', 'strength', 'resize', 'mask', 'maskInvert', 'maskBlur', 'maskedContent', 'inpaintArea', 'padding', 'outpaint', 'depth', 'subseed', 'subseedStrength', 'watermark', 'schedule'],
);

/** A list of at most `max` items, each checked. */
const list =
  <T>(item: Check<T>, max: number): Check<T[]> =>
  (v) => {
    if (!Array.isArray(v) || v.length > max) return bad(`must be a list of at most ${max} items, not ${showValue(v)}`);
    const out: T[] = [];
    for (const [i, x] of v.entries()) {
      const checked = item(x);
      if (!checked.ok) return bad(`item ${i} ${checked.problem}`);
      out.push(checked.value);
    }
    return good(out);
  };

const grid = record<JobGrid>({
  stem,
  column: integer(0, MAX_GRID_CELLS),
  row: integer(0, MAX_GRID_CELLS),
  axes: list(record<JobGrid['axes'][number]>({ key: oneOf(GRID_KEYS), values: list(text(4096), MAX_GRID_CELLS) }), 2),
});

type Source = NonNullable<Job['source']>;

const source = record<Source>({
  promptFile: absolutePath,
  block: record<Source['block']>({ index: maxLine, name: text(MAX_PROMPT_FILE_BYTES), line: maxLine }, ['name']),
});

const checkJobRecord = record<Job>(
  {
    request,
    model: record<Job['model']>({ dir: absolutePath, spec: text(4096), vae: record<NonNullable<Job['model']['vae']>>({ dir: absolutePath, spec: text(4096) }) }, ['vae']),
    batch: integer(1, MAX_BATCH),
    outputDir: absolutePath,
    stem,
    source,
    grid,
  },
  ['batch', 'source', 'grid'],
);

/** The job `value` stands for, rebuilt from checked fields, or a message naming the first bad field. */
export function checkJob(value: unknown): { ok: true; value: Job } | { ok: false; problem: string } {
  return checkJobRecord(value);
}
