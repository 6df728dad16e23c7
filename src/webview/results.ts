// The images made so far, grouped by the block that made them, newest first, a stale one marked;
// a thumbnail opens the image's details. A block's grids show whole above its images; clicking one
// opens it in the editor.

import type { GridView, ImageView } from '../protocol/webview';
import { byId, h, replaceChildren } from './dom';
import { post } from './host';
import { activeBlock, blockByIndex, blockLabel, imageClass, imageSrc, panelState } from './store';

export function resultsSkeleton(): HTMLElement {
  return h('div', { id: 'results', class: 'results' });
}

function newestFirst<T extends ImageView | GridView>(images: readonly T[]): T[] {
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
      group.grids?.length ? h('ul', { class: 'grids', role: 'list' }, ...newestFirst(group.grids).map(gridItem)) : null,
      h('ul', { class: 'thumbs', role: 'list' }, ...newestFirst(group.images).map((image) =>
        h('li', {},
          h('button', {
            type: 'button',
            class: image.stale ? 'thumb stale' : 'thumb',
            'data-image-id': image.id,
            'aria-label': `Seed ${image.seed}, ${image.fileName}${image.stale ? ', stale' : ''}`,
            title: image.stale ? `${image.fileName}: stale (the block now asks for another ${image.stale.join(', ')})` : image.fileName,
            onclick: () => open(image.id),
          },
            h('img', { src: imageSrc(image), alt: '', class: imageClass(image, 'thumb-img'), width: 96, height: Math.round((96 * image.height) / image.width) }),
            h('span', { class: 'seed' }, String(image.seed), image.stale ? h('span', { class: 'badge stale-badge' }, 'stale') : null))))));
  }));
  if (focusedId) focusThumb(focusedId);
}

function gridItem(grid: GridView): HTMLElement {
  return h('li', {},
    h('button', { type: 'button', class: 'grid-thumb', 'data-image-id': grid.id, 'aria-label': `Grid of ${grid.axes}, ${grid.fileName}`, title: `${grid.fileName}: open in the editor`, onclick: () => post({ type: 'openImage', imageId: grid.id }) },
      h('img', { src: grid.src, alt: '', class: imageClass(grid, 'grid-img'), width: grid.width, height: grid.height })));
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
