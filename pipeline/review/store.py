"""The review store: the queue of posts to review and every decision made on them.

Decisions are an append-only log. A post's current decision is the latest one not undone, copied
onto the post row in the same transaction, so filtering the queue stays a plain query while the
full history (who decided what, when, on which model score) is never rewritten. Loading a new
review queue merges by ``post_id`` and refreshes the model's fields only; decisions stay.
"""

from __future__ import annotations

import contextlib
import logging
import math
import secrets
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from pipeline import indicators, settings
from pipeline.entities import contact_key
from pipeline.errors import InputError
from pipeline.evidence.contacts import contact_kind
from pipeline.evidence.contacts import display as display_contact
from pipeline.review import db
from pipeline.review.db import decisions, label_exports, posts

log = logging.getLogger(__name__)

DECISIONS: tuple[str, ...] = ("tppo", "tppm", "benign", "unsure")
STATUSES: tuple[str, ...] = ("pending", "decided", "all", *DECISIONS)
ORIGINS: tuple[str, ...] = ("score", "suggest")
POST_FIELDS: tuple[str, ...] = (
    "text",
    "platform",
    "author",
    "posted_at",
    "url",
    "source_file",
    "source_record",
    "score",
    "flagged",
    "category",
    "reasons",
    "indicators",
    "contacts",
    "destinations",
    "pay_idr_month",
    "cluster_id",
    "cluster_size",
)
REQUIRED_QUEUE_COLUMNS = ("post_id", "score", "text")
CHUNK = 500


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def day_start_utc(timezone: str = "Asia/Jakarta", now: datetime | None = None) -> str:
    """Midnight of today in the reviewers' time zone, as a UTC timestamp comparable with ours."""
    zone = ZoneInfo(timezone)
    local = (now or datetime.now(UTC)).astimezone(zone)
    midnight = datetime.combine(local.date(), time(0), tzinfo=zone)
    return midnight.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class QueueFilter:
    """What the reviewer narrowed the queue to. Empty fields do not filter."""

    platform: str = ""
    indicator: str = ""
    cluster: str = ""
    date_from: str = ""
    date_to: str = ""
    status: str = "pending"
    origin: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args) -> QueueFilter:
        status = args.get("status", "pending") or "pending"
        return cls(
            platform=args.get("platform", "").strip(),
            indicator=args.get("indicator", "").strip(),
            cluster=args.get("cluster", "").strip(),
            date_from=args.get("date_from", "").strip(),
            date_to=args.get("date_to", "").strip(),
            status=status if status in STATUSES else "pending",
            origin=args.get("origin", "") if args.get("origin", "") in ORIGINS else "",
            q=" ".join(args.get("q", "").split())[:200],
        )

    def as_args(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    def clauses(self) -> list:
        out = []
        if self.platform:
            out.append(posts.c.platform == self.platform)
        if self.indicator:
            padded = sa.literal(",").concat(posts.c.indicators).concat(",")
            out.append(padded.like(f"%,{_escape_like(self.indicator)},%", escape="\\"))
        if self.cluster:
            out.append(posts.c.cluster_id == self.cluster)
        if self.date_from:
            out.append(posts.c.posted_at >= self.date_from)
        if self.date_to:
            # A bare date means the whole of that day.
            out.append(
                posts.c.posted_at
                <= (self.date_to + "\uffff" if len(self.date_to) == 10 else self.date_to)
            )
        if self.origin:
            out.append(posts.c.origin == self.origin)
        for word in self.q.lower().split():
            # Every word must occur in the text, the account or the contacts (case-insensitive).
            pattern = f"%{_escape_like(word)}%"
            out.append(
                sa.or_(
                    *(
                        sa.func.lower(column).like(pattern, escape="\\")
                        for column in (posts.c.text, posts.c.author, posts.c.contacts)
                    )
                )
            )
        if self.indicator != TOO_SHORT:
            out.append(_worth_queueing())
        if self.status == "pending":
            out.append(posts.c.decision.is_(None))
        elif self.status == "decided":
            out.append(posts.c.decision.is_not(None))
        elif self.status in DECISIONS:
            out.append(posts.c.decision == self.status)
        return out


TOO_SHORT = "terlalu_pendek"


def _worth_queueing():
    """Leaves out posts too short to judge unless a red flag fired too (``indicators.is_queue_worthy``
    in SQL); filtering on the indicator itself shows them."""
    padded = sa.literal(",").concat(posts.c.indicators).concat(",")
    red_flags = [item.name for item in indicators.REGISTRY if item.kind == indicators.RED_FLAG]
    any_red_flag = sa.or_(
        *(padded.like(f"%,{_escape_like(name)},%", escape="\\") for name in red_flags)
    )
    return sa.or_(sa.not_(padded.like(f"%,{TOO_SHORT},%")), any_red_flag)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass
class DecisionResult:
    batch_id: str
    post_ids: list[str]
    decision: str
    superseded: list[dict]


class ReviewStore:
    """Open (creating and migrating if needed) the review store at ``url``.

    >>> store = ReviewStore("sqlite:///data/review/review.sqlite")   # doctest: +SKIP
    >>> store.load_queue(Path("runs/today/review_queue.csv"), model_id="waspada-...")  # doctest: +SKIP
    {'added': 124, 'updated': 0, 'unchanged': 0, 'kept_decisions': 0, 'total': 124}
    """

    def __init__(self, url: str | None = None):
        self.url = str(url or settings.review_db_url())
        self.engine = db.create_engine(self.url)
        db.migrate(self.engine, utc_now())

    def close(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        with (
            self.engine.connect().execution_options(**{db.WRITE_OPTION: True}) as conn,
            conn.begin(),
        ):
            yield conn

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # -- the queue -------------------------------------------------------------------------

    def load_queue(self, path: Path, model_id: str = "", origin: str = "score") -> dict:
        """Merge a review_queue.csv (or scored.csv) into the store by post_id."""
        path = Path(path)
        if not path.is_file():
            raise InputError(
                f"Review queue not found: {path}",
                "Run `waspada score ... --out DIR` first; it writes DIR/review_queue.csv.",
            )
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        missing = [c for c in REQUIRED_QUEUE_COLUMNS if c not in frame.columns]
        if missing:
            raise InputError(
                f"{path} has no {', '.join(missing)} column.",
                "Pass the review_queue.csv or scored.csv written by `waspada score`.",
            )
        return self.add_posts(frame.to_dict("records"), model_id=model_id, origin=origin)

    def add_posts(self, rows: Iterable[dict], model_id: str = "", origin: str = "score") -> dict:
        counts = Counter(added=0, updated=0, unchanged=0, kept_decisions=0, invalid=0)
        now = utc_now()
        batch: list[dict] = []
        for raw in rows:
            row = _post_row(raw)
            if row is None:
                counts["invalid"] += 1
                continue
            batch.append(row)
            if len(batch) >= CHUNK:
                self._merge(batch, model_id, origin, now, counts)
                batch = []
        if batch:
            self._merge(batch, model_id, origin, now, counts)
        summary = dict(counts)
        summary["total"] = self.count()
        if counts["invalid"]:
            log.warning(
                "%d queue rows had no post_id or text and were not loaded", counts["invalid"]
            )
        return summary

    def _merge(
        self, rows: list[dict], model_id: str, origin: str, now: str, counts: Counter
    ) -> None:
        ids = [r["post_id"] for r in rows]
        with self._write() as conn:
            existing: dict[str, Mapping[Any, Any]] = {
                r.post_id: r._mapping
                for r in conn.execute(sa.select(posts).where(posts.c.post_id.in_(ids)))
            }
            inserts = []
            for row in rows:
                old = existing.get(row["post_id"])
                if old is None:
                    inserts.append(
                        {
                            **row,
                            "model_id": model_id,
                            "origin": origin,
                            "added_at": now,
                            "updated_at": now,
                        }
                    )
                    existing[row["post_id"]] = (
                        row  # a repeated id later in the same file updates, not inserts
                    )
                    continue
                changes = {k: v for k, v in row.items() if k != "post_id" and old.get(k) != v}
                if model_id and old.get("model_id") != model_id:
                    changes["model_id"] = model_id
                if old.get("decision"):
                    counts["kept_decisions"] += 1
                if not changes:
                    counts["unchanged"] += 1
                    continue
                changes["updated_at"] = now
                conn.execute(
                    sa.update(posts).where(posts.c.post_id == row["post_id"]).values(**changes)
                )
                counts["updated"] += 1
            if inserts:
                conn.execute(sa.insert(posts), inserts)
                counts["added"] += len(inserts)

    def count(self, flt: QueueFilter | None = None) -> int:
        with self._read() as conn:
            query = sa.select(sa.func.count()).select_from(posts)
            if flt is not None:
                query = query.where(*flt.clauses())
            return int(conn.execute(query).scalar() or 0)

    def query(self, flt: QueueFilter, limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
        """Posts matching the filter, highest score first, and how many match in all."""
        with self._read() as conn:
            total = (
                conn.execute(
                    sa.select(sa.func.count()).select_from(posts).where(*flt.clauses())
                ).scalar()
                or 0
            )
            rows = (
                conn.execute(
                    sa.select(posts)
                    .where(*flt.clauses())
                    .order_by(posts.c.score.desc(), posts.c.post_id)
                    .limit(limit)
                    .offset(offset)
                )
                .mappings()
                .all()
            )
        return [dict(r) for r in rows], int(total)

    def current_map(self) -> dict[str, str | None]:
        """Every post id with its current decision (None when not yet reviewed)."""
        with self._read() as conn:
            return {
                r.post_id: r.decision
                for r in conn.execute(sa.select(posts.c.post_id, posts.c.decision))
            }

    def get_post(self, post_id: str) -> dict | None:
        with self._read() as conn:
            row = (
                conn.execute(sa.select(posts).where(posts.c.post_id == post_id)).mappings().first()
            )
        return dict(row) if row else None

    def neighbour(self, flt: QueueFilter, post: dict | None, direction: int = 1) -> str | None:
        """The next (or previous) post in queue order under the filter, skipping ``post`` itself."""
        clauses = flt.clauses()
        order = (
            (posts.c.score.desc(), posts.c.post_id)
            if direction > 0
            else (posts.c.score.asc(), posts.c.post_id.desc())
        )
        if post is not None:
            score, pid = post["score"], post["post_id"]
            if direction > 0:
                clauses.append(
                    sa.or_(
                        posts.c.score < score,
                        sa.and_(posts.c.score == score, posts.c.post_id > pid),
                    )
                )
            else:
                clauses.append(
                    sa.or_(
                        posts.c.score > score,
                        sa.and_(posts.c.score == score, posts.c.post_id < pid),
                    )
                )
        with self._read() as conn:
            found = conn.execute(
                sa.select(posts.c.post_id).where(*clauses).order_by(*order).limit(1)
            ).scalar()
            if found is None and post is not None and direction > 0:
                # Wrap around: skipped posts earlier in the queue are still pending.
                found = conn.execute(
                    sa.select(posts.c.post_id)
                    .where(*flt.clauses(), posts.c.post_id != post["post_id"])
                    .order_by(*order)
                    .limit(1)
                ).scalar()
        return found

    def position(self, flt: QueueFilter, post: dict) -> tuple[int, int] | None:
        """Where ``post`` stands in the queue under ``flt`` (1-based) and how long it is; None when outside."""
        clauses = flt.clauses()
        with self._read() as conn:
            inside = conn.execute(
                sa.select(sa.func.count())
                .select_from(posts)
                .where(*clauses, posts.c.post_id == post["post_id"])
            ).scalar()
            if not inside:
                return None
            ahead = conn.execute(
                sa.select(sa.func.count())
                .select_from(posts)
                .where(
                    *clauses,
                    sa.or_(
                        posts.c.score > post["score"],
                        sa.and_(posts.c.score == post["score"], posts.c.post_id < post["post_id"]),
                    ),
                )
            ).scalar()
            total = conn.execute(
                sa.select(sa.func.count()).select_from(posts).where(*clauses)
            ).scalar()
        return int(ahead or 0) + 1, int(total or 0)

    def cluster_members(self, cluster_id: str) -> list[dict]:
        if not cluster_id:
            return []
        with self._read() as conn:
            rows = (
                conn.execute(
                    sa.select(posts)
                    .where(posts.c.cluster_id == cluster_id)
                    .order_by(posts.c.score.desc(), posts.c.post_id)
                )
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]

    def facets(self) -> dict[str, list[str]]:
        with self._read() as conn:
            platforms = [
                r[0]
                for r in conn.execute(
                    sa.select(posts.c.platform).distinct().order_by(posts.c.platform)
                )
                if r[0]
            ]
            indicator_lists: Sequence[str] = (
                conn.execute(sa.select(posts.c.indicators).distinct()).scalars().all()
            )
        indicators = sorted(
            {name for value in indicator_lists for name in value.split(",") if name}
        )
        return {"platforms": platforms, "indicators": indicators}

    # -- decisions -------------------------------------------------------------------------

    def decide(
        self,
        post_ids: Sequence[str],
        decision: str,
        reviewer: str,
        note: str = "",
        via: str = "desk",
        expected: dict[str, int | None] | None = None,
    ) -> DecisionResult:
        """Record one decision for each post, in one transaction; returns what it superseded.

        ``expected`` maps a post id to the decision id the reviewer saw; a post decided by someone
        else since is still decided (both decisions stay in the log) and reported in ``superseded``.
        """
        decision = decision.strip().lower()
        if decision not in DECISIONS:
            raise InputError(
                f"Unknown decision {decision!r}.", f"Use one of: {', '.join(DECISIONS)}."
            )
        reviewer = reviewer.strip()
        if not reviewer:
            raise InputError(
                "A decision needs the reviewer's name.",
                "Give your name (--reviewer NAME, or sign in on the desk).",
            )
        ids = list(dict.fromkeys(post_ids))
        items = [
            {"post_id": pid, "decision": decision, "reviewer": reviewer, "note": note}
            for pid in ids
        ]
        batch_id, superseded = self.record(items, via=via, expected=expected)
        return DecisionResult(batch_id, ids, decision, superseded)

    def record(
        self,
        items: Sequence[dict],
        via: str = "desk",
        expected: dict[str, int | None] | None = None,
    ) -> tuple[str, list[dict]]:
        """Append decisions (post_id, decision, reviewer, note) as one batch in one transaction."""
        for item in items:
            if item["decision"] not in DECISIONS:
                raise InputError(
                    f"Unknown decision {item['decision']!r}.",
                    f"Use one of: {', '.join(DECISIONS)}.",
                )
            if not item["reviewer"].strip():
                raise InputError(
                    "A decision needs the reviewer's name.",
                    "Give your name (--reviewer NAME, or sign in on the desk).",
                )
        batch_id = uuid.uuid4().hex
        now = utc_now()
        superseded: list[dict] = []
        ids = list(dict.fromkeys(item["post_id"] for item in items))
        with self._write() as conn:
            found = {}
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                found.update(
                    {
                        r.post_id: r
                        for r in conn.execute(sa.select(posts).where(posts.c.post_id.in_(chunk)))
                    }
                )
            unknown = [p for p in ids if p not in found]
            if unknown:
                raise InputError(
                    f"Unknown post id(s): {', '.join(unknown[:5])}.",
                    "Load the queue first (waspada score --to-review).",
                )
            for item in items:
                pid = item["post_id"]
                post = found[pid]
                if (
                    expected is not None
                    and pid in expected
                    and post.decision_id is not None
                    and post.decision_id != expected[pid]
                ):
                    superseded.append(
                        {"post_id": pid, "decision": post.decision, "reviewer": post.decided_by}
                    )
                result = conn.execute(
                    sa.insert(decisions).values(
                        batch_id=batch_id,
                        post_id=pid,
                        decision=item["decision"],
                        reviewer=item["reviewer"].strip(),
                        note=(item.get("note") or "").strip(),
                        decided_at=now,
                        model_id=post.model_id,
                        score=post.score,
                        via=via,
                    )
                )
                decision_key = result.inserted_primary_key
                assert decision_key is not None  # a single-row insert always reports its key
                conn.execute(
                    sa.update(posts)
                    .where(posts.c.post_id == pid)
                    .values(
                        decision=item["decision"],
                        decided_by=item["reviewer"].strip(),
                        decided_at=now,
                        decision_id=decision_key[0],
                    )
                )
        return batch_id, superseded

    def undo_last(self, reviewer: str) -> list[str]:
        """Undo the reviewer's latest decision batch (one post or one cluster); returns its post ids."""
        with self._write() as conn:
            batch = conn.execute(
                sa.select(decisions.c.batch_id)
                .where(decisions.c.reviewer == reviewer, decisions.c.undone_at.is_(None))
                .order_by(decisions.c.id.desc())
                .limit(1)
            ).scalar()
            if batch is None:
                return []
            ids: Sequence[str] = (
                conn.execute(sa.select(decisions.c.post_id).where(decisions.c.batch_id == batch))
                .scalars()
                .all()
            )
            conn.execute(
                sa.update(decisions)
                .where(decisions.c.batch_id == batch)
                .values(undone_at=utc_now(), undone_by=reviewer)
            )
            _refresh_current(conn, ids)
        return list(ids)

    def history(self, post_id: str) -> list[dict]:
        with self._read() as conn:
            rows = (
                conn.execute(
                    sa.select(decisions)
                    .where(decisions.c.post_id == post_id)
                    .order_by(decisions.c.id)
                )
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]

    def all_decisions(self) -> list[dict]:
        with self._read() as conn:
            return [
                dict(r)
                for r in conn.execute(sa.select(decisions).order_by(decisions.c.id))
                .mappings()
                .all()
            ]

    def progress(self, reviewer: str | None = None, timezone: str = "Asia/Jakarta") -> dict:
        since = day_start_utc(timezone)
        with self._read() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(posts)).scalar() or 0
            decided = (
                conn.execute(
                    sa.select(sa.func.count())
                    .select_from(posts)
                    .where(posts.c.decision.is_not(None))
                ).scalar()
                or 0
            )
            today = (
                conn.execute(
                    sa.select(sa.func.count()).select_from(posts).where(posts.c.decided_at >= since)
                ).scalar()
                or 0
            )
            mine = 0
            if reviewer:
                mine = (
                    conn.execute(
                        sa.select(sa.func.count())
                        .select_from(posts)
                        .where(posts.c.decided_at >= since, posts.c.decided_by == reviewer)
                    ).scalar()
                    or 0
                )
        return {
            "total": int(total),
            "decided": int(decided),
            "pending": int(total - decided),
            "today": int(today),
            "mine_today": int(mine),
        }

    def current_decisions(
        self, include_unsure: bool = False, only_unexported: bool = False
    ) -> list[dict]:
        """Posts with their current decision, joined with the decision row (for labeled data)."""
        query = (
            sa.select(
                posts,
                decisions.c.note,
                decisions.c.model_id.label("decision_model_id"),
                decisions.c.score.label("shown_score"),
            )
            .join(decisions, decisions.c.id == posts.c.decision_id)
            .order_by(decisions.c.id)
        )
        if not include_unsure:
            query = query.where(posts.c.decision != "unsure")
        if only_unexported:
            query = query.where(
                ~sa.exists().where(label_exports.c.decision_id == posts.c.decision_id)
            )
        with self._read() as conn:
            return [dict(r) for r in conn.execute(query).mappings().all()]

    def mark_exported(self, decision_ids: Iterable[int], file: str) -> None:
        now = utc_now()
        values = [{"decision_id": i, "file": file, "exported_at": now} for i in decision_ids]
        if values:
            with self._write() as conn:
                conn.execute(sa.insert(label_exports), values)

    # -- recruiters ------------------------------------------------------------------------

    def recruiters(self, min_posts: int = 1) -> list[dict]:
        """Recruiters behind flagged (or positively decided) posts: contacts that link posts.

        Contacts are compared by ``contact_key`` (``0852…``, ``+62 852…`` and ``wa.me/62852…`` are one
        number; ``t.me/x`` and ``@x`` one account). Contacts named in the same post are one recruiter.
        An account that posts several contacts is *not* a link: job channels repost many recruiters,
        and chaining through them would merge everyone; ``accounts`` lists those accounts instead.
        Recruiters reaching most posts and repost clusters come first.
        """
        with self._read() as conn:
            rows = (
                conn.execute(
                    sa.select(
                        posts.c.post_id,
                        posts.c.contacts,
                        posts.c.cluster_id,
                        posts.c.platform,
                        posts.c.author,
                        posts.c.score,
                        posts.c.decision,
                        posts.c.posted_at,
                    )
                    .where(
                        posts.c.contacts != "",
                        sa.or_(posts.c.flagged.is_(True), posts.c.decision.in_(("tppo", "tppm"))),
                    )
                    .order_by(posts.c.posted_at, posts.c.post_id)
                )
                .mappings()
                .all()
            )
        parent: dict[str, str] = {}

        def find(node: str) -> str:
            while parent.setdefault(node, node) != node:
                parent[node] = parent[parent[node]]
                node = parent[node]
            return node

        def join(a: str, b: str) -> None:
            parent[find(a)] = find(b)

        keyed = []
        for row in rows:
            keys = [k for k in dict.fromkeys(contact_key(c) for c in row["contacts"].split()) if k]
            if not keys:
                continue
            for key in keys:
                join(key, keys[0])
            keyed.append((row, keys))
        groups: dict[str, dict] = {}
        for row, keys in keyed:
            group = groups.setdefault(
                find(keys[0]),
                {
                    "contacts": Counter(),
                    "written": defaultdict(set),
                    "post_ids": [],
                    "clusters": set(),
                    "platforms": set(),
                    "accounts": set(),
                    "decisions": Counter(),
                    "max_score": 0.0,
                    "first_seen": "",
                    "last_seen": "",
                },
            )
            for key in keys:
                group["contacts"][key] += 1
            for written in row["contacts"].split():
                group["written"][contact_key(written)].add(written)
            group["post_ids"].append(row["post_id"])
            group["clusters"].add(row["cluster_id"] or row["post_id"])
            if row["platform"]:
                group["platforms"].add(row["platform"])
            if row["author"]:
                group["accounts"].add((row["platform"], row["author"]))
            group["decisions"][row["decision"] or "pending"] += 1
            group["max_score"] = max(group["max_score"], float(row["score"]))
            if row["posted_at"]:
                group["first_seen"] = min(group["first_seen"] or row["posted_at"], row["posted_at"])
                group["last_seen"] = max(group["last_seen"], row["posted_at"])
        out = []
        for g in groups.values():
            if len(g["post_ids"]) < min_posts:
                continue
            contacts = [
                {
                    "key": key,
                    "kind": contact_kind(key),
                    "display": display_contact(key),
                    "posts": n,
                    "written": sorted(g["written"][key]),
                }
                for key, n in sorted(g["contacts"].items(), key=lambda item: (-item[1], item[0]))
            ]
            out.append(
                {
                    "contact": contacts[0]["key"],
                    "kind": contacts[0]["kind"],
                    "contacts": contacts,
                    "posts": len(g["post_ids"]),
                    "clusters": len(g["clusters"]),
                    "platforms": sorted(g["platforms"]),
                    "accounts": sorted(g["accounts"]),
                    "authors": sorted({a for _, a in g["accounts"]}),
                    "decisions": dict(g["decisions"]),
                    "max_score": g["max_score"],
                    "post_ids": g["post_ids"],
                    "first_seen": g["first_seen"],
                    "last_seen": g["last_seen"],
                }
            )
        out.sort(
            key=lambda r: (
                -r["posts"],
                -r["clusters"],
                -len(r["contacts"]),
                -r["max_score"],
                r["contact"],
            )
        )
        return out

    def accounts(self, min_contacts: int = 2) -> list[dict]:
        """Accounts (platform and author) behind several different contacts in flagged posts, most contacts first."""
        with self._read() as conn:
            rows = (
                conn.execute(
                    sa.select(
                        posts.c.post_id,
                        posts.c.contacts,
                        posts.c.platform,
                        posts.c.author,
                        posts.c.posted_at,
                    )
                    .where(
                        posts.c.contacts != "",
                        posts.c.author != "",
                        sa.or_(posts.c.flagged.is_(True), posts.c.decision.in_(("tppo", "tppm"))),
                    )
                    .order_by(posts.c.posted_at, posts.c.post_id)
                )
                .mappings()
                .all()
            )
        found: dict[tuple[str, str], dict] = {}
        for row in rows:
            entry = found.setdefault(
                (row["platform"], row["author"]), {"contacts": {}, "post_ids": []}
            )
            for written in row["contacts"].split():
                key = contact_key(written)
                if key:
                    entry["contacts"].setdefault(key, display_contact(key))
            entry["post_ids"].append(row["post_id"])
        out = [
            {
                "platform": platform,
                "author": author,
                "contacts": list(e["contacts"].values()),
                "posts": len(e["post_ids"]),
                "post_ids": e["post_ids"],
            }
            for (platform, author), e in found.items()
            if len(e["contacts"]) >= min_contacts
        ]
        out.sort(key=lambda a: (-len(a["contacts"]), -a["posts"], a["author"]))
        return out

    # -- small settings kept with the store ------------------------------------------------

    def secret(self, key: str) -> str:
        """A random value created once per store (e.g. the desk's session key), the same for every process."""
        with self._write() as conn:
            value = conn.execute(sa.select(db.meta.c.value).where(db.meta.c.key == key)).scalar()
            if value is None:
                value = secrets.token_hex(32)
                conn.execute(sa.insert(db.meta).values(key=key, value=value))
        return value

    def schema_version(self) -> int:
        with self._read() as conn:
            return int(
                conn.execute(sa.select(sa.func.max(db.schema_version.c.version))).scalar() or 0
            )


def _refresh_current(conn: Connection, post_ids: Iterable[str]) -> None:
    for pid in set(post_ids):
        latest = conn.execute(
            sa.select(decisions)
            .where(decisions.c.post_id == pid, decisions.c.undone_at.is_(None))
            .order_by(decisions.c.id.desc())
            .limit(1)
        ).first()
        values = (
            {
                "decision": latest.decision,
                "decided_by": latest.reviewer,
                "decided_at": latest.decided_at,
                "decision_id": latest.id,
            }
            if latest
            else {"decision": None, "decided_by": None, "decided_at": None, "decision_id": None}
        )
        conn.execute(sa.update(posts).where(posts.c.post_id == pid).values(**values))


def _post_row(raw: dict) -> dict | None:
    post_id = str(raw.get("post_id", "")).strip()
    text = str(raw.get("text", ""))
    if not post_id or not text.strip():
        return None
    row: dict[str, Any] = {"post_id": post_id}
    for name in POST_FIELDS:
        value = raw.get(name, "")
        row[name] = "" if value is None else value
    row["score"] = _float(row["score"])
    row["flagged"] = str(row["flagged"]).strip().lower() in ("true", "1", "yes")
    try:
        row["cluster_size"] = max(1, int(float(row["cluster_size"] or 1)))
    except ValueError:
        row["cluster_size"] = 1
    for name in POST_FIELDS:
        if name not in ("score", "flagged", "cluster_size"):
            row[name] = str(row[name])
    row["cluster_id"] = row["cluster_id"] or f"c_{post_id}"
    return row


def _float(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if math.isnan(number) else number
