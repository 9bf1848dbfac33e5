"""Entities reviewers act on: contacts, pay, destinations, ages and job roles.

Money amounts are converted to an approximate monthly rupiah figure so that "USD 1,200",
"Rp 18jt" and "8 digit" can be compared with what a role normally pays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import ahocorasick

from pipeline.text import clean, patterns
from pipeline.text.lexicon import places
from pipeline.text.normalize import spelled_numbers_to_digits

# Approximate rupiah per unit; good enough to tell a realistic wage from bait.
IDR_PER_UNIT = {
    "rp": 1, "idr": 1, "usd": 16_000, "us$": 16_000, "$": 16_000, "dolar": 16_000, "dollar": 16_000,
    "rm": 3_500, "myr": 3_500, "ringgit": 3_500, "hkd": 2_000, "hk$": 2_000, "nt$": 500, "ntd": 500,
    "nt": 500, "twd": 500, "sgd": 12_000, "s$": 12_000, "¥": 105, "jpy": 105, "yen": 105,
    "krw": 11.5, "₩": 11.5, "won": 11.5, "sar": 4_300, "riyal": 4_300, "real": 4_300,
    "aed": 4_400, "dirham": 4_400, "yuan": 2_200, "rmb": 2_200, "baht": 450,
}
MULTIPLIERS = {
    "jt": 1e6, "juta": 1e6, "jeti": 1e6, "jtan": 1e6, "jutaan": 1e6, "million": 1e6, "m": 1e6,
    "rb": 1e3, "ribu": 1e3, "rbu": 1e3, "ribuan": 1e3, "k": 1e3,
}
_PERIOD_RE = re.compile(r"\s*(?:/|per|tiap|se)\s*(hari|day|jam|hour|minggu|week|bulan|bln|month|tahun|thn|year)", re.IGNORECASE)
_PERIOD_TO_MONTH = {"hari": 26, "day": 26, "jam": 208, "hour": 208, "minggu": 4.3, "week": 4.3,
                    "bulan": 1, "bln": 1, "month": 1, "tahun": 1 / 12, "thn": 1 / 12, "year": 1 / 12}
_AGE_RE = re.compile(
    r"\b(?:usia|umur|age|u)\s*[:.]?\s*(\d{2})\s*(?:-|–|s/?d|sampai|hingga|to|~)\s*(\d{2})\s*(?:th|thn|tahun|years?)?",
)
# The stretch every _AGE_RE match holds ("18-35", "18 sampai 35"). It starts with a digit, so
# the engine skips to digits in C instead of trying the word alternation everywhere.
_AGE_RANGE_HINT_RE = re.compile(r"\d{2}\s*(?:-|–|s/?d|sampai|hingga|to|~)\s*\d{2}")
_MAX_AGE_RE = re.compile(r"\b(?:usia|umur|age)\s*(?:max(?:imal)?|maks(?:imal)?|di ?bawah)\.?\s*(\d{2})")
_ROLE_RE = re.compile(
    r"\b(customer service|cs online|cs|admin(?: online| crypto| kripto| judi| slot)?|marketing(?: online)?|digital marketing|"
    r"telemarketing|operator|typist|data entry|input data|translator|penerjemah|it support|programmer|"
    r"abk|anak buah kapal|kru kapal|nelayan|art|prt|asisten rumah tangga|pembantu|baby ?sitter|caregiver|perawat lansia|"
    r"pelayan|waitress|terapis|pemandu karaoke|lc|spg|buruh|pekerja kebun|pekerja ladang|pekerja pabrik|kilang|"
    r"scammer|chatter|host live|model|penari|magang|intern)\b",
)

# Every match of these patterns holds one of a few words; finding none is cheaper than the search.
_MAX_AGE_GATE = patterns.Prefiltered(_MAX_AGE_RE)
_ROLE_GATE = patterns.Prefiltered(_ROLE_RE)

# Words that turn a place name into something else when they come right before it.
_NOT_A_PLACE_RE = re.compile(r"\b(?:bunga|kembang|pohon|daun|wangi|aroma|parfum) $", re.IGNORECASE)


@dataclass
class Money:
    text: str
    idr_per_month: float | None


@dataclass
class Entities:
    phones: list[str] = field(default_factory=list)
    chat_links: list[str] = field(default_factory=list)
    handles: list[str] = field(default_factory=list)
    money: list[Money] = field(default_factory=list)
    destinations: list[str] = field(default_factory=list)
    age_ranges: list[tuple[int, int]] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)

    @property
    def contacts(self) -> list[str]:
        return self.phones + self.chat_links + self.handles

    @property
    def max_monthly_pay(self) -> float | None:
        values = [m.idr_per_month for m in self.money if m.idr_per_month]
        return max(values) if values else None


def _to_number(raw: str) -> float | None:
    raw = raw.strip()
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", raw):
        raw = raw.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw):
        raw = raw.replace(",", "")
    else:
        raw = raw.replace(",", ".")
    try:
        return float(raw)
    except ValueError:
        return None


def money_to_idr_month(match: re.Match[str], following: str) -> float | None:
    """Approximate monthly rupiah of one money match; ``following`` is the text after it."""
    groups = match.groupdict()
    if groups.get("digits"):
        digits = int(re.match(r"\d+", groups["digits"]).group(0))
        return 10 ** (digits - 1)
    number = _to_number(groups.get("num_pre") or groups.get("num_post") or groups.get("num_bare") or "")
    if number is None:
        return None
    currency = (groups.get("cur_pre") or groups.get("cur_post") or "rp").lower().rstrip(".")
    multiplier = MULTIPLIERS.get((groups.get("mult_pre") or groups.get("mult_post") or groups.get("mult_bare") or "").lower(), 1)
    amount = number * multiplier * IDR_PER_UNIT.get(currency, 1)
    period = _PERIOD_RE.match(following)
    if period:
        amount *= _PERIOD_TO_MONTH[period.group(1).lower()]
    elif currency in ("rp", "idr") and amount < 300_000:
        return None  # "Rp 50rb" with no period is a fee or a price, not a wage
    return amount


@lru_cache(maxsize=1)
def _destination_re() -> re.Pattern[str]:
    aliases = {p.alias for p in places()}
    return re.compile(r"(?<![\w])(" + patterns.trie_alternation(aliases) + r")(?![\w])", re.IGNORECASE)


@lru_cache(maxsize=1)
def _alias_automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for alias in {p.alias for p in places()}:
        automaton.add_word(alias, len(alias))
    automaton.make_automaton()
    return automaton


def _alias_spans(lowered: str) -> list[tuple[int, int]]:
    """The spans ``_destination_re()`` finds in lower-cased text, from one pass over it.

    The regex tries, at each position left to right where no word character precedes, the
    longest alias that no word character follows, and goes on after it. The automaton lists
    every alias occurrence at once; picking among them the same way gives the same spans.
    """
    ends_by_start: dict[int, list[int]] = {}
    for last, length in _alias_automaton().iter(lowered):
        ends_by_start.setdefault(last - length + 1, []).append(last + 1)
    spans = []
    position = 0
    for start in sorted(ends_by_start):
        if start < position or (start > 0 and _is_word_char(lowered[start - 1])):
            continue
        for end in sorted(ends_by_start[start], reverse=True):
            if end == len(lowered) or not _is_word_char(lowered[end]):
                spans.append((start, end))
                position = end
                break
    return spans


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"  # what \w matches in a str pattern


@lru_cache(maxsize=1)
def _alias_to_place() -> dict[str, str]:
    return {p.alias: p.canonical for p in places()}




def _destination_spans(source: str) -> list[tuple[int, int, str]]:
    """``(start, end, alias)`` of each ``_destination_re().finditer(source)`` match, alias lower-cased.

    The aliases are lower-case, so the lower-cased text holds the same matches at the same
    places as long as lower-casing maps every character to exactly one (so positions agree; "İ"
    becomes two) and the text has none of the characters IGNORECASE matches beyond case (İ, ı,
    ſ). Lower-casing never turns a word character into a non-word one. Otherwise the regex runs.
    """
    lowered = source.lower()
    if len(lowered) == len(source) and not patterns.FOLD_EXTRAS_RE.search(source):
        return [(start, end, lowered[start:end]) for start, end in _alias_spans(lowered)]
    return [(m.start(), m.end(), m.group(1).lower()) for m in _destination_re().finditer(source)]


def extract(raw: str, normalized_text: str | None = None, cleaned: str | None = None) -> Entities:
    """Find entities in a post. ``normalized_text`` (from ``normalize``) adds de-obfuscated places.

    ``cleaned`` is ``clean.clean_text(raw)`` when the caller already has it.
    """
    text = clean.clean_text(raw) if cleaned is None else cleaned
    found = Entities()
    digits_text = spelled_numbers_to_digits(text, [])
    # Each phone pattern is searched only when the post has what every match of it holds.
    for regex, possible in (
        (patterns.PHONE_ID_RE, patterns.PHONE_ID_HINT_RE.search(digits_text)),
        (patterns.LETTER_O_PHONE_RE, patterns.LETTER_O_PHONE_HINT_RE.search(digits_text)),
        (patterns.PHONE_FOREIGN_RE, "+" in digits_text),
    ):
        for match in regex.finditer(digits_text) if possible else ():
            number = re.sub(r"[^\d+]", "", match.group(0).replace("O", "0").replace("o", "0"))
            if number not in found.phones:
                found.phones.append(number)
    for match in patterns.CHAT_LINK_RE.finditer(text) if patterns.may_have_chat_link(text) else ():
        link = match.group(0).rstrip(".,;)")
        if link not in found.chat_links:
            found.chat_links.append(link)
    without_emails = patterns.EMAIL_RE.sub(" ", text) if "@" in text else ""
    for match in patterns.HANDLE_RE.finditer(without_emails):
        if match.group(0) not in found.handles:
            found.handles.append(match.group(0))
    for match in patterns.iter_money(text):
        found.money.append(Money(match.group(0).strip(), money_to_idr_month(match, text[match.end():match.end() + 20])))
    lookup = _alias_to_place()
    for source in (text, normalized_text or ""):
        for start, _end, alias in _destination_spans(source):
            if _NOT_A_PLACE_RE.search(source, max(0, start - 12), start):
                continue  # "bunga kamboja" is a flower, not Cambodia
            place = lookup.get(alias)
            if place and place not in found.destinations:
                found.destinations.append(place)
    # Lower-cased once so the patterns below can match case-sensitively, which is much faster.
    lowered = text.lower()
    for match in _AGE_RE.finditer(lowered) if _AGE_RANGE_HINT_RE.search(lowered) else ():
        low, high = int(match.group(1)), int(match.group(2))
        if 10 <= low <= high <= 70:
            found.age_ranges.append((low, high))
    for match in _MAX_AGE_RE.finditer(lowered) if _MAX_AGE_GATE.may_match(lowered) else ():
        found.age_ranges.append((0, int(match.group(1))))
    for match in _ROLE_RE.finditer(lowered) if _ROLE_GATE.may_match(lowered) else ():
        role = match.group(1).lower()
        if role not in found.roles:
            found.roles.append(role)
    return found
