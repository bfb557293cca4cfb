"""Placement from the signal (:mod:`gait.events.placement`): fit, confusion tables and accuracy.

Real: every IMU file of the labelled recordings in ``../shared/validation/*/converted`` (the
``imu_files`` keys of each ``ref_*.json`` name the placement; the side of a foot, shank or
pocket is not inferred, so it is dropped; front and back pockets are ``pocket``; the Oxford
recordings are phones). Simulated: every placement of ``gait simulate``, walking (normal,
hemiparetic, shuffling) and running, random orientation, with and without a gyroscope; the
walks that fit the model (seeds from 5000) are not those that score it (seeds from 1000).

Tables: (1) real, with the shipped :data:`gait.events.placement.MODEL`; (2) simulated (scoring
seeds); (3) leave-one-dataset-out: for every data set (the simulator's counting as one), the
model is fitted on all the others and scores the held-out one, the blind estimate. A row is
"correct" when the top guess is right; "used" counts the guesses at or above
:data:`~gait.events.placement.MIN_CONFIDENCE` (the others ask for PLACEMENT=), a confident guess
lowered, as in :func:`gait.events.placement.infer_placement`, to its probability in the weaker half
of the walk; the threshold scan of the leave-one-dataset-out guesses is what
:data:`~gait.events.placement.MIN_CONFIDENCE` was set from.

Run: ``PYTHONPATH=. python benchmarks/placement.py [--fit]`` (``--fit`` prints the
:data:`~gait.events.placement.MODEL` literal fitted on all data).
"""

from __future__ import annotations

import json
import sys
import warnings
from collections import Counter
from pathlib import Path

import gait
from gait.events.placement import (
    MIN_CONFIDENCE,
    PlacementFeatures,
    classify,
    fit_model,
    half_agreement,
    placement_features,
)
from gait.simulate import simulate

VALIDATION = Path(__file__).resolve().parents[1].parent / "shared" / "validation"
CLASSES = ("lower_back", "hand", "pocket", "foot", "shank")
SIM_PLACEMENTS = ("lower_back", "left_foot", "right_foot", "left_shank", "right_shank",
                  "left_pocket", "right_pocket")
# name, data set, label, features, phone, features of the walk's two halves
Row = tuple[str, str, str, "PlacementFeatures | None", bool, list]


def features(stream: gait.SensorStream) -> tuple[PlacementFeatures | None, list]:
    """The walk's features and those of its two halves (the check of a confident guess)."""
    return placement_features(stream), [placement_features(stream, p) for p in (0, 1)]


def label(key: str) -> str:
    k = key.replace("lowerback", "lower_back")
    for part in ("foot", "shank", "pocket"):
        if part in k:
            return part
    return "hand" if k == "inhand" else k


def real() -> list[Row]:
    rows = []
    for ref in sorted(VALIDATION.glob("*/converted/ref_*.json")):
        r = json.loads(ref.read_text())
        ds = ref.parent.parent.name
        for key, f in r["imu_files"].items():
            feats, halves = features(gait.load(ref.parent / f).streams[0])
            rows.append((f"{ds}/{f}", ds, label(key), feats, ds == "oxford_step_counter",
                         halves))
    return rows


def simulated(seed0: int, n_seeds: int = 3) -> list[Row]:
    rows = []
    i = 0
    for kind in ("walk", "run"):
        for p in SIM_PLACEMENTS:
            for k in range(n_seeds):
                pattern = ("normal", "hemiparetic", "shuffling")[k % 3] if kind == "walk" \
                    else "normal"
                for gyro in (True, False):
                    rec, _ = simulate(40, [p], kind, orientation="random", seed=seed0 + i,
                                      with_gyro=gyro, pattern=pattern)
                    feats, halves = features(rec.streams[0])
                    rows.append((f"sim {kind} {pattern} {p} seed {seed0 + i} gyro={gyro}", "sim",
                                 label(p), feats, False, halves))
                    i += 1
    return rows


def guesses(rows: list[Row], model: dict | None = None) -> list[tuple[str, str, str, float]]:
    out = []
    for name, _, lab, f, phone, halves in rows:
        p, c = (None, 0.0) if f is None else classify(f, phone, model)[:2]
        if p is not None and c >= MIN_CONFIDENCE:  # as gait.events.placement.infer_placement
            c = min(c, half_agreement(halves, p, phone, model))
        out.append((name, lab, p or "none", c))
    return out


def fit(rows: list[Row]) -> dict:
    use = [r for r in rows if r[3] is not None]
    return fit_model([r[3] for r in use], [r[2] for r in use], [r[1] for r in use])


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
        if t != p and c >= MIN_CONFIDENCE:
            print(f"  WRONG ABOVE THRESHOLD: {name}: {t} -> {p} ({c:.2f})")
    wrong = Counter((t, p) for _, t, p, c in rows if t != p and c < MIN_CONFIDENCE)
    if wrong:
        print("  wrong below threshold (asks): " + ", ".join(
            f"{t}->{p} {n}" for (t, p), n in sorted(wrong.items())))


def scan(rows: list[tuple[str, str, str, float]]) -> None:
    print("threshold scan (held-out guesses): threshold, used, right among used")
    for thr in (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
        u = [(t, p) for _, t, p, c in rows if c >= thr]
        print(f"  {thr:4.2f} {len(u):5d} {100 * sum(t == p for t, p in u) / max(len(u), 1):6.1f} %")


def main() -> None:
    warnings.filterwarnings("ignore")
    train = simulated(5000, 6)
    have = VALIDATION.is_dir()
    rl = real() if have else []
    if not have:
        print(f"{VALIDATION} not found: real recordings skipped")
    if "--fit" in sys.argv:
        model = fit(rl + train)
        print("MODEL = {")
        for kind, nodes in model.items():
            print(f'    "{kind}": {{')
            for node, parts in nodes.items():
                print(f'        "{node}": (')
                for part in parts:
                    print("            (" + ", ".join(f"{v:.4g}" for v in part) + ",),")
                print("        ),")
            print("    },")
        print("}")
        return
    if rl:
        table("Real labelled recordings (../shared/validation), shipped model", guesses(rl))
    table("Simulated, random orientation (walk normal/hemiparetic/shuffling and run, with and "
          "without gyroscope; not the fitting walks)", guesses(simulated(1000)))
    if rl:
        held: list[tuple[str, str, str, float]] = []
        for ds in sorted({r[1] for r in rl}):
            model = fit([r for r in rl if r[1] != ds] + train)
            held += guesses([r for r in rl if r[1] == ds], model)
        sim_held = guesses(simulated(1000), fit(rl))
        table("Leave-one-dataset-out, real (each data set scored by a model fitted without it)",
              held)
        table("Leave-one-dataset-out, simulated (scored by a model fitted on real data only)",
              sim_held)
        scan(held + sim_held)


if __name__ == "__main__":
    main()
