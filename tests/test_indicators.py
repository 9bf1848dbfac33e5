"""Red flags and counter-signals: every indicator fires on what it names and not on look-alikes."""

from __future__ import annotations

import pytest

from pipeline import indicators
from pipeline.indicators import COUNTER, RED_FLAG, REGISTRY, Analysis, Hit, analyse, by_name, names

REQUIRED = {
    "gaji_tidak_wajar", "syarat_ringan", "biaya_ditanggung", "berangkat_cepat", "visa_turis_untuk_kerja",
    "jalur_nonprosedural", "negara_berisiko", "kontak_hanya_chat", "pekerjaan_modus_online", "potong_gaji",
    "usia_muda", "dokumen_diurus_atau_ditahan", "penyeberangan_ilegal", "pengantin_pesanan", "ajak_teman",
    "kata_disamarkan", "konteks_peringatan", "konteks_berita", "penempatan_resmi",
}

# Realistic posts per indicator, beyond the examples in the registry: recruitment in the
# styles seen on Facebook groups, TikTok captions and WhatsApp forwards (slang, code-mixing,
# disguised words), and look-alikes from awareness posts, news and ordinary job boards.
CASES: dict[str, tuple[list[str], list[str]]] = {
    "gaji_tidak_wajar": (
        ["lowongan CS luar negeri gaji 15jt no pengalaman cek bio 🔥",
         "Gaji 1.2K USD/bln, cuma balas chat customer, yg penting bisa ngetik",
         "kerja santai depan laptop, gaji 8 digit, tanpa pengalaman"],
        ["Lowongan Staff Admin Gudang, Cikarang. Gaji 5,2jt + BPJS. Min. D3, pengalaman 1 tahun",
         "Dokter spesialis anestesi, STR aktif, pengalaman minimal 3 tahun, gaji Rp 35.000.000",
         "Alhamdulillah menang undian Rp 100.000.000, makasih semua"],
    ),
    "syarat_ringan": (
        ["Dicari admin online, gk perlu pengalaman, yg penting bisa pake HP",
         "Lowker ABK kapal asing, tanpa ijazah, tanpa pengalaman, langsung kerja",
         "semua lulusan bisa daftar, tidak ada syarat, tidak perlu bahasa inggris",
         "kerja kilang Malaysia, takde pengalaman pun boleh, tak perlu ijazah"],
        ["Kualifikasi: S1 Teknik Sipil, pengalaman minimal 3 tahun, menguasai AutoCAD",
         "Syarat: sehat jasmani, usia 20-30, lulusan SMA/SMK, pengalaman di bidang logistik"],
    ),
    "biaya_ditanggung": (
        ["✅ Tiket pesawat, visa, mess & makan DITANGGUNG", "paspor dibiayai perusahaan, tiket PP gratis",
         "Free visa + free tiket, tinggal berangkat"],
        ["Tiket promo Jakarta-Bali mulai 700rb", "Mess disediakan bagi karyawan dari luar kota",
         "Biaya pembuatan paspor Rp 350.000 dibayar sendiri di kantor imigrasi"],
    ),
    "berangkat_cepat": (
        ["Berangkat minggu depan, slot tinggal 6 orang!", "proses cepat 2 minggu langsung terbang",
         "BUTUH CEPAT!!! siap berangkat segera"],
        ["Pesawat berangkat jam 10 dari Soekarno-Hatta", "Pendaftaran dibuka sampai 15 Desember",
         "Kereta Argo Bromo berangkat dari Gambir pukul 08.00"],
    ),
    "visa_turis_untuk_kerja": (
        ["Berangkat pakai visa turis aja, nanti di sana diurus izin kerja",
         "masuk pake visa kunjungan, langsung kerja di kebun sawit",
         "Jalur ziarah ke Saudi, sampai sana langsung ke rumah majikan"],
        ["Tips bikin visa turis Jepang buat liburan musim semi 🌸",
         "Visa on arrival Thailand sekarang gratis buat liburan 30 hari"],
    ),
    "jalur_nonprosedural": (
        ["lewat jalur mandiri aja kak, gak usah lewat PT, lebih murah",
         "Tanpa melalui P3MI, langsung majikan, proses cepat", "ada calo di desa yg bisa bantu berangkat"],
        ["Kami perusahaan resmi, bukan calo. Lamaran lewat website",
         "Daftar melalui P3MI berizin yang tercatat di SISKOP2MI"],
    ),
    "negara_berisiko": (
        ["Lowongan admin penempatan Phnom Penh 🇰🇭", "kerja di negeri gajah putih dekat perbatasan, gaji besar",
         "lowongan kerja Thailand, gaji 12jt, berangkat dari Medan",
         "job CS di SHV, mess gratis", "lowongan operator di L40s"],
        ["Foto bunga kamboja di makam kakek 🌸", "Liburan ke Bangkok 4 hari 3 malam, itinerary hemat",
         "Transit di Singapura 6 jam, enaknya ke mana ya?",
         "Lowongan kasir di Malang, gaji UMR"],
    ),
    "kontak_hanya_chat": (
        ["minat langsung WA 0812-7734-2190 (chat only)", "serius tanya² DM @loker.asia",
         "info lengkap join t.me/lokerln", "yg minat japri aja kak"],
        ["Kirim CV ke rekrutmen@majujaya.co.id paling lambat 30 Juni",
         "Lamar lewat www.majujaya.co.id/karir atau datang langsung ke Jl. Gatot Subroto 12",
         "Makan siang dulu guys, laper banget"],
    ),
    "pekerjaan_modus_online": (
        ["Dibutuhkan CS online penempatan Kamboja 🇰🇭", "lowongan admin judi online gaji dolar",
         "Typist luar negeri, kerja depan laptop, mess disediakan", "cari tim marketing kripto di Myanmar"],
        ["Dibutuhkan Customer Service untuk kantor cabang Surabaya", "Admin online shop hijab di Bandung, WFH",
         "Operator forklift pabrik Karawang"],
    ),
    "potong_gaji": (
        ["biaya proses ditalangi dulu, nanti potong gaji 6 bulan", "gaji dibayar di akhir kontrak",
         "ongkos berangkat dipotong dari gaji tiap bulan"],
        ["Gaji dibayar tiap tanggal 25 via transfer", "Potong rambut gratis buat pelajar hari ini"],
    ),
    "usia_muda": (
        ["lulusan SMP boleh, usia 16-25 thn", "umur bisa dituakan di paspor, tenang aja",
         "usia 17 tahun boleh ikut, langsung berangkat"],
        ["usia 18-35 tahun, sehat jasmani", "Anak saya umur 16 tahun baru masuk SMA",
         "Lomba mewarnai untuk anak usia 5-10 tahun"],
    ),
    "dokumen_diurus_atau_ditahan": (
        ["paspor & visa semua kami yang urus, tinggal bawa KTP", "Paspor dipegang perusahaan selama kontrak",
         "bisa bikin paspor cepat tanpa antri, ganti nama lain juga bisa"],
        ["Jangan lupa bawa paspor asli saat check-in", "Perpanjangan paspor sekarang bisa online lewat M-Paspor"],
    ),
    "penyeberangan_ilegal": (
        ["lewat jalur tikus dari Dumai, aman dari razia", "nyebrang pakai speedboat malam ke Johor",
         "tanpa paspor bisa, dijemput di seberang"],
        ["Jadwal kapal ferry Batam-Singapura hari ini normal", "Jalan tikus di kampung banjir lagi",
         "Hati-hati lewat jalan gelap dekat pasar kalau pulang malam",
         "Naik speedboat ke Gili Trawangan seru banget"],
    ),
    "pengantin_pesanan": (
        ["Dicari calon istri untuk pria Tiongkok, mahar 50jt buat keluarga",
         "perjodohan dengan orang Taiwan, hidup terjamin, keluarga dapat uang"],
        ["Selamat menempuh hidup baru, sahabatku!", "Resepsi pernikahan kami hari Minggu di Yogya"],
    ),
    "ajak_teman": (
        ["Ajak teman dapat bonus 2jt per orang!", "bawa saudara, ada komisi setiap kepala",
         "Bonus referral 500 USD tiap orang yang berangkat"],
        ["Ajak teman nonton bareng final nanti malam", "Bawa keluarga ke pasar malam, gratis masuk"],
    ),
    "kata_disamarkan": (
        ["Loker CS di K4mb0ja", "kerja di M y a n m a r gaji gede", "WA nol delapan satu dua tiga empat lima enam",
         "penempatan negara K, japri", "🅲🆂 🅶🅰🅹🅸 besar"],
        ["Loker CS di Kamboja", "Haul KH Hasyim Asy'ari di Jombang", "PS5 bekas dijual, covid19 sudah lewat"],
    ),
    "biaya_di_muka": (
        ["Visa kerja Jepang tanpa LPK, biaya 28 jt all in", "DP 10 jt dulu, sisanya setelah visa kerja jadi",
         "calling visa Saudi siap, bayar 15jt langsung berangkat"],
        ["Paket umroh 12 hari mulai 32 jt", "Biaya pendaftaran gratis, tidak dipungut biaya apa pun",
         "Gaji 4,5jt + uang makan, kirim CV"],
    ),
    "konteks_peringatan": (
        ["⚠️ WASPADA modus loker Kamboja! Jangan tergiur gaji besar",
         'Ini contoh iklan yang lagi beredar: "gaji 17jt, DM aja". Mencurigakan banget',
         "Hati-hati penipuan berkedok lowongan luar negeri, cek legalitas dulu", "Stop TPPO! Kenali ciri-cirinya"],
        ["Dicari admin Kamboja gaji 15jt, tiket ditanggung", "Lowongan barista, kirim CV",
         "Ini bukan hoax ya, aku sendiri udah kerja di sana, gaji cair tiap bulan",
         "100% bukan penipuan, amanah, sudah banyak yang berangkat"],
    ),
    "konteks_berita": (
        ["Polres Sukabumi menangkap dua tersangka perekrut PMI ilegal",
         "Sebanyak 25 WNI korban dipulangkan dari Myawaddy, menurut KBRI"],
        ["Dicari operator produksi, segera", "minat WA 0812-3456-7890"],
    ),
    "penempatan_resmi": (
        ["Program G to G Korea lewat EPS-TOPIK, daftar di BP2MI",
         "PT Maju, P3MI berizin SIP3MI, lowongan terdaftar di SISKOP2MI"],
        ["Dicari TKW ke Saudi, proses cepat, tanpa PT", "Lowongan admin crypto Kamboja"],
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
    assert REQUIRED <= set(names())
    assert len(set(names())) == len(REGISTRY)
    for item in REGISTRY:
        assert item.kind in (RED_FLAG, COUNTER)
        assert item.label_id and item.label_en and item.description_id and item.description_en
        assert item.must_fire and item.must_not_fire, item.name
        assert item.name in CASES, f"add realistic cases for {item.name}"
    assert {item.name for item in REGISTRY if item.kind == COUNTER} == {
        "konteks_peringatan", "konteks_berita", "penempatan_resmi"}


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
    assert analysis.entities.destinations == ["kamboja"]
    assert all(isinstance(hit, Hit) for hit in analysis.hits)
    assert [hit.name for hit in analysis.hits] == [n for n in names() if n in analysis.fired]  # registry order


def test_awareness_post_with_recruiter_words_also_carries_counter_signal():
    analysis = analyse(
        'WASPADA! Iklan "admin Kamboja gaji 20jt tanpa pengalaman, tiket ditanggung" itu modus TPPO. '
        "Kerja ke luar negeri harus lewat P3MI resmi yang terdaftar di KP2MI.")
    assert {"konteks_peringatan", "penempatan_resmi"} <= analysis.fired
    assert "negara_berisiko" in analysis.fired  # the quoted words still count; the model weighs both


def test_analyse_many_keeps_order():
    texts = ["Loker Kamboja", "Lowongan kasir Malang"]
    assert [a.normalized.text for a in indicators.analyse_many(texts)] == ["lowongan kamboja", "lowongan kasir malang"]
