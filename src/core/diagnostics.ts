// Problems found in user input. They are values, never exceptions: parsers collect every one
// of them and return them with what they could make of the input.

import { escapeControls } from './quote';

export type Severity = 'error' | 'warning' | 'info';

/** A position in a text file, both numbers 1-based, as editors and compilers print them. */
export interface Position {
  line: number;
  column: number;
}

/** A span of text; `end` is exclusive. */
export interface Range {
  start: Position;
  end: Position;
}

export interface Diagnostic {
  severity: Severity;
  message: string;
  range: Range;
  /** The file the range is in, when known. */
  file?: string;
  /** A stable identifier of the kind of problem, e.g. `unknown-setting`. */
  code?: string;
}

/** `file:line:column: severity: message`, the form compilers print and terminals link. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file ?? '<input>'}:${d.range.start.line}:${d.range.start.column}`;
  return escapeControls(`${where}: ${d.severity}: ${d.message}`);
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
