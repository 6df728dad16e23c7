// The results panel closed while its mask painter has unsaved strokes (issue 13, "Bad input"): a
// panel's closing cannot be stopped, so VS Code asks afterwards; Reopen Painter brings the painter
// back with the strokes, and Save Mask saves them as the painter's own button does.

import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import sharp from 'sharp';
import { waitFor, type CodeServerSession } from './harness';
import { closePanel, maskAt, paintAcross, panelTab, startPainterSession, strokesUnsaved } from './painter-session';

const NOTICE = 'The mask you were painting over pic.png was not saved.';

describe('a painter closed with unsaved strokes, in code-server (e2e)', { timeout: 600_000 }, () => {
  let folder: string;
  let session: CodeServerSession;

  before(async () => {
    ({ folder, session } = await startPainterSession('sdprompt-e2e-painter-', { 'masks.sdprompt': '--- repaint\na red circle\ninit: pic.png\n' }));
  });

  after(async () => {
    await session?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const notice = () => session.page.locator('.notifications-toasts .notification-toast', { hasText: NOTICE });

  /** The painter open in the panel over pic.png, once its picture has loaded. */
  async function painterFrame(): Promise<Frame> {
    const painter = await session.webviewFrame('#painter:not([hidden])', 30_000);
    await waitFor('the picture in the painter', () => painter.evaluate('document.querySelector("#painter-image").naturalWidth === 64 || undefined'), 20_000);
    return painter;
  }

  it('closing the panel asks; Reopen Painter brings the painter back with the strokes', async () => {
    await session.openFile('masks.sdprompt');
    await session.runCommand('sdprompt: Paint Mask of Block');
    let painter = await painterFrame();
    await paintAcross(session, painter);
    assert.equal(await maskAt(painter, 32, 32), 255);
    await closePanel(session);
    await notice().getByRole('button', { name: 'Reopen Painter' }).waitFor({ timeout: 20_000 });
    await session.page.waitForTimeout(500); // the toast slides in
    await session.screenshot('extension-painter-closed');
    await notice().getByRole('button', { name: 'Reopen Painter' }).click();

    painter = await painterFrame();
    await strokesUnsaved(painter);
    assert.deepEqual([await maskAt(painter, 32, 32), await maskAt(painter, 20, 32), await maskAt(painter, 5, 5), await maskAt(painter, 32, 50)], [255, 255, 0, 0], 'the stroke, and nothing else');
    assert.equal(await painter.locator('#painter-save').textContent(), 'Save mask');
    assert.equal(await notice().count(), 0, 'the question is answered');
  });

  it('closing it again and choosing Save Mask saves the strokes as the painter would: a new file, mask: set', async () => {
    // The restored painter reports its strokes as soon as it shows them; give the message a moment.
    await session.page.waitForTimeout(500);
    await closePanel(session);
    await notice().waitFor({ timeout: 20_000 });
    await notice().getByRole('button', { name: 'Save Mask' }).click();
    const maskFile = join(folder, 'pic-mask.png');
    await waitFor('the mask on disk', () => (existsSync(maskFile) ? true : undefined), 20_000);
    const mask = await sharp(maskFile).greyscale().raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([mask.info.width, mask.info.height, mask.data[32 * 64 + 32], mask.data[5 * 64 + 5]], [64, 64, 255, 0]);
    await waitFor('mask: in the block', async () => ((await session.editorText()).includes('mask: pic-mask.png') ? true : undefined), 20_000);
    assert.equal(await panelTab(session).count(), 0, 'saved without the panel');

    // Nothing left unsaved: opening the panel shows no painter, and closing it asks nothing.
    await session.runCommand('sdprompt: Show Results Panel');
    const panel = await session.webviewFrame('#app', 30_000);
    await session.page.waitForTimeout(1000);
    assert.equal(await panel.locator('#painter').isHidden(), true);
    await closePanel(session);
    await session.page.waitForTimeout(1000);
    assert.equal(await notice().count(), 0);
  });
});
