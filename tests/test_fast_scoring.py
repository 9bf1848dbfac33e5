"""The fast scoring path gives exactly what the straightforward path gives.

Each reference below is the plain way of computing the same thing (scikit-learn's vectorisers,
one explanation per sparse row, one MinHash signature per post); the fast path must match it bit
for bit, on the labeled corpus and on strings chosen to hit the edge cases.
"""

from __future__ import annotations

import json
import math
import zlib
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer
from sklearn.utils import murmurhash3_32

from pipeline import dedup, features, indicators, scoring
from pipeline.datacard import corpus_files
from pipeline.features import STRUCTURE_FEATURES, WaspadaFeatures, WordNgramColumns
from pipeline.indicators import analyse_many
from pipeline.modeling.explain import Explainer, Explanation, readable_term
from pipeline.modeling.predict import Scorer

ROOT = Path(__file__).resolve().parents[1]

TRICKY = [
    "", " ", "\n\t ", "a", "a b  c", "ab", "abc abcd abcde abcdef", "kerja\tdi\n\nK4mboja",
    "🙂", "gaji 🙂🙂 15jt ✈️ ke Kamboja", "naïve café", "e\u0301 combining", "Ωmega ßtraße İstanbul",
    "x\u00a0y\u2003z\u3000w", "\x1c\x1dab\x1e cd\x1f", "zero\u200bwidth", "a" * 300, "lowong" * 40 + " ok",
    "_url_ _phone_ _email_ kirim cv", "中文 招聘 柬埔寨", "مرحبا بالعالم", "LOKER Admin loker admin",
]


def _labeled_texts() -> list[str]:
    texts = []
    for path in corpus_files(ROOT / "data" / "labeled"):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _labeled_texts() + TRICKY


@pytest.fixture(scope="module")
def analyses():
    labeled = _labeled_texts()
    return analyse_many(labeled[::8] + TRICKY)


def assert_same_csr(actual, expected) -> None:
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    assert actual.indptr.dtype == expected.indptr.dtype and actual.indices.dtype == expected.indices.dtype
    np.testing.assert_array_equal(actual.indptr, expected.indptr)
    np.testing.assert_array_equal(actual.indices, expected.indices)
    np.testing.assert_array_equal(actual.data, expected.data)


def _char_hasher(n_features: int = 2**18, ngram_range=(3, 5), **changes) -> HashingVectorizer:
    params = {"analyzer": "char_wb", "ngram_range": ngram_range, "n_features": n_features,
              "alternate_sign": False, "norm": None, "lowercase": False, "dtype": np.float32}
    return HashingVectorizer(**{**params, **changes})


# ----------------------------------------------------------------------------------------------
# Character block


def test_char_counts_equal_hashing_vectorizer(texts):
    columns = WordNgramColumns(2**18, (3, 5))
    assert_same_csr(columns.counts(texts), _char_hasher().transform(texts))
    assert len(columns) > 1000
    # Second pass: every word comes from the cache now.
    reordered = texts[::-1]
    assert_same_csr(columns.counts(reordered), _char_hasher().transform(reordered))


def test_char_counts_with_other_settings_and_many_collisions(texts):
    sample = texts[::5]
    for n_features, ngram_range in ((2**6, (1, 3)), (2**10, (2, 2)), (2**20, (3, 6))):
        columns = WordNgramColumns(n_features, ngram_range)
        expected = _char_hasher(n_features, ngram_range).transform(sample)
        assert_same_csr(columns.counts(sample), expected)
    assert WordNgramColumns(2**6, (1, 3)).counts(sample).data.max() > 1  # collisions were summed


def test_vectorised_murmurhash_equals_scikit_learns(texts):
    rng = np.random.default_rng(5)
    strings = ["", "a", "ab", "abc", "abcd", "abcde", " é🙂ü "] + [
        "".join(map(chr, rng.integers(32, 0x2FFF, size=int(rng.integers(0, 40))))) for _ in range(2000)
    ] + texts[:300]
    encoded = [s.encode("utf-8") for s in strings]
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    lengths = np.array([len(e) for e in encoded], dtype=np.int64)
    actual = features.murmurhash3_32_many(data, np.cumsum(lengths) - lengths, lengths)
    np.testing.assert_array_equal(actual.astype(np.int64), [murmurhash3_32(s, seed=0) for s in strings])


def test_char_cache_starting_over_changes_nothing(texts):
    columns = WordNgramColumns(2**18, (3, 5), max_words=50)
    hasher = _char_hasher()
    for start in range(0, 600, 60):
        batch = texts[start:start + 60]
        assert_same_csr(columns.counts(batch), hasher.transform(batch))
        assert len(columns) <= 50 + sum(len(t.split()) for t in batch)


def test_char_settings_the_cache_does_not_reproduce_go_through_scikit_learn(texts):
    sample = texts[:200]
    for hasher in (_char_hasher(lowercase=True), _char_hasher(analyzer="char"), _char_hasher(alternate_sign=True)):
        assert_same_csr(features._fast_char_counts(hasher, sample), hasher.transform(sample))


# ----------------------------------------------------------------------------------------------
# Word block


@pytest.mark.parametrize("ngram_range", [(1, 2), (1, 1), (2, 3)])
def test_word_tfidf_equals_tfidf_vectorizer(texts, ngram_range):
    vectorizer = TfidfVectorizer(
        ngram_range=ngram_range, min_df=2, max_features=5000, sublinear_tf=True, token_pattern=r"(?u)[^\s]+",
        lowercase=False, dtype=np.float32,
    ).fit(texts[::2])
    assert_same_csr(features._fast_word_tfidf(vectorizer, texts), vectorizer.transform(texts))


def test_word_settings_the_fast_path_does_not_reproduce_go_through_scikit_learn(texts):
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, dtype=np.float32).fit(texts)
    assert_same_csr(features._fast_word_tfidf(vectorizer, texts[:300]), vectorizer.transform(texts[:300]))


# ----------------------------------------------------------------------------------------------
# The whole feature matrix, explanations and scores with the trained model


def _reference_structure_row(analysis) -> list[float]:
    text = analysis.normalized.text
    pay = analysis.entities.max_monthly_pay or 0.0
    n_red = sum(1 for hit in analysis.hits if indicators.by_name(hit.name).kind == indicators.RED_FLAG)
    n_counter = len(analysis.hits) - n_red
    return [
        math.log1p(text.count(" ") + 1) / 6.0,
        math.log10(pay) / 8.0 if pay > 0 else 0.0,
        1.0 if pay >= 10_000_000 else 0.0,
        1.0 if features._FORMAL_CONTACT_RE.search(text) else 0.0,
        1.0 if features._QUALIFICATION_RE.search(text) else 0.0,
        min(len(analysis.normalized.evasions), 3) / 3.0,
        min(n_red, 6) / 6.0,
        min(n_counter, 3) / 3.0,
    ]


def reference_matrix(model_features: WaspadaFeatures, analyses) -> sp.csr_matrix:
    normalized = [a.normalized.text for a in analyses]
    chars = model_features.char_tfidf_.transform(model_features.char_hasher_.transform(normalized))
    index = {name: i for i, name in enumerate(model_features.indicator_names_)}
    dense = np.zeros((len(analyses), len(index) + len(STRUCTURE_FEATURES)), dtype=np.float32)
    for row, analysis in enumerate(analyses):
        for hit in analysis.hits:
            if hit.name in index:
                dense[row, index[hit.name]] = model_features.indicator_weight
        dense[row, len(index):] = _reference_structure_row(analysis)
    blocks = [model_features.word_vectorizer_.transform(normalized), chars, sp.csr_matrix(dense)]
    return sp.hstack(blocks, format="csr", dtype=np.float32)


def reference_explain(explainer: Explainer, analysis, row) -> Explanation:
    result = Explanation()
    for hit in analysis.hits:
        weight = explainer.indicator_weight.get(hit.name, 0.0)
        item = indicators.by_name(hit.name)
        target = result.red_flags if item.kind == indicators.RED_FLAG else result.counters
        target.append((hit.name, hit.evidence, weight))
    result.red_flags.sort(key=lambda item: (-item[2], item[0]))
    result.counters.sort(key=lambda item: (item[2], item[0]))
    columns, values = row.indices, row.data
    contributions = values * explainer.weights[columns]
    keep = explainer.readable[columns] & (contributions > 0)
    order = np.argsort(-contributions[keep], kind="stable")[: explainer.top_terms]
    result.terms = [(readable_term(explainer.names[c]), float(v))
                    for c, v in zip(columns[keep][order], contributions[keep][order])]
    entities = analysis.entities
    result.contacts = entities.contacts
    result.destinations = entities.destinations
    pay = entities.max_monthly_pay
    if pay:
        best = max((m for m in entities.money if m.idr_per_month), key=lambda m: m.idr_per_month)
        result.pay_idr_month, result.pay_text = pay, best.text
    return result


def test_feature_matrix_equals_the_scikit_learn_path(bundle, analyses):
    model_features = bundle.model.features
    assert_same_csr(model_features.transform_analyses(analyses), reference_matrix(model_features, analyses))


def test_transform_keeps_no_cache_on_the_model(bundle, analyses):
    model_features = bundle.model.features
    before = dict(vars(model_features))
    model_features.transform_analyses(analyses)
    assert vars(model_features).keys() == before.keys()
    assert all(vars(model_features)[key] is value for key, value in before.items())


def test_scores_and_explanations_equal_one_row_at_a_time(bundle, analyses):
    scorer = Scorer(bundle)
    prediction = scorer.model.predict_analyses(analyses)
    scored = scorer.score_prediction(analyses, prediction)
    assert len(scored) == len(analyses)
    for i, (analysis, post) in enumerate(zip(analyses, scored)):
        expected = reference_explain(scorer.explainer, analysis, prediction.features[i])
        assert post.explanation == expected
        assert post.explanation.reasons("id") == expected.reasons("id")
        assert post.explanation.reasons("en") == expected.reasons("en")
        assert post.score == float(np.clip(prediction.scores[i], 0.0, 1.0))
        assert post.flagged == (post.score >= scorer.threshold)
        assert post.category == prediction.categories[i]
    assert sum(bool(post.explanation.terms) for post in scored) > len(scored) // 4
    # The one-row entry point agrees too.
    assert scorer.explainer.explain(analyses[0], prediction.features[0]) == scored[0].explanation


class _TiedModel:
    """A linear model whose contributions tie often: the order among ties must not change."""

    def __init__(self, names: list[str], weights: np.ndarray):
        self.names, self.weights = names, weights
        self.features = self

    def get_feature_names_out(self) -> np.ndarray:
        return np.asarray(self.names, dtype=object)

    def linear_weights(self) -> np.ndarray:
        return self.weights


def test_strong_terms_keep_column_order_among_ties():
    rng = np.random.default_rng(11)
    names = [f"word__term{i:02d}" for i in range(40)] + ["word__a.b", "char__1", "indicator__potong_gaji"]
    weights = rng.choice([-1.0, 0.0, 0.5, 1.0], size=len(names))
    explainer = Explainer(_TiedModel(names, weights), top_terms=3)
    matrix = sp.random(60, len(names), density=0.3, format="csr", random_state=4, dtype=np.float32)
    matrix.data = rng.choice([1.0, 2.0], size=matrix.nnz).astype(np.float32)
    analysis = analyse_many(["teks biasa"])[0]
    fast = explainer.strong_terms(matrix)
    for i in range(matrix.shape[0]):
        assert fast[i] == reference_explain(explainer, analysis, matrix[i]).terms
    assert any(len(terms) == 3 for terms in fast)


# ----------------------------------------------------------------------------------------------
# MinHash signatures


def reference_shingles(normalized_text: str, size: int = 3) -> np.ndarray:
    tokens = [t for t in normalized_text.split() if len(t) > 1 or t.isalnum()]
    if len(tokens) <= size:
        grams = [" ".join(tokens)] if tokens else [""]
    else:
        grams = [" ".join(tokens[i:i + size]) for i in range(len(tokens) - size + 1)]
    return np.fromiter((zlib.crc32(g.encode("utf-8")) for g in set(grams)), dtype=np.uint64)


def test_signatures_equal_one_post_at_a_time(texts):
    hasher = dedup.MinHasher(num_perm=32)
    sample = texts[::3]
    expected = np.array([hasher.signature(reference_shingles(t)) for t in sample])
    for block in (32_768, 7, 1):  # 7 and 1: most texts are longer than a block
        np.testing.assert_array_equal(hasher.signatures(sample, block=block), expected)
    assert hasher.signatures([]).shape == (0, 32)
    for text in sample[:200]:
        assert set(dedup.shingles(text).tolist()) == set(reference_shingles(text).tolist())


def test_chunk_scorer_signatures_equal_one_post_at_a_time(bundle):
    worker = scoring.ChunkScorer(bundle, None, "id")
    posts = [{"post_id": f"p{i}", "text": text} for i, text in enumerate(_labeled_texts()[:50] + TRICKY)]
    frame, signatures, _ = worker.score_frame(posts)
    expected = [worker.hasher.signature(reference_shingles(a.normalized.text)) for a in analyse_many([p["text"] for p in posts])]
    np.testing.assert_array_equal(signatures, np.array(expected).T)
    assert len(frame) == len(posts)


def test_shingle_hashes_equal_crc32_of_the_joined_shingles(texts):
    hasher = dedup.ShingleHasher(max_tokens=200)  # small: the token cache starts over many times
    sample = texts[::4] + ["a", "a b", ". , !", "ab ✈️ é ß 🙂 中文 x" * 3, "_url_ " * 5]
    for start in range(0, len(sample), 37):
        batch = sample[start:start + 37]
        hashes, starts = hasher.hashes(batch)
        runs = np.split(hashes, starts[1:])
        for text, run in zip(batch, runs):
            tokens = [t for t in text.split() if len(t) > 1 or t.isalnum()]
            grams = [" ".join(tokens[i:i + 3]) for i in range(len(tokens) - 2)] if len(tokens) > 3 else [" ".join(tokens)]
            assert run.tolist() == [zlib.crc32(g.encode("utf-8")) for g in grams]
