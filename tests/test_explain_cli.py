"""`waspada explain` and `waspada rules` through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import indicators
from pipeline.cli import main

RECRUITMENT = (
    "DIBUTUHKAN SEGERA!! Admin online penempatan K4mboja 🇰🇭 gaji 20jt, tanpa pengalaman, "
    "tiket + visa ditanggung, langsung berangkat minggu depan. Minat WA 0812-7734-2190"
)
# The same offer, quoted by an awareness post.
AWARENESS = (
    '⚠️ WASPADA! Kalau ada iklan "admin online Kamboja gaji 20jt, tanpa pengalaman, tiket + visa ditanggung, '
    'langsung berangkat" itu MODUS TPPO. Jangan tergiur. Kerja ke luar negeri harus lewat P3MI resmi yang '
    "terdaftar di KP2MI. #StopTPPO"
)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def explain(text: str, *extra: str) -> dict:
    result = run("explain", text, "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_recruitment_and_awareness_posts_get_different_reasons(in_project):
    recruitment, awareness = explain(RECRUITMENT), explain(AWARENESS)
    assert recruitment["score"] > awareness["score"]
    assert recruitment["flagged"] and not awareness["flagged"]

    recruitment_flags = {flag["name"] for flag in recruitment["red_flags"]}
    assert {
        "syarat_ringan",
        "biaya_ditanggung",
        "kata_disamarkan",
        "kontak_hanya_chat",
    } <= recruitment_flags
    assert recruitment["counter_signals"] == []
    assert recruitment["contacts"] == ["6281277342190"]
    assert any("k4mboja" in e for e in recruitment["evasions"])

    counters = {flag["name"] for flag in awareness["counter_signals"]}
    assert "konteks_peringatan" in counters
    # "lewat P3MI resmi" is advice with nothing to check: neither a counter-signal nor a claim.
    assert "penempatan_resmi" not in counters
    assert "mengaku_resmi" not in {flag["name"] for flag in awareness["red_flags"]}
    # A counter-signal never pushes towards recruitment (the shipped model, words and characters
    # only, gives the indicators no weight at all).
    assert all(flag["weight"] <= 0 for flag in awareness["counter_signals"])
    assert "kata_disamarkan" not in {flag["name"] for flag in awareness["red_flags"]}
    assert awareness["contacts"] == []
    assert recruitment["reasons"] != awareness["reasons"]


def test_reasons_read_in_plain_indonesian_with_quoted_words(in_project):
    result = run("explain", RECRUITMENT)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("Skor ") and "DITANDAI" in lines[0]
    reasons = [line.strip()[2:] for line in lines[1:]]
    assert any(r.startswith('syarat sangat ringan: "') and "tanpa pengalaman" in r for r in reasons)
    # The contact by its key, shown as a person reads a number; places and pay in the one format.
    assert any(r.startswith("kontak: +62 812-7734-2190") for r in reasons)
    assert any(r.startswith('gaji: "20jt" ≈ Rp 20 jt/bulan') for r in reasons)
    assert any(r.startswith("tujuan: Kamboja") for r in reasons)
    assert not any("_num_" in r or "_money_" in r or "_phone_" in r for r in reasons)
    assert any(r.startswith('gaji: "20jt"') for r in reasons)
    # Red flags first, counter-signals last.
    kinds = ["counter" if r.startswith("penyeimbang") else "other" for r in reasons]
    assert kinds == sorted(kinds, key=lambda k: k == "counter")


def test_awareness_reasons_show_the_counter_signals(in_project):
    result = run("explain", AWARENESS)
    assert "tidak ditandai" in result.output.splitlines()[0]
    assert (
        'penyeimbang – konteks peringatan: "WASPADA"' in result.output
    )  # quoted as the post wrote it


def test_english_labels(in_project):
    result = run("explain", RECRUITMENT, "--lang", "en")
    assert result.output.startswith("Score ")
    assert "no qualifications needed:" in result.output and "contacts:" in result.output
    assert "syarat sangat ringan" not in result.output


def test_explain_without_text_is_a_usage_error(in_project):
    result = CliRunner().invoke(main, ["explain", "  "])
    assert result.exit_code == 1
    assert "No post text given" in result.output


def test_rules_lists_every_indicator_with_its_numbers(in_project):
    result = run("rules", "--json")
    assert result.exit_code == 0, result.output
    table = json.loads(result.stdout)
    assert [row["name"] for row in table] == indicators.names()
    for row in table:
        assert 0 <= row["coverage"] <= 1 and 0 <= row["benign_fire_rate"] <= 1
        assert row["precision"] is None or 0 <= row["precision"] <= 1
    by_name = {row["name"]: row for row in table}
    # Counter-signals fire on benign posts by design; red flags should mostly fire on recruitment.
    assert by_name["konteks_peringatan"]["precision"] < 0.3
    assert by_name["potong_gaji"]["precision"] > 0.7
    for row in table:
        assert row["fires_positive"] + row["fires_benign"] == row["fires"] and row["negated"] >= 0
    assert (
        by_name["jalur_nonprosedural"]["negated"] > 0
    )  # "bukan calo", "tidak lewat jalur mandiri", ...
    # A checkable counter-signal is one recruiters do not write: no recruitment post carries it.
    assert by_name["penempatan_resmi"]["fires_positive"] == 0
    assert by_name["penyeberangan_ilegal"]["laws_en"][0].startswith("Law 6/2011 on Immigration")


def test_rules_text_table_in_english(in_project):
    result = run("rules", "--lang", "en")
    assert result.exit_code == 0
    header, *lines = result.stdout.strip().splitlines()  # progress goes to stderr
    assert header.split()[:2] == ["indicator", "kind"]
    rows = [line for line in lines if line.split()[0] in indicators.names()]
    assert len(rows) == len(indicators.REGISTRY)
    assert any(line.startswith("gaji_tidak_wajar") and "Pay far above" in line for line in rows)
    assert any("legal basis: Law 21/2007" in line for line in lines)
    assert lines[-1].startswith("Recruitment posts with a counter-signal: ")


def test_rules_markdown_is_the_readme_table():
    result = run("rules", "--markdown")
    assert result.exit_code == 0
    table = result.stdout
    assert table.startswith("| name | kind | Indonesian | English | legal basis | negation |")
    assert table.count("\n") == len(indicators.REGISTRY) + 2
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert table in readme, (
        "regenerate the README's indicator table with `waspada rules --markdown`"
    )


@pytest.mark.parametrize("command", ["explain", "rules"])
def test_help(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
