"""The settings of one scoring run."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.modeling.artifacts import Bundle


@dataclass
class ScoreOptions:
    threshold: float | None = None
    jobs: int = 1
    chunk_size: int = 5000
    lang: str = "id"
    use_screen: bool = True
    operating_point: str | None = None
    queue_limit: int = 20_000
    resume: bool = False
    force: bool = False


def threshold_of(bundle: Bundle, options: ScoreOptions) -> float:
    return (
        bundle.threshold_for(options.operating_point)
        if options.threshold is None
        else float(options.threshold)
    )


def operating_point_of(options: ScoreOptions) -> str:
    """The operating point the report names: the one asked for, "custom" for --threshold, else high."""
    return options.operating_point or ("custom" if options.threshold is not None else "high")
