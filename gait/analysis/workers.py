"""Worker processes: an ordered, bounded parallel map (the analysis driver's chunks, batch).

The chunked analysis stays pure (:func:`gait.analysis.pipeline.analyse_chunks` takes a ``mapper``);
this is the shell's side. :func:`process_map` starts its worker processes *at once*, before the
caller starts any thread (rich's progress bar refreshes in one: forking while another thread
holds a lock can deadlock the child), with the modules the workers need already imported (on
Linux they are forked and inherit them; macOS and Windows spawn them, and each worker imports
them again). The map reads at most ``jobs + 1`` items ahead of the one it yields (``2 jobs + 1``
when this process is one of the ``jobs``: each worker keeps one item queued), so memory stays
bounded however long the input; an exception in a worker is raised again by the map, so bad
input still becomes the CLI's one-line error. The ``gait`` program also tunes glibc's malloc
for the analysis (:func:`tune_allocator`).

Workers die with their parent however it ends (:func:`worker_init`): on Linux the kernel sends
them SIGKILL when it dies (``prctl(PR_SET_PDEATHSIG)``); elsewhere a watchdog thread waits on the
pipe to the parent and ends the worker when it closes. They ignore Ctrl-C (SIGINT is blocked
while they start, :func:`starting_workers`), which the main process handles by killing them
(:func:`kill_workers`).
"""

from __future__ import annotations

import ctypes
import importlib
import multiprocessing as mp
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
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


#: glibc malloc settings of the ``gait`` program (:func:`tune_allocator`): arrays up to this
#: size come from the heap, not from a fresh mmap each
MMAP_THRESHOLD = 8 << 20
#: ... and the heap keeps this much free memory at its top instead of returning it at once
TRIM_THRESHOLD = 32 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # malloc.h


def tune_allocator() -> bool:
    """Let glibc's malloc reuse the memory of the analysis's temporaries (Linux; elsewhere, or
    where the user set ``MALLOC_MMAP_THRESHOLD_`` / ``GLIBC_TUNABLES``, nothing is done).

    By default glibc maps a block above its mmap threshold (128 kB, raised at run time to the
    largest such block freed) afresh and returns the top of its heap beyond twice that
    threshold, so the 0.5-3 MB temporaries of a 10-minute chunk's filters and features keep
    paying page faults: 5-15 % of the chunks' CPU time (1 hour of 100 Hz lower-back data,
    2-core AMD EPYC). With :data:`MMAP_THRESHOLD` and :data:`TRIM_THRESHOLD` they are reused
    from the heap, for ~10-15 MB more peak memory. Process-wide (forked workers inherit it),
    so it is the ``gait`` program's choice, not the library's. The numbers computed do not
    change. Returns whether the settings were made."""
    if not sys.platform.startswith("linux") or "MALLOC_MMAP_THRESHOLD_" in os.environ \
            or "GLIBC_TUNABLES" in os.environ:
        return False
    try:
        libc = ctypes.CDLL(None)
        ok = libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
        return ok and libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def worker_init(parent_pid: int) -> None:
    """Initializer of every worker process: die with the parent (``parent_pid``), leave Ctrl-C
    to it (it stops the workers, instead of each printing a traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watchdog below still works
            pass
    if os.getppid() != parent_pid:  # the parent died before the death signal was set
        os._exit(1)
    parent = mp.parent_process()
    if parent is not None and parent.sentinel is not None:
        threading.Thread(target=_watch_parent, args=(parent.sentinel,), daemon=True,
                         name="gait-parent-watchdog").start()


def _watch_parent(sentinel: int) -> None:
    """End this worker when the pipe to its parent closes (the parent has died)."""
    from multiprocessing.connection import wait

    wait([sentinel])
    os._exit(1)


@contextmanager
def starting_workers() -> Iterator[None]:
    """Block SIGINT in this thread while worker processes start: a child inherits the mask
    (through exec too), so a Ctrl-C can never reach a worker, even before its initializer;
    here a pending Ctrl-C is delivered on exit."""
    if not hasattr(signal, "pthread_sigmask") or \
            threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def kill_workers(ex: ProcessPoolExecutor) -> None:
    """Kill an executor's worker processes at once (on Ctrl-C or SIGTERM: a running analysis
    is not waited for), then shut it down."""
    for p in list((getattr(ex, "_processes", None) or {}).values()):
        with suppress(OSError, ValueError, AttributeError):
            p.kill()
    ex.shutdown(wait=False, cancel_futures=True)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread by :func:`sigterm_interrupts`."""


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """SIGTERM raises :class:`Terminated` (a KeyboardInterrupt) in the main thread while the
    block runs, so it stops work the way Ctrl-C does (workers killed, journal closed)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise Terminated()

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def _ordered_map(ex: ProcessPoolExecutor, window: int, fn: Callable[[Any], Any],
                 items: Iterable[Any]) -> Iterator[Any]:
    pending: deque[Future] = deque()
    for x in items:
        pending.append(ex.submit(fn, x))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


_END = object()


def _shared_map(ex: ProcessPoolExecutor, n_workers: int, window: int,
                fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
    """:func:`_ordered_map` with this process as one more worker. An item goes to the worker
    processes while they have fewer than two items each (one running, one queued: a worker
    that finishes never waits for this process to finish an item of its own and read the
    next), else it is computed here; the last item is computed here whenever the workers are
    busy. Results come in order; an exception is raised at its item's turn, as a worker's
    is."""
    pending: deque[Future] = deque()

    def running() -> int:
        return sum(not f.done() for f in pending)

    it = iter(items)
    x = next(it, _END)
    while x is not _END:
        if running() < n_workers:  # a worker is idle: at once
            pending.append(ex.submit(fn, x))
            nxt = next(it, _END)
        elif (nxt := next(it, _END)) is not _END and running() < 2 * n_workers:
            pending.append(ex.submit(fn, x))  # queued behind a worker's running item
        else:  # the workers are busy enough, or x is the last item: here
            here: Future = Future()
            try:
                here.set_result(fn(x))
            except Exception as exc:  # raised again at its turn
                here.set_exception(exc)
            pending.append(here)
        del x
        while pending and (pending[0].done() or len(pending) >= window):
            yield pending.popleft().result()
        x = nxt
    while pending:
        yield pending.popleft().result()


@contextmanager
def process_map(jobs: int, preload: Sequence[str] = (), method: str | None = None,
                in_main: bool = False) -> Iterator[Callable[..., Iterable]]:
    """An ordered map ``m(fn, items)`` (like :func:`map`) that runs ``fn`` in ``jobs`` worker
    processes, started on entry and stopped on exit; ``jobs <= 1``: the built-in map, no
    workers. ``in_main``: this process is one of the ``jobs`` (``jobs - 1`` worker processes;
    an item is computed here while each has one queued, :func:`_shared_map`): one process
    fewer to start, feed and pay for. ``preload``: modules to import first (``fn``'s module
    and what it imports lazily). ``method``: the start method (default fork on Linux, else
    spawn). ``fn`` and the items must be picklable."""
    if jobs <= 1:
        yield map
        return
    finish_shutdowns()
    n_workers = jobs - 1 if in_main else jobs
    for name in preload:
        importlib.import_module(name)
    method = method or ("fork" if sys.platform.startswith("linux") else "spawn")
    ex = ProcessPoolExecutor(n_workers, mp_context=mp.get_context(method),
                             initializer=worker_init, initargs=(os.getpid(),))
    try:
        try:  # with fork, the executor starts every worker at its first task: now, in one thread
            with starting_workers():
                start = [ex.submit(int) for _ in range(n_workers)]  # spawn: one process per task
                for f in start:
                    f.result()
        except (OSError, BrokenProcessPool):  # cannot start processes here: no workers then
            yield map
        else:
            yield (partial(_shared_map, ex, n_workers, 2 * n_workers + 2) if in_main
                   else partial(_ordered_map, ex, jobs + 1))
    except BaseException:
        kill_workers(ex)  # Ctrl-C, SIGTERM or an error: the chunks in flight are not needed
        ex.shutdown(wait=True, cancel_futures=True)
        raise
    # the workers are stopped and joined by a thread while the caller goes on (the report's
    # writers: their exit took ~0.01 s of an hour's report); finish_shutdowns waits for it
    stopping = threading.Thread(target=ex.shutdown, kwargs={"cancel_futures": True},
                                name="gait-workers-shutdown")
    stopping.start()
    _closing.append(stopping)


#: threads stopping the workers of ended :func:`process_map` calls (:func:`finish_shutdowns`)
_closing: list[threading.Thread] = []


def finish_shutdowns() -> None:
    """Wait until the worker processes of every :func:`process_map` that has ended are
    stopped and joined."""
    while _closing:
        _closing.pop().join()
