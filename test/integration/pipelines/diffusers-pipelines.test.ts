// The same image for the same seed as diffusers' StableDiffusionPipeline,
// StableDiffusionXLPipeline and LatentConsistencyModelPipeline on the same model, and for image to
// image as its StableDiffusionImg2ImgPipeline and StableDiffusionXLImg2ImgPipeline: the fixture is
// diffusers' own pipelines run on the tiny SD 2.x (512 epsilon, 768 v-prediction), SD-Turbo, SDXL,
// SDXL-Turbo and LCM test models (tools/reference/diffusers_pipelines.py says
// exactly what is diffusers' code there and what stands in), with torch's CPU generator; here the
// same settings go through sdprompt's pipeline with rng torch.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULTS, type ImageSettings } from '../../../src/core/jobs/image-settings';
import { generateImage } from '../../../src/core/pipelines/generate';
import { loadStableDiffusion, type StableDiffusion } from '../../../src/core/pipelines/stable-diffusion';
import { tokenizePrompt } from '../../../src/core/prompt/chunks';
import { defaultSamplerFor, SAMPLERS } from '../../../src/core/schedulers';
import type { TestModelVariant } from '../../../tools/test-models/generate';
import { testModelDir } from '../../../tools/test-models/test-dir';

interface Case {
  model: TestModelVariant;
  prompt: string;
  negativePrompt: string | null;
  cfg: number;
  steps: number;
  width: number;
  height: number;
  seed: number;
  /** Image to image: the strength, and the init picture (8-bit RGB, width × height). */
  strength?: number;
  init?: string;
  /** The diffusers scheduler class the pipeline ran. */
  sampler: string;
  promptIds: number[][];
  timesteps: number[];
  latents: number[];
  rgb: string;
}

const ROOT = path.resolve(__dirname, '../../../..');
const fixture = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/pipelines/diffusers-pipelines.json'), 'utf8')) as { diffusers: string; cases: Case[] };

const models = new Map<string, StableDiffusion>();
after(async () => {
  for (const sd of models.values()) await sd.model.release();
});

async function model(variant: TestModelVariant): Promise<StableDiffusion> {
  let sd = models.get(variant);
  if (!sd) {
    const loaded = await loadStableDiffusion(testModelDir(variant), { threads: 1 });
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.error.message);
    sd = loaded.value;
    models.set(variant, sd);
  }
  return sd;
}

describe(`SD 2.x, SD-Turbo, SDXL, SDXL-Turbo and LCM, text and image to image, against diffusers ${fixture.diffusers}'s pipelines`, () => {
  for (const c of fixture.cases) {
    const label = `${c.model}${c.strength !== undefined ? ` img2img at strength ${c.strength}` : ''}, ${c.negativePrompt === null ? 'no negative prompt' : `negative "${c.negativePrompt}"`}, cfg ${c.cfg}, ${c.steps} steps, ${c.width}x${c.height}`;
    it(label, async (t) => {
      // Every case's scheduler class is one of ours (LCM's too): a case never turns into a skip.
      assert.ok(SAMPLERS.some((s) => s.diffusersClass === c.sampler), `${c.sampler} is not among sdprompt's samplers`);
      const sd = await model(c.model);
      // Both tokenizers give diffusers' ids (content, before padding).
      for (const [k, tokenizer] of [sd.tokenizer, sd.tokenizer2].filter((x) => x !== undefined).entries()) {
        const ids = tokenizePrompt(c.prompt, tokenizer).chunks[0]!.ids;
        assert.deepEqual(ids.slice(0, c.promptIds[k]!.length), c.promptIds[k]);
      }
      const settings: ImageSettings = {
        prompt: c.prompt,
        negativePrompt: c.negativePrompt ?? '',
        seed: c.seed,
        steps: c.steps,
        cfg: c.cfg,
        sampler: defaultSamplerFor(sd.model.info.schedulerConfig),
        rng: 'torch',
        subseed: 0,
        subseedStrength: 0,
        // diffusers' pipelines here add no watermark (add_watermarker=False for SDXL).
        watermark: false,
        width: c.width,
        height: c.height,
        strength: c.strength ?? 1,
        resize: DEFAULTS.resize,
        maskInvert: false,
        maskBlur: DEFAULTS.maskBlur,
        maskedContent: DEFAULTS.maskedContent,
        inpaintArea: DEFAULTS.inpaintArea,
        padding: DEFAULTS.padding,
      };
      let latents: Float32Array | undefined;
      const unetCalls: number[] = [];
      const init = c.init === undefined ? undefined : { data: Buffer.from(c.init, 'base64'), width: c.width, height: c.height, channels: 3 as const };
      const result = await generateImage(sd, settings, init ? { init } : {}, {
        onStep: (s) => {
          latents = s.latents.data.slice();
          unetCalls.push(s.step);
        },
      });
      assert.ok(result.ok, result.ok ? '' : result.error.message);
      assert.equal(unetCalls.length, c.timesteps.length);
      let worstLatent = 0;
      c.latents.forEach((expected, i) => {
        worstLatent = Math.max(worstLatent, Math.abs(latents![i]! - expected) / (1 + Math.abs(expected)));
      });
      const expectedRgb = Buffer.from(c.rgb, 'base64');
      const image = result.value.image;
      assert.deepEqual([image.width, image.height], [c.width, c.height]);
      let worstPixel = 0;
      for (let i = 0; i < expectedRgb.length; i++) worstPixel = Math.max(worstPixel, Math.abs(image.data[i]! - expectedRgb[i]!));
      t.diagnostic(`final latents within ${worstLatent.toExponential(1)} (relative), pixels within ${worstPixel}`);
      // LCM's guidance embedding takes sin and cos of angles up to (cfg − 1)·1000 radians (7500 at
      // cfg 8.5), from float32 exp values: torch's vectorised expf is 1 ulp off the correctly rounded
      // value for some inputs (exp(−0.29009) is 0.7481966 there, 0.74819666 here), which the
      // angle turns into up to 4e-4 in the embedding; the UNet carries that into the image.
      const embedded = c.model === 'lcm';
      const [latentTolerance, pixelTolerance] = embedded ? [5e-3, 3] : [1e-4, 1];
      assert.ok(worstLatent < latentTolerance, `final latents differ by ${worstLatent} (relative)`);
      assert.ok(worstPixel <= pixelTolerance, `pixels differ by ${worstPixel}`);
    });
  }
});
