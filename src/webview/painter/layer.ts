// The canvas side of the mask: drawing it as a tinted layer over the image (one canvas pixel per
// image pixel, scaled by CSS, so the zoom never changes the mask's resolution), and converting
// it to and from PNG `data:` URLs. The arithmetic lives in mask.ts.

import { fullRect, type Mask, type Rect } from './mask';

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** The colour a CSS colour value (a theme variable) computes to, through a probe element. */
export function cssColour(probe: HTMLElement, value: string): Rgb {
  probe.style.color = value;
  const match = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(getComputedStyle(probe).color);
  return match ? { r: Number(match[1]), g: Number(match[2]), b: Number(match[3]) } : { r: 255, g: 0, b: 0 };
}

/** Redraws `rect` of the mask on its layer: the tint with the mask's value as alpha. */
export function drawMask(canvas: HTMLCanvasElement, mask: Mask, tint: Rgb, rect: Rect = fullRect(mask)): void {
  const context = canvas.getContext('2d');
  if (!context || rect.width <= 0 || rect.height <= 0) return;
  const pixels = context.createImageData(rect.width, rect.height);
  const out = pixels.data;
  for (let row = 0; row < rect.height; row++) {
    let source = (rect.y + row) * mask.width + rect.x;
    let target = row * rect.width * 4;
    for (let col = 0; col < rect.width; col++, source++, target += 4) {
      out[target] = tint.r;
      out[target + 1] = tint.g;
      out[target + 2] = tint.b;
      out[target + 3] = mask.data[source]!;
    }
  }
  context.putImageData(pixels, rect.x, rect.y);
}

/** The mask as an opaque greyscale PNG (white = repaint), as a `data:` URL. */
export function maskToPng(mask: Mask): string {
  const canvas = document.createElement('canvas');
  canvas.width = mask.width;
  canvas.height = mask.height;
  const context = canvas.getContext('2d')!;
  const pixels = context.createImageData(mask.width, mask.height);
  for (let i = 0; i < mask.data.length; i++) {
    const v = mask.data[i]!;
    pixels.data[i * 4] = v;
    pixels.data[i * 4 + 1] = v;
    pixels.data[i * 4 + 2] = v;
    pixels.data[i * 4 + 3] = 255;
  }
  context.putImageData(pixels, 0, 0);
  return canvas.toDataURL('image/png');
}

/**
 * Reads a mask image into `mask` (scaled to its size when the image's differs): its luminance
 * over black, as PIL's 'L' mode weighs it, so a transparent pixel keeps and any grey is kept.
 * Resolves to whether the image's size differed.
 */
export async function pngToMask(dataUrl: string, mask: Mask): Promise<{ resized: boolean }> {
  const image = new Image();
  image.src = dataUrl;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = mask.width;
  canvas.height = mask.height;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.fillStyle = '#000';
  context.fillRect(0, 0, mask.width, mask.height);
  context.drawImage(image, 0, 0, mask.width, mask.height);
  const rgba = context.getImageData(0, 0, mask.width, mask.height).data;
  for (let i = 0; i < mask.data.length; i++) {
    mask.data[i] = Math.round((rgba[i * 4]! * 299 + rgba[i * 4 + 1]! * 587 + rgba[i * 4 + 2]! * 114) / 1000);
  }
  return { resized: image.naturalWidth !== mask.width || image.naturalHeight !== mask.height };
}
