// Runs in progress: one tile a run with its step, a progress bar, the live preview and Cancel.
// Tiles are updated in place (keyed by run id) so the preview does not flicker each step.

import type { RunView } from '../protocol/webview';
import { byId, h } from './dom';
import { post } from './host';
import { blockByIndex, blockLabel, panelState } from './store';

export function runsSkeleton(): HTMLElement {
  return h('section', { id: 'runs', class: 'runs', 'aria-label': 'Runs in progress', hidden: true });
}

function runText(run: RunView): string {
  const parts = [blockLabel(blockByIndex(run.blockIndex), run.blockIndex), `image ${run.image} of ${run.imageCount}`];
  if (run.seed !== undefined) parts.push(`seed ${run.seed}`);
  parts.push(run.phase && run.step === 0 ? run.phase : `step ${run.step}/${run.steps}`);
  if (!run.phase && run.calls !== undefined && run.calls !== run.steps) parts.push(`UNet call ${run.call}/${run.calls}`);
  return parts.join(' · ');
}

export function renderRuns(): void {
  const section = byId('runs');
  const runs = panelState()?.runs ?? [];
  section.hidden = runs.length === 0;
  const keep = new Set(runs.map((r) => r.runId));
  for (const tile of [...section.querySelectorAll<HTMLElement>('.run')]) {
    if (!keep.has(tile.dataset['runId']!)) tile.remove();
  }
  for (const run of runs) {
    let tile = section.querySelector<HTMLElement>(`.run[data-run-id="${CSS.escape(run.runId)}"]`);
    if (!tile) {
      tile = h('div', { class: 'run', 'data-run-id': run.runId },
        h('div', { class: 'preview-frame' }, h('img', { class: 'preview pixelated', alt: 'Live preview', hidden: true })),
        h('div', { class: 'run-info' },
          h('p', { class: 'status', role: 'status', 'aria-live': 'polite' }),
          h('progress', { max: 1, value: 0 }),
          h('button', { type: 'button', class: 'secondary cancel', onclick: () => post({ type: 'cancelRun', runId: run.runId }) }, 'Cancel')));
      section.appendChild(tile);
    }
    const status = tile.querySelector('.status')!;
    const text = runText(run);
    if (status.textContent !== text) status.textContent = text;
    const progress = tile.querySelector('progress')!;
    progress.max = Math.max(1, run.calls ?? run.steps);
    progress.value = run.call ?? run.step;
    progress.setAttribute('aria-label', `step ${run.step} of ${run.steps}`);
    const img = tile.querySelector<HTMLImageElement>('img.preview')!;
    if (run.preview) {
      if (img.getAttribute('src') !== run.preview) img.src = run.preview;
      img.hidden = false;
    } else {
      img.hidden = true;
    }
  }
}
