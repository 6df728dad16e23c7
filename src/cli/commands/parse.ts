import { hasErrors } from '../../core/diagnostics';
import { MAX_PROMPT_CHARS } from '../../core/format/limits';
import type { Settings } from '../../core/format/parse';
import { parseEmphasis, type PromptRun } from '../../core/prompt/emphasis';
import { EXIT, readPromptFile, UsageError, type CommandContext } from '../context';

/** Weights as A1111 shows them, without float noise: 1.1 · 1.1 · 1.3 is 1.573. */
function roundWeight(weight: number): number {
  return Math.round(weight * 1e6) / 1e6;
}

/** The weighted runs of a prompt; null for one over the length limit (an error in the file), which is not parsed. */
export function weightedRuns(text: string): object[] | null {
  if (text.length > MAX_PROMPT_CHARS) return null;
  return parseEmphasis(text).map((run: PromptRun) => ('break' in run ? { break: true } : { text: run.text, weight: roundWeight(run.weight) }));
}

function settingsJson(settings: Settings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(settings)) {
    if (!entry || key === 'negative') continue;
    out[key] = key === 'sampler' ? (entry.value as { name: string }).name : entry.value;
  }
  return out;
}

/** `sdprompt parse FILE`: blocks, weighted prompts and diagnostics as JSON. */
export async function parseCommand(ctx: CommandContext, _values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('parse takes one prompt file');
  const read = await readPromptFile(ctx, positionals[0]!, false);
  if (!read) return EXIT.invalidInput;
  const { parsed } = read;
  const result = {
    file: positionals[0],
    header: { ...settingsJson(parsed.header), ...(parsed.header.negative ? { negative: weightedRuns(parsed.header.negative.value) } : {}) },
    blocks: parsed.blocks.map((block) => ({
      index: block.index,
      ...(block.name !== undefined ? { name: block.name } : {}),
      line: block.startLine,
      prompt: weightedRuns(block.prompt.text),
      ...(block.settings.negative ? { negative: weightedRuns(block.settings.negative.value) } : {}),
      settings: settingsJson(block.settings),
    })),
    diagnostics: parsed.diagnostics.map((d) => ({
      severity: d.severity,
      message: d.message,
      line: d.range.start.line,
      column: d.range.start.column,
      endLine: d.range.end.line,
      endColumn: d.range.end.column,
      code: d.code,
    })),
  };
  ctx.stdout(JSON.stringify(result, null, 2));
  return hasErrors(parsed.diagnostics) ? EXIT.invalidInput : EXIT.ok;
}
