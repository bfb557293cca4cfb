"""MATLAB Mobile (MathWorks) sensor logs: a ``.mat`` file whose variables are timetables.

A log (``sensorlog_YYYYMMDD_HHMMSS.mat``, often renamed) is a MAT v5 file (header
``MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: ...``). Each enabled sensor is a MATLAB
``timetable``: ``Acceleration`` (X, Y, Z in m/s^2 with gravity, device frame with z = +9.81 face
up on both iOS and Android), ``AngularVelocity`` (rad/s), ``MagneticField`` (uT),
``Orientation`` (deg) and ``Position`` (latitude, longitude, altitude, speed, course, hacc). Row
times are ``Timestamp`` datetimes in local time without a time zone.

``scipy.io.loadmat`` cannot decode timetables (they are MCOS objects kept in the file's
"subsystem"); ``mat-io`` (``from matio import load_from_mat``) returns them as pandas DataFrames.
mat-io's v5 parser is derived from scipy's Cython reader without all of its guards: some damaged
files (an unknown data type code, inconsistent sizes in an uncompressed element) crash the
interpreter (SIGBUS/SIGSEGV) instead of raising. So every v5 file is first checked here, in pure
Python: each element's tag, size and data type, every compressed element fully inflated (which
verifies its Adler-32 checksum), dimensions against data lengths, and the subsystem offset.
Only a file that passes is handed to mat-io, inside a broad ``except`` that turns any library
failure into :class:`GaitInputError`. MATLAB Mobile compresses every variable, so every byte
mat-io sees has passed a checksum and it runs in-process (7-20 ms per log). A file with
uncompressed arrays (``save -v6``) or a v7.3 (HDF5) file has no such guarantee - a damaged MCOS
subsystem there made mat-io allocate 12.8 GB or loop for minutes - so mat-io runs in a child
process under an address-space limit and a timeout.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from gait.errors import GaitInputError
from gait.io.base import Container, ReadOptions, build_stream, check_placement
from gait.io.mat_v5 import EXPECTED, inspect_mat, mat_version, short_error
from gait.io.matio_loader import Foreign, load_tables, zone_from_warnings
from gait.recording import Recording

NAME = "matlab_mobile"
APP = "MATLAB Mobile"
SENSORS = ("Acceleration", "AngularVelocity", "MagneticField", "Orientation", "Position")
UNITS = {"Acceleration": "m/s^2", "AngularVelocity": "rad/s", "MagneticField": "uT",
         "Orientation": "deg", "Position": "deg / m / m/s / deg / m"}


def _times_s(df: Any, var: str, path: str) -> tuple[np.ndarray, int | None]:
    """Row times of a timetable in seconds; (times relative to ns origin 0, first epoch ns)."""
    import pandas as pd

    idx = df.index
    if isinstance(idx, pd.DatetimeIndex):
        if idx.tz is not None:
            idx = idx.tz_convert("UTC").tz_localize(None)
        ns = idx.asi8.astype(np.int64)
        nat = idx.isna()
    elif isinstance(idx, pd.TimedeltaIndex):
        ns = idx.asi8.astype(np.int64)
        nat = idx.isna()
    else:
        raise GaitInputError(path, "no row times",
                             where=f"variable {var!r}", expected="a timetable")
    good = ~np.asarray(nat)
    if not good.any():
        raise GaitInputError(path, "no valid row time",
                             where=f"variable {var!r}", expected="Timestamp datetimes")
    t = np.full(len(ns), np.nan)
    t[good] = ns[good].astype(np.float64)
    origin = int(ns[good][0]) if isinstance(idx, pd.DatetimeIndex) else None
    return t, origin


def _xyz(df: Any, var: str, path: str) -> np.ndarray:
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        kind = df.type_name if isinstance(df, Foreign) else type(df).__name__
        raise GaitInputError(path, f"a {kind}, not a timetable",
                             where=f"variable {var!r}", expected="a timetable with X, Y, Z")
    cols = {str(c).upper(): c for c in df.columns}
    missing = [a for a in "XYZ" if a not in cols]
    if missing:
        raise GaitInputError(path, f"no column {missing[0]!r} "
                                   f"(columns: {', '.join(map(str, df.columns))})",
                             where=f"variable {var!r}", expected="columns X, Y, Z")
    try:
        return np.column_stack([np.asarray(df[cols[a]], dtype=np.float64) for a in "XYZ"])
    except (TypeError, ValueError):
        raise GaitInputError(path, "non-numeric values",
                             where=f"variable {var!r}", expected="numbers in X, Y, Z") from None


class MatlabMobileReader:
    """MATLAB Mobile ``.mat`` sensor log."""

    name = NAME

    def sniff(self, c: Container) -> bool:
        if not (c.is_zip or c.is_dir):
            # Any MAT-file is ours: read() names the variables when they are not a log.
            return len(c.names) == 1 and mat_version(c.head_bytes(c.names[0])) is not None
        return bool(self._candidates(c))

    def _candidates(self, c: Container) -> list[str]:
        """Members of a folder/zip that are MAT-files holding Acceleration/AngularVelocity."""
        out = []
        for n in c.names:
            try:
                if mat_version(c.head_bytes(n)) is None:
                    continue
                found = {v for v, _ in inspect_mat(c.read_bytes(n), n).variables}
            except Exception:
                continue
            if found & {"Acceleration", "AngularVelocity"}:
                out.append(n)
        return out

    def read(self, c: Container, opts: ReadOptions) -> Recording:
        try:
            return self._read(c, opts)
        except GaitInputError:
            raise
        except Exception as exc:  # belt and braces: nothing but GaitInputError escapes
            raise GaitInputError(str(c.path), f"cannot read the MATLAB Mobile log "
                                              f"({short_error(exc)})", expected=EXPECTED) from None

    def _read(self, c: Container, opts: ReadOptions) -> Recording:
        if c.is_zip or c.is_dir:
            cands = self._candidates(c)
            if not cands:
                raise GaitInputError(str(c.path), "no MATLAB Mobile log in this folder",
                                     expected=EXPECTED)
            if len(cands) > 1:
                raise GaitInputError(
                    str(c.path), f"{len(cands)} MATLAB Mobile logs here: "
                                 + ", ".join(PurePosixPath(n).name for n in cands[:5]),
                    expected="one .mat file (give the file itself)")
            member = cands[0]
        else:
            member = c.names[0]
        path = c.member_path(member)
        data = c.read_bytes(member)
        if not data:
            raise GaitInputError(path, "the file is empty", expected=EXPECTED)
        info = inspect_mat(data, path)
        found = info.variables
        names = [v for v, _ in found]
        if "Acceleration" not in names:
            listing = ", ".join(f"{v} ({k})" for v, k in found) or "none"
            what = ("AngularVelocity without Acceleration" if "AngularVelocity" in names
                    else "no Acceleration or AngularVelocity timetable")
            raise GaitInputError(path, f"{what}; variables found: {listing}",
                                 expected="timetables named Acceleration and AngularVelocity "
                                          "(a MATLAB Mobile sensor log)")
        wanted = [v for v in SENSORS if v in names]
        tables, lib_warnings = load_tables(c, data, info, wanted, path)
        return _build(path, data, tables, lib_warnings, found, opts)


def _build(path: str, data: bytes, tables: dict[str, Any], lib_warnings: list[str],
           found: list[tuple[str, str]], opts: ReadOptions) -> Recording:
    warns: list[str] = []
    acc_df = tables.get("Acceleration")
    acc = _xyz(acc_df, "Acceleration", path)
    t_acc_ns, origin = _times_s(acc_df, "Acceleration", path)
    zero_ns = float(origin) if origin is not None else float(np.nanmin(t_acc_ns))
    t_acc = (t_acc_ns - zero_ns) / 1e9
    gyr = t_gyr = None
    gyr_df = tables.get("AngularVelocity")
    if gyr_df is not None:
        gyr = _xyz(gyr_df, "AngularVelocity", path)
        t_g_ns, _ = _times_s(gyr_df, "AngularVelocity", path)
        t_gyr = (t_g_ns - zero_ns) / 1e9
    if len(acc) < 2:
        raise GaitInputError(path, f"the Acceleration timetable has {len(acc)} row(s)",
                             where="variable 'Acceleration'", expected="at least 2 samples")
    _check_span(t_acc, path, "Acceleration")
    if t_gyr is not None:
        _check_span(t_gyr, path, "AngularVelocity")
    placement = check_placement(opts.placement)
    stream = build_stream(path, t_acc, acc, placement=placement, acc_kind="total",
                          t_gyr=t_gyr, gyr=gyr, name="phone", warnings=warns)
    switch = rate_switch_note(t_acc)
    if switch:
        warns.append(f"{path}: {switch}; everything was resampled to one "
                     f"{stream.sample_rate_hz:g} Hz grid")
    if gyr is None:
        warns.append(f"{path}: no AngularVelocity timetable (the gyroscope was off in "
                     "MATLAB Mobile); gyroscope-based measures are unavailable")

    zone = zone_from_warnings(lib_warnings)
    meta: dict[str, Any] = {
        "mat_header": data[:116].decode("latin-1").rstrip(" \x00"),
        "variables": {},
        "units": {k: UNITS[k] for k in SENSORS if k in tables},
        "time_zone": zone,
        "frame": "device frame, z = +9.81 m/s^2 face up (MATLAB Mobile, iOS and Android)",
    }
    created = re.search(r"Created on:\s*(.+?)\s*$", meta["mat_header"])
    if created:
        meta["file_created"] = created.group(1)
    plat = re.search(r"Platform:\s*([^,]+)", meta["mat_header"])
    if plat:
        meta["mat_platform"] = plat.group(1).strip()  # the MATLAB that wrote the file
    for v, k in found:
        entry: dict[str, Any] = {"class": k}
        df = tables.get(v)
        if df is not None and hasattr(df, "index"):
            entry["rows"] = len(df)
            entry["columns"] = [str(x) for x in getattr(df, "columns", [])]
            try:
                ts, _ = _times_s(df, v, path)
                ok = np.isfinite(ts)
                if ok.sum() >= 2:
                    d = np.diff(np.sort(ts[ok])) / 1e9
                    entry["rate_hz"] = round(1.0 / float(np.median(d)), 3) if np.median(d) > 0 \
                        else None
            except GaitInputError:
                pass
        meta["variables"][v] = entry
    start_utc = None
    if origin is not None:
        first = datetime.fromtimestamp(origin / 1e9, tz=UTC).replace(tzinfo=None)
        if zone:
            start_utc = first.replace(tzinfo=UTC)
            meta["start_time_local"] = _in_zone(start_utc, zone)
        else:
            meta["start_time_local"] = first.isoformat(timespec="milliseconds")
            meta["start_time_note"] = ("MATLAB Mobile stores local clock times without a time "
                                       "zone; the UTC start is unknown")
    meta["nominal_rate_hz"] = None
    if switch:
        meta["rate_change"] = switch
    meta["sensor_rates_hz"] = {v: e.get("rate_hz") for v, e in meta["variables"].items()
                               if "rate_hz" in e}
    if stream.sample_rate_hz < 20:
        warns.append(f"{path}: sampled at {stream.sample_rate_hz:.3g} Hz, too slow for gait "
                     "analysis (set 50-100 Hz in MATLAB Mobile's sensor settings)")
    return Recording(streams=[stream], source_format=NAME, app=APP, platform=None, device=None,
                     start_time_utc=start_utc, sources=[path], warnings=warns, meta=meta)


def rate_switch_note(t: np.ndarray) -> str | None:
    """A note when the sampling interval switches between ~T and ~2T in long stretches (seen
    in both real MATLAB Mobile logs: 50 Hz stretches and 25 Hz stretches in one file)."""
    t = t[np.isfinite(t)]
    d = np.diff(np.sort(t))
    d = d[d > 0]
    if len(d) < 50:
        return None
    base = float(np.percentile(d, 5))
    q = d / base
    k = np.rint(q)
    near = np.abs(q - k) < 0.25
    one, two = near & (k == 1), near & (k == 2)
    if one.mean() < 0.05 or two.mean() < 0.05:
        return None
    runs = int(np.count_nonzero(two[1:] & ~two[:-1]) + int(two[0]))
    if two.sum() / max(runs, 1) < 10:  # isolated doubled intervals are dropped samples
        return None
    fast = float(np.median(d[one]))
    slow = float(np.median(d[two]))
    share = float(d[two].sum() / d.sum())
    return (f"the sampling rate changed during the recording: {1 / fast:.0f} Hz for "
            f"{100 * (1 - share):.0f} % and {1 / slow:.0f} Hz for {100 * share:.0f} % of the time")


def _in_zone(t_utc: datetime, zone: str) -> str:
    try:
        from zoneinfo import ZoneInfo

        return t_utc.astimezone(ZoneInfo(zone)).isoformat(timespec="milliseconds")
    except Exception:
        return t_utc.isoformat(timespec="milliseconds")


def _check_span(t: np.ndarray, path: str, var: str) -> None:
    """Refuse row times that would make an absurd grid (one corrupt time years away)."""
    ok = np.isfinite(t)
    if ok.sum() < 2:
        raise GaitInputError(path, f"the {var} timetable has fewer than 2 valid row times",
                             where=f"variable {var!r}", expected="at least 2 samples")
    s = np.sort(t[ok])
    d = np.diff(s)
    pos = d[d > 0]
    if len(pos) == 0:
        raise GaitInputError(path, f"all row times of {var!r} are equal",
                             where=f"variable {var!r}", expected="increasing Timestamp values")
    span = float(s[-1] - s[0])
    if span > max(50.0 * len(s) * float(np.median(pos)), 3600.0):
        centre = float(np.median(s))
        i = int(np.nanargmax(np.where(ok, np.abs(t - centre), -np.inf)))
        raise GaitInputError(path, f"row {i + 1} of {var!r} lies {abs(t[i] - centre):.3g} s "
                                   "away from the rest of the recording",
                             where=f"variable {var!r}, row {i + 1}",
                             expected="timestamps of one continuous recording")


READER = MatlabMobileReader()
