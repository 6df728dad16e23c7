// The built bundles and the manifest agree with each other and with the process split.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(__dirname, '../../../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

test('the extension host bundle loads no native module: inference lives in the engine process', () => {
  const extension = read('dist/extension.js');
  for (const native of ['onnxruntime-node', 'sharp']) {
    assert.ok(!extension.includes(`require("${native}")`), `dist/extension.js requires ${native}`);
  }
  assert.ok(read('dist/engine.js').includes('require("onnxruntime-node")'));
  assert.ok(read('dist/cli.js').startsWith('#!/usr/bin/env node'));
});

test('every command the manifest declares is registered by the extension, and the reverse', () => {
  const manifest = JSON.parse(read('package.json')) as { contributes: { commands: { command: string }[]; keybindings: { command: string }[] } };
  const declared = manifest.contributes.commands.map((c) => c.command).sort();
  const sources = readdirSync(path.join(ROOT, 'src/extension')).map((f) => read(path.join('src/extension', f))).join('\n');
  const registered = [...sources.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]!).sort();
  assert.deepEqual(registered, declared);
  for (const k of manifest.contributes.keybindings) assert.ok(declared.includes(k.command), k.command);
});

test('the webview bundle is built for the browser and the panel HTML loads it', () => {
  const webview = read('media/webview.js');
  assert.ok(!/require\("/.test(webview), 'the webview bundle requires nothing');
  assert.match(read('src/extension/panel.ts'), /media\('webview\.js'\)/);
});
