"""AndroSensor (Android): one CSV with every sensor on a row at a configurable interval.

Header (possibly after one title line): ``ACCELEROMETER X (m/s²),...,GRAVITY X (m/s²),...,
LINEAR ACCELERATION X (m/s²),...,GYROSCOPE X (rad/s),...,Time since start in ms,
YYYY-MO-DD HH-MI-SS_SSS`` with last-field values like ``2018-11-18 16:38:09:894`` (local time,
no zone). Comma or semicolon delimited (semicolon files may use a decimal comma), CRLF, UTF-8 or
cp1252; empty cells and ``NaN`` occur. Values are Android SI units: ``ACCELEROMETER`` includes
gravity; without it, ``LINEAR ACCELERATION + GRAVITY`` gives the total acceleration.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from gait.errors import GaitInputError
from gait.io.base import (
    Container,
    ReadOptions,
    build_stream,
    check_placement,
    check_time_span,
    drop_partial_last_line,
    input_errors,
    low_rate_warning,
)
from gait.io.table import decode, read_table, sniff_decimal_comma, sniff_delimiter, split_header
from gait.recording import G, Recording

NAME = "androsensor"
APP = "AndroSensor"
_AXIS = {
    "acc": re.compile(r"^ACCELEROMETER\s+([XYZ])\b\s*(?:\((.*)\))?", re.IGNORECASE),
    "grav": re.compile(r"^GRAVITY\s+([XYZ])\b\s*(?:\((.*)\))?", re.IGNORECASE),
    "lin": re.compile(r"^LINEAR\s+ACCELERATION\s+([XYZ])\b\s*(?:\((.*)\))?", re.IGNORECASE),
    "gyr": re.compile(r"^GYROSCOPE\s+([XYZ])\b\s*(?:\((.*)\))?", re.IGNORECASE),
}
_DATE_RE = r"^(\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{1,2}:\d{1,2})[:._,](\d{1,6})$"


def _header_index(text: str) -> int | None:
    """Index of the header line among the first three (None: not AndroSensor)."""
    for i, line in enumerate(text.splitlines()[:3]):
        u = line.upper()
        if "ACCELEROMETER X (M/S" in u or ("LINEAR ACCELERATION X (M/S" in u
                                           and "TIME SINCE START" in u):
            return i
    return None


def _unit_scale(kind: str, unit: str | None, path: str, col: str) -> float:
    u = (unit or "").strip().lower().replace(" ", "")
    if kind == "gyr":
        if u in ("", "rad/s"):
            return 1.0
        if u in ("°/s", "deg/s", "dps"):
            return float(np.pi / 180.0)
    else:
        if u == "" or u.startswith("m/s"):
            return 1.0
        if u == "g":
            return G
    raise GaitInputError(path, f"unknown unit {unit!r} of column {col!r}",
                         where="header", expected="m/s² for acceleration, rad/s for gyroscope")


def _local_times(cells: np.ndarray) -> pd.Series:
    s = pd.Series(cells, dtype=object).astype(str).str.strip()
    s = s.str.replace(_DATE_RE, r"\1.\2", regex=True)
    return pd.to_datetime(s, format="%Y-%m-%d %H:%M:%S.%f", errors="coerce")


class AndroSensorReader:
    """AndroSensor CSV."""

    name = NAME

    def sniff(self, c: Container) -> bool:
        if c.is_zip or c.is_dir or len(c.names) != 1:
            return False
        return _header_index(c.head(c.names[0], 16384)) is not None

    def read(self, c: Container, opts: ReadOptions) -> Recording:
        with input_errors(str(c.path), "an AndroSensor CSV"):
            return _read(c, opts)


def _read(c: Container, opts: ReadOptions) -> Recording:
    warnings: list[str] = []
    member = c.names[0]
    path = c.member_path(member)
    raw = c.read_bytes(member)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise GaitInputError(path, "the file is empty", expected="a header and data rows")
    encoding = "utf-8"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raw = raw.decode("cp1252", errors="replace").encode("utf-8")
        encoding = "cp1252"
    head = decode(raw[:65536])
    hi = _header_index(head)
    if hi is None:
        raise GaitInputError(path, "no AndroSensor header in the first 3 lines",
                             where="line 1", expected="a header with 'ACCELEROMETER X (m/s²)'")
    lines = head.splitlines()
    delim = opts.delimiter or sniff_delimiter(lines[hi])
    header = split_header(lines[hi], delim)
    dec_comma = sniff_decimal_comma(lines[hi + 1: hi + 20], delim)
    raw = drop_partial_last_line(raw, delim, len(header), path, warnings)

    groups: dict[str, dict[str, str]] = {k: {} for k in _AXIS}
    scales: dict[str, float] = {}
    t_ms = date = None
    for h in header:
        for k, rx in _AXIS.items():
            m = rx.match(h)
            if m and m.group(1).upper() not in groups[k]:
                groups[k][m.group(1).upper()] = h
                scales[h] = _unit_scale(k, m.group(2), path, h)
                break
        else:
            if t_ms is None and h.lower().startswith("time since start"):
                t_ms = h
            elif date is None and h.upper().startswith("YYYY-MO-DD"):
                date = h

    def triple(k: str) -> list[str] | None:
        g = groups[k]
        return [g[a] for a in "XYZ"] if all(a in g for a in "XYZ") else None

    acc, grav, lin, gyr = triple("acc"), triple("grav"), triple("lin"), triple("gyr")
    info: dict[str, Any] = {}
    acc_kind = "total"
    if acc is not None:
        parts = [acc]
        info["acc_source"] = "ACCELEROMETER (includes gravity)"
    elif lin is not None and grav is not None:
        parts = [lin, grav]
        info["acc_source"] = ("LINEAR ACCELERATION + GRAVITY (no ACCELEROMETER columns; their "
                              "sum is the total acceleration)")
    elif lin is not None:
        parts = [lin]
        acc_kind = "linear"
        info["acc_source"] = "LINEAR ACCELERATION (gravity removed)"
        warnings.append(f"{path}: only gravity-removed (linear) acceleration; impact and gravity "
                        "alignment need gravity, so results will be less reliable")
    else:
        have = sorted(groups["acc"]) or sorted(groups["lin"])
        miss = next(a for a in "XYZ" if a not in have)
        raise GaitInputError(path, f"column 'ACCELEROMETER {miss}' is missing",
                             where=f"line {hi + 1} (header)",
                             expected="ACCELEROMETER X, Y, Z (m/s²) columns")
    if t_ms is None and date is None:
        raise GaitInputError(path, "column 'Time since start in ms' is missing",
                             where=f"line {hi + 1} (header)",
                             expected="'Time since start in ms' or 'YYYY-MO-DD HH-MI-SS_SSS'")
    numeric = [x for p in parts for x in p] + (gyr or []) + ([t_ms] if t_ms else [])
    text = [date] if date else []
    tab = read_table(raw, path=path, delimiter=delim, decimal_comma=dec_comma,
                     skip_rows=hi, numeric=numeric, text=text)
    n = len(tab[numeric[0]])
    first = hi + 2  # line number of the first data row
    if n == 0:
        raise GaitInputError(path, "no data rows", where=f"line {first}",
                             expected="samples under the header")
    local = _local_times(tab[date]) if date else None
    if t_ms is not None:
        t = tab[t_ms] * 1e-3
        t_name = t_ms
    else:
        assert local is not None and date is not None
        nat = local.isna().to_numpy()
        cells = tab[date]
        nonempty = np.array([bool(str(x).strip()) and str(x).strip().lower() != "nan"
                             for x in cells])
        bad = nat & nonempty
        if bad.any():
            i = int(np.argmax(bad))
            raise GaitInputError(path, f"time {str(cells[i])[:40]!r} not understood",
                                 where=f"line {first + i}, column {date!r}",
                                 expected="YYYY-MM-DD HH:MM:SS:mmm")
        ns = local.to_numpy(dtype="datetime64[ns]").astype(np.int64)
        ok = ~nat
        if not ok.any():
            raise GaitInputError(path, "no valid time", where=f"column {date!r}",
                                 expected="YYYY-MM-DD HH:MM:SS:mmm")
        t = np.full(n, np.nan)
        t[ok] = (ns[ok] - ns[ok].min()).astype(np.float64) * 1e-9
        t_name = date
        warnings.append(f"{path}: no 'Time since start in ms'; the wall-clock column was used "
                        "(millisecond resolution)")
    check_time_span(t, path, first, what=t_name)
    a = sum(np.column_stack([tab[x] * scales[x] for x in p]) for p in parts)
    good = np.isfinite(t) & np.all(np.isfinite(a), axis=1)
    if good.sum() < 2:
        raise GaitInputError(path, f"only {int(good.sum())} row(s) with a valid time and "
                             "acceleration", expected="at least 2 samples")
    t_zero = float(np.min(t[good]))
    gv = np.column_stack([tab[x] * scales[x] for x in gyr]) if gyr else None
    if gv is not None and not np.isfinite(gv).all(axis=1).any():
        warnings.append(f"{path}: the GYROSCOPE columns are empty; gyroscope ignored")
        gv = None
    placement = check_placement(opts.placement)
    stream = build_stream(path, t, a, placement=placement, acc_kind=acc_kind,
                          t_gyr=t if gv is not None else None, gyr=gv,
                          name=c.path.stem, t_zero=t_zero, warnings=warnings)
    w = low_rate_warning(stream.sample_rate_hz, path)
    if w:
        warnings.append(w)
    if local is not None:
        ok_l = good & ~local.isna().to_numpy()
        if ok_l.any():
            i0 = int(np.argmax(ok_l))
            d0: datetime = local.iloc[i0].to_pydatetime()
            if np.isfinite(t[i0]):
                d0 = d0 - timedelta(seconds=float(t[i0] - t_zero))
            info["start_time_local"] = d0.isoformat(timespec="milliseconds")
            info["start_time_note"] = "local wall-clock time; the file has no time zone"
    meta: dict[str, Any] = {
        "delimiter": delim,
        "decimal_comma": dec_comma,
        "encoding": encoding,
        "header_line": hi + 1,
        "n_columns": len(header),
        **info,
    }
    if gv is not None:
        meta["gyr_source"] = "GYROSCOPE (rad/s)"
    return Recording(streams=[stream], source_format=NAME, app=APP, platform="android",
                     device=None, start_time_utc=None, sources=[path], warnings=warnings,
                     meta=meta)


READER = AndroSensorReader()
