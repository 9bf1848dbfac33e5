"""Recognising a file's format from its content (the extension only breaks ties)."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest.whatsapp import match_line

FORMATS = ("csv", "tsv", "jsonl", "json", "parquet", "xlsx", "whatsapp", "twitter", "telegram")
SUPPORTED_SUFFIXES = frozenset(
    {".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json", ".parquet", ".xlsx"}
)
_HEAD_BYTES = 65536


def detect_format(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            f"{path} is an old Excel .xls workbook, which Waspada does not read.",
            "Open it in Excel or LibreOffice and save it as .xlsx or CSV (UTF-8).",
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace")
    text = text.replace("\x00", "").lstrip("\ufeff \t\r\n")
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    suffix = path.suffix.lower()
    if lines and match_line(lines[0]):
        return "whatsapp"
    if text.startswith(("{", "[")):
        return _json_kind(text, suffix)
    if lines and sum(bool(match_line(line)) for line in lines) >= max(1, len(lines) // 2):
        return "whatsapp"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".tsv" or (
        lines and lines[0].count("\t") > max(lines[0].count(","), lines[0].count(";"))
    ):
        return "tsv"
    return "csv"


def _json_kind(text: str, suffix: str) -> str:
    head = text[:4000]
    if text.startswith("{"):
        if ('"messages"' in head and ('"type"' in text or '"chats"' in head)) or (
            '"chats"' in head and '"list"' in head
        ):
            return "telegram"
        if '"data"' in head and ('"includes"' in text or '"author_id"' in text):
            return "twitter"
        first_line = text.splitlines()[0]
        # Objects one per line: a complete object on line one, or a .jsonl name even when line one is broken.
        if suffix in (".jsonl", ".ndjson") or (
            _is_json_object(first_line) and "\n" in text.strip()
        ):
            return "jsonl"
    elif suffix in (".jsonl", ".ndjson") and _is_json(text.splitlines()[0]):
        # One value per line in a .jsonl file whose first line happens to be an array.
        return "jsonl"
    return "json"


def _is_json_object(line: str) -> bool:
    return _is_json(line, dict)


def _is_json(line: str, kind: type = object) -> bool:
    try:
        return isinstance(json.loads(line), kind)
    except (json.JSONDecodeError, RecursionError):
        return False


def looks_like_data(path: Path) -> bool:
    """Whether a ``.txt`` file is a WhatsApp chat, JSON or a delimited table, not prose.

    A table's first lines share one delimiter count; a README's lines do not.
    """
    try:
        fmt = detect_format(path)
    except InputError:
        return True  # let the reader explain it
    if fmt != "csv":
        return True
    with open(path, "rb") as handle:
        text = handle.read(_HEAD_BYTES).decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = [line for line in text.splitlines()[:21] if line.strip()]
    if len(lines) < 2:
        return False
    delimiter = max(",;|", key=lines[0].count)
    columns = lines[0].count(delimiter)
    if not columns:
        return False
    agreeing = sum(line.count(delimiter) == columns for line in lines[1:])
    return agreeing >= 0.8 * (len(lines) - 1)
