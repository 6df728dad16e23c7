// Edits to a .sdprompt document, made through the editor so that each is undoable and shows in
// a diff: the panel's controls and "Keep seed" change a block's settings here; Inpaint, Use as
// init image, Outpaint and drops add blocks here.

import * as vscode from 'vscode';
import { planKeepSeed, planMenuEdit, planSettingEdit, type SettingEditResult } from '../core/format/edit';
import type { NewBlock } from '../core/format/new-block';
import type { SettingKey } from '../core/format/settings';
import { toVsRange } from './convert';
import type { ParsedDocuments } from './documents';

/** Applies a planned edit as one undoable step; a refused plan is shown, and nothing changes. */
async function applyPlannedEdit(document: vscode.TextDocument, plan: SettingEditResult, refused: string): Promise<boolean> {
  if (!plan.ok) {
    void vscode.window.showErrorMessage(`${refused}: ${plan.message}`);
    return false;
  }
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, toVsRange(plan.edit.range), plan.edit.newText);
  return vscode.workspace.applyEdit(edit);
}

/** Sets a block's setting in the document; a value the format refuses is shown, and nothing changes. */
export async function editBlockSetting(
  documents: ParsedDocuments,
  document: vscode.TextDocument,
  blockIndex: number,
  key: SettingKey,
  value: string,
): Promise<boolean> {
  const parsed = documents.get(document);
  const plan = key === 'sampler' || key === 'schedule' ? planMenuEdit(parsed, blockIndex, key, value) : planSettingEdit(parsed, blockIndex, key, value);
  return applyPlannedEdit(document, plan, `Cannot set ${key}`);
}

/** "Keep seed": adds a seed to the block's `seed:` list. */
export async function keepSeed(documents: ParsedDocuments, document: vscode.TextDocument, blockIndex: number, seed: number): Promise<boolean> {
  return applyPlannedEdit(document, planKeepSeed(documents.get(document), blockIndex, seed), `Cannot keep seed ${seed}`);
}

/**
 * Writes a new block (one undoable edit) and puts the cursor on its prompt, in the editor that
 * shows the document (or a new one), so Ctrl+Enter runs it. False when the editor refused the edit.
 */
export async function insertBlock(document: vscode.TextDocument, block: NewBlock): Promise<boolean> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, toVsRange(block.edit.range), block.edit.newText);
  if (!(await vscode.workspace.applyEdit(edit))) return false;
  const at = new vscode.Position(block.promptLine - 1, document.lineAt(block.promptLine - 1).text.length);
  const column = vscode.window.visibleTextEditors.find((e) => e.document === document)?.viewColumn ?? vscode.ViewColumn.One;
  const editor = await vscode.window.showTextDocument(document, { viewColumn: column, selection: new vscode.Range(at, at) });
  editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return true;
}
