// The results panel's host side: one webview beside the editor showing the active prompt
// file's results by block, the runs in progress with live previews, and controls whose edits
// go into the .sdprompt document itself. The webview keeps no state the host can't rebuild: it
// says `ready` whenever it (re)loads and gets the whole state back.

import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { blockAtLine, effectiveSettings, type Block, type ParsedFile } from '../core/format/parse';
import type { SettingKey } from '../core/format/settings';
import { blockErrors, blockModel, DEFAULT_CFG, DEFAULT_STEPS } from '../core/format/resolve';
import { inspectModelFolder, type ModelFolderInfo } from '../core/models/folder';
import { isDemoModel, modelLabel } from '../core/models/demo';
import { outputDirFor } from '../core/outputs/naming';
import { listResults, type ImageRecord } from '../core/outputs/results';
import { defaultSamplerFor, samplerNames } from '../core/schedulers';
import {
  EDITABLE_SETTINGS,
  WEBVIEW_PROTOCOL_VERSION,
  parseWebviewMessage,
  type BlockResults,
  type BlockView,
  type EditableSetting,
  type HostMessage,
  type ImageView,
  type PanelError,
  type PanelState,
  type RunView,
  type ShownSetting,
  type WebviewMessage,
} from '../protocol/webview';
import type { EngineEvent } from '../protocol/engine';
import { isSdprompt, type ParsedDocuments } from './documents';
import { editBlockSetting } from './edits';
import { logFailure } from './failures';
import { createNonce, panelHtml } from './panel-html';
import type { RunQueue, RunState } from './runs';

const VIEW_TYPE = 'sdprompt.results';

/** What the panel uses of the extension: the parsed documents, the runs, the default model, the log. */
export interface PanelHost {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  documents: ParsedDocuments;
  runs: Pick<RunQueue, 'onRunEvent' | 'cancel'>;
  defaultModel(): string;
}
const REFRESH_DEBOUNCE_MS = 200;

export class ResultsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  /** The prompt file shown. */
  private uri: vscode.Uri | undefined;
  private images = new Map<string, ImageRecord>();
  private readonly runViews = new Map<string, RunView>();
  private errors: PanelError[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly modelInfo = new Map<string, ModelFolderInfo | undefined>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly host: PanelHost) {
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor && isSdprompt(editor.document) && editor.document.uri.toString() !== this.uri?.toString()) {
          this.uri = editor.document.uri;
          this.refresh();
        }
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor.document.uri.toString() !== this.uri?.toString()) return;
        const block = blockAtLine(host.documents.get(e.textEditor.document), e.selections[0]!.active.line + 1);
        this.post({ type: 'activeBlock', blockIndex: block?.index });
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === this.uri?.toString()) this.refresh();
      }),
      host.runs.onRunEvent(({ run, event }) => this.onRunEvent(run, event)),
    );
  }

  /** Shows the panel for a prompt file (or the last one shown), creating it if needed. */
  reveal(uri: vscode.Uri | undefined, preserveFocus: boolean): void {
    if (uri && uri.toString() !== this.uri?.toString()) {
      this.uri = uri;
      this.errors = [];
    }
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      this.updateRoots();
      this.refresh();
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      'sdprompt results',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      { enableScripts: true, localResourceRoots: this.roots() },
    );
    panel.iconPath = vscode.Uri.joinPath(this.host.extensionUri, 'media', 'icon.svg');
    const media = (file: string) => panel.webview.asWebviewUri(vscode.Uri.joinPath(this.host.extensionUri, 'media', file)).toString();
    panel.webview.html = panelHtml({
      cspSource: panel.webview.cspSource,
      nonce: createNonce((n) => randomBytes(n)),
      scriptUri: media('webview.js'),
      styleUri: media('webview.css'),
      title: 'sdprompt results',
    });
    panel.webview.onDidReceiveMessage((data: unknown) => {
      const message = parseWebviewMessage(data);
      if (message) this.handle(message).catch(logFailure(this.host.log, `the panel's ${message.type} message`));
    });
    panel.onDidDispose(() => {
      this.panel = undefined;
    });
    this.panel = panel;
  }

  /** Rebuilds and sends the state soon (changes come in bursts). */
  refresh(): void {
    if (!this.panel) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.sendState().catch(logFailure(this.host.log, 'updating the panel')), REFRESH_DEBOUNCE_MS);
  }

  private roots(): vscode.Uri[] {
    const roots = [vscode.Uri.joinPath(this.host.extensionUri, 'media')];
    if (this.uri?.scheme === 'file') roots.push(vscode.Uri.file(outputDirFor(this.uri.fsPath)));
    return roots;
  }

  private updateRoots(): void {
    if (this.panel) this.panel.webview.options = { enableScripts: true, localResourceRoots: this.roots() };
  }

  /** Sends a message; one the webview cannot take (it is closing) is logged and dropped. */
  private post(message: HostMessage): void {
    this.panel?.webview.postMessage(message).then(undefined, logFailure(this.host.log, `posting ${message.type} to the panel`));
  }

  private document(): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.uri?.toString());
  }

  private info(dir: string): ModelFolderInfo | undefined {
    if (!this.modelInfo.has(dir)) {
      const inspected = inspectModelFolder(dir);
      this.modelInfo.set(dir, inspected.ok ? inspected.value : undefined);
    }
    return this.modelInfo.get(dir);
  }

  private async sendState(): Promise<void> {
    if (!this.panel) return;
    this.modelInfo.clear();
    this.post({ type: 'state', state: await this.buildState() });
  }

  private async buildState(): Promise<PanelState> {
    const defaultModel = this.host.defaultModel();
    const state: PanelState = {
      protocolVersion: WEBVIEW_PROTOCOL_VERSION,
      model: { label: modelLabel(defaultModel), isDemo: isDemoModel(defaultModel) },
      blocks: [],
      results: [],
      samplers: samplerNames(),
      runs: [...this.runViews.values()],
      errors: this.errors,
    };
    const document = this.document();
    if (!document || !this.uri) return state;
    const parsed = this.host.documents.get(document);
    state.file = { path: this.uri.fsPath, name: path.basename(this.uri.fsPath) };
    state.blocks = parsed.blocks.map((block) => this.blockView(parsed, block, document));
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
    const active = editor ? blockAtLine(parsed, editor.selection.active.line + 1) : undefined;
    if (active) state.activeBlock = active.index;
    state.results = await this.results(parsed, this.panel!.webview);
    return state;
  }

  private blockView(parsed: ParsedFile, block: Block, document: vscode.TextDocument): BlockView {
    const { settings, inherited } = effectiveSettings(parsed, block);
    const model = blockModel(parsed, block, { promptFile: document.uri.fsPath, defaultModel: this.host.defaultModel() });
    const info = this.info(model.dir);
    const defaults: Record<EditableSetting, string> = {
      seed: 'random',
      steps: String(DEFAULT_STEPS),
      cfg: String(DEFAULT_CFG),
      sampler: info ? `${defaultSamplerFor(info.schedulerConfig).name} (model)` : 'the model’s own',
      size: info?.nativeSize ? `${info.nativeSize.width}x${info.nativeSize.height}` : 'the model’s own',
    };
    const shown = {} as Record<EditableSetting, ShownSetting>;
    for (const key of EDITABLE_SETTINGS) {
      const entry = settings[key as SettingKey];
      shown[key] = {
        text: entry?.text ?? '',
        origin: entry ? (inherited.has(key as SettingKey) ? 'header' : 'block') : 'default',
        defaultText: defaults[key],
      };
    }
    return {
      index: block.index,
      ...(block.name !== undefined ? { name: block.name } : {}),
      line: block.startLine,
      promptPreview: block.prompt.text.split('\n')[0] ?? '',
      imageCount: settings.seed?.value.length ?? 1,
      settings: shown,
      hasErrors: blockErrors(parsed, block).length > 0,
    };
  }

  /** The images beside the file, grouped under the block that made them (by name, else by number). */
  private async results(parsed: ParsedFile, webview: vscode.Webview): Promise<BlockResults[]> {
    const records = await listResults(outputDirFor(this.uri!.fsPath));
    this.images = new Map(records.map((r) => [r.fileName, r]));
    const groups = new Map<number, ImageView[]>();
    for (const record of records) {
      const source = record.recipe?.source?.block;
      const block = source
        ? (source.name !== undefined ? parsed.blocks.find((b) => b.name === source.name) : undefined) ??
          parsed.blocks.find((b) => b.index === source.index && (source.name === undefined || b.name === undefined))
        : undefined;
      if (!block) continue;
      const recipe = record.recipe!;
      const view: ImageView = {
        id: record.fileName,
        src: webview.asWebviewUri(vscode.Uri.file(record.path)).toString(),
        seed: recipe.seed,
        fileName: record.fileName,
        createdAt: record.createdAt,
        width: record.width,
        height: record.height,
        parameters: record.parameters,
        recipe: {
          prompt: recipe.prompt,
          negative: recipe.negativePrompt,
          seed: recipe.seed,
          steps: recipe.steps,
          cfg: recipe.cfg,
          sampler: recipe.sampler.name,
          width: recipe.size.width,
          height: recipe.size.height,
          model: recipe.model.name,
          durationMs: Math.round(recipe.timings.totalMs),
        },
      };
      groups.set(block.index, [...(groups.get(block.index) ?? []), view]);
    }
    return parsed.blocks.filter((b) => groups.has(b.index)).map((b) => ({ blockIndex: b.index, images: groups.get(b.index)! }));
  }

  private onRunEvent(run: RunState, event: EngineEvent): void {
    if (run.uri.toString() !== this.uri?.toString()) return;
    const job = run.jobs[Math.max(0, run.image - 1)];
    const view: RunView = this.runViews.get(run.runId) ?? {
      runId: run.runId,
      blockIndex: run.blockIndex,
      image: Math.max(1, run.image),
      imageCount: run.images,
      step: 0,
      steps: job?.steps ?? 0,
      phase: 'waiting',
    };
    switch (event.type) {
      case 'job-start':
        Object.assign(view, { image: event.index + 1, step: 0, phase: event.index === 0 ? 'loading model' : 'encoding prompt' });
        if (job) view.seed = job.seed;
        break;
      case 'progress':
        Object.assign(view, { step: event.step, steps: event.total });
        delete view.phase;
        if (event.preview) view.preview = event.preview.dataUrl;
        break;
      case 'image':
        this.refresh();
        break;
      case 'job-error':
        this.errors = [...this.errors, { id: `${run.runId}-${event.index}`, message: event.error.message, blockIndex: run.blockIndex }];
        this.refresh();
        break;
      case 'run-done':
        this.runViews.delete(run.runId);
        this.refresh();
        this.post({ type: 'progress', runs: [...this.runViews.values()] });
        return;
      default:
        break;
    }
    this.runViews.set(run.runId, view);
    this.post({ type: 'progress', runs: [...this.runViews.values()] });
  }

  private async handle(message: WebviewMessage): Promise<void> {
    const document = this.document() ?? (this.uri ? await vscode.workspace.openTextDocument(this.uri) : undefined);
    switch (message.type) {
      case 'ready':
        await this.sendState();
        return;
      case 'editSetting':
        if (document) await editBlockSetting(this.host.documents, document, message.blockIndex, message.key, message.value);
        return;
      case 'generate':
        if (document) {
          const command = message.seeds === 'new' ? 'sdprompt.generateNewSeed' : 'sdprompt.generateBlock';
          await vscode.commands.executeCommand(command, document.uri, message.blockIndex);
        }
        return;
      case 'cancelRun':
        await this.host.runs.cancel(message.runId);
        return;
      case 'showBlock': {
        const block = document ? this.host.documents.get(document).blocks.find((b) => b.index === message.blockIndex) : undefined;
        if (document && block) {
          const position = new vscode.Position(block.startLine - 1, 0);
          await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(position, position) });
        }
        return;
      }
      case 'dismissError':
        this.errors = this.errors.filter((e) => e.id !== message.errorId);
        this.refresh();
        return;
      default:
        await this.handleImage(message, document);
    }
  }

  private async handleImage(message: Extract<WebviewMessage, { imageId: string }>, document: vscode.TextDocument | undefined): Promise<void> {
    const record = this.images.get(message.imageId);
    if (!record) return; // only images the panel was shown can be named
    const uri = vscode.Uri.file(record.path);
    switch (message.type) {
      case 'reuseSeed': {
        const source = record.recipe?.source?.block;
        if (!document || !source || !record.recipe) return;
        const parsed = this.host.documents.get(document);
        const block = (source.name !== undefined ? parsed.blocks.find((b) => b.name === source.name) : undefined) ?? parsed.blocks.find((b) => b.index === source.index);
        if (block) await editBlockSetting(this.host.documents, document, block.index, 'seed', String(record.recipe.seed));
        return;
      }
      case 'copyParameters':
        await vscode.env.clipboard.writeText(record.parameters);
        void vscode.window.setStatusBarMessage('sdprompt: A1111 parameters copied', 3000);
        return;
      case 'revealImage':
        await vscode.commands.executeCommand('revealFileInOS', uri);
        return;
      case 'openImage':
        await vscode.commands.executeCommand('vscode.open', uri, { viewColumn: vscode.ViewColumn.Active, preview: true });
        return;
    }
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.subscriptions.forEach((s) => s.dispose());
    this.panel?.dispose();
  }
}
