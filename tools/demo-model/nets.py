"""The networks of the demo model: Stable Diffusion's architecture in miniature.

Attention is written out by hand (no nn.MultiheadAttention / nn.TransformerEncoderLayer):
PyTorch 1.13's fused transformer path has no ONNX export. Shapes are taken from tensors at
run time so the exported graphs keep batch and spatial sizes dynamic.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def attention(q, k, v, heads, mask=None):
    """Scaled dot-product attention over [batch, tokens, channels] with `heads` heads."""
    b, n, c = q.shape
    m = k.shape[1]
    d = c // heads
    q = q.reshape(b, n, heads, d).transpose(1, 2)
    k = k.reshape(b, m, heads, d).transpose(1, 2)
    v = v.reshape(b, m, heads, d).transpose(1, 2)
    w = torch.matmul(q, k.transpose(2, 3)) * (1.0 / math.sqrt(d))
    if mask is not None:
        w = w + mask
    w = torch.softmax(w, dim=-1)
    return torch.matmul(w, v).transpose(1, 2).reshape(b, n, c)


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


# ---------------------------------------------------------------- text encoder (CLIP-style)


class ClipLayer(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.layer_norm1 = nn.LayerNorm(dim)
        self.q_proj = nn.Linear(dim, dim)
        self.k_proj = nn.Linear(dim, dim)
        self.v_proj = nn.Linear(dim, dim)
        self.out_proj = nn.Linear(dim, dim)
        self.layer_norm2 = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, 4 * dim)
        self.act = QuickGELU()
        self.fc2 = nn.Linear(4 * dim, dim)

    def forward(self, x, mask):
        h = self.layer_norm1(x)
        x = x + self.out_proj(attention(self.q_proj(h), self.k_proj(h), self.v_proj(h), self.heads, mask))
        return x + self.fc2(self.act(self.fc1(self.layer_norm2(x))))


class ClipTextEncoder(nn.Module):
    """Token + position embeddings, pre-LN layers with causal attention, a final LN.
    Returns (last_hidden_state, pooler_output = the state at the first EOS, i.e. the
    argmax of the ids, since EOS is the highest id)."""

    def __init__(self, vocab_size, dim, layers, heads, max_positions=77):
        super().__init__()
        self.config = dict(vocab_size=vocab_size, hidden_size=dim, num_hidden_layers=layers,
                           num_attention_heads=heads, intermediate_size=4 * dim,
                           max_position_embeddings=max_positions)
        self.token_embedding = nn.Embedding(vocab_size, dim)
        self.position_embedding = nn.Embedding(max_positions, dim)
        self.layers = nn.ModuleList([ClipLayer(dim, heads) for _ in range(layers)])
        self.final_layer_norm = nn.LayerNorm(dim)
        # A1111's emphasis scales token states, then rescales all states to their old mean;
        # around a mean of zero that ratio is noise. A fixed bias of 1 keeps the mean near 1.
        nn.init.ones_(self.final_layer_norm.bias)
        self.final_layer_norm.bias.requires_grad_(False)
        self.register_buffer("position_ids", torch.arange(max_positions).unsqueeze(0), persistent=False)
        causal = torch.full((max_positions, max_positions), float("-inf")).triu(1)
        self.register_buffer("causal_mask", causal, persistent=False)
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.normal_(p, std=0.02)

    def forward(self, input_ids):
        x = self.token_embedding(input_ids) + self.position_embedding(self.position_ids)
        for layer in self.layers:
            x = layer(x, self.causal_mask)
        x = self.final_layer_norm(x)
        eos = input_ids.argmax(dim=-1)
        pooled = x[torch.arange(x.shape[0]), eos]
        return x, pooled


# ---------------------------------------------------------------- UNet


def timestep_embedding(t, dim):
    """diffusers' Timesteps(dim, flip_sin_to_cos=True, downscale_freq_shift=0)."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    args = t.float()[:, None] * freqs[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


def norm(channels):
    return nn.GroupNorm(min(32, channels // 4), channels)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, tdim=None):
        super().__init__()
        self.norm1 = norm(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_proj = nn.Linear(tdim, cout) if tdim else None
        self.norm2 = norm(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, temb=None):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.time_proj is not None:
            h = h + self.time_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


class SpatialTransformer(nn.Module):
    """SD's transformer block: self-attention, cross-attention on the text states, MLP."""

    def __init__(self, channels, context_dim, heads):
        super().__init__()
        self.heads = heads
        self.norm = norm(channels)
        self.proj_in = nn.Conv2d(channels, channels, 1)
        self.ln1 = nn.LayerNorm(channels)
        self.self_qkv = nn.Linear(channels, 3 * channels, bias=False)
        self.self_out = nn.Linear(channels, channels)
        self.ln2 = nn.LayerNorm(channels)
        self.cross_q = nn.Linear(channels, channels, bias=False)
        self.cross_k = nn.Linear(context_dim, channels, bias=False)
        self.cross_v = nn.Linear(context_dim, channels, bias=False)
        self.cross_out = nn.Linear(channels, channels)
        self.ln3 = nn.LayerNorm(channels)
        self.ff1 = nn.Linear(channels, 4 * channels)
        self.ff2 = nn.Linear(4 * channels, channels)
        self.proj_out = nn.Conv2d(channels, channels, 1)

    def forward(self, x, context):
        h = self.proj_in(self.norm(x))
        h = h.flatten(2).transpose(1, 2)
        q, k, v = self.self_qkv(self.ln1(h)).chunk(3, dim=-1)
        h = h + self.self_out(attention(q, k, v, self.heads))
        c = self.ln2(h)
        h = h + self.cross_out(attention(self.cross_q(c), self.cross_k(context), self.cross_v(context), self.heads))
        h = h + self.ff2(F.gelu(self.ff1(self.ln3(h))))
        h = h.transpose(1, 2).reshape(x.shape)
        return x + self.proj_out(h)


class UNet(nn.Module):
    """Two resolutions (h and h/2) with cross-attention at each, a middle block, skips."""

    def __init__(self, context_dim, c1=64, c2=96, heads=4, in_channels=4, out_channels=4):
        super().__init__()
        self.config = dict(in_channels=in_channels, out_channels=out_channels,
                           block_out_channels=[c1, c2], cross_attention_dim=context_dim,
                           attention_head_dim=heads)
        self.time_channels = c1
        tdim = 2 * c1
        self.time_mlp = nn.Sequential(nn.Linear(c1, tdim), nn.SiLU(), nn.Linear(tdim, tdim))
        self.conv_in = nn.Conv2d(in_channels, c1, 3, padding=1)
        self.down1_res = ResBlock(c1, c1, tdim)
        self.down1_attn = SpatialTransformer(c1, context_dim, heads)
        self.downsample = nn.Conv2d(c1, c1, 3, stride=2, padding=1)
        self.down2_res = ResBlock(c1, c2, tdim)
        self.down2_attn = SpatialTransformer(c2, context_dim, heads)
        self.mid_res = ResBlock(c2, c2, tdim)
        self.up2_res = ResBlock(2 * c2, c2, tdim)
        self.up2_attn = SpatialTransformer(c2, context_dim, heads)
        self.upsample = nn.Conv2d(c2, c2, 3, padding=1)
        self.up1_res = ResBlock(c2 + c1, c1, tdim)
        self.up1_attn = SpatialTransformer(c1, context_dim, heads)
        self.out_norm = norm(c1)
        self.conv_out = nn.Conv2d(c1, out_channels, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)

    def forward(self, sample, timestep, context):
        temb = self.time_mlp(timestep_embedding(timestep, self.time_channels))
        h = self.conv_in(sample)
        s1 = self.down1_attn(self.down1_res(h, temb), context)
        h = self.downsample(s1)
        s2 = self.down2_attn(self.down2_res(h, temb), context)
        h = self.mid_res(s2, temb)
        h = self.up2_attn(self.up2_res(torch.cat([h, s2], dim=1), temb), context)
        h = self.upsample(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        h = self.up1_attn(self.up1_res(torch.cat([h, s1], dim=1), temb), context)
        return self.conv_out(F.silu(self.out_norm(h)))


def widen_unet(unet, in_channels):
    """A copy of unet taking in_channels inputs: the first channels' weights its own, the new
    ones zero, so it starts out computing exactly what unet computes (diffusers' way to make
    an inpainting or depth UNet from a text-to-image one)."""
    c = unet.config
    wide = UNet(c["cross_attention_dim"], *c["block_out_channels"], c["attention_head_dim"], in_channels, c["out_channels"])
    state = dict(unet.state_dict())
    old = state["conv_in.weight"]
    weight = torch.zeros(old.shape[0], in_channels, *old.shape[2:])
    weight[:, :old.shape[1]] = old
    state["conv_in.weight"] = weight
    wide.load_state_dict(state)
    return wide


# ---------------------------------------------------------------- VAE (f = 8, 4 latent channels)


class VaeEncoder(nn.Module):
    """[B,3,H,W] in [-1,1] -> [B,8,H/8,W/8]: 4 means then 4 log-variances."""

    def __init__(self, latent_channels=4):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.SiLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.SiLU(),
            nn.Conv2d(32, 64, 3, stride=2, padding=1),
            ResBlock(64, 64),
            nn.Conv2d(64, 64, 3, stride=2, padding=1),
            ResBlock(64, 64),
            norm(64), nn.SiLU(),
            nn.Conv2d(64, 2 * latent_channels, 3, padding=1),
        )

    def forward(self, x):
        return self.net(x)


class VaeDecoder(nn.Module):
    """[B,4,h,w] -> [B,3,8h,8w], roughly in [-1,1] (the export clamps)."""

    def __init__(self, latent_channels=4):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(latent_channels, 64, 3, padding=1),
            ResBlock(64, 64),
            nn.Upsample(scale_factor=2.0, mode="nearest"),
            nn.Conv2d(64, 64, 3, padding=1),
            ResBlock(64, 64),
            nn.Upsample(scale_factor=2.0, mode="nearest"),
            nn.Conv2d(64, 32, 3, padding=1), nn.SiLU(),
            nn.Upsample(scale_factor=2.0, mode="nearest"),
            nn.Conv2d(32, 16, 3, padding=1),
            norm(16), nn.SiLU(),
            nn.Conv2d(16, 3, 3, padding=1),
        )

    def forward(self, z):
        return self.net(z)


# ---------------------------------------------------------------- depth estimator (DPT's interface)


class DepthEstimator(nn.Module):
    """pixel_values [B,3,H,W] (DPT's preprocessing: [-1, 1]) -> predicted_depth [B,H,W],
    larger = nearer. H and W multiples of 8. A small encoder-decoder with skips; the pooled
    features of the whole image are added at the bottom, because telling background from
    shape needs the whole picture (the background is the colour around everything)."""

    def __init__(self, c=(16, 24, 32, 48)):
        super().__init__()
        c0, c1, c2, c3 = c
        self.config = dict(channels=list(c))
        self.stem = nn.Sequential(nn.Conv2d(3, c0, 3, padding=1), nn.SiLU())
        self.down1 = nn.Sequential(nn.Conv2d(c0, c1, 3, stride=2, padding=1), nn.SiLU())
        self.down2 = nn.Sequential(nn.Conv2d(c1, c2, 3, stride=2, padding=1), nn.SiLU())
        self.down3 = nn.Sequential(nn.Conv2d(c2, c3, 3, stride=2, padding=1), nn.SiLU())
        self.mid = ResBlock(c3, c3)
        self.pooled = nn.Linear(c3, c3)
        self.up3 = nn.Sequential(nn.Conv2d(c3 + c2, c2, 3, padding=1), nn.SiLU())
        self.up2 = nn.Sequential(nn.Conv2d(c2 + c1, c1, 3, padding=1), nn.SiLU())
        self.up1 = nn.Sequential(nn.Conv2d(c1 + c0, c0, 3, padding=1), nn.SiLU())
        self.head = nn.Conv2d(c0, 1, 3, padding=1)

    def forward(self, pixel_values):
        s0 = self.stem(pixel_values)
        s1 = self.down1(s0)
        s2 = self.down2(s1)
        h = self.down3(s2)
        h = h + self.pooled(h.mean(dim=(2, 3)))[:, :, None, None]
        h = self.mid(h)
        up = lambda x: F.interpolate(x, scale_factor=2.0, mode="nearest")  # noqa: E731
        h = self.up3(torch.cat([up(h), s2], dim=1))
        h = self.up2(torch.cat([up(h), s1], dim=1))
        h = self.up1(torch.cat([up(h), s0], dim=1))
        return self.head(h)[:, 0]


def parameter_count(module):
    return sum(p.numel() for p in module.parameters())
