"""Physics Toolbox Sensor Suite (Vieyra Software, Android and iOS): one CSV per recording.

Header variants (the first field is always ``time``):

* Linear Accelerometer: ``time,ax (m/s^2),ay (m/s^2),az (m/s^2),aT (m/s^2)``, time in s since
  the start, gravity removed (``acc_kind="linear"``, with a warning).
* Multi Record ``time,gFx,gFy,gFz,ax,ay,az``: ``gF*`` is g-force in g WITH gravity (used:
  ``a = ±9.80665 * gF``, total acceleration); ``a*`` is the linear acceleration in m/s^2 (kept
  out of the stream, its sign relation to gF is reported in ``meta``).
* Multi Record ``time,ax,ay,az,wx,wy,wz``: no units; ``w*`` in rad/s. Whether ``a*`` includes
  gravity is decided from its magnitude at rest (quietest second: >= 7 m/s^2 total,
  <= 4.5 m/s^2 linear, in between: linear with a warning) and stated in ``meta``.
* g-Force Meter: ``time,gFx,gFy,gFz,gFTotal`` (iPhone) or ``...,TgF`` (Android, third-party).

Time is either seconds since the start or local wall-clock ``2022-12-08 20:10:31.3490`` without
a time zone: then ``meta["start_time_local"]`` holds the naive local start and
``start_time_utc`` stays None (a warning says so).

Quirks handled: literal ``Time``/header rows repeated mid-file are dropped (counted in a
warning); a stale first row (tens of seconds before the rest) is dropped by
``build_stream``'s timestamp cleaning; identical timestamps are averaged; rows that repeat the
previous row's values within half a sample period (the iPhone app's duplicate bursts) are
dropped; and when the times are app delivery times (many intervals far below the average
period while the sample count per second is steady, as in ~200 Hz Android Linear Accelerometer
files) the samples are re-timed on the steady rate (linear fit of time against sample number)
instead of leaving a third of the grid as gaps.

The gF sign convention: Android's g-force is +1 g on the axis pointing up; iOS apps that pass
CoreMotion values through read -1 g there. The reader infers the convention from gravity at
rest only when that is unambiguous: every still stretch (and the stale first row, the reading
taken when the user tapped start) in which the phone lies flat (|gz| >= 0.8 g) must show the same
sign of gz, assuming a phone lying flat at rest is screen up. Otherwise the header decides
(``gFTotal``: iPhone app, iOS sign; ``TgF``: Android), else the Android sign is assumed with a
warning. ``meta["sign_convention"]`` says which and why.

Size: one format reader (its variants, units, clock and checks), as every reader in gait.io.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import UTC
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from gait.errors import GaitInputError
from gait.io import resample
from gait.io.base import Container, ReadOptions, build_stream, check_placement, drop_absurd
from gait.io.phyphox import rest_magnitude
from gait.io.table import (
    NULLS,
    decode,
    field_count_error,
    read_table,
    sniff_decimal_comma,
    sniff_delimiter,
    split_header,
)
from gait.recording import G, Recording

REST_TOTAL_MIN = 7.0  # m/s^2: |a| at rest at least this -> gravity included
REST_LINEAR_MAX = 4.5  # m/s^2: at most this -> gravity removed
_DATE_RE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}[ T]\d")
_UNIT_RE = re.compile(r"\(([^()]*)\)")
EXPECTED = "time,gFx,gFy,gFz,... / time,ax (m/s^2),... / time,ax,ay,az,wx,wy,wz"


def _base(h: str) -> str:
    return _UNIT_RE.sub("", h).strip().lower().replace(" ", "")


def _unit(h: str) -> str:
    m = _UNIT_RE.search(h)
    return m[1].strip().lower().replace(" ", "").replace("²", "^2") if m else ""


def _columns(header: list[str]) -> dict[str, Any]:
    """Map the header to groups: time, gf (3), a (3), w (3), totals."""
    by_base: dict[str, str] = {}
    for h in header:
        by_base.setdefault(_base(h), h)
    out: dict[str, Any] = {"time": header[0] if header and _base(header[0]) == "time" else None}
    for g, names in (("gf", ("gfx", "gfy", "gfz")), ("a", ("ax", "ay", "az")),
                     ("w", ("wx", "wy", "wz"))):
        found = [by_base.get(n) for n in names]
        out[g] = found if any(found) else None
    out["gf_total"] = next((by_base[k] for k in ("gftotal", "tgf", "gft") if k in by_base), None)
    out["a_total"] = by_base.get("at")
    return out


def looks_like_physics_toolbox(header: list[str]) -> bool:
    """``time`` first, then gF tokens, ``ax (m/s^2)``, or ax/ay/az with wx or aT."""
    if not header or _base(header[0]) != "time":
        return False
    m = _columns(header)
    if m["gf"] is not None:
        return True
    a = m["a"]
    if a is None or not all(a):
        return False
    return _unit(a[0]) in ("m/s^2", "m/s2") or m["w"] is not None or m["a_total"] is not None


# ---------------------------------------------------------------------------------------------
# parsing helpers (vectorised; the slow paths only run on broken input)
# ---------------------------------------------------------------------------------------------


def _line_numbers(raw: bytes, n: int) -> np.ndarray:
    """1-based file line of each data row (the table reader skips empty lines)."""
    arr = np.frombuffer(raw, dtype=np.uint8)
    nl = np.flatnonzero(arr == 10)
    starts = np.concatenate([[0], nl + 1])
    ends = np.concatenate([nl, [len(arr)]])
    lens = ends - starts
    cr = (lens > 0) & (arr[np.clip(ends - 1, 0, max(len(arr) - 1, 0))] == 13) if len(arr) else (
        np.zeros(len(lens), dtype=bool))
    nonempty = np.flatnonzero((lens - cr) > 0) + 1
    data = nonempty[nonempty > 1] if len(nonempty) and nonempty[0] == 1 else nonempty[1:]
    if len(data) == n:
        return data
    return np.arange(n) + 2


def _locate_field_count(raw: bytes, path: str, delim: str, n_fields: int) -> None:
    """Error path only: the first row whose field count differs from the header's."""
    reader = csv.reader(io.StringIO(decode(raw), newline=""), delimiter=delim)
    rows = enumerate(reader, start=1)
    while True:
        try:
            line_no, row = next(rows)
        except StopIteration:
            return
        except csv.Error:
            return  # the caller re-raises its own error
        if line_no == 1 or not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) < n_fields or (len(row) > n_fields and any(f.strip()
                                                               for f in row[n_fields:])):
            raise field_count_error(path, len(row), n_fields, line_no, delim)


def _strings(x: np.ndarray, decimal_comma: bool) -> pd.Series:
    s = pd.Series(x, dtype=object).astype(str).str.strip().str.strip('"')
    if decimal_comma:
        s = s.str.replace(",", ".", regex=False)
    return s


def _numbers(s: pd.Series, path: str, col: str, lines: np.ndarray) -> np.ndarray:
    """Float values; NULL-like cells are NaN; any other text raises naming the line."""
    v = np.array(pd.to_numeric(s, errors="coerce"), dtype=np.float64)
    null = s.isin(NULLS).to_numpy()
    bad = np.isnan(v) & ~null
    if bad.any():
        i = int(np.argmax(bad))
        raise GaitInputError(path, f"text {s.iloc[i][:40]!r} in numeric column {col!r}",
                             where=f"line {lines[i]}", expected="a number")
    v[~np.isfinite(v)] = np.nan
    return v


def _times(s: pd.Series, path: str, col: str, lines: np.ndarray
           ) -> tuple[np.ndarray, str, pd.Timestamp | None]:
    """Seconds (float) from numeric seconds or wall-clock strings; the mode; the time origin."""
    null = s.isin(NULLS).to_numpy()
    if null.all():
        raise GaitInputError(path, f"column {col!r} has no times", expected="times")
    first = s.iloc[int(np.argmax(~null))]
    if _DATE_RE.match(first):
        dt = pd.to_datetime(s.where(~null), format="ISO8601", errors="coerce")
        bad = dt.isna().to_numpy() & ~null
        if bad.any():
            i = int(np.argmax(bad))
            raise GaitInputError(path, f"unparseable time {s.iloc[i][:40]!r}",
                                 where=f"line {lines[i]}, column {col!r}",
                                 expected="a time like 2022-12-08 20:10:31.3490")
        if getattr(dt.dt, "tz", None) is not None:
            dt = dt.dt.tz_convert("UTC").dt.tz_localize(None)
            mode = "utc"
        else:
            mode = "local"
        ns = dt.to_numpy(dtype="datetime64[ns]")
        ok = ~np.isnat(ns)
        origin = pd.Timestamp(ns[ok].min())
        t = np.full(len(ns), np.nan)
        t[ok] = (ns[ok] - ns[ok].min()).astype("timedelta64[ns]").astype(np.int64) / 1e9
        return t, mode, origin
    try:
        float(first)
    except ValueError:
        i = int(np.argmax(~null))
        raise GaitInputError(path, f"unparseable time {first[:40]!r}",
                             where=f"line {lines[i]}, column {col!r}",
                             expected="seconds since the start or YYYY-MM-DD HH:MM:SS.ffff"
                             ) from None
    return _numbers(s, path, col, lines), "seconds", None


def _drop_stale_repeats(t: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """Mask of rows to keep: drop rows repeating the previous row's values within dt/2."""
    keep = np.ones(len(t), dtype=bool)
    if len(t) < 3:
        return keep
    d = np.diff(t)
    pos = d[np.isfinite(d) & (d > 0)]
    if len(pos) == 0:
        return keep
    med = float(np.median(pos))
    same = np.all(vals[1:] == vals[:-1], axis=1) & np.isfinite(d) & (d > 0) & (d < 0.5 * med)
    keep[1:] = ~same
    return keep


def _regularise(t: np.ndarray) -> tuple[np.ndarray, dict[str, Any]] | None:
    """Re-time samples whose times are app delivery times around a steady sensor rate.

    Applies when the times are in order, the interval CV is > 0.5 and more than 10 % of the
    intervals are shorter than a quarter of the average period (impossible for a sensor at that
    rate). Per stretch without a real gap (> max(0.25 s, 20 median intervals)) a line is fitted
    to time against sample number; it is used when no sample moves by more than 0.25 s.
    """
    ok = np.isfinite(t)
    if ok.sum() < 50 or not ok.all():
        return None
    d = np.diff(t)
    if np.any(d < 0):
        return None
    if not np.any(d > 0):
        return None
    thr = max(0.25, 20 * float(np.median(d[d > 0])))  # longer intervals are real gaps
    dd = d[d <= thr]
    mean = float(np.mean(dd)) if len(dd) else 0.0
    if mean <= 0 or np.std(dd) / mean <= 0.5 or np.mean(dd < 0.25 * mean) <= 0.10:
        return None
    cut = np.flatnonzero(d > thr) + 1
    bounds = np.concatenate([[0], cut, [len(t)]])
    out = t.copy()
    moved = 0.0
    rates = []
    for a, b in itertools.pairwise(bounds):  # a few stretches, not samples
        if b - a < 20:
            continue
        i = np.arange(b - a, dtype=np.float64)
        slope, icpt = np.polyfit(i, t[a:b], 1)
        fit = icpt + slope * i
        dev = float(np.max(np.abs(fit - t[a:b])))
        if slope <= 0 or dev > 0.25:
            continue
        out[a:b] = fit
        moved = max(moved, dev)
        rates.append(1.0 / slope)
    if not rates:
        return None
    if np.any(np.diff(out) <= 0):
        return None
    return out, {"rate_hz": round(float(np.mean(rates)), 3), "max_shift_ms": round(moved * 1e3, 1),
                 "dt_cv": round(float(np.std(dd) / mean), 2), "stretches": len(rates)}


def _rest_flat_signs(t: np.ndarray, g: np.ndarray) -> tuple[list[int], int]:
    """Signs of gz in still, flat stretches (values in g). Returns (signs, n_still)."""
    ok = np.isfinite(t) & np.all(np.isfinite(g), axis=1)
    t, g = t[ok], g[ok]
    if len(t) < 10:
        return [], 0
    rate = resample.measured_rate(np.sort(t))
    w = int(min(max(round(0.5 * rate), 5), 500)) if np.isfinite(rate) else 10
    if len(g) < w:
        return [], 0
    step = max(w // 2, 1)
    win = sliding_window_view(g, w, axis=0)[::step]  # (k, 3, w)
    sd = win.std(axis=2).max(axis=1)
    mean = win.mean(axis=2)
    norm = np.linalg.norm(mean, axis=1)
    still = (sd < 0.03) & (np.abs(norm - 1.0) < 0.1)
    flat = still & (np.abs(mean[:, 2]) >= 0.8)
    signs = np.sign(mean[flat, 2]).astype(int)
    return sorted(set(signs.tolist())), int(still.sum())


def _stale_first(t: np.ndarray) -> bool:
    """Same rule as resample.clean_timestamps: the first row far before the second."""
    tt = t[np.isfinite(t)]
    if len(tt) <= 3:
        return False
    d = np.diff(tt)
    pos = d[d > 0]
    if len(pos) == 0:
        return False
    med = float(np.median(pos))
    return bool(d[0] > max(100 * med, 2.0))


def _convention(t: np.ndarray, g: np.ndarray, header_hint: str | None
                ) -> tuple[str, str, str, list[str]]:
    """Sign convention of gravity-including values in g.

    Returns ('android'|'ios', decided by 'rest'|'header'|'assumed', how (text), warnings).
    """
    signs, n_still = _rest_flat_signs(t, g)
    evidence = [f"{n_still} still stretch(es) of 0.5 s"]
    ev = set(signs)
    if _stale_first(t):
        g0 = g[int(np.argmax(np.isfinite(t)))]
        if np.all(np.isfinite(g0)) and abs(np.linalg.norm(g0) - 1) < 0.1 and abs(g0[2]) >= 0.8:
            ev.add(int(np.sign(g0[2])))
            evidence.append(f"stale first row lies flat (gz {g0[2]:+.2f} g)")
    warns: list[str] = []
    if len(ev) == 1:
        conv = "android" if ev == {1} else "ios"
        how = (f"gravity at rest: the phone lying flat reads gz {'+' if conv == 'android' else '-'}"
               f"1 g, taken as screen up ({'; '.join(evidence)})")
        if header_hint and header_hint != conv:
            warns.append(f"the gF sign at rest suggests {conv} but the header suggests "
                         f"{header_hint}; the header was followed")
            how = f"header ({header_hint} app variant); {how} disagreed"
            return header_hint, "header", how, warns
        return conv, "rest", how, warns
    if header_hint:
        how = f"header ({header_hint} app variant); gravity at rest inconclusive"
        return header_hint, "header", how, warns
    why = "mixed signs" if len(ev) > 1 else "no flat still stretch"
    warns.append(f"the gF sign convention could not be inferred from gravity at rest ({why}); "
                 "the Android sign (+1 g on the upward axis) was assumed")
    return "android", "assumed", f"assumed Android; gravity at rest inconclusive ({why})", warns


# ---------------------------------------------------------------------------------------------
# the reader
# ---------------------------------------------------------------------------------------------


class PhysicsToolboxReader:
    """Physics Toolbox Sensor Suite CSV files."""

    name = "physics_toolbox"

    def sniff(self, c: Container) -> bool:
        if c.is_zip or c.is_dir or len(c.names) != 1:
            return False
        line = c.first_line(c.names[0])
        return looks_like_physics_toolbox(split_header(line, sniff_delimiter(line)))

    def read(self, c: Container, opts: ReadOptions) -> Recording:
        member = c.names[0]
        path = c.member_path(member)
        raw = c.read_bytes(member)
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        lines = decode(raw[:65536]).splitlines()
        if not lines or not lines[0].strip():
            raise GaitInputError(path, "the file is empty", expected="a header line")
        delim = opts.delimiter or sniff_delimiter(lines[0])
        header = split_header(lines[0], delim)
        m = _columns(header)
        if m["time"] is None:
            raise GaitInputError(path, f"first column is {header[0]!r}", where="line 1 (header)",
                                 expected=f"a header like {EXPECTED}")
        for g, names in (("gf", ("gFx", "gFy", "gFz")), ("a", ("ax", "ay", "az")),
                         ("w", ("wx", "wy", "wz"))):
            if m[g] is not None and not all(m[g]):
                absent = names[[x is None for x in m[g]].index(True)]
                raise GaitInputError(path, f"column {absent!r} is missing",
                                     where="line 1 (header)", expected=f"all of {names}")
        if m["gf"] is None and m["a"] is None:
            raise GaitInputError(path, "no acceleration columns", where="line 1 (header)",
                                 expected=f"a header like {EXPECTED}")
        decimal_comma = sniff_decimal_comma(lines[1:50], delim)
        value_cols = [c_ for g in ("gf", "a", "w") if m[g] for c_ in m[g]]
        # Fast path: values parsed as numbers by the table reader. Rows of text in value
        # columns (a repeated header line) need the slow path: every column as text.
        fast = True
        torn: list[str] = []  # a torn last line, dropped with a warning
        try:
            cols = read_table(raw, path=path, delimiter=delim, decimal_comma=decimal_comma,
                                   text=[m["time"]], numeric=value_cols, warnings=torn)
        except GaitInputError as exc:
            if "numeric column" not in exc.what:
                raise
            fast = False
            try:
                cols = read_table(raw, path=path, delimiter=delim,
                                       text=[m["time"], *value_cols], warnings=torn)
            except GaitInputError as exc2:
                if not exc2.where:
                    _locate_field_count(raw, path, delim, len(header))
                raise
        n = len(cols[m["time"]])
        if n == 0:
            raise GaitInputError(path, "no data rows after the header", where="line 2",
                                 expected="samples")
        line_no = _line_numbers(raw, n)
        warnings: list[str] = list(torn)
        meta: dict[str, Any] = {"header": header, "delimiter": delim,
                                "decimal_comma": decimal_comma}

        # literal "Time"/header rows repeated mid-file
        tstr = _strings(cols[m["time"]], False)
        header_names = {h.strip().lower() for h in header} | {"time"}
        is_hdr = tstr.str.lower().isin(header_names).to_numpy()
        n_hdr = int(is_hdr.sum())
        if n_hdr:
            warnings.append(f"{path}: {n_hdr} repeated header/'Time' row(s) inside the data "
                            "were dropped")
            meta["dropped_header_rows"] = n_hdr
        keep = ~is_hdr
        if keep.sum() < 2:
            raise GaitInputError(path, f"only {int(keep.sum())} data row(s)",
                                 where=f"line {line_no[0]}", expected="at least 2 samples")
        lines_k = line_no[keep]
        tser = tstr[keep].reset_index(drop=True)
        if decimal_comma:
            tser = tser.str.replace(",", ".", regex=False)
        t, tmode, origin = _times(tser, path, m["time"], lines_k)

        def values(names: list[str]) -> np.ndarray:
            if fast:
                v = np.column_stack([cols[h][keep] for h in names])
                v[~np.isfinite(v)] = np.nan
            else:
                v = np.column_stack([
                    _numbers(_strings(cols[h][keep], decimal_comma).reset_index(drop=True),
                             path, h, lines_k) for h in names])
            return drop_absurd(v, path, ", ".join(names), warnings)

        gf = values(m["gf"]) if m["gf"] else None
        a = values(m["a"]) if m["a"] else None
        w = values(m["w"]) if m["w"] else None
        if m["w"]:
            wu = _unit(m["w"][0])
            if wu in ("deg/s", "°/s", "dps"):
                w = w * (np.pi / 180.0)  # type: ignore[operator]
            meta["gyr_unit"] = wu or "rad/s (no unit in the header)"

        # platform hint from the header
        header_hint = None
        platform_src = None
        if m["gf_total"] is not None:
            tb = _base(m["gf_total"])
            header_hint = "ios" if tb == "gftotal" else "android" if tb == "tgf" else None
            if header_hint:
                platform_src = f"header column {m['gf_total']!r}"

        # acceleration
        acc_kind = "total"
        if gf is not None:
            mode = "Multi Record (g-force + linear acceleration)" if a is not None else (
                "g-Force Meter")
            conv, src, how, cw = _convention(t, gf, header_hint)
            warnings += [f"{path}: {x}" for x in cw]
            sign = 1.0 if conv == "android" else -1.0
            acc = sign * G * gf
            meta["sign_convention"] = {"gF": conv, "how": how,
                                       "converted": "a = 9.80665 * gF" if sign > 0
                                       else "a = -9.80665 * gF (iOS sign to Android)"}
            meta["acc_source"] = f"gF columns {m['gf']} in g, with gravity"
            if a is not None:
                meta["linear_acc_columns"] = self._linear_relation(gf, a)
            if platform_src is None and src == "rest":
                platform_src = "inferred from the gF sign at rest"
                header_hint = conv
        else:
            assert a is not None
            au = _unit(m["a"][0])
            mode = ("Linear Accelerometer" if m["a_total"] is not None and w is None
                    else "Multi Record (acceleration + gyroscope)" if w is not None
                    else "Accelerometer")
            mag = rest_magnitude(t, a)
            if np.isfinite(mag) and mag >= REST_TOTAL_MIN:
                acc_kind = "total"
            elif np.isfinite(mag) and mag <= REST_LINEAR_MAX:
                acc_kind = "linear"
            else:
                acc_kind = "linear"
                warnings.append(f"{path}: |a| at rest is {mag:.2f} m/s^2, neither ~9.8 nor ~0; "
                                "taken as linear acceleration")
            meta["acc_kind_reason"] = (f"|a| at rest (quietest second) {mag:.2f} m/s^2 -> "
                                       f"{acc_kind} (>= {REST_TOTAL_MIN}: gravity included, "
                                       f"<= {REST_LINEAR_MAX}: removed)")
            meta["acc_source"] = f"a columns {m['a']} in {au or 'm/s^2 (no unit in the header)'}"
            acc = a
            if acc_kind == "total":
                conv, _, how, cw = _convention(t, a / G, header_hint)
                warnings += [f"{path}: {x}" for x in cw]
                if conv == "ios":
                    acc = -a
                meta["sign_convention"] = {"a": conv, "how": how}
            else:
                meta["sign_convention"] = {"a": "unknown (no gravity to judge by); kept as is"}
        meta["mode"] = mode

        # duplicate bursts and delivery-time jitter
        chans = [x for x in (acc, w) if x is not None]
        allv = np.column_stack(chans)
        keep2 = _drop_stale_repeats(t, allv)
        n_rep = int((~keep2).sum())
        if n_rep:
            t, acc = t[keep2], acc[keep2]
            w = w[keep2] if w is not None else None
            warnings.append(f"{path}: {n_rep} row(s) repeated the previous row's values within "
                            "half a sample period (duplicate bursts); they were dropped")
            meta["dropped_repeated_rows"] = n_rep
        reg = _regularise(t)
        if reg is not None:
            t, info = reg
            meta["timing_regularised"] = info
            warnings.append(
                f"{path}: the times are delivery times (interval CV {info['dt_cv']}) around a "
                f"steady {info['rate_hz']} Hz; samples were re-timed on that rate (largest "
                f"shift {info['max_shift_ms']} ms)")

        # time origin and start time
        tl = resample.clean_timestamps(t)
        zero = float(tl.t[0]) if len(tl.t) else float("nan")
        start_utc = None
        if tmode == "seconds":
            meta["time_format"] = "seconds since the start; absolute start time unknown"
        else:
            assert origin is not None
            start = (origin + pd.Timedelta(seconds=zero)).to_pydatetime() if np.isfinite(
                zero) else None
            if tmode == "utc" and start is not None:
                start_utc = start.replace(tzinfo=UTC)
                meta["time_format"] = "wall-clock with time zone"
            else:
                meta["time_format"] = "local wall-clock, no time zone"
                if start is not None:
                    meta["start_time_local"] = start.isoformat()
                warnings.append(f"{path}: the times are local wall-clock without a time zone; "
                                "start_time_utc is unknown (the local start is in meta)")

        if acc_kind == "linear":
            warnings.append(f"{path}: acceleration without gravity (linear); impact and gravity "
                            "alignment need gravity, record g-force (gF) for full results")
        placement = check_placement(opts.placement, "unknown")
        stream = build_stream(path, t, acc, placement=placement, acc_kind=acc_kind,
                                   gyr=w, name=PurePosixPath(member).stem, t_zero=zero,
                                   warnings=warnings)
        platform = header_hint if platform_src else None
        if platform_src:
            meta["platform_source"] = platform_src
        meta["nominal_rate_hz"] = None
        return Recording(streams=[stream], source_format=self.name,
                         app="Physics Toolbox Sensor Suite", platform=platform, device=None,
                         start_time_utc=start_utc, sources=[path], warnings=warnings, meta=meta)

    @staticmethod
    def _linear_relation(gf: np.ndarray, a: np.ndarray) -> str:
        """How the linear a* columns relate to gF (same or opposite sign), from their changes."""
        dg = np.diff(gf, axis=0) * G
        da = np.diff(a, axis=0)
        ok = np.all(np.isfinite(dg), axis=1) & np.all(np.isfinite(da), axis=1)
        if ok.sum() < 10:
            return "linear acceleration in m/s^2, not used"
        num = float(np.sum(dg[ok] * da[ok]))
        den = float(np.sqrt(np.sum(dg[ok] ** 2) * np.sum(da[ok] ** 2)))
        r = num / den if den > 0 else 0.0
        rel = "the same sign as" if r > 0.3 else "the opposite sign to" if r < -0.3 else (
            "no clear sign relation to")
        return f"linear acceleration in m/s^2, not used; it has {rel} gF (r = {r:+.2f})"


READER = PhysicsToolboxReader()
