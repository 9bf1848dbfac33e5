"""The fast scoring path gives exactly what the straightforward path gives.

Each reference below is the plain way of computing the same thing (scikit-learn's vectorisers,
one explanation per sparse row, one MinHash signature per post); the fast path must match it bit
for bit, on the labeled corpus and on strings chosen to hit the edge cases.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from pipeline import dedup, indicators
from pipeline.datacard import corpus_files
from pipeline.hashgrams import HashedNgrams
from pipeline.indicators import analyse_many, is_queue_worthy
from pipeline.modeling.explain import Explainer, Explanation, readable_term
from pipeline.modeling.predict import Scorer
from pipeline.scoring import ChunkScorer

ROOT = Path(__file__).resolve().parents[1]

TRICKY = [
    "",
    " ",
    "\n\t ",
    "a",
    "a b  c",
    "ab",
    "abc abcd abcde abcdef",
    "kerja\tdi\n\nK4mboja",
    "🙂",
    "gaji 🙂🙂 15jt ✈️ ke Kamboja",
    "naïve café",
    "e\u0301 combining",
    "Ωmega ßtraße İstanbul",
    "x\u00a0y\u2003z\u3000w",
    "\x1c\x1dab\x1e cd\x1f",
    "zero\u200bwidth",
    "a" * 300,
    "lowong" * 40 + " ok",
    "_url_ _phone_ _email_ kirim cv",
    "中文 招聘 柬埔寨",
    "مرحبا بالعالم",
    "LOKER Admin loker admin",
]


def _labeled_texts() -> list[str]:
    texts = []
    for path in corpus_files(ROOT / "data" / "labeled"):
        texts += [
            json.loads(line)["text"]
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _labeled_texts() + TRICKY


@pytest.fixture(scope="module")
def sample_texts() -> list[str]:
    return _labeled_texts()[::8] + TRICKY


@pytest.fixture(scope="module")
def analyses(sample_texts):
    return analyse_many(sample_texts)


def assert_same_csr(actual, expected) -> None:
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    assert (
        actual.indptr.dtype == expected.indptr.dtype
        and actual.indices.dtype == expected.indices.dtype
    )
    np.testing.assert_array_equal(actual.indptr, expected.indptr)
    np.testing.assert_array_equal(actual.indices, expected.indices)
    np.testing.assert_array_equal(actual.data, expected.data)


# ----------------------------------------------------------------------------------------------
# Hashed n-grams: counted for a whole chunk, each post as if alone


def test_hashed_counts_of_a_chunk_equal_each_post_alone(texts):
    counter = HashedNgrams(char_ngrams=(3, 5), word_ngrams=None, bits=18).fit([])
    sample = texts[::7]
    together = counter.counts(sample)
    alone = sp.vstack([counter.counts([text]) for text in sample], format="csr")
    assert (together != alone).nnz == 0
    assert together.shape == (len(sample), 2**18)


def test_no_ngram_crosses_from_one_post_into_the_next():
    counter = HashedNgrams(char_ngrams=(2, 4), word_ngrams=(1, 2), bits=16).fit([])
    joined = counter.counts(["kerja di", "kamboja sekarang"])
    assert (joined[0] != counter.counts(["kerja di"])).nnz == 0
    assert (joined[1] != counter.counts(["kamboja sekarang"])).nnz == 0


def test_linear_scores_equal_the_matrix_product(texts):
    grams = HashedNgrams(bits=16).fit([])
    weights = np.random.default_rng(3).normal(size=2**16).astype(np.float32)
    sample = texts[::5]  # more posts than one scoring block
    assert len(sample) > 512
    np.testing.assert_allclose(
        grams.linear_scores(sample, weights, 0.25),
        grams.transform(sample) @ weights + 0.25,
        rtol=1e-4,
        atol=1e-4,
    )


def test_case_digits_and_spacing_do_not_change_the_ngrams():
    grams = HashedNgrams(bits=16).fit([])
    assert (
        grams.counts(["Gaji 15JT  di   Kamboja"]) != grams.counts(["gaji 27jt di kamboja"])
    ).nnz == 0


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
    result.terms = [
        (readable_term(explainer.names[c]), float(v))
        for c, v in zip(columns[keep][order], contributions[keep][order], strict=True)
    ]
    entities = analysis.entities
    result.contacts = entities.contacts
    result.destinations = entities.destinations
    pay = entities.max_monthly_pay
    if pay:
        best = max((m for m in entities.money if m.idr_per_month), key=lambda m: m.idr_per_month)
        result.pay_idr_month, result.pay_text = pay, best.text
    return result


def test_feature_matrix_of_a_chunk_equals_each_post_alone(bundle, analyses):
    model_features = bundle.model.features
    together = model_features.transform_analyses(analyses)
    alone = sp.vstack([model_features.transform_analyses([a]) for a in analyses[::5]], format="csr")
    np.testing.assert_allclose(together[::5].toarray(), alone.toarray(), rtol=1e-6)


def test_transform_keeps_no_cache_on_the_model(bundle, analyses):
    model_features = bundle.model.features
    before = dict(vars(model_features))
    model_features.transform_analyses(analyses)
    assert vars(model_features).keys() == before.keys()
    assert all(vars(model_features)[key] is value for key, value in before.items())


def test_scores_and_explanations_equal_one_row_at_a_time(bundle, sample_texts, analyses):
    scorer = Scorer(bundle)
    prediction = scorer.model.predict(sample_texts, analyses, use_screen=False)
    scored = scorer.score_prediction(analyses, prediction)
    assert len(scored) == len(analyses)
    for i, (analysis, post) in enumerate(zip(analyses, scored, strict=True)):
        expected = reference_explain(scorer.explainer, analysis, prediction.features[i])
        assert post.explanation == expected
        assert post.explanation.reasons("id") == expected.reasons("id")
        assert post.explanation.reasons("en") == expected.reasons("en")
        assert post.score == float(np.clip(prediction.scores[i], 0.0, 1.0))
        assert post.flagged == (post.score >= scorer.threshold and is_queue_worthy(analysis.fired))
        assert post.category == prediction.categories[i]
    assert sum(bool(post.explanation.terms) for post in scored) > len(scored) // 4
    # The one-row entry point agrees too.
    assert scorer.explainer.explain(analyses[0], prediction.features[0]) == scored[0].explanation


def test_a_post_too_short_to_judge_is_flagged_only_when_a_red_flag_fires(bundle):
    # Threshold 0: every score would be a flag, so only the too-short rule can hold one back.
    scorer = Scorer(bundle, threshold=0.0, use_screen=False)
    bare, with_red_flag, full_post = scorer.score_texts(
        [
            "Amiennnn.",
            "Loker Kamboja",
            "Dicari admin online penempatan Kamboja, gaji 20jt, tiket dan visa ditanggung",
        ]
    )
    assert "terlalu_pendek" in bare.analysis.fired
    assert not bare.flagged
    assert "terlalu_pendek" in with_red_flag.analysis.fired
    assert with_red_flag.flagged
    assert "terlalu_pendek" not in full_post.analysis.fired
    assert full_post.flagged


def test_the_shipped_configuration_scores_words_and_characters_only(bundle):
    names = bundle.model.features.get_feature_names_out().tolist()
    assert any(name.startswith("word__") for name in names)
    assert not any(name.startswith(("indicator__", "struct__")) for name in names)
    assert "None: this model scores the normalised words and characters only" in (
        bundle.path / "MODEL_CARD.md"
    ).read_text(encoding="utf-8")


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
    names = [f"word__term{i:02d}" for i in range(40)] + [
        "word__a.b",
        "char__1",
        "indicator__potong_gaji",
    ]
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
        grams = [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]
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
    worker = ChunkScorer(bundle, None, "id")
    posts = [
        {"post_id": f"p{i}", "text": text} for i, text in enumerate(_labeled_texts()[:50] + TRICKY)
    ]
    frame, signatures, _ = worker.score_frame(posts)
    expected = [
        worker.hasher.signature(reference_shingles(text))
        for text in dedup.cluster_texts([p["text"] for p in posts])
    ]
    np.testing.assert_array_equal(signatures, np.array(expected).T)
    assert len(frame) == len(posts)


def test_shingle_hashes_equal_crc32_of_the_joined_shingles(texts):
    hasher = dedup.ShingleHasher(max_tokens=200)  # small: the token cache starts over many times
    sample = [*texts[::4], "a", "a b", ". , !", "ab ✈️ é ß 🙂 中文 x" * 3, "_url_ " * 5]
    for start in range(0, len(sample), 37):
        batch = sample[start : start + 37]
        hashes, starts = hasher.hashes(batch)
        runs = np.split(hashes, starts[1:])
        for text, run in zip(batch, runs, strict=True):
            tokens = [t for t in text.split() if len(t) > 1 or t.isalnum()]
            grams = (
                [" ".join(tokens[i : i + 3]) for i in range(len(tokens) - 2)]
                if len(tokens) > 3
                else [" ".join(tokens)]
            )
            assert run.tolist() == [zlib.crc32(g.encode("utf-8")) for g in grams]
