// A .sdprompt block made from generation parameters (A1111's text, or a ComfyUI graph read into
// A1111's keys): prompt, negative prompt and every setting sdprompt has (Denoising strength as
// `strength`, unless it is the hires fix's), each checked by the
// format's own parser; every other key is kept as a comment line, so nothing is lost. What could
// not be carried over as it was is listed in `notes`, each naming its key.

import { planBlockInsertion, uniqueBlockName, type TextEdit } from '../format/edit';
import { classifyLine, type ParsedFile } from '../format/parse';
import { MAX_SEED, SETTINGS, type SettingKey } from '../format/settings';
import { resolveSampler, samplerNames } from '../schedulers/registry';
import { closestMatch } from '../format/suggest';
import { rngFromA1111 } from './a1111-keys';
import { quoteValue, type GenerationParameters, type ParameterPair } from './a1111-text';

export interface ImportNote {
  /** The A1111 key the note is about. */
  key: string;
  message: string;
  /** Where the key was in the parameters text (1-based), when it came from one. */
  line?: number;
  column?: number;
}

export interface ImportedBlock {
  /** From the separator line to the block's last line, without a final newline. */
  text: string;
  notes: ImportNote[];
}

/** One thing to import: its parameters, and the block name it asks for. */
export interface ImportItem {
  parameters: GenerationParameters;
  name?: string;
}

/**
 * Importing into a prompt file: a block per item (names numbered where the file or an earlier
 * item has them already), all added together after block `afterBlock`, or at the end, and each
 * item's notes. The CLI, the paste command and image drops all import through this.
 */
export function planImport(parsed: ParsedFile, items: readonly ImportItem[], afterBlock?: number): { edits: TextEdit[]; notes: ImportNote[][] } {
  const taken = new Set(parsed.blocks.map((b) => b.name));
  const blocks = items.map((item) => {
    const name = item.name === undefined ? undefined : uniqueBlockName(taken, item.name);
    taken.add(name);
    return blockFromParameters(item.parameters, name);
  });
  const text = blocks.map((b) => b.text).join('\n\n');
  return { edits: blocks.length > 0 ? planBlockInsertion(parsed, text, afterBlock) : [], notes: blocks.map((b) => b.notes) };
}

/** A1111 keys that are settings here, in the order the block lists them. */
const SETTING_OF: Readonly<Record<string, SettingKey>> = {
  Seed: 'seed',
  Steps: 'steps',
  'CFG scale': 'cfg',
  Size: 'size',
  'Variation seed': 'subseed',
  'Variation seed strength': 'subseed_strength',
};

/** A prompt line as the format reads it back: a line that would read as a setting, comment or separator gets a backslash. */
function promptLine(line: string): string {
  return classifyLine(line).kind === 'prompt' ? line : `\\${line}`;
}

/**
 * The block for `parameters`, named `name` (a `---` line without a name when there is none).
 * Each setting line is checked with the setting's parser; a value it refuses becomes a comment
 * and a note, as does a key sdprompt has no setting for.
 */
export function blockFromParameters(parameters: GenerationParameters, name?: string): ImportedBlock {
  const notes: ImportNote[] = [];
  const note = (pair: ParameterPair, message: string) =>
    notes.push({ key: pair.key, message, ...(pair.line > 0 || pair.column > 0 ? { line: pair.line + 1, column: pair.column + 1 } : {}) });
  const last = new Map<string, ParameterPair>();
  for (const pair of parameters.pairs) last.set(pair.key, pair);
  const settings: string[] = [];
  const comments: string[] = [];
  const keep = (pair: ParameterPair, why?: string) => comments.push(`# ${pair.key}: ${quoteValue(pair.value)}${why ? `  (${why})` : ''}`);
  const setting = (key: SettingKey, pair: ParameterPair, value: string) => {
    const parsed = SETTINGS[key].parse(value);
    if (parsed.ok) return settings.push(`${key}: ${value}`);
    note(pair, parsed.problem.message);
    keep(pair, parsed.problem.message);
  };

  const rng = rngFromA1111(last.get('RNG')?.value);
  for (const pair of parameters.pairs) {
    if (last.get(pair.key) !== pair) {
      keep(pair, 'repeated; the last one counts');
      continue;
    }
    switch (pair.key) {
      case 'Sampler':
        samplerSetting(pair, last.get('Schedule type'), settings, note, keep);
        break;
      case 'Schedule type':
        if (!last.has('Sampler')) keep(pair);
        break;
      case 'RNG':
        if (rng) settings.push(`rng: ${rng}`);
        else {
          note(pair, `unknown RNG '${pair.value}'; the block uses the default noise source`);
          keep(pair, 'unknown');
        }
        break;
      case 'Seed': {
        const seed = seedFor(pair, rng, note, keep);
        if (seed !== undefined) setting('seed', pair, seed);
        break;
      }
      case 'Denoising strength':
        if ([...last.keys()].some((k) => k.startsWith('Hires '))) keep(pair, "the hires fix's; sdprompt has no hires fix");
        else {
          setting('strength', pair, pair.value);
          note(pair, "an image-to-image run: add 'init:' with the picture it started from, which the parameters do not name");
        }
        break;
      default: {
        const key = SETTING_OF[pair.key];
        if (key) setting(key, pair, pair.value);
        else keep(pair);
      }
    }
  }
  // No RNG key is A1111's default, GPU: on NVIDIA cards the noise `nv` makes.
  if (!last.has('RNG')) settings.push('rng: nv');

  const lines = [name ? `--- ${name}` : '---', ...parameters.prompt.split('\n').map(promptLine)];
  const negative = parameters.negativePrompt.split('\n').filter((line, i) => i === 0 || line.trim() !== '');
  if (parameters.negativePrompt !== '') lines.push(`negative: ${negative[0]}`, ...negative.slice(1).map((line) => `  ${line}`));
  return { text: [...lines, ...settings, ...comments].join('\n'), notes };
}

/**
 * The seed as this file can hold it. The format takes 32-bit seeds; torch keeps only a seed's
 * low 32 bits, so a larger seed with the torch source (ComfyUI's 64-bit seeds) becomes those bits,
 * the same noise. Any other seed out of range stays a comment, with a note.
 */
function seedFor(pair: ParameterPair, rng: string | undefined, note: (p: ParameterPair, m: string) => void, keep: (p: ParameterPair, why?: string) => void): string | undefined {
  if (!/^\d+$/.test(pair.value) || BigInt(pair.value) <= BigInt(MAX_SEED)) return pair.value;
  if (rng === 'torch') {
    const low = String(BigInt.asUintN(32, BigInt(pair.value)));
    keep(pair, `torch keeps a seed's low 32 bits: seed ${low} gives the same noise`);
    return low;
  }
  const message = `seed ${pair.value} is larger than ${MAX_SEED}, the largest this format takes; its noise cannot be made again here`;
  note(pair, message);
  keep(pair, 'too large');
  return undefined;
}

/** `sampler:` from A1111's Sampler and Schedule type ("DPM++ 2M" + "Karras" is `DPM++ 2M Karras`, + "Exponential" `DPM++ 2M Exponential`). */
function samplerSetting(
  pair: ParameterPair,
  schedule: ParameterPair | undefined,
  settings: string[],
  note: (p: ParameterPair, m: string) => void,
  keep: (p: ParameterPair, why?: string) => void,
): void {
  const named = schedule?.value === 'Karras' || schedule?.value === 'Exponential' ? schedule.value : undefined;
  if (schedule && !named && schedule.value !== 'Automatic') {
    note(schedule, `schedule type '${schedule.value}' is not available here (Automatic, Karras and Exponential are); the sampler's own schedule is used`);
    keep(schedule, 'not available here');
  }
  const name = named && !pair.value.toLowerCase().endsWith(` ${named.toLowerCase()}`) ? `${pair.value} ${named}` : pair.value;
  if (resolveSampler(name)) {
    settings.push(`sampler: ${name}`);
    return;
  }
  const guess = closestMatch(name, samplerNames());
  const message = `sampler '${name}' is not available here${guess ? `; the nearest is '${guess}'` : ''}; the model's own sampler is used`;
  note(pair, message);
  keep(pair, 'not available here');
}
