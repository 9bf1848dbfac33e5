"""`waspada ingest`: canonical posts with repost clusters, plus quarantine and a report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline import dedup, schema
from pipeline.fileio import ensure_writable, write_csv, write_json
from pipeline.ingest import IngestOptions, ingest
from pipeline.ingest.posts import BALANCE_RULE


def run_ingest(paths: Sequence[Path], out_dir: Path, options: IngestOptions, force: bool) -> dict:
    """Ingest ``paths`` into ``out_dir`` (posts with clusters, quarantine, duplicates, skipped, report); return the report."""
    ensure_writable(out_dir / "posts.csv", force, "ingested table")
    result = ingest(paths, options)
    posts = result.posts
    roots = dedup.cluster(dedup.cluster_texts(posts["text"].tolist()))
    names, sizes = dedup.cluster_ids(roots, posts["post_id"].tolist()) if len(posts) else ([], [])
    posts = posts.assign(cluster_id=names, cluster_size=sizes)
    columns = list(schema.POST_COLUMNS) + list(schema.CLUSTER_COLUMNS)
    write_csv(out_dir / "posts.csv", posts.to_dict("records"), columns)
    write_csv(out_dir / "quarantine.csv", result.quarantine, schema.QUARANTINE_COLUMNS)
    write_csv(out_dir / "duplicates.csv", result.duplicates, schema.DUPLICATE_COLUMNS)
    write_csv(out_dir / "skipped.csv", result.skipped, schema.SKIPPED_COLUMNS)
    counts = dict(result.counts)
    counts["clusters"] = len(set(names))
    counts["largest_cluster"] = int(max(sizes)) if sizes else 0
    report = {
        "counts": counts,
        "counts_balance": result.balanced,
        "file_notes": result.notes,
        "balance_rule": BALANCE_RULE,
        "outputs": {
            n: str(out_dir / n)
            for n in ("posts.csv", "quarantine.csv", "duplicates.csv", "skipped.csv")
        },
    }
    write_json(out_dir / "report.json", report)
    return report
