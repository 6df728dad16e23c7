// Generation parameters into a .sdprompt document: "Paste Parameters as Block" (A1111's text, or
// a ComfyUI graph, from the clipboard) and images dropped onto the editor. The reading and the
// block are core's (parameters/); here they become one undoable edit, and what could not be
// carried over is shown and logged.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatUserError } from '../core/errors';
import { blockAtLine, type ParsedFile } from '../core/format/parse';
import type { TextEdit } from '../core/format/edit';
import type { GenerationParameters } from '../core/parameters/a1111-text';
import { readImageParameters } from '../core/parameters/image';
import { parametersFromText } from '../core/parameters/text';
import { planImport, type ImportItem, type ImportNote } from '../core/parameters/to-block';
import { toVsRange } from './convert';
import type { Ctx } from './ctx';
import { isSdprompt, LANGUAGE_ID } from './documents';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp']);

function toWorkspaceEdit(document: vscode.TextDocument, edits: readonly TextEdit[]): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const e of edits) edit.replace(document.uri, toVsRange(e.range), e.newText);
  return edit;
}

function showNotes(ctx: Ctx, what: string, notes: readonly ImportNote[]): void {
  if (notes.length === 0) return;
  for (const n of notes) ctx.log.warn(`import ${what}: ${n.key}${n.line !== undefined ? ` (line ${n.line}, column ${n.column})` : ''}: ${n.message}`);
  void vscode.window.showWarningMessage(`sdprompt: imported ${what}; kept as comments: ${notes.map((n) => `${n.key} (${n.message})`).join('; ')}`);
}

/** The block the new one goes after: the one at `line` (1-based), or none (the end) from the header. */
function afterBlockAt(parsed: ParsedFile, line: number | undefined): number | undefined {
  return line === undefined ? undefined : blockAtLine(parsed, line)?.index;
}

/** The edit that imports the images' parameters (see importImages), with each image's notes shown; undefined when no image carries any. */
async function planImageImport(ctx: Ctx, document: vscode.TextDocument, files: readonly string[], line?: number): Promise<vscode.WorkspaceEdit | undefined> {
  const items: ImportItem[] = [];
  for (const file of files) {
    const read = await readImageParameters(file);
    if (!read.ok) void vscode.window.showErrorMessage(`sdprompt: ${formatUserError(read.error)}`);
    else items.push({ parameters: read.value.parameters, name: path.basename(file, path.extname(file)) });
  }
  if (items.length === 0) return undefined;
  const parsed = ctx.documents.get(document);
  const { edits, notes } = planImport(parsed, items, afterBlockAt(parsed, line));
  notes.forEach((n, i) => showNotes(ctx, items[i]!.name!, n));
  return toWorkspaceEdit(document, edits);
}

/**
 * Imports the images' parameters into the document as blocks named after the files, after the
 * block at `line` (else at the end), as one undoable edit. Images that carry none are reported
 * and skipped; false when nothing was added. Image drops onto the panel come through here too.
 */
export async function importImages(ctx: Ctx, document: vscode.TextDocument, files: readonly string[], line?: number): Promise<boolean> {
  const edit = await planImageImport(ctx, document, files, line);
  return edit !== undefined && vscode.workspace.applyEdit(edit);
}

async function pasteParameters(ctx: Ctx): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !isSdprompt(editor.document)) {
    void vscode.window.showInformationMessage('Open a .sdprompt file to paste parameters into it.');
    return;
  }
  const parsedText = parametersFromText(await vscode.env.clipboard.readText());
  if (!parsedText.ok) {
    void vscode.window.showErrorMessage(`sdprompt: the clipboard holds no generation parameters: ${parsedText.error.message}`);
    return;
  }
  const parameters: GenerationParameters = parsedText.value;
  const parsed = ctx.documents.get(editor.document);
  const { edits, notes } = planImport(parsed, [{ parameters }], afterBlockAt(parsed, editor.selection.active.line + 1));
  if (await vscode.workspace.applyEdit(toWorkspaceEdit(editor.document, edits))) showNotes(ctx, 'the pasted parameters', notes[0]!);
}

/** Image files dropped onto a .sdprompt editor become blocks after the block they were dropped on. */
class ImageDropProvider implements vscode.DocumentDropEditProvider {
  constructor(private readonly ctx: Ctx) {}

  async provideDocumentDropEdits(document: vscode.TextDocument, position: vscode.Position, data: vscode.DataTransfer): Promise<vscode.DocumentDropEdit | undefined> {
    const uris = (await data.get('text/uri-list')?.asString())?.split(/\r?\n/).filter((u) => u && !u.startsWith('#')) ?? [];
    const files = uris.map((u) => vscode.Uri.parse(u)).filter((u) => u.scheme === 'file' && IMAGE_EXTENSIONS.has(path.extname(u.fsPath).toLowerCase()));
    if (files.length === 0) return undefined;
    const edit = await planImageImport(this.ctx, document, files.map((u) => u.fsPath), position.line + 1);
    if (!edit) return undefined;
    const drop = new vscode.DocumentDropEdit('');
    drop.additionalEdit = edit;
    return drop;
  }
}

export function registerImport(ctx: Ctx): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('sdprompt.pasteParameters', () => pasteParameters(ctx)),
    vscode.languages.registerDocumentDropEditProvider({ language: LANGUAGE_ID }, new ImageDropProvider(ctx)),
  );
}
