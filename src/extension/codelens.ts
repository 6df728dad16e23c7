// Above each block: Generate, Generate with a new seed, and Cancel with the step while it runs;
// for a block with an `init:` picture, Paint mask (or Edit mask when it has a `mask:`).

import * as vscode from 'vscode';
import { effectiveSettings } from '../core/format/parse';
import { LANGUAGE_ID, type ParsedDocuments } from './documents';
import type { RunQueue } from './runs';

export function registerCodeLens(documents: ParsedDocuments, runs: RunQueue): vscode.Disposable {
  const provider: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: runs.onDidChange,
    provideCodeLenses(document) {
      const lenses: vscode.CodeLens[] = [];
      const parsed = documents.get(document);
      for (const block of parsed.blocks) {
        const range = new vscode.Range(block.startLine - 1, 0, block.startLine - 1, 0);
        const state = runs.stateOf(document.uri, block.index);
        if (state) {
          const title = state.step !== undefined
            ? `$(sync~spin) Generating ${state.image}/${state.images}: step ${state.step}/${state.total}`
            : '$(clock) Queued';
          lenses.push(new vscode.CodeLens(range, { title, command: 'sdprompt.showPanel', arguments: [document.uri] }));
          lenses.push(new vscode.CodeLens(range, { title: 'Cancel', command: 'sdprompt.cancel', arguments: [state.runId] }));
        } else {
          lenses.push(new vscode.CodeLens(range, { title: '$(play) Generate', command: 'sdprompt.generateBlock', arguments: [document.uri, block.index] }));
          lenses.push(new vscode.CodeLens(range, { title: 'Generate with a new seed', command: 'sdprompt.generateNewSeed', arguments: [document.uri, block.index] }));
          const { settings } = effectiveSettings(parsed, block);
          if (settings.init) lenses.push(new vscode.CodeLens(range, { title: settings.mask ? 'Edit mask' : 'Paint mask', command: 'sdprompt.paintMask', arguments: [document.uri, block.index] }));
        }
      }
      return lenses;
    },
  };
  return vscode.languages.registerCodeLensProvider({ language: LANGUAGE_ID }, provider);
}
