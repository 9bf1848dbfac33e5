"""Named red flags and counter-signals: the reasons a reviewer reads.

Each indicator is a small module-level function over one analysed post that returns the
evidence it matched (or ``None``). Its patterns are declared in its ``@indicator(...)`` decorator,
so the registry knows every pattern: the keyword gate that skips hopeless searches is built from
it. Names are Indonesian because reviewers read them; each has an Indonesian and an English label
and description, the laws it points to, and examples that must and must not fire (the test suite
runs them). Indicators are reasons to look, never proof: they are features of the model, which
weighs them against everything else in the post.

Negation: a cue right after a negator ("tanpa", "tidak", "bukan", "belum", "jangan" and their
chat spellings) does not fire; see :mod:`pipeline.text.negation`. Where the denied cue means the
opposite ("tanpa izin P3MI"), the opposite indicator has its own pattern for it.

The post's analysis (``Analysis``, ``PostContext``, ``analyse``) lives in :mod:`pipeline.analysis`
and is re-exported here for existing callers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from pipeline.text.lexicon import places, slang
from pipeline.text.negation import negated_at, negated_within
from pipeline.text.patterns import KeywordGate

if TYPE_CHECKING:
    from pipeline.analysis import PostContext

RED_FLAG = "red_flag"
COUNTER = "counter"
# A state of the post rather than a claim in it ("too little text to judge"). Like a
# counter-signal it makes a score less certain; reasons list it with the counter-signals.
STATE = "state"
KINDS = (RED_FLAG, COUNTER, STATE)

NORMALIZED = "normalized"
CLEANED = "cleaned"


class Cues(Mapping[str, re.Pattern[str]]):
    """The named patterns of one indicator and the searches over a post that use them.

    A pattern reads the normalised text unless its name is in ``cleaned`` (then it reads the
    cleaned original with its case, for words normalisation erases: "KK" becomes "kakak").
    A pattern named in ``within`` spans a gap ("tiket ... ditanggung") and is also denied by a
    negator inside the gap ("tiket tidak ditanggung"). A pattern names in ``hints`` words one of
    which every match holds (in lower case): a post with none of them is not searched. The hints
    of the patterns on the normalised text feed the one-pass keyword gate; those of the patterns
    on the cleaned text are looked up in its lower-cased copy. A pattern without hints is always
    searched.
    """

    def __init__(
        self,
        patterns: Mapping[str, str | re.Pattern[str]],
        *,
        cleaned: Iterable[str] = (),
        within: Iterable[str] = (),
        negatable: bool = True,
        owner: str = "",
        hints: Mapping[str, tuple[str, ...]] | None = None,
    ):
        self._patterns = {
            key: value if isinstance(value, re.Pattern) else re.compile(value)
            for key, value in patterns.items()
        }
        self.cleaned = frozenset(cleaned)
        self.within = frozenset(within)
        self.negatable = negatable
        self.owner = owner
        self.hints = dict(hints or {})
        unknown = (self.cleaned | self.within | set(self.hints)) - set(self._patterns)
        if unknown:
            raise ValueError(f"no pattern named {sorted(unknown)}")

    def __getitem__(self, key: str) -> re.Pattern[str]:
        return self._patterns[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._patterns)

    def __len__(self) -> int:
        return len(self._patterns)

    def on_normalized(self) -> list[re.Pattern[str]]:
        return [p for key, p in self._patterns.items() if key not in self.cleaned]

    def normalized_hints(self) -> dict[re.Pattern[str], tuple[str, ...]]:
        """The hints of the patterns on the normalised text, by pattern."""
        return {
            p: self.hints[key]
            for key, p in self._patterns.items()
            if key not in self.cleaned and key in self.hints
        }

    def find(self, ctx: PostContext, key: str, negation: bool = True) -> re.Match[str] | None:
        """The first match of pattern ``key`` in the post that no negator denies."""
        pattern = self._patterns[key]
        if key in self.cleaned:
            text, token_map = ctx.cleaned_text, _cleaned_token
            hints = self.hints.get(key)
            if (
                hints
                and not ctx.cleaned_folds
                and not any(word in ctx.cleaned_lower for word in hints)
            ):
                return None  # what may_hold_any(text, hints) says, with the lower-casing done once
        else:
            needed = keyword_gate().needed.get(pattern)
            if needed is not None and ctx.keywords.isdisjoint(needed):
                return None  # the post holds none of the words every match holds
            text, token_map = ctx.text, None
        check = negation and self.negatable
        for match in pattern.finditer(text):
            if not check:
                return match
            denied = negated_at(text, match.start(), token_map)
            if denied is None and key in self.within:
                denied = negated_within(text, match.start(), match.end(), token_map)
            if denied is None:
                return match
            ctx.negated.setdefault(self.owner, match.group(0))
        return None

    def search(self, ctx: PostContext, key: str, negation: bool = True) -> str | None:
        match = self.find(ctx, key, negation)
        return match.group(0) if match else None

    def first(self, ctx: PostContext, *keys: str) -> str | None:
        """The evidence of the first of ``keys`` that matches."""
        for key in keys:
            hit = self.search(ctx, key)
            if hit:
                return hit
        return None


def _cleaned_token(token: str) -> str:
    """A token of the cleaned original as the negation check reads it: lower-case, no punctuation,
    slang mapped ("gak" -> "tidak")."""
    word = token.lower().strip(".,;:!?\"'()[]")
    mapped = slang().get(word, word)
    return mapped.split()[0] if " " in mapped else mapped  # "gausah" -> "tidak usah" -> "tidak"


Detect = Callable[["PostContext", Cues], "str | None"]


@dataclass(frozen=True)
class Indicator:
    name: str
    kind: str
    label_id: str
    label_en: str
    description_id: str
    description_en: str
    func: Detect
    cues: Cues
    must_fire: tuple[str, ...] = ()
    must_not_fire: tuple[str, ...] = ()
    laws: tuple[str, ...] = ()
    negation_note: str = ""

    def detect(self, ctx: PostContext) -> str | None:
        """The evidence this indicator finds in the post, or ``None``."""
        return self.func(ctx, self.cues)

    @property
    def negatable(self) -> bool:
        return self.cues.negatable

    def label(self, lang: str = "id") -> str:
        return self.label_en if lang == "en" else self.label_id

    def description(self, lang: str = "id") -> str:
        return self.description_en if lang == "en" else self.description_id


REGISTRY: list[Indicator] = []


@lru_cache(maxsize=1)
def keyword_gate() -> KeywordGate:
    """The keyword gate over the hints of the normalised-text patterns of every indicator and cue.

    Every match of a hinted pattern holds one of its hint words, declared next to the pattern.
    One pass over a post finds which of them occur; a pattern none of whose hints occur cannot
    match and is not searched. Most posts lack the keywords of most patterns, and the searches
    were most of the cost of the indicators.
    """
    needed: dict[re.Pattern[str], tuple[str, ...]] = {}
    for cues in [item.cues for item in REGISTRY] + [SHARED, _CHECKABLE]:
        for pattern, words in cues.normalized_hints().items():
            needed[pattern] = needed.get(pattern, ()) + tuple(words)  # one pattern, two owners
    return KeywordGate(needed)


def indicator(
    name: str,
    kind: str,
    label_id: str,
    label_en: str,
    description_id: str,
    description_en: str,
    *,
    patterns: Mapping[str, str | re.Pattern[str]] | None = None,
    cleaned: Iterable[str] = (),
    hints: Mapping[str, tuple[str, ...]] | None = None,
    within: Iterable[str] = (),
    negatable: bool = True,
    negation_note: str = "",
    laws: Sequence[str] = (),
    must_fire: Sequence[str] = (),
    must_not_fire: Sequence[str] = (),
) -> Callable[[Detect], Detect]:
    """Register ``func(ctx, cues)`` as an indicator; ``patterns`` become its ``cues``.

    ``negatable=False`` says a negator does not change what the cue shows (news language stays
    news language in "pelaku belum ditangkap"); ``negation_note`` says why, for ``waspada rules``.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    cues = Cues(
        patterns or {}, cleaned=cleaned, within=within, negatable=negatable, owner=name, hints=hints
    )

    def register(func: Detect) -> Detect:
        REGISTRY.append(
            Indicator(
                name,
                kind,
                label_id,
                label_en,
                description_id,
                description_en,
                func,
                cues,
                tuple(must_fire),
                tuple(must_not_fire),
                tuple(laws),
                negation_note,
            )
        )
        keyword_gate.cache_clear()
        return func

    return register


# Context cues several indicators read. They say what a post is about, so a negator does not
# turn them off ("tidak perlu pengalaman kerja" is still about work).
SHARED = Cues(
    {
        "work": r"\b(?:kerja|bekerja|pekerjaan|gaji|majikan|lowongan|job|work|working|kebun|pabrik|izin)\b",
        "abroad": r"\b(?:luar negeri|overseas|abroad|ln|negara tetangga|penempatan asia|asia tenggara|kerja di asia)\b",
        "qualifications": (
            r"\b(?:minimal|min|berpengalaman|pengalaman minimal|sarjana|s1|s2|d3|diploma|menguasai|sertifikat|bersertifikat|"
            r"certified|degree|bachelor|years of pengalaman|tahun pengalaman|pengalaman _num_ tahun|pengalaman di bidang|"
            r"portofolio|keahlian khusus|lisensi|str aktif|sertifikasi)\b"
        ),
        "wage": (
            r"\b(?:gaji|upah|salary|penghasilan|pendapatan|income|bayaran|komisi|take home|thp|wage|earn|per bulan|sebulan|perbulan)\b"
            r"|_money_ ?(?:/|per|tiap|se) ?(?:bulan|month|minggu|week|hari|day|jam|hour)"
        ),
        "fee_context": (
            r"\b(?:kerja|bekerja|visa kerja|calling visa|izin kerja|work permit|permit|majikan|sponsor|berangkat|penempatan|"
            r"lowongan|job|dokumen|paspor|blacklist|medical|coe|proses)\b"
        ),
        "crossing_context": (
            r"\b(?:perbatasan|border|nyeberang|nyebrang|menyeberang|seberang|imigrasi|paspor|razia|patroli|malaysia|singapura|"
            r"johor|tawau|sabah|sarawak|nunukan|entikong|batam|dumai|karimun|kapal|speedboat|pelabuhan|kerja|bekerja|tkw|tki|pmi)\b"
        ),
        # Work abroad: where a claim of being licensed is a claim about migrant placement.
        "placement": (
            r"\b(?:luar negeri|ln|overseas|abroad|berangkat|keberangkatan|penempatan|pmi|tki|tkw|p3mi|bp2mi|kp2mi|g2g|"
            r"eps-topik|eps topik|visa|paspor|majikan|sponsor|negara tujuan)\b"
        ),
    },
    negatable=False,
    owner="shared",
    hints={
        "work": ("gaji", "izin", "job", "kebun", "kerja", "lowongan", "majikan", "pabrik", "work"),
        "abroad": ("abroad", "asia", "ln", "luar negeri", "overseas", "negara tetangga"),
        "qualifications": (
            "aktif",
            "bachelor",
            "bidang",
            "certified",
            "d3",
            "degree",
            "diploma",
            "keahlian",
            "lisensi",
            "menguasai",
            "min",
            "pengalaman",
            "portofolio",
            "s1",
            "s2",
            "sarjana",
            "sertifikasi",
            "sertifikat",
            "years",
        ),
        "wage": (
            "gaji",
            "upah",
            "salary",
            "penghasilan",
            "pendapatan",
            "income",
            "bayaran",
            "komisi",
            "take home",
            "thp",
            "wage",
            "earn",
            "per bulan",
            "sebulan",
            "perbulan",
            "_money_/",
            "_money_ /",
            "_money_per",
            "_money_ per",
            "_money_tiap",
            "_money_ tiap",
            "_money_se",
            "_money_ se",
        ),
        "fee_context": (
            "berangkat",
            "blacklist",
            "calling",
            "coe",
            "dokumen",
            "job",
            "kerja",
            "lowongan",
            "majikan",
            "medical",
            "paspor",
            "penempatan",
            "permit",
            "proses",
            "sponsor",
        ),
        "crossing_context": (
            "batam",
            "border",
            "dumai",
            "entikong",
            "imigrasi",
            "johor",
            "kapal",
            "karimun",
            "kerja",
            "malaysia",
            "nunukan",
            "nyeberang",
            "nyebrang",
            "paspor",
            "patroli",
            "pelabuhan",
            "perbatasan",
            "pmi",
            "razia",
            "sabah",
            "sarawak",
            "seberang",
            "singapura",
            "speedboat",
            "tawau",
            "tki",
            "tkw",
        ),
        "placement": (
            "abroad",
            "berangkat",
            "bp2mi",
            "g2g",
            "kp2mi",
            "ln",
            "majikan",
            "negeri",
            "overseas",
            "p3mi",
            "paspor",
            "penempatan",
            "pmi",
            "sponsor",
            "tki",
            "tkw",
            "topik",
            "tujuan",
            "visa",
        ),
    },
)

_RISK_BY_PLACE = {p.canonical: p.risk for p in places()}

# Light requirements, shared by syarat_ringan and gaji_tidak_wajar. The cue itself often starts
# with a negator ("tanpa pengalaman"); a second negator before it denies it ("bukan tanpa syarat").
_SYARAT_RINGAN = (
    r"\b(?:(?:tanpa|tidak (?:perlu|butuh|harus|wajib|ada|usah)|bebas|no|non|not required) (?:syarat )?(?:pengalaman|ijazah|pendidikan|skill|keahlian|"
    r"bahasa(?: inggris| asing)?|bisa bahasa|bahasa inggris|tes|wawancara|modal|syarat)|"
    r"(?:yang )?penting (?:bisa|mau|jujur|rajin) (?:pakai|pake|main|pegang|operasikan|mengoperasikan|ngetik|mengetik|baca|hp|komputer|laptop|kerja)|"
    r"(?:hanya|cukup|asal) bisa (?:pakai|pake|main|mengetik|ngetik|baca|hp|komputer|laptop|internet)|"
    r"(?:semua|segala) (?:lulusan|jurusan|pendidikan)|lulusan (?:sd|smp) (?:bisa|boleh|diterima)|"
    r"pengalaman tidak (?:diperlukan|dibutuhkan|wajib|penting)|no pengalaman|pengalaman (?:nol|tidak perlu)|"
    r"no (?:experience|qualification)s?(?: needed| required)?|without (?:experience|degree)|"
    r"basic (?:computer|phone) skills?(?: only| is enough)?|tidak ada syarat|syarat mudah|syarat gampang)\b"
)
_SYARAT_RINGAN_HINTS = (
    "pengalaman",
    "ijazah",
    "pendidikan",
    "skill",
    "keahlian",
    "bahasa",
    "tes",
    "wawancara",
    "modal",
    "syarat",
    "penting bisa",
    "penting mau",
    "penting jujur",
    "penting rajin",
    "hanya bisa",
    "cukup bisa",
    "asal bisa",
    "lulusan",
    "jurusan",
    "experience",
    "qualification",
    "without",
)


@indicator(
    "syarat_ringan",
    RED_FLAG,
    "syarat sangat ringan",
    "no qualifications needed",
    "Tidak perlu pengalaman, pendidikan atau bahasa asing — tidak sebanding dengan gaji/lokasi yang ditawarkan.",
    "No experience, education or language needed.",
    patterns={"ringan": _SYARAT_RINGAN},
    hints={"ringan": _SYARAT_RINGAN_HINTS},
    laws=("uu18_2017",),
    must_fire=(
        "Dicari admin, tanpa pengalaman, yg penting bisa pake HP",
        "No experience needed, just can use computer",
        "gk perlu ijazah gk perlu bhs inggris",
    ),
    must_not_fire=(
        "Kualifikasi: S1 Akuntansi, pengalaman minimal 2 tahun",
        "Pengalaman kerja saya 3 tahun di pabrik",
        "Bukan tanpa syarat: wajib S1 dan pengalaman 2 tahun",
    ),
)
def syarat_ringan(ctx: PostContext, cues: Cues) -> str | None:
    return cues.search(ctx, "ringan")


_COST_ITEMS = (
    r"(?:tiket(?: pesawat)?|visa|paspor|pesawat|keberangkatan|penerbangan|flight|akomodasi|semua biaya|"
    r"biaya (?:proses|keberangkatan|berangkat|pembuatan)|transportasi ke|ongkos berangkat)"
)


@indicator(
    "biaya_ditanggung",
    RED_FLAG,
    "biaya berangkat ditanggung",
    "travel costs covered",
    "Tiket, visa, paspor atau akomodasi dijanjikan gratis/ditanggung — umpan klasik perekrut.",
    "Ticket, visa, passport or housing promised free.",
    patterns={
        "covered": (
            rf"\b{_COST_ITEMS}\b[^.\n]{{0,40}}?\b(?:ditanggung|gratis|dibayar(?:in|kan)?(?! sendiri| oleh (?:peserta|pelamar|pemohon|calon))|"
            rf"dibiayai|covered|paid|dari perusahaan|kami tanggung)\b|"
            rf"\b(?:gratis|ditanggung|free|dibiayai) {_COST_ITEMS}\b"
        ),
        "no_cost": r"\btanpa (?:biaya|modal|dipungut biaya)\b[^.\n]{0,30}(?:berangkat|proses|keberangkatan)",
    },
    within=("covered",),
    hints={
        "covered": (
            "covered",
            "dibayar",
            "dibiayai",
            "free",
            "gratis",
            "paid",
            "pembuatan",
            "penerbangan",
            "perusahaan",
            "tanggung",
            "transportasi",
        ),
        "no_cost": ("tanpa biaya", "tanpa modal", "tanpa dipungut"),
    },
    laws=("uu21_2007",),
    must_fire=(
        "tiket pesawat + visa ditanggung perusahaan",
        "Free tiket, free visa, free mess!",
        "semua biaya keberangkatan gratis",
    ),
    must_not_fire=(
        "mess disediakan untuk karyawan luar kota",
        "Harga tiket Jakarta-Bali mulai 900rb",
        "tiket pesawat tidak ditanggung, dibayar sendiri",
        "tiket gak ditanggung ya kak",
    ),
)
def biaya_ditanggung(ctx: PostContext, cues: Cues) -> str | None:
    return cues.first(ctx, "covered", "no_cost")


@indicator(
    "berangkat_cepat",
    RED_FLAG,
    "berangkat cepat / proses kilat",
    "fast departure or processing",
    "Keberangkatan atau proses dijanjikan sangat cepat: berangkat minggu ini, proses kilat, langsung terbang.",
    "Departure or processing promised very fast: leave this week, express processing, fly straight away.",
    patterns={
        "fast": (
            r"\b(?:(?:berangkat|terbang|proses|keberangkatan|flight)(?: \w+)? (?:cepat|kilat|secepatnya|segera|langsung|minggu (?:ini|depan)|"
            r"bulan (?:ini|depan)|_num_ (?:hari|minggu))|(?:siap|langsung|bisa|segera) (?:berangkat|terbang)|segera berangkat|"
            r"tanpa antri|tanpa (?:menunggu|nunggu) lama|fast process|leave (?:this|next) week)\b"
        )
    },
    hints={
        "fast": (
            "antri",
            "berangkat",
            "fast",
            "flight",
            "leave",
            "next",
            "nunggu",
            "proses",
            "terbang",
        ),
    },
    laws=("uu18_2017",),
    must_fire=(
        "Proses cepat 1 minggu langsung terbang!",
        "siap berangkat bulan depan",
        "Berangkat minggu depan, kuota tinggal 6",
    ),
    must_not_fire=(
        "Lamaran paling lambat 30 November",
        "Kereta berangkat jam 7 pagi",
        "kuota terbatas, buruan daftar",
        "Maaf, belum bisa berangkat bulan ini",
        "gak bisa berangkat cepat, visa kerja butuh 3 bulan",
    ),
)
def berangkat_cepat(ctx: PostContext, cues: Cues) -> str | None:
    return cues.search(ctx, "fast")


@indicator(
    "kuota_terbatas_mendesak",
    RED_FLAG,
    "desakan: kuota terbatas",
    "pressure: limited slots",
    "Desakan agar segera mendaftar: kuota terbatas, slot tinggal sedikit, buruan, dibutuhkan segera.",
    "Pressure to sign up now: limited slots, few places left, hurry, urgently needed.",
    patterns={
        "pressure": (
            r"\b(?:kuota (?:terbatas|sisa|tinggal|hanya|_num_ orang)|sisa _num_ kuota|kuota(?: \w+)? (?:segera|hampir) (?:habis|penuh)|"
            r"limited (?:slot|seat|kuota)s?|buruan|cepetan daftar|siapa cepat dia dapat|first come first serve|butuh cepat|"
            r"dibutuhkan segera|urgently|jangan sampai kehabisan|kesempatan terakhir|last chance|hari terakhir pendaftaran)\b"
        )
    },
    hints={
        "pressure": (
            "kuota",
            "buruan",
            "butuh cepat",
            "cepetan",
            "siapa cepat",
            "first come",
            "dibutuhkan segera",
            "urgently",
            "kehabisan",
            "kesempatan terakhir",
            "last chance",
            "hari terakhir",
            "limited",
            "hampir habis",
            "hampir penuh",
            "segera habis",
            "segera penuh",
        ),
    },
    laws=("uu21_2007",),
    must_fire=(
        "kuota terbatas, buruan daftar",
        "Slot tinggal 3 orang lagi!",
        "BUTUH CEPAT!!! siapa cepat dia dapat",
    ),
    must_not_fire=(
        "Proses cepat 1 minggu langsung terbang!",
        "Kuota internet habis, ada yang jual pulsa?",
        "kuota tidak terbatas, pendaftaran dibuka sepanjang tahun",
        "Tidak butuh cepat, kami seleksi dengan teliti",
    ),
)
def kuota_terbatas_mendesak(ctx: PostContext, cues: Cues) -> str | None:
    return cues.search(ctx, "pressure")


@indicator(
    "visa_turis_untuk_kerja",
    RED_FLAG,
    "visa turis untuk kerja",
    "tourist visa for work",
    "Berangkat kerja memakai visa turis/kunjungan/ziarah/umrah — tidak sah untuk bekerja.",
    "Working abroad on a tourist, visit, pilgrimage or visa-free entry.",
    patterns={
        "visa": (
            r"\b(?:visa|paspor|pas) (?:turis|wisata|kunjungan|pelancong|pelawat|tourist|tourism|ziarah|umroh|umrah|on arrival|visit)|"
            r"\b(?:pakai|pake|dengan|sebagai|seperti|kayak|pura pura|menyamar) (?:turis|wisatawan|pelancong|orang liburan|liburan|wisata)\b|"
            r"\bjalur (?:umroh|umrah|ziarah|wisata|turis)\b|\bbebas visa\b|\bvisa free\b|\bvoa\b"
        )
    },
    hints={
        "visa": (
            "turis",
            "wisata",
            "kunjungan",
            "pelancong",
            "pelawat",
            "tourist",
            "tourism",
            "ziarah",
            "umroh",
            "umrah",
            "on arrival",
            "visit",
            "liburan",
            "bebas visa",
            "visa free",
            "voa",
        ),
    },
    laws=("uu18_2017", "kepmenaker_260_2015", "uu21_2007"),
    must_fire=(
        "Berangkat kerja pakai visa turis dulu, nanti di sana diurus",
        "masuk pake visa kunjungan, kerja di kebun",
        "jalur umroh, langsung kerja di rumah majikan",
    ),
    must_not_fire=(
        "Syarat visa turis Korea untuk liburan keluarga: rekening koran 3 bulan",
        "Kerja di Jepang bukan pakai visa turis, tapi visa kerja resmi",
        "jgn pake visa kunjungan utk kerja",
    ),
)
def visa_turis_untuk_kerja(ctx: PostContext, cues: Cues) -> str | None:
    hit = cues.search(ctx, "visa")
    return hit if hit and SHARED.find(ctx, "work") else None


@indicator(
    "cerita_samaran_petugas",
    RED_FLAG,
    "diajari berbohong ke petugas",
    "coached to lie to officers",
    "Mengajari pembaca menjawab petugas dengan cerita samaran (liburan, jenguk keluarga, umrah) atau menyembunyikan tujuan kerja.",
    "Coaches the reader to tell officers a cover story (holiday, visiting family, pilgrimage) or to hide that they go to work.",
    patterns={
        "officer": (
            r"\b(?:petugas|imigrasi|pegawai|polisi|aparat|officers?|immigration|bandara|pelabuhan|airport|"
            r"konter|counter|loket|pos|custom|customs)\b"
        ),
        "asked": (
            r"\b(?:kalau|kalo|klo|jika|bila|pas|nek|if|when)\b[^.!?\n]{0,40}?"
            r"\b(?:ditanya|ditanyain|ditanyai|ditakoni|tanya|tanya2|asks?|asked)\b"
        ),
        "story": (
            r"\b(?:bilang|ngomong|cakap|jawab|katakan|bilangin|omong|say|tell (?:them|the officers?|officers?)|answer)\b"
            r"[^.!?\n]{0,40}?\b(?:liburan|libur|jalan jalan|jalan2|jalan|wisata|melancong|holiday|vacation|trip|jenguk|"
            r"njenguk|menjenguk|nengok|ziarah|umrah|umroh|ibadah|kunjungan|visit|visiting|saudara|keluarga|family|"
            r"turis|tourist|honeymoon|bulan madu|belanja)\b"
        ),
        "hide_work": (
            r"\b(?:jangan|ojo|don ?t|do not|never)\b[^.!?\n]{0,25}?\b(?:bilang|ngomong|cakap|sebut|say|tell|"
            r"mention|ngaku)\b[^.!?\n]{0,15}?\b(?:kerja|bekerja|work|working|job)\b"
        ),
        "memorise": (
            r"\b(?:hafal|hafalkan|hafalin|ingat|inget)\b[^.!?\n]{0,20}?\b(?:nama|alamat)\b[^.!?\n]{0,25}?"
            r"\b(?:saudara|keluarga|hotel)\b"
        ),
    },
    negatable=False,
    negation_note="'jangan bilang kerja' is the coaching itself, not a denied cue.",
    laws=("uu6_2011", "uu21_2007"),
    must_fire=(
        "Kalau ditanya petugas imigrasi bilang aja mau liburan ke Bangkok",
        "Nek ditakoni nang pelabuhan ojo ngomong kerja yo, ngomong e njenguk sedulur",
        "tolong hafal nama & alamat saudara yg sy kasih. Pegawai kat Nunukan suka tanya2",
        "if immigration asks, tell them you are on holiday visiting family",
    ),
    must_not_fire=(
        "Kalau ditanya petugas imigrasi, jawab jujur tujuan dan tunjukkan kontrak kerja resmi",
        "Liburan ke Bangkok minggu depan, ada yang mau titip?",
        "Petugas bandara ramah, proses imigrasi cepat",
    ),
)
def cerita_samaran_petugas(ctx: PostContext, cues: Cues) -> str | None:
    if not cues.search(ctx, "officer"):
        return None
    for key in ("hide_work", "memorise"):
        hit = cues.search(ctx, key)
        if hit:
            return hit
    return cues.search(ctx, "story") if cues.search(ctx, "asked") else None


@indicator(
    "jalur_nonprosedural",
    RED_FLAG,
    "jalur tidak resmi",
    "non-procedural route",
    "Menghindari P3MI berizin, BP2MI/KP2MI atau Disnaker: 'jalur mandiri', 'tanpa PT', 'tanpa izin P3MI', 'langsung majikan'.",
    "Avoids licensed agencies and the placement authority, or says it has no licence.",
    patterns={
        "route": (
            r"\b(?:jalur (?:mandiri|belakang|pribadi|perorangan|non ?prosedural|khusus|cepat|dalam|orang dalam)|"
            r"non ?prosedural|unprosedural|langsung (?:ke )?majikan|majikan langsung|direct (?:to )?employer|"
            r"(?<!anti )(?<!hindari )(?<!bebas )calo|agen perorangan|lewat kenalan|lewat saudara di sana|ilegal tapi aman|no agency)\b"
        ),
        # A denied mark of legitimacy is this red flag: "tanpa izin P3MI", "tidak lewat PT", "belum terdaftar".
        "unlicensed": (
            r"\b(?:tanpa|tidak|bukan|belum|jangan) (?:(?:perlu|usah|lewat|melalui|pakai|ada|punya|pake|ke|dari|memakai) ){0,2}"
            r"(?:izin |ijin )?(?:agen|agency|pt|perusahaan penyalur|p3mi|sip3mi|pjtki|bp2mi|kp2mi|disnaker|bnp2tki|dinas|"
            r"izin resmi|resmi|terdaftar|berizin)\b(?! (?:abal|bodong|palsu|penipu|ilegal|gadungan|sembarangan))|\btidak resmi tapi\b"
        ),
    },
    hints={
        "route": (
            "jalur",
            "prosedural",
            "majikan",
            "direct",
            "calo",
            "agen perorangan",
            "lewat kenalan",
            "lewat saudara",
            "ilegal tapi",
            "no agency",
        ),
        "unlicensed": ("belum", "bukan", "jangan", "tanpa", "tidak"),
    },
    laws=("uu18_2017", "uu18_2017_perorangan", "kepmenaker_260_2015"),
    must_fire=(
        "Lewat jalur mandiri aja, gak usah lewat PT",
        "tanpa melalui BP2MI, lebih cepat",
        "langsung ke majikan tanpa agen",
        "Berangkat ke Malaysia tanpa izin P3MI, aman",
        "agensi kami belum terdaftar tapi sudah banyak yang berangkat",
    ),
    must_not_fire=(
        "Pendaftaran melalui P3MI resmi yang terdaftar di KP2MI",
        "Kami bukan jalur mandiri, semua lewat P3MI",
        "Kami perusahaan resmi, bukan calo",
    ),
)
def jalur_nonprosedural(ctx: PostContext, cues: Cues) -> str | None:
    route = cues.search(ctx, "route")
    if route:
        return route
    # The negator is the cue here, so a negator before it is not looked for.
    return cues.search(ctx, "unlicensed", negation=False)


@cache
def _place_mentions(canonical: str) -> re.Pattern[str]:
    """The spellings of one place as they appear in normalised text (its aliases and its name)."""
    spellings = {p.alias for p in places() if p.canonical == canonical and p.alias.isascii()}
    spellings |= {canonical, canonical.replace(" ", "_")}
    alternation = "|".join(sorted((re.escape(s) for s in spellings), key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{alternation})(?![\w])")


@indicator(
    "negara_berisiko",
    RED_FLAG,
    "tujuan berisiko",
    "high-risk destination",
    "Tujuan atau rute transit kasus TPPO yang dikenal (Kamboja, Myanmar, Laos, Thailand ke perbatasan, Filipina, Timur Tengah jalur perorangan).",
    "A destination or transit route of known trafficking cases.",
    laws=("uu21_2007",),
    must_fire=(
        "kerja di K4mboja gaji dolar",
        "penempatan Myawaddy via Mae Sot",
        "lowongan 🇰🇭 admin",
    ),
    must_not_fire=(
        "Liburan ke Jepang bulan depan seru banget",
        "lowongan admin di Bekasi",
        "Jalan-jalan ke Bangkok 4 hari, itinerary hemat",
        "Foto bunga kamboja di makam kakek",
        "Penempatan bukan di Kamboja, tapi di pabrik Taiwan",
    ),
)
def negara_berisiko(ctx: PostContext, cues: Cues) -> str | None:
    # A transit country (Thailand, Singapore) is only a warning sign when the post is about work:
    # holiday posts name Bangkok all the time.
    work = SHARED.find(ctx, "work") is not None
    risky = [
        d
        for d in ctx.entities.destinations
        if _RISK_BY_PLACE.get(d) == "scam" or (work and _RISK_BY_PLACE.get(d) == "transit")
    ]
    kept = [d for d in risky if not _only_denied(ctx, d)]
    if len(kept) < len(risky) and not kept:
        ctx.negated.setdefault("negara_berisiko", ", ".join(risky))
    return ", ".join(kept) if kept else None


def _only_denied(ctx: PostContext, place: str) -> bool:
    """Whether every mention of ``place`` in the normalised text is denied ("bukan di Kamboja").

    A place found only through a flag emoji or a nickname has no mention to deny and counts.
    """
    mentions = [m.start() for m in _place_mentions(place).finditer(ctx.text)]
    return bool(mentions) and all(negated_at(ctx.text, start) for start in mentions)


@indicator(
    "kontak_hanya_chat",
    RED_FLAG,
    "kontak hanya lewat chat",
    "chat-only contact",
    "Satu-satunya kontak adalah nomor, tautan chat (wa.me, t.me), akun @ atau ajakan DM/japri — tanpa alamat kantor, e-mail atau situs.",
    "The only contact is a number, a chat link, an @handle or 'DM me' — no office, e-mail or website.",
    patterns={
        "chat": r"_chatlink_|_phone_|_handle_",
        # DM, japri, PM and inbox ask for a private chat; the normaliser turns them into "hubungi",
        # which is also the plain verb "contact", so they are read in the original.
        "dm": r"(?i:\b(?:dm|japri|pm|inbox|direct message)\b)",
        "formal": (
            r"_email_|_url_|\b(?:alamat kantor|kantor kami|datang langsung|walk in|walk-in|jl|jln|jalan [a-z]+ no|"
            r"apply (?:via|melalui|di) _url_|lamar (?:via|melalui) _url_)\b"
        ),
    },
    cleaned=("dm",),
    hints={
        "chat": ("_chatlink_", "_handle_", "_phone_"),
        "formal": (
            "_email_",
            "_url_",
            "alamat kantor",
            "kantor kami",
            "datang langsung",
            "walk in",
            "walk-in",
            "jl",
            "jalan ",
        ),
        "dm": ("dm", "japri", "pm", "inbox", "direct message"),
    },
    negatable=False,
    negation_note="a contact is there or not; 'tidak lewat DM' still names a chat channel",
    laws=("uu18_2017",),
    must_fire=(
        "minat langsung wa 0812-3456-7890",
        "serius hub t.me/rekrut_cs",
        "info lanjut DM aja ya kak",
        "Kirim CV ke WA 0812-3456-7890",
        "@rina_ayu kerja di luar gaji 2 digit, minat langsung ke @rekrut_asia",
        "@rina_ayu minat kak? dm aja",
    ),
    must_not_fire=(
        "Kirim CV ke hrd@majujaya.co.id atau datang ke Jl. Sudirman 5",
        "Apply via www.majujaya.co.id/karir",
        "Untuk info lebih lanjut hubungi kami",
        "@eviwlan luar biasaaaa",
        "@farrel.dr @raissaaya yaudah nikah aja biar ga ribet.",
        "Info lengkap: bit.ly/loker-asia",
        "WA 0812-3456-7890 atau lamar di www.majujaya.co.id/karir",
    ),
)
def kontak_hanya_chat(ctx: PostContext, cues: Cues) -> str | None:
    if cues.find(ctx, "formal"):
        return None
    dm = cues.search(ctx, "dm")
    chat = cues.search(ctx, "chat") or dm
    if not chat or (dm is None and _only_addressed(ctx)):
        return None
    contacts = ctx.entities.contacts
    return ", ".join(contacts[:2]) if contacts else chat


def _only_addressed(ctx: PostContext) -> bool:
    """The post's only chat cues are the @mentions it opens with: a reply, not a contact.
    (A number spelled out in words is a phone only in the normalised text.)"""
    entities = ctx.entities
    return (
        bool(entities.addressees)
        and not entities.contacts
        and "_phone_" not in ctx.text
        and "_chatlink_" not in ctx.text
    )


@indicator(
    "pekerjaan_modus_online",
    RED_FLAG,
    "modus kerja online di luar negeri",
    "online job abroad",
    "CS, admin, marketing online, kripto, operator, input data di luar negeri — pola rekrutmen ke markas penipuan online.",
    "Customer service, admin, online marketing, crypto or typing jobs abroad — the scam-compound pattern.",
    patterns={
        "role": (
            r"\b(?:customer service|admin(?: online)?|marketing(?: online)?|digital marketing|telemarketing|operator|typist|"
            r"data entry|input data|penerjemah|translator|it support|kerja kantoran|kerja (?:depan|di depan) (?:laptop|komputer)|"
            r"chatter|host|kerja online)\b"
        ),
        "inherent": (
            r"\b(?:admin|operator|cs|customer service|marketing) (?:crypto|kripto|judi|judol|slot|casino|kasino|game online|betting|trading)|"
            r"\b(?:scammer|love scam|scam online|tim scam|pig butchering|romance scam)\b"
        ),
    },
    hints={
        "role": (
            "admin",
            "chatter",
            "customer",
            "entry",
            "host",
            "input",
            "kantoran",
            "komputer",
            "laptop",
            "marketing",
            "online",
            "operator",
            "penerjemah",
            "support",
            "translator",
            "typist",
        ),
        "inherent": (
            "betting",
            "butchering",
            "casino",
            "crypto",
            "game",
            "judi",
            "judol",
            "kasino",
            "kripto",
            "love",
            "romance",
            "scam",
            "slot",
            "trading",
        ),
    },
    laws=("uu21_2007",),
    must_fire=(
        "Dibutuhkan CS online penempatan Kamboja",
        "admin crypto di luar negeri gaji USD",
        "lowongan operator judi online",
    ),
    must_not_fire=(
        "Dibutuhkan customer service untuk kantor Surabaya",
        "Bukan admin judi online, ini kerja pabrik biasa",
    ),
)
def pekerjaan_modus_online(ctx: PostContext, cues: Cues) -> str | None:
    inherent = cues.search(ctx, "inherent")
    if inherent:
        return inherent
    role = cues.search(ctx, "role")
    if not role:
        return None
    abroad = [
        d
        for d in ctx.entities.destinations
        if _RISK_BY_PLACE.get(d) in ("scam", "transit", "border")
    ]
    if abroad or SHARED.find(ctx, "abroad"):
        return f"{role} + {abroad[0] if abroad else 'luar negeri'}"
    return None


@indicator(
    "potong_gaji",
    RED_FLAG,
    "jeratan utang / potong gaji",
    "debt bondage",
    "Biaya ditalangi lalu dipotong dari gaji, uang 'tip' ke perekrut, gaji dibayar di akhir kontrak.",
    "Costs advanced and deducted from wages, a 'tip' to the recruiter, pay held until the end.",
    patterns={
        "debt": (
            r"\b(?:potong gaji|potongan gaji|dipotong (?:dari )?gaji|gaji (?:dipotong|ditahan)|bayar (?:pakai|dengan|dari|lewat) gaji|"
            r"ditalangi|talangan|dana talang|utang (?:biaya|proses)|hutang (?:biaya|proses)|cicil(?:an)? (?:dari|lewat|potong) gaji|"
            r"gaji (?:dibayar|diberikan|diterima) (?:di |pada )?(?:akhir|setelah selesai|setelah kontrak)|uang (?:tip|rokok|jaminan) (?:ke|untuk|buat)|"
            r"salary deduction|deducted from (?:your )?salary)\b"
        )
    },
    hints={
        "debt": (
            "potong",
            "gaji dibayar",
            "gaji diberikan",
            "gaji diterima",
            "gaji ditahan",
            "pakai gaji",
            "dengan gaji",
            "dari gaji",
            "lewat gaji",
            "talang",
            "utang",
            "salary",
            "uang tip",
            "uang rokok",
            "uang jaminan",
            "deducted",
        ),
    },
    laws=("uu21_2007", "uu18_2017_biaya"),
    must_fire=(
        "biaya proses ditalangi dulu, nanti potong gaji 6 bulan",
        "gaji dibayar di akhir kontrak",
        "uang tip ke sponsor 5jt",
    ),
    must_not_fire=(
        "gaji dibayar setiap tanggal 25 via transfer bank",
        "Tanpa potongan gaji, semua biaya ditanggung negara",
        "gaji gak dipotong sama sekali",
    ),
)
def potong_gaji(ctx: PostContext, cues: Cues) -> str | None:
    return cues.search(ctx, "debt")


@indicator(
    "usia_muda",
    RED_FLAG,
    "menyasar usia sangat muda",
    "targets minors",
    "Menyasar anak di bawah 18 tahun, lulusan SMP, atau menawarkan umur 'dituakan' di dokumen.",
    "Targets people under 18 or offers to falsify age.",
    patterns={
        "minor_age": r"(?i:\b(?:usia|umur|age)\s*(?:1[0-7])\s*(?:th|thn|tahun|years?)?\s*(?:boleh|bisa|juga|diterima|ok|masuk)\b)",
        "falsify": (
            r"\b(?:usia|umur) (?:bisa|boleh|akan)? ?(?:dituakan|dinaikkan|diubah|dimudakan|diganti)|"
            r"\b(?:usia|umur) _num_ (?:boleh|bisa|diterima)\b(?=.*\b(?:berangkat|kerja|lowongan|gaji)\b)|"
            r"\b(?:masih|baru) (?:sma|smp)\b.*\b(?:bisa|boleh) (?:berangkat|ikut|daftar)|\bbelum _num_ tahun (?:bisa|boleh)|"
            r"\bunder ?age (?:ok|boleh|bisa)\b"
        ),
    },
    cleaned=("minor_age",),
    hints={
        "falsify": (
            "usia",
            "umur",
            "under",
            "belum _num_ tahun",
            "bisa berangkat",
            "bisa daftar",
            "bisa ikut",
            "boleh berangkat",
            "boleh daftar",
            "boleh ikut",
        ),
        "minor_age": ("usia", "umur", "age"),
    },
    laws=("uu21_2007_anak", "uu18_2017_usia"),
    must_fire=(
        "usia 16-25 thn boleh",
        "umur bisa dituakan di paspor",
        "lulusan SMP boleh, umur 17 bisa",
    ),
    must_not_fire=(
        "usia 18-35 tahun",
        "Anak saya umur 16 tahun baru masuk SMA",
        "umur tidak bisa dituakan, paspor asli",
    ),
)
def usia_muda(ctx: PostContext, cues: Cues) -> str | None:
    for low, high in ctx.entities.age_ranges:
        if 10 <= low < 18:
            return f"usia {low}-{high}"
    return cues.first(ctx, "minor_age", "falsify")


@indicator(
    "dokumen_diurus_atau_ditahan",
    RED_FLAG,
    "dokumen diurus/ditahan pihak lain",
    "documents arranged or held",
    "Paspor/visa/izin kerja 'diurus semua', dipalsukan, atau dipegang majikan/perusahaan.",
    "Passport, visa or permit 'all arranged', forged, or held by the employer.",
    patterns={
        "papers": (
            r"\b(?:paspor|passport|dokumen|visa|izin kerja|work permit|calling visa|izin)\b[^.\n]{0,30}?\b(?:diurus|diuruskan|kami urus|diurusin|dibantu|dibuatkan|dibikinkan|"
            r"disiapkan|ditahan|dipegang|disimpan|diambil|aspal|palsu|bodong|tembak|jadi _num_ hari|cepat jadi|"
            r"(?:kami|kita|agen|sponsor) (?:yang )?(?:urus|urusin|uruskan|siapkan|bikinkan|buatkan))\b|"
            r"\b(?:urus|bikin|buat|bantu) (?:paspor|dokumen|visa|izin kerja)\b[^.\n]{0,20}\b(?:cepat|kilat|aspal|tanpa)\b|"
            r"\b(?:ganti|pakai) (?:nama|identitas) (?:orang )?lain\b|\bdocuments? (?:arranged|held|kept)\b"
        ),
    },
    within=("papers",),
    hints={
        "papers": (
            "urus",
            "dibantu",
            "buatkan",
            "bikinkan",
            "siapkan",
            "ditahan",
            "dipegang",
            "disimpan",
            "diambil",
            "aspal",
            "palsu",
            "bodong",
            "tembak",
            "jadi _num_ hari",
            "cepat jadi",
            "bantu paspor",
            "bantu dokumen",
            "bantu visa",
            "bantu izin",
            "bikin paspor",
            "bikin dokumen",
            "bikin visa",
            "bikin izin",
            "buat paspor",
            "buat dokumen",
            "buat visa",
            "buat izin",
            "ganti nama",
            "ganti identitas",
            "pakai nama",
            "pakai identitas",
            "arranged",
            "held",
            "kept",
        ),
    },
    laws=("uu21_2007", "uu6_2011_dokumen"),
    must_fire=(
        "paspor dan visa semua kami urus",
        "paspor dipegang perusahaan selama kontrak",
        "bisa buat paspor aspal",
    ),
    must_not_fire=(
        "Bawa paspor asli saat check-in",
        "paspor tidak ditahan, selalu dipegang pekerja sendiri",
    ),
)
def dokumen_diurus_atau_ditahan(ctx: PostContext, cues: Cues) -> str | None:
    return cues.search(ctx, "papers")


_ID_DOC_WORDS = (
    "ktp",
    "paspor",
    "passport",
    "kk",
    "kartu keluarga",
    "buku",
    "atm",
    "rekening",
    "npwp",
    "ijazah",
)
# "KK" (family card) only in capitals: in lower case it is "kakak".
_ID_DOCS = r"(?:e-?ktp|ktp|paspor|passport|(?-i:KK)|kartu keluarga|buku (?:tabungan|rekening)|kartu atm|atm|rekening|npwp|ijazah asli)"


@indicator(
    "minta_dokumen_pribadi",
    RED_FLAG,
    "minta foto dokumen pribadi",
    "asks for identity documents",
    "Minta foto/scan KTP, paspor, KK, buku tabungan, kartu ATM atau kode OTP lewat chat sebelum wawancara atau kontrak — "
    "dipakai untuk menjerat korban atau membuka rekening penampung.",
    "Asks for photos of ID card, passport, family card, bank book, ATM card or an OTP over chat before any "
    "interview or contract — used to hold people and to open mule accounts.",
    patterns={
        # Read in the original: normalisation turns "KK" (family card) into "kakak".
        "send_docs": re.compile(
            rf"\b(?:kirim(?:kan|in)?|send|upload|lampirkan|setor|foto(?:kan|in)?|scan|minta)\b[^.\n]{{0,25}}?\b{_ID_DOCS}\b",
            re.IGNORECASE,
        ),
        "docs_to_chat": re.compile(
            rf"\b{_ID_DOCS}\b[^.\n]{{0,40}}?\b(?:via|ke|lewat|melalui) (?:wa|whatsapp|dm|inbox|japri|telegram|tele|pm|admin|nomor|no)\b",
            re.IGNORECASE,
        ),
        "otp": re.compile(
            r"\b(?:kirim(?:kan|in)?|sebutkan|kasih|berikan|bagikan|share|minta|infokan|fotokan|foto)\b(?: \S+){0,4}? "
            r"(?:kode otp|otp|kode verifikasi|pin atm|pin m-?banking)\b",
            re.IGNORECASE,
        ),
        "bank": re.compile(
            r"\b(?:buku tabungan|buku rekening|kartu atm|rekening (?:baru|atas nama)|buka rekening)\b",
            re.IGNORECASE,
        ),
        "chat": r"_chatlink_|_phone_|_handle_|\b(?:whatsapp|telegram)\b",
        "later": (
            r"\b(?:saat|ketika|waktu|pada saat|setelah|sesudah|sewaktu) (?:lolos |mengikuti |ikut )?"
            r"(?:interview|wawancara|tes|seleksi|tanda tangan|penandatanganan|kontrak)\b|\bbawa (?:fotokopi|asli)\b"
        ),
    },
    cleaned=("send_docs", "docs_to_chat", "otp", "bank"),
    hints={
        "chat": ("_chatlink_", "_handle_", "_phone_", "telegram", "whatsapp"),
        "later": ("asli", "fotokopi", "ketika", "saat", "sesudah", "setelah", "waktu"),
        "send_docs": _ID_DOC_WORDS,
        "docs_to_chat": _ID_DOC_WORDS,
        "otp": ("otp", "verifikasi", "pin"),
        "bank": ("tabungan", "rekening", "atm"),
    },
    within=("send_docs",),
    laws=("uu27_2022", "uu21_2007"),
    must_fire=(
        "Yang minat kirim foto KTP, KK dan buku tabungan via WA 0812-3456-7890",
        "langsung kirim scan paspor ke WA admin, tanpa interview",
        "Kirim kode OTP yang masuk ke HP kakak ya, buat verifikasi pendaftaran",
    ),
    must_not_fire=(
        "Bawa fotokopi KTP dan KK saat wawancara di kantor, Jl. Sudirman 5",
        "Jangan pernah kirim foto KTP atau kode OTP ke orang yang tidak dikenal",
        "Kirim CV dan scan ijazah ke hrd@majujaya.co.id",
        "Gak perlu kirim foto KTP dulu, nanti saat interview saja",
        "Kemarin foto KTP ku buram pas bikin SIM",
    ),
)
def minta_dokumen_pribadi(ctx: PostContext, cues: Cues) -> str | None:
    secret = cues.search(ctx, "otp")
    if secret and not cues.find(ctx, "later", negation=False):
        return secret
    request = cues.search(ctx, "send_docs")
    if not request and "minta_dokumen_pribadi" in ctx.negated:
        return None  # "tidak usah kirim foto KTP ... ke WA": the only request is denied
    request = request or cues.search(ctx, "docs_to_chat")
    if not request or cues.find(ctx, "later", negation=False):
        return None  # documents shown at an interview or a signing are the normal way
    # A bank book or ATM card asked for is never part of applying; an ID card is, by e-mail to an
    # employer, so it counts only when it goes to a chat.
    if (
        cues.find(ctx, "bank")
        or cues.find(ctx, "chat", negation=False)
        or cues.find(ctx, "docs_to_chat")
    ):
        return request
    return None


@indicator(
    "penyeberangan_ilegal",
    RED_FLAG,
    "penyeberangan ilegal",
    "illegal crossing",
    "Menyeberang tanpa paspor, lewat 'jalur tikus', speedboat malam atau pelabuhan tidak resmi.",
    "Crossing without a passport, by rat routes, night boats or unofficial jetties.",
    patterns={
        "crossing": (
            r"\bjalur (?:tikus|t|belakang|gelap)\b|\b(?:tanpa|tidak (?:perlu|pakai)|gak perlu|tidak usah) (?:paspor|dokumen|cop|cap)\b|"
            r"\bpelabuhan (?:tikus|rakyat|kecil|tidak resmi)\b|\bpelantar\b|"
            r"\b(?:aman|lolos|bebas) (?:dari )?(?:razia|pemeriksaan|imigrasi|patroli)\b|\bdijemput di (?:seberang|sana|perbatasan)\b|"
            r"\b(?:nyeberang|nyebrang|menyeberang|seberang) (?:ke|lewat) (?:malaysia|johor|tawau|sabah|singapura|negara tetangga)\b|"
            r"\bbackdoor\b|\bno passport\b|\bundocumented\b|\b(?:masuk|keluar) (?:tanpa|tidak) (?:cop|cap)\b"
        ),
        "night_boat": r"\b(?:speed ?boat|speed|pompong|kapal kayu|perahu|boat|kapal)\b[^.\n]{0,20}\bmalam\b",
        # "jalan tikus" or "jalan gelap" is also everyday talk for a back street; it counts only
        # in a post about crossing or working abroad.
        "shortcut": r"\b(?:jalan|jln|lorong) (?:tikus|t|belakang|gelap)\b",
    },
    within=("night_boat",),
    hints={
        "crossing": (
            "jalur t",
            "jalur belakang",
            "jalur gelap",
            "tanpa paspor",
            "tanpa dokumen",
            "perlu paspor",
            "perlu dokumen",
            "pakai paspor",
            "pakai dokumen",
            "usah paspor",
            "usah dokumen",
            " cap",
            " cop",
            "pelabuhan tikus",
            "pelabuhan rakyat",
            "pelabuhan kecil",
            "pelabuhan tidak",
            "pelantar",
            "razia",
            "pemeriksaan",
            "patroli",
            "dari imigrasi",
            "aman imigrasi",
            "lolos imigrasi",
            "bebas imigrasi",
            "dijemput di",
            "nyeberang ke",
            "nyeberang lewat",
            "nyebrang ke",
            "nyebrang lewat",
            "seberang ke",
            "seberang lewat",
            "backdoor",
            "no passport",
            "undocumented",
        ),
        "night_boat": ("malam",),
        "shortcut": ("jalan t", "jalan belakang", "jalan gelap", "jln", "lorong"),
    },
    laws=("uu6_2011", "uu21_2007"),
    must_fire=(
        "lewat jalur tikus dari Batam, aman",
        "nyebrang pakai speedboat malam ke Johor",
        "tanpa paspor bisa, dijemput di seberang",
    ),
    must_not_fire=(
        "Jadwal ferry resmi Batam-Singapura hari ini",
        "Kami tidak lewat jalur tikus, semua lewat pelabuhan resmi",
        "Jangan nyebrang ke Malaysia tanpa dokumen resmi",
    ),
)
def penyeberangan_ilegal(ctx: PostContext, cues: Cues) -> str | None:
    hit = cues.first(ctx, "crossing", "night_boat")
    if hit:
        return hit
    shortcut = cues.search(ctx, "shortcut")
    return shortcut if shortcut and SHARED.find(ctx, "crossing_context") else None


@indicator(
    "pengantin_pesanan",
    RED_FLAG,
    "perjodohan dengan pria asing",
    "bride arrangement",
    "Mencari perempuan muda untuk dinikahkan dengan pria asing, dengan mahar/uang untuk keluarga.",
    "Young women sought to marry foreign men, with money promised to the family.",
    patterns={
        "bride": (
            r"\b(?:cari|dicari|mencari|butuh) (?:calon )?(?:istri|pengantin|jodoh)|"
            r"\b(?:nikah|menikah|dinikahi|dinikahkan|perjodohan|dijodohkan|jodoh|kawin)\b[^.\n]{0,30}\b(?:china|cina|tiongkok|taiwan|korea|asing|luar negeri|bule)\b|"
            r"\bmahar\b[^.\n]{0,20}(?:_money_|besar|juta)|\bkawin kontrak\b|\bpengantin pesanan\b|\bmail order bride\b"
        )
    },
    within=("bride",),
    hints={
        "bride": ("bride", "calon", "istri", "jodoh", "kawin", "mahar", "nikah", "pengantin"),
    },
    laws=("uu21_2007", "uu12_2022"),
    must_fire=(
        "Dicari calon istri utk pria Tiongkok, mahar 50jt untuk keluarga",
        "perjodohan dengan orang Taiwan, hidup terjamin",
    ),
    must_not_fire=(
        "Selamat menempuh hidup baru untuk sepupuku!",
        "Aku menikah bukan dengan orang asing kok, sama tetangga",
    ),
)
def pengantin_pesanan(ctx: PostContext, cues: Cues) -> str | None:
    return cues.search(ctx, "bride")


@indicator(
    "ajak_teman",
    RED_FLAG,
    "bonus ajak teman",
    "referral bonus",
    "Bonus atau syarat mengajak teman/saudara — korban markas penipuan sering dipaksa merekrut.",
    "A bonus or condition to bring friends — compound victims are often forced to recruit.",
    patterns={
        "referral": (
            r"\b(?:ajak|bawa|rekrut|referensikan|rekomendasikan|cariin)\b[^.\n]{0,20}\b(?:teman|saudara|keluarga|kenalan|orang)\b[^.\n]{0,40}\b(?:bonus|komisi|fee|_money_|dapat)\b|"
            r"\b(?:bonus|komisi|fee) (?:referral|ajak|rekrut|per orang|setiap orang|per kepala|setiap kepala|tiap orang)\b|"
            r"\b(?:bonus|komisi|fee)\b[^.\n]{0,30}\b(?:per|setiap|tiap) (?:orang|kepala)\b|\breferral bonus\b"
        )
    },
    within=("referral",),
    hints={
        "referral": (
            "ajak",
            "fee",
            "keluarga",
            "kenalan",
            "kepala",
            "komisi",
            "orang",
            "referral",
            "rekrut",
            "saudara",
            "teman",
        ),
    },
    laws=("uu21_2007",),
    must_fire=(
        "ajak teman dapat bonus 2jt per orang",
        "bisa bawa saudara, ada komisi setiap kepala",
    ),
    must_not_fire=(
        "Ajak teman nonton bareng final nanti malam",
        "ajak teman tidak dapat bonus apa pun ya",
    ),
)
def ajak_teman(ctx: PostContext, cues: Cues) -> str | None:
    return cues.search(ctx, "referral")


@indicator(
    "kata_disamarkan",
    RED_FLAG,
    "kata disamarkan",
    "disguised words",
    "Kata kunci ditulis menyamar (K4mboja, K a m b o j a, huruf Sirilik, nomor dieja) — cara menghindari filter.",
    "Keywords written to dodge filters (leetspeak, spaced letters, look-alike letters, spelled numbers).",
    negatable=False,
    negation_note="the disguise is in how words are written, which a negator does not change",
    laws=("uu21_2007",),
    must_fire=(
        "Loker CS di K4mb0ja",
        "kerja di M y a n m a r",
        "hub nol delapan satu dua tiga empat lima",
    ),
    must_not_fire=("Loker CS di Kamboja",),
)
def kata_disamarkan(ctx: PostContext, cues: Cues) -> str | None:
    return "; ".join(ctx.normalized.evasions[:3]) if ctx.normalized.evasions else None


@indicator(
    "gaji_tidak_wajar",
    RED_FLAG,
    "gaji tidak wajar",
    "implausible pay",
    "Gaji jauh di atas kewajaran untuk pekerjaan dan kualifikasi yang diminta.",
    "Pay far above what the role and the qualifications asked justify.",
    patterns={"light": _SYARAT_RINGAN},
    hints={"light": _SYARAT_RINGAN_HINTS},
    laws=("uu21_2007",),
    must_fire=(
        "Admin tanpa pengalaman gaji 20jt/bulan",
        "CS gaji USD 1.200, yg penting bisa pake HP",
        "Admin Kamboja gaji 1.5k/bulan, no experience",
    ),
    must_not_fire=(
        "Senior Software Engineer, min. 5 tahun pengalaman, gaji Rp 25.000.000",
        "gaji UMR Bekasi 5,3jt",
        "Selamat! Anda memenangkan hadiah tunai Rp 150.000.000",
        "Perawat lansia di Taiwan lewat P3MI, gaji NT$ 28.000",
        "Total kerugian korban Rp35 juta per orang, gaji yang dijanjikan tidak pernah ada",
    ),
)
def gaji_tidak_wajar(ctx: PostContext, cues: Cues) -> str | None:
    from pipeline.entities import format_money

    pay = ctx.entities.max_monthly_pay
    if pay is None or pay < 9_000_000 or not SHARED.find(ctx, "wage"):
        return None  # a prize, a price or a fee is not a wage
    light = cues.find(ctx, "light") is not None
    qualified = SHARED.find(ctx, "qualifications") is not None
    # Japan, Korea, Taiwan or Hong Kong really pay this much; there only a light-requirements
    # offer makes the pay implausible.
    high_wage_only = bool(ctx.entities.destinations) and all(
        _RISK_BY_PLACE.get(d) == "other" for d in ctx.entities.destinations
    )
    if light or (not qualified and (not high_wage_only or pay >= 25_000_000) and pay >= 12_000_000):
        money = ctx.entities.best_pay
        return f"{money.text} ({format_money(money)})" if money else None
    return None


@indicator(
    "biaya_di_muka",
    RED_FLAG,
    "biaya besar di muka",
    "large upfront fee",
    "Calon pekerja diminta membayar jutaan rupiah di muka untuk visa, dokumen atau 'proses' — penempatan resmi tidak memungut biaya sebesar itu.",
    "The worker must pay millions up front for a visa, documents or 'processing' — licensed placement does not charge that much.",
    patterns={
        "fee": (
            r"\b(?:biaya|bayar|dp|uang (?:muka|jalan|proses|administrasi|pendaftaran|jaminan)|ongkos|fee|tebus)\b(?: \w+){0,3} _money_|"
            r"_money_ (?:all in|beres|sampai (?:berangkat|jadi|terbang)|langsung (?:berangkat|jadi)|sudah termasuk)"
        )
    },
    hints={
        "fee": ("_money_",),
    },
    laws=("uu18_2017_biaya",),
    must_fire=(
        "Visa kerja Dubai 2 tahun, biaya 12 jt all in, tinggal kirim scan paspor",
        "calling visa Saudi ready, DP 5jt sisanya potong gaji",
        "proses cepat 3 minggu, bayar 18jt beres sampai Taiwan",
    ),
    must_not_fire=(
        "Biaya pendaftaran GRATIS, tidak dipungut biaya apa pun",
        "Harga paket umroh reguler 12 hari mulai 32 jt",
        "Gaji 4,5jt + uang makan, kirim CV ke email",
        "Kerja ke Taiwan tidak bayar 18jt, biaya penempatan nol",
    ),
)
def biaya_di_muka(ctx: PostContext, cues: Cues) -> str | None:
    # Only for the job or the papers: a holiday package or a product price is not a recruitment fee.
    fees = [
        m for m in ctx.entities.money if m.kind in ("fee", "amount") and (m.idr or 0) >= 3_000_000
    ]
    if not fees or not SHARED.find(ctx, "fee_context"):
        return None
    return cues.search(ctx, "fee")


_CLAIM_ADVICE = frozenset(
    {"harus", "wajib", "pastikan", "cek", "cari", "pilih", "gunakan", "hanya", "apakah", "benarkah"}
)


@indicator(
    "mengaku_resmi",
    RED_FLAG,
    "mengaku resmi tanpa bukti",
    "claims to be licensed, nothing checkable",
    "Mengaku 'resmi', 'legal', 'P3MI', 'G to G' atau 'terdaftar' tanpa nomor izin SIP3MI, situs resmi atau kanal program yang bisa dicek — "
    "perekrut menulis klaim ini justru untuk menenangkan korban.",
    "Claims to be 'official', 'legal', a P3MI or 'G to G' with no SIP3MI number, official site or programme channel "
    "a reviewer could check — recruiters write these claims to reassure.",
    patterns={
        "claim": (
            r"\b(?:(?:pt|agen|agensi|agency|lpk|perusahaan|kantor|kami|lowongan|job|program|jalur|proses|penempatan|berangkat|visa) "
            r"(?:ini |kami )?(?:resmi|legal|berizin|terdaftar|terpercaya|official)|"
            r"(?:resmi|legal) (?:p3mi|pt|agen|g2g|pemerintah|bp2mi|kp2mi)|"
            r"(?:p3mi|sip3mi|g2g|eps-topik|eps topik|im japan|ssw|tokutei)(?: \w+)? (?:resmi|legal|terdaftar|berizin)|"
            r"_num_ % (?:aman|legal|resmi|amanah|terpercaya)|(?:dijamin|pasti|terjamin) (?:aman|legal|resmi)|"
            r"(?:bukan|anti) (?:penipuan|hoax|hoaks|abal abal|bodong)|legal dan aman|aman dan legal|resmi dan aman|aman dan resmi)\b"
        )
    },
    hints={
        "claim": (
            "abal",
            "aman",
            "berizin",
            "bodong",
            "dijamin",
            "hoaks",
            "hoax",
            "legal",
            "official",
            "pasti",
            "penipuan",
            "resmi",
            "terdaftar",
            "terjamin",
            "terpercaya",
        ),
    },
    laws=("uu18_2017",),
    must_fire=(
        "PT resmi 100% legal, berangkat minggu depan",
        "Program G to G resmi, tinggal transfer biaya admin",
        "100% bukan penipuan, amanah, sudah banyak yang berangkat",
        "Agen terdaftar, langsung kerja di Dubai",
    ),
    must_not_fire=(
        "PT Maju Jaya, P3MI berizin SIP3MI No. 123/2024, cek di siskop2mi.bp2mi.go.id",
        "Kerja ke luar negeri harus lewat P3MI resmi, cek daftarnya di KP2MI",
        "Agensi kami tidak resmi, jujur saja",
        "Lowongan admin gudang di Cikarang",
    ),
)
def mengaku_resmi(ctx: PostContext, cues: Cues) -> str | None:
    match = cues.find(ctx, "claim")
    if not match or _checkable_legitimacy(ctx):
        return None
    if not (
        SHARED.find(ctx, "placement")
        or any(_RISK_BY_PLACE.get(d) != "border" for d in ctx.entities.destinations)
    ):
        return None  # "agen resmi OJK" in a domestic sales ad is not about placement
    before = ctx.text[: match.start()].split()[-4:]
    if _CLAIM_ADVICE.intersection(before):
        return None  # advice to the reader ("harus lewat P3MI resmi") claims nothing for the poster
    return match.group(0)


@indicator(
    "konteks_peringatan",
    COUNTER,
    "konteks peringatan",
    "warning context",
    "Bahasa imbauan/peringatan (waspada, hati-hati, modus, jangan tergiur) — ciri unggahan sosialisasi.",
    "Warning language typical of awareness posts.",
    patterns={
        "warning": (
            r"\b(?:waspada|waspadai|hati hati|berhati hati|modus|jangan (?:mudah )?(?:tergiur|percaya|tertipu|mau|tergoda)|"
            r"perdagangan orang|tppo|tppm|hindari|laporkan|sosialisasi|imbauan|himbauan|mengimbau|menghimbau|"
            r"cek (?:legalitas|keaslian|kebenaran)|stop tppo|beware|be careful|scam alert|awas|penipuan berkedok|"
            r"kenali ciri|ciri ciri|korban perdagangan|mencurigakan|(?:lagi |sedang )?beredar|(?:hoaks|hoax)|contoh iklan|"
            r"(?:iklan|lowongan|loker) palsu|(?<!anti )penipuan|red flag|tanda bahaya)\b"
        )
    },
    hints={
        "warning": (
            "waspada",
            "hati hati",
            "modus",
            "jangan mudah",
            "jangan tergiur",
            "jangan percaya",
            "jangan tertipu",
            "jangan mau",
            "jangan tergoda",
            "perdagangan orang",
            "tppo",
            "tppm",
            "hindari",
            "laporkan",
            "sosialisasi",
            "imbauan",
            "himbauan",
            "mengimbau",
            "menghimbau",
            "cek legalitas",
            "cek keaslian",
            "cek kebenaran",
            "beware",
            "be careful",
            "scam alert",
            "awas",
            "penipuan",
            "kenali ciri",
            "ciri ciri",
            "korban perdagangan",
            "mencurigakan",
            "beredar",
            "hoaks",
            "hoax",
            "contoh iklan",
            "palsu",
            "red flag",
            "tanda bahaya",
        ),
    },
    must_fire=(
        "WASPADA modus lowongan kerja ke Kamboja! Jangan tergiur gaji besar",
        "Hati-hati penipuan berkedok loker luar negeri",
    ),
    must_not_fire=(
        "Dicari CS Kamboja gaji 15jt, tiket ditanggung",
        "Tenang, ini bukan modus, sudah banyak yang berangkat",
    ),
)
def konteks_peringatan(ctx: PostContext, cues: Cues) -> str | None:
    return cues.search(ctx, "warning")


@indicator(
    "konteks_berita",
    COUNTER,
    "konteks berita",
    "news context",
    "Bahasa laporan berita atau proses hukum (ditangkap, tersangka, korban, dipulangkan, sidang, menurut).",
    "News or legal-process language.",
    patterns={
        "news": (
            r"\b(?:ditangkap|menangkap|tersangka|korban|dipulangkan|memulangkan|dideportasi|diselamatkan|sidang|dituntut|divonis|"
            r"terdakwa|menurut|mengatakan|ujar|dilansir|dikutip|repatriasi|dievakuasi|digerebek|diamankan|pelaku|polres|polda|"
            r"bareskrim|kbri|kemlu|kapolres|kapolda|jaksa|pengadilan|arrested|suspects?|victims?|repatriated|rescued|police said)\b"
        )
    },
    negatable=False,
    negation_note="news reports negation too ('pelaku belum ditangkap' is still news)",
    hints={
        "news": (
            "arrested",
            "bareskrim",
            "diamankan",
            "dideportasi",
            "dievakuasi",
            "digerebek",
            "dikutip",
            "dilansir",
            "dipulangkan",
            "diselamatkan",
            "ditangkap",
            "dituntut",
            "divonis",
            "jaksa",
            "kbri",
            "kemlu",
            "korban",
            "memulangkan",
            "menangkap",
            "mengatakan",
            "menurut",
            "pelaku",
            "pengadilan",
            "polda",
            "police",
            "polres",
            "repatriasi",
            "repatriated",
            "rescued",
            "sidang",
            "suspect",
            "terdakwa",
            "tersangka",
            "ujar",
            "victim",
        ),
    },
    must_fire=(
        "Polisi menangkap dua tersangka perekrut PMI ilegal",
        "Sebanyak 20 WNI korban dipulangkan dari Myawaddy",
        "Menurut polisi, pelaku belum ditangkap",
    ),
    must_not_fire=("Dicari operator produksi, segera",),
)
def konteks_berita(ctx: PostContext, cues: Cues) -> str | None:
    return cues.search(ctx, "news")


_CHECKABLE = Cues(
    {
        # A licence number: "SIP3MI No. 123/2024", "nomor izin P3MI: 4567".
        "licence_number": (
            r"\b(?:sip3mi|sip ?p3mi|(?:nomor|no|nomer) (?:izin|sip3mi|sip) (?:p3mi )?)(?: (?:no|nomor|nomer|nmr|number|:|\.|#|-)){0,3} _num_"
        ),
        # An official site: government domains and the programmes' own sites.
        "official_site": (
            r"(?i:\b(?:[a-z0-9-]+\.)*(?:go\.id|eps\.go\.kr|hrdkorea\.or\.kr|im-japan\.or\.jp|ssw\.go\.jp|"
            r"bp2mi\.go\.id|kp2mi\.go\.id|siskop2mi\.bp2mi\.go\.id)\b)"
        ),
        "programme": r"\b(?:g2g|eps-topik|eps topik|im japan|ssw|tokutei ginou|program magang kemnaker)\b",
        # The channel a registered programme is joined through.
        "channel": r"\b(?:bp2mi|kp2mi|bp3mi|uptp2mi|lp3mi|disnaker|disnakertrans|kemnaker|hrd korea|karirhub|siskop2mi|uptd)\b",
    },
    cleaned=("official_site",),
    hints={
        "licence_number": ("_num_",),
        "programme": ("g2g", "japan", "kemnaker", "ssw", "tokutei", "topik"),
        "channel": (
            "bp2mi",
            "bp3mi",
            "disnaker",
            "hrd",
            "karirhub",
            "kemnaker",
            "kp2mi",
            "lp3mi",
            "siskop2mi",
            "uptd",
            "uptp2mi",
        ),
        "official_site": ("go.id", "go.kr", "or.kr", "or.jp", "go.jp"),
    },
    owner="penempatan_resmi",
)


def _checkable_legitimacy(ctx: PostContext) -> str | None:
    """A sign of a licensed placement a reviewer can check: a licence number, an official site, or a
    government programme named with the channel it runs through. Claims alone are not."""
    for key in ("licence_number", "official_site"):
        hit = _CHECKABLE.search(ctx, key)
        if hit:
            return hit
    programme = _CHECKABLE.search(ctx, "programme")
    channel = _CHECKABLE.search(ctx, "channel") if programme else None
    if programme and channel:
        return f"{programme} + {channel.replace('_url_', 'situs')}"
    return None


@indicator(
    "penempatan_resmi",
    COUNTER,
    "penempatan resmi (bisa dicek)",
    "licensed placement (checkable)",
    "Tanda penempatan resmi yang bisa dicek: nomor izin SIP3MI, situs resmi (go.id, eps.go.kr), atau program "
    "pemerintah (G to G, EPS-TOPIK, IM Japan, SSW) beserta kanal pendaftarannya. Klaim 'resmi' saja tidak dihitung.",
    "Checkable marks of a licensed placement: a SIP3MI licence number, an official site, or a government programme "
    "with the channel it runs through. A bare claim of being official does not count.",
    laws=("uu18_2017",),
    must_fire=(
        "PT Maju Jaya, P3MI berizin SIP3MI No. 123/2024, lowongan terdaftar di SISKOP2MI",
        "Program G to G Korea lewat EPS-TOPIK, pendaftaran di KP2MI",
        "Info resmi: www.bp2mi.go.id",
    ),
    must_not_fire=(
        "Dicari TKW ke Saudi, proses cepat",
        "Kami resmi P3MI, G to G, dijamin aman",
        "Berangkat tanpa izin P3MI, tanpa SIP3MI No. apa pun",
    ),
)
def penempatan_resmi(ctx: PostContext, cues: Cues) -> str | None:
    return _checkable_legitimacy(ctx)


MIN_WORDS = 4


@indicator(
    "terlalu_pendek",
    STATE,
    "teks terlalu pendek untuk dinilai",
    "too little text to judge",
    f"Kurang dari {MIN_WORDS} kata: skornya lemah dasarnya. Tidak masuk antrean kecuali ada tanda bahaya lain.",
    f"Fewer than {MIN_WORDS} words: the score rests on little. Kept out of the review queue unless a red flag fires too.",
    negatable=False,
    negation_note="a state of the post, not a claim in it",
    must_fire=("Loker Kamboja", "japri kak", "gaji 20jt WA"),
    must_not_fire=(
        "Dicari admin online penempatan Kamboja, gaji 20jt",
        "Lowongan kasir Malang, kirim CV",
    ),
)
def terlalu_pendek(ctx: PostContext, cues: Cues) -> str | None:
    tokens = ctx.text.split()
    if len(tokens) >= 3 * MIN_WORDS:
        return None  # most posts: enough tokens even if a third of them were punctuation
    words = sum(1 for token in tokens if token[:1].isalnum() or token.startswith("_"))
    return None if words >= MIN_WORDS else f"{words} kata"


def by_name(name: str) -> Indicator:
    for item in REGISTRY:
        if item.name == name:
            return item
    raise KeyError(name)


def names() -> list[str]:
    return [item.name for item in REGISTRY]


def is_queue_worthy(indicator_names: Iterable[str]) -> bool:
    """Whether a post scoring at or above the threshold with these indicators is flagged (and so
    in the review queue): not when it is too short to judge and no red flag fired."""
    fired = set(indicator_names)
    if "terlalu_pendek" not in fired:
        return True
    return any(item.kind == RED_FLAG and item.name in fired for item in REGISTRY)


# The post's analysis lives in pipeline.analysis; these names are re-exported for callers that
# import them from here. Looked up on first use because pipeline.analysis imports this module.
_ANALYSIS_NAMES = frozenset({"Analysis", "PostContext", "Hit", "analyse", "analyse_many"})


def __getattr__(name: str) -> Any:
    if name in _ANALYSIS_NAMES:
        from pipeline import analysis

        return getattr(analysis, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
