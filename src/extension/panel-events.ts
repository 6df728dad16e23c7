// What the results panel follows in the editor: the active prompt file, the block under the
// cursor, edits to the file, and the runs' events.

import * as vscode from 'vscode';
import { blockAtLine } from '../core/format/parse';
import { isSdprompt } from './documents';
import type { PanelHost, ResultsPanel } from './panel';

export function watchForPanel(panel: ResultsPanel, host: PanelHost): vscode.Disposable {
  const isShown = (uri: vscode.Uri) => uri.toString() === panel.uri?.toString();
  return vscode.Disposable.from(
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (editor && isSdprompt(editor.document)) panel.follow(editor.document.uri);
    }),
    vscode.window.onDidChangeTextEditorSelection((e) => {
      if (!isShown(e.textEditor.document.uri)) return;
      const block = blockAtLine(host.documents.get(e.textEditor.document), e.selections[0]!.active.line + 1);
      panel.post({ type: 'activeBlock', blockIndex: block?.index });
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (isShown(e.document.uri)) panel.refresh();
    }),
    host.runs.onRunEvent(({ run, event }) => panel.onRunEvent(run, event)),
  );
}
