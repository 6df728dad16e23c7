// The stand-in host's data for the webview tests: a panel state with blocks and images, and
// solid-colour PNGs to serve as results.

import sharp from 'sharp';
import { WEBVIEW_PROTOCOL_VERSION, type BlockView, type ImageView, type PanelState, type ShownSetting } from '../../src/protocol/webview';

/** Each sampler once, by its A1111 name, as the host sends them. */
export const SAMPLERS = ['PLMS', 'DDIM', 'Euler', 'Euler a', 'DPM++ 2M', 'Heun', 'DPM++ 2S a'];
export const SCHEDULES = ['automatic', 'karras', 'exponential'];

const set = (text: string, origin: ShownSetting['origin'] = 'block', defaultText = '', menuValue?: string): ShownSetting => ({
  text,
  origin,
  defaultText,
  ...(menuValue !== undefined ? { menuValue } : {}),
});

export function block(index: number, name: string | undefined, line: number, settings: Partial<BlockView['settings']> = {}): BlockView {
  return {
    index,
    ...(name ? { name } : {}),
    line,
    promptPreview: `prompt of block ${index}`,
    imageCount: 1,
    mode: 'text',
    hasErrors: false,
    settings: {
      seed: set('', 'default', 'random'),
      steps: set('20', 'header', '20'),
      cfg: set('', 'default', '7'),
      sampler: set('', 'default', 'PLMS (model)'),
      schedule: set('', 'default', 'automatic (model)'),
      size: set('', 'default', '64x64'),
      strength: set('', 'default', '0.75'),
      mask_blur: set('', 'default', '4'),
      masked_content: set('', 'default', 'original'),
      inpaint_area: set('', 'default', 'whole'),
      ...settings,
    },
  };
}

export function image(origin: string, blockName: string, seed: number, createdAt: number, width = 64, height = 64): ImageView {
  const fileName = `${blockName}-${seed}.png`;
  return {
    id: `shapes/${fileName}`,
    src: `${origin}/${fileName}`,
    seed,
    fileName,
    createdAt,
    width,
    height,
    parameters: `a red circle\nSteps: 20, Sampler: PLMS, CFG scale: 7, Seed: ${seed}, Size: ${width}x${height}`,
    recipe: { prompt: 'a red circle', negative: 'blurry', seed, steps: 20, cfg: 7, sampler: 'pndm', width, height, model: 'demo' },
    seedKept: true,
  };
}

export function sampleState(origin: string): PanelState {
  return {
    protocolVersion: WEBVIEW_PROTOCOL_VERSION,
    file: { path: '/work/prompts/shapes.sdprompt', name: 'shapes.sdprompt' },
    model: { label: 'tiny-sd (demo)', isDemo: true },
    blocks: [
      block(1, 'red circle', 6, { seed: set('1, 2, 3') }),
      block(2, 'emphasis', 10, { seed: set('100..103'), cfg: set('7.5'), sampler: set('Euler a', 'block', '', 'Euler a'), size: set('64x64') }),
      block(3, undefined, 20, { sampler: set('dpmpp_2m_karras', 'block', '', 'DPM++ 2M'), schedule: set('karras', 'block', 'automatic (model)', 'karras') }),
    ],
    activeBlock: 2,
    // Deliberately not newest first: the panel orders them.
    results: [
      { blockIndex: 1, images: [image(origin, 'red-circle', 1, 1000), image(origin, 'red-circle', 3, 3000), image(origin, 'red-circle', 2, 2000)] },
      { blockIndex: 2, images: [image(origin, 'emphasis', 100, 5000)] },
    ],
    samplers: SAMPLERS,
    schedules: SCHEDULES,
    choices: { masked_content: ['original', 'fill', 'latent noise', 'latent nothing'], inpaint_area: ['whole', 'masked'] },
    runs: [],
    errors: [],
  };
}

export async function png(rgb: [number, number, number], width = 64, height = width): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
}

