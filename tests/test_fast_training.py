"""Training counts once and fits each fold from row slices; the results must be exactly what
scikit-learn's fitting gives on each fold's texts.

References are the plain computations: ``TfidfVectorizer.fit`` on the texts, ``WaspadaFeatures``
fitted and applied to the analyses one fold at a time, ``StratifiedGroupKFold.split``.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.model_selection import StratifiedGroupKFold
from test_fast_scoring import TRICKY, _labeled_texts, assert_same_csr

from pipeline import dedup
from pipeline.features import (
    FeatureCounts,
    WaspadaFeatures,
    choose_vocabulary,
    count_matrix,
    select_columns,
    split_texts,
    stack_rows,
    word_term_counts,
)
from pipeline.indicators import analyse_many
from pipeline.modeling.artifacts import load_bundle, save_bundle
from pipeline.modeling.train import stratified_group_splits

# Control characters below the space that are not whitespace change how bigrams sort.
ODD = ["a\x01b c", "a b", "a\x01b a", "a! b", "a !b", "a b", "\x02 a", "\x02 a", "a\x01b c", "ab c"]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _labeled_texts() + TRICKY + ODD


@pytest.fixture(scope="module")
def analyses():
    return analyse_many(_labeled_texts()[::3] + TRICKY + ODD)


def test_vocabulary_keeps_terms_in_enough_posts_and_the_most_frequent():
    texts = ["a b c", "a b", "a d", "a d", "e"]
    terms, counts = word_term_counts(split_texts(texts), (1, 1), 1)
    assert terms == ["a", "b", "c", "d", "e"]
    kept = choose_vocabulary(counts, min_df=2, max_features=None)
    assert [terms[i] for i in kept] == ["a", "b", "d"]
    kept = choose_vocabulary(counts, min_df=2, max_features=2)
    assert [terms[i] for i in kept] == ["a", "b"]  # b and d tie at 2: alphabetical order decides
    with pytest.raises(ValueError, match="enough posts"):
        choose_vocabulary(counts, min_df=9, max_features=None)


def test_terms_are_in_alphabetical_order(texts):
    terms, counts = word_term_counts(split_texts(texts), (1, 2), 1)
    assert terms == sorted(set(terms))
    assert len(terms) == counts.shape[1]


def test_fold_features_equal_fitting_on_the_fold_alone(analyses):
    counts = FeatureCounts(analyses, WaspadaFeatures(max_word_features=3_000))
    rng = np.random.default_rng(3)
    train = np.sort(rng.choice(len(analyses), size=len(analyses) * 2 // 3, replace=False))
    valid = np.setdiff1d(np.arange(len(analyses)), train)
    fitted = counts.fit(train)
    reference = WaspadaFeatures(max_word_features=3_000).fit_analyses([analyses[i] for i in train])
    assert fitted.features.word_vocabulary_ == reference.word_vocabulary_
    np.testing.assert_array_equal(fitted.features.char_tfidf_.idf_, reference.char_tfidf_.idf_)
    assert fitted.features.indicator_names_ == reference.indicator_names_
    for rows in (train, valid, valid[::-1]):
        assert_same_csr(
            fitted.transform(rows), reference.transform_analyses([analyses[i] for i in rows])
        )


def test_a_fold_learns_nothing_from_rows_outside_it():
    # "rahasia" (and its bigrams) appear only in the rows held out: the fold must not know them,
    # and the document frequencies behind its IDF weights count its own rows only.
    posts = [
        "loker admin bekasi",
        "loker admin jakarta",
        "gaji besar kamboja",
        "gaji besar kamboja",
        "rahasia kerja kamboja",
        "rahasia kerja kamboja",
    ]
    counts = FeatureCounts(analyse_many(posts), WaspadaFeatures(min_df=1))
    fitted = counts.fit([0, 1, 2, 3])
    vocabulary = fitted.features.word_vocabulary_
    assert not any("rahasia" in term for term in vocabulary)
    assert "rahasia" in counts.fit().features.word_vocabulary_
    kamboja = fitted.features.word_tfidf_.idf_[vocabulary["kamboja"]]
    assert kamboja == pytest.approx(np.log(5 / 3) + 1)  # in 2 of 4 fold rows (smoothed)
    assert fitted.transform([4, 5])[:, vocabulary["kamboja"]].nnz == 2


def test_counts_in_row_blocks_equal_one_sort():
    rng = np.random.default_rng(0)
    n_rows, width = 40, 2**27  # 16 rows per block of 32-bit keys
    rows = np.sort(rng.integers(0, n_rows - 3, 5_000))  # the last rows stay empty
    columns = rng.integers(0, width, 5_000)
    columns[::3] = columns[1::3][: len(columns[::3])]  # repeats within rows
    reference = sp.coo_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=(n_rows, width)
    ).tocsr()
    reference.sum_duplicates()
    reference.indices, reference.indptr = (
        reference.indices.astype(np.int32),
        reference.indptr.astype(np.int32),
    )
    assert_same_csr(count_matrix(rows, columns, (n_rows, width)), reference)
    shuffled = rng.permutation(len(rows))  # rows out of order take the single-sort path
    assert_same_csr(count_matrix(rows[shuffled], columns[shuffled], (n_rows, width)), reference)
    blocks = [reference[:7], reference[7:7], reference[7:40]]
    assert_same_csr(stack_rows(blocks, width), reference)


def test_select_columns_equals_scipy_indexing():
    matrix = sp.random(50, 80, density=0.2, format="csr", dtype=np.float32, random_state=1)
    for columns in (np.array([3, 7, 8, 40, 79]), np.array([40, 3, 79, 7]), np.arange(0)):
        expected = matrix[:, columns].tocsr()
        expected.sort_indices()
        actual = select_columns(matrix, columns)
        np.testing.assert_array_equal(actual.toarray(), expected.toarray())
        np.testing.assert_array_equal(actual.indices, expected.indices)


def _same_splits(actual, expected) -> None:
    assert len(actual) == len(expected)
    for (train_a, test_a), (train_e, test_e) in zip(actual, expected, strict=True):
        np.testing.assert_array_equal(train_a, train_e)
        np.testing.assert_array_equal(test_a, test_e)


def test_splits_equal_stratified_group_kfold_on_the_labeled_clusters(texts):
    posts = _labeled_texts()
    groups = dedup.cluster(dedup.cluster_texts(posts[::2]))
    y = np.random.default_rng(5).integers(0, 2, len(groups))
    for n_splits, seed in ((3, 20261128), (5, 1)):
        expected = list(
            StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed).split(
                y, y, groups
            )
        )
        _same_splits(stratified_group_splits(y, groups, n_splits, seed), expected)


@pytest.mark.parametrize(
    "n_classes,n_splits,n_groups",
    [(2, 3, 400), (2, 5, 1_500), (3, 5, 300), (4, 3, 1_000), (2, 10, 900)],
)
def test_splits_equal_stratified_group_kfold(n_classes, n_splits, n_groups):
    rng = np.random.default_rng(n_groups)
    y = rng.integers(0, n_classes, 2_000)
    groups = rng.integers(0, n_groups, 2_000)
    expected = list(
        StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=11).split(y, y, groups)
    )
    actual = stratified_group_splits(y, groups, n_splits, 11)
    _same_splits(actual, expected)
    for train, test in actual:  # a group never straddles a split
        assert not set(groups[train]) & set(groups[test])


def test_model_file_stores_the_vocabulary_compactly_and_loads_it_back(bundle, tmp_path):
    features = bundle.model.features
    vocabulary = dict(features.word_vocabulary_)
    save_bundle(bundle.model, tmp_path / "copy", dict(bundle.manifest))
    assert features.word_vocabulary_ == vocabulary  # saving changed nothing in memory
    loaded = load_bundle(tmp_path / "copy").model.features
    assert loaded.word_vocabulary_ == vocabulary
    assert sorted(vars(loaded)) == sorted(vars(features))
    assert pickle.loads(pickle.dumps(features)).word_vocabulary_ == vocabulary
    state = features.__getstate__()
    assert "word_vocabulary_" not in state
    assert state["word_terms_utf8_"].dtype == np.uint8


def test_each_distinct_text_is_analysed_once_and_repeats_get_its_analysis(monkeypatch):
    from pipeline import parallel

    seen: list[str] = []
    real = parallel.analyse

    def counting(text):
        seen.append(text)
        return real(text)

    monkeypatch.setattr(parallel, "analyse", counting)
    texts = ["Loker CS Kamboja gaji 15jt", "loker admin Bekasi", "Loker CS Kamboja gaji 15jt"]
    analysed = parallel.analyse_parallel(texts, jobs=1)
    assert sorted(seen) == sorted(set(texts))
    assert [a.fired for a in analysed] == [real(t).fired for t in texts]
    assert analysed[0].normalized.text == real(texts[2]).normalized.text


def test_disguised_copies_are_a_seeded_sample_past_the_limit():
    from pipeline.modeling.train import obfuscated_positives

    texts = [
        f"Dicari admin ke Kamboja nomor {i} gaji 1500 USD, tiket ditanggung" for i in range(40)
    ]
    y = np.array([1, 0] * 20)
    every = obfuscated_positives(texts, y, seed=3, limit=100)
    capped = obfuscated_positives(texts, y, seed=3, limit=5)
    assert set(every) <= set(np.flatnonzero(y == 1).tolist())
    assert len(every) > 5 and 0 < len(capped) <= 5
    assert capped == obfuscated_positives(texts, y, seed=3, limit=5)


def test_normalising_only_gives_the_same_words_and_characters_as_the_full_analysis():
    from pipeline.features import FeatureCounts, WaspadaFeatures
    from pipeline.parallel import analyse_parallel

    texts = [*TRICKY, *_labeled_texts()[:300]]
    full = analyse_parallel(texts)
    light = analyse_parallel(texts, normalise_only=True)
    assert [a.normalized.text for a in light] == [a.normalized.text for a in full]
    assert not any(a.hits for a in light)
    assert any(a.hits for a in full)
    settings = WaspadaFeatures(use_indicators=False)
    rows = np.arange(len(texts))
    assert_same_csr(
        FeatureCounts(light, settings).fit(rows).transform(rows),
        FeatureCounts(full, WaspadaFeatures(use_indicators=False)).fit(rows).transform(rows),
    )
