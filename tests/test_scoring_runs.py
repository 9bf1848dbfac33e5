"""One run per output folder, explicit resume rules, and nothing left behind by a killed run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import scoring
from pipeline.cli import main
from pipeline.datacard import corpus_files
from pipeline.errors import InputError, OutputExistsError, OutputLockedError
from pipeline.ingest.core import IngestOptions
from pipeline.scoring import ScoreOptions, engine, score_collection

ROOT = Path(__file__).resolve().parents[1]


def collection(path: Path, count: int) -> Path:
    first = corpus_files(ROOT / "data" / "labeled")[0]
    texts = [
        json.loads(line)["text"]
        for line in first.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    lines = (
        json.dumps(
            {"post_id": f"p{n}", "text": texts[n % len(texts)] + f" #{n}"}, ensure_ascii=False
        )
        + "\n"
        for n in range(count)
    )
    path.write_text("".join(lines), encoding="utf-8")
    return path


class Interrupted(Exception):
    pass


def interrupted_run(source: Path, out: Path, bundle, monkeypatch, chunk_size: int = 50) -> None:
    """A run that finishes one chunk and is then interrupted."""
    real = engine.score_chunk_to_part
    calls = []

    def fail_after_one(worker, posts, *args):
        if calls:
            raise Interrupted()
        calls.append(1)
        return real(worker, posts, *args)

    monkeypatch.setattr(engine, "score_chunk_to_part", fail_after_one)
    with pytest.raises(Interrupted):
        score_collection(
            [source], out, bundle, IngestOptions(), ScoreOptions(jobs=1, chunk_size=chunk_size)
        )
    monkeypatch.setattr(engine, "score_chunk_to_part", real)


def test_a_second_run_into_the_same_folder_fails_at_once(tmp_path, bundle):
    source = collection(tmp_path / "posts.jsonl", 20)
    out = tmp_path / "run"
    with (
        scoring.output_lock(out),
        pytest.raises(OutputLockedError) as info,
    ):  # another run holds the folder
        score_collection([source], out, bundle, IngestOptions(), ScoreOptions(jobs=1, force=True))
    assert "another Waspada process" in info.value.message and "--out" in info.value.hint
    assert not (out / "scored.csv").exists() and not (out / scoring.PARTS_DIR).exists()
    # Released with its holder: the next run goes ahead.
    assert (
        score_collection([source], out, bundle, IngestOptions(), ScoreOptions(jobs=1))["counts"][
            "scored"
        ]
        == 20
    )


def test_the_cli_names_the_lock_and_exits_1(in_project, tmp_path, bundle):
    source = collection(tmp_path / "posts.jsonl", 5)
    out = tmp_path / "run"
    with scoring.output_lock(out):
        result = CliRunner().invoke(
            main, ["score", str(source), "--out", str(out), "--jobs", "1", "-q"]
        )
    assert result.exit_code == 1
    assert (
        "in use by another Waspada process" in result.output
        and "choose another --out" in result.output
    )


def test_resume_on_a_finished_run_needs_force(tmp_path, bundle, monkeypatch):
    source = collection(tmp_path / "posts.jsonl", 30)
    out = tmp_path / "run"
    score_collection([source], out, bundle, IngestOptions(), ScoreOptions(jobs=1))
    before = (out / "report.json").read_bytes()
    with pytest.raises(OutputExistsError) as info:
        score_collection([source], out, bundle, IngestOptions(), ScoreOptions(jobs=1, resume=True))
    assert "nothing to resume" in info.value.message and "--force" in info.value.hint
    assert (out / "report.json").read_bytes() == before
    again = score_collection(
        [source], out, bundle, IngestOptions(), ScoreOptions(jobs=1, resume=True, force=True)
    )
    assert again["counts"]["scored"] == 30


def test_an_interrupted_run_is_not_discarded_without_force(tmp_path, bundle, monkeypatch):
    source = collection(tmp_path / "posts.jsonl", 120)
    out = tmp_path / "run"
    interrupted_run(source, out, bundle, monkeypatch)
    with pytest.raises(OutputExistsError) as info:
        score_collection(
            [source], out, bundle, IngestOptions(), ScoreOptions(jobs=1, chunk_size=50)
        )
    assert "interrupted run (1 chunks finished)" in info.value.message
    assert "--resume" in info.value.hint and "--force" in info.value.hint
    assert json.loads((out / scoring.PARTS_DIR / scoring.STATE_FILE).read_text())["completed"] == 1
    fresh = score_collection(
        [source], out, bundle, IngestOptions(), ScoreOptions(jobs=1, chunk_size=50, force=True)
    )
    assert fresh["engine"]["resumed_chunks"] == 0 and fresh["counts"]["scored"] == 120


def test_resume_refusal_says_what_changed_and_how_to_restore_it(tmp_path, bundle, monkeypatch):
    source = collection(tmp_path / "posts.jsonl", 120)
    out = tmp_path / "run"
    interrupted_run(source, out, bundle, monkeypatch, chunk_size=50)
    with pytest.raises(InputError) as info:
        score_collection(
            [source],
            out,
            bundle,
            IngestOptions(),
            ScoreOptions(jobs=1, chunk_size=5000, resume=True),
        )
    assert "chunk size was 50, now 5000" in info.value.message
    assert "--chunk-size 50" in info.value.hint and "--resume" in info.value.hint
    with pytest.raises(InputError) as info:
        score_collection(
            [source],
            out,
            bundle,
            IngestOptions(text_column="isi"),
            ScoreOptions(jobs=1, chunk_size=50, resume=True),
        )
    assert (
        "text column was None, now isi" in info.value.message
        and "no --text-column" in info.value.hint
    )
    collection(source, 130)
    with pytest.raises(InputError) as info:
        score_collection(
            [source], out, bundle, IngestOptions(), ScoreOptions(jobs=1, chunk_size=50, resume=True)
        )
    assert (
        "changed (size or modification time)" in info.value.message and "--force" in info.value.hint
    )


def test_resume_removes_temporaries_of_a_run_killed_while_writing(tmp_path, bundle, monkeypatch):
    source = collection(tmp_path / "posts.jsonl", 120)
    out = tmp_path / "run"
    interrupted_run(source, out, bundle, monkeypatch)
    stale = [
        out / ".scored.csv.k1ll3d.tmp",
        out / ".report.json.x.tmp",
        out / scoring.PARTS_DIR / ".scored-000001.parquet.y.tmp",
    ]
    for path in stale:
        path.write_bytes(b"x" * 1000)
    keep = out / "notes.txt"
    keep.write_text("mine")
    report = score_collection(
        [source], out, bundle, IngestOptions(), ScoreOptions(jobs=1, chunk_size=50, resume=True)
    )
    assert report["engine"]["resumed_chunks"] == 1
    assert not any(path.exists() for path in stale)
    assert not list(out.rglob("*.tmp")) and keep.read_text() == "mine"


def test_a_file_without_a_recognised_text_column_fails_naming_the_column(in_project, tmp_path):
    source = tmp_path / "kalimat.csv"
    source.write_text(
        "id,kalimat\nk1,Dicari admin ke Kamboja gaji 15jt\nk2,Lowongan kasir Bandung\n",
        encoding="utf-8",
    )
    out = tmp_path / "run"
    result = CliRunner().invoke(
        main, ["score", str(source), "--out", str(out), "--jobs", "1", "-q"]
    )
    assert result.exit_code == 1, result.output
    assert "no text column" in result.output and "--text-column kalimat" in result.output
    report = json.loads((out / "report.json").read_text())
    assert report["file_notes"][0]["problem"] and report["file_notes"][0]["file"] == str(source)
    fixed = CliRunner().invoke(
        main,
        [
            "score",
            str(source),
            "--out",
            str(out),
            "--jobs",
            "1",
            "-q",
            "--force",
            "--text-column",
            "kalimat",
        ],
    )
    assert fixed.exit_code == 0, fixed.output
    assert json.loads((out / "report.json").read_text())["counts"]["scored"] == 2


def test_one_file_without_a_text_column_among_good_ones_still_fails_the_run(in_project, tmp_path):
    (tmp_path / "a.csv").write_text("id,text\na1,Lowongan kasir Bandung\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("id,kalimat\nb1,Dicari admin ke Kamboja\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["score", str(tmp_path), "--out", str(tmp_path / "run"), "--jobs", "1", "-q"]
    )
    assert result.exit_code == 1 and "b.csv: no text column" in result.output
    assert json.loads((tmp_path / "run" / "report.json").read_text())["counts"]["scored"] == 1


def test_nothing_scored_is_a_failure(in_project, tmp_path):
    source = tmp_path / "empty_texts.jsonl"
    source.write_text('{"text": ""}\n{"text": "  "}\n', encoding="utf-8")
    result = CliRunner().invoke(
        main, ["score", str(source), "--out", str(tmp_path / "run"), "--jobs", "1", "-q"]
    )
    assert (
        result.exit_code == 1
        and "Nothing was scored" in result.output
        and "empty text" in result.output
    )


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_outputs_and_model_bundles_follow_the_umask(tmp_path, bundle, models_dir, umask):
    import os
    import stat

    from pipeline.fileio import write_json

    source = collection(tmp_path / "posts.jsonl", 10)
    previous = os.umask(umask)
    try:
        score_collection([source], tmp_path / "run", bundle, IngestOptions(), ScoreOptions(jobs=1))
        write_json(tmp_path / "models" / "x" / "manifest.json", {"a": 1})
    finally:
        os.umask(previous)
    expected = 0o666 & ~umask
    for path in [
        *(tmp_path / "run" / name for name in scoring.OUTPUT_FILES),
        tmp_path / "models" / "x" / "manifest.json",
    ]:
        assert stat.S_IMODE(path.stat().st_mode) == expected, path
