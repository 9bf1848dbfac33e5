"""Scoring posts with a bundle: scores, categories, flags and reasons."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.indicators import Analysis, analyse
from pipeline.modeling.artifacts import Bundle
from pipeline.modeling.explain import Explainer, Explanation
from pipeline.modeling.model import Prediction
from pipeline.parallel import analyse_parallel


@dataclass
class ScoredPost:
    score: float
    flagged: bool
    category: str
    explanation: Explanation
    analysis: Analysis

    def reasons(self, lang: str = "id") -> list[str]:
        return self.explanation.reasons(lang)


class Scorer:
    """A loaded bundle ready to score: the model, its explainer and its threshold."""

    def __init__(self, bundle: Bundle, threshold: float | None = None, lang: str = "id"):
        self.bundle = bundle
        self.model = bundle.model
        self.threshold = bundle.threshold if threshold is None else float(threshold)
        self.explainer = Explainer(self.model)
        self.lang = lang

    def score_analyses(self, analyses: Sequence[Analysis]) -> list[ScoredPost]:
        if not analyses:
            return []
        return self.score_prediction(analyses, self.model.predict_analyses(analyses))

    def score_prediction(self, analyses: Sequence[Analysis], prediction: Prediction) -> list[ScoredPost]:
        """Scores, flags and explanations from a prediction already made for ``analyses``."""
        scores = np.clip(np.asarray(prediction.scores, dtype=np.float64), 0.0, 1.0).tolist()
        terms = self.explainer.strong_terms(prediction.features)
        explain = self.explainer.explain_with_terms
        return [
            ScoredPost(score, score >= self.threshold, category, explain(analysis, post_terms), analysis)
            for analysis, score, category, post_terms in zip(analyses, scores, prediction.categories, terms)
        ]

    def score_texts(self, texts: Sequence[str], jobs: int = 1) -> list[ScoredPost]:
        return self.score_analyses(analyse_parallel(list(texts), jobs=jobs))

    def score_text(self, text: str) -> ScoredPost:
        return self.score_analyses([analyse(text)])[0]

    def output_row(self, post: dict, scored: ScoredPost) -> dict:
        """One row of scored.csv: the canonical post plus the model's verdict and its reasons."""
        entities = scored.analysis.entities
        return {
            **post,
            "score": round(scored.score, 6),
            "flagged": scored.flagged,
            "category": scored.category,
            "reasons": "; ".join(scored.reasons(self.lang)),
            "indicators": ",".join(sorted(scored.analysis.fired)),
            "contacts": " ".join(entities.contacts),
            "destinations": ",".join(entities.destinations),
            "pay_idr_month": str(int(entities.max_monthly_pay)) if entities.max_monthly_pay else "",
        }


def explanation_json(scored: ScoredPost, lang: str) -> dict:
    e = scored.explanation
    return {
        "score": scored.score,
        "flagged": scored.flagged,
        "category": scored.category,
        "reasons": scored.reasons(lang),
        "red_flags": [{"name": n, "evidence": ev, "weight": w} for n, ev, w in e.red_flags],
        "counter_signals": [{"name": n, "evidence": ev, "weight": w} for n, ev, w in e.counters],
        "strong_terms": [{"term": t, "contribution": c} for t, c in e.terms],
        "contacts": e.contacts,
        "destinations": e.destinations,
        "pay_idr_month": e.pay_idr_month,
        "evasions": list(scored.analysis.normalized.evasions),
        "normalized_text": scored.analysis.normalized.text,
    }


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)
