"""Benchmark collections are generated once per corpus: new labeled posts mean new collections."""

from __future__ import annotations

from bench import synth

CORPUS = [
    ("lowongan admin Kamboja gaji 15 juta", "tppo", "facebook"),
    ("dicari kasir toko di Bekasi", "benign", "facebook"),
    ("jalur laut ke Malaysia tanpa paspor", "tppm", "whatsapp"),
    ("arisan bulan ini di rumah bu RT", "benign", "whatsapp"),
]


def test_a_collection_is_reused_for_the_same_corpus_and_remade_for_a_changed_one(tmp_path):
    first = synth.write_collection(CORPUS, 30, seed=3, directory=tmp_path, prevalence=0.5)
    again = synth.write_collection(CORPUS, 30, seed=3, directory=tmp_path, prevalence=0.5)
    assert first == again
    changed = [*CORPUS, ("dijual motor bekas surat lengkap", "benign", "facebook")]
    remade = synth.write_collection(changed, 30, seed=3, directory=tmp_path, prevalence=0.5)
    assert remade["jsonl"] != first["jsonl"]
    assert remade["jsonl"].is_file() and remade["csv"].is_file()
    assert len(first["jsonl"].read_text(encoding="utf-8").splitlines()) == 30
