"""The batch journal and the result table.

Resuming: each finished recording is appended (and flushed to disk) as one JSON line to a
journal, ``.<out name>.gait-batch.jsonl`` beside ``--out`` (else ``./.gait-batch.jsonl``).
A new run skips every recording whose journal key (absolute path, size and modification time of
its files, seed, placement, mounts) is there, except ``failed`` ones, which are tried again; so
a killed batch resumes where it stopped. The table (CSV or Parquet) is written at the end, from
the journal.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from gait.errors import GaitInputError

JOURNAL_SCHEMA = "gait-batch-journal/1"
INT_COLUMNS = ("n_steps", "n_steps_L", "n_steps_R", "history_id")
STR_COLUMNS = ("file", "status", "error", "format", "placements", "mount", "start_time_utc",
               "gait_kind",
               "verdict_level", "verdict_towards", "verdict_summary", "content_hash")
#: Columns that differ between two runs of the same batch (timing, database ids).
VOLATILE = ("seconds", "history_id")



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


class Journal:
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
