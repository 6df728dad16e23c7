// One parse per document version, shared by every language feature.

import * as vscode from 'vscode';
import { parseSdprompt, type ParsedFile } from '../core/format/parse';

export const LANGUAGE_ID = 'sdprompt';

export class ParsedDocuments implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; parsed: ParsedFile }>();
  private readonly subscription = vscode.workspace.onDidCloseTextDocument((d) => this.cache.delete(d.uri.toString()));

  get(document: vscode.TextDocument): ParsedFile {
    const key = document.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === document.version) return hit.parsed;
    const parsed = parseSdprompt(document.getText(), vscode.workspace.asRelativePath(document.uri));
    this.cache.set(key, { version: document.version, parsed });
    return parsed;
  }

  dispose(): void {
    this.subscription.dispose();
    this.cache.clear();
  }
}

export function isSdprompt(document: vscode.TextDocument): boolean {
  return document.languageId === LANGUAGE_ID;
}
