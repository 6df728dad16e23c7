// Does image to image do what it says? The shipped demo models through the real pipeline, judged
// by pixels (./judge.ts): img2img stays near the init at low strength and follows the prompt at
// high strength; inpainting keeps every pixel outside the mask and paints the prompt's colours
// inside it, and outpainting keeps the picture and continues its background, on both paths (the
// 4-channel demo UNet with latent blending, models/demo-inpainting's 9-channel UNet); the
// 9-channel model also makes plain images (an all-repaint mask); depth2img (models/demo-depth)
// puts the shape where the depth map is near, from a given map and from its estimator. The
// measured rates are printed.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { blurMaskA1111 } from '../../../src/core/image/gaussian';
import { createRaster, type Raster } from '../../../src/core/image/raster';
import { modelContext, resolveImageSettings, type ImageRequest } from '../../../src/core/jobs/image-settings';
import { demoModelDir } from '../../../src/core/models/demo';
import { shippedModelDir } from '../../../src/core/models/demo';
import { generateImage, type Pictures } from '../../../src/core/pipelines/generate';
import { loadStableDiffusion, type StableDiffusion } from '../../../src/core/pipelines/stable-diffusion';
import { judge, loadWorld, type World } from './judge';

/** The demo models by the UNet path they exercise. */
const MODELS = { plain: demoModelDir(), inpainting: shippedModelDir('demo-inpainting')!, depth: shippedModelDir('demo-depth')! };
type ModelName = keyof typeof MODELS;
const loaded: Partial<Record<ModelName, StableDiffusion>> = {};
let world: World;
const FILE = { path: '/demo/picture.png', spec: 'picture.png' };

before(async () => {
  for (const name of Object.keys(MODELS) as ModelName[]) {
    const result = await loadStableDiffusion(MODELS[name]);
    assert.ok(result.ok, result.ok ? '' : result.error.message);
    loaded[name] = result.value;
  }
  world = loadWorld(demoModelDir());
});
after(() => Promise.all(Object.values(loaded).map((sd) => sd.model.release())));

const colour = (name: string) => world.palette.findIndex((c) => c.name === name);

/** Inside a disc of radius `r` around (cx, cy). */
const inDisc = (cx: number, cy: number, r: number) => (x: number, y: number) => (x - cx) ** 2 + (y - cy) ** 2 < r * r;

/** A shape of the world drawn by hand: a disc of `shape` colour, radius 16, on `background`. */
function disc(shape: string, background: string, inside = inDisc(32, 32, 16)): Raster {
  const image = createRaster(64, 64, 3);
  const [fg, bg] = [world.palette[colour(shape)]!.rgb, world.palette[colour(background)]!.rgb];
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 64; x++) image.data.set(inside(x, y) ? fg : bg, (y * 64 + x) * 3);
  }
  return image;
}

async function generate(request: Omit<ImageRequest, 'seed'> & { seed: number }, pictures: Pictures, model: ModelName = 'plain'): Promise<Raster> {
  const sd = loaded[model]!;
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

/** Each pixel's nearest palette colour, as its index in the palette. */
function paletteClasses(image: Raster): Int32Array {
  const classes = new Int32Array(image.width * image.height);
  for (let p = 0; p < classes.length; p++) {
    classes[p] = world.palette
      .map((c, k) => [k, (image.data[p * 3]! - c.rgb[0]) ** 2 + (image.data[p * 3 + 1]! - c.rgb[1]) ** 2 + (image.data[p * 3 + 2]! - c.rgb[2]) ** 2] as const)
      .reduce((best, next) => (next[1] < best[1] ? next : best))[0];
  }
  return classes;
}

/** The share of the pixels in `where` whose nearest palette colour is `name`. */
function share(image: Raster, name: string, where: (x: number, y: number) => boolean): number {
  const classes = paletteClasses(image);
  const target = colour(name);
  let hits = 0;
  let count = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (!where(x, y)) continue;
      if (classes[y * image.width + x] === target) hits++;
      count++;
    }
  }
  return hits / count;
}

function report(label: string, value: string): void {
  console.log(`# demo models, image to image: ${label}: ${value}`);
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

  for (const [model, path] of [['plain', '4-channel'], ['inpainting', '9-channel']] as const) {
    test(`${path} inpainting: every pixel outside the mask is the original; the masked shape takes the prompt’s colour`, async () => {
      const init = disc('red', 'blue');
      // Repaint a square around the disc; the blur (4) reaches about 10 pixels beyond it.
      const mask = createRaster(64, 64, 1);
      for (let y = 12; y < 52; y++) mask.data.fill(255, y * 64 + 12, y * 64 + 52);
      // Beyond the feather: where the mask, blurred as the pipeline blurs it (mask_blur 4), is still 0.
      const blurred = blurMaskA1111(mask, 4);
      const far = (x: number, y: number) => blurred.data[y * 64 + x] === 0;
      assert.ok(blurred.data.filter((v) => v === 0).length > 400, 'a border beyond the feather');
      const core = inDisc(32, 32, 10);
      let kept = 0;
      let yellow = 0;
      let red = 0;
      for (let seed = 0; seed < SEEDS; seed++) {
        const image = await generate({ prompt: 'a yellow circle on a blue background', seed, init: FILE, mask: FILE }, { init, mask }, model);
        let same = true;
        for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) for (let c = 0; c < 3 && far(x, y); c++) same &&= image.data[(y * 64 + x) * 3 + c] === init.data[(y * 64 + x) * 3 + c];
        if (same) kept++;
        yellow += share(image, 'yellow', core);
        red += share(image, 'red', core);
      }
      report(`${path}: images whose pixels outside the mask (beyond the feather) are the original's, ${SEEDS} seeds`, percent(kept / SEEDS));
      report(`${path}: the repainted shape’s centre: yellow (the prompt) / red (the init)`, `${percent(yellow / SEEDS)} / ${percent(red / SEEDS)}`);
      assert.equal(kept, SEEDS);
      assert.ok(yellow / SEEDS >= 0.7, `yellow covers ${percent(yellow / SEEDS)} of the shape's centre`);
    });

    test(`${path} outpainting: a bigger canvas, the picture kept, its background continued`, async () => {
      const init = disc('green', 'white');
      let continued = 0;
      let kept = 0;
      for (let seed = 0; seed < SEEDS; seed++) {
        const image = await generate({ prompt: 'a green circle on a white background', seed, init: FILE, outpaint: { left: 0, right: 32, top: 0, bottom: 0 } }, { init }, model);
        assert.deepEqual([image.width, image.height], [96, 64]);
        let same = true;
        for (let y = 0; y < 64; y++) for (let x = 0; x < 40; x++) for (let c = 0; c < 3; c++) same &&= image.data[(y * 96 + x) * 3 + c] === init.data[(y * 64 + x) * 3 + c];
        if (same) kept++;
        continued += share(image, 'white', (x) => x >= 72);
      }
      report(`${path} outpainting right 32: the picture kept (x < 40), ${SEEDS} seeds`, percent(kept / SEEDS));
      report(`${path}: white (the background) in the new strip beyond the seam`, percent(continued / SEEDS));
      assert.equal(kept, SEEDS);
      assert.ok(continued / SEEDS >= 0.7, `the new strip is ${percent(continued / SEEDS)} white`);
    });
  }

  test('the 9-channel model asked for plain text to image (an all-repaint mask) makes the prompt’s colours', async () => {
    const names = ['red', 'green', 'blue', 'yellow'];
    let adheres = 0;
    let count = 0;
    for (const [i, shape] of names.entries()) {
      const background = names[(i + 2) % names.length]!;
      for (let seed = 0; seed < SEEDS / 4; seed++) {
        const verdict = judge(await generate({ prompt: `a ${shape} circle on a ${background} background`, seed }, {}, 'inpainting'), world);
        if (verdict.shapeColor === colour(shape) && verdict.background === colour(background)) adheres++;
        count++;
      }
    }
    report(`9-channel model, text to image: shape and background as prompted, ${count} images`, percent(adheres / count));
    assert.ok(adheres / count >= 0.75, `${adheres}/${count} as prompted`);
  });

  test('img2img on the 9-channel model repaints all of the picture: the image an all-white mask makes', async () => {
    const init = disc('red', 'blue');
    const request = { prompt: 'a yellow circle on a green background', seed: 5, init: FILE, strength: 0.6 };
    const plain = await generate(request, { init }, 'inpainting');
    const everything = await generate({ ...request, mask: FILE, maskBlur: 0 }, { init, mask: createRaster(64, 64, 1, 255) }, 'inpainting');
    assert.ok(Buffer.from(plain.data).equals(Buffer.from(everything.data)), `mean difference ${distance(plain, everything)}`);
    const d = distance(plain, init);
    report('9-channel model, img2img at strength 0.6: mean distance to the init (0..255)', d.toFixed(1));
    assert.ok(d > 5 && d < 100, `distance ${d}`);
  });
});

describe('demo depth model: depth2img', () => {
  /** Intersection over union of two pixel sets. */
  function iou(a: (x: number, y: number) => boolean, b: (x: number, y: number) => boolean): number {
    let both = 0;
    let either = 0;
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        both += Number(a(x, y) && b(x, y));
        either += Number(a(x, y) || b(x, y));
      }
    }
    return both / either;
  }
  const QUADRANTS = [[18, 18], [46, 18], [18, 46], [46, 46]] as const;
  const isColour = (image: Raster, name: string) => {
    const [classes, target] = [paletteClasses(image), colour(name)];
    return (x: number, y: number) => classes[y * image.width + x] === target;
  };

  /** Per quadrant in turn: the image made with `pictures(near)`; placed when the yellow pixels cover the near disc (IoU ≥ 0.5). */
  async function placement(label: string, pictures: (near: (x: number, y: number) => boolean) => { request: Partial<ImageRequest>; pictures: Pictures }, model: ModelName = 'depth') {
    let placed = 0;
    let total = 0;
    for (let seed = 0; seed < SEEDS; seed++) {
      const [cx, cy] = QUADRANTS[seed % 4]!;
      const near = inDisc(cx, cy, 12);
      const made = pictures(near);
      const image = await generate({ prompt: 'a yellow circle on a green background', seed, ...made.request }, made.pictures, model);
      const score = iou(isColour(image, 'yellow'), near);
      if (score >= 0.5) placed++;
      total += score;
    }
    report(`${model} model, ${label}: the yellow circle on the near disc (IoU ≥ 0.5), ${SEEDS} seeds, a quadrant each`, `${percent(placed / SEEDS)}, mean IoU ${(total / SEEDS).toFixed(2)}`);
    return placed / SEEDS;
  }

  test('a given depth map puts the shape where the map is near (the plain model, without the map, does not)', async () => {
    const rate = await placement('a given map (white disc, r = 12)', (near) => {
      const depth = createRaster(64, 64, 1);
      for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) depth.data[y * 64 + x] = near(x, y) ? 255 : 0;
      return { request: { depth: FILE, size: { width: 64, height: 64 } }, pictures: { depth } };
    });
    const chance = await placement('no map (text to image)', () => ({ request: {}, pictures: {} }), 'plain');
    assert.ok(rate >= 0.75, `placed ${percent(rate)}`);
    assert.ok(rate - chance >= 0.4, `placed ${percent(rate)} with the map, ${percent(chance)} by chance`);
  });

  test('with an init, the estimator’s map puts the shape where the init’s shape is', async () => {
    const rate = await placement('the estimator on an init (a red disc on blue), strength 1', (near) => ({
      request: { init: FILE, strength: 1 },
      pictures: { init: disc('red', 'blue', near) },
    }));
    assert.ok(rate >= 0.75, `placed ${percent(rate)}`);
  });
});
