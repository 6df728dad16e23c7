// grid: a block's sweep through the real pipeline on a generated test model: one ordinary output
// (PNG and recipe) a cell, and a labelled grid PNG beside them whose cells are those images' pixels.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import { parseSdprompt } from '../../../src/core/format/parse';
import { planBlockJobs } from '../../../src/core/jobs/plan';
import { runJobs, type RunEvent } from '../../../src/core/jobs/run';
import { ModelCache } from '../../../src/core/pipelines/model-cache';
import { testModelDir } from '../../../tools/test-models/test-dir';

const models = new ModelCache();
after(() => models.release());

async function rgb(file: string): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** The region of `grid` at (left, top) the size of `cell` equals `cell`, sample for sample. */
function regionEquals(grid: { data: Buffer; width: number }, cell: { data: Buffer; width: number; height: number }, left: number, top: number): boolean {
  for (let y = 0; y < cell.height; y++) {
    const a = grid.data.subarray(((top + y) * grid.width + left) * 3, ((top + y) * grid.width + left + cell.width) * 3);
    if (!a.equals(cell.data.subarray(y * cell.width * 3, (y + 1) * cell.width * 3))) return false;
  }
  return true;
}

/** How many samples in a band of rows are dark (label text on the white background). */
function darkSamples(image: { data: Buffer; width: number }, x0: number, x1: number, y0: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (image.data[(y * image.width + x) * 3]! < 128) n++;
  return n;
}

describe('grid:', () => {
  test('cfg × steps: every cell an output with its recipe, and the labelled grid of them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sdprompt-grid-'));
    const file = path.join(dir, 'sweep.sdprompt');
    writeFileSync(file, `model: ${testModelDir('optimum')}\nsize: 48x40\n--- circle\na red circle\nseed: 4\ngrid: cfg 1, 7.5 x steps 1, 3, 2\n`);
    const parsed = parseSdprompt(readFileSync(file, 'utf8'), file);
    assert.deepEqual(parsed.diagnostics, []);
    const jobs = planBlockJobs(parsed, parsed.blocks[0]!, { promptFile: file, defaultModel: '/none' });
    assert.ok(jobs.ok);
    assert.deepEqual(jobs.value.map((j) => j.stem), [
      'circle-4-cfg-1-steps-1', 'circle-4-cfg-7-5-steps-1',
      'circle-4-cfg-1-steps-3', 'circle-4-cfg-7-5-steps-3',
      'circle-4-cfg-1-steps-2', 'circle-4-cfg-7-5-steps-2',
    ]);
    const events: RunEvent[] = [];
    const summary = await runJobs(jobs.value, { models, onEvent: (e) => void events.push(e) });
    assert.deepEqual(summary.errors, []);
    const out = path.join(dir, 'sweep');
    const recipes = jobs.value.map((j) => JSON.parse(readFileSync(path.join(out, `${j.stem}.json`), 'utf8')) as { cfg: number; steps: number; seed: number });
    assert.deepEqual(recipes.map((r) => [r.seed, r.cfg, r.steps]), [[4, 1, 1], [4, 7.5, 1], [4, 1, 3], [4, 7.5, 3], [4, 1, 2], [4, 7.5, 2]]);

    const gridEvents = events.filter((e) => e.type === 'grid');
    assert.equal(gridEvents.length, 1, 'one grid, after its last cell');
    assert.equal(gridEvents[0]!.path, path.join(out, 'circle-4-grid.png'));
    const record = JSON.parse(readFileSync(path.join(out, 'circle-4-grid.json'), 'utf8'));
    assert.deepEqual(
      [record.format, record.columns, record.rows, record.axes, record.cells, record.source.promptFile],
      ['sdprompt-grid', 2, 3, [{ key: 'cfg', values: ['1', '7.5'] }, { key: 'steps', values: ['1', '3', '2'] }], jobs.value.map((j) => `${j.stem}.png`), '../sweep.sdprompt'],
    );

    const grid = await rgb(path.join(out, 'circle-4-grid.png'));
    const left = grid.width - 2 * 48;
    const top = grid.height - 3 * 40;
    assert.ok(left > 0 && top > 0, `label bands: ${left} left, ${top} above`);
    for (const [i, job] of jobs.value.entries()) {
      const cell = await rgb(path.join(out, `${job.stem}.png`));
      assert.ok(regionEquals(grid, cell, left + (i % 2) * 48, top + Math.floor(i / 2) * 40), `cell ${job.stem} is the image's own pixels`);
    }
    for (const column of [0, 1]) assert.ok(darkSamples(grid, left + column * 48, left + (column + 1) * 48, 0, top) > 10, `column ${column} is labelled`);
    for (const row of [0, 1, 2]) assert.ok(darkSamples(grid, 0, left, top + row * 40, top + (row + 1) * 40) > 10, `row ${row} is labelled`);
    assert.equal(darkSamples(grid, 0, left, 0, top), 0, 'the corner is blank');
  });

  test('a schedule axis: the sampler with Karras sigmas and with its own, two different images, each recipe naming its sampler', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sdprompt-grid-'));
    const file = path.join(dir, 'schedules.sdprompt');
    writeFileSync(file, `model: ${testModelDir('optimum')}\nsize: 16x16\nsteps: 3\n--- s\nsquare\nseed: 2\nsampler: DPM++ 2M\ngrid: schedule automatic, karras\n`);
    const parsed = parseSdprompt(readFileSync(file, 'utf8'), file);
    const jobs = planBlockJobs(parsed, parsed.blocks[0]!, { promptFile: file, defaultModel: '/none' });
    assert.ok(jobs.ok);
    const summary = await runJobs(jobs.value, { models });
    assert.deepEqual(summary.errors, []);
    const out = path.join(dir, 'schedules');
    const recipes = jobs.value.map((j) => JSON.parse(readFileSync(path.join(out, `${j.stem}.json`), 'utf8')) as { sampler: { name: string; a1111: string; schedule: string } });
    assert.deepEqual(recipes.map((r) => [r.sampler.name, r.sampler.a1111, r.sampler.schedule]), [['dpmpp_2m', 'DPM++ 2M', 'automatic'], ['dpmpp_2m_karras', 'DPM++ 2M', 'karras']]);
    const [automatic, karras] = await Promise.all(jobs.value.map((j) => rgb(path.join(out, `${j.stem}.png`))));
    assert.ok(!automatic!.data.equals(karras!.data), 'the schedules give different images');
  });

  test('a seed axis is one grid over the seeds; a failed cell leaves its place grey and the rest are drawn', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sdprompt-grid-'));
    const file = path.join(dir, 'seeds.sdprompt');
    writeFileSync(file, `model: ${testModelDir('optimum')}\nsize: 16x16\nsteps: 1\n--- b\nblue\ngrid: seed 1..3\n`);
    const parsed = parseSdprompt(readFileSync(file, 'utf8'), file);
    const jobs = planBlockJobs(parsed, parsed.blocks[0]!, { promptFile: file, defaultModel: '/none' });
    assert.ok(jobs.ok);
    assert.deepEqual(jobs.value.map((j) => [j.stem, j.request.seed, j.grid?.stem]), [['b-1', 1, 'b-grid'], ['b-2', 2, 'b-grid'], ['b-3', 3, 'b-grid']]);
    // The middle cell fails: it names a picture that is not there.
    const broken = { ...jobs.value[1]!, request: { ...jobs.value[1]!.request, init: { path: path.join(dir, 'missing.png'), spec: 'missing.png' } } };
    const summary = await runJobs([jobs.value[0]!, broken, jobs.value[2]!], { models });
    assert.equal(summary.errors.length, 1);
    const files = readdirSync(path.join(dir, 'seeds')).sort();
    assert.deepEqual(files, ['b-1.json', 'b-1.png', 'b-3.json', 'b-3.png', 'b-grid.json', 'b-grid.png']);
    const record = JSON.parse(readFileSync(path.join(dir, 'seeds', 'b-grid.json'), 'utf8'));
    assert.deepEqual(record.cells, ['b-1.png', null, 'b-3.png']);
    const grid = await rgb(path.join(dir, 'seeds', 'b-grid.png'));
    // The labels are wider than these tiny images: each column is as wide as its label, the image centred in it.
    const top = grid.height - 16;
    const column = grid.width / 3;
    assert.ok(Number.isInteger(column) && column >= 16, `three equal columns: ${grid.width}`);
    const start = column + Math.floor((column - 16) / 2);
    const middle = grid.data.subarray((top * grid.width + start) * 3, (top * grid.width + start + 16) * 3);
    assert.ok(middle.every((v) => v === 0xd0), 'the missing cell is grey');
    const first = await rgb(path.join(dir, 'seeds', 'b-1.png'));
    assert.ok(regionEquals(grid, first, Math.floor((column - 16) / 2), top), 'the first cell is its image');
  });
});
