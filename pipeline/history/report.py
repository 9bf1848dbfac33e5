"""Write the trends report: trends.html (plots embedded), trends.json, one CSV per table, PNG plots.

Every file goes through a temporary file and a rename (:mod:`pipeline.fileio`); the plots are
also written as ``plots/*.png`` so the review desk can show them under its own strict
Content-Security-Policy, which forbids inline images.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import numpy as np
import pandas as pd

from pipeline.fileio import atomic_open, ensure_writable, write_csv, write_json, write_text
from pipeline.history.store import HistoryStore
from pipeline.history.trends import TABLES, Trends, compute_trends

DEFAULT_DESK_URL = "http://127.0.0.1:8765"
NETWORK_PICTURES = 6
HTML_ROWS = 25

STRINGS: dict[str, dict[str, str]] = {
    "title": {"id": "Tren unggahan berisiko", "en": "Trends in flagged posts"},
    "intro": {
        "id": "Perbandingan run terakhir dengan semua run sebelumnya: perekrut, templat iklan dan tujuan yang baru atau sedang menyebar.",
        "en": "The latest run compared with every run before it: recruiters, ad templates and destinations that are new or spreading.",
    },
    "latest_run": {"id": "Run terakhir", "en": "Latest run"},
    "runs": {"id": "run tercatat", "en": "runs recorded"},
    "flagged_posts": {
        "id": "unggahan ditandai dalam riwayat",
        "en": "flagged posts in the history",
    },
    "new_posts": {"id": "unggahan baru di run terakhir", "en": "new posts in the latest run"},
    "week_line": {
        "id": "Minggu {week}: {posts} unggahan ditandai (minggu sebelumnya {previous}).",
        "en": "Week of {week}: {posts} flagged posts (previous week {previous}).",
    },
    "weekly": {"id": "Per minggu", "en": "Per week"},
    "weekly_intro": {
        "id": "Unggahan ditandai per minggu (tanggal unggah) menurut tujuan, tanda bahaya, platform dan kategori; 'perubahan' dibanding minggu sebelumnya.",
        "en": "Flagged posts per week (of posting) by destination, red flag, platform and category; 'change' is against the previous week.",
    },
    "rising": {"id": "Naik paling tajam minggu ini", "en": "Rising most this week"},
    "new_contacts": {"id": "Kontak baru", "en": "New contacts"},
    "new_contacts_intro": {
        "id": "Nomor, tautan chat dan akun yang pertama kali muncul di run terakhir (satu kunci per kontak: 08…, +62…, wa.me/62… → 62…; t.me/x dan @x → @x).",
        "en": "Numbers, chat links and handles first seen in the latest run (one key per contact: 08…, +62…, wa.me/62… → 62…; t.me/x and @x → @x).",
    },
    "new_templates": {"id": "Templat baru", "en": "New templates"},
    "new_templates_intro": {
        "id": "Kelompok iklan hampir sama yang tanda tangan MinHash-nya tidak cocok dengan templat mana pun sebelumnya.",
        "en": "Near-duplicate ad groups whose MinHash signatures match no earlier template.",
    },
    "spreading_templates": {"id": "Templat yang menyebar", "en": "Spreading templates"},
    "spreading_templates_intro": {
        "id": "Templat lama dengan unggahan baru di run terakhir, dan platform, akun serta kontak baru yang dibawanya.",
        "en": "Earlier templates with new posts in the latest run, and the platforms, accounts and contacts they added.",
    },
    "networks": {"id": "Jaringan", "en": "Networks"},
    "networks_intro": {
        "id": "Kontak, templat dan akun yang terhubung lewat unggahan yang sama, terbesar lebih dulu.",
        "en": "Contacts, templates and accounts linked by shared posts, largest first.",
    },
    "none": {"id": "Tidak ada.", "en": "None."},
    "more_rows": {"id": "{n} baris lagi di {file}.", "en": "{n} more rows in {file}."},
    "plot_platform": {
        "id": "Unggahan ditandai per minggu menurut platform",
        "en": "Flagged posts per week by platform",
    },
    "plot_destination": {"id": "Tujuan teratas per minggu", "en": "Top destinations per week"},
    "plot_red_flag": {"id": "Tanda bahaya teratas per minggu", "en": "Top red flags per week"},
    "plot_category": {"id": "Kategori per minggu", "en": "Category per week"},
    "posts": {"id": "unggahan", "en": "posts"},
    "week": {"id": "minggu", "en": "week"},
    "legend": {
        "id": "merah: kontak · biru: templat · hijau: akun",
        "en": "red: contacts · blue: templates · green: accounts",
    },
}

COLUMN_NAMES: dict[str, dict[str, str]] = {
    "id": {
        "dimension": "dimensi",
        "value": "nilai",
        "week": "minggu",
        "posts": "unggahan",
        "previous": "minggu lalu",
        "change": "perubahan",
        "contact": "kontak",
        "kind": "jenis",
        "post_ids": "unggahan (id)",
        "templates": "templat",
        "clusters": "klaster",
        "platforms": "platform",
        "accounts": "akun",
        "destinations": "tujuan",
        "template_id": "templat",
        "contacts": "kontak",
        "example": "contoh",
        "first_seen_run": "pertama di run",
        "earlier_posts": "unggahan lama",
        "new_posts": "unggahan baru",
        "new_post_ids": "unggahan baru (id)",
        "new_platforms": "platform baru",
        "new_accounts": "akun baru",
        "new_contacts": "kontak baru",
        "network_id": "jaringan",
        "latest_posts": "di run terakhir",
        "first_posted_at": "pertama",
        "last_posted_at": "terakhir",
        "picture": "gambar",
    },
    "en": {},
}


def s(key: str, lang: str, **values) -> str:
    text = STRINGS[key].get(lang) or STRINGS[key]["en"]
    return text.format(**values) if values else text


@dataclass
class TrendsReport:
    """Where the report was written and what it holds."""

    out_dir: Path
    files: dict[str, str] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)


def make_trends(
    out_dir: Path,
    url: str | None = None,
    latest_dir: Path | None = None,
    since: str | None = None,
    lang: str = "id",
    force: bool = False,
    desk_url: str = DEFAULT_DESK_URL,
) -> TrendsReport:
    """Compute the trends from the history at ``url`` and write the report into ``out_dir``.

    ``latest_dir`` picks the run to compare (the latest recorded from that folder; recorded first
    if the history does not hold it yet); the default is the last recorded run.
    """
    out_dir = Path(out_dir)
    ensure_writable(out_dir / "trends.json", force, "trends report")
    store = HistoryStore(url)
    try:
        latest_run = None
        if latest_dir is not None:
            found = store.run_for_dir(latest_dir)
            latest_run = found["run_id"] if found else store.record_run(Path(latest_dir)).run_id
        trends = compute_trends(store.frames(), latest_run, since)
    finally:
        store.close()
    return write_report(trends, out_dir, lang, force=True, desk_url=desk_url)


def write_report(
    trends: Trends,
    out_dir: Path,
    lang: str = "id",
    force: bool = False,
    desk_url: str = DEFAULT_DESK_URL,
) -> TrendsReport:
    """Write trends.html, trends.json, ``<table>.csv`` and ``plots/*.png`` into ``out_dir``."""
    out_dir = Path(out_dir)
    ensure_writable(out_dir / "trends.json", force, "trends report")
    files: dict[str, str] = {}
    tables = dict(trends.tables)
    pictures = network_pictures(trends, tables["networks"])
    tables["networks"] = tables["networks"].assign(
        picture=[
            f"plots/{pictures[n][0]}" if n in pictures else ""
            for n in tables["networks"]["network_id"]
        ]
    )
    for name in TABLES:
        path = out_dir / f"{name}.csv"
        write_csv(path, tables[name].to_dict("records"), list(tables[name].columns))
        files[name] = str(path)
    plots = weekly_plots(tables["weekly"], lang)
    for filename, png in [*plots.values(), *pictures.values()]:
        target = out_dir / "plots" / filename
        with atomic_open(target, "wb") as handle:
            handle.write(png)
    payload = {
        "summary": trends.summary,
        "lang": lang,
        "runs": _records(trends.runs[[c for c in trends.runs.columns if c != "signature"]]),
        "plots": {key: f"plots/{filename}" for key, (filename, _) in plots.items()},
        **{name: _records(tables[name]) for name in TABLES},
    }
    write_json(out_dir / "trends.json", payload)
    files["trends.json"] = str(out_dir / "trends.json")
    write_text(
        out_dir / "trends.html", render_html(trends, tables, plots, pictures, lang, desk_url)
    )
    files["trends.html"] = str(out_dir / "trends.html")
    return TrendsReport(out_dir, files, trends.summary)


def _records(frame: pd.DataFrame) -> list[dict]:
    return [
        {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


# -- plots ------------------------------------------------------------------------------------


def _png(figure) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def weekly_plots(weekly: pd.DataFrame, lang: str, top: int = 6) -> dict[str, tuple[str, bytes]]:
    """One PNG per dimension: flagged posts per week (bars by platform, lines for the top values)."""
    plots: dict[str, tuple[str, bytes]] = {}
    if weekly.empty:
        return plots
    plt = _pyplot()
    weeks = sorted(weekly["week"].unique())
    for dimension in ("platform", "destination", "red_flag", "category"):
        part = weekly[weekly["dimension"] == dimension]
        if part.empty:
            continue
        table = (
            part.pivot_table(index="week", columns="value", values="posts", aggfunc="sum")
            .reindex(weeks)
            .fillna(0)
        )
        table = table[table.sum().sort_values(ascending=False).index[:top]]
        figure, axis = plt.subplots(figsize=(7, 3.2))
        labels = [w[5:] for w in table.index]
        if dimension in ("platform", "category"):
            bottom = np.zeros(len(table))
            for column in table.columns:
                axis.bar(labels, table[column].to_numpy(), bottom=bottom, label=column)
                bottom += table[column].to_numpy()
        else:
            for column in table.columns:
                axis.plot(labels, table[column].to_numpy(), marker="o", label=column)
        axis.set_title(s(f"plot_{dimension}", lang), fontsize=10)
        axis.set_ylabel(s("posts", lang))
        axis.set_xlabel(s("week", lang))
        axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1, 1))
        plots[dimension] = (f"weekly_{dimension}.png", _png(figure))
    return plots


def _layout(count: int, edges: list[tuple[int, int]], seed: int = 7, steps: int = 80) -> np.ndarray:
    """A small force-directed layout (Fruchterman-Reingold), deterministic for a given graph."""
    rng = np.random.default_rng(seed)
    position = rng.uniform(-1, 1, size=(count, 2))
    if count == 1:
        return position
    k = 1.0 / np.sqrt(count)
    temperature = 0.2
    for _ in range(steps):
        delta = position[:, None, :] - position[None, :, :]
        distance = np.maximum(np.linalg.norm(delta, axis=2), 1e-3)
        force = (k * k / distance**2)[:, :, None] * delta
        move = force.sum(axis=1)
        for a, b in edges:
            pull = (position[a] - position[b]) * np.linalg.norm(position[a] - position[b]) / k
            move[a] -= pull
            move[b] += pull
        length = np.maximum(np.linalg.norm(move, axis=1), 1e-9)[:, None]
        position += move / length * np.minimum(length, temperature)
        temperature *= 0.95
    return position


def network_pictures(
    trends: Trends, networks: pd.DataFrame, limit: int = NETWORK_PICTURES
) -> dict[str, tuple[str, bytes]]:
    """A small graph picture of each of the largest networks: contacts, templates and accounts."""
    pictures: dict[str, tuple[str, bytes]] = {}
    if networks.empty:
        return pictures
    plt = _pyplot()
    posts = trends.posts.set_index("post_id", drop=False)
    colours = {"contact": "#c0392b", "template": "#2e6da4", "account": "#3c8d40"}
    for network in networks.head(limit).to_dict("records"):
        nodes: dict[str, int] = {}
        edges: set[tuple[int, int]] = set()
        for post_id in network["post_ids"].split():
            if post_id not in posts.index:
                continue
            row = posts.loc[post_id]
            row = row.iloc[0] if isinstance(row, pd.DataFrame) else row
            names = ["template:" + row["template_id"]] + [
                "contact:" + c for c in row["contacts"].split()
            ]
            if row["account"]:
                names.append(f"account:{row['platform']}/{row['account']}")
            ids = [nodes.setdefault(n, len(nodes)) for n in names]
            edges.update((ids[0], other) for other in ids[1:])
        position = _layout(len(nodes), sorted(edges))
        figure, axis = plt.subplots(figsize=(4.2, 3.4))
        for a, b in edges:
            axis.plot(
                *zip(position[a], position[b], strict=True),
                color="#999999",
                linewidth=0.8,
                zorder=1,
            )
        for name, index in nodes.items():
            kind, label = name.split(":", 1)
            axis.scatter(*position[index], s=90, color=colours[kind], zorder=2)
            axis.annotate(
                label[:22], position[index], fontsize=6, xytext=(4, 3), textcoords="offset points"
            )
        axis.set_title(f"{network['network_id']}: {network['posts']} posts", fontsize=9)
        axis.axis("off")
        pictures[network["network_id"]] = (f"network_{network['network_id']}.png", _png(figure))
    return pictures


# -- HTML -------------------------------------------------------------------------------------


def _post_link(desk_url: str, post_id: str) -> str:
    return f"{desk_url}/post/{quote(post_id, safe='')}?status=all"


def _cluster_link(desk_url: str, cluster_id: str) -> str:
    return f"{desk_url}/queue?{urlencode({'cluster': cluster_id, 'status': 'all'})}"


def _cell(column: str, value, desk_url: str) -> str:
    text = "" if value is None else str(value)
    if column in ("post_ids", "new_post_ids") and text:
        return " ".join(
            f"<a href='{html.escape(_post_link(desk_url, p))}'>{html.escape(p)}</a>"
            for p in text.split()[:30]
        )
    if column == "clusters" and text:
        return " ".join(
            f"<a href='{html.escape(_cluster_link(desk_url, c))}'>{html.escape(c)}</a>"
            for c in text.split()[:30]
        )
    if column == "picture" and text:
        return ""
    return html.escape(text)


def _table_html(
    frame: pd.DataFrame, lang: str, desk_url: str, file: str, rows: int = HTML_ROWS
) -> str:
    if frame.empty:
        return f"<p>{s('none', lang)}</p>"
    names = COLUMN_NAMES.get(lang, {})
    columns = [c for c in frame.columns if c != "picture"]
    head = "".join(f"<th>{html.escape(names.get(c, c.replace('_', ' ')))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(c, row[c], desk_url)}</td>" for c in columns) + "</tr>"
        for row in frame.head(rows).to_dict("records")
    )
    more = (
        f"<p class='more'>{s('more_rows', lang, n=len(frame) - rows, file=file)}</p>"
        if len(frame) > rows
        else ""
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def _img(png: bytes, alt: str) -> str:
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{base64.b64encode(png).decode('ascii')}'>"


def rising(weekly: pd.DataFrame, top: int = 8) -> pd.DataFrame:
    """Values of every dimension in the latest week, largest rise first."""
    if weekly.empty:
        return weekly
    latest = weekly[
        (weekly["week"] == weekly["week"].max())
        & (weekly["dimension"] != "all")
        & (weekly["change"] > 0)
    ]
    return latest.sort_values(["change", "posts"], ascending=False).head(top).reset_index(drop=True)


def render_html(
    trends: Trends,
    tables: dict[str, pd.DataFrame],
    plots: dict,
    pictures: dict,
    lang: str,
    desk_url: str,
) -> str:
    summary = trends.summary
    latest = summary["latest_run"]
    parts = [
        f"<h1>{s('title', lang)}</h1>",
        f"<p>{s('intro', lang)}</p>",
        "<ul class='summary'>",
        (
            f"<li>{s('latest_run', lang)}: <b>{html.escape(str(latest['label']))}</b> ({html.escape(str(latest['recorded_at']))}, "
            f"<code>{html.escape(str(latest['run_id']))}</code>)</li>"
        ),
        (
            f"<li>{summary['runs']} {s('runs', lang)}; {summary['flagged_posts']} {s('flagged_posts', lang)}; "
            f"{latest['new_posts']} {s('new_posts', lang)}</li>"
        ),
    ]
    if summary["latest_week"]:
        parts.append(
            "<li>"
            + s(
                "week_line",
                lang,
                week=summary["latest_week"],
                posts=summary["latest_week_posts"],
                previous=summary["previous_week_posts"],
            )
            + "</li>"
        )
    parts.append(
        "<li>"
        + ", ".join(
            f"<a href='#{name}'>{s(name, lang)}: {count}</a>"
            for name, count in summary["counts"].items()
        )
        + "</li></ul>"
    )
    parts.append(f"<h2 id='weekly'>{s('weekly', lang)}</h2><p>{s('weekly_intro', lang)}</p>")
    parts.append(
        "<div class='plots'>"
        + "".join(_img(png, s(f"plot_{key}", lang)) for key, (_, png) in plots.items())
        + "</div>"
    )
    parts.append(
        f"<h3>{s('rising', lang)}</h3>"
        + _table_html(rising(tables["weekly"]), lang, desk_url, "weekly.csv")
    )
    for name in ("new_contacts", "new_templates", "spreading_templates"):
        parts.append(f"<h2 id='{name}'>{s(name, lang)}</h2><p>{s(name + '_intro', lang)}</p>")
        parts.append(_table_html(tables[name], lang, desk_url, f"{name}.csv"))
    parts.append(
        f"<h2 id='networks'>{s('networks', lang)}</h2><p>{s('networks_intro', lang)} <small>{s('legend', lang)}</small></p>"
    )
    parts.append(
        "<div class='plots'>"
        + "".join(_img(png, key) for key, (_, png) in pictures.items())
        + "</div>"
    )
    parts.append(_table_html(tables["networks"], lang, desk_url, "networks.csv"))
    style = (
        "body{font-family:system-ui,sans-serif;margin:1.5em;max-width:1400px;color:#222}"
        "table{border-collapse:collapse;font-size:12px;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 6px;vertical-align:top}"
        "th{background:#f3f3f3;text-align:left}td{max-width:420px;overflow-wrap:anywhere}.plots img{margin:4px;border:1px solid #eee}"
        ".more{color:#666;font-size:12px}"
    )
    return (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{s('title', lang)}</title>"
        f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n"
    )
