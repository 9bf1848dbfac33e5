"""From files to records: which files are read, and every record of each, counted as it is read.

The records become posts, duplicates, skips and quarantine entries in
:mod:`pipeline.ingest.outcomes`; the count taken here is what the run's other counts are
checked against.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict
from zoneinfo import ZoneInfo

from pipeline.errors import InputError, WaspadaError
from pipeline.ingest.decoding import legacy_encoding, looks_binary
from pipeline.ingest.detect import FORMATS, SUPPORTED_SUFFIXES, detect_format, looks_like_data
from pipeline.ingest.readers import READERS
from pipeline.ingest.records import RawRecord

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


class FileNote(TypedDict):
    """The report's word on one input file: one not read, read in a legacy encoding, or with no
    text column (``problem``: nothing of it was scored and the person has to act)."""

    file: str
    note: str
    hint: str | None
    problem: bool


@dataclass
class ReadTally:
    """Records counted as the readers yield them, in all and per source file.

    The count is taken where records are read, not added up from what became of them, so
    comparing it with the posts, duplicates, skips and quarantine entries counted downstream
    finds a record that a later stage lost.
    """

    read: int = 0
    by_file: Counter[str] = field(default_factory=Counter)

    def count(self, record: RawRecord) -> None:
        self.read += 1
        self.by_file[record.source_file] += 1


def _hidden(path: Path) -> bool:
    # Hidden files and Excel's "~$name.xlsx" lock files are never collected data.
    return path.name.startswith((".", "~$"))


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files to read: each given file, and every supported file inside each given folder, each once."""
    return scan_inputs(paths)[0]


def scan_inputs(paths: Sequence[Path]) -> tuple[list[Path], list[FileNote]]:
    """Files to read, and a note for every other entry of a given folder that was left out.

    A folder's unsupported files, FIFOs, broken or looping links and ``.txt`` files that are
    neither a WhatsApp chat nor a table (a README) are not read, and each says so in the
    report; hidden files and Excel lock files are left out without a word.
    """
    files: list[Path] = []
    notes: list[FileNote] = []
    seen: set[Path] = set()
    for path in map(Path, paths):
        if path.is_dir():
            inside = []
            for entry in sorted(path.rglob("*")):
                if (
                    any(part.startswith((".", "~$")) for part in entry.relative_to(path).parts)
                    or entry.is_dir()
                ):
                    continue
                reason = _left_out(entry)
                if reason:
                    notes.append(
                        {
                            "file": str(entry),
                            "note": f"{entry}: {reason}; not read",
                            "hint": None,
                            "problem": False,
                        }
                    )
                else:
                    inside.append(entry)
            if not inside:
                raise InputError(
                    f"The folder {path} holds no supported files.",
                    "Supported: .csv .tsv .txt .jsonl .json .parquet .xlsx",
                )
        elif path.is_file():
            inside = [path]
        elif path.is_symlink():
            raise InputError(
                f"{path} is a broken symbolic link or a link loop.",
                "Point it at a file, or pass the file itself.",
            )
        elif path.exists():
            raise InputError(
                f"{path} is not a regular file (a FIFO, socket or device).",
                "Save the data to a file and pass that file.",
            )
        else:
            raise InputError(
                f"Input not found: {path}", "Check the path; folders are read recursively."
            )
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


def blank_file_note(path: Path) -> FileNote | None:
    """A note for a file with nothing to read (empty, or only NUL bytes), else None."""
    try:
        size = path.stat().st_size
    except OSError:
        return None  # the reader reports it
    if size == 0:
        return {
            "file": str(path),
            "note": f"{path}: empty file; nothing to read",
            "hint": None,
            "problem": False,
        }
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                if block.strip(b"\x00"):
                    return None
    except OSError:
        return None
    return {
        "file": str(path),
        "note": f"{path}: only NUL bytes (a file never written to); nothing to read",
        "hint": None,
        "problem": False,
    }


def check_options(options: IngestOptions) -> None:
    if options.format and options.format not in FORMATS:
        raise InputError(
            f"Unknown format {options.format!r}.", f"Use one of: {', '.join(FORMATS)}."
        )
    try:
        ZoneInfo(options.timezone)
    except Exception as exc:
        raise InputError(
            f"Unknown time zone {options.timezone!r}.",
            "Use an IANA name such as Asia/Jakarta or UTC.",
        ) from exc


def iter_records(files: Iterable[Path], options: IngestOptions) -> Iterator[RawRecord]:
    for path in files:
        yield from file_records(path, options)


_TEXT_FORMATS = frozenset(FORMATS) - {"parquet", "xlsx"}


def file_records(
    path: Path,
    options: IngestOptions,
    notes: list[FileNote] | None = None,
    tally: ReadTally | None = None,
) -> Iterator[RawRecord]:
    """The records of one file, each counted in ``tally`` as it is read. A file that breaks its
    reader part-way becomes one quarantine entry for what could not be read, so one bad file
    never stops the batch.

    A text file with no valid UTF-8 multi-byte sequence at all but other bytes beyond ASCII is
    read in its legacy encoding, and ``notes`` says so; binary data is one quarantine entry.
    """
    for record in _read_file(path, options, notes):
        if tally is not None:
            tally.count(record)
        yield record


def _read_file(
    path: Path, options: IngestOptions, notes: list[FileNote] | None
) -> Iterator[RawRecord]:
    count = 0
    try:
        fmt = options.format or detect_format(path)
        encoding = options.encoding
        if fmt in _TEXT_FORMATS and looks_binary(path):
            # No encoding turns this into posts; an --encoding would only turn it into garbage rows.
            yield RawRecord(
                str(path),
                1,
                raw="",
                problem=(
                    "not a text table: the file holds binary data (an image, archive or another program's file?); "
                    "export the posts as CSV, JSON or XLSX"
                ),
            )
            return
        if fmt in _TEXT_FORMATS and encoding is None:
            encoding = legacy_encoding(path)
            if encoding and notes is not None:
                notes.append(
                    {
                        "file": str(path),
                        "hint": None,
                        "problem": False,
                        "note": (
                            f"{path}: read as {encoding}: the file has no valid UTF-8 multi-byte sequence "
                            f"(pass --encoding to choose another)"
                        ),
                    }
                )
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
