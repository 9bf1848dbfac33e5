"""The one accounted stream: every record read ends exactly once as a post, a duplicate, a skip
or a quarantine entry.

``waspada ingest``, ``waspada score`` and the Dask engine all consume :func:`iter_outcomes`.
Records are counted where they are read (:class:`~pipeline.ingest.core.ReadTally`); what each
consumer counts downstream must add up to that count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pipeline import schema
from pipeline.dedup import CONFLICT, DuplicateRule, ExactDuplicates
from pipeline.ingest import fields as F
from pipeline.ingest.core import (
    FileNote,
    IngestOptions,
    ReadTally,
    blank_file_note,
    check_options,
    file_records,
    scan_inputs,
)
from pipeline.ingest.records import RawRecord
from pipeline.schema import Post, QuarantineRow, SkippedRow

Status = Literal["post", "duplicate", "skipped", "quarantined"]


@dataclass
class Outcome:
    """What became of one input record."""

    status: Status
    record: RawRecord
    post: Post | None = None
    reason: str = ""
    # A duplicate's original: its number among the run's kept posts, in the order they were read.
    duplicate_of: int = -1
    # Quarantined because a different post already has this post id.
    id_conflict: bool = False


def to_post(record: RawRecord, options: IngestOptions, collected_at: str, tz: ZoneInfo) -> Outcome:
    if record.skip:
        return Outcome("skipped", record, reason=record.skip)
    if record.problem:
        return Outcome("quarantined", record, reason=record.problem)
    column, text = F.text_of(record.fields, options.text_column)
    # NUL is the one character the canonical text drops: CSV readers downstream refuse it.
    text = text.replace("\x00", "")
    if column is None:
        wanted = options.text_column or ", ".join(schema.TEXT_COLUMN_NAMES[:8]) + ", …"
        return Outcome(
            "quarantined",
            record,
            reason=f"missing text column (looked for {wanted}; pass --text-column)",
        )
    if not text.strip():
        return Outcome("quarantined", record, reason="empty text")
    size = len(text.encode("utf-8", errors="surrogateescape"))
    if size > options.max_text_bytes:
        return Outcome(
            "quarantined",
            record,
            reason=f"record too large ({size // 1024} KB of text, limit {options.max_text_bytes // 1024} KB; raise --max-text-kb)",
        )
    url = F.url_of(record.fields)
    platform = F.platform_of(record.fields, url, record.platform, options.platform)
    author = F.author_of(record.fields)
    post_id = F.id_of(record.fields, options.id_column) or schema.content_post_id(
        text, platform, author
    )
    post: Post = {
        "post_id": post_id,
        "text": text,
        "platform": platform,
        "author": author,
        "posted_at": F.time_of(record.fields, tz),
        "url": url,
        "source_file": record.source_file,
        "source_record": record.source_record,
        "collected_at": collected_at,
    }
    return Outcome("post", record, post)


def iter_outcomes(
    paths: Sequence[Path],
    options: IngestOptions,
    notes: list[FileNote] | None = None,
    *,
    tally: ReadTally | None = None,
    duplicates: DuplicateRule | None = None,
    batch: int = 1000,
) -> Iterator[Outcome]:
    """Stream the outcome of every record of every input, without holding them all.

    Exact duplicates are decided by ``duplicates`` (a fresh :class:`~pipeline.dedup.ExactDuplicates`
    when not given), ``batch`` records at a time. ``tally`` counts the records as they are read.
    ``notes`` (when given) receives one dict per file that needs a word in the report: a file
    not read, or a file none of whose records had a text column (``problem`` true: nothing of
    it was scored and the person has to act).
    """
    return mark_duplicates(
        read_outcomes(paths, options, notes, tally), duplicates or ExactDuplicates(), batch
    )


def read_outcomes(
    paths: Sequence[Path],
    options: IngestOptions,
    notes: list[FileNote] | None = None,
    tally: ReadTally | None = None,
) -> Iterator[Outcome]:
    """Every record as a post, a skip or a quarantine entry, before exact duplicates are decided."""
    check_options(options)
    files, left_out = scan_inputs(paths)
    if notes is not None:
        notes.extend(left_out)
    collected_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    tz = ZoneInfo(options.timezone)
    for path in files:
        blank = blank_file_note(path)
        if blank:
            if notes is not None:
                notes.append(blank)
            continue
        records = missing = 0
        example: dict | None = None
        for record in file_records(path, options, notes, tally):
            outcome = to_post(record, options, collected_at, tz)
            records += 1
            if outcome.reason.startswith("missing text column"):
                missing += 1
                example = example or record.fields
            yield outcome
        if notes is not None and records and missing == records:
            notes.append(no_text_column_note(str(path), example or {}, options))


def mark_duplicates(
    outcomes: Iterable[Outcome], rule: DuplicateRule, batch: int = 1000
) -> Iterator[Outcome]:
    """The same outcomes, in order, with ``rule`` applied to the posts ``batch`` records at a time:
    a later exact copy becomes a duplicate, a post reusing a kept post's id is quarantined."""
    outcomes = iter(outcomes)
    while chunk := list(islice(outcomes, batch)):
        candidates = [outcome for outcome in chunk if outcome.status == "post"]
        posts = [outcome.post for outcome in candidates if outcome.post is not None]
        decisions = rule.decide(posts).tolist() if posts else []
        for outcome, post, decision in zip(candidates, posts, decisions, strict=True):
            if decision == CONFLICT:
                outcome.status, outcome.id_conflict = "quarantined", True
                outcome.reason = id_conflict_reason(post["post_id"])
            elif decision >= 0:
                outcome.status, outcome.duplicate_of = "duplicate", decision
        yield from chunk


def id_conflict_reason(post_id: str) -> str:
    return f"post_id {post_id} already used by a different post (pass --id-column or fix the ids)"


def no_text_column_note(file: str, fields: dict, options: IngestOptions) -> FileNote:
    """The report's word on a file none of whose records had a text column, naming the likely one."""
    columns = [str(key) for key in fields]
    longest = max(
        fields,
        key=lambda key: len(str(fields[key])) if isinstance(fields[key], str) else -1,
        default=None,
    )
    looked = options.text_column or ", ".join(schema.TEXT_COLUMN_NAMES[:8]) + ", …"
    note = (
        f"{file}: no text column (looked for {looked}; the file has {', '.join(columns[:12]) or 'no columns'}); "
        "its records were quarantined, none was scored"
    )
    hint = (
        f"Pass --text-column {longest} (the column holding the post text)."
        if longest is not None
        else "Pass --text-column NAME."
    )
    return {"file": file, "note": note, "hint": hint, "problem": True}


_LINE_RE = re.compile(r"\s*\b(?:on )?line \d+\b")


def reason_kind(reason: str) -> str:
    """A reason without its details and line numbers, for counting reasons in the report."""
    return _LINE_RE.sub("", reason.split(" (")[0]).strip()


def quarantine_row(outcome: Outcome) -> QuarantineRow:
    return {
        "source_file": outcome.record.source_file,
        "source_record": outcome.record.source_record,
        "reason": outcome.reason,
        "raw": (outcome.record.raw or "")[:5000],
    }


def skipped_row(outcome: Outcome) -> SkippedRow:
    return {
        "source_file": outcome.record.source_file,
        "source_record": outcome.record.source_record,
        "reason": outcome.reason,
    }
