"""Which per-side "impact" definition can be trusted? Real foot-vs-trunk agreement and simulator.

Real data (voisard2023, 24 walks of 12 healthy subjects, two trials each, lower back + both
feet at 100 Hz): at the *reference* initial contacts (so detection errors do not confound), each
candidate trunk definition gives a per-walk impact symmetry index (SI, % of the mean, left
positive). The foot sensors measure each foot's own heel strike independently of the trunk; the
foot SI is the peak acceleration magnitude of each foot sensor from 20 ms before to 80 ms after
its reference ICs (orientation-free; ``foot hp20`` = peak of the vertical acceleration
high-passed at 20 Hz, the foot definition of the report). Printed per candidate: the Pearson
correlation of trunk SI with foot SI across the walks (``r_foot``: magnitude, ``r_hp20``: the
report's foot definition), test-retest agreement of the SI between trials T1 and T2 of a subject
(ICC(2,1), absolute agreement) and the mean and SD of the SI over the healthy walks. The
step-level column ``r_step`` is the pooled within-walk, within-side correlation of per-step trunk
and foot values (z-scores), i.e. whether the trunk value follows the foot's heel strike from step
to step.

Simulator (:func:`gait.simulate.simulate`, lower back and feet, true ICs, 3 seeds, 90 s): mean
error (points) of the candidate's SI against the simulated transient's SI when asked for impact
10 % alone and for stance 8 % alone (a stance-only asymmetry should give no impact SI).

Run: ``python benchmarks/validate_impact.py [--sim-only|--real-only]``. Needs ../shared/validation.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from pathlib import Path

import numpy as np
from scipy import signal

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gait
from gait.preprocess import fill_gaps, to_body
from gait.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GAIT_SHARED", ROOT.parent / "shared")).resolve()
VOISARD = SHARED / "validation" / "voisard2023_ipol_healthy" / "converted"
LOC = {"lowerback": "lower_back", "left_foot": "left_foot", "right_foot": "right_foot"}

#: band (low, high or None = high-pass), window (s around the IC), statistic
BANDS = {"hp3": (3.0, None), "hp6": (6.0, None), "hp8": (8.0, None), "hp10": (10.0, None),
         "bp5-15": (5.0, 15.0), "bp10-20": (10.0, 20.0), "bp15-30": (15.0, 30.0)}
WINDOWS = {"-30+100": (-0.03, 0.10), "-30+150": (-0.03, 0.15), "0+150": (0.0, 0.15)}
STATS = ("peak", "p2p", "rms")
CURRENT = ("hp3", "-30+100", "peak")


def filt(x: np.ndarray, fs: float, band: tuple[float, float | None]) -> np.ndarray:
    """Zero-phase 2nd-order Butterworth high- or band-pass, NaN kept."""
    lo, hi = band
    sos = signal.butter(2, lo if hi is None else (lo, hi), "high" if hi is None else "band",
                        fs=fs, output="sos")
    y = signal.sosfiltfilt(sos, fill_gaps(x))
    y[np.isnan(x)] = np.nan
    return y


def feature(x: np.ndarray, t: np.ndarray, start: float, fs: float, win: tuple[float, float],
            stat: str) -> np.ndarray:
    """Peak, peak-to-peak or RMS of ``x`` in ``win`` around each time of ``t``."""
    i = np.round((t - start) * fs).astype(int)
    w = i[:, None] + np.arange(round(win[0] * fs), round(win[1] * fs) + 1)[None, :]
    ok = (w >= 0) & (w < len(x))
    seg = np.where(ok, x[np.clip(w, 0, len(x) - 1)], np.nan)
    if stat == "peak":
        return np.nanmax(seg, axis=1)
    if stat == "p2p":
        return np.nanmax(seg, axis=1) - np.nanmin(seg, axis=1)
    return np.sqrt(np.nanmean(seg ** 2, axis=1))


def si(x: np.ndarray, side: np.ndarray) -> float:
    a, b = np.nanmean(x[side == "L"]), np.nanmean(x[side == "R"])
    return float(100 * (a - b) / (0.5 * (a + b)))


def icc21(a: np.ndarray, b: np.ndarray) -> float:
    """ICC(2,1), two-way random, absolute agreement (Shrout & Fleiss 1979)."""
    x = np.c_[a, b]
    n, k = x.shape
    gm = x.mean()
    msr = k * ((x.mean(1) - gm) ** 2).sum() / (n - 1)
    msc = n * ((x.mean(0) - gm) ** 2).sum() / (k - 1)
    mse = ((x - x.mean(1, keepdims=True) - x.mean(0, keepdims=True) + gm) ** 2).sum() \
        / ((n - 1) * (k - 1))
    return float((msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n))


def real_walk(ref_path: Path) -> dict:
    """Per-IC trunk candidates and foot measures of one walk at its reference ICs."""
    ref = json.loads(ref_path.read_text())
    by = {s.placement: s for s in gait.load({LOC[k]: VOISARD / v
                                             for k, v in ref["imu_files"].items()}).streams}
    ics = [e for e in ref["initial_contacts"] if e["side"] in ("L", "R") and any(
        b["start"] - 0.05 <= e["t"] <= b["end"] + 0.05 for b in ref["walking_bouts"])]
    t = np.array([e["t"] for e in ics])
    side = np.array([e["side"] for e in ics])
    # sensors can start up to 20 ms apart: put each foot's IC on the trunk's clock
    fpc = ref["extra"]["first_packet_counter"]
    f_foot = np.where(side == "L", fpc["left_foot"], fpc["right_foot"])
    t_lb = t + (f_foot - fpc["lowerback"]) / 100.0
    lb = by["lower_back"]
    v = to_body(lb).v
    out: dict = {"side": side}
    for b in BANDS:
        hp = filt(v, lb.sample_rate_hz, BANDS[b])
        for w, s in itertools.product(WINDOWS, STATS):
            out[(b, w, s)] = feature(hp, t_lb, lb.start_s, lb.sample_rate_hz, WINDOWS[w], s)
    out["foot"] = np.full(len(t), np.nan)
    out["foot_hp20"] = np.full(len(t), np.nan)
    for sd, pl in (("L", "left_foot"), ("R", "right_foot")):
        s_, m = by[pl], side == sd
        mag = np.linalg.norm(s_.acc, axis=1)
        out["foot"][m] = feature(mag, t[m], s_.start_s, s_.sample_rate_hz, (-0.02, 0.08), "peak")
        hp = filt(to_body(s_).v, s_.sample_rate_hz, (20.0, None))
        out["foot_hp20"][m] = feature(hp, t[m], s_.start_s, s_.sample_rate_hz, (-0.03, 0.10),
                                      "peak")
    return out


def real(keys: list) -> None:
    refs = sorted(VOISARD.glob("ref_*.json"))
    walks = {p.stem[4:]: real_walk(p) for p in refs}
    names = sorted(walks)
    t1 = [i for i, w in enumerate(names) if w.endswith("_T1") and w[:-1] + "2" in walks]
    t2 = [names.index(names[i][:-1] + "2") for i in t1]
    foot = {f: np.array([si(walks[w][f], walks[w]["side"]) for w in names])
            for f in ("foot", "foot_hp20")}
    print(f"voisard2023: {len(names)} walks, {len(t1)} subjects with T1 and T2")
    for f, x in foot.items():
        print(f"  {f:10} SI mean {x.mean():+5.1f} SD {x.std():4.1f}; test-retest ICC "
              f"{icc21(x[t1], x[t2]):.2f}; r with the other foot measure "
              f"{np.corrcoef(foot['foot'], foot['foot_hp20'])[0, 1]:.2f}")
    print(f"{'trunk candidate':24} {'r_foot':>6} {'r_hp20':>6} {'ICC':>5} {'mean':>6} "
          f"{'SD':>5} {'r_step':>6}")
    for key in keys:
        x = np.array([si(walks[w][key], walks[w]["side"]) for w in names])
        z = []
        for w, sd in itertools.product(names, ("L", "R")):
            m = walks[w]["side"] == sd
            a, b = walks[w][key][m], walks[w]["foot"][m]
            ok = np.isfinite(a) & np.isfinite(b)
            if ok.sum() > 4:
                z.append(np.c_[(a[ok] - a[ok].mean()) / a[ok].std(),
                               (b[ok] - b[ok].mean()) / b[ok].std()])
        zz = np.vstack(z)
        print(f"{' '.join(key):24} {np.corrcoef(x, foot['foot'])[0, 1]:6.2f} "
              f"{np.corrcoef(x, foot['foot_hp20'])[0, 1]:6.2f} {icc21(x[t1], x[t2]):5.2f} "
              f"{x.mean():+6.1f} {x.std():5.1f} {np.corrcoef(zz.T)[0, 1]:6.2f}")


def sim(keys: list, seeds: int = 3) -> None:
    cases = {"impact 10": {"impact_asym_pct": 10.0}, "stance 8": {"stance_asym_pct": 8.0}}
    for fs, g in itertools.product((100.0, 200.0), ("walk", "run")):
        err: dict = {}
        for (case, kw), seed in itertools.product(cases.items(), range(seeds)):
            rec, tr = simulate(duration_s=90, placements=("lower_back",), gait=g, fs=fs,
                               seed=seed, orientation="random", **kw)
            s = rec.streams[0]
            t = np.array([e["t"] for e in tr.initial_contacts])
            side = np.array([e["side"] for e in tr.initial_contacts])
            v = to_body(s).v
            want = float(tr.summary["impact_symmetry_index_pct"])
            for key in keys:
                x = feature(filt(v, fs, BANDS[key[0]]), t, s.start_s, fs, WINDOWS[key[1]],
                            key[2])
                err.setdefault(key, {}).setdefault(case, []).append(si(x, side) - want)
        print(f"simulator lower back, {g} {fs:g} Hz: mean SI error (points) "
              + " / ".join(cases))
        for key, e in err.items():
            print(f"  {' '.join(key):24} " + "  ".join(f"{np.mean(e[c]):+6.1f}" for c in cases))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sim-only", action="store_true")
    ap.add_argument("--real-only", action="store_true")
    ap.add_argument("--all", action="store_true", help="every band x window x statistic")
    args = ap.parse_args(argv)
    keys = list(itertools.product(BANDS, WINDOWS, STATS)) if args.all else [
        CURRENT, ("hp3", "0+150", "p2p"), ("hp6", "-30+150", "peak"),
        ("hp8", "-30+150", "peak"), ("hp10", "-30+100", "peak"), ("hp10", "-30+150", "peak"),
        ("hp10", "0+150", "peak"), ("hp10", "-30+150", "rms"), ("bp10-20", "-30+150", "peak"),
        ("bp10-20", "-30+150", "p2p"), ("bp15-30", "-30+150", "peak"),
        ("bp5-15", "-30+150", "rms")]
    if not args.sim_only:
        real(keys)
    if not args.real_only:
        sim([k for k in keys if BANDS[k[0]][1] is None or BANDS[k[0]][1] < 45])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
