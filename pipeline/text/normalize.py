"""The normalised copy of a post that features and indicators read.

Recruiters write to slip past keyword searches: ``K4mboja``, ``K a m b o j a``, ``negara K``,
``nol delapan satu dua``. Normalisation undoes these tricks, replaces contacts, links and amounts
with placeholder tokens, maps slang to standard words, and records every trick it undid, because
evasion is itself a reason to look.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import regex

from pipeline.text import clean, patterns
from pipeline.text.lexicon import places, sensitive_words, slang

_REGIONAL_INDICATOR_RE = re.compile("[\U0001f1e6-\U0001f1ff]{2}")
_SPACED_LETTERS_RE = re.compile(r"(?<![\w])(?:[a-z][ ]){3,}[a-z](?![\w])", re.IGNORECASE)
_PUNCT_SPLIT_RE = re.compile(r"(?<![\w])(?:[a-z][.\-_*'·]){2,}[a-z](?![\w])", re.IGNORECASE)
_CHUNK_SPLIT_RE = re.compile(r"(?<![\w])[a-z]{2,}[.\-_*·][a-z]{2,}(?![\w])", re.IGNORECASE)
# A word of letters with digits or $/@ standing in for some of them: "k4mb0ja", "v1s4", "4dmin".
_LEET_TOKEN_RE = re.compile(
    r"(?<![\w@$])(?=[a-z0-9@$]*[a-z])[a-z0-9@$]*[0-9@$][a-z0-9@$]*(?![\w])", re.IGNORECASE
)
# The same without IGNORECASE, for text with no letter that IGNORECASE folds onto [a-z] (capitals,
# İ, ı, ſ and the Kelvin sign): there both find the same tokens, and this one a third faster.
_LOWER_LEET_TOKEN_RE = re.compile(_LEET_TOKEN_RE.pattern)
_FOLDS_ONTO_ASCII_RE = re.compile("[A-Z\u0130\u0131\u017f\u212a]")
_ELONGATED_RE = re.compile(r"([a-z])\1{2,}")
_NUMBER_RE = re.compile(r"\b\d+(?:[.,]\d+)*\b")
_WS_RE = re.compile(r"\s+")
# Whitespace other than a single space; without any, _WS_RE.sub(" ", text) returns text as it is.
_NON_SPACE_WS_RE = re.compile(r"[^\S ]")
_LEET_MAP = {
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "8": "b",
    "9": "g",
    "@": "a",
    "$": "s",
}
_LEET = str.maketrans(_LEET_MAP)
# "1" also stands for "l" (g1obal, ho1iday): the second reading is tried when the first fails.
_LEET_ALT = str.maketrans({**_LEET_MAP, "1": "l"})
# Short codes recruiters use for places. Case matters: "KH" is Cambodia's country code, but
# "KH. Ahmad Dahlan" is a cleric's title, and "PP" is only Phnom Penh after a place word
# ("tiket PP" is a return ticket).
_SHORT_ALIASES = (
    (re.compile(r"\bSHV\b"), "sihanoukville"),
    (re.compile(r"\b(?:Myw|MYW)\b"), "myawaddy"),
    (re.compile(r"\bKH\b(?!\.|\s*[A-Z][a-z])"), "kamboja"),
    (re.compile(r"\b(?:ke|di|area|daerah|kota|to|in)\s+PP\b", re.IGNORECASE), " phnom penh"),
)
# Text every match of each _SHORT_ALIASES pattern contains: the code in each of its spellings.
_SHORT_ALIAS_HINTS = (("SHV",), ("Myw", "MYW"), ("KH",), ("PP", "Pp", "pP", "pp"))

_HIDDEN_IN_WORD_RE = re.compile(r"\w[\u200b\u200c\u200d\u2060\u00ad]+\w")
_LEET_CANDIDATE_RE = re.compile(r"[a-z][0-9@$]|[0-9@$][a-z]")
_ALPHA_RUN_RE = re.compile(r"[a-z]+", re.IGNORECASE)
# What the three patterns of join_spaced_letters cannot match without, in the same flags: two
# inner letters of "k a m b o j a", a letter between two separators of "g.a.j.i", and two letters
# after the separator of "kam.boja". Each begins with a literal or a class without letters, so
# the engine jumps between candidates in C instead of trying a lookbehind at every position.
_SPACED_LETTERS_HINT_RE = re.compile(r" [a-z] [a-z] ", re.IGNORECASE)
_PUNCT_SPLIT_HINT_RE = re.compile(r"[.\-_*'·][a-z][.\-_*'·]", re.IGNORECASE)
_CHUNK_SPLIT_HINT_RE = re.compile(r"[.\-_*·][a-z][a-z]", re.IGNORECASE)
_DIGIT_WORD_SET = frozenset(patterns.DIGIT_WORDS)
# "G to G" (the government placement scheme) as one token: the slang lexicon reads a lone "g" as
# "tidak", which turned the scheme's name into a double negation.
_G_TO_G_RE = re.compile(r"\bg ?(?:to|2) ?g\b|\bgovernment to government\b")


# Placeholders, words ("pt's", "e-ktp") and single symbols. Compiled with ``regex`` (not ``re``) so
# Unicode word rules stay stable: variation selectors and letter-like symbols stay inside their
# token. nltk's RegexpTokenizer would run the same ``findall`` behind a per-call ReDoS timer that
# triples the cost; the pattern is fixed and has no nested quantifiers, so it needs none.
_TOKEN_RE = regex.compile(r"_[a-z]+_|[^\W_]+(?:['’-][^\W_]+)*|[^\w\s]", flags=regex.UNICODE)
# Placeholders are written with a sentinel character the tokenizer cannot split.
PLACEHOLDERS = (
    "_chatlink_",
    "_shortlink_",
    "_url_",
    "_email_",
    "_phone_",
    "_handle_",
    "_money_",
    "_num_",
)


@dataclass(frozen=True)
class Normalized:
    """A post's feature text and the evasion tricks found while making it."""

    text: str
    evasions: tuple[str, ...] = field(default=())


@lru_cache(maxsize=1)
def _flag_names() -> dict[str, str]:
    return {p.alias: p.canonical for p in places() if _REGIONAL_INDICATOR_RE.fullmatch(p.alias)}


@lru_cache(maxsize=1)
def _multiword_aliases() -> frozenset[str]:
    return frozenset(p.alias for p in places() if " " in p.alias)


@lru_cache(maxsize=1)
def _phrase_aliases() -> re.Pattern[str]:
    return re.compile(r"\b(" + patterns.trie_alternation(_multiword_aliases()) + r")\b")


@lru_cache(maxsize=1)
def _phrase_gate() -> patterns.Prefiltered:
    """Checks first whether a post holds any multi-word alias at all; few do."""
    return patterns.Prefiltered(_phrase_aliases(), _multiword_aliases())


@lru_cache(maxsize=1)
def _disguised_aliases() -> frozenset[str]:
    return frozenset(p.alias for p in places() if p.disguised)


@lru_cache(maxsize=1)
def _phrase_map() -> dict[str, str]:
    return {
        p.alias: p.canonical.replace(" ", "_") if p.risk != "other" else p.alias for p in places()
    }


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

    if _SPACED_LETTERS_HINT_RE.search(text):
        text = _SPACED_LETTERS_RE.sub(lambda m: join(m, always=True), text)
    if _PUNCT_SPLIT_HINT_RE.search(text):
        text = _PUNCT_SPLIT_RE.sub(lambda m: join(m, always=False), text)
    if _CHUNK_SPLIT_HINT_RE.search(text):
        text = _CHUNK_SPLIT_RE.sub(lambda m: join(m, always=False), text)
    return text


def undo_leetspeak(text: str, evasions: list[str]) -> str:
    """``K4mb0ja`` → ``kamboja``, ``g4ji`` → ``gaji``, ``L40s`` → ``laos``, ``v1s4`` → ``visa``.

    A token changes only when reading its digits as letters gives a word recruiters hide
    (a place, "gaji", "visa", ...), so "5jt", "2x", "p3mi" and "covid19" stay.
    """

    if not _LEET_CANDIDATE_RE.search(text):
        return text  # every disguised word has a letter next to a digit or symbol

    def fix(match: re.Match[str]) -> str:
        token = match.group(0)
        for table in (_LEET, _LEET_ALT):
            candidate = token.translate(table)
            if _is_sensitive(candidate):
                evasions.append(f"{token} → {candidate.lower()}")
                return candidate
        return token

    tokens = _LEET_TOKEN_RE if _FOLDS_ONTO_ASCII_RE.search(text) else _LOWER_LEET_TOKEN_RE
    return tokens.sub(fix, text)


def spelled_numbers_to_digits(text: str, evasions: list[str]) -> str:
    """``nol delapan satu dua ...`` → ``0812...`` so that a spelled-out phone number is found."""

    def convert(match: re.Match[str]) -> str:
        words = re.findall(r"[a-z]+|\d", match.group(0), re.IGNORECASE)
        if sum(w.lower() in patterns.DIGIT_WORDS for w in words) < 4:
            return match.group(0)
        digits = "".join(patterns.DIGIT_WORDS.get(w.lower(), w) for w in words)
        evasions.append(f"angka ditulis huruf: {match.group(0).strip()}")
        return f" {digits} "

    # A conversion needs four digit words; most posts have fewer, and counting is cheap. Counting
    # them in the lower-cased text first is cheaper still and never counts fewer: every word
    # counted below is one of these occurrences.
    lowered = text.lower()
    if sum(map(lowered.count, _DIGIT_WORD_SET)) < 4:
        return text
    if sum(map(_DIGIT_WORD_SET.__contains__, map(str.lower, _ALPHA_RUN_RE.findall(text)))) < 4:
        return text
    return patterns.SPELLED_NUMBER_RE.sub(convert, text)


def replace_contacts(text: str, evasions: list[str]) -> str:
    """Chat links, short links, URLs, e-mails, phone numbers and @handles become placeholder tokens."""
    if patterns.may_have_chat_link(text):
        text = patterns.CHAT_LINK_RE.sub(" _chatlink_ ", text)
    if patterns.may_have_short_link(text):
        text = patterns.SHORT_LINK_RE.sub(" _shortlink_ ", text)
    has_at = "@" in text
    if has_at:
        text = patterns.EMAIL_RE.sub(" _email_ ", text)
    if patterns.may_have_url(text):
        text = patterns.URL_RE.sub(" _url_ ", text)
    if patterns.LETTER_O_PHONE_HINT_RE.search(text):
        text, letter_o_phones = patterns.LETTER_O_PHONE_RE.subn(" _phone_ ", text)
        if letter_o_phones:
            evasions.append("huruf O dipakai sebagai angka 0 di nomor telepon")
    if patterns.PHONE_ID_HINT_RE.search(text):
        text = patterns.PHONE_ID_RE.sub(" _phone_ ", text)
    if "+" in text:
        text = patterns.PHONE_FOREIGN_RE.sub(" _phone_ ", text)
    return patterns.HANDLE_RE.sub(" _handle_ ", text) if has_at else text


def replace_money(text: str) -> str:
    return patterns.sub_money(" _money_ ", text)


def squeeze_elongation(text: str) -> str:
    """``gajiii`` → ``gaji``, ``bangeettt`` → ``banget``: three or more repeats become one."""
    return _ELONGATED_RE.sub(r"\1", text)


def tokenize(text: str) -> list[str]:
    """Split feature text into tokens: placeholders, words (``pt's``, ``e-ktp``) and symbols."""
    return _TOKEN_RE.findall(text)


def map_slang(tokens: list[str]) -> list[str]:
    table = slang()
    return list(map(table.get, tokens, tokens))


def map_places(text: str, evasions: list[str] | None = None) -> str:
    """Multi-word place aliases become one token (``negara k`` → ``kamboja``).

    Nicknames that hide a place (``negara k``, ``negeri gajah putih``) are recorded in
    ``evasions``; real multi-word names (``phnom penh``) are not.
    """
    if not _phrase_gate().may_match(text):
        return text
    mapping = _phrase_map()
    disguised = _disguised_aliases()

    def replace(match: re.Match[str]) -> str:
        alias = match.group(1)
        if evasions is not None and alias in disguised:
            evasions.append(f"nama samaran tempat: {alias} → {mapping.get(alias, alias)}")
        return f" {mapping.get(alias, alias)} "

    return _phrase_aliases().sub(replace, text)


def normalize_with_clean(raw: str) -> tuple[str, Normalized]:
    """``(clean.clean_text(raw), normalize(raw))`` for the price of cleaning once.

    Entity extraction reads the cleaned text and features read the normalised one; both start
    with the same cleaning chain, which is the costly part.
    """
    evasions: list[str] = []
    text = clean.repair_mojibake(raw)
    text = clean.strip_html(text)
    invisible_free = clean.strip_invisible(text)
    if len(invisible_free) != len(text) and _HIDDEN_IN_WORD_RE.search(text):
        evasions.append("karakter tak terlihat di dalam kata")
    if clean.has_enclosed_letters(invisible_free):
        evasions.append("huruf hias (🅰🅱) menyamarkan kata")
    text = clean.fold_unicode(invisible_free)
    folded = clean.fold_homoglyphs(text)
    if folded != text:
        evasions.append("huruf Sirilik/Yunani menyamar sebagai huruf Latin")
    text = clean.strip_controls(folded)
    cleaned = clean.collapse_spaces(text)
    text = map_flags(text)
    for (pattern, replacement), hints in zip(_SHORT_ALIASES, _SHORT_ALIAS_HINTS, strict=True):
        if not any(hint in text for hint in hints):
            continue
        text, count = pattern.subn(replacement, text)
        if count:
            evasions.append(f"singkatan tempat → {replacement.strip()}")
    text = replace_contacts(text, evasions)
    spelled = spelled_numbers_to_digits(text, evasions)
    if spelled != text:  # a spelled-out number may have become a phone number
        text = replace_contacts(spelled, evasions)
    text = text.lower()
    if "g" in text and ("to g" in text or "2g" in text or "2 g" in text or "government" in text):
        text = _G_TO_G_RE.sub("g2g", text)
    text = join_spaced_letters(text, evasions)
    text = undo_leetspeak(text, evasions)
    text = replace_money(text)
    text = squeeze_elongation(text)
    text = map_places(text, evasions)
    text = _NUMBER_RE.sub(" _num_ ", text)
    joined = " ".join(map_slang(tokenize(text)))
    if "  " in joined or _NON_SPACE_WS_RE.search(joined):
        joined = _WS_RE.sub(" ", joined)
    return cleaned, Normalized(joined.strip(), tuple(evasions))


def normalize(raw: str) -> Normalized:
    """Build the feature text of one post. Pure: the same input always gives the same output."""
    return normalize_with_clean(raw)[1]


def normalize_text(raw: str) -> str:
    """The feature text alone, for vectorisers (module-level so model files can refer to it)."""
    return normalize(raw).text


# A word no step of the chain changes, joins to its neighbours or maps: it keeps pieces of
# text apart when many are normalised in one call.
_WORD_SEPARATOR = "qzxq"


def normalize_each(pieces: Sequence[str]) -> list[tuple[str, ...]]:
    """The tokens ``normalize_text`` makes of each piece of text on its own, in one call.

    One call over the pieces kept apart by a separator costs a third of one call per piece, the
    chain's fixed cost being paid once. Should the separator ever be split or swallowed (the
    count of pieces differs), each piece is normalised on its own instead.
    """
    if not pieces:
        return []
    if not any(_WORD_SEPARATOR in piece.casefold() for piece in pieces):
        joined = normalize_text(f" {_WORD_SEPARATOR} ".join(pieces)).split()
        normalised: list[tuple[str, ...]] = []
        current: list[str] = []
        for token in joined:
            if token == _WORD_SEPARATOR:
                normalised.append(tuple(current))
                current = []
            else:
                current.append(token)
        normalised.append(tuple(current))
        if len(normalised) == len(pieces):
            return normalised
    return [tuple(normalize_text(piece).split()) for piece in pieces]
