// The results panel's state (src/extension/panel-state.ts) as a pure function: blocks and where
// their settings come from, the active block, images grouped by the block that made them, runs.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSdprompt } from '../../../src/core/format/parse';
import { blockThatMade } from '../../../src/core/format/resolve';
import { demoModelDir } from '../../../src/core/models/demo';
import { inspectModelFolder } from '../../../src/core/models/folder';
import type { Recipe } from '../../../src/core/outputs/metadata';
import type { ImageRecord } from '../../../src/core/outputs/results';
import { buildPanelState, nextRunView, type PanelInputs, type RunProgress } from '../../../src/extension/panel-state';
import { WEBVIEW_PROTOCOL_VERSION } from '../../../src/protocol/webview';

const TEXT = ['steps: 30', 'model: ./gone', '', '--- red circle', 'a red circle', 'seed: 1, 2', 'cfg: 8', '', '---', 'a blue square', '', '--- third', 'green', 'model: ' + demoModelDir(), ''].join('\n');
const FILE = '/work/prompts/shapes.sdprompt';
const demo = inspectModelFolder(demoModelDir());

function record(fileName: string, made: { index: number; name?: string } | undefined, seed = 1, createdAt = 1000): ImageRecord {
  const recipe = {
    format: 'sdprompt-recipe',
    createdAt: new Date(createdAt).toISOString(),
    ...(made ? { source: { promptFile: 'shapes.sdprompt', block: { ...made, line: 1 } } } : {}),
    prompt: 'a red circle',
    negativePrompt: '',
    seed,
    steps: 30,
    cfg: 8,
    sampler: { name: 'euler', a1111: 'Euler', diffusersClass: 'EulerDiscreteScheduler', schedule: 'automatic' },
    size: { width: 64, height: 48 },
    model: { name: 'demo' },
    timings: { totalMs: 123.4 },
  } as unknown as Recipe;
  return { path: `/work/prompts/shapes/${fileName}`, fileName, recipe, parameters: 'text', width: 64, height: 48, createdAt };
}

function inputs(overrides: Partial<PanelInputs> = {}): PanelInputs {
  return {
    file: { path: FILE, parsed: parseSdprompt(TEXT, FILE) },
    defaultModel: demoModelDir(),
    modelInfo: (dir) => (dir === demoModelDir() && demo.ok ? demo.value : undefined),
    images: [],
    imageSrc: (p) => `webview:${p}`,
    runs: [],
    errors: [],
    ...overrides,
  };
}

describe('buildPanelState', () => {
  it('without a prompt file: the model, the samplers, no blocks', () => {
    const { file: _file, ...rest } = inputs({ errors: [{ id: 'e', message: 'boom' }] });
    const state = buildPanelState(rest);
    assert.equal(state.protocolVersion, WEBVIEW_PROTOCOL_VERSION);
    assert.equal(state.file, undefined);
    assert.deepEqual(state.model, { label: 'demo model', isDemo: true });
    assert.deepEqual([state.blocks, state.results], [[], []]);
    assert.ok(state.samplers.includes('Euler a') && state.samplers.includes('DPM++ 2S a'));
    assert.equal(state.samplers.length, new Set(state.samplers).size, 'each sampler once');
    assert.deepEqual(state.schedules, ['automatic', 'karras', 'exponential']);
    assert.deepEqual(state.errors, [{ id: 'e', message: 'boom' }]);
  });

  it('shows the sampler by its menu entry, and the schedule a combined name or a schedule line asks for', () => {
    const text = ['sampler: DPM++ 2M Karras', '--- a', 'red', '--- b', 'blue', 'sampler: euler_a', 'schedule: Exponential', '--- c', 'green', 'schedule: automatic', ''].join('\n');
    const [a, b, c] = buildPanelState(inputs({ file: { path: FILE, parsed: parseSdprompt(text, FILE) } })).blocks;
    assert.deepEqual(a!.settings.sampler, { text: 'DPM++ 2M Karras', origin: 'header', defaultText: 'Euler (model)', menuValue: 'DPM++ 2M' });
    assert.deepEqual(a!.settings.schedule, { text: 'karras', origin: 'header', defaultText: 'automatic (model)', menuValue: 'karras' });
    assert.deepEqual([b!.settings.sampler.menuValue, b!.settings.schedule], ['Euler a', { text: 'Exponential', origin: 'block', defaultText: 'automatic (model)', menuValue: 'exponential' }]);
    // The block's own schedule line wins over the header's combined name.
    assert.deepEqual(c!.settings.schedule, { text: 'automatic', origin: 'block', defaultText: 'automatic (model)', menuValue: 'automatic' });
  });

  it('shows each block\'s settings as written, from the header, or the default the model gives', () => {
    const state = buildPanelState(inputs());
    assert.deepEqual(state.file, { path: FILE, name: 'shapes.sdprompt' });
    assert.deepEqual(state.blocks.map((b) => [b.index, b.name, b.line, b.promptPreview, b.imageCount]), [
      [1, 'red circle', 4, 'a red circle', 2],
      [2, undefined, 9, 'a blue square', 1],
      [3, 'third', 12, 'green', 1],
    ]);
    const [first, , third] = state.blocks;
    assert.deepEqual(first!.settings.seed, { text: '1, 2', origin: 'block', defaultText: 'random' });
    assert.deepEqual(first!.settings.steps, { text: '30', origin: 'header', defaultText: '20' });
    assert.deepEqual(first!.settings.cfg, { text: '8', origin: 'block', defaultText: '7' });
    // The header's model folder does not exist: its defaults are the model's own, unnamed.
    assert.deepEqual(first!.settings.sampler, { text: '', origin: 'default', defaultText: 'the model’s own' });
    // The third block names the demo model: its scheduler and size.
    assert.deepEqual(third!.settings.sampler, { text: '', origin: 'default', defaultText: 'Euler (model)' });
    assert.deepEqual(third!.settings.schedule, { text: '', origin: 'default', defaultText: 'automatic (model)' });
    assert.deepEqual(third!.settings.size, { text: '', origin: 'default', defaultText: '64x64' });
    assert.deepEqual(state.blocks.map((b) => b.hasErrors), [false, false, false]);
  });

  it('the active block is the one under the cursor; none in the header', () => {
    assert.equal(buildPanelState(inputs({ cursorLine: 10 })).activeBlock, 2);
    assert.equal(buildPanelState(inputs({ cursorLine: 1 })).activeBlock, undefined);
    assert.equal(buildPanelState(inputs()).activeBlock, undefined);
  });

  it('groups images under the block that made them, in block order, and leaves out the others', () => {
    const images = [
      record('third-1.png', { index: 3, name: 'third' }),
      record('red-circle-1.png', { index: 9, name: 'red circle' }, 1, 2000), // moved: found by name
      record('block-2-5.png', { index: 2 }, 5),
      record('old-name-1.png', { index: 2, name: 'old name' }), // its block had a name no block has; block 2 has none: the same block, renamed
      record('gone-1.png', { index: 1, name: 'gone' }), // block 1 is named otherwise: not this one
      record('no-recipe.png', undefined),
      { ...record('loose.png', undefined), recipe: undefined } as ImageRecord,
    ];
    const state = buildPanelState(inputs({ images }));
    assert.deepEqual(state.results.map((g) => [g.blockIndex, g.images.map((i) => i.id)]), [
      [1, ['red-circle-1.png']],
      [2, ['block-2-5.png', 'old-name-1.png']],
      [3, ['third-1.png']],
    ]);
    const view = state.results[0]!.images[0]!;
    assert.deepEqual(view, {
      seedKept: true,
      id: 'red-circle-1.png',
      src: 'webview:/work/prompts/shapes/red-circle-1.png',
      seed: 1,
      fileName: 'red-circle-1.png',
      createdAt: 2000,
      width: 64,
      height: 48,
      parameters: 'text',
      recipe: { prompt: 'a red circle', negative: '', seed: 1, steps: 30, cfg: 8, sampler: 'euler', width: 64, height: 48, model: 'demo', durationMs: 123 },
    });
  });

  it('marks stale images with what changed, and which seeds the block has; a grid PNG joins its block', () => {
    const red = { index: 1, name: 'red circle' };
    const grid: ImageRecord = {
      path: '/work/prompts/shapes/red-circle-1-grid.png',
      fileName: 'red-circle-1-grid.png',
      grid: { format: 'sdprompt-grid', version: 1, sdprompt: '0', createdAt: '', source: { promptFile: '../shapes.sdprompt', block: { ...red, line: 4 } }, axes: [{ key: 'cfg', values: ['5', '7'] }, { key: 'steps', values: ['10', '20'] }], columns: 2, rows: 2, cells: [] },
      parameters: '',
      width: 200,
      height: 120,
      createdAt: 500,
    };
    const images = [record('red-circle-1.png', red, 1), record('red-circle-77.png', red, 77), grid];
    const stale = new Map([['/work/prompts/shapes/red-circle-1.png', ['cfg', 'steps']]]);
    const [group] = buildPanelState(inputs({ images, stale })).results;
    assert.deepEqual(group!.images.map((i) => [i.id, i.seedKept, i.stale]), [['red-circle-1.png', true, ['cfg', 'steps']], ['red-circle-77.png', false, undefined]]);
    assert.deepEqual(group!.grids, [{ id: 'red-circle-1-grid.png', src: 'webview:/work/prompts/shapes/red-circle-1-grid.png', fileName: 'red-circle-1-grid.png', createdAt: 500, width: 200, height: 120, axes: 'cfg × steps' }]);
  });

  it('a block with init: is an image block, with mask: or outpaint: a masked one, and their defaults follow', () => {
    const text = ['--- plain', 'a cat', '', '--- img', 'a cat', 'init: cat.png', '', '--- masked', 'a cat', 'init: cat.png', 'mask: cat-mask.png', '', '--- wider', 'a cat', 'init: cat.png', 'outpaint: left 64', ''].join('\n');
    const state = buildPanelState(inputs({ file: { path: FILE, parsed: parseSdprompt(text, FILE) } }));
    assert.deepEqual(state.blocks.map((b) => b.mode), ['text', 'image', 'masked', 'masked']);
    assert.deepEqual(state.blocks.map((b) => b.settings.strength.defaultText), ['0.75', '0.75', '1', '1']);
    assert.deepEqual(state.blocks.map((b) => b.settings.masked_content.defaultText), ['original', 'original', 'original', 'fill']);
    assert.equal(state.blocks[1]!.settings.size.defaultText, 'the init’s');
    assert.deepEqual(state.choices, { masked_content: ['original', 'fill', 'latent noise', 'latent nothing'], inpaint_area: ['whole', 'masked'] });
  });

  it('an image made from a picture names its init and mask, relative to the prompt file, for before and after', () => {
    const made = record('red-circle-1.png', { index: 1, name: 'red circle' });
    const recipe = { ...made.recipe!, init: { path: 'shapes/hero-1.png', sha256: 'a' }, mask: { path: 'masks/hero-1-mask.png', sha256: 'b' } } as Recipe;
    const view = buildPanelState(inputs({ images: [{ ...made, recipe }] })).results[0]!.images[0]!;
    assert.deepEqual([view.init, view.mask], [
      { src: 'webview:/work/prompts/shapes/hero-1.png', name: 'shapes/hero-1.png' },
      { src: 'webview:/work/prompts/masks/hero-1-mask.png', name: 'masks/hero-1-mask.png' },
    ]);
  });
});

describe('blockThatMade', () => {
  const parsed = parseSdprompt(TEXT, FILE);
  it('by name first, then by number unless both blocks have names', () => {
    assert.equal(blockThatMade(parsed, { index: 7, name: 'third' })?.index, 3);
    assert.equal(blockThatMade(parsed, { index: 2 })?.index, 2);
    assert.equal(blockThatMade(parsed, { index: 1 })?.index, 1, 'an unnamed block 1 then; red circle now: the same place');
    assert.equal(blockThatMade(parsed, { index: 1, name: 'renamed' }), undefined);
    assert.equal(blockThatMade(parsed, { index: 2, name: 'renamed' })?.index, 2);
    assert.equal(blockThatMade(parsed, { index: 9 }), undefined);
  });
});

describe('nextRunView', () => {
  const run: RunProgress = { runId: 'r1', blockIndex: 2, image: 0, images: 2, jobs: [{ seed: 5, steps: 20 }, { seed: 6, steps: 20 }] };

  it('follows a run from waiting to its last step, and ends with it', () => {
    let view = nextRunView(undefined, run, { type: 'model-loaded', runId: 'r1', dir: '/m', ms: 5, executionProvider: 'cpu', notes: [] });
    assert.deepEqual(view, { runId: 'r1', blockIndex: 2, image: 1, imageCount: 2, step: 0, steps: 20, phase: 'waiting' });
    view = nextRunView(view, { ...run, image: 1 }, { type: 'job-start', runId: 'r1', index: 0, count: 2 });
    assert.deepEqual([view?.image, view?.seed, view?.phase], [1, 5, 'loading model']);
    view = nextRunView(view, { ...run, image: 1 }, { type: 'progress', runId: 'r1', index: 0, step: 3, total: 20, call: 6, calls: 39, preview: { dataUrl: 'data:image/png;base64,AA', width: 8, height: 8 } });
    assert.deepEqual([view?.step, view?.steps, view?.call, view?.calls, view?.phase, view?.preview], [3, 20, 6, 39, undefined, 'data:image/png;base64,AA']);
    const before = view;
    view = nextRunView(view, { ...run, image: 2 }, { type: 'job-start', runId: 'r1', index: 1, count: 2 });
    assert.deepEqual([view?.image, view?.seed, view?.step, view?.phase], [2, 6, 0, 'encoding prompt']);
    assert.equal(before?.image, 1, 'the previous view is not changed');
    assert.equal(nextRunView(view, run, { type: 'run-done', runId: 'r1', images: 2, errors: 0, cancelled: false }), undefined);
  });
});
