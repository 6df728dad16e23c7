// Starting from a picture, as a user does it in a real VS Code (code-server): a picture dropped
// from the Explorer into a .sdprompt editor (onto a block: its init:; onto the header: a new
// block; a picture with A1111 parameters: their block, with the init: edit one Ctrl+. away in the
// drop menu), and "New Block from Image…" from the Explorer's context menu.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { ROOT, startSession, waitFor, type CodeServerSession } from './harness';

const VSIX = join(ROOT, `sdprompt-${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}-linux-x64.vsix`);
const SCREENSHOTS = join(ROOT, '.e2e', 'screenshots');

const FILES = {
  'onto-block.sdprompt': '--- hero\na red circle\ninit: old.png\nseed: 3\n',
  'onto-header.sdprompt': 'steps: 3\n\n--- first\na green square\n',
  'import.sdprompt': '--- first\na cat\n',
  'explorer.sdprompt': '--- first\na cat\n',
};

describe('pictures into prompt files in code-server (e2e)', { timeout: 400_000 }, () => {
  let folder: string;
  let session: CodeServerSession;

  before(async () => {
    assert.ok(existsSync(VSIX), `${VSIX} is missing: npm run test:e2e packages it first (npm run package)`);
    folder = mkdtempSync(join(tmpdir(), 'sdprompt-e2e-drop-'));
    for (const [name, text] of Object.entries(FILES)) writeFileSync(join(folder, name), text);
    writeFileSync(join(folder, 'photo.png'), await sharp({ create: { width: 48, height: 32, channels: 3, background: '#c84' } }).png().toBuffer());
    copyFileSync(join(ROOT, 'test', 'fixtures', 'parameters', 'images', 'a1111.jpg'), join(folder, 'carried.jpg'));
    session = await startSession({ folder, vsix: [VSIX], screenshotDir: SCREENSHOTS, viewport: { width: 1400, height: 860 } });
    await session.waitForWorkbench();
  });

  after(async () => {
    await session?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /**
   * Drags `file`'s row in the Explorer onto the editor line that shows `onText` with the mouse
   * (Chromium's own drag, as a user's), Shift held over the editor, which VS Code asks for to
   * drop into the editor rather than open the file there. Returns the editor's text once it
   * changed. (A DragEvent dispatched from the page is not enough: VS Code's own "insert path"
   * edit wins it, as the data it carries never reaches the extension host.)
   */
  async function drop(file: string, onText: string): Promise<string> {
    const line = session.page.locator('.view-line', { hasText: onText }).first();
    await line.waitFor();
    const before = await session.editorText();
    const row = session.page.locator(`.explorer-folders-view .monaco-list-row[aria-label^="${file}"]`).first();
    await row.hover();
    await session.page.mouse.down();
    const box = (await line.boundingBox())!;
    await session.page.mouse.move(box.x + 40, box.y + box.height / 2, { steps: 5 });
    await session.page.keyboard.down('Shift');
    await session.page.mouse.move(box.x + 44, box.y + box.height / 2, { steps: 5 });
    await session.page.mouse.up();
    await session.page.keyboard.up('Shift');
    return waitFor(`the edit of ${file} dropped on '${onText}'`, async () => {
      const text = await session.editorText();
      return text !== before ? text : undefined;
    }, 20_000).catch(async (e: unknown) => {
      await session.screenshot(`failed-drop-${file}`);
      throw e;
    });
  }

  /** Saves the active editor (Ctrl+S) and returns `name`'s text on disk once it differs from `original`. */
  async function saved(name: string, original: string): Promise<string> {
    await session.press('Control+S');
    return waitFor(`${name} saved`, () => {
      const text = readFileSync(join(folder, name), 'utf8');
      return text !== original ? text : undefined;
    }, 20_000);
  }

  it('a picture without parameters dropped onto a block becomes its init:, and nothing else changes', async () => {
    await session.openFile('onto-block.sdprompt');
    // The extension activates on the first .sdprompt file: its drop edits exist once it has (its
    // status bar item shows the model); a drop before that gets only VS Code's own.
    await session.page.locator('.statusbar-item', { hasText: 'demo model' }).first().waitFor();
    await drop('photo.png', 'a red circle');
    assert.equal(await saved('onto-block.sdprompt', FILES['onto-block.sdprompt']), '--- hero\na red circle\ninit: photo.png\nseed: 3\n');
    await session.screenshot('extension-drop-init');
  });

  it('a picture dropped onto the header starts a new block from it', async () => {
    await session.openFile('onto-header.sdprompt');
    await drop('photo.png', 'steps: 3');
    assert.equal(await saved('onto-header.sdprompt', FILES['onto-header.sdprompt']), 'steps: 3\n\n--- first\na green square\n\n--- photo\n\ninit: photo.png\nstrength: 0.75\n');
  });

  it('a picture with parameters dropped onto a block imports them; the drop menu switches to its init:', async () => {
    await session.openFile('import.sdprompt');
    const text = await drop('carried.jpg', 'a cat');
    assert.match(text, /^--- first\na cat\n\n?--- carried\na \(red:1\.2\) circle, café — été\nnegative: blurry, "soft"\nsteps: 28\n/);
    // The drop menu (Ctrl+. while it shows) lists our other edit; choosing it undoes the import.
    await session.press('Control+.');
    const option = session.page.locator('.monaco-list-row, .action-widget .monaco-list-row', { hasText: 'Start from the picture (init:)' }).first();
    await option.waitFor({ timeout: 10_000 }).catch(async (e: unknown) => {
      await session.screenshot('failed-drop-menu');
      throw e;
    });
    await session.screenshot('extension-drop-menu');
    await option.click();
    await waitFor('the init: edit instead of the import', async () => ((await session.editorText()).includes('init: carried.jpg') ? true : undefined), 20_000);
    assert.equal(await saved('import.sdprompt', FILES['import.sdprompt']), '--- first\na cat\ninit: carried.jpg\n');
  });

  it('"New Block from Image…" in the Explorer\'s context menu adds a block to the prompt file that is open, the cursor on its prompt', async () => {
    await session.openFile('explorer.sdprompt');
    const row = session.page.locator('.explorer-folders-view .monaco-list-row[aria-label^="photo.png"]').first();
    await row.click({ button: 'right' });
    const item = session.page.locator('.context-view .action-label', { hasText: 'New Block from Image…' }).first();
    await item.waitFor({ timeout: 10_000 }).catch(async (e: unknown) => {
      await session.screenshot('failed-explorer-menu');
      throw e;
    });
    // VS Code's menu ignores a click that comes too soon after it opened: click until it closes.
    await waitFor('the menu item taken', async () => {
      if (await item.isVisible()) await item.click({ timeout: 2_000 }).catch(() => undefined);
      return (await item.isVisible()) ? undefined : true;
    }, 10_000);
    await waitFor('the new block in explorer.sdprompt', async () => ((await session.editorText()).includes('--- photo') ? true : undefined), 20_000).catch(async (e: unknown) => {
      await session.screenshot('failed-explorer-command');
      throw e;
    });
    // The cursor is on the new block's empty prompt line: what the user types next is its prompt.
    await session.page.keyboard.type('an orange photo');
    assert.equal(await saved('explorer.sdprompt', FILES['explorer.sdprompt']), '--- first\na cat\n\n--- photo\nan orange photo\ninit: photo.png\nstrength: 0.75\n');
  });
});
