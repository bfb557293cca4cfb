"""Load speed of the importers: a 1-hour 100 Hz 6-axis generic CSV (about 22 MB).

Run: ``python benchmarks/bench_load.py [--hours H] [--rate HZ] [--jitter]``. Prints the file size,
the best of ``--repeat`` load times, rows per second and the ratio to the 1 s target.
With ``--jitter`` the timestamps are irregular (phone-like), which exercises resampling.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

import gait


def make_csv(path: Path, hours: float, fs: float, jitter: bool) -> int:
    n = int(hours * 3600 * fs)
    rng = np.random.default_rng(0)
    t = np.arange(n) / fs
    if jitter:
        t = t + rng.uniform(-0.3, 0.3, n) / fs
        t.sort()
    ph = 2 * np.pi * 1.8 * t
    acc = np.column_stack([0.8 * np.sin(ph / 2), 9.81 + 2 * np.sin(ph), 1.2 * np.cos(ph)])
    acc += rng.normal(0, 0.05, acc.shape)
    gyr = np.column_stack([0.3 * np.sin(ph / 2), 0.2 * np.cos(ph / 2), 0.1 * np.sin(ph)])
    data = np.column_stack([t, acc, gyr])
    with open(path, "w") as fh:
        fh.write("time_s,ax,ay,az,gx,gy,gz\n")
        np.savetxt(fh, data, fmt=["%.4f"] + ["%.5f"] * 6, delimiter=",")
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jitter", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "imu.csv"
        n = make_csv(p, a.hours, a.rate, a.jitter)
        size = p.stat().st_size / 1e6
        times = []
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            rec = gait.load(p)
            times.append(time.perf_counter() - t0)
        best = min(times)
        s = rec.streams[0]
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"file: {a.hours:g} h at {a.rate:g} Hz, {n} rows x 7 columns, {size:.1f} MB"
              f"{' (jittered timestamps)' if a.jitter else ''}")
        print(f"load (best of {a.repeat}): {best:.3f} s  ({n / best / 1e6:.1f} M rows/s; "
              f"all runs {', '.join(f'{x:.3f}' for x in times)})")
        print(f"target 1 s: ratio {best / 1.0:.2f} of target ({'OK' if best < 1 else 'SLOW'})")
        print(f"grid: {s.sample_rate_hz:g} Hz, {s.n_samples} samples; peak RSS {maxrss:.0f} MB")


if __name__ == "__main__":
    main()
