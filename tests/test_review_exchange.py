"""Spreadsheet round trip, decisions → labeled data, and the `waspada review` commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from test_review_store import post, sample_rows, write_queue

from pipeline.cli import main
from pipeline.labeled import load_labeled
from pipeline.review.exchange import EXPORT_COLUMNS, export_queue, import_decisions, read_sheet
from pipeline.review.store import QueueFilter, ReviewStore
from pipeline.review.to_labeled import to_labeled

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def store(tmp_path) -> ReviewStore:
    rows = [
        *sample_rows(),
        post("f1", 0.7, '=HYPERLINK("http://evil","klik") kerja Malaysia'),
        post("-f2", 0.65, "+62 812 kerja", author="@ceo"),
    ]
    s = ReviewStore(f"sqlite:///{tmp_path / 'review.sqlite'}")
    s.load_queue(write_queue(tmp_path / "queue.csv", rows), model_id="model-a")
    yield s
    s.close()


def _edit_csv(
    path: Path, edits: dict[str, dict[str, str]], extra: list[dict] | None = None
) -> Path:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for post_id, values in edits.items():
        mask = frame["post_id"] == post_id
        assert mask.any(), post_id
        for column, value in values.items():
            frame.loc[mask, column] = value
    if extra:
        frame = pd.concat([frame, pd.DataFrame(extra)], ignore_index=True).fillna("")
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def test_xlsx_export_keeps_text_as_text_and_neutralises_formulas(store, tmp_path):
    summary = export_queue(store, tmp_path / "antrean.xlsx")
    assert summary["rows"] == 9 and summary["pending"] == 9
    sheet = load_workbook(tmp_path / "antrean.xlsx").active
    header = [c.value for c in sheet[1]]
    assert header == list(EXPORT_COLUMNS)
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
    assert all(c.data_type == "s" for c in cells)
    texts = [c.value for c in cells]
    assert not any(t.startswith(("=", "+", "-", "@")) for t in texts)
    assert '\'=HYPERLINK("http://evil","klik") kerja Malaysia' in texts
    assert sheet.data_validations.dataValidation[0].formula1 == '"tppo,tppm,benign,unsure"'
    # Reading it back restores the original values.
    rows = {r["post_id"]: r for r in read_sheet(tmp_path / "antrean.xlsx")}
    assert rows["f1"]["text"].startswith("=HYPERLINK")
    assert rows["-f2"]["author"] == "@ceo"


def test_export_refuses_to_overwrite_without_force(store, tmp_path):
    export_queue(store, tmp_path / "a.csv")
    with pytest.raises(Exception, match="--force"):
        export_queue(store, tmp_path / "a.csv")
    export_queue(store, tmp_path / "a.csv", QueueFilter(status="pending"), force=True)
    with pytest.raises(Exception, match=r"\.xlsx"):
        export_queue(store, tmp_path / "a.txt")


def test_import_round_trip_through_xlsx(store, tmp_path):
    export_queue(store, tmp_path / "antrean.xlsx")
    book = load_workbook(tmp_path / "antrean.xlsx")
    sheet = book.active
    ids = [sheet.cell(row, 1).value for row in range(2, sheet.max_row + 1)]
    sheet.cell(ids.index("p1") + 2, 2).value = "tppo"
    sheet.cell(ids.index("p1") + 2, 4).value = "nomor sama dengan p2"
    sheet.cell(ids.index("'-f2") + 2, 2).value = " Benign "
    sheet.cell(ids.index("'-f2") + 2, 3).value = "Dewi"
    book.save(tmp_path / "antrean.xlsx")
    report = import_decisions(store, tmp_path / "antrean.xlsx", reviewer="Sari")
    assert report.written and report.balanced
    assert report.counts["applied"] == 2 and report.counts["blank"] == 7
    p1, f2 = store.get_post("p1"), store.get_post("-f2")
    assert (p1["decision"], p1["decided_by"]) == ("tppo", "Sari")
    assert (f2["decision"], f2["decided_by"]) == ("benign", "Dewi")
    assert (
        store.history("p1")[0]["note"] == "nomor sama dengan p2"
        and store.history("p1")[0]["via"] == "import"
    )
    # The same file again changes nothing.
    again = import_decisions(store, tmp_path / "antrean.xlsx", reviewer="Sari")
    assert again.counts["applied"] == 0 and again.counts["unchanged"] == 2 and not again.written


def test_import_reports_every_problem_and_changes_nothing(store, tmp_path):
    path = tmp_path / "q.csv"
    export_queue(store, path)
    store.decide(["p3"], "tppm", "Budi")  # decided on the desk after the export
    sari = {"reviewer": "Sari"}
    _edit_csv(
        path,
        {
            "p1": {"decision": "tppo", **sari},
            "p2": {"decision": "spam", **sari},
            "p3": {"decision": "benign", **sari},
            "rep1": {"decision": "tppo", **sari},
            "rep2": {"decision": "benign", "reviewer": ""},
        },
        extra=[
            {"post_id": "ghost", "decision": "tppo", **sari},
            {"post_id": "rep1", "decision": "benign", **sari},
            {"post_id": "p1", "decision": "TPPO", **sari},
        ],
    )
    report = import_decisions(store, path, reviewer=None)
    problems = {(p["post_id"], p["problem"]) for p in report.problems}
    assert problems == {
        ("p2", "unknown_label"),
        ("ghost", "unknown_id"),
        ("rep2", "missing_reviewer"),
        ("rep1", "conflict_in_file"),
        ("p3", "conflict_with_store"),
    }
    assert report.counts["conflict_in_file"] == 2  # both rows of rep1 are listed
    assert report.counts["duplicates"] == 1  # p1 twice with the same decision
    assert report.balanced and report.counts["rows"] == 12
    assert not report.written
    assert store.get_post("p1")["decision"] is None and store.get_post("p3")["decision"] == "tppm"
    assert all(p["row"] >= 2 for p in report.problems)
    # With --skip-invalid the good row is recorded, problems are still reported.
    partial = import_decisions(store, path, reviewer="Sari", skip_invalid=True)
    assert partial.written and [a["post_id"] for a in partial.applied] == ["p1", "rep2"]
    assert store.get_post("p1")["decision"] == "tppo"


def test_import_accepts_a_desk_change_only_when_the_store_moved(store, tmp_path):
    store.decide(["p1"], "tppm", "Budi")
    path = tmp_path / "q.csv"
    export_queue(store, path)
    _edit_csv(path, {"p1": {"decision": "tppo", "reviewer": "Sari"}})
    report = import_decisions(store, path)
    assert report.written and store.get_post("p1")["decision"] == "tppo"  # an intended correction


def test_to_labeled_writes_reviewed_decisions_once_with_provenance(store, tmp_path):
    labeled = tmp_path / "labeled"
    labeled.mkdir()
    (labeled / "base.jsonl").write_text(
        json.dumps({"text": sample_rows()[5]["text"], "label": "benign"}) + "\n", encoding="utf-8"
    )
    store.decide(["p1"], "tppo", "Sari", note="jelas")
    store.decide(["rep1", "rep2"], "tppm", "Budi")
    store.decide(["rep3"], "unsure", "Budi")
    store.decide(["p2"], "tppo", "Sari")  # contradicts base.jsonl
    store.decide(["p3"], "benign", "Sari")
    result = to_labeled(store, labeled)
    assert result.written == 4 and result.by_label == {"tppo": 1, "tppm": 2, "benign": 1}
    assert [c["post_id"] for c in result.conflicts] == ["p2"]
    lines = [json.loads(line) for line in result.path.read_text(encoding="utf-8").splitlines()]
    first = lines[0]
    assert first["post_id"] == "p1" and first["label"] == "tppo" and first["reviewer"] == "Sari"
    assert (
        first["source"] == "review"
        and first["model_id"] == "model-a"
        and first["score"] == "0.990000"
        and first["note"] == "jelas"
    )
    assert (
        first["decided_at"].endswith("Z")
        and first["kind"] == "reviewed"
        and first["platform"] == "telegram"
    )
    assert "rep3" not in {line["post_id"] for line in lines}
    data = load_labeled(labeled)  # what `waspada train` reads
    assert len(data) == 5 and set(data["source_file"]) == {"base.jsonl", result.path.name}
    # Nothing is written twice; a new decision goes to a new file.
    assert to_labeled(store, labeled, out=labeled / "second.jsonl").written == 0
    store.decide(["rep3"], "tppo", "Budi")
    third = to_labeled(store, labeled, out=labeled / "third.jsonl")
    assert third.written == 1 and third.path.name == "third.jsonl"


def test_to_labeled_holds_back_texts_decided_both_ways(store, tmp_path):
    same = "Kerja kapal ikan Taiwan tanpa pengalaman, WA 081377902265"
    store.add_posts([post("twin", 0.9, same)])
    store.decide(["rep1"], "tppo", "Sari")
    store.decide(["twin"], "benign", "Budi")
    result = to_labeled(store, tmp_path / "labeled")
    assert result.written == 0 and sorted(c["post_id"] for c in result.conflicts) == [
        "rep1",
        "twin",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["review"],
        ["review", "serve"],
        ["review", "load"],
        ["review", "status"],
        ["review", "export"],
        ["review", "import"],
        ["review", "to-labeled"],
        ["suggest"],
    ],
)
def test_every_review_command_has_help_with_an_example(args):
    result = CliRunner().invoke(main, [*args, "-h"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output or "Typical flow" in result.output


def test_cli_round_trip(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db_url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    runner = CliRunner()
    queue = write_queue(tmp_path / "queue.csv")
    out = runner.invoke(main, ["review", "load", str(queue), "--db", db_url, "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["added"] == 7
    assert runner.invoke(main, ["review", "export", "q.csv", "--db", db_url]).exit_code == 0
    assert (
        runner.invoke(main, ["review", "export", "q.csv", "--db", db_url]).exit_code == 1
    )  # needs --force
    _edit_csv(tmp_path / "q.csv", {"p1": {"decision": "tppo"}, "p2": {"decision": "bukan"}})
    bad = runner.invoke(main, ["review", "import", "q.csv", "--db", db_url, "--reviewer", "Sari"])
    assert (
        bad.exit_code == 1
        and "row 7: unknown_label" in bad.output
        and "Nothing recorded" in bad.output
    )
    _edit_csv(tmp_path / "q.csv", {"p2": {"decision": "benign"}})
    good = runner.invoke(
        main, ["review", "import", "q.csv", "--db", db_url, "--reviewer", "Sari", "--json"]
    )
    assert good.exit_code == 0 and json.loads(good.output)["counts"]["applied"] == 2
    status = json.loads(runner.invoke(main, ["review", "status", "--db", db_url, "--json"]).output)
    assert status["decided"] == 2 and status["by_reviewer"] == {"Sari": 2}
    labeled = runner.invoke(
        main, ["review", "to-labeled", "--db", db_url, "--labeled", "labeled", "--json"]
    )
    assert labeled.exit_code == 0, labeled.output
    assert json.loads(labeled.output)["written"] == 2


def test_score_to_review_then_labeled_data(in_project, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'review' / 'review.sqlite'}"
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "score",
            "data/raw",
            "--out",
            str(tmp_path / "run"),
            "--to-review",
            "--review-db",
            db_url,
            "--jobs",
            "1",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Review store:" in result.output
    store = ReviewStore(db_url)
    queue = pd.read_csv(
        tmp_path / "run" / "review_queue.csv",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    assert store.count() == len(queue) > 0
    top = store.query(QueueFilter())[0][0]
    store.decide([top["post_id"]], "tppo", "Sari")
    again = runner.invoke(
        main,
        [
            "score",
            "data/raw",
            "--out",
            str(tmp_path / "run"),
            "--to-review",
            "--review-db",
            db_url,
            "--jobs",
            "1",
            "--quiet",
            "--force",
            "--json",
        ],
    )
    assert json.loads(again.output[again.output.index("{") :])["review_store"]["added"] == 0
    assert store.get_post(top["post_id"])["decision"] == "tppo"


@pytest.mark.slow
def test_reviewed_decisions_reach_the_next_model(tmp_path, bundle, corpus_dir):
    from pipeline.modeling.train import TrainConfig, train

    labeled = tmp_path / "labeled"
    shutil.copytree(corpus_dir, labeled)
    store = ReviewStore(f"sqlite:///{tmp_path / 'r.sqlite'}")
    rows = [
        post(
            f"n{i}",
            0.5,
            f"Info kerja pabrik kabel Cikarang nomor {i}, lamaran lewat kantor resmi disnaker shift {i}",
        )
        for i in range(6)
    ]
    store.add_posts(rows, model_id=bundle.model_id)
    store.decide([r["post_id"] for r in rows], "benign", "Sari")
    before = len(load_labeled(labeled))
    assert to_labeled(store, labeled).written == 6
    result = train(
        labeled,
        tmp_path / "models",
        TrainConfig(folds=2, candidates=("linear_svm",), baselines=False, augment=False),
    )
    assert sum(result.counts.values()) == before + 6
