// Hovering the path of an `init:`, `mask:` or `depth:` setting shows the picture (a mask beside
// the init it masks), its format and size, or what is wrong with the file.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { pictureFile, type PictureKey } from '../core/format/pictures';
import type { Settings, SettingEntry } from '../core/format/parse';
import { checkPicture } from '../core/image/check';

/** Pictures are shown at most this many pixels a side. */
const SHOWN_SIDE = 200;

async function pictureMarkdown(key: PictureKey, file: string, label: string): Promise<string> {
  const checked = await checkPicture(file, key);
  if (!checked.ok) return `**${escape(label)}**: ${escape(checked.error.message)}`;
  const { width, height, format } = checked.value;
  const scale = Math.min(1, SHOWN_SIDE / Math.max(width, height));
  const src = vscode.Uri.file(file).toString();
  // Markdown's image syntax, not HTML: VS Code maps the URIs it finds there to where the workbench
  // can load them (a remote window's resource URLs); `|width=…` is its size suffix.
  return `**${escape(label)}** · ${format.toUpperCase()} ${width}x${height}\n\n![${escape(path.basename(file))}](${src}|width=${Math.round(width * scale)},height=${Math.round(height * scale)})`;
}

/** Text shown as it is in Markdown (a file name with `_` or `[`). */
function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** The hover of a picture setting's value; `settings` are the block's effective ones, for a mask's init. */
export async function pictureHover(key: PictureKey, entry: SettingEntry, settings: Settings, promptFile: string): Promise<vscode.Hover | undefined> {
  const file = pictureFile(key, entry, promptFile);
  if (!file) return new vscode.Hover(new vscode.MarkdownString('`depth: auto`: the model’s depth estimator makes the depth map from the init'));
  const parts = [await pictureMarkdown(key, file, `${key}: ${entry.text}`)];
  const init = key === 'mask' && settings.init ? pictureFile('init', settings.init, promptFile) : undefined;
  if (init) parts.push(await pictureMarkdown('init', init, `masks init: ${settings.init!.text}`));
  return new vscode.Hover(new vscode.MarkdownString(parts.join('\n\n')));
}
