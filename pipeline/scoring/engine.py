"""The local engine: the accounted stream in chunks, worker processes, resume and the output lock.

The main process reads the inputs as one stream of outcomes (post, duplicate, skipped,
quarantined), cuts it into chunks and hands each chunk's posts to a worker, which writes the
chunk's scored part; the main process writes the side parts and only then records the chunk as
finished, so ``--resume`` continues after the last finished chunk.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from itertools import islice
from pathlib import Path

from pipeline import progress
from pipeline.errors import OutputExistsError
from pipeline.fileio import exclusive_lock, remove_stale_temporaries, write_json
from pipeline.ingest.core import FileNote, IngestOptions, ReadTally, scan_inputs
from pipeline.ingest.outcomes import Outcome, iter_outcomes
from pipeline.modeling.artifacts import Bundle
from pipeline.parallel import ChunkPool
from pipeline.scoring.assemble import OUTPUT_FILES, finish
from pipeline.scoring.options import ScoreOptions
from pipeline.scoring.parts import (
    PARTS_DIR,
    RunState,
    SideRows,
    Totals,
    load_state,
    remove_parts,
    replay_part,
    save_state,
    split_outcomes,
    tally,
    write_side_parts,
)
from pipeline.scoring.resume import run_settings, start_state
from pipeline.scoring.worker import make_chunk_scorer, score_chunk_to_part

LOCK_FILE = ".waspada.lock"


def check_outputs(out_dir: Path, options: ScoreOptions) -> None:
    """Refuse to overwrite a finished run, or to discard an interrupted one, without being asked."""
    state = load_state(out_dir / PARTS_DIR)
    if state is not None and not (options.force or options.resume):
        raise OutputExistsError(
            f"{out_dir} holds an interrupted run ({state.get('completed', 0)} chunks finished).",
            "Pass --resume to continue it, or --force to discard it and start over.",
        )
    existing = [name for name in OUTPUT_FILES if (out_dir / name).exists()]
    if state is None and existing and not options.force:
        if options.resume:
            raise OutputExistsError(
                f"{out_dir} holds a finished run ({', '.join(existing)}); there is nothing to resume.",
                "Pass --force to score it again, or choose another --out.",
            )
        raise OutputExistsError(
            f"{out_dir} already holds outputs ({', '.join(existing)}).",
            "Pass --force to overwrite, or choose another --out.",
        )


@contextlib.contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """One run at a time in ``out_dir``; stale temporaries of killed runs are removed once it is ours."""
    with exclusive_lock(
        Path(out_dir) / LOCK_FILE,
        f"The output folder {out_dir}",
        "Wait for the other run to finish (or stop it), or choose another --out.",
    ):
        remove_stale_temporaries(out_dir, OUTPUT_FILES)
        remove_stale_temporaries(Path(out_dir) / PARTS_DIR)
        yield


def score_collection(
    paths: Sequence[Path],
    out_dir: Path,
    bundle: Bundle,
    ingest_options: IngestOptions,
    options: ScoreOptions,
) -> dict:
    """Score every post of ``paths`` into ``out_dir``; returns the run report (also report.json).

    Only one run writes to ``out_dir`` at a time (a second one fails at once). Existing outputs
    need ``options.force``; an interrupted run is continued with ``options.resume`` when inputs,
    model and settings are unchanged, and otherwise refused with what changed.
    """
    out_dir = Path(out_dir)
    files, left_out = scan_inputs(paths)
    with output_lock(out_dir):
        return _score_locked(files, left_out, out_dir, bundle, ingest_options, options)


def _score_locked(
    files: list[Path],
    left_out: list[FileNote],
    out_dir: Path,
    bundle: Bundle,
    ingest_options: IngestOptions,
    options: ScoreOptions,
) -> dict:
    started = time.perf_counter()
    parts = out_dir / PARTS_DIR
    check_outputs(out_dir, options)
    state = start_state(parts, run_settings(files, bundle, options, ingest_options), options.resume)

    totals = Totals()
    for index in range(state["completed"]):
        replay_part(parts, index, totals)
    state["resumed_chunks"] = state["completed"]

    jobs = max(1, options.jobs)
    read = ReadTally()
    pending: deque[tuple[int, Future, SideRows]] = deque()
    with ChunkPool(
        jobs,
        make_chunk_scorer,
        (bundle, options.threshold, options.lang, options.use_screen, options.operating_point),
    ) as pool:
        notes: list[FileNote] = list(left_out)
        # Duplicates decided one chunk at a time: the stream never reads past the chunk being cut.
        outcomes = iter_outcomes(files, ingest_options, notes, tally=read, batch=options.chunk_size)
        t_read = time.perf_counter()
        for index, chunk in enumerate(
            progress.read_chunks(
                _chunks(outcomes, options.chunk_size), files, "Reading and scoring"
            )
        ):
            if index < state["completed"]:
                # Read again all the same: the duplicates of later chunks are decided against it.
                t_read = time.perf_counter()
                continue
            posts, side = split_outcomes(chunk)
            totals.seconds["read"] += time.perf_counter() - t_read
            pending.append((index, pool.submit(score_chunk_to_part, posts, parts, index), side))
            # A few chunks in flight keep every worker busy without holding the collection.
            while len(pending) > jobs:
                _complete(pending.popleft(), parts, state, totals)
            t_read = time.perf_counter()
        while pending:
            _complete(pending.popleft(), parts, state, totals)
    totals.read = read.read

    engine = {
        "name": "local",
        "jobs": jobs,
        "chunk_size": options.chunk_size,
        "resumed_chunks": state["resumed_chunks"],
    }
    report = finish(out_dir, parts, bundle, options, totals, [str(f) for f in files], notes, engine)
    report["seconds"]["total"] = round(time.perf_counter() - started, 3)
    write_json(out_dir / "report.json", report)
    remove_parts(parts)
    return report


def _chunks(outcomes: Iterator[Outcome], size: int) -> Iterator[list[Outcome]]:
    while chunk := list(islice(outcomes, size)):
        yield chunk


def _complete(
    item: tuple[int, Future, SideRows], parts: Path, state: RunState, totals: Totals
) -> None:
    """Wait for a chunk's worker, write its side parts, and only then mark it finished."""
    index, future, side = item
    summary = future.result()
    t0 = time.perf_counter()
    write_side_parts(parts, index, side)
    for stage, seconds in summary.seconds.items():
        totals.seconds[stage] += seconds
    tally(totals, summary, side)
    state["completed"] = index + 1
    save_state(parts, state)
    totals.seconds["write"] += time.perf_counter() - t0
