"""Analyse many recordings: one row per recording, in parallel, resumable.

Discovery (:func:`discover`): arguments are files, folders (walked recursively) or glob
patterns. Each recording counts once: a gait recording is its ``NAME.gait.json`` manifest (the
CSVs it lists are not analysed on their own), a multi-file phone export (a Sensor Logger or
phyphox folder) is its folder, a zip is one recording. In folders only ``*.gait.json``,
``*.csv``, ``*.tsv``, ``*.zip`` and ``*.mat`` files are looked at (``*.truth.json`` and hidden
files are not); a file named explicitly is always analysed. Two recordings with the same
content (same sha256 of their files) are one: the later one's row gets status ``duplicate``.

Work: :func:`analyse_one` (a pure function of the path and the bootstrap seed) runs in local
worker processes (``concurrent.futures.ProcessPoolExecutor``, spawn start method, one BLAS
thread each) or, given a scheduler address, on a Dask distributed cluster
(``pip install 'gait[dask]'``; the workers must see the files under the same paths). A file
that cannot be read or analysed gives a row with status ``error`` (bad input) or ``failed``
(internal error) and the batch goes on.

Resuming: each finished recording is appended (and flushed to disk) as one JSON line to a
journal, ``.<out name>.gait-batch.jsonl`` beside ``--out`` (else ``./.gait-batch.jsonl``).
A new run skips every recording whose journal key (absolute path, size and modification time of
its files, seed, placement, mounts) is there, except ``failed`` ones, which are tried again; so
a killed batch resumes where it stopped. The table (CSV or Parquet) is written at the end, from
the journal.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
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
from gait.errors import GaitInputError
from gait.history import finite  # one number cleaner for the rows and the database
from gait.parameters import NAMES  # a column triple per parameter, in registry order

JOURNAL_SCHEMA = "gait-batch-journal/1"
RECORDING_SUFFIXES = (".csv", ".tsv", ".zip", ".mat")
MANIFEST_SUFFIX = ".gait.json"
COLUMNS: tuple[str, ...] = (
    "file", "status", "error", "format", "placements", "mount", "start_time_utc", "duration_s",
    "gait_kind", "n_steps", "n_steps_L", "n_steps_R", "cadence_spm", "quality_ok",
    "verdict_level", "verdict_towards",
    *(f"{p}_{k}" for p in NAMES for k in ("si_pct", "ci_lo", "ci_hi")),
    "verdict_summary", "content_hash", "seconds", "history_id",
)
INT_COLUMNS = ("n_steps", "n_steps_L", "n_steps_R", "history_id")
STR_COLUMNS = ("file", "status", "error", "format", "placements", "mount", "start_time_utc",
               "gait_kind",
               "verdict_level", "verdict_towards", "verdict_summary", "content_hash")
#: Columns that differ between two runs of the same batch (timing, database ids).
VOLATILE = ("seconds", "history_id")


# --- discovery ------------------------------------------------------------------------------

def _is_candidate(f: Path) -> bool:
    name = f.name.lower()
    if name.endswith(".truth.json"):
        return False
    return name.endswith(MANIFEST_SUFFIX) or f.suffix.lower() in RECORDING_SUFFIXES


def _manifest_streams(m: Path) -> list[str]:
    try:
        doc = json.loads(m.read_text(encoding="utf-8"))
        return [str(s["file"]) for s in doc.get("streams", []) if "file" in s]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return []


class _Claims:
    """Which manifest (if any) claims a CSV of its folder; cached per folder."""

    def __init__(self) -> None:
        self._by_dir: dict[Path, dict[str, Path]] = {}

    def manifest_of(self, f: Path) -> Path | None:
        d = f.parent
        if d not in self._by_dir:
            claims: dict[str, Path] = {}
            for m in sorted(d.glob("*" + MANIFEST_SUFFIX)):
                for name in _manifest_streams(m):
                    claims.setdefault(name, m)
            self._by_dir[d] = claims
        return self._by_dir[d].get(f.name)


def _unit_of(f: Path, claims: _Claims) -> Path:
    """The recording that file ``f`` belongs to (manifest, export folder, or itself)."""
    from gait.io.detect import export_root

    if f.name.lower().endswith(MANIFEST_SUFFIX) or not f.is_file():
        return f
    if f.suffix.lower() == ".csv" and (m := claims.manifest_of(f)) is not None:
        return m
    try:
        return export_root(f)
    except OSError:
        return f


def discover(args: Iterable[str | os.PathLike[str]],
             exclude: Iterable[Path] = ()) -> list[Path]:
    """The recordings named by files, folders and glob patterns, each once, in order.

    Folders and patterns yield only recording-like files (see the module docstring); a file
    named literally is always kept, even one that does not exist (or a pattern that matches
    nothing), so that its row reports the problem.
    """
    skip = {p.resolve() for p in exclude}
    files: list[Path] = []
    for a in args:
        text = os.fspath(a)
        pattern = glob.has_magic(text)
        matches = sorted(glob.glob(text, recursive=True)) if pattern else [text]
        for m in matches or [text]:
            p = Path(m)
            if p.is_dir():
                files += [f for f in sorted(p.rglob("*")) if f.is_file() and _is_candidate(f)
                          and not any(s.startswith(".") for s in f.relative_to(p).parts)]
            elif not (pattern and matches and not _is_candidate(p)):
                files.append(p)
    claims = _Claims()
    units: dict[Path, None] = {}
    for f in files:
        if f.exists() and f.resolve() in skip:
            continue
        units.setdefault(_unit_of(f, claims), None)
    return list(units)


def unit_files(unit: Path) -> list[Path]:
    """The files a recording is read from (for the resume key)."""
    if unit.is_dir():
        return sorted(f for f in unit.rglob("*") if f.is_file()
                      and not any(s.startswith(".") for s in f.relative_to(unit).parts))
    if unit.name.lower().endswith(MANIFEST_SUFFIX):
        return [unit, *(unit.parent / n for n in _manifest_streams(unit))]
    return [unit]


def unit_key(unit: Path, seed: int, placement: str | None = None,
             mounts: Sequence[str] = ()) -> str:
    """Resume key: absolute path, size and mtime of every file, options (``mounts``, the
    ``--mount`` values, only when given: earlier journals' keys stay valid)."""
    parts: list[Any] = [str(unit.resolve()), seed, placement]
    if mounts:
        parts.append(sorted(mounts))
    for f in unit_files(unit):
        try:
            st = f.stat()
            parts.append([str(f.resolve()), st.st_size, st.st_mtime_ns])
        except OSError:
            parts.append([str(f), None, None])
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:32]


# --- the work -------------------------------------------------------------------------------

def _row(path: str, doc: dict[str, Any] | None) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(file=path, status="ok")
    if doc is None:
        return row
    rec = doc.get("recording") or {}
    q = doc.get("quality") or {}
    v = doc.get("verdict") or {}
    row.update(
        format=rec.get("format"),
        placements="+".join(str(s.get("placement")) for s in rec.get("streams") or []),
        start_time_utc=rec.get("start_time_utc"), duration_s=finite(rec.get("duration_s")),
        gait_kind=doc.get("gait_kind"), n_steps=q.get("n_steps"), n_steps_L=q.get("n_steps_L"),
        n_steps_R=q.get("n_steps_R"),
        cadence_spm=finite((doc.get("overall") or {}).get("cadence_spm")),
        quality_ok=q.get("ok"), verdict_level=v.get("level"),
        verdict_towards=v.get("towards"), verdict_summary=v.get("summary"))
    for p in NAMES:
        s = (doc.get("symmetry") or {}).get(p) or {}
        ci = s.get("ci95") if isinstance(s.get("ci95"), list | tuple) else [None, None]
        row[f"{p}_si_pct"] = finite(s.get("si_pct"))
        row[f"{p}_ci_lo"], row[f"{p}_ci_hi"] = finite(ci[0]), finite(ci[1])
    return row


def analyse_one(path: str, seed: int = 0, keep_doc: bool = False,
                placement: str | None = None, mounts: Sequence[str] = ()) -> dict[str, Any]:
    """Load and analyse one recording; never raises.

    ``placement``: where the sensor was worn, for files that do not say; ``mounts``: the
    ``--mount`` values (``PLACEMENT=SPEC``, :mod:`gait.mount`), the same for every recording:
    a recording without that placement, or whose gravity contradicts the mount, is an
    ``error`` row. The row's ``mount`` is the mount used (``PLACEMENT=SPEC``, ``;`` between
    placements), empty without one.
    The recording goes through :func:`gait.analysis.pipeline.analyse`, as in ``gait report``: one
    of an hour or more is read and analysed in chunks (bounded memory), in this process.
    Returns ``{"row": <table row>, "doc": <report without steps/events, if keep_doc>,
    "sources": [files]}``. Status ``error``: the input cannot be read or analysed (the one-line
    message is in ``error``); ``failed``: an internal error.
    """
    from gait.analysis.pipeline import analyse
    from gait.history import content_hash, source_files
    from gait.mount import Mount, MountError

    t0 = time.perf_counter()
    out: dict[str, Any] = {"row": _row(path, None), "doc": None, "sources": []}
    ropts = {"placement": placement} if placement else {}
    try:
        used: dict[str, Mount] = {}
        try:  # jobs=1: a batch runs its recordings in parallel, each in one process
            result = analyse(path, jobs=1, seed=seed, file=path, mounts=list(mounts),
                             used_mounts=used, **ropts)
        except MountError as exc:
            raise GaitInputError(None, str(exc)) from None
        sources = source_files(result.sources) or [Path(path)]
        digest = content_hash(sources)
        doc = result.doc
        del result
        out["row"] = _row(path, doc)
        out["row"]["mount"] = ";".join(f"{pl}={m.spec}" for pl, m in used.items()) or None
        out["row"]["content_hash"] = digest
        out["sources"] = [str(s) for s in sources]
        if keep_doc:
            out["doc"] = {k: x for k, x in doc.items() if k not in ("steps", "events")}
    except GaitInputError as exc:
        out["row"].update(status="error", error=exc.one_line())
    except ValueError as exc:
        out["row"].update(status="error", error=f"{path}: {' '.join(str(exc).split())}")
    except Exception as exc:
        out["row"].update(status="failed", error=f"{type(exc).__name__}: {exc}")
    out["row"]["seconds"] = round(time.perf_counter() - t0, 4)
    return out


# --- journal --------------------------------------------------------------------------------

def journal_path(out: Path | None) -> Path:
    """``.<out name>.gait-batch.jsonl`` beside the table, else ``./.gait-batch.jsonl``."""
    if out is None:
        return Path(".gait-batch.jsonl")
    return out.with_name(f".{out.name}.gait-batch.jsonl")


def read_journal(path: Path) -> dict[str, dict[str, Any]]:
    """key -> row of every finished recording (a torn last line is ignored)."""
    done: dict[str, dict[str, Any]] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return done
    except OSError as exc:
        raise GaitInputError(path, f"cannot read the batch journal ({exc.strerror})",
                             expected="a readable file") from None
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("schema") == JOURNAL_SCHEMA and "key" in entry:
            done[entry["key"]] = entry["row"]
    return done


class _Journal:
    """The journal, appended one whole line per ``write`` system call: a Ctrl-C or SIGTERM
    (raised between two Python steps) never leaves half a line."""

    def __init__(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            if os.fstat(self._fd).st_size:  # a line torn by an older gait or a crash: end it
                with open(path, "rb") as fh:
                    fh.seek(-1, os.SEEK_END)
                    if fh.read(1) != b"\n":
                        os.write(self._fd, b"\n")
        except OSError as exc:
            raise GaitInputError(path, f"cannot write the batch journal ({exc.strerror})",
                                 expected="a writable folder") from None

    def append(self, key: str, row: dict[str, Any]) -> None:
        entry = {"schema": JOURNAL_SCHEMA, "key": key, "row": row}
        line = (json.dumps(entry, allow_nan=False, default=str) + "\n").encode()
        n = os.write(self._fd, line)
        while n < len(line):  # a short write (a full disk, a signal): the rest
            n += os.write(self._fd, line[n:])
        os.fsync(self._fd)

    def close(self) -> None:
        os.close(self._fd)


# --- running --------------------------------------------------------------------------------

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
        done(key, {"row": {**_row(key, None), "status": "failed",
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
                res = {"row": {**_row(key, None), "status": "failed",
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
    jr = _Journal(jpath)

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
