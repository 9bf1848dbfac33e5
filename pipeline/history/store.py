"""The run history: every scored collection and the flagged posts it held, across runs.

A run is recorded from its output folder (``report.json`` and ``scored.csv``), never from the
scoring engine's internals, so runs scored earlier, elsewhere or by the Dask engine are recorded
the same way (``waspada history record DIR``).

What is kept, and why:

- ``history_runs``: one row per run — id, time, folder, model id, threshold and the counts of
  ``report.json``. The id is a hash of ``scored.csv``, so recording the same run twice is a no-op.
- ``history_posts``: one row per flagged post, keyed by ``(source, post_id)`` where the source is
  the post's platform (post ids are the platform's own ids or a content hash that includes the
  platform). Re-scoring a collection therefore never counts a post twice; the row keeps the run
  it was first seen in and is refreshed with the latest run's score, contacts (normalised keys,
  see :mod:`pipeline.history.contacts`), destinations and indicators. It also keeps the post's
  MinHash signature, so templates can be matched across runs with the same LSH rule as within
  a run (:mod:`pipeline.dedup` with the scoring settings).
- ``history_sightings``: which run saw which post, with the post's repost cluster in that run.

A run is written in one transaction: a crash while recording leaves the history as it was,
never a half-recorded run. The tables live in the review store's database by default (SQLite,
or PostgreSQL by URL) next to, but apart from, the review tables.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from pipeline import settings
from pipeline.errors import InputError
from pipeline.fileio import sha256_file
from pipeline.history.contacts import contact_keys
from pipeline.review.db import WRITE_OPTION, create_engine

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
CHUNK = 500
READ_COLUMNS = (
    "post_id",
    "score",
    "flagged",
    "category",
    "text",
    "platform",
    "author",
    "posted_at",
    "url",
    "indicators",
    "contacts",
    "destinations",
    "cluster_id",
    "cluster_size",
)

metadata = sa.MetaData()

history_schema = sa.Table(
    "history_schema",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.String(32), nullable=False),
)

history_runs = sa.Table(
    "history_runs",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False, unique=True),
    sa.Column("recorded_at", sa.String(32), nullable=False),
    sa.Column("run_dir", sa.Text, nullable=False, default=""),
    sa.Column("label", sa.Text, nullable=False, default=""),
    sa.Column("model_id", sa.String(128), nullable=False, default=""),
    sa.Column("threshold", sa.Float, nullable=True),
    sa.Column("read", sa.Integer, nullable=False, default=0),
    sa.Column("scored", sa.Integer, nullable=False, default=0),
    sa.Column("flagged", sa.Integer, nullable=False, default=0),
    sa.Column("quarantined", sa.Integer, nullable=False, default=0),
    sa.Column("duplicates", sa.Integer, nullable=False, default=0),
    sa.Column("skipped", sa.Integer, nullable=False, default=0),
    sa.Column("new_posts", sa.Integer, nullable=False, default=0),
    sa.Column("first_posted_at", sa.String(32), nullable=False, default=""),
    sa.Column("last_posted_at", sa.String(32), nullable=False, default=""),
)

history_posts = sa.Table(
    "history_posts",
    metadata,
    sa.Column("source", sa.String(64), primary_key=True),
    sa.Column("post_id", sa.String(255), primary_key=True),
    sa.Column("platform", sa.String(64), nullable=False, default=""),
    sa.Column("account", sa.Text, nullable=False, default=""),
    sa.Column("posted_at", sa.String(32), nullable=False, default=""),
    sa.Column("url", sa.Text, nullable=False, default=""),
    sa.Column("text", sa.Text, nullable=False, default=""),
    sa.Column("score", sa.Float, nullable=False, default=0.0),
    sa.Column("category", sa.String(32), nullable=False, default=""),
    sa.Column("indicators", sa.Text, nullable=False, default=""),
    sa.Column("destinations", sa.Text, nullable=False, default=""),
    sa.Column("contacts", sa.Text, nullable=False, default=""),
    sa.Column("signature", sa.LargeBinary, nullable=False),
    sa.Column("first_run", sa.String(64), nullable=False),
    sa.Column("last_run", sa.String(64), nullable=False),
)

history_sightings = sa.Table(
    "history_sightings",
    metadata,
    sa.Column("run_id", sa.String(64), sa.ForeignKey("history_runs.run_id"), primary_key=True),
    sa.Column("source", sa.String(64), primary_key=True),
    sa.Column("post_id", sa.String(255), primary_key=True),
    sa.Column("cluster_id", sa.String(255), nullable=False, default=""),
    sa.Column("score", sa.Float, nullable=False, default=0.0),
    sa.Index("ix_history_sightings_post", "source", "post_id"),
)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def signatures_of(texts: list[str]) -> np.ndarray:
    """MinHash signatures of post texts, exactly as the batch job computes them for clustering."""
    from pipeline.dedup import NUM_PERM, MinHasher, cluster_texts

    return MinHasher(num_perm=NUM_PERM).signatures(cluster_texts(texts))


@dataclass
class RecordResult:
    """What recording one run added to the history."""

    run_id: str
    seq: int
    run_dir: str
    flagged_posts: int
    new_posts: int
    already_recorded: bool = False

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class HistoryFrames:
    """The history as tables: runs (by seq), posts (one row per post) and sightings."""

    runs: pd.DataFrame
    posts: pd.DataFrame
    sightings: pd.DataFrame


class HistoryStore:
    """Open (creating the tables if needed) the run history at ``url``.

    >>> store = HistoryStore("sqlite:///data/review/review.sqlite")   # doctest: +SKIP
    >>> store.record_run(Path("runs/2026-11-28"))                     # doctest: +SKIP
    RecordResult(run_id='r3f2a...', seq=1, run_dir='runs/2026-11-28', flagged_posts=125, new_posts=125, ...)
    """

    def __init__(self, url: str | None = None):
        self.url = str(url or settings.history_db_url())
        self.engine = create_engine(self.url)
        with self._write() as conn:
            history_schema.create(conn, checkfirst=True)
            current = conn.execute(sa.select(sa.func.max(history_schema.c.version))).scalar() or 0
            if current > SCHEMA_VERSION:
                raise InputError(
                    f"The run history is at schema version {current}, newer than this Waspada understands ({SCHEMA_VERSION}).",
                    "Upgrade Waspada before recording into this history.",
                )
            if current < 1:
                for table in (history_runs, history_posts, history_sightings):
                    table.create(conn, checkfirst=True)
                conn.execute(sa.insert(history_schema).values(version=1, applied_at=utc_now()))

    def close(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # -- recording -------------------------------------------------------------------------

    def record_run(self, run_dir: Path, label: str = "") -> RecordResult:
        """Record the run in ``run_dir`` (its report.json and scored.csv) in one transaction."""
        run_dir = Path(run_dir)
        report_path, scored_path = run_dir / "report.json", run_dir / "scored.csv"
        for path in (report_path, scored_path):
            if not path.is_file():
                raise InputError(
                    f"{run_dir} is not a finished run: {path.name} is missing.",
                    f"Score a collection first: waspada score PATH --out {run_dir}",
                )
        report = json.loads(report_path.read_text(encoding="utf-8"))
        run_id = "r" + sha256_file(scored_path)[:15]
        counts = report.get("counts", {})
        with self._write() as conn:
            found = conn.execute(
                sa.select(history_runs.c.seq, history_runs.c.new_posts).where(
                    history_runs.c.run_id == run_id
                )
            ).first()
            if found is not None:
                return RecordResult(
                    run_id,
                    int(found.seq),
                    str(run_dir),
                    int(counts.get("flagged", 0) or 0),
                    int(found.new_posts),
                    already_recorded=True,
                )
            seq = int(conn.execute(sa.select(sa.func.max(history_runs.c.seq))).scalar() or 0) + 1
            conn.execute(
                sa.insert(history_runs).values(
                    run_id=run_id,
                    seq=seq,
                    recorded_at=utc_now(),
                    run_dir=str(run_dir),
                    label=label or run_dir.name,
                    model_id=str(report.get("model_id", "")),
                    threshold=report.get("threshold"),
                    **{
                        name: int(counts.get(name, 0) or 0)
                        for name in (
                            "read",
                            "scored",
                            "flagged",
                            "quarantined",
                            "duplicates",
                            "skipped",
                        )
                    },
                    first_posted_at="",
                    last_posted_at="",
                )
            )
            # The flagged posts are read and merged a chunk at a time, so recording a run of a
            # million posts holds one chunk in memory, not the run.
            new = total = 0
            dates: list[str] = []
            for frame in iter_flagged(scored_path):
                for start in range(0, len(frame), CHUNK):
                    part = frame.iloc[start : start + CHUNK]
                    new += _merge_posts(conn, run_id, part, signatures_of(part["text"].tolist()))
                total += len(frame)
                dates = [d for d in (*dates, *frame["posted_at"]) if d]
                dates = [min(dates), max(dates)] if dates else []
            conn.execute(
                sa.update(history_runs)
                .where(history_runs.c.run_id == run_id)
                .values(
                    new_posts=new,
                    first_posted_at=dates[0] if dates else "",
                    last_posted_at=dates[-1] if dates else "",
                )
            )
        flagged_count = total
        log.info(
            "Recorded run %s from %s: %d flagged posts, %d new", run_id, run_dir, flagged_count, new
        )
        return RecordResult(run_id, seq, str(run_dir), flagged_count, new)

    # -- reading ---------------------------------------------------------------------------

    def runs(self) -> list[dict]:
        with self._read() as conn:
            return [
                dict(r)
                for r in conn.execute(sa.select(history_runs).order_by(history_runs.c.seq))
                .mappings()
                .all()
            ]

    def run_for_dir(self, run_dir: Path) -> dict | None:
        """The latest run recorded from ``run_dir`` (compared as resolved paths)."""
        wanted = Path(run_dir).resolve()
        matches = [r for r in self.runs() if Path(r["run_dir"]).resolve() == wanted]
        return matches[-1] if matches else None

    def frames(self) -> HistoryFrames:
        with self._read() as conn:
            run_frame = pd.read_sql(sa.select(history_runs).order_by(history_runs.c.seq), conn)
            post_frame = pd.read_sql(sa.select(history_posts), conn)
            sighting_frame = pd.read_sql(sa.select(history_sightings), conn)
        return HistoryFrames(run_frame, post_frame, sighting_frame)


def iter_flagged(scored_path: Path, chunksize: int = 5_000) -> Iterator[pd.DataFrame]:
    """The flagged rows of a scored.csv, up to ``chunksize`` at a time, each post once (by
    platform and id).

    Read with the ``csv`` module a row at a time: the flagged rows are a small share of a run,
    and a table parser's buffers for the whole file made recording a large run cost more
    memory than scoring it.
    """
    seen: set[tuple[str, str]] = set()
    with open(scored_path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None) or []
        missing = [c for c in ("post_id", "flagged", "text") if c not in header]
        if missing:
            raise InputError(
                f"{scored_path} has no {', '.join(missing)} column.",
                "Pass a run folder written by `waspada score`.",
            )
        where = {name: header.index(name) for name in READ_COLUMNS if name in header}
        flagged_at = where["flagged"]
        batch: list[list[str]] = []
        for record in reader:
            if flagged_at >= len(record) or record[flagged_at].lower() != "true":
                continue
            row = dict.fromkeys(READ_COLUMNS, "")
            for name, at in where.items():
                if at < len(record):
                    row[name] = record[at]
            key = (row["platform"], row["post_id"])
            if key in seen:
                continue
            seen.add(key)
            batch.append(list(row.values()))
            if len(batch) >= chunksize:
                yield pd.DataFrame(batch, columns=list(READ_COLUMNS))
                batch = []
        if batch:
            yield pd.DataFrame(batch, columns=list(READ_COLUMNS))


def read_flagged(scored_path: Path) -> pd.DataFrame:
    """Every flagged row of a scored.csv (for small runs and tests)."""
    frames = list(iter_flagged(scored_path))
    return (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(READ_COLUMNS))
    )


def _float(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


@lru_cache(maxsize=4)
def _refresh_statement(columns: tuple[str, ...]) -> sa.Update:
    """One UPDATE of ``columns`` for many known posts, each given as ``key_source``,
    ``key_post_id`` and its values."""
    return (
        sa.update(history_posts)
        .where(
            history_posts.c.source == sa.bindparam("key_source"),
            history_posts.c.post_id == sa.bindparam("key_post_id"),
        )
        .values({column: sa.bindparam(column) for column in columns})
    )


def _merge_posts(conn: Connection, run_id: str, rows: pd.DataFrame, signatures: np.ndarray) -> int:
    """Insert or refresh one chunk of a run's flagged posts and their sightings; returns how many were new."""
    keys = list(zip(rows["platform"], rows["post_id"], strict=True))
    existing = {
        (r.source, r.post_id)
        for r in conn.execute(
            sa.select(history_posts.c.source, history_posts.c.post_id).where(
                sa.tuple_(history_posts.c.source, history_posts.c.post_id).in_(keys)
            )
        )
    }
    inserts, refreshed, sighted = [], [], []
    for (source, post_id), row, signature in zip(
        keys, rows.to_dict("records"), signatures, strict=True
    ):
        fields = {
            "score": _float(row["score"]),
            "category": row["category"],
            "indicators": row["indicators"],
            "destinations": row["destinations"],
            "contacts": " ".join(contact_keys(row["contacts"])),
            "last_run": run_id,
        }
        if (source, post_id) in existing:
            refreshed.append({"key_source": source, "key_post_id": post_id, **fields})
        else:
            inserts.append(
                {
                    "source": source,
                    "post_id": post_id,
                    "platform": row["platform"],
                    "account": row["author"],
                    "posted_at": row["posted_at"],
                    "url": row["url"],
                    "text": row["text"],
                    "signature": np.ascontiguousarray(signature, dtype="<u4").tobytes(),
                    "first_run": run_id,
                    **fields,
                }
            )
        sighted.append(
            {
                "run_id": run_id,
                "source": source,
                "post_id": post_id,
                "cluster_id": row["cluster_id"] or f"c_{post_id}",
                "score": fields["score"],
            }
        )
    if inserts:
        conn.execute(sa.insert(history_posts), inserts)
    if refreshed:
        # One statement for every post seen before: a collection scored again refreshes thousands.
        conn.execute(_refresh_statement(tuple(fields)), refreshed)
    if sighted:
        conn.execute(sa.insert(history_sightings), sighted)
    return len(inserts)
