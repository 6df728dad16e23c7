// The bad-input corpus (issue 11): every case of the tables in cases-*.ts run through the built
// CLI, each checked for its exit code, its message and where it points, no temporary file left
// and earlier outputs byte-identical (harness.ts). The output ends with the count of each kind.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IMAGE_CASES } from './cases-image';
import { MODEL_CASES } from './cases-model';
import { OUTPUT_CASES } from './cases-output';
import { PROMPT_CASES } from './cases-prompt';
import { SIGNAL_CASES } from './cases-signal';
import { missingNeed, runCase, type CaseKind, type CorpusCase } from './harness';

const CASES: CorpusCase[] = [...PROMPT_CASES, ...MODEL_CASES, ...IMAGE_CASES, ...OUTPUT_CASES, ...SIGNAL_CASES];

const ran = new Map<CaseKind, number>();
const skipped: string[] = [];
let casesLeft = CASES.length;
let caseDone: () => void;
const allCasesDone = new Promise<void>((resolve) => (caseDone = resolve));
const settle = () => --casesLeft === 0 && caseDone();

// Two cases at a time: each is a pair of child processes, mostly waiting.
describe('bad-input corpus', { concurrency: 2 }, () => {
  for (const c of CASES) {
    test(`${c.kind}: ${c.name}`, async (t) => {
      try {
        const missing = missingNeed(c.needs);
        if (missing) {
          skipped.push(`${c.kind}: ${c.name} (${missing})`);
          t.skip(missing);
          return;
        }
        await runCase(c);
        ran.set(c.kind, (ran.get(c.kind) ?? 0) + 1);
      } finally {
        settle();
      }
    });
  }

  // Last, after the others (a suite's tests start in order; this one waits for them).
  test('counts per kind', async (t) => {
    await allCasesDone;
    const kinds: CaseKind[] = ['prompt file', 'model folder', 'output folder', 'signal', 'image'];
    for (const kind of kinds) t.diagnostic(`${kind}: ${ran.get(kind) ?? 0} of ${CASES.filter((c) => c.kind === kind).length} cases ran`);
    for (const s of skipped) t.diagnostic(`skipped ${s}`);
    const total = [...ran.values()].reduce((a, b) => a + b, 0);
    t.diagnostic(`${total} cases ran, ${skipped.length} skipped`);
    assert.equal(total + skipped.length, CASES.length, 'every case ran or said why not (a failed case is counted in neither)');
  });
});
