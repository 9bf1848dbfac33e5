"""Model bundles side by side: concurrent trainings never mix files, `waspada models list /
promote` choose among existing bundles, and only what changes the model changes its id."""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.errors import OutputExistsError
from pipeline.fileio import sha256_file
from pipeline.modeling import artifacts
from pipeline.modeling.artifacts import (
    CURRENT_FILE,
    MANIFEST_FILE,
    MODEL_FILE,
    current_model_dir,
    load_bundle,
    promote,
    save_bundle,
)
from pipeline.modeling.train import TrainConfig


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _other_model(bundle):
    """The session model with one weight changed: another model file under the same id."""
    other = copy.deepcopy(bundle.model)
    estimator = other.risk.estimator
    estimator.coef_ = np.asarray(estimator.coef_) * 1.01
    return other


def _manifest(bundle, model_id: str) -> dict:
    manifest = dict(bundle.manifest)
    manifest["model_id"] = model_id
    return manifest


@pytest.mark.parametrize("replace", [True, False])
def test_two_trainings_of_one_model_id_at_once_leave_a_loadable_current_model(
    bundle, tmp_path, monkeypatch, replace
):
    """The interleaving that broke it: A writes and hashes its model file, B writes its whole
    bundle and promotes it, then A writes its manifest and promotes."""
    models = tmp_path / "models"
    target = models / "waspada-same-id"
    b_done = threading.Event()
    real_write_json = artifacts.write_json

    def slow_for_a(path, payload):
        if threading.current_thread().name == "A" and Path(path).name == MANIFEST_FILE:
            assert b_done.wait(60)
        real_write_json(path, payload)

    monkeypatch.setattr(artifacts, "write_json", slow_for_a)
    errors: list[BaseException] = []

    def training(name: str, model) -> None:
        try:
            save_bundle(model, target, _manifest(bundle, target.name), replace=replace)
            promote(models, target.name)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            if name == "B":
                b_done.set()

    a = threading.Thread(target=training, args=("A", bundle.model), name="A")
    b = threading.Thread(target=training, args=("B", _other_model(bundle)), name="B")
    a.start()
    b.start()
    a.join(120)
    b.join(120)
    if replace:
        assert not errors
    else:  # the later one is told the bundle exists and how to use it
        assert len(errors) == 1 and isinstance(errors[0], OutputExistsError)
        assert "waspada models promote" in errors[0].hint
    current = load_bundle(current_model_dir(models))  # raised "does not match its manifest" before
    assert current.manifest["model_sha256"] == sha256_file(target / MODEL_FILE)
    assert not [p for p in models.iterdir() if p.name.endswith((".tmp", ".old"))]


@pytest.fixture()
def two_models(bundle, tmp_path):
    models = tmp_path / "models"
    for model_id in ("waspada-aaaa", "waspada-bbbb"):
        save_bundle(bundle.model, models / model_id, _manifest(bundle, model_id))
    promote(models, "waspada-aaaa")
    return models


def test_models_promote_switches_to_an_existing_bundle(two_models):
    result = run("models", "promote", "waspada-bbbb", "--models-dir", str(two_models))
    assert result.exit_code == 0, result.output
    assert (two_models / CURRENT_FILE).read_text().strip() == "waspada-bbbb"
    listing = run("models", "list", "--models-dir", str(two_models), "--json")
    rows = {row["model_id"]: row for row in json.loads(listing.output)}
    assert rows["waspada-bbbb"]["current"] and not rows["waspada-aaaa"]["current"]
    assert all(row["problem"] is None for row in rows.values())
    text = run("models", "list", "--models-dir", str(two_models)).output
    assert "* waspada-bbbb" in text and "  waspada-aaaa" in text


def test_models_promote_refuses_a_changed_bundle_and_keeps_the_current_one(two_models):
    with open(two_models / "waspada-bbbb" / MODEL_FILE, "ab") as handle:
        handle.write(b"\0")
    result = run("models", "promote", "waspada-bbbb", "--models-dir", str(two_models))
    assert result.exit_code == 1
    assert "does not match its manifest" in result.output
    assert (two_models / CURRENT_FILE).read_text().strip() == "waspada-aaaa"
    rows = {
        row["model_id"]: row
        for row in json.loads(
            run("models", "list", "--models-dir", str(two_models), "--json").output
        )
    }
    assert "does not match" in rows["waspada-bbbb"]["problem"]


@pytest.mark.parametrize(
    "model_id", ["waspada-cccc", "../waspada-aaaa", "", "waspada-aaaa/../waspada-aaaa"]
)
def test_models_promote_of_an_unknown_id_names_the_list_command(two_models, model_id):
    result = run("models", "promote", model_id, "--models-dir", str(two_models))
    assert result.exit_code == 1
    assert "waspada models list" in result.output
    assert (two_models / CURRENT_FILE).read_text().strip() == "waspada-aaaa"


def test_a_bundle_whose_manifest_names_another_model_is_not_promoted(two_models):
    (two_models / "waspada-aaaa").rename(two_models / "waspada-dddd")
    result = run("models", "promote", "waspada-dddd", "--models-dir", str(two_models))
    assert result.exit_code == 1
    assert "holds model waspada-aaaa" in result.output


def test_models_commands_have_help_with_an_example():
    for args in (["models"], ["models", "list"], ["models", "promote"]):
        result = run(*args, "--help")
        assert result.exit_code == 0 and "Example" in result.output


def test_processes_and_the_baseline_comparison_do_not_change_the_model_id():
    assert (
        TrainConfig(jobs=1, baselines=True).digest()
        == TrainConfig(jobs=4, baselines=False).digest()
    )
    assert TrainConfig(seed=1).digest() != TrainConfig(seed=2).digest()
    assert TrainConfig(folds=3).digest() != TrainConfig(folds=5).digest()
