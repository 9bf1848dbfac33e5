"""Near-duplicate clusters on a fixture of reposted ads match the templates they were made from."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from pipeline.ingest import IngestOptions
from pipeline.ingest_run import run_ingest

REPOSTS = Path(__file__).resolve().parent / "fixtures" / "ingest" / "reposted_ads.jsonl"


@pytest.fixture(scope="module")
def clustered(tmp_path_factory):
    out = tmp_path_factory.mktemp("clusters")
    report = run_ingest([REPOSTS], out, IngestOptions(), force=False)
    posts = pd.read_csv(out / "posts.csv", dtype=str, keep_default_na=False)
    templates = {
        row["id"]: row["template"]
        for row in map(json.loads, REPOSTS.read_text(encoding="utf-8").splitlines())
    }
    posts["template"] = posts["post_id"].map(templates)
    return report, posts


def test_reposts_of_one_template_share_a_cluster(clustered):
    _, posts = clustered
    for template, group in posts[posts["template"] != ""].groupby("template"):
        assert group["cluster_id"].nunique() == 1, (
            f"template {template} split into {group['cluster_id'].unique()}"
        )


def test_different_templates_and_one_off_posts_do_not_merge(clustered):
    _, posts = clustered
    owners = defaultdict(set)
    for row in posts.itertuples():
        owners[row.cluster_id].add(row.template or row.post_id)
    assert all(len(members) == 1 for members in owners.values()), dict(owners)


def test_cluster_size_and_id_name_the_first_post(clustered):
    report, posts = clustered
    sizes = posts.groupby("cluster_id")["post_id"].transform("size").astype(str)
    assert (posts["cluster_size"] == sizes).all()
    expected = {"r1": "4", "r5": "3", "r8": "2", "r10": "1"}
    assert {
        pid: posts.loc[posts["post_id"] == pid, "cluster_size"].item() for pid in expected
    } == expected
    assert posts.loc[posts["template"] == "A", "cluster_id"].unique().tolist() == ["c_r1"]
    assert report["counts"]["clusters"] == 7 and report["counts"]["largest_cluster"] == 4


def test_ingest_and_score_give_the_same_posts_the_same_cluster_ids(tmp_path, bundle):
    """One rule names clusters, whichever command clusters (in memory, or from chunk parts)."""
    from pipeline.scoring import ScoreOptions, score_collection

    collection = tmp_path / "reposts.jsonl"
    lines = REPOSTS.read_text(encoding="utf-8").splitlines()
    repost = {
        **json.loads(lines[1]),
        "id": "r2-again",
    }  # an exact repost: a duplicate, in no cluster
    collection.write_text(
        "\n".join([*lines, json.dumps(repost, ensure_ascii=False)]) + "\n", encoding="utf-8"
    )
    run_ingest([collection], tmp_path / "ingested", IngestOptions(), force=False)
    score_collection(
        [collection],
        tmp_path / "scored",
        bundle,
        IngestOptions(),
        ScoreOptions(jobs=1, chunk_size=4),
    )
    ingested = pd.read_csv(
        tmp_path / "ingested" / "posts.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    scored = pd.read_csv(
        tmp_path / "scored" / "scored.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )

    def clusters(frame):
        return {row.post_id: (row.cluster_id, row.cluster_size) for row in frame.itertuples()}

    assert clusters(ingested) == clusters(scored)
    assert "r2-again" not in clusters(scored)
    assert clusters(scored)["r2"] == ("c_r1", "4")
