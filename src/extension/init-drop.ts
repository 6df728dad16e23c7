// Pictures dropped onto a .sdprompt editor that carry no generation parameters (those are
// imported as blocks first, import.ts): dropped on a block, the picture becomes its `init:` (added
// or replaced); dropped on the header, a new block starts from it (block-from-image.ts).

import * as vscode from 'vscode';
import { planSettingEdit } from '../core/format/edit';
import { pathSpec } from '../core/format/new-block';
import { blockAtLine } from '../core/format/parse';
import { checkPicture } from '../core/image/check';
import { planBlockFromImage } from './block-from-image';
import { toVsRange } from './convert';
import type { ParsedDocuments } from './documents';
import type { ImageDropOffer } from './import';

export function initDropOffer(documents: ParsedDocuments): ImageDropOffer {
  return {
    title: 'Start from the picture (init:)',
    kind: 'init',
    async plan(document, position, files) {
      const picture = files[0];
      if (!picture || document.uri.scheme !== 'file') return { problems: [] };
      const checked = await checkPicture(picture, 'init');
      if (!checked.ok) return { problems: [checked.error] };
      const parsed = documents.get(document);
      const block = blockAtLine(parsed, position.line + 1);
      const edit = new vscode.WorkspaceEdit();
      if (block) {
        const plan = planSettingEdit(parsed, block.index, 'init', pathSpec(document.uri.fsPath, picture));
        if (!plan.ok) return { problems: [{ code: 'invalid-request', message: plan.message }] };
        edit.replace(document.uri, toVsRange(plan.edit.range), plan.edit.newText);
      } else {
        const plan = await planBlockFromImage(documents, document, picture);
        if (!plan.ok) return { problems: [plan.error] };
        edit.replace(document.uri, toVsRange(plan.value.edit.range), plan.value.edit.newText);
      }
      return { edit, problems: [] };
    },
  };
}
