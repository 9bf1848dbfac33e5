"""``make bench``: scoring and training throughput, peak memory, and fastText, in one run.

    python -m bench.run                      # 10k, 100k and 1M posts (the full benchmark)
    python -m bench.run --sizes 10000,100000 --train-sizes 10000   # a quicker pass

Writes bench/results.md and bench/results.json. Generated collections go to bench/data/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import numpy as np
import psutil

from bench import explain_time, synth
from pipeline.scoring import STAGES

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
SEED = 20261128
PREDICT_SAMPLE = 20_000
# Share of recruitment in a realistic collection (most collected posts are ordinary job ads and
# chatter), and the heavy case where half of the posts are recruitment.
REALISTIC_PREVALENCE = 0.05
HEAVY_PREVALENCE = 0.5
TRAINING_MODES = {
    "fast": "`waspada train --fast` (linear SVM, 3 grouped folds for calibration and threshold, no baselines)",
    "full": "`waspada train` defaults (5 grouped folds, logistic regression and linear SVM compared, baselines)",
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in (
        "numpy",
        "scikit-learn",
        "scipy",
        "pandas",
        "fasttext-wheel",
        "dask",
        "distributed",
    ):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
    }


def _pss(process: psutil.Process) -> int:
    """Proportional set size: pages shared with forked workers are split between them, not
    counted once per process. Falls back to RSS where the kernel does not report it."""
    try:
        return process.memory_full_info().pss
    except (psutil.AccessDenied, AttributeError):
        return process.memory_info().rss


def run_with_peak_rss(command: list[str], env: dict | None = None) -> dict:
    """Run a command; sample the main process's RSS and the PSS of it and its workers every 0.1 s."""
    started = time.perf_counter()
    process = psutil.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    peak_main = peak_tree = 0
    while process.poll() is None:
        try:
            main = process.memory_info().rss
            tree = _pss(process) + sum(_pss(child) for child in process.children(recursive=True))
        except psutil.Error:
            continue
        peak_main, peak_tree = max(peak_main, main), max(peak_tree, tree)
        time.sleep(0.1)
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({process.returncode}):\n{stderr.decode()[-3000:]}"
        )
    return {
        "seconds": time.perf_counter() - started,
        "peak_rss_main_mb": peak_main / 2**20,
        "peak_rss_tree_mb": peak_tree / 2**20,
        "stdout": stdout.decode(),
    }


def score_end_to_end(path: Path, model_dir: Path, jobs: int, work: Path) -> dict:
    out = work / f"score-{path.stem}-{path.suffix[1:]}"
    command = [
        sys.executable,
        "-m",
        "pipeline",
        "score",
        str(path),
        "--out",
        str(out),
        "--model",
        str(model_dir),
        "--jobs",
        str(jobs),
        "--force",
        "--quiet",
        "--json",
    ]
    result = run_with_peak_rss(command)
    report = json.loads((out / "report.json").read_text())
    posts = report["counts"]["read"]
    return {
        "input": path.name,
        "posts": posts,
        "scored": report["counts"]["scored"],
        "seconds": round(result["seconds"], 2),
        "share_passed": report.get("screen", {}).get("share_passed"),
        "posts_per_s": round(posts / result["seconds"], 1),
        "peak_rss_main_mb": round(result["peak_rss_main_mb"], 1),
        "peak_rss_tree_mb": round(result["peak_rss_tree_mb"], 1),
        "stages": report["seconds"],
    }


def train_model(corpus_dir: Path, models_dir: Path, jobs: int, fast: bool = False):
    """Train as ``waspada train`` does (with ``--fast`` when asked); returns (bundle, seconds)."""
    from pipeline.modeling.artifacts import load_bundle
    from pipeline.modeling.train import TrainConfig, train

    config = (
        TrainConfig(
            jobs=jobs,
            candidates=("linear_svm",),
            folds=3,
            baselines=False,
            leave_one_source_out=False,
        )
        if fast
        else TrainConfig(jobs=jobs)
    )
    started = time.perf_counter()
    result = train(
        corpus_dir, models_dir, config, force=True, validation_path=ROOT / "data" / "validation"
    )
    return load_bundle(result.path), time.perf_counter() - started


def benchmark_model(jobs: int, scratch_models: Path, n_posts: int):
    """The model to benchmark and the seconds spent training it (None when none were).

    That is the bundle ``waspada train`` makes from data/labeled when models/ already holds it
    (loading verifies it). Otherwise a ``--fast`` model of the same data is trained: it scores
    the same way (screen, text layer, the same feature blocks, a linear SVM) in a fraction of the
    time, so the bench stays inside its budget on a clean clone.
    """
    from pipeline import settings
    from pipeline.modeling.artifacts import load_bundle
    from pipeline.modeling.train import TrainConfig, expected_model_id

    shipped = settings.models_dir() / expected_model_id(
        ROOT / "data" / "labeled", TrainConfig(jobs=jobs), ROOT / "data" / "validation"
    )
    if shipped.is_dir():
        log(f"benchmarking {shipped.name}, the bundle `waspada train` made from data/labeled")
        return load_bundle(shipped), None
    log(f"training a --fast benchmark model on data/labeled ({n_posts} posts)")
    return train_model(ROOT / "data" / "labeled", scratch_models, jobs, fast=True)


def best_of(func, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return min(times)


def predict_comparison(bundle, corpus, texts: list[str]) -> dict:
    """Predict-only throughput of the Waspada model, plain TF-IDF + LR and fastText on ``texts``."""
    import fasttext

    from pipeline.indicators import analyse
    from pipeline.modeling.baselines import plain_tfidf_logreg

    train_texts = [t for t, _, _ in corpus]
    train_labels = [label for _, label, _ in corpus]
    y = np.array([int(label != "benign") for label in train_labels])
    out: dict[str, dict] = {}

    model = bundle.model

    def two_stage() -> None:
        decisions = model.screen_decisions(texts)
        passed = model.passes(decisions)
        kept = [t for t, keep in zip(texts, passed.tolist(), strict=True) if keep]
        analyses = [analyse(t) for t in kept]
        matrix = model.features.transform_analyses(analyses) if analyses else None
        model.predict_passed(decisions, analyses, matrix, passed)

    screen_s = best_of(lambda: model.screen_decisions(texts), 2)
    passed = model.passes(model.screen_decisions(texts))
    total_s = best_of(two_stage, 2)
    full_s = best_of(lambda: model.predict(texts, [analyse(t) for t in texts], use_screen=False), 1)
    out["waspada_model"] = {
        "posts": len(texts),
        "screen_s": round(screen_s, 3),
        "two_stage_s": round(total_s, 2),
        "share_passed": round(float(passed.mean()), 4),
        "posts_per_s": round(len(texts) / total_s, 1),
        "screen_posts_per_s": round(len(texts) / screen_s, 1),
        "posts_per_s_without_screen": round(len(texts) / max(full_s, 1e-9), 1),
    }

    t0 = time.perf_counter()
    plain = plain_tfidf_logreg(SEED).fit(train_texts, y)
    fit_s = time.perf_counter() - t0
    seconds = best_of(lambda: plain.predict_proba(texts))
    out["sklearn_tfidf_logreg"] = {
        "posts": len(texts),
        "train_s": round(fit_s, 2),
        "predict_s": round(seconds, 3),
        "posts_per_s": round(len(texts) / seconds, 1),
    }

    with tempfile.TemporaryDirectory() as tmp:
        train_file = Path(tmp) / "train.txt"
        train_file.write_text(
            "".join(
                f"__label__{label} {' '.join(text.split())}\n"
                for text, label in zip(train_texts, train_labels, strict=True)
            ),
            encoding="utf-8",
        )
        t0 = time.perf_counter()
        model = fasttext.train_supervised(
            input=str(train_file), epoch=25, wordNgrams=2, lr=0.5, thread=1, verbose=0
        )
        fit_s = time.perf_counter() - t0
    flat = [" ".join(t.split()) for t in texts]
    # The list form with k=1: the single-string form breaks with NumPy 2 and k > 1 corrupts probabilities.
    seconds = best_of(lambda: model.predict(flat, k=1))
    out["fasttext"] = {
        "posts": len(texts),
        "train_s": round(fit_s, 2),
        "predict_s": round(seconds, 3),
        "posts_per_s": round(len(texts) / seconds, 1),
    }
    return out


def training_times(
    corpus, sizes: list[int], full_sizes: list[int], jobs: int, work: Path
) -> list[dict]:
    """Training time on generated labeled sets: ``--fast`` at every size, the full comparison at ``full_sizes``."""
    rows = []
    for size in sorted(set(sizes) | set(full_sizes)):
        directory = work / f"labeled-{size}"
        directory.mkdir(parents=True, exist_ok=True)
        frame = synth.labeled_frame(corpus, size, SEED + size)
        frame[["text", "label", "platform"]].to_json(
            directory / "posts.jsonl", orient="records", lines=True, force_ascii=False
        )
        for mode in ("fast", "full"):
            if size not in (sizes if mode == "fast" else full_sizes):
                continue
            log(f"training on {size:,} labeled posts ({mode}, jobs={jobs})")
            _, seconds = train_model(
                directory, work / f"models-{size}-{mode}", jobs, fast=mode == "fast"
            )
            rows.append({"posts": size, "mode": mode, "seconds": round(seconds, 1)})
            log(f"  {seconds:.1f} s")
    return rows


def render(results: dict) -> str:
    m = results["machine"]
    lines = [
        "# Waspada benchmark",
        "",
        f"Run {results['started']} on {m['cpu']} ({m['cores']} cores, {m['ram_gb']} GB RAM), {m['platform']}, Python {m['python']}.",
        f"Command: `{results['command']}` — total {results['total_minutes']:.1f} min. Scoring used `--jobs {results['jobs']}`.",
        "",
        "## End-to-end `waspada score`",
        "",
        "| input | recruitment share | posts | seconds | posts/s | passed the screen | peak RSS main (MB) | peak PSS main+workers (MB) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results["score"]:
        share = REALISTIC_PREVALENCE if row["mix"] == "realistic" else HEAVY_PREVALENCE
        passed = "" if row.get("share_passed") is None else f"{row['share_passed']:.1%}"
        lines.append(
            f"| {row['input']} | {share:.0%} | {row['posts']:,} | {row['seconds']} | {row['posts_per_s']:,} | {passed} | "
            f"{row['peak_rss_main_mb']} | {row['peak_rss_tree_mb']} |"
        )
    lines += [
        "",
        "Seconds per stage (stages run in workers are summed over workers):",
        "",
        "| input | " + " | ".join(results["stage_names"]) + " |",
        "|---|" + "---:|" * len(results["stage_names"]),
    ]
    for row in results["score"]:
        lines.append(
            f"| {row['input']} | "
            + " | ".join(str(row["stages"].get(s, "")) for s in results["stage_names"])
            + " |"
        )
    for name, p in results["predict"].items():
        w = p["waspada_model"]
        lines += [
            "",
            f"## Predict only, on the same {p['fasttext']['posts']:,} posts of {p['source']} (one process, {name} mix)",
            "",
            "| model | posts/s | notes |",
            "|---|---:|---|",
            f"| Waspada two-stage model (screen, then text layer + features + model on what passes) | {w['posts_per_s']:,} | "
            f"{w['share_passed']:.1%} passed the screen |",
            f"| Waspada screen alone | {w['screen_posts_per_s']:,} | hashed n-grams of the raw text, one pass per chunk |",
            f"| Waspada full model on every post (`--no-screen`) | {w['posts_per_s_without_screen']:,} | text layer on every post |",
            f"| scikit-learn TF-IDF + logistic regression | {p['sklearn_tfidf_logreg']['posts_per_s']:,} | trained in {p['sklearn_tfidf_logreg']['train_s']} s |",
            f"| fastText supervised (list predict, k=1) | {p['fasttext']['posts_per_s']:,} | trained in {p['fasttext']['train_s']} s |",
        ]
    lines += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for target in results["targets"]:
        met = "–" if target["met"] is None else ("yes" if target["met"] else "no")
        lines.append(f"| {target['target']} | {target['measured']} | {met} |")
    lines += [
        "",
        f"## Training time (`--jobs {results['jobs']}`)",
        "",
        "| labeled posts | settings | seconds |",
        "|---:|---|---:|",
    ]
    lines += [
        f"| {row['posts']:,} | {TRAINING_MODES[row['mode']]} | {row['seconds']} |"
        for row in results["training"]
    ]
    lines += ["", "## What was run", ""] + [f"- {note}" for note in results["notes"]]
    return "\n".join(lines) + "\n"


def targets(results: dict) -> list[dict]:
    out = []
    for mix in ("realistic", "heavy"):
        rows = [r for r in results["score"] if r["mix"] == mix and r["input"].endswith(".jsonl")]
        predict = results["predict"][mix]
        same = next((r for r in rows if r["input"] == predict["source"]), rows[-1])
        fasttext = predict["fasttext"]["posts_per_s"]
        ratio = same["posts_per_s"] / fasttext
        share = REALISTIC_PREVALENCE if mix == "realistic" else HEAVY_PREVALENCE
        out.append(
            {
                "target": f"end-to-end / fastText predict on the same posts ≥ 0.5 ({share:.0%} recruitment)"
                if mix == "realistic"
                else f"end-to-end / fastText predict on the same posts ({share:.0%} recruitment; reported)",
                "measured": f"{ratio:.3f} ({same['posts_per_s']:,} vs {fasttext:,} posts/s, {same['input']})",
                "met": ratio >= 0.5 if mix == "realistic" else None,
                "value": ratio,
            }
        )
    by_posts = {
        r["posts"]: r
        for r in results["score"]
        if r["input"].endswith(".jsonl") and r["mix"] == "realistic"
    }
    sizes = sorted(by_posts)
    if len(sizes) >= 2:
        small, big = by_posts[sizes[-2]], by_posts[sizes[-1]]
        growth = big["peak_rss_main_mb"] / small["peak_rss_main_mb"]
        tree = big["peak_rss_tree_mb"] / small["peak_rss_tree_mb"]
        out.append(
            {
                "target": f"peak RSS at {sizes[-1]:,} ≤ 1.2 × at {sizes[-2]:,}",
                "measured": f"{growth:.3f}× main process RSS, {tree:.3f}× main + workers PSS",
                "met": growth <= 1.2 and tree <= 1.2,
                "value": growth,
            }
        )
    for row in results["training"]:
        if row["posts"] >= 100_000:
            out.append(
                {
                    "target": f"training on {row['posts']:,} posts < 120 s ({TRAINING_MODES[row['mode']]})",
                    "measured": f"{row['seconds']} s",
                    "met": row["seconds"] < 120,
                    "value": row["seconds"],
                }
            )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="10000,100000,1000000", help="Collection sizes to score end to end."
    )
    parser.add_argument(
        "--train-sizes",
        default="10000,100000",
        help="Labeled set sizes to time `waspada train --fast` on.",
    )
    parser.add_argument(
        "--full-train-sizes",
        default="10000",
        help="Labeled set sizes to time the full comparison (the defaults) on.",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=BENCH)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    train_sizes = [int(s) for s in args.train_sizes.split(",") if s]
    full_train_sizes = [int(s) for s in args.full_train_sizes.split(",") if s]

    from pipeline import progress

    progress.set_enabled(False)
    started = time.perf_counter()
    results: dict = {
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "jobs": args.jobs,
        "command": " ".join(["python -m bench.run", *(argv if argv is not None else sys.argv[1:])]),
        "notes": [],
    }
    corpus = synth.load_corpus(ROOT / "data" / "labeled")
    with tempfile.TemporaryDirectory(prefix="waspada-bench-") as tmp:
        work = Path(tmp)
        bundle, seconds = benchmark_model(args.jobs, work / "models", len(corpus))
        results["model"] = {
            "model_id": bundle.model_id,
            "train_s": round(seconds, 1) if seconds is not None else None,
            "labeled_posts": len(corpus),
        }

        collections = {}
        for size in sizes:
            log(
                f"generating {size:,} posts at {REALISTIC_PREVALENCE:.0%} recruitment (JSONL and CSV)"
            )
            collections[size] = synth.write_collection(
                corpus, size, SEED, BENCH / "data", REALISTIC_PREVALENCE
            )
        heavy_size = min(sizes, key=lambda s: abs(s - 100_000))
        log(f"generating {heavy_size:,} posts at {HEAVY_PREVALENCE:.0%} recruitment")
        heavy = synth.write_collection(corpus, heavy_size, SEED, BENCH / "data", HEAVY_PREVALENCE)

        results["predict"] = {}
        for name, source in (
            ("realistic", collections[heavy_size]["jsonl"]),
            ("heavy", heavy["jsonl"]),
        ):
            with open(source, encoding="utf-8") as handle:
                texts = [
                    json.loads(line)["text"]
                    for _, line in zip(range(PREDICT_SAMPLE), handle, strict=False)
                ]
            log(f"predict-only comparison on {len(texts):,} posts of {source.name}")
            results["predict"][name] = {
                **predict_comparison(bundle, corpus, texts),
                "source": source.name,
            }

        results["score"] = []
        runs = [
            (size, fmt, collections[size][fmt], "realistic")
            for size in sizes
            for fmt in (("jsonl", "csv") if size == min(sizes) else ("jsonl",))
        ]
        runs.append((heavy_size, "jsonl", heavy["jsonl"], "heavy"))
        for size, fmt, path, mix in runs:
            log(f"waspada score {size:,} posts ({fmt}, {mix} mix, jobs={args.jobs})")
            row = {**score_end_to_end(path, bundle.path, args.jobs, work), "mix": mix}
            results["score"].append(row)
            log(
                f"  {row['posts_per_s']:,} posts/s, peak RSS {row['peak_rss_main_mb']} MB main / {row['peak_rss_tree_mb']} MB PSS with workers"
            )
        results["stage_names"] = [*STAGES, "total"]
        results["training"] = training_times(corpus, train_sizes, full_train_sizes, args.jobs, work)

    results["total_minutes"] = (time.perf_counter() - started) / 60
    results["targets"] = targets(results)
    results["targets"].append(
        {
            "target": "whole `make bench` < 15 min",
            "measured": f"{results['total_minutes']:.1f} min",
            "met": results["total_minutes"] < 15,
            "value": results["total_minutes"],
        }
    )
    model = results["model"]
    results["notes"] += [
        (
            f"Model: {model['model_id']}, "
            + (
                "the bundle `waspada train` made from data/labeled (found in models/, verified on loading)."
                if model["train_s"] is None
                else f"a `--fast` model of data/labeled trained for the bench in {model['train_s']} s "
                "(no bundle of `waspada train` for this data was in models/)."
            )
        ),
        (
            f"Collections: {REALISTIC_PREVALENCE:.0%} recruitment (a realistic collection) at every size, and "
            f"{HEAVY_PREVALENCE:.0%} at one size; seeded ({SEED}) perturbations of data/labeled — slang swaps, obfuscated spellings, "
            "8% exact reposts, 8% reposts with a new phone number, trimmed and joined posts. Sizes: "
            + ", ".join(f"{s:,}" for s in sizes)
            + ". Each size was scored once, end to end, as a subprocess "
            "(`python -m pipeline score FILE --out DIR --model DIR --jobs N --force`); the smallest also as CSV."
        ),
        (
            "Memory is sampled every 0.1 s with psutil: the peak RSS of the main process, and the peak summed "
            "PSS of the main and worker processes (forked workers share pages; PSS counts each shared page once in total)."
        ),
        (
            f"Predict-only figures use the first {PREDICT_SAMPLE:,} posts of each mix's collection; "
            "the Waspada model, TF-IDF + LR and fastText are trained on data/labeled. Best of 2–3 repeats."
        ),
        (
            "Training times are for labeled sets generated the same way, with augmentation, in two settings: "
            + "; ".join(f"{mode}: {text}" for mode, text in TRAINING_MODES.items())
            + "."
        ),
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (args.out / "results.md").write_text(render(results), encoding="utf-8")
    log(f"wrote {args.out / 'results.md'} in {results['total_minutes']:.1f} min")
    explain_time.main(["--out", str(args.out / "explain.md")])


if __name__ == "__main__":
    main()
