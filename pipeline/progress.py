"""Progress bars on stderr, silenced for scripts (--quiet/--json) and when stderr is not a
terminal: a redirected log gets the command's summary lines, not carriage-return bar frames.

Long runs show a total and a time left: scoring is measured in bytes of input read (estimated
from the records read, as a chunk only knows its records), and the steps after it (clustering,
writing) each say what they are doing and for how long.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from tqdm import tqdm

T = TypeVar("T")

_enabled = True


def set_enabled(enabled: bool) -> None:
    global _enabled
    _enabled = enabled


def active() -> bool:
    """Whether bars are shown: enabled, and stderr is a terminal someone watches."""
    isatty = getattr(sys.stderr, "isatty", None)
    try:
        return _enabled and bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def _bar(description: str, total: float | None, unit: str, **kwargs: Any) -> tqdm:
    return tqdm(
        desc=description,
        total=total,
        unit=unit,
        file=sys.stderr,
        disable=not active(),
        leave=False,
        dynamic_ncols=True,
        mininterval=0.5,
        **kwargs,
    )


def track(
    items: Iterable[T], description: str, total: int | None = None, unit: str = "post"
) -> Iterator[T]:
    with _bar(description, total, unit) as progress:
        for item in items:
            yield item
            progress.update(1)


def bar(description: str, total: int | None = None, unit: str = "post") -> tqdm:
    return _bar(description, total, unit, unit_scale=True)


def counted(frames: Iterable[T], progress: tqdm) -> Iterator[T]:
    """Yield ``frames`` (anything with a length), advancing ``progress`` by each one's length."""
    for frame in frames:
        yield frame
        progress.update(len(frame))  # type: ignore[arg-type]


def read_chunks(chunks: Iterable[list], files: Sequence[Path], description: str) -> Iterator[list]:
    """Yield ``chunks`` of ingest outcomes while showing bytes of ``files`` read, of their total.

    A record's own text stands for the bytes it took in its file; a file counts whole once the
    records of the next file arrive, so the bar never runs ahead of the input.
    """
    sizes: dict[str, int] = {}
    for path in files:
        try:
            sizes[str(path)] = Path(path).stat().st_size
        except OSError:
            sizes[str(path)] = 0
    total = sum(sizes.values())
    done = 0  # bytes of files already passed
    current, in_file = None, 0
    with _bar(description, total or None, "B", unit_scale=True, unit_divisor=1024) as progress:
        for chunk in chunks:
            for outcome in chunk:
                record = outcome.record
                name = (
                    record.source_file
                    if record.source_file in sizes
                    else record.source_file.split("#", 1)[0]
                )
                if name != current:
                    done += sizes.get(current, 0) if current is not None else 0
                    current, in_file = name, 0
                in_file += len(record.raw) + 1 if record.raw else 64
            cap = max(sizes.get(current, 0) - 1, 0) if current is not None else 0
            progress.n = min(done + min(in_file, cap), total)
            progress.update(0)  # shows the new position, at most every mininterval
            yield chunk
        progress.n = total
        progress.refresh()


@contextlib.contextmanager
def stage(description: str) -> Iterator[None]:
    """A step with no natural count (clustering): its name and the time it has taken so far."""
    progress = _bar(description, None, "step", bar_format="{desc}: {elapsed}")
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(1.0):
            progress.refresh()

    ticker = threading.Thread(target=tick, name="waspada-progress", daemon=True)
    if not progress.disable:
        progress.refresh()
        ticker.start()
    try:
        yield
    finally:
        stop.set()
        if ticker.is_alive():
            ticker.join()
        progress.close()
