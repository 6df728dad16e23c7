// The controls for the block under the cursor: its settings as written (or where they come
// from), edited into the document through the host, and the Generate buttons. A typed value is
// sent once, after a pause or when committed; a value the host already shows is not sent.

import { EDITABLE_SETTINGS, IMAGE_SETTINGS, type BlockView, type EditableSetting, type GenerateSeeds } from '../protocol/webview';
import { append, byId, h, replaceChildren } from './dom';
import { post } from './host';
import { activeBlock, blockLabel, panelState } from './store';

/** Wait this long after the last keystroke before a typed value becomes an edit. */
const EDIT_DEBOUNCE_MS = 600;

const LABELS: Record<EditableSetting, string> = {
  seed: 'Seed',
  steps: 'Steps',
  cfg: 'CFG',
  sampler: 'Sampler',
  schedule: 'Schedule',
  size: 'Size',
  strength: 'Strength',
  mask_blur: 'Mask blur',
  masked_content: 'Masked content',
  inpaint_area: 'Inpaint area',
};
/** The number fields' min, max and step. */
const NUMBER_RANGES: Record<'steps' | 'cfg' | 'strength' | 'mask_blur', [number, number, number]> = {
  steps: [1, 1000, 1],
  cfg: [0, 100, 0.5],
  strength: [0, 1, 0.05],
  mask_blur: [0, 64, 1],
};
/** The settings chosen from a list (the sampler's names, the schedule types, the state's choices). */
const LISTED = new Set<EditableSetting>(['sampler', 'schedule', 'masked_content', 'inpaint_area']);
const TEXT_SETTINGS = EDITABLE_SETTINGS.filter((k) => !IMAGE_SETTINGS.includes(k));

/** The value each control showed from the host's state: an unchanged control sends nothing. */
const shown = new Map<EditableSetting, string>();
/** Typed but not yet sent: the block it was typed for, and the timer. */
const pending = new Map<EditableSetting, { blockIndex: number; timer: ReturnType<typeof setTimeout> }>();

export function controlsSkeleton(): HTMLElement {
  return h('section', { id: 'controls', class: 'controls', 'aria-labelledby': 'block-title', hidden: true },
    h('h2', { id: 'block-title', class: 'block-title' }),
    h('div', { class: 'fields' }, ...TEXT_SETTINGS.map(fieldFor)),
    h('div', { id: 'image-fields', class: 'fields image-fields', role: 'group', 'aria-label': 'Image to image', hidden: true }, ...IMAGE_SETTINGS.map(fieldFor)),
    h('div', { class: 'actions' },
      h('button', { id: 'generate', type: 'button', class: 'primary', title: 'Generate this block (Ctrl+Enter)', onclick: () => generate('asWritten') }, 'Generate'),
      h('button', { id: 'generate-new-seed', type: 'button', class: 'secondary', title: 'Generate one image with a new random seed; the file is not changed (Keep seed on the image adds it)', onclick: () => generate('new') }, 'Generate with new seed')));
}

function fieldFor(key: EditableSetting): HTMLElement {
  const id = `setting-${key}`;
  let input: HTMLInputElement | HTMLSelectElement;
  switch (key) {
    case 'sampler':
    case 'schedule':
    case 'masked_content':
    case 'inpaint_area':
      input = h('select', { id, name: key });
      input.addEventListener('change', () => sendEdit(key));
      break;
    case 'seed':
      // Text, not a number input: a block's seed may be a list or a range (`1, 5..7`).
      input = h('input', { id, name: key, type: 'text', inputmode: 'numeric', spellcheck: 'false', autocomplete: 'off' });
      break;
    case 'size':
      input = h('input', { id, name: key, type: 'text', spellcheck: 'false', autocomplete: 'off', pattern: '\\d+\\s*[xX×]\\s*\\d+' });
      break;
    default: {
      const [min, max, step] = NUMBER_RANGES[key];
      input = h('input', { id, name: key, type: 'number', min, max, step, inputmode: Number.isInteger(step) ? 'numeric' : 'decimal' });
    }
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

/** Sends what is still being typed, then asks the host to generate the active block. */
export function generate(seeds: GenerateSeeds): void {
  const block = activeBlock();
  if (!block) return;
  for (const key of [...pending.keys()]) sendEdit(key);
  post({ type: 'generate', blockIndex: block.index, seeds });
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

export function renderControls(): void {
  const section = byId('controls');
  const block = activeBlock();
  section.hidden = !block;
  if (!block) return;
  replaceChildren(byId('block-title'),
    h('button', { type: 'button', class: 'link', title: `Go to line ${block.line}`, onclick: () => post({ type: 'showBlock', blockIndex: block.index }) }, blockLabel(block)),
    h('span', { class: 'line' }, ` line ${block.line}`));
  for (const key of EDITABLE_SETTINGS) {
    const setting = block.settings[key];
    const input = control(key);
    const waiting = pending.get(key);
    if (waiting && waiting.blockIndex === block.index) continue; // the user is typing here
    if (LISTED.has(key)) fillMenu(input as HTMLSelectElement, choicesFor(key), setting);
    else input.value = setting.text;
    if (input instanceof HTMLInputElement) input.placeholder = setting.origin === 'default' ? setting.defaultText : '';
    shown.set(key, input.value);
    byId(`setting-${key}-origin`).textContent = originText(key, block);
    input.classList.toggle('inherited', setting.origin !== 'block');
  }
  byId('image-fields').hidden = block.mode === 'text';
  for (const key of IMAGE_SETTINGS) {
    byId(`setting-${key}`).closest<HTMLElement>('.field')!.hidden = block.mode === 'text' || (key !== 'strength' && block.mode !== 'masked');
  }
  const blocked = block.hasErrors;
  for (const id of ['generate', 'generate-new-seed']) byId<HTMLButtonElement>(id).disabled = blocked;
  byId('generate').title = blocked ? 'Fix the errors in this block first' : 'Generate this block (Ctrl+Enter)';
}

function choicesFor(key: EditableSetting): readonly string[] {
  const state = panelState();
  if (key === 'sampler') return state?.samplers ?? [];
  if (key === 'schedule') return state?.schedules ?? [];
  return state?.choices[key] ?? [];
}

/**
 * A list's entries (each sampler once, by its A1111 name; the schedule types; a choice setting's
 * named values), the entry the written value stands for selected (`menuValue`, which the host
 * resolves: `dpmpp_2m_karras` is `DPM++ 2M`; otherwise the written text, whatever its case); a
 * default entry when nothing is written, and the written text when it stands for none.
 */
function fillMenu(select: HTMLSelectElement, names: readonly string[], setting: BlockView['settings'][EditableSetting]): void {
  const current = setting.menuValue ?? setting.text;
  const options: HTMLOptionElement[] = [];
  if (current === '') options.push(h('option', { value: '' }, `default: ${setting.defaultText}`));
  else if (!names.some((n) => n.toLowerCase() === current.toLowerCase())) options.push(h('option', { value: current }, `${current} (unknown)`));
  for (const name of names) options.push(h('option', { value: name }, name));
  select.replaceChildren(...options);
  // Match the written spelling, whatever its case.
  const match = names.find((n) => n.toLowerCase() === current.toLowerCase());
  select.value = match ?? current;
}
