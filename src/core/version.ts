import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from './models/demo';

/** This program's version, from package.json. */
export const SDPROMPT_VERSION: string = (
  JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }
).version;
