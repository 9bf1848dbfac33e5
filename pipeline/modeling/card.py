"""The model card: what the model is, what it was trained on, how well it did, what it weighs."""

from __future__ import annotations

from pipeline import indicators
from pipeline.modeling.explain import readable_term
from pipeline.modeling.model import WaspadaModel


def _fmt(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def indicator_weights(model: WaspadaModel) -> list[tuple[str, float]]:
    names = model.features.get_feature_names_out()
    weights = model.linear_weights()
    return sorted(
        ((name.removeprefix("indicator__"), float(w)) for name, w in zip(names, weights) if name.startswith("indicator__")),
        key=lambda item: -item[1],
    )


def top_terms(model: WaspadaModel, count: int = 20) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    names = model.features.get_feature_names_out()
    weights = model.linear_weights()
    words = [(term, float(w)) for n, w in zip(names, weights) if (term := readable_term(n)) is not None]
    words.sort(key=lambda item: item[1])
    return words[::-1][:count], words[:count]


def render(model: WaspadaModel, manifest: dict, cv: dict[str, dict]) -> str:
    data = manifest["labeled_data"]
    lines = [
        f"# Model card: {manifest['model_id']}",
        "",
        ("Scores Indonesian social-media posts for recruitment into human trafficking (TPPO) or people "
        "smuggling (TPPM). Its output is a reason to look, never proof: every flag goes to a person."),
        "",
        "## Training data",
        (f"- Labeled posts: {sum(data['counts'].values())} ({', '.join(f'{k}: {v}' for k, v in data['counts'].items())}), "
        f"plus {data['augmented_variants']} augmented variants; {data['near_duplicate_groups']} near-duplicate groups."),
        f"- Data hash (sha256): `{data['sha256']}`; files: {', '.join(data['files'])}.",
        f"- Seed {manifest['seed']}; selected candidate: **{manifest['selected_candidate']}**.",
        f"- Threshold **{manifest['threshold']:.4f}** ({manifest['threshold_rule']}).",
        "",
        "## Grouped cross-validation (out-of-fold, same folds for every row)",
        "",
        "| model | PR-AUC | recall @ precision 0.90 | precision @ thr | recall @ thr | recall on disguised copies | FPR awareness+news | FPR hard negatives |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, m in cv.items():
        lines.append(
            f"| {name} | {_fmt(m['pr_auc'])} | {_fmt(m['recall_at_precision_0_90'])} | {_fmt(m['precision'])} | "
            f"{_fmt(m['recall'])} | {_fmt(m.get('obfuscated_recall'))} | {_fmt(m.get('awareness_news_fpr'))} | {_fmt(m.get('hard_negative_fpr'))} |"
        )
    lines += ["", ("Thresholds in this table are set per row at the same target recall on its own out-of-fold scores; "
              "the keyword search has only one operating point."), "", "## Learned weights of the red-flag indicators", "",
              "| indicator | kind | weight |", "|---|---|---|"]
    for name, weight in indicator_weights(model):
        lines.append(f"| `{name}` | {indicators.by_name(name).kind} | {weight:+.3f} |")
    strongest, weakest = top_terms(model)
    lines += ["", "## Strongest terms", "", "Towards recruitment: " + ", ".join(f"`{t}`" for t, _ in strongest),
              "", "Towards benign: " + ", ".join(f"`{t}`" for t, _ in weakest), "",
              "## Limits", "",
              ("- Trained on posts written for the project (no public labeled corpus of such recruitment exists); "
              "field data will differ. Review decisions fed back with `waspada review to-labeled` close that gap."),
              "- Images, videos and voice notes are not read; a post whose offer is only in a picture scores low.",
              ("- Scores are calibrated on the labeled mix, where recruitment is far more common than in a real "
              "collection; on real data the precision at the same threshold is lower."), ""]
    return "\n".join(lines)
