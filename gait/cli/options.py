"""What the commands share: the reader options (``--placement``, ``--columns``, units,
``--mount``), loading the files of one walk, and writing text or JSON to a file or stdout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from gait.api import load, parse_file_arg
from gait.errors import GaitInputError
from gait.io.base import ACC_UNITS, GYR_UNITS, TIME_UNITS
from gait.recording import PLACEMENTS


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


def read_opts(kw: dict[str, Any]) -> dict[str, Any]:
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


def load_walk(files: tuple[str, ...], ropts: dict[str, Any]):
    """Several files of one walk as one Recording."""
    from gait.api import combine
    from gait.mount import MountError, apply_mounts

    ropts = dict(ropts)
    mounts = ropts.pop("mounts", [])
    recs = [load_arg(a, ropts) for a in files]
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


def write_out(dest: str, text: str | Callable[[Any], None]) -> None:
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


def write_json(dest: str, doc: dict[str, Any]) -> None:
    """The report document as JSON, written to a file piece by piece (or to stdout for '-')."""
    from gait.report.jsonout import dump

    write_out(dest, lambda fh: dump(doc, fh))


def load_arg(arg: str, ropts: dict[str, Any]):
    placement, path = parse_file_arg(arg)
    o = dict(ropts)
    o.pop("mounts", None)  # applied to the combined recording (load_walk)
    if placement:
        o["placement"] = placement
    return load(path, **o)


def fmt_hours(seconds: float) -> str:
    """``24 h 00 min`` or ``45 min`` of data."""
    m = round(seconds / 60)
    return f"{m // 60} h {m % 60:02d} min" if m >= 60 else f"{m} min"
