"""When an interrupted run may be continued: only with the inputs, model and settings it was started with.

A refusal names what changed and, where an option changed, the option that gives the
interrupted run's value back.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest.core import IngestOptions
from pipeline.modeling.artifacts import Bundle
from pipeline.scoring.options import ScoreOptions
from pipeline.scoring.parts import RunState, load_state


def run_settings(
    files: Sequence[Path], bundle: Bundle, options: ScoreOptions, ingest_options: IngestOptions
) -> dict:
    """Everything a finished chunk depends on; ``--resume`` continues only when all of it is unchanged."""
    inputs = []
    for path in files:
        stat = path.stat()
        inputs.append([str(path.resolve()), stat.st_size, stat.st_mtime_ns])
    return {
        "inputs": inputs,
        "model": bundle.model_id,
        "chunk_size": options.chunk_size,
        "threshold": options.threshold,
        "lang": options.lang,
        "use_screen": options.use_screen,
        "operating_point": options.operating_point,
        "ingest": asdict(ingest_options),
    }


def fingerprint(settings: dict) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()


def start_state(parts: Path, settings: dict, resume: bool) -> RunState:
    """The state to continue from: the interrupted run's when ``resume`` is asked for and nothing
    it depends on changed; otherwise a fresh one, in an emptied parts folder."""
    current = fingerprint(settings)
    state = load_state(parts) if resume else None
    if state and state["fingerprint"] != current:
        if "settings" not in state:
            raise InputError(
                "--resume was asked for, but the inputs, model or settings changed since the interrupted run.",
                "Re-run with the interrupted run's options, or pass --force without --resume to start over.",
            )
        changes, restore = settings_changes(state["settings"], settings)
        hint = (
            f"Re-run with {', '.join(restore)} and --resume, or pass --force without --resume to start over."
            if restore and not any(change.startswith("input ") for change in changes)
            else "Pass --force without --resume to start over (the finished chunks are discarded)."
        )
        raise InputError(f"--resume refused: {'; '.join(changes)}.", hint)
    if not state:
        shutil.rmtree(parts, ignore_errors=True)
        state = {"fingerprint": current, "settings": settings, "completed": 0}
    parts.mkdir(parents=True, exist_ok=True)
    return state


# Settings that an option sets, and how to give the interrupted run's value back.
_OPTION_OF = {
    "chunk_size": lambda v: f"--chunk-size {v}",
    "threshold": lambda v: "no --threshold" if v is None else f"--threshold {v}",
    "lang": lambda v: f"--lang {v}",
    "use_screen": lambda v: "no --no-screen" if v else "--no-screen",
    "operating_point": lambda v: "no --operating-point" if v is None else f"--operating-point {v}",
    "format": lambda v: "no --format" if v is None else f"--format {v}",
    "encoding": lambda v: "no --encoding" if v is None else f"--encoding {v}",
    "text_column": lambda v: "no --text-column" if v is None else f"--text-column {v}",
    "id_column": lambda v: "no --id-column" if v is None else f"--id-column {v}",
    "platform": lambda v: "no --platform" if v is None else f"--platform {v}",
    "max_text_bytes": lambda v: f"--max-text-kb {int(v) // 1024}",
    "timezone": lambda v: f"--timezone {v}",
}


def settings_changes(before: dict, now: dict) -> tuple[list[str], list[str]]:
    """What differs between an interrupted run and this one: (descriptions, options that restore it)."""
    changes, options = [], []
    for name in ("chunk_size", "threshold", "lang", "use_screen", "operating_point"):
        if before.get(name) != now.get(name):
            changes.append(f"{name.replace('_', ' ')} was {before.get(name)}, now {now.get(name)}")
            options.append(_OPTION_OF[name](before.get(name)))
    for name, value in now["ingest"].items():
        if before.get("ingest", {}).get(name) != value:
            old = before.get("ingest", {}).get(name)
            changes.append(f"{name.replace('_', ' ')} was {old}, now {value}")
            if name in _OPTION_OF:
                options.append(_OPTION_OF[name](old))
    if before.get("model") != now["model"]:
        changes.append(f"the model was {before.get('model')}, now {now['model']}")
        options.append(f"--model pointing at {before.get('model')}")
    old_inputs = {path: (size, mtime) for path, size, mtime in before.get("inputs", [])}
    new_inputs = {path: (size, mtime) for path, size, mtime in now["inputs"]}
    for path in new_inputs.keys() - old_inputs.keys():
        changes.append(f"input {path} is new")
    for path in old_inputs.keys() - new_inputs.keys():
        changes.append(f"input {path} is gone")
    for path in sorted(old_inputs.keys() & new_inputs.keys()):
        if old_inputs[path] != new_inputs[path]:
            changes.append(f"input {path} changed (size or modification time)")
    return changes, options
