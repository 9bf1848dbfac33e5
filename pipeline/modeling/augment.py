"""Variants of labeled posts that teach robustness to how people really type.

Augmentation adds to a varied hand-written base, never replaces it: each variant keeps its
source's label, kind and near-duplicate group, so it never crosses a validation split.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache

from pipeline.text.lexicon import places, sensitive_words, slang

_LEET = {"a": "4", "i": "1", "o": "0", "e": "3", "s": "5"}
_HOMOGLYPHS = {"a": "а", "o": "о", "e": "е", "c": "с", "p": "р", "k": "к"}
_DIGIT_WORDS = [
    "nol",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
]
_WORD_RE = re.compile(r"[A-Za-z]+")
_PHONE_RE = re.compile(r"(?<!\d)0\s?8[\d\s\-.]{8,14}\d")


def _informal_forms() -> dict[str, list[str]]:
    reverse: dict[str, list[str]] = {}
    for informal, standard in slang().items():
        if " " not in standard and informal != standard:
            reverse.setdefault(standard, []).append(informal)
    return reverse


def leet_word(word: str, rng: random.Random) -> str:
    chars = [(_LEET[c.lower()] if c.lower() in _LEET and rng.random() < 0.6 else c) for c in word]
    return "".join(chars)


def obfuscate(text: str, rng: random.Random) -> str:
    """Disguise sensitive words the way recruiters do: leetspeak, spacing, look-alike letters, spelled digits."""
    words = sensitive_words()

    def disguise(match: re.Match[str]) -> str:
        word = match.group(0)
        if word.lower() not in words or rng.random() > 0.7:
            return word
        trick = rng.choice(("leet", "spaced", "homoglyph", "dotted", "zero_width"))
        if trick == "leet":
            return leet_word(word, rng)
        if trick == "spaced":
            return " ".join(word)
        if trick == "homoglyph":
            return "".join(_HOMOGLYPHS.get(c, c) if rng.random() < 0.5 else c for c in word)
        if trick == "dotted":
            cut = max(1, len(word) // 2)
            return word[:cut] + "." + word[cut:]
        return "\u200b".join(word)

    text = _WORD_RE.sub(disguise, text)
    if rng.random() < 0.5:
        text = _PHONE_RE.sub(
            lambda m: (
                " ".join(_DIGIT_WORDS[int(d)] for d in re.sub(r"\D", "", m.group(0))[:6])
                + " "
                + re.sub(r"\D", "", m.group(0))[6:]
            ),
            text,
            count=1,
        )
    return text


def slangify(text: str, rng: random.Random) -> str:
    """Swap standard words for chat spellings (tidak → gk, yang → yg) and drop some punctuation."""
    forms = _informal_forms()

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        options = forms.get(word.lower())
        return rng.choice(options) if options and rng.random() < 0.7 else word

    text = _WORD_RE.sub(swap, text)
    if rng.random() < 0.5:
        text = text.lower()
    if rng.random() < 0.3:
        text = re.sub(r"[.,!]", "", text)
    return text


def typos(text: str, rng: random.Random) -> str:
    """A few keyboard slips: swapped, doubled or dropped letters."""

    def slip(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) < 4 or rng.random() > 0.08:
            return word
        i = rng.randrange(1, len(word) - 1)
        kind = rng.choice(("swap", "double", "drop"))
        if kind == "swap":
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if kind == "double":
            return word[:i] + word[i] * 3 + word[i + 1 :]
        return word[:i] + word[i + 1 :]

    return _WORD_RE.sub(slip, text)


def fragment(text: str, rng: random.Random) -> str:
    """A few words cut from an ordinary post: collections are full of short, content-poor text,
    and a model that has only seen short *recruitment* posts learns that brevity means risk."""
    words = text.split()
    if len(words) <= 3:
        return text
    size = rng.randint(1, min(8, len(words) - 1))
    start = rng.randrange(0, len(words) - size + 1)
    return " ".join(words[start : start + size])


@lru_cache(maxsize=1)
def _place_disguises() -> tuple[re.Pattern[str], dict[str, list[str]]]:
    """Risky place names, and per canonical place the ways to hide it: its consonant
    skeletons and nicknames from the gazetteer, and the "negara X" initial."""
    hidden: dict[str, list[str]] = {}
    for place in places():
        if place.risk != "other" and place.disguised:
            hidden.setdefault(place.canonical, []).append(place.alias)
    names = sorted(
        {
            p.alias
            for p in places()
            if p.risk != "other"
            and not p.disguised
            and p.canonical in hidden
            and p.alias.replace(" ", "").isalpha()
        },
        key=len,
        reverse=True,
    )
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b", re.IGNORECASE)
    alias_canonical = {p.alias: p.canonical for p in places()}
    return pattern, {name: hidden[alias_canonical[name]] + [f"negara {name[0]}"] for name in names}


def disguise_places(text: str, rng: random.Random) -> str:
    """Hide destinations the way recruiters do: "Mnmr", "negeri seribu pagoda", "negara K"."""
    pattern, options = _place_disguises()

    def hide(match: re.Match[str]) -> str:
        choices = options.get(match.group(0).lower())
        return rng.choice(choices) if choices else match.group(0)

    return pattern.sub(hide, text)


_PAY_RE = re.compile(
    r"(?:rp\.?\s?|\$\s?|usd\s?)?\d[\d.,]*\s?(?:jt|juta|rb|ribu|k|usd|dolar|dollar|ringgit|rm|usdt)?\s?(?:/|per\s)?"
    r"(?:bulan|bln|month|mo)\b|(?:rp\.?\s?|\$\s?)\d[\d.,]*(?:\s?(?:jt|juta|usd))?",
    re.IGNORECASE,
)
_CODED_PAY = (
    "2 digit",
    "3 digit dolar",
    "4 digit",
    "5 digit",
    "💰💰💰",
    "💰💰",
    "1.5k/bulan",
    "2k/bulan",
    "gaji dollar",
    "2 digit juta",
    "4 digit USD",
    "1k++",
)


def code_pay(text: str, rng: random.Random) -> str:
    """Write pay without a currency or as a count of digits or emoji, as posts that dodge
    filters do ("3 digit dolar", "2k/bulan", "💰💰")."""
    return _PAY_RE.sub(lambda _: rng.choice(_CODED_PAY), text, count=2)


AUGMENTERS = {
    "obfuscate": obfuscate,
    "slangify": slangify,
    "typos": typos,
    "disguise_places": disguise_places,
    "code_pay": code_pay,
}


def augment_texts(
    texts: list[str],
    labels: list[str],
    seed: int,
    positive_share: float = 0.5,
    negative_share: float = 0.15,
    kinds: list[str] | None = None,
    fragment_share: float = 0.2,
    fragment_kinds: frozenset[str] = frozenset(),
) -> list[tuple[int, str, str]]:
    """Return (source index, augmenter name, new text) for a seeded sample of the posts.

    Ordinary benign posts (``fragment_kinds``) also give short fragments; posts about trafficking
    never do, because a fragment of a warning can read like the ad it quotes.
    """
    rng = random.Random(seed)
    out = []
    for index, (text, label) in enumerate(zip(texts, labels, strict=True)):
        share = positive_share if label != "benign" else negative_share
        if rng.random() < share:
            name = rng.choice(sorted(AUGMENTERS))
            variant = AUGMENTERS[name](text, rng)
            if variant != text:
                out.append((index, name, variant))
        if (
            label == "benign"
            and kinds is not None
            and kinds[index] in fragment_kinds
            and rng.random() < fragment_share
        ):
            piece = fragment(text, rng)
            if piece != text:
                out.append((index, "fragment", piece))
    return out
