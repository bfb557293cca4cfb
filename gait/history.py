"""The walk history: every analysed walk in a SQLite database, and the trend of its symmetry.

Storage
-------
One row per walk in ``walks`` (keyed by the sha256 of the input files' bytes, so the same
recording analysed again is updated, never duplicated) and one row per parameter in
``symmetry``. The database lives at ``--db PATH``, else ``$GAIT_HISTORY_DB``, else the user data
folder (``platformdirs``; without it ``$XDG_DATA_HOME/gait/history.sqlite``, default
``~/.local/share/gait/history.sqlite``). The schema version is ``PRAGMA user_version``;
:data:`MIGRATIONS` brings any older database up to date in one transaction. Journal mode is WAL
and every write is a ``BEGIN IMMEDIATE`` transaction with a 30 s busy timeout, so several
``gait`` processes can write at once.

Trend
-----
For each parameter, the walks' symmetry indices (SI) are regressed on time by random-effects
meta-regression: each walk's SI is an estimate with a known standard error (from its 95 %
bootstrap CI, SE = width / 3.92) plus a between-walk variance tau^2 (day-to-day variation)
estimated by the method of moments (DerSimonian & Laird 1986, Control Clin Trials 7:177;
meta-regression form: Thompson & Sharp 1999, Stat Med 18:2693; Raudenbush 2009, in *The Handbook
of Research Synthesis and Meta-Analysis*, ch. 16). Weights are 1 / (SE^2 + tau^2); the slope's
95 % CI is a Wald interval. The slope is signed towards the *initial side* (the side of the fitted
SI at the first walk), so a negative slope means the asymmetry is shrinking. Status:
``improving`` (slope CI below 0), ``worsening`` (above 0), ``reversed`` (significantly shrinking
but the fitted SI at the last walk is larger on the other side), ``no_clear_change`` (CI covers
0: the data cannot tell yet) and ``too_few_walks`` (fewer than 3 walks with a CI, or walks
spanning less than ``MIN_SPAN_DAYS``: walks minutes apart are repeats of one day, and their slope
"per week" - thousands of points when they are seconds apart - says nothing about a change).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import numbers
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gait.errors import GaitInputError
from gait.parameters import NAMES

SCHEMA = "gait-history/1"
MIN_WALKS = 3
MIN_SPAN_DAYS = 1.0  # a trend needs walks on different days
Z95 = 1.959963984540054
SE_FLOOR_PCT = 0.05  # a CI of zero width would get infinite weight
BUSY_TIMEOUT_S = 30.0
DB_ENV = "GAIT_HISTORY_DB"
METHOD = {
    "name": "random-effects meta-regression of the SI on time (method-of-moments tau^2, "
            "weights 1/(SE^2 + tau^2), Wald 95 % CI of the slope)",
    "references": [
        "DerSimonian R, Laird N (1986) Meta-analysis in clinical trials. Control Clin Trials "
        "7:177-188",
        "Thompson SG, Sharp SJ (1999) Explaining heterogeneity in meta-analysis: a comparison "
        "of methods. Stat Med 18:2693-2708",
    ],
    "se_from_ci": "SE = (ci95 high - ci95 low) / 3.92",
    "min_walks": MIN_WALKS,
}
STATUS_LABEL = {
    "improving": "improving",
    "worsening": "worsening",
    "reversed": "reversed sides",
    "no_clear_change": "no clear change",
    "too_few_walks": f"too few walks (need >= {MIN_WALKS})",
}

#: Schema migrations: MIGRATIONS[i] takes a database from user_version i to i + 1.
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE walks (
            id INTEGER PRIMARY KEY,
            content_hash TEXT NOT NULL UNIQUE,
            walk_utc TEXT NOT NULL,
            walk_time_source TEXT NOT NULL
                CHECK (walk_time_source IN ('given', 'recording', 'file_mtime', 'analysis')),
            analysed_utc TEXT NOT NULL,
            first_analysed_utc TEXT NOT NULL,
            n_analyses INTEGER NOT NULL DEFAULT 1,
            file TEXT NOT NULL,
            sources TEXT NOT NULL,
            placements TEXT NOT NULL,
            used_placements TEXT NOT NULL,
            gait_kind TEXT,
            duration_s REAL,
            n_steps INTEGER,
            quality_ok INTEGER,
            problems TEXT NOT NULL,
            per_side TEXT NOT NULL,
            verdict_level TEXT,
            verdict_towards TEXT,
            verdict_summary TEXT,
            report_schema TEXT NOT NULL,
            generated_by TEXT
        )""",
        "CREATE INDEX walks_by_time ON walks (walk_utc, id)",
        """CREATE TABLE symmetry (
            walk_id INTEGER NOT NULL REFERENCES walks (id) ON DELETE CASCADE,
            parameter TEXT NOT NULL,
            si_pct REAL,
            ci_lo REAL,
            ci_hi REAL,
            left_share_pct REAL,
            left_share_ci_lo REAL,
            left_share_ci_hi REAL,
            gait_asymmetry_pct REAL,
            n_strides INTEGER,
            PRIMARY KEY (walk_id, parameter)
        ) WITHOUT ROWID""",
    ],
    # 2: both legs together (report "overall": cadence, step time), null for older walks
    ["ALTER TABLE walks ADD COLUMN cadence_spm REAL",
     "ALTER TABLE walks ADD COLUMN step_s REAL"],
]
SCHEMA_VERSION = len(MIGRATIONS)


# --- where --------------------------------------------------------------------------------

def default_db_path() -> Path:
    """``history.sqlite`` in the user data folder (platformdirs, else the XDG default)."""
    try:
        from platformdirs import user_data_path
    except ModuleNotFoundError:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        return Path(base) / "gait" / "history.sqlite"
    return user_data_path("gait", appauthor=False) / "history.sqlite"


def resolve_db(db: str | os.PathLike[str] | None = None) -> Path:
    """The database path: ``db``, else ``$GAIT_HISTORY_DB``, else :func:`default_db_path`."""
    if db:
        return Path(db).expanduser()
    env = os.environ.get(DB_ENV)
    return Path(env).expanduser() if env else default_db_path()


# --- connection and migrations -------------------------------------------------------------

def _db_error(db: Path, exc: sqlite3.Error) -> GaitInputError:
    return GaitInputError(db, f"history database error ({exc})",
                          expected="a gait history database (SQLite) in a writable folder")


@contextlib.contextmanager
def _transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the write lock at once (no deadlock on upgrade)."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        con.rollback()
        raise
    con.commit()


def connect(db: str | os.PathLike[str] | None = None, *, create: bool = True
            ) -> sqlite3.Connection:
    """An open, migrated connection (autocommit mode; writes use explicit transactions).

    Raises :class:`GaitInputError` for a file that is not a history database, one made by a
    newer ``gait``, or one that cannot be opened; with ``create=False`` also for a missing one.
    """
    path = resolve_db(db)
    if not create and not path.exists():
        raise GaitInputError(path, "no history database here", expected="an existing database")
    _check_read_only(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise GaitInputError(path, f"cannot open the history database ({exc})",
                             expected="a writable path") from None
    try:
        con.row_factory = sqlite3.Row
        con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        con.execute("PRAGMA foreign_keys = ON")
        _wal(con)
        _migrate(con, path)
    except sqlite3.Error as exc:
        con.close()
        raise _db_error(path, exc) from None
    except GaitInputError:
        con.close()
        raise
    return con


def _check_read_only(path: Path) -> None:
    """Refuse, before anything is written to it, a file that is not a gait history this gait
    can use: not SQLite, another application's database, or a newer gait's schema.

    The file is opened read-only (``mode=ro``), so a foreign database keeps its bytes and its
    journal mode. A missing or empty file is fine (it becomes a new history).
    """
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return
    except OSError:
        return  # connect() reports it
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                              timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise GaitInputError(path, f"cannot open the history database ({exc})",
                             expected="a gait history database (SQLite)") from None
    try:
        v = _version(con)
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        n_objects = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc) or "malformed" in str(exc):
            raise GaitInputError(path, f"not a usable SQLite database ({exc})",
                                 expected="a gait history database or a new file") from None
        raise _db_error(path, exc) from None
    finally:
        con.close()
    if v > SCHEMA_VERSION:
        raise GaitInputError(path, f"history schema version {v} is newer than this gait's "
                             f"({SCHEMA_VERSION})", expected="a newer gait to read it")
    if (v == 0 and n_objects) or (v > 0 and not {"walks", "symmetry"} <= tables):
        raise GaitInputError(path, "an SQLite database that is not a gait history",
                             expected="a gait history database or a new file")


def _wal(con: sqlite3.Connection, attempts: int = 50) -> None:
    """Switch to WAL (persistent in the file); retried, as the switch may not wait on locks."""
    for i in range(attempts):
        try:
            if con.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                return
            con.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or i == attempts - 1:
                raise
            time.sleep(0.05 + 0.01 * i)


def _version(con: sqlite3.Connection) -> int:
    return int(con.execute("PRAGMA user_version").fetchone()[0])


def _migrate(con: sqlite3.Connection, path: Path) -> None:
    """Apply the missing migrations in one transaction (re-checked under the write lock)."""
    v = _version(con)
    if v > SCHEMA_VERSION:
        raise GaitInputError(path, f"history schema version {v} is newer than this gait's "
                             f"({SCHEMA_VERSION})", expected="a newer gait to read it")
    if v == SCHEMA_VERSION:
        return
    with _transaction(con):
        v = _version(con)  # another process may have migrated meanwhile
        if v == 0 and con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise GaitInputError(path, "an SQLite database that is not a gait history",
                                 expected="a gait history database or a new file")
        for i in range(v, SCHEMA_VERSION):
            for stmt in MIGRATIONS[i]:
                con.execute(stmt)
            con.execute(f"PRAGMA user_version = {i + 1}")


# --- content hash and time -----------------------------------------------------------------

def source_files(sources: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The files on disk behind a recording's ``sources`` (``archive.zip!member`` -> the zip),
    without duplicates, in order."""
    out: list[Path] = []
    for s in sources:
        text = str(s)
        p = Path(text)
        if not p.exists() and "!" in text:
            p = Path(text.split("!", 1)[0])
        if p.exists() and p not in out:
            out.append(p)
    return out


def _files_of(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file()
                            and not any(part.startswith(".") for part in f.relative_to(p).parts))
        elif p.is_file():
            files.append(p)
        else:
            raise GaitInputError(p, "no such file or folder", expected="an existing path")
    return list(dict.fromkeys(f.resolve() for f in files))


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """sha256 of a file's bytes, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def content_hash(paths: Sequence[str | os.PathLike[str]]) -> str:
    """Identity of a recording: the sha256 of its one file, or for several files (folders are
    walked) the sha256 of their sorted sha256 digests. Names and order do not matter."""
    files = _files_of([Path(p) for p in paths])
    if not files:
        raise GaitInputError(None, "the walk has no source files to identify it",
                             expected="a recording read from files")
    try:
        digests = sorted(file_sha256(f) for f in files)
    except OSError as exc:
        raise GaitInputError(exc.filename, f"cannot read ({exc.strerror})",
                             expected="a readable file") from None
    if len(digests) == 1:
        return digests[0]
    return hashlib.sha256("".join(d + "\n" for d in digests).encode()).hexdigest()


def parse_when(text: str | None) -> datetime | None:
    """``--date`` value (ISO 8601 date or date-time; no zone = local time) as aware UTC."""
    if text is None or not text.strip():
        return None
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        raise GaitInputError(None, f"date {text!r} is not ISO 8601", where="--date",
                             expected="e.g. 2025-03-14 or 2025-03-14T08:30") from None
    return dt.astimezone(UTC)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def walk_time(doc: Mapping[str, Any], sources: Sequence[Path], when: datetime | None = None
              ) -> tuple[datetime, str]:
    """When the walk was, and how that is known: ``given`` (``when``), ``recording`` (start
    time in the file), ``file_mtime`` (latest modification of the sources) or ``analysis``."""
    if when is not None:
        return when.astimezone(UTC), "given"
    start = (doc.get("recording") or {}).get("start_time_utc")
    if start:
        with contextlib.suppress(ValueError, TypeError):
            dt = datetime.fromisoformat(str(start))
            return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC), "recording"
    mtimes = [f.stat().st_mtime for f in _files_of(list(sources))] if sources else []
    if mtimes:
        return datetime.fromtimestamp(max(mtimes), UTC), "file_mtime"
    return datetime.now(UTC), "analysis"


# --- store ----------------------------------------------------------------------------------

def finite(x: Any) -> float | None:
    """``x`` as a finite float; None for None, booleans, non-numbers, NaN and infinities."""
    if isinstance(x, bool) or x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _pair(x: Any) -> tuple[float | None, float | None]:
    if isinstance(x, list | tuple) and len(x) == 2:
        return finite(x[0]), finite(x[1])
    return None, None


def _json(x: Any) -> str:
    return json.dumps(x, allow_nan=False, default=finite, separators=(",", ":"))


def _clean(x: Any) -> Any:
    """JSON-safe copy: non-finite floats -> None, numpy scalars -> Python."""
    if isinstance(x, Mapping):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if x is None or isinstance(x, str | bool):
        return x
    if isinstance(x, numbers.Integral):
        return int(x)
    return finite(x)


_UPSERT = """
INSERT INTO walks (content_hash, walk_utc, walk_time_source, analysed_utc, first_analysed_utc,
    file, sources, placements, used_placements, gait_kind, duration_s, n_steps, quality_ok,
    problems, per_side, verdict_level, verdict_towards, verdict_summary, report_schema,
    generated_by, cadence_spm, step_s)
VALUES (:content_hash, :walk_utc, :walk_time_source, :analysed_utc, :analysed_utc, :file,
    :sources, :placements, :used_placements, :gait_kind, :duration_s, :n_steps, :quality_ok,
    :problems, :per_side, :verdict_level, :verdict_towards, :verdict_summary, :report_schema,
    :generated_by, :cadence_spm, :step_s)
ON CONFLICT (content_hash) DO UPDATE SET
    walk_utc = CASE WHEN excluded.walk_time_source = 'given'
                     OR walks.walk_time_source <> 'given' THEN excluded.walk_utc
                    ELSE walks.walk_utc END,
    walk_time_source = CASE WHEN excluded.walk_time_source = 'given'
                             OR walks.walk_time_source <> 'given'
                            THEN excluded.walk_time_source ELSE walks.walk_time_source END,
    analysed_utc = excluded.analysed_utc, n_analyses = walks.n_analyses + 1,
    file = excluded.file, sources = excluded.sources, placements = excluded.placements,
    used_placements = excluded.used_placements, gait_kind = excluded.gait_kind,
    duration_s = excluded.duration_s, n_steps = excluded.n_steps,
    quality_ok = excluded.quality_ok, problems = excluded.problems,
    per_side = excluded.per_side, verdict_level = excluded.verdict_level,
    verdict_towards = excluded.verdict_towards, verdict_summary = excluded.verdict_summary,
    report_schema = excluded.report_schema, generated_by = excluded.generated_by,
    cadence_spm = excluded.cadence_spm, step_s = excluded.step_s
RETURNING id
"""


def store(doc: Mapping[str, Any], sources: list[Path], db: Path | None = None,
          when: datetime | None = None, *, digest: str | None = None) -> int:
    """Store an analysed walk (a ``gait-report/1`` document); returns its walk id.

    ``sources``: the input files (folders are walked) whose bytes identify the walk; the same
    content stored again updates its entry (a date given with ``when`` is kept unless a new
    one is given). ``when``: the walk's date (default: recording start, else the files'
    modification time, else now). ``digest``: a precomputed :func:`content_hash`.
    """
    srcs = [Path(s) for s in sources]
    digest = digest or content_hash(srcs)
    walk_dt, how = walk_time(doc, srcs, when)
    rec = doc.get("recording") or {}
    quality = doc.get("quality") or {}
    verdict = doc.get("verdict") or {}
    overall = doc.get("overall") or {}
    row = {
        "content_hash": digest, "walk_utc": _iso(walk_dt), "walk_time_source": how,
        "analysed_utc": _iso(datetime.now(UTC)),
        "file": str(rec.get("file") or (srcs[0] if srcs else "")),
        "sources": _json([str(s) for s in srcs]),
        "placements": _json([s.get("placement") for s in rec.get("streams") or []]),
        "used_placements": _json(list(doc.get("sources") or [])),
        "gait_kind": doc.get("gait_kind"), "duration_s": finite(rec.get("duration_s")),
        "n_steps": quality.get("n_steps"),
        "quality_ok": None if quality.get("ok") is None else int(bool(quality.get("ok"))),
        "problems": _json(list(quality.get("problems") or [])),
        "per_side": _json(_clean(doc.get("per_side") or {})),
        "verdict_level": verdict.get("level"), "verdict_towards": verdict.get("towards"),
        "verdict_summary": verdict.get("summary"),
        "report_schema": str(doc.get("schema", "")), "generated_by": doc.get("generated_by"),
        "cadence_spm": finite(overall.get("cadence_spm")),
        "step_s": finite((overall.get("step_s") or {}).get("mean")),
    }
    sym_rows = []
    for p, s in (doc.get("symmetry") or {}).items():
        lo, hi = _pair(s.get("ci95"))
        slo, shi = _pair(s.get("left_share_ci95"))
        n = s.get("n_strides")
        sym_rows.append((p, finite(s.get("si_pct")), lo, hi, finite(s.get("left_share_pct")), slo,
                         shi, finite(s.get("gait_asymmetry_pct")),
                         None if n is None else int(n)))
    path = resolve_db(db)
    con = connect(path)
    try:
        with _transaction(con):
            walk_id = int(con.execute(_UPSERT, row).fetchone()[0])
            con.execute("DELETE FROM symmetry WHERE walk_id = ?", (walk_id,))
            con.executemany("INSERT INTO symmetry VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [(walk_id, *r) for r in sym_rows])
    except sqlite3.Error as exc:
        raise _db_error(path, exc) from None
    finally:
        con.close()
    return walk_id


# --- queries --------------------------------------------------------------------------------

def _walk_dict(r: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": r["id"], "walk_utc": r["walk_utc"], "walk_time_source": r["walk_time_source"],
        "analysed_utc": r["analysed_utc"], "first_analysed_utc": r["first_analysed_utc"],
        "n_analyses": r["n_analyses"], "file": r["file"], "content_hash": r["content_hash"],
        "sources": json.loads(r["sources"]), "placements": json.loads(r["placements"]),
        "used_placements": json.loads(r["used_placements"]), "gait_kind": r["gait_kind"],
        "duration_s": r["duration_s"], "n_steps": r["n_steps"],
        "cadence_spm": r["cadence_spm"], "step_s": r["step_s"],
        "quality_ok": None if r["quality_ok"] is None else bool(r["quality_ok"]),
        "problems": json.loads(r["problems"]),
        "verdict": {"level": r["verdict_level"], "towards": r["verdict_towards"],
                    "summary": r["verdict_summary"]},
        "per_side": json.loads(r["per_side"]),
    }


def walks(db: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """Every stored walk, oldest first, each with its ``symmetry`` per parameter; [] when
    there is no database yet."""
    path = resolve_db(db)
    if not path.exists():
        return []
    con = connect(path)
    try:
        rows = con.execute("SELECT * FROM walks ORDER BY walk_utc, id").fetchall()
        sym: dict[int, dict[str, Any]] = {}
        for s in con.execute("SELECT * FROM symmetry ORDER BY walk_id, parameter"):
            sym.setdefault(s["walk_id"], {})[s["parameter"]] = {
                "si_pct": s["si_pct"], "ci95": [s["ci_lo"], s["ci_hi"]],
                "left_share_pct": s["left_share_pct"],
                "left_share_ci95": [s["left_share_ci_lo"], s["left_share_ci_hi"]],
                "gait_asymmetry_pct": s["gait_asymmetry_pct"], "n_strides": s["n_strides"]}
    except sqlite3.Error as exc:
        raise _db_error(path, exc) from None
    finally:
        con.close()
    return [{**_walk_dict(r), "symmetry": sym.get(r["id"], {})} for r in rows]


def get_walk(content_hash_: str, db: str | os.PathLike[str] | None = None
             ) -> dict[str, Any] | None:
    """The stored walk with this content hash, or None."""
    return next((w for w in walks(db) if w["content_hash"] == content_hash_), None)


def forget(walk_id: int, db: str | os.PathLike[str] | None = None) -> bool:
    """Delete one walk (and its symmetry rows); True when it existed."""
    path = resolve_db(db)
    con = connect(path, create=False)
    try:
        with _transaction(con):
            n = con.execute("DELETE FROM walks WHERE id = ?", (walk_id,)).rowcount
    except sqlite3.Error as exc:
        raise _db_error(path, exc) from None
    finally:
        con.close()
    return n > 0


# --- trend ----------------------------------------------------------------------------------

def _days(iso: str, t0: datetime) -> float:
    return (datetime.fromisoformat(iso) - t0).total_seconds() / 86400.0


def _normal_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def trend(t_days: Sequence[float], si: Sequence[float], se: Sequence[float]) -> dict[str, Any]:
    """Random-effects meta-regression of ``si`` on ``t_days`` (see the module docstring).

    Returns the ``trend`` object of the ``gait-history/1`` document: status, label, slope (SI
    points per week, signed towards the initial side) with its 95 % CI and p value, fitted SI at
    the first and last walk (signed, positive = left larger), initial side, tau^2, note.
    """
    import numpy as np

    t = np.asarray(t_days, float)
    y = np.asarray(si, float)
    v = np.maximum(np.asarray(se, float), SE_FLOOR_PCT) ** 2
    out: dict[str, Any] = {"status": "too_few_walks", "label": STATUS_LABEL["too_few_walks"],
                           "n_walks": len(t), "slope_pct_per_week": None,
                           "slope_ci95": None, "p_value": None, "initial_side": None,
                           "fitted_first_pct": None, "fitted_last_pct": None,
                           "tau2": None, "note": None}
    if len(t) < MIN_WALKS or float(np.ptp(t)) < MIN_SPAN_DAYS:
        if len(t) >= MIN_WALKS:
            out["note"] = ("the walks span less than a day: a trend needs walks on different "
                           "days (give their dates with --date)")
        return out
    x = np.column_stack([np.ones_like(t), t / 7.0])  # slope per week

    def fit(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cov = np.linalg.inv(x.T @ (w[:, None] * x))
        return cov @ (x.T @ (w * y)), cov

    w = 1.0 / v
    beta, cov = fit(w)
    q = float(np.sum(w * (y - x @ beta) ** 2))
    df = len(t) - 2
    trace_p = float(np.sum(w) - np.trace(cov @ (x.T @ ((w**2)[:, None] * x))))
    tau2 = max(0.0, (q - df) / trace_p) if trace_p > 0 else 0.0
    beta, cov = fit(1.0 / (v + tau2))
    xf, xl = np.array([1.0, t.min() / 7]), np.array([1.0, t.max() / 7])
    first, last = float(xf @ beta), float(xl @ beta)
    se_last = math.sqrt(float(xl @ cov @ xl))
    wmean = float(np.sum(y / (v + tau2)) / np.sum(1 / (v + tau2)))
    sign = 1.0 if (first or wmean or 1.0) > 0 else -1.0
    slope = sign * float(beta[1])
    se_slope = math.sqrt(float(cov[1, 1]))
    lo, hi = slope - Z95 * se_slope, slope + Z95 * se_slope
    status = "improving" if hi < 0 else "worsening" if lo > 0 else "no_clear_change"
    note = None
    if sign * last < 0 and abs(last) > Z95 * se_last:  # clearly on the other side now
        note = f"the asymmetry has moved to the {'right' if sign > 0 else 'left'} side"
        if status == "improving" and abs(last) > abs(first):
            status = "reversed"
    out.update(status=status, label=STATUS_LABEL[status], slope_pct_per_week=slope,
               slope_ci95=[lo, hi], p_value=2 * _normal_sf(abs(slope) / se_slope)
               if se_slope > 0 else None,
               initial_side="L" if sign > 0 else "R", fitted_first_pct=first,
               fitted_last_pct=last, tau2=tau2, note=note)
    return out


def history_doc(db: str | os.PathLike[str] | None = None,
                parameters: Sequence[str] | None = None) -> dict[str, Any]:
    """The ``gait-history/1`` document: walks, and per parameter its points and trend."""
    from gait.version import __version__

    path = resolve_db(db)
    ws = walks(path)
    names: list[str] = list(dict.fromkeys(parameters or []))
    if not names:
        stored = {p for w in ws for p in w["symmetry"]}
        names = [p for p in NAMES if p in stored] + sorted(stored.difference(NAMES))
    params: dict[str, Any] = {}
    t0 = datetime.fromisoformat(ws[0]["walk_utc"]) if ws else datetime.now(UTC)
    for p in names:
        points, tt, yy, ss = [], [], [], []
        for w in ws:
            s = w["symmetry"].get(p)
            if not s or s["si_pct"] is None:
                continue
            lo, hi = s["ci95"]
            points.append({"walk_id": w["id"], "walk_utc": w["walk_utc"],
                           "si_pct": s["si_pct"], "ci95": s["ci95"],
                           "left_share_pct": s["left_share_pct"],
                           "n_strides": s["n_strides"]})
            if lo is not None and hi is not None:
                tt.append(_days(w["walk_utc"], t0))
                yy.append(s["si_pct"])
                ss.append((hi - lo) / (2 * Z95))
        params[p] = {"points": points, "trend": trend(tt, yy, ss)}
    return {
        "schema": SCHEMA, "generated_by": f"gait {__version__}",
        "created_utc": _iso(datetime.now(UTC)), "db": str(path),
        "method": METHOD, "n_walks": len(ws),
        "walks": [{k: w[k] for k in ("id", "walk_utc", "walk_time_source", "analysed_utc",
                                     "file", "content_hash", "placements", "gait_kind",
                                     "duration_s", "n_steps", "cadence_spm", "step_s",
                                     "quality_ok", "verdict")}
                  for w in ws],
        "parameters": params,
    }
