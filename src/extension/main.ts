// Activation stays short: build the context, register the language features and commands.

import type * as vscode from 'vscode';
import { registerCodeLens } from './codelens';
import { registerCommands } from './commands';
import { registerCompletion } from './completion';
import { Ctx } from './ctx';
import { registerDiagnostics } from './diagnostics';
import { registerHover } from './hover';
import { registerImport } from './import';
import { initDropOffer } from './init-drop';
import { registerOutline } from './outline';
import { registerStatusBar } from './status';

let ctx: Ctx | undefined;

export function activate(extension: vscode.ExtensionContext): { ctx: Ctx } {
  const started = performance.now();
  ctx = new Ctx(extension);
  const c = ctx;
  c.push(
    registerDiagnostics(c.documents),
    registerCompletion(),
    registerHover(c.documents, c.tokenizers, () => c.defaultModel()),
    registerOutline(c.documents),
    registerCodeLens(c.documents, c.runs),
    registerStatusBar(c.runs, () => c.defaultModel()),
    registerCommands(c),
    registerImport(c, [initDropOffer(c.documents)]),
  );
  extension.subscriptions.push(c);
  c.log.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
  return { ctx: c };
}

export function deactivate(): Promise<void> | undefined {
  const engine = ctx?.engine;
  ctx = undefined;
  return engine?.stop();
}
