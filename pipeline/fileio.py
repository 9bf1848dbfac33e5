"""Atomic writes and hashes: a crash never leaves a half-written output behind."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import math
import os
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
    characters (ending in "…"); rows past the sheet's limit are left out. Returns the row count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    worksheet = book.create_sheet(sheet)
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def text_cell(value: Any, font: Any = None) -> Any:
        text = ILLEGAL_CHARACTERS_RE.sub("", str(_csv_cell(value)))
        if len(text) > XLSX_MAX_CELL:
            text = text[: XLSX_MAX_CELL - 1] + "…"
        cell = WriteOnlyCell(worksheet, value=text)
        cell.data_type = "s"  # openpyxl would store text starting with "=" as a formula
        if font is not None:
            cell.font = font
        return cell

    worksheet.append([text_cell(name, bold) for name in columns])
    count = 0
    for row in rows:
        if count >= XLSX_MAX_ROWS - 1:
            break
        cells = []
        for name in columns:
            value = row.get(name, "")
            if (
                name in numeric
                and isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
            ):
                cells.append(value)
            else:
                cells.append(text_cell(value))
        worksheet.append(cells)
        count += 1
    with atomic_path(target) as tmp:
        book.save(tmp)
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
