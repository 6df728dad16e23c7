import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { crashReport, defaultLogFile, LogFile, runWithRuntimeLog } from '../../../src/cli/runtime-log';

const ROOT = path.resolve(__dirname, '../../../..');
const CHILD = path.join(ROOT, 'test/fixtures/cli/runtime-log-child.js');
const dir = mkdtempSync(path.join(tmpdir(), 'sdprompt-runtime-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(name: string, args: string[]): Promise<{ code: number; signal: NodeJS.Signals | null; user: string; log: string; file: LogFile }> {
  const file = new LogFile(path.join(dir, name, 'sdprompt.log'));
  const userFile = path.join(dir, `${name}-user.txt`);
  const fd = openSync(userFile, 'w');
  const r = await runWithRuntimeLog(CHILD, args, file, fd);
  closeSync(fd);
  return { ...r, user: readFileSync(userFile, 'utf8'), log: readFileSync(file.file, 'utf8'), file };
}

describe('runWithRuntimeLog', () => {
  it("puts the runtime's stderr in the log, without colours, and the user's lines on their descriptor", async () => {
    const r = await run('plain', ['webgpu', '4']);
    assert.equal(r.code, 4);
    assert.equal(r.user, 'sdprompt: loaded on webgpu\n');
    const lines = r.log.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT[\d:.]+Z Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced$/);
    assert.match(lines[1]!, /Z \[W:onnxruntime:, session_state\.cc:1397\] Some nodes were not assigned$/);
  });

  it('reports a child that a signal ended, with the last lines of the log', async () => {
    const r = await run('crash', ['cuda', 'crash']);
    assert.equal(r.signal, 'SIGSEGV');
    assert.equal(r.code, 70);
    const report = crashReport('SIGSEGV', r.file);
    assert.match(report, /^sdprompt: the model runtime stopped with SIGSEGV; its last messages \(in .*sdprompt\.log\):\n {2}\S+ Warning: maxDynamic/);
  });
});

describe('defaultLogFile', () => {
  it("is in each platform's place for an application's logs", () => {
    assert.equal(defaultLogFile({}, 'linux', '/home/u'), '/home/u/.local/state/sdprompt/sdprompt.log');
    assert.equal(defaultLogFile({ XDG_STATE_HOME: '/s' }, 'linux', '/home/u'), '/s/sdprompt/sdprompt.log');
    assert.equal(defaultLogFile({}, 'darwin', '/Users/u'), '/Users/u/Library/Logs/sdprompt/sdprompt.log');
    assert.equal(defaultLogFile({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u'), path.join('C:\\Users\\u\\AppData\\Local', 'sdprompt', 'sdprompt.log'));
  });
});
