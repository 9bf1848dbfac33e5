"""Model bundles on disk: ``models/<model_id>/`` with the model, a manifest, metrics and a card.

Model files can execute code when unpickled, so Waspada writes them with ``skops.io`` and, on
load, refuses any file whose hash differs from its manifest or that contains a type outside the
allow-list below. ``models/CURRENT`` is a plain text file naming the current model.

Beside the skops file, the canonical trained model, a bundle holds its compiled form
(``compiled.npz``, see ``pipeline.modeling.compiled``): arrays and JSON only, checked against its
own hash in the manifest. Scoring and explaining load that one (``load_compiled_bundle``,
``resolve_model``), so they never import skops or scikit-learn, which costs seconds; skops is
imported only by the functions that read or write the skops file.

A bundle is written whole in a temporary folder and moved into place, and ``CURRENT`` is only
written for a bundle whose file matches its manifest, both under the models folder's lock
(``models/.waspada.lock``): two trainings at once never mix one's model file with the other's
manifest, and ``CURRENT`` never names a bundle that would be refused on load.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import platform
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline.errors import ModelError, OutputExistsError
from pipeline.fileio import (
    atomic_path,
    current_umask,
    exclusive_lock,
    sha256_file,
    write_json,
    write_text,
)
from pipeline.modeling.compiled import CompiledModel, compile_model, from_bytes
from pipeline.modeling.model import WaspadaModel

log = logging.getLogger(__name__)

MODEL_FILE = "model.skops"
COMPILED_FILE = "compiled.npz"
MANIFEST_FILE = "manifest.json"
CURRENT_FILE = "CURRENT"
LOCK_FILE = ".waspada.lock"
# Holding the lock takes a rename or a hash check, so a second writer waits rather than fails.
LOCK_WAIT_SECONDS = 60.0

# Every type a Waspada model file may contain. Anything else in a file means it was not written
# by Waspada (or was tampered with) and it is not loaded. This list is the whole of what is
# trusted: skops' own default trust (which covers most of scikit-learn) is not relied on.
ALLOWED_TYPES: frozenset[str] = frozenset(
    {
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
        "builtins.dict",
        "builtins.list",
        "builtins.str",
        "builtins.int",
        "builtins.float",
        "builtins.bool",
        "collections.OrderedDict",
        "scipy.sparse._csr.csr_matrix",
    }
)


@dataclass
class Bundle:
    model: (
        WaspadaModel | CompiledModel
    )  # the trained model (load_bundle) or its compiled form (load_compiled_bundle)
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
        return {
            name: float(value) for name, value in self.manifest.get("operating_points", {}).items()
        }

    def threshold_for(self, operating_point: str | None) -> float:
        """The threshold of a named operating point (``high``, ``watch``); None gives the default."""
        if operating_point is None:
            return self.threshold
        points = self.operating_points
        if operating_point not in points:
            raise ModelError(
                f"Model {self.model_id} has no operating point {operating_point!r}.",
                f"Choose one of: {', '.join(points) or 'none (retrain the model)'}.",
            )
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


@contextlib.contextmanager
def models_lock(models_dir: Path) -> Iterator[None]:
    """The models folder's lock: held while a bundle is moved into place or ``CURRENT`` written."""
    with exclusive_lock(
        Path(models_dir) / LOCK_FILE,
        f"The models folder {models_dir}",
        "Another training or promotion is finishing; run the command again in a minute.",
        wait=LOCK_WAIT_SECONDS,
    ):
        yield


def save_bundle(
    model: WaspadaModel,
    directory: Path,
    manifest: dict[str, Any],
    extra_files: dict[str, str] | None = None,
    replace: bool = False,
) -> Path:
    """Write the bundle in a private temporary folder (the model file and its compiled form first,
    then the manifest that vouches for their hashes) and move the whole folder to ``directory``
    under the models lock.

    An existing ``directory`` is replaced only with ``replace``; otherwise OutputExistsError.
    """
    import skops.io as sio

    directory = Path(directory)
    parent = directory.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".tmp", dir=parent))
    try:
        os.chmod(
            staging, 0o777 & ~current_umask()
        )  # mkdtemp makes 0700; a bundle is shared like any folder
        model_path = staging / MODEL_FILE
        with atomic_path(model_path) as tmp:
            sio.dump(model.to_state(), tmp)
        compiled = compile_model(model).to_bytes()
        with atomic_path(staging / COMPILED_FILE) as tmp:
            Path(tmp).write_bytes(compiled)
        manifest = dict(manifest)
        manifest["model_file"] = MODEL_FILE
        manifest["model_sha256"] = sha256_file(model_path)
        manifest["compiled_file"] = COMPILED_FILE
        manifest["compiled_sha256"] = hashlib.sha256(compiled).hexdigest()
        manifest["versions"] = library_versions()
        for name, content in (extra_files or {}).items():
            write_text(staging / name, content)
        write_json(staging / MANIFEST_FILE, manifest)
        with models_lock(parent):
            if directory.exists():
                if not replace:
                    raise OutputExistsError(
                        f"The model bundle {directory} already exists (another training may just have written it).",
                        "Pass --force to rebuild it, or use the existing one: `waspada models promote "
                        f"{directory.name}`.",
                    )
                retired = Path(
                    tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".old", dir=parent)
                )
                os.replace(directory, retired / "bundle")
                os.replace(staging, directory)
                shutil.rmtree(retired, ignore_errors=True)
            else:
                os.replace(staging, directory)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return directory


_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_MODEL_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def check_manifest(manifest: Any, manifest_path: Path) -> dict[str, Any]:
    """The manifest, if it holds what loading and scoring rely on; else a ModelError naming the field.

    The threshold must be a finite number in [0, 1] (``NaN`` would flag nothing and make the
    report invalid JSON), the model file a plain name inside the bundle, the hash a sha256; the
    same for the compiled file, which bundles written before it existed do not name.
    """

    def bad(detail: str) -> ModelError:
        return ModelError(
            f"The manifest {manifest_path} is not usable: {detail}.",
            "Use a model bundle written by `waspada train`, or retrain.",
        )

    if not isinstance(manifest, dict):
        raise bad("it is not a JSON object")
    missing = [key for key in ("model_id", "threshold", "model_sha256") if key not in manifest]
    if missing:
        raise bad(f"missing {', '.join(missing)}")
    if not isinstance(manifest["model_id"], str) or not _MODEL_ID_RE.fullmatch(
        manifest["model_id"]
    ):
        raise bad(f"model_id {manifest['model_id']!r} is not a model id")
    threshold = manifest["threshold"]
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float)
        or not math.isfinite(threshold)
        or not 0 <= threshold <= 1
    ):
        raise bad(f"threshold {threshold!r} is not a number between 0 and 1")
    if not isinstance(manifest["model_sha256"], str) or not _SHA256_RE.fullmatch(
        manifest["model_sha256"]
    ):
        raise bad("model_sha256 is not a sha256 digest")
    model_file = manifest.get("model_file", MODEL_FILE)
    if not _plain_name(model_file):
        raise bad(f"model_file {model_file!r} is not a file name inside the bundle")
    if "compiled_file" in manifest or "compiled_sha256" in manifest:
        if not isinstance(manifest.get("compiled_sha256"), str) or not _SHA256_RE.fullmatch(
            manifest["compiled_sha256"]
        ):
            raise bad("compiled_sha256 is not a sha256 digest")
        if (
            not _plain_name(manifest.get("compiled_file"))
            or manifest["compiled_file"] == model_file
        ):
            raise bad(
                f"compiled_file {manifest.get('compiled_file')!r} is not a file name inside the bundle"
            )
    return manifest


def _plain_name(name: Any) -> bool:
    return isinstance(name, str) and Path(name).name == name and name not in ("", ".", "..")


def model_file_types(model_path: Path) -> set[str]:
    """Every type named in a skops file, read from its schema (the file format's ``schema.json``)
    without loading anything: the allow-list is checked against all of them, not only against
    the ones skops would not trust by itself."""
    types: set[str] = set()
    with zipfile.ZipFile(model_path) as archive:
        schema = json.loads(archive.read("schema.json"))
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__class__" in node or "__module__" in node:
                types.add(f"{node.get('__module__')}.{node.get('__class__')}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return types


def read_manifest(directory: Path) -> dict[str, Any]:
    """The bundle's manifest, checked by ``check_manifest``; ModelError if absent or unusable."""
    manifest_path = Path(directory) / MANIFEST_FILE
    if not manifest_path.is_file():
        raise ModelError(
            f"No model manifest found in {directory}.",
            "Train a model with `waspada train --promote`, or pass --model models/<model_id>.",
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise ModelError(
            f"The manifest {manifest_path} is not valid JSON ({exc}).", "Retrain the model."
        ) from exc
    return check_manifest(manifest, manifest_path)


def _check_hash(path: Path, actual: str, expected: str) -> None:
    if actual != expected:
        raise ModelError(
            f"The model file {path} does not match its manifest (sha256 {actual[:12]}… "
            f"expected {str(expected)[:12]}…). It was changed after training and is not loaded.",
            "Use a model bundle written by `waspada train`, or retrain.",
        )


def _compiled_bytes(directory: Path, manifest: dict[str, Any]) -> bytes:
    """The compiled file's content, read once and checked against the manifest's hash (so the
    bytes loaded are the bytes checked)."""
    path = Path(directory) / manifest["compiled_file"]
    if not path.is_file():
        raise ModelError(
            f"The compiled model file {path} is missing.", "Retrain the model with `waspada train`."
        )
    data = path.read_bytes()
    _check_hash(path, hashlib.sha256(data).hexdigest(), manifest["compiled_sha256"])
    return data


def verify_bundle(directory: Path) -> tuple[dict[str, Any], Path, set[str]]:
    """Check a bundle without loading its model: a usable manifest, a model file (and compiled
    file, if the manifest names one) whose sha256 is the manifest's, and no type outside the
    allow-list. Returns the manifest, the model file and the types skops asks to trust; raises
    ModelError saying what is wrong."""
    import skops.io as sio

    directory = Path(directory)
    manifest = read_manifest(directory)
    model_path = directory / manifest.get("model_file", MODEL_FILE)
    if not model_path.is_file():
        raise ModelError(
            f"The model file {model_path} is missing.", "Retrain the model with `waspada train`."
        )
    _check_hash(model_path, sha256_file(model_path), manifest["model_sha256"])
    if "compiled_file" in manifest:
        _compiled_bytes(directory, manifest)
    try:
        untrusted = set(sio.get_untrusted_types(file=model_path))
        named = model_file_types(model_path)
    except Exception as exc:  # a crafted file may not even parse
        raise ModelError(
            f"The model file {model_path} cannot be read safely ({exc}).", "Retrain the model."
        ) from exc
    unexpected = sorted((untrusted | named) - ALLOWED_TYPES)
    if unexpected:
        raise ModelError(
            f"The model file {model_path} contains types Waspada never writes: {', '.join(unexpected[:5])}. It is not loaded.",
            "Only load model bundles written by `waspada train`.",
        )
    return manifest, model_path, untrusted


def load_bundle(directory: Path) -> Bundle:
    """The bundle with its trained model read from the skops file (training, the model card,
    ablations, analysts). Scoring uses ``load_compiled_bundle``."""
    import skops.io as sio

    from pipeline.features import WaspadaFeatures

    directory = Path(directory)
    manifest, model_path, untrusted = verify_bundle(directory)
    try:
        state = sio.load(model_path, trusted=sorted(untrusted))
        model = WaspadaModel.from_state(state)
    except Exception as exc:  # allowed types in a shape Waspada never writes
        raise ModelError(
            f"The model file {model_path} does not hold a Waspada model ({type(exc).__name__}: {exc}).",
            "Use a model bundle written by `waspada train`, or retrain.",
        ) from exc
    if not (isinstance(model.features, WaspadaFeatures) and hasattr(model.risk, "predict_proba")):
        raise ModelError(
            f"The model file {model_path} does not hold a Waspada model.",
            "Use a model bundle written by `waspada train`, or retrain.",
        )
    return Bundle(model, manifest, directory)


def load_compiled_bundle(directory: Path) -> Bundle:
    """The bundle with the compiled model scoring uses: the compiled file, checked against its
    hash in the manifest and read as arrays and JSON, without skops or scikit-learn.

    A bundle written before compiled files existed is compiled here from its skops file, after
    ``load_bundle`` has checked that file as always; it scores the same, only its loading is as
    slow as before (retraining writes the compiled file).
    """
    directory = Path(directory)
    manifest = read_manifest(directory)
    if "compiled_file" not in manifest:
        log.warning(
            "Model %s has no compiled file; compiling it from %s (slow). Retrain it with "
            "`waspada train --promote` to load it in a fraction of the time.",
            manifest["model_id"],
            MODEL_FILE,
        )
        trained = load_bundle(directory)
        if not isinstance(trained.model, WaspadaModel):
            raise ModelError(
                f"The model file in {directory} does not hold a trained Waspada model.",
                "Retrain the model with `waspada train --promote`.",
            )
        try:
            return Bundle(compile_model(trained.model), trained.manifest, directory)
        except (TypeError, ValueError) as exc:
            raise ModelError(
                f"The model in {directory} cannot be compiled for scoring ({exc}).",
                "Retrain the model with `waspada train --promote`.",
            ) from exc
    data = _compiled_bytes(directory, manifest)
    try:
        model = from_bytes(data)
    except Exception as exc:  # a file of the right hash in a shape Waspada never writes
        raise ModelError(
            f"The compiled model file {directory / manifest['compiled_file']} does not hold a Waspada model "
            f"({type(exc).__name__}: {exc}).",
            "Use a model bundle written by `waspada train`, or retrain.",
        ) from exc
    return Bundle(model, manifest, directory)


def current_model_dir(models_dir: Path) -> Path:
    pointer = models_dir / CURRENT_FILE
    if not pointer.is_file():
        raise ModelError(
            f"No current model: {pointer} does not exist.",
            "Train and promote one with `waspada train --promote` (or run `make demo`), or pass --model DIR.",
        )
    model_id = pointer.read_text(encoding="utf-8").strip()
    return models_dir / model_id


def promote(models_dir: Path, model_id: str) -> Path:
    """Make ``model_id`` the current model, if its bundle passes ``verify_bundle``; the check and
    the pointer's write happen under the models lock, so no one replaces the bundle in between."""
    models_dir = Path(models_dir)
    if not _MODEL_ID_RE.fullmatch(model_id) or not (models_dir / model_id).is_dir():
        raise ModelError(
            f"No model {model_id!r} in {models_dir}.", "List the models with `waspada models list`."
        )
    with models_lock(models_dir):
        manifest, _, _ = verify_bundle(models_dir / model_id)
        if manifest["model_id"] != model_id:
            raise ModelError(
                f"The bundle {models_dir / model_id} holds model {manifest['model_id']}, not {model_id}.",
                "Promote a bundle written by `waspada train` under its own name.",
            )
        write_text(models_dir / CURRENT_FILE, model_id + "\n")
    return models_dir / model_id


def list_bundles(models_dir: Path) -> list[dict[str, Any]]:
    """Every model bundle in ``models_dir``, newest first, each checked with ``verify_bundle``
    (``problem`` says why one would be refused) and marked if it is the current one."""
    models_dir = Path(models_dir)
    pointer = models_dir / CURRENT_FILE
    current = pointer.read_text(encoding="utf-8").strip() if pointer.is_file() else None
    rows = []
    for path in sorted(models_dir.iterdir()) if models_dir.is_dir() else []:
        if not path.is_dir() or path.name.startswith(".") or not (path / MANIFEST_FILE).exists():
            continue
        row: dict[str, Any] = {
            "model_id": path.name,
            "current": path.name == current,
            "path": str(path),
            "saved": datetime.fromtimestamp((path / MANIFEST_FILE).stat().st_mtime).isoformat(
                timespec="seconds"
            ),
        }
        try:
            manifest, _, _ = verify_bundle(path)
            row.update(
                selected=manifest.get("selected_candidate"),
                threshold=float(manifest["threshold"]),
                problem=None,
            )
            if manifest["model_id"] != path.name:
                row["problem"] = f"its manifest names another model ({manifest['model_id']})"
        except ModelError as exc:
            row.update(selected=None, threshold=None, problem=exc.message)
        rows.append(row)
    rows.sort(key=lambda r: r["saved"], reverse=True)
    return rows


def resolve_model(model: Path | None, models_dir: Path) -> Bundle:
    """The bundle the commands score with (``--model DIR``, else the current one), compiled."""
    return load_compiled_bundle(model if model is not None else current_model_dir(models_dir))
