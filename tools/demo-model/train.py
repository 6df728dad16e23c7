"""The demo model's recipe: data, VAE, text encoder + UNet, adherence check, ONNX export, verification.

    /usr/bin/python3 tools/demo-model/train.py --out models/demo           # the shipped model
    /usr/bin/python3 tools/demo-model/train.py --smoke --out /tmp/demo      # a minute, to check the recipe

Deterministic from --seed: numpy RandomState for data and captions, torch.manual_seed for
weights and noise, 2 threads, deterministic algorithms. Checkpoints go to --work so a failed
export need not retrain (--stages picks the stages to run).
"""
import argparse
import math
import os
import sys
import time

# Threads that spin while waiting lose badly when other processes share the cores; this
# changes only the waiting, not the arithmetic.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import clip_tokenizer  # noqa: E402
import evaluate  # noqa: E402
import export  # noqa: E402
import nets  # noqa: E402
import samplers  # noqa: E402
import stages as stage_runner  # noqa: E402
import world as world_module  # noqa: E402
from stages import log  # noqa: E402

STAGES = ["data", "vae", "diffusion", "evaluate", "export", "verify"]

FULL = dict(
    images=40000,
    vae_batches=2500, vae_batch=32, vae_lr=1e-3, vae_kl=1e-4,
    unet_batches=6000, unet_batch=64, unet_lr=1e-3, warmup=200, ema=0.999, min_snr=5.0,
    text_dim=64, text_layers=2, text_heads=4, unet_c1=64, unet_c2=96, unet_heads=4,
    eval_seeds=2, log_every=100,
)
SMOKE = dict(FULL, images=1024, vae_batches=40, unet_batches=40, warmup=10, eval_seeds=1, log_every=10)


def cosine_lr(step, total, base, warmup):
    if step < warmup:
        return base * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return base * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))


def to_float(images_uint8):
    return torch.from_numpy(images_uint8).permute(0, 3, 1, 2).float() / 127.5 - 1.0


# ---------------------------------------------------------------- stages


def stage_data(ctx):
    cfg, world = ctx["cfg"], ctx["world"]
    scenes, images = world_module.make_dataset(world, cfg["images"], ctx["seed"])
    ctx["scenes"], ctx["images"] = scenes, images
    merges = clip_tokenizer.tokenizer_for_words(world_module.all_caption_words(world))
    ctx["merges"] = merges
    ctx["tokenizer"] = clip_tokenizer.ClipTokenizer(clip_tokenizer.build_vocab(merges), merges)
    return {"images": len(scenes), "vocab_size": len(ctx["tokenizer"].encoder), "merges": len(merges)}


def stage_vae(ctx):
    cfg, images = ctx["cfg"], ctx["images"]
    torch.manual_seed(ctx["seed"] + 1)
    rng = np.random.RandomState(ctx["seed"] + 1)
    encoder, decoder = nets.VaeEncoder(), nets.VaeDecoder()
    params = list(encoder.parameters()) + list(decoder.parameters())
    opt = torch.optim.AdamW(params, lr=cfg["vae_lr"], weight_decay=0.0)
    total, running = cfg["vae_batches"], []
    for step in range(total):
        for g in opt.param_groups:
            g["lr"] = cosine_lr(step, total, cfg["vae_lr"], 50)
        x = to_float(images[rng.randint(len(images), size=cfg["vae_batch"])])
        mean, logvar = encoder(x).chunk(2, dim=1)
        logvar = logvar.clamp(-30, 20)
        z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
        recon = F.mse_loss(decoder(z), x)
        kl = 0.5 * (mean ** 2 + logvar.exp() - 1 - logvar).mean()
        loss = recon + cfg["vae_kl"] * kl
        opt.zero_grad()
        loss.backward()
        opt.step()
        running.append((recon.item(), kl.item()))
        if (step + 1) % cfg["log_every"] == 0 or step + 1 == total:
            r, k = np.mean(running, axis=0)
            log(f"vae {step + 1}/{total} recon {r:.5f} kl {k:.3f}")
            running = []
    encoder.eval()
    decoder.eval()
    with torch.no_grad():
        x = to_float(images[:2048])
        mean, logvar = encoder(x).chunk(2, dim=1)
        z = mean + torch.exp(0.5 * logvar.clamp(-30, 20)) * torch.randn_like(mean)
        scaling_factor = float(1.0 / z.std())
        recon_mse = float(F.mse_loss(decoder(mean), x))
    ctx["vae"] = (encoder, decoder)
    ctx["scaling_factor"] = scaling_factor
    torch.save({"encoder": encoder.state_dict(), "decoder": decoder.state_dict(), "scaling_factor": scaling_factor},
               os.path.join(ctx["work"], "vae.pt"))
    return {"batches": total, "batch_size": cfg["vae_batch"], "scaling_factor": scaling_factor,
            "recon_mse_of_mean_2048": recon_mse, "mean_logvar": float(logvar.mean()),
            "encoder_parameters": nets.parameter_count(encoder), "decoder_parameters": nets.parameter_count(decoder)}


def load_vae(ctx):
    state = torch.load(os.path.join(ctx["work"], "vae.pt"))
    encoder, decoder = nets.VaeEncoder(), nets.VaeDecoder()
    encoder.load_state_dict(state["encoder"])
    decoder.load_state_dict(state["decoder"])
    encoder.eval()
    decoder.eval()
    ctx["vae"] = (encoder, decoder)
    ctx["scaling_factor"] = state["scaling_factor"]


def noised(z, alphas):
    """(x_t, t, noise): z noised to uniform random training timesteps (DDPM's q(x_t | x_0))."""
    t = torch.randint(0, samplers.TRAIN_STEPS, (len(z),))
    noise = torch.randn_like(z)
    a = alphas[t].view(-1, 1, 1, 1)
    return a.sqrt() * z + (1 - a).sqrt() * noise, t, noise


def min_snr_loss(pred, noise, alphas_t, gamma):
    """ε-prediction MSE with Min-SNR-gamma weights: the high-noise steps, where colours and
    layout are decided, are not drowned out by the easy low-noise ones."""
    snr = alphas_t / (1 - alphas_t)
    weight = torch.clamp(snr, max=gamma) / snr
    return (weight * ((pred - noise) ** 2).mean(dim=(1, 2, 3))).mean()


def train_step(opt, loss, trainable, ema_params, step, ema):
    """One optimiser step (gradients clipped to norm 1), then the EMA of the weights."""
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(trainable, 1.0)
    opt.step()
    decay = min(ema, (1 + step) / (10 + step))
    with torch.no_grad():
        for e, p in zip(ema_params, trainable):
            e.mul_(decay).add_(p.detach(), alpha=1 - decay)


def build_diffusion_nets(ctx):
    cfg = ctx["cfg"]
    text = nets.ClipTextEncoder(len(ctx["tokenizer"].encoder), cfg["text_dim"], cfg["text_layers"], cfg["text_heads"])
    unet = nets.UNet(cfg["text_dim"], cfg["unet_c1"], cfg["unet_c2"], cfg["unet_heads"])
    return text, unet


def stage_diffusion(ctx):
    cfg, world, scenes, tok = ctx["cfg"], ctx["world"], ctx["scenes"], ctx["tokenizer"]
    encoder, _ = ctx["vae"]
    sf = ctx["scaling_factor"]
    t0 = time.time()
    with torch.no_grad():
        params = torch.cat([encoder(to_float(ctx["images"][i:i + 256])) for i in range(0, len(scenes), 256)])
    lat_mean, lat_std = params[:, :4], torch.exp(0.5 * params[:, 4:].clamp(-30, 20))
    log(f"encoded {len(scenes)} images in {time.time() - t0:.0f}s")

    torch.manual_seed(ctx["seed"] + 2)
    rng = np.random.RandomState(ctx["seed"] + 2)
    text, unet = build_diffusion_nets(ctx)
    ema_text, ema_unet = build_diffusion_nets(ctx)
    ema_text.load_state_dict(text.state_dict())
    ema_unet.load_state_dict(unet.state_dict())
    trainable = list(text.parameters()) + list(unet.parameters())
    ema_params = list(ema_text.parameters()) + list(ema_unet.parameters())
    opt = torch.optim.AdamW(trainable, lr=cfg["unet_lr"], weight_decay=0.01)
    alphas = torch.tensor(samplers.ALPHAS_CUMPROD, dtype=torch.float32)
    total, running = cfg["unet_batches"], []
    for step in range(total):
        for g in opt.param_groups:
            g["lr"] = cosine_lr(step, total, cfg["unet_lr"], cfg["warmup"])
        idx = rng.randint(len(scenes), size=cfg["unet_batch"])
        ids = torch.tensor([tok(world_module.training_caption(world, scenes[i], rng)) for i in idx])
        idx_t = torch.from_numpy(idx)
        z = (lat_mean[idx_t] + lat_std[idx_t] * torch.randn(len(idx), 4, 8, 8)) * sf
        x_t, t, noise = noised(z, alphas)
        context, _ = text(ids)
        pred = unet(x_t, t.float(), context)
        train_step(opt, min_snr_loss(pred, noise, alphas[t], cfg["min_snr"]), trainable, ema_params, step, cfg["ema"])
        running.append(float(((pred - noise) ** 2).mean()))
        if (step + 1) % cfg["log_every"] == 0 or step + 1 == total:
            last_mse = float(np.mean(running))
            log(f"diffusion {step + 1}/{total} mse {last_mse:.4f} lr {opt.param_groups[0]['lr']:.2e}")
            running = []
        if (step + 1) % 1000 == 0 and step + 1 < total:
            torch.save({"text": ema_text.state_dict(), "unet": ema_unet.state_dict(), "step": step + 1},
                       os.path.join(ctx["work"], "diffusion-partial.pt"))
    ema_text.eval()
    ema_unet.eval()
    ctx["text"], ctx["unet"] = ema_text, ema_unet
    torch.save({"text": ema_text.state_dict(), "unet": ema_unet.state_dict()}, os.path.join(ctx["work"], "diffusion.pt"))
    return {"batches": total, "batch_size": cfg["unet_batch"], "final_mse": last_mse,
            "text_encoder_parameters": nets.parameter_count(ema_text), "unet_parameters": nets.parameter_count(ema_unet)}


def load_diffusion(ctx, name="diffusion.pt"):
    state = torch.load(os.path.join(ctx["work"], name))
    text, unet = build_diffusion_nets(ctx)
    text.load_state_dict(state["text"])
    unet.load_state_dict(state["unet"])
    text.eval()
    unet.eval()
    ctx["text"], ctx["unet"] = text, unet


def stage_evaluate(ctx):
    return stage_runner.keep_evaluation(ctx, evaluate.evaluate_all(ctx, smoke=ctx["smoke"]))


def stage_export(ctx):
    stage_runner.load_evaluation(ctx)
    return export.export_all(ctx)


# ---------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(REPO, "models", "demo"))
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--smoke", action="store_true", help="a few batches of each stage, to check the recipe")
    parser.add_argument("--work", help="checkpoints and logs (default .cache/demo-model/<full|smoke>)")
    parser.add_argument("--stages", default=",".join(STAGES), help="comma-separated subset of " + ",".join(STAGES))
    parser.add_argument("--fixtures", default=os.path.join(REPO, "test", "fixtures", "demo"),
                        help="where the tokenizer samples and reference outputs go")
    parser.add_argument("--report", help="write the run's figures here (default <work>/report.json)")
    args = parser.parse_args()

    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    cfg = SMOKE if args.smoke else FULL
    work = args.work or os.path.join(REPO, ".cache", "demo-model", "smoke" if args.smoke else "full")
    os.makedirs(work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    stages = [s for s in args.stages.split(",") if s]
    unknown = set(stages) - set(STAGES)
    if unknown:
        parser.error(f"unknown stages {sorted(unknown)}")

    ctx = dict(cfg=cfg, seed=args.seed, smoke=args.smoke, work=work, out=os.path.abspath(args.out),
               fixtures=os.path.abspath(args.fixtures), world=world_module.load_world(),
               reference_path=os.path.join(os.path.abspath(args.fixtures), "reference-outputs.json"))
    def prepare(stage):
        if stage == "diffusion" and "vae" not in ctx:
            load_vae(ctx)
        if stage in ("evaluate", "export") and "unet" not in ctx:
            if "vae" not in ctx:
                load_vae(ctx)
            load_diffusion(ctx)

    functions = {name: globals()["stage_" + name] for name in STAGES if name != "verify"}
    functions["verify"] = stage_runner.verify
    # data is cheap and every later stage needs it
    stage_runner.run(ctx, ["data"] + [s for s in STAGES[1:] if s in stages], functions,
                     args.report or os.path.join(work, "report.json"),
                     dict(seed=args.seed, smoke=args.smoke, config=cfg, torch=torch.__version__,
                          threads=torch.get_num_threads()), prepare)


if __name__ == "__main__":
    main()
