"""Reviewed decisions → a new labeled file in ``data/labeled/`` for the next ``waspada train``.

Only people's decisions become labels (never model outputs), ``unsure`` never does, and each
decision is written once: the store remembers which decisions went into which file. A decision
that contradicts a label already in ``data/labeled`` (or another decision on the same text) is
reported and held back, because ``waspada train`` refuses data where one text carries two labels.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline.errors import InputError
from pipeline.fileio import atomic_open, ensure_writable, json_line
from pipeline.labeled import REVIEWED_PREFIX, labeled_files, load_labeled
from pipeline.review.store import ReviewStore

log = logging.getLogger(__name__)

KIND = "reviewed"


@dataclass
class ToLabeledResult:
    path: Path | None
    written: int = 0
    by_label: dict[str, int] = field(default_factory=dict)
    already_labeled: int = 0
    conflicts: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "path": str(self.path) if self.path else None,
            "written": self.written,
            "by_label": self.by_label,
            "already_labeled": self.already_labeled,
            "conflicts": self.conflicts,
        }


def default_path(labeled_dir: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Path(labeled_dir) / f"{REVIEWED_PREFIX}{stamp}.jsonl"


def _existing_labels(labeled_dir: Path) -> dict[str, str]:
    try:
        labeled_files(labeled_dir)
    except InputError:
        return {}
    data = load_labeled(labeled_dir)
    return dict(zip(data["text"], data["label"], strict=True))


def to_labeled(
    store: ReviewStore, labeled_dir: Path, out: Path | None = None, force: bool = False
) -> ToLabeledResult:
    """Write every decision not yet exported (tppo, tppm, benign) as a new JSONL file."""
    labeled_dir = Path(labeled_dir)
    out = Path(out) if out else default_path(labeled_dir)
    if out.suffix != ".jsonl":
        raise InputError(
            f"{out} must end in .jsonl.", "waspada train reads every .jsonl in data/labeled."
        )
    ensure_writable(out, force, "labeled file")
    existing = _existing_labels(labeled_dir)
    result = ToLabeledResult(path=None)
    by_text: dict[str, list[dict]] = {}
    for row in store.current_decisions(include_unsure=False, only_unexported=True):
        by_text.setdefault(row["text"], []).append(row)
    records, done_ids = [], []
    for text, rows in by_text.items():
        labels = sorted({r["decision"] for r in rows})
        previous = existing.get(text)
        if previous is not None:
            for r in rows:
                if r["decision"] == previous:
                    result.already_labeled += 1
                    done_ids.append(r["decision_id"])  # nothing new to teach; do not offer it again
                else:
                    result.conflicts.append(
                        _conflict(r, previous, "data/labeled already gives this text another label")
                    )
            continue
        if len(labels) > 1:
            # Posts with the same text were decided differently: it teaches nothing until people agree.
            for r in rows:
                result.conflicts.append(
                    _conflict(
                        r, "/".join(labels), "posts with the same text were decided differently"
                    )
                )
            continue
        latest = rows[-1]
        records.append(
            {
                "text": text,
                "label": latest["decision"],
                "kind": KIND,
                "platform": latest["platform"] or "unknown",
                "reviewer": latest["decided_by"],
                "decided_at": latest["decided_at"],
                "model_id": latest["decision_model_id"],
                "score": _score_text(latest["shown_score"]),
                "post_id": latest["post_id"],
                "source": "review",
                "note": latest["note"],
            }
        )
        result.already_labeled += len(rows) - 1
        done_ids += [r["decision_id"] for r in rows]
    if records:
        with atomic_open(out, newline="\n") as handle:
            for record in records:
                handle.write(json_line(record) + "\n")
        result.path = out
        result.written = len(records)
        for record in records:
            result.by_label[record["label"]] = result.by_label.get(record["label"], 0) + 1
    store.mark_exported(done_ids, str(out) if records else "")
    if result.conflicts:
        log.warning(
            "%d reviewed decisions contradict other labels and were not written",
            len(result.conflicts),
        )
    return result


def _conflict(row: dict, other: str, detail: str) -> dict:
    return {
        "post_id": row["post_id"],
        "decision": row["decision"],
        "other_label": other,
        "detail": detail,
    }


def _score_text(score: float | None) -> str:
    # A string, like every other field: pandas would otherwise fill missing scores in older files with "" in a float column.
    return "" if score is None else f"{score:.6f}"
