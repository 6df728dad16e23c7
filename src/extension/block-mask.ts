// Painting a block's mask from the prompt file ("Edit mask" / "Paint mask" in its CodeLens, or
// the command on the block under the cursor): the painter opens in the results panel over the
// block's `init:`, with its `mask:` if it has one; saving writes a new mask file and points the
// block's `mask:` at it (image-blocks.ts), so images made with the old one still reproduce.

import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import * as path from 'node:path';
import { describeBlock, effectiveSettings } from '../core/format/parse';
import { resolveModelPath } from '../core/format/resolve';
import { checkPicture } from '../core/image/check';
import { readProblem } from '../core/errors';
import { MAX_MASK_PIXELS, MAX_MASK_PNG_CHARS } from '../protocol/webview';
import type { ResultsPanel } from './panel';
import type { ParsedDocuments } from './documents';

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
  const init = await checkPicture(initFile, 'init');
  if (!init.ok) return `The ${init.error.message}.`;
  const { width, height } = init.value;
  if (width * height > MAX_MASK_PIXELS) return `The init is ${width}x${height}: too large to paint a mask on in the panel. Paint it in an image editor and set mask: in the block.`;
  let mask: string | undefined;
  if (settings.mask) {
    const maskFile = resolveModelPath(settings.mask.value, base);
    const checked = await checkPicture(maskFile, 'mask');
    if (!checked.ok) return `The ${checked.error.message}. Fix or remove the mask: line to paint a new one.`;
    if (checked.value.format !== 'png') return `The mask ${settings.mask.text} is a ${checked.value.format.toUpperCase()}: the painter starts only from a PNG mask.`;
    const bytes = await fs.readFile(maskFile).catch((e: NodeJS.ErrnoException) => readProblem(e));
    if (typeof bytes === 'string') return `The mask ${maskFile} ${bytes}.`;
    mask = `data:image/png;base64,${bytes.toString('base64')}`;
    if (mask.length > MAX_MASK_PNG_CHARS) return `The mask ${settings.mask.text} is too large a file for the painter to start from.`;
  }
  panel.showPainter(document.uri, { file: initFile, width, height, name: settings.init.text }, {
    ...(mask ? { mask } : {}),
    target: { kind: 'blockMask', promptFile: document.uri.fsPath, blockIndex, ...(settings.mask ? { maskPath: settings.mask.text } : {}) },
  });
  return undefined;
}
