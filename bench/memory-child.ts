// One measurement for bench/memory.ts, in a process of its own so that its peak is its own:
// `image MODEL SIZE BATCH [low-memory]` makes BATCH images (seeds in one UNet call) of SIZE x SIZE
// (with `low-memory`, the text encoder closed after encoding, as on a GPU provider), `decode
// MODEL SIZE whole|tiled` decodes SIZE x SIZE latents through the VAE alone. Prints the resident
// memory before loading, the peak after loading, and the peak after the work, in bytes.

import { DEFAULTS, modelContext, resolveImageSettings, type ImageSettings } from '../src/core/jobs/image-settings';
import { decodeLatents } from '../src/core/pipelines/decode';
import { generateImages } from '../src/core/pipelines/generate';
import { loadStableDiffusion } from '../src/core/pipelines/stable-diffusion';

const peak = () => process.resourceUsage().maxRSS * 1024;

async function main(): Promise<void> {
  const [mode, dir, sizeText, how, lowMemory] = process.argv.slice(2) as [string, string, string, string, string?];
  const size = Number(sizeText);
  const baseline = process.memoryUsage().rss;
  const sd = await loadStableDiffusion(dir, { threads: 1, lowMemory: lowMemory === 'low-memory' });
  if (!sd.ok) throw new Error(sd.error.message);
  const loaded = peak();
  if (mode === 'image') {
    const batch = Number(how);
    const request = { prompt: 'a red circle on a blue background', seed: 1, steps: 2, size: { width: size, height: size } };
    const resolved = resolveImageSettings(request, modelContext(sd.value.model));
    if (!resolved.ok) throw new Error(resolved.error.message);
    const settings: ImageSettings[] = Array.from({ length: batch }, (_, k) => ({ ...resolved.value, seed: k + 1 }));
    const result = await generateImages(sd.value, settings);
    if (!result.ok) throw new Error(result.error.message);
  } else {
    const side = size / 8;
    const latents = { data: new Float32Array(4 * side * side).map((_, i) => Math.sin(i)), shape: [1, 4, side, side] };
    const tileSize = sd.value.model.info.vaeSampleSize ?? DEFAULTS.size.width;
    await decodeLatents(sd.value.model.vaeDecoder, latents, { tileSize, beyond: how === 'tiled' ? 0 : Infinity });
  }
  process.stdout.write(`${JSON.stringify({ baseline, loaded, peak: peak() })}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
