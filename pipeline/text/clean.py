"""Undo the tricks that make one word look like many: the cleaned copy that features are built on.

The original text is always kept for people; this copy is for matching. Each step is a pure
function so it can be tested on its own.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

import ftfy
from ftfy import chardata

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
_BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"), None
)
_TAG_RE = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]{0,500}>")
_SCRIPT_STYLE_RE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

# Cyrillic and Greek letters that render like Latin ones. Recruiters write "Каmboja" with a
# Cyrillic К so that a keyword search for "Kamboja" misses it.
_HOMOGLYPHS = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q",
    "ԝ": "w", "һ": "h", "ɡ": "g", "ո": "n",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S",
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K",
    "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}
_HOMOGLYPH_TABLE = str.maketrans(_HOMOGLYPHS)
_HOMOGLYPH_CHARS = "".join(_HOMOGLYPHS)
# A word that mixes Latin letters with look-alikes. Words written wholly in Cyrillic or Greek
# are real words of those languages and stay as they are.
_MIXED_WORD_RE = re.compile(
    rf"\b(?=[\w{_HOMOGLYPH_CHARS}]*[A-Za-z])(?=[\w]*[{_HOMOGLYPH_CHARS}])[\w{_HOMOGLYPH_CHARS}]+\b"
)


# Negative circled and squared letters (🅖🅐🅙🅘, 🅶🅰🅹🅸) have no compatibility mapping, so NFKC
# leaves them; recruiters use them to write "GAJI" or "CS" past keyword filters.
_ENCLOSED_LETTERS = {
    **{0x1F150 + i: chr(ord("A") + i) for i in range(26)},
    **{0x1F170 + i: chr(ord("A") + i) for i in range(26)},
}
_ENCLOSED_RE = re.compile("[\U0001f150-\U0001f169\U0001f170-\U0001f189]")


def has_enclosed_letters(text: str) -> bool:
    """Whether the text writes letters as enclosed symbols (🅶🅰🅹🅸), a way to dodge filters."""
    return _ENCLOSED_RE.search(text) is not None


def fold_unicode(text: str) -> str:
    """NFKC: styled letters (𝐊𝐚𝐦𝐛𝐨𝐣𝐚, 𝓰𝓪𝓳𝓲, 🅶🅰🅹🅸) and fullwidth forms (ｇａｊｉ) become plain letters."""
    text = unicodedata.normalize("NFKC", text)
    if _ENCLOSED_RE.search(text):
        text = text.translate(_ENCLOSED_LETTERS)
    return text


@lru_cache(maxsize=1)
def _ftfy_suspects() -> frozenset[str]:
    """Every character one of ftfy's fixes could act on.

    Mojibake is made of characters from the 8-bit code pages ftfy decodes; its other fixes touch
    ligatures, fullwidth forms, curly quotes, control characters and surrogates. A post with none
    of them (plain ASCII, or ASCII with emoji) comes out of ftfy unchanged, so it can skip it.
    """
    chars: set[str] = set()
    high_bytes = bytes(range(0x80, 0x100))
    for encoding in chardata.CHARMAP_ENCODINGS:
        chars.update(high_bytes.decode(encoding, errors="ignore"))
    chars.update(chr(c) if isinstance(c, int) else c for c in chardata.CONTROL_CHARS)
    chars.update(chr(c) if isinstance(c, int) else c for c in chardata.LIGATURES)
    chars.update(chr(c) if isinstance(c, int) else c for c in chardata.WIDTH_MAP)
    quotes = (chardata.SINGLE_QUOTE_RE, chardata.DOUBLE_QUOTE_RE)
    chars.update(chr(c) for c in range(0x2000, 0x2070) if any(q.match(chr(c)) for q in quotes))
    chars.update(chr(c) for c in range(0xD800, 0xE000))
    chars.update("\x1a\x1b\ufffd")
    return frozenset(chars)


def repair_mojibake(text: str) -> str:
    """Fix text decoded with the wrong codec somewhere upstream ("Ã©", "â€™", "ðŸ‡°ðŸ‡­")."""
    # ftfy is the slowest step of the text layer; most posts have nothing it could fix.
    if _ftfy_suspects().isdisjoint(text) and unicodedata.is_normalized("NFC", text):
        return text
    return ftfy.fix_text(text, normalization="NFC", unescape_html=False, fix_line_breaks=False)


def strip_invisible(text: str) -> str:
    """Remove zero-width characters and bidi controls that split or reverse words invisibly."""
    return text.translate(_ZERO_WIDTH).translate(_BIDI_CONTROLS)


def fold_homoglyphs(text: str) -> str:
    """Replace Cyrillic/Greek look-alike letters inside Latin words with their Latin twins."""
    if not any(ch in _HOMOGLYPHS for ch in text):
        return text
    return _MIXED_WORD_RE.sub(lambda m: m.group(0).translate(_HOMOGLYPH_TABLE), text)


def strip_html(text: str) -> str:
    """Drop scripts, styles and tags, then decode entities (&amp;, &#8203;, &nbsp;)."""
    if "<" in text:
        text = _SCRIPT_STYLE_RE.sub(" ", text)
        text = _TAG_RE.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text


def strip_controls(text: str) -> str:
    """Remove control characters (NUL, escape, C1) but keep line breaks and tabs."""
    return _CONTROL_RE.sub("", text)


def collapse_spaces(text: str) -> str:
    """Runs of spaces and tabs (including exotic Unicode spaces) become one space; ends trimmed."""
    return _SPACES_RE.sub(" ", text).strip()


def clean_text(text: str) -> str:
    """The full cleaning chain, in the order that lets each step see the previous one's result."""
    text = repair_mojibake(text)
    text = strip_html(text)
    text = strip_invisible(text)
    text = fold_unicode(text)
    text = fold_homoglyphs(text)
    text = strip_controls(text)
    return collapse_spaces(text)
