"""CLIP's BPE tokenizer, written from its published algorithm, and a tiny vocabulary for it.

The vocabulary is laid out exactly as CLIP's (and Hugging Face's CLIPTokenizer files):
the 256 byte-level characters, the same 256 with `</w>`, one entry per merge in rank
order, then `<|startoftext|>` and `<|endoftext|>`, so BOS and EOS are the two highest ids
and the pooled output can take the argmax of the ids as CLIP does.
"""
import json
import os

import regex

SPLIT_PATTERN = regex.compile(
    r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""",
    regex.IGNORECASE,
)
WHITESPACE = regex.compile(r"\s+")
BOS_TOKEN = "<|startoftext|>"
EOS_TOKEN = "<|endoftext|>"
CONTEXT_LENGTH = 77


def bytes_to_unicode():
    """CLIP's reversible map from bytes to printable characters, in CLIP's order."""
    bs = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def clean(text):
    """Whitespace runs become one space, ends trimmed, lowercased (CLIP without ftfy)."""
    return WHITESPACE.sub(" ", text).strip().lower()


def pretokenize(text):
    """The cleaned text split into byte-encoded words."""
    byte_encoder = bytes_to_unicode()
    return ["".join(byte_encoder[b] for b in w.encode("utf-8")) for w in SPLIT_PATTERN.findall(clean(text))]


def word_symbols(word):
    return tuple(word[:-1]) + (word[-1] + "</w>",)


def learn_merges(word_counts):
    """Plain BPE learning: merge the most frequent adjacent pair (ties: the smallest pair)
    until every word is one symbol. word_counts: byte-encoded word -> frequency."""
    words = {word_symbols(w): c for w, c in word_counts.items()}
    merges = []
    while any(len(w) > 1 for w in words):
        pairs = {}
        for w, c in words.items():
            for a, b in zip(w, w[1:]):
                pairs[(a, b)] = pairs.get((a, b), 0) + c
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        merged = {}
        for w, c in words.items():
            out, i = [], 0
            while i < len(w):
                if i < len(w) - 1 and (w[i], w[i + 1]) == best:
                    out.append(w[i] + w[i + 1])
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + c
        words = merged
    return merges


def build_vocab(merges):
    byte_chars = list(bytes_to_unicode().values())
    tokens = byte_chars + [c + "</w>" for c in byte_chars] + ["".join(m) for m in merges]
    tokens += [BOS_TOKEN, EOS_TOKEN]
    if len(set(tokens)) != len(tokens):
        raise ValueError("two merges make the same token")
    return {t: i for i, t in enumerate(tokens)}


class ClipTokenizer:
    def __init__(self, vocab, merges):
        self.encoder = vocab
        self.ranks = {tuple(m): i for i, m in enumerate(merges)}
        self.bos = vocab[BOS_TOKEN]
        self.eos = vocab[EOS_TOKEN]
        self.pad = self.eos

    @classmethod
    def from_folder(cls, folder):
        with open(os.path.join(folder, "vocab.json"), encoding="utf-8") as f:
            vocab = json.load(f)
        with open(os.path.join(folder, "merges.txt"), encoding="utf-8") as f:
            lines = f.read().split("\n")
        merges = [tuple(line.split()) for line in lines[1:] if line.strip()]
        return cls(vocab, merges)

    def bpe(self, token):
        """CLIP's merge loop: repeatedly merge every occurrence of the lowest-ranked pair."""
        if token in (BOS_TOKEN, EOS_TOKEN):
            return [token]
        word = word_symbols(token)
        while len(word) > 1:
            pairs = set(zip(word, word[1:]))
            best = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if best not in self.ranks:
                break
            first, second = best
            out, i = [], 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                except ValueError:
                    out.extend(word[i:])
                    break
                out.extend(word[i:j])
                i = j
                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    out.append(first + second)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            word = tuple(out)
        return list(word)

    def encode(self, text):
        """Content ids only: no BOS, EOS, padding or truncation."""
        return [self.encoder[t] for w in pretokenize(text) for t in self.bpe(w)]

    def __call__(self, text):
        """BOS + at most 75 content ids + EOS, padded with the pad id to 77."""
        ids = [self.bos] + self.encode(text)[: CONTEXT_LENGTH - 2] + [self.eos]
        return ids + [self.pad] * (CONTEXT_LENGTH - len(ids))


def write_tokenizer_folder(folder, merges):
    """Hugging Face CLIPTokenizer files: vocab.json, merges.txt, special tokens, config."""
    os.makedirs(folder, exist_ok=True)
    vocab = build_vocab(merges)
    with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")
    special = {
        "bos_token": {"content": BOS_TOKEN, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False},
        "eos_token": {"content": EOS_TOKEN, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False},
        "pad_token": EOS_TOKEN,
        "unk_token": {"content": EOS_TOKEN, "lstrip": False, "normalized": True, "rstrip": False, "single_word": False},
    }
    with open(os.path.join(folder, "special_tokens_map.json"), "w", encoding="utf-8") as f:
        json.dump(special, f, indent=2)
        f.write("\n")
    config = {
        "add_prefix_space": False,
        "bos_token": special["bos_token"],
        "do_lower_case": True,
        "eos_token": special["eos_token"],
        "errors": "replace",
        "model_max_length": CONTEXT_LENGTH,
        "pad_token": EOS_TOKEN,
        "tokenizer_class": "CLIPTokenizer",
        "unk_token": special["unk_token"],
    }
    with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    return ClipTokenizer(vocab, merges)


def tokenizer_for_words(word_counts):
    """Merges learned from the caption words, checked so each word is one token."""
    encoded = {pretokenize(w)[0]: c for w, c in word_counts.items()}
    merges = learn_merges(encoded)
    tok = ClipTokenizer(build_vocab(merges), merges)
    for w in word_counts:
        if len(tok.encode(w)) != 1:
            raise ValueError(f"caption word {w!r} is not a single token: {tok.encode(w)}")
    return merges
