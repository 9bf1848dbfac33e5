"""Near-duplicate repost clusters: LSH banding over MinHash signatures, and the clusters' ids.

The same recruitment ad is reposted with another phone number, a different emoji or a few words
changed. MinHash signatures over word shingles of the normalised text (where phone numbers and
links are already placeholders) and LSH banding group those reposts into clusters, so a reviewer
judges one template once and analysts see how widely an ad spread.

A cluster's root is the index of its first post, whichever function found it: all signatures
in memory (:func:`cluster_signatures`) or signatures stored one file per chunk
(:func:`cluster_parts`) give the same roots.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pipeline.dedup.minhash import MinHasher

# The one setting of near-duplicate clustering: ingest, scoring and training all use it.
NUM_PERM = 32
BANDS = 8
SIMILARITY = 0.5


def cluster(
    normalized_texts: Sequence[str],
    threshold: float = SIMILARITY,
    bands: int = BANDS,
    num_perm: int = NUM_PERM,
) -> np.ndarray:
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
    chunk = np.ascontiguousarray(signatures[:, band * rows : (band + 1) * rows])
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
    graph = coo_matrix(
        (np.ones(len(anchors), dtype=np.int8), (anchors, members)), shape=(count, count)
    )
    _, labels = connected_components(graph, directed=False)
    first = np.full(labels.max() + 1, count, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(count, dtype=np.int64))
    return first[labels]


def cluster_signatures(
    signatures: np.ndarray, threshold: float = SIMILARITY, bands: int = BANDS
) -> np.ndarray:
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


def cluster_id_for(first_post_id: str) -> str:
    """The id of a cluster, named after its first post.

    Every command names clusters here, so ``waspada ingest`` and ``waspada score`` give the same
    posts the same ``cluster_id``, and a cluster keeps its id from run to run while its first
    post stays the first.
    """
    return f"c_{first_post_id}"


def cluster_ids(roots: np.ndarray, post_ids: Sequence[str]) -> tuple[list[str], list[int]]:
    """Readable cluster ids (see :func:`cluster_id_for`) and cluster sizes."""
    sizes = np.bincount(roots, minlength=len(roots))
    return [cluster_id_for(post_ids[r]) for r in roots], [int(sizes[r]) for r in roots]


def cluster_parts(
    signature_files: Sequence[Path], threshold: float = SIMILARITY, bands: int = BANDS
) -> np.ndarray:
    """Near-duplicate cluster roots over signatures stored one file per chunk.

    Same clusters as :func:`cluster_signatures` on all signatures at once, but memory stays
    small at millions of posts: one band (or one hash position) of every post is in memory at a
    time, candidate pairs are verified band by band instead of being collected for all bands,
    and pairs already joined by an earlier band are dropped before they are checked.
    """
    stored = StoredSignatures(signature_files)
    count = stored.count
    roots = np.arange(count, dtype=np.int64)
    if count == 0:
        return roots
    rows = NUM_PERM // bands
    for band in range(bands):
        anchors, members = candidate_pairs(_band_hash(stored, band * rows, rows))
        open_pairs = roots[anchors] != roots[members]
        anchors, members = anchors[open_pairs], members[open_pairs]
        if len(anchors) == 0:
            continue
        similar = _agreement(stored, anchors, members) >= threshold * NUM_PERM
        anchors, members = anchors[similar], members[similar]
        if len(anchors) == 0:
            continue
        # Each post keeps an edge to its current root, so earlier bands' clusters stay joined.
        joined = np.flatnonzero(roots != np.arange(count))
        roots = roots_from_pairs(
            count, np.concatenate([joined, anchors]), np.concatenate([roots[joined], members])
        )
    return roots


class StoredSignatures:
    """Signature files (``.npy``, one hash position per row, one post per column), read one
    hash position of every post at a time.

    Rows are read from the files rather than mapped into memory: mapped pages, once touched,
    count towards the process's resident memory, and the clustering touches every one of them,
    which made the memory of a run grow with the size of its collection.
    """

    def __init__(self, paths: Sequence[Path]):
        self.files: list[tuple[Path, int, int, np.dtype]] = []
        for path in paths:
            with open(path, "rb") as handle:
                major, _ = np.lib.format.read_magic(handle)
                read_header = (
                    np.lib.format.read_array_header_1_0
                    if major == 1
                    else np.lib.format.read_array_header_2_0
                )
                shape, fortran_order, dtype = read_header(handle)
                if fortran_order or len(shape) != 2 or shape[0] != NUM_PERM:
                    raise ValueError(f"{path} does not hold {NUM_PERM} signature rows.")
                self.files.append((Path(path), handle.tell(), int(shape[1]), dtype))
        self.count = sum(columns for _, _, columns, _ in self.files)

    def position(self, row: int) -> np.ndarray:
        """Hash position ``row`` of every post's signature, in post order."""
        if not self.files:
            return np.zeros(0, dtype=np.uint32)
        return np.concatenate(
            [
                np.fromfile(
                    path, dtype=dtype, count=columns, offset=offset + row * columns * dtype.itemsize
                )
                for path, offset, columns, dtype in self.files
            ]
        )


def _band_hash(stored: StoredSignatures, first_row: int, rows: int) -> np.ndarray:
    """One 64-bit key per post for hash rows ``first_row``..+``rows`` of its signature.

    Two posts with equal band rows always get equal keys; a rare collision between different
    rows only proposes a pair, which the full-signature check then rejects.
    """
    key = np.zeros(stored.count, dtype=np.uint64)
    for row in range(first_row, first_row + rows):
        column = stored.position(row).astype(np.uint64)
        key = (key * np.uint64(0x100000001B3)) ^ (column * np.uint64(0x9E3779B97F4A7C15))
    return key


def _agreement(stored: StoredSignatures, anchors: np.ndarray, members: np.ndarray) -> np.ndarray:
    """How many of the signature positions two posts share, for each (anchor, member) pair."""
    equal = np.zeros(len(anchors), dtype=np.int16)
    for position in range(NUM_PERM):
        column = stored.position(position)
        equal += column[anchors] == column[members]
    return equal
