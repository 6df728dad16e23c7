// The depth estimator's input, as the transformers image processor named by the model's
// feature_extractor/preprocessor_config.json prepares it (DPTImageProcessor: resize, optionally
// keeping the aspect ratio and snapping to a multiple; rescale; normalise; pad). Unset keys take
// DPTImageProcessor's defaults.

import { fail, ok, type Result } from '../errors';
import type { Tensor } from '../tensor';
import { toRgb, type Raster } from './raster';
import { resample, type ResampleFilter } from './resample';

export interface DepthPreprocessor {
  resize?: { height: number; width: number; keepAspectRatio: boolean; multipleOf: number; filter: ResampleFilter };
  rescale?: number;
  normalize?: { mean: [number, number, number]; std: [number, number, number] };
  padTo?: number;
}

/** PIL's resample codes as transformers stores them. */
const PIL_FILTERS: Record<number, ResampleFilter> = { 1: 'lanczos', 2: 'bilinear', 3: 'bicubic' };

type Json = Record<string, unknown>;

function triple(value: unknown, fallback: number): [number, number, number] | undefined {
  if (value === undefined) return [fallback, fallback, fallback];
  if (typeof value === 'number') return [value, value, value];
  if (Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'number')) return value as [number, number, number];
  return undefined;
}

function readSize(value: unknown): { height: number; width: number } | undefined {
  if (value === undefined) return { height: 384, width: 384 };
  if (typeof value === 'number' && value > 0) return { height: value, width: value };
  const size = value as Json;
  if (typeof size === 'object' && size !== null && typeof size['height'] === 'number' && typeof size['width'] === 'number') {
    return { height: size['height'], width: size['width'] };
  }
  return undefined;
}

/** Reads a preprocessor_config.json object; `file` names it in errors. */
export function parseDepthPreprocessor(config: Json, file: string): Result<DepthPreprocessor> {
  const bad = (message: string) => fail({ code: 'model-invalid', message: `feature_extractor/preprocessor_config.json: ${message}`, file });
  const spec: DepthPreprocessor = {};
  if (config['do_resize'] !== false) {
    const size = readSize(config['size']);
    if (!size) return bad(`size should be a number or {"height": H, "width": W}, found ${JSON.stringify(config['size'])}`);
    const code = config['resample'] ?? 3;
    const filter = typeof code === 'number' ? PIL_FILTERS[code] : undefined;
    if (!filter) return bad(`resample ${JSON.stringify(code)} is not supported; use 1 (LANCZOS), 2 (BILINEAR) or 3 (BICUBIC)`);
    const multipleOf = config['ensure_multiple_of'] ?? 1;
    if (typeof multipleOf !== 'number' || !Number.isInteger(multipleOf) || multipleOf < 1) return bad(`ensure_multiple_of should be a positive integer`);
    spec.resize = { ...size, keepAspectRatio: config['keep_aspect_ratio'] === true, multipleOf, filter };
  }
  if (config['do_rescale'] !== false) {
    const factor = config['rescale_factor'] ?? 1 / 255;
    if (typeof factor !== 'number') return bad('rescale_factor should be a number');
    spec.rescale = factor;
  }
  if (config['do_normalize'] !== false) {
    const mean = triple(config['image_mean'], 0.5);
    const std = triple(config['image_std'], 0.5);
    if (!mean || !std || std.some((s) => s === 0)) return bad('image_mean and image_std should be three numbers (std not 0)');
    spec.normalize = { mean, std };
  }
  if (config['do_pad'] === true) {
    const divisor = config['size_divisor'];
    if (typeof divisor !== 'number' || !Number.isInteger(divisor) || divisor < 1) return bad('do_pad needs a positive integer size_divisor');
    spec.padTo = divisor;
  }
  return ok(spec);
}

/** Python's round (half to even) of a non-negative value. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return v % 1 === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** transformers' DPT get_resize_output_image_size. */
export function dptOutputSize(height: number, width: number, resize: NonNullable<DepthPreprocessor['resize']>): { height: number; width: number } {
  let scaleH = resize.height / height;
  let scaleW = resize.width / width;
  if (resize.keepAspectRatio) {
    if (Math.abs(1 - scaleW) < Math.abs(1 - scaleH)) scaleH = scaleW;
    else scaleW = scaleH;
  }
  const m = resize.multipleOf;
  const constrain = (v: number) => {
    const x = roundHalfEven(v / m) * m;
    return x < 0 ? Math.ceil(v / m) * m : x;
  };
  return { height: constrain(scaleH * height), width: constrain(scaleW * width) };
}

/** pixel_values [1, 3, H, W] for the estimator. */
export function preprocessForDepth(image: Raster, spec: DepthPreprocessor): Tensor {
  let rgb = toRgb(image);
  if (spec.resize) {
    const size = dptOutputSize(rgb.height, rgb.width, spec.resize);
    rgb = resample(rgb, size.width, size.height, spec.resize.filter);
  }
  const pad = (n: number) => (spec.padTo ? Math.ceil(n / spec.padTo) * spec.padTo - n : 0);
  const top = Math.floor(pad(rgb.height) / 2);
  const left = Math.floor(pad(rgb.width) / 2);
  const height = rgb.height + pad(rgb.height);
  const width = rgb.width + pad(rgb.width);
  const plane = width * height;
  const data = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < rgb.height; y++) {
      for (let x = 0; x < rgb.width; x++) {
        let v = Math.fround(rgb.data[(y * rgb.width + x) * 3 + c]! * (spec.rescale ?? 1));
        if (spec.normalize) v = (v - spec.normalize.mean[c]!) / spec.normalize.std[c]!;
        data[c * plane + (y + top) * width + x + left] = v;
      }
    }
  }
  return { data, shape: [1, 3, height, width] };
}
