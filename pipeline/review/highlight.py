"""Split a post into plain and highlighted pieces for the desk: the words behind each reason.

The pieces are rendered by the template with autoescaping, so highlighting never turns post text
into markup; this module only decides where the marks go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.entities import contact_key
from pipeline.text import patterns

_QUOTED = re.compile(r'"([^"]{2,120})"')
_MIN_LEN = 3


@dataclass(frozen=True)
class Piece:
    text: str
    mark: str  # "" for plain text, else "reason" or "contact" or "destination"


def evidence_terms(reasons: str, contacts: str = "", destinations: str = "") -> list[tuple[str, str]]:
    """Phrases to mark, from the quoted evidence in the reasons and from the extracted entities."""
    terms: list[tuple[str, str]] = []
    for quoted in _QUOTED.findall(reasons or ""):
        for part in re.split(r"\s\+\s|, ", quoted.rstrip("…")):
            part = re.sub(r"\s*\((?:≈|Rp|[A-Z]{2,3}\$? ).*$", "", part).strip()  # a formatted amount after the words
            if len(part) >= _MIN_LEN:
                terms.append((part, "reason"))
    terms += [(c, "contact") for c in (contacts or "").split() if len(c) >= _MIN_LEN]
    terms += [(d, "destination") for d in (destinations or "").split(",") if len(d.strip()) >= _MIN_LEN]
    return terms


# How contacts are written in a post; each is marked when its contact key is one of the post's.
_CONTACT_RES = (patterns.CHAT_LINK_RE, patterns.PHONE_ID_RE, patterns.PHONE_FOREIGN_RE, patterns.LETTER_O_PHONE_RE,
                patterns.HANDLE_RE)


def _contact_spans(text: str, keys: set[str]) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for pattern in _CONTACT_RES:
        for match in pattern.finditer(text):
            start, end = match.span()
            if contact_key(match.group(0)) in keys and all(end <= s or start >= e for s, e, _ in spans):
                spans.append((start, end, "contact"))
    return spans


def pieces(text: str, terms: list[tuple[str, str]]) -> list[Piece]:
    """Cut ``text`` at every case-insensitive occurrence of a term; the longest match wins overlaps.

    Contacts are found by their key, so "0812-3456-7890" in the text is marked for the contact
    "6281234567890".
    """
    spans = _contact_spans(text, {contact_key(term) for term, kind in terms if kind == "contact"})
    lowered = text.lower()
    for term, kind in sorted(set(terms), key=lambda t: -len(t[0])):
        needle = term.lower()
        start = lowered.find(needle)
        while start != -1:
            end = start + len(needle)
            if _word_edges(lowered, start, end) and all(end <= s or start >= e for s, e, _ in spans):
                spans.append((start, end, kind))
            start = lowered.find(needle, end)
    spans.sort()
    out, cursor = [], 0
    for start, end, kind in spans:
        if start > cursor:
            out.append(Piece(text[cursor:start], ""))
        out.append(Piece(text[start:end], kind))
        cursor = end
    if cursor < len(text):
        out.append(Piece(text[cursor:], ""))
    return out


def _word_edges(text: str, start: int, end: int) -> bool:
    # "art" must not light up inside "kartu": a match starts and ends at a word edge.
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() and text[start].isalnum()) and not (after.isalnum() and text[end - 1].isalnum())
