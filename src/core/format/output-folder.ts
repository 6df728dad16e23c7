// The `output:` setting: the folder a prompt file's images go to, relative to the file. It must
// name a folder inside the file's own folder, never the folder itself, a parent or an absolute
// place: a prompt file someone shares can then write nowhere else on the machine that runs it,
// and the images stay where the panel, `status` and `verify` look for them.

import * as path from 'node:path';
import { accept, reject, type ParsedValue } from './values';

/** The value as a clean relative path with `/` separators (`renders/shapes`), or the problem. */
export function parseOutputFolder(text: string): ParsedValue<string> {
  const slashed = text.replace(/\\/g, '/');
  if (path.posix.isAbsolute(slashed) || /^[A-Za-z]:/.test(slashed) || slashed === '~' || slashed.startsWith('~/')) {
    return reject('output is a folder relative to the prompt file, such as `renders`; not an absolute path', 0, text.length);
  }
  const normal = path.posix.normalize(slashed).replace(/\/+$/, '');
  if (normal === '.' || normal === '') return reject("output must name a folder inside the prompt file's folder, not the folder itself", 0, text.length);
  if (normal === '..' || normal.startsWith('../')) {
    return reject("output must stay inside the prompt file's folder (no '..' above it)", 0, text.length);
  }
  return accept(normal);
}
