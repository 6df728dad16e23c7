import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatUserError } from '../../../src/core/errors';
import { DEFAULTS, type ImageSettings } from '../../../src/core/jobs/image-settings';
import { a1111Parameters } from '../../../src/core/outputs/metadata';
import { parseParametersText, quoteValue, type GenerationParameters } from '../../../src/core/parameters/a1111-text';
import { resolveSampler } from '../../../src/core/schedulers';

interface Parsed {
  text: string;
  prompt: string;
  negativePrompt: string;
  fields: Record<string, unknown>;
}
interface Fixture {
  origin: string;
  defaults: Record<string, unknown>;
  written: Parsed[];
  cases: Parsed[];
  quote: { value: string; quoted: string }[];
}

// A1111 1.10.1's parse_generation_parameters and quote, run by tools/reference/a1111_infotext.py.
const fixture = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'parameters', 'a1111-infotext.json'), 'utf8'),
) as Fixture;

/** Our parse in A1111's shape: the last value of each key, sizes split, A1111's defaults left out. */
function asA1111Fields(parsed: GenerationParameters): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const { key, value } of parsed.pairs) {
    const size = /^(\d+)x(\d+)$/.exec(value);
    if (size) {
      fields[`${key}-1`] = size[1];
      fields[`${key}-2`] = size[2];
    } else fields[key] = value;
  }
  for (const [key, value] of Object.entries(fixture.defaults)) if (fields[key] === value) delete fields[key];
  return fields;
}

test('quoting is A1111 quote(), value for value', () => {
  for (const { value, quoted } of fixture.quote) assert.equal(quoteValue(value), quoted, JSON.stringify(value));
});

for (const c of [...fixture.written, ...fixture.cases]) {
  test(`reads ${JSON.stringify(c.text.slice(0, 50))}… as A1111 does`, () => {
    const parsed = parseParametersText(c.text);
    if (Object.keys(c.fields).length === 0) {
      assert.equal(parsed.ok, false, 'A1111 finds no settings: so is it an error here');
      return;
    }
    assert.ok(parsed.ok, parsed.ok ? '' : formatUserError(parsed.error));
    assert.equal(parsed.value.prompt, c.prompt);
    assert.equal(parsed.value.negativePrompt, c.negativePrompt);
    const expected = { ...c.fields };
    delete expected['Emphasis']; // A1111 derives it from the prompt's brackets, not from the text
    assert.deepEqual(asA1111Fields(parsed.value), expected);
  });
}

const model = { name: 'sd-v1-5, "onnx": fp16', path: 'x', sha256: { unet: '0123456789abcdef' } };
function settings(overrides: Partial<ImageSettings>): ImageSettings {
  const { strength, resize, maskBlur, maskedContent, inpaintArea, padding } = DEFAULTS;
  const image = { strength, resize, maskInvert: false, maskBlur, maskedContent, inpaintArea, padding, subseed: 0, subseedStrength: 0, watermark: true };
  return { prompt: 'p', negativePrompt: '', seed: 1, steps: 20, cfg: 7, sampler: resolveSampler('euler_a')!, width: 512, height: 512, rng: 'numpy', ...image, ...overrides };
}

test('the writer writes the texts A1111 was checked to read (keys in create_infotext order)', () => {
  const written = [
    settings({ prompt: 'a red circle' }),
    settings({
      prompt: 'a (red:1.2) circle, "quoted", on: blue\nsecond line',
      negativePrompt: 'blurry, low quality\nugly',
      seed: 4294967295,
      steps: 30,
      cfg: 7.5,
      sampler: resolveSampler('DPM++ 2M Karras')!,
      width: 768,
      rng: 'torch',
    }),
    settings({ prompt: '  spaced prompt  ', negativePrompt: 'Negative prompt: nested', seed: 0, steps: 1, cfg: 0, sampler: resolveSampler('ddim')!, width: 64, height: 64, rng: 'nv' }),
  ].map((s) => a1111Parameters(s, model).replace(/sdprompt \S+$/, 'sdprompt 0.1.0'));
  assert.deepEqual(written, fixture.written.map((w) => w.text));
});

// A1111 1.10.1's create_infotext key order, read from its source by tools/reference/a1111_infotext_order.py.
const order = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'parameters', 'a1111-infotext-order.json'), 'utf8'),
) as { origin: string; generation_params: string[]; img2img_extra: string[] };

/** Every key A1111 can write, in the order it writes them: the dict's keys with img2img's extras spliced in, a repeated key in its first place. */
function a1111KeyOrder(): string[] {
  const keys: string[] = [];
  for (const key of order.generation_params.flatMap((k) => (k === '**extra_generation_params' ? order.img2img_extra : [k]))) {
    if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

test('every key the writer writes is one A1111 writes, in the order create_infotext writes it', () => {
  assert.match(order.origin, /v1\.10\.1/);
  const file = { path: '/x/in.png', spec: 'in.png' };
  const full = settings({
    subseed: 42,
    subseedStrength: 0.3,
    rng: 'torch',
    init: file,
    strength: 0.6,
    mask: file,
    maskInvert: true,
    maskBlur: 4,
    inpaintArea: 'masked',
    padding: 32,
    maskedContent: 'fill',
  });
  const parsed = parseParametersText(a1111Parameters(full, model));
  assert.ok(parsed.ok);
  const keys = parsed.value.pairs.map((p) => p.key);
  assert.deepEqual(keys, [
    'Steps', 'Sampler', 'Schedule type', 'CFG scale', 'Seed', 'Size', 'Model hash', 'Model', 'Variation seed', 'Variation seed strength',
    'Denoising strength', 'RNG', 'Mask mode', 'Mask blur', 'Inpaint area', 'Masked area padding', 'Masked content', 'Version',
  ]);
  const a1111 = a1111KeyOrder();
  const positions = keys.map((k) => a1111.indexOf(k));
  assert.ok(!positions.includes(-1), `keys A1111 does not write: ${keys.filter((_, i) => positions[i] === -1).join(', ')}`);
  assert.deepEqual(positions, [...positions].sort((a, b) => a - b), `A1111's order: ${a1111.join(', ')}`);
});

test('what the writer writes reads back to the same settings', () => {
  const text = a1111Parameters(settings({ prompt: 'one, two: three', negativePrompt: 'x\ny', cfg: 6.5, rng: 'nv' }), model);
  const parsed = parseParametersText(text);
  assert.ok(parsed.ok);
  assert.equal(parsed.value.prompt, 'one, two: three');
  assert.equal(parsed.value.negativePrompt, 'x\ny');
  const fields = Object.fromEntries(parsed.value.pairs.map((p) => [p.key, p.value]));
  assert.equal(fields['CFG scale'], '6.5');
  assert.equal(fields['RNG'], 'NV');
  assert.equal(fields['Model'], model.name);
});

test('a text without a settings line is an error at its last line, naming the source', () => {
  const parsed = parseParametersText('a cat\non a mat\n', 'cat.png');
  assert.equal(parsed.ok, false);
  if (parsed.ok) return;
  assert.equal(parsed.error.file, 'cat.png');
  assert.equal(parsed.error.line, 2);
  assert.match(formatUserError(parsed.error), /^cat\.png:2:1: not A1111 generation parameters/);
});

test('pairs know their line and column, for messages', () => {
  const parsed = parseParametersText('\n\nprompt\nSteps: 20,  Sampler: Euler, CFG scale: 7');
  assert.ok(parsed.ok);
  assert.deepEqual(
    parsed.value.pairs.map((p) => [p.key, p.line, p.column]),
    [
      ['Steps', 3, 0],
      ['Sampler', 3, 12],
      ['CFG scale', 3, 28],
    ],
  );
});
