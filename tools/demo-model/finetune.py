"""The image-to-image demo models' recipe: an inpainting UNet (9 input channels) and a depth
UNet (5 input channels, with a tiny depth estimator), fine-tuned from the shipped demo model.

    /usr/bin/python3 tools/demo-model/finetune.py inpainting      # models/demo-inpainting
    /usr/bin/python3 tools/demo-model/finetune.py depth           # models/demo-depth
    /usr/bin/python3 tools/demo-model/finetune.py depth --smoke --out /tmp/depth --fixtures /tmp/fx

The starting point is models/demo as committed (its ONNX weights read back into torch by
demo_weights.py): the UNet widened with zero-initialised input channels, the text encoder and
the VAE frozen and shipped unchanged. Same world, data seed, noise schedule, ε-prediction,
Min-SNR weighting and EMA as train.py; deterministic from --seed.
"""
import argparse
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import conditioning  # noqa: E402
import demo_weights  # noqa: E402
import evaluate_depth  # noqa: E402
import evaluate_inpainting  # noqa: E402
import export_img2img  # noqa: E402
import nets  # noqa: E402
import samplers  # noqa: E402
import stages as stage_runner  # noqa: E402
import world as world_module  # noqa: E402
from stages import log  # noqa: E402
from train import cosine_lr, min_snr_loss, noised, to_float, train_step  # noqa: E402

KINDS = {
    "inpainting": dict(in_channels=9, stages=["data", "finetune", "evaluate", "export", "verify"], seed_offset=3),
    "depth": dict(in_channels=5, stages=["data", "estimator", "finetune", "evaluate", "export", "verify"], seed_offset=5),
}
FULL = dict(
    images=40000, batches=3000, batch=64, lr=5e-4, warmup=100, ema=0.999, min_snr=5.0, canvas_share=0.25,
    estimator_batches=1500, estimator_batch=32, estimator_lr=2e-3,
    eval_scenes=240, log_every=100,
)
SMOKE = dict(FULL, images=1024, batches=30, warmup=5, estimator_batches=30, eval_scenes=12, log_every=10)


# ---------------------------------------------------------------- stages


def stage_data(ctx):
    cfg, world = ctx["cfg"], ctx["world"]
    scenes, images = world_module.make_dataset(world, cfg["images"], ctx["seed"])
    ctx["scenes"], ctx["images"] = scenes, images
    base = demo_weights.load_demo(ctx["base"])
    ctx["base_unet"] = base.pop("unet")
    ctx.update(base)
    figures = {"images": len(scenes), "base": os.path.relpath(ctx["base"], REPO), "scaling_factor": ctx["scaling_factor"]}
    if ctx["kind"] == "depth":
        ctx["depths"] = np.stack([world_module.depth_map(world, s) for s in scenes])
    return figures


def stage_estimator(ctx):
    """The depth estimator: DPT's interface, trained to give the world's depth of an image."""
    cfg, images, depths = ctx["cfg"], ctx["images"], ctx["depths"]
    torch.manual_seed(ctx["seed"] + 4)
    rng = np.random.RandomState(ctx["seed"] + 4)
    net = nets.DepthEstimator()
    opt = torch.optim.AdamW(net.parameters(), lr=cfg["estimator_lr"], weight_decay=0.0)
    held_out = min(2048, len(images) // 8)
    total, running = cfg["estimator_batches"], []
    for step in range(total):
        for g in opt.param_groups:
            g["lr"] = cosine_lr(step, total, cfg["estimator_lr"], 50)
        idx = rng.randint(held_out, len(images), size=cfg["estimator_batch"])
        x, target = to_float(images[idx]), torch.from_numpy(depths[idx])
        loss = F.mse_loss(net(x), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        running.append(loss.item())
        if (step + 1) % cfg["log_every"] == 0 or step + 1 == total:
            log(f"estimator {step + 1}/{total} mse {np.mean(running):.5f}")
            running = []
    net.eval()
    ctx["estimator"] = net
    torch.save(net.state_dict(), os.path.join(ctx["work"], "estimator.pt"))
    figures = evaluate_depth.estimator_accuracy(ctx, range(held_out))
    return dict(figures, batches=total, batch_size=cfg["estimator_batch"], held_out_images=held_out,
                parameters=nets.parameter_count(net))


def load_estimator(ctx):
    net = nets.DepthEstimator()
    net.load_state_dict(torch.load(os.path.join(ctx["work"], "estimator.pt")))
    net.eval()
    ctx["estimator"] = net


def canvas_pad(rng, pads=(16, 32)):
    """np.pad widths ((top, bottom), (left, right)) growing an image on one side."""
    side, pad = conditioning.SIDES[rng.randint(4)], pads[rng.randint(len(pads))]
    return {"top": ((pad, 0), (0, 0)), "bottom": ((0, pad), (0, 0)),
            "left": ((0, 0), (pad, 0)), "right": ((0, 0), (0, pad))}[side]


class Batches:
    """Training batches: the latents and the extra UNet input channels, built as the pipelines
    build them. With probability canvas_share a batch's scenes are grown on one side by 16 or
    32 pixels of their own background (edge pixels repeated: the border ring is pure
    background), so the UNets also learn sizes other than 64x64, as outpainting makes them."""

    def __init__(self, ctx, rng):
        self.ctx, self.rng = ctx, rng
        encoder = ctx["vae"][0]
        t0 = time.time()
        with torch.no_grad():
            self.params = torch.cat([encoder(to_float(ctx["images"][i:i + 256])) for i in range(0, len(ctx["images"]), 256)])
            if ctx["kind"] == "depth":
                depths = torch.from_numpy(ctx["depths"])
                self.depth = torch.cat([conditioning.prepare_depth(depths[i:i + 1024], 8, 8)
                                        for i in range(0, len(depths), 1024)])
        log(f"encoded {len(self.params)} images in {time.time() - t0:.0f}s")

    def shape_alpha(self, i, widths):
        """Scene i's shape coverage on the batch's canvas."""
        return np.pad(world_module.shape_alpha(self.ctx["world"], self.ctx["scenes"][i]), widths)

    def __call__(self, idx):
        ctx, rng = self.ctx, self.rng
        encoder, sf = ctx["vae"][0], ctx["scaling_factor"]
        images = ctx["images"][idx]
        with torch.no_grad():
            widths = ((0, 0), (0, 0))
            if rng.random_sample() < ctx["cfg"]["canvas_share"]:
                widths = canvas_pad(rng)
                x = to_float(np.pad(images, ((0, 0),) + widths + ((0, 0),), mode="edge"))
                params = encoder(x)
                if ctx["kind"] == "depth":
                    depth = torch.from_numpy(np.pad(ctx["depths"][idx], ((0, 0),) + widths, mode="edge"))
                    depth = conditioning.prepare_depth(depth, x.shape[2] // 8, x.shape[3] // 8)
            else:
                x = to_float(images)
                params = self.params[torch.from_numpy(idx)]
                if ctx["kind"] == "depth":
                    depth = self.depth[torch.from_numpy(idx)]
            h, w = x.shape[2] // 8, x.shape[3] // 8
            z = conditioning.posterior_sample(params, torch.randn(len(idx), 4, h, w)) * sf
            if ctx["kind"] == "depth":
                return z, depth
            masks = [conditioning.random_mask(rng, x.shape[2], x.shape[3], lambda i=i: self.shape_alpha(i, widths))
                     for i in idx]
            mask = torch.from_numpy(np.stack(masks))[:, None]
            return z, conditioning.inpaint_conditioning(encoder, sf, x, mask, torch.randn(len(idx), 4, h, w))


def stage_finetune(ctx):
    cfg, world, scenes, tok = ctx["cfg"], ctx["world"], ctx["scenes"], ctx["tokenizer"]
    text = ctx["text"]
    t0 = time.time()
    seed = ctx["seed"] + KINDS[ctx["kind"]]["seed_offset"]
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    unet = nets.widen_unet(ctx["base_unet"], KINDS[ctx["kind"]]["in_channels"])
    ema = nets.widen_unet(ctx["base_unet"], KINDS[ctx["kind"]]["in_channels"])
    unet.train()
    for p in unet.parameters():
        p.requires_grad_(True)
    trainable, ema_params = list(unet.parameters()), list(ema.parameters())
    opt = torch.optim.AdamW(trainable, lr=cfg["lr"], weight_decay=0.01)
    batches = Batches(ctx, rng)
    alphas = torch.tensor(samplers.ALPHAS_CUMPROD, dtype=torch.float32)
    total, running = cfg["batches"], []
    for step in range(total):
        for g in opt.param_groups:
            g["lr"] = cosine_lr(step, total, cfg["lr"], cfg["warmup"])
        idx = rng.randint(len(scenes), size=cfg["batch"])
        with torch.no_grad():
            ids = torch.tensor([tok(world_module.training_caption(world, scenes[i], rng)) for i in idx])
            context, _ = text(ids)
        z, extra = batches(idx)
        x_t, t, noise = noised(z, alphas)
        pred = unet(torch.cat([x_t, extra], dim=1), t.float(), context)
        train_step(opt, min_snr_loss(pred, noise, alphas[t], cfg["min_snr"]), trainable, ema_params, step, cfg["ema"])
        running.append(float(((pred - noise) ** 2).mean()))
        if (step + 1) % cfg["log_every"] == 0 or step + 1 == total:
            last_mse = float(np.mean(running))
            log(f"finetune {step + 1}/{total} mse {last_mse:.4f} lr {opt.param_groups[0]['lr']:.2e} "
                f"({(time.time() - t0) / (step + 1):.2f}s a batch)")
            running = []
        if (step + 1) % 500 == 0 and step + 1 < total:
            torch.save({"unet": ema.state_dict(), "step": step + 1}, os.path.join(ctx["work"], "unet-partial.pt"))
    ema.eval()
    ctx["unet"] = ema
    torch.save({"unet": ema.state_dict()}, os.path.join(ctx["work"], "unet.pt"))
    extra_weight = ema.conv_in.weight[:, 4:]
    return {"batches": total, "batch_size": cfg["batch"], "final_mse": last_mse,
            "unet_parameters": nets.parameter_count(ema),
            "extra_input_weight_abs_mean": float(extra_weight.abs().mean()),
            "latent_input_weight_abs_mean": float(ema.conv_in.weight[:, :4].abs().mean())}


def load_unet(ctx, name="unet.pt"):
    unet = nets.widen_unet(ctx["base_unet"], KINDS[ctx["kind"]]["in_channels"])
    unet.load_state_dict(torch.load(os.path.join(ctx["work"], name))["unet"])
    unet.eval()
    ctx["unet"] = unet


def stage_evaluate(ctx):
    if ctx["kind"] == "inpainting":
        return stage_runner.keep_evaluation(ctx, evaluate_inpainting.evaluate_inpainting(ctx))
    return stage_runner.keep_evaluation(ctx, evaluate_depth.evaluate_depth(ctx))


def stage_export(ctx):
    stage_runner.load_evaluation(ctx)
    return export_img2img.export_all(ctx)


# ---------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=sorted(KINDS))
    parser.add_argument("--out", help="the model folder (default models/demo-<kind>)")
    parser.add_argument("--base", default=os.path.join(REPO, "models", "demo"), help="the demo model to start from")
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--smoke", action="store_true", help="a few batches of each stage, to check the recipe")
    parser.add_argument("--work", help="checkpoints and logs (default .cache/demo-model/<kind>[-smoke])")
    parser.add_argument("--stages", help="comma-separated subset of the kind's stages")
    parser.add_argument("--fixtures", help="where the reference outputs go (default test/fixtures/demo-<kind>)")
    parser.add_argument("--report", help="write the run's figures here (default <work>/report.json)")
    args = parser.parse_args()

    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    kind = args.kind
    cfg = SMOKE if args.smoke else FULL
    all_stages = KINDS[kind]["stages"]
    work = args.work or os.path.join(REPO, ".cache", "demo-model", kind + ("-smoke" if args.smoke else ""))
    out = os.path.abspath(args.out or os.path.join(REPO, "models", "demo-" + kind))
    fixtures = os.path.abspath(args.fixtures or os.path.join(REPO, "test", "fixtures", "demo-" + kind))
    os.makedirs(work, exist_ok=True)
    stages = [s for s in (args.stages or ",".join(all_stages)).split(",") if s]
    unknown = set(stages) - set(all_stages)
    if unknown:
        parser.error(f"unknown stages {sorted(unknown)} for {kind}")

    ctx = dict(kind=kind, cfg=cfg, seed=args.seed, smoke=args.smoke, work=work, out=out, fixtures=fixtures,
               base=os.path.abspath(args.base), world=world_module.load_world(),
               reference_path=os.path.join(fixtures, "reference-outputs.json"))
    def prepare(stage):
        if stage in ("evaluate", "export") and "unet" not in ctx:
            load_unet(ctx)
        if stage in ("evaluate", "export") and kind == "depth" and "estimator" not in ctx:
            load_estimator(ctx)

    functions = {name: globals()["stage_" + name] for name in all_stages if name != "verify"}
    functions["verify"] = stage_runner.verify
    stage_runner.run(ctx, ["data"] + [s for s in all_stages[1:] if s in stages], functions,
                     args.report or os.path.join(work, "report.json"),
                     dict(kind=kind, seed=args.seed, smoke=args.smoke, config=cfg, torch=torch.__version__,
                          threads=torch.get_num_threads()), prepare)


if __name__ == "__main__":
    main()
