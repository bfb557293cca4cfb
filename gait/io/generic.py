"""Generic CSV: ``time_s,ax,ay,az[,gx,gy,gz]`` in s, m/s^2 and rad/s by default.

Other column names and units are options (``ReadOptions.columns`` / ``acc_unit`` /
``gyr_unit`` / ``time_unit``). A sanity check compares the gravity magnitude at rest with the
declared unit: values in g (or mg) read as m/s^2, or m/s^2 declared as g, are converted with a
warning (:func:`gait.io.base.gravity_unit`, for every format).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gait.errors import GaitInputError
from gait.io.base import (
    ACC_UNITS,
    GYR_UNITS,
    TIME_UNITS,
    Container,
    ReadOptions,
    build_stream,
    check_placement,
    rest_stats,
)
from gait.io.table import read_table, sniff_decimal_comma, sniff_delimiter, split_header
from gait.recording import Recording

TIME_ALIASES = ("time_s", "time", "t", "timestamp", "time_ms", "t_s")
CANON = ("ax", "ay", "az", "gx", "gy", "gz")
TIME_UNIT_BY_NAME = {"time_ms": "ms", "time_s": "s", "t_s": "s"}


def map_columns(header: list[str], opts: ReadOptions) -> dict[str, str | None]:
    """Map canonical names (time, ax..gz) to the file's columns."""
    lower = {h.lower(): h for h in header}
    m: dict[str, str | None] = {}
    t = opts.columns.get("time")
    if t is None:
        t = next((lower[a] for a in TIME_ALIASES if a in lower), None)
    m["time"] = t
    for c in CANON:
        m[c] = opts.columns.get(c) or lower.get(c)
    return m


def looks_linear(acc: np.ndarray, rest_norm: float) -> bool:
    """True when gravity was removed: |a| ~ 0 at rest, or (no rest at all) |a| often near 0
    while the mean acceleration vector is far from 1 g."""
    if rest_norm < 2.0:
        return True
    mag = np.linalg.norm(acc, axis=1)
    mean_norm = float(np.linalg.norm(np.nanmean(acc, axis=0)))
    return bool(np.nanpercentile(mag, 1) < 1.5 and mean_norm < 5.0)


class GenericReader:
    name = "generic"

    def sniff(self, c: Container) -> bool:
        if c.is_zip or c.is_dir or len(c.names) != 1:
            return False
        try:
            line = c.first_line(c.names[0])
        except OSError:
            return False
        header = split_header(line, sniff_delimiter(line))
        m = map_columns(header, ReadOptions())
        # Claim files that are clearly meant as generic CSV, so that a missing axis column
        # gets a precise error instead of "unknown format".
        return m["time"] is not None and any(m[k] for k in ("ax", "ay", "az"))

    def read(self, c: Container, opts: ReadOptions) -> Recording:
        name = c.names[0]
        path = c.member_path(name)
        head = c.head(name)
        lines = head.splitlines()
        if not lines:
            raise GaitInputError(path, "the file is empty", expected="a header line")
        delim = opts.delimiter or sniff_delimiter(lines[0])
        header = split_header(lines[0], delim)
        m = map_columns(header, opts)
        missing = [k for k in ("time", "ax", "ay", "az") if not m[k]]
        if missing:
            want = opts.columns.get(missing[0], missing[0])
            raise GaitInputError(
                path, f"column {want!r} is missing", where="line 1 (header)",
                expected="a header time_s,ax,ay,az[,gx,gy,gz] or --columns to map other names")
        gyr_cols = [m[k] for k in ("gx", "gy", "gz")]
        has_gyr = all(gyr_cols)
        if any(gyr_cols) and not has_gyr:
            absent = next(k for k in ("gx", "gy", "gz") if not m[k])
            raise GaitInputError(path, f"column {absent!r} is missing", where="line 1 (header)",
                                 expected="all of gx,gy,gz or none")
        numeric = [m["time"], m["ax"], m["ay"], m["az"]] + (gyr_cols if has_gyr else [])
        warnings: list[str] = []
        cols = read_table(
            c.read_bytes(name), path=path, delimiter=delim,
            decimal_comma=sniff_decimal_comma(lines[1:20], delim), numeric=numeric,
            warnings=warnings)
        n = len(cols[m["time"]])
        if n == 0:
            raise GaitInputError(path, "no data rows after the header", expected="samples")
        if n == 1:
            raise GaitInputError(path, "only one sample", where="line 2",
                                 expected="at least 2 samples")
        t_unit = opts.time_unit or TIME_UNIT_BY_NAME.get(m["time"].lower(), "s")
        if t_unit not in TIME_UNITS:
            raise GaitInputError(path, f"unknown time unit {t_unit!r}",
                                 expected="/".join(TIME_UNITS))
        a_unit = opts.acc_unit or "m/s2"
        g_unit = opts.gyr_unit or "rad/s"
        if a_unit not in ACC_UNITS:
            raise GaitInputError(path, f"unknown acceleration unit {a_unit!r}",
                                 expected="/".join(ACC_UNITS))
        if g_unit not in GYR_UNITS:
            raise GaitInputError(path, f"unknown angular-rate unit {g_unit!r}",
                                 expected="/".join(GYR_UNITS))
        t = cols[m["time"]] * TIME_UNITS[t_unit]
        acc = np.column_stack([cols[m[k]] for k in ("ax", "ay", "az")]) * ACC_UNITS[a_unit]
        gyr = (np.column_stack([cols[m[k]] for k in ("gx", "gy", "gz")]) * GYR_UNITS[g_unit]
               if has_gyr else None)
        if np.isfinite(t).sum() < 2:
            raise GaitInputError(path, f"column {m['time']!r} has fewer than 2 valid times",
                                 expected="numeric times")
        placement = check_placement(opts.placement, "unknown")
        s = build_stream(path, t, acc, gyr=gyr, placement=placement, name=Path(path).stem,
                         warnings=warnings, t_zero=0.0 if np.nanmin(t) >= 0 else None)
        g, _ = rest_stats(s.acc, s.sample_rate_hz)
        kind_note = ""
        # a unit that gravity contradicts (g given as m/s^2, m/s^2 as g) was converted by
        # build_stream with a warning; what remains to tell is whether gravity is in it at all
        if np.isfinite(g) and looks_linear(s.acc, g):
            s.acc_kind = "linear"
            kind_note = "gravity is not in the acceleration (|a| at rest ~ 0)"
            warnings.append(f"{path}: gravity is not in the acceleration (|a| at rest "
                            f"{g:.2f} m/s^2): linear acceleration; impact and gravity "
                            "alignment need gravity")
        extra = [h for h in header if h not in numeric]
        meta = {"columns": {k: v for k, v in m.items() if v}, "units": {
            "time": t_unit, "acc": a_unit, "gyr": g_unit if has_gyr else None}}
        if extra:
            meta["ignored_columns"] = extra
        if kind_note:
            meta["acc_kind_reason"] = kind_note
        return Recording(streams=[s], source_format="generic", app="generic CSV",
                         sources=[path], warnings=warnings, meta=meta)


READER = GenericReader()
