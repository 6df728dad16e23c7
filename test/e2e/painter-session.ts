// What the mask painter's end-to-end tests share: a folder with a 64x64 picture and prompt files
// that paint over it, a code-server session on it, and the painter's strokes and mask as a user
// makes and sees them.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame, Locator } from 'playwright-core';
import sharp from 'sharp';
import { ROOT, startSession, waitFor, type CodeServerSession } from './harness';

const VSIX = join(ROOT, `sdprompt-${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}-linux-x64.vsix`);

/** A temporary folder with `pic.png` (64x64, blue) and `files` (name → text), open in a new session with the packaged extension. */
export async function startPainterSession(prefix: string, files: Record<string, string>): Promise<{ folder: string; session: CodeServerSession }> {
  assert.ok(existsSync(VSIX), `${VSIX} is missing: npm run test:e2e packages it first (npm run package)`);
  const folder = mkdtempSync(join(tmpdir(), prefix));
  await sharp({ create: { width: 64, height: 64, channels: 3, background: '#2050c0' } }).png().toFile(join(folder, 'pic.png'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  const session = await startSession({ folder, vsix: [VSIX], screenshotDir: join(ROOT, '.e2e', 'screenshots') });
  await session.waitForWorkbench();
  return { folder, session };
}

/** The painter's mask at image pixel (x, y): the mask layer's alpha. */
export function maskAt(painter: Frame, x: number, y: number): Promise<number | undefined> {
  return painter.evaluate(([px, py]) => {
    const canvas = (globalThis as unknown as { document: { getElementById(id: string): { getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } } } }).document.getElementById('painter-mask');
    return canvas.getContext('2d').getImageData(px!, py!, 1, 1).data[3];
  }, [x, y]);
}

/** Waits until the painter's status says its strokes are not saved. */
export async function strokesUnsaved(painter: Frame, timeoutMs = 20_000): Promise<void> {
  await waitFor('the strokes marked not saved', async () => (((await painter.locator('#painter-status').textContent()) ?? '').includes('(not saved)') ? true : undefined), timeoutMs);
}

/** A stroke across the middle of the 64x64 picture, as a user paints it; then the moment the painter takes to keep and report it. */
export async function paintAcross(session: CodeServerSession, painter: Frame): Promise<void> {
  await painter.locator('#painter-size').fill('12');
  await painter.locator('#painter-hardness').fill('100');
  const box = (await painter.locator('#painter-image').boundingBox())!;
  const at = (x: number, y: number) => ({ x: box.x + (x / 64) * box.width, y: box.y + (y / 64) * box.height });
  await session.page.mouse.move(at(16, 32).x, at(16, 32).y);
  await session.page.mouse.down();
  await session.page.mouse.move(at(48, 32).x, at(48, 32).y, { steps: 8 });
  await session.page.mouse.up();
  await strokesUnsaved(painter, 10_000);
  // The painter keeps its strokes in the webview's state, and tells the host, 400 ms after the last one.
  await session.page.waitForTimeout(1500);
}

/** The results panel's tab. */
export function panelTab(session: CodeServerSession): Locator {
  return session.page.locator('.tabs-container .tab', { hasText: 'sdprompt results' });
}

/** Closes the results panel by its tab's close button, as a user does. */
export async function closePanel(session: CodeServerSession): Promise<void> {
  await panelTab(session).hover();
  await panelTab(session).locator('.tab-actions .action-label').click();
  await waitFor('the panel to close', async () => ((await panelTab(session).count()) === 0 ? true : undefined), 20_000);
}
