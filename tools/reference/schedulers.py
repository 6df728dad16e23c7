#!/usr/bin/python3
"""Reference values for src/core/schedulers, computed by the real diffusers schedulers.

Usage:
    /usr/bin/python3 tools/reference/schedulers.py DIFFUSERS_CHECKOUT [--label TEXT] [--out DIR]

DIFFUSERS_CHECKOUT is a checkout of github.com/huggingface/diffusers (the folder holding
`src/diffusers`, or `src` itself). --label adds to the version the fixtures name, e.g.
"(d035dcd7cc7c88e0a154609b62887d50bba9fdc2)", the commit of tag v0.40.0 used for the committed
fixtures (checked out with `git archive v0.40.0 src/diffusers`). Fixtures go to
test/fixtures/schedulers/<config>.json; nothing of diffusers is copied into them but numbers.

How diffusers is imported here, honestly and as lightly as we could:
- Python is Debian's /usr/bin/python3 with apt's python3-torch (1.13) and numpy 1.24, plus the
  apt packages python3-scipy (LMSDiscreteScheduler integrates with scipy.integrate.quad),
  python3-tqdm, python3-packaging, python3-filelock and python3-importlib-metadata, which
  diffusers' utils import at load time.
- huggingface_hub and safetensors have no Debian package. Nothing a scheduler computes uses
  them (they serve downloads and weight files), so `_StubFinder` below answers imports of
  those two packages with empty modules whose names raise if anything ever calls them.
- diffusers 0.40's utils/torch_utils.py builds tables of per-backend functions at import time,
  naming `torch.xpu` and `torch.mps`, which torch 1.13 lacks; `_AbsentBackend` stands in for
  them and raises if used. No scheduler touches them.
Everything else (configuration_utils' from_config, the scheduler classes, randn_tensor) is the
real diffusers code, imported from the checkout as the package `diffusers`.

What is recorded, per configuration and sampler (see SAMPLERS):
- schedules: after `Cls.from_config(config, **overrides)` and `set_timesteps(n)`:
  `timesteps`, `sigmas` (null for samplers without them) and `init_noise_sigma`;
- trajectories: the pipeline loop of StableDiffusionPipeline with a fake UNet:
      latents = RandomState(1).randn(1,4,4,4).astype(float32) * init_noise_sigma   (torch, f32)
      for i, t in enumerate(timesteps):
          x = scale_model_input(latents, t)
          eps = float32(0.3 * float64(x) * cos(float(t) / 300) + 0.05 * sin(i + 1))
          latents = step(eps, t, latents).prev_sample
  recording the first 16 latents after the first step, and all of them at the end. For Euler ancestral, the
  module's `randn_tensor` is replaced so that each step's noise is
  `RandomState(1).randn(shape).astype(float32)`, continuing the stream that gave the initial
  latents (this is the project's documented choice; diffusers' own ONNX pipelines draw it
  from an unseeded torch generator).
- euler_a_karras has no diffusers class (EulerAncestralDiscreteScheduler has no Karras
  option): it is EulerAncestralDiscreteScheduler stepping over the timesteps and sigmas of
  EulerDiscreteScheduler(use_karras_sigmas=True) built from the same config.
- img2img: StableDiffusionImg2ImgPipeline's start for each (steps, strength) of IMG2IMG_CASES:
  `get_timesteps` (init_timestep = min(int(steps·strength), steps), t_start = steps − init_timestep,
  the timesteps from t_start·order, `set_begin_index(t_start·order)` where the class has it), then
      x0, noise = RandomState(2).randn(1,4,4,4) twice, as float32
      latents = add_noise(x0, noise, timesteps[:1])                        -> "start16"
  and the loop above over the remaining timesteps (i counting from 0 at the first call run)
  -> "afterFirstStep16", "final16"; euler_a's step noise continues the same RandomState. A second
  run blends as StableDiffusionInpaintPipeline does for 4-channel UNets: after step i (not the
  last), latents = (1 − m)·add_noise(x0, noise, timesteps[i + 1]) + m·latents, m = 1 on the
  first two latent rows -> "blendedFinal16"; and per call j the noise level add_noise applies
  there, [scale of x0, scale of noise] -> "levels" (j = 0 before any step, j > 0 after step j − 1,
  the scheduler state in which the pipelines call it). Recorded for the configurations whose
  spacing or offset moves the start (IMG2IMG_CONFIGS), the first 16 values of each latent.
  DPM++ 2S a (k-diffusion) gets the same start, noise and loop by k_diffusion_img2img, without
  the blend.
All numbers are float64 (float32 results are written exactly).
"""
import argparse
import json
import math
import os
import re
import sys
import tempfile

from checkouts import import_diffusers, import_k_diffusion, import_torchsde


# --- the configurations ---------------------------------------------------------------------

# stable-diffusion-v1-5's scheduler/scheduler_config.json as the hub holds it (a mirror stored in
# the search index: HDRJ-One/runwayml-stable-diffusion-v1-5 @ 2e7465d, written by diffusers
# 0.17.0.dev0). It has no "timestep_spacing": each scheduler takes its own default.
SD15 = {
    "_class_name": "PNDMScheduler",
    "_diffusers_version": "0.17.0.dev0",
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.00085,
    "clip_sample": False,
    "clip_sample_range": 1.0,
    "dynamic_thresholding_ratio": 0.995,
    "num_train_timesteps": 1000,
    "prediction_type": "epsilon",
    "sample_max_value": 1.0,
    "set_alpha_to_one": False,
    "skip_prk_steps": True,
    "steps_offset": 1,
    "thresholding": False,
    "trained_betas": None,
}

# Stable Diffusion 2.1 (768, v-prediction): the keys of its scheduler_config.json as stored in
# Vikas-2025/Hugging_face_sta_dif_2.1 @ 8d0c902 (the Flax revision, "FlaxDDIMScheduler"), with
# the PyTorch class name.
SD21_V = {
    "_class_name": "DDIMScheduler",
    "_diffusers_version": "0.9.0.dev0",
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.00085,
    "clip_sample": False,
    "num_train_timesteps": 1000,
    "prediction_type": "v_prediction",
    "set_alpha_to_one": False,
    "skip_prk_steps": True,
    "steps_offset": 1,
    "trained_betas": None,
}


def resaved(diffusers, config):
    """The config as a current diffusers writes it back (what exporters put in model folders)."""
    cls = getattr(diffusers, config["_class_name"])
    with tempfile.TemporaryDirectory() as folder:
        cls.from_config(config).save_config(folder)
        with open(os.path.join(folder, "scheduler_config.json")) as f:
            return json.load(f)


def configurations(diffusers):
    # Made-up variants that exercise the other beta schedules, spacings and options.
    zsnr = dict(SD21_V, rescale_betas_zero_snr=True, timestep_spacing="trailing")
    linear = {
        "_class_name": "DDIMScheduler",
        "beta_schedule": "linear",
        "timestep_spacing": "trailing",
        "clip_sample": True,
    }
    cosine = {
        "_class_name": "EulerDiscreteScheduler",
        "beta_schedule": "squaredcos_cap_v2",
        "num_train_timesteps": 1000,
        "steps_offset": 2,
        "timestep_spacing": "leading",
    }
    trained = {
        "_class_name": "LMSDiscreteScheduler",
        "num_train_timesteps": 200,
        "trained_betas": [0.0005 + 0.0001 * i + 0.00002 * math.sin(i) for i in range(200)],
        "prediction_type": "epsilon",
        "timestep_spacing": "linspace",
    }
    dpm_options = {
        "_class_name": "DPMSolverMultistepScheduler",
        "beta_schedule": "scaled_linear",
        "beta_start": 0.00085,
        "beta_end": 0.012,
        "solver_type": "heun",
        "lower_order_final": False,
        "final_sigmas_type": "sigma_min",
        "lambda_min_clipped": -2.5,
        "sigma_min": 0.1,
        "sigma_max": 10.0,
        "timestep_spacing": "leading",
        "steps_offset": 1,
        "_use_default_values": ["timestep_spacing"],
    }
    order3 = {
        "_class_name": "UniPCMultistepScheduler",
        "beta_schedule": "scaled_linear",
        "beta_start": 0.00085,
        "beta_end": 0.012,
        "solver_order": 3,
        "solver_type": "bh1",
        "disable_corrector": [2],
        "lower_order_final": False,
        "final_sigmas_type": "sigma_min",
        "steps_offset": 1,
    }
    main_steps = [1, 2, 4, 10, 20, 50]
    main_trajectories = [1, 2, 4, 10, 50]
    return [
        ("sd15", "stable-diffusion-v1-5 scheduler_config.json (hub, no timestep_spacing)", SD15, main_steps, main_trajectories),
        ("sd15-resaved", "the same config after from_config + save_config by this diffusers", resaved(diffusers, SD15), main_steps, [4, 20]),
        ("sd21-v", "Stable Diffusion 2.1 768-v scheduler_config.json keys (v_prediction)", SD21_V, main_steps, main_trajectories),
        ("zsnr-v-trailing", "made up: sd21-v with rescale_betas_zero_snr and trailing spacing", zsnr, [1, 3, 10, 25], [3, 25]),
        ("linear-trailing", "made up: linear betas (class defaults), trailing spacing, clip_sample", linear, [1, 3, 7, 10, 25], [7, 25]),
        ("cosine-leading", "made up: squaredcos_cap_v2 betas, leading spacing, steps_offset 2", cosine, [1, 3, 10, 25], [10]),
        ("trained-betas", "made up: 200 trained betas", trained, [1, 3, 10, 25], [10]),
        ("dpm-options", "made up: DPM options (heun, no lower_order_final, sigma_min final, lambda clip, sigma range, _use_default_values)", dpm_options, [1, 3, 10, 14, 25], [3, 14]),
        ("multistep-order3", "made up: UniPC and DEIS of order 3 (UniPC with bh1, the corrector left out after call 2, no lower_order_final, final sigma_min)", order3, [1, 3, 10, 25], [3, 10, 25]),
    ]


# The configurations that only some samplers are run on. (UniPC's Karras schedule with a
# sigma_min final repeats its last sigma, and diffusers divides by the zero step there.)
ONLY = {"multistep-order3": ("unipc", "deis", "deis_karras")}


# --- the samplers, as the project defines them on top of diffusers' classes -----------------

KARRAS = {"use_karras_sigmas": True}
EXPONENTIAL = {"use_exponential_sigmas": True}
DPMPP_2M = {"algorithm_type": "dpmsolver++", "solver_order": 2}
DPMPP_2M_SDE = {"algorithm_type": "sde-dpmsolver++", "solver_order": 2}

# name -> (diffusers class, from_config overrides); DPM++ 2S a, which diffusers lacks, is in K_DIFFUSION.
SAMPLERS = {
    "pndm": ("PNDMScheduler", {"skip_prk_steps": True}),
    "ddim": ("DDIMScheduler", {}),
    "euler": ("EulerDiscreteScheduler", {"use_karras_sigmas": False}),
    "euler_karras": ("EulerDiscreteScheduler", {"use_karras_sigmas": True}),
    "euler_exponential": ("EulerDiscreteScheduler", EXPONENTIAL),
    "euler_a": ("EulerAncestralDiscreteScheduler", {}),
    "euler_a_karras": ("EulerAncestralDiscreteScheduler", {}),
    "euler_a_exponential": ("EulerAncestralDiscreteScheduler", {}),
    "lms": ("LMSDiscreteScheduler", {"use_karras_sigmas": False}),
    "lms_karras": ("LMSDiscreteScheduler", {"use_karras_sigmas": True}),
    "lms_exponential": ("LMSDiscreteScheduler", EXPONENTIAL),
    "dpmpp_2m": ("DPMSolverMultistepScheduler", {**DPMPP_2M, "use_karras_sigmas": False}),
    "dpmpp_2m_karras": ("DPMSolverMultistepScheduler", {**DPMPP_2M, "use_karras_sigmas": True}),
    "dpmpp_2m_exponential": ("DPMSolverMultistepScheduler", {**DPMPP_2M, **EXPONENTIAL}),
    "heun": ("HeunDiscreteScheduler", {}),
    "heun_karras": ("HeunDiscreteScheduler", KARRAS),
    "heun_exponential": ("HeunDiscreteScheduler", EXPONENTIAL),
    "dpm2": ("KDPM2DiscreteScheduler", {}),
    "dpm2_karras": ("KDPM2DiscreteScheduler", KARRAS),
    "dpm2_exponential": ("KDPM2DiscreteScheduler", EXPONENTIAL),
    "dpm2_a": ("KDPM2AncestralDiscreteScheduler", {}),
    "dpm2_a_karras": ("KDPM2AncestralDiscreteScheduler", KARRAS),
    "dpm2_a_exponential": ("KDPM2AncestralDiscreteScheduler", EXPONENTIAL),
    "dpmpp_2m_sde": ("DPMSolverMultistepScheduler", DPMPP_2M_SDE),
    "dpmpp_2m_sde_karras": ("DPMSolverMultistepScheduler", {**DPMPP_2M_SDE, **KARRAS}),
    "dpmpp_2m_sde_exponential": ("DPMSolverMultistepScheduler", {**DPMPP_2M_SDE, **EXPONENTIAL}),
    "dpmpp_sde": ("DPMSolverSDEScheduler", {}),
    "dpmpp_sde_karras": ("DPMSolverSDEScheduler", KARRAS),
    "dpmpp_sde_exponential": ("DPMSolverSDEScheduler", EXPONENTIAL),
    "unipc": ("UniPCMultistepScheduler", {}),
    "unipc_karras": ("UniPCMultistepScheduler", KARRAS),
    "unipc_exponential": ("UniPCMultistepScheduler", EXPONENTIAL),
    "lcm": ("LCMScheduler", {}),
    "ddpm": ("DDPMScheduler", {}),
    "deis": ("DEISMultistepScheduler", {}),
    "deis_karras": ("DEISMultistepScheduler", KARRAS),
    "deis_exponential": ("DEISMultistepScheduler", EXPONENTIAL),
}

# DPM++ 2S a as A1111 runs it, with the schedule its name asks for (A1111's "Automatic" for this
# sampler is Karras, and so is ours).
K_DIFFUSION = {"dpmpp_2s_a": "karras", "dpmpp_2s_a_karras": "karras", "dpmpp_2s_a_exponential": "exponential"}

# Every sampler is in every configuration, but for the exponential schedules, which are only in
# these (to keep the fixtures small).
EXPONENTIAL_CONFIGS = ("sd15", "sd21-v", "cosine-leading", "dpm-options")

# The diffusers modules whose `randn_tensor` draws a sampler's per-step noise.
NOISE_MODULES = (
    "scheduling_euler_ancestral_discrete",
    "scheduling_k_dpm_2_ancestral_discrete",
    "scheduling_dpmsolver_multistep",
    "scheduling_lcm",
    "scheduling_ddpm",
)


def sampler_names(key, with_k_diffusion):
    names = list(SAMPLERS) + (list(K_DIFFUSION) if with_k_diffusion else [])
    if key in ONLY:
        return list(ONLY[key])
    return [n for n in names if not n.endswith("_exponential") or key in EXPONENTIAL_CONFIGS]


def scheduler_class(diffusers, class_name):
    if class_name == "DPMSolverSDEScheduler":
        # diffusers exports a placeholder unless torchsde is installed with its metadata; the
        # module itself only needs `import torchsde` to work (see --torchsde).
        from diffusers.schedulers.scheduling_dpmsolver_sde import DPMSolverSDEScheduler

        return DPMSolverSDEScheduler
    return getattr(diffusers, class_name)


def make_scheduler(diffusers, name, config, steps):
    class_name, overrides = SAMPLERS[name]
    scheduler = scheduler_class(diffusers, class_name).from_config(config, **overrides)
    scheduler.set_timesteps(steps)
    if name in ("euler_a_karras", "euler_a_exponential"):
        euler = diffusers.EulerDiscreteScheduler.from_config(config, **(KARRAS if name == "euler_a_karras" else EXPONENTIAL))
        euler.set_timesteps(steps)
        scheduler.timesteps = euler.timesteps.clone()
        scheduler.sigmas = euler.sigmas.clone()
    return scheduler


class StreamNoise:
    """The samplers' per-step noise as draws of the sample's shape from one RandomState, continuing
    the stream that gave the starting latents (the project's noise source 'numpy')."""

    def __init__(self, rs):
        self.rs = rs

    def draw(self, shape):
        import numpy as np
        import torch

        return torch.from_numpy(self.rs.randn(*shape).astype(np.float32))

    def randn_tensor(self, shape, generator=None, device=None, dtype=None, layout=None, **kwargs):
        import torch

        return self.draw(shape).to(dtype or torch.float32)

    def brownian_sampler(self):
        """Stands in for DPMSolverSDEScheduler's BrownianTreeNoiseSampler: a plain draw per call
        (what the project does for a generator with no seed; the Brownian tree itself is checked
        against torchsde by tools/reference/brownian.py)."""
        stream = self

        class Sampler:
            def __init__(self, x, sigma_min, sigma_max, seed=None, transform=None):
                self.shape = x.shape

            def __call__(self, sigma, sigma_next):
                return stream.draw(self.shape)

        return Sampler


class patched_noise:
    """Within the block, every sampler draws its noise from `noise` (a StreamNoise)."""

    def __init__(self, noise):
        self.noise = noise
        self.saved = []

    def __enter__(self):
        import importlib

        for name in NOISE_MODULES:
            module = importlib.import_module("diffusers.schedulers." + name)
            self.saved.append((module, "randn_tensor", module.randn_tensor))
            module.randn_tensor = self.noise.randn_tensor
        sde = importlib.import_module("diffusers.schedulers.scheduling_dpmsolver_sde")
        self.saved.append((sde, "BrownianTreeNoiseSampler", sde.BrownianTreeNoiseSampler))
        sde.BrownianTreeNoiseSampler = self.noise.brownian_sampler()
        return self

    def __exit__(self, *exc):
        for module, name, value in reversed(self.saved):
            setattr(module, name, value)


def call_sigmas(name, scheduler):
    """The noise level of each UNet call, then the final one: the sigma scale_model_input divides
    by at each call, read from the class's attributes as its scale_model_input reads them (the
    k-dpm classes keep their midpoints apart, in `sigmas_interpol`)."""
    class_name = SAMPLERS[name][0]
    calls = range(len(scheduler.timesteps))
    if class_name == "KDPM2DiscreteScheduler":
        return [float(scheduler.sigmas[i] if i % 2 == 0 else scheduler.sigmas_interpol[i]) for i in calls] + [0.0]
    if class_name == "KDPM2AncestralDiscreteScheduler":
        return [float(scheduler.sigmas[i] if i % 2 == 0 else scheduler.sigmas_interpol[i - 1]) for i in calls] + [0.0]
    if class_name == "DPMSolverSDEScheduler":
        return sde_call_sigmas(scheduler)
    sigmas = getattr(scheduler, "sigmas", None)
    return numbers(sigmas) if sigmas is not None else None


def sde_call_sigmas(scheduler):
    """DPMSolverSDEScheduler computes its midpoints as it steps (`mid_point_sigma`): step it through
    once with a zero model output, reading the sigma scale_model_input uses at each call."""
    import numpy as np
    import torch

    out = []
    sample = torch.zeros(1, 1, 1, 1)
    with patched_noise(StreamNoise(np.random.RandomState(0))):
        for t in scheduler.timesteps:
            scheduler.scale_model_input(sample, t)
            out.append(float(scheduler.sigmas[scheduler.step_index] if scheduler.state_in_first_order else scheduler.mid_point_sigma))
            sample = scheduler.step(torch.zeros_like(sample), t, sample).prev_sample
    return out + [0.0]


def numbers(tensor_or_list):
    import torch

    if isinstance(tensor_or_list, torch.Tensor):
        return [float(v) for v in tensor_or_list.double().flatten().tolist()]
    return [float(v) for v in tensor_or_list]


def scalar(value):
    import torch

    return float(value.item()) if isinstance(value, torch.Tensor) else float(value)


def fake_unet(x, t, i):
    import numpy as np
    import torch

    x64 = x.numpy().astype(np.float64)
    return torch.from_numpy((0.3 * x64 * math.cos(t / 300) + 0.05 * math.sin(i + 1)).astype(np.float32))


def trajectory(diffusers, name, config, steps):
    import numpy as np
    import torch

    rs = np.random.RandomState(1)
    with patched_noise(StreamNoise(rs)):
        scheduler = make_scheduler(diffusers, name, config, steps)
        latents = torch.from_numpy(rs.randn(1, 4, 4, 4).astype(np.float32)) * scheduler.init_noise_sigma
        first = None
        for i, t in enumerate(scheduler.timesteps):
            model_input = scheduler.scale_model_input(latents, t)
            eps = fake_unet(model_input, float(t), i)
            latents = scheduler.step(eps, t, latents).prev_sample
            if i == 0:
                first = latents.clone()
        return {"steps": steps, "afterFirstStep16": numbers(first)[:16], "final": numbers(latents)}


# --- DPM++ 2S a: k-diffusion's sampler as A1111 runs it --------------------------------------


def k_diffusion_run(kd, diffusers, name, config, steps):
    """sample_dpmpp_2s_ancestral as A1111 calls it: A1111's model wrapper (CompVisDenoiser for ε,
    CompVisVDenoiser for v: k-diffusion's DiscreteEps/VDDPMDenoiser over the training ᾱ, not
    quantized) around the fake UNet; the sigmas of A1111's schedule (get_sigmas_karras or
    get_sigmas_exponential between the wrapper's smallest and largest sigma); the starting noise
    times sigmas[0]; the per-step noise from the same RandomState (A1111's ImageRNG.next()).
    Records the sigma and timestep of every UNet call, the latents after the first step (after
    call `afterCall`, the step's last) and at the end."""
    import numpy as np
    import torch

    model = KDiffusionModel(kd, diffusers, name, config)
    sigmas = model.sigmas(steps)
    rs = np.random.RandomState(1)
    x = torch.from_numpy(rs.randn(1, 4, 4, 4).astype(np.float32)) * sigmas[0]
    after_call, first, final = model.sample(x, sigmas, StreamNoise(rs))
    schedule = {"steps": steps, "timesteps": model.timesteps, "sigmas": model.call_sigmas + [0.0], "initNoiseSigma": float(sigmas[0])}
    run = {"steps": steps, "afterCall": after_call, "afterFirstStep16": numbers(first)[:16], "final": numbers(final)}
    return schedule, run


class KDiffusionModel:
    """A1111's model wrapper around the fake UNet for `sample_dpmpp_2s_ancestral`, recording the
    timestep and sigma of every UNet call (the call index counts from 0 at the first call run)."""

    def __init__(self, kd, diffusers, name, config):
        self.sampling, external = kd
        self.name = name
        # EulerDiscreteScheduler's ᾱ: finite at the end under rescale_betas_zero_snr, as ours.
        alphas = diffusers.EulerDiscreteScheduler.from_config(config).alphas_cumprod.float()
        self.timesteps = []
        self.call_sigmas = []

        def unet(x, t, **kwargs):
            self.timesteps.append(float(t))
            return fake_unet(x, float(t), len(self.timesteps) - 1)

        wrapper = external.DiscreteVDDPMDenoiser if config.get("prediction_type") == "v_prediction" else external.DiscreteEpsDDPMDenoiser
        self.denoiser = wrapper(unet, alphas, quantize=False)

    def sigmas(self, steps):
        """A1111's schedule for the sampler: Karras or exponential between the wrapper's extremes."""
        sigma_min, sigma_max = self.denoiser.sigmas[0].item(), self.denoiser.sigmas[-1].item()
        schedule = self.sampling.get_sigmas_karras if K_DIFFUSION[self.name] == "karras" else self.sampling.get_sigmas_exponential
        return schedule(steps, sigma_min, sigma_max)

    def __call__(self, x, sigma, **kwargs):
        self.call_sigmas.append(float(sigma))
        return self.denoiser(x, sigma, **kwargs)

    def sample(self, x, sigmas, stream):
        """Runs the sampler from x over sigmas, its per-step noise from `stream`; returns the call
        after which the first step ended, the latents then, and the final latents."""
        after_first = []

        def callback(info):
            # Called in step 1 after its first UNet call, with the latents the step started from.
            if info["i"] == 1:
                after_first.append((len(self.call_sigmas) - 2, info["x"].clone()))

        final = self.sampling.sample_dpmpp_2s_ancestral(self, x, sigmas, callback=callback, disable=True, noise_sampler=lambda s, n: stream.draw(x.shape))
        after_call, first = after_first[0] if after_first else (0, final)
        return after_call, first, final


def k_diffusion_img2img(kd, diffusers, name, config, steps, strength):
    """DPM++ 2S a's img2img start on the same terms as the diffusers classes' (img2img below):
    diffusers' get_timesteps in steps (t_start = steps − min(int(steps·strength), steps)), the
    init noised to that step's sigma as k-diffusion noises (x₀ + noise·σ), then the sampler over
    the schedule's sigmas from there, its per-step noise continuing RandomState(2). The start
    index counts UNet calls (two a step before the last). No blend: the inpainting blend between
    a step's two calls has no reference in k-diffusion."""
    import numpy as np
    import torch

    model = KDiffusionModel(kd, diffusers, name, config)
    sigmas = model.sigmas(steps)
    t_start = max(steps - min(int(steps * strength), steps), 0)
    result = {"steps": steps, "strength": strength, "startIndex": t_start * 2, "calls": 0}
    if t_start == steps:
        return result
    rs = np.random.RandomState(2)
    x0 = torch.from_numpy(rs.randn(1, 4, 4, 4).astype(np.float32))
    noise = torch.from_numpy(rs.randn(1, 4, 4, 4).astype(np.float32))
    start = x0 + noise * sigmas[t_start]
    after_call, first, final = model.sample(start, sigmas[t_start:], StreamNoise(rs))
    result.update(
        calls=len(model.call_sigmas),
        afterCall=after_call,
        start16=numbers(start)[:16],
        afterFirstStep16=numbers(first)[:16],
        final16=numbers(final)[:16],
        levels=[[1.0, float(sigmas[t_start])]],
    )
    return result



IMG2IMG_CONFIGS = ("sd15", "sd21-v", "zsnr-v-trailing", "cosine-leading")
# (steps, strength): img2img's usual strengths, a full-strength run, and one that runs no step.
IMG2IMG_CASES = [(10, 0.3), (10, 0.75), (20, 0.5), (4, 1.0), (7, 0.6), (10, 0.05)]


def img2img(diffusers, name, config, steps, strength):
    import numpy as np
    import torch

    def run(blend):
        rs = np.random.RandomState(2)
        x0 = torch.from_numpy(rs.randn(1, 4, 4, 4).astype(np.float32))
        noise = torch.from_numpy(rs.randn(1, 4, 4, 4).astype(np.float32))

        with patched_noise(StreamNoise(rs)):
            scheduler = make_scheduler(diffusers, name, config, steps)
            init_timestep = min(int(steps * strength), steps)
            t_start = max(steps - init_timestep, 0)
            begin = t_start * scheduler.order
            timesteps = scheduler.timesteps[begin:]
            if hasattr(scheduler, "set_begin_index"):
                scheduler.set_begin_index(begin)
            result = {"steps": steps, "strength": strength, "startIndex": begin, "calls": len(timesteps)}
            if len(timesteps) == 0:
                return result

            def level(t):
                ones, zeros = torch.ones(1, 1, 1, 1), torch.zeros(1, 1, 1, 1)
                return [scalar(scheduler.add_noise(ones, zeros, t)), scalar(scheduler.add_noise(zeros, ones, t))]

            levels = [level(timesteps[:1])]
            latents = scheduler.add_noise(x0, noise, timesteps[:1])
            result["start16"] = numbers(latents)[:16]
            mask = torch.zeros(1, 1, 4, 4)
            mask[:, :, :2, :] = 1
            for i, t in enumerate(timesteps):
                model_input = scheduler.scale_model_input(latents, t)
                eps = fake_unet(model_input, float(t), i)
                latents = scheduler.step(eps, t, latents).prev_sample
                if i == 0:
                    result["afterFirstStep16"] = numbers(latents)[:16]
                if blend and i < len(timesteps) - 1:
                    following = timesteps[i + 1 : i + 2]
                    levels.append(level(following))
                    latents = (1 - mask) * scheduler.add_noise(x0, noise, following) + mask * latents
            result["final16"] = numbers(latents)[:16]
            result["levels"] = levels
            return result

    plain = run(False)
    if plain["calls"] == 0:
        return plain
    blended = run(True)
    return {**plain, "levels": blended["levels"], "blendedFinal16": blended["final16"]}


def alphas_cumprod(diffusers, config):
    # DDIMScheduler knows every beta option (trained_betas, rescale_betas_zero_snr) and does not
    # overwrite the last value the way the sigma schedulers do under rescale_betas_zero_snr.
    return numbers(diffusers.DDIMScheduler.from_config(config).alphas_cumprod)


def compact_json(value):
    """Indented JSON with each list of numbers on one line, so fixtures stay small and diffable."""
    text = json.dumps(value, indent=1)
    return re.sub(
        r"\[[^\[\]{}\"]*\]",
        lambda m: "[" + ", ".join(m.group(0)[1:-1].split()).replace(",,", ",") + "]",
        text,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkout")
    parser.add_argument("--label", default="")
    parser.add_argument("--k-diffusion", dest="k_diffusion", help="a checkout of github.com/crowsonkb/k-diffusion, for DPM++ 2S a")
    parser.add_argument("--k-diffusion-label", dest="k_diffusion_label", default="")
    parser.add_argument("--only", help="write this configuration's fixture alone")
    parser.add_argument("--torchsde", required=True, help="a checkout of github.com/google-research/torchsde, which DPMSolverSDEScheduler imports")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "schedulers"))
    args = parser.parse_args()

    import_torchsde(args.torchsde)
    diffusers = import_diffusers(args.checkout)
    kd = import_k_diffusion(args.k_diffusion, args.torchsde) if args.k_diffusion else None
    import numpy as np
    import torch

    torch.set_num_threads(1)
    origin = (
        f"diffusers {diffusers.__version__} {args.label}".strip()
        + (f", k-diffusion {args.k_diffusion_label}".rstrip() if kd else "")
        + f", torch {torch.__version__}, numpy {np.__version__}; computed by tools/reference/schedulers.py"
    )
    os.makedirs(args.out, exist_ok=True)
    for key, description, config, steps_list, trajectory_steps in configurations(diffusers):
        if args.only and key != args.only:
            continue
        fixture = {
            "origin": origin,
            "description": description,
            "config": config,
            "fakeUnet": "eps = float32(0.3 * x * cos(t / 300) + 0.05 * sin(i + 1)) in float64, x the scaled model input, t the timestep, i the call index",
            "initialLatents": "RandomState(1).randn(1, 4, 4, 4) as float32, times init_noise_sigma in float32; the samplers that add noise draw it from the same RandomState",
            "alphasCumprod": alphas_cumprod(diffusers, config),
            "samplers": {},
        }
        for name in sampler_names(key, kd is not None):
            if name in K_DIFFUSION:
                runs = {steps: k_diffusion_run(kd, diffusers, name, config, steps) for steps in steps_list}
                fixture["samplers"][name] = {
                    "schedules": [runs[steps][0] for steps in steps_list],
                    "trajectories": [runs[steps][1] for steps in trajectory_steps],
                }
                if key in IMG2IMG_CONFIGS:
                    fixture["samplers"][name]["img2img"] = [k_diffusion_img2img(kd, diffusers, name, config, s, strength) for s, strength in IMG2IMG_CASES]
                continue
            schedules = []
            for steps in steps_list:
                s = make_scheduler(diffusers, name, config, steps)
                schedules.append(
                    {
                        "steps": steps,
                        "timesteps": numbers(s.timesteps),
                        "sigmas": call_sigmas(name, make_scheduler(diffusers, name, config, steps)),
                        "initNoiseSigma": scalar(s.init_noise_sigma),
                    }
                )
            trajectories = []
            for steps in trajectory_steps:
                try:
                    trajectories.append(trajectory(diffusers, name, config, steps))
                except Exception as e:  # diffusers itself fails here; the fixture says so
                    trajectories.append({"steps": steps, "error": f"{type(e).__name__}: {e}"})
            fixture["samplers"][name] = {"schedules": schedules, "trajectories": trajectories}
            if key in IMG2IMG_CONFIGS:
                fixture["samplers"][name]["img2img"] = [img2img(diffusers, name, config, s, strength) for s, strength in IMG2IMG_CASES]
        path = os.path.join(args.out, key + ".json")
        with open(path, "w") as f:
            f.write(compact_json(fixture) + "\n")
        print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
