"""`waspada ingest`: a thin wrapper over :func:`pipeline.ingest_run.run_ingest`."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.common import (
    CONTEXT,
    check_run_problems,
    emit,
    handle_errors,
    ingest_options,
    ingest_options_from,
    quiet_option,
    setup,
)


@click.command("ingest", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder for posts.csv, quarantine.csv, duplicates.csv, report.json.",
)
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
@ingest_options
@quiet_option
@handle_errors
def ingest_cli(
    paths,
    out_dir,
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
    """Read collected files into one canonical table of posts.

    Every record ends as a post, a duplicate, a skipped system line or a quarantine entry
    with its reason; the counts add up and report.json says so.

    \b
    Example:
      waspada ingest data/raw --out runs/ingested
      waspada ingest export.csv --encoding cp1252 --text-column isi --out runs/x
    """
    setup(quiet, as_json)
    from pipeline.ingest_run import run_ingest

    report = run_ingest(
        paths,
        out_dir,
        ingest_options_from(fmt, encoding, text_column, id_column, platform, max_text_kb, timezone),
        force,
    )
    c = report["counts"]
    emit(
        report,
        as_json,
        [
            f"Read {c['read']} records: {c['ingested']} posts, {c['duplicates']} duplicates, {c['skipped']} skipped, {c['quarantined']} quarantined.",
            f"{c['clusters']} near-duplicate clusters; the largest holds {c['largest_cluster']} posts.",
            f"Posts: {out_dir / 'posts.csv'}   Quarantine: {out_dir / 'quarantine.csv'}",
        ],
    )
    check_run_problems(report, out_dir, "ingested")
