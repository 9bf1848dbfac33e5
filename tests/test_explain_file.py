"""`waspada explain` loads the model once: a .jsonl --file explains every line in one run, and
explaining again in the same process costs milliseconds, not a model load."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.modeling import explain_posts
from pipeline.modeling.artifacts import current_model_dir, load_bundle, load_compiled_bundle
from pipeline.modeling.predict import Scorer

POSTS = [
    "Dicari admin online ke Kamboja gaji 15jt tiket ditanggung WA 0812{:07d}",
    "Lowongan kasir minimarket Bekasi nomor {}, kirim CV ke kantor",
    "Waspada penipuan kerja ke Myanmar! Kasus {} dilaporkan ke polisi",
]


def posts_file(path: Path, count: int) -> tuple[Path, dict[int, str | None]]:
    """Good posts mixed with hostile lines; returns the file and, per line, the text or None."""
    rng = random.Random(16)
    lines, expected = [], {}
    for n in range(count):
        kind = rng.random()
        if kind < 0.85:
            text = rng.choice(POSTS).format(n)
            lines.append(json.dumps({"post_id": f"p{n}", "text": text}, ensure_ascii=False))
            expected[n + 1] = text
        else:
            lines.append(
                rng.choice(
                    [
                        "{not json",
                        "[1, 2]",
                        "42",
                        '{"text": ""}',
                        '{"text": 5}',
                        "[" * 50_000 + "]" * 50_000,
                        '{"post_id": "x"}',
                    ]
                )
            )
            expected[n + 1] = None
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return path, expected


@pytest.fixture()
def loads(monkeypatch):
    explain_posts._cached_scorer.cache_clear()
    calls = []

    def counting(directory):
        calls.append(directory)
        return load_compiled_bundle(directory)

    monkeypatch.setattr(explain_posts, "load_compiled_bundle", counting)
    yield calls
    explain_posts._cached_scorer.cache_clear()


def test_a_jsonl_file_is_explained_line_by_line_with_one_model_load(
    in_project, models_dir, tmp_path, loads
):
    path, expected = posts_file(tmp_path / "posts.jsonl", 300)
    result = CliRunner().invoke(
        main, ["explain", "--file", str(path), "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [row["line"] for row in rows] == sorted(expected)
    assert len(loads) == 1
    # explain analyses every post in full (the batch screen is reported, not applied)
    scorer = Scorer(load_bundle(current_model_dir(models_dir)), use_screen=False)
    for row in rows:
        text = expected[row["line"]]
        if text is None:
            assert row["error"]
        else:
            assert row["post_id"] == f"p{row['line'] - 1}"
            assert row["score"] == pytest.approx(scorer.score_text(text).score)
    assert f"{sum(v is None for v in expected.values())} lines" in result.stderr


def test_explaining_again_in_the_same_process_does_not_reload_the_model(in_project, loads):
    runner = CliRunner()
    assert (
        runner.invoke(
            main, ["explain", "Dicari admin Kamboja gaji 15jt"], catch_exceptions=False
        ).exit_code
        == 0
    )
    started = time.perf_counter()
    for text in ("Lowongan kasir Bekasi", "Dicari ABK kapal Taiwan tanpa paspor"):
        assert (
            runner.invoke(main, ["explain", text, "--json"], catch_exceptions=False).exit_code == 0
        )
    assert (time.perf_counter() - started) / 2 < 1.5
    assert len(loads) == 1


def test_a_file_with_no_explainable_line_fails_with_the_format(in_project, tmp_path, loads):
    path = tmp_path / "bad.jsonl"
    path.write_text("{broken\n[1]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", "--file", str(path)])
    assert result.exit_code == 1
    assert '"text"' in result.output
