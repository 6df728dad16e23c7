import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSdprompt } from '../../../src/core/format/parse';
import { planBlockJobs, type Job } from '../../../src/core/jobs/plan';
import { MAX_IDLE_MS, parseEngineRequest, type EngineRequest } from '../../../src/protocol/engine';

function plannedJobs(text: string): Job[] {
  const parsed = parseSdprompt(text, '/work/p.sdprompt');
  return parsed.blocks.flatMap((block) => {
    const planned = planBlockJobs(parsed, block, { promptFile: '/work/p.sdprompt', defaultModel: '/models/sd' });
    assert.ok(planned.ok);
    return planned.value;
  });
}

const JOB = plannedJobs('red\nseed: 1\n')[0]!;

const JOB_FIELDS = new Set(['model', 'outputDir', 'stem', 'source']);

/** A copy of the planned job with one field (of the job, or else of its request) changed; undefined deletes it. */
function jobWith(field: string, value: unknown): Record<string, unknown> {
  const job = JSON.parse(JSON.stringify(JOB)) as Record<string, unknown> & { request: Record<string, unknown> };
  const target: Record<string, unknown> = JOB_FIELDS.has(field) ? job : job.request;
  if (value === undefined) delete target[field];
  else target[field] = value;
  return job;
}

function refusal(data: unknown): { message: string; runId?: string } {
  const parsed = parseEngineRequest(data);
  if (parsed.ok) assert.fail(`accepted ${JSON.stringify(data)}`);
  const { ok: _, ...answer } = parsed;
  return answer;
}

describe('parseEngineRequest', () => {
  it('accepts every request the host sends, jobs as the planner makes them (through JSON, as IPC sends them)', () => {
    const jobs = plannedJobs(
      'model: ../m\n--- a\nred (circle:1.2)\nseed: 1..3\nsteps: 5\ncfg: 4.5\nsampler: DPM++ 2M Karras\nsize: 64x32\nnegative: blue\n--- Ünïcode name!\nx\nseed: 4294967295\nrng: torch\n' +
        '--- inpaint\ny\ninit: in.png\nmask: m.png\nmask_blur: 8\nmasked_content: fill\ninpaint_area: masked\npadding: 16\nmask_invert: true\nstrength: 0.5\nresize: crop\n' +
        '--- outpaint\nz\ninit: in.png\noutpaint: left 64, top 8\n--- depth\nw\ninit: in.png\ndepth: auto\n--- variation\nv\nsubseed: 7\nsubseed_strength: 0.3\nwatermark: false\n',
    );
    assert.ok(jobs.some((j) => j.request.mask !== undefined) && jobs.some((j) => j.request.outpaint !== undefined) && jobs.some((j) => j.request.depth === 'auto'));
    assert.ok(jobs.some((j) => j.request.subseed === 7 && j.request.subseedStrength === 0.3 && j.request.watermark === false));
    const requests: EngineRequest[] = [
      { type: 'configure', options: { executionProvider: 'cpu', threads: 4, idleMs: 300_000 } },
      { type: 'configure', options: { executionProvider: 'auto', threads: 0, idleMs: 0 } },
      { type: 'run', runId: 'r-1', jobs, previews: true },
      { type: 'cancel', runId: 'r-1' },
      { type: 'shutdown' },
    ];
    for (const request of requests) {
      const parsed = parseEngineRequest(JSON.parse(JSON.stringify(request)));
      assert.ok(parsed.ok, JSON.stringify(parsed));
      assert.deepEqual(parsed.value, request);
    }
  });

  it('answers the messages that used to kill the engine, or got no answer, with what is wrong', () => {
    assert.match(refusal(null).message, /a request must be an object, not null/);
    assert.match(refusal('run').message, /must be an object/);
    assert.match(refusal([]).message, /must be an object/);
    assert.match(refusal({ type: 'frobnicate' }).message, /unknown request type "frobnicate"/);
    assert.match(refusal({}).message, /unknown request type undefined/);
    assert.deepEqual(refusal({ type: 'run', runId: 'a' }), { message: 'run a: previews must be true or false, not undefined', runId: 'a' });
    assert.deepEqual(refusal({ type: 'run', runId: 'a', previews: false }), { message: 'run a: jobs must be a list of 1 to 10000 jobs, not undefined', runId: 'a' });
    assert.match(refusal({ type: 'run', runId: 'a', previews: false, jobs: 'nope' }).message, /jobs must be a list of 1 to 10000 jobs, not "nope"/);
    assert.match(refusal({ type: 'run', runId: 'a', previews: false, jobs: [] }).message, /jobs must be a list/);
    assert.match(refusal({ type: 'run', runId: 'a', previews: false, jobs: [null] }).message, /^run a: jobs\[0\]: must be an object, not null$/);
    assert.match(refusal({ type: 'run', runId: '', previews: false, jobs: [JOB] }).message, /runId must be text/);
    assert.equal(refusal({ type: 'run', runId: 7, previews: false, jobs: [JOB] }).runId, undefined);
    assert.match(refusal({ type: 'cancel' }).message, /^cancel: runId must be text/);
  });

  it('checks every field of a job against the format\'s limits and names the field', () => {
    const cases: [string, unknown, RegExp][] = [
      ['cfg', null, /cfg must be a number from 0 to 100, not null/],
      ['cfg', -3, /cfg must be a number from 0 to 100, not -3/],
      ['cfg', 1e30, /cfg must be a number from 0 to 100, not 1e\+30/],
      ['cfg', Number.NaN, /cfg must be a number/],
      ['seed', 2 ** 32, /seed must be a whole number from 0 to 4294967295, not 4294967296/],
      ['seed', 1.5, /seed must be a whole number/],
      ['seed', '1', /seed must be a whole number/],
      ['steps', 0, /steps must be a whole number from 1 to 1000, not 0/],
      ['steps', 1001, /steps must be a whole number from 1 to 1000/],
      ['sampler', { sampler: { id: 'bogus' }, karras: false, name: 'bogus' }, /sampler must name a known sampler/],
      ['sampler', { name: 'Euler a' }, /sampler must name a known sampler/], // names must be canonical, as the planner sends them
      ['sampler', 'euler', /sampler must name a known sampler/],
      ['size', '64', /size must be \{ width, height \}, not "64"/],
      ['size', { width: 64 }, /size height must be a whole number, not undefined/],
      ['size', { width: 60, height: 64 }, /size width 60 is not a multiple of 8/],
      ['size', { width: 8192, height: 64 }, /size width must be from 8 to 4096, not 8192/],
      ['rng', 'bogus', /rng must name a known noise source, not "bogus"/],
      ['subseed', -1, /subseed must be a whole number from 0 to 4294967295, not -1/],
      ['subseedStrength', 2, /subseedStrength must be a number from 0 to 1, not 2/],
      ['watermark', 'yes', /watermark must be true or false, not "yes"/],
      ['model', { dir: 'relative/dir', spec: 'x' }, /model dir must be an absolute path/],
      ['model', undefined, /model must be an object, not undefined/],
      ['outputDir', 'out', /outputDir must be an absolute path, not "out"/],
      ['outputDir', '/a\0b', /outputDir must be an absolute path/],
      ['stem', '../escape', /stem must be a plain file name stem, not "..\/escape"/],
      ['stem', '.hidden', /stem must be a plain file name stem/],
      ['stem', '', /stem must be a plain file name stem/],
      ['prompt', 5, /prompt must be text, not 5/],
      ['prompt', 'x'.repeat(20_001), /prompt is too long: the prompt is 20001 characters long; it may be at most 20000/],
      ['negativePrompt', 'a BREAK '.repeat(40), /negativePrompt is too long: the negative prompt makes at least 40 chunks/],
      ['source', { promptFile: '/p.sdprompt', block: { index: 0, line: 1 } }, /source block index must be a whole number from 1/],
      ['init', { path: 'relative.png', spec: 'relative.png' }, /init path must be an absolute path, not "relative.png"/],
      ['init', '/abs.png', /init must be an object, not "\/abs.png"/],
      ['depth', 'estimate', /depth must be an object, not "estimate"/],
      ['strength', 2, /strength must be a number from 0 to 1, not 2/],
      ['resize', 'squash', /resize must be one of stretch, crop, fill, not "squash"/],
      ['maskBlur', 65, /maskBlur must be a whole number from 0 to 64, not 65/],
      ['outpaint', { left: 7, right: 0, top: 0, bottom: 0 }, /outpaint left must be a multiple of 8 pixels from 0 to 2048, not 7/],
    ];
    for (const [field, value, expected] of cases) {
      const { message } = refusal({ type: 'run', runId: 'r', previews: false, jobs: [JOB, jobWith(field, value)] });
      assert.match(message, expected, `${field} = ${JSON.stringify(value)?.slice(0, 40)}`);
      assert.ok(message.startsWith('run r: jobs[1]: '), message);
      assert.ok(message.length < 200, `a short message, not ${message.length} characters`);
    }
  });

  it('takes a picture\'s origin as the prompt file is named (a relative name, for messages only)', () => {
    const init = { path: '/w/shapes/red-circle-4.png', spec: 'shapes/red-circle-4.png', origin: { file: 'shapes.sdprompt', line: 13, column: 7 } };
    const parsed = parseEngineRequest({ type: 'run', runId: 'r', previews: false, jobs: [jobWith('init', init)] });
    assert.ok(parsed.ok, JSON.stringify(parsed));
    const { message } = refusal({ type: 'run', runId: 'r', previews: false, jobs: [jobWith('init', { ...init, origin: { file: '', line: 1, column: 1 } })] });
    assert.match(message, /init origin file must be a file name/);
  });

  it('rebuilds the job from checked fields: the sampler from the registry, extra fields dropped', () => {
    const sampler = { name: 'euler_a', schedule: 'karras', sampler: { id: 'ddim', diffusersClass: 'Evil' } };
    const parsed = parseEngineRequest({ type: 'run', runId: 'r', previews: false, jobs: [{ ...jobWith('sampler', sampler), extra: 1 }] });
    assert.ok(parsed.ok && parsed.value.type === 'run');
    const job = parsed.value.jobs[0]!;
    assert.equal(job.request.sampler?.sampler.id, 'euler_a');
    assert.equal(job.request.sampler?.schedule, 'automatic');
    assert.ok(!('extra' in job));
  });

  it('bounds the engine options: threads, idle time (Node\'s timer limit) and the provider', () => {
    const options = { executionProvider: 'cpu', threads: 0, idleMs: 0 };
    const configure = (o: Record<string, unknown>) => refusal({ type: 'configure', options: { ...options, ...o } }).message;
    assert.match(configure({ threads: 1e9 }), /^configure: options.threads must be a whole number from 0 to 256, not 1000000000$/);
    assert.match(configure({ deviceId: 256 }), /^configure: options.deviceId must be a whole number from 0 to 255, not 256$/);
    assert.match(configure({ deviceId: -1 }), /options.deviceId must be a whole number/);
    assert.match(configure({ threads: -1 }), /options.threads/);
    assert.match(configure({ threads: 1.5 }), /options.threads/);
    assert.match(configure({ idleMs: 1e12 }), new RegExp(`options.idleMs must be a whole number of milliseconds from 0 to ${MAX_IDLE_MS}, not 1000000000000`));
    assert.match(configure({ idleMs: Number.POSITIVE_INFINITY }), /options.idleMs/);
    assert.match(configure({ executionProvider: 'tpu' }), /options.executionProvider must be one of auto, cpu/);
    assert.match(configure({ lowMemory: 'yes' }), /^configure: options.lowMemory must be true or false, not "yes"$/);
    const low = parseEngineRequest({ type: 'configure', options: { ...options, lowMemory: true } });
    assert.ok(low.ok && low.value.type === 'configure' && low.value.options.lowMemory === true);
    const off = parseEngineRequest({ type: 'configure', options: { ...options, lowMemory: false } });
    assert.ok(off.ok && off.value.type === 'configure' && !('lowMemory' in off.value.options), 'false is the default: left out');
    assert.match(refusal({ type: 'configure' }).message, /options must be an object, not undefined/);
    assert.ok(parseEngineRequest({ type: 'configure', options: { ...options, idleMs: MAX_IDLE_MS } }).ok);
  });
});
