"""Regular expressions shared by the normaliser and the entity extractors."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

import ahocorasick

URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+|\b[a-z0-9-]+\.(?:com|id|me|ly|co|net|org|io|link|site)(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)
CHAT_LINK_RE = re.compile(
    r"(?:https?://)?(?:www\.)?(?:wa\.me/[^\s]*|api\.whatsapp\.com/[^\s]*|chat\.whatsapp\.com/[^\s]*|"
    r"wa\.link/[^\s]*|t\.me/[^\s]*|telegram\.me/[^\s]*|line\.me/[^\s]*|m\.me/[^\s]*)",
    re.IGNORECASE,
)
# Every chat link contains one of these; checking for them first spares the costly search.
CHAT_LINK_HINTS = (
    "wa.me/",
    "api.whatsapp.com/",
    "chat.whatsapp.com/",
    "wa.link/",
    "t.me/",
    "telegram.me/",
    "line.me/",
    "m.me/",
)
# A link shortener hides where it leads: neither a chat (it may open one) nor a company's site.
SHORT_LINK_RE = re.compile(
    r"(?:https?://)?(?:www\.)?(?:bit\.ly|s\.id|tinyurl\.com|cutt\.ly|shorturl\.at|rb\.gy|linktr\.ee|t\.ly|is\.gd)/[^\s]*",
    re.IGNORECASE,
)
SHORT_LINK_HINTS = (
    "bit.ly/",
    "s.id/",
    "tinyurl.com/",
    "cutt.ly/",
    "shorturl.at/",
    "rb.gy/",
    "linktr.ee/",
    "t.ly/",
    "is.gd/",
)


def may_have_chat_link(text: str) -> bool:
    lowered = text.lower()
    return any(hint in lowered for hint in CHAT_LINK_HINTS)


def may_have_short_link(text: str) -> bool:
    lowered = text.lower()
    return any(hint in lowered for hint in SHORT_LINK_HINTS)


# Every URL_RE match holds "://", "www." or a dot before one of its domain endings, in any case.
URL_HINTS = ("://", "www.", ".co", ".id", ".me", ".ly", ".net", ".org", ".io", ".link", ".site")


def char_class_re(chars: Iterable[str]) -> re.Pattern[str]:
    """A pattern matching any one of ``chars``, written as ranges.

    ``pattern.search(text)`` scans in C; ``frozenset.isdisjoint(text)`` makes a string object for
    every character of the text and costs several times more.
    """
    codes = sorted({ord(c) for c in chars})
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    body = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return re.compile(f"[{body}]")


# Characters IGNORECASE matches to an ASCII letter that str.lower() does not turn into it.
FOLD_EXTRAS_RE = char_class_re("\u0130\u0131\u017f")


def may_hold_any(text: str, words: Iterable[str]) -> bool:
    """Whether ``text`` may hold one of the lower-case ``words`` in any case, as IGNORECASE sees it.

    False only when none occurs in the lower-cased text and the text has none of the characters
    IGNORECASE matches to an ASCII letter that lower-casing does not produce.
    """
    if FOLD_EXTRAS_RE.search(text):
        return True
    lowered = text.lower()
    return any(word in lowered for word in words)


def may_have_url(text: str) -> bool:
    return may_hold_any(text, URL_HINTS)


EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
HANDLE_RE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_.]{2,30}\b")
# The @mentions a comment opens with name whom it answers, not whom to contact.
LEADING_MENTIONS_RE = re.compile(r"\A(?:\s*@[A-Za-z0-9_.]{2,30}\b[,:]?)+")

# Indonesian mobile numbers in the forms people type them: 0812-3456-7890, +62 812 3456 7890,
# 62812..., (0812) 345 678, with spaces, dots or dashes anywhere.
_SEP = r"[\s.\-()]{0,2}"
PHONE_ID_RE = re.compile(rf"(?<![\d\w])(?:\+?62|0){_SEP}8(?:{_SEP}\d){{7,11}}(?!\d)")
PHONE_FOREIGN_RE = re.compile(rf"(?<![\d\w])\+(?!62)\d{{1,3}}{_SEP}\d(?:{_SEP}\d){{6,12}}(?!\d)")
# The letter O typed for the zero of 08...: "O812 3456 789".
LETTER_O_PHONE_RE = re.compile(rf"(?<![\w])[oO]{_SEP}8(?:{_SEP}\d){{7,11}}(?!\d)")
# What every match of the two patterns above holds: the 0 (or the 2 of 62, or the letter O) and
# the 8 after it. These begin with a class, so the engine skips to candidates in C; the full
# patterns, which begin with a lookbehind, then run only on posts that have one.
PHONE_ID_HINT_RE = re.compile(rf"[02]{_SEP}8")
LETTER_O_PHONE_HINT_RE = re.compile(rf"[oO]{_SEP}8")

DIGIT_WORDS = {
    "nol": "0",
    "kosong": "0",
    "zero": "0",
    "satu": "1",
    "one": "1",
    "dua": "2",
    "two": "2",
    "tiga": "3",
    "three": "3",
    "empat": "4",
    "four": "4",
    "lima": "5",
    "five": "5",
    "enam": "6",
    "six": "6",
    "tujuh": "7",
    "seven": "7",
    "delapan": "8",
    "lapan": "8",
    "eight": "8",
    "sembilan": "9",
    "nine": "9",
}
# Four or more digit words (or digits) in a row: a phone number spelled out to dodge filters.
_DIGIT_WORD_ALTERNATION = "|".join(sorted(DIGIT_WORDS, key=len, reverse=True))
SPELLED_NUMBER_RE = re.compile(
    rf"\b(?:(?:{_DIGIT_WORD_ALTERNATION}|\d)[\s,.\-]*){{4,}}\b", re.IGNORECASE
)

# The currency words an amount can start with ("Rp 5jt", "USD 1,200").
_CURRENCY_FIRST = r"rp\.?|idr|usd|us\$|\$|rm|myr|hkd|hk\$|nt\$|ntd|twd|sgd|s\$|¥|jpy|yen|krw|₩|sar|aed|riyal|ringgit"
_NUM = r"\d{1,3}(?:[.,]\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?"
# Every amount has a digit within its first nine characters ("ringgit 1"); the lookahead lets the
# engine skip the long alternation everywhere else.
MONEY_RE = re.compile(
    rf"(?=\D{{0,8}}+\d)(?:(?P<cur_pre>{_CURRENCY_FIRST})\s?(?P<num_pre>{_NUM})\s?(?P<mult_pre>jt|juta|jeti|rb|ribu|k|m|ribuan|million|jutaan)?\b)"
    rf"|(?:\b(?P<num_post>{_NUM})\s?(?P<mult_post>jt|juta|jeti|jtan|rb|ribu|rbu|k|m|million)?\s?(?P<cur_post>usd|dolar|dollar|\$|rm|ringgit|hkd|ntd|nt|twd|sgd|yen|won|riyal|real|dirham|yuan|rmb|baht)\b)"
    rf"|(?:\b(?P<num_bare>{_NUM})\s?(?P<mult_bare>jt|juta|jeti|jtan|rb|ribu|rbu|k)\b)"
    # A count of digits: "8 digit", and with a unit "3 digit dolar", "2 digit juta" (a bare small
    # count is more often a PIN or an OTP than pay).
    rf"|(?P<digits>\b(?:(?:[1-9]|1[0-2])\s?digit\s?(?P<digits_unit>juta|jt|ribu|rb|dolar|dollar|usd|ringgit|rm|yen|won|riyal|real|dirham|yuan|baht|ntd|hkd|sgd)|(?:[5-9]|1[0-2])\s?digit)\b)",
    re.IGNORECASE,
)
# A currency word that ends where a number starts, as MONEY_RE's ``cur_pre`` (with its flags).
# The last characters of those words in every case IGNORECASE allows: a cheap test before the search.
CURRENCY_LAST_CHARS = frozenset("pPrRdDmMyYnNwWlLtT.$¥₩")
_CURRENCY_BEFORE_NUMBER_RE = re.compile(rf"(?:{_CURRENCY_FIRST})\s?\Z", re.IGNORECASE)
_DIGIT_RUN_RE = re.compile(r"\d+")


def iter_money(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``MONEY_RE.finditer(text)``, found by trying only where one can start.

    MONEY_RE's lookahead runs at every position of a post, which made it the costliest pattern
    of the text layer. Every match starts at a number or at a currency word, and that number (or
    the one right after the currency word and an optional space) starts a run of digits. So per
    run of digits only two places can start a match: a currency word ending right before the run
    (found with one search over the eight characters before it, the reach of MONEY_RE's
    lookahead), and the run's first digit when no word character precedes it (``\\b``). Both
    continue with the same number, so when several currency words end there the leftmost one
    matches if any does. Trying them left to right, never before the end of the previous match,
    gives the same leftmost, non-overlapping matches (MONEY_RE never matches the empty string).
    """
    end = 0  # no match may start before the previous one ends
    tried = 0  # positions before this were tried already
    for run in _DIGIT_RUN_RE.finditer(text):
        first_digit = run.start()
        if first_digit < end:
            continue
        match = None
        window_start = max(end, tried, first_digit - 8)
        if window_start < first_digit and _may_end_currency(text, first_digit):
            currency = _CURRENCY_BEFORE_NUMBER_RE.search(text, window_start, first_digit)
            if currency:
                match = MONEY_RE.match(text, currency.start())
        if match is None and (first_digit == 0 or not _is_word_char(text[first_digit - 1])):
            match = MONEY_RE.match(text, first_digit)
        if match:
            end = match.end()
            yield match
        tried = first_digit + 1


def _may_end_currency(text: str, number_start: int) -> bool:
    """Whether a currency word can end right before ``number_start`` (or one space before it)."""
    last = text[number_start - 1]
    if last.isspace():  # what \\s matches in a str pattern
        if number_start < 2:
            return False
        last = text[number_start - 2]
    return last in CURRENCY_LAST_CHARS


def _is_word_char(char: str) -> bool:
    """What ``\\w`` matches in a str pattern."""
    return char.isalnum() or char == "_"


def sub_money(replacement: str, text: str) -> str:
    """``MONEY_RE.sub(replacement, text)`` for a plain replacement string, via :func:`iter_money`."""
    pieces = []
    last = 0
    for match in iter_money(text):
        pieces.append(text[last : match.start()])
        pieces.append(replacement)
        last = match.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def trie_alternation(words: Iterable[str]) -> str:
    """A regex group matching any of ``words``, longest first, written as a prefix tree.

    ``a|ab|abc`` as a flat alternation makes the engine compare every word at every position;
    the tree ``a(?:b(?:c)?)?`` shares prefixes, so a gazetteer of a hundred names costs about
    as much as one. It matches exactly what the flat, longest-first alternation matches.
    """
    root: dict = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return "(?:" + _render(root) + ")"


def _render(node: dict) -> str:
    branches = [re.escape(char) + _render(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return "(?:" + body + ")?" if len(branches) > 1 or len(body) > 1 else body + "?"
    return body


class Prefiltered:
    """A compiled pattern whose searches first check for words one of which every match holds.

    The words are declared by the caller, next to the pattern (a gazetteer's names, the role words
    of an alternation). Most posts hold none of them; one pass of an Aho-Corasick automaton over
    the text, which stops at the first word found, costs far less than a regex search trying
    every position. ``search`` returns exactly what ``pattern.search`` returns as long as every
    match holds one of ``literals``.
    """

    __slots__ = ("_automaton", "literals", "pattern")

    def __init__(self, pattern: re.Pattern[str], literals: Iterable[str]):
        self.pattern = pattern
        self.literals = tuple(sorted(set(literals)))
        if not self.literals:
            raise ValueError("a prefilter needs at least one literal")
        self._automaton = ahocorasick.Automaton()
        for literal in self.literals:
            self._automaton.add_word(literal, literal)
        self._automaton.make_automaton()

    def may_match(self, text: str) -> bool:
        return next(self._automaton.iter(text), None) is not None

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.may_match(text) else None


class KeywordGate:
    """Finds in one pass which of the hint words of many patterns occur in a text.

    ``needed`` maps each pattern to words one of which every match holds (patterns without any
    are left out and always searched); ``present(text)`` returns the words found in ``text``. A
    pattern whose words are all absent from the text cannot match it.
    """

    def __init__(self, needed: Mapping[re.Pattern[str], Iterable[str]]):
        self.needed: dict[re.Pattern[str], frozenset[str]] = {
            pattern: frozenset(words) for pattern, words in needed.items() if words
        }
        self._automaton = ahocorasick.Automaton()
        for word in set().union(*self.needed.values()):
            self._automaton.add_word(word, word)
        self._automaton.make_automaton()

    def present(self, text: str) -> frozenset[str]:
        if not self.needed:
            return frozenset()
        return frozenset(word for _end, word in self._automaton.iter(text))
