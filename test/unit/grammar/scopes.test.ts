// Runs the scope assertions in test/grammar/*.sdprompt (vscode-tmgrammar-test's format) so that
// `npm test` checks the grammar too.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';

const root = join(__dirname, '..', '..', '..', '..');

it('every scope assertion in test/grammar holds', () => {
  const cases = readdirSync(join(root, 'test', 'grammar')).filter((f) => f.endsWith('.sdprompt'));
  assert.ok(cases.length >= 2, 'the grammar test cases are there');
  const cli = join(root, 'node_modules', 'vscode-tmgrammar-test', 'dist', 'unit.js');
  const run = spawnSync(process.execPath, [cli, '--compact', '-g', 'syntaxes/sdprompt.tmLanguage.json', 'test/grammar/*.sdprompt'], { cwd: root, encoding: 'utf8' });
  assert.equal(run.status, 0, `vscode-tmgrammar-test failed:\n${run.stdout}\n${run.stderr}`);
  for (const name of cases) assert.match(run.stdout, new RegExp(`${name.replace('.', '\\.')} run successfuly`));
});
