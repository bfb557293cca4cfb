"""The trend of each parameter's symmetry over the stored walks.

For each parameter, the walks' symmetry indices (SI) are regressed on time by random-effects
meta-regression: each walk's SI is an estimate with a known standard error (from its 95 %
bootstrap CI, SE = width / 3.92) plus a between-walk variance tau^2 (day-to-day variation)
estimated by the method of moments (DerSimonian & Laird 1986, Control Clin Trials 7:177;
meta-regression form: Thompson & Sharp 1999, Stat Med 18:2693; Raudenbush 2009, in *The Handbook
of Research Synthesis and Meta-Analysis*, ch. 16). Weights are 1 / (SE^2 + tau^2); the slope's
95 % CI is a Wald interval. The slope is signed towards the *initial side* (the side of the fitted
SI at the first walk), so a negative slope means the asymmetry is shrinking. Status:
``improving`` (slope CI below 0), ``worsening`` (above 0), ``reversed`` (significantly shrinking
but the fitted SI at the last walk is larger on the other side), ``no_clear_change`` (CI covers
0: the data cannot tell yet) and ``too_few_walks`` (fewer than 3 walks with a CI, or walks
spanning less than ``MIN_SPAN_DAYS``: walks minutes apart are repeats of one day, and their slope
"per week" - thousands of points when they are seconds apart - says nothing about a change).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gait.history.database import Z95, resolve_db
from gait.history.walks import iso_utc, walks
from gait.parameters import NAMES

if TYPE_CHECKING:
    pass


SCHEMA = "gait-history/1"
MIN_WALKS = 3
MIN_SPAN_DAYS = 1.0  # a trend needs walks on different days
SE_FLOOR_PCT = 0.05  # a CI of zero width would get infinite weight
METHOD = {
    "name": "random-effects meta-regression of the SI on time (method-of-moments tau^2, "
            "weights 1/(SE^2 + tau^2), Wald 95 % CI of the slope)",
    "references": [
        "DerSimonian R, Laird N (1986) Meta-analysis in clinical trials. Control Clin Trials "
        "7:177-188",
        "Thompson SG, Sharp SJ (1999) Explaining heterogeneity in meta-analysis: a comparison "
        "of methods. Stat Med 18:2693-2708",
    ],
    "se_from_ci": "SE = (ci95 high - ci95 low) / 3.92",
    "min_walks": MIN_WALKS,
}
STATUS_LABEL = {
    "improving": "improving",
    "worsening": "worsening",
    "reversed": "reversed sides",
    "no_clear_change": "no clear change",
    "too_few_walks": f"too few walks (need >= {MIN_WALKS})",
}



def _days(iso: str, t0: datetime) -> float:
    return (datetime.fromisoformat(iso) - t0).total_seconds() / 86400.0


def _normal_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def trend(t_days: Sequence[float], si: Sequence[float], se: Sequence[float]) -> dict[str, Any]:
    """Random-effects meta-regression of ``si`` on ``t_days`` (see the module docstring).

    Returns the ``trend`` object of the ``gait-history/1`` document: status, label, slope (SI
    points per week, signed towards the initial side) with its 95 % CI and p value, fitted SI at
    the first and last walk (signed, positive = left larger), initial side, tau^2, note.
    """
    import numpy as np

    t = np.asarray(t_days, float)
    y = np.asarray(si, float)
    v = np.maximum(np.asarray(se, float), SE_FLOOR_PCT) ** 2
    out: dict[str, Any] = {"status": "too_few_walks", "label": STATUS_LABEL["too_few_walks"],
                           "n_walks": len(t), "slope_pct_per_week": None,
                           "slope_ci95": None, "p_value": None, "initial_side": None,
                           "fitted_first_pct": None, "fitted_last_pct": None,
                           "tau2": None, "note": None}
    if len(t) < MIN_WALKS or float(np.ptp(t)) < MIN_SPAN_DAYS:
        if len(t) >= MIN_WALKS:
            out["note"] = ("the walks span less than a day: a trend needs walks on different "
                           "days (give their dates with --date)")
        return out
    x = np.column_stack([np.ones_like(t), t / 7.0])  # slope per week

    def fit(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cov = np.linalg.inv(x.T @ (w[:, None] * x))
        return cov @ (x.T @ (w * y)), cov

    w = 1.0 / v
    beta, cov = fit(w)
    q = float(np.sum(w * (y - x @ beta) ** 2))
    df = len(t) - 2
    trace_p = float(np.sum(w) - np.trace(cov @ (x.T @ ((w**2)[:, None] * x))))
    tau2 = max(0.0, (q - df) / trace_p) if trace_p > 0 else 0.0
    beta, cov = fit(1.0 / (v + tau2))
    xf, xl = np.array([1.0, t.min() / 7]), np.array([1.0, t.max() / 7])
    first, last = float(xf @ beta), float(xl @ beta)
    se_last = math.sqrt(float(xl @ cov @ xl))
    wmean = float(np.sum(y / (v + tau2)) / np.sum(1 / (v + tau2)))
    sign = 1.0 if (first or wmean or 1.0) > 0 else -1.0
    slope = sign * float(beta[1])
    se_slope = math.sqrt(float(cov[1, 1]))
    lo, hi = slope - Z95 * se_slope, slope + Z95 * se_slope
    status = "improving" if hi < 0 else "worsening" if lo > 0 else "no_clear_change"
    note = None
    if sign * last < 0 and abs(last) > Z95 * se_last:  # clearly on the other side now
        note = f"the asymmetry has moved to the {'right' if sign > 0 else 'left'} side"
        if status == "improving" and abs(last) > abs(first):
            status = "reversed"
    out.update(status=status, label=STATUS_LABEL[status], slope_pct_per_week=slope,
               slope_ci95=[lo, hi], p_value=2 * _normal_sf(abs(slope) / se_slope)
               if se_slope > 0 else None,
               initial_side="L" if sign > 0 else "R", fitted_first_pct=first,
               fitted_last_pct=last, tau2=tau2, note=note)
    return out


def history_doc(db: str | os.PathLike[str] | None = None,
                parameters: Sequence[str] | None = None) -> dict[str, Any]:
    """The ``gait-history/1`` document: walks, and per parameter its points and trend."""
    from gait.version import __version__

    path = resolve_db(db)
    ws = walks(path)
    names: list[str] = list(dict.fromkeys(parameters or []))
    if not names:
        stored = {p for w in ws for p in w["symmetry"]}
        names = [p for p in NAMES if p in stored] + sorted(stored.difference(NAMES))
    params: dict[str, Any] = {}
    t0 = datetime.fromisoformat(ws[0]["walk_utc"]) if ws else datetime.now(UTC)
    for p in names:
        points, tt, yy, ss = [], [], [], []
        for w in ws:
            s = w["symmetry"].get(p)
            if not s or s["si_pct"] is None:
                continue
            lo, hi = s["ci95"]
            points.append({"walk_id": w["id"], "walk_utc": w["walk_utc"],
                           "si_pct": s["si_pct"], "ci95": s["ci95"],
                           "left_share_pct": s["left_share_pct"],
                           "n_strides": s["n_strides"]})
            if lo is not None and hi is not None:
                tt.append(_days(w["walk_utc"], t0))
                yy.append(s["si_pct"])
                ss.append((hi - lo) / (2 * Z95))
        params[p] = {"points": points, "trend": trend(tt, yy, ss)}
    return {
        "schema": SCHEMA, "generated_by": f"gait {__version__}",
        "created_utc": iso_utc(datetime.now(UTC)), "db": str(path),
        "method": METHOD, "n_walks": len(ws),
        "walks": [{k: w[k] for k in ("id", "walk_utc", "walk_time_source", "analysed_utc",
                                     "file", "content_hash", "placements", "gait_kind",
                                     "duration_s", "n_steps", "cadence_spm", "step_s",
                                     "quality_ok", "verdict")}
                  for w in ws],
        "parameters": params,
    }
