"""Feature extraction: word and character n-grams of the normalised text plus the red flags.

One transformer runs the text layer once per post and builds every block from that single
analysis, so the cost of de-obfuscation and indicators is paid once.

The fitted state is plain scikit-learn (a TfidfVectorizer and a HashingVectorizer), but the
counting is done here: scikit-learn's analyzers build every n-gram string of every post in
Python, while the character n-grams of a word never change and the word n-grams are dict
lookups. The matrices are identical to scikit-learn's, element for element.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Sequence
from itertools import chain, repeat
from typing import ClassVar

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
# Every match of each pattern contains one of these words. Python's regex engine retries a
# leading \b alternation at every position, so checking for the words first is several times
# faster on the posts (most of them) where the pattern cannot match.
_FORMAL_CONTACT_WORDS = ("_email_", "_url_", "kirim ", "apply", "lamar")
_QUALIFICATION_WORDS = ("kualifikasi", "persyaratan", "requirement", "qualification", "tanggung jawab",
                        "responsibilities", "job description", "deskripsi pekerjaan", "benefit", "fasilitas")


def _matches(pattern: re.Pattern, words: tuple[str, ...], text: str) -> bool:
    return any(word in text for word in words) and pattern.search(text) is not None


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
    ]


def indicator_kinds() -> dict[str, str]:
    """Kind of every registered indicator by name (``indicators.by_name`` scans the registry)."""
    return {item.name: item.kind for item in indicators.REGISTRY}


def count_matrix(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int], dtype=np.float32) -> sp.csr_matrix:
    """CSR counts of (row, column) occurrences with sorted indices, laid out exactly as
    scikit-learn's vectorisers lay out theirs (int32 indices, duplicates summed)."""
    n_rows, width = shape
    # One sort of row-major keys replaces a hash table per document; 32-bit keys sort fastest.
    key_type = np.int32 if n_rows * width < 2**31 else np.int64
    keys = rows.astype(key_type) * key_type(width) + columns.astype(key_type)
    keys.sort()
    if len(keys):
        first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        counts = np.diff(np.r_[first, len(keys)])
        keys = keys[first]
    else:
        counts = np.zeros(0, dtype=np.int64)
    key_rows = keys // width
    index_type = np.int32 if len(keys) < 2**31 and width < 2**31 else np.int64
    indices = (keys - key_rows * width).astype(index_type)
    indptr = np.searchsorted(key_rows, np.arange(n_rows + 1)).astype(index_type)
    return sp.csr_matrix((counts.astype(dtype), indices, indptr), shape=shape)


_C1, _C2 = np.uint32(0xCC9E2D51), np.uint32(0x1B873593)


def _rotl(x: np.ndarray, r: int) -> np.ndarray:
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


def murmurhash3_32_many(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Signed 32-bit MurmurHash3 (x86, seed 0) of each byte range ``data[start:start + length]``:
    the hash scikit-learn's FeatureHasher applies to a feature's UTF-8 bytes."""
    out = np.empty(len(starts), dtype=np.uint32)
    for size in np.unique(lengths).tolist():
        at = np.flatnonzero(lengths == size)
        block = data[starts[at, None] + np.arange(size)].astype(np.uint32)
        h = np.zeros(len(at), dtype=np.uint32)
        for i in range(0, size - size % 4, 4):
            k = block[:, i] | (block[:, i + 1] << np.uint32(8)) | (block[:, i + 2] << np.uint32(16)) | (block[:, i + 3] << np.uint32(24))
            h ^= _rotl(k * _C1, 15) * _C2
            h = _rotl(h, 13) * np.uint32(5) + np.uint32(0xE6546B64)
        tail = size % 4
        if tail:
            base = size - tail
            k = np.zeros(len(at), dtype=np.uint32)
            for j in range(tail - 1, -1, -1):
                k ^= block[:, base + j] << np.uint32(8 * j)
            h ^= _rotl(k * _C1, 15) * _C2
        h ^= np.uint32(size)
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
        out[at] = h
    return out.view(np.int32)


def _char_wb_spans(lengths: np.ndarray, min_n: int, max_n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(word, first character, characters) of every ``char_wb`` n-gram of padded words of
    ``lengths`` characters, as scikit-learn makes them: every window of each size, except that a
    word no longer than n yields itself once and stops the larger sizes."""
    words, firsts, sizes = [], [], []
    for n in range(min_n, max_n + 1):
        whole = (lengths <= n) & ((lengths == n) | (n == min_n))
        count = np.where(lengths > n, lengths - n + 1, whole.astype(np.int64))
        word = np.repeat(np.arange(len(lengths), dtype=np.int64), count)
        words.append(word)
        firsts.append(np.arange(len(word), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count))
        sizes.append(np.minimum(lengths[word], n))
    return np.concatenate(words), np.concatenate(firsts), np.concatenate(sizes)


def split_texts(texts: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Whitespace tokens of all texts in one list, and how many belong to each text."""
    splits = [text.split() for text in texts]
    return np.fromiter(map(len, splits), dtype=np.int64, count=len(splits)), list(chain.from_iterable(splits))


class WordNgramColumns:
    """Hashed columns of each word's character n-grams, computed once per distinct word.

    ``char_wb`` n-grams never cross a word boundary, so a document's n-grams are the
    concatenation of its words' n-grams; words repeat heavily across posts, so caching them turns
    a per-n-gram Python loop into one join of byte strings. Each word's columns are kept as the
    bytes of an int32 array (a third of the memory of a small NumPy array per word), and the
    cache starts over once it holds ``max_words`` words, which bounds it to a few megabytes. It
    lives in the process, never in a model file.
    """

    def __init__(self, n_features: int, ngram_range: tuple[int, int], max_words: int = 65_536):
        self.n_features = n_features
        self.ngram_range = ngram_range
        self.max_words = max_words
        self._cache: dict[str, bytes] = {}

    def __len__(self) -> int:
        return len(self._cache)

    def hash_words(self, words: Sequence[str]) -> dict[str, bytes]:
        """Columns of each word's n-grams as int32 bytes, all words hashed at once."""
        padded = [" " + word + " " for word in words]
        lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
        data = np.frombuffer("".join(padded).encode("utf-8"), dtype=np.uint8)
        # Byte offset of every character (UTF-8 continuation bytes are 10xxxxxx), plus the end.
        offsets = np.r_[np.flatnonzero((data & 0xC0) != 0x80), len(data)]
        word, first, size = _char_wb_spans(lengths, *self.ngram_range)
        first += (np.cumsum(lengths) - lengths)[word]
        starts = offsets[first]
        hashes = murmurhash3_32_many(data, starts, offsets[first + size] - starts).astype(np.int64)
        # FeatureHasher's column is abs(h) % n_features, with abs(-2**31) taken as 2**31.
        columns = (np.abs(hashes) % self.n_features).astype(np.int32)[np.argsort(word, kind="stable")]
        ends = np.cumsum(np.bincount(word, minlength=len(words))) * columns.itemsize
        blob = columns.tobytes()
        return {w: blob[start:end] for w, start, end in zip(words, [0, *ends[:-1].tolist()], ends.tolist())}

    def lookup(self, words: Sequence[str]) -> list[bytes]:
        """Every word's columns as int32 bytes (see :meth:`hash_words`)."""
        cache = self._cache
        if len(cache) > self.max_words:
            cache = self._cache = {}  # replaced, not cleared: another thread may be reading it
        parts = list(map(cache.get, words))
        if None in parts:
            cache.update(self.hash_words(list(set(words).difference(cache))))
            parts = list(map(cache.get, words))
        return parts

    def counts(self, texts: Sequence[str], dtype=np.float32, tokens: tuple[np.ndarray, list[str]] | None = None) -> sp.csr_matrix:
        """The same matrix as ``HashingVectorizer(analyzer="char_wb", alternate_sign=False,
        norm=None, lowercase=False).transform(texts)`` with this object's settings.
        ``tokens``: ``split_texts(texts)`` when the caller has it already."""
        words_per_text, words = split_texts(texts) if tokens is None else tokens
        parts = self.lookup(words)
        columns = np.frombuffer(b"".join(parts), dtype=np.int32)
        ends = np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))) // columns.itemsize
        per_text = np.diff(np.r_[0, ends][np.r_[0, np.cumsum(words_per_text)]])
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), per_text)
        return count_matrix(rows, columns, (len(texts), self.n_features), dtype)


_WORD_COLUMNS: dict[tuple[int, int, int], WordNgramColumns] = {}
_WORD_COLUMNS_LOCK = threading.Lock()


def _fast_char_counts(hasher: HashingVectorizer, texts: Sequence[str], tokens=None) -> sp.csr_matrix:
    """The hasher's count matrix through the per-word cache, or through scikit-learn when the
    hasher has settings the cache does not reproduce."""
    params = hasher.get_params()
    supported = (
        params["analyzer"] == "char_wb" and params["input"] == "content" and not params["lowercase"]
        and params["preprocessor"] is None and params["strip_accents"] is None and params["norm"] is None
        and not params["alternate_sign"] and not params["binary"] and len(texts) > 0
        and all(isinstance(text, str) for text in texts)
    )
    if not supported:
        return hasher.transform(texts)
    key = (int(params["n_features"]), *map(int, params["ngram_range"]))
    with _WORD_COLUMNS_LOCK:
        columns = _WORD_COLUMNS.get(key)
        if columns is None:
            columns = _WORD_COLUMNS[key] = WordNgramColumns(key[0], key[1:])
    return columns.counts(texts, params["dtype"], tokens)


def _fast_word_tfidf(vectorizer: TfidfVectorizer, texts: Sequence[str], tokens=None) -> sp.csr_matrix:
    """``vectorizer.transform(texts)`` with the counting done by ``str.split`` and dict lookups.

    The token pattern ``[^\\s]+`` matches exactly the runs ``str.split()`` returns (both use
    Python's Unicode whitespace), so the counts are the ones scikit-learn would make; the TF-IDF
    weighting itself stays scikit-learn's.
    """
    params = vectorizer.get_params()
    supported = (
        params["analyzer"] == "word" and params["input"] == "content" and not params["lowercase"]
        and params["preprocessor"] is None and params["tokenizer"] is None and params["strip_accents"] is None
        and params["stop_words"] is None and params["token_pattern"] == r"(?u)[^\s]+" and not params["binary"]
        and hasattr(vectorizer, "_tfidf") and len(texts) > 0 and all(isinstance(text, str) for text in texts)
    )
    if not supported:
        return vectorizer.transform(texts)
    min_n, max_n = params["ngram_range"]
    vocabulary = vectorizer.vocabulary_
    if 1 <= min_n <= max_n <= 2:
        rows, columns = _TermPairs.of(vocabulary).find(split_texts(texts) if tokens is None else tokens, min_n, max_n)
    else:
        rows, columns = _find_terms(vocabulary, texts, min_n, max_n)
    counts = count_matrix(rows, columns, (len(texts), len(vocabulary)), params["dtype"])
    return vectorizer._tfidf.transform(counts, copy=False)


def _find_terms(vocabulary: dict[str, int], texts: Sequence[str], min_n: int, max_n: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every word n-gram of ``texts`` that is in ``vocabulary``."""
    get = vocabulary.get
    found: list[int] = []
    per_text = np.empty(len(texts), dtype=np.int64)
    for row, text in enumerate(texts):
        before = len(found)
        tokens = text.split()
        for n in range(min_n, max_n + 1):
            grams = tokens if n == 1 else map(" ".join, zip(*(tokens[i:] for i in range(n))))
            found.extend(map(get, grams, repeat(-1)))
        per_text[row] = len(found) - before
    columns = np.fromiter(found, dtype=np.int64, count=len(found))
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), per_text)
    known = columns >= 0
    return rows[known], columns[known]


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
        self.unigram_columns = np.full(len(self.token_ids) + 1, -1, dtype=np.int64)  # last: unknown token
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

    def find(self, split: tuple[np.ndarray, list[str]], min_n: int, max_n: int) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every unigram (``min_n`` 1) and bigram (``max_n`` 2) in the vocabulary,
        from ``split_texts(texts)``."""
        unknown = len(self.token_ids)
        per_text, tokens = split
        ids = np.fromiter(map(self.token_ids.get, tokens, repeat(unknown)), dtype=np.int64, count=len(tokens))
        token_rows = np.repeat(np.arange(len(per_text), dtype=np.int64), per_text)
        rows, columns = [], []
        if min_n == 1:
            unigrams = self.unigram_columns[ids]
            rows.append(token_rows[unigrams >= 0])
            columns.append(unigrams[unigrams >= 0])
        if max_n == 2 and len(ids) > 1 and len(self.pair_keys):
            first, second = ids[:-1], ids[1:]
            # A pair counts when both tokens are known and belong to the same text.
            candidate = np.flatnonzero((first < unknown) & (second < unknown) & (token_rows[:-1] == token_rows[1:]))
            keys = first[candidate] * unknown + second[candidate]
            at = np.minimum(np.searchsorted(self.pair_keys, keys), len(self.pair_keys) - 1)
            hit = self.pair_keys[at] == keys
            rows.append(token_rows[candidate[hit]])
            columns.append(self.pair_columns[at[hit]])
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(rows), np.concatenate(columns)


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
        self.char_tfidf_ = TfidfTransformer(sublinear_tf=True).fit(_fast_char_counts(self.char_hasher_, normalized))
        self.indicator_names_ = list(indicators.names())
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.transform_analyses(analyse_many(texts))

    def transform_analyses(self, analyses: Sequence[Analysis]) -> sp.csr_matrix:
        normalized = [a.normalized.text for a in analyses]
        tokens = split_texts(normalized)  # both text blocks split on whitespace
        chars = self.char_tfidf_.transform(_fast_char_counts(self.char_hasher_, normalized, tokens))
        blocks = [_fast_word_tfidf(self.word_vectorizer_, normalized, tokens), chars]
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
        kinds = indicator_kinds()
        rows, columns, structure = [], [], []
        for row, analysis in enumerate(analyses):
            for hit in analysis.hits:
                column = index.get(hit.name)
                if column is not None:  # None: an indicator added after this model was trained
                    rows.append(row)
                    columns.append(column)
            structure.append(structure_row(analysis, kinds))
        dense[rows, columns] = self.indicator_weight
        if structure:
            dense[:, len(index):] = structure
        return sp.csr_matrix(dense)

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> np.ndarray:
        names = [f"word__{t}" for t in self.word_vectorizer_.get_feature_names_out()]
        names += [f"char__{i}" for i in range(2**self.char_hash_bits)]
        if self.use_indicators:
            names += [f"indicator__{n}" for n in self.indicator_names_]
            names += list(STRUCTURE_FEATURES)
        return np.asarray(names, dtype=object)
