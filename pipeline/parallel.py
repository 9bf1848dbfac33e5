"""Running the text layer and the model over many posts on all cores.

Two shapes of parallelism: ``analyse_parallel`` spreads the text layer over processes (training
and evaluation use it), and ``ChunkPool`` scores whole chunks in worker processes that each load
the model once, so only posts go in and only small summaries come back.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, Self

from pipeline import progress
from pipeline.analysis import Analysis, PostContext, analyse, analyse_context
from pipeline.entities import Entities
from pipeline.text.normalize import normalize_with_clean


def normalised_only(text: str) -> Analysis:
    """An analysis with the normalised text alone: no entities, no indicator run. Enough for a
    model that reads only the normalised words and characters, at about half the cost."""
    return Analysis(normalize_with_clean(text)[1], Entities())


def _analyse_chunk(step: Callable[[str], Analysis], texts: Sequence[str]) -> list[Analysis]:
    return [step(text) for text in texts]


def analyse_parallel(
    texts: Sequence[str],
    jobs: int = 1,
    chunk_size: int = 500,
    description: str = "Analysing posts",
    normalise_only: bool = False,
) -> list[Analysis]:
    """Analyse posts, in parallel processes when ``jobs`` > 1, keeping input order.

    Each distinct text is analysed once (labeled sets hold reposts, and augmentation repeats
    itself); repeats share one analysis, which nothing changes after it is made.
    ``normalise_only`` stops after normalisation (see :func:`normalised_only`).
    """
    step = normalised_only if normalise_only else analyse
    position: dict[str, int] = {}
    slots = [position.setdefault(text, len(position)) for text in texts]
    distinct = list(position)
    if jobs == 1 or len(distinct) < 2 * chunk_size:
        analysed = list(
            progress.track((step(t) for t in distinct), description, total=len(distinct))
        )
    else:
        # Imported only here: explaining one post should not pay for importing joblib.
        from joblib import Parallel, delayed

        chunks = [distinct[i : i + chunk_size] for i in range(0, len(distinct), chunk_size)]
        analysed = []
        runner = Parallel(n_jobs=jobs, return_as="generator")
        for chunk_result in progress.track(
            runner(delayed(_analyse_chunk)(step, c) for c in chunks),
            description,
            total=len(chunks),
            unit="chunk",
        ):
            analysed.extend(chunk_result)
    return [analysed[slot] for slot in slots]


def analyse_timed(texts: Sequence[str]) -> tuple[list[Analysis], float, float]:
    """Analyse posts like :func:`pipeline.analysis.analyse`, timing normalisation apart from
    entities + indicators so the run report can say which of the two costs more."""
    normalised = []
    t0 = time.perf_counter()
    for text in texts:
        normalised.append(normalize_with_clean(text))
    t1 = time.perf_counter()
    analyses = []
    for text, (cleaned, norm) in zip(texts, normalised, strict=True):
        # entities reuse the cleaned text instead of cleaning again
        analyses.append(analyse_context(PostContext(text, norm, cleaned)))
    return analyses, t1 - t0, time.perf_counter() - t1


# Each worker process holds one loaded object (the scorer) built by ``_init_worker``; the task
# functions receive it as their first argument.
_WORKER_STATE: dict[str, Any] = {}


def _init_worker(factory: Callable[..., Any], args: tuple, parent: int) -> None:
    die_with_parent(parent)
    # The batch job turns SIGTERM into an interruption; a worker just ends, like on Ctrl-C.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    progress.set_enabled(False)
    _WORKER_STATE["resource"] = factory(*args)


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """End this worker when ``parent`` ends, however it ends (``kill -9`` included).

    On Linux the kernel sends SIGKILL the moment the parent dies (``PR_SET_PDEATHSIG``); a
    watchdog thread covers the other systems and the moment before the request took effect.
    A worker left alive would hold hundreds of MB and write parts nobody records.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(
        target=_watch_parent, args=(parent,), daemon=True, name="waspada-parent-watch"
    ).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _run_in_worker(func: Callable[..., Any], args: tuple) -> Any:
    return func(_WORKER_STATE["resource"], *args)


class _InlineExecutor(Executor):
    """Runs tasks in the calling process: ``--jobs 1`` needs no pool and no copies of the model."""

    def __init__(self, resource: Any):
        self.resource = resource

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future, as a pool would
            future.set_exception(exc)
        return future


def _start_method() -> str:
    # fork shares the loaded model with the workers copy-on-write and needs no ``__main__`` guard
    # in the calling script; spawn is the portable fallback.
    return "fork" if sys.platform.startswith("linux") else "spawn"


class ChunkPool:
    """Worker processes that each build one resource (e.g. a scorer) and run tasks with it.

    ``submit(func, *args)`` runs ``func(resource, *args)`` in a worker. With ``jobs == 1`` the
    task runs in this process.
    """

    def __init__(self, jobs: int, factory: Callable[..., Any], factory_args: tuple = ()):
        self.jobs = max(1, int(jobs or os.cpu_count() or 1))
        if self.jobs == 1:
            self._resource = factory(*factory_args)
            self._executor: Executor = _InlineExecutor(self._resource)
        else:
            context = multiprocessing.get_context(_start_method())
            # Children alive before the pool are not ours to stop on an interruption.
            self._other_children = {child.pid for child in multiprocessing.active_children()}
            self._executor = ProcessPoolExecutor(
                self.jobs,
                mp_context=context,
                initializer=_init_worker,
                initargs=(factory, factory_args, os.getpid()),
            )

    def submit(self, func: Callable[..., Any], *args: Any) -> Future:
        if self.jobs == 1:
            return self._executor.submit(func, self._resource, *args)
        return self._executor.submit(_run_in_worker, func, args)

    def close(self, cancel: bool = False) -> None:
        """Wait for the workers to finish; with ``cancel`` (an interruption or a failure) stop
        them at once instead: the chunks they hold are not recorded as finished anyway."""
        if cancel and self.jobs > 1:
            for child in multiprocessing.active_children():
                if child.pid not in self._other_children:
                    child.terminate()
        self._executor.shutdown(wait=True, cancel_futures=cancel)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(cancel=exc_type is not None)
