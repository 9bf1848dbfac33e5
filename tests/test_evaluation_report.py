"""report.html answers how good the model is, at which threshold, on which kinds — in words people read."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from pipeline.cli import main
from pipeline.modeling.report import operating_points

PLACEHOLDER = re.compile(r"(?<![\w@./])_(num|money|phone|url|chatlink|email|handle)_(?!\w)")
CODE_NAMES = (
    "pr_auc",
    "awareness_news_fpr",
    "recall_at_precision_0_90",
    "hard_negative_fpr",
    "scam_compound",
    "forced_labour_sea",
)


def _visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"src='data:image/png;base64,[^']+'", "", html))


def test_report_in_english_reads_like_a_report(in_project, tmp_path):
    out = tmp_path / "eval"
    result = CliRunner().invoke(
        main,
        [
            "evaluate",
            "--data",
            "data/holdout/independent.jsonl",
            "--out",
            str(out),
            "--lang",
            "en",
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text())
    page = (out / "report.html").read_text()
    text = _visible(page)
    assert "<style>" in page and "<script" not in page
    for name in CODE_NAMES:
        assert name not in text, name
    assert not PLACEHOLDER.search(text), PLACEHOLDER.search(text).group(0)
    for heading in (
        "How good is this model",
        "At which threshold",
        "On which kinds of post",
        "Confusion matrix at threshold",
        "Precision–recall: the model against keyword search",
        "Precision and recall against the threshold",
        "Recall on the 63 recruitment posts written to evade filters",
        "Per platform",
        "Top false positives",
    ):
        assert heading in page, heading
    assert page.count("data:image/png;base64,") >= 5
    # The confusion matrix counts the decision at the threshold, so it agrees with the headline figures.
    confusion = re.search(r'<table class="confusion".*?</table>', page, re.DOTALL).group(0)
    cells = [int(v) for v in re.findall(r"<td class='num[^']*'>(\d+)</td>", confusion)]
    assert sum(cells) == metrics["n"]
    c = metrics["confusion"]
    assert f"Of {c['tp'] + c['fp']} flagged posts, {c['tp']} are recruitment" in page
    assert "scam compound" in text and "forced labour at sea" in text


def test_report_in_indonesian_by_default(in_project, tmp_path):
    out = tmp_path / "eval"
    result = CliRunner().invoke(
        main,
        [
            "evaluate",
            "--data",
            "data/holdout/demo_collection_labels.jsonl",
            "--out",
            str(out),
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text()
    assert (
        '<html lang="id">' in page
        and "Seberapa baik model ini" in page
        and "Matriks kebingungan pada ambang" in page
    )
    assert "Recall pada presisi 0,90" in page
    assert not PLACEHOLDER.search(_visible(page))


def test_operating_points_come_from_the_threshold_and_the_manifest():
    assert operating_points({}, 0.6) == [("", 0.6)]
    manifest = {
        "operating_points": [
            {"name": "screen", "threshold": 0.2},
            {"name": "same", "threshold": 0.6},
        ]
    }
    assert operating_points(manifest, 0.6) == [("", 0.6), ("screen", 0.2)]
    assert operating_points({"operating_points": {"budget": 0.8}}, 0.6) == [
        ("", 0.6),
        ("budget", 0.8),
    ]
