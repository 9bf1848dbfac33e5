"""Explain posts with the model loaded once: one post, or a JSON Lines file of many.

Loading a model costs a tenth of a second (its compiled form; see ``pipeline.modeling.compiled``)
and scoring a post milliseconds. So a process loads a bundle once (kept while its files are
unchanged) and a file of posts is analysed and scored in batches, not one call per post.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pipeline.evidence.reasons import readable
from pipeline.modeling.artifacts import (
    COMPILED_FILE,
    MANIFEST_FILE,
    MODEL_FILE,
    current_model_dir,
    load_compiled_bundle,
)
from pipeline.modeling.predict import Scorer, explanation_json

BATCH = 500
ID_FIELDS = ("post_id", "id")


@dataclass
class PostLine:
    """One line of a posts file: its text, or why it cannot be explained."""

    line: int
    post_id: str
    text: str = ""
    problem: str = ""


def read_posts_jsonl(handle: IO[str]) -> Iterator[PostLine]:
    """Posts from JSON Lines (``{"text": ..., "post_id": ...}`` or a plain JSON string per line),
    read line by line: a bad line is one problem, never the end of the file."""
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield PostLine(
                number,
                str(number),
                problem=f"not valid JSON ({getattr(exc, 'msg', 'nested too deeply')})",
            )
            continue
        if isinstance(value, str):
            value = {"text": value}
        if not isinstance(value, dict):
            yield PostLine(number, str(number), problem="not a JSON object with a text field")
            continue
        post_id = next(
            (str(value[k]) for k in ID_FIELDS if value.get(k) not in (None, "")), str(number)
        )
        text = value.get("text")
        if not isinstance(text, str) or not text.strip():
            yield PostLine(number, post_id, problem="no text")
            continue
        yield PostLine(number, post_id, text)


def scorer_for(model_dir: Path | None, models_dir: Path, lang: str = "id") -> Scorer:
    """A Scorer for the bundle (or the current one), loaded once per process while the bundle's
    files stay as they are: a retrained or promoted model is loaded afresh."""
    directory = Path(model_dir) if model_dir is not None else current_model_dir(Path(models_dir))
    stamp = tuple(
        (p.stat().st_mtime_ns, p.stat().st_size) if p.exists() else None
        for p in (directory / MANIFEST_FILE, directory / MODEL_FILE, directory / COMPILED_FILE)
    )
    return _cached_scorer(str(directory.resolve()), stamp, lang)


@functools.lru_cache(maxsize=4)
def _cached_scorer(directory: str, stamp: tuple, lang: str) -> Scorer:
    # Someone asking why gets the full analysis of every post; the result says whether the batch
    # job's screen would have cleared it (``screened_out_in_batch``).
    return Scorer(load_compiled_bundle(Path(directory)), lang=lang, use_screen=False)


def as_written(text: str, payload: dict, lang: str) -> dict:
    """The explanation with its reasons quoting the post as written: people read these, so no
    normalised token or placeholder reaches them."""
    shown = readable(
        text,
        "; ".join(payload["reasons"]),
        lang,
        " ".join(payload["contacts"]),
        ",".join(payload["destinations"]),
    )
    return {**payload, "reasons": [reason for reason in shown.split("; ") if reason]}


def screened_out_in_batch(scorer: Scorer, text: str) -> bool:
    model = scorer.model
    return not bool(model.passes(model.screen_decisions([text]))[0])


def explain_posts(
    scorer: Scorer, posts: Iterable[PostLine], lang: str = "id", batch: int = BATCH
) -> Iterator[dict]:
    """One result per post line, in order: ``line``, ``post_id`` and the explanation, or ``error``."""
    pending: list[PostLine] = []

    def flush() -> Iterator[dict]:
        good = [p for p in pending if not p.problem]
        scored = iter(scorer.score_texts([p.text for p in good])) if good else iter(())
        for post in pending:
            if post.problem:
                yield {"line": post.line, "post_id": post.post_id, "error": post.problem}
            else:
                yield {
                    "line": post.line,
                    "post_id": post.post_id,
                    **as_written(post.text, explanation_json(next(scored), lang), lang),
                    "screened_out_in_batch": screened_out_in_batch(scorer, post.text),
                }
        pending.clear()

    for post in posts:
        pending.append(post)
        if len(pending) >= batch:
            yield from flush()
    yield from flush()
