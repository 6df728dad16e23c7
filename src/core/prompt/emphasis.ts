// Emphasis syntax as AUTOMATIC1111's webui reads it (modules/prompt_parser.py,
// parse_prompt_attention): `(x)` multiplies the weight of x by 1.1, `[x]` by 1/1.1, `(x:w)` by
// w; nesting multiplies; brackets left open apply to the rest of the prompt; `\(`, `\)`, `\[`,
// `\]` and `\\` stand for the character itself; `BREAK` as a word ends the current 75-token
// chunk. Adjacent text of equal weight is merged, as A1111 does.
//
// Where A1111 has no sensible answer we differ, on purpose:
//   - `BREAK` inside brackets: A1111 multiplies its marker weight (-1) by the bracket and then
//     no longer recognises it, so the word "BREAK" is encoded with a negative weight. Here it is
//     a break wherever it stands.
//   - A weight that is not a number, such as `(x:1.2.3)`: A1111 stops with a Python ValueError.
//     Here `:1.2.3` is text and the `)` closes the bracket with the usual 1.1.

/** A piece of the prompt with its weight, or a BREAK. `start`/`end` are UTF-16 offsets into the parsed text. */
export type PromptRun =
  | { text: string; weight: number; start: number; end: number }
  | { break: true; start: number; end: number };

export const ROUND_BRACKET_MULTIPLIER = 1.1;
// A1111 multiplies by 1/1.1 rather than dividing by 1.1; the two differ in the last bit.
export const SQUARE_BRACKET_MULTIPLIER = 1 / 1.1;

// Python's str.isspace(), which `\s` means in A1111's patterns (Python's `re`, Unicode strings).
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

// A1111's re_attention, alternative for alternative (its current form, which allows spaces
// around the weight). `\d` in Python means any Unicode decimal digit.
const ATTENTION = new RegExp(
  [
    '\\\\\\(', '\\\\\\)', '\\\\\\[', '\\\\\\]', '\\\\\\\\', '\\\\',
    '\\(', '\\[',
    `:[${PY_SPACE}]*([+-]?[.\\p{Nd}]+)[${PY_SPACE}]*\\)`,
    '\\)', '\\]',
    '[^\\\\()\\[\\]:]+',
    ':',
  ].join('|'),
  'gu',
);

// A1111's re_break, `\s*\bBREAK\b\s*`, with Python's Unicode word boundary.
const BREAK_SEPARATOR = new RegExp(`[${PY_SPACE}]*(?<![\\p{L}\\p{N}_])BREAK(?![\\p{L}\\p{N}_])[${PY_SPACE}]*`, 'gu');

interface Piece {
  text: string;
  weight: number;
  start: number;
  end: number;
  isBreak: boolean;
}

/**
 * Splits a prompt into runs of text with their emphasis weight, and BREAKs, as A1111's
 * parse_prompt_attention does (see the module comment for the two deliberate differences).
 * Weights are exact float products, in A1111's order of multiplication. Brackets and escape
 * backslashes are not part of any run's text; a run's `start`..`end` spans its source, from
 * its first piece to its last. An empty prompt gives one run `{ text: '', weight: 1 }`.
 */
export function parseEmphasis(text: string): PromptRun[] {
  const pieces: Piece[] = [];
  const roundBrackets: number[] = [];
  const squareBrackets: number[] = [];
  const multiplyFrom = (position: number, multiplier: number): void => {
    for (let p = position; p < pieces.length; p++) {
      if (!pieces[p]!.isBreak) pieces[p]!.weight *= multiplier;
    }
  };

  ATTENTION.lastIndex = 0;
  for (let match = ATTENTION.exec(text); match !== null; match = ATTENTION.exec(text)) {
    const token = match[0];
    const start = match.index;
    const end = start + token.length;
    const weightText = match[1];
    if (token.startsWith('\\')) {
      pieces.push({ text: token.slice(1), weight: 1, start, end, isBreak: false });
    } else if (token === '(') {
      roundBrackets.push(pieces.length);
    } else if (token === '[') {
      squareBrackets.push(pieces.length);
    } else if (weightText !== undefined && roundBrackets.length > 0) {
      const weight = parsePythonFloat(weightText);
      if (Number.isNaN(weight)) {
        pieces.push({ text: token.slice(0, -1), weight: 1, start, end: end - 1, isBreak: false });
        multiplyFrom(roundBrackets.pop()!, ROUND_BRACKET_MULTIPLIER);
      } else {
        multiplyFrom(roundBrackets.pop()!, weight);
      }
    } else if (token === ')' && roundBrackets.length > 0) {
      multiplyFrom(roundBrackets.pop()!, ROUND_BRACKET_MULTIPLIER);
    } else if (token === ']' && squareBrackets.length > 0) {
      multiplyFrom(squareBrackets.pop()!, SQUARE_BRACKET_MULTIPLIER);
    } else {
      pushSplitAtBreaks(pieces, token, start);
    }
  }
  for (const position of roundBrackets) multiplyFrom(position, ROUND_BRACKET_MULTIPLIER);
  for (const position of squareBrackets) multiplyFrom(position, SQUARE_BRACKET_MULTIPLIER);

  if (pieces.length === 0) return [{ text: '', weight: 1, start: 0, end: 0 }];
  return mergeEqualWeights(pieces).map((p) =>
    p.isBreak ? { break: true, start: p.start, end: p.end } : { text: p.text, weight: p.weight, start: p.start, end: p.end },
  );
}

function pushSplitAtBreaks(pieces: Piece[], token: string, offset: number): void {
  let partStart = 0;
  BREAK_SEPARATOR.lastIndex = 0;
  for (let match = BREAK_SEPARATOR.exec(token); match !== null; match = BREAK_SEPARATOR.exec(token)) {
    pieces.push({ text: token.slice(partStart, match.index), weight: 1, start: offset + partStart, end: offset + match.index, isBreak: false });
    const separatorEnd = match.index + match[0].length;
    pieces.push({ text: '', weight: 1, start: offset + match.index, end: offset + separatorEnd, isBreak: true });
    partStart = separatorEnd;
  }
  pieces.push({ text: token.slice(partStart), weight: 1, start: offset + partStart, end: offset + token.length, isBreak: false });
}

function mergeEqualWeights(pieces: readonly Piece[]): Piece[] {
  const merged: Piece[] = [];
  for (const piece of pieces) {
    const last = merged[merged.length - 1];
    if (last && !last.isBreak && !piece.isBreak && last.weight === piece.weight) {
      last.text += piece.text;
      last.end = piece.end;
    } else {
      merged.push({ ...piece });
    }
  }
  return merged;
}

/**
 * Python's float() of what A1111's pattern admits as a weight: an optional sign, then dots and
 * decimal digits of any script. NaN where Python would raise.
 */
function parsePythonFloat(text: string): number {
  let ascii = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    ascii += code > 0x7f ? String(decimalDigitValue(code)) : char;
  }
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(ascii) ? Number(ascii) : NaN;
}

const DECIMAL_DIGIT = /\p{Nd}/u;

/** Unicode keeps each script's digits 0–9 in one run of ten code points, starting at a multiple-of-ten offset from the run start. */
function decimalDigitValue(code: number): number {
  let runStart = code;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(runStart - 1))) runStart--;
  return (code - runStart) % 10;
}
