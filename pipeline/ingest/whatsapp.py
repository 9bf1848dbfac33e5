"""WhatsApp "Export chat" text: both date styles, multi-line messages, system lines in Indonesian and English.

iOS writes ``[28/11/26 10.15.03] Nama: pesan`` and marks its system lines with an invisible
U+200E; Android writes ``28/11/2026, 10:15 - Nama: pesan`` and writes system lines without a
sender. Dates are day-first in Indonesian phones but month-first in US-English ones, so the
order is decided once per file from the dates it holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pipeline.ingest.records import RawRecord

_TIME = r"\d{1,2}[.:]\d{2}(?:[.:]\d{2})?(?:[\s\u202f]?[APap]\.?[Mm]\.?)?"
BRACKET_RE = re.compile(
    rf"^[\u200e\u200f]?\[(?P<date>\d{{1,2}}/\d{{1,2}}/\d{{2,4}}),? (?P<time>{_TIME})\] (?P<rest>.*)$"
)
DASH_RE = re.compile(
    rf"^[\u200e\u200f]?(?P<date>\d{{1,2}}/\d{{1,2}}/\d{{2,4}}),? (?P<time>{_TIME}) [-\u2013] (?P<rest>.*)$"
)

# Bodies that stand for something that is not text: attachments, deleted messages.
_MEDIA_RE = re.compile(
    r"^(?:<media omitted>|<media tidak disertakan>|<attached: [^>]*>|<terlampir: [^>]*>|"
    r"(?:image|video|audio|sticker|gif|document|contact card) omitted|"
    r"(?:gambar|video|audio|stiker|gif|dokumen|kartu kontak) tidak disertakan|"
    r"this message was deleted|you deleted this message|pesan ini (?:telah )?dihapus|anda menghapus pesan ini|"
    r"waiting for this message\.?.*|menunggu pesan ini\.?.*)$",
    re.IGNORECASE,
)
# A sender-less notice whose own text holds ": " (a new group subject) splits like a message;
# no one's name contains these verbs.
_SYSTEM_AUTHOR_RE = re.compile(
    r"\b(?:changed|created|added|removed|mengubah|membuat|menambahkan|mengeluarkan)\b",
    re.IGNORECASE,
)


def match_line(line: str) -> re.Match[str] | None:
    return BRACKET_RE.match(line) or DASH_RE.match(line)


def day_first(lines: list[str]) -> bool:
    """True unless the file's dates can only be month-first (a second field above 12)."""
    for line in lines:
        match = match_line(line)
        if not match:
            continue
        first, second = (int(part) for part in match.group("date").split("/")[:2])
        if first > 12:
            return True
        if second > 12:
            return False
    return True


def _timestamp(date: str, time: str, dayfirst: bool) -> str:
    if not dayfirst:
        month, day, year = date.split("/")
        date = f"{day}/{month}/{year}"
    return f"{date} {time.replace(chr(0x202F), ' ').replace('.m.', 'm').replace('.M.', 'M')}"


def records(path: Path, text: str) -> Iterator[RawRecord]:
    # Only "\n" ends a line; str.splitlines would also break messages at U+2028 and U+0085.
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    dayfirst = day_first(lines)
    source = str(path)
    current: dict | None = None
    start = 0

    def finish() -> Iterator[RawRecord]:
        if current is None:
            return
        body = current["text"].strip().lstrip("\u200e")
        raw = current.pop("raw")
        if _MEDIA_RE.match(body):
            yield RawRecord(
                source,
                start,
                raw=raw,
                skip="WhatsApp media or deleted message",
                platform="whatsapp",
            )
        else:
            yield RawRecord(source, start, current, raw=raw, platform="whatsapp")

    for number, line in enumerate(lines, start=1):
        match = match_line(line)
        if not match:
            if current is not None:
                current["text"] += "\n" + line
                current["raw"] += "\n" + line
            elif line.strip():
                yield RawRecord(
                    source,
                    number,
                    raw=line,
                    problem="line before the first WhatsApp message (not an export line)",
                    platform="whatsapp",
                )
            continue
        yield from finish()
        current = None
        author, sep, body = match.group("rest").partition(": ")
        media = bool(sep) and bool(_MEDIA_RE.match(body.strip().lstrip("\u200e")))
        system = (
            not sep
            or _SYSTEM_AUTHOR_RE.search(author)
            or (body.startswith("\u200e") and not media)
            or _looks_system(body)
        )
        if system:
            yield RawRecord(
                source, number, raw=line, skip="WhatsApp system line", platform="whatsapp"
            )
            continue
        start = number
        current = {
            "author": author.strip("\u200e\u200f ~\u202f"),
            "text": body,
            "posted_at": _timestamp(match.group("date"), match.group("time"), dayfirst),
            "raw": line,
        }
    yield from finish()


def _looks_system(body: str) -> bool:
    """A sender-prefixed notice: only the encryption notice is written this way by exports."""
    lowered = body.lower()
    return "end-to-end" in lowered and (
        "pesan dan panggilan" in lowered or "messages and calls" in lowered
    )
