// Where recipes say files are: relative inside the prompt file's tree, by name outside it.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { portableLocation, treeRoot } from '../../../src/core/outputs/portable';

describe('portable locations', () => {
  test('the tree is the repository above the folder (the nearest .git), else the folder itself', () => {
    const top = mkdtempSync(path.join(tmpdir(), 'sdprompt-tree-'));
    mkdirSync(path.join(top, 'repo', '.git'), { recursive: true });
    mkdirSync(path.join(top, 'repo', 'prompts', 'deep'), { recursive: true });
    mkdirSync(path.join(top, 'loose'), { recursive: true });
    assert.equal(treeRoot(path.join(top, 'repo', 'prompts', 'deep')), path.join(top, 'repo'));
    assert.equal(treeRoot(path.join(top, 'repo')), path.join(top, 'repo'));
    const loose = treeRoot(path.join(top, 'loose'));
    assert.ok(loose === path.join(top, 'loose') || !loose.startsWith(top), 'outside a repository: the folder itself (or a repository above the temp folder)');
  });

  test('inside the tree: relative to the base with /; outside: the name alone', () => {
    const root = path.resolve('/r/repo');
    const base = path.join(root, 'prompts');
    assert.deepEqual(portableLocation(path.join(root, 'models', 'sd15'), base, root), { path: '../models/sd15', name: 'sd15' });
    assert.deepEqual(portableLocation(path.join(base, 'pics', 'a.png'), base, root), { path: 'pics/a.png', name: 'a.png' });
    assert.deepEqual(portableLocation(path.resolve('/home/alice/models/sd15'), base, root), { name: 'sd15' });
    assert.deepEqual(portableLocation(path.resolve('/r/repo-other/x.png'), base, root), { name: 'x.png' }, 'a sibling whose name starts like the root is outside');
  });
});
