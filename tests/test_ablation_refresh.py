"""Refreshing the shipped model's row of the ablation table after retraining."""

from __future__ import annotations

from pipeline.modeling import ablation


def test_refresh_replaces_only_the_shipped_row(monkeypatch):
    earlier = {
        "transfer_validation": {"posts": 440},
        "rows": [
            {"name": "plain TF-IDF (baseline)", "recall_at_3_fp": 0.86},
            {"name": "shipped two-stage model (waspada-old)", "recall_at_3_fp": 0.90},
        ],
    }
    monkeypatch.setattr(ablation, "judged_sets", lambda jobs: None)
    monkeypatch.setattr(
        ablation,
        "shipped_variant",
        lambda: ablation.Variant("shipped two-stage model (waspada-new)", "", "", None),
    )
    monkeypatch.setattr(
        ablation, "judge", lambda variant, sets: {"name": variant.name, "recall_at_3_fp": 0.94}
    )
    refreshed = ablation.refresh_shipped(earlier, jobs=1)
    assert [row["name"] for row in refreshed["rows"]] == [
        "plain TF-IDF (baseline)",
        "shipped two-stage model (waspada-new)",
    ]
    assert refreshed["rows"][0] == earlier["rows"][0]
    assert refreshed["transfer_validation"] == earlier["transfer_validation"]
