"""Feature extraction: word and character n-grams of the normalised text plus the red flags.

One transformer runs the text layer once per post and builds every block from that single
analysis, so the cost of de-obfuscation and indicators is paid once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer

from pipeline import indicators
from pipeline.indicators import Analysis, analyse_many

STRUCTURE_FEATURES: tuple[str, ...] = (
    "struct__log_words",
    "struct__pay_log",
    "struct__pay_high",
    "struct__formal_contact",
    "struct__qualifications",
    "struct__evasion_count",
    "struct__n_red_flags",
    "struct__n_counters",
)
_FORMAL_CONTACT_RE = re.compile(r"_email_|_url_|\b(?:kirim (?:cv|lamaran|berkas)|apply|lamar)\b")
_QUALIFICATION_RE = re.compile(r"\b(?:kualifikasi|persyaratan|requirements?|qualifications?|tanggung jawab|responsibilities|job description|deskripsi pekerjaan|benefit|fasilitas)\b")


def structure_row(analysis: Analysis) -> list[float]:
    text = analysis.normalized.text
    pay = analysis.entities.max_monthly_pay or 0.0
    n_red = sum(1 for hit in analysis.hits if indicators.by_name(hit.name).kind == indicators.RED_FLAG)
    n_counter = len(analysis.hits) - n_red
    return [
        math.log1p(text.count(" ") + 1) / 6.0,
        math.log10(pay) / 8.0 if pay > 0 else 0.0,
        1.0 if pay >= 10_000_000 else 0.0,
        1.0 if _FORMAL_CONTACT_RE.search(text) else 0.0,
        1.0 if _QUALIFICATION_RE.search(text) else 0.0,
        min(len(analysis.normalized.evasions), 3) / 3.0,
        min(n_red, 6) / 6.0,
        min(n_counter, 3) / 3.0,
    ]


class WaspadaFeatures(TransformerMixin, BaseEstimator):
    """Raw post texts → sparse features: word n-grams, char n-grams, indicators, structure.

    Parameters
    ----------
    word_ngrams : (int, int)
        N-gram range of the word TF-IDF block on the normalised text.
    char_ngrams : (int, int)
        N-gram range of the character TF-IDF block (inside word boundaries).
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

    Examples
    --------
    >>> features = WaspadaFeatures().fit(["loker admin Bekasi", "CS Kamboja gaji 15jt"])
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

    def fit(self, texts: Sequence[str], y: Sequence[str] | None = None) -> WaspadaFeatures:
        analyses = analyse_many(texts)
        return self.fit_analyses(analyses)

    def fit_analyses(self, analyses: Sequence[Analysis]) -> WaspadaFeatures:
        normalized = [a.normalized.text for a in analyses]
        self.word_vectorizer_ = TfidfVectorizer(
            ngram_range=tuple(self.word_ngrams), min_df=self.min_df, max_features=self.max_word_features,
            sublinear_tf=True, token_pattern=r"(?u)[^\s]+", lowercase=False, dtype=np.float32,
        ).fit(normalized)
        # Plain ints: model files store them compactly (NumPy scalars are one array each).
        self.word_vectorizer_.vocabulary_ = {term: int(i) for term, i in self.word_vectorizer_.vocabulary_.items()}
        if hasattr(self.word_vectorizer_, "stop_words_"):
            del self.word_vectorizer_.stop_words_
        self.char_hasher_ = self._char_hasher()
        self.char_tfidf_ = TfidfTransformer(sublinear_tf=True).fit(self.char_hasher_.transform(normalized))
        self.indicator_names_ = list(indicators.names())
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.transform_analyses(analyse_many(texts))

    def transform_analyses(self, analyses: Sequence[Analysis]) -> sp.csr_matrix:
        normalized = [a.normalized.text for a in analyses]
        chars = self.char_tfidf_.transform(self.char_hasher_.transform(normalized))
        blocks = [self.word_vectorizer_.transform(normalized), chars]
        if self.use_indicators:
            blocks.append(self._indicator_block(analyses))
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def _char_hasher(self) -> HashingVectorizer:
        return HashingVectorizer(
            analyzer="char_wb", ngram_range=tuple(self.char_ngrams), n_features=2**self.char_hash_bits,
            alternate_sign=False, norm=None, lowercase=False, dtype=np.float32,
        )

    def _indicator_block(self, analyses: Sequence[Analysis]) -> sp.csr_matrix:
        index = {name: i for i, name in enumerate(self.indicator_names_)}
        width = len(index) + len(STRUCTURE_FEATURES)
        dense = np.zeros((len(analyses), width), dtype=np.float32)
        for row, analysis in enumerate(analyses):
            for hit in analysis.hits:
                if hit.name in index:  # an indicator added after this model was trained
                    dense[row, index[hit.name]] = self.indicator_weight
            dense[row, len(index):] = structure_row(analysis)
        return sp.csr_matrix(dense)

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> np.ndarray:
        names = [f"word__{t}" for t in self.word_vectorizer_.get_feature_names_out()]
        names += [f"char__{i}" for i in range(2**self.char_hash_bits)]
        if self.use_indicators:
            names += [f"indicator__{n}" for n in self.indicator_names_]
            names += list(STRUCTURE_FEATURES)
        return np.asarray(names, dtype=object)
