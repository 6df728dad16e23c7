// Problems in .sdprompt files, in the Problems panel as the user types (debounced).

import * as vscode from 'vscode';
import { toVsDiagnostic } from './convert';
import { isSdprompt, type ParsedDocuments } from './documents';

const DEBOUNCE_MS = 250;

export function registerDiagnostics(documents: ParsedDocuments): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('sdprompt');
  const timers = new Map<string, NodeJS.Timeout>();

  const refresh = (document: vscode.TextDocument) => {
    if (!isSdprompt(document)) return;
    collection.set(document.uri, documents.get(document).diagnostics.map(toVsDiagnostic));
  };
  const schedule = (document: vscode.TextDocument) => {
    if (!isSdprompt(document)) return;
    const key = document.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      refresh(document);
    }, DEBOUNCE_MS));
  };

  vscode.workspace.textDocuments.forEach(refresh);
  return vscode.Disposable.from(
    collection,
    vscode.workspace.onDidOpenTextDocument(refresh),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      clearTimeout(timers.get(d.uri.toString()));
      collection.delete(d.uri);
    }),
    { dispose: () => timers.forEach(clearTimeout) },
  );
}
