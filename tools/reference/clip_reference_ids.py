#!/usr/bin/env python3
"""Writes test/fixtures/tokenizer/clip-reference.json: token ids from OpenAI's own CLIP tokenizer.

The tokenizer is openai/CLIP's clip/simple_tokenizer.py, which is not part of this repository:
check that repository out anywhere (or extract the two files below from it) and pass its
folder. It needs the Python packages ftfy and regex.

    CLIP=/path/to/CLIP          # holds clip/simple_tokenizer.py and clip/bpe_simple_vocab_16e6.txt.gz
    /usr/bin/python3 tools/reference/clip_reference_ids.py "$CLIP" > test/fixtures/tokenizer/clip-reference.json

The merge list it uses must be the same file as shared/data/clip/bpe_simple_vocab_16e6.txt.gz,
which our tests build their vocabulary from; the script checks that.
"""
import hashlib
import importlib.util
import json
import os
import platform
import random
import subprocess
import sys

clip_dir = os.path.abspath(sys.argv[1])
module_path = os.path.join(clip_dir, "clip", "simple_tokenizer.py")
bpe_path = os.path.join(clip_dir, "clip", "bpe_simple_vocab_16e6.txt.gz")
repo_root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
shared_bpe = os.path.join(os.environ.get("SDPROMPT_SHARED", os.path.join(repo_root, "..", "shared")),
                          "data", "clip", "bpe_simple_vocab_16e6.txt.gz")


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


assert sha256(bpe_path) == sha256(shared_bpe), "CLIP's merge list differs from shared/data/clip's"

spec = importlib.util.spec_from_file_location("simple_tokenizer", module_path)
simple_tokenizer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(simple_tokenizer)
tokenizer = simple_tokenizer.SimpleTokenizer(bpe_path)

import ftfy  # noqa: E402  (after the tokenizer, which imports it too)
import regex  # noqa: E402

CASES = [
    # Known sequences (shared/notes/sd-onnx-facts.md)
    "a photo of a cat",
    "Hello World",
    "HeLLo WoRLD",
    # Punctuation
    "masterpiece, best quality, (detailed:1.2)!!",
    "hello... world?! a,b;c:d",
    "(((house:1.3)) [on] a (hill:0.5), sun, (((sky))).",
    "--ar 16:9 #hashtag @user /path/to\\file",
    # Numbers
    "1024x768 8k uhd 3.14159 in 2023",
    "12345 0.5 -7",
    # Apostrophes
    "it's the cat's toy, don't",
    "we're here, they've gone, I'm sure, you'll see, he'd know",
    "IT'S LOUD 'N' ROCK 'ROLL'",
    # Non-ASCII letters
    "café naïve résumé",
    "Москва ночью",
    "日本語のテキスト",
    "straße İstanbul",
    "ΣΟΦΟΣ σοφός",
    "e\u0301 combining accent",
    "ﬁsh ﬂower ĳs",
    "Ｆｕｌｌｗｉｄｔｈ　ｔｅｘｔ（ｘ）",
    "ﾊﾝｶｸ katakana",
    # Emoji and other bytes
    "a 🐱 cat 🎨🖌️",
    "👨‍👩‍👧 family 🇯🇵",
    "a\u00a0b no-break space",
    "bell\u0007char and\u200bzero width",
    "a\ud83d lone surrogate",
    "\x93c1 quotes\x94 and \x85 next line",
    "\x1b[31mred\x1b[0m text",
    # HTML entities
    "Tom &amp; Jerry",
    "&lt;tag&gt; &quot;quoted&quot; &apos;single&apos;",
    "&amp;amp; twice",
    "&amp;amp;amp;amp; many times",
    "&#39;quoted&#39; &#x1F600; &#128512 &#0; &#x110000;",
    "caf&eacute; r&eacute;sum&eacute; P&EACUTE;REZ BUNDESSTRA&SZLIG;E",
    "it&rsquo;s &ldquo;nice&rdquo; &hellip;",
    "&ampfoo &notit; &copy2023 &nbsp;x",
    "<b>bold &amp;amp; tags</b>",
    "first line &amp;amp;\nsecond <line> &amp;amp;",
    "<b>&amp;amp;amp; bold</b> it&rsquo;s",
    "first &amp;amp;amp; it&rsquo;s\nthen <tag>\nlast &amp;amp;amp; it&rsquo;s",
    "&#150;dash &#x92;quote",
    # Curly quotes
    "it’s “quoted” ‘single’",
    # Long words
    "supercalifragilisticexpialidocious",
    "pneumonoultramicroscopicsilicovolcanoconiosis",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "thequickbrownfoxjumpsoverthelazydogthequickbrownfoxjumpsoverthelazydogagainandagain",
    # Whitespace
    "  multiple   spaces\tand\ttabs\n\nnewlines  ",
    "windows\r\nline\rbreaks\u2028and\u2029separators",
    "\u3000ideographic\u3000space",
    # Special tokens written in the text
    "<|startoftext|>a<|endoftext|>",
    "<|ENDOFTEXT|> shouting",
    # Empty
    "",
    "   ",
    # A long prompt (more than 75 tokens)
    "masterpiece, best quality, ultra-detailed, 8k wallpaper, a breathtaking landscape of "
    "snow-capped mountains at golden hour, a crystal clear alpine lake reflecting the sky, "
    "pine forests, wildflowers in the foreground, dramatic clouds, volumetric lighting, "
    "god rays, by Albert Bierstadt and Ivan Aivazovsky, trending on artstation, "
    "highly detailed, sharp focus, cinematic composition, photorealistic, hdr, "
    "award-winning photograph, national geographic, wide angle lens",
]

# Random strings over a pool that exercises every branch of the word pattern. The pool leaves
# out Latin-1 letters that ftfy's mojibake repair (not reproduced by us) reacts to.
POOL = (list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") * 3
        + list("     ,.;:!?()[]{}<>-_+=*/\\|@#$%^~`'\"\t\n")
        + ["'s", "'t", "'re", "'ll", "&amp;", "&lt;", "&#33;", "’", "“", "é", "ü", "ñ", "ç", "ß",
           "日", "本", "語", "Ж", "д", "λ", "٣", "½", "²", "🐱", "🎨", "👍🏽", "\u00a0", "\u3000", "ｘ"])
rng = random.Random(20240611)
FUZZ = ["".join(rng.choice(POOL) for _ in range(rng.randint(1, 40))) for _ in range(300)]


def commit_of(folder):
    try:
        return subprocess.run(["git", "-C", folder, "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except Exception:
        return os.environ.get("CLIP_COMMIT", "unknown")


out = {
    "source": {
        "repository": "openai/CLIP (GitHub)",
        "commit": commit_of(clip_dir),
        "file": "clip/simple_tokenizer.py, SimpleTokenizer().encode(text)",
        "merges": "clip/bpe_simple_vocab_16e6.txt.gz, sha256 " + sha256(bpe_path),
        "python": platform.python_version(),
        "ftfy": ftfy.__version__,
        "regex": regex.__version__,
        "command": "/usr/bin/python3 tools/reference/clip_reference_ids.py <CLIP checkout> > test/fixtures/tokenizer/clip-reference.json",
        "note": "ids are content ids, without BOS (49406) and EOS (49407)",
    },
    "cases": [{"text": t, "ids": tokenizer.encode(t)} for t in CASES],
    "fuzz": [{"text": t, "ids": tokenizer.encode(t)} for t in FUZZ],
}
# One case a line, so that a diff of the fixture shows which cases changed.
lines = ['{', ' "source": ' + json.dumps(out["source"], ensure_ascii=True, indent=2).replace("\n", "\n ") + ',']
for key in ("cases", "fuzz"):
    rows = [json.dumps(case, ensure_ascii=True) for case in out[key]]
    lines.append(f' "{key}": [\n  ' + ',\n  '.join(rows) + '\n ]' + (',' if key == "cases" else ''))
lines.append('}')
sys.stdout.write("\n".join(lines) + "\n")
