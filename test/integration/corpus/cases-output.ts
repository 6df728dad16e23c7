// Output folders that cannot take the images: a file in the way, no permission, a read-only
// and a full file system (small tmpfs mounts in a user namespace), and the leftovers of a
// writer killed mid-write. Each is found before the first step where it can be, and none
// leaves a temporary file or touches an earlier output.

import { spawn } from 'node:child_process';
import { chmodSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { RUNNING_AS_ROOT, sharedModel, type CorpusCase, type Workspace } from './harness';

const PROMPT = () => `model: ${sharedModel()}\nsteps: 2\nsize: 64x64\nred\nseed: 1..5\n`;

/** Starts the real writer on a large image in `dir` and kills it (SIGKILL) once its temporary file exists. */
async function killWriterMidWrite(dir: string): Promise<void> {
  const write = path.resolve(__dirname, '../../../src/core/outputs/write.js');
  const script = `require(${JSON.stringify(write)}).writeOutputSet(${JSON.stringify(dir)}, 'block-1-9', [{ extension: '.png', data: Buffer.alloc(64 << 20, 1) }]);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  for (let i = 0; i < 2000 && child.exitCode === null; i++) {
    if (readdirSync(dir).some((f) => f.endsWith('.partial'))) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  child.kill('SIGKILL');
  await exited;
  if (!readdirSync(dir).some((f) => f.endsWith('.partial'))) throw new Error('the writer finished before it could be killed mid-write');
}

export const OUTPUT_CASES: CorpusCase[] = [
  {
    kind: 'output folder',
    name: 'a file where the output folder should be (was raw EEXIST)',
    arrange: (ws) => (ws.write('blocked.sdprompt', PROMPT()), ws.write('blocked', 'a file')),
    args: () => ['run', 'blocked.sdprompt', '--json'],
    expect: { exit: 4, where: (ws) => path.join(ws.cwd, 'blocked'), message: /cannot create the output folder: a file is in the way where a folder should be/, maxSteps: 0 },
  },
  {
    kind: 'output folder',
    name: 'generate --out inside a file',
    arrange: (ws) => ws.write('afile', 'x'),
    args: () => ['generate', '--prompt', 'red', '--seed', '1', '--steps', '2', '--size', '16x16', '--model', sharedModel(), '--out', 'afile/imgs', '--json'],
    expect: { exit: 4, where: (ws) => path.join(ws.cwd, 'afile', 'imgs'), message: /cannot create the output folder: a file is in the way where a folder should be/, maxSteps: 0 },
  },
  {
    kind: 'output folder',
    name: 'no permission to write the output folder: refused before the first of five images',
    arrange: (ws: Workspace) => {
      ws.write('case.sdprompt', PROMPT());
      chmodSync(path.join(ws.work, 'case'), 0o555);
    },
    args: () => ['run', 'case.sdprompt', '--json'],
    // Root writes through permissions, so as root the CLI runs as nobody.
    driver: { asOtherUser: RUNNING_AS_ROOT },
    expect: { exit: 4, where: (ws) => path.join(ws.cwd, 'case'), message: /cannot write in the output folder: permission denied/, maxSteps: 0 },
  },
  {
    kind: 'output folder',
    name: 'a read-only file system',
    needs: ['unshare'],
    arrange: (ws) => ws.write('case.sdprompt', PROMPT()),
    args: () => ['run', 'case.sdprompt', '--json'],
    driver: { mount: { sizeKib: 1024, readOnly: true } },
    expect: { exit: 4, where: (ws) => path.join(ws.cwd, 'case'), message: /cannot write in the output folder: the file system is read-only/, maxSteps: 0 },
  },
  {
    kind: 'output folder',
    name: 'a full file system: the image does not fit',
    needs: ['unshare'],
    arrange: (ws) => ws.write('case.sdprompt', `model: ${sharedModel()}\nsteps: 1\nsize: 256x256\nred\nseed: 1\n`),
    args: () => ['run', 'case.sdprompt', '--json'],
    // Room for the probe file, not for a 256x256 PNG of noise (about 200 KB).
    driver: { mount: { sizeKib: 2048, leaveFreeBytes: 16 * 1024 } },
    expect: { exit: 4, where: (ws) => path.join(ws.cwd, 'case'), message: /cannot write block-1-1: the disk is full/ },
  },
  {
    kind: 'output folder',
    name: 'leftovers of a writer killed mid-write are removed by the next run',
    arrange: async (ws) => {
      ws.write('case.sdprompt', `model: ${sharedModel()}\nsteps: 1\nsize: 16x16\nred\nseed: 7\n`);
      await killWriterMidWrite(path.join(ws.work, 'case'));
    },
    args: () => ['run', 'case.sdprompt'],
    expect: { exit: 0, message: /loaded optimum .*on cpu/, written: ['case/block-1-7.png', 'case/block-1-7.json'] },
  },
];

