"""The history database: where it lives, connections (WAL, busy timeout) and migrations.

The walk history: every analysed walk in a SQLite database, and the trend of its symmetry.

One row per walk in ``walks`` (keyed by the sha256 of the input files' bytes, so the same
recording analysed again is updated, never duplicated) and one row per parameter in
``symmetry``. The database lives at ``--db PATH``, else ``$GAIT_HISTORY_DB``, else the user data
folder (``platformdirs``; without it ``$XDG_DATA_HOME/gait/history.sqlite``, default
``~/.local/share/gait/history.sqlite``). The schema version is ``PRAGMA user_version``;
:data:`MIGRATIONS` brings any older database up to date in one transaction. Journal mode is WAL
and every write is a ``BEGIN IMMEDIATE`` transaction with a 30 s busy timeout, so several
``gait`` processes can write at once.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from gait.errors import GaitInputError

if TYPE_CHECKING:
    pass

Z95 = 1.959963984540054
BUSY_TIMEOUT_S = 30.0
DB_ENV = "GAIT_HISTORY_DB"

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



def db_error(db: Path, exc: sqlite3.Error) -> GaitInputError:
    return GaitInputError(db, f"history database error ({exc})",
                          expected="a gait history database (SQLite) in a writable folder")


@contextlib.contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
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
        raise db_error(path, exc) from None
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
        raise db_error(path, exc) from None
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
    with transaction(con):
        v = _version(con)  # another process may have migrated meanwhile
        if v == 0 and con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise GaitInputError(path, "an SQLite database that is not a gait history",
                                 expected="a gait history database or a new file")
        for i in range(v, SCHEMA_VERSION):
            for stmt in MIGRATIONS[i]:
                con.execute(stmt)
            con.execute(f"PRAGMA user_version = {i + 1}")
