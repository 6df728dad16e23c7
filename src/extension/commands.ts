// The commands: generate the block under the cursor (Ctrl+Enter), every block (Ctrl+Shift+Enter),
// with a new seed (the file unchanged), cancel, choose the model, paint the mask of the block under
// the cursor, start a block from a picture.

import * as vscode from 'vscode';
import { formatUserError } from '../core/errors';
import { describeBlock } from '../core/format/parse';
import { blockToRun, randomSeed } from '../core/format/resolve';
import { inspectModelFolder } from '../core/models/folder';
import { setConfiguredModel } from './config';
import type { Ctx } from './ctx';
import { isSdprompt } from './documents';
import { newBlockFromImage } from './block-from-image';
import { paintBlockMask } from './block-mask';

async function documentFor(uri?: vscode.Uri): Promise<vscode.TextDocument | undefined> {
  if (uri instanceof vscode.Uri) return vscode.workspace.openTextDocument(uri);
  const editor = vscode.window.activeTextEditor;
  if (editor && isSdprompt(editor.document)) return editor.document;
  void vscode.window.showInformationMessage('Open a .sdprompt file to generate from it.');
  return undefined;
}

/**
 * The block a command means: the one it was given, else the one under the cursor; from the
 * header, the first block, and the status bar says so.
 */
function blockIndexFor(ctx: Ctx, document: vscode.TextDocument, given?: number): number | undefined {
  if (typeof given === 'number') return given;
  const editor = vscode.window.activeTextEditor;
  const line = editor?.document === document ? editor.selection.active.line + 1 : 1;
  const target = blockToRun(ctx.documents.get(document), line);
  if (!target) return undefined;
  if (target.fromHeader) {
    vscode.window.setStatusBarMessage(`sdprompt: the cursor is in the header (every block's defaults): generating the first block, ${describeBlock(target.block)}`, 5000);
  }
  return target.block.index;
}

export function registerCommands(ctx: Ctx): vscode.Disposable {
  const generate = async (uri?: vscode.Uri, blockIndex?: number, seeds?: number[]) => {
    const document = await documentFor(uri);
    if (!document) return;
    const index = blockIndexFor(ctx, document, blockIndex);
    if (index === undefined) return;
    await ctx.runs.enqueue(document, ctx.documents.get(document), [index], seeds);
    ctx.panel.reveal(document.uri, true);
  };
  return vscode.Disposable.from(
    vscode.commands.registerCommand('sdprompt.generateBlock', generate),
    vscode.commands.registerCommand('sdprompt.generateAll', async (uri?: vscode.Uri) => {
      const document = await documentFor(uri);
      if (!document) return;
      const parsed = ctx.documents.get(document);
      await ctx.runs.enqueue(document, parsed, parsed.blocks.map((b) => b.index));
      ctx.panel.reveal(document.uri, true);
    }),
    // The file is left as it is: the image's recipe has the seed, and "Keep seed" writes it in.
    vscode.commands.registerCommand('sdprompt.generateNewSeed', (uri?: vscode.Uri, blockIndex?: number) => generate(uri, blockIndex, [randomSeed()])),
    vscode.commands.registerCommand('sdprompt.paintMask', async (uri?: vscode.Uri, blockIndex?: number) => {
      const document = await documentFor(uri);
      const index = document && blockIndexFor(ctx, document, blockIndex);
      if (document && index !== undefined) await paintBlockMask(ctx.documents, ctx.panel, document, index);
    }),
    vscode.commands.registerCommand('sdprompt.newBlockFromImage', (uri?: vscode.Uri) => newBlockFromImage(ctx.documents, uri)),
    vscode.commands.registerCommand('sdprompt.cancel', (runId?: string) => ctx.runs.cancel(typeof runId === 'string' ? runId : undefined)),
    vscode.commands.registerCommand('sdprompt.showPanel', (uri?: vscode.Uri) => {
      const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
      ctx.panel.reveal(target, false);
    }),
    vscode.commands.registerCommand('sdprompt.chooseModel', async () => {
      const picked = await vscode.window.showOpenDialog({
        canSelectFolders: true,
        canSelectFiles: false,
        canSelectMany: false,
        openLabel: 'Use This Model',
        title: 'Choose a Stable Diffusion ONNX model folder (diffusers/Optimum layout: unet/, text_encoder/, vae_decoder/, tokenizer/ …)',
      });
      if (!picked?.[0]) return;
      const folder = picked[0].fsPath;
      const inspected = inspectModelFolder(folder);
      if (!inspected.ok) {
        void vscode.window.showErrorMessage(`Not a usable model folder: ${formatUserError(inspected.error)}`);
        return;
      }
      await setConfiguredModel(folder);
      void vscode.window.showInformationMessage(`sdprompt will use ${inspected.value.name}.`);
    }),
    vscode.commands.registerCommand('sdprompt.useDemoModel', () => setConfiguredModel('')),
    vscode.commands.registerCommand('sdprompt.showLog', () => ctx.log.show()),
  );
}

