// Hovers: what a setting means, the picture an `init:`, `mask:` or `depth:` names, and on prompt
// text the effective weight of the run under the cursor and the token count of each 75-token chunk.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { blockAtLine, effectiveSettings, textOffset, type Block, type ParsedFile, type SourceText } from '../core/format/parse';
import { promptLengthProblem } from '../core/format/limits';
import { PICTURE_KEYS, type PictureKey } from '../core/format/pictures';
import { SETTINGS, settingKeyFor, type SettingKey } from '../core/format/settings';
import { blockModel } from '../core/format/resolve';
import { tokenizePrompt } from '../core/prompt/chunks';
import { parseEmphasis } from '../core/prompt/emphasis';
import { ClipTokenizer } from '../core/tokenizer/clip';
import { LANGUAGE_ID, type ParsedDocuments } from './documents';
import { pictureHover } from './picture-hover';

/** Tokenizers by model folder; a model's tokenizer is read once. */
export class TokenizerCache {
  private readonly cache = new Map<string, ClipTokenizer | string>();

  /** The tokenizer, or why there is none. */
  get(modelDir: string): ClipTokenizer | string {
    let entry = this.cache.get(modelDir);
    if (entry === undefined) {
      const loaded = ClipTokenizer.fromFolder(path.join(modelDir, 'tokenizer'));
      entry = loaded.ok ? loaded.value : loaded.error.message;
      this.cache.set(modelDir, entry);
    }
    return entry;
  }

  clear(): void {
    this.cache.clear();
  }
}

function formatWeight(weight: number): string {
  return String(Math.round(weight * 10000) / 10000);
}

function promptHover(text: SourceText, offset: number, tokenizer: ClipTokenizer | string, what: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  const tooLong = promptLengthProblem(text.text, 'prompt');
  if (tooLong) return md.appendText(`${tooLong}.`);
  const run = parseEmphasis(text.text).find((r) => offset >= r.start && offset < r.end);
  if (run && 'break' in run) {
    md.appendMarkdown('`BREAK`: the next words start a new 75-token chunk\n\n');
  } else if (run) {
    const shown = run.text.length > 60 ? `${run.text.slice(0, 57)}…` : run.text;
    md.appendMarkdown(`**Weight ${formatWeight(run.weight)}** · `);
    md.appendText(`“${shown.trim()}”`);
    md.appendMarkdown('\n\n');
  }
  if (typeof tokenizer === 'string') {
    md.appendMarkdown(`*Token counts unavailable: ${tokenizer}*`);
  } else {
    const { chunkTokenCounts } = tokenizePrompt(text.text, tokenizer);
    const chunks = chunkTokenCounts.map((n, i) => `chunk ${i + 1}: ${n}/75`).join(' · ');
    md.appendMarkdown(`${what} tokens: ${chunks}`);
  }
  return md;
}

/** The picture setting whose value is at `line`/`column`, with the settings it is read with. */
function pictureAt(parsed: ParsedFile, block: Block | undefined, key: SettingKey, line: number, column: number) {
  if (!(PICTURE_KEYS as readonly SettingKey[]).includes(key)) return undefined;
  const entry = (block ? block.settings : parsed.header)[key];
  if (!entry || entry.valueRange.start.line !== line || column < entry.valueRange.start.column) return undefined;
  return { key: key as PictureKey, entry, settings: block ? effectiveSettings(parsed, block).settings : parsed.header };
}

export function registerHover(documents: ParsedDocuments, tokenizers: TokenizerCache, defaultModel: () => string): vscode.Disposable {
  return vscode.languages.registerHoverProvider({ language: LANGUAGE_ID }, {
    provideHover(document, position) {
      const parsed: ParsedFile = documents.get(document);
      const line = position.line + 1;
      const column = position.character + 1;
      const block: Block | undefined = blockAtLine(parsed, line);
      const keyMatch = /^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:/.exec(document.lineAt(position.line).text);
      const key = keyMatch ? settingKeyFor(keyMatch[1]!) : undefined;
      if (key && column <= keyMatch![1]!.length) {
        return new vscode.Hover(new vscode.MarkdownString(`**${key}**: ${SETTINGS[key].summary}`));
      }
      const picture = key && document.uri.scheme === 'file' ? pictureAt(parsed, block, key, line, column) : undefined;
      if (picture) return pictureHover(picture.key, picture.entry, picture.settings, document.uri.fsPath);
      if (!block) return undefined;
      const tokenizer = () => tokenizers.get(blockModel(parsed, block, { promptFile: document.uri.fsPath, defaultModel: defaultModel() }).dir);
      const promptOffset = textOffset(block.prompt, line, column);
      if (promptOffset !== undefined) return new vscode.Hover(promptHover(block.prompt, promptOffset, tokenizer(), 'Prompt'));
      const negative = effectiveSettings(parsed, block).settings.negative?.source;
      const negativeOffset = negative ? textOffset(negative, line, column) : undefined;
      if (negative && negativeOffset !== undefined) return new vscode.Hover(promptHover(negative, negativeOffset, tokenizer(), 'Negative prompt'));
      return undefined;
    },
  });
}
