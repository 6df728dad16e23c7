// The webview's store (src/webview/store.ts): a new image joins its block's group.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WEBVIEW_PROTOCOL_VERSION, type ImageView, type PanelState } from '../../../src/protocol/webview';
import { withImage } from '../../../src/webview/store';

const image = (id: string): ImageView => ({ id, src: id, seed: 1, fileName: id, createdAt: 0, width: 8, height: 8, parameters: '', recipe: { prompt: '', negative: '', seed: 1, steps: 1, cfg: 1, sampler: 'euler', width: 8, height: 8, model: 'm' }, seedKept: true });
const block = (index: number) => ({ index, line: index, promptPreview: '', imageCount: 1, mode: 'text' as const, hasErrors: false, settings: {} as PanelState['blocks'][number]['settings'] });

describe('withImage', () => {
  const state: PanelState = {
    protocolVersion: WEBVIEW_PROTOCOL_VERSION,
    model: { label: 'm', isDemo: false },
    blocks: [block(1), block(2), block(3)],
    results: [{ blockIndex: 1, images: [image('a')] }, { blockIndex: 3, images: [image('c')] }],
    samplers: [],
    schedules: [],
    choices: {},
    runs: [],
    errors: [],
  };

  it('puts the image first in its block\'s group, making the group in block order', () => {
    const next = withImage(state, 2, image('b'));
    assert.deepEqual(next.results.map((g) => [g.blockIndex, g.images.map((i) => i.id)]), [[1, ['a']], [2, ['b']], [3, ['c']]]);
    const again = withImage(next, 1, image('a2'));
    assert.deepEqual(again.results[0]!.images.map((i) => i.id), ['a2', 'a']);
    assert.deepEqual(state.results.map((g) => g.blockIndex), [1, 3], 'the old state is unchanged');
  });

  it('an image it already has is replaced, not repeated', () => {
    const next = withImage(state, 1, { ...image('a'), seed: 9 });
    assert.deepEqual(next.results[0]!.images.map((i) => [i.id, i.seed]), [['a', 9]]);
  });
});
