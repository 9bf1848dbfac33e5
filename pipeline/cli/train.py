"""`waspada train`: a thin wrapper over :func:`pipeline.modeling.train.train`."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline import settings
from pipeline.cli.common import CONTEXT, emit, handle_errors, quiet_option, setup
from pipeline.errors import InputError


@click.command("train", context_settings=CONTEXT)
@click.option(
    "--labeled",
    "labeled_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Labeled file or folder [default: data/labeled].",
)
@click.option(
    "--models-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where model bundles go [default: models].",
)
@click.option(
    "--target-recall",
    type=click.FloatRange(0.5, 1.0),
    default=0.90,
    show_default=True,
    help="Threshold reaches this recall on validation folds.",
)
@click.option(
    "--review-budget",
    type=click.IntRange(1),
    default=None,
    help="Instead: posts your team can review per day.",
)
@click.option(
    "--posts-per-day",
    type=click.IntRange(1),
    default=1000,
    show_default=True,
    help="Collected posts per day (with --review-budget).",
)
@click.option(
    "--prevalence",
    type=click.FloatRange(0.0001, 0.9),
    default=0.05,
    show_default=True,
    help="Share of recruitment posts in a collection (with --review-budget).",
)
@click.option("--seed", type=int, default=settings.SEED, show_default=True)
@click.option(
    "--folds",
    type=click.IntRange(2, 20),
    default=None,
    help="Cross-validation folds [default: 5, or 3 with --fast].",
)
@click.option(
    "--no-augment", is_flag=True, help="Train on the labeled posts only, without variants."
)
@click.option(
    "--candidate",
    "candidates",
    type=click.Choice(["logreg", "linear_svm"]),
    multiple=True,
    help="Candidate model to compare (repeat for several) [default: both].",
)
@click.option(
    "--no-baselines",
    is_flag=True,
    help="Skip the keyword and plain TF-IDF baselines in the comparison.",
)
@click.option(
    "--fast",
    is_flag=True,
    help="Retrain quickly on a large labeled set: linear SVM only, 3 folds, no baselines.",
)
@click.option(
    "--validation",
    "validation_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Transfer validation (posts by other writers) that sets the operating points [default: data/validation].",
)
@click.option(
    "--jobs",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Processes for the text layer and the folds.",
)
@click.option("--promote", is_flag=True, help="Make the new model the current one.")
@click.option("--force", is_flag=True, help="Rebuild a model that already exists.")
@quiet_option
@handle_errors
def train_cli(
    labeled_path,
    models_dir,
    target_recall,
    review_budget,
    posts_per_day,
    prevalence,
    seed,
    folds,
    no_augment,
    candidates,
    no_baselines,
    fast,
    validation_path,
    jobs,
    promote,
    force,
    quiet,
    as_json,
):
    """Train, compare and calibrate the two-stage model on labeled posts; save a verified bundle.

    Candidates for the full model (logistic regression, linear SVM) and baselines (keyword
    search, plain TF-IDF) are compared by grouped cross-validation and by leave-one-source-out
    cross-validation (each labeled file or writer held out in turn), which is what tells how a
    model does on writing it has not seen; the candidate is chosen on those scores. The
    operating points (high, watch) are set on the transfer validation in data/validation,
    which training never fits on, and plain TF-IDF is ranked there at the same budgets.
    --fast skips leave-one-source-out and the comparison: use it to retrain a known setup on many
    labeled posts.

    \b
    Example:
      waspada train --promote
      waspada train --labeled data/labeled --review-budget 200 --posts-per-day 5000
      waspada train --labeled big_labeled/ --fast --jobs 2
    """
    setup(quiet, as_json)
    from pipeline.modeling.train import CANDIDATES, TrainConfig, train

    if fast:
        candidates, no_baselines = candidates or ("linear_svm",), True
    folds = folds or (3 if fast else 5)
    config = TrainConfig(
        seed=seed,
        folds=folds,
        target_recall=target_recall,
        review_budget=review_budget,
        posts_per_day=posts_per_day,
        prevalence=prevalence,
        augment=not no_augment,
        jobs=jobs,
        candidates=tuple(candidates) or CANDIDATES,
        baselines=not no_baselines,
        leave_one_source_out=not fast,
    )
    validation = validation_path or settings.validation_dir()
    if validation_path is not None and not validation_path.exists():
        raise InputError(
            f"The transfer validation {validation_path} does not exist.",
            "Pass a folder of JSONL files written by other writers, or leave --validation out.",
        )
    result = train(
        labeled_path or settings.labeled_dir(),
        models_dir or settings.models_dir(),
        config,
        promote=promote,
        force=force,
        validation_path=validation if validation.exists() else None,
    )
    lines = [
        f"Model {result.model_id} saved in {result.path} ({'promoted to current' if result.promoted else 'not promoted; use --promote'})."
    ]
    screen = result.screen or {}
    loss = screen["measured_loss"]
    loso_loss = (
        ""
        if loss["leave_one_source_out"] is None
        else f", {loss['leave_one_source_out']:.2%} leave-one-source-out"
    )
    lines.append(
        f"Full model {result.selected}; threshold {result.threshold:.3f}; screen passes scores >= {screen['threshold']:.3f} "
        f"(screen loss {loss['grouped']:.2%} grouped{loso_loss})."
    )
    for title, table in (
        ("Grouped CV (out-of-fold)", result.cv),
        ("Leave-one-source-out (out-of-fold)", result.by_source),
    ):
        if not table:
            continue
        lines.append(f"{title}:")
        for name, metrics in table.items():
            lines.append(
                f"  {name:20s} PR-AUC {metrics['pr_auc']:.3f}  recall@P0.9 {metrics['recall_at_precision_0_90']:.3f}  "
                f"disguised recall {metrics.get('obfuscated_recall') or 0:.3f}  awareness/news FPR {metrics['awareness_news_fpr'] or 0:.3f}"
            )
    if result.transfer:
        ranking = result.transfer["ranking"]
        lines.append(
            "Transfer validation (other writers), recall at 3/10/25/50 false positives: "
            + " / ".join(f"{ranking[f'recall_at_{b}_fp']:.3f}" for b in (3, 10, 25, 50))
        )
        for name, other in result.transfer.get("baseline_ranking", {}).items():
            lines.append(
                f"  {name} on the same training rows, same budgets: "
                + " / ".join(f"{other[f'recall_at_{b}_fp']:.3f}" for b in (3, 10, 25, 50))
            )
        for point, values in result.transfer["operating_points"].items():
            fitted = values["cross_fitted"]
            lines.append(
                f"  {point:6s} threshold {values['threshold']:.3f}: precision {fitted['precision'] or 0:.3f}, "
                f"recall {fitted['recall'] or 0:.3f}, disguised recall {fitted['disguised_recall'] or 0:.3f} (cross-fitted by writer)"
            )
    lines += [f"Warning: {warning}" for warning in result.warnings]
    emit(
        {
            "model_id": result.model_id,
            "path": str(result.path),
            "selected": result.selected,
            "threshold": result.threshold,
            "promoted": result.promoted,
            "cv": result.cv,
            "leave_one_source_out": result.by_source,
            "transfer": result.transfer,
            "screen": result.screen,
            "counts": result.counts,
            "warnings": result.warnings,
        },
        as_json,
        lines,
    )
