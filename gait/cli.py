"""The command line: a thin click layer over the Python API.

Bad input exits with status 2 and one line ``error: <file>: <where>: <what> (expected ...)``.
Set ``GAIT_DEBUG=1`` to see tracebacks of internal errors.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from gait.api import load, parse_file_arg
from gait.errors import GaitInputError
from gait.io.base import ACC_UNITS, GYR_UNITS, TIME_UNITS
from gait.recording import PLACEMENTS, describe
from gait.version import __version__

FORMATS = [
    ("phyphox", "Android, iOS", "CSV (comma/semicolon/tab, decimal comma), zip with meta/",
     "Acceleration with g, Linear acceleration, Gyroscope, simple multi-sensor experiments"),
    ("Sensor Logger", "Android, iOS", "zip or folder of CSVs + Metadata.csv (schema v2, v3)",
     "Accelerometer + Gravity (or TotalAcceleration), Gyroscope; iOS signs, standardisation"),
    ("Physics Toolbox Sensor Suite", "Android, iOS", "CSV (all header variants)",
     "g-force, linear acceleration, gyroscope; wall-clock or relative time"),
    ("SensorLog", "iOS, watchOS", "CSV or zip", "accelerometer (G), gyro, motion*"),
    ("MATLAB Mobile", "Android, iOS", ".mat (timetables)", "Acceleration, AngularVelocity"),
    ("AndroSensor", "Android", "CSV (, or ;)", "accelerometer, gravity, linear acc., gyroscope"),
    ("MbientLab MetaBase", "wearable", "CSV per sensor", "accelerometer (g), gyroscope (deg/s)"),
    ("generic CSV", "any", "time_s,ax,ay,az[,gx,gy,gz]",
     "m/s^2, rad/s, s by default; --columns, --acc-unit, --gyr-unit, --time-unit"),
    ("gait recording", "gait", "NAME.gait.json + one CSV per sensor",
     "written by gait simulate and gait record"),
]


def _parse_columns(value: str | None) -> dict[str, str]:
    if not value:
        return {}
    out = {}
    for part in value.split(","):
        k, sep, v = part.partition("=")
        k = k.strip()
        if not sep or k not in ("time", "ax", "ay", "az", "gx", "gy", "gz") or not v.strip():
            raise click.BadParameter(
                f"{part!r} (expected NAME=COLUMN with NAME one of time,ax,ay,az,gx,gy,gz)",
                param_hint="--columns")
        out[k] = v.strip()
    return out


def reader_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Options that tell the importers what a file cannot tell them."""
    opts = [
        click.option("--placement", type=click.Choice(PLACEMENTS),
                     help="Where the sensor was worn (or write FILE as PLACEMENT=PATH)."),
        click.option("--columns", metavar="NAME=COL,...",
                     help="Generic CSV: map time,ax,ay,az,gx,gy,gz to the file's columns."),
        click.option("--acc-unit", type=click.Choice(sorted(ACC_UNITS)),
                     help="Generic CSV: acceleration unit (default m/s2)."),
        click.option("--gyr-unit", type=click.Choice(sorted(GYR_UNITS)),
                     help="Generic CSV: angular-rate unit (default rad/s)."),
        click.option("--time-unit", type=click.Choice(sorted(TIME_UNITS)),
                     help="Generic CSV: time unit (default s)."),
        click.option("--delimiter", help="Generic CSV: field separator (default: sniffed)."),
        click.option("--mount", "mounts", multiple=True, metavar="PLACEMENT=SPEC",
                     help="How the sensor was worn, e.g. lower_back=screen-out,top-up or "
                          "lower_back=x-up,z-forward: left/right from geometry, checked "
                          "against gravity (README, 'Mounting'). Repeatable."),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def _read_opts(kw: dict[str, Any]) -> dict[str, Any]:
    return {
        "placement": kw.pop("placement", None),
        "columns": _parse_columns(kw.pop("columns", None)),
        "acc_unit": kw.pop("acc_unit", None),
        "gyr_unit": kw.pop("gyr_unit", None),
        "time_unit": kw.pop("time_unit", None),
        "delimiter": kw.pop("delimiter", None),
        "mounts": _parse_mounts(kw.pop("mounts", ())),
    }


def _parse_mounts(values: tuple[str, ...]) -> list[Any]:
    """``--mount`` values -> :class:`gait.mount.Mount` list (one-line error, exit 2)."""
    from gait.mount import MountError, parse_mount_arg

    try:
        return [parse_mount_arg(v) for v in values]
    except MountError as exc:
        raise GaitInputError(None, str(exc)) from None


def _load_walk(files: tuple[str, ...], ropts: dict[str, Any]):
    """Several files of one walk as one Recording."""
    from gait.api import combine
    from gait.mount import MountError, apply_mounts

    ropts = dict(ropts)
    mounts = ropts.pop("mounts", [])
    recs = [_load_arg(a, ropts) for a in files]
    rec = combine(recs)
    try:
        notes = apply_mounts(rec, mounts, _source_of(files, mounts))
    except MountError as exc:
        raise GaitInputError(None, str(exc)) from None
    for n in notes:  # a command-line --mount over the recording's own
        click.echo(f"note: {n}", err=True)
    return rec


def _source_of(files: tuple[str, ...], mounts: list[Any]) -> str:
    """The file of the (first) mounted placement, for the gravity-check message."""
    for m in mounts:
        for a in files:
            placement, path = parse_file_arg(a)
            if placement in (None, m.placement):
                return path
    return files[0] if files else ""


def _write_out(dest: str, text: str | Callable[[Any], None]) -> None:
    """Write ``text`` plus a newline to a file, or to stdout for '-'; ``text`` may also be a
    writer ``f(fh)`` that writes the text piece by piece."""
    if dest == "-":
        click.echo(text if isinstance(text, str) else _collect(text))
        return
    try:
        with open(dest, "w", encoding="utf-8") as fh:
            if isinstance(text, str):
                fh.write(text)
            else:
                text(fh)
            fh.write("\n")
    except OSError as exc:
        raise GaitInputError(dest, f"cannot write ({exc.strerror})",
                             expected="a writable path") from None


def _collect(writer: Callable[[Any], None]) -> str:
    import io

    buf = io.StringIO()
    writer(buf)
    return buf.getvalue()


def _write_json(dest: str, doc: dict[str, Any]) -> None:
    """The report document as JSON, written to a file piece by piece (or to stdout for '-')."""
    from gait.report.jsonout import dump

    _write_out(dest, lambda fh: dump(doc, fh))


def _load_arg(arg: str, ropts: dict[str, Any]):
    placement, path = parse_file_arg(arg)
    o = dict(ropts)
    o.pop("mounts", None)  # applied to the combined recording (_load_walk)
    if placement:
        o["placement"] = placement
    return load(path, **o)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gait")
def cli() -> None:
    """gait: left/right imbalance in walking and running from IMU recordings.

    A measuring tool, not a diagnosis.
    """


@cli.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--json", "json_out", is_flag=True, help="Print JSON (one object per file).")
@reader_options
def info(files: tuple[str, ...], json_out: bool, **kw: Any) -> None:
    """Format, app, platform, sensors, sample rate, duration, gaps and warnings of recordings.

    FILE is a file, folder or zip of any supported format, or PLACEMENT=PATH.
    """
    ropts = _read_opts(kw)
    docs = []
    for arg in files:
        rec = _load_arg(arg, ropts)
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


@cli.command()
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

    rec = _load_walk(files, _read_opts(kw))
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
        _write_out(json_out, json.dumps(doc, indent=1, allow_nan=False))
        if json_out == "-":
            return
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


@cli.command()
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
              help="Worker processes for a recording of an hour or more, analysed in 10-minute "
                   "chunks (default: the CPUs, at most 4; 1: none).")
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
    from gait.demo import demo_recording
    from gait.history import parse_when

    when = parse_when(walk_date)  # a bad date fails before the analysis
    con = Console(highlight=False, stderr=json_out == "-")
    ropts = _read_opts(kw)
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
        _write_json(json_out, doc)
    if html_out:
        from gait.report.html import render_html

        _write_out(html_out, render_html(doc))
    if not quiet and json_out != "-":
        from gait.report.text import render_text

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


def fmt_hours(seconds: float) -> str:
    """``24 h 00 min`` or ``45 min`` of data."""
    m = round(seconds / 60)
    return f"{m // 60} h {m % 60:02d} min" if m >= 60 else f"{m} min"


def _analyse(source: Any, ropts: dict[str, Any], seed: int, label: str,
             files: tuple[str, ...], jobs: int | None = None,
             progress: Callable[[Any], Any] | None = None) -> Any:
    """:func:`gait.pipeline.analyse` of the FILEs (or the demo recording), its errors as
    one-line input errors, the notes of a ``--mount`` over a recording's own on stderr."""
    from gait.mount import MountError
    from gait.pipeline import analyse

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


@cli.command()
def guide() -> None:
    """How to record a walk: app settings, where the sensor goes, the side check, standing
    still, walking two minutes, exporting."""
    from gait.guide import render_guide

    render_guide(Console(highlight=False))


@cli.command()
def formats() -> None:
    """List the supported input formats."""
    con = Console()
    t = Table(header_style="bold")
    for c in ("format", "platforms", "files", "sensors / notes"):
        t.add_column(c)
    for row in FORMATS:
        t.add_row(*row)
    con.print(t)


def _floats(value: str, n_min: int, n_max: int, opt: str) -> tuple[float, ...]:
    try:
        parts = tuple(float(x) for x in value.split(":"))
    except ValueError:
        parts = ()
    if not n_min <= len(parts) <= n_max:
        raise click.BadParameter(f"{value!r} (expected {n_min} to {n_max} numbers joined by ':')",
                                 param_hint=opt)
    return parts


SIM_PLACEMENTS = ("lower_back", "left_foot", "right_foot", "left_shank", "right_shank",
                  "left_pocket", "right_pocket", "pocket")


@cli.command()
@click.argument("out", metavar="OUT")
@click.option("--duration", type=click.FloatRange(min=5), default=60.0, show_default=True,
              help="Length in seconds (a 24-hour file is streamed in bounded memory).")
@click.option("--gait", "gait_kind", type=click.Choice(["walk", "run"]), default="walk",
              show_default=True)
@click.option("--placement", "placements", multiple=True, type=click.Choice(SIM_PLACEMENTS),
              help="Sensor placement; repeat for several (default lower_back).")
@click.option("--cadence", type=click.FloatRange(min=20, max=260), help="Steps per minute.")
@click.option("--speed", type=click.FloatRange(min=0.2, max=8), help="Speed in m/s.")
@click.option("--pattern", type=click.Choice(["normal", "hemiparetic", "shuffling"]),
              default="normal", show_default=True,
              help="Gait pattern (walking): hemiparetic (stroke) or shuffling (Parkinsonian).")
@click.option("--affected-side", type=click.Choice(["left", "right"]), default="left",
              show_default=True,
              help="Paretic (hemiparetic) or more affected (shuffling) side.")
@click.option("--severity", default="moderate", show_default=True,
              help="Pattern severity: mild, moderate, severe or a number 0..1.")
@click.option("--hesitations", type=click.FloatRange(min=0, max=20), default=0.0,
              show_default=True, help="Brief stops (hesitations) per minute of walking.")
@click.option("--stance-asym", type=float, default=None,
              help="Stance-time symmetry index in % (positive: left longer) [default: 0, or "
                   "the pattern's].")
@click.option("--step-asym", type=float, default=None,
              help="Step-time symmetry index in % (positive: left longer) [default: 0, or the "
                   "pattern's].")
@click.option("--impact-asym", type=float, default=None,
              help="Heel-strike impact symmetry index in % (positive: left harder) [default: "
                   "0, or the pattern's].")
@click.option("--pelvic-drop-asym", type=float, default=None,
              help="Pelvic drop on the left leg minus on the right leg, degrees [default: 0].")
@click.option("--variability", type=click.FloatRange(min=0, max=20), default=None,
              help="Step-to-step coefficient of variation, % [default: 2, or the pattern's].")
@click.option("--noise", type=click.FloatRange(min=0), default=0.02, show_default=True,
              help="Accelerometer white noise SD, m/s^2 (gyroscope: 0.15 x this, rad/s).")
@click.option("--rate", "fs", type=click.FloatRange(min=20, max=2000), default=100.0,
              show_default=True, help="Sample rate, Hz.")
@click.option("--orientation", default=None,
              help="Sensor mounting: 'random' or Euler angles RX:RY:RZ in degrees.")
@click.option("--turn", "turns", multiple=True, metavar="START:ANGLE[:DUR]",
              help="A turn at START s by ANGLE deg (positive left); repeatable.")
@click.option("--pause", "pauses", multiple=True, metavar="START:DUR",
              help="Stand still from START s for DUR s; repeatable.")
@click.option("--clock-drift", type=float, default=0.0, show_default=True,
              help="Clock drift (ppm) of every sensor after the first.")
@click.option("--no-gyro", is_flag=True, help="Accelerometer only.")
@click.option("--side-check", type=click.Choice(["left", "right"]), default=None,
              help="Add the side-check gesture (three taps on that hip; the documented one is "
                   "left) in 6 s of standing before the walk (lower-back sensor).")
@click.option("--seed", type=int, default=0, show_default=True)
def simulate(out: str, duration: float, gait_kind: str, placements: tuple[str, ...],
             cadence: float | None, speed: float | None, pattern: str, affected_side: str,
             severity: str, hesitations: float, stance_asym: float | None, step_asym: float | None,
             impact_asym: float | None, pelvic_drop_asym: float | None,
             variability: float | None, noise: float, fs: float, orientation: str | None,
             turns: tuple[str, ...], pauses: tuple[str, ...], clock_drift: float, no_gyro: bool,
             side_check: str | None, seed: int) -> None:
    """Write a synthetic walk or run with its ground truth.

    OUT names the recording: OUT.gait.json (manifest), OUT.<placement>.csv per sensor and
    OUT.truth.json (every initial and final contact per side, asymmetries as asked; with
    --pattern also the pattern, affected side and severity).
    """
    from gait.demo import simulate_to_file

    orient: object = None
    if orientation:
        orient = "random" if orientation == "random" else _floats(orientation, 3, 3,
                                                                  "--orientation")
    try:
        manifest, truth = simulate_to_file(
            out, duration_s=duration, placements=placements or ("lower_back",), gait=gait_kind,
            cadence_spm=cadence, speed_mps=speed, stance_asym_pct=stance_asym,
            step_asym_pct=step_asym, impact_asym_pct=impact_asym,
            pelvic_drop_asym_deg=pelvic_drop_asym, variability_pct=variability,
            noise=(noise, 0.15 * noise), fs=fs, orientation=orient,
            turns=[_floats(t, 2, 3, "--turn") for t in turns],
            pauses=[_floats(p, 2, 2, "--pause") for p in pauses],
            clock_drift_ppm=clock_drift, with_gyro=not no_gyro, seed=seed, pattern=pattern,
            affected_side=affected_side, severity=severity, hesitations_per_min=hesitations,
            **({"side_check": side_check, "stand_s": 6.0} if side_check else {}))
    except ValueError as exc:
        raise GaitInputError(None, str(exc).splitlines()[0], where="simulate parameters") \
            from None
    doc = json.loads(truth.read_text())
    summ = doc.get("summary", {})
    click.echo(f"wrote {manifest} and {truth}")
    n_ic = summ.get("n_initial_contacts", {})
    if pattern != "normal":
        pat = doc.get("params", {}).get("pattern", {})
        click.echo(f"  {pattern}, affected side {affected_side}, severity "
                   f"{pat.get('severity', float('nan')):g}; cadence "
                   f"{summ.get('cadence_spm') or float('nan'):.1f} steps/min, step SI "
                   f"{summ.get('step_symmetry_index_pct') or float('nan'):.2f} %")
    click.echo(f"  {gait_kind}, {duration:g} s at {fs:g} Hz, sensors: "
               f"{', '.join(placements or ('lower_back',))}; ICs L/R: "
               f"{n_ic.get('L', '?')}/{n_ic.get('R', '?')}; stance SI "
               f"{summ.get('stance_symmetry_index_pct', float('nan')):.2f} %")


def _register_optional_commands() -> None:
    """Commands that live with their feature's package (BLE recording, history, batch)."""
    import importlib

    for module in ("gait.ble.commands", "gait.history_commands"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name is not None and module.startswith(exc.name):
                continue  # the feature is not built yet
            raise
        for command in mod.COMMANDS:
            cli.add_command(command)


_register_optional_commands()


def main(argv: list[str] | None = None) -> None:
    """Entry point: one-line errors, exit status 2 for bad input."""
    try:
        cli.main(args=argv, prog_name="gait", standalone_mode=False)
    except GaitInputError as exc:
        click.echo(f"error: {exc.one_line()}", err=True)
        sys.exit(2)
    except click.exceptions.Abort as exc:
        from gait.workers import Terminated

        term = isinstance(exc.__cause__, Terminated)
        click.echo("terminated" if term else "aborted", err=True)
        sys.exit(143 if term else 130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:
        if os.environ.get("GAIT_DEBUG"):
            raise
        click.echo(f"error: internal error: {type(exc).__name__}: {exc} "
                   "(please report it; GAIT_DEBUG=1 shows details)", err=True)
        sys.exit(1)
    sys.exit(0)


def _entry() -> None:  # pragma: no cover
    main()


if __name__ == "__main__":  # pragma: no cover
    main()

