"""The model as scoring loads it: plain arrays and JSON, applied with NumPy and SciPy.

Train with scikit-learn, serve with NumPy. Every part of :class:`WaspadaModel` is linear (the
screen, the full model and its Platt calibration, the category), so scoring needs only their
weights, the IDF weights and the vocabulary. Reading the skops model file instead imports
scikit-learn whole, which costs seconds for a one-post ``waspada explain``.

The compiled file is an ``.npz`` of numeric arrays plus one array holding the small parameters
as UTF-8 JSON. It is read with ``allow_pickle=False``, so loading it can never run code. The
skops file stays the canonical trained artifact (model card, ablation, analysts); ``save_bundle``
writes both and the manifest vouches for both hashes.

Each operation repeats what scikit-learn computes for the same fitted attributes (same
products, same sums, ``scipy.special.expit``), so the compiled model's scores equal the trained
model's to the bit, which the tests check on the labeled posts.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from pipeline.feature_rows import FeatureTransform, Tfidf
from pipeline.modeling.model import TwoStage
from pipeline.ngramhash import NgramHasher

if TYPE_CHECKING:
    from pipeline.modeling.model import WaspadaModel

FORMAT = "waspada-compiled-1"
PARAMS = "params_json"  # the array holding the JSON parameters


@dataclass(frozen=True)
class Linear:
    """A fitted linear classifier's decision over two classes: scikit-learn's ``coef_``
    (1 × features) and ``intercept_`` (1,)."""

    coef: np.ndarray
    intercept: np.ndarray

    def decision(self, X) -> np.ndarray:
        # The product and sum of scikit-learn's linear ``decision_function``, in its order.
        return np.reshape(X @ self.coef.T + self.intercept, (-1,))

    def probability(self, X) -> np.ndarray:
        """P(second class), as a binary logistic regression's ``predict_proba`` gives it."""
        return expit(self.decision(X))


@dataclass(frozen=True)
class Category:
    """The crime a positive post is about: a binary logistic regression over ``classes``, or,
    when the labeled data held one crime only, the same probabilities for every post."""

    classes: tuple[str, ...]
    linear: Linear | None = None
    constant: np.ndarray | None = None

    def probabilities(self, matrix: sp.csr_matrix) -> np.ndarray:
        if self.linear is None:
            return np.tile(np.asarray(self.constant), (matrix.shape[0], 1))
        p = self.linear.probability(matrix)
        return np.stack([1 - p, p], axis=1)


@dataclass
class CompiledModel(TwoStage):
    """The two-stage model from arrays: the same decisions as the trained :class:`WaspadaModel`."""

    features: FeatureTransform
    risk: Linear  # the full model's decision
    risk_calibrator: Linear  # Platt scaling of that decision
    category: Category
    screen_hasher: NgramHasher
    screen_coef: np.ndarray
    screen_intercept: float
    screen_calibrator: Linear
    screen_threshold: float

    def screen_decisions(self, texts: Sequence[str]) -> np.ndarray:
        return self.screen_hasher.linear_scores(
            list(texts), self.screen_coef, self.screen_intercept
        )

    def screen_probabilities(self, decisions: np.ndarray) -> np.ndarray:
        return self.screen_calibrator.probability(np.asarray(decisions).reshape(-1, 1))

    def risk_probabilities(self, matrix: sp.csr_matrix) -> np.ndarray:
        return self.risk_calibrator.probability(self.risk.decision(matrix).reshape(-1, 1))

    def category_classes(self) -> list[str]:
        return list(self.category.classes)

    def category_probabilities(self, matrix: sp.csr_matrix) -> np.ndarray:
        return self.category.probabilities(matrix)

    def linear_weights(self) -> np.ndarray:
        """Per-feature weights of the full model's linear part, for explanations."""
        return np.asarray(self.risk.coef).ravel()

    def to_bytes(self) -> bytes:
        """The compiled file's content (see :func:`from_bytes`)."""
        f = self.features
        params = {
            "format": FORMAT,
            "word_vocabulary": sorted(f.word_vocabulary, key=f.word_vocabulary.__getitem__),
            "word_ngrams": list(f.word_ngrams),
            "word_tfidf": _tfidf_params(f.word_tfidf),
            "char_hasher": _hasher_params(f.char_hasher),
            "char_tfidf": _tfidf_params(f.char_tfidf),
            "use_indicators": f.use_indicators,
            "indicator_names": list(f.indicator_names),
            "indicator_weight": f.indicator_weight,
            "category_classes": list(self.category.classes),
            "screen_hasher": _hasher_params(self.screen_hasher),
            "screen_intercept": float(self.screen_intercept),
            "screen_threshold": float(self.screen_threshold),
        }
        arrays = {
            PARAMS: np.frombuffer(json.dumps(params).encode("utf-8"), dtype=np.uint8),
            "screen_coef": self.screen_coef,
        }
        for name, tfidf in (("word_idf", f.word_tfidf), ("char_idf", f.char_tfidf)):
            if tfidf.idf is not None:
                arrays[name] = tfidf.idf
        for name, linear in (
            ("risk", self.risk),
            ("risk_calibrator", self.risk_calibrator),
            ("screen_calibrator", self.screen_calibrator),
            ("category", self.category.linear),
        ):
            if linear is not None:
                arrays[f"{name}_coef"], arrays[f"{name}_intercept"] = linear.coef, linear.intercept
        if self.category.constant is not None:
            arrays["category_constant"] = self.category.constant
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)  # type: ignore[arg-type]  # numpy's stub matches **kwds against allow_pickle: bool
        return buffer.getvalue()


def from_bytes(data: bytes) -> CompiledModel:
    """A compiled model from the file's content; ValueError (or KeyError) if it is not one.

    Arrays are read with ``allow_pickle=False`` and parameters are JSON: nothing in the file is
    ever executed, whatever it holds.
    """
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    params = json.loads(arrays.pop(PARAMS).tobytes().decode("utf-8"))
    if not isinstance(params, dict) or params.get("format") != FORMAT:
        raise ValueError(f"not a compiled model of format {FORMAT}")
    for name, array in arrays.items():
        if array.dtype.kind != "f":
            raise ValueError(f"{name} holds {array.dtype} values, not numbers")

    def linear(name: str) -> Linear:
        return Linear(arrays[f"{name}_coef"], arrays[f"{name}_intercept"])

    vocabulary = {str(term): i for i, term in enumerate(params["word_vocabulary"])}
    features = FeatureTransform(
        word_vocabulary=vocabulary,
        word_ngrams=_pair(params["word_ngrams"]),
        word_tfidf=Tfidf(arrays.get("word_idf"), **params["word_tfidf"]),
        char_hasher=_hasher(params["char_hasher"]),
        char_tfidf=Tfidf(arrays.get("char_idf"), **params["char_tfidf"]),
        use_indicators=bool(params["use_indicators"]),
        indicator_names=tuple(str(name) for name in params["indicator_names"]),
        indicator_weight=float(params["indicator_weight"]),
    )
    category = Category(
        tuple(str(c) for c in params["category_classes"]),
        linear("category") if "category_coef" in arrays else None,
        arrays.get("category_constant"),
    )
    model = CompiledModel(
        features,
        linear("risk"),
        linear("risk_calibrator"),
        category,
        _hasher(params["screen_hasher"]),
        arrays["screen_coef"],
        float(params["screen_intercept"]),
        linear("screen_calibrator"),
        float(params["screen_threshold"]),
    )
    check_shapes(model)
    return model


def check_shapes(model: CompiledModel) -> None:
    """ValueError unless every array fits the model's features (a file that loads scores)."""
    f = model.features
    expected = {
        "word IDF": (f.word_tfidf.idf, (len(f.word_vocabulary),)),
        "character IDF": (f.char_tfidf.idf, (f.char_hasher.n_columns,)),
        "full model weights": (model.risk.coef, (1, f.n_features)),
        "full model intercept": (model.risk.intercept, (1,)),
        "screen weights": (model.screen_coef, (model.screen_hasher.n_columns,)),
    }
    for name, linear in (
        ("calibration", model.risk_calibrator),
        ("screen calibration", model.screen_calibrator),
    ):
        expected[f"{name} weights"] = (linear.coef, (1, 1))
        expected[f"{name} intercept"] = (linear.intercept, (1,))
    category = model.category
    if category.linear is not None:
        if len(category.classes) != 2:
            raise ValueError("a linear category needs two classes")
        expected["category weights"] = (category.linear.coef, (1, f.n_features))
        expected["category intercept"] = (category.linear.intercept, (1,))
    elif category.constant is None:
        raise ValueError("the category has neither weights nor constant probabilities")
    else:
        expected["category probabilities"] = (category.constant, (len(category.classes),))
    for name, (array, shape) in expected.items():
        if array is not None and array.shape != shape:
            raise ValueError(f"{name} have shape {array.shape}, expected {shape}")


def _tfidf_params(tfidf: Tfidf) -> dict:
    return {"sublinear_tf": tfidf.sublinear_tf, "norm": tfidf.norm}


def _hasher_params(hasher: NgramHasher) -> dict:
    return {
        "char_ngrams": list(hasher.char_ngrams),
        "word_ngrams": None if hasher.word_ngrams is None else list(hasher.word_ngrams),
        "bits": hasher.bits,
        "max_chars": hasher.max_chars,
    }


def _hasher(params: dict) -> NgramHasher:
    words = params["word_ngrams"]
    bits = int(params["bits"])
    if not 8 <= bits <= 26:
        raise ValueError(f"hash bits {bits} out of range")
    return NgramHasher(
        _pair(params["char_ngrams"]),
        None if words is None else _pair(words),
        bits,
        int(params["max_chars"]),
    )


def _pair(values: list) -> tuple[int, int]:
    low, high = (int(n) for n in values)
    return low, high


def compile_model(model: WaspadaModel) -> CompiledModel:
    """The compiled form of a trained model, from its parts' public fitted attributes.

    TypeError if a part is not linear; ValueError if the compiled model's probabilities differ
    from the trained model's on a probe (a scikit-learn release that computed them differently would be
    caught here, at training, not in a reviewer's queue).
    """
    # scikit-learn is imported only here, where a trained model (built from its classes) exists.
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.svm import LinearSVC

    from pipeline.modeling.calibration import PlattCalibrated

    def linear(estimator, what: str) -> Linear:
        if (
            not isinstance(estimator, LinearSVC | LogisticRegression | SGDClassifier)
            or np.shape(estimator.coef_)[0] != 1
        ):
            raise TypeError(
                f"The {what} is a {type(estimator).__name__}, not a linear classifier of two classes."
            )
        return Linear(np.array(estimator.coef_), np.array(estimator.intercept_))

    if not isinstance(model.risk, PlattCalibrated):
        raise TypeError(
            f"The full model is a {type(model.risk).__name__}, not a Platt-calibrated linear model."
        )
    features = model.features.fitted_transform()
    classes = tuple(str(c) for c in model.category.classes_)
    if isinstance(model.category, DummyClassifier):
        # It ignores the post: its probabilities for any row are its probabilities for every row.
        category = Category(
            classes,
            constant=np.array(
                model.category.predict_proba(sp.csr_matrix((1, features.n_features)))[0]
            ),
        )
    else:
        category = Category(classes, linear=linear(model.category, "category model"))
    screen = model.screen
    compiled = CompiledModel(
        features,
        linear(model.risk.estimator, "full model"),
        linear(model.risk.calibrator, "calibration"),
        category,
        screen.hasher(),
        np.array(screen.coef_),
        float(screen.intercept_),
        linear(model.screen_calibrator, "screen calibration"),
        float(model.screen_threshold),
    )
    check_shapes(compiled)
    _check_agrees(model, compiled)
    return compiled


def _check_agrees(model: WaspadaModel, compiled: CompiledModel, tolerance: float = 1e-9) -> None:
    rng = np.random.default_rng(0)
    n_features = compiled.features.n_features
    rows = np.repeat(np.arange(16), 64)
    columns = rng.integers(0, n_features, size=len(rows))
    probe = sp.csr_matrix(
        (rng.random(len(rows)).astype(np.float32), (rows, columns)), shape=(16, n_features)
    )
    decisions = np.linspace(-4.0, 4.0, 17)
    pairs = {
        "full model": (model.risk_probabilities(probe), compiled.risk_probabilities(probe)),
        "category": (model.category_probabilities(probe), compiled.category_probabilities(probe)),
        "screen calibration": (
            model.screen_probabilities(decisions),
            compiled.screen_probabilities(decisions),
        ),
    }
    for what, (trained, ours) in pairs.items():
        if np.shape(trained) != np.shape(ours) or not np.allclose(
            trained, ours, rtol=0.0, atol=tolerance
        ):
            raise ValueError(
                f"The compiled {what} does not reproduce the trained one's probabilities."
            )
