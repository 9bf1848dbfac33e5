"""One reader per format. Each yields RawRecords and never raises on a bad record.

A reader raises ``InputError`` only when a whole file cannot be used (mostly a legacy encoding,
or a workbook that will not open); a bad record becomes a RawRecord with ``problem`` set and is
quarantined.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pipeline.ingest import whatsapp
from pipeline.ingest.decoding import decode
from pipeline.ingest.delimited import read_delimited
from pipeline.ingest.jsonish import read_json, read_jsonl, read_telegram, read_twitter
from pipeline.ingest.records import RawRecord
from pipeline.ingest.tables import read_parquet, read_xlsx


def read_csv(path: Path, encoding: str | None) -> Iterator[RawRecord]:
    return read_delimited(path, encoding, None)


def read_tsv(path: Path, encoding: str | None) -> Iterator[RawRecord]:
    return read_delimited(path, encoding, "\t")


def read_whatsapp(path: Path, encoding: str | None) -> Iterator[RawRecord]:
    return whatsapp.records(path, decode(path, encoding))


READERS = {
    "csv": read_csv,
    "tsv": read_tsv,
    "jsonl": read_jsonl,
    "json": read_json,
    "twitter": read_twitter,
    "telegram": read_telegram,
    "whatsapp": read_whatsapp,
    "parquet": read_parquet,
    "xlsx": read_xlsx,
}
