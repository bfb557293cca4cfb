"""Placement from the signal (:mod:`gait.placement`): confusion table and accuracy.

Real: every IMU file of the labelled recordings in ``../shared/validation/*/converted`` (the
``imu_files`` keys of each ``ref_*.json`` name the placement; the side of a foot, shank or
pocket is not inferred, so it is dropped; front and back pockets are ``pocket``). Simulated:
every placement of ``gait simulate``, walking and running, with a random orientation per
recording, with and without a gyroscope. A row is "correct" when the top guess is right;
"used" counts the guesses at or above the confidence threshold (the others ask for
PLACEMENT=). Run: ``PYTHONPATH=. python benchmarks/placement.py [--sim-only|--real-only]``.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections import Counter
from pathlib import Path

import gait
from gait.placement import MIN_CONFIDENCE, infer_placement
from gait.simulate import simulate

VALIDATION = Path(__file__).resolve().parents[1].parent / "shared" / "validation"
CLASSES = ("lower_back", "hand", "pocket", "foot", "shank")
SIM_PLACEMENTS = ("lower_back", "left_foot", "right_foot", "left_shank", "right_shank",
                  "left_pocket", "right_pocket")


def label(key: str) -> str:
    k = key.replace("lowerback", "lower_back")
    for part in ("foot", "shank", "pocket"):
        if part in k:
            return part
    return "hand" if k == "inhand" else k


def real() -> list[tuple[str, str, str, float]]:
    rows = []
    for ref in sorted(VALIDATION.glob("*/converted/ref_*.json")):
        r = json.loads(ref.read_text())
        for key, f in r["imu_files"].items():
            g = infer_placement(gait.load(ref.parent / f).streams[0])
            rows.append((f"{ref.parent.parent.name}/{f}", label(key), g.placement or "none",
                         g.confidence))
    return rows


def simulated(n_seeds: int = 3) -> list[tuple[str, str, str, float]]:
    rows = []
    i = 0
    for kind in ("walk", "run"):
        for p in SIM_PLACEMENTS:
            for _ in range(n_seeds):
                for gyro in (True, False):
                    rec, _ = simulate(40, [p], kind, orientation="random", seed=1000 + i,
                                      with_gyro=gyro)
                    i += 1
                    g = infer_placement(rec.streams[0])
                    rows.append((f"sim {kind} {p} seed {1000 + i - 1} gyro={gyro}", label(p),
                                 g.placement or "none", g.confidence))
    return rows


def table(title: str, rows: list[tuple[str, str, str, float]]) -> None:
    conf = Counter((t, p) for _, t, p, _ in rows)
    cols = [*CLASSES, "none"]
    print(f"\n{title}: rows true placement, columns inferred (top guess)")
    print(f"{'':12s}" + "".join(f"{c:>11s}" for c in cols) + f"{'n':>6s}{'correct':>9s}")
    for t in CLASSES:
        n = sum(conf[(t, c)] for c in cols)
        if n:
            print(f"{t:12s}" + "".join(f"{conf[(t, c)]:11d}" for c in cols)
                  + f"{n:6d}{100 * conf[(t, t)] / n:8.0f}%")
    ok = sum(t == p for _, t, p, _ in rows)
    used = [(t, p) for _, t, p, c in rows if c >= MIN_CONFIDENCE]
    print(f"accuracy (top guess): {ok}/{len(rows)} = {100 * ok / len(rows):.1f} %; used "
          f"(confidence >= {MIN_CONFIDENCE}): {len(used)}/{len(rows)}, of which correct "
          f"{sum(t == p for t, p in used)} "
          f"({100 * sum(t == p for t, p in used) / max(len(used), 1):.1f} %)")
    for name, t, p, c in rows:
        if t != p:
            print(f"  wrong: {name}: {t} -> {p} ({c:.2f})")


def main() -> None:
    warnings.filterwarnings("ignore")
    if "--sim-only" not in sys.argv:
        if VALIDATION.is_dir():
            table("Real labelled recordings (../shared/validation)", real())
        else:
            print(f"{VALIDATION} not found: real recordings skipped")
    if "--real-only" not in sys.argv:
        table("Simulated, random orientation (walk and run, with and without gyroscope)",
              simulated())


if __name__ == "__main__":
    main()
