"""Platt scaling fitted on out-of-fold scores, so probabilities are honest on unseen posts."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression


class PlattCalibrated(ClassifierMixin, BaseEstimator):
    """A fitted linear classifier whose decision values are mapped to probabilities.

    Parameters
    ----------
    estimator : fitted classifier with ``decision_function``
    calibrator : fitted 1-D ``LogisticRegression`` from decision value to probability
    """

    def __init__(self, estimator=None, calibrator=None):
        self.estimator = estimator
        self.calibrator = calibrator

    @classmethod
    def from_scores(cls, estimator, oof_decisions: np.ndarray, y: np.ndarray) -> PlattCalibrated:
        calibrator = LogisticRegression(C=1e4, solver="lbfgs").fit(oof_decisions.reshape(-1, 1), y)
        model = cls(estimator, calibrator)
        model.classes_ = np.array([0, 1])
        return model

    def fit(self, X, y):
        raise NotImplementedError(
            "PlattCalibrated is built with from_scores() after cross-validation."
        )

    def decision_function(self, X):
        return self.estimator.decision_function(X)

    def predict_proba(self, X):
        return self.calibrator.predict_proba(self.decision_function(X).reshape(-1, 1))

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    @property
    def coef_(self):
        return self.estimator.coef_
