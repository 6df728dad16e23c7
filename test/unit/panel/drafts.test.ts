// The painter's unsaved strokes when the results panel is closed (painter-drafts.ts): asked about
// only when there are some; Reopen hands them back to the panel; Save saves them (and asks again,
// with the reason, when it cannot); Discard drops them; a dismissed question keeps them for the
// panel's next opening on that prompt file.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAINTER_BUSY, PainterDrafts, type DraftChoice } from '../../../src/extension/painter-drafts';
import type { PainterDraft } from '../../../src/protocol/webview';

const FILE = '/work/shapes.sdprompt';
const OTHER = '/work/other.sdprompt';

function draft(maskPng = 'data:image/png;base64,AAAA', name = 'red-circle-4.png', promptFile = FILE): PainterDraft {
  return { source: { image: { src: 'https://file+.vscode-resource/work/shapes/red-circle-4.png', width: 64, height: 48, name }, target: { kind: 'inpaint', promptFile, imageId: name } }, width: 64, height: 48, maskPng };
}

/** PainterDrafts with recorded questions, answered in turn from `answers`; `reopen` and `save` as given. */
function drafts(answers: (DraftChoice | undefined)[], options: { reopen?: (d: PainterDraft, self: PainterDrafts) => void; save?: (d: PainterDraft) => Promise<string | undefined> } = {}) {
  const asked: { name: string; maskPng: string; problem: string | undefined }[] = [];
  const reopened: PainterDraft[] = [];
  const saves: PainterDraft[] = [];
  const self: PainterDrafts = new PainterDrafts({
    ask: async (d, problem) => {
      asked.push({ name: d.source.image.name, maskPng: d.maskPng, problem });
      return answers.shift();
    },
    reopen: (d) => {
      reopened.push(d);
      options.reopen?.(d, self);
    },
    save: async (d) => {
      saves.push(d);
      return options.save ? options.save(d) : undefined;
    },
  });
  return { self, asked, reopened, saves };
}

describe('PainterDrafts', () => {
  it('a panel closed with no unsaved strokes asks nothing', async () => {
    const { self, asked } = drafts(['discard']);
    await self.panelClosed();
    self.update(draft());
    self.update(undefined); // saved or discarded in the painter
    await self.panelClosed();
    assert.deepEqual(asked, []);
    assert.deepEqual(self.kept, []);
  });

  it('a panel closed with strokes asks, naming the picture; the strokes are kept while it waits', async () => {
    let answer: (choice: DraftChoice | undefined) => void = () => undefined;
    const asked: string[] = [];
    const self = new PainterDrafts({
      ask: (d) => {
        asked.push(d.source.image.name);
        return new Promise((resolve) => (answer = resolve));
      },
      reopen: () => undefined,
      save: async () => undefined,
    });
    self.update(draft('data:image/png;base64,STROKES'));
    const closed = self.panelClosed();
    await Promise.resolve();
    assert.deepEqual(asked, ['red-circle-4.png']);
    assert.deepEqual(self.kept.map((d) => [d.source.target.promptFile, d.maskPng]), [[FILE, 'data:image/png;base64,STROKES']], 'kept before any answer');
    answer('discard');
    await closed;
    assert.deepEqual(self.kept, [], 'Discard drops them');
  });

  it('Reopen hands the strokes back to the panel opening on their prompt file', async () => {
    let restored: PainterDraft | undefined;
    const { self, reopened } = drafts(['reopen'], { reopen: (d, s) => (restored = s.take(d.source.target.promptFile, d)) });
    self.update(draft('data:image/png;base64,STROKES'));
    await self.panelClosed();
    assert.equal(reopened.length, 1);
    assert.deepEqual(restored, draft('data:image/png;base64,STROKES'), 'the same picture, target and mask');
    assert.deepEqual(self.kept, []);
  });

  it('Reopen while the panel\'s painter has strokes of its own asks again, saying why, and keeps both', async () => {
    const { self, asked } = drafts(['reopen', undefined], { reopen: (d, s) => s.take(d.source.target.promptFile, d) });
    self.update(draft('data:image/png;base64,FIRST'));
    const closed = self.panelClosed();
    self.update(draft('data:image/png;base64,SECOND')); // a new panel, painting already
    await closed;
    assert.deepEqual(asked.map((a) => a.problem), [undefined, PAINTER_BUSY]);
    assert.deepEqual(self.kept.map((d) => d.maskPng), ['data:image/png;base64,FIRST']);
  });

  it('a dismissed question keeps the strokes: the panel restores them when it next opens on that file', async () => {
    const { self, asked } = drafts([undefined]);
    self.update(draft('data:image/png;base64,STROKES'));
    await self.panelClosed();
    assert.equal(asked.length, 1);
    assert.equal(self.take(OTHER), undefined, 'not for another prompt file');
    assert.equal(self.take(FILE)?.maskPng, 'data:image/png;base64,STROKES');
    assert.equal(self.take(FILE), undefined, 'handed over once');
  });

  it('Save saves the strokes as they were; a failure asks again with its reason, and nothing is dropped until it works', async () => {
    const results = ['The folder shapes/ is read-only.', undefined];
    const { self, asked, saves } = drafts(['save', 'save'], { save: async () => results.shift() });
    self.update(draft('data:image/png;base64,STROKES'));
    const closed = self.panelClosed();
    await closed;
    assert.deepEqual(saves.map((d) => [d.source.target.promptFile, d.maskPng, d.width, d.height]), [[FILE, 'data:image/png;base64,STROKES', 64, 48], [FILE, 'data:image/png;base64,STROKES', 64, 48]]);
    assert.deepEqual(asked.map((a) => a.problem), [undefined, 'The folder shapes/ is read-only.']);
    assert.deepEqual(self.kept, []);
  });

  it('an answer to a question whose strokes were restored or saved meanwhile does nothing', async () => {
    let answer: (choice: DraftChoice | undefined) => void = () => undefined;
    const saves: PainterDraft[] = [];
    const self = new PainterDrafts({
      ask: () => new Promise((resolve) => (answer = resolve)),
      reopen: () => undefined,
      save: async (d) => {
        saves.push(d);
        return undefined;
      },
    });
    self.update(draft('data:image/png;base64,A'));
    const first = self.panelClosed();
    await Promise.resolve();
    assert.ok(self.take(FILE), 'the panel opened on the file and restored them');
    answer('save');
    await first;
    assert.deepEqual(saves, [], 'not saved twice');

    self.update(draft('data:image/png;base64,B'));
    const second = self.panelClosed();
    await Promise.resolve();
    self.saved('data:image/png;base64,B'); // the painter's own save finished after the panel closed
    assert.deepEqual(self.kept, []);
    answer('save');
    await second;
    assert.deepEqual(saves, []);
  });

  it('strokes the painter saved ask nothing on close', async () => {
    const { self, asked } = drafts(['discard']);
    self.update(draft('data:image/png;base64,A'));
    self.saved('data:image/png;base64,A');
    await self.panelClosed();
    assert.deepEqual(asked, []);
  });

  it('strokes are kept for the prompt file they were painted for, not the one the panel shows when it closes', async () => {
    // Painted over OTHER's picture; the panel followed the editor to FILE before it was closed.
    const { self } = drafts([undefined]);
    self.update(draft('data:image/png;base64,STROKES', 'red-circle-4.png', OTHER));
    await self.panelClosed();
    assert.equal(self.take(FILE), undefined, 'not restored over the file shown last');
    assert.equal(self.take(OTHER)?.maskPng, 'data:image/png;base64,STROKES');
  });
});
