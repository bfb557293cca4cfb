"""Regularity and symmetry of a trunk sensor's accelerations (autocorrelation and harmonic
ratios).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gait import dsp

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
    step_s = steps["step_s"].to_numpy(float) if "step_s" in steps else np.zeros(0)
    step_med = float(np.nanmedian(step_s)) if (~np.isnan(step_s)).any() else float("nan")
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
    left = steps["side"].to_numpy(dtype=object) == "L"  # (numpy: pandas' .loc costs ~0.6 ms)
    strides = np.column_stack([steps["ic"].to_numpy(float)[left],
                               steps["stride_s"].to_numpy(float)[left]])
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
            sig = sig if np.isfinite(sig).all() else np.nan_to_num(sig)  # no copy if clean
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
