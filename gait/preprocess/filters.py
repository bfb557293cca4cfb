"""Gap filling and zero-phase Butterworth filters (second-order sections, designed once per set
of parameters).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from gait import dsp


def fill_gaps(x: np.ndarray) -> np.ndarray:
    """Linear fill of NaN stretches (for filtering only; callers keep the gap mask)."""
    x = np.array(x, dtype=np.float64, copy=True)
    one_d = x.ndim == 1
    x2 = x[:, None] if one_d else x
    idx = np.arange(len(x2))
    for j in range(x2.shape[1]):
        bad = np.isnan(x2[:, j])
        if bad.all():
            x2[:, j] = 0.0
        elif bad.any():
            x2[bad, j] = np.interp(idx[bad], idx[~bad], x2[~bad, j])
    return x2[:, 0] if one_d else x2


def _gapless(x: np.ndarray) -> np.ndarray:
    """``x`` as float64 when it has no NaN (not copied: the filters do not write to it), else
    :func:`fill_gaps` of it."""
    x = np.asarray(x, dtype=np.float64)
    return fill_gaps(x) if np.isnan(x).any() else x


@lru_cache(maxsize=64)
def _butter(order: int, wn: float | tuple[float, float], btype: str, fs: float) -> np.ndarray:
    return dsp.butter(order, wn, btype, fs)


def butter_sos(order: int, wn: float | tuple[float, float], btype: str, fs: float) -> np.ndarray:
    """Butterworth second-order sections (:func:`gait.dsp.butter`), designed once per set of
    arguments (the same filters are otherwise redesigned for every stream and chunk)."""
    return _butter(order, wn, btype, fs).copy()


def lowpass(x: np.ndarray, fs: float, fc: float, order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth low-pass along axis 0 (NaN gaps bridged for the filter)."""
    fc = min(fc, 0.45 * fs)
    sos = butter_sos(order, fc, "low", fs)
    x = _gapless(x)
    if len(x) <= 3 * (2 * len(sos) + 1):
        return x.copy()
    return dsp.sosfiltfilt(sos, x, axis=0)


def bandpass(x: np.ndarray, fs: float, lo: float, hi: float, order: int = 2) -> np.ndarray:
    hi = min(hi, 0.45 * fs)
    sos = butter_sos(order, (lo, hi), "band", fs)
    x = _gapless(x)
    if len(x) <= 3 * (2 * len(sos) + 1):
        return x - np.mean(x, axis=0)
    return dsp.sosfiltfilt(sos, x, axis=0)
