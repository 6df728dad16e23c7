#!/usr/bin/python3
"""Reference values for src/core/image/watermark.ts, computed by the invisible-watermark library.

Usage:
    /usr/bin/python3 tools/reference/watermark.py IMWATERMARK_CHECKOUT OUT_DIR [--label TEXT] [--ours DIR]

IMWATERMARK_CHECKOUT is a checkout of github.com/ShieldMnt/invisible-watermark (the folder
holding `imwatermark/`); the committed fixtures used commit 68d0376d (version 0.2.0), recorded with
--label. Python is Debian's /usr/bin/python3 with python3-opencv (4.6), python3-pywt (1.1.1),
python3-numpy and python3-torch (imported by the library's rivaGan module, not used here).

Writes OUT_DIR/watermark.json and OUT_DIR/library-marked-sdxl.png. Test images are made from
integer formulas (`pattern`, written the same way in test/unit/image/watermark.test.ts), so no
image is stored but the SDXL-marked one:
- for each size, the sha256 of the RGB bytes the library's dwtDct encoder returns for the payload
  of Stable Diffusion's txt2img.py (WatermarkEncoder().set_watermark('bytes',
  b'StableDiffusionV1'), the image passed as BGR and converted back as that script does), and
  what the library's decoder reads back from them;
- the SDXL payload of diffusers (48 bits, set_watermark('bits', ...)) embedded the way diffusers'
  watermarker calls the library: a float32 RGB array in 0..255 passed as is, then rounded to
  8 bits as its image processor does ((x / 255).clamp(0, 1) * 255, rounded);
- with --ours DIR: what the library's decoder reads from each PNG in DIR (images our encoder
  marked; written by test/unit/image/watermark.test.ts when SDPROMPT_WRITE_MARKED=DIR is set).
"""
import argparse
import glob
import hashlib
import json
import os
import sys

import cv2
import numpy as np

# (pattern, width, height): the method works on textured images and fails on smooth ones (the
# coefficient it moves can stop being its block's largest), where the library cannot read its own
# mark back; both kinds are here, since compatibility means reading the same bits either way.
IMAGES = [("smooth", 256, 256), ("smooth", 260, 301), ("textured", 260, 301), ("textured", 512, 384)]
SD_PAYLOAD = b"StableDiffusionV1"
SDXL_BITS = [int(b) for b in bin(0b101100111110110010010000011110111011000110011110)[2:]]


def pattern(kind, width, height):
    """A test image from integers only: "smooth" (two gradients and broad quadratic bumps) or
    "textured" (a quadratic residue texture, like fine detail in a render)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.int64)
    if kind == "smooth":
        r = 30 + x * 190 // (width - 1)
        g = 40 + y * 170 // (height - 1)
        b = 60 + (((x % 64) - 32) ** 2 + ((y % 48) - 24) ** 2) // 12
    else:
        t = (x * x * 31 + y * y * 17 + x * y * 7 + x * 3 + y * 11) % 251
        r = 40 + t // 2
        g = 60 + (t * 5) % 120
        b = 50 + (t * 11) % 140
    return np.stack([r, g, b], axis=2).astype(np.uint8)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("checkout")
    parser.add_argument("out")
    parser.add_argument("--label", default="")
    parser.add_argument("--ours")
    args = parser.parse_args()
    sys.path.insert(0, args.checkout)
    from imwatermark import WatermarkDecoder, WatermarkEncoder

    def decode_bytes(rgb, length_bits):
        decoder = WatermarkDecoder("bytes", length_bits)
        return decoder.decode(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), "dwtDct").decode("latin-1")

    encoder = WatermarkEncoder()
    encoder.set_watermark("bytes", SD_PAYLOAD)
    out = {
        "origin": "invisible-watermark %s with OpenCV %s and PyWavelets, computed by tools/reference/watermark.py" % (args.label, cv2.__version__),
        "sd": [],
    }
    for kind, width, height in IMAGES:
        rgb = pattern(kind, width, height)
        marked = cv2.cvtColor(encoder.encode(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), "dwtDct"), cv2.COLOR_BGR2RGB)
        out["sd"].append({
            "pattern": kind, "width": width, "height": height,
            "inputSha256": hashlib.sha256(rgb.tobytes()).hexdigest(),
            "markedSha256": hashlib.sha256(marked.tobytes()).hexdigest(),
            "changedPixels": int((marked != rgb).any(axis=2).sum()),
            "decoded": decode_bytes(marked, len(SD_PAYLOAD) * 8),
        })

    sdxl = WatermarkEncoder()
    sdxl.set_watermark("bits", SDXL_BITS)
    rgb = pattern("textured", 256, 256).astype(np.float32)
    marked = sdxl.encode(rgb, "dwtDct")
    rounded = np.round(np.clip(marked / 255.0, 0, 1) * 255).astype(np.uint8)
    cv2.imwrite(os.path.join(args.out, "library-marked-sdxl.png"), cv2.cvtColor(rounded, cv2.COLOR_RGB2BGR))
    bits = WatermarkDecoder("bits", len(SDXL_BITS)).decode(rounded, "dwtDct")  # RGB read as BGR, as it was written
    out["sdxl"] = {"width": 256, "height": 256, "bitsReadBack": [int(b) for b in bits], "bits": SDXL_BITS}

    if args.ours:
        out["ours"] = {}
        for path in sorted(glob.glob(os.path.join(args.ours, "*.png"))):
            bgr = cv2.imread(path, cv2.IMREAD_COLOR)
            out["ours"][os.path.basename(path)] = decode_bytes(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), len(SD_PAYLOAD) * 8)
    with open(os.path.join(args.out, "watermark.json"), "w") as f:
        f.write(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
