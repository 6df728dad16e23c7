#!/usr/bin/python3
"""Reference values for src/core/parameters/a1111-text.ts, computed by A1111's own code.

Usage:
    /usr/bin/python3 tools/reference/a1111_infotext.py A1111_CHECKOUT [--label TEXT] > test/fixtures/parameters/a1111-infotext.json

A1111_CHECKOUT is a checkout of github.com/AUTOMATIC1111/stable-diffusion-webui (the folder
holding `modules/`); the committed fixture used v1.10.1 (commit 82a973c0), recorded with --label.
Python is Debian's /usr/bin/python3 with python3-torch, python3-pil, python3-packaging and
python3-lark (which modules/prompt_parser.py imports).

What runs is A1111's modules/infotext_utils.py (`parse_generation_parameters`, `quote`), with
the real modules/infotext_versions.py and modules/prompt_parser.py. infotext_utils also imports
gradio and the web UI's modules (paths, shared, ui_tempdir, script_callbacks, processing, images,
errors), which pull in everything else; the stand-ins below are empty modules with only the names
its import and these two functions read: gradio's `update()` (called once at import), the
options parse_generation_parameters consults (with A1111's defaults: skip no fields, styles
"Apply if any" but no styles defined, auto backcompat on, old hires fix off) and an empty prompt
styles list. Nothing of A1111 is copied.

Recorded per text: A1111's prompt, negative prompt and every other field it returns except those
it fills in by default for a text that lacks them (`defaults`, found by parsing a text with none
of them); values as A1111 gives them (strings, `Size` split into `Size-1` and `Size-2`).
`WRITTEN` are texts tools/../src/core/outputs/metadata.ts writes (the test checks that it still
writes exactly these); `CASES` are edge cases of A1111's format.
"""
import argparse
import contextlib
import json
import re
import sys
import types

from a1111_checkout import import_from_checkout, stub

WRITTEN = [
    "a red circle\nSteps: 20, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7, Seed: 1, Size: 512x512, Model hash: 0123456789, Model: \"sd-v1-5, \\\"onnx\\\": fp16\", RNG: numpy, Version: sdprompt 0.1.0",
    "a (red:1.2) circle, \"quoted\", on: blue\nsecond line\nNegative prompt: blurry, low quality\nugly\nSteps: 30, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7.5, Seed: 4294967295, Size: 768x512, Model hash: 0123456789, Model: \"sd-v1-5, \\\"onnx\\\": fp16\", RNG: CPU, Version: sdprompt 0.1.0",
    "spaced prompt  \nNegative prompt: Negative prompt: nested\nSteps: 1, Sampler: DDIM, Schedule type: Automatic, CFG scale: 0, Seed: 0, Size: 64x64, Model hash: 0123456789, Model: \"sd-v1-5, \\\"onnx\\\": fp16\", RNG: NV, Version: sdprompt 0.1.0",
]

CASES = [
    # A typical A1111 1.10 text, with a variation seed and hires fix.
    "masterpiece, (best quality:1.2), a cat\nNegative prompt: lowres, bad anatomy\nSteps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 1234567890, Size: 512x768, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Variation seed: 42, Variation seed strength: 0.3, Denoising strength: 0.7, Hires upscale: 2, Hires upscaler: Latent, Version: v1.10.1",
    # Quoted values: commas, colons, escaped quotes, \n and unicode escapes inside JSON strings.
    'a\nSteps: 20, Sampler: Euler, CFG scale: 7, Lora hashes: "add_detail: 7c6bad76eb54, more: 1a2b", TI: "say \\"hi\\", ok", Multi: "line1\\nline2", Uni: "caf\\u00e9: ok"',
    # Python's \\w is Unicode-aware: non-ASCII keys; a value that is only a quote; a bad JSON string.
    "a\nSteps: 20, Échelle: 1,5, CFG scale: 7, Seed: 1, Q: \", Broken: \"a\\x\", Size: 64x32",
    # Empty values are skipped (A1111 fails on v[0] and moves on), but still count toward the three.
    "prompt\nSteps: , Sampler: Euler, CFG scale: 7",
    # Fewer than three fields: the whole text is the prompt.
    "just a prompt\nwith: a colon, and: another",
    # Only the parameters line; no prompt.
    "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 5, Size: 512x512",
    # Negative prompt on the first line, blank lines and spaces around lines, a repeated key.
    "  \n Negative prompt:   neg one  \n\n  neg two\nSteps: 20, Seed: 1, Seed: 2, CFG scale: 7, Size: 512x512",
    # A size-like value in another key; keys with '-' and '/'; a key with spaces before the colon.
    "p\nSteps: 20, Hires resize: 1024x1536, ADetailer model/x: face_yolov8n.pt, my-key: v, CFG scale: 7",
    # Old combined sampler names and an ENSD, as older A1111 and NovelAI-style texts write them.
    "girl\nNegative prompt: nsfw\nSteps: 28, Sampler: Euler a, CFG scale: 11, Seed: 3, Size: 512x768, Clip skip: 2, ENSD: 31337",
    "p\nSteps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1, Size: 512x512, RNG: CPU",
]

QUOTE = ["plain", "a, b", "a: b", "line\nbreak", 'has "quotes"', '"already quoted"', "café, ümlaut", "tab\there, x", "back\\slash: x", "", "7", "\u0001, ctl"]


def import_infotext_utils(checkout):
    stub("gradio", update=lambda **kwargs: dict(kwargs, __type__="update"), components=types.SimpleNamespace(Component=object))
    opts = types.SimpleNamespace(
        infotext_skip_pasting=[], infotext_styles="Apply if any", auto_backcompat=True, use_old_hires_fix_width_height=False
    )
    styles = types.SimpleNamespace(extract_styles_from_prompt=lambda prompt, negative: ([], prompt, negative))
    stand_ins = {
        "paths": dict(data_path=checkout),
        "shared": dict(opts=opts, prompt_styles=styles),
        "ui_tempdir": {},
        "script_callbacks": {},
        "processing": {},
        "images": {},
        "errors": dict(report=lambda *a, **k: None),
    }
    (infotext_utils,) = import_from_checkout(checkout, stand_ins, "infotext_utils")
    return infotext_utils


def plain(value):
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("checkout")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    infotext_utils = import_infotext_utils(args.checkout)

    baseline_keys = {"Steps", "Seed", "CFG scale", "Prompt", "Negative prompt"}
    baseline = infotext_utils.parse_generation_parameters("x\nSteps: 1, Seed: 1, CFG scale: 1")
    defaults = {k: plain(v) for k, v in baseline.items() if k not in baseline_keys}

    def parsed(text):
        with contextlib.redirect_stdout(sys.stderr):  # A1111 prints a line for each field it cannot read
            res = infotext_utils.parse_generation_parameters(text)
        fields = {k: plain(v) for k, v in res.items() if k not in ("Prompt", "Negative prompt") and not (k in defaults and plain(v) == defaults[k])}
        return {"text": text, "prompt": res["Prompt"], "negativePrompt": res["Negative prompt"], "fields": fields}

    out = {
        "origin": "A1111 stable-diffusion-webui %s: modules/infotext_utils.py parse_generation_parameters and quote, "
        "computed by tools/reference/a1111_infotext.py" % args.label,
        "defaults": defaults,
        "written": [parsed(t) for t in WRITTEN],
        "cases": [parsed(t) for t in CASES],
        "quote": [{"value": v, "quoted": infotext_utils.quote(v)} for v in QUOTE],
    }
    sys.stdout.write(json.dumps(out, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
