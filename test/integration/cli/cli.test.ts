// The `sdprompt` command as users run it: the built dist/cli.js in a child process.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { imageNoise } from '../../../src/core/noise';
import { testModelDir } from '../../../tools/test-models/test-dir';
import { CLI, ROOT, sdprompt } from './run-cli';


function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'sdprompt-cli-'));
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('sdprompt CLI', () => {
  test('parse prints blocks with A1111 weights as JSON', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'p.sdprompt'), 'steps: 30\n--- house\na (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).\nseed: 1..3\nnegative: (ugly)\n');
    const { code, stdout } = sdprompt(['parse', 'p.sdprompt'], dir);
    assert.equal(code, 0);
    const parsed = JSON.parse(stdout);
    assert.deepEqual(parsed.header, { steps: 30 });
    assert.equal(parsed.blocks[0].name, 'house');
    assert.deepEqual(parsed.blocks[0].settings, { seed: [1, 2, 3] });
    assert.deepEqual(parsed.blocks[0].prompt, [
      { text: 'a ', weight: 1 },
      { text: 'house', weight: 1.573 },
      { text: ' ', weight: 1.1 },
      { text: 'on', weight: 1 },
      { text: ' a ', weight: 1.1 },
      { text: 'hill', weight: 0.55 },
      { text: ', sun, ', weight: 1.1 },
      { text: 'sky', weight: 1.4641 },
      { text: '.', weight: 1.1 },
    ]);
    assert.deepEqual(parsed.blocks[0].negative, [{ text: 'ugly', weight: 1.1 }]);
    assert.deepEqual(parsed.diagnostics, []);
  });

  test('parse exits 1 on errors and reports them with line and column', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'bad.sdprompt'), '--- a\nred\nstpes: 3\n');
    const { code, stdout } = sdprompt(['parse', 'bad.sdprompt'], dir);
    assert.equal(code, 1);
    assert.deepEqual(JSON.parse(stdout).diagnostics[0], {
      severity: 'error',
      message: "unknown setting 'stpes'; did you mean 'steps'?",
      line: 3,
      column: 1,
      endLine: 3,
      endColumn: 6,
      code: 'unknown-setting',
    });
  });

  test('run refuses a file with errors: exit 1, file:line:column on stderr, no outputs', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'bad.sdprompt'), `model: ${testModelDir('optimum')}\n--- a\nred\nsize: 100x64\n`);
    const { code, stderr } = sdprompt(['run', 'bad.sdprompt'], dir);
    assert.equal(code, 1);
    assert.match(stderr, /bad\.sdprompt:4:7: error: width 100 is not a multiple of 8/);
    assert.deepEqual(readdirSync(dir), ['bad.sdprompt']);
  });

  test('run --json writes each block\'s images beside the file and reports each one', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'shapes.sdprompt'), `model: ${testModelDir('optimum')}\nsteps: 2\n--- one\nred\nseed: 1, 2\n--- two\nblue\nseed: 9\n`);
    const { code, stdout, stderr } = sdprompt(['run', 'shapes.sdprompt', '--json'], dir);
    assert.equal(code, 0, stderr);
    const events = jsonLines(stdout);
    const images = events.filter((e) => e['event'] === 'image');
    assert.deepEqual(
      images.map((e) => [path.basename(e['path'] as string), e['seed'], e['block']]),
      [['one-1.png', 1, 'one'], ['one-2.png', 2, 'one'], ['two-9.png', 9, 'two']],
    );
    for (const e of images) assert.ok(existsSync(e['path'] as string));
    assert.deepEqual(events.at(-1), { event: 'done', images: 3, errors: 0, cancelled: false });
    assert.equal(events.filter((e) => e['event'] === 'progress').length, 3 * 3);
  });

  test('a two-call sampler reports its steps and its UNet calls; --schedule overrides the file; the recipe and parameters name the schedule that ran', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'h.sdprompt'), `model: ${testModelDir('optimum')}\nsteps: 3\n--- heun\nred\nseed: 1\nsampler: Heun\nschedule: exponential\n`);
    const { code, stdout, stderr } = sdprompt(['run', 'h.sdprompt', '--schedule', 'karras', '--json'], dir);
    assert.equal(code, 0, stderr);
    const events = jsonLines(stdout);
    const progress = events.filter((e) => e['event'] === 'progress').map((e) => [e['step'], e['total'], e['call'], e['calls']]);
    assert.deepEqual(progress, [[0, 3, 1, 5], [1, 3, 2, 5], [1, 3, 3, 5], [2, 3, 4, 5], [3, 3, 5, 5]]);
    const image = events.find((e) => e['event'] === 'image')!;
    const recipe = JSON.parse(readFileSync(image['recipe'] as string, 'utf8'));
    assert.deepEqual(recipe.sampler, { name: 'heun_karras', a1111: 'Heun', diffusersClass: 'HeunDiscreteScheduler', schedule: 'karras' });
    assert.match(readFileSync(image['path'] as string).toString('latin1'), /Sampler: Heun, Schedule type: Karras, CFG scale/);
    const bad = sdprompt(['run', 'h.sdprompt', '--schedule', 'exponentail'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--schedule: unknown schedule type 'exponentail'; did you mean 'exponential'\?/);
  });

  test('run --block picks one block by name or number', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 's.sdprompt'), `model: ${testModelDir('optimum')}\nsteps: 1\n--- one\nred\nseed: 1\n--- two\nblue\nseed: 2\n`);
    assert.equal(sdprompt(['run', 's.sdprompt', '--block', 'two'], dir).code, 0);
    assert.equal(sdprompt(['run', 's.sdprompt', '--block', '1'], dir).code, 0);
    assert.deepEqual(readdirSync(path.join(dir, 's')).sort(), ['one-1.json', 'one-1.png', 'two-2.json', 'two-2.png']);
    const missing = sdprompt(['run', 's.sdprompt', '--block', 'three'], dir);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no block 'three' in the file; blocks: 'one', 'two'/);
  });

  test('a missing model folder: exit 3 and a message naming it', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 's.sdprompt'), 'red\nseed: 1\n');
    const { code, stderr } = sdprompt(['run', 's.sdprompt', '--model', 'nowhere'], dir);
    assert.equal(code, 3);
    assert.ok(stderr.includes(path.join(dir, 'nowhere')), stderr);
    assert.ok(!existsSync(path.join(dir, 's')));
  });

  test('generate makes an image set without a prompt file', () => {
    const dir = tempDir();
    const model = testModelDir('legacy');
    const { code, stdout, stderr } = sdprompt(
      ['generate', '--prompt', 'a (red:1.3) square', '--negative', 'blue', '--seed', '4..5', '--steps', '2', '--cfg', '5', '--sampler', 'DPM++ 2M Karras', '--size', '24x16', '--model', model, '--out', 'imgs', '--json'],
      dir,
    );
    assert.equal(code, 0, stderr);
    const images = jsonLines(stdout).filter((e) => e['event'] === 'image');
    assert.deepEqual(images.map((e) => path.basename(e['path'] as string)), ['a-red-square-4.png', 'a-red-square-5.png']);
    const recipe = JSON.parse(readFileSync(path.join(dir, 'imgs', 'a-red-square-4.json'), 'utf8'));
    assert.deepEqual([recipe.prompt, recipe.negativePrompt, recipe.cfg, recipe.sampler.name, recipe.size.width, recipe.source], ['a (red:1.3) square', 'blue', 5, 'dpmpp_2m_karras', 24, undefined]);
  });

  test('--low-memory (the text encoder released after encoding, reloaded for the next seed) makes the same images', () => {
    const dir = tempDir();
    const model = testModelDir('legacy');
    const args = ['generate', '--prompt', 'a (red:1.3) square', '--seed', '4..5', '--steps', '2', '--size', '24x16', '--model', model];
    for (const [out, extra] of [['kept', []], ['low', ['--low-memory']]] as const) {
      const { code, stderr } = sdprompt([...args, ...extra, '--out', out], dir);
      assert.equal(code, 0, stderr);
    }
    for (const seed of [4, 5]) {
      const recipe = (out: string) => JSON.parse(readFileSync(path.join(dir, out, `a-red-square-${seed}.json`), 'utf8'));
      assert.match(recipe('kept').imageSha256, /^[0-9a-f]{64}$/);
      assert.equal(recipe('low').imageSha256, recipe('kept').imageSha256, `seed ${seed}`);
    }
  });

  test('generate checks its options like the file format does: exit 2', () => {
    const { code, stderr } = sdprompt(['generate', '--prompt', 'x', '--size', '30x30']);
    assert.equal(code, 2);
    assert.match(stderr, /--size: width 30 is not a multiple of 8/);
    assert.equal(sdprompt(['frobnicate']).code, 2);
    assert.equal(sdprompt(['run']).code, 2);
  });

  test('Ctrl+C stops after the current step: exit 130, finished images kept, nothing half-written', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 's.sdprompt'), `model: ${testModelDir('optimum')}\nsize: 256x256\n--- a\nred\nseed: 1, 2\nsteps: 500\n--- b\nblue\nseed: 3\nsteps: 2\n`);
    const child = spawn(process.execPath, [CLI, 'run', 's.sdprompt', '--block', 'a', '--json'], { cwd: dir });
    let out = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('"step":3,') && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    assert.equal(code, 130);
    const events = jsonLines(out);
    assert.deepEqual(events.at(-1), { event: 'done', images: 0, errors: 0, cancelled: true });
    assert.ok(events.filter((e) => e['event'] === 'progress').length < 500);
    const written = existsSync(path.join(dir, 's')) ? readdirSync(path.join(dir, 's')) : [];
    assert.deepEqual(written, []);
  });

  test('tokenize prints 77-token chunks with weights', () => {
    const { code, stdout } = sdprompt(['tokenize', '--model', testModelDir('optimum'), 'a (b:1.5)']);
    assert.equal(code, 0);
    const { chunks } = JSON.parse(stdout);
    assert.equal(chunks.length, 1);
    assert.equal(chunks[0].ids.length, 77);
    assert.equal(chunks[0].weights.length, 77);
    assert.equal(chunks[0].ids[0], 521); // the test tokenizer's BOS
    assert.ok(chunks[0].weights.includes(1.5));
  });

  test('debug noise gives numpy.random.RandomState(seed).randn', () => {
    const { code, stdout } = sdprompt(['debug', 'noise', '--seed', '0', '--shape', '1,4,8,8']);
    assert.equal(code, 0);
    const { values } = JSON.parse(stdout);
    assert.equal(values.length, 256);
    // numpy: RandomState(0).randn(4) = 1.76405235, 0.40015721, 0.97873798, 2.2408932
    assert.deepEqual(values.slice(0, 4).map((v: number) => Number(v.toFixed(6))), [1.764052, 0.400157, 0.978738, 2.240893]);
  });

  test('debug noise --rng torch and nv give torch.randn and A1111\'s Philox', () => {
    const torch = JSON.parse(sdprompt(['debug', 'noise', '--seed', '0', '--shape', '4', '--rng', 'torch']).stdout);
    // torch.manual_seed(0); torch.randn(4) → 1.5410, -0.2934, -2.1788, 0.5684
    assert.deepEqual(torch.values.map((v: number) => Number(v.toFixed(4))), [1.541, -0.2934, -2.1788, 0.5684]);
    const nv = JSON.parse(sdprompt(['debug', 'noise', '--seed', '0', '--shape', '3,4', '--rng', 'nv']).stdout);
    // rng_philox.Generator(0).randn((3, 4)) starts -0.92466, -0.42534, -2.64385, 0.14518
    assert.deepEqual(nv.values.slice(0, 4).map((v: number) => Number(v.toFixed(4))), [-0.9247, -0.4253, -2.6438, 0.1452]);
    const bad = sdprompt(['debug', 'noise', '--seed', '0', '--rng', 'troch']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--rng: unknown rng 'troch'; did you mean 'torch'\?/);
    assert.match(sdprompt(['debug', 'noise', '--seed', '0', '--rng', 'cuda']).stderr, /--rng: unknown rng 'cuda'; known: numpy, torch, nv/);
  });

  test('debug noise takes each source\'s own seed range: 64 bits for torch and NV, 32 for numpy', () => {
    // torch.manual_seed keeps a seed's low 32 bits for the CPU generator: 2^32 + 0 is seed 0's noise.
    const wide = JSON.parse(sdprompt(['debug', 'noise', '--seed', '4294967296', '--shape', '4', '--rng', 'torch']).stdout);
    assert.deepEqual(wide.values.map((v: number) => Number(v.toFixed(4))), [1.541, -0.2934, -2.1788, 0.5684]);
    const top = sdprompt(['debug', 'noise', '--seed', '18446744073709551615', '--shape', '4', '--rng', 'nv']);
    assert.equal(top.code, 0, top.stderr);
    assert.equal(JSON.parse(top.stdout).seed, '18446744073709551615');
    const numpy = sdprompt(['debug', 'noise', '--seed', '4294967296', '--rng', 'numpy']);
    assert.equal(numpy.code, 2);
    assert.match(numpy.stderr, /--seed: numpy seeds are whole numbers from 0 to 4294967295, not 4294967296/);
    assert.match(sdprompt(['debug', 'noise', '--seed', '18446744073709551616', '--rng', 'nv']).stderr, /--seed: nv seeds are whole numbers from 0 to 18446744073709551615/);
  });

  test('debug noise with a variation seed gives the starting noise A1111\'s ImageRNG gives', () => {
    // A1111 1.10.1's ImageRNG(shape, [seed], subseeds=[subseed], subseed_strength).first(), from tools/reference/noise_a1111.py.
    const fixture = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/noise/a1111.json'), 'utf8')) as {
      imageRng: { rng: string; seed: number; subseed: number; strength: number; ensd: number; shape: number[]; initial?: number[] }[];
    };
    const c = fixture.imageRng.find((x) => x.rng === 'NV' && x.seed === 3141592653 && x.ensd === 0 && x.initial)!;
    const args = ['debug', 'noise', '--rng', 'nv', '--seed', String(c.seed), '--subseed', String(c.subseed), '--subseed-strength', String(c.strength), '--shape', `1,${c.shape.join(',')}`];
    const run = sdprompt(args);
    assert.equal(run.code, 0, run.stderr);
    const { values } = JSON.parse(run.stdout) as { values: number[] };
    const same = imageNoise({ rng: 'nv', seed: c.seed, subseed: c.subseed, subseedStrength: c.strength, shape: c.shape as [number, number, number] }).initial;
    assert.deepEqual(values, Array.from(same), 'the pipeline\'s own starting noise');
    // torch takes acos and sin from Sleef: a value here and there differs from A1111's in its last bit.
    const worst = Math.max(...values.map((v, i) => Math.abs(v - c.initial![i]!)));
    assert.ok(worst <= 1e-6, `within float32 rounding of A1111's: ${worst}`);
    const lone = sdprompt(['debug', 'noise', '--seed', '1', '--subseed', '2']);
    assert.equal(lone.code, 2);
    assert.match(lone.stderr, /--subseed and --subseed-strength go together/);
    const flat = sdprompt(['debug', 'noise', '--seed', '1', '--subseed', '2', '--subseed-strength', '0.5', '--shape', '4,8,8']);
    assert.match(flat.stderr, /--subseed needs the shape of one image, 1,C,H,W/);
  });

  test('import prints a block per image, or adds them to a prompt file without losing anything', () => {
    const images = path.join(ROOT, 'test/fixtures/parameters/images');
    const printed = sdprompt(['import', path.join(images, 'a1111.jpg'), path.join(images, 'comfyui.png')]);
    assert.equal(printed.code, 0, printed.stderr);
    assert.match(printed.stdout, /^--- a1111\na \(red:1\.2\) circle, café — été\nnegative: blurry, "soft"\nsteps: 28\nsampler: DPM\+\+ 2M Karras\ncfg: 6\.5\nseed: 1234567890\nsize: 16x16\nrng: nv\n/);
    assert.match(printed.stdout, /\n\n--- comfyui\na lighthouse at dusk, éclairage “doux”\nnegative: text, watermark\nsteps: 25\n/);

    const dir = tempDir();
    const file = path.join(dir, 'imported.sdprompt');
    writeFileSync(file, 'a cat\nseed: 1\n');
    const first = sdprompt(['import', '--into', 'imported.sdprompt', path.join(images, 'a1111-latin1.png'), path.join(images, 'plain.png'), 'gone.png'], dir);
    assert.equal(first.code, 1, 'two of the images carry nothing to import');
    assert.match(first.stderr, /plain\.png: .*has no generation parameters/);
    assert.match(first.stderr, /gone\.png: no such file/);
    sdprompt(['import', '--into', 'imported.sdprompt', path.join(images, 'a1111-latin1.png')], dir);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^---\na cat\nseed: 1\n\n--- a1111-latin1\na red circle\n[^]*\n\n--- a1111-latin1-2\na red circle\n/);
    const parsed = JSON.parse(sdprompt(['parse', 'imported.sdprompt'], dir).stdout);
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual(parsed.blocks[1].settings, { steps: 20, sampler: 'euler_a', cfg: 7, seed: [7], size: { width: 16, height: 16 }, rng: 'torch' });
    assert.deepEqual(readdirSync(dir).sort(), ['imported.sdprompt'], 'no temporary file left behind');
  });

  test('generate marks a 256x256 image so that watermark read finds it; --no-watermark and the noise flags reach the recipe', () => {
    const dir = tempDir();
    // At 2 steps the picture is still a smooth blur, where the method loses bits (98 of 136); 4 steps give detail.
    const base = ['generate', '--prompt', 'a red circle on a blue background', '--seed', '3', '--steps', '4', '--size', '256x256'];
    assert.equal(sdprompt([...base, '--out', 'on'], dir).code, 0);
    assert.equal(sdprompt([...base, '--out', 'off', '--no-watermark', '--rng', 'torch', '--subseed', '9', '--subseed-strength', '0.5'], dir).code, 0);
    const read = (folder: string) => sdprompt(['watermark', 'read', path.join(dir, folder, 'a-red-circle-on-a-blue-background-3.png')]).stdout;
    assert.match(read('on'), /: StableDiffusionV1 \(136 of 136 bits\)/);
    assert.match(read('off'), /: no known watermark/);
    const recipe = (folder: string) => JSON.parse(readFileSync(path.join(dir, folder, 'a-red-circle-on-a-blue-background-3.json'), 'utf8'));
    assert.equal(recipe('on').watermark, 'StableDiffusionV1');
    assert.deepEqual([recipe('off').watermark, recipe('off').rng, recipe('off').subseed, recipe('off').subseedStrength], ['off', 'torch', 9, 0.5]);
    const bad = sdprompt([...base, '--subseed-strength', '2'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--subseed-strength: subseed_strength must be a number from 0 to 1/);
  });

  test('watermark read names the mark each image carries, or says why not', () => {
    const dir = tempDir();
    const sdxl = path.join(ROOT, 'test/fixtures/watermark/library-marked-sdxl.png');
    const small = path.join(ROOT, 'test/fixtures/parameters/images/plain.png');
    const { code, stdout } = sdprompt(['watermark', 'read', sdxl, small, path.join(dir, 'gone.png')]);
    assert.equal(code, 1, 'a missing image is bad input');
    assert.deepEqual(stdout.trim().split('\n'), [
      `${sdxl}: SDXL (diffusers) (48 of 48 bits)`,
      `${small}: too small for the watermark method (16x16; it needs 256x256 pixels)`,
    ]);
    const json = jsonLines(sdprompt(['watermark', 'read', '--json', sdxl]).stdout)[0]!;
    assert.equal(json['watermark'], 'SDXL (diffusers)');
  });

  test('debug schedule equals diffusers for SD 1.5\'s config', () => {
    const fixture = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/schedulers/sd15.json'), 'utf8'));
    const reference = fixture.samplers.euler.schedules.find((s: { steps: number }) => s.steps === 20);
    const { code, stdout } = sdprompt(['debug', 'schedule', '--sampler', 'Euler', '--steps', '20']);
    assert.equal(code, 0);
    const schedule = JSON.parse(stdout);
    assert.equal(schedule.timesteps.length, 20);
    schedule.timesteps.forEach((t: number, i: number) => assert.ok(Math.abs(t - reference.timesteps[i]) < 1e-4));
    schedule.sigmas.forEach((s: number, i: number) => assert.ok(Math.abs(s - reference.sigmas[i]) <= 1e-6 * Math.abs(reference.sigmas[i])));
  });

  test('debug schedule takes --schedule, and the old combined names, as A1111 does', () => {
    const fixture = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/schedulers/sd15.json'), 'utf8'));
    const reference = (name: string, steps: number) => fixture.samplers[name].schedules.find((s: { steps: number }) => s.steps === steps);
    const split = sdprompt(['debug', 'schedule', '--sampler', 'DPM++ 2M', '--schedule', 'Karras', '--steps', '20']);
    const combined = sdprompt(['debug', 'schedule', '--sampler', 'DPM++ 2M Karras', '--steps', '20']);
    assert.equal(split.code, 0, split.stderr);
    assert.equal(split.stdout, combined.stdout);
    const karras = JSON.parse(split.stdout);
    assert.deepEqual([karras.sampler, karras.schedule, karras.timesteps], ['DPM++ 2M', 'karras', reference('dpmpp_2m_karras', 20).timesteps]);
    // Heun calls the UNet twice a step but for the last: 2n − 1 timesteps and sigmas, and the final sigma.
    const heun = JSON.parse(sdprompt(['debug', 'schedule', '--sampler', 'heun', '--schedule', 'exponential', '--steps', '10']).stdout);
    assert.equal(heun.timesteps.length, 19);
    heun.sigmas.forEach((s: number, i: number) => assert.ok(Math.abs(s - reference('heun_exponential', 10).sigmas[i]) <= 1e-6 * Math.abs(s)));
    // DPM++ 2S a's automatic is Karras, as in A1111.
    assert.equal(JSON.parse(sdprompt(['debug', 'schedule', '--sampler', 'DPM++ 2S a', '--steps', '4']).stdout).schedule, 'karras');
  });

  test('debug schedule: unknown sampler or schedule names are usage errors with a suggestion; a schedule a sampler lacks is refused', () => {
    const sampler = sdprompt(['debug', 'schedule', '--sampler', 'DPM++ 2M SDF', '--steps', '4']);
    assert.equal(sampler.code, 2);
    assert.match(sampler.stderr, /--sampler: unknown sampler 'DPM\+\+ 2M SDF'; did you mean 'DPM\+\+ 2M SDE'\?/);
    const schedule = sdprompt(['debug', 'schedule', '--sampler', 'Euler', '--schedule', 'karas', '--steps', '4']);
    assert.equal(schedule.code, 2);
    assert.match(schedule.stderr, /--schedule: unknown schedule type 'karas'; did you mean 'karras'\?/);
    const ddim = sdprompt(['debug', 'schedule', '--sampler', 'DDIM', '--schedule', 'karras', '--steps', '4']);
    assert.equal(ddim.code, 1);
    assert.match(ddim.stderr, /DDIM has no Karras schedule/);
  });
});
