"""kill -9 mid-recording: ``gait recover`` gives back everything but at most the last second."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("bumble", reason="virtual sensors need bumble (pip install 'gait[virtual]')")

from gait.ble.journal import read_journal

from .conftest import REPO


def test_sigkill_then_recover(tmp_path: Path) -> None:
    out = tmp_path / "crash"
    journal = tmp_path / "crash.gait.journal"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gait", "record", "--virtual", "--duration", "120",
         "--sim-speed", "1", "--sim-loss", "2", "--quiet", str(out)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # wait until both sensors have streamed for a few seconds
        deadline = time.monotonic() + 60
        first_data = None
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            if journal.exists() and journal.stat().st_size > 4000:
                first_data = first_data or time.monotonic()
                if time.monotonic() - first_data > 3.6:
                    break
            time.sleep(0.05)
        assert first_data is not None, "the recorder wrote nothing"
        t_kill, t_kill_utc = time.monotonic_ns(), time.time()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert not (tmp_path / "crash.gait.json").exists()  # nothing was finalised

    j = read_journal(journal)
    assert j.end is None and j.corrupt_bytes == 0
    # the virtual clock at speed 1 is CLOCK_MONOTONIC, shared with this process: every packet
    # received is in the journal (handed to the OS at once), so only the latency is lost
    last = int(j.host_ns.max())
    assert (t_kill - last) / 1e9 < 0.5
    r = subprocess.run([sys.executable, "-m", "gait", "recover", str(journal)], cwd=tmp_path,
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "did not stop cleanly" in r.stdout
    doc = json.loads((tmp_path / "crash.gait.json").read_text())
    # the last recovered sample (on the host clock) is at most 1 s before the kill
    t0 = datetime.fromisoformat(doc["start_time_utc"]).timestamp()
    last_s = min(t0 + s["start_s"] + (s["n_samples"] - 1) / s["sample_rate_hz"]
                 for s in doc["streams"])
    assert 0 < t_kill_utc - last_s <= 1.0, t_kill_utc - last_s
    ble = doc["meta"]["ble"]
    assert ble["journal"]["clean_end"] is False
    for placement in ("left_foot", "right_foot"):
        st = ble["sensors"][placement]
        # every journalled sample is in the recording: received - lost covers the span
        span = st["last_sample_index"] - st["first_sample_index"] + 1
        assert st["samples"] + st["samples_lost"] == span
        assert st["samples"] > 200 * 2.5
        csv = tmp_path / f"crash.{placement}.csv"
        vals = np.genfromtxt(csv, delimiter=",", skip_header=1)
        assert len(vals) == span
        assert np.isfinite(vals[:, 1]).sum() == st["samples"]
    # recover keeps the two sensors on one clock: the TIME_PINGs are in the journal, and the
    # truth file left by the virtual sensors is moved to the recovered recording's axis
    assert ble["alignment"]["uncertainty_ms"] is not None
    assert all(ble["sensors"][p]["time_pings"] >= 8 for p in ("left_foot", "right_foot"))
    truth = json.loads((tmp_path / "crash.truth.json").read_text())
    assert truth["alignment"]["between_p95_ms"] <= 5.0, truth["alignment"]


def test_ctrl_c_finalises(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gait", "record", "--virtual", "--sensor", "lower_back",
         "--sim-speed", "4", "--quiet", str(tmp_path / "walk")],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    journal = tmp_path / "walk.gait.journal"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (journal.exists()
                                               and journal.stat().st_size > 3000):
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "wrote" in out and "lower_back:" in out
    doc = json.loads((tmp_path / "walk.gait.json").read_text())
    assert doc["meta"]["ble"]["journal"]["clean_end"] is True
    assert doc["streams"][0]["n_samples"] > 200


def test_kill_before_first_sample_then_record_again(tmp_path: Path) -> None:
    """Killed as soon as the journal exists: recover calls it empty (exit 0, nothing written)
    and a new gait record with the same name replaces it with a warning."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    journal = tmp_path / "early.gait.journal"
    cmd = [sys.executable, "-m", "gait", "record", "--virtual", "--quiet", "--duration", "2",
           "--sim-speed", "4", str(tmp_path / "early")]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not journal.exists() and time.monotonic() < deadline:
            assert proc.poll() is None
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    j = read_journal(journal)
    assert j.empty and j.meta["format"] == "gait-ble-journal"  # header fsynced at creation
    r = subprocess.run([sys.executable, "-m", "gait", "recover", str(journal)], cwd=tmp_path,
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "empty journal, no samples" in r.stdout, r
    assert not (tmp_path / "early.gait.json").exists()
    r = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "holds no samples" in r.stderr and "replaced" in r.stderr
    assert read_journal(journal).end is not None
    assert json.loads((tmp_path / "early.gait.json").read_text())["streams"]
