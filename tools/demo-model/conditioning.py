"""What the image-to-image UNets see besides the latents, built as diffusers builds it, and
the masks the inpainting UNet is trained on.

Inpainting (diffusers' StableDiffusionInpaintPipeline): the mask is binarised (>= 0.5 -> 1,
repaint) and resized to latent size by nearest interpolation (source index floor(i * 8), the
top-left pixel of each 8x8 cell); the masked image is image * (mask < 0.5) in [-1, 1] (masked
pixels 0, mid grey), encoded by the VAE, a posterior sample taken and multiplied by the
scaling factor. UNet input: concat([scaled latents, mask, masked_image_latents]).

Depth (StableDiffusionDepth2ImgPipeline.prepare_depth_map): a depth map (larger = nearer)
resized to latent size by bicubic interpolation (align_corners=False), then per image
2 (d - min) / (max - min) - 1. UNet input: concat([scaled latents, depth]).
"""
import numpy as np
import torch
import torch.nn.functional as F


def binarize(mask):
    return (mask >= 0.5).float()


def latent_mask(mask):
    """[B,1,H,W] pixel mask (1 = repaint) -> [B,1,H/8,W/8], as prepare_mask_latents."""
    h, w = mask.shape[-2:]
    return F.interpolate(binarize(mask), size=(h // 8, w // 8), mode="nearest")


def masked_image(images, mask):
    """images [B,3,H,W] in [-1, 1] with the repainted pixels set to 0."""
    return images * (binarize(mask) < 0.5).float()


def posterior_sample(parameters, noise):
    """A sample of the VAE posterior: parameters = the encoder's latent_parameters (4 means,
    then 4 log-variances), noise standard normal [B,4,h,w]."""
    mean, logvar = parameters.chunk(2, dim=1)
    return mean + torch.exp(0.5 * logvar.clamp(-30, 20)) * noise


def inpaint_conditioning(encoder, scaling_factor, images, mask, noise):
    """The 5 channels after the latents: [latent mask, masked-image latents]."""
    with torch.no_grad():
        parameters = encoder(masked_image(images, mask))
    return torch.cat([latent_mask(mask), posterior_sample(parameters, noise) * scaling_factor], dim=1)


def prepare_depth(depth, h, w):
    """depth [B,H,W] (larger = nearer) -> [B,1,h,w] in [-1, 1], as prepare_depth_map."""
    d = F.interpolate(depth.unsqueeze(1), size=(h, w), mode="bicubic", align_corners=False)
    lo = torch.amin(d, dim=(1, 2, 3), keepdim=True)
    hi = torch.amax(d, dim=(1, 2, 3), keepdim=True)
    return 2.0 * (d - lo) / (hi - lo) - 1.0


# ---------------------------------------------------------------- training masks

# The kinds of mask the inpainting UNet is trained on and how often: the whole image (what
# A1111 sends for plain txt2img on an inpainting model), rectangles, blobs, border strips
# (outpainting), the inverse of a rectangle or blob, and the scene's own shapes grown by 0..4
# pixels, or everything but them (what a user paints to replace an object, or what is
# around it).
MASK_KINDS = {"full": 0.12, "rectangle": 0.2, "blob": 0.16, "strip": 0.24, "inverted": 0.12,
              "object": 0.08, "around_object": 0.08}


def rectangle(h, w, x0, y0, x1, y1):
    m = np.zeros((h, w), dtype=np.float32)
    m[max(0, y0):min(h, y1), max(0, x0):min(w, x1)] = 1
    return m


def random_rectangle(rng, h, w, lo=8, hi=56):
    rw, rh = min(rng.randint(lo, hi + 1), w), min(rng.randint(lo, hi + 1), h)
    x, y = rng.randint(0, w - rw + 1), rng.randint(0, h - rh + 1)
    return rectangle(h, w, x, y, x + rw, y + rh)


def random_blob(rng, h, w):
    """A union of one to three ellipses."""
    yy, xx = np.mgrid[0:h, 0:w] + 0.5
    m = np.zeros((h, w), dtype=np.float32)
    for _ in range(rng.randint(1, 4)):
        cx, cy = rng.uniform(4, w - 4), rng.uniform(4, h - 4)
        rx, ry = rng.uniform(5, 20, size=2)
        m = np.maximum(m, (((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2 <= 1).astype(np.float32))
    return m


def strip(h, w, side, width):
    """The outermost `width` pixels on one side: left, right, top or bottom."""
    return {
        "left": rectangle(h, w, 0, 0, width, h), "right": rectangle(h, w, w - width, 0, w, h),
        "top": rectangle(h, w, 0, 0, w, width), "bottom": rectangle(h, w, 0, h - width, w, h),
    }[side]


SIDES = ("left", "right", "top", "bottom")


def random_strip(rng, h, w):
    """One side, or with probability 0.3 two, each 8..40 pixels wide."""
    m = strip(h, w, SIDES[rng.randint(4)], rng.randint(8, 41))
    if rng.random_sample() < 0.3:
        m = np.maximum(m, strip(h, w, SIDES[rng.randint(4)], rng.randint(8, 41)))
    return m


def grow(mask, pixels):
    """mask (bool) grown by `pixels` in every direction (a square neighbourhood)."""
    h, w = mask.shape
    padded = np.pad(mask, pixels)
    out = np.zeros_like(mask)
    for dy in range(2 * pixels + 1):
        for dx in range(2 * pixels + 1):
            out |= padded[dy:dy + h, dx:dx + w]
    return out


def random_mask(rng, h, w, shape_alpha):
    """(h, w) float32 training mask, 1 = repaint. shape_alpha(): the scene's shape coverage
    (h, w), asked for only by the object masks."""
    kinds = list(MASK_KINDS)
    kind = kinds[np.searchsorted(np.cumsum([MASK_KINDS[k] for k in kinds]), rng.random_sample() * sum(MASK_KINDS.values()))]
    if kind == "full":
        return np.ones((h, w), dtype=np.float32)
    if kind == "rectangle":
        return random_rectangle(rng, h, w)
    if kind == "blob":
        return random_blob(rng, h, w)
    if kind == "strip":
        return random_strip(rng, h, w)
    if kind == "inverted":
        keep = random_rectangle(rng, h, w, 16, 48) if rng.random_sample() < 0.5 else random_blob(rng, h, w)
        return 1 - keep
    shape = grow(shape_alpha() > 0, rng.randint(0, 5)).astype(np.float32)
    return shape if kind == "object" else 1 - shape
