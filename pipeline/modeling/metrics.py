"""Metrics shared by training (cross-validation) and evaluation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score

from pipeline.labeled import HARD_NEGATIVE_KINDS


def recall_at_precision(y_true: np.ndarray, scores: np.ndarray, min_precision: float) -> float:
    precision, recall, _ = precision_recall_curve(y_true, scores)
    feasible = recall[precision >= min_precision]
    return float(feasible.max()) if len(feasible) else 0.0


def binary_metrics(
    y_true: np.ndarray,
    scores: np.ndarray,
    threshold: float,
    kinds: Sequence[str] | np.ndarray | None = None,
) -> dict[str, Any]:
    y_true = np.asarray(y_true).astype(int)
    scores = np.asarray(scores, dtype=float)
    flagged = scores >= threshold
    tp = int((flagged & (y_true == 1)).sum())
    fp = int((flagged & (y_true == 0)).sum())
    fn = int((~flagged & (y_true == 1)).sum())
    tn = int((~flagged & (y_true == 0)).sum())
    both_classes = 0 < y_true.sum() < len(y_true)
    result: dict[str, Any] = {
        "n": len(y_true),
        "positives": int(y_true.sum()),
        "threshold": float(threshold),
        "pr_auc": float(average_precision_score(y_true, scores)) if both_classes else None,
        "roc_auc": float(roc_auc_score(y_true, scores)) if both_classes else None,
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / (tp + fn) if tp + fn else None,
        "false_positive_rate": fp / (fp + tn) if fp + tn else None,
        "recall_at_precision_0_90": recall_at_precision(y_true, scores, 0.90)
        if both_classes
        else None,
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
    }
    if kinds is not None:
        kind_of = np.asarray(kinds)
        per_kind = {}
        for kind in sorted(set(kind_of)):
            mask = kind_of == kind
            positive_kind = bool(y_true[mask].mean() > 0.5)
            share = float(flagged[mask].mean())
            per_kind[kind] = {
                "n": int(mask.sum()),
                "label": "positive" if positive_kind else "benign",
                ("recall" if positive_kind else "false_positive_rate"): share,
            }
        result["per_kind"] = per_kind
        hard = np.isin(kind_of, list(HARD_NEGATIVE_KINDS)) & (y_true == 0)
        result["hard_negative_fpr"] = float(flagged[hard].mean()) if hard.any() else None
        awareness_news = np.isin(kind_of, ["awareness", "news"]) & (y_true == 0)
        result["awareness_news_fpr"] = (
            float(flagged[awareness_news].mean()) if awareness_news.any() else None
        )
    return result


def category_confusion(
    true_labels: Iterable[str], predicted: Iterable[str], labels: Sequence[str]
) -> dict[str, dict[str, int]]:
    matrix = {t: {p: 0 for p in labels} for t in labels}
    for t, p in zip(true_labels, predicted, strict=True):
        if t in matrix and p in matrix[t]:
            matrix[t][p] += 1
    return matrix
