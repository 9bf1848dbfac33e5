"""The laws and rules a red flag points to, in Indonesian and English, for reviewers.

A pointer to where a reviewer (or the officer a case is passed to) reads further, not a legal
finding: an indicator is a reason to look, and whether an offence happened is decided elsewhere.
Articles are named only where the article itself states the rule.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Law:
    key: str
    id: str
    en: str

    def text(self, lang: str = "id") -> str:
        return self.en if lang == "en" else self.id


_LAWS = (
    Law(
        "uu21_2007",
        "UU 21/2007 tentang Pemberantasan Tindak Pidana Perdagangan Orang (TPPO)",
        "Law 21/2007 on the Eradication of Trafficking in Persons (TPPO)",
    ),
    Law(
        "uu21_2007_anak",
        "UU 21/2007 Pasal 6: pengiriman anak ke luar negeri untuk dieksploitasi",
        "Law 21/2007 Art. 6: sending a child abroad for exploitation",
    ),
    Law(
        "uu18_2017",
        "UU 18/2017 tentang Pelindungan Pekerja Migran Indonesia: penempatan hanya lewat P3MI berizin (SIP3MI) "
        "atau program pemerintah, dengan perjanjian kerja dan visa kerja",
        "Law 18/2017 on the Protection of Indonesian Migrant Workers: placement only through a licensed "
        "agency (SIP3MI) or a government programme, with an employment contract and a work visa",
    ),
    Law(
        "uu18_2017_perorangan",
        "UU 18/2017 Pasal 69: orang perseorangan dilarang menempatkan Pekerja Migran Indonesia",
        "Law 18/2017 Art. 69: individuals may not place Indonesian migrant workers",
    ),
    Law(
        "uu18_2017_biaya",
        "UU 18/2017 Pasal 30 dan Peraturan BP2MI 9/2020: pekerja migran tidak dibebani biaya penempatan",
        "Law 18/2017 Art. 30 and BP2MI Regulation 9/2020: migrant workers may not be charged placement costs",
    ),
    Law(
        "uu18_2017_usia",
        "UU 18/2017 Pasal 5: pekerja migran berusia paling rendah 18 tahun",
        "Law 18/2017 Art. 5: migrant workers must be at least 18",
    ),
    Law(
        "kepmenaker_260_2015",
        "Kepmenaker 260/2015: penghentian penempatan pada pengguna perseorangan di Timur Tengah",
        "Minister of Manpower Decree 260/2015: no placement with individual employers in the Middle East",
    ),
    Law(
        "uu6_2011",
        "UU 6/2011 tentang Keimigrasian: keluar-masuk wilayah Indonesia wajib lewat Tempat Pemeriksaan Imigrasi "
        "(Pasal 113); penyelundupan manusia (Pasal 120)",
        "Law 6/2011 on Immigration: leaving or entering Indonesia only through an immigration checkpoint "
        "(Art. 113); people smuggling (Art. 120)",
    ),
    Law(
        "uu6_2011_dokumen",
        "UU 6/2011 tentang Keimigrasian: paspor dengan data palsu atau milik orang lain (Pasal 126)",
        "Law 6/2011 on Immigration: passports with false data or another person's identity (Art. 126)",
    ),
    Law(
        "uu12_2022",
        "UU 12/2022 tentang Tindak Pidana Kekerasan Seksual: pemaksaan perkawinan (Pasal 10)",
        "Law 12/2022 on Sexual Violence Crimes: forced marriage (Art. 10)",
    ),
    Law(
        "uu27_2022",
        "UU 27/2022 tentang Pelindungan Data Pribadi: memperoleh data pribadi orang lain secara melawan hukum",
        "Law 27/2022 on Personal Data Protection: unlawfully obtaining another person's personal data",
    ),
)
LAWS: dict[str, Law] = {law.key: law for law in _LAWS}


def describe(keys: tuple[str, ...] | list[str], lang: str = "id") -> list[str]:
    """The texts of the laws ``keys`` name, in order."""
    return [LAWS[key].text(lang) for key in keys]
