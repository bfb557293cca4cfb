"""The terminal report: a compact rich rendering of an analysis document within 80 columns.

The answer first: a header line (file, duration, sensors, steps), then the headline in a panel
coloured by the verdict's level (balanced green, mild yellow, marked red, undetermined grey):
the verdict and its side, the stance balance "L 52.6 % / R 47.4 %" with its SI and 95 % CI, and
where healthy people lie (:func:`gait.interpret.headline`). Then one table with a row per
parameter (left and right mean ± SD, symmetry index with its 95 % CI, left share): the
parameters that count towards the verdict first, in the verdict's colours, then those shown for
information, in neutral colours; both legs together, the trunk, the findings, explanation and
advice, quality problems and the disclaimer. All document text is shown literally (never parsed
as rich markup).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from gait.interpret import THRESHOLDS, headline, level_title
from gait.parameters import NAMES
from gait.report.jsonout import fmt_value, param_label, param_unit
from gait.table import Table as ColumnTable

if TYPE_CHECKING:
    from rich import box
    from rich.console import Console, Group, RenderableType
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text


def _rich() -> None:
    """rich's names in this module, imported on the terminal report's first use: the string
    helpers here serve the HTML report too, which needs no rich (``gait report -q --html``)."""
    global box, Console, Group, Panel, Table, Text
    from rich import box
    from rich.console import Console, Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text


LEVEL_STYLE = {"balanced": "green", "mild": "yellow", "marked": "red", "undetermined": "grey50",
               "uncertain": "grey50"}
SIDE_WORD = {"L": "left", "R": "right"}


def _num(x: Any) -> float | None:
    """``x`` as a finite float, else None."""
    if isinstance(x, bool) or x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def fmt_duration(s: Any) -> str:
    """``95.0`` -> ``1 min 35 s``; ``3600`` -> ``1 h 00 min``."""
    v = _num(s)
    if v is None:
        return "?"
    if v < 120:
        return f"{v:.0f} s"
    if v < 3600:
        return f"{int(v // 60)} min {int(v % 60):02d} s"
    return f"{int(v // 3600)} h {int(v % 3600 // 60):02d} min"


def fmt_si(si: Any, ci: Any) -> str:
    """``+6.1 [+4.2,+8.0]``; the CI is left out when unknown."""
    v = _num(si)
    if v is None:
        return "–"
    v = round(v, 1) + 0.0  # no "-0.0"
    lo, hi = (_num(c) for c in (ci if isinstance(ci, list | tuple) and len(ci) == 2
                                 else (None, None)))
    return f"{v:+.1f}" + (f" [{lo:+.1f},{hi:+.1f}]" if lo is not None and hi is not None else "")


def fmt_mean_sd(key: str, stat: Any) -> str:
    """``0.652±0.021`` with the parameter's precision."""
    if not isinstance(stat, Mapping) or _num(stat.get("mean")) is None:
        return "–"
    sd = _num(stat.get("sd"))
    return fmt_value(key, stat["mean"]) + (f"±{fmt_value(key, sd)}" if sd is not None else "")


def parameter_keys(doc: Mapping[str, Any]) -> list[str]:
    """Parameters present in ``per_side`` or ``symmetry``: known ones first, in the order of
    :data:`gait.parameters.NAMES`."""
    present = set(doc.get("symmetry") or {})
    for side in (doc.get("per_side") or {}).values():
        present |= set(side or {})
    return [k for k in NAMES if k in present] + sorted(present - set(NAMES))


def header_text(doc: Mapping[str, Any]) -> str:
    """One line: file · duration · sensors · steps · gait kind."""
    rec = doc.get("recording") or {}
    q = doc.get("quality") or {}
    sensors = ", ".join(
        f"{s.get('placement', '?')} {_num(s.get('sample_rate_hz')) or 0:g} Hz "
        f"{'+'.join(s.get('sensors') or [])}"
        + (" (linear acc)" if s.get("acc_kind") == "linear" else "")
        for s in rec.get("streams") or [])
    n_bouts = len(doc.get("bouts") or [])
    steps = f"{q.get('n_steps', 0)} steps (L {q.get('n_steps_L', 0)}, R {q.get('n_steps_R', 0)})"
    events = doc.get("events") or []
    if isinstance(events, ColumnTable):
        unsided = int((events.isin("kind", ("IC",)) & ~events.isin("side", ("L", "R"))).sum())
    else:
        unsided = sum(1 for e in events
                      if e.get("kind") == "IC" and e.get("side") not in ("L", "R"))
    if unsided and not q.get("n_steps"):
        # overall counts them: a stride per event stands for two steps (steps only)
        steps = f"{(doc.get('overall') or {}).get('n_steps') or unsided} steps (sides unknown)"
    return " · ".join([
        str(rec.get("file", "?")), fmt_duration(rec.get("duration_s")), sensors or "no sensors",
        steps,
        f"{doc.get('gait_kind', '?')}, {n_bouts} bout{'s' if n_bouts != 1 else ''}"])


def verdict_title(verdict: Mapping[str, Any]) -> str:
    """``MILD asymmetry towards the left``, ``BALANCED``, ``UNDETERMINED``."""
    return level_title(str(verdict.get("level", "undetermined")), verdict.get("towards"))


def headline_of(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The document's ``headline``, or one made from its verdict and symmetry (a document
    written before the headline existed)."""
    h = doc.get("headline")
    return dict(h) if isinstance(h, Mapping) else headline(doc)


def counting(doc: Mapping[str, Any]) -> set[str]:
    """Parameters that count towards the verdict: the thresholds marked ``counts`` (a document
    whose thresholds do not say: those of :data:`gait.interpret.THRESHOLDS`)."""
    ts = (doc.get("verdict") or {}).get("thresholds") or []
    if any("counts" in t for t in ts):
        return {str(t.get("parameter")) for t in ts if t.get("counts")}
    return {t.parameter for t in THRESHOLDS if t.weight}


def _finding_levels(doc: Mapping[str, Any]) -> dict[str, str]:
    """Parameter -> level, for the parameters that count only (the others are never drawn in
    the verdict's colours)."""
    counts = counting(doc)
    return {str(f.get("parameter")): str(f.get("level"))
            for f in (doc.get("verdict") or {}).get("findings") or []
            if f.get("parameter") in counts}


def _measured_keys(doc: Mapping[str, Any]) -> list[str]:
    """:func:`parameter_keys` that have a value on either side or a symmetry index."""
    per_side = doc.get("per_side") or {}
    sym = doc.get("symmetry") or {}
    return [k for k in parameter_keys(doc) if k in sym or any(
        _num(((per_side.get(s) or {}).get(k) or {}).get("mean")) is not None for s in "LR")]


def _table(doc: Mapping[str, Any]) -> Table:
    """Per-side table: the parameters that count first, then a section of those shown for
    information (no verdict colours)."""
    per_side = doc.get("per_side") or {}
    sym = doc.get("symmetry") or {}
    levels = _finding_levels(doc)
    counts = counting(doc)
    t = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, header_style="bold")
    t.add_column("Parameter")
    for name, style in (("Left", "blue"), ("Right", "dark_orange"), ("SI % [95% CI]", ""),
                        ("L share", "")):
        t.add_column(name, justify="right", style=style, overflow="fold")  # never truncate
    keys = _measured_keys(doc)
    first = [k for k in keys if k in counts]
    rest = [k for k in keys if k not in counts]
    for key in [*first, *rest]:
        if rest and key == rest[0]:
            if first:
                t.add_section()
            t.add_row(Text("For information:", style="italic"))
        unit = param_unit(key)
        s = sym.get(key) or {}
        share = _num(s.get("left_share_pct"))
        t.add_row(
            Text(param_label(key) + (f" ({unit})" if unit else "")),
            Text(fmt_mean_sd(key, (per_side.get("L") or {}).get(key))),
            Text(fmt_mean_sd(key, (per_side.get("R") or {}).get(key))),
            Text(fmt_si(s.get("si_pct"), s.get("ci95")),
                 style=LEVEL_STYLE.get(levels.get(key, ""), "")),
            Text("–" if share is None else f"{share:.1f} %"))
    return t


def step_pairs_label(doc: Mapping[str, Any]) -> str:
    """``Walking asymmetry`` (Apple's name, for walks); ``Step-time asymmetry`` for runs."""
    return "Walking asymmetry" if doc.get("gait_kind", "walk") == "walk" \
        else "Step-time asymmetry"


def _step_pairs(doc: Mapping[str, Any]) -> Text | None:
    st = (doc.get("symmetry") or {}).get("step_s") or {}
    pct = _num(st.get("asymmetric_steps_pct"))
    if pct is None:
        return None
    apple = " (Apple-style)" if doc.get("gait_kind", "walk") == "walk" else ""
    return Text.assemble((f"{step_pairs_label(doc)}: ", "bold"),
                         f"{pct:.0f} % of {st.get('n_step_pairs')} step pairs differ by more "
                         f"than {_num(st.get('limit_pct')) or 0:.1f} %{apple}")


def overall_text(o: Mapping[str, Any]) -> str | None:
    """``cadence 111 steps/min · step time 0.541±0.011 s``; one leg's sensor: its strides."""
    cad = _num(o.get("cadence_spm"))
    if cad is None:
        return None
    if o.get("one_leg") in SIDE_WORD:
        return (f"cadence {cad:.0f} steps/min (2 x the {SIDE_WORD[o['one_leg']]} leg's "
                f"strides) · stride time {fmt_mean_sd('stride_s', o.get('stride_s'))} s")
    return f"cadence {cad:.0f} steps/min · step time {fmt_mean_sd('step_s', o.get('step_s'))} s"


def _overall(doc: Mapping[str, Any]) -> Text | None:
    o = doc.get("overall") or {}
    line = overall_text(o)
    label = "Pace: " if o.get("one_leg") in SIDE_WORD else "Both legs: "
    return None if line is None else Text.assemble((label, "bold"), line)


def _headline_panel(doc: Mapping[str, Any]) -> Panel:
    """The answer: verdict, side, the main number and where healthy people lie."""
    h = headline_of(doc)
    style = LEVEL_STYLE.get(str(h.get("level")), "grey50")
    lines = h.get("lines") or [h.get("text", "")]
    return Panel(Group(*(Text(str(line), style="bold" if i == 0 else "")
                         for i, line in enumerate(lines))),
                 title=Text("Verdict: " + str(h.get("title", "")), style=f"bold {style}"),
                 title_align="left", border_style=style, box=box.HEAVY)


def _trunk(doc: Mapping[str, Any]) -> Text | None:
    tr = {k: _num(v) for k, v in (doc.get("trunk") or {}).items()}
    parts = [f"{label} {tr[k]:.2f}" for k, label in (
        ("step_regularity", "Step regularity"), ("stride_regularity", "Stride regularity"),
        ("autocorr_step_symmetry", "Step symmetry")) if tr.get(k) is not None]
    hr = [f"{ax} {tr[k]:.2f}" for k, ax in (("harmonic_ratio_v", "V"), ("harmonic_ratio_ap", "AP"),
                                            ("harmonic_ratio_ml", "ML")) if tr.get(k) is not None]
    if hr:
        parts.append("Harmonic ratio " + ", ".join(hr))
    if not parts:
        return None
    return Text.assemble(("Trunk: ", "bold"), " · ".join(parts))


def _bullets(items: Iterable[tuple[str, str, str]]) -> Table:
    """(mark, mark style, text) rows with a hanging indent."""
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for mark, style, text in items:
        grid.add_row(Text(mark, style=style), Text(text))
    return grid


def _verdict_panel(doc: Mapping[str, Any]) -> Panel:
    """Summary, findings (those that count with a coloured mark, the others with a neutral
    one), explanation and advice."""
    v = doc.get("verdict") or {}
    levels = _finding_levels(doc)
    body: list[RenderableType] = [Text(str(v.get("summary", "")), style="bold")]
    findings = v.get("findings") or []
    if findings:
        body.append(Text())
        rows = []
        for f in findings:
            key, text = str(f.get("parameter")), str(f.get("text") or f.get("label", ""))
            rows.append(("●", LEVEL_STYLE.get(levels[key], ""), text) if key in levels
                        else ("○", "", text))
        body.append(_bullets(rows))
    if v.get("explanation"):
        body.append(Text())
        body += [Text(str(s), style="dim") for s in v["explanation"]]
    if v.get("advice"):
        body.append(Text())
        body.append(_bullets(("→", "bold", str(s)) for s in v["advice"]))
    return Panel(Group(*body), title=Text("Findings and advice", style="bold"),
                 title_align="left", box=box.ROUNDED)


def render_text(doc: Mapping[str, Any], console: Console) -> None:
    """Print the terminal report of an analysis document on ``console``: the answer first."""
    _rich()
    console.print(Text(header_text(doc), style="bold"))
    console.print(_headline_panel(doc))
    if _measured_keys(doc):
        console.print(_table(doc))
    for line in (_overall(doc), _step_pairs(doc), _trunk(doc)):
        if line is not None:
            console.print(line)
    console.print(_verdict_panel(doc))
    q = doc.get("quality") or {}
    problems = q.get("problems") or []
    if problems:
        console.print(Text("Quality problems:", style="bold yellow"))
        console.print(_bullets(("!", "bold yellow", str(p)) for p in problems))
    notes = q.get("notes") or []
    if notes:  # what was left out of the report and why
        console.print(_bullets(("Note:", "dim", str(n)) for n in notes), style="dim")
    warnings = (doc.get("recording") or {}).get("warnings") or []
    if warnings:
        console.print(_bullets(("Import warning:", "dim", str(w)) for w in warnings),
                      style="dim")
    console.print(Text(str(doc.get("disclaimer", "")), style="italic dim"))


def render_text_str(doc: Mapping[str, Any], width: int = 80) -> str:
    """The terminal report as plain text (no colours) of at most ``width`` columns."""
    _rich()
    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system=None, force_terminal=False,
                      highlight=False, emoji=False, legacy_windows=False)
    render_text(doc, console)
    return buf.getvalue()
