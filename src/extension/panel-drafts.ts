// What the painter's kept strokes do in VS Code when the results panel is closed over them
// (painter-drafts.ts decides when): a notification names the picture and offers to reopen the
// painter with them, to save them as its Save or Inpaint button does, or to discard them.

import * as vscode from 'vscode';
import type { PainterDraft } from '../protocol/webview';
import { saveMask } from './image-blocks';
import type { ResultsPanel } from './panel';
import type { DraftActions, DraftChoice } from './painter-drafts';

export const REOPEN_PAINTER = 'Reopen Painter';
export const DISCARD = 'Discard';

/** The notification's button that saves: the painter's own button's name. */
export function saveLabel(draft: PainterDraft): string {
  return draft.source.target.kind === 'inpaint' ? 'Inpaint' : 'Save Mask';
}

export function draftActions(panel: ResultsPanel): DraftActions {
  return {
    ask: async (draft, problem) => {
      const message = `The mask you were painting over ${draft.source.image.name} was not saved.${problem ? ` ${problem}` : ''}`;
      const save = saveLabel(draft);
      const answer = await vscode.window.showWarningMessage(message, REOPEN_PAINTER, save, DISCARD);
      const choices: Record<string, DraftChoice> = { [REOPEN_PAINTER]: 'reopen', [save]: 'save', [DISCARD]: 'discard' };
      return answer === undefined ? undefined : choices[answer];
    },
    reopen: (draft) => {
      panel.reveal(vscode.Uri.file(draft.source.target.promptFile), false, draft);
    },
    save: (draft) => saveMask(panel, { target: draft.source.target, width: draft.width, height: draft.height, maskPng: draft.maskPng }),
  };
}
