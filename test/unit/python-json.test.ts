import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePythonJson } from '../../src/core/python-json';

test('long integers can come back exact, as text; everything else parses as JSON.parse does', () => {
  const text = '{"seed": 876543210987654321, "neg": -18446744073709551615, "small": 123, "f": 1.2345678901234567890, "e": 1e12345678901234567, "s": "id 12345678901234567890", "list": [9007199254740993]}';
  const value = parsePythonJson(text, { longIntegersAsText: true }) as Record<string, unknown>;
  assert.deepEqual(value, {
    seed: '876543210987654321',
    neg: '-18446744073709551615',
    small: 123,
    f: 1.2345678901234567,
    e: Infinity,
    s: 'id 12345678901234567890',
    list: ['9007199254740993'],
  });
  assert.equal((parsePythonJson(text) as Record<string, unknown>)['seed'], 876543210987654300, 'without the option, a double as JSON.parse gives');
});
