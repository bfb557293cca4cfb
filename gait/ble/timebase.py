"""Sensor clocks to the host's clock.

Each open-profile packet says which sample it starts with (``first_sample_index``) and when, on
the sensor's crystal (``t_first`` ticks). Two fits turn that into host time:

1. **Sample clock** (:func:`fit_sample_clock`): ``t_dev = c + d k`` by least squares over the
   packets' (index, time) after unwrapping both counters; ``1/d`` is the IMU's true rate on the
   device clock (an IMU's own oscillator can be off by percent). Packets far off the line are
   flagged (garbled or from another session) and left out.
2. **Device to host** (:func:`fit_host_map`): ``host = a + b t_dev`` from the arrival times.
   BLE latency is never negative and jitters by connection intervals, so the map is the
   *lower envelope* of (device time of a packet's last sample, host arrival time): the minimum
   latency point of each window (a 30th of the recording, 2 to 10 s) is fitted by least squares
   (outlier windows dropped) and the line is lowered until no packet arrives before it.
   ``b - 1`` is the relative drift (crystals of +-50 ppm drift 3 ms a minute, 360 ms an hour
   between two sensors 100 ppm apart).

3. **Anchor** (:func:`anchor_host_map`): the envelope only bounds the map from above (a packet
   cannot arrive before its last sample), so its offset is late by the smallest latency, which
   depends on how the packets fall between connection events: a different bias per sensor. A
   TIME_PING bounds it from both sides (the sensor's tick lies between the host's send and
   receive times). In windows, the highest lower bound (pings) and the lowest upper bound
   (pings, packets) enclose the map; the weighted line through the windows' midpoints corrects
   the drift (over 10 min or more) and re-anchors the map through the recording (after a
   reconnect, the recorder sends a burst of pings); the offset is then the middle of what all
   pings and packets leave open about that line, and the half-width is its uncertainty.

Sample ``k`` is then at host time ``a + b (c + d k)``, linear in ``k``: every stream keeps a
uniform grid, with its own rate and start on the common host axis.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

WINDOW_S = 10.0
MIN_WINDOW_S = 2.0
MIN_DRIFT_SPAN_S = 20.0  # shorter: latency noise would dominate the slope


def unwrap(x: np.ndarray, bits: int) -> np.ndarray:
    """Unwrap a counter that wraps at ``2**bits`` (in the given order) to int64."""
    x = np.asarray(x).astype(np.int64)
    if len(x) < 2:
        return x
    m = np.int64(1) << bits
    d = np.diff(x)
    d = (d + m // 2) % m - m // 2
    return np.concatenate([x[:1], x[0] + np.cumsum(d)])


@dataclass(frozen=True)
class SampleClock:
    """``t_dev(k) = c + d k`` (device seconds)."""

    c: float
    d: float
    k0: int  # reference index (numerical conditioning)
    residual_ms: float

    def __call__(self, k: np.ndarray | float) -> np.ndarray:
        return self.c + self.d * (np.asarray(k, dtype=np.float64) - self.k0)

    @property
    def rate_hz(self) -> float:
        return 1.0 / self.d


def fit_sample_clock(k: np.ndarray, t: np.ndarray, nominal_hz: float | None = None
                     ) -> tuple[SampleClock, np.ndarray]:
    """Fit ``t = c + d k``; returns the clock and the inlier mask."""
    k = np.asarray(k, dtype=np.int64)
    t = np.asarray(t, dtype=np.float64)
    k0 = int(k[0]) if len(k) else 0
    kk = (k - k0).astype(np.float64)
    n = len(k)
    if n == 0:
        d = 1.0 / (nominal_hz or 100.0)
        return SampleClock(0.0, d, 0, 0.0), np.zeros(0, bool)
    if n == 1:
        d = 1.0 / (nominal_hz or 100.0)
        return SampleClock(float(t[0]), d, k0, 0.0), np.ones(1, bool)
    dk, dt = np.diff(kk), np.diff(t)
    ok = dk > 0
    slopes = dt[ok] / dk[ok]
    d0 = float(np.median(slopes)) if ok.any() else 1.0 / (nominal_hz or 100.0)
    if not d0 > 0:
        d0 = 1.0 / (nominal_hz or 100.0)
    r = t - d0 * kk
    c0 = float(np.median(r))
    inl = np.abs(r - c0) < max(0.05, 20 * d0)
    for tol_floor in (2e-3, 5e-4):
        if inl.sum() < 2:
            break
        A = np.column_stack([np.ones(inl.sum()), kk[inl]])
        (c0, d0), *_ = np.linalg.lstsq(A, t[inl], rcond=None)
        res = t - (c0 + d0 * kk)
        mad = float(np.median(np.abs(res[inl]))) * 1.4826
        inl = np.abs(res) < max(6 * mad, tol_floor)
    res = t - (c0 + d0 * kk)
    rms = float(np.sqrt(np.mean(res[inl] ** 2))) * 1e3 if inl.any() else float("nan")
    return SampleClock(float(c0), float(d0), k0, rms), inl


@dataclass(frozen=True)
class HostMap:
    """``host(t_dev) = a + b (t_dev - t_ref)``; ``latency_ms`` are the packets' latencies."""

    a: float
    b: float
    t_ref: float
    latency_median_ms: float
    latency_p99_ms: float
    n_windows: int

    def __call__(self, t_dev: np.ndarray | float) -> np.ndarray:
        return self.a + self.b * (np.asarray(t_dev, dtype=np.float64) - self.t_ref)

    @property
    def drift_ppm(self) -> float:
        return (self.b - 1.0) * 1e6


def fit_host_map(t_dev: np.ndarray, host: np.ndarray, window_s: float | None = None,
                 segment: np.ndarray | None = None) -> HostMap:
    """Lower-envelope fit of ``host`` (s) against ``t_dev`` (s), both sorted by ``t_dev``.

    ``window_s`` defaults to a 30th of the span, between 2 and 10 s. ``segment`` numbers the
    connection each packet came over: every connection has its own phase of connection events,
    hence its own latency floor, so the drift is fitted with one intercept per connection
    (a common intercept would turn the step between two floors into drift).
    """
    t = np.asarray(t_dev, dtype=np.float64)
    h = np.asarray(host, dtype=np.float64)
    if len(t) == 0:
        return HostMap(0.0, 1.0, 0.0, float("nan"), float("nan"), 0)
    t_ref = float(t[0])
    x = t - t_ref
    if window_s is None:
        window_s = float(np.clip((x[-1] - x[0]) / 30.0, MIN_WINDOW_S, WINDOW_S))
    r = h - x  # latency + offset, with slope 1
    win = np.floor(x / window_s).astype(np.int64)
    e, a = 0.0, float(np.min(r))
    n_win = 0
    for _ in range(2):
        rr = r - e * x
        order = np.lexsort((rr, win))
        w_sorted = win[order]
        first = np.concatenate([[True], w_sorted[1:] != w_sorted[:-1]])
        idx = order[first]  # minimum of each window
        n_win = len(idx)
        if n_win < 3 or np.ptp(x[idx]) < max(window_s, MIN_DRIFT_SPAN_S):
            e = 0.0 if n_win < 2 else e
            break
        seg = (np.zeros(n_win, np.int64) if segment is None
               else np.unique(np.asarray(segment)[idx], return_inverse=True)[1])
        if n_win - int(seg.max()) - 1 < 2:  # too few windows for an intercept per connection
            seg = np.zeros(n_win, np.int64)
        onehot = (seg[:, None] == np.arange(int(seg.max()) + 1)).astype(np.float64)
        keep = np.ones(n_win, bool)
        for _ in range(3):
            A = np.column_stack([onehot[keep], x[idx][keep]])
            coef, *_ = np.linalg.lstsq(A, r[idx][keep], rcond=None)
            e_ = float(coef[-1])
            res = r[idx] - (onehot @ coef[:-1] + e_ * x[idx])
            mad = float(np.median(np.abs(res[keep]))) * 1.4826
            new = np.abs(res) <= max(4 * mad, 1e-3)
            if (new == keep).all():
                break
            keep = new
        e = float(e_)
    b = 1.0 + e
    lat = r - e * x
    a = float(np.min(lat))
    lat = (lat - a) * 1e3
    return HostMap(a, b, t_ref, float(np.median(lat)), float(np.percentile(lat, 99)), n_win)


ANCHOR_WINDOW_S = 30.0
#: the pings correct the envelope's drift only over this span: a midpoint is good to a few ms,
#: so over 10 min to a few ppm, while the envelope's slope rests on every window's minimum
MIN_PING_DRIFT_SPAN_S = 600.0
MIN_WINDOW_PINGS = 2


@dataclass(frozen=True)
class Anchor:
    """What the pings said: ``uncertainty_ms`` is the half-width of the enclosure of the offset
    by every ping and packet about the fitted drift (or, if they contradict each other, the
    bound the windows' enclosures give the fitted offset)."""

    n_pings: int
    n_windows: int
    uncertainty_ms: float
    shift_ms: float  # how far the pings moved the envelope's map (median over the recording)


def anchor_host_map(hm: HostMap, t_dev: np.ndarray, host: np.ndarray, ping_dev: np.ndarray,
                    ping_send: np.ndarray, ping_recv: np.ndarray,
                    window_s: float | None = None) -> tuple[HostMap, Anchor | None]:
    """Refine the envelope's map ``hm`` with TIME_PINGs (device time of the sensor's tick, host
    send and receive times, s) and the packets' upper bounds (``t_dev``, ``host`` as for
    :func:`fit_host_map`). Without usable pings the map is returned unchanged with None."""
    pd_ = np.asarray(ping_dev, dtype=np.float64)
    ok = np.isfinite(pd_) & (np.asarray(ping_recv) >= np.asarray(ping_send))
    if ok.sum() < MIN_WINDOW_PINGS or len(t_dev) == 0:
        return hm, None
    pd_, ps, pr = pd_[ok], np.asarray(ping_send, float)[ok], np.asarray(ping_recv, float)[ok]
    t = np.asarray(t_dev, dtype=np.float64)
    x, xp = t - hm.t_ref, pd_ - hm.t_ref
    r = np.asarray(host, dtype=np.float64) - hm.a - hm.b * x  # >= 0 (the envelope)
    lo_p = ps - hm.a - hm.b * xp  # the map's residual offset is above these
    hi_p = pr - hm.a - hm.b * xp  # and below these
    span = float(max(x.max(), xp.max()) - min(x.min(), xp.min()))
    if window_s is None:
        window_s = max(ANCHOR_WINDOW_S, span / 20.0)
    x0 = min(x.min(), xp.min())
    wp = np.floor((xp - x0) / window_s).astype(np.int64)
    wk = np.floor((x - x0) / window_s).astype(np.int64)
    n_w = int(max(wp.max(), wk.max())) + 1
    lower = np.full(n_w, -np.inf)
    np.maximum.at(lower, wp, lo_p)
    upper = np.full(n_w, np.inf)
    np.minimum.at(upper, wp, hi_p)
    np.minimum.at(upper, wk, r)
    cnt = np.bincount(wp, minlength=n_w)
    xc = np.bincount(wp, weights=xp, minlength=n_w) / np.maximum(cnt, 1)
    use = (cnt >= MIN_WINDOW_PINGS) & np.isfinite(upper)
    if not use.any():
        return hm, None
    mid = 0.5 * (lower[use] + upper[use])
    half = np.maximum(0.5 * np.abs(upper[use] - lower[use]), 1e-4)
    xm = float(np.mean(xc[use]))  # centred: the offset is the fit at the windows' mean
    xc = xc[use] - xm
    # weighted least squares (tight windows count more); the estimate at x is W(x) @ mid, so
    # with every window's offset within +-half of its midpoint, it is within |W(x)| @ half
    A = (np.column_stack([np.ones(len(xc)), xc]) if use.sum() >= 3
         and np.ptp(xc) >= MIN_PING_DRIFT_SPAN_S else np.ones((len(xc), 1)))
    wts = 1.0 / half**2
    W = np.linalg.solve(A.T @ (A * wts[:, None]), (A * wts[:, None]).T)  # coef = W @ mid
    coef = W @ mid
    unc = float(np.max(np.abs(A @ W) @ half)) * 1e3
    c1 = float(coef[1]) if len(coef) > 1 else 0.0
    c0 = float(coef[0]) - c1 * xm
    # the device clock is one line through every connection: about the fitted drift, all
    # pings and packets of the recording enclose the offset (tighter than any one window:
    # the best connection's latency floor and the luckiest pings); if they contradict each
    # other (the drift is off), the windows' bound stands
    lo_all = float(np.max(lo_p - c0 - c1 * xp))
    hi_all = float(min(np.min(hi_p - c0 - c1 * xp), np.min(r - c0 - c1 * x)))
    if hi_all >= lo_all:
        c0 += 0.5 * (lo_all + hi_all)
        unc = min(unc, 0.5 * (hi_all - lo_all) * 1e3)
    out = replace(hm, a=hm.a + c0, b=hm.b + c1)
    shift = float(np.median(c0 + c1 * x)) * 1e3
    return out, Anchor(int(ok.sum()), int(use.sum()), unc, shift)
