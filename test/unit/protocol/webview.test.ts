import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_MASK_PNG_CHARS, parsePainterSource, parseWebviewMessage, WEBVIEW_PROTOCOL_VERSION, type PainterSource, type WebviewMessage } from '../../../src/protocol/webview';

const PNG = 'data:image/png;base64,iVBORw0KGgo=';
const FILE = '/work/hero.sdprompt';

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
      { type: 'saveMask', requestId: 'mask-1', target: { kind: 'inpaint', promptFile: FILE, imageId: 'red-1.png' }, width: 64, height: 48, maskPng: PNG },
      { type: 'saveMask', requestId: 'mask-2', target: { kind: 'blockMask', promptFile: FILE, blockIndex: 2, maskPath: 'masks/a.png' }, width: 8, height: 8, maskPng: PNG },
      { type: 'painterDraft', draft: { source: { image: { src: 'https://x/a.png', width: 64, height: 48, name: 'a.png' }, target: { kind: 'inpaint', promptFile: FILE, imageId: 'a.png' } }, width: 64, height: 48, maskPng: PNG } },
      { type: 'painterDraft' },
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

  it('refuses a saveMask whose target, size or PNG is not what it claims', () => {
    const good = { type: 'saveMask', requestId: 'r', target: { kind: 'inpaint', promptFile: FILE, imageId: 'a.png' }, width: 64, height: 64, maskPng: PNG };
    assert.ok(parseWebviewMessage(good));
    const bad: Record<string, unknown>[] = [
      { requestId: '' },
      { target: { kind: 'inpaint', promptFile: FILE } },
      // Which prompt file the mask was painted for is not optional: the host refuses to guess it.
      { target: { kind: 'inpaint', imageId: 'a.png' } },
      { target: { kind: 'inpaint', promptFile: '', imageId: 'a.png' } },
      { target: { kind: 'inpaint', promptFile: 7, imageId: 'a.png' } },
      { target: { kind: 'blockMask', blockIndex: 1 } },
      { target: { kind: 'blockMask', promptFile: FILE, blockIndex: 0, maskPath: 'a.png' } },
      { target: { kind: 'blockMask', promptFile: FILE, blockIndex: 1, maskPath: '' } },
      { target: { kind: 'delete', promptFile: FILE, imageId: 'a.png' } },
      { width: 0 },
      { height: 1.5 },
      { width: 8192, height: 8192 },
      { maskPng: 'data:image/jpeg;base64,AAAA' },
      { maskPng: 'data:image/png;base64,not base64!' },
      { maskPng: 'data:image/png;base64,' },
      { maskPng: 'file:///etc/passwd' },
      { maskPng: `data:image/png;base64,${'A'.repeat(MAX_MASK_PNG_CHARS)}` },
    ];
    for (const change of bad) assert.equal(parseWebviewMessage({ ...good, ...change }), undefined, JSON.stringify(change).slice(0, 80));
  });

  it('refuses a painterDraft the host could not reopen or save, and keeps no copy of the mask it started from', () => {
    const source: PainterSource = { image: { src: 'https://x/a.png', width: 64, height: 48, name: 'a.png' }, mask: PNG, target: { kind: 'blockMask', promptFile: FILE, blockIndex: 2 } };
    const good = { source, width: 64, height: 48, maskPng: PNG };
    const { mask: _started, ...painted } = source;
    assert.deepEqual(parseWebviewMessage({ type: 'painterDraft', draft: good }), { type: 'painterDraft', draft: { ...good, source: painted } });
    const bad: Record<string, unknown>[] = [
      { source: undefined },
      { source: { ...source, target: { kind: 'inpaint', promptFile: FILE } } },
      { source: { ...source, target: { kind: 'blockMask', blockIndex: 2 } } },
      { source: { ...source, image: { ...source.image, src: '' } } },
      { width: 0 },
      { width: 8192, height: 8192 },
      { maskPng: undefined },
      { maskPng: 'data:image/jpeg;base64,AAAA' },
      { maskPng: `data:image/png;base64,${'A'.repeat(MAX_MASK_PNG_CHARS)}` },
    ];
    for (const change of bad) assert.equal(parseWebviewMessage({ type: 'painterDraft', draft: { ...good, ...change } }), undefined, JSON.stringify(change).slice(0, 80));
    assert.equal(parseWebviewMessage({ type: 'painterDraft', draft: null }), undefined);
    assert.equal(parseWebviewMessage({ type: 'painterDraft', draft: 'x' }), undefined);
  });
});

describe('parsePainterSource', () => {
  const source: PainterSource = {
    image: { src: 'https://file.vscode-resource/x/hero-1.png', width: 64, height: 48, name: 'hero-1.png' },
    mask: PNG,
    target: { kind: 'blockMask', promptFile: FILE, blockIndex: 3, maskPath: 'hero-1-mask.png' },
  };

  it('reads back a source as saved, with or without a mask', () => {
    assert.deepEqual(parsePainterSource(JSON.parse(JSON.stringify(source))), source);
    const { mask: _mask, ...without } = source;
    assert.deepEqual(parsePainterSource(without), without);
  });

  it('refuses a damaged one', () => {
    for (const damaged of [undefined, 'x', { ...source, image: { ...source.image, width: -1 } }, { ...source, mask: 'x' }, { ...source, target: {} }, { ...source, target: { kind: 'blockMask', blockIndex: 3 } }, { ...source, image: { ...source.image, src: '' } }]) {
      assert.equal(parsePainterSource(damaged), undefined, JSON.stringify(damaged));
    }
  });
});
