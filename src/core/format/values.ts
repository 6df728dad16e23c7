// The result of parsing one setting's value text: the typed value (with warnings), or the
// problem, located by offset and length inside the value's text.

/** A problem inside a value: `offset` and `length` are relative to the value's text. */
export interface ValueProblem {
  message: string;
  offset: number;
  length: number;
}

export type ParsedValue<T> =
  | { ok: true; value: T; warnings: ValueProblem[] }
  | { ok: false; problem: ValueProblem };

export function accept<T>(value: T, warnings: ValueProblem[] = []): ParsedValue<T> {
  return { ok: true, value, warnings };
}

/**
 * The comma-separated items of a value: each trimmed, with its offset, and the span it came
 * from. Empty items are items too (`1,,2` and `5,` have one), so a list with a hole is as wrong
 * as `1, ,2`; a value with no text at all has none.
 */
export function listItems(text: string): { item: string; offset: number; start: number; length: number }[] {
  if (text.trim() === '') return [];
  let start = 0;
  return text.split(',').map((raw) => {
    const item = raw.trim();
    const at = start;
    start += raw.length + 1;
    return { item, offset: at + raw.indexOf(item), start: at, length: raw.length };
  });
}

export function reject<T>(message: string, offset: number, length: number): ParsedValue<T> {
  return { ok: false, problem: { message, offset, length: Math.max(1, length) } };
}
