import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWebviewMessage, WEBVIEW_PROTOCOL_VERSION, type WebviewMessage } from '../../../src/protocol/webview';

describe('parseWebviewMessage', () => {
  it('accepts every command the webview sends, unchanged', () => {
    const messages: WebviewMessage[] = [
      { type: 'ready', protocolVersion: WEBVIEW_PROTOCOL_VERSION },
      { type: 'editSetting', blockIndex: 2, key: 'cfg', value: '7.5' },
      { type: 'editSetting', blockIndex: 1, key: 'seed', value: '1, 5..7' },
      { type: 'generate', blockIndex: 3, seeds: 'asWritten' },
      { type: 'generate', blockIndex: 3, seeds: 'new' },
      { type: 'cancelRun', runId: 'run-1' },
      { type: 'keepSeed', imageId: 'red-1.png' },
      { type: 'copyParameters', imageId: 'red-1.png' },
      { type: 'revealImage', imageId: 'red-1.png' },
      { type: 'openImage', imageId: 'red-1.png' },
      { type: 'showBlock', blockIndex: 1 },
      { type: 'dismissError', errorId: 'e1' },
      { type: 'importImages', afterBlock: 2, uris: ['file:///work/a.png'], files: [] },
      { type: 'importImages', uris: [], files: [{ name: 'b.webp', dataUrl: 'data:image/webp;base64,UklGRg==' }] },
    ];
    for (const message of messages) assert.deepEqual(parseWebviewMessage(JSON.parse(JSON.stringify(message))), message);
  });

  it('drops extra fields and refuses wrong shapes', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'openImage', imageId: 'a', extra: 1 }), { type: 'openImage', imageId: 'a' });
    const bad: unknown[] = [
      null, 'ready', [], {}, { type: 'nope' },
      { type: 'ready' },
      { type: 'editSetting', blockIndex: 0, key: 'cfg', value: '7' },
      { type: 'editSetting', blockIndex: 1.5, key: 'cfg', value: '7' },
      { type: 'editSetting', blockIndex: 1, key: 'model', value: 'x' },
      { type: 'editSetting', blockIndex: 1, key: 'cfg', value: 7 },
      { type: 'generate', blockIndex: 1, seeds: 'random' },
      { type: 'cancelRun', runId: '' },
      { type: 'keepSeed', imageId: 3 },
      { type: 'showBlock', blockIndex: '1' },
      { type: 'importImages', uris: [], files: [] },
      { type: 'importImages', uris: ['https://example.com/a.png'], files: [] },
      { type: 'importImages', uris: ['file:///a.png'], files: [], afterBlock: 0 },
      { type: 'importImages', uris: [], files: [{ name: 'a.png', dataUrl: 'AAAA' }] },
      { type: 'importImages', uris: [], files: [{ name: '', dataUrl: 'data:,' }] },
      { type: 'importImages', uris: Array.from({ length: 33 }, (_, i) => `file:///${i}.png`), files: [] },
    ];
    for (const data of bad) assert.equal(parseWebviewMessage(data), undefined, JSON.stringify(data));
  });
});
