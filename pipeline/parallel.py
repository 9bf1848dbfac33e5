"""Running the text layer over many posts on all cores."""

from __future__ import annotations

from collections.abc import Sequence

from joblib import Parallel, delayed

from pipeline import progress
from pipeline.indicators import Analysis, analyse


def _analyse_chunk(texts: Sequence[str]) -> list[Analysis]:
    return [analyse(text) for text in texts]


def analyse_parallel(texts: Sequence[str], jobs: int = 1, chunk_size: int = 500, description: str = "Analysing posts") -> list[Analysis]:
    """Analyse posts, in parallel processes when ``jobs`` > 1, keeping input order."""
    if jobs == 1 or len(texts) < 2 * chunk_size:
        return list(progress.track((analyse(t) for t in texts), description, total=len(texts)))
    chunks = [texts[i:i + chunk_size] for i in range(0, len(texts), chunk_size)]
    results: list[Analysis] = []
    runner = Parallel(n_jobs=jobs, return_as="generator")
    for chunk_result in progress.track(runner(delayed(_analyse_chunk)(c) for c in chunks), description, total=len(chunks), unit="chunk"):
        results.extend(chunk_result)
    return results
