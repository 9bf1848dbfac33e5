"""Feature rows of analysed posts: the transform of a fitted :class:`pipeline.features.WaspadaFeatures`.

Word unigram and bigram counts, hashed character n-grams (:mod:`pipeline.ngramhash`), TF-IDF
weighting with L2-normalised rows, and the indicator and structure block, with NumPy and SciPy
only. Training fits the parameters with scikit-learn (``pipeline.features``) and transforms with
these functions; scoring transforms with the same functions from a compiled model and so never
imports scikit-learn, whose import alone costs seconds.

The TF-IDF weighting repeats ``TfidfTransformer.transform`` for fitted ``idf_`` operation for
operation (same dtypes, same order of sums), so the rows are the same to the last bit and a
score does not depend on which of the two computed it.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from pipeline import indicators
from pipeline.indicators import Analysis
from pipeline.ngramhash import NgramHasher
from pipeline.sparse import count_matrix

STRUCTURE_FEATURES: tuple[str, ...] = (
    "struct__log_words",
    "struct__pay_log",
    "struct__pay_high",
    "struct__formal_contact",
    "struct__qualifications",
    "struct__evasion_count",
    "struct__n_red_flags",
    "struct__n_counters",
    # Red flags that are mild one by one are damning together: the linear model gets the count
    # as steps, so three or four cues can outweigh what each adds alone.
    *(
        RED_FLAG_STEPS := (
            "struct__red_flags_2_or_more",
            "struct__red_flags_3_or_more",
            "struct__red_flags_4_or_more",
        )
    ),
)
_FORMAL_CONTACT_RE = re.compile(r"_email_|_url_|\b(?:kirim (?:cv|lamaran|berkas)|apply|lamar)\b")
_QUALIFICATION_RE = re.compile(
    r"\b(?:kualifikasi|persyaratan|requirements?|qualifications?|tanggung jawab|responsibilities|job description|deskripsi pekerjaan|benefit|fasilitas)\b"
)
# Every match of each pattern contains one of these words. Python's regex engine retries a
# leading \b alternation at every position, so checking for the words first is several times
# faster on the posts (most of them) where the pattern cannot match.
_FORMAL_CONTACT_WORDS = ("_email_", "_url_", "kirim ", "apply", "lamar")
_QUALIFICATION_WORDS = (
    "kualifikasi",
    "persyaratan",
    "requirement",
    "qualification",
    "tanggung jawab",
    "responsibilities",
    "job description",
    "deskripsi pekerjaan",
    "benefit",
    "fasilitas",
)


def _matches(pattern: re.Pattern, words: tuple[str, ...], text: str) -> bool:
    return any(map(text.__contains__, words)) and pattern.search(text) is not None


def structure_row(analysis: Analysis, kinds: dict[str, str] | None = None) -> list[float]:
    text = analysis.normalized.text
    pay = analysis.entities.max_monthly_pay or 0.0
    if kinds is None:
        kinds = indicator_kinds()
    n_red = sum(1 for hit in analysis.hits if kinds[hit.name] == indicators.RED_FLAG)
    n_counter = len(analysis.hits) - n_red
    return [
        math.log1p(text.count(" ") + 1) / 6.0,
        math.log10(pay) / 8.0 if pay > 0 else 0.0,
        1.0 if pay >= 10_000_000 else 0.0,
        1.0 if _matches(_FORMAL_CONTACT_RE, _FORMAL_CONTACT_WORDS, text) else 0.0,
        1.0 if _matches(_QUALIFICATION_RE, _QUALIFICATION_WORDS, text) else 0.0,
        min(len(analysis.normalized.evasions), 3) / 3.0,
        min(n_red, 6) / 6.0,
        min(n_counter, 3) / 3.0,
        1.0 if n_red >= 2 else 0.0,
        1.0 if n_red >= 3 else 0.0,
        1.0 if n_red >= 4 else 0.0,
    ]


def indicator_kinds() -> dict[str, str]:
    """Kind of every registered indicator by name (``indicators.by_name`` scans the registry)."""
    return {item.name: item.kind for item in indicators.REGISTRY}


def split_texts(texts: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Whitespace tokens of all texts in one list, and how many belong to each text."""
    splits = [text.split() for text in texts]
    return np.fromiter(map(len, splits), dtype=np.int64, count=len(splits)), list(
        chain.from_iterable(splits)
    )


def word_counts(
    vocabulary: dict[str, int],
    tokens: tuple[np.ndarray, list[str]],
    ngram_range: tuple[int, int],
    dtype=np.float32,
) -> sp.csr_matrix:
    """Counts of the vocabulary's unigrams and bigrams in ``split_texts(texts)``."""
    per_text = tokens[0]
    rows, columns = _TermPairs.of(vocabulary).find(tokens, *ngram_range)
    return count_matrix(rows, columns, (len(per_text), len(vocabulary)), dtype)


class _TermPairs:
    """A word vocabulary of unigrams and bigrams as token ids, so that finding a text's terms
    takes one dict lookup per token and array arithmetic for the bigrams, instead of building
    and looking up every bigram string. Derived from the vocabulary when first needed and kept
    in the process only."""

    _derived: ClassVar[dict[int, tuple[dict, _TermPairs]]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, vocabulary: dict[str, int]):
        self.token_ids: dict[str, int] = {}
        unigram, pairs = {}, []
        for term, column in vocabulary.items():
            parts = term.split(" ")
            ids = [self.token_ids.setdefault(part, len(self.token_ids)) for part in parts]
            if len(parts) == 1:
                unigram[ids[0]] = column
            elif len(parts) == 2:
                pairs.append((ids[0], ids[1], column))
        self.unigram_columns = np.full(
            len(self.token_ids) + 1, -1, dtype=np.int64
        )  # last: unknown token
        self.unigram_columns[list(unigram)] = list(unigram.values())
        pair_array = np.array(pairs, dtype=np.int64).reshape(-1, 3)
        keys = pair_array[:, 0] * len(self.token_ids) + pair_array[:, 1]
        order = np.argsort(keys)
        self.pair_keys, self.pair_columns = keys[order], pair_array[order, 2]

    @classmethod
    def of(cls, vocabulary: dict[str, int]) -> _TermPairs:
        with cls._lock:
            known = cls._derived.get(id(vocabulary))
            if known is None or known[0] is not vocabulary:
                if len(cls._derived) >= 4:  # a process holds one or two models
                    cls._derived.clear()
                known = cls._derived[id(vocabulary)] = (vocabulary, cls(vocabulary))
            return known[1]

    def find(
        self, split: tuple[np.ndarray, list[str]], min_n: int, max_n: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every unigram (``min_n`` 1) and bigram (``max_n`` 2) in the vocabulary,
        from ``split_texts(texts)``."""
        unknown = len(self.token_ids)
        per_text, tokens = split
        ids = np.fromiter(
            map(self.token_ids.get, tokens, repeat(unknown)), dtype=np.int64, count=len(tokens)
        )
        token_rows = np.repeat(np.arange(len(per_text), dtype=np.int64), per_text)
        rows, columns = [], []
        if min_n == 1:
            unigrams = self.unigram_columns[ids]
            rows.append(token_rows[unigrams >= 0])
            columns.append(unigrams[unigrams >= 0])
        if max_n == 2 and len(ids) > 1 and len(self.pair_keys):
            first, second = ids[:-1], ids[1:]
            # A pair counts when both tokens are known and belong to the same text.
            candidate = np.flatnonzero(
                (first < unknown) & (second < unknown) & (token_rows[:-1] == token_rows[1:])
            )
            keys = first[candidate] * unknown + second[candidate]
            at = np.minimum(np.searchsorted(self.pair_keys, keys), len(self.pair_keys) - 1)
            hit = self.pair_keys[at] == keys
            rows.append(token_rows[candidate[hit]])
            columns.append(self.pair_columns[at[hit]])
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(rows), np.concatenate(columns)


def indicator_block(
    analyses: Sequence[Analysis], names: Sequence[str], weight: float
) -> sp.csr_matrix:
    """The indicators in ``names`` that fired in each post (``weight`` each), then its structure row."""
    index = {name: i for i, name in enumerate(names)}
    width = len(index) + len(STRUCTURE_FEATURES)
    dense = np.zeros((len(analyses), width), dtype=np.float32)
    kinds = indicator_kinds()
    rows, columns, structure = [], [], []
    for row, analysis in enumerate(analyses):
        for hit in analysis.hits:
            column = index.get(hit.name)
            if column is not None:  # None: an indicator added after this model was trained
                rows.append(row)
                columns.append(column)
        structure.append(structure_row(analysis, kinds))
    dense[rows, columns] = weight
    if structure:
        dense[:, len(index) :] = structure
    return sp.csr_matrix(dense)


@dataclass(frozen=True)
class Tfidf:
    """A fitted TF-IDF weighting: ``idf`` per column (None: no IDF), logarithmic term counts
    with ``sublinear_tf``, rows scaled to unit length with ``norm="l2"`` (None: not scaled)."""

    idf: np.ndarray | None
    sublinear_tf: bool = True
    norm: str | None = "l2"

    def __post_init__(self):
        if self.norm not in ("l2", None):
            raise ValueError(f"Only norm='l2' or None are supported, got {self.norm!r}.")

    def transform(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Weight ``counts`` (float CSR) in place and return it."""
        data = counts.data
        if self.sublinear_tf:
            np.log(data, data)
            data += 1.0
        if self.idf is not None:
            data *= self.idf[counts.indices]
        if self.norm == "l2":
            normalize_rows_l2(counts)
        return counts


def normalize_rows_l2(matrix: sp.csr_matrix) -> None:
    """Divide each row of ``matrix`` (in place) by its Euclidean length; empty rows stay as they are.

    As scikit-learn's CSR row normalisation computes it: squares in the data's own precision,
    summed per row in double precision in column order, and each value divided in double
    precision. ``np.bincount`` with weights sums in that order.
    """
    data = matrix.data
    lengths = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(matrix.shape[0], dtype=np.int64), lengths)
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=matrix.shape[0]))
    norms[norms == 0.0] = 1.0  # dividing by one changes nothing, as skipping the row does
    data[:] = data / np.repeat(norms, lengths)


@dataclass(frozen=True)
class FeatureTransform:
    """Fitted feature parameters and the transform from analyses to feature rows.

    Columns: the word vocabulary's TF-IDF, the hashed character n-grams' TF-IDF, then (with
    ``use_indicators``) one column per indicator in ``indicator_names`` and the structure block.
    """

    word_vocabulary: dict[str, int]
    word_ngrams: tuple[int, int]
    word_tfidf: Tfidf
    char_hasher: NgramHasher
    char_tfidf: Tfidf
    use_indicators: bool
    indicator_names: tuple[str, ...]
    indicator_weight: float

    def transform_analyses(self, analyses: Sequence[Analysis]) -> sp.csr_matrix:
        normalized = [a.normalized.text for a in analyses]
        counts = word_counts(self.word_vocabulary, split_texts(normalized), self.word_ngrams)
        blocks = [
            self.word_tfidf.transform(counts),
            self.char_tfidf.transform(self.char_hasher.counts(normalized)),
        ]
        if self.use_indicators:
            blocks.append(indicator_block(analyses, self.indicator_names, self.indicator_weight))
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    @property
    def n_features(self) -> int:
        extra = len(self.indicator_names) + len(STRUCTURE_FEATURES) if self.use_indicators else 0
        return len(self.word_vocabulary) + self.char_hasher.n_columns + extra

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> np.ndarray:
        names = [
            f"word__{t}" for t in sorted(self.word_vocabulary, key=self.word_vocabulary.__getitem__)
        ]
        names += [f"char__{i}" for i in range(self.char_hasher.n_columns)]
        if self.use_indicators:
            names += [f"indicator__{n}" for n in self.indicator_names]
            names += list(STRUCTURE_FEATURES)
        return np.asarray(names, dtype=object)
