"""Read the shipped demo model (models/demo) back into the torch modules of nets.py.

The image-to-image models are fine-tuned from the demo UNet and reuse its text encoder and
VAE frozen, so their starting point is the committed ONNX files, not a checkpoint that only
existed on the machine that trained them. torch.onnx.export keeps most parameters under
their own names; the rest it stores constant-folded under generated names (Linear weights
transposed for MatMul, GroupNorm's affine reshaped to [C, 1, 1]). Exporting a module of the
same code with distinct random values the same way shows which parameter each generated
name holds; the shipped file's initializer of that name is then read back in that layout.
"""
import json
import os
import tempfile

import numpy as np
import onnx
import onnx.numpy_helper
import torch

import clip_tokenizer
import export
import nets


def _initializers(path):
    return {i.name: onnx.numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}


def _load_from_onnx(module, exporter, path):
    """Fill module's parameters from the ONNX file at path, written by exporter(module, path)."""
    shipped = _initializers(path)
    params = dict(module.named_parameters())
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in params.values():
            p.copy_(torch.randn(p.shape, generator=gen))
    with tempfile.TemporaryDirectory() as tmp:
        probe = os.path.join(tmp, "probe.onnx")
        exporter(module, probe)
        probed = _initializers(probe)
    state = {}
    for name, value in probed.items():
        key = name.split(".", 1)[-1]  # the graph wrapper's attribute comes first
        if key in params:
            state[key] = torch.from_numpy(shipped[name].copy())
            continue
        for pname, p in params.items():
            if pname in state:
                continue
            a = p.detach().numpy()
            if value.shape == a.T.shape and a.ndim == 2 and np.array_equal(value, a.T):
                state[pname] = torch.from_numpy(shipped[name].T.copy())
                break
            if value.size == a.size and np.array_equal(value.reshape(-1), a.reshape(-1)):
                state[pname] = torch.from_numpy(shipped[name].reshape(a.shape).copy())
                break
    missing = sorted(set(params) - set(state))
    if missing:
        raise SystemExit(f"{path}: parameters not found in the graph: {missing}")
    module.load_state_dict(state, strict=False)
    module.eval()
    return module


def load_demo(folder):
    """{tokenizer, text, unet, vae: (encoder, decoder), scaling_factor} of a demo model folder."""
    with open(os.path.join(folder, "text_encoder", "config.json")) as f:
        tc = json.load(f)
    with open(os.path.join(folder, "unet", "config.json")) as f:
        uc = json.load(f)
    with open(os.path.join(folder, "vae_decoder", "config.json")) as f:
        vc = json.load(f)
    tokenizer = clip_tokenizer.ClipTokenizer.from_folder(os.path.join(folder, "tokenizer"))
    dim = tc["hidden_size"]
    text = nets.ClipTextEncoder(tc["vocab_size"], dim, tc["num_hidden_layers"], tc["num_attention_heads"])
    c1, c2 = uc["block_out_channels"]
    unet = nets.UNet(uc["cross_attention_dim"], c1, c2, uc["attention_head_dim"], uc["in_channels"], uc["out_channels"])
    encoder, decoder = nets.VaeEncoder(), nets.VaeDecoder()
    sub = lambda name: os.path.join(folder, name, "model.onnx")  # noqa: E731
    _load_from_onnx(text, lambda m, p: export.export_text_encoder(m, tokenizer, p), sub("text_encoder"))
    _load_from_onnx(unet, lambda m, p: export.export_unet(m, dim, p), sub("unet"))
    _load_from_onnx(encoder, export.export_vae_encoder, sub("vae_encoder"))
    _load_from_onnx(decoder, export.export_vae_decoder, sub("vae_decoder"))
    for p in list(text.parameters()) + list(unet.parameters()) + list(encoder.parameters()) + list(decoder.parameters()):
        p.requires_grad_(False)
    return dict(tokenizer=tokenizer, text=text, unet=unet, vae=(encoder, decoder), scaling_factor=vc["scaling_factor"])
