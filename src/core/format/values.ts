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

export function reject<T>(message: string, offset: number, length: number): ParsedValue<T> {
  return { ok: false, problem: { message, offset, length: Math.max(1, length) } };
}
