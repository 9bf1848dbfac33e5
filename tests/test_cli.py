"""Every command through click's runner: help, a happy path, and a bad input with its message and exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.schema import SCORED_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ["ingest", "train", "score", "evaluate", "explain", "rules", "demo"]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    for flag in ("-h", "--help"):
        result = run(command, flag)
        assert result.exit_code == 0
        assert "Example" in result.output


def test_unknown_option_is_a_usage_error():
    result = CliRunner().invoke(main, ["score", "--no-such-option"])
    assert result.exit_code == 2


def test_score_writes_the_output_contract(in_project, tmp_path):
    out = tmp_path / "run"
    result = run("score", "data/raw", "--out", str(out), "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "Review queue" in result.output
    scored_bytes = (out / "scored.csv").read_bytes()
    assert scored_bytes.startswith(b"\xef\xbb\xbf"), "scored.csv must carry a UTF-8 BOM for Excel"
    scored = pd.read_csv(out / "scored.csv", encoding="utf-8-sig", keep_default_na=False, dtype=str)
    queue = pd.read_csv(
        out / "review_queue.csv", encoding="utf-8-sig", keep_default_na=False, dtype=str
    )
    assert list(scored.columns) == list(SCORED_COLUMNS)
    assert scored["post_id"].is_unique
    scores = scored["score"].astype(float)
    assert scores.between(0, 1).all()
    assert set(scored["flagged"]) <= {"true", "false"}
    assert set(scored["category"]) <= {"tppo", "tppm", "benign"}
    report = json.loads((out / "report.json").read_text())
    counts = report["counts"]
    assert (
        counts["read"]
        == counts["scored"] + counts["quarantined"] + counts["duplicates"] + counts["skipped"]
    )
    assert report["counts_balance"] is True
    assert counts["scored"] == len(scored)
    assert counts["flagged"] == (scored["flagged"] == "true").sum() == len(queue)
    queue_scores = queue["score"].astype(float).tolist()
    assert queue_scores == sorted(queue_scores, reverse=True)
    assert (queue["flagged"] == "true").all()
    assert (queue["reasons"] != "").all(), "every flagged post must say why"
    quarantine = pd.read_csv(out / "quarantine.csv", encoding="utf-8-sig", keep_default_na=False)
    assert counts["quarantined"] == len(quarantine)
    assert {"source_file", "source_record", "reason"} <= set(quarantine.columns)
    # ids from the sources are kept, never renumbered
    assert scored["post_id"].str.startswith(("fb_", "ig_", "tt_", "web_", "18", "123:")).any()


def test_score_refuses_to_overwrite_without_force(in_project, tmp_path):
    out = tmp_path / "run"
    assert run("score", "data/raw", "--out", str(out), "--jobs", "1", "-q").exit_code == 0
    again = CliRunner().invoke(main, ["score", "data/raw", "--out", str(out), "--jobs", "1", "-q"])
    assert again.exit_code == 1
    assert "--force" in again.output


def test_score_explains_a_missing_input(in_project, tmp_path):
    result = CliRunner().invoke(main, ["score", "no/such/file.csv", "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "Input not found" in result.output


def test_score_without_a_model_says_how_to_get_one(monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("WASPADA_MODELS", str(tmp_path / "empty-models"))
    result = CliRunner().invoke(main, ["score", "data/raw", "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "waspada train --promote" in result.output


def test_ingest_accounts_for_every_record(in_project, tmp_path):
    out = tmp_path / "ingested"
    result = run("ingest", "data/raw", "--out", str(out), "--json", "-q")
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)["counts"]
    assert (
        counts["read"]
        == counts["ingested"] + counts["duplicates"] + counts["skipped"] + counts["quarantined"]
    )
    posts = pd.read_csv(out / "posts.csv", encoding="utf-8-sig", keep_default_na=False)
    assert len(posts) == counts["ingested"]
    assert {"cluster_id", "cluster_size"} <= set(posts.columns)


def test_train_on_a_small_file_saves_a_verified_bundle(tmp_path):
    labeled = pd.read_json(ROOT / "data/labeled/tppm.jsonl", lines=True).head(40)
    benign = pd.read_json(ROOT / "data/labeled/benign_jobboard.jsonl", lines=True).head(40)
    path = tmp_path / "small.jsonl"
    pd.concat([labeled, benign]).to_json(path, orient="records", lines=True, force_ascii=False)
    result = run(
        "train",
        "--labeled",
        str(path),
        "--models-dir",
        str(tmp_path / "models"),
        "--folds",
        "3",
        "--promote",
        "--json",
        "-q",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    bundle = Path(summary["path"])
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["threshold"] == pytest.approx(summary["threshold"])
    assert manifest["labeled_data"]["counts"]["tppm"] == 40
    assert {"model.skops", "MODEL_CARD.md", "metrics.json"} <= {p.name for p in bundle.iterdir()}
    assert (tmp_path / "models" / "CURRENT").read_text().strip() == summary["model_id"]
    again = CliRunner().invoke(
        main,
        [
            "train",
            "--labeled",
            str(path),
            "--models-dir",
            str(tmp_path / "models"),
            "--folds",
            "3",
            "-q",
        ],
    )
    assert again.exit_code == 1 and "--force" in again.output


def test_fast_training_skips_the_comparison_but_keeps_calibration(tmp_path):
    labeled = pd.read_json(ROOT / "data/labeled/tppm.jsonl", lines=True).head(40)
    benign = pd.read_json(ROOT / "data/labeled/benign_jobboard.jsonl", lines=True).head(40)
    path = tmp_path / "small.jsonl"
    pd.concat([labeled, benign]).to_json(path, orient="records", lines=True, force_ascii=False)
    result = run(
        "train",
        "--labeled",
        str(path),
        "--models-dir",
        str(tmp_path / "models"),
        "--fast",
        "--json",
        "-q",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["selected"] == "linear_svm"
    assert set(summary["cv"]) == {"linear_svm", "waspada_two_stage", "screen_only"}
    assert summary["leave_one_source_out"] is None
    manifest = json.loads((Path(summary["path"]) / "manifest.json").read_text())
    assert manifest["cv"]["folds"] == 3 and manifest["config"]["baselines"] is False
    # 80 posts of two kinds cannot keep the transfer validation's negatives below 2 %: the
    # threshold is capped at 1 and the run says why instead of flagging everything.
    assert 0.0 < manifest["threshold"] <= 1.0
    if manifest["threshold"] == 1.0:
        assert any("transfer validation" in warning for warning in summary["warnings"])


def test_train_rejects_unknown_labels(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "halo", "label": "spam"}\n', encoding="utf-8")
    result = CliRunner().invoke(
        main, ["train", "--labeled", str(path), "--models-dir", str(tmp_path / "m")]
    )
    assert result.exit_code == 1
    assert "Unknown labels" in result.output and "spam" in result.output


def test_evaluate_writes_metrics_and_a_self_contained_report(in_project, tmp_path):
    result = run(
        "evaluate",
        "--data",
        "data/holdout/demo_collection_labels.jsonl",
        "--out",
        str(tmp_path / "eval"),
        "-q",
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    for key in (
        "pr_auc",
        "precision",
        "recall",
        "recall_at_precision_0_90",
        "per_kind",
        "category_confusion",
        "awareness_news_fpr",
        "top_false_positives",
        "top_false_negatives",
        "keyword_baseline",
    ):
        assert key in metrics
    html = (tmp_path / "eval" / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= 3
    assert "<script" not in html


def test_evaluate_on_a_missing_file(in_project, tmp_path):
    result = CliRunner().invoke(main, ["evaluate", "--data", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 1
    assert "not found" in result.output


def test_explain_without_text_is_explained(in_project):
    result = CliRunner().invoke(main, ["explain", "  "])
    assert result.exit_code == 1
    assert "No post text" in result.output


def test_demo_scores_the_bundled_collection(in_project, tmp_path):
    result = run("demo", "--out", str(tmp_path / "demo"), "-q")
    assert result.exit_code == 0, result.output
    assert "Review queue" in result.output
    assert (tmp_path / "demo" / "review_queue.csv").is_file()
    # Three weekly runs in the history, with something recurring, spreading and new in week 3.
    trends = json.loads((tmp_path / "demo" / "trends" / "trends.json").read_text(encoding="utf-8"))
    assert (
        trends["summary"]["runs"] == 3 and trends["summary"]["latest_run"]["label"] == "demo week 3"
    )
    assert any("telegram" in row["new_platforms"].split() for row in trends["spreading_templates"])
    assert trends["new_contacts"] and trends["new_templates"] and trends["networks"]
