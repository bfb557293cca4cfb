"""Per-step temporal parameters from the event table.

``step_table`` pairs each initial contact (IC) with the next final contact (FC) of the same
side (stance), the previous IC of the other side (step time) and the previous IC of the same
side (stride time). Definitions follow the usual temporal gait parameters (e.g. Del Din et al.
2016, "Free-living gait characteristics in ageing and Parkinson's disease", J NeuroEng Rehabil
13:46). :func:`overall` gives cadence and step time for both legs together, sides known or not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gait import dsp

MAX_STRIDE_S = 2.5  # longer IC-to-IC intervals are pauses, not strides


def step_table(events: pd.DataFrame, bouts: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per IC with a side: ``side, ic, bout, fc, stance_s, step_s, stride_s, swing_s,
    double_support_s`` (the double support this IC opens, i.e. the load transfer onto this leg,
    up to the other foot's toe-off; Perry 1992's initial double limb support).

    Parameters are NaN where the neighbouring event is missing, on the wrong side, in another
    bout or too far away to belong to the same step.
    """
    # numpy throughout, one DataFrame at the end (pandas' per-column indexing and .loc
    # assignments cost ~10 ms a call on a 10-minute chunk; the numbers are the same). The
    # sides and kinds as booleans, compared by pandas: an object array of a 24-hour walk's
    # 318k events would make a Python string per event (~16 MB a column)
    ev_left = equals(events["side"], "L")
    has_side = ev_left | equals(events["side"], "R")
    ev_t = events["t"].to_numpy(float)[has_side]
    ev_ic = equals(events["kind"], "IC")[has_side]
    ev_fc = equals(events["kind"], "FC")[has_side]
    ev_left = ev_left[has_side]
    order = dsp.sort_order(ev_t)  # the order of DataFrame.sort_values("t")
    ev_t, ev_ic, ev_fc, ev_left = ev_t[order], ev_ic[order], ev_fc[order], ev_left[order]
    t = ev_t[ev_ic]
    left = ev_left[ev_ic]
    side = np.where(left, "L", "R")
    fc_left, fc_time = ev_left[ev_fc], ev_t[ev_fc]
    n = len(t)
    bout = bout_index(t, bouts)
    # stance: next FC of the same side after this IC and before this side's next IC
    fc_t = np.full(n, np.nan)
    for is_left in (True, False):
        m = left == is_left
        ft = np.sort(fc_time[fc_left == is_left])
        if len(ft) == 0 or not m.any():
            continue
        ti = t[m]
        j = np.searchsorted(ft, ti, side="right")
        cand = np.where(j < len(ft), ft[np.minimum(j, len(ft) - 1)], np.nan)
        nxt = np.append(ti[1:], np.inf)
        ok = (cand < nxt) & (cand - ti < 0.75 * MAX_STRIDE_S)
        fc_t[np.flatnonzero(m)] = np.where(ok, cand, np.nan)
    stance = fc_t - t
    prev_t = np.concatenate([[np.nan], t[:-1]])
    other_side = np.concatenate([[True], left[1:] != left[:-1]])  # than the step before
    prev_bout = np.concatenate([[-2], bout[:-1]])
    step_ok = other_side & (prev_bout == bout) & (bout >= 0)
    step = np.where(step_ok, t - prev_t, np.nan)
    step[step > MAX_STRIDE_S / 2] = np.nan
    stride = np.full(n, np.nan)
    for is_left in (True, False):
        idx = np.flatnonzero(left == is_left)
        if len(idx) > 1:
            d = t[idx[1:]] - t[idx[:-1]]
            same = bout[idx[1:]] == bout[idx[:-1]]
            stride[idx[1:]] = np.where(same & (d <= MAX_STRIDE_S) & (bout[idx[1:]] >= 0), d,
                                       np.nan)
    # swing: from this IC's FC to the next IC of the same side (same bout, within a stride)
    nxt = np.full(n, np.nan)
    for is_left in (True, False):
        idx = np.flatnonzero(left == is_left)
        if len(idx) > 1:
            ok_next = np.isfinite(stride[idx[1:]])
            nxt[idx[:-1]] = np.where(ok_next, t[idx[1:]], np.nan)
    swing = nxt - fc_t
    # double support opened by this IC (the load transfer onto this leg): until the other
    # side's next FC, if that comes before this side's own FC and before the next IC (running
    # has none: the other foot left the ground before this IC)
    ds = np.full(n, np.nan)
    t_next = np.append(t[1:], np.inf)
    for is_left in (True, False):
        m = np.flatnonzero(left == is_left)
        fo = np.sort(fc_time[fc_left != is_left])  # the other side's FCs
        if len(fo) == 0 or len(m) == 0:
            continue
        j = np.searchsorted(fo, t[m], side="right")
        cand = np.where(j < len(fo), fo[np.minimum(j, len(fo) - 1)], np.nan)
        own = np.where(np.isfinite(fc_t[m]), fc_t[m], np.inf)
        ok = (cand < t_next[m]) & (cand < own)
        ds[m] = np.where(ok, cand - t[m], np.nan)
    stance[(stance > stride) | (stance <= 0)] = np.nan
    swing[~(swing > 0)] = np.nan
    # contacts outside every bout (turns, shuffling) keep their events but give no parameters
    outside = bout < 0
    stance[outside] = np.nan
    swing[outside] = np.nan
    ds[outside] = np.nan
    return pd.DataFrame({"side": side, "ic": t, "bout": bout, "fc": fc_t, "stance_s": stance,
                         "step_s": step, "stride_s": stride, "swing_s": swing,
                         "double_support_s": ds})


def equals(column: pd.Series, value: str) -> np.ndarray:
    """``column == value`` as a boolean array (missing values: False), compared by pandas: an
    object array of a 24-hour walk's 318k sides or kinds would make a Python string each."""
    return (column == value).to_numpy(dtype=bool, na_value=False)


def bout_index(t: np.ndarray, bouts: pd.DataFrame | None) -> np.ndarray:
    if bouts is None or len(bouts) == 0:
        return np.zeros(len(t), dtype=int)
    s = bouts["start"].to_numpy(float)
    e = bouts["end"].to_numpy(float)
    order = np.argsort(s)
    s, e = s[order], e[order]
    i = np.searchsorted(s, t + 1e-9, side="right") - 1
    inside = (i >= 0) & (t <= e[np.clip(i, 0, None)] + 1e-9)
    return np.where(inside, i, -1)


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
    group = _group_codes([out["side"], out["bout"]] if "bout" in out else [out["side"]])
    for col in ("stride_s", "stance_s"):
        if col not in out:
            continue
        x = out[col].to_numpy(float)
        med = _group_median(group, x)
        bad = np.isfinite(x) & np.isfinite(med) & ((x < lo * med) | (x > hi * med))
        reg &= ~bad
    out["regular"] = reg
    cols = [c for c in TEMPORAL if c in out]
    # (pandas' masked assignment costs ~1 ms even when it sets nothing: skipped then, for
    # float columns, which it would leave as they are)
    if not reg.all() or any(out[c].dtype.kind != "f" for c in cols):
        out.loc[~reg, cols] = np.nan
    return out


def _group_codes(keys: list[pd.Series]) -> np.ndarray:
    """One integer per row for its combination of ``keys`` (-1 where a key is missing: no
    group, as groupby drops missing keys)."""
    code = np.zeros(len(keys[0]), dtype=np.int64)
    missing = np.zeros(len(code), dtype=bool)
    for k in keys:
        c, uniq = pd.factorize(k)
        missing |= c < 0
        code = code * (len(uniq) + 1) + c
    return np.where(missing, -1, code)


def _group_median(group: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Per row, the median of the non-NaN ``x`` of its group (NaN for a group without one, or a
    row without a group): ``groupby(...).transform("median")``'s numbers (the middle value, or
    the mean of the two middle ones), without pandas' per-group machinery."""
    out = np.full(len(x), np.nan)
    ok = ~np.isnan(x) & (group >= 0)
    if not ok.any():
        return out
    g, v = group[ok], x[ok]
    order = np.lexsort((v, g))
    gs, vs = g[order], v[order]
    starts = np.flatnonzero(np.concatenate([[True], gs[1:] != gs[:-1]]))
    counts = np.diff(np.append(starts, len(gs)))
    lo, hi = starts + (counts - 1) // 2, starts + counts // 2
    med = np.where(lo == hi, vs[lo], (vs[lo] + vs[hi]) / 2)
    pos = np.searchsorted(gs[starts], group)  # each row's group among those with values
    pos = np.minimum(pos, len(starts) - 1)
    found = (group >= 0) & (gs[starts][pos] == group)
    out[found] = med[pos[found]]
    return out
