// The mask painter belongs to the prompt file it was opened for (issue 13): the results panel
// follows the active editor, so after painting over a.sdprompt's picture the user may click into
// b.sdprompt, whose block has the same number and the same init. Save then refuses, saying where
// to go, and writes nothing; back in a.sdprompt the same strokes save there.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import sharp from 'sharp';
import { ROOT, startSession, waitFor, type CodeServerSession } from './harness';

const VSIX = join(ROOT, `sdprompt-${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}-linux-x64.vsix`);
const A = '--- repaint\na red circle\ninit: pic.png\n';
const B = '--- other\na blue square\ninit: pic.png\n';
const REFUSAL = 'This mask was painted for block 1 of a.sdprompt; the panel now shows b.sdprompt: go back to a.sdprompt to save it.';

describe('a painter opened on one prompt file, saved while the panel shows another, in code-server (e2e)', { timeout: 600_000 }, () => {
  let folder: string;
  let session: CodeServerSession;

  before(async () => {
    assert.ok(existsSync(VSIX), `${VSIX} is missing: npm run test:e2e packages it first (npm run package)`);
    folder = mkdtempSync(join(tmpdir(), 'sdprompt-e2e-painter-file-'));
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#2050c0' } }).png().toFile(join(folder, 'pic.png'));
    writeFileSync(join(folder, 'a.sdprompt'), A);
    writeFileSync(join(folder, 'b.sdprompt'), B);
    session = await startSession({ folder, vsix: [VSIX], screenshotDir: join(ROOT, '.e2e', 'screenshots') });
    await session.waitForWorkbench();
  });

  after(async () => {
    await session?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const maskFile = () => join(folder, 'pic-mask.png');
  const tab = (name: string) => session.page.locator(`.tabs-container .tab[data-resource-name="${name}"], .tabs-container .tab[aria-label^="${name}"]`).first();

  /** The painter's mask at image pixel (x, y): the mask layer's alpha. */
  const maskAt = (painter: Frame, x: number, y: number) =>
    painter.evaluate(([px, py]) => {
      const canvas = (globalThis as unknown as { document: { getElementById(id: string): { getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } } } }).document.getElementById('painter-mask');
      return canvas.getContext('2d').getImageData(px!, py!, 1, 1).data[3];
    }, [x, y]);

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

  /** Opens a prompt file in the first editor group (the panel is in the second, with the focus). */
  async function openInEditor(name: string, from: string): Promise<void> {
    await tab(from).click();
    await session.openFile(name);
  }

  /** Whether a prompt file's tab says it has unsaved edits. */
  const isDirty = async (name: string) => (await tab(name).count()) > 0 && (await tab(name).evaluate((e) => (e as unknown as { classList: { contains(c: string): boolean } }).classList.contains('dirty')));
  const status = async (painter: Frame) => (await painter.locator('#painter-status').textContent()) ?? '';

  it('Save while the panel shows b.sdprompt refuses, in the painter: nothing written, b.sdprompt untouched, the strokes kept', async () => {
    await session.openFile('a.sdprompt');
    await session.runCommand('sdprompt: Paint Mask of Block');
    let painter = await painterFor('a.sdprompt');
    assert.equal(await painter.locator('#painter-title').textContent(), 'Paint mask · pic.png · a.sdprompt');
    await painter.locator('#painter-size').fill('12');
    await painter.locator('#painter-hardness').fill('100');
    const box = (await painter.locator('#painter-image').boundingBox())!;
    const at = (x: number, y: number) => ({ x: box.x + (x / 64) * box.width, y: box.y + (y / 64) * box.height });
    await session.page.mouse.move(at(16, 32).x, at(16, 32).y);
    await session.page.mouse.down();
    await session.page.mouse.move(at(48, 32).x, at(48, 32).y, { steps: 8 });
    await session.page.mouse.up();
    await waitFor('the strokes marked not saved', async () => ((await status(painter)).includes('(not saved)') ? true : undefined), 10_000);
    // The painter keeps its strokes in the webview's state 400 ms after the last one.
    await session.page.waitForTimeout(1500);

    await openInEditor('b.sdprompt', 'a.sdprompt');
    painter = await painterFor('b.sdprompt');
    await waitFor('the strokes back after the reload, not saved', async () => ((await status(painter)).includes('(not saved)') ? true : undefined), 20_000);
    await painter.locator('#painter-save').click();
    await painter.locator('#painter-error', { hasText: REFUSAL }).waitFor({ timeout: 20_000 });
    await session.page.mouse.move(150, 500); // no tab's tooltip in the picture
    await session.screenshot('extension-painter-other-file');
    assert.equal(await painter.locator('#painter').isVisible(), true, 'the painter stays open');
    assert.ok((await status(painter)).includes('(not saved)'));
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
    await waitFor('the strokes, not saved', async () => ((await status(painter)).includes('(not saved)') ? true : undefined), 20_000);
    await painter.locator('#painter-save').click();
    await waitFor('the mask on disk', () => (existsSync(maskFile()) ? true : undefined), 20_000);
    const mask = await sharp(maskFile()).greyscale().raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([mask.info.width, mask.info.height, mask.data[32 * 64 + 32], mask.data[5 * 64 + 5]], [64, 64, 255, 0]);
    await waitFor('mask: in a.sdprompt', async () => ((await session.editorText()).includes('mask: pic-mask.png') ? true : undefined), 20_000);
    await painter.locator('#painter').waitFor({ state: 'hidden', timeout: 20_000 });
    assert.equal(readFileSync(join(folder, 'b.sdprompt'), 'utf8'), B);
    assert.equal(await isDirty('b.sdprompt'), false, 'b.sdprompt not edited');
  });
});
