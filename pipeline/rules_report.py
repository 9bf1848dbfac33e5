"""Coverage, precision and benign fire rate of every indicator on labeled data."""

from __future__ import annotations

from pathlib import Path

from pipeline import indicators, labeled
from pipeline.parallel import analyse_parallel


def rules_report(labeled_path: Path) -> list[dict]:
    data = labeled.load_labeled(labeled_path)
    analyses = analyse_parallel(data["text"].tolist(), description="Running indicators")
    positive = (data["label"] != "benign").to_numpy()
    n_benign = int((~positive).sum())
    rows = []
    for item in indicators.REGISTRY:
        fired = [item.name in a.fired for a in analyses]
        fires = sum(fired)
        true_pos = sum(f and p for f, p in zip(fired, positive))
        benign_fires = fires - true_pos
        rows.append({
            "name": item.name, "kind": item.kind, "label_id": item.label_id, "label_en": item.label_en,
            "description_id": item.description_id, "description_en": item.description_en,
            "fires": fires, "coverage": fires / len(data) if len(data) else 0.0,
            "precision": true_pos / fires if fires else None,
            "benign_fire_rate": benign_fires / n_benign if n_benign else 0.0,
        })
    return rows
