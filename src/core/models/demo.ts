// The demo models ship inside the package, in models/ beside package.json: models/demo (text to
// image, the default) and the image-to-image ones fine-tuned from it. A model setting may name
// them by folder name alone.

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

/** The shipped demo models' folder names. */
export const SHIPPED_MODELS = ['demo', 'demo-inpainting', 'demo-depth'] as const;

/** The folder of a shipped demo model named by its folder name; undefined for other names. */
export function shippedModelDir(name: string): string | undefined {
  return (SHIPPED_MODELS as readonly string[]).includes(name) ? path.join(packageRoot(), 'models', name) : undefined;
}

export function demoModelDir(): string {
  return shippedModelDir('demo')!;
}

/** Whether a folder is one of the shipped demo models. */
export function isDemoModel(dir: string): boolean {
  const resolved = path.resolve(dir);
  return SHIPPED_MODELS.some((name) => resolved === shippedModelDir(name));
}

/** How the editor names a model folder: "demo model" for the shipped default, else the folder's name. */
export function modelLabel(dir: string): string {
  return path.resolve(dir) === demoModelDir() ? 'demo model' : path.basename(dir);
}
