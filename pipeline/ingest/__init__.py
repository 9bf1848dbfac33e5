"""Reading collected files of every supported format into canonical posts, losing nothing."""

from pipeline.ingest.core import IngestOptions, IngestResult, ingest, iter_outcomes

__all__ = ["IngestOptions", "IngestResult", "ingest", "iter_outcomes"]
