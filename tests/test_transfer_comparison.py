"""The comparison with plain TF-IDF on the transfer validation, at equal false positives."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.modeling import card
from pipeline.modeling.stages import ranking_summary
from pipeline.modeling.train import TrainConfig, plain_tfidf_on_transfer, prepare
from pipeline.modeling.transfer import TransferSet, evaluate_transfer


def _transfer(texts: list[str], labels: list[str]) -> TransferSet:
    return TransferSet(
        pd.DataFrame(
            {
                "text": texts,
                "label": labels,
                "kind": ["k"] * len(texts),
                "disguised": [False] * len(texts),
                "writer": ["a", "b"] * (len(texts) // 2),
            }
        )
    )


def test_ranking_counts_ties_against_the_model():
    y = np.array([1, 1, 0, 0, 0])
    # A positive tied with the highest negative is not counted as found at a budget of 0 extra negatives.
    assert (
        ranking_summary(y, np.array([0.9, 0.5, 0.5, 0.2, 0.1]), budgets=(0, 1))["recall_at_0_fp"]
        == 0.5
    )
    assert (
        ranking_summary(y, np.array([0.9, 0.6, 0.5, 0.2, 0.1]), budgets=(0,))["recall_at_0_fp"]
        == 1.0
    )


def test_plain_tfidf_is_fitted_on_the_training_rows_and_ranked_on_the_transfer_set(corpus_dir):
    from pipeline import labeled

    data = (
        labeled.load_labeled(corpus_dir)
        .groupby("label", group_keys=False)
        .head(60)
        .reset_index(drop=True)
    )
    prepared = prepare(data, TrainConfig(seed=7, jobs=1, leave_one_source_out=False))
    transfer = _transfer(
        [
            "Lowongan admin online di Kamboja, gaji 1000 USD, tiket ditanggung, chat WA aja",
            "Ikut speedboat malam ke Johor tanpa paspor, 3 juta, kumpul di dermaga",
            "Dijual nasi uduk murah di depan sekolah, pesan lewat WA",
            "Waspada lowongan kerja ke Kamboja! Jangan percaya tawaran gaji dolar tanpa kontrak",
        ],
        ["tppo", "tppm", "benign", "benign"],
    )
    summary = plain_tfidf_on_transfer(prepared, TrainConfig(seed=7), transfer)
    assert summary["n"] == 4 and summary["positives"] == 2
    assert 0.0 <= summary["recall_at_3_fp"] <= 1.0


def test_model_card_shows_the_baseline_beside_the_model():
    transfer = _transfer(["a", "b", "c", "d"], ["tppo", "benign", "tppo", "benign"])
    metrics = evaluate_transfer(
        transfer, np.array([0.9, 0.1, 0.8, 0.2]), {"high": 0.5, "watch": 0.3}
    )
    metrics["baseline_ranking"] = {
        "plain_tfidf_logreg": ranking_summary(
            transfer.y, np.array([0.3, 0.6, 0.8, 0.2]), transfer.disguised
        )
    }
    text = "\n".join(card.transfer_lines(metrics))
    assert "| plain_tfidf_logreg: recall |" in text
    assert "| recall | 1.000 |" in text
