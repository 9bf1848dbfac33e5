"""One reader per format. Each yields RawRecords and never raises on a bad record."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.errors import InputError
from pipeline.ingest.records import RawRecord

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

LEGACY_ENCODINGS = ("cp1252", "latin-1")
_UNDECODABLE_RE = re.compile("[\udc80-\udcff]")


def _decode(path: Path, encoding: str | None) -> str:
    data = path.read_bytes().replace(b"\x00", b"")
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(f"{path} cannot be decoded as {encoding} ({exc}).", "Check --encoding; common ones are utf-8, cp1252, latin-1.") from exc
    text = data.decode("utf-8", errors="surrogateescape")
    if text.startswith("\ufeff"):
        text = text[1:]
    bad_lines = sum(1 for line in text.splitlines() if _UNDECODABLE_RE.search(line))
    total = max(1, text.count("\n") + 1)
    if bad_lines and bad_lines / total > 0.2:
        guess = next((enc for enc in LEGACY_ENCODINGS if _decodes(data, enc)), "cp1252")
        raise InputError(
            f"{path} is not UTF-8: {bad_lines} of {total} lines hold bytes UTF-8 cannot read.",
            f"It looks like a legacy encoding; try --encoding={guess}.",
        )
    return text


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
        return True
    except UnicodeDecodeError:
        return False


def _undecodable(value: str) -> bool:
    return bool(_UNDECODABLE_RE.search(value))


def _visible(value: str) -> str:
    return value.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


def read_delimited(path: Path, encoding: str | None, delimiter: str | None = None) -> Iterator[RawRecord]:
    text = _decode(path, encoding)
    if delimiter is None:
        sample = text[:65536]
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    header = [h.strip().lstrip("\ufeff") for h in header]
    line_of_record = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield RawRecord(str(path), line_of_record, problem=f"unreadable CSV row on line {line_of_record} ({exc})")
            line_of_record = reader.line_num + 1
            continue
        record_line, line_of_record = line_of_record, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            yield RawRecord(str(path), record_line, skip="blank line")
            continue
        raw = delimiter.join(row)
        if any(_undecodable(cell) for cell in row):
            yield RawRecord(str(path), record_line, raw=_visible(raw),
                            problem="undecodable bytes (not UTF-8); if the file is in a legacy encoding, pass --encoding")
            continue
        if len(row) != len(header):
            if len(row) > len(header) and not any(c.strip() for c in row[len(header):]):
                row = row[: len(header)]
            else:
                yield RawRecord(str(path), record_line, raw=raw,
                                problem=f"row has {len(row)} fields, header has {len(header)} (check the delimiter or quoting)")
                continue
        yield RawRecord(str(path), record_line, dict(zip(header, row)), raw=raw)


def read_jsonl(path: Path, encoding: str | None) -> Iterator[RawRecord]:
    text = _decode(path, encoding)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if _undecodable(line):
            yield RawRecord(str(path), number, raw=_visible(line), problem="undecodable bytes (not UTF-8)")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RawRecord(str(path), number, raw=line[:2000], problem=f"broken JSON on line {number} ({exc.msg})")
            continue
        if not isinstance(obj, dict):
            yield RawRecord(str(path), number, raw=line[:2000], problem=f"line {number} is JSON but not an object")
            continue
        yield RawRecord(str(path), number, obj, raw=line)


def _load_json(path: Path, encoding: str | None) -> Any:
    text = _decode(path, encoding)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).",
            "If it has one JSON object per line, pass --format jsonl.",
        ) from exc


def read_json(path: Path, encoding: str | None) -> Iterator[RawRecord]:
    """A JSON array of post objects, or an object wrapping one (posts/items/results/data)."""
    payload = _load_json(path, encoding)
    if isinstance(payload, dict):
        if "messages" in payload and isinstance(payload["messages"], list):
            yield from _telegram_records(path, payload)
            return
        if "data" in payload and isinstance(payload["data"], list) and "includes" in payload:
            yield from _twitter_records(path, payload)
            return
        for key in ("posts", "items", "results", "data", "records", "statuses"):
            if isinstance(payload.get(key), list):
                payload = payload[key]
                break
        else:
            payload = [payload]
    if not isinstance(payload, list):
        raise InputError(f"{path} holds JSON but not a list of posts.", "Supply a JSON array of post objects or JSONL.")
    for index, obj in enumerate(payload, start=1):
        if isinstance(obj, dict):
            yield RawRecord(str(path), index, obj, raw=json.dumps(obj, ensure_ascii=False)[:2000])
        else:
            yield RawRecord(str(path), index, raw=json.dumps(obj, ensure_ascii=False)[:2000], problem=f"record {index} is not a JSON object")


def read_twitter(path: Path, encoding: str | None) -> Iterator[RawRecord]:
    payload = _load_json(path, encoding)
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise InputError(f"{path} is not an X/Twitter API v2 search result (no data[] array).", "Pass the right --format.")
    yield from _twitter_records(path, payload)


def _twitter_records(path: Path, payload: dict) -> Iterator[RawRecord]:
    users = {u.get("id"): u for u in payload.get("includes", {}).get("users", []) if isinstance(u, dict)}
    for index, tweet in enumerate(payload["data"], start=1):
        if not isinstance(tweet, dict):
            yield RawRecord(str(path), index, raw=str(tweet)[:2000], problem=f"data[{index - 1}] is not an object", platform="x")
            continue
        fields = dict(tweet)
        user = users.get(tweet.get("author_id"), {})
        fields["author"] = user.get("username") or user.get("name") or tweet.get("author_id", "")
        if user.get("username") and tweet.get("id"):
            fields["url"] = f"https://x.com/{user['username']}/status/{tweet['id']}"
        fields["post_id"] = tweet.get("id", "")
        yield RawRecord(str(path), index, fields, raw=json.dumps(tweet, ensure_ascii=False)[:2000], platform="x")


def read_telegram(path: Path, encoding: str | None) -> Iterator[RawRecord]:
    payload = _load_json(path, encoding)
    if not isinstance(payload, dict) or not isinstance(payload.get("messages"), list):
        raise InputError(f"{path} is not a Telegram Desktop export (no messages[] array).", "Pass the right --format.")
    yield from _telegram_records(path, payload)


def telegram_text(value: Any) -> str:
    """Telegram stores text as a string, or as a list of strings and entity objects."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(part if isinstance(part, str) else str(part.get("text", "")) for part in value)
    return ""


def _telegram_records(path: Path, payload: dict) -> Iterator[RawRecord]:
    chat = payload.get("name", "")
    for index, message in enumerate(payload["messages"], start=1):
        raw = json.dumps(message, ensure_ascii=False)[:2000]
        if not isinstance(message, dict):
            yield RawRecord(str(path), index, raw=raw, problem=f"messages[{index - 1}] is not an object", platform="telegram")
            continue
        if message.get("type") == "service":
            yield RawRecord(str(path), index, raw=raw, skip=f"Telegram service message ({message.get('action', 'service')})", platform="telegram")
            continue
        text = telegram_text(message.get("text", ""))
        fields = {
            "post_id": f"{payload.get('id', chat)}:{message.get('id', index)}",
            "text": text,
            "author": message.get("from") or chat,
            "posted_at": message.get("date_unixtime") or message.get("date", ""),
        }
        if not text.strip() and (message.get("photo") or message.get("file") or message.get("media_type")):
            yield RawRecord(str(path), index, raw=raw, skip="Telegram media message without text", platform="telegram")
            continue
        yield RawRecord(str(path), index, fields, raw=raw, platform="telegram")


_WA_BRACKET_RE = re.compile(
    r"^\u200e?\[(?P<date>\d{1,2}/\d{1,2}/\d{2,4}),? (?P<time>\d{1,2}[.:]\d{2}(?:[.:]\d{2})?(?:\s?[APap][Mm])?)\] (?P<rest>.*)$"
)
_WA_DASH_RE = re.compile(
    r"^\u200e?(?P<date>\d{1,2}/\d{1,2}/\d{2,4}),? (?P<time>\d{1,2}[.:]\d{2}(?:\s?[APap][Mm])?) - (?P<rest>.*)$"
)
_WA_SYSTEM_HINTS = (
    "end-to-end", "dienkripsi", "terenkripsi", "created group", "membuat grup", "added", "menambahkan", " left", "keluar",
    "changed the", "mengubah", "joined using", "bergabung", "removed", "mengeluarkan", "security code", "kode keamanan",
    "pesan ini telah dihapus", "this message was deleted", "<media omitted>", "<media tidak disertakan>",
)


def read_whatsapp(path: Path, encoding: str | None) -> Iterator[RawRecord]:
    """WhatsApp "Export chat" text, in both date styles; multi-line messages are joined."""
    text = _decode(path, encoding)
    current: dict[str, Any] | None = None
    current_line = 0

    def finish() -> Iterator[RawRecord]:
        if current is None:
            return
        body = current["text"]
        if body.strip().lower() in ("<media omitted>", "<media tidak disertakan>", "pesan ini telah dihapus", "this message was deleted"):
            yield RawRecord(str(path), current_line, raw=current["raw"], skip="WhatsApp media or deleted message", platform="whatsapp")
        else:
            yield RawRecord(str(path), current_line, current, raw=current["raw"], platform="whatsapp")

    for number, line in enumerate(text.splitlines(), start=1):
        match = _WA_BRACKET_RE.match(line) or _WA_DASH_RE.match(line)
        if match:
            yield from finish()
            current = None
            rest = match.group("rest")
            author, sep, body = rest.partition(": ")
            if not sep:
                yield RawRecord(str(path), number, raw=line, skip="WhatsApp system line", platform="whatsapp")
                continue
            current_line = number
            current = {"author": author.strip("\u200e "), "text": body, "posted_at": f"{match.group('date')} {match.group('time')}",
                       "date_style": "bracket" if line.lstrip("\u200e").startswith("[") else "dash", "raw": line}
        elif current is not None:
            current["text"] += "\n" + line
            current["raw"] += "\n" + line
        elif line.strip():
            if any(hint in line.lower() for hint in _WA_SYSTEM_HINTS):
                yield RawRecord(str(path), number, raw=line, skip="WhatsApp system line", platform="whatsapp")
            else:
                yield RawRecord(str(path), number, raw=line, problem="line outside any WhatsApp message (not an export line)")
    yield from finish()


def read_parquet(path: Path, encoding: str | None) -> Iterator[RawRecord]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:
        raise InputError(f"{path} is not a readable Parquet file ({exc}).", "Check the file or pass the right --format.") from exc
    index = 0
    for batch in parquet.iter_batches(batch_size=10_000):
        for row in batch.to_pylist():
            index += 1
            yield RawRecord(str(path), index, {k: ("" if v is None else v) for k, v in row.items()}, raw="")


def read_xlsx(path: Path, encoding: str | None) -> Iterator[RawRecord]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise InputError(f"{path} is not a readable Excel workbook ({exc}).", "Save it again as .xlsx or export CSV.") from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = [str(h).strip() if h is not None else f"column_{i}" for i, h in enumerate(next(rows))]
    except StopIteration:
        return
    for number, row in enumerate(rows, start=2):
        values = ["" if v is None else str(v) for v in row]
        if not any(v.strip() for v in values):
            yield RawRecord(str(path), number, skip="blank row")
            continue
        yield RawRecord(str(path), number, dict(zip(header, values)), raw="\t".join(values))
    workbook.close()


READERS = {
    "csv": lambda p, e: read_delimited(p, e, None),
    "tsv": lambda p, e: read_delimited(p, e, "\t"),
    "jsonl": read_jsonl,
    "json": read_json,
    "twitter": read_twitter,
    "telegram": read_telegram,
    "whatsapp": read_whatsapp,
    "parquet": read_parquet,
    "xlsx": read_xlsx,
}
