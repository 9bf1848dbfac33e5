"""What a worker process does with a chunk: score its posts, sign them for clustering, write the parts."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from pipeline import dedup
from pipeline.evidence.reasons import readable_row
from pipeline.modeling.artifacts import Bundle
from pipeline.modeling.predict import Scorer
from pipeline.parallel import analyse_timed
from pipeline.schema import Post
from pipeline.scoring.parts import (
    AS_WRITTEN,
    PART_COLUMNS,
    ChunkSummary,
    summarise,
    write_scored,
    write_signatures,
)


class ChunkScorer:
    """The model and the MinHasher, loaded once per worker process."""

    def __init__(
        self,
        bundle: Bundle,
        threshold: float | None,
        lang: str,
        use_screen: bool = True,
        operating_point: str | None = None,
    ):
        self.scorer = Scorer(
            bundle, threshold, lang, use_screen=use_screen, operating_point=operating_point
        )
        self.hasher = dedup.MinHasher(num_perm=dedup.NUM_PERM)
        self.use_screen = use_screen

    def score_frame(self, posts: Sequence[Post]) -> tuple[pd.DataFrame, np.ndarray, dict]:
        """Scored rows, MinHash signatures (one column per post) and seconds per stage.

        The screen scores the whole chunk; only the posts it passes go through the text layer,
        the full model and the explanations.
        """
        seconds = {}
        model = self.scorer.model
        texts = [p["text"] for p in posts]
        t0 = time.perf_counter()
        decisions = model.screen_decisions(texts)
        passed = model.passes(decisions) if self.use_screen else np.ones(len(posts), dtype=bool)
        seconds["screen"] = time.perf_counter() - t0
        passed_texts = [text for text, keep in zip(texts, passed.tolist(), strict=True) if keep]
        analyses, seconds["normalise"], seconds["indicators"] = analyse_timed(passed_texts)
        t0 = time.perf_counter()
        matrix = model.features.transform_analyses(analyses) if analyses else None
        t1 = time.perf_counter()
        prediction = model.predict_passed(decisions, analyses, matrix, passed)
        t2 = time.perf_counter()
        scored = self.scorer.score_prediction(analyses, prediction)
        rows = [
            self.scorer.output_row(cast(dict, post), result)
            for post, result in zip(posts, scored, strict=True)
        ]
        for row in rows:
            row[AS_WRITTEN] = readable_row(row, self.scorer.lang) if row["flagged"] else ""
        signatures = (
            self.hasher.signatures(dedup.cluster_texts(texts)).T
            if posts
            else np.empty((dedup.NUM_PERM, 0), np.uint32)
        )
        t3 = time.perf_counter()
        seconds.update(vectorise=t1 - t0, model=t2 - t1, explain=t3 - t2)
        return pd.DataFrame(rows, columns=PART_COLUMNS), np.ascontiguousarray(signatures), seconds


def make_chunk_scorer(
    bundle: Bundle,
    threshold: float | None,
    lang: str,
    use_screen: bool = True,
    operating_point: str | None = None,
) -> ChunkScorer:
    return ChunkScorer(bundle, threshold, lang, use_screen, operating_point)


def score_chunk_to_part(
    worker: ChunkScorer, posts: Sequence[Post], parts: Path, index: int
) -> ChunkSummary:
    """Score one chunk in a worker and write its scored and signature parts atomically."""
    frame, signatures, seconds = worker.score_frame(posts)
    t0 = time.perf_counter()
    write_signatures(parts, index, signatures)
    write_scored(parts, index, frame)
    seconds["write"] = time.perf_counter() - t0
    return summarise(frame, seconds)
