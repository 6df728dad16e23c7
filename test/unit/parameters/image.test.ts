import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { formatUserError } from '../../../src/core/errors';
import { addTextChunks } from '../../../src/core/image/png-text';
import { parseParametersText } from '../../../src/core/parameters/a1111-text';
import { parseComfyGraph } from '../../../src/core/parameters/comfyui';
import { exifUserComment, findExif } from '../../../src/core/parameters/exif';
import { imageParametersFromBytes, readImageParameters } from '../../../src/core/parameters/image';

const dir = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'parameters', 'images');
interface Fixture {
  origin: string;
  images: Record<string, { a1111Reads: string | null; otherText: string[] }>;
  comfyGraph: string;
}
// Images written by A1111 1.10.1's save_image_with_geninfo (and one as ComfyUI's SaveImage writes
// it), with what A1111's read_info_from_image reads from each: tools/reference/image_parameters.py.
const fixture = JSON.parse(readFileSync(join(dir, 'image-parameters.json'), 'utf8')) as Fixture;

const fields = (pairs: { key: string; value: string }[]) => Object.fromEntries(pairs.map((p) => [p.key, p.value]));

for (const [name, { a1111Reads }] of Object.entries(fixture.images)) {
  if (a1111Reads === null) continue;
  test(`${name}: reads the parameters A1111 reads from it`, async () => {
    const read = await readImageParameters(join(dir, name));
    assert.ok(read.ok, read.ok ? '' : formatUserError(read.error));
    assert.equal(read.value.source, 'a1111');
    const expected = parseParametersText(a1111Reads);
    assert.ok(expected.ok);
    assert.deepEqual(read.value.parameters, expected.value);
  });
}

test("JPEG and WebP: the EXIF UserComment is A1111's text to the character (UTF-16 through piexif)", async () => {
  for (const name of ['a1111.jpg', 'a1111.webp']) {
    const { exif } = await sharp(join(dir, name)).metadata();
    assert.ok(exif, `${name} has EXIF`);
    assert.equal(exifUserComment(exif), fixture.images[name]!.a1111Reads, 'from the EXIF block libvips finds');
    const ours = findExif(readFileSync(join(dir, name)), name.endsWith('.jpg') ? 'jpeg' : 'webp');
    assert.ok(ours, 'findExif finds the block');
    assert.equal(exifUserComment(ours), fixture.images[name]!.a1111Reads, 'from the block findExif finds');
  }
});

test("a ComfyUI PNG: the KSampler's settings and the texts wired to it, the 64-bit seed exact", async () => {
  const read = await readImageParameters(join(dir, 'comfyui.png'));
  assert.ok(read.ok, read.ok ? '' : formatUserError(read.error));
  assert.equal(read.value.source, 'comfyui');
  assert.equal(read.value.parameters.prompt, 'a lighthouse at dusk, \u00e9clairage \u201cdoux\u201d');
  assert.equal(read.value.parameters.negativePrompt, 'text, watermark');
  assert.deepEqual(fields(read.value.parameters.pairs), {
    Steps: '25',
    Sampler: 'DPM++ 2M',
    'Schedule type': 'Karras',
    'CFG scale': '7.5',
    Seed: '876543210987654321',
    Size: '512x768',
    Model: 'v1-5-pruned-emaonly.safetensors',
    RNG: 'CPU',
  });
});

test('an image without parameters, a file that is no image, and a missing file are errors naming the file', async () => {
  const plain = await readImageParameters(join(dir, 'plain.png'));
  assert.equal(plain.ok, false);
  if (!plain.ok) assert.match(formatUserError(plain.error), /plain\.png: .*has no generation parameters/);
  const scratch = mkdtempSync(join(tmpdir(), 'sdprompt-params-'));
  writeFileSync(join(scratch, 'notes.png'), 'not really a picture');
  const notImage = await readImageParameters(join(scratch, 'notes.png'));
  assert.ok(!notImage.ok && notImage.error.code === 'image-invalid' && /is not an image/.test(notImage.error.message));
  const missing = await readImageParameters(join(scratch, 'gone.png'));
  assert.ok(!missing.ok && /no such file/.test(missing.error.message));
  const gif = join(scratch, 'a.gif');
  await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).gif().toFile(gif);
  const gifRead = await readImageParameters(gif);
  assert.ok(!gifRead.ok && /is a GIF image/.test(gifRead.error.message));
});

test("a PNG whose parameters text is not A1111's says which line", async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'sdprompt-params-'));
  const png = Buffer.from(readFileSync(join(dir, 'plain.png')));
  writeFileSync(join(scratch, 'odd.png'), addTextChunks(png, { parameters: 'just a caption\nwith two lines' }));
  const read = await readImageParameters(join(scratch, 'odd.png'));
  assert.equal(read.ok, false);
  if (!read.ok) assert.match(formatUserError(read.error), /odd\.png: its parameters text, line 2: not A1111 generation parameters/);
});

test('ComfyUI graphs beyond the simple kind are refused, saying why', () => {
  const graph = JSON.parse(fixture.comfyGraph) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
  const variant = (change: (g: typeof graph) => void): string => {
    const copy = structuredClone(graph);
    change(copy);
    return JSON.stringify(copy);
  };
  const cases: [string, string][] = [
    ['{"3": ', /not JSON/.source],
    ['[1, 2]', /not an object of nodes/.source],
    [variant((g) => delete g['3']), /no KSampler or KSamplerAdvanced node/.source],
    [variant((g) => (g['10'] = structuredClone(g['3']!))), /2 sampler nodes \(3, 10\)/.source],
    [variant((g) => (g['6']!.class_type = 'CLIPTextEncodeSDXL')), /positive input comes from a CLIPTextEncodeSDXL node/.source],
    [variant((g) => (g['3']!.inputs['steps'] = ['11', 0])), /no plain value for Steps/.source],
  ];
  for (const [json, message] of cases) {
    const parsed = parseComfyGraph(json, 'x.png');
    assert.equal(parsed.ok, false, message);
    if (!parsed.ok) {
      assert.match(parsed.error.message, new RegExp(`^ComfyUI graph: .*${message}`));
      assert.equal(parsed.error.file, 'x.png');
    }
  }
});

test('KSamplerAdvanced, a denoise below 1 and a prompt from a one-value node are read', () => {
  const graph = JSON.parse(fixture.comfyGraph) as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
  const sampler = graph['3']!;
  sampler.class_type = 'KSamplerAdvanced';
  sampler.inputs['noise_seed'] = sampler.inputs['seed'];
  delete sampler.inputs['seed'];
  sampler.inputs['denoise'] = 0.6;
  sampler.inputs['sampler_name'] = 'euler_ancestral';
  sampler.inputs['scheduler'] = 'some_new_schedule';
  graph['6']!.inputs['text'] = ['12', 0];
  graph['12'] = { class_type: 'String Literal', inputs: { string: 'from a node, with "quotes": 12345678901234567890' } };
  // JSON.parse above rounded the 64-bit seed; put the exact one back into the text.
  const parsed = parseComfyGraph(JSON.stringify(graph).replace('876543210987654300', '876543210987654321'));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error.message);
  assert.equal(parsed.value.prompt, 'from a node, with "quotes": 12345678901234567890');
  const f = fields(parsed.value.pairs);
  assert.equal(f['Sampler'], 'Euler a');
  assert.equal(f['Schedule type'], 'some_new_schedule', 'an unknown name is kept as it is, for the importer to report');
  assert.equal(f['Denoising strength'], '0.6');
  assert.equal(f['Seed'], '876543210987654321');
});

test('the bytes of a file dropped from outside VS Code read as the file does, its name in messages', async () => {
  for (const name of ['a1111.webp', 'comfyui.png']) {
    const fromFile = await readImageParameters(join(dir, name));
    assert.deepEqual(imageParametersFromBytes(readFileSync(join(dir, name)), name), fromFile, name);
  }
  const plain = imageParametersFromBytes(readFileSync(join(dir, 'plain.png')), 'dropped.png');
  assert.ok(!plain.ok);
  assert.equal(plain.error.file, 'dropped.png');
  assert.match(plain.error.message, /dropped\.png: has no generation parameters/);
});
