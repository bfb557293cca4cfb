"""No abort at exit after pyarrow read a CSV (issue 20 item 5).

The process died now and then with "terminate called without an active exception" (exit 134)
after printing a correct one-line error: pyarrow's CSV reader was given an ``io.BytesIO``, and one
of its background reader threads, still holding or reading that Python object when the
interpreter exited, was ended by Python with ``pthread_exit``, whose unwinding through Arrow's C++
calls ``std::terminate``. Readers now give pyarrow memory that Arrow owns
(:func:`gait.io.table.arrow_input`), so its threads never need the interpreter.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import gait
from gait.errors import GaitInputError
from gait.io.table import arrow_input

REPO = Path(__file__).resolve().parents[1]


def test_arrow_input_is_arrow_memory() -> None:
    src = arrow_input(b"a,b\n1,2\n")
    assert type(src) is pa.BufferReader
    assert pacsv.read_csv(src).to_pydict() == {"a": [1], "b": [2]}


def test_pyarrow_reads_no_python_object(phone_exports: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every CSV the phone-export readers hand to pyarrow is Arrow memory or a path."""
    real = pacsv.read_csv
    given: list[Any] = []

    def read_csv(src: Any, *args: Any, **kw: Any) -> Any:
        given.append(src)
        return real(src, *args, **kw)

    monkeypatch.setattr(pacsv, "read_csv", read_csv)
    for export in sorted(p for d in phone_exports.iterdir() if d.is_dir() for p in d.iterdir()):
        with contextlib.suppress(GaitInputError):
            gait.load(export)
    assert len(given) >= 10
    assert all(type(s) is pa.BufferReader or isinstance(s, str | Path) for s in given), \
        {type(s).__name__ for s in given}


def test_the_failing_case_200_times_in_parallel(phone_exports: Path, tmp_path: Path) -> None:
    """The reported case (a Sensor Logger export without Gravity.csv as lower_back: a one-line
    error), 200 runs, 4 at a time: exit 2 every time, one line on stderr."""
    export = tmp_path / "export"
    shutil.copytree(phone_exports / "sensor_logger" / "android_v2_inpocket_walk_azyfen_Matan",
                    export)
    (export / "Gravity.csv").unlink()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "gait", "report", f"lower_back={export}", "--no-history"]

    def run(_: int) -> tuple[int, str]:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        return p.returncode, p.stderr

    with ThreadPoolExecutor(4) as ex:
        results = list(ex.map(run, range(200)))
    codes = [rc for rc, _ in results]
    bad = [(rc, err) for rc, err in results if rc != 2 or err.count("\n") != 1]
    assert not bad, f"{len(bad)} of 200: exit codes {sorted(set(codes))}: {bad[0][1][-300:]}"
