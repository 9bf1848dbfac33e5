"""MinHash signatures of posts: the text near-duplicates are judged on, its word shingles, and
one signature per post.

The MinHash is computed with vectorised NumPy rather than per-token Python calls, which keeps a
million posts within minutes on a laptop-class machine.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Sequence
from itertools import chain

import numpy as np

_PRIME = np.uint64(4294967311)  # smallest prime above 2**32

_URL_RE = re.compile(r"(?:https?://|www\.|wa\.me/|t\.me/|bit\.ly/)[^\s\x00]+")
_NUMBER_RE = re.compile(r"\+?\d[\d\s.\-]{4,}\d")
_NON_WORD_RE = re.compile(r"[^\w\x00]+")
_DIGIT_RE = re.compile(r"\d")


def cluster_texts(texts: Sequence[str]) -> list[str]:
    """The text that near-duplicates are judged on: lower case, links and phone-like numbers
    replaced by one token each and digits folded (reposts change them), punctuation and emoji
    dropped. It is
    computed from the raw text with a few passes over a whole chunk, so every post of a run gets
    one, whether or not it went through the full analysis."""
    joined = "\x00".join(text.replace("\x00", " ") for text in texts).lower()
    joined = _NUMBER_RE.sub(" 0num0 ", _URL_RE.sub(" 0url0 ", joined))
    # Every digit is 0: reposts change the pay, the date and the quota, not the template.
    joined = _DIGIT_RE.sub("0", joined)
    return _NON_WORD_RE.sub(" ", joined).split("\x00") if texts else []


def _shingle_strings(normalized_text: str, size: int) -> list[str]:
    tokens = [t for t in normalized_text.split() if len(t) > 1 or t.isalnum()]
    if len(tokens) <= size:
        return [" ".join(tokens)] if tokens else [""]
    # Shifted slices of unequal length: the shortest one ends the shingles.
    return list(map(" ".join, zip(*(tokens[i:] for i in range(size)), strict=False)))


def shingles(normalized_text: str, size: int = 3) -> np.ndarray:
    return np.fromiter(
        (zlib.crc32(g.encode("utf-8")) for g in set(_shingle_strings(normalized_text, size))),
        dtype=np.uint64,
    )


_MAX_SHIFT_TABLES = 1024
_EMPTY_TOKENS = (
    np.zeros(0, dtype=bool),
    np.zeros(0, dtype=np.uint32),
    np.zeros(0, dtype=np.uint32),
    np.zeros(0, dtype=np.int64),
)


class ShingleHasher:
    """CRC32 of every word 3-shingle of many texts, without building the shingle strings.

    CRC32 is linear: crc(A + B) is crc(A) pushed through len(B) zero bytes, XOR crc(B). So with
    each distinct token's crc(token), crc(" " + token) and byte length cached, a shingle's CRC is
    two table look-ups per joined token, done for all shingles of a chunk at once in NumPy. The
    result is exactly ``zlib.crc32(" ".join(tokens).encode("utf-8"))`` for each shingle of
    :func:`shingles`, repeats included. The token cache starts over past ``max_tokens`` tokens.
    """

    def __init__(self, size: int = 3, max_tokens: int = 65_536):
        self.size = size
        self.max_tokens = max_tokens
        self._tokens: dict[str, int] = {}
        self._arrays = _EMPTY_TOKENS
        self._slot_of_length = np.zeros(0, dtype=np.int64)
        self._tables = np.zeros(0, dtype=np.uint32)
        self._lock = threading.Lock()

    def _token_ids(self, tokens: list[str]) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """Ids of ``tokens`` and, per id: kept as a token, crc(token), crc(" " + token), its length."""
        with self._lock:
            if len(self._tokens) > self.max_tokens:
                self._tokens, self._arrays = {}, _EMPTY_TOKENS
            known = self._tokens
            ids = list(map(known.get, tokens))
            if None in ids:
                new = list(set(tokens).difference(known))
                known.update(zip(new, range(len(known), len(known) + len(new)), strict=True))
                encoded = [token.encode("utf-8") for token in new]
                rows = (
                    np.array([len(t) > 1 or t.isalnum() for t in new], dtype=bool),
                    np.array([zlib.crc32(e) for e in encoded], dtype=np.uint32),
                    np.array([zlib.crc32(b" " + e) for e in encoded], dtype=np.uint32),
                    np.array([len(e) + 1 for e in encoded], dtype=np.int64),
                )
                # New arrays rather than in-place growth: callers may still hold the old ones.
                flags, head, spaced, lengths = (
                    np.concatenate([old, add]) for old, add in zip(self._arrays, rows, strict=True)
                )
                self._arrays = (flags, head, spaced, lengths)
                ids = list(map(known.__getitem__, tokens))
            return np.fromiter(ids, dtype=np.int64, count=len(ids)), self._arrays

    def _shift_lookup(self, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row of every length in the stacked shift tables, and those tables, building missing ones."""
        with self._lock:
            slots, tables = self._slot_of_length, self._tables
            if len(tables) > 1024 * _MAX_SHIFT_TABLES:  # 4 KB a table: start over past a few MB
                slots, tables = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint32)
            top = int(lengths.max()) if len(lengths) else 0
            if top >= len(slots):
                slots = np.concatenate([slots, np.full(top + 1 - len(slots), -1, dtype=np.int64)])
            missing = np.unique(lengths[slots[lengths] < 0]).tolist()
            if missing:
                slots = slots.copy()
                built = []
                for length in missing:
                    zeros = b"\0" * length
                    base = zlib.crc32(zeros, 0)
                    # Row k, column b: b << 8k pushed through ``length`` zero bytes (a linear map).
                    built.append(
                        [
                            zlib.crc32(zeros, b << (8 * k)) ^ base
                            for k in range(4)
                            for b in range(256)
                        ]
                    )
                    slots[length] = len(tables) // 1024 + len(built) - 1
                tables = np.concatenate([tables, np.array(built, dtype=np.uint32).ravel()])
            # Replaced, never written in place: other threads may hold the previous arrays.
            self._slot_of_length, self._tables = slots, tables
            return slots[lengths], tables

    def _shift(self, values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """``values`` pushed through ``lengths`` zero bytes of the raw CRC32 register."""
        slots, tables = self._shift_lookup(lengths)
        base = slots * 1024
        return (
            tables[base + (values & 0xFF)]
            ^ tables[base + (256 + ((values >> 8) & 0xFF))]
            ^ tables[base + (512 + ((values >> 16) & 0xFF))]
            ^ tables[base + (768 + (values >> 24))]
        )

    def hashes(self, normalized_texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """All texts' shingle hashes (uint64) in one array, and where each text's run starts."""
        splits = [text.split() for text in normalized_texts]
        per_text = np.fromiter(map(len, splits), dtype=np.int64, count=len(splits))
        ids, (keep, crc, spaced_crc, spaced_len) = self._token_ids(
            list(chain.from_iterable(splits))
        )
        kept_mask = keep[ids]
        kept = ids[kept_mask]
        text_of_token = np.repeat(np.arange(len(splits), dtype=np.int64), per_text)
        count = np.bincount(text_of_token[kept_mask], minlength=len(splits)).astype(np.int64)
        first = np.cumsum(count) - count
        size = self.size
        # A text with more than ``size`` tokens has count - size + 1 shingles; otherwise one,
        # made of all its tokens (the empty string when it has none).
        n_shingles = np.where(count > size, count - size + 1, 1)
        shingle_text = np.repeat(np.arange(len(splits), dtype=np.int64), n_shingles)
        starts = np.cumsum(n_shingles) - n_shingles
        start = (
            first[shingle_text]
            + np.arange(len(shingle_text), dtype=np.int64)
            - starts[shingle_text]
        )
        length = np.minimum(count, size)[shingle_text]
        values = np.zeros(len(shingle_text), dtype=np.uint32)
        has = np.flatnonzero(length > 0)
        values[has] = crc[kept[start[has]]]
        for j in range(1, size):
            more = np.flatnonzero(length > j)
            token = kept[start[more] + j]
            values[more] = self._shift(values[more], spaced_len[token]) ^ spaced_crc[token]
        return values.astype(np.uint64), starts


_SHINGLE_HASHER = ShingleHasher()


class MinHasher:
    """MinHash signatures with ``num_perm`` universal hash functions, seeded for reproducibility."""

    def __init__(self, num_perm: int = 64, seed: int = 7):
        rng = np.random.default_rng(seed)
        self.num_perm = num_perm
        self.a = rng.integers(1, 2**31, size=num_perm, dtype=np.uint64)
        self.b = rng.integers(0, 2**31, size=num_perm, dtype=np.uint64)

    def signature(self, shingle_hashes: np.ndarray) -> np.ndarray:
        products = (np.outer(shingle_hashes, self.a) + self.b) % _PRIME
        return products.min(axis=0).astype(np.uint32)

    def signatures(self, texts: Sequence[str], block: int = 4096) -> np.ndarray:
        """One signature per text (rows), the same as ``signature(shingles(text))`` for each.

        All texts' shingles are hashed together, ``block`` shingles at a time so the
        (shingles x permutations) products stay a few megabytes.
        """
        out = np.empty((len(texts), self.num_perm), dtype=np.uint32)
        if not len(texts):
            return out
        hashes, starts = _SHINGLE_HASHER.hashes(texts)
        ends = np.r_[starts[1:], len(hashes)]
        first = 0
        while first < len(texts):
            # Whole texts per block: a text longer than ``block`` gets a block of its own.
            last = max(first + 1, int(np.searchsorted(ends, starts[first] + block, side="right")))
            low, high = starts[first], ends[last - 1]
            # Permutations as rows: reduceat then runs over contiguous memory, twice as fast.
            products = np.multiply.outer(self.a, hashes[low:high])
            products += self.b[:, None]
            products %= _PRIME
            out[first:last] = np.minimum.reduceat(products, starts[first:last] - low, axis=1).T
            first = last
        return out
