"""Shared fixtures: a small model trained once per test session on the bundled labeled data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline import progress
from pipeline.modeling.artifacts import load_bundle
from pipeline.modeling.train import TrainConfig, train

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("WASPADA_SHARED_DATA", ROOT.parent / "shared" / "data"))

progress.set_enabled(False)


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    """A models folder holding one promoted model trained on data/labeled (fast settings)."""
    directory = tmp_path_factory.mktemp("models")
    config = TrainConfig(folds=3, candidates=("linear_svm",), baselines=False, jobs=1)
    train(ROOT / "data" / "labeled", directory, config, promote=True)
    return directory


@pytest.fixture(scope="session")
def bundle(models_dir):
    from pipeline.modeling.artifacts import current_model_dir

    return load_bundle(current_model_dir(models_dir))


@pytest.fixture()
def in_project(monkeypatch, models_dir):
    """Run CLI commands from the project root with the session model as the current one."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("WASPADA_MODELS", str(models_dir))
    return ROOT


def shared_data(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared evaluation data is not next to this checkout)")
    return path


@pytest.fixture(autouse=True)
def _own_stores(monkeypatch, tmp_path):
    """Commands that record runs (score, demo) write to a history and review store of the test's own."""
    monkeypatch.setenv("WASPADA_HISTORY_DB", f"sqlite:///{tmp_path / 'history.sqlite'}")
    monkeypatch.setenv("WASPADA_REVIEW_DB", f"sqlite:///{tmp_path / 'review.sqlite'}")
