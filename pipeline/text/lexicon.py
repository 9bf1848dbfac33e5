"""The lexicons Waspada ships: slang → standard forms and a gazetteer of destinations.

They are plain TSV files inside the package so analysts can read and extend them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


def _rows(name: str) -> list[list[str]]:
    text = resources.files("pipeline.text").joinpath("lexicons", name).read_text(encoding="utf-8")
    return [
        line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]


@lru_cache(maxsize=1)
def slang() -> dict[str, str]:
    """Informal spelling → standard Indonesian."""
    return {row[0]: row[1] for row in _rows("slang.tsv")}


@dataclass(frozen=True)
class Place:
    alias: str
    canonical: str
    risk: str  # scam, transit, border or other
    disguised: bool = False  # a nickname used to hide the place ("negara K"), not its real name


_VOWELS = str.maketrans("", "", "aeiou")
_VOWELS_AND_Y = str.maketrans("", "", "aeiouy")


def consonant_skeletons(alias: str) -> set[str]:
    """How recruiters write a place with its vowels cut ("Mnmr", "Kmbj", "Thlnd", "Phnm Pnh"):
    the alias without vowels (and without y), when every word keeps at least three letters and
    the whole at least four. Shorter skeletons ("mrt", "sbh") are everyday abbreviations."""
    skeletons = set()
    for table in (_VOWELS, _VOWELS_AND_Y):
        skeleton = alias.translate(table)
        words = skeleton.split()
        if (
            skeleton != alias
            and words
            and all(len(word) >= 3 and word.isalpha() for word in words)
            and sum(map(len, words)) >= 4
        ):
            skeletons.add(skeleton)
    return skeletons


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    """The gazetteer, plus the consonant skeleton of every destination that is not an ordinary
    place (marked as disguised: cutting the vowels is a way to hide the name)."""
    listed = [
        Place(row[0], row[1], row[2], len(row) > 3 and row[3].strip() == "samaran")
        for row in _rows("places.tsv")
    ]
    known = {place.alias for place in listed} | set(slang())
    derived = {}
    for place in listed:
        if place.risk == "other" or place.disguised:
            continue
        for skeleton in sorted(consonant_skeletons(place.alias)):
            if skeleton not in known and skeleton not in derived:
                derived[skeleton] = Place(skeleton, place.canonical, place.risk, True)
    return tuple(listed) + tuple(derived.values())


@lru_cache(maxsize=1)
def sensitive_words() -> frozenset[str]:
    """Words whose disguised spelling is itself a signal: recruiters hide these from filters."""
    words = {p.alias for p in places() if " " not in p.alias and p.alias.isalpha()}
    words |= {p.canonical for p in places() if " " not in p.canonical}
    words |= {
        "gaji",
        "gajih",
        "kerja",
        "bekerja",
        "visa",
        "paspor",
        "passport",
        "tiket",
        "admin",
        "lowongan",
        "loker",
        "calo",
        "jalur",
        "tikus",
        "kapal",
        "online",
        "scam",
        "scammer",
        "crypto",
        "kripto",
        "casino",
        "kasino",
        "judi",
        "slot",
        "marketing",
        "dolar",
        "dollar",
        "juta",
        "telegram",
        "whatsapp",
        "agen",
        "sponsor",
        "berangkat",
        "ilegal",
        "resmi",
        "imigrasi",
        "polisi",
        "tppo",
        "gratis",
        "ditanggung",
        "operator",
        "customer",
        "service",
        "speedboat",
        "perahu",
        "tekong",
        "permit",
        "usd",
        "majikan",
        "umroh",
        "umrah",
        "ziarah",
    }
    return frozenset(words)
