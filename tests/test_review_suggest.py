"""`waspada suggest`: uncertain, cluster-diverse posts added to the review queue."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from test_review_store import post, write_queue

from pipeline.cli import main
from pipeline.review.store import QueueFilter, ReviewStore
from pipeline.review.suggest import pick, suggest, uncertainty


def test_uncertainty_peaks_at_the_threshold():
    assert uncertainty(0.7, 0.7) == 1.0
    assert uncertainty(0.0, 0.7) == 0.0 and uncertainty(1.0, 0.7) == 0.0
    assert uncertainty(0.6, 0.7) > uncertainty(0.3, 0.7)
    assert uncertainty(0.85, 0.7) == pytest.approx(0.5)


def test_pick_prefers_uncertain_posts_one_per_cluster_and_mixed_red_flags():
    rows = [
        {"post_id": f"a{i}", "score": 0.50 + i / 1000, "cluster_id": "A", "indicators": "x"}
        for i in range(5)
    ]
    rows += [
        {"post_id": "b", "score": 0.45, "cluster_id": "B", "indicators": "x"},
        {"post_id": "c", "score": 0.40, "cluster_id": "C", "indicators": "y"},
        {"post_id": "sure_yes", "score": 0.99, "cluster_id": "D", "indicators": "z"},
        {"post_id": "sure_no", "score": 0.01, "cluster_id": "E", "indicators": ""},
    ]
    picked = [r["post_id"] for r in pick(rows, 3, threshold=0.5)]
    assert picked == ["a0", "b", "c"]  # one of cluster A, then the next clusters, not a1..a4
    assert {r["post_id"] for r in pick(rows, 7, threshold=0.5)} >= {
        "a0",
        "b",
        "c",
        "sure_yes",
        "sure_no",
    }
    assert len(pick(rows, 50, threshold=0.5)) == len(rows)


def test_suggest_rescores_a_scored_table_and_fills_the_queue(tmp_path, bundle):
    rows = [
        post(f"u{i}", 0.0, text)
        for i, text in enumerate(
            [
                "Dicari admin online Kamboja gaji 15jt, tiket gratis, tanpa pengalaman, japri WA",
                "Lowongan operator produksi PT resmi di Bekasi, lamar lewat disnaker, gaji UMR",
                "Info kerja ke Malaysia lewat jalur tikus, tanpa paspor, berangkat minggu ini",
                "Resep sambal matah enak banget, cobain ya guys",
                "Hati-hati modus lowongan kerja luar negeri palsu, cek ke BP2MI",
                "Butuh ART ke Arab Saudi, visa ziarah, potong gaji 3 bulan",
            ]
        )
    ]
    rows[3]["cluster_id"], rows[4]["cluster_id"] = "same", "same"
    scored = write_queue(tmp_path / "scored.csv", rows)
    labeled = tmp_path / "labeled"
    labeled.mkdir()
    (labeled / "x.jsonl").write_text(
        json.dumps({"text": rows[1]["text"], "label": "benign"}) + "\n", encoding="utf-8"
    )
    store = ReviewStore(f"sqlite:///{tmp_path / 'r.sqlite'}")
    store.add_posts([rows[5]], model_id="old")
    result = suggest(store, [scored], bundle, n=10, labeled_dir=labeled)
    summary = result.summary()
    assert (
        summary["candidates"] == 6
        and summary["already_labeled"] == 1
        and summary["already_in_store"] == 1
    )
    assert summary["picked"] == 4 and summary["review_store"]["added"] == 4
    suggested = store.query(QueueFilter(status="all", origin="suggest"))[0]
    assert {r["post_id"] for r in suggested} == {"u0", "u2", "u3", "u4"}
    assert all(r["model_id"] == bundle.model_id for r in suggested)
    # The scores are the current model's, not the file's zeros.
    assert any(r["score"] > 0 for r in suggested)
    ranks = [uncertainty(r["score"], bundle.threshold) for r in result.picked]
    assert ranks == sorted(ranks, reverse=True)


def test_suggest_cli_on_raw_collected_files(in_project, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(in_project / "data" / "raw" / "tiktok_captions.jsonl", raw)
    db_url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    result = CliRunner().invoke(
        main,
        [
            "suggest",
            str(raw),
            "--n",
            "5",
            "--db",
            db_url,
            "--labeled",
            str(tmp_path / "none"),
            "--json",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output[result.output.index("{") :])
    lines = (raw / "tiktok_captions.jsonl").read_text(encoding="utf-8").splitlines()
    expected = sum(1 for line in lines if line.strip())
    assert 0 < summary["candidates"] <= expected
    assert summary["picked"] == 5 and summary["clusters"] == 5
    assert ReviewStore(db_url).count(QueueFilter(status="all", origin="suggest")) == 5
