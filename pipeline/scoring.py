"""The batch job: stream collected posts through the model and write the outputs atomically.

Input is read in chunks of records. Worker processes (``--jobs``) each load the model once and
turn a chunk into a part file (scored rows and MinHash signatures); the main process reads,
drops exact duplicates and records which chunks are finished, so ``--resume`` continues after
the last finished chunk. Final outputs (scored.csv, review_queue.csv, quarantine.csv,
duplicates.csv, skipped.csv, report.json) are assembled from the parts only at the end, each
through a temporary file and a rename.

Memory stays flat as collections grow: what is kept per post is a few bytes in NumPy arrays
(two 64-bit keys and a row number for duplicate detection); everything else lives in the part
files until it is streamed out.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import json
import shutil
import time
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import dedup, progress, schema
from pipeline.errors import InputError, OutputExistsError
from pipeline.fileio import (
    atomic_path,
    exclusive_lock,
    remove_stale_temporaries,
    write_csv,
    write_csv_frames,
    write_json,
    write_xlsx_text,
)
from pipeline.ingest.core import (
    IngestOptions,
    Outcome,
    exact_key,
    iter_outcomes,
    quarantine_row,
    scan_inputs,
)
from pipeline.modeling.artifacts import Bundle
from pipeline.modeling.model import STAGE_SCREENED_OUT
from pipeline.modeling.predict import Scorer
from pipeline.parallel import ChunkPool, analyse_timed

PARTS_DIR = ".parts"
STATE_FILE = "state.json"
LOCK_FILE = ".waspada.lock"
OUTPUT_FILES = ("scored.csv", "review_queue.csv", "review_queue.xlsx", "quarantine.csv", "duplicates.csv", "skipped.csv", "report.json")
NUM_PERM = dedup.NUM_PERM
BANDS = dedup.BANDS
STAGES = ("read", "screen", "normalise", "indicators", "vectorise", "model", "explain", "write", "cluster")
PART_COLUMNS = list(schema.SCORED_COLUMNS[:-2]) + ["text_key", "id_key"]
DUPLICATE_PART_COLUMNS = ["post_id", "duplicate_of_index", "source_file", "source_record"]


@dataclass
class ScoreOptions:
    threshold: float | None = None
    jobs: int = 1
    chunk_size: int = 5000
    lang: str = "id"
    use_screen: bool = True
    operating_point: str | None = None
    queue_limit: int = 20_000
    resume: bool = False
    force: bool = False


@dataclass
class _Totals:
    read: int = 0
    scored: int = 0
    flagged: int = 0
    screened_out: int = 0
    quarantined: int = 0
    duplicates: int = 0
    skipped: int = 0
    reasons: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)
    seconds: Counter = field(default_factory=Counter)


def stable_key(text: str) -> int:
    """A 64-bit key that two posts share when they are exact duplicates (see ``exact_key``)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def text_key(text: str) -> int:
    return stable_key(exact_key(text))


def id_key(post_id: str) -> int:
    return stable_key("\x00id\x00" + post_id)


class KeyIndex:
    """A growing set of 64-bit keys, each with a 64-bit value, in sorted NumPy arrays.

    16 bytes a key, against ~150 for a Python dict entry holding an int and a string; this is
    what keeps duplicate detection within flat memory at millions of posts.
    """

    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.int64)
        self.values = np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.keys)

    def get(self, key: int) -> int:
        """The value of ``key``, or -1 when it was never added."""
        position = int(np.searchsorted(self.keys, key))
        if position < len(self.keys) and self.keys[position] == key:
            return int(self.values[position])
        return -1

    def get_many(self, keys: np.ndarray) -> np.ndarray:
        """``get`` for an array of keys at once."""
        if len(self.keys) == 0:
            return np.full(len(keys), -1, dtype=np.int64)
        positions = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return np.where(self.keys[positions] == keys, self.values[positions], -1)

    def extend(self, keys: Sequence[int], values: Sequence[int]) -> None:
        if len(keys) == 0:
            return
        keys = np.asarray(keys, dtype=np.int64)
        values = np.asarray(values, dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        keys, values = keys[order], values[order]
        positions = np.searchsorted(self.keys, keys)
        self.keys = np.insert(self.keys, positions, keys)
        self.values = np.insert(self.values, positions, values)


class SeenPosts:
    """Exact-duplicate texts and reused post ids, across the whole run.

    Within a chunk new keys wait in small dicts; ``flush`` folds them into the sorted arrays.
    """

    def __init__(self) -> None:
        self.texts = KeyIndex()
        self.ids = KeyIndex()
        self._pending_texts: dict[int, int] = {}
        self._pending_ids: dict[int, int] = {}

    def lookup(self, text_keys: Sequence[int], id_keys: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """For a chunk's posts: the row of the first post with the same text (or -1), and
        whether the post id was used before, as seen before this chunk."""
        texts = self.texts.get_many(np.asarray(text_keys, dtype=np.int64))
        ids = self.ids.get_many(np.asarray(id_keys, dtype=np.int64)) >= 0
        return texts, ids

    def first_with_text(self, key: int, earlier: int) -> int:
        """The first row with this text: ``earlier`` (from :meth:`lookup`) or one of this chunk."""
        return earlier if earlier >= 0 else self._pending_texts.get(key, -1)

    def id_used(self, key: int, earlier: bool) -> bool:
        return earlier or key in self._pending_ids

    def add(self, text: int, ident: int, index: int) -> None:
        self._pending_texts[text] = index
        self._pending_ids[ident] = index

    def flush(self) -> None:
        self.texts.extend(list(self._pending_texts), list(self._pending_texts.values()))
        self.ids.extend(list(self._pending_ids), list(self._pending_ids.values()))
        self._pending_texts.clear()
        self._pending_ids.clear()


@dataclass
class ChunkSummary:
    """What a worker reports back for one scored chunk (the rows themselves are in the part)."""

    scored: int
    flagged: int
    categories: Counter
    seconds: dict
    screened_out: int = 0


class ChunkScorer:
    """The model and the MinHasher, loaded once per worker process."""

    def __init__(self, bundle: Bundle, threshold: float | None, lang: str, use_screen: bool = True,
                 operating_point: str | None = None):
        self.scorer = Scorer(bundle, threshold, lang, use_screen=use_screen, operating_point=operating_point)
        self.hasher = dedup.MinHasher(num_perm=NUM_PERM)
        self.use_screen = use_screen

    def score_frame(self, posts: list[dict]) -> tuple[pd.DataFrame, np.ndarray, dict]:
        """Scored rows, MinHash signatures (one column per post) and seconds per stage.

        The screen scores the whole chunk; only the posts it passes go through the text layer,
        the full model and the explanations.
        """
        seconds = {}
        model = self.scorer.model
        texts = [p["text"] for p in posts]
        t0 = time.perf_counter()
        decisions = model.screen_decisions(texts)
        passed = model.passes(decisions) if self.use_screen else np.ones(len(posts), dtype=bool)
        seconds["screen"] = time.perf_counter() - t0
        passed_texts = [text for text, keep in zip(texts, passed.tolist()) if keep]
        analyses, seconds["normalise"], seconds["indicators"] = analyse_timed(passed_texts)
        t0 = time.perf_counter()
        matrix = model.features.transform_analyses(analyses) if analyses else None
        t1 = time.perf_counter()
        prediction = model.predict_passed(decisions, analyses, matrix, passed)
        t2 = time.perf_counter()
        scored = self.scorer.score_prediction(analyses, prediction)
        rows = [self.scorer.output_row(post, result) for post, result in zip(posts, scored)]
        signatures = self.hasher.signatures(dedup.cluster_texts(texts)).T if posts else np.empty((NUM_PERM, 0), np.uint32)
        t3 = time.perf_counter()
        seconds.update(vectorise=t1 - t0, model=t2 - t1, explain=t3 - t2)
        return pd.DataFrame(rows, columns=list(schema.SCORED_COLUMNS[:-2])), np.ascontiguousarray(signatures), seconds


def make_chunk_scorer(bundle: Bundle, threshold: float | None, lang: str, use_screen: bool = True,
                      operating_point: str | None = None) -> ChunkScorer:
    return ChunkScorer(bundle, threshold, lang, use_screen, operating_point)


def score_chunk_to_part(worker: ChunkScorer, posts: list[dict], text_keys: list[int], id_keys: list[int],
                        scored_path: Path, signature_path: Path) -> ChunkSummary:
    """Score one chunk in a worker and write its part files atomically."""
    frame, signatures, seconds = worker.score_frame(posts)
    t0 = time.perf_counter()
    frame["text_key"] = np.asarray(text_keys, dtype=np.int64)
    frame["id_key"] = np.asarray(id_keys, dtype=np.int64)
    with atomic_path(signature_path) as tmp, open(tmp, "wb") as handle:
        np.save(handle, signatures)
    with atomic_path(scored_path) as tmp:
        frame.to_parquet(tmp, index=False)
    seconds["write"] = time.perf_counter() - t0
    return summarise(frame, seconds)


def summarise(frame: pd.DataFrame, seconds: dict) -> ChunkSummary:
    screened_out = int((frame["stage"] == STAGE_SCREENED_OUT).sum()) if len(frame) else 0
    return ChunkSummary(len(frame), int(frame["flagged"].sum()) if len(frame) else 0,
                        Counter(frame["category"].tolist()), seconds, screened_out)


def _chunks(outcomes: Iterator[Outcome], size: int) -> Iterator[list[Outcome]]:
    while True:
        chunk = list(islice(outcomes, size))
        if not chunk:
            return
        yield chunk


def run_settings(files: Sequence[Path], bundle: Bundle, options: ScoreOptions, ingest_options: IngestOptions) -> dict:
    """Everything a finished chunk depends on; ``--resume`` continues only when all of it is unchanged."""
    inputs = []
    for path in files:
        stat = path.stat()
        inputs.append([str(path.resolve()), stat.st_size, stat.st_mtime_ns])
    return {"inputs": inputs, "model": bundle.model_id, "chunk_size": options.chunk_size,
            "threshold": options.threshold, "lang": options.lang, "use_screen": options.use_screen,
            "operating_point": options.operating_point, "ingest": asdict(ingest_options)}


def _fingerprint(settings: dict) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()


# Settings that an option sets, and how to give the interrupted run's value back.
_OPTION_OF = {
    "chunk_size": lambda v: f"--chunk-size {v}",
    "threshold": lambda v: "no --threshold" if v is None else f"--threshold {v}",
    "lang": lambda v: f"--lang {v}",
    "use_screen": lambda v: "no --no-screen" if v else "--no-screen",
    "operating_point": lambda v: "no --operating-point" if v is None else f"--operating-point {v}",
    "format": lambda v: "no --format" if v is None else f"--format {v}",
    "encoding": lambda v: "no --encoding" if v is None else f"--encoding {v}",
    "text_column": lambda v: "no --text-column" if v is None else f"--text-column {v}",
    "id_column": lambda v: "no --id-column" if v is None else f"--id-column {v}",
    "platform": lambda v: "no --platform" if v is None else f"--platform {v}",
    "max_text_bytes": lambda v: f"--max-text-kb {int(v) // 1024}",
    "timezone": lambda v: f"--timezone {v}",
}


def settings_changes(before: dict, now: dict) -> tuple[list[str], list[str]]:
    """What differs between an interrupted run and this one: (descriptions, options that restore it)."""
    changes, options = [], []
    for name in ("chunk_size", "threshold", "lang", "use_screen", "operating_point"):
        if before.get(name) != now.get(name):
            changes.append(f"{name.replace('_', ' ')} was {before.get(name)}, now {now.get(name)}")
            options.append(_OPTION_OF[name](before.get(name)))
    for name, value in now["ingest"].items():
        if before.get("ingest", {}).get(name) != value:
            old = before.get("ingest", {}).get(name)
            changes.append(f"{name.replace('_', ' ')} was {old}, now {value}")
            if name in _OPTION_OF:
                options.append(_OPTION_OF[name](old))
    if before.get("model") != now["model"]:
        changes.append(f"the model was {before.get('model')}, now {now['model']}")
        options.append(f"--model pointing at {before.get('model')}")
    old_inputs = {path: (size, mtime) for path, size, mtime in before.get("inputs", [])}
    new_inputs = {path: (size, mtime) for path, size, mtime in now["inputs"]}
    for path in new_inputs.keys() - old_inputs.keys():
        changes.append(f"input {path} is new")
    for path in old_inputs.keys() - new_inputs.keys():
        changes.append(f"input {path} is gone")
    for path in sorted(old_inputs.keys() & new_inputs.keys()):
        if old_inputs[path] != new_inputs[path]:
            changes.append(f"input {path} changed (size or modification time)")
    return changes, options


def check_outputs(out_dir: Path, options: ScoreOptions) -> None:
    """Refuse to overwrite a finished run, or to discard an interrupted one, without being asked."""
    state = _load_state(out_dir / PARTS_DIR)
    if state is not None and not (options.force or options.resume):
        raise OutputExistsError(
            f"{out_dir} holds an interrupted run ({state.get('completed', 0)} chunks finished).",
            "Pass --resume to continue it, or --force to discard it and start over.")
    existing = [name for name in OUTPUT_FILES if (out_dir / name).exists()]
    if state is None and existing and not options.force:
        if options.resume:
            raise OutputExistsError(f"{out_dir} holds a finished run ({', '.join(existing)}); there is nothing to resume.",
                                    "Pass --force to score it again, or choose another --out.")
        raise OutputExistsError(f"{out_dir} already holds outputs ({', '.join(existing)}).", "Pass --force to overwrite, or choose another --out.")


@contextlib.contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """One run at a time in ``out_dir``; stale temporaries of killed runs are removed once it is ours."""
    with exclusive_lock(Path(out_dir) / LOCK_FILE, f"The output folder {out_dir}",
                        "Wait for the other run to finish (or stop it), or choose another --out."):
        remove_stale_temporaries(out_dir, OUTPUT_FILES)
        remove_stale_temporaries(Path(out_dir) / PARTS_DIR)
        yield


def score_collection(
    paths: Sequence[Path], out_dir: Path, bundle: Bundle, ingest_options: IngestOptions, options: ScoreOptions
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


def _score_locked(files: list[Path], left_out: list[dict], out_dir: Path, bundle: Bundle, ingest_options: IngestOptions,
                  options: ScoreOptions) -> dict:
    started = time.perf_counter()
    parts = out_dir / PARTS_DIR
    check_outputs(out_dir, options)
    settings = run_settings(files, bundle, options, ingest_options)
    fingerprint = _fingerprint(settings)
    state = _load_state(parts) if options.resume else None
    if state and state["fingerprint"] != fingerprint:
        if "settings" not in state:
            raise InputError("--resume was asked for, but the inputs, model or settings changed since the interrupted run.",
                             "Re-run with the interrupted run's options, or pass --force without --resume to start over.")
        changes, restore = settings_changes(state["settings"], settings)
        hint = (f"Re-run with {', '.join(restore)} and --resume, or pass --force without --resume to start over."
                if restore and not any(change.startswith("input ") for change in changes)
                else "Pass --force without --resume to start over (the finished chunks are discarded).")
        raise InputError(f"--resume refused: {'; '.join(changes)}.", hint)
    if not state:
        shutil.rmtree(parts, ignore_errors=True)
        state = {"fingerprint": fingerprint, "settings": settings, "completed": 0}
    parts.mkdir(parents=True, exist_ok=True)

    seen = SeenPosts()
    totals = _Totals()
    for index in range(state["completed"]):
        _replay_part(parts, index, seen, totals)
    state["resumed_chunks"] = state["completed"]

    jobs = max(1, options.jobs)
    pending: deque = deque()
    with ChunkPool(jobs, make_chunk_scorer, (bundle, options.threshold, options.lang, options.use_screen,
                                             options.operating_point)) as pool:
        notes: list[dict] = list(left_out)
        outcomes = iter_outcomes(files, ingest_options, notes)
        t_read = time.perf_counter()
        for index, chunk in enumerate(progress.read_chunks(_chunks(outcomes, options.chunk_size), files, "Reading and scoring")):
            if index < state["completed"]:
                t_read = time.perf_counter()
                continue
            posts, text_keys, id_keys, side = _split_chunk(chunk, seen, totals.scored + sum(p[3] for p in pending))
            totals.seconds["read"] += time.perf_counter() - t_read
            future = pool.submit(score_chunk_to_part, posts, text_keys, id_keys,
                                 _part_path(parts, index, "scored"), _signature_path(parts, index))
            pending.append((index, future, side, len(posts)))
            # A few chunks in flight keep every worker busy without holding the collection.
            while len(pending) > jobs:
                _complete(pending.popleft(), parts, state, totals)
            t_read = time.perf_counter()
        while pending:
            _complete(pending.popleft(), parts, state, totals)

    del seen  # the duplicate keys are not needed any more; clustering needs the room
    report = finish(out_dir, parts, bundle.model_id, threshold_of(bundle, options), totals, options)
    report["screen"] = screen_report(bundle, options, totals)
    report["operating_point"] = options.operating_point or ("custom" if options.threshold is not None else "high")
    report["files"] = [str(f) for f in files]
    report["file_notes"] = notes
    report["engine"] = {"name": "local", "jobs": jobs, "chunk_size": options.chunk_size,
                        "resumed_chunks": state["resumed_chunks"]}
    report["seconds"]["total"] = round(time.perf_counter() - started, 3)
    write_json(out_dir / "report.json", report)
    remove_parts(parts)
    return report


def remove_parts(parts: Path) -> None:
    """Remove a finished run's parts; the state goes first, so a kill midway leaves a finished run."""
    (parts / STATE_FILE).unlink(missing_ok=True)
    shutil.rmtree(parts, ignore_errors=True)


def threshold_of(bundle: Bundle, options: ScoreOptions) -> float:
    return bundle.threshold_for(options.operating_point) if options.threshold is None else float(options.threshold)


def _split_chunk(chunk: list[Outcome], seen: SeenPosts, first_index: int) -> tuple[list[dict], list[int], list[int], dict]:
    """New posts to score, and the side rows (skipped, quarantined, duplicates) of one chunk."""
    posts, text_keys, id_keys = [], [], []
    side: dict[str, list[dict]] = {"quarantine": [], "duplicates": [], "skipped": []}
    candidates = [o.post for o in chunk if o.status == "post"]
    all_text_keys = [text_key(post["text"]) for post in candidates]
    all_id_keys = [id_key(post["post_id"]) for post in candidates]
    earlier_texts, earlier_ids = seen.lookup(all_text_keys, all_id_keys)
    candidate = 0
    for outcome in chunk:
        if outcome.status == "skipped":
            side["skipped"].append({"source_file": outcome.record.source_file, "source_record": outcome.record.source_record, "reason": outcome.reason})
            continue
        if outcome.status == "quarantined":
            side["quarantine"].append(quarantine_row(outcome))
            continue
        post = outcome.post
        tkey, ikey = all_text_keys[candidate], all_id_keys[candidate]
        original = seen.first_with_text(tkey, int(earlier_texts[candidate]))
        id_taken = seen.id_used(ikey, bool(earlier_ids[candidate]))
        candidate += 1
        if original >= 0:
            side["duplicates"].append({"post_id": post["post_id"], "duplicate_of_index": original,
                                       "source_file": outcome.record.source_file, "source_record": outcome.record.source_record})
            continue
        if id_taken:
            side["quarantine"].append(quarantine_row(outcome, f"post_id {post['post_id']} already used by a different post (pass --id-column or fix the ids)"))
            continue
        seen.add(tkey, ikey, first_index + len(posts))
        posts.append(post)
        text_keys.append(tkey)
        id_keys.append(ikey)
    seen.flush()
    return posts, text_keys, id_keys, side


def _complete(item: tuple, parts: Path, state: dict, totals: _Totals) -> None:
    """Wait for a chunk's worker, write its side parts, and only then mark it finished."""
    index, future, side, _ = item
    summary: ChunkSummary = future.result()
    t0 = time.perf_counter()
    write_side_parts(parts, index, side)
    for stage, seconds in summary.seconds.items():
        totals.seconds[stage] += seconds
    _tally(totals, summary, side)
    state["completed"] = index + 1
    write_json(parts / STATE_FILE, state)
    totals.seconds["write"] += time.perf_counter() - t0


def write_side_parts(parts: Path, index: int, side: dict) -> None:
    _write_part(_part_path(parts, index, "quarantine"), side["quarantine"], schema.QUARANTINE_COLUMNS)
    _write_part(_part_path(parts, index, "duplicates"), side["duplicates"], DUPLICATE_PART_COLUMNS)
    _write_part(_part_path(parts, index, "skipped"), side["skipped"], schema.SKIPPED_COLUMNS)


def _load_state(parts: Path) -> dict | None:
    path = parts / STATE_FILE
    return json.loads(path.read_text()) if path.is_file() else None


def _part_path(parts: Path, index: int, kind: str) -> Path:
    return parts / f"{kind}-{index:06d}.parquet"


def _signature_path(parts: Path, index: int) -> Path:
    return parts / f"signatures-{index:06d}.npy"


def _write_part(path: Path, rows: list[dict], columns: Sequence[str]) -> None:
    frame = pd.DataFrame(rows, columns=list(columns))
    if "duplicate_of_index" in frame:
        frame["duplicate_of_index"] = frame["duplicate_of_index"].astype(np.int64)
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)


def _tally(totals: _Totals, summary: ChunkSummary, side: dict) -> None:
    totals.read += summary.scored + sum(len(rows) for rows in side.values())
    totals.scored += summary.scored
    totals.flagged += summary.flagged
    totals.screened_out += summary.screened_out
    totals.categories.update(summary.categories)
    totals.quarantined += len(side["quarantine"])
    totals.duplicates += len(side["duplicates"])
    totals.skipped += len(side["skipped"])
    totals.reasons.update(str(q["reason"]).split(" (")[0] for q in side["quarantine"])


def _replay_part(parts: Path, index: int, seen: SeenPosts, totals: _Totals) -> None:
    """Rebuild the running state from a chunk finished before an interruption."""
    scored = pd.read_parquet(_part_path(parts, index, "scored"), columns=["text_key", "id_key", "flagged", "category", "stage"])
    first = totals.scored
    seen.texts.extend(scored["text_key"].to_numpy(), np.arange(first, first + len(scored)))
    seen.ids.extend(scored["id_key"].to_numpy(), np.arange(first, first + len(scored)))
    side = {kind: pd.read_parquet(_part_path(parts, index, kind)).to_dict("records") for kind in ("quarantine", "duplicates", "skipped")}
    _tally(totals, summarise(scored, {}), side)


def _part_files(parts: Path, kind: str) -> list[Path]:
    return sorted(parts.glob(f"{kind}-*.parquet"))


def cluster_parts(signature_files: Sequence[Path], threshold: float = dedup.SIMILARITY, bands: int = BANDS) -> np.ndarray:
    """Near-duplicate cluster roots over signatures stored one file per chunk.

    Same clusters as ``dedup.cluster_signatures`` on all signatures at once, but memory stays
    small at millions of posts: one band (or one hash position) of every post is in memory at a
    time, candidate pairs are verified band by band instead of being collected for all bands,
    and pairs already joined by an earlier band are dropped before they are checked.
    """
    stores = [np.load(path, mmap_mode="r") for path in signature_files]
    count = sum(store.shape[1] for store in stores)
    roots = np.arange(count, dtype=np.int64)
    if count == 0:
        return roots
    rows = NUM_PERM // bands
    for band in range(bands):
        anchors, members = dedup.candidate_pairs(_band_hash(stores, band * rows, rows))
        open_pairs = roots[anchors] != roots[members]
        anchors, members = anchors[open_pairs], members[open_pairs]
        if len(anchors) == 0:
            continue
        similar = _agreement(stores, anchors, members) >= threshold * NUM_PERM
        anchors, members = anchors[similar], members[similar]
        if len(anchors) == 0:
            continue
        # Each post keeps an edge to its current root, so earlier bands' clusters stay joined.
        joined = np.flatnonzero(roots != np.arange(count))
        roots = dedup.roots_from_pairs(count, np.concatenate([joined, anchors]), np.concatenate([roots[joined], members]))
    return roots


def _band_hash(stores: Sequence[np.ndarray], first_row: int, rows: int) -> np.ndarray:
    """One 64-bit key per post for hash rows ``first_row``..+``rows`` of its signature.

    Two posts with equal band rows always get equal keys; a rare collision between different
    rows only proposes a pair, which the full-signature check then rejects.
    """
    key = np.zeros(sum(store.shape[1] for store in stores), dtype=np.uint64)
    for row in range(first_row, first_row + rows):
        column = np.concatenate([np.asarray(store[row]) for store in stores]).astype(np.uint64)
        key = (key * np.uint64(0x100000001B3)) ^ (column * np.uint64(0x9E3779B97F4A7C15))
    return key


def _agreement(stores: Sequence[np.ndarray], anchors: np.ndarray, members: np.ndarray) -> np.ndarray:
    """How many of the signature positions two posts share, for each (anchor, member) pair."""
    equal = np.zeros(len(anchors), dtype=np.int16)
    for position in range(NUM_PERM):
        column = np.concatenate([np.asarray(store[position]) for store in stores])
        equal += column[anchors] == column[members]
    return equal


def _queue_rows(items: list[tuple[float, int, int, int]], scored_parts: list[Path], roots: np.ndarray, sizes: np.ndarray,
                root_names: dict[int, str]) -> list[dict]:
    """The review queue's rows, read back from the parts, in queue order."""
    by_part: dict[int, list[int]] = {}
    for _, _, part_number, row_number in items:
        by_part.setdefault(part_number, []).append(row_number)
    found: dict[tuple[int, int], dict] = {}
    for part_number, row_numbers in by_part.items():
        frame = pd.read_parquet(scored_parts[part_number]).drop(columns=["text_key", "id_key"]).astype({"flagged": bool})
        for row_number in row_numbers:
            found[(part_number, row_number)] = frame.iloc[row_number].to_dict()
    rows = []
    for _, negative_position, part_number, row_number in items:
        row = found[(part_number, row_number)]
        position = -negative_position - 1
        root = int(roots[position])
        row["cluster_id"] = f"c_{row['post_id']}" if root == position else f"c_{root_names[root]}"
        row["cluster_size"] = int(sizes[root])
        rows.append(row)
    return rows


def as_people_read(rows: list[dict], lang: str) -> Iterator[dict]:
    """Queue rows for the workbook people open: reasons quote the post as written, with no
    normalised token or placeholder (the CSVs keep the machine form)."""
    from pipeline.review.reasons import readable

    for row in rows:
        yield {**row, "reasons": readable(str(row.get("text", "")), str(row.get("reasons", "")), lang,
                                          str(row.get("contacts", "")), str(row.get("destinations", "")))}


def screen_report(bundle: Bundle, options: ScoreOptions, totals: _Totals) -> dict:
    """What the run report says of the screen: its threshold, how many posts it passed, and the
    share of positives it screened out when measured out of fold at training time."""
    trained = bundle.manifest.get("screen", {})
    passed = totals.scored - totals.screened_out
    return {"enabled": options.use_screen, "threshold": trained.get("threshold"), "passed": passed,
            "screened_out": totals.screened_out, "share_passed": passed / totals.scored if totals.scored else None,
            "measured_loss_out_of_fold": trained.get("measured_loss"), "max_loss": trained.get("max_loss")}


def finish(out_dir: Path, parts: Path, model_id: str, threshold: float, totals: _Totals, options: ScoreOptions) -> dict:
    """Cluster near-duplicates and stream the parts into the final outputs; returns the report."""
    t0 = time.perf_counter()
    scored_parts = _part_files(parts, "scored")
    with progress.stage("Clustering near-duplicates"):
        roots = cluster_parts([_signature_path(parts, int(p.stem.rsplit("-", 1)[1])) for p in scored_parts])
    sizes = np.bincount(roots, minlength=len(roots)) if len(roots) else np.zeros(0, np.int64)
    wanted = np.unique(np.concatenate([pd.read_parquet(p, columns=["duplicate_of_index"])["duplicate_of_index"].to_numpy(np.int64)
                                       for p in _part_files(parts, "duplicates")] or [np.zeros(0, np.int64)]))
    totals.seconds["cluster"] += time.perf_counter() - t0

    t1 = time.perf_counter()
    # The review queue keeps only (score, order, part, row) for its top-N; the rows themselves are
    # read back from the parts afterwards, so a long queue costs 32 bytes a post, not a full row.
    queue: list[tuple[float, int, int, int]] = []
    root_names: dict[int, str] = {}     # only roots of clusters with more than one post
    originals: dict[int, str] = {}      # only posts that later posts duplicate exactly
    position = 0

    def scored_frames() -> Iterator[pd.DataFrame]:
        nonlocal position
        for part_number, path in enumerate(scored_parts):
            frame = pd.read_parquet(path).drop(columns=["text_key", "id_key"]).astype({"flagged": bool})
            start, position = position, position + len(frame)
            post_ids = frame["post_id"].astype(str).to_numpy()
            for index in wanted[(wanted >= start) & (wanted < position)]:
                originals[int(index)] = str(post_ids[int(index) - start])
            rows = np.arange(start, position)
            part_roots = roots[rows]
            frame["cluster_size"] = sizes[part_roots]
            # A cluster's root is its first post, so it is in this part or an earlier one.
            for row in np.flatnonzero((part_roots == rows) & (frame["cluster_size"].to_numpy() > 1)):
                root_names[int(rows[row])] = str(post_ids[row])
            frame["cluster_id"] = [f"c_{post_id}" if root == row else f"c_{root_names[int(root)]}"
                                   for post_id, root, row in zip(post_ids, part_roots, rows)]
            flagged = np.flatnonzero(frame["flagged"].to_numpy())
            for row_number, score in zip(flagged.tolist(), frame["score"].to_numpy()[flagged].tolist()):
                item = (float(score), -(start + row_number + 1), part_number, row_number)
                if len(queue) < options.queue_limit:
                    heapq.heappush(queue, item)
                else:
                    heapq.heappushpop(queue, item)
            yield frame

    with progress.bar("Writing scored.csv", total=totals.scored) as writing:
        write_csv_frames(out_dir / "scored.csv", progress.counted(scored_frames(), writing), schema.SCORED_COLUMNS)
    with progress.stage("Writing the review queue and side files"):
        ordered = _queue_rows(sorted(queue, key=lambda item: (-item[0], -item[1])), scored_parts, roots, sizes, root_names)
        write_csv(out_dir / "review_queue.csv", ordered, schema.SCORED_COLUMNS)
        # The CSVs keep post text exactly, for programs; people open the workbook, where text is text.
        write_xlsx_text(out_dir / "review_queue.xlsx", as_people_read(ordered, options.lang), schema.SCORED_COLUMNS,
                        numeric=("score", "cluster_size"), sheet="review_queue")

        def duplicate_rows() -> Iterator[dict]:
            for path in _part_files(parts, "duplicates"):
                for row in pd.read_parquet(path).to_dict("records"):
                    row["duplicate_of"] = originals[int(row.pop("duplicate_of_index"))]
                    yield row

        write_csv(out_dir / "duplicates.csv", duplicate_rows(), schema.DUPLICATE_COLUMNS)
        for kind, columns, name in (("quarantine", schema.QUARANTINE_COLUMNS, "quarantine.csv"),
                                    ("skipped", schema.SKIPPED_COLUMNS, "skipped.csv")):
            write_csv(out_dir / name, (row for path in _part_files(parts, kind) for row in pd.read_parquet(path).to_dict("records")), columns)
    totals.seconds["write"] += time.perf_counter() - t1

    balanced = totals.read == totals.scored + totals.quarantined + totals.duplicates + totals.skipped
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
            "in_review_queue": len(ordered),
        },
        "counts_balance": balanced,
        "balance_rule": "read = scored + quarantined + duplicates + skipped",
        "categories": dict(totals.categories),
        "quarantine_reasons": dict(totals.reasons),
        "review_queue_truncated": totals.flagged > len(ordered),
        "seconds": {stage: round(totals.seconds.get(stage, 0.0), 3) for stage in STAGES},
        "seconds_note": "normalise, indicators, vectorise, model and explain are summed over worker processes; total is wall-clock",
        "outputs": {name: str(out_dir / name) for name in OUTPUT_FILES},
    }
