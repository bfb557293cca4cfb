"""Batch throughput: recordings per minute with 1 and 2 local workers, and Dask's overhead.

Run: ``python benchmarks/bench_batch.py [--n 100] [--minutes 5] [--workers 1,2] [--no-dask]
[--dask ADDRESS] [--keep DIR]``, or ``--day [--hours 24]`` for the memory of one long
recording. Simulates ``--n`` lower-back walks of ``--minutes`` each (stance
asymmetry 0-9 %, one seed each) into a temporary folder, then times
:func:`gait.batch.run_batch` from a fresh journal for each worker count, and on Dask: a
``LocalCluster`` of 2 single-threaded worker processes (started before the clock runs; its start
time is printed apart), or the scheduler given with ``--dask``. The Dask overhead is its wall time
minus that of the local run with the same number of workers; the rows of both are checked to be
identical (timing columns aside).

``--day``: simulates one lower-back recording of ``--hours`` (24) and runs ``gait batch`` on it
with one worker, printing the peak memory (VmHWM) of the batch process and of its worker; the
worker analyses it in 10-minute chunks (:func:`gait.analysis.pipeline.analyse`), like ``gait
report``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gait.batch import VOLATILE, BatchResult, run_batch
from gait.cli.demo import simulate_to_file


def _timed(label: str, folder: Path, journal: Path, **kw: object) -> BatchResult:
    journal.unlink(missing_ok=True)
    res = run_batch([folder], journal=journal, **kw)  # type: ignore[arg-type]
    n = len(res.rows)
    bad = n - res.counts.get("ok", 0)
    print(f"{label:26s} {res.seconds:8.1f} s  {60 * n / res.seconds:8.1f} recordings/min"
          + (f"  ({bad} not ok)" if bad else ""))
    return res


def _peak_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for t in os.listdir(f"/proc/{pid}/task")
                for c in Path(f"/proc/{pid}/task/{t}/children").read_text().split()]
    except OSError:
        return []


def day(hours: float, keep: Path | None) -> int:
    """Peak memory of ``gait batch`` (one worker) on one recording of ``hours``."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        rec = folder / "day.gait.json"
        t0 = time.perf_counter()
        if not rec.exists():
            simulate_to_file(folder / "day", duration_s=3600 * hours, seed=0,
                             placements=("lower_back",))
        size = sum(f.stat().st_size for f in folder.glob("day.*")) / 2**20
        print(f"{hours:g} h lower-back recording ({size:.0f} MB), ready in "
              f"{time.perf_counter() - t0:.0f} s")
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        out = Path(tmp) / "t.csv"
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "gait", "batch", str(rec), "--workers",
                                 "1", "--out", str(out), "--restart", "-q"], env=env)
        peaks: dict[int, float] = {}
        while proc.poll() is None:
            for pid in [proc.pid, *_children(proc.pid)]:
                if (mb := _peak_mb(pid)) is not None:
                    peaks[pid] = max(peaks.get(pid, 0.0), mb)
            time.sleep(0.2)
        took = time.perf_counter() - t0
        worker = max((v for k, v in peaks.items() if k != proc.pid), default=float("nan"))
        print(f"gait batch, 1 worker: {took:.0f} s, exit {proc.returncode}; peak memory: batch "
              f"process {peaks.get(proc.pid, float('nan')):.0f} MB, worker {worker:.0f} MB "
              "(target <= 300 MB)")
        import pandas as pd

        row = pd.read_csv(out).iloc[0]
        print(f"row: status {row['status']}, {row['n_steps']} steps, stance SI "
              f"{row['stance_s_si_pct']:.2f} %")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="recordings (default 100)")
    ap.add_argument("--minutes", type=float, default=5.0, help="minutes each (default 5)")
    ap.add_argument("--workers", default="1,2", help="local worker counts (default 1,2)")
    ap.add_argument("--dask", default=None, help="scheduler address (default: a LocalCluster)")
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask run")
    ap.add_argument("--keep", type=Path, default=None, help="simulate here and keep the files")
    ap.add_argument("--day", action="store_true",
                    help="peak memory of gait batch on one long recording instead")
    ap.add_argument("--hours", type=float, default=24.0, help="its length (default 24)")
    args = ap.parse_args(argv)
    if args.day:
        return day(args.hours, args.keep)
    counts = [int(w) for w in args.workers.split(",")]

    with tempfile.TemporaryDirectory() as tmp:
        folder = (args.keep or Path(tmp)) / "recordings"
        folder.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        for i in range(args.n):
            simulate_to_file(folder / f"walk{i:03d}", duration_s=60 * args.minutes, seed=i,
                             stance_asym_pct=float(i % 10), placements=("lower_back",))
        size = sum(f.stat().st_size for f in folder.iterdir()) / 2**20
        print(f"simulated {args.n} x {args.minutes:g} min lower-back walks ({size:.0f} MB) in "
              f"{time.perf_counter() - t0:.1f} s; {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.1f} (figures are only comparable on an idle machine)")
        journal = Path(tmp) / "bench.jsonl"
        local: dict[int, BatchResult] = {}
        for w in counts:
            local[w] = _timed(f"local, {w} worker(s)", folder, journal, workers=w)
        if len(counts) > 1:
            a, b = local[counts[0]], local[counts[-1]]
            print(f"speed-up {counts[0]} -> {counts[-1]} workers: {a.seconds / b.seconds:.2f} x")
        if args.no_dask:
            return 0
        try:
            from distributed import LocalCluster
        except ModuleNotFoundError:
            print("dask: not installed (pip install 'gait[dask]')")
            return 0
        cluster = None
        address = args.dask
        if address is None:
            t1 = time.perf_counter()
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            address = cluster.scheduler_address
            print(f"dask LocalCluster (2 worker processes) started in "
                  f"{time.perf_counter() - t1:.1f} s (not counted below)")
        try:
            d = _timed("dask, 2 workers", folder, journal, dask=address)
        finally:
            if cluster is not None:
                cluster.close()
        ref = local.get(2) or local[counts[-1]]
        over = d.seconds - ref.seconds
        print(f"dask overhead vs local ({2 if 2 in local else counts[-1]} workers): "
              f"{over:+.1f} s ({100 * over / ref.seconds:+.0f} %, "
              f"{1000 * over / max(1, len(d.rows)):+.0f} ms per recording)")
        same = ([{k: v for k, v in r.items() if k not in VOLATILE} for r in d.rows]
                == [{k: v for k, v in r.items() if k not in VOLATILE} for r in ref.rows])
        print(f"dask rows identical to local rows: {'yes' if same else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
