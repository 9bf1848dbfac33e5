"""What every indicator does on labeled data, and the registry as a Markdown table.

Per indicator: how often it fires, on recruitment (positives) and on benign posts, its precision,
and how often its cue was found only under negation ("tanpa izin P3MI", "tidak bisa berangkat
cepat") and so did not fire. For the counter-signals, how many recruitment posts carry one: a
counter-signal a recruiter can fake shows up there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline import indicators, labeled, legal
from pipeline.parallel import analyse_parallel


@dataclass
class RulesReport:
    rows: list[dict]
    n_posts: int
    n_positive: int
    positives_with_counter: int  # recruitment posts carrying at least one counter-signal

    @property
    def positive_counter_rate(self) -> float:
        return self.positives_with_counter / self.n_positive if self.n_positive else 0.0


def measure(labeled_path: Path) -> RulesReport:
    """Run every indicator over the labeled posts under ``labeled_path`` and count."""
    data = labeled.load_labeled(labeled_path)
    analyses = analyse_parallel(data["text"].tolist(), description="Running indicators")
    positive = (data["label"] != "benign").tolist()
    n_positive = sum(positive)
    n_benign = len(positive) - n_positive
    counters = {item.name for item in indicators.REGISTRY if item.kind == indicators.COUNTER}
    rows = []
    for item in indicators.REGISTRY:
        fired = [item.name in a.fired for a in analyses]
        fires = sum(fired)
        on_positive = sum(f and p for f, p in zip(fired, positive, strict=True))
        on_benign = fires - on_positive
        negated = sum(
            item.name in a.negated and not f for a, f in zip(analyses, fired, strict=True)
        )
        rows.append(
            {
                "name": item.name,
                "kind": item.kind,
                "label_id": item.label_id,
                "label_en": item.label_en,
                "description_id": item.description_id,
                "description_en": item.description_en,
                "laws_id": legal.describe(item.laws, "id"),
                "laws_en": legal.describe(item.laws, "en"),
                "negatable": item.negatable,
                "fires": fires,
                "coverage": fires / len(analyses) if analyses else 0.0,
                "fires_positive": on_positive,
                "fires_benign": on_benign,
                "precision": on_positive / fires if fires else None,
                "benign_fire_rate": on_benign / n_benign if n_benign else 0.0,
                "negated": negated,
            }
        )
    with_counter = sum(
        p and bool(counters & a.fired) for a, p in zip(analyses, positive, strict=True)
    )
    return RulesReport(rows, len(analyses), n_positive, with_counter)


def rules_report(labeled_path: Path) -> list[dict]:
    """The per-indicator rows of :func:`measure`."""
    return measure(labeled_path).rows


def registry_markdown() -> str:
    """The indicator table of the README, written from the registry (``waspada rules --markdown``)."""
    lines = [
        "| name | kind | Indonesian | English | legal basis | negation |",
        "|---|---|---|---|---|---|",
    ]
    for item in indicators.REGISTRY:
        laws = "; ".join(legal.describe(item.laws, "id")) or "–"
        negation = (
            "a negated cue does not fire"
            if item.negatable
            else f"not applied: {item.negation_note}"
        )
        cells = [
            f"`{item.name}`",
            item.kind,
            f"{item.label_id} — {item.description_id}",
            f"{item.label_en} — {item.description_en}",
            laws,
            negation,
        ]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"
