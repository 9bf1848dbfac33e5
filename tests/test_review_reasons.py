"""Reasons as people read them: evidence in the post's own words, no internal tokens, both languages."""

from __future__ import annotations

import re

import pytest

from pipeline.entities import format_idr_month
from pipeline.evidence import highlight
from pipeline.evidence.contacts import contact_key, contact_kind, display
from pipeline.evidence.reasons import explain_post, readable, without_placeholders

PLACEHOLDER = re.compile(r"(?<![\w@./])_(num|money|phone|url|chatlink|email|handle)_(?!\w)")


@pytest.mark.parametrize(
    ("text", "evidence", "found"),
    [
        ("Lowongan CS di 'negara K'. Japri.", "hubungi", "Japri"),
        ("Work in Myanmar as CS. DM now", "hubungi", "DM"),
        ("Lowongan CS untuk kantor di 'negara K', kota P.", "kamboja", "negara K"),
        ("Umur 16 iso mangkat, paspor digawe umur 20.", "usia _num_ bisa", "Umur 16 iso"),
        ("kerja d k4mb0j4 jd 4dm1n, 16jt", "kamboja", "k4mb0j4"),
        ("Kerja di K a m b o j a sekarang", "kamboja", "K a m b o j a"),
        ("Mahar untuk keluarga Rp 45 juta. Inbox.", "mahar _money_", "Mahar"),
        ("Biaya 30 jt. Komen 'mau'", "biaya _money_", "Biaya 30 jt"),
        ("Kerja farm di Korea utk yg gak punya visa", "untuk yang", "utk yg"),
    ],
)
def test_evidence_is_found_in_the_words_of_the_post(text, evidence, found):
    span = highlight.locate(text, evidence)
    assert (text[span[0] : span[1]] if span else None) == found


def test_a_phone_number_is_found_however_it_is_spaced():
    text = "WA 0813 7790 2265 ya"
    span = highlight.locate_digits(text, "6281377902265")
    assert text[span[0] : span[1]] == "0813 7790 2265"


def test_reasons_quote_the_post_as_written_in_both_languages():
    text = "Lowongan CS untuk kantor di 'negara K', kota P. Gaji seribu dolar. Tiket gratis. Japri."
    reasons = (
        'kata disamarkan: "nama samaran tempat: negara k → kamboja"; kontak hanya lewat chat: "hubungi"; '
        'tujuan berisiko: "kamboja"; kata kuat: "komen", "_num_ mau"; tujuan: kamboja'
    )
    explained = explain_post(text, reasons, "", "kamboja")
    lines = explained.lines("id")
    assert lines[0] == 'kata disamarkan: "negara K" (= Kamboja)'
    assert lines[1] == 'kontak hanya lewat chat: "Japri"'
    assert lines[2] == 'tujuan berisiko: "negara K" (= Kamboja)'
    assert lines[-1] == "tujuan: Kamboja"
    english = explained.lines("en")
    assert (
        english[0].startswith('disguised words: "negara K"')
        and english[1] == 'chat-only contact: "Japri"'
    )
    marks = {(p.text, p.mark) for p in explained.pieces() if p.mark}
    assert ("negara K", "disguised") in marks and ("Japri", "flag") in marks
    for line in lines + english:
        assert not PLACEHOLDER.search(line), line


def test_no_placeholder_survives_even_when_evidence_is_not_found():
    assert (
        without_placeholders("usia _num_ bisa, biaya _money_, @jp_jalur_cepat")
        == "usia (angka) bisa, biaya (jumlah uang), @jp_jalur_cepat"
    )
    shown = readable(
        "Teks lain sama sekali",
        'biaya besar di muka: "biaya _money_"; kata kuat: "_num_ mau", "visa"',
        "en",
    )
    assert not PLACEHOLDER.search(shown) and "(amount)" in shown


def test_a_dowry_is_not_called_pay_and_pay_is_written_one_way():
    # What an amount is for is read by pipeline.entities.money_kind, and written by its one formatter.
    text = "Dicari calon istri untuk pria Taiwan. Mahar untuk keluarga Rp 45 juta. Inbox."
    shown = readable(
        text,
        'perjodohan dengan pria asing: "dicari calon istri"; gaji: "Rp 45 juta" ≈ Rp 45 jt/bulan',
    )
    assert 'mahar: "Rp 45 juta" ≈ Rp 45 jt' in shown and "gaji" not in shown
    pay = readable(
        "Admin Dubai gaji 19 juta. WA",
        'gaji tidak wajar: "19 juta (Rp 19 jt/bulan)"; gaji: "19 juta" ≈ Rp 19 jt/bulan',
    )
    assert pay == 'gaji tidak wajar: "19 juta" (Rp 19 jt/bulan); gaji: "19 juta" ≈ Rp 19 jt/bulan'
    # Reasons written before the one formatter read the same.
    older = readable(
        "Admin Dubai gaji 19 juta. WA",
        'gaji tidak wajar: "19 juta (≈ Rp 19 jt/bulan)"; gaji: "19 juta" ≈ Rp 19.0 jt/bln',
    )
    assert older == pay
    fee = readable("Proses cepat, biaya 7,5 juta beres. WA", 'gaji: "7,5 juta" ≈ Rp 7.5 jt/bln')
    assert fee == 'biaya: "7,5 juta" ≈ Rp 7,5 jt' and format_idr_month(7480000) == "Rp 7,5 jt/bulan"
    foreign = readable(
        "Admin Kamboja gaji USD 1,200 per bulan",
        'gaji tidak wajar: "USD 1,200 (USD 1.200/bulan ≈ Rp 19 jt)"',
        "en",
    )
    assert foreign == 'implausible pay: "USD 1,200" (USD 1.200/bulan ≈ Rp 19 jt)'


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("085266170394", "6285266170394"),
        ("0852-6617-0394", "6285266170394"),
        ("+62 852 6617 0394", "6285266170394"),
        ("6285266170394", "6285266170394"),
        ("wa.me/6285266170394", "6285266170394"),
        ("https://api.whatsapp.com/send?phone=6285266170394", "6285266170394"),
        ("t.me/Crew_Cumi", "@crew_cumi"),
        ("@crew_cumi", "@crew_cumi"),
        ("https://t.me/crew_cumi/12", "@crew_cumi"),
    ],
)
def test_contact_key_makes_one_key_per_contact(written, key):
    assert contact_key(written) == key


def test_contact_kinds_and_display():
    assert contact_kind("6285266170394") == "phone" and contact_kind("@x") == "handle"
    assert display("6285266170394") == "+62 852-6617-0394"
