// Keeps the grammar's sampler and schedule names in step with the registry
// (src/core/schedulers/registry.ts, scheduleTypes.ts): `node out/tools/grammar/samplerPattern.js`
// rewrites their patterns in the committed grammar, and the grammar tests check that the
// committed one equals what this would write.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { samplerNames } from '../../src/core/schedulers/registry';
import { SCHEDULE_TYPES } from '../../src/core/schedulers/scheduleTypes';

export const GRAMMAR_PATH = join(__dirname, '..', '..', '..', 'syntaxes', 'sdprompt.tmLanguage.json');

/** The repository entry (in the grammar) whose `match` is the sampler alternation. */
export const SAMPLER_RULE = 'sampler-name';
/** And the one whose `match` is the schedule types'. */
export const SCHEDULE_RULE = 'schedule-name';

/**
 * An Oniguruma pattern matching exactly one of the given names as a whole value (from where the
 * key's match ends to the end of the line, spaces aside), ignoring case: longest first so that
 * `euler_a_karras` is not cut short at `euler`, metacharacters (`DPM++`) escaped.
 */
export function samplerGrammarPattern(names: readonly string[]): string {
  const escaped = [...names]
    .sort((a, b) => b.length - a.length || a.localeCompare(b))
    .map((name) => name.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&'));
  return `\\G(?i:${escaped.join('|')})(?=[ \\t]*$)`;
}

/** The grammar text with its sampler and schedule patterns set from the registry. */
export function grammarWithSamplers(grammarText: string): string {
  const grammar = JSON.parse(grammarText) as { repository: Record<string, { match?: string }> };
  for (const [rule, names] of [
    [SAMPLER_RULE, samplerNames()],
    [SCHEDULE_RULE, SCHEDULE_TYPES],
  ] as const) {
    const entry = grammar.repository[rule];
    if (!entry) throw new Error(`the grammar has no repository entry '${rule}'`);
    entry.match = samplerGrammarPattern(names);
  }
  return JSON.stringify(grammar, null, 2) + '\n';
}

if (require.main === module) {
  writeFileSync(GRAMMAR_PATH, grammarWithSamplers(readFileSync(GRAMMAR_PATH, 'utf8')));
}
