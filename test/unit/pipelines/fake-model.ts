// Stand-in model components for the pipeline's wiring tests: each records what it gets and
// answers with something simple enough to predict by hand.

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { DEFAULTS, type ImageSettings } from '../../../src/core/jobs/image-settings';
import type { StableDiffusion } from '../../../src/core/pipelines/stable-diffusion';
import { resolveSampler } from '../../../src/core/schedulers';
import { SD15_SCHEDULER_CONFIG } from '../../../src/core/schedulers/sd15';
import type { Tensor } from '../../../src/core/tensor';
import { ClipTokenizer } from '../../../src/core/tokenizer/clip';
import { testModelDir } from '../../../tools/test-models/test-dir';

export const SCALING = 0.5;
/** The fake encoder's log-variance, when it gives latent_parameters. */
export const FAKE_LOGVAR = -2;

export function tokenizer(): ClipTokenizer {
  const loaded = ClipTokenizer.fromFolder(path.join(testModelDir('optimum'), 'tokenizer'));
  assert.ok(loaded.ok);
  return loaded.value;
}

export interface Recorder {
  encodeCalls: { ids: Int32Array; batch: number }[];
  unetCalls: { sample: Tensor; timestep: number; hidden: Tensor }[];
  decodeCalls: Tensor[];
  vaeEncodeCalls: Tensor[];
}

export const newRecorder = (): Recorder => ({ encodeCalls: [], unetCalls: [], decodeCalls: [], vaeEncodeCalls: [] });

/** The fake VAE encoder's mean: channel c of the latent is the mean of image channel c mod 3 over each 8x8 block, plus c/100. */
export function fakeEncoderMean(image: Tensor): Float32Array {
  const [, , height, width] = image.shape as [number, number, number, number];
  const h = height / 8;
  const w = width / 8;
  const out = new Float32Array(4 * h * w);
  for (let c = 0; c < 4; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let sum = 0;
        for (let dy = 0; dy < 8; dy++) for (let dx = 0; dx < 8; dx++) sum += image.data[(c % 3) * height * width + (y * 8 + dy) * width + x * 8 + dx]!;
        out[(c * h + y) * w + x] = sum / 64 + c / 100;
      }
    }
  }
  return out;
}

export interface FakeModelOptions {
  schedulerConfig?: Record<string, unknown>;
  /** The UNet's input channels: 4, 9 or 5. */
  inChannels?: number;
  /** The VAE encoder's output kind; false for a model without vae_encoder/. */
  encoder?: 'latent_parameters' | 'latent_sample' | false;
}

/**
 * The text encoder's state of each token is its id (width 1); the UNet predicts 0.1 for the
 * first half of a batch of 2 and 0.3 for the second (0.3 alone for a batch of 1), four channels
 * whatever it takes; the decoder returns zeros; the VAE encoder gives `fakeEncoderMean`.
 */
export function fakeModel(recorder: Recorder, options: FakeModelOptions = {}): StableDiffusion {
  const { schedulerConfig = SD15_SCHEDULER_CONFIG, inChannels = 4, encoder = 'latent_parameters' } = options;
  const model = {
    info: {
      schedulerConfig,
      family: { architecture: 'sd1', label: 'SD 1.x' },
      forceZerosForEmptyPrompt: false,
      vaeScalingFactor: SCALING,
      components: { unet: { onnx: '/m/unet/model.onnx' }, vae_encoder: { onnx: '/m/vae_encoder/model.onnx' }, depth_estimator: { onnx: '/m/depth_estimator/model.onnx' } },
    },
    textEncoder: {
      hiddenSize: 1,
      async encode(ids: Int32Array, batch: number): Promise<{ hidden: Tensor }> {
        recorder.encodeCalls.push({ ids: ids.slice(), batch });
        return { hidden: { data: Float32Array.from(ids), shape: [batch, 77, 1] } };
      },
    },
    unet: {
      inChannels,
      added: {},
      async predict(sample: Tensor, timestep: number, hidden: Tensor): Promise<Tensor> {
        recorder.unetCalls.push({ sample: { data: sample.data.slice(), shape: sample.shape }, timestep, hidden });
        const [batch, , h, w] = sample.shape as [number, number, number, number];
        const half = 4 * h * w;
        const out = new Float32Array(batch * half).map((_, i) => (batch === 2 && i < half ? 0.1 : 0.3));
        return { data: out, shape: [batch, 4, h, w] };
      },
    },
    // Nothing to release: its components hold no sessions.
    doneWith: async () => undefined,
    sessionStates: () => ({}),
    vaeDecoder: {
      async decode(latents: Tensor): Promise<Tensor> {
        recorder.decodeCalls.push({ data: latents.data.slice(), shape: latents.shape });
        const [b, , h, w] = latents.shape as [number, number, number, number];
        return { data: new Float32Array(b * 3 * h * 8 * w * 8), shape: [b, 3, h * 8, w * 8] };
      },
    },
    ...(encoder
      ? {
          vaeEncoder: {
            async encode(image: Tensor) {
              recorder.vaeEncodeCalls.push({ data: image.data.slice(), shape: image.shape });
              const mean = fakeEncoderMean(image);
              const shape = [1, 4, image.shape[2]! / 8, image.shape[3]! / 8];
              return encoder === 'latent_parameters'
                ? { mean: { data: mean, shape }, logvar: { data: new Float32Array(mean.length).fill(FAKE_LOGVAR), shape } }
                : { mean: { data: mean, shape } };
            },
          },
        }
      : {}),
  };
  return { model: model as unknown as StableDiffusion['model'], tokenizer: tokenizer() };
}

/** Complete settings for a 32x16 text-to-image run of one DDIM step; overrides on top. */
export function request(overrides: Partial<ImageSettings> = {}): ImageSettings {
  const { strength, resize, maskBlur, maskedContent, inpaintArea, padding, subseedStrength, watermark } = DEFAULTS;
  return {
    subseed: 0,
    subseedStrength,
    watermark,
    strength,
    resize,
    maskInvert: false,
    maskBlur,
    maskedContent,
    inpaintArea,
    padding,
    prompt: 'ab',
    negativePrompt: 'c',
    seed: 42,
    steps: 1,
    cfg: 7,
    sampler: resolveSampler('ddim')!,
    width: 32,
    height: 16,
    rng: 'numpy',
    ...overrides,
  };
}
