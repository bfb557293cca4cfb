"""What every importer shares: the container abstraction, options and the stream builder."""

from __future__ import annotations

import csv
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Literal, Protocol

import numpy as np
import pyarrow as pa

from gait import dsp
from gait.errors import GaitInputError
from gait.io import resample
from gait.io.table import decode, first_line
from gait.recording import MIN_GAIT_HZ, PLACEMENTS, AccKind, G, SensorStream

ACC_UNITS = {"m/s2": 1.0, "m/s^2": 1.0, "g": G, "mg": G / 1000.0}
GYR_UNITS = {"rad/s": 1.0, "deg/s": np.pi / 180.0, "dps": np.pi / 180.0}
TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
MIN_DT_S = 1e-4  # no phone samples faster than 10 kHz: closer times are not a time column
MAX_GRID = 2_000_000  # grid points allowed beyond 50 per source row (long pauses)
#: Bouts of samples separated by pauses (more than PAUSE_S without a sample) are one recording
#: with gaps when each bout lasts at least MIN_BOUT_S (a corrupt time is a bout of one sample)
#: and the whole grid holds at most MAX_PAUSE_GRID points (11.6 h at 100 Hz; the gaps are NaN).
PAUSE_S = 10.0
MIN_BOUT_S = 1.0
MAX_PAUSE_GRID = 1 << 22
#: No phone sensor reads near this in any unit (g, mg, m/s^2, rad/s, deg/s): a larger value is a
#: corrupt cell, and its square or sum would overflow float64 (NumPy RuntimeWarnings).
MAX_ABS_SAMPLE = 1e6  # 100,000 g; 400 g in mg is 392,000
#: Zip limits, checked from the archive's directory before anything is decompressed: the
#: members' total uncompressed size (a day of a phone's four sensors at 100 Hz is ~2 GB of CSV,
#: more than a whole-file read can hold; an hour is ~90 MB), the ratio of uncompressed to
#: compressed size (phone CSVs compress 3-10 x; a zip bomb thousands of times), and the count.
MAX_ZIP_BYTES = 512 << 20
MAX_ZIP_RATIO = 100.0
MAX_ZIP_MEMBERS = 10_000
ZIP_PIECE = 1 << 20  # members are decompressed this much at a time
#: What reading a damaged zip (or an unsupported compression method) raises.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError)


@dataclass
class ReadOptions:
    """User choices that readers honour (most only matter to the generic CSV reader)."""

    placement: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # canonical name -> column in file
    acc_unit: str | None = None  # None: the format's own / m/s2 for generic CSV
    gyr_unit: str | None = None
    time_unit: str | None = None
    delimiter: str | None = None


class Container:
    """A file, a folder or a zip seen as a set of named members (POSIX relative names)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.is_zip = path.is_file() and zipfile.is_zipfile(path)
        self.is_dir = path.is_dir()
        self._zip: zipfile.ZipFile | None = None
        if self.is_zip:
            try:
                self._zip = zipfile.ZipFile(path)
                try:
                    check_zip_limits(path, self._zip.infolist())
                except GaitInputError:
                    self._zip.close()
                    raise
                locked = [i.filename for i in self._zip.infolist() if i.flag_bits & 0x1]
                if locked:  # zipfile raises RuntimeError on reading these: refuse up front
                    self._zip.close()
                    raise GaitInputError(path, f"zip member {locked[0]!r} is password-protected",
                                         expected="a zip without a password")
                bad = self._zip.testzip() if path.stat().st_size < 50_000_000 else None
            except ZIP_ERRORS as exc:
                raise GaitInputError(path, f"broken zip archive ({exc})",
                                     expected="a complete zip file") from None
            if bad is not None:
                raise GaitInputError(path, f"zip member {bad!r} is corrupt",
                                     expected="a complete zip file")
        elif path.is_file() and path.suffix.lower() == ".zip":
            raise GaitInputError(path, "not a readable zip archive (truncated or damaged)",
                                 expected="a complete zip file")

    @cached_property
    def names(self) -> list[str]:
        if self._zip is not None:
            return [n for n in self._zip.namelist()
                    if not n.endswith("/") and "__MACOSX" not in n
                    and not PurePosixPath(n).name.startswith("._")]
        if self.is_dir:
            return sorted(p.relative_to(self.path).as_posix() for p in self.path.rglob("*")
                          if p.is_file() and not p.name.startswith("."))
        return [self.path.name]

    def read_bytes(self, name: str) -> bytes:
        try:
            if self._zip is not None:
                return self._read_member(name)
            if self.is_dir:
                return (self.path / name).read_bytes()
            return self.path.read_bytes()
        except ZIP_ERRORS as exc:
            raise GaitInputError(self.member_path(name), f"cannot read ({exc})",
                                 expected="a readable file") from None

    def _read_member(self, name: str) -> bytes:
        """A zip member, decompressed :data:`ZIP_PIECE` at a time into a buffer of its
        declared size (zipfile never yields more than that, and checks the CRC at the end)."""
        assert self._zip is not None
        info = self._zip.getinfo(name)
        buf = bytearray(info.file_size)
        view = memoryview(buf)
        n = 0
        with self._zip.open(info) as fh:
            while n < len(buf):
                got = fh.readinto(view[n:n + ZIP_PIECE])
                if not got:
                    break
                n += got
            fh.read(1)  # at the end: zipfile checks the CRC here
        view.release()
        del buf[n:]
        return bytes(buf)

    def head(self, name: str, n_bytes: int = 65536) -> str:
        return decode(self.head_bytes(name, n_bytes))

    def head_bytes(self, name: str, n_bytes: int = 128) -> bytes:
        """The first raw bytes of a member (for binary formats)."""
        try:
            if self._zip is not None:
                with self._zip.open(name) as fh:
                    return fh.read(n_bytes)
            p = self.path / name if self.is_dir else self.path
            with open(p, "rb") as fh:
                return fh.read(n_bytes)
        except ZIP_ERRORS as exc:
            raise GaitInputError(self.member_path(name), f"cannot read ({exc})",
                                 expected="a readable file") from None

    def first_line(self, name: str) -> str:
        return first_line(self.head(name, 8192)).strip()

    def member_path(self, name: str) -> str:
        if self.is_dir:
            return str(self.path / name)
        if self._zip is not None:
            return f"{self.path}!{name}"
        return str(self.path)

    def find(self, basename: str) -> str | None:
        """The member whose file name (any folder) equals basename, case-insensitive."""
        b = basename.lower()
        for n in self.names:
            if PurePosixPath(n).name.lower() == b:
                return n
        return None




def check_zip_limits(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip whose directory promises too much: more than :data:`MAX_ZIP_MEMBERS`
    members, :data:`MAX_ZIP_BYTES` uncompressed, or (past 1 MB) more than
    :data:`MAX_ZIP_RATIO` times its compressed size. Nothing is decompressed."""
    if len(infos) > MAX_ZIP_MEMBERS:
        raise GaitInputError(path, f"the zip holds {len(infos)} members",
                             expected=f"an export of at most {MAX_ZIP_MEMBERS} files")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > 1 << 20 and total > MAX_ZIP_RATIO * max(packed, 1):
        raise GaitInputError(path, f"the zip expands {total / max(packed, 1):.0f} times "
                             f"({packed / 2**20:.1f} MB to {total / 2**20:.0f} MB)",
                             expected=f"a compression ratio of at most {MAX_ZIP_RATIO:.0f} "
                                      "(a zip bomb?)")
    if total > MAX_ZIP_BYTES:
        raise GaitInputError(path, f"the zip expands to {total / 2**20:.0f} MB",
                             expected=f"at most {MAX_ZIP_BYTES >> 20} MB uncompressed (unzip "
                                      "a longer recording and give its CSV)")


def drop_partial_last_line(raw: bytes, delimiter: str, n_fields: int, path: str,
                           warnings: list[str]) -> bytes:
    """Drop a last line that was cut short (no final newline and fewer fields than the header).

    Phones killed while writing leave such a line; everything before it is still good.
    """
    if raw.endswith((b"\n", b"\r")):
        return raw
    cut = raw.rfind(b"\n")
    if cut < 0:
        return raw
    if raw[cut + 1:].count(delimiter.encode()) + 1 < n_fields:
        warnings.append(f"{path}: the last line is incomplete (the file was cut short); "
                        "it was ignored")
        return raw[: cut + 1]
    return raw


def drop_absurd(x: np.ndarray, path: str, what: str, warnings: list[str] | None) -> np.ndarray:
    """``x`` with values beyond +-:data:`MAX_ABS_SAMPLE` (corrupt cells) set to NaN (missing),
    and one warning saying how many; ``x`` itself is returned when there are none."""
    if x.size and x.min() >= -MAX_ABS_SAMPLE and x.max() <= MAX_ABS_SAMPLE:
        return x  # (NaN anywhere fails this quick test: then every value is looked at)
    with np.errstate(invalid="ignore"):
        bad = np.abs(x) > MAX_ABS_SAMPLE
    n = int(np.count_nonzero(bad))
    if not n:
        return x
    if warnings is not None:
        warnings.append(f"{path}: {n} {what} value(s) beyond +-{MAX_ABS_SAMPLE:.0e} (corrupt "
                        "cells) were treated as missing")
    return np.where(bad, np.nan, x)


def check_time_span(t: np.ndarray, path: str, first_line_no: int | None = None,
                    what: str = "time") -> None:
    """Refuse timestamps that would make an absurd grid.

    One corrupted value years away, or a column that is not time at all (spacing of
    microseconds), would make the resampler allocate billions of points. ``t`` is in seconds
    (NaN = invalid); row i is on line ``first_line_no + i`` (unknown when None).
    """
    ok = np.isfinite(t)
    n = int(ok.sum())
    if n < 2:
        return
    s = t if n == len(t) else t[ok]
    if not np.all(s[1:] >= s[:-1]):  # sorted already (the usual case): no sort needed
        s = np.sort(s)
    d = np.diff(s)
    up = d > 0
    pos = d if up.all() else d[up]
    if len(pos) == 0:
        return
    med = float(np.median(pos))
    if med < MIN_DT_S:
        raise GaitInputError(
            path, f"{what}: consecutive times are only {med:.3g} s apart "
            f"({1 / med:.3g} samples per second)", where=f"column {what!r}",
            expected=f"a time column in seconds (at most {1 / MIN_DT_S:.0f} Hz)")
    span = float(s[-1] - s[0])
    if span <= max(50.0 * n * med, 3600.0) and span / med <= max(50.0 * n, MAX_GRID):
        return
    pause = _pause_between_bouts(s, d, med)
    if pause is not None:
        if span / med <= MAX_PAUSE_GRID:
            return  # bouts with long pauses between them: the pauses are gaps (missing data)
        raise GaitInputError(
            path, f"{what}: a pause of {pause:.3g} s between bouts makes {span / med:.3g} "
            "samples to read at once", where=f"column {what!r}",
            expected=f"at most {MAX_PAUSE_GRID * med:.3g} s from the first to the last sample "
                     "at this rate (split the file at the pause)")
    centre = float(np.median(s))
    dev = np.where(ok, np.abs(t - centre), -np.inf)
    i = int(np.argmax(dev))
    raise GaitInputError(
        path, f"{what} value {t[i]:.6g} s lies {dev[i]:.3g} s away from the rest of the recording",
        where=f"line {first_line_no + i}" if first_line_no is not None else f"row {i + 1}",
        expected="timestamps of one continuous recording")


def _pause_between_bouts(s: np.ndarray, d: np.ndarray, med: float) -> float | None:
    """The longest pause when the sorted times ``s`` (``d``: their differences) are bouts of
    real samples, each at least :data:`MIN_BOUT_S` long, separated by pauses of more than
    :data:`PAUSE_S` and 100 sample periods; None when some run is too short (a corrupt time
    is a run of one)."""
    breaks = np.flatnonzero(d > max(PAUSE_S, 100.0 * med))
    if not len(breaks):
        return None
    edges = np.concatenate([[0], breaks + 1, [len(s)]])
    first, last = edges[:-1], edges[1:] - 1
    if np.any(s[last] - s[first] < MIN_BOUT_S) or np.any(last - first + 1 < 10):
        return None
    return float(d[breaks].max())


def low_rate_warning(rate_hz: float, path: str) -> str | None:
    """A warning when the rate is too slow for gait analysis (< 20 Hz)."""
    if rate_hz < MIN_GAIT_HZ:
        return (f"{path}: sampled at {rate_hz:.3g} Hz, far too slow for gait analysis "
                f"(at least {MIN_GAIT_HZ:.0f} Hz, ideally 100 Hz); step timing and impacts "
                "will be unreliable")
    return None


@contextmanager
def input_errors(path: str, expected: str) -> Iterator[None]:
    """Turn low-level parser/archive failures into :class:`GaitInputError`."""
    try:
        yield
    except GaitInputError:
        raise
    except (pa.ArrowException, csv.Error, UnicodeError, zipfile.BadZipFile, zlib.error,
            EOFError, OSError, NotImplementedError) as exc:
        msg = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise GaitInputError(path, f"cannot read ({msg})", expected=expected) from None


def first_valid_line(mask: np.ndarray) -> int:
    """Index of the first True in mask (mask must have one)."""
    return int(np.argmax(mask))


#: Units an acceleration export may really be in, tried when its gravity is not ~9.8 m/s^2:
#: (name, factor to what was read). "m/s^2": m/s^2 declared as g (converted twice).
GRAVITY_UNITS = (("g", G), ("mg", G / 1000.0), ("m/s^2", 1.0 / G))
GravityUnit = tuple[str, float]  # (name, factor to m/s^2): a unit of GRAVITY_UNITS
REST_G_TOL = 0.15  # |a| at rest within +-15 % of 1 g in the candidate unit
MEDIAN_G_TOL = 0.3  # median |a| of the whole recording within +-30 % of 1 g
MEAN_VEC_G_MIN = 0.5  # |mean acceleration vector| at least 0.5 g (gravity is in it)


def gravity_unit(acc: np.ndarray, fs: float) -> tuple[str, float] | None:
    """The unit that a total acceleration (gravity included) given as m/s^2 is really in,
    judged by gravity, as (name, factor to m/s^2); None when gravity is ~9.8 already or the
    numbers fit no unit of :data:`GRAVITY_UNITS`.

    A unit fits when, converted, |a| over the quietest second (:func:`rest_stats`) is within
    :data:`REST_G_TOL` of 1 g, the median |a| of the recording within :data:`MEDIAN_G_TOL` of
    it, and the mean acceleration vector at least :data:`MEAN_VEC_G_MIN` g (gravity, whose
    direction changes little, is in it; a gravity-free acceleration of ~1 m/s^2 averages out
    to near zero, so it is never taken for g).
    """
    ok = dsp.finite_rows(acc)
    if ok.sum() < 3:
        return None
    a = acc[ok]
    rest = rest_stats(a, fs)[0]
    med = float(np.median(dsp.row_norms(a)))
    mean_vec = float(np.linalg.norm(a.mean(axis=0)))
    if not np.isfinite(rest) or abs(rest / G - 1.0) <= REST_G_TOL:
        return None
    for name, f in GRAVITY_UNITS:
        if (abs(rest * f / G - 1.0) <= REST_G_TOL and abs(med * f / G - 1.0) <= MEDIAN_G_TOL
                and mean_vec * f >= MEAN_VEC_G_MIN * G):
            return name, f
    return None


class Reader(Protocol):
    """One importer. ``sniff`` looks at content only; ``read`` builds the Recording."""

    name: str

    def sniff(self, c: Container) -> bool: ...

    def read(self, c: Container, opts: ReadOptions): ...


def check_placement(p: str | None, default: str = "unknown") -> str:
    p = p or default
    if p not in PLACEMENTS:
        raise GaitInputError(None, f"unknown placement {p!r}", expected=", ".join(PLACEMENTS))
    return p


def build_stream(path: str, t_acc: np.ndarray, acc: np.ndarray, **kw) -> SensorStream:
    """Clean timestamps, resample to a uniform grid, merge the gyroscope onto that grid.

    Keyword arguments are those of :func:`_build_stream`. Numeric failures on odd input
    (absurd times, shapes) become :class:`GaitInputError` naming ``path``.
    """
    try:
        return _build_stream(path, t_acc, acc, **kw)
    except GaitInputError:
        raise
    except (ValueError, FloatingPointError, IndexError, MemoryError) as exc:
        raise GaitInputError(path, f"cannot build a uniform stream ({exc})",
                             expected="increasing times and numeric samples") from None


def _build_stream(
    path: str,
    t_acc: np.ndarray,
    acc: np.ndarray,
    *,
    placement: str,
    acc_kind: AccKind = "total",
    t_gyr: np.ndarray | None = None,
    gyr: np.ndarray | None = None,
    nominal_hz: float | None = None,
    name: str = "",
    t_zero: float | None = None,
    warnings: list[str] | None = None,
    gravity: GravityUnit | Literal["check"] | None = "check",
    copy: bool = True,
) -> SensorStream:
    """The work of :func:`build_stream`.

    ``t_zero`` is the recording's time zero (default: the first accelerometer time).
    ``warnings`` collects import warnings (prefixed with the source path). ``gravity``: "check"
    judges a total acceleration's unit by its gravity (:func:`gravity_unit`; a unit found is
    applied with a warning); a (name, factor) decided already (on another part of the same
    recording: :mod:`gait.io.chunks`) is applied without judging again or warning; None reads
    the numbers as they are. The unit goes into ``info["acc_unit_from_gravity"]`` either way.
    ``copy=False``: ``acc`` and ``gyr`` are the caller's to give away (the stream may hold
    them: no copy when they are on the grid already).
    """
    warn = warnings if warnings is not None else []
    t_acc = np.asarray(t_acc, dtype=np.float64)
    acc = drop_absurd(np.asarray(acc, dtype=np.float64), path, "acceleration", warn)
    if gyr is not None:
        gyr = drop_absurd(np.asarray(gyr, dtype=np.float64), path, "gyroscope", warn)
    check_time_span(t_acc, path)
    if gyr is not None and t_gyr is not None:
        check_time_span(np.asarray(t_gyr, dtype=np.float64), f"{path} (gyroscope)")
    tl = resample.clean_timestamps(t_acc)
    if len(tl.t) < 2:
        raise GaitInputError(path, f"only {len(tl.t)} sample(s) with a valid time",
                             expected="at least 2 samples")
    a = tl.apply(acc)
    warn.extend(f"{path}: {w}" for w in tl.warnings)
    zero = float(tl.t[0]) if t_zero is None else float(t_zero)
    t = tl.t - zero
    start, fs, acc_u, gaps, info = resample.to_uniform(t, a, nominal_hz=nominal_hz, copy=copy)
    checked = gravity == "check"
    unit = (gravity_unit(acc_u, fs) if checked else gravity) if acc_kind == "total" else None
    if unit is not None:  # the numbers are not m/s^2: gravity says which unit they are in
        if checked:
            rest = rest_stats(acc_u[np.all(np.isfinite(acc_u), axis=1)], fs)[0]
            warn.append(f"{path}: acceleration at rest {rest:.3g}, not ~9.81 m/s^2 (gravity): "
                        f"the values look like {unit[0]}; read as {unit[0]} (x {unit[1]:.6g})")
        acc_u = acc_u * unit[1]
        info["acc_unit_from_gravity"] = unit[0]
    gyr_u = None
    if gyr is not None:
        # the gyroscope on the accelerometer's times: the same cleaning (a pure function of t)
        tlg = tl if t_gyr is None else resample.clean_timestamps(t_gyr)
        if len(tlg.t) >= 2:
            g = tlg.apply(gyr)
            warn.extend(f"{path} (gyroscope): {w}" for w in tlg.warnings)
            same = tlg is tl  # then tlg.t - zero is t, and with zero 0 tlg.t is t too
            g_rate = (info["measured_rate_hz"] if same and zero == 0.0
                      else resample.measured_rate(tlg.t))
            gyr_u, gmask = resample.interpolate(t if same else tlg.t - zero, g, start, fs,
                                               len(acc_u),
                                               max_gap_s=max(5.0 / g_rate, 5.0 / fs, 0.03),
                                               copy=copy)
            info["gyr_measured_rate_hz"] = g_rate
            sampled = ~np.isnan(acc_u[:, 0])  # gaps of both sensors do not count
            uncovered = float(gmask[sampled].mean()) if sampled.any() else 0.0
            if uncovered > 0.5:
                warn.append(f"{path}: the gyroscope covers only {100 * (1 - uncovered):.0f} % "
                            "of the accelerometer's time")
    info.update(
        source=path,
        n_raw=tl.n_raw,
        n_duplicates=tl.n_duplicates,
        n_backwards=tl.n_backwards,
        n_nan_time=tl.n_nan_time,
        resample_method="linear interpolation onto a uniform grid; gaps > max(5/fs, 30 ms) NaN",
    )
    if gaps:
        missing = sum(g.n_samples for g in gaps) / fs
        warn.append(f"{path}: {len(gaps)} gap(s) without samples, {missing:.2f} s in all "
                    "(kept as NaN)")
    return SensorStream(placement=placement, sample_rate_hz=fs, acc=acc_u, gyr=gyr_u,
                        start_s=start, acc_kind=acc_kind, gaps=gaps, name=name, info=info)


def rest_stats(acc: np.ndarray, fs: float) -> tuple[float, float]:
    """(median, SD) of |acc| over the quietest second of the recording."""
    mag = dsp.row_norms(acc)
    w = max(round(fs), 3)
    if len(mag) < w or np.all(np.isnan(mag)):
        return (float(np.nanmedian(mag)) if len(mag) else float("nan")), float("nan")
    from numpy.lib.stride_tricks import sliding_window_view

    win = sliding_window_view(mag, w)[:: max(w // 4, 1)]
    with warnings.catch_warnings():  # windows inside a gap are all NaN: skipped below
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = np.nanstd(win, axis=1)
    sd[np.isnan(sd)] = np.inf
    i = int(np.argmin(sd))
    return float(np.nanmedian(win[i])), float(sd[i])


def at_rest_gravity(acc: np.ndarray, fs: float) -> float:
    """|acc| median over the quietest second: about 9.81 when gravity is included."""
    return rest_stats(acc, fs)[0]
