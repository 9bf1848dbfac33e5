"""The counts check is a real check: records counted where they are read must all be found
downstream, and a stage that loses one makes the run say so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.errors import CountsError
from pipeline.ingest import IngestOptions, ingest, outcomes
from pipeline.scoring import ScoreOptions, engine, score_collection


def _collection(path: Path) -> Path:
    """Six records: four posts (one an exact repost), an empty text and a reused id."""
    rows = [
        {"post_id": "a", "text": "Dicari admin online Kamboja gaji 15jt, tiket ditanggung"},
        {"post_id": "b", "text": "Loker operator pabrik Bekasi, lamar lewat kantor"},
        {"post_id": "c", "text": "Dicari admin online Kamboja gaji 15jt, tiket ditanggung"},
        {"post_id": "d", "text": "   "},
        {"post_id": "a", "text": "Teks lain dengan id yang sudah dipakai"},
        {"post_id": "e", "text": "Pelatihan las bersertifikat gratis di BLK Serang"},
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _drop_first(kind: str):
    """A stage that loses the first record of ``kind`` from the accounted stream."""
    real = outcomes.mark_duplicates

    def losing(stream, rule, batch=1000):
        dropped = False
        for outcome in real(stream, rule, batch):
            if outcome.status == kind and not dropped:
                dropped = True
                continue
            yield outcome

    return losing


def test_every_record_read_is_accounted_for(tmp_path, bundle):
    source = _collection(tmp_path / "posts.jsonl")
    report = score_collection(
        [source], tmp_path / "run", bundle, IngestOptions(), ScoreOptions(jobs=1)
    )
    c = report["counts"]
    assert report["counts_balance"]
    assert (c["read"], c["scored"], c["duplicates"], c["quarantined"], c["skipped"]) == (
        6,
        3,
        1,
        2,
        0,
    )
    counts = ingest([source]).counts
    assert (counts["read"], counts["ingested"], counts["duplicates"], counts["quarantined"]) == (
        6,
        3,
        1,
        2,
    )


@pytest.mark.parametrize("kind", ["duplicate", "quarantined", "post"])
def test_a_stage_that_loses_a_record_fails_the_score_check(tmp_path, bundle, monkeypatch, kind):
    source = _collection(tmp_path / "posts.jsonl")
    monkeypatch.setattr(outcomes, "mark_duplicates", _drop_first(kind))
    report = score_collection(
        [source], tmp_path / "run", bundle, IngestOptions(), ScoreOptions(jobs=1)
    )
    c = report["counts"]
    assert not report["counts_balance"]
    assert c["read"] == 6
    assert c["scored"] + c["quarantined"] + c["duplicates"] + c["skipped"] == 5


def test_a_chunk_that_loses_a_side_row_fails_the_score_check(tmp_path, bundle, monkeypatch):
    source = _collection(tmp_path / "posts.jsonl")
    real = engine.split_outcomes

    def losing(chunk):
        posts, side = real(chunk)
        side.quarantine = side.quarantine[1:]
        return posts, side

    monkeypatch.setattr(engine, "split_outcomes", losing)
    report = score_collection(
        [source], tmp_path / "run", bundle, IngestOptions(), ScoreOptions(jobs=1)
    )
    assert (
        not report["counts_balance"]
        and report["counts"]["read"] == 6
        and report["counts"]["quarantined"] == 1
    )


def test_the_score_command_names_the_imbalance_and_exits_1(in_project, tmp_path, monkeypatch):
    source = _collection(tmp_path / "posts.jsonl")
    monkeypatch.setattr(outcomes, "mark_duplicates", _drop_first("duplicate"))
    result = CliRunner().invoke(
        main, ["score", str(source), "--out", str(tmp_path / "run"), "--jobs", "1", "-q"]
    )
    assert result.exit_code == 1
    assert "COUNTS DO NOT ADD UP" in result.output
    assert "Counts do not add up: 6 records were read, but 5 are accounted for" in result.output
    assert (
        json.loads((tmp_path / "run" / "report.json").read_text(encoding="utf-8"))["counts_balance"]
        is False
    )


def test_a_stage_that_loses_a_record_fails_ingest(tmp_path, monkeypatch):
    source = _collection(tmp_path / "posts.jsonl")
    monkeypatch.setattr(outcomes, "mark_duplicates", _drop_first("post"))
    with pytest.raises(CountsError, match="6 records were read, but 5 are accounted for"):
        ingest([source])
    result = CliRunner().invoke(
        main, ["ingest", str(source), "--out", str(tmp_path / "ingested"), "-q"]
    )
    assert result.exit_code == 1 and "Counts do not add up" in result.output
