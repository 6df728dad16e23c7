// The unsaved strokes of the panel's mask painter, as the webview last reported them
// (`painterDraft`), and what becomes of them when the panel is closed: a webview panel's closing
// cannot be stopped, so the strokes are kept here and the user is asked: reopen the painter with
// them, save them as the painter would, or discard them. Nothing is dropped before the user says
// so; a question dismissed without an answer leaves them for the next time the panel opens on
// the prompt file they were painted for (the draft's target names it, whatever the panel
// showed). Closing or reloading the window cannot ask (the extension host stops with it), and
// strokes drawn in the last moment before the panel closes (the webview reports them 400 ms after
// the last one) are not here yet. No `vscode` import: the questions and the panel are handed in.

import type { PainterDraft } from '../protocol/webview';

export type DraftChoice = 'reopen' | 'save' | 'discard';

export interface DraftActions {
  /** Asks what to do with a closed panel's strokes; `problem`: why the last answer did not work. Undefined: dismissed. */
  ask(draft: PainterDraft, problem: string | undefined): PromiseLike<DraftChoice | undefined>;
  /** Opens the panel on the draft's prompt file with the painter restored (taking it: `take`). */
  reopen(draft: PainterDraft): void;
  /** Saves the strokes as the painter's Save or Inpaint does; the error, if any. */
  save(draft: PainterDraft): Promise<string | undefined>;
}

/** Shown when Reopen finds the panel's painter busy with other strokes. */
export const PAINTER_BUSY = 'The panel\'s painter has other unsaved strokes: save or discard them first.';

export class PainterDrafts {
  /** The open panel's draft, if its painter has unsaved strokes. */
  private live: PainterDraft | undefined;
  /** Closed panels' drafts, until the user decides. */
  private readonly closed: PainterDraft[] = [];

  constructor(private readonly actions: DraftActions) {}

  /** The webview's report: its painter's strokes, or none. */
  update(draft: PainterDraft | undefined): void {
    this.live = draft;
  }

  /** Strokes were saved (by the painter, perhaps after its panel closed): a draft of exactly them is no loss. */
  saved(maskPng: string): void {
    if (this.live?.maskPng === maskPng) this.live = undefined;
    this.remove((d) => d.maskPng === maskPng);
  }

  /** The drafts kept for closed panels (oldest first). */
  get kept(): readonly PainterDraft[] {
    return this.closed;
  }

  /**
   * A closed panel's draft painted for prompt file `promptFile` (a path; `wanted`, if it is still
   * kept), handed over to be restored in the panel opening on it; none while the panel's painter
   * has strokes of its own (restoring would ask to discard them).
   */
  take(promptFile: string, wanted?: PainterDraft): PainterDraft | undefined {
    if (this.live) return undefined;
    return this.remove((d) => (wanted ? d === wanted : d.source.target.promptFile === promptFile));
  }

  /** The panel was closed: if its painter had unsaved strokes, they are kept and the user asked; resolves once answered. */
  async panelClosed(): Promise<void> {
    const draft = this.live;
    this.live = undefined;
    if (!draft) return;
    this.closed.push(draft);
    let problem: string | undefined;
    for (;;) {
      const choice = await this.actions.ask(draft, problem);
      // Restored meanwhile (the panel opened on its file), or saved: the question is moot.
      if (!this.closed.includes(draft) || choice === undefined) return;
      if (choice === 'discard') {
        this.remove((d) => d === draft);
        return;
      }
      if (choice === 'reopen') {
        this.actions.reopen(draft);
        problem = this.closed.includes(draft) ? PAINTER_BUSY : undefined;
      } else {
        problem = await this.actions.save(draft);
        if (problem === undefined) this.remove((d) => d === draft);
      }
      if (problem === undefined) return;
    }
  }

  private remove(which: (draft: PainterDraft) => boolean): PainterDraft | undefined {
    const index = this.closed.findIndex(which);
    return index < 0 ? undefined : this.closed.splice(index, 1)[0];
  }
}
