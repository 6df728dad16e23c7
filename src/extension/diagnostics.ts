// Problems in .sdprompt files, in the Problems panel as the user types (debounced): the parser's,
// and the pictures the file names that a run could not use (checked again when pictures change
// on disk).

import * as vscode from 'vscode';
import { pictureProblems } from '../core/format/pictures';
import { toVsDiagnostic } from './convert';
import { isSdprompt, type ParsedDocuments } from './documents';

const DEBOUNCE_MS = 250;

export function registerDiagnostics(documents: ParsedDocuments): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('sdprompt');
  const timers = new Map<string, NodeJS.Timeout>();
  /** Each document's latest check: an older one that ends later is dropped. */
  const generations = new Map<string, number>();

  const refresh = (document: vscode.TextDocument) => {
    if (!isSdprompt(document)) return;
    const key = document.uri.toString();
    const generation = (generations.get(key) ?? 0) + 1;
    generations.set(key, generation);
    const parsed = documents.get(document);
    const found = parsed.diagnostics.map(toVsDiagnostic);
    collection.set(document.uri, found);
    if (document.uri.scheme !== 'file') return;
    pictureProblems(parsed, document.uri.fsPath).then(
      (problems) => {
        if (generations.get(key) === generation && problems.length > 0) collection.set(document.uri, [...found, ...problems.map(toVsDiagnostic)]);
      },
      // The checks return problems as values; a rejection is a bug, kept out of the user's way.
      (e: unknown) => console.error('sdprompt: checking the pictures of a prompt file failed', e),
    );
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
  const pictures = vscode.workspace.createFileSystemWatcher('**/*.{png,jpg,jpeg,webp,PNG,JPG,JPEG,WEBP}');
  const recheckAll = () => vscode.workspace.textDocuments.forEach(schedule);

  vscode.workspace.textDocuments.forEach(refresh);
  return vscode.Disposable.from(
    collection,
    pictures,
    pictures.onDidCreate(recheckAll),
    pictures.onDidDelete(recheckAll),
    pictures.onDidChange(recheckAll),
    vscode.workspace.onDidOpenTextDocument(refresh),
    vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => {
      clearTimeout(timers.get(d.uri.toString()));
      generations.delete(d.uri.toString());
      collection.delete(d.uri);
    }),
    { dispose: () => timers.forEach(clearTimeout) },
  );
}
