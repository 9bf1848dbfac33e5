"""Progress bars on stderr, silenced for scripts (--quiet/--json) and when not on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")

_enabled = True


def set_enabled(enabled: bool) -> None:
    global _enabled
    _enabled = enabled


def track(items: Iterable[T], description: str, total: int | None = None, unit: str = "post") -> Iterator[T]:
    yield from tqdm(items, desc=description, total=total, unit=unit, file=sys.stderr,
                    disable=not _enabled, leave=False, dynamic_ncols=True, mininterval=0.5)


def bar(description: str, total: int | None = None, unit: str = "post") -> tqdm:
    return tqdm(desc=description, total=total, unit=unit, file=sys.stderr, disable=not _enabled,
                leave=False, dynamic_ncols=True, mininterval=0.5, unit_scale=True)
