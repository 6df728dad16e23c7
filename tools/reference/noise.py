#!/usr/bin/env python3
"""Reference values for src/core/noise: numpy's legacy RandomState(seed).randn, cast to float32.

Run:   python3 tools/reference/noise.py > test/fixtures/noise/numpy-randn.json
Works with numpy 1.x and 2.x alike (the legacy RandomState stream is frozen by NEP 19); the
fixture records which numpy wrote it. Values are the float32 results written as float64 numbers,
so they round-trip exactly.
"""
import json
import re
import sys

import numpy as np

SEEDS = [0, 1, 42, 12345, 3141592653, 2**32 - 1]

# Each pattern is a sequence of randn calls on one RandomState, as sizes (shape products).
# Odd sizes leave a cached polar value between calls; 16384 = 1x4x64x64 (a 512x512 latent)
# crosses many MT19937 twists.
PATTERNS = {
    "latent-1x4x8x8": [256],
    "odd-calls-7-5-3": [7, 5, 3],
    "single-values": [1, 1, 1],
    "latent-then-steps": [64, 64, 64],
}
BIG = 16384


def f32_list(a):
    return [float(v) for v in np.asarray(a, dtype=np.float32)]


def compact_json(value):
    """Indented JSON with each list of numbers on one line, so fixtures stay small and diffable."""
    text = json.dumps(value, indent=1)
    return re.sub(r"\[[^\[\]{}\"]*\]", lambda m: "[" + ", ".join(m.group(0)[1:-1].split()).replace(",,", ",") + "]", text)


def main():
    out = {
        "origin": (
            "numpy %s, numpy.random.RandomState(seed).randn(n).astype(numpy.float32), "
            "computed by tools/reference/noise.py" % np.__version__
        ),
        "seeds": {},
    }
    for seed in SEEDS:
        entry = {}
        for name, sizes in PATTERNS.items():
            rs = np.random.RandomState(seed)
            entry[name] = {"sizes": sizes, "calls": [f32_list(rs.randn(n)) for n in sizes]}
        rs = np.random.RandomState(seed)
        big = rs.randn(BIG).astype(np.float32)
        total = 0.0
        squares = 0.0
        for v in big.tolist():
            total += v
            squares += v * v
        entry["big"] = {
            "size": BIG,
            "head": f32_list(big[:8]),
            "tail": f32_list(big[-8:]),
            "sum": total,
            "sumOfSquares": squares,
        }
        out["seeds"][str(seed)] = entry
    sys.stdout.write(compact_json(out) + "\n")


if __name__ == "__main__":
    main()
