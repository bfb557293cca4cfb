"""SensorLog (Bernd Thomas; iOS and watchOS): one CSV (bare or in a zip), one row per tick.

Header names carry their unit in brackets: ``loggingTime(txt)``, ``loggingSample(N)``,
``accelerometerTimestamp_sinceReboot(s)``, ``accelerometerAccelerationX(G)``,
``gyroTimestamp_sinceReboot(s)``, ``gyroRotationX(rad/s)``, ``motionUserAccelerationX(G)``,
``motionGravityX(G)``, ``motionRotationRateX(rad/s)``, ... The watchOS variant drops the
brackets (``loggingSample``, ``gyroRotationX``). The delimiter is selectable in the app
(``,`` or ``|`` and others).

Units and signs: the raw accelerometer is in G WITH gravity and keeps the CoreMotion (iOS)
signs, so canonical = -9.80665 * G. Without a raw accelerometer, motionUserAcceleration +
motionGravity (both G) give the same total acceleration. Gyroscope rad/s, same sign as Android.
Times: the per-sensor ``*Timestamp_sinceReboot`` (seconds) give dt; ``loggingTime`` (ISO 8601
with offset) gives the absolute start. Sentinels: -1 / -9999 / 0 mark an invalid timestamp;
-9999 is never a valid sensor value. (-1 is a valid acceleration, so it is kept there.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from gait.errors import GaitInputError
from gait.io.base import (
    Container,
    ReadOptions,
    build_stream,
    check_placement,
    check_time_span,
    drop_absurd,
    drop_partial_last_line,
    input_errors,
    low_rate_warning,
)
from gait.io.table import (
    decode,
    first_line,
    read_table,
    sniff_decimal_comma,
    sniff_delimiter,
    split_header,
)
from gait.recording import G, Recording

NAME = "sensorlog"
APP = "SensorLog (Bernd Thomas)"
SENTINEL_VALUE = -9999.0
_FIELD = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*$")
_ACC_UNITS = {"g": G, "": G, "m/s^2": 1.0, "m/s2": 1.0, "m/s²": 1.0}
_GYR_UNITS = {"rad/s": 1.0, "": 1.0, "deg/s": np.pi / 180.0, "°/s": np.pi / 180.0}


@dataclass
class _Col:
    name: str  # the header text, as in the file
    unit: str  # the bracketed unit ('' when unit-less)


def _columns(header: list[str]) -> dict[str, _Col]:
    """Base name (no unit) -> column."""
    out: dict[str, _Col] = {}
    for h in header:
        m = _FIELD.match(h)
        if m and m.group(1) not in out:
            out[m.group(1)] = _Col(h, (m.group(2) or "").strip())
    return out


def _is_sensorlog_header(line: str) -> bool:
    if "loggingTime" not in line or "loggingSample" not in line:
        return False
    cols = _columns(split_header(line, sniff_delimiter(line)))
    return "loggingTime" in cols and "loggingSample" in cols


def _candidates(c: Container) -> list[str]:
    out = []
    for n in c.names:
        if (c.is_zip or c.is_dir) and not n.lower().endswith((".csv", ".txt")):
            continue
        if _is_sensorlog_header(c.first_line(n)):
            out.append(n)
    return out


def _parse_logging_time(s: str) -> datetime | None:
    s = s.strip()
    try:
        d = datetime.fromisoformat(s)
    except ValueError:
        d = None
        for fmt in ("%Y-%m-%d %H:%M:%S.%f %z", "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S.%f%z"):
            try:
                d = datetime.strptime(s, fmt)
                break
            except ValueError:
                continue
    return d


def _triple(cols: dict[str, _Col], prefix: str) -> list[_Col] | None:
    got = [cols.get(prefix + a) for a in "XYZ"]
    return got if all(g is not None for g in got) else None  # type: ignore[return-value]


class SensorLogReader:
    """SensorLog CSV (bare, or the only SensorLog CSV in a zip or folder)."""

    name = NAME

    def sniff(self, c: Container) -> bool:
        if c.is_zip or c.is_dir:
            return bool(_candidates(c))
        return _is_sensorlog_header(c.first_line(c.names[0]))

    def read(self, c: Container, opts: ReadOptions) -> Recording:
        with input_errors(str(c.path), "a SensorLog CSV export"):
            return _read(c, opts)


def _read(c: Container, opts: ReadOptions) -> Recording:
    warnings: list[str] = []
    cands = _candidates(c) if (c.is_zip or c.is_dir) else [c.names[0]]
    if not cands:
        raise GaitInputError(c.path, "no SensorLog CSV found",
                             expected="a CSV whose header has loggingTime(txt), loggingSample(N)")
    if len(cands) > 1:
        names = ", ".join(repr(PurePosixPath(n).name) for n in cands[:5])
        raise GaitInputError(c.path, f"holds {len(cands)} SensorLog recordings ({names})",
                             expected="one recording: unzip it and give one CSV")
    member = cands[0]
    path = c.member_path(member)
    raw = c.read_bytes(member)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise GaitInputError(path, "the file is empty", expected="a header and data rows")
    head = decode(raw[:65536])
    hline = first_line(head)
    delim = opts.delimiter or sniff_delimiter(hline)
    header = split_header(hline, delim)
    cols = _columns(header)
    watch = "loggingSample" in cols and cols["loggingSample"].unit == ""
    raw = drop_partial_last_line(raw, delim, len(header), path, warnings)
    dec_comma = sniff_decimal_comma(head.splitlines()[1:20], delim)

    acc = _triple(cols, "accelerometerAcceleration")
    acc_ts = cols.get("accelerometerTimestamp_sinceReboot")
    ua = _triple(cols, "motionUserAcceleration")
    grav = _triple(cols, "motionGravity")
    mot_ts = cols.get("motionTimestamp_sinceReboot")
    gyr = _triple(cols, "gyroRotation")
    gyr_ts = cols.get("gyroTimestamp_sinceReboot")
    rr = _triple(cols, "motionRotationRate")
    log_t = cols.get("loggingTime")

    info: dict[str, Any] = {}
    acc_kind = "total"
    if acc is not None and acc_ts is not None:
        acc_cols, t_col, acc_parts = acc, acc_ts, [acc]
        info["acc_source"] = "accelerometerAcceleration (raw, includes gravity, G)"
    elif ua is not None and grav is not None and mot_ts is not None:
        acc_cols, t_col, acc_parts = ua + grav, mot_ts, [ua, grav]
        info["acc_source"] = ("motionUserAcceleration + motionGravity (no raw accelerometer; "
                              "their sum is the total acceleration)")
    elif ua is not None and mot_ts is not None:
        acc_cols, t_col, acc_parts = ua, mot_ts, [ua]
        acc_kind = "linear"
        info["acc_source"] = "motionUserAcceleration (gravity removed)"
        warnings.append(f"{path}: only gravity-removed (user) acceleration; impact and gravity "
                        "alignment need gravity, so results will be less reliable (log "
                        "the accelerometer or motion gravity too)")
    else:
        missing = ("accelerometerTimestamp_sinceReboot(s)" if acc is not None
                   else "accelerometerAccelerationX(G)")
        raise GaitInputError(path, f"column {missing!r} is missing", where="line 1 (header)",
                             expected="accelerometerTimestamp_sinceReboot(s) and "
                                      "accelerometerAccelerationX/Y/Z(G), or motion* columns")
    if gyr is not None and gyr_ts is not None:
        g_cols, g_t = gyr, gyr_ts
        info["gyr_source"] = "gyroRotation (raw, rad/s)"
    elif rr is not None and mot_ts is not None:
        g_cols, g_t = rr, mot_ts
        info["gyr_source"] = "motionRotationRate (bias-corrected, rad/s)"
    else:
        g_cols, g_t = None, None
    for col in acc_cols:
        if col.unit.lower() not in _ACC_UNITS:
            raise GaitInputError(path, f"unknown unit {col.unit!r} of {col.name!r}",
                                 where="line 1 (header)", expected="(G)")
    if g_cols is not None and any(x.unit.lower() not in _GYR_UNITS for x in g_cols):
        raise GaitInputError(path, f"unknown gyroscope unit {g_cols[0].unit!r}",
                             where="line 1 (header)", expected="(rad/s)")
    numeric = [x.name for x in acc_cols] + [t_col.name]
    if g_cols is not None and g_t is not None:
        numeric += [x.name for x in g_cols] + [g_t.name]
    numeric = list(dict.fromkeys(numeric))
    dev_col = cols.get("deviceID")
    text = [x.name for x in (log_t, dev_col) if x is not None]
    tab = read_table(raw, path=path, delimiter=delim, decimal_comma=dec_comma,
                     numeric=numeric, text=text)
    n = len(tab[t_col.name])
    if n == 0:
        raise GaitInputError(path, "no data rows", where="line 2",
                             expected="samples under the header")

    def times(col: _Col) -> np.ndarray:
        t = tab[col.name].copy()
        t[~(t > 0)] = np.nan  # -1 / -9999 / 0 sentinels: no valid sample
        return t

    def values(cs: list[_Col], units: dict[str, float]) -> np.ndarray:
        x = np.column_stack([tab[k.name] for k in cs]).astype(np.float64)
        x[x == SENTINEL_VALUE] = np.nan
        x = drop_absurd(x, path, ", ".join(k.name for k in cs), warnings)
        scale = np.array([units[k.unit.lower()] for k in cs])
        return x * scale

    t_acc = times(t_col)
    a = sum(values(p, _ACC_UNITS) for p in acc_parts)
    a = -a  # CoreMotion: every acceleration axis is inverted against Android
    if any(k.unit == "" for part in acc_parts for k in part):
        info["acc_unit"] = "G assumed (no unit in the header)"
    check_time_span(t_acc, path, 2, what=t_col.name)
    good = np.isfinite(t_acc) & np.all(np.isfinite(a), axis=1)
    if good.sum() < 2:
        raise GaitInputError(path, f"only {int(good.sum())} row(s) with a valid "
                             f"{t_col.name} and acceleration", expected="at least 2 samples")
    t_zero = float(np.nanmin(t_acc[good]))
    t_gyr = gv = None
    if g_cols is not None and g_t is not None:
        t_gyr = times(g_t)
        if np.isfinite(t_gyr).sum() >= 2:
            check_time_span(t_gyr, path, 2, what=g_t.name)
            gv = values(g_cols, _GYR_UNITS)
        else:
            warnings.append(f"{path}: no valid {g_t.name}; gyroscope ignored")
            t_gyr = None
    placement = check_placement(opts.placement)
    stream = build_stream(path, t_acc, a, placement=placement, acc_kind=acc_kind,
                          t_gyr=t_gyr, gyr=gv, name=PurePosixPath(member).stem,
                          t_zero=t_zero, warnings=warnings)
    w = low_rate_warning(stream.sample_rate_hz, path)
    if w:
        warnings.append(w)

    start = None
    device = None
    if log_t is not None:
        lt = tab[log_t.name]
        i0 = int(np.argmax(good))
        d = _parse_logging_time(str(lt[i0]))
        if d is None:
            warnings.append(f"{path}: line {i0 + 2}: loggingTime {str(lt[i0])[:40]!r} not "
                            "understood; the start time is unknown")
        elif d.tzinfo is None:
            info["start_time_local"] = d.isoformat()
            warnings.append(f"{path}: loggingTime has no UTC offset; start time kept as local")
        else:
            # loggingTime is the row's wall clock; shift it to the first accelerometer sample.
            lag = float(t_acc[i0] - t_zero) if np.isfinite(t_acc[i0]) else 0.0
            start = (d - timedelta(seconds=lag)).astimezone(UTC)
            info["start_time_local"] = d.isoformat()
    if dev_col is not None:
        device = next((str(x).strip() for x in tab[dev_col.name][:50] if str(x).strip()), None)
    meta: dict[str, Any] = {
        "variant": "watchOS (unit-less header)" if watch else "iOS",
        "delimiter": delim,
        "decimal_comma": dec_comma,
        "n_columns": len(header),
        "platform_signs": "CoreMotion signs inverted to the Android convention (-9.80665 * G)",
        "time_zero": f"the first valid {t_col.name}",
        **info,
    }
    return Recording(streams=[stream], source_format=NAME, app=APP, platform="ios",
                     device=device, start_time_utc=start, sources=[path], warnings=warnings,
                     meta=meta)


READER = SensorLogReader()
