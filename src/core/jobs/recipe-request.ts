// From a recipe back to the request that makes its image again (`sdprompt verify`, and `status`
// comparing a recipe with what its block asks for now). Every value is read by the format's own
// setting parsers, so a recipe edited into something the format refuses is an error at its field,
// never a different image.

import { catchUserErrorSync, raise, type Result } from '../errors';
import { SETTINGS, type SettingKey, type SettingValues } from '../format/settings';
import type { Extension } from '../image/modes';
import { WATERMARK_OUTCOMES, type WatermarkOutcome } from '../image/watermark';
import type { Recipe, RecipeFile } from '../outputs/metadata';
import type { ImageFile, ImageRequest } from './image-settings';

export type RecipePicture = 'init' | 'mask' | 'depth';

function outpaintText(extension: Extension): string {
  return Object.entries(extension)
    .filter(([, pixels]) => pixels > 0)
    .map(([side, pixels]) => `${side} ${pixels}`)
    .join(', ');
}

/**
 * The request a recipe records, its pictures located by `locate` (which may raise a UserError
 * for one it cannot find). `file` names the recipe in errors.
 */
export function requestFromRecipe(recipe: Recipe, file: string, locate: (role: RecipePicture, recorded: RecipeFile) => ImageFile): Result<ImageRequest> {
  return catchUserErrorSync(() => {
    const read = <K extends SettingKey>(key: K, field: string, value: unknown, text = String(value)): SettingValues[K] => {
      if (value === undefined) raise({ code: 'recipe-invalid', message: `the recipe has no ${field}`, file });
      const parsed = SETTINGS[key].parse(text);
      if (!parsed.ok) raise({ code: 'recipe-invalid', message: `the recipe's ${field} ${JSON.stringify(value)} is not one sdprompt writes: ${parsed.problem.message}`, file });
      return parsed.value;
    };
    const optional = <K extends SettingKey>(key: K, field: string, value: unknown, text?: string) =>
      value === undefined ? undefined : read(key, field, value, text ?? String(value));
    const text = (field: 'prompt' | 'negativePrompt'): string => {
      if (typeof recipe[field] !== 'string') raise({ code: 'recipe-invalid', message: `the recipe's ${field} is not text`, file });
      return recipe[field];
    };
    const picture = (role: RecipePicture, recorded: RecipeFile | undefined) => {
      if (recorded === undefined) return undefined;
      if (typeof recorded !== 'object' || typeof recorded.sha256 !== 'string' || typeof recorded.name !== 'string') {
        raise({ code: 'recipe-invalid', message: `the recipe's ${role} is not a recorded file (name, path and sha256)`, file });
      }
      return locate(role, recorded);
    };
    // A recipe from before the watermark was recorded is of an image without one.
    const watermarked = (outcome: unknown): boolean => {
      if (outcome !== undefined && !WATERMARK_OUTCOMES.includes(outcome as WatermarkOutcome)) {
        raise({ code: 'recipe-invalid', message: `the recipe's watermark ${JSON.stringify(outcome)} is not one sdprompt writes`, file });
      }
      return outcome !== undefined && outcome !== 'off';
    };
    const r = recipe;
    const request: ImageRequest = {
      prompt: text('prompt'),
      negativePrompt: text('negativePrompt'),
      seed: read('seed', 'seed', r.seed)[0]!,
      steps: read('steps', 'steps', r.steps),
      cfg: read('cfg', 'cfg', r.cfg),
      sampler: read('sampler', 'sampler', r.sampler?.name),
      size: read('size', 'size', r.size, `${r.size?.width}x${r.size?.height}`),
      rng: read('rng', 'rng', r.rng),
      subseed: optional('subseed', 'subseed', r.subseed),
      subseedStrength: optional('subseed_strength', 'subseedStrength', r.subseedStrength),
      watermark: watermarked(r.watermark),
      init: picture('init', r.init),
      strength: optional('strength', 'strength', r.strength),
      resize: optional('resize', 'resize', r.resize),
      mask: picture('mask', r.mask),
      maskInvert: optional('mask_invert', 'maskInvert', r.maskInvert),
      maskBlur: optional('mask_blur', 'maskBlur', r.maskBlur),
      maskedContent: optional('masked_content', 'maskedContent', r.maskedContent),
      inpaintArea: optional('inpaint_area', 'inpaintArea', r.inpaintArea),
      padding: optional('padding', 'padding', r.padding),
      outpaint: r.outpaint === undefined ? undefined : read('outpaint', 'outpaint', r.outpaint, outpaintText(r.outpaint)),
      depth: r.depth === 'auto' ? 'auto' : picture('depth', r.depth),
    };
    return Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)) as ImageRequest;
  });
}
