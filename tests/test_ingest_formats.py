"""Every supported export is read into canonical posts with the right fields."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline import schema
from pipeline.errors import InputError
from pipeline.ingest import IngestOptions, ingest
from pipeline.ingest.detect import detect_format

EXPORTS = Path(__file__).resolve().parent / "fixtures" / "ingest" / "exports"


def _posts(path: Path, **options):
    result = ingest([path], IngestOptions(**options))
    c = result.counts
    assert c["read"] == c["ingested"] + c["duplicates"] + c["skipped"] + c["quarantined"]
    return result, {row["post_id"]: row for row in result.posts.to_dict("records")}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("facebook_groups.json", "json"),
        ("instagram_scrape.json", "json"),
        ("x_search_results.json", "twitter"),
        ("telegram_export/result.json", "telegram"),
        ("whatsapp_ios_id.txt", "whatsapp"),
        ("whatsapp_android_en.txt", "whatsapp"),
        ("collected_semicolon.csv", "csv"),
        ("jobboard.tsv", "tsv"),
        ("tiktok_captions.jsonl", "jsonl"),
        ("rekap_monitoring.xlsx", "xlsx"),
        ("archive.parquet", "parquet"),
    ],
)
def test_format_is_detected_by_content(name, expected, tmp_path):
    # A neutral name proves the content decides, not the extension.
    copy = tmp_path / "export.dat"
    shutil.copy(EXPORTS / name, copy)
    assert detect_format(copy) == expected


def test_x_api_v2_resolves_authors_from_includes_and_prefers_full_note_text():
    _, posts = _posts(EXPORTS / "x_search_results.json")
    first = posts["1860000000000000101"]
    assert (first["platform"], first["author"], first["posted_at"]) == (
        "x",
        "maritimejobs",
        "2026-11-20T12:56:00Z",
    )
    assert first["url"] == "https://x.com/maritimejobs/status/1860000000000000101"
    assert posts["1860000000000000102"]["text"].endswith("DM untuk info.")
    assert (
        posts["1860000000000000103"]["author"] == "903"
    )  # author missing from includes: keep the id


def test_telegram_joins_entity_lists_and_skips_service_and_media_messages():
    result, posts = _posts(EXPORTS / "telegram_export" / "result.json")
    assert (
        posts["777:3"]["text"]
        == "OPEN: operator chat, kantor 🇲🇲, 9jt + komisi. Hubungi @hrd_asia atau https://t.me/lokerasia"
    )
    assert posts["777:2"]["posted_at"] == "2026-11-20T23:25:00Z"
    reasons = sorted(row["reason"] for row in result.skipped)
    assert reasons == [
        "Telegram media message without text",
        "Telegram service message (create_channel)",
        "Telegram service message (pin_message)",
    ]


def test_whatsapp_ios_indonesian_joins_lines_and_skips_system_lines():
    result, posts = _posts(EXPORTS / "whatsapp_ios_id.txt")
    texts = {p["author"]: p["text"] for p in posts.values()}
    assert texts["Budi Santoso"] == (
        "LOWONGAN MENDESAK 🔴\nPerusahaan teknologi di Asia Tenggara butuh:\n- 20 CS online\n"
        "- gaji 18jt\nHubungi 0812 1111 2222"
    )
    assert texts["Siti"] == "NA"
    assert texts["Nur Aini"].startswith("Speed malam ke Tawau")
    assert {p["posted_at"] for p in posts.values() if p["author"] == "Nur Aini"} == {
        "2026-11-20T01:37:00Z"
    }
    assert [(r["source_record"], r["reason"]) for r in result.skipped] == [
        (1, "WhatsApp system line"),
        (2, "WhatsApp system line"),
        (9, "WhatsApp media or deleted message"),
        (10, "WhatsApp media or deleted message"),
        (12, "WhatsApp system line"),
    ]
    assert result.counts["quarantined"] == 0


def test_whatsapp_android_english_month_first_dates_and_system_lines():
    result, posts = _posts(EXPORTS / "whatsapp_android_en.txt")
    by_author = {p["author"]: p for p in posts.values()}
    assert set(by_author) == {"Ahmad", "Dewi"}
    assert by_author["Ahmad"]["text"].splitlines()[-1] == "Contact +60 12-345 6789"
    # 11/28/26 9:20 AM in Jakarta is 02:20 UTC.
    assert by_author["Ahmad"]["posted_at"] == "2026-11-28T02:20:00Z"
    assert by_author["Dewi"]["posted_at"] == "2026-11-28T06:30:00Z"
    assert result.counts["skipped"] == 5  # encryption notice, created, media, subject change, added


def test_facebook_scraper_field_variants():
    result, posts = _posts(EXPORTS / "facebook_groups.json")
    assert (
        posts["fb_501"]["author"] == "Info Loker Jabar"
        and posts["fb_501"]["platform"] == "facebook"
    )
    assert (
        posts["fb_502"]["url"].endswith("/posts/502")
        and posts["fb_502"]["posted_at"] == "2026-11-20T23:25:00Z"
    )
    assert (
        posts["fb_503"]["text"].startswith("Loker kasir")
        and posts["fb_503"]["author"] == "Toko Berkah"
    )
    assert posts["fb_503"]["posted_at"] == "2026-11-21T01:15:00Z"
    assert [row["reason"] for row in result.quarantine] == ["empty text"]


def test_instagram_scraper_wrapped_in_items():
    result, posts = _posts(EXPORTS / "instagram_scrape.json")
    post = posts["3290001"]
    assert (post["platform"], post["author"], post["url"]) == (
        "instagram",
        "kerja.jepang.cepat",
        "https://www.instagram.com/p/C9xAb1/",
    )
    assert post["posted_at"] == "2026-11-20T11:42:00Z"
    assert [row["reason"] for row in result.quarantine] == ["empty text"]  # caption null


def test_semicolon_csv_with_bom_multiline_cells_and_na_like_texts():
    result, posts = _posts(EXPORTS / "collected_semicolon.csv")
    assert (
        posts["w1"]["text"]
        == "Dicari TKW ke Malaysia; gaji 5jt\nBerangkat tanpa biaya\nHub 0813 2222 3333"
    )
    assert posts["w1"]["posted_at"] == "2026-11-20T03:15:00Z"
    assert [posts[i]["text"] for i in ("w2", "w3", "w4", "w5")] == ["NA", "null", "0", "-"]
    assert posts["w2"]["source_record"] == 5  # the multi-line cell spans lines 2-4
    assert [(q["source_record"], q["reason"]) for q in result.quarantine] == [(9, "empty text")]


def test_tsv_jsonl_parquet_and_excel():
    _, tsv = _posts(EXPORTS / "jobboard.tsv")
    assert (
        tsv["jb1"]["platform"] == "jobboard" and tsv["jb1"]["posted_at"] == "2026-11-19T02:00:00Z"
    )
    _, jsonl = _posts(EXPORTS / "tiktok_captions.jsonl")
    assert jsonl["tt_1"]["text"].startswith("Kerja farm") and jsonl["tt_2"]["text"].startswith(
        "Slip gaji"
    )
    assert (
        jsonl["tt_1"]["platform"] == "tiktok"
        and jsonl["tt_1"]["posted_at"] == "2026-11-21T01:53:00Z"
    )
    _, parquet = _posts(EXPORTS / "archive.parquet")
    assert (
        parquet["pq1"]["text"].startswith("Dicari ABK") and parquet["pq2"]["platform"] == "website"
    )
    result, _ = _posts(EXPORTS / "rekap_monitoring.xlsx")
    texts = sorted(result.posts["text"])
    assert texts == [
        "Dicari terapis spa untuk Dubai, gaji 20jt, paspor diurus agen",
        "Loker pramusaji hotel di Labuan Bajo, mess disediakan",
        "Waspada penipuan lowongan kerja ke Kamboja!",
    ]
    assert set(result.posts["source_file"].str.rsplit("#", n=1).str[1]) == {"Rekap", "Tambahan"}
    assert [r["reason"].split(" (")[0] for r in result.quarantine] == [
        "formula without a saved value in column Isi Postingan"
    ]
    assert [r["reason"] for r in result.skipped] == ["blank row"]


def test_text_and_id_columns_can_be_named(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(
        "kode,judul,ringkasan\nk1,Loker Kamboja,gaji 15jt tiket gratis\n", encoding="utf-8"
    )
    _, posts = _posts(path, text_column="ringkasan", id_column="kode")
    assert posts["k1"]["text"] == "gaji 15jt tiket gratis"
    missing = ingest([path], IngestOptions())
    assert missing.quarantine[0]["reason"].startswith("missing text column")


def test_directory_reads_every_supported_file_once():
    result = ingest([EXPORTS, EXPORTS / "jobboard.tsv"])
    files = set(result.counts["by_file"])
    assert len([f for f in files if "jobboard.tsv" in f]) == 1
    assert any(f.endswith("telegram_export/result.json") for f in files)
    assert result.counts["ingested"] > 20
    assert list(result.posts.columns) == list(schema.POST_COLUMNS)


def test_utf16_excel_unicode_text_export(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("text\tplatform\nGaji 15jt di Kamboja 🇰🇭\tfacebook\n".encode("utf-16"))
    result, _ = _posts(path)
    assert result.posts["text"].tolist() == ["Gaji 15jt di Kamboja 🇰🇭"]


def test_old_xls_is_refused_with_a_fix(tmp_path):
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(InputError) as info:
        ingest([path])
    assert "save it as .xlsx" in info.value.hint


def test_json_lines_in_a_json_file_are_read_line_by_line(tmp_path):
    path = tmp_path / "posts.json"
    path.write_text(
        json.dumps({"text": "satu"}) + "\n" + json.dumps({"text": "dua"}) + "\n", encoding="utf-8"
    )
    result, _ = _posts(path)
    assert result.posts["text"].tolist() == ["satu", "dua"]


def test_telegram_full_account_export_reads_every_chat(tmp_path):
    export = {
        "about": "",
        "chats": {
            "list": [
                {
                    "name": "Loker A",
                    "id": 1,
                    "messages": [
                        {
                            "id": 1,
                            "type": "message",
                            "from": "A",
                            "date": "2026-11-20T08:00:00",
                            "text": "Dicari ABK",
                        }
                    ],
                },
                {
                    "name": "Loker B",
                    "id": 2,
                    "messages": [
                        {"id": 1, "type": "service", "action": "invite_members", "text": ""},
                        {
                            "id": 2,
                            "type": "message",
                            "from": None,
                            "date": "2026-11-20T09:00:00",
                            "text": "Gaji 9jt",
                        },
                    ],
                },
            ]
        },
    }
    path = tmp_path / "result.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    assert detect_format(path) == "telegram"
    result, posts = _posts(path)
    assert {pid: (p["text"], p["author"]) for pid, p in posts.items()} == {
        "1:1": ("Dicari ABK", "A"),
        "2:2": ("Gaji 9jt", "Loker B"),
    }
    assert result.counts["skipped"] == 1


def test_unix_millisecond_and_naive_timestamps(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(
        '{"text": "a", "timestamp": 1795161600000}\n{"text": "b", "date": "2026-11-20 08:00"}\n',
        encoding="utf-8",
    )
    result, _ = _posts(path)
    assert result.posts["posted_at"].tolist() == ["2026-11-20T08:00:00Z", "2026-11-20T01:00:00Z"]


def test_folders_skip_hidden_and_excel_lock_files(tmp_path):
    from pipeline.ingest.core import expand_paths

    (tmp_path / "posts.csv").write_text("text\nsatu\n", encoding="utf-8")
    (tmp_path / "~$rekap.xlsx").write_bytes(b"lock")
    (tmp_path / ".hidden.csv").write_text("text\ndua\n", encoding="utf-8")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "old.jsonl").write_text('{"text": "tiga"}\n', encoding="utf-8")
    (tmp_path / "notes.md").write_text("# not data\n", encoding="utf-8")
    assert [p.name for p in expand_paths([tmp_path])] == ["posts.csv"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no supported files"):
        expand_paths([tmp_path / "empty"])
