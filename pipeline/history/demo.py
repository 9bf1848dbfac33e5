"""A three-week demo history built from the bundled collection, so `waspada trends` has something to show.

``data/raw`` is read, never written. Its posts are split by ``posted_at`` into three collections
(the thirds of the collection in time), each moved into its own calendar week, and a few
reposts are planted deterministically so that recruiters and templates recur, spread and
appear across the weeks, as they do in real monitoring:

- week 2: a week-1 ad reposted by another account with a new number (a recruiter only seen in week 2);
- week 3: a week-1 ad reposted on another platform by a new account with a new number (a
  spreading template), a second week-1 ad carrying a week-1 recruiter's number (a recurring
  recruiter linking two templates), and a week-3 ad reposted by two new accounts with two new
  numbers (a new template and a new network).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from pipeline.fileio import write_csv

WEEK_COLUMNS = ("post_id", "text", "platform", "author", "posted_at", "url")
PHONE_RE = re.compile(r"(?:\+62|62|0)\s?8[\d\s.-]{7,14}\d")
RISKY_WORDS = re.compile(
    r"kamboja|cambodia|myanmar|laos|thailand|malaysia|phnom|sihanouk|myawaddy", re.IGNORECASE
)
OTHER_PLATFORM = {"telegram": "tiktok"}


@dataclass
class DemoWeeks:
    """The three weekly collection files and what was planted in them."""

    files: list[Path]
    planted: list[dict] = field(default_factory=list)


def _parse(timestamp: str) -> datetime | None:
    try:
        return datetime.fromisoformat(timestamp)
    except ValueError:
        return None


def _posted(post: dict) -> datetime:
    """``posted_at`` of a post already known to carry a readable one."""
    moment = _parse(post["posted_at"])
    if moment is None:
        raise ValueError(f"post {post['post_id']} has no readable posted_at")
    return moment


def read_collection(raw_dir: Path) -> list[dict]:
    """The canonical posts of a collection (quarantined and skipped records left out).

    Exact duplicates stay, as collected: each demo week is scored, and scoring finds them.
    """
    from pipeline.ingest.core import IngestOptions, expand_paths
    from pipeline.ingest.outcomes import read_outcomes

    return [
        dict(o.post)
        for o in read_outcomes(expand_paths([Path(raw_dir)]), IngestOptions())
        if o.post is not None
    ]


def split_weeks(posts: list[dict]) -> list[list[dict]]:
    """Thirds of the collection by ``posted_at``, each moved into its own consecutive week."""
    dated = sorted(
        (p for p in posts if _parse(p.get("posted_at", ""))),
        key=lambda p: (p["posted_at"], p["post_id"]),
    )
    undated = sorted(
        (p for p in posts if not _parse(p.get("posted_at", ""))), key=lambda p: p["post_id"]
    )
    weeks: list[list[dict]] = [[], [], []]
    if dated:
        first = _posted(dated[0])
        monday = (first - timedelta(days=first.weekday())).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        for index, third in enumerate(_thirds(dated)):
            start, end = _posted(third[0]), _posted(third[-1])
            span = max((end - start).total_seconds(), 1.0)
            # Squeeze a third into Monday..Saturday of its week, keeping the order of the posts.
            scale = min(1.0, 6 * 86400 / span)
            for post in third:
                offset = (_posted(post) - start).total_seconds() * scale
                moved = monday + timedelta(weeks=index, hours=8) + timedelta(seconds=offset)
                weeks[index].append({**post, "posted_at": moved.strftime("%Y-%m-%dT%H:%M:%SZ")})
    for index, third in enumerate(_thirds(undated)):
        weeks[index].extend(third)
    return weeks


def _thirds(items: list[dict]) -> list[list[dict]]:
    size = len(items)
    cuts = [0, size // 3, 2 * size // 3, size]
    return [items[cuts[i] : cuts[i + 1]] for i in range(3)]


def _candidates(week: list[dict]) -> list[dict]:
    """Posts that look like recruitment with a phone number: the ads worth reposting."""
    found = [p for p in week if PHONE_RE.search(p["text"]) and RISKY_WORDS.search(p["text"])]
    return sorted(found, key=lambda p: p["post_id"])


def _repost(
    post: dict, post_id: str, platform: str, author: str, posted_at: str, phone: str | None = None
) -> dict:
    text = PHONE_RE.sub(phone, post["text"], count=1) if phone else post["text"]
    return {
        "post_id": post_id,
        "text": text + " 🔥",
        "platform": platform,
        "author": author,
        "posted_at": posted_at,
        "url": "",
    }


def _later(post: dict, days: int) -> str:
    moment = _parse(post.get("posted_at", "")) or datetime(2026, 11, 20)
    return (moment + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def plant_reposts(weeks: list[list[dict]]) -> list[dict]:
    """Add the recurring and new recruiters and templates described in the module docstring."""
    planted: list[dict] = []
    first, third = _candidates(weeks[0]), _candidates(weeks[2])
    week2_day = weeks[1][0] if weeks[1] else {}
    week3_day = weeks[2][0] if weeks[2] else {}

    def add(week: int, post: dict, what: str) -> None:
        weeks[week].append(post)
        planted.append({"week": week + 1, "post_id": post["post_id"], "what": what})

    if len(first) >= 3:
        spread, recurring, carrier = first[0], first[1], first[2]
        add(
            1,
            _repost(
                spread,
                "demo_w2_1",
                spread["platform"],
                "Lowongan Cepat 88",
                _later(week2_day, 1),
                "0813-9000-2002",
            ),
            "week-1 ad reposted by another account with a number used only in week 2",
        )
        platform = OTHER_PLATFORM.get(spread["platform"], "telegram")
        add(
            2,
            _repost(
                spread,
                "demo_w3_1",
                platform,
                "Info Kerja Kilat",
                _later(week3_day, 1),
                "0813-9000-3003",
            ),
            f"week-1 ad reposted on {platform} by a new account with a new number: a spreading template",
        )
        found = PHONE_RE.search(recurring["text"])  # a candidate always has one
        number = found.group(0) if found else None
        add(
            2,
            _repost(
                carrier,
                "demo_w3_2",
                carrier["platform"],
                "Agen Resmi Luar Negeri",
                _later(week3_day, 2),
                number,
            ),
            "second week-1 ad carrying a week-1 recruiter's number: a recurring recruiter",
        )
    if third:
        fresh = third[0]
        for index, (author, phone) in enumerate(
            (("Kerja Asia Timur", "0857-9000-4004"), ("Peluang Emas LN", "0857-9000-5005"))
        ):
            add(
                2,
                _repost(
                    fresh,
                    f"demo_w3_{3 + index}",
                    "facebook" if index else "instagram",
                    author,
                    _later(week3_day, 3 + index),
                    phone,
                ),
                "week-3 ad reposted by two new accounts with two new numbers: a new template and network",
            )
    return planted


def build_demo_weeks(raw_dir: Path, out_dir: Path) -> DemoWeeks:
    """Write ``out_dir/week-N/posts.csv`` for N = 1, 2, 3 from ``raw_dir``; returns the files."""
    weeks = split_weeks(read_collection(raw_dir))
    planted = plant_reposts(weeks)
    files = []
    for number, posts in enumerate(weeks, start=1):
        path = Path(out_dir) / f"week-{number}" / "posts.csv"
        write_csv(path, posts, WEEK_COLUMNS)
        files.append(path)
    return DemoWeeks(files, planted)


@dataclass
class DemoHistory:
    """The weekly runs recorded by the demo, and the trends report written from them."""

    weeks: DemoWeeks
    runs: list[dict]
    trends_html: Path
    summary: dict


def run_demo_history(
    raw_dir: Path,
    out_dir: Path,
    bundle,
    jobs: int = 1,
    history_url: str | None = None,
    review_url: str | None = None,
) -> DemoHistory:
    """Score the three demo weeks into ``out_dir/week-N``, record them, load their queues, write trends.

    Recording is idempotent (a run's id is the hash of its scored.csv), so running the demo again
    adds no runs and counts no post twice.
    """
    from pipeline import settings
    from pipeline.history.report import make_trends
    from pipeline.history.store import HistoryStore
    from pipeline.ingest.core import IngestOptions
    from pipeline.review.store import ReviewStore
    from pipeline.scoring import ScoreOptions, score_collection

    out_dir = Path(out_dir)
    weeks = build_demo_weeks(raw_dir, out_dir / "collections")
    history = HistoryStore(history_url or settings.history_db_url())
    review = ReviewStore(review_url or settings.review_db_url())
    runs = []
    try:
        for number, path in enumerate(weeks.files, start=1):
            run_dir = out_dir / f"week-{number}"
            score_collection(
                [path], run_dir, bundle, IngestOptions(), ScoreOptions(jobs=jobs, force=True)
            )
            review.load_queue(run_dir / "review_queue.csv", model_id=bundle.model_id)
            runs.append(history.record_run(run_dir, label=f"demo week {number}").as_dict())
    finally:
        history.close()
        review.close()
    report = make_trends(
        out_dir / "trends",
        history_url or settings.history_db_url(),
        latest_dir=out_dir / "week-3",
        force=True,
    )
    return DemoHistory(weeks, runs, Path(report.files["trends.html"]), report.summary)
