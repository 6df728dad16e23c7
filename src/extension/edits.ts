// Edits to a .sdprompt document, made through the editor so that each is undoable and shows in
// a diff: the panel's controls, "reuse this seed" and "new seed" change a block's settings here.

import * as vscode from 'vscode';
import { planSettingEdit } from '../core/format/edit';
import type { SettingKey } from '../core/format/settings';
import { toVsRange } from './convert';
import type { ParsedDocuments } from './documents';

/** Sets a block's setting in the document; a value the format refuses is shown, and nothing changes. */
export async function editBlockSetting(
  documents: ParsedDocuments,
  document: vscode.TextDocument,
  blockIndex: number,
  key: SettingKey,
  value: string,
): Promise<boolean> {
  const plan = planSettingEdit(documents.get(document), blockIndex, key, value);
  if (!plan.ok) {
    void vscode.window.showErrorMessage(`Cannot set ${key}: ${plan.message}`);
    return false;
  }
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, toVsRange(plan.edit.range), plan.edit.newText);
  return vscode.workspace.applyEdit(edit);
}
