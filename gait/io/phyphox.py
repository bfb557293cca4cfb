"""phyphox (RWTH Aachen, Android and iOS): single CSVs, export folders and export zips.

What is read:

* One data CSV whose first line starts with ``"Time (s)"`` (the header is always double-quoted,
  the data is not), with ``,`` ``;`` or TAB between fields and optionally a decimal comma.
* A folder or zip with ``meta/device.csv`` and ``meta/time.csv`` beside the data CSVs:
  classic experiments write ``Raw Data.csv`` ("Acceleration x (m/s^2)" = with g,
  "Linear Acceleration x (m/s^2)" = without g, "Gyroscope x (rad/s)"); the newer "simple"
  experiments write one file per sensor (``Accelerometer.csv``, ``Linear Accelerometer.csv``,
  ``Gyroscope.csv``; headers ``"X (m/s^2)"`` / ``"X (rad/s)"``), which are merged into one
  stream (the gyroscope is interpolated onto the accelerometer's grid).
* Columns are recognised by their names and units: ``<prefix> x (<unit>)``. An acceleration
  whose prefix does not say "linear" or "gravity" is classified by its magnitude at rest
  (about 9.8 m/s^2 with gravity, about 0 without). One whose gravity is ~1 under a m/s^2
  header is in g (:func:`gait.io.base.gravity_unit`): read as g with a warning, not taken for
  a gravity-free acceleration.

Units are m/s^2 and rad/s on both platforms and the sign is already Android's: phyphox iOS
multiplies CoreMotion's g by -9.81. The reader rescales iOS acceleration by 9.80665 / 9.81 so that
it is exactly SI. ``meta/device.csv`` gives the platform (``deviceBrand`` "Apple" = iOS), the
model and the app version; ``meta/time.csv`` gives the Unix time of every START/PAUSE. The
experiment clock of phyphox stops while the experiment is paused, so sample times are mapped to
real elapsed time with these rows: a pause becomes a gap (NaN) on the recording's time axis.

Size: one format reader (its variants, units, clock and checks), as every reader in gait.io.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from gait.errors import GaitInputError
from gait.io import resample
from gait.io.base import (
    Container,
    ReadOptions,
    at_rest_gravity,
    build_stream,
    check_placement,
    gravity_unit,
)
from gait.io.table import (
    read_table,
    sniff_decimal_comma,
    sniff_delimiter,
    split_header,
)
from gait.recording import G, Recording

IOS_G = 9.81  # phyphox iOS multiplies CoreMotion's g by -9.81 (ExperimentSensorInput.swift)
MAX_GRID_SAMPLES = 50_000_000  # about 35 h at 400 Hz; more means the time column is broken
MAX_SPAN_S = 7 * 24 * 3600.0
# |a| at rest (quietest second, m/s^2): gravity included above, removed below; between: unclear.
REST_TOTAL_MIN = 7.0
REST_LINEAR_MAX = 4.5

_TIME_RE = re.compile(r"^\s*time\s*\(\s*s\s*\)\s*$", re.IGNORECASE)
_AXIS_RE = re.compile(
    r"^(?P<prefix>.*?)(?:^|\s+)(?P<axis>[xyz])\s*\((?P<unit>[^()]*)\)\s*$", re.IGNORECASE
)
_ACC_UNITS = {"m/s^2": 1.0, "m/s2": 1.0, "m/s/s": 1.0, "m/s²": 1.0, "g": G}
_GYR_UNITS = {"rad/s": 1.0, "deg/s": math.pi / 180.0, "°/s": math.pi / 180.0}
EXPECTED_HEADER = '"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)",…'


# ---------------------------------------------------------------------------------------------
# helpers shared with other phone-app readers of this package
# ---------------------------------------------------------------------------------------------


def _raw_rate(t: np.ndarray) -> float:
    """Sample rate (Hz) of raw, possibly irregular times; 10 when it cannot be measured."""
    fs = resample.measured_rate(np.sort(t))
    return min(fs, 1000.0) if np.isfinite(fs) and fs > 0 else 10.0


def rest_magnitude(t: np.ndarray, xyz: np.ndarray) -> float:
    """|a| at rest (quietest second) of raw, possibly irregular samples."""
    ok = np.isfinite(t) & np.all(np.isfinite(xyz), axis=1)
    if ok.sum() < 3:
        return float("nan")
    return at_rest_gravity(xyz[ok], _raw_rate(t[ok]))


def gravity_unit_of(t: np.ndarray, xyz: np.ndarray) -> tuple[str, float] | None:
    """:func:`gait.io.base.gravity_unit` of raw, possibly irregular samples."""
    ok = np.isfinite(t) & np.all(np.isfinite(xyz), axis=1)
    return gravity_unit(xyz[ok], _raw_rate(t[ok])) if ok.sum() >= 3 else None


# ---------------------------------------------------------------------------------------------
# header parsing
# ---------------------------------------------------------------------------------------------


def _clean_line(line: str) -> str:
    return line.lstrip("\ufeff").strip()


def is_phyphox_header(line: str) -> bool:
    """First line of a phyphox data CSV: starts with "Time (s)" (quoted by the app)."""
    s = _clean_line(line).lstrip("'")
    if s.startswith('"Time (s)"'):
        return True
    # Re-saved by a spreadsheet: quotes lost, but phyphox units in the header.
    return s.startswith("Time (s)") and ("(m/s^2)" in s or "(rad/s)" in s)


def _delimiter(line: str, opts: ReadOptions) -> str:
    if opts.delimiter:
        return opts.delimiter
    s = _clean_line(line)
    if s.startswith('"'):
        end = s.find('"', 1)
        if 0 < end < len(s) - 1 and s[end + 1] in ",;\t|":
            return s[end + 1]
    return sniff_delimiter(s)


@dataclass
class _Group:
    """Three axis columns of one sensor in one data file."""

    member: str
    prefix: str
    unit: str
    scale: float
    sensor: str  # "acc" or "gyr"
    cols: tuple[str, str, str]
    hint: str  # "linear", "gravity", "total" or "" (acc only; "" = decide by magnitude)
    time_col: str
    t: np.ndarray | None = None
    xyz: np.ndarray | None = None


@dataclass
class _DataFile:
    member: str
    path: str
    delimiter: str
    decimal_comma: bool
    header: list[str]
    groups: list[_Group] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def _norm_unit(u: str) -> str:
    return u.strip().lower().replace(" ", "").replace("²", "^2")


def _hint(prefix: str) -> str:
    p = prefix.lower()
    if "linear" in p or "without g" in p:
        return "linear"
    if "gravity" in p:
        return "gravity"
    if "with g" in p or p.strip() == "acceleration":  # classic "Acceleration with g"
        return "total"
    return ""


def _parse_header(c: Container, member: str, opts: ReadOptions) -> _DataFile:
    path = c.member_path(member)
    head = c.head(member)
    lines = head.splitlines()
    if not lines or not lines[0].strip():
        raise GaitInputError(path, "the file is empty", expected="a phyphox CSV")
    delim = _delimiter(lines[0], opts)
    header = [h.lstrip("'") for h in split_header(_clean_line(lines[0]), delim)]
    df = _DataFile(member, path, delim, sniff_decimal_comma(lines[1:20], delim), header)
    time_idx = [i for i, h in enumerate(header) if _TIME_RE.match(h)]
    if not time_idx:
        raise GaitInputError(path, f"no time column in the header (first field {header[0]!r})",
                             where="line 1 (header)", expected='a first column "Time (s)"')
    if len(set(header)) != len(header):
        # Columns after a repeated name would be renamed by the table reader: not supported.
        first_dup = next(i for i, h in enumerate(header) if header.index(h) != i)
        df.ignored += header[first_dup:]
        header = header[:first_dup]
    t0 = time_idx[0]
    if len(time_idx) > 1:
        df.ignored += [h for h in header[time_idx[1]:] if h not in df.ignored]
        header = header[: time_idx[1]]
    found: dict[tuple[str, str], dict[str, str]] = {}
    for h in header[t0 + 1:]:
        m = _AXIS_RE.match(h)
        if not m:
            df.ignored.append(h)
            continue
        key = (m["prefix"].strip(), _norm_unit(m["unit"]))
        found.setdefault(key, {})[m["axis"].lower()] = h
    for (prefix, unit), axes in found.items():
        if unit in _ACC_UNITS:
            sensor, scale = "acc", _ACC_UNITS[unit]
        elif unit in _GYR_UNITS:
            sensor, scale = "gyr", _GYR_UNITS[unit]
        else:
            df.ignored += list(axes.values())
            continue
        missing = [a for a in "xyz" if a not in axes]
        if missing:
            label = f"{prefix} {missing[0]} ({unit})".strip()
            raise GaitInputError(path, f"column {label!r} is missing", where="line 1 (header)",
                                 expected=f"x, y and z columns for {prefix or sensor!r}")
        df.groups.append(_Group(member, prefix, unit, scale, sensor,
                                (axes["x"], axes["y"], axes["z"]), _hint(prefix), header[t0]))
    return df


def _load(c: Container, df: _DataFile, warnings: list[str]) -> None:
    """Read the numeric columns of one data file into its groups (a torn last line is
    dropped with a warning)."""
    numeric = [df.groups[0].time_col] + [col for g in df.groups for col in g.cols]
    cols = read_table(c.read_bytes(df.member), path=df.path, delimiter=df.delimiter,
                      decimal_comma=df.decimal_comma, numeric=numeric, warnings=warnings)
    n = len(cols[numeric[0]])
    if n == 0:
        raise GaitInputError(df.path, "no data rows after the header", where="line 2",
                             expected="samples")
    t = cols[numeric[0]]
    for g in df.groups:
        g.t = t
        g.xyz = np.column_stack([cols[col] for col in g.cols]) * g.scale


# ---------------------------------------------------------------------------------------------
# meta files
# ---------------------------------------------------------------------------------------------


def _find_meta(c: Container, base: str) -> str | None:
    for n in c.names:
        p = PurePosixPath(n)
        if p.name.lower() == base and p.parent.name.lower() == "meta":
            return n
    return None


def _read_device(c: Container, member: str, warnings: list[str]) -> dict[str, str]:
    path = c.member_path(member)
    try:
        cols = read_table(c.read_bytes(member), path=path, delimiter=",",
                          text=["property", "value"])
    except GaitInputError as exc:
        warnings.append(f"{path}: ignored ({exc.what})")
        return {}
    return {str(k): str(v) for k, v in zip(cols["property"], cols["value"], strict=True)}


# A START's Unix time must be a date Python can hold (datetime.fromtimestamp fails outside).
_MIN_UNIX_S = 0.0
_MAX_UNIX_S = datetime(9999, 12, 30, tzinfo=UTC).timestamp()


@dataclass
class _TimeRef:
    start_exp: np.ndarray  # experiment time of each START
    start_sys: np.ndarray  # Unix time of each START
    offsets: np.ndarray  # real - experiment time after each START (non-decreasing)
    pauses: list[dict[str, float]]
    start_text: str


def _read_time(c: Container, member: str, warnings: list[str]) -> _TimeRef | None:
    path = c.member_path(member)
    try:
        cols = read_table(c.read_bytes(member), path=path, delimiter=",",
                          numeric=["experiment time", "system time"],
                          text=["event", "system time text"], allow_missing=["system time text"])
    except GaitInputError as exc:
        warnings.append(f"{path}: ignored, no absolute start time ({exc.what})")
        return None
    ev = np.array([str(e).strip().upper() for e in cols["event"]], dtype=object)
    exp, sys_t = cols["experiment time"], cols["system time"]
    is_start = (ev == "START") & np.isfinite(exp) & np.isfinite(sys_t)
    if not is_start.any():
        warnings.append(f"{path}: no START row; the absolute start time is unknown")
        return None
    bad = is_start & ~((sys_t >= _MIN_UNIX_S) & (sys_t <= _MAX_UNIX_S))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise GaitInputError(path, f"system time {sys_t[i]:.6g} s of a START row is not a date",
                             where=f"row {i + 1}, column 'system time'",
                             expected="a Unix time in seconds, years 1970 to 9999")
    se, ss = exp[is_start], sys_t[is_start]
    if np.any(np.diff(se) < 0):
        warnings.append(f"{path}: START rows are not in experiment-time order; only the first "
                        "is used (pauses are not mapped to real time)")
        is_start = is_start & (np.cumsum(is_start) == 1)
        se, ss = exp[is_start], sys_t[is_start]
    off = (ss - ss[0]) - (se - se[0])
    if np.any(np.diff(off) < -1e-3):
        warnings.append(f"{path}: the system clock went backwards between START rows; "
                        "pauses shorter than 0 s were taken as 0 s")
    off = np.maximum.accumulate(off)
    # A pause: a PAUSE row followed by a START row.
    idx = np.flatnonzero(is_start)
    pauses = []
    for k in range(1, len(idx)):  # one entry per resume: a handful of rows, not samples
        prev = idx[k - 1] + 1
        pr = [j for j in range(prev, idx[k]) if ev[j] == "PAUSE"]
        at = float(exp[pr[0]]) if pr and np.isfinite(exp[pr[0]]) else float(se[k])
        pauses.append({"experiment_time_s": round(at, 3),
                       "duration_s": round(float(off[k] - off[k - 1]), 3)})
    text = ""
    if "system time text" in cols:
        text = str(cols["system time text"][idx[0]])
    return _TimeRef(se, ss, off, pauses, text)


def _to_real(t: np.ndarray, ref: _TimeRef | None) -> np.ndarray:
    """Experiment time (stops while paused) to real elapsed time since the first START."""
    if ref is None or len(ref.start_exp) < 2:
        return t
    k = np.searchsorted(ref.start_exp, t, side="right") - 1
    k = np.clip(k, 0, len(ref.start_exp) - 1)
    return t + ref.offsets[k]


# ---------------------------------------------------------------------------------------------
# the reader
# ---------------------------------------------------------------------------------------------


class PhyphoxReader:
    """phyphox CSV exports (file, folder or zip)."""

    name = "phyphox"

    def _data_members(self, c: Container) -> list[str]:
        out = []
        for n in c.names:
            p = PurePosixPath(n)
            if p.suffix.lower() != ".csv" or p.parent.name.lower() == "meta":
                continue
            try:
                if is_phyphox_header(c.first_line(n)):
                    out.append(n)
            except (OSError, GaitInputError, UnicodeError, KeyError, ValueError):
                continue
        return out

    def sniff(self, c: Container) -> bool:
        if c.is_zip or c.is_dir:
            if _find_meta(c, "time.csv") or _find_meta(c, "device.csv"):
                return True
            csvs = [n for n in c.names if n.lower().endswith(".csv")][:8]
            return any(is_phyphox_header(c.first_line(n)) for n in csvs)
        return is_phyphox_header(c.first_line(c.names[0]))

    def read(self, c: Container, opts: ReadOptions) -> Recording:
        warnings: list[str] = []
        meta: dict[str, Any] = {}
        members = self._data_members(c) if (c.is_zip or c.is_dir) else list(c.names)
        if not members:
            raise GaitInputError(c.path, "no phyphox data CSV in this export",
                                 expected=f"a CSV whose header starts {EXPECTED_HEADER}")
        files = [_parse_header(c, m, opts) for m in members]
        groups = [g for f in files for g in f.groups]
        acc_groups = [g for g in groups if g.sensor == "acc"]
        if not acc_groups:
            f0 = files[0]
            raise GaitInputError(f0.path, "no acceleration columns", where="line 1 (header)",
                                 expected=f"columns like {EXPECTED_HEADER}")
        for f in files:
            if f.groups:
                _load(c, f, warnings)

        # platform and device
        device: dict[str, str] = {}
        dev_member = _find_meta(c, "device.csv")
        if dev_member:
            device = _read_device(c, dev_member, warnings)
        brand = device.get("deviceBrand", "").strip()
        platform = None
        if brand:
            platform = "ios" if brand.lower() == "apple" else "android"

        # classify acceleration groups
        reasons: list[str] = []
        for g in acc_groups:
            assert g.t is not None and g.xyz is not None
            mag = rest_magnitude(g.t, g.xyz)
            in_g = g.hint in ("", "total") and gravity_unit_of(g.t, g.xyz) is not None
            if in_g:  # gravity of ~1 with m/s^2 in the header: g (build_stream converts)
                reasons.append(f"{g.member}: {g.prefix or 'acceleration'} -> total (|a| at rest "
                               f"{mag:.2f} in a m/s^2 column: gravity in g)")
                g.hint = "total"
                continue
            if g.hint:
                reasons.append(f"{g.member}: {g.prefix or 'acceleration'} -> {g.hint} "
                               f"(from the column name; |a| at rest {mag:.2f} m/s^2)")
                odd = (g.hint in ("total", "gravity") and mag < REST_LINEAR_MAX) or (
                    g.hint == "linear" and mag > REST_TOTAL_MIN)
                if np.isfinite(mag) and odd:
                    warnings.append(f"{c.member_path(g.member)}: the columns say {g.hint} "
                                    f"acceleration but |a| at rest is {mag:.2f} m/s^2")
                continue
            name_linear = "linear" in PurePosixPath(g.member).name.lower()
            if np.isfinite(mag) and mag >= REST_TOTAL_MIN:
                g.hint = "total"
            elif np.isfinite(mag) and mag <= REST_LINEAR_MAX:
                g.hint = "linear"
            else:
                g.hint = "linear" if name_linear else "total"
                warnings.append(f"{c.member_path(g.member)}: |a| at rest is {mag:.2f} m/s^2, "
                                f"neither ~9.8 nor ~0; taken as {g.hint} acceleration")
            reasons.append(f"{g.member}: |a| at rest {mag:.2f} m/s^2 -> {g.hint}")
        meta["acc_kind_reason"] = reasons

        total = [g for g in acc_groups if g.hint == "total"]
        linear = [g for g in acc_groups if g.hint == "linear"]
        gravity = [g for g in acc_groups if g.hint == "gravity"]
        gyros = [g for g in groups if g.sensor == "gyr"]
        if total:
            acc_g, acc_kind = total[0], "total"
            t_acc, acc = acc_g.t, acc_g.xyz
        elif linear:
            acc_g = linear[0]
            assert acc_g.t is not None and acc_g.xyz is not None
            t_acc, acc = acc_g.t, acc_g.xyz
            if gravity:
                gv = gravity[0]
                assert gv.t is not None and gv.xyz is not None
                ok = np.isfinite(gv.t) & np.all(np.isfinite(gv.xyz), axis=1)
                if ok.sum() >= 2:
                    order = np.argsort(gv.t[ok], kind="stable")
                    gt, gx = gv.t[ok][order], gv.xyz[ok][order]
                    acc = acc + np.column_stack(
                        [np.interp(t_acc, gt, gx[:, j]) for j in range(3)])
                    acc_kind = "total"
                    meta["gravity_added"] = (f"total acceleration = linear ({acc_g.member}) + "
                                             f"gravity ({gv.member}) from the export")
                else:
                    acc_kind = "linear"
            else:
                acc_kind = "linear"
        else:
            g0 = gravity[0]
            raise GaitInputError(c.member_path(g0.member), "only a gravity stream, no "
                                 "acceleration", where="line 1 (header)",
                                 expected="acceleration columns (with or without g)")
        used = {acc_g.member}
        gyr_g = gyros[0] if gyros else None
        if gyr_g is not None:
            used.add(gyr_g.member)
        if meta.get("gravity_added"):
            used.add(gravity[0].member)
        skipped = [g for g in groups if g is not acc_g and g is not gyr_g
                   and not (meta.get("gravity_added") and g is gravity[0])]
        if skipped:
            meta["ignored_sensors"] = [f"{g.member}: {g.prefix or g.sensor} ({g.unit})"
                                       for g in skipped]
        ignored_cols = [f"{f.member}: {h}" for f in files for h in f.ignored
                        if not _TIME_RE.match(h)]
        if ignored_cols:
            meta["ignored_columns"] = ignored_cols

        # iOS: phyphox used 9.81, not 9.80665
        if platform == "ios":
            acc = acc * (G / IOS_G)
            meta["ios_g_rescaled"] = ("acceleration x 9.80665/9.81 (phyphox iOS multiplies g "
                                      "by 9.81)")

        # time reference and pauses
        time_member = _find_meta(c, "time.csv")
        ref = _read_time(c, time_member, warnings) if time_member else None
        assert t_acc is not None and acc is not None
        t_acc_real = _to_real(t_acc, ref)
        t_gyr_real = _to_real(gyr_g.t, ref) if gyr_g is not None and gyr_g.t is not None else None
        acc_path = c.member_path(acc_g.member)
        finite_t = t_acc_real[np.isfinite(t_acc_real)]
        if len(finite_t) < 2:
            raise GaitInputError(acc_path, f"only {len(finite_t)} sample(s) with a valid time",
                                 where="column 'Time (s)'", expected="at least 2 samples")
        placement = check_placement(opts.placement, "unknown")
        stream = build_stream(
            acc_path, t_acc_real, acc, placement=placement, acc_kind=acc_kind,
            t_gyr=t_gyr_real, gyr=gyr_g.xyz if gyr_g is not None else None,
            name=PurePosixPath(acc_g.member).stem, warnings=warnings)
        # build_stream's time zero is the first kept accelerometer time
        tl = resample.clean_timestamps(t_acc_real)
        zero_real = float(tl.t[0]) if len(tl.t) else float(np.nanmin(t_acc_real))
        if acc_kind == "linear":
            warnings.append(f"{acc_path}: acceleration without gravity (phyphox 'Linear "
                            "Acceleration'); impact and gravity alignment need gravity, "
                            "record 'Acceleration with g' for full results")

        start_utc = None
        if ref is not None:
            e0 = float(ref.start_exp[0])
            try:
                start_utc = datetime.fromtimestamp(float(ref.start_sys[0]) + zero_real - e0,
                                                   tz=UTC)
            except (ValueError, OverflowError, OSError):
                raise GaitInputError(acc_path, f"first time {zero_real:.6g} s puts the start of "
                                     "the recording outside years 1 to 9999",
                                     where="column 'Time (s)'",
                                     expected="times since the START of meta/time.csv") from None
            meta["experiment_start_utc"] = datetime.fromtimestamp(
                float(ref.start_sys[0]), tz=UTC).isoformat()
            if ref.start_text:
                meta["experiment_start_local"] = ref.start_text
            if ref.pauses:
                meta["pauses"] = ref.pauses
                total_p = sum(p["duration_s"] for p in ref.pauses)
                warnings.append(
                    f"{c.member_path(time_member or '')}: the experiment was paused "
                    f"{len(ref.pauses)} time(s), {total_p:.1f} s in all; the pauses are gaps "
                    "(NaN) on the time axis, which follows real time")
        elif time_member is None and (c.is_zip or c.is_dir):
            meta["time_reference"] = "no meta/time.csv: absolute start time unknown"

        for k_src, k_dst in (("version", "app_version"), ("build", "app_build"),
                             ("fileFormat", "file_format"), ("deviceBrand", "device_brand"),
                             ("deviceManufacturer", "device_manufacturer"),
                             ("deviceRelease", "os_release")):
            v = device.get(k_src, "").strip()
            if v and v.lower() != "null":
                meta[k_dst] = v
        sensors: dict[str, dict[str, str]] = {}
        for k, v in device.items():
            m = re.match(r"^(\w+) (Name|Vendor|Range|Resolution|MinDelay|MaxDelay|Power|Version)$",
                         k)
            if m:
                sensors.setdefault(m[1], {})[m[2]] = v
        if sensors:
            meta["sensors"] = sensors
            md = sensors.get("accelerometer", {}).get("MinDelay", "")
            try:
                if float(md) > 0:
                    meta["accelerometer_max_rate_hz"] = round(1e6 / float(md), 1)
            except ValueError:
                pass
        meta["acc_source"] = f"{acc_g.member}: {', '.join(acc_g.cols)}"
        if gyr_g is not None:
            meta["gyr_source"] = f"{gyr_g.member}: {', '.join(gyr_g.cols)}"
        first = next(f for f in files if f.member == acc_g.member)
        meta["delimiter"] = first.delimiter
        meta["decimal_comma"] = first.decimal_comma
        meta["sign_convention"] = "Android (phyphox converts iOS values itself)"
        meta["nominal_rate_hz"] = None
        if c.is_zip or c.is_dir:
            meta["export"] = c.path.name
        sources = [c.member_path(m) for m in sorted(used)]
        sources += [c.member_path(m) for m in (dev_member, time_member) if m]
        model = device.get("deviceModel", "").strip() or None
        if platform is None:
            meta["platform_note"] = "no deviceBrand in meta/device.csv: platform unknown"
        return Recording(streams=[stream], source_format=self.name, app="phyphox",
                         platform=platform, device=model, start_time_utc=start_utc,
                         sources=sources, warnings=warnings, meta=meta)


READER = PhyphoxReader()
