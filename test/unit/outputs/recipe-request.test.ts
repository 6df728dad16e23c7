// A recipe is everything a re-render needs: settings → recipe → request → settings gives the same
// settings in every mode, and a recipe the format would refuse is an error at its field.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SETTINGS } from '../../../src/core/format/settings';
import { resolveImageSettings, type ImageRequest, type ImageSettings, type ResolveContext } from '../../../src/core/jobs/image-settings';
import { requestFromRecipe } from '../../../src/core/jobs/recipe-request';
import { buildRecipe, type PictureFiles, type Recipe } from '../../../src/core/outputs/metadata';
import { parseOutputRecord } from '../../../src/core/outputs/recipe-read';
import { resolveSampler } from '../../../src/core/schedulers';

const context = (unetChannels: number): ResolveContext => ({
  schedulerConfig: { _class_name: 'PNDMScheduler', num_train_timesteps: 1000, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', skip_prk_steps: true },
  nativeSize: { width: 512, height: 512 },
  unetChannels,
  unetFile: '/m/unet/model.onnx',
});

const picture = (name: string) => ({ path: `/p/${name}`, spec: name });
const recorded = (name: string) => ({ path: name, name, sha256: 'ab'.repeat(32), width: 40, height: 30 });

function roundTrip(request: ImageRequest, unetChannels = 4): { original: ImageSettings; again: ImageSettings } {
  const original = resolveImageSettings(request, { ...context(unetChannels), initSize: { width: 40, height: 30 } });
  assert.ok(original.ok, original.ok ? '' : original.error.message);
  const files: PictureFiles = {};
  for (const role of ['init', 'mask', 'depth'] as const) {
    const f = original.value[role];
    if (f && f !== 'auto') files[role] = recorded(f.spec);
  }
  const recipe = buildRecipe({
    settings: original.value,
    model: { name: 'm', sha256: { unet: '00' } },
    runtime: { onnxruntime: '1', executionProvider: 'cpu' },
    timings: { loadMs: 0, encodeMs: 0, vaeEncodeMs: 0, denoiseMs: 0, decodeMs: 0, totalMs: 0 },
    imageSha256: 'ff',
    files,
    watermark: original.value.watermark ? 'StableDiffusionV1' : 'off',
  });
  const json = parseOutputRecord(JSON.stringify(recipe), 'r.json');
  assert.ok(json.ok && json.value.format === 'sdprompt-recipe');
  const back = requestFromRecipe(json.value, 'r.json', (_role, f) => ({ path: `/p/${f.path}`, spec: f.path! }));
  assert.ok(back.ok, back.ok ? '' : back.error.message);
  const again = resolveImageSettings(back.value, context(unetChannels));
  assert.ok(again.ok, again.ok ? '' : again.error.message);
  return { original: original.value, again: again.value };
}

describe('recipe → request', () => {
  const cases: [string, ImageRequest, number?][] = [
    ['text to image, defaults', { prompt: 'a (red:1.2) circle', seed: 7 }],
    ['text to image, every setting', { prompt: 'x', negativePrompt: 'blue\nsky', seed: 4294967295, steps: 3, cfg: 7.5, sampler: resolveSampler('dpmpp_2m_karras')!, size: { width: 64, height: 48 }, rng: 'nv' }],
    ['a variation seed, and no watermark', { prompt: 'x', seed: 2, subseed: 99, subseedStrength: 0.3, watermark: false }],
    ['img2img, the size from the init', { prompt: 'x', seed: 1, init: picture('a.png'), strength: 0.35, resize: 'crop' }],
    ['inpainting only masked, inverted', { prompt: 'x', seed: 1, init: picture('a.png'), mask: picture('m.png'), maskInvert: true, maskBlur: 9, maskedContent: 'latent noise', inpaintArea: 'masked', padding: 12 }, 9],
    ['outpainting', { prompt: 'x', seed: 1, init: picture('a.png'), outpaint: { left: 16, right: 0, top: 0, bottom: 8 } }],
    ['depth from a map', { prompt: 'x', seed: 1, depth: picture('d.png'), size: { width: 32, height: 32 } }, 5],
    ['depth estimated', { prompt: 'x', seed: 1, init: picture('a.png'), depth: 'auto' }, 5],
  ];
  for (const [name, request, channels] of cases) {
    test(`${name}: the same settings again`, () => {
      const { original, again } = roundTrip(request, channels);
      assert.deepEqual(again, original);
    });
  }

  test('a value the format refuses is an error that names the field', () => {
    const base = buildRecipe({
      settings: roundTrip({ prompt: 'x', seed: 1 }).original,
      model: { name: 'm', sha256: { unet: '00' } },
      runtime: { onnxruntime: '1', executionProvider: 'cpu' },
      timings: { loadMs: 0, encodeMs: 0, vaeEncodeMs: 0, denoiseMs: 0, decodeMs: 0, totalMs: 0 },
      imageSha256: 'ff',
      watermark: 'too small',
    });
    const problem = (edit: Record<string, unknown>) => {
      const r = requestFromRecipe({ ...base, ...edit } as Recipe, 'r.json', () => assert.fail('no pictures'));
      return r.ok ? 'accepted' : `${r.error.code}: ${r.error.message}`;
    };
    assert.equal(problem({ steps: 'ten' }), 'recipe-invalid: the recipe\'s steps "ten" is not one sdprompt writes: steps must be a whole number from 1 to 1000');
    assert.equal(problem({ sampler: { name: 'eulr' } }), 'recipe-invalid: the recipe\'s sampler "eulr" is not one sdprompt writes: unknown sampler \'eulr\'; did you mean \'euler\'?');
    assert.equal(problem({ seed: undefined }), 'recipe-invalid: the recipe has no seed');
    assert.equal(problem({ prompt: 3 }), "recipe-invalid: the recipe's prompt is not text");
    assert.equal(problem({ init: 'a.png' }), "recipe-invalid: the recipe's init is not a recorded file (name, path and sha256)");
    assert.equal(problem({ watermark: 'maybe' }), 'recipe-invalid: the recipe\'s watermark "maybe" is not one sdprompt writes');
    assert.equal(problem({ subseedStrength: 2 }), 'recipe-invalid: the recipe\'s subseedStrength 2 is not one sdprompt writes: ' + (SETTINGS.subseed_strength.parse('2') as { problem: { message: string } }).problem.message);
  });
});

describe('reading a recipe file', () => {
  const problem = (text: string) => {
    const r = parseOutputRecord(text, 'x.json');
    return r.ok ? r.value.format : r.error.message;
  };
  test('not JSON, not a recipe, or from a newer sdprompt: each said plainly', () => {
    assert.match(problem('{"format": "sdprompt-recipe",'), /^the recipe is not valid JSON \(.*\): edited by hand\?$/);
    assert.equal(problem('{"prompt": "x"}'), 'is not an sdprompt recipe (no "format": "sdprompt-recipe")');
    assert.equal(problem('[1]'), 'is not an sdprompt recipe (no "format": "sdprompt-recipe")');
    assert.equal(problem('{"format": "sdprompt-recipe", "version": 2}'), 'the recipe is version 2, from a newer sdprompt; this one reads version 1: update sdprompt');
    assert.equal(problem('{"format": "sdprompt-recipe", "version": "1"}'), 'the recipe\'s version "1" is not one sdprompt wrote');
    assert.equal(problem('{"format": "sdprompt-grid", "version": 1}'), 'sdprompt-grid');
  });
});
