"""The normalised copy of a post that features and indicators read.

Recruiters write to slip past keyword searches: ``K4mboja``, ``K a m b o j a``, ``negara K``,
``nol delapan satu dua``. Normalisation undoes these tricks, replaces contacts, links and amounts
with placeholder tokens, maps slang to standard words, and records every trick it undid, because
evasion is itself a reason to look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from nltk.tokenize import RegexpTokenizer

from pipeline.text import clean, patterns
from pipeline.text.lexicon import places, sensitive_words, slang

_REGIONAL_INDICATOR_RE = re.compile("[\U0001f1e6-\U0001f1ff]{2}")
_SPACED_LETTERS_RE = re.compile(r"(?<![\w])(?:[a-z][ ]){3,}[a-z](?![\w])", re.I)
_PUNCT_SPLIT_RE = re.compile(r"(?<![\w])(?:[a-z][.\-_*'·]){2,}[a-z](?![\w])", re.I)
_CHUNK_SPLIT_RE = re.compile(r"(?<![\w])[a-z]{2,}[.\-_*·][a-z]{2,}(?![\w])", re.I)
_LEET_TOKEN_RE = re.compile(r"(?<![\w@$])[a-z@$]+[a-z0-9@$]*[0-9@$][a-z0-9@$]*[a-z]+(?![\w])|(?<![\w])[a-z]+[0-9]+[a-z]*(?![\w])", re.I)
_ELONGATED_RE = re.compile(r"([a-z])\1{2,}")
_NUMBER_RE = re.compile(r"\b\d+(?:[.,]\d+)*\b")
_WS_RE = re.compile(r"\s+")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g", "@": "a", "$": "s"})
_LEET_ALT = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g", "@": "a", "$": "s"})
_SHORT_ALIASES = (
    (re.compile(r"\bSHV\b"), "sihanoukville"),
    (re.compile(r"\b(?:Myw|MYW)\b"), "myawaddy"),
    (re.compile(r"\bKH\b"), "kamboja"),
    (re.compile(r"\b(?:ke|di|area|daerah|kota|to|in)\s+PP\b", re.I), " phnom penh"),
)

TOKENIZER = RegexpTokenizer(r"_[a-z]+_|[^\W_]+(?:['’-][^\W_]+)*|[^\w\s]", flags=re.UNICODE)
# Placeholders are written with a sentinel character the tokenizer cannot split.
PLACEHOLDERS = ("_chatlink_", "_url_", "_email_", "_phone_", "_handle_", "_money_", "_num_")


@dataclass(frozen=True)
class Normalized:
    """A post's feature text and the evasion tricks found while making it."""

    text: str
    evasions: tuple[str, ...] = field(default=())


@lru_cache(maxsize=1)
def _flag_names() -> dict[str, str]:
    return {p.alias: p.canonical for p in places() if _REGIONAL_INDICATOR_RE.fullmatch(p.alias)}


@lru_cache(maxsize=1)
def _phrase_aliases() -> re.Pattern[str]:
    multiword = sorted({p.alias for p in places() if " " in p.alias}, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(a) for a in multiword) + r")\b")


@lru_cache(maxsize=1)
def _phrase_map() -> dict[str, str]:
    return {p.alias: p.canonical.replace(" ", "_") if p.risk != "other" else p.alias for p in places()}


def map_flags(text: str) -> str:
    """Flag emoji name countries: 🇰🇭 → " kamboja "."""
    names = _flag_names()
    return _REGIONAL_INDICATOR_RE.sub(lambda m: f" {names.get(m.group(0), 'bendera')} ", text)


def _is_sensitive(word: str) -> bool:
    return word.lower() in sensitive_words()


def join_spaced_letters(text: str, evasions: list[str]) -> str:
    """``K a m b o j a`` → ``Kamboja``; ``g.a.j.i`` → ``gaji``; ``Kam.boja`` → ``Kamboja``."""

    def join(match: re.Match[str], always: bool) -> str:
        joined = re.sub(r"[ .\-_*'·]", "", match.group(0))
        if always or _is_sensitive(joined):
            if _is_sensitive(joined):
                evasions.append(f"{match.group(0)} → {joined.lower()}")
            return joined
        return match.group(0)

    text = _SPACED_LETTERS_RE.sub(lambda m: join(m, always=True), text)
    text = _PUNCT_SPLIT_RE.sub(lambda m: join(m, always=False), text)
    return _CHUNK_SPLIT_RE.sub(lambda m: join(m, always=False), text)


def undo_leetspeak(text: str, evasions: list[str]) -> str:
    """``K4mb0ja`` → ``kamboja``, ``g4ji`` → ``gaji``, ``L40s`` → ``laos``.

    Only tokens with letters around digits change, so "5jt", "2x" and "covid19" stay.
    """

    def fix(match: re.Match[str]) -> str:
        token = match.group(0)
        if not re.search(r"[a-z].*[0-9@$].*[a-z]", token, re.I):
            return token
        for table in (_LEET, _LEET_ALT):
            candidate = token.translate(table)
            if _is_sensitive(candidate):
                evasions.append(f"{token} → {candidate.lower()}")
                return candidate
        return token

    return _LEET_TOKEN_RE.sub(fix, text)


def spelled_numbers_to_digits(text: str, evasions: list[str]) -> str:
    """``nol delapan satu dua ...`` → ``0812...`` so that a spelled-out phone number is found."""

    def convert(match: re.Match[str]) -> str:
        words = re.findall(r"[a-z]+|\d", match.group(0), re.I)
        if sum(w.lower() in patterns.DIGIT_WORDS for w in words) < 4:
            return match.group(0)
        digits = "".join(patterns.DIGIT_WORDS.get(w.lower(), w) for w in words)
        evasions.append(f"angka ditulis huruf: {match.group(0).strip()}")
        return f" {digits} "

    return patterns.SPELLED_NUMBER_RE.sub(convert, text)


def replace_contacts(text: str, evasions: list[str]) -> str:
    """Chat links, URLs, e-mails, phone numbers and @handles become placeholder tokens."""
    text = patterns.CHAT_LINK_RE.sub(" _chatlink_ ", text)
    text = patterns.EMAIL_RE.sub(" _email_ ", text)
    text = patterns.URL_RE.sub(" _url_ ", text)
    if patterns.LETTER_O_PHONE_RE.search(text):
        evasions.append("huruf O dipakai sebagai angka 0 di nomor telepon")
        text = patterns.LETTER_O_PHONE_RE.sub(" _phone_ ", text)
    text = patterns.PHONE_ID_RE.sub(" _phone_ ", text)
    text = patterns.PHONE_FOREIGN_RE.sub(" _phone_ ", text)
    return patterns.HANDLE_RE.sub(" _handle_ ", text)


def replace_money(text: str) -> str:
    return patterns.MONEY_RE.sub(" _money_ ", text)


def squeeze_elongation(text: str) -> str:
    """``gajiii`` → ``gaji``, ``bangeettt`` → ``banget``: three or more repeats become one."""
    return _ELONGATED_RE.sub(r"\1", text)


def map_slang(tokens: list[str]) -> list[str]:
    table = slang()
    return [table.get(token, token) for token in tokens]


def map_places(text: str) -> str:
    """Multi-word place aliases become one token (``negara k`` → ``kamboja``)."""
    mapping = _phrase_map()
    return _phrase_aliases().sub(lambda m: f" {mapping.get(m.group(1), m.group(1))} ", text)


def normalize(raw: str) -> Normalized:
    """Build the feature text of one post. Pure: the same input always gives the same output."""
    evasions: list[str] = []
    text = clean.repair_mojibake(raw)
    text = clean.strip_html(text)
    invisible_free = clean.strip_invisible(text)
    if re.search(r"\w[\u200b\u200c\u200d\u2060\u00ad]+\w", text):
        evasions.append("karakter tak terlihat di dalam kata")
    text = clean.fold_unicode(invisible_free)
    folded = clean.fold_homoglyphs(text)
    if folded != text:
        evasions.append("huruf Sirilik/Yunani menyamar sebagai huruf Latin")
    text = clean.strip_controls(folded)
    text = map_flags(text)
    for pattern, replacement in _SHORT_ALIASES:
        text = pattern.sub(replacement, text)
    text = replace_contacts(text, evasions)
    text = spelled_numbers_to_digits(text, evasions)
    text = replace_contacts(text, evasions)
    text = text.lower()
    text = join_spaced_letters(text, evasions)
    text = undo_leetspeak(text, evasions)
    text = replace_money(text)
    text = squeeze_elongation(text)
    text = map_places(text)
    text = _NUMBER_RE.sub(" _num_ ", text)
    tokens = map_slang(TOKENIZER.tokenize(text))
    return Normalized(_WS_RE.sub(" ", " ".join(tokens)).strip(), tuple(evasions))


def normalize_text(raw: str) -> str:
    """The feature text alone, for vectorisers (module-level so model files can refer to it)."""
    return normalize(raw).text
