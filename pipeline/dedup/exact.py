"""Exact duplicates: the one rule that decides which posts are copies of a post read before.

Two posts are exact duplicates when their cleaned, case-folded, space-collapsed texts match
(:func:`exact_key`). Posts are judged in the order they are read: the first is kept, every later
copy names it. A post with a new text but a post id that a kept post already has is an id
conflict: it is neither kept nor a duplicate. The text is checked first, so a repost under a
reused id is a duplicate, not a conflict.

``waspada ingest``, ``waspada score`` and the Dask engine all decide with :class:`ExactDuplicates`.
Memory stays flat at millions of posts: what is kept per post is two 64-bit keys and a number,
in sorted NumPy arrays.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from pipeline.schema import Post
from pipeline.text.clean import clean_text

# A decision is the number of the kept post a post duplicates (0, 1, ...), or one of these.
KEEP = -1
CONFLICT = -2


def exact_key(text: str) -> str:
    """Two posts are exact duplicates when their cleaned, case-folded, space-collapsed texts match."""
    return " ".join(clean_text(text).casefold().split())


def stable_key(text: str) -> int:
    """A 64-bit key of ``text`` that is the same in every process and on every machine."""
    return int.from_bytes(
        hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little", signed=True
    )


def text_key(text: str) -> int:
    """The key two posts share when they are exact duplicates."""
    return stable_key(exact_key(text))


def id_key(post_id: str) -> int:
    return stable_key("\x00id\x00" + post_id)


def post_keys(posts: Sequence[Post]) -> tuple[np.ndarray, np.ndarray]:
    """Text keys and id keys of ``posts``, in their order."""
    text_keys = np.fromiter(
        (text_key(post["text"]) for post in posts), dtype=np.int64, count=len(posts)
    )
    id_keys = np.fromiter(
        (id_key(post["post_id"]) for post in posts), dtype=np.int64, count=len(posts)
    )
    return text_keys, id_keys


class KeyIndex:
    """A growing set of 64-bit keys, each with a 64-bit value, in sorted NumPy arrays.

    16 bytes a key, against ~150 for a Python dict entry holding an int and a string; this is
    what keeps duplicate detection within flat memory at millions of posts.
    """

    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.int64)
        self.values = np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.keys)

    def get(self, key: int) -> int:
        """The value of ``key``, or -1 when it was never added."""
        position = int(np.searchsorted(self.keys, key))
        if position < len(self.keys) and self.keys[position] == key:
            return int(self.values[position])
        return -1

    def get_many(self, keys: np.ndarray) -> np.ndarray:
        """``get`` for an array of keys at once."""
        if len(self.keys) == 0:
            return np.full(len(keys), -1, dtype=np.int64)
        positions = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return np.where(self.keys[positions] == keys, self.values[positions], -1)

    def extend(self, keys: npt.ArrayLike, values: npt.ArrayLike) -> None:
        new_keys = np.asarray(keys, dtype=np.int64)
        new_values = np.asarray(values, dtype=np.int64)
        if len(new_keys) == 0:
            return
        order = np.argsort(new_keys, kind="stable")
        new_keys, new_values = new_keys[order], new_values[order]
        positions = np.searchsorted(self.keys, new_keys)
        self.keys = np.insert(self.keys, positions, new_keys)
        self.values = np.insert(self.values, positions, new_values)


class KeySet:
    """A growing set of 64-bit keys in one sorted NumPy array: 8 bytes a key, for keys that only
    need to be known (a post id already used), not mapped to anything."""

    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.keys)

    def contains_many(self, keys: np.ndarray) -> np.ndarray:
        """For each of ``keys``, whether it was added."""
        if len(self.keys) == 0:
            return np.zeros(len(keys), dtype=bool)
        positions = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return self.keys[positions] == keys

    def extend(self, keys: npt.ArrayLike) -> None:
        new_keys = np.sort(np.asarray(keys, dtype=np.int64))
        if len(new_keys):
            self.keys = np.insert(self.keys, np.searchsorted(self.keys, new_keys), new_keys)


class DuplicateRule(Protocol):
    def decide(self, posts: Sequence[Post]) -> np.ndarray:
        """One decision per post: KEEP, CONFLICT or the number of the kept post it duplicates."""


class ExactDuplicates:
    """The rule, applied to one run's posts in the order they are read, a batch at a time.

    Kept posts are numbered 0, 1, 2, ... over the whole run; a duplicate's decision is the
    number of the kept post it copies.
    """

    def __init__(self) -> None:
        self.texts = KeyIndex()
        self.ids = KeySet()
        self.kept = 0

    def decide(self, posts: Sequence[Post]) -> np.ndarray:
        return self.decide_keys(*post_keys(posts))

    def decide_keys(self, text_keys: npt.ArrayLike, id_keys: npt.ArrayLike) -> np.ndarray:
        """``decide`` for posts given by their keys (see :func:`post_keys`)."""
        texts = np.asarray(text_keys, dtype=np.int64)
        ids = np.asarray(id_keys, dtype=np.int64)
        # Earlier batches are looked up at once in the sorted arrays; this batch's own posts in
        # small dicts, folded into the arrays at the end (one insert per batch, not per post).
        earlier_texts = self.texts.get_many(texts)
        earlier_ids = self.ids.contains_many(ids)
        new_texts: dict[int, int] = {}
        new_ids: set[int] = set()
        decisions = np.empty(len(texts), dtype=np.int64)
        for position, (tkey, ikey) in enumerate(zip(texts.tolist(), ids.tolist(), strict=True)):
            original = int(earlier_texts[position])
            if original < 0:
                original = new_texts.get(tkey, -1)
            if original >= 0:
                decisions[position] = original
            elif earlier_ids[position] or ikey in new_ids:
                decisions[position] = CONFLICT
            else:
                decisions[position] = KEEP
                new_texts[tkey] = self.kept
                new_ids.add(ikey)
                self.kept += 1
        self.texts.extend(list(new_texts), list(new_texts.values()))
        self.ids.extend(list(new_ids))
        return decisions
