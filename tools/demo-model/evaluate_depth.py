"""Depth conditioning, measured in torch before export: the depth estimator's accuracy, and
whether the 5-channel UNet puts the shape where the depth map is near (a given map, a near
disc, the estimator's map of an image, depth2img from an init), against the plain demo
model. Images as evaluate_img2img.py makes them."""
import time

import numpy as np
import torch

import conditioning
import evaluate_img2img as common
import judge as judge_module
import samplers
import world as world_module
from train import to_float



def estimate_depth(ctx, images_uint8):
    """The estimator's predicted_depth [N,H,W] for uint8 images, DPT-preprocessed at 64x64:
    (x / 255 - 0.5) / 0.5."""
    with torch.no_grad():
        return torch.cat([ctx["estimator"](to_float(images_uint8[i:i + 256])) for i in range(0, len(images_uint8), 256)])


def iou(a, b):
    union = (a | b).sum()
    return float((a & b).sum() / union) if union else 0.0


def estimator_accuracy(ctx, indices):
    world, images = ctx["world"], ctx["images"][list(indices)]
    truth = np.stack([world_module.shape_alpha(world, ctx["scenes"][i]) for i in indices]) >= 0.5
    figures = {}
    encoder, decoder = ctx["vae"]
    with torch.no_grad():
        decoded = decoder(encoder(to_float(images))[:, :4]).clamp(-1, 1).numpy()
    roundtrip = np.stack([judge_module.to_uint8(im) for im in decoded])
    for name, batch in (("scenes", images), ("vae_roundtrip", roundtrip)):
        pred = estimate_depth(ctx, batch).numpy()
        far, near = world["depth"]["far"], world["depth"]["near"]
        figures[name] = {
            "mean_abs_error": round(float(np.abs(pred - (far + (near - far) * truth)).mean()), 4),
            "iou_near": common.summary([iou(p >= (far + near) / 2, t) for p, t in zip(pred, truth)]),
        }
    return figures


def place_figures(ctx, outputs, wanted_scenes, regions):
    """How well the prompted colour lands on the near region, and whether the colours adhere."""
    world = ctx["world"]
    ious, ok, placed = [], [], []
    for image, wanted, region in zip(outputs, wanted_scenes, regions):
        verdict = judge_module.judge(image, world)
        value = iou(verdict["classes"] == wanted["color"], region)
        ious.append(value)
        adheres = verdict["shape_color"] == wanted["color"] and verdict["background"] == wanted["background"]
        ok.append(adheres)
        placed.append(adheres and value >= 0.5)
    return {"images": len(outputs), "iou_mean": common.summary(ious), "iou_at_least_half": common.summary([v >= 0.5 for v in ious]),
            "adherence": common.summary(ok), "adheres_and_placed": common.summary(placed)}


def depth_run(ctx, unet, prompts, seeds, depth=None, init_images=None, strength=1.0, sampler="euler"):
    """Images from depth maps [N,H,W] (None: the plain model, no depth), optionally from init images."""
    n = ctx["world"]["image_size"]
    rngs = [np.random.RandomState(s) for s in seeds]
    noise, posterior = common.draw(rngs, (4, n // 8, n // 8)), common.draw(rngs, (4, n // 8, n // 8))
    extra = None if depth is None else conditioning.prepare_depth(depth, n // 8, n // 8)
    start, latents = 0, None
    if init_images is not None:
        start = common.STEPS - min(int(common.STEPS * strength), common.STEPS)
        with torch.no_grad():
            latents = conditioning.posterior_sample(ctx["vae"][0](to_float(init_images)), posterior) * ctx["scaling_factor"]
    return common.generate(ctx, unet, prompts, rngs, noise, extra=extra, image_latents=latents, start=start, sampler=sampler)


def disc_maps(world, count):
    """Depth maps with one near disc (radius 11) at the four quadrants' centres in turn."""
    n = world["image_size"]
    yy, xx = np.mgrid[0:n, 0:n] + 0.5
    centres = [(16, 16), (48, 16), (16, 48), (48, 48)]
    maps = []
    for i in range(count):
        cx, cy = centres[i % 4]
        maps.append(((xx - cx) ** 2 + (yy - cy) ** 2 <= 11 ** 2).astype(np.float32))
    return np.stack(maps)


def evaluate_depth(ctx):
    world = ctx["world"]
    count = ctx["cfg"]["eval_scenes"]
    report = {"steps": common.STEPS, "cfg": common.CFG, "scenes": f"{count} one-shape scenes (RandomState(778))"}
    report["estimator"] = estimator_accuracy(ctx, range(min(512, len(ctx["scenes"]))))
    print("  estimator:", report["estimator"], flush=True)
    scenes, rng = common.one_shape_scenes(world, count, 778)
    wanted = []
    for scene in scenes:
        color = common.other_color(world, rng, scene["color"])
        wanted.append(dict(scene, color=color, background=common.other_color(world, rng, color)))
    prompts = [world_module.caption_for(world, s) for s in wanted]
    seeds = list(range(count))
    regions = [world_module.shape_alpha(world, s) >= 0.5 for s in scenes]
    given = torch.from_numpy(np.stack([world_module.depth_map(world, s) for s in scenes]))
    images = np.stack([world_module.render(world, s) for s in scenes])
    estimated = estimate_depth(ctx, images)

    runs = [
        ("given map (the scene's depth), depth model", ctx["unet"], given, None, 1.0),
        ("no depth, plain demo model", ctx["base_unet"], None, None, 1.0),
        ("estimator's map of the scene's image", ctx["unet"], estimated, None, 1.0),
        ("depth2img: init + estimator, strength 0.8", ctx["unet"], estimated, images, 0.8),
        ("img2img, plain demo model, strength 0.8", ctx["base_unet"], None, images, 0.8),
    ]
    for label, unet, depth, init, strength in runs:
        t0 = time.time()
        outputs = depth_run(ctx, unet, prompts, seeds, depth, init, strength)
        figures = place_figures(ctx, outputs, wanted, regions)
        figures["seconds"] = round(time.time() - t0, 1)
        common.report_line(report, label, figures)

    discs = disc_maps(world, count)
    circles = [dict(s, shape=0) for s in wanted]
    disc_prompts = [world_module.caption_for(world, s) for s in circles]
    for label, unet, depth in (("near disc, depth model", ctx["unet"], torch.from_numpy(discs)),
                               ("near disc, plain demo model", ctx["base_unet"], None)):
        outputs = depth_run(ctx, unet, disc_prompts, seeds, depth)
        figures = place_figures(ctx, outputs, circles, list(discs > 0.5))
        common.report_line(report, label, figures)

    by_sampler = {}
    for name in samplers.SAMPLERS:
        outputs = depth_run(ctx, ctx["unet"], prompts, seeds, given, sampler=name)
        by_sampler[name] = place_figures(ctx, outputs, wanted, regions)["adheres_and_placed"]
    print("  adheres and placed by sampler:", by_sampler, flush=True)
    report["placed_rate_by_sampler"] = by_sampler
    report.update(common.default_sampler(ctx, by_sampler))
    return report
