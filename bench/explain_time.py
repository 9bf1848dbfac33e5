"""Wall-clock time of ``waspada explain`` for one post, as a person runs it (a new process each time).

    python -m bench.explain_time            # writes bench/explain.md
    python -m bench.explain_time --repeats 5

Uses the current model (``models/CURRENT``); ``make bench`` runs it too.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
POST = "Lowongan admin online di Kamboja, gaji 1000 dolar, tiket dan visa ditanggung, chat WA aja 0812-7788-1234"
TARGET_SECONDS = 1.5


def explain_seconds(repeats: int) -> list[float]:
    """Seconds per ``waspada explain`` call, each in a fresh interpreter."""
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pipeline", "explain", POST], check=True, capture_output=True
        )
        timings.append(time.perf_counter() - start)
    return timings


def render(timings: list[float]) -> str:
    median = statistics.median(timings)
    verdict = "yes" if median < TARGET_SECONDS else "no"
    runs = ", ".join(f"{t:.2f}" for t in timings)
    return (
        "# `waspada explain`, one post\n\n"
        f'Each call is a new process (`python -m pipeline explain "…"`), as a person runs it: {runs} s.\n\n'
        "| target | measured (median) | met |\n|---|---|---|\n"
        f"| one post under {TARGET_SECONDS} s | {median:.2f} s | {verdict} |\n"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=BENCH / "explain.md")
    args = parser.parse_args(argv)
    args.out.write_text(render(explain_seconds(args.repeats)), encoding="utf-8")
    print(args.out.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
