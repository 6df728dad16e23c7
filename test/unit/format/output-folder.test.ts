// The `output:` setting: a folder inside the prompt file's folder, set for the whole file.

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { parseOutputFolder } from '../../../src/core/format/output-folder';
import { parseSdprompt } from '../../../src/core/format/parse';
import { promptOutputDir } from '../../../src/core/format/resolve';
import { planBlockJobs } from '../../../src/core/jobs/plan';

describe('output: DIR', () => {
  test('takes a folder inside the prompt file’s folder, in a clean form', () => {
    const accepted = ['renders', 'renders/shapes/', './out', 'a\\b', 'x/../y'].map((t) => {
      const r = parseOutputFolder(t);
      return r.ok ? r.value : r.problem.message;
    });
    assert.deepEqual(accepted, ['renders', 'renders/shapes', 'out', 'a/b', 'y']);
  });

  test('refuses absolute paths, the home folder, the file’s own folder and anything above it', () => {
    const refused = ['/tmp/out', 'C:\\out', '~/out', '~', '.', './', '..', '../x', 'a/../../x'].map((t) => {
      const r = parseOutputFolder(t);
      return r.ok ? `accepted ${r.value}` : r.problem.message.split(';')[0]!.split(' (')[0];
    });
    assert.deepEqual(refused, [
      'output is a folder relative to the prompt file, such as `renders`',
      'output is a folder relative to the prompt file, such as `renders`',
      'output is a folder relative to the prompt file, such as `renders`',
      'output is a folder relative to the prompt file, such as `renders`',
      "output must name a folder inside the prompt file's folder, not the folder itself",
      "output must name a folder inside the prompt file's folder, not the folder itself",
      "output must stay inside the prompt file's folder",
      "output must stay inside the prompt file's folder",
      "output must stay inside the prompt file's folder",
    ]);
  });

  test('an escaping value is an error at its line and column', () => {
    const parsed = parseSdprompt('output: ../elsewhere\n--- a\nred\n', 'p.sdprompt');
    assert.deepEqual(parsed.diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.column]), [['invalid-output', 1, 9]]);
    assert.equal(parsed.header.output, undefined);
  });

  test('is the whole file’s: in a block of a file with separators it is an error', () => {
    const parsed = parseSdprompt('--- a\nred\noutput: renders\n', 'p.sdprompt');
    assert.deepEqual(parsed.diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.column, d.message]), [
      ['file-setting-in-block', 3, 1, "'output' applies to the whole file: set it in the header, above the first '---'"],
    ]);
  });

  test('decides where every block’s images go; the default is the folder named after the file', () => {
    const file = path.resolve('/work/prompts/shapes.sdprompt');
    const withSetting = parseSdprompt('output: renders/shapes\n--- a\nred\nseed: 1\n--- b\nblue\nseed: 2\n');
    assert.equal(promptOutputDir(withSetting, file), path.resolve('/work/prompts/renders/shapes'));
    const planned = withSetting.blocks.map((b) => planBlockJobs(withSetting, b, { promptFile: file, defaultModel: '/m' }));
    assert.deepEqual(planned.map((p) => p.ok && p.value.map((j) => path.join(j.outputDir, j.stem))), [
      [path.resolve('/work/prompts/renders/shapes/a-1')],
      [path.resolve('/work/prompts/renders/shapes/b-2')],
    ]);
    assert.equal(promptOutputDir(parseSdprompt('output: out\nred\n'), file), path.resolve('/work/prompts/out'), 'a file without separators sets it in its one block');
    assert.equal(promptOutputDir(parseSdprompt('--- a\nred\n'), file), path.resolve('/work/prompts/shapes'));
  });
});
