// What each family's UNet is conditioned on, with stand-in text encoders whose states are known:
// A1111 emphasis on each of SDXL's encoders, the pooled output, zeros for the empty negative
// prompt, time ids, and LCM's guidance embedding instead of a guidance batch.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TextEncoder } from '../../../src/core/models';
import { conditionUNet, guidanceEmbedding, timeIds } from '../../../src/core/pipelines/conditioning';
import { encodePrompts } from '../../../src/core/pipelines/encode-prompt';
import type { StableDiffusion } from '../../../src/core/pipelines/stable-diffusion';
import { tokenizePrompt } from '../../../src/core/prompt/chunks';
import { applyTokenWeights } from '../../../src/core/prompt/weighting';
import { tokenizer } from './fake-model';

/** A text encoder whose state of token id at position p is `state(id, p)` (width values), pooled = the states' sum of the first token. */
function fakeEncoder(width: number, calls: number[], pooled?: number): TextEncoder {
  return {
    hiddenSize: width,
    async encode(ids, batch) {
      calls.push(batch);
      const hidden = new Float32Array(ids.length * width);
      ids.forEach((id, i) => {
        for (let k = 0; k < width; k++) hidden[i * width + k] = ((id % 97) + 1) * (k + 1) * (k % 2 ? -1 : 1) + (i % 77) / 100;
      });
      const result = { hidden: { data: hidden, shape: [batch, 77, width] } };
      if (pooled === undefined) return result;
      const p = new Float32Array(batch * pooled);
      for (let b = 0; b < batch; b++) for (let k = 0; k < pooled; k++) p[b * pooled + k] = ids[b * 77 + 1]! + k / 10;
      return { ...result, pooled: { data: p, shape: [batch, pooled] } };
    },
  };
}

describe('encodePrompts with two encoders (SDXL)', () => {
  it('weights each encoder\'s states on their own, as A1111\'s embedders do, and sets them side by side', async () => {
    const t = tokenizer();
    const calls1: number[] = [];
    const calls2: number[] = [];
    const one = fakeEncoder(2, calls1);
    const two = fakeEncoder(3, calls2, 4);
    const prompt = 'a (photo:1.5) of [cat]';
    const { hidden, pooled } = await encodePrompts([{ encoder: one, tokenizer: t }, { encoder: two, tokenizer: t }], [prompt]);
    assert.deepEqual(hidden.shape, [1, 77, 5]);
    const chunk = tokenizePrompt(prompt, t).chunks[0]!;
    assert.ok(chunk.weights.some((w) => w !== 1));
    const states = async (e: TextEncoder) => (await e.encode(Int32Array.from(chunk.ids), 1)).hidden.data;
    const first = applyTokenWeights(await states(one), 2, chunk.weights);
    const second = applyTokenWeights(await states(two), 3, chunk.weights);
    for (let token = 0; token < 77; token++) {
      assert.deepEqual(Array.from(hidden.data.subarray(token * 5, token * 5 + 5)), [...first.subarray(token * 2, token * 2 + 2), ...second.subarray(token * 3, token * 3 + 3)]);
    }
    // Weighting the 5-wide concatenation at once would rescale by one mean: not what A1111 does.
    const joint = new Float32Array(77 * 5);
    const raw1 = await states(one);
    const raw2 = await states(two);
    for (let token = 0; token < 77; token++) joint.set([...raw1.subarray(token * 2, token * 2 + 2), ...raw2.subarray(token * 3, token * 3 + 3)], token * 5);
    assert.notDeepEqual(Array.from(hidden.data), Array.from(applyTokenWeights(joint, 5, chunk.weights)));
    // The pooled output is the last encoder's, unweighted, of the first chunk.
    assert.deepEqual(Array.from(pooled!.data), [chunk.ids[1]!, chunk.ids[1]! + 0.1, chunk.ids[1]! + 0.2, chunk.ids[1]! + 0.3].map(Math.fround));
  });

  it('takes the pooled output of the first chunk of a long prompt, and zeros a zeroed prompt without encoding it', async () => {
    const t = tokenizer();
    const calls: number[] = [];
    const long = Array.from({ length: 80 }, () => 'cat').join(' ');
    const { hidden, pooled } = await encodePrompts([{ encoder: fakeEncoder(1, []), tokenizer: t }, { encoder: fakeEncoder(1, calls, 2), tokenizer: t }], ['', long], [true, false]);
    assert.deepEqual(hidden.shape, [2, 154, 2]);
    // Only the long prompt's two chunks were encoded.
    assert.deepEqual(calls, [2]);
    assert.ok(hidden.data.subarray(0, 154 * 2).every((v) => v === 0));
    assert.ok(hidden.data.subarray(154 * 2).some((v) => v !== 0));
    const firstChunk = tokenizePrompt(long, t).chunks[0]!;
    assert.deepEqual(Array.from(pooled!.data), [0, 0, firstChunk.ids[1]!, Math.fround(firstChunk.ids[1]! + 0.1)]);
  });
});

/** A stand-in model with SDXL's or LCM's interface: encoders as above, a UNet that only declares its added inputs. */
function fakeModel(family: 'sdxl' | 'lcm', forceZeros = true): StableDiffusion {
  const t = tokenizer();
  const sdxl = family === 'sdxl';
  const model = {
    info: {
      family: sdxl ? { architecture: 'sdxl', label: 'SDXL' } : { architecture: 'sd1', distilled: 'lcm', guidanceEmbedDim: 8, label: 'LCM (SD 1.x)' },
      forceZerosForEmptyPrompt: sdxl && forceZeros,
    },
    textEncoder: fakeEncoder(2, []),
    ...(sdxl ? { textEncoder2: fakeEncoder(3, [], 4) } : {}),
    unet: { added: sdxl ? { textEmbeds: 4, timeIds: 6 } : { timestepCond: 8 } },
  };
  return { model: model as unknown as StableDiffusion['model'], tokenizer: t, ...(sdxl ? { tokenizer2: t } : {}) };
}

describe('conditionUNet', () => {
  it('SDXL: [negative, prompt] with pooled text_embeds and time ids [H, W, 0, 0, H, W] for each row', async () => {
    const c = await conditionUNet(fakeModel('sdxl'), 'a cat', 'a dog', 5, 96, 64);
    assert.deepEqual(c.hidden.shape, [2, 77, 5]);
    assert.deepEqual(c.added.textEmbeds?.shape, [2, 4]);
    assert.deepEqual(Array.from(c.added.timeIds!.data), [64, 96, 0, 0, 64, 96, 64, 96, 0, 0, 64, 96]);
    assert.equal(c.cfg, 5);
    assert.ok(c.hidden.data.subarray(0, 77 * 5).some((v) => v !== 0), 'a negative prompt is encoded');
  });

  it('SDXL: an empty negative prompt is zeros when the model says force_zeros_for_empty_prompt, and encoded when not', async () => {
    const zeroed = await conditionUNet(fakeModel('sdxl'), 'a cat', '', 5, 64, 64);
    assert.ok(zeroed.hidden.data.subarray(0, 77 * 5).every((v) => v === 0));
    assert.ok(zeroed.added.textEmbeds!.data.subarray(0, 4).every((v) => v === 0));
    const encoded = await conditionUNet(fakeModel('sdxl', false), 'a cat', '', 5, 64, 64);
    assert.ok(encoded.hidden.data.subarray(0, 77 * 5).some((v) => v !== 0));
  });

  it('no guidance batch at cfg 1 or less (Turbo)', async () => {
    const c = await conditionUNet(fakeModel('sdxl'), 'a cat', 'a dog', 1, 64, 64);
    assert.deepEqual(c.hidden.shape, [1, 77, 5]);
    assert.deepEqual(c.added.timeIds?.shape, [1, 6]);
  });

  it('LCM: one row whatever the cfg, the guidance embedding of cfg − 1 as timestep_cond, and no guidance left to apply', async () => {
    const c = await conditionUNet(fakeModel('lcm'), 'a cat', 'a dog', 8.5, 64, 64);
    assert.deepEqual(c.hidden.shape, [1, 77, 2]);
    assert.deepEqual(Array.from(c.added.timestepCond!.data), Array.from(guidanceEmbedding(7.5, 8)));
    assert.equal(c.cfg, 1);
    assert.equal(c.added.textEmbeds, undefined);
  });
});

describe('guidanceEmbedding', () => {
  it("is diffusers' get_guidance_scale_embedding: sin then cos of w·1000·10000^(−i/(d/2 − 1))", () => {
    const e = guidanceEmbedding(7.5, 256);
    assert.equal(e.length, 256);
    const angle = (i: number) => 7500 * Math.exp((-i * Math.log(10000)) / 127);
    for (const i of [0, 1, 64, 127]) {
      assert.ok(Math.abs(e[i]! - Math.sin(angle(i))) < 2e-3, `sin ${i}`);
      assert.ok(Math.abs(e[128 + i]! - Math.cos(angle(i))) < 2e-3, `cos ${i}`);
    }
    assert.deepEqual(Array.from(guidanceEmbedding(0, 4)), [0, 0, 1, 1]);
    assert.deepEqual(Array.from(timeIds(1024, 768)), [768, 1024, 0, 0, 768, 1024]);
  });
});
