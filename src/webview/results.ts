// The images made so far, grouped by the block that made them, newest first; a thumbnail opens
// the image's details.

import type { ImageView } from '../protocol/webview';
import { byId, h, replaceChildren } from './dom';
import { post } from './host';
import { activeBlock, blockByIndex, blockLabel, imageClass, imageSrc, panelState } from './store';

export function resultsSkeleton(): HTMLElement {
  return h('div', { id: 'results', class: 'results' });
}

function newestFirst(images: readonly ImageView[]): ImageView[] {
  return [...images].sort((a, b) => b.createdAt - a.createdAt);
}

/** `open` shows an image's details (the detail view's job). */
export function renderResults(open: (imageId: string) => void): void {
  const container = byId('results');
  const state = panelState();
  if (!state) return;
  const focusedId = (document.activeElement as HTMLElement | null)?.dataset?.['imageId'];
  const groups = state.results.filter((g) => g.images.length > 0);
  replaceChildren(container, ...groups.map((group) => {
    const label = blockLabel(blockByIndex(group.blockIndex), group.blockIndex);
    const headingId = `results-${group.blockIndex}-title`;
    return h('section', { class: group.blockIndex === activeBlock()?.index ? 'group active' : 'group', 'data-block-index': group.blockIndex, 'aria-labelledby': headingId },
      h('h2', { id: headingId },
        h('button', { type: 'button', class: 'link', title: 'Go to this block', onclick: () => post({ type: 'showBlock', blockIndex: group.blockIndex }) }, label),
        h('span', { class: 'count' }, ` ${group.images.length} image${group.images.length === 1 ? '' : 's'}`)),
      h('ul', { class: 'thumbs', role: 'list' }, ...newestFirst(group.images).map((image) =>
        h('li', {},
          h('button', { type: 'button', class: 'thumb', 'data-image-id': image.id, 'aria-label': `Seed ${image.seed}, ${image.fileName}`, title: image.fileName, onclick: () => open(image.id) },
            h('img', { src: imageSrc(image), alt: '', class: imageClass(image, 'thumb-img'), width: 96, height: Math.round((96 * image.height) / image.width) }),
            h('span', { class: 'seed' }, String(image.seed)))))));
  }));
  if (focusedId) focusThumb(focusedId);
}

export function focusThumb(imageId: string): void {
  byId('results').querySelector<HTMLElement>(`[data-image-id="${CSS.escape(imageId)}"]`)?.focus();
}

/** Marks the group of the block under the cursor without rebuilding the thumbnails. */
export function markActiveGroup(): void {
  for (const group of byId('results').querySelectorAll<HTMLElement>('.group')) {
    group.classList.toggle('active', Number(group.dataset['blockIndex']) === activeBlock()?.index);
  }
}
