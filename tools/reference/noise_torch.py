#!/usr/bin/python3
"""Reference values for src/core/noise/torch.ts: torch's CPU generator and randn, as float32.

Run:   /usr/bin/python3 tools/reference/noise_torch.py > test/fixtures/noise/torch-randn.json

Each pattern is a sequence of torch.randn(size, generator=g) calls on one
g = torch.Generator().manual_seed(seed). Sizes below 16 take torch's double Box-Muller path (whose
second value is cached in the generator between calls), 16 and up its float32 path (the AVX2
kernel on x86 builds whose CPU capability is AVX2, recorded in `capability`), and a size that is
not a multiple of 16 recomputes its last 16 values. Mixed sequences check that the two paths share
one MT19937 stream and the cache survives calls of the other path. Values are float32 results
written as float64 numbers, so they round-trip exactly.

`far` records single values deep into long tensors: index 11684649 of seed 0's
randn(11684656) is one of the three angles where the AVX2 sine's range reduction rounds
differently with and without a fused multiply-add, so it pins that choice down.
"""
import json
import re
import sys

import torch

SEEDS = [0, 1, 42, 12345, 3141592653, 2**32 - 1, 2**32 + 7, 2**64 - 1]

PATTERNS = {
    "sizes-1-to-17": list(range(1, 18)),
    "cache-across-paths": [3, 40, 1, 1, 33, 5],
    "latent-1x4x8x8": [256],
    "latent-then-steps": [64, 64, 64],
    "odd-sizes": [31, 47, 17, 100],
}
BIG = 16384  # 1x4x64x64, a 512x512 latent
FAR = [(0, 11684656, [11684649, 11684641]), (1, 1000000, [999999])]


def f32_list(t):
    return [float(v) for v in t.flatten().tolist()]


def compact_json(value):
    """Indented JSON with each list of numbers on one line, so fixtures stay small and diffable."""
    text = json.dumps(value, indent=1)
    return re.sub(r"\[[^\[\]{}\"]*\]", lambda m: "[" + ", ".join(m.group(0)[1:-1].split()).replace(",,", ",") + "]", text)


def capability():
    found = re.search(r"CPU capability usage: (\w+)", torch.__config__.show())
    return found.group(1) if found else "unknown"


def main():
    out = {
        "origin": "torch %s (CPU capability %s), torch.randn(n, generator=torch.Generator().manual_seed(seed)), "
        "computed by tools/reference/noise_torch.py" % (torch.__version__, capability()),
        "seeds": {},
        "far": [],
    }
    for seed in SEEDS:
        entry = {}
        for name, sizes in PATTERNS.items():
            g = torch.Generator().manual_seed(seed)
            entry[name] = {"sizes": sizes, "calls": [f32_list(torch.randn(n, generator=g)) for n in sizes]}
        big = torch.randn(BIG, generator=torch.Generator().manual_seed(seed))
        total = 0.0
        squares = 0.0
        for v in big.tolist():
            total += v
            squares += v * v
        entry["big"] = {"size": BIG, "head": f32_list(big[:8]), "tail": f32_list(big[-8:]), "sum": total, "sumOfSquares": squares}
        out["seeds"][str(seed)] = entry
    for seed, size, indices in FAR:
        values = torch.randn(size, generator=torch.Generator().manual_seed(seed))
        out["far"].append({"seed": seed, "size": size, "values": {str(i): float(values[i]) for i in indices}})
    sys.stdout.write(compact_json(out) + "\n")


if __name__ == "__main__":
    main()
