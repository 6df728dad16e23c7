import type { SchedulerConfig } from './scheduler';

/**
 * Stable Diffusion 1.5's scheduler/scheduler_config.json as the Hugging Face hub serves it
 * (stable-diffusion-v1-5, written by diffusers 0.17.0.dev0; no `timestep_spacing` key, so each
 * sampler built from it keeps its own default spacing). Used when no model is given.
 */
export const SD15_SCHEDULER_CONFIG: SchedulerConfig = {
  _class_name: 'PNDMScheduler',
  _diffusers_version: '0.17.0.dev0',
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  beta_start: 0.00085,
  clip_sample: false,
  clip_sample_range: 1.0,
  dynamic_thresholding_ratio: 0.995,
  num_train_timesteps: 1000,
  prediction_type: 'epsilon',
  sample_max_value: 1.0,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  thresholding: false,
  trained_betas: null,
};
