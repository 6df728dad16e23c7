// ComfyUI's `prompt` text chunk (the API graph it ran: node id → {class_type, inputs}, an input
// wired to another node written [node id, output index]), read into the same shape as an A1111
// parameters text, with A1111's keys, for graphs as simple as ComfyUI's default one: one
// KSampler (or KSamplerAdvanced) whose positive and negative come from CLIPTextEncode nodes and
// whose latent comes from EmptyLatentImage. ComfyUI draws its starting noise with torch's CPU
// generator, hence RNG: CPU.

import { fail, ok, type Result, type UserError } from '../errors';
import { parsePythonJson } from '../python-json';
import type { GenerationParameters } from './a1111-text';

interface ComfyNode {
  class_type?: unknown;
  inputs?: Record<string, unknown>;
}
type Graph = Record<string, ComfyNode>;

const SAMPLER_NODES = ['KSampler', 'KSamplerAdvanced'];

/** ComfyUI's sampler names and A1111's for the same k-diffusion sampler. */
const SAMPLER_NAMES: Readonly<Record<string, string>> = {
  euler: 'Euler',
  euler_ancestral: 'Euler a',
  heun: 'Heun',
  dpm_2: 'DPM2',
  dpm_2_ancestral: 'DPM2 a',
  lms: 'LMS',
  dpm_fast: 'DPM fast',
  dpm_adaptive: 'DPM adaptive',
  dpmpp_2s_ancestral: 'DPM++ 2S a',
  dpmpp_sde: 'DPM++ SDE',
  dpmpp_2m: 'DPM++ 2M',
  dpmpp_2m_sde: 'DPM++ 2M SDE',
  dpmpp_3m_sde: 'DPM++ 3M SDE',
  ddim: 'DDIM',
  uni_pc: 'UniPC',
  lcm: 'LCM',
  ddpm: 'DDPM',
  deis: 'DEIS',
  restart: 'Restart',
};

/** ComfyUI's scheduler names and A1111's schedule type labels (A1111 1.10 took over ComfyUI's). */
const SCHEDULE_NAMES: Readonly<Record<string, string>> = {
  normal: 'Normal',
  karras: 'Karras',
  exponential: 'Exponential',
  sgm_uniform: 'SGM Uniform',
  simple: 'Simple',
  ddim_uniform: 'DDIM',
  beta: 'Beta',
  kl_optimal: 'KL Optimal',
};

/** What the input is: its value, or the value of the node it is wired to when that node holds just one. */
function follow(graph: Graph, value: unknown): { value?: unknown; node?: ComfyNode } {
  if (!Array.isArray(value)) return { value };
  const node = graph[String(value[0])];
  if (!node) return {};
  const inputs = Object.values(node.inputs ?? {}).filter((v) => !Array.isArray(v));
  return inputs.length === 1 && Object.keys(node.inputs ?? {}).length === 1 ? { value: inputs[0], node } : { node };
}

/**
 * The settings of a ComfyUI graph (the text of its `prompt` chunk). A graph that is not JSON, has
 * no sampler or several, or feeds its sampler from nodes other than the simple ones, is an error
 * that says which; `file` names the image in messages.
 */
export function parseComfyGraph(json: string, file?: string): Result<GenerationParameters> {
  const problem = (message: string): { ok: false; error: UserError } =>
    fail({ code: 'invalid-request', message: `ComfyUI graph: ${message}`, ...(file !== undefined ? { file } : {}) });
  let graph: Graph;
  try {
    const parsed = parsePythonJson(json, { longIntegersAsText: true });
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return problem('not an object of nodes');
    graph = parsed as Graph;
  } catch (e) {
    return problem(`not JSON (${(e as Error).message})`);
  }
  const samplers = Object.entries(graph).filter(([, node]) => SAMPLER_NODES.includes(String(node.class_type)));
  if (samplers.length === 0) return problem(`no ${SAMPLER_NODES.join(' or ')} node; only graphs with one can be imported`);
  if (samplers.length > 1) return problem(`${samplers.length} sampler nodes (${samplers.map(([id]) => id).join(', ')}); only graphs with one can be imported`);
  const [samplerId, sampler] = samplers[0]!;
  const inputs = sampler.inputs ?? {};

  const text = (role: 'positive' | 'negative'): Result<string> => {
    const { node } = follow(graph, inputs[role]);
    if (!node || node.class_type !== 'CLIPTextEncode') {
      return problem(`the sampler's ${role} input comes from ${node ? `a ${String(node.class_type)} node` : 'no node'}; only CLIPTextEncode is read`);
    }
    const { value } = follow(graph, node.inputs?.['text']);
    return typeof value === 'string' ? ok(value) : problem(`the ${role} CLIPTextEncode node's text is not a plain string`);
  };
  const positive = text('positive');
  if (!positive.ok) return positive;
  const negative = text('negative');
  if (!negative.ok) return negative;

  const pairs: [string, unknown][] = [
    ['Steps', follow(graph, inputs['steps']).value],
    ['Sampler', mapped(SAMPLER_NAMES, follow(graph, inputs['sampler_name']).value)],
    ['Schedule type', mapped(SCHEDULE_NAMES, follow(graph, inputs['scheduler']).value)],
    ['CFG scale', follow(graph, inputs['cfg']).value],
    ['Seed', follow(graph, inputs[sampler.class_type === 'KSampler' ? 'seed' : 'noise_seed']).value],
  ];
  const latent = follow(graph, inputs['latent_image']).node;
  if (latent?.class_type === 'EmptyLatentImage') {
    const [width, height] = ['width', 'height'].map((side) => follow(graph, latent.inputs?.[side]).value);
    pairs.push(['Size', typeof width === 'number' && typeof height === 'number' ? `${width}x${height}` : undefined]);
  }
  const checkpoint = follow(graph, follow(graph, inputs['model']).node?.inputs?.['ckpt_name']).value;
  if (typeof checkpoint === 'string') pairs.push(['Model', checkpoint]);
  const denoise = follow(graph, inputs['denoise']).value;
  if (typeof denoise === 'number' && denoise !== 1) pairs.push(['Denoising strength', denoise]);
  pairs.push(['RNG', 'CPU']);

  const missing = pairs.find(([, value]) => typeof value !== 'string' && typeof value !== 'number');
  if (missing) return problem(`the sampler (node ${samplerId}) has no plain value for ${missing[0]}`);
  return ok({
    prompt: positive.value,
    negativePrompt: negative.value,
    pairs: pairs.map(([key, value]) => ({ key, value: String(value), line: 0, column: 0 })),
  });
}

function mapped(names: Readonly<Record<string, string>>, value: unknown): unknown {
  return typeof value === 'string' ? (names[value] ?? value) : value;
}
