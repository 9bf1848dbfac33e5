"""The spreadsheet round trip: export the queue with a decision column, import it back with checks.

Every imported row ends in exactly one bucket (applied, unchanged, blank, duplicate, or a
problem: unknown label, unknown id, missing reviewer, conflict) and the buckets add up to the rows
read, so nothing is dropped without being reported. By default a file with problems changes
nothing; ``skip_invalid`` applies the good rows and still reports the rest.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.errors import InputError
from pipeline.evidence.reasons import readable_row
from pipeline.fileio import atomic_path, ensure_writable, safe_cell, write_csv
from pipeline.review.store import DECISIONS, QueueFilter, ReviewStore

log = logging.getLogger(__name__)

EXPORT_COLUMNS: tuple[str, ...] = (
    "post_id",
    "decision",
    "reviewer",
    "note",
    "score",
    "category",
    "platform",
    "posted_at",
    "author",
    "url",
    "text",
    "reasons",
    "indicators",
    "contacts",
    "destinations",
    "pay_idr_month",
    "cluster_id",
    "cluster_size",
    "model_id",
    "decided_at",
    "store_decision",
)
FORMATS = (".csv", ".xlsx")
_FORMULA_START = "=+-@\t\r"


def export_queue(
    store: ReviewStore, out: Path, flt: QueueFilter | None = None, force: bool = False
) -> dict:
    """Write the queue (highest score first) to ``out`` (.csv or .xlsx); returns a summary."""
    out = Path(out)
    if out.suffix.lower() not in FORMATS:
        raise InputError(
            f"Cannot write {out.suffix or 'a file without extension'}: export writes .csv or .xlsx.",
            "Name the file e.g. antrean.xlsx or antrean.csv.",
        )
    ensure_writable(out, force, "export")
    flt = flt or QueueFilter(status="all")
    rows, total = store.query(flt, limit=10**9)
    table = [_export_row(r) for r in rows]
    if out.suffix.lower() == ".csv":
        write_csv(out, table, EXPORT_COLUMNS)
    else:
        _write_xlsx(out, table)
    decided = sum(1 for r in rows if r["decision"])
    return {"path": str(out), "rows": total, "decided": decided, "pending": total - decided}


def _export_row(post: dict) -> dict[str, str]:
    row = {name: post.get(name) for name in EXPORT_COLUMNS}
    row["decision"] = post["decision"] or ""
    row["reviewer"] = post["decided_by"] or ""
    row["note"] = ""
    row["store_decision"] = post["decision"] or ""
    row["score"] = f"{post['score']:.6f}"
    # People read this file: reasons quote the post as written and carry no internal token.
    row["reasons"] = readable_row(post, "id")
    return {k: safe_cell("" if v is None else str(v)) for k, v in row.items()}


def _write_xlsx(out: Path, rows: list[dict[str, str]]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.worksheets[0]  # a new workbook starts with one worksheet
    sheet.title = "antrean"
    sheet.append(list(EXPORT_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", row[name]) for name in EXPORT_COLUMNS])
    # Text stays text: no cell is ever read by Excel as a number or a formula.
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.data_type = "s"
    column = chr(ord("A") + EXPORT_COLUMNS.index("decision"))
    check = DataValidation(type="list", formula1='"' + ",".join(DECISIONS) + '"', allow_blank=True)
    check.add(f"{column}2:{column}{max(2, len(rows) + 1)}")
    sheet.add_data_validation(check)
    sheet.freeze_panes = "C2"
    for name, width in (
        ("post_id", 18),
        ("decision", 12),
        ("reviewer", 14),
        ("note", 24),
        ("text", 80),
        ("reasons", 60),
    ):
        sheet.column_dimensions[chr(ord("A") + EXPORT_COLUMNS.index(name))].width = width
    with atomic_path(out) as tmp:
        book.save(tmp)


def unescape(value: str) -> str:
    """Undo safe_cell: a leading apostrophe before = + - @ was ours, not the reviewer's."""
    if len(value) >= 2 and value[0] == "'" and value[1] in _FORMULA_START:
        return value[1:]
    return value


def read_sheet(path: Path) -> list[dict[str, str]]:
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"File not found: {path}", "Pass the .csv or .xlsx written by `waspada review export`."
        )
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path} is not UTF-8 text.", "Save it from the spreadsheet as 'CSV UTF-8'."
            ) from exc
        records = frame.to_dict("records")
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        lines = book.worksheets[0].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(lines, ())]
        records = []
        for line in lines:
            values = ["" if v is None else str(v) for v in line]
            if any(v.strip() for v in values):
                # A hand-edited sheet can have rows shorter or longer than its header.
                records.append(dict(zip(header, values, strict=False)))
        book.close()
    else:
        raise InputError(
            f"Cannot read {suffix or 'a file without extension'}.", "Import a .csv or .xlsx file."
        )
    return [{str(k).strip(): unescape(str(v)) for k, v in r.items()} for r in records]


@dataclass
class ImportReport:
    rows: int = 0
    applied: list[dict] = field(default_factory=list)
    unchanged: int = 0
    blank: int = 0
    duplicates: int = 0
    problems: list[dict] = field(default_factory=list)
    written: bool = False

    @property
    def counts(self) -> dict[str, int]:
        kinds = Counter(p["problem"] for p in self.problems)
        return {
            "rows": self.rows,
            "applied": len(self.applied),
            "unchanged": self.unchanged,
            "blank": self.blank,
            "duplicates": self.duplicates,
            **{k: kinds.get(k, 0) for k in PROBLEMS},
        }

    @property
    def balanced(self) -> bool:
        c = self.counts
        return c["rows"] == sum(v for k, v in c.items() if k != "rows")

    def summary(self) -> dict:
        return {
            "counts": self.counts,
            "balanced": self.balanced,
            "written": self.written,
            "problems": self.problems,
        }


PROBLEMS = (
    "unknown_label",
    "unknown_id",
    "missing_reviewer",
    "conflict_in_file",
    "conflict_with_store",
)


def import_decisions(
    store: ReviewStore,
    path: Path,
    reviewer: str | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Check every row of an exported sheet, then record its decisions (via="import")."""
    records = read_sheet(path)
    if records and ("post_id" not in records[0] or "decision" not in records[0]):
        raise InputError(
            f"{path} has no post_id and decision columns.",
            "Import the file written by `waspada review export`, keeping its header row.",
        )
    report = ImportReport(rows=len(records))
    current = store.current_map()
    by_id: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    for number, rec in enumerate(
        records, start=2
    ):  # row 1 is the header, as the spreadsheet numbers it
        rec = {k: (v or "").strip() for k, v in rec.items()}
        decision = rec.get("decision", "").lower()
        post_id = rec.get("post_id", "")
        where = {"row": number, "post_id": post_id, "decision": rec.get("decision", "")}
        if not decision:
            report.blank += 1
        elif decision not in DECISIONS:
            report.problems.append(
                {
                    **where,
                    "problem": "unknown_label",
                    "detail": f"use one of {', '.join(DECISIONS)}",
                }
            )
        elif post_id not in current:
            report.problems.append(
                {**where, "problem": "unknown_id", "detail": "not in the review store"}
            )
        elif not (rec.get("reviewer") or reviewer or "").strip():
            report.problems.append(
                {
                    **where,
                    "problem": "missing_reviewer",
                    "detail": "fill the reviewer column or pass --reviewer",
                }
            )
        else:
            by_id[post_id].append(
                (
                    number,
                    {
                        **rec,
                        "decision": decision,
                        "reviewer": rec.get("reviewer") or reviewer or "",
                    },
                )
            )
    for post_id, entries in by_id.items():
        choices = {e["decision"] for _, e in entries}
        if len(choices) > 1:
            for number, e in entries:
                report.problems.append(
                    {
                        "row": number,
                        "post_id": post_id,
                        "decision": e["decision"],
                        "problem": "conflict_in_file",
                        "detail": f"this file gives {post_id} several decisions: {', '.join(sorted(choices))}",
                    }
                )
            continue
        report.duplicates += len(entries) - 1
        number, entry = entries[0]
        stored = current[post_id]
        if stored == entry["decision"]:
            report.unchanged += 1
        elif stored is not None and entry.get("store_decision", "") != stored:
            # Someone decided on the desk after this file was exported: neither side wins silently.
            report.problems.append(
                {
                    "row": number,
                    "post_id": post_id,
                    "decision": entry["decision"],
                    "problem": "conflict_with_store",
                    "detail": f"the store now says {stored}; decide on the desk or re-export",
                }
            )
        else:
            report.applied.append(
                {
                    "post_id": post_id,
                    "decision": entry["decision"],
                    "reviewer": entry["reviewer"],
                    "note": entry.get("note", ""),
                    "row": number,
                }
            )
    report.problems.sort(key=lambda p: p["row"])
    if not report.balanced:  # pragma: no cover - a bug in the buckets above, never a user error
        raise RuntimeError(f"import buckets do not add up: {report.counts}")
    if dry_run or not report.applied or (report.problems and not skip_invalid):
        return report
    store.record(
        [{k: a[k] for k in ("post_id", "decision", "reviewer", "note")} for a in report.applied],
        via="import",
    )
    report.written = True
    return report
