"""The demo world: scenes of one or two flat shapes on a flat background, with captions.

Everything is read from world.json (palette, shapes, sizes, caption grammar), which is
shipped inside the model folder as sdprompt_world.json so the TypeScript tests build their
prompts and judge their images from the same facts.
"""
import json
import os

import numpy as np

WORLD_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "world.json")

# Shapes are rendered at this many samples per pixel side, then averaged: soft edges keep
# the VAE from spending capacity on aliasing.
SUPERSAMPLE = 4


def load_world(path=WORLD_PATH):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def article(word):
    return "an" if word[0] in "aeiou" else "a"


def caption_for(world, scene, show_color=True, show_background=True, show_shape=True):
    """The English caption of a scene, leaving out the parts the flags turn off."""
    grammar = world["caption"]
    shape = world["shapes"][scene["shape"]]
    color = world["palette"][scene["color"]]["name"]
    background = world["palette"][scene["background"]]["name"]
    noun = shape["name"] if show_shape else grammar["no_shape_word"]
    nouns = shape["plural"] if show_shape else grammar["no_shape_plural"]
    if scene["count"] == 1:
        if show_color:
            subject = grammar["one"].format(article=article(color), color=color, shape=noun)
        else:
            subject = grammar["no_color"]["one"].format(article=article(noun), shape=noun)
    else:
        if show_color:
            subject = grammar["two"].format(color=color, shapes=nouns)
        else:
            subject = grammar["no_color"]["two"].format(shapes=nouns)
    if not show_background:
        return subject
    phrase = grammar["background"].format(article=article(background), background=background)
    return grammar["sentence"].format(subject=subject, background_phrase=phrase)


def training_caption(world, scene, rng):
    """A caption drawn with world.json's training probabilities (rng: numpy RandomState).

    Like web captions, some are wrong: the shape colour or the background colour named may
    be another palette colour. So the text alone does not settle the image, the model learns
    to weigh the text against what the image already shows, and classifier-free guidance
    has something to correct."""
    p = world["training_captions"]
    u = rng.random_sample(7)
    picks = rng.randint(0, 1 << 30, size=2)
    named = dict(scene)
    n = len(world["palette"])
    if u[5] < p["wrong_color"]:
        others = [c for c in range(n) if c not in (scene["color"], scene["background"])]
        named["color"] = others[picks[0] % len(others)]
    if u[6] < p["wrong_background"]:
        others = [c for c in range(n) if c not in (scene["background"], named["color"])]
        named["background"] = others[picks[1] % len(others)]
    if u[0] < p["empty"]:
        return ""
    if u[1] < p["bare_color"]:
        return world["palette"][named["color"]]["name"]
    return caption_for(
        world,
        named,
        show_color=u[2] >= p["drop_color"],
        show_background=u[3] >= p["drop_background"],
        show_shape=u[4] >= p["drop_shape"],
    )


def sample_scene(world, rng):
    """Draw a scene description: shape, colour, background, count and placements."""
    n_colors = len(world["palette"])
    color = int(rng.randint(n_colors))
    background = int(rng.randint(n_colors - 1))
    if background >= color:
        background += 1
    shape = int(rng.randint(len(world["shapes"])))
    count = world["counts"][int(rng.randint(len(world["counts"])))]["count"]
    sizes = world["sizes"]
    lo, hi = sizes["one"] if count == 1 else sizes["two"]
    margin, gap, n = sizes["margin"], sizes["gap"], world["image_size"]
    boxes = []
    attempts = 0
    while len(boxes) < count:
        attempts += 1
        if attempts > 20:
            # The first box left no room for the second: start the placement over.
            boxes, attempts = [], 0
        s = int(rng.randint(lo, hi + 1))
        x = int(rng.randint(margin, n - margin - s + 1))
        y = int(rng.randint(margin, n - margin - s + 1))
        clear = all(
            x + s + gap <= bx or bx + bs + gap <= x or y + s + gap <= by or by + bs + gap <= y
            for bx, by, bs in boxes
        )
        if clear:
            boxes.append((x, y, s))
    return {"shape": shape, "color": color, "background": background, "count": count, "boxes": boxes}


def _coverage(shape_name, x, y, s, n):
    """Fraction of each pixel of an n x n image covered by the shape in box (x, y, s)."""
    k = SUPERSAMPLE
    x0, x1 = max(0, x - 1), min(n, x + s + 1)
    y0, y1 = max(0, y - 1), min(n, y + s + 1)
    cy = y0 + (np.arange((y1 - y0) * k) + 0.5) / k
    cx = x0 + (np.arange((x1 - x0) * k) + 0.5) / k
    py, px = np.meshgrid(cy, cx, indexing="ij")
    if shape_name == "circle":
        r = s / 2
        inside = (px - x - r) ** 2 + (py - y - r) ** 2 <= r * r
    elif shape_name == "square":
        inside = (px >= x) & (px <= x + s) & (py >= y) & (py <= y + s)
    elif shape_name == "triangle":
        # Upright isosceles: apex at the top centre, base along the bottom of the box.
        depth = (py - y) / s
        inside = (depth >= 0) & (depth <= 1) & (np.abs(px - x - s / 2) <= depth * s / 2)
    else:
        raise ValueError(shape_name)
    cover = np.zeros((n, n))
    cover[y0:y1, x0:x1] = inside.reshape(y1 - y0, k, x1 - x0, k).mean(axis=(1, 3))
    return cover


def shape_alpha(world, scene):
    """(n, n) float: how much of each pixel the scene's shapes cover (0 = background)."""
    n = world["image_size"]
    alpha = np.zeros((n, n))
    for x, y, s in scene["boxes"]:
        alpha = np.maximum(alpha, _coverage(world["shapes"][scene["shape"]]["name"], x, y, s, n))
    return alpha


def depth_map(world, scene):
    """(n, n) float32 depth of the scene as depth maps show it, larger = nearer: the
    shapes stand at world.json's depth.near, the background at depth.far."""
    d = world["depth"]
    return (d["far"] + (d["near"] - d["far"]) * shape_alpha(world, scene)).astype(np.float32)


def render(world, scene):
    """The scene as an (n, n, 3) uint8 RGB image."""
    palette = np.array([c["rgb"] for c in world["palette"]], dtype=np.float64)
    a = shape_alpha(world, scene)[..., None]
    image = a * palette[scene["color"]] + (1 - a) * palette[scene["background"]]
    return np.round(image).astype(np.uint8)


def make_dataset(world, count, seed):
    """count scenes and their images, deterministic from seed."""
    rng = np.random.RandomState(seed)
    scenes = [sample_scene(world, rng) for _ in range(count)]
    images = np.stack([render(world, s) for s in scenes])
    return scenes, images


def all_caption_words(world):
    """Every word the caption grammar can produce, with a rough frequency for BPE learning."""
    rng = np.random.RandomState(0)
    counts = {}
    for _ in range(4000):
        scene = sample_scene(world, rng)
        for flags in [(True, True, True), (False, True, True), (True, False, True), (True, True, False)]:
            for word in caption_for(world, scene, *flags).split():
                counts[word] = counts.get(word, 0) + 1
    for c in world["palette"]:
        counts[c["name"]] = counts.get(c["name"], 0) + 1
    return counts
