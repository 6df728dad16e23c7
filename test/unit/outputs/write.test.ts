import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { writeOutputSet } from '../../../src/core/outputs/write';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'sdprompt-write-'));

describe('writeOutputSet', () => {
  test('writes every file of the set under the stem, creating the folder', async () => {
    const dir = path.join(tempDir(), 'shapes');
    const result = await writeOutputSet(dir, 'circle-1', [
      { extension: '.png', data: Buffer.from([1, 2, 3]) },
      { extension: '.json', data: '{"a":1}' },
    ]);
    assert.ok(result.ok);
    assert.deepEqual(result.value, { stem: 'circle-1', paths: [path.join(dir, 'circle-1.png'), path.join(dir, 'circle-1.json')] });
    assert.deepEqual([...readFileSync(path.join(dir, 'circle-1.png'))], [1, 2, 3]);
    assert.equal(readFileSync(path.join(dir, 'circle-1.json'), 'utf8'), '{"a":1}');
    assert.deepEqual(readdirSync(dir).sort(), ['circle-1.json', 'circle-1.png']);
  });

  test('never overwrites: a taken stem moves the whole set to -2, -3', async () => {
    const dir = tempDir();
    const files = (n: number) => [
      { extension: '.png', data: `png ${n}` },
      { extension: '.json', data: `json ${n}` },
    ];
    await writeOutputSet(dir, 'a-1', files(1));
    writeFileSync(path.join(dir, 'a-1-2.json'), 'someone else');
    const second = await writeOutputSet(dir, 'a-1', files(2));
    assert.ok(second.ok);
    assert.equal(second.value.stem, 'a-1-3');
    assert.equal(readFileSync(path.join(dir, 'a-1.png'), 'utf8'), 'png 1');
    assert.equal(readFileSync(path.join(dir, 'a-1-2.json'), 'utf8'), 'someone else');
    assert.equal(readFileSync(path.join(dir, 'a-1-3.png'), 'utf8'), 'png 2');
    assert.deepEqual(readdirSync(dir).sort(), ['a-1-2.json', 'a-1-3.json', 'a-1-3.png', 'a-1.json', 'a-1.png']);
  });

  test('concurrent writers of one stem all land, under different names', async () => {
    const dir = tempDir();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => writeOutputSet(dir, 'x-5', [{ extension: '.png', data: `image ${i}` }])),
    );
    const stems = results.map((r) => (r.ok ? r.value.stem : r.error.message)).sort();
    assert.deepEqual(stems, ['x-5', 'x-5-2', 'x-5-3', 'x-5-4', 'x-5-5', 'x-5-6']);
    const contents = readdirSync(dir).map((f) => readFileSync(path.join(dir, f), 'utf8')).sort();
    assert.deepEqual(contents, [0, 1, 2, 3, 4, 5].map((i) => `image ${i}`));
  });

  test('an output folder that cannot be made is an error naming it', async () => {
    const blocker = path.join(tempDir(), 'shapes');
    writeFileSync(blocker, 'a file where the folder should be');
    const result = await writeOutputSet(blocker, 'a-1', [{ extension: '.png', data: 'x' }]);
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'output-failed');
    assert.equal(result.error.file, blocker);
    assert.match(result.error.message, /cannot create the output folder/);
  });

  test('a write that fails part-way (no space) leaves nothing behind and earlier outputs intact', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a-1.png'), 'earlier image');
    // A file-size limit makes writes past 1 KiB fail with EFBIG, as a full disk fails with ENOSPC.
    const script = `
      const { writeOutputSet } = require(${JSON.stringify(path.resolve(__dirname, '../../../src/core/outputs/write.js'))});
      writeOutputSet(${JSON.stringify(dir)}, 'a-1', [
        { extension: '.json', data: 'small' },
        { extension: '.png', data: Buffer.alloc(64 * 1024, 7) },
      ]).then((r) => console.log(JSON.stringify(r)));`;
    const child = spawnSync('bash', ['-c', 'ulimit -f 1; exec "$0" -e "$1"', process.execPath, script], { encoding: 'utf8' });
    const result = JSON.parse(child.stdout);
    assert.equal(result.ok, false, child.stderr);
    assert.equal(result.error.code, 'output-failed');
    assert.match(result.error.message, /cannot write a-1/);
    assert.deepEqual(readdirSync(dir), ['a-1.png']);
    assert.equal(readFileSync(path.join(dir, 'a-1.png'), 'utf8'), 'earlier image');
  });
});
