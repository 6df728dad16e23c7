// The command-line flags that stand for prompt-file settings (`--mask-blur` for `mask_blur`),
// each checked by the setting's own parser, so a flag accepts exactly what the file accepts.

import { SETTINGS, type SettingKey, type SettingValues } from '../core/format/settings';
import { UsageError } from './context';

/** The image-to-image settings, which both `run` (overriding the file) and `generate` take. */
export const IMAGE_SETTING_KEYS = [
  'init',
  'strength',
  'resize',
  'mask',
  'mask_invert',
  'mask_blur',
  'masked_content',
  'inpaint_area',
  'padding',
  'outpaint',
  'depth',
] as const satisfies readonly SettingKey[];

/** The noise settings, which both `run` (overriding the file) and `generate` take. */
export const NOISE_SETTING_KEYS = ['rng', 'subseed', 'subseed_strength'] as const satisfies readonly SettingKey[];

/** `--no-watermark`, for `run` and `generate`: the setting `watermark: off`. */
export const WATERMARK_OPTIONS = { 'no-watermark': { type: 'boolean' } } as const;

/** Settings about how a run goes rather than what the image is (another folder's VAE, seeds a UNet call), which `run` and `generate` take too. */
export const PIPELINE_SETTING_KEYS = ['vae', 'batch'] as const satisfies readonly SettingKey[];

export function flagName(key: SettingKey): string {
  return key.replace(/_/g, '-');
}

/** parseArgs options for settings: booleans for true/false settings, strings for the rest. */
export function settingOptions(keys: readonly SettingKey[]): Record<string, { type: 'string' | 'boolean' }> {
  return Object.fromEntries(keys.map((key) => [flagName(key), { type: key === 'mask_invert' ? 'boolean' : 'string' }]));
}

/** The settings given as flags, parsed; a bad value is a usage error naming the flag. */
export function settingFlags(keys: readonly SettingKey[], values: Record<string, string | boolean | undefined>): Partial<SettingValues> {
  const settings: Partial<Record<SettingKey, unknown>> = {};
  for (const key of keys) {
    const raw = values[flagName(key)];
    if (raw === undefined) continue;
    const parsed = SETTINGS[key].parse(String(raw).trim());
    if (!parsed.ok) throw new UsageError(`--${flagName(key)}: ${parsed.problem.message}`);
    settings[key] = parsed.value;
  }
  if (values['no-watermark'] === true) settings.watermark = false;
  return settings as Partial<SettingValues>;
}
