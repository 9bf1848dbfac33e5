"""Scoring on a Dask cluster: the same outputs as the local engine, with workers on many machines.

Each input file is one partition. The run has two passes over the partitions:

1. workers read their partition and return two 64-bit keys per post (text and id), which the
   client orders globally to decide, exactly as the local engine does, which posts are exact
   duplicates or reuse an id;
2. workers score their partition with the model (sent to every worker once) and return the
   scored rows and MinHash signatures; the client writes them as partitions and assembles the
   merged outputs with the local engine's ``finish``.

Inputs may be local paths (visible to every worker) or any fsspec URL (``s3://``, ``gs://``,
``https://`` …); workers copy a remote file to local scratch space before reading it.
"""

from __future__ import annotations

import contextlib
import glob
import io
import logging
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import scoring
from pipeline.errors import InputError
from pipeline.fileio import atomic_path, write_json
from pipeline.ingest.core import IngestOptions, expand_paths, iter_outcomes, quarantine_row
from pipeline.modeling.artifacts import Bundle

log = logging.getLogger(__name__)

PARTITIONS_DIR = "partitions"
_URL_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):/+")
_SCORERS: dict[tuple, scoring.ChunkScorer] = {}  # per worker process: one loaded scorer per model


def _as_url(path) -> str | None:
    """The fsspec URL a command-line argument names, or None for a local path.

    ``pathlib`` folds ``s3://b/k`` into ``s3:/b/k``; the scheme's slashes are put back.
    """
    text = str(path)
    match = _URL_RE.match(text)
    if not match or len(match.group(1)) == 1:  # one letter: a Windows drive, not a scheme
        return None
    scheme, rest = match.group(1), text[match.end():]
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
                    raise InputError(f"No input matches {text}.", "Check the pattern; quote it so the shell does not expand it.")
                files.extend(str(f) for f in expand_paths([Path(m) for m in matches]))
            else:
                files.extend(str(f) for f in expand_paths([Path(text)]))
            continue
        import fsspec

        fs, _, found = fsspec.get_fs_token_paths(url)
        found = sorted(p for p in found if fs.isfile(p))
        if not found:
            raise InputError(f"No input file at {url}.", "Check the URL and that this machine has credentials for it.")
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


def _outcomes(source: str, ingest_options: IngestOptions):
    with _local_copy(source) as local:
        for outcome in iter_outcomes([local], ingest_options):
            if str(local) != source:
                outcome.record.source_file = source
                if outcome.post is not None:
                    outcome.post["source_file"] = source
            yield outcome


def partition_keys(source: str, ingest_options: IngestOptions) -> tuple[np.ndarray, np.ndarray]:
    """Pass 1 on a worker: text and id keys of every post of one partition, in record order."""
    text_keys, id_keys = [], []
    for outcome in _outcomes(source, ingest_options):
        if outcome.status == "post":
            text_keys.append(scoring.text_key(outcome.post["text"]))
            id_keys.append(scoring.id_key(outcome.post["post_id"]))
    return np.asarray(text_keys, dtype=np.int64), np.asarray(id_keys, dtype=np.int64)


KEEP, CONFLICT = -1, -2


def decide(partition_keys_in_order: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray]:
    """Per partition and post: KEEP, CONFLICT (its id was used by another post) or the global
    row of the post it duplicates; the same rules, in the same order, as the local engine."""
    seen = scoring.SeenPosts()
    decisions, next_index = [], 0
    for text_keys, id_keys in partition_keys_in_order:
        earlier_texts, earlier_ids = seen.lookup(text_keys, id_keys)
        out = np.empty(len(text_keys), dtype=np.int64)
        for i, (tkey, ikey) in enumerate(zip(text_keys.tolist(), id_keys.tolist())):
            original = seen.first_with_text(tkey, int(earlier_texts[i]))
            if original >= 0:
                out[i] = original
            elif seen.id_used(ikey, bool(earlier_ids[i])):
                out[i] = CONFLICT
            else:
                out[i] = KEEP
                seen.add(tkey, ikey, next_index)
                next_index += 1
        seen.flush()
        decisions.append(out)
    return decisions


def _worker_scorer(bundle: Bundle, threshold: float | None, lang: str, use_screen: bool,
                   operating_point: str | None) -> scoring.ChunkScorer:
    key = (bundle.model_id, threshold, lang, use_screen, operating_point)
    if key not in _SCORERS:
        _SCORERS.clear()
        _SCORERS[key] = scoring.ChunkScorer(bundle, threshold, lang, use_screen, operating_point)
    return _SCORERS[key]


def score_partition(source: str, ingest_options: IngestOptions, decisions: np.ndarray, bundle: Bundle,
                    threshold: float | None, lang: str, chunk_size: int, use_screen: bool = True,
                    operating_point: str | None = None) -> dict:
    """Pass 2 on a worker: score one partition's kept posts; rows and signatures go back."""
    worker = _worker_scorer(bundle, threshold, lang, use_screen, operating_point)
    side: dict[str, list[dict]] = {"quarantine": [], "duplicates": [], "skipped": []}
    posts, text_keys, id_keys = [], [], []
    post_number = 0
    t0 = time.perf_counter()
    for outcome in _outcomes(source, ingest_options):
        record = outcome.record
        if outcome.status == "skipped":
            side["skipped"].append({"source_file": record.source_file, "source_record": record.source_record, "reason": outcome.reason})
            continue
        if outcome.status == "quarantined":
            side["quarantine"].append(quarantine_row(outcome))
            continue
        decision = int(decisions[post_number])
        post_number += 1
        post = outcome.post
        if decision >= 0:
            side["duplicates"].append({"post_id": post["post_id"], "duplicate_of_index": decision,
                                       "source_file": record.source_file, "source_record": record.source_record})
        elif decision == CONFLICT:
            side["quarantine"].append(quarantine_row(outcome, f"post_id {post['post_id']} already used by a different post (pass --id-column or fix the ids)"))
        else:
            posts.append(post)
            text_keys.append(scoring.text_key(post["text"]))
            id_keys.append(scoring.id_key(post["post_id"]))
    seconds = Counter({"read": time.perf_counter() - t0})
    frames, signatures = [], []
    for start in range(0, len(posts), chunk_size) or [0]:
        frame, sig, chunk_seconds = worker.score_frame(posts[start:start + chunk_size])
        frames.append(frame)
        signatures.append(sig)
        seconds.update(chunk_seconds)
    frame = pd.concat(frames, ignore_index=True)
    frame["text_key"] = np.asarray(text_keys, dtype=np.int64)
    frame["id_key"] = np.asarray(id_keys, dtype=np.int64)
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return {"scored": buffer.getvalue(), "signatures": np.concatenate(signatures, axis=1), "side": side,
            "summary": scoring.summarise(frame, dict(seconds))}


def _client(scheduler: str | None, jobs: int):
    from dask.distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster), cluster


def score_with_dask(paths: Sequence, out_dir: Path, bundle: Bundle, ingest_options: IngestOptions,
                    score_options: scoring.ScoreOptions, scheduler: str | None) -> dict:
    """Score ``paths`` on a Dask cluster (``scheduler`` address, or a local one) into ``out_dir``.

    Returns the same report as :func:`pipeline.scoring.score_collection`, and writes the same
    files plus the scored partitions in ``out_dir/partitions``.
    """
    if score_options.resume:
        raise InputError("--resume works with the local engine only; a Dask run re-scores its partitions.",
                         "Drop --resume, or run with --engine local.")
    started = time.perf_counter()
    out_dir = Path(out_dir)
    scoring.check_outputs(out_dir, score_options)
    sources = resolve_inputs(paths)
    parts = out_dir / scoring.PARTS_DIR
    shutil.rmtree(parts, ignore_errors=True)
    parts.mkdir(parents=True, exist_ok=True)
    partitions = out_dir / PARTITIONS_DIR
    shutil.rmtree(partitions, ignore_errors=True)
    partitions.mkdir(parents=True)
    totals = scoring._Totals()

    client, cluster = _client(scheduler, score_options.jobs)
    try:
        workers = len(client.scheduler_info().get("workers", {}))
        log.info("scoring %d partitions on %d Dask workers", len(sources), workers)
        t0 = time.perf_counter()
        keys = client.gather(client.map(partition_keys, sources, ingest_options=ingest_options, pure=False))
        decisions = decide(keys)
        del keys
        totals.seconds["read"] += time.perf_counter() - t0
        # One copy of the model per worker, not one per task.
        model = client.scatter(bundle, broadcast=True)
        futures = client.map(score_partition, sources, [ingest_options] * len(sources), decisions,
                             bundle=model, threshold=score_options.threshold, lang=score_options.lang,
                             chunk_size=score_options.chunk_size, use_screen=score_options.use_screen,
                             operating_point=score_options.operating_point, pure=False)
        for index, future in enumerate(futures):
            _store_partition(index, future.result(), parts, partitions, totals)
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

    threshold = scoring.threshold_of(bundle, score_options)
    report = scoring.finish(out_dir, parts, bundle.model_id, threshold, totals, score_options)
    report["screen"] = scoring.screen_report(bundle, score_options, totals)
    report["operating_point"] = score_options.operating_point or ("custom" if score_options.threshold is not None else "high")
    report["files"] = sources
    report["engine"] = {"name": "dask", "scheduler": scheduler or "local cluster", "workers": workers,
                        "partitions": len(sources), "partitions_dir": str(partitions)}
    report["outputs"]["partitions"] = str(partitions)
    report["seconds"]["total"] = round(time.perf_counter() - started, 3)
    write_json(out_dir / "report.json", report)
    shutil.rmtree(parts, ignore_errors=True)
    return report


def _store_partition(index: int, result: dict, parts: Path, partitions: Path, totals) -> None:
    t0 = time.perf_counter()
    scored_path = scoring._part_path(parts, index, "scored")
    with atomic_path(scored_path) as tmp:
        tmp.write_bytes(result["scored"])
    with atomic_path(scoring._signature_path(parts, index)) as tmp, open(tmp, "wb") as handle:
        np.save(handle, result["signatures"])
    scoring.write_side_parts(parts, index, result["side"])
    frame = pd.read_parquet(scored_path).drop(columns=["text_key", "id_key"])
    with atomic_path(partitions / f"scored-{index:05d}.parquet") as tmp:
        frame.to_parquet(tmp, index=False)
    summary = result["summary"]
    for stage, seconds in summary.seconds.items():
        totals.seconds[stage] += seconds
    scoring._tally(totals, summary, result["side"])
    totals.seconds["write"] += time.perf_counter() - t0

