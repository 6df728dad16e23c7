// Malformed prompt files and requests: each refused before any model work (no UNet step),
// with a message that points at the file, line and column.

import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { MAX_PROMPT_FILE_BYTES } from '../../../src/core/format/limits';
import { demoModelDir } from '../../../src/core/models/demo';
import { sharedModel, type CorpusCase, type Workspace } from './harness';

/** A prompt file `case.sdprompt` on the shared test model, run with --json. */
function promptCase(name: string, text: string | (() => string), where: string, message: RegExp): CorpusCase {
  return {
    kind: 'prompt file',
    name,
    arrange: (ws) => ws.write('case.sdprompt', `model: ${sharedModel()}\nsteps: 2\nsize: 16x16\n${typeof text === 'string' ? text : text()}`),
    args: () => ['run', 'case.sdprompt', '--json'],
    expect: { exit: 1, where: () => `case.sdprompt:${where}`, message, maxSteps: 0 },
  };
}

/** A file the reader refuses before parsing, named `name` under the case folder. */
function unreadable(name: string, arrange: (ws: Workspace) => void, file: string, message: RegExp): CorpusCase {
  return {
    kind: 'prompt file',
    name,
    arrange,
    args: () => ['run', file],
    expect: { exit: 1, where: (ws) => (file.startsWith('/') ? file : path.join(ws.cwd, file)), message, maxSteps: 0 },
  };
}

export const PROMPT_CASES: CorpusCase[] = [
  promptCase('unknown setting', 'red\nstpes: 3\n', '5:1', /unknown setting 'stpes'; did you mean 'steps'\?/),
  promptCase('setting given twice', 'red\nsteps: 3\n', '5:1', /'steps' is already set on line 2/),
  promptCase('seed list with an empty item (1,,2)', 'red\nseed: 1,,2\n', '5:9', /empty seed in the list/),
  promptCase('seed list ending in a comma (5,)', 'red\nseed: 5,\n', '5:9', /empty seed in the list/),
  promptCase('26-digit seed', 'red\nseed: 12345678901234567890123456\n', '5:7', /seed 12345678901234567890123456 is larger than 4294967295/),
  promptCase('seed range running backwards', 'red\nseed: 9..3\n', '5:7', /the range 9\.\.3 runs backwards; write 3\.\.9/),
  promptCase('more than 1000 seeds in a block', 'red\nseed: 0..1000\n', '5:7', /more than 1000 seeds in one block/),
  promptCase('negative cfg', 'red\ncfg: -3\n', '5:6', /cfg must be from 0 to 100, not -3/),
  promptCase('cfg 1e30', 'red\ncfg: 1e30\n', '5:6', /cfg 1e30 is beyond any useful guidance \(at most 100\)/),
  promptCase('size not a multiple of 8', '--- a\nred\nsize: 100x64\n', '6:7', /width 100 is not a multiple of 8 \(try 96 or 104\)/),
  promptCase('size over the largest side', '--- a\nred\nsize: 8192x64\n', '6:7', /width must be from 8 to 4096, not 8192/),
  promptCase('zero steps', '--- a\nred\nsteps: 0\n', '6:8', /steps must be from 1 to 1000, not 0/),
  promptCase('unknown sampler with a NUL byte', 'red\nsampler: eu\u0000ler\n', '5:12', /unknown sampler 'eu\\x00ler'; did you mean 'euler'\?/),
  promptCase('terminal escape sequence in a value', 'red\nrng: \u001b[31mred\n', '5:6', /unknown rng '\\x1b\[31mred'; known: /),
  promptCase('binary data (control characters) in the prompt', 'red\u0001\u0002 circle\n', '4:4', /control character '\\x01' in the text: is this a text file\?/),
  promptCase('prompt text before the first block', 'red\n--- a\nblue\n', '4:1', /prompt text before the first block/),
  promptCase('prompt over 20000 characters', () => `${'red circle '.repeat(2000)}\n`, '4:1', /the prompt is 21999 characters long; it may be at most 20000/),
  promptCase('BREAK repeated 30000 times', () => `${'a BREAK '.repeat(30_000)}\n`, '4:1', /the prompt is 239999 characters long; it may be at most 20000/),
  promptCase('BREAK repeated 40 times (more than 32 chunks)', () => `${'a BREAK '.repeat(40)}\n`, '4:1', /the prompt makes at least 40 chunks of 75 tokens \(each BREAK starts one\); it may make at most 32/),
  promptCase('negative prompt over 32 chunks', () => `red\nnegative: ${'word '.repeat(75 * 33)}\n`, '5:11', /the negative prompt makes at least 33 chunks/),
  {
    kind: 'prompt file',
    name: 'a run of more than 10000 images',
    arrange: (ws) => ws.write('case.sdprompt', Array.from({ length: 11 }, (_, i) => `--- b${i}\nred\nseed: 0..999\n`).join('')),
    args: () => ['run', 'case.sdprompt'],
    expect: { exit: 1, where: () => 'case.sdprompt', message: /the run asks for 11000 images; one run may make at most 10000/, maxSteps: 0 },
  },
  {
    kind: 'prompt file',
    name: 'a block that does not exist',
    arrange: (ws) => ws.write('case.sdprompt', '--- one\nred\n--- two\nblue\n'),
    args: () => ['run', 'case.sdprompt', '--block', 'thr\u001bee'],
    expect: { exit: 1, where: () => 'case.sdprompt', message: /no block 'thr\\x1bee' in the file; blocks: 'one', 'two'/, maxSteps: 0 },
  },
  {
    kind: 'prompt file',
    name: 'size 4096x4096: more memory than the machine has, refused with the number',
    arrange: (ws) => ws.write('case.sdprompt', `model: ${demoModelDir()}\nsteps: 1\nsize: 4096x4096\nred circle\n`),
    args: () => ['run', 'case.sdprompt'],
    expect: { exit: 1, where: (ws) => `${path.join(ws.cwd, 'case.sdprompt')}:1:1`, message: /size 4096x4096 needs at least 1\.1 TB of memory \(the UNet's first attention layer works on 512x512 latents: 262144² scores × 4 heads × 2\); this machine has [\d.]+ [GT]B/, maxSteps: 0 },
  },
  {
    kind: 'prompt file',
    name: 'generate with a prompt over the limit',
    arrange: () => undefined,
    args: () => ['generate', '--prompt', 'x '.repeat(10_001), '--model', sharedModel()],
    expect: { exit: 2, message: /--prompt: the prompt is 20002 characters long; it may be at most 20000/, maxSteps: 0 },
  },
  unreadable('a 2 MB prompt file', (ws) => ws.write('big.sdprompt', `red\n${'x'.repeat(2 * MAX_PROMPT_FILE_BYTES)}\n`), 'big.sdprompt', /cannot read the prompt file: it is 2097157 bytes long; a prompt file may be at most 1048576 bytes \(1 MiB\)/),
  unreadable('/dev/zero', () => undefined, '/dev/zero', /cannot read the prompt file: it is not a regular file/),
  unreadable('a folder named like a prompt file', (ws) => mkdirSync(path.join(ws.work, 'dir.sdprompt')), 'dir.sdprompt', /cannot read the prompt file: it is a folder/),
  unreadable('a file that does not exist', () => undefined, 'nowhere.sdprompt', /cannot read the prompt file: there is no such file/),
  unreadable('a named pipe nobody writes to', (ws) => execFileSync('mkfifo', [path.join(ws.work, 'pipe.sdprompt')]), 'pipe.sdprompt', /cannot read the prompt file: it is not a regular file/),
];
