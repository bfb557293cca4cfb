"""End-to-end: the installed ``gait`` command on real and bundled files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from .conftest import REPO, VALIDATION, needs_shared
from .helpers import walk_like, write_generic


def gait_cmd() -> list[str]:
    exe = shutil.which("gait")
    return [exe] if exe else [sys.executable, "-m", "gait"]


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*gait_cmd(), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_version_and_help() -> None:
    r = run("--version")
    assert r.returncode == 0 and "gait" in r.stdout
    r = run("--help")
    assert r.returncode == 0 and "info" in r.stdout


def test_formats_lists_every_importer() -> None:
    r = run("formats")
    assert r.returncode == 0
    for name in ("phyphox", "Sensor Logger", "Physics Toolbox", "SensorLog", "MATLAB",
                 "AndroSensor", "MetaBase", "generic"):
        assert name in r.stdout


def test_info_json_on_generic_file(tmp_path: Path) -> None:
    acc, gyr = walk_like(700)
    p = write_generic(tmp_path / "w.csv", np.arange(700) / 100, acc, gyr)
    r = run("info", "--json", f"lower_back={p}")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["format"] == "generic"
    s = d["streams"][0]
    assert s["placement"] == "lower_back" and s["sample_rate_hz"] == 100
    assert s["sensors"] == ["accelerometer", "gyroscope"]
    assert s["n_samples"] == 700


def test_info_terminal_output(tmp_path: Path) -> None:
    acc, gyr = walk_like(300)
    p = write_generic(tmp_path / "w.csv", np.arange(300) / 100, acc, gyr)
    r = run("info", str(p))
    assert r.returncode == 0, r.stderr
    assert "generic" in r.stdout and "acc+gyr" in r.stdout and "100" in r.stdout


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("", "the file is empty"),
        ("time_s,ax,ay,az\n0,1,2,3\n", "only one sample"),
        ("time_s,ax,ay,az\n0,1,2,3\n0.01,1,oops,3\n", "line 3"),
        ("hello world\n", "unknown format"),
    ],
)
def test_bad_input_exit_2_one_line(tmp_path: Path, content: str, needle: str) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(content)
    r = run("info", str(p))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("error: ") and str(p) in lines[0] and needle in lines[0]
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("case", ["encrypted", "1e12", "-1e11", "1e300"])
def test_locked_zip_and_absurd_phyphox_clock_exit_2(tmp_path: Path, case: str) -> None:
    """Issue 20 item 6: these were exit 1 'internal error' (RuntimeError, ValueError, Overflow)."""
    from .test_io_core import encrypted_zip
    from .test_io_phyphox import ACC_HDR, data_csv, synth, time_csv, write_folder

    if case == "encrypted":
        p, needle = encrypted_zip(tmp_path / "locked.zip"), "password-protected"
    else:
        t, acc, _ = synth(300)
        p = write_folder(tmp_path / "x", {"Raw Data.csv": data_csv(ACC_HDR, t, acc),
                                          "meta/time.csv": time_csv([(0, 3.1, 0)],
                                                                    sys0=float(case))})
        needle = "column 'system time'"
    r = run("info", str(p))
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert lines[0].startswith("error: ") and str(p) in lines[0] and needle in lines[0]


def test_missing_file_and_bad_option(tmp_path: Path) -> None:
    r = run("info", str(tmp_path / "nope.csv"))
    assert r.returncode == 2 and "no such file" in r.stderr
    r = run("info", "--columns", "foo", str(tmp_path / "x.csv"))
    assert r.returncode == 2 and "--columns" in r.stderr


@needs_shared
def test_info_on_real_validation_file() -> None:
    p = VALIDATION / "mobgap_lab_example/converted/imu_HA001_Test5_Trial1_lowerback.csv"
    r = run("info", "--json", str(p))
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["streams"][0]["sample_rate_hz"] == 100


@pytest.mark.parametrize("command", ["report", "events"])
def test_too_slow_a_recording_is_a_one_line_error(tmp_path: Path, command: str) -> None:
    # a 2 Hz export (AndroSensor logs at 1 Hz unless told otherwise): refused, not a crash in
    # a filter design
    acc, gyr = walk_like(240)
    p = write_generic(tmp_path / "slow.csv", np.arange(240) / 2.0, acc, gyr)
    r = run(command, f"lower_back={p}")
    assert r.returncode == 2, r.stdout
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert str(p) in lines[0] and "2 Hz" in lines[0] and "at least 20 Hz" in lines[0]
