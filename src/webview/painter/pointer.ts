// Pointer input on the painter's viewport: strokes from a mouse, pen (its pressure scales the
// brush; its eraser end erases) or touch, a click to fill, panning with the middle button or
// with Space held, the wheel to zoom about the pointer, and the brush outline under the pointer.

import type { StrokePoint } from './mask';
import type { Tool } from './skeleton';
import { toImage, ZOOM_STEP, zoomAt, type View } from './view';

export interface PointerTarget {
  view(): View | undefined;
  tool(): Tool;
  brushSize(): number;
  setView(view: View): void;
  /** `erase` is true for a pen's eraser end, whatever the tool. */
  beginStroke(point: StrokePoint, erase: boolean): void;
  continueStroke(points: StrokePoint[]): void;
  endStroke(): void;
  fillAt(point: StrokePoint): void;
}

/** PointerEvent.buttons bit of a pen's eraser end. */
const PEN_ERASER = 32;

export function attachPointer(viewport: HTMLElement, target: PointerTarget): void {
  const cursor = viewport.querySelector<HTMLElement>('.painter-cursor')!;
  let active: { pointerId: number; mode: 'paint' | 'pan'; x: number; y: number } | undefined;
  let spaceHeld = false;

  // Relative to the viewport's padding box, where the stage is placed (inside its border).
  const local = (event: { clientX: number; clientY: number }) => {
    const box = viewport.getBoundingClientRect();
    return { x: event.clientX - box.left - viewport.clientLeft, y: event.clientY - box.top - viewport.clientTop };
  };
  const imagePoint = (event: PointerEvent): StrokePoint | undefined => {
    const view = target.view();
    if (!view) return undefined;
    const at = local(event);
    const { x, y } = toImage(view, at.x, at.y);
    // A mouse reports pressure 0.5 while pressed; only a pen's pressure means anything.
    return { x, y, pressure: event.pointerType === 'pen' && event.pressure > 0 ? event.pressure : 1 };
  };
  const moveCursor = (event: PointerEvent) => {
    const view = target.view();
    const at = local(event);
    cursor.hidden = !view || target.tool() === 'fill' || active?.mode === 'pan';
    if (view) cursor.style.transform = `translate(${at.x}px, ${at.y}px) translate(-50%, -50%)`;
  };

  viewport.addEventListener('pointerdown', (event) => {
    if (active || !target.view()) return;
    viewport.focus({ preventScroll: true });
    const pan = event.button === 1 || (event.button === 0 && spaceHeld);
    if (!pan && event.button !== 0 && !(event.buttons & PEN_ERASER)) return;
    event.preventDefault();
    try {
      viewport.setPointerCapture(event.pointerId);
    } catch {
      // A pointer the browser no longer tracks (or a synthetic one): paint without capture.
    }
    const at = local(event);
    if (pan) {
      active = { pointerId: event.pointerId, mode: 'pan', ...at };
      viewport.classList.add('panning');
      return;
    }
    const point = imagePoint(event)!;
    if (target.tool() === 'fill') {
      target.fillAt(point);
      return;
    }
    active = { pointerId: event.pointerId, mode: 'paint', ...at };
    target.beginStroke(point, (event.buttons & PEN_ERASER) !== 0);
  });

  viewport.addEventListener('pointermove', (event) => {
    moveCursor(event);
    if (!active || event.pointerId !== active.pointerId) return;
    if (active.mode === 'pan') {
      const at = local(event);
      const view = target.view();
      if (view) target.setView({ ...view, panX: view.panX + at.x - active.x, panY: view.panY + at.y - active.y });
      Object.assign(active, at);
      return;
    }
    // The points the browser merged into this event, so fast strokes stay smooth.
    const events = typeof event.getCoalescedEvents === 'function' ? event.getCoalescedEvents() : [];
    const points = (events.length > 0 ? events : [event]).map(imagePoint).filter((p): p is StrokePoint => p !== undefined);
    target.continueStroke(points);
  });

  const end = (event: PointerEvent) => {
    if (!active || event.pointerId !== active.pointerId) return;
    if (active.mode === 'paint') target.endStroke();
    viewport.classList.remove('panning');
    active = undefined;
  };
  viewport.addEventListener('pointerup', end);
  viewport.addEventListener('pointercancel', end);
  viewport.addEventListener('lostpointercapture', end);
  viewport.addEventListener('pointerleave', () => (cursor.hidden = true));

  viewport.addEventListener('wheel', (event) => {
    const view = target.view();
    if (!view) return;
    event.preventDefault();
    const at = local(event);
    target.setView(zoomAt(view, event.deltaY < 0 ? view.zoom * ZOOM_STEP : view.zoom / ZOOM_STEP, at.x, at.y));
  }, { passive: false });

  viewport.addEventListener('keydown', (event) => {
    if (event.key === ' ') {
      spaceHeld = true;
      event.preventDefault();
    }
  });
  viewport.addEventListener('keyup', (event) => {
    if (event.key === ' ') spaceHeld = false;
  });
}
