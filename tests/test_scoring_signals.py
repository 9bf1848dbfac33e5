"""A killed or stopped batch job takes its worker processes with it and can be resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import scoring
from pipeline.datacard import corpus_files

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def start_run(tmp_path: Path, models_dir: Path, *extra: str) -> tuple[subprocess.Popen, Path]:
    first = corpus_files(ROOT / "data" / "labeled")[0]
    texts = [
        json.loads(line)["text"]
        for line in first.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    source = tmp_path / "posts.jsonl"
    source.write_text(
        "".join(
            json.dumps({"post_id": f"p{n}", "text": f"{texts[n % len(texts)]} #{n}"}) + "\n"
            for n in range(6000)
        ),
        encoding="utf-8",
    )
    out = tmp_path / "run"
    env = dict(os.environ, WASPADA_MODELS=str(models_dir))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "score",
            str(source),
            "--out",
            str(out),
            "--jobs",
            "2",
            "--chunk-size",
            "100",
            "-q",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    state = out / scoring.PARTS_DIR / scoring.STATE_FILE
    deadline = time.monotonic() + 120
    while not state.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never finished a chunk"
        time.sleep(0.1)
    return process, out


def wait_gone(pids: list[int], seconds: float = 10) -> list[int]:
    """The pids still alive after ``seconds``; those are then killed, so a failure leaves no orphans."""
    deadline = time.monotonic() + seconds
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in pids if alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


def test_kill_9_takes_the_workers_with_it(tmp_path, models_dir):
    process, out = start_run(tmp_path, models_dir)
    workers = children(process.pid)
    assert len(workers) == 2
    process.kill()
    process.wait()
    assert wait_gone(workers) == []
    parts = sorted(p.name for p in (out / scoring.PARTS_DIR).iterdir())
    time.sleep(2)
    assert sorted(p.name for p in (out / scoring.PARTS_DIR).iterdir()) == parts, (
        "a worker wrote after the kill"
    )


def test_sigterm_behaves_like_ctrl_c_and_the_run_resumes(tmp_path, models_dir):
    process, out = start_run(tmp_path, models_dir)
    workers = children(process.pid)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    assert b"--resume" in stderr and b"Traceback" not in stderr
    assert wait_gone(workers) == []
    assert not any((out / name).exists() for name in scoring.OUTPUT_FILES)
    env = dict(os.environ, WASPADA_MODELS=str(models_dir))
    resumed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "score",
            str(tmp_path / "posts.jsonl"),
            "--out",
            str(out),
            "--jobs",
            "2",
            "--chunk-size",
            "100",
            "-q",
            "--resume",
            "--json",
        ],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["engine"]["resumed_chunks"] >= 1 and report["counts"]["scored"] == 6000
