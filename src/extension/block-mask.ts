// Painting a block's mask from the prompt file ("Edit mask" / "Paint mask" in its CodeLens, or
// the command on the block under the cursor): the painter opens in the results panel over the
// block's `init:`, with its `mask:` if it has one; saving writes a new mask file and points the
// block's `mask:` at it (image-blocks.ts), so images made with the old one still reproduce.

import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import * as path from 'node:path';
import { describeBlock, effectiveSettings } from '../core/format/parse';
import { resolveModelPath } from '../core/format/resolve';
import { readImageHeader } from '../core/image/header';
import { MAX_MASK_PIXELS, MAX_MASK_PNG_CHARS } from '../protocol/webview';
import type { ResultsPanel } from './panel';
import type { ParsedDocuments } from './documents';

/** A picture a block names, read far enough to know its size; a message saying what is wrong otherwise. */
async function readPicture(file: string, role: string): Promise<{ bytes: Buffer; width: number; height: number; format: string } | string> {
  const bytes = await fs.readFile(file).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? 'no such file' : `cannot be read (${e.code ?? e.message})`));
  if (typeof bytes === 'string') return `The ${role} ${file} ${bytes}.`;
  const header = readImageHeader(bytes);
  if (!header) return `The ${role} ${file} is not a PNG, JPEG or WebP image.`;
  return { bytes, width: header.width, height: header.height, format: header.format };
}

/** Opens the painter over block `blockIndex`'s init; a problem is shown as a message and nothing opens. */
export async function paintBlockMask(documents: ParsedDocuments, panel: ResultsPanel, document: vscode.TextDocument, blockIndex: number): Promise<void> {
  const error = await openPainterFor(documents, panel, document, blockIndex);
  if (error) void vscode.window.showErrorMessage(error);
}

async function openPainterFor(documents: ParsedDocuments, panel: ResultsPanel, document: vscode.TextDocument, blockIndex: number): Promise<string | undefined> {
  if (document.uri.scheme !== 'file') return 'Save the prompt file first: a mask is saved beside its pictures.';
  const parsed = documents.get(document);
  const block = parsed.blocks.find((b) => b.index === blockIndex);
  if (!block) return undefined;
  const { settings } = effectiveSettings(parsed, block);
  if (!settings.init) return `The ${describeBlock(block)} has no init: picture to paint a mask over.`;
  const base = path.dirname(document.uri.fsPath);
  const initFile = resolveModelPath(settings.init.value, base);
  if (!panel.canLoad(document.uri, initFile)) return `The init ${initFile} is outside the workspace folder: the panel cannot show it. Copy it into the workspace first.`;
  const init = await readPicture(initFile, 'init');
  if (typeof init === 'string') return init;
  if (init.width * init.height > MAX_MASK_PIXELS) return `The init is ${init.width}x${init.height}: too large to paint a mask on in the panel. Paint it in an image editor and set mask: in the block.`;
  let mask: string | undefined;
  if (settings.mask) {
    const picture = await readPicture(resolveModelPath(settings.mask.value, base), 'mask');
    if (typeof picture === 'string') return `${picture} Fix or remove the mask: line to paint a new one.`;
    if (picture.format !== 'png') return `The mask ${settings.mask.text} is a ${picture.format.toUpperCase()}: the painter starts only from a PNG mask.`;
    mask = `data:image/png;base64,${picture.bytes.toString('base64')}`;
    if (mask.length > MAX_MASK_PNG_CHARS) return `The mask ${settings.mask.text} is too large a file for the painter to start from.`;
  }
  panel.showPainter(document.uri, { file: initFile, width: init.width, height: init.height, name: settings.init.text }, {
    ...(mask ? { mask } : {}),
    target: { kind: 'blockMask', blockIndex, ...(settings.mask ? { maskPath: settings.mask.text } : {}) },
  });
  return undefined;
}
