// The results panel in headless Chromium: the real bundle under the real CSP, driven by host
// messages as VS Code delivers them, checked on the DOM and on the commands it posts.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WEBVIEW_PROTOCOL_VERSION, type RunView } from '../../src/protocol/webview';
import { image, png, SAMPLERS, sampleState } from './fixtures';
import { panelSuite, until, type PanelPage } from './page';

/** Waits for the edit debounce (600 ms in src/webview/controls.ts) to have passed. */
const AFTER_DEBOUNCE_MS = 900;
describe('results webview in Chromium', () => {
  const suite = panelSuite(async () => {
    const files: Record<string, Buffer> = {};
    for (const seed of [1, 2, 3]) files[`red-circle-${seed}.png`] = await png([200, 20 * seed, 20]);
    files['emphasis-100.png'] = await png([240, 220, 0]);
    files['red-circle-grid.png'] = await png([90, 90, 90], 160, 80);
    return files;
  });
  let panel: PanelPage | undefined;

  async function open(withState = true): Promise<PanelPage> {
    panel = await suite.open();
    await until(panel.page, 'window.__posted.length > 0');
    if (withState) {
      await panel.send({ type: 'state', state: sampleState(suite.server.origin) });
      await panel.page.locator('#controls:not([hidden])').waitFor();
    }
    return panel;
  }

  it('posts ready on load, and shows what to do while no prompt file is open', async () => {
    const p = await open(false);
    assert.deepEqual(await p.posted(), [{ type: 'ready', protocolVersion: WEBVIEW_PROTOCOL_VERSION }]);
    const state = { ...sampleState(suite.server.origin), blocks: [], results: [], activeBlock: undefined };
    delete state.file;
    await p.send({ type: 'state', state });
    const empty = p.page.locator('#empty');
    await empty.waitFor({ state: 'visible' });
    assert.match((await empty.textContent()) ?? '', /Open a \.sdprompt file and press Ctrl\+Enter/);
    assert.equal(await p.page.locator('#controls').isVisible(), false);
  });

  it('renders the blocks, the active block\'s settings and the results newest first', async () => {
    const p = await open();
    const { page } = p;
    assert.equal(await page.locator('#file-name').textContent(), 'shapes.sdprompt');
    assert.match((await page.locator('#model').textContent()) ?? '', /tiny-sd \(demo\)\s*demo/);
    assert.equal(await page.locator('#empty').isVisible(), false);
    // Controls show block 2 as written; steps comes from the header.
    assert.match((await page.locator('#block-title').textContent()) ?? '', /emphasis\s+line 10/);
    assert.equal(await page.locator('#setting-seed').inputValue(), '100..103');
    assert.equal(await page.locator('#setting-cfg').inputValue(), '7.5');
    assert.equal(await page.locator('#setting-steps').inputValue(), '20');
    assert.equal(await page.locator('#setting-steps-origin').textContent(), 'from the header');
    assert.equal(await page.locator('#setting-sampler').inputValue(), 'Euler a');
    assert.equal(await page.locator('#setting-size').inputValue(), '64x64');
    assert.equal(await page.locator('#setting-sampler option').count(), SAMPLERS.length);
    assert.deepEqual(await page.locator('#setting-schedule option').allTextContents(), ['default: automatic (model)', 'automatic', 'karras', 'exponential']);
    assert.equal(await page.locator('#setting-schedule').inputValue(), '');

    const groups = page.locator('#results .group');
    assert.equal(await groups.count(), 2);
    assert.match((await groups.nth(0).locator('h2').textContent()) ?? '', /red circle\s+3 images/);
    assert.deepEqual(await groups.nth(0).locator('.thumb .seed').allTextContents(), ['3', '2', '1']);
    assert.deepEqual(await groups.nth(1).locator('.thumb .seed').allTextContents(), ['100']);
    assert.equal(await groups.nth(1).getAttribute('class'), 'group active');
    // The images load under the CSP, and tiny ones scale without smoothing.
    const firstThumb = groups.nth(0).locator('img').first();
    await until(page, '[...document.querySelectorAll("#results img")].every((i) => i.complete && i.naturalWidth === 64)');
    assert.match((await firstThumb.getAttribute('class')) ?? '', /\bpixelated\b/);
    const rendering = await firstThumb.evaluate((e) => (globalThis as unknown as PageGlobals).getComputedStyle(e).imageRendering);
    assert.equal(rendering, 'pixelated');
  });

  it('sends exactly one edit for a changed cfg, typed then committed', async () => {
    const p = await open();
    await p.clearPosted();
    const cfg = p.page.locator('#setting-cfg');
    await cfg.fill('8.5');
    await cfg.press('Tab');
    await p.page.waitForTimeout(AFTER_DEBOUNCE_MS);
    assert.deepEqual(await p.posted(), [{ type: 'editSetting', blockIndex: 2, key: 'cfg', value: '8.5' }]);
  });

  it('sends a typed value after the debounce, once, and nothing for an unchanged value', async () => {
    const p = await open();
    await p.clearPosted();
    const steps = p.page.locator('#setting-steps');
    await steps.pressSequentially('5'); // 20 → 205, typed key by key
    await steps.press('Backspace'); // 20
    await p.page.waitForTimeout(AFTER_DEBOUNCE_MS);
    assert.deepEqual(await p.posted(), [], 'back to the shown value: nothing to send');
    await steps.fill('30');
    await p.page.waitForTimeout(AFTER_DEBOUNCE_MS);
    assert.deepEqual(await p.posted(), [{ type: 'editSetting', blockIndex: 2, key: 'steps', value: '30' }]);
    await steps.press('Tab');
    await p.page.waitForTimeout(100);
    assert.equal((await p.posted()).length, 1, 'leaving the field does not send it again');
  });

  it('edits the sampler, the seed and a random seed, and asks to generate', async () => {
    const p = await open();
    await p.clearPosted();
    await p.page.locator('#setting-sampler').selectOption('Heun');
    await p.page.locator('#setting-schedule').selectOption('exponential');
    await p.page.locator('#setting-seed').fill('7, 9');
    await p.page.locator('#setting-seed').press('Enter');
    await p.page.getByRole('button', { name: 'New random seed' }).click();
    await p.page.getByRole('button', { name: 'Generate', exact: true }).click();
    await p.page.getByRole('button', { name: 'Generate with new seed' }).click();
    await p.page.waitForTimeout(AFTER_DEBOUNCE_MS);
    const posted = await p.posted();
    assert.equal(posted.length, 6, JSON.stringify(posted));
    assert.deepEqual(posted[0], { type: 'editSetting', blockIndex: 2, key: 'sampler', value: 'Heun' });
    assert.deepEqual(posted[1], { type: 'editSetting', blockIndex: 2, key: 'schedule', value: 'exponential' });
    posted.splice(1, 1);
    assert.deepEqual(posted[1], { type: 'editSetting', blockIndex: 2, key: 'seed', value: '7, 9' });
    const random = posted[2]!;
    assert.ok(random.type === 'editSetting' && random.key === 'seed' && /^\d+$/.test(random.value) && Number(random.value) <= 0xffffffff, JSON.stringify(random));
    assert.deepEqual(posted.slice(3), [
      { type: 'generate', blockIndex: 2, seeds: 'asWritten' },
      { type: 'generate', blockIndex: 2, seeds: 'new' },
    ]);
  });

  it('follows the active block and sends its edits for that block', async () => {
    const p = await open();
    await p.send({ type: 'activeBlock', blockIndex: 1 });
    await p.page.locator('#block-title', { hasText: 'red circle' }).waitFor();
    assert.equal(await p.page.locator('#setting-seed').inputValue(), '1, 2, 3');
    assert.equal(await p.page.locator('#setting-cfg').inputValue(), '');
    assert.equal(await p.page.locator('#setting-cfg').getAttribute('placeholder'), '7');
    assert.equal(await p.page.locator('#setting-cfg-origin').textContent(), 'default: 7');
    await p.clearPosted();
    await p.page.locator('#setting-size').fill('128x96');
    await p.page.locator('#setting-size').press('Enter');
    assert.deepEqual(await p.posted(), [{ type: 'editSetting', blockIndex: 1, key: 'size', value: '128x96' }]);
  });

  it('shows a combined sampler name (dpmpp_2m_karras) as its sampler and its schedule in the menus', async () => {
    const p = await open();
    await p.send({ type: 'activeBlock', blockIndex: 3 });
    await p.page.locator('#block-title', { hasText: 'Block 3' }).waitFor();
    assert.equal(await p.page.locator('#setting-sampler').inputValue(), 'DPM++ 2M');
    assert.equal(await p.page.locator('#setting-schedule').inputValue(), 'karras');
    assert.equal(await p.page.locator('#setting-sampler option', { hasText: 'unknown' }).count(), 0);
    await p.clearPosted();
    await p.page.locator('#setting-schedule').selectOption('karras');
    assert.deepEqual(await p.posted(), [], 'the entry already shown: nothing to send');
  });

  it('opens an image\'s details and sends its commands with its id', async () => {
    const p = await open();
    await p.clearPosted();
    await p.page.getByRole('button', { name: 'Seed 2, red-circle-2.png' }).click();
    const detail = p.page.locator('#detail');
    await detail.waitFor({ state: 'visible' });
    assert.equal(await detail.locator('h2').textContent(), 'red-circle-2.png');
    assert.match((await detail.locator('pre').textContent()) ?? '', /Seed: 2, Size: 64x64/);
    assert.match((await detail.locator('dl').textContent()) ?? '', /Seed2.*Negativeblurry/s);
    assert.equal(await detail.getByRole('button', { name: 'Keep seed' }).isDisabled(), true, 'the block has seed 2 already');
    for (const name of ['Copy parameters', 'Reveal in explorer', 'Open image']) {
      await detail.getByRole('button', { name }).click();
    }
    assert.deepEqual(await p.posted(), [
      { type: 'copyParameters', imageId: 'shapes/red-circle-2.png' },
      { type: 'revealImage', imageId: 'shapes/red-circle-2.png' },
      { type: 'openImage', imageId: 'shapes/red-circle-2.png' },
    ]);
    await p.page.keyboard.press('Escape');
    await detail.waitFor({ state: 'hidden' });
    assert.equal(await p.page.evaluate('document.activeElement.dataset.imageId'), 'shapes/red-circle-2.png', 'focus returns to the thumbnail');
  });

  it('marks a stale image, keeps a new seed\'s image with one command, and shows a block\'s grid that opens in the editor', async () => {
    const p = await open();
    const state = sampleState(suite.server.origin);
    const group = state.results[0]!;
    group.images = group.images.map((i) => (i.seed === 2 ? { ...i, stale: ['cfg', 'steps'] } : i.seed === 3 ? { ...i, seedKept: false } : i));
    group.grids = [{ id: 'red-circle-grid.png', src: `${suite.server.origin}/red-circle-grid.png`, fileName: 'red-circle-grid.png', createdAt: 4000, width: 160, height: 80, axes: 'cfg × steps' }];
    await p.send({ type: 'state', state });
    const stale = p.page.getByRole('button', { name: 'Seed 2, red-circle-2.png, stale' });
    await stale.waitFor();
    assert.equal(await stale.getAttribute('class'), 'thumb stale');
    assert.equal(await stale.getAttribute('title'), 'red-circle-2.png: stale (the block now asks for another cfg, steps)');
    assert.deepEqual(await p.page.locator('#results .group').nth(0).locator('.thumb.stale').count(), 1, 'only the stale one is marked');
    await stale.click();
    assert.equal(await p.page.locator('#detail .stale-note').textContent(), 'Stale: the block now asks for another cfg, steps.');

    await p.clearPosted();
    await p.page.getByRole('button', { name: 'Seed 3, red-circle-3.png' }).click();
    await p.page.locator('#detail h2', { hasText: 'red-circle-3.png' }).waitFor();
    assert.equal(await p.page.locator('#detail .stale-note').count(), 0);
    await p.page.locator('#detail').getByRole('button', { name: 'Keep seed' }).click();
    assert.deepEqual(await p.posted(), [{ type: 'keepSeed', imageId: 'shapes/red-circle-3.png' }]);

    const grid = p.page.getByRole('button', { name: 'Grid of cfg × steps, red-circle-grid.png' });
    await until(p.page, 'document.querySelector(".grid-img").naturalWidth === 160');
    assert.equal(await p.page.locator('#results .group').nth(0).locator('.grids img').count(), 1);
    await p.clearPosted();
    await grid.click();
    assert.deepEqual(await p.posted(), [{ type: 'openImage', imageId: 'red-circle-grid.png' }]);
  });

  it('starts blocks from an image: Use as init image, and Outpaint by a typed multiple of 8 (anything else refused)', async () => {
    const p = await open();
    await p.clearPosted();
    await p.page.getByRole('button', { name: 'Seed 2, red-circle-2.png' }).click();
    const detail = p.page.locator('#detail');
    await detail.getByRole('button', { name: 'Use as init image' }).click();
    await detail.getByRole('button', { name: 'Right', exact: true }).click();
    await detail.getByLabel('Pixels').fill('128');
    await detail.getByRole('button', { name: 'Top', exact: true }).click();
    await detail.getByLabel('Pixels').fill('30');
    await detail.getByRole('button', { name: 'Left', exact: true }).click();
    assert.equal(await detail.locator('#outpaint-pixels:invalid').count(), 1, 'the amount is marked invalid');
    assert.deepEqual(await p.posted(), [
      { type: 'useAsInit', imageId: 'shapes/red-circle-2.png' },
      { type: 'outpaint', imageId: 'shapes/red-circle-2.png', sides: { left: 0, right: 64, top: 0, bottom: 0 } },
      { type: 'outpaint', imageId: 'shapes/red-circle-2.png', sides: { left: 0, right: 0, top: 128, bottom: 0 } },
    ]);
  });

  it('shows an image made from a picture beside its init and mask (before and after)', async () => {
    const p = await open();
    const state = sampleState(suite.server.origin);
    const made = state.results[0]!.images[0]!;
    made.init = { src: `${suite.server.origin}/red-circle-3.png`, name: 'shapes/red-circle-3.png' };
    made.mask = { src: `${suite.server.origin}/emphasis-100.png`, name: 'shapes/red-circle-3-mask.png' };
    await p.send({ type: 'state', state });
    await p.page.getByRole('button', { name: 'Seed 1, red-circle-1.png' }).click();
    const pictures = p.page.locator('#detail .before-after figure');
    await pictures.first().waitFor();
    assert.deepEqual(await pictures.locator('figcaption').allTextContents(), ['Before · shapes/red-circle-3.png', 'Mask · shapes/red-circle-3-mask.png', 'After']);
    await until(p.page, '[...document.querySelectorAll("#detail .before-after img")].every((i) => i.complete && i.naturalWidth === 64)');
    assert.match((await p.page.locator('#detail dl').textContent()) ?? '', /Initshapes\/red-circle-3\.pngMaskshapes\/red-circle-3-mask\.png/);
  });

  it('shows strength for a block with init:, and the masking settings only with a mask, and edits them', async () => {
    const p = await open();
    const fields = () => p.page.locator('#image-fields .field:not([hidden]) label').allTextContents();
    assert.equal(await p.page.locator('#image-fields').isVisible(), false, 'a text-to-image block has none');
    const state = sampleState(suite.server.origin);
    state.blocks[1]!.mode = 'image';
    await p.send({ type: 'state', state });
    await until(p.page, '!document.querySelector("#image-fields").hidden');
    assert.deepEqual((await fields()).map((t) => t.trim()), ['Strength']);
    state.blocks[1]!.mode = 'masked';
    await p.send({ type: 'state', state });
    await until(p.page, '!document.querySelector("#setting-inpaint_area").closest(".field").hidden');
    assert.deepEqual((await fields()).map((t) => t.trim()), ['Strength', 'Mask blur', 'Masked content', 'Inpaint area']);
    await p.clearPosted();
    await p.page.locator('#setting-strength').fill('0.6');
    await p.page.locator('#setting-strength').press('Enter');
    await p.page.locator('#setting-masked_content').selectOption('fill');
    assert.deepEqual(await p.posted(), [
      { type: 'editSetting', blockIndex: 2, key: 'strength', value: '0.6' },
      { type: 'editSetting', blockIndex: 2, key: 'masked_content', value: 'fill' },
    ]);
  });

  it('shows a run\'s step and live preview, updates it in place, and cancels it', async () => {
    const p = await open();
    await p.clearPosted();
    const preview = (await png([0, 0, 255], 8)).toString('base64');
    const run: RunView = { runId: 'run-7', blockIndex: 2, image: 2, imageCount: 4, seed: 101, step: 5, steps: 20, preview: `data:image/png;base64,${preview}` };
    await p.send({ type: 'progress', runs: [run] });
    const tile = p.page.locator('#runs .run[data-run-id="run-7"]');
    await tile.waitFor();
    assert.equal(await tile.locator('.status').textContent(), 'emphasis · image 2 of 4 · seed 101 · step 5/20');
    assert.equal(await tile.locator('.status').getAttribute('aria-live'), 'polite');
    assert.equal(await tile.locator('progress').evaluate((e) => (e as unknown as { value: number }).value), 5);
    await until(p.page, 'document.querySelector("#runs img.preview").naturalWidth === 8');
    assert.equal(await tile.locator('img.preview').getAttribute('src'), run.preview);
    await tile.locator('img.preview').evaluate((e) => ((e as unknown as Record<string, unknown>)['marker'] = true));

    await p.send({ type: 'progress', runs: [{ ...run, step: 6 }] });
    await tile.locator('.status', { hasText: 'step 6/20' }).waitFor();
    // A two-call sampler (Heun): the UNet calls beside the steps, the bar by calls.
    await p.send({ type: 'progress', runs: [{ ...run, step: 6, call: 12, calls: 39 }] });
    await tile.locator('.status', { hasText: 'step 6/20 · UNet call 12/39' }).waitFor();
    assert.equal(await tile.locator('progress').evaluate((e) => (e as unknown as { value: number; max: number }).max), 39);
    assert.equal(await tile.locator('img.preview').evaluate((e) => (e as unknown as Record<string, unknown>)['marker']), true, 'same element, updated in place');

    await tile.getByRole('button', { name: 'Cancel' }).click();
    assert.deepEqual(await p.posted(), [{ type: 'cancelRun', runId: 'run-7' }]);
    await p.send({ type: 'progress', runs: [] });
    await p.page.locator('#runs').waitFor({ state: 'hidden' });
  });

  it('shows a new image at once from the PNG sent with it, and keeps showing it from memory', async () => {
    const p = await open();
    const data = `data:image/png;base64,${(await png([10, 200, 10], 48, 32)).toString('base64')}`;
    const added = { ...image(suite.server.origin, 'emphasis', 101, 6000, 48, 32), src: `${suite.server.origin}/not-fetched-101.png` };
    await p.send({ type: 'imageAdded', blockIndex: 2, image: added, data });
    const thumb = p.page.getByRole('button', { name: 'Seed 101, emphasis-101.png' });
    await thumb.waitFor();
    assert.deepEqual(await p.page.locator('#results .group').nth(1).locator('.thumb .seed').allTextContents(), ['101', '100'], 'newest first, in its block');
    await until(p.page, 'document.querySelector(\'[data-image-id="shapes/emphasis-101.png"] img\').naturalWidth === 48');
    assert.equal(await thumb.locator('img').getAttribute('src'), data);
    // The next state lists it with its URI: the panel still shows it from memory, fetching nothing.
    const state = sampleState(suite.server.origin);
    state.results[1]!.images.push(added);
    await p.send({ type: 'state', state });
    await until(p.page, 'document.querySelectorAll("#results .group")[1].querySelectorAll(".thumb").length === 2');
    assert.equal(await thumb.locator('img').getAttribute('src'), data);
    // An image of a block without images yet gets a group, in block order.
    await p.send({ type: 'imageAdded', blockIndex: 3, image: { ...added, id: 'shapes/block-3-7.png', fileName: 'block-3-7.png', seed: 7 }, data });
    await p.page.locator('#results .group[data-block-index="3"]').waitFor();
    assert.deepEqual(await p.page.locator('#results .group').evaluateAll((groups) => groups.map((g) => (g as unknown as { dataset: { blockIndex: string } }).dataset.blockIndex)), ['1', '2', '3']);
  });

  it('shows errors and dismisses them by id', async () => {
    const p = await open();
    await p.clearPosted();
    await p.send({ type: 'state', state: { ...sampleState(suite.server.origin), errors: [{ id: 'e1', message: 'The model folder is missing', line: 4 }] } });
    const error = p.page.locator('#errors li');
    await error.waitFor();
    assert.match((await error.textContent()) ?? '', /The model folder is missing \(line 4\)/);
    assert.equal(await p.page.locator('#errors').getAttribute('role'), 'alert');
    await error.getByRole('button', { name: 'Dismiss' }).click();
    assert.deepEqual(await p.posted(), [{ type: 'dismissError', errorId: 'e1' }]);
  });

  it('takes image files dropped on it: outlined while dragged over, then their URIs or contents posted for import', async () => {
    const p = await open();
    await p.clearPosted();
    // A drag as VS Code's explorer makes it (resourceurls holds the whole selection), then one from
    // the operating system (a File, no path), dispatched as the browser would.
    const outlined = await p.page.evaluate(`(() => {
      const explorer = new DataTransfer();
      explorer.setData('text/uri-list', 'file:///work/in/a%20b.png');
      explorer.setData('resourceurls', JSON.stringify(['file:///work/in/a%20b.png', 'file:///work/in/c.jpg', 'file:///work/in/notes.txt']));
      document.body.dispatchEvent(new DragEvent('dragover', { dataTransfer: explorer, bubbles: true, cancelable: true }));
      const outlined = document.body.classList.contains('drop-target');
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: explorer, bubbles: true, cancelable: true }));
      const os = new DataTransfer();
      os.items.add(new File([new Uint8Array([137, 80, 78, 71, 1, 2, 255])], 'from disk.png', { type: 'image/png' }));
      os.items.add(new File(['text'], 'readme.txt', { type: 'text/plain' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: os, bubbles: true, cancelable: true }));
      return outlined && !document.body.classList.contains('drop-target');
    })()`);
    assert.equal(outlined, true, 'outlined during the drag, not after the drop');
    await until(p.page, 'window.__posted.length === 2');
    const [fromExplorer, fromDisk] = await p.posted();
    assert.deepEqual(fromExplorer, { type: 'importImages', afterBlock: 2, uris: ['file:///work/in/a%20b.png', 'file:///work/in/c.jpg'], files: [] });
    assert.ok(fromDisk?.type === 'importImages');
    assert.deepEqual(fromDisk.uris, []);
    assert.equal(fromDisk.files.length, 1, 'only the image');
    assert.equal(fromDisk.files[0]!.name, 'from disk.png');
    const bytes = Buffer.from(fromDisk.files[0]!.dataUrl.split(',')[1]!, 'base64');
    assert.deepEqual([...bytes], [137, 80, 78, 71, 1, 2, 255]);
  });

  it('keeps the open image and the scroll position across a reload through setState', async () => {
    const p = await open();
    const tall = sampleState(suite.server.origin);
    // Enough results to scroll: many copies of one image in block 3.
    tall.results.push({ blockIndex: 3, images: Array.from({ length: 60 }, (_, i) => ({ ...image(suite.server.origin, 'red-circle', 1, 10 + i), id: `copy-${i}` })) });
    await p.send({ type: 'state', state: tall });
    await p.page.getByRole('button', { name: 'Seed 3, red-circle-3.png' }).click();
    await p.page.locator('#detail').waitFor({ state: 'visible' });
    await p.page.evaluate('window.scrollTo(0, 400)');
    await until(p.page, 'JSON.parse(sessionStorage.getItem("vscode-state")).scrollY === 400');

    await p.page.reload();
    await until(p.page, 'window.__posted.some((m) => m.type === "ready")');
    assert.equal(await p.page.locator('#detail').isVisible(), false, 'nothing shown before the host\'s state');
    await p.send({ type: 'state', state: tall });
    await p.page.locator('#detail').waitFor({ state: 'visible' });
    assert.equal(await p.page.locator('#detail h2').textContent(), 'red-circle-3.png');
    assert.equal(await p.page.evaluate('window.scrollY'), 400);
  });
});

/** The page's globals used in evaluate callbacks (the tests compile without the DOM lib). */
interface PageGlobals {
  getComputedStyle(element: unknown): { imageRendering: string };
}
