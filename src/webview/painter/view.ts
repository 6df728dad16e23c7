// Zoom and pan of the painter's viewport: where an image pixel lands on screen and back. The
// mask stays at the image's resolution; only this mapping changes with the zoom. Pure (no DOM).

/** screen = image · zoom + pan, in CSS pixels relative to the viewport's top left corner. */
export interface View {
  zoom: number;
  panX: number;
  panY: number;
}

export const MIN_ZOOM = 1 / 16;
export const MAX_ZOOM = 32;
/** One zoom step (a key press, a button, a wheel notch). */
export const ZOOM_STEP = 1.25;

export function clampZoom(zoom: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
}

export function toImage(view: View, screenX: number, screenY: number): { x: number; y: number } {
  return { x: (screenX - view.panX) / view.zoom, y: (screenY - view.panY) / view.zoom };
}

export function toScreen(view: View, imageX: number, imageY: number): { x: number; y: number } {
  return { x: imageX * view.zoom + view.panX, y: imageY * view.zoom + view.panY };
}

/** Zooms to `zoom` (clamped), keeping the image point under (screenX, screenY) where it is. */
export function zoomAt(view: View, zoom: number, screenX: number, screenY: number): View {
  const next = clampZoom(zoom);
  const anchor = toImage(view, screenX, screenY);
  return { zoom: next, panX: screenX - anchor.x * next, panY: screenY - anchor.y * next };
}

/** The whole image centred in the viewport, as large as fits but never above 8x (tiny images). */
export function fitView(imageWidth: number, imageHeight: number, viewportWidth: number, viewportHeight: number): View {
  const zoom = clampZoom(Math.min(8, viewportWidth / imageWidth, viewportHeight / imageHeight));
  return { zoom, panX: (viewportWidth - imageWidth * zoom) / 2, panY: (viewportHeight - imageHeight * zoom) / 2 };
}

export function panBy(view: View, dx: number, dy: number): View {
  return { ...view, panX: view.panX + dx, panY: view.panY + dy };
}

/** Brush sizes `[` and `]` step through: about 20 % a step, at least one pixel. */
export function nextBrushSize(size: number, direction: 1 | -1, max: number): number {
  const stepped = direction > 0 ? Math.max(size + 1, Math.round(size * 1.2)) : Math.min(size - 1, Math.round(size / 1.2));
  return Math.min(max, Math.max(1, stepped));
}
