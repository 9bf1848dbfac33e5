"""The batch job: stream collected posts through the model and write the outputs atomically.

Input is read as one accounted stream (every record a post, a duplicate, a skip or a quarantine
entry) in chunks of records. Worker processes (``--jobs``) each load the model once and turn a
chunk into a part file (scored rows and MinHash signatures); the main process records which
chunks are finished, so ``--resume`` continues after the last finished chunk. Final outputs
(scored.csv, review_queue.csv, quarantine.csv, duplicates.csv, skipped.csv, report.json) are
assembled from the parts only at the end, each through a temporary file and a rename.

Memory stays flat as collections grow: what is kept per post is a few bytes in NumPy arrays
(two 64-bit keys and a row number for duplicate detection); everything else lives in the part
files until it is streamed out.

- ``engine``: chunks, worker processes, resume and the output lock (the local engine);
- ``worker``: what a worker does with one chunk;
- ``parts``: the part files, their paths, writing, reading and counting them;
- ``resume``: whether an interrupted run may be continued;
- ``assemble``: the final outputs and the report.

The Dask engine (:mod:`pipeline.distributed`) writes the same parts through ``parts`` and
assembles them with ``assemble``.
"""

from pipeline.scoring.assemble import OUTPUT_FILES, STAGES, finish, screen_report
from pipeline.scoring.engine import LOCK_FILE, check_outputs, output_lock, score_collection
from pipeline.scoring.options import ScoreOptions, threshold_of
from pipeline.scoring.parts import PARTS_DIR, STATE_FILE, ChunkSummary, Totals
from pipeline.scoring.worker import ChunkScorer

__all__ = [
    "LOCK_FILE",
    "OUTPUT_FILES",
    "PARTS_DIR",
    "STAGES",
    "STATE_FILE",
    "ChunkScorer",
    "ChunkSummary",
    "ScoreOptions",
    "Totals",
    "check_outputs",
    "finish",
    "output_lock",
    "score_collection",
    "screen_report",
    "threshold_of",
]
