// New blocks written into a prompt file: one derived from another block (an inpainting, an
// img2img or an outpainting of an image it made), or one made from an image alone (a drop, the
// Explorer's command). Each is one text edit, its values checked by the settings' own parsers,
// so a new block never makes the file invalid.

import * as path from 'node:path';
import { fail, ok, type Result } from '../errors';
import { applyTextEdits, planSettingEdit, type TextEdit } from './edit';
import { parseSdprompt, type Block, type ParsedFile } from './parse';
import { SETTINGS, type SettingKey } from './settings';

export interface NewBlock {
  /** The edit that writes it. */
  edit: TextEdit;
  /** Its text, from its `---` line. */
  text: string;
  /** The name it got (unique in the file). */
  name: string;
  /** 1-based line of its first prompt line once the edit is applied (where the cursor goes). */
  promptLine: number;
}

/** A setting's value text for a path, relative to the prompt file's folder, with forward slashes. */
export function pathSpec(promptFile: string, file: string): string {
  const relative = path.relative(path.dirname(promptFile), file);
  return (relative === '' ? path.basename(file) : relative).split(path.sep).join('/');
}

/** `base`, or `base 2`, `base 3`… : the first name no block of the file has. */
export function uniqueBlockName(parsed: ParsedFile, base: string): string {
  const taken = new Set(parsed.blocks.map((b) => b.name));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base} ${n}`)) return `${base} ${n}`;
}

function invalid(message: string) {
  return fail({ code: 'invalid-request' as const, message });
}

/** A block's text with settings set (added or replaced) and others taken out, each value checked. */
function withSettings(text: string, set: readonly (readonly [SettingKey, string])[], drop: readonly SettingKey[]): Result<string> {
  let current = text;
  const block = () => parseSdprompt(current).blocks[0]!;
  const removals: TextEdit[] = drop.flatMap((key) => {
    const entry = block().settings[key];
    return entry ? [{ range: { start: { line: entry.keyRange.start.line, column: 1 }, end: { line: entry.endLine + 1, column: 1 } }, newText: '' }] : [];
  });
  current = applyTextEdits(`${current}\n`, removals).replace(/\n$/, '');
  for (const [key, value] of set) {
    const plan = planSettingEdit(parseSdprompt(current), 1, key, value);
    if (!plan.ok) return invalid(`${key}: ${plan.message}`);
    current = applyTextEdits(current, [plan.edit]);
  }
  return ok(current);
}

/** The last line of a block that is not blank (its trailing blank lines stay where they are). */
function lastWrittenLine(parsed: ParsedFile, block: Block): number {
  for (let line = block.endLine; line > block.startLine; line--) if (parsed.lines[line - 1]!.trim() !== '') return line;
  return block.startLine;
}

function firstPromptLine(text: string, atLine: number): number {
  const prompt = parseSdprompt(text).blocks[0]!.prompt.segments[0];
  return atLine + (prompt ? prompt.line - 1 : 1);
}

/**
 * Places a block's text after line `last`, a blank line between. A file without `---` lines is
 * one block whose prompt would become a header's: it gets a `---` line first, in the same edit.
 */
function placeAfter(parsed: ParsedFile, last: number, text: string, name: string): NewBlock {
  const end = { line: Math.max(1, last), column: (parsed.lines[last - 1] ?? '').length + 1 };
  if (last === 0) return { edit: { range: { start: end, end }, newText: text }, text, name, promptLine: firstPromptLine(text, 1) };
  const needsSeparator = !parsed.blocks.some((b) => b.hasSeparator);
  if (!needsSeparator) return { edit: { range: { start: end, end }, newText: `\n\n${text}` }, text, name, promptLine: firstPromptLine(text, last + 2) };
  const whole = parsed.lines.slice(0, last).join('\n');
  return { edit: { range: { start: { line: 1, column: 1 }, end }, newText: `---\n${whole}\n\n${text}` }, text, name, promptLine: firstPromptLine(text, last + 3) };
}

/** A copy of `source`, named `name` (made unique), with `set` applied and `drop` left out, written just below it. */
export function planDerivedBlock(
  parsed: ParsedFile,
  source: Block,
  name: string,
  set: readonly (readonly [SettingKey, string])[],
  drop: readonly SettingKey[] = [],
): Result<NewBlock> {
  const unique = uniqueBlockName(parsed, name);
  const last = lastWrittenLine(parsed, source);
  const firstBody = source.hasSeparator ? source.startLine + 1 : source.startLine;
  const text = withSettings(`--- ${unique}\n${parsed.lines.slice(firstBody - 1, last).join('\n')}`, set, drop);
  return text.ok ? ok(placeAfter(parsed, last, text.value, unique)) : text;
}

/** A new block at the end of the file: `name` (made unique), `prompt`, then `settings`, each checked. */
export function planAppendedBlock(parsed: ParsedFile, name: string, prompt: string, settings: readonly (readonly [SettingKey, string])[]): Result<NewBlock> {
  const unique = uniqueBlockName(parsed, name);
  for (const [key, value] of settings) {
    const checked = SETTINGS[key].parse(value);
    if (!checked.ok) return invalid(`${key}: ${checked.problem.message}`);
  }
  // A prompt line that would read as a comment, a separator or a setting is written escaped.
  const promptLines = prompt.split('\n').map((l) => (/^(\s*#|---|[A-Za-z][A-Za-z0-9_-]*[ \t]*:)/.test(l) ? `\\${l}` : l));
  const text = [`--- ${unique}`, ...promptLines, ...settings.map(([k, v]) => `${k}: ${v}`)].join('\n');
  let last = parsed.lines.length;
  while (last > 0 && parsed.lines[last - 1]!.trim() === '') last--;
  return ok(placeAfter(parsed, last, text, unique));
}
