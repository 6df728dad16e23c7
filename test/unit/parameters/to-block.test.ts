import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyTextEdits } from '../../../src/core/format/edit';
import { parseSdprompt } from '../../../src/core/format/parse';
import { a1111Parameters } from '../../../src/core/outputs/metadata';
import { parseParametersText } from '../../../src/core/parameters/a1111-text';
import { parseComfyGraph } from '../../../src/core/parameters/comfyui';
import { parametersFromText } from '../../../src/core/parameters/text';
import { blockFromParameters, planImport } from '../../../src/core/parameters/to-block';
import { resolveSampler } from '../../../src/core/schedulers';
import { request } from '../pipelines/fake-model';

function fromText(text: string, name?: string) {
  const parsed = parseParametersText(text);
  assert.ok(parsed.ok);
  return blockFromParameters(parsed.value, name);
}

/** The block parsed back as a file of its own: no errors, and its settings' values. */
function reparse(blockText: string) {
  const parsed = parseSdprompt(blockText + '\n');
  assert.deepEqual(parsed.diagnostics.filter((d) => d.severity === 'error'), [], 'the block parses without errors');
  const block = parsed.blocks[0]!;
  return { block, values: Object.fromEntries(Object.entries(block.settings).map(([k, e]) => [k, e!.text])) };
}

test('an A1111 text becomes a block with every setting sdprompt has, the rest as comments', () => {
  const { text, notes } = fromText(
    'masterpiece, (best quality:1.2), a cat\nNegative prompt: lowres, bad anatomy\nSteps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 1234567890, Size: 512x768, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Variation seed: 42, Variation seed strength: 0.3, Lora hashes: "add_detail: 7c6bad76eb54", Version: v1.10.1',
    '00012-1234567890',
  );
  assert.equal(
    text,
    [
      '--- 00012-1234567890',
      'masterpiece, (best quality:1.2), a cat',
      'negative: lowres, bad anatomy',
      'steps: 28',
      'sampler: DPM++ 2M Karras',
      'cfg: 7',
      'seed: 1234567890',
      'size: 512x768',
      'subseed: 42',
      'subseed_strength: 0.3',
      'rng: nv',
      '# Model hash: 6ce0161689',
      '# Model: v1-5-pruned-emaonly',
      '# Lora hashes: "add_detail: 7c6bad76eb54"',
      '# Version: v1.10.1',
    ].join('\n'),
  );
  assert.deepEqual(notes, []);
  const { block, values } = reparse(text);
  assert.equal(block.prompt.text, 'masterpiece, (best quality:1.2), a cat');
  assert.equal(block.settings.negative?.value, 'lowres, bad anatomy');
  assert.equal(values['seed'], '1234567890');
});

test('prompt lines that would read as settings, comments or separators are escaped; multi-line negatives continue', () => {
  const { text } = fromText('style: watercolor\n# not a comment\n--- not a separator\nplain line\nNegative prompt: one\ntwo: three\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512, RNG: CPU');
  const { block } = reparse(text);
  assert.equal(block.prompt.text, 'style: watercolor\n# not a comment\n--- not a separator\nplain line');
  assert.equal(block.settings.negative?.value, 'one\ntwo: three');
  assert.equal(block.settings.rng?.value, 'torch');
});

test('what sdprompt writes into its images imports back to the same settings', () => {
  const settings = request({
    prompt: 'a (red:1.2) circle, on: blue',
    negativePrompt: 'blurry\nsoft',
    seed: 4242,
    steps: 30,
    cfg: 6.5,
    sampler: resolveSampler('lms_karras')!,
    width: 768,
    height: 512,
    rng: 'torch',
  });
  const { text, notes } = fromText(a1111Parameters(settings, { name: 'demo', path: 'x', sha256: { unet: 'ab'.repeat(32) } }));
  assert.deepEqual(notes, []);
  const { block, values } = reparse(text);
  assert.equal(block.prompt.text, settings.prompt);
  assert.equal(block.settings.negative?.value, settings.negativePrompt);
  assert.deepEqual(values, { negative: 'blurry\nsoft', steps: '30', sampler: 'LMS Karras', cfg: '6.5', seed: '4242', size: '768x512', rng: 'torch' });
});

test('A1111’s Exponential schedule type and the newer samplers import by name', () => {
  const { text, notes } = fromText('p\nSteps: 20, Sampler: DPM++ 2M SDE, Schedule type: Exponential, CFG scale: 7, Seed: 1, Size: 512x512');
  assert.deepEqual(notes, []);
  assert.equal(reparse(text).values['sampler'], 'DPM++ 2M SDE Exponential');
  assert.equal(resolveSampler('DPM++ 2M SDE Exponential')?.schedule, 'exponential');
  for (const sampler of ['Heun', 'DPM2 a', 'DPM++ SDE', 'DPM++ 2S a', 'UniPC', 'LCM', 'DDPM', 'DEIS']) {
    const imported = fromText(`p\nSteps: 20, Sampler: ${sampler}, Schedule type: Automatic, CFG scale: 7, Seed: 1, Size: 512x512`);
    assert.deepEqual(imported.notes, [], sampler);
    assert.equal(reparse(imported.text).values['sampler'], sampler);
  }
});

test('what this format cannot hold is kept as a comment, with a note that says why and where', () => {
  const { text, notes } = fromText('p\nSteps: 0, Sampler: DPM++ 3M SDE, Schedule type: SGM Uniform, CFG scale: 7, Seed: 99999999999, Size: 500x512, RNG: NV, Seed: 3');
  const { values } = reparse(text);
  assert.deepEqual(values, { cfg: '7', rng: 'nv', seed: '3' });
  assert.match(text, /^# Steps: 0 {2}\(steps must be from 1 to 1000, not 0\)$/m);
  assert.match(text, /^# Seed: 99999999999 {2}\(repeated; the last one counts\)$/m);
  assert.deepEqual(
    notes.map((n) => [n.key, n.line, n.column]),
    [
      ['Steps', 2, 1],
      ['Schedule type', 2, 34],
      ['Sampler', 2, 11],
      ['Size', 2, 95],
    ],
  );
  assert.match(notes.find((n) => n.key === 'Sampler')!.message, /sampler 'DPM\+\+ 3M SDE' is not available here; the nearest is 'DPM\+\+ 2M SDE'; the model's own sampler is used/);
  assert.match(notes.find((n) => n.key === 'Schedule type')!.message, /schedule type 'SGM Uniform' is not available here \(Automatic, Karras and Exponential are\)/);
  assert.match(notes.find((n) => n.key === 'Size')!.message, /width 500 is not a multiple of 8/);
});

test('a seed beyond 32 bits: exact for torch (its low bits), a note for the others', () => {
  const torch = fromText('p\nSteps: 20, CFG scale: 7, Seed: 876543210987654321, RNG: CPU');
  assert.match(torch.text, /^seed: 20122801$/m, '876543210987654321 mod 2^32');
  assert.match(torch.text, /^# Seed: 876543210987654321 {2}\(torch keeps a seed's low 32 bits: seed 20122801 gives the same noise\)$/m);
  assert.deepEqual(torch.notes, []);
  const nv = fromText('p\nSteps: 20, CFG scale: 7, Seed: 876543210987654321');
  assert.doesNotMatch(nv.text, /^seed:/m);
  assert.match(nv.notes[0]!.message, /larger than 4294967295.*cannot be made again here/);
});

test('a ComfyUI graph imports with torch noise and its names in A1111 terms', () => {
  const graph = {
    '3': { class_type: 'KSampler', inputs: { seed: 5, steps: 25, cfg: 7.5, sampler_name: 'euler_ancestral', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5.safetensors' } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: 1 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a lighthouse', clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
  };
  const parsed = parseComfyGraph(JSON.stringify(graph));
  assert.ok(parsed.ok);
  const { text, notes } = blockFromParameters(parsed.value, 'ComfyUI_00001_');
  const { values } = reparse(text);
  assert.deepEqual(values, { steps: '25', sampler: 'Euler a', cfg: '7.5', seed: '5', size: '512x512', rng: 'torch' });
  assert.deepEqual(notes.map((n) => [n.key, n.line]), [['Schedule type', undefined]], 'ComfyUI notes have no text position');
  assert.match(text, /^# Model: v1-5\.safetensors$/m);
});

test('pasted text: a ComfyUI graph when it is JSON, else A1111 parameters, else the reason', () => {
  const comfy = parametersFromText('  {"1": {"class_type": "Note", "inputs": {}}}');
  assert.ok(!comfy.ok && /^ComfyUI graph: no KSampler/.test(comfy.error.message));
  const a1111 = parametersFromText('a cat\nSteps: 20, Sampler: Euler, CFG scale: 7');
  assert.ok(a1111.ok && a1111.value.prompt === 'a cat');
  const neither = parametersFromText('just some words I copied');
  assert.ok(!neither.ok && /not A1111 generation parameters/.test(neither.error.message));
});

test('planImport adds several blocks at once, names numbered against the file and each other', () => {
  const parsed = parseSdprompt('--- cat\na\n');
  const parameters = parseParametersText('x\nSteps: 20, CFG scale: 7, Seed: 1');
  assert.ok(parameters.ok);
  const { edits, notes } = planImport(parsed, [
    { parameters: parameters.value, name: 'cat' },
    { parameters: parameters.value, name: 'cat' },
    { parameters: parameters.value },
  ]);
  const text = applyTextEdits('--- cat\na\n', edits);
  assert.deepEqual(parseSdprompt(text).blocks.map((b) => b.name), ['cat', 'cat-2', 'cat-3', undefined]);
  assert.deepEqual(notes, [[], [], []]);
});

test("Denoising strength is strength for an image-to-image run, a comment for the hires fix's", () => {
  const img2img = fromText('p\nSteps: 20, CFG scale: 7, Seed: 1, Denoising strength: 0.6, RNG: CPU');
  assert.match(img2img.text, /^strength: 0\.6$/m);
  assert.match(img2img.notes[0]!.message, /add 'init:'/);
  const hires = fromText('p\nSteps: 20, CFG scale: 7, Seed: 1, Denoising strength: 0.7, Hires upscale: 2, RNG: CPU');
  assert.doesNotMatch(hires.text, /^strength:/m);
  assert.match(hires.text, /^# Denoising strength: 0\.7 {2}\(the hires fix's; sdprompt has no hires fix\)$/m);
});
