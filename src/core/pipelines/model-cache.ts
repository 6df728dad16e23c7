// Models are slow to load and large: keep the last one loaded across runs, load another when a
// run asks for it, and let it go after an idle time (the engine sets one; the CLI releases at exit).

import { ok, type Result } from '../errors';
import type { ModelLoadOptions } from '../models';
import { loadStableDiffusion, type StableDiffusion } from './stable-diffusion';

export interface CachedModel {
  sd: StableDiffusion;
  /** Milliseconds spent loading for this request: 0 when it was already loaded. */
  loadMs: number;
}

export class ModelCache {
  private current: { key: string; sd: StableDiffusion } | undefined;
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
    if (this.current?.key === key) return ok({ sd: this.current.sd, loadMs: 0 });
    await this.release();
    const started = performance.now();
    const loaded = await loadStableDiffusion(dir, this.options, vae);
    if (!loaded.ok) return loaded;
    this.current = { key, sd: loaded.value };
    return ok({ sd: loaded.value, loadMs: performance.now() - started });
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
