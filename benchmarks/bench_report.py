"""Time and peak memory of ``gait report`` on a long lower-back recording (issue 5).

Run: ``python benchmarks/bench_report.py [--hours H] [--repeat N] [--keep DIR]
[--skdh-python PY | --no-skdh] [--mobgap-python PY | --no-mobgap] [--pairs K] [--no-cli]
[--jobs J]
[--default-allocator] [--no-bytecode-cache]``

Simulates ``H`` hours (default 1) of 100 Hz lower-back walking once (into ``--keep DIR`` to
reuse it between runs, else a temporary folder), then:

* times the real command ``gait report FILE --json OUT.json --html OUT.html -q --jobs J`` as a
  subprocess with ``--jobs`` (default: the command's default) and with ``--jobs 1``, best of
  ``N`` (default 3; 1 for more than 2 hours), each run in a fresh wrapper process that reports
  the CPU time of the command and its worker processes (user + system: the figure to trust on
  a busy machine) and their memory: the peak total PSS of the process tree (compared with the
  target: the physical memory the command holds, each shared page split between the
  processes that share it), the sum of every process's peak RSS (an upper bound: the forked
  workers' shared library pages, ~100 MB, count once per process) and the largest process
  (``RUSAGE_CHILDREN`` alone, which undercounts worker processes). Ratios to the targets
  (< 2 s and < 300 MB for 1 hour);
* the same for the chunked path alone (:func:`gait.analyse` + JSON + HTML, what
  ``gait report`` runs on recordings of an hour or more), the figure that must stay bounded
  for 24 hours;
* the time broken down in this process: imports (in a fresh process), load, events, the rest
  of the analysis, JSON and HTML; for the chunked path reading, events, the whole analysis
  (serial and in ``--jobs`` processes: this one and ``--jobs - 1`` workers) and its symmetry
  bootstrap;
* scikit-digital-health's lumbar gait pipeline (``PredictGaitLumbarLgbm`` gait classification
  + ``GaitLumbar``) on the same data, in g, with its vertical axis given, in a fresh process of
  ``--skdh-python`` (default: this interpreter; a venv that has ``scikit-digital-health``
  works): time, peak memory and the side-by-side ratio, or ``skdh: not available (<reason>)``.
  skdh is not a dependency of gait: it is only imported inside that child process.

* mobgap's lower-back pipeline (``MobilisedPipelineHealthy``, :mod:`mobgap_child`) on the same
  CSV, turned into the Mobilise-D frame, end to end in its own process of validate.py's cached
  virtualenv (made on first use; ``--mobgap-python PY``: an interpreter that has mobgap),
  alternating with ``gait report --jobs J`` in ``--pairs K`` pairs (default 3): each pair's
  times, CPU and ratio, and the median ratio (target: gait at least 6 x faster, issue 19), or
  ``mobgap: skipped, ... (<reason>)`` (``--no-mobgap``).

The chunked path's process and the in-process breakdown set glibc's malloc as the ``gait``
program does (:func:`gait.analysis.workers.tune_allocator`; ``--default-allocator``: not).
gait's processes (the command, the chunked path, the imports) run with its modules compiled to
bytecode once, as an installed package runs (:func:`bytecode_env`; mobgap's and skdh's are,
in their environments): a checkout run with ``PYTHONDONTWRITEBYTECODE=1`` compiles them again
at every start (~0.09 s; ``--no-bytecode-cache`` measures that).

The in-process breakdown prints wall and CPU time (``time.process_time``, plus reaped worker
processes): on a machine busy with other work the wall times grow with the load, so the CPU
time is the figure to judge the in-process target (1 s per hour) by.

``--hours 24`` is the bounded-memory check: one run of each (``--no-cli`` skips the real
command).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_S = 2.0  # per hour of recording, issue 5
TARGET_ANALYSIS_S = 1.0  # per hour: load, events, metrics, writers in process (issue 19)
TARGET_MOBGAP_X = 6.0  # gait report at least this many times faster than mobgap (issue 19)
TARGET_MB = 300.0

#: Runs its arguments as its only child and prints that child's wall time, CPU time and memory:
#: ``mb`` the peak RSS of the largest single process of its tree (``RUSAGE_CHILDREN``
#: ru_maxrss, a max, not a sum), and on Linux, sampling /proc every 20 ms, ``mb_sum`` the sum of
#: every process's own peak (VmHWM; an upper bound of the tree's peak: forked workers' shared
#: pages count in each, peaks need not coincide) and ``mb_pss`` the largest sampled total PSS
#: (the tree's physical memory, shared pages split between the processes sharing them).
WRAPPER = r"""
import glob, json, os, resource, subprocess, sys, tempfile, time

def kb(path, key):
    try:
        with open(path) as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0

def tree(root):
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        for f in glob.glob(f"/proc/{pid}/task/*/children"):
            try:
                with open(f) as fh:
                    todo += [int(x) for x in fh.read().split()]
            except OSError:
                pass
    return out

linux = os.path.isdir("/proc/self/task")
with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
    t = time.perf_counter()
    p = subprocess.Popen(sys.argv[1:], stdout=out, stderr=err, text=True)
    hwm, pss = {}, 0
    while p.poll() is None:
        if linux:
            now = 0
            for pid in tree(p.pid):
                hwm[pid] = max(hwm.get(pid, 0), kb(f"/proc/{pid}/status", "VmHWM:"))
                now += kb(f"/proc/{pid}/smaps_rollup", "Pss:")
            pss = max(pss, now)
        time.sleep(0.02)
    wall = time.perf_counter() - t
    out.seek(0)
    err.seek(0)
    stdout, stderr = out.read(), err.read()
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
mb = ru.ru_maxrss / 1024 / (1024 if sys.platform == "darwin" else 1)
hwm[p.pid] = max(hwm.get(p.pid, 0), ru.ru_maxrss)  # the last 20 ms (an upper bound)
print(json.dumps({"rc": p.returncode, "s": wall, "cpu": ru.ru_utime + ru.ru_stime, "mb": mb,
                  "mb_sum": sum(hwm.values()) / 1024 if linux else None,
                  "mb_pss": pss / 1024 if linux else None, "n_proc": len(hwm),
                  "out": stdout[-4000:], "err": stderr[-2000:]}))
"""

#: The chunked path as ``gait report`` runs it: gait.analyse (the one analysis path, in ``jobs``
#: processes: this one and ``jobs - 1`` workers), JSON (streamed to the file, as the command
#: writes it), HTML.
CHUNKED = r"""
import sys
from pathlib import Path
import gait
if sys.argv[5] == "tuned":  # the allocator as the gait program sets it
    from gait.analysis.workers import tune_allocator
    tune_allocator()
from gait.report.html import render_html
from gait.report.jsonout import dump
a = gait.analyse(sys.argv[1], file=sys.argv[1], jobs=int(sys.argv[4]))
with open(sys.argv[2], "w", encoding="utf-8") as fh:
    dump(a.doc, fh)
Path(sys.argv[3]).write_text(render_html(a.doc) + "\n", encoding="utf-8")
"""

#: scikit-digital-health's lumbar pipeline on one stream CSV of a gait recording.
SKDH = r"""
import json, resource, sys, time, warnings
t0 = time.perf_counter()
try:
    import numpy as np
    import pandas as pd
    from skdh import Pipeline
    from skdh.context import PredictGaitLumbarLgbm
    from skdh.gait import GaitLumbar
except Exception as exc:
    print(json.dumps({"error": f"cannot import skdh ({type(exc).__name__}: {exc})"}))
    raise SystemExit(0)
t1 = time.perf_counter()
df = pd.read_csv(sys.argv[1])
fs = float(sys.argv[2])
G = 9.80665
t = 1.7e9 + df["time_s"].to_numpy()  # skdh wants unix seconds: an arbitrary fixed epoch
acc = df[["ax", "ay", "az"]].to_numpy() / G  # skdh wants g
gyr = df[["gx", "gy", "gz"]].to_numpy() if "gx" in df else None  # rad/s, as skdh wants
v_axis = int(np.argmax(np.abs(np.nanmean(acc, axis=0))))  # the known vertical (gravity) axis
del df
t2 = time.perf_counter()
pipe = Pipeline()
pipe.add(PredictGaitLumbarLgbm())
pipe.add(GaitLumbar())
try:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = pipe.run(time=t, accel=acc, gyro=gyr, fs=fs, v_axis=v_axis)
except Exception as exc:
    print(json.dumps({"error": f"skdh pipeline failed ({type(exc).__name__}: {exc})"}))
    raise SystemExit(0)
t3 = time.perf_counter()
g = res.get("GaitLumbar", {})
bouts = res.get("PredictGaitLumbarLgbm", {}).get("Gait Bout Start", [])
import skdh
print(json.dumps({"version": skdh.__version__, "import_s": t1 - t0, "load_s": t2 - t1,
                  "pipeline_s": t3 - t2, "n_ic": int(len(g.get("IC Timestamp", []))),
                  "n_bouts": int(len(bouts)), "v_axis": v_axis}))
"""


def measure(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Wall time and peak RSS (MB) of ``cmd`` run as the only child of a fresh wrapper
    (``env``: its environment, default this one's)."""
    out = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], capture_output=True, text=True,
                         check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def best_of(n: int, cmd: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    runs = [measure(cmd, env) for _ in range(n)]
    bad = [r for r in runs if r["rc"] != 0]
    if bad:
        return {**bad[0], "s": float("nan"), "mb": float("nan")}
    worst = {k: None if any(r[k] is None for r in runs) else max(r[k] for r in runs)
             for k in ("mb_sum", "mb_pss")}
    return {"rc": 0, "s": min(r["s"] for r in runs), "cpu": min(r["cpu"] for r in runs),
            "mb": max(r["mb"] for r in runs), **worst, "n_proc": max(r["n_proc"] for r in runs),
            "all_s": [r["s"] for r in runs]}


def gait_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("gait")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("gait")
    return [found] if found else [sys.executable, "-m", "gait"]


def simulate(out: Path, hours: float) -> Path:
    from gait.cli.demo import simulate_to_file
    from gait.io.gaitcsv import manifest_path

    m = manifest_path(out / f"report_{hours:g}h")
    if m.exists() and json.loads(m.read_text())["meta"]["simulation"]["duration_s"] == \
            3600 * hours:
        print(f"reusing {m}")
        return m
    t = time.perf_counter()
    simulate_to_file(m, duration_s=3600 * hours, placements=("lower_back",), fs=100.0,
                     stance_asym_pct=5, impact_asym_pct=10, seed=0)
    size = sum(p.stat().st_size for p in m.parent.glob(m.name.replace(".gait.json", ".*.csv")))
    print(f"simulated {hours:g} h of 100 Hz lower-back walking in {time.perf_counter() - t:.1f} s"
          f" ({size / 2**20:.0f} MB of CSV): {m}")
    return m


class Timed:
    """Wall and CPU time (s) of one call: ``cpu`` is this process's user + system time
    (``time.process_time``: every thread, OpenBLAS's included) plus that of the child processes
    reaped meanwhile (worker pools shut down inside the call). On a machine busy with other
    work the wall time grows with the load; the CPU time much less."""

    def __init__(self, wall: float, cpu: float) -> None:
        self.wall, self.cpu = wall, cpu

    def __add__(self, other: Timed) -> Timed:
        return Timed(self.wall + other.wall, self.cpu + other.cpu)

    def __sub__(self, other: Timed) -> Timed:
        return Timed(self.wall - other.wall, self.cpu - other.cpu)


def _children_cpu() -> float:
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _timed(fn: Callable[[], Any]) -> tuple[Any, Timed]:
    t, c, cc = time.perf_counter(), time.process_time(), _children_cpu()
    r = fn()
    return r, Timed(time.perf_counter() - t,
                    time.process_time() - c + _children_cpu() - cc)


def _rows(rows: list[tuple[str, Timed]]) -> None:
    for k, v in rows:
        print(f"    {k:27s}{v.wall:7.2f} s  CPU {v.cpu:6.2f} s")


#: the modules ``gait report`` imports (compiled once by :func:`bytecode_env`'s warm-up)
REPORT_MODULES = ("gait.cli, gait.cli.main, gait.cli.analyse, gait.cli.demo, gait.history, "
                  "gait.analysis.single, gait.analysis.pipeline, gait.events.lower_back, "
                  "gait.io.gaitcsv, gait.io.chunks, gait.report.html, gait.report.jsonout, "
                  "gait.report.text")


def bytecode_env(tmp: Path) -> dict[str, str]:
    """The environment to run gait in as an installed package runs: its modules compiled to
    bytecode once (pip compiles a package's modules when it installs it; a checkout run with
    ``PYTHONDONTWRITEBYTECODE=1``, as this one may be, compiles its ~100 modules again at every
    start: ~0.09 s), the bytecode kept in ``tmp``; the modules are compiled here first."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    subprocess.run([sys.executable, "-c", f"import {REPORT_MODULES}"], env=env, check=True)
    return env


def breakdown(m: Path, whole: bool, jobs: int, hours: float,
              env: dict[str, str] | None = None) -> float:
    """Time per stage in this process (imports measured in a fresh one, environment ``env``),
    wall and CPU; returns the wall time of the chunked analysis (reading included)."""
    imp = measure([sys.executable, "-c", "import gait.cli, gait.analysis.single, gait.report.html, "
                   "gait.report.text, gait.analysis.pipeline, gait.events.lower_back"], env)
    print(f"  imports (fresh process)      {imp['s']:7.2f} s  CPU {imp['cpu']:6.2f} s  "
          f"{imp['mb']:4.0f} MB after imports (the HTML plots need no plotting library)")
    import gait
    from gait.analysis.single import analyse
    from gait.analysis.workers import finish_shutdowns
    from gait.events import detect_events
    from gait.io.chunks import iter_chunks
    from gait.metrics import symmetry
    from gait.parameters import NAMES
    from gait.report.html import render_html
    from gait.report.jsonout import dumps

    target = TARGET_ANALYSIS_S * hours
    if whole:
        # one untimed run first: the first use pays lazy imports (pyarrow's CSV reader, ...) and
        # the filter designs, start-up costs that the command's figures above include
        _, t_cold = _timed(lambda: dumps(analyse(gait.load(m), file=str(m)).doc))
        rec, t_load = _timed(lambda: gait.load(m))
        _, t_ev = _timed(lambda: detect_events(rec))
        a, t_an = _timed(lambda: analyse(rec, file=str(m)))
        _, t_js = _timed(lambda: dumps(a.doc))
        _, t_ht = _timed(lambda: render_html(a.doc))
        print(f"  whole file (gait.load + analyse; the first, untimed run took "
              f"{t_cold.wall:.2f} s, CPU {t_cold.cpu:.2f} s):")
        _rows([("load", t_load), ("events", t_ev), ("analysis (without events)", t_an - t_ev),
               ("JSON", t_js), ("HTML", t_ht)])
        tot = t_load + t_an + t_js + t_ht
        _rows([("total", tot)])
        print(f"    {'':27s}target {target:g} s (load, events, metrics, writers): wall "
              f"{tot.wall / target:4.2f} x, CPU {tot.cpu / target:4.2f} x target")
        del rec, a
    n, t_rd = _timed(lambda: sum(1 for _ in iter_chunks(m)))
    _, t_ev = _timed(lambda: [detect_events(c) for c in iter_chunks(m)])
    # long_s=0: in chunks whatever the duration
    a, t_al = _timed(lambda: gait.analyse(m, file=str(m), long_s=0, jobs=1))
    # the workers joined within the stage (their CPU counted in it, as they are reaped), not
    # later, as the gait program does (gait.analysis.workers.finish_shutdowns)
    _, t_par = _timed(lambda: (gait.analyse(m, file=str(m), long_s=0, jobs=jobs),
                               finish_shutdowns()))
    params = [p for p in NAMES if p in a.steps and a.steps[p].notna().any()]
    _, t_sy = _timed(lambda: symmetry(a.steps, params, n_boot=2000))
    _, t_js = _timed(lambda: dumps(a.doc))
    _, t_ht = _timed(lambda: render_html(a.doc))
    print(f"  chunked (gait.analyse, {n} chunks):")
    _rows([("read chunks", t_rd), ("events (read incl.)", t_ev),
           ("analyse (read incl.)", t_al), ("  of which symmetry + CIs", t_sy),
           (f"analyse, {jobs} processes", t_par), ("JSON", t_js), ("HTML", t_ht)])
    tot = t_al + t_js + t_ht
    _rows([("total", tot)])
    print(f"    {'':27s}({a.doc['quality']['n_steps']} steps; "
          f"{(t_par + t_js + t_ht).wall:.2f} s in {jobs} processes); target {target:g} s: wall "
          f"{tot.wall / target:4.2f} x, CPU {tot.cpu / target:4.2f} x target")
    return t_al.wall


def skdh_side_by_side(m: Path, python: str, ours_s: float, ours_label: str,
                      ours_analysis_s: float | None) -> None:
    csv = next(p for p in m.parent.glob(m.name.replace(".gait.json", ".lower_back.csv")))
    if shutil.which(python) is None:
        print(f"skdh: not available (no interpreter {python})")
        return
    r = measure([python, "-c", SKDH, str(csv), "100"])
    try:
        info = json.loads(r["out"].strip().splitlines()[-1])
    except (IndexError, ValueError):
        print(f"skdh: not available (its process failed: {r['err'].strip()[-200:]})")
        return
    if "error" in info:
        print(f"skdh: not available ({info['error']})")
        return
    total = r["s"]
    print(f"skdh {info['version']} (PredictGaitLumbarLgbm + GaitLumbar, {info['n_bouts']} gait "
          f"bouts, {info['n_ic']} ICs; vertical axis {info['v_axis']}):")
    print(f"  process total   {total:7.2f} s  CPU {r['cpu']:.2f} s  peak {r['mb']:6.0f} MB  "
          f"(imports {info['import_s']:.2f} s, CSV load {info['load_s']:.2f} s, pipeline "
          f"{info['pipeline_s']:.2f} s)")
    print(f"  side by side    gait {ours_label} {ours_s:.2f} s vs skdh {total:.2f} s: "
          f"ratio gait/skdh {ours_s / total:.2f}")
    if ours_analysis_s is not None:
        print(f"  analysis only   gait.analyse, chunks (CSV read incl.) {ours_analysis_s:.2f} s vs "
              f"skdh CSV load + pipeline {info['load_s'] + info['pipeline_s']:.2f} s: ratio "
              f"{ours_analysis_s / (info['load_s'] + info['pipeline_s']):.2f}")


#: the simulated lower-back device frame (x right, y up, z backward; :mod:`gait.simulate`) ->
#: the Mobilise-D sensor frame mobgap wants (x up, y right, z forward)
SIM_TO_MOBILISED = [[0, 1, 0], [1, 0, 0], [0, 0, -1]]


def _mobgap_run(py: str, csv: Path
                ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]] | str:
    """One end-to-end run of mobgap's child on ``csv``: (wrapper figures, head, info), or why it
    failed."""
    from validate import MOBGAP_CHILD

    h = 1.70
    job = [{"id": "bench", "csv": str(csv), "axes": SIM_TO_MOBILISED, "pipeline": "healthy",
            "cohort": "HA", "height_m": h, "sensor_height_m": 0.53 * h}]
    with tempfile.TemporaryDirectory() as tmp:
        jobs = Path(tmp) / "jobs.json"
        jobs.write_text(json.dumps(job), encoding="utf-8")
        r = measure([py, str(MOBGAP_CHILD), "--summary", str(jobs)])
    try:
        lines = [json.loads(x) for x in r["out"].splitlines() if x.startswith("{")]
        head, info = lines[0], lines[1]
    except (IndexError, ValueError):
        return f"its process failed (exit {r['rc']}: {r['err'].strip()[-300:]})"
    if "error" in info:
        return f"its pipeline failed ({info['error']})"
    return r, head, info


def mobgap_side_by_side(m: Path, explicit: str | None, gait_run: list[str],
                        env: dict[str, str] | None, pairs: int) -> None:
    """mobgap's ``MobilisedPipelineHealthy`` on the same lower-back CSV beside ``gait report``
    (``gait_run``, the command as timed above), both end to end in their own processes
    (interpreter start-up, imports, CSV read, pipeline, writing). The two run in ``pairs``
    alternating pairs (gait, mobgap, gait, mobgap, ...), so that each ratio compares runs made
    moments apart: this machine's speed drifts by +-30 % within minutes, which a comparison of
    one program's best with the other's single run would mistake for the programs. The target
    (:data:`TARGET_MOBGAP_X`) is judged on the median of the pairs' ratios. The interpreter and
    the child are validate.py's (:func:`validate.mobgap_python`: a cached virtualenv, made on
    first use; ``benchmarks/mobgap_child.py``)."""
    from validate import mobgap_python

    py, where = mobgap_python(explicit)
    if py is None:
        print(f"mobgap: skipped, not available ({where})")
        return
    csv = next(m.parent.glob(m.name.replace(".gait.json", ".lower_back.csv")))
    ours, theirs = [], []
    for _ in range(max(pairs, 1)):
        g = measure(gait_run, env)
        if g["rc"] != 0:
            print(f"mobgap: skipped, gait report failed (exit {g['rc']})")
            return
        got = _mobgap_run(py, csv)
        if isinstance(got, str):
            print(f"mobgap: skipped, {got}")
            return
        ours.append(g)
        theirs.append(got[0])
    _, head, info = got
    print(f"mobgap {head['version']} (MobilisedPipelineHealthy, {where}; {info['n_gs']} gait "
          f"sequences, {info['n_ic']} ICs), last run: imports {head['import_s']:.2f} s, CSV load "
          f"{info['load_s']:.2f} s, pipeline {info['seconds']:.2f} s, peak "
          f"{theirs[-1]['mb']:.0f} MB")
    ratios = [t["s"] / o["s"] for o, t in zip(ours, theirs, strict=True)]
    for i, (o, t, x) in enumerate(zip(ours, theirs, ratios, strict=True), 1):
        print(f"  pair {i}          gait report {o['s']:5.2f} s (CPU {o['cpu']:.2f} s)  mobgap "
              f"{t['s']:5.2f} s (CPU {t['cpu']:.2f} s)  mobgap/gait {x:4.1f} x")
    med = float(statistics.median(ratios))
    best = min(t["s"] for t in theirs) / min(o["s"] for o in ours)
    cpu = statistics.median(t["cpu"] for t in theirs) / statistics.median(o["cpu"] for o in ours)
    print(f"  side by side    median of {len(ratios)} pairs: mobgap/gait {med:.1f} x (target >= "
          f"{TARGET_MOBGAP_X:g} x: {'PASS' if med >= TARGET_MOBGAP_X else 'FAIL'}); best vs "
          f"best {best:.1f} x; CPU (medians) {cpu:.1f} x")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hours", type=float, default=1.0, help="recording length (default 1)")
    ap.add_argument("--repeat", type=int, default=None, help="best of N (default 3; 1 > 2 h)")
    ap.add_argument("--keep", type=Path, default=None, help="simulate into / reuse this folder")
    ap.add_argument("--skdh-python", default=sys.executable,
                    help="interpreter with scikit-digital-health (default: this one)")
    ap.add_argument("--no-skdh", action="store_true", help="skip the skdh side-by-side")
    ap.add_argument("--mobgap-python", default=None,
                    help="interpreter with mobgap (default: validate.py's cached virtualenv, "
                    "made on first use)")
    ap.add_argument("--no-mobgap", action="store_true", help="skip the mobgap side-by-side")
    ap.add_argument("--pairs", type=int, default=3,
                    help="alternating gait/mobgap runs for the side by side (default 3)")
    ap.add_argument("--no-cli", action="store_true", help="skip the real gait report")
    ap.add_argument("--no-breakdown", action="store_true", help="skip the in-process breakdown")
    ap.add_argument("--default-allocator", action="store_true",
                    help="the chunked path and the breakdown with glibc's default malloc "
                    "settings (default: as the gait program sets them, "
                    "gait.analysis.workers.tune_allocator)")
    ap.add_argument("--no-bytecode-cache", action="store_true",
                    help="run gait as this environment does (with PYTHONDONTWRITEBYTECODE its "
                    "modules are compiled at every start; default: compiled once, as installed)")
    ap.add_argument("--jobs", type=int, default=None,
                    help="worker processes (default: gait report's default); 1 is also run")
    args = ap.parse_args(argv)
    from gait.analysis.workers import default_jobs

    jobs = args.jobs or default_jobs()
    n = args.repeat or (3 if args.hours <= 2 else 1)
    target_s = TARGET_S * args.hours
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        m = simulate(folder, args.hours)
        outs = [str(Path(tmp) / f"out.{x}") for x in ("json", "html")]
        env = None if args.no_bytecode_cache else bytecode_env(Path(tmp))
        print(f"\n{args.hours:g} h, best of {n}; targets {target_s:g} s and {TARGET_MB:g} MB "
              "(memory: the peak total PSS of the command and its worker processes)")
        results = {}
        for j in dict.fromkeys((jobs, 1)):
            if not args.no_cli:
                results[f"gait report, jobs {j}"] = best_of(n, [
                    *gait_cmd(), "report", str(m), "--json", outs[0], "--html", outs[1], "-q",
                    "--jobs", str(j)], env)
            results[f"chunked path, jobs {j}"] = best_of(
                n, [sys.executable, "-c", CHUNKED, str(m), *outs, str(j),
                    "default" if args.default_allocator else "tuned"], env)
        for name, r in results.items():
            if r["rc"] != 0:
                print(f"{name:22s} FAILED (exit {r['rc']}): {r['err'].strip()[-300:]}")
                continue
            if r["mb_pss"] is not None:
                mem = (f"PSS {r['mb_pss']:4.0f} MB ({r['mb_pss'] / TARGET_MB:4.2f} x target); "
                       f"sum of peak RSS {r['mb_sum']:.0f} MB ({r['mb_sum'] / TARGET_MB:4.2f} x"
                       f"; {r['n_proc']} processes, largest {r['mb']:.0f} MB)")
            else:
                mem = f"largest process {r['mb']:4.0f} MB ({r['mb'] / TARGET_MB:4.2f} x target)"
            print(f"{name:22s} {r['s']:6.2f} s ({r['s'] / target_s:4.2f} x target; CPU "
                  f"{r['cpu']:.2f} s)  memory {mem}")
        t_al = None
        if not args.no_breakdown:
            from gait.analysis.workers import tune_allocator

            tuned = not args.default_allocator and tune_allocator()
            how = "as the gait program tunes it" if tuned else "glibc's default"
            print(f"\nbreakdown (in process; malloc {how}):")
            t_al = breakdown(m, whole=args.hours <= 2, jobs=jobs, hours=args.hours, env=env)
        if not args.no_skdh:
            print()
            ok = [(k, r) for k, r in results.items() if r["rc"] == 0]
            label, best = min(ok, key=lambda kr: kr[1]["s"]) if ok else ("-", {"s": float("nan")})
            skdh_side_by_side(m, args.skdh_python, best["s"], label, t_al)
        if not args.no_mobgap:
            print()
            mobgap_side_by_side(m, args.mobgap_python, [
                *gait_cmd(), "report", str(m), "--json", outs[0], "--html", outs[1], "-q",
                "--jobs", str(jobs)], env, args.pairs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
