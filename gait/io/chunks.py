"""Every recording in chunks: the readers' chunked reading (bounded memory).

:func:`chunks` yields any recording as :class:`~gait.recording.Recording` chunks. A gait
recording (``NAME.gait.json`` + CSVs) or a generic CSV lasting at least ``long_s`` (default
:data:`LONG_S`) is streamed with pandas' C parser in blocks (:func:`iter_chunks`): chunks of
``chunk_s`` seconds plus a ``margin_s`` overlap on each side, on the recording's own time axis
(each stream's ``start_s`` is its first sample in the chunk). Every other recording (shorter,
several files of one walk, or a format read whole) is one chunk, read by its reader
(:func:`gait.io.detect.load_path`). ``rec.meta["chunk"]`` holds the chunk's ``index`` and
``core`` ([start, end) in s; -inf / inf at the recording's ends: a single chunk is
[-inf, inf]). A stream's acceleration unit is judged by gravity once, not chunk by chunk
(:func:`_stream`). Rows out of time order are put in order within the margin, as the whole-file
reader does; a row that comes after its part of the recording was analysed (more than
``margin_s`` late) is left out with a warning naming its data row.

Size: one reader (the row buffer, its line checks, the two kinds of source and the chunk loop
share the buffered blocks and the read position), as every reader in gait.io.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from os import PathLike
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from gait.errors import GaitInputError
from gait.io.base import (
    ACC_UNITS,
    GRAVITY_UNITS,
    GYR_UNITS,
    TIME_UNITS,
    Container,
    GravityUnit,
    ReadOptions,
    build_stream,
    check_placement,
    input_errors,
)
from gait.io.detect import detect, load_path
from gait.io.table import (
    NULLS,
    field_count_error,
    sniff_decimal_comma,
    sniff_delimiter,
    split_header,
)
from gait.mount import Mount
from gait.recording import Recording, SensorStream

CHUNK_S = 600.0
MARGIN_S = 20.0
HEAD_BYTES = 4 << 20  # generic CSV: the reader's own checks run on this much of the file
BLOCK_ROWS = 1 << 16  # rows parsed at a time
LONG_S = 3600.0  # recordings at least this long are read (and analysed) in chunks
_EXPECTED = "a table of numbers"

PathArg = str | PathLike[str]


# --- cheap facts before loading ----------------------------------------------------------------

def duration_hint(path: PathArg, **options: Any) -> float | None:
    """Duration (s) known before loading: a gait recording's from its manifest
    (``n_samples / rate``), a generic CSV's from its first and last times (``options``: the
    read options, for ``columns`` and ``time_unit``); None for other formats."""
    opts = ReadOptions(**options)
    try:
        reader, c = detect(Path(path), opts)
    except GaitInputError:
        return None
    if reader.name == "gait":
        _, doc = _manifest(c)
        return max((s.get("n_samples", 0) / s["sample_rate_hz"] for s in doc["streams"]),
                   default=0.0)
    if reader.name != "generic" or c.is_zip or c.is_dir:
        return None
    return _first_last_time(c.path, opts)


def _first_last_time(path: Path, opts: ReadOptions) -> float | None:
    """Duration of a generic CSV from its first two and last times (first and last 4 kB)."""
    from gait.io.generic import TIME_UNIT_BY_NAME, map_columns

    with open(path, "rb") as fh:
        head = fh.read(4096).decode("utf-8", errors="replace").lstrip("\ufeff")
        fh.seek(max(path.stat().st_size - 4096, 0))
        tail = fh.read().decode("utf-8", errors="replace")
    lines = head.splitlines()
    delim = opts.delimiter or sniff_delimiter(lines[0])
    header = split_header(lines[0], delim)
    name = map_columns(header, opts)["time"]
    if name is None:
        return None
    col = header.index(name)
    unit = TIME_UNITS.get(opts.time_unit or TIME_UNIT_BY_NAME.get(name.lower(), "s"), 1.0)
    rows = [r for r in lines[1:-1][:2] + tail.splitlines()[-1:] if r.strip()]
    try:
        t = [float(r.split(delim)[col].strip().strip('"')) * unit for r in rows]
    except (ValueError, IndexError):
        return None
    if len(t) < 3 or not t[0] < t[1] < t[2]:
        return None
    return t[2] - t[0] + (t[1] - t[0])  # plus one sample period, like n_samples / rate


def source_paths(path: PathArg, **options: Any) -> list[str]:
    """The files a chunked read of ``path`` reads (a gait recording's manifest and stream
    CSVs, or the CSV), as in ``Recording.sources``; for the walk history."""
    reader, c = detect(Path(path), ReadOptions(**options))
    if reader.name == "gait":
        mpath, doc = _manifest(c)
        return [str(mpath)] + [str(mpath.parent / s["file"]) for s in doc["streams"]]
    return [str(c.path)]


def wants_chunks(path: PathArg, threshold_s: float | None = None, **options: Any) -> bool:
    """True when ``path`` can be read in chunks and lasts at least ``threshold_s`` (default
    :data:`LONG_S`)."""
    d = duration_hint(path, **options)
    return d is not None and d >= (LONG_S if threshold_s is None else threshold_s)


# --- chunked reading ---------------------------------------------------------------------------

@dataclass
class _Source:
    """One CSV of sensor rows: which columns are time/acc/gyr and how to scale them."""

    path: Path
    placement: str
    columns: list[str]  # time, ax, ay, az[, gx, gy, gz] as named in the file
    header: list[str]
    has_gyr: bool
    delimiter: str = ","
    decimal_comma: bool = False
    scale: tuple[float, float, float] = (1.0, 1.0, 1.0)  # time, acc, gyr
    nominal_hz: float | None = None
    acc_kind: str = "total"
    name: str = ""
    t_zero: float | None = 0.0
    mount: Mount | None = None  # a gait recording's manifest mount (gait.io.gaitcsv)
    #: the unit gravity gives (:func:`_stream`): "check" until decided, then one or None
    gravity: GravityUnit | Literal["check"] | None = "check"
    unit_note: list[str] = field(default_factory=list)  # the warning of that decision


class _Rows:
    """The rows of one :class:`_Source`, read block by block with pandas' C parser
    (``BLOCK_ROWS`` rows at a time; twice as fast as pyarrow's streaming CSV reader here and
    ~70 MB lighter). A row with more or fewer fields than the header is an error, as in the
    whole-file reader, except a truncated last line (a recording cut off), which reads as
    missing values."""

    def __init__(self, src: _Source) -> None:
        self.src = src
        # columns by position (a header may repeat a name); the header line is skipped. All
        # columns are parsed (usecols would silently drop the extra fields of a bad row).
        self._cols = [src.header.index(c) for c in src.columns]
        with self._errors():
            self._reader = pd.read_csv(
                src.path, sep=src.delimiter, header=None, skiprows=1,
                names=range(len(src.header)), dtype=dict.fromkeys(self._cols, np.float64),
                na_values=NULLS, keep_default_na=False, decimal="," if src.decimal_comma else ".",
                engine="c", chunksize=BLOCK_ROWS)
        #: the buffered rows, block by block (none empty), each column by column: time in s,
        #: then the sensor columns as read
        self.blocks: list[list[np.ndarray]] = []
        self._sorted = True  # the buffered times are valid and in order (across blocks too)
        self.t_max = -math.inf  # the latest time read
        self.t_last = -math.inf  # the time of the last row read that has one (file order)
        self.floor = -math.inf  # rows before this time were dropped (their chunks are out)
        self.late: list[int] = []  # rows read after their chunk was out: count, first data row
        self.done = False
        self._n_read = 0  # data rows parsed so far
        self._lines: _LineCheck | None = None

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Parser failures (a bad number, a malformed line) as :class:`GaitInputError`."""
        with input_errors(str(self.src.path), _EXPECTED):
            try:
                yield
            except (ValueError, pd.errors.ParserError) as exc:
                msg = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
                raise GaitInputError(str(self.src.path), f"cannot read ({msg})",
                                     expected=_EXPECTED) from None

    def fill_to(self, t_end: float) -> None:
        """Read blocks until the last row read (in file order) is at or after ``t_end``, or the
        end of the file. The last row, not the latest time: one row stamped far ahead (a glitch)
        must not stop the reading of the rows before it. Rows whose time is before
        :attr:`floor` came after their chunk was made: they are counted in :attr:`late`."""
        while not self.done and (self.t_last < t_end or self.t_last == -math.inf):
            with self._errors():
                try:
                    frame = next(self._reader)
                except StopIteration:
                    self.done = True
                    self._reader.close()
                    if self._lines is not None:
                        self._lines.close()
                    break
            # pandas fills a short row with NaN: a row whose last field is empty is checked
            # against its line (rare; one forward pass over the file at most)
            last = frame[len(self.src.header) - 1].to_numpy()
            maybe = np.flatnonzero(pd.isna(last))
            if len(maybe):
                if self._lines is None:
                    self._lines = _LineCheck(self.src.path, self.src.delimiter)
                for i in maybe:  # rows with an empty last field only
                    self._lines.check(self._n_read + int(i), len(self.src.header))
            self._n_read += len(frame)
            if not len(frame):
                continue
            # the parser's own column arrays (no copy); the time in seconds
            block = [frame[c].to_numpy(np.float64) for c in self._cols]
            t = block[0] = block[0] * self.src.scale[0]
            ok = t[np.isfinite(t)]
            if len(ok):
                self.t_max = max(self.t_max, float(ok.max()))
                self.t_last = float(ok[-1])
                early = np.flatnonzero(t < self.floor)
                if len(early):
                    first = self.late[1] if self.late else self._n_read - len(frame) + \
                        int(early[0]) + 1
                    self.late = [(self.late[0] if self.late else 0) + len(early), first]
            last = float(self.blocks[-1][0][-1]) if self.blocks else -math.inf
            self._sorted = self._sorted and _in_order(t, last)
            self.blocks.append(block)

    def take(self, lo: float, hi: float) -> list[list[np.ndarray]]:
        """The rows with lo <= time < hi, each column in pieces (views when times are sorted)."""
        pieces: list[list[np.ndarray]] = [[] for _ in self.src.columns]
        for block in self.blocks:
            t = block[0]
            if self._sorted:
                i0, i1 = np.searchsorted(t, [lo, hi])
                part = [c[i0:i1] for c in block] if i1 > i0 else None
            else:
                keep = (t >= lo) & (t < hi)
                part = [c[keep] for c in block] if keep.any() else None
            if part is not None:
                for col, p in zip(pieces, part, strict=True):
                    col.append(p)
        return pieces

    def drop_before(self, t0: float) -> None:
        """Drop the rows before ``t0`` (and rows without a valid time); rows read later with a
        time before ``t0`` are late (:attr:`late`)."""
        self.floor = max(self.floor, t0)
        kept = []
        for block in self.blocks:
            t = block[0]
            if self._sorted:
                i0 = int(np.searchsorted(t, t0))
                part = [c[i0:] for c in block] if i0 < len(t) else None
            else:
                keep = t >= t0
                part = [c[keep] for c in block] if keep.any() else None
            if part is not None:
                kept.append(part)
        self.blocks = kept
        if not self._sorted:  # what is left may be in order
            ends = [-math.inf] + [float(b[0][-1]) for b in kept[:-1]]
            self._sorted = all(_in_order(b[0], e) for b, e in zip(kept, ends, strict=True))

    def first_time(self) -> float:
        if self._sorted:
            return float(self.blocks[0][0][0]) if self.blocks else math.inf
        t = np.concatenate([b[0] for b in self.blocks]) if self.blocks else np.empty(0)
        t = t[np.isfinite(t)]
        return float(t.min()) if len(t) else math.inf


def _in_order(t: np.ndarray, before: float) -> bool:
    """``t`` (not empty) follows ``before`` in order, from a valid time (inf only at its end)."""
    return bool(np.isfinite(t[0]) and t[0] >= before and np.all(t[1:] >= t[:-1]))


class _LineCheck:
    """Field counts of chosen data rows, read forward through the file once (blank lines are
    skipped, as pandas does)."""

    def __init__(self, path: Path, sep: str) -> None:
        self.path, self.sep = path, sep
        self._fh = open(path, encoding="utf-8-sig", errors="replace")  # noqa: SIM115
        self._fh.readline()  # header
        self._line_no = 1
        self._row = -1

    def close(self) -> None:
        self._fh.close()

    def check(self, row: int, n_fields: int) -> None:
        """Raise if data row ``row`` (0-based) has fewer fields than ``n_fields``, unless it is
        the last line of the file."""
        line = ""
        while self._row < row:
            line = self._fh.readline()
            if not line:
                return
            self._line_no += 1
            if line.strip():
                self._row += 1
        n = line.count(self.sep) + 1
        if n >= n_fields:
            return
        if not any(more.strip() for more in self._fh):  # consumes the rest: fine either way
            return  # a truncated last line (nothing follows, so nothing else is checked)
        self.close()
        raise field_count_error(self.path, n, n_fields, self._line_no, self.sep)


def _manifest(c: Container) -> tuple[Path, dict]:
    from gait.io.gaitcsv import find_manifest

    found = find_manifest(c)
    if found is None:  # pragma: no cover - detect() said it is ours
        raise GaitInputError(c.path, "no gait recording manifest", expected="NAME.gait.json")
    return found


def _header(path: Path, delimiter: str | None = None) -> tuple[list[str], str, list[str]]:
    with open(path, "rb") as fh:
        head = fh.read(1 << 16).decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = head.splitlines()
    if not lines:
        raise GaitInputError(path, "the file is empty", expected="a header line")
    delim = delimiter or sniff_delimiter(lines[0])
    return split_header(lines[0], delim), delim, lines[1:20]


def _gait_sources(c: Container) -> tuple[Recording, list[_Source]]:
    """Streams of a gait recording, and its Recording-level facts (without samples)."""
    from gait.io.gaitcsv import manifest_mount, stream_file

    mpath, doc = _manifest(c)
    srcs = []
    for i, s in enumerate(doc["streams"]):
        f, cols = stream_file(mpath, s)
        has_gyr = "gx" in cols
        header, delim, _ = _header(f)
        missing = [k for k in cols if k not in header]
        if missing:
            raise GaitInputError(f, f"column {missing[0]!r} is missing", where="line 1 (header)",
                                 expected=",".join(cols))
        srcs.append(_Source(f, s["placement"], cols, header, has_gyr, delim,
                            nominal_hz=float(s["sample_rate_hz"]),
                            acc_kind=s.get("acc_kind", "total"), name=s.get("name", ""),
                            mount=manifest_mount(mpath, i, s)))
    start = doc.get("start_time_utc")
    head = Recording(
        streams=[], source_format=doc.get("source_format") or "gait",
        app=doc.get("app") or "gait", platform=doc.get("platform"), device=doc.get("device"),
        start_time_utc=datetime.fromisoformat(start) if start else None,
        sources=[str(mpath)] + [str(s.path) for s in srcs],
        warnings=list(doc.get("warnings") or []),
        meta={**(doc.get("meta") or {}), "container": "gait-recording"})
    return head, srcs


class _HeadContainer(Container):
    """A container whose single file reads as its first ``HEAD_BYTES`` (whole lines)."""

    def read_bytes(self, name: str) -> bytes:
        with open(self.path, "rb") as fh:
            raw = fh.read(HEAD_BYTES)
        return raw if len(raw) < HEAD_BYTES else raw[: raw.rfind(b"\n") + 1]


def _generic_source(reader: Any, path: Path, opts: ReadOptions) -> tuple[Recording, _Source]:
    """The generic reader run on the file's head (column mapping, units, unit and gravity
    checks, acc kind, grid rate) and the source that streams the whole file with its result
    (the unit gravity gave the head, if any, is the whole stream's: :func:`_stream`)."""
    head = reader.read(_HeadContainer(path), opts)
    st = head.streams[0]
    m, units = head.meta["columns"], head.meta["units"]
    header, delim, sample = _header(path, opts.delimiter)
    has_gyr = units["gyr"] is not None
    cols = [m["time"], m["ax"], m["ay"], m["az"]] + ([m["gx"], m["gy"], m["gz"]] if has_gyr
                                                     else [])
    t_zero = 0.0 if st.start_s >= 0 else None
    src = _Source(path, st.placement, cols, header, has_gyr, delim,
                  sniff_decimal_comma(sample, delim),
                  (TIME_UNITS[units["time"]], ACC_UNITS[units["acc"]],
                   GYR_UNITS[units["gyr"]] if has_gyr else 1.0),
                  nominal_hz=st.sample_rate_hz, acc_kind=st.acc_kind, name=st.name,
                  t_zero=t_zero, gravity=_unit(st.info.get("acc_unit_from_gravity")))
    head.streams = []
    return head, src


def _stream(src: _Source, pieces: list[list[np.ndarray]],
            warnings: list[str]) -> SensorStream | None:
    """One chunk's stream of ``src`` from its columns' pieces (:meth:`_Rows.take`); None with
    fewer than 2 valid times. The acceleration's unit is judged by gravity once per stream (a
    generic CSV's by the generic reader on the file's head, :func:`_generic_source`; a gait
    recording's stream's on its first chunk) and every chunk is read in it, with that warning,
    as the whole-file reader reads a recording in one unit (judged chunk by chunk, a chunk of
    fewer than 3 complete samples stayed unconverted among converted ones)."""
    if not pieces[0]:
        return None
    t = pieces[0][0] if len(pieces[0]) == 1 else np.concatenate(pieces[0])
    if np.isfinite(t).sum() < 2:
        return None
    a = _stack(pieces[1:4], len(t), src.scale[1])
    g = _stack(pieces[4:7], len(t), src.scale[2]) if src.has_gyr else None
    checked = src.gravity == "check"
    n0 = len(warnings)
    if not checked:
        warnings.extend(src.unit_note)
    st = build_stream(str(src.path), t, a, gyr=g, placement=src.placement,
                      acc_kind=src.acc_kind, name=src.name,  # type: ignore[arg-type]
                      nominal_hz=src.nominal_hz, t_zero=src.t_zero, warnings=warnings,
                      gravity=src.gravity, copy=False)
    if checked and src.acc_kind == "total":
        src.gravity = _unit(st.info.get("acc_unit_from_gravity"))
        if src.gravity is not None:  # build_stream's warning of the unit, for later chunks
            note = f"{src.path}: acceleration at rest "
            src.unit_note = [w for w in warnings[n0:] if w.startswith(note)]
    st.mount = src.mount
    return st


def _stack(cols: list[list[np.ndarray]], n: int, scale: float) -> np.ndarray:
    """The columns (each as pieces, ``n`` rows in all) side by side, times ``scale``."""
    out = np.empty((n, len(cols)))
    for j, col in enumerate(cols):
        np.concatenate(col, out=out[:, j])
    out *= scale
    return out


def _unit(name: str | None) -> GravityUnit | None:
    """The unit of GRAVITY_UNITS called ``name`` (None: none)."""
    return None if name is None else (name, dict(GRAVITY_UNITS)[name])


def iter_chunks(path: PathArg, *, chunk_s: float = CHUNK_S, margin_s: float = MARGIN_S,
                **options: Any) -> Iterator[Recording]:
    """Yield a gait recording or a generic CSV as overlapping chunks (see the module doc).

    ``options`` are :class:`~gait.io.base.ReadOptions` fields. Chunks without samples (a long
    pause in the file) are skipped. Other formats raise :class:`GaitInputError`.
    """
    if not (chunk_s > 0 and margin_s >= 0):
        raise ValueError("chunk_s must be positive and margin_s not negative")
    opts = ReadOptions(**options)
    p = Path(path)
    reader, c = detect(p, opts)
    if reader.name == "gait":
        head, srcs = _gait_sources(c)
    elif reader.name == "generic" and not (c.is_zip or c.is_dir):
        head, src = _generic_source(reader, c.path, opts)
        srcs = [src]
    else:
        raise GaitInputError(p, f"a {reader.name} export cannot be read in chunks",
                             expected="a gait recording or a generic CSV")
    rows = [_Rows(s) for s in srcs]
    for r in rows:
        r.fill_to(-math.inf)
    t0 = min(r.first_time() for r in rows)
    if not math.isfinite(t0):
        raise GaitInputError(p, "no samples with a valid time", expected="samples")
    for r, s in zip(rows, srcs, strict=True):
        if s.t_zero is None:  # generic CSV with negative times: zero is the first sample
            s.t_zero = r.first_time()
    k = 0
    while True:
        c0, c1 = t0 + k * chunk_s, t0 + (k + 1) * chunk_s
        for r in rows:
            r.fill_to(c1 + margin_s)
        last = all(r.done and r.t_max < c1 + margin_s for r in rows)
        hi = math.inf if last else c1 + margin_s
        warnings = list(head.warnings)
        for r, s in zip(rows, srcs, strict=True):
            if r.late:
                warnings.append(_late_warning(s, r.late, margin_s))
                r.late = []
        streams = [st for r, s in zip(rows, srcs, strict=True)
                   if (st := _stream(s, r.take(c0 - margin_s, hi), warnings)) is not None]
        if streams:
            core = [-math.inf if k == 0 else c0, math.inf if last else c1]
            yield Recording(streams=streams, source_format=head.source_format, app=head.app,
                            platform=head.platform, device=head.device,
                            start_time_utc=head.start_time_utc, sources=list(head.sources),
                            warnings=list(dict.fromkeys(warnings)),
                            meta={**head.meta, "chunk": {"index": k, "core": core}})
        if last:
            return
        for r in rows:
            r.drop_before(c1 - margin_s)
        k += 1


def _late_warning(src: _Source, late: list[int], margin_s: float) -> str:
    """The warning for rows left out because their time came too late in the file."""
    n, first = late
    return (f"{src.path}: {n} row(s) (the first: data row {first}) came more than "
            f"{margin_s:g} s of time after later rows; their part of the recording was already "
            "analysed, so they were left out (sort the file by time to keep them)")


def chunks(path: PathArg, *, chunk_s: float = CHUNK_S, margin_s: float = MARGIN_S,
           long_s: float = LONG_S, **options: Any) -> Iterator[Recording]:
    """Any recording in chunks (see the module doc): a gait recording or a generic CSV of at
    least ``long_s`` seconds streamed by :func:`iter_chunks`, every other recording as one
    chunk read whole by its reader (core [-inf, inf]). ``options`` are
    :class:`~gait.io.base.ReadOptions` fields."""
    if wants_chunks(path, long_s, **options):
        yield from iter_chunks(path, chunk_s=chunk_s, margin_s=margin_s, **options)
        return
    opts = ReadOptions(**options)
    if opts.placement is not None:
        check_placement(opts.placement)
    yield one_chunk(load_path(path, opts))


def one_chunk(rec: Recording) -> Recording:
    """``rec`` marked as the single chunk of itself (core [-inf, inf])."""
    rec.meta["chunk"] = {"index": 0, "core": [-math.inf, math.inf]}
    return rec

