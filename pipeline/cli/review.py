"""`waspada review ...` and `waspada suggest`: thin wrappers over the review package."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipeline.cli.common import CONTEXT, emit, handle_errors, quiet_option, setup

STATUS_CHOICES = ("all", "pending", "decided", "tppo", "tppm", "benign", "unsure")


def db_option(func):
    return click.option(
        "--db",
        "db_url",
        default=None,
        metavar="URL",
        help="Review store URL [default: sqlite:///data/review/review.sqlite, or WASPADA_REVIEW_DB].",
    )(func)


def _store(db_url):
    from pipeline import settings
    from pipeline.review.store import ReviewStore

    return ReviewStore(db_url or settings.review_db_url())


@click.group("review", context_settings=CONTEXT)
def review_group() -> None:
    """Review flagged posts: the browser desk, spreadsheets, and decisions back into training.

    \b
    Typical flow:
      waspada score data/raw --out runs/today --to-review   # fill the review store
      waspada review serve                                  # open http://127.0.0.1:8765
      waspada review export antrean.xlsx                    # or work in a spreadsheet
      waspada review import antrean.xlsx --reviewer Sari
      waspada review to-labeled                             # new file in data/labeled/
      waspada train --promote                               # learn from the decisions
    """


@review_group.command("serve", context_settings=CONTEXT)
@db_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but loopback needs --token.",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option(
    "--token",
    envvar="WASPADA_REVIEW_TOKEN",
    default=None,
    help="Access token reviewers must enter, at least 16 characters [env WASPADA_REVIEW_TOKEN]; made up and printed if --host is not loopback.",
)
@click.option(
    "--lang",
    type=click.Choice(["id", "en"]),
    default="id",
    show_default=True,
    help="Default interface language.",
)
@click.option(
    "--timezone",
    default="Asia/Jakarta",
    show_default=True,
    help="Where 'today' starts for the progress count.",
)
@click.option(
    "--trends",
    "trends_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Trends report the Tren page shows [default: runs/trends, or WASPADA_TRENDS_DIR].",
)
@handle_errors
def serve_cli(db_url, host, port, token, lang, timezone, trends_dir):
    """Open the review desk in the browser: the queue, one post at a time, keyboard decisions.

    Decisions are saved the moment the desk shows "Tersimpan"; stopping the server (Ctrl+C)
    never loses them.

    \b
    Example:
      waspada review serve
      waspada review serve --host 0.0.0.0 --port 8000 --token "$(openssl rand -hex 16)"
    """
    import logging
    import secrets

    from pipeline.review.app import DeskServer, check_token, create_app, is_loopback

    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    if token:
        check_token(token)  # before opening the store: a weak token changes nothing
    elif not is_loopback(host):
        token = secrets.token_urlsafe(24)
        click.echo(f"Access token (give it to your reviewers): {token}", err=True)
    store = _store(db_url)
    server = DeskServer(
        create_app(
            store, token=token, lang=lang, host=host, timezone=timezone, trends_dir=trends_dir
        ),
        host,
        port,
    )
    progress = store.progress()
    click.echo(
        f"Review desk: {server.url}/  ({progress['pending']} of {progress['total']} posts waiting). Ctrl+C stops it.",
        err=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Review desk stopped. Every saved decision is in the store.", err=True)
    finally:
        server.server.server_close()
        store.close()


@review_group.command("load", context_settings=CONTEXT)
@click.argument("queue_csv", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@db_option
@click.option(
    "--model-id", default="", help="Model that scored the queue (recorded with each decision)."
)
@quiet_option
@handle_errors
def load_cli(queue_csv, db_url, model_id, quiet, as_json):
    """Load a review_queue.csv (or scored.csv) into the store, merging by post_id.

    Decisions already made are kept; the model's fields (score, reasons) are refreshed.

    \b
    Example:
      waspada review load runs/today/review_queue.csv
    """
    setup(quiet, as_json)
    import json

    if not model_id and (queue_csv.parent / "report.json").is_file():
        model_id = json.loads((queue_csv.parent / "report.json").read_text(encoding="utf-8")).get(
            "model_id", ""
        )
    summary = _store(db_url).load_queue(queue_csv, model_id=model_id)
    line = (
        f"Review store: {summary['added']} new, {summary['updated']} updated, {summary['unchanged']} unchanged posts "
        f"({summary['kept_decisions']} decisions kept; {summary['total']} posts in the store)."
    )
    emit(summary, as_json, [line])


@review_group.command("status", context_settings=CONTEXT)
@db_option
@quiet_option
@handle_errors
def status_cli(db_url, quiet, as_json):
    """How far the review is: posts, decisions by label and by reviewer.

    \b
    Example:
      waspada review status --json
    """
    setup(quiet, as_json)
    from collections import Counter

    store = _store(db_url)
    progress = store.progress()
    current = Counter(d or "pending" for d in store.current_map().values())
    reviewers = Counter(d["reviewer"] for d in store.all_decisions() if not d["undone_at"])
    summary = {
        "store": store.url,
        "schema_version": store.schema_version(),
        **progress,
        "by_decision": dict(current),
        "by_reviewer": dict(reviewers),
    }
    lines = [
        f"{progress['decided']} of {progress['total']} posts reviewed ({progress['today']} today); {progress['pending']} waiting.",
        "By decision: " + ", ".join(f"{k} {v}" for k, v in sorted(current.items())),
        "By reviewer: " + (", ".join(f"{k} {v}" for k, v in reviewers.most_common()) or "–"),
    ]
    emit(summary, as_json, lines)


@review_group.command("export", context_settings=CONTEXT)
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@db_option
@click.option(
    "--status",
    type=click.Choice(STATUS_CHOICES),
    default="all",
    show_default=True,
    help="Which posts to export.",
)
@click.option("--platform", default="", help="Only posts from this platform.")
@click.option("--force", is_flag=True, help="Overwrite OUT.")
@quiet_option
@handle_errors
def export_cli(out, db_url, status, platform, force, quiet, as_json):
    """Write the queue to a spreadsheet (.xlsx or .csv) with a decision column to fill in.

    Fill `decision` with tppo, tppm, benign or unsure (and `reviewer`, optionally `note`), then
    bring it back with `waspada review import`. Leave the other columns as they are.

    \b
    Example:
      waspada review export antrean.xlsx --status pending
    """
    setup(quiet, as_json)
    from pipeline.review.exchange import export_queue
    from pipeline.review.store import QueueFilter

    summary = export_queue(
        _store(db_url), out, QueueFilter(status=status, platform=platform), force
    )
    emit(
        summary,
        as_json,
        [f"Wrote {summary['rows']} posts ({summary['pending']} waiting for a decision) to {out}."],
    )


@review_group.command("import", context_settings=CONTEXT)
@click.argument("path", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@db_option
@click.option("--reviewer", default=None, help="Reviewer for rows whose reviewer column is empty.")
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Record the valid rows even if others have problems (they are still listed).",
)
@click.option("--dry-run", is_flag=True, help="Check the file and report, record nothing.")
@quiet_option
@handle_errors
def import_cli(path, db_url, reviewer, skip_invalid, dry_run, quiet, as_json):
    """Read decisions back from an exported spreadsheet, checking every row.

    Unknown labels, unknown post ids, rows without a reviewer and conflicting decisions are
    listed with their row numbers. A file with problems changes nothing unless --skip-invalid.

    \b
    Example:
      waspada review import antrean.xlsx --reviewer Sari --dry-run
      waspada review import antrean.xlsx --reviewer Sari
    """
    setup(quiet, as_json)
    from pipeline.review.exchange import import_decisions

    report = import_decisions(
        _store(db_url), path, reviewer=reviewer, skip_invalid=skip_invalid, dry_run=dry_run
    )
    c = report.counts
    if report.written:
        outcome = f"Recorded {c['applied']} decisions."
    elif dry_run:
        outcome = f"Dry run: would record {c['applied']} decisions."
    elif report.problems and not skip_invalid:
        outcome = (
            "Nothing recorded: fix the rows below, or pass --skip-invalid to record the valid ones."
        )
    else:
        outcome = "Nothing new to record."
    counted = (
        f"{c['rows']} rows: {c['applied']} new decisions, {c['unchanged']} unchanged, {c['blank']} blank, "
        f"{c['duplicates']} repeated, {len(report.problems)} with problems."
    )
    lines = [counted, outcome]
    for problem in report.problems[:30]:
        lines.append(
            f"  row {problem['row']}: {problem['problem']} – post {problem['post_id']!r}, decision {problem['decision']!r}: {problem['detail']}"
        )
    if len(report.problems) > 30:
        lines.append(f"  ... and {len(report.problems) - 30} more (use --json for all).")
    emit(report.summary(), as_json, lines)
    if report.problems and not skip_invalid:
        sys.exit(1)


@review_group.command("to-labeled", context_settings=CONTEXT)
@db_option
@click.option(
    "--labeled",
    "labeled_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Labeled data folder [default: data/labeled].",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="File to write [default: LABELED/review-<UTC time>.jsonl].",
)
@click.option("--force", is_flag=True, help="Overwrite --out.")
@quiet_option
@handle_errors
def to_labeled_cli(db_url, labeled_dir, out, force, quiet, as_json):
    """Turn reviewed decisions into a new labeled file so the next `waspada train` learns them.

    Only people's decisions (tppo, tppm, benign) are written, never model scores, never `unsure`;
    each decision once. Decisions that contradict existing labels are listed and held back.

    \b
    Example:
      waspada review to-labeled
      waspada train --promote
    """
    setup(quiet, as_json)
    from pipeline import settings
    from pipeline.review.to_labeled import to_labeled

    result = to_labeled(_store(db_url), labeled_dir or settings.labeled_dir(), out, force)
    if result.written:
        labels = ", ".join(f"{k} {v}" for k, v in sorted(result.by_label.items()))
        lines = [
            f"Wrote {result.written} reviewed posts ({labels}) to {result.path}.",
            "Next: waspada train --promote",
        ]
    else:
        lines = ["No new reviewed decisions to write."]
    if result.already_labeled:
        lines.append(
            f"{result.already_labeled} decisions matched labels already in the labeled data."
        )
    for conflict in result.conflicts:
        lines.append(
            f"  held back: post {conflict['post_id']!r} decided {conflict['decision']} but {conflict['detail']} ({conflict['other_label']})."
        )
    emit(result.summary(), as_json, lines)


@click.command("suggest", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, exists=True))
@click.option(
    "--n",
    "n",
    type=click.IntRange(1),
    default=200,
    show_default=True,
    help="How many posts to add to the queue.",
)
@click.option(
    "--model",
    "model_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Model bundle [default: the current model].",
)
@click.option(
    "--labeled",
    "labeled_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Labeled data to skip [default: data/labeled].",
)
@db_option
@click.option("--jobs", type=click.IntRange(1), default=1, show_default=True)
@click.option("--dry-run", is_flag=True, help="Show what would be picked; add nothing.")
@quiet_option
@handle_errors
def suggest_cli(paths, n, model_dir, labeled_dir, db_url, jobs, dry_run, quiet, as_json):
    """Add the unlabeled posts whose labels would teach the model most to the review queue.

    PATHS are a scored.csv from `waspada score` (re-scored with the current model) or collected
    files [default: data/raw]. Picks posts scored near the threshold, one per repost cluster,
    mixing kinds of red flags; skips posts already labeled or already in the store.

    \b
    Example:
      waspada suggest --n 200
      waspada suggest runs/today/scored.csv --n 50
    """
    setup(quiet, as_json)
    from pipeline import settings
    from pipeline.modeling.artifacts import resolve_model
    from pipeline.review.suggest import suggest

    bundle = resolve_model(model_dir, settings.models_dir())
    result = suggest(
        _store(db_url),
        list(paths) or [settings.raw_dir()],
        bundle,
        n,
        labeled_dir or settings.labeled_dir(),
        jobs,
        dry_run,
    )
    s = result.summary()
    lines = [
        (
            f"{s['candidates']} posts scored with {bundle.model_id}; {s['already_labeled']} already labeled, "
            f"{s['already_in_store']} already in the review store."
        ),
        f"Picked {s['picked']} posts from {s['clusters']} clusters"
        + (
            f", scores {s['score_min']:.2f}–{s['score_max']:.2f} (threshold {bundle.threshold:.2f})."
            if s["picked"]
            else "."
        ),
    ]
    if not dry_run:
        lines.append(
            f"Added {s['review_store']['added']} to the review queue; filter the desk by 'Saran untuk dilatih' to see them."
        )
    emit(s, as_json, lines)
