"""The Python API (mirrors the CLI): ``gait.load`` for now."""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from pathlib import Path

from gait.errors import GaitInputError
from gait.io.base import ReadOptions, check_placement
from gait.io.detect import load_path
from gait.recording import Recording

PathArg = str | PathLike[str]


def parse_file_arg(arg: str) -> tuple[str | None, str]:
    """``PLACEMENT=PATH`` -> (placement, path); a plain path -> (None, path)."""
    head, sep, tail = arg.partition("=")
    if sep and head and "/" not in head and "\\" not in head and not Path(arg).exists():
        return check_placement(head), tail
    return None, arg


def load(source: PathArg | Mapping[str, PathArg], **options: object) -> Recording:
    """Load a recording.

    ``source`` is a path (file, folder or zip of any supported format) or a mapping
    ``{placement: path}`` for several sensors of one walk (e.g. ``{"left_foot": "L.csv",
    "right_foot": "R.csv"}``). ``options`` are :class:`gait.io.base.ReadOptions` fields
    (``placement``, ``columns``, ``acc_unit``, ``gyr_unit``, ``time_unit``, ``delimiter``).
    """
    if isinstance(source, Mapping):
        return combine([load(p, **{**options, "placement": pl}) for pl, p in source.items()])
    opts = ReadOptions(**options)  # type: ignore[arg-type]
    if opts.placement is not None:
        check_placement(opts.placement)
    return load_path(source, opts)


def combine(recs: list[Recording]) -> Recording:
    """Several files of one walk as one Recording (streams on one time axis).

    Time zero is the earliest start when every file has an absolute start time (the streams
    are shifted by their start differences); otherwise the files are assumed to start together.
    """
    if len(recs) == 1:
        return recs[0]
    seen: set[str] = set()
    for r in recs:
        for s in r.streams:
            if s.placement in seen:
                raise GaitInputError(", ".join(r.sources[:1]),
                                     f"placement {s.placement!r} given twice",
                                     expected="one file per placement (PLACEMENT=PATH)")
            seen.add(s.placement)
    starts = [r.start_time_utc for r in recs]
    warnings = [w for r in recs for w in r.warnings]
    if all(starts):
        t0 = min(starts)  # type: ignore[type-var]
        for r, st in zip(recs, starts, strict=True):
            off = (st - t0).total_seconds()  # type: ignore[operator]
            for s in r.streams:
                s.start_s += off
    else:
        warnings.append("files have no common clock: assumed to start at the same moment")
    fmts = sorted({r.source_format for r in recs})
    return Recording(
        streams=[s for r in recs for s in r.streams],
        source_format="+".join(fmts),
        app=" + ".join(sorted({r.app for r in recs})),
        platform=recs[0].platform if len({r.platform for r in recs}) == 1 else None,
        device=", ".join(sorted({r.device for r in recs if r.device})) or None,
        start_time_utc=min(starts) if all(starts) else None,  # type: ignore[type-var]
        sources=[p for r in recs for p in r.sources],
        warnings=warnings,
        meta={"files": [r.meta for r in recs]},
    )
