// Images dropped onto the panel become blocks from the parameters they carry; the host reads
// them and edits the prompt file. Files dragged from VS Code's explorer arrive as URIs (VS Code
// puts the whole selection in `resourceurls`, and only the first file in `text/uri-list`); files
// from the operating system arrive as File objects without a path, so their contents are sent.

import { PICTURE_FILE_NAME } from '../core/image/header';
import { DROP_LIMITS, type DroppedFile } from '../protocol/webview';
import { post } from './host';
import { panelState } from './store';

const DROP_CLASS = 'drop-target';

/** Whether a drag may carry files (the data itself can only be read on drop). */
function carriesFiles(data: DataTransfer | null): boolean {
  const types = Array.from(data?.types ?? []).map((t) => t.toLowerCase());
  return types.includes('files') || types.includes('text/uri-list') || types.includes('resourceurls');
}

/** The dropped `file:` URIs of images, from the full list when VS Code gives one. */
function droppedUris(data: DataTransfer): string[] {
  let uris: string[] = [];
  try {
    const all: unknown = JSON.parse(data.getData('resourceurls') || '[]');
    if (Array.isArray(all)) uris = all.filter((u): u is string => typeof u === 'string');
  } catch {
    // Not VS Code's list: fall back to the standard one.
  }
  if (uris.length === 0) uris = data.getData('text/uri-list').split(/\r?\n/).filter((u) => u && !u.startsWith('#'));
  return uris.filter((u) => u.startsWith('file:') && PICTURE_FILE_NAME.test(decodeURIComponent(u)));
}

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error(`cannot read ${file.name}`));
    reader.readAsDataURL(file);
  });
}

async function importDrop(uris: string[], files: File[]): Promise<void> {
  const contents: DroppedFile[] = [];
  for (const file of files) contents.push({ name: file.name, dataUrl: await readAsDataUrl(file) });
  const fitting = contents.filter((f) => f.dataUrl.length <= DROP_LIMITS.dataUrlLength);
  const all = [...uris.map((u) => ({ uri: u })), ...fitting].slice(0, DROP_LIMITS.files);
  if (all.length === 0) return;
  const afterBlock = panelState()?.activeBlock;
  post({
    type: 'importImages',
    ...(afterBlock !== undefined ? { afterBlock } : {}),
    uris: all.flatMap((f) => ('uri' in f ? [f.uri] : [])),
    files: all.flatMap((f) => ('dataUrl' in f ? [f] : [])),
  });
}

/** Makes `target` (the whole panel) take image drops, outlined while a drag is over it. */
export function acceptImageDrops(target: HTMLElement): void {
  target.addEventListener('dragover', (event) => {
    if (!carriesFiles(event.dataTransfer)) return;
    event.preventDefault();
    event.dataTransfer!.dropEffect = 'copy';
    target.classList.add(DROP_CLASS);
  });
  target.addEventListener('dragleave', (event) => {
    if (event.relatedTarget === null || !target.contains(event.relatedTarget as Node)) target.classList.remove(DROP_CLASS);
  });
  target.addEventListener('drop', (event) => {
    target.classList.remove(DROP_CLASS);
    const data = event.dataTransfer;
    if (!data || !carriesFiles(data)) return;
    event.preventDefault();
    const files = Array.from(data.files).filter((f) => PICTURE_FILE_NAME.test(f.name));
    // A file from the explorer can come both as a URI and as a File: the URI is enough.
    const uris = droppedUris(data);
    importDrop(uris, uris.length > 0 ? [] : files).catch((error: unknown) => console.error('sdprompt: cannot read the dropped files', error));
  });
}
