"""Regular expressions shared by the normaliser and the entity extractors."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from re import _constants as re_constants  # reading a pattern's structure needs the parser
from re import _parser as re_parser

import ahocorasick

URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"']+|\b[a-z0-9-]+\.(?:com|id|me|ly|co|net|org|io|link|site)(?:/[^\s<>\"']*)?", re.IGNORECASE)
CHAT_LINK_RE = re.compile(
    r"(?:https?://)?(?:www\.)?(?:wa\.me/[^\s]*|api\.whatsapp\.com/[^\s]*|chat\.whatsapp\.com/[^\s]*|"
    r"wa\.link/[^\s]*|t\.me/[^\s]*|telegram\.me/[^\s]*|line\.me/[^\s]*|m\.me/[^\s]*)",
    re.IGNORECASE,
)
# Every chat link contains one of these; checking for them first spares the costly search.
CHAT_LINK_HINTS = ("wa.me/", "api.whatsapp.com/", "chat.whatsapp.com/", "wa.link/", "t.me/", "telegram.me/",
                   "line.me/", "m.me/")
# A link shortener hides where it leads: neither a chat (it may open one) nor a company's site.
SHORT_LINK_RE = re.compile(
    r"(?:https?://)?(?:www\.)?(?:bit\.ly|s\.id|tinyurl\.com|cutt\.ly|shorturl\.at|rb\.gy|linktr\.ee|t\.ly|is\.gd)/[^\s]*",
    re.IGNORECASE,
)
SHORT_LINK_HINTS = ("bit.ly/", "s.id/", "tinyurl.com/", "cutt.ly/", "shorturl.at/", "rb.gy/", "linktr.ee/", "t.ly/", "is.gd/")


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
    body = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
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
    "nol": "0", "kosong": "0", "zero": "0", "satu": "1", "one": "1", "dua": "2", "two": "2",
    "tiga": "3", "three": "3", "empat": "4", "four": "4", "lima": "5", "five": "5", "enam": "6",
    "six": "6", "tujuh": "7", "seven": "7", "delapan": "8", "lapan": "8", "eight": "8",
    "sembilan": "9", "nine": "9",
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
        pieces.append(text[last:match.start()])
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


def required_literals(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings of which every match of ``pattern`` contains at least one, or ``None``.

    Read from the parsed pattern. A stretch of plain characters, alternations of them and
    optional parts of them needs one of the strings it can spell ("(?:usia|umur) _num_" needs
    "usia _num_" or "umur _num_"). A sequence needs what any one of its parts needs (the most
    selective part is kept), an alternation one of what each branch needs, a repeat what its body
    needs when it must occur at least once. Lookarounds, classes and optional parts need nothing.
    Case-insensitive patterns get ``None``: their literals could match in another case.
    """
    if pattern.flags & re.IGNORECASE:
        return None
    needed = _needed(re_parser.parse(pattern.pattern, pattern.flags).data)
    if not needed:
        return None
    # A string holding another one of the set is found whenever that one is: checking it is waste.
    return tuple(sorted(s for s in needed if not any(o != s and o in s for o in needed)))


_MAX_SPELLINGS = 64
_REPEATS = (re_constants.MAX_REPEAT, re_constants.MIN_REPEAT, re_constants.POSSESSIVE_REPEAT)


def _spellings(items) -> frozenset[str] | None:
    """Every string ``items`` can match, when it is built only of plain characters, alternations
    and optional parts (``x?``) of them and spells at most _MAX_SPELLINGS strings; else ``None``."""
    strings = frozenset([""])
    for op, av in items:
        if op is re_constants.LITERAL:
            part: frozenset[str] | None = frozenset([chr(av)])
        elif op is re_constants.SUBPATTERN:
            part = None if av[1] & re.IGNORECASE else _spellings(av[3].data)
        elif op is re_constants.BRANCH:
            branches = [_spellings(branch.data) for branch in av[1]]
            part = None if any(b is None for b in branches) else frozenset().union(*branches)
        elif op in _REPEATS and av[0] == 0 and av[1] == 1:
            body = _spellings(av[2].data)
            part = None if body is None else body | {""}
        else:
            return None
        if part is None:
            return None
        strings = frozenset(a + b for a in strings for b in part)
        if len(strings) > _MAX_SPELLINGS:
            return None
    return strings


def _needed(items) -> frozenset[str] | None:
    options: list[frozenset[str]] = []
    run = frozenset([""])  # the spellings of the plain stretch read so far

    def end_run() -> None:
        if min(map(len, run)) > 0:
            options.append(run)

    for op, av in items:
        spelled = _spellings([(op, av)])
        if spelled is not None:
            joined = frozenset(a + b for a in run for b in spelled)
            if len(joined) <= _MAX_SPELLINGS:
                run = joined
            else:
                end_run()
                run = spelled
            continue
        end_run()
        run = frozenset([""])
        if op is re_constants.SUBPATTERN:
            found = None if av[1] & re.IGNORECASE else _needed(av[3].data)
        elif op is re_constants.ATOMIC_GROUP:
            found = _needed(av.data)
        elif op is re_constants.BRANCH:
            branches = [_needed(branch.data) for branch in av[1]]
            found = None if any(b is None for b in branches) else frozenset().union(*branches)
        elif op in _REPEATS:
            found = _needed(av[2].data) if av[0] >= 1 else None
        else:
            found = None
        if found:
            options.append(found)
    end_run()
    if not options:
        return None
    # The most selective choice: the longest shortest string, then the fewest strings.
    return max(options, key=lambda strings: (min(map(len, strings)), -len(strings)))


class Prefiltered:
    """A compiled pattern whose searches first check for the literals every match contains.

    Most posts lack every keyword of most patterns; one pass of an Aho-Corasick automaton over
    the text, which stops at the first literal found, costs far less than a regex search trying
    every position. ``search`` returns exactly what ``pattern.search`` returns: when none of the
    required literals occurs, no match can.
    """

    __slots__ = ("_automaton", "literals", "pattern")

    def __init__(self, pattern: re.Pattern[str]):
        self.pattern = pattern
        self.literals = required_literals(pattern)
        self._automaton = None
        if self.literals is not None:
            self._automaton = ahocorasick.Automaton()
            for literal in self.literals:
                self._automaton.add_word(literal, literal)
            self._automaton.make_automaton()

    def may_match(self, text: str) -> bool:
        return self._automaton is None or next(self._automaton.iter(text), None) is not None

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.may_match(text) else None


class KeywordGate:
    """Finds in one pass which required literals of many patterns occur in a text.

    ``needed`` maps each pattern to its :func:`required_literals` (patterns without any are left
    out and always searched); ``present(text)`` returns the literals found in ``text``. A
    pattern whose literals are all absent from the text cannot match it.
    """

    def __init__(self, patterns: Iterable[re.Pattern[str]]):
        self.needed: dict[re.Pattern[str], frozenset[str]] = {}
        for pattern in patterns:
            literals = required_literals(pattern)
            if literals is not None:
                self.needed[pattern] = frozenset(literals)
        self._automaton = ahocorasick.Automaton()
        for literal in set().union(*self.needed.values()):
            self._automaton.add_word(literal, literal)
        self._automaton.make_automaton()

    def present(self, text: str) -> frozenset[str]:
        if not self.needed:
            return frozenset()
        return frozenset(literal for _end, literal in self._automaton.iter(text))
