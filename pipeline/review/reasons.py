"""Reasons as a person reads them: the post's own words, in the reader's language, no internal tokens.

Scoring writes reasons with the evidence quoted from the normalised text (``kontak hanya lewat
chat: "hubungi"``, ``menyasar usia sangat muda: "usia _num_ bisa"``); that column stays as the
machine-readable contract. Everything a person reads — the desk, the spreadsheet export, the
evaluation report — goes through ``explain_post``, which parses those reasons, finds each piece of
evidence in the original post (``highlight.locate``) and renders it back:
``kontak hanya lewat chat: "Japri"``, ``kata disamarkan: "'negara K'" (= Kamboja)``,
``menyasar usia sangat muda: "Umur 16 iso"``. Evidence that cannot be found is shown with its
placeholder tokens replaced by words (``(angka)``), never as ``_num_``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.review import highlight
from pipeline.review.contacts import contact_key, display

_QUOTED_RE = re.compile(r'"([^"]*)"')
_APPROX_RE = re.compile(r"\s*\(?≈\s*Rp\s*([\d.,]+)\s*(?:jt|juta)?\s*/\s*(?:bln|bulan)\)?")
_PLACEHOLDER_RE = re.compile(r"(?<![\w@./])_([a-z]+)_(?![\w])")
_DISGUISE_PREFIX_RE = re.compile(r"^(?P<what>[^:→]+):\s*(?P<rest>.+)$")

SECTIONS: dict[str, dict[str, str]] = {
    "id": {"terms": "kata kuat", "contacts": "kontak", "destinations": "tujuan", "pay": "gaji", "counter": "penyeimbang",
           "amount": "uang disebut", "means": "="},
    "en": {"terms": "strong terms", "contacts": "contacts", "destinations": "destinations", "pay": "pay",
           "counter": "counter-signal", "amount": "amount mentioned", "means": "="},
}
PLACEHOLDER_WORDS: dict[str, dict[str, str]] = {
    "id": {"num": "(angka)", "money": "(jumlah uang)", "phone": "(nomor telepon)", "url": "(tautan)",
           "chatlink": "(tautan chat)", "email": "(e-mail)", "handle": "(akun)"},
    "en": {"num": "(number)", "money": "(amount)", "phone": "(phone number)", "url": "(link)",
           "chatlink": "(chat link)", "email": "(e-mail)", "handle": "(account)"},
}
# How the text layer names the tricks it undid; the English reader gets these words instead.
EVASIONS_EN: dict[str, str] = {
    "angka ditulis huruf": "number spelled out",
    "nama samaran tempat": "place nickname",
    "singkatan tempat": "place abbreviation",
    "karakter tak terlihat di dalam kata": "invisible characters inside a word",
    "huruf hias (🅰🅱) menyamarkan kata": "decorative letters (🅰🅱) hide a word",
    "huruf Sirilik/Yunani menyamar sebagai huruf Latin": "Cyrillic/Greek letters posing as Latin ones",
    "huruf O dipakai sebagai angka 0 di nomor telepon": "letter O used for the digit 0 in a phone number",
}
# Words right before an amount that make it a fee, a dowry or a price, not pay. Shown so the
# reviewer is not told "pay" for a dowry; the entities will carry this distinction themselves.
_NOT_PAY_RE = re.compile(
    r"\b(mahar|maskawin|biaya|biayanya|bayar|bayaran di muka|fee|tip|ongkos|harga|modal|dp|uang muka|setor|cicil|"
    r"deposit|jaminan|hadiah|kanggo kolot|untuk keluarga|price|cost|upfront)\b",
    re.IGNORECASE,
)
_PAY_WORD_RE = re.compile(r"\b(gaji|gajih|gajinya|upah|salary|pay|income|penghasilan|digaji|bayaran per|komisi|bonus)\b", re.IGNORECASE)
DISGUISED = "kata_disamarkan"


@dataclass
class Quote:
    """One piece of evidence: what the reason quoted, and where it is in the post."""

    evidence: str
    span: tuple[int, int] | None = None
    original: str = ""
    means: str = ""  # what a disguised word stands for
    what: str = ""  # the trick, for disguised words ("angka ditulis huruf")


@dataclass
class Reason:
    section: str  # flag, counter, terms, contacts, destinations, pay, other
    name: str = ""  # the indicator's name, when the reason is an indicator
    label_id: str = ""
    label_en: str = ""
    quotes: list[Quote] = field(default_factory=list)
    values: list[str] = field(default_factory=list)  # contacts or destinations as listed
    idr: float | None = None
    raw: str = ""

    def mark_kind(self) -> str:
        if self.section == "flag":
            return "disguised" if self.name == DISGUISED else "flag"
        return {"counter": "counter", "terms": "term", "contacts": "contact", "destinations": "destination",
                "pay": "pay"}.get(self.section, "flag")

    def label(self, lang: str) -> str:
        return (self.label_en if lang == "en" else self.label_id) or self.label_id or self.label_en


@dataclass
class PostReasons:
    """A post's reasons, its evidence located in the original text, and the marks for the desk."""

    text: str
    reasons: list[Reason]
    marks: list[highlight.Mark]

    def lines(self, lang: str = "id") -> list[str]:
        return [line for line in (render(r, lang, self.text) for r in self.reasons) if line]

    def flags(self) -> list[Reason]:
        return [r for r in self.reasons if r.section == "flag"]

    def pieces(self) -> list[highlight.Piece]:
        return highlight.pieces(self.text, self.marks)


@lru_cache(maxsize=1)
def indicator_labels() -> dict[str, tuple[str, str, str, str]]:
    """Indicator label (Indonesian or English) → (name, label_id, label_en, kind)."""
    from pipeline import indicators

    out: dict[str, tuple[str, str, str, str]] = {}
    for item in getattr(indicators, "REGISTRY", ()):
        value = (item.name, item.label_id, item.label_en, item.kind)
        out[item.label_id] = value
        out[item.label_en] = value
    return out


@lru_cache(maxsize=1)
def indicator_names() -> dict[str, tuple[str, str]]:
    """Indicator name → (label_id, label_en), for filters and chips."""
    return {name: (label_id, label_en) for name, label_id, label_en, _kind in indicator_labels().values()}


def indicator_label(name: str, lang: str = "id") -> str:
    labels = indicator_names().get(name)
    if not labels:
        return name.replace("_", " ")
    return labels[1] if lang == "en" else labels[0]


def split_reasons(reasons: str) -> list[str]:
    """Split on ``; `` outside quotes (disguised-word evidence holds ``; `` inside its quote)."""
    out, buffer, quoted = [], [], False
    i = 0
    text = reasons or ""
    while i < len(text):
        ch = text[i]
        if ch == '"':
            quoted = not quoted
        if not quoted and text.startswith("; ", i):
            out.append("".join(buffer).strip())
            buffer = []
            i += 2
            continue
        buffer.append(ch)
        i += 1
    out.append("".join(buffer).strip())
    return [item for item in out if item]


def _section_of(item: str) -> tuple[str, str]:
    for lang in ("id", "en"):
        names = SECTIONS[lang]
        for section in ("terms", "contacts", "destinations", "pay"):
            prefix = names[section] + ": "
            if item.startswith(prefix):
                return section, item[len(prefix):]
        for dash in (" – ", " - "):
            prefix = names["counter"] + dash
            if item.startswith(prefix):
                return "counter", item[len(prefix):]
    return "flag", item


def parse(reasons: str) -> list[Reason]:
    out: list[Reason] = []
    labels = indicator_labels()
    for item in split_reasons(reasons):
        section, rest = _section_of(item)
        if section == "terms":
            out.append(Reason("terms", quotes=[Quote(q) for q in _QUOTED_RE.findall(rest)], raw=item))
        elif section in ("contacts", "destinations"):
            out.append(Reason(section, values=[v.strip() for v in rest.split(",") if v.strip()], raw=item))
        elif section == "pay":
            quoted = _QUOTED_RE.findall(rest)
            out.append(Reason("pay", quotes=[Quote(q) for q in quoted[:1]], idr=_approx(rest), raw=item))
        else:
            label, _, evidence = rest.partition(": ")
            known = labels.get(label)
            if known is None:
                out.append(Reason("other", raw=item))
                continue
            name, label_id, label_en, kind = known
            if evidence.startswith('"') and evidence.endswith('"'):
                evidence = evidence[1:-1]
            reason = Reason("counter" if section == "counter" or kind == "counter" else "flag", name, label_id, label_en, raw=item)
            reason.quotes, reason.idr = _quotes_for(name, evidence)
            out.append(reason)
    return out


def _approx(text: str) -> float | None:
    match = _APPROX_RE.search(text)
    if not match:
        return None
    try:
        return float(match.group(1).replace(",", ".")) * 1e6
    except ValueError:
        return None


def _quotes_for(name: str, evidence: str) -> tuple[list[Quote], float | None]:
    idr = _approx(evidence)
    if idr is not None:
        evidence = _APPROX_RE.sub("", evidence).strip()
    if name == DISGUISED:
        quotes = []
        for part in evidence.split("; "):
            part = part.strip()
            what = ""
            prefixed = _DISGUISE_PREFIX_RE.match(part)
            if prefixed:
                what, part = prefixed.group("what").strip(), prefixed.group("rest").strip()
            source, arrow, target = part.partition(" → ")
            if arrow:
                quotes.append(Quote(source.strip(), means=target.strip(), what=what))
            elif what and part:
                quotes.append(Quote(part, what=what))
            else:
                quotes.append(Quote("", what=part))  # a trick without a word to quote
        return quotes, idr
    parts = [p.strip() for p in evidence.split(" + ")] if " + " in evidence else [evidence.strip()]
    return [Quote(p) for p in parts if p], idr


def explain_post(text: str, reasons: str, contacts: str = "", destinations: str = "") -> PostReasons:
    """Parse ``reasons`` and find every piece of evidence (and every entity) in ``text``."""
    return _explain(text or "", reasons or "", contacts or "", destinations or "")


@lru_cache(maxsize=2048)
def _explain(text: str, reasons: str, contacts: str, destinations: str) -> PostReasons:
    parsed = parse(reasons)
    marks: list[highlight.Mark] = []
    for reason in parsed:
        kind = reason.mark_kind()
        title = reason.label_id or SECTIONS["id"].get(reason.section, "")
        for quote in reason.quotes:
            if not quote.evidence:
                continue
            if reason.section == "flag" and reason.name == "kontak_hanya_chat" and quote.evidence.replace(" ", "").isdigit():
                quote.span = highlight.locate_digits(text, quote.evidence)
            if quote.span is None and quote.evidence.casefold() in _aliases():
                spans = place_spans(text, quote.evidence.casefold())
                quote.span = spans[0] if spans else None
            if quote.span is None:
                quote.span = highlight.locate(text, quote.evidence)
            if quote.span and not quote.means and quote.evidence.casefold() in _aliases():
                written = text[quote.span[0]:quote.span[1]]
                if written.casefold() != quote.evidence.casefold():
                    quote.means = quote.evidence  # a place written another way: Dubai, 'negara K', L-a-o-s
            if quote.span is None and " " in quote.evidence and ", " in quote.evidence:
                # "kuwait, oman": two places quoted together.
                pieces = [Quote(p.strip()) for p in quote.evidence.split(", ") if p.strip()]
                for piece in pieces:
                    piece.span = highlight.locate(text, piece.evidence)
                if all(p.span for p in pieces):
                    reason.quotes = [q for q in reason.quotes if q is not quote] + pieces
                    for piece in pieces:
                        piece.original = text[piece.span[0]:piece.span[1]]
                        marks.append(highlight.Mark(*piece.span, kind, title))
                    continue
            if quote.span:
                quote.original = text[quote.span[0]:quote.span[1]]
                marks.append(highlight.Mark(*quote.span, kind, title))
    for key in dict.fromkeys(contacts.split() if contacts else []):
        span = highlight.locate_digits(text, key) if contact_key(key).isdigit() else highlight.locate(text, key)
        if span is None and "/" in key:
            span = highlight.locate(text, key.split("/")[-1])
        if span:
            marks.append(highlight.Mark(*span, "contact", SECTIONS["id"]["contacts"]))
    for place in (d.strip() for d in destinations.split(",") if d.strip()):
        for span in place_spans(text, place):
            marks.append(highlight.Mark(*span, "destination", SECTIONS["id"]["destinations"]))
    for reason in parsed:
        if reason.section == "contacts":
            for value in reason.values:
                span = highlight.locate_digits(text, value) if contact_key(value).isdigit() else highlight.locate(text, value)
                reason.quotes.append(Quote(value, span, text[span[0]:span[1]] if span else ""))
        if reason.section == "pay" and reason.quotes and reason.quotes[0].span:
            # The pay quote also lights up the amount, in its own colour.
            marks.append(highlight.Mark(*reason.quotes[0].span, "pay", SECTIONS["id"]["pay"]))
    return PostReasons(text, parsed, marks)


@lru_cache(maxsize=1)
def _aliases() -> dict[str, tuple[str, ...]]:
    from pipeline.text.lexicon import places

    out: dict[str, list[str]] = {}
    for place in places():
        out.setdefault(place.canonical, []).append(place.alias)
    return {canonical: tuple(sorted(set(aliases) | {canonical}, key=len, reverse=True)) for canonical, aliases in out.items()}


def place_spans(text: str, place: str) -> list[tuple[int, int]]:
    """Where a destination is named in the post: its own name, an alias (Dubai for UEA) or a disguise."""
    spans = []
    for alias in _aliases().get(place, (place,)):
        if len(alias) < 3:
            continue
        span = highlight.locate(text, alias, fuzzy=False)
        if span and all(span[1] <= s or span[0] >= e for s, e in spans):
            spans.append(span)
            break
    return spans


def without_placeholders(text: str, lang: str = "id") -> str:
    """Placeholder tokens (``_num_``, ``_money_``, ...) replaced by words a person reads."""
    words = PLACEHOLDER_WORDS["en" if lang == "en" else "id"]
    return _PLACEHOLDER_RE.sub(lambda m: words.get(m.group(1), ""), text).replace("  ", " ").strip()


def format_idr(value: float | str | None, lang: str = "id", monthly: bool = True) -> str:
    """The one way the desk writes an amount: ``Rp 19 juta/bulan``, ``Rp 7,5 juta/bulan``."""
    try:
        number = float(value) if value not in (None, "") else 0.0
    except (TypeError, ValueError):
        return ""
    if number <= 0:
        return ""
    millions = number / 1e6
    figure = f"{millions:.0f}" if abs(millions - round(millions)) < 0.05 or millions >= 100 else f"{millions:.1f}"
    if lang == "en":
        return f"Rp {figure} million" + ("/month" if monthly else "")
    return f"Rp {figure.replace('.', ',')} juta" + ("/bulan" if monthly else "")


def amount_is_pay(text: str, span: tuple[int, int] | None) -> bool:
    """False when the words just before the amount make it a fee, a dowry or a price."""
    if span is None:
        return True
    before = text[max(0, span[0] - 40):span[0]]
    fee = [m.end() for m in _NOT_PAY_RE.finditer(before)]
    pay = [m.end() for m in _PAY_WORD_RE.finditer(before)]
    return not fee or (bool(pay) and pay[-1] > fee[-1])


def _quote_text(quote: Quote, lang: str) -> str:
    if quote.original:
        return f'"{quote.original}"'
    return f'"{without_placeholders(quote.evidence, lang)}"' if quote.evidence else ""


def _means(value: str, lang: str) -> str:
    value = without_placeholders(value, lang)
    return value.title() if value.casefold() in _aliases() else value


def render(reason: Reason, lang: str = "id", text: str = "") -> str:
    """One reason in ``lang``, with the post's own words quoted and no placeholder token."""
    names = SECTIONS["en" if lang == "en" else "id"]
    if reason.section == "terms":
        terms = []
        for quote in reason.quotes:
            shown = _quote_text(quote, lang)
            readable_term = quote.original or not any(highlight.is_placeholder(t) for t in quote.evidence.split())
            if readable_term and shown and shown not in terms:
                terms.append(shown)
        return f"{names['terms']}: " + ", ".join(terms) if terms else ""
    if reason.section == "contacts":
        shown = [display(contact_key(q.evidence)) for q in reason.quotes] or [display(contact_key(v)) for v in reason.values]
        return f"{names['contacts']}: " + ", ".join(dict.fromkeys(shown)) if shown else ""
    if reason.section == "destinations":
        return f"{names['destinations']}: " + ", ".join(v.title() for v in reason.values)
    if reason.section == "pay":
        quote = reason.quotes[0] if reason.quotes else None
        is_pay = amount_is_pay(text, quote.span if quote else None)
        label = names["pay"] if is_pay else names["amount"]
        amount = format_idr(reason.idr, lang, monthly=is_pay)
        quoted = _quote_text(quote, lang) if quote else ""
        return f"{label}: {quoted}" + (f" ≈ {amount}" if amount else "")
    if reason.section == "other":
        return without_placeholders(reason.raw, lang)
    label = reason.label(lang)
    quoted = []
    for quote in reason.quotes:
        what = EVASIONS_EN.get(quote.what, quote.what) if lang == "en" else quote.what
        shown = _quote_text(quote, lang)
        if quote.means and quote.original.casefold() != quote.means.casefold():
            shown += f" ({names['means']} {_means(quote.means, lang)})"
        if what and not quote.means and not shown:
            shown = what
        elif what and quote.what not in ("nama samaran tempat",) and not quote.means:
            shown = f"{what} {shown}"
        if shown:
            quoted.append(shown)
    if reason.name == "gaji_tidak_wajar" and reason.idr:
        quoted = [q + f" ≈ {format_idr(reason.idr, lang)}" for q in quoted[:1]]
    body = " + ".join(quoted) if quoted else ""
    line = f"{label}: {body}" if body else label
    if reason.section == "counter":
        line = f"{names['counter']} – {line}"
    return line


def readable(text: str, reasons: str, lang: str = "id", contacts: str = "", destinations: str = "") -> str:
    """The ``; ``-joined reasons of one post as a person reads them (for exports and reports)."""
    return "; ".join(explain_post(text, reasons, contacts, destinations).lines(lang))
