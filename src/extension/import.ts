// Generation parameters into a .sdprompt document: "Paste Parameters as Block" (A1111's text, or
// a ComfyUI graph, from the clipboard) and images dropped onto the editor or the panel. The reading and the
// block are core's (parameters/); here they become one undoable edit, and what could not be
// carried over is shown and logged.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatUserError, type Result, type UserError } from '../core/errors';
import { blockAtLine, type ParsedFile } from '../core/format/parse';
import type { TextEdit } from '../core/format/edit';
import type { GenerationParameters } from '../core/parameters/a1111-text';
import { imageParametersFromBytes, readImageParameters, type ImageParameters } from '../core/parameters/image';
import { PICTURE_FILE_NAME } from '../core/image/header';
import { parametersFromText } from '../core/parameters/text';
import { planImport, type ImportItem, type ImportNote } from '../core/parameters/to-block';
import { toVsRange } from './convert';
import type { Ctx } from './ctx';
import { isSdprompt, LANGUAGE_ID } from './documents';


function toWorkspaceEdit(document: vscode.TextDocument, edits: readonly TextEdit[]): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const e of edits) edit.replace(document.uri, toVsRange(e.range), e.newText);
  return edit;
}

/** What importing needs of the extension: the parsed documents, and the log for what was kept as comments. */
export type ImportHost = Pick<Ctx, 'documents' | 'log'>;

/** An image to import: a file, or the contents of one dropped from outside VS Code (which has no path). */
export type ImageSource = { path: string } | { name: string; bytes: Buffer };

function showNotes(host: ImportHost, what: string, notes: readonly ImportNote[]): void {
  if (notes.length === 0) return;
  for (const n of notes) host.log.warn(`import ${what}: ${n.key}${n.line !== undefined ? ` (line ${n.line}, column ${n.column})` : ''}: ${n.message}`);
  void vscode.window.showWarningMessage(`sdprompt: imported ${what}; kept as comments: ${notes.map((n) => `${n.key} (${n.message})`).join('; ')}`);
}

/** The block the new one goes after: the one at `line` (1-based), or none (the end) from the header. */
function afterBlockAt(parsed: ParsedFile, line: number | undefined): number | undefined {
  return line === undefined ? undefined : blockAtLine(parsed, line)?.index;
}

/** What importing some images' parameters makes: the edit (none when no image carries any) and the images that could not be read. */
interface ImageImportPlan {
  edit?: vscode.WorkspaceEdit;
  problems: UserError[];
}

async function readSource(source: ImageSource): Promise<{ name: string; read: Result<ImageParameters> }> {
  const file = 'path' in source ? source.path : source.name;
  const read = 'path' in source ? await readImageParameters(source.path) : imageParametersFromBytes(source.bytes, source.name);
  return { name: path.basename(file, path.extname(file)), read };
}

/** The edit that imports the images' parameters (see importImages), with each image's notes shown. */
async function planImageImport(host: ImportHost, document: vscode.TextDocument, sources: readonly ImageSource[], afterBlock?: number): Promise<ImageImportPlan> {
  const items: ImportItem[] = [];
  const problems: UserError[] = [];
  for (const source of sources) {
    const { name, read } = await readSource(source);
    if (!read.ok) problems.push(read.error);
    else items.push({ parameters: read.value.parameters, name });
  }
  if (items.length === 0) return { problems };
  const { edits, notes } = planImport(host.documents.get(document), items, afterBlock);
  notes.forEach((n, i) => showNotes(host, items[i]!.name!, n));
  return { edit: toWorkspaceEdit(document, edits), problems };
}

function showProblems(problems: readonly UserError[]): void {
  for (const problem of problems) void vscode.window.showErrorMessage(`sdprompt: ${formatUserError(problem)}`);
}

/**
 * Imports the images' parameters into the document as blocks named after the files, after block
 * `afterBlock` (else at the end), as one undoable edit: images dropped onto the panel. Images that
 * carry none are reported and skipped; false when nothing was added.
 */
export async function importImages(host: ImportHost, document: vscode.TextDocument, sources: readonly ImageSource[], afterBlock?: number): Promise<boolean> {
  const plan = await planImageImport(host, document, sources, afterBlock);
  showProblems(plan.problems);
  return plan.edit !== undefined && vscode.workspace.applyEdit(plan.edit);
}

async function pasteParameters(ctx: Ctx): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !isSdprompt(editor.document)) {
    void vscode.window.showInformationMessage('Open a .sdprompt file to paste parameters into it.');
    return;
  }
  const parsedText = parametersFromText(await vscode.env.clipboard.readText());
  if (!parsedText.ok) {
    // Nothing is edited; the message says where in the pasted text the parameters were expected.
    void vscode.window.showErrorMessage(`sdprompt: the clipboard holds no generation parameters: ${formatUserError({ ...parsedText.error, file: 'clipboard' })}`);
    return;
  }
  const parameters: GenerationParameters = parsedText.value;
  const parsed = ctx.documents.get(editor.document);
  const { edits, notes } = planImport(parsed, [{ parameters }], afterBlockAt(parsed, editor.selection.active.line + 1));
  if (await vscode.workspace.applyEdit(toWorkspaceEdit(editor.document, edits))) showNotes(ctx, 'the pasted parameters', notes[0]!);
}

/**
 * One thing image files dropped onto a .sdprompt editor can become: an edit of its own kind in
 * VS Code's drop menu. Each offer looks at the drop and returns its edit, or undefined when it
 * does not apply (an import needs images that carry parameters). `problems` are reported only
 * when no offer applies, so an image without parameters is an error only if nothing else can be
 * done with it.
 */
export interface ImageDropOffer {
  /** What the edit does: its title in the drop menu. */
  readonly title: string;
  /** Its kind under `sdprompt` (e.g. `init`): the drop menu's and `editor.dropIntoEditor.preferences`' name for it. */
  readonly kind: string;
  plan(document: vscode.TextDocument, position: vscode.Position, files: readonly string[]): Promise<{ edit?: vscode.WorkspaceEdit; problems: UserError[] }>;
}

/** The kind every edit of ours is under, `sdprompt`; an offer's is `sdprompt.<its kind>`. */
const DROP_KIND = vscode.DocumentDropOrPasteEditKind.Empty.append('sdprompt');

/** The built-in offer: a block per image from the parameters it carries, after the block it was dropped on. */
export function importDropOffer(ctx: Ctx): ImageDropOffer {
  return {
    title: 'Import the parameters as blocks',
    kind: 'import',
    plan: (document, position, files) =>
      planImageImport(ctx, document, files.map((file) => ({ path: file })), afterBlockAt(ctx.documents.get(document), position.line + 1)),
  };
}

/**
 * Image files dropped onto a .sdprompt editor: one edit per offer that applies, in the offers'
 * order. VS Code lists a language's providers before its own "insert path" ones, so the first
 * applying offer is what the drop does; the drop menu that follows (Ctrl+.) switches to the
 * others, or to the path as text.
 */
export class ImageDropProvider implements vscode.DocumentDropEditProvider {
  constructor(private readonly offers: readonly ImageDropOffer[]) {}

  /** The kinds of edit it may return. */
  get kinds(): vscode.DocumentDropOrPasteEditKind[] {
    return this.offers.map((offer) => DROP_KIND.append(offer.kind));
  }

  async provideDocumentDropEdits(document: vscode.TextDocument, position: vscode.Position, data: vscode.DataTransfer): Promise<vscode.DocumentDropEdit[] | undefined> {
    const uris = (await data.get('text/uri-list')?.asString())?.split(/\r?\n/).filter((u) => u && !u.startsWith('#')) ?? [];
    const files = uris.map((u) => vscode.Uri.parse(u)).filter((u) => u.scheme === 'file' && PICTURE_FILE_NAME.test(u.fsPath));
    if (files.length === 0) return undefined;
    const problems: UserError[] = [];
    const edits: vscode.DocumentDropEdit[] = [];
    for (const offer of this.offers) {
      const plan = await offer.plan(document, position, files.map((u) => u.fsPath));
      if (plan.edit) {
        const drop = new vscode.DocumentDropEdit('', offer.title, DROP_KIND.append(offer.kind));
        drop.additionalEdit = plan.edit;
        edits.push(drop);
      }
      problems.push(...plan.problems);
    }
    if (edits.length === 0) showProblems(problems);
    return edits;
  }
}

/** The paste command and the editor's image drops; `dropOffers` come after the built-in import. */
export function registerImport(ctx: Ctx, dropOffers: readonly ImageDropOffer[] = []): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('sdprompt.pasteParameters', () => pasteParameters(ctx)),
    registerDropProvider(new ImageDropProvider([importDropOffer(ctx), ...dropOffers])),
  );
}

function registerDropProvider(provider: ImageDropProvider): vscode.Disposable {
  return vscode.languages.registerDocumentDropEditProvider({ language: LANGUAGE_ID }, provider, {
    providedDropEditKinds: provider.kinds,
    dropMimeTypes: ['text/uri-list'],
  });
}
