"""Per-side summaries and symmetry with bootstrap confidence intervals.

Symmetry index after Robinson et al. 1987 (J Manipulative Physiol Ther 10:172-176):
SI = 100 (L - R) / (0.5 (L + R)), positive = left larger. Confidence intervals resample whole
strides (one left and the following right step), so the L/R pairing is kept.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from gait import dsp
from gait.metrics.temporal import TEMPORAL, bout_index, equals
from gait.parameters import NAMES


def symmetry_index(left: float, right: float) -> float:
    """Robinson 1987 SI in %: 100 (L - R) / (0.5 (L + R)); positive = left larger."""
    den = 0.5 * (left + right)
    return float(100.0 * (left - right) / den) if den else float("nan")


def per_side_means(steps: pd.DataFrame, column: str) -> dict[str, float]:
    return {s: float(np.nanmean(steps.loc[steps["side"] == s, column]))
            if steps.loc[steps["side"] == s, column].notna().any() else float("nan")
            for s in ("L", "R")}


# --- per-side summaries and symmetry ---------------------------------------------------------

def per_side(steps: pd.DataFrame, params: list[str] | None = None) -> dict[str, dict]:
    """Mean, SD, CV (%) and n of every parameter for each side."""
    params = [p for p in (params or list(NAMES)) if p in steps]
    out: dict[str, dict] = {"L": {}, "R": {}}
    for s in ("L", "R"):
        sub = steps[steps["side"] == s]
        for p in params:
            x = sub[p].to_numpy(float)
            out[s][p] = describe_values(x[np.isfinite(x)])
    return out


def describe_values(x: np.ndarray) -> dict[str, Any]:
    """Mean, SD (n - 1), CV (% of the mean) and n of finite values; None where undefined."""
    if len(x) == 0:
        return {"mean": None, "sd": None, "cv": None, "n": 0}
    m = float(np.mean(x))
    sd = float(np.std(x, ddof=1)) if len(x) > 1 else 0.0
    return {"mean": m, "sd": sd, "cv": float(100 * sd / abs(m)) if m else None, "n": len(x)}


def stride_ids(steps: pd.DataFrame) -> np.ndarray:
    """Stride index of every step: a stride is one left step and the right step after it
    (within a bout); the bootstrap resamples whole strides so L/R pairing is kept."""
    bout = steps["bout"].to_numpy() if "bout" in steps else np.zeros(len(steps), int)
    new = equals(steps["side"], "L") | np.concatenate([[True], bout[1:] != bout[:-1]])
    return np.cumsum(new) - 1


BOOT_BLOCK = 50  # bootstrap resamples drawn at once: memory 8 B x BOOT_BLOCK x strides ...
BOOT_CELLS = 1 << 20  # ... and at most this many stride draws (8 MB) in a block


def _boot_sums(per_stride: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """Column sums of ``per_stride`` (strides x m) in ``n_boot`` bootstrap resamples of the
    strides, ``BOOT_BLOCK`` resamples at a time (fewer where a block would exceed
    ``BOOT_CELLS`` draws: a 24-hour walk's ~80k strides, 13 resamples and 8 MB a block instead of
    50 and 32 MB) so that memory does not grow with n_boot x strides. The draws are the same
    whatever the block (one generator, drawn in order); the sums of a smaller block agree to
    rounding (the product's summation is split differently). Each resample draws ``k`` stride
    indices with replacement and counts them (``np.bincount``; the counts are multinomial, as in
    the textbook bootstrap, and ~5x faster to draw than ``Generator.multinomial`` for thousands
    of strides); one matrix product per block gives the sums (:func:`gait.dsp.matmul`: on the
    calling thread)."""
    k = len(per_stride)
    out = np.empty((n_boot, per_stride.shape[1]))
    if k == 0 or per_stride.shape[1] == 0:
        return out
    rng = np.random.default_rng(seed)
    block = max(1, min(BOOT_BLOCK, BOOT_CELLS // k))
    for i in range(0, n_boot, block):
        b = min(block, n_boot - i)
        idx = rng.integers(0, k, size=(b, k))
        # each resample's counts, as floats, overwrite its own indices (read first): one
        # b x k array at a time
        counts = idx.view(np.float64)
        for r in range(b):
            counts[r] = np.bincount(idx[r], minlength=k)
        out[i:i + b] = dsp.matmul(counts, per_stride)
        del idx, counts  # before the next block is drawn
    return out


def symmetry(steps: pd.DataFrame, params: list[str] | None = None, n_boot: int = 2000,
             seed: int = 0, timing_sd_s: float = 0.0) -> dict[str, dict]:
    """Symmetry of each parameter with 95 % bootstrap confidence intervals.

    * ``si_pct``: Robinson et al. (1987) symmetry index of the side means,
      100 (L - R) / (0.5 (L + R)), positive = left larger;
    * ``left_share_pct``: 100 L / (L + R) (the "balance" of running watches);
    * ``gait_asymmetry_pct``: Plotnik et al. (2007) GA = 100 |ln(L / R)|;
    * ``ci95``: percentile bootstrap over strides (Efron & Tibshirani 1993), resampling whole
      strides (an L step with the R step after it) so that the pairing within a stride and the
      unequal counts per side are respected; ``n_boot`` resamples, vectorised as multinomial
      stride counts times per-stride sums (in blocks, :func:`_boot_sums`);
    * ``timing_sd_s``: the detector's systematic left/right timing uncertainty (s), the SD of
      the difference between the two sides' event-timing biases, as validated for the
      placement. Resampling strides cannot see a bias that repeats every stride, so for the
      temporal parameters it is added in quadrature: a side-specific bias ``d`` shifts the SI
      by ``100 d / mean``, giving a half-width ``1.96 * 100 * timing_sd_s / mean`` (points).
    """
    params = [p for p in (params or list(NAMES)) if p in steps]
    ids = stride_ids(steps)
    k = int(ids.max()) + 1 if len(ids) else 0
    on_side = {s: equals(steps["side"], s) for s in ("L", "R")}
    # the parameters with at least two values on each side, then their per-stride table (sum L,
    # n L, sum R, n R per stride) written column by column into its one array (a 24-hour walk:
    # 80k strides x 4 columns a parameter, ~23 MB)
    values = {}
    for p in params:
        x = steps[p].to_numpy(float)
        good = np.isfinite(x)
        masks = [good & on_side["L"], good & on_side["R"]]
        if k and masks[0].sum() >= 2 and masks[1].sum() >= 2:
            values[p] = (x, masks)
    per_stride = np.empty((k, 4 * len(values)))
    totals = {}
    for j, (p, (x, masks)) in enumerate(values.items()):
        sums = []
        for i, m in enumerate(masks):
            col = np.bincount(ids[m], weights=x[m], minlength=k)
            n = np.bincount(ids[m], minlength=k).astype(float)
            sums.append(col.sum() / n.sum())
            per_stride[:, 4 * j + 2 * i] = col
            per_stride[:, 4 * j + 2 * i + 1] = n
        n_strides = int(np.sum((per_stride[:, 4 * j + 1] > 0) | (per_stride[:, 4 * j + 3] > 0)))
        totals[p] = (sums[0], sums[1], n_strides)
    del values
    boot = _boot_sums(per_stride, n_boot, seed)
    del per_stride
    out: dict[str, dict] = {}
    for j, (p, (L, R, n_strides)) in enumerate(totals.items()):
        b = boot[:, 4 * j: 4 * j + 4]
        with np.errstate(all="ignore"):
            bl = b[:, 0] / b[:, 1]
            br = b[:, 2] / b[:, 3]
            bsi = 100 * (bl - br) / (0.5 * (bl + br))
            bshare = 100 * bl / (bl + br)
        bsi = bsi[np.isfinite(bsi)]
        bshare = bshare[np.isfinite(bshare)]
        si = symmetry_index(L, R)
        ci: list[float | None] = [None, None]
        if len(bsi):
            lo, hi = float(np.percentile(bsi, 2.5)), float(np.percentile(bsi, 97.5))
            if timing_sd_s > 0 and p in TEMPORAL and L + R > 0:
                sys_hw = 1.96 * 100.0 * timing_sd_s / (0.5 * (L + R))
                lo = si - float(np.hypot(si - lo, sys_hw))
                hi = si + float(np.hypot(hi - si, sys_hw))
            ci = [lo, hi]
        out[p] = {
            "si_pct": si,
            "ci95": ci,
            "left_share_pct": float(100 * L / (L + R)) if L + R else None,
            "left_share_ci95": [float(np.percentile(bshare, 2.5)),
                                float(np.percentile(bshare, 97.5))] if len(bshare) else
            [None, None],
            "gait_asymmetry_pct": float(100 * abs(np.log(L / R))) if L > 0 and R > 0 else None,
            "n_strides": n_strides,
        }
    return out


MIN_STEP_PAIRS = 10


def step_asymmetry(steps: pd.DataFrame, limit_pct: float) -> dict[str, float | int | None]:
    """Apple-style walking asymmetry: the share of step pairs whose two steps differ in time.

    Apple's Walking Asymmetry is "the percentage of time your steps with one foot are faster or
    slower than steps with the other foot" (Apple, "Measuring Walking Quality Through iPhone
    Mobility Metrics", white paper, 2021); its threshold is not published. Here every pair of
    consecutive steps of opposite sides in one bout (irregular steps left out, see
    :func:`mark_irregular`) counts as asymmetric when the two step times differ by more than
    ``limit_pct`` % of their mean; the report passes the mild step-time threshold of
    :mod:`gait.interpret` (7.7 %: the upper limit of normal step symmetry ratio, 1.08, Patterson
    et al. 2010, Gait Posture 31:241). Detector timing jitter also splits pairs, so compare
    values of one placement (e.g. over weeks), not across placements. ``None`` with fewer than
    ``MIN_STEP_PAIRS`` pairs.
    """
    x = steps["step_s"].to_numpy(float) if "step_s" in steps else np.zeros(0)
    if len(x) < 2:
        return {"asymmetric_steps_pct": None, "n_step_pairs": 0, "limit_pct": limit_pct}
    side = pd.factorize(steps["side"])[0]  # codes: no Python string per step
    bout = steps["bout"].to_numpy() if "bout" in steps else np.zeros(len(x))
    a, b = x[:-1], x[1:]
    ok = np.isfinite(a) & np.isfinite(b) & (side[:-1] != side[1:]) & (bout[:-1] == bout[1:])
    diff = 100.0 * np.abs(a - b) / (0.5 * (a + b))
    n = int(ok.sum())
    pct = float(100.0 * np.mean(diff[ok] > limit_pct)) if n >= MIN_STEP_PAIRS else None
    return {"asymmetric_steps_pct": pct, "n_step_pairs": n, "limit_pct": limit_pct}


#: steps within this factor of the median step time count as regular in :func:`overall`
REGULAR_STEP = (0.7, 1.3)


def overall(events: pd.DataFrame, bouts: pd.DataFrame | None) -> dict[str, Any]:
    """Both legs together, sides known or not: the ICs inside bouts (``n_steps``), the time
    between consecutive ICs of a bout (``step_s``: mean, SD, CV %, n of the regular ones, within
    ``REGULAR_STEP`` x their median, so pauses and turns on the spot do not count) and the
    cadence from it (steps/min). A phone in a pocket of unknown side still gives these.

    A sensor on one leg only (every IC on one side) sees strides, not steps: its intervals are
    ``stride_s``, the cadence is 2 x the strides per minute, ``n_steps`` is 2 x its contacts,
    ``step_s`` is not measured (n 0) and ``one_leg`` names the side."""
    ics = events.loc[events["kind"] == "IC"].sort_values("t")
    ic = ics["t"].to_numpy(float)
    sides = set(ics["side"].dropna().unique()) if "side" in ics else set()
    one_leg = sides.pop() if len(sides) == 1 and ics["side"].notna().all() else None
    bout = bout_index(ic, bouts)
    n_steps = int((bout >= 0).sum())
    same = (bout[1:] == bout[:-1]) & (bout[1:] >= 0)
    d = np.diff(ic)[same]
    if len(d):
        med = float(np.median(d))
        d = d[(d >= REGULAR_STEP[0] * med) & (d <= REGULAR_STEP[1] * med)]
    if one_leg is not None:
        stride = describe_values(d)
        return {"n_steps": 2 * n_steps,
                "cadence_spm": 120.0 / stride["mean"] if stride["mean"] else None,
                "step_s": describe_values(np.empty(0)), "stride_s": stride,
                "one_leg": str(one_leg)}
    step = describe_values(d)
    return {"n_steps": n_steps,
            "cadence_spm": 60.0 / step["mean"] if step["mean"] else None, "step_s": step}
