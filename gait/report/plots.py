"""The HTML report's plots (inline SVG through :mod:`gait.report.svg`): stance over time, its
distribution per side, impact, and the symmetry of every parameter against its thresholds.
Series with more than ``MAX_POINTS`` steps per side are drawn, for display only, as the median
and interquartile band per time bin (``N_BINS`` bins).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import numpy as np

from gait.report import svg
from gait.report.jsonout import fmt_value, param_label, param_unit
from gait.report.svg import FONT, Axes, Chart
from gait.report.text import (
    SIDE_WORD,
    counting,
    fmt_mean_sd,
    fmt_si,
    parameter_keys,
)
from gait.table import Table

MAX_POINTS = 1000  # per side; beyond this series are binned
N_BINS = 240
COLOR = {"L": "#0072B2", "R": "#E69F00"}  # Okabe-Ito blue / orange, colour-blind safe
TEXT_COLOR = {"L": "#0072B2", "R": "#b57d00"}  # orange text darkened for contrast (as the CSS)
BOUT_COLOR = "#9e9e9e"
LEVEL_COLOR = {"balanced": "#2e7d32", "mild": "#f9a825", "marked": "#c62828",
               "undetermined": "#757575", "uncertain": "#757575"}
INFO_COLOR = "#78909c"  # informational parameters: never a verdict colour
BAND_COLOR = {"balanced": "#c8e6c9", "mild": "#fff3b0", "marked": "#ffcdd2", "none": "#eeeeee"}


def esc(x: Any) -> str:
    return escape(str(x), quote=True)


def as_float(x: Any) -> float:
    """``x`` as float, NaN for null / non-numbers."""
    if isinstance(x, bool) or x is None:
        return float("nan")
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def level_of(x: Any, allowed: Sequence[str] = tuple(LEVEL_COLOR)) -> str:
    return str(x) if x in allowed else "undetermined"



def _column(steps: Sequence[Mapping[str, Any]], key: str) -> np.ndarray:
    """Column ``key`` of the steps as floats (NaN for null, non-numbers and a missing key);
    straight from the arrays of a columnar :class:`~gait.table.Table`."""
    if not isinstance(steps, Table):
        return np.array([as_float(s.get(key)) for s in steps], dtype=float)
    if key not in steps.keys:
        return np.full(len(steps), np.nan)
    c = steps.codes(key)
    if c is not None:
        return np.array([as_float(x) for x in c.labels] or [np.nan], dtype=float)[c.codes]
    return steps.column(key).astype(float)


def _side_is(steps: Sequence[Mapping[str, Any]], side: str) -> np.ndarray:
    if isinstance(steps, Table):
        return steps.isin("side", (side,))
    return np.array([s.get("side") for s in steps], dtype=object) == side


def _per_side(steps: Sequence[Mapping[str, Any]], key: str) -> dict[str, tuple[np.ndarray,
                                                                            np.ndarray]]:
    """Side -> (IC time, value) of the steps with a finite value, in time order."""
    t, v = _column(steps, "ic"), _column(steps, key)
    out = {}
    for s in ("L", "R"):
        m = _side_is(steps, s) & np.isfinite(t) & np.isfinite(v)
        order = np.argsort(t[m], kind="stable")
        out[s] = (t[m][order], v[m][order])
    return out


def _binned(t: np.ndarray, v: np.ndarray, edges: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per time bin: mean time, median, 25th and 75th percentile (NaN in empty bins)."""
    nb = len(edges) - 1
    b = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, nb - 1)
    order = np.lexsort((v, b))
    sv = v[order]
    counts = np.bincount(b, minlength=nb)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    full = counts > 0
    tc = np.full(nb, np.nan)
    tc[full] = np.bincount(b, weights=t, minlength=nb)[full] / counts[full]

    def q(p: float) -> np.ndarray:
        pos = starts + p * np.maximum(counts - 1, 0)
        lo = np.minimum(np.floor(pos).astype(int), len(sv) - 1)
        hi = np.minimum(np.ceil(pos).astype(int), len(sv) - 1)
        r = sv[lo] + (sv[hi] - sv[lo]) * (pos - np.floor(pos))
        return np.where(full, r, np.nan)

    return tc, q(0.5), q(0.25), q(0.75)


def _break_gaps(t: np.ndarray, v: np.ndarray, gap: float) -> tuple[np.ndarray, np.ndarray]:
    """Insert NaN where consecutive times are more than ``gap`` apart (pauses are not joined)."""
    idx = np.flatnonzero(np.diff(t) > gap) + 1
    return np.insert(t, idx, np.nan), np.insert(v, idx, np.nan)



def _time_axis(doc: Mapping[str, Any]) -> tuple[float, str]:
    dur = as_float((doc.get("recording") or {}).get("duration_s"))
    steps = doc.get("steps") or []
    t_end = np.nanmax(_column(steps, "ic")) if steps else 0.0
    span = np.nanmax([dur, t_end, 0.0])
    return (60.0, "time (min)") if span > 600 else (1.0, "time (s)")


def _no_data(ax: Axes, what: str) -> None:
    ax.text(0.5, 0.5, what, coords="axes", color="#777", dy=FONT * 0.35)


def _value_label(key: str) -> str:
    unit = param_unit(key)
    return param_label(key) + (f" ({unit})" if unit else "")


def _chart(height: float, width: float) -> Chart:
    """A chart ``width`` units wide; a narrow one (a phone's) leaves its legend to the page."""
    return Chart(height, width=width, legend_in_svg=width >= svg.WIDTH)


def _n_ticks(width: float, wide: int = 8) -> int:
    return wide if width >= svg.WIDTH else max(wide // 2, 3)


def _timeline(doc: Mapping[str, Any], key: str, height: float, right: float = 14.0,
              include: Sequence[float] = (), width: float = svg.WIDTH
              ) -> tuple[Chart, Axes, str]:
    """Per-step values of both sides along the walk (binned beyond ``MAX_POINTS`` per side),
    the y range also covering ``include``; returns the chart, its axes and a caption note when
    binned."""
    scale, xlabel = _time_axis(doc)
    series = _per_side(doc.get("steps") or [], key)
    bouts = np.array([[as_float(b.get("start")), as_float(b.get("end"))]
                      for b in doc.get("bouts") or []], dtype=float).reshape(-1, 2) / scale
    has = any(len(v) for _, v in series.values())
    binned = max(len(v) for _, v in series.values()) > MAX_POINTS
    note, drawn = "", {}
    if binned:
        t_all = np.concatenate([t for t, _ in series.values()])
        edges = np.linspace(t_all.min(), t_all.max() + 1e-9, N_BINS + 1)
        note = (f" (more than {MAX_POINTS} steps per side: median and interquartile band per "
                f"{edges[1] - edges[0]:.0f} s)")
    for s, (t, v) in series.items():
        if len(v):
            drawn[s] = _binned(t, v, edges) if binned else (*_break_gaps(t, v, 3.0), None, None)
    ys = [a for d in drawn.values() for a in d[1:] if a is not None]
    ylim = svg.limits(*ys, [v.mean() for _, v in series.values() if len(v)], include, pad=0.06)
    xlim = svg.limits(*[d[0] / scale for d in drawn.values()], bouts, pad=0.02)
    yt = svg.nice_ticks(*ylim, 7 if width >= svg.WIDTH else 5)
    ytl = svg.tick_labels(yt)
    chart = _chart(height, width)
    ax = chart.add_axes(svg.y_margin(ytl), 34 if chart.legend_in_svg else 24, right, 50, xlim,
                        ylim)
    if len(bouts):
        ax.vspan(bouts[:, 0], bouts[:, 1], BOUT_COLOR, 0.13)
    for s, (tc, mid, q1, q3) in drawn.items():
        if binned:
            ax.band(tc / scale, q1, q3, COLOR[s], 0.25)
            ax.line(tc / scale, mid, COLOR[s], 1.9)
        else:
            ax.line(tc / scale, mid, COLOR[s], 1.1)
            ax.markers(tc / scale, mid, COLOR[s], 3.8)
        ax.hline(float(series[s][1].mean()), COLOR[s], 1.3, "5 3")
    xt = svg.nice_ticks(*xlim, _n_ticks(width))
    ax.xaxis(xt, svg.tick_labels(xt), xlabel)
    ax.yaxis(yt, ytl, _value_label(key))
    if has:
        entries = [("patch", BOUT_COLOR, "walking bout")] if len(bouts) else []
        entries += [("line" if binned else "linedot", COLOR[s],
                     f"{SIDE_WORD[s]} (mean {fmt_value(key, series[s][1].mean())})".capitalize())
                    for s in drawn]
        chart.legend(entries, ax.x, 16)
    else:
        _no_data(ax, f"no {param_label(key).lower()} per step in this recording")
    return chart, ax, note


def _plot_stance(doc: Mapping[str, Any], width: float = svg.WIDTH) -> tuple[Chart, str]:
    chart, _, note = _timeline(doc, "stance_s", 310 if width >= svg.WIDTH else 260,
                               width=width)
    return chart, _series_label(doc, "stance_s", "Stance time of every step along the walk"
                                + note)


def _series_label(doc: Mapping[str, Any], key: str, what: str) -> str:
    ps = doc.get("per_side") or {}
    parts = [f"{SIDE_WORD[s]} {fmt_mean_sd(key, (ps.get(s) or {}).get(key))} {param_unit(key)}"
             for s in ("L", "R")]
    return f"{what}; {', '.join(parts)} (mean ± SD); dashed lines: side means."


def _plot_stance_dist(doc: Mapping[str, Any], width: float = svg.WIDTH) -> tuple[Chart, str]:
    series = _per_side(doc.get("steps") or [], "stance_s")
    vals = {s: v for s, (_, v) in series.items() if len(v)}
    chart = _chart(280 if width >= svg.WIDTH else 240, width)
    top = 34 if chart.legend_in_svg else 14
    if not vals:
        ax = chart.add_axes(svg.y_margin(["0"]), top, 14, 50, (0.0, 1.0), (0.0, 1.0))
        _no_data(ax, "no stance times in this recording")
        ax.xaxis([], [], "stance time (s)")
        ax.yaxis([], [], "steps")
        return chart, "Distribution of stance times per side: no stance times."
    allv = np.concatenate(list(vals.values()))
    edges = np.histogram_bin_edges(allv, bins=min(40, max(8, int(np.sqrt(len(allv))))))
    hist = {s: np.histogram(v, edges)[0] for s, v in vals.items()}
    ylim = (0.0, max(1.0, max(h.max() for h in hist.values()) * 1.08))
    xlim = svg.limits(edges, pad=0.03)
    yt = svg.nice_ticks(*ylim, 6 if width >= svg.WIDTH else 4, integer=True)
    ytl = svg.tick_labels(yt)
    ax = chart.add_axes(svg.y_margin(ytl), top, 14, 50, xlim, ylim)
    entries = []
    for s, h in hist.items():
        med = float(np.median(vals[s]))
        ax.stairs(h, edges, COLOR[s], 1.9, 0.3)
        ax.vline(med, COLOR[s], 1.5, "5 3")
        entries.append(("box", COLOR[s], f"{SIDE_WORD[s]} (n {len(vals[s])}, median "
                                         f"{fmt_value('stance_s', med)} s)".capitalize()))
    xt = svg.nice_ticks(*xlim, _n_ticks(width))
    ax.xaxis(xt, svg.tick_labels(xt), "stance time (s)")
    ax.yaxis(yt, ytl, "steps")
    chart.legend(entries, ax.x + ax.w, 16, anchor="end")
    return chart, "Distribution of stance times per side (histogram; dashed lines: medians)."


def _box_stats(v: np.ndarray) -> tuple[float, float, float, float, float]:
    """Whisker low, quartile 1, median, quartile 3, whisker high (Tukey: the most extreme values
    within 1.5 IQR of the box)."""
    q1, med, q3 = (float(q) for q in np.percentile(v, [25, 50, 75]))
    iqr = q3 - q1
    return float(v[v >= q1 - 1.5 * iqr].min()), q1, med, q3, float(v[v <= q3 + 1.5 * iqr].max())


def _box(ax: Axes, pos: float, stats: tuple[float, float, float, float, float],
         color: str) -> None:
    """A box plot at ``pos`` from :func:`_box_stats`."""
    lo, q1, med, q3, hi = stats
    w = 0.3
    ax.rects(pos - w, pos + w, q1, q3, color, 0.6)
    ax.line([pos - w, pos + w, pos + w, pos - w, pos - w], [q1, q1, q3, q3, q1], "#222", 1.2)
    ax.line([pos - w, pos + w], [med, med], "#222", 2.0)
    ax.line([pos, pos, np.nan, pos, pos], [q1, lo, np.nan, q3, hi], "#222", 1.2)
    ax.line([pos - w / 2, pos + w / 2, np.nan, pos - w / 2, pos + w / 2], [lo, lo, np.nan, hi, hi],
            "#222", 1.2)


def _plot_impact(doc: Mapping[str, Any], width: float = svg.WIDTH) -> tuple[Chart, str]:
    series = _per_side(doc.get("steps") or [], "impact_ms2")
    data = [(s, _box_stats(v)) for s, (_, v) in series.items() if len(v)]
    wide = width >= svg.WIDTH
    chart, ax, note = _timeline(doc, "impact_ms2", 310 if wide else 260,
                                right=170.0 if wide else 104.0,
                                include=[x for _, st in data for x in st], width=width)
    box = chart.add_axes(chart.width - (150 if wide else 96), ax.y, 14,
                         chart.height - ax.y - ax.h,
                         (0.4, max(len(data), 1) + 0.6), ax.ylim)
    for i, (s, st) in enumerate(data, start=1):
        _box(box, i, st, COLOR[s])
    box.xaxis(list(range(1, len(data) + 1)), [SIDE_WORD[s] for s, _ in data])
    box.text(0.5, 1.0, "per side", coords="axes", dy=-8)
    return chart, _series_label(doc, "impact_ms2",
                                "Impact (peak vertical acceleration at contact) of every step "
                                "along the walk" + note + ", with a box plot per side")


def _thresholds(doc: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    out = {}
    for t in (doc.get("verdict") or {}).get("thresholds") or []:
        mild, marked = as_float(t.get("mild_pct")), as_float(t.get("marked_pct"))
        if np.isfinite(mild) and np.isfinite(marked):
            out[str(t.get("parameter"))] = (mild, marked)
    return out


def _plot_symmetry(doc: Mapping[str, Any], width: float = svg.WIDTH) -> tuple[Chart, str]:
    sym = doc.get("symmetry") or {}
    keys = [k for k in parameter_keys(doc) if k in sym]
    n = len(keys)
    xlabel = ("symmetry index (%), 100 (L − R) / mean(L, R); bars: 95 % CI"
              if width >= svg.WIDTH else "SI (%); bars: 95 % CI")
    chart = Chart(round(130 + 42 * max(n, 2)), width=width)
    if not n:
        ax = chart.add_axes(30, 34, 14, 50, (-10.0, 10.0), (1.0, 0.0))
        _no_data(ax, "no symmetry indices (too few steps on one side)")
        xt = svg.nice_ticks(-10, 10, 5)
        ax.xaxis(xt, svg.tick_labels(xt), xlabel)
        return chart, "Symmetry indices: none could be computed."
    counts = counting(doc)
    th = {k: v for k, v in _thresholds(doc).items() if k in counts}  # bands: counted only
    levels = {str(f.get("parameter")): level_of(f.get("level"))
              for f in (doc.get("verdict") or {}).get("findings") or []
              if f.get("parameter") in counts}
    si = np.array([as_float(sym[k].get("si_pct")) for k in keys])
    ci = np.array([[as_float(c) for c in (sym[k].get("ci95") or [None, None])[:2]] for k in keys])
    ci = np.where(np.isfinite(ci), ci, si[:, None])
    y = np.arange(n, dtype=float)
    marked = np.array([th.get(k, (np.nan, np.nan))[1] for k in keys])
    lim = float(np.nanmax(np.concatenate([np.abs(ci).ravel(), 1.25 * marked, [10.0]])) * 1.12)
    labels = [param_label(k) for k in keys]
    ax = chart.add_axes(svg.y_margin(labels, label=False), 34, 14, 50, (-lim, lim),
                        (n - 0.5, -0.5))
    has_th = np.array([k in th for k in keys])
    mild_v = np.array([th.get(k, (0.0, 0.0))[0] for k in keys])[has_th]
    mark_v = np.array([th.get(k, (0.0, 0.0))[1] for k in keys])[has_th]
    yt, h = y[has_th], 0.4
    ax.rects(-mild_v, mild_v, yt - h, yt + h, BAND_COLOR["balanced"])
    ax.rects(np.concatenate([mild_v, -mark_v]), np.concatenate([mark_v, -mild_v]),
             np.tile(yt - h, 2), np.tile(yt + h, 2), BAND_COLOR["mild"])
    ax.rects(np.concatenate([mark_v, np.full(len(yt), -lim)]),
             np.concatenate([np.full(len(yt), lim), -mark_v]),
             np.tile(yt - h, 2), np.tile(yt + h, 2), BAND_COLOR["marked"])
    ax.rects(-lim, lim, y[~has_th] - h, y[~has_th] + h, BAND_COLOR["none"])
    ax.vline(0.0, "#444", 1.1)
    ax.errorbars(si, y, ci[:, 0], ci[:, 1], horizontal=True, color="#222", width=1.9, cap=5.5)
    ax.dots(si, y, [LEVEL_COLOR[levels[k]] if k in levels else INFO_COLOR for k in keys],
            r=6.0)
    for yi, s in zip(y, si, strict=True):
        if np.isfinite(s):
            ax.text(float(s), yi, f"{round(s, 1) + 0.0:+.1f} %".replace("-", svg.MINUS),
                    size=svg.SMALL, bold=True, dy=-10.0, clip=True)
    ax.yaxis(y, labels)
    xt = svg.nice_ticks(-lim, lim, _n_ticks(width))
    ax.xaxis(xt, svg.tick_labels(xt), xlabel)
    ax.text(0.0, 1.0, "← right larger", coords="axes", anchor="start", color=TEXT_COLOR["R"],
            bold=True, dy=-8)
    ax.text(1.0, 1.0, "left larger →", coords="axes", anchor="end", color=TEXT_COLOR["L"],
            bold=True, dy=-8)
    parts = [f"{param_label(k)} {fmt_si(sym[k].get('si_pct'), sym[k].get('ci95'))} %"
             for k in keys]
    return chart, ("Symmetry index with 95 % confidence interval per parameter; the "
                   "parameters that count against their bands (green balanced, yellow mild, red "
                   "marked), the others, shown for information, on grey: "
                   + "; ".join(parts) + ".")


_PLOTS = (
    ("plot-stance", "Stance time along the walk", _plot_stance),
    ("plot-stance-dist", "Stance time distribution per side", _plot_stance_dist),
    ("plot-impact", "Impact per side along the walk", _plot_impact),
    ("plot-symmetry", "Symmetry index per parameter", _plot_symmetry),
)


#: a phone's plots: a chart this many units wide is drawn at about its width in CSS pixels on
#: a 400-px screen, so its 11.5-12.5-unit text reads at 12-13 px
NARROW = 360.0
_SWATCH = {"line": "line", "linedot": "line", "dash": "line", "dot": "dot", "patch": "box",
           "box": "box"}


def _legend_html(entries: Sequence[tuple[str, str, str]]) -> str:
    """A narrow chart's legend as HTML (it wraps on a phone)."""
    items = "".join(f'<li><span class="sw {_SWATCH.get(kind, "box")}" '
                    f'style="--sw:{esc(color)}"></span>{esc(text)}</li>'
                    for kind, color, text in entries)
    return f'<ul class="legend">{items}</ul>' if items else ""


def plots_html(doc: Mapping[str, Any]) -> str:
    """Each plot twice: 900 units wide for a wide screen, :data:`NARROW` for a phone (CSS shows
    one of them)."""
    out = []
    for pid, title, make in _PLOTS:
        chart, label = make(doc)
        small, _ = make(doc, width=NARROW)
        out.append(f'<figure><div class="wide">{chart.svg(pid, title, label)}</div>'
                   f'<div class="narrow">{small.svg(pid + "-narrow", title, label)}'
                   f"{_legend_html(small.entries)}</div>"
                   f"<figcaption><strong>{esc(title)}.</strong> {esc(label)}</figcaption>"
                   "</figure>")
    return "\n".join(out)
