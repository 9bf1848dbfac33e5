"""Binary tables: Parquet files and Excel workbooks."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest.decoding import raw_excerpt
from pipeline.ingest.jsonish import dump_excerpt
from pipeline.ingest.records import RawRecord


def read_parquet(path: Path, encoding: str | None) -> Iterator[RawRecord]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:
        raise InputError(
            f"{path} is not a readable Parquet file ({exc}).",
            "Check the file or pass the right --format.",
        ) from exc
    index = 0
    for batch in parquet.iter_batches(batch_size=10_000):
        for row in batch.to_pylist():
            index += 1
            yield RawRecord(
                str(path),
                index,
                {k: ("" if v is None else v) for k, v in row.items()},
                raw=dump_excerpt(row),
            )


# Bounds for workbooks from strangers. Excel's own limits are 16,384 columns and 32,767
# characters a cell; a workbook part that unpacks to more than MAX_PART_BYTES, or to more than
# MAX_RATIO times its packed size once past RATIO_FLOOR, is a zip bomb rather than a collection.
MAX_COLUMNS = 1024
MAX_PART_BYTES = 512 << 20
MAX_RATIO = 100
RATIO_FLOOR = 16 << 20
# Longer runs of blank rows are counted as one skipped record, not one per row.
MAX_BLANK_RUN = 1000
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def read_xlsx(path: Path, encoding: str | None) -> Iterator[RawRecord]:
    """Every sheet of a workbook; a formula cell counts as the value Excel last computed for it.

    The workbook is opened once, read-only. Before that its parts' unpacked sizes are checked
    (a tiny file can unpack to gigabytes), declared dimensions are ignored (a lone cell at
    XFD1048576 would otherwise make every row 16,384 cells wide), rows are cut to the header's
    columns, and formulas without a saved value are found by streaming the sheet XML, which
    does not load the shared strings a second time.
    """
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            too_big = _oversized_part(archive)
            if too_big:
                yield RawRecord(str(path), 1, raw="", problem=too_big)
                return
            parts = _sheet_parts(archive)
            book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise InputError(
            f"{path} is not a readable Excel workbook ({exc}).",
            "Save it again as .xlsx or export CSV.",
        ) from exc
    try:
        with zipfile.ZipFile(path) as archive:
            several = len(book.worksheets) > 1
            for sheet in book.worksheets:
                source = f"{path}#{sheet.title}" if several else str(path)
                sheet.reset_dimensions()  # the declared size is the file's claim, not its content
                part = parts.get(sheet.title)
                uncached = _uncached_formulas(archive, part) if part else {}
                yield from _sheet_records(source, sheet.iter_rows(values_only=True), uncached)
    finally:
        book.close()


def _oversized_part(archive: zipfile.ZipFile) -> str | None:
    for info in archive.infolist():
        ratio_too_high = info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        )
        if info.file_size > MAX_PART_BYTES or ratio_too_high:
            return (
                f"workbook too large to read safely: {info.filename} unpacks to {info.file_size >> 20} MB "
                f"from {max(info.compress_size >> 10, 1)} KB; export the posts as CSV"
            )
    return None


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> the worksheet's XML part in the archive."""
    from xml.etree import ElementTree

    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {
        rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_PKG_REL_NS}Relationship")
    }
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    parts = {}
    for sheet in workbook.iter(f"{_MAIN_NS}sheet"):
        target = targets.get(sheet.get(f"{_REL_NS}id"), "")
        parts[sheet.get("name", "")] = (
            target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        )
    return parts


def _uncached_formulas(archive: zipfile.ZipFile, part: str) -> dict[tuple[int, int], str]:
    """(row, column) -> formula, for formula cells saved without a computed value."""
    from xml.etree import ElementTree

    from openpyxl.utils.cell import coordinate_to_tuple

    found: dict[tuple[int, int], str] = {}
    try:
        stream = archive.open(part)
    except KeyError:
        return found
    with stream:
        for _, element in ElementTree.iterparse(stream, events=("end",)):
            if element.tag == f"{_MAIN_NS}c":
                formula, value = element.find(f"{_MAIN_NS}f"), element.find(f"{_MAIN_NS}v")
                reference = element.get("r")
                if formula is not None and (value is None or not value.text) and reference:
                    found[coordinate_to_tuple(reference)] = "=" + (formula.text or "")
                element.clear()
            elif element.tag == f"{_MAIN_NS}row":
                element.clear()
    return found


def _sheet_records(
    source: str, rows: Iterator[tuple], uncached: dict[tuple[int, int], str]
) -> Iterator[RawRecord]:
    first = next(rows, None)
    if first is None:
        return
    named = [i for i, h in enumerate(first) if h not in (None, "")]
    width = min(named[-1] + 1 if named else len(first), MAX_COLUMNS)
    header = [
        str(h).strip() if h not in (None, "") else f"column_{i + 1}"
        for i, h in enumerate(first[:width])
    ]
    blank_from = None  # first row of the current run of blank rows; trailing runs are formatting, not records
    for number, values in enumerate(rows, start=2):
        cells = list(values[:width]) + [None] * (width - min(len(values), width))
        formulas = {
            column: uncached[(number, column + 1)]
            for column in range(width)
            if (number, column + 1) in uncached
        }
        shown = ["" if v is None else str(v) for v in cells]
        if not any(v.strip() for v in shown) and not formulas:
            blank_from = blank_from or number
            continue
        if blank_from is not None:
            yield from _blank_rows(source, blank_from, number - 1)
            blank_from = None
        if not any(v.strip() for v in shown):
            yield RawRecord(
                source,
                number,
                raw=raw_excerpt("\t".join(formulas.values())),
                problem="formula without a saved value (open the file in Excel and save it again)",
            )
            continue
        missing = [header[column] for column in formulas if cells[column] is None]
        if missing:
            yield RawRecord(
                source,
                number,
                raw=raw_excerpt("\t".join(shown)),
                problem=f"formula without a saved value in column {missing[0]} (open the file in Excel and save it again)",
            )
            continue
        fields = {
            name: ("" if value is None else value)
            for name, value in zip(header, cells, strict=True)
        }
        yield RawRecord(source, number, fields, raw="\t".join(shown))


def _blank_rows(source: str, first: int, last: int) -> Iterator[RawRecord]:
    if last - first + 1 > MAX_BLANK_RUN:
        yield RawRecord(source, first, skip=f"{last - first + 1} blank rows (rows {first}-{last})")
        return
    for number in range(first, last + 1):
        yield RawRecord(source, number, skip="blank row")
