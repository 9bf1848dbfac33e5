"""Part files: what a run keeps of each finished chunk until the outputs are assembled.

For chunk (or Dask partition) N, the run's parts folder holds

- ``scored-N.parquet``: the scored rows (the scored.csv columns but the cluster ones);
- ``signatures-N.npy``: their MinHash signatures, one column per row;
- ``quarantine-N.parquet``, ``duplicates-N.parquet``, ``skipped-N.parquet``: the side rows;

and ``state.json`` says how many chunks are finished and with which settings. A chunk counts as
finished only once all of its parts are written, so ``--resume`` can trust every part it finds.

Both engines write parts and count them (:func:`tally`) through this module only, which is what
keeps their outputs identical.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NotRequired, TypedDict

import numpy as np
import pandas as pd

from pipeline import schema
from pipeline.fileio import atomic_path, write_json
from pipeline.ingest.outcomes import Outcome, quarantine_row, skipped_row
from pipeline.modeling.model import STAGE_SCREENED_OUT
from pipeline.schema import Post, QuarantineRow, SkippedRow

PARTS_DIR = ".parts"
STATE_FILE = "state.json"
# The reasons as a person reads them (quoting the post as written) are found in the worker, for
# flagged posts only, and read back for the review workbook; scored.csv keeps the machine form.
AS_WRITTEN = "reasons_as_written"
PART_COLUMNS = [*schema.SCORED_COLUMNS[:-2], AS_WRITTEN]
DUPLICATE_PART_COLUMNS = ["post_id", "duplicate_of_index", "source_file", "source_record"]

PartKind = Literal["scored", "quarantine", "duplicates", "skipped"]


class DuplicatePartRow(TypedDict):
    """A duplicate as a part keeps it: the original is named by its row in scored.csv, whose
    post id is known only when the outputs are assembled."""

    post_id: str
    duplicate_of_index: int
    source_file: str
    source_record: int


class RunState(TypedDict):
    """state.json: the settings a run was started with and how many chunks are finished."""

    fingerprint: str
    settings: dict
    completed: int
    resumed_chunks: NotRequired[int]


@dataclass
class SideRows:
    """The rows of one chunk that are not scored."""

    quarantine: list[QuarantineRow] = field(default_factory=list)
    duplicates: list[DuplicatePartRow] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)


@dataclass
class ChunkSummary:
    """What a worker reports back for one scored chunk (the rows themselves are in the part)."""

    scored: int
    flagged: int
    categories: Counter
    seconds: dict
    screened_out: int = 0


@dataclass
class Totals:
    """A run's counts. ``read`` comes from the readers; everything else is tallied from the
    parts, so the balance compares two independent counts."""

    read: int = 0
    scored: int = 0
    flagged: int = 0
    screened_out: int = 0
    quarantined: int = 0
    duplicates: int = 0
    skipped: int = 0
    reasons: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    @property
    def accounted(self) -> int:
        return self.scored + self.quarantined + self.duplicates + self.skipped

    @property
    def balanced(self) -> bool:
        return self.read == self.accounted


def split_outcomes(outcomes: Iterable[Outcome]) -> tuple[list[Post], SideRows]:
    """The posts to score and the side rows, from (a chunk of) the accounted stream."""
    posts: list[Post] = []
    side = SideRows()
    for outcome in outcomes:
        if outcome.status == "post" and outcome.post is not None:
            posts.append(outcome.post)
        elif outcome.status == "duplicate" and outcome.post is not None:
            side.duplicates.append(
                {
                    "post_id": outcome.post["post_id"],
                    "duplicate_of_index": outcome.duplicate_of,
                    "source_file": outcome.record.source_file,
                    "source_record": outcome.record.source_record,
                }
            )
        elif outcome.status == "quarantined":
            side.quarantine.append(quarantine_row(outcome))
        elif outcome.status == "skipped":
            side.skipped.append(skipped_row(outcome))
    return posts, side


def summarise(frame: pd.DataFrame, seconds: dict) -> ChunkSummary:
    screened_out = int((frame["stage"] == STAGE_SCREENED_OUT).sum()) if len(frame) else 0
    return ChunkSummary(
        len(frame),
        int(frame["flagged"].sum()) if len(frame) else 0,
        Counter(frame["category"].tolist()),
        seconds,
        screened_out,
    )


def tally(totals: Totals, summary: ChunkSummary, side: SideRows) -> None:
    """Add one finished chunk to the run's counts (all but ``read``)."""
    totals.scored += summary.scored
    totals.flagged += summary.flagged
    totals.screened_out += summary.screened_out
    totals.categories.update(summary.categories)
    totals.quarantined += len(side.quarantine)
    totals.duplicates += len(side.duplicates)
    totals.skipped += len(side.skipped)
    totals.reasons.update(str(row["reason"]).split(" (")[0] for row in side.quarantine)


def part_path(parts: Path, index: int, kind: PartKind) -> Path:
    return parts / f"{kind}-{index:06d}.parquet"


def signature_path(parts: Path, index: int) -> Path:
    return parts / f"signatures-{index:06d}.npy"


def part_files(parts: Path, kind: PartKind) -> list[Path]:
    """Every part of one kind, in chunk order."""
    return sorted(parts.glob(f"{kind}-*.parquet"))


def part_index(path: Path) -> int:
    """The chunk a part file belongs to."""
    return int(path.stem.rsplit("-", 1)[1])


def write_scored(parts: Path, index: int, frame: pd.DataFrame) -> None:
    with atomic_path(part_path(parts, index, "scored")) as tmp:
        frame.to_parquet(tmp, index=False)


def write_signatures(parts: Path, index: int, signatures: np.ndarray) -> None:
    with atomic_path(signature_path(parts, index)) as tmp, open(tmp, "wb") as handle:
        np.save(handle, signatures)


def write_side_parts(parts: Path, index: int, side: SideRows) -> None:
    _write_rows(part_path(parts, index, "quarantine"), side.quarantine, schema.QUARANTINE_COLUMNS)
    _write_rows(part_path(parts, index, "duplicates"), side.duplicates, DUPLICATE_PART_COLUMNS)
    _write_rows(part_path(parts, index, "skipped"), side.skipped, schema.SKIPPED_COLUMNS)


def _write_rows(path: Path, rows: Sequence, columns: Sequence[str]) -> None:
    frame = pd.DataFrame(list(rows), columns=list(columns))
    if "duplicate_of_index" in frame:
        frame["duplicate_of_index"] = frame["duplicate_of_index"].astype(np.int64)
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)


def read_side_parts(parts: Path, index: int) -> SideRows:
    def rows(kind: PartKind) -> list:
        return pd.read_parquet(part_path(parts, index, kind)).to_dict("records")

    return SideRows(rows("quarantine"), rows("duplicates"), rows("skipped"))


def replay_part(parts: Path, index: int, totals: Totals) -> None:
    """Count a chunk finished before an interruption, from its parts."""
    scored = pd.read_parquet(
        part_path(parts, index, "scored"), columns=["flagged", "category", "stage"]
    )
    tally(totals, summarise(scored, {}), read_side_parts(parts, index))


def load_state(parts: Path) -> RunState | None:
    path = parts / STATE_FILE
    return json.loads(path.read_text()) if path.is_file() else None


def save_state(parts: Path, state: RunState) -> None:
    write_json(parts / STATE_FILE, state)


def remove_parts(parts: Path) -> None:
    """Remove a finished run's parts; the state goes first, so a kill midway leaves a finished run."""
    (parts / STATE_FILE).unlink(missing_ok=True)
    shutil.rmtree(parts, ignore_errors=True)
