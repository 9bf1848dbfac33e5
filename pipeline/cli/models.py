"""`waspada models list|promote`: thin wrappers over :mod:`pipeline.modeling.artifacts`."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline import settings
from pipeline.cli.common import CONTEXT, emit, handle_errors
from pipeline.errors import InputError


@click.group("models", context_settings=CONTEXT)
def models_group() -> None:
    """List the trained model bundles and choose the current one.

    \b
    Example:
      waspada models list
      waspada models promote waspada-49349ef9-1a2b3c4d-5e6f70
    """


@models_group.command("list", context_settings=CONTEXT)
@click.option(
    "--models-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where model bundles are [default: models].",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts).")
@handle_errors
def models_list_cli(models_dir, as_json):
    """Every model bundle, newest first: the current one marked with *, and each one checked
    (file hash and allowed types) so a bundle that would be refused says why.

    \b
    Example:
      waspada models list
    """
    from pipeline.modeling.artifacts import list_bundles

    models_dir = models_dir or settings.models_dir()
    rows = list_bundles(models_dir)
    if not rows and not as_json:
        raise InputError(
            f"No model bundles in {models_dir}.",
            "Train one with `waspada train --promote`, or pass --models-dir.",
        )
    lines = []
    for row in rows:
        state = (
            f"refused: {row['problem']}"
            if row["problem"]
            else f"{row['selected']}, threshold {row['threshold']:.3f}"
        )
        lines.append(f"{'*' if row['current'] else ' '} {row['model_id']}  {row['saved']}  {state}")
    emit(rows, as_json, lines)


@models_group.command("promote", context_settings=CONTEXT)
@click.argument("model_id")
@click.option(
    "--models-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where model bundles are [default: models].",
)
@handle_errors
def models_promote_cli(model_id, models_dir):
    """Make an existing model bundle the current one, after checking it as scoring would.

    \b
    Example:
      waspada models promote waspada-49349ef9-1a2b3c4d-5e6f70
    """
    from pipeline.modeling.artifacts import promote

    path = promote(models_dir or settings.models_dir(), model_id)
    click.echo(f"Model {model_id} is now the current model ({path}).")
