// What is written beside a grid's PNG: which images its cells are and what its axes sweep, so the
// panel can show it and `verify` and `status` know it for a grid of other outputs, not an image
// with a recipe of its own.

import type { GridKey } from '../format/grid';
import type { RecipeSource } from './metadata';
import { SDPROMPT_VERSION } from '../version';

export interface GridRecord {
  format: 'sdprompt-grid';
  version: 1;
  sdprompt: string;
  createdAt: string;
  source?: RecipeSource;
  /** The columns' axis, then the rows' (when there are two), with the values as written. */
  axes: { key: GridKey; values: string[] }[];
  columns: number;
  rows: number;
  /** The cells' PNG files (names in the same folder), rows of columns; null for a cell that was not made. */
  cells: (string | null)[];
}

export function buildGridRecord(args: Omit<GridRecord, 'format' | 'version' | 'sdprompt' | 'createdAt'> & { createdAt?: Date }): GridRecord {
  const { createdAt, ...rest } = args;
  return { format: 'sdprompt-grid', version: 1, sdprompt: SDPROMPT_VERSION, createdAt: (createdAt ?? new Date()).toISOString(), ...rest };
}
