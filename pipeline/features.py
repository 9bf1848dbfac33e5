"""Feature extraction: word and character n-grams of the normalised text plus the red flags.

One transformer runs the text layer once per post and builds every block from that single
analysis, so the cost of de-obfuscation and indicators is paid once.

The counting is this module's own and vectorised over many posts at once: word unigrams and
bigrams are token ids and pairs of ids (no n-gram string per occurrence), character n-grams are
hashed by :mod:`pipeline.hashgrams`. The IDF weights are fitted with scikit-learn's
``TfidfTransformer`` through its public API; the transform from analyses to rows is
:mod:`pipeline.feature_rows`, which scoring also runs from a compiled model without scikit-learn.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from itertools import pairwise
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.feature_extraction.text import TfidfTransformer

from pipeline import indicators
from pipeline.feature_rows import FeatureTransform, Tfidf, indicator_block, split_texts
from pipeline.hashgrams import HashedNgrams
from pipeline.indicators import Analysis, analyse_many
from pipeline.ngramhash import ngram_bounds
from pipeline.sparse import count_matrix

# Below this many posts, starting worker processes costs more than counting in one.
_PARALLEL_MIN_ROWS = 20_000


def word_term_counts(
    tokens: tuple[np.ndarray, list[str]],
    ngram_range: tuple[int, int],
    min_df: int = 1,
    dtype=np.float32,
) -> tuple[list[str], sp.csr_matrix]:
    """Every unigram and/or bigram of ``split_texts(texts)`` that occurs in at least ``min_df``
    texts, in alphabetical order, and the count matrix texts × terms.

    Tokens are numbered once and bigrams are pairs of numbers, so no n-gram string is built per
    occurrence; only the distinct terms that survive ``min_df`` become strings.
    """
    import pandas as pd  # a dependency of the package already; imported here to keep scoring imports light

    per_text, words = tokens
    n_texts = len(per_text)
    codes, uniques = pd.factorize(np.asarray(words, dtype=object), sort=False)
    distinct = uniques.tolist()
    order = sorted(range(len(distinct)), key=distinct.__getitem__)
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[order] = np.arange(len(distinct), dtype=np.int64)
    ordered_words = [distinct[i] for i in order]
    ids = rank[codes]
    rows = np.repeat(np.arange(n_texts, dtype=np.int64), per_text)
    # Term key: (first token rank) * stride + (0 for a unigram, 1 + second token rank for a bigram).
    stride = len(ordered_words) + 1
    min_n, max_n = ngram_range
    term_rows, keys = [], []
    if min_n == 1:
        term_rows.append(rows)
        keys.append(ids * stride)
    if max_n == 2 and len(ids) > 1:
        pair = np.flatnonzero(rows[:-1] == rows[1:])
        term_rows.append(rows[pair])
        keys.append(ids[pair] * stride + ids[pair + 1] + 1)
    term_rows_all = np.concatenate(term_rows) if term_rows else np.zeros(0, dtype=np.int64)
    keys_all = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
    # Hashing the keys and sorting only the distinct ones is faster than np.unique over all of them.
    key_codes, distinct_keys = pd.factorize(keys_all, sort=False)
    key_order = np.argsort(distinct_keys, kind="stable")
    distinct_keys = distinct_keys[key_order]
    term_of = np.empty(len(key_order), dtype=np.int64)
    term_of[key_order] = np.arange(len(key_order), dtype=np.int64)
    counts = count_matrix(term_rows_all, term_of[key_codes], (n_texts, len(distinct_keys)), dtype)
    document_frequency = np.bincount(counts.indices, minlength=len(distinct_keys))
    kept = np.flatnonzero(document_frequency >= min_df)
    firsts, seconds = np.divmod(distinct_keys[kept], stride)
    terms = [
        ordered_words[a] if b == 0 else ordered_words[a] + " " + ordered_words[b - 1]
        for a, b in zip(firsts.tolist(), seconds.tolist(), strict=True)
    ]
    # Key order is string order when no token holds a character below the space (a bigram's
    # space then sorts before anything that could follow a shared prefix); otherwise sort the strings.
    if any(min(word) < " " for word in ordered_words):
        resort = sorted(range(len(terms)), key=terms.__getitem__)
        if resort != list(range(len(terms))):
            terms = [terms[i] for i in resort]
            kept = kept[resort]
    return terms, select_columns(counts, kept)


def stack_rows(blocks: Sequence[sp.csr_matrix], n_columns: int) -> sp.csr_matrix:
    """The rows of ``blocks`` one after another, with the index type :func:`count_matrix` gives
    a matrix of that size."""
    nnz = sum(block.nnz for block in blocks)
    index_type = np.int32 if nnz < 2**31 and n_columns < 2**31 else np.int64
    indptr = np.zeros(sum(block.shape[0] for block in blocks) + 1, dtype=index_type)
    row, offset = 0, 0
    for block in blocks:
        indptr[row + 1 : row + 1 + block.shape[0]] = block.indptr[1:] + offset
        row, offset = row + block.shape[0], offset + block.nnz
    indices = np.concatenate([block.indices for block in blocks]).astype(index_type, copy=False)
    data = np.concatenate([block.data for block in blocks])
    return sp.csr_matrix((data, indices, indptr), shape=(row, n_columns))


def select_columns(matrix: sp.csr_matrix, columns: np.ndarray) -> sp.csr_matrix:
    """``matrix[:, columns]`` for distinct ``columns``, keeping each row's entries sorted by their
    new column (scikit-learn's layout), without scipy's general fancy indexing."""
    new_column = np.full(matrix.shape[1], -1, dtype=np.int64)
    new_column[columns] = np.arange(len(columns), dtype=np.int64)
    mapped = new_column[matrix.indices]
    keep = mapped >= 0
    kept_before = np.r_[0, np.cumsum(keep)]
    indptr = kept_before[matrix.indptr].astype(matrix.indptr.dtype)
    indices, data = mapped[keep], matrix.data[keep]
    if not np.all(np.diff(columns) > 0):  # a non-monotonic selection reorders entries within rows
        row_of = np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(indptr))
        order = np.lexsort((indices, row_of))
        indices, data = indices[order], data[order]
    out = sp.csr_matrix(
        (data, indices.astype(matrix.indices.dtype), indptr), shape=(matrix.shape[0], len(columns))
    )
    out.has_sorted_indices = True
    return out


_PUNCTUATION = frozenset(string.punctuation + " ")


def _is_punctuation(term: str) -> bool:
    """Whether a word term holds nothing but ASCII punctuation (emoji are kept: they carry pay
    and place codes)."""
    return all(char in _PUNCTUATION for char in term)


def choose_vocabulary(counts: sp.csr_matrix, min_df: int, max_features: int | None) -> np.ndarray:
    """Columns of ``counts`` (terms in alphabetical order) kept as the vocabulary: terms in at
    least ``min_df`` texts, and of those the ``max_features`` most frequent (ties: alphabetical)."""
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    columns = np.flatnonzero(document_frequency >= min_df)
    if max_features is not None and len(columns) > max_features:
        term_frequency = np.asarray(counts.sum(axis=0)).ravel()[columns]
        columns = np.sort(columns[np.argsort(-term_frequency, kind="stable")[:max_features]])
    if len(columns) == 0:
        raise ValueError(
            "No word occurs in enough posts to be a feature; label more posts or lower min_df."
        )
    return columns


class FeatureCounts:
    """What the features of a fixed list of analyses need that does not depend on which of
    them the features are fitted on: word n-gram counts, hashed character n-gram counts and the
    indicator and structure block.

    Cross-validation counts once and then fits each fold's features on that fold's rows only
    (its vocabulary, document frequencies and IDF weights see no other row) and builds any
    rows' matrix by slicing. The results equal ``WaspadaFeatures.fit_analyses`` and
    ``transform_analyses`` on the same analyses.

    Parameters
    ----------
    analyses : sequence of Analysis
    settings : WaspadaFeatures, optional
        The (unfitted) parameters of the features to fit; defaults to ``WaspadaFeatures()``.

    Examples
    --------
    >>> counts = FeatureCounts(analyse_many(["loker admin Bekasi", "CS Kamboja gaji 15jt", "loker CS"]))
    >>> fitted = counts.fit([0, 1])
    >>> fitted.transform([2]).shape[0]
    1
    """

    def __init__(
        self, analyses: Sequence[Analysis], settings: WaspadaFeatures | None = None, jobs: int = 1
    ):
        self.settings = WaspadaFeatures() if settings is None else settings
        self.settings.check_params()
        self.n_rows = len(analyses)
        normalized = [a.normalized.text for a in analyses]
        chars = self.settings.char_ngram_counter()
        pending = None
        if jobs > 1 and self.n_rows >= _PARALLEL_MIN_ROWS:
            # The character counts, the largest block, are counted in worker processes while
            # this one counts the words and builds the indicator block.
            bounds = np.linspace(0, self.n_rows, jobs + 1).astype(int).tolist()
            runner = Parallel(n_jobs=jobs, return_as="generator")
            pending = runner(delayed(chars.counts)(normalized[a:b]) for a, b in pairwise(bounds))
        tokens = split_texts(normalized)
        self.tokens_per_row = tokens[0]
        self.indicator_names = list(indicators.names())
        self.indicator_block: sp.csr_matrix | None = None
        if self.settings.use_indicators:
            self.indicator_block = indicator_block(
                analyses, self.indicator_names, self.settings.indicator_weight
            )
        # Terms in fewer than min_df of all rows cannot reach min_df in a subset of them.
        self.word_terms, self.word_counts = word_term_counts(
            tokens, ngram_bounds(self.settings.word_ngrams), self.settings.min_df
        )
        # Terms of punctuation alone are not words: in a post of a few unknown words a lone "." or
        # "," took most of the word block's weight and decided the score.
        words = np.flatnonzero([not _is_punctuation(term) for term in self.word_terms])
        self.word_terms = [self.word_terms[column] for column in words.tolist()]
        self.word_counts = self.word_counts[:, words]
        if pending is None:
            self.char_counts = chars.counts(normalized)
        else:
            self.char_counts = stack_rows(list(pending), chars.n_columns)

    def __len__(self) -> int:
        return self.n_rows

    def fit(self, rows: Sequence[int] | np.ndarray | None = None) -> CountedFeatures:
        """Features fitted on ``rows`` (all rows when None), as ``fit_analyses`` on those analyses."""
        rows = np.arange(self.n_rows) if rows is None else np.asarray(rows, dtype=np.int64)
        features = clone(self.settings)
        word_counts = self.word_counts[rows]
        columns = choose_vocabulary(
            word_counts, self.settings.min_df, self.settings.max_word_features
        )
        # Plain ints: model files store them compactly (NumPy scalars are one array each).
        features.word_vocabulary_ = {
            self.word_terms[column]: i for i, column in enumerate(columns.tolist())
        }
        features.word_tfidf_ = TfidfTransformer(sublinear_tf=True).fit(
            select_columns(word_counts, columns)
        )
        features.char_ngrams_ = features.char_ngram_counter()
        features.char_tfidf_ = TfidfTransformer(sublinear_tf=True).fit(self.char_counts[rows])
        features.indicator_names_ = list(self.indicator_names)
        return CountedFeatures(self, features, columns)


class CountedFeatures:
    """Features fitted by :meth:`FeatureCounts.fit`, and the way to build any of its rows'
    matrix from the counts. ``features`` is an ordinary fitted :class:`WaspadaFeatures`."""

    def __init__(self, counts: FeatureCounts, features: WaspadaFeatures, word_columns: np.ndarray):
        self.counts = counts
        self.features = features
        self.word_columns = word_columns

    def transform(self, rows: Sequence[int] | np.ndarray) -> sp.csr_matrix:
        """The same matrix as ``features.transform_analyses`` on those rows' analyses."""
        counts, features = self.counts, self.features
        rows = np.asarray(rows, dtype=np.int64)
        words = tfidf_of(features.word_tfidf_).transform(
            select_columns(counts.word_counts[rows], self.word_columns)
        )
        blocks = [words, tfidf_of(features.char_tfidf_).transform(counts.char_counts[rows])]
        if features.use_indicators:
            if counts.indicator_block is None:
                raise ValueError(
                    "These counts were made without the indicator block; count them with use_indicators=True."
                )
            blocks.append(counts.indicator_block[rows])
        return sp.hstack(blocks, format="csr", dtype=np.float32)


class WaspadaFeatures(TransformerMixin, BaseEstimator):
    """Raw post texts → sparse features: word n-grams, char n-grams, indicators, structure.

    Parameters
    ----------
    word_ngrams : (int, int)
        N-gram range of the word TF-IDF block on the normalised text (within (1, 2)).
    char_ngrams : (int, int)
        N-gram range of the character TF-IDF block.
    max_word_features : int
        Vocabulary cap of the word block, so model size and scoring speed stay bounded.
    char_hash_bits : int
        The character block is hashed into 2**bits columns: no vocabulary to store or look up,
        which keeps model files small and scoring fast. Character n-grams are never shown as
        reasons, so their names are not needed.
    indicator_weight : float
        Value a fired indicator contributes; comparable to the TF-IDF blocks' scale.
    use_indicators : bool
        Turn the indicator and structure blocks off (for ablations).
    min_df : int
        A word n-gram must occur in this many training posts to be a feature.

    Examples
    --------
    >>> features = WaspadaFeatures().fit(["loker admin Bekasi", "CS Kamboja gaji 15jt"] * 2)
    >>> features.transform(["kerja di K4mboja"]).shape[0]
    1
    """

    def __init__(
        self,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] = (3, 5),
        max_word_features: int = 40_000,
        char_hash_bits: int = 18,
        indicator_weight: float = 1.0,
        use_indicators: bool = True,
        min_df: int = 2,
    ):
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.max_word_features = max_word_features
        self.char_hash_bits = char_hash_bits
        self.indicator_weight = indicator_weight
        self.use_indicators = use_indicators
        self.min_df = min_df

    def check_params(self) -> None:
        low, high = self.word_ngrams
        if not 1 <= low <= high <= 2:
            raise ValueError(f"word_ngrams must lie within (1, 2), got {self.word_ngrams}.")
        if not isinstance(self.min_df, Integral) or self.min_df < 1:
            raise ValueError(f"min_df must be a whole number of posts >= 1, got {self.min_df!r}.")

    def char_ngram_counter(self) -> HashedNgrams:
        return HashedNgrams(
            char_ngrams=ngram_bounds(self.char_ngrams), word_ngrams=None, bits=self.char_hash_bits
        ).fit([])

    def __getstate__(self) -> dict:
        # The word vocabulary is stored as two arrays (the terms' UTF-8 bytes, and where each
        # term ends) rather than as a dict: model files write a dict entry by entry, which made
        # saving and loading a 40,000-term vocabulary take seconds.
        state = dict(
            super().__getstate__()
        )  # for classes outside scikit-learn it is __dict__ itself
        vocabulary = state.pop("word_vocabulary_", None)
        if vocabulary is not None:
            terms = sorted(vocabulary, key=vocabulary.__getitem__)
            encoded = [term.encode("utf-8") for term in terms]
            state["word_terms_utf8_"] = np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()
            state["word_term_ends_"] = np.cumsum([len(e) for e in encoded], dtype=np.int64)
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        blob, ends = state.pop("word_terms_utf8_", None), state.pop("word_term_ends_", None)
        super().__setstate__(state)
        if blob is not None:
            data = np.asarray(blob, dtype=np.uint8).tobytes()
            bounds = [0, *np.asarray(ends).tolist()]
            self.word_vocabulary_ = {
                data[a:b].decode("utf-8"): i for i, (a, b) in enumerate(pairwise(bounds))
            }

    def fit(self, texts: Sequence[str], y: Sequence[str] | None = None) -> WaspadaFeatures:
        analyses = analyse_many(texts)
        return self.fit_analyses(analyses)

    def fit_analyses(self, analyses: Sequence[Analysis]) -> WaspadaFeatures:
        fitted = FeatureCounts(analyses, self).fit().features
        for name in (
            "word_vocabulary_",
            "word_tfidf_",
            "char_ngrams_",
            "char_tfidf_",
            "indicator_names_",
        ):
            setattr(self, name, getattr(fitted, name))
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.transform_analyses(analyse_many(texts))

    def transform_analyses(self, analyses: Sequence[Analysis]) -> sp.csr_matrix:
        return self.fitted_transform().transform_analyses(analyses)

    def fitted_transform(self) -> FeatureTransform:
        """The fitted parameters as a :class:`FeatureTransform` (the one implementation of the
        transform, which compiled models use without scikit-learn)."""
        return FeatureTransform(
            word_vocabulary=self.word_vocabulary_,  # the same dict: derived lookups are cached per vocabulary
            word_ngrams=ngram_bounds(self.word_ngrams),
            word_tfidf=tfidf_of(self.word_tfidf_),
            char_hasher=self.char_ngrams_.hasher(),
            char_tfidf=tfidf_of(self.char_tfidf_),
            use_indicators=bool(self.use_indicators),
            indicator_names=tuple(self.indicator_names_),
            indicator_weight=float(self.indicator_weight),
        )

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> np.ndarray:
        return self.fitted_transform().get_feature_names_out()


def tfidf_of(transformer: TfidfTransformer) -> Tfidf:
    """The weighting a fitted ``TfidfTransformer`` applies, from its public parameters."""
    return Tfidf(
        getattr(transformer, "idf_", None) if transformer.use_idf else None,
        bool(transformer.sublinear_tf),
        transformer.norm,
    )
