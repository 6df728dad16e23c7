// A1111's generation parameters text ("infotext"), both ways: what A1111 writes into an image's
// `parameters` (modules/processing.py `create_infotext`) and how it reads one back
// (modules/infotext_utils.py `parse_generation_parameters`), with the same quoting rules, so that
// a text either side writes means the same settings to the other.
//
//   a red circle
//   Negative prompt: blurry
//   Steps: 20, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7, Seed: 1, Size: 512x512

import { fail, ok, type Result } from '../errors';

/** One `Key: value` of the last line, its value unquoted. */
export interface ParameterPair {
  key: string;
  value: string;
  /** Where the key starts: a 0-based column in the text's line `line` (for messages). */
  line: number;
  column: number;
}

export interface GenerationParameters {
  prompt: string;
  negativePrompt: string;
  /** In the order the text lists them; a key A1111 repeats keeps each occurrence (A1111 keeps the last). */
  pairs: ParameterPair[];
}

/**
 * A1111's `quote`: a value holding a comma, colon or newline is written as a JSON string
 * (`json.dumps(..., ensure_ascii=False)`, which JSON.stringify matches for every string that is
 * valid UTF-16); any other value is written as it is, quotes included.
 */
export function quoteValue(value: string): string {
  return /[,:\n]/.test(value) ? JSON.stringify(value) : value;
}

/** A1111's `unquote`: a value in double quotes is read as a JSON string, if it is one. */
export function unquoteValue(text: string): string {
  if (text.length < 2 || !text.startsWith('"') || !text.endsWith('"')) return text;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? value : text;
  } catch {
    return text;
  }
}

/**
 * The text `create_infotext` writes: the prompt, `Negative prompt: …` when there is one, and the
 * pairs joined by ", " (a pair whose value equals its key is written as the key alone, as A1111
 * does), the whole trimmed. Pairs whose value is undefined are left out, as A1111 leaves out None.
 */
export function formatParametersText(prompt: string, negativePrompt: string, pairs: readonly (readonly [string, string | number | undefined])[]): string {
  const written = pairs
    .filter((pair): pair is readonly [string, string | number] => pair[1] !== undefined)
    .map(([key, value]) => (key === String(value) ? key : `${key}: ${quoteValue(String(value))}`));
  const negative = negativePrompt ? `\nNegative prompt: ${negativePrompt}` : '';
  return `${prompt}${negative}\n${written.join(', ')}`.trim();
}

// A1111's re_param: a key (a word character, then word characters, spaces, '-' or '/'), a colon,
// and a value that is either a double-quoted string with backslash escapes or anything up to the
// next comma. Python's \w is Unicode-aware; \p{L}\p{N}_ is the same for letters and digits.
const PARAM = /\s*([\p{L}\p{N}_][\p{L}\p{N}_ \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)/gu;
const NEGATIVE_PREFIX = 'Negative prompt:';

/** Python's str.strip() for the whitespace that occurs in practice. */
const strip = (text: string): string => text.trim();

/** Every `Key: value` match of the line; `value` is undefined where it is empty (A1111 skips those). */
function findPairs(line: string, lineIndex: number): (Omit<ParameterPair, 'value'> & { value: string | undefined })[] {
  return [...line.matchAll(PARAM)].map((match) => {
    const key = match[1]!;
    const raw = match[2]!;
    const value = raw === '' ? undefined : raw.startsWith('"') && raw.endsWith('"') ? unquoteValue(raw) : raw;
    return { key, value, line: lineIndex, column: match.index + match[0].indexOf(key) };
  });
}

/**
 * Reads a parameters text as A1111 does: the last line holds the `Key: value` pairs if it has at
 * least three; the lines before are the prompt, each trimmed, up to a line starting
 * `Negative prompt:`, and the negative prompt after it. A text whose last line is not such a line
 * (so A1111 would take all of it as a prompt, with no settings) is an error here, at that line.
 * `file` names where the text came from in messages.
 */
export function parseParametersText(text: string, file?: string): Result<GenerationParameters> {
  const stripped = strip(text);
  const leading = text.slice(0, text.indexOf(stripped)).split('\n').length - 1;
  const lines = stripped.split('\n');
  const last = lines.length - 1;
  const found = findPairs(lines[last]!, leading + last);
  if (found.length < 3) {
    return fail({
      code: 'invalid-request',
      message: "not A1111 generation parameters: the last line should list settings as 'Steps: 20, Sampler: Euler a, CFG scale: 7, …'",
      ...(file !== undefined ? { file } : {}),
      line: leading + last + 1,
      column: 1,
    });
  }
  let prompt = '';
  let negativePrompt = '';
  let inNegative = false;
  for (const raw of lines.slice(0, last)) {
    let line = strip(raw);
    if (line.startsWith(NEGATIVE_PREFIX)) {
      inNegative = true;
      line = strip(line.slice(NEGATIVE_PREFIX.length));
    }
    if (inNegative) negativePrompt += (negativePrompt === '' ? '' : '\n') + line;
    else prompt += (prompt === '' ? '' : '\n') + line;
  }
  const pairs = found.filter((pair): pair is ParameterPair => pair.value !== undefined);
  return ok({ prompt, negativePrompt, pairs });
}
