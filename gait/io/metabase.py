"""MbientLab MetaBase exports (MetaWear / MetaMotion wearable IMUs, exported by a phone app).

One CSV per sensor and session, e.g.
``<session>_MetaWear_2022-08-05T15.26.10.877_C8A8C8F4B5E1_Accelerometer_1.4.5.csv`` beside
``..._Gyroscope_1.4.5.csv``. Every file starts with the same three time columns::

    epoc (ms),timestamp (-0500),elapsed (s),x-axis (g),y-axis (g),z-axis (g)
    1659731173153,2022-08-05T15.26.13.153,0.000,-0.012,0.998,0.031

``epoc (ms)`` is Unix time in ms (the time base used here), ``timestamp`` the same instant as
local time with dots and the UTC offset in the header (iOS builds write ``GMT-05:00``),
``elapsed (s)`` seconds since the first row. Value columns: accelerometer in g *with* gravity
(+1 g on the up axis at rest, Bosch convention, like Android), gyroscope in deg/s; sensor fusion
writes ``Linear Acceleration`` and ``Gravity`` files with the same g header (fusion excludes the
raw accelerometer/gyroscope). Older exports spell the first fields ``epoch (ms),time (-05:00)``.

Given one file, the reader loads its whole session: the accelerometer (or Linear Acceleration +
Gravity) plus the gyroscope from files in the same folder with the same name prefix (when the
names carry the sensor) and an overlapping epoch range. Given a folder or zip, it reads the one
session in it. The MetaMotion's own axes are kept (it is not a phone): g -> m/s^2 and
deg/s -> rad/s only.

Size: one format reader (its variants, units, clock and checks), as every reader in gait.io.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from gait.errors import GaitInputError
from gait.io.base import Container, ReadOptions, build_stream, check_placement, rest_stats
from gait.io.table import decode, read_table, split_header
from gait.recording import G, Recording

NAME = "metabase"
APP = "MbientLab MetaBase"
EXPECTED = "a MetaBase CSV: epoc (ms),timestamp (...),elapsed (s),x-axis (g),y-axis (g),z-axis (g)"
SENSOR_NAMES = ("Accelerometer", "Gyroscope", "Magnetometer", "Linear Acceleration", "Gravity",
                "Euler Angles", "Quaternion", "Pressure", "Temperature", "Humidity",
                "Ambient Light", "Color", "Proximity")
_SENSOR_RE = re.compile(  # the last sensor name in the file name wins (greedy prefix)
    r"^(?:(?P<prefix>.*)[_\- ])?(?P<sensor>" + "|".join(re.escape(s) for s in SENSOR_NAMES)
    + r")(?:[_\- ](?P<fw>\d+(?:\.\d+)+))?(?:[_\- ].*)?$", re.IGNORECASE)
_MAC_RE = re.compile(r"(?:^|_)([0-9A-F]{12})(?:_|$)")
_AXIS_RE = re.compile(r"^([xyz])-axis\s*\((.*)\)$", re.IGNORECASE)
_ZONE_RE = re.compile(r"([+-])(\d{1,2}):?(\d{2})?")
ACC_SCALE = {"g": G, "m/s^2": 1.0, "m/s2": 1.0, "m/s²": 1.0}
GYR_SCALE = {"deg/s": np.pi / 180.0, "°/s": np.pi / 180.0, "dps": np.pi / 180.0, "rad/s": 1.0}
EPOCH_MS_MIN, EPOCH_MS_MAX = 1e11, 1e13  # 1973 .. 2286
MAX_SIBLINGS = 2000


def is_metabase_header(line: str) -> bool:
    """True for a MetaBase CSV header (``epoc (ms)`` first; ``epoch (ms)`` with elapsed/axes)."""
    fields = [f.strip().strip('"').lower() for f in line.split(",")]
    if not fields:
        return False
    if fields[0] == "epoc (ms)":
        return True
    return (fields[0] == "epoch (ms)" and len(fields) >= 4 and fields[2] == "elapsed (s)"
            and any(_AXIS_RE.match(f) for f in fields[3:]))


@dataclass
class _File:
    """One MetaBase CSV of a folder / zip / the folder around a given file."""

    label: str  # path for messages
    name: str  # file name
    load: Callable[[], bytes]
    header: list[str]
    kind: str  # "g" (acceleration-like), "gyr", "mag", "other"
    role: str | None  # from the name: acc / lin / grav / gyr / other; None if the name is plain
    prefix: str | None  # session prefix from the name (None: no sensor name in it)
    firmware: str | None
    t_first: float | None = None  # epoch ms of the first / last data row (cheap look)
    t_last: float | None = None
    info: dict[str, Any] = field(default_factory=dict)


def _role(sensor: str | None) -> str | None:
    if sensor is None:
        return None
    s = sensor.lower()
    return {"accelerometer": "acc", "linear acceleration": "lin", "gravity": "grav",
            "gyroscope": "gyr"}.get(s, "other")


def _kind(header: list[str]) -> str:
    units = [m.group(2).strip().lower() for m in (_AXIS_RE.match(h) for h in header) if m]
    if not units:
        return "other"
    u = units[0]
    if u in ACC_SCALE:
        return "g"
    if u in GYR_SCALE:
        return "gyr"
    if u in ("t", "ut", "µt"):
        return "mag"
    return "unknown"  # axis columns in a unit we do not know: read() reports it


def _make_file(label: str, name: str, head: str, load: Callable[[], bytes],
               tail: Callable[[], bytes] | None) -> _File | None:
    lines = head.splitlines()
    if not lines or not is_metabase_header(lines[0]):
        return None
    header = split_header(lines[0], ",")
    stem = PurePosixPath(name).stem
    m = _SENSOR_RE.match(stem)
    prefix = sensor = fw = None
    if m:
        prefix, sensor, fw = m.group("prefix") or "", m.group("sensor"), m.group("fw")
    f = _File(label, name, load, header, _kind(header), _role(sensor), prefix, fw)
    f.t_first = _first_field(lines[1] if len(lines) > 1 else "")
    if tail is not None:
        try:
            tl = [x for x in decode(tail()).splitlines() if x.strip()]
            f.t_last = _first_field(tl[-1]) if tl else None
        except Exception:
            f.t_last = None
    return f


def _first_field(line: str) -> float | None:
    try:
        v = float(line.split(",", 1)[0].strip().strip('"'))
    except ValueError:
        return None
    return v if EPOCH_MS_MIN < v < EPOCH_MS_MAX else None


def _tail_of(p: Path, n: int = 4096) -> Callable[[], bytes]:
    def read() -> bytes:
        with open(p, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - n))
            return fh.read()

    return read


def _files_in_container(c: Container) -> list[_File]:
    out = []
    for n in c.names[:MAX_SIBLINGS]:
        try:
            head = c.head(n, 4096)
            f = _make_file(c.member_path(n), PurePosixPath(n).name, head,
                           (lambda n=n: c.read_bytes(n)), (lambda n=n: c.read_bytes(n)[-4096:]))
        except GaitInputError:
            raise
        except Exception:
            continue
        if f is not None:
            out.append(f)
    return out


def _siblings(anchor: Path) -> list[_File]:
    out = []
    try:
        entries = sorted(anchor.parent.iterdir())[:MAX_SIBLINGS]
    except OSError:
        return out
    for p in entries:
        try:
            if p == anchor or not p.is_file() or p.name.startswith("."):
                continue
            with open(p, "rb") as fh:
                head = decode(fh.read(4096))
            f = _make_file(str(p), p.name, head, p.read_bytes, _tail_of(p))
        except Exception:
            continue
        if f is not None:
            out.append(f)
    return out


def _overlap(a: _File, b: _File) -> float:
    """Overlap of the epoch ranges as a fraction of the shorter one (0 when unknown)."""
    if None in (a.t_first, a.t_last, b.t_first, b.t_last):
        return 0.0
    lo = max(a.t_first, b.t_first)  # type: ignore[type-var]
    hi = min(a.t_last, b.t_last)  # type: ignore[type-var]
    shorter = min(a.t_last - a.t_first, b.t_last - b.t_first)  # type: ignore[operator]
    if hi <= lo:
        return 0.0
    return 1.0 if shorter <= 0 else float((hi - lo) / shorter)


def _same_session(a: _File, b: _File) -> bool:
    if a.prefix is not None and b.prefix is not None and a.prefix.lower() != b.prefix.lower():
        return False
    return _overlap(a, b) >= 0.5


def _best(anchor: _File, files: list[_File], want: Callable[[_File], bool]) -> _File | None:
    cands = [f for f in files if f is not anchor and want(f) and _same_session(anchor, f)]
    if not cands:
        return None
    return max(cands, key=lambda f: _overlap(anchor, f))


class MetaBaseReader:
    """MbientLab MetaBase CSV export (one file, a folder or a zip)."""

    name = NAME

    def sniff(self, c: Container) -> bool:
        if not (c.is_zip or c.is_dir):
            return len(c.names) == 1 and is_metabase_header(c.first_line(c.names[0]))
        return any(f.kind == "g" for f in _files_in_container(c))

    def read(self, c: Container, opts: ReadOptions) -> Recording:
        try:
            return _read(c, opts)
        except GaitInputError:
            raise
        except Exception as exc:  # nothing but GaitInputError may escape a reader
            msg = str(exc).splitlines()[0][:120] if str(exc) else ""
            raise GaitInputError(str(c.path), f"cannot read the MetaBase export "
                                              f"({type(exc).__name__}: {msg})",
                                 expected=EXPECTED) from None


def _read(c: Container, opts: ReadOptions) -> Recording:
    warns: list[str] = []
    if c.is_zip or c.is_dir:
        files = _files_in_container(c)
        accs = [f for f in files if f.kind == "g" and f.role in ("acc", None)]
        lins = [f for f in files if f.kind == "g" and f.role == "lin"]
        pool = accs or lins
        if not pool:
            raise GaitInputError(str(c.path), "no MetaBase accelerometer file here",
                                 expected="an ..._Accelerometer.csv MetaBase export")
        if len(pool) > 1:
            raise GaitInputError(
                str(c.path), f"{len(pool)} MetaBase acceleration files (several sessions or "
                             "boards): " + ", ".join(f.name for f in pool[:4]),
                expected="one session per folder (or give the accelerometer file itself)")
        anchor = pool[0]
    else:
        member = c.names[0]
        head = c.head(member, 4096)
        anchor_f = _make_file(c.member_path(member), Path(member).name, head,
                              lambda: c.read_bytes(member), _tail_of(c.path))
        if anchor_f is None:
            raise GaitInputError(c.member_path(member), "not a MetaBase CSV header",
                                 where="line 1", expected=EXPECTED)
        files = [anchor_f, *_siblings(c.path)]
        anchor = anchor_f
        if anchor.kind in ("gyr", "mag", "other") or anchor.role == "grav":
            # A gyroscope (or other) file of a session: load the session's acceleration.
            acc = _best(anchor, files, lambda f: f.kind == "g" and f.role in ("acc", None)) \
                or _best(anchor, files, lambda f: f.kind == "g" and f.role == "lin")
            if acc is None:
                what = ("a MetaBase Gravity file" if anchor.role == "grav"
                        else f"a MetaBase file without acceleration (columns "
                             f"{', '.join(anchor.header[3:6])})")
                raise GaitInputError(anchor.label, f"{what}, and no accelerometer file of the "
                                                   "same session beside it",
                                     where="line 1", expected=EXPECTED)
            warns.append(f"{anchor.label}: not an accelerometer file; read the session's "
                         f"acceleration from {acc.name}")
            anchor = acc

    acc_t, acc_xyz = _read_xyz(anchor, ACC_SCALE, warns)
    acc_kind = "total"
    meta: dict[str, Any] = {"files": {}, "sensor": "MbientLab MetaWear / MetaMotion"}
    sources = [anchor.label]
    role = anchor.role
    if role is None:
        fs_guess = _rate(acc_t)
        rest, _sd = rest_stats(acc_xyz, fs_guess)
        if rest < 0.3 * G:
            role = "lin"
            meta["linear_detected_from_content"] = True
    meta["files"]["acceleration"] = anchor.name
    if role == "lin":
        grav = _best(anchor, files, lambda f: f.kind == "g" and f.role == "grav")
        if grav is not None:
            g_t, g_xyz = _read_xyz(grav, ACC_SCALE, warns)
            acc_xyz = acc_xyz + np.column_stack(
                [np.interp(acc_t, g_t, g_xyz[:, j]) for j in range(3)])
            sources.append(grav.label)
            meta["files"]["gravity"] = grav.name
            meta["acc_source"] = ("sensor fusion Linear Acceleration + Gravity (their sum is the "
                                  "total acceleration)")
        else:
            acc_kind = "linear"
            meta["acc_source"] = "sensor fusion Linear Acceleration (gravity removed)"
            warns.append(f"{anchor.label}: linear acceleration only (gravity removed by the "
                         "sensor fusion); impact and gravity-alignment measures need gravity - "
                         "export the Gravity stream too, or record the raw Accelerometer")
    else:
        meta["acc_source"] = "Accelerometer (includes gravity)"

    gyr = t_gyr = None
    gf = _best(anchor, files, lambda f: f.kind == "gyr")
    if gf is not None:
        try:
            t_gyr, gyr = _read_xyz(gf, GYR_SCALE, warns)
            sources.append(gf.label)
            meta["files"]["gyroscope"] = gf.name
        except GaitInputError as exc:
            warns.append(f"{gf.label}: the gyroscope file could not be read ({exc.what}"
                         f"{', ' + exc.where if exc.where else ''}); loaded without gyroscope")
            t_gyr = gyr = None
    else:
        warns.append(f"{anchor.label}: no gyroscope file of this session (same name prefix and "
                     "time range) was found; gyroscope-based measures are unavailable")

    e0 = float(acc_t[0])
    placement = check_placement(opts.placement)
    stream = build_stream(
        anchor.label, (acc_t - e0) / 1000.0, acc_xyz, placement=placement, acc_kind=acc_kind,
        t_gyr=None if t_gyr is None else (t_gyr - e0) / 1000.0, gyr=gyr, name="metawear",
        warnings=warns)

    start = datetime.fromtimestamp(e0 / 1000.0, tz=UTC)
    zone = _zone(anchor.header[1] if len(anchor.header) > 1 else "")
    meta.update(_name_meta(anchor))
    meta["utc_offset"] = None if zone is None else _fmt_offset(zone)
    meta["start_time_local"] = (start.astimezone(timezone(zone)) if zone is not None
                                else start).isoformat(timespec="milliseconds")
    meta["time_base"] = "epoc (ms): Unix time in milliseconds"
    meta["frame"] = "MetaWear board axes (not a phone); +1 g on the up axis at rest"
    meta["sensor_rates_hz"] = {"acceleration": round(stream.info["measured_rate_hz"], 3)}
    if "gyr_measured_rate_hz" in stream.info:
        meta["sensor_rates_hz"]["gyroscope"] = round(stream.info["gyr_measured_rate_hz"], 3)
    device = "MbientLab MetaWear"
    if meta.get("mac"):
        device += f" {meta['mac']}"
    return Recording(streams=[stream], source_format=NAME, app=APP, platform=None, device=device,
                     start_time_utc=start, sources=sources, warnings=warns, meta=meta)


def _read_xyz(f: _File, scales: dict[str, float], warns: list[str]
              ) -> tuple[np.ndarray, np.ndarray]:
    """(epoch ms sorted, with shared timestamps spread; N x 3 values in SI units)."""
    header = f.header
    tcol = header[0]
    cols: dict[str, str] = {}
    unit = None
    for h in header[3:]:
        m = _AXIS_RE.match(h)
        if m and m.group(1).lower() not in cols:
            cols[m.group(1).lower()] = h
            unit = unit or m.group(2).strip().lower()
    for a in "xyz":
        if a not in cols:
            u = unit or "g"
            raise GaitInputError(f.label, f"column '{a}-axis ({u})' is missing",
                                 where="line 1 (header)",
                                 expected=f"columns {tcol!r}, x-axis, y-axis, z-axis ({u})")
    if unit not in scales:
        raise GaitInputError(f.label, f"unit {unit!r} in column {cols['x']!r}",
                             where="line 1 (header)",
                             expected="one of " + ", ".join(scales))
    raw = _drop_cut_last_line(f.load(), len(header), f.label, warns)
    tab = read_table(raw, path=f.label, numeric=[tcol, cols["x"], cols["y"], cols["z"]])
    t = tab[tcol]
    if len(t) < 2:
        raise GaitInputError(f.label, f"only {len(t)} data row(s)", where=f"line {len(t) + 2}",
                             expected="at least 2 samples")
    bad = np.isfinite(t) & ((t < EPOCH_MS_MIN) | (t > EPOCH_MS_MAX))
    if bad.any():
        i = int(np.argmax(bad))
        raise GaitInputError(f.label, f"epoch time {t[i]:.17g} is not a Unix time in ms",
                             where=f"line {i + 2}, column {tcol!r}",
                             expected="milliseconds since 1970 (13 digits)")
    ok = np.isfinite(t)
    if ok.sum() < 2:
        raise GaitInputError(f.label, "fewer than 2 rows with a time", where=f"column {tcol!r}",
                             expected="epoch milliseconds")
    _check_span(t, f.label, tcol)
    xyz = np.column_stack([tab[cols[a]] for a in "xyz"]) * scales[unit]
    if not ok.all():
        warns.append(f"{f.label}: {int((~ok).sum())} rows without a time were dropped")
        t, xyz = t[ok], xyz[ok]
    n_back = int((np.diff(t) < 0).sum())
    if n_back:
        order = np.argsort(t, kind="stable")
        t, xyz = t[order], xyz[order]
        warns.append(f"{f.label}: {n_back} times went backwards; rows were put in time order")
    t, n_tied = spread_ties(t)
    if n_tied:
        warns.append(f"{f.label}: {n_tied} rows shared a millisecond time with the row before "
                     "(packed Bluetooth samples); their times were spread evenly")
    f.info["rows"] = len(t)
    return t, xyz


def _drop_cut_last_line(raw: bytes, n_fields: int, path: str, warns: list[str]) -> bytes:
    """Drop a last line cut short (no final newline, fewer fields than the header)."""
    if raw.endswith((b"\n", b"\r")):
        return raw
    cut = raw.rfind(b"\n")
    if cut < 0 or raw[cut + 1:].count(b",") + 1 >= n_fields:
        return raw
    warns.append(f"{path}: the last line is incomplete (the export was cut short); it was "
                 "ignored")
    return raw[: cut + 1]


def spread_ties(t: np.ndarray) -> tuple[np.ndarray, int]:
    """Give rows that share a timestamp evenly spaced times (sorted, finite ``t``).

    MetaWear boards send 2-3 samples per Bluetooth packet and the export can stamp them with
    one time; averaging such rows (the generic duplicate rule) would lose real samples. A group
    of k equal times is spread over the interval to the next time, but never wider than k
    typical sample intervals (so a group before a gap stays together). Returns (times, number
    of rows moved).
    """
    t = np.asarray(t, dtype=np.float64)
    if len(t) < 2:
        return t, 0
    new = np.concatenate([[True], np.diff(t) != 0])
    n_tied = int((~new).sum())
    if n_tied == 0:
        return t, 0
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, len(t)))
    ts = t[starts]
    if len(ts) > 1:
        per = np.diff(ts) / sizes[:-1]
        step = float(np.median(per))
        nxt = np.append(np.diff(ts), step * sizes[-1])
    else:
        step = 1.0
        nxt = np.array([step * sizes[0]])
    span = np.minimum(nxt, step * sizes)
    gid = np.cumsum(new) - 1
    rank = np.arange(len(t)) - starts[gid]
    return ts[gid] + rank * (span[gid] / sizes[gid]), n_tied


def _check_span(t: np.ndarray, path: str, col: str) -> None:
    """Refuse a time that would stretch the grid absurdly (one corrupt value far away)."""
    ok = np.isfinite(t)
    s = np.sort(t[ok])
    d = np.diff(s)
    pos = d[d > 0]
    if len(pos) == 0:
        raise GaitInputError(path, "all rows have the same time", where=f"column {col!r}",
                             expected="increasing epoch milliseconds")
    med = float(np.median(pos))
    if s[-1] - s[0] <= max(50.0 * len(s) * med, 3_600_000.0):
        return
    centre = float(np.median(s))
    dev = np.where(ok, np.abs(t - centre), -np.inf)
    i = int(np.argmax(dev))
    raise GaitInputError(path, f"time {t[i]:.17g} ms lies {dev[i] / 1000:.3g} s away from the "
                               "rest of the recording", where=f"line {i + 2}, column {col!r}",
                         expected="times of one continuous recording")


def _rate(t_ms: np.ndarray) -> float:
    d = np.diff(t_ms)
    d = d[d > 0]
    return 1000.0 / float(np.median(d)) if len(d) else 100.0


def _zone(col: str) -> timedelta | None:
    """UTC offset from ``timestamp (-0500)`` / ``time (-05:00)`` / ``timestamp (GMT-05:00)``."""
    m = re.search(r"\((.*)\)", col)
    if not m:
        return None
    inner = m.group(1).strip().upper()
    if inner in ("GMT", "UTC", "Z"):
        return timedelta(0)
    z = _ZONE_RE.search(inner)
    if not z:
        return None
    sign = -1 if z.group(1) == "-" else 1
    hours, minutes = int(z.group(2)), int(z.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    return sign * timedelta(hours=hours, minutes=minutes)


def _fmt_offset(z: timedelta) -> str:
    total = int(z.total_seconds() // 60)
    sign = "-" if total < 0 else "+"
    total = abs(total)
    return f"{sign}{total // 60:02d}:{total % 60:02d}"


def _name_meta(f: _File) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if f.prefix:
        out["session"] = f.prefix
        mac = _MAC_RE.search(f.prefix.upper())
        if mac:
            out["mac"] = ":".join(mac.group(1)[i:i + 2] for i in range(0, 12, 2))
    if f.firmware:
        out["firmware"] = f.firmware
    return out


READER = MetaBaseReader()
