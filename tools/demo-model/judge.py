"""The pixel judge: which background colour and which shape colour does an image show?

Kept deliberately simple so the TypeScript tests can port it line by line (README, "The judge"):
1. classify every pixel as its nearest palette colour (squared RGB distance; ties go to the
   earlier palette entry);
2. background = the most frequent class on the border ring (the outermost `border_width`
   pixels on each side; ties go to the earlier palette entry);
3. shape colour = the most frequent class among pixels whose class is not the background
   (ties to the earlier entry), if it covers at least `min_shape_share` of the image; else none.
"""
import numpy as np

NONE = -1


def classify(image, palette):
    """(H, W) palette indices of an (H, W, 3) uint8 image."""
    pixels = image.astype(np.int64)[:, :, None, :]
    dist = ((pixels - np.asarray(palette, dtype=np.int64)[None, None]) ** 2).sum(-1)
    return dist.argmin(-1)


def border_ring(classes, width):
    h, w = classes.shape
    mask = np.zeros((h, w), dtype=bool)
    mask[:width, :] = mask[-width:, :] = mask[:, :width] = mask[:, -width:] = True
    return classes[mask]


def judge(image, world):
    """{background, shape_color (NONE if too small), shape_share, shares} for one image."""
    palette = [c["rgb"] for c in world["palette"]]
    rules = world["judge"]
    classes = classify(image, palette)
    n = len(palette)
    background = int(np.bincount(border_ring(classes, rules["border_width"]), minlength=n).argmax())
    counts = np.bincount(classes.ravel(), minlength=n)
    shares = counts / classes.size
    others = counts.copy()
    others[background] = 0
    shape = int(others.argmax())
    share = float(shares[shape])
    if share < rules["min_shape_share"]:
        shape = NONE
    return {"background": background, "shape_color": shape, "shape_share": share, "shares": shares, "classes": classes}


def shape_kind(classes, color):
    """Informational only: circle / square / triangle from how much of its bounding box the
    shape colour fills (pi/4, 1 and 1/2 for one shape)."""
    ys, xs = np.nonzero(classes == color)
    if len(ys) == 0:
        return None
    box = (ys.max() - ys.min() + 1) * (xs.max() - xs.min() + 1)
    fill = len(ys) / box
    if fill > 0.9:
        return "square"
    if fill > 0.64:
        return "circle"
    return "triangle"


def to_uint8(sample):
    """A decoder output [3, H, W] in [-1, 1] as an (H, W, 3) uint8 image, as diffusers does."""
    image = np.clip(np.asarray(sample, dtype=np.float64) / 2 + 0.5, 0, 1).transpose(1, 2, 0)
    return (image * 255).round().astype(np.uint8)
