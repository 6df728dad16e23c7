// The mask painter: an image with its mask over it, brush, eraser and fill, undo and redo, zoom
// and pan, keyboard use. The mask lives at the image's resolution (mask.ts); this file wires the
// elements of skeleton.ts to it and sends the finished mask to the host as a PNG (`saveMask`),
// closing only when the host says it was saved. Strokes not yet saved survive the panel being
// hidden (the webview's saved UI state) and are never dropped without asking: the host is told of
// them (draft.ts), and asks if the panel is closed.

import { MAX_MASK_PIXELS, parsePainterSource, type ImageView, type PainterSource } from '../../protocol/webview';
import { byId } from '../dom';
import { post, saveUi, ui } from '../host';
import { imageSrc, panelState } from '../store';
import { forgetDraft, tellDraft } from './draft';
import { MaskHistory } from './history';
import { actionForKey, type PainterAction } from './keys';
import { cssColour, drawMask, maskToPng, pngToMask, type Rgb } from './layer';
import { createMask, floodFill, invertMask, paintedShare, paintSegment, setAll, unionRect, type Mask, type Rect, type StrokePoint } from './mask';
import { attachPointer } from './pointer';
import { TOOLS, type Tool } from './skeleton';
import { clampZoom, fitView, nextBrushSize, panBy, ZOOM_STEP, zoomAt, type View } from './view';

/** Save the unsaved mask into the UI state this long after the last stroke. */
const PERSIST_DEBOUNCE_MS = 400;
const PAN_STEP = 32;

interface Session {
  source: PainterSource;
  mask: Mask;
  history: MaskHistory;
  view: View;
  tint: Rgb;
  /** Set while a stroke is drawn: where it was last, and what it changed so far. */
  stroke?: { last: StrokePoint; erase: boolean; changed?: Rect };
  /** The request id of a save the host has not answered yet. */
  saving?: string;
  /** The element to give focus back to on close. */
  opener?: HTMLElement | null;
}

/** Tool settings outlive one painting. */
const settings = { tool: 'brush' as Tool, size: 16, hardness: 80, opacity: 60 };
let session: Session | undefined;
let persistTimer: ReturnType<typeof setTimeout> | undefined;
let requests = 0;

const el = {
  section: () => byId('painter'),
  viewport: () => byId('painter-viewport'),
  stage: () => byId('painter-stage'),
  image: () => byId<HTMLImageElement>('painter-image'),
  layer: () => byId<HTMLCanvasElement>('painter-mask'),
  cursor: () => byId('painter-cursor'),
  input: (id: string) => byId<HTMLInputElement>(id),
};

export function isPainterOpen(): boolean {
  return session !== undefined;
}

/** Wires the skeleton's controls once, after it is in the page. */
export function initPainter(): void {
  for (const [tool] of TOOLS) el.input(`painter-tool-${tool}`).addEventListener('change', () => setTool(tool));
  const sliders: [string, (value: number) => void][] = [
    ['painter-size', (v) => (settings.size = v)],
    ['painter-hardness', (v) => (settings.hardness = v)],
    ['painter-opacity', (v) => (settings.opacity = v)],
  ];
  for (const [id, set] of sliders) el.input(id).addEventListener('input', () => {
    set(Number(el.input(id).value));
    showSettings();
  });
  const buttons: [string, PainterAction | (() => void)][] = [
    ['painter-undo', 'undo'], ['painter-redo', 'redo'], ['painter-invert', 'invert'], ['painter-clear', clear],
    ['painter-zoom-in', 'zoomIn'], ['painter-zoom-out', 'zoomOut'], ['painter-fit', 'fit'],
    ['painter-save', save], ['painter-cancel', 'close'], ['painter-discard', discard], ['painter-keep', keepPainting],
  ];
  for (const [id, action] of buttons) byId(id).addEventListener('click', () => (typeof action === 'function' ? action() : act(action)));
  attachPointer(el.viewport(), {
    view: () => session?.view,
    tool: () => settings.tool,
    brushSize: () => settings.size,
    setView,
    beginStroke,
    continueStroke,
    endStroke,
    fillAt,
  });
  el.viewport().addEventListener('keydown', (event) => {
    const pan: Record<string, [number, number]> = { ArrowLeft: [PAN_STEP, 0], ArrowRight: [-PAN_STEP, 0], ArrowUp: [0, PAN_STEP], ArrowDown: [0, -PAN_STEP] };
    const by = pan[event.key];
    if (by && session) {
      event.preventDefault();
      setView(panBy(session.view, by[0], by[1]));
    }
  });
}

/** Opens the painter; `opener` gets focus back when it closes. Refuses an image too large to paint. */
export function openPainter(source: PainterSource, opener?: HTMLElement | null, restoredMask?: string): void {
  start(source, opener, restoredMask).catch((error: unknown) => showError(`The painter could not open: ${error instanceof Error ? error.message : String(error)}`));
}

async function start(source: PainterSource, opener: HTMLElement | null | undefined, restoredMask: string | undefined): Promise<void> {
  if (session?.history.dirty) return askToDiscard();
  el.section().hidden = false;
  byId('panel').hidden = true;
  const tooLarge = (w: number, h: number) =>
    w * h > MAX_MASK_PIXELS &&
    `${source.image.name} is ${w}x${h}: too large to paint a mask on here (at most ${MAX_MASK_PIXELS.toLocaleString('en')} pixels). Paint it in an image editor and set mask: in the block.`;
  const declared = tooLarge(source.image.width, source.image.height);
  if (declared) return showError(declared);
  // The mask takes the picture's size as the browser shows it (a JPEG's EXIF orientation applied, as the engine applies it).
  const image = el.image();
  image.src = source.image.src;
  const loaded = await image.decode().then(() => true, () => false);
  if (!loaded) return showError(`${source.image.name} could not be loaded, so there is nothing to paint over.`);
  const { naturalWidth: width, naturalHeight: height } = image;
  const natural = tooLarge(width, height);
  if (natural) return showError(natural);
  const mask = createMask(width, height);
  session = { source, mask, history: new MaskHistory(), view: { zoom: 1, panX: 0, panY: 0 }, tint: cssColour(el.cursor(), 'var(--mask-tint)'), opener };
  showError(undefined);
  // The prompt file too: the panel may show another one meanwhile, and the mask is saved into this one.
  byId('painter-title').textContent = `Paint mask · ${source.image.name} · ${source.target.promptFile.split(/[\\/]/).pop()}`;
  byId('painter-save').textContent = source.target.kind === 'inpaint' ? 'Inpaint' : 'Save mask';
  byId('painter-save').title = source.target.kind === 'inpaint' ? 'Save the mask beside the image and add a block that inpaints it' : 'Save the mask as a new file and point the block\'s mask: at it';
  image.width = width;
  image.height = height;
  image.classList.toggle('pixelated', true);
  const layer = el.layer();
  layer.width = width;
  layer.height = height;
  el.stage().style.width = `${width}px`;
  el.stage().style.height = `${height}px`;
  el.input('painter-size').max = String(Math.max(8, Math.max(width, height)));
  settings.size = Math.min(settings.size, Math.max(8, Math.max(width, height)));
  const start = restoredMask ?? source.mask;
  if (start) {
    const read = await pngToMask(start, mask).catch(() => undefined);
    if (!read) showError('The mask image could not be read; starting from an empty mask.');
    else if (read.resized && !restoredMask) showError(`The mask was not ${width}x${height}; it was scaled to the image.`);
  }
  if (!restoredMask) session.history.markSaved();
  else session.history.markUnsaved();
  drawMask(layer, mask, session.tint);
  setTool(settings.tool);
  act('fit');
  showSettings();
  persist();
  el.viewport().focus();
}

/**
 * Opens the painter over one of the panel's images, to inpaint it in the prompt file shown now
 * (the target keeps it: the panel may follow the editor to another file before the mask is saved).
 */
export function paintImage(image: ImageView, opener: HTMLElement | null): void {
  const promptFile = panelState()?.file?.path;
  if (promptFile === undefined) return;
  openPainter({ image: { src: imageSrc(image), width: image.width, height: image.height, name: image.fileName }, target: { kind: 'inpaint', promptFile, imageId: image.id } }, opener);
}

/** Reopens a painter left open when the panel was hidden, with its unsaved strokes. */
export function restorePainter(): void {
  const saved = ui.painter;
  const source = parsePainterSource(saved?.source);
  if (!saved || !source) {
    delete ui.painter;
    return;
  }
  openPainter(source, null, typeof saved.maskPng === 'string' ? saved.maskPng : undefined);
}

/** Keys while the painter is open; true when the painter used the key. */
export function painterKey(event: KeyboardEvent): boolean {
  if (el.section().hidden) return false;
  const target = event.target as HTMLElement | null;
  const typing = target instanceof HTMLInputElement && target.type === 'text';
  const action = actionForKey(event, typing);
  if (!action) return false;
  event.preventDefault();
  act(action);
  return true;
}

function act(action: PainterAction): void {
  if (action === 'close') return close();
  const s = session;
  if (!s) return;
  if (!byId('painter-confirm').hidden) return;
  const viewport = el.viewport();
  const centre = (zoom: number) => setView(zoomAt(s.view, zoom, viewport.clientWidth / 2, viewport.clientHeight / 2));
  switch (action) {
    case 'smaller':
    case 'larger':
      settings.size = nextBrushSize(settings.size, action === 'larger' ? 1 : -1, Number(el.input('painter-size').max));
      showSettings();
      return;
    case 'brush':
      return setTool('brush');
    case 'toggleEraser':
      return setTool(settings.tool === 'eraser' ? 'brush' : 'eraser');
    case 'fill':
      return setTool('fill');
    case 'invert':
      return change(() => invertMask(s.mask));
    case 'undo':
      return redraw(s.history.undo(s.mask));
    case 'redo':
      return redraw(s.history.redo(s.mask));
    case 'zoomIn':
      return centre(s.view.zoom * ZOOM_STEP);
    case 'zoomOut':
      return centre(s.view.zoom / ZOOM_STEP);
    case 'fit':
      return setView(fitView(s.mask.width, s.mask.height, viewport.clientWidth, viewport.clientHeight));
  }
}

function clear(): void {
  if (session) change(() => setAll(session!.mask, 0));
}

function setTool(tool: Tool): void {
  settings.tool = tool;
  el.input(`painter-tool-${tool}`).checked = true;
  el.viewport().dataset['tool'] = tool;
  showSettings();
}

function setView(view: View): void {
  if (!session) return;
  session.view = { ...view, zoom: clampZoom(view.zoom) };
  const { zoom, panX, panY } = session.view;
  el.stage().style.transform = `translate(${panX}px, ${panY}px) scale(${zoom})`;
  byId('painter-zoom').textContent = `${Math.round(zoom * 100)} %`;
  showSettings();
}

/** One undoable change of the whole operation `apply` makes. */
function change(apply: () => Rect | undefined): void {
  const s = session;
  if (!s) return;
  s.history.begin(s.mask);
  const changed = apply();
  s.history.commit(s.mask, changed);
  redraw(changed);
}

function redraw(rect: Rect | undefined): void {
  if (!session) return;
  if (rect) drawMask(el.layer(), session.mask, session.tint, rect);
  showStatus();
  schedulePersist();
}

function brush(erase: boolean) {
  return { size: settings.size, hardness: settings.hardness / 100, erase };
}

/** `penEraser`: the stroke comes from a pen's eraser end, which erases whatever the tool. */
function beginStroke(point: StrokePoint, penEraser: boolean): void {
  const s = session;
  if (!s || !byId('painter-confirm').hidden) return;
  const erase = penEraser || settings.tool === 'eraser';
  s.history.begin(s.mask);
  const changed = paintSegment(s.mask, point, point, brush(erase));
  s.stroke = { last: point, erase, ...(changed ? { changed } : {}) };
  if (changed) drawMask(el.layer(), s.mask, s.tint, changed);
}

function continueStroke(points: StrokePoint[]): void {
  const s = session;
  if (!s?.stroke) return;
  let dirty: Rect | undefined;
  for (const point of points) {
    dirty = unionRect(dirty, paintSegment(s.mask, s.stroke.last, point, brush(s.stroke.erase)));
    s.stroke.last = point;
  }
  if (!dirty) return;
  s.stroke.changed = unionRect(s.stroke.changed, dirty);
  drawMask(el.layer(), s.mask, s.tint, dirty);
}

function endStroke(): void {
  const s = session;
  if (!s?.stroke) return;
  s.history.commit(s.mask, s.stroke.changed);
  delete s.stroke;
  redraw(undefined);
}

function fillAt(point: StrokePoint): void {
  if (session && byId('painter-confirm').hidden) change(() => floodFill(session!.mask, point.x, point.y, 255));
}

function showSettings(): void {
  const size = el.input('painter-size');
  size.value = String(settings.size);
  byId('painter-size-value').textContent = `${settings.size} px`;
  el.input('painter-hardness').value = String(settings.hardness);
  byId('painter-hardness-value').textContent = `${settings.hardness} %`;
  el.input('painter-opacity').value = String(settings.opacity);
  byId('painter-opacity-value').textContent = `${settings.opacity} %`;
  el.layer().style.opacity = String(settings.opacity / 100);
  const cursor = el.cursor();
  const diameter = settings.size * (session?.view.zoom ?? 1);
  cursor.style.width = cursor.style.height = `${diameter}px`;
  showStatus();
}

function showStatus(): void {
  const s = session;
  if (!s) return;
  byId<HTMLButtonElement>('painter-undo').disabled = !s.history.canUndo;
  byId<HTMLButtonElement>('painter-redo').disabled = !s.history.canRedo;
  const share = paintedShare(s.mask);
  const tool = TOOLS.find(([t]) => t === settings.tool)![1];
  const text = `${tool}, ${settings.size} px · ${(share * 100).toFixed(1)} % of ${s.mask.width}x${s.mask.height} painted${s.history.dirty ? ' (not saved)' : ''}`;
  const status = byId('painter-status');
  if (status.textContent !== text) status.textContent = text;
}

function showError(message: string | undefined): void {
  const error = byId('painter-error');
  error.hidden = message === undefined;
  error.textContent = message ?? '';
}

function schedulePersist(): void {
  clearTimeout(persistTimer);
  persistTimer = setTimeout(persist, PERSIST_DEBOUNCE_MS);
}

/** Keeps the painter and its unsaved strokes in the UI state, so hiding the panel loses nothing, and tells the host, so closing it asks. */
function persist(): void {
  clearTimeout(persistTimer);
  if (!session) return;
  const maskPng = session.history.dirty ? maskToPng(session.mask) : undefined;
  ui.painter = maskPng ? { source: session.source, maskPng } : { source: session.source };
  saveUi();
  tellDraft(session.source, session.mask, maskPng);
}

function save(): void {
  const s = session;
  if (!s || s.saving) return;
  if (paintedShare(s.mask) === 0 && s.source.target.kind === 'inpaint') {
    showError('Paint the area to repaint first: the mask is empty.');
    return;
  }
  showError(undefined);
  s.saving = `mask-${++requests}`;
  byId<HTMLButtonElement>('painter-save').disabled = true;
  byId('painter-status').textContent = 'Saving the mask…';
  post({ type: 'saveMask', requestId: s.saving, target: s.source.target, width: s.mask.width, height: s.mask.height, maskPng: maskToPng(s.mask) });
}

/** The host's answer to `saveMask`. */
export function maskSaved(requestId: string, error: string | undefined): void {
  const s = session;
  if (!s || s.saving !== requestId) return;
  delete s.saving;
  byId<HTMLButtonElement>('painter-save').disabled = false;
  if (error !== undefined) {
    showError(error);
    showStatus();
    return;
  }
  s.history.markSaved();
  // Inpaint added a block and the host put the cursor in it, in the focused editor, so that
  // Ctrl+Enter runs it: the panel does not take the focus back.
  finish(s.source.target.kind !== 'inpaint');
}

function close(): void {
  if (!byId('painter-confirm').hidden) return keepPainting();
  if (session?.history.dirty) return askToDiscard();
  finish();
}

function askToDiscard(): void {
  byId('painter-confirm').hidden = false;
  byId('painter-keep').focus();
}

function keepPainting(): void {
  byId('painter-confirm').hidden = true;
  el.viewport().focus();
}

function discard(): void {
  byId('painter-confirm').hidden = true;
  finish();
}

/** Closes the painter; `refocus`: the element that opened it gets the focus back. */
function finish(refocus = true): void {
  const opener = session?.opener;
  session = undefined;
  clearTimeout(persistTimer);
  delete ui.painter;
  saveUi();
  forgetDraft();
  showError(undefined);
  el.section().hidden = true;
  byId('panel').hidden = false;
  el.image().removeAttribute('src');
  if (refocus && opener?.isConnected) opener.focus();
}
