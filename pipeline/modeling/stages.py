"""The splits and measures that judge models on new writing: leave-one-source-out folds,
recall at a fixed number of false positives, intervals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

FALSE_POSITIVE_BUDGETS: tuple[int, ...] = (3, 10, 25, 50)


def source_groups(data) -> np.ndarray:
    """Which source a labeled post came from: its writer when the file names one, else its file."""
    if "writer" in data.columns:
        writer = data["writer"].fillna("").astype(str)
        return np.where(writer != "", "writer:" + writer, "file:" + data["source_file"].astype(str))
    return ("file:" + data["source_file"].astype(str)).to_numpy()


MIN_SOURCES = 3


def leave_one_source_out(
    sources: np.ndarray, clusters: np.ndarray, y: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """(train, validation) per source, or None when the data cannot support it (fewer than
    three sources, or a source whose absence leaves one class without examples). A post is
    kept out of training when its near-duplicate cluster has a member in the held-out source, so
    no repost leaks across the split."""
    if len(np.unique(sources)) < MIN_SOURCES:
        return None
    splits = []
    for source in np.unique(sources):
        held_out = sources == source
        leaking = np.isin(clusters, np.unique(clusters[held_out]))
        train = np.flatnonzero(~held_out & ~leaking)
        if len(np.unique(y[train])) < 2:
            return None
        splits.append((train, np.flatnonzero(held_out)))
    return splits


def recall_at_false_positives(y: np.ndarray, scores: np.ndarray, budget: int) -> float:
    """Recall at the strictest threshold that lets at most ``budget`` negatives through.

    Ties are resolved against the model: a threshold that would let a tied negative through
    counts that negative, so equal scores cannot hide a false positive.
    """
    y = np.asarray(y).astype(int)
    scores = np.asarray(scores, dtype=float)
    negatives = np.sort(scores[y == 0])[::-1]
    positives = scores[y == 1]
    if len(positives) == 0:
        return float("nan")
    if budget >= len(negatives):
        return 1.0
    # Flag only scores strictly above the (budget+1)-th highest negative.
    cut = negatives[budget]
    return float((positives > cut).mean())


def ranking_summary(
    y: np.ndarray,
    scores: np.ndarray,
    disguised: np.ndarray | None = None,
    budgets: Sequence[int] = FALSE_POSITIVE_BUDGETS,
) -> dict:
    """Recall at each false-positive budget, overall and (when given) on disguised positives
    with the same thresholds."""
    y = np.asarray(y).astype(int)
    scores = np.asarray(scores, dtype=float)
    negatives = np.sort(scores[y == 0])[::-1]
    result: dict = {"n": len(y), "positives": int(y.sum())}
    for budget in budgets:
        result[f"recall_at_{budget}_fp"] = recall_at_false_positives(y, scores, budget)
        if disguised is not None:
            mask = np.asarray(disguised, dtype=bool) & (y == 1)
            cut = negatives[budget] if budget < len(negatives) else -np.inf
            result[f"disguised_recall_at_{budget}_fp"] = (
                float((scores[mask] > cut).mean()) if mask.any() else None
            )
    return result


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    if n == 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))
