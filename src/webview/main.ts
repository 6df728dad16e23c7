// The results panel: controls for the block under the cursor, runs in progress with a live
// preview, and the images made so far, grouped by block. It shows what the host's last `state`
// said and sends commands (src/protocol/webview.ts); the host edits the file and re-sends state.
// UI-only state (scroll position, the open image) goes through the webview API's setState so it
// survives the panel being hidden without retainContextWhenHidden.

import {
  EDITABLE_SETTINGS,
  WEBVIEW_PROTOCOL_VERSION,
  type BlockView,
  type EditableSetting,
  type HostMessage,
  type ImageView,
  type PanelState,
  type RunView,
  type WebviewMessage,
} from '../protocol/webview';
import { append, byId, h, replaceChildren } from './dom';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: UiState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What the webview remembers across hide/show; everything else comes from the host. */
interface UiState {
  scrollY: number;
  openImageId?: string;
}

/** Wait this long after the last keystroke before a typed value becomes an edit. */
const EDIT_DEBOUNCE_MS = 600;
/** Images smaller than this on their longer side are scaled up without smoothing. */
const PIXELATED_BELOW = 256;

const vscode = acquireVsCodeApi();
const saved = vscode.getState() as Partial<UiState> | undefined;
const ui: UiState = { scrollY: typeof saved?.scrollY === 'number' ? saved.scrollY : 0 };
if (typeof saved?.openImageId === 'string') ui.openImageId = saved.openImageId;

let state: PanelState | undefined;
let restoredScroll = false;

function post(message: WebviewMessage): void {
  vscode.postMessage(message);
}

function saveUi(): void {
  vscode.setState({ ...ui });
}

// ---------------------------------------------------------------------------------------------
// Skeleton

const LABELS: Record<EditableSetting, string> = { seed: 'Seed', steps: 'Steps', cfg: 'CFG', sampler: 'Sampler', size: 'Size' };

const app = byId('app');
app.replaceChildren(
  h('header', { class: 'panel-header' },
    h('h1', { id: 'file-name', class: 'file-name' }, 'sdprompt'),
    h('p', { id: 'model', class: 'model' })),
  h('ul', { id: 'errors', class: 'errors', role: 'alert', 'aria-label': 'Errors' }),
  h('p', { id: 'empty', class: 'empty' }, 'Loading…'),
  h('section', { id: 'controls', class: 'controls', 'aria-labelledby': 'block-title', hidden: true },
    h('h2', { id: 'block-title', class: 'block-title' }),
    h('div', { class: 'fields' }, ...EDITABLE_SETTINGS.map(fieldFor)),
    h('div', { class: 'actions' },
      h('button', { id: 'generate', type: 'button', class: 'primary', title: 'Generate this block (Ctrl+Enter)', onclick: () => generate('asWritten') }, 'Generate'),
      h('button', { id: 'generate-new-seed', type: 'button', class: 'secondary', title: 'Write a new random seed into the block, then generate', onclick: () => generate('new') }, 'Generate with new seed'))),
  h('section', { id: 'runs', class: 'runs', 'aria-label': 'Runs in progress', hidden: true }),
  h('section', { id: 'detail', class: 'detail', role: 'dialog', 'aria-labelledby': 'detail-title', hidden: true }),
  h('div', { id: 'results', class: 'results' }),
);

function fieldFor(key: EditableSetting): HTMLElement {
  const id = `setting-${key}`;
  let input: HTMLInputElement | HTMLSelectElement;
  switch (key) {
    case 'sampler':
      input = h('select', { id, name: key });
      input.addEventListener('change', () => sendEdit(key));
      break;
    case 'steps':
      input = h('input', { id, name: key, type: 'number', min: 1, max: 1000, step: 1, inputmode: 'numeric' });
      break;
    case 'cfg':
      input = h('input', { id, name: key, type: 'number', min: 0, max: 100, step: 0.5, inputmode: 'decimal' });
      break;
    case 'seed':
      // Text, not a number input: a block's seed may be a list or a range (`1, 5..7`).
      input = h('input', { id, name: key, type: 'text', inputmode: 'numeric', spellcheck: 'false', autocomplete: 'off' });
      break;
    case 'size':
      input = h('input', { id, name: key, type: 'text', spellcheck: 'false', autocomplete: 'off', pattern: '\\d+\\s*[xX×]\\s*\\d+' });
      break;
  }
  if (input instanceof HTMLInputElement) {
    input.addEventListener('input', () => scheduleEdit(key));
    input.addEventListener('change', () => sendEdit(key));
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.ctrlKey) sendEdit(key);
    });
  }
  const origin = h('span', { id: `${id}-origin`, class: 'origin' });
  input.setAttribute('aria-describedby', origin.id);
  const row = h('div', { class: `field field-${key}` }, h('label', { for: id }, LABELS[key]), input);
  if (key === 'seed') {
    append(row, [h('button', { id: 'random-seed', type: 'button', class: 'icon', title: 'New random seed', 'aria-label': 'New random seed', onclick: randomSeed }, 'Random')]);
  }
  append(row, [origin]);
  return row;
}

function control(key: EditableSetting): HTMLInputElement | HTMLSelectElement {
  return byId(`setting-${key}`);
}

// ---------------------------------------------------------------------------------------------
// Editing settings

/** The value each control showed from the host's state: an unchanged control sends nothing. */
const shown = new Map<EditableSetting, string>();
/** Typed but not yet sent: the block it was typed for, and the timer. */
const pending = new Map<EditableSetting, { blockIndex: number; timer: ReturnType<typeof setTimeout> }>();

function activeBlock(): BlockView | undefined {
  if (!state) return undefined;
  return state.blocks.find((b) => b.index === state!.activeBlock) ?? state.blocks[0];
}

function scheduleEdit(key: EditableSetting): void {
  const block = activeBlock();
  if (!block) return;
  const previous = pending.get(key);
  if (previous) clearTimeout(previous.timer);
  pending.set(key, { blockIndex: block.index, timer: setTimeout(() => sendEdit(key), EDIT_DEBOUNCE_MS) });
}

function sendEdit(key: EditableSetting): void {
  const waiting = pending.get(key);
  if (waiting) clearTimeout(waiting.timer);
  pending.delete(key);
  const blockIndex = waiting?.blockIndex ?? activeBlock()?.index;
  const value = control(key).value.trim();
  // An empty control means "as the default": the file has no way to write that, so nothing is sent.
  if (blockIndex === undefined || value === '' || value === shown.get(key)) return;
  shown.set(key, value);
  post({ type: 'editSetting', blockIndex, key, value });
}

function randomSeed(): void {
  const seed = crypto.getRandomValues(new Uint32Array(1))[0]!;
  control('seed').value = String(seed);
  sendEdit('seed');
}

function generate(seeds: 'asWritten' | 'new'): void {
  const block = activeBlock();
  if (!block) return;
  for (const key of [...pending.keys()]) sendEdit(key);
  post({ type: 'generate', blockIndex: block.index, seeds });
}

document.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    generate('asWritten');
  } else if (event.key === 'Escape' && ui.openImageId !== undefined) {
    closeDetail();
  }
});

// ---------------------------------------------------------------------------------------------
// Rendering

function blockLabel(block: BlockView): string {
  return block.name ? block.name : `Block ${block.index}`;
}

function render(): void {
  if (!state) return;
  const s = state;
  byId('file-name').textContent = s.file ? s.file.name : 'sdprompt';
  if (s.file) byId('file-name').setAttribute('title', s.file.path);
  replaceChildren(byId('model'), 'Model: ', s.model.label, s.model.isDemo ? h('span', { class: 'badge', title: 'The small demo model shipped with the extension' }, 'demo') : null);
  renderErrors();
  const empty = byId('empty');
  if (!s.file) {
    empty.hidden = false;
    replaceChildren(empty, 'Open a ', h('code', {}, '.sdprompt'), ' file and press ', h('kbd', {}, 'Ctrl+Enter'), ' to generate the block under the cursor. Its images show here.');
  } else if (s.blocks.length === 0) {
    empty.hidden = false;
    replaceChildren(empty, 'This file has no prompt yet. Write one, then press ', h('kbd', {}, 'Ctrl+Enter'), '.');
  } else {
    empty.hidden = true;
  }
  renderControls();
  renderRuns();
  renderResults();
  renderDetail();
  if (!restoredScroll) {
    restoredScroll = true;
    window.scrollTo(0, ui.scrollY);
  }
}

function renderErrors(): void {
  const list = byId('errors');
  const errors = state?.errors ?? [];
  list.hidden = errors.length === 0;
  replaceChildren(list, ...errors.map((error) =>
    h('li', { class: 'error', 'data-error-id': error.id },
      h('span', { class: 'message' }, error.message, error.line !== undefined ? ` (line ${error.line})` : ''),
      h('button', { type: 'button', class: 'icon', 'aria-label': 'Dismiss', title: 'Dismiss', onclick: () => post({ type: 'dismissError', errorId: error.id }) }, '✕'))));
}

function originText(key: EditableSetting, block: BlockView): string {
  const setting = block.settings[key];
  switch (setting.origin) {
    case 'block':
      return '';
    case 'header':
      return 'from the header';
    case 'default':
      return `default: ${setting.defaultText}`;
  }
}

function renderControls(): void {
  const section = byId('controls');
  const block = activeBlock();
  section.hidden = !block;
  if (!block || !state) return;
  const title = byId('block-title');
  replaceChildren(title,
    h('button', { type: 'button', class: 'link', title: `Go to line ${block.line}`, onclick: () => post({ type: 'showBlock', blockIndex: block.index }) }, blockLabel(block)),
    h('span', { class: 'line' }, ` line ${block.line}`));
  for (const key of EDITABLE_SETTINGS) {
    const setting = block.settings[key];
    const input = control(key);
    const waiting = pending.get(key);
    if (waiting && waiting.blockIndex === block.index) continue; // the user is typing here
    if (key === 'sampler') fillSamplers(input as HTMLSelectElement, setting.text, setting.defaultText);
    input.value = setting.text;
    if (input instanceof HTMLInputElement) input.placeholder = setting.origin === 'default' ? setting.defaultText : '';
    shown.set(key, setting.text);
    byId(`setting-${key}-origin`).textContent = originText(key, block);
    input.classList.toggle('inherited', setting.origin !== 'block');
  }
  const blocked = block.hasErrors;
  for (const id of ['generate', 'generate-new-seed']) (byId<HTMLButtonElement>(id)).disabled = blocked;
  byId('generate').title = blocked ? 'Fix the errors in this block first' : 'Generate this block (Ctrl+Enter)';
}

function fillSamplers(select: HTMLSelectElement, current: string, defaultText: string): void {
  const names = state?.samplers ?? [];
  const options: HTMLOptionElement[] = [];
  if (current === '') options.push(h('option', { value: '' }, `default: ${defaultText}`));
  else if (!names.some((n) => n.toLowerCase() === current.toLowerCase())) options.push(h('option', { value: current }, `${current} (unknown)`));
  for (const name of names) options.push(h('option', { value: name }, name));
  select.replaceChildren(...options);
  // Match the written spelling, whatever its case.
  const match = names.find((n) => n.toLowerCase() === current.toLowerCase());
  select.value = match ?? current;
}

function runText(run: RunView): string {
  const block = state?.blocks.find((b) => b.index === run.blockIndex);
  const parts = [block ? blockLabel(block) : `Block ${run.blockIndex}`, `image ${run.image} of ${run.imageCount}`];
  if (run.seed !== undefined) parts.push(`seed ${run.seed}`);
  parts.push(run.phase && run.step === 0 ? run.phase : `step ${run.step}/${run.steps}`);
  return parts.join(' · ');
}

/** Run tiles are updated in place (keyed by run id) so the preview does not flicker each step. */
function renderRuns(): void {
  const section = byId('runs');
  const runs = state?.runs ?? [];
  section.hidden = runs.length === 0;
  const keep = new Set(runs.map((r) => r.runId));
  for (const tile of [...section.querySelectorAll<HTMLElement>('.run')]) {
    if (!keep.has(tile.dataset['runId']!)) tile.remove();
  }
  for (const run of runs) {
    let tile = section.querySelector<HTMLElement>(`.run[data-run-id="${CSS.escape(run.runId)}"]`);
    if (!tile) {
      tile = h('div', { class: 'run', 'data-run-id': run.runId },
        h('div', { class: 'preview-frame' }, h('img', { class: 'preview pixelated', alt: 'Live preview', hidden: true })),
        h('div', { class: 'run-info' },
          h('p', { class: 'status', role: 'status', 'aria-live': 'polite' }),
          h('progress', { max: 1, value: 0 }),
          h('button', { type: 'button', class: 'secondary cancel', onclick: () => post({ type: 'cancelRun', runId: run.runId }) }, 'Cancel')));
      section.appendChild(tile);
    }
    const status = tile.querySelector('.status')!;
    const text = runText(run);
    if (status.textContent !== text) status.textContent = text;
    const progress = tile.querySelector('progress')!;
    progress.max = Math.max(1, run.steps);
    progress.value = run.step;
    progress.setAttribute('aria-label', `step ${run.step} of ${run.steps}`);
    const img = tile.querySelector<HTMLImageElement>('img.preview')!;
    if (run.preview) {
      if (img.getAttribute('src') !== run.preview) img.src = run.preview;
      img.hidden = false;
    } else {
      img.hidden = true;
    }
  }
}

function sortedImages(images: readonly ImageView[]): ImageView[] {
  return [...images].sort((a, b) => b.createdAt - a.createdAt);
}

function imageClass(image: ImageView, base: string): string {
  return Math.max(image.width, image.height) < PIXELATED_BELOW ? `${base} pixelated` : base;
}

function renderResults(): void {
  const container = byId('results');
  if (!state) return;
  const focusedId = (document.activeElement as HTMLElement | null)?.dataset?.['imageId'];
  const groups = state.results.filter((g) => g.images.length > 0);
  const byIndex = new Map(state.blocks.map((b) => [b.index, b]));
  replaceChildren(container, ...groups.map((group) => {
    const block = byIndex.get(group.blockIndex);
    const label = block ? blockLabel(block) : `Block ${group.blockIndex}`;
    const headingId = `results-${group.blockIndex}-title`;
    return h('section', { class: group.blockIndex === activeBlock()?.index ? 'group active' : 'group', 'data-block-index': group.blockIndex, 'aria-labelledby': headingId },
      h('h2', { id: headingId },
        h('button', { type: 'button', class: 'link', title: 'Go to this block', onclick: () => post({ type: 'showBlock', blockIndex: group.blockIndex }) }, label),
        h('span', { class: 'count' }, ` ${group.images.length} image${group.images.length === 1 ? '' : 's'}`)),
      h('ul', { class: 'thumbs', role: 'list' }, ...sortedImages(group.images).map((image) =>
        h('li', {},
          h('button', { type: 'button', class: 'thumb', 'data-image-id': image.id, 'aria-label': `Seed ${image.seed}, ${image.fileName}`, title: image.fileName, onclick: () => openDetail(image.id) },
            h('img', { src: image.src, alt: '', class: imageClass(image, 'thumb-img'), width: 96, height: Math.round((96 * image.height) / image.width) }),
            h('span', { class: 'seed' }, String(image.seed)))))));
  }));
  if (focusedId) container.querySelector<HTMLElement>(`[data-image-id="${CSS.escape(focusedId)}"]`)?.focus();
}

function findImage(id: string | undefined): ImageView | undefined {
  if (id === undefined || !state) return undefined;
  for (const group of state.results) {
    const image = group.images.find((i) => i.id === id);
    if (image) return image;
  }
  return undefined;
}

function openDetail(id: string): void {
  ui.openImageId = id;
  saveUi();
  renderDetail();
  byId('detail').querySelector<HTMLElement>('button')?.focus();
}

function closeDetail(): void {
  const id = ui.openImageId;
  delete ui.openImageId;
  saveUi();
  renderDetail();
  if (id) byId('results').querySelector<HTMLElement>(`[data-image-id="${CSS.escape(id)}"]`)?.focus();
}

function renderDetail(): void {
  const section = byId('detail');
  const image = findImage(ui.openImageId);
  section.hidden = !image;
  if (!image) {
    section.replaceChildren();
    return;
  }
  const r = image.recipe;
  const fields: [string, string][] = [
    ['Seed', String(r.seed)],
    ['Steps', String(r.steps)],
    ['CFG', String(r.cfg)],
    ['Sampler', r.sampler],
    ['Size', `${r.width}x${r.height}`],
    ['Model', r.model],
    ['Prompt', r.prompt],
    ['Negative', r.negative || '(none)'],
    ['Created', new Date(image.createdAt).toLocaleString()],
  ];
  if (r.durationMs !== undefined) fields.push(['Took', `${(r.durationMs / 1000).toFixed(1)} s`]);
  const command = (type: 'reuseSeed' | 'copyParameters' | 'revealImage' | 'openImage') => () => post({ type, imageId: image.id });
  replaceChildren(section,
    h('div', { class: 'detail-head' },
      h('h2', { id: 'detail-title' }, image.fileName),
      h('button', { type: 'button', class: 'icon close', 'aria-label': 'Close', title: 'Close (Escape)', onclick: closeDetail }, '✕')),
    h('img', { src: image.src, alt: `Seed ${image.seed}`, class: imageClass(image, 'detail-img'), width: image.width, height: image.height }),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', 'data-command': 'reuseSeed', onclick: command('reuseSeed') }, 'Reuse seed'),
      h('button', { type: 'button', class: 'secondary', 'data-command': 'copyParameters', onclick: command('copyParameters') }, 'Copy parameters'),
      h('button', { type: 'button', class: 'secondary', 'data-command': 'revealImage', onclick: command('revealImage') }, 'Reveal in explorer'),
      h('button', { type: 'button', class: 'secondary', 'data-command': 'openImage', onclick: command('openImage') }, 'Open image')),
    h('dl', { class: 'recipe' }, ...fields.flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)])),
    h('details', { class: 'parameters' }, h('summary', {}, 'Parameters (A1111)'), h('pre', {}, image.parameters)));
}

// ---------------------------------------------------------------------------------------------
// Messages

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  if (typeof message !== 'object' || message === null) return;
  switch (message.type) {
    case 'state':
      if (message.state.protocolVersion !== WEBVIEW_PROTOCOL_VERSION) {
        state = { ...message.state, errors: [...message.state.errors, { id: 'protocol', message: `The panel and the extension disagree on the protocol (${message.state.protocolVersion} ≠ ${WEBVIEW_PROTOCOL_VERSION}); reload the window.` }] };
      } else {
        state = message.state;
      }
      render();
      break;
    case 'progress':
      if (state) {
        state = { ...state, runs: message.runs };
        renderRuns();
      }
      break;
    case 'activeBlock':
      if (state && state.activeBlock !== message.blockIndex) {
        state = { ...state, activeBlock: message.blockIndex };
        renderControls();
        for (const group of byId('results').querySelectorAll<HTMLElement>('.group')) {
          group.classList.toggle('active', Number(group.dataset['blockIndex']) === activeBlock()?.index);
        }
      }
      break;
  }
});

let scrollFrame = 0;
window.addEventListener('scroll', () => {
  if (scrollFrame) return;
  scrollFrame = requestAnimationFrame(() => {
    scrollFrame = 0;
    ui.scrollY = window.scrollY;
    saveUi();
  });
});

post({ type: 'ready', protocolVersion: WEBVIEW_PROTOCOL_VERSION });
