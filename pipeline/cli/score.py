"""`waspada score`: a thin wrapper over :func:`pipeline.score_run.run_score`."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline import settings
from pipeline.cli.common import (
    CONTEXT,
    check_run_problems,
    emit,
    finite_threshold,
    handle_errors,
    ingest_options,
    ingest_options_from,
    quiet_option,
    setup,
)
from pipeline.errors import CountsError


@click.command("score", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Output folder."
)
@click.option(
    "--model",
    "model_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Model bundle folder [default: the current model].",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=None,
    callback=finite_threshold,
    help="Flag at this score instead of the model's threshold.",
)
@click.option(
    "--operating-point",
    type=click.Choice(["high", "watch"]),
    default=None,
    help="high: the review queue's threshold [default]; watch: a wider net for analysts.",
)
@click.option(
    "--no-screen",
    is_flag=True,
    help="Run the full analysis on every post instead of only on those the screen passes.",
)
@click.option("--jobs", type=int, default=0, show_default=True, help="Processes (0 = all cores).")
@click.option(
    "--chunk-size",
    type=click.IntRange(100),
    default=5000,
    show_default=True,
    help="Records per chunk.",
)
@click.option(
    "--queue-limit",
    type=click.IntRange(1),
    default=20000,
    show_default=True,
    help="Most posts kept in the review queue.",
)
@click.option(
    "--lang",
    type=click.Choice(["id", "en"]),
    default="id",
    show_default=True,
    help="Language of the reasons.",
)
@click.option(
    "--resume", is_flag=True, help="Continue an interrupted run from its last finished chunk."
)
@click.option(
    "--to-review",
    "to_review",
    is_flag=True,
    help="Also load the review queue into the review store.",
)
@click.option(
    "--review-db",
    default=None,
    help="Review store URL [default: sqlite:///data/review/review.sqlite].",
)
@click.option(
    "--history-db",
    default=None,
    help="Run history URL [default: WASPADA_HISTORY_DB, else the review store].",
)
@click.option(
    "--no-history",
    is_flag=True,
    help="Do not record this run in the history that `waspada trends` reads.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Score here, or on a Dask cluster.",
)
@click.option(
    "--scheduler",
    default=None,
    help="Dask scheduler address (tcp://HOST:8786); default starts a local cluster.",
)
@click.option("--force", is_flag=True, help="Overwrite outputs in --out.")
@ingest_options
@quiet_option
@handle_errors
def score_cli(
    paths,
    out_dir,
    model_dir,
    threshold,
    operating_point,
    no_screen,
    jobs,
    chunk_size,
    queue_limit,
    lang,
    resume,
    to_review,
    review_db,
    history_db,
    no_history,
    engine,
    scheduler,
    force,
    fmt,
    encoding,
    text_column,
    id_column,
    platform,
    max_text_kb,
    timezone,
    quiet,
    as_json,
):
    """Score collected posts and write scored.csv, review_queue.csv, quarantine.csv, report.json.

    \b
    Example:
      waspada score data/raw --out runs/2026-11-28
      waspada score export.jsonl --out runs/x --threshold 0.7 --to-review
    """
    setup(quiet, as_json)
    import os

    from pipeline.modeling.artifacts import resolve_model
    from pipeline.score_run import check_threshold_options, run_score
    from pipeline.scoring import ScoreOptions

    bundle = resolve_model(model_dir, settings.models_dir())
    check_threshold_options(threshold, operating_point)
    options = ScoreOptions(
        threshold,
        jobs or os.cpu_count() or 1,
        chunk_size,
        lang,
        not no_screen,
        operating_point,
        queue_limit,
        resume,
        force,
    )
    ingest = ingest_options_from(
        fmt, encoding, text_column, id_column, platform, max_text_kb, timezone
    )
    run = run_score(
        paths,
        out_dir,
        bundle,
        ingest,
        options,
        engine,
        scheduler,
        record_history=not no_history,
        history_db=history_db,
        to_review=to_review,
        review_db=review_db,
    )
    report = run.report
    c = report["counts"]
    lines = [
        (
            f"Read {c['read']} records: {c['scored']} scored, {c['flagged']} flagged, {c['quarantined']} quarantined, "
            f"{c['duplicates']} duplicates, {c['skipped']} skipped ({'counts add up' if run.balanced else 'COUNTS DO NOT ADD UP'})."
        ),
        f"Model {report['model_id']} at threshold {report['threshold']:.3f}.",
        f"Review queue: {out_dir / 'review_queue.xlsx'} ({c['in_review_queue']} posts; the file to open in Excel)",
        f"For programs: {out_dir / 'review_queue.csv'}, {out_dir / 'scored.csv'} (all scores; exact text, formulas included)",
        f"Quarantine:   {out_dir / 'quarantine.csv'}",
    ]
    if run.review_store is not None:
        lines.append(
            f"Review store: {run.review_store['added']} new, {run.review_store['updated']} updated posts."
        )
    if run.history is not None:
        lines.append(
            f"History: run {run.history['run_id']} ({run.history['new_posts']} new flagged posts); "
            "`waspada trends` shows what changed."
        )
    emit(run.summary(), as_json, lines)
    if not run.balanced:
        accounted = c["scored"] + c["quarantined"] + c["duplicates"] + c["skipped"]
        raise CountsError(
            f"Counts do not add up: {c['read']} records were read, but {accounted} are accounted for "
            f"({c['scored']} scored, {c['quarantined']} quarantined, {c['duplicates']} duplicates, {c['skipped']} skipped).",
            f"This is a fault in Waspada, not in the data: the outputs in {out_dir} are incomplete; "
            "keep the inputs and its report.json and report it.",
        )
    check_run_problems(report, out_dir)
