// What lives as long as the extension: the engine, the runs, the panel, caches, and every
// disposable, registered once.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { demoModelDir } from '../core/models/demo';
import { resolveModelPath } from '../core/format/resolve';
import type { EngineOptions } from '../protocol/engine';
import { readConfig } from './config';
import { idleMs } from './config-limits';
import { ParsedDocuments } from './documents';
import { EngineClient } from './engine-client';
import { TokenizerCache } from './hover';
import { ResultsPanel } from './panel';
import { RunQueue } from './runs';

export class Ctx implements vscode.Disposable {
  readonly log = vscode.window.createOutputChannel('sdprompt', { log: true });
  readonly documents = new ParsedDocuments();
  readonly tokenizers = new TokenizerCache();
  readonly engine: EngineClient;
  readonly runs: RunQueue;
  readonly panel: ResultsPanel;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.engine = new EngineClient(path.join(extension.extensionPath, 'dist', 'engine.js'), this.log, () => this.engineOptions());
    this.runs = new RunQueue({
      engine: this.engine,
      log: this.log,
      defaultModel: () => this.defaultModel(),
      previews: () => readConfig().livePreview,
    });
    this.panel = new ResultsPanel({
      extensionUri: extension.extensionUri,
      log: this.log,
      documents: this.documents,
      runs: this.runs,
      defaultModel: () => this.defaultModel(),
    });
    this.push(this.log, this.documents, this.engine, this.runs, this.panel);
    this.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('sdprompt')) {
          this.engine.configure();
          this.tokenizers.clear();
          this.panel.refresh();
        }
      }),
    );
  }

  /** The model for blocks that name none: the configured folder, else the shipped demo model. */
  defaultModel(): string {
    const configured = readConfig().model;
    if (!configured) return demoModelDir();
    const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return resolveModelPath(configured, workspace ?? process.cwd());
  }

  engineOptions(): EngineOptions {
    const config = readConfig();
    return {
      executionProvider: config.executionProvider,
      threads: config.threads,
      deviceId: config.deviceId,
      idleMs: idleMs(config.idleMinutes),
      ...(config.lowMemory ? { lowMemory: true } : {}),
    };
  }

  push(...disposables: vscode.Disposable[]): void {
    this.disposables.push(...disposables);
  }

  dispose(): void {
    for (const d of this.disposables.reverse()) d.dispose();
  }
}
