"""Time base of the trojaniello2014 GAITRite reference against its own shank IMUs.

What is measured (per walk, every walk of ``trojaniello2014_uniss_stroke_imu/converted``,
elderly and stroke, the cohort from the reference JSON via ``validate.cohort_of``):

* **heel-strike transient**: on the contacting side's shank (the reference IC's side), the
  high-passed acceleration magnitude ``|acc| - gaussian(|acc|, sigma = 50 ms)``; its maximum
  within -100..+150 ms of each reference IC. Printed: the median lag of that maximum behind the
  IC and its inter-quartile range (IQR) per walk;
* **end-of-swing zero crossing** (a second, independent feature: gyroscope, not
  accelerometer): the contacting shank's sagittal angular velocity ``gy`` (positive = swing
  forward), 10 Hz low-pass (2nd-order Butterworth, zero phase); its swing peak is the maximum
  within -600..+150 ms of the IC, and the feature is the first downward zero crossing after
  that peak (linearly interpolated; none within +300 ms of the IC: not counted). Median lag and
  IQR per walk likewise.

Why it suggests a reference time offset: the tibial shock of a shank sensor arrives with foot
contact - in walking the heel-strike transient of the ground reaction force, which the tibia
carries, rises within the first ~10-20 ms of contact (Whittle MW, "Generation and attenuation
of transient impulsive forces beneath the foot: a review", Gait Posture 1999;10:264-275) - yet
here the transient falls ~75-110 ms after every GAITRite IC, on every walk, with a per-walk IQR
of ~6-20 ms (a consistent lag, not scatter). The project's own measurements (not recomputed
here) found every other IMU feature (shank gyro zero crossing, trunk impact peak, trunk
forward-acceleration peak) likewise 65-90 ms later relative to these ICs than relative to the
references of the other data sets (trunk impact peak: +118 ms here, +37..+71 ms on voisard2023,
mobgap, gaitkit, fukuchi2018). The data set's README states the GAITRite and IMU clocks are
synchronised (+-1 sample) and that the shank |acc| impact peak falls on the IC (S001: -8 ms);
this script measures the high-passed transient instead and finds +91 ms on S001. So the copied
GAITRite ICs look ~70-100 ms early on the IMU clock. This is an inference from the IMU signals;
the data set's owners have not confirmed an offset. The gyro zero crossing follows the ICs too
(data-set median ~+37 ms, per walk ~+27..+73 ms); where it should fall relative to contact
depends on the gait (wide IQRs on the stroke walks), so on its own it is a consistency check,
not a clock measurement. The per-walk transient medians spread over ~35 ms (stroke walks
later, S004 earliest), so one constant does not fit every walk exactly: S004's lower-back ICs
lose matches after the shift.

What is scored: :func:`gait.events.detect_events` with the lower_back and the shanks
configurations, built as ``benchmarks/validate.py`` builds them (its ``walks``, ``LOCATION``,
``CONFIGS``, ``region``, ``inside``, ``score_events``, ``cohort_of`` are imported, not copied),
against (a) the reference as given and (b) the reference shifted later by ONE constant for the
whole data set: the data-set median of the per-walk median transient lags minus an assumed
physiological transient delay of :data:`TRANSIENT_DELAY_S` = 10 ms (the delay of the tibial
shock after contact; Whittle 1999 above puts the heel-strike transient within the first
~10-20 ms of contact, but no specific tibial-acceleration timing table was checked, so 10 ms is
an assumption; at 128 Hz a 10 ms change is about one sample, and the scores at the offset
+-10 ms are printed as a sensitivity check). The offset is one number for the data set - not per
walk, not per cohort, and not tuned to our detectors (it comes from the reference and the shank
accelerometers alone; our detectors' output is not used to choose it). Scoring is IC F1,
median |timing error| and L/R side accuracy per cohort and configuration, inside the reference
walking bouts (the reference ICs inside the bouts, the detections inside them +-100 ms,
one-to-one matching within +-100 ms as in validate.py; the walking bouts are first to last mat
contact, so they are shifted with the ICs). Validate.py's whole evaluation region
(``validate.region``) is scored too (JSON, and one line printed). A constant shift changes no
step or stride time, so step-time symmetry (step SI) is unaffected and not rescored here.

The data set's source settles the offset: its own evaluation routine compares the IMU contacts
with the GAITRite's plus 80 ms (``validate.REFERENCE_CLOCK_S``, where the evidence is given),
and validate.py scores on that clock (``--reference-as-given``: without it). This script is the
independent check from the IMU signals: its estimate is printed beside the source's 80 ms.

Run: ``python benchmarks/trojaniello_clock.py [--json PATH]``. Needs
../shared/validation/trojaniello2014_uniss_stroke_imu (or GAIT_SHARED); without it, prints one
line and exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import validate  # benchmarks/validate.py: walks, LOCATION, CONFIGS, scoring

import gait
from gait.dsp import butter, gaussian_filter1d, sosfiltfilt
from gait.events import detect_events

DATASET = "trojaniello2014_uniss_stroke_imu"
DATA = validate.VALIDATION / DATASET
#: assumed delay of the tibial shock (the shank |acc| heel-strike transient) after foot contact
#: in walking; see the module docstring (an assumption, not a measured value)
TRANSIENT_DELAY_S = 0.010
#: sigma of the Gaussian whose smoothed copy of |acc| is subtracted (the high-pass)
SMOOTH_SIGMA_S = 0.050
#: window of the transient's maximum around each reference IC
TRANSIENT_WIN_S = (-0.100, 0.150)
#: window of the swing peak of gy around each reference IC; the zero crossing after it must come
#: no later than GYRO_MAX_LAG_S after the IC
SWING_WIN_S = (-0.600, 0.150)
GYRO_MAX_LAG_S = 0.300
GYRO_LOWPASS_HZ = 10.0
SHANK = {"L": "left_shank", "R": "right_shank"}
SCORED_CONFIGS = ("lower_back", "shanks")


def _windows(t: np.ndarray, fs: float, n: int, win: tuple[float, float]) -> np.ndarray:
    """Sample indices of the window ``win`` (s) around each time of ``t`` (n_events x width),
    clipped to ``0 .. n - 1``."""
    off = np.arange(int(np.floor(win[0] * fs)), int(np.ceil(win[1] * fs)) + 1)
    return np.clip(np.round(t * fs).astype(int)[:, None] + off[None, :], 0, n - 1)


def transient_lags(acc: np.ndarray, fs: float, t_ic: np.ndarray) -> np.ndarray:
    """Lag (s) of the shank heel-strike transient behind each initial contact.

    Parameters
    ----------
    acc : numpy.ndarray
        Shank acceleration, n x 3 (m/s^2), sampled from time 0 at ``fs``.
    fs : float
        Sample rate (Hz).
    t_ic : numpy.ndarray
        Initial contacts of this shank's leg (s).

    Returns
    -------
    numpy.ndarray
        For each IC, the time of the maximum of ``|acc|`` minus its Gaussian-smoothed copy
        (sigma :data:`SMOOTH_SIGMA_S`) within :data:`TRANSIENT_WIN_S` of the IC, minus the IC.
    """
    t_ic = np.asarray(t_ic, dtype=float)
    if len(t_ic) == 0:
        return np.empty(0)
    mag = np.linalg.norm(acc, axis=1)
    hp = mag - gaussian_filter1d(mag, SMOOTH_SIGMA_S * fs)
    idx = _windows(t_ic, fs, len(hp), TRANSIENT_WIN_S)
    best = idx[np.arange(len(t_ic)), np.argmax(hp[idx], axis=1)]
    return best / fs - t_ic


def gyro_zero_crossing_lags(gy: np.ndarray, fs: float, t_ic: np.ndarray) -> np.ndarray:
    """Lag (s) of the shank's end-of-swing zero crossing behind each initial contact.

    Parameters
    ----------
    gy : numpy.ndarray
        Shank sagittal angular velocity (rad/s, positive = swing forward), sampled from time 0
        at ``fs``.
    fs : float
        Sample rate (Hz).
    t_ic : numpy.ndarray
        Initial contacts of this shank's leg (s).

    Returns
    -------
    numpy.ndarray
        For each IC, the first downward zero crossing of ``gy`` low-passed at
        :data:`GYRO_LOWPASS_HZ` after its swing peak (the maximum within :data:`SWING_WIN_S` of
        the IC), linearly interpolated, minus the IC; NaN where the peak is not positive or no
        crossing comes within :data:`GYRO_MAX_LAG_S` after the IC.
    """
    t_ic = np.asarray(t_ic, dtype=float)
    if len(t_ic) == 0:
        return np.empty(0)
    g = sosfiltfilt(butter(2, GYRO_LOWPASS_HZ, "low", fs=fs), np.asarray(gy, dtype=float))
    idx = _windows(t_ic, fs, len(g), SWING_WIN_S)
    rows = np.arange(len(t_ic))
    peak = idx[rows, np.argmax(g[idx], axis=1)]
    down = np.flatnonzero((g[:-1] > 0) & (g[1:] <= 0))  # g[k] > 0 >= g[k + 1]
    if len(down) == 0:
        return np.full(len(t_ic), np.nan)
    t_cross = (down + g[down] / (g[down] - g[down + 1])) / fs
    k = np.searchsorted(down, peak)  # the first crossing at or after the peak
    ok = (k < len(down)) & (g[peak] > 0)
    lag = np.full(len(t_ic), np.nan)
    lag[ok] = t_cross[k[ok]] - t_ic[ok]
    lag[lag > GYRO_MAX_LAG_S] = np.nan
    return lag


def walk_lags(ref_path: Path, ref: dict) -> dict[str, np.ndarray]:
    """Both features' lags (s) for every sided reference IC of one walk.

    Parameters
    ----------
    ref_path : pathlib.Path
        The walk's ``ref_*.json`` (its IMU files are beside it).
    ref : dict
        Its contents.

    Returns
    -------
    dict
        ``{"transient": lags, "gyro": lags}``, each over the left then the right shank's ICs
        (the contacting side's shank).
    """
    out: dict[str, list[np.ndarray]] = {"transient": [], "gyro": []}
    for side, key in SHANK.items():
        t_ic = np.array([e["t"] for e in ref["initial_contacts"] if e.get("side") == side],
                        dtype=float)
        s = gait.load(ref_path.parent / ref["imu_files"][key],
                      placement=validate.LOCATION[key]).streams[0]
        fs = float(s.sample_rate_hz)
        # lags are relative to the stream's grid; the converted files start at time 0
        t_rel = t_ic - float(s.start_s)
        out["transient"].append(transient_lags(s.acc, fs, t_rel))
        if s.gyr is not None:
            out["gyro"].append(gyro_zero_crossing_lags(s.gyr[:, 1], fs, t_rel))
    return {k: np.concatenate(v) if v else np.empty(0) for k, v in out.items()}


def lag_stats(lags: np.ndarray) -> dict[str, float]:
    """Median, IQR (ms) and count of the finite lags.

    Parameters
    ----------
    lags : numpy.ndarray
        Lags (s), NaN for an IC without the feature.

    Returns
    -------
    dict
        ``median_ms``, ``iqr_ms`` (NaN without finite lags) and ``n``.
    """
    x = np.asarray(lags, dtype=float)
    x = x[np.isfinite(x)] * 1000.0
    if len(x) == 0:
        return {"median_ms": float("nan"), "iqr_ms": float("nan"), "n": 0}
    q1, med, q3 = np.percentile(x, [25, 50, 75])
    return {"median_ms": float(med), "iqr_ms": float(q3 - q1), "n": len(x)}


def shifted(ref: dict, dt: float) -> dict:
    """The reference with every IC and walking bout moved later by ``dt`` (s).

    Parameters
    ----------
    ref : dict
        A ``ref_*.json``.
    dt : float
        Shift (s), positive = later.

    Returns
    -------
    dict
        A copy with ``initial_contacts``, ``final_contacts`` and ``walking_bouts`` shifted
        (the bouts are first to last mat contact, so they move with the contacts).
    """
    out = dict(ref)
    for key in ("initial_contacts", "final_contacts"):
        out[key] = [{**e, "t": e["t"] + dt} for e in ref.get(key) or []]
    out["walking_bouts"] = [{**b, "start": b["start"] + dt, "end": b["end"] + dt}
                            for b in ref.get("walking_bouts") or []]
    return out


def score_walk(ref_path: Path, ref: dict, config: str,
               shifts: dict[str, float]) -> dict[str, dict[str, validate.Score]]:
    """Detect once, score against the reference shifted by each of ``shifts``.

    Parameters
    ----------
    ref_path : pathlib.Path
        The walk's ``ref_*.json``.
    ref : dict
        Its contents.
    config : str
        A key of ``validate.CONFIGS``.
    shifts : dict
        Name -> shift (s) of the reference.

    Returns
    -------
    dict
        Name -> ``{"bouts": Score, "region": Score}``: ICs inside the reference walking bouts
        (detections inside them +-100 ms), and inside ``validate.region`` (validate.py's main
        IC row).
    """
    files = {validate.LOCATION[k]: ref_path.parent / v for k, v in ref["imu_files"].items()
             if k in validate.LOCATION}
    rec = gait.load({p: files[p] for p in validate.CONFIGS[config]})
    ev = detect_events(rec).events
    ic = ev[ev.kind == "IC"]
    out = {}
    for name, dt in shifts.items():
        r = shifted(ref, dt)
        wbs = sorted((b["start"], b["end"]) for b in r["walking_bouts"])
        wide = [(a - validate.TOL, b + validate.TOL) for a, b in wbs]
        out[name] = {"bouts": validate.score_events(r["initial_contacts"], ic, wbs, True, wide),
                     "region": validate.score_events(r["initial_contacts"], ic,
                                                     validate.region(r), True)}
    return out


def _f(x: float, nd: int = 2) -> str:
    return validate.fmt(x, nd)


def run(json_path: Path | None = None) -> dict[str, Any]:
    """Measure the lags, score both ways and print everything.

    Parameters
    ----------
    json_path : pathlib.Path, optional
        Where to write the results as JSON.

    Returns
    -------
    dict
        The results (per-walk lags, the offset, the scores per cohort and configuration).
    """
    t0 = time.perf_counter()
    ws = [(p, ref) for ds, p, ref in validate.walks(clock=False) if ds == DATASET]
    per_walk = []
    print(f"{DATASET}: lag of IMU features behind the GAITRite ICs (contacting side's shank)")
    print(f"{'walk':6s} {'cohort':8s} {'ICs':>4s} | {'transient med':>13s} {'IQR':>5s} | "
          f"{'gyro zero-x med':>15s} {'IQR':>5s} {'n':>4s}")
    for p, ref in ws:
        lags = walk_lags(p, ref)
        tr, gy = lag_stats(lags["transient"]), lag_stats(lags["gyro"])
        row = {"walk": ref["walk"], "cohort": validate.cohort_of(DATASET, ref),
               "transient": tr, "gyro_zero_crossing": gy}
        per_walk.append(row)
        print(f"{row['walk']:6s} {row['cohort']:8s} {tr['n']:4d} | {tr['median_ms']:+10.0f} ms "
              f"{tr['iqr_ms']:5.0f} | {gy['median_ms']:+12.0f} ms {gy['iqr_ms']:5.0f} "
              f"{gy['n']:4d}")
    med_tr = float(np.median([r["transient"]["median_ms"] for r in per_walk]))
    med_gy = float(np.nanmedian([r["gyro_zero_crossing"]["median_ms"] for r in per_walk]))
    rng = [r["transient"]["median_ms"] for r in per_walk]
    offset = med_tr / 1000.0 - TRANSIENT_DELAY_S
    print(f"data-set median (of the per-walk medians): transient {med_tr:+.0f} ms "
          f"(walks {min(rng):+.0f} .. {max(rng):+.0f}), gyro zero crossing {med_gy:+.0f} ms")
    print(f"one constant for the data set: reference shifted by {med_tr:+.0f} - "
          f"{1000 * TRANSIENT_DELAY_S:.0f} (assumed tibial-shock delay after contact) = "
          f"{1000 * offset:+.0f} ms (later); the data set's own evaluation routine: "
          f"{1000 * validate.REFERENCE_CLOCK_S[DATASET]:+.0f} ms")

    shifts = {"as given": 0.0, "shifted": offset, "shifted-10ms": offset - 0.010,
              "shifted+10ms": offset + 0.010}
    totals: dict[tuple[str, str, str, str], validate.Score] = {}
    for p, ref in ws:
        cohort = validate.cohort_of(DATASET, ref)
        for cfg in SCORED_CONFIGS:
            for name, scores in score_walk(p, ref, cfg, shifts).items():
                for where, s in scores.items():
                    totals.setdefault((cohort, cfg, name, where), validate.Score()).add(s)
    cohorts = sorted({r["cohort"] for r in per_walk}, key=lambda c: (c != "stroke", c))
    scores = {f"{c}/{cfg}/{name}/{where}": s.row() for (c, cfg, name, where), s in
              sorted(totals.items())}

    print(f"\nIC scores inside the reference walking bouts (+-{1000 * validate.TOL:.0f} ms, "
          f"one-to-one), reference as given vs shifted by {1000 * offset:+.0f} ms")
    print(f"{'cohort':8s} {'config':10s} {'refs':>4s} | {'as given: F1':>12s} {'med':>4s} "
          f"{'L/R':>5s} | {'shifted: F1':>11s} {'med':>4s} {'L/R':>5s} | F1 at offset -/+10 ms")
    for c in cohorts:
        for cfg in SCORED_CONFIGS:
            a, b = (totals[(c, cfg, n, "bouts")].row() for n in ("as given", "shifted"))
            lo, hi = (totals[(c, cfg, n, "bouts")].row()["F1"]
                      for n in ("shifted-10ms", "shifted+10ms"))
            print(f"{c:8s} {cfg:10s} {a['n_ref']:4d} | {_f(a['F1']):>12s} "
                  f"{_f(a['med_ms'], 0):>4s} {_f(a['LR_acc']):>5s} | {_f(b['F1']):>11s} "
                  f"{_f(b['med_ms'], 0):>4s} {_f(b['LR_acc']):>5s} | {_f(lo)} / {_f(hi)}")
    print("validate.py's whole evaluation region (bouts, turns, pauses), IC F1 as given -> "
          "shifted: " + "; ".join(
              f"{c} {cfg} {_f(totals[(c, cfg, 'as given', 'region')].row()['F1'])} -> "
              f"{_f(totals[(c, cfg, 'shifted', 'region')].row()['F1'])}"
              for c in cohorts for cfg in SCORED_CONFIGS))
    print("Step SI: unaffected - a constant shift changes no step or stride time.")
    print("validate.py's acceptance figures stay on the reference as given; this is a "
          f"diagnostic. ({time.perf_counter() - t0:.1f} s)")
    out = {"dataset": DATASET, "transient_delay_assumed_ms": 1000 * TRANSIENT_DELAY_S,
           "per_walk": per_walk, "dataset_median_transient_lag_ms": med_tr,
           "dataset_median_gyro_zero_crossing_lag_ms": med_gy,
           "reference_shift_ms": 1000 * offset, "scores": scores,
           "note": "scores: cohort/config/reference (as given, shifted, shifted-+10ms)/where "
                   "(bouts: inside the reference walking bouts; region: validate.region); step "
                   "SI is unaffected by a constant shift"}
    if json_path is not None:
        json_path.write_text(json.dumps(validate._strict(out), indent=2, allow_nan=False))
    return out


def main() -> int:
    """Command line entry point.

    Returns
    -------
    int
        Exit status (0, also when the data are missing).
    """
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", type=Path, help="write the results as JSON")
    a = ap.parse_args()
    if not (DATA / "converted").is_dir():
        print(f"skipped: {DATASET} not found at {DATA} (needs ../shared/validation or "
              "GAIT_SHARED)")
        return 0
    run(a.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
