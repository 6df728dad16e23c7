// The results panel's script: builds the page from its parts (header, controls, runs, detail,
// results), routes the host's messages to them, and keeps the
// keyboard and scroll position. It shows what the host's last `state` said and sends commands
// (src/protocol/webview.ts); the host edits the file and re-sends the state.

import { WEBVIEW_PROTOCOL_VERSION, type HostMessage, type PanelState } from '../protocol/webview';
import { controlsSkeleton, generate, renderControls } from './controls';
import { closeDetail, detailSkeleton, isDetailOpen, openDetail, renderDetail } from './detail';
import { byId, h } from './dom';
import { acceptImageDrops } from './drop';
import { headerSkeleton, renderHeader } from './header';
import { post, saveUi, ui } from './host';
import { markActiveGroup, renderResults, resultsSkeleton } from './results';
import { runsSkeleton, renderRuns } from './runs';
import { keepInline, panelState, setPanelState, withImage } from './store';

byId('app').replaceChildren(
  h('div', { id: 'panel' }, ...headerSkeleton(), controlsSkeleton(), runsSkeleton(), detailSkeleton(), resultsSkeleton()),
);

let restoredScroll = false;

function render(): void {
  renderHeader();
  renderControls();
  renderRuns();
  renderResults(openDetail);
  renderDetail();
  if (!restoredScroll) {
    restoredScroll = true;
    window.scrollTo(0, ui.scrollY);
  }
}

function receiveState(state: PanelState): void {
  if (state.protocolVersion !== WEBVIEW_PROTOCOL_VERSION) {
    const message = `The panel and the extension disagree on the protocol (${state.protocolVersion} ≠ ${WEBVIEW_PROTOCOL_VERSION}); reload the window.`;
    setPanelState({ ...state, errors: [...state.errors, { id: 'protocol', message }] });
  } else {
    setPanelState(state);
  }
  render();
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  if (typeof message !== 'object' || message === null) return;
  const state = panelState();
  switch (message.type) {
    case 'state':
      receiveState(message.state);
      break;
    case 'progress':
      if (state) {
        setPanelState({ ...state, runs: message.runs });
        renderRuns();
      }
      break;
    case 'activeBlock':
      if (state && state.activeBlock !== message.blockIndex) {
        setPanelState({ ...state, activeBlock: message.blockIndex });
        renderControls();
        markActiveGroup();
      }
      break;
    case 'imageAdded':
      if (message.data !== undefined) keepInline(message.image.id, message.data);
      if (state) {
        setPanelState(withImage(state, message.blockIndex, message.image));
        renderResults(openDetail);
      }
      break;
  }
});

document.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    generate('asWritten');
  } else if (event.key === 'Escape' && isDetailOpen()) {
    closeDetail();
  }
});

let scrollFrame = 0;
window.addEventListener('scroll', () => {
  if (scrollFrame) return;
  scrollFrame = requestAnimationFrame(() => {
    scrollFrame = 0;
    ui.scrollY = window.scrollY;
    saveUi();
  });
});

acceptImageDrops(document.body);

post({ type: 'ready', protocolVersion: WEBVIEW_PROTOCOL_VERSION });
