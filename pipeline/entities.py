"""Entities reviewers act on: contacts, pay and other money, destinations, ages and job roles.

Money is read with what it is for: pay, a fee (a crossing fare is one), a dowry, a price, a prize
or a loss ("kerugian Rp35 juta" is not a salary). Pay is converted to an approximate monthly
rupiah figure so that "USD 1,200", "Rp 18jt", "2k/bulan" and "8 digit" can be compared with what
a role normally pays; :func:`format_money` is how every reason and the desk show money.

Contacts are reduced to one key each (:func:`contact_key`): "0812…", "+62 812…", "62812…" and
"wa.me/62812…" are one number, "t.me/x" and "@x" one handle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import ahocorasick

from pipeline.text import clean, patterns
from pipeline.text.lexicon import places
from pipeline.text.normalize import spelled_numbers_to_digits
from pipeline.text.patterns import may_hold_any

# Approximate rupiah per unit; good enough to tell a realistic wage from bait.
IDR_PER_UNIT = {
    "rp": 1,
    "idr": 1,
    "usd": 16_000,
    "us$": 16_000,
    "$": 16_000,
    "dolar": 16_000,
    "dollar": 16_000,
    "rm": 3_500,
    "myr": 3_500,
    "ringgit": 3_500,
    "hkd": 2_000,
    "hk$": 2_000,
    "nt$": 500,
    "ntd": 500,
    "nt": 500,
    "twd": 500,
    "sgd": 12_000,
    "s$": 12_000,
    "¥": 105,
    "jpy": 105,
    "yen": 105,
    "krw": 11.5,
    "₩": 11.5,
    "won": 11.5,
    "sar": 4_300,
    "riyal": 4_300,
    "real": 4_300,
    "aed": 4_400,
    "dirham": 4_400,
    "yuan": 2_200,
    "rmb": 2_200,
    "baht": 450,
}
MULTIPLIERS = {
    "jt": 1e6,
    "juta": 1e6,
    "jeti": 1e6,
    "jtan": 1e6,
    "jutaan": 1e6,
    "million": 1e6,
    "m": 1e6,
    "rb": 1e3,
    "ribu": 1e3,
    "rbu": 1e3,
    "ribuan": 1e3,
    "k": 1e3,
}
_PERIOD_RE = re.compile(
    r"\s*(?:/|per|tiap|se)\s*(hari|day|jam|hour|minggu|week|bulan|bln|month|tahun|thn|year)",
    re.IGNORECASE,
)
_PERIOD_TO_MONTH = {
    "hari": 26,
    "day": 26,
    "jam": 208,
    "hour": 208,
    "minggu": 4.3,
    "week": 4.3,
    "bulan": 1,
    "bln": 1,
    "month": 1,
    "tahun": 1 / 12,
    "thn": 1 / 12,
    "year": 1 / 12,
}
_AGE_RE = re.compile(
    r"\b(?:usia|umur|age|u)\s*[:.]?\s*(\d{2})\s*(?:-|–|s/?d|sampai|hingga|to|~)\s*(\d{2})\s*(?:th|thn|tahun|years?)?",
)
# The stretch every _AGE_RE match holds ("18-35", "18 sampai 35"). It starts with a digit, so
# the engine skips to digits in C instead of trying the word alternation everywhere.
_AGE_RANGE_HINT_RE = re.compile(r"\d{2}\s*(?:-|–|s/?d|sampai|hingga|to|~)\s*\d{2}")
_MAX_AGE_RE = re.compile(
    r"\b(?:usia|umur|age)\s*(?:max(?:imal)?|maks(?:imal)?|di ?bawah)\.?\s*(\d{2})"
)
_ROLE_RE = re.compile(
    r"\b(customer service|cs online|cs|admin(?: online| crypto| kripto| judi| slot)?|marketing(?: online)?|digital marketing|"
    r"telemarketing|operator|typist|data entry|input data|translator|penerjemah|it support|programmer|"
    r"abk|anak buah kapal|kru kapal|nelayan|art|prt|asisten rumah tangga|pembantu|baby ?sitter|caregiver|perawat lansia|"
    r"pelayan|waitress|terapis|pemandu karaoke|lc|spg|buruh|pekerja kebun|pekerja ladang|pekerja pabrik|kilang|"
    r"scammer|chatter|host live|model|penari|magang|intern)\b",
)

# Every match of these patterns holds one of a few words; finding none is cheaper than the search.
# The words are the alternatives the patterns start with (the roles, written out once more).
_MAX_AGE_GATE = patterns.Prefiltered(_MAX_AGE_RE, ("usia", "umur", "age"))
_ROLE_GATE = patterns.Prefiltered(
    _ROLE_RE,
    (
        "customer service",
        "cs",
        "admin",
        "marketing",
        "operator",
        "typist",
        "data entry",
        "input data",
        "translator",
        "penerjemah",
        "it support",
        "programmer",
        "abk",
        "anak buah kapal",
        "kru kapal",
        "nelayan",
        "art",
        "prt",
        "asisten rumah tangga",
        "pembantu",
        "baby sitter",
        "babysitter",
        "caregiver",
        "perawat lansia",
        "pelayan",
        "waitress",
        "terapis",
        "pemandu karaoke",
        "lc",
        "spg",
        "buruh",
        "pekerja kebun",
        "pekerja ladang",
        "pekerja pabrik",
        "kilang",
        "scammer",
        "chatter",
        "host live",
        "model",
        "penari",
        "magang",
        "intern",
    ),
)

_RISK_BY_PLACE = {p.canonical: p.risk for p in places()}

# Words that turn a place name into something else when they come right before it.
_NOT_A_PLACE_RE = re.compile(r"\b(?:bunga|kembang|pohon|daun|wangi|aroma|parfum) $", re.IGNORECASE)


# What an amount is for, read from the words right before it (the nearest wins) or after it.
PAY, FEE, DOWRY, PRICE, PRIZE, LOSS, AMOUNT = (
    "pay",
    "fee",
    "dowry",
    "price",
    "prize",
    "loss",
    "amount",
)
_KIND_WORDS = {
    PAY: (
        "gaji",
        "gajih",
        "salary",
        "upah",
        "penghasilan",
        "pendapatan",
        "income",
        "bayaran",
        "digaji",
        "thp",
        "take home",
        "earn",
        "wage",
        "bonus",
        "komisi",
        "insentif",
        "lembur",
    ),
    FEE: (
        "biaya",
        "bayar",
        "membayar",
        "dp",
        "uang muka",
        "uang jalan",
        "uang proses",
        "administrasi",
        "pendaftaran",
        "ongkos",
        "tarif",
        "fee",
        "tebus",
        "setor",
        "transfer",
        "deposit",
        "jaminan",
        "cicil",
        "cicilan",
        "ongkir",
        "tiket",
        "sewa",
        "pungutan",
        "dipungut",
        "bea",
    ),
    DOWRY: ("mahar", "mas kawin", "maskawin", "panai", "seserahan", "uang susu"),
    PRICE: ("harga", "diskon", "promo", "paket", "dijual", "jual", "seharga"),
    PRIZE: ("hadiah", "menang", "memenangkan", "undian", "doorprize", "cashback"),
    LOSS: (
        "kerugian",
        "rugi",
        "merugi",
        "kehilangan",
        "raib",
        "ditipu",
        "tertipu",
        "dirampas",
        "digelapkan",
        "menggelapkan",
        "ganti rugi",
        "dibawa kabur",
        "uang korban",
        "menipu",
    ),
}
_KIND_WORD_RE = re.compile(
    r"\b("
    + "|".join(
        sorted((re.escape(w) for ws in _KIND_WORDS.values() for w in ws), key=len, reverse=True)
    )
    + r")\b"
)
_KIND_OF_WORD = {w: kind for kind, ws in _KIND_WORDS.items() for w in ws}
# "3,5jt/org": a price per head is a fare or a fee, never a wage.
_PER_HEAD_RE = re.compile(
    r"\s*(?:/|per|tiap|se)\s*(?:org|orang|kepala|pax|person)\b", re.IGNORECASE
)
_CLAUSE_END_RE = re.compile(r"[.!?\n;]")
_NON_PAY = frozenset({FEE, DOWRY, PRICE, PRIZE, LOSS})

# Display codes of the currencies, one per unit word.
_CURRENCY_CODE = {
    "rp": "Rp",
    "idr": "Rp",
    "usd": "USD",
    "us$": "USD",
    "$": "USD",
    "dolar": "USD",
    "dollar": "USD",
    "rm": "RM",
    "myr": "RM",
    "ringgit": "RM",
    "hkd": "HKD",
    "hk$": "HKD",
    "nt$": "NT$",
    "ntd": "NT$",
    "nt": "NT$",
    "twd": "NT$",
    "sgd": "SGD",
    "s$": "SGD",
    "¥": "JPY",
    "jpy": "JPY",
    "yen": "JPY",
    "krw": "KRW",
    "₩": "KRW",
    "won": "KRW",
    "sar": "SAR",
    "riyal": "SAR",
    "real": "SAR",
    "aed": "AED",
    "dirham": "AED",
    "yuan": "CNY",
    "rmb": "CNY",
    "baht": "THB",
}
_PERIOD_NAME = {
    "hari": "hari",
    "day": "hari",
    "jam": "jam",
    "hour": "jam",
    "minggu": "minggu",
    "week": "minggu",
    "bulan": "bulan",
    "bln": "bulan",
    "month": "bulan",
    "tahun": "tahun",
    "thn": "tahun",
    "year": "tahun",
}
# Pay written as a bare number after a pay word ("gaji 1.500/bulan" in a post about work abroad).
_BARE_PAY_RE = re.compile(
    r"\b(?:gaji|gajih|salary|upah|income|penghasilan|bayaran)\s*:?\s*(?:sekitar|mulai|hingga|sampai|up to|s/d|±)?\s*"
    r"(\d{1,3}(?:[.,]\d{3})+|\d{3,})(?![\d.,]*\s?(?:jt|juta|rb|ribu|k|m|digit|%|tahun|thn|jam|hari|orang|x)\b)",
    re.IGNORECASE,
)
_ABROAD_WORDS_RE = re.compile(
    r"\b(?:luar negeri|overseas|abroad|ln|negara tetangga|kerja di asia)\b", re.IGNORECASE
)


@dataclass
class Money:
    """One amount in a post. ``idr_per_month`` is set for pay only (``kind`` pay or amount)."""

    text: str
    idr_per_month: float | None
    kind: str = AMOUNT
    idr: float | None = None  # the amount as written, in rupiah, without its period
    currency: str = "Rp"
    amount: float | None = None  # in ``currency``
    period: str = ""  # "bulan", "hari", ... when the post gives one


@dataclass
class Entities:
    phones: list[str] = field(default_factory=list)
    chat_links: list[str] = field(default_factory=list)
    handles: list[str] = field(default_factory=list)
    addressees: list[str] = field(default_factory=list)  # @mentions that open the post
    money: list[Money] = field(default_factory=list)
    destinations: list[str] = field(default_factory=list)
    age_ranges: list[tuple[int, int]] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)

    @property
    def contacts(self) -> list[str]:
        """Every contact once, as its :func:`contact_key`."""
        return list(
            dict.fromkeys(contact_key(c) for c in self.phones + self.chat_links + self.handles)
        )

    @property
    def pay(self) -> list[Money]:
        """Amounts that may be pay: not a fee, a dowry, a price, a prize or a loss."""
        return [m for m in self.money if m.kind not in _NON_PAY]

    @property
    def best_pay(self) -> Money | None:
        """The pay with the highest monthly figure."""
        known = [m for m in self.pay if m.idr_per_month]
        return max(known, key=lambda m: m.idr_per_month or 0.0) if known else None

    @property
    def max_monthly_pay(self) -> float | None:
        best = self.best_pay
        return best.idr_per_month if best else None


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


def money_to_idr_month(
    match: re.Match[str], following: str, foreign: str | None = None
) -> float | None:
    """Approximate monthly rupiah of one money match; ``following`` is the text after it.

    ``foreign`` is the currency a ``k`` amount without one is in ("1.5k" in a post about work
    abroad is dollars, not rupiah), or ``None`` for rupiah.
    """
    return _read_money(match, following, foreign).idr_per_month


def _read_money(match: re.Match[str], following: str, foreign: str | None = None) -> Money:
    """One money match read into a ``Money`` (kind still ``amount``): currency, amount, period."""
    groups = match.groupdict()
    text = match.group(0).strip()
    if groups.get("digits"):
        leading = re.match(r"\d+", groups["digits"])
        assert leading is not None  # the pattern's digits group always starts with the count
        count = int(leading.group(0))
        unit = (groups.get("digits_unit") or "").lower()
        if unit in MULTIPLIERS:
            idr = 10 ** (count - 1) * MULTIPLIERS[unit]
            return Money(text, idr, PAY, idr, "Rp", idr, "")
        if unit:
            currency = _CURRENCY_CODE.get(unit, "USD")
            amount = 10 ** (count - 1)
            idr = amount * IDR_PER_UNIT.get(unit, 16_000)
            return Money(text, idr, PAY, idr, currency, amount, "")
        if count >= 7:  # "8 digit": only rupiah run to eight digits a month
            return Money(
                text, 10 ** (count - 1), PAY, 10 ** (count - 1), "Rp", 10 ** (count - 1), ""
            )
        return Money(text, None, PAY)  # "5 digit": pay, in a currency the post does not say
    number = _to_number(
        groups.get("num_pre") or groups.get("num_post") or groups.get("num_bare") or ""
    )
    if number is None:
        return Money(text, None)
    unit = (groups.get("cur_pre") or groups.get("cur_post") or "").lower().rstrip(".")
    mult_word = (
        groups.get("mult_pre") or groups.get("mult_post") or groups.get("mult_bare") or ""
    ).lower()
    if not unit and mult_word == "k" and foreign:
        unit = foreign
    unit = unit or "rp"
    amount = number * MULTIPLIERS.get(mult_word, 1)
    idr = amount * IDR_PER_UNIT.get(unit, 1)
    currency = _CURRENCY_CODE.get(unit, unit.upper())
    period = _PERIOD_RE.match(following)
    if period:
        name = _PERIOD_NAME[period.group(1).lower()]
        per_month = idr * _PERIOD_TO_MONTH[period.group(1).lower()]
        return Money(text, per_month, AMOUNT, idr, currency, amount, name)
    if currency == "Rp" and idr < 300_000:
        return Money(
            text, None, AMOUNT, idr, currency, amount
        )  # "Rp 50rb" with no period is a fee or a price
    return Money(text, idr, AMOUNT, idr, currency, amount)


def money_kind(text: str, start: int, end: int) -> str:
    """What the amount at ``text[start:end]`` is for: the nearest kind word before it in the same
    clause, else a per-head price after it (a fee), else ``amount``."""
    clause_start = max(0, start - 60)
    for stop in _CLAUSE_END_RE.finditer(text, clause_start, start):
        clause_start = stop.end()
    window = text[clause_start:start].lower()
    words = list(_KIND_WORD_RE.finditer(window))
    if words:
        return _KIND_OF_WORD[words[-1].group(1)]
    if _PER_HEAD_RE.match(text, end):
        return FEE
    return AMOUNT


def _classified(money: Money, kind: str) -> Money:
    if kind in _NON_PAY:
        money.kind, money.idr_per_month = kind, None
    elif kind == PAY or money.period:
        money.kind = PAY
    return money


def _foreign_unit(text: str, destinations: list[str]) -> str | None:
    """The currency a bare ``k`` amount is in: the foreign currency the post names, else dollars
    when the post is about work abroad; ``None`` (rupiah) otherwise."""
    abroad = any(
        _RISK_BY_PLACE.get(d) != "border" or d == "malaysia" for d in destinations
    ) or bool(_ABROAD_WORDS_RE.search(text))
    if not abroad:
        return None
    for match in patterns.iter_money(text):
        unit = (match.group("cur_pre") or match.group("cur_post") or "").lower().rstrip(".")
        if unit and unit not in ("rp", "idr"):
            return unit
    named = _CURRENCY_WORD_RE.search(text)
    return named.group(1).lower() if named else "usd"


# A foreign currency named without an amount next to it ("gaji 1.500/bulan, dibayar ringgit").
_CURRENCY_WORD_RE = re.compile(
    r"\b(rm|myr|ringgit|ntd|twd|yen|jpy|sgd|hkd|riyal|sar|dirham|aed|baht|won|krw|yuan|rmb)\b",
    re.IGNORECASE,
)


def format_number(value: float) -> str:
    """Indonesian digits: thousands with dots, one decimal with a comma ("1.500", "4,5")."""
    if abs(value - round(value)) < 0.05:
        return f"{round(value):,}".replace(",", ".")
    return f"{value:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")


def format_rupiah(idr: float) -> str:
    """ "Rp 15 jt", "Rp 4,5 jt", "Rp 350 rb", "Rp 1,2 M"."""
    for size, unit in ((1e9, "M"), (1e6, "jt"), (1e3, "rb")):
        if abs(idr) >= size:
            return f"Rp {format_number(idr / size)} {unit}"
    return f"Rp {format_number(idr)}"


def format_idr_month(idr_per_month: float) -> str:
    """A monthly rupiah figure for people: "Rp 15 jt/bulan"."""
    return f"{format_rupiah(idr_per_month)}/bulan"


def format_money(money: Money) -> str:
    """One amount for people, the same everywhere: "Rp 15 jt/bulan", "USD 1.500/bulan ≈ Rp 24 jt",
    "Rp 500 rb/hari ≈ Rp 13 jt/bulan", "Rp 12 jt" (a fee), or the words of the post when the
    amount is unknown ("5 digit")."""
    if money.idr is None and money.idr_per_month is None:
        return money.text
    is_pay = money.kind not in _NON_PAY and money.idr_per_month is not None
    period = money.period or ("bulan" if is_pay else "")
    written = (
        format_rupiah(money.amount or 0.0)
        if money.currency == "Rp"
        else f"{money.currency} {format_number(money.amount or 0.0)}"
    )
    written += f"/{period}" if period else ""
    if money.currency == "Rp" and period in ("", "bulan"):
        return written
    if is_pay and period != "bulan":
        return f"{written} ≈ {format_idr_month(money.idr_per_month or 0.0)}"
    return f"{written} ≈ {format_rupiah(money.idr or 0.0)}"


_PHONE_KEY_RE = re.compile(r"^\+?[\dOo][\d\s.\-()Oo]{5,}$")
_NUMBER_IN_LINK_RE = re.compile(r"(?:wa\.me/|wa\.link/|phone=)\+?(\d{7,15})", re.IGNORECASE)
# A Telegram name, or a message in its channel ("t.me/name/12" is still the account "@name").
_TELEGRAM_NAME_RE = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:t|telegram)\.me/(?!\+|joinchat)([A-Za-z0-9_]{3,})(?:/\d+)?/?$",
    re.IGNORECASE,
)


def contact_key(text: str) -> str:
    """One key per contact, however it is written.

    Indonesian numbers become ``62…`` ("0812-3456-7890", "+62 812 3456 7890", "62812…" and
    "wa.me/62812…" are one number), foreign numbers their digits with the country code; Telegram
    links to a name (or to a message in its channel) and @handles become ``@name`` in lower case;
    other links lose their scheme, "www." and a trailing slash.
    """
    value = text.strip().rstrip(".,;)")
    number = _NUMBER_IN_LINK_RE.search(value)
    if number:
        return _phone_key(number.group(1))
    name = _TELEGRAM_NAME_RE.match(value)
    if name:
        return "@" + name.group(1).lower()
    if value.startswith("@"):
        return value.lower().rstrip(".")
    if _PHONE_KEY_RE.match(value):
        return _phone_key(value)
    link = re.sub(r"^(?:https?://)?(?:www\.)?", "", value, flags=re.IGNORECASE).rstrip("/")
    host, _, path = link.partition("/")
    return host.lower() + ("/" + path if path else "")


def _phone_key(value: str) -> str:
    digits = re.sub(r"\D", "", value.replace("O", "0").replace("o", "0"))
    if digits.startswith("0"):
        return "62" + digits[1:]
    return digits


@lru_cache(maxsize=1)
def _destination_re() -> re.Pattern[str]:
    aliases = {p.alias for p in places()}
    return re.compile(
        r"(?<![\w])(" + patterns.trie_alternation(aliases) + r")(?![\w])", re.IGNORECASE
    )


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


def _add_money(found: Entities, text: str) -> None:
    """Every amount in ``text`` with what it is for; bare numbers after a pay word as pay."""
    foreign: list[str | None] = []  # worked out once, and only for an amount that needs it

    def foreign_unit() -> str | None:
        if not foreign:
            foreign.append(_foreign_unit(text, found.destinations))
        return foreign[0]

    matches = list(patterns.iter_money(text))
    for match in matches:
        bare_k = (
            match.group("mult_bare") or match.group("mult_post") or ""
        ).lower() == "k" and not (match.group("cur_pre") or match.group("cur_post"))
        money = _read_money(
            match, text[match.end() : match.end() + 20], foreign_unit() if bare_k else None
        )
        found.money.append(_classified(money, money_kind(text, match.start(), match.end())))
    if not may_hold_any(text, _BARE_PAY_WORDS):
        return
    taken = [(m.start(), m.end()) for m in matches]
    for match in _BARE_PAY_RE.finditer(text):
        start = match.start(1)
        if any(a <= start < b for a, b in taken):
            continue
        number = _to_number(match.group(1)) or 0.0
        period = _PERIOD_RE.match(text, match.end(1))
        name = _PERIOD_NAME[period.group(1).lower()] if period else ""
        factor = _PERIOD_TO_MONTH[period.group(1).lower()] if period else 1
        unit = foreign_unit() if number < 100_000 else None
        if number >= 100_000:
            money = Money(match.group(1), number * factor, PAY, number, "Rp", number, name)
        elif unit:
            rate = IDR_PER_UNIT.get(unit, 16_000)
            money = Money(
                match.group(1),
                number * rate * factor,
                PAY,
                number * rate,
                _CURRENCY_CODE.get(unit, unit.upper()),
                number,
                name,
            )
        else:
            money = Money(match.group(1), None, PAY)  # pay, in a currency the post does not say
        found.money.append(money)


_BARE_PAY_WORDS = ("gaji", "gajih", "salary", "upah", "income", "penghasilan", "bayaran")


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
    opening = patterns.LEADING_MENTIONS_RE.match(without_emails)
    addressed_up_to = opening.end() if opening else 0
    for match in patterns.HANDLE_RE.finditer(without_emails):
        kept = found.addressees if match.start() < addressed_up_to else found.handles
        if match.group(0) not in kept:
            kept.append(match.group(0))
    lookup = _alias_to_place()
    for source in (text, normalized_text or ""):
        for start, _end, alias in _destination_spans(source):
            if _NOT_A_PLACE_RE.search(source, max(0, start - 12), start):
                continue  # "bunga kamboja" is a flower, not Cambodia
            place = lookup.get(alias)
            if place and place not in found.destinations:
                found.destinations.append(place)
    _add_money(found, text)
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
