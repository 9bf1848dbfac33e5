"""Binary tables: Parquet files and Excel workbooks."""

from __future__ import annotations

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
        raise InputError(f"{path} is not a readable Parquet file ({exc}).", "Check the file or pass the right --format.") from exc
    index = 0
    for batch in parquet.iter_batches(batch_size=10_000):
        for row in batch.to_pylist():
            index += 1
            yield RawRecord(str(path), index, {k: ("" if v is None else v) for k, v in row.items()}, raw=dump_excerpt(row))


def read_xlsx(path: Path, encoding: str | None) -> Iterator[RawRecord]:
    """Every sheet of a workbook; a formula cell counts as the value Excel last computed for it."""
    from openpyxl import load_workbook

    try:
        values_book = load_workbook(path, read_only=True, data_only=True)
        formula_book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:
        raise InputError(f"{path} is not a readable Excel workbook ({exc}).", "Save it again as .xlsx or export CSV.") from exc
    try:
        several = len(values_book.worksheets) > 1
        for values_sheet, formula_sheet in zip(values_book.worksheets, formula_book.worksheets):
            source = f"{path}#{values_sheet.title}" if several else str(path)
            yield from _sheet_records(source, values_sheet.iter_rows(values_only=True), formula_sheet.iter_rows(values_only=True))
    finally:
        values_book.close()
        formula_book.close()


def _sheet_records(source: str, values_rows: Iterator[tuple], formula_rows: Iterator[tuple]) -> Iterator[RawRecord]:
    try:
        first = next(values_rows)
        next(formula_rows)
    except StopIteration:
        return
    header = [str(h).strip() if h not in (None, "") else f"column_{i + 1}" for i, h in enumerate(first)]
    for number, (values, formulas) in enumerate(zip(values_rows, formula_rows), start=2):
        cells = list(values) + [None] * (len(header) - len(values))
        shown = ["" if v is None else str(v) for v in cells]
        if not any(v.strip() for v in shown):
            if any(isinstance(f, str) and f.startswith("=") for f in formulas):
                yield RawRecord(source, number, raw=raw_excerpt("\t".join(str(f) for f in formulas if f is not None)),
                                problem="formula without a saved value (open the file in Excel and save it again)")
            else:
                yield RawRecord(source, number, skip="blank row")
            continue
        uncached = [name for name, value, formula in zip(header, cells, formulas)
                    if value is None and isinstance(formula, str) and formula.startswith("=")]
        if uncached:
            yield RawRecord(source, number, raw=raw_excerpt("\t".join(shown)),
                            problem=f"formula without a saved value in column {uncached[0]} (open the file in Excel and save it again)")
            continue
        fields = {name: ("" if value is None else value) for name, value in zip(header, cells)}
        yield RawRecord(source, number, fields, raw="\t".join(shown))
