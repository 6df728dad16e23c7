// Signals at each phase of a run: while the model loads, during the steps, between two images,
// twice (quit at once), and a KILL followed by a second run. Ctrl+C exits 130, SIGTERM 143;
// each stops after the current step (at most one step after its `stopping` event), keeps the
// images finished before, and leaves no temporary file.

import { sharedModel, type CorpusCase } from './harness';
import type { DriverAction } from './driver';

const PROMPT = () => `model: ${sharedModel()}\nsize: 64x64\nred\nseed: 1, 2, 3\nsteps: 400\n`;

function signalCase(name: string, actions: DriverAction[], exit: number, message: RegExp, written: string[] = [], maxStepsAfterStop?: number): CorpusCase {
  return {
    kind: 'signal',
    name,
    arrange: (ws) => ws.write('case.sdprompt', PROMPT()),
    args: () => ['run', 'case.sdprompt', '--json'],
    driver: { actions },
    expect: { exit, message, written, ...(maxStepsAfterStop !== undefined ? { maxStepsAfterStop } : {}) },
  };
}

const STOPPING = /stopping after this step/;

export const SIGNAL_CASES: CorpusCase[] = [
  signalCase('Ctrl+C while the model loads', [{ on: 'start', count: 1, signal: 'SIGINT' }], 130, STOPPING, [], 0),
  signalCase('SIGTERM while the model loads', [{ on: 'start', count: 1, signal: 'SIGTERM' }], 143, /SIGTERM: stopping after this step/, [], 0),
  signalCase('Ctrl+C during the steps', [{ on: 'step', count: 5, signal: 'SIGINT' }], 130, STOPPING, [], 1),
  signalCase('SIGTERM during the steps', [{ on: 'step', count: 5, signal: 'SIGTERM' }], 143, STOPPING, [], 1),
  {
    ...signalCase('SIGTERM between two images: the first is kept whole', [{ on: 'image', count: 1, signal: 'SIGTERM' }], 143, STOPPING, ['case/block-1-1-2.png', 'case/block-1-1-2.json']),
    arrange: (ws) => ws.write('case.sdprompt', `model: ${sharedModel()}\nsize: 64x64\nred\nseed: 1, 2, 3\nsteps: 100\n`),
  },
  signalCase('SIGTERM twice: quits at once', [{ on: 'step', count: 3, signal: 'SIGTERM' }, { on: 'step', count: 3, signal: 'SIGTERM' }], 143, STOPPING, [], 1),
  {
    ...signalCase('SIGKILL during the steps, then a second run', [{ on: 'step', count: 5, signal: 'SIGKILL' }], 0, /"event":"image"/),
    arrange: (ws) => ws.write('case.sdprompt', `model: ${sharedModel()}\nsize: 64x64\nred\nseed: 4\nsteps: 30\n`),
    driver: { actions: [{ on: 'step', count: 5, signal: 'SIGKILL' }], rerun: true },
    expect: { exit: 0, message: /"event":"image"/, written: ['case/block-1-4.png', 'case/block-1-4.json'] },
  },
];
