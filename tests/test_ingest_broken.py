"""A deliberately broken corpus: no crash, every record accounted for, specific reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.ingest import IngestOptions, ingest

BROKEN = Path(__file__).resolve().parent / "fixtures" / "ingest" / "broken"


@pytest.fixture(scope="module")
def result():
    return ingest([BROKEN])


def _reasons(result, name):
    return {
        q["source_record"]: q["reason"]
        for q in result.quarantine
        if q["source_file"].endswith(name)
    }


def test_counting_invariant_holds_on_the_broken_corpus(result):
    c = result.counts
    assert c["read"] == c["ingested"] + c["duplicates"] + c["skipped"] + c["quarantined"]
    assert c["read"] == sum(c["by_file"].values())
    # Non-blank JSONL lines (10), CSV rows after the header (11), array elements reached (3), WhatsApp records (3).
    assert c["read"] == 27
    assert c["quarantine_reasons"]["broken JSON"] == 2
    assert c["quarantine_reasons"]["row has 5 fields, header has 3"] == 1
    assert sum(c["quarantine_reasons"].values()) == c["quarantined"]


def test_csv_problems_have_specific_reasons(result):
    reasons = _reasons(result, "messy.csv")
    assert reasons[5].startswith("undecodable bytes") and "--encoding cp1252" in reasons[5]
    assert reasons[6] == "row on line 6 has 5 fields, header has 3 (check the delimiter or quoting)"
    assert reasons[7] == "empty text"
    assert reasons[8].startswith("record too large (113 KB of text, limit 100 KB")
    texts = dict(zip(result.posts["post_id"], result.posts["text"], strict=True))
    assert texts["c2"] == "Loker operator pabrik Bekasi"  # NUL byte dropped
    assert texts["c3"].startswith(
        '=HYPERLINK("http://bit.ly/kerja"'
    )  # a formula is text, kept as written
    assert texts["c8"] == "Gaji 8jt\nberangkat besok, tanpa paspor"
    assert texts["c10"] == "Café di Bali butuh barista"
    assert [(d["post_id"], d["duplicate_of"]) for d in result.duplicates] == [("c9", "c1")]
    assert {
        (s["source_record"], s["reason"])
        for s in result.skipped
        if s["source_file"].endswith("messy.csv")
    } == {(11, "blank line")}


def test_jsonl_problems_have_specific_reasons(result):
    reasons = _reasons(result, "bad_lines.jsonl")
    assert reasons[2] == "broken JSON on line 2 (Unterminated string starting at)"
    assert reasons[4] == "JSON on line 4 is not an object"
    assert reasons[5] == "empty text"
    assert reasons[6].startswith("missing text column")
    assert reasons[7].startswith("record too large")
    assert reasons[9].startswith("post_id j1 already used by a different post")
    # No valid UTF-8 multi-byte sequence anywhere in the file: it is read as cp1252, and says so.
    assert 10 not in reasons
    assert any(
        note["file"].endswith("bad_lines.jsonl") and "read as cp1252" in note["note"]
        for note in result.notes
    )
    texts = dict(zip(result.posts["post_id"], result.posts["text"], strict=True))
    assert texts["j7"] == "Gaji besar di Sabah ÿþ tanpa dokumen"
    assert texts["j6"] == "NA"
    assert texts["j8"] == "Pesan  dengan NUL di tengah"


def test_quarantine_keeps_the_raw_record_readable(result):
    raw = {
        q["source_record"]: q["raw"]
        for q in result.quarantine
        if q["source_file"].endswith("messy.csv")
    }
    assert raw[5] == "c4,Kerja di Ma\ufffdau caf\ufffd gaji \ufffd 2000,facebook"
    assert len(raw[8]) <= 5000


def test_truncated_json_array_keeps_the_readable_part(result):
    posts = result.posts[result.posts["source_file"].str.endswith("truncated_scrape.json")]
    assert posts["post_id"].tolist() == ["t1", "t2"]
    reasons = _reasons(result, "truncated_scrape.json")
    assert list(reasons) == [3] and reasons[3].startswith("broken JSON on line")


def test_max_text_size_is_configurable():
    relaxed = ingest([BROKEN / "bad_lines.jsonl"], IngestOptions(max_text_bytes=200_000))
    assert "j5" in set(relaxed.posts["post_id"])


def test_a_file_mixing_utf8_and_a_legacy_encoding_fails_with_a_hint_naming_the_encoding(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "text,platform\nKerja di Brunéi,facebook\n".encode()
        + "Lowongan café Macau gaji €2000,facebook\nKerja di Brunéi,facebook\n".encode("cp1252")
    )
    with pytest.raises(InputError) as info:
        ingest([path])
    assert "not UTF-8" in info.value.message and "--encoding cp1252" in info.value.hint


def test_wrong_explicit_encoding_is_explained(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("text\nkafé\n".encode("cp1252"))
    with pytest.raises(InputError) as info:
        ingest([path], IngestOptions(encoding="utf-8"))
    assert "cannot be decoded as utf-8" in info.value.message


def test_unclosed_quote_loses_only_its_own_row(tmp_path):
    path = tmp_path / "unclosed.csv"
    path.write_text(
        'id,text,platform\nc1,"Loker Kamboja gaji 15jt,facebook\nc2,Lowongan kasir Bandung,facebook\n'
        'c3,"Gaji 8jt\nberangkat besok",facebook\nc4,Kerja pabrik Bekasi,facebook\n',
        encoding="utf-8",
    )
    result = ingest([path])
    assert result.posts["post_id"].tolist() == ["c2", "c3", "c4"]
    assert result.posts["text"].tolist()[1] == "Gaji 8jt\nberangkat besok"
    assert [(q["source_record"], q["reason"].split(" (")[0]) for q in result.quarantine] == [
        (2, "unclosed quote on line 2")
    ]


def test_an_unreadable_csv_header_quarantines_every_line_of_the_file(tmp_path):
    path = tmp_path / "cr.csv"
    path.write_bytes(b"id,te\rxt\nc1,Loker Kamboja\nc2,Kasir Bandung\n")
    result = ingest([path])
    assert result.posts.empty
    assert [q["source_record"] for q in result.quarantine] == [1, 2, 3]
    assert all(q["reason"].startswith("unreadable CSV header on line 1") for q in result.quarantine)
    assert "Kasir Bandung" in result.quarantine[2]["raw"]


def test_unicode_line_separators_inside_cells_do_not_split_rows(tmp_path):
    path = tmp_path / "sep.csv"
    path.write_text(
        "id,text\nu1,Gaji 15jt\u2028WA 0812\x85segera\x1cdaftar\nu2,kedua\n", encoding="utf-8"
    )
    result = ingest([path])
    assert result.posts["text"].tolist() == ["Gaji 15jt\u2028WA 0812\x85segera\x1cdaftar", "kedua"]


def test_an_unreadable_json_file_is_one_quarantined_record_and_the_rest_is_read(tmp_path):
    (tmp_path / "a_broken.json").write_text('{"meta": {"source": ', encoding="utf-8")
    (tmp_path / "b_good.jsonl").write_text('{"text": "Loker Kamboja"}\n', encoding="utf-8")
    result = ingest([tmp_path])
    assert result.posts["text"].tolist() == ["Loker Kamboja"]
    assert [q["reason"] for q in result.quarantine] == [
        "broken JSON on line 1 (Expecting value); the file could not be read"
    ]


def test_a_truncated_telegram_export_does_not_stop_the_run(tmp_path):
    (tmp_path / "result.json").write_text(
        '{\n "name": "Loker", "type": "public_channel", "id": 1,\n "messages": [\n  {"id": 1, "type": "message", "te',
        encoding="utf-8",
    )
    result = ingest([tmp_path / "result.json"])
    assert result.counts["quarantined"] == 1 and result.quarantine[0]["reason"].startswith(
        "broken JSON on line 4"
    )
