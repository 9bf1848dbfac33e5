"""Named red flags and counter-signals: the reasons a reviewer reads.

Each indicator is a small module-level function over one analysed post that returns the
evidence it matched (or ``None``). Names are Indonesian because reviewers read them; each has an
Indonesian and an English description and examples that must and must not fire (the test suite
runs them). Indicators are reasons to look, never proof: they are features of the model, which
weighs them against everything else in the post.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from pipeline.entities import Entities, extract
from pipeline.text.lexicon import places
from pipeline.text.normalize import Normalized, normalize_with_clean
from pipeline.text.patterns import KeywordGate, may_hold_any

RED_FLAG = "red_flag"
COUNTER = "counter"


@dataclass
class PostContext:
    """One post as indicators see it: the original, the normalised copy, and its entities."""

    raw: str
    normalized: Normalized
    cleaned: str | None = None

    @cached_property
    def text(self) -> str:
        return self.normalized.text

    @cached_property
    def keywords(self) -> frozenset[str]:
        """The literals of the indicator patterns that occur in the normalised text."""
        return _KEYWORDS.present(self.text)

    @cached_property
    def entities(self) -> Entities:
        return extract(self.raw, self.normalized.text, self.cleaned)


@dataclass(frozen=True)
class Indicator:
    name: str
    kind: str
    label_id: str
    label_en: str
    description_id: str
    description_en: str
    detect: Callable[[PostContext], str | None]
    must_fire: tuple[str, ...] = ()
    must_not_fire: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    name: str
    evidence: str


@dataclass
class Analysis:
    normalized: Normalized
    entities: Entities
    hits: list[Hit] = field(default_factory=list)

    @property
    def fired(self) -> set[str]:
        return {hit.name for hit in self.hits}


REGISTRY: list[Indicator] = []


def indicator(
    name: str,
    kind: str,
    label_id: str,
    label_en: str,
    description_id: str,
    description_en: str,
    must_fire: Sequence[str] = (),
    must_not_fire: Sequence[str] = (),
) -> Callable[[Callable[[PostContext], str | None]], Callable[[PostContext], str | None]]:
    def register(func: Callable[[PostContext], str | None]) -> Callable[[PostContext], str | None]:
        REGISTRY.append(
            Indicator(name, kind, label_id, label_en, description_id, description_en, func,
                      tuple(must_fire), tuple(must_not_fire))
        )
        return func

    return register


def _find(pattern: re.Pattern[str], ctx: PostContext) -> re.Match[str] | None:
    """``pattern.search(ctx.text)``, skipped when the post lacks every literal a match needs."""
    needed = _KEYWORDS.needed.get(pattern)
    if needed is not None and ctx.keywords.isdisjoint(needed):
        return None
    return pattern.search(ctx.text)


def _search(pattern: re.Pattern[str], ctx: PostContext) -> str | None:
    match = _find(pattern, ctx)
    return match.group(0) if match else None


_RISK_BY_PLACE = {p.canonical: p.risk for p in places()}
_ABROAD_RE = re.compile(r"\b(luar negeri|overseas|abroad|ln|negara tetangga|penempatan asia|asia tenggara|kerja di asia)\b")
_QUALIFICATIONS_RE = re.compile(
    r"\b(minimal|min|berpengalaman|pengalaman minimal|sarjana|s1|s2|d3|diploma|menguasai|sertifikat|bersertifikat|"
    r"certified|degree|bachelor|years of pengalaman|tahun pengalaman|pengalaman _num_ tahun|pengalaman di bidang|"
    r"portofolio|keahlian khusus|lisensi|str aktif|sertifikasi)\b"
)


@indicator(
    "syarat_ringan", RED_FLAG, "syarat sangat ringan", "no qualifications needed",
    "Tidak perlu pengalaman, pendidikan atau bahasa asing — tidak sebanding dengan gaji/lokasi yang ditawarkan.",
    "No experience, education or language needed.",
    must_fire=("Dicari admin, tanpa pengalaman, yg penting bisa pake HP", "No experience needed, just can use computer",
               "gk perlu ijazah gk perlu bhs inggris"),
    must_not_fire=("Kualifikasi: S1 Akuntansi, pengalaman minimal 2 tahun", "Pengalaman kerja saya 3 tahun di pabrik"),
)
def syarat_ringan(ctx: PostContext) -> str | None:
    return _search(_SYARAT_RINGAN_RE, ctx)


_SYARAT_RINGAN_RE = re.compile(
    r"\b(?:(?:tanpa|tidak (?:perlu|butuh|harus|wajib|ada|usah)|bebas|no|non|not required) (?:syarat )?(?:pengalaman|ijazah|pendidikan|skill|keahlian|"
    r"bahasa(?: inggris| asing)?|bisa bahasa|bahasa inggris|tes|wawancara|modal|syarat)|"
    r"(?:yang )?penting (?:bisa|mau|jujur|rajin) (?:pakai|pake|main|pegang|operasikan|mengoperasikan|ngetik|mengetik|baca|hp|komputer|laptop|kerja)|"
    r"(?:hanya|cukup|asal) bisa (?:pakai|pake|main|mengetik|ngetik|baca|hp|komputer|laptop|internet)|"
    r"(?:semua|segala) (?:lulusan|jurusan|pendidikan)|lulusan (?:sd|smp) (?:bisa|boleh|diterima)|"
    r"pengalaman tidak (?:diperlukan|dibutuhkan|wajib|penting)|no pengalaman|pengalaman (?:nol|tidak perlu)|"
    r"no (?:experience|qualification)s?(?: needed| required)?|without (?:experience|degree)|"
    r"basic (?:computer|phone) skills?(?: only| is enough)?|tidak ada syarat|syarat mudah|syarat gampang)\b"
)


@indicator(
    "biaya_ditanggung", RED_FLAG, "biaya berangkat ditanggung", "travel costs covered",
    "Tiket, visa, paspor atau akomodasi dijanjikan gratis/ditanggung — umpan klasik perekrut.",
    "Ticket, visa, passport or housing promised free.",
    must_fire=("tiket pesawat + visa ditanggung perusahaan", "Free tiket, free visa, free mess!", "semua biaya keberangkatan gratis"),
    must_not_fire=("mess disediakan untuk karyawan luar kota", "Harga tiket Jakarta-Bangkok mulai 900rb"),
)
def biaya_ditanggung(ctx: PostContext) -> str | None:
    return _search(_BIAYA_RE, ctx)


_COST_ITEMS = r"(?:tiket(?: pesawat)?|visa|paspor|pesawat|keberangkatan|penerbangan|flight|akomodasi|semua biaya|biaya (?:proses|keberangkatan|berangkat|pembuatan)|transportasi ke|ongkos berangkat)"
_BIAYA_RE = re.compile(
    rf"\b{_COST_ITEMS}\b[^.\n]{{0,40}}?\b(?:ditanggung|gratis|dibayar(?:in|kan)?(?! sendiri| oleh (?:peserta|pelamar|pemohon|calon))|dibiayai|covered|paid|dari perusahaan|kami tanggung)\b|"
    rf"\b(?:gratis|ditanggung|free|dibiayai) {_COST_ITEMS}\b|\btanpa (?:biaya|modal|dipungut biaya)\b[^.\n]{{0,30}}(?:berangkat|proses|keberangkatan)"
)


@indicator(
    "berangkat_cepat", RED_FLAG, "desakan berangkat cepat", "pressure to leave fast",
    "Desakan waktu: berangkat minggu ini, proses kilat, kuota terbatas.",
    "Urgency: leave this week, fast processing, limited slots.",
    must_fire=("Proses cepat 1 minggu langsung terbang!", "kuota terbatas, buruan daftar", "siap berangkat bulan depan"),
    must_not_fire=("Lamaran paling lambat 30 November", "Kereta berangkat jam 7 pagi"),
)
def berangkat_cepat(ctx: PostContext) -> str | None:
    return _search(_CEPAT_RE, ctx)


_CEPAT_RE = re.compile(
    r"\b(?:(?:berangkat|terbang|proses|keberangkatan|flight)(?: \w+)? (?:cepat|kilat|secepatnya|segera|langsung|minggu (?:ini|depan)|bulan (?:ini|depan)|"
    r"_num_ (?:hari|minggu))|(?:siap|langsung|bisa|segera) (?:berangkat|terbang)|kuota (?:terbatas|sisa|tinggal|hanya)|"
    r"butuh cepat|dibutuhkan segera|segera berangkat|tanpa antri|tanpa (?:menunggu|nunggu) lama|fast process|leave (?:this|next) week|"
    r"limited (?:slot|seat|kuota)s?|urgently|sisa _num_ kuota)\b"
)


@indicator(
    "visa_turis_untuk_kerja", RED_FLAG, "visa turis untuk kerja", "tourist visa for work",
    "Berangkat kerja memakai visa turis/kunjungan/ziarah/umrah — tidak sah untuk bekerja.",
    "Working abroad on a tourist, visit, pilgrimage or visa-free entry.",
    must_fire=("Berangkat kerja pakai visa turis dulu, nanti di sana diurus", "masuk pake visa kunjungan, kerja di kebun",
               "jalur umroh, langsung kerja di rumah majikan"),
    must_not_fire=("Syarat visa turis Korea untuk liburan keluarga: rekening koran 3 bulan",),
)
def visa_turis_untuk_kerja(ctx: PostContext) -> str | None:
    hit = _search(_VISA_TURIS_RE, ctx)
    if hit and (_find(_WORK_RE, ctx)):
        return hit
    return None


_VISA_TURIS_RE = re.compile(
    r"\b(?:visa|paspor|pas) (?:turis|wisata|kunjungan|pelancong|pelawat|tourist|tourism|ziarah|umroh|umrah|on arrival|visit)|"
    r"\b(?:pakai|pake|dengan|sebagai|seperti|kayak|pura pura|menyamar) (?:turis|wisatawan|pelancong|orang liburan|liburan|wisata)\b|"
    r"\bjalur (?:umroh|umrah|ziarah|wisata|turis)\b|\bbebas visa\b|\bvisa free\b|\bvoa\b"
)
_WORK_RE = re.compile(r"\b(?:kerja|bekerja|pekerjaan|gaji|majikan|lowongan|job|work|working|kebun|pabrik|izin)\b")


@indicator(
    "jalur_nonprosedural", RED_FLAG, "jalur tidak resmi", "non-procedural route",
    "Menghindari P3MI berizin, BP2MI/KP2MI atau Disnaker: 'jalur mandiri', 'tanpa PT', 'langsung majikan'.",
    "Avoids licensed agencies and the placement authority.",
    must_fire=("Lewat jalur mandiri aja, gak usah lewat PT", "tanpa melalui BP2MI, lebih cepat", "langsung ke majikan tanpa agen"),
    must_not_fire=("Pendaftaran melalui P3MI resmi yang terdaftar di KP2MI",),
)
def jalur_nonprosedural(ctx: PostContext) -> str | None:
    return _search(_NONPROSEDURAL_RE, ctx)


_NONPROSEDURAL_RE = re.compile(
    r"\b(?:jalur (?:mandiri|belakang|pribadi|perorangan|non ?prosedural|khusus|cepat|dalam|orang dalam)|"
    r"(?:tanpa|tidak (?:perlu|usah|lewat|melalui)|gak usah|ga usah|tidak pakai) (?:lewat |melalui |pakai |ke )?(?:agen|agency|pt|perusahaan penyalur|p3mi|pjtki|bp2mi|kp2mi|disnaker|bnp2tki|dinas)|"
    r"non ?prosedural|unprosedural|langsung (?:ke )?majikan|majikan langsung|direct (?:to )?employer|"
    r"(?<!bukan )(?<!tanpa )(?<!anti )(?<!hindari )(?<!bebas )calo|agen perorangan|lewat kenalan|lewat saudara di sana|ilegal tapi aman|tidak resmi tapi|no agency)\b"
)


@indicator(
    "negara_berisiko", RED_FLAG, "tujuan berisiko", "high-risk destination",
    "Tujuan atau rute transit kasus TPPO yang dikenal (Kamboja, Myanmar, Laos, Thailand ke perbatasan, Filipina, Timur Tengah jalur perorangan).",
    "A destination or transit route of known trafficking cases.",
    must_fire=("kerja di K4mboja gaji dolar", "penempatan Myawaddy via Mae Sot", "lowongan 🇰🇭 admin"),
    must_not_fire=("Liburan ke Jepang bulan depan seru banget", "lowongan admin di Bekasi",
                   "Jalan-jalan ke Bangkok 4 hari, itinerary hemat", "Foto bunga kamboja di makam kakek"),
)
def negara_berisiko(ctx: PostContext) -> str | None:
    # A transit country (Thailand, Singapore) is only a warning sign when the post is about work:
    # holiday posts name Bangkok all the time.
    work = _find(_WORK_RE, ctx) is not None
    risky = [d for d in ctx.entities.destinations
             if _RISK_BY_PLACE.get(d) == "scam" or (work and _RISK_BY_PLACE.get(d) == "transit")]
    return ", ".join(risky) if risky else None


@indicator(
    "kontak_hanya_chat", RED_FLAG, "kontak hanya lewat chat", "chat-only contact",
    "Satu-satunya kontak adalah WhatsApp/Telegram/DM, tanpa alamat kantor, e-mail atau situs perusahaan.",
    "The only contact is a chat number or handle: no office, e-mail or company site.",
    must_fire=("minat langsung wa 0812-3456-7890", "serius hub t.me/rekrut_cs", "info lanjut DM aja ya kak"),
    must_not_fire=("Kirim CV ke hrd@majujaya.co.id atau datang ke Jl. Sudirman 5", "Apply via www.majujaya.co.id/karir"),
)
def kontak_hanya_chat(ctx: PostContext) -> str | None:
    if _find(_FORMAL_CONTACT_RE, ctx):
        return None
    match = _find(_CHAT_CONTACT_RE, ctx)
    if not match:
        return None
    contacts = ctx.entities.contacts
    return ", ".join(contacts[:2]) if contacts else match.group(0)


_CHAT_CONTACT_RE = re.compile(r"_chatlink_|_phone_|_handle_|\b(?:hubungi|whatsapp|telegram|signal|line) (?:aja|saja|ya|kak|langsung|_phone_|_chatlink_|kami|admin|saya)\b|\b(?:hubungi|whatsapp|telegram)\b")
_FORMAL_CONTACT_RE = re.compile(r"_email_|_url_|\b(?:kirim (?:cv|lamaran|berkas)|alamat kantor|datang langsung|walk in|jl|jalan [a-z]+ no|apply (?:via|melalui|di)|lamar (?:via|melalui))\b")


@indicator(
    "pekerjaan_modus_online", RED_FLAG, "modus kerja online di luar negeri", "online job abroad",
    "CS, admin, marketing online, kripto, operator, input data di luar negeri — pola rekrutmen ke markas penipuan online.",
    "Customer service, admin, online marketing, crypto or typing jobs abroad — the scam-compound pattern.",
    must_fire=("Dibutuhkan CS online penempatan Kamboja", "admin crypto di luar negeri gaji USD", "lowongan operator judi online"),
    must_not_fire=("Dibutuhkan customer service untuk kantor Surabaya",),
)
def pekerjaan_modus_online(ctx: PostContext) -> str | None:
    inherent = _search(_ONLINE_INHERENT_RE, ctx)
    if inherent:
        return inherent
    role = _search(_ONLINE_ROLE_RE, ctx)
    if not role:
        return None
    abroad = [d for d in ctx.entities.destinations if _RISK_BY_PLACE.get(d) in ("scam", "transit", "border")]
    if abroad or _find(_ABROAD_RE, ctx):
        return f"{role} + {abroad[0] if abroad else 'luar negeri'}"
    return None


_ONLINE_ROLE_RE = re.compile(
    r"\b(?:customer service|admin(?: online)?|marketing(?: online)?|digital marketing|telemarketing|operator|typist|"
    r"data entry|input data|penerjemah|translator|it support|kerja kantoran|kerja (?:depan|di depan) (?:laptop|komputer)|"
    r"chatter|host|kerja online)\b"
)
_ONLINE_INHERENT_RE = re.compile(
    r"\b(?:admin|operator|cs|customer service|marketing) (?:crypto|kripto|judi|judol|slot|casino|kasino|game online|betting|trading)|"
    r"\b(?:scammer|love scam|scam online|tim scam|pig butchering|romance scam)\b"
)


@indicator(
    "potong_gaji", RED_FLAG, "jeratan utang / potong gaji", "debt bondage",
    "Biaya ditalangi lalu dipotong dari gaji, uang 'tip' ke perekrut, gaji dibayar di akhir kontrak.",
    "Costs advanced and deducted from wages, a 'tip' to the recruiter, pay held until the end.",
    must_fire=("biaya proses ditalangi dulu, nanti potong gaji 6 bulan", "gaji dibayar di akhir kontrak", "uang tip ke sponsor 5jt"),
    must_not_fire=("gaji dibayar setiap tanggal 25 via transfer bank",),
)
def potong_gaji(ctx: PostContext) -> str | None:
    return _search(_POTONG_RE, ctx)


_POTONG_RE = re.compile(
    r"\b(?:potong gaji|potongan gaji|dipotong (?:dari )?gaji|gaji (?:dipotong|ditahan)|bayar (?:pakai|dengan|dari|lewat) gaji|"
    r"ditalangi|talangan|dana talang|utang (?:biaya|proses)|hutang (?:biaya|proses)|cicil(?:an)? (?:dari|lewat|potong) gaji|"
    r"gaji (?:dibayar|diberikan|diterima) (?:di |pada )?(?:akhir|setelah selesai|setelah kontrak)|uang (?:tip|rokok|jaminan) (?:ke|untuk|buat)|"
    r"salary deduction|deducted from (?:your )?salary)\b"
)


@indicator(
    "usia_muda", RED_FLAG, "menyasar usia sangat muda", "targets minors",
    "Menyasar anak di bawah 18 tahun, lulusan SMP, atau menawarkan umur 'dituakan' di dokumen.",
    "Targets people under 18 or offers to falsify age.",
    must_fire=("usia 16-25 thn boleh", "umur bisa dituakan di paspor", "lulusan SMP boleh, umur 17 bisa"),
    must_not_fire=("usia 18-35 tahun", "Anak saya umur 16 tahun baru masuk SMA"),
)
def usia_muda(ctx: PostContext) -> str | None:
    for low, high in ctx.entities.age_ranges:
        if 10 <= low < 18:
            return f"usia {low}-{high}"
    minor = _MINOR_AGE_RE.search(ctx.raw) if may_hold_any(ctx.raw, _MINOR_AGE_WORDS) else None
    if minor:
        return minor.group(0)
    return _search(_USIA_RE, ctx)


_MINOR_AGE_RE = re.compile(r"\b(?:usia|umur|age)\s*(?:1[0-7])\s*(?:th|thn|tahun|years?)?\s*(?:boleh|bisa|juga|diterima|ok|masuk)\b", re.IGNORECASE)
_MINOR_AGE_WORDS = ("usia", "umur", "age")  # one starts every match, in any case


_USIA_RE = re.compile(
    r"\b(?:usia|umur) (?:bisa|boleh|akan)? ?(?:dituakan|dinaikkan|diubah|dimudakan|diganti)|"
    r"\b(?:usia|umur) _num_ (?:boleh|bisa|diterima)\b(?=.*\b(?:berangkat|kerja|lowongan|gaji)\b)|"
    r"\b(?:masih|baru) (?:sma|smp)\b.*\b(?:bisa|boleh) (?:berangkat|ikut|daftar)|\bbelum _num_ tahun (?:bisa|boleh)|"
    r"\bunder ?age (?:ok|boleh|bisa)\b"
)


@indicator(
    "dokumen_diurus_atau_ditahan", RED_FLAG, "dokumen diurus/ditahan pihak lain", "documents arranged or held",
    "Paspor/visa/izin kerja 'diurus semua', dipalsukan, atau dipegang majikan/perusahaan.",
    "Passport, visa or permit 'all arranged', forged, or held by the employer.",
    must_fire=("paspor dan visa semua kami urus", "paspor dipegang perusahaan selama kontrak", "bisa buat paspor aspal"),
    must_not_fire=("Bawa paspor asli saat check-in",),
)
def dokumen_diurus_atau_ditahan(ctx: PostContext) -> str | None:
    return _search(_DOKUMEN_RE, ctx)


_DOKUMEN_RE = re.compile(
    r"\b(?:paspor|passport|dokumen|visa|izin kerja|work permit|calling visa|izin)\b[^.\n]{0,30}?\b(?:diurus|diuruskan|kami urus|diurusin|dibantu|dibuatkan|dibikinkan|"
    r"disiapkan|ditahan|dipegang|disimpan|diambil|aspal|palsu|bodong|tembak|jadi _num_ hari|cepat jadi|"
    r"(?:kami|kita|agen|sponsor) (?:yang )?(?:urus|urusin|uruskan|siapkan|bikinkan|buatkan))\b|"
    r"\b(?:urus|bikin|buat|bantu) (?:paspor|dokumen|visa|izin kerja)\b[^.\n]{0,20}\b(?:cepat|kilat|aspal|tanpa)\b|"
    r"\b(?:ganti|pakai) (?:nama|identitas) (?:orang )?lain\b|\bdocuments? (?:arranged|held|kept)\b"
)


@indicator(
    "penyeberangan_ilegal", RED_FLAG, "penyeberangan ilegal", "illegal crossing",
    "Menyeberang tanpa paspor, lewat 'jalur tikus', speedboat malam atau pelabuhan tidak resmi.",
    "Crossing without a passport, by rat routes, night boats or unofficial jetties.",
    must_fire=("lewat jalur tikus dari Batam, aman", "nyebrang pakai speedboat malam ke Johor", "tanpa paspor bisa, dijemput di seberang"),
    must_not_fire=("Jadwal ferry resmi Batam-Singapura hari ini",),
)
def penyeberangan_ilegal(ctx: PostContext) -> str | None:
    hit = _search(_PENYEBERANGAN_RE, ctx)
    if hit:
        return hit
    # "jalan tikus" or "jalan gelap" is also everyday talk for a back street; it counts only
    # in a post about crossing or working abroad.
    shortcut = _search(_JALAN_TIKUS_RE, ctx)
    return shortcut if shortcut and _find(_CROSSING_CONTEXT_RE, ctx) else None


_JALAN_TIKUS_RE = re.compile(r"\b(?:jalan|jln|lorong) (?:tikus|t|belakang|gelap)\b")
_CROSSING_CONTEXT_RE = re.compile(
    r"\b(?:perbatasan|border|nyeberang|nyebrang|menyeberang|seberang|imigrasi|paspor|razia|patroli|malaysia|singapura|"
    r"johor|tawau|sabah|sarawak|nunukan|entikong|batam|dumai|karimun|kapal|speedboat|pelabuhan|kerja|bekerja|tkw|tki|pmi)\b"
)


_PENYEBERANGAN_RE = re.compile(
    r"\bjalur (?:tikus|t|belakang|gelap)\b|\b(?:tanpa|tidak (?:perlu|pakai)|gak perlu|tidak usah) (?:paspor|dokumen|cop|cap)\b|"
    r"\b(?:speed ?boat|speed|pompong|kapal kayu|perahu|boat|kapal)\b[^.\n]{0,20}\bmalam\b|\bpelabuhan (?:tikus|rakyat|kecil|tidak resmi)\b|\bpelantar\b|"
    r"\b(?:aman|lolos|bebas) (?:dari )?(?:razia|pemeriksaan|imigrasi|patroli)\b|\bdijemput di (?:seberang|sana|perbatasan)\b|"
    r"\b(?:nyeberang|nyebrang|menyeberang|seberang) (?:ke|lewat) (?:malaysia|johor|tawau|sabah|singapura|negara tetangga)\b|"
    r"\bbackdoor\b|\bno passport\b|\bundocumented\b|\b(?:masuk|keluar) (?:tanpa|tidak) (?:cop|cap)\b"
)


@indicator(
    "pengantin_pesanan", RED_FLAG, "perjodohan dengan pria asing", "bride arrangement",
    "Mencari perempuan muda untuk dinikahkan dengan pria asing, dengan mahar/uang untuk keluarga.",
    "Young women sought to marry foreign men, with money promised to the family.",
    must_fire=("Dicari calon istri utk pria Tiongkok, mahar 50jt untuk keluarga", "perjodohan dengan orang Taiwan, hidup terjamin"),
    must_not_fire=("Selamat menempuh hidup baru untuk sepupuku!",),
)
def pengantin_pesanan(ctx: PostContext) -> str | None:
    return _search(_PENGANTIN_RE, ctx)


_PENGANTIN_RE = re.compile(
    r"\b(?:cari|dicari|mencari|butuh) (?:calon )?(?:istri|pengantin|jodoh)|"
    r"\b(?:nikah|menikah|dinikahi|dinikahkan|perjodohan|dijodohkan|jodoh|kawin)\b[^.\n]{0,30}\b(?:china|cina|tiongkok|taiwan|korea|asing|luar negeri|bule)\b|"
    r"\bmahar\b[^.\n]{0,20}(?:_money_|besar|juta)|\bkawin kontrak\b|\bpengantin pesanan\b|\bmail order bride\b"
)


@indicator(
    "ajak_teman", RED_FLAG, "bonus ajak teman", "referral bonus",
    "Bonus atau syarat mengajak teman/saudara — korban markas penipuan sering dipaksa merekrut.",
    "A bonus or condition to bring friends — compound victims are often forced to recruit.",
    must_fire=("ajak teman dapat bonus 2jt per orang", "bisa bawa saudara, ada komisi setiap kepala"),
    must_not_fire=("Ajak teman nonton bareng final nanti malam",),
)
def ajak_teman(ctx: PostContext) -> str | None:
    return _search(_AJAK_RE, ctx)


_AJAK_RE = re.compile(
    r"\b(?:ajak|bawa|rekrut|referensikan|rekomendasikan|cariin)\b[^.\n]{0,20}\b(?:teman|saudara|keluarga|kenalan|orang)\b[^.\n]{0,40}\b(?:bonus|komisi|fee|_money_|dapat)\b|"
    r"\b(?:bonus|komisi|fee) (?:referral|ajak|rekrut|per orang|setiap orang|per kepala|setiap kepala|tiap orang)\b|"
    r"\b(?:bonus|komisi|fee)\b[^.\n]{0,30}\b(?:per|setiap|tiap) (?:orang|kepala)\b|\breferral bonus\b"
)


@indicator(
    "kata_disamarkan", RED_FLAG, "kata disamarkan", "disguised words",
    "Kata kunci ditulis menyamar (K4mboja, K a m b o j a, huruf Sirilik, nomor dieja) — cara menghindari filter.",
    "Keywords written to dodge filters (leetspeak, spaced letters, look-alike letters, spelled numbers).",
    must_fire=("Loker CS di K4mb0ja", "kerja di M y a n m a r", "hub nol delapan satu dua tiga empat lima"),
    must_not_fire=("Loker CS di Kamboja",),
)
def kata_disamarkan(ctx: PostContext) -> str | None:
    return "; ".join(ctx.normalized.evasions[:3]) if ctx.normalized.evasions else None


@indicator(
    "gaji_tidak_wajar", RED_FLAG, "gaji tidak wajar", "implausible pay",
    "Gaji jauh di atas kewajaran untuk pekerjaan dan kualifikasi yang diminta.",
    "Pay far above what the role and the qualifications asked justify.",
    must_fire=("Admin tanpa pengalaman gaji 20jt/bulan", "CS gaji USD 1.200, yg penting bisa pake HP"),
    must_not_fire=("Senior Software Engineer, min. 5 tahun pengalaman, gaji Rp 25.000.000", "gaji UMR Bekasi 5,3jt",
                   "Selamat! Anda memenangkan hadiah tunai Rp 150.000.000", "Perawat lansia di Taiwan lewat P3MI, gaji NT$ 28.000"),
)
def gaji_tidak_wajar(ctx: PostContext) -> str | None:
    pay = ctx.entities.max_monthly_pay
    if pay is None or pay < 9_000_000 or not _find(_WAGE_RE, ctx):
        return None  # a prize, a price or a fee is not a wage
    light = _find(_SYARAT_RINGAN_RE, ctx) is not None
    qualified = _find(_QUALIFICATIONS_RE, ctx) is not None
    # Japan, Korea, Taiwan or Hong Kong really pay this much; there only a light-requirements
    # offer makes the pay implausible.
    high_wage_only = bool(ctx.entities.destinations) and all(
        _RISK_BY_PLACE.get(d) == "other" for d in ctx.entities.destinations)
    if light or (not qualified and (not high_wage_only or pay >= 25_000_000) and pay >= 12_000_000):
        money = max((m for m in ctx.entities.money if m.idr_per_month), key=lambda m: m.idr_per_month)
        return f"{money.text} (≈ Rp {pay / 1e6:.0f} jt/bulan)"
    return None


_WAGE_RE = re.compile(
    r"\b(?:gaji|upah|salary|penghasilan|pendapatan|income|bayaran|komisi|take home|thp|wage|earn|per bulan|sebulan|perbulan)\b"
    r"|_money_ ?(?:/|per|tiap|se) ?(?:bulan|month|minggu|week|hari|day|jam|hour)"
)


@indicator(
    "biaya_di_muka", RED_FLAG, "biaya besar di muka", "large upfront fee",
    "Calon pekerja diminta membayar jutaan rupiah di muka untuk visa, dokumen atau 'proses' — penempatan resmi tidak memungut biaya sebesar itu.",
    "The worker must pay millions up front for a visa, documents or 'processing' — licensed placement does not charge that much.",
    must_fire=("Visa kerja Dubai 2 tahun, biaya 12 jt all in, tinggal kirim scan paspor",
               "calling visa Saudi ready, DP 5jt sisanya potong gaji", "proses cepat 3 minggu, bayar 18jt beres sampai Taiwan"),
    must_not_fire=("Biaya pendaftaran GRATIS, tidak dipungut biaya apa pun", "Harga paket umroh reguler 12 hari mulai 32 jt",
                   "Gaji 4,5jt + uang makan, kirim CV ke email"),
)
def biaya_di_muka(ctx: PostContext) -> str | None:
    fees = [m for m in ctx.entities.money if m.idr_per_month and m.idr_per_month >= 3_000_000]
    if not fees or not _find(_FEE_CONTEXT_RE, ctx):
        return None
    return _search(_FEE_RE, ctx)


_FEE_RE = re.compile(
    r"\b(?:biaya|bayar|dp|uang (?:muka|jalan|proses|administrasi|pendaftaran|jaminan)|ongkos|fee|tebus)\b(?: \w+){0,3} _money_|"
    r"_money_ (?:all in|beres|sampai (?:berangkat|jadi|terbang)|langsung (?:berangkat|jadi)|sudah termasuk)"
)
# Only for the job or the papers: a holiday package or a product price is not a recruitment fee.
_FEE_CONTEXT_RE = re.compile(
    r"\b(?:kerja|bekerja|visa kerja|calling visa|izin kerja|work permit|permit|majikan|sponsor|berangkat|penempatan|"
    r"lowongan|job|dokumen|paspor|blacklist|medical|coe|proses)\b"
)


@indicator(
    "konteks_peringatan", COUNTER, "konteks peringatan", "warning context",
    "Bahasa imbauan/peringatan (waspada, hati-hati, modus, jangan tergiur) — ciri unggahan sosialisasi.",
    "Warning language typical of awareness posts.",
    must_fire=("WASPADA modus lowongan kerja ke Kamboja! Jangan tergiur gaji besar", "Hati-hati penipuan berkedok loker luar negeri"),
    must_not_fire=("Dicari CS Kamboja gaji 15jt, tiket ditanggung",),
)
def konteks_peringatan(ctx: PostContext) -> str | None:
    return _search(_PERINGATAN_RE, ctx)


_PERINGATAN_RE = re.compile(
    r"\b(?:waspada|waspadai|hati hati|berhati hati|modus|jangan (?:mudah )?(?:tergiur|percaya|tertipu|mau|tergoda)|"
    r"perdagangan orang|tppo|tppm|hindari|laporkan|sosialisasi|imbauan|himbauan|mengimbau|menghimbau|"
    r"cek (?:legalitas|keaslian|kebenaran)|stop tppo|beware|be careful|scam alert|awas|penipuan berkedok|"
    r"kenali ciri|ciri ciri|korban perdagangan|mencurigakan|(?:lagi |sedang )?beredar|(?<!bukan )(?:hoaks|hoax)|contoh iklan|"
    r"(?:iklan|lowongan|loker) palsu|(?<!bukan )(?<!anti )penipuan|red flag|tanda bahaya)\b"
)


@indicator(
    "konteks_berita", COUNTER, "konteks berita", "news context",
    "Bahasa laporan berita atau proses hukum (ditangkap, tersangka, korban, dipulangkan, sidang, menurut).",
    "News or legal-process language.",
    must_fire=("Polisi menangkap dua tersangka perekrut PMI ilegal", "Sebanyak 20 WNI korban dipulangkan dari Myawaddy"),
    must_not_fire=("Dicari operator produksi, segera",),
)
def konteks_berita(ctx: PostContext) -> str | None:
    return _search(_BERITA_RE, ctx)


_BERITA_RE = re.compile(
    r"\b(?:ditangkap|menangkap|tersangka|korban|dipulangkan|memulangkan|dideportasi|diselamatkan|sidang|dituntut|divonis|"
    r"terdakwa|menurut|mengatakan|ujar|dilansir|dikutip|repatriasi|dievakuasi|digerebek|diamankan|pelaku|polres|polda|"
    r"bareskrim|kbri|kemlu|kapolres|kapolda|jaksa|pengadilan|arrested|suspects?|victims?|repatriated|rescued|police said)\b"
)


@indicator(
    "penempatan_resmi", COUNTER, "penempatan resmi", "licensed placement",
    "Ciri penempatan resmi: P3MI ber-SIP3MI, SISKOP2MI, G to G, EPS-TOPIK, IM Japan, BPJS Ketenagakerjaan, perjanjian kerja.",
    "Marks of a licensed placement.",
    must_fire=("PT Maju Jaya, P3MI berizin SIP3MI No. 123/2024, lowongan terdaftar di SISKOP2MI", "Program G to G Korea lewat EPS-TOPIK"),
    must_not_fire=("Dicari TKW ke Saudi, proses cepat",),
)
def penempatan_resmi(ctx: PostContext) -> str | None:
    return _search(_RESMI_RE, ctx)


_RESMI_RE = re.compile(
    r"\b(?:p3mi|sip3mi|siskop2mi|sisko p2mi|g ?to ?g|g2g|eps topik|eps-topik|im japan|ssw|tokutei|lpk (?:resmi|terdaftar)|"
    r"bp2mi|kp2mi|disnaker|bpjs ketenagakerjaan|perjanjian (?:kerja|penempatan)|kontrak kerja|orientasi pra|pap|"
    r"job order|sptki|spsk|izin (?:resmi|usaha) penempatan|terdaftar (?:di|resmi))\b"
)


# Every match of an indicator pattern contains one of a few literals (read from the pattern
# itself, see ``patterns.required_literals``). One pass over a post finds which of them occur;
# a pattern none of whose literals occur cannot match and is not searched. Most posts lack the
# keywords of most patterns, and the searches were most of the cost of the indicators.
_KEYWORDS = KeywordGate(value for name, value in list(globals().items())
                        if name.endswith("_RE") and isinstance(value, re.Pattern))


def analyse(raw: str) -> Analysis:
    """Normalise one post, extract its entities and run every indicator on it."""
    cleaned, normalized = normalize_with_clean(raw)
    ctx = PostContext(raw, normalized, cleaned)
    hits = []
    for item in REGISTRY:
        evidence = item.detect(ctx)
        if evidence:
            hits.append(Hit(item.name, evidence))
    return Analysis(ctx.normalized, ctx.entities, hits)


def by_name(name: str) -> Indicator:
    for item in REGISTRY:
        if item.name == name:
            return item
    raise KeyError(name)


def names() -> list[str]:
    return [item.name for item in REGISTRY]


def analyse_many(texts: Iterable[str]) -> list[Analysis]:
    return [analyse(text) for text in texts]
