"""The fitted model: features, a calibrated risk classifier and a tppo/tppm classifier.

``score`` is the calibrated probability that a post is recruitment (TPPO or TPPM); the category
splits that probability between the two crimes with a second classifier trained on positives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from pipeline.features import WaspadaFeatures
from pipeline.indicators import Analysis


@dataclass
class Prediction:
    scores: np.ndarray           # P(tppo or tppm), calibrated
    p_tppo_given_positive: np.ndarray
    categories: list[str]
    features: sp.csr_matrix


@dataclass
class WaspadaModel:
    features: WaspadaFeatures
    risk: object        # a fitted classifier with predict_proba (calibrated)
    category: object    # a fitted classifier over {"tppm", "tppo"}

    def predict_analyses(self, analyses: Sequence[Analysis]) -> Prediction:
        return self.predict_matrix(self.features.transform_analyses(analyses))

    def predict_matrix(self, matrix: sp.csr_matrix) -> Prediction:
        """Predict from features already built by ``self.features`` (lets callers time the two apart)."""
        scores = self.risk.predict_proba(matrix)[:, 1]
        classes = list(self.category.classes_)
        if "tppo" in classes:
            p_tppo = self.category.predict_proba(matrix)[:, classes.index("tppo")]
        else:
            p_tppo = np.zeros(matrix.shape[0])
        categories = [
            "benign" if s < 0.5 else ("tppo" if q >= 0.5 else "tppm") for s, q in zip(scores, p_tppo)
        ]
        return Prediction(scores, p_tppo, categories, matrix)

    def linear_weights(self) -> np.ndarray:
        """Per-feature weights of the risk model's linear part, for explanations and the card."""
        coef = getattr(self.risk, "coef_", None)
        if coef is None:
            raise TypeError("The risk model has no linear weights to explain.")
        return np.asarray(coef).ravel()

    def to_state(self) -> dict:
        return {"features": self.features, "risk": self.risk, "category": self.category}

    @classmethod
    def from_state(cls, state: dict) -> WaspadaModel:
        return cls(state["features"], state["risk"], state["category"])
