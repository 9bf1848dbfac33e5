"""Hostile text at ingest: the canonical post keeps the original; the normalised copy undoes the tricks."""

from __future__ import annotations

import json

import pytest

from pipeline.dedup import exact_key
from pipeline.ingest import ingest
from pipeline.text.clean import clean_text

CASES = [
    ("nfkc_styled", "Lowongan 𝐊𝐚𝐦𝐛𝐨𝐣𝐚 gaji ｇａｊｉ 15jt", "Lowongan Kamboja gaji gaji 15jt"),
    ("mojibake", "Kerja di CafÃ© Macau, gaji â‚¬2000", "Kerja di Café Macau, gaji €2000"),
    ("zero_width", "Kam\u200bbo\u200cja ad\u200dmin on\u2060line", "Kamboja admin online"),
    ("bidi", "hubungi \u202e0987\u202c WA", "hubungi 0987 WA"),
    ("homoglyph", "Lowongan Каmbоjа gaji besar", "Lowongan Kamboja gaji besar"),
    (
        "html",
        "<p>Loker <b>Myanmar</b> &amp; Laos&nbsp;gaji 20jt</p>",
        "Loker Myanmar & Laos gaji 20jt",
    ),
    ("controls", "Dicari\x07 admin\x1b online\x00 Laos", "Dicari admin online Laos"),
]


@pytest.fixture(scope="module")
def posts(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "hostile.jsonl"
    path.write_text(
        "".join(
            json.dumps({"id": name, "text": text}, ensure_ascii=False) + "\n"
            for name, text, _ in CASES
        ),
        encoding="utf-8",
    )
    result = ingest([path])
    assert result.counts["ingested"] == len(CASES)
    return dict(zip(result.posts["post_id"], result.posts["text"], strict=True))


@pytest.mark.parametrize(("name", "original", "cleaned"), CASES, ids=[c[0] for c in CASES])
def test_canonical_text_is_the_original_and_the_copy_is_cleaned(posts, name, original, cleaned):
    # NUL is the one character the canonical text drops (CSV readers refuse it).
    assert posts[name] == original.replace("\x00", "")
    assert clean_text(posts[name]) == cleaned


def test_evasive_copies_of_one_post_are_exact_duplicates(tmp_path):
    variants = [
        "Lowongan admin Kamboja gaji 15jt",
        "Lowongan admin Кamboja gaji 15jt",
        "Lowongan ad\u200bmin 𝐊𝐚𝐦𝐛𝐨𝐣𝐚 gaji 15jt",
        "<b>Lowongan</b>  admin KAMBOJA gaji 15jt",
        "Lowongan admin Kamboja gaji 16jt",
    ]
    path = tmp_path / "v.jsonl"
    path.write_text(
        "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in variants),
        encoding="utf-8",
    )
    result = ingest([path])
    assert result.counts["duplicates"] == 3
    assert result.posts["text"].tolist() == [variants[0], variants[4]]
    assert {d["duplicate_of"] for d in result.duplicates} == {result.posts["post_id"][0]}
    assert len({exact_key(v) for v in variants[:4]}) == 1
