"""JSON-family inputs: JSONL, JSON arrays and wrappers, X API v2 results and Telegram Desktop exports."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pipeline.errors import InputError
from pipeline.ingest.decoding import (
    RAW_LIMIT,
    decode,
    iter_lines,
    raw_excerpt,
    undecodable,
    undecodable_reason,
)
from pipeline.ingest.records import RawRecord


def read_jsonl(path: Path, encoding: str | None) -> Iterator[RawRecord]:
    yield from _jsonl_lines(path, iter_lines(path, encoding))


def _jsonl_lines(path: Path, lines: Iterable[str]) -> Iterator[RawRecord]:
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\n")
        if not line.strip():
            continue
        if undecodable(line):
            yield RawRecord(
                str(path), number, raw=raw_excerpt(line), problem=undecodable_reason(line)
            )
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RawRecord(
                str(path),
                number,
                raw=raw_excerpt(line),
                problem=f"broken JSON on line {number} ({exc.msg})",
            )
            continue
        except RecursionError:
            yield RawRecord(
                str(path),
                number,
                raw=raw_excerpt(line),
                problem=f"broken JSON on line {number} (nested too deeply)",
            )
            continue
        if not isinstance(obj, dict):
            yield RawRecord(
                str(path),
                number,
                raw=raw_excerpt(line),
                problem=f"JSON on line {number} is not an object",
            )
            continue
        yield RawRecord(str(path), number, obj, raw=line)


def dump_excerpt(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)[:RAW_LIMIT]


def read_json(path: Path, encoding: str | None) -> Iterator[RawRecord]:
    """A JSON array of post objects, or an object wrapping one (posts/items/results/data)."""
    text = decode(path, encoding)
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and text.lstrip().startswith("{"):
            # Objects one per line in a file named .json: read it as JSONL.
            yield from _jsonl_lines(path, text.split("\n"))
            return
        if text.lstrip().startswith("["):
            yield from _salvage_array(path, text, text.index("[") + 1)
            return
        wrapper = _WRAPPED_ARRAY_RE.match(text)
        if wrapper:
            # {"posts": [ ... cut off: the complete posts before the cut are kept, as for a bare array.
            yield from _salvage_array(path, text, wrapper.end())
            return
        yield from _unreadable_json(path, text, exc)
        return
    if isinstance(payload, dict):
        if isinstance(payload.get("messages"), list) or isinstance(payload.get("chats"), dict):
            yield from _telegram_records(path, payload)
            return
        if isinstance(payload.get("data"), list) and "includes" in payload:
            yield from _twitter_records(path, payload)
            return
        for key in ("posts", "items", "results", "data", "records", "statuses"):
            if isinstance(payload.get(key), list):
                payload = payload[key]
                break
        else:
            payload = [payload]
    if not isinstance(payload, list):
        raise InputError(
            f"{path} holds JSON but not a list of posts.",
            "Supply a JSON array of post objects or JSONL.",
        )
    for index, obj in enumerate(payload, start=1):
        yield _json_object_record(path, index, obj)


def _unreadable_json(path: Path, text: str, exc: json.JSONDecodeError) -> Iterator[RawRecord]:
    # One unreadable file is one quarantined record; the other inputs are still read.
    if text.strip():
        yield RawRecord(
            str(path),
            1,
            raw=raw_excerpt(text),
            problem=f"broken JSON on line {exc.lineno} ({exc.msg}); the file could not be read",
        )


def _json_object_record(path: Path, index: int, obj: Any) -> RawRecord:
    if isinstance(obj, dict):
        return RawRecord(str(path), index, obj, raw=dump_excerpt(obj))
    return RawRecord(
        str(path), index, raw=dump_excerpt(obj), problem=f"record {index} is not a JSON object"
    )


# An object whose list of posts starts after a few scalar fields: {"source": "x", "posts": [
_WRAPPED_ARRAY_RE = re.compile(
    r'\s*\{\s*(?:"[^"\\]*"\s*:\s*(?:"[^"\\]*"|[-+\w.]+)\s*,\s*)*'
    r'"(?:posts|items|results|data|records|statuses)"\s*:\s*\['
)


def _salvage_array(path: Path, text: str, position: int) -> Iterator[RawRecord]:
    """Read a damaged JSON array element by element from ``position`` (just after its "["),
    for a scraper killed mid-write, quarantining the rest."""
    decoder = json.JSONDecoder()
    index = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            return
        index += 1
        try:
            obj, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            line = text.count("\n", 0, exc.pos) + 1
            yield RawRecord(
                str(path),
                index,
                raw=raw_excerpt(text[position:]),
                problem=f"broken JSON on line {line} ({exc.msg}); the rest of the file could not be read",
            )
            return
        yield _json_object_record(path, index, obj)


def _load_export(path: Path, encoding: str | None) -> tuple[Any, list[RawRecord]]:
    """A whole-file JSON export, or the quarantine records saying why it could not be parsed."""
    text = decode(path, encoding)
    try:
        return json.loads(text), []
    except json.JSONDecodeError as exc:
        return None, list(_unreadable_json(path, text, exc))


def read_twitter(path: Path, encoding: str | None) -> Iterator[RawRecord]:
    payload, unreadable = _load_export(path, encoding)
    if unreadable:
        yield from unreadable
        return
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise InputError(
            f"{path} is not an X/Twitter API v2 search result (no data[] array).",
            "Pass the right --format.",
        )
    yield from _twitter_records(path, payload)


def _twitter_records(path: Path, payload: dict) -> Iterator[RawRecord]:
    includes = payload.get("includes")
    if not isinstance(includes, dict):
        includes = {}
    # A damaged "includes" only costs the authors; the posts themselves are still read.
    listed = includes.get("users")
    if not isinstance(listed, list):
        listed = []
    users = {
        u.get("id"): u for u in listed if isinstance(u, dict) and isinstance(u.get("id"), str | int)
    }
    for index, tweet in enumerate(payload["data"], start=1):
        if not isinstance(tweet, dict):
            yield RawRecord(
                str(path),
                index,
                raw=dump_excerpt(tweet),
                problem=f"data[{index - 1}] is not an object",
                platform="x",
            )
            continue
        fields = dict(tweet)
        note = tweet.get("note_tweet")
        if isinstance(note, dict) and note.get("text"):
            # Long posts arrive truncated in "text"; the full text is in note_tweet.
            fields["text"] = note["text"]
        author_id = tweet.get("author_id")
        user = users.get(author_id, {}) if isinstance(author_id, str | int) else {}
        fields["author"] = user.get("username") or user.get("name") or tweet.get("author_id", "")
        if user.get("username") and tweet.get("id"):
            fields["url"] = f"https://x.com/{user['username']}/status/{tweet['id']}"
        fields["post_id"] = tweet.get("id", "")
        yield RawRecord(str(path), index, fields, raw=dump_excerpt(tweet), platform="x")


def read_telegram(path: Path, encoding: str | None) -> Iterator[RawRecord]:
    payload, unreadable = _load_export(path, encoding)
    if unreadable:
        yield from unreadable
        return
    if not isinstance(payload, dict) or not (
        isinstance(payload.get("messages"), list) or isinstance(payload.get("chats"), dict)
    ):
        raise InputError(
            f"{path} is not a Telegram Desktop export (no messages[] array).",
            "Pass the right --format.",
        )
    yield from _telegram_records(path, payload)


def telegram_text(value: Any) -> str:
    """Telegram stores text as a string, or as a list of strings and entity objects."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(
            part
            if isinstance(part, str)
            else str(part.get("text", ""))
            if isinstance(part, dict)
            else ""
            for part in value
        )
    return ""


def _telegram_records(path: Path, payload: dict) -> Iterator[RawRecord]:
    """One chat export, or the full-account export whose chats.list holds many chats."""
    chats = (
        payload["chats"].get("list", []) if isinstance(payload.get("chats"), dict) else [payload]
    )
    if not isinstance(chats, list):
        yield RawRecord(
            str(path),
            1,
            raw=dump_excerpt(chats),
            problem="chats.list is not a list of chats; the file could not be read",
            platform="telegram",
        )
        return
    index = 0
    for chat in chats:
        if not isinstance(chat, dict):
            continue
        name = chat.get("name") or ""
        messages = chat.get("messages") or []
        if not isinstance(messages, list):
            index += 1
            yield RawRecord(
                str(path),
                index,
                raw=dump_excerpt(messages),
                problem=f"messages of chat {name!r} is not a list",
                platform="telegram",
            )
            continue
        for message in messages:
            index += 1
            yield _telegram_message(path, index, chat, name, message)


def _telegram_message(path: Path, index: int, chat: dict, name: str, message: Any) -> RawRecord:
    raw = dump_excerpt(message)
    if not isinstance(message, dict):
        return RawRecord(
            str(path),
            index,
            raw=raw,
            problem=f"message {index} is not an object",
            platform="telegram",
        )
    if message.get("type") == "service":
        return RawRecord(
            str(path),
            index,
            raw=raw,
            skip=f"Telegram service message ({message.get('action', 'service')})",
            platform="telegram",
        )
    text = telegram_text(message.get("text", ""))
    if not text.strip() and (
        message.get("photo")
        or message.get("file")
        or message.get("media_type")
        or message.get("sticker_emoji")
    ):
        return RawRecord(
            str(path),
            index,
            raw=raw,
            skip="Telegram media message without text",
            platform="telegram",
        )
    fields = {
        "post_id": f"{chat.get('id', name)}:{message.get('id', index)}",
        "text": text,
        "author": message.get("from") or name,
        "posted_at": message.get("date_unixtime") or message.get("date", ""),
    }
    return RawRecord(str(path), index, fields, raw=raw, platform="telegram")
