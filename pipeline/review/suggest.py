"""Pick the unlabeled posts whose labels would teach the model most, and queue them for review.

Uncertainty sampling with diversity: a post scored near the model's threshold is one the model
cannot call, so a person's label moves the boundary most there. Near-duplicates teach the same
thing, so at most one post per repost cluster is picked first, and a candidate's worth halves with
each earlier pick showing the same red flags, so one kind of post does not fill the batch.
"""

from __future__ import annotations

import logging
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.errors import InputError
from pipeline.modeling.artifacts import Bundle
from pipeline.review.store import ReviewStore

log = logging.getLogger(__name__)

POOL_FACTOR = 5
REPEAT_DISCOUNT = 0.5


@dataclass
class SuggestResult:
    candidates: int
    already_labeled: int
    already_in_store: int
    picked: list[dict]
    store: dict

    def summary(self) -> dict:
        scores = [p["score"] for p in self.picked]
        return {
            "candidates": self.candidates,
            "already_labeled": self.already_labeled,
            "already_in_store": self.already_in_store,
            "picked": len(self.picked),
            "clusters": len({p["cluster_id"] for p in self.picked}),
            "score_min": min(scores) if scores else None,
            "score_max": max(scores) if scores else None,
            "review_store": self.store,
        }


def uncertainty(score: float, threshold: float) -> float:
    """1 at the threshold, falling to 0 at a score of 0 or 1 (each side scaled by its own length)."""
    score = float(score)
    span = threshold if score < threshold else 1.0 - threshold
    if span <= 0:
        return 0.0
    return 1.0 - min(1.0, abs(score - threshold) / span)


def is_scored_table(path: Path) -> bool:
    if path.suffix.lower() != ".csv" or not path.is_file():
        return False
    header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
    return {"post_id", "text", "score"} <= set(header)


def candidate_rows(paths: Sequence[Path], bundle: Bundle, jobs: int = 1) -> list[dict]:
    """Posts scored by the current model: a scored.csv is re-scored, raw inputs are scored whole."""
    from pipeline.modeling.predict import Scorer

    scorer = Scorer(bundle)
    tables: list[Path] = []
    raw: list[Path] = []
    for path in paths:
        (tables if is_scored_table(Path(path)) else raw).append(Path(path))
    rows: list[dict] = []
    for table in tables:
        frame = pd.read_csv(table, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        posts = frame.to_dict("records")
        # The scores in the file may come from an older model; uncertainty must be the current model's.
        for post, scored in zip(
            posts, scorer.score_texts([p["text"] for p in posts], jobs=jobs), strict=True
        ):
            rows.append(scorer.output_row(post, scored))
    if raw:
        from pipeline.ingest.core import IngestOptions
        from pipeline.scoring import ScoreOptions, score_collection

        with tempfile.TemporaryDirectory(prefix="waspada-suggest-") as tmp:
            score_collection(
                raw, Path(tmp), bundle, IngestOptions(), ScoreOptions(jobs=jobs, force=True)
            )
            frame = pd.read_csv(
                Path(tmp) / "scored.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
            )
        rows += frame.to_dict("records")
    for row in rows:
        row["score"] = float(row["score"])
        row["cluster_id"] = row.get("cluster_id") or f"c_{row['post_id']}"
    return rows


def pick(rows: list[dict], n: int, threshold: float) -> list[dict]:
    """Up to ``n`` rows: most uncertain first, one per cluster, mixing red-flag combinations."""
    ranked = sorted(rows, key=lambda r: (-uncertainty(r["score"], threshold), str(r["post_id"])))
    firsts: list[dict] = []
    rest: list[dict] = []
    seen: set[str] = set()
    for row in ranked:
        (rest if row["cluster_id"] in seen else firsts).append(row)
        seen.add(row["cluster_id"])
    pool = [(uncertainty(r["score"], threshold), r) for r in firsts[: n * POOL_FACTOR]]
    used: Counter[str] = Counter()
    picked: list[dict] = []
    while len(picked) < n and pool:
        # Each earlier pick with the same red flags halves a candidate's worth: uncertain first, but varied.
        best = max(
            range(len(pool)),
            key=lambda i: (pool[i][0] * REPEAT_DISCOUNT ** used[_signature(pool[i][1])], -i),
        )
        _, row = pool.pop(best)
        used[_signature(row)] += 1
        picked.append(row)
    if len(picked) < n:
        chosen = {r["post_id"] for r in picked}
        picked += [r for r in firsts + rest if r["post_id"] not in chosen][: n - len(picked)]
    return sorted(picked, key=lambda r: -uncertainty(r["score"], threshold))


def _signature(row: dict) -> str:
    return row.get("indicators", "") or "-"


def suggest(
    store: ReviewStore,
    paths: Sequence[Path],
    bundle: Bundle,
    n: int = 200,
    labeled_dir: Path | None = None,
    jobs: int = 1,
    dry_run: bool = False,
) -> SuggestResult:
    """Score ``paths`` with ``bundle``, pick ``n`` posts worth labeling, add them to the review queue."""
    if n < 1:
        raise InputError("--n must be at least 1.", "Pass e.g. --n 200.")
    rows = candidate_rows(paths, bundle, jobs)
    if not rows:
        raise InputError(
            "No posts to choose from in the given inputs.",
            "Pass a scored.csv from `waspada score` or a folder of collected posts.",
        )
    labeled_texts: set[str] = set()
    if labeled_dir is not None and Path(labeled_dir).exists():
        from pipeline.labeled import load_labeled

        try:
            labeled_texts = set(load_labeled(Path(labeled_dir))["text"])
        except InputError as exc:
            log.warning("Labeled data not used to exclude posts: %s", exc.message)
    in_store = set(store.current_map())
    fresh = [r for r in rows if r["text"] not in labeled_texts and r["post_id"] not in in_store]
    already_labeled = sum(1 for r in rows if r["text"] in labeled_texts)
    already_in_store = sum(
        1 for r in rows if r["text"] not in labeled_texts and r["post_id"] in in_store
    )
    picked = pick(fresh, n, bundle.threshold)
    added = (
        {"added": 0, "updated": 0}
        if dry_run
        else store.add_posts(picked, model_id=bundle.model_id, origin="suggest")
    )
    return SuggestResult(len(rows), already_labeled, already_in_store, picked, added)
