// The results panel's commands, each checked (parseWebviewMessage) before it gets here: edits go
// into the document through the editor; images are named by the ids the panel was sent, so a
// command can only name a file the host listed itself.

import * as vscode from 'vscode';
import { blockThatMade } from '../core/format/resolve';
import type { DroppedFile, WebviewMessage } from '../protocol/webview';
import { addBlockFromImage, picturesWithoutParameters } from './block-from-image';
import { editBlockSetting, keepSeed } from './edits';
import { importImages, type ImageSource } from './import';
import { blockFromImage, saveMask } from './image-blocks';
import type { ResultsPanel } from './panel';
import { otherFileProblem } from './painter-target';

export async function handlePanelMessage(panel: ResultsPanel, message: WebviewMessage): Promise<void> {
  const { documents, runs } = panel.host;
  switch (message.type) {
    case 'ready':
      return panel.webviewReady();
    case 'editSetting': {
      const document = await panel.document();
      if (document) await editBlockSetting(documents, document, message.blockIndex, message.key, message.value);
      return;
    }
    case 'generate': {
      const document = await panel.document();
      const command = message.seeds === 'new' ? 'sdprompt.generateNewSeed' : 'sdprompt.generateBlock';
      if (document) await vscode.commands.executeCommand(command, document.uri, message.blockIndex);
      return;
    }
    case 'cancelRun':
      return runs.cancel(message.runId);
    case 'showBlock': {
      const document = await panel.document();
      const block = document ? documents.get(document).blocks.find((b) => b.index === message.blockIndex) : undefined;
      if (!document || !block) return;
      const position = new vscode.Position(block.startLine - 1, 0);
      await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(position, position) });
      return;
    }
    case 'dismissError':
      return panel.dismissError(message.errorId);
    case 'importImages': {
      const document = await panel.document();
      if (!document) return;
      const paths = message.uris.map((uri) => vscode.Uri.parse(uri).fsPath);
      // A picture from the Explorer that carries no parameters starts a block from itself (init:).
      const plain = await picturesWithoutParameters(paths, (file) => panel.canLoad(document.uri, file));
      const sources = [...paths.filter((file) => !plain.includes(file)).map((file) => ({ path: file })), ...message.files.map(droppedFileSource)];
      if (sources.length > 0) await importImages(panel.host, document, sources, message.afterBlock);
      for (const file of plain) await addBlockFromImage(panel.host.documents, document, file);
      return;
    }
    case 'saveMask': {
      // Only into the prompt file the painter was opened for, and only while the panel shows it.
      const error = otherFileProblem(message.target, panel.uri?.fsPath) ?? (await saveMask(panel, message));
      if (error === undefined) panel.drafts.saved(message.maskPng);
      return panel.post({ type: 'maskSaved', requestId: message.requestId, ...(error !== undefined ? { error } : {}) });
    }
    case 'painterDraft':
      // Kept for the prompt file it was painted for, which must be one the panel has shown.
      return panel.drafts.update(message.draft && panel.hasShown(message.draft.source.target.promptFile) ? message.draft : undefined);
    default:
      return handleImageCommand(panel, message);
  }
}

async function handleImageCommand(panel: ResultsPanel, message: Extract<WebviewMessage, { imageId: string }>): Promise<void> {
  const record = panel.image(message.imageId);
  if (!record) return; // only images the panel was shown can be named
  const uri = vscode.Uri.file(record.path);
  switch (message.type) {
    case 'keepSeed': {
      const made = record.recipe?.source?.block;
      const document = await panel.document();
      if (!document || !made || !record.recipe) return;
      const block = blockThatMade(panel.host.documents.get(document), made);
      if (block) await keepSeed(panel.host.documents, document, block.index, record.recipe.seed);
      return;
    }
    case 'copyParameters':
      await vscode.env.clipboard.writeText(record.parameters);
      vscode.window.setStatusBarMessage('sdprompt: A1111 parameters copied', 3000);
      return;
    case 'revealImage':
      await vscode.commands.executeCommand('revealFileInOS', uri);
      return;
    case 'openImage':
      await vscode.commands.executeCommand('vscode.open', uri, { viewColumn: vscode.ViewColumn.Active, preview: true });
      return;
    case 'useAsInit':
      return blockFromImage(panel, record, 'img2img');
    case 'outpaint':
      return blockFromImage(panel, record, { outpaint: message.sides });
  }
}

/** A file dropped from outside VS Code: its bytes, from the base64 data URL the webview's FileReader made. */
function droppedFileSource(file: DroppedFile): ImageSource {
  return { name: file.name, bytes: Buffer.from(file.dataUrl.slice(file.dataUrl.indexOf(',') + 1), 'base64') };
}
