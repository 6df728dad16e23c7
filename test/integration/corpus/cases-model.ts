// Broken model folders: a copy of a generated test model with one thing wrong, each an exit 3
// that names the file (and the key) before any UNet step; and a model deleted during a run.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CorpusCase, Workspace } from './harness';

const PROMPT = 'steps: 2\nsize: 16x16\nred\nseed: 1\n';

/** The command a model case runs on the broken copy (its path relative to the workspace). */
const runWith = (model: string) => ['run', 'case.sdprompt', '--model', model, '--json'];

/** A copy of the `variant` test model broken by `breakIt`, given to `command` (`sdprompt run` by default) with --model. */
function modelCase(name: string, breakIt: (dir: string) => void, file: string, message: RegExp, variant: 'optimum' | 'legacy' = 'optimum', command = runWith): CorpusCase {
  let model = '';
  return {
    kind: 'model folder',
    name,
    arrange: (ws: Workspace) => {
      model = ws.copyModel(variant);
      breakIt(path.join(ws.work, model));
      ws.write('case.sdprompt', PROMPT);
    },
    args: () => command(model),
    expect: { exit: 3, where: (ws) => path.join(ws.cwd, model, file), message, maxSteps: 0 },
  };
}

function editJson(file: string, change: Record<string, unknown>): void {
  writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), ...change }));
}

const scheduler = (change: Record<string, unknown>) => (dir: string) => editJson(path.join(dir, 'scheduler', 'scheduler_config.json'), change);
const SCHEDULER_FILE = path.join('scheduler', 'scheduler_config.json');

export const MODEL_CASES: CorpusCase[] = [
  modelCase('the folder does not exist', (dir) => rmSync(dir, { recursive: true }), '', /the model folder does not exist or is not a folder/),
  modelCase('the model path is a file', (dir) => (rmSync(dir, { recursive: true }), writeFileSync(dir, 'x')), '', /the model folder does not exist or is not a folder/),
  modelCase('unet/model.onnx missing', (dir) => rmSync(path.join(dir, 'unet', 'model.onnx')), 'unet/model.onnx', /unet\/model\.onnx is missing/),
  modelCase('unet/model.onnx empty', (dir) => writeFileSync(path.join(dir, 'unet', 'model.onnx'), ''), 'unet/model.onnx', /unet\/model\.onnx is empty \(0 bytes\): the export or the copy did not finish/),
  modelCase('unet/model.onnx garbage', (dir) => writeFileSync(path.join(dir, 'unet', 'model.onnx'), 'not a protobuf at all'), 'unet/model.onnx', /unet\/model\.onnx: ONNX Runtime cannot load it: (?!.*onnxruntime_src)/),
  modelCase('external weights missing', (dir) => rmSync(path.join(dir, 'unet', 'weights.pb')), 'unet/model.onnx', /unet\/model\.onnx: ONNX Runtime cannot load it/, 'legacy'),
  modelCase('scheduler config missing', (dir) => rmSync(path.join(dir, SCHEDULER_FILE)), SCHEDULER_FILE, /scheduler_config\.json is missing/),
  modelCase('scheduler config not JSON', (dir) => writeFileSync(path.join(dir, SCHEDULER_FILE), '{ "beta_start": '), SCHEDULER_FILE, /scheduler_config\.json is not valid JSON/),
  modelCase('beta_start -1, beta_end 5 (was an all-black image, exit 0)', scheduler({ beta_start: -1, beta_end: 5 }), SCHEDULER_FILE, /`beta_start` must be a number between 0 and 1, not -1/),
  modelCase('beta_start above beta_end', scheduler({ beta_start: 0.5, beta_end: 0.01 }), SCHEDULER_FILE, /`beta_start` \(0\.5\) must not be larger than `beta_end` \(0\.01\)/),
  modelCase(
    'debug schedule on beta_start -1 (printed null sigmas, exit 0)',
    scheduler({ beta_start: -1, beta_end: 5 }),
    SCHEDULER_FILE,
    /`beta_start` must be a number between 0 and 1, not -1/,
    'optimum',
    (model) => ['debug', 'schedule', '--sampler', 'euler', '--steps', '3', '--model', model],
  ),
  modelCase('num_train_timesteps -5', scheduler({ num_train_timesteps: -5 }), SCHEDULER_FILE, /`num_train_timesteps` must be an integer from 2 to 100000, not -5/),
  modelCase('num_train_timesteps 1e12', scheduler({ num_train_timesteps: 1e12 }), SCHEDULER_FILE, /`num_train_timesteps` must be an integer from 2 to 100000, not 1000000000000/),
  modelCase('trained_betas of the wrong length', scheduler({ trained_betas: [0.1, 0.2] }), SCHEDULER_FILE, /`trained_betas` has 2 values but `num_train_timesteps` is 1000/),
  modelCase('unknown prediction type', scheduler({ prediction_type: 'noise' }), SCHEDULER_FILE, /prediction_type/),
  modelCase('unknown beta schedule', scheduler({ beta_schedule: 'quadratic' }), SCHEDULER_FILE, /`beta_schedule` must be one of linear, scaled_linear, squaredcos_cap_v2, not "quadratic"/),
  modelCase('tokenizer vocabulary missing', (dir) => rmSync(path.join(dir, 'tokenizer', 'vocab.json')), 'tokenizer/vocab.json', /tokenizer\/vocab\.json is missing/),
  modelCase('tokenizer vocabulary not JSON', (dir) => writeFileSync(path.join(dir, 'tokenizer', 'vocab.json'), '[1, 2'), 'tokenizer/vocab.json:1:6', /vocab\.json is not valid JSON/),
  modelCase('unet config in_channels not a number', (dir) => editJson(path.join(dir, 'unet', 'config.json'), { in_channels: 'four' }), 'unet/config.json', /in_channels should be a positive integer, found "four"/),
  modelCase('negative VAE scaling factor', (dir) => editJson(path.join(dir, 'vae_decoder', 'config.json'), { scaling_factor: -1 }), 'vae_decoder/config.json', /scaling_factor should be a positive number, found -1/),
  {
    kind: 'model folder',
    name: 'the model folder deleted during a run: the image in progress finishes from memory, the next fails',
    arrange: (ws) => {
      ws.copyModel('optimum');
      ws.write('case.sdprompt', 'model: models/optimum\nsteps: 40\nsize: 64x64\nred\nseed: 1, 2, 3\n');
    },
    args: () => ['run', 'case.sdprompt', '--json'],
    driver: { actions: [{ on: 'step', count: 45, remove: 'models' }] },
    expect: {
      exit: 3,
      where: (ws) => path.join(ws.cwd, 'models', 'optimum'),
      message: /the model folder does not exist or is not a folder/,
      written: ['case/block-1-1-2.png', 'case/block-1-1-2.json', 'case/block-1-2.png', 'case/block-1-2.json'],
    },
  },
];
