// The mask painter in headless Chromium: pointer strokes at known image positions, at two zoom
// levels, give the expected mask pixels at the image's own resolution; eraser, fill, invert,
// undo and redo, the keyboard, pen pressure, the PNG it sends, and nothing lost on close or reload.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import type { PainterSource, WebviewMessage } from '../../src/protocol/webview';
import { createMask, floodFill, paintSegment, type Brush, type Mask } from '../../src/webview/painter/mask';
import { image, png, sampleState } from './fixtures';
import { panelSuite, until, type PanelPage } from './page';

const W = 64;
const H = 48;
/** The prompt file of the fixture state (sampleState). */
const FILE = '/work/prompts/shapes.sdprompt';
const HARD_5: Brush = { size: 5, hardness: 1, erase: false };
const at = (x: number, y: number) => ({ x, y, pressure: 1 });

/** The mask expected from strokes through pixel centres, computed by the tested pure functions. */
function expected(strokes: [number, number][][], brush: Brush = HARD_5, start?: Mask): Mask {
  const mask = start ?? createMask(W, H);
  for (const stroke of strokes) {
    for (let i = 0; i < stroke.length; i++) {
      const a = stroke[Math.max(0, i - 1)]!;
      const b = stroke[i]!;
      paintSegment(mask, at(a[0], a[1]), at(b[0], b[1]), brush);
    }
  }
  return mask;
}

describe('mask painter in Chromium', () => {
  const suite = panelSuite(async () => {
    const files: Record<string, Buffer> = { 'hero-1.png': await png([30, 90, 200], W, H), 'emphasis-100.png': await png([240, 220, 0]) };
    for (const seed of [1, 2, 3]) files[`red-circle-${seed}.png`] = await png([200, 20 * seed, 20]);
    return files;
  });
  let panel: PanelPage | undefined;

  function state() {
    const s = sampleState(suite.server.origin);
    s.results[0]!.images.push({ ...image(suite.server.origin, 'hero', 1, 9000, W, H), id: 'shapes/hero-1.png' });
    return s;
  }

  /** Opens the panel, the hero image's details, and the painter over it. */
  async function openPainter(): Promise<PanelPage> {
    panel = await suite.open();
    await until(panel.page, 'window.__posted.length > 0');
    await panel.send({ type: 'state', state: state() });
    await panel.page.getByRole('button', { name: 'Seed 1, hero-1.png' }).click();
    await panel.page.locator('#detail').getByRole('button', { name: 'Paint mask' }).click();
    await panel.page.locator('#painter').waitFor({ state: 'visible' });
    await until(panel.page, 'document.querySelector("#painter-image").complete && document.querySelector("#painter-image").naturalWidth === 64');
    await panel.page.locator('#painter-size').fill('5');
    await panel.page.locator('#painter-hardness').fill('100');
    await panel.clearPosted();
    return panel;
  }

  /** The mask layer's alpha: the mask itself, one value per image pixel (copied to a canvas of the test's, to read it). */
  async function layer(p: PanelPage): Promise<{ width: number; height: number; data: number[] }> {
    return p.page.evaluate(() => {
      const doc = (globalThis as unknown as { document: DocumentLike }).document;
      const canvas = doc.getElementById('painter-mask');
      const copy = doc.createElement('canvas');
      copy.width = canvas.width;
      copy.height = canvas.height;
      const context = copy.getContext('2d', { willReadFrequently: true });
      context.drawImage(canvas, 0, 0);
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      const data: number[] = [];
      for (let i = 3; i < pixels.length; i += 4) data.push(pixels[i]!);
      return { width: canvas.width, height: canvas.height, data };
    });
  }

  async function assertMask(p: PanelPage, want: Mask, what: string): Promise<void> {
    const got = await layer(p);
    assert.deepEqual([got.width, got.height], [W, H], `${what}: the mask stays at the image's size`);
    const wrong = got.data.flatMap((v, i) => (v === want.data[i] ? [] : [`(${i % W},${Math.floor(i / W)}) ${v}≠${want.data[i]}`]));
    assert.deepEqual(wrong.slice(0, 10), [], `${what}: ${wrong.length} pixels differ`);
  }

  /** Where an image point is on screen, from the image element's box (its zoom and pan). */
  async function client(p: PanelPage, x: number, y: number): Promise<{ x: number; y: number; zoom: number }> {
    const box = (await p.page.locator('#painter-image').boundingBox())!;
    const zoom = box.width / W;
    return { x: box.x + x * zoom, y: box.y + y * zoom, zoom };
  }

  async function stroke(p: PanelPage, points: [number, number][]): Promise<number> {
    const first = await client(p, ...points[0]!);
    await p.page.mouse.move(first.x, first.y);
    await p.page.mouse.down();
    for (const point of points.slice(1)) {
      const c = await client(p, ...point);
      await p.page.mouse.move(c.x, c.y, { steps: 4 });
    }
    await p.page.mouse.up();
    return first.zoom;
  }

  async function click(p: PanelPage, x: number, y: number): Promise<void> {
    const c = await client(p, x, y);
    await p.page.mouse.click(c.x, c.y);
  }

  it('strokes at known positions give the expected mask pixels at the image\'s resolution, at two zoom levels', async () => {
    const p = await openPainter();
    const first: [number, number][] = [[10.5, 10.5], [30.5, 10.5]];
    const zoomFit = await stroke(p, first);
    assert.ok(zoomFit > 2, `fitted zoom ${zoomFit}`);
    const want = expected([first]);
    await assertMask(p, want, 'after a stroke at the fitted zoom');
    // Spot checks by hand: radius 2.5 around the segment from (10.5, 10.5) to (30.5, 10.5).
    const got = await layer(p);
    const value = (x: number, y: number) => got.data[y * W + x];
    assert.deepEqual([value(20, 10), value(20, 12), value(20, 13), value(8, 10), value(7, 10), value(33, 10)], [255, 255, 0, 255, 0, 0]);

    await p.page.locator('#painter-zoom-out').click();
    await p.page.keyboard.press('-');
    const second: [number, number][] = [[50.5, 5.5], [50.5, 40.5], [40.5, 40.5]];
    const zoomOut = await stroke(p, second);
    assert.ok(Math.abs(zoomOut - zoomFit / 1.25 / 1.25) < 1e-6, `zoomed out twice: ${zoomOut} from ${zoomFit}`);
    await assertMask(p, expected([first, second]), 'after a stroke zoomed out');
    assert.match((await p.page.locator('#painter-zoom').textContent()) ?? '', new RegExp(`^${Math.round(zoomOut * 100)} %$`));
  });

  it('erases, fills an outline, inverts, clears, and undoes and redoes each', async () => {
    const p = await openPainter();
    const outline: [number, number][] = [[5.5, 5.5], [25.5, 5.5], [25.5, 25.5], [5.5, 25.5], [5.5, 5.5]];
    await stroke(p, outline);
    const painted = expected([outline]);
    await assertMask(p, painted, 'outline');

    await p.page.keyboard.press('e');
    assert.equal(await p.page.locator('#painter-tool-eraser').isChecked(), true);
    const cut: [number, number][] = [[15.5, 0.5], [15.5, 30.5]];
    await stroke(p, cut);
    const erased = expected([cut], { ...HARD_5, erase: true }, expected([outline]));
    await assertMask(p, erased, 'eraser');

    await p.page.keyboard.press('Control+z');
    await assertMask(p, painted, 'undo of the eraser');

    await p.page.keyboard.press('g');
    await click(p, 15.5, 15.5);
    const filled = expected([outline]);
    floodFill(filled, 15.5, 15.5, 255);
    await assertMask(p, filled, 'fill inside the outline');
    assert.equal(filled.data[15 * W + 15], 255);
    assert.equal(filled.data[40 * W + 40], 0, 'outside the outline stays');

    await p.page.getByRole('button', { name: 'Invert' }).click();
    const inverted = { ...filled, data: filled.data.map((v) => 255 - v) };
    await assertMask(p, inverted, 'invert');

    await p.page.getByRole('button', { name: 'Clear' }).click();
    await assertMask(p, createMask(W, H), 'clear');

    await p.page.getByRole('button', { name: 'Undo' }).click();
    await assertMask(p, inverted, 'undo clear');
    await p.page.keyboard.press('Control+z');
    await assertMask(p, filled, 'undo invert');
    await p.page.keyboard.press('Control+Shift+Z');
    await assertMask(p, inverted, 'redo invert');
    await p.page.getByRole('button', { name: 'Redo' }).click();
    await assertMask(p, createMask(W, H), 'redo clear');
    assert.equal(await p.page.locator('#painter-redo').isDisabled(), true);
  });

  it('the keyboard: [ ] size, E eraser, B brush, zoom keys, Escape asks before discarding strokes', async () => {
    const p = await openPainter();
    await p.page.keyboard.press(']');
    assert.equal(await p.page.locator('#painter-size').inputValue(), '6');
    await p.page.keyboard.press('[');
    await p.page.keyboard.press('[');
    assert.equal(await p.page.locator('#painter-size').inputValue(), '4');
    assert.match((await p.page.locator('#painter-status').textContent()) ?? '', /^Brush, 4 px · 0\.0 % of 64x48 painted$/);
    await p.page.keyboard.press('E');
    assert.match((await p.page.locator('#painter-status').textContent()) ?? '', /^Eraser, 4 px/);
    await p.page.keyboard.press('e');
    assert.equal(await p.page.locator('#painter-tool-brush').isChecked(), true);
    await p.page.keyboard.press('e');
    await p.page.keyboard.press('b');
    assert.equal(await p.page.locator('#painter-tool-brush').isChecked(), true);
    const fitted = await p.page.locator('#painter-zoom').textContent();
    await p.page.keyboard.press('+');
    assert.notEqual(await p.page.locator('#painter-zoom').textContent(), fitted);
    await p.page.keyboard.press('0');
    assert.equal(await p.page.locator('#painter-zoom').textContent(), fitted);

    // Nothing painted: Escape closes at once, and focus returns to the button that opened it.
    await p.page.keyboard.press('Escape');
    await p.page.locator('#painter').waitFor({ state: 'hidden' });
    assert.equal(await p.page.evaluate('document.activeElement.dataset.command'), 'paintMask');

    await p.page.keyboard.press('Enter');
    await p.page.locator('#painter').waitFor({ state: 'visible' });
    await stroke(p, [[20.5, 20.5], [22.5, 22.5]]);
    await p.page.keyboard.press('Escape');
    const confirm = p.page.locator('#painter-confirm');
    await confirm.waitFor({ state: 'visible' });
    assert.equal(await p.page.evaluate('document.activeElement.id'), 'painter-keep');
    await p.page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'hidden' });
    assert.equal(await p.page.locator('#painter').isVisible(), true, 'Escape on the question keeps painting');
    assert.ok((await layer(p)).data.some((v) => v === 255), 'the strokes are still there');
    await until(p.page, 'window.__posted.some((m) => m.type === "painterDraft" && m.draft)');
    await p.page.keyboard.press('Escape');
    await p.page.getByRole('button', { name: 'Discard' }).click();
    await p.page.locator('#painter').waitFor({ state: 'hidden' });
    const posted = await p.posted();
    assert.deepEqual(posted.filter((m) => m.type !== 'painterDraft'), [], 'discarding saves nothing');
    assert.deepEqual(posted.at(-1), { type: 'painterDraft' }, 'the host is told there are no strokes left to keep');
  });

  it('a pen\'s pressure scales the brush', async () => {
    const p = await openPainter();
    await p.page.locator('#painter-size').fill('9');
    const c = await client(p, 32.5, 24.5);
    await p.page.evaluate(({ x, y }) => {
      const viewport = (globalThis as unknown as { document: { getElementById(id: string): { dispatchEvent(e: unknown): void } } }).document.getElementById('painter-viewport');
      const Pointer = (globalThis as unknown as { PointerEvent: new (type: string, init: object) => unknown }).PointerEvent;
      const init = { pointerId: 41, pointerType: 'pen', isPrimary: true, bubbles: true, cancelable: true, clientX: x, clientY: y, pressure: 1 / 3 };
      viewport.dispatchEvent(new Pointer('pointerdown', { ...init, button: 0, buttons: 1 }));
      viewport.dispatchEvent(new Pointer('pointerup', { ...init, button: 0, buttons: 0 }));
    }, c);
    // Size 9 at a third of the pressure: radius 1.5, a plus sign of 5 pixels and its diagonals out.
    const want = createMask(W, H);
    paintSegment(want, { x: 32.5, y: 24.5, pressure: 1 / 3 }, { x: 32.5, y: 24.5, pressure: 1 / 3 }, { size: 9, hardness: 1, erase: false });
    await assertMask(p, want, 'pen dab');
    assert.equal(want.data.filter((v) => v === 255).length, 9);
  });

  it('Inpaint sends the mask as a PNG at the image\'s size; a refusal keeps the painter open, success closes it', async () => {
    const p = await openPainter();
    await p.page.locator('#painter-hardness').fill('50');
    await p.page.locator('#painter-size').fill('12');
    await stroke(p, [[16.5, 24.5], [48.5, 24.5]]);
    await p.page.getByRole('button', { name: 'Inpaint' }).click();
    await until(p.page, 'window.__posted.some((m) => m.type === "saveMask")');
    const [message] = (await p.posted()).filter((m) => m.type === 'saveMask');
    assert.equal(message!.type, 'saveMask');
    assert.deepEqual([message!.target, message!.width, message!.height], [{ kind: 'inpaint', promptFile: FILE, imageId: 'shapes/hero-1.png' }, W, H]);
    const bytes = Buffer.from(message!.maskPng.replace(/^data:image\/png;base64,/, ''), 'base64');
    const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [W, H]);
    const grey = [...data].filter((_, i) => i % info.channels === 0);
    const want = expected([[[16.5, 24.5], [48.5, 24.5]]], { size: 12, hardness: 0.5, erase: false });
    assert.deepEqual(grey, [...want.data], 'the PNG holds the mask exactly, soft edges included');
    assert.ok(want.data.some((v) => v > 0 && v < 255), 'a soft brush leaves grey');
    assert.equal(await p.page.locator('#painter-save').isDisabled(), true, 'one save at a time');

    await p.send({ type: 'maskSaved', requestId: message!.requestId, error: 'The folder shapes/ is read-only.' });
    await p.page.locator('#painter-error', { hasText: 'read-only' }).waitFor();
    assert.equal(await p.page.locator('#painter').isVisible(), true);
    assert.equal(await p.page.locator('#painter-save').isDisabled(), false);

    await p.clearPosted();
    await p.page.getByRole('button', { name: 'Inpaint' }).click();
    await until(p.page, 'window.__posted.some((m) => m.type === "saveMask")');
    const [again] = (await p.posted()).filter((m) => m.type === 'saveMask');
    await p.send({ type: 'maskSaved', requestId: 'some-other-request' });
    assert.equal(await p.page.locator('#painter').isVisible(), true, 'an answer to another request changes nothing');
    await p.send({ type: 'maskSaved', requestId: again!.requestId });
    await p.page.locator('#painter').waitFor({ state: 'hidden' });
    assert.equal(await p.page.locator('#detail').isVisible(), true, 'back to the image');
    // The host put the cursor in the new block, in the editor: the panel does not take the focus back.
    assert.notEqual(await p.page.evaluate('document.activeElement?.dataset?.command ?? null'), 'paintMask', 'the Paint mask button does not take the focus back');
  });

  /** The painterDraft messages posted so far. */
  async function drafts(p: PanelPage): Promise<Extract<WebviewMessage, { type: 'painterDraft' }>[]> {
    return (await p.posted()).filter((m) => m.type === 'painterDraft');
  }

  /** The mask a PNG data URL holds, one grey value a pixel. */
  async function pngMask(dataUrl: string): Promise<{ width: number; height: number; data: number[] }> {
    const { data, info } = await sharp(Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64')).raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: [...data].filter((_, i) => i % info.channels === 0) };
  }

  it('tells the host of its unsaved strokes (the mask PNG with the painted pixels), and that none are left once undone or saved', async () => {
    const p = await openPainter();
    const first: [number, number][] = [[8.5, 8.5], [40.5, 30.5]];
    await stroke(p, first);
    await until(p.page, 'window.__posted.some((m) => m.type === "painterDraft" && m.draft)');
    let told = await drafts(p);
    assert.equal(told.length, 1, 'one message a stroke, a moment after it');
    const draft = told[0]!.draft!;
    assert.deepEqual([draft.source.target, draft.source.image.name, draft.source.mask, draft.width, draft.height], [{ kind: 'inpaint', promptFile: FILE, imageId: 'shapes/hero-1.png' }, 'hero-1.png', undefined, W, H]);
    assert.deepEqual(await pngMask(draft.maskPng), { width: W, height: H, data: [...expected([first]).data] }, 'the draft holds the strokes exactly');

    const second: [number, number][] = [[50.5, 40.5], [60.5, 10.5]];
    await stroke(p, second);
    await until(p.page, 'window.__posted.filter((m) => m.type === "painterDraft").length === 2');
    told = await drafts(p);
    assert.deepEqual((await pngMask(told[1]!.draft!.maskPng)).data, [...expected([first, second]).data], 'the next draft has both strokes');

    await p.page.keyboard.press('Control+z');
    await p.page.keyboard.press('Control+z');
    await until(p.page, 'window.__posted.at(-1).type === "painterDraft" && window.__posted.at(-1).draft === undefined');
    assert.deepEqual((await drafts(p)).at(-1), { type: 'painterDraft' }, 'undone to where it started: nothing to keep');

    await stroke(p, first);
    await until(p.page, 'window.__posted.at(-1).type === "painterDraft" && window.__posted.at(-1).draft !== undefined');
    await p.page.getByRole('button', { name: 'Inpaint' }).click();
    await until(p.page, 'window.__posted.some((m) => m.type === "saveMask")');
    const save = (await p.posted()).find((m) => m.type === 'saveMask')!;
    assert.equal((await drafts(p)).at(-1)!.draft?.maskPng, save.maskPng, 'still kept while the host saves');
    await p.send({ type: 'maskSaved', requestId: save.requestId });
    await p.page.locator('#painter').waitFor({ state: 'hidden' });
    assert.deepEqual((await p.posted()).at(-1), { type: 'painterDraft' }, 'saved: nothing to keep');
  });

  it('goes on with strokes the host kept from a closed panel: shown, not saved, and reported again', async () => {
    panel = await suite.open();
    const p = panel;
    await until(p.page, 'window.__posted.length > 0');
    await p.send({ type: 'state', state: state() });
    const line: [number, number][] = [[4.5, 44.5], [60.5, 4.5]];
    const strokes = expected([line]);
    const kept = await sharp(Buffer.from(strokes.data), { raw: { width: W, height: H, channels: 1 } }).png().toBuffer();
    const restoredMask = `data:image/png;base64,${kept.toString('base64')}`;
    const source: PainterSource = { image: { src: `${suite.server.origin}/hero-1.png`, width: W, height: H, name: 'hero-1.png' }, target: { kind: 'inpaint', promptFile: FILE, imageId: 'shapes/hero-1.png' } };
    await p.send({ type: 'openPainter', source, restoredMask });
    await p.page.locator('#painter').waitFor({ state: 'visible' });
    await until(p.page, 'document.querySelector("#painter-status").textContent.includes("(not saved)")');
    await assertMask(p, strokes, 'the kept strokes');
    await until(p.page, 'window.__posted.some((m) => m.type === "painterDraft" && m.draft)');
    assert.deepEqual((await pngMask((await drafts(p)).at(-1)!.draft!.maskPng)).data, [...strokes.data], 'reported to the host again');
    await p.page.keyboard.press('Escape');
    await p.page.locator('#painter-confirm').waitFor({ state: 'visible' });
  });

  it('keeps the prompt file it was opened for when the panel moves to another; the host\'s refusal keeps the strokes', async () => {
    const p = await openPainter();
    assert.equal(await p.page.locator('#painter-title').textContent(), 'Paint mask · hero-1.png · shapes.sdprompt');
    const line: [number, number][] = [[8.5, 24.5], [56.5, 24.5]];
    await stroke(p, line);
    // The editor switched to another prompt file whose outputs have an image of the same name.
    await p.send({ type: 'state', state: { ...state(), file: { path: '/work/prompts/other.sdprompt', name: 'other.sdprompt' } } });
    await p.page.getByRole('button', { name: 'Inpaint' }).click();
    await until(p.page, 'window.__posted.some((m) => m.type === "saveMask")');
    const save = (await p.posted()).find((m) => m.type === 'saveMask')!;
    assert.deepEqual(save.target, { kind: 'inpaint', promptFile: FILE, imageId: 'shapes/hero-1.png' }, 'the file it was opened for, not the one shown');
    const refusal = 'This mask was painted over shapes/hero-1.png of shapes.sdprompt; the panel now shows other.sdprompt: go back to shapes.sdprompt to save it.';
    await p.send({ type: 'maskSaved', requestId: save.requestId, error: refusal });
    await p.page.locator('#painter-error', { hasText: 'go back to shapes.sdprompt' }).waitFor();
    assert.equal(await p.page.locator('#painter').isVisible(), true);
    assert.ok(((await p.page.locator('#painter-status').textContent()) ?? '').includes('(not saved)'));
    await assertMask(p, expected([line]), 'the strokes after the refusal');
    await p.page.keyboard.press('Escape');
    await p.page.locator('#painter-confirm').waitFor({ state: 'visible' });
  });

  it('refuses to inpaint an empty mask, with a message', async () => {
    const p = await openPainter();
    await p.page.getByRole('button', { name: 'Inpaint' }).click();
    await p.page.locator('#painter-error', { hasText: 'the mask is empty' }).waitFor();
    assert.deepEqual(await p.posted(), []);
  });

  it('unsaved strokes survive a reload of the panel', async () => {
    const p = await openPainter();
    const line: [number, number][] = [[8.5, 40.5], [56.5, 8.5]];
    await stroke(p, line);
    await until(p.page, 'JSON.parse(sessionStorage.getItem("vscode-state")).painter.maskPng !== undefined');
    await p.page.reload();
    await p.page.locator('#painter').waitFor({ state: 'visible' });
    await until(p.page, '[...document.querySelectorAll("#painter-status")].some((e) => e.textContent.includes("(not saved)"))');
    await assertMask(p, expected([line]), 'restored');
    await p.page.keyboard.press('Escape');
    await p.page.locator('#painter-confirm').waitFor({ state: 'visible' });
  });

  it('opens from the host to edit an existing mask, and saves it for that block\'s mask: line', async () => {
    panel = await suite.open();
    const p = panel;
    await until(p.page, 'window.__posted.length > 0');
    await p.send({ type: 'state', state: state() });
    // An existing mask: the left half white, at half the image's size (the painter scales it).
    const half = await sharp({ create: { width: W / 2, height: H / 2, channels: 3, background: '#000' } })
      .composite([{ input: await png([255, 255, 255], W / 4, H / 2), left: 0, top: 0 }]).png().toBuffer();
    const source: PainterSource = {
      image: { src: `${suite.server.origin}/hero-1.png`, width: W, height: H, name: 'hero-1.png' },
      mask: `data:image/png;base64,${half.toString('base64')}`,
      target: { kind: 'blockMask', promptFile: '/work/prompts/masks.sdprompt', blockIndex: 2, maskPath: 'hero-1-mask.png' },
    };
    await p.send({ type: 'openPainter', source });
    await p.page.locator('#painter').waitFor({ state: 'visible' });
    await p.page.locator('#painter-error', { hasText: 'scaled to the image' }).waitFor();
    const got = await layer(p);
    assert.deepEqual([got.data[10 * W + 5], got.data[10 * W + 40]], [255, 0], 'left half painted, right half kept');
    assert.equal(await p.page.locator('#painter-save').textContent(), 'Save mask');
    await p.clearPosted();
    await p.page.getByRole('button', { name: 'Save mask' }).click();
    await until(p.page, 'window.__posted.length === 1');
    const [message] = (await p.posted()) as Extract<WebviewMessage, { type: 'saveMask' }>[];
    assert.deepEqual(message!.target, source.target);
  });
});

/** The page's canvas API as the layer reader uses it (the tests compile without the DOM lib). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d', options: { willReadFrequently: boolean }): {
    drawImage(source: CanvasLike, x: number, y: number): void;
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}
interface DocumentLike {
  getElementById(id: string): CanvasLike;
  createElement(tag: 'canvas'): CanvasLike;
}
