"""Exact duplicates and near-duplicate repost clusters: the only place either is decided.

``exact`` holds the rule for exact duplicates (which posts are copies, which one is kept),
``minhash`` the signatures near-duplicates are judged on, and ``clusters`` the LSH clustering
with its one setting and the clusters' ids. Ingest, scoring, the Dask engine, training and the
run history import them from here.
"""

from pipeline.dedup.clusters import (
    BANDS,
    NUM_PERM,
    SIMILARITY,
    band_keys,
    candidate_pairs,
    cluster,
    cluster_id_for,
    cluster_ids,
    cluster_parts,
    cluster_signatures,
    roots_from_pairs,
)
from pipeline.dedup.exact import (
    CONFLICT,
    KEEP,
    DuplicateRule,
    ExactDuplicates,
    KeyIndex,
    KeySet,
    exact_key,
    id_key,
    post_keys,
    stable_key,
    text_key,
)
from pipeline.dedup.minhash import MinHasher, ShingleHasher, cluster_texts, shingles

__all__ = [
    "BANDS",
    "CONFLICT",
    "KEEP",
    "NUM_PERM",
    "SIMILARITY",
    "DuplicateRule",
    "ExactDuplicates",
    "KeyIndex",
    "KeySet",
    "MinHasher",
    "ShingleHasher",
    "band_keys",
    "candidate_pairs",
    "cluster",
    "cluster_id_for",
    "cluster_ids",
    "cluster_parts",
    "cluster_signatures",
    "cluster_texts",
    "exact_key",
    "id_key",
    "post_keys",
    "roots_from_pairs",
    "shingles",
    "stable_key",
    "text_key",
]
