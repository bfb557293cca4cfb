"""Pelvic drop (obliquity) and lateral sway per stance, from a lower-back sensor.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gait import dsp
from gait.metrics.impact import sample_windows
from gait.preprocess import BodySignals, bandpass, fill_gaps, principal_horizontal
from gait.recording import G


def _nanmean_rows(x: np.ndarray) -> np.ndarray:
    """``np.nanmean(x, axis=0)``, the same numbers; without NaN (the usual case) ``np.mean``,
    which skips nanmean's copy with zeros and its counts."""
    return np.nanmean(x, axis=0) if np.isnan(x).any() else np.mean(x, axis=0)


def _standing_up(acc: np.ndarray, fs: float, walking: np.ndarray) -> np.ndarray | None:
    """Mean gravity direction (device frame) while standing still, or None (< 1 s of it)."""
    mag = dsp.row_norms(acc)
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
    ml_dir = body.ml_dir if body.ml_dir is not None else dsp.cross_rows(up, body.ap_dir)
    # the horizontal acceleration as to_body found it (the same numbers), less the roll's
    acc_h = body.acc_h if body.acc_h is not None else acc - (body.v + G)[:, None] * up
    acc_h = acc_h - G * np.sin(np.radians(roll_deg))[:, None] * ml_dir
    band = bandpass(acc_h, body.fs, 0.7 * step_hz, 2.2 * step_hz)
    d = principal_horizontal(band[use])
    ap = _nanmean_rows(body.ap_dir[use])
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
    w, ok = sample_windows(ic_idx, 0, win, n)
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
        # the gap-filled samples of the stream the body frame came from (the same numbers)
        acc_f = body.acc_filled if body.acc_filled is not None else fill_gaps(acc)
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
                g = _nanmean_rows(acc[i0:i1][keep])
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
