"""The HTML report: one self-contained page (inline CSS, inline SVG plots, no script, no network).

Plots are inline SVG built by :mod:`gait.report.svg` (no plotting library: importing and
drawing with matplotlib took ~0.9 s of the 2 s budget for a 1-hour report). Series with more than
``MAX_POINTS`` steps per side (a long walk) are drawn, for display only, as the median and
interquartile band per time bin (``N_BINS`` bins), which keeps the page small and fast to draw
whatever the length of the walk; the tables and the JSON keep every step. A
Content-Security-Policy meta tag forbids the browser any fetch; all document text is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from gait.report.jsonout import TRUNK, param_label, param_unit
from gait.report.plots import as_float, esc, level_of, plots_html
from gait.report.svg import FIGURE_TABLE_CSS
from gait.report.text import (
    counting,
    fmt_duration,
    fmt_mean_sd,
    fmt_si,
    header_text,
    headline_of,
    overall_text,
    parameter_keys,
    step_pairs_label,
    verdict_title,
)

_CSS = """
:root{color-scheme:light;--l:#0072B2;--r:#E69F00}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 margin:0;color:#1a1a1a;background:#f6f6f4}
main{max-width:1000px;margin:0 auto;padding:1.5rem 1rem 3rem;background:#fff}
h1{margin:.2rem 0;font-size:1.6rem}h2{margin:2rem 0 .6rem;font-size:1.25rem;
 border-bottom:1px solid #ddd;padding-bottom:.2rem}h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
.meta{color:#555;margin:0 0 1rem;overflow-wrap:anywhere}
.verdict{border-left:.6rem solid var(--c);background:var(--bg);padding:.8rem 1.2rem;
 border-radius:.3rem}
.verdict h2{margin:0 0 .4rem;border:0;color:var(--c)}.verdict p{margin:.2rem 0;font-size:1.05rem}
.level-balanced{--c:#2e7d32;--bg:#e8f5e9}.level-mild{--c:#a66d00;--bg:#fff8e1}
.level-marked{--c:#c62828;--bg:#ffebee}.level-undetermined,.level-uncertain{--c:#616161;--bg:#f0f0f0}
.badge{display:inline-block;min-width:6.5em;text-align:center;border-radius:1em;padding:0 .6em;
 font-size:.8rem;font-weight:600;color:#fff;background:var(--c);margin-right:.5em}
.disclaimer{border:1px solid #ccc;background:#fafafa;padding:.6rem 1rem;border-radius:.3rem;
 font-style:italic;color:#444}
""" + FIGURE_TABLE_CSS + """.l{color:var(--l);font-weight:600}.r{color:#b57d00;font-weight:600}
ul{padding-left:1.3rem}li{margin:.25rem 0}
.problems li{color:#8a4b00}.ok{color:#2e7d32;font-weight:600}.notok{color:#c62828;font-weight:600}
footer{margin-top:2.5rem;color:#666;font-size:.85rem}
summary{cursor:pointer}summary h2{display:inline-block;margin:1.4rem 0 .4rem}
.headline{font-size:1.25rem;font-weight:650;margin:.3rem 0}.verdict p.sub{font-size:.95rem}
.scroll{overflow-x:auto}.info .badge{--c:#607d8b}
.wide{display:block}.narrow{display:none}
ul.legend{list-style:none;padding:0;margin:.2rem 0;display:flex;flex-wrap:wrap;gap:0 1rem;
 font-size:.85rem}
.sw{display:inline-block;width:1.4em;height:.7em;margin-right:.4em;vertical-align:middle;
 background:var(--sw);opacity:.55}.sw.line{height:0;border-top:3px solid var(--sw);
 background:none;opacity:1}.sw.dot{width:.7em;border-radius:50%;opacity:1}
@media (max-width:640px){main{padding:1rem .5rem 2rem}h1{font-size:1.35rem}
 .wide{display:none}.narrow{display:block}.hn{display:none}.ci{display:block}.headline{font-size:1.1rem}
 .verdict{padding:.6rem .8rem}table{font-size:.85rem}th,td{padding:.25rem .3rem}}
@media print{body{background:#fff}main{max-width:none}}
"""



def _table(head: Sequence[str], rows: Sequence[Sequence[str]],
           num: Sequence[int] = (), hide: Sequence[int] = ()) -> str:
    """A table in a box that scrolls sideways when it is wider than the screen (never the
    page); cells are already HTML; columns ``num`` are right-aligned numbers, columns
    ``hide`` are left out on a phone."""
    def cls(i: int) -> str:
        c = " ".join(x for x, on in (("n", i in num), ("hn", i in hide)) if on)
        return f' class="{c}"' if c else ""

    th = "".join(f"<th{' class=hn' if i in hide else ''}>{h}</th>" for i, h in enumerate(head))
    thead = f"<thead><tr>{th}</tr></thead>" if any(head) else ""
    body = "".join("<tr>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(r)) + "</tr>"
                   for r in rows)
    return f'<div class="scroll"><table>{thead}<tbody>{body}</tbody></table></div>'



def _list(items: Sequence[Any], cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return f"<ul{c}>" + "".join(f"<li>{esc(x)}</li>" for x in items) + "</ul>"


def _ci(ci: Any, fmt: str) -> str:
    if not isinstance(ci, list | tuple) or len(ci) != 2:
        return ""
    lo, hi = as_float(ci[0]), as_float(ci[1])
    return f" [{lo:{fmt}}, {hi:{fmt}}]" if np.isfinite(lo) and np.isfinite(hi) else ""


def _parameters(doc: Mapping[str, Any]) -> str:
    """The parameters that count, then, apart, those shown for information."""
    counts = counting(doc)
    keys = parameter_keys(doc)
    html = _param_table(doc, [k for k in keys if k in counts])
    rest = [k for k in keys if k not in counts]
    if rest:
        html += ("<h3>For information, not counted</h3>"
                 "<p>These do not count towards the verdict.</p>" + _param_table(doc, rest))
    html += ("<p>SI = 100 (L − R) / (0.5 (L + R)), positive = left larger (Robinson 1987); "
             "left share = 100 L / (L + R), 50 % = balanced; gait asymmetry = 100 |ln(L / R)| "
             "(Plotnik 2007).</p>")
    sym = doc.get("symmetry") or {}
    st = sym.get("step_s") or {}
    pct = as_float(st.get("asymmetric_steps_pct"))
    if np.isfinite(pct):
        apple = " (Apple-style)" if doc.get("gait_kind", "walk") == "walk" else ""
        html += (f"<p><b>{esc(step_pairs_label(doc))}{apple}:</b> {pct:.0f} % of "
                 f"{esc(str(st.get('n_step_pairs', '–')))} consecutive step pairs differ by more "
                 f"than {as_float(st.get('limit_pct')):.1f} % of their mean step time.</p>")
    trunk = doc.get("trunk") or {}
    parts = [f"{esc(TRUNK.get(k, k))} {as_float(v):.2f}" for k, v in trunk.items()
             if np.isfinite(as_float(v))]
    if parts:
        html += "<p><b>Trunk:</b> " + " · ".join(parts) + ".</p>"
    return html


def _param_table(doc: Mapping[str, Any], keys: Sequence[str]) -> str:
    ps, sym = doc.get("per_side") or {}, doc.get("symmetry") or {}
    rows = []
    for k in keys:
        unit = param_unit(k)
        s = sym.get(k) or {}
        share, ga = as_float(s.get("left_share_pct")), as_float(s.get("gait_asymmetry_pct"))
        nl = ((ps.get("L") or {}).get(k) or {}).get("n", "–")
        nr = ((ps.get("R") or {}).get(k) or {}).get("n", "–")
        rows.append([
            esc(param_label(k) + (f" ({unit})" if unit else "")),
            f'<span class="l">{_mean_sd_cell(k, (ps.get("L") or {}).get(k))}</span>',
            f'<span class="r">{_mean_sd_cell(k, (ps.get("R") or {}).get(k))}</span>',
            esc(f"{nl} / {nr}"),
            _si_cell(s),
            esc(f"{share:.1f}{_ci(s.get('left_share_ci95'), '.1f')}" if np.isfinite(share)
               else "–"),
            esc(f"{ga:.1f}" if np.isfinite(ga) else "–")])
    if not rows:
        return "<p>No per-side parameters could be computed.</p>"
    return _table(["Parameter", "Left mean ± SD", "Right mean ± SD", "n L / R",
                   "SI % [95 % CI]", "Left share % [95 % CI]", "Gait asym. %"], rows,
                  num=range(1, 7), hide=(3, 5, 6))


def _mean_sd_cell(key: str, stat: Any) -> str:
    """``0.715±0.013``, the SD on its own line on a phone."""
    mean, pm, sd = fmt_mean_sd(key, stat).partition("±")
    return esc(mean) + (f'<span class="ci">±{esc(sd)}</span>' if pm else "")


def _si_cell(s: Mapping[str, Any]) -> str:
    """``+10.5 [+6.1, +14.9]``, the interval on its own line on a phone."""
    si, _, ci = fmt_si(s.get("si_pct"), s.get("ci95")).partition(" ")
    return esc(si) + (f'<span class="ci"> {esc(ci.replace(",", ", "))}</span>' if ci else "")


def _findings(doc: Mapping[str, Any]) -> str:
    fs = (doc.get("verdict") or {}).get("findings") or []
    if not fs:
        return "<p>No findings.</p>"
    counts = counting(doc)
    items = []
    for f in fs:
        lvl = level_of(f.get("level")) if f.get("parameter") in counts else "info"
        label, text = str(f.get("label", "")), str(f.get("text", ""))
        if text.lower().startswith(label.lower()):  # the text already names the parameter
            label, text = text[:len(label)], text[len(label):].lstrip(" :")
        cls, badge = ("info", "for information") if lvl == "info" else (f"level-{lvl}", lvl)
        items.append(f'<li class="{cls}"><span class="badge">{esc(badge)}</span>'
                     f"<strong>{esc(label)}</strong>: {esc(text)}</li>")
    return '<ul class="findings">' + "".join(items) + "</ul>"


def _thresholds_table(doc: Mapping[str, Any]) -> str:
    ts = (doc.get("verdict") or {}).get("thresholds") or []
    if not ts:
        return "<p>No thresholds.</p>"
    def healthy(t: Mapping[str, Any]) -> str:
        h = t.get("healthy") or {}
        if not h:
            return ""
        lo, hi = [*(h.get("left_share_90") or []), None, None][:2]
        share = f"; 9 in 10: {as_float(lo):.1f}–{as_float(hi):.1f} % left" if lo is not None else ""
        return f"{h.get('n_walks')} walks, {h.get('n_subjects')} subjects{share}"

    rows = [[esc(t.get("label", t.get("parameter", ""))),
             esc("counts" if t.get("counts", True) else "shown only"),
             esc(f"< {as_float(t.get('mild_pct')):g}"),
             esc(f"{as_float(t.get('mild_pct')):g} – {as_float(t.get('marked_pct')):g}"),
             esc(f"≥ {as_float(t.get('marked_pct')):g}"), esc(healthy(t)), esc(t.get("source", ""))]
            for t in ts]
    return _table(["Parameter", "Verdict", "Balanced |SI| %", "Mild |SI| %", "Marked |SI| %",
                   "Healthy walkers", "Source"], rows, num=[2, 3, 4])


def _quality(doc: Mapping[str, Any]) -> str:
    q = doc.get("quality") or {}
    ok = bool(q.get("ok"))
    unsided = (doc.get("overall") or {}).get("n_steps") if not q.get("n_steps") else None
    counted = (f"{esc(unsided)} steps (sides unknown)" if unsided else
               f"{esc(q.get('n_steps', 0))} steps (left {esc(q.get('n_steps_L', 0))}, right "
               f"{esc(q.get('n_steps_R', 0))})")
    html = (f'<p><span class="{"ok" if ok else "notok"}">'
            f'{"Good enough to interpret" if ok else "Not reliable enough"}</span>: '
            f"{counted} in {esc(q.get('n_bouts', 0))} bouts, "
            f"{esc(fmt_duration(q.get('walking_s')))} of walking.</p>")
    if q.get("problems"):
        html += "<h3>Problems</h3>" + _list(q["problems"], "problems")
    if q.get("notes"):  # what was left out of the report and why
        html += "<h3>Notes</h3>" + _list(q["notes"], "notes")
    warnings = (doc.get("recording") or {}).get("warnings") or []
    if warnings:
        html += "<h3>Import warnings</h3>" + _list(warnings, "problems")
    return html


def _cadence(o: Mapping[str, Any]) -> str:
    return overall_text(o) or "–"


def _recording(doc: Mapping[str, Any]) -> str:
    rec = doc.get("recording") or {}
    rows = [[esc(k), esc(v)] for k, v in (
        ("File", rec.get("file", "")), ("Format", rec.get("format", "")),
        ("App", rec.get("app", "")), ("Platform", rec.get("platform") or "unknown"),
        ("Duration", fmt_duration(rec.get("duration_s"))),
        ("Gait", doc.get("gait_kind", "")),
        ("Events from", ", ".join(map(str, doc.get("sources") or [])) or "–"),
        ("Steps / events", f"{len(doc.get('steps') or [])} / {len(doc.get('events') or [])}"),
        ("Cadence (both legs)", _cadence(doc.get("overall") or {})),
        ("Created (UTC)", doc.get("created_utc", "")),
        ("Generated by", doc.get("generated_by", "")))]
    html = _table(["", ""], rows)
    streams = rec.get("streams") or []
    if streams:
        srows = [[esc(s.get("placement", "")), esc(f"{as_float(s.get('sample_rate_hz')):g} Hz"),
                  esc(", ".join(map(str, s.get("sensors") or []))), esc(s.get("acc_kind", "")),
                  esc(f"{as_float(s.get('missing_pct')):.1f} %")] for s in streams]
        html += "<h3>Sensor streams</h3>" + _table(
            ["Placement", "Rate", "Sensors", "Acceleration", "Missing"], srows, num=[1, 4])
    bouts = doc.get("bouts") or []
    if bouts:
        brows = [[esc(i + 1), esc(f"{as_float(b.get('start')):.1f} s"),
                  esc(f"{as_float(b.get('end')):.1f} s"),
                  esc(fmt_duration(as_float(b.get("end")) - as_float(b.get("start")))),
                  esc(b.get("kind", ""))]
                 for i, b in enumerate(bouts[:50])]
        more = f"<p>… and {len(bouts) - 50} more bouts.</p>" if len(bouts) > 50 else ""
        html += "<h3>Bouts</h3>" + _table(["#", "Start", "End", "Length", "Kind"], brows,
                                          num=[0, 1, 2, 3]) + more
    return html


def render_html(doc: Mapping[str, Any]) -> str:
    """The analysis document as one self-contained HTML page."""
    v = doc.get("verdict") or {}
    lvl = level_of(v.get("level"), ("balanced", "mild", "marked", "undetermined"))
    file = (doc.get("recording") or {}).get("file", "")
    explanation = "".join(f"<p>{esc(s)}</p>" for s in v.get("explanation") or []) or "<p>–</p>"
    advice = _list(v.get("advice") or ["–"])
    h = headline_of(doc)
    lines = h.get("lines") or [h.get("text", "")]
    head = "".join(f'<p class="{"headline" if i == 0 else "sub"}">{esc(x)}</p>'
                   for i, x in enumerate(lines))
    summary = v.get("summary", "")
    sections = [
        f'<section id="summary" class="verdict level-{lvl}"><h2>Verdict: '
        f"{esc(h.get('title') or verdict_title(v))}</h2>{head}"
        f'<p class="sub">{esc(summary)}</p></section>',
        f'<section id="parameters"><h2>Left and right</h2>{_parameters(doc)}</section>',
        f'<section id="findings"><h2>Findings</h2>{_findings(doc)}</section>',
        f'<section id="explanation"><h2>What this means</h2>{explanation}</section>',
        f'<section id="advice"><h2>Advice</h2>{advice}</section>',
        f'<p class="disclaimer" role="note">{esc(doc.get("disclaimer", ""))}</p>',
        f'<section id="plots"><h2>Plots</h2>{plots_html(doc)}</section>',
        f'<section id="thresholds"><details><summary><h2>Thresholds</h2></summary>'
        f"{_thresholds_table(doc)}</details></section>",
        f'<section id="quality"><h2>Quality</h2>{_quality(doc)}</section>',
        f'<section id="recording"><details><summary><h2>Recording</h2></summary>'
        f"{_recording(doc)}</details></section>",
    ]
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Gait report: {esc(file)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        f'<header><h1>Gait report</h1><p class="meta">{esc(header_text(doc))}</p></header>\n'
        + "\n".join(sections)
        + f"\n<footer>{esc(doc.get('generated_by', 'gait'))} · schema {esc(doc.get('schema', ''))}"
          f" · {esc(doc.get('created_utc', ''))}</footer>\n</main>\n</body>\n</html>\n")
