"""The one analysis path: :func:`analyse` of a recording or a file, whole or in chunks.

This is what ``gait report``, ``gait batch`` and the Python API (:func:`gait.analyse`) call.
:func:`analyse` takes a :class:`~gait.recording.Recording` or a path (``PLACEMENT=PATH``, or
several paths of one walk) with read options, and reads it with :func:`gait.io.chunks.chunks`:
a short recording (or one in memory, or several files of one walk) is one chunk and is analysed
whole by :func:`gait.analysis.single.analyse`; a gait recording or a generic CSV of an hour or more
(:data:`~gait.io.chunks.LONG_S`) comes in 10-minute chunks (bounded memory), measured in
``jobs`` processes (this one and ``jobs - 1`` workers: :func:`gait.analysis.workers.process_map`)
and joined here.

Joining the chunks: :func:`measure_chunk` runs the event detection and the per-step features
on each chunk (a pure function of the chunk, so it may run in a worker process), and the
driver keeps, in chunk order, the events whose time falls in the chunk's share of the
recording. Shares are split not at the nominal core boundary but in the middle of the widest
event-free interval near it, as seen by the chunk before it (events are then half a step away
from every split, so the timing jitter between two chunks' detections cannot duplicate or drop
one); the margins give the detector and the filters context on both sides. Bouts are clipped
to each share and joined across splits. The step table, irregular-step marking, per-side
summaries, symmetry and verdict then run on the whole event table as in
:func:`gait.analysis.single.analyse`; trunk measures are the means of the chunks' weighted by
walking time (regularity) or strides (harmonic ratios).

Known difference from the whole-recording analysis: the standing reference that levels the
pelvic drop (:func:`gait.metrics.pelvic_features`) is found within each chunk, so steps of a
chunk without a standing period get no pelvic drop.

Size: one driver. Planning, reading, the process map, joining the chunks at their splits and
finishing share the chunk bookkeeping (``_Acc``, the shares' bounds), and the joining rules above
read together with the code that applies them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from os import PathLike
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from gait.analysis import single as _an
from gait.analysis.workers import default_jobs, process_map
from gait.api import load, parse_file_arg
from gait.errors import GaitInputError
from gait.events import Detection, detect_events, empty_events, merge_bouts
from gait.io.chunks import (
    CHUNK_S,
    LONG_S,
    MARGIN_S,
    chunks,
    duration_hint,
    one_chunk,
    source_paths,
)
from gait.metrics import TEMPORAL, mark_irregular, step_table
from gait.mount import Mount, apply_mounts, parse_mount_arg
from gait.parameters import NAMES
from gait.recording import Recording

__all__ = ["CHUNK_S", "LONG_S", "MARGIN_S", "ChunkResult", "Plan", "analyse", "analyse_chunks",
           "measure_chunk", "plan"]

SPLIT_SEARCH_S = 1.5  # a split lies within this of the nominal core boundary
#: modules a worker needs (imported before the workers fork; spawned workers import them):
#: the lower back's detector, the placement of nearly every recording of an hour or more; a
#: worker (and this process) imports another detector when a chunk needs it
WORKER_MODULES = ("gait.analysis.pipeline", "gait.events.lower_back")

PathArg = str | PathLike[str]
#: A recording, a path (``PLACEMENT=PATH`` too), or several of one walk: a mapping
#: ``{placement: path}`` or a sequence of paths / ``PLACEMENT=PATH``.
Source = Recording | PathArg | Mapping[str, PathArg] | Sequence[PathArg]
#: An ordered map: ``mapper(fn, items)`` yields ``fn(item)`` for every item, in order.
Mapper = Callable[[Callable[[Recording], "ChunkResult"], Iterable[Recording]],
                  Iterable["ChunkResult"]]
Tick = Callable[[], None]


# --- the driver ---------------------------------------------------------------------------------

@dataclass
class Plan:
    """What is known of a source before it is read: its duration (None: not known before
    loading), whether it is read and analysed in chunks (else whole), in how many, and the
    files it reads (None: known once loaded)."""

    duration_s: float | None
    chunked: bool
    n_chunks: int
    sources: list[str] | None


def _one_path(source: Source, options: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(path, options with its placement) of a single-path source; None for other sources."""
    if isinstance(source, str | PathLike):
        arg: PathArg = source
    elif (isinstance(source, Sequence) and not isinstance(source, str | bytes)
          and len(source) == 1 and isinstance(source[0], str | PathLike)):
        arg = source[0]
    else:
        return None
    placement, path = parse_file_arg(str(arg)) if isinstance(arg, str) else (None, str(arg))
    opts = {k: v for k, v in options.items() if v is not None}
    if placement:
        opts["placement"] = placement
    return path, opts


def plan(source: Source, *, chunk_s: float = CHUNK_S, long_s: float | None = None,
         **options: Any) -> Plan:
    """How :func:`analyse` will read ``source`` (cheap: a manifest, a CSV's first and last
    lines); ``long_s``: see :func:`analyse`."""
    long_s = LONG_S if long_s is None else long_s
    if isinstance(source, Recording):
        return Plan(source.duration_s, False, 1, list(source.sources))
    one = _one_path(source, options)
    if one is None:
        return Plan(None, False, 1, None)
    path, opts = one
    d = duration_hint(path, **opts)
    if d is None or d < long_s:
        return Plan(d, False, 1, None)
    return Plan(d, True, max(math.ceil(d / chunk_s), 1), source_paths(path, **opts))


def analyse(source: Source, *, jobs: int | None = None, seed: int = 0, n_boot: int = 2000,
            file: str | None = None, mounts: Sequence[Mount | str] = (),
            used_mounts: dict[str, Mount] | None = None, notes: list[str] | None = None,
            progress: Callable[[Plan], AbstractContextManager[Tick | None]] | None = None,
            chunk_s: float = CHUNK_S, margin_s: float = MARGIN_S, long_s: float | None = None,
            **options: Any) -> _an.Analysis:
    """Analyse a recording: events, step table, per-side summaries, symmetry with 95 % CIs,
    trunk measures and the weight-shift verdict (the document of
    :func:`gait.analysis.single.analyse`).

    ``source``: a :class:`~gait.recording.Recording`, a path (file, folder or zip of any
    supported format; ``PLACEMENT=PATH``), a mapping ``{placement: path}`` or a sequence of
    paths of one walk. ``options`` are :class:`~gait.io.base.ReadOptions` fields. A gait
    recording or generic CSV of ``long_s`` seconds or more (default :data:`LONG_S`, an hour)
    is read and analysed in ``chunk_s`` chunks in bounded memory, in ``jobs`` processes: this
    one and ``jobs - 1`` workers (default: the CPUs, at most 4; 1: in this process alone);
    anything else is analysed whole.
    ``mounts`` (:class:`gait.mount.Mount` or ``PLACEMENT=SPEC``) are attached to their
    streams, checked against gravity (:class:`gait.mount.MountError`); ``used_mounts``
    receives the mount of each placement, ``notes`` the notes of mounts that override a
    recording's own. ``progress(plan)``, when given, is entered once the workers have started
    and may give a ``tick()`` called after each chunk measured. ``Analysis.sources``: the files
    read.
    """
    mounts = [parse_mount_arg(m) if isinstance(m, str) else m for m in mounts]
    p = plan(source, chunk_s=chunk_s, long_s=long_s, **options)
    n_jobs = min(jobs or default_jobs(), p.n_chunks)
    bad_input: GaitInputError | None = None
    with process_map(n_jobs, preload=WORKER_MODULES, in_main=True) as mapper, \
            (progress(p) if progress else nullcontext()) as tick:
        try:
            recs = _read(source, p, chunk_s, margin_s, options)
            first = next(recs, None)
            if first is None:
                raise GaitInputError(file, "no samples", expected="a recording")
            if not p.chunked:  # one chunk: the whole recording
                return _analyse_whole(first, seed=seed, n_boot=n_boot, file=file,
                                      mounts=mounts, used_mounts=used_mounts, notes=notes,
                                      source=source)
            return analyse_chunks(_prepend(first, recs), seed=seed, n_boot=n_boot, file=file,
                                  mapper=_counting(mapper, tick) if tick else mapper,
                                  mounts=mounts, used_mounts=used_mounts,
                                  source=file or _mount_source(source, mounts))
        except GaitInputError as exc:
            # bad input (e.g. a malformed row an hour into a file): the workers finish their
            # chunks in flight and stop, instead of being killed as on Ctrl-C - a worker killed
            # while it sends a result leaves the pool's result pipe half written, and the
            # executor's thread then waits for the rest of it for ever (the command printed
            # its error and hung at exit)
            bad_input = exc
    raise bad_input


def _read(source: Source, p: Plan, chunk_s: float, margin_s: float,
          options: dict[str, Any]) -> Iterator[Recording]:
    """``source`` as :func:`plan` said: in chunks or whole (one chunk)."""
    if isinstance(source, Recording):
        yield source
        return
    one = _one_path(source, options)
    opts = {k: v for k, v in options.items() if v is not None}
    if one is not None:
        path, opts = one
        yield from chunks(path, chunk_s=chunk_s, margin_s=margin_s,
                          long_s=0.0 if p.chunked else math.inf, **opts)
        return
    if isinstance(source, Mapping):
        yield one_chunk(load(source, **opts))
        return
    from gait.api import combine

    recs = []
    for arg in source:  # type: ignore[union-attr]
        placement, path = parse_file_arg(str(arg))
        recs.append(load(path, **({**opts, "placement": placement} if placement else opts)))
    yield one_chunk(combine(recs))


def _prepend(first: Recording, rest: Iterator[Recording]) -> Iterator[Recording]:
    yield first
    yield from rest


def _counting(mapper: Mapper, tick: Tick) -> Mapper:
    """``mapper`` calling ``tick()`` after each result."""
    def counted(fn: Callable[[Recording], ChunkResult], items: Iterable[Recording]
                ) -> Iterator[ChunkResult]:
        for r in mapper(fn, items):
            tick()
            yield r
    return counted


def _mount_source(source: Source, mounts: Sequence[Mount]) -> str:
    """The file of the (first) mounted placement, for the gravity-check message."""
    if isinstance(source, Recording):
        return ""
    args = ([str(source)] if isinstance(source, str | PathLike) else
            [f"{k}={v}" for k, v in source.items()] if isinstance(source, Mapping) else
            [str(a) for a in source])
    for m in mounts:
        for a in args:
            placement, path = parse_file_arg(a)
            if placement in (None, m.placement):
                return path
    return parse_file_arg(args[0])[1] if args else ""


def _analyse_whole(rec: Recording, *, seed: int, n_boot: int, file: str | None,
                   mounts: Sequence[Mount], used_mounts: dict[str, Mount] | None,
                   notes: list[str] | None, source: Source) -> _an.Analysis:
    found = apply_mounts(rec, list(mounts), _mount_source(source, mounts))
    if notes is not None:
        notes.extend(found)
    if used_mounts is not None:
        used_mounts.update({s.placement: s.mount for s in rec.streams if s.mount is not None})
    return _an.analyse(rec, n_boot=n_boot, seed=seed, file=file)


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
    """The bouts cut to [lo, hi] (those left empty dropped): ``Series.clip``'s numbers (a
    value below ``lo`` becomes ``lo``, NaN stays), on the arrays."""
    b = bouts.copy()
    start, end = b["start"].to_numpy(float), b["end"].to_numpy(float)
    start = np.where(np.isnan(start) | (start >= lo), start, lo)
    end = np.where(np.isnan(end) | (end <= hi), end, hi)
    b["start"], b["end"] = start, end
    return b[end > start]


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
    """A chunk's stream as its tally needs it: its sample grid and which samples are
    missing (the times are not sent back from a worker: made again from the grid)."""

    placement: str
    sample_rate_hz: float
    sensors: list[str]
    acc_kind: str
    start_s: float
    missing: np.ndarray  # bool per sample

    @property
    def time_s(self) -> np.ndarray:
        """The samples' times, as :attr:`gait.recording.SensorStream.time_s`."""
        return self.start_s + np.arange(len(self.missing)) / self.sample_rate_hz


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
    det = replace(det, frames={})  # the body frames are used up: not sent back from a worker
    c0, c1 = rec.meta["chunk"]["core"]
    facts = [_StreamFacts(s.placement, s.sample_rate_hz,
                          ["accelerometer"] + (["gyroscope"] if s.has_gyr else []), s.acc_kind,
                          s.start_s, np.isnan(s.acc[:, 0])) for s in rec.streams]
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
    #: each chunk's steps-only facts (placement not clear: gait.events.steps_only)
    steps_only: list[dict] = field(default_factory=list)
    unlevelled: int = 0
    n_parts: int = 0


def _keep(res: ChunkResult, lo: float, acc: _Acc) -> float:
    """Keep what of a measured chunk lies in its share [lo, split near its core's end);
    returns the split."""
    det, c1 = res.detection, res.core[1]
    ev = det.events
    t = ev["t"].to_numpy(float)
    hi = _split(t, c1) if math.isfinite(c1) else math.inf
    acc.events.append(ev[(t >= lo) & (t < hi)])
    bouts = _clip_bouts(det.bouts, lo, hi)
    acc.bouts.append(bouts)
    steps, trunk = res.steps, dict(res.trunk)
    ic = steps["ic"].to_numpy(float)
    core = steps[(ic >= lo) & (ic < hi)]
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
    if det.steps_only is not None:
        acc.steps_only.append(det.steps_only)
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


def analyse_chunks(chunks: Iterable[Recording], *, n_boot: int = 2000, seed: int = 0,
                   file: str | None = None, mapper: Mapper | None = None,
                   mounts: Sequence[Mount] = (), used_mounts: dict[str, Mount] | None = None,
                   source: str = "") -> _an.Analysis:
    """The analysis of a recording from its chunks, in time order, each with
    ``meta["chunk"]["core"]`` (:func:`gait.io.chunks.iter_chunks`); same document as
    :func:`gait.analysis.single.analyse`'s. ``mapper(measure_chunk, chunks)`` yields the chunks'
    :class:`ChunkResult` in order (default :func:`map`, in this process; a process pool's
    ordered map measures them in parallel, with the same result); it should measure only a few
    chunks ahead (memory). ``mounts`` are attached to every chunk's stream of their placement,
    checked against gravity on the first chunk (``source``: the file named by that check);
    ``used_mounts``, when given, receives the mount of each placement (stated or from the
    manifest).
    """
    acc = _Acc()
    lo, prev_end = -math.inf, math.nan
    mounted = _mounted(chunks, mounts, str(file or source), used_mounts)
    for res in (mapper or map)(measure_chunk, mounted):
        c0, c1 = res.core
        acc.first = acc.first or res.head
        lo = _keep(res, lo if c0 == prev_end else c0, acc)
        prev_end = c1
    if acc.first is None:
        raise GaitInputError(file, "no samples", expected="a recording")
    return _finish(acc, n_boot=n_boot, seed=seed, file=file)


def _steps_only(parts: list[dict]) -> dict | None:
    """The chunks' steps-only facts as one: the first chunk's guess; the unit when every chunk
    found the same (else none: no count, no cadence); the median step period when every chunk
    timed it (else no cadence)."""
    if not parts:
        return None
    units = {p["unit"] for p in parts}
    unit = units.pop() if len(units) == 1 else None
    periods = [p["step_s"] for p in parts]
    timed = unit is not None and all(s is not None for s in periods)
    why = parts[0]["why"] if unit is not None else "the parts of the recording disagree on it"
    return {**parts[0], "unit": unit,
            "step_s": float(np.median(periods)) if timed else None,
            "why": why if timed or unit is None else next(
                p["why"] for p in parts if p["step_s"] is None)}


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
                    notes=list(acc.notes), side_source=side_source,
                    steps_only=_steps_only(acc.steps_only))
    if det.steps_only is not None and det.steps_only["unit"] is None:
        det.events = empty_events()  # chunks of steps and chunks of strides: not counted
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

