"""Scoring on a Dask cluster: the same outputs as the local engine, with workers on many machines.

Each input file is one partition. The run has two passes over the partitions:

1. workers read their partition and return two 64-bit keys per post (text and id); the client
   takes them in partition order and decides with the one exact-duplicate rule
   (:class:`pipeline.dedup.ExactDuplicates`) which posts are exact duplicates or reuse an id;
2. workers read their partition again as the accounted stream, with the client's decisions,
   score its posts with the model (sent to every worker once) and return the scored rows,
   MinHash signatures and side rows; the client writes them through the public part-file API
   (:mod:`pipeline.scoring.parts`), keeps the scored rows as partitions, and assembles the
   merged outputs as the local engine does (:mod:`pipeline.scoring.assemble`).

Inputs may be local paths (visible to every worker) or any fsspec URL (``s3://``, ``gs://``,
``https://`` …); workers copy a remote file to local scratch space before reading it.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import dedup
from pipeline.errors import InputError
from pipeline.fileio import atomic_path, write_json
from pipeline.ingest.core import FileNote, IngestOptions, ReadTally, expand_paths
from pipeline.ingest.outcomes import Outcome, iter_outcomes, read_outcomes
from pipeline.modeling.artifacts import Bundle
from pipeline.schema import Post
from pipeline.scoring.assemble import finish
from pipeline.scoring.engine import check_outputs, output_lock
from pipeline.scoring.options import ScoreOptions
from pipeline.scoring.parts import (
    PARTS_DIR,
    ChunkSummary,
    SideRows,
    Totals,
    remove_parts,
    split_outcomes,
    summarise,
    tally,
    write_scored,
    write_side_parts,
    write_signatures,
)
from pipeline.scoring.worker import ChunkScorer

log = logging.getLogger(__name__)

PARTITIONS_DIR = "partitions"
_URL_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):/+")
_SCORERS: dict[tuple, ChunkScorer] = {}  # per worker process: one loaded scorer per model


def _as_url(path) -> str | None:
    """The fsspec URL a command-line argument names, or None for a local path.

    ``pathlib`` folds ``s3://b/k`` into ``s3:/b/k``; the scheme's slashes are put back.
    """
    text = str(path)
    match = _URL_RE.match(text)
    if not match or len(match.group(1)) == 1:  # one letter: a Windows drive, not a scheme
        return None
    scheme, rest = match.group(1), text[match.end() :]
    return f"file:///{rest}" if scheme.lower() == "file" else f"{scheme}://{rest}"


def resolve_inputs(paths: Sequence) -> list[str]:
    """Every input file, in a stable order: local paths as the local engine lists them, URLs
    expanded with their own file system's glob."""
    files: list[str] = []
    for path in paths:
        url = _as_url(path)
        if url is None:
            text = str(path)
            if glob.has_magic(text):
                matches = sorted(glob.glob(text, recursive=True))
                if not matches:
                    raise InputError(
                        f"No input matches {text}.",
                        "Check the pattern; quote it so the shell does not expand it.",
                    )
                files.extend(str(f) for f in expand_paths([Path(m) for m in matches]))
            else:
                files.extend(str(f) for f in expand_paths([Path(text)]))
            continue
        import fsspec

        fs, _, found = fsspec.get_fs_token_paths(url)
        found = sorted(p for p in found if fs.isfile(p))
        if not found:
            raise InputError(
                f"No input file at {url}.",
                "Check the URL and that this machine has credentials for it.",
            )
        protocol = fs.protocol[0] if isinstance(fs.protocol, (tuple, list)) else fs.protocol
        files.extend(f"{protocol}://{p}" if "://" not in p else p for p in found)
    return files


@contextlib.contextmanager
def _local_copy(source: str) -> Iterator[Path]:
    if _as_url(source) is None:
        yield Path(source)
        return
    import fsspec

    suffix = Path(source.split("?")[0]).suffix
    scratch = tempfile.mkdtemp(prefix="waspada-")
    target = Path(scratch) / f"input{suffix}"
    try:
        with fsspec.open(source, "rb") as remote, open(target, "wb") as local:
            shutil.copyfileobj(remote, local, 1 << 20)
        yield target
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _outcomes(
    source: str,
    ingest_options: IngestOptions,
    notes: list[FileNote] | None = None,
    tally: ReadTally | None = None,
    decisions: np.ndarray | None = None,
    batch: int = 1000,
) -> Iterator[Outcome]:
    """The outcomes of one partition: before exact duplicates are decided, or, given the
    client's ``decisions`` for it, the accounted stream."""
    with _local_copy(source) as local:
        local_notes: list[FileNote] = []
        if decisions is None:
            outcomes = read_outcomes([local], ingest_options, local_notes, tally)
        else:
            outcomes = iter_outcomes(
                [local],
                ingest_options,
                local_notes,
                tally=tally,
                duplicates=DecidedDuplicates(decisions),
                batch=batch,
            )
        for outcome in outcomes:
            if str(local) != source:
                outcome.record.source_file = source
                if outcome.post is not None:
                    outcome.post["source_file"] = source
            yield outcome
        if notes is not None:
            notes.extend(
                {**note, "file": source, "note": note["note"].replace(str(local), source)}
                for note in local_notes
            )


def partition_keys(source: str, ingest_options: IngestOptions) -> tuple[np.ndarray, np.ndarray]:
    """Pass 1 on a worker: text and id keys of every post of one partition, in record order."""
    text_keys, id_keys = [], []
    for outcome in _outcomes(source, ingest_options):
        if outcome.post is not None:
            text_keys.append(dedup.text_key(outcome.post["text"]))
            id_keys.append(dedup.id_key(outcome.post["post_id"]))
    return np.asarray(text_keys, dtype=np.int64), np.asarray(id_keys, dtype=np.int64)


def decide(partition_keys_in_order: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray]:
    """Per partition and post: the exact-duplicate decision (see :class:`pipeline.dedup.ExactDuplicates`),
    taken over all partitions in order, as the local engine takes it over all chunks."""
    rule = dedup.ExactDuplicates()
    return [rule.decide_keys(text_keys, id_keys) for text_keys, id_keys in partition_keys_in_order]


class DecidedDuplicates:
    """The client's decisions for one partition, handed to the partition's stream in order."""

    def __init__(self, decisions: np.ndarray):
        self.decisions = decisions
        self.next = 0

    def decide(self, posts: Sequence[Post]) -> np.ndarray:
        start, self.next = self.next, self.next + len(posts)
        return self.decisions[start : self.next]


def _worker_scorer(
    bundle: Bundle,
    threshold: float | None,
    lang: str,
    use_screen: bool,
    operating_point: str | None,
) -> ChunkScorer:
    key = (bundle.model_id, threshold, lang, use_screen, operating_point)
    if key not in _SCORERS:
        _SCORERS.clear()
        _SCORERS[key] = ChunkScorer(bundle, threshold, lang, use_screen, operating_point)
    return _SCORERS[key]


@dataclass
class ScoredPartition:
    """What a worker sends back for one partition."""

    frame: pd.DataFrame
    signatures: np.ndarray
    side: SideRows
    summary: ChunkSummary
    notes: list[FileNote]
    read: int


def score_partition(
    source: str,
    ingest_options: IngestOptions,
    decisions: np.ndarray,
    bundle: Bundle,
    threshold: float | None,
    lang: str,
    chunk_size: int,
    use_screen: bool = True,
    operating_point: str | None = None,
) -> ScoredPartition:
    """Pass 2 on a worker: score one partition's kept posts; rows and signatures go back."""
    worker = _worker_scorer(bundle, threshold, lang, use_screen, operating_point)
    t0 = time.perf_counter()
    notes: list[FileNote] = []
    read = ReadTally()
    posts, side = split_outcomes(
        _outcomes(source, ingest_options, notes, read, decisions, chunk_size)
    )
    seconds = Counter({"read": time.perf_counter() - t0})
    frames, signatures = [], []
    for start in range(0, len(posts), chunk_size) or [0]:
        frame, sig, chunk_seconds = worker.score_frame(posts[start : start + chunk_size])
        frames.append(frame)
        signatures.append(sig)
        seconds.update(chunk_seconds)
    frame = pd.concat(frames, ignore_index=True)
    return ScoredPartition(
        frame,
        np.concatenate(signatures, axis=1),
        side,
        summarise(frame, dict(seconds)),
        notes,
        read.read,
    )


def _client(scheduler: str | None, jobs: int):
    from dask.distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(
        n_workers=max(1, jobs), threads_per_worker=1, processes=True, dashboard_address=None
    )
    return Client(cluster), cluster


def score_with_dask(
    paths: Sequence,
    out_dir: Path,
    bundle: Bundle,
    ingest_options: IngestOptions,
    score_options: ScoreOptions,
    scheduler: str | None,
) -> dict:
    """Score ``paths`` on a Dask cluster (``scheduler`` address, or a local one) into ``out_dir``.

    Returns the same report as :func:`pipeline.scoring.score_collection`, and writes the same
    files plus the scored partitions in ``out_dir/partitions``.
    """
    if score_options.resume:
        raise InputError(
            "--resume works with the local engine only; a Dask run re-scores its partitions.",
            "Drop --resume, or run with --engine local.",
        )
    out_dir = Path(out_dir)
    sources = resolve_inputs(paths)
    with output_lock(out_dir):
        return _score_locked(sources, out_dir, bundle, ingest_options, score_options, scheduler)


def _score_locked(
    sources: list[str],
    out_dir: Path,
    bundle: Bundle,
    ingest_options: IngestOptions,
    score_options: ScoreOptions,
    scheduler: str | None,
) -> dict:
    started = time.perf_counter()
    check_outputs(out_dir, score_options)
    parts = out_dir / PARTS_DIR
    shutil.rmtree(parts, ignore_errors=True)
    parts.mkdir(parents=True, exist_ok=True)
    partitions = out_dir / PARTITIONS_DIR
    shutil.rmtree(partitions, ignore_errors=True)
    partitions.mkdir(parents=True)
    totals = Totals()

    client, cluster = _client(scheduler, score_options.jobs)
    try:
        workers = len(client.scheduler_info().get("workers", {}))
        log.info("scoring %d partitions on %d Dask workers", len(sources), workers)
        t0 = time.perf_counter()
        keys = client.gather(
            client.map(partition_keys, sources, ingest_options=ingest_options, pure=False)
        )
        decisions = decide(keys)
        del keys
        totals.seconds["read"] += time.perf_counter() - t0
        # One copy of the model per worker, not one per task.
        model = client.scatter(bundle, broadcast=True)
        futures = client.map(
            score_partition,
            sources,
            [ingest_options] * len(sources),
            decisions,
            bundle=model,
            threshold=score_options.threshold,
            lang=score_options.lang,
            chunk_size=score_options.chunk_size,
            use_screen=score_options.use_screen,
            operating_point=score_options.operating_point,
            pure=False,
        )
        notes: list[FileNote] = []
        for index, future in enumerate(futures):
            result = future.result()
            notes.extend(result.notes)
            _store_partition(index, result, parts, partitions, totals)
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

    engine = {
        "name": "dask",
        "scheduler": scheduler or "local cluster",
        "workers": workers,
        "partitions": len(sources),
        "partitions_dir": str(partitions),
    }
    report = finish(out_dir, parts, bundle, score_options, totals, sources, notes, engine)
    report["outputs"]["partitions"] = str(partitions)
    report["seconds"]["total"] = round(time.perf_counter() - started, 3)
    write_json(out_dir / "report.json", report)
    remove_parts(parts)
    return report


def _store_partition(
    index: int, result: ScoredPartition, parts: Path, partitions: Path, totals: Totals
) -> None:
    t0 = time.perf_counter()
    write_scored(parts, index, result.frame)
    write_signatures(parts, index, result.signatures)
    write_side_parts(parts, index, result.side)
    with atomic_path(partitions / f"scored-{index:05d}.parquet") as tmp:
        result.frame.to_parquet(tmp, index=False)
    totals.read += result.read
    for stage, seconds in result.summary.seconds.items():
        totals.seconds[stage] += seconds
    tally(totals, result.summary, result.side)
    totals.seconds["write"] += time.perf_counter() - t0
