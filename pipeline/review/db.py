"""The review store's tables, its engine settings and its migrations.

SQLite is the default: one file, WAL journal so readers never block the writer, a busy timeout so
two reviewers (or two processes) wait for each other instead of failing, and ``synchronous=FULL``
so a decision the desk has acknowledged survives the process being killed. Writes start with
``BEGIN IMMEDIATE`` to take the write lock up front; a deferred transaction that upgrades from read
to write can fail with "database is locked" no matter how long the timeout is.

Any other SQLAlchemy URL (``postgresql+psycopg://...``) works too; the schema uses only portable
Core types.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url

from pipeline.errors import InputError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "waspada_write"

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.String(32), nullable=False),
)

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

posts = sa.Table(
    "posts",
    metadata,
    sa.Column("post_id", sa.String(255), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("platform", sa.String(64), nullable=False, default=""),
    sa.Column("author", sa.Text, nullable=False, default=""),
    sa.Column("posted_at", sa.String(32), nullable=False, default=""),
    sa.Column("url", sa.Text, nullable=False, default=""),
    sa.Column("source_file", sa.Text, nullable=False, default=""),
    sa.Column("source_record", sa.String(32), nullable=False, default=""),
    sa.Column("score", sa.Float, nullable=False, default=0.0),
    sa.Column("flagged", sa.Boolean, nullable=False, default=False),
    sa.Column("category", sa.String(32), nullable=False, default=""),
    sa.Column("reasons", sa.Text, nullable=False, default=""),
    sa.Column("indicators", sa.Text, nullable=False, default=""),
    sa.Column("contacts", sa.Text, nullable=False, default=""),
    sa.Column("destinations", sa.Text, nullable=False, default=""),
    sa.Column("pay_idr_month", sa.String(32), nullable=False, default=""),
    sa.Column("cluster_id", sa.String(255), nullable=False, default=""),
    sa.Column("cluster_size", sa.Integer, nullable=False, default=1),
    sa.Column("model_id", sa.String(128), nullable=False, default=""),
    sa.Column("origin", sa.String(16), nullable=False, default="score"),
    sa.Column("added_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
    # The current decision, kept in step with the decisions log in the same transaction.
    sa.Column("decision", sa.String(16), nullable=True),
    sa.Column("decided_by", sa.String(128), nullable=True),
    sa.Column("decided_at", sa.String(32), nullable=True),
    sa.Column("decision_id", sa.Integer, nullable=True),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.String(64), nullable=False),
    sa.Column("post_id", sa.String(255), sa.ForeignKey("posts.post_id"), nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("reviewer", sa.String(128), nullable=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("decided_at", sa.String(32), nullable=False),
    sa.Column("model_id", sa.String(128), nullable=False, default=""),
    sa.Column("score", sa.Float, nullable=True),
    sa.Column("via", sa.String(16), nullable=False, default="desk"),
    sa.Column("undone_at", sa.String(32), nullable=True),
    sa.Column("undone_by", sa.String(128), nullable=True),
)

label_exports = sa.Table(
    "label_exports",
    metadata,
    sa.Column("decision_id", sa.Integer, sa.ForeignKey("decisions.id"), primary_key=True),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("exported_at", sa.String(32), nullable=False),
)

INDEXES = (
    sa.Index("ix_posts_score", posts.c.score),
    sa.Index("ix_posts_cluster", posts.c.cluster_id),
    sa.Index("ix_posts_decision", posts.c.decision),
    sa.Index("ix_decisions_post", decisions.c.post_id),
    sa.Index("ix_decisions_reviewer", decisions.c.reviewer, decisions.c.id),
)


def _migrate_1(conn: Connection) -> None:
    for table in (meta, posts, decisions):
        table.create(conn, checkfirst=True)


def _migrate_2(conn: Connection) -> None:
    # Version 2 remembers which decisions became labeled data, so to-labeled never repeats one.
    label_exports.create(conn, checkfirst=True)
    for index in INDEXES:
        index.create(conn, checkfirst=True)


MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _migrate_1, 2: _migrate_2}


def normalise_url(url: str | URL) -> URL:
    """Parse a store URL; a bare file path means a SQLite file."""
    text = str(url)
    if "://" not in text:
        text = f"sqlite:///{text}"
    try:
        return make_url(text)
    except sa.exc.ArgumentError as exc:
        raise InputError(
            f"Not a database URL: {text}",
            "Use e.g. sqlite:///data/review/review.sqlite or postgresql+psycopg://user@host/db.",
        ) from exc


def create_engine(url: str | URL) -> Engine:
    parsed = normalise_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_pre_ping=True)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql(
            "BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN"
        )

    return engine


def migrate(engine: Engine, now: str) -> int:
    """Bring the store to SCHEMA_VERSION; returns the version it was at before."""
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        schema_version.create(conn, checkfirst=True)
        current = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0
        if current > SCHEMA_VERSION:
            raise InputError(
                f"The review store is at schema version {current}, newer than this Waspada understands ({SCHEMA_VERSION}).",
                "Upgrade Waspada (pip install -U waspada) before opening this store.",
            )
        for version in range(current + 1, SCHEMA_VERSION + 1):
            log.info("Migrating the review store to version %d", version)
            MIGRATIONS[version](conn)
            conn.execute(sa.insert(schema_version).values(version=version, applied_at=now))
    return current
