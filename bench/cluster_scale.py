"""How long near-duplicate clustering of a million posts takes on this machine, and its peak memory.

Generates synthetic reposted ads (templates with the phone number, emoji and a few words changed,
mixed with unique posts), already in normalised form, then times MinHash signatures and LSH
clustering from ``pipeline.dedup`` separately. Peak RSS is read from the kernel at the end.
Wall time depends on what else the machine runs; the CPU time is printed beside it.

    python bench/cluster_scale.py --posts 1000000
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time

from pipeline import dedup

_WORDS = [
    "dicari",
    "admin",
    "online",
    "kamboja",
    "gaji",
    "tiket",
    "pesawat",
    "ditanggung",
    "tanpa",
    "pengalaman",
    "hubungi",
    "segera",
    "lowongan",
    "kasir",
    "minimarket",
    "bandung",
    "shift",
    "pagi",
    "malam",
    "kirim",
    "lamaran",
    "operator",
    "pabrik",
    "bekasi",
    "visa",
    "kerja",
    "paspor",
    "berangkat",
    "minggu",
    "depan",
    "asrama",
    "makan",
    "gratis",
    "bonus",
    "target",
    "chat",
    "sekarang",
    "malaysia",
    "taiwan",
    "jepang",
    "korea",
    "sabah",
    "nunukan",
    "kapal",
    "ikan",
    "kontrak",
    "agen",
    "resmi",
    "biaya",
    "potong",
]
_EMOJI = ("🔥", "✈️", "💰", "🇰🇭", "‼️", "")


def synthetic_posts(count: int, templates: int, repost_share: float, seed: int) -> list[str]:
    rng = random.Random(seed)
    bases = [" ".join(rng.choices(_WORDS, k=rng.randint(18, 40))) for _ in range(templates)]
    posts = []
    for _ in range(count):
        if rng.random() < repost_share:
            words = rng.choice(bases).split()
            for _ in range(rng.randint(0, 2)):
                words[rng.randrange(len(words))] = rng.choice(_WORDS)
            posts.append(" ".join(words) + " _phone_ " + rng.choice(_EMOJI))
        else:
            posts.append(
                " ".join(rng.choices(_WORDS, k=rng.randint(10, 45))) + f" u{rng.randrange(10**9)}"
            )
    return posts


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--templates", type=int, default=20_000)
    parser.add_argument("--repost-share", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    posts = synthetic_posts(args.posts, args.templates, args.repost_share, args.seed)
    generated = time.perf_counter()
    cpu_started = time.process_time()
    signatures = dedup.MinHasher().signatures(posts)
    signed = time.perf_counter()
    roots = dedup.cluster_signatures(signatures)
    clustered = time.perf_counter()
    cpu_s = time.process_time() - cpu_started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sizes = {}
    for root in roots.tolist():
        sizes[root] = sizes.get(root, 0) + 1
    result = {
        "posts": args.posts,
        "generate_s": round(generated - started, 1),
        "minhash_s": round(signed - generated, 1),
        "lsh_cluster_s": round(clustered - signed, 1),
        "clustering_total_s": round(clustered - generated, 1),
        # CPU time is steadier than wall time when other jobs share the machine.
        "clustering_cpu_s": round(cpu_s, 1),
        "peak_rss_mb": round(peak_kb / 1024),
        "clusters": len(sizes),
        "clusters_of_2_or_more": sum(1 for s in sizes.values() if s > 1),
        "largest_cluster": max(sizes.values()) if sizes else 0,
    }
    print(json.dumps(result, indent=2), file=sys.stdout)
    return result


if __name__ == "__main__":
    main()
