"""Scoring posts with a bundle: scores, categories, flags and reasons."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.indicators import Analysis, analyse, is_queue_worthy
from pipeline.modeling.artifacts import Bundle
from pipeline.modeling.explain import Explainer, Explanation
from pipeline.modeling.model import STAGE_FULL, STAGE_SCREENED_OUT, Prediction
from pipeline.parallel import analyse_parallel


@dataclass
class ScoredPost:
    score: float
    flagged: bool
    category: str
    explanation: Explanation
    analysis: Analysis
    stage: str = STAGE_FULL

    def reasons(self, lang: str = "id") -> list[str]:
        return self.explanation.reasons(lang)


class Scorer:
    """A loaded bundle ready to score: the model, its explainer and its threshold."""

    def __init__(
        self,
        bundle: Bundle,
        threshold: float | None = None,
        lang: str = "id",
        use_screen: bool = True,
        operating_point: str | None = None,
    ):
        self.bundle = bundle
        self.model = bundle.model
        self.threshold = (
            bundle.threshold_for(operating_point) if threshold is None else float(threshold)
        )
        self.explainer = Explainer(self.model)
        self.lang = lang
        self.use_screen = use_screen

    def score_analyses(
        self, texts: Sequence[str], analyses: Sequence[Analysis]
    ) -> list[ScoredPost]:
        """Score posts that were all analysed. Posts the screen would skip keep their stage-1
        score (as in a batch run) unless the scorer was made with ``use_screen=False``."""
        if not analyses:
            return []
        return self.score_prediction(
            analyses, self.model.predict(texts, analyses, use_screen=self.use_screen)
        )

    def score_prediction(
        self, analyses: Sequence[Analysis], prediction: Prediction
    ) -> list[ScoredPost]:
        """Scores, flags and explanations from a prediction; ``analyses`` are the posts that
        passed the screen, in order."""
        scores = np.clip(np.asarray(prediction.scores, dtype=np.float64), 0.0, 1.0)
        passed = np.asarray(prediction.passed, dtype=bool)
        if len(analyses) == len(scores):
            analyses = [a for a, keep in zip(analyses, passed, strict=True) if keep]
        terms = iter(self.explainer.strong_terms(prediction.features) if passed.any() else ())
        explain = self.explainer.explain_with_terms
        passed_analyses = iter(analyses)
        results = []
        for score, category, keep in zip(
            scores.tolist(), prediction.categories, passed.tolist(), strict=True
        ):
            if keep:
                analysis = next(passed_analyses)
                results.append(
                    ScoredPost(
                        score,
                        # Too little text to judge: a high score alone does not make it a flag.
                        score >= self.threshold and is_queue_worthy(analysis.fired),
                        category,
                        explain(analysis, next(terms)),
                        analysis,
                    )
                )
            else:
                results.append(
                    ScoredPost(score, False, "benign", Explanation(), None, STAGE_SCREENED_OUT)
                )
        return results

    def score_texts(self, texts: Sequence[str], jobs: int = 1) -> list[ScoredPost]:
        texts = list(texts)
        return self.score_analyses(texts, analyse_parallel(texts, jobs=jobs))

    def score_text(self, text: str) -> ScoredPost:
        return self.score_analyses([text], [analyse(text)])[0]

    def output_row(self, post: dict, scored: ScoredPost) -> dict:
        """One row of scored.csv: the canonical post plus the model's verdict and its reasons."""
        if scored.analysis is None:
            return screened_out_row(post, scored.score)
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
            "stage": STAGE_FULL,
        }


def screened_out_row(post: dict, score: float) -> dict:
    """A row of scored.csv for a post the screen cleared: its stage-1 score and nothing else."""
    return {
        **post,
        "score": round(float(score), 6),
        "flagged": False,
        "category": "benign",
        "reasons": "",
        "indicators": "",
        "contacts": "",
        "destinations": "",
        "pay_idr_month": "",
        "stage": STAGE_SCREENED_OUT,
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
        "stage": scored.stage,
        "evasions": list(scored.analysis.normalized.evasions)
        if scored.analysis is not None
        else [],
        "normalized_text": scored.analysis.normalized.text if scored.analysis is not None else "",
    }


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)
