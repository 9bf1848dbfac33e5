"""Undo the tricks that make one word look like many: the cleaned copy that features are built on.

The original text is always kept for people; this copy is for matching. Each step is a pure
function so it can be tested on its own.
"""

from __future__ import annotations

import html
import re
import unicodedata

import ftfy

from pipeline.text.patterns import char_class_re

_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
_BIDI_CONTROL_CHARS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
# One character class instead of two translate tables: str.translate with a dict walks non-ASCII
# text character by character in Python-level lookups, a regex deletes in one C pass.
_INVISIBLE_RE = re.compile(f"[{_ZERO_WIDTH_CHARS}{_BIDI_CONTROL_CHARS}]+")
_TAG_RE = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]{0,500}>")
_SCRIPT_STYLE_RE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# The spaces of _SPACES_RE but the plain one: with none of them and no double space, every run
# is one plain space already.
_OTHER_SPACES_RE = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")

# Cyrillic and Greek letters that render like Latin ones. Recruiters write "Каmboja" with a
# Cyrillic К so that a keyword search for "Kamboja" misses it.
_HOMOGLYPHS = {
    "а": "a",
    "в": "b",
    "е": "e",
    "ё": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "і": "i",
    "ј": "j",
    "ѕ": "s",
    "ԁ": "d",
    "ԛ": "q",
    "ԝ": "w",
    "һ": "h",
    "ɡ": "g",
    "ո": "n",
    "А": "A",
    "В": "B",
    "Е": "E",
    "К": "K",
    "М": "M",
    "Н": "H",
    "О": "O",
    "Р": "P",
    "С": "C",
    "Т": "T",
    "У": "Y",
    "Х": "X",
    "І": "I",
    "Ј": "J",
    "Ѕ": "S",
    "α": "a",
    "β": "b",
    "ε": "e",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "Α": "A",
    "Β": "B",
    "Ε": "E",
    "Ζ": "Z",
    "Η": "H",
    "Ι": "I",
    "Κ": "K",
    "Μ": "M",
    "Ν": "N",
    "Ο": "O",
    "Ρ": "P",
    "Τ": "T",
    "Υ": "Y",
    "Χ": "X",
}
_HOMOGLYPH_TABLE = str.maketrans(_HOMOGLYPHS)
_HOMOGLYPH_CHARS = "".join(_HOMOGLYPHS)
_HOMOGLYPH_CHAR_RE = char_class_re(_HOMOGLYPHS)
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


# What ftfy.fix_text can change besides mojibake, from its documented fixes: C0 and C1 control
# characters and terminal escapes, the Latin ligatures (ﬁ, Ĳ, ǅ), fullwidth and halfwidth forms
# and the ideographic space, curly quotes, the deprecated format characters, the byte order mark,
# interlinear annotations, U+FFFD and lone surrogates. A post without any of them, in NFC and
# without the mark of mojibake below, is returned by ftfy as it came.
_FTFY_TARGET_RE = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u0132\u0133\u0149\u01c4-\u01cc\u01f1-\u01f3\u02bc"
    "\u2018-\u201f\u206a-\u206f\u3000\ud800-\udfff\ufb00-\ufb06\ufeff\uff01-\uffef\ufff9-\ufffd]"
)
# The single-byte code pages ftfy reads mojibake in (its documentation lists them; the "sloppy"
# ones differ from these only in bytes that decode to C1 controls, which are targets above).
_CODE_PAGES = (
    "latin-1",
    "cp1252",
    "cp1251",
    "cp1250",
    "cp1253",
    "cp1254",
    "cp1257",
    "iso8859-2",
    "mac_roman",
    "cp437",
)


def _decoded(first: int, last: int, code_pages: tuple[str, ...] = _CODE_PAGES) -> str:
    """The characters bytes ``first``..``last`` decode to in any of ``code_pages``, for a class."""
    chars = {
        char for name in code_pages for char in bytes(range(first, last + 1)).decode(name, "ignore")
    }
    return "".join(re.escape(char) for char in sorted(chars))


# Mojibake is UTF-8 read in one of those code pages: a character of a lead byte (0xC0-0xF4)
# followed by one of a continuation byte (0x80-0xBF), or, where a byte went missing on the way,
# by a space (a lost 0xA0; ftfy does not look for that in Mac Roman) or a "?".
_UTF8_AS_CODE_PAGE_RE = re.compile(
    f"[{_decoded(0xC0, 0xF4)}](?:[{_decoded(0x80, 0xBF)}]"
    f"|(?<=[{_decoded(0xC0, 0xF4, tuple(c for c in _CODE_PAGES if c != 'mac_roman'))}])[ ?])"
)


def repair_mojibake(text: str) -> str:
    """Fix text decoded with the wrong codec somewhere upstream ("Ã©", "â€™", "ðŸ‡°ðŸ‡­").

    ftfy is the slowest step of the text layer and most posts hold nothing it could change:
    plain ASCII, emoji, a Cyrillic look-alike letter or an accented word. Those skip it.
    """
    if _FTFY_TARGET_RE.search(text) is None and (
        text.isascii()
        or (_UTF8_AS_CODE_PAGE_RE.search(text) is None and unicodedata.is_normalized("NFC", text))
    ):
        return text
    return ftfy.fix_text(text, normalization="NFC", unescape_html=False, fix_line_breaks=False)


def strip_invisible(text: str) -> str:
    """Remove zero-width characters and bidi controls that split or reverse words invisibly."""
    if text.isascii():
        return text
    return _INVISIBLE_RE.sub("", text)


def fold_homoglyphs(text: str) -> str:
    """Replace Cyrillic/Greek look-alike letters inside Latin words with their Latin twins."""
    if text.isascii() or not _HOMOGLYPH_CHAR_RE.search(text):
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
    if "  " in text or _OTHER_SPACES_RE.search(text):
        text = _SPACES_RE.sub(" ", text)
    return text.strip()


def clean_text(text: str) -> str:
    """The full cleaning chain, in the order that lets each step see the previous one's result."""
    text = repair_mojibake(text)
    text = strip_html(text)
    text = strip_invisible(text)
    text = fold_unicode(text)
    text = fold_homoglyphs(text)
    text = strip_controls(text)
    return collapse_spaces(text)
