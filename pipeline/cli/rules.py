"""`waspada rules`: a thin wrapper over :mod:`pipeline.rules_report`."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline import settings
from pipeline.cli.common import CONTEXT, emit, handle_errors, quiet_option, setup


@click.command("rules", context_settings=CONTEXT)
@click.option(
    "--labeled",
    "labeled_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Labeled data to measure on [default: data/labeled].",
)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option(
    "--markdown",
    is_flag=True,
    help="Print the registry as the README's Markdown table (no measuring).",
)
@quiet_option
@handle_errors
def rules_cli(labeled_path, lang, markdown, quiet, as_json):
    """List every indicator with its legal basis and its numbers on labeled data.

    Per indicator: fires on recruitment (pos) and benign posts (neg), precision, benign fire rate,
    and how often its cue was found only under negation (neg'd) and so did not fire.

    \b
    Example:
      waspada rules --lang en
      waspada rules --markdown > table.md
    """
    setup(quiet, as_json)
    from pipeline.rules_report import measure, registry_markdown

    if markdown:
        click.echo(registry_markdown(), nl=False)
        return
    report = measure(labeled_path or settings.labeled_dir())
    law_word = "dasar hukum" if lang == "id" else "legal basis"
    header = f"{'indicator':26s} {'kind':9s} {'fires':>5s} {'pos':>5s} {'neg':>5s} {'precision':>9s} {'benign fire':>11s} {'neg’d':>5s}"
    lines = [header + "  description"]
    for row in report.rows:
        desc = row["description_id"] if lang == "id" else row["description_en"]
        precision = "–" if row["precision"] is None else f"{row['precision']:.2f}"
        lines.append(
            f"{row['name']:26s} {row['kind']:9s} {row['fires']:5d} {row['fires_positive']:5d} {row['fires_benign']:5d} "
            f"{precision:>9s} {row['benign_fire_rate']:11.3f} {row['negated']:5d}  {desc}"
        )
        laws = row["laws_id"] if lang == "id" else row["laws_en"]
        if laws:
            lines.append(f"{'':26s} {law_word}: " + "; ".join(laws))
    share = (
        f"{report.positives_with_counter}/{report.n_positive} ({report.positive_counter_rate:.1%})"
    )
    lines.append(
        (
            "Unggahan rekrutmen dengan penyeimbang: "
            if lang == "id"
            else "Recruitment posts with a counter-signal: "
        )
        + share
    )
    emit(report.rows, as_json, lines)
