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


def _write_source(path, writer: str, recruitment: list[str], ordinary: list[str]) -> None:
    import json

    lines = [
        json.dumps({"text": text, "label": "tppo", "kind": "scam_compound", "writer": writer})
        for text in recruitment
    ] + [
        json.dumps({"text": text, "label": "benign", "kind": "everyday", "writer": writer})
        for text in ordinary
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


RECRUITMENT = [
    "lowongan admin di Kamboja gaji 15 juta tiket ditanggung",
    "dicari CS online penempatan Myanmar, visa diurus agen",
    "kerja ketik di Laos bonus besar, berangkat minggu depan",
    "operator chat Sihanoukville tanpa pengalaman langsung terbang",
    "marketing online Myawaddy mess gratis paspor dibantu",
    "admin crypto Bavet kontrak setahun, japri aja kak",
    "butuh 10 orang jaga live streaming luar negeri gaji dolar",
    "loker telemarketing Asia tenggara tiket pesawat gratis",
    "cari pekerja muda untuk perusahaan game di perbatasan Thailand",
    "yang mau kerja enak di Phnom Penh hubungi saya, semua ditanggung",
    "kerja di kasino Poipet gaji tinggi tidak perlu ijazah",
    "agen butuh staf input data Filipina langsung berangkat",
]
ORDINARY = [
    "dicari kasir toko di Bekasi shift pagi",
    "arisan bulan ini di rumah bu RT ya",
    "jual motor bekas surat lengkap harga nego",
    "lowongan guru les matematika di Depok",
    "besok libur, mau ke pantai bareng keluarga",
    "info servis AC murah area Bogor",
    "resep sambal matah paling gampang",
    "toko roti di Cikarang butuh karyawan bagian produksi",
    "mohon doanya ibu saya sedang sakit",
    "pengumuman kerja bakti hari minggu pagi",
    "dijual rumah tipe 36 di Tangerang",
    "cari teman lari pagi di Serang",
]


def test_source_check_holds_out_each_writer_and_ranks_both_block_sets(tmp_path, monkeypatch):
    for number, writer in enumerate(("a", "b", "c")):
        _write_source(
            tmp_path / f"{writer}.jsonl",
            writer,
            RECRUITMENT[number * 4 : number * 4 + 4],
            ORDINARY[number * 4 : number * 4 + 4],
        )
    monkeypatch.setenv("WASPADA_LABELED", str(tmp_path))
    check = ablation.source_check(seed=7, jobs=1)
    assert check["sources"] == 3
    assert check["posts"] == 24
    assert [row["blocks"] for row in check["rows"]] == ["words", "words + chars"]
    # Each writer's posts are scored by a model that never saw them, and still rank above the
    # other writers' ordinary posts far more often than chance (half the posts are recruitment).
    assert all(row["pr_auc"] > 0.6 for row in check["rows"])
    markdown = ablation._render_source_check(check)
    assert any("leave-one-source-out" in line for line in markdown)
