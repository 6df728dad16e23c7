// A run interrupted in the editor (issue 11): the results panel closed while it runs, and the
// window reloaded while it runs. The run either finishes or stops after a step; nothing
// half-written stays, the images written are whole, no engine is left behind, and the next
// Ctrl+Enter works.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { ROOT, startSession, waitFor, type CodeServerSession } from './harness';

const VSIX = join(ROOT, `sdprompt-${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}-linux-x64.vsix`);

/** Two images of the demo model slow enough to interrupt (the most steps), and a quick one. */
const LONG = ['size: 128x128', 'steps: 1000', '', '--- long', 'a red circle on a blue background', 'seed: 1, 2', '', '--- quick', 'a green square', 'seed: 3', 'steps: 5', 'size: 64x64', ''].join('\n');

function files(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

async function assertWholeImages(dir: string): Promise<void> {
  for (const file of files(dir).filter((f) => f.endsWith('.png'))) {
    const { info, data } = await sharp(join(dir, file)).raw().toBuffer({ resolveWithObject: true });
    assert.equal(data.length, info.width * info.height * info.channels, `${file} decodes whole`);
    assert.ok(existsSync(join(dir, file.replace(/\.png$/, '.json'))), `${file} has its recipe`);
  }
}

describe('runs interrupted in code-server (e2e)', { timeout: 600_000 }, () => {
  let folder: string;
  let session: CodeServerSession;
  const engines = () => {
    try {
      return execFileSync('pgrep', ['-f', `${session.home}.*dist/engine\\.js`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };

  before(async () => {
    assert.ok(existsSync(VSIX), `${VSIX} is missing: npm run test:e2e packages it first (npm run package)`);
    folder = mkdtempSync(join(tmpdir(), 'sdprompt-e2e-interrupt-'));
    writeFileSync(join(folder, 'closed.sdprompt'), LONG);
    writeFileSync(join(folder, 'reloaded.sdprompt'), LONG);
    session = await startSession({ folder, vsix: [VSIX] });
    await session.waitForWorkbench();
  });

  after(async () => {
    await session?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Ctrl+Enter on line `line` of `file` (5: the long block, 9: the quick one). */
  async function startRun(file: string, line = 5): Promise<void> {
    await session.openFile(file);
    await session.press('Control+g');
    await session.page.keyboard.type(String(line));
    await session.press('Enter');
    await session.press('Control+Enter');
  }

  it('closing the results panel during a run: the run finishes, and the reopened panel shows its images', async () => {
    const outDir = join(folder, 'closed');
    await startRun('closed.sdprompt');
    const panelTab = session.page.locator('.tabs-container .tab', { hasText: 'sdprompt results' });
    await waitFor('the panel to open', async () => ((await panelTab.count()) > 0 ? true : undefined), 60_000);
    await waitFor('the engine to start the run', () => (engines().length > 0 ? true : undefined), 60_000);
    // Close it as a user does: the close button on its tab.
    await panelTab.hover();
    await panelTab.locator('.tab-actions .action-label').click();
    await waitFor('the panel to close', async () => ((await panelTab.count()) === 0 ? true : undefined), 20_000);
    assert.deepEqual(files(outDir).filter((f) => f.endsWith('.json')), [], 'the panel closed while the run was under way');

    await waitFor('both images, with the panel closed', () => (files(outDir).filter((f) => f.endsWith('.json')).length === 2 ? true : undefined), 240_000);
    assert.deepEqual(files(outDir), ['long-1.json', 'long-1.png', 'long-2.json', 'long-2.png']);
    assert.equal(await panelTab.count(), 0, 'the panel stayed closed');
    await assertWholeImages(outDir);

    await session.runCommand('sdprompt: Show Results Panel');
    const reopened = await session.webviewFrame('#app', 60_000);
    await waitFor('the two images in the reopened panel', async () => ((await reopened.locator('button.thumb img').count()) === 2 ? true : undefined), 30_000);
    const errors = session.page.locator('.notifications-toasts .notification-list-item', { hasText: /sdprompt|error/i });
    assert.equal(await errors.count(), 0, 'no error was shown');
  });

  it('reloading the window during a run: the engine stops after its step, leaves nothing half-written, and the next run works', async () => {
    await startRun('reloaded.sdprompt');
    const outDir = join(folder, 'reloaded');
    await waitFor('the engine to start the run', () => (engines().length > 0 ? true : undefined), 60_000);
    const before = engines();
    assert.equal(before.length, 1, `one engine runs (${before.join(', ')})`);
    assert.deepEqual(files(outDir).filter((f) => f.endsWith('.json')), [], 'the run is under way');

    const reloaded = session.page.waitForEvent('load', { timeout: 60_000 });
    await session.runCommand('Developer: Reload Window');
    await reloaded;
    await session.waitForWorkbench();
    await waitFor('the old engine to exit', () => (engines().includes(before[0]!) ? undefined : true), 30_000);
    assert.deepEqual(files(outDir).filter((f) => f.includes('.partial')), [], 'no temporary file stays');
    await assertWholeImages(outDir);
    const kept = files(outDir);
    assert.ok(kept.length < 4, 'the reload stopped the run before its end');

    await startRun('reloaded.sdprompt', 9);
    await waitFor('the quick block\'s image after the reload', () => (files(outDir).includes('quick-3.json') ? true : undefined), 120_000);
    await assertWholeImages(outDir);
    for (const file of kept) assert.ok(files(outDir).includes(file), `${file} from before the reload is still there`);
    assert.equal(engines().length, 1, 'one engine, the new one');
  });
});
