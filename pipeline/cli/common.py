"""What every command shares: error handling at the edge, output, options used by several commands.

Exit codes: 0 success, 1 a failure Waspada explains (with a hint), 2 a usage error.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import math
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import click

from pipeline import progress
from pipeline.errors import InputError, WaspadaError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Terminated(KeyboardInterrupt):
    """SIGTERM (a service stop, ``kill``, a cron timeout), handled exactly like Ctrl-C."""


def _terminate(signum, frame):
    raise Terminated()


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def handle_errors(func):
    """Show a WaspadaError as a short message plus the fix, and exit 1; Ctrl-C exits 130 and
    SIGTERM 143, both after the same clean-up (finished chunks kept, workers stopped)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            with _sigterm_interrupts():
                return func(*args, **kwargs)
        except WaspadaError as exc:
            click.secho(f"Error: {exc.message}", fg="red", err=True)
            if exc.hint:
                click.echo(f"  Hint: {exc.hint}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt as exc:
            click.echo(
                "Interrupted. Finished chunks are kept; re-run with --resume to continue.", err=True
            )
            sys.exit(143 if isinstance(exc, Terminated) else 130)

    return wrapper


def finite_threshold(ctx, param, value):
    # click's FloatRange lets "nan" through (every comparison with NaN is false).
    if value is not None and not math.isfinite(value):
        raise click.BadParameter("must be a number between 0 and 1, not NaN.")
    return value


def quiet_option(func):
    func = click.option("--quiet", "-q", is_flag=True, help="No progress bars.")(func)
    return click.option(
        "--json", "as_json", is_flag=True, help="Print the summary as JSON (for scripts)."
    )(func)


def emit(summary, as_json: bool, lines: list[str]) -> None:
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    else:
        for line in lines:
            click.echo(line)


def setup(quiet: bool, as_json: bool) -> None:
    progress.set_enabled(not (quiet or as_json))
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )


def ingest_options(func):
    options = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(
                [
                    "csv",
                    "tsv",
                    "jsonl",
                    "json",
                    "parquet",
                    "xlsx",
                    "whatsapp",
                    "twitter",
                    "telegram",
                ]
            ),
            help="Read every input as this format instead of detecting it.",
        ),
        click.option(
            "--encoding",
            help="Text encoding of the inputs, e.g. cp1252 (default: UTF-8, BOM or not).",
        ),
        click.option(
            "--text-column", help="Column/field holding the post text (default: found by name)."
        ),
        click.option(
            "--id-column",
            help="Column/field holding the post id (default: found by name, else a content hash).",
        ),
        click.option(
            "--platform", help="Platform to record when the input does not say (facebook, x, ...)."
        ),
        click.option(
            "--max-text-kb",
            type=click.IntRange(1),
            default=100,
            show_default=True,
            help="Quarantine posts with more text than this.",
        ),
        click.option(
            "--timezone",
            default="Asia/Jakarta",
            show_default=True,
            help="Time zone of timestamps that carry none.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def ingest_options_from(fmt, encoding, text_column, id_column, platform, max_text_kb, timezone):
    """The IngestOptions the options of :func:`ingest_options` ask for."""
    from pipeline.ingest import IngestOptions

    return IngestOptions(
        fmt, encoding, text_column, id_column, platform, max_text_kb * 1024, timezone
    )


def check_run_problems(report: dict, out_dir: Path, done: str = "scored") -> None:
    """Say what the report notes about files, and fail when a file was not scored for a reason
    the person has to fix, or when records were read and none scored."""
    notes = report.get("file_notes", [])
    for note in notes:
        if not note.get("problem"):
            click.echo(f"Note: {note['note']}", err=True)
    problems = [note for note in notes if note.get("problem")]
    if problems:
        first = problems[0]
        more = (
            f" (and {len(problems) - 1} more files; see report.json file_notes)"
            if len(problems) > 1
            else ""
        )
        raise InputError(f"{first['note']}{more}.", f"{first['hint']} Then run again with --force.")
    c = report["counts"]
    if c["read"] and not c[done]:
        reasons = report.get("quarantine_reasons", {})
        top = max(reasons, key=reasons.get) if reasons else "skipped as not posts"
        raise InputError(
            f"Nothing was {done}: all {c['read']} records were quarantined or skipped (most often: {top}).",
            f"Read the reasons in {out_dir / 'quarantine.csv'}, fix the input or the options they name, and run again with --force.",
        )
