"""The lexicons Waspada ships: slang → standard forms and a gazetteer of destinations.

They are plain TSV files inside the package so analysts can read and extend them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


def _rows(name: str) -> list[list[str]]:
    text = resources.files("pipeline.text").joinpath("lexicons", name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]


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


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    return tuple(
        Place(row[0], row[1], row[2], len(row) > 3 and row[3].strip() == "samaran") for row in _rows("places.tsv")
    )


@lru_cache(maxsize=1)
def sensitive_words() -> frozenset[str]:
    """Words whose disguised spelling is itself a signal: recruiters hide these from filters."""
    words = {p.alias for p in places() if " " not in p.alias and p.alias.isalpha()}
    words |= {p.canonical for p in places() if " " not in p.canonical}
    words |= {
        "gaji", "gajih", "kerja", "bekerja", "visa", "paspor", "passport", "tiket", "admin",
        "lowongan", "loker", "calo", "jalur", "tikus", "kapal", "online", "scam", "scammer",
        "crypto", "kripto", "casino", "kasino", "judi", "slot", "marketing", "dolar", "dollar",
        "juta", "telegram", "whatsapp", "agen", "sponsor", "berangkat", "ilegal", "resmi",
        "imigrasi", "polisi", "tppo", "gratis", "ditanggung", "operator", "customer", "service",
        "speedboat", "perahu", "tekong", "permit", "usd", "majikan", "umroh", "umrah", "ziarah",
    }
    return frozenset(words)
