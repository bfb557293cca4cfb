"""Speed of the event detectors on long recordings, per placement (issue 4).

Run: ``python benchmarks/bench_events.py [--hours H] [--rate HZ] [--repeat N]
[--placement lower_back|feet|pocket ...]``

Simulates ``H`` hours (default 1) of walking at ``HZ`` (default 100) with turns and pauses
(:func:`gait.simulate.simulate`), then times :func:`gait.events.detect_events` on it, best of
``N`` (default 3), and prints seconds per hour of data, events per second, CPU time and the
ratio to the target: the events of 1 hour of 100 Hz lower-back data in under 1 s (for
comparison, issue 4 quotes mobgap's pipeline at about 15 s and scikit-digital-health's at 16 s
on such a file). Feet and pocket have no target of their own; they are printed so that a
regression shows. Only the detector is timed: simulating and loading are not.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gait.events import detect_events
from gait.recording import Recording
from gait.simulate import simulate

TARGET_S_PER_H = {"lower_back": 1.0}
PLACEMENTS = {"lower_back": ["lower_back"], "feet": ["left_foot", "right_foot"],
              "pocket": ["right_pocket"]}


def _walk(placements: list[str], hours: float, fs: float) -> Recording:
    dur = hours * 3600.0
    every = 600.0  # a turn and a pause every 10 minutes, as in a real outdoor walk
    turns = [(k * every + 100.0, 180.0 if k % 2 else -90.0) for k in range(int(dur // every))]
    pauses = [(k * every + 300.0, 20.0) for k in range(int(dur // every))]
    rec, _ = simulate(duration_s=dur, placements=placements, fs=fs, seed=8, turns=turns,
                      pauses=pauses)
    return rec


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--placement", choices=sorted(PLACEMENTS), action="append")
    a = ap.parse_args()
    print(f"{'placement':12s} {'hours':>5s} {'best s':>7s} {'cpu s':>7s} {'s/h':>6s} "
          f"{'events':>7s} {'ev/s':>9s} {'target':>7s} {'ratio':>6s}")
    for name in a.placement or list(PLACEMENTS):
        rec = _walk(PLACEMENTS[name], a.hours, a.rate)
        best, cpu, n_ev = float("inf"), float("inf"), 0
        for _ in range(a.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            det = detect_events(rec)
            best = min(best, time.perf_counter() - t0)
            cpu = min(cpu, time.process_time() - c0)
            n_ev = len(det.events)
        per_h = best / a.hours
        target = TARGET_S_PER_H.get(name)
        tgt = f"{target:.1f}" if target else "-"
        ratio = f"{per_h / target:.2f}" if target else "-"
        print(f"{name:12s} {a.hours:5.1f} {best:7.2f} {cpu:7.2f} {per_h:6.2f} {n_ev:7d} "
              f"{n_ev / best:9.0f} {tgt:>7s} {ratio:>6s}")
    print("\nratio = seconds per hour of data / target (< 1 meets it); cpu = process time, "
          "the figure to trust on a busy machine")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
