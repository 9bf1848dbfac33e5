"""Exact duplicates and near-duplicate repost clusters.

The same recruitment ad is reposted with another phone number, a different emoji or a few words
changed. MinHash signatures over word shingles of the normalised text (where phone numbers and
links are already placeholders) and LSH banding group those reposts into clusters, so a reviewer
judges one template once and analysts see how widely an ad spread.

The MinHash is computed with vectorised NumPy rather than per-token Python calls, which keeps a
million posts within minutes on a laptop-class machine.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

_PRIME = np.uint64(4294967311)  # smallest prime above 2**32


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


def band_keys(signatures: np.ndarray, band: int, bands: int) -> np.ndarray:
    """One LSH band of every signature as a single comparable key per row."""
    rows = signatures.shape[1] // bands
    chunk = np.ascontiguousarray(signatures[:, band * rows:(band + 1) * rows])
    return chunk.view(np.dtype((np.void, chunk.dtype.itemsize * rows))).ravel()


def candidate_pairs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(anchor, member) pairs: every row whose band key equals an earlier row's, with that row.

    The anchor is the first row of the bucket, so pairs never grow quadratically with a bucket.
    """
    count = len(keys)
    if count < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    new_bucket = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
    bucket_start = np.flatnonzero(new_bucket)
    starts_per_row = bucket_start[np.cumsum(new_bucket) - 1]
    members = np.flatnonzero(~new_bucket)
    return order[starts_per_row[members]].astype(np.int64), order[members].astype(np.int64)


def roots_from_pairs(count: int, anchors: np.ndarray, members: np.ndarray) -> np.ndarray:
    """The smallest index of each connected component of the pair graph, for every row."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if count == 0:
        return np.zeros(0, dtype=np.int64)
    if len(anchors) == 0:
        return np.arange(count, dtype=np.int64)
    graph = coo_matrix((np.ones(len(anchors), dtype=np.int8), (anchors, members)), shape=(count, count))
    _, labels = connected_components(graph, directed=False)
    first = np.full(labels.max() + 1, count, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(count, dtype=np.int64))
    return first[labels]


def cluster_signatures(signatures: np.ndarray, threshold: float = 0.5, bands: int = 16) -> np.ndarray:
    """Cluster roots (index of the first member) from MinHash signatures; see :func:`cluster`."""
    count = signatures.shape[0]
    all_anchors, all_members = [], []
    for band in range(bands):
        anchors, members = candidate_pairs(band_keys(signatures, band, bands))
        if len(anchors):
            similar = (signatures[anchors] == signatures[members]).mean(axis=1) >= threshold
            all_anchors.append(anchors[similar])
            all_members.append(members[similar])
    if not all_anchors:
        return np.arange(count, dtype=np.int64)
    return roots_from_pairs(count, np.concatenate(all_anchors), np.concatenate(all_members))


def cluster_ids(roots: np.ndarray, post_ids: Sequence[str]) -> tuple[list[str], list[int]]:
    """Readable cluster ids (the post id of the cluster's first post) and cluster sizes."""
    sizes = np.bincount(roots, minlength=len(roots))
    return [f"c_{post_ids[r]}" for r in roots], [int(sizes[r]) for r in roots]
