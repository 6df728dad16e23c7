#!/usr/bin/python3
"""Reference images from diffusers' own StableDiffusionPipeline, StableDiffusionXLPipeline and
LatentConsistencyModelPipeline on this project's tiny SD 2.x (512 epsilon, 768 v-prediction),
SD-Turbo, SDXL, SDXL-Turbo and LCM test models; and image to image on the SD 2.x and SDXL ones with
its StableDiffusionImg2ImgPipeline and StableDiffusionXLImg2ImgPipeline.

Usage:
    /usr/bin/python3 tools/reference/diffusers_pipelines.py DIFFUSERS_CHECKOUT MODELS_DIR [--label TEXT] > test/fixtures/pipelines/diffusers-pipelines.json

DIFFUSERS_CHECKOUT is a checkout of github.com/huggingface/diffusers. The committed fixture used
v0.31.0 (`git archive v0.31.0 src/diffusers`, commit 89e4d6219805975bd7d253a267e1951badc9f1c0):
later releases' pipeline modules need a newer torch than Debian's 1.13 (torch.compiler, float8
dtypes, torch.distributed.device_mesh), and StableDiffusionXLPipeline's method (encode_prompt,
_get_add_time_ids, the loop, the decode) is the same in v0.40.0 but for type annotations. MODELS_DIR holds the
generated test models `sd2`, `sd2-v`, `sd-turbo`, `sdxl`, `sdxl-turbo` and `lcm` (`node
out/tools/test-models/generate.js MODELS_DIR sd2 sd2-v sd-turbo sdxl sdxl-turbo lcm`). Only numbers are written: images as bytes, latents as floats.

What is diffusers' own code here, and what stands in:
- The pipelines are diffusers' StableDiffusionPipeline, StableDiffusionXLPipeline and
  LatentConsistencyModelPipeline, imported from the checkout and run as users run them
  (`pipe(prompt=..., negative_prompt=..., guidance_scale=..., generator=...)`). SD 2.x's: the
  text encoder's last hidden state (an SD 2.x export's CLIP already ends at OpenCLIP's
  penultimate layer), the tokenizer's `!` padding, the scheduler from the model's config (PNDM,
  DDIM with v-prediction, Euler with trailing timesteps for SD-Turbo), no guidance batch when
  cfg ≤ 1. SDXL's
  encode_prompt (both text encoders, the penultimate hidden states concatenated, the pooled
  output of the second, zeros for a missing negative prompt when force_zeros_for_empty_prompt),
  _get_add_time_ids, prepare_latents (torch.randn from the generator × init_noise_sigma), the
  classifier-free guidance batch and formula, the scheduler (EulerDiscreteScheduler or
  EulerAncestralDiscreteScheduler from the model's scheduler_config.json), the VAE scaling and
  VaeImageProcessor's postprocessing to 8-bit pixels. LCM's: one prompt without a guidance batch,
  the guidance scale's embedding (get_guidance_scale_embedding of w = cfg − 1) as the UNet's
  timestep_cond, LCMScheduler's steps (which draw their noise from the generator) and the decode
  of its denoised output.
- transformers cannot be installed here, so a module of that name holds stand-ins: the text
  encoders are torch modules with CLIPTextModel's and CLIPTextModelWithProjection's call
  signature (`(input_ids, output_hidden_states=True)` → outputs[0] and .hidden_states) that run
  the model's own text_encoder/ and text_encoder_2/ ONNX files (onnx_torch.py); the tokenizers
  are CLIP's byte-level BPE over the model's own vocab.json and merges.txt, padding with the
  folder's pad token, enough for the lowercase ASCII prompts below (the fixture records their ids
  and the TypeScript test checks its tokenizer gives the same).
- Image to image: the Img2Img pipelines' own preprocessing of the init (VaeImageProcessor, a PIL
  image of a colour ramp), get_timesteps (the start part of the way down the schedule),
  prepare_latents (retrieve_latents: a sample of diffusers' own DiagonalGaussianDistribution
  over the model's vae_encoder/ mean and log-variance, drawn from the generator before the
  noise; add_noise at the start step), SDXL's time ids (no aesthetic score); the init's bytes
  are in the fixture for the TypeScript test.
- The UNet and the VAE are torch modules with UNet2DConditionModel's and AutoencoderKL's call
  signatures and the config attributes the pipeline reads, running the model's unet/ and
  vae_decoder/ ONNX files the same way.
- huggingface_hub and safetensors stand-ins as in schedulers.py (nothing here downloads or reads
  weight files); diffusers' optional-dependency probes are left as they are, so the loader mixins
  it defines only with transformers (single-file loading, LoRA, textual inversion, IP-Adapter)
  are empty classes, as is the safety checker's (the LCM pipeline runs without one): the
  pipelines' __call__ uses none of them for these prompts (the textual-
  inversion one keeps maybe_convert_prompt, which returns the prompt unchanged when no embedding
  is loaded, as here).
"""
import argparse
import base64
import json
import os
import re
import sys
import types

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_torch import OnnxGraph  # noqa: E402
import schedulers  # noqa: E402


class Config(dict):
    """A diffusers-style config: keys as attributes."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class _Module(torch.nn.Module):
    """A stand-in model: float32 on the CPU, as diffusers' ModelMixin reports."""

    device = torch.device("cpu")
    dtype = torch.float32


class TextEncoderStandIn(_Module):
    """CLIPTextModel(WithProjection)'s call: outputs[0] is last_hidden_state, or text_embeds for the projection model."""

    def __init__(self, folder, projection):
        super().__init__()
        self.graph = OnnxGraph(os.path.join(folder, "model.onnx"))
        self.projection = projection
        config = json.load(open(os.path.join(folder, "config.json")))
        self.config = Config(projection_dim=config.get("projection_dim"), hidden_size=config["hidden_size"])

    def forward(self, input_ids, attention_mask=None, output_hidden_states=False):
        if attention_mask is not None:
            raise ValueError("these CLIP exports take no attention mask")
        out = self.graph.run({"input_ids": input_ids.to(torch.int64)})
        layers = sorted((k for k in out if k.startswith("hidden_states.")), key=lambda k: int(k.split(".")[1]))
        first = out["text_embeds"] if self.projection else out["last_hidden_state"]
        result = types.SimpleNamespace(hidden_states=tuple(out[k] for k in layers))
        return _Outputs((first, out["last_hidden_state"]), result.hidden_states)


class _Outputs(tuple):
    def __new__(cls, values, hidden_states):
        t = super().__new__(cls, values)
        t.hidden_states = hidden_states
        return t


class UNetStandIn(_Module):
    def __init__(self, folder):
        super().__init__()
        self.graph = OnnxGraph(os.path.join(folder, "model.onnx"))
        config = json.load(open(os.path.join(folder, "config.json")))
        self.config = Config(
            in_channels=config["in_channels"],
            sample_size=config["sample_size"],
            time_cond_proj_dim=config.get("time_cond_proj_dim"),
            addition_time_embed_dim=config.get("addition_time_embed_dim"),
        )
        linear = types.SimpleNamespace(in_features=config.get("projection_class_embeddings_input_dim"))
        self.add_embedding = types.SimpleNamespace(linear_1=linear)

    def forward(self, sample, timestep, encoder_hidden_states, timestep_cond=None, cross_attention_kwargs=None, added_cond_kwargs=None, return_dict=True):
        batch = sample.shape[0]
        # The exported UNet takes one int64 timestep a batch item; the schedules here are whole numbers.
        t = torch.as_tensor(timestep).reshape(-1).expand(batch).to(torch.int64)
        feeds = {"sample": sample, "timestep": t, "encoder_hidden_states": encoder_hidden_states}
        feeds.update(added_cond_kwargs or {})
        if timestep_cond is not None:
            feeds["timestep_cond"] = timestep_cond
        missing = [n for n in self.graph.input_names if n not in feeds]
        if missing:
            raise ValueError(f"the pipeline gave no {missing}")
        return (self.graph.run({n: feeds[n] for n in self.graph.input_names})["out_sample"],)


class VaeStandIn(_Module):
    """AutoencoderKL's decode, and its encode's latent distribution (diffusers' own
    DiagonalGaussianDistribution over the encoder's mean and log-variance) for image to image."""

    def __init__(self, model_folder, distribution):
        super().__init__()
        self.graph = OnnxGraph(os.path.join(model_folder, "vae_decoder", "model.onnx"))
        encoder = os.path.join(model_folder, "vae_encoder", "model.onnx")
        self.encoder = OnnxGraph(encoder) if os.path.exists(encoder) else None
        self.distribution = distribution
        config = json.load(open(os.path.join(model_folder, "vae_decoder", "config.json")))
        self.config = Config(block_out_channels=[128, 256, 512, 512], scaling_factor=config["scaling_factor"], force_upcast=config.get("force_upcast", False), latents_mean=None, latents_std=None)

    def decode(self, latents, return_dict=True, generator=None):
        return (self.graph.run({"latent_sample": latents})["sample"],)

    def encode(self, image, return_dict=True):
        parameters = self.encoder.run({"sample": image})["latent_parameters"]
        return types.SimpleNamespace(latent_dist=self.distribution(parameters))


class TokenizerStandIn:
    """CLIP's BPE over a folder's vocab.json and merges.txt, for lowercase ASCII prompts."""

    def __init__(self, folder):
        self.vocab = json.load(open(os.path.join(folder, "vocab.json")))
        lines = open(os.path.join(folder, "merges.txt")).read().splitlines()[1:]
        self.ranks = {tuple(m.split()): i for i, m in enumerate(lines) if m}
        special = json.load(open(os.path.join(folder, "special_tokens_map.json")))
        self.bos = self.vocab[special["bos_token"]["content"]]
        self.eos = self.vocab[special["eos_token"]["content"]]
        self.pad = self.vocab[special["pad_token"]["content"]]
        self.model_max_length = 77

    def _bpe(self, word):
        symbols = list(word[:-1]) + [word[-1] + "</w>"]
        while len(symbols) > 1:
            pairs = [(self.ranks.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(symbols, symbols[1:]))]
            rank, i = min(pairs)
            if rank == 1 << 30:
                break
            symbols = symbols[:i] + [symbols[i] + symbols[i + 1]] + symbols[i + 2 :]
        return [self.vocab[s] for s in symbols]

    def ids(self, text):
        words = re.findall(r"[a-z]+|[0-9]|[^\sa-z0-9]+", text.lower())
        return [self.bos] + [i for w in words for i in self._bpe(w)] + [self.eos]

    def __call__(self, prompts, padding="max_length", max_length=None, truncation=False, return_tensors="pt"):
        prompts = [prompts] if isinstance(prompts, str) else prompts
        rows = [self.ids(p) for p in prompts]
        length = max_length if padding == "max_length" else max(len(r) for r in rows)
        rows = [(r[: length - 1] + [self.eos] if truncation and len(r) > length else r) for r in rows]
        rows = [r + [self.pad] * (length - len(r)) for r in rows]
        return types.SimpleNamespace(input_ids=torch.tensor(rows, dtype=torch.int64))


def install_transformers_stand_in():
    module = types.ModuleType("transformers")
    for name in ("CLIPConfig", "CLIPTextModel", "CLIPTextModelWithProjection", "CLIPTokenizer", "CLIPImageProcessor", "CLIPVisionModel", "CLIPVisionModelWithProjection", "PreTrainedModel"):
        setattr(module, name, type(name, (), {}))
    module.__version__ = "0.0.0-stand-in"
    sys.modules["transformers"] = module


CASES = [
    # (model, prompt, negative prompt or None, cfg, steps, width, height, seed)
    ("sd2", "a photo of a cat", "a dog", 7.5, 3, 64, 64, 11),
    ("sd2-v", "a photo of a cat", "", 7.0, 3, 96, 64, 12),
    ("sd-turbo", "a photo of a cat", None, 0.0, 1, 64, 64, 13),
    ("sdxl", "a photo of a cat", "a dog", 5.0, 4, 96, 64, 1),
    ("sdxl", "a cat", None, 7.0, 3, 64, 64, 7),
    ("sdxl", "a photo of a cat", None, 1.0, 3, 64, 96, 3),
    ("sdxl-turbo", "a photo of a cat", None, 0.0, 2, 64, 64, 42),
    ("lcm", "a photo of a cat", None, 8.5, 4, 64, 64, 5),
    ("lcm", "a cat", None, 2.0, 2, 96, 64, 9),
]

# Image to image: (model, prompt, negative prompt or None, cfg, steps, width, height, seed, strength),
# from the picture init_picture(width, height) with diffusers' Img2Img pipelines.
IMG2IMG_CASES = [
    ("sd2", "a photo of a cat", "a dog", 7.5, 4, 64, 64, 21, 0.5),
    ("sd2-v", "a photo of a cat", "", 7.0, 5, 96, 64, 22, 0.6),
    ("sdxl", "a photo of a cat", "a dog", 5.0, 4, 96, 64, 23, 0.75),
    ("sdxl", "a cat", None, 7.0, 5, 64, 64, 24, 0.3),
]


def init_picture(width, height):
    """A colour ramp: red across, green down, blue 90."""
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([x * 255 // (width - 1), y * 255 // (height - 1), np.full_like(x, 90)], axis=2).astype(np.uint8)


def make_pipeline(diffusers, folder, scheduler, img2img):
    index = json.load(open(os.path.join(folder, "model_index.json")))
    unet = UNetStandIn(os.path.join(folder, "unet"))
    from diffusers.models.autoencoders.vae import DiagonalGaussianDistribution

    vae = VaeStandIn(folder, DiagonalGaussianDistribution)
    tokenizer = TokenizerStandIn(os.path.join(folder, "tokenizer"))
    if index["_class_name"] == "LatentConsistencyModelPipeline":
        from diffusers.pipelines.latent_consistency_models.pipeline_latent_consistency_text2img import LatentConsistencyModelPipeline

        text_encoder = TextEncoderStandIn(os.path.join(folder, "text_encoder"), projection=False)
        return LatentConsistencyModelPipeline(
            vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=scheduler, safety_checker=None, feature_extractor=None, requires_safety_checker=False
        )
    if index["_class_name"] == "StableDiffusionPipeline":
        from diffusers.pipelines.stable_diffusion.pipeline_stable_diffusion import StableDiffusionPipeline
        from diffusers.pipelines.stable_diffusion.pipeline_stable_diffusion_img2img import StableDiffusionImg2ImgPipeline

        text_encoder = TextEncoderStandIn(os.path.join(folder, "text_encoder"), projection=False)
        return (StableDiffusionImg2ImgPipeline if img2img else StableDiffusionPipeline)(
            vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=scheduler, safety_checker=None, feature_extractor=None, requires_safety_checker=False
        )
    from diffusers.pipelines.stable_diffusion_xl.pipeline_stable_diffusion_xl import StableDiffusionXLPipeline
    from diffusers.pipelines.stable_diffusion_xl.pipeline_stable_diffusion_xl_img2img import StableDiffusionXLImg2ImgPipeline

    return (StableDiffusionXLImg2ImgPipeline if img2img else StableDiffusionXLPipeline)(
        vae=vae,
        text_encoder=TextEncoderStandIn(os.path.join(folder, "text_encoder"), projection=False),
        text_encoder_2=TextEncoderStandIn(os.path.join(folder, "text_encoder_2"), projection=True),
        tokenizer=tokenizer,
        tokenizer_2=TokenizerStandIn(os.path.join(folder, "tokenizer_2")),
        unet=unet,
        scheduler=scheduler,
        force_zeros_for_empty_prompt=index["force_zeros_for_empty_prompt"],
        add_watermarker=False,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("checkout")
    parser.add_argument("models")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    diffusers = schedulers.import_diffusers(args.checkout)
    # After diffusers' own probes (which then find no transformers), for the pipeline module's imports.
    install_transformers_stand_in()
    # diffusers defines its loader mixins only with transformers installed; __call__ uses none of
    # them here (no LoRA scale, no textual-inversion tokens, no IP-Adapter image).
    for name in ("FromSingleFileMixin", "IPAdapterMixin", "StableDiffusionLoraLoaderMixin", "StableDiffusionXLLoraLoaderMixin"):
        setattr(diffusers.loaders, name, type(name, (), {}))
    # Defined only with transformers too; the LCM pipeline runs here without a safety checker.
    import diffusers.pipelines.stable_diffusion as sd_pipelines

    sd_pipelines.StableDiffusionSafetyChecker = type("StableDiffusionSafetyChecker", (), {})
    # With no textual-inversion embeddings loaded, the real mixin's maybe_convert_prompt returns the prompt as it is.
    diffusers.loaders.TextualInversionLoaderMixin = type("TextualInversionLoaderMixin", (), {"maybe_convert_prompt": lambda self, prompt, tokenizer: prompt})
    cases = []
    for name, prompt, negative, cfg, steps, width, height, seed, strength in [c + (None,) for c in CASES] + IMG2IMG_CASES:
        folder = os.path.join(args.models, name)
        scheduler_config = json.load(open(os.path.join(folder, "scheduler", "scheduler_config.json")))
        scheduler = getattr(diffusers, scheduler_config["_class_name"]).from_config(scheduler_config)
        pipe = make_pipeline(diffusers, folder, scheduler, img2img=strength is not None)
        final = {"timesteps": []}

        def keep_latents(pipeline, step, timestep, kwargs):
            final["latents"] = kwargs["denoised"] if "denoised" in kwargs else kwargs["latents"]
            final["timesteps"].append(float(timestep))
            return kwargs

        generator = torch.Generator().manual_seed(seed)
        extra = {} if name == "lcm" else {"negative_prompt": negative}
        if strength is None:
            extra.update(width=width, height=height)
        else:
            extra.update(image=Image.fromarray(init_picture(width, height)), strength=strength)
        with torch.no_grad():
            image = pipe(
                prompt=prompt,
                **extra,
                guidance_scale=cfg,
                num_inference_steps=steps,
                generator=generator,
                output_type="np",
                callback_on_step_end=keep_latents,
                callback_on_step_end_tensor_inputs=["denoised"] if name == "lcm" else ["latents"],
            ).images[0]
        pixels = (image * 255).round().astype("uint8")
        case = {
            "model": name,
            "prompt": prompt,
            "negativePrompt": negative,
            "cfg": cfg,
            "steps": steps,
            "width": width,
            "height": height,
            "seed": seed,
            "sampler": scheduler_config["_class_name"],
            "promptIds": [t.ids(prompt) for t in (pipe.tokenizer, getattr(pipe, "tokenizer_2", None)) if t is not None],
            # The timesteps the UNet ran at (image to image starts part of the way down).
            "timesteps": final["timesteps"],
            # SDXL's latents after the last step; LCM's denoised output, which its pipeline decodes.
            "latents": [float(v) for v in final["latents"].flatten()],
            "rgb": base64.b64encode(pixels.tobytes()).decode("ascii"),
        }
        if strength is not None:
            # The init picture, as 8-bit RGB, for the TypeScript test to start from.
            case.update(strength=strength, init=base64.b64encode(init_picture(width, height).tobytes()).decode("ascii"))
        cases.append(case)
    json.dump({"generator": "tools/reference/diffusers_pipelines.py", "diffusers": diffusers.__version__ + (" " + args.label if args.label else ""), "cases": cases}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
