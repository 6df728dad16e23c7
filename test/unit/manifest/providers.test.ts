// The extension's provider setting against the one provider list: the committed package.json
// says what tools/manifest/providers.ts would write (run `npm run build:manifest` after a change).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { EXECUTION_PROVIDERS, isExecutionProviderName } from '../../../src/core/models/providers';
import { MANIFEST_PATH, manifestWithProviders, providerSetting } from '../../../tools/manifest/providers';

describe('execution providers in package.json', () => {
  const text = readFileSync(MANIFEST_PATH, 'utf8');

  test('the setting offers exactly the provider list, each with its description', () => {
    const setting = providerSetting(JSON.parse(text));
    assert.deepEqual(setting.enum, EXECUTION_PROVIDERS.map((p) => p.name));
    assert.deepEqual(setting.enumDescriptions, EXECUTION_PROVIDERS.map((p) => p.description));
  });

  test('the committed manifest is what the tool writes, apart from JSON escapes', () => {
    assert.deepEqual(JSON.parse(manifestWithProviders(text)), JSON.parse(text));
  });

  test('a stale manifest is caught: the tool changes one that lacks a provider', () => {
    const stale = JSON.parse(text) as unknown;
    providerSetting(stale).enum!.pop();
    const staleText = JSON.stringify(stale);
    assert.notDeepEqual(JSON.parse(staleText), JSON.parse(manifestWithProviders(staleText)));
  });

  test('isExecutionProviderName takes the listed names only', () => {
    assert.ok(EXECUTION_PROVIDERS.every((p) => isExecutionProviderName(p.name)));
    assert.ok(!isExecutionProviderName('CUDA') && !isExecutionProviderName('tensorrt'));
  });
});
