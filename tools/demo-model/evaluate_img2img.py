"""How the image-to-image demo models are measured in torch before export: images made as
diffusers' pipelines make them (conditioning.py), with the demo's evaluation settings: 20
steps, classifier-free guidance 7 with the empty prompt as the unconditional branch, Euler
(the demo's default sampler) unless a run says otherwise, strength 1 (pure noise) unless a
run says otherwise. Per seed, numpy.random.RandomState(seed) draws the initial noise
[1,4,h,w] first, then the noise of the VAE posterior sample [1,4,h,w] (the masked image's, or
the init's), then any ancestral noise. The runs themselves: evaluate_inpainting.py and
evaluate_depth.py.
"""
import json
import os

import numpy as np
import torch

import evaluate
import judge as judge_module
import samplers
import world as world_module

STEPS = 20
CFG = 7.0


def draw(rngs, shape):
    """One standard normal tensor of `shape` per RandomState, stacked."""
    return torch.from_numpy(np.concatenate([r.randn(1, *shape) for r in rngs]).astype(np.float32))


def generate(ctx, unet, prompts, rngs, noise, extra=None, image_latents=None, blend_mask=None, start=0,
             sampler="euler", chunk=96):
    """uint8 images. extra: the UNet's channels after the latents [N,C,h,w]; image_latents:
    the init's latents, for img2img from step `start` (Euler) and for latent blending with
    blend_mask (1 = repaint)."""
    decoder, sf = ctx["vae"][1], ctx["scaling_factor"]
    out = []
    for lo in range(0, len(prompts), chunk):
        sl = slice(lo, lo + chunk)
        cond = evaluate.encode_prompts(ctx, prompts[sl])
        uncond = evaluate.encode_prompts(ctx, [""] * len(prompts[sl]))
        ex = None if extra is None else extra[sl]
        chunk_rngs, chunk_noise = rngs[sl], noise[sl]

        def eps(x, t, ex=ex, cond=cond, uncond=uncond):
            inp = x if ex is None else torch.cat([x, ex], dim=1)
            with torch.no_grad():
                both = unet(torch.cat([inp, inp]), torch.full((2 * x.shape[0],), t), torch.cat([uncond, cond]))
            e_u, e_c = both.chunk(2)
            return e_u + CFG * (e_c - e_u)

        options = {}
        if start:
            options.update(start=start, init=image_latents[sl])
        if blend_mask is not None:
            m, x0 = blend_mask[sl], image_latents[sl]
            options["blend"] = lambda x, s, m=m, x0=x0, e=chunk_noise: (1 - m) * (x0 + s * e) + m * x
        if options and sampler != "euler":
            raise ValueError("img2img and latent blending are measured with euler")
        latents = samplers.run_sampler(sampler, eps, chunk_noise, STEPS,
                                       lambda shape, r=chunk_rngs: draw(r, shape[1:]), **options)
        with torch.no_grad():
            images = decoder(latents / sf).clamp(-1, 1).numpy()
        out += [judge_module.to_uint8(im) for im in images]
    return out


def classes_of(ctx, image):
    return judge_module.classify(image, [c["rgb"] for c in ctx["world"]["palette"]])


def one_shape_scenes(world, count, seed):
    rng = np.random.RandomState(seed)
    scenes = []
    while len(scenes) < count:
        scene = world_module.sample_scene(world, rng)
        if scene["count"] == 1:
            scenes.append(scene)
    return scenes, rng


def other_color(world, rng, *excluded):
    choices = [c for c in range(len(world["palette"])) if c not in excluded]
    return choices[rng.randint(len(choices))]


def summary(values):
    return round(float(np.mean(values)), 4) if len(values) else None


def report_line(report, name, figures):
    report[name] = figures
    shown = {k: v for k, v in figures.items() if not isinstance(v, (list, dict))}
    print(f"  {name:34s} {shown}", flush=True)


def default_sampler(ctx, by_sampler):
    """The base model's default sampler unless another is clearly better (by more than 2
    points): a few images out of 240 are noise, and one default across the demo models lets
    the 9- and 4-channel paths be compared with the same sampler."""
    with open(os.path.join(ctx["base"], "scheduler", "scheduler_config.json")) as f:
        base_class = json.load(f)["_class_name"]
    base = next(name for name, cls in evaluate.SCHEDULER_CLASSES.items() if cls == base_class)
    best = max(samplers.SAMPLERS, key=lambda k: by_sampler[k])
    chosen = best if by_sampler[best] > by_sampler[base] + 0.02 else base
    return {"default_sampler": chosen, "default_scheduler_class": evaluate.SCHEDULER_CLASSES[chosen]}
