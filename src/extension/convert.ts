// Core positions are 1-based (as printed); VS Code's are 0-based.

import * as vscode from 'vscode';
import type { Diagnostic, Range } from '../core/diagnostics';

export function toVsRange(range: Range): vscode.Range {
  return new vscode.Range(range.start.line - 1, range.start.column - 1, range.end.line - 1, range.end.column - 1);
}

export function toVsDiagnostic(d: Diagnostic): vscode.Diagnostic {
  const severity =
    d.severity === 'error' ? vscode.DiagnosticSeverity.Error : d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const diagnostic = new vscode.Diagnostic(toVsRange(d.range), d.message, severity);
  diagnostic.source = 'sdprompt';
  if (d.code !== undefined) diagnostic.code = d.code;
  return diagnostic;
}
