// One image's details: the image, its recipe, the A1111 parameters, whether it is stale, and what
// can be done with it (keep its seed, copy its parameters, reveal or open it, paint a mask over it).

import type { ImageView } from '../protocol/webview';
import { byId, h, replaceChildren } from './dom';
import { post, saveUi, ui } from './host';
import { focusThumb } from './results';
import { findImage, imageClass, imageSrc } from './store';

export function detailSkeleton(): HTMLElement {
  return h('section', { id: 'detail', class: 'detail', role: 'dialog', 'aria-labelledby': 'detail-title', hidden: true });
}

export function isDetailOpen(): boolean {
  return ui.openImageId !== undefined;
}

export function openDetail(id: string, paint: (image: ImageView) => void): void {
  ui.openImageId = id;
  saveUi();
  renderDetail(paint);
  byId('detail').querySelector<HTMLElement>('button')?.focus();
}

export function closeDetail(paint: (image: ImageView) => void): void {
  const id = ui.openImageId;
  delete ui.openImageId;
  saveUi();
  renderDetail(paint);
  if (id) focusThumb(id);
}

/** `paint` opens the mask painter over the image. */
export function renderDetail(paint: (image: ImageView) => void): void {
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
  const command = (type: 'keepSeed' | 'copyParameters' | 'revealImage' | 'openImage') => () => post({ type, imageId: image.id });
  replaceChildren(section,
    h('div', { class: 'detail-head' },
      h('h2', { id: 'detail-title' }, image.fileName),
      h('button', { type: 'button', class: 'icon close', 'aria-label': 'Close', title: 'Close (Escape)', onclick: () => closeDetail(paint) }, '✕')),
    h('img', { src: imageSrc(image), alt: `Seed ${image.seed}`, class: imageClass(image, 'detail-img'), width: image.width, height: image.height }),
    image.stale ? h('p', { class: 'stale-note' }, `Stale: the block now asks for another ${image.stale.join(', ')}.`) : null,
    h('div', { class: 'actions' },
      h('button', {
        type: 'button',
        class: 'primary',
        'data-command': 'keepSeed',
        disabled: image.seedKept,
        title: image.seedKept ? 'The block’s seeds have this one' : 'Add this seed to the block’s seed: list',
        onclick: command('keepSeed'),
      }, 'Keep seed'),
      h('button', { type: 'button', class: 'secondary', 'data-command': 'paintMask', title: 'Paint the area to repaint, then inpaint it', onclick: () => paint(image) }, 'Paint mask'),
      h('button', { type: 'button', class: 'secondary', 'data-command': 'copyParameters', onclick: command('copyParameters') }, 'Copy parameters'),
      h('button', { type: 'button', class: 'secondary', 'data-command': 'revealImage', onclick: command('revealImage') }, 'Reveal in explorer'),
      h('button', { type: 'button', class: 'secondary', 'data-command': 'openImage', onclick: command('openImage') }, 'Open image')),
    h('dl', { class: 'recipe' }, ...fields.flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)])),
    h('details', { class: 'parameters' }, h('summary', {}, 'Parameters (A1111)'), h('pre', {}, image.parameters)));
}
