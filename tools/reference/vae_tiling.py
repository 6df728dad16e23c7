#!/usr/bin/python3
"""diffusers' tiled VAE decode on a test model's decoder, for src/core/pipelines/decode.ts.

Usage:
    /usr/bin/python3 tools/reference/vae_tiling.py DIFFUSERS_CHECKOUT MODEL_DIR > test/fixtures/pipelines/vae-tiling.json

DIFFUSERS_CHECKOUT as for diffusers_pipelines.py (v0.31.0 for the committed fixture; its
AutoencoderKL.tiled_decode, blend_v and blend_h are those of v0.40.0 line for line). MODEL_DIR is
the generated test model `tiling` (`node out/tools/test-models/generate.js DIR tiling`), whose
decoder's pixels depend on the mean of all the latents it is given, so that a tile decodes
differently from the whole and the blending shows.

diffusers' own code: AutoencoderKL (built with a 32-pixel sample size, so 4-latent tiles: small
numbers), enable_tiling() and decode(), which cuts the latents into overlapping tiles, decodes
each, blends each into the tile above and the one to its left over a quarter tile, and joins
them. What stands in: the module's decoder is replaced by one that runs the model's own
vae_decoder/model.onnx (onnx_torch.py; the ONNX decoder includes the post-quant convolution,
so post_quant_conv is the identity). The latents are torch.randn of seed 0.
"""
import base64
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import schedulers  # noqa: E402
from onnx_torch import OnnxGraph  # noqa: E402

TILE = 32
SHAPE = (1, 4, 6, 10)


class DecoderStandIn(torch.nn.Module):
    def __init__(self, file):
        super().__init__()
        self.graph = OnnxGraph(file)

    def forward(self, z, latent_embeds=None):
        return self.graph.run({"latent_sample": z})["sample"]


def main():
    diffusers = schedulers.import_diffusers(sys.argv[1])
    vae = diffusers.AutoencoderKL(
        sample_size=TILE,
        block_out_channels=(32, 32, 32, 32),
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
        latent_channels=4,
        norm_num_groups=32,
    )
    vae.decoder = DecoderStandIn(os.path.join(sys.argv[2], "vae_decoder", "model.onnx"))
    vae.post_quant_conv = torch.nn.Identity()
    vae.enable_tiling()
    latents = torch.randn(SHAPE, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        image = vae.decode(latents).sample
        whole = vae.decoder(latents)
    data = image.numpy().astype("<f4")
    json.dump(
        {
            "generator": "tools/reference/vae_tiling.py",
            "diffusers": diffusers.__version__,
            "tileSize": TILE,
            "latents": [float(v) for v in latents.flatten()],
            "shape": list(image.shape),
            "image": base64.b64encode(data.tobytes()).decode("ascii"),
            "largestDifferenceFromUntiled": float((image - whole).abs().max()),
        },
        sys.stdout,
        indent=1,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
