"""Entities reviewers act on: contacts, pay in monthly rupiah, destinations, ages, roles."""

from __future__ import annotations

import pytest

from pipeline.entities import Entities, Money, contact_key, extract, format_idr_month, format_money
from pipeline.text.normalize import normalize


def entities(raw: str) -> Entities:
    return extract(raw, normalize(raw).text)


# --- phones and chat links ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "phone"),
    [
        ("minat WA 0812-3456-7890", "081234567890"),
        ("hub (0857) 1234 5678 a.n. Bu Sri", "085712345678"),
        ("+62 813.1122.3344 fast respon", "+6281311223344"),
        ("6281234567890 wa aja", "6281234567890"),
        ("wa O8I2? no: O812 3456 7890", "081234567890"),  # letter O for zero
        ("nol delapan satu dua tiga empat lima enam tujuh delapan sembilan", "08123456789"),
        ("agent Cambodia +855 12 345 678", "+85512345678"),
        ("Malaysia +60 12-345 6789", "+60123456789"),
    ],
)
def test_phone_numbers_in_many_forms(raw, phone):
    assert phone in entities(raw).phones


@pytest.mark.parametrize(
    "raw",
    [
        "NIK 3201234567890001 jangan disebar",
        "No. rekening 1234567890",
        "Harga Rp 08.000",
        "tahun 2024 bulan 08",
        "Nomor SIP3MI 123/2024/08",
    ],
)
def test_ids_prices_and_dates_are_not_phones(raw):
    assert entities(raw).phones == []


@pytest.mark.parametrize(
    "link",
    [
        "wa.me/6281234567890",
        "https://api.whatsapp.com/send?phone=6281234567890",
        "chat.whatsapp.com/AbCdEf12",
        "t.me/lokerasia",
        "https://t.me/+AbCdEf",
    ],
)
def test_chat_links(link):
    assert entities(f"daftar lewat {link} ya").chat_links == [link]


def test_ordinary_urls_are_not_chat_links():
    found = entities("lamar di https://karir.majujaya.co.id atau www.kemnaker.go.id")
    assert found.chat_links == []


def test_handles_but_not_emails():
    found = entities("DM @rekrut.asia atau @admin_kh, email hrd@maju.co.id")
    assert found.handles == ["@rekrut.asia", "@admin_kh"]
    assert found.contacts == ["@rekrut.asia", "@admin_kh"]


def test_contacts_collects_every_kind_once():
    found = entities("WA 0812-3456-7890 / wa.me/6281234567890 / @loker_ln / WA 0812-3456-7890")
    assert found.phones.count("081234567890") == 1
    assert found.contacts == [
        "6281234567890",
        "@loker_ln",
    ]  # the number and its wa.me link are one contact


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("0812-3456-7890", "6281234567890"),
        ("+62 812 3456 7890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("wa.me/6281234567890", "6281234567890"),
        ("https://wa.me/+6281234567890?text=halo", "6281234567890"),
        ("https://api.whatsapp.com/send?phone=6281234567890", "6281234567890"),
        ("O812 3456 7890", "6281234567890"),
        ("+855 12 345 678", "85512345678"),
        ("t.me/Rekrut_CS", "@rekrut_cs"),
        ("https://t.me/rekrut_cs/", "@rekrut_cs"),
        ("@Rekrut_CS", "@rekrut_cs"),
        ("https://t.me/+AbCdEf", "t.me/+AbCdEf"),
        ("https://chat.whatsapp.com/AbCdEf12", "chat.whatsapp.com/AbCdEf12"),
    ],
)
def test_contact_key_makes_one_key_per_contact(written, key):
    assert contact_key(written) == key
    assert contact_key(key) == key  # a key is its own key


def test_one_number_in_every_spelling_is_one_contact():
    found = entities(
        "WA 0812-3456-7890, atau +62 812 3456 7890, atau wa.me/6281234567890, t.me/rekrut dan @Rekrut"
    )
    assert found.contacts == ["6281234567890", "@rekrut"]


# --- money ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "monthly"),
    [
        ("gaji Rp 5.500.000", 5_500_000),
        ("gaji 15jt", 15_000_000),
        ("gaji 15 juta/bulan", 15_000_000),
        ("gaji 4,5jt", 4_500_000),
        ("500rb/hari", 13_000_000),
        ("250 ribu per hari", 6_500_000),
        ("gaji USD 1.200", 19_200_000),
        ("salary $1,000", 16_000_000),
        ("1000 dolar sebulan", 16_000_000),
        ("1k USD", 16_000_000),
        ("1.2K USD", 19_200_000),
        ("RM 3,000", 10_500_000),
        ("gaji 2000 ringgit", 7_000_000),
        ("HKD 5,000", 10_000_000),
        ("NT$ 30,000", 15_000_000),
        ("¥ 200.000", 21_000_000),
        ("gaji 8 digit", 10_000_000),
        ("gaji 9 digit", 100_000_000),
    ],
)
def test_money_to_approximate_monthly_rupiah(raw, monthly):
    found = entities(raw)
    assert found.max_monthly_pay == pytest.approx(monthly, rel=0.01)
    assert all(isinstance(m, Money) and m.text for m in found.money)


@pytest.mark.parametrize(
    "raw", ["ongkir Rp 15.000", "harga 50rb aja", "diskon 20%", "jam 8 pagi", "umur 25 tahun"]
)
def test_small_prices_and_other_numbers_are_not_pay(raw):
    assert entities(raw).max_monthly_pay is None


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("Total kerugian korban Rp35 juta", "loss"),  # was read as a Rp 35 jt salary
        ("Visa kerja Dubai, biaya 12 jt all in", "fee"),
        ("DP 5jt dulu", "fee"),
        ("nyebrang ke Johor malam ini, 3,5jt/org", "fee"),  # a crossing fare per head
        ("mahar 50jt untuk keluarga", "dowry"),
        ("Harga paket umroh 32 jt", "price"),
        ("Selamat, Anda memenangkan hadiah Rp 150.000.000", "prize"),
        ("gaji 15jt", "pay"),
        ("500rb/hari", "pay"),
    ],
)
def test_money_knows_what_it_is_for(raw, kind):
    (money,) = entities(raw).money
    assert money.kind == kind
    if kind not in ("pay", "amount"):
        assert money.idr_per_month is None and money.idr and entities(raw).max_monthly_pay is None


@pytest.mark.parametrize(
    ("raw", "monthly", "shown"),
    [
        (
            "Admin Kamboja gaji 1.5k/bulan",
            24_000_000,
            "USD 1.500/bulan ≈ Rp 24 jt",
        ),  # k abroad: dollars
        ("kerja di luar negeri 2k/bulan", 32_000_000, "USD 2.000/bulan ≈ Rp 32 jt"),
        (
            "kerja kilang Malaysia 2k sebulan, dibayar ringgit",
            7_000_000,
            "RM 2.000/bulan ≈ Rp 7 jt",
        ),
        ("CS Kamboja, 3 digit dolar", 1_600_000, "USD 100/bulan ≈ Rp 1,6 jt"),
        ("gaji 2 digit juta", 10_000_000, "Rp 10 jt/bulan"),
        (
            "Kerja Kamboja gaji 1500",
            24_000_000,
            "USD 1.500/bulan ≈ Rp 24 jt",
        ),  # no currency, work abroad
        ("gaji 5.000.000", 5_000_000, "Rp 5 jt/bulan"),
        ("gaji 15 juta/bulan", 15_000_000, "Rp 15 jt/bulan"),
        ("500rb/hari", 13_000_000, "Rp 500 rb/hari ≈ Rp 13 jt/bulan"),
    ],
)
def test_pay_in_thousands_digit_counts_and_bare_numbers(raw, monthly, shown):
    found = entities(raw)
    assert found.max_monthly_pay == pytest.approx(monthly, rel=0.01)
    assert format_money(found.best_pay) == shown


def test_k_amounts_at_home_stay_rupiah_and_digit_counts_without_currency_are_pay_cues():
    assert entities("jual HP bekas 1.5k").max_monthly_pay is None  # Rp 1.500: a price
    (cue,) = entities("kerja di Taiwan gaji 5 digit").money
    assert cue.kind == "pay" and cue.idr_per_month is None and format_money(cue) == "5 digit"


def test_one_money_format_for_people():
    assert format_idr_month(15_000_000) == "Rp 15 jt/bulan"
    assert format_idr_month(4_500_000) == "Rp 4,5 jt/bulan"
    (fee,) = entities("biaya proses 12 jt").money
    assert format_money(fee) == "Rp 12 jt"


def test_money_keeps_the_text_people_wrote():
    assert [m.text for m in entities("Gaji USD 1.200 + bonus 500rb").money] == [
        "USD 1.200",
        "500rb",
    ]


# --- destinations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "place"),
    [
        ("penempatan Phnom Penh", "kamboja"),
        ("kerja di K4mboja", "kamboja"),
        ("lowongan 🇰🇭", "kamboja"),
        ("kerja di negara K", "kamboja"),
        ("transit Mae Sot lanjut Myawaddy", "myanmar"),
        ("ke negeri gajah putih", "thailand"),
        ("nyebrang dari Nunukan", "nunukan"),
        ("lewat Entikong", "entikong"),
        ("jalur Tebedu", "malaysia"),
        ("ke KK Park", "myanmar"),
        ("kerja di Dubai", "uni emirat arab"),
        ("liburan ke Tokyo, Jepang", "jepang"),
    ],
)
def test_destinations_from_the_gazetteer(raw, place):
    assert place in entities(raw).destinations


@pytest.mark.parametrize(
    "raw",
    [
        "Foto bunga kamboja di makam kakek",
        "pohon kamboja di halaman",
        "Kerja di Bekasi, Cikarang, Karawang",
        "wangi kamboja bikin adem",
    ],
)
def test_words_that_only_look_like_places(raw):
    assert entities(raw).destinations == []


# --- ages and roles -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "ages"),
    [
        ("usia 18-35 thn", [(18, 35)]),
        ("Umur: 17 s/d 25 tahun", [(17, 25)]),
        ("U 20-30", [(20, 30)]),
        ("usia maksimal 30", [(0, 30)]),
        ("umur 16 sampai 24", [(16, 24)]),
    ],
)
def test_age_ranges(raw, ages):
    assert entities(raw).age_ranges == ages


@pytest.mark.parametrize(
    "raw", ["usia kandungan 7 bulan", "rumah usia 30-40 tahun lalu dibangun 1990", "jam 08-17"]
)
def test_not_age_ranges(raw):
    found = entities(raw)
    assert all(10 <= low <= high <= 70 for low, high in found.age_ranges if low)
    if "jam" in raw or "kandungan" in raw:
        assert found.age_ranges == []


@pytest.mark.parametrize(
    ("raw", "role"),
    [
        ("Dicari Customer Service online", "customer service"),
        ("lowongan ADMIN CRYPTO", "admin crypto"),
        ("butuh ABK kapal ikan", "abk"),
        ("cari ART untuk Taiwan", "art"),
        ("Operator produksi", "operator"),
        ("lowongan typist", "typist"),
    ],
)
def test_job_roles(raw, role):
    assert role in entities(raw).roles


def test_no_roles_in_everyday_talk():
    assert entities("Makan siang di warung dekat kantor, enak banget").roles == []


def test_extract_accepts_an_already_cleaned_text():
    raw = "<b>CS</b> K\u200bamboja gaji 1.2K USD WA 0812-3456-7890"
    from pipeline.text.clean import clean_text

    assert extract(raw, None, clean_text(raw)) == extract(raw)


def test_mentions_that_open_a_comment_are_addressees_not_contacts():
    found = extract("@rina_ayu @dewi.s minat kak? langsung ke @rekrut_asia aja")
    assert found.addressees == ["@rina_ayu", "@dewi.s"]
    assert found.contacts == ["@rekrut_asia"]
    assert extract("@eviwlan luar biasaaaa").contacts == []
