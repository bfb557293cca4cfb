"""Filtering and alignment of a sensor's signals to the body, whatever its orientation.

Gravity is found from the accelerometer itself (low-pass, 0.25 Hz by default, per sample, so a
slowly re-orienting phone in a pocket is followed); the vertical acceleration is the projection
of acceleration on that direction minus 1 g. The walking (anterior-posterior, AP) direction is
the principal direction of horizontal acceleration at the step frequency band, its sign from the
phase of AP versus vertical acceleration (Zijlstra & Hof 2003); medio-lateral (ML) completes a
right-handed frame and points left (Moe-Nilssen 1998, "A new method for evaluating motor control
in gait under real-life environmental conditions. Part 1: The instrument", Clin Biomech
13:320-327, for the tilt correction of trunk accelerometers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gait import dsp
from gait.preprocess.filters import bandpass, fill_gaps, lowpass
from gait.recording import G, SensorStream


def gravity_direction(acc: np.ndarray, fs: float, fc: float = 0.25) -> np.ndarray:
    """Unit vector of gravity in the device frame for every sample (N x 3)."""
    g = lowpass(acc, fs, fc, order=2)
    n = dsp.row_norms(g)[:, None]
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
    #: :func:`ap_sign_clarity` over the ``mask`` given to :func:`to_body`, when its AP sign was
    #: inferred over that mask (the same number, from the cross spectrum the sign came from)
    ap_clarity: float | None = None
    #: the gap-filled acceleration and angular rate (device frame) the signals were projected
    #: from, the horizontal acceleration and the ML direction (N x 3 each; for later users of
    #: the same stream: :func:`to_body`'s ``like``, :func:`gait.metrics.pelvic_features`)
    acc_filled: np.ndarray | None = field(default=None, repr=False)
    gyr_filled: np.ndarray | None = field(default=None, repr=False)
    acc_h: np.ndarray | None = field(default=None, repr=False)
    ml_dir: np.ndarray | None = field(default=None, repr=False)


def principal_horizontal(acc_h: np.ndarray) -> np.ndarray:
    """Direction (unit 3-vector) of the largest variance of horizontal acceleration."""
    a = acc_h - np.mean(acc_h, axis=0)
    cov = a.T @ a / max(len(a) - 1, 1)
    w, vec = np.linalg.eigh(cov)
    return vec[:, int(np.argmax(w))]


def principal_horizontal_windows(acc_h: np.ndarray, w: int, hop: int,
                                 chunk: int = 64) -> np.ndarray:
    """:func:`principal_horizontal` of every whole window ``acc_h[s:s + w]``, ``s = 0, hop,
    2 hop, ...`` (windows x 3): the same numbers, computed ``chunk`` windows at a time (their
    covariances as one stacked product, their eigenvectors as one stacked ``eigh``) instead of
    one call per window."""
    n_win = (len(acc_h) - w) // hop + 1 if len(acc_h) >= w else 0
    out = np.empty((n_win, 3))
    if n_win == 0:
        return out
    win = np.lib.stride_tricks.sliding_window_view(acc_h, w, axis=0)[::hop][:n_win]
    for i in range(0, n_win, chunk):  # a loop over blocks of windows
        wi = win[i:i + chunk]  # windows x 3 x w
        a = wi - np.mean(wi, axis=2, keepdims=True)
        cov = np.matmul(a, a.transpose(0, 2, 1)) / max(w - 1, 1)
        val, vec = np.linalg.eigh(cov)
        out[i:i + chunk] = vec[np.arange(len(wi)), :, np.argmax(val, axis=1)]
    return out


def step_periodic_horizontal(acc_h: np.ndarray, up: np.ndarray, lag: np.ndarray,
                             use: np.ndarray) -> np.ndarray:
    """Horizontal direction (unit 3-vector) whose acceleration repeats most from one step to
    the next: the top eigenvector of the horizontal acceleration's autocovariance at the local
    step lag (``lag``, samples per sample), over the samples ``use``.

    The trunk's forward acceleration repeats every step (braking and propulsion of each leg)
    while its sideways acceleration reverses every step and repeats every stride
    (Moe-Nilssen & Helbostad 2004, J Biomech 37:121-126), so at the step lag the AP direction
    has the largest positive autocovariance and the ML direction a negative one, however the
    powers compare. Largest variance (PCA) picks the ML axis where the sideways sway is the
    larger, as in hemiparetic gait with circumduction.
    """
    u = up[use].mean(axis=0)
    u /= np.linalg.norm(u)
    e1 = np.cross(u, [1.0, 0.0, 0.0])
    if np.linalg.norm(e1) < 0.1:
        e1 = np.cross(u, [0.0, 1.0, 0.0])
    e1 /= np.linalg.norm(e1)
    basis = np.column_stack([e1, np.cross(u, e1)])
    x = dsp.matmul(acc_h, basis)  # products of an hour's samples on one thread
    idx = np.flatnonzero(use)
    later = idx + lag[idx]
    inside = later < len(x)
    a, b = x[idx[inside]], x[later[inside]]
    c = dsp.matmul(a.T, b)
    w, vec = np.linalg.eigh(0.5 * (c + c.T))
    return basis @ vec[:, int(np.argmax(w))]


def vertical(acc: np.ndarray, fs: float, gravity_fc: float = 0.25
             ) -> tuple[np.ndarray, np.ndarray]:
    """Gravity direction per sample (N x 3) and vertical acceleration (m/s^2, up, gravity
    removed) of an N x 3 acceleration without NaN."""
    up = gravity_direction(acc, fs, gravity_fc)
    return up, dsp.row_dots(acc, up) - G


def dominant_step_hz(v: np.ndarray, fs: float, mask: np.ndarray | None = None,
                     lo: float = 0.6, hi: float = 4.0) -> float:
    """Frequency of the largest vertical-acceleration power in ``lo``-``hi`` Hz (the step
    frequency: the trunk bounces once per step)."""
    x = v[mask] if mask is not None and mask.sum() > fs * 2 else v
    q = max(int(fs // 20), 1)  # block means down to ~20 Hz (anti-aliased enough for < 4 Hz)
    if q > 1:
        x = x[: len(x) // q * q].reshape(-1, q).mean(axis=1)
        fs = fs / q
    if len(x) < 8:
        return float("nan")
    f, p = dsp.welch(x - np.mean(x), fs, nperseg=min(len(x), int(8 * fs)))
    band = (f >= lo) & (f <= hi)
    return float(f[band][np.argmax(p[band])]) if band.any() else float("nan")


def ap_sign(v: np.ndarray, ap: np.ndarray, fs: float, step_hz: float,
            mask: np.ndarray | None = None) -> float:
    """+1 if ``ap`` points forward, -1 if backward, from the step-frequency phase of AP versus
    vertical acceleration.

    Walking: the trunk's forward acceleration peaks at initial contact, before the vertical
    acceleration peaks during loading (Zijlstra & Hof 2003, "Assessment of spatio-temporal gait
    parameters from trunk accelerations during human walking", Gait Posture 18:1-10): at the
    step frequency the forward acceleration leads the vertical one by 80-170 deg (measured on
    the lower-back validation walks of two data sets with known sensor axes). Running (a flight
    phase: the vertical specific force falls to ~0, i.e. ``v`` to ~-1 g, for a good part of each
    step): a bouncing spring-mass gait brakes while the vertical force rises and propels while it
    falls (Cavagna et al. 1977, Am J Physiol 233:R243; Blickhan 1989, J Biomech 22:1217), so
    the forward acceleration lags the vertical one by ~90 deg. The sign of the imaginary part
    of the cross spectrum at the step band tells the direction.
    """
    return _ap_sign_cross(v, ap, fs, step_hz, mask)[0]


def _ap_sign_cross(v: np.ndarray, ap: np.ndarray, fs: float, step_hz: float,
                   mask: np.ndarray | None = None) -> tuple[float, complex]:
    """:func:`ap_sign` and the cross spectrum it was decided from (:func:`_step_cross`)."""
    use = mask if mask is not None and mask.sum() > fs else np.ones(len(v), dtype=bool)
    c = _step_cross(v, ap, fs, step_hz, use)
    running = is_running(v[use])
    return (1.0 if (c.imag >= 0) != running else -1.0), c


def _clarity(c: complex) -> float:
    return float(abs(c.imag) / abs(c)) if abs(c) > 0 else 0.0


def ap_sign_clarity(v: np.ndarray, ap: np.ndarray, fs: float, step_hz: float,
                    mask: np.ndarray | None = None) -> float:
    """How clearly :func:`ap_sign` decides, 0..1: |sin| of the phase between forward and
    vertical acceleration at the step frequency (1: a quarter period apart, as expected; near
    0: in phase or in anti-phase, where the sign is a coin flip)."""
    use = mask if mask is not None and mask.sum() > fs else np.ones(len(v), dtype=bool)
    return _clarity(_step_cross(v, ap, fs, step_hz, use))


def _step_cross(v: np.ndarray, ap: np.ndarray, fs: float, step_hz: float,
                use: np.ndarray) -> complex:
    """Cross spectrum of forward and vertical acceleration summed over the step band."""
    if not np.isfinite(step_hz):
        step_hz = 1.8
    lo, hi = 0.6 * step_hz, min(1.4 * step_hz, 0.45 * fs)
    vb = bandpass(v, fs, lo, hi)[use]
    ab = bandpass(ap, fs, lo, hi)[use]
    # imaginary part of the cross spectrum summed over the band = sum(ab * hilbert-quadrature of
    # vb): positive when AP leads V by 0-180 deg
    n = dsp.next_fast_len(len(vb))
    return complex(np.sum(np.fft.rfft(ab, n) * np.conj(np.fft.rfft(vb, n))))


def is_running(v: np.ndarray) -> bool:
    """Whether vertical acceleration (m/s^2, gravity removed, gait samples) has flight phases:
    its 10th percentile below -0.7 g (free fall reads -1 g; walking stays above about -0.5 g)."""
    x = v[np.isfinite(v)]
    return bool(len(x) and np.percentile(x, 10) < -0.7 * G)


def to_body(stream: SensorStream, gravity_fc: float = 0.25, window_s: float | None = 10.0,
            mask: np.ndarray | None = None, step_hz: float | None = None,
            step_freq: np.ndarray | None = None,
            forward: np.ndarray | None = None, sign: bool = True,
            like: BodySignals | None = None) -> BodySignals:
    """Vertical / AP / ML components of a stream's acceleration (and angular rate).

    Vertical is the low-passed acceleration's direction (per sample). The AP direction is the
    principal direction of the horizontal acceleration in the step band (PCA); with
    ``window_s`` it is re-estimated in windows of that length and interpolated (a phone turning
    in a pocket is followed); with ``window_s=None`` one direction is used for the whole stream
    (a sensor strapped to the body: the AP axis is fixed in the device frame, turns do not move
    it). ``mask`` (bool per sample) restricts the estimation to gait, ``step_hz`` sets the band
    (0.7-2.2 x step frequency; default 0.5-3 Hz windowed, 1.2-4 Hz global). AP's sign: forward
    acceleration leads vertical acceleration at the step frequency (:func:`ap_sign`, Zijlstra &
    Hof 2003). ML = up x AP, i.e. positive to the LEFT (right-handed frame x=AP, y=ML, z=up).
    ``step_freq`` (Hz per sample, with ``window_s=None`` and ``mask``):
    the AP direction is the most step-periodic one (:func:`step_periodic_horizontal`) instead
    of the largest-variance one. ``forward``: the device-frame direction of the wearer's forward
    stated by the user (:mod:`gait.mount`): AP is it made horizontal, and neither its direction
    nor its sign is inferred. ``sign=False``: AP's sign is left as the principal direction
    gives it (ML follows it), and the gyroscope is projected on the vertical only: for a caller
    whose use of AP and ML does not depend on their signs (autocorrelations, as
    :func:`gait.events.bouts.detect_bouts`), the step-band phase is not computed.
    ``like``: an earlier result of this function on the same stream (and ``gravity_fc``): its
    gap-filled samples, gravity direction, vertical and horizontal acceleration and vertical
    angular rate are taken over (the same numbers as computed again).
    """
    fs = stream.sample_rate_hz
    if like is not None and like.acc_filled is not None and like.acc_h is not None:
        missing, acc, up, v, acc_h = like.missing, like.acc_filled, like.up, like.v, like.acc_h
    else:
        missing = dsp.nan_rows(stream.acc)
        acc = fill_gaps(stream.acc)
        up, v = vertical(acc, fs, gravity_fc)
        acc_h = acc - (v + G)[:, None] * up
    n = len(acc)
    if step_hz is not None and np.isfinite(step_hz):
        lo, hi = 0.7 * step_hz, 2.2 * step_hz
    else:
        lo, hi = (0.5, 3.0) if window_s is not None else (1.2, 4.0)
    use = mask if mask is not None and mask.sum() > 2 * fs else np.ones(n, dtype=bool)
    if forward is not None:
        ap_dir = np.repeat(np.asarray(forward, dtype=float)[None, :], n, axis=0)
    elif window_s is None and step_freq is not None and mask is not None and use is mask:
        sf = np.where(np.isfinite(step_freq) & (step_freq > 0), step_freq,
                      step_hz if step_hz else 1.8)
        lag = np.round(fs / sf).astype(int)
        d = step_periodic_horizontal(bandpass(acc_h, fs, 0.5, 8.0), up, lag, use)
        ap_dir = np.repeat(d[None, :], n, axis=0)
    elif window_s is None:
        band = bandpass(acc_h, fs, lo, hi)  # the step band (not needed by the branches above)
        # (every sample: the band itself, not a copy of it; the same numbers)
        ap_dir = np.repeat(principal_horizontal(band if use.all() else band[use])[None, :], n,
                           axis=0)
    else:
        band = bandpass(acc_h, fs, lo, hi)
        w = max(int(window_s * fs), 1)
        centers, dirs = [], []
        ref: np.ndarray | None = None
        hop = w // 2 or 1
        # the whole windows' directions at once (the same numbers as one by one)
        whole = principal_horizontal_windows(band, w, hop)
        for i, s0 in enumerate(range(0, n, hop)):  # a loop over windows (a few per minute)
            d = whole[i] if i < len(whole) else principal_horizontal(band[s0:min(n, s0 + w)])
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
            ap_dir = np.column_stack([np.interp(np.arange(n), centers, dirs_a[:, j])
                                      for j in range(3)])
    # keep AP horizontal and unit
    ap_dir = ap_dir - dsp.row_dots(ap_dir, up)[:, None] * up
    ap_dir /= np.maximum(dsp.row_norms(ap_dir)[:, None], 1e-9)
    ap = dsp.row_dots(acc, ap_dir)
    clarity = None
    if forward is None and sign:
        sh = step_hz if step_hz is not None else dominant_step_hz(v, fs, use)
        direction, c = _ap_sign_cross(v, ap, fs, sh, use)
        if direction < 0:
            ap_dir, ap = -ap_dir, -ap
        if use is mask:  # the sign's clarity over the mask (unchanged by the flip: c -> -c)
            clarity = _clarity(c)
    ml_dir = dsp.cross_rows(up, ap_dir)
    ml = dsp.row_dots(acc, ml_dir)
    gv = gap = gml = gyr = None
    if stream.gyr is not None:
        if like is not None and like.gyr_filled is not None and like.gyr_v is not None:
            gyr, gv = like.gyr_filled, like.gyr_v
        else:
            gyr = fill_gaps(stream.gyr)
            gv = dsp.row_dots(gyr, up)
        if sign:
            gap = dsp.row_dots(gyr, ap_dir)
            gml = dsp.row_dots(gyr, ml_dir)
    return BodySignals(fs, v, ap, ml, gv, gap, gml, up, ap_dir, missing, clarity,
                       acc_filled=acc, gyr_filled=gyr, acc_h=acc_h, ml_dir=ml_dir)
