// The results panel closed while its mask painter has unsaved strokes (issue 13, "Bad input"): a
// panel's closing cannot be stopped, so VS Code asks afterwards; Reopen Painter brings the painter
// back with the strokes, and Save Mask saves them as the painter's own button does.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import sharp from 'sharp';
import { ROOT, startSession, waitFor, type CodeServerSession } from './harness';

const VSIX = join(ROOT, `sdprompt-${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}-linux-x64.vsix`);
const SCREENSHOTS = join(ROOT, '.e2e', 'screenshots');
const NOTICE = 'The mask you were painting over pic.png was not saved.';

describe('a painter closed with unsaved strokes, in code-server (e2e)', { timeout: 600_000 }, () => {
  let folder: string;
  let session: CodeServerSession;

  before(async () => {
    assert.ok(existsSync(VSIX), `${VSIX} is missing: npm run test:e2e packages it first (npm run package)`);
    folder = mkdtempSync(join(tmpdir(), 'sdprompt-e2e-painter-'));
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#2050c0' } }).png().toFile(join(folder, 'pic.png'));
    writeFileSync(join(folder, 'masks.sdprompt'), '--- repaint\na red circle\ninit: pic.png\n');
    session = await startSession({ folder, vsix: [VSIX], screenshotDir: SCREENSHOTS });
    await session.waitForWorkbench();
  });

  after(async () => {
    await session?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const panelTab = () => session.page.locator('.tabs-container .tab', { hasText: 'sdprompt results' });
  const notice = () => session.page.locator('.notifications-toasts .notification-toast', { hasText: NOTICE });

  /** The painter's mask at image pixel (x, y): the mask layer's alpha. */
  const maskAt = (painter: Frame, x: number, y: number) =>
    painter.evaluate(([px, py]) => {
      const canvas = (globalThis as unknown as { document: { getElementById(id: string): { getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } } } }).document.getElementById('painter-mask');
      return canvas.getContext('2d').getImageData(px!, py!, 1, 1).data[3];
    }, [x, y]);

  /** The painter open in the panel over pic.png, once its picture has loaded. */
  async function painterFrame(): Promise<Frame> {
    const painter = await session.webviewFrame('#painter:not([hidden])', 30_000);
    await waitFor('the picture in the painter', () => painter.evaluate('document.querySelector("#painter-image").naturalWidth === 64 || undefined'), 20_000);
    return painter;
  }

  /** A stroke across the middle of the picture, as a user paints it; then the moment the painter takes to report it. */
  async function paintAcross(painter: Frame): Promise<void> {
    await painter.locator('#painter-size').fill('12');
    await painter.locator('#painter-hardness').fill('100');
    const box = (await painter.locator('#painter-image').boundingBox())!;
    const at = (x: number, y: number) => ({ x: box.x + (x / 64) * box.width, y: box.y + (y / 64) * box.height });
    await session.page.mouse.move(at(16, 32).x, at(16, 32).y);
    await session.page.mouse.down();
    await session.page.mouse.move(at(48, 32).x, at(48, 32).y, { steps: 8 });
    await session.page.mouse.up();
    await waitFor('the strokes marked not saved', async () => (((await painter.locator('#painter-status').textContent()) ?? '').includes('(not saved)') ? true : undefined), 10_000);
    // The painter tells the host of its strokes 400 ms after the last one (as it keeps them for hide and show).
    await session.page.waitForTimeout(1500);
  }

  async function closePanel(): Promise<void> {
    await panelTab().hover();
    await panelTab().locator('.tab-actions .action-label').click();
    await waitFor('the panel to close', async () => ((await panelTab().count()) === 0 ? true : undefined), 20_000);
  }

  it('closing the panel asks; Reopen Painter brings the painter back with the strokes', async () => {
    await session.openFile('masks.sdprompt');
    await session.runCommand('sdprompt: Paint Mask of Block');
    let painter = await painterFrame();
    await paintAcross(painter);
    assert.equal(await maskAt(painter, 32, 32), 255);
    await closePanel();
    await notice().getByRole('button', { name: 'Reopen Painter' }).waitFor({ timeout: 20_000 });
    await session.page.waitForTimeout(500); // the toast slides in
    await session.screenshot('extension-painter-closed');
    await notice().getByRole('button', { name: 'Reopen Painter' }).click();

    painter = await painterFrame();
    await waitFor('the strokes back, not saved', async () => (((await painter.locator('#painter-status').textContent()) ?? '').includes('(not saved)') ? true : undefined), 20_000);
    assert.deepEqual([await maskAt(painter, 32, 32), await maskAt(painter, 20, 32), await maskAt(painter, 5, 5), await maskAt(painter, 32, 50)], [255, 255, 0, 0], 'the stroke, and nothing else');
    assert.equal(await painter.locator('#painter-save').textContent(), 'Save mask');
    assert.equal(await notice().count(), 0, 'the question is answered');
  });

  it('closing it again and choosing Save Mask saves the strokes as the painter would: a new file, mask: set', async () => {
    // The restored painter reports its strokes as soon as it shows them; give the message a moment.
    await session.page.waitForTimeout(500);
    await closePanel();
    await notice().waitFor({ timeout: 20_000 });
    await notice().getByRole('button', { name: 'Save Mask' }).click();
    const maskFile = join(folder, 'pic-mask.png');
    await waitFor('the mask on disk', () => (existsSync(maskFile) ? true : undefined), 20_000);
    const mask = await sharp(maskFile).greyscale().raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([mask.info.width, mask.info.height, mask.data[32 * 64 + 32], mask.data[5 * 64 + 5]], [64, 64, 255, 0]);
    await waitFor('mask: in the block', async () => ((await session.editorText()).includes('mask: pic-mask.png') ? true : undefined), 20_000);
    assert.equal(await panelTab().count(), 0, 'saved without the panel');

    // Nothing left unsaved: opening the panel shows no painter, and closing it asks nothing.
    await session.runCommand('sdprompt: Show Results Panel');
    const panel = await session.webviewFrame('#app', 30_000);
    await session.page.waitForTimeout(1000);
    assert.equal(await panel.locator('#painter').isHidden(), true);
    await closePanel();
    await session.page.waitForTimeout(1000);
    assert.equal(await notice().count(), 0);
  });
});
