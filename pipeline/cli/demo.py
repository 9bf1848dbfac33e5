"""`waspada demo`: a thin wrapper over :func:`pipeline.demo.run_demo`."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.common import CONTEXT, emit, handle_errors, quiet_option, setup


@click.command("demo", context_settings=CONTEXT)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("runs/demo"),
    show_default=True,
)
@click.option("--retrain", is_flag=True, help="Train again even if a current model exists.")
@quiet_option
@handle_errors
def demo_cli(out_dir, retrain, quiet, as_json):
    """The whole path on the bundled data: train (if needed), score data/raw, show the queue.

    Then data/raw is scored again as three weekly collections (with planted reposts) that are
    recorded in the run history and loaded into the review store, and a trends report is
    written, so `waspada trends` and the desk's Tren page have something to show.
    The demo skips the baseline comparison to stay quick; `waspada train` runs it.

    \b
    Example:
      waspada demo
    """
    setup(quiet, as_json)
    from pipeline.demo import run_demo

    messages = {
        "train": "Training on data/labeled/ ...",
        "history": "Scoring the collection again as three weekly collections for the run history ...",
    }
    run = run_demo(out_dir, retrain, on_step=lambda step: click.echo(messages[step], err=True))
    report, history = run.report, run.history
    c = report["counts"]
    lines = [
        f"Waspada demo with model {report['model_id']} (threshold {report['threshold']:.3f})",
        (
            f"Read {c['read']} records: {c['scored']} scored, {c['flagged']} flagged, {c['quarantined']} quarantined, "
            f"{c['duplicates']} duplicates, {c['skipped']} skipped."
        ),
        f"Review queue: {out_dir / 'review_queue.xlsx'} (for Excel; review_queue.csv for programs)",
        "Top of the queue:",
    ]
    for row in run.top:
        lines.append(f"  [{row['score']:.2f} {row['category']}] {row['text'][:90]!s}…")
        lines.append(f"      {row['reasons'][:160]}")
    counts = history.summary["counts"]
    lines += [
        (
            f"Run history: {len(history.runs)} weekly runs recorded ({out_dir}/week-1..3); in week 3: "
            f"{counts['new_contacts']} new contacts, {counts['new_templates']} new templates, "
            f"{counts['spreading_templates']} spreading templates, {counts['networks']} networks."
        ),
        f"Trends: {history.trends_html}   (again: waspada trends --out runs/trends; on the desk: waspada review serve → Tren)",
    ]
    emit(report, as_json, lines)
