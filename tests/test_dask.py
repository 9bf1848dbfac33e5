"""The Dask engine on a two-worker loopback cluster gives the local engine's outputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.ingest.core import IngestOptions
from pipeline.scoring import ScoreOptions, score_collection

distributed = pytest.importorskip("dask.distributed", reason="dask[distributed] is not installed")

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = ("scored.csv", "review_queue.csv", "quarantine.csv", "duplicates.csv", "skipped.csv")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as local:
        yield local


def _inputs(tmp_path: Path) -> Path:
    """The bundled raw collection (many formats) plus a file that reposts some of it."""
    folder = tmp_path / "inputs"
    shutil.copytree(ROOT / "data" / "raw", folder)
    first = [
        json.loads(line)
        for line in (folder / "tiktok_captions.jsonl").read_text(encoding="utf-8").splitlines()[:5]
    ]
    with open(folder / "zz_reposts.jsonl", "w", encoding="utf-8") as handle:
        handle.writelines(
            json.dumps(
                {
                    "post_id": f"repost{n}",
                    "text": row.get("text") or row.get("caption") or "",
                    "platform": "tiktok",
                }
            )
            + "\n"
            for n, row in enumerate(first)
        )
    return folder


def test_dask_engine_equals_local_engine(tmp_path, bundle, cluster):
    from pipeline.distributed import score_with_dask

    folder = _inputs(tmp_path)
    local = score_collection(
        [folder], tmp_path / "local", bundle, IngestOptions(), ScoreOptions(jobs=1, chunk_size=100)
    )
    remote = score_with_dask(
        [folder],
        tmp_path / "dask",
        bundle,
        IngestOptions(),
        ScoreOptions(jobs=2),
        cluster.scheduler_address,
    )
    for name in OUTPUTS:
        assert (tmp_path / "dask" / name).read_bytes() == (
            tmp_path / "local" / name
        ).read_bytes(), name
    assert remote["counts"] == local["counts"] and remote["counts_balance"]
    assert remote["counts"]["duplicates"] >= 5
    assert set(local) <= set(remote)
    assert remote["engine"]["workers"] == 2
    partitions = sorted((tmp_path / "dask" / "partitions").glob("scored-*.parquet"))
    assert len(partitions) == len(remote["files"])


def test_dask_engine_reads_globs_and_refuses_resume(tmp_path, bundle, cluster):
    from pipeline.distributed import _as_url, resolve_inputs, score_with_dask
    from pipeline.errors import InputError

    folder = _inputs(tmp_path)
    expected = sorted(str(path) for path in folder.glob("*.jsonl"))
    assert {str(folder / "tiktok_captions.jsonl"), str(folder / "zz_reposts.jsonl")} <= set(
        expected
    )
    assert resolve_inputs([str(folder / "*.jsonl")]) == expected
    assert _as_url(Path("s3://bucket/archive/a.parquet")) == "s3://bucket/archive/a.parquet"
    assert _as_url(folder) is None
    with pytest.raises(InputError, match="--resume"):
        score_with_dask(
            [folder],
            tmp_path / "x",
            bundle,
            IngestOptions(),
            ScoreOptions(resume=True),
            cluster.scheduler_address,
        )


def test_dask_engine_reads_fsspec_urls(tmp_path, bundle, cluster):
    from pipeline.distributed import score_with_dask

    folder = _inputs(tmp_path)
    url = f"file://{folder / 'tiktok_captions.jsonl'}"
    report = score_with_dask(
        [url], tmp_path / "url", bundle, IngestOptions(), ScoreOptions(), cluster.scheduler_address
    )
    local = score_collection(
        [folder / "tiktok_captions.jsonl"],
        tmp_path / "local",
        bundle,
        IngestOptions(),
        ScoreOptions(jobs=1),
    )
    assert report["files"] == [url]
    assert report["counts"] == local["counts"] and report["counts"]["scored"] > 0
    scored = (tmp_path / "url" / "scored.csv").read_text(encoding="utf-8-sig")
    assert url in scored
