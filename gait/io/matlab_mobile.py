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

import contextlib
import math
import os
import re
import struct
import tempfile
import warnings as pywarnings
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

import numpy as np

from gait.errors import GaitInputError
from gait.io.base import Container, ReadOptions, build_stream, check_placement
from gait.recording import Recording

NAME = "matlab_mobile"
APP = "MATLAB Mobile"
SENSORS = ("Acceleration", "AngularVelocity", "MagneticField", "Orientation", "Position")
UNITS = {"Acceleration": "m/s^2", "AngularVelocity": "rad/s", "MagneticField": "uT",
         "Orientation": "deg", "Position": "deg / m / m/s / deg / m"}
EXPECTED = "a MATLAB Mobile sensor log (.mat with Acceleration/AngularVelocity timetables)"

# MAT v5 data type codes (mi*) and array classes (mx*).
_MI_SIZE = {1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8, 16: 1, 17: 2, 18: 4}
_MI_MATRIX, _MI_COMPRESSED = 14, 15
_MX_NAMES = {1: "cell", 2: "struct", 3: "object", 4: "char", 5: "sparse", 6: "double",
             7: "single", 8: "int8", 9: "uint8", 10: "int16", 11: "uint16", 12: "int32",
             13: "uint32", 14: "int64", 15: "uint64", 16: "function_handle", 17: "opaque"}
_MAX_DEPTH = 64
ISOLATED_TIMEOUT_S = 20.0  # + 2 s per MB: mat-io in a child process (see _load_isolated)
_MAX_INFLATED = 2_000_000_000  # refuse to inflate an element beyond 2 GB


# ----------------------------------------------------------------------------------------------
# MAT header and a guard-railed structural check of MAT v5 content
# ----------------------------------------------------------------------------------------------


def mat_version(head: bytes) -> int | None:
    """1 for a MAT v5/v7 file, 2 for v7.3 (HDF5), None when ``head`` is no MAT-file header."""
    if len(head) < 128 or not head.startswith(b"MATLAB") or b"MAT-file" not in head[:32]:
        return None
    endian = head[126:128]
    if endian == b"IM":
        major = head[125]
    elif endian == b"MI":
        major = head[124]
    else:
        return None
    return major if major in (1, 2) else None


class _Bad(Exception):
    """A structural problem at a byte offset of the file (converted to GaitInputError)."""

    def __init__(self, offset: int, what: str) -> None:
        super().__init__(what)
        self.offset = offset
        self.what = what


@dataclass
class _Matrix:
    mclass: int
    name: str
    classname: str | None  # for opaque/object arrays
    data: tuple[bytes, int, int] | None  # (buffer, start, length) of a numeric array's data


class _V5Checker:
    """Walk a MAT v5 byte string element by element; raise :class:`_Bad` on anything that
    mat-io's Cython reader would mis-handle."""

    def __init__(self, data: bytes, bo: str) -> None:
        self.data = data
        self.bo = bo
        self.n_uncompressed = 0  # top-level arrays stored without compression

    def elements(self, buf: bytes, start: int, end: int, base: int
                 ) -> list[tuple[int, int, int, int]]:
        """(type, data start, data length, file offset of the tag) for each element."""
        out = []
        pos = start
        u32 = struct.Struct(self.bo + "II")
        while pos < end:
            if end - pos < 8:
                raise _Bad(base + pos, f"a data element tag is cut off ({end - pos} bytes left)")
            first, second = u32.unpack_from(buf, pos)
            if first >> 16:  # small data element: size and type packed into 4 bytes
                n, typ = first >> 16, first & 0xFFFF
                if n > 4:
                    raise _Bad(base + pos, f"small data element claims {n} bytes (at most 4)")
                out.append((typ, pos + 4, n, base + pos))
                pos += 8
                continue
            typ, n = first, second
            if pos + 8 + n > end:
                raise _Bad(base + pos, f"data element of {n} bytes runs past the end of its "
                                       f"container ({end - pos - 8} bytes left)")
            out.append((typ, pos + 8, n, base + pos))
            pos += 8 + n + ((-n) % 8 if typ != _MI_MATRIX else 0)
        return out

    def text(self, buf: bytes, el: tuple[int, int, int, int], what: str) -> str:
        typ, s, n, off = el
        if typ not in (1, 2, 16):
            raise _Bad(off, f"{what} has data type {typ} (expected 8-bit text)")
        raw = buf[s:s + n]
        if any(b > 127 for b in raw):
            raise _Bad(off, f"{what} is not ASCII")
        return raw.decode("ascii")

    def numeric(self, el: tuple[int, int, int, int], count: int | None, what: str) -> None:
        typ, _s, n, off = el
        size = _MI_SIZE.get(typ)
        if size is None:
            raise _Bad(off, f"{what} has unknown data type code {typ}")
        if count is not None and (n % size or n // size != count):
            raise _Bad(off, f"{what} holds {n // size} values, its dimensions say {count}")

    def ints(self, buf: bytes, el: tuple[int, int, int, int], what: str) -> list[int]:
        typ, s, n, off = el
        if typ not in (5, 6) or n % 4:
            raise _Bad(off, f"{what} is not a list of 32-bit integers")
        vals = struct.unpack_from(f"{self.bo}{n // 4}i", buf, s)
        if any(v < 0 for v in vals):
            raise _Bad(off, f"{what} has a negative value")
        return list(vals)

    def matrix(self, buf: bytes, start: int, n: int, base: int, depth: int = 0) -> _Matrix:
        """Check one miMATRIX payload (``buf[start:start + n]``)."""
        if depth > _MAX_DEPTH:
            raise _Bad(base + start, "arrays are nested too deeply")
        if n == 0:
            return _Matrix(0, "", None, None)
        els = self.elements(buf, start, start + n, base)
        if not els or els[0][0] != 6 or els[0][2] != 8:
            raise _Bad(base + start, "array flags are missing")
        flags = struct.unpack_from(self.bo + "I", buf, els[0][1])[0]
        mclass, is_complex = flags & 0xFF, bool(flags >> 11 & 1)
        if mclass not in _MX_NAMES:
            raise _Bad(els[0][3], f"unknown array class {mclass}")
        if mclass == 17:  # opaque (MCOS object): name, type system, class, then metadata array
            if len(els) < 4:
                raise _Bad(base + start, "opaque object header is incomplete")
            name = self.text(buf, els[1], "variable name")
            self.text(buf, els[2], "type system name")
            cls = self.text(buf, els[3], "class name")
            rest = els[4:]
            if not rest or rest[0][0] != _MI_MATRIX:
                raise _Bad(base + start, f"opaque object {name!r} has no metadata array")
            self.matrix(buf, rest[0][1], rest[0][2], base, depth + 1)
            return _Matrix(mclass, name, cls, None)
        if len(els) < 3:
            raise _Bad(base + start, "array header is incomplete")
        dims = self.ints(buf, els[1], "array dimensions")
        if not 1 <= len(dims) <= 32:
            raise _Bad(els[1][3], f"{len(dims)} array dimensions")
        name = self.text(buf, els[2], "array name")
        count = math.prod(dims)
        k = 3
        cls = None
        if mclass == 3:
            if len(els) < 4:
                raise _Bad(base + start, "object class name is missing")
            cls = self.text(buf, els[3], "object class name")
            k = 4
        rest = els[k:]
        data = None
        if 6 <= mclass <= 15:  # numeric
            need = 2 if is_complex else 1
            if len(rest) < need:
                raise _Bad(base + start, f"numeric array {name!r} has no data")
            for el in rest[:need]:
                self.numeric(el, count, f"data of array {name!r}")
            data = (buf, rest[0][1], rest[0][2])
        elif mclass == 4:  # char
            if not rest:
                raise _Bad(base + start, f"char array {name!r} has no data")
            self.numeric(rest[0], None, f"text of array {name!r}")
        elif mclass == 5:  # sparse: row indices, column pointers, values (+ imaginary part)
            need = 4 if is_complex else 3
            if len(rest) < need:
                raise _Bad(base + start, f"sparse array {name!r} is incomplete")
            for el in rest[:need]:
                self.numeric(el, None, f"sparse array {name!r}")
        elif mclass == 1:  # cell: prod(dims) arrays
            self.children(buf, rest, count, base, depth, f"cell array {name!r}")
        elif mclass in (2, 3):  # struct / object: field name length, names, arrays
            if len(rest) < 2:
                raise _Bad(base + start, f"struct {name!r} has no field names")
            flen = self.ints(buf, rest[0], "field name length")
            if len(flen) != 1 or not 1 <= flen[0] <= 4096:
                raise _Bad(rest[0][3], "bad field name length")
            typ, s, nb, off = rest[1]
            if typ not in (1, 2, 16) or nb % flen[0]:
                raise _Bad(off, f"field names of struct {name!r} are malformed")
            nfields = nb // flen[0]
            for i in range(nfields):
                if 0 not in buf[s + i * flen[0]: s + (i + 1) * flen[0]]:
                    raise _Bad(off, f"a field name of struct {name!r} is not terminated")
            if nfields:
                self.children(buf, rest[2:], count * nfields, base, depth, f"struct {name!r}")
        elif mclass == 16:  # function handle: an optional struct
            self.children(buf, rest, len(rest), base, depth, "function handle")
        return _Matrix(mclass, name, cls, data)

    def children(self, buf: bytes, els: list[tuple[int, int, int, int]], count: int,
                 base: int, depth: int, what: str) -> None:
        if len(els) < count:
            raise _Bad(els[-1][3] if els else base, f"{what} holds {len(els)} arrays, "
                                                    f"its dimensions say {count}")
        for typ, s, n, off in els[:count]:
            if typ != _MI_MATRIX:
                raise _Bad(off, f"{what} holds a non-array element (type {typ})")
            self.matrix(buf, s, n, base, depth + 1)

    def top_level(self, buf: bytes, start: int, base: int
                  ) -> list[tuple[int, _Matrix]]:
        """Check the variables of a (sub)file from ``start``; (file offset, matrix) each."""
        out = []
        pos = start
        u32 = struct.Struct(self.bo + "II")
        while pos < len(buf):
            if len(buf) - pos < 8:
                raise _Bad(base + pos, f"{len(buf) - pos} stray bytes after the last variable")
            typ, n = u32.unpack_from(buf, pos)
            if n == 0:
                raise _Bad(base + pos, "empty variable record")
            if pos + 8 + n > len(buf):
                raise _Bad(base + pos, f"variable record of {n} bytes, but only "
                                       f"{len(buf) - pos - 8} bytes follow (file truncated)")
            if typ == _MI_COMPRESSED:
                inner = _inflate(buf[pos + 8: pos + 8 + n], base + pos)
                if len(inner) < 8:
                    raise _Bad(base + pos, "compressed variable is empty")
                t2, n2 = u32.unpack_from(inner, 0)
                if t2 != _MI_MATRIX or 8 + n2 > len(inner):
                    raise _Bad(base + pos, "compressed variable does not hold one array")
                out.append((base + pos, self.matrix(inner, 8, n2, base + pos + 8)))
            elif typ == _MI_MATRIX:
                self.n_uncompressed += 1
                out.append((base + pos, self.matrix(buf, pos + 8, n, base)))
            else:
                raise _Bad(base + pos, f"record of data type {typ} at the top level "
                                       "(expected an array or a compressed array)")
            pos += 8 + n
        return out


def _inflate(chunk: bytes, offset: int) -> bytes:
    d = zlib.decompressobj()
    try:
        out = d.decompress(chunk, _MAX_INFLATED)
    except zlib.error as exc:
        raise _Bad(offset, f"compressed data is corrupt ({exc})") from None
    if not d.eof:
        raise _Bad(offset, "compressed data ends early (file truncated or damaged)")
    return out


@dataclass
class MatInfo:
    """What the structural check found: variables as (name, class), and whether mat-io can
    be trusted in-process (every array compressed, so every byte passed a checksum)."""

    version: int
    variables: list[tuple[str, str]]
    all_compressed: bool


def check_v5(data: bytes) -> MatInfo:
    """Check a MAT v5 file's structure; raises :class:`_Bad` (offset, what) when malformed."""
    if mat_version(data) != 1:
        raise _Bad(0, "not a MAT v5 file header")
    bo = "<" if data[126:128] == b"IM" else ">"
    chk = _V5Checker(data, bo)
    variables = chk.top_level(data, 128, 0)
    offsets = {off: m for off, m in variables}
    sub_off = struct.unpack_from(bo + "Q", data, 116)[0]
    if sub_off not in (0, 0x2020202020202020):
        m = offsets.get(sub_off)
        if m is None or m.name != "" or m.data is None:
            raise _Bad(116, f"the subsystem offset {sub_off} does not point at the subsystem")
        buf, s, n = m.data
        sub = buf[s:s + n]
        if len(sub) < 16 or sub[2:4] not in (b"IM", b"MI"):
            raise _Bad(sub_off, "the subsystem data has no valid header")
        sub_chk = _V5Checker(sub, "<" if sub[2:4] == b"IM" else ">")
        if not sub_chk.top_level(sub, 8, sub_off):
            raise _Bad(sub_off, "the subsystem holds no data")
    names = [(m.name, m.classname or _MX_NAMES.get(m.mclass, "?")) for _off, m in variables
             if m.name]
    return MatInfo(1, names, chk.n_uncompressed == 0)


def inspect_mat(data: bytes, path: str) -> MatInfo:
    """Variables of a MAT-file after a structural check; GaitInputError when damaged/foreign."""
    ver = mat_version(data[:128])
    if ver is None:
        raise GaitInputError(path, "not a MAT-file (no 'MATLAB 5.0 MAT-file' header)",
                             where="byte 0", expected=EXPECTED)
    if ver == 2:
        return MatInfo(2, _list_v73(data, path), False)
    try:
        return check_v5(data)
    except _Bad as exc:
        raise GaitInputError(path, f"damaged MAT-file: {exc.what}", where=f"byte {exc.offset}",
                             expected="a complete MAT-file as saved by MATLAB Mobile") from None


def _list_v73(data: bytes, path: str) -> list[tuple[str, str]]:
    try:
        import h5py
    except ImportError:  # pragma: no cover - h5py comes with mat-io
        raise GaitInputError(path, "MAT v7.3 (HDF5) files need h5py",
                             expected="a MAT v5 file") from None
    import io

    try:
        with h5py.File(io.BytesIO(data), "r") as f:
            out = []
            for k in f:
                if k.startswith("#"):
                    continue
                cls = f[k].attrs.get("MATLAB_class", b"?")
                out.append((k, cls.decode() if isinstance(cls, bytes) else str(cls)))
            return out
    except Exception as exc:
        raise GaitInputError(path, f"damaged MAT v7.3 (HDF5) file ({_short(exc)})",
                             expected="a complete MAT-file") from None


def _short(exc: BaseException) -> str:
    msg = str(exc).splitlines()[0][:120] if str(exc) else ""
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


# ----------------------------------------------------------------------------------------------
# Loading through mat-io
# ----------------------------------------------------------------------------------------------

_TZ_RE = re.compile(r"timezone '\[?'?([^'\]\s]+)")


def _zone_from_warnings(msgs: list[str]) -> str | None:
    """The time zone mat-io reports dropping (``saved with timezone 'Europe/Athens'``)."""
    for m in msgs:
        hit = _TZ_RE.search(m)
        if hit and "MATLAB datetime" in m:
            return hit.group(1)
    return None


# mat-io in a child process, for files whose bytes no checksum vouches for (uncompressed or
# HDF5 arrays): a damaged subsystem there can make mat-io allocate tens of GB or loop for
# minutes. The child runs under an address-space limit and a timeout and sends back only the
# DataFrames (pickled; the child is our own code) and the type names of anything else.
_CHILD = r"""
import pickle, sys, warnings
try:
    import resource
    lim = int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
except Exception:
    pass
from matio import load_from_mat
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    out = load_from_mat(sys.argv[1], variable_names=sys.argv[3].split(","))
frames = {k: v for k, v in out.items() if type(v).__name__ == "DataFrame"}
others = {k: type(v).__name__ for k, v in out.items() if k not in frames}
sys.stdout.buffer.write(pickle.dumps((frames, others, [str(w.message) for w in caught])))
"""


class _Foreign:
    """Stand-in for a variable the child could not send (only its type name matters)."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name


def _load(c: Container, data: bytes, info: MatInfo, names: list[str], path: str
          ) -> tuple[dict[str, Any], list[str]]:
    """mat-io on the file (via a temporary copy for zip/folder members); any failure ->
    GaitInputError. Returns (variables, mat-io warning texts)."""
    try:
        with pywarnings.catch_warnings():
            # mat-io sets pandas' future.infer_string option on import (a no-op warning on
            # pandas >= 3, a process-wide string-dtype switch on pandas 2).
            pywarnings.simplefilter("ignore")
            import matio  # noqa: F401
    except ImportError:  # pragma: no cover - a declared dependency
        raise GaitInputError(path, "reading MATLAB files needs the 'mat-io' package",
                             expected="pip install mat-io") from None
    tmp = None
    if c.is_zip or c.is_dir:
        fd, tmp = tempfile.mkstemp(suffix=".mat")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        file_path = tmp
    else:
        file_path = str(c.path)
    try:
        if info.version == 1 and info.all_compressed:
            return _load_here(file_path, names, path)
        return _load_isolated(file_path, len(data), names, path)
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _load_here(file_path: str, names: list[str], path: str
               ) -> tuple[dict[str, Any], list[str]]:
    from matio import load_from_mat

    try:
        with pywarnings.catch_warnings(record=True) as caught:
            pywarnings.simplefilter("always")
            out = load_from_mat(file_path, variable_names=list(names))
        return out, [str(w.message) for w in caught]
    except Exception as exc:  # mat-io raises many types on damaged input
        raise GaitInputError(path, f"cannot decode the MAT-file ({_short(exc)})",
                             expected="a complete MAT-file as saved by MATLAB Mobile") from None


def _load_isolated(file_path: str, size: int, names: list[str], path: str
                   ) -> tuple[dict[str, Any], list[str]]:
    import pickle
    import subprocess
    import sys

    limit = 3 * 2**30 + 40 * size
    timeout = ISOLATED_TIMEOUT_S + 2.0 * size / 2**20
    expected = "a complete MAT-file as saved by MATLAB Mobile"
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, file_path, str(limit), ",".join(names)],
            capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise GaitInputError(path, f"mat-io did not finish decoding within {timeout:.0f} s "
                                   "(the file is probably damaged)", expected=expected) from None
    except OSError as exc:
        raise GaitInputError(path, f"cannot start the MAT-file decoder ({exc})",
                             expected=expected) from None
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        why = lines[-1][:160] if lines else f"exit status {proc.returncode}"
        if proc.returncode < 0:
            why = f"the decoder crashed (signal {-proc.returncode})"
        raise GaitInputError(path, f"cannot decode the MAT-file ({why})", expected=expected)
    try:
        frames, others, msgs = pickle.loads(proc.stdout)
    except Exception as exc:
        raise GaitInputError(path, f"cannot decode the MAT-file ({_short(exc)})",
                             expected=expected) from None
    out: dict[str, Any] = dict(frames)
    out.update({k: _Foreign(v) for k, v in others.items()})
    return out, list(msgs)


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
        kind = df.type_name if isinstance(df, _Foreign) else type(df).__name__
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
                                              f"({_short(exc)})", expected=EXPECTED) from None

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
        tables, lib_warnings = _load(c, data, info, wanted, path)
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

    zone = _zone_from_warnings(lib_warnings)
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
