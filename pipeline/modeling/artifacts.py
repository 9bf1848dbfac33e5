"""Model bundles on disk: ``models/<model_id>/`` with the model, a manifest, metrics and a card.

Model files can execute code when unpickled, so Waspada writes them with ``skops.io`` and, on
load, refuses any file whose hash differs from its manifest or that contains a type outside the
allow-list below. ``models/CURRENT`` is a plain text file naming the current model.
"""

from __future__ import annotations

import json
import platform
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import skops.io as sio

from pipeline.errors import ModelError
from pipeline.fileio import atomic_path, sha256_file, write_json, write_text
from pipeline.modeling.model import WaspadaModel

MODEL_FILE = "model.skops"
MANIFEST_FILE = "manifest.json"
CURRENT_FILE = "CURRENT"

# Every type a Waspada model file may contain. Anything else in a file means it was not written
# by Waspada (or was tampered with) and it is not loaded.
ALLOWED_TYPES: frozenset[str] = frozenset({
    "pipeline.features.WaspadaFeatures",
    "pipeline.modeling.calibration.PlattCalibrated",
    "pipeline.modeling.screen.Screen",
    "pipeline.hashgrams.HashedNgrams",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.svm._classes.LinearSVC",
    "sklearn.dummy.DummyClassifier",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn.model_selection._split.GroupKFold",
    "sklearn.model_selection._split.StratifiedGroupKFold",
    "sklearn.linear_model._stochastic_gradient.SGDClassifier",
    "numpy.float32",
    "numpy.float64",
    "numpy.int64",
    "numpy.int32",
    "numpy.ndarray",
    "numpy.dtype",
    "builtins.slice",
    "builtins.tuple",
    "collections.OrderedDict",
    "scipy.sparse._csr.csr_matrix",
})


@dataclass
class Bundle:
    model: WaspadaModel
    manifest: dict[str, Any]
    path: Path

    @property
    def model_id(self) -> str:
        return self.manifest["model_id"]

    @property
    def threshold(self) -> float:
        return float(self.manifest["threshold"])

    @property
    def operating_points(self) -> dict[str, float]:
        return {name: float(value) for name, value in self.manifest.get("operating_points", {}).items()}

    def threshold_for(self, operating_point: str | None) -> float:
        """The threshold of a named operating point (``high``, ``watch``); None gives the default."""
        if operating_point is None:
            return self.threshold
        points = self.operating_points
        if operating_point not in points:
            raise ModelError(f"Model {self.model_id} has no operating point {operating_point!r}.",
                             f"Choose one of: {', '.join(points) or 'none (retrain the model)'}.")
        return points[operating_point]


def code_digest() -> str:
    """Hash of the package's source and lexicons: a model id changes when the text layer does."""
    import hashlib

    import pipeline

    root = Path(pipeline.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".tsv") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in ("waspada", "scikit-learn", "numpy", "scipy", "pandas", "nltk", "skops", "ftfy"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "unknown"
    return versions


def save_bundle(model: WaspadaModel, directory: Path, manifest: dict[str, Any], extra_files: dict[str, str] | None = None) -> Path:
    """Write the model file first, then the manifest that vouches for its hash."""
    directory.mkdir(parents=True, exist_ok=True)
    model_path = directory / MODEL_FILE
    with atomic_path(model_path) as tmp:
        sio.dump(model.to_state(), tmp)
    manifest = dict(manifest)
    manifest["model_file"] = MODEL_FILE
    manifest["model_sha256"] = sha256_file(model_path)
    manifest["versions"] = library_versions()
    for name, content in (extra_files or {}).items():
        write_text(directory / name, content)
    write_json(directory / MANIFEST_FILE, manifest)
    return directory


def load_bundle(directory: Path) -> Bundle:
    directory = Path(directory)
    manifest_path = directory / MANIFEST_FILE
    if not manifest_path.is_file():
        raise ModelError(
            f"No model manifest found in {directory}.",
            "Train a model with `waspada train --promote`, or pass --model models/<model_id>.",
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ModelError(f"The manifest {manifest_path} is not valid JSON ({exc}).", "Retrain the model.") from exc
    model_path = directory / manifest.get("model_file", MODEL_FILE)
    if not model_path.is_file():
        raise ModelError(f"The model file {model_path} is missing.", "Retrain the model with `waspada train`.")
    actual = sha256_file(model_path)
    if actual != manifest.get("model_sha256"):
        raise ModelError(
            f"The model file {model_path} does not match its manifest (sha256 {actual[:12]}… "
            f"expected {str(manifest.get('model_sha256'))[:12]}…). It was changed after training and is not loaded.",
            "Use a model bundle written by `waspada train`, or retrain.",
        )
    try:
        untrusted = set(sio.get_untrusted_types(file=model_path))
    except Exception as exc:  # a crafted file may not even parse
        raise ModelError(f"The model file {model_path} cannot be read safely ({exc}).", "Retrain the model.") from exc
    unexpected = sorted(untrusted - ALLOWED_TYPES)
    if unexpected:
        raise ModelError(
            f"The model file {model_path} contains types Waspada never writes: {', '.join(unexpected[:5])}. It is not loaded.",
            "Only load model bundles written by `waspada train`.",
        )
    state = sio.load(model_path, trusted=sorted(untrusted))
    return Bundle(WaspadaModel.from_state(state), manifest, directory)


def current_model_dir(models_dir: Path) -> Path:
    pointer = models_dir / CURRENT_FILE
    if not pointer.is_file():
        raise ModelError(
            f"No current model: {pointer} does not exist.",
            "Train and promote one with `waspada train --promote` (or run `make demo`), or pass --model DIR.",
        )
    model_id = pointer.read_text(encoding="utf-8").strip()
    return models_dir / model_id


def promote(models_dir: Path, model_id: str) -> None:
    write_text(models_dir / CURRENT_FILE, model_id + "\n")


def resolve_model(model: Path | None, models_dir: Path) -> Bundle:
    return load_bundle(model if model is not None else current_model_dir(models_dir))
