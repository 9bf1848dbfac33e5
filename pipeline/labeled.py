"""Labeled data: reading, validating and hashing the files in ``data/labeled/``.

Labeled data grows by new files (reviewed decisions arrive as new files), so every ``.jsonl``,
``.csv`` and ``.tsv`` in the folder is read and concatenated in file-name order.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from pipeline.errors import InputError
from pipeline.schema import LABELS

LABELED_SUFFIXES = (".jsonl", ".csv", ".tsv")
# Files `waspada review to-labeled` writes: a team's own decisions, never part of the shipped corpus.
REVIEWED_PREFIX = "review-"
HARD_NEGATIVE_KINDS = frozenset(
    {
        "awareness",
        "news",
        "survivor_story",
        "question_about_offer",
        "hotline_info",
        "legal_placement",
        "travel_abroad",
        "promo_travel",
        "remittance_abroad_life",
        "awareness_personal",
        "helper_reply",
    }
)


def labeled_files(path: Path) -> list[Path]:
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError(
            f"Labeled data not found: {path}", "Pass --labeled PATH to a labeled file or folder."
        )
    files = sorted(p for p in path.rglob("*") if p.suffix in LABELED_SUFFIXES and p.is_file())
    if not files:
        raise InputError(
            f"No labeled files (.jsonl, .csv, .tsv) in {path}.",
            "Add labeled posts or pass --labeled PATH.",
        )
    return files


def _read_one(path: Path) -> pd.DataFrame:
    if path.suffix == ".jsonl":
        rows = []
        with open(path, encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise InputError(
                        f"{path}: line {number} is not valid JSON ({exc.msg}).",
                        "Fix or remove that line.",
                    ) from exc
        frame = pd.DataFrame(rows)
    else:
        frame = pd.read_csv(
            path,
            sep="\t" if path.suffix == ".tsv" else ",",
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
        )
    missing = {"text", "label"} - set(frame.columns)
    if missing:
        raise InputError(
            f"{path} has no {', '.join(sorted(missing))} column.",
            "Labeled files need `text` and `label` columns.",
        )
    # Every column as text: provenance fields (score, reviewer) must not turn into floats with gaps.
    frame = frame.astype(object).where(frame.notna(), "").astype(str)
    frame["source_file"] = path.name
    return frame


def load_labeled(path: Path) -> pd.DataFrame:
    """All labeled posts under ``path`` with columns text, label, kind, platform, source_file.

    Exact duplicate texts keep their first occurrence; conflicting labels for one text are an error,
    because silently picking one would train on a coin flip.
    """
    return load_labeled_files(labeled_files(path))


def load_labeled_files(files: list[Path]) -> pd.DataFrame:
    """``load_labeled`` for exactly these files, in this order."""
    frames = [_read_one(Path(p)) for p in files]
    data = pd.concat(frames, ignore_index=True)
    for column in ("kind", "platform", "lang"):
        if column not in data.columns:
            data[column] = ""
    data = data.astype(object).where(data.notna(), "")
    data["text"] = data["text"].astype(str)
    data["label"] = data["label"].astype(str).str.strip().str.lower()
    unknown = sorted(set(data["label"]) - set(LABELS))
    if unknown:
        raise InputError(
            f"Unknown labels in labeled data: {', '.join(unknown)}.",
            f"Use one of: {', '.join(LABELS)}.",
        )
    data = data[data["text"].str.strip() != ""]
    conflicts = data.groupby("text")["label"].nunique()
    conflicting = conflicts[conflicts > 1]
    if len(conflicting):
        sample = conflicting.index[0][:80]
        raise InputError(
            f"{len(conflicting)} texts carry different labels in different files (e.g. {sample!r}).",
            "Decide one label for each and fix the files.",
        )
    data = data.drop_duplicates("text", keep="first").reset_index(drop=True)
    data["kind"] = data["kind"].replace("", "unspecified")
    extra = [c for c in ("obfuscated", "writer") if c in data.columns]
    return data[["text", "label", "kind", "platform", "lang", "source_file", *extra]]


def data_hash(data: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    for text, label in zip(data["text"], data["label"], strict=True):
        digest.update(label.encode())
        digest.update(b"\x1f")
        digest.update(text.encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()
