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

/** The comma-separated items of a value: each trimmed, with its offset, and the span it came from. */
export function listItems(text: string): { item: string; offset: number; start: number; length: number }[] {
  return [...text.matchAll(/[^,]+/g)].map((match) => {
    const raw = match[0];
    const item = raw.trim();
    return { item, offset: match.index + raw.indexOf(item), start: match.index, length: raw.length };
  });
}

export function reject<T>(message: string, offset: number, length: number): ParsedValue<T> {
  return { ok: false, problem: { message, offset, length: Math.max(1, length) } };
}
