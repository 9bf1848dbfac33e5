"""Defaults, resolved against the working directory (never the package location).

Every default can be overridden by a ``WASPADA_<NAME>`` environment variable, so batch jobs
can point at shared folders without repeating options.
"""

from __future__ import annotations

import os
from pathlib import Path

SEED = 20261128


def _path(env_name: str, default: str) -> Path:
    return Path(os.environ.get(env_name, default))


def models_dir() -> Path:
    return _path("WASPADA_MODELS", "models")


def labeled_dir() -> Path:
    return _path("WASPADA_LABELED", "data/labeled")


def validation_dir() -> Path:
    """The transfer validation: posts by writers whose hand is not in ``data/labeled``."""
    return _path("WASPADA_VALIDATION", "data/validation")


def raw_dir() -> Path:
    return _path("WASPADA_RAW", "data/raw")


def review_db_url() -> str:
    return os.environ.get("WASPADA_REVIEW_DB", "sqlite:///data/review/review.sqlite")


def history_db_url() -> str:
    """Where runs are recorded: the review store's database unless WASPADA_HISTORY_DB says otherwise."""
    return os.environ.get("WASPADA_HISTORY_DB") or review_db_url()


def trends_dir() -> Path:
    """The folder `waspada trends` writes to by default and the desk's Tren page reads."""
    return _path("WASPADA_TRENDS_DIR", "runs/trends")


def shared_data_dir() -> Path:
    return _path("WASPADA_SHARED_DATA", "../shared/data")
