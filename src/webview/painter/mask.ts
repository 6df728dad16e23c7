// The mask's arithmetic, at the image's own resolution: brush and eraser strokes with a hardness
// falloff, flood fill, invert, clear. Pure functions over a byte per pixel (255 = repaint), with
// no DOM, so node's tests check them pixel by pixel and the canvas code stays thin.

export interface Mask {
  readonly width: number;
  readonly height: number;
  /** Row-major, one byte a pixel: 0 keeps the pixel, 255 repaints it. */
  readonly data: Uint8Array;
}

/** A rectangle of whole pixels; what an operation changed, for redrawing and for undo. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Brush {
  /** Diameter in image pixels. */
  size: number;
  /** 0..1: the share of the radius painted at full strength before the edge fades out. */
  hardness: number;
  /** Erasing lowers the mask where painting raises it. */
  erase: boolean;
}

/** A point of a stroke in image coordinates (pixel (i, j) covers [i, i+1) × [j, j+1)). */
export interface StrokePoint {
  x: number;
  y: number;
  /** 0..1; scales the radius (a pen's pressure; 1 for a mouse or touch). */
  pressure: number;
}

/** Pixels at or above this count as painted for fill's regions and for the painted share. */
export const PAINTED = 128;

export function createMask(width: number, height: number): Mask {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new Error(`a mask needs a positive whole size, got ${width}x${height}`);
  return { width, height, data: new Uint8Array(width * height) };
}

export function fullRect(mask: Mask): Rect {
  return { x: 0, y: 0, width: mask.width, height: mask.height };
}

/** The smallest rectangle holding both (either may be undefined). */
export function unionRect(a: Rect | undefined, b: Rect | undefined): Rect | undefined {
  if (!a) return b;
  if (!b) return a;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/**
 * How strongly a brush of `radius` covers a pixel whose centre is `distance` from the stroke:
 * 1 within `radius · hardness`, 0 beyond `radius`, a smooth fall between.
 */
export function coverage(distance: number, radius: number, hardness: number): number {
  if (distance >= radius) return 0;
  const inner = radius * Math.min(1, Math.max(0, hardness));
  if (distance <= inner) return 1;
  const t = (radius - distance) / (radius - inner);
  return t * t * (3 - 2 * t);
}

/** The rectangle of pixels whose centres a stroke of radius `radius` from a to b may reach, clipped to the mask. */
function reach(mask: Mask, a: StrokePoint, b: StrokePoint, radius: number): Rect | undefined {
  const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - radius));
  const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - radius));
  const x1 = Math.min(mask.width, Math.ceil(Math.max(a.x, b.x) + radius));
  const y1 = Math.min(mask.height, Math.ceil(Math.max(a.y, b.y) + radius));
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : undefined;
}

/**
 * Paints (or erases) the capsule swept by the brush from `from` to `to` (the same point for a
 * dab). Painting keeps the larger of the old value and the brush's, erasing the smaller, so a
 * stroke's overlapping segments never build up: the result does not depend on how finely the
 * pointer was sampled. Returns the pixels it may have changed.
 */
export function paintSegment(mask: Mask, from: StrokePoint, to: StrokePoint, brush: Brush): Rect | undefined {
  const r0 = radiusAt(brush, from.pressure);
  const r1 = radiusAt(brush, to.pressure);
  const rect = reach(mask, from, to, Math.max(r0, r1));
  if (!rect) return undefined;
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const length2 = dx * dx + dy * dy;
  const { data, width } = mask;
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    const py = y + 0.5;
    for (let x = rect.x; x < rect.x + rect.width; x++) {
      const px = x + 0.5;
      const t = length2 === 0 ? 0 : Math.min(1, Math.max(0, ((px - from.x) * dx + (py - from.y) * dy) / length2));
      const distance = Math.hypot(px - (from.x + t * dx), py - (from.y + t * dy));
      const strength = coverage(distance, r0 + t * (r1 - r0), brush.hardness);
      if (strength === 0) continue;
      const i = y * width + x;
      const value = Math.round(255 * strength);
      if (brush.erase) data[i] = Math.min(data[i]!, 255 - value);
      else data[i] = Math.max(data[i]!, value);
    }
  }
  return rect;
}

function radiusAt(brush: Brush, pressure: number): number {
  const scale = Number.isFinite(pressure) && pressure > 0 ? Math.min(1, pressure) : 1;
  return Math.max(0.5, (brush.size / 2) * scale);
}

/**
 * Fills the 4-connected region around (x, y) whose pixels are on the same side of `PAINTED` as
 * that pixel: clicking inside an outline fills it; clicking a painted area with value 0 erases it.
 */
export function floodFill(mask: Mask, x: number, y: number, value: number): Rect | undefined {
  const { width, height, data } = mask;
  const sx = Math.floor(x);
  const sy = Math.floor(y);
  if (sx < 0 || sy < 0 || sx >= width || sy >= height) return undefined;
  const painted = data[sy * width + sx]! >= PAINTED;
  const seen = new Uint8Array(width * height);
  const stack = [sy * width + sx];
  seen[stack[0]!] = 1;
  let minX = sx, maxX = sx, minY = sy, maxY = sy;
  while (stack.length > 0) {
    const i = stack.pop()!;
    const px = i % width;
    const py = (i - px) / width;
    data[i] = value;
    if (px < minX) minX = px;
    if (px > maxX) maxX = px;
    if (py < minY) minY = py;
    if (py > maxY) maxY = py;
    const visit = (j: number) => {
      if (seen[j] || data[j]! >= PAINTED !== painted) return;
      seen[j] = 1;
      stack.push(j);
    };
    if (px > 0) visit(i - 1);
    if (px < width - 1) visit(i + 1);
    if (py > 0) visit(i - width);
    if (py < height - 1) visit(i + width);
  }
  return { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

/** Repaint becomes keep and keep becomes repaint. */
export function invertMask(mask: Mask): Rect {
  const { data } = mask;
  for (let i = 0; i < data.length; i++) data[i] = 255 - data[i]!;
  return fullRect(mask);
}

/** Sets every pixel: 0 clears the mask, 255 repaints the whole image. */
export function setAll(mask: Mask, value: number): Rect {
  mask.data.fill(value);
  return fullRect(mask);
}

/** The share of pixels that count as painted, 0..1. */
export function paintedShare(mask: Mask): number {
  let painted = 0;
  for (const v of mask.data) if (v >= PAINTED) painted++;
  return painted / mask.data.length;
}

/** A copy of a rectangle's bytes, row after row. */
export function copyRect(mask: Mask, rect: Rect): Uint8Array {
  const out = new Uint8Array(rect.width * rect.height);
  for (let row = 0; row < rect.height; row++) {
    const start = (rect.y + row) * mask.width + rect.x;
    out.set(mask.data.subarray(start, start + rect.width), row * rect.width);
  }
  return out;
}

/** Writes bytes taken by `copyRect` back into the same rectangle. */
export function pasteRect(mask: Mask, rect: Rect, bytes: Uint8Array): void {
  for (let row = 0; row < rect.height; row++) {
    mask.data.set(bytes.subarray(row * rect.width, (row + 1) * rect.width), (rect.y + row) * mask.width + rect.x);
  }
}
