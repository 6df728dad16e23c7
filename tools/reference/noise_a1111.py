#!/usr/bin/python3
"""Reference values for src/core/noise/philox.ts and image-noise.ts, computed by A1111's own code.

Usage:
    /usr/bin/python3 tools/reference/noise_a1111.py A1111_CHECKOUT [--label TEXT] > test/fixtures/noise/a1111.json

A1111_CHECKOUT is a checkout of github.com/AUTOMATIC1111/stable-diffusion-webui (the folder
holding `modules/`). The committed fixture used v1.10.1 (commit 82a973c0); --label records that.
Python is Debian's /usr/bin/python3 with apt's python3-torch (1.13) and numpy.

What runs is A1111's code, imported from the checkout:
- modules/rng_philox.py, the "NV" source: Generator(seed).randn(shape), call after call;
- modules/rng.py, ImageRNG: the starting noise of one image with and without a variation seed
  (subseed, subseed_strength; its `slerp`), then the per-step noise samplers receive through
  ImageRNG.next(), for the RNG settings "CPU" (torch's CPU generator) and "NV"; and with an
  eta noise seed delta (ENSD), which reseeds the per-step generator with seed + delta.
rng.py imports `modules.devices` and `modules.shared`, which pull in the whole web UI; the small
stand-ins below give it only what rng.py reads: the CPU device and the two options
(`randn_source`, `eta_noise_seed_delta`). Nothing else of A1111 is loaded, nothing is copied.
Values are float32 results written as float64 numbers, so they round-trip exactly.
"""
import argparse
import json
import re
import sys
import types

import torch

from a1111_checkout import import_from_checkout

SEEDS = [0, 42, 3141592653, 2**32 - 1, 2**32 + 7, 2**64 - 1]
PHILOX_PATTERNS = {
    "sizes-1-to-17": list(range(1, 18)),
    "latent-then-steps": [64, 64, 64],
}
BIG = 16384
# (seed, subseed, strength): strength 0 skips the variation noise; 1 gives the subseed's noise;
# equal seeds make every column parallel, which takes A1111's linear fallback.
VARIATIONS = [(1, 2, 0.0), (1, 2, 0.3), (1, 2, 0.5), (1, 2, 1.0), (3141592653, 7, 0.75), (1234, 1234, 0.4)]
SMALL_SHAPE = (4, 8, 8)
LARGE_SHAPE = (4, 64, 64)
STEPS = 3


def f32_list(t):
    return [float(v) for v in torch.as_tensor(t).flatten().tolist()]


def summary(t):
    values = torch.as_tensor(t).flatten().tolist()
    total = 0.0
    squares = 0.0
    for v in values:
        total += v
        squares += v * v
    return {"head": [float(v) for v in values[:8]], "tail": [float(v) for v in values[-8:]], "sum": total, "sumOfSquares": squares}


def compact_json(value):
    text = json.dumps(value, indent=1)
    return re.sub(r"\[[^\[\]{}\"]*\]", lambda m: "[" + ", ".join(m.group(0)[1:-1].split()).replace(",,", ",") + "]", text)


def import_a1111(checkout):
    """Imports modules.rng_philox and modules.rng from the checkout, with stand-ins for devices and shared."""
    cpu = torch.device("cpu")
    opts = types.SimpleNamespace(randn_source="CPU", eta_noise_seed_delta=0)
    stand_ins = {"devices": dict(cpu=cpu, device=cpu), "shared": dict(opts=opts, device=cpu)}
    rng, rng_philox = import_from_checkout(checkout, stand_ins, "rng", "rng_philox")
    return rng, rng_philox, sys.modules["modules.shared"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("checkout")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    rng, rng_philox, shared = import_a1111(args.checkout)

    out = {
        "origin": "A1111 stable-diffusion-webui %s: modules/rng_philox.py and modules/rng.py ImageRNG, with torch %s; "
        "computed by tools/reference/noise_a1111.py" % (args.label, torch.__version__),
        "philox": {},
        "imageRng": [],
    }
    for seed in SEEDS:
        entry = {}
        for name, sizes in PHILOX_PATTERNS.items():
            g = rng_philox.Generator(seed)
            entry[name] = {"sizes": sizes, "calls": [f32_list(g.randn((n,))) for n in sizes]}
        entry["big"] = dict(size=BIG, **summary(rng_philox.Generator(seed).randn((1, 4, 64, 64))))
        out["philox"][str(seed)] = entry

    for source in ("CPU", "NV"):
        for ensd in (0, 31337):
            shared.opts.randn_source = source
            shared.opts.eta_noise_seed_delta = ensd
            for seed, subseed, strength in VARIATIONS:
                for shape in (SMALL_SHAPE, LARGE_SHAPE):
                    if ensd and (shape != SMALL_SHAPE or strength not in (0.0, 0.5)):
                        continue
                    image_rng = rng.ImageRNG(shape, [seed], subseeds=[subseed], subseed_strength=strength)
                    first = image_rng.next()
                    steps = [image_rng.next() for _ in range(STEPS)]
                    case = {"rng": source, "ensd": ensd, "seed": seed, "subseed": subseed, "strength": strength, "shape": list(shape)}
                    if shape == SMALL_SHAPE and not ensd:
                        case["initial"] = f32_list(first)
                    case["initialSummary"] = summary(first)
                    case["stepSummaries"] = [summary(s) for s in steps]
                    out["imageRng"].append(case)
    sys.stdout.write(compact_json(out) + "\n")


if __name__ == "__main__":
    main()
