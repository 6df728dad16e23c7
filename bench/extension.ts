// The extension's figures come from its end-to-end scenario in a real VS Code (code-server):
// activation, Ctrl+Enter to the first live preview, Ctrl+Enter to the images in the panel.
// They need the end-to-end tier installed (`npm run test:e2e` installs it once).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { codeServerInstalled } from '../test/e2e/harness';

export interface ExtensionFigure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export function runExtensionBench(root: string): ExtensionFigure[] {
  if (!codeServerInstalled()) {
    console.log('extension: the end-to-end tier is not installed (run `npm run test:e2e` once); skipped');
    return [];
  }
  const packaged = spawnSync(process.execPath, [path.join(root, 'tools', 'package.mjs')], { cwd: root, encoding: 'utf8' });
  if (packaged.status !== 0) throw new Error(`packaging failed:\n${packaged.stdout}\n${packaged.stderr}`);
  const timingsFile = path.join(mkdtempSync(path.join(tmpdir(), 'sdprompt-bench-e2e-')), 'timings.json');
  const run = spawnSync(process.execPath, ['--test', path.join(root, 'out', 'test', 'e2e', 'extension.test.js')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, SDPROMPT_E2E_TIMINGS: timingsFile },
  });
  if (run.status !== 0) throw new Error(`the end-to-end scenario failed:\n${run.stdout.slice(-4000)}`);
  const timings = JSON.parse(readFileSync(timingsFile, 'utf8')) as Record<string, number>;
  return Object.entries(timings).map(([name, value]) => ({ name: `extension in code-server: ${name.replace(/ \(ms.*\)$/, '')}`, value, unit: 'ms', note: 'one run, headless Chromium' }));
}
