"""The compiled model scoring loads: the same numbers as the trained model, verified like the
model file, never a way to run code, and a scoring path that does not import scikit-learn."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer
from test_fast_scoring import TRICKY, _labeled_texts, assert_same_csr

from pipeline.errors import ModelError
from pipeline.feature_rows import Tfidf
from pipeline.indicators import analyse_many
from pipeline.modeling.artifacts import (
    COMPILED_FILE,
    MANIFEST_FILE,
    current_model_dir,
    load_bundle,
    load_compiled_bundle,
    promote,
    verify_bundle,
)
from pipeline.modeling.compiled import CompiledModel
from pipeline.modeling.explain import Explainer

ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def compiled(bundle):
    return load_compiled_bundle(bundle.path)


def _copy_bundle(models_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "models" / current_model_dir(models_dir).name
    shutil.copytree(current_model_dir(models_dir), target)
    return target


def _rewrite_manifest(copy: Path, **changes) -> None:
    manifest = json.loads((copy / MANIFEST_FILE).read_text())
    for key, value in changes.items():
        if value is KeyError:
            manifest.pop(key, None)
        else:
            manifest[key] = value
    (copy / MANIFEST_FILE).write_text(json.dumps(manifest))


def _assert_same_predictions(trained, compiled, texts: list[str]) -> None:
    analyses = analyse_many(texts)
    for use_screen in (True, False):
        expected = trained.predict(texts, analyses, use_screen=use_screen)
        actual = compiled.predict(texts, analyses, use_screen=use_screen)
        np.testing.assert_array_equal(actual.passed, expected.passed)
        np.testing.assert_allclose(
            actual.screen_scores, expected.screen_scores, rtol=0, atol=TOLERANCE
        )
        np.testing.assert_allclose(actual.scores, expected.scores, rtol=0, atol=TOLERANCE)
        np.testing.assert_allclose(
            actual.p_tppo_given_positive, expected.p_tppo_given_positive, rtol=0, atol=TOLERANCE
        )
        assert actual.categories == expected.categories
        assert_same_csr(actual.features, expected.features)
    np.testing.assert_array_equal(compiled.screen_decisions(texts), trained.screen_decisions(texts))
    np.testing.assert_array_equal(
        compiled.passes(compiled.screen_decisions(texts)),
        trained.passes(trained.screen_decisions(texts)),
    )
    # Explanations: the same weights per feature, so the same strong terms and indicator weights.
    np.testing.assert_allclose(
        compiled.linear_weights(), trained.linear_weights(), rtol=0, atol=TOLERANCE
    )
    ours, theirs = Explainer(compiled), Explainer(trained)
    assert list(ours.names) == list(theirs.names)
    assert ours.indicator_weight == pytest.approx(theirs.indicator_weight, abs=TOLERANCE)
    matrix = compiled.features.transform_analyses(analyses)
    for mine, reference in zip(ours.strong_terms(matrix), theirs.strong_terms(matrix), strict=True):
        assert [term for term, _ in mine] == [term for term, _ in reference]
        np.testing.assert_allclose(
            [w for _, w in mine], [w for _, w in reference], rtol=0, atol=TOLERANCE
        )


def test_compiled_model_predicts_a_sample_of_labeled_posts_as_the_trained_model(bundle, compiled):
    assert isinstance(compiled.model, CompiledModel)
    _assert_same_predictions(bundle.model, compiled.model, _labeled_texts()[::10] + TRICKY)


@pytest.mark.slow
def test_compiled_model_predicts_every_labeled_post_as_the_trained_model(bundle, compiled):
    _assert_same_predictions(bundle.model, compiled.model, _labeled_texts() + TRICKY)


def test_a_model_trained_on_one_crime_compiles_its_constant_category(bundle):
    from dataclasses import replace

    from sklearn.dummy import DummyClassifier

    from pipeline.modeling.compiled import compile_model, from_bytes

    matrix = sp.csr_matrix(
        (2, bundle.model.features.fitted_transform().n_features), dtype=np.float32
    )
    trained = replace(
        bundle.model,
        category=DummyClassifier(strategy="most_frequent").fit(matrix, ["tppm", "tppm"]),
    )
    compiled = from_bytes(compile_model(trained).to_bytes())
    assert compiled.category_classes() == ["tppm"]
    texts = ["Dicari admin Kamboja gaji 15jt, tiket ditanggung", "Lowongan kasir Bekasi, kirim CV"]
    analyses = analyse_many(texts)
    expected, actual = (
        trained.predict(texts, analyses, use_screen=False),
        compiled.predict(texts, analyses, use_screen=False),
    )
    assert actual.categories == expected.categories
    np.testing.assert_array_equal(actual.p_tppo_given_positive, expected.p_tppo_given_positive)


@pytest.mark.parametrize("sublinear_tf", [True, False])
@pytest.mark.parametrize("norm", ["l2", None])
@pytest.mark.parametrize("use_idf, smooth_idf", [(True, True), (True, False), (False, True)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tfidf_weighting_equals_scikit_learns_to_the_bit(
    sublinear_tf, norm, use_idf, smooth_idf, dtype
):
    rng = np.random.default_rng(7)
    rows = np.repeat(np.arange(300), 15)
    counts = sp.csr_matrix(
        (np.ones(len(rows), dtype=dtype), (rows, rng.integers(0, 500, size=len(rows)))),
        shape=(300, 500),
    )
    counts = sp.vstack(
        [counts, sp.csr_matrix((3, 500), dtype=dtype)], format="csr"
    )  # empty rows too
    fitted = TfidfTransformer(
        sublinear_tf=sublinear_tf, norm=norm, use_idf=use_idf, smooth_idf=smooth_idf
    ).fit(counts)
    expected = fitted.transform(counts.copy())
    actual = Tfidf(fitted.idf_ if use_idf else None, sublinear_tf, norm).transform(counts.copy())
    assert_same_csr(actual, sp.csr_matrix(expected))


def test_a_bundle_records_its_compiled_file_and_hash(bundle):
    manifest = bundle.manifest
    assert manifest["compiled_file"] == COMPILED_FILE
    data = (bundle.path / COMPILED_FILE).read_bytes()
    assert manifest["compiled_sha256"] == hashlib.sha256(data).hexdigest()


def test_a_changed_compiled_file_is_refused_by_every_loader_and_by_promote(models_dir, tmp_path):
    copy = _copy_bundle(models_dir, tmp_path)
    with open(copy / COMPILED_FILE, "ab") as handle:
        handle.write(b"\0")
    for check in (load_compiled_bundle, load_bundle, verify_bundle):
        with pytest.raises(ModelError, match="does not match its manifest"):
            check(copy)
    with pytest.raises(ModelError, match="does not match its manifest"):
        promote(copy.parent, copy.name)
    assert not (copy.parent / "CURRENT").exists()


class Payload:
    """Records that it was unpickled: loading a compiled file must never get that far."""

    def __reduce__(self):
        return (Path(os.environ["WASPADA_TEST_MARKER"]).touch, ())


def test_a_compiled_file_holding_a_pickle_is_refused_without_running_it(
    models_dir, tmp_path, monkeypatch
):
    marker = tmp_path / "ran"
    monkeypatch.setenv("WASPADA_TEST_MARKER", str(marker))
    copy = _copy_bundle(models_dir, tmp_path)
    np.savez(copy / COMPILED_FILE, params_json=np.array([Payload()], dtype=object))
    _rewrite_manifest(
        copy, compiled_sha256=hashlib.sha256((copy / COMPILED_FILE).read_bytes()).hexdigest()
    )
    with pytest.raises(ModelError, match="does not hold a Waspada model"):
        load_compiled_bundle(copy)
    assert not marker.exists()


def test_a_compiled_file_of_another_shape_is_a_model_error(models_dir, tmp_path):
    copy = _copy_bundle(models_dir, tmp_path)
    with np.load(copy / COMPILED_FILE, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["risk_coef"] = arrays["risk_coef"][:, :-1]
    np.savez(copy / COMPILED_FILE, **arrays)
    _rewrite_manifest(
        copy, compiled_sha256=hashlib.sha256((copy / COMPILED_FILE).read_bytes()).hexdigest()
    )
    with pytest.raises(ModelError, match="full model weights have shape"):
        load_compiled_bundle(copy)


@pytest.mark.parametrize(
    "changes, detail",
    [
        ({"compiled_sha256": "abc"}, "compiled_sha256 is not a sha256 digest"),
        ({"compiled_sha256": KeyError}, "compiled_sha256 is not a sha256 digest"),
        ({"compiled_file": "../compiled.npz"}, "is not a file name inside the bundle"),
        ({"compiled_file": "model.skops"}, "is not a file name inside the bundle"),
        ({"compiled_file": KeyError}, "is not a file name inside the bundle"),
    ],
)
def test_a_manifest_with_an_unusable_compiled_entry_is_refused(
    models_dir, tmp_path, changes, detail
):
    copy = _copy_bundle(models_dir, tmp_path)
    _rewrite_manifest(copy, **changes)
    for check in (load_compiled_bundle, load_bundle):
        with pytest.raises(ModelError) as info:
            check(copy)
        assert detail in info.value.message


def test_a_bundle_from_before_compiled_files_is_compiled_from_its_checked_model_file(
    models_dir, tmp_path, compiled, caplog
):
    copy = _copy_bundle(models_dir, tmp_path)
    (copy / COMPILED_FILE).unlink()
    _rewrite_manifest(copy, compiled_file=KeyError, compiled_sha256=KeyError)
    with caplog.at_level(logging.WARNING):
        old = load_compiled_bundle(copy)
    assert "waspada train --promote" in caplog.text
    assert isinstance(old.model, CompiledModel)
    texts = [
        "Dicari admin Kamboja gaji 15jt, tiket ditanggung",
        "Lowongan kasir Bekasi, kirim CV",
        *TRICKY,
    ]
    analyses = analyse_many(texts)
    np.testing.assert_array_equal(
        old.model.predict(texts, analyses).scores, compiled.model.predict(texts, analyses).scores
    )
    # and its model file is checked as always
    with open(copy / "model.skops", "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelError, match="does not match its manifest"):
        load_compiled_bundle(copy)


RUNTIME_CHECK = """
import sys
from pipeline.cli import main
import pipeline.modeling.explain_posts, pipeline.modeling.predict, pipeline.modeling.compiled
import pipeline.modeling.artifacts, pipeline.scoring, pipeline.review.suggest
loaded = [name for name in ("sklearn", "skops") if name in sys.modules]
assert not loaded, f"importing the scoring path imported {loaded}"
main(["explain", "Dicari admin K4mboja gaji 15jt, tiket ditanggung, WA 0812 3456 7890"], standalone_mode=False)
loaded = [name for name in ("sklearn", "skops") if name in sys.modules]
assert not loaded, f"explaining a post imported {loaded}"
"""


def test_the_scoring_path_never_imports_scikit_learn_or_skops(models_dir):
    env = {**os.environ, "WASPADA_MODELS": str(models_dir), "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", RUNTIME_CHECK],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Skor" in result.stdout
