"""Negation scope in the normalised text: is the cue at this position denied?

"tanpa izin P3MI", "tidak bisa berangkat cepat", "bukan jalur mandiri", "jangan pakai visa turis":
a cue right after a negator says the opposite of the cue. Slang negators (gak, ga, nggak, gk, tdk,
kagak, bkn, blm, jgn, ...) are mapped to their standard forms by the slang lexicon before this
runs, so the list below only needs the standard words and the few English ones.

The scope is deliberately short: the negator must come right before the cue, with at most two
light words between them ("tidak *perlu lewat* PT", "belum *ada izin* P3MI"), and never across
a punctuation mark or a "tapi". "Ga pake lama, langsung berangkat" still offers a fast departure.
"""

from __future__ import annotations

from collections.abc import Callable

NEGATORS: frozenset[str] = frozenset(
    {
        "tidak",
        "tanpa",
        "bukan",
        "belum",
        "tak",
        "tiada",
        "jangan",
        "not",
        "never",
        "without",
    }
)
# Words that may sit between a negator and the cue it denies.
LIGHT_WORDS: frozenset[str] = frozenset(
    {
        "perlu",
        "usah",
        "ada",
        "pakai",
        "pake",
        "memakai",
        "menggunakan",
        "lewat",
        "melalui",
        "via",
        "dari",
        "akan",
        "bisa",
        "dapat",
        "mau",
        "boleh",
        "harus",
        "wajib",
        "pernah",
        "juga",
        "lagi",
        "sedang",
        "yang",
        "di",
        "ke",
        "dengan",
        "punya",
        "memiliki",
        "mempunyai",
        "izin",
        "ijin",
        "jadi",
        "sih",
        "kok",
        "kan",
        "sama",
        "sekali",
        "benar",
        "butuh",
        "mudah",
        "need",
        "a",
        "an",
        "the",
        "to",
        "kami",
        "kita",
        "ini",
        "itu",
        "langsung",
        "diminta",
        "mengirim",
        "kirim",
    }
)
MAX_LIGHT_WORDS = 2
# "Jangan" forbids the whole clause after it ("jangan nyebrang ke Malaysia tanpa dokumen"), except
# where it only encourages ("jangan ragu, langsung berangkat", "jangan sampai kehabisan kuota").
PROHIBITIVE = "jangan"
ENCOURAGING: frozenset[str] = frozenset(
    {
        "ragu",
        "khawatir",
        "takut",
        "sampai",
        "lupa",
        "tunda",
        "lewatkan",
        "menunggu",
        "tunggu",
        "kelamaan",
        "bingung",
        "malu",
        "sia",
        "biarkan",
        "cuma",
        "hanya",
    }
)
CLAUSE_REACH = 8
_CLAUSE_MARKS = frozenset(",.;:!?") | {"tapi", "tetapi", "namun", "but", "-"}


def negated_at(text: str, start: int, token_map: Callable[[str], str] | None = None) -> str | None:
    """The negator that denies a cue starting at ``start`` of normalised ``text``, or ``None``.

    ``text`` is space-separated tokens (punctuation marks are tokens of their own), as
    :func:`pipeline.text.normalize.normalize` makes it. For other text, ``token_map`` turns a
    token into that form (lower-cased, slang mapped), and a token ending in a punctuation mark
    ends the clause.
    """
    before = text[max(0, start - 160) : start].split()
    tokens = [token_map(raw) if token_map else raw for raw in before]
    light = 0
    for raw, token in zip(
        reversed(before[-(MAX_LIGHT_WORDS + 1) :]),
        reversed(tokens[-(MAX_LIGHT_WORDS + 1) :]),
        strict=True,
    ):
        if token_map and raw[-1:] in ",.;:!?":
            break  # "KTP, KK" – the mark ends the clause the negator would have to reach over
        if token in NEGATORS:
            return token
        if token in LIGHT_WORDS and light < MAX_LIGHT_WORDS:
            light += 1
            continue
        break
    return _forbidden_clause(before, tokens, token_map is not None)


def _forbidden_clause(before: list[str], tokens: list[str], raw_marks: bool) -> str | None:
    """ "jangan" earlier in the same clause, forbidding what follows it."""
    following = ""
    for raw, token in zip(
        reversed(before[-CLAUSE_REACH:]), reversed(tokens[-CLAUSE_REACH:]), strict=True
    ):
        if token in _CLAUSE_MARKS or (raw_marks and raw[-1:] in ",.;:!?"):
            return None
        if token == PROHIBITIVE:
            return None if following in ENCOURAGING else token
        following = token
    return None


def negated_within(
    text: str, start: int, end: int, token_map: Callable[[str], str] | None = None
) -> str | None:
    """A negator inside ``text[start:end]`` that denies the words after it, or ``None``.

    For cues spread over a gap ("tiket ... ditanggung"): "tiket tidak ditanggung" is denied. The
    first token is part of the cue ("tanpa biaya ... berangkat") and is not looked at.
    """
    for raw in text[start:end].split()[1:]:
        token = token_map(raw) if token_map else raw
        if token in NEGATORS:
            return token
    return None
