// Proves the harness with no extension of ours: code-server opens a folder, Quick Open opens a
// text file, and its text shows in the editor.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSession, type CodeServerSession } from './harness';

describe('code-server workbench (e2e)', { timeout: 240_000 }, () => {
  let folder: string;
  let session: CodeServerSession | undefined;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'sdprompt-e2e-folder-'));
    writeFileSync(join(folder, 'notes.txt'), 'a red circle on a blue background\nsecond line 12345\n');
    session = await startSession({ folder });
  });

  after(async () => {
    await session?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('opens a text file from the folder and shows its text in the editor', async () => {
    const s = session!;
    const started = Date.now();
    await s.waitForWorkbench();
    const loaded = Date.now();
    await s.openFile('notes.txt');
    const text = await s.editorText();
    assert.match(text, /a red circle on a blue background/);
    assert.match(text, /second line 12345/);
    const shot = await s.screenshot('workbench-notes-txt');
    assert.ok(statSync(shot).size > 10_000, `screenshot ${shot} has content`);
    console.log(`workbench loaded in ${loaded - started} ms, file opened in ${Date.now() - loaded} ms; screenshot ${shot}`);
  });
});
