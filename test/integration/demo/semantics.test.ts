// Do images mean what the prompt says? The shipped demo model, through the real pipeline,
// judged by pixel statistics (./judge.ts). A wrong sign in guidance, a broken sampler, a bad
// VAE scaling factor or an off-by-one tokenizer all still "run"; these tests catch them.
// The measured rates are printed, so a regression shows as numbers.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encodePng, type RgbImage } from '../../../src/core/image/encode';
import { modelContext, resolveImageSettings, type ImageRequest } from '../../../src/core/jobs/image-settings';
import { demoModelDir } from '../../../src/core/models/demo';
import { loadStableDiffusion, type StableDiffusion } from '../../../src/core/pipelines/stable-diffusion';
import { generateImage } from '../../../src/core/pipelines/generate';
import { defaultSamplerFor, resolveSampler, type SamplerChoice } from '../../../src/core/schedulers';
import { judge, loadWorld, type World } from './judge';

let sd: StableDiffusion;
let world: World;
let defaultSampler: SamplerChoice;

interface Scene {
  prompt: string;
  color: number;
  background: number;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

/** Every colour × shape × other background, as the world's caption grammar writes it. */
function scenes(): Scene[] {
  const out: Scene[] = [];
  world.palette.forEach((c, color) =>
    world.shapes.forEach((s) =>
      world.palette.forEach((b, background) => {
        if (background !== color) out.push({ prompt: `${article(c.name)} ${c.name} ${s.name} on ${article(b.name)} ${b.name} background`, color, background });
      }),
    ),
  );
  return out;
}

async function image(request: ImageRequest): Promise<RgbImage> {
  const settings = resolveImageSettings({ steps: 20, cfg: 7, sampler: defaultSampler, size: { width: 64, height: 64 }, ...request }, modelContext(sd.model));
  assert.ok(settings.ok, settings.ok ? '' : settings.error.message);
  const result = await generateImage(sd, settings.value);
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  return result.value.image;
}

/** The share of scenes whose shape colour and background colour are the prompt's: every scene, seed 1000 + its index. */
const adherenceCache = new Map<string, number>();
async function adherence(sampler: SamplerChoice, cfg: number): Promise<number> {
  const key = `${sampler.name} ${cfg}`;
  const known = adherenceCache.get(key);
  if (known !== undefined) return known;
  const all = scenes();
  let hits = 0;
  for (let i = 0; i < all.length; i++) {
    const scene = all[i]!;
    const verdict = judge(await image({ prompt: scene.prompt, seed: 1000 + i, sampler, cfg }), world);
    if (verdict.background === scene.background && verdict.shapeColor === scene.color) hits++;
  }
  adherenceCache.set(key, hits / all.length);
  return hits / all.length;
}

function report(label: string, value: number): void {
  console.log(`# demo model: ${label}: ${(value * 100).toFixed(1)}%`);
}

before(async () => {
  const loaded = await loadStableDiffusion(demoModelDir());
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
  sd = loaded.value;
  world = loadWorld(demoModelDir());
  defaultSampler = defaultSamplerFor(sd.model.info.schedulerConfig);
});

after(() => sd?.model.release());

describe('demo model semantics', () => {
  test('prompt adherence with the default sampler: at least 90% of colour × shape × background scenes', async () => {
    const rate = await adherence(defaultSampler, 7);
    report(`adherence, ${defaultSampler.name} (the model's default), cfg 7, ${scenes().length} scenes`, rate);
    assert.ok(rate >= 0.9, `${(rate * 100).toFixed(1)}% < 90%`);
  });

  for (const name of ['pndm', 'ddim', 'euler', 'euler_a', 'lms', 'dpmpp_2m']) {
    test(`prompt adherence with ${name}: at least 80%`, async () => {
      const rate = await adherence(resolveSampler(name)!, 7);
      report(`adherence, ${name}, cfg 7, ${scenes().length} scenes`, rate);
      assert.ok(rate >= 0.8, `${(rate * 100).toFixed(1)}% < 80%`);
    });
  }

  test('guidance works: adherence at cfg 7 is measurably better than at cfg 1', async () => {
    const guided = await adherence(defaultSampler, 7);
    const unguided = await adherence(defaultSampler, 1);
    report(`adherence, ${defaultSampler.name}, cfg 1`, unguided);
    report(`adherence, ${defaultSampler.name}, cfg 7`, guided);
    assert.ok(guided - unguided >= 0.2, `cfg 7 ${(guided * 100).toFixed(1)}% vs cfg 1 ${(unguided * 100).toFixed(1)}%`);
  });

  test('a negative prompt works: "a circle" with negative "red" gives red circles far less often', async () => {
    const red = world.palette.findIndex((c) => c.name === 'red');
    let without = 0;
    let withNegative = 0;
    const seeds = 80;
    for (let seed = 0; seed < seeds; seed++) {
      if (judge(await image({ prompt: 'a circle', seed }), world).shapeColor === red) without++;
      if (judge(await image({ prompt: 'a circle', negativePrompt: 'red', seed }), world).shapeColor === red) withNegative++;
    }
    report('red circles for "a circle"', without / seeds);
    report('red circles for "a circle", negative "red"', withNegative / seeds);
    assert.ok(without >= 4, `"a circle" should sometimes be red (${without}/${seeds})`);
    assert.ok(withNegative <= without / 4, `with the negative prompt ${withNegative}/${seeds}, without ${without}/${seeds}`);
  });

  test('emphasis works: raising a colour\'s weight raises its share of pixels', async () => {
    // The colour that names the background: its weight moves how much of the image it takes.
    const red = world.palette.findIndex((c) => c.name === 'red');
    const seeds = 64;
    const shares: number[] = [];
    for (const weight of [0.5, 1, 1.5, 2]) {
      let sum = 0;
      for (let seed = 0; seed < seeds; seed++) sum += judge(await image({ prompt: `a circle on a (red:${weight}) background`, seed }), world).shares[red]!;
      shares.push(sum / seeds);
    }
    console.log(`# demo model: red share of "a circle on a (red:w) background" for w = 0.5, 1, 1.5, 2: ${shares.map((s) => (s * 100).toFixed(1) + '%').join(', ')}`);
    for (let i = 1; i < shares.length; i++) assert.ok(shares[i]! > shares[i - 1]!, `the share falls from weight ${i} to ${i + 1}: ${shares.join(', ')}`);
    assert.ok(shares[3]! - shares[0]! >= 0.03, `weight 2 over weight 0.5: ${(shares[3]! - shares[0]!).toFixed(3)}`);
  });

  test('seeds: the same prompt and seed give a byte-identical PNG; different seeds differ', async () => {
    const a = await encodePng(await image({ prompt: 'a green triangle on a black background', seed: 5 }));
    const b = await encodePng(await image({ prompt: 'a green triangle on a black background', seed: 5 }));
    const c = await encodePng(await image({ prompt: 'a green triangle on a black background', seed: 6 }));
    assert.ok(a.equals(b));
    assert.ok(!a.equals(c));
  });
});
