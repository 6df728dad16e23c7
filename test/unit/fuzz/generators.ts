// Random inputs for the fuzz test, from a seeded generator (the test models' PRNG) so that a
// failure names a seed and an index that reproduce it: prompt files built from the format's own
// pieces (settings, separators, emphasis, BREAK, escapes) mixed with hostile ones (control
// characters, huge numbers, long runs), prompts for the emphasis parser, and messages for the
// engine, made by breaking a valid request in every way JSON allows.

import { prng } from '../../../tools/test-models/graphs';

/** The `index`-th input of a target's stream: its own generator, so it can be made again alone. */
export function inputRandom(seed: number, index: number): () => number {
  return prng((seed * 0x9e3779b1 + index * 0x85ebca6b) >>> 0);
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (random: () => number, max: number) => Math.floor(random() * max);

const WORDS = ['red', 'circle', 'BREAK', 'break', 'a', ',', '  ', '\t', 'é', '💥', '東京', '\u200b', '\u0000', '\u001b[31m', '\u007f', '&amp;', 'AND', ':', '\\', '#'];
const EMPHASIS = ['(', ')', '[', ']', '(x:1.2)', ':1.5)', ':-2)', ':1.2.3)', ':9999999999999999999999)', '\\(', '\\)', '\\\\', ' BREAK ', 'BREAK', '((((', '))))', ':', '\\'];
const KEYS = ['seed', 'steps', 'cfg', 'cfg_scale', 'sampler', 'size', 'model', 'rng', 'negative', 'negative_prompt', 'Seed', 'stpes', 'x', 'init', 'strength', 'mask', 'mask_blur', 'outpaint', 'depth', 'resize', 'inpaint_area', 'padding'];
const VALUES = ['left 64, right 32', 'left 7', 'left 64,', 'auto', 'in.png', 'crop', 'masked', '0.75', '1.5', 'true', '1', '1..3', '1,,2', '5,', ' , ', '99999999999999999999999999', '-3', '1e30', '7.5', '0', '64x64', '8192x8192', '63x64', 'Euler a', 'dpmpp_2m_karras', 'bogus', 'numpy', 'torch', 'nv', '', ' ', '../m', '~/x', '\u0000', '4294967295', '4294967296', '0..999', '0..1000'];

/** A prompt file: lines of the kinds the parser knows, some broken, some hostile. */
export function promptFileText(random: () => number): string {
  const lines: string[] = [];
  const count = int(random, 40);
  if (random() < 0.05) lines.push('\ufeff');
  for (let i = 0; i < count; i++) {
    const r = random();
    if (r < 0.15) lines.push(`---${random() < 0.7 ? ` ${pick(random, WORDS)}${pick(random, WORDS)}` : ''}`);
    else if (r < 0.45) lines.push(`${pick(random, KEYS)}${random() < 0.9 ? ':' : ''} ${pick(random, VALUES)}`);
    else if (r < 0.5) lines.push(`${random() < 0.5 ? ' ' : '\t'}${pick(random, WORDS)} continued`);
    else if (r < 0.55) lines.push(`# ${pick(random, WORDS)}`);
    else if (r < 0.6) lines.push('');
    else if (r < 0.62) lines.push(`\\${pick(random, KEYS)}: escaped`);
    else if (r < 0.64) lines.push(pick(random, WORDS).repeat(1 + int(random, 3000)));
    else lines.push(emphasisText(random, 12));
  }
  const ends = ['\n', '\r\n', '\r'];
  return lines.map((l, i) => (i === 0 && l === '\ufeff' ? l : `${l}${pick(random, ends)}`)).join('');
}

/** A prompt in A1111's emphasis syntax, with unbalanced and malformed pieces. */
export function emphasisText(random: () => number, maxPieces = 60): string {
  let text = '';
  const count = int(random, maxPieces);
  for (let i = 0; i < count; i++) text += random() < 0.5 ? pick(random, EMPHASIS) : pick(random, WORDS);
  if (random() < 0.02) text += '('.repeat(int(random, 2000)) + 'x' + ')'.repeat(int(random, 2000));
  return text;
}

/** A random JSON value (what the IPC channel can carry), up to `depth` levels deep. */
export function jsonValue(random: () => number, depth = 3): unknown {
  const r = random();
  if (depth <= 0 || r < 0.5) {
    return pick(random, [null, true, false, 0, -1, 1.5, 1e9, 1e308, -1e308, 2 ** 53, 4294967296, '', 'x', 'nope', '../..', '/abs', '\u0000', 'run', 'cancel', '__proto__', 'constructor', 'a'.repeat(int(random, 30_000))]);
  }
  if (r < 0.75) return Array.from({ length: int(random, 4) }, () => jsonValue(random, depth - 1));
  const keys = ['type', 'runId', 'jobs', 'previews', 'options', 'prompt', 'seed', 'cfg', 'size', 'width', 'height', 'name', '__proto__', 'constructor', 'toString'];
  const out: Record<string, unknown> = {};
  for (let i = 0; i < int(random, 5); i++) out[pick(random, keys)] = jsonValue(random, depth - 1);
  return out;
}

/** A valid request with one part replaced, removed or wrapped: most of it is right, one thing is not. */
export function engineMessage(random: () => number, validJob: Record<string, unknown>): unknown {
  const run = { type: 'run', runId: 'r', jobs: [structuredClone(validJob)], previews: false };
  const configure = { type: 'configure', options: { executionProvider: 'cpu', threads: 1, idleMs: 0 } };
  const base = structuredClone(pick(random, [run, configure, { type: 'cancel', runId: 'r' }, { type: 'shutdown' }])) as Record<string, unknown>;
  const r = random();
  if (r < 0.1) return jsonValue(random);
  const job = base['type'] === 'run' ? ((base['jobs'] as Record<string, unknown>[])[0] as Record<string, unknown>) : undefined;
  const target: Record<string, unknown> =
    job && random() < 0.8
      ? random() < 0.6
        ? (job['request'] as Record<string, unknown>)
        : job
      : base['type'] === 'configure' && random() < 0.8
        ? (base['options'] as Record<string, unknown>)
        : base;
  const keys = Object.keys(target);
  const key = keys.length > 0 && random() < 0.9 ? pick(random, keys) : pick(random, ['extra', '__proto__', 'constructor']);
  if (r < 0.3) delete target[key];
  else if (r < 0.4 && typeof target[key] === 'object' && target[key] !== null) (target[key] as Record<string, unknown>)[pick(random, ['width', 'name', 'dir', 'x'])] = jsonValue(random, 1);
  else target[key] = jsonValue(random);
  // What Node's IPC does to a message: JSON both ways.
  return JSON.parse(JSON.stringify(base)) as unknown;
}
