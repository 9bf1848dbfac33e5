"""The transfer validation: posts written by other hands than the training data.

``data/validation/`` holds posts by writers whose hand is not in ``data/labeled/``; training
never reads it. It decides the operating thresholds and is where models are compared at equal
false positives. Figures reported at a threshold are cross-fitted by writer: the threshold used
on one half of the writers was chosen on the other half, so no reported number was tuned on the
posts it describes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import InputError
from pipeline.modeling.stages import ranking_summary, wilson_interval
from pipeline.modeling.thresholds import OPERATING_POINTS, threshold_for_false_positive_rate


@dataclass
class TransferSet:
    data: pd.DataFrame

    @property
    def texts(self) -> list[str]:
        return self.data["text"].tolist()

    @property
    def y(self) -> np.ndarray:
        return (self.data["label"] != "benign").astype(int).to_numpy()

    @property
    def disguised(self) -> np.ndarray:
        return self.data["disguised"].astype(bool).to_numpy()


def load_transfer(path: Path) -> TransferSet | None:
    """The transfer validation under ``path`` (a folder of JSONL files), or None when absent."""
    path = Path(path)
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else ([path] if path.is_file() else [])
    if not files:
        return None
    rows = []
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"{file}:{number} is not valid JSON ({exc.msg}).", "Fix or remove that line."
                ) from exc
            rows.append(
                {
                    "text": str(record["text"]),
                    "label": record["label"],
                    "kind": record.get("kind", ""),
                    "family": record.get("family", ""),
                    "disguised": bool(record.get("disguised", False)),
                    "platform": record.get("platform", ""),
                    "writer": record.get("writer") or file.stem,
                }
            )
    return TransferSet(pd.DataFrame(rows))


def _at_threshold(
    y: np.ndarray, scores: np.ndarray, disguised: np.ndarray, threshold: np.ndarray
) -> dict:
    flagged = scores >= threshold
    tp = int((flagged & (y == 1)).sum())
    fp = int((flagged & (y == 0)).sum())
    positives = int(y.sum())
    disguised_positives = disguised & (y == 1)
    return {
        "precision": tp / (tp + fp) if tp + fp else None,
        "precision_interval": wilson_interval(tp, tp + fp),
        "recall": tp / positives if positives else None,
        "recall_interval": wilson_interval(tp, positives),
        "disguised_recall": float(flagged[disguised_positives].mean())
        if disguised_positives.any()
        else None,
        "false_positives": fp,
        "false_positive_rate": fp / int((y == 0).sum()) if (y == 0).any() else None,
    }


def evaluate_transfer(
    transfer: TransferSet, scores: np.ndarray, thresholds: dict[str, float]
) -> dict:
    """Ranking at equal false positives, and each operating point cross-fitted by writer."""
    y, disguised = transfer.y, transfer.disguised
    scores = np.asarray(scores, dtype=float)
    writers = transfer.data["writer"].to_numpy()
    names = sorted(set(writers))
    half = {name: i % 2 for i, name in enumerate(names)}
    side = np.array([half[w] for w in writers])
    result: dict = {
        "ranking": ranking_summary(y, scores, disguised),
        "writers": names,
        "operating_points": {},
    }
    for point, rate in OPERATING_POINTS.items():
        crossfit = np.empty(len(y))
        for part in (0, 1):
            other = side != part
            if len(names) > 1 and (y[other] == 0).any():
                crossfit[side == part] = threshold_for_false_positive_rate(
                    y[other], scores[other], rate
                )
            else:
                crossfit[side == part] = thresholds[point]
        result["operating_points"][point] = {
            "threshold": thresholds[point],
            "max_false_positive_rate": rate,
            "cross_fitted": _at_threshold(y, scores, disguised, crossfit),
        }
    kinds = transfer.data["kind"].to_numpy()
    flagged = scores >= thresholds["high"]
    result["per_kind_at_high"] = {
        kind: {
            "n": int((kinds == kind).sum()),
            "flagged": int(flagged[kinds == kind].sum()),
            "label": "positive" if y[kinds == kind].mean() > 0.5 else "benign",
        }
        for kind in sorted(set(kinds))
    }
    return result
