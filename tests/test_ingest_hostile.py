"""Hostile and damaged input files, generated here: each costs its own records, never the batch."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.ingest import IngestOptions, core, ingest


def good_file(folder: Path) -> Path:
    path = folder / "zz_good.jsonl"
    path.write_text('{"id": "g1", "text": "Dicari admin ke Kamboja gaji 15jt"}\n', encoding="utf-8")
    return path


def only_good_post_scored(result) -> None:
    assert result.posts["post_id"].tolist() == ["g1"]
    c = result.counts
    assert c["read"] == c["ingested"] + c["duplicates"] + c["skipped"] + c["quarantined"]


def test_json_nested_100000_deep_is_one_quarantine_entry(tmp_path):
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    good_file(tmp_path)
    result = ingest([tmp_path])
    only_good_post_scored(result)
    assert [q["reason"].split(";")[0] for q in result.quarantine] == [
        "JSON nested too deeply to be posts (the file could not be read)"
    ]


def test_x_export_with_damaged_includes_keeps_its_posts(tmp_path):
    payload = {
        "data": [
            {"id": "1", "text": "Loker Kamboja gaji 15jt", "author_id": "9"},
            {"id": "2", "text": "Kerja di Myanmar", "author_id": ["x"]},
        ],
        "includes": {"users": 5},
    }
    (tmp_path / "x.json").write_text(json.dumps(payload), encoding="utf-8")
    result = ingest([tmp_path / "x.json"])
    assert result.posts["post_id"].tolist() == ["1", "2"] and result.quarantine == []


def test_telegram_export_with_chats_list_not_a_list_is_one_quarantine_entry(tmp_path):
    (tmp_path / "result.json").write_text(
        json.dumps({"about": "x", "chats": {"list": 5}}), encoding="utf-8"
    )
    good_file(tmp_path)
    result = ingest([tmp_path])
    only_good_post_scored(result)
    assert [q["reason"] for q in result.quarantine] == [
        "chats.list is not a list of chats; the file could not be read"
    ]


def test_an_unreadable_file_in_a_folder_is_one_quarantine_entry(tmp_path, monkeypatch):
    locked = tmp_path / "locked.csv"
    locked.write_text("text\nLoker Kamboja\n", encoding="utf-8")
    locked.chmod(0)
    good_file(tmp_path)
    if (
        os.geteuid() == 0
    ):  # root reads anything: make the file refuse the way it would for anyone else
        real = core.detect_format

        def refuse(path):
            if Path(path) == locked:
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)

        monkeypatch.setattr(core, "detect_format", refuse)
    try:
        result = ingest([tmp_path])
    finally:
        locked.chmod(0o644)
    only_good_post_scored(result)
    assert len(result.quarantine) == 1 and result.quarantine[0]["source_file"] == str(locked)
    assert result.quarantine[0]["reason"].startswith("file not readable (permission denied")


def test_a_reader_failing_midway_keeps_what_it_read(tmp_path, monkeypatch):
    path = tmp_path / "posts.jsonl"
    path.write_text('{"id": "a", "text": "satu"}\n{"id": "b", "text": "dua"}\n', encoding="utf-8")

    real = core.READERS["jsonl"]

    def partial(path, encoding):
        records = real(path, encoding)
        yield next(records)
        raise ValueError("simulated damage")

    monkeypatch.setitem(core.READERS, "jsonl", partial)
    result = ingest([path])
    assert result.posts["post_id"].tolist() == ["a"]
    assert result.quarantine[0]["source_record"] == 2
    assert (
        result.quarantine[0]["reason"]
        == "file not readable as posts (ValueError: simulated damage); the rest of the file was not read"
    )


@pytest.mark.parametrize("options", [IngestOptions(), IngestOptions(format="json")])
def test_deep_nesting_with_a_forced_format_is_still_contained(tmp_path, options):
    (tmp_path / "deep.json").write_text(
        '{"posts": ' + "[" * 50_000 + "]" * 50_000 + "}", encoding="utf-8"
    )
    result = ingest([tmp_path / "deep.json"], options)
    assert result.counts["quarantined"] == 1 and result.posts.empty


def test_score_over_a_folder_of_hostile_json_scores_the_rest(in_project, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (folder / "x.json").write_text(
        json.dumps(
            {"data": [{"id": "1", "text": "Loker Kamboja gaji 15jt"}], "includes": {"users": 5}}
        ),
        encoding="utf-8",
    )
    (folder / "tg.json").write_text(json.dumps({"chats": {"list": 5}}), encoding="utf-8")
    good_file(folder)
    out = tmp_path / "run"
    result = CliRunner().invoke(
        main, ["score", str(folder), "--out", str(out), "--jobs", "1", "-q", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert (
        report["counts"]["scored"] == 2
        and report["counts"]["quarantined"] == 2
        and report["counts_balance"]
    )
    assert not (out / ".parts").exists()


@pytest.mark.parametrize(
    "opening", ['{"posts": [', '{"source": "scraper", "count": 3, "posts": [', "["]
)
def test_a_truncated_scrape_keeps_its_complete_posts(tmp_path, opening):
    path = tmp_path / "scrape.json"
    path.write_text(
        opening
        + '{"id": "t1", "text": "Loker Kamboja"}, {"id": "t2", "text": "Kerja Myanmar"}, {"id": "t3", "te',
        encoding="utf-8",
    )
    result = ingest([path])
    assert result.posts["post_id"].tolist() == ["t1", "t2"]
    assert (
        len(result.quarantine) == 1
        and "the rest of the file could not be read" in result.quarantine[0]["reason"]
    )


def test_files_not_read_in_a_folder_each_get_a_line_in_the_report(in_project, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    good_file(folder)
    (folder / "empty.csv").write_bytes(b"")
    (folder / "nul.jsonl").write_bytes(b"\x00" * 4096)
    (folder / "laporan.pdf").write_bytes(b"%PDF-1.4 ...")
    (folder / "README.txt").write_text(
        "Data scraped on Monday, from three groups.\nAsk Budi before sharing it, please.\n"
        "Columns: id, text, platform.\n",
        encoding="utf-8",
    )
    (folder / "loop.csv").symlink_to(folder / "loop.csv")
    os.mkfifo(folder / "pipe.csv")
    out = tmp_path / "run"
    result = CliRunner().invoke(
        main, ["score", str(folder), "--out", str(out), "--jobs", "1", "-q"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    notes = {Path(note["file"]).name: note["note"] for note in report["file_notes"]}
    assert set(notes) == {
        "empty.csv",
        "nul.jsonl",
        "laporan.pdf",
        "README.txt",
        "loop.csv",
        "pipe.csv",
    }
    assert "empty file" in notes["empty.csv"] and "only NUL bytes" in notes["nul.jsonl"]
    assert "unsupported file type .pdf" in notes["laporan.pdf"] and "README" in notes["README.txt"]
    assert "link loop" in notes["loop.csv"] and "FIFO" in notes["pipe.csv"]
    assert report["counts"]["read"] == report["counts"]["scored"] == 1
    assert "Note: " in result.output and "laporan.pdf" in result.output


def test_a_txt_table_in_a_folder_is_still_read(tmp_path):
    (tmp_path / "export.txt").write_text(
        "id,text,platform\nk1,Loker Kamboja,facebook\nk2,Kasir Bandung,facebook\n", encoding="utf-8"
    )
    assert ingest([tmp_path]).posts["post_id"].tolist() == ["k1", "k2"]


def test_an_excel_cp1252_csv_is_read_whole_and_the_report_says_so(in_project, tmp_path):
    source = tmp_path / "excel.csv"
    rows = ["id,text,platform"] + [
        f"e{n},Lowongan kerja pabrik nomor {n} di Bekasi,facebook" for n in range(40)
    ]
    rows[5] = "e4,Lowongan café Macau gaji €2000 “langsung berangkat”,facebook"
    rows[9] = "e8,Kerja di Brunéi – tanpa biaya,facebook"
    source.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    out = tmp_path / "run"
    result = CliRunner().invoke(
        main, ["score", str(source), "--out", str(out), "--jobs", "1", "-q"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["counts"]["scored"] == 40 and report["counts"]["quarantined"] == 0
    assert "read as cp1252" in report["file_notes"][0]["note"]
    scored = (out / "scored.csv").read_text(encoding="utf-8-sig")
    assert (
        "Lowongan café Macau gaji €2000 “langsung berangkat”" in scored
        and "Brunéi – tanpa" in scored
    )


def test_a_utf8_file_with_one_damaged_byte_stays_utf8(tmp_path):
    path = tmp_path / "mostly.csv"
    ordinary = "".join(f"o{n},Lowongan kasir nomor {n}\n" for n in range(10))
    path.write_bytes(
        "id,text\nu1,Kerja di Brunéi\n".encode()
        + b"u2,caf\xe9 rusak\n"
        + f"u3,Gaji 8jt “segera”\n{ordinary}".encode()
    )
    result = ingest([path])
    assert result.posts["text"].tolist()[:2] == ["Kerja di Brunéi", "Gaji 8jt “segera”"]
    assert [q["source_record"] for q in result.quarantine] == [3] and result.notes == []


@pytest.mark.parametrize("encoding", [None, "latin-1"])
def test_random_bytes_named_csv_are_not_a_text_table(in_project, tmp_path, encoding):
    import random

    source = tmp_path / "photo.csv"
    source.write_bytes(random.Random(7).randbytes(20_000))
    extra = ["--encoding", encoding] if encoding else []
    result = CliRunner().invoke(
        main, ["score", str(source), "--out", str(tmp_path / "run"), "--jobs", "1", "-q", *extra]
    )
    assert result.exit_code == 1
    assert "not a text table" in result.output and "legacy encoding" not in result.output
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    assert report["counts"]["read"] == report["counts"]["quarantined"] == 1


def test_a_cell_at_xfd1048576_does_not_make_the_sheet_huge(tmp_path, monkeypatch):
    import time

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"], sheet["B1"] = "id", "text"
    sheet["A2"], sheet["B2"] = "x1", "Loker Kamboja gaji 15jt"
    sheet["XFD1048576"] = "jauh"
    path = tmp_path / "far.xlsx"
    book.save(path)
    assert path.stat().st_size < 10_000
    loads = []
    real = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: loads.append(k) or real(*a, **k))
    started = time.perf_counter()
    result = ingest([path])
    assert time.perf_counter() - started < 30
    assert result.posts["post_id"].tolist() == ["x1"]
    assert result.skipped == [] and result.quarantine == []
    assert loads == [{"read_only": True, "data_only": True}]


def test_a_workbook_that_unpacks_to_a_huge_string_is_refused_before_loading(tmp_path, monkeypatch):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["text"])
    book.active.append(["PLACEHOLDER"])
    book.save(tmp_path / "small.xlsx")
    path = tmp_path / "bomb.xlsx"
    # Excel and openpyxl stop at 32,767 characters a cell; a crafted file does not.
    with (
        zipfile.ZipFile(tmp_path / "small.xlsx") as small,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for info in small.infolist():
            bomb.writestr(
                info.filename, small.read(info).replace(b"PLACEHOLDER", b"a" * (40 << 20))
            )
    (tmp_path / "small.xlsx").unlink()
    assert path.stat().st_size < 200_000
    monkeypatch.setattr(
        openpyxl, "load_workbook", lambda *a, **k: pytest.fail("the workbook was loaded")
    )
    good_file(tmp_path)
    result = ingest([tmp_path])
    only_good_post_scored(result)
    assert len(result.quarantine) == 1 and result.quarantine[0]["reason"].startswith(
        "workbook too large to read safely"
    )
