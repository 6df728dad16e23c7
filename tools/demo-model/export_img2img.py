"""Write models/demo-inpainting and models/demo-depth: the demo's tokenizer, text encoder and
VAE copied unchanged, the fine-tuned UNet, the depth estimator and its preprocessor config,
the configs and model_index.json; and their test fixtures (each graph's output for a small
input, and the pipeline's conditioning for a fixed image, mask and depth map)."""
import json
import os
import shutil

import numpy as np
import torch

import conditioning
import export
import world as world_module

COPIED = ("tokenizer", "text_encoder", "vae_encoder", "vae_decoder")
NOTE = {
    "inpainting": "sdprompt demo inpainting model: the demo UNet fine-tuned with 9 input channels "
                  "(latents, mask, masked-image latents) on the synthetic world (tools/demo-model)",
    "depth": "sdprompt demo depth model: the demo UNet fine-tuned with 5 input channels (latents, depth) "
             "on the synthetic world, with a tiny depth estimator (tools/demo-model)",
}
# DPTImageProcessor's keys (transformers' models/dpt/image_processing_dpt.py), for the tiny
# estimator: 64x64, bicubic, (x / 255 - 0.5) / 0.5; the net needs sides that are multiples of 8.
PREPROCESSOR = {
    "do_normalize": True, "do_pad": False, "do_rescale": True, "do_resize": True, "ensure_multiple_of": 8,
    "image_mean": [0.5, 0.5, 0.5], "image_processor_type": "DPTImageProcessor", "image_std": [0.5, 0.5, 0.5],
    "keep_aspect_ratio": False, "resample": 3, "rescale_factor": 1 / 255, "size": {"height": 64, "width": 64},
    "size_divisor": None,
}


def _read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def export_all(ctx):
    out, base, kind = ctx["out"], ctx["base"], ctx["kind"]
    os.makedirs(out, exist_ok=True)
    for sub in COPIED + ("unet", "scheduler", "depth_estimator", "feature_extractor"):
        if os.path.isdir(os.path.join(out, sub)):
            shutil.rmtree(os.path.join(out, sub))
    for sub in COPIED:
        shutil.copytree(os.path.join(base, sub), os.path.join(out, sub))
    dim = ctx["text"].config["hidden_size"]
    sizes = {"unet": export.export_unet(ctx["unet"], dim, os.path.join(out, "unet", "model.onnx"))}
    if kind == "depth":
        sizes["depth_estimator"] = export._export(
            ctx["estimator"], (torch.zeros(1, 3, 64, 64),), os.path.join(out, "depth_estimator", "model.onnx"),
            ["pixel_values"], ["predicted_depth"],
            {"pixel_values": export.SPATIAL, "predicted_depth": {0: "batch_size", 1: "height", 2: "width"}})
    write_configs(ctx)
    shutil.copyfile(world_module.WORLD_PATH, os.path.join(out, "sdprompt_world.json"))
    export._write_json(ctx["reference_path"], reference_outputs(ctx))
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(out) for f in fs)
    return {"onnx_bytes": sizes, "folder_bytes": total}


def write_configs(ctx):
    out, base, kind = ctx["out"], ctx["base"], ctx["kind"]
    scheduler_class = ctx["evaluation"]["default_scheduler_class"]
    unet = _read_json(os.path.join(base, "unet", "config.json"))
    unet.update(_note=NOTE[kind], in_channels=ctx["unet"].config["in_channels"])
    export._write_json(os.path.join(out, "unet", "config.json"), unet)
    scheduler = _read_json(os.path.join(base, "scheduler", "scheduler_config.json"))
    scheduler["_class_name"] = scheduler_class
    export._write_json(os.path.join(out, "scheduler", "scheduler_config.json"), scheduler)
    onnx_model = ["diffusers", "OnnxRuntimeModel"]
    index = {
        "_sdprompt_demo": {"note": NOTE[kind], "world": "sdprompt_world.json"},
        "scheduler": ["diffusers", scheduler_class], "text_encoder": onnx_model,
        "tokenizer": ["transformers", "CLIPTokenizer"], "unet": onnx_model,
        "vae_decoder": onnx_model, "vae_encoder": onnx_model,
    }
    if kind == "inpainting":
        index = {"_class_name": "OnnxStableDiffusionInpaintPipeline", **index, "feature_extractor": [None, None],
                 "requires_safety_checker": False, "safety_checker": [None, None]}
    else:
        index = {"_class_name": "StableDiffusionDepth2ImgPipeline", **index,
                 "depth_estimator": ["transformers", "DPTForDepthEstimation"],
                 "feature_extractor": ["transformers", "DPTImageProcessor"]}
        export._write_json(os.path.join(out, "feature_extractor", "preprocessor_config.json"), PREPROCESSOR)
        depth = ctx["world"]["depth"]
        export._write_json(os.path.join(out, "depth_estimator", "config.json"), {
            "_name_or_path": "sdprompt-demo-depth", "architectures": ["DPTForDepthEstimation"], "model_type": "dpt",
            "_note": "not a DPT: a small convolutional encoder-decoder with DPT's ONNX interface "
                     "(pixel_values [B,3,H,W] -> predicted_depth [B,H,W], larger = nearer; H, W multiples of 8), "
                     "trained to give the world's depth (tools/demo-model)",
            "image_size": 64, "num_channels": 3, "channels": ctx["estimator"].config["channels"],
            "depth_near": depth["near"], "depth_far": depth["far"], "torch_dtype": "float32",
        })
    export._write_json(os.path.join(out, "model_index.json"), dict(sorted(index.items())))


def _rounded_f32(a):
    """Values rounded to 6 decimals as float32: what the fixture holds is what torch saw."""
    return np.round(np.asarray(a, dtype=np.float64), 6).astype(np.float32)


def reference_sample(kind):
    latent, _ = export.reference_inputs()
    if kind == "inpainting":
        mask = np.zeros((1, 1, 8, 8))
        mask[..., 4:] = 1
        masked = 0.8 * np.cos(0.29 * np.arange(256)).reshape(1, 4, 8, 8)
        extra = np.concatenate([mask, masked], axis=1)
        about = ("[1, 9, 8, 8]: the demo's latent (channels 0..3), then the mask (columns 4..7 are 1), then "
                 "masked-image latents 0.8 * cos(0.29 * i) for i in 0..255; rounded to 6 decimals")
    else:
        extra = np.cos(0.41 * np.arange(64)).reshape(1, 1, 8, 8)
        about = ("[1, 5, 8, 8]: the demo's latent (channels 0..3), then depth cos(0.41 * i) for i in 0..63; "
                 "rounded to 6 decimals")
    return _rounded_f32(np.concatenate([latent, extra], axis=1)), about


def reference_outputs(ctx):
    kind = ctx["kind"]
    sample, about = reference_sample(kind)
    ref = export.reference_outputs(ctx, sample)
    ref["origin"] = "torch modules of tools/demo-model/finetune.py before export (torch " + torch.__version__ + ")"
    ref["kind"] = kind
    ref["inputs"]["sample"] = about
    _, image = export.reference_inputs()
    image = torch.from_numpy(image)
    if kind == "inpainting":
        mask = torch.from_numpy(conditioning.rectangle(64, 64, 21, 10, 53, 42))[None, None]
        with torch.no_grad():
            params = ctx["vae"][0](conditioning.masked_image(image, mask))
        ref["inpainting"] = {
            "image": "inputs.image", "mask": "[1, 1, 64, 64]: 1 (repaint) at rows 10..41 and columns 21..52, else 0",
            "mask_latent": [int(v) for v in conditioning.latent_mask(mask).numpy().ravel()],
            "masked_image_latent_parameters": export._rounded(params[0]),
            "about": "mask_latent: binarised, nearest to 8x8 (source pixel floor(8 i)); masked_image_latent_parameters: "
                     "vae_encoder of image * (mask < 0.5); times scaling_factor after sampling gives the UNet's channels 5..8",
        }
    else:
        with torch.no_grad():
            predicted = ctx["estimator"](image)
        given = torch.from_numpy(conditioning.rectangle(64, 64, 16, 16, 48, 48))[None]
        ref["depth"] = {
            "pixel_values": "inputs.image (DPT's preprocessing of that 64x64 image gives the same values)",
            "predicted_depth_shape": list(predicted.shape), "predicted_depth_every_13th": export._rounded(predicted.numpy().ravel()[::13]),
            "predicted_depth_mean": float(predicted.mean()),
            "depth_latent_8x8": export._rounded(conditioning.prepare_depth(predicted, 8, 8)),
            "depth_latent_16x12": export._rounded(conditioning.prepare_depth(predicted, 16, 12)),
            "given_map": "[1, 64, 64]: 1 at rows and columns 16..47, else 0",
            "given_map_latent_8x8": export._rounded(conditioning.prepare_depth(given, 8, 8)),
            "about": "depth_latent_*: predicted_depth (or the given map) bicubic-resized (align_corners false) to the "
                     "latent size, then 2 (d - min) / (max - min) - 1 per image: the UNet's channel 4",
        }
    return ref
