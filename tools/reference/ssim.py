#!/usr/bin/python3
"""Reference values for src/core/image/compare.ts: SSIM as scikit-image computes it.

Usage:
    /usr/bin/python3 tools/reference/ssim.py > test/fixtures/image/ssim.json

Python is Debian's /usr/bin/python3 with apt's python3-skimage (scikit-image 0.19) and
python3-numpy. Nothing of scikit-image is copied: `skimage.metrics.structural_similarity` is
called with the configuration of Wang et al. 2004 (Gaussian weights, σ 1.5, population
covariance, data range 255, per channel).

The pictures are made by integer formulas that test/unit/image/compare.test.ts repeats, so only
the numbers are recorded.
"""
import json

import numpy as np
import skimage
from skimage.metrics import structural_similarity


def lcg(seed, count):
    """A 32-bit linear congruential generator (Numerical Recipes' constants), its top byte."""
    out = np.empty(count, dtype=np.uint8)
    state = seed
    for i in range(count):
        state = (1664525 * state + 1013904223) % 2**32
        out[i] = state >> 24
    return out


def base(width, height):
    y, x, c = np.meshgrid(np.arange(height), np.arange(width), np.arange(3), indexing='ij')
    return ((x * 5 + y * 3 + c * 40 + (x * y) // 7) % 256).astype(np.uint8)


def cases():
    w, h = 48, 40
    a = base(w, h)
    noise = (lcg(1, w * h * 3).reshape(h, w, 3).astype(np.int32) % 7) - 3
    shifted = np.clip(a.astype(np.int32) + 20, 0, 255).astype(np.uint8)
    block = a.copy()
    block[10:20, 12:22, :] = 255 - block[10:20, 12:22, :]
    return {
        'noise': (a, np.clip(a.astype(np.int32) + noise, 0, 255).astype(np.uint8)),
        'brighter': (a, shifted),
        'inverted block': (a, block),
        'unrelated': (lcg(2, w * h * 3).reshape(h, w, 3), lcg(3, w * h * 3).reshape(h, w, 3)),
        'one pixel': (a, np.where(np.arange(w * h * 3).reshape(h, w, 3) == 3 * (w * 20 + 30) + 1, 0, a).astype(np.uint8)),
    }


def main():
    results = {}
    for name, (a, b) in cases().items():
        results[name] = float(structural_similarity(
            a, b, channel_axis=-1, data_range=255, gaussian_weights=True, sigma=1.5, use_sample_covariance=False))
    print(json.dumps({'skimage': skimage.__version__, 'width': 48, 'height': 40, 'ssim': results}, indent=2))


main()
