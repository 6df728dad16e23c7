// What the fuzz test runs on each input, and what must hold: nothing throws, every position a
// result gives is inside the text, the same input gives the same result, and the engine's parser
// never accepts what it would refuse a second time.

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseSdprompt, sourcePosition } from '../../../src/core/format/parse';
import { planBlockJobs } from '../../../src/core/jobs/plan';
import { checkJob } from '../../../src/core/jobs/check';
import { parseEmphasis } from '../../../src/core/prompt/emphasis';
import { parseEngineRequest } from '../../../src/protocol/engine';
import { emphasisText, engineMessage, inputRandom, promptFileText } from './generators';

export const TARGETS = ['format parser', 'emphasis parser', 'engine messages'] as const;
export type Target = (typeof TARGETS)[number];

function validJob(): Record<string, unknown> {
  const file = path.resolve('/fuzz/p.sdprompt');
  const parsed = parseSdprompt('red (circle:1.2)\nseed: 3\nsize: 64x64\nsampler: euler_a\ninit: in.png\nmask: m.png\nmask_blur: 8\ninpaint_area: masked\nstrength: 0.6\n', file);
  const planned = planBlockJobs(parsed, parsed.blocks[0]!, { promptFile: file, defaultModel: path.resolve('/models/sd') });
  assert.ok(planned.ok);
  return JSON.parse(JSON.stringify(planned.value[0])) as Record<string, unknown>;
}

const VALID_JOB = validJob();

/** The input `index` of `target`'s stream for `seed`. */
export function fuzzInput(target: Target, seed: number, index: number): unknown {
  const random = inputRandom(seed + TARGETS.indexOf(target), index);
  switch (target) {
    case 'format parser':
      return promptFileText(random);
    case 'emphasis parser':
      return emphasisText(random);
    case 'engine messages':
      return engineMessage(random, VALID_JOB);
  }
}

function checkFormat(text: string): void {
  const parsed = parseSdprompt(text, 'fuzz.sdprompt');
  const lineCount = parsed.lines.length;
  for (const d of parsed.diagnostics) {
    assert.ok(d.range.start.line >= 1 && d.range.start.line <= Math.max(1, lineCount), `diagnostic line ${d.range.start.line} of ${lineCount}`);
    assert.ok(d.range.start.column >= 1 && d.range.end.column >= d.range.start.column, 'diagnostic columns');
    assert.ok(!/[\u0000-\u0008\u000b-\u001f]/.test(d.message), `raw control character in ${JSON.stringify(d.message)}`);
  }
  for (const block of parsed.blocks) {
    assert.ok(block.startLine >= 1 && block.endLine >= block.startLine - 1 && block.endLine <= lineCount, 'block lines');
    for (let offset = 0; offset < block.prompt.text.length; offset += 7) {
      const at = sourcePosition(block.prompt, offset);
      if (at) assert.ok(at.line >= block.startLine && at.line <= block.endLine, 'prompt text maps into its block');
    }
  }
  assert.equal(JSON.stringify(parseSdprompt(text, 'fuzz.sdprompt')), JSON.stringify(parsed), 'the same text parses the same');
}

function checkEmphasis(text: string): void {
  const runs = parseEmphasis(text);
  assert.ok(runs.length >= 1);
  for (const run of runs) {
    assert.ok(run.start >= 0 && run.end <= text.length && run.start <= run.end, `run ${run.start}..${run.end} of ${text.length}`);
    if (!('break' in run)) assert.ok(!Number.isNaN(run.weight), 'a weight is a number');
  }
}

function checkEngineMessage(message: unknown): void {
  const parsed = parseEngineRequest(message);
  if (!parsed.ok) {
    assert.equal(typeof parsed.message, 'string');
    assert.ok(parsed.message.length < 400, `a short message (${parsed.message.length} characters)`);
    return;
  }
  // What it accepted is what it would accept again, unchanged: nothing unchecked slipped through.
  const again = parseEngineRequest(JSON.parse(JSON.stringify(parsed.value)));
  assert.ok(again.ok, 'accepted once, accepted again');
  assert.deepEqual(again.value, parsed.value);
  if (parsed.value.type === 'run') for (const job of parsed.value.jobs) assert.ok(checkJob(job).ok);
}

export function checkInput(target: Target, input: unknown): void {
  switch (target) {
    case 'format parser':
      return checkFormat(input as string);
    case 'emphasis parser':
      return checkEmphasis(input as string);
    case 'engine messages':
      return checkEngineMessage(input);
  }
}
