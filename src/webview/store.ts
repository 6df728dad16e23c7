// The last state the host sent, and the questions every part of the panel asks of it.

import type { BlockView, ImageView, PanelState } from '../protocol/webview';

let current: PanelState | undefined;

export function panelState(): PanelState | undefined {
  return current;
}

export function setPanelState(state: PanelState): void {
  current = state;
}

/** The block the controls edit: the one under the editor's cursor, else the first. */
export function activeBlock(): BlockView | undefined {
  if (!current) return undefined;
  return current.blocks.find((b) => b.index === current!.activeBlock) ?? current.blocks[0];
}

export function blockByIndex(index: number): BlockView | undefined {
  return current?.blocks.find((b) => b.index === index);
}

export function blockLabel(block: BlockView | undefined, index?: number): string {
  if (!block) return `Block ${index ?? '?'}`;
  return block.name ? block.name : `Block ${block.index}`;
}

export function findImage(id: string | undefined): ImageView | undefined {
  if (id === undefined || !current) return undefined;
  for (const group of current.results) {
    const image = group.images.find((i) => i.id === id);
    if (image) return image;
  }
  return undefined;
}

/** Images smaller than this on their longer side are scaled up without smoothing. */
const PIXELATED_BELOW = 256;

export function imageClass(image: { width: number; height: number }, base: string): string {
  return Math.max(image.width, image.height) < PIXELATED_BELOW ? `${base} pixelated` : base;
}
