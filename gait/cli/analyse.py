"""``gait info``, ``gait events`` and ``gait report``: a recording's contents, its events, and the
report (terminal, JSON, HTML, history).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from gait.api import parse_file_arg
from gait.cli.options import (
    fmt_hours,
    load_arg,
    load_walk,
    read_opts,
    reader_options,
    write_json,
    write_out,
)
from gait.errors import GaitInputError
from gait.recording import describe


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--json", "json_out", is_flag=True, help="Print JSON (one object per file).")
@reader_options
def info(files: tuple[str, ...], json_out: bool, **kw: Any) -> None:
    """Format, app, platform, sensors, sample rate, duration, gaps and warnings of recordings.

    FILE is a file, folder or zip of any supported format, or PLACEMENT=PATH.
    """
    ropts = read_opts(kw)
    docs = []
    for arg in files:
        rec = load_arg(arg, ropts)
        d = {"file": parse_file_arg(arg)[1], **describe(rec)}
        docs.append(d)
        if not json_out:
            _print_info(d)
    if json_out:
        out = docs[0] if len(docs) == 1 else docs
        click.echo(json.dumps(out, indent=2, allow_nan=False))


def _fmt_rate(x: float | None) -> str:
    return "-" if x is None else f"{x:g}"


def _print_info(d: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console(highlight=False)
    con.print(f"[bold]{d['file']}[/bold]", soft_wrap=True)
    t = Table(show_header=False, box=None, pad_edge=False, padding=(0, 2))
    t.add_row("format", f"{d['format']} ({d['app']})")
    t.add_row("platform", d["platform"] or "unknown")
    if d["device"]:
        t.add_row("device", d["device"])
    t.add_row("start (UTC)", d["start_time_utc"] or "unknown")
    t.add_row("duration", f"{d['duration_s']:.2f} s")
    con.print(t)
    st = Table(title=None, header_style="bold")
    for col in ("placement", "sensors", "acc", "rate Hz", "measured", "samples", "gaps",
                "missing"):
        st.add_column(col, justify="right" if col in ("rate Hz", "measured", "samples",
                                                         "gaps", "missing") else "left")
    for s in d["streams"]:
        sensors = "acc+gyr" if "gyroscope" in s["sensors"] else "acc"
        st.add_row(s["placement"], sensors, s["acc_kind"], _fmt_rate(s["sample_rate_hz"]),
                   _fmt_rate(s["measured_rate_hz"]), str(s["n_samples"]), str(len(s["gaps"])),
                   f"{s['missing_pct']:.1f} %")
    con.print(st)
    for w in d["warnings"]:
        con.print(f"[yellow]warning:[/yellow] {w}", soft_wrap=True)
    con.print()


#: the schema name of the document ``gait events --json`` writes
EVENTS_SCHEMA = "gait-events/1"


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--json", "json_out", metavar="PATH|-",
              help="Write the events as JSON ('-': stdout).")
@reader_options
def events(files: tuple[str, ...], json_out: str | None, **kw: Any) -> None:
    """Walking/running bouts and every initial (IC) and final (FC) contact with its side.

    Several FILEs are sensors of one walk (write them as PLACEMENT=PATH). Times are seconds
    from the first sample, the time axis of the input's time column.
    """
    from gait.events import detect_events

    rec = load_walk(files, read_opts(kw))
    try:
        det = detect_events(rec)
    except ValueError as exc:
        raise GaitInputError(files[0], str(exc), where="placement") from None
    doc = {
        "schema": EVENTS_SCHEMA,
        "sensors": [{"placement": s.placement, "sample_rate_hz": s.sample_rate_hz,
                     "used": s.placement in det.sources} for s in rec.streams],
        "bouts": [{"start": round(float(b.start), 4), "end": round(float(b.end), 4),
                   "kind": str(b.kind)} for b in det.bouts.itertuples(index=False)],
        "events": [{"t": round(float(e.t), 4), "kind": str(e.kind),
                    "side": e.side if e.side in ("L", "R") else None,
                    "confidence": round(float(e.confidence), 3),
                    "side_confidence": round(float(e.side_confidence), 3)
                    if math.isfinite(e.side_confidence) else None}
                   for e in det.events.itertuples(index=False)],
        "side_confidence": det.side_confidence,
        "notes": det.notes,
    }
    if json_out:
        write_out(json_out, json.dumps(doc, indent=1, allow_nan=False))
        if json_out == "-":
            return
    from rich.console import Console
    from rich.table import Table

    con = Console(highlight=False)
    ev = det.events
    con.print(f"[bold]{', '.join(files)}[/bold]", soft_wrap=True)
    con.print(f"sensors used: {', '.join(det.sources)}")
    t = Table(header_style="bold")
    for c in ("bout", "kind", "start s", "end s", "IC L", "IC R", "FC L", "FC R", "steps/min"):
        t.add_column(c, justify="left" if c in ("kind",) else "right")
    for i, b in enumerate(det.bouts.itertuples(index=False)):
        m = (ev["t"] >= b.start - 0.5) & (ev["t"] <= b.end + 0.5)
        e = ev[m]
        n = {(k, sd): int(((e["kind"] == k) & (e["side"] == sd)).sum())
             for k in ("IC", "FC") for sd in ("L", "R")}
        ics = e.loc[e["kind"] == "IC", "t"].to_numpy()
        cad = 60 * (len(ics) - 1) / (ics[-1] - ics[0]) if len(ics) > 2 else float("nan")
        t.add_row(str(i + 1), str(b.kind), f"{b.start:.2f}", f"{b.end:.2f}",
                  str(n["IC", "L"]), str(n["IC", "R"]), str(n["FC", "L"]), str(n["FC", "R"]),
                  f"{cad:.0f}")
    con.print(t)
    n_ic = int((ev["kind"] == "IC").sum())
    n_fc = int((ev["kind"] == "FC").sum())
    con.print(f"{n_ic} initial and {n_fc} final contacts in {len(det.bouts)} bout(s)"
              + ("" if json_out else "; --json - prints them all"))
    for note in det.notes:
        con.print(f"[yellow]note:[/yellow] {note}", soft_wrap=True)


@click.command()
@click.argument("files", nargs=-1, metavar="[FILE...]")
@click.option("--json", "json_out", metavar="PATH|-",
              help="Write the machine-readable report (schema gait-report/1; '-': stdout).")
@click.option("--html", "html_out", metavar="PATH", help="Write a self-contained HTML page.")
@click.option("--quiet", "-q", is_flag=True, help="No terminal report.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the bootstrap confidence intervals.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
              help="History database (default: $GAIT_HISTORY_DB, else the user data folder).")
@click.option("--no-history", is_flag=True, help="Do not store this walk in the history.")
@click.option("--date", "walk_date", metavar="ISO",
              help="When the walk was, e.g. 2025-03-14 (default: the recording's start time, "
                   "else the files' modification time).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help="Processes analysing a recording of an hour or more in 10-minute chunks, "
                   "this one included (default: the CPUs, at most 4; 1: no worker process).")
@reader_options
def report(files: tuple[str, ...], json_out: str | None, html_out: str | None, quiet: bool,
           seed: int, db: Path | None, no_history: bool, walk_date: str | None,
           jobs: int | None, **kw: Any) -> None:
    """Left/right symmetry report: per-side stance, step, impact and pelvic motion, symmetry
    indices with 95 % confidence intervals and a weight-shift verdict.

    Several FILEs are sensors of one walk (PLACEMENT=PATH). With no FILE, the bundled demo
    recording (a walk with a weight shift to the left) is analysed. Every analysed FILE is
    stored in the walk history ('gait history'), once per content.
    """
    from gait.cli.demo import demo_recording
    from gait.history import parse_when

    when = parse_when(walk_date)  # a bad date fails before the analysis
    ropts = read_opts(kw)
    if files:
        source: Any = list(files)
        label = ", ".join(parse_file_arg(f)[1] for f in files)
    else:
        source, label = demo_recording()
    result = _analyse(source, ropts, seed, label, files, jobs,
                      progress=None if quiet else _progress)
    sources = result.sources
    doc = result.doc
    walk_id = None
    if files and not no_history:
        from gait.history import source_files, store

        walk_id = store(doc, source_files(sources), db, when)
    if json_out:
        write_json(json_out, doc)
    if html_out:
        from gait.report.html import render_html

        write_out(html_out, render_html(doc))
    if not quiet and json_out != "-":
        from rich.console import Console

        from gait.report.text import render_text

        con = Console(highlight=False)
        render_text(doc, con)
        for dest, what in ((json_out, "JSON"), (html_out, "HTML")):
            if dest and dest != "-":
                con.print(f"{what} written to {dest}")
        if walk_id is not None:
            from gait.history import resolve_db

            con.print(f"Stored in the history as walk {walk_id} ({resolve_db(db)}); "
                      "'gait history' shows the trend.", soft_wrap=True)


@contextmanager
def _progress(plan: Any) -> Iterator[Callable[[], None] | None]:
    """A progress bar on stderr (a terminal) while a recording of more than 10 minutes (or of a
    length not known before loading) is analysed: chunks measured out of ``plan.n_chunks``, or
    a spinner for a recording analysed in one piece. Yields the bar's ``tick()``."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    duration = plan.duration_s
    if not sys.stderr.isatty() or (duration is not None and duration <= 600):
        yield None
        return
    n_chunks = plan.n_chunks if plan.n_chunks > 1 else None
    columns = [SpinnerColumn(), TextColumn("{task.description}")]
    if n_chunks:
        columns += [BarColumn(bar_width=20), MofNCompleteColumn(), TimeRemainingColumn()]
    columns.append(TimeElapsedColumn())
    what = "analysing" + (f" {fmt_hours(duration)}" if duration is not None else "")
    with Progress(*columns, console=Console(stderr=True), transient=True) as prog:
        task = prog.add_task(what + (" in 10-min chunks" if n_chunks else ""), total=n_chunks)
        yield lambda: prog.advance(task)


def _analyse(source: Any, ropts: dict[str, Any], seed: int, label: str,
             files: tuple[str, ...], jobs: int | None = None,
             progress: Callable[[Any], Any] | None = None) -> Any:
    """:func:`gait.analysis.pipeline.analyse` of the FILEs (or the demo recording), its errors as
    one-line input errors, the notes of a ``--mount`` over a recording's own on stderr."""
    from gait.analysis.pipeline import analyse
    from gait.mount import MountError

    ropts = dict(ropts)
    mounts = ropts.pop("mounts", ())
    notes: list[str] = []
    try:
        result = analyse(source, jobs=jobs, seed=seed, file=label, mounts=mounts, notes=notes,
                         progress=progress, **{k: v for k, v in ropts.items() if v})
    except GaitInputError:
        raise
    except MountError as exc:
        raise GaitInputError(None, str(exc)) from None
    except ValueError as exc:
        raise GaitInputError(files[0] if files else label, str(exc), where="placement") \
            from None
    for n in notes:  # a command-line --mount over the recording's own
        click.echo(f"note: {n}", err=True)
    return result


COMMANDS = [info, events, report]
