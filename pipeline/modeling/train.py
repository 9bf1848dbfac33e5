"""Train: compare candidates by grouped cross-validation, calibrate, pick the threshold, save.

Every number that decides something (the selected candidate, the calibration, the threshold)
comes from out-of-fold predictions, where near-duplicate clusters never straddle a split.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC
from sklearn.utils import check_random_state

from pipeline import dedup, labeled, progress
from pipeline.errors import InputError, OutputExistsError
from pipeline.features import CountedFeatures, FeatureCounts, WaspadaFeatures
from pipeline.modeling import artifacts, baselines, card
from pipeline.modeling.augment import augment_texts, obfuscate
from pipeline.modeling.calibration import PlattCalibrated
from pipeline.modeling.metrics import binary_metrics
from pipeline.modeling.model import WaspadaModel
from pipeline.modeling.screen import MAX_SCREEN_LOSS, Screen, screen_threshold
from pipeline.modeling.stages import leave_one_source_out, ranking_summary, source_groups
from pipeline.modeling.thresholds import (
    DEFAULT_OPERATING_POINT,
    OPERATING_POINTS,
    threshold_for_budget,
    threshold_for_false_positive_rate,
    threshold_for_recall,
)
from pipeline.modeling.transfer import TransferSet, evaluate_transfer, load_transfer
from pipeline.parallel import analyse_parallel

log = logging.getLogger(__name__)

CANDIDATES = ("logreg", "linear_svm")
# Benign kinds that say nothing about trafficking; only these give short fragments as extra negatives.
ORDINARY_KINDS = frozenset(
    {
        "job_ad_social",
        "job_board_ad",
        "job_seeking",
        "everyday",
        "other_fraud",
        "ig_comment",
        "tweet_short",
        "chat_short",
        "sms_short",
        "comment_jobs_domestic",
    }
)
OBFUSCATION_SEED_OFFSET = 1_000_003
# Disguised recall is measured on at most this many disguised copies: past a few thousand the
# estimate is already within a point, and every copy costs a full analysis.
MAX_DISGUISED_COPIES = 5_000


@dataclass
class TrainConfig:
    seed: int = 20261128
    folds: int = 5
    target_recall: float = 0.90
    review_budget: int | None = None
    posts_per_day: int = 1000
    prevalence: float = 0.05
    candidates: tuple[str, ...] = CANDIDATES
    augment: bool = True
    baselines: bool = True
    logreg_c: float = 4.0
    svm_c: float = 0.5
    leave_one_source_out: bool = True
    # The indicator, structure and red-flag-step columns in the full model. Off: on the transfer
    # validation and leave-one-source-out they ranked new writing worse than the words and
    # characters alone (docs/ablation.md); the red flags stay the reviewers' reasons.
    indicator_features: bool = False
    jobs: int = 1

    def digest(self) -> str:
        """The settings' part of the model id. ``jobs`` (how many processes) and ``baselines``
        (whether the comparison includes them) do not change the model, so not its id either."""
        settings = {k: v for k, v in asdict(self).items() if k not in ("jobs", "baselines")}
        return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:8]


@dataclass
class TrainResult:
    model_id: str
    path: Path
    selected: str
    threshold: float
    cv: dict[str, dict]
    counts: dict[str, int]
    promoted: bool = False
    warnings: list[str] = field(default_factory=list)
    by_source: dict[str, dict] | None = None
    transfer: dict | None = None
    screen: dict | None = None


def make_classifier(name: str, config: TrainConfig):
    if name == "logreg":
        return LogisticRegression(
            C=config.logreg_c,
            class_weight="balanced",
            solver="liblinear",
            max_iter=5000,
            random_state=config.seed,
        )
    if name == "linear_svm":
        return LinearSVC(
            C=config.svm_c, class_weight="balanced", random_state=config.seed, max_iter=20000
        )
    raise ValueError(f"Unknown candidate {name!r}; choose from {', '.join(CANDIDATES)}.")


@dataclass
class _Prepared:
    """The labeled posts, their variants and disguised copies, counted once.

    ``counts`` holds one row per analysed text: the labeled posts first (row i is post i), then
    the augmented variants (row ``n_posts + j`` is variant j), then the disguised copies
    (``obfuscated_rows[i]`` is the row of post i's copy).
    """

    data: pd.DataFrame
    y: np.ndarray
    groups: np.ndarray
    aug_sources: np.ndarray
    aug_labels: np.ndarray
    splits: list[tuple[np.ndarray, np.ndarray]]
    obfuscated_rows: dict[int, int]
    obfuscated_texts: dict[int, str]
    counts: FeatureCounts
    texts: list[str]  # the text of every row of ``counts``
    loso_splits: list[tuple[np.ndarray, np.ndarray]] | None  # None: too few sources to hold one out
    screen_matrix: sp.csr_matrix | None = None  # the screen's features of every row, once counted

    @property
    def labels(self) -> np.ndarray:
        return self.data["label"].to_numpy()


def prepare(data: pd.DataFrame, config: TrainConfig) -> _Prepared:
    texts = data["text"].tolist()
    # A model without indicator columns reads only the normalised text: training skips the rest.
    normalise_only = not config.indicator_features
    analyses = analyse_parallel(
        texts,
        jobs=config.jobs,
        description="Analysing labeled posts",
        normalise_only=normalise_only,
    )
    y = data["label"].map(lambda label: int(label != "benign")).to_numpy()
    groups = dedup.cluster(dedup.cluster_texts(texts))
    augmented = (
        augment_texts(
            texts,
            data["label"].tolist(),
            seed=config.seed,
            kinds=data["kind"].tolist(),
            fragment_kinds=ORDINARY_KINDS,
        )
        if config.augment
        else []
    )
    aug_sources = np.array([source for source, _, _ in augmented], dtype=int)
    aug_analyses = analyse_parallel(
        [text for _, _, text in augmented],
        jobs=config.jobs,
        description="Analysing augmented posts",
        normalise_only=normalise_only,
    )
    aug_labels = data["label"].to_numpy()[aug_sources]
    n_splits = min(config.folds, int(min(np.bincount(y))))
    if n_splits < 2:
        raise InputError(
            "Too few labeled posts of one class to cross-validate.",
            "Label at least 10 posts of each class.",
        )
    splits = stratified_group_splits(y, groups, n_splits, config.seed)
    obfuscated_texts = obfuscated_positives(texts, y, config.seed + OBFUSCATION_SEED_OFFSET)
    keys = sorted(obfuscated_texts)
    obf_analyses = analyse_parallel(
        [obfuscated_texts[k] for k in keys],
        jobs=config.jobs,
        description="Analysing obfuscated checks",
        normalise_only=normalise_only,
    )
    with progress.bar("Counting features", total=1, unit="step") as step:
        counts = FeatureCounts(
            analyses + aug_analyses + obf_analyses,
            WaspadaFeatures(use_indicators=config.indicator_features),
            jobs=config.jobs,
        )
        step.update()
    first_obfuscated = len(analyses) + len(aug_analyses)
    obfuscated_rows = {key: first_obfuscated + i for i, key in enumerate(keys)}
    all_texts = texts + [text for _, _, text in augmented] + [obfuscated_texts[k] for k in keys]
    loso_splits = (
        leave_one_source_out(source_groups(data), groups, y)
        if config.leave_one_source_out
        else None
    )
    return _Prepared(
        data,
        y,
        groups,
        aug_sources,
        aug_labels,
        splits,
        obfuscated_rows,
        obfuscated_texts,
        counts,
        all_texts,
        loso_splits,
    )


def stratified_group_splits(
    y: np.ndarray, groups: np.ndarray, n_splits: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (train, test) indices of ``StratifiedGroupKFold(n_splits, shuffle=True,
    random_state=seed).split(X, y, groups)``, computed the same way step for step.

    scikit-learn scores each candidate fold for each group with NumPy calls on arrays of a few
    numbers, which takes seconds for tens of thousands of groups; the same arithmetic on Python
    floats, in the same order, gives the same folds in a fraction of the time.
    """
    y = np.asarray(y)
    _, y_inv, y_cnt = np.unique(y, return_inverse=True, return_counts=True)
    if np.all(n_splits > y_cnt):
        raise ValueError(
            f"n_splits={n_splits} cannot be greater than the number of members in each class."
        )
    _, groups_inv, groups_cnt = np.unique(groups, return_inverse=True, return_counts=True)
    n_groups, n_classes = len(groups_cnt), len(y_cnt)
    if n_splits > n_groups:
        raise ValueError(
            f"Cannot have number of splits n_splits={n_splits} greater than the number of groups: {n_groups}."
        )
    if n_classes >= 8:  # NumPy sums 8 or more values pairwise, in another order than _best_fold
        raise ValueError(f"At most 7 classes are supported, got {n_classes}.")
    y_counts_per_group = np.zeros((n_groups, n_classes))
    np.add.at(y_counts_per_group, (groups_inv.ravel(), y_inv.ravel()), 1)
    perm = np.arange(n_groups)
    check_random_state(seed).shuffle(perm)
    y_counts_per_group = y_counts_per_group[perm]
    inv_perm = np.empty_like(perm)
    inv_perm[perm] = np.arange(perm.size)
    groups_inv = inv_perm[groups_inv.ravel()]
    # Stable: groups with the same spread keep their shuffled order.
    sorted_groups_idx = np.argsort(-np.std(y_counts_per_group, axis=1), kind="stable")

    class_sizes = [float(c) for c in y_cnt]
    per_fold = [[0.0] * n_classes for _ in range(n_splits)]
    fold_of_group = np.empty(n_groups, dtype=np.int64)
    group_rows = y_counts_per_group.tolist()
    for group_idx in sorted_groups_idx.tolist():
        group_counts = group_rows[group_idx]
        fold = _best_fold(per_fold, class_sizes, group_counts)
        per_fold[fold] = [a + b for a, b in zip(per_fold[fold], group_counts, strict=True)]
        fold_of_group[group_idx] = fold
    fold_of_sample = fold_of_group[groups_inv]
    indices = np.arange(len(y))
    return [
        (indices[fold_of_sample != fold], indices[fold_of_sample == fold])
        for fold in range(n_splits)
    ]


def _best_fold(
    per_fold: list[list[float]], class_sizes: list[float], group_counts: list[float]
) -> int:
    """scikit-learn's ``StratifiedGroupKFold._find_best_fold``: the fold whose class shares stay
    most even with this group added; near-ties go to the smaller fold."""
    n_splits = len(per_fold)
    best_fold, min_eval, min_samples = 0, math.inf, math.inf
    for i in range(n_splits):
        stds = []
        for c, size in enumerate(class_sizes):
            # np.std over the folds of column c, with NumPy's order of operations.
            shares = [
                (row[c] + group_counts[c] if j == i else row[c]) / size
                for j, row in enumerate(per_fold)
            ]
            mean = 0.0
            for share in shares:
                mean += share
            mean /= n_splits
            spread = 0.0
            for share in shares:
                spread += (share - mean) * (share - mean)
            stds.append(math.sqrt(spread / n_splits))
        # np.mean over the classes (NumPy adds fewer than 8 values one after another).
        total = 0.0
        for std in stds:
            total += std
        fold_eval = total / len(stds)
        samples = 0.0
        for count in per_fold[i]:
            samples += count
        close = (
            math.isfinite(min_eval) and abs(fold_eval - min_eval) <= 1e-8 + 1e-5 * abs(min_eval)
        ) or fold_eval == min_eval
        if fold_eval < min_eval or (close and samples < min_samples):
            best_fold, min_eval, min_samples = i, fold_eval, samples
    return best_fold


def obfuscated_positives(
    texts: list[str], y: np.ndarray, seed: int, limit: int = MAX_DISGUISED_COPIES
) -> dict[int, str]:
    """A disguised copy of every positive post (of a seeded sample of ``limit`` of them when there
    are more), for measuring recall on evasive spelling.

    The copies are scored only by models whose training fold did not contain the original.
    """
    positives = np.flatnonzero(y == 1)
    if len(positives) > limit:
        positives = np.sort(np.random.default_rng(seed).choice(positives, limit, replace=False))
    rng = random.Random(seed)
    out = {}
    for index in positives:
        variant = obfuscate(texts[index], rng)
        if variant != texts[index]:
            out[int(index)] = variant
    return out


def training_rows(
    prepared: _Prepared, index: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Rows of ``prepared.counts`` to train on for a fold (the fold's posts, then the variants
    made from them), their 0/1 targets and their labels."""
    extra = np.flatnonzero(np.isin(prepared.aug_sources, index))
    rows = np.concatenate([index, len(prepared.y) + extra]).astype(np.int64)
    labels = np.concatenate([prepared.labels[index], prepared.aug_labels[extra]]).tolist()
    y = np.array([int(label != "benign") for label in labels])
    return rows, y, labels


def _fold(
    counts: FeatureCounts,
    candidates: tuple[str, ...],
    config: TrainConfig,
    train_rows: np.ndarray,
    y: np.ndarray,
    valid_rows: np.ndarray,
    obf_rows: np.ndarray,
):
    """One fold for every candidate: the features are fitted once (on the training rows only)
    and shared, because they are the same for all candidates."""
    fitted = counts.fit(train_rows)
    train_matrix = fitted.transform(train_rows)
    valid_matrix = fitted.transform(valid_rows)
    obf_matrix = fitted.transform(obf_rows) if len(obf_rows) else None
    results = {}
    for candidate in candidates:
        classifier = make_classifier(candidate, config).fit(train_matrix, y)
        obf_decisions = (
            classifier.decision_function(obf_matrix) if obf_matrix is not None else np.zeros(0)
        )
        results[candidate] = (classifier.decision_function(valid_matrix), obf_decisions)
    return results


def _risk_fit(
    counts: FeatureCounts, selected: str, config: TrainConfig, rows: np.ndarray, y: np.ndarray
):
    """The risk classifier fitted on ``rows`` (features fitted on the same rows)."""
    fitted = counts.fit(rows)
    return make_classifier(selected, config).fit(fitted.transform(rows), y)


def _category_fit(
    fitted: CountedFeatures, config: TrainConfig, rows: np.ndarray, y: np.ndarray, labels: list[str]
):
    """The tppo/tppm classifier, fitted on the positive posts and variants."""
    positive_rows = np.flatnonzero(y == 1)
    positive_labels = [labels[i] for i in positive_rows]
    # Only one crime in the labeled data: every positive gets that category.
    category = None if len(set(positive_labels)) > 1 else DummyClassifier(strategy="most_frequent")
    matrix = fitted.transform(rows[positive_rows])
    if category is None:
        # With more columns than posts liblinear's dual solver reaches the same optimum several
        # times faster than the primal one (about a minute saved at 100,000 labeled posts).
        category = LogisticRegression(
            C=4.0,
            class_weight="balanced",
            solver="liblinear",
            dual=matrix.shape[1] > matrix.shape[0],
            max_iter=5000,
            random_state=config.seed,
        )
    return category.fit(matrix, positive_labels)


def _fits_alike_in_a_worker(candidate: str, n_rows: int, counts: FeatureCounts) -> bool:
    """Whether fitting ``candidate`` in a worker process gives bit for bit what it gives here.

    liblinear's primal solvers (logistic regression, and the SVM when there are more rows than
    columns) sum through BLAS, whose results depend on how many threads it may use, and workers
    are limited to one thread. The SVM's dual solver sums in its own loops.
    """
    return candidate == "linear_svm" and n_rows < counts.char_counts.shape[1]


def _start(tasks: list, jobs: int):
    """Start ``(function, args)`` tasks, in worker processes when ``jobs`` > 1; yields the
    results in task order. Only count matrices and row numbers travel to the workers (large
    arrays as shared memory maps), never the analysed posts."""
    runner = Parallel(n_jobs=min(jobs, len(tasks)), return_as="generator")
    return runner(delayed(function)(*args) for function, args in tasks)


def _fold_tasks(prepared: _Prepared, config: TrainConfig, splits=None) -> list:
    tasks = []
    for train_index, valid_index in prepared.splits if splits is None else splits:
        rows, y, _ = training_rows(prepared, train_index)
        obf_rows = np.array(
            [
                prepared.obfuscated_rows[i]
                for i in valid_index.tolist()
                if i in prepared.obfuscated_rows
            ],
            dtype=np.int64,
        )
        tasks.append(
            (_fold, (prepared.counts, config.candidates, config, rows, y, valid_index, obf_rows))
        )
    return tasks


def _collect_folds(
    prepared: _Prepared, config: TrainConfig, fold_results, splits=None
) -> dict[str, tuple[np.ndarray, dict[int, float]]]:
    decisions = {candidate: np.zeros(len(prepared.y)) for candidate in config.candidates}
    obfuscated: dict[str, dict[int, float]] = {candidate: {} for candidate in config.candidates}
    for (_, valid_index), results in zip(
        prepared.splits if splits is None else splits, fold_results, strict=True
    ):
        obf_index = [i for i in valid_index.tolist() if i in prepared.obfuscated_rows]
        for candidate, (fold_decisions, obf_decisions) in results.items():
            decisions[candidate][valid_index] = fold_decisions
            obfuscated[candidate].update(zip(obf_index, obf_decisions.tolist(), strict=True))
    return {
        candidate: (decisions[candidate], obfuscated[candidate]) for candidate in config.candidates
    }


def out_of_fold(
    prepared: _Prepared, config: TrainConfig, splits=None, description: str | None = None
) -> dict[str, tuple[np.ndarray, dict[int, float]]]:
    """Per candidate: out-of-fold decision values for every post and for the disguised copies of positives."""
    splits = prepared.splits if splits is None else splits
    results = _start(_fold_tasks(prepared, config, splits), config.jobs)
    description = description or f"Cross-validating {', '.join(config.candidates)}"
    return _collect_folds(
        prepared,
        config,
        progress.track(results, description, total=len(splits), unit="fold"),
        splits,
    )


def _screen_fold(matrix, y: np.ndarray, valid_matrix, config: TrainConfig) -> np.ndarray:
    screen = Screen(seed=config.seed).fit_matrix(matrix, y)
    return valid_matrix @ screen.coef_ + screen.intercept_


def screen_features(prepared: _Prepared, jobs: int = 1) -> sp.csr_matrix:
    """The screen's features of every row of ``prepared``, counted once for all folds (in
    ``jobs`` processes, a share of the rows each)."""
    if prepared.screen_matrix is None:
        texts = prepared.texts
        bounds = np.linspace(0, len(texts), max(1, jobs) + 1).astype(int).tolist()
        if jobs > 1 and len(texts) >= 20_000:
            parts = Parallel(n_jobs=jobs)(
                delayed(Screen().ngrams)(texts[a:b]) for a, b in pairwise(bounds)
            )
            prepared.screen_matrix = sp.vstack(parts, format="csr")
        else:
            prepared.screen_matrix = Screen().ngrams(texts)
    return prepared.screen_matrix


def _screen_final(matrix, y: np.ndarray, config: TrainConfig) -> Screen:
    return Screen(seed=config.seed).fit_matrix(matrix, y)


@overload
def screen_out_of_fold(
    prepared: _Prepared,
    config: TrainConfig,
    splits,
    description: str,
    with_final: Literal[False] = False,
) -> tuple[np.ndarray, dict[int, float]]: ...


@overload
def screen_out_of_fold(
    prepared: _Prepared, config: TrainConfig, splits, description: str, with_final: Literal[True]
) -> tuple[np.ndarray, dict[int, float], Screen]: ...


def screen_out_of_fold(
    prepared: _Prepared, config: TrainConfig, splits, description: str, with_final: bool = False
) -> tuple[np.ndarray, dict[int, float]] | tuple[np.ndarray, dict[int, float], Screen]:
    """Out-of-fold screen decisions for every post and for the disguised copies of positives;
    with ``with_final`` also the screen fitted on every row, fitted beside the folds."""
    matrix = screen_features(prepared, config.jobs)
    tasks: list[tuple[Callable[..., np.ndarray | Screen], tuple[Any, ...]]] = []
    for train_index, valid_index in splits:
        rows, y, _ = training_rows(prepared, train_index)
        obf_index = [i for i in valid_index.tolist() if i in prepared.obfuscated_rows]
        valid_rows = np.array(
            valid_index.tolist() + [prepared.obfuscated_rows[i] for i in obf_index], dtype=np.int64
        )
        tasks.append((_screen_fold, (matrix[rows], y, matrix[valid_rows], config)))
    if with_final:
        rows, y, _ = training_rows(prepared, np.arange(len(prepared.y)))
        tasks.append((_screen_final, (matrix[rows], y, config)))
    decisions = np.zeros(len(prepared.y))
    obfuscated: dict[int, float] = {}
    results = list(
        progress.track(_start(tasks, config.jobs), description, total=len(tasks), unit="fold")
    )
    # With ``with_final`` the last result is the final screen, which no split pairs with.
    for (_, valid_index), fold_decisions in zip(splits, results, strict=False):
        decisions[valid_index] = fold_decisions[: len(valid_index)]
        obf_index = [i for i in valid_index.tolist() if i in prepared.obfuscated_rows]
        obfuscated.update(zip(obf_index, fold_decisions[len(valid_index) :].tolist(), strict=True))
    if with_final:
        return decisions, obfuscated, results[-1]
    return decisions, obfuscated


def cross_validate_and_fit(prepared: _Prepared, config: TrainConfig):
    """Out-of-fold decisions (see :func:`out_of_fold`) and the final features, risk classifier
    and tppo/tppm classifier.

    With a single candidate the final model does not depend on the folds, so it is fitted
    while they run: the tppo/tppm classifier in this process, the risk classifier in a worker
    when that gives the same result (see :func:`_fits_alike_in_a_worker`).
    """
    rows, y, labels = training_rows(prepared, np.arange(len(prepared.y)))
    single = config.candidates[0] if len(config.candidates) == 1 else None
    risk_in_worker = single is not None and _fits_alike_in_a_worker(
        single, len(rows), prepared.counts
    )
    tasks = _fold_tasks(prepared, config)
    if risk_in_worker:
        tasks.append((_risk_fit, (prepared.counts, single, config, rows, y)))
    pending = _start(tasks, config.jobs)
    if single is not None:
        with progress.bar("Fitting the final tppo/tppm model", total=1, unit="step") as step:
            fitted = prepared.counts.fit(rows)
            category = _category_fit(fitted, config, rows, y, labels)
            step.update()
    results = list(
        progress.track(
            pending,
            f"Cross-validating {', '.join(config.candidates)}",
            total=len(tasks),
            unit="fit",
        )
    )
    cross_validated = _collect_folds(prepared, config, results[: len(prepared.splits)])
    if single is None:
        return cross_validated, None
    base = (
        results[-1]
        if risk_in_worker
        else make_classifier(single, config).fit(fitted.transform(rows), y)
    )
    return cross_validated, (fitted.features, base, category)


def final_fit(prepared: _Prepared, config: TrainConfig, selected: str):
    """Features, risk classifier and tppo/tppm classifier fitted on every labeled post and variant."""
    rows, y, labels = training_rows(prepared, np.arange(len(prepared.y)))
    with progress.bar("Fitting the final model", total=2, unit="step") as steps:
        fitted = prepared.counts.fit(rows)
        base = make_classifier(selected, config).fit(fitted.transform(rows), y)
        steps.update()
        category = _category_fit(fitted, config, rows, y, labels)
        steps.update()
    return fitted.features, base, category


def baseline_scores(
    prepared: _Prepared, config: TrainConfig, splits=None
) -> dict[str, tuple[np.ndarray, dict[int, float]]]:
    texts = prepared.data["text"].tolist()
    plain = np.zeros(len(texts))
    plain_obf: dict[int, float] = {}
    for train_index, valid_index in prepared.splits if splits is None else splits:
        model = baselines.plain_tfidf_logreg(config.seed).fit(
            [texts[i] for i in train_index], prepared.y[train_index]
        )
        plain[valid_index] = model.predict_proba([texts[i] for i in valid_index])[:, 1]
        obf_index = [int(i) for i in valid_index if int(i) in prepared.obfuscated_texts]
        if obf_index:
            plain_obf.update(
                zip(
                    obf_index,
                    model.predict_proba([prepared.obfuscated_texts[i] for i in obf_index])[
                        :, 1
                    ].tolist(),
                    strict=True,
                )
            )
    keyword_obf_index = sorted(prepared.obfuscated_texts)
    keyword_obf = dict(
        zip(
            keyword_obf_index,
            baselines.keyword_scores(
                [prepared.obfuscated_texts[i] for i in keyword_obf_index]
            ).tolist(),
            strict=True,
        )
    )
    return {
        "keyword_search": (baselines.keyword_scores(texts), keyword_obf),
        "plain_tfidf_logreg": (plain, plain_obf),
    }


def _cv_summary(
    y: np.ndarray,
    scores: np.ndarray,
    kinds: np.ndarray,
    target_recall: float,
    obfuscated: dict[int, float],
) -> dict:
    threshold = (
        threshold_for_recall(y, scores, target_recall) if len(np.unique(scores)) > 2 else 0.5
    )
    summary = binary_metrics(y, scores, threshold, kinds)
    summary["obfuscated_recall"] = (
        float(np.mean([v >= threshold for v in obfuscated.values()])) if obfuscated else None
    )
    summary["obfuscated_n"] = len(obfuscated)
    return summary


def _calibrated(decisions: np.ndarray, y: np.ndarray, obfuscated: dict[int, float]):
    calibrator = PlattCalibrated.from_scores(None, decisions, y).calibrator
    keys = sorted(obfuscated)
    probability = calibrator.predict_proba(decisions.reshape(-1, 1))[:, 1]
    obf = (
        dict(
            zip(
                keys,
                calibrator.predict_proba(np.array([obfuscated[k] for k in keys]).reshape(-1, 1))[
                    :, 1
                ],
                strict=True,
            )
        )
        if keys
        else {}
    )
    return calibrator, probability, obf


def _two_stage_scores(
    screen_calibrator,
    cut: float,
    full_probability: np.ndarray,
    full_obf: dict[int, float],
    screen: tuple[np.ndarray, dict[int, float]],
) -> tuple[np.ndarray, dict[int, float]]:
    """What the two-stage model gives each post (and disguised copy) from out-of-fold scores:
    the full model's probability where the screen passes, the screen's own below its threshold."""

    def gate(full_p: np.ndarray, screen_d: np.ndarray) -> np.ndarray:
        screened = screen_calibrator.predict_proba(screen_d.reshape(-1, 1))[:, 1]
        return np.where(screen_d >= cut, full_p, screened)

    posts = gate(full_probability, screen[0])
    keys = sorted(full_obf)
    if not keys:
        return posts, {}
    copies = gate(np.array([full_obf[k] for k in keys]), np.array([screen[1][k] for k in keys]))
    return posts, dict(zip(keys, copies.tolist(), strict=True))


def plain_tfidf_on_transfer(
    prepared: _Prepared, config: TrainConfig, transfer: TransferSet
) -> dict:
    """The bar to clear: plain TF-IDF + logistic regression fitted on the same training rows
    (variants included) and ranked on the transfer validation at the same false-positive budgets."""
    rows, y, _ = training_rows(prepared, np.arange(len(prepared.y)))
    model = baselines.plain_tfidf_logreg(config.seed).fit([prepared.texts[r] for r in rows], y)
    return ranking_summary(
        transfer.y, model.decision_function(list(transfer.texts)), transfer.disguised
    )


def _operating_points(
    model: WaspadaModel, transfer: TransferSet | None, jobs: int
) -> tuple[dict[str, float], np.ndarray | None]:
    if transfer is None:
        return {}, None
    analyses = analyse_parallel(
        transfer.texts,
        jobs=jobs,
        description="Scoring the transfer validation",
        normalise_only=not model.features.use_indicators,
    )
    scores = model.predict(transfer.texts, analyses).scores
    # A threshold above 1 would flag nothing; 1.0 flags only certain posts and says so in a warning.
    return {
        point: min(1.0, threshold_for_false_positive_rate(transfer.y, scores, rate))
        for point, rate in OPERATING_POINTS.items()
    }, scores


def training_digest(data: pd.DataFrame, transfer: TransferSet | None) -> str:
    """The sha256 of what a model learns and is tuned from: the labeled posts and the validation."""
    digest = labeled.data_hash(data)
    if transfer is None:
        return digest
    return hashlib.sha256((digest + labeled.data_hash(transfer.data)).encode()).hexdigest()


def model_id_for(data_digest: str, config: TrainConfig) -> str:
    """The id ``train`` gives a model: the same data, settings and code give the same id."""
    return f"waspada-{data_digest[:8]}-{config.digest()}-{artifacts.code_digest()[:6]}"


def expected_model_id(
    labeled_path: Path, config: TrainConfig, validation_path: Path | None = None
) -> str:
    """The id ``train`` would give a model of ``labeled_path``, without training it."""
    transfer = load_transfer(validation_path) if validation_path is not None else None
    return model_id_for(training_digest(labeled.load_labeled(labeled_path), transfer), config)


def train(
    labeled_path: Path,
    models_dir: Path,
    config: TrainConfig,
    promote: bool = False,
    force: bool = False,
    validation_path: Path | None = None,
) -> TrainResult:
    data = labeled.load_labeled(labeled_path)
    counts = {label: int((data["label"] == label).sum()) for label in ("tppo", "tppm", "benign")}
    if counts["benign"] < 10 or counts["tppo"] + counts["tppm"] < 10:
        raise InputError(
            f"Too little labeled data to train: {counts}.",
            "Each of positive and benign needs at least 10 posts.",
        )
    transfer = load_transfer(validation_path) if validation_path is not None else None
    data_digest = training_digest(data, transfer)
    model_id = model_id_for(data_digest, config)
    target = Path(models_dir) / model_id
    if target.exists() and not force:
        raise OutputExistsError(
            f"Model {model_id} already exists (same labeled data and settings).",
            "Pass --force to rebuild it, or change the data or settings.",
        )
    prepared = prepare(data, config)
    kinds = data["kind"].to_numpy()
    y = prepared.y
    loso_used = prepared.loso_splits is not None
    cross_validated, final = cross_validate_and_fit(prepared, config)
    loso = (
        out_of_fold(prepared, config, prepared.loso_splits, "Leave-one-source-out")
        if loso_used
        else cross_validated
    )
    grouped_decisions, grouped_obf, screen_model = screen_out_of_fold(
        prepared, config, prepared.splits, "Screen, grouped folds", with_final=True
    )
    screen_grouped = (grouped_decisions, grouped_obf)
    screen_loso = (
        screen_out_of_fold(prepared, config, prepared.loso_splits, "Screen, leave-one-source-out")
        if loso_used
        else screen_grouped
    )

    cv: dict[str, dict] = {}
    by_source: dict[str, dict] = {}
    calibrated: dict[str, tuple] = {}
    for candidate in config.candidates:
        calibrated[candidate] = _calibrated(
            cross_validated[candidate][0], y, cross_validated[candidate][1]
        )
        cv[candidate] = _cv_summary(
            y, calibrated[candidate][1], kinds, config.target_recall, calibrated[candidate][2]
        )
        _, probability, obf = _calibrated(loso[candidate][0], y, loso[candidate][1])
        by_source[candidate] = _cv_summary(y, probability, kinds, config.target_recall, obf)
    # Chosen on writing the candidate has not seen: the leave-one-source-out folds.
    selected = max(
        config.candidates,
        key=lambda c: (round(by_source[c]["pr_auc"], 4), -config.candidates.index(c)),
    )

    screen_calibrator, _, _ = _calibrated(screen_grouped[0], y, {})
    # The cut is set on the grouped folds; leave-one-source-out and the transfer validation
    # measure what it loses on writing the screen has not seen.
    cut = screen_threshold(screen_grouped[0][y == 1])
    screen_loss = {
        "grouped": float((screen_grouped[0][y == 1] < cut).mean()),
        "leave_one_source_out": float((screen_loso[0][y == 1] < cut).mean()) if loso_used else None,
    }
    screen_pass = {
        "grouped_negatives": float((screen_grouped[0][y == 0] >= cut).mean()),
        "leave_one_source_out_negatives": float((screen_loso[0][y == 0] >= cut).mean())
        if loso_used
        else None,
    }
    loso_calibrated = _calibrated(loso[selected][0], y, loso[selected][1])
    for table, (_, probability, obf), screen in (
        (cv, calibrated[selected], screen_grouped),
        (by_source, loso_calibrated, screen_loso),
    ):
        two_stage, two_stage_obf = _two_stage_scores(
            screen_calibrator, cut, probability, obf, screen
        )
        table["waspada_two_stage"] = _cv_summary(
            y, two_stage, kinds, config.target_recall, two_stage_obf
        )
        screen_probability = screen_calibrator.predict_proba(screen[0].reshape(-1, 1))[:, 1]
        keys = sorted(screen[1])
        screen_obf = (
            dict(
                zip(
                    keys,
                    screen_calibrator.predict_proba(
                        np.array([screen[1][k] for k in keys]).reshape(-1, 1)
                    )[:, 1].tolist(),
                    strict=True,
                )
            )
            if keys
            else {}
        )
        table["screen_only"] = _cv_summary(
            y, screen_probability, kinds, config.target_recall, screen_obf
        )
    if config.baselines:
        for name, (scores, obf) in baseline_scores(prepared, config).items():
            cv[name] = _cv_summary(y, scores, kinds, config.target_recall, obf)
        if loso_used:
            for name, (scores, obf) in baseline_scores(
                prepared, config, prepared.loso_splits
            ).items():
                by_source[name] = _cv_summary(y, scores, kinds, config.target_recall, obf)

    calibrator = calibrated[selected][0]
    features, base, category = final if final is not None else final_fit(prepared, config, selected)
    risk = PlattCalibrated(base, calibrator)
    risk.classes_ = np.array([0, 1])
    model = WaspadaModel(features, risk, category, screen_model, screen_calibrator, cut)

    oof_two_stage, _ = _two_stage_scores(
        screen_calibrator, cut, calibrated[selected][1], {}, screen_grouped
    )
    thresholds, transfer_scores = _operating_points(model, transfer, config.jobs)
    if config.review_budget:
        threshold = threshold_for_budget(
            y, oof_two_stage, config.review_budget, config.posts_per_day, config.prevalence
        )
        threshold_rule = f"review budget {config.review_budget}/day of {config.posts_per_day} posts at prevalence {config.prevalence}"
        thresholds = {
            "high": threshold,
            "watch": min(threshold, thresholds.get("watch", threshold)),
        }
    elif transfer is not None and thresholds:
        threshold = thresholds[DEFAULT_OPERATING_POINT]
        threshold_rule = (
            f"at most {OPERATING_POINTS[DEFAULT_OPERATING_POINT]:.0%} of the transfer validation's "
            f"negatives flagged ({len(transfer.data)} posts by other writers)"
        )
    else:
        threshold = threshold_for_recall(y, oof_two_stage, config.target_recall)
        watch = threshold_for_recall(y, oof_two_stage, min(0.99, config.target_recall + 0.05))
        thresholds = {"high": threshold, "watch": min(watch, threshold)}
        threshold_rule = (
            f"target recall {config.target_recall} on out-of-fold predictions "
            "(no transfer validation found: expect lower recall on new writing)"
        )
    transfer_metrics = None
    if transfer is not None:
        if transfer_scores is None:
            raise RuntimeError("The transfer validation was given but not scored.")
        transfer_metrics = evaluate_transfer(transfer, transfer_scores, thresholds)
        if config.baselines:
            transfer_metrics["baseline_ranking"] = {
                "plain_tfidf_logreg": plain_tfidf_on_transfer(prepared, config, transfer)
            }
    if transfer is not None:
        passed = model.passes(model.screen_decisions(transfer.texts))
        screen_loss["transfer_validation"] = float((~passed[transfer.y == 1]).mean())
        screen_pass["transfer_validation_negatives"] = float(passed[transfer.y == 0].mean())
    warnings = [
        f"At the {point} operating point the model flags more than {OPERATING_POINTS[point]:.0%} of the transfer "
        "validation's negatives at any threshold below 1: label more varied posts before relying on it."
        for point, value in thresholds.items()
        if transfer is not None and value >= 1.0
    ]

    screen_summary: dict[str, Any] = {
        "threshold": cut,
        "max_loss": MAX_SCREEN_LOSS,
        "measured_loss": screen_loss,
        "passed": screen_pass,
    }
    manifest = {
        "model_id": model_id,
        "created_by": "waspada train",
        "selected_candidate": selected,
        "threshold": threshold,
        "threshold_rule": threshold_rule,
        "operating_points": thresholds,
        "screen": screen_summary,
        "seed": config.seed,
        "config": asdict(config),
        "code_sha256": artifacts.code_digest(),
        "labeled_data": {
            "path": str(labeled_path),
            "sha256": data_digest,
            "counts": counts,
            "files": sorted(set(data["source_file"])),
            "augmented_variants": len(prepared.aug_sources),
            "near_duplicate_groups": len(np.unique(prepared.groups)),
            "sources": len(prepared.loso_splits) if prepared.loso_splits is not None else None,
        },
        "validation": {"path": str(validation_path), "posts": len(transfer.data)}
        if transfer is not None
        else None,
        "cv": {
            "folds": len(prepared.splits),
            "grouped_by": "near-duplicate clusters (MinHash)",
            "selected": dict(by_source["waspada_two_stage"]),
        },
    }
    metrics = {
        "cross_validation": cv,
        "leave_one_source_out": by_source if loso_used else None,
        "selected": selected,
        "threshold": threshold,
        "operating_points": thresholds,
        "screen": screen_summary,
        "transfer_validation": transfer_metrics,
    }
    model_card = card.render(
        model, manifest, cv, by_source if loso_used else None, transfer_metrics
    )
    artifacts.save_bundle(
        model,
        target,
        manifest,
        extra_files={
            "metrics.json": json.dumps(metrics, indent=2, ensure_ascii=False) + "\n",
            "MODEL_CARD.md": model_card,
        },
        replace=force,
    )
    if promote:
        artifacts.promote(Path(models_dir), model_id)
    return TrainResult(
        model_id,
        target,
        selected,
        threshold,
        cv,
        counts,
        promote,
        warnings,
        by_source=by_source if loso_used else None,
        transfer=transfer_metrics,
        screen=screen_summary,
    )
