"""From files to canonical posts: every record ends as a post, a duplicate, a skip or a quarantine entry."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from pipeline import schema
from pipeline.errors import InputError, WaspadaError
from pipeline.ingest import fields as F
from pipeline.ingest.decoding import legacy_encoding, looks_binary
from pipeline.ingest.detect import FORMATS, SUPPORTED_SUFFIXES, detect_format, looks_like_data
from pipeline.ingest.readers import READERS
from pipeline.ingest.records import RawRecord
from pipeline.text.clean import clean_text

log = logging.getLogger(__name__)


@dataclass
class IngestOptions:
    """How to read the inputs; every field has a CLI option of the same name (``--max-text-kb`` sets bytes / 1024)."""

    format: str | None = None
    encoding: str | None = None
    text_column: str | None = None
    id_column: str | None = None
    platform: str | None = None
    max_text_bytes: int = 100 * 1024
    timezone: str = "Asia/Jakarta"


@dataclass
class Outcome:
    """What became of one input record."""

    status: str  # "post", "quarantined" or "skipped"
    record: RawRecord
    post: dict | None = None
    reason: str = ""


@dataclass
class IngestResult:
    """Canonical posts plus the rows of quarantine.csv, skipped.csv and duplicates.csv, and the counts."""

    posts: pd.DataFrame
    quarantine: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    notes: list[dict] = field(default_factory=list)

    def check_balance(self) -> None:
        c = self.counts
        if c["read"] != c["ingested"] + c["duplicates"] + c["skipped"] + c["quarantined"]:
            raise AssertionError(f"Ingestion lost records: {c}")


def _hidden(path: Path) -> bool:
    # Hidden files and Excel's "~$name.xlsx" lock files are never collected data.
    return path.name.startswith((".", "~$"))


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files to read: each given file, and every supported file inside each given folder, each once."""
    return scan_inputs(paths)[0]


def scan_inputs(paths: Sequence[Path]) -> tuple[list[Path], list[dict]]:
    """Files to read, and a note for every other entry of a given folder that was left out.

    A folder's unsupported files, FIFOs, broken or looping links and ``.txt`` files that are
    neither a WhatsApp chat nor a table (a README) are not read, and each says so in the
    report; hidden files and Excel lock files are left out without a word.
    """
    files: list[Path] = []
    notes: list[dict] = []
    seen: set[Path] = set()
    for path in map(Path, paths):
        if path.is_dir():
            inside = []
            for entry in sorted(path.rglob("*")):
                if any(part.startswith((".", "~$")) for part in entry.relative_to(path).parts) or entry.is_dir():
                    continue
                reason = _left_out(entry)
                if reason:
                    notes.append({"file": str(entry), "note": f"{entry}: {reason}; not read", "hint": None, "problem": False})
                else:
                    inside.append(entry)
            if not inside:
                raise InputError(f"The folder {path} holds no supported files.", "Supported: .csv .tsv .txt .jsonl .json .parquet .xlsx")
        elif path.is_file():
            inside = [path]
        elif path.is_symlink():
            raise InputError(f"{path} is a broken symbolic link or a link loop.", "Point it at a file, or pass the file itself.")
        elif path.exists():
            raise InputError(f"{path} is not a regular file (a FIFO, socket or device).", "Save the data to a file and pass that file.")
        else:
            raise InputError(f"Input not found: {path}", "Check the path; folders are read recursively.")
        for file in inside:
            # A file named twice (or given and also inside a given folder) would read as all duplicates.
            if file.resolve() not in seen:
                seen.add(file.resolve())
                files.append(file)
    return files, notes


def _left_out(entry: Path) -> str | None:
    """Why a file found in a folder is not read, or None to read it."""
    if entry.is_symlink() and not entry.exists():
        return "a broken symbolic link or a link loop"
    if not entry.is_file():
        return "not a regular file (a FIFO, socket or device)"
    if entry.suffix.lower() not in SUPPORTED_SUFFIXES:
        return f"unsupported file type {entry.suffix or '(no extension)'} (supported: {' '.join(sorted(SUPPORTED_SUFFIXES))})"
    if entry.suffix.lower() == ".txt" and not looks_like_data(entry):
        return "a .txt file that is neither a WhatsApp chat export nor a table (a README or notes?); pass it on its own to read it"
    return None


def blank_file_note(path: Path) -> dict | None:
    """A note for a file with nothing to read (empty, or only NUL bytes), else None."""
    try:
        size = path.stat().st_size
    except OSError:
        return None  # the reader reports it
    if size == 0:
        return {"file": str(path), "note": f"{path}: empty file; nothing to read", "hint": None, "problem": False}
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                if block.strip(b"\x00"):
                    return None
    except OSError:
        return None
    return {"file": str(path), "note": f"{path}: only NUL bytes (a file never written to); nothing to read", "hint": None, "problem": False}


def check_options(options: IngestOptions) -> None:
    if options.format and options.format not in FORMATS:
        raise InputError(f"Unknown format {options.format!r}.", f"Use one of: {', '.join(FORMATS)}.")
    try:
        ZoneInfo(options.timezone)
    except Exception as exc:
        raise InputError(f"Unknown time zone {options.timezone!r}.", "Use an IANA name such as Asia/Jakarta or UTC.") from exc


def iter_records(files: Iterable[Path], options: IngestOptions) -> Iterator[RawRecord]:
    for path in files:
        yield from file_records(path, options)


_TEXT_FORMATS = frozenset(FORMATS) - {"parquet", "xlsx"}


def file_records(path: Path, options: IngestOptions, notes: list[dict] | None = None) -> Iterator[RawRecord]:
    """The records of one file. A file that breaks its reader part-way becomes one quarantine
    entry for what could not be read, so one bad file never stops the batch.

    A text file with no valid UTF-8 multi-byte sequence at all but other bytes beyond ASCII is
    read in its legacy encoding, and ``notes`` says so; binary data is one quarantine entry.
    """
    count = 0
    try:
        fmt = options.format or detect_format(path)
        encoding = options.encoding
        if fmt in _TEXT_FORMATS and looks_binary(path):
            # No encoding turns this into posts; an --encoding would only turn it into garbage rows.
            yield RawRecord(str(path), 1, raw="", problem=(
                "not a text table: the file holds binary data (an image, archive or another program's file?); "
                "export the posts as CSV, JSON or XLSX"))
            return
        if fmt in _TEXT_FORMATS and encoding is None:
            encoding = legacy_encoding(path)
            if encoding and notes is not None:
                notes.append({"file": str(path), "hint": None, "problem": False,
                              "note": (f"{path}: read as {encoding}: the file has no valid UTF-8 multi-byte sequence "
                                       f"(pass --encoding to choose another)")})
        log.info("reading %s as %s", path, fmt)
        for record in READERS[fmt](path, encoding):
            count += 1
            yield record
    except (WaspadaError, MemoryError):
        raise
    except Exception as exc:  # any failure of one file is reported as that file's problem
        log.debug("reading %s failed", path, exc_info=True)
        rest = "the rest of the file was not read" if count else "nothing in it was read"
        yield RawRecord(str(path), count + 1, raw="", problem=f"{unreadable_reason(exc)}; {rest}")


def unreadable_reason(exc: Exception) -> str:
    """Why a whole file could not be read, in words a person can act on."""
    if isinstance(exc, PermissionError):
        return "file not readable (permission denied; give the user running Waspada read access or move the file out)"
    if isinstance(exc, RecursionError):
        return "JSON nested too deeply to be posts (the file could not be read)"
    if isinstance(exc, IsADirectoryError | FileNotFoundError):
        return f"file not readable ({exc.strerror})"
    if isinstance(exc, OSError):
        return f"file not readable ({exc.strerror or exc})"
    return f"file not readable as posts ({type(exc).__name__}: {exc})"


def to_post(record: RawRecord, options: IngestOptions, collected_at: str, tz: ZoneInfo) -> Outcome:
    if record.skip:
        return Outcome("skipped", record, reason=record.skip)
    if record.problem:
        return Outcome("quarantined", record, reason=record.problem)
    column, text = F.text_of(record.fields, options.text_column)
    # NUL is the one character the canonical text drops: CSV readers downstream refuse it.
    text = text.replace("\x00", "")
    if column is None:
        wanted = options.text_column or ", ".join(schema.TEXT_COLUMN_NAMES[:8]) + ", …"
        return Outcome("quarantined", record, reason=f"missing text column (looked for {wanted}; pass --text-column)")
    if not text.strip():
        return Outcome("quarantined", record, reason="empty text")
    size = len(text.encode("utf-8", errors="surrogateescape"))
    if size > options.max_text_bytes:
        return Outcome("quarantined", record,
                       reason=f"record too large ({size // 1024} KB of text, limit {options.max_text_bytes // 1024} KB; raise --max-text-kb)")
    url = F.url_of(record.fields)
    platform = F.platform_of(record.fields, url, record.platform, options.platform)
    author = F.author_of(record.fields)
    post_id = F.id_of(record.fields, options.id_column) or schema.content_post_id(text, platform, author)
    post = {
        "post_id": post_id,
        "text": text,
        "platform": platform,
        "author": author,
        "posted_at": F.time_of(record.fields, tz),
        "url": url,
        "source_file": record.source_file,
        "source_record": record.source_record,
        "collected_at": collected_at,
    }
    return Outcome("post", record, post)


def iter_outcomes(paths: Sequence[Path], options: IngestOptions, notes: list[dict] | None = None) -> Iterator[Outcome]:
    """Stream the outcome of every record of every input, without holding them all.

    ``notes`` (when given) receives one dict per file that needs a word in the report: a file
    not read, or a file none of whose records had a text column (``problem`` true: nothing of
    it was scored and the person has to act).
    """
    check_options(options)
    files, left_out = scan_inputs(paths)
    if notes is not None:
        notes.extend(left_out)
    collected_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    tz = ZoneInfo(options.timezone)
    for path in files:
        blank = blank_file_note(path)
        if blank:
            if notes is not None:
                notes.append(blank)
            continue
        records = missing = 0
        example: dict | None = None
        for record in file_records(path, options, notes):
            outcome = to_post(record, options, collected_at, tz)
            records += 1
            if outcome.reason.startswith("missing text column"):
                missing += 1
                example = example or record.fields
            yield outcome
        if notes is not None and records and missing == records:
            notes.append(no_text_column_note(str(path), example or {}, options))


def no_text_column_note(file: str, fields: dict, options: IngestOptions) -> dict:
    """The report's word on a file none of whose records had a text column, naming the likely one."""
    columns = [str(key) for key in fields]
    longest = max(fields, key=lambda key: len(str(fields[key])) if isinstance(fields[key], str) else -1, default=None)
    looked = options.text_column or ", ".join(schema.TEXT_COLUMN_NAMES[:8]) + ", …"
    note = (f"{file}: no text column (looked for {looked}; the file has {', '.join(columns[:12]) or 'no columns'}); "
            "its records were quarantined, none was scored")
    hint = f"Pass --text-column {longest} (the column holding the post text)." if longest is not None else "Pass --text-column NAME."
    return {"file": file, "note": note, "hint": hint, "problem": True}


def exact_key(text: str) -> str:
    """Two posts are exact duplicates when their cleaned, case-folded, space-collapsed texts match."""
    return " ".join(clean_text(text).casefold().split())


class Deduplicator:
    """Remembers which texts and ids were seen, to mark later copies as duplicates."""

    def __init__(self) -> None:
        self._by_text: dict[int, str] = {}
        self._by_id: dict[str, int] = {}

    def check(self, post: dict) -> tuple[str, str]:
        """("new", "") or ("duplicate", original post id) or ("conflict", reason)."""
        key = hash(exact_key(post["text"]))
        if key in self._by_text:
            return "duplicate", self._by_text[key]
        if post["post_id"] in self._by_id:
            return "conflict", f"post_id {post['post_id']} already used by a different post (pass --id-column or fix the ids)"
        self._by_text[key] = post["post_id"]
        self._by_id[post["post_id"]] = key
        return "new", ""


_LINE_RE = re.compile(r"\s*\b(?:on )?line \d+\b")


def reason_kind(reason: str) -> str:
    """A reason without its details and line numbers, for counting reasons in the report."""
    return _LINE_RE.sub("", reason.split(" (")[0]).strip()


def quarantine_row(outcome: Outcome, reason: str | None = None) -> dict:
    return {"source_file": outcome.record.source_file, "source_record": outcome.record.source_record,
            "reason": reason or outcome.reason, "raw": (outcome.record.raw or "")[:5000]}


def ingest(paths: Sequence[Path], options: IngestOptions | None = None) -> IngestResult:
    """Read every input into canonical posts; account for every record."""
    options = options or IngestOptions()
    posts: list[dict] = []
    result = IngestResult(pd.DataFrame())
    dedup = Deduplicator()
    per_file: Counter = Counter()
    reasons: Counter = Counter()
    skip_reasons: Counter = Counter()
    read = 0
    notes: list[dict] = []
    for outcome in iter_outcomes(paths, options, notes):
        read += 1
        per_file[outcome.record.source_file] += 1
        if outcome.status == "skipped":
            result.skipped.append({"source_file": outcome.record.source_file, "source_record": outcome.record.source_record, "reason": outcome.reason})
            skip_reasons[reason_kind(outcome.reason)] += 1
            continue
        if outcome.status == "quarantined":
            result.quarantine.append(quarantine_row(outcome))
            reasons[reason_kind(outcome.reason)] += 1
            continue
        status, detail = dedup.check(outcome.post)
        if status == "duplicate":
            result.duplicates.append({"post_id": outcome.post["post_id"], "duplicate_of": detail,
                                      "source_file": outcome.record.source_file, "source_record": outcome.record.source_record})
        elif status == "conflict":
            result.quarantine.append(quarantine_row(outcome, detail))
            reasons["post_id conflict"] += 1
        else:
            posts.append(outcome.post)
    result.posts = pd.DataFrame(posts, columns=list(schema.POST_COLUMNS))
    result.counts = {
        "read": read,
        "ingested": len(posts),
        "duplicates": len(result.duplicates),
        "skipped": len(result.skipped),
        "quarantined": len(result.quarantine),
        "by_file": dict(per_file),
        "quarantine_reasons": dict(reasons),
        "skip_reasons": dict(skip_reasons),
    }
    result.notes = notes
    result.check_balance()
    return result
