"""Regular expressions shared by the normaliser and the entity extractors."""

from __future__ import annotations

import re
from collections.abc import Iterable

URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"']+|\b[a-z0-9-]+\.(?:com|id|me|ly|co|net|org|io|link|site)(?:/[^\s<>\"']*)?", re.IGNORECASE)
CHAT_LINK_RE = re.compile(
    r"(?:https?://)?(?:www\.)?(?:wa\.me/[^\s]*|api\.whatsapp\.com/[^\s]*|chat\.whatsapp\.com/[^\s]*|"
    r"wa\.link/[^\s]*|t\.me/[^\s]*|telegram\.me/[^\s]*|line\.me/[^\s]*|m\.me/[^\s]*|s\.id/[^\s]*|bit\.ly/[^\s]*)",
    re.IGNORECASE,
)
# Every chat link contains one of these; checking for them first spares the costly search.
CHAT_LINK_HINTS = ("wa.me/", "api.whatsapp.com/", "chat.whatsapp.com/", "wa.link/", "t.me/", "telegram.me/",
                   "line.me/", "m.me/", "s.id/", "bit.ly/")


def may_have_chat_link(text: str) -> bool:
    lowered = text.lower()
    return any(hint in lowered for hint in CHAT_LINK_HINTS)


EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
HANDLE_RE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_.]{2,30}\b")

# Indonesian mobile numbers in the forms people type them: 0812-3456-7890, +62 812 3456 7890,
# 62812..., (0812) 345 678, with spaces, dots or dashes anywhere.
_SEP = r"[\s.\-()]{0,2}"
PHONE_ID_RE = re.compile(rf"(?<![\d\w])(?:\+?62|0){_SEP}8(?:{_SEP}\d){{7,11}}(?!\d)")
PHONE_FOREIGN_RE = re.compile(rf"(?<![\d\w])\+(?!62)\d{{1,3}}{_SEP}\d(?:{_SEP}\d){{6,12}}(?!\d)")
# The letter O typed for the zero of 08...: "O812 3456 789".
LETTER_O_PHONE_RE = re.compile(rf"(?<![\w])[oO]{_SEP}8(?:{_SEP}\d){{7,11}}(?!\d)")

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

_NUM = r"\d{1,3}(?:[.,]\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?"
# Every amount has a digit within its first nine characters ("ringgit 1"); the lookahead lets the
# engine skip the long alternation everywhere else.
MONEY_RE = re.compile(
    rf"(?=\D{{0,8}}+\d)(?:(?P<cur_pre>rp\.?|idr|usd|us\$|\$|rm|myr|hkd|hk\$|nt\$|ntd|twd|sgd|s\$|¥|jpy|yen|krw|₩|sar|aed|riyal|ringgit)\s?(?P<num_pre>{_NUM})\s?(?P<mult_pre>jt|juta|jeti|rb|ribu|k|m|ribuan|million|jutaan)?\b)"
    rf"|(?:\b(?P<num_post>{_NUM})\s?(?P<mult_post>jt|juta|jeti|jtan|rb|ribu|rbu|k|m|million)?\s?(?P<cur_post>usd|dolar|dollar|\$|rm|ringgit|hkd|ntd|nt|twd|sgd|yen|won|riyal|real|dirham|yuan|rmb|baht)\b)"
    rf"|(?:\b(?P<num_bare>{_NUM})\s?(?P<mult_bare>jt|juta|jeti|jtan|rb|ribu|rbu|k)\b)"
    rf"|(?P<digits>\b(?:[5-9]|1[0-2])\s?digit\b)",
    re.IGNORECASE,
)


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
