"""`waspada score`: score a collection with either engine, then record the run in the history and
load the review queue into the review store when asked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipeline import settings
from pipeline.errors import InputError
from pipeline.ingest.core import IngestOptions
from pipeline.modeling.artifacts import Bundle
from pipeline.scoring import ScoreOptions, score_collection


@dataclass
class ScoreRun:
    """A finished run: its report (as in report.json), and what the history and the review store
    said about it (None when the run was not recorded or not loaded)."""

    report: dict
    history: dict | None = None
    review_store: dict | None = None

    @property
    def balanced(self) -> bool:
        return bool(self.report["counts_balance"])

    def summary(self) -> dict:
        """The report with the history's and the review store's answers, as ``--json`` prints it."""
        summary = dict(self.report)
        if self.history is not None:
            summary["history"] = self.history
        if self.review_store is not None:
            summary["review_store"] = self.review_store
        return summary


def check_threshold_options(threshold: float | None, operating_point: str | None) -> None:
    if threshold is not None and operating_point is not None:
        raise InputError(
            "--threshold and --operating-point both set the threshold.", "Pass only one of them."
        )


def run_score(
    paths: Sequence[Path],
    out_dir: Path,
    bundle: Bundle,
    ingest_options: IngestOptions,
    options: ScoreOptions,
    engine: Literal["local", "dask"] = "local",
    scheduler: str | None = None,
    record_history: bool = True,
    history_db: str | None = None,
    to_review: bool = False,
    review_db: str | None = None,
) -> ScoreRun:
    """Score ``paths`` into ``out_dir``; a run whose counts add up is recorded in the run history
    (unless ``record_history`` is false), and its queue loaded into the review store with ``to_review``."""
    check_threshold_options(options.threshold, options.operating_point)
    if engine == "dask":
        from pipeline.distributed import score_with_dask

        report = score_with_dask(paths, out_dir, bundle, ingest_options, options, scheduler)
    else:
        report = score_collection(paths, out_dir, bundle, ingest_options, options)
    run = ScoreRun(report)
    if record_history and run.balanced:
        from pipeline.history.store import HistoryStore

        history = HistoryStore(history_db or settings.history_db_url())
        try:
            run.history = history.record_run(out_dir).as_dict()
        finally:
            history.close()
    if to_review:
        from pipeline.review.store import ReviewStore

        store = ReviewStore(review_db or settings.review_db_url())
        run.review_store = store.load_queue(
            Path(out_dir) / "review_queue.csv", model_id=bundle.model_id
        )
    return run
