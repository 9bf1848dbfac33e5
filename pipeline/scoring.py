"""The batch job: stream collected posts through the model and write the outputs atomically.

Input is read in chunks of records; each finished chunk is saved as a part file, so memory does
not grow with the collection and ``--resume`` continues after the last finished chunk. Final
outputs (scored.csv, review_queue.csv, quarantine.csv, duplicates.csv, report.json) are written
only at the end, each through a temporary file and a rename.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import shutil
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import dedup, progress, schema
from pipeline.errors import InputError, OutputExistsError
from pipeline.fileio import atomic_path, write_csv, write_json
from pipeline.ingest.core import IngestOptions, Outcome, exact_key, expand_paths, iter_outcomes, quarantine_row
from pipeline.modeling.artifacts import Bundle
from pipeline.modeling.predict import Scorer
from pipeline.parallel import analyse_parallel

PARTS_DIR = ".parts"
STATE_FILE = "state.json"
OUTPUT_FILES = ("scored.csv", "review_queue.csv", "quarantine.csv", "duplicates.csv", "skipped.csv", "report.json")
NUM_PERM = 32
BANDS = 8


@dataclass
class ScoreOptions:
    threshold: float | None = None
    jobs: int = 1
    chunk_size: int = 5000
    lang: str = "id"
    queue_limit: int = 20_000
    resume: bool = False
    force: bool = False


@dataclass
class _Totals:
    read: int = 0
    scored: int = 0
    flagged: int = 0
    quarantined: int = 0
    duplicates: int = 0
    skipped: int = 0
    reasons: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)
    seconds: Counter = field(default_factory=Counter)


def _stable_key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(exact_key(text).encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def _chunks(outcomes: Iterator[Outcome], size: int) -> Iterator[list[Outcome]]:
    while True:
        chunk = list(islice(outcomes, size))
        if not chunk:
            return
        yield chunk


def _input_fingerprint(files: Sequence[Path], bundle: Bundle, options: ScoreOptions, ingest_options: IngestOptions) -> str:
    digest = hashlib.sha256()
    for path in files:
        stat = path.stat()
        digest.update(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    digest.update(f"{bundle.model_id}|{options.chunk_size}|{options.threshold}|{ingest_options}".encode())
    return digest.hexdigest()


class _SeenTexts:
    """Stable 64-bit keys of texts already scored, and the post id that first had each."""

    def __init__(self) -> None:
        self.first_id: dict[int, str] = {}
        self.ids: set[str] = set()

    def add(self, key: int, post_id: str) -> None:
        self.first_id[key] = post_id
        self.ids.add(post_id)


def score_collection(
    paths: Sequence[Path], out_dir: Path, bundle: Bundle, ingest_options: IngestOptions, options: ScoreOptions
) -> dict:
    started = time.perf_counter()
    out_dir = Path(out_dir)
    files = expand_paths(paths)
    parts = out_dir / PARTS_DIR
    existing = [name for name in OUTPUT_FILES if (out_dir / name).exists()]
    if existing and not (options.force or options.resume):
        raise OutputExistsError(f"{out_dir} already holds outputs ({', '.join(existing)}).", "Pass --force to overwrite, or choose another --out.")
    fingerprint = _input_fingerprint(files, bundle, options, ingest_options)
    state = _load_state(parts) if options.resume else None
    if state and state["fingerprint"] != fingerprint:
        raise InputError("--resume was asked for, but the inputs, model or settings changed since the interrupted run.",
                         "Re-run without --resume (add --force) to start over.")
    if not state:
        shutil.rmtree(parts, ignore_errors=True)
        state = {"fingerprint": fingerprint, "completed": 0}
    parts.mkdir(parents=True, exist_ok=True)

    scorer = Scorer(bundle, options.threshold, options.lang)
    hasher = dedup.MinHasher(num_perm=NUM_PERM)
    seen = _SeenTexts()
    totals = _Totals()
    for index in range(state["completed"]):
        _replay_part(parts, index, seen, totals)

    outcomes = iter_outcomes(files, ingest_options)
    for index, chunk in enumerate(progress.track(_chunks(outcomes, options.chunk_size), "Scoring", unit="chunk")):
        if index < state["completed"]:
            continue
        _score_chunk(index, chunk, parts, scorer, hasher, seen, totals, options)
        state["completed"] = index + 1
        _save_state(parts, state)

    report = _finish(out_dir, parts, scorer, totals, options)
    report["files"] = [str(f) for f in files]
    report["seconds"]["total"] = round(time.perf_counter() - started, 3)
    write_json(out_dir / "report.json", report)
    shutil.rmtree(parts, ignore_errors=True)
    return report


def _load_state(parts: Path) -> dict | None:
    path = parts / STATE_FILE
    return json.loads(path.read_text()) if path.is_file() else None


def _save_state(parts: Path, state: dict) -> None:
    write_json(parts / STATE_FILE, state)


def _part_path(parts: Path, index: int, kind: str) -> Path:
    return parts / f"{kind}-{index:06d}.parquet"


def _write_part(path: Path, rows: list[dict], columns: Sequence[str]) -> None:
    frame = pd.DataFrame(rows, columns=list(columns))
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)


def _score_chunk(index: int, chunk: list[Outcome], parts: Path, scorer: Scorer, hasher: dedup.MinHasher,
                 seen: _SeenTexts, totals: _Totals, options: ScoreOptions) -> None:
    t0 = time.perf_counter()
    posts, keys, side = [], [], {"quarantine": [], "duplicates": [], "skipped": []}
    for outcome in chunk:
        totals.read += 1
        if outcome.status == "skipped":
            side["skipped"].append({"source_file": outcome.record.source_file, "source_record": outcome.record.source_record, "reason": outcome.reason})
            continue
        if outcome.status == "quarantined":
            side["quarantine"].append(quarantine_row(outcome))
            continue
        key = _stable_key(outcome.post["text"])
        if key in seen.first_id:
            side["duplicates"].append({"post_id": outcome.post["post_id"], "duplicate_of": seen.first_id[key],
                                       "source_file": outcome.record.source_file, "source_record": outcome.record.source_record})
            continue
        if outcome.post["post_id"] in seen.ids:
            side["quarantine"].append(quarantine_row(outcome, f"post_id {outcome.post['post_id']} already used by a different post (pass --id-column or fix the ids)"))
            continue
        seen.add(key, outcome.post["post_id"])
        posts.append(outcome.post)
        keys.append(key)
    totals.seconds["read"] += time.perf_counter() - t0

    t1 = time.perf_counter()
    analyses = analyse_parallel([p["text"] for p in posts], jobs=options.jobs, description=f"Chunk {index + 1}")
    totals.seconds["normalise_and_indicators"] += time.perf_counter() - t1
    t2 = time.perf_counter()
    scored = scorer.score_analyses(analyses)
    totals.seconds["vectorise_and_model"] += time.perf_counter() - t2
    t3 = time.perf_counter()
    rows = []
    for post, key, result in zip(posts, keys, scored):
        row = scorer.output_row(post, result)
        row["text_key"] = key
        row["signature"] = hasher.signature(dedup.shingles(result.analysis.normalized.text)).tobytes()
        rows.append(row)
    _write_part(_part_path(parts, index, "scored"), rows, list(schema.SCORED_COLUMNS[:-2]) + ["collected_at", "text_key", "signature"])
    _write_part(_part_path(parts, index, "quarantine"), side["quarantine"], schema.QUARANTINE_COLUMNS)
    _write_part(_part_path(parts, index, "duplicates"), side["duplicates"], schema.DUPLICATE_COLUMNS)
    _write_part(_part_path(parts, index, "skipped"), side["skipped"], schema.SKIPPED_COLUMNS)
    totals.seconds["write"] += time.perf_counter() - t3
    _tally(totals, rows, side)


def _tally(totals: _Totals, rows: list[dict], side: dict) -> None:
    totals.scored += len(rows)
    totals.flagged += sum(1 for r in rows if r["flagged"])
    totals.categories.update(r["category"] for r in rows)
    totals.quarantined += len(side["quarantine"])
    totals.duplicates += len(side["duplicates"])
    totals.skipped += len(side["skipped"])
    totals.reasons.update(str(q["reason"]).split(" (")[0] for q in side["quarantine"])


def _replay_part(parts: Path, index: int, seen: _SeenTexts, totals: _Totals) -> None:
    """Rebuild the running state from a chunk finished before an interruption."""
    scored = pd.read_parquet(_part_path(parts, index, "scored"), columns=["post_id", "text_key", "flagged", "category"])
    for key, post_id in zip(scored["text_key"], scored["post_id"]):
        seen.add(int(key), str(post_id))
    side = {kind: pd.read_parquet(_part_path(parts, index, kind)).to_dict("records") for kind in ("quarantine", "duplicates", "skipped")}
    totals.read += len(scored) + sum(len(v) for v in side.values())
    _tally(totals, scored.to_dict("records"), side)


def _part_files(parts: Path, kind: str) -> list[Path]:
    return sorted(parts.glob(f"{kind}-*.parquet"))


def _finish(out_dir: Path, parts: Path, scorer: Scorer, totals: _Totals, options: ScoreOptions) -> dict:
    t0 = time.perf_counter()
    scored_parts = _part_files(parts, "scored")
    signatures, post_ids = [], []
    for path in scored_parts:
        frame = pd.read_parquet(path, columns=["post_id", "signature"])
        post_ids.extend(frame["post_id"].astype(str))
        signatures.append(np.frombuffer(b"".join(frame["signature"]), dtype=np.uint32).reshape(len(frame), NUM_PERM) if len(frame) else np.zeros((0, NUM_PERM), np.uint32))
    all_signatures = np.concatenate(signatures) if signatures else np.zeros((0, NUM_PERM), np.uint32)
    roots = dedup.cluster_signatures(all_signatures, bands=BANDS) if len(all_signatures) else np.zeros(0, np.int64)
    del all_signatures, signatures
    cluster_names, cluster_sizes = dedup.cluster_ids(roots, post_ids) if len(roots) else ([], [])
    del post_ids, roots
    totals.seconds["cluster"] += time.perf_counter() - t0

    t1 = time.perf_counter()
    queue: list[tuple[float, int, dict]] = []
    position = 0

    def scored_rows() -> Iterator[dict]:
        nonlocal position
        for path in scored_parts:
            frame = pd.read_parquet(path).drop(columns=["text_key", "signature"])
            frame = frame.astype({"flagged": bool})
            for row in frame.to_dict("records"):
                row["cluster_id"], row["cluster_size"] = cluster_names[position], cluster_sizes[position]
                position += 1
                if row["flagged"]:
                    item = (row["score"], -position, row)
                    if len(queue) < options.queue_limit:
                        heapq.heappush(queue, item)
                    else:
                        heapq.heappushpop(queue, item)
                yield row

    write_csv(out_dir / "scored.csv", scored_rows(), schema.SCORED_COLUMNS)
    ordered = [item[2] for item in sorted(queue, key=lambda item: (-item[0], -item[1]))]
    write_csv(out_dir / "review_queue.csv", ordered, schema.SCORED_COLUMNS)
    for kind, columns, name in (("quarantine", schema.QUARANTINE_COLUMNS, "quarantine.csv"),
                                ("duplicates", schema.DUPLICATE_COLUMNS, "duplicates.csv"),
                                ("skipped", schema.SKIPPED_COLUMNS, "skipped.csv")):
        write_csv(out_dir / name, (row for path in _part_files(parts, kind) for row in pd.read_parquet(path).to_dict("records")), columns)
    totals.seconds["write"] += time.perf_counter() - t1

    balanced = totals.read == totals.scored + totals.quarantined + totals.duplicates + totals.skipped
    return {
        "model_id": scorer.bundle.model_id,
        "threshold": scorer.threshold,
        "counts": {
            "read": totals.read,
            "scored": totals.scored,
            "flagged": totals.flagged,
            "quarantined": totals.quarantined,
            "duplicates": totals.duplicates,
            "skipped": totals.skipped,
            "in_review_queue": len(ordered),
        },
        "counts_balance": balanced,
        "balance_rule": "read = scored + quarantined + duplicates + skipped",
        "categories": dict(totals.categories),
        "quarantine_reasons": dict(totals.reasons),
        "review_queue_truncated": totals.flagged > len(ordered),
        "seconds": {k: round(v, 3) for k, v in totals.seconds.items()},
        "outputs": {name: str(out_dir / name) for name in OUTPUT_FILES},
    }
