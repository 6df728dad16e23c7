// The `grid:` setting: a sweep over one setting, `grid: cfg 5, 7, 9`, or two, `grid: cfg 5, 7, 9 x
// steps 10, 20` (columns x rows), as A1111's X/Y plot. Each value is read by its setting's own
// parser, so a grid accepts exactly what the file does; each cell is one image, with its recipe,
// and a labelled grid of them is drawn beside (image/grid.ts). A `schedule` axis sweeps the
// schedule type of the block's sampler (A1111's "Schedule type"), over the block's own.

import type { SettingDefinition, SettingKey, SettingValues } from './settings';
import { SCHEDULE_TYPES, type ScheduleType } from '../schedulers/scheduleTypes';
import { closestMatch } from './suggest';
import { accept, listItems, reject, type ParsedValue } from './values';

/** The settings a grid can sweep, and the sampler's schedule. */
export const GRID_KEYS = ['seed', 'cfg', 'steps', 'sampler', 'schedule', 'strength'] as const satisfies readonly (SettingKey | 'schedule')[];
export type GridKey = (typeof GRID_KEYS)[number];

/** A sampler's schedule type (A1111's "Schedule type"), as the `schedule:` setting takes it. */
export type Schedule = ScheduleType;
export const SCHEDULES: readonly Schedule[] = SCHEDULE_TYPES;

/** At most this many cells a grid: each is an image. */
export const MAX_GRID_CELLS = 100;

export interface GridValue {
  /** As written (`7.5`, `Euler a`): the label and the file name part. */
  text: string;
  /** The setting this value sets for its cells (`{ cfg: 7.5 }`; a seed axis: `{ seed: [3] }`; nothing for a schedule). */
  setting: Partial<SettingValues>;
  /** A schedule axis's value. */
  schedule?: Schedule;
}

export interface GridAxis {
  key: GridKey;
  values: GridValue[];
}

export interface GridSpec {
  /** The columns' axis, then the rows' (when there are two). */
  axes: GridAxis[];
}

type SettingsTable = { readonly [K in SettingKey]: SettingDefinition<K> };

/** The axes of the value: `name values` parts split by ` x `, with their offsets. */
function axisTexts(text: string): { text: string; offset: number }[] {
  const parts: { text: string; offset: number }[] = [];
  let start = 0;
  for (const match of text.matchAll(/\s+[xX×]\s+/g)) {
    parts.push({ text: text.slice(start, match.index), offset: start });
    start = match.index + match[0].length;
  }
  parts.push({ text: text.slice(start), offset: start });
  return parts;
}

function parseAxis(text: string, offset: number, table: SettingsTable): ParsedValue<GridAxis> {
  const match = /^([A-Za-z_]+)\s*(.*)$/.exec(text);
  const name = match?.[1] ?? text;
  const key = (GRID_KEYS as readonly string[]).includes(name.toLowerCase()) ? (name.toLowerCase() as GridKey) : undefined;
  const aliased = key ?? GRID_KEYS.find((k) => k !== 'schedule' && table[k].aliases.includes(name.toLowerCase()));
  if (!match || !aliased) {
    const guess = closestMatch(name.toLowerCase(), [...GRID_KEYS]);
    return reject(`a grid sweeps ${GRID_KEYS.join(', ')}; not '${name}'${guess ? `: did you mean '${guess}'?` : ''}`, offset, name.length);
  }
  const valuesText = match[2]!;
  const valuesOffset = offset + text.length - valuesText.length;
  if (valuesText === '') return reject(`the grid's ${aliased} axis needs values, such as '${aliased} ${aliased === 'schedule' ? 'karras' : table[aliased].example}, …'`, offset, text.length);
  if (aliased === 'seed') {
    const seeds = table.seed.parse(valuesText);
    if (!seeds.ok) return reject(seeds.problem.message, valuesOffset + seeds.problem.offset, seeds.problem.length);
    return accept({ key: 'seed', values: seeds.value.map((seed) => ({ text: String(seed), setting: { seed: [seed] } })) });
  }
  const values: GridValue[] = [];
  for (const { item, offset: itemOffset, start, length } of listItems(valuesText)) {
    if (item === '') return reject(`an empty value in the grid's ${aliased} axis`, valuesOffset + start, length);
    if (aliased === 'schedule') {
      const schedule = SCHEDULES.find((s) => s === item.toLowerCase());
      if (!schedule) return reject(`a schedule is ${SCHEDULES.slice(0, -1).join(', ')} or ${SCHEDULES.at(-1)!}; not '${item}'`, valuesOffset + itemOffset, item.length);
      values.push({ text: item, setting: {}, schedule });
      continue;
    }
    const parsed = (table[aliased] as SettingDefinition).parse(item);
    if (!parsed.ok) return reject(parsed.problem.message, valuesOffset + itemOffset + parsed.problem.offset, parsed.problem.length);
    values.push({ text: item, setting: { [aliased]: parsed.value } });
  }
  return accept({ key: aliased, values });
}

/** Parses `cfg 5, 7, 9` or `cfg 5, 7, 9 x steps 10, 20`; `table` is the settings table (settings.ts passes it). */
export function parseGrid(text: string, table: SettingsTable): ParsedValue<GridSpec> {
  const parts = axisTexts(text);
  if (parts.length > 2) return reject('a grid has at most two axes: columns x rows', parts[2]!.offset, text.length - parts[2]!.offset);
  const axes: GridAxis[] = [];
  for (const part of parts) {
    const axis = parseAxis(part.text.trim(), part.offset + part.text.length - part.text.trimStart().length, table);
    if (!axis.ok) return axis;
    if (axes.some((a) => a.key === axis.value.key)) return reject(`the grid sweeps ${axis.value.key} twice`, part.offset, part.text.length);
    axes.push(axis.value);
  }
  const cells = axes.reduce((n, a) => n * a.values.length, 1);
  if (cells > MAX_GRID_CELLS) return reject(`the grid has ${cells} cells; at most ${MAX_GRID_CELLS}, each an image`, 0, text.length);
  return accept({ axes });
}

/** One cell of a grid: its place, the settings its values set, and each axis's value as written. */
export interface GridCell {
  column: number;
  row: number;
  setting: Partial<SettingValues>;
  schedule?: Schedule;
  labels: { key: GridKey; text: string }[];
}

/** The cells in reading order, rows of columns. */
export function gridCells(grid: GridSpec): GridCell[] {
  const [columns, rows] = grid.axes as [GridAxis, GridAxis | undefined];
  const cells: GridCell[] = [];
  for (let row = 0; row < (rows?.values.length ?? 1); row++) {
    for (let column = 0; column < columns.values.length; column++) {
      const picked = [{ key: columns.key, value: columns.values[column]! }, ...(rows ? [{ key: rows.key, value: rows.values[row]! }] : [])];
      const schedule = picked.find((p) => p.value.schedule)?.value.schedule;
      cells.push({
        column,
        row,
        setting: Object.assign({}, ...picked.map((p) => p.value.setting)) as Partial<SettingValues>,
        ...(schedule ? { schedule } : {}),
        labels: picked.map((p) => ({ key: p.key, text: p.value.text })),
      });
    }
  }
  return cells;
}

/** A problem of a grid beside the block's other settings. */
export interface GridProblem {
  key: 'grid' | 'seed';
  severity: 'error' | 'warning';
  message: string;
}

/** A grid's seed axis makes `seed:` moot; a strength axis needs an init. */
export function gridProblems(s: { grid?: GridSpec; seed?: unknown; init?: unknown }): GridProblem[] {
  const keys = new Set(s.grid?.axes.map((a) => a.key));
  const problems: GridProblem[] = [];
  if (keys.has('seed') && s.seed !== undefined) problems.push({ key: 'seed', severity: 'warning', message: "the grid's seed axis gives the seeds: seed: has no effect" });
  if (keys.has('strength') && s.init === undefined) problems.push({ key: 'grid', severity: 'warning', message: 'a strength axis has no effect without an init image' });
  return problems;
}
