// The demo model ships inside the package, at models/demo beside package.json.

import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The package's root folder: the nearest folder above this module with sdprompt's package.json. */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'sdprompt') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`sdprompt's package.json not found above ${from}`);
  }
}

export function demoModelDir(): string {
  return path.join(packageRoot(), 'models', 'demo');
}

export function isDemoModel(dir: string): boolean {
  return path.resolve(dir) === demoModelDir();
}

/** How the editor names a model folder: "demo model" for the shipped one, else the folder's name. */
export function modelLabel(dir: string): string {
  return isDemoModel(dir) ? 'demo model' : path.basename(dir);
}
