"""Detection rate of the side check (:mod:`gait.events.side_check`) and what it does to the sides.

Simulated: lower-back recordings of 30 s (6 s standing first) for walk and run, with the
gesture on the left hip, on the right hip, and without it, in four mountings (nominal, upside
down, screen inwards, random orientation per seed), ``--seeds`` seeds each; per cell the share
of recordings where it is found (the right side in the walking frame's terms), and the
left/right accuracy of the ICs after :func:`gait.events.detect_events` (left-hip taps: the
documented gesture; right-hip taps: a user tapping the wrong hip swaps the walk, as it
should). Real: every lower-back recording of ``../shared/validation`` (none has the gesture):
how many report one (must be 0).

Run: ``python benchmarks/side_check.py [--seeds 10]``.
"""

from __future__ import annotations

import argparse
import json
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

import gait
from gait.events import detect_events, side_check
from gait.events.bouts import detect_bouts
from gait.preprocess import to_body
from gait.recording import SensorStream
from gait.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GAIT_SHARED", ROOT.parent / "shared")).resolve()
MOUNTS = {"nominal": None, "upside down": (0.0, 0.0, 180.0), "screen in": (0.0, 180.0, 0.0),
          "random": "random"}


def find_in(stream: SensorStream) -> side_check.SideCheck | None:
    """:func:`side_check.find` with the walking frame, as the lower-back detector calls it."""
    fs = stream.sample_rate_hz
    body0 = to_body(stream, window_s=None)
    br = detect_bouts(np.column_stack([body0.v, body0.ap]), fs, body0.gyr_v,
                      start_s=stream.start_s, lateral=body0.ml)
    if not br.gait_mask.any():
        return side_check.find(stream, body0, None)
    step_hz = float(np.nanmedian(br.step_freq[br.gait_mask]))
    body = to_body(stream, window_s=None, mask=br.gait_mask, step_hz=step_hz, like=body0,
                   step_freq=br.step_freq)
    return side_check.find(stream, body, br.gait_mask)


def one_sim(job: tuple[str, str, str | None, int]) -> dict:
    g, mount, side, seed = job
    rec, truth = simulate(30.0, gait=g, side_check=side, stand_s=6.0, seed=seed,
                          orientation=MOUNTS[mount])
    found = find_in(rec.streams[0])
    det = detect_events(rec)
    ev = det.events[det.events["kind"] == "IC"]
    lr = truth.side_accuracy(ev["t"].to_numpy(float), ev["side"].to_numpy())
    want = None if side is None else side[0].upper()
    return {"gait": g, "mount": mount, "side": side, "found": found is not None,
            "right_side": found is not None and found.side == want, "lr": lr,
            "source": det.side_source}


def one_real(path: Path) -> tuple[str, bool]:
    ref = json.loads(path.read_text())
    rec = gait.load({"lower_back": path.parent / ref["imu_files"]["lowerback"]})
    return f"{ref['dataset']}/{ref['walk']}", find_in(rec.streams[0]) is not None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    args = ap.parse_args()
    jobs = [(g, m, s, seed) for g in ("walk", "run") for m in MOUNTS
            for s in ("left", "right", None) for seed in range(args.seeds)]
    real = [p for p in sorted((SHARED / "validation").glob("*/converted/ref_*.json"))
            if "lowerback" in json.loads(p.read_text()).get("imu_files", {})]
    with ProcessPoolExecutor() as ex:
        res = list(ex.map(one_sim, jobs, chunksize=4))
        reals = list(ex.map(one_real, real))
    print(f"side check on simulated lower-back recordings ({args.seeds} seeds per cell)")
    print(f"{'gait':5} {'mounting':12} {'gesture':8} {'found':>7} {'side ok':>8} "
          f"{'L/R acc':>8}  side source")
    for g in ("walk", "run"):
        for m in MOUNTS:
            for s in ("left", "right", None):
                rr = [r for r in res if (r["gait"], r["mount"], r["side"]) == (g, m, s)]
                found = np.mean([r["found"] for r in rr])
                okside = np.mean([r["right_side"] for r in rr]) if s else float("nan")
                lr = np.nanmean([r["lr"] for r in rr])
                src = sorted({str(r["source"]) for r in rr})
                print(f"{g:5} {m:12} {s!s:8} {100 * found:6.0f}% {100 * okside:7.0f}% "
                      f"{lr:8.3f}  {', '.join(src)}")
    w = [r for r in res if r["side"]]
    wo = [r for r in res if not r["side"]]
    print(f"with the gesture: found in {sum(r['found'] for r in w)}/{len(w)} "
          f"({100 * np.mean([r['found'] for r in w]):.1f} %), the tapped side right in "
          f"{sum(r['right_side'] for r in w)}/{len(w)}; without: found in "
          f"{sum(r['found'] for r in wo)}/{len(wo)}")
    hits = [name for name, f in reals if f]
    print(f"real lower-back recordings (no gesture): found in {len(hits)}/{len(reals)}"
          + (f": {', '.join(hits)}" if hits else ""))
    by_ds: dict[str, int] = {}
    for name, _ in reals:
        by_ds[name.split("/")[0]] = by_ds.get(name.split("/")[0], 0) + 1
    print("  " + ", ".join(f"{k} {v}" for k, v in sorted(by_ds.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
