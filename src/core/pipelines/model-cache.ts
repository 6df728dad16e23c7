// Models are slow to load and large: keep the last one loaded across runs, load another when a
// run asks for it, and let it go after an idle time (the engine sets one; the CLI releases at exit).
// A kept model whose files changed or vanished on disk is loaded again, so that the change is
// seen (a deleted folder is a 'model-missing' error, not a crash on the next image).

import { fail, ok, type Result, type UserError } from '../errors';
import type { ModelLoadOptions } from '../models';
import { checkedContentHashes, modelFilesKey, type ModelHashes } from '../models/hash';
import { loadStableDiffusion, type StableDiffusion } from './stable-diffusion';

export interface CachedModel {
  sd: StableDiffusion;
  /** Milliseconds spent loading for this request: 0 when it was already loaded. */
  loadMs: number;
  /** The components' content hashes, computed at load: the model's files may go away while it runs. */
  sha256: ModelHashes;
}

async function discard(sd: StableDiffusion, error: UserError): Promise<Result<CachedModel>> {
  await sd.model.release();
  return fail(error);
}

export class ModelCache {
  private current: { key: string; sd: StableDiffusion; filesKey: string; sha256: ModelHashes } | undefined;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: ModelLoadOptions = {},
    /** Release the model after `ms` without a run; `onReleaseError` hears of a release that fails then (nobody awaits it). */
    private readonly idle?: { ms: number; onReleaseError: (e: unknown) => void },
  ) {}

  /** The loaded model of `dir` (with `vae`'s VAE in place of its own), loading it (and releasing any other) if needed. */
  async get(dir: string, vae?: string): Promise<Result<CachedModel>> {
    this.clearIdleTimer();
    const key = JSON.stringify([dir, vae ?? null, this.options]);
    const current = this.current;
    if (current?.key === key) {
      const files = modelFilesKey(current.sd.model.info);
      if (files.ok && files.value === current.filesKey) return ok({ sd: current.sd, loadMs: 0, sha256: current.sha256 });
    }
    await this.release();
    const started = performance.now();
    const loaded = await loadStableDiffusion(dir, this.options, vae);
    if (!loaded.ok) return loaded;
    const loadMs = performance.now() - started;
    const info = loaded.value.model.info;
    // Either fails only when the files went away while the model loaded.
    const files = modelFilesKey(info);
    if (!files.ok) return discard(loaded.value, files.error);
    const sha256 = await checkedContentHashes(info);
    if (!sha256.ok) return discard(loaded.value, sha256.error);
    this.current = { key, sd: loaded.value, filesKey: files.value, sha256: sha256.value };
    return ok({ sd: loaded.value, loadMs, sha256: sha256.value });
  }

  /** Starts the idle countdown; call when a run ends. */
  startIdleCountdown(): void {
    this.clearIdleTimer();
    const idle = this.idle;
    if (idle && idle.ms > 0 && this.current) {
      this.idleTimer = setTimeout(() => this.release().catch(idle.onReleaseError), idle.ms);
      this.idleTimer.unref();
    }
  }

  async release(): Promise<void> {
    this.clearIdleTimer();
    const current = this.current;
    this.current = undefined;
    if (current) await current.sd.model.release();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
