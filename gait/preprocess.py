"""Filtering and alignment of a sensor's signals to the body, whatever its orientation.

Gravity is found from the accelerometer itself (low-pass, 0.25 Hz by default, per sample, so a
slowly re-orienting phone in a pocket is followed); the vertical acceleration is the projection
of acceleration on that direction minus 1 g. The walking (anterior-posterior, AP) direction is
the principal direction of horizontal acceleration at the step frequency band; medio-lateral
(ML) completes a right-handed frame (Moe-Nilssen 1998, "A new method for evaluating motor
control in gait under real-life environmental conditions. Part 1: The instrument", Clin Biomech
13:320-327, for the tilt correction of trunk accelerometers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal

from gait.recording import G, SensorStream


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


def lowpass(x: np.ndarray, fs: float, fc: float, order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth low-pass along axis 0 (NaN gaps bridged for the filter)."""
    fc = min(fc, 0.45 * fs)
    sos = signal.butter(order, fc, fs=fs, output="sos")
    x = fill_gaps(x)
    if len(x) <= 3 * (2 * len(sos) + 1):
        return x
    return signal.sosfiltfilt(sos, x, axis=0)


def bandpass(x: np.ndarray, fs: float, lo: float, hi: float, order: int = 2) -> np.ndarray:
    hi = min(hi, 0.45 * fs)
    sos = signal.butter(order, [lo, hi], btype="band", fs=fs, output="sos")
    x = fill_gaps(x)
    if len(x) <= 3 * (2 * len(sos) + 1):
        return x - np.mean(x, axis=0)
    return signal.sosfiltfilt(sos, x, axis=0)


def gravity_direction(acc: np.ndarray, fs: float, fc: float = 0.25) -> np.ndarray:
    """Unit vector of gravity in the device frame for every sample (N x 3)."""
    g = lowpass(acc, fs, fc, order=2)
    n = np.linalg.norm(g, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return g / n


@dataclass
class BodySignals:
    """Signals in a body frame: vertical (up, gravity removed), AP, ML; gyro likewise."""

    fs: float
    v: np.ndarray
    ap: np.ndarray
    ml: np.ndarray
    gyr_v: np.ndarray | None
    gyr_ap: np.ndarray | None
    gyr_ml: np.ndarray | None
    up: np.ndarray  # N x 3 unit vectors (device frame)
    ap_dir: np.ndarray  # N x 3
    missing: np.ndarray  # bool mask of samples that were NaN in the source


def principal_horizontal(acc_h: np.ndarray) -> np.ndarray:
    """Direction (unit 3-vector) of the largest variance of horizontal acceleration."""
    a = acc_h - np.mean(acc_h, axis=0)
    cov = a.T @ a / max(len(a) - 1, 1)
    w, vec = np.linalg.eigh(cov)
    return vec[:, int(np.argmax(w))]


def to_body(stream: SensorStream, gravity_fc: float = 0.25, window_s: float = 10.0
            ) -> BodySignals:
    """Vertical / AP / ML components of a stream's acceleration (and angular rate).

    The AP direction is re-estimated in windows of ``window_s`` (PCA of the horizontal
    acceleration band-passed around the step frequency, 0.5-3 Hz) and interpolated, so turns
    and a phone turning in a pocket are followed. AP's sign is ambiguous from PCA: it is chosen
    so that forward acceleration leads vertical acceleration by a quarter step cycle (trunk
    accelerates forward after heel strike), which holds for walking trunk signals
    (Zijlstra & Hof 2003); ML = up x AP.
    """
    fs = stream.sample_rate_hz
    missing = np.isnan(stream.acc).any(axis=1)
    acc = fill_gaps(stream.acc)
    up = gravity_direction(acc, fs, gravity_fc)
    v = np.einsum("ij,ij->i", acc, up) - G
    acc_h = acc - (v + G)[:, None] * up
    band = bandpass(acc_h, fs, 0.5, 3.0)
    n = len(acc)
    w = max(int(window_s * fs), 1)
    centers, dirs = [], []
    ref: np.ndarray | None = None
    for s0 in range(0, n, w // 2 or 1):  # a loop over windows (a few per minute), not samples
        seg = slice(s0, min(n, s0 + w))
        d = principal_horizontal(band[seg])
        if ref is not None and np.dot(d, ref) < 0:
            d = -d
        ref = d
        centers.append(min(n - 1, s0 + w // 2))
        dirs.append(d)
        if s0 + w >= n:
            break
    dirs_a = np.array(dirs)
    if len(centers) == 1:
        ap_dir = np.repeat(dirs_a, n, axis=0)
    else:
        ap_dir = np.column_stack([np.interp(np.arange(n), centers, dirs_a[:, j]) for j in range(3)])
    # keep AP horizontal and unit
    ap_dir = ap_dir - np.einsum("ij,ij->i", ap_dir, up)[:, None] * up
    ap_dir /= np.maximum(np.linalg.norm(ap_dir, axis=1, keepdims=True), 1e-9)
    ap = np.einsum("ij,ij->i", acc, ap_dir)
    ml_dir = np.cross(up, ap_dir)
    ml = np.einsum("ij,ij->i", acc, ml_dir)
    # sign of AP: forward acceleration peaks shortly after vertical acceleration peaks (loading)
    vb = bandpass(v, fs, 0.5, 3.0)
    apb = bandpass(ap, fs, 0.5, 3.0)
    lag = int(0.25 * fs)
    c = [float(np.dot(vb[: n - k], apb[k:])) for k in range(0, max(lag, 1))]
    if len(c) and np.mean(c) < 0:
        ap_dir, ap, ml_dir, ml = -ap_dir, -ap, -ml_dir, -ml
    gv = gap = gml = None
    if stream.gyr is not None:
        gyr = fill_gaps(stream.gyr)
        gv = np.einsum("ij,ij->i", gyr, up)
        gap = np.einsum("ij,ij->i", gyr, ap_dir)
        gml = np.einsum("ij,ij->i", gyr, ml_dir)
    return BodySignals(fs, v, ap, ml, gv, gap, gml, up, ap_dir, missing)
