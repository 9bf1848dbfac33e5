"""Exact duplicates and near-duplicate repost clusters.

The same recruitment ad is reposted with another phone number, a different emoji or a few words
changed. MinHash signatures over word shingles of the normalised text (where phone numbers and
links are already placeholders) and LSH banding group those reposts into clusters, so a reviewer
judges one template once and analysts see how widely an ad spread.

The MinHash is computed with vectorised NumPy rather than per-token Python calls, which keeps a
million posts within minutes on a laptop-class machine.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence

import numpy as np

_PRIME = np.uint64(4294967311)  # smallest prime above 2**32


class UnionFind:
    def __init__(self, size: int):
        self.parent = np.arange(size, dtype=np.int64)

    def find(self, item: int) -> int:
        parent = self.parent
        root = item
        while parent[root] != root:
            root = parent[root]
        while parent[item] != root:
            parent[item], item = root, parent[item]
        return int(root)

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            # The smaller index becomes the root so cluster ids follow input order.
            if root_a < root_b:
                self.parent[root_b] = root_a
            else:
                self.parent[root_a] = root_b


def exact_key(normalized_text: str) -> str:
    """The key two posts share when they are the same text after normalisation."""
    return hashlib.blake2b(normalized_text.encode("utf-8"), digest_size=12).hexdigest()


def shingles(normalized_text: str, size: int = 3) -> np.ndarray:
    tokens = [t for t in normalized_text.split() if len(t) > 1 or t.isalnum()]
    if len(tokens) <= size:
        grams = [" ".join(tokens)] if tokens else [""]
    else:
        grams = [" ".join(tokens[i:i + size]) for i in range(len(tokens) - size + 1)]
    return np.fromiter((zlib.crc32(g.encode("utf-8")) for g in set(grams)), dtype=np.uint64)


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

    def signatures(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), self.num_perm), dtype=np.uint32)
        for i, text in enumerate(texts):
            out[i] = self.signature(shingles(text))
        return out


def cluster(normalized_texts: Sequence[str], threshold: float = 0.5, bands: int = 16, num_perm: int = 64) -> np.ndarray:
    """Assign each text the index of the first text of its near-duplicate cluster.

    Two texts land in one cluster when their estimated Jaccard similarity of word 3-shingles is
    at least ``threshold`` (checked on the signatures after LSH proposes the pair), or through a
    chain of such pairs.
    """
    count = len(normalized_texts)
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    signatures = MinHasher(num_perm=num_perm).signatures(normalized_texts)
    return cluster_signatures(signatures, threshold=threshold, bands=bands)


def cluster_signatures(signatures: np.ndarray, threshold: float = 0.5, bands: int = 16) -> np.ndarray:
    count, num_perm = signatures.shape
    rows = num_perm // bands
    union = UnionFind(count)
    for band in range(bands):
        chunk = np.ascontiguousarray(signatures[:, band * rows:(band + 1) * rows])
        keys = chunk.view(np.dtype((np.void, chunk.dtype.itemsize * rows))).ravel()
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        ends = np.r_[starts[1:], count]
        for start, end in zip(starts, ends):
            if end - start < 2:
                continue
            members = order[start:end]
            anchor = members[0]
            similar = (signatures[members[1:]] == signatures[anchor]).mean(axis=1) >= threshold
            for member in members[1:][similar]:
                union.union(int(anchor), int(member))
    return np.fromiter((union.find(i) for i in range(count)), dtype=np.int64, count=count)


def cluster_ids(roots: np.ndarray, post_ids: Sequence[str]) -> tuple[list[str], list[int]]:
    """Readable cluster ids (the post id of the cluster's first post) and cluster sizes."""
    sizes = np.bincount(roots, minlength=len(roots))
    return [f"c_{post_ids[r]}" for r in roots], [int(sizes[r]) for r in roots]
