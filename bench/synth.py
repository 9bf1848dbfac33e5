"""Seeded synthetic collections made by perturbing the bundled labeled corpus.

Perturbations follow what collected posts do: slang swaps, obfuscated spellings, reposts (exact
and with a new phone number), and length variation (trimmed posts, two posts joined). Labels carry
over from the source post, so the same generator also makes labeled training sets.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

SLANG = {
    "tidak": "gak",
    "sudah": "udah",
    "saja": "aja",
    "bisa": "bs",
    "yang": "yg",
    "untuk": "utk",
    "dengan": "dgn",
    "kerja": "kerjaan",
    "gaji": "gajih",
    "hubungi": "hub",
    "segera": "buruan",
    "banyak": "byk",
    "langsung": "lgsg",
    "sangat": "bgt",
    "berangkat": "brgkt",
    "paspor": "pasport",
    "info": "inpo",
    "lowongan": "loker",
    "tanpa": "tnp",
    "tahun": "thn",
    "juta": "jt",
}
LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5"})
PHONE_RE = re.compile(r"(?:\+?62|0)8[\d\-\s]{7,14}\d")
FIELDS = ("post_id", "text", "platform", "label")


def load_corpus(labeled_dir: Path) -> list[tuple[str, str, str]]:
    from pipeline.labeled import load_labeled

    data = load_labeled(labeled_dir)
    return list(zip(data["text"], data["label"], data["platform"], strict=True))


def corpus_digest(corpus: list[tuple[str, str, str]]) -> str:
    digest = hashlib.sha256()
    for row in corpus:
        digest.update(json.dumps(row, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()[:8]


def _slang(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for i, word in enumerate(words):
        swap = SLANG.get(word.lower())
        if swap and rng.random() < 0.6:
            words[i] = swap
    return " ".join(words)


def _obfuscate(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for i, word in enumerate(words):
        if len(word) > 4 and rng.random() < 0.12:
            words[i] = word.translate(LEET) if rng.random() < 0.6 else ".".join(word)
    return " ".join(words)


def _new_phone(text: str, rng: random.Random) -> str:
    return PHONE_RE.sub(
        lambda _: f"08{rng.randint(11, 99)}{rng.randint(1000, 9999)}{rng.randint(1000, 9999)}", text
    )


def _length(text: str, other: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.15:
        words = text.split(" ")
        return " ".join(words[: max(6, len(words) * 2 // 3)])
    if roll < 0.30:
        return text + "\n" + other
    return text


def generate(
    corpus: list[tuple[str, str, str]], count: int, seed: int, prevalence: float | None = None
) -> Iterator[dict]:
    """``count`` posts; about 8% exact reposts and 8% reposts with a new phone number. With
    ``prevalence``, that share of the new posts is recruitment (tppo or tppm), the rest benign;
    without it, posts are drawn as they come in the corpus."""
    rng = random.Random(seed)
    by_label: dict[str, list[int]] = {}
    for index, (_, label, _) in enumerate(corpus):
        by_label.setdefault(label, []).append(index)
    positives = by_label.get("tppo", []) + by_label.get("tppm", [])
    recent: list[dict] = []
    for n in range(count):
        roll = rng.random()
        if recent and roll < 0.08:
            source = rng.choice(recent)
            yield {**source, "post_id": f"b{seed}-{n}"}
            continue
        if recent and roll < 0.16:
            source = rng.choice(recent)
            yield {**source, "post_id": f"b{seed}-{n}", "text": _new_phone(source["text"], rng)}
            continue
        if prevalence is None:
            text, label, platform = corpus[rng.randrange(len(corpus))]
        else:
            pool = positives if rng.random() < prevalence else by_label["benign"]
            text, label, platform = corpus[rng.choice(pool)]
        other = corpus[rng.choice(by_label[label])][0]
        text = _length(_obfuscate(_slang(text, rng), rng), other, rng)
        post = {
            "post_id": f"b{seed}-{n}",
            "text": text,
            "platform": platform or "unknown",
            "label": label,
        }
        if len(recent) < 2000:
            recent.append(post)
        else:
            recent[rng.randrange(len(recent))] = post
        yield post


def write_collection(
    corpus, count: int, seed: int, directory: Path, prevalence: float | None = None
) -> dict[str, Path]:
    """Write the same ``count`` posts as JSONL and CSV (reused when already generated from the
    same corpus: the names carry a digest of it, so new labeled posts mean new collections)."""
    directory.mkdir(parents=True, exist_ok=True)
    share = "" if prevalence is None else f"_p{round(prevalence * 100):02d}"
    stem = f"posts_{count}{share}_{seed}_{corpus_digest(corpus)}"
    paths = {"jsonl": directory / f"{stem}.jsonl", "csv": directory / f"{stem}.csv"}
    if all(p.is_file() for p in paths.values()):
        return paths
    tmp = {k: p.with_suffix(p.suffix + ".tmp") for k, p in paths.items()}
    with (
        open(tmp["jsonl"], "w", encoding="utf-8") as jsonl,
        open(tmp["csv"], "w", encoding="utf-8", newline="") as handle,
    ):
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        for post in generate(corpus, count, seed, prevalence):
            jsonl.write(json.dumps(post, ensure_ascii=False) + "\n")
            writer.writerow(post)
    for kind, path in paths.items():
        tmp[kind].replace(path)
    return paths


def labeled_frame(corpus, count: int, seed: int) -> pd.DataFrame:
    return pd.DataFrame(list(generate(corpus, count, seed)))
