"""All posts of the inputs in one table, with the rows of the side files and the checked counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import schema
from pipeline.errors import CountsError
from pipeline.ingest.core import FileNote, IngestOptions, ReadTally
from pipeline.ingest.outcomes import iter_outcomes, quarantine_row, reason_kind, skipped_row
from pipeline.schema import DuplicateRow, Post, QuarantineRow, SkippedRow

BALANCE_RULE = "read = ingested + duplicates + skipped + quarantined"


@dataclass
class IngestResult:
    """Canonical posts plus the rows of quarantine.csv, skipped.csv and duplicates.csv, and the counts."""

    posts: pd.DataFrame
    quarantine: list[QuarantineRow] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    duplicates: list[DuplicateRow] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    notes: list[FileNote] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        c = self.counts
        return c["read"] == c["ingested"] + c["duplicates"] + c["skipped"] + c["quarantined"]

    def check_balance(self) -> None:
        if not self.balanced:
            c = self.counts
            accounted = c["ingested"] + c["duplicates"] + c["skipped"] + c["quarantined"]
            raise CountsError(
                f"Counts do not add up: {c['read']} records were read, but {accounted} are accounted for "
                f"({c['ingested']} ingested, {c['duplicates']} duplicates, {c['skipped']} skipped, "
                f"{c['quarantined']} quarantined).",
                "This is a fault in Waspada, not in the data: keep the inputs and report it.",
            )


def ingest(paths: Sequence[Path], options: IngestOptions | None = None) -> IngestResult:
    """Read every input into canonical posts; account for every record."""
    options = options or IngestOptions()
    posts: list[Post] = []
    result = IngestResult(pd.DataFrame())
    reasons: Counter = Counter()
    skip_reasons: Counter = Counter()
    tally = ReadTally()
    notes: list[FileNote] = []
    for outcome in iter_outcomes(paths, options, notes, tally=tally):
        if outcome.status == "skipped":
            result.skipped.append(skipped_row(outcome))
            skip_reasons[reason_kind(outcome.reason)] += 1
        elif outcome.status == "quarantined":
            result.quarantine.append(quarantine_row(outcome))
            reasons["post_id conflict" if outcome.id_conflict else reason_kind(outcome.reason)] += 1
        elif outcome.status == "duplicate":
            assert outcome.post is not None
            result.duplicates.append(
                {
                    "post_id": outcome.post["post_id"],
                    "duplicate_of": posts[outcome.duplicate_of]["post_id"],
                    "source_file": outcome.record.source_file,
                    "source_record": outcome.record.source_record,
                }
            )
        else:
            assert outcome.post is not None
            posts.append(outcome.post)
    result.posts = pd.DataFrame(posts, columns=list(schema.POST_COLUMNS))
    result.counts = {
        "read": tally.read,
        "ingested": len(posts),
        "duplicates": len(result.duplicates),
        "skipped": len(result.skipped),
        "quarantined": len(result.quarantine),
        "by_file": dict(tally.by_file),
        "quarantine_reasons": dict(reasons),
        "skip_reasons": dict(skip_reasons),
    }
    result.notes = notes
    result.check_balance()
    return result
