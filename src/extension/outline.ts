// Blocks in the outline and breadcrumbs, and folding by block.

import * as vscode from 'vscode';
import { describeBlock } from '../core/format/parse';
import { LANGUAGE_ID, type ParsedDocuments } from './documents';

export function registerOutline(documents: ParsedDocuments): vscode.Disposable {
  const selector = { language: LANGUAGE_ID };
  return vscode.Disposable.from(
    vscode.languages.registerDocumentSymbolProvider(selector, {
      provideDocumentSymbols(document) {
        return documents.get(document).blocks.map((block) => {
          const range = new vscode.Range(block.startLine - 1, 0, block.endLine - 1, document.lineAt(block.endLine - 1).text.length);
          const selection = new vscode.Range(block.startLine - 1, 0, block.startLine - 1, document.lineAt(block.startLine - 1).text.length);
          const firstWords = block.prompt.text.split('\n')[0]!.slice(0, 60);
          const name = block.name ?? describeBlock(block).replace(/^block/, 'Block');
          return new vscode.DocumentSymbol(name, firstWords, vscode.SymbolKind.Namespace, range, selection);
        });
      },
    }),
    vscode.languages.registerFoldingRangeProvider(selector, {
      provideFoldingRanges(document) {
        return documents
          .get(document)
          .blocks.filter((b) => b.hasSeparator && b.endLine > b.startLine)
          .map((b) => {
            let end = b.endLine;
            while (end > b.startLine && document.lineAt(end - 1).isEmptyOrWhitespace) end--;
            return new vscode.FoldingRange(b.startLine - 1, end - 1, vscode.FoldingRangeKind.Region);
          })
          .filter((r) => r.end > r.start);
      },
    }),
  );
}
