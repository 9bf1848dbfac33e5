"""The model card: what the model is, what it was trained on, how well it did, what it weighs."""

from __future__ import annotations

from pipeline import indicators
from pipeline.modeling.explain import readable_term
from pipeline.modeling.model import WaspadaModel


def _fmt(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def _pct(value) -> str:
    return "–" if value is None else f"{value:.2%}"


def indicator_weights(model: WaspadaModel) -> list[tuple[str, float]]:
    names = model.features.get_feature_names_out()
    weights = model.linear_weights()
    return sorted(
        (
            (name.removeprefix("indicator__"), float(w))
            for name, w in zip(names, weights, strict=True)
            if name.startswith("indicator__")
        ),
        key=lambda item: -item[1],
    )


def top_terms(
    model: WaspadaModel, count: int = 20
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    names = model.features.get_feature_names_out()
    weights = model.linear_weights()
    words = [
        (term, float(w))
        for n, w in zip(names, weights, strict=True)
        if (term := readable_term(n)) is not None
    ]
    words.sort(key=lambda item: item[1])
    return words[::-1][:count], words[:count]


def _cv_table(title: str, cv: dict[str, dict]) -> list[str]:
    lines = [
        f"## {title}",
        "",
        "| model | PR-AUC | recall @ precision 0.90 | precision @ thr | recall @ thr | recall on disguised copies | FPR awareness+news | FPR hard negatives |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, m in cv.items():
        lines.append(
            f"| {name} | {_fmt(m['pr_auc'])} | {_fmt(m['recall_at_precision_0_90'])} | {_fmt(m['precision'])} | "
            f"{_fmt(m['recall'])} | {_fmt(m.get('obfuscated_recall'))} | {_fmt(m.get('awareness_news_fpr'))} | {_fmt(m.get('hard_negative_fpr'))} |"
        )
    return [*lines, ""]


def transfer_lines(transfer: dict | None) -> list[str]:
    """The transfer validation as Markdown: recall at equal false positives, the operating points."""
    if not transfer:
        return [
            "## Transfer validation",
            "",
            (
                "No transfer validation was found; the threshold comes from "
                "out-of-fold scores and recall on new writing will be lower."
            ),
            "",
        ]
    ranking = transfer["ranking"]
    lines = [
        "## Transfer validation (posts by other writers, never trained on)",
        "",
        f"{ranking['n']} posts ({ranking['positives']} recruitment) by {len(transfer['writers'])} writers.",
        "",
        "| false positives allowed | 3 | 10 | 25 | 50 |",
        "|---|---|---|---|---|",
        "| recall | "
        + " | ".join(_fmt(ranking[f"recall_at_{b}_fp"]) for b in (3, 10, 25, 50))
        + " |",
        "| disguised recall | "
        + " | ".join(_fmt(ranking.get(f"disguised_recall_at_{b}_fp")) for b in (3, 10, 25, 50))
        + " |",
    ]
    for name, other in transfer.get("baseline_ranking", {}).items():
        lines += [
            f"| {name}: recall | "
            + " | ".join(_fmt(other[f"recall_at_{b}_fp"]) for b in (3, 10, 25, 50))
            + " |",
            f"| {name}: disguised recall | "
            + " | ".join(_fmt(other.get(f"disguised_recall_at_{b}_fp")) for b in (3, 10, 25, 50))
            + " |",
        ]
    lines += [
        "",
        "| operating point | threshold | precision (95% CI) | recall (95% CI) | disguised recall | false positives |",
        "|---|---|---|---|---|---|",
    ]
    for point, values in transfer["operating_points"].items():
        fitted = values["cross_fitted"]
        p_ci = fitted["precision_interval"] or (None, None)
        r_ci = fitted["recall_interval"] or (None, None)
        lines.append(
            f"| {point} | {values['threshold']:.4f} | {_fmt(fitted['precision'])} ({_fmt(p_ci[0])}–{_fmt(p_ci[1])}) | "
            f"{_fmt(fitted['recall'])} ({_fmt(r_ci[0])}–{_fmt(r_ci[1])}) | {_fmt(fitted['disguised_recall'])} | "
            f"{fitted['false_positives']} |"
        )
    lines += [
        "",
        (
            "Precision and recall at an operating point are cross-fitted by writer: the threshold applied to "
            "one half of the writers was chosen on the other half."
        ),
        "",
    ]
    return lines


def render(
    model: WaspadaModel,
    manifest: dict,
    cv: dict[str, dict],
    by_source: dict[str, dict] | None = None,
    transfer: dict | None = None,
) -> str:
    data = manifest["labeled_data"]
    lines = [
        f"# Model card: {manifest['model_id']}",
        "",
        (
            "Scores Indonesian social-media posts for recruitment into human trafficking (TPPO) or people "
            "smuggling (TPPM). Its output is a reason to look, never proof: every flag goes to a person."
        ),
        "",
        "## Training data",
        (
            f"- Labeled posts: {sum(data['counts'].values())} ({', '.join(f'{k}: {v}' for k, v in data['counts'].items())}), "
            f"plus {data['augmented_variants']} augmented variants; {data['near_duplicate_groups']} near-duplicate groups."
        ),
        f"- Data hash (sha256): `{data['sha256']}`; files: {', '.join(data['files'])}.",
        f"- Seed {manifest['seed']}; selected candidate: **{manifest['selected_candidate']}**.",
        f"- Threshold **{manifest['threshold']:.4f}** ({manifest['threshold_rule']}).",
        "",
        "- Operating points: "
        + ", ".join(f"`{k}` {v:.4f}" for k, v in manifest.get("operating_points", {}).items())
        + ".",
        (
            f"- Screen: posts whose stage-1 decision is below {manifest['screen']['threshold']:.3f} skip the full analysis; "
            f"out-of-fold screen loss {_pct(manifest['screen']['measured_loss']['grouped'])} (grouped) and "
            f"{_pct(manifest['screen']['measured_loss']['leave_one_source_out'])} (leave-one-source-out) of positives; "
            f"{_pct(manifest['screen']['measured_loss'].get('transfer_validation'))} of the transfer validation's positives."
        ),
        "",
    ]
    lines += transfer_lines(transfer)
    lines += _cv_table("Grouped cross-validation (out-of-fold, same folds for every row)", cv)
    if by_source:
        lines += _cv_table(
            "Leave-one-source-out cross-validation (each file or writer held out in turn)",
            by_source,
        )
    lines += [
        (
            "Thresholds in these tables are set per row at the same target recall on its own out-of-fold scores; "
            "the keyword search has only one operating point."
        ),
        "",
        "## Learned weights of the red-flag indicators",
        "",
    ]
    weights = indicator_weights(model)
    if weights:
        lines += ["| indicator | kind | weight |", "|---|---|---|"]
        for name, weight in weights:
            lines.append(f"| `{name}` | {indicators.by_name(name).kind} | {weight:+.3f} |")
    else:
        lines.append(
            "None: this model scores the normalised words and characters only. The indicator, "
            "structure and red-flag-step columns ranked new writing worse on the transfer "
            "validation and in leave-one-source-out validation (see the ablation table below), "
            "so they were left out; the red flags are still found in every post that passes the "
            "screen and are the reasons reviewers read, and `waspada rules` reports how often "
            "each fires."
        )
    strongest, weakest = top_terms(model)
    lines += [
        "",
        "## Strongest terms",
        "",
        "Towards recruitment: " + ", ".join(f"`{t}`" for t, _ in strongest),
        "",
        "Towards benign: " + ", ".join(f"`{t}`" for t, _ in weakest),
        "",
        "## Limits",
        "",
        (
            "- Trained on posts written for the project (no public labeled corpus of such recruitment exists); "
            "field data will differ. Review decisions fed back with `waspada review to-labeled` close that gap."
        ),
        "- Images, videos and voice notes are not read; a post whose offer is only in a picture scores low.",
        (
            "- Scores are calibrated on the labeled mix, where recruitment is far more common than in a real "
            "collection; on real data the precision at the same threshold is lower."
        ),
        "",
    ]
    return "\n".join(lines)
