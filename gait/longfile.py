"""Long recordings in bounded memory: chunked reading and a chunked :func:`analyse`.

:func:`iter_chunks` streams a gait recording (``NAME.gait.json`` + CSVs) or a generic CSV with
pandas' C parser in blocks and yields :class:`~gait.recording.Recording` chunks of ``chunk_s``
seconds plus a ``margin_s`` overlap on each side, on the recording's own time axis (each
stream's ``start_s`` is its first sample in the chunk). ``rec.meta["chunk"]`` holds the chunk's
``index`` and ``core`` ([start, end) in s; -inf / inf at the recording's ends).

:func:`analyse_long` runs the event detection and the per-step features on each chunk
(:func:`measure_chunk`, a pure function of the chunk: its ``mapper`` may run it in worker
processes, see :mod:`gait.workers`), and keeps, in chunk order, the events whose time falls in
the chunk's share of the recording. Shares are split not
at the nominal core boundary but in the middle of the widest event-free interval near it, as
seen by the chunk before it (events are then half a step away from every split, so the timing
jitter between two chunks' detections cannot duplicate or drop one); the margins give the
detector and the filters context on both sides. Bouts are clipped to each share and joined
across splits. The step table, irregular-step marking, per-side summaries, symmetry and verdict
then run on the whole event table as in :func:`gait.analysis.analyse`; trunk measures are the
means of the chunks' weighted by walking time (regularity) or strides (harmonic ratios).

Known difference from :func:`~gait.analysis.analyse`: the standing reference that levels the
pelvic drop (:func:`gait.metrics.pelvic_features`) is found within each chunk, so steps of a
chunk without a standing period get no pelvic drop.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from os import PathLike
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from gait import analysis as _an
from gait.errors import GaitInputError
from gait.events import Detection, detect_events, empty_events, merge_bouts
from gait.io.base import (
    ACC_UNITS,
    GYR_UNITS,
    TIME_UNITS,
    Container,
    ReadOptions,
    build_stream,
    input_errors,
)
from gait.io.detect import detect
from gait.io.table import (
    NULLS,
    field_count_error,
    sniff_decimal_comma,
    sniff_delimiter,
    split_header,
)
from gait.metrics import TEMPORAL, mark_irregular, step_table
from gait.mount import Mount, apply_mounts
from gait.parameters import NAMES
from gait.recording import Recording, SensorStream

CHUNK_S = 600.0
MARGIN_S = 20.0
SPLIT_SEARCH_S = 1.5  # a split lies within this of the nominal core boundary
HEAD_BYTES = 4 << 20  # generic CSV: the reader's own checks run on this much of the file
BLOCK_ROWS = 1 << 16  # rows parsed at a time
LONG_S = 3600.0  # gait report: recordings at least this long are analysed in chunks
_EXPECTED = "a table of numbers"

PathArg = str | PathLike[str]
#: An ordered map: ``mapper(fn, items)`` yields ``fn(item)`` for every item, in order.
Mapper = Callable[[Callable[[Recording], "ChunkResult"], Iterable[Recording]],
                  Iterable["ChunkResult"]]


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
        self.rows = np.empty((0, len(src.columns)))
        self.t_max = -math.inf
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
        """Read blocks until a row at or after ``t_end`` (or the end of the file) is buffered."""
        parts = [self.rows]
        while not self.done and (self.t_max < t_end or self.t_max == -math.inf):
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
            block = frame[self._cols].to_numpy(np.float64)
            block[:, 0] *= self.src.scale[0]
            t = block[:, 0][np.isfinite(block[:, 0])]
            if len(t):
                self.t_max = max(self.t_max, float(t.max()))
            parts.append(block)
        if len(parts) > 1:
            self.rows = np.concatenate(parts)

    def take(self, lo: float, hi: float) -> np.ndarray:
        t = self.rows[:, 0]
        return self.rows[(t >= lo) & (t < hi)]

    def drop_before(self, t0: float) -> None:
        self.rows = self.rows[self.rows[:, 0] >= t0]  # rows without a valid time go too

    def first_time(self) -> float:
        t = self.rows[:, 0][np.isfinite(self.rows[:, 0])]
        return float(t.min()) if len(t) else math.inf


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
    from gait.io.gaitcsv import manifest_mount

    mpath, doc = _manifest(c)
    srcs = []
    for i, s in enumerate(doc["streams"]):
        f = mpath.parent / s["file"]
        if not f.is_file():
            raise GaitInputError(mpath, f"stream file {s['file']!r} is missing",
                                 where="field 'streams[].file'",
                                 expected="the CSV beside the manifest")
        has_gyr = bool(s.get("has_gyr", True))
        cols = ["time_s", "ax", "ay", "az"] + (["gx", "gy", "gz"] if has_gyr else [])
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
    checks, acc kind, grid rate) and the source that streams the whole file with its result."""
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
                  t_zero=t_zero)
    head.streams = []
    return head, src


def _stream(src: _Source, rows: np.ndarray, warnings: list[str]) -> SensorStream | None:
    if np.isfinite(rows[:, 0]).sum() < 2:
        return None
    a = rows[:, 1:4] * src.scale[1]
    g = rows[:, 4:7] * src.scale[2] if src.has_gyr else None
    st = build_stream(str(src.path), rows[:, 0], a, gyr=g, placement=src.placement,
                      acc_kind=src.acc_kind, name=src.name,  # type: ignore[arg-type]
                      nominal_hz=src.nominal_hz, t_zero=src.t_zero, warnings=warnings)
    st.mount = src.mount
    return st


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


# --- chunked analysis ---------------------------------------------------------------------------

def _split(times: np.ndarray, c: float, search_s: float = SPLIT_SEARCH_S) -> float:
    """Where to split near ``c``: the middle of the widest event-free interval overlapping
    ``c +- search_s`` (``c`` itself when no event is near)."""
    t = np.sort(times[(times > c - 2 * search_s) & (times < c + 2 * search_s)])
    pts = np.concatenate([[c - 2 * search_s], t, [c + 2 * search_s]])
    lo, hi = pts[:-1], pts[1:]
    width = np.where((hi > c - search_s) & (lo < c + search_s), hi - lo, -1.0)
    i = int(np.argmax(width))
    return float(0.5 * (lo[i] + hi[i]))


def _clip_bouts(bouts: pd.DataFrame, lo: float, hi: float) -> pd.DataFrame:
    b = bouts.copy()
    b["start"] = b["start"].clip(lower=lo)
    b["end"] = b["end"].clip(upper=hi)
    return b[b["end"] > b["start"]]


@dataclass
class _StreamTally:
    """What the report says about a stream, summed over the chunks' cores."""

    placement: str
    sample_rate_hz: float
    sensors: list[str]
    acc_kind: str
    n: int = 0
    n_missing: int = 0
    t_first: float = math.inf
    t_last: float = -math.inf

    def add(self, s: _StreamFacts, lo: float, hi: float) -> None:
        t = s.time_s
        m = (t >= lo) & (t < hi)
        if not m.any():
            return
        self.n += int(m.sum())
        self.n_missing += int(s.missing[m].sum())
        self.t_first = min(self.t_first, float(t[m][0]))
        self.t_last = max(self.t_last, float(t[m][-1]) + 1.0 / s.sample_rate_hz)

    @property
    def missing_fraction(self) -> float:
        return self.n_missing / self.n if self.n else 0.0


@dataclass
class _StreamFacts:
    """A chunk's stream as its tally needs it: sample times and which samples are missing."""

    placement: str
    sample_rate_hz: float
    sensors: list[str]
    acc_kind: str
    time_s: np.ndarray
    missing: np.ndarray  # bool per sample


@dataclass
class ChunkResult:
    """What :func:`measure_chunk` found in one chunk, before its share of the recording is
    known (that needs the previous chunk's split): small, and picklable for a worker process."""

    core: tuple[float, float]
    head: Recording  # the chunk's recording-level facts, without samples
    detection: Detection
    steps: pd.DataFrame  # the chunk's whole step table with its per-step features
    trunk: dict[str, Any]
    streams: list[_StreamFacts]


def measure_chunk(rec: Recording) -> ChunkResult:
    """Events, step table, irregular steps and features of one chunk (``rec.meta["chunk"]``);
    a pure function of the chunk, so chunks can be measured in any order or process."""
    det = detect_events(rec)
    steps = mark_irregular(step_table(det.events, det.bouts))
    steps, trunk = _an.add_features(rec, det, steps)
    c0, c1 = rec.meta["chunk"]["core"]
    facts = [_StreamFacts(s.placement, s.sample_rate_hz,
                          ["accelerometer"] + (["gyroscope"] if s.has_gyr else []), s.acc_kind,
                          s.time_s, np.isnan(s.acc[:, 0])) for s in rec.streams]
    head = Recording(streams=[], source_format=rec.source_format, app=rec.app,
                     platform=rec.platform, device=rec.device,
                     start_time_utc=rec.start_time_utc, sources=list(rec.sources),
                     warnings=list(rec.warnings), meta=dict(rec.meta))
    return ChunkResult((float(c0), float(c1)), head, det, steps, trunk, facts)


@dataclass
class _Acc:
    """Everything kept from the chunks analysed so far."""

    events: list[pd.DataFrame] = field(default_factory=list)
    bouts: list[pd.DataFrame] = field(default_factory=list)
    features: list[pd.DataFrame] = field(default_factory=list)
    trunk: list[tuple[dict, float, float]] = field(default_factory=list)  # (measures, s, strides)
    notes: dict[str, None] = field(default_factory=dict)
    trunk_notes: dict[str, None] = field(default_factory=dict)
    impact_note: str | None = None
    warnings: dict[str, None] = field(default_factory=dict)
    streams: dict[str, _StreamTally] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    first: Recording | None = None
    side_sources: dict[str | None, None] = field(default_factory=dict)  # chunks with sides
    unlevelled: int = 0
    n_parts: int = 0


def _keep(res: ChunkResult, lo: float, acc: _Acc) -> float:
    """Keep what of a measured chunk lies in its share [lo, split near its core's end);
    returns the split."""
    det, c1 = res.detection, res.core[1]
    ev = det.events
    hi = _split(ev["t"].to_numpy(float), c1) if math.isfinite(c1) else math.inf
    acc.events.append(ev[(ev["t"] >= lo) & (ev["t"] < hi)])
    bouts = _clip_bouts(det.bouts, lo, hi)
    acc.bouts.append(bouts)
    steps, trunk = res.steps, dict(res.trunk)
    core = steps[(steps["ic"] >= lo) & (steps["ic"] < hi)]
    feats = [c for c in NAMES if c in core and c not in TEMPORAL]
    acc.features.append(core[["ic", *feats]])
    notes = trunk.pop("notes", [])
    if "impact_note" in trunk:  # a property of the sensor's rate: the same in every chunk
        acc.impact_note = trunk.pop("impact_note")
    if len(core):
        acc.n_parts += 1
        acc.unlevelled += bool(notes)
        walking = float((bouts["end"] - bouts["start"]).sum())
        strides = float(((core["side"] == "L") & core["stride_s"].notna()).sum())
        acc.trunk.append((trunk, walking, strides))
        acc.trunk_notes.update(dict.fromkeys(notes))
    acc.notes.update(dict.fromkeys(det.notes))
    if len(ev) and ev["side"].isin(["L", "R"]).any():
        acc.side_sources[det.side_source] = None
    acc.warnings.update(dict.fromkeys(res.head.warnings))
    acc.sources = det.sources
    for s in res.streams:
        tally = acc.streams.setdefault(s.placement, _StreamTally(
            s.placement, s.sample_rate_hz, s.sensors, s.acc_kind))
        tally.add(s, lo, hi)
    return hi


def _combine_trunk(parts: list[tuple[dict, float, float]]) -> dict[str, Any]:
    """Weighted means of the chunks' trunk measures: harmonic ratios (per-stride medians) by
    strides, the autocorrelation measures (per-bout means) by walking time."""
    keys = dict.fromkeys(k for t, _, _ in parts for k in t)
    out: dict[str, Any] = {}
    for k in keys:
        x = np.array([np.nan if t.get(k) is None else float(t[k]) for t, _, _ in parts])
        w = np.array([st if k.startswith("harmonic_ratio") else s for _, s, st in parts])
        ok = np.isfinite(x) & (w > 0)
        out[k] = float(np.average(x[ok], weights=w[ok])) if ok.any() else None
    return out


def _chunks_of(source: PathArg | Iterable[Recording], chunk_s: float, margin_s: float,
               options: dict[str, Any]) -> Iterable[Recording]:
    if isinstance(source, str | PathLike):
        return iter_chunks(source, chunk_s=chunk_s, margin_s=margin_s, **options)
    return source


def _mounted(chunks: Iterable[Recording], mounts: Sequence[Mount], source: str,
             used: dict[str, Mount] | None = None) -> Iterator[Recording]:
    """The chunks with every mount attached to its stream (a manifest's mount unless
    ``mounts`` overrides it); the gravity check (and the check that the placement exists)
    once, on the first chunk (:func:`gait.mount.apply_mounts`). ``used`` receives the mount
    of each placement."""
    effective: dict[str, Mount] | None = None
    for rec in chunks:
        if effective is None:
            apply_mounts(rec, list(mounts), source)
            effective = {s.placement: s.mount for s in rec.streams if s.mount is not None}
            if used is not None:
                used.update(effective)
        else:
            for s in rec.streams:  # a chunk inside a gap may lack a stream
                if s.placement in effective:
                    s.mount = effective[s.placement]
        yield rec


def analyse_long(source: PathArg | Iterable[Recording], *, chunk_s: float = CHUNK_S,
                 margin_s: float = MARGIN_S, n_boot: int = 2000, seed: int = 0,
                 file: str | None = None, mapper: Mapper | None = None,
                 mounts: Sequence[Mount] = (), used_mounts: dict[str, Mount] | None = None,
                 **options: Any) -> _an.Analysis:
    """:func:`gait.analysis.analyse` of a recording read chunk by chunk (bounded memory).

    ``source`` is a path (see :func:`iter_chunks`; ``options`` are read options) or the chunks
    themselves, in time order, each with ``meta["chunk"]["core"]``. Same document as analyse's.
    ``mapper(measure_chunk, chunks)`` yields the chunks' :class:`ChunkResult` in order (default
    :func:`map`, in this process; e.g. a process pool's ordered map measures them in parallel,
    with the same result). It should measure only a few chunks ahead (memory).
    ``mounts`` (:class:`gait.mount.Mount`, ``--mount``) are attached to every chunk's stream of
    their placement, checked against gravity on the first chunk
    (:class:`gait.mount.MountError`); ``used_mounts``, when given, receives the mount of each
    placement (stated or from the manifest).
    """
    acc = _Acc()
    lo, prev_end = -math.inf, math.nan
    chunks = _chunks_of(source, chunk_s, margin_s, options)
    chunks = _mounted(chunks, mounts, str(file or (source if isinstance(source, str | PathLike)
                                                   else "")), used_mounts)
    for res in (mapper or map)(measure_chunk, chunks):
        c0, c1 = res.core
        acc.first = acc.first or res.head
        lo = _keep(res, lo if c0 == prev_end else c0, acc)
        prev_end = c1
    if acc.first is None:
        raise GaitInputError(file, "no samples", expected="a recording")
    return _finish(acc, n_boot=n_boot, seed=seed, file=file)


def _finish(acc: _Acc, *, n_boot: int, seed: int, file: str | None) -> _an.Analysis:
    """The whole-recording tables from the chunks' shares, then analyse's summary."""
    first = acc.first
    assert first is not None
    ev = [e for e in acc.events if len(e)]
    acc.events.clear()  # the chunks' parts are freed once joined (memory of a long recording)
    events = (pd.concat(ev, ignore_index=True) if ev else empty_events()).sort_values(
        ["t", "kind"], kind="stable").reset_index(drop=True)
    del ev
    # where the sides come from, when every chunk with sides says the same (e.g. "mount")
    side_source = next(iter(acc.side_sources)) if len(acc.side_sources) == 1 else None
    det = Detection(events=events, bouts=merge_bouts(acc.bouts), sources=acc.sources,
                    notes=list(acc.notes), side_source=side_source)
    steps = mark_irregular(step_table(det.events, det.bouts))
    feats = pd.concat(acc.features, ignore_index=True).set_index("ic")
    acc.features.clear()
    for c in feats.columns:
        steps[c] = feats[c].reindex(steps["ic"].to_numpy(float)).to_numpy(float)
    del feats
    trunk = _combine_trunk(acc.trunk)
    if acc.unlevelled and acc.unlevelled == acc.n_parts:
        trunk["notes"] = list(acc.trunk_notes)
    elif acc.unlevelled:
        trunk["notes"] = [f"pelvic drop from {acc.n_parts - acc.unlevelled} of {acc.n_parts} "
                          "parts of the recording: the others had no standing period to take "
                          "the level of the pelvis from"]
    if acc.impact_note:
        trunk["impact_note"] = acc.impact_note
    tallies = list(acc.streams.values())
    t0 = min((t.t_first for t in tallies), default=0.0)
    t1 = max((t.t_last for t in tallies), default=0.0)
    info = {"format": first.source_format, "app": first.app, "platform": first.platform,
            "device": first.device,
            "start_time_utc": first.start_time_utc.isoformat() if first.start_time_utc else None,
            "duration_s": round(t1 - t0, 3),
            "streams": [{"placement": t.placement, "sample_rate_hz": round(t.sample_rate_hz, 4),
                         "sensors": t.sensors, "acc_kind": t.acc_kind,
                         "missing_pct": round(100 * t.missing_fraction, 3), "n_samples": t.n}
                        for t in tallies],
            "warnings": list(acc.warnings)}
    rec = SimpleNamespace(streams=tallies, sources=first.sources, meta=first.meta)
    return _an.summarise(rec, info, det, steps, trunk, n_boot=n_boot, seed=seed,
                     file=file or (first.sources[0] if first.sources else ""))

