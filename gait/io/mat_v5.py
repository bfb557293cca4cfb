"""A guard-railed structural check of MAT v5 files, in pure Python, before any library parses them.

mat-io's v5 parser is derived from scipy's Cython reader without all of its guards: some damaged
files (an unknown data type code, inconsistent sizes in an uncompressed element) crash the
interpreter (SIGBUS/SIGSEGV) instead of raising. So every v5 file is first checked here: each
element's tag, size and data type, every compressed element fully inflated (which verifies its
Adler-32 checksum), dimensions against data lengths, and the subsystem offset.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass

from gait.errors import GaitInputError

EXPECTED = "a MATLAB Mobile sensor log (.mat with Acceleration/AngularVelocity timetables)"

# MAT v5 data type codes (mi*) and array classes (mx*).
_MI_SIZE = {1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8, 16: 1, 17: 2, 18: 4}
_MI_MATRIX, _MI_COMPRESSED = 14, 15
_MX_NAMES = {1: "cell", 2: "struct", 3: "object", 4: "char", 5: "sparse", 6: "double",
             7: "single", 8: "int8", 9: "uint8", 10: "int16", 11: "uint16", 12: "int32",
             13: "uint32", 14: "int64", 15: "uint64", 16: "function_handle", 17: "opaque"}
_MAX_DEPTH = 64
_MAX_INFLATED = 2_000_000_000  # refuse to inflate an element beyond 2 GB




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
        raise GaitInputError(path, f"damaged MAT v7.3 (HDF5) file ({short_error(exc)})",
                             expected="a complete MAT-file") from None


def short_error(exc: BaseException) -> str:
    msg = str(exc).splitlines()[0][:120] if str(exc) else ""
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
