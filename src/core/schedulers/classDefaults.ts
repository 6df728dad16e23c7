// The constructor parameters of each diffusers scheduler class this project follows, with their
// defaults as of diffusers v0.40.0: what `from_config` falls back on for every key a model's
// scheduler_config.json leaves out. config.ts reads configs against these tables.

export type DiffusersSchedulerClass =
  | 'PNDMScheduler'
  | 'DDIMScheduler'
  | 'EulerDiscreteScheduler'
  | 'EulerAncestralDiscreteScheduler'
  | 'LMSDiscreteScheduler'
  | 'DPMSolverMultistepScheduler'
  | 'HeunDiscreteScheduler'
  | 'KDPM2DiscreteScheduler'
  | 'KDPM2AncestralDiscreteScheduler'
  | 'DPMSolverSDEScheduler'
  | 'UniPCMultistepScheduler'
  | 'DEISMultistepScheduler'
  | 'LCMScheduler'
  | 'DDPMScheduler';

const BETAS = {
  num_train_timesteps: 1000,
  beta_start: 0.0001,
  beta_end: 0.02,
  beta_schedule: 'linear',
  trained_betas: null,
};

/** The k-diffusion ports (Heun, DPM2, DPM2 a, DPM++ SDE) default to Stable Diffusion's betas range. */
const K_DIFFUSION_BETAS = { ...BETAS, beta_start: 0.00085, beta_end: 0.012 };

const SIGMA_KINDS = { use_karras_sigmas: false, use_exponential_sigmas: false, use_beta_sigmas: false };

const K_DIFFUSION_PORT = {
  ...K_DIFFUSION_BETAS,
  ...SIGMA_KINDS,
  prediction_type: 'epsilon',
  timestep_spacing: 'linspace',
  steps_offset: 0,
};

const THRESHOLDING = { thresholding: false, dynamic_thresholding_ratio: 0.995, sample_max_value: 1.0 };

/** Each class's constructor parameters with their defaults (diffusers v0.40.0). */
export const CLASS_DEFAULTS: Record<DiffusersSchedulerClass, Readonly<Record<string, unknown>>> = {
  PNDMScheduler: {
    ...BETAS,
    skip_prk_steps: false,
    set_alpha_to_one: false,
    prediction_type: 'epsilon',
    timestep_spacing: 'leading',
    steps_offset: 0,
  },
  DDIMScheduler: {
    ...BETAS,
    clip_sample: true,
    set_alpha_to_one: true,
    steps_offset: 0,
    prediction_type: 'epsilon',
    thresholding: false,
    dynamic_thresholding_ratio: 0.995,
    clip_sample_range: 1.0,
    sample_max_value: 1.0,
    timestep_spacing: 'leading',
    rescale_betas_zero_snr: false,
  },
  EulerDiscreteScheduler: {
    ...BETAS,
    prediction_type: 'epsilon',
    interpolation_type: 'linear',
    use_karras_sigmas: false,
    use_exponential_sigmas: false,
    use_beta_sigmas: false,
    sigma_min: null,
    sigma_max: null,
    timestep_spacing: 'linspace',
    timestep_type: 'discrete',
    steps_offset: 0,
    rescale_betas_zero_snr: false,
    final_sigmas_type: 'zero',
  },
  EulerAncestralDiscreteScheduler: {
    ...BETAS,
    prediction_type: 'epsilon',
    timestep_spacing: 'linspace',
    steps_offset: 0,
    rescale_betas_zero_snr: false,
  },
  LMSDiscreteScheduler: {
    ...BETAS,
    use_karras_sigmas: false,
    use_exponential_sigmas: false,
    use_beta_sigmas: false,
    prediction_type: 'epsilon',
    timestep_spacing: 'linspace',
    steps_offset: 0,
  },
  DPMSolverMultistepScheduler: {
    ...BETAS,
    solver_order: 2,
    prediction_type: 'epsilon',
    thresholding: false,
    dynamic_thresholding_ratio: 0.995,
    sample_max_value: 1.0,
    algorithm_type: 'dpmsolver++',
    solver_type: 'midpoint',
    lower_order_final: true,
    euler_at_final: false,
    use_karras_sigmas: false,
    use_exponential_sigmas: false,
    use_beta_sigmas: false,
    use_lu_lambdas: false,
    use_flow_sigmas: false,
    flow_shift: 1.0,
    final_sigmas_type: 'zero',
    lambda_min_clipped: -Infinity,
    variance_type: null,
    timestep_spacing: 'linspace',
    steps_offset: 0,
    rescale_betas_zero_snr: false,
    use_dynamic_shifting: false,
    time_shift_type: 'exponential',
  },
  HeunDiscreteScheduler: { ...K_DIFFUSION_PORT, clip_sample: false, clip_sample_range: 1.0 },
  KDPM2DiscreteScheduler: K_DIFFUSION_PORT,
  KDPM2AncestralDiscreteScheduler: K_DIFFUSION_PORT,
  DPMSolverSDEScheduler: { ...K_DIFFUSION_PORT, noise_sampler_seed: null },
  UniPCMultistepScheduler: {
    ...BETAS,
    ...THRESHOLDING,
    ...SIGMA_KINDS,
    solver_order: 2,
    prediction_type: 'epsilon',
    predict_x0: true,
    solver_type: 'bh2',
    lower_order_final: true,
    disable_corrector: [],
    solver_p: null,
    use_flow_sigmas: false,
    flow_shift: 1.0,
    timestep_spacing: 'linspace',
    steps_offset: 0,
    final_sigmas_type: 'zero',
    rescale_betas_zero_snr: false,
    use_dynamic_shifting: false,
    time_shift_type: 'exponential',
    sigma_min: null,
    sigma_max: null,
    shift_terminal: null,
  },
  DEISMultistepScheduler: {
    ...BETAS,
    ...THRESHOLDING,
    ...SIGMA_KINDS,
    solver_order: 2,
    prediction_type: 'epsilon',
    algorithm_type: 'deis',
    solver_type: 'logrho',
    lower_order_final: true,
    use_flow_sigmas: false,
    flow_shift: 1.0,
    timestep_spacing: 'linspace',
    steps_offset: 0,
    use_dynamic_shifting: false,
    time_shift_type: 'exponential',
  },
  LCMScheduler: {
    ...BETAS,
    ...THRESHOLDING,
    beta_start: 0.00085,
    beta_end: 0.012,
    beta_schedule: 'scaled_linear',
    original_inference_steps: 50,
    clip_sample: false,
    clip_sample_range: 1.0,
    set_alpha_to_one: true,
    steps_offset: 0,
    prediction_type: 'epsilon',
    timestep_spacing: 'leading',
    timestep_scaling: 10.0,
    rescale_betas_zero_snr: false,
  },
  DDPMScheduler: {
    ...BETAS,
    ...THRESHOLDING,
    variance_type: 'fixed_small',
    clip_sample: true,
    prediction_type: 'epsilon',
    clip_sample_range: 1.0,
    timestep_spacing: 'leading',
    steps_offset: 0,
    rescale_betas_zero_snr: false,
  },
};
