"""Write the model folder: ONNX graphs with a real SD export's interface, the components'
configs, the tokenizer, the scheduler config, model_index.json, the world; and the test
fixtures (tokenizer samples, reference outputs of each graph)."""
import json
import os
import shutil

import numpy as np
import onnx
import torch

import clip_tokenizer
import world as world_module

OPSET = 17


class TextEncoderGraph(torch.nn.Module):
    def __init__(self, text):
        super().__init__()
        self.text = text

    def forward(self, input_ids):
        return self.text(input_ids)


class UNetGraph(torch.nn.Module):
    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, sample, timestep, encoder_hidden_states):
        return self.unet(sample, timestep, encoder_hidden_states)


class VaeDecoderGraph(torch.nn.Module):
    def __init__(self, decoder):
        super().__init__()
        self.decoder = decoder

    def forward(self, latent_sample):
        return self.decoder(latent_sample).clamp(-1.0, 1.0)


def _export(module, args, path, inputs, outputs, dynamic_axes):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs,
                          dynamic_axes=dynamic_axes, opset_version=OPSET, do_constant_folding=True)
    model = onnx.load(path)
    onnx.checker.check_model(model)
    return os.path.getsize(path)


def _write_json(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")


SPATIAL = {0: "batch_size", 2: "height", 3: "width"}
LATENT = {0: "batch_size", 2: "latent_height", 3: "latent_width"}


def export_text_encoder(text, tok, path):
    ids = torch.tensor([tok("a red circle on a blue background"), tok("")])
    return _export(TextEncoderGraph(text), (ids,), path, ["input_ids"], ["last_hidden_state", "pooler_output"],
                   {"input_ids": {0: "batch_size"}, "last_hidden_state": {0: "batch_size"},
                    "pooler_output": {0: "batch_size"}})


def export_unet(unet, dim, path):
    """The UNet with SD's interface; its input channels (4, 9 or 5) are the module's own."""
    sample = torch.randn(2, unet.config["in_channels"], 8, 8)
    return _export(UNetGraph(unet), (sample, torch.tensor([500.0, 500.0]), torch.randn(2, 77, dim)), path,
                   ["sample", "timestep", "encoder_hidden_states"], ["out_sample"],
                   {"sample": SPATIAL, "timestep": {0: "batch_size"},
                    "encoder_hidden_states": {0: "batch_size", 1: "sequence_length"}, "out_sample": SPATIAL})


def export_vae_encoder(encoder, path):
    return _export(encoder, (torch.zeros(1, 3, 64, 64),), path, ["sample"], ["latent_parameters"],
                   {"sample": SPATIAL, "latent_parameters": LATENT})


def export_vae_decoder(decoder, path):
    return _export(VaeDecoderGraph(decoder), (torch.zeros(1, 4, 8, 8),), path, ["latent_sample"], ["sample"],
                   {"latent_sample": LATENT, "sample": SPATIAL})


def export_all(ctx):
    out, cfg, tok = ctx["out"], ctx["cfg"], ctx["tokenizer"]
    text, unet = ctx["text"], ctx["unet"]
    encoder, decoder = ctx["vae"]
    sf = ctx["scaling_factor"]
    dim = cfg["text_dim"]
    for sub in ("text_encoder", "unet", "vae_encoder", "vae_decoder", "tokenizer", "scheduler"):
        if os.path.isdir(os.path.join(out, sub)):
            shutil.rmtree(os.path.join(out, sub))
    sizes = {}

    sizes["text_encoder"] = export_text_encoder(text, tok, os.path.join(out, "text_encoder", "model.onnx"))
    sizes["unet"] = export_unet(unet, dim, os.path.join(out, "unet", "model.onnx"))
    sizes["vae_encoder"] = export_vae_encoder(encoder, os.path.join(out, "vae_encoder", "model.onnx"))
    sizes["vae_decoder"] = export_vae_decoder(decoder, os.path.join(out, "vae_decoder", "model.onnx"))

    clip_tokenizer.write_tokenizer_folder(os.path.join(out, "tokenizer"), ctx["merges"])
    write_configs(ctx)
    shutil.copyfile(world_module.WORLD_PATH, os.path.join(out, "sdprompt_world.json"))
    write_tokenizer_samples(ctx)
    write_reference_outputs(ctx)
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(out) for f in fs)
    return {"onnx_bytes": sizes, "folder_bytes": total, "scaling_factor": sf}


def write_configs(ctx):
    out, cfg, tok, world = ctx["out"], ctx["cfg"], ctx["tokenizer"], ctx["world"]
    text, unet = ctx["text"], ctx["unet"]
    evaluation = ctx["evaluation"]
    scheduler_class = evaluation["default_scheduler_class"]
    note = "sdprompt demo model: a miniature Stable Diffusion trained on a synthetic world (tools/demo-model)"
    tc = text.config
    _write_json(os.path.join(out, "text_encoder", "config.json"), {
        "_name_or_path": "sdprompt-demo", "architectures": ["CLIPTextModel"], "model_type": "clip_text_model",
        "vocab_size": tc["vocab_size"], "hidden_size": tc["hidden_size"], "intermediate_size": tc["intermediate_size"],
        "num_hidden_layers": tc["num_hidden_layers"], "num_attention_heads": tc["num_attention_heads"],
        "max_position_embeddings": tc["max_position_embeddings"], "hidden_act": "quick_gelu",
        "layer_norm_eps": 1e-05, "attention_dropout": 0.0, "dropout": 0.0, "projection_dim": tc["hidden_size"],
        "bos_token_id": tok.bos, "eos_token_id": tok.eos, "pad_token_id": tok.pad, "torch_dtype": "float32",
    })
    uc = unet.config
    _write_json(os.path.join(out, "unet", "config.json"), {
        "_class_name": "UNet2DConditionModel", "_note": note,
        "in_channels": uc["in_channels"], "out_channels": uc["out_channels"], "sample_size": 8,
        "cross_attention_dim": uc["cross_attention_dim"], "block_out_channels": uc["block_out_channels"],
        "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
        "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
        "mid_block_type": "UNetMidBlock2D", "layers_per_block": 1, "attention_head_dim": uc["attention_head_dim"],
        "act_fn": "silu", "flip_sin_to_cos": True, "freq_shift": 0, "norm_num_groups": 16,
        "time_cond_proj_dim": None, "addition_embed_type": None,
    })
    vae = {
        "_class_name": "AutoencoderKL", "_note": note, "in_channels": 3, "out_channels": 3, "latent_channels": 4,
        "sample_size": world["image_size"], "block_out_channels": [16, 32, 64, 64], "act_fn": "silu",
        "scaling_factor": ctx["scaling_factor"],
    }
    _write_json(os.path.join(out, "vae_encoder", "config.json"), vae)
    _write_json(os.path.join(out, "vae_decoder", "config.json"), vae)
    scheduler = {
        "_class_name": scheduler_class, "beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear",
        "num_train_timesteps": 1000, "prediction_type": "epsilon", "steps_offset": 1, "set_alpha_to_one": False,
        "skip_prk_steps": True, "clip_sample": False, "trained_betas": None,
    }
    _write_json(os.path.join(out, "scheduler", "scheduler_config.json"), scheduler)
    _write_json(os.path.join(out, "model_index.json"), {
        "_class_name": "OnnxStableDiffusionPipeline",
        "_sdprompt_demo": {"note": note, "world": "sdprompt_world.json"},
        "feature_extractor": [None, None], "requires_safety_checker": False, "safety_checker": [None, None],
        "scheduler": ["diffusers", scheduler_class], "text_encoder": ["diffusers", "OnnxRuntimeModel"],
        "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "OnnxRuntimeModel"],
        "vae_decoder": ["diffusers", "OnnxRuntimeModel"], "vae_encoder": ["diffusers", "OnnxRuntimeModel"],
    })


TOKENIZER_SAMPLE_TEXTS = [
    "", "   ", "a", "a red circle on a blue background", "two yellow squares on a black background",
    "an orange triangle on a white background", "a green square on an orange background",
    "two purple circles on a yellow background", "a white triangle on a red background",
    "a circle", "red", "two shapes", "A RED Circle On A Blue Background", "a  red\tcircle\n on a blue background ",
    "a red circle, on a blue background!", "(red:1.5) circle", "a [blue] square", "((yellow)) triangles",
    "a red circle on a blue background, masterpiece, best quality", "a zebra", "unknownword",
    "circles squares triangles", "Red-Green", "it's a circle's edge, they're red, we've, I'm, you'll, he'd",
    "123 red circles", "3.14", "café crème", "日本 circle", "emoji 🙂 circle", "<|startoftext|>a red circle",
    "a red circle<|endoftext|>on blue", "backgrounds", "orange orangeorange", "a\u00a0red\u00a0circle",
    " ".join(["red circle"] * 40),
]


def write_tokenizer_samples(ctx):
    tok = clip_tokenizer.ClipTokenizer.from_folder(os.path.join(ctx["out"], "tokenizer"))
    world = ctx["world"]
    texts = list(TOKENIZER_SAMPLE_TEXTS)
    rng = np.random.RandomState(7)
    for _ in range(8):
        texts.append(world_module.caption_for(world, world_module.sample_scene(world, rng)))
    samples = [{"text": t, "content_ids": tok.encode(t), "input_ids": tok(t)} for t in texts]
    _write_json(os.path.join(ctx["fixtures"], "tokenizer-samples.json"), {
        "origin": "tools/demo-model/clip_tokenizer.py (CLIP's BPE algorithm: whitespace runs to one space, trim, "
                  "lowercase, CLIP's split regex, bytes-to-unicode, BPE with </w>, lowest rank first) over "
                  "models/demo/tokenizer; the same code gives CLIP's real ids for 'a photo of a cat'",
        "model": "models/demo/tokenizer", "vocab_size": len(tok.encoder), "bos": tok.bos, "eos": tok.eos,
        "pad": tok.pad, "context_length": 77,
        "about": "content_ids: the text's tokens alone; input_ids: BOS, at most 75 content ids, EOS, padded with pad to 77",
        "samples": samples,
    })


def _rounded(a, digits=6):
    return [round(float(v), digits) for v in np.asarray(a).ravel()]


def reference_inputs():
    """Inputs any test can rebuild without numpy: simple closed forms."""
    i = np.arange(4 * 8 * 8, dtype=np.float64)
    latent = np.sin(i * 0.37) * 1.3
    image = np.full((3, 64, 64), 0.0)
    blue, red = np.array([35, 75, 225]) / 127.5 - 1, np.array([210, 25, 35]) / 127.5 - 1
    image[:] = blue[:, None, None]
    image[:, 16:48, 16:48] = red[:, None, None]
    return latent.reshape(1, 4, 8, 8).astype(np.float32), image[None].astype(np.float32)


def reference_outputs(ctx, sample=None):
    """What the torch modules give for fixed inputs; the ONNX graphs must give the same.
    sample: the UNet's input [1,C,8,8] when it takes more than the latents (written out)."""
    tok, text, unet = ctx["tokenizer"], ctx["text"], ctx["unet"]
    encoder, decoder = ctx["vae"]
    prompt = "a red circle on a blue background"
    ids = tok(prompt)
    latent, image = reference_inputs()
    unet_input = latent if sample is None else sample
    with torch.no_grad():
        hidden, pooled = text(torch.tensor([ids]))
        out = unet(torch.from_numpy(unet_input), torch.tensor([500.0]), hidden)
        params = encoder(torch.from_numpy(image))
        decoded = decoder(torch.from_numpy(latent)).clamp(-1, 1)
    decoded = decoded.numpy()
    unet_section = {"encoder_hidden_states": "text_encoder last_hidden_state of input_ids", "out_sample": _rounded(out[0])}
    if sample is not None:
        unet_section = dict(sample_shape=list(sample.shape), sample=_rounded(sample), **unet_section)
    return {
        "origin": "torch modules of tools/demo-model/train.py before export (torch " + torch.__version__ + ")",
        "inputs": {
            "prompt": prompt, "input_ids": ids,
            "latent": "x[i] = 1.3 * sin(0.37 * i) for i in 0..255, shape [1, 4, 8, 8], row-major",
            "timestep": 500.0,
            "image": "[1, 3, 64, 64]: blue (35, 75, 225) with red (210, 25, 35) at rows and columns 16..47, "
                     "each channel value / 127.5 - 1",
        },
        "text_encoder": {"pooler_output": _rounded(pooled[0]), "last_hidden_state_first_two_tokens": _rounded(hidden[0, :2]),
                         "last_hidden_state_mean": float(hidden.mean()), "last_hidden_state_abs_mean": float(hidden.abs().mean())},
        "unet": unet_section,
        "vae_encoder": {"latent_parameters": _rounded(params[0])},
        "vae_decoder": {"input": "latent", "channel_means": _rounded(decoded[0].mean(axis=(1, 2))),
                        "every_97th": _rounded(decoded.ravel()[::97])},
        "scaling_factor": ctx["scaling_factor"],
        "default_sampler": ctx["evaluation"]["default_sampler"],
    }


def write_reference_outputs(ctx):
    _write_json(ctx["reference_path"], reference_outputs(ctx))
