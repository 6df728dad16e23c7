// How sdprompt's settings are named and spelled in A1111's parameters text: the one table the
// writer (outputs/metadata.ts) and the importer both read.

import type { RngName } from '../noise';

/** A1111's "RNG" values: its option `randn_source` (GPU, CPU, NV); no RNG key means GPU. */
export const A1111_RNG: Readonly<Record<RngName, string>> = { numpy: 'numpy', torch: 'CPU', nv: 'NV' };

/**
 * The noise source an A1111 "RNG" value means. "GPU" (and a text without RNG) is what A1111 did
 * on the GPU: on NVIDIA cards, the noise `nv` reproduces.
 */
export function rngFromA1111(value: string | undefined): RngName | undefined {
  if (value === undefined || value === 'GPU') return 'nv';
  const found = (Object.entries(A1111_RNG) as [RngName, string][]).find(([, text]) => text.toLowerCase() === value.toLowerCase());
  return found?.[0];
}
