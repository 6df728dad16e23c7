// The extension as a user meets it, in a real VS Code (code-server): install the packaged
// .vsix, open an example .sdprompt, see it checked, press Ctrl+Enter, watch the image arrive in
// the panel and on disk with its metadata, change cfg in the panel and see the document change.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Frame } from 'playwright-core';
import sharp from 'sharp';
import { readTextChunks } from '../../src/core/image/png-text';
import { ROOT, startSession, waitFor, type CodeServerSession } from './harness';

const VSIX = join(ROOT, `sdprompt-${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}-linux-x64.vsix`);
const SCREENSHOTS = join(ROOT, '.e2e', 'screenshots');
const PROMPT = ['steps: 20', 'cfg: 7', '', '--- red circle', 'a red circle on a blue background', 'seed: 4, 6', ''].join('\n');

describe('sdprompt in code-server (e2e)', { timeout: 600_000 }, () => {
  let folder: string;
  let session: CodeServerSession;
  let panel: Frame;
  const timings: Record<string, number> = {};

  before(async () => {
    assert.ok(existsSync(VSIX), `${VSIX} is missing: npm run test:e2e packages it first (npm run package)`);
    folder = mkdtempSync(join(tmpdir(), 'sdprompt-e2e-'));
    writeFileSync(join(folder, 'shapes.sdprompt'), PROMPT);
    writeFileSync(join(folder, 'broken.sdprompt'), '--- a\nred\nsed: 4\n');
    writeFileSync(join(folder, 'complete.sdprompt'), '--- c\na green square\n');
    writeFileSync(join(folder, 'paste.sdprompt'), '--- first\na cat\n');
    writeFileSync(join(folder, 'pictures.sdprompt'), '--- gone\nx\ninit: gone.png\n');
    writeFileSync(join(folder, 'header.sdprompt'), 'steps: 3\nsize: 32x32\n\n--- first\na green square\nseed: 3\n--- second\na red circle\nseed: 5\n');
    mkdirSync(SCREENSHOTS, { recursive: true });
    session = await startSession({ folder, vsix: [VSIX], screenshotDir: SCREENSHOTS, viewport: { width: 1400, height: 860 } });
    await session.waitForWorkbench();
  });

  after(async () => {
    if (process.env['SDPROMPT_E2E_TIMINGS']) writeFileSync(process.env['SDPROMPT_E2E_TIMINGS'], JSON.stringify(timings));
    await session?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('checks a .sdprompt file as it is opened: the Problems panel names the unknown key', async () => {
    const started = Date.now();
    await session.openFile('broken.sdprompt');
    const marker = await waitFor('a squiggle under the unknown key', () =>
      session.page.locator('.monaco-editor .squiggly-error').first().isVisible().then((v) => (v ? true : undefined)),
    );
    timings['activation and first diagnostics (ms)'] = Date.now() - started;
    assert.ok(marker);
    await session.runCommand('View: Focus Problems');
    const problems = session.page.locator('.markers-panel');
    await waitFor('the problem in the Problems panel', async () => ((await problems.innerText()).includes("unknown setting 'sed'; did you mean 'seed'?") ? true : undefined));
  });

  it('marks a picture the prompt file names that is not there, with the run\'s message', async () => {
    await session.openFile('pictures.sdprompt');
    const squiggle = session.page.locator('.monaco-editor .squiggly-error').first();
    await squiggle.waitFor({ timeout: 30_000 });
    await session.runCommand('View: Focus Problems');
    const problems = session.page.locator('.markers-panel');
    await waitFor('the missing picture in the Problems panel', async () => (/init image .*gone\.png: no such file/.test(await problems.innerText()) ? true : undefined), 20_000);
  });

  it('completes setting keys and sampler names', async () => {
    await session.openFile('complete.sdprompt');
    await session.press('Control+End');
    await session.page.keyboard.type('sam');
    await session.press('Control+Space');
    const suggest = session.page.locator('.suggest-widget');
    await waitFor('the key completion', async () => ((await suggest.innerText().catch(() => '')).includes('sampler') ? true : undefined), 20_000);
    await session.press('Enter');
    // Each sampler by its A1111 name comes first; the other spellings follow, found by typing.
    await waitFor('sampler names offered after the key', async () => ((await suggest.innerText().catch(() => '')).includes('DPM++ 2M') ? true : undefined), 20_000);
    await session.screenshot('extension-completion');
    await session.page.keyboard.type('dpmpp_2m_k');
    await session.press('Enter');
    const text = await waitFor('the chosen sampler in the document', async () => {
      const t = await session.editorText();
      return /sampler: dpmpp_2m_karras\s*$/.test(t) ? t : undefined;
    }, 20_000);
    assert.equal(text.trimEnd(), '--- c\na green square\nsampler: dpmpp_2m_karras');
  });

  it('Paste Parameters as Block turns A1111\'s text on the clipboard into a block, unknown keys as comments', async () => {
    const a1111 = 'a lighthouse\nNegative prompt: fog\nSteps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 42, Size: 512x768, Hires upscale: 2, RNG: CPU';
    await session.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(session.url).origin });
    await session.openFile('paste.sdprompt');
    await session.page.evaluate((text) => (globalThis as unknown as { navigator: { clipboard: { writeText(t: string): Promise<void> } } }).navigator.clipboard.writeText(text), a1111);
    await session.runCommand('sdprompt: Paste Parameters as Block');
    const text = await waitFor('the pasted block', async () => {
      const t = await session.editorText();
      return t.includes('Hires upscale') ? t : undefined;
    }, 20_000).catch(async (e: Error) => {
      await session.screenshot('extension-paste-failed');
      const toasts = await session.page.locator('.notifications-toasts').innerText().catch(() => '');
      throw new Error(`${e.message}; editor: ${JSON.stringify(await session.editorText())}; notifications: ${JSON.stringify(toasts)}`);
    });
    assert.match(text, /--- first\na cat\n+---\na lighthouse\nnegative: fog\nsteps: 28\nsampler: DPM\+\+ 2M( Karras)?\n(schedule: karras\n)?cfg: 6\.5\nseed: 42\nsize: 512x768\nrng: torch\n# Hires upscale: 2/);
  });

  it('Ctrl+Enter generates the block under the cursor: a live preview, then the images in the panel and on disk', async () => {
    await session.openFile('shapes.sdprompt');
    // Put the cursor on the block's prompt line (line 5) with Go to Line.
    await session.press('Control+g');
    await session.page.keyboard.type('5');
    await session.press('Enter');
    const pressed = Date.now();
    await session.press('Control+Enter');

    panel = await session.webviewFrame('#app', 60_000);
    await waitFor('two thumbnails in the panel', async () => ((await panel.locator('button.thumb img').count()) >= 2 ? true : undefined), 120_000);
    timings['Ctrl+Enter to both images in the panel, seen from the browser (ms)'] = Date.now() - pressed;
    // The run is faster than this test can poll the page, so the extension's own log has the
    // times from the command to the first live preview and to the last image written.
    const logged = await waitFor('the run in the log', () => {
      const text = findFiles(session.home, /sdprompt\.log$/).map((f) => readFileSync(f, 'utf8')).join('\n');
      return text.match(/red circle: 2 of 2 images in (\d+) ms; first preview after (\d+) ms/) ?? undefined;
    }, 20_000);
    timings['Ctrl+Enter to first preview, engine start and model load included (ms)'] = Number(logged[2]);
    timings['Ctrl+Enter to both images written, engine start and model load included (ms)'] = Number(logged[1]);

    const outDir = join(folder, 'shapes');
    assert.deepEqual(readdirSync(outDir).sort(), ['red-circle-4.json', 'red-circle-4.png', 'red-circle-6.json', 'red-circle-6.png']);
    const parameters = readTextChunks(readFileSync(join(outDir, 'red-circle-4.png')))['parameters'];
    assert.match(parameters ?? '', /^a red circle on a blue background\nSteps: 20, Sampler: .*, CFG scale: 7, Seed: 4, Size: 64x64/);
    const recipe = JSON.parse(readFileSync(join(outDir, 'red-circle-6.json'), 'utf8'));
    assert.deepEqual([recipe.seed, recipe.source.block.name, recipe.model.name], [6, 'red circle', 'demo']);

    const labels = await panel.locator('button.thumb').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    assert.deepEqual(labels, ['Seed 6, red-circle-6.png', 'Seed 4, red-circle-4.png']);
    const loaded = await panel.locator('button.thumb img').evaluateAll((imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth));
    assert.deepEqual(loaded, [64, 64], 'the images load through the webview');
    await session.screenshot('extension-generated');
  });

  it('logs its activation time', async () => {
    const logs = findFiles(session.home, /sdprompt\.log$/);
    const line = logs.map((f) => readFileSync(f, 'utf8')).join('\n').match(/activated in ([\d.]+) ms/);
    assert.ok(line, `no activation line in ${logs.join(', ') || 'any sdprompt.log'}`);
    timings['activation (ms, measured by the extension)'] = Number(line[1]);
  });

  it('changing cfg in the panel edits the prompt file', async () => {
    const cfg = panel.locator('#setting-cfg');
    await cfg.fill('9');
    await cfg.press('Enter');
    await waitFor('the document to say cfg: 9 in the block', async () => ((await session.editorText()).includes('cfg: 9') ? true : undefined), 20_000);
    const text = await session.editorText();
    assert.match(text, /seed: 4, 6\s*cfg: 9/, 'the setting is added to the block, after its settings');
    assert.match(text, /^steps: 20\s*cfg: 7/m, 'the header default is untouched');
    await session.screenshot('extension-cfg-edited');
  });

  it('the images made before the edit show as stale; Generate with new seed leaves the file as it is; Keep seed adds the seed in one undoable edit', async () => {
    await waitFor('both images marked stale', async () => ((await panel.locator('button.thumb.stale').count()) === 2 ? true : undefined), 20_000);
    const before = await session.editorText();
    const outDir = join(folder, 'shapes');
    const made = (f: string) => /^red-circle-\d+\.png$/.test(f) && f !== 'red-circle-4.png' && f !== 'red-circle-6.png';
    await panel.locator('#generate-new-seed').click();
    const fileName = await waitFor('the new seed\'s image', () => readdirSync(outDir).find(made), 120_000);
    await waitFor('its recipe', () => existsSync(join(outDir, fileName.replace(/\.png$/, '.json'))), 20_000);
    await waitFor('the run to end', async () => ((await panel.locator('#runs').isHidden()) ? true : undefined), 20_000);
    assert.equal(await session.editorText(), before, 'Generate with a new seed does not edit the file');
    const seed = Number(/(\d+)\.png$/.exec(fileName)![1]);
    const thumb = panel.locator(`button.thumb[data-image-id="${fileName}"]`);
    await thumb.waitFor({ timeout: 20_000 });
    assert.equal(await thumb.getAttribute('class'), 'thumb', 'made from the block as it is now: not stale');
    await thumb.click();
    await panel.locator('#detail').getByRole('button', { name: 'Keep seed' }).click();
    await waitFor('the seed kept in the block', async () => ((await session.editorText()).includes(`seed: 4, 6, ${seed}`) ? true : undefined), 20_000);
    await waitFor('Keep seed offered no more', async () => ((await panel.locator('#detail').getByRole('button', { name: 'Keep seed' }).isDisabled()) ? true : undefined), 20_000);
    await session.runCommand('View: Focus First Editor Group');
    await session.press('Control+z');
    await waitFor('one undo to take it back', async () => ((await session.editorText()) === before ? true : undefined), 20_000);
    await session.press('Control+Shift+z');
    await waitFor('redo to keep it again', async () => ((await session.editorText()).includes(`seed: 4, 6, ${seed}`) ? true : undefined), 20_000);
    await session.screenshot('extension-seed-kept');
  });

  it('hovering prompt text shows the run\'s weight and the tokens per chunk', async () => {
    await session.runCommand('View: Focus First Editor Group');
    await session.press('Control+g');
    await session.page.keyboard.type('5:4');
    await session.press('Enter');
    await session.runCommand('Show or Focus Hover');
    const hover = session.page.locator('.monaco-hover');
    const text = await waitFor('the hover', async () => {
      const t = await hover.first().innerText().catch(() => '');
      return /Weight 1/.test(t) && /chunk 1: \d+\/75/.test(t) ? t : undefined;
    }, 20_000);
    assert.match(text, /Prompt tokens: chunk 1: 7\/75/);
    await session.screenshot('extension-hover');
    await session.press('Escape');
  });

  it('an engine crash is reported in plain words, and the next Ctrl+Enter starts a fresh engine', async () => {
    const engines = () => execFileSync('pgrep', ['-f', `${session.home}.*dist/engine\\.js`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    const [pid] = await waitFor('the engine process', () => {
      try {
        return engines();
      } catch {
        return undefined;
      }
    });
    const outDir = join(folder, 'shapes');
    const pngs = () => readdirSync(outDir).filter((f) => f.endsWith('.png')).length;
    const had = pngs();
    process.kill(Number(pid), 'SIGKILL');
    const toast = session.page.locator('.notifications-toasts', { hasText: 'The sdprompt engine stopped unexpectedly' });
    await toast.first().waitFor({ timeout: 30_000 });
    await session.screenshot('extension-engine-crash');
    await session.openFile('shapes.sdprompt');
    await session.press('Control+g');
    await session.page.keyboard.type('5');
    await session.press('Enter');
    await session.press('Control+Enter');
    await waitFor('two more images from a fresh engine', () => (pngs() >= had + 2 ? true : undefined), 120_000);
    assert.ok(readdirSync(outDir).includes('red-circle-4-2.png'), 'the earlier image was kept and the new one named beside it');
    const [fresh] = engines();
    assert.notEqual(fresh, pid);
  });

  it('Ctrl+Enter in the header generates the first block, and the status bar says so', async () => {
    await session.openFile('header.sdprompt');
    await session.press('Control+Home');
    await session.press('Control+Enter');
    const status = session.page.locator('.statusbar', { hasText: 'the cursor is in the header' });
    await status.first().waitFor({ timeout: 20_000 });
    assert.match(await status.first().innerText(), /generating the first block, block 'first'/);
    const outDir = join(folder, 'header');
    await waitFor('the first block\'s image', () => (existsSync(join(outDir, 'first-3.png')) ? true : undefined), 120_000);
    await waitFor('the run to finish', () => (existsSync(join(outDir, 'first-3.json')) ? true : undefined), 20_000);
    assert.deepEqual(readdirSync(outDir).sort(), ['first-3.json', 'first-3.png'], 'only the first block ran');
  });

  it('on a warm panel, each new image shows as soon as it is written', async () => {
    // The panel's Generate button runs the block it shows, so the panel stays shown throughout;
    // a first run warms it (and the engine) up.
    // The panel may be reloading (its resource roots follow the file shown): wait for its file.
    const shownFile = await waitFor('the panel to show a prompt file', async () => {
      panel = await session.webviewFrame('#app');
      const name = await panel.locator('#file-name').textContent().catch(() => '');
      return name?.endsWith('.sdprompt') ? name : undefined;
    }, 30_000);
    const outDir = join(folder, shownFile.replace(/\.sdprompt$/, ''));
    const runDone = async () => ((await panel.locator('#runs').isHidden()) ? true : undefined);
    const pngs = () => readdirSync(outDir).filter((f) => f.endsWith('.png'));
    const before = pngs().length;
    // A reload may still detach the frame found above: find it again and retry the click.
    await waitFor('the panel\'s Generate button clicked', async () => {
      panel = await session.webviewFrame('#app');
      return panel.locator('#generate').click({ timeout: 5_000 }).then(() => true, () => undefined);
    }, 30_000);
    await waitFor('the warm-up run\'s image', () => (pngs().length > before ? true : undefined), 60_000);
    await waitFor('the warm-up run to end', runDone, 20_000);
    // When each thumbnail's image has loaded, by the browser's clock (the same machine's as ours).
    await panel.evaluate(() => {
      const page = globalThis as unknown as { __shown: Record<string, number>; document: { addEventListener(type: string, f: (e: { target: unknown }) => void, capture: boolean): void } };
      page.__shown = {};
      page.document.addEventListener('load', (e) => {
        const img = e.target as { tagName?: string; closest?(s: string): { dataset: { imageId?: string } } | null };
        const id = img.tagName === 'IMG' ? img.closest?.('.thumb')?.dataset.imageId : undefined;
        if (id && !(id in page.__shown)) page.__shown[id] = Date.now();
      }, true);
    });
    const existing = new Set(pngs());
    const written = new Map<string, number>();
    const watcher = watch(outDir, (_event, name) => {
      if (name && name.endsWith('.png') && !name.startsWith('.') && !existing.has(name) && !written.has(name)) written.set(name, Date.now());
    });
    try {
      for (let round = 1; round <= 3; round++) {
        const had = written.size;
        await panel.locator('#generate').click();
        await waitFor(`round ${round}: its images written`, () => (written.size > had ? true : undefined), 60_000);
        await waitFor(`round ${round}: the run to end`, runDone, 20_000);
        await waitFor(`round ${round}: the panel showing its images`, async () => {
          const shown = (await panel.evaluate('window.__shown')) as Record<string, number>;
          return [...written.keys()].every((name) => name in shown) ? true : undefined;
        }, 20_000);
      }
    } finally {
      watcher.close();
    }
    const shown = (await panel.evaluate('window.__shown')) as Record<string, number>;
    const delays = [...written].map(([name, at]) => shown[name]! - at).sort((a, b) => a - b);
    assert.ok(delays.length >= 3, `one image a run at least: ${delays.length}`);
    timings[`warm panel: a new image written to shown in the panel, median of ${delays.length} (ms)`] = delays[Math.floor((delays.length - 1) / 2)]!;
    timings[`warm panel: a new image written to shown in the panel, slowest of ${delays.length} (ms)`] = delays[delays.length - 1]!;
  });

  it('an image dropped onto the panel becomes a block in the prompt file it shows', async () => {
    panel = await session.webviewFrame('#app');
    const shownFile = await shownPromptFile(panel);
    copyFileSync(join(ROOT, 'test', 'fixtures', 'parameters', 'images', 'a1111.jpg'), join(folder, 'dropped.jpg'));
    // As VS Code's explorer hands a file to a webview (Shift+drag): the whole selection in resourceurls.
    await panel.evaluate((uri) => {
      const page = globalThis as unknown as {
        DataTransfer: new () => { setData(type: string, value: string): void };
        DragEvent: new (type: string, init: object) => unknown;
        document: { body: { dispatchEvent(event: unknown): void } };
      };
      const data = new page.DataTransfer();
      data.setData('text/uri-list', uri);
      data.setData('resourceurls', JSON.stringify([uri]));
      for (const type of ['dragover', 'drop']) page.document.body.dispatchEvent(new page.DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }, pathToFileURL(join(folder, 'dropped.jpg')).href);
    await session.openFile(shownFile);
    const text = await waitFor('the dropped image\'s block', async () => {
      const t = await session.editorText();
      return t.includes('--- dropped') ? t : undefined;
    }, 20_000);
    assert.match(text, /--- dropped\na \(red:1\.2\) circle, café — été\nnegative: blurry, "soft"\nsteps: 28\n/);
  });

  it('paint a mask, press Inpaint, then Ctrl+Enter: a new block, the mask on disk, the inpainted image with the rest unchanged', async () => {
    await session.runCommand('Notifications: Clear All Notifications');
    // The prompt file is open from the earlier tests: its tab brings it back.
    await session.page.locator('.tabs-container .tab[data-resource-name="shapes.sdprompt"]').first().click();
    await session.page.locator('.tabs-container .tab.active[data-resource-name="shapes.sdprompt"]').first().waitFor();
    // An earlier test may have opened a file over the panel's tab: bring the panel back.
    await session.runCommand('sdprompt: Show Results Panel');
    // The panel follows the editor (and reloads when its resource roots change): find it afresh.
    panel = await waitFor('the panel to show shapes.sdprompt', async () => {
      const frame = await session.webviewFrame('#app');
      return (await frame.locator('#file-name').textContent().catch(() => '')) === 'shapes.sdprompt' ? frame : undefined;
    }, 30_000);
    const outDir = join(folder, 'shapes');
    await panel.getByRole('button', { name: 'Seed 4, red-circle-4.png' }).click();
    await panel.locator('#detail').getByRole('button', { name: 'Paint mask' }).click();
    await panel.locator('#painter').waitFor({ state: 'visible' });
    await waitFor('the picture in the painter', () => panel.evaluate('document.querySelector("#painter-image").naturalWidth === 64 || undefined'), 20_000);
    await panel.locator('#painter-size').fill('12');
    await panel.locator('#painter-hardness').fill('100');
    // A stroke across the middle of the 64x64 picture, in image pixels.
    const box = (await panel.locator('#painter-image').boundingBox())!;
    const at = (x: number, y: number) => ({ x: box.x + (x / 64) * box.width, y: box.y + (y / 64) * box.height });
    const from = at(20, 32);
    const to = at(44, 32);
    await session.page.mouse.move(from.x, from.y);
    await session.page.mouse.down();
    await session.page.mouse.move(to.x, to.y, { steps: 8 });
    await session.page.mouse.up();
    await session.screenshot('extension-painter');
    const pressed = Date.now();
    await panel.locator('#painter-save').click();
    const text = await waitFor('the inpaint block in the document', async () => {
      const t = await session.editorText();
      return t.includes('--- red circle inpaint') ? t : undefined;
    }, 20_000);
    timings['Inpaint pressed to the new block in the editor (ms)'] = Date.now() - pressed;
    await panel.locator('#painter').waitFor({ state: 'hidden', timeout: 10_000 });
    const block = text.slice(text.indexOf('--- red circle inpaint')).trim().split('\n');
    assert.deepEqual(block.filter((l) => !/^(cfg|steps):/.test(l)), [
      '--- red circle inpaint',
      'a red circle on a blue background',
      'seed: 4',
      'init: shapes/red-circle-4.png',
      'mask: shapes/red-circle-4-mask.png',
      'strength: 0.75',
    ]);
    assert.match(text, /^--- red circle\na red circle on a blue background\nseed: 4, 6/m, 'the source block is untouched');
    // The mask on disk: white where painted (the stroke's middle), black far from it, the picture's size.
    const mask = await sharp(join(outDir, 'red-circle-4-mask.png')).greyscale().raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([mask.info.width, mask.info.height], [64, 64]);
    assert.equal(mask.data[32 * 64 + 32], 255);
    assert.equal(mask.data[5 * 64 + 5], 0);
    assert.ok(!readdirSync(outDir).some((f) => f.startsWith('.')), 'no temporary file left');
    await session.screenshot('extension-inpaint-block');

    // The cursor is on the new block, in the focused editor: Ctrl+Enter runs it.
    await session.press('Control+Enter');
    const made = join(outDir, 'red-circle-inpaint-4.png');
    await waitFor('the inpainted image on disk', () => (existsSync(join(outDir, 'red-circle-inpaint-4.json')) ? true : undefined), 120_000).catch(async (e: unknown) => {
      await session.screenshot('failed-inpaint-run');
      throw e;
    });
    await waitFor('the inpainted image in the panel', async () => ((await panel.getByRole('button', { name: 'Seed 4, red-circle-inpaint-4.png' }).count()) > 0 ? true : undefined), 20_000);
    const before = await sharp(join(outDir, 'red-circle-4.png')).removeAlpha().raw().toBuffer();
    const after = await sharp(made).removeAlpha().raw().toBuffer();
    assert.equal(after.length, before.length, 'the same size as the init');
    // Pixels beyond the blur's reach from any painted pixel are the init's, exactly; some inside changed. A1111's
    // mask blur of 4 is a Gaussian with a kernel of 2·int(2.5·4 + 0.5) + 1 = 21: it reaches 10 pixels.
    const REACH = 11;
    let outside = 0;
    let changedInside = 0;
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        let near = false;
        for (let dy = -REACH; dy <= REACH && !near; dy++) for (let dx = -REACH; dx <= REACH && !near; dx++) near = (mask.data[Math.min(63, Math.max(0, y + dy)) * 64 + Math.min(63, Math.max(0, x + dx))] ?? 0) > 0;
        const i = (y * 64 + x) * 3;
        const same = before[i] === after[i] && before[i + 1] === after[i + 1] && before[i + 2] === after[i + 2];
        if (!near) {
          outside++;
          assert.ok(same, `pixel ${x},${y} outside the mask changed: ${[...before.subarray(i, i + 3)]} -> ${[...after.subarray(i, i + 3)]}`);
        } else if (mask.data[y * 64 + x] === 255 && !same) changedInside++;
      }
    }
    assert.ok(outside > 1200, `pixels checked outside the mask: ${outside}`);
    assert.ok(changedInside > 0, 'the masked area was repainted');
    const recipe = JSON.parse(readFileSync(join(outDir, 'red-circle-inpaint-4.json'), 'utf8'));
    assert.deepEqual([recipe.init.path, recipe.mask.path, recipe.strength], ['shapes/red-circle-4.png', 'shapes/red-circle-4-mask.png', 0.75]);
    await panel.getByRole('button', { name: 'Seed 4, red-circle-inpaint-4.png' }).click();
    await panel.locator('#detail .before-after').waitFor({ timeout: 10_000 });
    await panel.locator('#detail .before-after').scrollIntoViewIfNeeded();
    await session.screenshot('extension-inpainted');
  });

  it('the prompt file\'s pictures: hover shows one, Edit mask saves a new mask and updates mask:', async () => {
    const outDir = join(folder, 'shapes');
    // The mouse over the mask's path, as a user hovers it.
    await session.page.locator('.view-line', { hasText: 'mask: shapes/red-circle-4-mask.png' }).first().hover({ position: { x: 150, y: 8 } });
    const hover = session.page.locator('.monaco-hover:visible');
    const text = await waitFor('the mask and its init in the hover', async () => {
      const t = await hover.first().innerText().catch(() => '');
      return (await hover.locator('img').count()) === 2 && /PNG 64x64/.test(t) ? t : undefined;
    }, 20_000).catch(async (e: unknown) => {
      await session.screenshot('failed-picture-hover');
      throw new Error(`${(e as Error).message}; the hover held: ${await hover.first().innerHTML().catch(() => 'nothing')}`);
    });
    assert.match(text, /mask: shapes\/red-circle-4-mask\.png · PNG 64x64[\s\S]*masks init: shapes\/red-circle-4\.png · PNG 64x64/);
    // The images are in the hover before the browser has decoded them: wait for both to load.
    const widths = () => hover.locator('img').evaluateAll((imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth));
    const loaded = await waitFor('both pictures loaded in the hover', async () => ((await widths()).every((w) => w > 0) ? widths() : undefined), 10_000).catch(() => widths());
    assert.deepEqual(loaded, [64, 64], 'both pictures load in the hover');
    await session.screenshot('extension-picture-hover');
    await session.press('Escape');

    // The CodeLens of the inpaint block: the painter opens over its init with its mask, saving writes a new file.
    await session.page.locator('.codelens-decoration a', { hasText: 'Edit mask' }).first().click();
    panel = await session.webviewFrame('#painter:not([hidden])', 30_000);
    await waitFor('the block\'s mask in the painter', async () => (/[1-9][\d.]* % of 64x64 painted/.test((await panel.locator('#painter-status').textContent()) ?? '') ? true : undefined), 20_000);
    assert.equal(await panel.locator('#painter-save').textContent(), 'Save mask');
    const box = (await panel.locator('#painter-image').boundingBox())!;
    await session.page.mouse.click(box.x + box.width * 0.2, box.y + box.height * 0.2);
    await panel.locator('#painter-save').click();
    await waitFor('mask: pointing at the new file', async () => ((await session.editorText()).includes('mask: shapes/red-circle-4-mask-2.png') ? true : undefined), 20_000);
    assert.ok(existsSync(join(outDir, 'red-circle-4-mask.png')), 'the old mask stays, so images made with it reproduce');
    const [before, after] = await Promise.all(['red-circle-4-mask.png', 'red-circle-4-mask-2.png'].map((f) => sharp(join(outDir, f)).greyscale().raw().toBuffer()));
    assert.equal(before![12 * 64 + 12], 0);
    assert.ok(after![12 * 64 + 12]! > 128, 'the new stroke is in the new mask');
    assert.equal(after![32 * 64 + 32], 255, 'the old mask is kept in it');
  });
});

function findFiles(dir: string, pattern: RegExp): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findFiles(full, pattern));
    else if (pattern.test(entry.name)) found.push(full);
  }
  return found;
}

/** The prompt file the panel shows: its header says 'sdprompt' until the panel's first state arrives. */
async function shownPromptFile(panel: Frame): Promise<string> {
  return waitFor('the panel naming its prompt file', async () => {
    const name = await panel.locator('#file-name').textContent();
    return name?.endsWith('.sdprompt') ? name : undefined;
  }, 20_000);
}
