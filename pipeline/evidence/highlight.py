"""Where the evidence behind each reason sits in the post as written, and the pieces the desk marks.

Reasons quote the *normalised* text: ``hubungi`` for a post that says *Japri* or *DM*, ``kamboja``
for *'negara K'*, ``usia _num_ bisa`` for *Umur 16 iso*. A reviewer must see the post's own words,
so ``locate`` finds a piece of evidence in the original text, trying in turn:

1. the evidence as written (case-insensitive, at word edges);
2. word by word through the text layer's public normaliser: every word of the post is normalised
   on its own and the evidence is looked up in that sequence, so slang, leetspeak and placeholder
   tokens (``_num_``, ``_money_``) lead back to the words that produced them;
3. short runs of words normalised together, for what only exists across words (place nicknames
   such as *negara K*, spaced letters, spelled-out numbers, amounts such as *Rp 45 juta*);
4. a leetspeak- and spacing-tolerant fuzzy pattern (``regex``), for typos the normaliser kept.

The pieces are rendered by the template with autoescaping, so highlighting never turns post text
into markup; this module only decides where the marks go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import regex

from pipeline.entities import contact_key
from pipeline.text import patterns
from pipeline.text.normalize import normalize_each

# What each kind of mark means, in the order overlapping marks win (the first kind wins).
MARK_KINDS: tuple[str, ...] = (
    "contact",
    "disguised",
    "destination",
    "pay",
    "flag",
    "counter",
    "term",
)
_PRIORITY = {kind: rank for rank, kind in enumerate(MARK_KINDS)}
_WORD_RE = re.compile(r"\S+")
_EDGE_PUNCT = ".,;:!?()[]{}\"“”‘’'`…*~|<>«»"
_PLACEHOLDER_RE = re.compile(r"^_[a-z]+_$")
_MAX_WINDOW = 8
_MAX_WORDS_FOR_WINDOWS = 400
_LEET = {
    "a": "a4@",
    "e": "e3",
    "i": "i1!|l",
    "o": "o0",
    "s": "s5$",
    "t": "t7",
    "g": "g9",
    "b": "b8",
    "l": "l1|i",
    "z": "z2",
}


@dataclass(frozen=True)
class Piece:
    text: str
    mark: str = ""  # "" for plain text, else one of MARK_KINDS
    title: str = ""  # what the mark stands for (shown on hover)


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    kind: str
    title: str = ""


def is_placeholder(token: str) -> bool:
    return bool(_PLACEHOLDER_RE.match(token))


def locate(
    text: str, evidence: str, fuzzy: bool = True, across_words: bool = True
) -> tuple[int, int] | None:
    """The span of ``text`` (the post as written) that the normalised ``evidence`` came from.
    ``across_words=False`` skips evidence that normalisation made from several words (the
    costly search), for callers that try many candidates."""
    evidence = " ".join(str(evidence).split())
    if not text or len(evidence.strip(_EDGE_PUNCT + " ")) < 1:
        return None
    return _locate(text, evidence, fuzzy, across_words)


@lru_cache(maxsize=8192)
def _locate(
    text: str, evidence: str, fuzzy: bool = True, across_words: bool = True
) -> tuple[int, int] | None:
    truncated = evidence.endswith("…")
    evidence = evidence.rstrip("…").strip()
    if not evidence:
        return None
    found = _literal(text, evidence, prefix=truncated)
    if found is None:
        found = _by_words(text, evidence.split(), truncated, across_words)
    if found is None and fuzzy:
        found = _fuzzy(text, evidence)
    return _trim(text, *found) if found else None


def _literal(text: str, needle: str, prefix: bool = False) -> tuple[int, int] | None:
    if any(is_placeholder(t) for t in needle.split()):
        return None
    lowered, wanted = text.casefold(), needle.casefold()
    if len(lowered) != len(text):  # casefold changed the length (ß → ss): offsets would drift
        lowered, wanted = text.lower(), needle.lower()
        if len(lowered) != len(text):
            return None
    start = lowered.find(wanted)
    while start != -1:
        end = start + len(wanted)
        if _word_edges(lowered, start, end, check_end=not prefix):
            if prefix:
                while end < len(text) and text[end].isalnum():
                    end += 1
            return start, end
        start = lowered.find(wanted, start + 1)
    return None


def _matches(sequence: list[str] | tuple[str, ...], wanted: list[str], truncated: bool) -> int:
    """Index in ``sequence`` where ``wanted`` starts (the last word may be a prefix), else -1."""
    n = len(wanted)
    for i in range(len(sequence) - n + 1):
        ok = True
        for j, token in enumerate(wanted):
            have = sequence[i + j]
            if have == token or (truncated and j == n - 1 and have.startswith(token)):
                continue
            ok = False
            break
        if ok:
            return i
    return -1


@dataclass(frozen=True)
class _WordSequence:
    """A post's words (spans), each word's normalised tokens, and those tokens in order with the
    word that owns each. A post's reasons look up many pieces of evidence in it: this is worked
    out once per post."""

    spans: tuple[tuple[int, int], ...]
    tokens_of_word: tuple[tuple[str, ...], ...]
    sequence: tuple[str, ...]
    owner: tuple[int, ...]


_WORD_TOKENS: dict[str, tuple[str, ...]] = {}
_MAX_CACHED_WORDS = 65_536


def _tokens_of_words(words: list[str]) -> list[tuple[str, ...]]:
    """Each word's normalised tokens. A collection repeats most of its words, so they are kept;
    the words not seen before are normalised together in one call."""
    # Read into a local mapping first: another thread of the desk may clear the shared one.
    found: dict[str, tuple[str, ...]] = {}
    new: list[str] = []
    for word in dict.fromkeys(words):
        tokens = _WORD_TOKENS.get(word)
        if tokens is None:
            new.append(word)
        else:
            found[word] = tokens
    found.update(zip(new, normalize_each(new), strict=True))
    if len(_WORD_TOKENS) > _MAX_CACHED_WORDS:
        _WORD_TOKENS.clear()
    _WORD_TOKENS.update((word, found[word]) for word in new)
    return [found[word] for word in words]


@lru_cache(maxsize=64)
def _word_sequence(text: str) -> _WordSequence:
    spans = tuple(word.span() for word in _WORD_RE.finditer(text))
    tokens_of_word = tuple(_tokens_of_words([text[a:b] for a, b in spans]))
    sequence: list[str] = []
    owner: list[int] = []
    for index, tokens in enumerate(tokens_of_word):
        sequence.extend(tokens)
        owner.extend([index] * len(tokens))
    return _WordSequence(spans, tokens_of_word, tuple(sequence), tuple(owner))


def _by_words(
    text: str, wanted: list[str], truncated: bool, across_words: bool = True
) -> tuple[int, int] | None:
    words = _word_sequence(text)
    spans, owner = words.spans, words.owner
    if not spans or not wanted:
        return None
    at = _matches(words.sequence, wanted, truncated)
    if at != -1:
        return spans[owner[at]][0], spans[owner[at + len(wanted) - 1]][1]
    if not across_words or len(spans) > _MAX_WORDS_FOR_WINDOWS:
        return None
    # Evidence normalisation made from several words (spaced letters, spelled-out numbers):
    # try runs of words, but only from words whose own first token could begin the evidence,
    # since normalising every run of every post is what made long queues slow.
    first = wanted[0][:1]
    starts = [i for i, tokens in enumerate(words.tokens_of_word) if _could_begin(tokens, first)]
    windows = [
        (width, spans[i][0], spans[i + width - 1][1])
        for width in range(2, _MAX_WINDOW + 1)
        for i in starts
        if i + width <= len(spans)
    ]
    # The narrowest run wins, then the earliest: all runs are normalised in one call.
    normalised = normalize_each([text[start:end] for _, start, end in windows])
    for (_, start, end), tokens in zip(windows, normalised, strict=True):
        if _matches(tokens, wanted, truncated) != -1:
            return start, end
    return None


def _could_begin(tokens: tuple[str, ...], first: str) -> bool:
    """Whether a run starting with a word normalised to ``tokens`` may normalise to something
    starting with ``first``: it does, or the word is a lone letter or digit that joins others."""
    return not tokens or tokens[0][:1] == first or len(tokens[0]) == 1 or tokens[0].isdigit()


def _fuzzy(text: str, evidence: str) -> tuple[int, int] | None:
    """Leetspeak- and spacing-tolerant search, allowing one slip for longer words."""
    pattern = _fuzzy_pattern(evidence)
    match = pattern.search(text) if pattern is not None else None
    return (match.start(), match.end()) if match else None


@lru_cache(maxsize=2048)
def _fuzzy_pattern(evidence: str) -> regex.Pattern | None:
    # Compiling a fuzzy pattern costs milliseconds, and a queue's evidence repeats (place names,
    # the same red flags): each is compiled once per process.
    parts = []
    letters = 0
    for token in evidence.split():
        if is_placeholder(token):
            continue  # what a placeholder stood for is unknown here: find the words around it
        chars = [ch for ch in token.casefold() if ch.isalnum()]
        letters += len(chars)
        if chars:
            parts.append(r"[\s.\-_*]?".join(f"[{regex.escape(_LEET.get(ch, ch))}]" for ch in chars))
    if letters < 4 or not parts:
        return None
    body = r"[\W_]{0,3}".join(parts)
    slips = 1 if letters >= 6 else 0
    pattern = f"(?:{body}){{e<={slips}}}" if slips else body
    return regex.compile(
        rf"(?<![^\W_])(?:{pattern})(?![^\W_])", flags=regex.IGNORECASE | regex.BESTMATCH
    )


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and (text[start].isspace() or text[start] in _EDGE_PUNCT):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _EDGE_PUNCT):
        end -= 1
    return (start, end) if end > start else None


def locate_digits(text: str, digits: str) -> tuple[int, int] | None:
    """A phone number written with spaces, dots or dashes (``0813 7790 2265``), or from ``62``/``+62``."""
    digits = "".join(ch for ch in digits if ch.isdigit())
    if len(digits) < 7:
        return None
    tails = {digits}
    if digits.startswith("62"):
        tails.add("0" + digits[2:])
    elif digits.startswith("0"):
        tails.add("62" + digits[1:])
    for candidate in sorted(tails, key=len, reverse=True):
        pattern = r"[\s.\-()]{0,2}".join(re.escape(d) for d in candidate)
        match = re.search(rf"(?<!\d)\+?{pattern}(?!\d)", text)
        if match:
            return match.start(), match.end()
    return None


# How contacts are written in a post; a contact is found by its key (``pipeline.entities.contact_key``),
# so "0812-3456-7890" in the text is marked for the contact "6281234567890".
_CONTACT_RES = (
    patterns.CHAT_LINK_RE,
    patterns.PHONE_ID_RE,
    patterns.PHONE_FOREIGN_RE,
    patterns.LETTER_O_PHONE_RE,
    patterns.HANDLE_RE,
)


def contact_spans(text: str, keys: set[str]) -> list[tuple[int, int, str]]:
    """``(start, end, key)`` of every contact in ``text`` whose key is one of ``keys``, however it is written."""
    spans: list[tuple[int, int, str]] = []
    if not text or not keys:
        return spans
    for pattern in _CONTACT_RES:
        for match in pattern.finditer(text):
            start, end = match.start(), match.end()
            while end > start and text[end - 1] in ".,;)":
                end -= 1
            key = contact_key(text[start:end])
            if key in keys and all(end <= s or start >= e for s, e, _ in spans):
                spans.append((start, end, key))
    return sorted(spans)


def pieces(text: str, marks: list[Mark]) -> list[Piece]:
    """Cut ``text`` at the marks; where marks overlap, the more specific kind (then the longer) wins."""
    chosen: list[Mark] = []
    for mark in sorted(
        marks, key=lambda m: (_PRIORITY.get(m.kind, 99), -(m.end - m.start), m.start)
    ):
        if mark.end <= mark.start or mark.start < 0 or mark.end > len(text):
            continue
        if all(mark.end <= m.start or mark.start >= m.end for m in chosen):
            chosen.append(mark)
    chosen.sort(key=lambda m: m.start)
    out, cursor = [], 0
    for mark in chosen:
        if mark.start > cursor:
            out.append(Piece(text[cursor : mark.start]))
        out.append(Piece(text[mark.start : mark.end], mark.kind, mark.title))
        cursor = mark.end
    if cursor < len(text):
        out.append(Piece(text[cursor:]))
    return out


def _word_edges(text: str, start: int, end: int, check_end: bool = True) -> bool:
    # "art" must not light up inside "kartu": a match starts and ends at a word edge.
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if before.isalnum() and text[start].isalnum():
        return False
    return not (check_end and after.isalnum() and text[end - 1].isalnum())
