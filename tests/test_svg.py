"""The SVG chart module behind the HTML pages: ticks, number and date labels, escaping, NaN and
empty data, and a report with one side only."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gait.report import render_html, svg
from gait.report.plots import COLOR

from .test_report import make_doc

NS = "{http://www.w3.org/2000/svg}"


def _chart_svg(chart: svg.Chart, pid: str = "p", title: str = "t", label: str = "l"
               ) -> ET.Element:
    return ET.fromstring(chart.svg(pid, title, label))


# --- ticks -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("lo", "hi", "n", "expected"), [
    (0.0, 10.0, 5, [0, 2, 4, 6, 8, 10]),
    (0.645, 0.715, 7, [0.65, 0.66, 0.67, 0.68, 0.69, 0.70, 0.71]),
    (-48.0, 48.0, 8, [-40, -20, 0, 20, 40]),
    (-3.7, -1.2, 5, [-3.5, -3.0, -2.5, -2.0, -1.5]),
    (0.0, 1.0, 4, [0, 0.25, 0.5, 0.75, 1.0]),
    (3.2, 3.21, 5, [3.2, 3.202, 3.204, 3.206, 3.208, 3.21]),
])
def test_nice_ticks(lo: float, hi: float, n: int, expected: list[float]) -> None:
    np.testing.assert_allclose(svg.nice_ticks(lo, hi, n), expected, atol=1e-12)


def test_integer_ticks_for_counts() -> None:
    assert svg.nice_ticks(0.0, 10.8, 6, integer=True).tolist() == [0, 2, 4, 6, 8, 10]
    assert svg.nice_ticks(0.0, 10.8, 5, integer=True).tolist() == [0, 5, 10]
    assert svg.nice_ticks(0.0, 3.2, 5, integer=True).tolist() == [0, 1, 2, 3]
    assert svg.nice_ticks(0.0, 1.08, 5, integer=True).tolist() == [0, 1]
    assert svg.nice_ticks(0.0, 2400.0, 5, integer=True).tolist() == [0, 500, 1000, 1500, 2000]


def test_nice_ticks_degenerate_ranges() -> None:
    assert svg.nice_ticks(np.nan, 1.0).size == 0
    assert svg.nice_ticks(0.0, np.inf).size == 0
    assert svg.nice_ticks(2.5, 2.5).tolist() == [2.5]
    np.testing.assert_allclose(svg.nice_ticks(10.0, 0.0, 5), svg.nice_ticks(0.0, 10.0, 5))
    # a narrow range between two round values still gets two ticks
    assert len(svg.nice_ticks(0.95, 1.21, 1)) >= 2


@given(st.floats(-1e6, 1e6), st.floats(1e-6, 1e6), st.integers(2, 10))
@example(-524288.8004911772, 1e-06, 2)  # float spacing at 5e5 is 1e-10: the step reads 0.1 % off
def test_nice_ticks_property(lo: float, span: float, n: int) -> None:
    hi = lo + span
    t = svg.nice_ticks(lo, hi, n)
    if span <= 1e-12 * max(1.0, abs(lo)):
        return
    assert 2 <= len(t) <= 2 * n + 1
    tol = 1e-6 * max(1.0, abs(lo), abs(hi))
    assert t.min() >= lo - tol and t.max() <= hi + tol
    steps = np.diff(t)
    np.testing.assert_allclose(steps, steps[0], rtol=1e-6, atol=tol * 1e-3)  # evenly spaced
    step = float(np.median(steps))
    scale = 10 ** np.floor(np.log10(step))
    # a 1-2-2.5-5 step, up to the float spacing of the tick values (a 1e-6 range near 5e5:
    # spacing 1e-10, i.e. 2e-4 of the step)
    nice = min((m * scale for m in (1, 2, 2.5, 5, 10)), key=lambda x: abs(step - x))
    assert abs(step - nice) <= max(1e-3 * scale, 8 * np.spacing(max(abs(lo), abs(hi))))


def test_tick_labels() -> None:
    assert svg.tick_labels(np.array([0.0, 0.25, 0.5])) == ["0.00", "0.25", "0.50"]
    assert svg.tick_labels(np.array([-20.0, 0.0, 20.0])) == ["\u221220", "0", "20"]
    assert svg.tick_labels(np.array([-0.1, 0.0, 0.1])) == ["\u22120.1", "0.0", "0.1"]
    assert svg.tick_labels(np.array([0.66, 0.68, 0.70])) == ["0.66", "0.68", "0.70"]
    assert svg.tick_labels(np.array([])) == []


def test_fmt_is_vectorised_and_has_no_negative_zero() -> None:
    assert svg.fmt(np.array([-0.04, 1.25, 3.0, -2.06])).tolist() == ["0.0", "1.2", "3.0", "-2.1"]


def test_limits() -> None:
    assert svg.limits([np.nan], []) == (0.0, 1.0)
    lo, hi = svg.limits([1.0, 3.0], include=[0.0], pad=0.0)
    assert (lo, hi) == (0.0, 3.0)
    lo, hi = svg.limits([5.0, 5.0])
    assert lo < 5.0 < hi


def _posix(*ymd: int) -> float:
    return datetime(*ymd, tzinfo=UTC).timestamp()


def test_date_ticks() -> None:
    t, labels = svg.date_ticks(_posix(2025, 3, 1), _posix(2025, 4, 20), 8)
    assert 2 <= len(t) <= 8 and all(re.fullmatch(r"2025-0[34]-\d\d", s) for s in labels)
    assert np.all(np.diff(t) == 7 * 86400)
    t, labels = svg.date_ticks(_posix(2021, 5, 1), _posix(2025, 2, 1), 6)
    assert labels == ["2022", "2023", "2024", "2025"]
    t, labels = svg.date_ticks(_posix(2025, 1, 10), _posix(2025, 7, 10), 8)
    assert labels == ["2025-02", "2025-03", "2025-04", "2025-05", "2025-06", "2025-07"]
    assert t[0] == _posix(2025, 2, 1)
    t, labels = svg.date_ticks(_posix(2025, 3, 2, 12), _posix(2025, 3, 4, 12), 6)
    assert labels[0] == "03-02 12:00" and len(labels) <= 6
    assert all(re.fullmatch(r"03-0[234] (00|12):00", s) for s in labels)
    assert svg.date_ticks(1.0, 1.0) == (pytest.approx(np.array([])), [])


# --- drawing ---------------------------------------------------------------------------------

def test_text_is_escaped_everywhere() -> None:
    evil = '<script>alert("x")</script> & </svg>'
    chart = svg.Chart(200)
    ax = chart.add_axes(40, 20, 10, 40, (0.0, 1.0), (0.0, 1.0))
    ax.text(0.5, 0.5, evil)
    ax.xaxis([0.0, 1.0], [evil, "1"], evil)
    ax.yaxis([0.0, 1.0], ["0", evil], evil)
    chart.legend([("line", "#000", evil)], 40, 10)
    chart.text(5, 5, evil)
    out = chart.svg('x"><b>', evil, evil)
    assert "<script" not in out and "<b>" not in out
    root = ET.fromstring(out)  # well-formed
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert texts.count(evil) == 7
    assert root.get("aria-label") == evil and root.find(f"{NS}title").text == evil


def test_nan_breaks_lines_and_empty_data_draws_nothing() -> None:
    chart = svg.Chart(200)
    ax = chart.add_axes(40, 20, 10, 40, (0.0, 10.0), (0.0, 10.0))
    ax.line([0, 1, 2, np.nan, 4, 5], [1, 2, 3, 4, np.nan, 6], "#f00")
    ax.line([np.nan, np.nan], [1, 2], "#0f0")
    ax.line([], [], "#00f")
    ax.markers([1, np.nan, 3], [1, 2, np.inf], "#f0f")
    ax.band([0, 1, 2, 3, 4], [0, 0, np.nan, 0, 0], [1, 1, 1, 1, 1], "#0ff")
    ax.errorbars([1.0, 2.0], [5.0, np.nan], [4.0, 1.0], [6.0, 3.0], horizontal=False)
    root = _chart_svg(chart)
    paths = {p.get("stroke") if p.get("stroke") not in (None, "none") else p.get("fill"):
             p.get("d") for p in root.iter(f"{NS}path")}
    assert paths["#f00"].count("M") == 2 and paths["#f00"].count("L") == 2  # 0-1-2 | 5
    assert "#0f0" not in paths and "#00f" not in paths  # nothing finite: no element
    assert paths["#f0f"].count("M") == 1
    assert paths["#0ff"].count("Z") == 2  # the band is split at the gap
    assert paths["#222"].count("M") == 3  # one bar + two caps: the NaN point is left out
    assert "nan" not in ET.tostring(root, encoding="unicode").lower()


def test_axes_transform_and_clip() -> None:
    chart = svg.Chart(300)
    ax = chart.add_axes(100, 50, 100, 50, (0.0, 10.0), (-1.0, 1.0))
    assert ax.w == 700 and ax.h == 200
    np.testing.assert_allclose(ax.px([0, 10]), [100, 800])
    np.testing.assert_allclose(ax.py([-1, 1]), [250, 50])
    out = chart.svg("plot-a", "t", "l")
    assert 'id="plot-a-clip0"' in out and 'clip-path="url(#plot-a-clip0)"' in out


def test_long_series_is_fast_and_compact() -> None:
    n = 200_000
    chart = svg.Chart(300)
    ax = chart.add_axes(60, 30, 10, 40, (0.0, n), (-4.0, 4.0))
    x = np.arange(n, dtype=float)
    y = np.random.default_rng(0).standard_normal(n)
    ax.line(x, y, "#000")
    d = re.search(r' d="([^"]+)"', chart.svg("p", "t", "l")).group(1)
    assert len(re.findall(r"[ML]", d)) == n
    assert len(d) < 14 * n  # "L123.4,56.7" per point


# --- the report page -------------------------------------------------------------------------

def test_report_with_one_side_only() -> None:
    d = copy.deepcopy(make_doc())
    d["steps"] = [s for s in d["steps"] if s["side"] == "L"]
    d["symmetry"] = {}
    page = render_html(d)
    svgs = [ET.fromstring(m) for m in re.findall(r"<svg\b.*?</svg>", page, flags=re.S)]
    assert len(svgs) == 8  # each plot for a wide screen and for a phone
    svgs = [s for s in svgs if not s.get("id", "").endswith("-narrow")]
    for plot in svgs[:3]:
        strokes = {p.get("stroke") for p in plot.iter(f"{NS}path")}
        assert COLOR["L"] in strokes and COLOR["R"] not in strokes
        texts = " ".join(t.text or "" for t in plot.iter(f"{NS}text"))
        assert "Left (" in texts and "Right (" not in texts
    assert "none could be computed" in page


def test_report_with_nan_values_in_steps() -> None:
    d = copy.deepcopy(make_doc())
    for s in d["steps"][::3]:
        s["stance_s"] = None
        s["impact_ms2"] = "n/a"
    page = render_html(d)
    assert "nan" not in " ".join(re.findall(r' d="([^"]*)"', page)).lower()
    assert len(re.findall(r"<svg\b", page)) == 8  # wide and phone


def test_one_hour_page_is_small() -> None:
    page = render_html(make_doc(duration_s=3600.0, seed=2))
    assert len(page.encode()) < 250_000
