"""Irregular timestamps to the canonical uniform grid.

Method (stated in the README): timestamps are sorted (backwards steps counted), rows with an
identical timestamp are averaged (counted as duplicates), and every channel is linearly
interpolated onto ``t0 + k / fs``. Where two consecutive source samples are further apart than
``max_gap_s`` (default ``max(5 / fs, 30 ms)``) nothing is interpolated: those grid points are NaN
and the stretch is listed as a :class:`~gait.recording.Gap`. A second sensor recorded at a
higher rate (e.g. a 500 Hz gyroscope beside a 100 Hz accelerometer) is low-pass filtered
(zero-phase Butterworth at 0.4 fs) before it is interpolated onto the first sensor's grid, so
that it does not alias.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gait import dsp
from gait.recording import Gap

COMMON_RATES = (12.5, 16.0, 20.0, 25.0, 26.0, 50.0, 52.0, 60.0, 100.0, 102.4, 104.0, 120.0,
                128.0, 200.0, 204.8, 208.0, 250.0, 400.0, 416.0, 500.0, 1000.0)


@dataclass
class Timeline:
    """Cleaned, strictly increasing timestamps and the facts found on the way."""

    t: np.ndarray
    order: np.ndarray | None  # permutation applied to the rows (None: already sorted)
    groups: np.ndarray | None  # for each kept row, the group id of equal timestamps (dups)
    n_raw: int
    n_backwards: int
    n_duplicates: int
    n_nan_time: int
    dropped_stale_first: float | None = None
    warnings: list[str] = field(default_factory=list)

    def apply(self, x: np.ndarray) -> np.ndarray:
        """Reorder/deduplicate a column set (N x k) the same way as the timestamps."""
        x = np.asarray(x, dtype=np.float64)
        if self.order is not None:
            x = x[self.order]
        if self.groups is None:
            return x
        n = int(self.groups[-1]) + 1
        out = np.empty((n, *x.shape[1:]), dtype=np.float64)
        x2 = x.reshape(len(x), -1)
        o2 = out.reshape(n, -1)
        counts = np.bincount(self.groups, minlength=n)
        for j in range(x2.shape[1]):  # loop over columns only (<= a handful)
            o2[:, j] = np.bincount(self.groups, weights=x2[:, j], minlength=n) / counts
        return out


def clean_timestamps(t: np.ndarray) -> Timeline:
    """Sort, deduplicate and drop a stale first row (seen in Physics Toolbox exports)."""
    t = np.asarray(t, dtype=np.float64)
    n_raw = len(t)
    nan = ~np.isfinite(t)
    n_nan = int(nan.sum())
    order: np.ndarray | None = None
    keep = np.flatnonzero(~nan) if n_nan else None
    tt = t[keep] if keep is not None else t
    d = np.diff(tt)
    n_back = int((d < 0).sum())
    warnings: list[str] = []
    if n_back:
        o = np.argsort(tt, kind="stable")
        order = keep[o] if keep is not None else o
        tt = tt[o]
        d = np.diff(tt)  # d: the intervals of tt throughout
        warnings.append(f"{n_back} timestamps went backwards; rows were put in time order")
    elif keep is not None:
        order = keep
    stale = None
    if len(tt) > 3:
        up = d > 0
        med = float(np.median(d if up.all() else d[up])) if np.any(up) else 0.0
        if med > 0 and d[0] > max(100 * med, 2.0):
            stale = float(d[0])
            warnings.append(f"first row is {stale:.1f} s before the next one; it was dropped")
            tt = tt[1:]
            d = d[1:]
            order = (order[1:] if order is not None else np.arange(1, n_raw))
    dup = d == 0
    n_dup = int(dup.sum())
    groups = None
    if n_dup:
        groups = np.concatenate([[0], np.cumsum(~dup)])
        tt = tt[np.concatenate([[True], ~dup])]
        warnings.append(f"{n_dup} rows repeated an earlier timestamp; they were averaged")
    return Timeline(tt, order, groups, n_raw, n_back, n_dup, n_nan, stale, warnings)


def measured_rate(t: np.ndarray, max_gap_factor: float = 5.0) -> float:
    """The sensor's sample rate from its timestamps.

    When the intervals are multiples of one period (a fixed-rate sensor that lost samples,
    as in BLE or wireless recordings) the rate is 1 / that period. Otherwise (phone event
    timing with jitter) it is the number of intervals over their summed length, leaving out
    gaps longer than ``max_gap_factor`` median intervals.
    """
    # A corrupt time (1e300) makes d / med overflow to inf: such intervals count as gaps,
    # and the time-span check refuses the file later, so no NumPy warning here.
    with np.errstate(over="ignore", invalid="ignore"):
        d = np.diff(t)
        if len(d) == 0:
            return float("nan")
        med = float(np.median(d))
        if not med > 0:
            return float("nan")
        r = d / med
        near_one = np.abs(r - 1.0) < 0.05
        if near_one.mean() > 0.5 and (np.abs(r - np.round(r)) < 0.1).mean() > 0.98:
            return float(1.0 / d[near_one].mean())
        ok = d <= max_gap_factor * med
        total = float(d[ok].sum())
    return float(ok.sum() / total) if total > 0 else float("nan")


def dropped_samples(t: np.ndarray, fs: float) -> int:
    """Samples missing between consecutive timestamps at rate ``fs`` (0 for jittery timing)."""
    d = np.diff(t) * fs
    if len(d) == 0 or (np.abs(d - np.round(d)) < 0.1).mean() < 0.98:
        return 0
    return int(np.clip(np.round(d) - 1, 0, None).sum())


def grid_rate(measured_hz: float, nominal_hz: float | None = None) -> float:
    """The grid rate: the nominal (or a common) rate when the measured one is within 1.5 %."""
    if nominal_hz and abs(measured_hz - nominal_hz) / nominal_hz <= 0.015:
        return float(nominal_hz)
    best = min(COMMON_RATES, key=lambda c: abs(measured_hz - c) / c)
    if abs(measured_hz - best) / best <= 0.015:
        return float(best)
    return float(round(measured_hz, 2))


def _gap_mask(t: np.ndarray, grid: np.ndarray, max_gap_s: float) -> np.ndarray:
    """True where a grid point lies strictly inside a source interval longer than max_gap_s."""
    d = np.diff(t)
    big = np.flatnonzero(d > max_gap_s)
    mask = np.zeros(len(grid), dtype=bool)
    if len(big) == 0:
        return mask
    lo = np.searchsorted(grid, t[big], side="right")
    hi = np.searchsorted(grid, t[big + 1], side="left")
    delta = np.zeros(len(grid) + 1, dtype=np.int64)
    np.add.at(delta, lo, 1)
    np.add.at(delta, hi, -1)
    return np.cumsum(delta[:-1]) > 0


def gaps_from_mask(mask: np.ndarray, start_s: float, fs: float) -> tuple[Gap, ...]:
    if not mask.any():
        return ()
    m = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.diff(m)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return tuple(
        Gap(float(start_s + s / fs), float(start_s + (e - 1) / fs), int(e - s))
        for s, e in zip(starts, ends, strict=True)
    )


def interpolate(
    t: np.ndarray,
    x: np.ndarray,
    start_s: float,
    fs: float,
    n: int,
    max_gap_s: float | None = None,
    copy: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Linear interpolation of x (len(t) x k, NaN rows allowed) onto ``start_s + k/fs``.

    Returns (values n x k, mask of grid points in gaps). Rows with NaN are treated as missing.
    ``copy=False``: x, when already on the grid, is returned itself (a caller giving it away).
    """
    x = np.asarray(x, dtype=np.float64)
    if max_gap_s is None:
        max_gap_s = max(5.0 / fs, 0.03)
    good = dsp.finite_rows(x)
    if not good.all():
        t, x = t[good], x[good]
    if len(t) == 0:
        return np.full((n, x.shape[1]), np.nan), np.ones(n, dtype=bool)
    regular = len(t) == n and abs(t[0] - start_s) < 1e-9 and _all_near(
        np.diff(t), 1.0 / fs, rtol=1e-6, atol=1e-9)
    if regular:
        return (x.copy() if copy else x), np.zeros(n, dtype=bool)
    grid = start_s + np.arange(n) / fs
    out = np.full((n, x.shape[1]), np.nan)
    src_fs = 1.0 / float(np.median(np.diff(t))) if len(t) > 1 else fs
    if src_fs > 1.2 * fs and len(t) > 30:
        # Anti-alias: resample to a regular grid at the source rate first, then low-pass.
        fine_n = int(np.floor((t[-1] - t[0]) * src_fs)) + 1
        fine_t = t[0] + np.arange(fine_n) / src_fs
        fine = np.column_stack([np.interp(fine_t, t, x[:, j]) for j in range(x.shape[1])])
        from gait.dsp import butter, sosfiltfilt

        sos = butter(4, 0.4 * fs, "low", src_fs)
        if fine_n > 3 * 2 * sos.shape[0] + 1:
            fine = sosfiltfilt(sos, fine, axis=0)
        x_use, t_use = fine, fine_t
    else:
        x_use, t_use = x, t
    inside = (grid >= t[0] - 0.5 / fs) & (grid <= t[-1] + 0.5 / fs)
    for j in range(x.shape[1]):
        out[inside, j] = np.interp(grid[inside], t_use, x_use[:, j])
    gap = _gap_mask(t, grid, max_gap_s) | ~inside
    out[gap] = np.nan
    return out, gap


def _all_near(d: np.ndarray, step: float, rtol: float, atol: float) -> bool:
    """``np.allclose(d, step, rtol, atol)`` for a scalar ``step`` (the same test, without
    :func:`numpy.isclose`'s temporaries; NaN and inf are never near)."""
    return bool(np.all(np.abs(d - step) <= atol + rtol * abs(step)))


def to_uniform(
    t: np.ndarray,
    x: np.ndarray,
    *,
    nominal_hz: float | None = None,
    fs: float | None = None,
    start_s: float | None = None,
    copy: bool = True,
) -> tuple[float, float, np.ndarray, tuple[Gap, ...], dict]:
    """Resample one sensor; returns (start_s, fs, values, gaps, info).

    ``t`` and ``x`` must already be cleaned (see :func:`clean_timestamps`). ``copy``: as in
    :func:`interpolate`.
    """
    meas = measured_rate(t)
    if fs is None:
        fs = grid_rate(meas, nominal_hz)
    if start_s is None:
        start_s = float(t[0])
    n = int(np.floor((t[-1] - start_s) * fs + 1e-3)) + 1
    vals, gap = interpolate(t, x, start_s, fs, n, copy=copy)
    d = np.diff(t)
    jitter = float(np.std(d) / np.mean(d)) if len(d) > 1 else 0.0
    info = {
        "measured_rate_hz": meas,
        "nominal_rate_hz": nominal_hz,
        "dt_cv": jitter,
        "dropped_samples": dropped_samples(t, fs),
        "resampled": not (len(t) == n and _all_near(d, 1.0 / fs, rtol=1e-6, atol=2e-6)),
    }
    return start_s, fs, vals, gaps_from_mask(gap, start_s, fs), info
