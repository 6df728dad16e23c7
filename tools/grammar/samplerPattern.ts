// Keeps the grammar's sampler names in step with the registry (src/core/schedulers/registry.ts):
// `node out/tools/grammar/samplerPattern.js` rewrites the pattern in the committed grammar, and the
// grammar tests check that the committed one equals what this would write.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { samplerNames } from '../../src/core/schedulers/registry';

export const GRAMMAR_PATH = join(__dirname, '..', '..', '..', 'syntaxes', 'sdprompt.tmLanguage.json');

/** The repository entry (in the grammar) whose `match` is the sampler alternation. */
export const SAMPLER_RULE = 'sampler-name';

/**
 * An Oniguruma pattern matching exactly one of the given names as a whole value (from where the
 * `sampler:` key's match ends to the end of the line, spaces aside), ignoring case: longest first so that
 * `euler_a_karras` is not cut short at `euler`, metacharacters (`DPM++`) escaped.
 */
export function samplerGrammarPattern(names: readonly string[]): string {
  const escaped = [...names]
    .sort((a, b) => b.length - a.length || a.localeCompare(b))
    .map((name) => name.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&'));
  return `\\G(?i:${escaped.join('|')})(?=[ \\t]*$)`;
}

/** The grammar text with its sampler pattern set from the registry. */
export function grammarWithSamplers(grammarText: string): string {
  const grammar = JSON.parse(grammarText) as { repository: Record<string, { match?: string }> };
  const rule = grammar.repository[SAMPLER_RULE];
  if (!rule) throw new Error(`the grammar has no repository entry '${SAMPLER_RULE}'`);
  rule.match = samplerGrammarPattern(samplerNames());
  return JSON.stringify(grammar, null, 2) + '\n';
}

if (require.main === module) {
  writeFileSync(GRAMMAR_PATH, grammarWithSamplers(readFileSync(GRAMMAR_PATH, 'utf8')));
}
