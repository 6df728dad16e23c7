// Does image to image do what it says? The shipped demo model (4 UNet channels), through the real
// pipeline, judged by pixels (./judge.ts): img2img stays near the init at low strength and
// follows the prompt at high strength; inpainting keeps every pixel outside the mask and paints
// the prompt's colours inside it; outpainting keeps the picture and continues its background.
// The measured rates are printed.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { blurMaskA1111 } from '../../../src/core/image/gaussian';
import { createRaster, type Raster } from '../../../src/core/image/raster';
import { modelContext, resolveImageSettings, type ImageRequest } from '../../../src/core/jobs/image-settings';
import { demoModelDir } from '../../../src/core/models/demo';
import { generateImage, type Pictures } from '../../../src/core/pipelines/generate';
import { loadStableDiffusion, type StableDiffusion } from '../../../src/core/pipelines/stable-diffusion';
import { judge, loadWorld, type World } from './judge';

let sd: StableDiffusion;
let world: World;
const FILE = { path: '/demo/picture.png', spec: 'picture.png' };

before(async () => {
  const loaded = await loadStableDiffusion(demoModelDir());
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
  sd = loaded.value;
  world = loadWorld(demoModelDir());
});
after(() => sd?.model.release());

const colour = (name: string) => world.palette.findIndex((c) => c.name === name);

/** A shape of the world drawn by hand: a disc of `shape` colour, radius 16, on `background`. */
function disc(shape: string, background: string, width = 64, height = 64): Raster {
  const image = createRaster(width, height, 3);
  const [fg, bg] = [world.palette[colour(shape)]!.rgb, world.palette[colour(background)]!.rgb];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) image.data.set((x - 32) ** 2 + (y - 32) ** 2 < 256 ? fg : bg, (y * width + x) * 3);
  }
  return image;
}

async function generate(request: Omit<ImageRequest, 'seed'> & { seed: number }, pictures: Pictures): Promise<Raster> {
  const initSize = pictures.init && { width: pictures.init.width, height: pictures.init.height };
  const settings = resolveImageSettings({ steps: 20, ...request }, modelContext(sd.model, initSize));
  assert.ok(settings.ok, settings.ok ? '' : settings.error.message);
  const result = await generateImage(sd, settings.value, pictures);
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  return result.value.image;
}

/** Mean absolute difference per sample, 0..255. */
function distance(a: Raster, b: Raster): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

/** The share of the pixels in `where` whose nearest palette colour is `name`. */
function share(image: Raster, name: string, where: (x: number, y: number) => boolean): number {
  const target = colour(name);
  let hits = 0;
  let count = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (!where(x, y)) continue;
      const p = (y * image.width + x) * 3;
      const nearest = world.palette
        .map((c, k) => [k, (image.data[p]! - c.rgb[0]) ** 2 + (image.data[p + 1]! - c.rgb[1]) ** 2 + (image.data[p + 2]! - c.rgb[2]) ** 2] as const)
        .reduce((best, next) => (next[1] < best[1] ? next : best))[0];
      if (nearest === target) hits++;
      count++;
    }
  }
  return hits / count;
}

function report(label: string, value: string): void {
  console.log(`# demo model, image to image: ${label}: ${value}`);
}

const SEEDS = 16;
const percent = (v: number) => `${(v * 100).toFixed(1)}%`;

describe('demo model: image to image', () => {
  test('img2img: the distance to the init grows with strength, small at 0.2; at 0.9 the prompt wins', async () => {
    const init = disc('red', 'blue');
    const prompt = 'a yellow square on a green background';
    const strengths = [0.2, 0.4, 0.6, 0.9];
    const distances: number[] = [];
    let promptWins = 0;
    for (const strength of strengths) {
      let sum = 0;
      for (let seed = 0; seed < SEEDS; seed++) {
        const image = await generate({ prompt, seed, init: FILE, strength }, { init });
        sum += distance(image, init);
        if (strength === 0.9) {
          const verdict = judge(image, world);
          if (verdict.background === colour('green') && verdict.shapeColor === colour('yellow')) promptWins++;
        }
      }
      distances.push(sum / SEEDS);
    }
    report(`mean distance to the init (0..255) at strength ${strengths.join(', ')}`, distances.map((d) => d.toFixed(1)).join(', '));
    report(`the prompt's colours at strength 0.9, ${SEEDS} seeds`, percent(promptWins / SEEDS));
    for (let i = 1; i < distances.length; i++) assert.ok(distances[i]! > distances[i - 1]!, `distance falls from strength ${strengths[i - 1]} to ${strengths[i]}: ${distances}`);
    assert.ok(distances[0]! < 20, `at strength 0.2 the image should stay near the init: ${distances[0]}`);
    assert.ok(promptWins / SEEDS >= 0.8, `the prompt wins ${promptWins}/${SEEDS} at strength 0.9`);
  });

  test('4-channel inpainting: every pixel outside the mask is the original; the masked shape takes the prompt’s colour', async () => {
    const init = disc('red', 'blue');
    // Repaint a square around the disc; the blur (4) reaches about 10 pixels beyond it.
    const mask = createRaster(64, 64, 1);
    for (let y = 12; y < 52; y++) mask.data.fill(255, y * 64 + 12, y * 64 + 52);
    // Beyond the feather: where the mask, blurred as the pipeline blurs it (mask_blur 4), is still 0.
    const blurred = blurMaskA1111(mask, 4);
    const far = (x: number, y: number) => blurred.data[y * 64 + x] === 0;
    const core = (x: number, y: number) => (x - 32) ** 2 + (y - 32) ** 2 < 100;
    let kept = 0;
    let yellow = 0;
    let red = 0;
    for (let seed = 0; seed < SEEDS; seed++) {
      const image = await generate({ prompt: 'a yellow circle on a blue background', seed, init: FILE, mask: FILE }, { init, mask });
      let same = true;
      for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) for (let c = 0; c < 3 && far(x, y); c++) same &&= image.data[(y * 64 + x) * 3 + c] === init.data[(y * 64 + x) * 3 + c];
      if (same) kept++;
      assert.ok(blurred.data.filter((v) => v === 0).length > 400, 'a border beyond the feather');
      yellow += share(image, 'yellow', core);
      red += share(image, 'red', core);
    }
    report(`images whose pixels outside the mask (beyond the feather) are the original's, ${SEEDS} seeds`, percent(kept / SEEDS));
    report('the repainted shape’s centre: yellow (the prompt) / red (the init)', `${percent(yellow / SEEDS)} / ${percent(red / SEEDS)}`);
    assert.equal(kept, SEEDS);
    assert.ok(yellow / SEEDS >= 0.7, `yellow covers ${percent(yellow / SEEDS)} of the shape's centre`);
  });

  test('outpainting: a bigger canvas, the picture kept, its background continued', async () => {
    const init = disc('green', 'white');
    let continued = 0;
    let kept = 0;
    for (let seed = 0; seed < SEEDS; seed++) {
      const image = await generate({ prompt: 'a green circle on a white background', seed, init: FILE, outpaint: { left: 0, right: 32, top: 0, bottom: 0 } }, { init });
      assert.deepEqual([image.width, image.height], [96, 64]);
      let same = true;
      for (let y = 0; y < 64; y++) for (let x = 0; x < 40; x++) for (let c = 0; c < 3; c++) same &&= image.data[(y * 96 + x) * 3 + c] === init.data[(y * 64 + x) * 3 + c];
      if (same) kept++;
      continued += share(image, 'white', (x) => x >= 72);
    }
    report(`outpainting right 32: the picture kept (x < 40), ${SEEDS} seeds`, percent(kept / SEEDS));
    report('white (the background) in the new strip beyond the seam', percent(continued / SEEDS));
    assert.equal(kept, SEEDS);
    assert.ok(continued / SEEDS >= 0.7, `the new strip is ${percent(continued / SEEDS)} white`);
  });
});
