// The top of the panel: the prompt file's name, the default model, the host's errors, and what
// to do when there is nothing to show yet.

import { post } from './host';
import { byId, h, replaceChildren } from './dom';
import { panelState } from './store';

export function headerSkeleton(): HTMLElement[] {
  return [
    h('header', { class: 'panel-header' },
      h('h1', { id: 'file-name', class: 'file-name' }, 'sdprompt'),
      h('p', { id: 'model', class: 'model' })),
    // The alert role goes on a wrapper: on the list itself it would hide that it is a list.
    h('div', { id: 'errors', role: 'alert', 'aria-label': 'Errors' }, h('ul', { class: 'errors' })),
    h('p', { id: 'empty', class: 'empty' }, 'Loading…'),
  ];
}

export function renderHeader(): void {
  const s = panelState();
  if (!s) return;
  const fileName = byId('file-name');
  fileName.textContent = s.file ? s.file.name : 'sdprompt';
  if (s.file) fileName.setAttribute('title', s.file.path);
  replaceChildren(byId('model'), 'Model: ', s.model.label, s.model.isDemo ? h('span', { class: 'badge', title: 'The small demo model shipped with the extension' }, 'demo') : null);
  renderErrors();
  const empty = byId('empty');
  if (!s.file) {
    empty.hidden = false;
    replaceChildren(empty, 'Open a ', h('code', {}, '.sdprompt'), ' file and press ', h('kbd', {}, 'Ctrl+Enter'), ' to generate the block under the cursor. Its images show here.');
  } else if (s.blocks.length === 0) {
    empty.hidden = false;
    replaceChildren(empty, 'This file has no prompt yet. Write one, then press ', h('kbd', {}, 'Ctrl+Enter'), '.');
  } else {
    empty.hidden = true;
  }
}

function renderErrors(): void {
  const alert = byId('errors');
  const errors = panelState()?.errors ?? [];
  alert.hidden = errors.length === 0;
  replaceChildren(alert.querySelector('ul')!, ...errors.map((error) =>
    h('li', { class: 'error', 'data-error-id': error.id },
      h('span', { class: 'message' }, error.message, error.line !== undefined ? ` (line ${error.line})` : ''),
      h('button', { type: 'button', class: 'icon', 'aria-label': 'Dismiss', title: 'Dismiss', onclick: () => post({ type: 'dismissError', errorId: error.id }) }, '✕'))));
}
