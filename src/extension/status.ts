// The status bar item: which model runs, and the queue.

import * as vscode from 'vscode';
import { isDemoModel, modelLabel } from '../core/models/demo';
import type { RunQueue } from './runs';

export function registerStatusBar(runs: RunQueue, defaultModel: () => string): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('sdprompt.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'sdprompt';
  item.command = 'sdprompt.showPanel';
  const update = () => {
    const model = defaultModel();
    const label = modelLabel(model);
    const active = runs.active;
    const running = active.find((r) => r.step !== undefined);
    const queued = active.length - (running ? 1 : 0);
    let text = `$(symbol-color) ${label}`;
    if (running) text += ` · $(sync~spin) ${running.step}/${running.total}`;
    if (queued > 0) text += ` · ${queued} queued`;
    item.text = text;
    const tooltip = new vscode.MarkdownString(`**sdprompt**\n\nModel: \`${model}\`${isDemoModel(model) ? ' (the shipped demo model: coloured shapes only)' : ''}\n\nClick to open the results panel.`);
    item.tooltip = tooltip;
  };
  const showForEditor = (editor: vscode.TextEditor | undefined) => {
    if (editor?.document.languageId === 'sdprompt' || runs.active.length > 0) item.show();
    else item.hide();
  };
  update();
  showForEditor(vscode.window.activeTextEditor);
  return vscode.Disposable.from(
    item,
    runs.onDidChange(() => {
      update();
      showForEditor(vscode.window.activeTextEditor);
    }),
    vscode.window.onDidChangeActiveTextEditor(showForEditor),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('sdprompt.model') && update()),
  );
}
