"""Recognising a file's format from its content (the extension only breaks ties)."""

from __future__ import annotations

import json
import re
from pathlib import Path

FORMATS = ("csv", "tsv", "jsonl", "json", "parquet", "xlsx", "whatsapp", "twitter", "telegram")

_WHATSAPP_LINE_RE = re.compile(
    r"^\u200e?(?:\[\d{1,2}/\d{1,2}/\d{2,4},? \d{1,2}[.:]\d{2}(?:[.:]\d{2})?(?:\s?[APap][Mm])?\]|\d{1,2}/\d{1,2}/\d{2,4},? \d{1,2}[.:]\d{2}(?:\s?[APap][Mm])? -) "
)


def detect_format(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if lines and _WHATSAPP_LINE_RE.match(lines[0]):
        return "whatsapp"
    if text.startswith("[") or text.startswith("{"):
        first_line = text.splitlines()[0] if text else ""
        if text.startswith("{") and _is_json_object(first_line) and "\n" in text.strip():
            return "jsonl"
        if text.startswith("{"):
            if '"messages"' in text[:4000] and ('"type"' in text or '"chats"' in text[:4000]):
                return "telegram"
            if '"data"' in text[:2000] and ('"includes"' in text or '"author_id"' in text or '"meta"' in text):
                return "twitter"
        return "json"
    if lines and sum(bool(_WHATSAPP_LINE_RE.match(line)) for line in lines) >= max(1, len(lines) // 2):
        return "whatsapp"
    suffix = path.suffix.lower()
    if suffix == ".tsv" or (lines and lines[0].count("\t") > lines[0].count(",") and lines[0].count("\t") > 0):
        return "tsv"
    if suffix == ".jsonl" or suffix == ".ndjson":
        return "jsonl"
    return "csv"


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


SUPPORTED_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json", ".parquet", ".xlsx"})
