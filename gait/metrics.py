"""Per-step parameters from the event table.

``step_table`` pairs each initial contact (IC) with the next final contact (FC) of the same
side (stance), the previous IC of the other side (step time) and the previous IC of the same
side (stride time). Definitions follow the usual temporal gait parameters (e.g. Del Din et al.
2016, "Free-living gait characteristics in ageing and Parkinson's disease", J NeuroEng Rehabil
13:46); symmetry index after Robinson et al. 1987 (J Manipulative Physiol Ther 10:172-176):
SI = 100 (L - R) / (0.5 (L + R)), positive = left larger.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_STRIDE_S = 2.5  # longer IC-to-IC intervals are pauses, not strides


def step_table(events: pd.DataFrame, bouts: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per IC with a side: ``side, ic, fc, stance_s, step_s, stride_s, bout``.

    Parameters are NaN where the neighbouring event is missing, on the wrong side, in another
    bout or too far away to belong to the same step.
    """
    ev = events[events["side"].isin(["L", "R"])].sort_values("t")
    ic = ev[ev["kind"] == "IC"].reset_index(drop=True)
    fc = ev[ev["kind"] == "FC"]
    n = len(ic)
    out = pd.DataFrame({"side": ic["side"].to_numpy(dtype=object), "ic": ic["t"].to_numpy(float)})
    out["bout"] = _bout_index(out["ic"].to_numpy(), bouts)
    t = out["ic"].to_numpy()
    side = out["side"].to_numpy()
    bout = out["bout"].to_numpy()
    # stance: next FC of the same side after this IC and before this side's next IC
    fc_t = np.full(n, np.nan)
    for s in ("L", "R"):
        m = side == s
        ft = np.sort(fc.loc[fc["side"] == s, "t"].to_numpy(float))
        if len(ft) == 0 or not m.any():
            continue
        ti = t[m]
        j = np.searchsorted(ft, ti, side="right")
        cand = np.where(j < len(ft), ft[np.minimum(j, len(ft) - 1)], np.nan)
        nxt = np.append(ti[1:], np.inf)
        ok = (cand < nxt) & (cand - ti < 0.75 * MAX_STRIDE_S)
        fc_t[np.flatnonzero(m)] = np.where(ok, cand, np.nan)
    out["fc"] = fc_t
    out["stance_s"] = fc_t - t
    prev_t = np.concatenate([[np.nan], t[:-1]])
    prev_side = np.concatenate([[None], side[:-1]])
    prev_bout = np.concatenate([[-2], bout[:-1]])
    step_ok = (prev_side != side) & (prev_bout == bout) & (bout >= 0)
    step = np.where(step_ok, t - prev_t, np.nan)
    step[step > MAX_STRIDE_S / 2] = np.nan
    out["step_s"] = step
    stride = np.full(n, np.nan)
    for s in ("L", "R"):
        idx = np.flatnonzero(side == s)
        if len(idx) > 1:
            d = t[idx[1:]] - t[idx[:-1]]
            same = bout[idx[1:]] == bout[idx[:-1]]
            stride[idx[1:]] = np.where(same & (d <= MAX_STRIDE_S) & (bout[idx[1:]] >= 0), d,
                                       np.nan)
    out["stride_s"] = stride
    bad_stance = (out["stance_s"] > out["stride_s"]) | (out["stance_s"] <= 0)
    out.loc[bad_stance, "stance_s"] = np.nan
    return out


def _bout_index(t: np.ndarray, bouts: pd.DataFrame | None) -> np.ndarray:
    if bouts is None or len(bouts) == 0:
        return np.zeros(len(t), dtype=int)
    s = bouts["start"].to_numpy(float)
    e = bouts["end"].to_numpy(float)
    order = np.argsort(s)
    s, e = s[order], e[order]
    i = np.searchsorted(s, t + 1e-9, side="right") - 1
    inside = (i >= 0) & (t <= e[np.clip(i, 0, None)] + 1e-9)
    return np.where(inside, i, -1)


def symmetry_index(left: float, right: float) -> float:
    """Robinson 1987 SI in %: 100 (L - R) / (0.5 (L + R)); positive = left larger."""
    den = 0.5 * (left + right)
    return float(100.0 * (left - right) / den) if den else float("nan")


def per_side_means(steps: pd.DataFrame, column: str) -> dict[str, float]:
    return {s: float(np.nanmean(steps.loc[steps["side"] == s, column]))
            if steps.loc[steps["side"] == s, column].notna().any() else float("nan")
            for s in ("L", "R")}
