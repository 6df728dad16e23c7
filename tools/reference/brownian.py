#!/usr/bin/python3
"""Reference values for src/core/noise/brownian.ts and DPM++ SDE's noise: torchsde's Brownian
interval as diffusers' DPMSolverSDEScheduler (and k-diffusion's BrownianTreeNoiseSampler) builds it,
and that sampler end to end from a seed, all on the CPU.

Usage:
    /usr/bin/python3 tools/reference/brownian.py TORCHSDE_CHECKOUT DIFFUSERS_CHECKOUT \\
        [--label TEXT] > test/fixtures/noise/brownian.json

The checkouts are github.com/google-research/torchsde and github.com/huggingface/diffusers (see
tools/reference/checkouts.py for how they are imported; --label names their commits).

- `intervals`: a BrownianInterval(t0, t1, size, float32, cpu, entropy, tol=1e-6, pool_size=24,
  halfway_tree=True), the arguments diffusers and k-diffusion pass, queried for the increments
  W(tb) − W(ta) of `queries` in that order: the noise levels of SD 1.5's 10-step Karras schedule
  and DPM++ SDE's midpoints, both ends, a query past an end (torchsde clamps it, with a warning)
  and an empty one. Sizes below 16 and from 16 take torch's two randn paths.
- `seedSequence`: numpy's SeedSequence(entropy, spawn_key, pool_size).generate_state(n), which
  torchsde derives every node's generator seed from.
- `dpmppSde`: DPMSolverSDEScheduler.from_config(SD 1.5's config, noise_sampler_seed=seed[,
  use_karras_sigmas]) run as StableDiffusionPipeline runs it, with the fake UNet of
  tools/reference/schedulers.py, from latents torch.randn((1, 4, 4, 4),
  generator=torch.Generator().manual_seed(seed)) times init_noise_sigma: the first latents after
  a call and the final ones. This is the project's `rng: torch` with the image's seed.
"""
import argparse
import json
import math
import sys
import warnings

from checkouts import import_diffusers, import_torchsde

SD15 = {
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.00085,
    "num_train_timesteps": 1000,
    "steps_offset": 1,
    "prediction_type": "epsilon",
}


def fake_unet(x, t, i):
    import numpy as np
    import torch

    x64 = x.numpy().astype(np.float64)
    return torch.from_numpy((0.3 * x64 * math.cos(t / 300) + 0.05 * math.sin(i + 1)).astype(np.float32))


def floats(tensor):
    return [float(v) for v in tensor.double().flatten().tolist()]


def karras_levels(diffusers):
    """SD 1.5's 10-step Karras noise levels and DPM++ SDE's midpoints between them."""
    from diffusers.schedulers.scheduling_dpmsolver_sde import DPMSolverSDEScheduler

    s = DPMSolverSDEScheduler.from_config(SD15, use_karras_sigmas=True)
    s.set_timesteps(10)
    steps = [float(v) for v in s.sigmas[::2]]
    t = [-math.log(v) for v in steps[:-1]]
    mids = [math.exp(-(a + (b - a) * 0.5)) for a, b in zip(t, t[1:])]
    return steps, mids


def intervals(torchsde, diffusers):
    import torch

    steps, mids = karras_levels(diffusers)
    positive = [v for v in steps if v > 0]
    t0, t1 = min(positive), max(positive)
    queries = []
    for a, m, b in zip(steps, mids, steps[1:]):
        queries += [(m, a), (b, a)]
    queries += [(t0, t1), (steps[3], steps[2]), (t0 * 0.5, t0 * 2), (steps[4], steps[4])]
    out = []
    for entropy, size in [(0, 7), (1, 64), (42, 16), (4294967295, 33), (123456789012, 64)]:
        tree = torchsde.BrownianInterval(
            t0=t0, t1=t1, size=(size,), dtype=torch.float32, device="cpu", entropy=entropy, tol=1e-6, pool_size=24, halfway_tree=True
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = [floats(tree(ta, tb)) for ta, tb in queries]
        out.append({"t0": t0, "t1": t1, "entropy": str(entropy), "size": size, "queries": queries, "increments": values})
    return out


def seed_sequences():
    import numpy as np

    cases = [(0, [], 4, 4), (12345, [], 24, 3), (12345, [0, 0], 24, 4), (2**40 + 7, [13, 5], 24, 4), (4294967295, [123456789012, 30], 4, 6), (7, [2**33 + 1, 40], 24, 4)]
    return [
        {"entropy": str(e), "spawnKey": [str(k) for k in key], "poolSize": pool, "state": [int(v) for v in np.random.SeedSequence(e, spawn_key=key, pool_size=pool).generate_state(n)]}
        for e, key, pool, n in cases
    ]


def dpmpp_sde(diffusers):
    import torch
    from diffusers.schedulers.scheduling_dpmsolver_sde import DPMSolverSDEScheduler

    out = []
    for seed, steps, karras in [(1, 10, False), (7, 8, True), (3000000000, 4, True)]:
        scheduler = DPMSolverSDEScheduler.from_config(SD15, noise_sampler_seed=seed, use_karras_sigmas=karras)
        scheduler.set_timesteps(steps)
        latents = torch.randn((1, 4, 4, 4), generator=torch.Generator().manual_seed(seed)) * scheduler.init_noise_sigma
        first = None
        for i, t in enumerate(scheduler.timesteps):
            model_input = scheduler.scale_model_input(latents, t)
            latents = scheduler.step(fake_unet(model_input, float(t), i), t, latents).prev_sample
            if i == 0:
                first = latents.clone()
        out.append({"seed": str(seed), "steps": steps, "schedule": "karras" if karras else "automatic", "afterFirstCall16": floats(first)[:16], "final": floats(latents)})
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("torchsde")
    parser.add_argument("diffusers")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    torchsde = import_torchsde(args.torchsde)
    diffusers = import_diffusers(args.diffusers)
    import torch

    torch.set_num_threads(1)
    fixture = {
        "origin": f"torchsde {args.label}, diffusers {diffusers.__version__}, torch {torch.__version__}; computed by tools/reference/brownian.py".replace("  ", " "),
        "config": SD15,
        "seedSequence": seed_sequences(),
        "intervals": intervals(torchsde, diffusers),
        "dpmppSde": dpmpp_sde(diffusers),
    }
    text = json.dumps(fixture, indent=1)
    import re

    print(re.sub(r"\[[^\[\]{}\"]*\]", lambda m: "[" + ", ".join(m.group(0)[1:-1].split()).replace(",,", ",") + "]", text))


if __name__ == "__main__":
    sys.exit(main())
