"""Property-based: whatever the input, read = ingested + duplicates + skipped + quarantined."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import InputError
from pipeline.ingest import IngestOptions, ingest

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Lone surrogates cannot be written as UTF-8, so no file could hold them.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
SHORT_TEXTS = st.sampled_from(
    ["NA", "null", "0", "-", "", " ", "Loker Kamboja", "=1+1", "gaji 15jt\nWA 0812"]
)


def _ingest_bytes(name: str, data: bytes, **options):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return ingest([path], IngestOptions(**options))


def _balanced(counts: dict) -> bool:
    return (
        counts["read"]
        == counts["ingested"] + counts["duplicates"] + counts["skipped"] + counts["quarantined"]
    )


@SETTINGS
@given(
    st.lists(st.tuples(st.one_of(st.just(""), TEXT), st.one_of(TEXT, SHORT_TEXTS)), max_size=25),
    st.sampled_from([",", ";", "\t", "|"]),
    st.integers(min_value=1, max_value=2),
)
def test_csv_every_row_is_accounted_for(rows, delimiter, max_kb):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["id", "text"])
    writer.writerows(rows)
    result = _ingest_bytes(
        "posts.csv", buffer.getvalue().encode("utf-8"), max_text_bytes=max_kb * 1024
    )
    c = result.counts
    assert _balanced(c)
    assert c["read"] == len(rows)
    assert len(result.posts) == c["ingested"] and len(result.quarantine) == c["quarantined"]
    # The canonical text is the cell as written (only NUL dropped).
    assert set(result.posts["text"]) <= {text.replace("\x00", "") for _, text in rows}


_LINE = st.one_of(
    st.builds(lambda t: json.dumps({"text": t}, ensure_ascii=False), st.one_of(TEXT, SHORT_TEXTS)),
    st.builds(
        lambda t, i: json.dumps({"id": i, "caption": t}, ensure_ascii=False),
        TEXT,
        st.sampled_from(["a", "b", "c"]),
    ),
    st.builds(
        lambda t: json.dumps({"text": t})[: max(1, len(t) // 2)], TEXT
    ),  # cut short: broken JSON
    st.sampled_from(
        ["[1, 2]", "42", '"just a string"', "{}", '{"text": null}', '{"text": 0}', "   ", ""]
    ),
)


@SETTINGS
@given(st.lists(_LINE, max_size=25))
def test_jsonl_every_line_is_accounted_for(lines):
    result = _ingest_bytes("posts.jsonl", ("\n".join(lines) + "\n").encode("utf-8"))
    c = result.counts
    assert _balanced(c)
    assert c["read"] == sum(1 for line in lines if line.strip())


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from(["csv", "jsonl", "whatsapp", "tsv"]))
def test_arbitrary_bytes_never_crash(data, fmt):
    try:
        result = _ingest_bytes("noise.txt", data, format=fmt)
    except InputError as exc:
        # The only whole-file refusal for text formats is a legacy encoding, and it names the fix.
        assert "--encoding" in exc.hint
        return
    assert _balanced(result.counts)
