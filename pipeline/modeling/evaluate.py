"""Evaluate a model bundle on a labeled file: metrics.json and a self-contained report.html."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import labeled
from pipeline.fileio import write_json, write_text
from pipeline.modeling.artifacts import Bundle
from pipeline.modeling.baselines import keyword_scores
from pipeline.modeling.metrics import binary_metrics, category_confusion
from pipeline.modeling.predict import Scorer
from pipeline.modeling.report import render_report
from pipeline.schema import LABELS


@dataclass
class EvaluationResult:
    metrics: dict
    scored: pd.DataFrame
    metrics_path: Path | None = None
    report_path: Path | None = None


def evaluate(
    bundle: Bundle,
    data_path: Path,
    out_dir: Path | None,
    threshold: float | None = None,
    jobs: int = 1,
    top: int = 15,
    lang: str = "id",
) -> EvaluationResult:
    """Score a labeled file with ``bundle``; write metrics.json and report.html (in ``lang``) to ``out_dir``."""
    data = labeled.load_labeled(data_path)
    scorer = Scorer(bundle, threshold)
    results = scorer.score_texts(data["text"].tolist(), jobs=jobs)
    data = data.assign(
        score=[r.score for r in results],
        flagged=[r.flagged for r in results],
        predicted=[r.category for r in results],
        reasons=["; ".join(r.reasons()) for r in results],
    )
    y = (data["label"] != "benign").astype(int).to_numpy()
    metrics = binary_metrics(y, data["score"].to_numpy(), scorer.threshold, data["kind"].tolist())
    metrics["model_id"] = bundle.model_id
    metrics["data"] = str(data_path)
    metrics["category_confusion"] = category_confusion(data["label"], data["predicted"], LABELS)
    if "obfuscated" in data.columns:
        disguised = data["obfuscated"].astype(str).str.lower().isin(["true", "1"]).to_numpy() & (
            y == 1
        )
        metrics["obfuscated_recall"] = (
            float(data.loc[disguised, "flagged"].mean()) if disguised.any() else None
        )
        metrics["obfuscated_n"] = int(disguised.sum())
    keyword = np.asarray(keyword_scores(data["text"].tolist()), dtype=float)
    metrics["keyword_baseline"] = binary_metrics(y, keyword, 0.5, data["kind"].tolist())
    if "platform" in data:
        metrics["per_platform"] = {
            p: {
                "n": len(g),
                "flag_rate": float(g["flagged"].mean()),
                "recall": float(g.loc[g["label"] != "benign", "flagged"].mean())
                if (g["label"] != "benign").any()
                else None,
            }
            for p, g in data.groupby("platform")
        }
    false_pos = data[(y == 0) & data["flagged"]].sort_values("score", ascending=False).head(top)
    false_neg = data[(y == 1) & ~data["flagged"]].sort_values("score").head(top)
    metrics["top_false_positives"] = false_pos[["text", "kind", "score", "reasons"]].to_dict(
        "records"
    )
    metrics["top_false_negatives"] = false_neg[
        ["text", "kind", "label", "score", "reasons"]
    ].to_dict("records")
    result = EvaluationResult(metrics, data)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        result.metrics_path = out_dir / "metrics.json"
        result.report_path = out_dir / "report.html"
        write_json(result.metrics_path, metrics)
        write_text(
            result.report_path, render_report(metrics, data, y, keyword, lang, bundle.manifest)
        )
    return result
