#!/usr/bin/python3
"""Test images for src/core/parameters/image.ts, written and read back by A1111's own code.

Usage:
    /usr/bin/python3 tools/reference/image_parameters.py A1111_CHECKOUT OUT_DIR [--label TEXT]

A1111_CHECKOUT is a checkout of github.com/AUTOMATIC1111/stable-diffusion-webui (the folder
holding `modules/`); the committed fixtures used v1.10.1 (commit 82a973c0). Python is Debian's
/usr/bin/python3 with python3-pil, python3-piexif, python3-tz and python3-numpy.

A1111's modules/images.py writes the images (`save_image_with_geninfo`: a PNG `parameters` text
chunk, or for JPEG and WebP an EXIF UserComment through piexif) and reads them back
(`read_info_from_image`); what it reads is recorded in OUT_DIR/image-parameters.json. images.py
imports the web UI's modules (sd_samplers, shared, script_callbacks, errors, paths_internal) and
pillow_avif; the stand-ins below give it only the options these two functions and its import read (PNG info on,
JPEG quality 80, lossy WebP; the file name options its import reads). A ComfyUI image is written the way ComfyUI's SaveImage node writes
one (PngInfo text chunks `prompt` and `workflow`, each json.dumps of the graph), with a graph made
for this test: ComfyUI's default text-to-image graph, a 64-bit seed and a non-ASCII prompt.
"""
import argparse
import json
import os
import types

from a1111_checkout import import_from_checkout, stub

import numpy as np
from PIL import Image, PngImagePlugin

PARAMETERS = (
    "a (red:1.2) circle, café \u2014 \u00e9t\u00e9\nNegative prompt: blurry, \"soft\"\n"
    "Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 1234567890, Size: 16x16, "
    'Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Lora hashes: "detail: 7c6bad76eb54", Version: v1.10.1'
)
LATIN1_PARAMETERS = "a red circle\nSteps: 20, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7, Seed: 7, Size: 16x16, RNG: CPU"

COMFY_GRAPH = {
    "3": {"class_type": "KSampler", "inputs": {
        "seed": 876543210987654321, "steps": 25, "cfg": 7.5, "sampler_name": "dpmpp_2m", "scheduler": "karras",
        "denoise": 1.0, "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5-pruned-emaonly.safetensors"}},
    "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 768, "batch_size": 1}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a lighthouse at dusk, \u00e9clairage \u201cdoux\u201d", "clip": ["4", 1]}},
    "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "text, watermark", "clip": ["4", 1]}},
    "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
    "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}},
}


def import_images(checkout):
    opts = types.SimpleNamespace(enable_pnginfo=True, jpeg_quality=80, webp_lossless=False)
    stub("pillow_avif")
    stand_ins = {
        "sd_samplers": {"samplers_map": {}},
        "shared": {"opts": opts, "cmd_opts": types.SimpleNamespace(unix_filenames_sanitization=False, filenames_max_length=128)},
        "script_callbacks": {},
        "errors": {"report": lambda *a, **k: None},
        "paths_internal": {"roboto_ttf_file": ""},
    }
    (images,) = import_from_checkout(checkout, stand_ins, "images")
    return images


def picture():
    y, x = np.mgrid[0:16, 0:16]
    return Image.fromarray(np.stack([x * 16, y * 16, (x + y) * 8], axis=2).astype(np.uint8))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("checkout")
    parser.add_argument("out")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    images = import_images(args.checkout)

    written = {
        "a1111-utf8.png": PARAMETERS,
        "a1111-latin1.png": LATIN1_PARAMETERS,
        "a1111.jpg": PARAMETERS,
        "a1111.webp": PARAMETERS,
    }
    out = {"origin": "A1111 stable-diffusion-webui %s: modules/images.py save_image_with_geninfo and read_info_from_image, "
           "computed by tools/reference/image_parameters.py" % args.label, "images": {}}
    for name, text in written.items():
        path = os.path.join(args.out, name)
        images.save_image_with_geninfo(picture(), text, path)

    metadata = PngImagePlugin.PngInfo()
    metadata.add_text("prompt", json.dumps(COMFY_GRAPH))
    metadata.add_text("workflow", json.dumps({"last_node_id": 9, "nodes": []}))
    picture().save(os.path.join(args.out, "comfyui.png"), pnginfo=metadata, compress_level=4)
    picture().save(os.path.join(args.out, "plain.png"))

    for name in sorted(os.listdir(args.out)):
        if name.endswith((".png", ".jpg", ".webp")):
            with Image.open(os.path.join(args.out, name)) as image:
                geninfo, items = images.read_info_from_image(image)
            out["images"][name] = {"a1111Reads": geninfo, "otherText": sorted(items)}
    out["comfyGraph"] = json.dumps(COMFY_GRAPH)
    with open(os.path.join(args.out, "image-parameters.json"), "w") as f:
        f.write(json.dumps(out, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
