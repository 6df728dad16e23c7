// User text inside a message: control characters written as escapes (a NUL or a terminal
// escape sequence in a prompt file must not reach a terminal raw) and, when quoted, long text
// cut short, so that a message stays readable whatever the file held.

const MAX_QUOTED = 60;

const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const CONTROLS_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** A whole message with control characters as `\xNN` / `\uNNNN`; tabs and line breaks stay. */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS_BUT_LINES, escape);
}

/** `'text'`, every control character escaped, at most about 60 characters long. */
export function quote(text: string): string {
  const shown = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED - 1)}…` : text;
  return `'${shown.replace(CONTROLS, escape)}'`;
}
