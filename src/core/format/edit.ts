// Edits to a .sdprompt text that keep it the single source of truth: the panel's controls and
// "Keep seed" change a block's settings through these, as text edits the editor applies
// (undoable, visible in a diff).

import type { Range } from '../diagnostics';
import { effectiveSettings, type Block, type ParsedFile } from './parse';
import { combinedName, resolveSampler, withSchedule } from '../schedulers/registry';
import { resolveScheduleType } from '../schedulers/scheduleTypes';
import { SETTINGS, type SettingKey } from './settings';

export interface TextEdit {
  /** 1-based; `end` exclusive. An insertion has start equal to end. */
  range: Range;
  newText: string;
}

export type SettingEditResult = { ok: true; edit: TextEdit } | { ok: false; message: string };

/**
 * The edit that sets `key` to `valueText` in a block: the value is replaced where the block
 * sets it, else a `key: value` line is added after the block's last setting or prompt line.
 * The value is checked first, so an edit never makes the file invalid.
 */
export function planSettingEdit(parsed: ParsedFile, blockIndex: number, key: SettingKey, valueText: string): SettingEditResult {
  const block = parsed.blocks.find((b) => b.index === blockIndex);
  if (!block) return { ok: false, message: `there is no block ${blockIndex}` };
  const value = valueText.trim();
  if (value.includes('\n')) return { ok: false, message: `a ${key} value is one line` };
  const checked = SETTINGS[key].parse(value);
  if (!checked.ok) return { ok: false, message: checked.problem.message };

  const existing = block.settings[key];
  if (existing) {
    const endLine = existing.endLine;
    const end = endLine === existing.valueRange.start.line
      ? existing.valueRange.end
      : { line: endLine, column: parsed.lines[endLine - 1]!.length + 1 };
    return { ok: true, edit: { range: { start: existing.valueRange.start, end }, newText: value } };
  }
  const line = insertionLine(parsed, block);
  const at = { line, column: parsed.lines[line - 1]!.length + 1 };
  return { ok: true, edit: { range: { start: at, end: at }, newText: `\n${key}: ${value}` } };
}

/**
 * "Keep seed": the edit that adds a seed to a block's `seed:` list, as the block has it (its own,
 * else the header's, which the block then sets for itself), the seed after it; a block without
 * one gets `seed: N`. Nothing when the list has the seed already.
 */
export function planKeepSeed(parsed: ParsedFile, blockIndex: number, seed: number): SettingEditResult {
  const block = parsed.blocks.find((b) => b.index === blockIndex);
  if (!block) return { ok: false, message: `there is no block ${blockIndex}` };
  const seeds = effectiveSettings(parsed, block).settings.seed;
  if (seeds?.value.includes(seed)) return { ok: false, message: `the block's seeds have ${seed} already` };
  return planSettingEdit(parsed, blockIndex, 'seed', seeds ? `${seeds.text}, ${seed}` : String(seed));
}

/**
 * The edit a panel menu makes, keeping what the block asks for: picking a sampler keeps the
 * schedule the block's own sampler name names (`DPM++ 2M Karras`, then Euler: `Euler Karras`,
 * where Euler takes it); picking a schedule rewrites such a combined name (`DPM++ 2M
 * Exponential`) rather than adding a `schedule:` line beside it.
 */
export function planMenuEdit(parsed: ParsedFile, blockIndex: number, key: 'sampler' | 'schedule', valueText: string): SettingEditResult {
  const block = parsed.blocks.find((b) => b.index === blockIndex);
  const written = block?.settings.sampler?.value;
  const combined = written && written.schedule !== 'automatic' && !block?.settings.schedule ? written : undefined;
  if (key === 'sampler' && combined) {
    const picked = resolveSampler(valueText);
    if (picked?.sampler.sigmaBased) return planSettingEdit(parsed, blockIndex, 'sampler', combinedName(withSchedule(picked, combined.schedule)));
  }
  if (key === 'schedule' && combined) {
    const schedule = resolveScheduleType(valueText);
    if (schedule) return planSettingEdit(parsed, blockIndex, 'sampler', combinedName(withSchedule(combined, schedule)));
  }
  return planSettingEdit(parsed, blockIndex, key, valueText);
}

/** The line after which a new setting goes: the block's last setting, else its last prompt line, else its separator. */
function insertionLine(parsed: ParsedFile, block: Block): number {
  const settingEnds = Object.values(block.settings).map((s) => s!.endLine);
  if (settingEnds.length > 0) return Math.max(...settingEnds);
  const promptLines = block.prompt.segments.map((s) => s.line);
  if (promptLines.length > 0) return Math.max(...promptLines);
  if (block.hasSeparator) return block.startLine;
  for (let line = block.endLine; line > block.startLine; line--) {
    if (parsed.lines[line - 1]!.trim() !== '') return line;
  }
  return block.startLine;
}

/** `name`, or `name-2`, `name-3`… if a block is already called that (`taken`: the names in use). */
export function uniqueBlockName(taken: ReadonlySet<string | undefined>, name: string): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate); n++) candidate = `${name}-${n}`;
  return candidate;
}

/**
 * The edits that add a block (its text from its `---` line) after block `afterBlock`, or at the
 * end of the file. A file without separators is a single block; it first gets a `---` line of its
 * own, so that its lines stay a block (they would otherwise become the header). Blocks are kept
 * apart by a blank line.
 */
export function planBlockInsertion(parsed: ParsedFile, blockText: string, afterBlock?: number): TextEdit[] {
  const edits: TextEdit[] = [];
  const { lines } = parsed;
  const first = parsed.blocks[0];
  const content = lines.some((l) => l.trim() !== '');
  if (first && !first.hasSeparator && first.prompt.text !== '') {
    edits.push({ range: { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } }, newText: '---\n' });
  }
  const next = afterBlock === undefined ? undefined : parsed.blocks.find((b) => b.index === afterBlock + 1);
  if (next) {
    const at = { line: next.startLine, column: 1 };
    edits.push({ range: { start: at, end: at }, newText: `${blockText}\n\n` });
    return edits;
  }
  const lastLine = lines.length;
  const at = { line: lastLine, column: lines[lastLine - 1]!.length + 1 };
  const endsWithBlank = lastLine >= 2 && lines[lastLine - 1] === '' && lines[lastLine - 2] === '';
  const lead = !content ? '' : lines[lastLine - 1] === '' ? (endsWithBlank ? '' : '\n') : '\n\n';
  edits.push({ range: { start: at, end: at }, newText: `${lead}${blockText}\n` });
  return edits;
}

/** Applies edits to a text (for the CLI and tests; the editor applies them itself). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const lineStarts = [0];
  for (const match of text.matchAll(/\r\n|\r|\n/g)) lineStarts.push(match.index! + match[0].length);
  const offset = (p: { line: number; column: number }) => lineStarts[p.line - 1]! + p.column - 1;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let result = text;
  for (const edit of sorted) {
    result = result.slice(0, offset(edit.range.start)) + edit.newText + result.slice(offset(edit.range.end));
  }
  return result;
}
