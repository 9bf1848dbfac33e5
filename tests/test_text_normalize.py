"""Normalisation for features: placeholders, slang, de-obfuscation, and evasion recorded."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text import clean, patterns
from pipeline.text.normalize import (
    PLACEHOLDERS,
    Normalized,
    join_spaced_letters,
    map_flags,
    map_places,
    map_slang,
    normalize,
    normalize_each,
    normalize_text,
    normalize_with_clean,
    spelled_numbers_to_digits,
    squeeze_elongation,
    tokenize,
    undo_leetspeak,
)


def words(raw: str) -> list[str]:
    return normalize(raw).text.split()


# --- placeholders -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "placeholder"),
    [
        ("minat chat wa.me/6281234567890 ya kak", "_chatlink_"),
        ("join grup https://chat.whatsapp.com/KxYz123 sekarang", "_chatlink_"),
        ("info t.me/lokerluarnegeri", "_chatlink_"),
        ("cek https://www.majujaya.co.id/karir", "_url_"),
        ("kirim CV ke hrd@majujaya.co.id", "_email_"),
        ("WA 0812-3456-7890 (fast respon)", "_phone_"),
        ("hub +62 812 3456 7890", "_phone_"),
        ("call +855 12 345 678", "_phone_"),
        ("DM @rekrut_asia aja", "_handle_"),
        ("gaji 15jt/bulan", "_money_"),
        ("gaji USD 1.200", "_money_"),
        ("butuh 3 orang", "_num_"),
    ],
)
def test_placeholders_replace_contacts_money_and_numbers(raw, placeholder):
    assert placeholder in words(raw)


def test_placeholders_are_single_tokens():
    text = normalize(
        "WA 0812-3456-7890, email a@b.co.id, @admin_kh, gaji 8 digit, t.me/x, 3 orang"
    ).text
    for placeholder in PLACEHOLDERS:
        if placeholder in text:
            assert placeholder in tokenize(text)


def test_email_is_not_a_handle():
    assert words("email: rekrut@ptmaju.co.id") == ["email", ":", "_email_"]


# --- spelling ---------------------------------------------------------------------------


def test_lowercase_and_elongation():
    assert words("GAJIIII GEDEEE BGTTT") == ["gaji", "besar", "banget"]
    assert squeeze_elongation("mantappp") == "mantap"
    assert squeeze_elongation("tiket pp, sapi") == "tiket pp, sapi"  # two letters are a real word


@pytest.mark.parametrize(
    ("slang", "standard"),
    [
        ("yg gk tdk sdh", "yang tidak tidak sudah"),
        ("japri gan", "hubungi agan"),
        ("loker gj 5 jt", "lowongan gaji _money_"),
        ("kak bgt", "kakak banget"),
        ("iso budal sesuk", "bisa berangkat sesuk"),  # Javanese
        ("teu kudu pengalaman", "tidak harus pengalaman"),  # Sundanese
        ("kerja kat kilang takde permit", "kerja di pabrik tidak ada izin"),  # Malay
        ("tiket percuma", "tiket gratis"),  # Malay "free"
    ],
)
def test_slang_maps_to_standard_words(slang, standard):
    assert normalize(slang).text == standard


def test_slang_keeps_words_it_does_not_know():
    assert map_slang(["kamboja", "gaji", "wkwk"]) == ["kamboja", "gaji", "wkwk"]


def test_slang_does_not_touch_titles_or_ordinary_words():
    assert normalize("RA Kartini").text == "ra kartini"
    assert normalize("angkat barang").text == "angkat barang"


# --- de-obfuscation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "word"),
    [
        ("Kerja di K4mboja", "kamboja"),
        ("g4ji gede", "gaji"),
        ("penempatan L40s", "laos"),
        ("V1s4 kerja", "visa"),
        ("t1ket ditanggung", "tiket"),
        ("M4l4ys14", "malaysia"),
        ("4dmin online", "admin"),
    ],
)
def test_leetspeak_inside_words_is_undone_and_recorded(raw, word):
    result = normalize(raw)
    assert word in result.text.split()
    assert any(word in evasion for evasion in result.evasions)


@pytest.mark.parametrize(
    "raw",
    [
        "covid19 sudah lewat",
        "ukuran 2x3 meter",
        "5jt per bulan",
        "jam 7pagi",
        "PS5 dijual",
        "lewat P3MI",
        "lulusan S1/D3",
    ],
)
def test_leetspeak_leaves_ordinary_tokens(raw):
    assert normalize(raw).evasions == ()
    assert undo_leetspeak("covid19 b2b", []) == "covid19 b2b"


@pytest.mark.parametrize(
    ("raw", "word"),
    [
        ("kerja di K a m b o j a", "kamboja"),
        ("M y a n m a r", "myanmar"),
        ("g.a.j.i besar", "gaji"),
        ("Kam.boja", "kamboja"),
        ("v-i-s-a", "visa"),
    ],
)
def test_spaced_or_split_letters_are_joined_and_recorded(raw, word):
    result = normalize(raw)
    assert word in result.text.split()
    assert result.evasions


def test_spaced_letters_of_ordinary_abbreviations_are_not_evasion():
    evasions: list[str] = []
    assert (
        join_spaced_letters("p.t. maju jaya, s.d. besok", evasions) == "p.t. maju jaya, s.d. besok"
    )
    assert evasions == []


@pytest.mark.parametrize(
    "raw",
    [
        "hub nol delapan satu dua tiga empat lima enam tujuh delapan",
        "WA kosong lapan satu tiga 4 5 6 7 8 9 0",  # Malay "kosong lapan", digits mixed in
        "wa O8 1 2 3 4 5 6 7 8 9 0",  # letter O for zero, digits split by spaces
        "O812-3456-7890 chat aja",
    ],
)
def test_obfuscated_phone_numbers_become_phone_and_are_recorded(raw):
    result = normalize(raw)
    assert "_phone_" in result.text.split()
    assert result.evasions


def test_counting_words_is_not_a_phone_number():
    result = normalize("butuh dua orang, tiga hari kerja, satu shift")
    assert "_phone_" not in result.text
    assert result.evasions == ()
    assert spelled_numbers_to_digits("satu dua tiga", []) == "satu dua tiga"


@pytest.mark.parametrize(
    ("raw", "place"),
    [
        ("penempatan KH gaji 15jt", "kamboja"),
        ("berangkat ke PP minggu depan", "kamboja"),
        ("kerja di SHV", "sihanoukville"),
        ("transit Myw", "myawaddy"),
        ("kerja di negara K", "kamboja"),
        ("ke negeri gajah putih dulu", "thailand"),
        ("job di negeri seribu pagoda", "myanmar"),
    ],
)
def test_place_abbreviations_and_nicknames_are_resolved(raw, place):
    result = normalize(raw)
    assert place in result.text.split() or place.replace("_", " ") in result.text
    assert result.evasions


@pytest.mark.parametrize(
    "raw",
    [
        "Pengajian bersama KH. Ahmad Mustofa",
        "Haul KH Hasyim Asy'ari",
        "tiket PP Jakarta-Medan",
        "Phnom Penh itu ibukota Kamboja",
    ],
)
def test_real_names_and_other_meanings_are_not_evasion(raw):
    result = normalize(raw)
    assert result.evasions == ()
    if "KH" in raw:
        assert "kamboja" not in result.text


def test_flags_map_to_country_names():
    assert words("lowongan 🇰🇭🇲🇲 transit 🇹🇭") == [
        "lowongan",
        "kamboja",
        "myanmar",
        "transit",
        "thailand",
    ]
    assert map_flags("🇮🇩") == " bendera "
    assert "🔥" in words("gaji 🔥")  # other emoji stay as tokens


def test_map_places_records_only_disguised_names():
    evasions: list[str] = []
    assert map_places("ke phnom penh", evasions).split() == ["ke", "kamboja"]
    assert evasions == []
    map_places("ke negara k", evasions)
    assert evasions == ["nama samaran tempat: negara k → kamboja"]


@pytest.mark.parametrize(
    ("raw", "evasion"),
    [("Kam\u200bboja", "tak terlihat"), ("Каmboja", "Sirilik"), ("🅲🆂 🅶🅰🅹🅸 besar", "huruf hias")],
)
def test_invisible_lookalike_and_styled_letters_are_recorded(raw, evasion):
    result = normalize(raw)
    assert any(evasion in e for e in result.evasions)


def test_plain_post_has_no_evasion():
    assert normalize("Dicari admin gudang di Cikarang, gaji UMR, kirim CV ke email").evasions == ()


# --- tokenisation and the public contract -------------------------------------------------


def test_tokenizer_keeps_placeholders_hyphenated_words_and_emoji():
    assert tokenize("_phone_ e-ktp pt's 🔥!") == ["_phone_", "e-ktp", "pt's", "🔥", "!"]
    assert tokenize("1️⃣ gaji") == ["1️⃣", "gaji"]


def test_normalize_is_pure_and_normalize_text_matches():
    raw = "Loker K4mboja gaji 1.2K USD WA 0812 3456 7890"
    assert normalize(raw) == normalize(raw)
    assert isinstance(normalize(raw), Normalized)
    assert normalize_text(raw) == normalize(raw).text


def test_normalize_with_clean_gives_the_clean_text_too():
    raw = "<b>Loker</b>  Kam\u200bboja â€“ gaji 15jt"
    cleaned, normalized = normalize_with_clean(raw)
    assert cleaned == clean.clean_text(raw)
    assert normalized == normalize(raw)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="abkmnoj'🇰🇭 ", min_size=1, max_size=6), min_size=1, max_size=8),
    st.text(alphabet="abkmnojp'🇰🇭 x", max_size=40),
)
def test_trie_alternation_matches_like_a_longest_first_alternation(aliases, text):
    flat = re.compile(
        "(?<!\\w)("
        + "|".join(re.escape(a) for a in sorted(set(aliases), key=len, reverse=True))
        + ")(?!\\w)"
    )
    trie = re.compile("(?<!\\w)(" + patterns.trie_alternation(set(aliases)) + ")(?!\\w)")
    assert [m.span() for m in flat.finditer(text)] == [m.span() for m in trie.finditer(text)]


EACH_PIECES = [
    "K4mb0ja",
    "Japri",
    "0812-3456-7890",
    "Rp",
    "45",
    "juta",
    "negara K",
    "k a m b o j a",
    "gajiii",
    "KH",
    "wa.me/6281234567890",
    "💰💰",
    "",
    "nol delapan satu dua tiga empat lima enam tujuh",
    "Umur 16 iso",
]


def test_normalize_each_gives_each_piece_as_if_normalised_alone():
    assert normalize_each(EACH_PIECES) == [tuple(normalize_text(p).split()) for p in EACH_PIECES]


def test_normalize_each_falls_back_when_a_piece_holds_the_separator():
    pieces = ["gaji qzxq dolar", "K4mb0ja"]
    assert normalize_each(pieces) == [tuple(normalize_text(p).split()) for p in pieces]
    assert normalize_each([]) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="ak4 0.-_@Rpjutagji", max_size=12), min_size=1, max_size=6))
def test_normalize_each_keeps_one_result_per_piece(pieces):
    assert len(normalize_each(pieces)) == len(pieces)
