"""Entities reviewers act on: contacts, pay, destinations, ages and job roles.

Money amounts are converted to an approximate monthly rupiah figure so that "USD 1,200",
"Rp 18jt" and "8 digit" can be compared with what a role normally pays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

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
_MAX_AGE_RE = re.compile(r"\b(?:usia|umur|age)\s*(?:max(?:imal)?|maks(?:imal)?|di ?bawah)\.?\s*(\d{2})")
_ROLE_RE = re.compile(
    r"\b(customer service|cs online|cs|admin(?: online| crypto| kripto| judi| slot)?|marketing(?: online)?|digital marketing|"
    r"telemarketing|operator|typist|data entry|input data|translator|penerjemah|it support|programmer|"
    r"abk|anak buah kapal|kru kapal|nelayan|art|prt|asisten rumah tangga|pembantu|baby ?sitter|caregiver|perawat lansia|"
    r"pelayan|waitress|terapis|pemandu karaoke|lc|spg|buruh|pekerja kebun|pekerja ladang|pekerja pabrik|kilang|"
    r"scammer|chatter|host live|model|penari|magang|intern)\b",
)


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
def _alias_to_place() -> dict[str, str]:
    return {p.alias: p.canonical for p in places()}


def extract(raw: str, normalized_text: str | None = None, cleaned: str | None = None) -> Entities:
    """Find entities in a post. ``normalized_text`` (from ``normalize``) adds de-obfuscated places.

    ``cleaned`` is ``clean.clean_text(raw)`` when the caller already has it.
    """
    text = clean.clean_text(raw) if cleaned is None else cleaned
    found = Entities()
    digits_text = spelled_numbers_to_digits(text, [])
    for regex in (patterns.PHONE_ID_RE, patterns.LETTER_O_PHONE_RE, patterns.PHONE_FOREIGN_RE):
        for match in regex.finditer(digits_text):
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
    for match in patterns.MONEY_RE.finditer(text):
        found.money.append(Money(match.group(0).strip(), money_to_idr_month(match, text[match.end():match.end() + 20])))
    lookup = _alias_to_place()
    for source in (text, normalized_text or ""):
        for match in _destination_re().finditer(source):
            if _NOT_A_PLACE_RE.search(source, max(0, match.start() - 12), match.start()):
                continue  # "bunga kamboja" is a flower, not Cambodia
            place = lookup.get(match.group(1).lower())
            if place and place not in found.destinations:
                found.destinations.append(place)
    # Lower-cased once so the patterns below can match case-sensitively, which is much faster.
    lowered = text.lower()
    for match in _AGE_RE.finditer(lowered):
        low, high = int(match.group(1)), int(match.group(2))
        if 10 <= low <= high <= 70:
            found.age_ranges.append((low, high))
    for match in _MAX_AGE_RE.finditer(lowered):
        found.age_ranges.append((0, int(match.group(1))))
    for match in _ROLE_RE.finditer(lowered):
        role = match.group(1).lower()
        if role not in found.roles:
            found.roles.append(role)
    return found
