import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserErrorException } from '../../../src/core/errors';
import { type FamilyEvidence, type ModelFamily, detectFamily, familyDefaults } from '../../../src/core/models/family';

const FILES = {
  modelIndex: '/m/model_index.json',
  unetConfig: '/m/unet/config.json',
  textEncoderConfig: '/m/text_encoder/config.json',
  textEncoder2: '/m/text_encoder_2/model.onnx',
  schedulerConfig: '/m/scheduler/scheduler_config.json',
};

const SD15: FamilyEvidence = { pipelineClass: 'StableDiffusionPipeline', textEncoder2: false, textEncoderWidth: 768, crossAttentionDim: 768, sampleSize: 64, schedulerClass: 'PNDMScheduler', predictionType: 'epsilon', zeroSnr: false };
const SD21: FamilyEvidence = { ...SD15, textEncoderWidth: 1024, crossAttentionDim: 1024, sampleSize: 96, schedulerClass: 'DDIMScheduler', predictionType: 'v_prediction', padsWithExclamation: true };
const SDXL: FamilyEvidence = {
  pipelineClass: 'StableDiffusionXLPipeline',
  textEncoder2: true,
  textEncoderWidth: 768,
  textEncoder2Width: 1280,
  crossAttentionDim: 2048,
  additionEmbedType: 'text_time',
  sampleSize: 128,
  schedulerClass: 'EulerDiscreteScheduler',
  timestepSpacing: 'leading',
  zeroSnr: false,
};

function detect(e: FamilyEvidence): ModelFamily {
  return detectFamily(e, FILES);
}

function refusal(e: FamilyEvidence): { code: string; message: string; file?: string } {
  try {
    detect(e);
  } catch (error) {
    if (error instanceof UserErrorException) return error.userError;
    throw error;
  }
  assert.fail('expected a refusal');
}

describe('detectFamily', () => {
  it('tells the published families apart by their configs', () => {
    assert.deepEqual(detect(SD15), { architecture: 'sd1', label: 'SD 1.x' });
    assert.deepEqual(detect({ ...SD21, sampleSize: 64, predictionType: 'epsilon', schedulerClass: 'PNDMScheduler' }), { architecture: 'sd2', label: 'SD 2.x' });
    assert.deepEqual(detect(SD21), { architecture: 'sd2', label: 'SD 2.x (768, v-prediction)' });
    assert.deepEqual(detect(SDXL), { architecture: 'sdxl', label: 'SDXL' });
  });

  it('reads Turbo from trailing timesteps and LCM from the guidance embedding or LCMScheduler', () => {
    assert.deepEqual(detect({ ...SD21, sampleSize: 64, predictionType: 'epsilon', schedulerClass: 'EulerDiscreteScheduler', timestepSpacing: 'trailing' }), {
      architecture: 'sd2',
      distilled: 'turbo',
      label: 'SD-Turbo',
    });
    assert.deepEqual(detect({ ...SDXL, sampleSize: 64, schedulerClass: 'EulerAncestralDiscreteScheduler', timestepSpacing: 'trailing' }), {
      architecture: 'sdxl',
      distilled: 'turbo',
      label: 'SDXL Turbo',
    });
    assert.deepEqual(detect({ ...SD15, pipelineClass: 'LatentConsistencyModelPipeline', timeCondProjDim: 256, schedulerClass: 'LCMScheduler' }), {
      architecture: 'sd1',
      guidanceEmbedDim: 256,
      distilled: 'lcm',
      label: 'LCM (SD 1.x)',
    });
    // An LCM-LoRA fused into SD 1.5: LCMScheduler, no guidance embedding.
    assert.deepEqual(detect({ ...SD15, schedulerClass: 'LCMScheduler' }), { architecture: 'sd1', distilled: 'lcm', label: 'LCM (SD 1.x)' });
    // Zero-SNR v-prediction models use trailing timesteps too, and are not Turbo.
    assert.equal(detect({ ...SD21, timestepSpacing: 'trailing', zeroSnr: true }).distilled, undefined);
  });

  it('falls back on the text encoder width, then the tokenizer padding, when the UNet has no config', () => {
    const bare: FamilyEvidence = { textEncoder2: false, zeroSnr: false };
    assert.equal(detect({ ...bare, textEncoderWidth: 1024 }).architecture, 'sd2');
    assert.equal(detect({ ...bare, padsWithExclamation: true }).architecture, 'sd2');
    assert.equal(detect(bare).architecture, 'sd1');
    assert.equal(detect({ ...bare, pipelineClass: 'StableDiffusionXLPipeline', textEncoder2: true }).architecture, 'sdxl');
  });

  it('refuses folders whose parts describe different families, naming the file that disagrees', () => {
    const xlIndexSdUNet = refusal({ ...SD15, pipelineClass: 'StableDiffusionXLPipeline' });
    assert.equal(xlIndexSdUNet.code, 'model-invalid');
    assert.equal(xlIndexSdUNet.file, FILES.unetConfig);
    assert.match(xlIndexSdUNet.message, /^model_index\.json names StableDiffusionXLPipeline, but unet\/config\.json describes an SD 1\.x\/2\.x UNet \(cross_attention_dim 768, .*mixes parts of different model families/);

    const stray2 = refusal({ ...SD21, textEncoder2: true, textEncoder2Width: 1280 });
    assert.equal(stray2.file, FILES.textEncoder2);
    assert.match(stray2.message, /^text_encoder_2\/ is there \(SDXL's second text encoder\), but unet\/config\.json describes an SD 1\.x\/2\.x UNet \(cross_attention_dim 1024\)/);

    const widths = refusal({ ...SD21, textEncoderWidth: 768 });
    assert.equal(widths.file, FILES.textEncoderConfig);
    assert.match(widths.message, /^the text encoders give states 768 wide, but unet\/config\.json's cross_attention_dim is 1024: the folder mixes/);

    const xlWidths = refusal({ ...SDXL, textEncoderWidth: 1024 });
    assert.match(xlWidths.message, /^the text encoders give states 1024 \+ 1280 = 2304 wide, but unet\/config\.json's cross_attention_dim is 2048/);
  });

  it('asks for text_encoder_2 when an SDXL folder lacks it, and refuses the refiner', () => {
    const missing = refusal({ ...SDXL, textEncoder2: false });
    assert.equal(missing.code, 'model-missing');
    assert.equal(missing.file, FILES.textEncoder2);
    assert.match(missing.message, /^text_encoder_2\/model\.onnx is missing: an SDXL model needs its second text encoder/);
    const refiner = refusal({ ...SDXL, requiresAestheticsScore: true, crossAttentionDim: 1280 });
    assert.equal(refiner.code, 'model-invalid');
    assert.equal(refiner.file, FILES.modelIndex);
    assert.match(refiner.message, /SDXL's refiner/);
  });
});

describe('familyDefaults', () => {
  it('gives Turbo one step without guidance and LCM four with its embedded guidance', () => {
    assert.deepEqual(familyDefaults(detect(SDXL)), {});
    assert.deepEqual(familyDefaults({ architecture: 'sdxl', distilled: 'turbo', label: '' }), { steps: 1, cfg: 1 });
    assert.deepEqual(familyDefaults({ architecture: 'sd1', distilled: 'lcm', guidanceEmbedDim: 256, label: '' }), { steps: 4, cfg: 8.5 });
  });
});
