"""gait.dsp against scipy.signal: speed, agreement and import cost (issue 5).

Run: ``python benchmarks/bench_dsp.py [--seconds S] [--repeat N]``

On an ``S``-second (default 3600) 100 Hz 3-axis signal, times gait's filters with
:func:`gait.dsp.sosfiltfilt` and ``scipy.signal.sosfiltfilt`` (CPU time, best of ``N``, default
5), then :func:`gait.dsp.find_peaks` and :func:`gait.dsp.welch` as the detectors call them, and
prints ours, scipy's, the ratio (target: at most 3x scipy for the (360000, 3) filters) and the
largest difference relative to the signal. Last, the import time of ``gait.dsp`` and of
``scipy.signal`` in fresh interpreters (the reason gait.dsp exists: the 2 s budget of
``gait report`` on a 1-hour file includes start-up).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from scipy import signal
from scipy.ndimage import gaussian_filter1d

from gait import dsp

FS = 100.0
FILTERS = {  # the filters gait designs at 100 Hz
    "gravity low-pass 0.25 Hz, order 2": (2, 0.25, "low"),
    "event low-pass 5 Hz, order 4": (4, 5.0, "low"),
    "band-pass 0.5-8 Hz, order 2": (2, (0.5, 8.0), "band"),
    "impact high-pass 3 Hz, order 2": (2, 3.0, "high"),
    "anti-alias low-pass 40 Hz, order 4": (4, 40.0, "low"),
}


def cpu(f: Callable[[], object], repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        t = time.process_time()
        f()
        best = min(best, time.process_time() - t)
    return best


def import_s(module: str, repeat: int) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    root = str(Path(__file__).resolve().parents[1])
    return min(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    check=True, cwd=root).stdout) for _ in range(repeat))


def row(name: str, ours: float, ref: float, diff: float | None = None) -> None:
    d = "" if diff is None else f"  max diff {diff:.1e}"
    print(f"{name:48s} ours {ours * 1e3:7.1f} ms  scipy {ref * 1e3:7.1f} ms  "
          f"ratio {ours / ref:4.2f}{d}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=3600.0)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    n = int(a.seconds * FS)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 3)).cumsum(axis=0) * 0.05 + [0.0, 0.0, 9.81]
    print(f"signal ({n}, 3) float64, CPU time best of {a.repeat}")
    for name, (order, wn, btype) in FILTERS.items():
        sos = dsp.butter(order, wn, btype, FS)
        ref_sos = signal.butter(order, wn, btype, fs=FS, output="sos")
        assert np.array_equal(sos, ref_sos), name
        ours = dsp.sosfiltfilt(sos, x)
        ref = signal.sosfiltfilt(ref_sos, x, axis=0)
        diff = float(np.abs(ours - ref).max() / np.abs(x).max())
        row(f"sosfiltfilt {name}", cpu(lambda s=sos: dsp.sosfiltfilt(s, x), a.repeat),
            cpu(lambda s=ref_sos: signal.sosfiltfilt(s, x, axis=0), a.repeat), diff)
    v = x[:, 0] - x[:, 0].mean()
    row("sosfiltfilt 1-D, band-pass 0.5-8 Hz",
        cpu(lambda: dsp.sosfiltfilt(dsp.butter(2, (0.5, 8.0), "band", FS), v), a.repeat),
        cpu(lambda: signal.sosfiltfilt(signal.butter(2, (0.5, 8.0), "band", fs=FS,
                                                     output="sos"), v), a.repeat))
    row("butter order 4 design", cpu(lambda: dsp.butter(4, 5.0, "low", FS), a.repeat),
        cpu(lambda: signal.butter(4, 5.0, "low", fs=FS, output="sos"), a.repeat))
    # peaks of a step-like signal: lower back (distance + prominence), feet (height + distance)
    steps = np.sin(2 * np.pi * 1.8 * np.arange(n) / FS) + 0.3 * rng.standard_normal(n)
    steps = gaussian_filter1d(steps, 4.0)
    for name, kw in [("find_peaks distance+prominence", dict(distance=25, prominence=0)),
                     ("find_peaks height+distance", dict(height=0.2, distance=40))]:
        p1, q1 = dsp.find_peaks(steps, **kw)
        p2, q2 = signal.find_peaks(steps, **kw)
        assert np.array_equal(p1, p2) and all(np.array_equal(q1[k], q2[k]) for k in q2), name
        row(f"{name} ({len(p1)} peaks)", cpu(lambda kw=kw: dsp.find_peaks(steps, **kw), a.repeat),
            cpu(lambda kw=kw: signal.find_peaks(steps, **kw), a.repeat))
    w = steps[::5]  # dominant_step_hz: 20 Hz, 8 s segments
    f1, p1 = dsp.welch(w, 20.0, nperseg=160)
    f2, p2 = signal.welch(w, 20.0, nperseg=160)
    assert np.allclose(f1, f2, rtol=1e-13, atol=0)
    row("welch 20 Hz, nperseg 160", cpu(lambda: dsp.welch(w, 20.0, nperseg=160), a.repeat),
        cpu(lambda: signal.welch(w, 20.0, nperseg=160), a.repeat),
        float(np.abs(p1 - p2).max() / p2.max()))
    print(f"import (fresh interpreter, best of 3): gait.dsp {import_s('gait.dsp', 3):.3f} s, "
          f"scipy.signal {import_s('scipy.signal', 3):.3f} s, "
          f"numpy+scipy.fft+scipy.ndimage {import_s('numpy, scipy.fft, scipy.ndimage', 3):.3f} s")


if __name__ == "__main__":
    main()
