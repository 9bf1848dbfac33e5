"""The fitted two-stage model.

Stage 1, the screen, scores every post from hashed n-grams of its raw text. Posts below the
screen threshold keep the screen's calibrated score and are not flagged. Stage 2 runs the
Indonesian text layer only on the posts that pass: the full model (normalised n-grams,
indicators, structure and red-flag counts) gives the calibrated ``score``. The category splits
a positive score between the two crimes with a classifier trained on positives.

The screen's score is not mixed into the full model's: measured on the transfer validation,
combining them ranked new writing worse than the full model alone (docs/ablation.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import scipy.sparse as sp

from pipeline.indicators import Analysis

if TYPE_CHECKING:  # the scoring path imports this module and must not pay for scikit-learn
    from pipeline.features import WaspadaFeatures
    from pipeline.modeling.screen import Screen

STAGE_SCREENED_OUT = "screened_out"
STAGE_FULL = "full"


class ProbabilisticClassifier(Protocol):
    """A fitted scikit-learn classifier's ``predict_proba``: one column per class."""

    def predict_proba(self, X: Any) -> np.ndarray: ...


class RiskClassifier(ProbabilisticClassifier, Protocol):
    """A fitted binary classifier with calibrated ``predict_proba`` over its ``decision_function``."""

    def decision_function(self, X: Any) -> np.ndarray: ...


class CategoryClassifier(ProbabilisticClassifier, Protocol):
    """A fitted classifier with ``predict_proba`` whose columns follow ``classes_``."""

    @property
    def classes_(self) -> np.ndarray: ...


@dataclass
class Prediction:
    scores: np.ndarray  # P(tppo or tppm), calibrated
    p_tppo_given_positive: np.ndarray
    categories: list[str]
    features: sp.csr_matrix  # the full model's features of the posts that passed the screen
    passed: np.ndarray  # bool per post: did it pass the screen
    screen_scores: np.ndarray  # calibrated stage-1 probability per post


class TwoStage:
    """The decisions of the two-stage model, over the parts a concrete model provides: the trained
    :class:`WaspadaModel` (scikit-learn objects) and the compiled model scoring loads
    (``pipeline.modeling.compiled``) decide the same way from the same numbers.

    A subclass provides ``features`` (with ``transform_analyses``), ``screen_threshold``,
    ``screen_decisions``, ``screen_probabilities``, ``risk_probabilities``, ``category_classes``
    and ``category_probabilities``.
    """

    features: Any  # WaspadaFeatures or pipeline.feature_rows.FeatureTransform: transform_analyses
    screen_threshold: float

    def screen_decisions(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def screen_probabilities(self, decisions: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def risk_probabilities(self, matrix: sp.csr_matrix) -> np.ndarray:
        """Calibrated P(tppo or tppm) of each row of the full model's features."""
        raise NotImplementedError

    def category_classes(self) -> list[str]:
        raise NotImplementedError

    def category_probabilities(self, matrix: sp.csr_matrix) -> np.ndarray:
        """Probability of each of ``category_classes()`` per row (rows × classes)."""
        raise NotImplementedError

    def passes(self, decisions: np.ndarray) -> np.ndarray:
        return np.asarray(decisions) >= self.screen_threshold

    def predict(
        self,
        texts: Sequence[str],
        analyses: Sequence[Analysis],
        screen_decisions: np.ndarray | None = None,
        use_screen: bool = True,
    ) -> Prediction:
        """Predict posts that were all analysed. With ``use_screen`` the posts below the screen
        threshold keep their stage-1 score; without it every post gets the full model's score."""
        decisions = (
            self.screen_decisions(texts)
            if screen_decisions is None
            else np.asarray(screen_decisions)
        )
        matrix = self.features.transform_analyses(analyses)
        return self._predict(
            decisions,
            analyses,
            matrix,
            np.ones(len(texts), dtype=bool) if not use_screen else self.passes(decisions),
        )

    def predict_passed(
        self,
        decisions: np.ndarray,
        analyses: Sequence[Analysis],
        matrix: sp.csr_matrix,
        passed: np.ndarray,
    ) -> Prediction:
        """Predict a chunk where only the passed posts were analysed (``analyses`` and ``matrix``
        hold those, in order)."""
        return self._predict(decisions, analyses, matrix, passed)

    def _predict(
        self,
        decisions: np.ndarray,
        analyses: Sequence[Analysis],
        matrix: sp.csr_matrix,
        passed: np.ndarray,
    ) -> Prediction:
        n = len(decisions)
        screen_scores = self.screen_probabilities(decisions) if n else np.zeros(0)
        scores = screen_scores.copy()
        p_tppo = np.zeros(n)
        passed = np.asarray(passed, dtype=bool)
        if passed.any():
            if matrix.shape[0] == n and len(analyses) == n:
                matrix, analyses = (
                    matrix[passed],
                    [a for a, keep in zip(analyses, passed, strict=True) if keep],
                )
            scores[passed] = self.risk_probabilities(matrix)
            classes = self.category_classes()
            if "tppo" in classes:
                p_tppo[passed] = self.category_probabilities(matrix)[:, classes.index("tppo")]
        categories = [
            "benign" if s < 0.5 else ("tppo" if q >= 0.5 else "tppm")
            for s, q in zip(scores, p_tppo, strict=True)
        ]
        return Prediction(scores, p_tppo, categories, matrix, passed, screen_scores)


@dataclass
class WaspadaModel(TwoStage):
    features: WaspadaFeatures
    risk: RiskClassifier  # the full model (pipeline.modeling.calibration.PlattCalibrated)
    category: CategoryClassifier  # a fitted classifier over {"tppm", "tppo"}
    screen: Screen  # stage 1
    screen_calibrator: (
        ProbabilisticClassifier  # 1-D logistic regression: screen decision -> probability
    )
    screen_threshold: float  # in screen decision units; below it a post is screened out

    def screen_decisions(self, texts: Sequence[str]) -> np.ndarray:
        return self.screen.decision_function(texts)

    def screen_probabilities(self, decisions: np.ndarray) -> np.ndarray:
        return self.screen_calibrator.predict_proba(np.asarray(decisions).reshape(-1, 1))[:, 1]

    def risk_probabilities(self, matrix: sp.csr_matrix) -> np.ndarray:
        return self.risk.predict_proba(matrix)[:, 1]

    def category_classes(self) -> list[str]:
        return [str(c) for c in self.category.classes_]

    def category_probabilities(self, matrix: sp.csr_matrix) -> np.ndarray:
        return self.category.predict_proba(matrix)

    def linear_weights(self) -> np.ndarray:
        """Per-feature weights of the full model's linear part, for explanations and the card."""
        coef = getattr(self.risk, "coef_", None)
        if coef is None:
            raise TypeError("The risk model has no linear weights to explain.")
        return np.asarray(coef).ravel()

    def to_state(self) -> dict:
        return {
            "features": self.features,
            "risk": self.risk,
            "category": self.category,
            "screen": self.screen,
            "screen_calibrator": self.screen_calibrator,
            "screen_threshold": float(self.screen_threshold),
        }

    @classmethod
    def from_state(cls, state: dict) -> WaspadaModel:
        return cls(
            state["features"],
            state["risk"],
            state["category"],
            state["screen"],
            state["screen_calibrator"],
            float(state["screen_threshold"]),
        )
