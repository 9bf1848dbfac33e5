"""What changed in the latest run against everything recorded before it.

Every table is computed "as of" one run (the latest by default): runs recorded after it are
ignored, a post is *new* when that run is the first to see it, and a contact or template is new
when all its posts are new.

- ``weekly``: flagged posts per week (of ``posted_at``; the run's time when a post has none) by
  destination, red flag, platform and category, with the previous week and the change.
- ``new_contacts``: normalised contacts first seen in the latest run.
- ``new_templates``: templates (near-duplicate clusters matched across runs) first seen in it.
- ``spreading_templates``: earlier templates with new posts, and the platforms, accounts and
  contacts those posts added.
- ``networks``: connected groups of contacts, templates and accounts, largest first.

Templates are matched across runs by the stored MinHash signatures with the batch job's own LSH
rule (:func:`pipeline.dedup.cluster_signatures` with its one setting), joined with the
repost clusters each run found; no second similarity rule exists.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from pipeline import dedup
from pipeline.errors import InputError
from pipeline.history.contacts import contact_kind
from pipeline.history.store import HistoryFrames

DIMENSIONS = ("all", "destination", "red_flag", "platform", "category")
TABLES = ("weekly", "new_contacts", "new_templates", "spreading_templates", "networks")
EXAMPLE_CHARS = 240


@dataclass
class Trends:
    """The trend tables (one DataFrame each, named as in :data:`TABLES`) and a summary."""

    summary: dict
    runs: pd.DataFrame
    posts: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def compute_trends(
    frames: HistoryFrames, latest_run: str | None = None, since: str | None = None
) -> Trends:
    """The trend tables as of ``latest_run`` (a run id; default the last recorded run).

    ``since`` (``YYYY-MM-DD``) leaves out posts posted before that day.
    """
    if frames.runs.empty:
        raise InputError(
            "The run history is empty: no scored run has been recorded yet.",
            "Score a collection (waspada score PATH --out DIR), or record an earlier run: waspada history record DIR",
        )
    runs = frames.runs.sort_values("seq").reset_index(drop=True)
    if latest_run is None:
        latest = runs.iloc[-1]
    else:
        chosen = runs[runs["run_id"] == latest_run]
        if chosen.empty:
            raise InputError(
                f"Run {latest_run} is not in the history.",
                "List the recorded runs with: waspada history runs",
            )
        latest = chosen.iloc[0]
    latest_seq = int(latest["seq"])
    runs = runs[runs["seq"] <= latest_seq].reset_index(drop=True)
    seq_of = dict(zip(runs["run_id"], runs["seq"], strict=True))
    label_of = dict(zip(runs["run_id"], runs["label"], strict=True))
    sightings = frames.sightings[frames.sightings["run_id"].isin(seq_of)].copy()
    sightings["seq"] = sightings["run_id"].map(seq_of)

    posts = _posts_as_of(frames.posts, sightings, runs, latest_seq, since)
    sightings = sightings.merge(posts[["source", "post_id", "row"]], on=["source", "post_id"])
    posts["template_id"] = _templates(posts, sightings)
    latest_clusters = sightings[sightings["seq"] == latest_seq].groupby("row")["cluster_id"].first()
    posts["cluster_id"] = posts["row"].map(latest_clusters).fillna("")

    tables = {
        "weekly": weekly_table(posts),
        "new_contacts": new_contacts_table(posts),
        "new_templates": new_templates_table(posts),
        "spreading_templates": spreading_templates_table(posts, label_of),
        "networks": networks_table(posts),
    }
    summary = _summary(latest, runs, posts, tables, since)
    return Trends(summary=summary, runs=runs, posts=posts, tables=tables)


def _posts_as_of(
    all_posts: pd.DataFrame,
    sightings: pd.DataFrame,
    runs: pd.DataFrame,
    latest_seq: int,
    since: str | None,
) -> pd.DataFrame:
    seen = (
        sightings.groupby(["source", "post_id"])
        .agg(first_seq=("seq", "min"), last_seq=("seq", "max"))
        .reset_index()
    )
    posts = all_posts.merge(seen, on=["source", "post_id"])
    recorded = dict(zip(runs["seq"], runs["recorded_at"], strict=True))
    posts["when"] = [
        p if p else recorded.get(s, "")
        for p, s in zip(posts["posted_at"], posts["first_seq"], strict=True)
    ]
    if since:
        try:
            date.fromisoformat(since)
        except ValueError as exc:
            raise InputError(
                f"--since {since} is not a date.",
                "Write it as YYYY-MM-DD, e.g. --since 2026-11-01.",
            ) from exc
        posts = posts[posts["when"].str[:10] >= since]
    posts["in_latest"] = posts["last_seq"] == latest_seq
    posts["is_new"] = posts["first_seq"] == latest_seq
    posts["week"] = [_week(w) for w in posts["when"]]
    posts = posts.sort_values(["first_seq", "when", "source", "post_id"]).reset_index(drop=True)
    posts["row"] = np.arange(len(posts))
    return posts


def _week(timestamp: str) -> str:
    try:
        day = date.fromisoformat(timestamp[:10])
    except ValueError:
        return ""
    return (day - timedelta(days=day.weekday())).isoformat()


def _split(value: str, sep: str = ",") -> list[str]:
    return [item.strip() for item in str(value).split(sep) if item.strip()]


def _templates(posts: pd.DataFrame, sightings: pd.DataFrame) -> list[str]:
    """A template id per post: its connected group of LSH matches and within-run repost clusters.

    Posts are ordered by the run that first saw them, so a template is named after its earliest
    post (``t_`` + post id) and keeps that name as later runs add to it.
    """

    count = len(posts)
    if count == 0:
        return []
    signatures = np.stack([np.frombuffer(blob, dtype="<u4") for blob in posts["signature"]]).astype(
        np.uint32
    )
    roots = dedup.cluster_signatures(signatures)
    anchors, members = [roots], [np.arange(count)]
    grouped = sightings.groupby(["run_id", "cluster_id"])["row"]
    first = grouped.transform("min").to_numpy(np.int64)
    anchors.append(first)
    members.append(sightings["row"].to_numpy(np.int64))
    components = dedup.roots_from_pairs(
        count, np.concatenate(anchors).astype(np.int64), np.concatenate(members).astype(np.int64)
    )
    ids = posts["post_id"].tolist()
    return [f"t_{ids[root]}" for root in components]


def weekly_table(posts: pd.DataFrame) -> pd.DataFrame:
    """Flagged posts per week for each value of each dimension, with the previous week and the change."""
    columns = ["dimension", "value", "week", "posts", "previous", "change"]
    dated = posts[posts["week"] != ""]
    if dated.empty:
        return pd.DataFrame(columns=columns)
    red_flags = _red_flag_names(dated["indicators"])
    long: list[tuple[str, str, str]] = []
    for _, post in dated.iterrows():
        values = {
            "all": ["all"],
            "destination": _split(post["destinations"]),
            "red_flag": [name for name in _split(post["indicators"]) if name in red_flags],
            "platform": [post["platform"] or "unknown"],
            "category": [post["category"] or "unknown"],
        }
        for dimension in DIMENSIONS:
            long.extend(
                (dimension, value, post["week"]) for value in dict.fromkeys(values[dimension])
            )
    counts = (
        pd.DataFrame(long, columns=["dimension", "value", "week"])
        .value_counts()
        .rename("posts")
        .reset_index()
    )
    first, last = date.fromisoformat(dated["week"].min()), date.fromisoformat(dated["week"].max())
    weeks = [(first + timedelta(weeks=i)).isoformat() for i in range((last - first).days // 7 + 1)]
    pairs = counts[["dimension", "value"]].drop_duplicates()
    grid = pairs.merge(pd.DataFrame({"week": weeks}), how="cross")
    table = grid.merge(counts, on=["dimension", "value", "week"], how="left").fillna({"posts": 0})
    table["posts"] = table["posts"].astype(int)
    table = table.sort_values(["dimension", "value", "week"])
    table["previous"] = (
        table.groupby(["dimension", "value"])["posts"].shift(1).fillna(0).astype(int)
    )
    table["change"] = table["posts"] - table["previous"]
    table = table[(table["posts"] > 0) | (table["previous"] > 0)]
    order = {name: i for i, name in enumerate(DIMENSIONS)}
    table = table.sort_values(
        ["dimension", "week", "posts", "value"],
        ascending=[True, True, False, True],
        key=lambda s: s.map(order) if s.name == "dimension" else s,
    )
    return table[columns].reset_index(drop=True)


def _red_flag_names(indicator_values: pd.Series) -> set[str]:
    from pipeline.indicators import by_name

    names = {name for value in indicator_values for name in _split(value)}
    kept = set()
    for name in names:
        try:
            if by_name(name).kind != "red_flag":
                continue
        except KeyError:
            pass  # an indicator of an older model: still a reason the post was flagged
        kept.add(name)
    return kept


def _joined(values) -> str:
    return " ".join(dict.fromkeys(v for v in values if v))


def _accounts(frame: pd.DataFrame) -> list[str]:
    return [f"{p}/{a}" for p, a in zip(frame["platform"], frame["account"], strict=True) if a]


def _contacts(frame: pd.DataFrame) -> list[str]:
    return [key for value in frame["contacts"] for key in value.split()]


def _example(frame: pd.DataFrame) -> str:
    text = " ".join(str(frame.iloc[0]["text"]).split())
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"


def new_contacts_table(posts: pd.DataFrame) -> pd.DataFrame:
    """Contacts whose every post was first seen in the latest run."""
    columns = [
        "contact",
        "kind",
        "posts",
        "post_ids",
        "templates",
        "clusters",
        "platforms",
        "accounts",
        "destinations",
    ]
    rows_of: dict[str, list[int]] = defaultdict(list)
    for index, value in zip(posts.index, posts["contacts"], strict=True):
        for key in value.split():
            rows_of[key].append(index)
    rows = []
    for key, indexes in rows_of.items():
        group = posts.loc[indexes]
        if not group["is_new"].all():
            continue
        rows.append(
            {
                "contact": key,
                "kind": contact_kind(key),
                "posts": len(group),
                "post_ids": _joined(group["post_id"]),
                "templates": _joined(group["template_id"]),
                "clusters": _joined(group["cluster_id"]),
                "platforms": _joined(group["platform"]),
                "accounts": _joined(_accounts(group)),
                "destinations": _joined(d for v in group["destinations"] for d in _split(v)),
            }
        )
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["posts", "contact"], ascending=[False, True]).reset_index(drop=True)


def _template_groups(posts: pd.DataFrame):
    return posts.groupby("template_id", sort=False)


def new_templates_table(posts: pd.DataFrame) -> pd.DataFrame:
    """Templates seen in the latest run whose signatures match nothing recorded before."""
    columns = [
        "template_id",
        "posts",
        "post_ids",
        "clusters",
        "platforms",
        "accounts",
        "contacts",
        "destinations",
        "example",
    ]
    rows = []
    for template_id, group in _template_groups(posts):
        if not group["is_new"].all():
            continue
        rows.append(
            {
                "template_id": template_id,
                "posts": len(group),
                "post_ids": _joined(group["post_id"]),
                "clusters": _joined(group["cluster_id"]),
                "platforms": _joined(group["platform"]),
                "accounts": _joined(_accounts(group)),
                "contacts": _joined(_contacts(group)),
                "destinations": _joined(d for v in group["destinations"] for d in _split(v)),
                "example": _example(group),
            }
        )
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["posts", "template_id"], ascending=[False, True]).reset_index(
        drop=True
    )


def spreading_templates_table(posts: pd.DataFrame, label_of: dict[str, str]) -> pd.DataFrame:
    """Templates first seen in an earlier run that have new posts in the latest one."""
    columns = [
        "template_id",
        "first_seen_run",
        "earlier_posts",
        "new_posts",
        "new_post_ids",
        "clusters",
        "new_platforms",
        "new_accounts",
        "new_contacts",
        "platforms",
        "accounts",
        "example",
    ]
    rows = []
    for template_id, group in _template_groups(posts):
        new, earlier = group[group["is_new"]], group[~group["is_new"]]
        if new.empty or earlier.empty:
            continue
        old_platforms, old_accounts, old_contacts = (
            set(earlier["platform"]),
            set(_accounts(earlier)),
            set(_contacts(earlier)),
        )
        first_seq = int(earlier["first_seq"].min())
        rows.append(
            {
                "template_id": template_id,
                "first_seen_run": first_seq,
                "earlier_posts": len(earlier),
                "new_posts": len(new),
                "new_post_ids": _joined(new["post_id"]),
                "clusters": _joined(new["cluster_id"]),
                "new_platforms": _joined(p for p in new["platform"] if p not in old_platforms),
                "new_accounts": _joined(a for a in _accounts(new) if a not in old_accounts),
                "new_contacts": _joined(c for c in _contacts(new) if c not in old_contacts),
                "platforms": _joined(group["platform"]),
                "accounts": _joined(_accounts(group)),
                "example": _example(earlier),
            }
        )
    table = pd.DataFrame(rows, columns=columns)
    if table.empty:
        return table
    labels = {int(seq): label for seq, label in _seq_labels(posts, label_of).items()}
    table["first_seen_run"] = table["first_seen_run"].map(lambda s: labels.get(int(s), str(s)))
    spread = table["new_platforms"].str.count(r"\S+").fillna(0) + table["new_accounts"].str.count(
        r"\S+"
    ).fillna(0)
    table = table.assign(_spread=spread).sort_values(
        ["_spread", "new_posts", "template_id"], ascending=[False, False, True]
    )
    return table.drop(columns="_spread").reset_index(drop=True)


def _seq_labels(posts: pd.DataFrame, label_of: dict[str, str]) -> dict[int, str]:
    out: dict[int, str] = {}
    for run_id, seq in zip(posts["first_run"], posts["first_seq"], strict=True):
        out.setdefault(int(seq), label_of.get(run_id, run_id))
    return out


def networks_table(posts: pd.DataFrame, min_posts: int = 2) -> pd.DataFrame:
    """Groups of contacts, templates and accounts joined by shared posts, largest first.

    A post joins its template, each of its contacts and its account; a group is kept when it
    holds at least ``min_posts`` posts and two contacts or accounts (one recruiter behind several
    ads, or several accounts behind one number or template).
    """
    columns = [
        "network_id",
        "posts",
        "contacts",
        "accounts",
        "templates",
        "platforms",
        "latest_posts",
        "new_posts",
        "first_posted_at",
        "last_posted_at",
        "post_ids",
    ]
    nodes: dict[str, int] = {}
    anchors, members = [], []
    post_node = []
    for template, contacts, platform, account in zip(
        posts["template_id"], posts["contacts"], posts["platform"], posts["account"], strict=True
    ):
        names = ["template:" + template] + ["contact:" + c for c in contacts.split()]
        if account:
            names.append(f"account:{platform}/{account}")
        ids = [nodes.setdefault(name, len(nodes)) for name in names]
        post_node.append(ids[0])
        anchors.extend([ids[0]] * (len(ids) - 1))
        members.extend(ids[1:])
    if not nodes:
        return pd.DataFrame(columns=columns)
    roots = dedup.roots_from_pairs(
        len(nodes), np.asarray(anchors, dtype=np.int64), np.asarray(members, dtype=np.int64)
    )
    names_by_root: dict[int, list[str]] = defaultdict(list)
    for name, index in nodes.items():
        names_by_root[int(roots[index])].append(name)
    posts_by_root: dict[int, list[int]] = defaultdict(list)
    for row, node in zip(posts.index, post_node, strict=True):
        posts_by_root[int(roots[node])].append(row)
    rows = []
    for root, rows_in in posts_by_root.items():
        kinds = Counter(name.split(":", 1)[0] for name in names_by_root[root])
        if len(rows_in) < min_posts or kinds["contact"] + kinds["account"] < 2:
            continue
        group = posts.loc[rows_in]
        names = names_by_root[root]
        rows.append(
            {
                "posts": len(group),
                "contacts": _joined(n.split(":", 1)[1] for n in names if n.startswith("contact:")),
                "accounts": _joined(n.split(":", 1)[1] for n in names if n.startswith("account:")),
                "templates": _joined(
                    n.split(":", 1)[1] for n in names if n.startswith("template:")
                ),
                "platforms": _joined(group["platform"]),
                "latest_posts": int(group["in_latest"].sum()),
                "new_posts": int(group["is_new"].sum()),
                "first_posted_at": min(group["when"]),
                "last_posted_at": max(group["when"]),
                "post_ids": _joined(group["post_id"]),
                "_size": kinds["contact"] + kinds["account"] + kinds["template"],
            }
        )
    table = pd.DataFrame(rows, columns=[*columns[1:], "_size"])
    table = (
        table.sort_values(["posts", "_size", "post_ids"], ascending=[False, False, True])
        .drop(columns="_size")
        .reset_index(drop=True)
    )
    table.insert(0, "network_id", [f"n{i + 1}" for i in range(len(table))])
    return table[columns]


def _summary(
    latest: pd.Series,
    runs: pd.DataFrame,
    posts: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    since: str | None,
) -> dict:
    weekly = tables["weekly"]
    totals = weekly[weekly["dimension"] == "all"]
    last_week = totals.iloc[-1].to_dict() if len(totals) else {}
    return {
        "latest_run": {
            "run_id": latest["run_id"],
            "label": latest["label"],
            "recorded_at": latest["recorded_at"],
            "run_dir": latest["run_dir"],
            "model_id": latest["model_id"],
            "flagged": int(latest["flagged"]),
            "new_posts": int(posts["is_new"].sum()),
        },
        "runs": len(runs),
        "since": since or "",
        "flagged_posts": len(posts),
        "latest_week": last_week.get("week", ""),
        "latest_week_posts": int(last_week.get("posts", 0)),
        "previous_week_posts": int(last_week.get("previous", 0)),
        "counts": {name: len(table) for name, table in tables.items() if name != "weekly"},
    }
