// Which prompt file a painted mask belongs to. A painter is opened for one prompt file (its
// target names it), but the results panel follows the active editor: by the time the mask is
// saved the panel may show another file, whose images and blocks can have the same names and
// numbers. The host saves a mask only into the file it was painted for, and only while the panel
// shows that file, so the user sees where it goes; otherwise it refuses and the painter keeps the
// strokes. No `vscode` import: the panel hands in what it shows.

import * as path from 'node:path';
import type { PainterTarget } from '../protocol/webview';

/** Why the painter may not save `target`'s mask while the panel shows prompt file `shown` (a path); none when it may. */
export function otherFileProblem(target: PainterTarget, shown: string | undefined): string | undefined {
  if (shown === target.promptFile) return undefined;
  // Two files of the same name in different folders are told apart by their paths.
  const sameName = shown !== undefined && path.basename(shown) === path.basename(target.promptFile);
  const name = (file: string) => (sameName ? file : path.basename(file));
  const painted = name(target.promptFile);
  const what = target.kind === 'inpaint' ? `over ${target.imageId}` : `for block ${target.blockIndex}`;
  const now = shown === undefined ? 'no prompt file' : name(shown);
  return `This mask was painted ${what} of ${painted}; the panel now shows ${now}: go back to ${painted} to save it.`;
}
