"""Model bundles: reproducible, verified on load, and never a way to run someone else's code."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio

from pipeline.datacard import counts_block, load_corpus
from pipeline.errors import ModelError
from pipeline.modeling.artifacts import MANIFEST_FILE, MODEL_FILE, current_model_dir, load_bundle
from pipeline.modeling.predict import Scorer
from pipeline.modeling.thresholds import threshold_for_budget, threshold_for_recall

ROOT = Path(__file__).resolve().parents[1]


def _copy_bundle(models_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "bundle"
    shutil.copytree(current_model_dir(models_dir), target)
    return target


def test_manifest_records_what_reproduces_the_model(bundle):
    manifest = bundle.manifest
    for key in (
        "model_id",
        "threshold",
        "seed",
        "config",
        "labeled_data",
        "versions",
        "model_sha256",
        "threshold_rule",
    ):
        assert key in manifest
    assert manifest["labeled_data"]["sha256"]
    assert manifest["versions"]["scikit-learn"]
    assert 0.0 < bundle.threshold < 1.0


def test_a_changed_model_file_is_refused(models_dir, tmp_path):
    copy = _copy_bundle(models_dir, tmp_path)
    with open(copy / MODEL_FILE, "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelError, match="does not match its manifest"):
        load_bundle(copy)


class Payload:
    """A type Waspada never writes; loading it must be refused before it can run."""


def test_a_crafted_model_with_foreign_types_is_refused(models_dir, tmp_path):
    copy = _copy_bundle(models_dir, tmp_path)
    sio.dump({"features": Payload(), "risk": None, "category": None}, copy / MODEL_FILE)
    manifest = json.loads((copy / MANIFEST_FILE).read_text())
    from pipeline.fileio import sha256_file

    manifest["model_sha256"] = sha256_file(
        copy / MODEL_FILE
    )  # an attacker can rewrite the manifest too
    (copy / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="types Waspada never writes"):
        load_bundle(copy)


def test_a_pickle_renamed_as_a_model_is_refused(models_dir, tmp_path):
    copy = _copy_bundle(models_dir, tmp_path)
    (copy / MODEL_FILE).write_bytes(b"\x80\x04\x95garbage pickle")
    manifest = json.loads((copy / MANIFEST_FILE).read_text())
    from pipeline.fileio import sha256_file

    manifest["model_sha256"] = sha256_file(copy / MODEL_FILE)
    (copy / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(ModelError):
        load_bundle(copy)
    assert zipfile.is_zipfile(current_model_dir(models_dir) / MODEL_FILE)


def test_missing_bundle_says_how_to_train(tmp_path):
    with pytest.raises(ModelError, match="waspada train"):
        load_bundle(tmp_path)


def test_same_data_and_seed_give_the_same_model(tmp_path):
    from pipeline.modeling.train import TrainConfig, train

    small = load_corpus(ROOT / "data" / "labeled").groupby("label").head(60)
    path = tmp_path / "small.jsonl"
    small.to_json(path, orient="records", lines=True, force_ascii=False)
    config = TrainConfig(folds=3, candidates=("linear_svm",), baselines=False)
    first = train(path, tmp_path / "a", config)
    second = train(path, tmp_path / "b", config)
    assert first.model_id == second.model_id
    assert first.threshold == pytest.approx(second.threshold)
    assert first.cv == second.cv
    texts = ["Dicari admin Kamboja gaji 15jt", "Lowongan kasir Bekasi, kirim CV"]
    scores_a = [s.score for s in Scorer(load_bundle(first.path)).score_texts(texts)]
    scores_b = [s.score for s in Scorer(load_bundle(second.path)).score_texts(texts)]
    assert scores_a == pytest.approx(scores_b)


def test_threshold_for_recall_reaches_the_target():
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 1, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.4, 0.6, 0.2, 0.1, 0.3, 0.95, 0.05])
    threshold = threshold_for_recall(y, scores, 0.8)
    recall = ((scores >= threshold) & (y == 1)).sum() / y.sum()
    assert recall >= 0.8
    assert threshold == pytest.approx(0.7)


def test_threshold_for_budget_fits_the_daily_budget():
    rng = np.random.default_rng(0)
    y = np.r_[np.ones(200), np.zeros(800)].astype(int)
    scores = np.r_[rng.uniform(0.5, 1, 200), rng.uniform(0, 0.7, 800)]
    threshold = threshold_for_budget(
        y, scores, budget_per_day=60, posts_per_day=1000, prevalence=0.05
    )
    recall = (scores[y == 1] >= threshold).mean()
    fpr = (scores[y == 0] >= threshold).mean()
    assert 1000 * (0.05 * recall + 0.95 * fpr) <= 60
    assert threshold_for_budget(y, scores, 10_000, 1000, 0.05) == pytest.approx(scores.min())


def test_data_card_counts_match_the_labeled_files():
    card = (ROOT / "data" / "labeled" / "DATACARD.md").read_text(encoding="utf-8")
    assert counts_block(load_corpus(ROOT / "data" / "labeled")) in card, (
        "run `python -m pipeline.datacard`"
    )


def test_corpus_meets_its_size_and_mix():
    data = load_corpus(ROOT / "data" / "labeled")
    from pipeline.labeled import HARD_NEGATIVE_KINDS

    assert len(data) >= 2500
    assert (data["label"] != "benign").sum() >= 900
    assert data["kind"].isin(HARD_NEGATIVE_KINDS).sum() >= 600
    assert set(data["label"]) == {"tppo", "tppm", "benign"}


def _rewrite(copy: Path, state, **manifest_changes) -> None:
    from pipeline.fileio import sha256_file

    if state is not None:
        sio.dump(state, copy / MODEL_FILE)
    manifest = json.loads((copy / MANIFEST_FILE).read_text())
    manifest["model_sha256"] = sha256_file(copy / MODEL_FILE)
    for key, value in manifest_changes.items():
        if value is KeyError:
            manifest.pop(key)
        else:
            manifest[key] = value
    (copy / MANIFEST_FILE).write_text(json.dumps(manifest))


def test_scikit_learn_types_skops_trusts_are_refused_unless_listed(models_dir, tmp_path):
    from sklearn.neighbors import KNeighborsClassifier

    copy = _copy_bundle(models_dir, tmp_path)
    knn = KNeighborsClassifier().fit([[0.0], [1.0]], [0, 1])
    assert not sio.get_untrusted_types(data=sio.dumps(knn))  # skops itself would trust it
    _rewrite(copy, {"features": knn, "risk": knn, "category": knn})
    with pytest.raises(ModelError, match="KNeighborsClassifier"):
        load_bundle(copy)


def test_allowed_types_in_a_foreign_shape_are_a_model_error(models_dir, tmp_path):
    copy = _copy_bundle(models_dir, tmp_path)
    _rewrite(copy, {"features": "x", "risk": [1, 2], "category": None})
    with pytest.raises(ModelError, match="does not hold a Waspada model"):
        load_bundle(copy)


@pytest.mark.parametrize(
    "changes, detail",
    [
        ({"threshold": "abc"}, "threshold 'abc' is not a number"),
        ({"threshold": 2.0}, "threshold 2.0 is not a number"),
        ({"threshold": float("nan")}, "threshold nan is not a number"),
        ({"threshold": True}, "threshold True is not a number"),
        ({"threshold": KeyError}, "missing threshold"),
        ({"model_id": KeyError}, "missing model_id"),
        ({"model_id": "../../etc"}, "is not a model id"),
        ({"model_file": "../model.skops"}, "is not a file name inside the bundle"),
    ],
)
def test_a_manifest_that_cannot_be_relied_on_is_refused(models_dir, tmp_path, changes, detail):
    copy = _copy_bundle(models_dir, tmp_path)
    _rewrite(copy, None, **changes)
    with pytest.raises(ModelError) as info:
        load_bundle(copy)
    assert detail in info.value.message


def test_nan_threshold_on_the_command_line_is_a_usage_error(in_project, tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import main

    result = CliRunner().invoke(
        main, ["score", "data/raw", "--out", str(tmp_path / "o"), "--threshold", "nan"]
    )
    assert result.exit_code == 2 and "NaN" in result.output


def test_skops_is_required_at_a_fixed_version():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"skops>=0.12,<1"' in pyproject
