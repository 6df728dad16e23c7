// Running jobs from the command line: the model notice, a progress bar on a terminal, and with
// --json one event object a line on stdout.

import * as path from 'node:path';
import { isModelError } from '../../core/errors';
import { originPrefix } from '../../core/image/check';
import type { Job } from '../../core/jobs/plan';
import { runJobs, type RunEvent } from '../../core/jobs/run';
import { resolveModelFolder } from '../../core/format/resolve';
import { isDemoModel } from '../../core/models/demo';
import { EXECUTION_PROVIDER_NAMES, isExecutionProviderName, MAX_DEVICE_ID, MAX_THREADS, type ModelLoadOptions } from '../../core/models';
import { ModelCache } from '../../core/pipelines/model-cache';
import { EXIT, exitCodeFor, integerOption, reportError, stringOption, UsageError, type CommandContext } from '../context';

export function loadOptionsFrom(values: Record<string, string | boolean | undefined>): ModelLoadOptions {
  const provider = stringOption(values['provider']) ?? 'auto';
  if (!isExecutionProviderName(provider)) {
    throw new UsageError(`--provider must be one of ${EXECUTION_PROVIDER_NAMES.join(', ')}`);
  }
  const threads = integerOption('threads', values['threads'], 0, MAX_THREADS);
  const deviceId = integerOption('device', values['device'], 0, MAX_DEVICE_ID);
  return {
    executionProvider: provider,
    ...(threads !== undefined ? { threads } : {}),
    ...(deviceId !== undefined ? { deviceId } : {}),
    ...(values['low-memory'] === true ? { lowMemory: true } : {}),
  };
}

/** The folder a --model option names, resolved against the working directory (or a shipped demo model's name). */
export function modelOption(ctx: CommandContext, values: Record<string, string | boolean | undefined>): string | undefined {
  const model = stringOption(values['model']);
  return model === undefined ? undefined : resolveModelFolder(model, ctx.cwd);
}

function bar(step: number, total: number, width = 24): string {
  const filled = Math.round((step / total) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

function label(job: Job): string {
  const block = job.source ? (job.source.block.name ?? `block ${job.source.block.index}`) : 'prompt';
  return `${block}, seed ${job.request.seed}`;
}

export async function executeJobs(ctx: CommandContext, jobs: Job[], loadOptions: ModelLoadOptions, asJson: boolean): Promise<number> {
  const models = new ModelCache(loadOptions);
  const out = (event: object) => asJson && ctx.stdout(JSON.stringify(event));
  const demoUsers = new Set(jobs.filter((j) => isDemoModel(j.model.dir)).map((j) => j.model.dir));
  if (demoUsers.size > 0) {
    ctx.stderr(
      `sdprompt: using the shipped demo model${demoUsers.size > 1 ? 's' : ''} (${[...demoUsers].join(', ')}): a tiny model of coloured shapes on plain backgrounds.\n` +
        `  For real images, point --model or 'model:' at a Stable Diffusion ONNX folder (see README, "Using a real model").`,
    );
  }
  out({ event: 'start', jobs: jobs.length });
  // Ctrl+C or SIGTERM: in the stream, so a script knows that what follows is the run winding down
  // (the step in progress finishes; no other starts).
  ctx.signal?.addEventListener('abort', () => out({ event: 'stopping' }), { once: true });
  let lastProgress = '';
  const clearProgress = () => {
    if (lastProgress && ctx.progress) ctx.progress(`\r${' '.repeat(lastProgress.length)}\r`);
    lastProgress = '';
  };
  const onEvent = (event: RunEvent) => {
    switch (event.type) {
      case 'model-loaded':
        clearProgress();
        out({ event: 'model', dir: event.dir, demo: isDemoModel(event.dir), family: event.family, executionProvider: event.executionProvider, loadMs: Math.round(event.ms) });
        for (const line of event.log) ctx.log?.(line);
        for (const note of event.notes) ctx.stderr(`sdprompt: ${note}`);
        if (!asJson) ctx.stderr(`sdprompt: loaded ${path.basename(event.dir)} (${event.family}) on ${event.executionProvider} in ${(event.ms / 1000).toFixed(1)} s`);
        return;
      case 'step':
        out({ event: 'progress', block: event.job.source?.block.name ?? event.job.source?.block.index ?? null, seed: event.job.request.seed, step: event.step, total: event.total, call: event.call, calls: event.calls });
        if (ctx.progress) {
          const calls = event.calls === event.total ? '' : ` (UNet call ${event.call}/${event.calls})`;
          lastProgress = `${bar(event.call, event.calls)} ${event.step}/${event.total}${calls}  ${label(event.job)}  (image ${event.index + 1} of ${jobs.length})`;
          ctx.progress(`\r${lastProgress}`);
        }
        return;
      case 'image':
        clearProgress();
        out({ event: 'image', path: event.path, recipe: event.recipePath, seed: event.seed, block: event.job.source?.block.name ?? event.job.source?.block.index ?? null, ms: Math.round(event.ms) });
        if (!asJson) ctx.stdout(event.path);
        return;
      case 'grid':
        clearProgress();
        out({ event: 'grid', path: event.path, record: event.recordPath, block: event.job.source?.block.name ?? event.job.source?.block.index ?? null });
        if (!asJson) ctx.stdout(event.path);
        return;
      case 'job-error':
        clearProgress();
        reportError(ctx, event.error, asJson);
        return;
      case 'warning':
        clearProgress();
        out({ event: 'warning', block: event.job.source?.block.name ?? event.job.source?.block.index ?? null, seed: event.job.request.seed, message: event.message, ...event.origin });
        // Located at the setting that names the picture, as an error would be.
        ctx.stderr(`sdprompt: ${originPrefix(event.origin)}warning: ${label(event.job)}: ${event.message}`);
        return;
      case 'job-start':
        return;
    }
  };
  const summary = await runJobs(jobs, { models, onEvent, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  await models.release();
  clearProgress();
  out({ event: 'done', images: summary.images.length, errors: summary.errors.length, cancelled: summary.cancelled });
  if (summary.cancelled) return EXIT.interrupted;
  if (summary.errors.length === 0) return EXIT.ok;
  // The most telling error decides: a model folder's first, then the first one's own.
  return exitCodeFor(summary.errors.find(isModelError) ?? summary.errors[0]!);
}
