#!/usr/bin/python3
"""The order in which A1111 writes its parameters text's keys, read from A1111's own source.

Usage:
    /usr/bin/python3 tools/reference/a1111_infotext_order.py A1111_CHECKOUT [--label TEXT] > test/fixtures/parameters/a1111-infotext-order.json

A1111_CHECKOUT is a checkout of github.com/AUTOMATIC1111/stable-diffusion-webui (the folder
holding `modules/`); the committed fixture used v1.10.1, recorded with --label.

`create_infotext` (modules/processing.py) builds a dict literal, `generation_params`, and writes
its keys in that order (Python dicts keep insertion order), with `**p.extra_generation_params`
spliced in where it stands; a key that is in both keeps its first place. The keys image-to-image
adds to `extra_generation_params` are added in the order `StableDiffusionProcessingImg2Img.init`
assigns them. Running create_infotext would need the whole web UI (a model, devices, options), so
this script parses the module with Python's `ast` and reads the keys from the code instead:
nothing of A1111 is run or copied, only its key names recorded.

Recorded: `generation_params`, the dict's keys with "**extra_generation_params" where the splice
is; `img2img_extra`, the keys img2img's `init` assigns to extra_generation_params, in source order,
each once.
"""
import argparse
import ast
import json
import os
import sys


def function(tree, name, cls=None):
    scope = tree
    if cls is not None:
        scope = next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == cls)
    return next(n for n in ast.walk(scope) if isinstance(n, ast.FunctionDef) and n.name == name)


def generation_params_keys(create_infotext):
    for node in ast.walk(create_infotext):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "generation_params" for t in node.targets):
            if isinstance(node.value, ast.Dict):
                return ["**" + ast.unparse(v).split(".")[-1] if k is None else k.value for k, v in zip(node.value.keys, node.value.values)]
    raise SystemExit("create_infotext has no generation_params dict literal")


def extra_keys(init):
    """Keys assigned as self.extra_generation_params["Key"] = …, in source (line) order, each once."""
    found = []
    for node in ast.walk(init):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Attribute)
                    and target.value.attr == "extra_generation_params"
                    and isinstance(target.slice, ast.Constant)
                ):
                    found.append((target.lineno, target.slice.value))
    ordered = []
    for _, key in sorted(found):
        if key not in ordered:
            ordered.append(key)
    return ordered


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("checkout")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    with open(os.path.join(args.checkout, "modules", "processing.py"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    out = {
        "origin": "A1111 stable-diffusion-webui %s: modules/processing.py create_infotext and "
        "StableDiffusionProcessingImg2Img.init, key names read by tools/reference/a1111_infotext_order.py" % args.label,
        "generation_params": generation_params_keys(function(tree, "create_infotext")),
        "img2img_extra": extra_keys(function(tree, "init", cls="StableDiffusionProcessingImg2Img")),
    }
    sys.stdout.write(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
