// The webview's side of the VS Code API: posting commands to the host, and the UI state the
// webview remembers across hide and show (setState), since the panel does not keep its context
// when hidden.

import type { WebviewMessage } from '../protocol/webview';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: UiState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** A painter left open: what it painted over and its mask so far, so hiding the panel loses nothing. */
export interface SavedPainter {
  /** The PainterSource as JSON (checked when read back). */
  source: unknown;
  /** The mask as a PNG data URL, when it has strokes. */
  maskPng?: string;
}

/** What the webview remembers across hide/show; everything else comes from the host. */
export interface UiState {
  scrollY: number;
  openImageId?: string;
  painter?: SavedPainter;
}

const vscode = acquireVsCodeApi();
const saved = vscode.getState() as Partial<UiState> | undefined;

export const ui: UiState = { scrollY: typeof saved?.scrollY === 'number' ? saved.scrollY : 0 };
if (typeof saved?.openImageId === 'string') ui.openImageId = saved.openImageId;
if (typeof saved?.painter === 'object' && saved.painter !== null) ui.painter = saved.painter;

export function post(message: WebviewMessage): void {
  vscode.postMessage(message);
}

export function saveUi(): void {
  vscode.setState({ ...ui });
}
