// One image's details: the image, its recipe, the A1111 parameters, whether it is stale, and what
// can be done with it (keep its seed, copy its parameters, reveal or open it, paint a mask over it).

import { MAX_OUTPAINT_PIXELS, OUTPAINT_SIDES, type ImageView } from '../protocol/webview';
import { paintImage } from './painter/painter';
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

export function openDetail(id: string): void {
  ui.openImageId = id;
  saveUi();
  renderDetail();
  byId('detail').querySelector<HTMLElement>('button')?.focus();
}

export function closeDetail(): void {
  const id = ui.openImageId;
  delete ui.openImageId;
  saveUi();
  renderDetail();
  if (id) focusThumb(id);
}

export function renderDetail(): void {
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
  if (image.init) fields.push(['Init', image.init.name]);
  if (image.mask) fields.push(['Mask', image.mask.name]);
  if (r.durationMs !== undefined) fields.push(['Took', `${(r.durationMs / 1000).toFixed(1)} s`]);
  const command = (type: 'keepSeed' | 'copyParameters' | 'revealImage' | 'openImage' | 'useAsInit') => () => post({ type, imageId: image.id });
  const picture = (src: string, alt: string, caption: string, size: { width: number; height: number }) =>
    h('figure', { class: 'picture' }, h('img', { src, alt, class: imageClass(size, 'detail-img'), width: size.width, height: size.height }), h('figcaption', {}, caption));
  replaceChildren(section,
    h('div', { class: 'detail-head' },
      h('h2', { id: 'detail-title' }, image.fileName),
      h('button', { type: 'button', class: 'icon close', 'aria-label': 'Close', title: 'Close (Escape)', onclick: closeDetail }, '✕')),
    // Made from a picture: before (and the mask) beside after.
    image.init
      ? h('div', { class: 'before-after' },
          picture(image.init.src, `Before: ${image.init.name}`, `Before · ${image.init.name}`, image),
          image.mask ? picture(image.mask.src, `Mask: ${image.mask.name}`, `Mask · ${image.mask.name}`, image) : null,
          picture(imageSrc(image), `After: seed ${image.seed}`, 'After', image))
      : h('img', { src: imageSrc(image), alt: `Seed ${image.seed}`, class: imageClass(image, 'detail-img'), width: image.width, height: image.height }),
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
      h('button', { type: 'button', class: 'secondary', 'data-command': 'paintMask', title: 'Paint the area to repaint, then inpaint it', onclick: () => paintImage(image, document.activeElement as HTMLElement | null) }, 'Paint mask'),
      h('button', { type: 'button', class: 'secondary', 'data-command': 'useAsInit', title: 'Add a block below that starts from this image', onclick: command('useAsInit') }, 'Use as init image'),
      h('button', { type: 'button', class: 'secondary', 'data-command': 'copyParameters', onclick: command('copyParameters') }, 'Copy parameters'),
      h('button', { type: 'button', class: 'secondary', 'data-command': 'revealImage', onclick: command('revealImage') }, 'Reveal in explorer'),
      h('button', { type: 'button', class: 'secondary', 'data-command': 'openImage', onclick: command('openImage') }, 'Open image')),
    outpaintControls(image),
    h('dl', { class: 'recipe' }, ...fields.flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)])),
    h('details', { class: 'parameters' }, h('summary', {}, 'Parameters (A1111)'), h('pre', {}, image.parameters)));
}

/** Extend buttons for each edge, by a typed amount (a multiple of 8): a block with `outpaint:`. */
function outpaintControls(image: ImageView): HTMLElement {
  const amount = h('input', { id: 'outpaint-pixels', type: 'number', min: 8, max: MAX_OUTPAINT_PIXELS, step: 8, value: 64, inputmode: 'numeric' });
  const extend = (side: (typeof OUTPAINT_SIDES)[number]) => () => {
    const pixels = Number(amount.value);
    const valid = Number.isInteger(pixels) && pixels >= 8 && pixels <= MAX_OUTPAINT_PIXELS && pixels % 8 === 0;
    amount.setCustomValidity(valid ? '' : `A multiple of 8 from 8 to ${MAX_OUTPAINT_PIXELS}`);
    if (!valid) {
      amount.reportValidity();
      return;
    }
    post({ type: 'outpaint', imageId: image.id, sides: { left: 0, right: 0, top: 0, bottom: 0, [side]: pixels } });
  };
  return h('fieldset', { class: 'outpaint' },
    h('legend', {}, 'Extend the canvas (outpaint)'),
    h('label', { for: 'outpaint-pixels' }, 'Pixels'),
    amount,
    ...OUTPAINT_SIDES.map((side) => h('button', { type: 'button', class: 'secondary', 'data-command': `outpaint-${side}`, onclick: extend(side) }, side[0]!.toUpperCase() + side.slice(1))));
}
