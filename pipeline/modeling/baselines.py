"""What monitoring teams do today, and the plain model, so the real model has to beat them."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

_DESTINATION_RE = re.compile(
    r"\b(kamboja|cambodia|myanmar|laos|thailand|filipina|philippines|malaysia|vietnam|dubai|saudi|taiwan|korea|jepang|japan|"
    r"luar negeri|phnom penh|sihanoukville|myawaddy|bangkok)\b",
    re.IGNORECASE,
)
_JOB_RE = re.compile(
    r"\b(loker|lowongan|kerja|gaji|dicari|dibutuhkan|rekrut|vacancy|job|hiring)\b", re.IGNORECASE
)


def keyword_scores(texts: Sequence[str]) -> np.ndarray:
    """A keyword search: a destination word plus a job word. 1.0 when both appear."""
    return np.array(
        [float(bool(_DESTINATION_RE.search(t)) and bool(_JOB_RE.search(t))) for t in texts]
    )


def plain_tfidf_logreg(seed: int) -> Pipeline:
    """TF-IDF of word 1–2-grams and character 2–5-grams (inside word edges) + logistic
    regression on the raw text, without Waspada's text layer: the plain model to beat."""
    return Pipeline(
        [
            (
                "tfidf",
                FeatureUnion(
                    [
                        ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
                        (
                            "chars",
                            TfidfVectorizer(
                                analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True
                            ),
                        ),
                    ]
                ),
            ),
            (
                "clf",
                LogisticRegression(
                    C=10.0, max_iter=2000, class_weight="balanced", random_state=seed
                ),
            ),
        ]
    )
