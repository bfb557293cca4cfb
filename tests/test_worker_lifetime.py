"""Worker processes die with `gait report` / `gait batch` however these end (issue 20 item 2).

Each test starts the command in its own session, waits until its worker processes run, ends the
command, and checks one second later that no process it started is left (Linux: the process
tree is read from /proc).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gait.cli.demo import simulate_to_file

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def _ppid_and_state(pid: int) -> tuple[int, str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[1]), fields[0]


def _descendants(pid: int) -> set[int]:
    """Every living process below ``pid``."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit() and (ps := _ppid_and_state(int(d))) is not None:
            children.setdefault(ps[0], []).append(int(d))
    out: set[int] = set()
    todo = [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def _alive(pid: int) -> bool:
    ps = _ppid_and_state(pid)
    return ps is not None and ps[1] != "Z"


@pytest.fixture(scope="module")
def hour(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 65-minute walk: analysed in chunks by worker processes."""
    d = tmp_path_factory.mktemp("hour")
    simulate_to_file(d / "hour", duration_s=3900, seed=1, placements=("lower_back",))
    return d / "hour.gait.json"


def _start(args: list[str], cwd: Path, n_workers: int) -> tuple[subprocess.Popen, set[int]]:
    """Start ``gait ARGS`` (stderr to ``cwd/stderr.txt``: a pipe that workers left alive keep
    open would block its reader) and return once ``n_workers`` processes run below it."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    with open(cwd / "stderr.txt", "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "gait", *args], cwd=cwd, env=env,
                                start_new_session=True, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 60
    seen: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        seen |= _descendants(proc.pid)
        if len([p for p in seen if _alive(p)]) >= n_workers:
            time.sleep(1.0)  # mid-analysis
            return proc, seen | _descendants(proc.pid)
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail(f"the workers did not start: {(cwd / 'stderr.txt').read_text()}")


def _check_gone(proc: subprocess.Popen, seen: set[int]) -> None:
    try:
        proc.wait(5)
        time.sleep(1.0)
        left = sorted(p for p in seen | _descendants(proc.pid) if _alive(p))
        assert not left, f"still alive 1 s later: {left}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_report_workers_die_with_it(hour: Path, tmp_path: Path, sig: int) -> None:
    # --jobs 3: two worker processes beside the command's own
    proc, seen = _start(["report", str(hour), "--no-history", "-q", "--jobs", "3"], tmp_path, 2)
    assert len(seen) >= 2
    os.kill(proc.pid, sig)
    _check_gone(proc, seen)


def _two_hours(hour: Path, tmp_path: Path) -> list[str]:
    """Two recordings of an hour (copies of ``hour``): each worker analyses one, in chunks,
    for many seconds."""
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        for f in hour.parent.glob("hour.*"):
            shutil.copy(f, tmp_path / name / f.name)
    return [str(tmp_path / "a"), str(tmp_path / "b")]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_batch_workers_die_with_it(hour: Path, tmp_path: Path, sig: int) -> None:
    proc, seen = _start(["batch", *_two_hours(hour, tmp_path), "--workers", "2",
                         "--out", str(tmp_path / "t.csv"), "-q"], tmp_path, 2)
    os.kill(proc.pid, sig)
    _check_gone(proc, seen)


@pytest.mark.parametrize(("sig", "group"), [(signal.SIGINT, True), (signal.SIGINT, False),
                                           (signal.SIGTERM, False)])
def test_batch_stops_within_2_s_without_traceback(hour: Path, tmp_path: Path, sig: int,
                                                   group: bool) -> None:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it), ``kill -INT`` and
    SIGTERM mid-analysis: the batch and its workers are gone within 2 s, with one line and no
    traceback, and every journal line is whole."""
    out = tmp_path / "t.csv"
    journal = tmp_path / ".t.csv.gait-batch.jsonl"
    proc, seen = _start(["batch", *_two_hours(hour, tmp_path), "--workers", "2", "--out",
                         str(out), "-q"], tmp_path, 2)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not journal.exists():
        time.sleep(0.02)
    t0 = time.monotonic()
    if group:
        os.killpg(proc.pid, sig)
    else:
        os.kill(proc.pid, sig)
    try:
        rc = proc.wait(10)
        took = time.monotonic() - t0
        err = (tmp_path / "stderr.txt").read_text()
        assert took < 2.0, f"took {took:.1f} s"
        assert rc == (130 if sig == signal.SIGINT else 143), err
        assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
        assert err.strip().splitlines()[-1] in ("aborted", "terminated")
        time.sleep(0.5)
        assert not [p for p in seen if _alive(p)]
        for line in journal.read_text().splitlines():
            assert json.loads(line)["schema"] == "gait-batch-journal/1"
    finally:
        _check_gone(proc, seen)


def test_finish_shutdowns_joins_the_workers_of_an_ended_map() -> None:
    """A map's workers are stopped in the background when it ends; finish_shutdowns waits
    until they are joined (the gait program's exit and the next map call it)."""
    import multiprocessing as mp
    import threading

    from gait.analysis import workers

    with workers.process_map(3, in_main=True) as m:
        assert list(m(abs, range(-6, 0))) == [6, 5, 4, 3, 2, 1]
    workers.finish_shutdowns()
    assert not mp.active_children()
    assert not [t for t in threading.enumerate() if t.name == "gait-workers-shutdown"]
