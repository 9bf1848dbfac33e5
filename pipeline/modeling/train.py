"""Train: compare candidates by grouped cross-validation, calibrate, pick the threshold, save.

Every number that decides something (the selected candidate, the calibration, the threshold)
comes from out-of-fold predictions, where near-duplicate clusters never straddle a split.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.svm import LinearSVC

from pipeline import dedup, labeled, progress
from pipeline.errors import InputError, OutputExistsError
from pipeline.features import WaspadaFeatures
from pipeline.indicators import Analysis
from pipeline.modeling import artifacts, baselines, card
from pipeline.modeling.augment import augment_texts, obfuscate
from pipeline.modeling.calibration import PlattCalibrated
from pipeline.modeling.metrics import binary_metrics
from pipeline.modeling.model import WaspadaModel
from pipeline.modeling.thresholds import threshold_for_budget, threshold_for_recall
from pipeline.parallel import analyse_parallel

log = logging.getLogger(__name__)

CANDIDATES = ("logreg", "linear_svm")
# Benign kinds that say nothing about trafficking; only these give short fragments as extra negatives.
ORDINARY_KINDS = frozenset({"job_ad_social", "job_board_ad", "job_seeking", "everyday", "other_fraud", "ig_comment",
                            "tweet_short", "chat_short", "sms_short", "comment_jobs_domestic"})
OBFUSCATION_SEED_OFFSET = 1_000_003


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
    jobs: int = 1

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:8]


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


def make_classifier(name: str, config: TrainConfig):
    if name == "logreg":
        return LogisticRegression(C=config.logreg_c, class_weight="balanced", solver="liblinear", max_iter=5000, random_state=config.seed)
    if name == "linear_svm":
        return LinearSVC(C=config.svm_c, class_weight="balanced", random_state=config.seed, max_iter=20000)
    raise ValueError(f"Unknown candidate {name!r}; choose from {', '.join(CANDIDATES)}.")


@dataclass
class _Prepared:
    data: pd.DataFrame
    y: np.ndarray
    groups: np.ndarray
    analyses: list[Analysis]
    aug_sources: np.ndarray
    aug_analyses: list[Analysis]
    aug_labels: list[str]
    splits: list[tuple[np.ndarray, np.ndarray]]
    obfuscated: dict[int, Analysis]
    obfuscated_texts: dict[int, str]


def prepare(data: pd.DataFrame, config: TrainConfig) -> _Prepared:
    texts = data["text"].tolist()
    analyses = analyse_parallel(texts, jobs=config.jobs, description="Analysing labeled posts")
    y = data["label"].map(lambda label: int(label != "benign")).to_numpy()
    groups = dedup.cluster([a.normalized.text for a in analyses])
    augmented = augment_texts(texts, data["label"].tolist(), seed=config.seed, kinds=data["kind"].tolist(),
                              fragment_kinds=ORDINARY_KINDS) if config.augment else []
    aug_sources = np.array([source for source, _, _ in augmented], dtype=int)
    aug_analyses = analyse_parallel([text for _, _, text in augmented], jobs=config.jobs, description="Analysing augmented posts")
    aug_labels = [data["label"].iloc[source] for source in aug_sources]
    n_splits = min(config.folds, int(min(np.bincount(y))))
    if n_splits < 2:
        raise InputError("Too few labeled posts of one class to cross-validate.", "Label at least 10 posts of each class.")
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=config.seed)
    splits = list(splitter.split(np.zeros(len(y)), y, groups))
    obfuscated_texts = obfuscated_positives(texts, y, config.seed + OBFUSCATION_SEED_OFFSET)
    keys = sorted(obfuscated_texts)
    obf_analyses = analyse_parallel([obfuscated_texts[k] for k in keys], jobs=config.jobs, description="Analysing obfuscated checks")
    return _Prepared(data, y, groups, analyses, aug_sources, aug_analyses, aug_labels, splits,
                     dict(zip(keys, obf_analyses)), obfuscated_texts)


def obfuscated_positives(texts: list[str], y: np.ndarray, seed: int) -> dict[int, str]:
    """A disguised copy of every positive post, for measuring recall on evasive spelling.

    The copies are scored only by models whose training fold did not contain the original.
    """
    rng = random.Random(seed)
    out = {}
    for index in np.flatnonzero(y == 1):
        variant = obfuscate(texts[index], rng)
        if variant != texts[index]:
            out[int(index)] = variant
    return out


def _training_rows(prepared: _Prepared, index: np.ndarray) -> tuple[list[Analysis], np.ndarray, list[str]]:
    """Training analyses for a fold: the fold's posts plus the variants made from them."""
    chosen = set(index.tolist())
    extra = [i for i, source in enumerate(prepared.aug_sources) if source in chosen]
    analyses = [prepared.analyses[i] for i in index] + [prepared.aug_analyses[i] for i in extra]
    labels = [prepared.data["label"].iloc[i] for i in index] + [prepared.aug_labels[i] for i in extra]
    y = np.array([int(label != "benign") for label in labels])
    return analyses, y, labels


def _fold(prepared: _Prepared, candidates: tuple[str, ...], config: TrainConfig, train_index: np.ndarray, valid_index: np.ndarray):
    """One fold for every candidate: the features are fitted once and shared, because they are
    the same for all candidates and cost more than the classifiers."""
    analyses, y, _ = _training_rows(prepared, train_index)
    features = WaspadaFeatures().fit_analyses(analyses)
    train_matrix = features.transform_analyses(analyses)
    valid_matrix = features.transform_analyses([prepared.analyses[i] for i in valid_index])
    obf_index = [int(i) for i in valid_index if int(i) in prepared.obfuscated]
    obf_matrix = features.transform_analyses([prepared.obfuscated[i] for i in obf_index]) if obf_index else None
    results = {}
    for candidate in candidates:
        classifier = make_classifier(candidate, config).fit(train_matrix, y)
        obf_decisions = classifier.decision_function(obf_matrix) if obf_index else np.zeros(0)
        results[candidate] = (classifier.decision_function(valid_matrix), obf_decisions)
    return valid_index, obf_index, results


def out_of_fold(prepared: _Prepared, config: TrainConfig) -> dict[str, tuple[np.ndarray, dict[int, float]]]:
    """Per candidate: out-of-fold decision values for every post and for the disguised copies of positives."""
    decisions = {candidate: np.zeros(len(prepared.y)) for candidate in config.candidates}
    obfuscated: dict[str, dict[int, float]] = {candidate: {} for candidate in config.candidates}
    runner = Parallel(n_jobs=min(config.jobs, len(prepared.splits)), return_as="generator")
    folds = runner(delayed(_fold)(prepared, config.candidates, config, tr, va) for tr, va in prepared.splits)
    description = f"Cross-validating {', '.join(config.candidates)}"
    for valid_index, obf_index, results in progress.track(folds, description, total=len(prepared.splits), unit="fold"):
        for candidate, (fold_decisions, obf_decisions) in results.items():
            decisions[candidate][valid_index] = fold_decisions
            obfuscated[candidate].update(zip(obf_index, obf_decisions.tolist()))
    return {candidate: (decisions[candidate], obfuscated[candidate]) for candidate in config.candidates}


def baseline_scores(prepared: _Prepared, config: TrainConfig) -> dict[str, tuple[np.ndarray, dict[int, float]]]:
    texts = prepared.data["text"].tolist()
    plain = np.zeros(len(texts))
    plain_obf: dict[int, float] = {}
    for train_index, valid_index in prepared.splits:
        model = baselines.plain_tfidf_logreg(config.seed).fit([texts[i] for i in train_index], prepared.y[train_index])
        plain[valid_index] = model.predict_proba([texts[i] for i in valid_index])[:, 1]
        obf_index = [int(i) for i in valid_index if int(i) in prepared.obfuscated_texts]
        if obf_index:
            plain_obf.update(zip(obf_index, model.predict_proba([prepared.obfuscated_texts[i] for i in obf_index])[:, 1].tolist()))
    keyword_obf_index = sorted(prepared.obfuscated_texts)
    keyword_obf = dict(zip(keyword_obf_index, baselines.keyword_scores([prepared.obfuscated_texts[i] for i in keyword_obf_index]).tolist()))
    return {"keyword_search": (baselines.keyword_scores(texts), keyword_obf), "plain_tfidf_logreg": (plain, plain_obf)}


def _cv_summary(y: np.ndarray, scores: np.ndarray, kinds: np.ndarray, target_recall: float, obfuscated: dict[int, float]) -> dict:
    threshold = threshold_for_recall(y, scores, target_recall) if len(np.unique(scores)) > 2 else 0.5
    summary = binary_metrics(y, scores, threshold, kinds)
    summary["obfuscated_recall"] = float(np.mean([v >= threshold for v in obfuscated.values()])) if obfuscated else None
    summary["obfuscated_n"] = len(obfuscated)
    return summary


def train(labeled_path: Path, models_dir: Path, config: TrainConfig, promote: bool = False, force: bool = False) -> TrainResult:
    data = labeled.load_labeled(labeled_path)
    counts = {label: int((data["label"] == label).sum()) for label in ("tppo", "tppm", "benign")}
    if counts["benign"] < 10 or counts["tppo"] + counts["tppm"] < 10:
        raise InputError(f"Too little labeled data to train: {counts}.", "Each of positive and benign needs at least 10 posts.")
    data_digest = labeled.data_hash(data)
    model_id = f"waspada-{data_digest[:8]}-{config.digest()}-{artifacts.code_digest()[:6]}"
    target = Path(models_dir) / model_id
    if target.exists() and not force:
        raise OutputExistsError(
            f"Model {model_id} already exists (same labeled data and settings).",
            "Pass --force to rebuild it, or change the data or settings.",
        )
    prepared = prepare(data, config)
    kinds = data["kind"].to_numpy()
    cv: dict[str, dict] = {}
    oof: dict[str, np.ndarray] = {}
    for candidate, (oof[candidate], obf) in out_of_fold(prepared, config).items():
        calibrator = PlattCalibrated.from_scores(None, oof[candidate], prepared.y).calibrator
        calibrated = calibrator.predict_proba(oof[candidate].reshape(-1, 1))[:, 1]
        obf_keys = sorted(obf)
        obf_probability = dict(zip(obf_keys, calibrator.predict_proba(np.array([obf[k] for k in obf_keys]).reshape(-1, 1))[:, 1])) if obf_keys else {}
        cv[candidate] = _cv_summary(prepared.y, calibrated, kinds, config.target_recall, obf_probability)
    for name, (scores, obf) in (baseline_scores(prepared, config) if config.baselines else {}).items():
        cv[name] = _cv_summary(prepared.y, scores, kinds, config.target_recall, obf)
    selected = max(config.candidates, key=lambda c: (round(cv[c]["pr_auc"], 4), -config.candidates.index(c)))

    calibrator = PlattCalibrated.from_scores(None, oof[selected], prepared.y).calibrator
    oof_probability = calibrator.predict_proba(oof[selected].reshape(-1, 1))[:, 1]
    if config.review_budget:
        threshold = threshold_for_budget(prepared.y, oof_probability, config.review_budget, config.posts_per_day, config.prevalence)
        threshold_rule = f"review budget {config.review_budget}/day of {config.posts_per_day} posts at prevalence {config.prevalence}"
    else:
        threshold = threshold_for_recall(prepared.y, oof_probability, config.target_recall)
        threshold_rule = f"target recall {config.target_recall} on out-of-fold predictions"

    all_index = np.arange(len(prepared.y))
    analyses, y, labels = _training_rows(prepared, all_index)
    with progress.bar("Fitting the final model", total=3, unit="step") as steps:
        features = WaspadaFeatures().fit_analyses(analyses)
        matrix = features.transform_analyses(analyses)
        steps.update()
        base = make_classifier(selected, config).fit(matrix, y)
        risk = PlattCalibrated(base, calibrator)
        risk.classes_ = np.array([0, 1])
        steps.update()
        positive_rows = np.flatnonzero(y == 1)
        positive_labels = [labels[i] for i in positive_rows]
        if len(set(positive_labels)) > 1:
            category = LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear", random_state=config.seed)
        else:  # only one crime in the labeled data: every positive gets that category
            category = DummyClassifier(strategy="most_frequent")
        category.fit(matrix[positive_rows], positive_labels)
        steps.update()
    model = WaspadaModel(features, risk, category)

    selected_metrics = dict(cv[selected])
    manifest = {
        "model_id": model_id,
        "created_by": "waspada train",
        "selected_candidate": selected,
        "threshold": threshold,
        "threshold_rule": threshold_rule,
        "seed": config.seed,
        "config": asdict(config),
        "code_sha256": artifacts.code_digest(),
        "labeled_data": {"path": str(labeled_path), "sha256": data_digest, "counts": counts,
                         "files": sorted(set(data["source_file"])), "augmented_variants": len(prepared.aug_sources),
                         "near_duplicate_groups": len(np.unique(prepared.groups))},
        "cv": {"folds": len(prepared.splits), "grouped_by": "near-duplicate clusters (MinHash)", "selected": selected_metrics},
    }
    metrics = {"cross_validation": cv, "selected": selected, "threshold": threshold}
    model_card = card.render(model, manifest, cv)
    artifacts.save_bundle(model, target, manifest, extra_files={
        "metrics.json": json.dumps(metrics, indent=2, ensure_ascii=False) + "\n",
        "MODEL_CARD.md": model_card,
    })
    if promote:
        artifacts.promote(Path(models_dir), model_id)
    return TrainResult(model_id, target, selected, threshold, cv, counts, promote)
