"""Can a pocket thigh's own swing time both legs' contacts? (issue 18, round 2: a rejected idea)

The idea: in walking the hip reaches its peak extension at ~50-55 % of the gait cycle, near the
contralateral initial contact, and its peak flexion in terminal swing (~85-90 %), before the
ipsilateral one (Perry & Burnfield 2010, "Gait analysis", 2nd ed.; Winter 1991, "The
biomechanics and motor control of human gait"). If both contacts followed the two thigh
extremes by constant fractions of a step, both legs' ICs would come from one signal, their
timing errors would share their source and the step SI would be unbiased: the ratio of the
intervals flexion maximum -> extension maximum and extension maximum -> flexion maximum,
corrected by the two constant phase offsets.

For every virtual front-pocket (thigh) file of ../shared/validation with force-plate or annotated
contacts (fukuchi2017 running, fukuchi2018 slow walking, gaitkit Parkinson's walking) this prints
the thigh extremes' lags behind the contacts, in step periods (median over the walk):

* ``a`` = own IC - flexion maximum (the last before it, within 0.6 step periods);
* ``b`` = contralateral IC - extension maximum (the nearest, within +-0.5 step periods);

and ``a - b``, the only quantity the step SI of the method depends on: a constant ``a - b``
error ``e`` (step periods) gives a step SI error of ``200 e`` points. Then the method's step SI
with the two offsets calibrated leave-one-subject-out within the gait (walk, run: the median
``a`` and ``b`` of the other subjects' files), through the report's step rules, against the
reference's own. The extremes come from the gyroscope (the flexion-extension rate,
:func:`gait.events.pocket.thigh_rate`, zero crossings) or, accelerometer only, from the thigh's
inclination (the 0.3-2 Hz acceleration along its largest principal axis, where gravity's
component follows the thigh's pitch; extremes as the zero crossings of its derivative).

Per-step acceleration markers cannot do it either: beside each file's lags, ``peak`` is the
median delay (ms) of the vertical acceleration's maximum (3 Hz low-pass, gravity direction as
:mod:`gait.events.pocket`'s) in the 0.45 step periods after the pocket leg's own IC and after
the other leg's; their difference is a step SI error of ``200 d / T`` points if both legs' ICs
were timed from it (the simulator's thigh has none, the fukuchi2017 thighs 23-40 ms).

Result (round 2): with the gyroscope ``a - b`` ranges 0.11-0.45 step periods over the walking
files (0.07-0.18 over the runs) and differs by up to 0.19 between the left and right thighs of
one walk, so the method's step SI is off by up to 46 points (2 of 16 files within 2; the
accelerometer-only extremes are worse); the detector does not use it.

Run: ``python benchmarks/pocket_thigh_timing.py``. Needs ../shared/validation (or GAIT_SHARED).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from validate import ref_regular_step_si, regular_step_si, walks

from gait.events.pocket import thigh_rate
from gait.preprocess import bandpass, gravity_direction, lowpass

DATASETS = {"fukuchi2017": "run", "fukuchi2018": "walk", "gaitkit": "walk"}


def thigh_extremes(t: np.ndarray, acc: np.ndarray, gyr: np.ndarray | None, fs: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Times (s) of the thigh's flexion and extension maxima.

    Gyroscope: zero crossings of the flexion rate (:func:`gait.events.pocket.thigh_rate`, signed
    so that its fastest rotation, the swing, is positive: Winter 1991); + -> - is a flexion
    maximum. Accelerometer only (``gyr`` None): the 0.3-2 Hz acceleration along its largest
    principal axis (gravity's component along the sensor's fore-aft axis follows the pitch),
    its derivative's zero crossings; the sign is taken so that its fastest change is positive,
    as for the rate.
    """
    if gyr is not None:
        r = thigh_rate(acc, gyr, fs)
    else:
        a = bandpass(acc, fs, 0.3, 2.0)
        _, vec = np.linalg.eigh(a.T @ a)
        r = np.gradient(a @ vec[:, -1]) * fs
    r = lowpass(r, fs, 3.0)
    if np.percentile(r, 99) < -np.percentile(r, 1):
        r = -r
    down = np.flatnonzero((r[:-1] > 0) & (r[1:] <= 0))
    up = np.flatnonzero((r[:-1] < 0) & (r[1:] >= 0))
    return t[down], t[up]


def lags(flex: np.ndarray, ext: np.ndarray, own: np.ndarray, contra: np.ndarray, step: float
         ) -> tuple[float, float]:
    """Median ``a`` (own IC - last flexion maximum within 0.6 steps before it) and ``b``
    (contralateral IC - nearest extension maximum within +-0.5 steps), in step periods."""
    a = []
    for e in own:
        c = flex[(flex <= e) & (flex >= e - 0.6 * step)]
        if len(c):
            a.append((e - c[-1]) / step)
    b = []
    for e in contra:
        c = ext[np.abs(ext - e) <= 0.5 * step]
        if len(c):
            b.append((e - c[np.argmin(np.abs(c - e))]) / step)
    return (float(np.median(a)) if a else float("nan"),
            float(np.median(b)) if b else float("nan"))


def method_ics(flex: np.ndarray, ext: np.ndarray, a: float, b: float, side: str
               ) -> list[dict]:
    """The method's ICs: own = flexion maximum + ``a`` steps, other = extension maximum + ``b``
    steps; the step period is half the median interval of the flexion maxima (no reference)."""
    step = 0.5 * float(np.median(np.diff(flex)))
    other = "L" if side == "R" else "R"
    ic = [{"t": float(x + a * step), "side": side} for x in flex]
    ic += [{"t": float(x + b * step), "side": other} for x in ext]
    return sorted(ic, key=lambda e: e["t"])


def loading_peak_delay(t: np.ndarray, acc: np.ndarray, fs: float, ics: np.ndarray, step: float
                       ) -> float:
    """Median delay (ms) of the vertical acceleration's maximum (3 Hz low-pass) in the 0.45
    step periods after each IC of ``ics`` (s)."""
    up = gravity_direction(acc, fs)
    v = lowpass(np.einsum("ij,ij->i", acc, up), fs, 3.0)
    d = []
    for e in ics:
        idx = np.flatnonzero((t >= e) & (t <= e + 0.45 * step))
        if len(idx) > 2:
            d.append(t[idx[np.argmax(v[idx])]] - e)
    return 1000 * float(np.median(d)) if d else float("nan")


def main() -> int:
    rows = []
    for ds, rp, ref in walks():
        gait_kind = next((g for k, g in DATASETS.items() if ds.startswith(k)), None)
        if gait_kind is None:
            continue
        ic = ref["initial_contacts"]
        for side in "LR":
            f = rp.parent / ref["imu_files"][("left" if side == "L" else "right") + "_pocket"]
            df = pd.read_csv(f)
            t = df["time_s"].to_numpy(float)
            fs = 1.0 / float(np.median(np.diff(t)))
            acc = df[["ax", "ay", "az"]].to_numpy(float)
            gyr = df[["gx", "gy", "gz"]].to_numpy(float)
            own = np.array([e["t"] for e in ic if e["side"] == side])
            contra = np.array([e["t"] for e in ic if e["side"] != side])
            step = float(np.median(np.diff(np.sort(np.concatenate([own, contra])))))
            peak = (loading_peak_delay(t, acc, fs, own, step),
                    loading_peak_delay(t, acc, fs, contra, step))
            for sensor, g in (("acc+gyro", gyr), ("acc only", None)):
                flex, ext = thigh_extremes(t, acc, g, fs)
                a, b = lags(flex, ext, own, contra, step)
                rows.append(dict(ds=ds[:11], walk=ref["walk"], subject=ref["walk"].split("_")[0],
                                 gait=gait_kind, side=side, sensor=sensor, a=a, b=b, flex=flex,
                                 ext=ext, ref=ref, peak=peak))
    print("thigh extremes' lags behind the contacts (step periods) and the method's step SI "
          "error with the offsets calibrated leave-one-subject-out (issue 18 target: within 2)")
    for r in rows:
        others = [o for o in rows if o["gait"] == r["gait"] and o["sensor"] == r["sensor"]
                  and o["subject"] != r["subject"]]
        a_c = float(np.nanmedian([o["a"] for o in others] or [np.nan]))
        b_c = float(np.nanmedian([o["b"] for o in others] or [np.nan]))
        got = regular_step_si(method_ics(r["flex"], r["ext"], a_c, b_c, r["side"]),
                              r["ref"].get("walking_bouts") or [], pad=0.1)
        want = ref_regular_step_si(r["ref"])
        print(f"{r['ds']} {r['walk'][:16]:16} {r['side']}_pocket {r['sensor']}: a {r['a']:.3f} "
              f"b {r['b']:+.3f} a-b {r['a'] - r['b']:.3f} | LOSO a {a_c:.3f} b {b_c:+.3f}: "
              f"step SI {got:+6.1f} vs {want:+6.1f}: error {got - want:+6.1f} | peak own "
              f"{r['peak'][0]:+4.0f} other {r['peak'][1]:+4.0f} ms", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
