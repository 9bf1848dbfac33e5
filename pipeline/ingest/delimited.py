"""CSV and TSV: any common delimiter, quoted multi-line cells, and recovery from an unclosed quote."""

from __future__ import annotations

import csv
import itertools
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from pipeline.ingest.decoding import iter_lines, raw_excerpt, undecodable, undecodable_reason
from pipeline.ingest.records import RawRecord

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

DELIMITERS = ",;\t|"
_LINE_RE = re.compile(r"[^\n]*\n|[^\n]+$")


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: the candidate appearing most often outside quotes."""
    header = text.split("\n", 1)[0]
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


class _LineFeed:
    """The file's physical lines, fed to csv.reader one at a time so a broken record can be re-read.

    Lines are pulled from a stream; only the lines of the record being read are kept, so memory
    does not grow with the file.
    """

    def __init__(self, lines: Iterator[str]):
        self._source = lines
        self._kept: list[str] = []
        self._first_kept = 1  # line number of self._kept[0]
        self.position = 0  # line number of the last line handed out

    def line(self, number: int) -> str:
        return self._kept[number - self._first_kept]

    def kept(self) -> list[str]:
        """The lines read but not yet forgotten, from the first one kept."""
        return list(self._kept)

    def forget_before(self, number: int) -> None:
        drop = number - self._first_kept
        if drop > 0:
            del self._kept[:drop]
            self._first_kept = number

    def __iter__(self) -> Iterator[str]:
        while True:
            wanted = self.position + 1
            line: str | None
            if wanted - self._first_kept < len(self._kept):
                line = self._kept[wanted - self._first_kept]
            else:
                line = next(self._source, None)
                if line is None:
                    return
                self._kept.append(line)
            self.position = wanted
            yield line


def read_delimited(
    path: Path, encoding: str | None, delimiter: str | None = None
) -> Iterator[RawRecord]:
    lines = iter_lines(path, encoding)
    first = next(lines, "")
    delimiter = delimiter or sniff_delimiter(first)
    feed = _LineFeed(itertools.chain([first], lines))
    reader = csv.reader(feed, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        # Without a header no row can be matched to columns: every line is quarantined, so the
        # file's content is still accounted for and visible in quarantine.csv.
        problem = f"unreadable CSV header on line 1 ({exc}); fix the header line and ingest the file again"
        for number, line in enumerate(itertools.chain(feed.kept(), lines), start=1):
            yield RawRecord(str(path), number, raw=raw_excerpt(line), problem=problem)
        return
    header = [h.strip() or f"column_{i + 1}" for i, h in enumerate(header)]
    while True:
        record_line = feed.position + 1
        feed.forget_before(record_line)
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield RawRecord(
                str(path),
                record_line,
                raw=raw_excerpt(feed.line(record_line)),
                problem=f"unreadable CSV row on line {record_line} ({exc})",
            )
            continue
        spanned = feed.position - record_line + 1
        if spanned > 1 and len(row) != len(header):
            # An unclosed quote swallows the lines after it into one cell. Quarantine the line that
            # opened it and read on from the next line, so the rows after it are not lost.
            yield RawRecord(
                str(path),
                record_line,
                raw=raw_excerpt(feed.line(record_line)),
                problem=f"unclosed quote on line {record_line} (the rest of that row could not be read)",
            )
            feed.position = record_line
            reader = csv.reader(feed, delimiter=delimiter)
            continue
        yield _delimited_record(path, record_line, header, row, delimiter)


def _delimited_record(
    path: Path, record_line: int, header: list[str], row: list[str], delimiter: str
) -> RawRecord:
    if not any(cell.strip() for cell in row):
        return RawRecord(str(path), record_line, skip="blank line")
    raw = delimiter.join(row)
    if any(undecodable(cell) for cell in row):
        return RawRecord(
            str(path), record_line, raw=raw_excerpt(raw), problem=undecodable_reason(raw)
        )
    if len(row) > len(header) and not any(c.strip() for c in row[len(header) :]):
        row = row[: len(header)]
    elif len(row) < len(header):
        # Hand-edited files often drop trailing empty cells; the missing cells are empty.
        row = row + [""] * (len(header) - len(row))
    if len(row) != len(header):
        return RawRecord(
            str(path),
            record_line,
            raw=raw_excerpt(raw),
            problem=f"row on line {record_line} has {len(row)} fields, header has {len(header)} (check the delimiter or quoting)",
        )
    return RawRecord(str(path), record_line, dict(zip(header, row, strict=True)), raw=raw)
