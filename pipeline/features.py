"""Feature extraction: word and character n-grams of the normalised text plus the red flags.

One transformer runs the text layer once per post and builds every block from that single
analysis, so the cost of de-obfuscation and indicators is paid once.

The fitted state is plain scikit-learn (a TfidfVectorizer and a HashingVectorizer), but the
counting is done here: scikit-learn's analyzers build every n-gram string of every post in
Python, while the character n-grams of a word never change and the word n-grams are dict
lookups. The matrices are identical to scikit-learn's, element for element.
"""

from __future__ import annotations

import copy
import math
import re
import threading
from collections.abc import Sequence
from itertools import chain, pairwise, repeat
from numbers import Integral
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, TransformerMixin, clone
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
    # Red flags that are mild one by one are damning together: the linear model gets the count
    # as steps, so three or four cues can outweigh what each adds alone.
    *(RED_FLAG_STEPS := ("struct__red_flags_2_or_more", "struct__red_flags_3_or_more", "struct__red_flags_4_or_more")),
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


def count_matrix(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int], dtype=np.float32) -> sp.csr_matrix:
    """CSR counts of (row, column) occurrences with sorted indices, laid out exactly as
    scikit-learn's vectorisers lay out theirs (int32 indices, duplicates summed)."""
    n_rows, width = shape
    # One sort of row-major keys replaces a hash table per document. 32-bit keys sort several
    # times faster than 64-bit ones, so rows that arrive in order are counted in blocks small
    # enough for 32-bit keys.
    block = max(1, (2**31 - 1) // max(width, 1))
    if n_rows <= block or width >= 2**31 or (len(rows) > 1 and np.any(rows[1:] < rows[:-1])):
        indices, counts, per_row = _count_block(rows, columns, n_rows, width)
    else:
        starts = np.searchsorted(rows, np.arange(0, n_rows, block))
        ends = np.r_[starts[1:], len(rows)]
        parts = [_count_block(rows[a:b] - first, columns[a:b], min(block, n_rows - first), width)
                 for first, a, b in zip(range(0, n_rows, block), starts.tolist(), ends.tolist())]
        indices, counts, per_row = (np.concatenate(part) for part in zip(*parts))
    index_type = np.int32 if len(indices) < 2**31 and width < 2**31 else np.int64
    indptr = np.zeros(n_rows + 1, dtype=index_type)
    np.cumsum(per_row, out=indptr[1:])
    return sp.csr_matrix((counts.astype(dtype), indices.astype(index_type, copy=False), indptr), shape=shape)


def _count_block(rows: np.ndarray, columns: np.ndarray, n_rows: int, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(column, count) of each distinct (row, column) in row-major order, and entries per row."""
    key_type = np.int32 if n_rows * width < 2**31 else np.int64
    keys = rows.astype(key_type) * key_type(width)
    keys += columns.astype(key_type, copy=False)
    keys.sort()
    if len(keys):
        starts = np.empty(len(keys), dtype=bool)
        starts[0] = True
        np.not_equal(keys[1:], keys[:-1], out=starts[1:])
        first = np.flatnonzero(starts)
        counts = np.diff(first, append=len(keys))
        keys = keys[first]
    else:
        counts = np.zeros(0, dtype=np.int64)
    key_rows = keys // width
    return keys - key_rows * width, counts, np.bincount(key_rows, minlength=n_rows)


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
# Below this many posts, starting worker processes costs more than counting in one.
_PARALLEL_MIN_ROWS = 20_000
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


def _fast_word_fit_supported(vectorizer: TfidfVectorizer) -> bool:
    params = vectorizer.get_params()
    return (
        params["analyzer"] == "word" and params["input"] == "content" and not params["lowercase"]
        and params["preprocessor"] is None and params["tokenizer"] is None and params["strip_accents"] is None
        and params["stop_words"] is None and params["token_pattern"] == r"(?u)[^\s]+" and not params["binary"]
        and params["vocabulary"] is None and 1 <= params["ngram_range"][0] <= params["ngram_range"][1] <= 2
    )


def word_term_counts(tokens: tuple[np.ndarray, list[str]], ngram_range: tuple[int, int], min_df: int = 1,
                     dtype=np.float32) -> tuple[list[str], sp.csr_matrix]:
    """Every unigram and/or bigram of ``split_texts(texts)`` that occurs in at least ``min_df``
    texts, in alphabetical order (the order of a fitted ``TfidfVectorizer``'s columns), and the
    count matrix texts × terms.

    Tokens are numbered once and bigrams are pairs of numbers, so no n-gram string is built per
    occurrence; only the distinct terms that survive ``min_df`` become strings.
    """
    import pandas as pd  # a dependency of the package already; imported here to keep scoring imports light

    per_text, words = tokens
    n_texts = len(per_text)
    codes, distinct = pd.factorize(np.asarray(words, dtype=object), sort=False)
    distinct = distinct.tolist()
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
    terms = [ordered_words[a] if b == 0 else ordered_words[a] + " " + ordered_words[b - 1]
             for a, b in zip(firsts.tolist(), seconds.tolist())]
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
        indptr[row + 1:row + 1 + block.shape[0]] = block.indptr[1:] + offset
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
    out = sp.csr_matrix((data, indices.astype(matrix.indices.dtype), indptr), shape=(matrix.shape[0], len(columns)))
    out.has_sorted_indices = True
    return out


def fit_word_vectorizer(vectorizer: TfidfVectorizer, counts: sp.csr_matrix, terms: Sequence[str],
                        n_tokens: int) -> tuple[TfidfVectorizer, np.ndarray]:
    """Fit ``vectorizer`` as ``vectorizer.fit(texts)`` would, from the texts' counts of ``terms``
    (alphabetical, from :func:`word_term_counts`). Returns the vectorizer and the columns of
    ``counts`` that became its vocabulary, in vocabulary order.

    ``counts`` may lack terms that occur in fewer texts than ``min_df`` in a larger set of texts:
    they could never survive ``min_df`` here. ``n_tokens`` is how many tokens the texts hold
    (only to raise scikit-learn's error for texts without any). Document-frequency pruning, the
    ``max_features`` cut (including how ties at the cut fall) and the IDF weights are
    scikit-learn's own computations on the same numbers.
    """
    vectorizer._validate_params()
    vectorizer._check_params()
    vectorizer._warn_for_unused_params()
    vectorizer._tfidf = TfidfTransformer(norm=vectorizer.norm, use_idf=vectorizer.use_idf,
                                         smooth_idf=vectorizer.smooth_idf, sublinear_tf=vectorizer.sublinear_tf)
    vectorizer._validate_ngram_range()
    vectorizer._validate_vocabulary()
    vectorizer.build_analyzer()
    if n_tokens == 0:
        raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
    n_doc = counts.shape[0]
    max_df, min_df = vectorizer.max_df, vectorizer.min_df
    max_doc_count = max_df if isinstance(max_df, Integral) else max_df * n_doc
    min_doc_count = min_df if isinstance(min_df, Integral) else min_df * n_doc
    if max_doc_count < min_doc_count:
        raise ValueError("max_df corresponds to < documents than min_df")
    # As CountVectorizer._limit_features, on the columns in alphabetical order.
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    mask = (document_frequency <= max_doc_count) & (document_frequency >= min_doc_count)
    limit = vectorizer.max_features
    if limit is not None and mask.sum() > limit:
        term_frequency = np.asarray(counts.sum(axis=0)).ravel()
        mask_inds = (-term_frequency[mask]).argsort()[:limit]
        new_mask = np.zeros(len(document_frequency), dtype=bool)
        new_mask[np.where(mask)[0][mask_inds]] = True
        mask = new_mask
    columns = np.flatnonzero(mask)
    if len(columns) == 0:
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
    # Plain ints: model files store them compactly (NumPy scalars are one array each).
    vectorizer.vocabulary_ = {terms[column]: i for i, column in enumerate(columns.tolist())}
    vectorizer._tfidf.fit(select_columns(counts, columns))
    return vectorizer, columns


class FeatureCounts:
    """What the features of a fixed list of analyses need that does not depend on which of
    them the features are fitted on: word n-gram counts, hashed character n-gram counts and the
    indicator and structure block.

    Cross-validation counts once and then fits each fold's features on that fold's rows only
    (its vocabulary, document frequencies and IDF weights see no other row) and builds any
    rows' matrix by slicing. The results equal ``WaspadaFeatures.fit_analyses`` and
    ``transform_analyses`` on the same analyses, element for element.

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

    def __init__(self, analyses: Sequence[Analysis], settings: WaspadaFeatures | None = None, jobs: int = 1):
        self.settings = WaspadaFeatures() if settings is None else settings
        self.n_rows = len(analyses)
        normalized = [a.normalized.text for a in analyses]
        hasher = self.settings._char_hasher()
        pending = None
        if jobs > 1 and self.n_rows >= _PARALLEL_MIN_ROWS:
            # The character counts, the largest block, are counted in worker processes while
            # this one counts the words and builds the indicator block.
            bounds = np.linspace(0, self.n_rows, jobs + 1).astype(int).tolist()
            runner = Parallel(n_jobs=jobs, return_as="generator")
            pending = runner(delayed(_fast_char_counts)(hasher, normalized[a:b]) for a, b in pairwise(bounds))
        tokens = split_texts(normalized)
        self.tokens_per_row = tokens[0]
        self.indicator_names = list(indicators.names())
        self.indicator_block = None
        if self.settings.use_indicators:
            self.indicator_block = self.settings._indicator_block(analyses, self.indicator_names)
        vectorizer = self.settings._word_vectorizer()
        self.word_texts: list[str] | None = None
        if _fast_word_fit_supported(vectorizer):
            # Terms in fewer than min_df of all rows cannot reach min_df in a subset of them.
            min_df = self.settings.min_df if isinstance(self.settings.min_df, Integral) else 1
            self.word_terms, self.word_counts = word_term_counts(tokens, vectorizer.ngram_range, max(1, min_df))
        else:
            self.word_texts = normalized
        if pending is None:
            self.char_counts = _fast_char_counts(hasher, normalized, tokens)
        else:
            self.char_counts = stack_rows(list(pending), hasher.n_features)

    def __len__(self) -> int:
        return self.n_rows

    def fit(self, rows: Sequence[int] | np.ndarray | None = None) -> CountedFeatures:
        """Features fitted on ``rows`` (all rows when None), as ``fit_analyses`` on those analyses."""
        rows = np.arange(self.n_rows) if rows is None else np.asarray(rows, dtype=np.int64)
        features = clone(self.settings)
        vectorizer = features._word_vectorizer()
        if self.word_texts is None:
            n_tokens = int(self.tokens_per_row[rows].sum())
            vectorizer, word_columns = fit_word_vectorizer(vectorizer, self.word_counts[rows], self.word_terms, n_tokens)
        else:
            vectorizer, word_columns = vectorizer.fit([self.word_texts[i] for i in rows]), None
        features._set_word_vectorizer(vectorizer)
        features.char_hasher_ = features._char_hasher()
        features.char_tfidf_ = TfidfTransformer(sublinear_tf=True).fit(self.char_counts[rows])
        features.indicator_names_ = list(self.indicator_names)
        return CountedFeatures(self, features, word_columns)


class CountedFeatures:
    """Features fitted by :meth:`FeatureCounts.fit`, and the way to build any of its rows'
    matrix from the counts. ``features`` is an ordinary fitted :class:`WaspadaFeatures`."""

    def __init__(self, counts: FeatureCounts, features: WaspadaFeatures, word_columns: np.ndarray | None):
        self.counts = counts
        self.features = features
        self.word_columns = word_columns

    def transform(self, rows: Sequence[int] | np.ndarray) -> sp.csr_matrix:
        """The same matrix as ``features.transform_analyses`` on those rows' analyses."""
        counts, features = self.counts, self.features
        rows = np.asarray(rows, dtype=np.int64)
        vectorizer = features.word_vectorizer_
        if self.word_columns is None:
            words = _fast_word_tfidf(vectorizer, [counts.word_texts[i] for i in rows])
        else:
            words = vectorizer._tfidf.transform(select_columns(counts.word_counts[rows], self.word_columns), copy=False)
        blocks = [words, features.char_tfidf_.transform(counts.char_counts[rows])]
        if features.use_indicators:
            blocks.append(counts.indicator_block[rows])
        return sp.hstack(blocks, format="csr", dtype=np.float32)


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

    def __getstate__(self) -> dict:
        # The word vocabulary is stored as two arrays (the terms' UTF-8 bytes, and where each
        # term ends) rather than as a dict: model files write a dict entry by entry, which made
        # saving and loading a 40,000-term vocabulary take seconds.
        state = dict(super().__getstate__())  # for classes outside scikit-learn it is __dict__ itself
        vectorizer = state.get("word_vectorizer_")
        if vectorizer is not None and isinstance(getattr(vectorizer, "vocabulary_", None), dict):
            terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
            encoded = [term.encode("utf-8") for term in terms]
            stripped = copy.copy(vectorizer)
            del stripped.vocabulary_
            state["word_vectorizer_"] = stripped
            state["word_terms_utf8_"] = np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()
            state["word_term_ends_"] = np.cumsum([len(e) for e in encoded], dtype=np.int64)
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        blob, ends = state.pop("word_terms_utf8_", None), state.pop("word_term_ends_", None)
        super().__setstate__(state)
        if blob is not None:
            data = np.asarray(blob, dtype=np.uint8).tobytes()
            starts = [0, *np.asarray(ends).tolist()[:-1]]
            terms = [data[a:b].decode("utf-8") for a, b in zip(starts, np.asarray(ends).tolist())]
            vectorizer = copy.copy(self.word_vectorizer_)
            vectorizer.vocabulary_ = {term: i for i, term in enumerate(terms)}
            self.word_vectorizer_ = vectorizer

    def fit(self, texts: Sequence[str], y: Sequence[str] | None = None) -> WaspadaFeatures:
        analyses = analyse_many(texts)
        return self.fit_analyses(analyses)

    def fit_analyses(self, analyses: Sequence[Analysis]) -> WaspadaFeatures:
        fitted = FeatureCounts(analyses, self).fit().features
        for name in ("word_vectorizer_", "char_hasher_", "char_tfidf_", "indicator_names_"):
            setattr(self, name, getattr(fitted, name))
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

    def _word_vectorizer(self) -> TfidfVectorizer:
        """The word block's vectoriser, unfitted."""
        return TfidfVectorizer(
            ngram_range=tuple(self.word_ngrams), min_df=self.min_df, max_features=self.max_word_features,
            sublinear_tf=True, token_pattern=r"(?u)[^\s]+", lowercase=False, dtype=np.float32,
        )

    def _set_word_vectorizer(self, vectorizer: TfidfVectorizer) -> None:
        # Plain ints: model files store them compactly (NumPy scalars are one array each).
        vectorizer.vocabulary_ = {term: int(i) for term, i in vectorizer.vocabulary_.items()}
        if hasattr(vectorizer, "stop_words_"):
            del vectorizer.stop_words_
        self.word_vectorizer_ = vectorizer

    def _char_hasher(self) -> HashingVectorizer:
        return HashingVectorizer(
            analyzer="char_wb", ngram_range=tuple(self.char_ngrams), n_features=2**self.char_hash_bits,
            alternate_sign=False, norm=None, lowercase=False, dtype=np.float32,
        )

    def _indicator_block(self, analyses: Sequence[Analysis], names: Sequence[str] | None = None) -> sp.csr_matrix:
        index = {name: i for i, name in enumerate(self.indicator_names_ if names is None else names)}
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
