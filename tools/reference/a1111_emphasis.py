#!/usr/bin/env python3
"""Writes test/fixtures/prompt/a1111-emphasis.json: AUTOMATIC1111's parse_prompt_attention output.

A1111's code is not part of this repository. Pass a folder holding its modules/prompt_parser.py
(a checkout of AUTOMATIC1111/stable-diffusion-webui, or a copy of that file's re_attention,
re_break and parse_prompt_attention). The module imports lark (pip package) and torch; torch is
replaced by an empty stand-in, which parse_prompt_attention does not use.

    /usr/bin/python3 tools/reference/a1111_emphasis.py <A1111 folder> [commit] > test/fixtures/prompt/a1111-emphasis.json

Cases where our parser deliberately differs are left out (see src/core/prompt/emphasis.ts):
prompts on which A1111 raises (a weight that is not a number) and prompts with a BREAK inside
brackets (A1111 gives the marker a weight other than -1).
"""
import json
import os
import platform
import random
import sys
import types

a1111_dir = os.path.abspath(sys.argv[1])
commit = sys.argv[2] if len(sys.argv) > 2 else "unknown"
sys.modules.setdefault("torch", types.ModuleType("torch"))
sys.path.insert(0, a1111_dir)
from modules.prompt_parser import parse_prompt_attention  # noqa: E402

CASES = [
    # A1111's docstring examples
    "normal text",
    "an (important) word",
    "(unbalanced",
    "\\(literal\\]",
    "(unnecessary)(parens)",
    "a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).",
    # More
    "",
    "()",
    "[[",
    "a [[b]] c",
    "[unbalanced square",
    "a (b [c (d:2.5) e] f) g",
    "(a:1.2) (b: 0.8 ) (c:.5) (d:2.) (e:+1.5)",
    "(neg:-1)",
    "(x:٣)",
    "a:b c: (d:e)",
    "no open:1.5) here",
    "closers ) ] without openers",
    "escapes \\( \\) \\[ \\] \\\\ and a lone \\ backslash",
    "(escaped \\(inside\\) brackets)",
    "a BREAK b",
    "BREAK",
    "BREAK a",
    "a BREAK",
    "a  BREAK  BREAK b",
    "a\nBREAK\nb",
    "BREAKfast xBREAK BREAK_ _BREAK BREAK2 éBREAK",
    "(a) BREAK [b]",
    "a,BREAK,b",
    "\\(BREAK\\)",
    "((a)) ((b))",
    "(a)(b:1.1)",
    "[[a]:1.5]",
    "(a [b:0.5] c)",
    "unicode (ĉu:1.3) [日本] 🐱",
    "deep ((((((((((nest))))))))))",
]

POOL = ["(", "(", ")", ")", "[", "[", "]", "]", ":", ":1.5)", ":0.5)", ": .5 )", ":2)", "\\(", "\\)", "\\[",
        "\\]", "\\\\", "\\", " BREAK ", "BREAK", " ", " ", "a", "cat", "dog", ",", ".", "-", "1", "ü", "\n"]
rng = random.Random(1111)
FUZZ = ["".join(rng.choice(POOL) for _ in range(rng.randint(1, 25))) for _ in range(400)]


def comparable(res):
    return all(w >= 0 or (t == "BREAK" and w == -1) for t, w in res)


def run(texts, keep_all):
    out = []
    for text in texts:
        try:
            res = parse_prompt_attention(text)
        except ValueError:
            if keep_all:
                raise
            continue
        if not comparable(res) and not keep_all:
            continue
        out.append({"text": text, "runs": res})
    return out


source = {
    "repository": "AUTOMATIC1111/stable-diffusion-webui (GitHub)",
    "commit": commit,
    "file": "modules/prompt_parser.py, parse_prompt_attention(text)",
    "python": platform.python_version(),
    "command": "/usr/bin/python3 tools/reference/a1111_emphasis.py <A1111 folder> <commit> > test/fixtures/prompt/a1111-emphasis.json",
    "note": "runs are [text, weight]; a BREAK is [\"BREAK\", -1]",
}
cases = run(CASES, keep_all=True)
fuzz = run(FUZZ, keep_all=False)
lines = ["{", ' "source": ' + json.dumps(source, ensure_ascii=True, indent=2).replace("\n", "\n ") + ","]
for key, rows in (("cases", cases), ("fuzz", fuzz)):
    body = ",\n  ".join(json.dumps(r, ensure_ascii=True) for r in rows)
    lines.append(f' "{key}": [\n  {body}\n ]' + ("," if key == "cases" else ""))
lines.append("}")
sys.stdout.write("\n".join(lines) + "\n")
sys.stderr.write(f"{len(cases)} cases, {len(fuzz)} of {len(FUZZ)} random prompts kept\n")
