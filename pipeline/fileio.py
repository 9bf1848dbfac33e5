"""Atomic writes and hashes: a crash never leaves a half-written output behind."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import math
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from pipeline.errors import OutputExistsError, OutputLockedError

UTF8_BOM = "\ufeff"


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it into place only on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    # mkstemp creates 0600; an output is a file like any other, readable as the umask allows
    # (colleagues on a shared server read the queue and the models).
    os.fchmod(fd, 0o666 & ~current_umask())
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """The process umask, read without changing it where the system allows (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore at once
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_open(
    target: Path, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = ""
) -> Iterator[IO[Any]]:
    with atomic_path(target) as tmp:
        if "b" in mode:
            with open(tmp, mode) as handle:
                yield handle
        else:
            with open(tmp, mode, encoding=encoding, newline=newline) as handle:
                yield handle


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def write_text(target: Path, text: str) -> None:
    with atomic_open(target, "w", newline="\n") as handle:
        handle.write(text)


def write_json(target: Path, payload: Any) -> None:
    write_text(target, json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")


def write_csv(
    target: Path, rows: Iterable[Mapping[Any, Any]], columns: Sequence[str], bom: bool = True
) -> int:
    """Write rows as CSV (UTF-8 with BOM so Excel shows Indonesian text and emoji). Returns the row count.

    ``rows`` are mappings keyed by column name (``DataFrame.to_dict("records")`` included).
    """
    count = 0
    with atomic_open(target) as handle:
        if bom:
            handle.write(UTF8_BOM)
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_cell(row.get(k, "")) for k in columns})
            count += 1
    return count


def write_csv_frames(
    target: Path, frames: Iterable[Any], columns: Sequence[str], bom: bool = True
) -> int:
    """``write_csv`` for a stream of DataFrames: the same bytes, without a dict per row.

    pandas writes through the same ``csv`` writer, so quoting is identical; booleans and
    missing values are turned into the cells ``write_csv`` would write before they reach it.
    """
    count = 0
    with atomic_open(target) as handle:
        if bom:
            handle.write(UTF8_BOM)
        csv.writer(handle).writerow(list(columns))
        for frame in frames:
            if len(frame) == 0:
                continue
            frame = frame.reindex(columns=list(columns))
            cells = frame.astype(object).where(frame.notna(), "")
            for column in cells.columns:
                values = cells[column]
                if values.map(type).eq(bool).any():
                    cells[column] = values.map(_csv_cell)
            cells.to_csv(handle, header=False, index=False, lineterminator="\r\n")
            count += len(frame)
    return count


XLSX_MAX_CELL = 32_767  # Excel's limit on the characters of one cell
XLSX_MAX_ROWS = 1_048_576  # and on the rows of one sheet, the header included


# What XML 1.0 cannot hold (a workbook is XML): C0 controls but tab and line breaks, lone
# surrogates and the two non-characters.
_XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def write_xlsx_text(
    target: Path,
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    numeric: Sequence[str] = (),
    sheet: str = "Sheet1",
) -> int:
    """Write rows as a workbook for people to open: every cell outside ``numeric`` is a text
    cell holding the exact text, so ``=HYPERLINK(...)``, ``+cmd|...`` or ``@SUM(...)`` in a post
    is shown, never run. Characters XML cannot hold are dropped and cells cut at Excel's 32,767
    characters (ending in "…"); rows past the sheet's limit are left out. Returns the row count.

    Rows are streamed to the file as they come (XlsxWriter's constant-memory mode), so a long
    queue is never held as cells."""
    import xlsxwriter

    def text_of(value: Any) -> str:
        text = _XML_ILLEGAL_RE.sub("", str(_csv_cell(value)))
        return text[: XLSX_MAX_CELL - 1] + "…" if len(text) > XLSX_MAX_CELL else text

    count = 0
    with atomic_path(target) as tmp:
        # Text is written only as text: no string is turned into a formula, a number or a link.
        book = xlsxwriter.Workbook(
            str(tmp),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        worksheet = book.add_worksheet(sheet)
        worksheet.freeze_panes(1, 0)
        bold = book.add_format({"bold": True})
        for column, name in enumerate(columns):
            worksheet.write_string(0, column, text_of(name), bold)
        for row in rows:
            if count >= XLSX_MAX_ROWS - 1:
                break
            count += 1
            for column, name in enumerate(columns):
                value = row.get(name, "")
                if (
                    name in numeric
                    and isinstance(value, int | float)
                    and not isinstance(value, bool)
                    and math.isfinite(value)
                ):
                    worksheet.write_number(count, column, value)
                else:
                    worksheet.write_string(count, column, text_of(value))
        book.close()
    return count


def _csv_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return value


@contextlib.contextmanager
def exclusive_lock(path: Path, what: str, hint: str, wait: float = 0.0) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` for the duration, or fail if someone else does: at once,
    or after waiting up to ``wait`` seconds for a holder that only needs it briefly.

    The lock is ``flock``/``LockFileEx`` on an open file, not the file's existence: the kernel
    drops it when the holding process ends, even by ``kill -9``, so a crash never leaves a stale
    lock to clean up by hand. Processes forked while it is held share it and keep it held.
    The file stays behind (removing it would race with the next run opening it) and holds the
    pid of the last holder, for the message.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(
        path, "a+", encoding="utf-8"
    ) as handle:  # closing the last descriptor releases the lock
        deadline = time.monotonic() + wait
        while not _try_lock(handle):
            if time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            handle.seek(0)
            holder = handle.read().strip()
            raise OutputLockedError(
                f"{what} is in use by another Waspada process{f' (pid {holder})' if holder else ''}.",
                hint,
            )
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield


def _try_lock(handle: IO[Any]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def remove_stale_temporaries(folder: Path, names: Sequence[str] | None = None) -> list[Path]:
    """Delete the temporary files ``atomic_path`` leaves when a process is killed mid-write.

    Only safe while holding the folder's lock: otherwise they may belong to a live writer.
    ``names`` limits it to temporaries of those targets; by default every ``.*.tmp``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    patterns = [f".{name}.*.tmp" for name in names] if names is not None else [".*.tmp"]
    removed = []
    for pattern in patterns:
        for path in folder.glob(pattern):
            if path.is_file():
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ensure_writable(target: Path, force: bool, what: str = "output") -> None:
    """Refuse to overwrite existing results unless the user asked for it."""
    target = Path(target)
    if target.exists() and not force:
        if target.is_dir() and not any(target.iterdir()):
            return
        raise OutputExistsError(
            f"The {what} {target} already exists and would be overwritten.",
            "Pass --force to overwrite it, or choose another path.",
        )


def safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas in text we write to CSV/XLSX for people to open.

    Post text comes from strangers; a cell starting with = + - @ would run as a formula in Excel.
    """
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def json_line(obj: Any) -> str:
    buffer = io.StringIO()
    json.dump(obj, buffer, ensure_ascii=False, default=str)
    return buffer.getvalue()
