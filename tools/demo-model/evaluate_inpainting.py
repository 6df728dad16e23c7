"""Inpainting and outpainting, measured in torch before export: the 9-channel demo UNet, and
the plain demo UNet with diffusers' latent blending (after each step the unmasked latents are
replaced by the init's latents noised to the next sigma with the initial noise; clean after
the last). Both as evaluate_img2img.py makes images."""
import time

import numpy as np
import torch
import torch.nn.functional as F

import conditioning
import evaluate
import evaluate_img2img as common
import judge as judge_module
import samplers
import world as world_module
from train import to_float



def shape_box(world, scene, pad):
    x, y, s = scene["boxes"][0]
    n = world["image_size"]
    return conditioning.rectangle(n, n, x - pad, y - pad, x + s + pad, y + s + pad)


def background_hole(world, scene, rng, side=16):
    """A side x side square of pure background, at least 4 pixels from the shape; None if none."""
    n = world["image_size"]
    near = shape_box(world, scene, 4)
    spots = [(x, y) for y in range(0, n - side + 1, 4) for x in range(0, n - side + 1, 4)
             if not near[y:y + side, x:x + side].any()]
    if not spots:
        return None
    x, y = spots[rng.randint(len(spots))]
    return conditioning.rectangle(n, n, x, y, x + side, y + side)


def border_strip(world, scene):
    """The widest strip (8..24 px) on the side with the most room that stays 4 px clear of the shape."""
    n = world["image_size"]
    x, y, s = scene["boxes"][0]
    room = {"left": x, "right": n - x - s, "top": y, "bottom": n - y - s}
    side = max(conditioning.SIDES, key=lambda k: room[k])
    return conditioning.strip(n, n, side, int(np.clip(room[side] - 4, 8, 24))), side


def inpaint(ctx, path, images, masks, prompts, seeds, sampler="euler"):
    """path "9": the 9-channel UNet; "4": the demo UNet with latent blending."""
    encoder, sf = ctx["vae"][0], ctx["scaling_factor"]
    x = to_float(images)
    mask = torch.from_numpy(np.stack(masks).astype(np.float32))[:, None]
    h, w = x.shape[2] // 8, x.shape[3] // 8
    rngs = [np.random.RandomState(s) for s in seeds]
    noise, posterior = common.draw(rngs, (4, h, w)), common.draw(rngs, (4, h, w))
    if path == "9":
        extra = conditioning.inpaint_conditioning(encoder, sf, x, mask, posterior)
        return common.generate(ctx, ctx["unet"], prompts, rngs, noise, extra=extra, sampler=sampler)
    with torch.no_grad():
        latents = conditioning.posterior_sample(encoder(x), posterior) * sf
    return common.generate(ctx, ctx["base_unet"], prompts, rngs, noise, image_latents=latents,
                    blend_mask=conditioning.latent_mask(mask))


def kept_outside(ctx, originals, outputs, masks):
    """Outside the mask grown by 8 px (a latent cell): the share of pixels whose palette class
    is the original's, and the mean absolute difference (0..255)."""
    grown = F.max_pool2d(torch.from_numpy(np.stack(masks))[:, None], 17, stride=1, padding=8)[:, 0].numpy() > 0
    same, diff = [], []
    for orig, out, g in zip(originals, outputs, grown):
        keep = ~g
        if keep.sum() == 0:
            continue
        same.append((common.classes_of(ctx, orig)[keep] == common.classes_of(ctx, out)[keep]).mean())
        diff.append(np.abs(orig.astype(np.float64) - out.astype(np.float64))[keep].mean())
    return {"outside_same_class": common.summary(same), "outside_mean_abs_diff": common.summary(diff)}


def inpaint_cases(ctx, count):
    """The inpainting tests, (scene, mask, the prompt's scene) each. shape: the shape's box
    grown by 4 px, the prompt naming another shape colour; background: all but the shape
    grown by 2 px, the prompt naming another background; hole: a 16x16 square of background
    4 px clear of the shape; strip: a border strip clear of the shape (both with the scene's
    own caption)."""
    world = ctx["world"]
    scenes, rng = common.one_shape_scenes(world, count, 777)
    cases = {"shape": [], "background": [], "hole": [], "strip": []}
    for scene in scenes:
        new_color = common.other_color(world, rng, scene["color"], scene["background"])
        cases["shape"].append((scene, shape_box(world, scene, 4), dict(scene, color=new_color)))
        new_background = common.other_color(world, rng, scene["color"], scene["background"])
        around = 1 - conditioning.grow(world_module.shape_alpha(world, scene) > 0, 2).astype(np.float32)
        cases["background"].append((scene, around, dict(scene, background=new_background)))
        hole = background_hole(world, scene, rng)
        if hole is not None:
            cases["hole"].append((scene, hole, scene))
        cases["strip"].append((scene, border_strip(world, scene)[0], scene))
    return cases


def score_case(ctx, name, case, outputs, originals):
    world = ctx["world"]
    ok, shares = [], []
    for (scene, mask, wanted), image in zip(case, outputs):
        verdict = judge_module.judge(image, world)
        if name in ("shape", "background"):
            ok.append(verdict["shape_color"] == wanted["color"] and verdict["background"] == wanted["background"])
            region = mask > 0.5
            target = wanted["color"] if name == "shape" else wanted["background"]
            shares.append((verdict["classes"][region] == target).mean())
        else:
            share = (verdict["classes"][mask > 0.5] == scene["background"]).mean()
            shares.append(share)
            ok.append(share >= (0.9 if name == "hole" else 0.95))
    figures = {"images": len(case), "rate": common.summary(ok), "masked_share_of_prompted_colour": common.summary(shares)}
    if name != "background":
        figures.update(kept_outside(ctx, originals, outputs, [m for _, m, _ in case]))
    return figures


def run_case(ctx, path, name, case, sampler="euler"):
    """Inpaint each (scene, mask, prompt's scene) of a case, seeds 0.., and score it."""
    world = ctx["world"]
    originals = [world_module.render(world, scene) for scene, _, _ in case]
    prompts = [world_module.caption_for(world, wanted) for _, _, wanted in case]
    outputs = inpaint(ctx, path, np.stack(originals), [m for _, m, _ in case], prompts, list(range(len(case))), sampler)
    return score_case(ctx, name, case, outputs, originals)


def outpaint_canvas(ctx, path, scenes, seeds, pad=32):
    """The 64x64 scene on a canvas grown by `pad` on one side (cycling through the sides),
    the new area masked and zero: the share of the new area that is the scene's background."""
    world = ctx["world"]
    n = world["image_size"]
    ok, shares, kept = [], [], []
    for side in conditioning.SIDES:
        group = [(i, s) for i, s in enumerate(scenes) if conditioning.SIDES[i % 4] == side]
        h, w = (n, n + pad) if side in ("left", "right") else (n + pad, n)
        canvases, masks, prompts = [], [], []
        for _, scene in group:
            canvas = np.zeros((h, w, 3), dtype=np.uint8)
            mask = np.ones((h, w), dtype=np.float32)
            oy, ox = (pad if side == "top" else 0), (pad if side == "left" else 0)
            canvas[oy:oy + n, ox:ox + n] = world_module.render(world, scene)
            mask[oy:oy + n, ox:ox + n] = 0
            canvases.append(canvas)
            masks.append(mask)
            prompts.append(world_module.caption_for(world, scene))
        # The new area is black here; the 9-channel path zeroes it (masked_image) and the
        # blending path, at strength 1, never keeps masked latents.
        images = np.stack(canvases)
        outputs = inpaint(ctx, path, images, masks, prompts, [seeds[i] for i, _ in group])
        for (i, scene), image, mask, canvas in zip(group, outputs, masks, canvases):
            classes = common.classes_of(ctx, image)
            share = (classes[mask > 0.5] == scene["background"]).mean()
            shares.append(share)
            ok.append(share >= 0.95)
            inside = mask < 0.5
            kept.append((classes[inside] == common.classes_of(ctx, canvas)[inside]).mean())
    return {"images": len(scenes), "pad": pad, "rate": common.summary(ok), "new_area_share_of_background": common.summary(shares),
            "original_same_class": common.summary(kept)}


def evaluate_inpainting(ctx):
    world = ctx["world"]
    count = ctx["cfg"]["eval_scenes"]
    report = {"steps": common.STEPS, "cfg": common.CFG, "scenes": f"{count} one-shape scenes (RandomState(777))"}
    cases = inpaint_cases(ctx, count)
    for path in ("9", "4"):
        label = "9-channel" if path == "9" else "4-channel blending (models/demo)"
        for name, case in cases.items():
            t0 = time.time()
            figures = run_case(ctx, path, name, case)
            figures["seconds"] = round(time.time() - t0, 1)
            common.report_line(report, f"{name}, {label}", figures)
        scenes = [scene for scene, _, _ in cases["strip"]]
        common.report_line(report, f"outpaint canvas, {label}", outpaint_canvas(ctx, path, scenes, list(range(len(scenes)))))

    # A1111 runs plain txt2img on an inpainting model with an all-repaint mask.
    grid = evaluate.color_grid(world)
    if ctx["smoke"]:
        grid = grid[::12]
    prompts = [world_module.caption_for(world, s) for s in grid]
    n = world["image_size"]
    outputs = inpaint(ctx, "9", np.zeros((len(grid), n, n, 3), dtype=np.uint8) + 128,
                      [np.ones((n, n), dtype=np.float32)] * len(grid), prompts, list(range(len(grid))))
    result = evaluate.score(world, grid, outputs)
    common.report_line(report, "txt2img (all-ones mask), 9-channel", {k: result[k] for k in ("images", "adherence", "background", "shape_color")})

    # The default sampler, from how often each repaints the shape in the prompt's colour.
    by_sampler = {name: run_case(ctx, "9", "shape", cases["shape"], name)["rate"] for name in samplers.SAMPLERS}
    print("  shape repainted by sampler:", by_sampler, flush=True)
    report["shape_rate_by_sampler"] = by_sampler
    report.update(common.default_sampler(ctx, by_sampler))
    return report
