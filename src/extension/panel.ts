// The results panel's host side, its lifetime: one webview beside the editor for the prompt file
// shown, created on demand and rebuilt from the host's state whenever it (re)loads (it says
// `ready`). The state itself is panel-state.ts's pure function; the editor's and the runs' events
// are panel-events.ts's; the webview's messages are panel-messages.ts's; the painter's unsaved
// strokes when the panel is closed are painter-drafts.ts's.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Result } from '../core/errors';
import { DEFAULTS } from '../core/jobs/image-settings';
import { staleImages } from '../core/jobs/status';
import { blockThatMade, promptOutputDir } from '../core/format/resolve';
import { inspectModelFolder, type ModelFolderInfo } from '../core/models/folder';
import { isInside, outputDirFor } from '../core/outputs/naming';
import { listResults, readResult, type ImageRecord } from '../core/outputs/results';
import type { EngineEvent } from '../protocol/engine';
import { parseWebviewMessage, type HostMessage, type PainterDraft, type PainterSource, type PanelError, type RunView } from '../protocol/webview';
import type { ParsedDocuments } from './documents';
import { logFailure } from './failures';
import { createNonce, panelHtml } from './panel-html';
import { watchForPanel } from './panel-events';
import { draftActions } from './panel-drafts';
import { handlePanelMessage } from './panel-messages';
import { blockHasSeed, buildPanelState, imageView, nextRunView } from './panel-state';
import { PainterDrafts } from './painter-drafts';
import type { RunQueue, RunState } from './runs';

const VIEW_TYPE = 'sdprompt.results';
const REFRESH_DEBOUNCE_MS = 200;
/** A new image up to this size goes to the webview inline (a 512x512 PNG is about 0.4 MB). */
const INLINE_IMAGE_BYTES = 2 * 1024 * 1024;

/** What the panel uses of the extension: the parsed documents, the runs, the default model, the log. */
export interface PanelHost {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  documents: ParsedDocuments;
  runs: Pick<RunQueue, 'onRunEvent' | 'cancel'>;
  defaultModel(): string;
}

export class ResultsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  /** The prompt file shown. */
  private shown: vscode.Uri | undefined;
  /** The images last sent, by id: only these can be named in the webview's commands. */
  private images = new Map<string, ImageRecord>();
  /** The prompt file (URI) whose images those are. */
  private imagesOf: string | undefined;
  /** Every prompt file (path) the panel has shown: the only ones a painter's strokes may be kept for. */
  private readonly shownFiles = new Set<string>();
  private readonly runViews = new Map<string, RunView>();
  private errors: PanelError[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  /** The webview's resource roots as last set. */
  private rootsSet = '';
  /** A painter to open once the webview is ready, and the unsaved strokes it goes on with. */
  private pendingPainter: { source: PainterSource; restoredMask?: string } | undefined;
  /** The painter's unsaved strokes, asked about when the panel is closed. */
  readonly drafts: PainterDrafts;
  /** Set while the extension disposes of the panel: nobody is there to ask. */
  private disposing = false;
  private readonly subscriptions: vscode.Disposable[];

  constructor(readonly host: PanelHost) {
    this.drafts = new PainterDrafts(draftActions(this));
    this.subscriptions = [watchForPanel(this, host)];
  }

  /** The prompt file shown, if any. */
  get uri(): vscode.Uri | undefined {
    return this.shown;
  }

  /** Shows another prompt file (the editor switched to it). */
  follow(uri: vscode.Uri): void {
    if (uri.toString() === this.shown?.toString()) return;
    this.showFile(uri);
    this.updateRoots();
    this.refresh();
  }

  /**
   * Shows the panel for a prompt file (or the last one shown), creating it if needed, with the
   * painter of a closed panel of that file restored (`draft`, when given). True when the webview
   * was already live and stays so (a message posted now reaches it); false when it is being
   * (re)loaded and will say `ready`.
   */
  reveal(uri: vscode.Uri | undefined, preserveFocus: boolean, draft?: PainterDraft): boolean {
    const live = this.show(uri, preserveFocus);
    const restored = this.shown && this.drafts.take(this.shown.fsPath, draft);
    if (restored) this.openPainter(live, restored.source, restored.maskPng);
    return live;
  }

  private showFile(uri: vscode.Uri): void {
    this.shown = uri;
    if (uri.scheme === 'file') this.shownFiles.add(uri.fsPath);
  }

  /** Whether the panel has shown prompt file `file` (a path) since the extension started. */
  hasShown(file: string): boolean {
    return this.shownFiles.has(file);
  }

  private show(uri: vscode.Uri | undefined, preserveFocus: boolean): boolean {
    if (uri && uri.toString() !== this.shown?.toString()) {
      this.showFile(uri);
      this.errors = [];
    }
    if (this.panel) {
      const wasVisible = this.panel.visible;
      this.panel.reveal(undefined, preserveFocus);
      const reloads = this.updateRoots();
      this.refresh();
      return wasVisible && !reloads;
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
      if (message) handlePanelMessage(this, message).catch(logFailure(this.host.log, `the panel's ${message.type} message`));
    });
    panel.onDidDispose(() => {
      this.panel = undefined;
      if (!this.disposing) this.drafts.panelClosed().catch(logFailure(this.host.log, 'keeping the painter\'s strokes'));
    });
    this.panel = panel;
    this.rootsSet = JSON.stringify(this.roots().map(String));
    return false;
  }

  /**
   * Opens the painter in the panel over `picture` (a file the panel of `uri` may load: see
   * `canLoad`), now or as soon as the webview is ready.
   */
  showPainter(uri: vscode.Uri, picture: { file: string; width: number; height: number; name: string }, rest: Omit<PainterSource, 'image'>): void {
    // Not `reveal`: a closed panel's strokes stay kept rather than be restored under this painter.
    const live = this.show(uri, false);
    const src = this.panel!.webview.asWebviewUri(vscode.Uri.file(picture.file)).toString();
    this.openPainter(live, { image: { src, width: picture.width, height: picture.height, name: picture.name }, ...rest });
  }

  private openPainter(live: boolean, source: PainterSource, restoredMask?: string): void {
    const painter = { source, ...(restoredMask !== undefined ? { restoredMask } : {}) };
    if (live) this.post({ type: 'openPainter', ...painter });
    else this.pendingPainter = painter;
  }

  /** Whether the panel, showing prompt file `uri`, may load `file` (its outputs, its workspace folder). */
  canLoad(uri: vscode.Uri, file: string): boolean {
    return this.roots(uri).some((root) => root.scheme === 'file' && isInside(root.fsPath, file));
  }

  /**
   * The webview (re)loaded: its whole state, and a painter it was asked to open meanwhile. Its
   * painter's strokes are what it reports from now on (it restores its own, and says so).
   */
  async webviewReady(): Promise<void> {
    this.drafts.update(undefined);
    await this.sendState();
    const painter = this.pendingPainter;
    delete this.pendingPainter;
    if (painter) this.post({ type: 'openPainter', ...painter });
  }

  /** Rebuilds and sends the state soon (changes come in bursts). */
  refresh(): void {
    if (!this.panel) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.sendState().catch(logFailure(this.host.log, 'updating the panel')), REFRESH_DEBOUNCE_MS);
  }

  /** Sends a message; one the webview cannot take (it is closing) is logged and dropped. */
  post(message: HostMessage): void {
    this.panel?.webview.postMessage(message).then(undefined, logFailure(this.host.log, `posting ${message.type} to the panel`));
  }

  /** The shown prompt file's document, opened if no editor has it. */
  async document(): Promise<vscode.TextDocument | undefined> {
    return this.openDocument() ?? (this.shown ? vscode.workspace.openTextDocument(this.shown) : undefined);
  }

  /** An image the panel was last sent. */
  image(id: string): ImageRecord | undefined {
    return this.images.get(id);
  }

  /** An image of prompt file `uri`'s outputs: one of those last sent when they were that file's, else read from its output folder. */
  async imageOf(uri: vscode.Uri, id: string): Promise<ImageRecord | undefined> {
    if (uri.toString() === this.imagesOf) return this.images.get(id);
    const outputDir = this.outputDir(uri);
    return outputDir === undefined ? undefined : (await listResults(outputDir)).find((r) => r.fileName === id);
  }

  addError(error: PanelError): void {
    this.errors = [...this.errors, error];
    this.refresh();
  }

  dismissError(id: string): void {
    this.errors = this.errors.filter((e) => e.id !== id);
    this.refresh();
  }

  /** A run's event: its tile changes at once; a new image or a finished run brings a new state. */
  onRunEvent(run: RunState, event: EngineEvent): void {
    if (run.uri.toString() !== this.shown?.toString()) return;
    if (event.type === 'job-error') this.addError({ id: `${run.runId}-${event.index}`, message: event.error.message, blockIndex: run.blockIndex });
    if (event.type === 'image') this.showImage(event.path).catch(logFailure(this.host.log, 'showing a new image'));
    if (event.type === 'image' || event.type === 'grid' || event.type === 'run-done') this.refresh();
    // The tile shows what each job asked for; the engine's progress gives the calls that run.
    const jobs = run.jobs.map((j) => ({ seed: j.request.seed, steps: j.request.steps ?? DEFAULTS.steps }));
    const view = nextRunView(this.runViews.get(run.runId), { ...run, jobs }, event);
    if (view) this.runViews.set(run.runId, view);
    else this.runViews.delete(run.runId);
    this.post({ type: 'progress', runs: [...this.runViews.values()] });
  }

  /**
   * Sends a new image on its own, at once: the full state that follows (debounced, and reading
   * the whole output folder) would show it only a few hundred milliseconds later.
   */
  private async showImage(file: string): Promise<void> {
    const panel = this.panel;
    const document = this.openDocument();
    const record = await readResult(file);
    if (!panel || !document || !record?.recipe?.source) return;
    const parsed = this.host.documents.get(document);
    const block = blockThatMade(parsed, record.recipe.source.block);
    // Just made from the block as it is: not stale.
    const seedKept = block ? blockHasSeed(parsed, block, record.recipe.seed) : false;
    const image = imageView(record, document.uri.fsPath, (file) => panel.webview.asWebviewUri(vscode.Uri.file(file)).toString(), { seedKept });
    // Only into the images of the file the webview shows (it may have switched meanwhile).
    if (!block || !image || document.uri.toString() !== this.imagesOf) return;
    this.images.set(image.id, record);
    const bytes = await fs.readFile(record.path).catch(() => undefined);
    const data = bytes && bytes.length <= INLINE_IMAGE_BYTES ? `data:image/png;base64,${bytes.toString('base64')}` : undefined;
    this.post({ type: 'imageAdded', blockIndex: block.index, image, ...(data ? { data } : {}) });
  }

  private openDocument(): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.shown?.toString());
  }

  async sendState(): Promise<void> {
    const panel = this.panel;
    if (!panel) return;
    const document = this.openDocument();
    const outputDir = this.outputDir();
    this.updateRoots();
    const records = document && outputDir !== undefined ? await listResults(outputDir) : [];
    this.images = new Map(records.map((r) => [r.fileName, r]));
    this.imagesOf = document?.uri.toString();
    const editor = document ? vscode.window.visibleTextEditors.find((e) => e.document === document) : undefined;
    const models = new Map<string, Result<ModelFolderInfo>>();
    const inspect = (dir: string): Result<ModelFolderInfo> => {
      if (!models.has(dir)) models.set(dir, inspectModelFolder(dir));
      return models.get(dir)!;
    };
    const parsed = document ? this.host.documents.get(document) : undefined;
    const stale = document && parsed ? await staleImages(parsed, { promptFile: document.uri.fsPath, defaultModel: this.host.defaultModel(), inspect }) : undefined;
    const state = buildPanelState({
      ...(document && parsed ? { file: { path: document.uri.fsPath, parsed } } : {}),
      ...(editor ? { cursorLine: editor.selection.active.line + 1 } : {}),
      defaultModel: this.host.defaultModel(),
      modelInfo: (dir) => {
        const inspected = inspect(dir);
        return inspected.ok ? inspected.value : undefined;
      },
      images: records,
      ...(stale ? { stale } : {}),
      imageSrc: (file) => panel.webview.asWebviewUri(vscode.Uri.file(file)).toString(),
      runs: [...this.runViews.values()],
      errors: this.errors,
    });
    this.post({ type: 'state', state });
  }

  /** A prompt file's output folder: its `output:` setting as the editor has it, else the default. */
  private outputDir(uri = this.shown): string | undefined {
    if (uri?.scheme !== 'file') return undefined;
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    return document ? promptOutputDir(this.host.documents.get(document), uri.fsPath) : outputDirFor(uri.fsPath);
  }

  /** What the webview may load: its own files, the prompt file's outputs, and the pictures of its workspace folder (inits, masks). */
  private roots(shown = this.shown): vscode.Uri[] {
    const roots = [vscode.Uri.joinPath(this.host.extensionUri, 'media')];
    const outputDir = this.outputDir(shown);
    if (shown?.scheme !== 'file' || outputDir === undefined) return roots;
    roots.push(vscode.Uri.file(outputDir));
    roots.push(vscode.workspace.getWorkspaceFolder(shown)?.uri ?? vscode.Uri.file(path.dirname(shown.fsPath)));
    return roots;
  }

  /** Gives the webview the roots of the file shown; true when they changed (VS Code then reloads it). */
  private updateRoots(): boolean {
    const roots = this.roots();
    const key = JSON.stringify(roots.map(String));
    if (!this.panel || key === this.rootsSet) return false;
    this.panel.webview.options = { enableScripts: true, localResourceRoots: roots };
    this.rootsSet = key;
    return true;
  }

  dispose(): void {
    this.disposing = true;
    clearTimeout(this.refreshTimer);
    this.subscriptions.forEach((s) => s.dispose());
    this.panel?.dispose();
  }
}
