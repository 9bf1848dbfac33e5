"""`waspada ingest` at the command line: help, a happy path, and bad inputs with their messages and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from pipeline.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"


def _run(*args: str):
    return CliRunner().invoke(main, ["ingest", *args])


def test_help_lists_the_options():
    result = _run("--help")
    assert result.exit_code == 0
    for option in (
        "--out",
        "--format",
        "--encoding",
        "--text-column",
        "--id-column",
        "--max-text-kb",
        "--force",
    ):
        assert option in result.output


def test_happy_path_writes_balanced_outputs(tmp_path):
    out = tmp_path / "run"
    result = _run(str(FIXTURES / "exports"), str(FIXTURES / "broken"), "--out", str(out), "-q")
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    c = report["counts"]
    assert report["counts_balance"] is True
    assert c["read"] == c["ingested"] + c["duplicates"] + c["skipped"] + c["quarantined"]
    assert (
        f"Read {c['read']} records: {c['ingested']} posts, {c['duplicates']} duplicates"
        in result.output
    )
    posts = pd.read_csv(out / "posts.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(posts) == c["ingested"]
    assert {"NA", "null", "0", "-"} <= set(posts["text"])
    assert {"facebook", "instagram", "x", "telegram", "whatsapp", "tiktok", "jobboard"} <= set(
        posts["platform"]
    )
    for name, count in (
        ("quarantine.csv", c["quarantined"]),
        ("duplicates.csv", c["duplicates"]),
        ("skipped.csv", c["skipped"]),
    ):
        assert (
            len(pd.read_csv(out / name, dtype=str, keep_default_na=False, encoding="utf-8-sig"))
            == count
        )


def test_json_summary_for_scripts(tmp_path):
    result = _run(str(FIXTURES / "reposted_ads.jsonl"), "--out", str(tmp_path / "o"), "--json")
    assert result.exit_code == 0
    summary = json.loads(result.output)
    assert summary["counts"]["largest_cluster"] == 4


def test_missing_input_exits_1_with_a_hint(tmp_path):
    result = _run(str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert "Input not found" in result.output and "Hint:" in result.output


def test_legacy_encoding_exits_1_naming_the_encoding(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "isi\nKerja di Brunéi\n".encode()
        + "Lowongan café Macau gaji €2000\nKerja di Brunéi\n".encode("cp1252")
    )
    result = _run(str(path), "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert "is not UTF-8" in result.output and "--encoding cp1252" in result.output


def test_existing_output_needs_force(tmp_path):
    args = (str(FIXTURES / "exports" / "jobboard.tsv"), "--out", str(tmp_path / "o"))
    assert _run(*args).exit_code == 0
    again = _run(*args)
    assert again.exit_code == 1 and "--force" in again.output
    assert _run(*args, "--force").exit_code == 0


def test_unknown_format_is_a_usage_error(tmp_path):
    result = _run(
        str(FIXTURES / "reposted_ads.jsonl"), "--out", str(tmp_path / "o"), "--format", "docx"
    )
    assert result.exit_code == 2
