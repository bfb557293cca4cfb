"""The walk history: every analysed walk in a SQLite database, and the trend of its symmetry.

* :mod:`~gait.history.database`: where the database lives, connections and migrations;
* :mod:`~gait.history.walks`: storing a report and reading walks back (keyed by the content hash
  of the input files);
* :mod:`~gait.history.trend`: random-effects meta-regression of each parameter's SI on time.
"""

from gait.history.database import (
    BUSY_TIMEOUT_S,
    DB_ENV,
    MIGRATIONS,
    SCHEMA_VERSION,
    Z95,
    connect,
    db_error,
    default_db_path,
    resolve_db,
    transaction,
)
from gait.history.trend import (
    METHOD,
    MIN_SPAN_DAYS,
    MIN_WALKS,
    SCHEMA,
    SE_FLOOR_PCT,
    STATUS_LABEL,
    history_doc,
    trend,
)
from gait.history.walks import (
    content_hash,
    file_sha256,
    finite,
    forget,
    get_walk,
    iso_utc,
    parse_when,
    source_files,
    store,
    walk_time,
    walks,
)

__all__ = [
    "BUSY_TIMEOUT_S",
    "DB_ENV",
    "METHOD",
    "MIGRATIONS",
    "MIN_SPAN_DAYS",
    "MIN_WALKS",
    "SCHEMA",
    "SCHEMA_VERSION",
    "SE_FLOOR_PCT",
    "STATUS_LABEL",
    "Z95",
    "connect",
    "content_hash",
    "db_error",
    "default_db_path",
    "file_sha256",
    "finite",
    "forget",
    "get_walk",
    "history_doc",
    "iso_utc",
    "parse_when",
    "resolve_db",
    "source_files",
    "store",
    "transaction",
    "trend",
    "walk_time",
    "walks",
]
