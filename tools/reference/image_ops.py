#!/usr/bin/python3
"""Reference values for src/core/image, computed by AUTOMATIC1111's own image functions and the
Pillow, OpenCV and torch calls A1111 and diffusers make.

Usage:
    /usr/bin/python3 tools/reference/image_ops.py A1111_CHECKOUT [--label TEXT] > test/fixtures/image/a1111-image-ops.json

A1111_CHECKOUT is a checkout of github.com/AUTOMATIC1111/stable-diffusion-webui (the folder
holding `modules/`); the committed fixtures used v1.10.1 (82a973c0), extracted with
`git archive 82a973c0 modules`. Nothing of A1111 is copied here: `modules.masking` (crop region,
expand_crop_region, fill) and `modules.images` (resize_image, flatten) are imported from the
checkout. images.py imports A1111's runtime (shared options, samplers, EXIF and font packages) at
load time; none of it is used by resize_image (with no upscaler configured, as here) or flatten,
so `_StubFinder` answers those imports with empty modules whose functions raise if called.

Python is Debian's /usr/bin/python3 with apt's python3-pil (Pillow 9.4), python3-opencv (4.6),
python3-numpy and python3-torch (1.13).

Recorded (pictures as base64 of their raw bytes, row-major, interleaved):
- resample: Pillow's Image.resize with LANCZOS, BICUBIC and BILINEAR (and a zero-height box);
- resize: images.resize_image modes 0, 1, 2 on RGB pictures and on an L mask;
- flatten: images.flatten of an RGBA picture on white;
- blur: A1111's mask blur, cv2.GaussianBlur along x with a (k, 1) kernel then along y with
  (1, k), k = 2·int(2.5σ + 0.5) + 1 (processing.py StableDiffusionProcessingImg2Img.init);
- box_blur: ImageFilter.GaussianBlur on an RGBa picture (what masking.fill blurs);
- fill: masking.fill;
- crop: masking.get_crop_region_v2 and expand_crop_region;
- overlay: the overlay A1111 builds (processing.py init: the picture pasted into an empty RGBa
  image through the inverted overlay mask, converted to RGBA) composited over a generated
  picture (apply_overlay: alpha_composite), for the whole picture (overlay mask = 2·blurred
  mask, clipped) and for only-masked (uncrop: resize_image(1, …) pasted on a transparent canvas);
- bicubic: torch.nn.functional.interpolate(mode='bicubic', align_corners=False), as diffusers'
  prepare_depth_map resizes depth, then 2(d − min)/(max − min) − 1 (float32, base64).
"""
import argparse
import base64
import importlib.abc
import importlib.machinery
import json
import sys
import types

import cv2
import numpy as np
import PIL
import torch
from PIL import Image, ImageFilter, ImageOps


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Empty modules for A1111's runtime, which resize_image and flatten do not use."""

    names = {
        "pytz", "piexif", "piexif.helper", "pillow_avif",
        "modules.sd_samplers", "modules.shared", "modules.script_callbacks", "modules.errors",
        "modules.paths_internal",
    }

    def find_spec(self, fullname, path, target=None):
        if fullname in self.names:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=fullname in ("piexif",))
        return None

    def create_module(self, spec):
        module = types.ModuleType(spec.name)
        if spec.name == "modules.shared":
            module.opts = types.SimpleNamespace(upscaler_for_img2img=None)
            module.sd_upscalers = []
            # read at import time for the file-name rules
            module.cmd_opts = types.SimpleNamespace(unix_filenames_sanitization=False, filenames_max_length=128)
        if spec.name == "modules.paths_internal":
            module.roboto_ttf_file = "/nonexistent/stubbed-roboto.ttf"
        return module

    def exec_module(self, module):
        pass


def f32(values):
    """float32 values as base64 of their little-endian bytes."""
    return base64.b64encode(np.asarray(values, dtype="<f4").tobytes()).decode("ascii")


def b64(array):
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.uint8).tobytes()).decode("ascii")


INPUTS = {}


def named(image, name):
    """An input picture, stored once under `inputs` and referred to by name."""
    INPUTS[name] = picture(image)
    return name


def picture(image):
    array = np.array(image)
    channels = 1 if array.ndim == 2 else array.shape[2]
    return {"width": image.width, "height": image.height, "channels": channels, "mode": image.mode, "data": b64(array)}


def test_pictures():
    rng = np.random.RandomState(8)
    yy, xx = np.mgrid[0:17, 0:23]
    smooth = np.stack([xx * 11, yy * 15, 128 + 100 * np.sin(xx / 3.0 + yy / 4.0)], -1)
    noisy = np.clip(smooth + rng.randint(-40, 41, smooth.shape), 0, 255).astype(np.uint8)
    rgb = Image.fromarray(noisy, "RGB")
    alpha = np.clip(xx * 12 - 20 + rng.randint(-30, 31, xx.shape), 0, 255).astype(np.uint8)
    rgba = Image.fromarray(np.dstack([noisy, alpha]), "RGBA")
    tall = Image.fromarray(np.clip(rng.randint(0, 256, (29, 11, 3)), 0, 255).astype(np.uint8), "RGB")
    mask = np.zeros((30, 40), np.uint8)
    mask[8:19, 13:30] = 255
    mask[20:24, 5:9] = 255
    return rgb, rgba, tall, Image.fromarray(mask, "L")


def resample_cases(rgb, rgba, mask):
    cases = []
    names = {id(rgb): named(rgb, "rgb"), id(rgba): named(rgba, "rgba"), id(mask): named(mask, "mask")}
    for image, size, name, filt, box in [
        (rgb, (40, 30), "lanczos", Image.LANCZOS, None),
        (rgb, (9, 7), "lanczos", Image.LANCZOS, None),
        (rgb, (64, 8), "lanczos", Image.LANCZOS, None),
        (rgb, (23, 11), "lanczos", Image.LANCZOS, None),
        (rgba, (31, 13), "lanczos", Image.LANCZOS, None),
        (mask, (5, 4), "bicubic", Image.BICUBIC, None),
        (rgb, (16, 16), "bicubic", Image.BICUBIC, None),
        (rgb, (12, 20), "bilinear", Image.BILINEAR, None),
        (rgb, (23, 5), "lanczos", Image.LANCZOS, (0, 0, 23, 0)),
        (rgb, (23, 4), "lanczos", Image.LANCZOS, (0, 17, 23, 17)),
        (rgb, (6, 17), "lanczos", Image.LANCZOS, (23, 0, 23, 17)),
    ]:
        out = image.resize(size, resample=filt, box=box)
        cases.append({"input": names[id(image)], "width": size[0], "height": size[1], "filter": name, "box": box, "output": picture(out)})
    return cases


def resize_cases(images_module, rgb, tall, mask):
    cases = []
    for image, name in ((rgb, "rgb"), (tall, "tall"), (mask, "mask")):
        named(image, name)
        for mode in (0, 1, 2):
            for size in ((32, 16), (24, 32), (40, 24)):
                out = images_module.resize_image(mode, image, size[0], size[1])
                cases.append({"input": name, "mode": mode, "width": size[0], "height": size[1], "output": picture(out)})
    return cases


def a1111_blur(mask, sigma):
    """The two cv2.GaussianBlur calls of A1111's init, with its kernel-size rule."""
    np_mask = np.array(mask)
    kernel_size = 2 * int(2.5 * sigma + 0.5) + 1
    np_mask = cv2.GaussianBlur(np_mask, (kernel_size, 1), sigma)
    np_mask = cv2.GaussianBlur(np_mask, (1, kernel_size), sigma)
    return Image.fromarray(np_mask), kernel_size


def blur_cases(mask):
    rng = np.random.RandomState(3)
    speckle = Image.fromarray((rng.rand(13, 21) > 0.7).astype(np.uint8) * 255, "L")
    cases = []
    for image, name in ((mask, "mask"), (speckle, "speckle")):
        named(image, name)
        for sigma in (0.5, 1, 2, 4, 7.5, 16, 64):
            out, k = a1111_blur(image, sigma)
            cases.append({"input": name, "sigma": sigma, "kernel_size": k, "output": picture(out)})
    return cases


def box_blur_cases(rgba):
    premultiplied = rgba.convert("RGBa")
    named(premultiplied, "rgba_premultiplied")
    return [
        {"input": "rgba_premultiplied", "radius": r, "output": picture(premultiplied.filter(ImageFilter.GaussianBlur(r)))}
        for r in (1, 2, 4, 16, 64, 256)
    ]


def overlay_image(image, overlay_mask):
    """The overlay of A1111's init: the picture through the inverted mask into an empty RGBa image, as RGBA."""
    masked = Image.new("RGBa", (image.width, image.height))
    masked.paste(image.convert("RGBA").convert("RGBa"), mask=ImageOps.invert(overlay_mask.convert("L")))
    return masked.convert("RGBA")


def composite(generated, overlay):
    out = generated.convert("RGBA")
    out.alpha_composite(overlay)
    return out.convert("RGB")


def overlay_cases(images_module, masking, rgb):
    rng = np.random.RandomState(5)
    original = images_module.resize_image(0, rgb, 40, 32)
    generated = Image.fromarray(rng.randint(0, 256, (32, 40, 3)).astype(np.uint8), "RGB")
    mask = np.zeros((32, 40), np.uint8)
    mask[10:22, 14:31] = 255
    blurred, _ = a1111_blur(Image.fromarray(mask, "L"), 3)
    whole = Image.fromarray(np.clip(np.array(blurred).astype(np.float32) * 2, 0, 255).astype(np.uint8))
    overlay = overlay_image(original, whole)
    cases = [{
        "kind": "whole", "original": picture(original), "mask": picture(blurred), "overlay_mask": picture(whole),
        "overlay": picture(overlay), "generated": picture(generated), "output": picture(composite(generated, overlay)),
    }]
    region = masking.expand_crop_region(masking.get_crop_region_v2(blurred, 2), 16, 16, 40, 32)
    x1, y1, x2, y2 = region
    crop_generated = Image.fromarray(rng.randint(0, 256, (16, 16, 3)).astype(np.uint8), "RGB")
    base = Image.new("RGBA", (40, 32))
    base.paste(images_module.resize_image(1, crop_generated, x2 - x1, y2 - y1), (x1, y1))
    overlay = overlay_image(original, blurred)
    cases.append({
        "kind": "masked", "original": picture(original), "mask": picture(blurred), "region": list(region),
        "crop_input": picture(images_module.resize_image(2, original.crop(region), 16, 16)),
        "overlay": picture(overlay), "generated": picture(crop_generated), "output": picture(composite(base, overlay)),
    })
    return cases


def crop_cases(masking):
    cases = []
    shapes = [
        (40, 30, (13, 8, 30, 19)),
        (40, 30, (0, 0, 3, 30)),
        (40, 30, (36, 25, 40, 30)),
        (64, 48, (20, 5, 24, 44)),
        (64, 48, (1, 20, 63, 22)),
        (17, 23, (5, 5, 6, 6)),
    ]
    for w, h, (x1, y1, x2, y2) in shapes:
        mask = np.zeros((h, w), np.uint8)
        mask[y1:y2, x1:x2] = 200
        for pad in (0, 3, 32):
            region = masking.get_crop_region_v2(Image.fromarray(mask), pad)
            for pw, ph in ((64, 64), (96, 32), (32, 96), (48, 40)):
                cases.append({
                    "width": w, "height": h, "box": [x1, y1, x2, y2], "pad": pad,
                    "region": list(region), "processing": [pw, ph],
                    "expanded": list(masking.expand_crop_region(region, pw, ph, w, h)),
                })
    empty = masking.get_crop_region_v2(Image.new("L", (8, 8)), 4)
    return {"cases": cases, "empty": empty}


def bicubic_cases():
    rng = np.random.RandomState(11)
    depth = (rng.rand(17, 23) * 255).astype(np.float32)
    cases = []
    for h, w in ((8, 6), (3, 12), (40, 52), (17, 23)):
        out = torch.nn.functional.interpolate(torch.from_numpy(depth)[None, None], size=(h, w), mode="bicubic", align_corners=False)
        lo, hi = torch.aminmax(out)
        normalized = 2.0 * (out - lo) / (hi - lo) - 1.0
        cases.append({"width": w, "height": h, "output": f32(out[0, 0].numpy()), "normalized": f32(normalized[0, 0].numpy())})
    return {"input": {"width": 23, "height": 17, "data": f32(depth)}, "cases": cases}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    sys.meta_path.insert(0, _StubFinder())
    sys.path.insert(0, args.checkout)
    from modules import images as images_module  # noqa: E402
    from modules import masking  # noqa: E402

    rgb, rgba, tall, mask = test_pictures()
    fixture = {
        "source": {
            "a1111": ("AUTOMATIC1111/stable-diffusion-webui " + args.label).strip(),
            "pillow": PIL.__version__, "opencv": cv2.__version__, "torch": torch.__version__.split("+")[0],
        },
        "resample": resample_cases(rgb, rgba, mask),
        "resize": resize_cases(images_module, rgb, tall, mask),
        "flatten": {"input": "rgba", "output": picture(images_module.flatten(rgba, "#ffffff"))},
        "blur": blur_cases(mask),
        "box_blur": box_blur_cases(rgba),
        "fill": {"image": picture(rgb.resize((40, 30), Image.LANCZOS)), "mask": picture(a1111_blur(mask, 2)[0]),
                 "output": picture(masking.fill(rgb.resize((40, 30), Image.LANCZOS), a1111_blur(mask, 2)[0]))},
        "crop": crop_cases(masking),
        "overlay": overlay_cases(images_module, masking, rgb),
        "bicubic": bicubic_cases(),
        "inputs": INPUTS,
    }
    json.dump(fixture, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
