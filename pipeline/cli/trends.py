"""`waspada trends` and `waspada history ...`: thin wrappers over pipeline.history."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline import settings
from pipeline.cli.common import CONTEXT, emit, handle_errors, quiet_option, setup

HISTORY_DB_HELP = "Run history URL [default: WASPADA_HISTORY_DB, else the review store, sqlite:///data/review/review.sqlite]."


@click.command("trends", context_settings=CONTEXT)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for trends.html, trends.json and the CSVs [default: runs/trends].",
)
@click.option(
    "--since",
    default=None,
    metavar="DATE",
    help="Leave out posts posted before this day (YYYY-MM-DD).",
)
@click.option(
    "--latest",
    "latest_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Compare this run folder with the runs before it [default: the last recorded run].",
)
@click.option(
    "--lang",
    type=click.Choice(["id", "en"]),
    default="id",
    show_default=True,
    help="Language of trends.html.",
)
@click.option("--history-db", default=None, help=HISTORY_DB_HELP)
@click.option(
    "--desk-url",
    default="http://127.0.0.1:8765",
    show_default=True,
    help="Review desk the post and cluster links open.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing report in --out.")
@quiet_option
@handle_errors
def trends_cli(out_dir, since, latest_dir, lang, history_db, desk_url, force, quiet, as_json):
    """What changed across scored collections: new recruiters, new and spreading templates, networks.

    Every `waspada score` run is recorded in the run history; this compares the latest run with
    all earlier ones and writes trends.html, trends.json and weekly.csv, new_contacts.csv,
    new_templates.csv, spreading_templates.csv, networks.csv.

    \b
    Example:
      waspada trends --out runs/trends
      waspada trends --out runs/trends --since 2026-10-01 --lang en --force
      waspada trends --out runs/trends-w48 --latest runs/2026-11-28
    """
    setup(quiet, as_json)
    from pipeline.history.report import make_trends

    out_dir = out_dir or settings.trends_dir()
    report = make_trends(
        out_dir,
        history_db or settings.history_db_url(),
        latest_dir,
        since,
        lang,
        force,
        desk_url.rstrip("/"),
    )
    summary = report.summary
    counts = summary["counts"]
    lines = [
        (
            f"Latest run {summary['latest_run']['label']} ({summary['latest_run']['run_id']}) against {summary['runs'] - 1} earlier run(s): "
            f"{summary['latest_run']['new_posts']} new flagged posts."
        ),
        (
            f"New contacts: {counts['new_contacts']}, new templates: {counts['new_templates']}, "
            f"spreading templates: {counts['spreading_templates']}, networks: {counts['networks']}."
        ),
        f"Report: {Path(report.files['trends.html'])}",
    ]
    emit({"summary": summary, "files": report.files}, as_json, lines)


@click.group("history", context_settings=CONTEXT)
def history_group():
    """The run history that `waspada trends` reads.

    \b
    Example:
      waspada history runs
      waspada history record runs/2026-11-28
    """


@history_group.command("record", context_settings=CONTEXT)
@click.argument(
    "run_dirs", nargs=-1, required=True, type=click.Path(path_type=Path, file_okay=False)
)
@click.option("--history-db", default=None, help=HISTORY_DB_HELP)
@quiet_option
@handle_errors
def record_cli(run_dirs, history_db, quiet, as_json):
    """Record finished runs (folders written by `waspada score`) in the history, oldest first.

    `waspada score` records its run itself; use this for runs scored earlier, elsewhere or with
    --no-history. Recording a run twice changes nothing.

    \b
    Example:
      waspada history record runs/2026-11-21 runs/2026-11-28
    """
    setup(quiet, as_json)
    from pipeline.history.store import HistoryStore

    store = HistoryStore(history_db or settings.history_db_url())
    results = [store.record_run(run_dir) for run_dir in run_dirs]
    store.close()
    emit(
        [r.as_dict() for r in results],
        as_json,
        [
            f"{r.run_dir}: {'already recorded' if r.already_recorded else 'recorded'} as {r.run_id} "
            f"({r.flagged_posts} flagged posts, {r.new_posts} new)."
            for r in results
        ],
    )


@history_group.command("runs", context_settings=CONTEXT)
@click.option("--history-db", default=None, help=HISTORY_DB_HELP)
@quiet_option
@handle_errors
def runs_cli(history_db, quiet, as_json):
    """List the recorded runs, oldest first.

    \b
    Example:
      waspada history runs --json
    """
    setup(quiet, as_json)
    from pipeline.history.store import HistoryStore

    store = HistoryStore(history_db or settings.history_db_url())
    rows = store.runs()
    store.close()
    lines = [
        f"{r['seq']:>3}  {r['run_id']}  {r['recorded_at']}  {r['flagged']:>6} flagged  {r['new_posts']:>6} new  {r['run_dir']}"
        for r in rows
    ]
    emit(
        rows,
        as_json,
        lines or ["No runs recorded yet. `waspada score PATH --out DIR` records one."],
    )
