"""The walk history rendered: a rich terminal view within 80 columns and a self-contained HTML
page (inline CSS, inline SVG plots drawn by :mod:`gait.report.svg`, no script, no network) of the
``gait-history/1`` document that :mod:`gait.history` builds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from gait.report import svg
from gait.report.jsonout import param_label
from gait.report.text import LEVEL_STYLE, SIDE_WORD, fmt_si

TREND_STYLE = {"improving": "green", "worsening": "red", "reversed": "yellow",
               "no_clear_change": "default", "too_few_walks": "grey50"}
TREND_COLOR = {"improving": "#2e7d32", "worsening": "#c62828", "reversed": "#a66d00",
               "no_clear_change": "#444444", "too_few_walks": "#757575"}
_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 margin:0;color:#1a1a1a;background:#f6f6f4}
main{max-width:1000px;margin:0 auto;padding:1.5rem 1rem 3rem;background:#fff}
h1{margin:.2rem 0;font-size:1.6rem}h2{margin:2rem 0 .6rem;font-size:1.25rem;
 border-bottom:1px solid #ddd;padding-bottom:.2rem}
.meta{color:#555;overflow-wrap:anywhere}
""" + svg.FIGURE_TABLE_CSS + """.t{font-weight:600;white-space:nowrap}
footer{margin-top:2.5rem;color:#777;font-size:.85rem}
"""


# --- formatting -----------------------------------------------------------------------------

def _date(iso: str | None) -> str:
    return (iso or "")[:10] or "?"


def _signed(x: Any, digits: int = 1) -> str:
    if not isinstance(x, int | float) or isinstance(x, bool):
        return "–"
    return f"{round(float(x), digits) + 0.0:+.{digits}f}"


def _slope(tr: Mapping[str, Any]) -> str:
    """``-0.42 [-0.90,+0.06]``: two decimals below 10, fewer above (walks hours apart give
    slopes of thousands per week); the interval wraps under the slope in a narrow column."""
    ci = tr.get("slope_ci95") or [None, None]
    x = tr.get("slope_pct_per_week")
    if x is None:
        return "–"
    big = max(abs(float(v)) for v in (x, *ci) if isinstance(v, int | float))
    d = 2 if big < 10 else 1 if big < 100 else 0
    return f"{_signed(x, d)} [{_signed(ci[0], d)},{_signed(ci[1], d)}]"


def _cadence(x: Any) -> str:
    """Cadence of a walk (steps/min), "–" for walks stored before it was recorded."""
    return "–" if x is None else f"{float(x):.0f}"


def verdict_text(v: Mapping[str, Any]) -> str:
    level = str(v.get("level") or "?")
    towards = v.get("towards")
    return level + (f", {SIDE_WORD[towards]}" if towards in SIDE_WORD else "")


def _point_of(doc: Mapping[str, Any], parameter: str, walk_id: int) -> Mapping[str, Any]:
    for p in (doc["parameters"].get(parameter) or {}).get("points", []):
        if p["walk_id"] == walk_id:
            return p
    return {}


# --- terminal -------------------------------------------------------------------------------

def render_history_text(doc: Mapping[str, Any], con: Console) -> None:
    """The history in the terminal: walks with one parameter's SI, then the trend per
    parameter (80 columns)."""
    con.print(Text(f"{doc['n_walks']} walk(s) in {doc['db']}", style="bold"))
    if not doc["walks"]:
        con.print("Nothing stored yet: every 'gait report FILE' adds its walk.")
        return
    params = list(doc["parameters"])
    main = params[0] if params else None
    t = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    t.add_column("#", justify="right", no_wrap=True)
    t.add_column("date", no_wrap=True, min_width=10)  # never "20…"
    t.add_column("recording", overflow="ellipsis", no_wrap=True, max_width=24, min_width=8)
    t.add_column("verdict", no_wrap=True)
    if main:
        t.add_column(f"{param_label(main)} SI %\n[95 % CI]", justify="right", no_wrap=True)
    for w in doc["walks"]:
        v = w.get("verdict") or {}
        cells = [str(w["id"]), _date(w["walk_utc"]), Path(str(w["file"])).name,
                 Text(verdict_text(v), style=LEVEL_STYLE.get(str(v.get("level")), "default"))]
        if main:
            pt = _point_of(doc, main, w["id"])
            cells.append(fmt_si(pt.get("si_pct"), pt.get("ci95")))
        t.add_row(*cells)
    con.print(t)
    tt = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False,
               title="Trend of the symmetry index (SI, %)", title_justify="left")
    tt.add_column("parameter", no_wrap=True, min_width=14)
    tt.add_column("n", justify="right", no_wrap=True)
    tt.add_column("first→last", justify="right", no_wrap=True)
    tt.add_column("per week [95 % CI]", justify="right")
    tt.add_column("trend", min_width=9)
    notes = []
    for p in params:
        tr = doc["parameters"][p]["trend"]
        first_last = ("–" if tr.get("fitted_first_pct") is None else
                      f"{_signed(tr['fitted_first_pct'])}→{_signed(tr['fitted_last_pct'])}")
        tt.add_row(param_label(p), str(tr["n_walks"]), first_last, _slope(tr),
                   Text(tr["label"], style=TREND_STYLE.get(tr["status"], "default")))
        if tr.get("note"):
            notes.append(f"{param_label(p)}: {tr['note']}")
    con.print(tt)
    con.print("SI > 0: left larger; first→last: fitted SI at the first and the last walk;\n"
              "per week: change towards the initial side (< 0: asymmetry shrinking);\n"
              "random-effects meta-regression (DerSimonian & Laird 1986).")
    for n in notes:
        con.print(Text(f"note: {n}", style="yellow"))


# --- HTML -----------------------------------------------------------------------------------

def _e(x: Any) -> str:
    return escape(str(x), quote=True)


def _posix(iso: str) -> float:
    """POSIX time of an ISO date-time (UTC when it names no zone)."""
    dt = datetime.fromisoformat(iso)
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()


def _plot(parameter: str, entry: Mapping[str, Any]) -> tuple[svg.Chart, str]:
    """The SI of every walk with its CI and the fitted trend line, along the calendar."""
    pts = entry["points"]
    tr = entry["trend"]
    when = np.array([_posix(p["walk_utc"]) for p in pts], float)
    si = np.array([np.nan if p["si_pct"] is None else p["si_pct"] for p in pts], float)
    ci = np.array([[np.nan if c is None else c for c in (p["ci95"] or [None, None])]
                   for p in pts], float).reshape(-1, 2)
    ci = np.where(np.isfinite(ci), ci, si[:, None])
    fitted = ([tr["fitted_first_pct"], tr["fitted_last_pct"]]
              if tr.get("fitted_first_pct") is not None else [])
    day = 86400.0
    xlim = (svg.limits(when, pad=0.06) if np.ptp(when) > 0 else
            (float(when[0]) - day, float(when[0]) + day))
    ylim = svg.limits(si, ci, fitted, include=[0.0], pad=0.1)
    yt = svg.nice_ticks(*ylim, 6)
    ytl = svg.tick_labels(yt)
    chart = svg.Chart(280)
    ax = chart.add_axes(svg.y_margin(ytl), 34, 14, 34, xlim, ylim)
    ax.hline(0.0, "#444", 1.1)
    ax.errorbars(when, si, ci[:, 0], ci[:, 1], horizontal=False, color="#222", width=1.8)
    ax.dots(when, si, "#0072B2", r=5.5)
    color = TREND_COLOR.get(tr["status"], "#444")
    entries = [("dot", "#0072B2", "SI with 95 % CI")]
    if fitted:
        ax.line([when.min(), when.max()], fitted, color, 2.2, "7 4")
        entries.append(("dash", color, f"trend: {tr['label']}"))
    xt, xtl = svg.date_ticks(*xlim, n=max(2, int(ax.w // 110)))
    ax.xaxis(xt, xtl)
    ax.yaxis(yt, ytl, "SI (%), > 0: left larger")
    chart.text(ax.x, 16 + svg.FONT * 0.35, param_label(parameter), font_weight="bold")
    chart.legend(entries, ax.x + ax.w, 16, anchor="end")
    parts = [f"{_date(p['walk_utc'])}: {fmt_si(p['si_pct'], p['ci95'])} %" for p in pts]
    return chart, (f"{param_label(parameter)} symmetry index per walk with its 95 % CI "
                   f"({'; '.join(parts)}); trend {tr['label']}"
                   + (f", {_slope(tr)} points per week" if tr.get("slope_ci95") else "") + ".")


def render_history_html(doc: Mapping[str, Any]) -> str:
    """The history as one self-contained HTML page."""
    figs = []
    for i, (p, entry) in enumerate(doc["parameters"].items()):
        if not entry["points"]:
            continue
        chart, label = _plot(p, entry)
        title = f"{param_label(p)} symmetry over time"
        figs.append(f"<figure>{chart.svg(f'plot-{i}', title, label)}<figcaption>"
                    f"<strong>{_e(title)}.</strong> {_e(label)}</figcaption></figure>")
    trend_rows = "".join(
        f"<tr><td>{_e(param_label(p))}</td><td class=n>{e['trend']['n_walks']}</td>"
        f"<td class=n>{_e(_signed(e['trend']['fitted_first_pct']))} → "
        f"{_e(_signed(e['trend']['fitted_last_pct']))}</td>"
        f"<td class=n>{_e(_slope(e['trend']))}</td>"
        f"<td class=t style=\"color:{TREND_COLOR.get(e['trend']['status'], '#444')}\">"
        f"{_e(e['trend']['label'])}</td><td>{_e(e['trend'].get('note') or '')}</td></tr>"
        for p, e in doc["parameters"].items())
    walk_rows = "".join(
        f"<tr><td class=n>{w['id']}</td><td>{_e(_date(w['walk_utc']))}</td>"
        f"<td>{_e(w['walk_time_source'])}</td><td>{_e(w['file'])}</td>"
        f"<td class=n>{_e(_cadence(w.get('cadence_spm')))}</td>"
        f"<td>{_e(verdict_text(w.get('verdict') or {}))}</td></tr>" for w in doc["walks"])
    method = doc["method"]
    refs = "".join(f"<li>{_e(r)}</li>" for r in method["references"])
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Gait history</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        f"<header><h1>Gait history</h1><p class=meta>{doc['n_walks']} walk(s) in "
        f"{_e(doc['db'])}</p></header>\n"
        "<section id=trends><h2>Trends</h2><table><tr><th>parameter</th><th>walks</th>"
        "<th>fitted SI first → last (%)</th><th>change per week [95 % CI]</th><th>trend</th>"
        f"<th>note</th></tr>{trend_rows}</table>"
        "<p>SI = 100 (L − R) / mean(L, R), positive: left larger. The change per week is "
        "signed towards the initial side: negative means the asymmetry is shrinking. "
        f"Method: {_e(method['name'])}; {_e(method['se_from_ci'])}.</p><ul>{refs}</ul>"
        "</section>\n"
        f"<section id=plots><h2>Plots</h2>{''.join(figs) or '<p>No walks yet.</p>'}</section>\n"
        "<section id=walks><h2>Walks</h2><table><tr><th>#</th><th>date</th><th>date from</th>"
        "<th>recording</th><th>cadence (steps/min)</th><th>verdict</th></tr>"
        f"{walk_rows}</table></section>\n"
        f"<footer>{_e(doc['generated_by'])} · schema {_e(doc['schema'])} · "
        f"{_e(doc['created_utc'])}</footer>\n</main>\n</body>\n</html>\n")
