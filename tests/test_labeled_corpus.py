"""A team's own labeled data (review-desk decisions, files added later) sits next to the shipped
corpus in data/labeled/ without changing what the test suite or the data card count."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from test_review_store import post

from pipeline.datacard import CARD_NAME, corpus_files, counts_block, load_corpus, refresh
from pipeline.errors import InputError
from pipeline.labeled import load_labeled
from pipeline.review.store import ReviewStore
from pipeline.review.to_labeled import to_labeled

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def team_folder(tmp_path) -> Path:
    """data/labeled as a team has it after reviewing: the shipped files plus review-*.jsonl."""
    labeled = tmp_path / "labeled"
    shutil.copytree(ROOT / "data" / "labeled", labeled)
    rng = random.Random(18)
    store = ReviewStore(f"sqlite:///{tmp_path / 'review.sqlite'}")
    rows = [
        post(
            f"t{i}",
            rng.random(),
            f"Lowongan {rng.choice(['operator', 'admin', 'ABK'])} ke {rng.choice(['Kamboja', 'Bekasi', 'Taiwan'])} "
            f"gaji {rng.randint(3, 30)}jt nomor {i} {rng.getrandbits(32):x}",
        )
        for i in range(40)
    ]
    store.add_posts(rows, model_id="model-a")
    for row in rows:
        store.decide([row["post_id"]], rng.choice(["tppo", "tppm", "benign"]), "Sari")
    result = to_labeled(store, labeled)
    store.close()
    assert result.written == 40 and result.path.name.startswith("review-")
    return labeled


def test_reviewed_decisions_change_neither_the_corpus_nor_the_data_card(team_folder):
    card = (team_folder / CARD_NAME).read_text(encoding="utf-8")
    everything, corpus = load_labeled(team_folder), load_corpus(team_folder)
    reviewed = everything[everything["source_file"].str.startswith("review-")]
    assert (
        len(reviewed) >= 40 and not corpus["source_file"].str.startswith("review-").any()
    )  # training sees them
    assert counts_block(load_corpus(team_folder)) in card  # the card's check does not
    assert [p.name for p in corpus_files(team_folder)] == [
        p.name for p in corpus_files(ROOT / "data" / "labeled")
    ]
    assert (
        refresh(team_folder / CARD_NAME, team_folder) is False
    )  # and refreshing the card leaves it alone


def test_a_file_the_team_adds_by_hand_is_not_part_of_the_corpus(team_folder):
    (team_folder / "catatan_tim.csv").write_text(
        "text,label\nKerja di Kamboja gaji 20jt tanpa visa kerja,tppo\n", encoding="utf-8"
    )
    assert "catatan_tim.csv" not in [p.name for p in corpus_files(team_folder)]
    assert counts_block(load_corpus(team_folder)) in (team_folder / CARD_NAME).read_text(
        encoding="utf-8"
    )


def test_a_missing_corpus_file_says_how_to_restore_it(team_folder):
    corpus_files(team_folder)[0].unlink()
    with pytest.raises(InputError, match="not in") as raised:
        corpus_files(team_folder)
    assert "git" in raised.value.hint
