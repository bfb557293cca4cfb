"""Small inline-SVG charts for the HTML pages (report and history), without a plotting library.

A :class:`Chart` is a fixed ``viewBox`` (900 units wide; the page scales it to its width) holding
one or more :class:`Axes` (a rectangle with data limits, a clipped data layer and its axis lines,
ticks and labels) plus a legend and free text. Drawing calls take data coordinates as numpy
arrays and turn them into path data in one vectorised pass (:func:`path_d`, :func:`fmt`): no
per-point Python loop, one ``<path>`` per series, markers as zero-length round-capped segments.
Coordinates are written with one decimal (a tenth of a unit is ~0.1 px on the page). NaN breaks a
line. All text is escaped; the only ids are the title's and the clip paths', prefixed with the
plot's id, so several charts share a page.

Pure string building: importing this module costs only numpy, which is why the report does not
use matplotlib (~0.5 s to import plus ~0.4 s to draw a 1-hour report, against a 2 s budget).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

import numpy as np

#: page CSS of the figures (inline SVG plots) and tables, shared by the report and history pages
FIGURE_TABLE_CSS = """\
figure{margin:1rem 0 1.6rem}figcaption{color:#555;font-size:.9rem}
svg.plot{display:block;width:100%;height:auto}
table{border-collapse:collapse;width:100%;font-size:.92rem;margin:.4rem 0}
th,td{border-bottom:1px solid #e2e2e2;padding:.3rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th{background:#f3f3f3}
"""

WIDTH = 900.0
FONT = 12.5  # user units: at ~1000 px page width a 900-unit chart shows ~13.5 px text
SMALL = 11.5
CHAR_W = 0.56  # mean glyph width of a sans-serif face, in font sizes (for layout only)
MINUS = "\u2212"
AXIS_COLOR = "#333"


def esc(x: Any) -> str:
    """``x`` as text safe inside SVG/HTML content and quoted attributes."""
    return escape(str(x), quote=True)


def text_width(s: str, size: float = FONT) -> float:
    """Estimated rendered width of ``s`` (layout only; fonts vary)."""
    return CHAR_W * size * len(s)


# --- numbers ---------------------------------------------------------------------------------

def fmt(a: Any, decimals: int = 1) -> np.ndarray:
    """Vectorised fixed-point formatting of an array (a string array, ``-0.0`` written ``0.0``)."""
    v = np.round(np.asarray(a, dtype=float), decimals) + 0.0
    return np.char.mod(f"%.{decimals}f", v)


def path_d(x: Any, y: Any) -> str:
    """SVG path data of a polyline through ``(x, y)`` (already in user units); a non-finite
    point ends the current piece and the next finite point starts a new one (``M``)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return ""
    start = ok & ~np.concatenate([[False], ok[:-1]])
    cmd = np.where(start, "M", "L")[ok]
    return "".join(np.char.add(np.char.add(np.char.add(cmd, fmt(x[ok])), ","), fmt(y[ok])))


def _decimals(step: float) -> int:
    """Decimals that show every multiple of ``step`` exactly (2.5 needs one, 0.25 two)."""
    for d in range(0, 15):
        v = step * 10 ** d
        if v >= 1 - 1e-9 and abs(round(v) - v) <= 1e-6 * v:
            return d
    return 15


def nice_step(raw: float, integer: bool = False) -> float:
    """The smallest of 1, 2, 2.5, 5 (x 10^k) not below ``raw`` (> 0); with ``integer``, the
    smallest whole 1, 2, 5 (x 10^k)."""
    if integer:
        raw = max(raw, 1.0)
    mag = 10.0 ** math.floor(math.log10(raw))
    for m in ((1.0, 2.0, 5.0, 10.0) if integer else (1.0, 2.0, 2.5, 5.0, 10.0)):
        if m * mag >= raw * (1 - 1e-9):
            return m * mag
    return 10.0 * mag  # pragma: no cover


def nice_ticks(lo: float, hi: float, n: int = 5, integer: bool = False) -> np.ndarray:
    """Round tick values within ``[lo, hi]``: about ``n`` of them (at least 2 for any finite
    range), multiples of a 1-2-2.5-5 step (``integer``: whole numbers only, for counts)."""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return np.array([])
    if hi < lo:
        lo, hi = hi, lo
    if hi - lo <= 1e-12 * max(1.0, abs(lo)):
        return np.array([lo + 0.0])
    step = nice_step((hi - lo) / max(n, 1), integer)
    while True:
        k = np.arange(math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9) + 1)
        if len(k) >= 2 or step <= (hi - lo) * 1e-6 or (integer and step <= 1):
            break
        step = nice_step(step / 2.1, integer)  # a narrow range between round values: finer
    return np.round(k * step, _decimals(step) + 1) + 0.0


def tick_labels(ticks: np.ndarray) -> list[str]:
    """Labels of evenly spaced ``ticks``: as many decimals as the step needs, a real minus."""
    if len(ticks) == 0:
        return []
    d = _decimals(float(np.min(np.diff(ticks)))) if len(ticks) > 1 else _decimals(
        abs(float(ticks[0])) or 1.0)
    return [s.replace("-", MINUS) for s in fmt(ticks, min(d, 6)).tolist()]


def limits(*arrays: Any, pad: float = 0.05, include: Sequence[float] = ()
           ) -> tuple[float, float]:
    """Data range of the finite values of ``arrays`` (and ``include``) widened by ``pad`` of
    the span on each side; ``(0, 1)`` when there is nothing finite, +-1 around a single value."""
    vals = [np.asarray(a, dtype=float).ravel() for a in arrays] + [np.asarray(include, float)]
    v = np.concatenate(vals)
    v = v[np.isfinite(v)]
    if not len(v):
        return 0.0, 1.0
    lo, hi = float(v.min()), float(v.max())
    if hi - lo <= 1e-12 * max(1.0, abs(lo)):
        d = max(abs(lo) * 0.05, 1e-3) if lo else 1.0
        return lo - d, hi + d
    span = hi - lo
    return lo - pad * span, hi + pad * span


_DATE_STEPS: tuple[tuple[int, str], ...] = (
    (3600, "s"), (3 * 3600, "s"), (6 * 3600, "s"), (12 * 3600, "s"), (86400, "s"),
    (2 * 86400, "s"), (7 * 86400, "s"), (14 * 86400, "s"), (1, "M"), (2, "M"), (3, "M"),
    (6, "M"), (1, "Y"), (2, "Y"), (5, "Y"), (10, "Y"), (20, "Y"), (50, "Y"), (100, "Y"))


def date_ticks(lo: float, hi: float, n: int = 6) -> tuple[np.ndarray, list[str]]:
    """Calendar ticks between POSIX times ``lo`` and ``hi`` (UTC): at most ``n`` of hours,
    days, weeks, months or years, labelled ISO-style (``MM-DD HH:MM``, ``YYYY-MM-DD``,
    ``YYYY-MM``, ``YYYY``)."""
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
        return np.array([]), []
    t = np.array([]).astype("datetime64[s]")
    unit = "D"
    for step, kind in _DATE_STEPS:
        if kind == "s":
            k = np.arange(math.ceil(lo / step), math.floor(hi / step) + 1) * step
            t = k.astype("datetime64[s]")
            unit = "m" if step < 86400 else "D"
        else:
            a = np.datetime64(int(lo), "s").astype(f"datetime64[{kind}]").astype(int)
            b = np.datetime64(int(hi), "s").astype(f"datetime64[{kind}]").astype(int)
            k = np.arange(math.ceil(a / step) * step, b + 1, step)
            t = k.astype(f"datetime64[{kind}]").astype("datetime64[s]")
            t = t[(t.astype(int) >= lo) & (t.astype(int) <= hi)]
            unit = kind
        if len(t) <= n:
            break
    labels = np.datetime_as_string(t, unit=unit).tolist()
    if unit == "m":
        labels = [s[5:].replace("T", " ") for s in labels]
    return t.astype(float), labels


# --- drawing ---------------------------------------------------------------------------------

def _attrs(**kw: Any) -> str:
    """``key="value"`` pairs, ``_`` in names written ``-``; ``None`` values left out."""
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in kw.items()
                   if v is not None)


@dataclass
class Axes:
    """A plot rectangle (``x``, ``y`` top-left, ``w``, ``h`` in user units) with data limits.

    Data drawing goes to a layer clipped to the rectangle; axis lines, ticks and labels are
    drawn outside it.
    """

    x: float
    y: float
    w: float
    h: float
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    body: list[str] = field(default_factory=list)
    over: list[str] = field(default_factory=list)

    # transforms
    def px(self, v: Any) -> np.ndarray:
        x0, x1 = self.xlim
        return self.x + (np.asarray(v, dtype=float) - x0) / (x1 - x0) * self.w

    def py(self, v: Any) -> np.ndarray:
        y0, y1 = self.ylim
        return self.y + self.h - (np.asarray(v, dtype=float) - y0) / (y1 - y0) * self.h

    # data layer
    def line(self, x: Any, y: Any, color: str, width: float = 1.5, dash: str | None = None,
             opacity: float | None = None) -> None:
        d = path_d(self.px(x), self.py(y))
        if d:
            self.body.append(f'<path d="{d}"' + _attrs(
                fill="none", stroke=color, stroke_width=width, stroke_dasharray=dash,
                stroke_opacity=opacity, stroke_linejoin="round") + "/>")

    def markers(self, x: Any, y: Any, color: str, size: float = 3.6) -> None:
        """Round dots of diameter ``size`` (one path: zero-length round-capped segments)."""
        x, y = self.px(x), self.py(y)
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.any():
            d = "".join(np.char.add(np.char.add(np.char.add(np.char.add("M", fmt(x[ok])), ","),
                                                fmt(y[ok])), "h0"))
            self.body.append(f'<path d="{d}"' + _attrs(
                fill="none", stroke=color, stroke_width=size, stroke_linecap="round") + "/>")

    def band(self, x: Any, lo: Any, hi: Any, color: str, opacity: float = 0.25) -> None:
        """The area between ``lo`` and ``hi`` along ``x``; non-finite points split it."""
        x, lo, hi = (np.asarray(a, dtype=float) for a in (x, lo, hi))
        ok = np.isfinite(x) & np.isfinite(lo) & np.isfinite(hi)
        edges = np.flatnonzero(np.diff(np.concatenate([[0], ok.astype(np.int8), [0]])))
        parts = []
        for a, b in zip(edges[::2], edges[1::2], strict=True):  # one polygon per finite run
            xs = np.concatenate([x[a:b], x[a:b][::-1]])
            ys = np.concatenate([hi[a:b], lo[a:b][::-1]])
            parts.append(path_d(self.px(xs), self.py(ys)) + "Z")
        if parts:
            self.body.append(f'<path d="{"".join(parts)}"' + _attrs(
                fill=color, fill_opacity=opacity, stroke="none") + "/>")

    def stairs(self, counts: Any, edges: Any, color: str, width: float = 1.8,
               fill_opacity: float | None = 0.3) -> None:
        """A histogram outline (and fill) from ``counts`` over bin ``edges``."""
        c, e = np.asarray(counts, dtype=float), np.asarray(edges, dtype=float)
        xs = np.repeat(e, 2)[1:-1]
        ys = np.repeat(c, 2)
        d = path_d(self.px(xs), self.py(ys))
        if fill_opacity:
            base = self.py(0.0)
            fill = (f"M{fmt(self.px(e[0]))},{fmt(base)}L" + d[1:]
                    + f"L{fmt(self.px(e[-1]))},{fmt(base)}Z")
            self.body.append(f'<path d="{fill}"' + _attrs(
                fill=color, fill_opacity=fill_opacity, stroke="none") + "/>")
        self.body.append(f'<path d="{d}"' + _attrs(fill="none", stroke=color,
                                                   stroke_width=width) + "/>")

    def rects(self, x0: Any, x1: Any, y0: Any, y1: Any, color: str,
              opacity: float | None = None) -> None:
        """Filled rectangles between data corners (one path for all)."""
        a, b = self.px(x0), self.px(x1)
        c, d = self.py(y0), self.py(y1)
        a, b, c, d = np.broadcast_arrays(a, b, c, d)
        ok = np.isfinite(a) & np.isfinite(b) & np.isfinite(c) & np.isfinite(d)
        if not ok.any():
            return
        a, b, c, d = fmt(a[ok]), fmt(b[ok]), fmt(c[ok]), fmt(d[ok])
        s = np.char.add(np.char.add(np.char.add(np.char.add("M", a), ","), c), "H")
        s = np.char.add(np.char.add(np.char.add(np.char.add(s, b), "V"), d), "H")
        s = np.char.add(np.char.add(s, a), "Z")
        self.body.append(f'<path d="{"".join(s)}"' + _attrs(fill=color, fill_opacity=opacity,
                                                            stroke="none") + "/>")

    def vspan(self, x0: Any, x1: Any, color: str, opacity: float | None = None) -> None:
        self.rects(x0, x1, self.ylim[0], self.ylim[1], color, opacity)

    def hline(self, y: float, color: str, width: float = 1.0, dash: str | None = None) -> None:
        self.line(list(self.xlim), [y, y], color, width, dash)

    def vline(self, x: float, color: str, width: float = 1.0, dash: str | None = None) -> None:
        self.line([x, x], list(self.ylim), color, width, dash)

    def errorbars(self, x: Any, y: Any, lo: Any, hi: Any, *, horizontal: bool, color: str = "#222",
                  width: float = 1.8, cap: float = 5.0) -> None:
        """Error bars from ``lo`` to ``hi`` (along x when ``horizontal``) with end caps; points
        with a non-finite coordinate or bound are left out."""
        x, y, lo, hi = (np.asarray(a, dtype=float) for a in (x, y, lo, hi))
        at, a, b = (self.py(y), self.px(lo), self.px(hi)) if horizontal else (
            self.px(x), self.py(lo), self.py(hi))
        ok = np.isfinite(at) & np.isfinite(a) & np.isfinite(b) & np.isfinite(x) & np.isfinite(y)
        if not ok.any():
            return
        at, a, b = fmt(at[ok]), fmt(a[ok]), fmt(b[ok])
        ends = np.concatenate([a, b])
        across = fmt(np.concatenate([at, at]).astype(float) - cap)
        if horizontal:  # bar along x at height `at`, caps vertical
            d = "".join(f"M{p},{r}H{q}" for p, q, r in zip(a, b, at, strict=True)) + "".join(
                f"M{p},{r}v{2 * cap:g}" for p, r in zip(ends, across, strict=True))
        else:
            d = "".join(f"M{r},{p}V{q}" for p, q, r in zip(a, b, at, strict=True)) + "".join(
                f"M{r},{p}h{2 * cap:g}" for p, r in zip(ends, across, strict=True))
        self.body.append(f'<path d="{d}"' + _attrs(fill="none", stroke=color,
                                                   stroke_width=width) + "/>")

    def dots(self, x: Any, y: Any, fill: Sequence[str] | str, r: float = 5.0,
             stroke: str = "#111", stroke_width: float = 1.6) -> None:
        """Outlined circles (for a few points of individual colour, e.g. the SI estimates)."""
        px, py = self.px(x), self.py(y)
        fills = [fill] * len(px) if isinstance(fill, str) else list(fill)
        self.body.extend(
            f'<circle cx="{a}" cy="{b}" r="{r:g}"' + _attrs(fill=f, stroke=stroke,
                                                           stroke_width=stroke_width) + "/>"
            for a, b, f, ok in zip(fmt(px), fmt(py), fills, np.isfinite(px) & np.isfinite(py),
                                   strict=True) if ok)

    def text(self, x: float, y: float, s: str, *, coords: str = "data", anchor: str = "middle",
             size: float | None = None, color: str | None = None, bold: bool = False,
             dy: float = 0.0, clip: bool = False) -> None:
        """Text at data (``coords="data"``) or axes-fraction (``"axes"``) coordinates,
        shifted ``dy`` user units down."""
        if coords == "axes":
            px, py = self.x + x * self.w, self.y + (1 - y) * self.h
        else:
            px, py = float(self.px(x)), float(self.py(y))
        (self.body if clip else self.over).append(
            f'<text x="{px:.1f}" y="{py + dy:.1f}"' + _attrs(
                text_anchor=anchor, font_size=size, fill=color,
                font_weight="bold" if bold else None) + f">{esc(s)}</text>")

    # decoration
    def xaxis(self, ticks: Sequence[float], labels: Sequence[str], label: str = "") -> None:
        """Bottom axis line, ticks, tick labels and the axis label."""
        yb = self.y + self.h
        px = self.px(ticks)
        keep = (px >= self.x - 0.5) & (px <= self.x + self.w + 0.5)
        d = "".join(f"M{p},{yb:.1f}v5" for p in fmt(px[keep]))
        self.over.append(f'<path d="M{self.x:.1f},{yb:.1f}H{self.x + self.w:.1f}{d}"'
                         + _attrs(stroke=AXIS_COLOR, stroke_width=1, fill="none") + "/>")
        self.over.extend(f'<text x="{p}" y="{yb + 8 + FONT:.1f}" text-anchor="middle">'
                         f"{esc(t)}</text>"
                         for p, t, k in zip(fmt(px), labels, keep, strict=True) if k)
        if label:
            self.over.append(f'<text x="{self.x + self.w / 2:.1f}" y="{yb + 12 + 2.2 * FONT:.1f}"'
                             f' text-anchor="middle">{esc(label)}</text>')

    def yaxis(self, ticks: Sequence[float], labels: Sequence[str], label: str = "",
              line: bool = True) -> None:
        """Left axis line, ticks, tick labels (right-aligned) and the rotated axis label."""
        py = self.py(ticks)
        keep = (py >= self.y - 0.5) & (py <= self.y + self.h + 0.5)
        d = "".join(f"M{self.x:.1f},{p}h-5" for p in fmt(py[keep]))
        spine = f"M{self.x:.1f},{self.y:.1f}V{self.y + self.h:.1f}" if line else ""
        if spine or d:
            self.over.append(f'<path d="{spine}{d}"' + _attrs(stroke=AXIS_COLOR, stroke_width=1,
                                                              fill="none") + "/>")
        self.over.extend(f'<text x="{self.x - 8:.1f}" y="{float(p) + FONT * 0.35:.1f}" '
                         f'text-anchor="end">{esc(t)}</text>'
                         for p, t, k in zip(py, labels, keep, strict=True) if k)
        if label:
            width = max((text_width(t) for t in labels), default=0.0)
            cx, cy = self.x - 14 - width - 0.4 * FONT, self.y + self.h / 2
            self.over.append(f'<text transform="translate({cx:.1f},{cy:.1f}) rotate(-90)" '
                             f'text-anchor="middle">{esc(label)}</text>')

    def svg(self, clip_id: str) -> str:
        clip = (f'<clipPath id="{clip_id}"><rect x="{self.x:.1f}" y="{self.y:.1f}" '
                f'width="{self.w:.1f}" height="{self.h:.1f}"/></clipPath>')
        return (f'{clip}<g clip-path="url(#{clip_id})">{"".join(self.body)}</g>'
                + "".join(self.over))


def y_margin(labels: Iterable[str], label: bool = True) -> float:
    """Left margin that fits tick ``labels`` and a rotated axis label."""
    return 14 + max((text_width(t) for t in labels), default=0.0) + (1.6 * FONT if label
                                                                     else 0.0)


@dataclass
class Chart:
    """An SVG image of ``height`` x :data:`WIDTH` user units: axes, legend and free text."""

    height: float
    width: float = WIDTH
    axes: list[Axes] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    #: False: :meth:`legend` only records its entries (a narrow chart's legend goes into the
    #: page's HTML, where it can wrap)
    legend_in_svg: bool = True
    entries: list[tuple[str, str, str]] = field(default_factory=list)

    def add_axes(self, left: float, top: float, right: float, bottom: float,
                 xlim: tuple[float, float], ylim: tuple[float, float]) -> Axes:
        """Axes inside the given margins (user units from each edge)."""
        ax = Axes(left, top, self.width - left - right, self.height - top - bottom,
                  xlim, ylim)
        self.axes.append(ax)
        return ax

    def legend(self, entries: Sequence[tuple[str, str, str]], x: float, y: float,
               anchor: str = "start") -> None:
        """One row of entries ``(kind, colour, text)`` from ``(x, y)`` (``anchor="end"``: ending
        there); kinds: ``line``, ``dash``, ``dot``, ``linedot``, ``patch``, ``box``."""
        self.entries.extend(entries)
        if not self.legend_in_svg:
            return
        widths = [30 + text_width(t, SMALL) + 18 for _, _, t in entries]
        x0 = x - sum(widths) if anchor == "end" else x
        for (kind, color, label), w in zip(entries, widths, strict=True):
            sym = {
                "line": f'<path d="M{x0:.1f},{y:.1f}h22" stroke="{color}" stroke-width="2"/>',
                "dash": f'<path d="M{x0:.1f},{y:.1f}h22" stroke="{color}" stroke-width="2" '
                        f'stroke-dasharray="5 3"/>',
                "dot": f'<circle cx="{x0 + 11:.1f}" cy="{y:.1f}" r="4.5" fill="{color}" '
                       f'stroke="#111" stroke-width="1.2"/>',
                "linedot": f'<path d="M{x0:.1f},{y:.1f}h22M{x0 + 11:.1f},{y:.1f}h0" '
                           f'stroke="{color}" stroke-width="2" stroke-linecap="round"/>'
                           f'<circle cx="{x0 + 11:.1f}" cy="{y:.1f}" r="2.6" fill="{color}"/>',
                "patch": f'<rect x="{x0:.1f}" y="{y - 6:.1f}" width="22" height="12" '
                         f'fill="{color}" fill-opacity="0.35"/>',
                "box": f'<rect x="{x0:.1f}" y="{y - 6:.1f}" width="22" height="12" '
                       f'fill="{color}" fill-opacity="0.3" stroke="{color}" stroke-width="1.6"/>',
            }[kind]
            self.extra.append(sym + f'<text x="{x0 + 28:.1f}" y="{y + SMALL * 0.35:.1f}" '
                                    f'font-size="{SMALL}">{esc(label)}</text>')
            x0 += w

    def text(self, x: float, y: float, s: str, anchor: str = "start", **style: Any) -> None:
        self.extra.append(f'<text x="{x:.1f}" y="{y:.1f}"' + _attrs(text_anchor=anchor, **style)
                          + f">{esc(s)}</text>")

    def svg(self, pid: str, title: str, label: str) -> str:
        """The ``<svg>`` element: id ``pid``, class ``plot``, ``role="img"``, ``aria-label``
        and a ``<title>``; it scales to the width of its container."""
        body = "".join(ax.svg(f"{esc(pid)}-clip{i}") for i, ax in enumerate(self.axes))
        return (f'<svg xmlns="http://www.w3.org/2000/svg" id="{esc(pid)}" class="plot" '
                f'role="img" aria-label="{esc(label)}" viewBox="0 0 {self.width:g} '
                f'{self.height:g}" font-size="{FONT}" font-family="system-ui,-apple-system,'
                f'Segoe UI,Roboto,Helvetica,Arial,sans-serif" fill="#1a1a1a">'
                f'<title id="{esc(pid)}-title">{esc(title)}</title>'
                f'<rect width="100%" height="100%" fill="#fff"/>{body}{"".join(self.extra)}'
                "</svg>\n")
