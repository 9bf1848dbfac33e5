"""`waspada evaluate`: a thin wrapper over :func:`pipeline.modeling.evaluate.evaluate`."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline import settings
from pipeline.cli.common import CONTEXT, emit, finite_threshold, handle_errors, quiet_option, setup


@click.command("evaluate", context_settings=CONTEXT)
@click.option(
    "--data",
    "data_path",
    type=click.Path(path_type=Path),
    required=True,
    help="Labeled file or folder (text, label[, kind]).",
)
@click.option(
    "--model",
    "model_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Model bundle [default: current].",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Write metrics.json and report.html here.",
)
@click.option("--threshold", type=click.FloatRange(0, 1), default=None, callback=finite_threshold)
@click.option("--jobs", type=click.IntRange(1), default=1)
@click.option(
    "--lang",
    type=click.Choice(["id", "en"]),
    default="id",
    show_default=True,
    help="Language of report.html.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing report.")
@quiet_option
@handle_errors
def evaluate_cli(data_path, model_dir, out_dir, threshold, jobs, lang, force, quiet, as_json):
    """Metrics of a model on a labeled file: PR-AUC, precision/recall, errors by kind.

    \b
    Example:
      waspada evaluate --data my_labeled.jsonl --out runs/eval
      waspada evaluate --data data/holdout/independent.jsonl --out runs/eval-en --lang en
    """
    setup(quiet, as_json)
    from pipeline.fileio import ensure_writable
    from pipeline.modeling.artifacts import resolve_model
    from pipeline.modeling.evaluate import evaluate

    if out_dir is not None:
        ensure_writable(out_dir / "metrics.json", force, "report")
    bundle = resolve_model(model_dir, settings.models_dir())
    result = evaluate(bundle, data_path, out_dir, threshold, jobs, lang=lang)
    m = result.metrics

    def f(v):
        return "–" if v is None else f"{v:.3f}"

    lines = [
        f"{m['n']} posts ({m['positives']} recruitment) with model {m['model_id']} at threshold {m['threshold']:.3f}:",
        f"  PR-AUC {f(m['pr_auc'])}  precision {f(m['precision'])}  recall {f(m['recall'])}  recall@P0.9 {f(m['recall_at_precision_0_90'])}",
        f"  false positives on awareness/news {f(m.get('awareness_news_fpr'))}, on all hard negatives {f(m.get('hard_negative_fpr'))}",
    ]
    if result.report_path:
        lines.append(f"Report: {result.report_path}")
    emit({k: v for k, v in m.items() if not k.startswith("top_")}, as_json, lines)
