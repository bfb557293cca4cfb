"""Interpolation (Hermite, cosine, no-reversal) and the stance force model: ground reaction forces
per stance after Alexander & Jayes (1980), the impact transient, the stance phase.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from gait.simulate.config import Config


def _constant(tk: np.ndarray, pk: np.ndarray, t: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A curve through fewer than two knots: its one value (or 0), no slope, no curvature."""
    c = np.full(t.shape, pk[0] if len(tk) else 0.0)
    return c, np.zeros_like(t), np.zeros_like(t)


def _segment(tk: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each time ``t``: the index ``i`` of its knot segment, the segment's length ``h`` and
    the position ``s`` in it (0..1, clipped outside the knots)."""
    i = np.clip(np.searchsorted(tk, t, side="right") - 1, 0, len(tk) - 2)
    h = tk[i + 1] - tk[i]
    return i, h, np.clip((t - tk[i]) / h, 0.0, 1.0)


def _quintic(tk: np.ndarray, pk: np.ndarray, vk: np.ndarray, t: np.ndarray,
             ak: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quintic Hermite through knots of value ``pk``, slope ``vk`` and curvature ``ak`` (None:
    zero): p, p', p''; slope and curvature 0 outside the knots."""
    if len(tk) < 2:
        return _constant(tk, pk, t)
    i, h, s = _segment(tk, t)
    s2, s3 = s * s, s * s * s
    s4, s5 = s3 * s, s3 * s2
    p0, p1, v0, v1 = pk[i], pk[i + 1], vk[i], vk[i + 1]
    h5 = 10 * s3 - 15 * s4 + 6 * s5
    dh5 = 30 * s2 - 60 * s3 + 30 * s4
    ddh5 = 60 * s - 180 * s2 + 120 * s3
    h1 = s - 6 * s3 + 8 * s4 - 3 * s5
    dh1 = 1 - 18 * s2 + 32 * s3 - 15 * s4
    ddh1 = -36 * s + 96 * s2 - 60 * s3
    h4 = -4 * s3 + 7 * s4 - 3 * s5
    dh4 = -12 * s2 + 28 * s3 - 15 * s4
    ddh4 = -24 * s + 84 * s2 - 60 * s3
    dp = p1 - p0
    p = p0 + dp * h5 + h * (v0 * h1 + v1 * h4)
    d1 = dp * dh5 / h + v0 * dh1 + v1 * dh4
    d2 = dp * ddh5 / h ** 2 + (v0 * ddh1 + v1 * ddh4) / h
    if ak is not None:  # the curvature basis (zero value and slope at both knots)
        a0, a1 = ak[i], ak[i + 1]
        h2 = 0.5 * s2 - 1.5 * s3 + 1.5 * s4 - 0.5 * s5
        dh2 = s - 4.5 * s2 + 6 * s3 - 2.5 * s4
        ddh2 = 1 - 9 * s + 18 * s2 - 10 * s3
        h3 = 0.5 * s3 - s4 + 0.5 * s5
        dh3 = 1.5 * s2 - 4 * s3 + 2.5 * s4
        ddh3 = 3 * s - 12 * s2 + 10 * s3
        p = p + h * h * (a0 * h2 + a1 * h3)
        d1 = d1 + h * (a0 * dh2 + a1 * dh3)
        d2 = d2 + a0 * ddh2 + a1 * ddh3
    out = (t < tk[0]) | (t > tk[-1])
    if np.any(out):
        d1 = np.where(out, 0.0, d1)
        d2 = np.where(out, 0.0, d2)
    return p, d1, d2


def hermite_interp(tk: np.ndarray, pk: np.ndarray, vk: np.ndarray, t: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quintic Hermite through knots (value, slope, zero 2nd derivative): p, p', p''."""
    return _quintic(tk, pk, vk, t)


def hermite_c2_interp(tk: np.ndarray, pk: np.ndarray, vk: np.ndarray, t: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quintic Hermite through knots (value, slope) with a continuous second derivative: p, p',
    p''. The curvature at each knot is the mean of the two adjacent cubic Hermite segments'
    (the one segment's at the ends), so unlike :func:`hermite_interp` (zero curvature at every
    knot) a knot with zero slope is a turning point passed at a finite rate of change of slope,
    not a flat spot, and unlike a cubic Hermite the curvature does not jump at the knots."""
    if len(tk) < 2:
        return _constant(tk, pk, t)
    hk = np.diff(tk)
    dk = np.diff(pk)
    end = -6 * dk / hk ** 2 + (2 * vk[:-1] + 4 * vk[1:]) / hk  # cubic segments' end curvature
    start = 6 * dk / hk ** 2 - (4 * vk[:-1] + 2 * vk[1:]) / hk  # ... and start curvature
    ak = np.concatenate([start[:1], 0.5 * (end[:-1] + start[1:]), end[-1:]])
    return _quintic(tk, pk, vk, t, ak)


def cubic_no_reversal(tk: np.ndarray, pk: np.ndarray, vk: np.ndarray) -> np.ndarray:
    """Knot slopes limited so that a cubic Hermite (and, nearly, :func:`hermite_c2_interp`)
    never turns back between two knots: each slope takes the sign of both adjacent segments'
    mean slopes (else 0) and at most 3 times their size (the square 0 <= alpha, beta <= 3 lies
    inside the monotone region of a cubic Hermite segment: Fritsch & Carlson 1980, SIAM J Numer
    Anal 17:238-246)."""
    if len(tk) < 2:
        return vk
    m = np.diff(pk) / np.diff(tk)
    left = np.concatenate([m[:1], m])
    right = np.concatenate([m, m[-1:]])
    ok = (vk * left >= 0) & (vk * right >= 0)
    cap = 3.0 * np.minimum(np.abs(left), np.abs(right))
    return np.where(ok, np.sign(vk) * np.minimum(np.abs(vk), cap), 0.0)


def no_reversal(tk: np.ndarray, pk: np.ndarray, vk: np.ndarray) -> np.ndarray:
    """Keyframe rates limited so that :func:`hermite_interp` never turns back between two keyframes.

    A quintic Hermite segment with zero end accelerations, mean slope ``m`` and end rates
    ``a0 m``, ``a1 m`` (``a0``, ``a1`` >= 0) is monotone when ``a0 + a1 <= 2.5``; a larger end
    rate makes it first move the other way (a toes-up bump of the foot after heel-off, a
    rebound after toe-off). The walking foot and shank tables keep within that at their design
    phase durations (foot heel-off -> toe-off 2.43; shank at most 2.14 walking, 2.34 running),
    but their rates are given at the walk's own nominal phase durations, so a slow walk's
    longer phases exceed it (severe hemiparetic sound foot: 4.7, a +1.2 rad/s toes-up lobe in
    terminal stance; severe hemiparetic shanks: up to 5-6 in mid stance, the stance rotation
    stopping twice and turning the swing way at 0.3-0.4 rad/s, where the real stroke shanks of
    trojaniello2014 rotate the stance way through the whole stance). Rates whose sign differs
    from a neighbouring segment's slope are left as they are.

    Parameters
    ----------
    tk, pk, vk : numpy.ndarray
        Keyframe times (s, increasing), values and rates (per s).

    Returns
    -------
    numpy.ndarray
        The rates, scaled down where a segment's end rates exceed that bound.
    """
    if len(tk) < 2:
        return vk
    m = np.diff(pk) / np.diff(tk)
    a0, a1 = vk[:-1] * m, vk[1:] * m  # > 0: the end rate goes the segment's way
    load = np.where(a0 > 0, np.abs(vk[:-1]), 0.0) + np.where(a1 > 0, np.abs(vk[1:]), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(load > 2.5 * np.abs(m), 2.5 * np.abs(m) / load, 1.0)
    scale = np.ones(len(vk))
    scale[:-1] = np.where(a0 > 0, f, 1.0)
    scale[1:] = np.minimum(scale[1:], np.where(a1 > 0, f, 1.0))
    return vk * scale


def cosine_interp(tk: np.ndarray, pk: np.ndarray, t: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Half-cosine interpolation between extremes (a sinusoid when they alternate evenly)."""
    if len(tk) < 2:
        return _constant(tk, pk, t)
    i, h, s = _segment(tk, t)
    dp = pk[i + 1] - pk[i]
    c, sn = np.cos(np.pi * s), np.sin(np.pi * s)
    inside = (t >= tk[0]) & (t <= tk[-1])
    return (pk[i] + dp * (1 - c) / 2, inside * dp * np.pi * sn / (2 * h),
            inside * dp * np.pi ** 2 * c / (2 * h * h))


#: Sensor anti-aliasing filter: linear-phase low-pass at this fraction of the sample rate
#: (MEMS IMUs filter at roughly 0.25-0.45 x the output data rate), windowed sinc over +-this
#: many samples, evaluated on a grid this many times finer than the samples.
_AA_CUTOFF = 0.4
_AA_HALF_SAMPLES = 4
_AA_OVERSAMPLE = 32


@lru_cache(maxsize=32)
def transient_shape(f: float, tau: float, fs: float) -> tuple[float, float, np.ndarray]:
    """Unit heel-strike transient as a sensor sampling at ``fs`` records it.

    The transient is a damped oscillation ``exp(-s/tau) sin(2 pi f s)`` (s >= 0, scaled to a peak
    of 1) passed through the sensor's anti-aliasing filter (a Hann-windowed sinc low-pass at
    ``_AA_CUTOFF * fs``, zero phase so that contact times stay put). Returns ``(t0, dx, y)``:
    ``y[i]`` is the filtered transient at ``t0 + i dx`` seconds after its onset (0 outside).
    Without the filter a transient near the Nyquist frequency would read anywhere between its
    peak and a fraction of it depending on where the samples fall (aliasing), which no real
    sensor does.
    """
    om = 2 * np.pi * f
    tp = math.atan(om * tau) / om
    norm = math.exp(-tp / tau) * math.sin(om * tp)
    dx = 1.0 / (_AA_OVERSAMPLE * fs)
    half = _AA_HALF_SAMPLES * _AA_OVERSAMPLE
    s = np.arange(-half, round(8 * tau / dx) + half + 1) * dx
    x = np.where(s >= 0, np.exp(-np.maximum(s, 0) / tau) * np.sin(om * np.maximum(s, 0)) / norm,
                 0.0)
    u = np.arange(-half, half + 1) * dx
    h = np.sinc(2 * _AA_CUTOFF * fs * u) * np.cos(np.pi * u / (2 * half * dx)) ** 2
    y = np.convolve(x, h / h.sum(), mode="same")
    return float(s[0]), dx, y


def _bump(u: np.ndarray, c: float, w: float) -> np.ndarray:
    x = (u - c) / w
    return np.where(np.abs(x) < 0.5, np.cos(np.pi * x) ** 2, 0.0)


def stance_forces(tau: np.ndarray, q: float, k: float, ap: tuple | None, p: float
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shapes of one stance's vertical, fore-aft and medial force over its phase tau in [0, 1).

    Vertical: Alexander & Jayes (1980) ``cos(pi x) - q cos(3 pi x)`` with ``x = w - 1/2`` on the
    warped phase ``w = tau + k sin(2 pi tau)``. Fore-aft: ``-sin(2 pi tau)`` (running) or, in
    walking, a braking lobe, a broad propulsion lobe and a sharp push-off lobe (``cos^2``
    bumps; the real trunk shows a sharp forward peak at the other foot's IC) whose net impulse
    is zero. Medial: ``sin(pi tau) (1 - tau)^p`` normalised to a peak of 1.
    """
    w = tau + k * np.sin(2 * np.pi * tau)
    x = np.pi * (w - 0.5)
    fv = np.cos(x) - q * np.cos(3 * x)
    if ap is None:
        fap = -np.sin(2 * np.pi * tau)
    else:
        cb, wb, cp, wp, ck, wk, r2 = ap
        fap = (-_bump(tau, cb, wb) + (wb - r2 * wk) / wp * _bump(tau, cp, wp)
               + r2 * _bump(tau, ck, wk))
    fml = np.sin(np.pi * tau) * (1 - tau) ** p / _medial_peak(p)
    return fv, fap, fml


def _medial_peak(p: float) -> float:
    u = np.linspace(0.0, 1.0, 2001)
    return float(np.max(np.sin(np.pi * u) * (1 - u) ** p))


def vertical_impulse(q: float, k: float) -> float:
    """Integral over tau in [0, 1] of the vertical shape of :func:`stance_forces`."""
    return float(sum(vertical_parts(q, k, (0.3, 0.7))))


def vertical_parts(q: float, k: float, knots: tuple[float, float]) -> tuple[float, float, float]:
    """Integrals of the vertical shape over the phase intervals [0, u1], [u1, u2], [u2, 1]."""
    u = (np.arange(8000) + 0.5) / 8000
    f = stance_forces(u, q, k, None, 0.0)[0] / 8000
    u1, u2 = knots
    return (float(f[u < u1].sum()), float(f[(u >= u1) & (u < u2)].sum()),
            float(f[u >= u2].sum()))


def _phase_ok(ic: np.ndarray, fco: np.ndarray, ico: np.ndarray, fc: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (fco > ic) & (ico > fco) & (fc > ico)


def stance_phase(t: np.ndarray, ic: np.ndarray, fco: np.ndarray, ico: np.ndarray,
                 fc: np.ndarray, knots: tuple[float, float]) -> np.ndarray:
    """Phase u in [0, 1) of a walking stance, piecewise linear between its four events: IC (0),
    the other foot's FC (u1, end of the weight acceptance in double support), the other foot's
    IC (u2, start of the terminal double support) and FC (1); the nominal u1, u2 are those of
    the symmetric gait. A longer or shorter double support stretches or compresses the load
    transfer between the legs in it, so the legs' forces still share the body weight (an
    asymmetric stance changes the timing of the trunk's signals, not the total force). Where
    the knots are missing or out of order (running, the first and last steps) u is the plain
    fraction of the stance."""
    u1, u2 = knots
    tau = (t - ic) / (fc - ic)
    ok = _phase_ok(ic, fco, ico, fc)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.where(t < fco, u1 * (t - ic) / (fco - ic),
                     np.where(t < ico, u1 + (u2 - u1) * (t - fco) / (ico - fco),
                              u2 + (1 - u2) * (t - ico) / (fc - ico)))
    return np.where(ok, u, tau)


def stance_impulse(cfg: Config, ic: np.ndarray, fco: np.ndarray, ico: np.ndarray,
                   fc: np.ndarray) -> np.ndarray:
    """Integral over time of the vertical shape of each stance on its phase (seconds)."""
    (u1, u2), (c1, c2, c3) = cfg.knots, cfg.v_parts
    ok = _phase_ok(ic, fco, ico, fc)
    with np.errstate(invalid="ignore"):
        warped = ((fco - ic) * c1 / u1 + (ico - fco) * c2 / (u2 - u1)
                  + (fc - ico) * c3 / (1 - u2))
    return np.where(ok, warped, (fc - ic) * (c1 + c2 + c3))


def smoothstep(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = np.clip(s, 0.0, 1.0)
    return s ** 3 * (10 - 15 * s + 6 * s * s), 30 * s * s * (1 - s) ** 2


def monotone_knots(tk: np.ndarray, *vals: np.ndarray) -> tuple[np.ndarray, ...]:
    """Drop knots that do not advance in time (degenerate very short phases)."""
    keep = np.ones(len(tk), dtype=bool)
    if len(tk) > 1:
        run = np.maximum.accumulate(tk)
        keep[1:] = tk[1:] > run[:-1] + 1e-4
    return (tk[keep], *(v[keep] for v in vals))
