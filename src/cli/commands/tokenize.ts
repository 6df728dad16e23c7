import * as path from 'node:path';
import { demoModelDir } from '../../core/models/demo';
import { tokenizePrompt } from '../../core/prompt/chunks';
import { ClipTokenizer } from '../../core/tokenizer/clip';
import { EXIT, reportError, UsageError, type CommandContext } from '../context';
import { modelOption } from './execute';

/** `sdprompt tokenize [--model DIR] TEXT`: the weighted, chunked token ids, reading only DIR/tokenizer/. */
export async function tokenizeCommand(ctx: CommandContext, values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('tokenize takes one text (quote it)');
  const dir = modelOption(ctx, values) ?? demoModelDir();
  const tokenizer = ClipTokenizer.fromFolder(path.join(dir, 'tokenizer'));
  if (!tokenizer.ok) {
    reportError(ctx, tokenizer.error, false);
    return EXIT.model;
  }
  const { chunks } = tokenizePrompt(positionals[0]!, tokenizer.value);
  const round = (w: number) => Math.round(w * 1e6) / 1e6;
  ctx.stdout(JSON.stringify({ chunks: chunks.map((c) => ({ ids: c.ids, weights: c.weights.map(round) })) }));
  return EXIT.ok;
}
