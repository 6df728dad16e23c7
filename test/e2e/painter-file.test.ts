// The mask painter belongs to the prompt file it was opened for (issue 13): the results panel
// follows the active editor, so after painting over a.sdprompt's picture the user may click into
// b.sdprompt, whose block has the same number and the same init. Save then refuses, saying where
// to go, and writes nothing; back in a.sdprompt the same strokes save there. Strokes kept when
// the panel is closed over b.sdprompt are a.sdprompt's too.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import sharp from 'sharp';
import { waitFor, type CodeServerSession } from './harness';
import { closePanel, maskAt, paintAcross, startPainterSession, strokesUnsaved } from './painter-session';

const A = '--- repaint\na red circle\ninit: pic.png\n';
const B = '--- other\na blue square\ninit: pic.png\n';
const REFUSAL = 'This mask was painted for block 1 of a.sdprompt; the panel now shows b.sdprompt: go back to a.sdprompt to save it.';

describe('a painter opened on one prompt file, saved while the panel shows another, in code-server (e2e)', { timeout: 600_000 }, () => {
  let folder: string;
  let session: CodeServerSession;

  before(async () => {
    ({ folder, session } = await startPainterSession('sdprompt-e2e-painter-file-', { 'a.sdprompt': A, 'b.sdprompt': B }));
  });

  after(async () => {
    await session?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const maskFile = () => join(folder, 'pic-mask.png');
  const tab = (name: string) => session.page.locator(`.tabs-container .tab[data-resource-name="${name}"], .tabs-container .tab[aria-label^="${name}"]`).first();

  /** The painter, open and with its picture loaded, in the panel once it shows prompt file `name` (switching files reloads the webview). */
  async function painterFor(name: string): Promise<Frame> {
    const ready = `!document.querySelector("#painter").hidden && document.querySelector("#file-name").textContent === ${JSON.stringify(name)} && document.querySelector("#painter-image").naturalWidth === 64`;
    return waitFor(`the painter in the panel of ${name}`, async () => {
      for (const frame of session.page.frames()) {
        if (await frame.evaluate(ready).catch(() => false)) return frame;
      }
      return undefined;
    }, 60_000);
  }

  /**
   * Opens a prompt file in the first editor group (the panel is in the second, with the focus),
   * from the Explorer: quick open lists recently opened files before it filters, so Enter there
   * may take another one.
   */
  async function openInEditor(name: string, from: string): Promise<void> {
    await tab(from).click();
    await session.page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().click();
    await session.page.locator(`.tabs-container .tab.active[data-resource-name="${name}"]`).first().waitFor({ timeout: 20_000 });
  }

  /** Whether a prompt file's tab says it has unsaved edits. */
  const isDirty = async (name: string) => (await tab(name).count()) > 0 && (await tab(name).evaluate((e) => (e as unknown as { classList: { contains(c: string): boolean } }).classList.contains('dirty')));

  it('Save while the panel shows b.sdprompt refuses, in the painter: nothing written, b.sdprompt untouched, the strokes kept', async () => {
    await session.openFile('a.sdprompt');
    await session.runCommand('sdprompt: Paint Mask of Block');
    let painter = await painterFor('a.sdprompt');
    assert.equal(await painter.locator('#painter-title').textContent(), 'Paint mask · pic.png · a.sdprompt');
    await paintAcross(session, painter);

    await openInEditor('b.sdprompt', 'a.sdprompt');
    painter = await painterFor('b.sdprompt');
    await strokesUnsaved(painter);
    await painter.locator('#painter-save').click();
    await painter.locator('#painter-error', { hasText: REFUSAL }).waitFor({ timeout: 20_000 });
    await session.page.mouse.move(150, 500); // no tab's tooltip in the picture
    await session.screenshot('extension-painter-other-file');
    assert.equal(await painter.locator('#painter').isVisible(), true, 'the painter stays open');
    assert.ok(((await painter.locator('#painter-status').textContent()) ?? '').includes('(not saved)'));
    assert.deepEqual([await maskAt(painter, 32, 32), await maskAt(painter, 5, 5)], [255, 0], 'the strokes kept');
    await session.page.waitForTimeout(1000);
    assert.equal(existsSync(maskFile()), false, 'no mask written beside the picture');
    assert.deepEqual([readFileSync(join(folder, 'b.sdprompt'), 'utf8'), readFileSync(join(folder, 'a.sdprompt'), 'utf8')], [B, A], 'neither file changed on disk');
    const shown = await session.editorText();
    assert.ok(shown.includes('a blue square') && !shown.includes('mask:'), `b.sdprompt unchanged in the editor: ${shown}`);
    assert.equal(await isDirty('b.sdprompt'), false, 'b.sdprompt not edited');
  });

  it('back in a.sdprompt, the same strokes save there: the mask on disk, mask: in a.sdprompt, b.sdprompt untouched', async () => {
    await openInEditor('a.sdprompt', 'b.sdprompt');
    const painter = await painterFor('a.sdprompt');
    await strokesUnsaved(painter);
    await painter.locator('#painter-save').click();
    await waitFor('the mask on disk', () => (existsSync(maskFile()) ? true : undefined), 20_000);
    const mask = await sharp(maskFile()).greyscale().raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([mask.info.width, mask.info.height, mask.data[32 * 64 + 32], mask.data[5 * 64 + 5]], [64, 64, 255, 0]);
    await waitFor('mask: in a.sdprompt', async () => ((await session.editorText()).includes('mask: pic-mask.png') ? true : undefined), 20_000);
    await painter.locator('#painter').waitFor({ state: 'hidden', timeout: 20_000 });
    assert.equal(readFileSync(join(folder, 'b.sdprompt'), 'utf8'), B);
    assert.equal(await isDirty('b.sdprompt'), false, 'b.sdprompt not edited');
  });

  it('the panel closed over b.sdprompt with a.sdprompt\'s strokes: Save Mask saves them into a.sdprompt', async () => {
    await tab('a.sdprompt').click();
    await session.runCommand('sdprompt: Paint Mask of Block');
    let painter = await painterFor('a.sdprompt');
    await painter.getByRole('button', { name: 'Invert' }).click();
    await strokesUnsaved(painter);
    await session.page.waitForTimeout(1500); // kept and reported 400 ms after the change

    await openInEditor('b.sdprompt', 'a.sdprompt');
    painter = await painterFor('b.sdprompt');
    await strokesUnsaved(painter);
    await session.page.waitForTimeout(1500); // the reloaded painter reports its strokes again
    await closePanel(session);
    const notice = session.page.locator('.notifications-toasts .notification-toast', { hasText: 'The mask you were painting over pic.png was not saved.' });
    await notice.getByRole('button', { name: 'Save Mask' }).click({ timeout: 20_000 });
    const second = join(folder, 'pic-mask-2.png');
    await waitFor('the new mask on disk', () => (existsSync(second) ? true : undefined), 20_000);
    const mask = await sharp(second).greyscale().raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([mask.data[32 * 64 + 32], mask.data[5 * 64 + 5]], [0, 255], 'the inverted mask');
    assert.equal(readFileSync(join(folder, 'b.sdprompt'), 'utf8'), B);
    assert.equal(await isDirty('b.sdprompt'), false, 'b.sdprompt not edited');
    await openInEditor('a.sdprompt', 'b.sdprompt');
    await waitFor('mask: pic-mask-2.png in a.sdprompt', async () => ((await session.editorText()).includes('mask: pic-mask-2.png') ? true : undefined), 20_000);
  });
});
