// Undo and redo for the mask: each step keeps the bytes of the rectangle it changed, before and
// after, so a small stroke on a large image costs little. The oldest steps are dropped past a
// byte budget. Pure (no DOM).

import { copyRect, pasteRect, type Mask, type Rect } from './mask';

interface Step {
  rect: Rect;
  before: Uint8Array;
  after: Uint8Array;
}

/** About 64 MB of kept steps: dozens of full-image steps of a 1024x1024 mask. */
export const DEFAULT_HISTORY_BYTES = 64 * 1024 * 1024;

export class MaskHistory {
  private readonly steps: Step[] = [];
  /** Steps [0, position) are done; [position, length) were undone and can be redone. */
  private position = 0;
  /** `position` when the mask was last saved (or opened); -1 once that step is gone. */
  private savedAt = 0;
  private snapshot: Uint8Array | undefined;

  constructor(private readonly budgetBytes = DEFAULT_HISTORY_BYTES) {}

  /** Call before an operation changes the mask: keeps a copy to diff against. */
  begin(mask: Mask): void {
    this.snapshot = mask.data.slice();
  }

  /** Call after it: records the changed rectangle as one step (nothing for an unchanged mask). */
  commit(mask: Mask, changed: Rect | undefined): boolean {
    const before = this.snapshot;
    this.snapshot = undefined;
    if (!before || !changed) return false;
    const old: Mask = { width: mask.width, height: mask.height, data: before };
    const step = { rect: changed, before: copyRect(old, changed), after: copyRect(mask, changed) };
    if (equalBytes(step.before, step.after)) return false;
    if (this.savedAt > this.position) this.savedAt = -1; // the saved state was undone and is now unreachable
    this.steps.splice(this.position);
    this.steps.push(step);
    this.position = this.steps.length;
    this.trim();
    return true;
  }

  get canUndo(): boolean {
    return this.position > 0;
  }

  get canRedo(): boolean {
    return this.position < this.steps.length;
  }

  /** Whether the mask differs from the one last saved or opened. */
  get dirty(): boolean {
    return this.position !== this.savedAt;
  }

  markSaved(): void {
    this.savedAt = this.position;
  }

  /** For a mask that starts out unsaved (strokes restored from before the panel was hidden). */
  markUnsaved(): void {
    this.savedAt = -1;
  }

  undo(mask: Mask): Rect | undefined {
    if (!this.canUndo) return undefined;
    const step = this.steps[--this.position]!;
    pasteRect(mask, step.rect, step.before);
    return step.rect;
  }

  redo(mask: Mask): Rect | undefined {
    if (!this.canRedo) return undefined;
    const step = this.steps[this.position++]!;
    pasteRect(mask, step.rect, step.after);
    return step.rect;
  }

  private trim(): void {
    let bytes = this.steps.reduce((sum, s) => sum + s.before.length + s.after.length, 0);
    while (bytes > this.budgetBytes && this.steps.length > 1) {
      const dropped = this.steps.shift()!;
      bytes -= dropped.before.length + dropped.after.length;
      this.position--;
      this.savedAt = this.savedAt > 0 ? this.savedAt - 1 : -1;
    }
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
