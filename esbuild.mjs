// One build for every runtime piece: the CLI, the engine process, the extension host and the
// webview. Native modules (onnxruntime-node, sharp) stay external: they ship as node_modules.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const native = ['onnxruntime-node', 'sharp'];

/** @type {esbuild.BuildOptions[]} */
const targets = [
  {
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
    external: native,
  },
  {
    entryPoints: ['src/engine/main.ts'],
    outfile: 'dist/engine.js',
    platform: 'node',
    format: 'cjs',
    external: native,
  },
  {
    entryPoints: ['src/extension/main.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode', ...native],
  },
  {
    // The results panel's script, loaded by the webview (browser, no Node, no vscode).
    entryPoints: ['src/webview/main.ts'],
    outfile: 'media/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    tsconfig: 'src/webview/tsconfig.json',
  },
];

const common = { bundle: true, sourcemap: true, target: 'node20', logLevel: 'warning' };
// A target's own options (e.g. the webview's browser target) win over the common ones.
const builds = targets.filter((t) => t.entryPoints.every((e) => existsSync(e)));
if (watch) {
  await Promise.all(builds.map(async (t) => (await esbuild.context({ ...common, ...t })).watch()));
} else {
  await Promise.all(builds.map((t) => esbuild.build({ ...common, ...t })));
}
