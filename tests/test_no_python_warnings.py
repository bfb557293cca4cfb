"""Issue 20 item 8: corrupt numbers in phone files never print a Python (NumPy) warning.

Cells far beyond any sensor's range (1e300, -1.7e308) used to overflow in squares, norms and
unit scaling (``physics_toolbox.py``, ``sensorlog.py``, ``bouts.py``, ``resample.py``): the user saw
``RuntimeWarning: overflow encountered ...`` lines before the result or the one-line error.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gait
from gait.analysis.single import analyse
from gait.errors import GaitInputError

from .helpers import walk_like, write_generic
from .test_io_physics_toolbox import clock, gforce
from .test_io_sensorlog import make_csv

HUGE = ["1e300", "-1e300", "1.7e308", "-1.7e308", "1e200", "-1e160", "1e20", "9.9e7", "inf"]


def _generic() -> str:
    acc, gyr = walk_like(1500)
    with tempfile.TemporaryDirectory() as d:
        return write_generic(Path(d) / "g.csv", np.arange(1500) / 100.0, acc, gyr).read_text()


def _physics_toolbox() -> str:
    g = gforce(1500)
    t = np.arange(1500) / 100.0
    rows = [f"{ts},{a:.4f},{b:.4f},{c:.4f}" for ts, (a, b, c) in
            zip(clock(t), g.tolist(), strict=True)]
    return "\n".join(["time,gFx,gFy,gFz", *rows]) + "\n"


def _sensorlog() -> str:
    return make_csv(n=1500, fs=100.0)[0]


FILES = {"generic.csv": _generic(), "ptb.csv": _physics_toolbox(), "sensorlog.csv": _sensorlog()}


def _mutate(text: str, edits: list[tuple[int, int, str]]) -> str:
    lines = text.splitlines()
    for row, col, val in edits:
        i = 1 + row % (len(lines) - 1)
        parts = lines[i].split(",")
        parts[col % len(parts)] = val
        lines[i] = ",".join(parts)
    return "\n".join(lines) + "\n"


def _load_and_analyse_without_warnings(path: Path) -> str:
    """'ok' or 'refused'; any Python warning fails the test (turned into an exception)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            rec = gait.load(path, placement="lower_back")
            analyse(rec, seed=0, n_boot=20, file=str(path))
        except GaitInputError:
            return "refused"
        except ValueError as exc:  # analysis refusals (too short, no walking) are ValueErrors
            assert "Warning" not in type(exc).__name__
            return "refused"
    return "ok"


@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.parametrize("value", ["1e300", "-1.7e308", "1e200"])
def test_one_huge_cell_is_missing_with_a_warning(tmp_path: Path, name: str, value: str) -> None:
    text = FILES[name]
    header = text.splitlines()[0].split(",")
    col = next(i for i, h in enumerate(header)  # the vertical acceleration axis
               if h in ("ay", "gFy") or h.startswith("accelerometerAccelerationY"))
    p = tmp_path / name
    p.write_text(_mutate(text, [(700, col, value)]))
    assert _load_and_analyse_without_warnings(p) == "ok"
    rec = gait.load(p, placement="lower_back")
    assert any("treated as missing" in w for w in rec.warnings), rec.warnings


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(FILES)),
       st.lists(st.tuples(st.integers(0, 1500), st.integers(0, 40), st.sampled_from(HUGE)),
                min_size=1, max_size=5))
def test_prop_huge_cells_never_warn(name: str, edits: list[tuple[int, int, str]]) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / name
        p.write_text(_mutate(FILES[name], edits))
        _load_and_analyse_without_warnings(p)


def test_cli_prints_no_python_warning(tmp_path: Path) -> None:
    from .test_cli import run

    p = tmp_path / "walk.csv"
    p.write_text(_mutate(FILES["ptb.csv"], [(700, 2, "1e300"), (900, 1, "-1.7e308")]))
    r = run("report", "--no-history", f"lower_back={p}")
    assert "Warning" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert "treated as missing" in r.stderr + r.stdout


