"""Progress: a total and time left while scoring, a word during clustering and writing, and
nothing at all in a redirected log."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import progress
from pipeline.cli import main
from pipeline.ingest.core import IngestOptions
from pipeline.scoring import ScoreOptions, score_collection

ROOT = Path(__file__).resolve().parents[1]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def collection(path: Path, count: int) -> Path:
    lines = (
        json.dumps(
            {
                "post_id": f"p{n}",
                "text": f"Dicari admin ke Kamboja gaji {n % 30}jt, WA 0812{n:07d} tiket ditanggung",
            }
        )
        for n in range(count)
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def bars_on():
    progress.set_enabled(True)
    yield
    progress.set_enabled(False)


def test_scoring_on_a_terminal_shows_bytes_of_a_total_with_time_left_then_each_later_step(
    tmp_path, bundle, monkeypatch, bars_on
):
    source = collection(tmp_path / "posts.jsonl", 1200)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(progress.tqdm, "monitor_interval", 0)
    score_collection(
        [source], tmp_path / "run", bundle, IngestOptions(), ScoreOptions(jobs=1, chunk_size=100)
    )
    shown = terminal.getvalue()
    frames = [
        frame for frame in re.split(r"[\r\n]", shown) if frame.startswith("Reading and scoring")
    ]
    assert frames, shown
    size = source.stat().st_size
    assert any(re.search(r"\d+%\|", frame) for frame in frames)  # a share of a known total
    assert any(re.search(r"<\d\d:\d\d", frame) for frame in frames)  # and the time left
    assert all("chunk" not in frame for frame in frames)
    assert (
        f"/{size / 1024:.0f}" in shown
        or f"/{size / 1024:.1f}" in shown
        or f"/{size / 1024:.2f}" in shown
    )
    assert "Clustering near-duplicates" in shown
    assert "Writing scored.csv" in shown and "Writing the review queue" in shown


def test_a_redirected_log_gets_no_progress_bars(tmp_path, in_project, bars_on):
    source = collection(tmp_path / "posts.jsonl", 300)
    result = CliRunner().invoke(
        main,
        [
            "score",
            str(source),
            "--out",
            str(tmp_path / "run"),
            "--jobs",
            "1",
            "--chunk-size",
            "100",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "\r" not in result.output
    assert (
        "Reading and scoring" not in result.output
        and "Scoring" not in result.output
        and "Clustering" not in result.output
    )
    assert "Read 300 records" in result.output
