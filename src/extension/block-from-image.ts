// "sdprompt: New Block from Image…" (the Explorer's context menu on a PNG, JPEG or WebP, or the
// command palette, which asks for the picture): a block at the end of a prompt file that starts
// from the picture (`init:` relative to the file, a strength), with the prompt and negative prompt
// the picture carries if it has A1111 parameters; one undoable edit, the cursor on its prompt.
// A picture without parameters dropped onto the results panel makes the same block.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { pathSpec, planAppendedBlock, type NewBlock } from '../core/format/new-block';
import type { SettingKey } from '../core/format/settings';
import type { Result } from '../core/errors';
import { checkPicture } from '../core/image/check';
import { readImageParameters } from '../core/parameters/image';
import type { ParsedDocuments } from './documents';
import { isSdprompt } from './documents';
import { insertBlock } from './edits';

/** The prompt file to add to: the active editor's, else one open beside it, else one of the workspace's, chosen. */
async function promptDocument(): Promise<vscode.TextDocument | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  if (active && isSdprompt(active) && active.uri.scheme === 'file') return active;
  const visible = vscode.window.visibleTextEditors.map((e) => e.document).find((d) => isSdprompt(d) && d.uri.scheme === 'file');
  if (visible) return visible;
  const files = await vscode.workspace.findFiles('**/*.sdprompt', '**/node_modules/**', 200);
  if (files.length === 0) {
    void vscode.window.showErrorMessage('There is no .sdprompt file in the workspace to add the block to: create one first.');
    return undefined;
  }
  const picked = files.length === 1
    ? files[0]
    : (await vscode.window.showQuickPick(files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })), { title: 'Add the block to which prompt file?' }))?.uri;
  return picked && vscode.workspace.openTextDocument(picked);
}

/** The block for `picture` in `document`: named after the file, with the picture's own prompt if it carries one. */
export async function planBlockFromImage(documents: ParsedDocuments, document: vscode.TextDocument, picture: string): Promise<Result<NewBlock>> {
  const carried = await readImageParameters(picture);
  const prompt = carried.ok ? carried.value.parameters.prompt : '';
  const negative = carried.ok ? carried.value.parameters.negativePrompt : '';
  const settings: [SettingKey, string][] = [
    ...(negative && !negative.includes('\n') ? [['negative', negative] as [SettingKey, string]] : []),
    ['init', pathSpec(document.uri.fsPath, picture)],
    ['strength', '0.75'],
  ];
  return planAppendedBlock(documents.get(document), path.basename(picture, path.extname(picture)), prompt, settings);
}

/** Adds the block for `picture` to `document`; a problem is shown as a message and nothing changes. */
export async function addBlockFromImage(documents: ParsedDocuments, document: vscode.TextDocument, picture: string): Promise<void> {
  const problem = (message: string) => void vscode.window.showErrorMessage(message);
  const checked = await checkPicture(picture, 'init');
  if (!checked.ok) return problem(`The ${checked.error.message}.`);
  const plan = await planBlockFromImage(documents, document, picture);
  if (!plan.ok) return problem(`The new block is not valid: ${plan.error.message}`);
  if (!(await insertBlock(document, plan.value))) problem(`${path.basename(document.uri.fsPath)} could not be edited; nothing was changed.`);
}

export async function newBlockFromImage(documents: ParsedDocuments, given?: vscode.Uri): Promise<void> {
  const uri = given instanceof vscode.Uri
    ? given
    : (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Images: ['png', 'jpg', 'jpeg', 'webp'] }, openLabel: 'Start a Block from It' }))?.[0];
  if (!uri) return;
  const document = await promptDocument();
  if (document) await addBlockFromImage(documents, document, uri.fsPath);
}

/** The files that carry no generation parameters (a drop imports the others) and that `usable` accepts. */
export async function picturesWithoutParameters(files: readonly string[], usable: (file: string) => boolean): Promise<string[]> {
  const found: string[] = [];
  for (const file of files) if (usable(file) && !(await readImageParameters(file)).ok) found.push(file);
  return found;
}
