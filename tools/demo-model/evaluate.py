"""Adherence of the trained model, measured in torch before export.

Images are made as the ONNX pipeline will make them: noise from
numpy.random.RandomState(seed).randn(1, 4, 8, 8), 20 steps, classifier-free guidance with the
empty prompt (or the negative prompt) as the unconditional branch, decoded and judged by
judge.py.
"""
import time

import numpy as np
import torch

import judge as judge_module
import samplers
import world as world_module

SCHEDULER_CLASSES = {
    "pndm": "PNDMScheduler",
    "ddim": "DDIMScheduler",
    "euler": "EulerDiscreteScheduler",
    "euler_a": "EulerAncestralDiscreteScheduler",
    "lms": "LMSDiscreteScheduler",
    "dpmpp_2m": "DPMSolverMultistepScheduler",
}
STEPS = 20


def encode_prompts(ctx, prompts):
    """Text states for prompts; a prompt is a string or a list of (text, weight) pieces,
    weighted as A1111 does (scale each token's state, then restore the overall mean)."""
    tok, text = ctx["tokenizer"], ctx["text"]
    rows, weights = [], []
    for p in prompts:
        pieces = [(p, 1.0)] if isinstance(p, str) else p
        ids, w = [], []
        for piece, weight in pieces:
            piece_ids = tok.encode(piece)
            ids += piece_ids
            w += [weight] * len(piece_ids)
        ids, w = ids[:75], w[:75]
        rows.append([tok.bos] + ids + [tok.eos] + [tok.pad] * (75 - len(ids)))
        weights.append([1.0] + w + [1.0] * (76 - len(w)))
    with torch.no_grad():
        states, _ = text(torch.tensor(rows))
        w = torch.tensor(weights, dtype=torch.float32)
        if not torch.all(w == 1):
            mean = states.mean(dim=(1, 2), keepdim=True)
            states = states * w[:, :, None]
            states = states * (mean / states.mean(dim=(1, 2), keepdim=True))
    return states


def generate(ctx, prompts, seeds, sampler="pndm", cfg=7.0, negatives=None, steps=STEPS, options=None, chunk=96):
    """uint8 images for prompts[i] with seeds[i]."""
    out = []
    for start in range(0, len(prompts), chunk):
        p = prompts[start:start + chunk]
        s = seeds[start:start + chunk]
        n = negatives[start:start + chunk] if negatives else [""] * len(p)
        out += _generate_chunk(ctx, p, s, sampler, cfg, n, steps, options or {})
    return out


def _generate_chunk(ctx, prompts, seeds, sampler, cfg, negatives, steps, options):
    unet, (_, decoder), sf = ctx["unet"], ctx["vae"], ctx["scaling_factor"]
    cond = encode_prompts(ctx, prompts)
    uncond = encode_prompts(ctx, negatives)
    rngs = [np.random.RandomState(seed) for seed in seeds]
    noise = torch.from_numpy(np.concatenate([r.randn(1, 4, 8, 8) for r in rngs]).astype(np.float32))

    def step_noise(shape):
        return torch.from_numpy(np.concatenate([r.randn(1, *shape[1:]) for r in rngs]).astype(np.float32))

    guided = cfg > 1

    def eps(x, t):
        with torch.no_grad():
            if not guided:
                return unet(x, torch.full((x.shape[0],), t), cond)
            both = unet(torch.cat([x, x]), torch.full((2 * x.shape[0],), t), torch.cat([uncond, cond]))
            e_u, e_c = both.chunk(2)
            return e_u + cfg * (e_c - e_u)

    latents = samplers.run_sampler(sampler, eps, noise, steps, step_noise, **options)
    with torch.no_grad():
        images = decoder(latents / sf).clamp(-1, 1).numpy()
    return [judge_module.to_uint8(im) for im in images]


def color_grid(world):
    """Every (colour, shape, background) with one shape: 8 x 3 x 7 = 168 scenes."""
    n = len(world["palette"])
    return [dict(color=c, shape=s, background=b, count=1)
            for c in range(n) for s in range(len(world["shapes"])) for b in range(n) if b != c]


def two_shape_grid(world):
    n = len(world["palette"])
    grid = []
    for c in range(n):
        for s in range(len(world["shapes"])):
            b = (c + 1 + 2 * s) % n
            grid.append(dict(color=c, shape=s, background=b, count=2))
    return grid


def score(world, scenes, images):
    both = bg = color = kind = 0
    misses = []
    for scene, image in zip(scenes, images):
        verdict = judge_module.judge(image, world)
        ok_bg = verdict["background"] == scene["background"]
        ok_color = verdict["shape_color"] == scene["color"]
        bg += ok_bg
        color += ok_color
        both += ok_bg and ok_color
        if ok_color and scene["count"] == 1:
            shape = judge_module.shape_kind(verdict["classes"], scene["color"])
            kind += shape == world["shapes"][scene["shape"]]["name"]
        if not (ok_bg and ok_color) and len(misses) < 12:
            misses.append(dict(caption=world_module.caption_for(world, scene),
                               judged_background=verdict["background"], judged_color=verdict["shape_color"],
                               share=round(verdict["shape_share"], 3)))
    n = len(scenes)
    return dict(images=n, adherence=both / n, background=bg / n, shape_color=color / n,
                shape_kind=kind / n, misses=misses)


def run_grid(ctx, scenes, seeds_per_scene, sampler, cfg, options=None):
    world = ctx["world"]
    prompts, seeds, all_scenes = [], [], []
    for k in range(seeds_per_scene):
        for i, scene in enumerate(scenes):
            prompts.append(world_module.caption_for(world, scene))
            seeds.append(1000 * k + i)
            all_scenes.append(scene)
    t0 = time.time()
    images = generate(ctx, prompts, seeds, sampler, cfg, options=options)
    result = score(world, all_scenes, images)
    result.update(sampler=sampler, cfg=cfg, options=options or {}, steps=STEPS, seconds=round(time.time() - t0, 1))
    return result, images


def color_share(world, images, color):
    shares, hits = [], 0
    for image in images:
        verdict = judge_module.judge(image, world)
        shares.append(float(verdict["shares"][color]))
        hits += verdict["shape_color"] == color
    return float(np.mean(shares)), hits / len(images)


def evaluate_all(ctx, smoke=False):
    world = ctx["world"]
    seeds_per_scene = ctx["cfg"]["eval_seeds"]
    grid = color_grid(world)
    if smoke:
        grid = grid[::12]
    report = {"steps": STEPS, "grid": f"{len(grid)} scenes (colour x shape x background, one shape) x {seeds_per_scene} seeds",
              "runs": []}

    def record(result, label):
        result["label"] = label
        report["runs"].append(result)
        print(f"  {label:34s} adherence {result['adherence']:.3f} bg {result['background']:.3f} "
              f"colour {result['shape_color']:.3f} shape {result['shape_kind']:.3f} ({result['seconds']}s)", flush=True)

    by_sampler = {}
    for name in samplers.SAMPLERS:
        result, _ = run_grid(ctx, grid, seeds_per_scene, name, 7.0)
        record(result, f"{name} cfg 7")
        by_sampler[name] = result["adherence"]
    # The first of the best: PNDM (SD 1.5's own) wins a tie.
    default = max(samplers.SAMPLERS, key=lambda n: by_sampler[n])
    report["default_sampler"] = default
    report["default_scheduler_class"] = SCHEDULER_CLASSES[default]
    report["adherence_by_sampler_cfg7"] = by_sampler

    for cfg in (1.0, 3.0):
        result, _ = run_grid(ctx, grid, seeds_per_scene, default, cfg)
        record(result, f"{default} cfg {cfg:g}")
    if not smoke:
        # What a scheduler built from this config with its spacing inherited would do, and Karras.
        for name in ("euler", "euler_a", "lms", "dpmpp_2m"):
            result, _ = run_grid(ctx, grid, 1, name, 7.0, {"spacing": "leading"})
            record(result, f"{name} cfg 7 leading spacing")
        for name in ("euler", "dpmpp_2m"):
            result, _ = run_grid(ctx, grid, 1, name, 7.0, {"karras": True})
            record(result, f"{name} cfg 7 karras")

    two = two_shape_grid(world)
    result, _ = run_grid(ctx, two[::6] if smoke else two, seeds_per_scene, default, 7.0)
    record(result, f"{default} cfg 7, two shapes")

    # Negative prompt: "a circle" alone picks a random colour; "red" as the negative prompt
    # should make red circles rare.
    red = [c["name"] for c in world["palette"]].index("red")
    n_neg = 16 if smoke else 160
    seeds = list(range(n_neg))
    plain = generate(ctx, ["a circle"] * n_neg, seeds, default, 7.0)
    negative = generate(ctx, ["a circle"] * n_neg, seeds, default, 7.0, negatives=["red"] * n_neg)
    report["negative_prompt"] = {
        "prompt": "a circle", "negative": "red", "seeds": f"0..{n_neg - 1}", "sampler": default, "cfg": 7,
        "red_shape_rate_without": color_share(world, plain, red)[1],
        "red_shape_rate_with": color_share(world, negative, red)[1],
    }
    print("  negative prompt:", report["negative_prompt"], flush=True)

    # Emphasis (A1111's rule, as encode_prompts applies it): the weight of "red" where it
    # names the shape colour and where it names the background.
    n_w = 16 if smoke else 64
    report["emphasis"] = []
    for pieces in (("a", "red", "circle on a white background"), ("a circle on a", "red", "background")):
        by_weight = {}
        for w in (0.5, 1.0, 1.5, 2.0):
            prompt = [(pieces[0], 1.0), (pieces[1], w), (pieces[2], 1.0)]
            images = generate(ctx, [prompt] * n_w, list(range(n_w)), default, 7.0)
            share, rate = color_share(world, images, red)
            backgrounds = sum(judge_module.judge(im, world)["background"] == red for im in images) / n_w
            by_weight[f"{w:g}"] = {"red_pixel_share": round(share, 4), "red_shape_rate": rate,
                                   "red_background_rate": backgrounds}
        entry = {"prompt": f"{pieces[0]} (red:w) {pieces[2]}", "seeds": f"0..{n_w - 1}", "sampler": default,
                 "cfg": 7, "by_weight": by_weight}
        report["emphasis"].append(entry)
        print("  emphasis:", entry, flush=True)
    return report
