// Components released between uses. On a memory-tight provider (a GPU's own memory: CUDA,
// DirectML, WebGPU, Core ML) or when the user asks (`lowMemory`), a component the run needs no
// more for now (the text encoders once the prompts are encoded, the VAE encoder once the init is)
// has its session closed; its next call opens the same file again on the provider it ran on.
// The same weights run the same way, so the pixels do not change.

import type { ComponentSession } from './io';

/** The providers whose memory is the device's own, scarcer than the machine's. */
const MEMORY_TIGHT: ReadonlySet<string> = new Set(['cuda', 'dml', 'webgpu', 'coreml']);

/** Whether `c` is closed between uses: on a memory-tight provider, or everywhere with lowMemory. */
export function releasedBetweenUses(c: ComponentSession, lowMemory: boolean): boolean {
  return lowMemory || MEMORY_TIGHT.has(c.provider);
}

/** Closes `c`'s session until its next call; a component that cannot be opened again stays open. */
export async function releaseUntilNextUse(c: ComponentSession): Promise<void> {
  if (c.released || !c.reopen) return;
  c.released = true;
  await c.session.release();
}

const reopening = new WeakMap<ComponentSession, Promise<void>>();

/** Opens `c`'s session again if it was released between uses (once, however many calls wait). */
export function ensureOpen(c: ComponentSession): Promise<void> | undefined {
  if (!c.released) return undefined;
  const reopen = c.reopen;
  if (!reopen) throw new Error(`${c.relative}: used after its model was released`);
  let pending = reopening.get(c);
  if (!pending) {
    pending = reopen()
      .then((session) => {
        Object.assign(c, { session, released: false, opens: (c.opens ?? 1) + 1 });
      })
      .finally(() => reopening.delete(c));
    reopening.set(c, pending);
  }
  return pending;
}
