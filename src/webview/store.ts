// The last state the host sent, and the questions every part of the panel asks of it.

import type { BlockView, ImageView, PanelState } from '../protocol/webview';

let current: PanelState | undefined;

export function panelState(): PanelState | undefined {
  return current;
}

export function setPanelState(state: PanelState): void {
  current = state;
}

/** The state with one more image in its block's group (the group made if the block had none; an image already there is replaced). */
export function withImage(state: PanelState, blockIndex: number, image: ImageView): PanelState {
  const others = state.results.filter((g) => g.blockIndex !== blockIndex);
  const group = state.results.find((g) => g.blockIndex === blockIndex);
  const images = [image, ...(group?.images ?? []).filter((i) => i.id !== image.id)];
  const order = (index: number) => state.blocks.findIndex((b) => b.index === index);
  const results = [...others, { ...group, blockIndex, images }].sort((a, b) => order(a.blockIndex) - order(b.blockIndex));
  return { ...state, results };
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

/** New images' PNGs sent inline (`imageAdded`), newest last: shown from memory, not fetched again. */
const inline = new Map<string, string>();
const INLINE_KEPT = 32;

export function keepInline(imageId: string, dataUrl: string): void {
  inline.delete(imageId);
  inline.set(imageId, dataUrl);
  if (inline.size > INLINE_KEPT) inline.delete(inline.keys().next().value!);
}

/** Where to load an image from: its PNG in memory when it came inline, else its webview URI. */
export function imageSrc(image: ImageView): string {
  return inline.get(image.id) ?? image.src;
}

/** Images smaller than this on their longer side are scaled up without smoothing. */
const PIXELATED_BELOW = 256;

export function imageClass(image: { width: number; height: number }, base: string): string {
  return Math.max(image.width, image.height) < PIXELATED_BELOW ? `${base} pixelated` : base;
}
