"""`waspada demo`: the whole path on the bundled data, from training to the trends report."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipeline import settings
from pipeline.history.demo import DemoHistory

Step = Literal["train", "history"]


@dataclass
class DemoRun:
    """The demo's scoring report, the top of its review queue, and the weekly history runs."""

    report: dict
    top: list[dict]
    history: DemoHistory


def run_demo(
    out_dir: Path,
    retrain: bool = False,
    jobs: int | None = None,
    on_step: Callable[[Step], None] | None = None,
) -> DemoRun:
    """Train on data/labeled (when asked, or when there is no current model), score data/raw into
    ``out_dir``, then score it again as three weekly collections recorded in the run history.

    ``on_step`` is told before each long step starts: "train" and "history".
    """
    import pandas as pd

    from pipeline.history.demo import run_demo_history
    from pipeline.ingest import IngestOptions
    from pipeline.modeling.artifacts import CURRENT_FILE, resolve_model
    from pipeline.modeling.train import TrainConfig, train
    from pipeline.scoring import ScoreOptions, score_collection

    jobs = jobs or os.cpu_count() or 1
    models_dir = settings.models_dir()
    if retrain or not (models_dir / CURRENT_FILE).is_file():
        if on_step:
            on_step("train")
        train(
            settings.labeled_dir(),
            models_dir,
            TrainConfig(jobs=jobs, baselines=False),
            promote=True,
            force=True,
        )
    bundle = resolve_model(None, models_dir)
    report = score_collection(
        [settings.raw_dir()], out_dir, bundle, IngestOptions(), ScoreOptions(jobs=jobs, force=True)
    )
    queue = pd.read_csv(
        Path(out_dir) / "review_queue.csv", encoding="utf-8-sig", keep_default_na=False
    )
    top = queue.head(3).to_dict("records")
    if on_step:
        on_step("history")
    history = run_demo_history(settings.raw_dir(), out_dir, bundle, jobs=jobs)
    report["history"] = {
        "runs": history.runs,
        "trends": str(history.trends_html),
        "summary": history.summary,
    }
    return DemoRun(report, top, history)
