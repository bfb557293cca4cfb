"""Analyse many recordings: one row per recording, in parallel, resumable.

* :mod:`~gait.batch.discovery`: files, folders and globs to recordings (each counted once);
* :mod:`~gait.batch.work`: one recording's analysis and row (:func:`analyse_one`);
* :mod:`~gait.batch.journal`: the resumable journal and the CSV/Parquet table;
* :mod:`~gait.batch.running`: local workers or Dask (:func:`run_batch`).
"""

from gait.batch.discovery import (
    COLUMNS,
    MANIFEST_SUFFIX,
    RECORDING_SUFFIXES,
    discover,
    unit_files,
    unit_key,
)
from gait.batch.journal import (
    INT_COLUMNS,
    JOURNAL_SCHEMA,
    STR_COLUMNS,
    VOLATILE,
    Journal,
    journal_path,
    read_journal,
)
from gait.batch.running import THREAD_ENV, BatchResult, frame, run_batch, write_table
from gait.batch.work import analyse_one, table_row

__all__ = [
    "COLUMNS",
    "INT_COLUMNS",
    "JOURNAL_SCHEMA",
    "MANIFEST_SUFFIX",
    "RECORDING_SUFFIXES",
    "STR_COLUMNS",
    "THREAD_ENV",
    "VOLATILE",
    "BatchResult",
    "Journal",
    "analyse_one",
    "discover",
    "frame",
    "journal_path",
    "read_journal",
    "run_batch",
    "table_row",
    "unit_files",
    "unit_key",
    "write_table",
]
