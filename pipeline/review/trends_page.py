"""The desk's Tren page: the latest trends report (``waspada trends``) read from its folder.

The page is rendered by the desk from ``trends.json`` so every post and template links into the
desk itself, and the plots are served as PNG files from ``plots/`` (the desk's
Content-Security-Policy allows no inline images). Only the report's own files are served.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

SERVABLE_RE = re.compile(r"^(?:plots/[A-Za-z0-9_.-]+\.png|[a-z_]+\.csv|trends\.(?:html|json))$")
TABLES = ("new_contacts", "new_templates", "spreading_templates", "networks")
ROWS = 50


def servable(name: str) -> bool:
    """Whether ``name`` is one of the files a trends report writes (never a path outside it)."""
    return bool(SERVABLE_RE.match(name)) and ".." not in name


def context(folder: Path, lang: str) -> dict:
    """What the Tren template needs: the summary, the plots, the first rows of each table and the labels."""
    from pipeline.history.report import COLUMN_NAMES, s

    def label(key: str, **values) -> str:
        return s(key, lang, **values)

    path = Path(folder) / "trends.json"
    base = {
        "folder": str(folder),
        "ts": label,
        "column": lambda c: COLUMN_NAMES.get(lang, {}).get(c, c.replace("_", " ")),
    }
    if not path.is_file():
        return {**base, "report": None}
    report = json.loads(path.read_text(encoding="utf-8"))
    tables = {name: report.get(name, [])[:ROWS] for name in TABLES}
    totals = {name: len(report.get(name, [])) for name in TABLES}
    return {
        **base,
        "report": report,
        "summary": report["summary"],
        "plots": sorted(report.get("plots", {}).values()),
        "tables": tables,
        "totals": totals,
        "rows": ROWS,
    }
