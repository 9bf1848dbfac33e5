"""The final outputs of a run, assembled from its parts: scored.csv, the review queue, the side
files and the report.

Each output is written through a temporary file and a rename, so a run killed while assembling
leaves no half-written output. Near-duplicate clusters are decided here, over all of the run's
signatures, and named with :func:`pipeline.dedup.cluster_id_for`.
"""

from __future__ import annotations

import heapq
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import dedup, progress, schema
from pipeline.fileio import write_csv, write_csv_frames, write_xlsx_text
from pipeline.ingest.core import FileNote
from pipeline.modeling.artifacts import Bundle
from pipeline.scoring.options import ScoreOptions, operating_point_of, threshold_of
from pipeline.scoring.parts import (
    AS_WRITTEN,
    PartKind,
    Totals,
    part_files,
    part_index,
    signature_path,
)

OUTPUT_FILES = (
    "scored.csv",
    "review_queue.csv",
    "review_queue.xlsx",
    "quarantine.csv",
    "duplicates.csv",
    "skipped.csv",
    "report.json",
)
STAGES = (
    "read",
    "screen",
    "normalise",
    "indicators",
    "vectorise",
    "model",
    "explain",
    "write",
    "cluster",
)
QUEUE_DIR = "queue"  # the review queue spilled in rank order, under the run's parts
BALANCE_RULE = "read = scored + quarantined + duplicates + skipped"


def finish(
    out_dir: Path,
    parts: Path,
    bundle: Bundle,
    options: ScoreOptions,
    totals: Totals,
    files: list[str],
    notes: list[FileNote],
    engine: dict,
) -> dict:
    """Cluster near-duplicates and stream the parts into the final outputs; returns the report
    (without the total time, which the engine adds before writing report.json)."""
    report = write_outputs(
        out_dir, parts, bundle.model_id, threshold_of(bundle, options), totals, options
    )
    report["screen"] = screen_report(bundle, options, totals)
    report["operating_point"] = operating_point_of(options)
    report["files"] = files
    report["file_notes"] = notes
    report["engine"] = engine
    return report


def write_outputs(
    out_dir: Path,
    parts: Path,
    model_id: str,
    threshold: float,
    totals: Totals,
    options: ScoreOptions,
) -> dict:
    """Write scored.csv, the review queue and the side files; returns the report's counts part."""
    t0 = time.perf_counter()
    scored_parts = part_files(parts, "scored")
    with progress.stage("Clustering near-duplicates"):
        roots = dedup.cluster_parts([signature_path(parts, part_index(p)) for p in scored_parts])
    sizes = np.bincount(roots, minlength=len(roots)) if len(roots) else np.zeros(0, np.int64)
    wanted = np.unique(
        np.concatenate(
            [
                pd.read_parquet(p, columns=["duplicate_of_index"])["duplicate_of_index"].to_numpy(
                    np.int64
                )
                for p in part_files(parts, "duplicates")
            ]
            or [np.zeros(0, np.int64)]
        )
    )
    totals.seconds["cluster"] += time.perf_counter() - t0

    t1 = time.perf_counter()
    # The review queue keeps only (score, order, part, row) for its top-N; the rows themselves are
    # read back from the parts afterwards, so a long queue costs 32 bytes a post, not a full row.
    queue: list[tuple[float, int, int, int]] = []
    root_names: dict[int, str] = {}  # only roots of clusters with more than one post
    # The post ids of the posts that later posts duplicate exactly, in the order of ``wanted``:
    # Arrow strings, a few bytes each, where a dict of them grew by ~150 bytes a post.
    originals: list[pa.Array] = []
    position = 0

    def scored_frames() -> Iterator[pd.DataFrame]:
        nonlocal position
        for part_number, path in enumerate(scored_parts):
            frame = _read_scored(path)
            start, position = position, position + len(frame)
            post_ids = frame["post_id"].astype(str).to_numpy()
            copied = wanted[(wanted >= start) & (wanted < position)]
            originals.append(pa.array(post_ids[copied - start].tolist(), pa.string()))
            rows = np.arange(start, position)
            part_roots = roots[rows]
            frame["cluster_size"] = sizes[part_roots]
            # A cluster's root is its first post, so it is in this part or an earlier one.
            for row in np.flatnonzero(
                (part_roots == rows) & (frame["cluster_size"].to_numpy() > 1)
            ):
                root_names[int(rows[row])] = str(post_ids[row])
            frame["cluster_id"] = [
                dedup.cluster_id_for(post_id if root == row else root_names[int(root)])
                for post_id, root, row in zip(post_ids, part_roots, rows, strict=True)
            ]
            flagged = np.flatnonzero(frame["flagged"].to_numpy())
            for row_number, score in zip(
                flagged.tolist(), frame["score"].to_numpy()[flagged].tolist(), strict=True
            ):
                item = (float(score), -(start + row_number + 1), part_number, row_number)
                if len(queue) < options.queue_limit:
                    heapq.heappush(queue, item)
                else:
                    heapq.heappushpop(queue, item)
            yield frame

    with progress.bar("Writing scored.csv", total=totals.scored) as writing:
        write_csv_frames(
            out_dir / "scored.csv",
            progress.counted(scored_frames(), writing),
            schema.SCORED_COLUMNS,
        )
    with progress.stage("Writing the review queue and side files"):
        spilled = _spill_queue(
            sorted(queue, key=lambda item: (-item[0], -item[1])), scored_parts, parts / QUEUE_DIR
        )
        queue.clear()

        in_queue = write_csv(
            out_dir / "review_queue.csv",
            _queue_rows(spilled, roots, sizes, root_names),
            schema.SCORED_COLUMNS,
        )
        # The CSVs keep post text exactly, for programs; people open the workbook, where text is text.
        write_xlsx_text(
            out_dir / "review_queue.xlsx",
            as_people_read(_queue_rows(spilled, roots, sizes, root_names)),
            schema.SCORED_COLUMNS,
            numeric=("score", "cluster_size"),
            sheet="review_queue",
        )
        shutil.rmtree(spilled.directory, ignore_errors=True)

        def duplicate_rows() -> Iterator[dict]:
            original_ids = pa.concat_arrays(originals) if originals else pa.array([], pa.string())
            for path in part_files(parts, "duplicates"):
                frame = _read_part(path)
                at = np.searchsorted(wanted, frame.pop("duplicate_of_index").to_numpy(np.int64))
                frame["duplicate_of"] = original_ids.take(at).to_pylist()
                yield from frame.to_dict("records")

        write_csv(out_dir / "duplicates.csv", duplicate_rows(), schema.DUPLICATE_COLUMNS)
        write_csv(
            out_dir / "quarantine.csv", _part_rows(parts, "quarantine"), schema.QUARANTINE_COLUMNS
        )
        write_csv(out_dir / "skipped.csv", _part_rows(parts, "skipped"), schema.SKIPPED_COLUMNS)
    totals.seconds["write"] += time.perf_counter() - t1

    return {
        "model_id": model_id,
        "threshold": threshold,
        "counts": {
            "read": totals.read,
            "scored": totals.scored,
            "flagged": totals.flagged,
            "quarantined": totals.quarantined,
            "duplicates": totals.duplicates,
            "skipped": totals.skipped,
            "in_review_queue": in_queue,
        },
        "counts_balance": totals.balanced,
        "balance_rule": BALANCE_RULE,
        "categories": dict(totals.categories),
        "quarantine_reasons": dict(totals.reasons),
        "review_queue_truncated": totals.flagged > in_queue,
        "seconds": {stage: round(totals.seconds.get(stage, 0.0), 3) for stage in STAGES},
        "seconds_note": "normalise, indicators, vectorise, model and explain are summed over worker processes; total is wall-clock",
        "outputs": {name: str(out_dir / name) for name in OUTPUT_FILES},
    }


def _part_rows(parts: Path, kind: PartKind) -> Iterator[dict]:
    for path in part_files(parts, kind):
        yield from _read_part(path).to_dict("records")


def _read_part(path: Path) -> pd.DataFrame:
    frame = pd.read_parquet(path)
    _release_arrow_memory()
    return frame


def _read_scored(path: Path) -> pd.DataFrame:
    return _read_part(path).astype({"flagged": bool})


def _release_arrow_memory() -> None:
    """Hand the memory Arrow freed after reading a part back to the system: its allocator keeps
    it for reuse otherwise, and reading a million posts' parts then grew the run's memory by
    about a hundred megabytes."""
    pa.default_memory_pool().release_unused()


# A column the spilled queue adds to each row: its place in the queue.
_RANK = "__queue_rank__"
_MAX_BUCKETS = 64  # files open at once while the queue is spilled


@dataclass
class SpilledQueue:
    """The review queue's rows, read back from the parts and spilled to disk in buckets of
    consecutive ranks (``bucket_rows`` ranks a file), so writing a queue of any length holds one
    part and one bucket at a time, not the whole queue. ``positions[k]`` is the position in the
    run of the k-th post of the queue."""

    directory: Path
    buckets: int
    positions: np.ndarray


def _spill_queue(
    items: list[tuple[float, int, int, int]],
    scored_parts: list[Path],
    directory: Path,
    bucket_rows: int = 1_000,
) -> SpilledQueue:
    # A killed run may have left buckets behind: they are not this run's.
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    bucket_rows = max(bucket_rows, -(-len(items) // _MAX_BUCKETS))
    by_part: dict[int, list[tuple[int, int]]] = {}
    for rank, (_, _, part_number, row_number) in enumerate(items):
        by_part.setdefault(part_number, []).append((row_number, rank))
    writers: dict[int, tuple[pa.ipc.RecordBatchFileWriter, pa.Schema]] = {}
    try:
        for part_number, wanted in by_part.items():
            rows = pq.read_table(scored_parts[part_number]).take([row for row, _ in wanted])
            _release_arrow_memory()
            ranks = np.array([rank for _, rank in wanted], dtype=np.int64)
            rows = rows.append_column(_RANK, pa.array(ranks))
            bucket_of = ranks // bucket_rows
            for bucket in np.unique(bucket_of).tolist():
                piece = rows.filter(pa.array(bucket_of == bucket))
                if bucket not in writers:
                    schema = _without_null_types(piece.schema)
                    path = str(_bucket_path(directory, bucket))
                    writers[bucket] = (pa.ipc.new_file(path, schema), schema)
                writer, schema = writers[bucket]
                # A part whose column held only missing values has a null type there.
                writer.write_table(piece.cast(schema))
    finally:
        for writer, _ in writers.values():
            writer.close()
    positions = np.array([-item[1] - 1 for item in items], dtype=np.int64)
    return SpilledQueue(directory, -(-len(items) // bucket_rows), positions)


def _bucket_path(directory: Path, bucket: int) -> Path:
    return directory / f"queue-{bucket:06d}.arrow"


def _without_null_types(schema: pa.Schema) -> pa.Schema:
    return pa.schema(
        [
            field.with_type(pa.string()) if pa.types.is_null(field.type) else field
            for field in schema
        ]
    )


def _queue_rows(
    queue: SpilledQueue,
    roots: np.ndarray,
    sizes: np.ndarray,
    root_names: dict[int, str],
) -> Iterator[dict]:
    """The queue's rows in queue order, one bucket read back at a time, with their cluster id
    and size."""
    for bucket in range(queue.buckets):
        path = _bucket_path(queue.directory, bucket)
        if not path.is_file():
            continue  # no post of the queue had a rank in this bucket
        with pa.OSFile(str(path)) as source:
            table = pa.ipc.open_file(source).read_all().sort_by(_RANK)
        ranks = table.column(_RANK).to_numpy()
        rows = table.drop_columns([_RANK]).to_pylist()
        del table
        _release_arrow_memory()
        for row, position in zip(rows, queue.positions[ranks].tolist(), strict=True):
            root = int(roots[position])
            row["flagged"] = bool(row["flagged"])
            row["cluster_id"] = dedup.cluster_id_for(
                row["post_id"] if root == position else root_names[root]
            )
            row["cluster_size"] = int(sizes[root])
            yield row


def as_people_read(rows: Iterable[dict]) -> Iterator[dict]:
    """Queue rows for the workbook people open: reasons quote the post as written, with no
    normalised token or placeholder (the CSVs keep the machine form). The workers found them."""
    for row in rows:
        yield {**row, "reasons": row.get(AS_WRITTEN, "")}


def screen_report(bundle: Bundle, options: ScoreOptions, totals: Totals) -> dict:
    """What the run report says of the screen: its threshold, how many posts it passed, and the
    share of positives it screened out when measured out of fold at training time."""
    trained = bundle.manifest.get("screen", {})
    passed = totals.scored - totals.screened_out
    return {
        "enabled": options.use_screen,
        "threshold": trained.get("threshold"),
        "passed": passed,
        "screened_out": totals.screened_out,
        "share_passed": passed / totals.scored if totals.scored else None,
        "measured_loss_out_of_fold": trained.get("measured_loss"),
        "max_loss": trained.get("max_loss"),
    }
