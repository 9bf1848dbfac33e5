"""Score real, legitimate Indonesian text and report how much of it the model would flag.

The data sets live next to the checkout in ``../shared/data`` (or ``WASPADA_SHARED_DATA``) and are
used for evaluation only: none of them is recruitment, so every flag is a false positive. Run with
``make eval-external``; it skips with a message when the data is absent.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline import settings
from pipeline.errors import WaspadaError
from pipeline.fileio import write_json, write_text
from pipeline.modeling.artifacts import Bundle, resolve_model
from pipeline.modeling.predict import Scorer


@dataclass(frozen=True)
class ExternalSet:
    name: str
    description: str
    relative_path: str
    loader: Callable[[Path], list[str]]
    target_flag_rate: float | None = None


def _lokerid(path: Path) -> list[str]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return [
        f"{t}\n{d}" for t, d in zip(frame["Title"], frame["Description"], strict=True) if d.strip()
    ]


def _jobstreet(path: Path) -> list[str]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return [
        f"{t}\n{d}"
        for t, d in zip(frame["Job Title"], frame["Job Description"], strict=True)
        if d.strip()
    ]


def _dealls(path: Path) -> list[str]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    title = next(c for c in frame.columns if c.lower() in ("title", "job_title", "name"))
    company = next((c for c in frame.columns if "company" in c.lower()), None)
    location = next((c for c in frame.columns if "location" in c.lower()), None)
    return [
        " – ".join(x for x in (row[title], row.get(company, ""), row.get(location, "")) if x)
        for _, row in frame.iterrows()
    ]


def _sms(label: str) -> Callable[[Path], list[str]]:
    def load(path: Path) -> list[str]:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        return frame.loc[frame["label"].str.strip() == label, "Teks"].tolist()

    return load


def _tweets(path: Path) -> list[str]:
    frame = pd.read_csv(path, encoding="latin-1", dtype=str, keep_default_na=False)
    clean = frame[(frame["HS"] == "0") & (frame["Abusive"] == "0")]
    return clean["Tweet"].tolist()


def _instagram_comments(path: Path) -> list[str]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return sorted({t for t in frame["context"] if t.strip()})


EXTERNAL_SETS: tuple[ExternalSet, ...] = (
    ExternalSet(
        "lokerid_job_ads",
        "Loker.id job ads (full descriptions)",
        "lokerid-jobs-2025/job_postings_processed.csv",
        _lokerid,
        0.005,
    ),
    ExternalSet(
        "jobstreet_job_ads",
        "JobStreet Indonesia job ads",
        "jobstreet-id-2024/jobstreet_id_2024_merged_dedup.csv",
        _jobstreet,
        0.005,
    ),
    ExternalSet(
        "dealls_job_titles",
        "Dealls job titles + company + location",
        "id-jobs-dealls-titles-2024/dealls.csv",
        _dealls,
        0.005,
    ),
    ExternalSet(
        "sms_normal", "Indonesian SMS, normal", "id-sms-spam-v1/dataset_sms_spam_v1.csv", _sms("0")
    ),
    ExternalSet(
        "sms_promo",
        "Indonesian SMS, operator/commercial promo",
        "id-sms-spam-v1/dataset_sms_spam_v1.csv",
        _sms("2"),
    ),
    ExternalSet(
        "sms_fraud",
        "Indonesian SMS, generic fraud (not recruitment)",
        "id-sms-spam-v1/dataset_sms_spam_v1.csv",
        _sms("1"),
    ),
    ExternalSet(
        "tweets_ordinary",
        "Indonesian tweets without hate speech or abuse",
        "id-twitter-hate-abusive/re_dataset.csv",
        _tweets,
    ),
    ExternalSet(
        "instagram_comments",
        "Instagram comments (lexicon contexts)",
        "colloquial-indonesian-lexicon/colloquial-indonesian-lexicon.csv",
        _instagram_comments,
    ),
)


def evaluate_external(bundle: Bundle, data_dir: Path, jobs: int = 1, examples: int = 10) -> dict:
    scorer = Scorer(bundle)
    results: dict = {"model_id": bundle.model_id, "threshold": scorer.threshold, "sets": {}}
    for item in EXTERNAL_SETS:
        path = data_dir / item.relative_path
        if not path.is_file():
            results["sets"][item.name] = {"skipped": f"{path} not found"}
            continue
        texts = item.loader(path)
        scored = scorer.score_texts(texts, jobs=jobs)
        flagged = [
            (s.score, t, "; ".join(s.reasons()))
            for s, t in zip(scored, texts, strict=True)
            if s.flagged
        ]
        flagged.sort(reverse=True)
        rate = len(flagged) / len(texts) if texts else 0.0
        results["sets"][item.name] = {
            "description": item.description,
            "n": len(texts),
            "flagged": len(flagged),
            "flag_rate": rate,
            "target_flag_rate": item.target_flag_rate,
            "meets_target": None
            if item.target_flag_rate is None
            else rate <= item.target_flag_rate,
            "mean_score": float(sum(s.score for s in scored) / len(scored)) if scored else None,
            "examples_flagged": [
                {"score": round(s, 3), "text": t[:300], "reasons": r}
                for s, t, r in flagged[:examples]
            ],
        }
    return results


def render_markdown(results: dict) -> str:
    lines = [
        f"# External check: {results['model_id']} (threshold {results['threshold']:.3f})",
        "",
        "Every text below is legitimate (none is recruitment): each flag is a false positive.",
        "",
        "| set | posts | flagged | flag rate | target |",
        "|---|---|---|---|---|",
    ]
    for name, r in results["sets"].items():
        if "skipped" in r:
            lines.append(f"| {name} | – | – | skipped | |")
            continue
        target = (
            ""
            if r["target_flag_rate"] is None
            else f"≤ {r['target_flag_rate']:.1%} {'✓' if r['meets_target'] else '✗'}"
        )
        lines.append(f"| {name} | {r['n']} | {r['flagged']} | {r['flag_rate']:.2%} | {target} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=settings.shared_data_dir())
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=Path("runs/external"))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    if not args.data_dir.is_dir():
        print(
            f"Skipped: {args.data_dir} is absent (the shared evaluation data sits next to the checkout).",
            file=sys.stderr,
        )
        return 0
    try:
        bundle = resolve_model(args.model, settings.models_dir())
    except WaspadaError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    results = evaluate_external(bundle, args.data_dir, jobs=args.jobs)
    write_json(args.out / "external.json", results)
    markdown = render_markdown(results)
    write_text(args.out / "external.md", markdown)
    print(markdown)
    print(f"Details: {args.out / 'external.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
