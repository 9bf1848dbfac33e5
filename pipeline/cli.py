"""The `waspada` command line: one thin wrapper per stage over importable functions.

Exit codes: 0 success, 1 a failure Waspada explains (with a hint), 2 a usage error.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from pathlib import Path

import click

from pipeline import __version__, progress, settings
from pipeline.errors import InputError, WaspadaError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def handle_errors(func):
    """Show a WaspadaError as a short message plus the fix, and exit 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except WaspadaError as exc:
            click.secho(f"Error: {exc.message}", fg="red", err=True)
            if exc.hint:
                click.echo(f"  Hint: {exc.hint}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted. Finished chunks are kept; re-run with --resume to continue.", err=True)
            sys.exit(130)

    return wrapper


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
@click.option("--threshold", type=click.FloatRange(0, 1), default=None, help="Flag at this score instead of the model's threshold.")
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
        f"Review queue: {out_dir / 'review_queue.csv'} ({c['in_review_queue']} posts)",
        f"All scores:   {out_dir / 'scored.csv'}",
        f"Quarantine:   {out_dir / 'quarantine.csv'}",
    ]
    if "review_store" in report:
        lines.append(f"Review store: {report['review_store']['added']} new, {report['review_store']['updated']} updated posts.")
    if "history" in report:
        lines.append(f"History: run {report['history']['run_id']} ({report['history']['new_posts']} new flagged posts); "
                     "`waspada trends` shows what changed.")
    emit(report, as_json, lines)
    if not report["counts_balance"]:
        sys.exit(1)


@main.command("evaluate", context_settings=CONTEXT)
@click.option("--data", "data_path", type=click.Path(path_type=Path), required=True, help="Labeled file or folder (text, label[, kind]).")
@click.option("--model", "model_dir", type=click.Path(path_type=Path), default=None, help="Model bundle [default: current].")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None, help="Write metrics.json and report.html here.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None)
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
@click.option("--file", "file_path", type=click.File(encoding="utf-8"), default=None, help="Read the post from a file ('-' for stdin).")
@click.option("--model", "model_dir", type=click.Path(path_type=Path), default=None)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@handle_errors
def explain_cli(text, file_path, model_dir, lang, as_json):
    """Score one post and show why: red flags, strong terms, entities, counter-signals.

    \b
    Example:
      waspada explain "Dicari admin K4mboja gaji 15jt, tiket ditanggung, WA 0812..."
    """
    from pipeline.errors import InputError
    from pipeline.modeling.artifacts import resolve_model
    from pipeline.modeling.predict import Scorer, explanation_json

    if file_path is not None:
        text = file_path.read()
    if not text or not text.strip():
        raise InputError("No post text given.", 'Pass the text in quotes, e.g. waspada explain "Dicari CS ...", or use --file.')
    scorer = Scorer(resolve_model(model_dir, settings.models_dir()), lang=lang)
    scored = scorer.score_text(text)
    payload = explanation_json(scored, lang)
    verdict = {"id": ("DITANDAI untuk ditinjau" if scored.flagged else "tidak ditandai"),
               "en": ("FLAGGED for review" if scored.flagged else "not flagged")}[lang]
    lines = [f"Skor {scored.score:.3f} ({verdict}; ambang {scorer.threshold:.3f}); kategori: {scored.category}" if lang == "id"
             else f"Score {scored.score:.3f} ({verdict}; threshold {scorer.threshold:.3f}); category: {scored.category}"]
    from pipeline.review.reasons import readable

    # People read these lines: the evidence as the post wrote it, no internal placeholder tokens.
    shown = readable(text, "; ".join(scored.reasons(lang)), lang, " ".join(scored.explanation.contacts), ",".join(scored.explanation.destinations))
    lines += [f"  - {reason}" for reason in shown.split("; ") if reason] or ["  (tidak ada alasan menonjol)" if lang == "id" else "  (no notable reasons)"]
    emit(payload, as_json, lines)


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
             f"Review queue: {out_dir / 'review_queue.csv'}", "Top of the queue:"]
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


def _register_review_commands() -> None:
    """The review and history commands live with their packages; imported last to avoid an import cycle."""
    from pipeline.history.cli import history_group, trends_cli
    from pipeline.review.cli import review_group, suggest_cli

    main.add_command(review_group)
    main.add_command(suggest_cli)
    main.add_command(trends_cli)
    main.add_command(history_group)


_register_review_commands()
