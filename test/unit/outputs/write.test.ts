import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { prepareOutputFolder, removeLeftoverPartials, writeOutputSet } from '../../../src/core/outputs/write';

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

  test('an output path that is a file is named plainly, not as EEXIST', async () => {
    const blocker = path.join(tempDir(), 'shapes');
    writeFileSync(blocker, 'x');
    for (const result of [await prepareOutputFolder(blocker), await prepareOutputFolder(path.join(blocker, 'inner'))]) {
      assert.ok(!result.ok);
      assert.equal(result.error.message, 'cannot create the output folder: a file is in the way where a folder should be');
    }
  });

  test('leftovers of a killed writer are removed by the next run; those of live writers stay', async () => {
    const dir = tempDir();
    const host = hostname().replace(/[^A-Za-z0-9-]/g, '_');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const files = {
      killed: `.a-1.png.${host}-${dead}-0123abcd.partial`,
      live: `.a-2.png.${host}-${process.pid}-0123abcd.partial`,
      otherHost: `.a-3.png.elsewhere-${dead}-0123abcd.partial`,
      otherHostOld: `.a-4.png.elsewhere-${dead}-0123abcd.partial`,
      image: 'a-1.png',
    };
    for (const name of Object.values(files)) writeFileSync(path.join(dir, name), name);
    const old = new Date(Date.now() - 11 * 60 * 1000);
    utimesSync(path.join(dir, files.otherHostOld), old, old);
    const removed = await removeLeftoverPartials(dir);
    assert.deepEqual(removed.map((f) => path.basename(f)).sort(), [files.killed, files.otherHostOld].sort());
    assert.deepEqual(readdirSync(dir).sort(), [files.image, files.live, files.otherHost].sort());
    assert.equal(readFileSync(path.join(dir, files.image), 'utf8'), files.image);
  });

  test('prepareOutputFolder finds a folder that cannot be written before anything is computed, and leaves nothing', async (t) => {
    const dir = tempDir();
    const ready = await prepareOutputFolder(path.join(dir, 'new', 'deeper'));
    assert.ok(ready.ok);
    assert.deepEqual(readdirSync(dir), [], 'the folders it made for the probe are gone again');
    mkdirSync(path.join(dir, 'kept'));
    assert.ok((await prepareOutputFolder(path.join(dir, 'kept'))).ok);
    assert.deepEqual(readdirSync(dir), ['kept'], 'a folder that was there stays');
    assert.deepEqual(readdirSync(path.join(dir, 'kept')), [], 'the probe file is gone');
    if (process.getuid?.() === 0) {
      t.diagnostic('running as root, which writes through permissions: the read-only case is in test/integration/corpus (a read-only mount)');
      return;
    }
    chmodSync(dir, 0o555);
    try {
      const refused = await prepareOutputFolder(dir);
      assert.ok(!refused.ok);
      assert.equal(refused.error.message, 'cannot write in the output folder: permission denied');
    } finally {
      chmodSync(dir, 0o755);
    }
  });
});
