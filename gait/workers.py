"""Worker processes for the command line: an ordered, bounded parallel map.

The analysis itself stays pure (:func:`gait.longfile.analyse_long` takes a ``mapper``); this is
the shell's side. :func:`process_map` starts ``jobs`` worker processes *at once*, before the
caller starts any thread (rich's progress bar refreshes in one: forking while another thread
holds a lock can deadlock the child), with the modules the workers need already imported (on
Linux they are forked and inherit them; macOS and Windows spawn them, and each worker imports
them again). The map reads at most ``jobs + 1`` items ahead of the one it yields, so memory
stays bounded however long the input; an exception in a worker is raised again by the map, so
bad input still becomes the CLI's one-line error.
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import partial
from typing import Any

MAX_JOBS = 4  # more workers than this hardly help (6 chunks an hour) and each costs memory


def default_jobs() -> int:
    """The CPUs this process may use, at most :data:`MAX_JOBS`."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        n = os.cpu_count() or 1
    return max(1, min(n, MAX_JOBS))


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the main process (which stops them), instead of each printing
    a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _ordered_map(ex: ProcessPoolExecutor, window: int, fn: Callable[[Any], Any],
                 items: Iterable[Any]) -> Iterator[Any]:
    pending: deque[Future] = deque()
    for x in items:
        pending.append(ex.submit(fn, x))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


@contextmanager
def process_map(jobs: int, preload: Sequence[str] = (), method: str | None = None,
                ) -> Iterator[Callable[..., Iterable]]:
    """An ordered map ``m(fn, items)`` (like :func:`map`) that runs ``fn`` in ``jobs`` worker
    processes, started on entry and stopped on exit; ``jobs <= 1``: the built-in map, no
    workers. ``preload``: modules to import first (``fn``'s module and what it imports lazily).
    ``method``: the start method (default fork on Linux, else spawn). ``fn`` and the items must
    be picklable."""
    if jobs <= 1:
        yield map
        return
    for name in preload:
        importlib.import_module(name)
    method = method or ("fork" if sys.platform.startswith("linux") else "spawn")
    ex = ProcessPoolExecutor(jobs, mp_context=mp.get_context(method),
                             initializer=_ignore_sigint)
    try:
        try:  # with fork, the executor starts every worker at its first task: now, in one thread
            ex.submit(int).result()
        except (OSError, BrokenProcessPool):  # cannot start processes here: no workers then
            yield map
        else:
            yield partial(_ordered_map, ex, jobs + 1)
    finally:
        ex.shutdown(wait=True, cancel_futures=True)
