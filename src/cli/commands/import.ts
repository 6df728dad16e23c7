// `sdprompt import IMAGE… [--into FILE]`: a .sdprompt block from the generation parameters each
// image carries (A1111's, or a ComfyUI graph), printed, or added to the end of a prompt file.

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { formatUserError } from '../../core/errors';
import { applyTextEdits } from '../../core/format/edit';
import { parseSdprompt } from '../../core/format/parse';
import { replaceFile } from '../../core/outputs/write';
import { readImageParameters } from '../../core/parameters/image';
import { planImport, type ImportItem } from '../../core/parameters/to-block';
import { EXIT, reportError, stringOption, UsageError, type CommandContext } from '../context';

async function readExisting(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  }
}

export async function importCommand(ctx: CommandContext, values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number> {
  if (positionals.length === 0) throw new UsageError('import takes one or more images');
  const into = stringOption(values['into']);
  const target = into === undefined ? undefined : path.resolve(ctx.cwd, into);
  let text = '';
  if (target) {
    try {
      text = await readExisting(target);
    } catch (e) {
      reportError(ctx, { code: 'invalid-request', message: `cannot read the prompt file: ${(e as Error).message}`, file: target }, false);
      return EXIT.invalidInput;
    }
  }
  let exit: number = EXIT.ok;
  const images: string[] = [];
  const items: ImportItem[] = [];
  for (const name of positionals) {
    const image = path.resolve(ctx.cwd, name);
    const read = await readImageParameters(image);
    if (!read.ok) {
      reportError(ctx, read.error, false);
      exit = EXIT.invalidInput;
      continue;
    }
    images.push(image);
    items.push({ parameters: read.value.parameters, name: path.basename(image, path.extname(image)) });
  }
  if (items.length === 0) return exit;
  const { edits, notes } = planImport(parseSdprompt(text), items);
  notes.forEach((imageNotes, i) => {
    for (const note of imageNotes) {
      const where = note.line !== undefined ? ` (parameters line ${note.line}, column ${note.column})` : '';
      ctx.stderr(`sdprompt: ${formatUserError({ code: 'invalid-request', message: `${note.key}${where}: ${note.message}`, file: images[i]! })}`);
    }
  });
  text = applyTextEdits(text, edits);
  if (!target) {
    ctx.stdout(text.trimEnd());
    return exit;
  }
  try {
    await replaceFile(target, text);
  } catch (e) {
    reportError(ctx, { code: 'output-failed', message: `cannot write the prompt file: ${(e as Error).message}`, file: target }, false);
    return EXIT.failed;
  }
  return exit;
}
