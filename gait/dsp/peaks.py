"""``scipy.signal.find_peaks`` with ``height``, ``distance`` and ``prominence`` (``wlen=None``),
vectorised, and :func:`peak_prominences`.
"""

from __future__ import annotations

import math

import numpy as np


def _local_maxima(x: np.ndarray) -> np.ndarray:
    """Indices of local maxima (midpoint of a flat top, rounded down), edges excluded, as
    scipy's ``_local_maxima_1d``: a rise, equal samples, a fall. Comparisons as scipy's (a NaN
    neither rises nor falls, so it bounds no maximum)."""
    a, b = x[:-1], x[1:]
    up, down, equal = b > a, b < a, a == b
    if not equal.any():  # no flat stretch: a rise then a fall
        return np.flatnonzero(up[:-1] & down[1:]) + 1
    nz = np.flatnonzero(~equal)  # the steps between unequal samples
    if len(nz) < 2:
        return np.zeros(0, dtype=np.intp)
    k = np.flatnonzero(up[nz[:-1]] & down[nz[1:]])
    return (nz[k] + 1 + nz[k + 1]) // 2


def _prev_greater(v: np.ndarray, q: np.ndarray) -> np.ndarray:
    """For each index in ``q``: the nearest index before it whose ``v`` is strictly greater,
    -1 if none. Binary lifting over a sparse table of range maxima (log2(len(v)) steps)."""
    levels = [v]  # levels[k][i] = max(v[i : i + 2^k])
    while (1 << len(levels)) <= len(v):
        half = 1 << (len(levels) - 1)
        levels.append(np.maximum(levels[-1][:-half], levels[-1][half:]))
    pos, val = q.copy(), v[q]
    for k in range(len(levels) - 1, -1, -1):
        cand = pos - (1 << k)
        ok = cand >= 0
        ok &= levels[k][np.where(ok, cand, 0)] <= val
        pos = np.where(ok, cand, pos)
    return pos - 1


def _range_argmin(vals: np.ndarray, lo: np.ndarray, hi: np.ndarray, right: bool) -> np.ndarray:
    """Index of the minimum of ``vals[lo..hi]`` (inclusive), the rightmost (``right``) or
    leftmost of equal minima; sparse table, O(1) per query."""
    tab = [np.arange(len(vals))]
    while (1 << len(tab)) <= len(vals):
        half = 1 << (len(tab) - 1)
        a, b = tab[-1][:-half], tab[-1][half:]
        take_b = vals[b] <= vals[a] if right else vals[b] < vals[a]
        tab.append(np.where(take_b, b, a))
    k = np.frexp(hi - lo + 1)[1] - 1  # floor(log2(length)), exact for integers
    out = np.empty(len(lo), dtype=np.intp)
    for kk in np.unique(k):
        sel = k == kk
        a = tab[kk][lo[sel]]
        b = tab[kk][hi[sel] - (1 << kk) + 1]
        take_b = vals[b] <= vals[a] if right else vals[b] < vals[a]
        out[sel] = np.where(take_b, b, a)
    return out


def peak_prominences(x: np.ndarray, peaks: np.ndarray, maxima: np.ndarray | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Prominences, left bases and right bases of local-maximum ``peaks`` of ``x``, as
    ``scipy.signal.peak_prominences(x, peaks)`` with ``wlen=None``: the base on each side is the
    lowest sample between the peak and the nearest strictly higher sample (or the signal's
    end), the rightmost / leftmost of equal minima, as scipy's outward walk finds them.

    The nearest higher sample is never needed: between a peak and the nearest strictly higher
    *local maximum* no sample is lower than the minimum before the nearest higher sample (a
    lower one would put a higher local maximum in between). So bases are range minima over the
    valleys between consecutive local maxima (``maxima``, all of them, default
    ``_local_maxima(x)``), with the nearest higher local maximum found by binary lifting.
    ``peaks`` must be local maxima of ``x``. A NaN stops scipy's walk like a higher sample, so
    NaNs count as +inf here.
    """
    x = np.asarray(x, dtype=np.float64)
    peaks = np.asarray(peaks, dtype=np.intp)
    nan = np.isnan(x)
    if nan.any():
        x = np.where(nan, np.inf, x)
        maxima = None
    if maxima is None:
        maxima = _local_maxima(x)
    if len(peaks) == 0:
        return np.zeros(0), np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    qi = np.searchsorted(maxima, peaks)
    if np.any(qi >= len(maxima)) or np.any(maxima[np.minimum(qi, len(maxima) - 1)] != peaks):
        raise ValueError("peaks must be local maxima of x")
    v = x[maxima]
    nmax = len(maxima)
    left_hi = _prev_greater(v, qi)  # -1: none
    right_hi = nmax - 1 - _prev_greater(v[::-1].copy(), nmax - 1 - qi)  # nmax: none
    # valley j (0..nmax): samples (maxima[j-1], maxima[j]] (ends: [0, maxima[0]], after last)
    starts = np.concatenate(([0], maxima + 1))
    vmin = np.minimum.reduceat(x, starts)
    seg = np.repeat(np.arange(nmax + 1), np.diff(np.append(starts, len(x))))
    at_min = np.flatnonzero(x == vmin[seg])
    seg_at = seg[at_min]
    first = at_min[np.searchsorted(seg_at, np.arange(nmax + 1), side="left")]
    last = at_min[np.searchsorted(seg_at, np.arange(nmax + 1), side="right") - 1]
    lv = _range_argmin(vmin, left_hi + 1, qi, right=True)
    rv = _range_argmin(vmin, qi + 1, right_hi, right=False)
    left, right = last[lv], first[rv]
    if nan.any():  # a NaN stops the walk from a +inf peak too, which +inf cannot express
        for j in np.flatnonzero(np.isposinf(x[peaks])):
            left[j], right[j] = _walk_bases(np.where(nan, np.nan, x), int(peaks[j]))
    prom = x[peaks] - np.maximum(x[left], x[right])
    return prom, left, right


def _walk_bases(x: np.ndarray, peak: int) -> tuple[int, int]:
    """scipy's outward walk from one peak to its bases (used for the rare +inf peak)."""
    bases = []
    for step in (-1, 1):
        i = base = peak
        low = x[peak]
        while 0 <= i < len(x) and x[i] <= x[peak]:
            if x[i] < low:
                low, base = x[i], i
            i += step
        bases.append(base)
    return bases[0], bases[1]


def _condition(cond: object, x: np.ndarray, peaks: np.ndarray
               ) -> tuple[np.ndarray | float | None, np.ndarray | float | None]:
    lo, hi = cond if isinstance(cond, tuple | list) else (cond, None)
    lo = lo[peaks] if isinstance(lo, np.ndarray) and lo.shape == x.shape else lo
    hi = hi[peaks] if isinstance(hi, np.ndarray) and hi.shape == x.shape else hi
    return lo, hi


def _within(values: np.ndarray, lo: object, hi: object) -> np.ndarray:
    keep = np.ones(len(values), dtype=bool)
    if lo is not None:
        keep &= lo <= values
    if hi is not None:
        keep &= values <= hi
    return keep


def _by_distance(peaks: np.ndarray, priority: np.ndarray, distance: float) -> np.ndarray:
    """Keep mask: from the highest priority down, a kept peak removes the others closer than
    ``ceil(distance)`` samples (scipy's ``_select_by_peak_distance``, same tie order). Peaks
    with no neighbour that close are kept outright; the greedy loop runs only over the others."""
    d = math.ceil(distance)
    n = len(peaks)
    keep = np.ones(n, dtype=bool)
    close = np.diff(peaks) < d
    crowded = np.zeros(n, dtype=bool)
    crowded[:-1] |= close
    crowded[1:] |= close
    if not crowded.any():
        return keep
    order = np.argsort(priority)
    order = order[crowded[order]][::-1].tolist()
    pk = peaks.tolist()
    kp = [True] * n
    for j in order:
        if not kp[j]:
            continue
        p = pk[j]
        k = j - 1
        while k >= 0 and p - pk[k] < d:
            kp[k] = False
            k -= 1
        k = j + 1
        while k < n and pk[k] - p < d:
            kp[k] = False
            k += 1
    return np.array(kp, dtype=bool)


def find_peaks(x: np.ndarray, height: object = None, distance: float | None = None,
               prominence: object = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Peaks of a 1-D signal and their properties, equal to ``scipy.signal.find_peaks`` for
    these arguments: local maxima (flat tops at their middle, edges excluded), then ``height``
    (``peak_heights``), then ``distance`` (higher peaks first), then ``prominence``
    (``prominences``, ``left_bases``, ``right_bases``; ``wlen=None``). A condition is a minimum,
    or a ``(min, max)`` pair with ``None`` for no bound."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"`x` must be a 1-D array (got {x.ndim}-D)")
    if distance is not None and distance < 1:
        raise ValueError("`distance` must be greater or equal to 1")
    maxima = _local_maxima(x)
    peaks = maxima
    props: dict[str, np.ndarray] = {}
    if height is not None:
        heights = x[peaks]
        keep = _within(heights, *_condition(height, x, peaks))
        peaks = peaks[keep]
        props["peak_heights"] = heights[keep]
    if distance is not None and len(peaks) > 1:
        keep = _by_distance(peaks, x[peaks], distance)
        peaks = peaks[keep]
        props = {key: a[keep] for key, a in props.items()}
    if prominence is not None:
        prom, left, right = peak_prominences(x, peaks, maxima)
        props.update(prominences=prom, left_bases=left, right_bases=right)
        keep = _within(prom, *_condition(prominence, x, peaks))
        peaks = peaks[keep]
        props = {key: a[keep] for key, a in props.items()}
    return peaks, props
