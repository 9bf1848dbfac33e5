"""One post's analysis: text -> entities -> indicators, and nothing else.

``analyse`` normalises a post, extracts its entities and runs every registered indicator on it.
The rules themselves live in :mod:`pipeline.indicators`; this module only holds the data they
read (``PostContext``) and the result reviewers and the model see (``Analysis``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from pipeline import indicators
from pipeline.entities import Entities, extract
from pipeline.text.normalize import Normalized, normalize_with_clean
from pipeline.text.patterns import FOLD_EXTRAS_RE


@dataclass
class PostContext:
    """One post as indicators see it: the original, the normalised copy, and its entities.

    ``negated`` collects, per indicator, the first cue it found only under negation ("tanpa izin
    P3MI", "tidak bisa berangkat cepat"): such a cue does not fire, but ``waspada rules`` counts it.
    """

    raw: str
    normalized: Normalized
    cleaned: str | None = None
    negated: dict[str, str] = field(default_factory=dict)

    @cached_property
    def text(self) -> str:
        return self.normalized.text

    @cached_property
    def cleaned_text(self) -> str:
        """The cleaned original (case kept): what cues that normalisation would erase read."""
        if self.cleaned is None:
            from pipeline.text.clean import clean_text

            self.cleaned = clean_text(self.raw)
        return self.cleaned

    @cached_property
    def cleaned_lower(self) -> str:
        """The cleaned original in lower case, for the hint words of patterns that read it."""
        return self.cleaned_text.lower()

    @cached_property
    def cleaned_folds(self) -> bool:
        """Whether the cleaned original has a letter that IGNORECASE folds but ``str.lower`` does not."""
        return FOLD_EXTRAS_RE.search(self.cleaned_text) is not None

    @cached_property
    def keywords(self) -> frozenset[str]:
        """The literals of the indicator patterns that occur in the normalised text."""
        return indicators.keyword_gate().present(self.text)

    @cached_property
    def entities(self) -> Entities:
        return extract(self.raw, self.normalized.text, self.cleaned)


@dataclass(frozen=True)
class Hit:
    name: str
    evidence: str


@dataclass
class Analysis:
    normalized: Normalized
    entities: Entities
    hits: list[Hit] = field(default_factory=list)
    negated: dict[str, str] = field(default_factory=dict)

    @property
    def fired(self) -> set[str]:
        return {hit.name for hit in self.hits}


def run_indicators(ctx: PostContext) -> list[Hit]:
    """Every registered indicator on one post, in registry order."""
    return [
        Hit(item.name, evidence) for item in indicators.REGISTRY if (evidence := item.detect(ctx))
    ]


def analyse_context(ctx: PostContext) -> Analysis:
    """The analysis of a post whose normalised copy is already made (see ``normalize_with_clean``)."""
    hits = run_indicators(ctx)
    return Analysis(ctx.normalized, ctx.entities, hits, ctx.negated)


def analyse(raw: str) -> Analysis:
    """Normalise one post, extract its entities and run every indicator on it."""
    cleaned, normalized = normalize_with_clean(raw)
    return analyse_context(PostContext(raw, normalized, cleaned))


def analyse_many(texts: Iterable[str]) -> list[Analysis]:
    return [analyse(text) for text in texts]
