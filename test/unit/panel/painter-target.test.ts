// Which prompt file a painted mask may be saved into (painter-target.ts): the one the painter
// was opened for, and only while the panel shows it; otherwise a refusal that says what the mask
// was painted over, in which file, and where to go to save it.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { otherFileProblem } from '../../../src/extension/painter-target';
import type { PainterTarget } from '../../../src/protocol/webview';

const A = '/work/a.sdprompt';
const B = '/work/b.sdprompt';
const inpaintA: PainterTarget = { kind: 'inpaint', promptFile: A, imageId: 'hero-1.png' };
const blockA: PainterTarget = { kind: 'blockMask', promptFile: A, blockIndex: 2, maskPath: 'hero-mask.png' };

describe('otherFileProblem', () => {
  it('lets a mask be saved while the panel shows the file it was painted for', () => {
    assert.equal(otherFileProblem(inpaintA, A), undefined);
    assert.equal(otherFileProblem(blockA, A), undefined);
  });

  it('refuses while the panel shows another file (same image name or block number there), naming both', () => {
    assert.equal(otherFileProblem(inpaintA, B), 'This mask was painted over hero-1.png of a.sdprompt; the panel now shows b.sdprompt: go back to a.sdprompt to save it.');
    assert.equal(otherFileProblem(blockA, B), 'This mask was painted for block 2 of a.sdprompt; the panel now shows b.sdprompt: go back to a.sdprompt to save it.');
  });

  it('refuses while the panel shows no prompt file', () => {
    assert.equal(otherFileProblem(inpaintA, undefined), 'This mask was painted over hero-1.png of a.sdprompt; the panel now shows no prompt file: go back to a.sdprompt to save it.');
  });

  it('tells two files of the same name apart by their paths', () => {
    assert.equal(otherFileProblem(inpaintA, '/work/old/a.sdprompt'), 'This mask was painted over hero-1.png of /work/a.sdprompt; the panel now shows /work/old/a.sdprompt: go back to /work/a.sdprompt to save it.');
  });
});
