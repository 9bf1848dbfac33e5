"""`waspada explain`: a thin wrapper over :mod:`pipeline.modeling.explain_posts`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pipeline import settings
from pipeline.cli.common import CONTEXT, emit, handle_errors
from pipeline.errors import InputError


@click.command("explain", context_settings=CONTEXT)
@click.argument("text", required=False)
@click.option(
    "--file",
    "file_path",
    type=click.Path(path_type=Path, allow_dash=True),
    default=None,
    help='A .jsonl file of posts (one {"text": ..., "post_id": ...} per line), explained in one run; '
    "any other file (or '-' for stdin) is one post.",
)
@click.option("--model", "model_dir", type=click.Path(path_type=Path), default=None)
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print JSON (JSON Lines, one post a line, with a .jsonl --file).",
)
@handle_errors
def explain_cli(text, file_path, model_dir, lang, as_json):
    """Score posts and show why: red flags, strong terms, entities, counter-signals.

    The model is loaded once per run: explain many posts with a .jsonl --file rather than one
    command per post.

    \b
    Example:
      waspada explain "Dicari admin K4mboja gaji 15jt, tiket ditanggung, WA 0812..."
      waspada explain --file posts.jsonl --json > explained.jsonl
    """
    from pipeline.modeling.explain_posts import explain_posts, read_posts_jsonl, scorer_for

    many = file_path is not None and str(file_path) != "-" and file_path.suffix.lower() == ".jsonl"
    handle = None
    if file_path is not None:
        try:
            handle = click.open_file(str(file_path), encoding="utf-8-sig", errors="replace")
        except OSError as exc:
            raise InputError(
                f"Cannot read {file_path} ({exc.strerror}).", "Check the path passed to --file."
            ) from exc
    if not many:
        if handle is not None:
            with handle:
                text = handle.read()
        if not text or not text.strip():
            raise InputError(
                "No post text given.",
                'Pass the text in quotes, e.g. waspada explain "Dicari CS ...", or use --file.',
            )
    scorer = scorer_for(model_dir, settings.models_dir(), lang)
    if many:
        assert handle is not None  # many implies a file was opened above
        with handle:
            _explain_many(
                explain_posts(scorer, read_posts_jsonl(handle), lang),
                scorer.threshold,
                lang,
                as_json,
                file_path,
            )
        return
    payload = next(explain_posts(scorer, [_one_post(text)], lang))
    payload = {k: v for k, v in payload.items() if k not in ("line", "post_id")}
    emit(payload, as_json, _explain_lines(payload, scorer.threshold, lang))


def _one_post(text: str):
    from pipeline.modeling.explain_posts import PostLine

    return PostLine(1, "1", text)


def _explain_lines(payload: dict, threshold: float, lang: str) -> list[str]:
    flagged = payload["flagged"]
    if lang == "id":
        verdict = "DITANDAI untuk ditinjau" if flagged else "tidak ditandai"
        lines = [
            f"Skor {payload['score']:.3f} ({verdict}; ambang {threshold:.3f}); kategori: {payload['category']}"
        ]
    else:
        verdict = "FLAGGED for review" if flagged else "not flagged"
        lines = [
            f"Score {payload['score']:.3f} ({verdict}; threshold {threshold:.3f}); category: {payload['category']}"
        ]
    return lines + (
        [f"  - {reason}" for reason in payload["reasons"]]
        or ["  (tidak ada alasan menonjol)" if lang == "id" else "  (no notable reasons)"]
    )


def _explain_many(results, threshold: float, lang: str, as_json: bool, file_path: Path) -> None:
    explained = problems = 0
    for result in results:
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        elif "error" in result:
            click.echo(f"[{result['post_id']}] line {result['line']}: {result['error']}")
        else:
            click.echo(
                f"[{result['post_id']}] " + "\n".join(_explain_lines(result, threshold, lang))
            )
        problems += "error" in result
        explained += "error" not in result
    if problems:
        click.echo(
            f"Note: {problems} lines of {file_path} could not be explained (see their error).",
            err=True,
        )
    if not explained:
        raise InputError(
            f"No post in {file_path} could be explained.",
            'Write one JSON object per line with a "text" field, e.g. {"post_id": "a1", "text": "Dicari CS ..."}.',
        )
