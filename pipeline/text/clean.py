"""Undo the tricks that make one word look like many: the cleaned copy that features are built on.

The original text is always kept for people; this copy is for matching. Each step is a pure
function so it can be tested on its own.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from re import _constants as re_constants  # the parser is the only way to inspect a pattern
from re import _parser as re_parser

import ftfy
from ftfy import chardata
from ftfy.badness import BADNESS_RE, is_bad

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


def _chars(table) -> set[str]:
    return {chr(c) if isinstance(c, int) else c for c in table}


def _quote_chars() -> set[str]:
    candidates = "".join(map(chr, range(0x80, 0x3000)))
    return set(chardata.SINGLE_QUOTE_RE.findall(candidates)) | set(chardata.DOUBLE_QUOTE_RE.findall(candidates))


@lru_cache(maxsize=1)
def _ftfy_fix_targets() -> re.Pattern[str]:
    """Every character one of ftfy's fixes other than mojibake decoding could act on.

    Besides decoding mojibake, ftfy replaces ligatures, fullwidth forms, curly quotes, C1 and other
    control characters, terminal escapes and surrogates. Read from ftfy's own tables so a newer
    ftfy with more of them is covered.
    """
    chars = _chars(chardata.CONTROL_CHARS) | _chars(chardata.LIGATURES) | _chars(chardata.WIDTH_MAP)
    chars |= _quote_chars()
    chars.update(chr(c) for c in range(0x80, 0xA0))  # C1 controls
    chars.update(chr(c) for c in range(0xD800, 0xE000))
    chars.update("\x1a\x1b\ufffd")
    return char_class_re(chars)


@lru_cache(maxsize=1)
def _ftfy_suspects() -> re.Pattern[str]:
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
    return char_class_re(chars)


def _ftfy_would_keep(text: str) -> bool:
    """Whether ``ftfy.fix_text`` (with our options) provably returns ``text`` unchanged.

    Code-page characters (Cyrillic look-alikes, accented letters, "–") put many clean posts among
    the suspects. ftfy only tries to decode a line as mojibake when ``ftfy.badness.is_bad`` says
    it looks like mojibake; a line that does not, holding no character its other fixes act on
    and already in NFC, is returned as it came. ftfy judges each line (up to and including its
    "\\n") on its own, so the check does too.
    """
    if _ftfy_fix_targets().search(text) or not unicodedata.is_normalized("NFC", text):
        return False
    if len(text) > _FTFY_SEGMENT_LIMIT:
        return False  # ftfy also cuts very long lines; not worth mirroring
    anchors = _badness_anchors()
    if anchors is not None and not anchors[0].search(text):
        return True  # no line holds a character a badness match needs
    start = 0
    while start < len(text):
        end = text.find("\n", start) + 1 or len(text)
        if _is_bad(text[start:end]):
            return False
        start = end
    return True


@lru_cache(maxsize=1)
def _badness_anchors() -> tuple[re.Pattern[str], int] | None:
    """A character class every match of ftfy's badness regex contains, and its longest match.

    ``ftfy.badness.is_bad`` runs a regex of some forty alternatives at every position, which costs
    more than the rest of the text layer. Each alternative needs one character from a set of
    non-ASCII code-page characters and matches at most a few characters, so only the stretch
    around such a character has to be searched. Derived from ftfy's own pattern; ``None`` (search
    everything) when the pattern is not of that shape.
    """
    tree = re_parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
    width = tree.getwidth()[1]
    if width > 16 or len(tree.data) != 1 or tree.data[0][0] is not re_constants.BRANCH:
        return None
    anchors: set[str] = set()
    for alternative in tree.data[0][1][1]:
        chars = _required_non_ascii(alternative)
        if not chars or not _window_safe(alternative):
            return None
        anchors |= chars
    return re.compile("[" + "".join(re.escape(c) for c in sorted(anchors)) + "]"), width


def _required_non_ascii(alternative) -> set[str] | None:
    """The characters of one mandatory, all-non-ASCII element of ``alternative``, if it has one."""
    for op, av in alternative.data:
        if op is re_constants.LITERAL and av > 0x7F:
            return {chr(av)}
        if op is re_constants.IN:
            chars: set[str] = set()
            for item_op, item in av:
                if item_op is re_constants.LITERAL and item > 0x7F:
                    chars.add(chr(item))
                elif item_op is re_constants.RANGE and item[0] > 0x7F:
                    chars.update(map(chr, range(item[0], item[1] + 1)))
                else:
                    break
            else:
                return chars
    return None


def _window_safe(alternative) -> bool:
    """No lookaround, word boundary or end anchor: a match depends only on the text it covers."""
    for op, av in alternative.data:
        if op in (re_constants.ASSERT, re_constants.ASSERT_NOT, re_constants.GROUPREF):
            return False
        if op is re_constants.AT and av is not re_constants.AT_BEGINNING:
            return False
        if op is re_constants.SUBPATTERN and not _window_safe(av[3]):
            return False
        if op in (re_constants.MAX_REPEAT, re_constants.MIN_REPEAT) and not _window_safe(av[2]):
            return False
        if op is re_constants.BRANCH and not all(_window_safe(a) for a in av[1]):
            return False
    return True


def _is_bad(segment: str) -> bool:
    """``ftfy.badness.is_bad(segment)``, searching only around the characters a match needs."""
    anchors = _badness_anchors()
    if anchors is None:
        return is_bad(segment)
    anchor_re, width = anchors
    # A match holding the anchor at i lies within [i - width + 1, i + width). Overlapping windows
    # are searched as one: a match inside either lies inside their union.
    window_start = window_end = -1
    for anchor in anchor_re.finditer(segment):
        start, end = max(0, anchor.start() - width + 1), anchor.end() + width - 1
        if start > window_end:
            if window_end > 0 and BADNESS_RE.search(segment, window_start, window_end):
                return True
            window_start = start
        window_end = end
    return window_end > 0 and BADNESS_RE.search(segment, window_start, window_end) is not None


# ftfy's max_decode_length (default 1,000,000) bounds the segments it judges; posts are far shorter.
_FTFY_SEGMENT_LIMIT = 100_000


def repair_mojibake(text: str) -> str:
    """Fix text decoded with the wrong codec somewhere upstream ("Ã©", "â€™", "ðŸ‡°ðŸ‡­")."""
    # ftfy is the slowest step of the text layer; most posts have nothing it could fix.
    if not _ftfy_suspects().search(text) and unicodedata.is_normalized("NFC", text):
        return text
    if _ftfy_would_keep(text):  # e.g. a Cyrillic look-alike letter in an otherwise clean post
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
