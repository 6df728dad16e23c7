// The painter's elements: title, tools, the viewport with the image and its mask layer, status,
// the actions and the question asked before discarding strokes. Built once; painter.ts fills it.

import { h } from '../dom';
import { SHORTCUTS } from './keys';

export type Tool = 'brush' | 'eraser' | 'fill';
export const TOOLS: readonly [Tool, string, string][] = [
  ['brush', 'Brush', 'Paint the area to repaint (B)'],
  ['eraser', 'Eraser', 'Erase the mask (E)'],
  ['fill', 'Fill', 'Fill the enclosed area you click (G)'],
];

function slider(id: string, label: string, min: number, max: number, value: number, unit: string): HTMLElement {
  return h('div', { class: 'slider' },
    h('label', { for: id }, label),
    h('input', { id, type: 'range', min, max, step: 1, value }),
    h('output', { id: `${id}-value`, for: id }, `${value}${unit}`));
}

function button(id: string, label: string, title: string, extra: Record<string, string> = {}): HTMLButtonElement {
  return h('button', { id, type: 'button', class: 'secondary', title, ...extra }, label);
}

export function painterSkeleton(): HTMLElement {
  return h('section', { id: 'painter', class: 'painter', 'aria-labelledby': 'painter-title', hidden: true },
    h('div', { class: 'painter-head' },
      h('h2', { id: 'painter-title' }, 'Paint mask'),
      h('p', { class: 'hint', id: 'painter-hint' }, 'Paint what to repaint; the rest is kept.')),
    h('div', { class: 'painter-tools', role: 'toolbar', 'aria-label': 'Mask tools' },
      h('fieldset', { class: 'tool-choice' },
        h('legend', {}, 'Tool'),
        ...TOOLS.map(([tool, label, title]) =>
          h('label', { class: 'tool', title },
            h('input', { type: 'radio', name: 'painter-tool', id: `painter-tool-${tool}`, value: tool }),
            h('span', {}, label)))),
      slider('painter-size', 'Size', 1, 64, 16, ' px'),
      slider('painter-hardness', 'Hardness', 0, 100, 80, ' %'),
      slider('painter-opacity', 'Mask opacity', 10, 100, 60, ' %'),
      h('div', { class: 'tool-buttons' },
        button('painter-undo', 'Undo', 'Undo (Ctrl+Z)', { 'aria-keyshortcuts': 'Control+Z' }),
        button('painter-redo', 'Redo', 'Redo (Ctrl+Shift+Z)', { 'aria-keyshortcuts': 'Control+Shift+Z' }),
        button('painter-invert', 'Invert', 'Repaint what is kept and keep what is painted (Ctrl+I)'),
        button('painter-clear', 'Clear', 'Clear the mask')),
      h('div', { class: 'tool-buttons' },
        button('painter-zoom-out', 'Zoom out', 'Zoom out (−)'),
        h('output', { id: 'painter-zoom', class: 'zoom', 'aria-label': 'Zoom' }, '100 %'),
        button('painter-zoom-in', 'Zoom in', 'Zoom in (+)'),
        button('painter-fit', 'Fit', 'Fit the image (0)'))),
    h('div', {
      id: 'painter-viewport',
      class: 'painter-viewport',
      tabindex: 0,
      role: 'application',
      'aria-roledescription': 'mask painter',
      'aria-label': 'Image and mask; paint with the pointer, pan with the arrow keys',
      'aria-describedby': 'painter-keys',
    },
      h('div', { id: 'painter-stage', class: 'painter-stage' },
        h('img', { id: 'painter-image', class: 'painter-image', alt: '', draggable: 'false' }),
        h('canvas', { id: 'painter-mask', class: 'painter-mask', 'aria-hidden': 'true' })),
      h('div', { id: 'painter-cursor', class: 'painter-cursor', hidden: true })),
    h('p', { id: 'painter-status', class: 'painter-status', role: 'status', 'aria-live': 'polite' }),
    h('p', { id: 'painter-error', class: 'painter-error', role: 'alert', hidden: true }),
    h('div', { id: 'painter-confirm', class: 'painter-confirm', role: 'alertdialog', 'aria-labelledby': 'painter-confirm-text', hidden: true },
      h('p', { id: 'painter-confirm-text' }, 'Discard the mask you painted?'),
      h('button', { id: 'painter-discard', type: 'button', class: 'secondary' }, 'Discard'),
      h('button', { id: 'painter-keep', type: 'button', class: 'primary' }, 'Keep painting')),
    h('div', { class: 'actions' },
      h('button', { id: 'painter-save', type: 'button', class: 'primary' }, 'Inpaint'),
      h('button', { id: 'painter-cancel', type: 'button', class: 'secondary', title: 'Close the painter (Escape)' }, 'Cancel')),
    h('details', { class: 'painter-help' },
      h('summary', {}, 'Keyboard'),
      h('dl', { id: 'painter-keys' }, ...SHORTCUTS.flatMap(([keys, does]) => [h('dt', {}, h('kbd', {}, keys)), h('dd', {}, does)]))));
}
