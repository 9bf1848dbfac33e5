"""Reading collected files of every supported format into canonical posts, losing nothing."""

from pipeline.ingest.core import FileNote, IngestOptions, ReadTally
from pipeline.ingest.outcomes import Outcome, iter_outcomes
from pipeline.ingest.posts import IngestResult, ingest

__all__ = [
    "FileNote",
    "IngestOptions",
    "IngestResult",
    "Outcome",
    "ReadTally",
    "ingest",
    "iter_outcomes",
]
