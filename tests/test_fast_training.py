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
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedGroupKFold
from test_fast_scoring import TRICKY, _labeled_texts, assert_same_csr

from pipeline import dedup
from pipeline.features import (
    FeatureCounts,
    WaspadaFeatures,
    count_matrix,
    fit_word_vectorizer,
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


def _vectorizer(**changes) -> TfidfVectorizer:
    params = {"ngram_range": (1, 2), "min_df": 2, "max_features": 40_000, "sublinear_tf": True,
              "token_pattern": r"(?u)[^\s]+", "lowercase": False, "dtype": np.float32}
    return TfidfVectorizer(**{**params, **changes})


def _fit_from_counts(texts, rows, **changes):
    tokens = split_texts(texts)
    vectorizer = _vectorizer(**changes)
    terms, counts = word_term_counts(tokens, vectorizer.ngram_range, 1)
    fitted, columns = fit_word_vectorizer(vectorizer, counts[rows], terms, int(tokens[0][rows].sum()))
    return fitted, columns, counts


@pytest.mark.parametrize("changes", [
    {},
    {"max_features": 300},           # a cut inside long runs of tied frequencies
    {"max_features": 2_000, "min_df": 1},
    {"ngram_range": (1, 1), "min_df": 3, "max_features": 500},
    {"ngram_range": (2, 2), "max_features": 700},
    {"max_df": 0.05, "max_features": None},
    {"min_df": 0.001, "max_features": 1_000},
])
def test_word_fit_from_counts_equals_tfidf_vectorizer_fit(texts, changes):
    rows = np.flatnonzero(np.random.default_rng(7).random(len(texts)) < 0.7)
    fitted, _, _ = _fit_from_counts(texts, rows, **changes)
    reference = _vectorizer(**changes).fit([texts[i] for i in rows])
    assert fitted.vocabulary_ == {term: int(i) for term, i in reference.vocabulary_.items()}
    np.testing.assert_array_equal(fitted._tfidf.idf_, reference._tfidf.idf_)
    assert fitted._tfidf.idf_.dtype == reference._tfidf.idf_.dtype
    assert sorted(vars(fitted)) == sorted(vars(reference))
    subset = [texts[i] for i in rows[:200]]
    assert_same_csr(fitted.transform(subset), reference.transform(subset))


def test_word_fit_raises_scikit_learns_errors():
    blank = ["", " ", "\t"]
    with pytest.raises(ValueError, match="empty vocabulary"):
        _fit_from_counts(blank, np.arange(3))
    with pytest.raises(ValueError, match="no terms remain"):
        _fit_from_counts(["a b", "c d", "e f"], np.arange(3), min_df=2)


def test_terms_are_in_scikit_learns_order(texts):
    terms, counts = word_term_counts(split_texts(texts), (1, 2), 1)
    assert terms == sorted(set(terms))
    assert len(terms) == counts.shape[1]
    reference = TfidfVectorizer(ngram_range=(1, 2), token_pattern=r"(?u)[^\s]+", lowercase=False).fit(texts)
    assert terms == reference.get_feature_names_out().tolist()


def test_fold_features_equal_fitting_on_the_fold_alone(analyses):
    counts = FeatureCounts(analyses, WaspadaFeatures(max_word_features=3_000))
    rng = np.random.default_rng(3)
    train = np.sort(rng.choice(len(analyses), size=len(analyses) * 2 // 3, replace=False))
    valid = np.setdiff1d(np.arange(len(analyses)), train)
    fitted = counts.fit(train)
    reference = WaspadaFeatures(max_word_features=3_000).fit_analyses([analyses[i] for i in train])
    assert fitted.features.word_vectorizer_.vocabulary_ == reference.word_vectorizer_.vocabulary_
    np.testing.assert_array_equal(fitted.features.char_tfidf_.idf_, reference.char_tfidf_.idf_)
    assert fitted.features.indicator_names_ == reference.indicator_names_
    for rows in (train, valid, valid[::-1]):
        assert_same_csr(fitted.transform(rows), reference.transform_analyses([analyses[i] for i in rows]))


def test_a_fold_learns_nothing_from_rows_outside_it():
    # "rahasia" (and its bigrams) appear only in the rows held out: the fold must not know them,
    # and the document frequencies behind its IDF weights count its own rows only.
    posts = ["loker admin bekasi", "loker admin jakarta", "gaji besar kamboja", "gaji besar kamboja",
             "rahasia kerja kamboja", "rahasia kerja kamboja"]
    counts = FeatureCounts(analyse_many(posts), WaspadaFeatures(min_df=1))
    fitted = counts.fit([0, 1, 2, 3])
    vocabulary = fitted.features.word_vectorizer_.vocabulary_
    assert not any("rahasia" in term for term in vocabulary)
    everything = counts.fit().features.word_vectorizer_
    assert "rahasia" in everything.vocabulary_
    kamboja = fitted.features.word_vectorizer_._tfidf.idf_[vocabulary["kamboja"]]
    assert kamboja == pytest.approx(np.log(5 / 3) + 1)  # in 2 of 4 fold rows (smoothed)
    assert fitted.transform([4, 5])[:, vocabulary["kamboja"]].nnz == 2


def test_counts_in_row_blocks_equal_one_sort():
    rng = np.random.default_rng(0)
    n_rows, width = 40, 2**27  # 16 rows per block of 32-bit keys
    rows = np.sort(rng.integers(0, n_rows - 3, 5_000))  # the last rows stay empty
    columns = rng.integers(0, width, 5_000)
    columns[::3] = columns[1::3][: len(columns[::3])]  # repeats within rows
    reference = sp.coo_matrix((np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=(n_rows, width)).tocsr()
    reference.sum_duplicates()
    reference.indices, reference.indptr = reference.indices.astype(np.int32), reference.indptr.astype(np.int32)
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
    for (train_a, test_a), (train_e, test_e) in zip(actual, expected):
        np.testing.assert_array_equal(train_a, train_e)
        np.testing.assert_array_equal(test_a, test_e)


def test_splits_equal_stratified_group_kfold_on_the_labeled_clusters(texts):
    posts = _labeled_texts()
    groups = dedup.cluster([a.normalized.text for a in analyse_many(posts[::2])])
    y = np.random.default_rng(5).integers(0, 2, len(groups))
    for n_splits, seed in ((3, 20261128), (5, 1)):
        expected = list(StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed).split(y, y, groups))
        _same_splits(stratified_group_splits(y, groups, n_splits, seed), expected)


@pytest.mark.parametrize("n_classes,n_splits,n_groups", [(2, 3, 400), (2, 5, 1_500), (3, 5, 300), (4, 3, 1_000), (2, 10, 900)])
def test_splits_equal_stratified_group_kfold(n_classes, n_splits, n_groups):
    rng = np.random.default_rng(n_groups)
    y = rng.integers(0, n_classes, 2_000)
    groups = rng.integers(0, n_groups, 2_000)
    expected = list(StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=11).split(y, y, groups))
    actual = stratified_group_splits(y, groups, n_splits, 11)
    _same_splits(actual, expected)
    for train, test in actual:  # a group never straddles a split
        assert not set(groups[train]) & set(groups[test])


def test_model_file_stores_the_vocabulary_compactly_and_loads_it_back(bundle, tmp_path):
    features = bundle.model.features
    vocabulary = dict(features.word_vectorizer_.vocabulary_)
    save_bundle(bundle.model, tmp_path / "copy", dict(bundle.manifest))
    assert features.word_vectorizer_.vocabulary_ == vocabulary  # saving changed nothing in memory
    loaded = load_bundle(tmp_path / "copy").model.features
    assert loaded.word_vectorizer_.vocabulary_ == vocabulary
    assert sorted(vars(loaded)) == sorted(vars(features))
    assert pickle.loads(pickle.dumps(features)).word_vectorizer_.vocabulary_ == vocabulary
    state = features.__getstate__()
    assert not hasattr(state["word_vectorizer_"], "vocabulary_")
    assert state["word_terms_utf8_"].dtype == np.uint8
