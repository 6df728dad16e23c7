// Depth from the model's own estimator (depth_estimator/model.onnx, pixel_values →
// predicted_depth), its input prepared per feature_extractor/preprocessor_config.json, as
// diffusers' depth2img pipeline does when no depth map is given.

import { fail, ok, type Result } from '../errors';
import type { DepthMap } from '../image/depth';
import { preprocessForDepth } from '../image/depth-preprocess';
import type { Raster } from '../image/raster';
import type { StableDiffusion } from './stable-diffusion';

export async function estimateDepth(sd: StableDiffusion, image: Raster): Promise<Result<DepthMap>> {
  const estimator = sd.model.depthEstimator;
  if (!estimator) {
    return fail({
      code: 'model-missing',
      message: 'depth_estimator/model.onnx is missing: give a depth map (depth: FILE) instead of depth: auto',
      file: sd.model.info.components.depth_estimator.onnx,
    });
  }
  const predicted = await estimator.estimate(preprocessForDepth(image, estimator.preprocessor));
  const [, height, width] = predicted.shape as [number, number, number];
  return ok({ data: predicted.data.subarray(0, height * width), width, height });
}
