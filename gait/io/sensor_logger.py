"""Sensor Logger (Kelvin Choi; Android and iOS): a zip or folder with one CSV per sensor.

Layout: ``<name>-YYYY-MM-DD_HH-MM-SS/`` (a Studies recording prefixes the study name) holding
``Metadata.csv`` plus ``Accelerometer.csv``, ``Gravity.csv``, ``Gyroscope.csv``,
``TotalAcceleration.csv`` (Android only), ``*Uncalibrated.csv``, ``Annotation.csv`` (may be
0 bytes), ... Sensor files are read by column NAME: ``time,z,y,x`` (schema v2) or
``time,seconds_elapsed,z,y,x`` (v3). ``time`` is int64 ns since the epoch and is parsed as an
integer (never a float: 1.7e18 is far above 2**53); relative times are differences in int64
first, then seconds.

Units and signs (checked on the real samples): ``Accelerometer`` is m/s^2 WITHOUT gravity on both
platforms, ``Gravity`` m/s^2, ``Gyroscope`` rad/s (same sign on both platforms). iOS has -1 on
every acceleration and gravity axis (face up: gravity z -9.62 on iOS, +9.63 on Android) unless
the v3 metadata says ``standardisation=true``. ``AccelerometerUncalibrated`` includes gravity
and is in g on iOS. Total acceleration: ``TotalAcceleration.csv`` when present, else
``Accelerometer + Gravity`` (gravity interpolated onto the accelerometer's times), else the
uncalibrated accelerometer, else the linear accelerometer alone (flagged ``acc_kind="linear"``).

The module also holds small helpers shared by the SensorLog and AndroSensor readers
(:func:`drop_partial_last_line`, :func:`check_time_span`, :func:`low_rate_warning`,
:func:`input_errors`).

Size: one format reader (its variants, units, clock and checks), as every reader in gait.io.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from gait.errors import GaitInputError
from gait.io import resample
from gait.io.base import (
    Container,
    ReadOptions,
    build_stream,
    check_placement,
    check_time_span,
    drop_partial_last_line,
    first_valid_line,
    input_errors,
    low_rate_warning,
)
from gait.io.table import NULLS, arrow_input, decode, first_line, read_table, split_header
from gait.recording import G, Recording

NAME = "sensor_logger"
APP = "Sensor Logger (Kelvin Choi)"
NS_MIN = 10**17  # 1973 in ns since the epoch: anything smaller is not an ns epoch time
NS_MAX = 4 * 10**18  # 2096
_INT_RE = re.compile(r"^\s*-?\d+\s*$")


# --------------------------------------------------------------------------------------------
# Sensor Logger
# --------------------------------------------------------------------------------------------

ACC_FILES = ("TotalAcceleration", "Accelerometer", "Gravity", "AccelerometerUncalibrated")


@dataclass
class _Export:
    folder: str  # folder inside the container ("" for its root)
    members: dict[str, str]  # lower-case basename -> member name
    metadata: str | None


@dataclass
class _Meta:
    version: int | None = None
    device: str | None = None
    platform: str | None = None
    epoch_ns: int | None = None
    standardised: bool | None = None
    rates_hz: dict[str, float | None] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Sensor:
    member: str
    path: str
    ns: np.ndarray | None  # int64 ns since the epoch (0 where invalid)
    sec: np.ndarray | None  # seconds_elapsed (only used when there is no ``time``)
    valid: np.ndarray  # rows with a valid time
    xyz: np.ndarray  # n x 3 (x, y, z)

    def rel(self, ref_ns: int | None, meta: _Meta) -> np.ndarray:
        """Seconds since ref_ns (int64 difference first); NaN where the time was invalid."""
        if self.ns is not None and ref_ns is not None:
            t = (self.ns - np.int64(ref_ns)).astype(np.float64) * 1e-9
        else:
            assert self.sec is not None
            if meta.epoch_ns is None or ref_ns is None:
                raise GaitInputError(self.path, "column 'time' is missing", where="line 1 (header)",
                                     expected="a 'time' column (ns since 1970)")
            t = self.sec + (meta.epoch_ns - ref_ns) * 1e-9
        t[~self.valid] = np.nan
        return t


def _is_sensor_header(line: str) -> bool:
    h = [x.strip().lower() for x in line.split(",")]
    return (len(h) >= 4 and h[0] == "time" and {"x", "y", "z"} <= set(h)
            and (h[:4] == ["time", "z", "y", "x"] or h[1] == "seconds_elapsed"))


def _ns_first_value(text: str) -> bool:
    lines = text.splitlines()
    if len(lines) < 2:
        return False
    cell = lines[1].split(",", 1)[0].strip()
    return cell.isdigit() and NS_MIN <= int(cell) < NS_MAX


def _exports(c: Container) -> list[_Export]:
    """The Sensor Logger exports in a zip or folder (one per Metadata.csv / sensor folder)."""
    by_folder: dict[str, dict[str, str]] = {}
    for n in c.names:
        p = PurePosixPath(n)
        folder = str(p.parent) if str(p.parent) != "." else ""
        by_folder.setdefault(folder, {})[p.name.lower()] = n
    out = []
    for folder, members in sorted(by_folder.items()):
        md = members.get("metadata.csv")
        if md is not None and c.head(md, 256).startswith("version,device name"):
            out.append(_Export(folder, members, md))
            continue
        for base in ("totalacceleration.csv", "accelerometer.csv"):
            m = members.get(base)
            if m is not None:
                head = c.head(m, 4096)
                if _is_sensor_header(first_line(head)) and _ns_first_value(head):
                    out.append(_Export(folder, members, None))
                    break
    return out


def _parse_metadata(c: Container, member: str, warnings: list[str]) -> _Meta:
    path = c.member_path(member)
    text = decode(c.read_bytes(member))
    rows = [r for r in csv.reader(io.StringIO(text)) if any(x.strip() for x in r)]
    m = _Meta()
    if len(rows) < 2:
        warnings.append(f"{path}: no values under the header; platform and rates unknown")
        return m
    head = [h.strip().lower() for h in rows[0]]
    vals = [v.strip() for v in rows[1]]
    d = dict(zip(head, vals, strict=False))
    ver = d.get("version", "")
    if ver.isdigit():
        m.version = int(ver)
    else:
        warnings.append(f"{path}: line 2: schema version {ver!r} is not a number")
    m.device = d.get("device name") or None
    plat = d.get("platform", "").lower()
    if plat in ("android", "ios"):
        m.platform = plat
    elif plat:
        m.info["platform_text"] = plat
    rec_time = d.get("recording time")
    if rec_time:
        m.info["recording_time_local"] = rec_time
        if re.match(r"^\d{4}-00-", rec_time):
            m.info["recording_time_note"] = ("month '00' is a bug of the app's schema v2; the "
                                             "start time comes from the first sample instead")
    epoch = d.get("recording epoch time", "")
    if epoch.isdigit() and NS_MIN <= int(epoch) * 1_000_000 < NS_MAX:
        m.epoch_ns = int(epoch) * 1_000_000
    for key, name in (("recording timezone", "timezone"), ("appversion", "app_version"),
                      ("device id", "device_id")):
        if d.get(key):
            m.info[name] = d[key]
    std = d.get("standardisation", "").lower()
    if std in ("true", "false"):
        m.standardised = std == "true"
    sensors = d["sensors"].split("|") if d.get("sensors") else []
    rates = d.get("samplerate ms", d.get("sampleratems", "")).split("|") if sensors else []
    for i, s in enumerate(sensors):
        r = rates[i].strip() if i < len(rates) else ""
        try:
            ms = float(r)
        except ValueError:
            ms = 0.0
        m.rates_hz[s.strip()] = 1000.0 / ms if ms > 0 and np.isfinite(ms) else None
    if sensors:
        m.info["sensors"] = [s.strip() for s in sensors]
    return m


def _read_sensor(c: Container, member: str, warnings: list[str]) -> _Sensor | None:
    """Read one x/y/z sensor file by column name; None when the file is empty (0 rows)."""
    path = c.member_path(member)
    raw = c.read_bytes(member)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise GaitInputError(path, "the file is empty", expected="a header 'time,...,z,y,x' "
                             "and data rows")
    header = split_header(first_line(decode(raw[:8192])), ",")
    lower = {h.lower(): h for h in header}
    cols = {k: lower.get(k) for k in ("time", "seconds_elapsed", "x", "y", "z")}
    for k in ("x", "y", "z"):
        if cols[k] is None:
            raise GaitInputError(path, f"column {k!r} is missing", where="line 1 (header)",
                                 expected="columns 'time', 'z', 'y', 'x'")
    if cols["time"] is None and cols["seconds_elapsed"] is None:
        raise GaitInputError(path, "column 'time' is missing", where="line 1 (header)",
                             expected="a 'time' column (ns since 1970)")
    raw = drop_partial_last_line(raw, ",", len(header), path, warnings)
    numeric = [cols["x"], cols["y"], cols["z"]]
    text: list[str] = []
    if cols["time"] is not None:
        text.append(cols["time"])
    else:
        numeric.append(cols["seconds_elapsed"])
        warnings.append(f"{path}: no 'time' column; 'seconds_elapsed' used instead")
    if cols["time"] is not None and len(set(header)) == len(header):
        fast = _fast_read(raw, header, cols["time"], numeric)
        if fast is not None:
            ns, valid, xyz = fast
            if len(xyz) == 0:
                return None
            _check_ns_range(ns, valid, path)
            return _Sensor(member, path, ns, None, valid, xyz)
    tab = read_table(raw, path=path, numeric=numeric, text=text)
    xyz = np.column_stack([tab[cols["x"]], tab[cols["y"]], tab[cols["z"]]])
    if len(xyz) == 0:
        return None
    if cols["time"] is not None:
        ns, valid = _parse_ns(tab[cols["time"]], path)
        return _Sensor(member, path, ns, None, valid, xyz)
    sec = tab[cols["seconds_elapsed"]].astype(np.float64)
    return _Sensor(member, path, None, sec, np.isfinite(sec), xyz)


def _parse_ns(cells: np.ndarray, path: str) -> tuple[np.ndarray, np.ndarray]:
    """int64 ns from text cells, exactly; empty cells are invalid rows (not errors)."""
    arr = pc.utf8_trim_whitespace(pa.array(cells.tolist(), type=pa.string()))
    empty = pc.equal(pc.utf8_length(arr), 0).to_numpy(zero_copy_only=False)
    isint = pc.match_substring_regex(arr, r"^-?[0-9]{1,19}$").to_numpy(zero_copy_only=False)
    bad = ~empty & ~isint
    if bad.any():
        i = first_valid_line(bad)
        raise GaitInputError(path, f"time {str(cells[i]).strip()[:40]!r} is not an integer",
                             where=f"line {i + 2}, column 'time'",
                             expected="integer nanoseconds since 1970")
    ns = np.zeros(len(cells), dtype=np.int64)
    good = ~empty
    try:
        ns[good] = pc.cast(arr.filter(pa.array(good)), pa.int64()).to_numpy()
    except pa.ArrowInvalid:
        big = np.array([len(str(x).strip().lstrip("-")) >= 19 and int(str(x)) > 2**63 - 1
                        if g else False for x, g in zip(cells, good, strict=True)])
        i = first_valid_line(big) if big.any() else 0
        raise GaitInputError(path, "time value too large", where=f"line {i + 2}, column 'time'",
                             expected="integer nanoseconds since 1970") from None
    _check_ns_range(ns, good, path)
    return ns, good


def _check_ns_range(ns: np.ndarray, good: np.ndarray, path: str) -> None:
    out_of_range = good & ((ns < NS_MIN) | (ns >= NS_MAX))
    if out_of_range.any():
        i = first_valid_line(out_of_range)
        raise GaitInputError(path, f"time {int(ns[i])} is not nanoseconds since 1970 "
                             "(outside 1973-2096)", where=f"line {i + 2}, column 'time'",
                             expected="integer nanoseconds since 1970")


def _fast_read(raw: bytes, header: list[str], time_col: str, xyz_cols: list[str]
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """pyarrow straight to int64 time + float xyz; None on any problem (then the slow path
    finds and names the bad line)."""
    types: dict[str, pa.DataType] = {time_col: pa.int64()}
    types.update({c: pa.float64() for c in xyz_cols})
    try:
        t = pacsv.read_csv(
            arrow_input(raw),
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=header,
                                           block_size=1 << 22),
            parse_options=pacsv.ParseOptions(delimiter=","),
            convert_options=pacsv.ConvertOptions(column_types=types,
                                                 include_columns=[time_col, *xyz_cols],
                                                 null_values=NULLS, strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    tc = t.column(time_col)
    valid = pc.is_valid(tc).to_numpy(zero_copy_only=False)
    ns = pc.fill_null(tc, 0).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    xyz = np.column_stack([t.column(c).to_numpy(zero_copy_only=False).astype(np.float64)
                           for c in xyz_cols])
    return ns, valid, xyz


def _interp_onto(t_dst: np.ndarray, t_src: np.ndarray, x_src: np.ndarray) -> np.ndarray:
    """x_src (at t_src) linearly interpolated onto t_dst; NaN outside / across long gaps."""
    tl = resample.clean_timestamps(t_src)
    out = np.full((len(t_dst), x_src.shape[1]), np.nan)
    if len(tl.t) < 2:
        return out
    ts = tl.t
    xs = tl.apply(x_src)
    good = np.all(np.isfinite(xs), axis=1)
    ts, xs = ts[good], xs[good]
    if len(ts) < 2:
        return out
    tol = max(5.0 * float(np.median(np.diff(ts))), 0.05)
    for j in range(xs.shape[1]):
        out[:, j] = np.interp(t_dst, ts, xs[:, j])
    idx = np.clip(np.searchsorted(ts, t_dst), 1, len(ts) - 1)
    span = ts[idx] - ts[idx - 1]
    bad = (~np.isfinite(t_dst) | (t_dst < ts[0] - tol) | (t_dst > ts[-1] + tol)
           | ((span > tol) & (t_dst > ts[0]) & (t_dst < ts[-1])))
    out[bad] = np.nan
    return out


def _orientation_platform(c: Container, ex: _Export) -> str | None:
    """Platform from Orientation.csv's column order (iOS puts yaw first, Android qz)."""
    m = ex.members.get("orientation.csv")
    if m is None:
        return None
    try:
        h = [x.strip().lower() for x in c.first_line(m).split(",")]
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError, UnicodeError):
        return None
    h = [x for x in h if x not in ("time", "seconds_elapsed")]
    if h[:1] == ["yaw"]:
        return "ios"
    if h[:1] == ["qz"]:
        return "android"
    return None


def _median_norm(x: np.ndarray) -> float:
    n = np.linalg.norm(x, axis=1)
    n = n[np.isfinite(n)]
    return float(np.median(n)) if len(n) else float("nan")


class SensorLoggerReader:
    """Sensor Logger zip/folder exports (and a lone sensor CSV)."""

    name = NAME

    def sniff(self, c: Container) -> bool:
        if c.is_zip or c.is_dir:
            return bool(_exports(c))
        head = c.head(c.names[0], 4096)
        return _is_sensor_header(first_line(head)) and _ns_first_value(head)

    def read(self, c: Container, opts: ReadOptions) -> Recording:
        with input_errors(str(c.path), "a Sensor Logger export (zip or folder of CSVs)"):
            return _read(c, opts)


def _select(c: Container) -> _Export:
    if c.is_zip or c.is_dir:
        exs = _exports(c)
        if not exs:
            raise GaitInputError(c.path, "no Sensor Logger recording found (no Metadata.csv "
                                 "starting 'version,device name' and no Accelerometer.csv)",
                                 expected="a Sensor Logger export")
        if len(exs) > 1:
            names = ", ".join(repr(e.folder or ".") for e in exs[:5])
            raise GaitInputError(c.path, f"holds {len(exs)} Sensor Logger recordings ({names})",
                                 expected="one recording: give its folder or zip")
        return exs[0]
    # A lone sensor CSV (no Metadata.csv beside it).
    n = c.names[0]
    return _Export("", {PurePosixPath(n).name.lower(): n}, None)


def _read(c: Container, opts: ReadOptions) -> Recording:
    warnings: list[str] = []
    ex = _select(c)
    meta = (_parse_metadata(c, ex.metadata, warnings) if ex.metadata
            else _Meta())
    lone = not (c.is_zip or c.is_dir)
    src_name = str(c.path) if not ex.folder else c.member_path(ex.folder)
    # Platform: the metadata, else the Orientation column order, else Android (said so).
    o_plat = _orientation_platform(c, ex)
    if meta.platform is None:
        if o_plat is not None:
            meta.platform = o_plat
            warnings.append(f"{src_name}: platform not in the metadata; {o_plat} inferred from "
                            "Orientation.csv's column order")
        elif "totalacceleration.csv" in ex.members:
            meta.platform = "android"
        else:
            warnings.append(f"{src_name}: platform unknown; Android signs assumed (an iOS "
                            "export would have every acceleration axis inverted)")
    elif o_plat is not None and o_plat != meta.platform:
        warnings.append(f"{src_name}: Metadata.csv says {meta.platform} but Orientation.csv's "
                        f"columns look like {o_plat}; the metadata was followed")
    flip = meta.platform == "ios" and not meta.standardised

    empty: list[str] = []

    def load(base: str) -> _Sensor | None:
        m = ex.members.get(base.lower() + ".csv")
        if m is None:
            return None
        s = _read_sensor(c, m, warnings)
        if s is None:
            empty.append(c.member_path(m))
            warnings.append(f"{c.member_path(m)}: no data rows; ignored")
        return s

    if lone:
        only = next(iter(ex.members.values()))
        base = PurePosixPath(only).stem
        known = {b.lower(): b for b in (*ACC_FILES, "Gyroscope")}
        if base.lower() not in known:
            s = _read_sensor(c, only, [])  # read again below; keep its warnings once
            if s is None:
                raise GaitInputError(c.path, "no data rows", where="line 2",
                                     expected="samples under the header")
            mag = _median_norm(s.xyz)
            base = "TotalAcceleration" if 5.0 < mag < 15.0 else "Accelerometer"
            warnings.append(f"{c.path}: a lone Sensor Logger CSV with an unknown name; read as "
                            f"{'total' if base == 'TotalAcceleration' else 'linear'} acceleration "
                            f"(median |a| = {mag:.2f} m/s^2)")
            ex.members = {base.lower() + ".csv": only}
        else:
            ex.members = {known[base.lower()].lower() + ".csv": only}
        if known.get(base.lower()) == "Gyroscope":
            raise GaitInputError(c.path, "a Gyroscope.csv alone has no acceleration",
                                 expected="the whole Sensor Logger export (zip or folder) or its "
                                          "Accelerometer.csv / TotalAcceleration.csv")

    info: dict[str, Any] = {}
    sources: list[str] = []
    total = load("TotalAcceleration")
    acc_kind = "total"
    gravity = None
    if total is not None:
        primary, acc_sensor = total, "TotalAcceleration"
        acc_vals = total.xyz * (-1.0 if flip else 1.0)
        info["acc_source"] = "TotalAcceleration.csv (includes gravity)"
    else:
        lin = load("Accelerometer")
        gravity = load("Gravity")
        uncal = None
        if lin is None or gravity is None:
            uncal = load("AccelerometerUncalibrated")
        if lin is not None and gravity is not None:
            primary, acc_sensor = lin, "Accelerometer"
            acc_vals = lin.xyz  # combined below, once the time axis is known
        elif uncal is not None:
            primary, acc_sensor = uncal, "AccelerometerUncalibrated"
            mag = _median_norm(uncal.xyz)
            unit = G if mag < 3.0 else 1.0
            acc_vals = uncal.xyz * unit * (-1.0 if flip else 1.0)
            info["acc_source"] = (f"AccelerometerUncalibrated.csv (includes gravity; "
                                  f"{'g' if unit == G else 'm/s^2'} by its magnitude)")
        elif lin is not None:
            primary, acc_sensor = lin, "Accelerometer"
            acc_vals = lin.xyz * (-1.0 if flip else 1.0)
            acc_kind = "linear"
            info["acc_source"] = "Accelerometer.csv (gravity removed by the OS)"
            warnings.append(f"{lin.path}: only gravity-removed (linear) acceleration and no "
                            "Gravity.csv; impact and gravity alignment need gravity, so results "
                            "will be less reliable (record with Gravity or TotalAcceleration on)")
        elif empty:
            raise GaitInputError(empty[0], "no data rows", where="line 2",
                                 expected="samples under the header")
        else:
            raise GaitInputError(src_name, "no accelerometer file",
                                 expected="Accelerometer.csv (+ Gravity.csv), "
                                          "TotalAcceleration.csv or AccelerometerUncalibrated.csv")
    if not np.any(primary.valid):
        raise GaitInputError(primary.path, "no row has a valid time", where="column 'time'",
                             expected="integer nanoseconds since 1970")
    sources.append(primary.path)
    # One time zero for every sensor: the recording epoch (v3) or the first accelerometer time.
    first_ns = int(primary.ns[primary.valid].min()) if primary.ns is not None else None
    ref_ns = meta.epoch_ns if meta.epoch_ns is not None else first_ns
    t_acc = primary.rel(ref_ns, meta)
    check_time_span(t_acc, primary.path, 2)
    t_zero = float(np.nanmin(t_acc))
    if acc_sensor == "Accelerometer" and gravity is not None:
        t_g = gravity.rel(ref_ns, meta)
        check_time_span(t_g, gravity.path, 2)
        gvals = gravity.xyz
        gmag = _median_norm(gvals)
        if 0.5 < gmag < 2.0:
            gvals = gvals * G
            acc_vals = acc_vals * G
            warnings.append(f"{gravity.path}: gravity magnitude {gmag:.2f}: acceleration and "
                            "gravity read as g and converted to m/s^2")
        elif not 5.0 < gmag < 15.0:
            warnings.append(f"{gravity.path}: unexpected gravity magnitude {gmag:.2f} m/s^2")
        g_on_acc = _interp_onto(t_acc, t_g, gvals)
        acc_vals = (acc_vals + g_on_acc) * (-1.0 if flip else 1.0)
        sources.append(gravity.path)
        info["acc_source"] = ("Accelerometer.csv + Gravity.csv (the app's Accelerometer has "
                              "gravity removed; Gravity was interpolated onto the "
                              "accelerometer's times and added to get total acceleration)")
    good_rows = np.isfinite(t_acc) & np.all(np.isfinite(acc_vals), axis=1)
    if good_rows.sum() < 2:
        raise GaitInputError(primary.path, f"only {int(good_rows.sum())} row(s) with a valid "
                             "time and x, y, z", expected="at least 2 samples")

    gyr = load("Gyroscope")
    gyr_name = "Gyroscope"
    if gyr is None:
        gyr = load("GyroscopeUncalibrated")
        gyr_name = "GyroscopeUncalibrated"
    t_gyr = gyr_vals = None
    if gyr is not None:
        t_gyr = gyr.rel(ref_ns, meta)
        if np.isfinite(t_gyr).sum() >= 2:
            check_time_span(t_gyr, gyr.path, 2)
            gyr_vals = gyr.xyz
            sources.append(gyr.path)
            info["gyr_source"] = f"{gyr_name}.csv (rad/s)"
        else:
            warnings.append(f"{gyr.path}: fewer than 2 rows with a valid time; ignored")
            t_gyr = None

    placement = check_placement(opts.placement)
    nominal = meta.rates_hz.get(acc_sensor)
    stream = build_stream(primary.path, t_acc, acc_vals, placement=placement,
                          acc_kind=acc_kind, t_gyr=t_gyr, gyr=gyr_vals, nominal_hz=nominal,
                          name=ex.folder.rsplit("/", 1)[-1] or PurePosixPath(primary.member).stem,
                          t_zero=t_zero, warnings=warnings)
    w = low_rate_warning(stream.sample_rate_hz, primary.path)
    if w:
        warnings.append(w)
    start = None
    if first_ns is not None:
        s_ns = first_ns
        start = datetime.fromtimestamp(s_ns // 10**9, tz=UTC) + timedelta(
            microseconds=(s_ns % 10**9) // 1000)
    elif meta.epoch_ns is not None:
        start = datetime.fromtimestamp(meta.epoch_ns / 1e9 + t_zero, tz=UTC)
    meta_out: dict[str, Any] = {
        "schema_version": meta.version,
        "platform_signs": ("iOS signs inverted to the Android convention" if flip else
                           "iOS export already standardised by the app" if
                           meta.platform == "ios" else "Android convention (unchanged)"),
        "standardisation": meta.standardised,
        "nominal_rates_hz": {k: v for k, v in meta.rates_hz.items() if v},
        "export_folder": ex.folder or None,
        "time_zero": ("the first accelerometer sample; all sensors share it "
                      "(times are int64 ns differences)"),
        **meta.info,
        **info,
    }
    if meta.epoch_ns is not None and first_ns is not None:
        meta_out["first_sample_after_start_s"] = (first_ns - meta.epoch_ns) * 1e-9
    return Recording(
        streams=[stream], source_format=NAME, app=APP, platform=meta.platform,
        device=meta.device, start_time_utc=start,
        sources=([c.member_path(ex.metadata)] if ex.metadata else []) + sources,
        warnings=warnings, meta=meta_out)


READER = SensorLoggerReader()
