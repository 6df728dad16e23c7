// The results panel's script: builds the page from its parts (header, controls, runs, detail,
// results, and the mask painter over them), routes the host's messages to them, and keeps the
// keyboard and scroll position. It shows what the host's last `state` said and sends commands
// (src/protocol/webview.ts); the host edits the file and re-sends the state.

import { WEBVIEW_PROTOCOL_VERSION, type HostMessage, type PanelState } from '../protocol/webview';
import { controlsSkeleton, generate, renderControls } from './controls';
import { closeDetail, detailSkeleton, isDetailOpen, openDetail, renderDetail } from './detail';
import { byId, h } from './dom';
import { acceptImageDrops } from './drop';
import { headerSkeleton, renderHeader } from './header';
import { post, saveUi, ui } from './host';
import { initPainter, isPainterOpen, maskSaved, openPainter, painterKey, restorePainter } from './painter/painter';
import { painterSkeleton } from './painter/skeleton';
import { markActiveGroup, renderResults, resultsSkeleton } from './results';
import { runsSkeleton, renderRuns } from './runs';
import { keepInline, panelState, setPanelState, withImage } from './store';

byId('app').replaceChildren(
  h('div', { id: 'panel' }, ...headerSkeleton(), controlsSkeleton(), runsSkeleton(), detailSkeleton(), resultsSkeleton()),
  painterSkeleton(),
);
initPainter();

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
    case 'openPainter':
      openPainter(message.source, document.activeElement as HTMLElement | null, message.restoredMask);
      break;
    case 'maskSaved':
      maskSaved(message.requestId, message.error);
      break;
  }
});

document.addEventListener('keydown', (event) => {
  if (painterKey(event) || isPainterOpen()) return;
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    generate('asWritten');
  } else if (event.key === 'Escape' && isDetailOpen()) {
    closeDetail();
  }
});

let scrollFrame = 0;
window.addEventListener('scroll', () => {
  if (scrollFrame || isPainterOpen()) return;
  scrollFrame = requestAnimationFrame(() => {
    scrollFrame = 0;
    ui.scrollY = window.scrollY;
    saveUi();
  });
});

acceptImageDrops(document.body);

restorePainter();
post({ type: 'ready', protocolVersion: WEBVIEW_PROTOCOL_VERSION });
