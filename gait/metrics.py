"""Per-step parameters from the event table.

``step_table`` pairs each initial contact (IC) with the next final contact (FC) of the same
side (stance), the previous IC of the other side (step time) and the previous IC of the same
side (stride time). Definitions follow the usual temporal gait parameters (e.g. Del Din et al.
2016, "Free-living gait characteristics in ageing and Parkinson's disease", J NeuroEng Rehabil
13:46); symmetry index after Robinson et al. 1987 (J Manipulative Physiol Ther 10:172-176):
SI = 100 (L - R) / (0.5 (L + R)), positive = left larger.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from gait import dsp
from gait.parameters import NAMES
from gait.preprocess import BodySignals, bandpass, butter_sos, fill_gaps, principal_horizontal
from gait.recording import G

MAX_STRIDE_S = 2.5  # longer IC-to-IC intervals are pauses, not strides


def step_table(events: pd.DataFrame, bouts: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per IC with a side: ``side, ic, bout, fc, stance_s, step_s, stride_s, swing_s,
    double_support_s`` (the double support this IC opens, i.e. the load transfer onto this leg,
    up to the other foot's toe-off; Perry 1992's initial double limb support).

    Parameters are NaN where the neighbouring event is missing, on the wrong side, in another
    bout or too far away to belong to the same step.
    """
    ev = events[events["side"].isin(["L", "R"])].sort_values("t")
    ic = ev[ev["kind"] == "IC"].reset_index(drop=True)
    fc = ev[ev["kind"] == "FC"]
    n = len(ic)
    out = pd.DataFrame({"side": ic["side"].to_numpy(dtype=object), "ic": ic["t"].to_numpy(float)})
    out["bout"] = _bout_index(out["ic"].to_numpy(), bouts)
    t = out["ic"].to_numpy()
    side = out["side"].to_numpy()
    bout = out["bout"].to_numpy()
    # stance: next FC of the same side after this IC and before this side's next IC
    fc_t = np.full(n, np.nan)
    for s in ("L", "R"):
        m = side == s
        ft = np.sort(fc.loc[fc["side"] == s, "t"].to_numpy(float))
        if len(ft) == 0 or not m.any():
            continue
        ti = t[m]
        j = np.searchsorted(ft, ti, side="right")
        cand = np.where(j < len(ft), ft[np.minimum(j, len(ft) - 1)], np.nan)
        nxt = np.append(ti[1:], np.inf)
        ok = (cand < nxt) & (cand - ti < 0.75 * MAX_STRIDE_S)
        fc_t[np.flatnonzero(m)] = np.where(ok, cand, np.nan)
    out["fc"] = fc_t
    out["stance_s"] = fc_t - t
    prev_t = np.concatenate([[np.nan], t[:-1]])
    prev_side = np.concatenate([[None], side[:-1]])
    prev_bout = np.concatenate([[-2], bout[:-1]])
    step_ok = (prev_side != side) & (prev_bout == bout) & (bout >= 0)
    step = np.where(step_ok, t - prev_t, np.nan)
    step[step > MAX_STRIDE_S / 2] = np.nan
    out["step_s"] = step
    stride = np.full(n, np.nan)
    for s in ("L", "R"):
        idx = np.flatnonzero(side == s)
        if len(idx) > 1:
            d = t[idx[1:]] - t[idx[:-1]]
            same = bout[idx[1:]] == bout[idx[:-1]]
            stride[idx[1:]] = np.where(same & (d <= MAX_STRIDE_S) & (bout[idx[1:]] >= 0), d,
                                       np.nan)
    out["stride_s"] = stride
    # swing: from this IC's FC to the next IC of the same side (same bout, within a stride)
    nxt = np.full(n, np.nan)
    for s in ("L", "R"):
        idx = np.flatnonzero(side == s)
        if len(idx) > 1:
            ok_next = np.isfinite(stride[idx[1:]])
            nxt[idx[:-1]] = np.where(ok_next, t[idx[1:]], np.nan)
    out["swing_s"] = nxt - fc_t
    # double support opened by this IC (the load transfer onto this leg): until the other
    # side's next FC, if that comes before this side's own FC and before the next IC (running
    # has none: the other foot left the ground before this IC)
    ds = np.full(n, np.nan)
    t_next = np.append(t[1:], np.inf)
    for s, o in (("L", "R"), ("R", "L")):
        m = np.flatnonzero(side == s)
        fo = np.sort(fc.loc[fc["side"] == o, "t"].to_numpy(float))
        if len(fo) == 0 or len(m) == 0:
            continue
        j = np.searchsorted(fo, t[m], side="right")
        cand = np.where(j < len(fo), fo[np.minimum(j, len(fo) - 1)], np.nan)
        own = np.where(np.isfinite(fc_t[m]), fc_t[m], np.inf)
        ok = (cand < t_next[m]) & (cand < own)
        ds[m] = np.where(ok, cand - t[m], np.nan)
    out["double_support_s"] = ds
    bad_stance = (out["stance_s"] > out["stride_s"]) | (out["stance_s"] <= 0)
    out.loc[bad_stance, "stance_s"] = np.nan
    out.loc[~(out["swing_s"] > 0), "swing_s"] = np.nan
    # contacts outside every bout (turns, shuffling) keep their events but give no parameters
    out.loc[out["bout"] < 0, ["stance_s", "swing_s", "double_support_s"]] = np.nan
    return out


def _bout_index(t: np.ndarray, bouts: pd.DataFrame | None) -> np.ndarray:
    if bouts is None or len(bouts) == 0:
        return np.zeros(len(t), dtype=int)
    s = bouts["start"].to_numpy(float)
    e = bouts["end"].to_numpy(float)
    order = np.argsort(s)
    s, e = s[order], e[order]
    i = np.searchsorted(s, t + 1e-9, side="right") - 1
    inside = (i >= 0) & (t <= e[np.clip(i, 0, None)] + 1e-9)
    return np.where(inside, i, -1)


def symmetry_index(left: float, right: float) -> float:
    """Robinson 1987 SI in %: 100 (L - R) / (0.5 (L + R)); positive = left larger."""
    den = 0.5 * (left + right)
    return float(100.0 * (left - right) / den) if den else float("nan")


def per_side_means(steps: pd.DataFrame, column: str) -> dict[str, float]:
    return {s: float(np.nanmean(steps.loc[steps["side"] == s, column]))
            if steps.loc[steps["side"] == s, column].notna().any() else float("nan")
            for s in ("L", "R")}


TEMPORAL = ("stance_s", "step_s", "stride_s", "swing_s", "double_support_s")


def mark_irregular(steps: pd.DataFrame, lo: float = 0.7, hi: float = 1.3) -> pd.DataFrame:
    """Blank the temporal parameters of irregular steps (gait initiation, stops, stumbles).

    A step is irregular when its stride time, or its stance time, lies outside ``lo``..``hi``
    times the median of its side within its bout (the regular-stride rule of the Mobilise-D
    validation data, stride 0.7-1.3 x median). Its events stay; column ``regular`` says which
    steps were kept. Summaries of a long walk should describe steady walking, not its edges.
    """
    out = steps.copy()
    reg = np.ones(len(out), dtype=bool)
    keys = [out["side"], out["bout"]] if "bout" in out else [out["side"]]
    for col in ("stride_s", "stance_s"):
        if col not in out:
            continue
        med = out.groupby(keys)[col].transform("median").to_numpy(float)
        x = out[col].to_numpy(float)
        bad = np.isfinite(x) & np.isfinite(med) & ((x < lo * med) | (x > hi * med))
        reg &= ~bad
    out["regular"] = reg
    cols = [c for c in TEMPORAL if c in out]
    out.loc[~reg, cols] = np.nan
    return out


# --- signal features per step ----------------------------------------------------------------

def _windows(idx: np.ndarray, lo: int, hi: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Index matrix (steps x window) around each index, clipped, with a validity mask."""
    offs = np.arange(lo, hi)
    w = idx[:, None] + offs[None, :]
    ok = (w >= 0) & (w < n)
    return np.clip(w, 0, n - 1), ok


def impact_min_rate(highpass_hz: float) -> float:
    """Slowest sample rate that resolves the impact band above ``highpass_hz``: its Nyquist
    frequency must reach at least an octave above the band edge (a 50 Hz foot sensor, edge
    20 Hz, would keep only 20-25 Hz of a transient that rings at 20-50 Hz)."""
    return 4.0 * highpass_hz


def impact_resolved(fs: float, highpass_hz: float) -> bool:
    """Whether a sensor sampled at ``fs`` resolves the impact band (:func:`impact_min_rate`)."""
    return fs >= impact_min_rate(highpass_hz)


#: True-peak interpolation (:func:`_true_peak`): windowed-sinc taps on each side, sub-sample steps.
_TP_HALF = 8
_TP_STEPS = 8


def _tp_kernel() -> np.ndarray:
    """Interpolation matrix (taps x offsets) for :func:`_true_peak`: windowed sinc (Hann over
    +-(half+1) samples) at fractional offsets -1..1 from the sampled maximum."""
    frac = np.arange(-_TP_STEPS, _TP_STEPS + 1) / _TP_STEPS
    taps = np.arange(-_TP_HALF, _TP_HALF + 1)
    x = frac[None, :] - taps[:, None]
    return np.sinc(x) * np.cos(np.pi * x / (2 * (_TP_HALF + 1))) ** 2


_TP_KERNEL = _tp_kernel()


def _true_peak(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Peak of the band-limited signal ``x`` within one sample of each sampled maximum ``idx``.

    A short transient sampled at 100 Hz reads between its true peak and a fraction of it,
    depending on where the samples fall; the per-step scatter this adds (25 % at the foot at
    100 Hz on the simulator) swamps a 10 % asymmetry. Interpolating the band-limited signal
    between the samples (windowed sinc, 1/8 sample steps) recovers the peak, as audio
    true-peak meters do (ITU-R BS.1770-4, Annex 2). NaN where the neighbourhood has gaps.
    """
    n = len(x)
    nb = idx[:, None] + np.arange(-_TP_HALF, _TP_HALF + 1)[None, :]
    inside = (nb >= 0) & (nb < n)
    vals = np.where(inside, x[np.clip(nb, 0, n - 1)], 0.0)
    return (vals @ _TP_KERNEL).max(axis=1)


#: High-pass edge of the impact signal per sensor site (Hz): see :func:`impact_features`.
IMPACT_HIGHPASS_HZ = {"trunk": 10.0, "foot": 20.0}


def impact_features(steps: pd.DataFrame, v: np.ndarray, fs: float, start_s: float,
                    highpass_hz: float = IMPACT_HIGHPASS_HZ["trunk"],
                    window_s: tuple[float, float] = (-0.03, 0.15)) -> pd.DataFrame:
    """Heel-strike impact and loading rate per step, from vertical acceleration.

    ``v``: vertical acceleration with gravity removed (m/s^2, up positive). The heel-strike
    transient is a short, high-frequency event (Lafortune et al. 1996, J Biomech 29:1531: 10-20
    Hz at the trunk) riding on the slower load transfer between the legs, whose shape changes
    with stance timing. ``v`` is high-pass filtered at ``highpass_hz`` (zero-phase 2nd-order
    Butterworth; 10 Hz at the trunk, the lower edge of Lafortune's band; 20 Hz at the foot, above
    the foot's own swing deceleration, which ends at the IC); impact = its peak in ``window_s``
    around the IC (default 30 ms before, for IC timing error, to 150 ms after: the trunk's
    response peaks 40-70 ms after a foot-referenced IC in the voisard2023 recordings); loading
    rate = the steepest rise of the same signal in that window before the peak (m/s^3), the
    accelerometric analogue of the vertical loading rate (Zifchock et al. 2008, Gait Posture
    27:622). ``benchmarks/validate_impact.py`` compares the candidate definitions; even this one
    follows the foot-measured impact asymmetry only loosely at the trunk (README), so impact
    does not count towards the verdict. The peak is the band-limited signal's
    (:func:`_true_peak`). Not measured (NaN) when ``fs`` is below 4 x ``highpass_hz``
    (:func:`impact_resolved`).
    """
    out = steps.copy()
    n = len(v)
    if len(out) == 0 or n < 3 * fs or not impact_resolved(fs, highpass_hz):
        out["impact_ms2"] = np.nan
        out["loading_rate_ms3"] = np.nan
        return out
    sos = butter_sos(2, highpass_hz, "high", fs)
    hp = dsp.sosfiltfilt(sos, fill_gaps(v))
    hp[np.isnan(v)] = np.nan
    ic_idx = np.round((out["ic"].to_numpy(float) - start_s) * fs).astype(int)
    w, ok = _windows(ic_idx, round(window_s[0] * fs), round(window_s[1] * fs) + 1, n)
    seg = np.where(ok, hp[w], np.nan)
    filled = np.where(np.isnan(seg), -np.inf, seg)
    peak_i = np.argmax(filled, axis=1)
    peak = np.maximum(filled[np.arange(len(seg)), peak_i], _true_peak(hp, w[np.arange(len(w)),
                                                                          peak_i]))
    slope = np.diff(seg, axis=1) * fs
    before = np.arange(slope.shape[1])[None, :] < peak_i[:, None]
    slope = np.where(before & np.isfinite(slope), slope, -np.inf)
    lr = slope.max(axis=1) if slope.shape[1] else np.full(len(seg), -np.inf)
    out["impact_ms2"] = np.where(np.isfinite(peak), peak, np.nan)
    out["loading_rate_ms3"] = np.where(np.isfinite(lr), lr, np.nan)
    return out


def _standing_up(acc: np.ndarray, fs: float, walking: np.ndarray) -> np.ndarray | None:
    """Mean gravity direction (device frame) while standing still, or None (< 1 s of it)."""
    mag = np.linalg.norm(acc, axis=1)
    w = max(round(fs), 3)
    if len(mag) < 2 * w:
        return None
    # moving SD over w samples from running sums (O(n); centred so that they keep precision)
    x = np.nan_to_num(mag)
    x = x - x.mean()
    c1 = np.concatenate([[0.0], np.cumsum(x)])
    c2 = np.concatenate([[0.0], np.cumsum(x * x)])
    m = (c1[w:] - c1[:-w]) / w
    sd = np.sqrt(np.maximum((c2[w:] - c2[:-w]) / w - m * m, 0.0))
    still = np.zeros(len(mag), dtype=bool)
    still[w // 2: w // 2 + len(sd)] = sd < 0.3
    still &= ~walking & np.isfinite(mag)
    if still.sum() < fs:
        return None
    g = np.nanmean(acc[still], axis=0)
    return g / np.linalg.norm(g)


def _level_axis(acc: np.ndarray, body: BodySignals, roll_deg: np.ndarray, use: np.ndarray,
                step_hz: float) -> np.ndarray:
    """Anterior-posterior axis (unit, sensor frame) about which the pelvis's level is measured.

    :func:`gait.preprocess.to_body` takes AP as the principal direction of the horizontal
    step-band acceleration. When the pelvis drops more on one side, its roll oscillation gains
    a step-frequency part, and the gravity it tilts into the medio-lateral axis (g sin roll)
    then correlates with the fore-aft acceleration and turns that principal direction (3.5 deg
    on the simulator with a 3 deg drop asymmetry, against < 0.3 deg when symmetric). Through
    that error the forward lean of walking (a few degrees more than standing) leaks into the
    level and shrinks the drop asymmetry. The gravity the measured roll tilts sideways is
    removed before the principal direction is taken (0.2 deg on the simulator)."""
    up = body.up
    ml_dir = np.cross(up, body.ap_dir)
    acc_h = acc - (body.v + G)[:, None] * up - G * np.sin(np.radians(roll_deg))[:, None] * ml_dir
    band = bandpass(acc_h, body.fs, 0.7 * step_hz, 2.2 * step_hz)
    d = principal_horizontal(band[use])
    ap = np.nanmean(body.ap_dir[use], axis=0)
    return d if np.dot(d, ap) >= 0 else -d


def pelvic_features(steps: pd.DataFrame, acc: np.ndarray, body: BodySignals, start_s: float,
                    bouts: pd.DataFrame | None = None) -> tuple[pd.DataFrame, bool]:
    """Pelvic drop (obliquity, deg) and lateral sway (m/s^2) during each stance.

    Obliquity is the roll angle about the anterior-posterior axis. Its stride-to-stride
    oscillation comes from the integrated roll rate (band-passed 0.3-5 Hz against drift). Its
    level cannot: a pelvis that drops 4.5 deg on one side and 1.5 deg on the other oscillates
    exactly like one dropping 3 deg on both, offset by 1.5 deg. The offset is taken from the
    accelerometer: the mean gravity direction during each walking bout against the gravity
    direction while standing still (the level reference), as an angle about the AP axis
    (the static tilt method of Moe-Nilssen 1998, applied per bout; the axis from
    :func:`_level_axis`). A side's pelvic drop
    is the largest obliquity in the first 40 % of the stride after its IC (loading response
    and mid stance, when the opposite hemipelvis drops; Perry & Burnfield 2010). Without a
    standing period the level is the walking mean (returned flag False): drops are then
    relative, and their asymmetry is not meaningful. Turning samples (yaw rate above
    0.3 rad/s) are left out of the bout's mean gravity direction. Lateral sway is the peak-to-peak
    medio-lateral acceleration over the same window.
    """
    out = steps.copy()
    fs = body.fs
    n = len(body.ml)
    stride = out["stride_s"].to_numpy(float)
    med = float(np.nanmedian(stride)) if np.isfinite(stride).any() else 1.1
    win = max(round(0.4 * med * fs), 3)
    ic_idx = np.round((out["ic"].to_numpy(float) - start_s) * fs).astype(int)
    w, ok = _windows(ic_idx, 0, win, n)
    levelled = False
    with np.errstate(all="ignore"):
        ml_seg = np.where(ok, body.ml[w], np.nan)
        out["lateral_sway_ms2"] = np.nanmax(ml_seg, axis=1) - np.nanmin(ml_seg, axis=1)
        if body.gyr_ap is None or n <= 3 * fs:
            out["pelvic_drop_deg"] = np.nan
            return out, levelled
        roll = np.degrees(bandpass(np.cumsum(np.nan_to_num(body.gyr_ap)) / fs, fs, 0.3, 5.0))
        walking = np.zeros(n, dtype=bool)
        spans = []
        if bouts is not None:
            for b in bouts.itertuples(index=False):
                i0 = max(int((b.start - start_s) * fs), 0)
                i1 = min(int((b.end - start_s) * fs) + 1, n)
                if i1 > i0:
                    walking[i0:i1] = True
                    spans.append((i0, i1))
        acc_f = fill_gaps(acc)
        up0 = _standing_up(acc_f, fs, walking)
        if up0 is not None and spans:
            levelled = True
            # turning adds a centripetal acceleration that would read as a tilt: leave it out
            turning = np.zeros(n, dtype=bool)
            if body.gyr_v is not None:
                from gait.preprocess import lowpass

                turning = np.abs(lowpass(body.gyr_v, fs, 0.5)) > 0.3
            straight = walking & ~turning
            ap_all = _level_axis(acc_f, body, roll, straight, 2.0 / med) \
                if straight.sum() >= 2 * fs else None
            for i0, i1 in spans:
                keep = ~turning[i0:i1]
                if keep.sum() < 2 * fs or ap_all is None:
                    continue
                g = np.nanmean(acc[i0:i1][keep], axis=0)
                g /= np.linalg.norm(g)
                ap = ap_all - np.dot(ap_all, g) * g
                ap /= np.linalg.norm(ap)
                # the body rolls by +a about AP: gravity, seen from the sensor, turns by -a
                tilt = np.degrees(np.arctan2(np.dot(np.cross(up0, g), ap), np.dot(up0, g)))
                roll[i0:i1] -= tilt
        seg = np.where(ok, roll[w], np.nan)
        hi = np.nanmax(seg, axis=1)
        lo = np.nanmin(seg, axis=1)
        out["pelvic_drop_deg"] = np.where(np.abs(hi) >= np.abs(lo), np.abs(hi), np.abs(lo))
    return out, levelled


# --- per-side summaries and symmetry ---------------------------------------------------------

def per_side(steps: pd.DataFrame, params: list[str] | None = None) -> dict[str, dict]:
    """Mean, SD, CV (%) and n of every parameter for each side."""
    params = [p for p in (params or list(NAMES)) if p in steps]
    out: dict[str, dict] = {"L": {}, "R": {}}
    for s in ("L", "R"):
        sub = steps[steps["side"] == s]
        for p in params:
            x = sub[p].to_numpy(float)
            out[s][p] = describe_values(x[np.isfinite(x)])
    return out


def describe_values(x: np.ndarray) -> dict[str, Any]:
    """Mean, SD (n - 1), CV (% of the mean) and n of finite values; None where undefined."""
    if len(x) == 0:
        return {"mean": None, "sd": None, "cv": None, "n": 0}
    m = float(np.mean(x))
    sd = float(np.std(x, ddof=1)) if len(x) > 1 else 0.0
    return {"mean": m, "sd": sd, "cv": float(100 * sd / abs(m)) if m else None, "n": len(x)}


#: steps within this factor of the median step time count as regular in :func:`overall`
REGULAR_STEP = (0.7, 1.3)


def overall(events: pd.DataFrame, bouts: pd.DataFrame | None) -> dict[str, Any]:
    """Both legs together, sides known or not: the ICs inside bouts (``n_steps``), the time
    between consecutive ICs of a bout (``step_s``: mean, SD, CV %, n of the regular ones, within
    ``REGULAR_STEP`` x their median, so pauses and turns on the spot do not count) and the
    cadence from it (steps/min). A phone in a pocket of unknown side still gives these.

    A sensor on one leg only (every IC on one side) sees strides, not steps: its intervals are
    ``stride_s``, the cadence is 2 x the strides per minute, ``n_steps`` is 2 x its contacts,
    ``step_s`` is not measured (n 0) and ``one_leg`` names the side."""
    ics = events.loc[events["kind"] == "IC"].sort_values("t")
    ic = ics["t"].to_numpy(float)
    sides = set(ics["side"].dropna()) if "side" in ics else set()
    one_leg = sides.pop() if len(sides) == 1 and ics["side"].notna().all() else None
    bout = _bout_index(ic, bouts)
    n_steps = int((bout >= 0).sum())
    same = (bout[1:] == bout[:-1]) & (bout[1:] >= 0)
    d = np.diff(ic)[same]
    if len(d):
        med = float(np.median(d))
        d = d[(d >= REGULAR_STEP[0] * med) & (d <= REGULAR_STEP[1] * med)]
    if one_leg is not None:
        stride = describe_values(d)
        return {"n_steps": 2 * n_steps,
                "cadence_spm": 120.0 / stride["mean"] if stride["mean"] else None,
                "step_s": describe_values(np.empty(0)), "stride_s": stride,
                "one_leg": str(one_leg)}
    step = describe_values(d)
    return {"n_steps": n_steps,
            "cadence_spm": 60.0 / step["mean"] if step["mean"] else None, "step_s": step}


def stride_ids(steps: pd.DataFrame) -> np.ndarray:
    """Stride index of every step: a stride is one left step and the right step after it
    (within a bout); the bootstrap resamples whole strides so L/R pairing is kept."""
    side = steps["side"].to_numpy(dtype=object)
    bout = steps["bout"].to_numpy() if "bout" in steps else np.zeros(len(steps), int)
    new = (side == "L") | np.concatenate([[True], bout[1:] != bout[:-1]])
    return np.cumsum(new) - 1


BOOT_BLOCK = 50  # bootstrap resamples drawn at once: memory 8 B x BOOT_BLOCK x strides


def _boot_sums(per_stride: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """Column sums of ``per_stride`` (strides x m) in ``n_boot`` bootstrap resamples of the
    strides, ``BOOT_BLOCK`` resamples at a time so that memory does not grow with
    n_boot x strides. Each resample draws ``k`` stride indices with replacement and counts them
    (``np.bincount``; the counts are multinomial, as in the textbook bootstrap, and ~5x faster
    to draw than ``Generator.multinomial`` for thousands of strides); one matrix product per
    block gives the sums."""
    k = len(per_stride)
    out = np.empty((n_boot, per_stride.shape[1]))
    if k == 0 or per_stride.shape[1] == 0:
        return out
    rng = np.random.default_rng(seed)
    for i in range(0, n_boot, BOOT_BLOCK):
        b = min(BOOT_BLOCK, n_boot - i)
        idx = rng.integers(0, k, size=(b, k))
        # each resample's counts, as floats, overwrite its own indices (read first): one
        # b x k array at a time (a 24-hour walk has ~80k strides: 32 MB)
        counts = idx.view(np.float64)
        for r in range(b):
            counts[r] = np.bincount(idx[r], minlength=k)
        out[i:i + b] = counts @ per_stride
        del idx, counts  # before the next block is drawn
    return out


def symmetry(steps: pd.DataFrame, params: list[str] | None = None, n_boot: int = 2000,
             seed: int = 0, timing_sd_s: float = 0.0) -> dict[str, dict]:
    """Symmetry of each parameter with 95 % bootstrap confidence intervals.

    * ``si_pct``: Robinson et al. (1987) symmetry index of the side means,
      100 (L - R) / (0.5 (L + R)), positive = left larger;
    * ``left_share_pct``: 100 L / (L + R) (the "balance" of running watches);
    * ``gait_asymmetry_pct``: Plotnik et al. (2007) GA = 100 |ln(L / R)|;
    * ``ci95``: percentile bootstrap over strides (Efron & Tibshirani 1993), resampling whole
      strides (an L step with the R step after it) so that the pairing within a stride and the
      unequal counts per side are respected; ``n_boot`` resamples, vectorised as multinomial
      stride counts times per-stride sums (in blocks, :func:`_boot_sums`);
    * ``timing_sd_s``: the detector's systematic left/right timing uncertainty (s), the SD of
      the difference between the two sides' event-timing biases, as validated for the
      placement. Resampling strides cannot see a bias that repeats every stride, so for the
      temporal parameters it is added in quadrature: a side-specific bias ``d`` shifts the SI
      by ``100 d / mean``, giving a half-width ``1.96 * 100 * timing_sd_s / mean`` (points).
    """
    params = [p for p in (params or list(NAMES)) if p in steps]
    ids = stride_ids(steps)
    k = int(ids.max()) + 1 if len(ids) else 0
    side = steps["side"].to_numpy(dtype=object)
    tables: dict[str, list[np.ndarray]] = {}  # per stride: sum L, n L, sum R, n R
    for p in params:
        x = steps[p].to_numpy(float)
        good = np.isfinite(x)
        cols = []
        for s in ("L", "R"):
            m = good & (side == s)
            cols += [np.bincount(ids[m], weights=x[m], minlength=k) if k else np.zeros(0),
                     np.bincount(ids[m], minlength=k).astype(float) if k else np.zeros(0)]
        if cols[1].sum() >= 2 and cols[3].sum() >= 2:
            tables[p] = cols
    # side means and stride counts, then the per-stride table only once in memory
    totals = {p: (cols[0].sum() / cols[1].sum(), cols[2].sum() / cols[3].sum(),
                  int(np.sum((cols[1] > 0) | (cols[3] > 0)))) for p, cols in tables.items()}
    per_stride = (np.column_stack([c for cols in tables.values() for c in cols]) if tables
                  else np.zeros((k, 0)))
    del tables
    boot = _boot_sums(per_stride, n_boot, seed)
    del per_stride
    out: dict[str, dict] = {}
    for j, (p, (L, R, n_strides)) in enumerate(totals.items()):
        b = boot[:, 4 * j: 4 * j + 4]
        with np.errstate(all="ignore"):
            bl = b[:, 0] / b[:, 1]
            br = b[:, 2] / b[:, 3]
            bsi = 100 * (bl - br) / (0.5 * (bl + br))
            bshare = 100 * bl / (bl + br)
        bsi = bsi[np.isfinite(bsi)]
        bshare = bshare[np.isfinite(bshare)]
        si = symmetry_index(L, R)
        ci: list[float | None] = [None, None]
        if len(bsi):
            lo, hi = float(np.percentile(bsi, 2.5)), float(np.percentile(bsi, 97.5))
            if timing_sd_s > 0 and p in TEMPORAL and L + R > 0:
                sys_hw = 1.96 * 100.0 * timing_sd_s / (0.5 * (L + R))
                lo = si - float(np.hypot(si - lo, sys_hw))
                hi = si + float(np.hypot(hi - si, sys_hw))
            ci = [lo, hi]
        out[p] = {
            "si_pct": si,
            "ci95": ci,
            "left_share_pct": float(100 * L / (L + R)) if L + R else None,
            "left_share_ci95": [float(np.percentile(bshare, 2.5)),
                                float(np.percentile(bshare, 97.5))] if len(bshare) else
            [None, None],
            "gait_asymmetry_pct": float(100 * abs(np.log(L / R))) if L > 0 and R > 0 else None,
            "n_strides": n_strides,
        }
    return out


MIN_STEP_PAIRS = 10


def step_asymmetry(steps: pd.DataFrame, limit_pct: float) -> dict[str, float | int | None]:
    """Apple-style walking asymmetry: the share of step pairs whose two steps differ in time.

    Apple's Walking Asymmetry is "the percentage of time your steps with one foot are faster or
    slower than steps with the other foot" (Apple, "Measuring Walking Quality Through iPhone
    Mobility Metrics", white paper, 2021); its threshold is not published. Here every pair of
    consecutive steps of opposite sides in one bout (irregular steps left out, see
    :func:`mark_irregular`) counts as asymmetric when the two step times differ by more than
    ``limit_pct`` % of their mean; the report passes the mild step-time threshold of
    :mod:`gait.interpret` (7.7 %: the upper limit of normal step symmetry ratio, 1.08, Patterson
    et al. 2010, Gait Posture 31:241). Detector timing jitter also splits pairs, so compare
    values of one placement (e.g. over weeks), not across placements. ``None`` with fewer than
    ``MIN_STEP_PAIRS`` pairs.
    """
    x = steps["step_s"].to_numpy(float) if "step_s" in steps else np.zeros(0)
    if len(x) < 2:
        return {"asymmetric_steps_pct": None, "n_step_pairs": 0, "limit_pct": limit_pct}
    side = steps["side"].to_numpy(dtype=object)
    bout = steps["bout"].to_numpy() if "bout" in steps else np.zeros(len(x))
    a, b = x[:-1], x[1:]
    ok = np.isfinite(a) & np.isfinite(b) & (side[:-1] != side[1:]) & (bout[:-1] == bout[1:])
    diff = 100.0 * np.abs(a - b) / (0.5 * (a + b))
    n = int(ok.sum())
    pct = float(100.0 * np.mean(diff[ok] > limit_pct)) if n >= MIN_STEP_PAIRS else None
    return {"asymmetric_steps_pct": pct, "n_step_pairs": n, "limit_pct": limit_pct}


# --- trunk measures --------------------------------------------------------------------------

def _acf(x: np.ndarray) -> np.ndarray:
    """Unbiased autocorrelation of ``x`` (mean removed) normalised to 1 at lag 0, lags 0..n-1
    (zero-padded FFT of a fast length >= 2n - 1: the linear, not circular, correlation)."""
    n = len(x)
    if n < 2:
        return np.ones(n)
    x = x - np.mean(x)
    nfft = dsp.next_fast_len(2 * n - 1, real=True)
    f = np.fft.rfft(x, nfft)
    ac = np.fft.irfft(f.real ** 2 + f.imag ** 2, nfft)[:n]
    ac /= n - np.arange(n)
    ac /= ac[0] if ac[0] else 1.0
    return ac


def _acf_peak(ac: np.ndarray, lag: int) -> float:
    """Maximum of an autocorrelation (:func:`_acf`) within +-25 % of ``lag`` samples."""
    n = len(ac)
    if n < 2 * lag + 2 or lag < 2:
        return float("nan")
    lo, hi = max(int(0.75 * lag), 1), min(int(1.25 * lag) + 1, n - 1)
    return float(np.max(ac[lo:hi])) if hi > lo else float("nan")


def trunk_measures(v: np.ndarray, ap: np.ndarray, ml: np.ndarray, fs: float, start_s: float,
                   steps: pd.DataFrame, bouts: pd.DataFrame) -> dict[str, float | None]:
    """Regularity and symmetry of a trunk sensor's accelerations.

    * Step/stride regularity and their ratio (autocorrelation step symmetry) of the vertical
      acceleration within each bout (Moe-Nilssen & Helbostad 2004, J Biomech 37:121-126),
      averaged weighted by bout length;
    * harmonic ratios (Menz et al. 2003, Gait Posture 18:35-46): per stride (left IC to left IC)
      the ratio of the summed amplitudes of the first 10 even to the first 10 odd harmonics for
      vertical and AP (odd/even for ML); medians over strides. Higher = smoother, more symmetric.
    """
    out: dict[str, float | None] = dict.fromkeys(
        ("step_regularity", "stride_regularity", "autocorr_step_symmetry",
         "harmonic_ratio_v", "harmonic_ratio_ap", "harmonic_ratio_ml"))
    step_med = float(np.nanmedian(steps["step_s"])) if "step_s" in steps and \
        steps["step_s"].notna().any() else float("nan")
    if np.isfinite(step_med) and len(bouts):
        regs, w = [], []
        for b in bouts.itertuples(index=False):
            i0 = max(int((b.start - start_s) * fs), 0)
            i1 = min(int((b.end - start_s) * fs), len(v))
            seg = v[i0:i1]
            seg = seg[np.isfinite(seg)]
            if len(seg) < 4 * step_med * fs:
                continue
            ac = _acf(seg)
            a1 = _acf_peak(ac, round(step_med * fs))
            a2 = _acf_peak(ac, round(2 * step_med * fs))
            regs.append((a1, a2))
            w.append(len(seg))
        if regs:
            r = np.array(regs)
            ww = np.array(w, float)
            ok = np.isfinite(r).all(axis=1)
            if ok.any():
                a1 = float(np.average(r[ok, 0], weights=ww[ok]))
                a2 = float(np.average(r[ok, 1], weights=ww[ok]))
                out.update(step_regularity=a1, stride_regularity=a2,
                           autocorr_step_symmetry=a1 / a2 if a2 > 0 else None)
    strides = steps.loc[steps["side"] == "L", ["ic", "stride_s"]].to_numpy(float)
    # a stride runs from a left IC to the next left IC (rows whose stride_s is known end one)
    ends = strides[np.isfinite(strides[:, 1])]
    if len(ends) >= 3:
        t1 = ends[:, 0]
        t0 = t1 - ends[:, 1]
        m = 64
        grid = t0[:, None] + (t1 - t0)[:, None] * (np.arange(m) / m)[None, :]
        tt = start_s + np.arange(len(v)) / fs
        hrs = {}
        for name, sig in (("v", v), ("ap", ap), ("ml", ml)):
            sig = np.nan_to_num(sig)
            seg = np.interp(grid.ravel(), tt, sig).reshape(grid.shape)
            amp = np.abs(np.fft.rfft(seg - seg.mean(axis=1, keepdims=True), axis=1))
            even = amp[:, 2:21:2].sum(axis=1)
            odd = amp[:, 1:20:2].sum(axis=1)
            with np.errstate(all="ignore"):
                r = odd / even if name == "ml" else even / odd
            r = r[np.isfinite(r)]
            hrs[name] = float(np.median(r)) if len(r) else None
        out.update(harmonic_ratio_v=hrs["v"], harmonic_ratio_ap=hrs["ap"],
                   harmonic_ratio_ml=hrs["ml"])
    return out
