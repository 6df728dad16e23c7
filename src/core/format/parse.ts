// The .sdprompt parser (docs/format.md). It reads the whole text, never throws on user input,
// and returns every problem at once with its line and column beside what it could make of
// the file.

import type { Diagnostic, Range, Severity } from '../diagnostics';
import {
  SETTINGS,
  settingKeyFor,
  settingNames,
  type SettingKey,
  type SettingValues,
} from './settings';
import { gridProblems } from './grid';
import { imageSettingProblems } from './image-values';
import { checkSchedules } from './schedule';
import { closestMatch } from './suggest';
import { MAX_PROMPT_FILE_BYTES, promptLengthProblem } from './limits';
import { quote } from '../quote';

/** Where a piece of a joined text (prompt or negative prompt) came from in the file. */
export interface TextSegment {
  /** Offset of the piece in the joined text. */
  offset: number;
  length: number;
  line: number;
  column: number;
}

/** Text gathered from several lines, with the map back to the file. */
export interface SourceText {
  text: string;
  segments: TextSegment[];
}

export interface SettingEntry<K extends SettingKey = SettingKey> {
  key: K;
  value: SettingValues[K];
  /** The value as written (for the negative prompt: all its lines joined). */
  text: string;
  keyRange: Range;
  /** The value on the key's line. */
  valueRange: Range;
  /** Last line the setting occupies (continuation lines of a negative prompt). */
  endLine: number;
  /** For the negative prompt: its text with the map back to the file. */
  source?: SourceText;
}

export type Settings = { [K in SettingKey]?: SettingEntry<K> };

export interface Block {
  /** 1-based, in file order. */
  index: number;
  name?: string;
  nameRange?: Range;
  /** The separator line, or the first line of the file for a file without separators. */
  startLine: number;
  /** The last line of the block (inclusive). */
  endLine: number;
  hasSeparator: boolean;
  prompt: SourceText;
  /** The block's own settings; see `effectiveSettings` for those inherited from the header. */
  settings: Settings;
}

export interface ParsedFile {
  file?: string;
  /** Defaults from the lines before the first separator. */
  header: Settings;
  blocks: Block[];
  diagnostics: Diagnostic[];
  /** The file's lines, without line terminators. */
  lines: string[];
}

export type LineKind =
  | { kind: 'blank' }
  | { kind: 'comment' }
  | { kind: 'separator'; name: string; nameColumn: number }
  | { kind: 'setting'; key: string; keyColumn: number; value: string; valueColumn: number }
  | { kind: 'continuation'; text: string; column: number }
  | { kind: 'prompt'; text: string; column: number };

/** Settings of the whole file, not of one block: only the header (or a file without separators) sets them. */
const FILE_SETTINGS: ReadonlySet<SettingKey> = new Set(['output']);

/** Characters no text file holds (tab and line ends aside): a binary file, or a stray terminal sequence. */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const SETTING_LINE = /^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:(.*)$/;

/**
 * What a line is, on its own. `afterNegative` says whether the line follows a negative prompt
 * (or its continuation), which makes an indented line a continuation.
 */
export function classifyLine(line: string, afterNegative = false): LineKind {
  if (line.trim() === '') return { kind: 'blank' };
  if (/^[ \t]/.test(line) && afterNegative) {
    const column = line.length - line.trimStart().length + 1;
    return { kind: 'continuation', text: line.trim(), column };
  }
  const structural = classifyStructural(line);
  if (structural) return structural;
  if (line.startsWith('\\') && classifyStructural(line.slice(1))) {
    return { kind: 'prompt', text: line.slice(1), column: 2 };
  }
  return { kind: 'prompt', text: line, column: 1 };
}

function classifyStructural(line: string): LineKind | undefined {
  if (/^\s*#/.test(line)) return { kind: 'comment' };
  if (line.startsWith('---')) {
    const rest = line.replace(/^-+/, '');
    const name = rest.trim();
    return { kind: 'separator', name, nameColumn: line.length - rest.length + (rest.length - rest.trimStart().length) + 1 };
  }
  const setting = SETTING_LINE.exec(line);
  if (setting) {
    const rawValue = setting[2]!;
    const value = rawValue.trim();
    const valueColumn = line.length - rawValue.length + (rawValue.length - rawValue.trimStart().length) + 1;
    return { kind: 'setting', key: setting[1]!, keyColumn: 1, value, valueColumn };
  }
  return undefined;
}

function range(line: number, column: number, length: number): Range {
  return { start: { line, column }, end: { line, column: column + Math.max(0, length) } };
}

class SourceTextBuilder {
  private pieces: { text: string; line: number; column: number }[] = [];

  add(text: string, line: number, column: number): void {
    this.pieces.push({ text, line, column });
  }

  get isEmpty(): boolean {
    return this.pieces.every((p) => p.text.trim() === '');
  }

  /** Joins the pieces with newlines, dropping blank pieces at both ends and trimming the ends. */
  build(): SourceText {
    let first = 0;
    let last = this.pieces.length - 1;
    while (first <= last && this.pieces[first]!.text.trim() === '') first++;
    while (last >= first && this.pieces[last]!.text.trim() === '') last--;
    const segments: TextSegment[] = [];
    let text = '';
    for (let i = first; i <= last; i++) {
      let { text: piece, column } = this.pieces[i]!;
      if (i === first) {
        const trimmed = piece.trimStart();
        column += piece.length - trimmed.length;
        piece = trimmed;
      }
      if (i === last) piece = piece.trimEnd();
      if (i > first) text += '\n';
      segments.push({ offset: text.length, length: piece.length, line: this.pieces[i]!.line, column });
      text += piece;
    }
    return { text, segments };
  }
}

interface Section {
  settings: Settings;
  prompt: SourceTextBuilder;
  block?: Omit<Block, 'prompt' | 'settings' | 'endLine'>;
  firstPromptLine?: number;
}

/**
 * Parses a whole .sdprompt text. `file` is only used to label diagnostics. A byte order mark is
 * not part of the text. A text longer than the file limit is not parsed: it has no blocks and
 * one error.
 */
export function parseSdprompt(text: string, file?: string): ParsedFile {
  const diagnostics: Diagnostic[] = [];
  const report = (severity: Severity, message: string, where: Range, code: string) => {
    diagnostics.push({ severity, message, range: where, code, ...(file !== undefined ? { file } : {}) });
  };
  if (text.length > MAX_PROMPT_FILE_BYTES) {
    report('error', `the file is ${text.length} characters long; a prompt file may be at most ${MAX_PROMPT_FILE_BYTES} (1 MiB)`, range(1, 1, 1), 'file-too-large');
    return { ...(file !== undefined ? { file } : {}), header: {}, blocks: [], diagnostics, lines: [] };
  }
  const lines = text.replace(/^\ufeff/, '').split(/\r\n|\r|\n/);

  const hasSeparators = lines.some((l) => classifyLine(l).kind === 'separator');
  const newSection = (block?: Section['block']): Section => ({ settings: {}, prompt: new SourceTextBuilder(), ...(block ? { block } : {}) });
  const header = newSection();
  const sections: Section[] = hasSeparators ? [] : [newSection({ index: 1, startLine: 1, hasSeparator: false })];
  let current = hasSeparators ? header : sections[0]!;
  let negative: { entry: SettingEntry<'negative'>; builder: SourceTextBuilder } | undefined;

  const closeNegative = () => {
    if (!negative) return;
    const source = negative.builder.build();
    negative.entry.value = source.text;
    negative.entry.text = source.text;
    negative.entry.source = source;
    negative = undefined;
  };

  lines.forEach((lineText, i) => {
    const line = i + 1;
    const control = CONTROL_CHARACTER.exec(lineText);
    if (control) {
      report('error', `control character ${quote(control[0])} in the text: is this a text file?`, range(line, control.index + 1, 1), 'control-character');
    }
    const kind = classifyLine(lineText, negative !== undefined);
    if (kind.kind === 'continuation') {
      negative!.builder.add(kind.text, line, kind.column);
      negative!.entry.endLine = line;
      return;
    }
    closeNegative();
    switch (kind.kind) {
      case 'blank':
        if (current.prompt && !current.prompt.isEmpty) current.prompt.add('', line, 1);
        return;
      case 'comment':
        return;
      case 'separator': {
        const block: Section['block'] = {
          index: sections.length + 1,
          startLine: line,
          hasSeparator: true,
          ...(kind.name ? { name: kind.name, nameRange: range(line, kind.nameColumn, kind.name.length) } : {}),
        };
        current = newSection(block);
        sections.push(current);
        return;
      }
      case 'prompt': {
        const text = kind.text.trim();
        current.prompt.add(text, line, kind.column + kind.text.length - kind.text.trimStart().length);
        current.firstPromptLine ??= line;
        return;
      }
      case 'setting': {
        const keyRange = range(line, kind.keyColumn, kind.key.length);
        const key = settingKeyFor(kind.key);
        if (!key) {
          const guess = closestMatch(kind.key, settingNames());
          const hint = guess
            ? `; did you mean '${guess}'?`
            : `. Settings are ${settingNames().join(', ')}. A prompt line that starts with '${kind.key}:' is written '\\${kind.key}:'`;
          report('error', `unknown setting ${quote(kind.key)}${hint}`, keyRange, 'unknown-setting');
          return;
        }
        const previous = current.settings[key];
        if (previous) {
          report('error', `'${key}' is already set on line ${previous.keyRange.start.line}`, keyRange, 'duplicate-setting');
          return;
        }
        const valueRange = range(line, kind.valueColumn, kind.value.length);
        if (key !== 'negative' && kind.value === '') {
          report('error', `'${key}' needs a value, such as '${key}: ${SETTINGS[key].example}'`, keyRange, 'missing-value');
          return;
        }
        if (FILE_SETTINGS.has(key) && current !== header && hasSeparators) {
          report('error', `'${key}' applies to the whole file: set it in the header, above the first '---'`, keyRange, 'file-setting-in-block');
          return;
        }
        const parsed = SETTINGS[key].parse(kind.value);
        if (!parsed.ok) {
          const { message, offset, length } = parsed.problem;
          report('error', message, range(line, kind.valueColumn + offset, length), `invalid-${key}`);
          return;
        }
        for (const w of parsed.warnings) report('warning', w.message, range(line, kind.valueColumn + w.offset, w.length), `questionable-${key}`);
        const entry = { key, value: parsed.value, text: kind.value, keyRange, valueRange, endLine: line } as SettingEntry;
        (current.settings as Record<string, SettingEntry>)[key] = entry;
        if (key === 'negative') {
          const builder = new SourceTextBuilder();
          builder.add(kind.value, line, kind.valueColumn);
          negative = { entry: entry as SettingEntry<'negative'>, builder };
        }
        return;
      }
    }
  });
  closeNegative();
  checkSchedules(header.settings, sections.map((section) => section.settings), report);

  if (hasSeparators && header.firstPromptLine !== undefined) {
    const line = header.firstPromptLine;
    report(
      'error',
      "prompt text before the first block: put a '---' separator line above it, or move it into a block",
      range(line, 1, lines[line - 1]!.length),
      'prompt-outside-block',
    );
  }

  const blocks: Block[] = sections.map((section, i) => {
    const next = sections[i + 1];
    const endLine = next ? next.block!.startLine - 1 : lines.length;
    return { ...section.block!, endLine, prompt: section.prompt.build(), settings: section.settings };
  });

  const checkLength = (source: SourceText, what: 'prompt' | 'negative prompt', fallback: Range) => {
    const problem = promptLengthProblem(source.text, what);
    const start = source.segments[0];
    if (problem) report('error', problem, start ? range(start.line, start.column, start.length) : fallback, 'prompt-too-long');
  };
  const checkNegative = (settings: Settings) => {
    const negative = settings.negative;
    if (negative?.source) checkLength(negative.source, 'negative prompt', negative.valueRange);
  };
  checkNegative(header.settings);
  const seenNames = new Map<string, Block>();
  for (const block of blocks) {
    checkLength(block.prompt, 'prompt', range(block.startLine, 1, 1));
    checkNegative(block.settings);
    if (block.prompt.text === '') {
      const where = block.nameRange ?? range(block.startLine, 1, lines[block.startLine - 1]!.length);
      report('warning', `${describeBlock(block)} has no prompt text`, where, 'empty-prompt');
    }
    if (block.name !== undefined) {
      const earlier = seenNames.get(block.name);
      if (earlier) {
        report('warning', `another block is named ${quote(block.name)} (line ${earlier.startLine})`, block.nameRange!, 'duplicate-block-name');
      } else {
        seenNames.set(block.name, block);
      }
    }
  }

  const reported = new Set<string>();
  for (const block of blocks) {
    const settings: Settings = { ...header.settings, ...block.settings };
    const values = Object.fromEntries(Object.entries(settings).map(([k, e]) => [k, e.value]));
    for (const problem of [...imageSettingProblems(values), ...gridProblems(values)]) {
      const where = settings[problem.key]!.keyRange;
      const id = `${where.start.line}:${where.start.column}:${problem.message}`;
      if (reported.has(id)) continue;
      reported.add(id);
      report(problem.severity, problem.message, where, problem.severity === 'error' ? 'conflicting-settings' : 'ineffective-setting');
    }
  }

  diagnostics.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column);
  return { ...(file !== undefined ? { file } : {}), header: header.settings, blocks, diagnostics, lines };
}

export function describeBlock(block: Pick<Block, 'index' | 'name'>): string {
  return block.name !== undefined ? `block ${quote(block.name)}` : `block ${block.index}`;
}

/** The block's settings with the header's defaults filled in, each marked with where it came from. */
export function effectiveSettings(parsed: ParsedFile, block: Block): { settings: Settings; inherited: Set<SettingKey> } {
  const settings: Settings = { ...parsed.header, ...block.settings };
  const inherited = new Set<SettingKey>();
  for (const key of Object.keys(parsed.header) as SettingKey[]) {
    if (!block.settings[key]) inherited.add(key);
  }
  return { settings, inherited };
}

/** The block that contains a 1-based line; undefined for lines of the header. */
export function blockAtLine(parsed: ParsedFile, line: number): Block | undefined {
  return parsed.blocks.find((b) => line >= b.startLine && line <= b.endLine);
}

/** Diagnostics that fall inside a block, or in the header that every block inherits. */
export function blockDiagnostics(parsed: ParsedFile, block: Block): Diagnostic[] {
  const firstBlockLine = parsed.blocks[0]?.startLine ?? 1;
  return parsed.diagnostics.filter((d) => {
    const line = d.range.start.line;
    return (line >= block.startLine && line <= block.endLine) || line < firstBlockLine;
  });
}

/** The 1-based position in the file of an offset in a gathered text (prompt or negative prompt). */
export function sourcePosition(source: SourceText, offset: number): { line: number; column: number } | undefined {
  for (let i = source.segments.length - 1; i >= 0; i--) {
    const segment = source.segments[i]!;
    if (offset >= segment.offset) {
      if (offset > segment.offset + segment.length) return undefined;
      return { line: segment.line, column: segment.column + (offset - segment.offset) };
    }
  }
  return undefined;
}

/** The offset in a gathered text of a 1-based file position, if the position is inside it. */
export function textOffset(source: SourceText, line: number, column: number): number | undefined {
  for (const segment of source.segments) {
    if (segment.line === line && column >= segment.column && column <= segment.column + segment.length) {
      return segment.offset + (column - segment.column);
    }
  }
  return undefined;
}
