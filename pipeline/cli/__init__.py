"""The `waspada` command line: one thin module per command group over importable functions.

Exit codes: 0 success, 1 a failure Waspada explains (with a hint), 2 a usage error.

Each command module formats what a plain function returns and imports only ``common`` from this
package, never another command module; nothing outside this package imports it (the console
script and ``python -m pipeline`` start at :func:`main`).
"""

from __future__ import annotations

import click

from pipeline import __version__
from pipeline.cli import (
    demo,
    evaluate,
    explain,
    ingest,
    models,
    review,
    rules,
    score,
    train,
    trends,
)
from pipeline.cli.common import CONTEXT


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="waspada")
def main() -> None:
    """Waspada: find trafficking (TPPO) and smuggling (TPPM) recruitment in social-media posts.

    \b
    Typical flow:
      waspada train --promote                 # learn from data/labeled/
      waspada score data/raw --out runs/today # score a collection, write the review queue
      waspada explain "Dicari CS Kamboja gaji 15jt"
    """


for command in (
    ingest.ingest_cli,
    train.train_cli,
    score.score_cli,
    evaluate.evaluate_cli,
    explain.explain_cli,
    rules.rules_cli,
    demo.demo_cli,
    models.models_group,
    review.review_group,
    review.suggest_cli,
    trends.trends_cli,
    trends.history_group,
):
    main.add_command(command)

__all__ = ["main"]
