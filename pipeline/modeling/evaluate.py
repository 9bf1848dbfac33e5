"""Evaluate a model bundle on a labeled file: metrics.json and a self-contained report.html."""

from __future__ import annotations

import base64
import html
import io
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
from pipeline.schema import LABELS


@dataclass
class EvaluationResult:
    metrics: dict
    scored: pd.DataFrame
    metrics_path: Path | None = None
    report_path: Path | None = None


def evaluate(bundle: Bundle, data_path: Path, out_dir: Path | None, threshold: float | None = None, jobs: int = 1, top: int = 15) -> EvaluationResult:
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
        disguised = data["obfuscated"].astype(str).str.lower().isin(["true", "1"]).to_numpy() & (y == 1)
        metrics["obfuscated_recall"] = float(data.loc[disguised, "flagged"].mean()) if disguised.any() else None
        metrics["obfuscated_n"] = int(disguised.sum())
    metrics["keyword_baseline"] = binary_metrics(y, keyword_scores(data["text"].tolist()), 0.5, data["kind"].tolist())
    if "platform" in data:
        metrics["per_platform"] = {
            p: {"n": len(g), "flag_rate": float(g["flagged"].mean()),
                "recall": float(g.loc[g["label"] != "benign", "flagged"].mean()) if (g["label"] != "benign").any() else None}
            for p, g in data.groupby("platform")
        }
    false_pos = data[(y == 0) & data["flagged"]].sort_values("score", ascending=False).head(top)
    false_neg = data[(y == 1) & ~data["flagged"]].sort_values("score").head(top)
    metrics["top_false_positives"] = false_pos[["text", "kind", "score", "reasons"]].to_dict("records")
    metrics["top_false_negatives"] = false_neg[["text", "kind", "label", "score", "reasons"]].to_dict("records")
    result = EvaluationResult(metrics, data)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        result.metrics_path = out_dir / "metrics.json"
        result.report_path = out_dir / "report.html"
        write_json(result.metrics_path, metrics)
        write_text(result.report_path, render_html(metrics, data, y))
    return result


def _figure_png(draw) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(5, 3.6), dpi=100)
    draw(axis)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def render_html(metrics: dict, data: pd.DataFrame, y: np.ndarray) -> str:
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import precision_recall_curve

    scores = data["score"].to_numpy()
    images = []
    if 0 < y.sum() < len(y):
        precision, recall, _ = precision_recall_curve(y, scores)
        images.append(("Precision–recall", _figure_png(lambda ax: (ax.plot(recall, precision), ax.set_xlabel("recall"), ax.set_ylabel("precision"), ax.grid(alpha=.3)))))
        prob_true, prob_pred = calibration_curve(y, scores, n_bins=10, strategy="quantile")
        images.append(("Calibration", _figure_png(lambda ax: (ax.plot(prob_pred, prob_true, marker="o"), ax.plot([0, 1], [0, 1], "--", color="grey"), ax.set_xlabel("predicted"), ax.set_ylabel("observed")))))
    images.append(("Score histogram", _figure_png(lambda ax: (ax.hist([scores[y == 0], scores[y == 1]], bins=20, label=["benign", "tppo/tppm"], stacked=True), ax.axvline(metrics["threshold"], color="red"), ax.legend()))))

    def fmt(value) -> str:
        return "–" if value is None else (f"{value:.3f}" if isinstance(value, float) else html.escape(str(value)))

    summary = "".join(f"<tr><th>{k}</th><td>{fmt(metrics.get(k))}</td></tr>" for k in (
        "n", "positives", "threshold", "pr_auc", "roc_auc", "precision", "recall", "recall_at_precision_0_90",
        "false_positive_rate", "awareness_news_fpr", "hard_negative_fpr"))
    kinds = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{v['n']}</td><td>{v['label']}</td><td>{fmt(v.get('recall', v.get('false_positive_rate')))}</td></tr>"
        for k, v in metrics.get("per_kind", {}).items())
    confusion = metrics["category_confusion"]
    conf_rows = "".join(f"<tr><th>{t}</th>" + "".join(f"<td>{confusion[t][p]}</td>" for p in LABELS) + "</tr>" for t in LABELS)
    kw = metrics["keyword_baseline"]

    def examples(items) -> str:
        return "".join(f"<tr><td>{fmt(i['score'])}</td><td>{html.escape(i['kind'])}</td><td>{html.escape(i['text'][:400])}</td><td>{html.escape(i['reasons'])}</td></tr>" for i in items)

    figures = "".join(f"<figure><img alt='{t}' src='data:image/png;base64,{b}'><figcaption>{t}</figcaption></figure>" for t, b in images)
    return f"""<!doctype html><html lang="en"><meta charset="utf-8"><title>Waspada evaluation – {html.escape(metrics['model_id'])}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px}}table{{border-collapse:collapse;margin:1rem 0}}td,th{{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}}figure{{display:inline-block;margin:.5rem}}</style>
<h1>Evaluation of {html.escape(metrics['model_id'])}</h1><p>Data: {html.escape(metrics['data'])}</p>
<h2>Summary</h2><table>{summary}</table>
<p>Keyword-search baseline (destination word + job word): precision {fmt(kw['precision'])}, recall {fmt(kw['recall'])}, awareness/news FPR {fmt(kw.get('awareness_news_fpr'))}.</p>
{figures}
<h2>By kind</h2><table><tr><th>kind</th><th>n</th><th>label</th><th>recall / false-positive rate</th></tr>{kinds}</table>
<h2>Confusion (rows: true, columns: predicted)</h2><table><tr><th></th>{''.join(f'<th>{l}</th>' for l in LABELS)}</tr>{conf_rows}</table>
<h2>Top false positives</h2><table><tr><th>score</th><th>kind</th><th>text</th><th>reasons</th></tr>{examples(metrics['top_false_positives'])}</table>
<h2>Top false negatives</h2><table><tr><th>score</th><th>kind</th><th>text</th><th>reasons</th></tr>{examples(metrics['top_false_negatives'])}</table>
</html>
"""
