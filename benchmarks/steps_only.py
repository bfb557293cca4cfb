"""Cadence with the placement hidden (:mod:`gait.events.steps_only`): the error distribution.

Every IMU file of the labelled recordings in ``../shared/validation/*/converted`` (as
``benchmarks/placement.py`` loads them) and simulated walks and runs of every placement in a
random orientation, with and without a gyroscope, are analysed by the steps-only fallback
with the placement hidden. The true cadence is the reference's: 60 over the mean interval
between consecutive initial contacts of alternating feet (within 0.7-1.3 x their median),
or half the same-foot interval where the reference has one foot; without reference contacts
(truong2019, gaitmap), gait's own cadence with the placement given. Printed: the relative
cadence error (percentiles, worst files), how many walks give no cadence, and how many are
off by more than 5 % (target: none), by placement.

Run: ``PYTHONPATH=. python benchmarks/steps_only.py``
"""

from __future__ import annotations

import json
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np

import gait
from gait.analysis.single import steps_only_overall
from gait.events.steps_only import detect
from gait.simulate import simulate

VALIDATION = Path(__file__).resolve().parents[1].parent / "shared" / "validation"
SIM_PLACEMENTS = ("lower_back", "left_foot", "right_shank", "left_pocket", "right_pocket")


def ref_cadence(contacts: list[dict]) -> float | None:
    """Steps/min from reference initial contacts ``[{"t", "side"}]`` (None under 6)."""
    if len(contacts) < 6:
        return None
    t = np.array([c["t"] for c in contacts], float)
    s = np.array([c.get("side") for c in contacts], object)
    o = np.argsort(t)
    t, s = t[o], s[o]
    alt = s[1:] != s[:-1]
    if alt.mean() > 0.8:
        d = np.diff(t)[alt]
    else:  # one foot: strides
        d = np.concatenate([np.diff(t[s == x]) / 2 for x in set(s)])
    m = np.median(d)
    d = d[(d > 0.7 * m) & (d < 1.3 * m)]
    return float(60.0 / d.mean())


def fallback(stream: gait.SensorStream) -> tuple[float | None, str]:
    so = detect(stream)
    ov = steps_only_overall(so.detection, so.per_stride, so.periods.step_s)
    return ov["cadence_spm"], so.periods.why


def group(key: str) -> str:
    k = key.replace("lowerback", "lower_back")
    for part in ("foot", "shank", "pocket"):
        if part in k:
            return part
    return "hand" if k == "inhand" else k


def real() -> list[tuple[str, str, float | None, float | None, str]]:
    rows = []
    for ref in sorted(VALIDATION.glob("*/converted/ref_*.json")):
        r = json.loads(ref.read_text())
        true = ref_cadence(r.get("initial_contacts") or [])
        for key, f in r["imu_files"].items():
            rec = gait.load(ref.parent / f)
            if true is None:
                placed = gait.load(ref.parent / f, placement=key if key not in (
                    "lowerback", "inhand") else {"lowerback": "lower_back", "inhand": "hand"}[key])
                truth = gait.analyse(placed).doc["overall"]["cadence_spm"]
            else:
                truth = true
            cad, why = fallback(rec.streams[0])
            rows.append((f"{ref.parent.parent.name}/{f}", group(key), truth, cad, why))
    return rows


def simulated(seed0: int = 3000) -> list[tuple[str, str, float | None, float | None, str]]:
    rows = []
    i = 0
    for kind in ("walk", "run"):
        for p in SIM_PLACEMENTS:
            for k, pattern in enumerate(("normal", "hemiparetic", "shuffling")
                                        if kind == "walk" else ("normal",)):
                for gyro in (True, False):
                    rec, truth = simulate(40, [p], kind, orientation="random", seed=seed0 + i,
                                          with_gyro=gyro, pattern=pattern)
                    i += 1
                    true = ref_cadence(truth.to_json()["initial_contacts"])
                    cad, why = fallback(rec.streams[0])
                    rows.append((f"sim {kind} {pattern} {p} seed {seed0 + i - 1} gyro={gyro}",
                                 group(p), true, cad, why))
    return rows


def report(title: str, rows: list[tuple[str, str, float | None, float | None, str]]) -> int:
    print(f"\n{title}")
    by: dict[str, list] = defaultdict(list)
    for r in rows:
        by[r[1]].append(r)
    off_all = 0
    print(f"{'placement':12s}{'n':>5s}{'cadence':>9s}{'none':>6s}{'>5 %':>6s}{'med |err| %':>13s}"
          f"{'p95':>7s}{'max':>7s}")
    for g, rs in sorted(by.items()):
        err = np.array([100 * (c - t) / t for _, _, t, c, _ in rs if c is not None and t])
        none = sum(c is None for _, _, _, c, _ in rs)
        off = int((np.abs(err) > 5).sum())
        off_all += off
        a = np.abs(err)
        print(f"{g:12s}{len(rs):5d}{len(err):9d}{none:6d}{off:6d}"
              + (f"{np.median(a):13.1f}{np.percentile(a, 95):7.1f}{a.max():7.1f}" if len(a)
                 else ""))
    err = np.array([100 * (c - t) / t for _, _, t, c, _ in rows if c is not None and t])
    a = np.abs(err)
    print(f"all: {len(rows)} walks, cadence for {len(err)}, none for "
          f"{sum(c is None for *_, c, _ in rows)}; |error| median {np.median(a):.1f} %, "
          f"95th {np.percentile(a, 95):.1f} %, max {a.max():.1f} %; off by more than 5 %: "
          f"{off_all}")
    for name, _, t, c, why in rows:
        if c is not None and t and abs(c - t) / t > 0.05:
            print(f"  OFF: {name}: {c:.1f} vs {t:.1f} steps/min ({why})")
    return off_all


def main() -> None:
    warnings.filterwarnings("ignore")
    off = 0
    if VALIDATION.is_dir():
        off += report("Real labelled recordings, placement hidden", real())
    off += report("Simulated, random orientation, placement hidden", simulated())
    print(f"\ncadences off by more than 5 %: {off} (target 0)")


if __name__ == "__main__":
    main()
