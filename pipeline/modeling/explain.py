"""Reasons a reviewer reads: the red flags that fired, the strongest terms, the entities, the counter-signals.

Always in the same order, most important first, with the matched words quoted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from pipeline import indicators
from pipeline.entities import format_idr_month
from pipeline.indicators import Analysis

# The reason sections' names; the review desk shows the same ones.
SECTION_LABELS: dict[str, dict[str, str]] = {
    "id": {
        "terms": "kata kuat",
        "contacts": "kontak",
        "destinations": "tujuan",
        "pay": "gaji",
        "counter": "penyeimbang",
    },
    "en": {
        "terms": "strong terms",
        "contacts": "contacts",
        "destinations": "destinations",
        "pay": "pay",
        "counter": "counter-signal",
    },
}


@dataclass
class Explanation:
    red_flags: list[tuple[str, str, float]] = field(default_factory=list)  # name, evidence, weight
    counters: list[tuple[str, str, float]] = field(default_factory=list)
    terms: list[tuple[str, float]] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    destinations: list[str] = field(default_factory=list)
    pay_idr_month: float | None = None
    pay_text: str = ""

    def reasons(self, lang: str = "id") -> list[str]:
        labels = SECTION_LABELS[lang]
        out = []
        for name, evidence, _ in self.red_flags:
            item = _indicator(name)
            label = item.label_id if lang == "id" else item.label_en
            out.append(f'{label}: "{_short(evidence)}"')
        if self.terms:
            out.append(f"{labels['terms']}: " + ", ".join(f'"{t}"' for t, _ in self.terms))
        if self.contacts:
            out.append(f"{labels['contacts']}: " + ", ".join(self.contacts[:3]))
        if self.destinations:
            out.append(f"{labels['destinations']}: " + ", ".join(self.destinations[:4]))
        if self.pay_idr_month:
            out.append(
                f'{labels["pay"]}: "{self.pay_text}" ≈ {format_idr_month(self.pay_idr_month)}'
            )
        for name, evidence, _ in self.counters:
            item = _indicator(name)
            label = item.label_id if lang == "id" else item.label_en
            out.append(f'{labels["counter"]} – {label}: "{_short(evidence)}"')
        return out


_INDICATORS: dict[str, indicators.Indicator] = {}


def _indicator(name: str) -> indicators.Indicator:
    """``indicators.by_name`` (a scan of the registry), remembered per name."""
    item = _INDICATORS.get(name)
    if item is None:
        item = _INDICATORS[name] = indicators.by_name(name)
    return item


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def readable_term(name: str) -> str | None:
    if not name.startswith("word__"):
        return None
    term = name.removeprefix("word__")
    tokens = term.split()
    if any(
        not (token.isalnum() or (token.startswith("_") and token.endswith("_"))) for token in tokens
    ):
        return None  # n-grams with punctuation read as noise to a reviewer
    if all(token.startswith("_") and token.endswith("_") for token in tokens) or len(term) < 3:
        return None
    return term


class Explainer:
    """Explains scores of one model: per-post contributions of its linear weights."""

    def __init__(self, model, top_terms: int = 3):
        self.names = model.features.get_feature_names_out()
        self.weights = model.linear_weights()
        self.top_terms = top_terms
        # One pass that looks only at word and indicator columns: most columns are hashed
        # character n-grams, never a reason, and this runs once per `waspada explain`.
        self.indicator_weight: dict[str, float] = {}
        self._terms: dict[int, str] = {}
        for column, name in enumerate(self.names.tolist()):
            if name.startswith("word__"):
                term = readable_term(name)
                if term is not None:
                    self._terms[column] = term
            elif name.startswith("indicator__"):
                self.indicator_weight[name.removeprefix("indicator__")] = float(
                    self.weights[column]
                )
        self.readable = np.zeros(len(self.names), dtype=bool)
        self.readable[list(self._terms)] = True

    def strong_terms(self, matrix: sp.csr_matrix | sp.csr_array) -> list[list[tuple[str, float]]]:
        """Per row of ``matrix``: the readable terms that push its score up most, strongest first.

        Computed for all rows at once; ties keep the column order, as a per-row stable sort would.
        """
        indptr, columns = matrix.indptr, matrix.indices
        readable = np.flatnonzero(self.readable[columns])
        contributions = matrix.data[readable] * self.weights[columns[readable]]
        positive = contributions > 0
        kept, values = readable[positive], contributions[positive]
        rows = np.searchsorted(indptr, kept, side="right") - 1
        order = np.lexsort((kept, -values, rows))
        sorted_rows = rows[order]
        rank = np.arange(len(order)) - np.searchsorted(sorted_rows, sorted_rows)
        chosen = order[rank < self.top_terms]
        out: list[list[tuple[str, float]]] = [[] for _ in range(matrix.shape[0])]
        terms = self._terms
        for row, column, value in zip(
            rows[chosen].tolist(),
            columns[kept[chosen]].tolist(),
            values[chosen].tolist(),
            strict=True,
        ):
            out[row].append((terms[column], value))
        return out

    def explain(self, analysis: Analysis, row: sp.csr_matrix) -> Explanation:
        return self.explain_with_terms(analysis, self.strong_terms(row)[0])

    def explain_with_terms(self, analysis: Analysis, terms: list[tuple[str, float]]) -> Explanation:
        """The explanation of one post whose strong terms are already known (see ``strong_terms``)."""
        result = Explanation()
        for hit in analysis.hits:
            weight = self.indicator_weight.get(hit.name, 0.0)
            target = (
                result.red_flags
                if _indicator(hit.name).kind == indicators.RED_FLAG
                else result.counters
            )
            target.append((hit.name, hit.evidence, weight))
        result.red_flags.sort(key=lambda item: (-item[2], item[0]))
        result.counters.sort(key=lambda item: (item[2], item[0]))
        result.terms = terms
        entities = analysis.entities
        result.contacts = entities.contacts
        result.destinations = entities.destinations
        pay = entities.max_monthly_pay
        if pay:
            best = max(
                (m for m in entities.money if m.idr_per_month), key=lambda m: m.idr_per_month
            )
            result.pay_idr_month, result.pay_text = pay, best.text
        return result
