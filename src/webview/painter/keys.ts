// The painter's keyboard: which key does what. Pure, so the table is tested without a page; the
// painter's view maps key events through it and the help text lists it.

export type PainterAction =
  | 'smaller'
  | 'larger'
  | 'brush'
  | 'toggleEraser'
  | 'fill'
  | 'invert'
  | 'undo'
  | 'redo'
  | 'zoomIn'
  | 'zoomOut'
  | 'fit'
  | 'close';

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/**
 * The action for a key press, or undefined to let the page have it. `typing` is true while a
 * text field has focus: then only Escape is the painter's (letters and brackets are text).
 */
export function actionForKey(press: KeyPress, typing: boolean): PainterAction | undefined {
  const command = press.ctrlKey || press.metaKey;
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  if (key === 'Escape') return 'close';
  if (typing || press.altKey) return undefined;
  if (command) {
    if (key === 'z') return press.shiftKey ? 'redo' : 'undo';
    if (key === 'y' && !press.shiftKey) return 'redo';
    if (key === 'i' && !press.shiftKey) return 'invert';
    return undefined;
  }
  switch (key) {
    case '[':
      return 'smaller';
    case ']':
      return 'larger';
    case 'b':
      return 'brush';
    case 'e':
      return 'toggleEraser';
    case 'g':
      return 'fill';
    case '+':
    case '=':
      return 'zoomIn';
    case '-':
      return 'zoomOut';
    case '0':
      return 'fit';
    default:
      return undefined;
  }
}

/** The shortcuts as the painter's help lists them. */
export const SHORTCUTS: readonly [keys: string, does: string][] = [
  ['B', 'brush'],
  ['E', 'eraser (again: brush)'],
  ['G', 'fill an enclosed area'],
  ['[ ]', 'smaller, larger brush'],
  ['Ctrl+Z', 'undo'],
  ['Ctrl+Shift+Z, Ctrl+Y', 'redo'],
  ['Ctrl+I', 'invert'],
  ['+ − 0', 'zoom in, out, fit'],
  ['arrows', 'pan (on the image)'],
  ['Escape', 'close'],
];
