// Blocks made from the panel's images: Inpaint (a painted mask saved beside the image, and a
// block that inpaints with it), a new mask for a block's `mask:`, Use as init image, Outpaint.
// Each writes at most one file and makes one undoable edit, with the cursor on the new block; a
// file written for an edit the editor then refused is removed again, and a refusal is a message
// (the painter stays open with its strokes).

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatUserError, type Result } from '../core/errors';
import { planSettingEdit } from '../core/format/edit';
import { pathSpec, planAppendedBlock, planDerivedBlock, type NewBlock } from '../core/format/new-block';
import { effectiveSettings, type ParsedFile } from '../core/format/parse';
import { blockThatMade, promptOutputDir, resolveModelPath } from '../core/format/resolve';
import type { SettingKey } from '../core/format/settings';
import { maskPngBytes, maskStem, writeMask } from '../core/outputs/mask-file';
import { isInside } from '../core/outputs/naming';
import type { ImageRecord } from '../core/outputs/results';
import { OUTPAINT_SIDES, type OutpaintSides, type PainterTarget, type WebviewMessage } from '../protocol/webview';
import { toVsRange } from './convert';
import { insertBlock } from './edits';
import type { ResultsPanel } from './panel';

/** What kind of block an image starts: its name's suffix, the settings it sets and those of the source it leaves out. */
interface Derivation {
  suffix: string;
  set: [SettingKey, string][];
  drop: SettingKey[];
}

/** Settings that describe the source's own canvas, not the new block's (its size follows the init). */
const CANVAS: SettingKey[] = ['size', 'resize', 'outpaint', 'mask', 'mask_invert'];
const MASKING: SettingKey[] = ['mask_blur', 'masked_content', 'inpaint_area', 'padding'];

function inpainting(init: string, mask: string): Derivation {
  return { suffix: 'inpaint', set: [['init', init], ['mask', mask], ['strength', '0.75']], drop: CANVAS };
}
function img2img(init: string): Derivation {
  return { suffix: 'img2img', set: [['init', init], ['strength', '0.75']], drop: [...CANVAS, ...MASKING] };
}
function outpainting(init: string, sides: OutpaintSides): Derivation {
  const value = OUTPAINT_SIDES.filter((s) => sides[s] > 0).map((s) => `${s} ${sides[s]}`).join(', ');
  return { suffix: 'outpaint', set: [['init', init], ['outpaint', value]], drop: [...CANVAS, 'inpaint_area', 'padding', 'strength'] };
}

/**
 * The new block for an image: a copy of the block that made it, just below it, with its seed; or,
 * if that block is gone from the file, a block with the recipe's prompt at the end.
 */
function planFromImage(parsed: ParsedFile, record: ImageRecord, derivation: Derivation): Result<NewBlock> {
  const recipe = record.recipe!;
  const set: [SettingKey, string][] = [['seed', String(recipe.seed)], ...derivation.set];
  const source = recipe.source ? blockThatMade(parsed, recipe.source.block) : undefined;
  if (source) return planDerivedBlock(parsed, source, `${source.name ?? `block ${source.index}`} ${derivation.suffix}`, set, derivation.drop);
  const negative: [SettingKey, string][] = recipe.negativePrompt && !recipe.negativePrompt.includes('\n') ? [['negative', recipe.negativePrompt]] : [];
  return planAppendedBlock(parsed, `${path.basename(record.path, '.png')} ${derivation.suffix}`, recipe.prompt, [...negative, ...set]);
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}

/** Plans and inserts a block, removing `written` (a file made for it) if it cannot be. The error, if any. */
async function insertOrUndo(document: vscode.TextDocument, plan: Result<NewBlock>, written?: string): Promise<string | undefined> {
  const inserted = plan.ok && (await insertBlock(document, plan.value));
  if (inserted) return undefined;
  if (written) await fs.rm(written, { force: true });
  return plan.ok ? `${path.basename(document.uri.fsPath)} could not be edited; nothing was changed.` : `The new block is not valid: ${plan.error.message}`;
}

/** What the painter's Save or Inpaint sends (and a closed panel's kept strokes hold). */
export type MaskToSave = Pick<Extract<WebviewMessage, { type: 'saveMask' }>, 'target' | 'width' | 'height' | 'maskPng'>;

/**
 * A painted mask: saved, and the block that uses it written, in the prompt file it was painted
 * for (its target says which; the painter's own button saves only while the panel shows that
 * file, strokes kept from a closed panel whatever it shows). The error to show, if any.
 */
export async function saveMask(panel: ResultsPanel, message: MaskToSave): Promise<string | undefined> {
  const png = maskPngBytes(message.maskPng, message.width, message.height);
  if (!png.ok) return `The mask could not be saved: ${png.error.message}.`;
  const promptFile = vscode.Uri.file(message.target.promptFile);
  const document = await vscode.workspace.openTextDocument(promptFile).then((d) => d, () => undefined);
  if (!document) return `${path.basename(promptFile.fsPath)} could not be opened; the mask was not saved.`;
  return message.target.kind === 'inpaint'
    ? inpaint(panel, document, message.target, png.value, message)
    : newBlockMask(panel, document, message.target, png.value);
}

async function inpaint(panel: ResultsPanel, document: vscode.TextDocument, target: Extract<PainterTarget, { kind: 'inpaint' }>, png: Buffer, size: { width: number; height: number }): Promise<string | undefined> {
  const record = await panel.imageOf(document.uri, target.imageId);
  if (!record?.recipe) return `${target.imageId} is no longer among the images of ${path.basename(document.uri.fsPath)}; the mask was not saved.`;
  if (!(await exists(record.path))) return `${record.fileName} was deleted meanwhile; the mask was not saved.`;
  if (record.width !== size.width || record.height !== size.height) return `The mask is ${size.width}x${size.height} but ${record.fileName} is ${record.width}x${record.height}; it was not saved.`;
  const written = await writeMask(path.dirname(record.path), maskStem(record.path), png);
  if (!written.ok) return `The mask could not be saved: ${formatUserError(written.error)}`;
  const promptFile = document.uri.fsPath;
  const plan = planFromImage(panel.host.documents.get(document), record, inpainting(pathSpec(promptFile, record.path), pathSpec(promptFile, written.value)));
  return insertOrUndo(document, plan, written.value);
}

/** Where a block's new mask goes: beside the one it replaces (or its init) when that is in the file's workspace folder, else in the output folder. */
function maskFolder(document: vscode.TextDocument, parsed: ParsedFile, beside: string): string {
  const folder = vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath ?? path.dirname(document.uri.fsPath);
  const dir = path.dirname(beside);
  return isInside(folder, dir) ? dir : promptOutputDir(parsed, document.uri.fsPath);
}

async function newBlockMask(panel: ResultsPanel, document: vscode.TextDocument, target: Extract<PainterTarget, { kind: 'blockMask' }>, png: Buffer): Promise<string | undefined> {
  const parsed = panel.host.documents.get(document);
  const block = parsed.blocks.find((b) => b.index === target.blockIndex);
  if (!block) return `The prompt file has no block ${target.blockIndex} any more; the mask was not saved.`;
  const { settings } = effectiveSettings(parsed, block);
  if (settings.mask?.text !== target.maskPath) {
    return `The block's mask: changed while you painted (it is now ${settings.mask ? `'${settings.mask.text}'` : 'gone'}); the mask was not saved.`;
  }
  if (!settings.init) return 'The block has no init: any more; the mask was not saved.';
  const base = path.dirname(document.uri.fsPath);
  const beside = resolveModelPath(target.maskPath ?? settings.init.value, base);
  const written = await writeMask(maskFolder(document, parsed, beside), maskStem(beside), png);
  if (!written.ok) return `The mask could not be saved: ${formatUserError(written.error)}`;
  const plan = planSettingEdit(parsed, block.index, 'mask', pathSpec(document.uri.fsPath, written.value));
  const edit = new vscode.WorkspaceEdit();
  if (plan.ok) edit.replace(document.uri, toVsRange(plan.edit.range), plan.edit.newText);
  if (plan.ok && (await vscode.workspace.applyEdit(edit))) return undefined;
  await fs.rm(written.value, { force: true });
  return plan.ok ? `${path.basename(document.uri.fsPath)} could not be edited; nothing was changed.` : `The mask could not be set: ${plan.message}`;
}

/** Use as init image, Outpaint: a block below the image's; a problem is shown as a message. */
export async function blockFromImage(panel: ResultsPanel, record: ImageRecord, kind: 'img2img' | { outpaint: OutpaintSides }): Promise<void> {
  const document = await panel.document();
  if (!document || !record.recipe) return;
  if (!(await exists(record.path))) {
    void vscode.window.showErrorMessage(`${record.fileName} was deleted meanwhile.`);
    return;
  }
  const init = pathSpec(document.uri.fsPath, record.path);
  const plan = planFromImage(panel.host.documents.get(document), record, kind === 'img2img' ? img2img(init) : outpainting(init, kind.outpaint));
  const error = await insertOrUndo(document, plan);
  if (error) void vscode.window.showErrorMessage(error);
}
