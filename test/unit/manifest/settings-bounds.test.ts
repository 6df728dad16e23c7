// The numeric settings' bounds: package.json declares those readConfig holds values to, and a
// value settings.json should not hold (text, NaN, 1e9) becomes one the engine takes.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { boundedSetting, idleMs, NUMBER_SETTINGS, type NumberSetting } from '../../../src/extension/config-limits';
import { MAX_IDLE_MS, parseEngineRequest } from '../../../src/protocol/engine';

const MANIFEST = path.resolve(__dirname, '../../../../package.json');

describe('numeric settings', () => {
  const properties = (JSON.parse(readFileSync(MANIFEST, 'utf8')) as { contributes: { configuration: { properties: Record<string, Record<string, unknown>> } } }).contributes.configuration.properties;

  test('package.json declares the bounds and defaults readConfig uses', () => {
    for (const [key, bounds] of Object.entries(NUMBER_SETTINGS)) {
      const declared = properties[`sdprompt.${key}`]!;
      assert.deepEqual([declared['minimum'], declared['maximum'], declared['default'], declared['type']], [bounds.minimum, bounds.maximum, bounds.default, bounds.integer ? 'integer' : 'number'], key);
    }
  });

  test('any value read is one the engine accepts', () => {
    const hostile: unknown[] = [1e9, -5, 2.7, Number.NaN, Number.POSITIVE_INFINITY, '8', null, undefined, {}, 1e12];
    for (const key of Object.keys(NUMBER_SETTINGS) as NumberSetting[]) {
      for (const value of hostile) {
        const bounded = boundedSetting(key, value);
        const options = { executionProvider: 'auto', threads: key === 'threads' ? bounded : 0, idleMs: key === 'idleMinutes' ? idleMs(bounded) : 0 };
        assert.ok(parseEngineRequest({ type: 'configure', options }).ok, `${key} = ${String(value)} → ${bounded}`);
      }
    }
    assert.equal(boundedSetting('threads', 1e9), 256);
    assert.equal(boundedSetting('threads', 2.7), 2);
    assert.equal(boundedSetting('idleMinutes', 'ten'), 5);
    assert.ok(NUMBER_SETTINGS.idleMinutes.maximum * 60_000 <= MAX_IDLE_MS);
  });
});
