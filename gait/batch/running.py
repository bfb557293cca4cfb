"""Running a batch: local worker processes (one BLAS thread each, Ctrl-C kills them) or a Dask
cluster, resuming from the journal.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from gait.analysis.workers import kill_workers, sigterm_interrupts, starting_workers, worker_init
from gait.batch.discovery import COLUMNS, discover, unit_key
from gait.batch.journal import INT_COLUMNS, STR_COLUMNS, Journal, journal_path, read_journal
from gait.batch.work import analyse_one, table_row
from gait.errors import GaitInputError


@dataclass
class BatchResult:
    """What :func:`run_batch` did: every row (discovery order) and the counts."""

    rows: list[dict[str, Any]]
    n_skipped: int = 0
    n_analysed: int = 0
    seconds: float = 0.0
    journal: Path | None = None
    out: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def table(self) -> Any:
        """The rows as a typed pandas DataFrame (see :func:`frame`)."""
        return frame(self.rows)


def frame(rows: list[dict[str, Any]]) -> Any:
    """Rows as a DataFrame with the documented columns and stable types (nullable integers
    and booleans, floats, strings), whatever values are missing."""
    import pandas as pd

    df = pd.DataFrame(rows, columns=list(COLUMNS))
    for c in COLUMNS:
        if c in INT_COLUMNS:
            df[c] = pd.to_numeric(df[c]).astype("Int64")
        elif c == "quality_ok":
            df[c] = df[c].astype("boolean")
        elif c in STR_COLUMNS:
            df[c] = df[c].astype("string")
        else:
            df[c] = pd.to_numeric(df[c]).astype("float64")
    return df


def _mark_duplicates(rows: list[dict[str, Any]]) -> None:
    first: dict[str, str] = {}
    for r in rows:
        h = r.get("content_hash")
        if not h or r.get("status") not in ("ok", "duplicate"):
            continue
        if h in first:
            r.update(status="duplicate", error=f"same recording as {first[h]}")
        else:
            first[h] = r["file"]
            if r.get("status") == "duplicate":
                r.update(status="ok", error=None)


def write_table(rows: list[dict[str, Any]], out: Path) -> None:
    """Write the rows as CSV or Parquet (by suffix), atomically."""

    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise GaitInputError(out, f"unknown table format {suffix or '(none)'!r}",
                             where="--out", expected="a .csv or .parquet file")
    df = frame(rows)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            df.to_csv(tmp, index=False)
        else:
            df.to_parquet(tmp, index=False)
        os.replace(tmp, out)
    except OSError as exc:
        raise GaitInputError(out, f"cannot write ({exc.strerror})",
                             expected="a writable path") from None


#: Thread-pool sizes of the numeric libraries, read when a worker process loads them.
THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Spawned workers start with one BLAS/OpenMP thread each (unless the user set a number):
    N processes x all-core thread pools oversubscribe the CPUs (2 workers on 2 CPUs ran at
    0.4 x the speed of 1). Dask's nanny does the same by default."""
    saved = {k: os.environ.get(k) for k in THREAD_ENV}
    for k, v in saved.items():
        if v is None:
            os.environ[k] = "1"
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)


@contextlib.contextmanager
def _killing_on_interrupt(ex: ProcessPoolExecutor) -> Iterator[None]:
    """On Ctrl-C or SIGTERM (or any error), kill the workers instead of waiting for the
    recordings they are analysing (the journal has every finished one)."""
    try:
        yield
    except BaseException:
        kill_workers(ex)
        raise


def _local(todo: list[tuple[str, Path]], workers: int, opts: dict[str, Any],
           done: Callable[[str, dict[str, Any]], None]) -> None:
    import multiprocessing as mp
    from concurrent.futures.process import BrokenProcessPool

    workers = min(workers, len(todo))  # all of them are started at once, below

    def died(key: str, exc: BaseException) -> None:
        done(key, {"row": {**table_row(key, None), "status": "failed",
                           "error": f"worker process died ({exc})"}})

    with _one_blas_thread(), ProcessPoolExecutor(
            max_workers=workers, mp_context=mp.get_context("spawn"), initializer=worker_init,
            initargs=(os.getpid(),)) as ex, _killing_on_interrupt(ex):
        # every worker now, with Ctrl-C blocked (see gait.analysis.workers)
        with starting_workers():
            start = [ex.submit(os.getpid) for _ in range(workers)]
            wait(start)
        futs: dict[Future[dict[str, Any]], str] = {}
        pending = iter(todo)

        def refill() -> None:
            # a short queue: the journal grows steadily and a kill loses little
            for key, unit in pending:
                try:
                    futs[ex.submit(analyse_one, str(unit), **opts)] = key
                except BrokenProcessPool as exc:
                    died(key, exc)
                    continue
                if len(futs) >= 2 * workers:
                    return

        refill()
        while futs:
            finished, _ = wait(futs, return_when=FIRST_COMPLETED)
            for f in finished:
                key = futs.pop(f)
                try:
                    res = f.result()
                except BrokenProcessPool as exc:
                    died(key, exc)
                    continue
                done(key, res)
            refill()


def _dask(todo: list[tuple[str, Path]], address: str, opts: dict[str, Any],
          done: Callable[[str, dict[str, Any]], None]) -> None:
    try:
        from distributed import Client, as_completed
    except ModuleNotFoundError:
        raise GaitInputError(None, "--dask needs Dask distributed", where="--dask",
                             expected="pip install 'gait[dask]'") from None
    try:
        client = Client(address, timeout=30)
    except (OSError, TimeoutError, ValueError) as exc:
        raise GaitInputError(address, f"cannot reach the Dask scheduler ({exc})",
                             where="--dask", expected="a scheduler address, e.g. "
                             "tcp://host:8786") from None
    with client:
        keys = {}
        futs = []
        for key, unit in todo:
            f = client.submit(analyse_one, str(unit), **opts, pure=False)
            keys[f.key] = key
            futs.append(f)
        for f in as_completed(futs):
            key = keys[f.key]
            try:
                res = f.result()
            except Exception as exc:
                res = {"row": {**table_row(key, None), "status": "failed",
                               "error": f"{type(exc).__name__}: {exc}"}}
            done(key, res)
            f.release()


def _check_mounts(mounts: Sequence[str]) -> None:
    """Every ``--mount`` value parses, and no placement twice (one line, before any work)."""
    from gait.mount import MountError, parse_mount_arg

    try:
        parsed = [parse_mount_arg(m) for m in mounts]
    except MountError as exc:
        raise GaitInputError(None, str(exc)) from None
    seen = [m.placement for m in parsed]
    for p in seen:
        if seen.count(p) > 1:
            raise GaitInputError(None, f"--mount {p} given twice")


def run_batch(paths: Sequence[str | os.PathLike[str]], *, workers: int | None = None,
              out: Path | None = None, dask: str | None = None, db: Path | None = None,
              seed: int = 0, placement: str | None = None, journal: Path | None = None,
              restart: bool = False, progress: bool = False, console: Any = None,
              mounts: Sequence[str] = ()) -> BatchResult:
    """Analyse every recording in ``paths``; see the module docstring.

    ``workers``: local processes (default: CPU count); ``dask``: a scheduler address instead;
    ``db``: also store each analysed walk in this history database; ``placement``: where the
    sensor was worn, for files that do not say; ``mounts``: ``--mount`` values
    (``PLACEMENT=SPEC``) for every recording, parsed first (:class:`GaitInputError` for a bad
    one), gravity-checked per recording (:func:`analyse_one`); ``journal``: the resume
    journal (default :func:`journal_path`); ``restart``: forget the journal first.
    """
    t0 = time.perf_counter()
    mounts = tuple(mounts)
    _check_mounts(mounts)
    out = Path(out) if out is not None else None
    if out is not None and out.suffix.lower() not in (".csv", ".parquet"):
        raise GaitInputError(out, f"unknown table format {out.suffix or '(none)'!r}",
                             where="--out", expected="a .csv or .parquet file")
    jpath = Path(journal) if journal is not None else journal_path(out)
    if restart:
        jpath.unlink(missing_ok=True)
    if db is not None:
        from gait.history import connect

        connect(db).close()  # fail early on a bad database
    units = discover(paths, exclude=[p for p in (out, jpath) if p is not None])
    keyed = [(unit_key(u, seed, placement, mounts), u) for u in units]
    opts: dict[str, Any] = {"seed": seed, "keep_doc": db is not None, "placement": placement}
    if mounts:
        opts["mounts"] = mounts
    finished = {k: r for k, r in read_journal(jpath).items() if r.get("status") != "failed"}
    todo = [(k, u) for k, u in keyed if k not in finished]
    label = {k: str(u) for k, u in keyed}
    results: dict[str, dict[str, Any]] = dict(finished)
    jr = Journal(jpath)

    bar = Progress(TextColumn("analysing"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), TimeRemainingColumn(), console=console,
                   disable=not progress, transient=False)
    task = bar.add_task("batch", total=len(keyed), completed=len(keyed) - len(todo))

    def done(key: str, res: dict[str, Any]) -> None:
        row = res["row"]
        row["file"] = label[key]
        if db is not None and row["status"] == "ok" and res.get("doc") is not None:
            from gait.history import store

            row["history_id"] = store(res["doc"], [Path(s) for s in res["sources"]], db,
                                      digest=row["content_hash"])
        jr.append(key, row)
        results[key] = row
        bar.advance(task)

    try:
        with sigterm_interrupts(), bar:
            if todo and dask:
                _dask(todo, dask, opts, done)
            elif todo:
                _local(todo, max(1, workers or os.cpu_count() or 1), opts, done)
    finally:
        jr.close()
    rows = [{**results[k], "file": str(u)} for k, u in keyed]
    _mark_duplicates(rows)
    if out is not None:
        write_table(rows, out)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return BatchResult(rows=rows, n_skipped=len(keyed) - len(todo), n_analysed=len(todo),
                       seconds=time.perf_counter() - t0, journal=jpath, out=out, counts=counts)
