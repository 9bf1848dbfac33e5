"""Hashed word and character n-grams of the raw text as a scikit-learn transformer.

The counting is :mod:`pipeline.ngramhash`'s (NumPy only, so scoring never imports scikit-learn);
this estimator holds the settings, checks them in ``fit`` and is what model files store.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from pipeline.ngramhash import NgramHasher, ngram_bounds


class HashedNgrams(TransformerMixin, BaseEstimator):
    """Raw texts → hashed counts of character n-grams and word n-grams.

    Parameters
    ----------
    char_ngrams : (int, int)
        Lengths of the character n-grams (they run across word edges inside a post).
    word_ngrams : (int, int) or None
        Word n-gram range (within (1, 2)); words are runs of letters and digits. None: none.
    bits : int
        Columns are ``2**bits``; character and word n-grams share them.
    max_chars : int
        Only the first ``max_chars`` characters of a post are counted, which bounds the cost of
        a pasted novel without changing any real post.

    Examples
    --------
    >>> counts = HashedNgrams(bits=12).fit_transform(["kerja di Kamboja", "loker admin"])
    >>> counts.shape
    (2, 4096)
    """

    def __init__(
        self,
        char_ngrams: tuple[int, int] = (2, 5),
        word_ngrams: tuple[int, int] | None = (1, 2),
        bits: int = 20,
        max_chars: int = 4000,
    ):
        self.char_ngrams = char_ngrams
        self.word_ngrams = word_ngrams
        self.bits = bits
        self.max_chars = max_chars

    def fit(self, texts: Sequence[str], y=None) -> HashedNgrams:
        low, high = self.char_ngrams
        if not 1 <= low <= high:
            raise ValueError(f"char_ngrams must be 1 <= low <= high, got {self.char_ngrams}.")
        if (
            self.word_ngrams is not None
            and not 1 <= self.word_ngrams[0] <= self.word_ngrams[1] <= 2
        ):
            raise ValueError(f"word_ngrams must lie within (1, 2), got {self.word_ngrams}.")
        if not 8 <= self.bits <= 26:
            raise ValueError(f"bits must be between 8 and 26, got {self.bits}.")
        self.n_features_out_ = 2**self.bits
        return self

    def hasher(self) -> NgramHasher:
        """The counting itself, with these settings (what scoring uses without this estimator)."""
        return NgramHasher(
            ngram_bounds(self.char_ngrams),
            None if self.word_ngrams is None else ngram_bounds(self.word_ngrams),
            self.bits,
            self.max_chars,
        )

    def occurrences(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of every n-gram occurrence in ``texts`` (repeats included)."""
        return self.hasher().occurrences(texts)

    @property
    def n_columns(self) -> int:
        return 2**self.bits

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """How often each hashed n-gram occurs in each text."""
        return self.hasher().counts(texts)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Counts of each hashed n-gram, divided by the square root of the post's number of
        n-grams (so long posts do not dominate, and a linear score stays a plain sum)."""
        return self.hasher().transform(texts)

    def linear_scores(
        self, texts: Sequence[str], weights: np.ndarray, intercept: float
    ) -> np.ndarray:
        """``transform(texts) @ weights + intercept`` without building the matrix."""
        return self.hasher().linear_scores(texts, weights, intercept)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.asarray([f"hashed__{i}" for i in range(2**self.bits)], dtype=object)
