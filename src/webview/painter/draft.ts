// Tells the host about the painter's unsaved strokes (`painterDraft`). Closing the panel cannot be
// stopped from inside it, so the host, told what would be lost, asks then instead.

import type { PainterSource } from '../../protocol/webview';
import { post } from '../host';

/** Whether the host holds a draft of ours, which it must be told to forget. */
let told = false;

/** The strokes as they are now (`maskPng`), or none left to keep (saved, discarded, closed). */
export function tellDraft(source: PainterSource, mask: { width: number; height: number }, maskPng: string | undefined): void {
  if (maskPng === undefined) return forgetDraft();
  const { mask: _started, ...painted } = source;
  told = true;
  post({ type: 'painterDraft', draft: { source: painted, width: mask.width, height: mask.height, maskPng } });
}

export function forgetDraft(): void {
  if (!told) return;
  told = false;
  post({ type: 'painterDraft' });
}
