"""Red flags and counter-signals: every indicator fires on what it names and not on look-alikes."""

from __future__ import annotations

import pytest

from pipeline import analysis, indicators, legal
from pipeline.indicators import (
    COUNTER,
    RED_FLAG,
    REGISTRY,
    STATE,
    Analysis,
    Hit,
    analyse,
    by_name,
    names,
)
from pipeline.text.negation import NEGATORS

REQUIRED = {
    "gaji_tidak_wajar",
    "syarat_ringan",
    "biaya_ditanggung",
    "berangkat_cepat",
    "kuota_terbatas_mendesak",
    "visa_turis_untuk_kerja",
    "jalur_nonprosedural",
    "negara_berisiko",
    "kontak_hanya_chat",
    "pekerjaan_modus_online",
    "potong_gaji",
    "usia_muda",
    "dokumen_diurus_atau_ditahan",
    "minta_dokumen_pribadi",
    "penyeberangan_ilegal",
    "pengantin_pesanan",
    "ajak_teman",
    "kata_disamarkan",
    "biaya_di_muka",
    "mengaku_resmi",
    "konteks_peringatan",
    "konteks_berita",
    "penempatan_resmi",
    "terlalu_pendek",
}

# Realistic posts per indicator, beyond the examples in the registry: recruitment in the
# styles seen on Facebook groups, TikTok captions and WhatsApp forwards (slang, code-mixing,
# disguised words), and look-alikes from awareness posts, news and ordinary job boards.
CASES: dict[str, tuple[list[str], list[str]]] = {
    "gaji_tidak_wajar": (
        [
            "lowongan CS luar negeri gaji 15jt no pengalaman cek bio 🔥",
            "Gaji 1.2K USD/bln, cuma balas chat customer, yg penting bisa ngetik",
            "kerja santai depan laptop, gaji 8 digit, tanpa pengalaman",
        ],
        [
            "Lowongan Staff Admin Gudang, Cikarang. Gaji 5,2jt + BPJS. Min. D3, pengalaman 1 tahun",
            "Dokter spesialis anestesi, STR aktif, pengalaman minimal 3 tahun, gaji Rp 35.000.000",
            "Alhamdulillah menang undian Rp 100.000.000, makasih semua",
        ],
    ),
    "syarat_ringan": (
        [
            "Dicari admin online, gk perlu pengalaman, yg penting bisa pake HP",
            "Lowker ABK kapal asing, tanpa ijazah, tanpa pengalaman, langsung kerja",
            "semua lulusan bisa daftar, tidak ada syarat, tidak perlu bahasa inggris",
            "kerja kilang Malaysia, takde pengalaman pun boleh, tak perlu ijazah",
        ],
        [
            "Kualifikasi: S1 Teknik Sipil, pengalaman minimal 3 tahun, menguasai AutoCAD",
            "Syarat: sehat jasmani, usia 20-30, lulusan SMA/SMK, pengalaman di bidang logistik",
        ],
    ),
    "biaya_ditanggung": (
        [
            "✅ Tiket pesawat, visa, mess & makan DITANGGUNG",
            "paspor dibiayai perusahaan, tiket PP gratis",
            "Free visa + free tiket, tinggal berangkat",
        ],
        [
            "Tiket promo Jakarta-Bali mulai 700rb",
            "Mess disediakan bagi karyawan dari luar kota",
            "Biaya pembuatan paspor Rp 350.000 dibayar sendiri di kantor imigrasi",
        ],
    ),
    "berangkat_cepat": (
        [
            "Berangkat minggu depan, slot tinggal 6 orang!",
            "proses cepat 2 minggu langsung terbang",
            "BUTUH CEPAT!!! siap berangkat segera",
            "ga pake lama, langsung terbang ke Dubai",
        ],
        [
            "Pesawat berangkat jam 10 dari Soekarno-Hatta",
            "Pendaftaran dibuka sampai 15 Desember",
            "Kereta Argo Bromo berangkat dari Gambir pukul 08.00",
            "KUOTA TERBATAS!! buruan daftar sebelum penuh",  # pressure, not a departure
            "Visa kerja resmi butuh 3 bulan, tidak bisa berangkat cepat",
        ],
    ),
    "kuota_terbatas_mendesak": (
        [
            "KUOTA TERBATAS!! buruan daftar sebelum penuh",
            "slot tinggal 2 orang, siapa cepat dia dapat",
            "Dibutuhkan segera 10 orang admin",
            "jangan sampai kehabisan, kesempatan terakhir bulan ini",
        ],
        [
            "Kuota internet habis lagi, ada yang jual pulsa?",
            "Pendaftaran dibuka sepanjang tahun, kuota tidak terbatas",
            "Santai, kami tidak butuh cepat, seleksi berjalan 2 bulan",
        ],
    ),
    "visa_turis_untuk_kerja": (
        [
            "Berangkat pakai visa turis aja, nanti di sana diurus izin kerja",
            "masuk pake visa kunjungan, langsung kerja di kebun sawit",
            "Jalur ziarah ke Saudi, sampai sana langsung ke rumah majikan",
        ],
        [
            "Tips bikin visa turis Jepang buat liburan musim semi 🌸",
            "Visa on arrival Thailand sekarang gratis buat liburan 30 hari",
        ],
    ),
    "cerita_samaran_petugas": (
        [
            "Utk yg brgkt Sabtu: kalau ditanya petugas kat Batam Centre, cakap je nak jalan2, tunjuk booking hotel",
            "Jangan sekali2 bilang mau kerja ke petugas imigrasi, bilang aja jenguk saudara di KL",
            "at the airport counter, if they ask, say you're visiting family. don't mention work",
        ],
        [
            "Sosialisasi imigrasi: jawab pertanyaan petugas dengan jujur, jangan mau disuruh mengaku turis",
            "Kalau ditanya petugas, tunjukkan visa kerja dan kontrak dari P3MI",
        ],
    ),
    "jalur_nonprosedural": (
        [
            "lewat jalur mandiri aja kak, gak usah lewat PT, lebih murah",
            "Tanpa melalui P3MI, langsung majikan, proses cepat",
            "ada calo di desa yg bisa bantu berangkat",
            "Berangkat ke Malaysia tanpa izin P3MI, dijamin aman",
            "PT kami blm terdaftar tp udah ratusan yg berangkat",
        ],
        [
            "Kami perusahaan resmi, bukan calo. Lamaran lewat website",
            "Daftar melalui P3MI berizin yang tercatat di SISKOP2MI",
            "Kami bukan PT abal-abal, cek izin kami",
            "Tidak lewat jalur mandiri, semua proses di P3MI",
        ],
    ),
    "negara_berisiko": (
        [
            "Lowongan admin penempatan Phnom Penh 🇰🇭",
            "kerja di negeri gajah putih dekat perbatasan, gaji besar",
            "lowongan kerja Thailand, gaji 12jt, berangkat dari Medan",
            "job CS di SHV, mess gratis",
            "lowongan operator di L40s",
        ],
        [
            "Foto bunga kamboja di makam kakek 🌸",
            "Liburan ke Bangkok 4 hari 3 malam, itinerary hemat",
            "Transit di Singapura 6 jam, enaknya ke mana ya?",
            "Lowongan kasir di Malang, gaji UMR",
        ],
    ),
    "kontak_hanya_chat": (
        [
            "minat langsung WA 0812-7734-2190 (chat only)",
            "serius tanya² DM @loker.asia",
            "info lengkap join t.me/lokerln",
            "yg minat japri aja kak",
            "Kirim CV + foto ke WA +62 812 7734 2190",
        ],
        [
            "Kirim CV ke rekrutmen@majujaya.co.id paling lambat 30 Juni",
            "Lamar lewat www.majujaya.co.id/karir atau datang langsung ke Jl. Gatot Subroto 12",
            "Makan siang dulu guys, laper banget",
            "Info lowongan lengkap: bit.ly/loker-ln2024",  # a shortener is not a chat contact
            "Untuk informasi lebih lanjut silakan hubungi kami",  # the verb alone names no contact
            "Hubungi WhatsApp perusahaan yang tertera di situs resmi",
        ],
    ),
    "pekerjaan_modus_online": (
        [
            "Dibutuhkan CS online penempatan Kamboja 🇰🇭",
            "lowongan admin judi online gaji dolar",
            "Typist luar negeri, kerja depan laptop, mess disediakan",
            "cari tim marketing kripto di Myanmar",
        ],
        [
            "Dibutuhkan Customer Service untuk kantor cabang Surabaya",
            "Admin online shop hijab di Bandung, WFH",
            "Operator forklift pabrik Karawang",
        ],
    ),
    "potong_gaji": (
        [
            "biaya proses ditalangi dulu, nanti potong gaji 6 bulan",
            "gaji dibayar di akhir kontrak",
            "ongkos berangkat dipotong dari gaji tiap bulan",
        ],
        ["Gaji dibayar tiap tanggal 25 via transfer", "Potong rambut gratis buat pelajar hari ini"],
    ),
    "usia_muda": (
        [
            "lulusan SMP boleh, usia 16-25 thn",
            "umur bisa dituakan di paspor, tenang aja",
            "usia 17 tahun boleh ikut, langsung berangkat",
        ],
        [
            "usia 18-35 tahun, sehat jasmani",
            "Anak saya umur 16 tahun baru masuk SMA",
            "Lomba mewarnai untuk anak usia 5-10 tahun",
        ],
    ),
    "minta_dokumen_pribadi": (
        [
            "Yg serius kirim foto KTP + KK ke WA admin 0812-7734-2190 ya",
            "sebelum interview kirim dulu foto buku tabungan & kartu ATM",
            "Langsung kirim scan paspor via WA, tanpa interview, langsung proses",
            "tolong sebutkan kode OTP yang masuk buat verifikasi akun lamaran",
        ],
        [
            "Bawa fotokopi KTP dan KK saat wawancara di kantor kami",
            "Jangan pernah kirim foto KTP ke orang tak dikenal!",
            "Lamaran lengkap (CV, scan KTP) kirim ke hrd@majujaya.co.id",
            "Gausah kirim foto KTP dulu kak, nanti pas tes aja",
            "Foto KTP ku burem pas bikin SIM kemarin",
        ],
    ),
    "dokumen_diurus_atau_ditahan": (
        [
            "paspor & visa semua kami yang urus, tinggal bawa KTP",
            "Paspor dipegang perusahaan selama kontrak",
            "bisa bikin paspor cepat tanpa antri, ganti nama lain juga bisa",
        ],
        [
            "Jangan lupa bawa paspor asli saat check-in",
            "Perpanjangan paspor sekarang bisa online lewat M-Paspor",
        ],
    ),
    "penyeberangan_ilegal": (
        [
            "lewat jalur tikus dari Dumai, aman dari razia",
            "nyebrang pakai speedboat malam ke Johor",
            "tanpa paspor bisa, dijemput di seberang",
        ],
        [
            "Jadwal kapal ferry Batam-Singapura hari ini normal",
            "Jalan tikus di kampung banjir lagi",
            "Hati-hati lewat jalan gelap dekat pasar kalau pulang malam",
            "Naik speedboat ke Gili Trawangan seru banget",
        ],
    ),
    "pengantin_pesanan": (
        [
            "Dicari calon istri untuk pria Tiongkok, mahar 50jt buat keluarga",
            "perjodohan dengan orang Taiwan, hidup terjamin, keluarga dapat uang",
        ],
        ["Selamat menempuh hidup baru, sahabatku!", "Resepsi pernikahan kami hari Minggu di Yogya"],
    ),
    "ajak_teman": (
        [
            "Ajak teman dapat bonus 2jt per orang!",
            "bawa saudara, ada komisi setiap kepala",
            "Bonus referral 500 USD tiap orang yang berangkat",
        ],
        [
            "Ajak teman nonton bareng final nanti malam",
            "Bawa keluarga ke pasar malam, gratis masuk",
        ],
    ),
    "kata_disamarkan": (
        [
            "Loker CS di K4mb0ja",
            "kerja di M y a n m a r gaji gede",
            "WA nol delapan satu dua tiga empat lima enam",
            "penempatan negara K, japri",
            "🅲🆂 🅶🅰🅹🅸 besar",
        ],
        [
            "Loker CS di Kamboja",
            "Haul KH Hasyim Asy'ari di Jombang",
            "PS5 bekas dijual, covid19 sudah lewat",
        ],
    ),
    "biaya_di_muka": (
        [
            "Visa kerja Jepang tanpa LPK, biaya 28 jt all in",
            "DP 10 jt dulu, sisanya setelah visa kerja jadi",
            "calling visa Saudi siap, bayar 15jt langsung berangkat",
        ],
        [
            "Paket umroh 12 hari mulai 32 jt",
            "Biaya pendaftaran gratis, tidak dipungut biaya apa pun",
            "Gaji 4,5jt + uang makan, kirim CV",
            "Kerja ke Korea lewat G to G gak bayar 15jt kok, biaya resmi cuma tes",
        ],
    ),
    "mengaku_resmi": (
        [
            "Lowongan resmi P3MI, gaji 25jt, berangkat bulan depan",  # a claim with nothing to check
            "Program G to G resmi, tinggal transfer biaya admin 3jt",
            "PT kami legal dan aman, 100% bukan penipuan, berangkat bulan depan",
        ],
        [
            "PT Bina Karya (SIP3MI No. 123/2024) membuka job order Taiwan",
            "Kerja ke luar negeri harus lewat P3MI resmi",
            "Apakah PT ini resmi? ada yang tahu?",
            "Lowongan kasir minimarket, Cikarang",
        ],
    ),
    "konteks_peringatan": (
        [
            "⚠️ WASPADA modus loker Kamboja! Jangan tergiur gaji besar",
            'Ini contoh iklan yang lagi beredar: "gaji 17jt, DM aja". Mencurigakan banget',
            "Hati-hati penipuan berkedok lowongan luar negeri, cek legalitas dulu",
            "Stop TPPO! Kenali ciri-cirinya",
        ],
        [
            "Dicari admin Kamboja gaji 15jt, tiket ditanggung",
            "Lowongan barista, kirim CV",
            "Ini bukan hoax ya, aku sendiri udah kerja di sana, gaji cair tiap bulan",
            "100% bukan penipuan, amanah, sudah banyak yang berangkat",
        ],
    ),
    "konteks_berita": (
        [
            "Polres Sukabumi menangkap dua tersangka perekrut PMI ilegal",
            "Sebanyak 25 WNI korban dipulangkan dari Myawaddy, menurut KBRI",
            "Hingga kini pelaku belum ditangkap polisi",
        ],
        ["Dicari operator produksi, segera", "minat WA 0812-3456-7890"],
    ),
    "penempatan_resmi": (
        [
            "Program G to G Korea lewat EPS-TOPIK, daftar di BP2MI",
            "PT Maju, P3MI berizin SIP3MI No. 0987/2023, lowongan terdaftar di SISKOP2MI",
            "Cek lowongan resmi di https://siskop2mi.bp2mi.go.id",
        ],
        [
            "Dicari TKW ke Saudi, proses cepat, tanpa PT",
            "Lowongan admin crypto Kamboja",
            "Berangkat tanpa izin P3MI, yang penting aman",  # a denied mark of legitimacy
            "PT Maju, P3MI berizin SIP3MI, lowongan terdaftar di SISKOP2MI",  # claims, no number to check
            "resmi P3MI, G to G, gaji 25jt, langsung berangkat",
        ],
    ),
    "terlalu_pendek": (
        ["Kamboja 20jt", "minat? japri", "Loker LN 🔥🔥"],
        [
            "Dicari admin online penempatan Kamboja gaji 20jt, japri",
            "Selamat pagi semua, semoga sehat selalu ya",
        ],
    ),
}

REGISTRY_FIRE = [(item.name, text) for item in REGISTRY for text in item.must_fire]
REGISTRY_NOT = [(item.name, text) for item in REGISTRY for text in item.must_not_fire]
CASE_FIRE = [(name, text) for name, (fire, _) in CASES.items() for text in fire]
CASE_NOT = [(name, text) for name, (_, not_fire) in CASES.items() for text in not_fire]


@pytest.mark.parametrize(("name", "text"), REGISTRY_FIRE + CASE_FIRE)
def test_indicator_fires(name, text):
    hits = {hit.name: hit.evidence for hit in analyse(text).hits}
    assert name in hits, f"{name} should fire on: {text}"
    assert hits[name].strip()


@pytest.mark.parametrize(("name", "text"), REGISTRY_NOT + CASE_NOT)
def test_indicator_does_not_fire(name, text):
    assert name not in analyse(text).fired, f"{name} should not fire on: {text}"


def test_every_indicator_is_documented_and_has_examples():
    assert set(names()) >= REQUIRED
    assert len(set(names())) == len(REGISTRY)
    for item in REGISTRY:
        assert item.kind in (RED_FLAG, COUNTER, STATE)
        assert item.label_id and item.label_en and item.description_id and item.description_en
        assert item.must_fire and item.must_not_fire, item.name
        assert item.name in CASES, f"add realistic cases for {item.name}"
        assert item.negatable or item.negation_note, (
            f"{item.name}: say why a negator does not change it"
        )
    assert {item.name for item in REGISTRY if item.kind == COUNTER} == {
        "konteks_peringatan",
        "konteks_berita",
        "penempatan_resmi",
    }
    assert {item.name for item in REGISTRY if item.kind == STATE} == {"terlalu_pendek"}


def test_every_red_flag_points_to_a_law_in_both_languages():
    for item in REGISTRY:
        if item.kind != RED_FLAG:
            continue
        assert item.laws, f"{item.name} names no law or rule"
        for key in item.laws:
            law = legal.LAWS[key]
            assert law.text("id") != law.text("en") and law.text("id").startswith(
                ("UU", "Kepmenaker")
            )
    assert legal.describe(("uu6_2011",), "en")[0].startswith("Law 6/2011 on Immigration")


def test_every_negatable_indicator_has_a_negated_example_that_does_not_fire():
    for item in REGISTRY:
        if not item.negatable or not item.cues:
            continue
        negated = [
            text
            for text in item.must_not_fire + tuple(CASES[item.name][1])
            if NEGATORS & set(analyse(text).normalized.text.split())
        ]
        assert negated, f"{item.name}: add a must_not_fire example with a negated cue"


# The same cue after each negator, in its standard and its chat spellings: none may fire.
NEGATED_CUES = [
    (
        "berangkat_cepat",
        "{neg} bisa berangkat cepat, visa kerja diproses 3 bulan",
        (
            "tidak",
            "tak",
            "gak",
            "ga",
            "gk",
            "nggak",
            "ngga",
            "enggak",
            "engga",
            "kagak",
            "tdk",
            "belum",
            "blm",
            "blom",
            "jangan",
            "jgn",
        ),
    ),
    (
        "visa_turis_untuk_kerja",
        "Kerja di sana {neg} pakai visa turis",
        ("tidak", "gak", "nggak", "bukan", "bkn", "jangan", "jgn"),
    ),
    (
        "syarat_ringan",
        "Ini {neg} tanpa pengalaman: minimal 2 tahun di bidang logistik",
        ("bukan", "bkn"),
    ),
    (
        "penyeberangan_ilegal",
        "Kami {neg} lewat jalur tikus",
        ("tidak", "gak", "ga", "gk", "nggak", "tdk", "tak", "jangan"),
    ),
    (
        "potong_gaji",
        "gaji {neg} dipotong untuk biaya apa pun",
        ("tidak", "gak", "ga", "nggak", "tdk", "tak"),
    ),
    (
        "jalur_nonprosedural",
        "Kami {neg} lewat calo",
        ("tidak", "gak", "ga", "bukan", "bkn", "tanpa", "tnp", "jangan"),
    ),
    (
        "minta_dokumen_pribadi",
        "{neg} usah kirim foto KTP atau buku tabungan ke WA siapa pun",
        ("tidak", "gak", "ga", "nggak", "tdk", "jangan"),
    ),
    (
        "kuota_terbatas_mendesak",
        "kami {neg} butuh cepat, seleksi 2 bulan",
        ("tidak", "gak", "nggak", "tdk"),
    ),
    (
        "mengaku_resmi",
        "PT kami {neg} legal dan aman, jujur saja",
        ("belum", "blm", "tidak", "bukan"),
    ),
    ("konteks_peringatan", "Tenang, ini {neg} modus", ("bukan", "bkn")),
]
NEGATED_CASES = [
    (name, template.format(neg=neg)) for name, template, negs in NEGATED_CUES for neg in negs
]


@pytest.mark.parametrize(("name", "text"), NEGATED_CASES)
def test_a_negated_cue_does_not_fire(name, text):
    result = analyse(text)
    assert name not in result.fired, f"{name} fired on the negated cue in: {text}"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "berangkat_cepat",
            "Tidak perlu khawatir, berangkat cepat minggu depan",
        ),  # the negator is in another clause
        (
            "berangkat_cepat",
            "ga pake lama langsung berangkat",
        ),  # the negator denies "lama", not the departure
        ("penyeberangan_ilegal", "tidak ada razia, lewat jalur tikus aman"),
        ("syarat_ringan", "tanpa pengalaman, tidak perlu ijazah"),  # the negator is the cue
    ],
)
def test_negation_scope_ends_at_the_clause_and_the_cue(name, text):
    assert name in analyse(text).fired, text


def test_denied_cues_are_recorded_for_the_rules_report():
    result = analyse("Kami tidak lewat jalur tikus dan gak bisa berangkat cepat")
    assert {"penyeberangan_ilegal", "berangkat_cepat"} <= set(result.negated)
    assert not {"penyeberangan_ilegal", "berangkat_cepat"} & result.fired


# Defects found when running the JOBSAFE regression cases and official scam advisories: each
# fired (or was read) wrongly before and must not now.
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("penempatan_resmi", "Kerja ke Malaysia tanpa izin P3MI, gaji 8jt, berangkat minggu depan"),
        ("penempatan_resmi", "Kami resmi P3MI dan G to G, tinggal transfer biaya admin"),
        ("berangkat_cepat", "Lowongan admin Kamboja, kuota terbatas, buruan daftar"),
        ("kontak_hanya_chat", "Lowongan kerja Jepang, info lengkap di bit.ly/kerja-jepang"),
        ("kontak_hanya_chat", "Butuh info lowongan? hubungi kantor cabang terdekat"),
        (
            "gaji_tidak_wajar",
            "Korban mengalami kerugian Rp35 juta setelah dijanjikan gaji besar di Kamboja",
        ),
    ],
)
def test_reported_defects_no_longer_fire(name, text):
    assert name not in analyse(text).fired, text


def test_denied_licence_is_a_red_flag_and_a_bare_claim_its_own_reason():
    denied = analyse("Kerja ke Malaysia tanpa izin P3MI, gaji 8jt, berangkat minggu depan")
    assert "jalur_nonprosedural" in denied.fired and "penempatan_resmi" not in denied.fired
    claimed = {
        hit.name: hit.evidence
        for hit in analyse("Lowongan resmi P3MI ke Taiwan, gaji 25jt, tanpa pengalaman").hits
    }
    assert "penempatan_resmi" not in claimed and claimed["mengaku_resmi"] == "lowongan resmi"
    checked = analyse("PT Bina Karya, SIP3MI No. 123/2024, lowongan resmi ke Taiwan")
    assert "penempatan_resmi" in checked.fired and "mengaku_resmi" not in checked.fired


def test_identity_documents_before_an_interview_and_short_posts_are_named():
    ids = analyse(
        "Minat? kirim foto KTP, KK dan buku tabungan ke WA 0812-7734-2190, tanpa interview"
    )
    assert "minta_dokumen_pribadi" in ids.fired
    short = {hit.name: hit.evidence for hit in analyse("Kamboja 20jt WA").hits}
    assert short["terlalu_pendek"] == "3 kata"


@pytest.mark.parametrize(
    ("fired", "worthy"),
    [
        ({"terlalu_pendek"}, False),
        ({"terlalu_pendek", "konteks_berita"}, False),
        ({"terlalu_pendek", "negara_berisiko"}, True),
        ({"negara_berisiko"}, True),
        (set(), True),
    ],
)
def test_too_short_posts_stay_out_of_the_queue_unless_a_red_flag_fires(fired, worthy):
    assert indicators.is_queue_worthy(fired) is worthy


def test_patterns_are_declared_in_the_registry_and_gate_the_searches():
    gate = indicators.keyword_gate()
    declared = {p for item in REGISTRY for p in item.cues.on_normalized()}
    assert declared and set(gate.needed) <= declared | set(indicators.SHARED.on_normalized()) | {
        p for p in gate.needed
    }  # every gated pattern is a declared one
    assert not [name for name in vars(indicators) if name.endswith("_RE")], (
        "patterns belong in the decorator"
    )
    assert by_name("berangkat_cepat").cues["fast"] in gate.needed


def test_analysis_lives_in_its_own_module_and_is_re_exported():
    assert indicators.Analysis is analysis.Analysis and indicators.analyse is analysis.analyse
    assert (
        indicators.PostContext is analysis.PostContext
        and indicators.analyse_many is analysis.analyse_many
    )


def test_by_name_finds_and_rejects():
    assert by_name("potong_gaji").kind == RED_FLAG
    with pytest.raises(KeyError):
        by_name("tidak_ada")


def test_evidence_quotes_the_words_that_matched():
    analysis = analyse("Tiket pesawat + visa DITANGGUNG, potong gaji 3 bulan, kerja di K4mboja")
    evidence = {hit.name: hit.evidence for hit in analysis.hits}
    assert "ditanggung" in evidence["biaya_ditanggung"]
    assert evidence["potong_gaji"] == "potong gaji"
    assert "kamboja" in evidence["negara_berisiko"]
    assert "k4mboja" in evidence["kata_disamarkan"]


def test_analysis_carries_normalized_text_entities_and_hits():
    analysis = analyse("Dicari CS online Kamboja gaji 1000 USD, WA 0812-3456-7890")
    assert isinstance(analysis, Analysis)
    assert analysis.normalized.text.startswith("dicari customer service online kamboja")
    assert analysis.entities.phones == ["081234567890"]
    assert analysis.entities.contacts == ["6281234567890"]
    assert analysis.entities.destinations == ["kamboja"]
    assert all(isinstance(hit, Hit) for hit in analysis.hits)
    assert [hit.name for hit in analysis.hits] == [
        n for n in names() if n in analysis.fired
    ]  # registry order


def test_awareness_post_with_recruiter_words_also_carries_counter_signal():
    result = analyse(
        'WASPADA! Iklan "admin Kamboja gaji 20jt tanpa pengalaman, tiket ditanggung" itu modus TPPO. '
        "Kerja ke luar negeri harus lewat P3MI resmi yang terdaftar di KP2MI, cek di www.kp2mi.go.id"
    )
    assert {"konteks_peringatan", "penempatan_resmi"} <= result.fired
    assert "mengaku_resmi" not in result.fired  # advice to the reader claims nothing
    assert "negara_berisiko" in result.fired  # the quoted words still count; the model weighs both


def test_analyse_many_keeps_order():
    texts = ["Loker Kamboja", "Lowongan kasir Malang"]
    assert [a.normalized.text for a in indicators.analyse_many(texts)] == [
        "lowongan kamboja",
        "lowongan kasir malang",
    ]
