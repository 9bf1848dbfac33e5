"""Hashed word and character n-grams of the raw text, counted for a whole chunk at once.

This is the screen's view of a post: no Indonesian text layer, just the post as written
(lower-cased, digits folded to ``0``, runs of white space collapsed). All posts of a chunk are
joined into one string and turned into one array of code points; every n-gram hash is then a
difference of two polynomial prefix hashes, so the cost is a handful of NumPy passes over the
chunk rather than Python work per post or per n-gram.

The hash is this module's own definition (64-bit polynomial over code points, then a
multiplicative mix), so the features do not depend on another library's hashing.

NumPy and SciPy only: scoring counts with :class:`NgramHasher` directly, and the scikit-learn
estimator that training stores (:class:`pipeline.hashgrams.HashedNgrams`) wraps it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

_SEPARATOR = "\x00"
_SPACE_RE = re.compile(r"[^\S\x00]+")
_BASE = np.uint64(1_000_003)
_BASE_INVERSE = np.uint64(pow(1_000_003, -1, 2**64))
_MIX = np.uint64(0x9E3779B97F4A7C15)
_WORD_SALT = np.uint64(0xD6E8FEB86659FD93)
_PAIR_MIX = np.uint64(0xC2B2AE3D27D4EB4F)
BLOCK = 512


def canonical_chunk(texts: Sequence[str], max_chars: int) -> str:
    """All texts joined by NUL, each cut to ``max_chars``, lower-cased, digits as ``0``, white
    space collapsed, and padded with one space on each side (so n-grams see word edges)."""
    joined = _SEPARATOR.join(text[:max_chars].replace(_SEPARATOR, " ") for text in texts)
    joined = _SPACE_RE.sub(" ", joined.lower())
    return " " + joined.replace(_SEPARATOR, " " + _SEPARATOR + " ") + " "


def ngram_bounds(values: Sequence[int]) -> tuple[int, int]:
    """An n-gram range as a (low, high) pair; settings read back from a file may hold a list."""
    low, high = values
    return low, high


def _powers(base: np.uint64, n: int) -> np.ndarray:
    powers = np.empty(n, dtype=np.uint64)
    powers[0] = 1
    if n > 1:
        powers[1:] = base
        # Overflow is the point: the arithmetic is modulo 2**64.
        with np.errstate(over="ignore"):
            np.cumprod(powers, out=powers)
    return powers


def _summed(
    rows: np.ndarray, columns: np.ndarray, values: np.ndarray, shape: tuple[int, int]
) -> sp.csr_matrix:
    """CSR of ``values`` at (row, column), repeats summed, indices sorted."""
    matrix = sp.csr_matrix((values, (rows, columns)), shape=shape, dtype=np.float32)
    matrix.sum_duplicates()
    return matrix


def row_scale(rows: np.ndarray, n_rows: int) -> np.ndarray:
    """1 / sqrt(number of n-grams) per row (1 for an empty row)."""
    return 1.0 / np.sqrt(np.maximum(np.bincount(rows, minlength=n_rows), 1))


def _finish(hashes: np.ndarray, salt: np.uint64, bits: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        mixed = (hashes ^ salt) * _MIX
        mixed ^= mixed >> np.uint64(29)
        mixed *= _PAIR_MIX
    return (mixed >> np.uint64(64 - bits)).astype(np.int64)


@dataclass(frozen=True)
class NgramHasher:
    """Counts of hashed character and word n-grams of raw texts, for fixed settings.

    Parameters are those of :class:`pipeline.hashgrams.HashedNgrams` (which checks them when
    fitted): ``char_ngrams`` (low, high), ``word_ngrams`` (within (1, 2), or None), ``bits`` and
    ``max_chars``.

    Examples
    --------
    >>> NgramHasher(bits=12).counts(["kerja di Kamboja", "loker admin"]).shape
    (2, 4096)
    """

    char_ngrams: tuple[int, int] = (2, 5)
    word_ngrams: tuple[int, int] | None = (1, 2)
    bits: int = 20
    max_chars: int = 4000

    @property
    def n_columns(self) -> int:
        return 2**self.bits

    def occurrences(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of every n-gram occurrence in ``texts`` (repeats included)."""
        joined = canonical_chunk(texts, self.max_chars)
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        codes[(codes >= 48) & (codes <= 57)] = (
            48  # every digit is "0": amounts and numbers generalise
        )
        length = len(codes)
        is_separator = codes == 0
        separators_before = np.concatenate(([0], np.cumsum(is_separator, dtype=np.int64)))
        row_of = separators_before[:-1]  # a position's row: how many separators come before it
        with np.errstate(over="ignore"):
            prefix = np.concatenate(
                ([np.uint64(0)], np.cumsum(codes * _powers(_BASE, length), dtype=np.uint64))
            )
        inverse = _powers(_BASE_INVERSE, length)

        def segment_hashes(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
            with np.errstate(over="ignore"):
                return (prefix[ends] - prefix[starts]) * inverse[starts]

        rows, columns = [], []
        low, high = self.char_ngrams
        for n in range(low, high + 1):
            starts = np.flatnonzero(separators_before[n:] == separators_before[:-n])
            rows.append(row_of[starts])
            columns.append(_finish(segment_hashes(starts, starts + n), np.uint64(n), self.bits))

        if self.word_ngrams is None:
            return np.concatenate(rows), np.concatenate(columns)
        is_word = (
            ((codes >= 97) & (codes <= 122)) | (codes == 48) | ((codes >= 0xC0) & (codes < 0x2000))
        )
        edges = np.diff(np.concatenate(([0], is_word.astype(np.int8), [0])))
        word_starts = np.flatnonzero(edges == 1)
        word_rows = row_of[word_starts]
        word_hashes = segment_hashes(word_starts, np.flatnonzero(edges == -1))
        if self.word_ngrams[0] == 1:
            rows.append(word_rows)
            columns.append(_finish(word_hashes, _WORD_SALT, self.bits))
        if self.word_ngrams[1] == 2 and len(word_hashes) > 1:
            same_row = word_rows[1:] == word_rows[:-1]
            with np.errstate(over="ignore"):
                pairs = word_hashes[:-1] * _PAIR_MIX + word_hashes[1:]
            rows.append(word_rows[1:][same_row])
            columns.append(_finish(pairs[same_row], _WORD_SALT + np.uint64(2), self.bits))
        return np.concatenate(rows), np.concatenate(columns)

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """How often each hashed n-gram occurs in each text."""
        return self._by_blocks(texts, scaled=False)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Counts of each hashed n-gram, divided by the square root of the post's number of
        n-grams (so long posts do not dominate, and a linear score stays a plain sum)."""
        return self._by_blocks(texts, scaled=True)

    def _blocks(self, texts: Sequence[str]) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
        """``(start, size, rows, columns)`` of every block of ``BLOCK`` texts: a few hundred posts
        at a time keep the working arrays in cache and reused by the allocator, which makes
        counting and scoring a large chunk about twice as fast as one set of arrays for all."""
        for start in range(0, len(texts), BLOCK):
            block = texts[start : start + BLOCK]
            rows, columns = self.occurrences(block)
            yield start, len(block), rows, columns

    def _by_blocks(self, texts: Sequence[str], scaled: bool) -> sp.csr_matrix:
        if len(texts) == 0:
            return sp.csr_matrix((0, self.n_columns), dtype=np.float32)
        blocks = [
            _summed(
                rows,
                columns,
                row_scale(rows, size).astype(np.float32)[rows]
                if scaled
                else np.ones(len(rows), dtype=np.float32),
                (size, self.n_columns),
            )
            for _, size, rows, columns in self._blocks(texts)
        ]
        return blocks[0] if len(blocks) == 1 else sp.vstack(blocks, format="csr")

    def linear_scores(
        self, texts: Sequence[str], weights: np.ndarray, intercept: float
    ) -> np.ndarray:
        """``transform(texts) @ weights + intercept`` without building the matrix: one gather
        and one weighted count over every occurrence of each block."""
        scores = np.empty(len(texts))
        for start, size, rows, columns in self._blocks(texts):
            sums = np.bincount(rows, weights=weights[columns], minlength=size)
            scores[start : start + size] = sums * row_scale(rows, size) + intercept
        return scores
