"""Reasons as a person reads them: the post's own words, in the reader's language, no internal tokens.

Scoring writes reasons with the evidence quoted from the normalised text (``kontak hanya lewat
chat: "hubungi"``, ``menyasar usia sangat muda: "usia _num_ bisa"``); that column stays as the
machine-readable contract. Everything a person reads — the desk, the spreadsheet export, the
evaluation report — goes through ``explain_post``, which parses those reasons, finds each piece of
evidence in the original post (``highlight.locate``) and renders it back:
``kontak hanya lewat chat: "Japri"``, ``kata disamarkan: "'negara K'" (= Kamboja)``,
``menyasar usia sangat muda: "Umur 16 iso"``. Evidence that cannot be found is shown with its
placeholder tokens replaced by words (``(angka)``), never as ``_num_``.

Money is written the one way ``pipeline.entities`` writes it (``format_idr_month``, ``format_rupiah``,
the ``format_money`` text a reason carries) and an amount is named by what ``entities.money_kind``
says it is for, so a dowry or a fee is never called pay. Contacts are matched by
``entities.contact_key``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pipeline.entities import (
    AMOUNT,
    DOWRY,
    FEE,
    LOSS,
    PRICE,
    PRIZE,
    contact_key,
    format_idr_month,
    format_rupiah,
    money_kind,
)
from pipeline.evidence import highlight
from pipeline.evidence.contacts import display
from pipeline.modeling.explain import SECTION_LABELS

_QUOTED_RE = re.compile(r'"([^"]*)"')
# The amount a reason adds after its words, as ``pipeline.entities`` formats money ("≈ Rp 20 jt/bulan",
# "(Rp 19 jt/bulan)", "(USD 1.200/bulan ≈ Rp 19 jt)") or as runs before it did ("≈ Rp 19.0 jt/bln").
_AMOUNT_TAIL_RE = re.compile(
    r"\s*(?:≈\s*(?P<approx>Rp\s*[\d.,]+[^()\"]*?)|\(\s*≈?\s*(?P<paren>(?:Rp|[A-Z]{2,3}\$?)\s*[\d.,][^()]*)\))\s*$"
)
_RUPIAH_RE = re.compile(r"Rp\s*(?P<number>[\d.,]+)\s*(?P<unit>M|jt|juta|rb|ribu)?\b")
_RUPIAH_UNITS = {"M": 1e9, "jt": 1e6, "juta": 1e6, "rb": 1e3, "ribu": 1e3}
_PLACEHOLDER_RE = re.compile(r"(?<![\w@./])_([a-z]+)_(?![\w])")
_DISGUISE_PREFIX_RE = re.compile(r"^(?P<what>[^:→]+):\s*(?P<rest>.+)$")

SECTIONS: dict[str, dict[str, str]] = {
    lang: {**labels, "means": "="} for lang, labels in SECTION_LABELS.items()
}
# What an amount the scorer reported as pay is called when the post says it is something else
# (the kinds are ``pipeline.entities.money_kind``'s): a reviewer is never told "pay" for a dowry.
MONEY_KINDS: dict[str, dict[str, str]] = {
    "id": {FEE: "biaya", DOWRY: "mahar", PRICE: "harga", PRIZE: "hadiah", LOSS: "kerugian"},
    "en": {FEE: "fee", DOWRY: "dowry", PRICE: "price", PRIZE: "prize", LOSS: "loss"},
}
PLACEHOLDER_WORDS: dict[str, dict[str, str]] = {
    "id": {
        "num": "(angka)",
        "money": "(jumlah uang)",
        "phone": "(nomor telepon)",
        "url": "(tautan)",
        "chatlink": "(tautan chat)",
        "email": "(e-mail)",
        "handle": "(akun)",
    },
    "en": {
        "num": "(number)",
        "money": "(amount)",
        "phone": "(phone number)",
        "url": "(link)",
        "chatlink": "(chat link)",
        "email": "(e-mail)",
        "handle": "(account)",
    },
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
    idr: float | None = None  # rupiah, from the amount the reason adds
    amount: str = (
        ""  # that amount as the reason wrote it ("Rp 19 jt/bulan", "USD 1.200/bulan ≈ Rp 19 jt")
    )
    raw: str = ""

    def mark_kind(self) -> str:
        if self.section == "flag":
            return "disguised" if self.name == DISGUISED else "flag"
        return {
            "counter": "counter",
            "terms": "term",
            "contacts": "contact",
            "destinations": "destination",
            "pay": "pay",
        }.get(self.section, "flag")

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
    return {
        name: (label_id, label_en)
        for name, label_id, label_en, _kind in indicator_labels().values()
    }


def indicator_label(name: str, lang: str = "id") -> str:
    labels = indicator_names().get(name)
    if not labels:
        return name.replace("_", " ")
    return labels[1] if lang == "en" else labels[0]


def split_reasons(reasons: str) -> list[str]:
    """Split on ``; `` outside quotes (disguised-word evidence holds ``; `` inside its quote)."""
    out: list[str] = []
    buffer: list[str] = []
    quoted = False
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
                return section, item[len(prefix) :]
        for dash in (" – ", " - "):
            prefix = names["counter"] + dash
            if item.startswith(prefix):
                return "counter", item[len(prefix) :]
    return "flag", item


def parse(reasons: str) -> list[Reason]:
    out: list[Reason] = []
    labels = indicator_labels()
    for item in split_reasons(reasons):
        section, rest = _section_of(item)
        if section == "terms":
            out.append(
                Reason("terms", quotes=[Quote(q) for q in _QUOTED_RE.findall(rest)], raw=item)
            )
        elif section in ("contacts", "destinations"):
            out.append(
                Reason(section, values=[v.strip() for v in rest.split(",") if v.strip()], raw=item)
            )
        elif section == "pay":
            quoted = _QUOTED_RE.findall(rest)
            amount, idr = _amount(rest)
            out.append(
                Reason(
                    "pay", quotes=[Quote(q) for q in quoted[:1]], idr=idr, amount=amount, raw=item
                )
            )
        else:
            label, _, evidence = rest.partition(": ")
            known = labels.get(label)
            if known is None:
                out.append(Reason("other", raw=item))
                continue
            name, label_id, label_en, kind = known
            if evidence.startswith('"') and evidence.endswith('"'):
                evidence = evidence[1:-1]
            reason = Reason(
                "counter" if section == "counter" or kind == "counter" else "flag",
                name,
                label_id,
                label_en,
                raw=item,
            )
            reason.quotes, reason.amount, reason.idr = _quotes_for(name, evidence)
            out.append(reason)
    return out


def _amount(text: str) -> tuple[str, float | None]:
    """The formatted amount at the end of ``text`` and its rupiah (the last ``Rp`` figure in it)."""
    match = _AMOUNT_TAIL_RE.search(text)
    if not match:
        return "", None
    amount = (match.group("approx") or match.group("paren")).strip()
    figures = list(_RUPIAH_RE.finditer(amount))
    if not figures:
        return amount, None
    raw, unit = figures[-1].group("number").rstrip(".,"), figures[-1].group("unit")
    # "19.0" with "jt/bln" is how runs before the one formatter wrote a decimal; otherwise Indonesian digits.
    number = float(raw) if re.fullmatch(r"\d+\.\d", raw) and unit else _indonesian_number(raw)
    if number is None:
        return amount, None
    idr = number * _RUPIAH_UNITS.get(unit or "", 1)
    if re.fullmatch(r"\d+\.\d", raw) and unit:
        amount = (
            format_idr_month(idr) if "/" in amount else format_rupiah(idr)
        )  # rewritten in the one format
    return amount, idr


def _indonesian_number(raw: str) -> float | None:
    try:
        return float(raw.replace(".", "").replace(",", "."))
    except ValueError:
        return None


def _quotes_for(name: str, evidence: str) -> tuple[list[Quote], str, float | None]:
    amount, idr = _amount(evidence)
    if amount:
        evidence = _AMOUNT_TAIL_RE.sub("", evidence).strip()
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
        return quotes, amount, idr
    parts = [p.strip() for p in evidence.split(" + ")] if " + " in evidence else [evidence.strip()]
    return [Quote(p) for p in parts if p], amount, idr


def explain_post(
    text: str, reasons: str, contacts: str = "", destinations: str = ""
) -> PostReasons:
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
            if (
                reason.section == "flag"
                and reason.name == "kontak_hanya_chat"
                and quote.evidence.replace(" ", "").isdigit()
            ):
                quote.span = highlight.locate_digits(text, quote.evidence)
            if quote.span is None and quote.evidence.casefold() in _aliases():
                place_found = place_spans(text, quote.evidence.casefold())
                quote.span = place_found[0] if place_found else None
            # "kuwait, oman": places quoted together are looked up one by one before the costly
            # searches across words and with slips, which a list of places rarely passes anyway.
            listed = " " in quote.evidence and ", " in quote.evidence
            if quote.span is None:
                quote.span = highlight.locate(
                    text, quote.evidence, fuzzy=not listed, across_words=not listed
                )
            if quote.span and not quote.means and quote.evidence.casefold() in _aliases():
                as_written = text[quote.span[0] : quote.span[1]]
                if as_written.casefold() != quote.evidence.casefold():
                    quote.means = (
                        quote.evidence
                    )  # a place written another way: Dubai, 'negara K', L-a-o-s
            if quote.span is None and listed:
                pieces = [Quote(p.strip()) for p in quote.evidence.split(", ") if p.strip()]
                for piece in pieces:
                    piece.span = highlight.locate(text, piece.evidence)
                placed = [(piece, piece.span) for piece in pieces if piece.span]
                if len(placed) == len(pieces):
                    reason.quotes = [q for q in reason.quotes if q is not quote] + pieces
                    for piece, (start, end) in placed:
                        piece.original = text[start:end]
                        marks.append(highlight.Mark(start, end, kind, title))
                    continue
                quote.span = highlight.locate(text, quote.evidence)
            if quote.span:
                quote.original = text[quote.span[0] : quote.span[1]]
                marks.append(highlight.Mark(*quote.span, kind, title))
    written = list(dict.fromkeys(contacts.split() if contacts else []))
    # Every place the post writes one of its contacts, found by the one contact key.
    by_key = highlight.contact_spans(text, {contact_key(c) for c in written})
    for start, end, _key in by_key:
        marks.append(highlight.Mark(start, end, "contact", SECTIONS["id"]["contacts"]))
    found_keys = {key for _, _, key in by_key}
    for contact in written:
        if contact_key(contact) in found_keys:
            continue
        span = _contact_span(text, contact)
        if span:
            marks.append(highlight.Mark(*span, "contact", SECTIONS["id"]["contacts"]))
    for place in (d.strip() for d in destinations.split(",") if d.strip()):
        for span in place_spans(text, place):
            marks.append(highlight.Mark(*span, "destination", SECTIONS["id"]["destinations"]))
    for reason in parsed:
        if reason.section == "contacts":
            for value in reason.values:
                spans = highlight.contact_spans(text, {contact_key(value)})
                span = spans[0][:2] if spans else _contact_span(text, value)
                reason.quotes.append(Quote(value, span, text[span[0] : span[1]] if span else ""))
        if reason.section == "pay" and reason.quotes and reason.quotes[0].span:
            # The pay quote also lights up the amount, in its own colour.
            marks.append(highlight.Mark(*reason.quotes[0].span, "pay", SECTIONS["id"]["pay"]))
    return PostReasons(text, parsed, marks)


def _contact_span(text: str, contact: str) -> tuple[int, int] | None:
    """A contact the contact patterns did not find by its key: its digits however spaced, or its words."""
    span = (
        highlight.locate_digits(text, contact)
        if contact_key(contact).isdigit()
        else highlight.locate(text, contact)
    )
    if span is None and "/" in contact:
        span = highlight.locate(text, contact.split("/")[-1])
    return span


@lru_cache(maxsize=1)
def _aliases() -> dict[str, tuple[str, ...]]:
    from pipeline.text.lexicon import places

    out: dict[str, list[str]] = {}
    for place in places():
        out.setdefault(place.canonical, []).append(place.alias)
    return {
        canonical: tuple(sorted(set(aliases) | {canonical}, key=len, reverse=True))
        for canonical, aliases in out.items()
    }


def place_spans(text: str, place: str) -> list[tuple[int, int]]:
    """Where a destination is named in the post: its own name, an alias (Dubai for UEA) or a disguise."""
    aliases = [alias for alias in _aliases().get(place, (place,)) if len(alias) >= 3]
    # Names written as words first; only then the costly search across words, once per alias.
    for across_words in (False, True):
        for alias in aliases:
            span = highlight.locate(text, alias, fuzzy=False, across_words=across_words)
            if span:
                return [span]
    return []


def without_placeholders(text: str, lang: str = "id") -> str:
    """Placeholder tokens (``_num_``, ``_money_``, ...) replaced by words a person reads."""
    words = PLACEHOLDER_WORDS["en" if lang == "en" else "id"]
    return _PLACEHOLDER_RE.sub(lambda m: words.get(m.group(1), ""), text).replace("  ", " ").strip()


def amount_kind(text: str, span: tuple[int, int] | None) -> str:
    """What the amount at ``span`` is for, as ``pipeline.entities.money_kind`` reads the words around it."""
    if span is None:
        return AMOUNT
    return money_kind(text, *span)


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
            readable_term = quote.original or not any(
                highlight.is_placeholder(t) for t in quote.evidence.split()
            )
            if readable_term and shown and shown not in terms:
                terms.append(shown)
        return f"{names['terms']}: " + ", ".join(terms) if terms else ""
    if reason.section == "contacts":
        shown_contacts = [display(contact_key(q.evidence)) for q in reason.quotes] or [
            display(contact_key(v)) for v in reason.values
        ]
        return (
            f"{names['contacts']}: " + ", ".join(dict.fromkeys(shown_contacts))
            if shown_contacts
            else ""
        )
    if reason.section == "destinations":
        return f"{names['destinations']}: " + ", ".join(v.title() for v in reason.values)
    if reason.section == "pay":
        pay_quote = reason.quotes[0] if reason.quotes else None
        kind = amount_kind(text, pay_quote.span if pay_quote else None)
        not_pay = MONEY_KINDS["en" if lang == "en" else "id"].get(kind)
        label = not_pay or names["pay"]
        if (
            reason.idr
        ):  # one money format (pipeline.entities): per month for pay, as a sum otherwise
            amount = format_rupiah(reason.idr) if not_pay else format_idr_month(reason.idr)
        else:
            amount = reason.amount
        quoted_pay = _quote_text(pay_quote, lang) if pay_quote else ""
        return f"{label}: {quoted_pay}" + (f" ≈ {amount}" if amount else "")
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
    if reason.amount and quoted:  # the amount as pipeline.entities.format_money wrote it
        quoted[-1] += f" ({reason.amount})"
    body = " + ".join(quoted) if quoted else ""
    line = f"{label}: {body}" if body else label
    if reason.section == "counter":
        line = f"{names['counter']} – {line}"
    return line


def readable(
    text: str, reasons: str, lang: str = "id", contacts: str = "", destinations: str = ""
) -> str:
    """The ``; ``-joined reasons of one post as a person reads them (for exports and reports)."""
    return "; ".join(explain_post(text, reasons, contacts, destinations).lines(lang))


def readable_row(row: Mapping[str, Any], lang: str = "id") -> str:
    """:func:`readable` of a scored row (its ``text``, ``reasons``, ``contacts`` and
    ``destinations`` columns; a missing or empty one reads as empty)."""
    return readable(
        str(row.get("text") or ""),
        str(row.get("reasons") or ""),
        lang,
        str(row.get("contacts") or ""),
        str(row.get("destinations") or ""),
    )
