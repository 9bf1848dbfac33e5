"""Chunked scoring: same outputs whatever the chunking or process count, resume after an
interruption, no half-written outputs, and memory that does not grow with the collection."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from pipeline import dedup, scoring
from pipeline.datacard import corpus_files
from pipeline.dedup import CONFLICT, KEEP, ExactDuplicates, KeyIndex, KeySet
from pipeline.ingest.core import IngestOptions
from pipeline.scoring import ScoreOptions, engine, score_collection

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = ("scored.csv", "review_queue.csv", "quarantine.csv", "duplicates.csv", "skipped.csv")


def _labeled_texts() -> list[str]:
    texts = []
    for path in corpus_files(ROOT / "data" / "labeled"):
        texts += [
            json.loads(line)["text"]
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
    return texts


def write_collection(path: Path, count: int, repost_every: int = 10) -> Path:
    """``count`` records: distinct posts, some exact reposts, one empty text and one id reused."""
    texts = _labeled_texts()
    with open(path, "w", encoding="utf-8") as handle:
        for n in range(count):
            if n and n % repost_every == 0:
                text = texts[(n - 1) % len(texts)] + f" #{n - 1}"  # the previous post again
            else:
                text = texts[n % len(texts)] + f" #{n}"
            handle.write(json.dumps({"post_id": f"p{n}", "text": text}, ensure_ascii=False) + "\n")
        handle.write(json.dumps({"post_id": "empty", "text": "  "}) + "\n")
        handle.write(
            json.dumps({"post_id": "p1", "text": "teks lain dengan id yang sudah dipakai"}) + "\n"
        )
    return path


def outputs(directory: Path) -> dict[str, bytes]:
    return {name: (directory / name).read_bytes() for name in OUTPUTS}


def test_chunking_and_processes_do_not_change_outputs(tmp_path, bundle):
    source = write_collection(tmp_path / "posts.jsonl", 240)
    score_collection(
        [source], tmp_path / "one", bundle, IngestOptions(), ScoreOptions(jobs=1, chunk_size=1000)
    )
    many = score_collection(
        [source], tmp_path / "many", bundle, IngestOptions(), ScoreOptions(jobs=2, chunk_size=50)
    )
    assert outputs(tmp_path / "one") == outputs(tmp_path / "many")
    counts = many["counts"]
    assert many["counts_balance"] and counts["read"] == 242
    assert counts["duplicates"] == 23 and counts["quarantined"] == 2
    for stage in ("read", "screen", "write"):
        assert many["seconds"][stage] > 0, stage
    # The text layer and the full model run only on the posts the screen passes.
    passed = many["screen"]["passed"]
    assert passed + many["screen"]["screened_out"] == counts["scored"]
    for stage in ("normalise", "indicators", "vectorise"):
        assert (many["seconds"][stage] > 0) == (passed > 0), stage
    duplicates = (tmp_path / "many" / "duplicates.csv").read_text(encoding="utf-8-sig").splitlines()
    assert duplicates[1].startswith("p10,p9,")
    assert not (tmp_path / "many" / scoring.PARTS_DIR).exists()


class Interrupted(Exception):
    pass


def test_interrupted_run_leaves_no_output_and_resume_scores_only_the_rest(
    tmp_path, bundle, monkeypatch
):
    source = write_collection(tmp_path / "posts.jsonl", 250)
    options = ScoreOptions(jobs=1, chunk_size=50)
    real = engine.score_chunk_to_part
    calls = []

    def failing_after_two(worker, posts, *args):
        if len(calls) == 2:
            raise Interrupted()
        calls.append(len(posts))
        return real(worker, posts, *args)

    monkeypatch.setattr(engine, "score_chunk_to_part", failing_after_two)
    out = tmp_path / "run"
    with pytest.raises(Interrupted):
        score_collection([source], out, bundle, IngestOptions(), options)
    assert not any((out / name).exists() for name in (*OUTPUTS, "report.json"))
    assert not [p for p in out.rglob("*.tmp")]
    state = json.loads((out / scoring.PARTS_DIR / scoring.STATE_FILE).read_text())
    assert state["completed"] == 2

    calls.clear()
    monkeypatch.setattr(
        engine,
        "score_chunk_to_part",
        lambda worker, posts, *args: calls.append(len(posts)) or real(worker, posts, *args),
    )
    resumed = score_collection(
        [source], out, bundle, IngestOptions(), ScoreOptions(jobs=1, chunk_size=50, resume=True)
    )
    assert len(calls) == 4  # 252 records in chunks of 50: chunks 3 to 6
    assert resumed["engine"]["resumed_chunks"] == 2

    monkeypatch.setattr(engine, "score_chunk_to_part", real)
    fresh = score_collection([source], tmp_path / "fresh", bundle, IngestOptions(), options)
    assert outputs(out) == outputs(tmp_path / "fresh")
    assert resumed["counts"] == fresh["counts"]


def test_resume_refuses_changed_inputs(tmp_path, bundle, monkeypatch):
    source = write_collection(tmp_path / "posts.jsonl", 120)
    real = engine.score_chunk_to_part
    calls = []

    def fail(worker, posts, *args):
        if calls:
            raise Interrupted()
        calls.append(1)
        return real(worker, posts, *args)

    monkeypatch.setattr(engine, "score_chunk_to_part", fail)
    with pytest.raises(Interrupted):
        score_collection(
            [source], tmp_path / "run", bundle, IngestOptions(), ScoreOptions(jobs=1, chunk_size=50)
        )
    monkeypatch.setattr(engine, "score_chunk_to_part", real)
    write_collection(source, 130)
    from pipeline.errors import InputError

    with pytest.raises(InputError, match="changed"):
        score_collection(
            [source],
            tmp_path / "run",
            bundle,
            IngestOptions(),
            ScoreOptions(jobs=1, chunk_size=50, resume=True),
        )


def _peak_traced(tmp_path: Path, bundle, count: int) -> int:
    source = write_collection(tmp_path / f"posts-{count}.jsonl", count)
    tracemalloc.start()
    try:
        score_collection(
            [source],
            tmp_path / f"out-{count}",
            bundle,
            IngestOptions(),
            ScoreOptions(jobs=1, chunk_size=60, queue_limit=5),
        )
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_peak_memory_does_not_grow_with_the_collection(tmp_path, bundle):
    # Both runs are past the first few chunks, whose one-time allocations (the model's derived
    # lookups, the evidence search's first words) would otherwise be most of the smaller peak.
    small = _peak_traced(tmp_path, bundle, 900)
    large = _peak_traced(tmp_path, bundle, 2700)
    assert large < 1.25 * small, (small, large)


def test_key_index_matches_a_dict():
    rng = np.random.default_rng(3)
    index, reference = KeyIndex(), {}
    for _ in range(20):
        keys = rng.integers(-(2**62), 2**62, size=50)
        keys = [int(k) for k in keys if int(k) not in reference]
        values = list(range(len(reference), len(reference) + len(keys)))
        index.extend(keys, values)
        reference.update(zip(keys, values, strict=True))
    probes = list(reference)[:100] + [int(k) for k in rng.integers(-(2**62), 2**62, size=100)]
    assert [index.get(k) for k in probes] == [reference.get(k, -1) for k in probes]
    assert index.get_many(np.array(probes)).tolist() == [reference.get(k, -1) for k in probes]


def test_key_set_matches_a_python_set():
    rng = np.random.default_rng(5)
    keys, reference = KeySet(), set()
    for _ in range(20):
        batch = [int(k) for k in rng.integers(-(2**62), 2**62, size=50)]
        batch = [k for k in batch if k not in reference]
        keys.extend(batch)
        reference.update(batch)
    probes = list(reference)[:100] + [int(k) for k in rng.integers(-(2**62), 2**62, size=100)]
    assert keys.contains_many(np.array(probes)).tolist() == [k in reference for k in probes]
    assert len(keys) == len(reference)


def test_exact_duplicates_are_found_within_and_across_batches():
    rule = ExactDuplicates()
    # text 1 kept (post 0), its copy, a new text under a used id, text 2 kept (post 1)
    assert rule.decide_keys([1, 1, 3, 2], [10, 11, 10, 20]).tolist() == [KEEP, 0, CONFLICT, KEEP]
    # across batches: a copy of text 2 under a used id is a duplicate, not a conflict
    assert rule.decide_keys([2, 4, 4], [10, 40, 41]).tolist() == [1, KEEP, 2]
    assert rule.kept == 3


def test_clustering_from_chunk_files_equals_clustering_in_memory(tmp_path):
    rng = np.random.default_rng(5)
    signatures = rng.integers(0, 4, size=(700, dedup.NUM_PERM)).astype(np.uint32)
    files = []
    for i, (start, end) in enumerate([(0, 300), (300, 300), (300, 650), (650, 700)]):
        files.append(tmp_path / f"s{i}.npy")
        np.save(files[-1], np.ascontiguousarray(signatures[start:end].T))
    expected = dedup.cluster_signatures(signatures, bands=dedup.BANDS)
    assert len(np.unique(expected)) < 700
    assert np.array_equal(dedup.cluster_parts(files), expected)


def test_queue_rows_come_back_in_queue_order_across_parts_of_different_types(tmp_path):
    import pandas as pd

    from pipeline.scoring.assemble import _queue_rows, _spill_queue

    first = pd.DataFrame(
        {"post_id": ["a", "b"], "flagged": [True, True], "posted_at": [None, None]}
    )
    second = pd.DataFrame({"post_id": ["c"], "flagged": [True], "posted_at": ["2026-12-01"]})
    parts = [tmp_path / "scored-0.parquet", tmp_path / "scored-1.parquet"]
    first.to_parquet(parts[0], index=False)
    second.to_parquet(parts[1], index=False)
    # (score, -(position + 1), part, row): c first, then a, then b
    items = [(0.99, -3, 1, 0), (0.95, -1, 0, 0), (0.90, -2, 0, 1)]
    roots = np.array([0, 0, 2])  # a and b are one cluster, named after a
    sizes = np.bincount(roots, minlength=3)
    # Rows are spilled in buckets of ranks; buckets that cut across parts keep the order.
    for bucket_rows in (1, 2, 1_000):
        queue = _spill_queue(items, parts, tmp_path / f"queue-{bucket_rows}", bucket_rows)
        rows = list(_queue_rows(queue, roots, sizes, {0: "a"}))
        assert [row["post_id"] for row in rows] == ["c", "a", "b"]
        assert [row["posted_at"] for row in rows] == ["2026-12-01", None, None]
        assert [row["cluster_id"] for row in rows] == ["c_c", "c_a", "c_a"]
        assert [row["cluster_size"] for row in rows] == [1, 2, 2]


def test_queue_rows_follow_rank_when_parts_interleave(tmp_path):
    import pandas as pd

    from pipeline.scoring.assemble import _queue_rows, _spill_queue

    parts = [tmp_path / "scored-0.parquet", tmp_path / "scored-1.parquet"]
    pd.DataFrame({"post_id": ["a", "b"], "flagged": [True, True]}).to_parquet(parts[0], index=False)
    pd.DataFrame({"post_id": ["c", "d"], "flagged": [True, True]}).to_parquet(parts[1], index=False)
    # Ranks alternate between the parts: d, a, c, b.
    items = [(0.99, -4, 1, 1), (0.98, -1, 0, 0), (0.97, -3, 1, 0), (0.96, -2, 0, 1)]
    roots = np.arange(4)
    sizes = np.ones(4, dtype=np.int64)
    rows = list(_queue_rows(_spill_queue(items, parts, tmp_path / "queue", 3), roots, sizes, {}))
    assert [row["post_id"] for row in rows] == ["d", "a", "c", "b"]
    assert [row["cluster_id"] for row in rows] == ["c_d", "c_a", "c_c", "c_b"]


def test_a_spilled_queue_replaces_what_a_killed_run_left(tmp_path):
    import pandas as pd

    from pipeline.scoring.assemble import _queue_rows, _spill_queue

    part = tmp_path / "scored-0.parquet"
    pd.DataFrame({"post_id": ["a", "b"], "flagged": [True, True]}).to_parquet(part, index=False)
    leftover = tmp_path / "queue" / "queue-000000.arrow"
    leftover.parent.mkdir()
    leftover.write_bytes(b"half a file")
    queue = _spill_queue([(0.9, -2, 0, 1), (0.8, -1, 0, 0)], [part], tmp_path / "queue")
    rows = list(_queue_rows(queue, np.arange(2), np.ones(2, dtype=np.int64), {}))
    assert [row["post_id"] for row in rows] == ["b", "a"]
