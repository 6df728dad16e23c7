// Reading what a run wrote beside an image: its recipe, or the grid record of a grid PNG, with
// each way it can fail named plainly: no file, a file that cannot be read or is not JSON, JSON of
// something else, a recipe from a newer sdprompt. Native-free: the panel and `status` read these.

import { promises as fs } from 'node:fs';
import { fail, ok, readProblem, type Result, type UserError } from '../errors';
import type { GridRecord } from './grid-record';
import { RECIPE_VERSION, type Recipe } from './metadata';

/** The JSON file that goes with an output PNG. */
export function recordFileFor(png: string): string {
  return png.replace(/\.png$/i, '.json');
}

function problem(file: string, message: string): { ok: false; error: UserError } {
  return fail({ code: 'recipe-invalid', message, file });
}

/** A recipe or a grid record from its text, checked for what it is and its version. */
export function parseOutputRecord(text: string, file: string): Result<Recipe | GridRecord> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return problem(file, `the recipe is not valid JSON (${(e as Error).message}): edited by hand?`);
  }
  const record = data as { format?: unknown; version?: unknown };
  if (typeof data !== 'object' || data === null || (record.format !== 'sdprompt-recipe' && record.format !== 'sdprompt-grid')) {
    return problem(file, 'is not an sdprompt recipe (no "format": "sdprompt-recipe")');
  }
  if (typeof record.version !== 'number' || !Number.isInteger(record.version) || record.version < 1) {
    return problem(file, `the recipe's version ${JSON.stringify(record.version)} is not one sdprompt wrote`);
  }
  if (record.version > RECIPE_VERSION) {
    return problem(file, `the recipe is version ${record.version}, from a newer sdprompt; this one reads version ${RECIPE_VERSION}: update sdprompt`);
  }
  return ok(data as Recipe | GridRecord);
}

/** The record beside an output PNG, or why there is none. */
export async function readOutputRecord(png: string): Promise<Result<Recipe | GridRecord>> {
  const file = recordFileFor(png);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return problem(file, err.code === 'ENOENT' ? 'the image has no recipe beside it' : `the recipe ${readProblem(err)}`);
  }
  return parseOutputRecord(text, file);
}
