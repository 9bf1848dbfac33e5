"""The `waspada` command line: one thin wrapper per stage over importable functions.

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

from pipeline import __version__, progress, settings
from pipeline.errors import CountsError, InputError, WaspadaError

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
            click.echo("Interrupted. Finished chunks are kept; re-run with --resume to continue.", err=True)
            sys.exit(143 if isinstance(exc, Terminated) else 130)

    return wrapper


def _finite_threshold(ctx, param, value):
    # click's FloatRange lets "nan" through (every comparison with NaN is false).
    if value is not None and not math.isfinite(value):
        raise click.BadParameter("must be a number between 0 and 1, not NaN.")
    return value


def quiet_option(func):
    func = click.option("--quiet", "-q", is_flag=True, help="No progress bars.")(func)
    return click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON (for scripts).")(func)


def emit(summary: dict, as_json: bool, lines: list[str]) -> None:
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    else:
        for line in lines:
            click.echo(line)


def _setup(quiet: bool, as_json: bool) -> None:
    progress.set_enabled(not (quiet or as_json))
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="waspada")
def main() -> None:
    """Waspada: find trafficking (TPPO) and smuggling (TPPM) recruitment in social-media posts.

    \b
    Typical flow:
      waspada train --promote                 # learn from data/labeled/
      waspada score data/raw --out runs/today # score a collection, write the review queue
      waspada explain "Dicari CS Kamboja gaji 15jt"
    """


def ingest_options(func):
    options = [
        click.option("--format", "fmt", type=click.Choice(["csv", "tsv", "jsonl", "json", "parquet", "xlsx", "whatsapp", "twitter", "telegram"]),
                     help="Read every input as this format instead of detecting it."),
        click.option("--encoding", help="Text encoding of the inputs, e.g. cp1252 (default: UTF-8, BOM or not)."),
        click.option("--text-column", help="Column/field holding the post text (default: found by name)."),
        click.option("--id-column", help="Column/field holding the post id (default: found by name, else a content hash)."),
        click.option("--platform", help="Platform to record when the input does not say (facebook, x, ...)."),
        click.option("--max-text-kb", type=click.IntRange(1), default=100, show_default=True, help="Quarantine posts with more text than this."),
        click.option("--timezone", default="Asia/Jakarta", show_default=True, help="Time zone of timestamps that carry none."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _ingest_options(fmt, encoding, text_column, id_column, platform, max_text_kb, timezone):
    from pipeline.ingest import IngestOptions

    return IngestOptions(fmt, encoding, text_column, id_column, platform, max_text_kb * 1024, timezone)


@main.command("ingest", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Folder for posts.csv, quarantine.csv, duplicates.csv, report.json.")
@click.option("--force", is_flag=True, help="Overwrite existing outputs.")
@ingest_options
@quiet_option
@handle_errors
def ingest_cli(paths, out_dir, force, fmt, encoding, text_column, id_column, platform, max_text_kb, timezone, quiet, as_json):
    """Read collected files into one canonical table of posts.

    Every record ends as a post, a duplicate, a skipped system line or a quarantine entry
    with its reason; the counts add up and report.json says so.

    \b
    Example:
      waspada ingest data/raw --out runs/ingested
      waspada ingest export.csv --encoding cp1252 --text-column isi --out runs/x
    """
    _setup(quiet, as_json)
    from pipeline.ingest_run import run_ingest

    report = run_ingest(paths, out_dir, _ingest_options(fmt, encoding, text_column, id_column, platform, max_text_kb, timezone), force)
    c = report["counts"]
    emit(report, as_json, [
        f"Read {c['read']} records: {c['ingested']} posts, {c['duplicates']} duplicates, {c['skipped']} skipped, {c['quarantined']} quarantined.",
        f"{c['clusters']} near-duplicate clusters; the largest holds {c['largest_cluster']} posts.",
        f"Posts: {out_dir / 'posts.csv'}   Quarantine: {out_dir / 'quarantine.csv'}",
    ])
    check_run_problems(report, out_dir, "ingested")


@main.command("train", context_settings=CONTEXT)
@click.option("--labeled", "labeled_path", type=click.Path(path_type=Path), default=None, help="Labeled file or folder [default: data/labeled].")
@click.option("--models-dir", type=click.Path(path_type=Path), default=None, help="Where model bundles go [default: models].")
@click.option("--target-recall", type=click.FloatRange(0.5, 1.0), default=0.90, show_default=True, help="Threshold reaches this recall on validation folds.")
@click.option("--review-budget", type=click.IntRange(1), default=None, help="Instead: posts your team can review per day.")
@click.option("--posts-per-day", type=click.IntRange(1), default=1000, show_default=True, help="Collected posts per day (with --review-budget).")
@click.option("--prevalence", type=click.FloatRange(0.0001, 0.9), default=0.05, show_default=True, help="Share of recruitment posts in a collection (with --review-budget).")
@click.option("--seed", type=int, default=settings.SEED, show_default=True)
@click.option("--folds", type=click.IntRange(2, 20), default=None, help="Cross-validation folds [default: 5, or 3 with --fast].")
@click.option("--no-augment", is_flag=True, help="Train on the labeled posts only, without variants.")
@click.option("--candidate", "candidates", type=click.Choice(["logreg", "linear_svm"]), multiple=True,
              help="Candidate model to compare (repeat for several) [default: both].")
@click.option("--no-baselines", is_flag=True, help="Skip the keyword and plain TF-IDF baselines in the comparison.")
@click.option("--fast", is_flag=True, help="Retrain quickly on a large labeled set: linear SVM only, 3 folds, no baselines.")
@click.option("--validation", "validation_path", type=click.Path(path_type=Path), default=None,
              help="Transfer validation (posts by other writers) that sets the operating points [default: data/validation].")
@click.option("--jobs", type=click.IntRange(1), default=1, show_default=True, help="Processes for the text layer and the folds.")
@click.option("--promote", is_flag=True, help="Make the new model the current one.")
@click.option("--force", is_flag=True, help="Rebuild a model that already exists.")
@quiet_option
@handle_errors
def train_cli(labeled_path, models_dir, target_recall, review_budget, posts_per_day, prevalence, seed, folds, no_augment,
              candidates, no_baselines, fast, validation_path, jobs, promote, force, quiet, as_json):
    """Train, compare and calibrate the two-stage model on labeled posts; save a verified bundle.

    Candidates for the full model (logistic regression, linear SVM) and baselines (keyword
    search, plain TF-IDF) are compared by grouped cross-validation and by leave-one-source-out
    cross-validation (each labeled file or writer held out in turn), which is what tells how a
    model does on writing it has not seen. The screen, the full model and the red-flag counts
    are combined on the leave-one-source-out scores. The operating points (high, watch) are set
    on the transfer validation in data/validation, which training never reads.
    --fast skips leave-one-source-out and the comparison: use it to retrain a known setup on many
    labeled posts.

    \b
    Example:
      waspada train --promote
      waspada train --labeled data/labeled --review-budget 200 --posts-per-day 5000
      waspada train --labeled big_labeled/ --fast --jobs 2
    """
    _setup(quiet, as_json)
    from pipeline.modeling.train import CANDIDATES, TrainConfig, train

    if fast:
        candidates, no_baselines = candidates or ("linear_svm",), True
    folds = folds or (3 if fast else 5)
    config = TrainConfig(seed=seed, folds=folds, target_recall=target_recall, review_budget=review_budget,
                         posts_per_day=posts_per_day, prevalence=prevalence, augment=not no_augment, jobs=jobs,
                         candidates=tuple(candidates) or CANDIDATES, baselines=not no_baselines,
                         leave_one_source_out=not fast)
    validation = validation_path or settings.validation_dir()
    if validation_path is not None and not validation_path.exists():
        raise InputError(f"The transfer validation {validation_path} does not exist.",
                         "Pass a folder of JSONL files written by other writers, or leave --validation out.")
    result = train(labeled_path or settings.labeled_dir(), models_dir or settings.models_dir(), config, promote=promote,
                   force=force, validation_path=validation if validation.exists() else None)
    lines = [f"Model {result.model_id} saved in {result.path} ({'promoted to current' if result.promoted else 'not promoted; use --promote'})."]
    loss = result.screen["measured_loss"]
    loso_loss = "" if loss["leave_one_source_out"] is None else f", {loss['leave_one_source_out']:.2%} leave-one-source-out"
    lines.append(f"Full model {result.selected}; threshold {result.threshold:.3f}; screen passes scores >= {result.screen['threshold']:.3f} "
                 f"(screen loss {loss['grouped']:.2%} grouped{loso_loss}).")
    for title, table in (("Grouped CV (out-of-fold)", result.cv), ("Leave-one-source-out (out-of-fold)", result.by_source)):
        if not table:
            continue
        lines.append(f"{title}:")
        for name, metrics in table.items():
            lines.append(f"  {name:20s} PR-AUC {metrics['pr_auc']:.3f}  recall@P0.9 {metrics['recall_at_precision_0_90']:.3f}  "
                         f"disguised recall {metrics.get('obfuscated_recall') or 0:.3f}  awareness/news FPR {metrics['awareness_news_fpr'] or 0:.3f}")
    if result.transfer:
        ranking = result.transfer["ranking"]
        lines.append("Transfer validation (other writers), recall at 3/10/25/50 false positives: "
                     + " / ".join(f"{ranking[f'recall_at_{b}_fp']:.3f}" for b in (3, 10, 25, 50)))
        for point, values in result.transfer["operating_points"].items():
            fitted = values["cross_fitted"]
            lines.append(f"  {point:6s} threshold {values['threshold']:.3f}: precision {fitted['precision'] or 0:.3f}, "
                         f"recall {fitted['recall'] or 0:.3f}, disguised recall {fitted['disguised_recall'] or 0:.3f} (cross-fitted by writer)")
    lines += [f"Warning: {warning}" for warning in result.warnings]
    emit({"model_id": result.model_id, "path": str(result.path), "selected": result.selected, "threshold": result.threshold,
          "promoted": result.promoted, "cv": result.cv, "leave_one_source_out": result.by_source, "transfer": result.transfer,
          "screen": result.screen, "counts": result.counts, "warnings": result.warnings}, as_json, lines)


@main.command("score", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Output folder.")
@click.option("--model", "model_dir", type=click.Path(path_type=Path), default=None, help="Model bundle folder [default: the current model].")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None, callback=_finite_threshold,
              help="Flag at this score instead of the model's threshold.")
@click.option("--operating-point", type=click.Choice(["high", "watch"]), default=None,
              help="high: the review queue's threshold [default]; watch: a wider net for analysts.")
@click.option("--no-screen", is_flag=True, help="Run the full analysis on every post instead of only on those the screen passes.")
@click.option("--jobs", type=int, default=0, show_default=True, help="Processes (0 = all cores).")
@click.option("--chunk-size", type=click.IntRange(100), default=5000, show_default=True, help="Records per chunk.")
@click.option("--queue-limit", type=click.IntRange(1), default=20000, show_default=True, help="Most posts kept in the review queue.")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True, help="Language of the reasons.")
@click.option("--resume", is_flag=True, help="Continue an interrupted run from its last finished chunk.")
@click.option("--to-review", "to_review", is_flag=True, help="Also load the review queue into the review store.")
@click.option("--review-db", default=None, help="Review store URL [default: sqlite:///data/review/review.sqlite].")
@click.option("--history-db", default=None, help="Run history URL [default: WASPADA_HISTORY_DB, else the review store].")
@click.option("--no-history", is_flag=True, help="Do not record this run in the history that `waspada trends` reads.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True, help="Score here, or on a Dask cluster.")
@click.option("--scheduler", default=None, help="Dask scheduler address (tcp://HOST:8786); default starts a local cluster.")
@click.option("--force", is_flag=True, help="Overwrite outputs in --out.")
@ingest_options
@quiet_option
@handle_errors
def score_cli(paths, out_dir, model_dir, threshold, operating_point, no_screen, jobs, chunk_size, queue_limit, lang, resume, to_review,
              review_db, history_db, no_history, engine, scheduler, force,
              fmt, encoding, text_column, id_column, platform, max_text_kb, timezone, quiet, as_json):
    """Score collected posts and write scored.csv, review_queue.csv, quarantine.csv, report.json.

    \b
    Example:
      waspada score data/raw --out runs/2026-11-28
      waspada score export.jsonl --out runs/x --threshold 0.7 --to-review
    """
    _setup(quiet, as_json)
    import os

    from pipeline.modeling.artifacts import resolve_model
    from pipeline.scoring import ScoreOptions, score_collection

    bundle = resolve_model(model_dir, settings.models_dir())
    if threshold is not None and operating_point is not None:
        raise InputError("--threshold and --operating-point both set the threshold.", "Pass only one of them.")
    options = ScoreOptions(threshold, jobs or os.cpu_count() or 1, chunk_size, lang, not no_screen, operating_point,
                           queue_limit, resume, force)
    ingest = _ingest_options(fmt, encoding, text_column, id_column, platform, max_text_kb, timezone)
    if engine == "dask":
        from pipeline.distributed import score_with_dask

        report = score_with_dask(paths, out_dir, bundle, ingest, options, scheduler)
    else:
        report = score_collection(paths, out_dir, bundle, ingest, options)
    if not no_history and report["counts_balance"]:
        from pipeline.history.cli import record_after_score

        report["history"] = record_after_score(out_dir, history_db)
    if to_review:
        from pipeline.review.store import ReviewStore

        store = ReviewStore(review_db or settings.review_db_url())
        report["review_store"] = store.load_queue(out_dir / "review_queue.csv", model_id=bundle.model_id)
    c = report["counts"]
    lines = [
        (f"Read {c['read']} records: {c['scored']} scored, {c['flagged']} flagged, {c['quarantined']} quarantined, "
        f"{c['duplicates']} duplicates, {c['skipped']} skipped ({'counts add up' if report['counts_balance'] else 'COUNTS DO NOT ADD UP'})."),
        f"Model {report['model_id']} at threshold {report['threshold']:.3f}.",
        f"Review queue: {out_dir / 'review_queue.xlsx'} ({c['in_review_queue']} posts; the file to open in Excel)",
        f"For programs: {out_dir / 'review_queue.csv'}, {out_dir / 'scored.csv'} (all scores; exact text, formulas included)",
        f"Quarantine:   {out_dir / 'quarantine.csv'}",
    ]
    if "review_store" in report:
        lines.append(f"Review store: {report['review_store']['added']} new, {report['review_store']['updated']} updated posts.")
    if "history" in report:
        lines.append(f"History: run {report['history']['run_id']} ({report['history']['new_posts']} new flagged posts); "
                     "`waspada trends` shows what changed.")
    emit(report, as_json, lines)
    if not report["counts_balance"]:
        raise CountsError(
            f"Counts do not add up: {c['read']} records were read, but {c['scored'] + c['quarantined'] + c['duplicates'] + c['skipped']} "
            f"are accounted for ({c['scored']} scored, {c['quarantined']} quarantined, {c['duplicates']} duplicates, {c['skipped']} skipped).",
            f"This is a fault in Waspada, not in the data: the outputs in {out_dir} are incomplete; keep the inputs and its report.json and report it.")
    check_run_problems(report, out_dir)


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
        more = f" (and {len(problems) - 1} more files; see report.json file_notes)" if len(problems) > 1 else ""
        raise InputError(f"{first['note']}{more}.", f"{first['hint']} Then run again with --force.")
    c = report["counts"]
    if c["read"] and not c[done]:
        reasons = report.get("quarantine_reasons", {})
        top = max(reasons, key=reasons.get) if reasons else "skipped as not posts"
        raise InputError(f"Nothing was {done}: all {c['read']} records were quarantined or skipped (most often: {top}).",
                         f"Read the reasons in {out_dir / 'quarantine.csv'}, fix the input or the options they name, and run again with --force.")


@main.command("evaluate", context_settings=CONTEXT)
@click.option("--data", "data_path", type=click.Path(path_type=Path), required=True, help="Labeled file or folder (text, label[, kind]).")
@click.option("--model", "model_dir", type=click.Path(path_type=Path), default=None, help="Model bundle [default: current].")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None, help="Write metrics.json and report.html here.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None, callback=_finite_threshold)
@click.option("--jobs", type=click.IntRange(1), default=1)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True, help="Language of report.html.")
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
    _setup(quiet, as_json)
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

    lines = [f"{m['n']} posts ({m['positives']} recruitment) with model {m['model_id']} at threshold {m['threshold']:.3f}:",
             f"  PR-AUC {f(m['pr_auc'])}  precision {f(m['precision'])}  recall {f(m['recall'])}  recall@P0.9 {f(m['recall_at_precision_0_90'])}",
             f"  false positives on awareness/news {f(m.get('awareness_news_fpr'))}, on all hard negatives {f(m.get('hard_negative_fpr'))}"]
    if result.report_path:
        lines.append(f"Report: {result.report_path}")
    emit({k: v for k, v in m.items() if not k.startswith("top_")}, as_json, lines)


@main.command("explain", context_settings=CONTEXT)
@click.argument("text", required=False)
@click.option("--file", "file_path", type=click.Path(path_type=Path, allow_dash=True), default=None,
              help="A .jsonl file of posts (one {\"text\": ..., \"post_id\": ...} per line), explained in one run; "
                   "any other file (or '-' for stdin) is one post.")
@click.option("--model", "model_dir", type=click.Path(path_type=Path), default=None)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (JSON Lines, one post a line, with a .jsonl --file).")
@handle_errors
def explain_cli(text, file_path, model_dir, lang, as_json):
    """Score posts and show why: red flags, strong terms, entities, counter-signals.

    The model is loaded once per run: explain many posts with a .jsonl --file rather than one
    command per post.

    \b
    Example:
      waspada explain "Dicari admin K4mboja gaji 15jt, tiket ditanggung, WA 0812..."
      waspada explain --file posts.jsonl --json > explained.jsonl
    """
    from pipeline.errors import InputError
    from pipeline.modeling.explain_posts import explain_posts, read_posts_jsonl, scorer_for

    many = file_path is not None and str(file_path) != "-" and file_path.suffix.lower() == ".jsonl"
    handle = None
    if file_path is not None:
        try:
            handle = click.open_file(str(file_path), encoding="utf-8-sig", errors="replace")
        except OSError as exc:
            raise InputError(f"Cannot read {file_path} ({exc.strerror}).", "Check the path passed to --file.") from exc
    if not many:
        if handle is not None:
            with handle:
                text = handle.read()
        if not text or not text.strip():
            raise InputError("No post text given.", 'Pass the text in quotes, e.g. waspada explain "Dicari CS ...", or use --file.')
    scorer = scorer_for(model_dir, settings.models_dir(), lang)
    if many:
        with handle:
            _explain_many(explain_posts(scorer, read_posts_jsonl(handle), lang), scorer.threshold, lang, as_json, file_path)
        return
    payload = next(explain_posts(scorer, [_one_post(text)], lang))
    payload = {k: v for k, v in payload.items() if k not in ("line", "post_id")}
    emit(payload, as_json, _explain_lines(payload, scorer.threshold, lang))


def _one_post(text: str):
    from pipeline.modeling.explain_posts import PostLine

    return PostLine(1, "1", text)


def _explain_lines(payload: dict, threshold: float, lang: str) -> list[str]:
    flagged = payload["flagged"]
    if lang == "id":
        verdict = "DITANDAI untuk ditinjau" if flagged else "tidak ditandai"
        lines = [f"Skor {payload['score']:.3f} ({verdict}; ambang {threshold:.3f}); kategori: {payload['category']}"]
    else:
        verdict = "FLAGGED for review" if flagged else "not flagged"
        lines = [f"Score {payload['score']:.3f} ({verdict}; threshold {threshold:.3f}); category: {payload['category']}"]
    return lines + ([f"  - {reason}" for reason in payload["reasons"]]
                    or ["  (tidak ada alasan menonjol)" if lang == "id" else "  (no notable reasons)"])


def _explain_many(results, threshold: float, lang: str, as_json: bool, file_path: Path) -> None:
    explained = problems = 0
    for result in results:
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        elif "error" in result:
            click.echo(f"[{result['post_id']}] line {result['line']}: {result['error']}")
        else:
            click.echo(f"[{result['post_id']}] " + "\n".join(_explain_lines(result, threshold, lang)))
        problems += "error" in result
        explained += "error" not in result
    if problems:
        click.echo(f"Note: {problems} lines of {file_path} could not be explained (see their error).", err=True)
    if not explained:
        raise InputError(f"No post in {file_path} could be explained.",
                         'Write one JSON object per line with a "text" field, e.g. {"post_id": "a1", "text": "Dicari CS ..."}.')


@main.command("rules", context_settings=CONTEXT)
@click.option("--labeled", "labeled_path", type=click.Path(path_type=Path), default=None, help="Labeled data to measure on [default: data/labeled].")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--markdown", is_flag=True, help="Print the registry as the README's Markdown table (no measuring).")
@quiet_option
@handle_errors
def rules_cli(labeled_path, lang, markdown, quiet, as_json):
    """List every indicator with its legal basis and its numbers on labeled data.

    Per indicator: fires on recruitment (pos) and benign posts (neg), precision, benign fire rate,
    and how often its cue was found only under negation (neg'd) and so did not fire.

    \b
    Example:
      waspada rules --lang en
      waspada rules --markdown > table.md
    """
    _setup(quiet, as_json)
    from pipeline.rules_report import measure, registry_markdown

    if markdown:
        click.echo(registry_markdown(), nl=False)
        return
    report = measure(labeled_path or settings.labeled_dir())
    law_word = "dasar hukum" if lang == "id" else "legal basis"
    header = f"{'indicator':26s} {'kind':9s} {'fires':>5s} {'pos':>5s} {'neg':>5s} {'precision':>9s} {'benign fire':>11s} {'neg’d':>5s}"
    lines = [header + "  description"]
    for row in report.rows:
        desc = row["description_id"] if lang == "id" else row["description_en"]
        precision = "–" if row["precision"] is None else f"{row['precision']:.2f}"
        lines.append(f"{row['name']:26s} {row['kind']:9s} {row['fires']:5d} {row['fires_positive']:5d} {row['fires_benign']:5d} "
                     f"{precision:>9s} {row['benign_fire_rate']:11.3f} {row['negated']:5d}  {desc}")
        laws = row["laws_id"] if lang == "id" else row["laws_en"]
        if laws:
            lines.append(f"{'':26s} {law_word}: " + "; ".join(laws))
    share = f"{report.positives_with_counter}/{report.n_positive} ({report.positive_counter_rate:.1%})"
    lines.append(("Unggahan rekrutmen dengan penyeimbang: " if lang == "id" else "Recruitment posts with a counter-signal: ")
                 + share)
    emit(report.rows, as_json, lines)


@main.command("demo", context_settings=CONTEXT)
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("runs/demo"), show_default=True)
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
    _setup(quiet, as_json)
    import os

    from pipeline.ingest import IngestOptions
    from pipeline.modeling.artifacts import CURRENT_FILE, resolve_model
    from pipeline.modeling.train import TrainConfig, train
    from pipeline.scoring import ScoreOptions, score_collection

    models_dir = settings.models_dir()
    if retrain or not (models_dir / CURRENT_FILE).is_file():
        click.echo("Training on data/labeled/ ...", err=True)
        train(settings.labeled_dir(), models_dir, TrainConfig(jobs=os.cpu_count() or 1, baselines=False), promote=True, force=True)
    bundle = resolve_model(None, models_dir)
    report = score_collection([settings.raw_dir()], out_dir, bundle, IngestOptions(), ScoreOptions(jobs=os.cpu_count() or 1, force=True))
    c = report["counts"]
    import pandas as pd

    queue = pd.read_csv(out_dir / "review_queue.csv", encoding="utf-8-sig", keep_default_na=False)
    lines = [f"Waspada demo with model {report['model_id']} (threshold {report['threshold']:.3f})",
             (f"Read {c['read']} records: {c['scored']} scored, {c['flagged']} flagged, {c['quarantined']} quarantined, "
             f"{c['duplicates']} duplicates, {c['skipped']} skipped."),
             f"Review queue: {out_dir / 'review_queue.xlsx'} (for Excel; review_queue.csv for programs)", "Top of the queue:"]
    for _, row in queue.head(3).iterrows():
        lines.append(f"  [{row['score']:.2f} {row['category']}] {row['text'][:90]!s}…")
        lines.append(f"      {row['reasons'][:160]}")
    from pipeline.history.demo import run_demo_history

    click.echo("Scoring the collection again as three weekly collections for the run history ...", err=True)
    history = run_demo_history(settings.raw_dir(), out_dir, bundle, jobs=os.cpu_count() or 1)
    counts = history.summary["counts"]
    report["history"] = {"runs": history.runs, "trends": str(history.trends_html), "summary": history.summary}
    lines += [(f"Run history: {len(history.runs)} weekly runs recorded ({out_dir}/week-1..3); in week 3: "
              f"{counts['new_contacts']} new contacts, {counts['new_templates']} new templates, "
              f"{counts['spreading_templates']} spreading templates, {counts['networks']} networks."),
              f"Trends: {history.trends_html}   (again: waspada trends --out runs/trends; on the desk: waspada review serve → Tren)"]
    emit(report, as_json, lines)


@main.group("models", context_settings=CONTEXT)
def models_group() -> None:
    """List the trained model bundles and choose the current one.

    \b
    Example:
      waspada models list
      waspada models promote waspada-49349ef9-1a2b3c4d-5e6f70
    """


@models_group.command("list", context_settings=CONTEXT)
@click.option("--models-dir", type=click.Path(path_type=Path), default=None, help="Where model bundles are [default: models].")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts).")
@handle_errors
def models_list_cli(models_dir, as_json):
    """Every model bundle, newest first: the current one marked with *, and each one checked
    (file hash and allowed types) so a bundle that would be refused says why.

    \b
    Example:
      waspada models list
    """
    from pipeline.modeling.artifacts import list_bundles

    models_dir = models_dir or settings.models_dir()
    rows = list_bundles(models_dir)
    if not rows and not as_json:
        raise InputError(f"No model bundles in {models_dir}.", "Train one with `waspada train --promote`, or pass --models-dir.")
    lines = []
    for row in rows:
        state = f"refused: {row['problem']}" if row["problem"] else f"{row['selected']}, threshold {row['threshold']:.3f}"
        lines.append(f"{'*' if row['current'] else ' '} {row['model_id']}  {row['saved']}  {state}")
    emit(rows, as_json, lines)


@models_group.command("promote", context_settings=CONTEXT)
@click.argument("model_id")
@click.option("--models-dir", type=click.Path(path_type=Path), default=None, help="Where model bundles are [default: models].")
@handle_errors
def models_promote_cli(model_id, models_dir):
    """Make an existing model bundle the current one, after checking it as scoring would.

    \b
    Example:
      waspada models promote waspada-49349ef9-1a2b3c4d-5e6f70
    """
    from pipeline.modeling.artifacts import promote

    path = promote(models_dir or settings.models_dir(), model_id)
    click.echo(f"Model {model_id} is now the current model ({path}).")


def _register_review_commands() -> None:
    """The review and history commands live with their packages; imported last to avoid an import cycle."""
    from pipeline.history.cli import history_group, trends_cli
    from pipeline.review.cli import review_group, suggest_cli

    main.add_command(review_group)
    main.add_command(suggest_cli)
    main.add_command(trends_cli)
    main.add_command(history_group)


_register_review_commands()
