// `sdprompt status` on a rendered prompt repository: each block's seeds and grid cells new,
// current or stale as the file is edited, and every kind of bad input (a recipe missing, not JSON
// or newer, an image edited by hand, a model folder that moved) named, with nothing written.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { OUT, repository, spoilRecords } from './prompt-repository';
import { sdprompt } from './run-cli';

interface ImageJson {
  path: string;
  state: string;
  changed: string[];
  edited: boolean;
}
interface JobJson {
  seed?: number;
  cell?: { column: number; row: number };
  state: string;
  images: ImageJson[];
  unreadable: { path: string; message: string }[];
}
interface BlockJson {
  name?: string;
  randomSeed: boolean;
  problem?: string;
  jobs: JobJson[];
  others: ImageJson[];
}

const FILE = path.join('prompts', 'shapes.sdprompt');

function status(repo: string): { code: number; blocks: Record<string, BlockJson> } {
  const r = sdprompt(['status', FILE, '--json'], repo);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { blocks: BlockJson[] };
  return { code: r.code, blocks: Object.fromEntries(report.blocks.map((b) => [b.name ?? '', b])) };
}

/** Each job as `label: state`, its images' names and what changed. */
function summary(block: BlockJson): string[] {
  return [
    ...block.jobs.map((j) => `${j.seed ?? 'random'}${j.cell ? `@${j.cell.column},${j.cell.row}` : ''}: ${j.state}${j.images.map((i) => ` ${path.basename(i.path)}${i.state === 'current' ? '' : `(${i.state}: ${i.changed.join(' ')})`}`).join('')}`),
    ...block.others.map((i) => `other ${path.basename(i.path)}: ${i.state}${i.changed.length ? ` (${i.changed.join(' ')})` : ''}`),
  ];
}

function editPromptFile(repo: string, edit: (text: string) => string): void {
  const file = path.join(repo, FILE);
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
}

const snapshot = (dir: string) => readdirSync(dir).sort().map((n) => [n, readFileSync(path.join(dir, n)).toString('base64')]);

describe('sdprompt status', () => {
  test('a fresh render is current; a block without a seed is new each run, its images listed apart', async () => {
    const repo = await repository({ modelInside: true, moreBlocks: '--- loose\nyellow\n' });
    const { blocks } = status(repo);
    assert.deepEqual(summary(blocks['circle']!), ['1: current circle-1.png', '2: current circle-2.png']);
    assert.deepEqual(summary(blocks['redo']!), ['3: current redo-3.png']);
    assert.deepEqual(summary(blocks['sweep']!), ['4@0,0: current sweep-4-cfg-1.png', '4@1,0: current sweep-4-cfg-7.png']);
    const loose = blocks['loose']!;
    assert.equal(loose.randomSeed, true);
    assert.equal(loose.jobs.length, 1);
    assert.equal(loose.jobs[0]!.state, 'new');
    assert.equal(loose.others.length, 1);
    assert.match(path.basename(loose.others[0]!.path), /^loose-\d+\.png$/);
    assert.equal(loose.others[0]!.state, 'current', 'the random seed’s image is what the block makes with that seed');

    const text = sdprompt(['status', FILE], repo);
    assert.match(text.stdout, /^ {2}seed 1: current {2}prompts\/shapes\/circle-1\.png$/m);
    assert.match(text.stdout, /^ {2}seed 4, cfg 7: current {2}prompts\/shapes\/sweep-4-cfg-7\.png$/m);
    assert.match(text.stdout, /^ {2}random seed: new each run$/m);
    assert.match(text.stdout, /^ {2}not asked for now: prompts\/shapes\/loose-\d+\.png \(seed \d+\)$/m);
    assert.equal(text.stderr.trim(), 'sdprompt: 5 current, 1 new');
  });

  test('editing the file: a seed added is new, a changed setting or init makes the image stale, a grid value taken out leaves its image apart', async () => {
    const repo = await repository({ modelInside: true });
    editPromptFile(repo, (t) => t.replace('seed: 1, 2\n', 'seed: 1, 2, 5\ncfg: 7\n').replace('strength: 0.6\n', 'strength: 0.5\n').replace('grid: cfg 1, 7', 'grid: cfg 1, 9'));
    let { blocks } = status(repo);
    assert.deepEqual(summary(blocks['circle']!), ['1: current circle-1.png', '2: current circle-2.png', '5: new'], 'cfg 7 is the default: the same image');
    assert.deepEqual(summary(blocks['redo']!), ['3: stale redo-3.png(stale: strength)']);
    assert.deepEqual(summary(blocks['sweep']!), ['4@0,0: current sweep-4-cfg-1.png', '4@1,0: new', 'other sweep-4-cfg-7.png: stale (grid)']);

    editPromptFile(repo, (t) => t.replace('cfg: 7\n', 'cfg: 6\nsteps: 3\n').replace('strength: 0.5\n', 'strength: 0.6\n'));
    const init = path.join(repo, 'prompts', 'pictures', 'init.png');
    await sharp({ create: { width: 24, height: 16, channels: 3, background: '#808080' } }).png().toFile(`${init}.new`);
    renameSync(`${init}.new`, init);
    ({ blocks } = status(repo));
    assert.deepEqual(summary(blocks['circle']!), ['1: stale circle-1.png(stale: cfg steps)', '2: stale circle-2.png(stale: cfg steps)', '5: new']);
    assert.deepEqual(summary(blocks['redo']!), ['3: stale redo-3.png(stale: init)']);

    editPromptFile(repo, (t) => t.replace('--- sweep', '--- swept'));
    const renamed = sdprompt(['status', FILE, '--json'], repo);
    assert.deepEqual((JSON.parse(renamed.stdout) as { orphans: string[] }).orphans.map((p) => path.basename(p)).sort(), ['sweep-4-cfg-1.png', 'sweep-4-cfg-7.png']);
    assert.match(sdprompt(['status', FILE], repo).stdout, /^prompts\/shapes\/sweep-4-cfg-1\.png: made by block 'sweep', which the file no longer has$/m);
  });

  test('--check: exit 0 while every image the file asks for is current; 6 once one is stale, missing, edited or left over', async () => {
    const repo = await repository({ modelInside: true, moreBlocks: '--- loose\nyellow\n' });
    const check = (...more: string[]) => sdprompt(['status', FILE, '--check', ...more], repo);
    assert.equal(check().code, 0, 'a random seed asks for no particular image: it does not count');
    assert.equal(check('--json').code, 0);
    assert.equal(sdprompt(['status', FILE], repo).code, 0);
    editPromptFile(repo, (t) => t.replace('seed: 1, 2\n', 'seed: 1, 2\ncfg: 6\n'));
    const stale = check();
    assert.equal(stale.code, 6, stale.stderr);
    assert.match(stale.stderr, /2 stale/);
    assert.equal(check('--json').code, 6);
    assert.equal(sdprompt(['status', FILE], repo).code, 0, 'without --check the report is all');
    editPromptFile(repo, (t) => t.replace('cfg: 6\n', '').replace('seed: 3\n', 'seed: 3, 8\n'));
    assert.equal(check().code, 6, 'seed 8 has no image');
    editPromptFile(repo, (t) => t.replace('seed: 3, 8\n', 'seed: 3\n'));
    assert.equal(check().code, 0, 'back as rendered');
    editPromptFile(repo, (t) => t.replace(/--- sweep[^]*?(?=--- loose)/, ''));
    const left = check();
    assert.equal(left.code, 6);
    assert.match(left.stderr, /2 of blocks the file no longer has/);
  });

  test('a recipe missing, not JSON or newer, an image edited by hand, a model folder that moved: each named, nothing written', async () => {
    const repo = await repository({ modelInside: true });
    const out = path.join(repo, ...OUT);
    spoilRecords(out, { missing: 'sweep-4-cfg-1', notJson: 'circle-2', newer: 'redo-3' });
    const { data, info } = await sharp(path.join(out, 'circle-1.png')).raw().toBuffer({ resolveWithObject: true });
    data[0] = data[0]! ^ 0x10;
    await sharp(data, { raw: info }).png().toFile(path.join(out, 'circle-1.png.tmp'));
    renameSync(path.join(out, 'circle-1.png.tmp'), path.join(out, 'circle-1.png'));
    const before = snapshot(out);

    const { blocks } = status(repo);
    const circle = blocks['circle']!;
    assert.deepEqual([circle.jobs[0]!.state, circle.jobs[0]!.images[0]!.edited], ['current', true], 'edited by hand: its recipe still matches the block, and the edit is named');
    assert.equal(circle.jobs[1]!.state, 'unknown');
    assert.match(circle.jobs[1]!.unreadable[0]!.message, /^the recipe is not valid JSON \(.+\): edited by hand\?$/);
    assert.deepEqual(blocks['redo']!.jobs[0]!.unreadable.map((u) => u.message), ['the recipe is version 2, from a newer sdprompt; this one reads version 1: update sdprompt']);
    assert.deepEqual(blocks['sweep']!.jobs[0]!.unreadable.map((u) => [path.basename(u.path), u.message]), [['sweep-4-cfg-1.png', 'the image has no recipe beside it']]);
    const text = sdprompt(['status', FILE], repo);
    assert.match(text.stdout, /^ {2}seed 1: current {2}prompts\/shapes\/circle-1\.png \(edited after it was written\)$/m);
    assert.match(text.stdout, /^ {2}seed 3: unknown {2}prompts\/shapes\/redo-3\.png \(the recipe is version 2, from a newer sdprompt; this one reads version 1: update sdprompt\)$/m);
    assert.equal(text.stderr.trim(), 'sdprompt: 2 current, 3 unknown; 1 edited by hand; 3 without a readable recipe');

    renameSync(path.join(repo, 'models', 'optimum'), path.join(repo, 'models', 'elsewhere'));
    const moved = status(repo).blocks['circle']!;
    assert.match(moved.problem!, /^its model folder \.\.\/models\/optimum: the model folder does not exist/);
    assert.deepEqual(moved.jobs.map((j) => j.state), ['unknown', 'unknown']);
    assert.deepEqual(snapshot(out), before, 'status writes nothing');
  });
});
