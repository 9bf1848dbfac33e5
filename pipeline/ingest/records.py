"""What a reader yields: one raw record, or the reason it could not be read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RawRecord:
    """One record as found in a file, before it becomes a canonical post.

    ``fields`` holds the record's own fields; ``problem`` says why it cannot be used (then it is
    quarantined); ``skip`` says why it is deliberately not a post (a service or system line).
    """

    source_file: str
    source_record: int
    fields: dict[str, Any] = field(default_factory=dict)
    raw: str = ""
    problem: str | None = None
    skip: str | None = None
    platform: str | None = None
