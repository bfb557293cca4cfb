"""Gait events (initial and final contacts with side) for every placement.

Every detector module (``foot``, ``lower_back``, ``pocket``) has
``detect(stream, side=None) -> Detection`` and returns the same event table:
columns ``t`` (s, recording axis), ``kind`` ("IC"|"FC"), ``side`` ("L"|"R"|None),
``confidence`` (0..1), plus the walking/running bouts it found.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gait import dsp
from gait.recording import MIN_GAIT_HZ, Recording, SensorStream

if TYPE_CHECKING:
    from gait.preprocess import BodySignals

EVENT_COLUMNS = ["t", "kind", "side", "confidence"]
#: the columns of :func:`detect_events`'s table: a detector's own columns plus each side's
#: confidence (:func:`side_confidence_column`)
DETECTION_COLUMNS = [*EVENT_COLUMNS, "side_confidence"]
BOUT_COLUMNS = ["start", "end", "kind"]
#: a walk's mean side confidence (:attr:`Detection.side_confidence`) below this (a lower-back
#: sensor whose side cues contradict each other reads 0.5) leaves the side out of the verdict:
#: the size of an asymmetry is reported, never a leg that may be the wrong one
SIDE_TRUST_MIN = 0.75


def empty_events() -> pd.DataFrame:
    return pd.DataFrame({"t": pd.Series(dtype=float), "kind": pd.Series(dtype=object),
                         "side": pd.Series(dtype=object),
                         "confidence": pd.Series(dtype=float)})


def empty_bouts() -> pd.DataFrame:
    return pd.DataFrame({"start": pd.Series(dtype=float), "end": pd.Series(dtype=float),
                         "kind": pd.Series(dtype=object)})


@dataclass
class Detection:
    """What a detector found in one stream (or the union over a recording's streams)."""

    events: pd.DataFrame = field(default_factory=empty_events)
    bouts: pd.DataFrame = field(default_factory=empty_bouts)
    sources: list[str] = field(default_factory=list)  # placements used
    notes: list[str] = field(default_factory=list)
    #: where the sides come from when a detector says ("side check", "inferred"); None: the
    #: placement's (feet, shanks, a pocket of known side) or no sides
    side_source: str | None = None
    #: the body-frame signals a detector computed for its stream (placement -> ``BodySignals``
    #: of :func:`gait.preprocess.to_body`, e.g. the lower back's, its forward found over the
    #: walking it detected), which the metrics take instead of computing them again
    frames: dict[str, BodySignals] = field(default_factory=dict, repr=False, compare=False)
    #: the placement was not clear from the signal, so only steps were counted
    #: (:func:`steps_only_detection`): ``placement``, ``confidence``, ``candidates``,
    #: ``reason`` of the best guess, ``unit`` ("step", "stride" or None: no cadence) and
    #: ``step_s`` (the step period; None when step or stride was not clear, or the rhythm
    #: too unsteady to time it: no cadence), ``why`` (how step or stride was decided)
    steps_only: dict | None = None

    @property
    def side_confidence(self) -> float | None:
        """Mean confidence of the event sides (0.5 = a coin flip, 1 = certain; None without
        sided events or a ``side_confidence`` column): a lower-back walk whose side cues
        contradict each other reads 0.5."""
        ev = self.events
        if "side_confidence" not in ev:
            return None
        c = ev.loc[ev["side"].isin(["L", "R"]), "side_confidence"].to_numpy(float)
        c = c[np.isfinite(c)]
        return round(float(c.mean()), 3) if len(c) else None


FOOT = ("left_foot", "right_foot", "left_shank", "right_shank", "foot", "shank")
POCKET = ("left_pocket", "right_pocket", "pocket")


def side_of(placement: str) -> str | None:
    if placement.startswith("left_"):
        return "L"
    if placement.startswith("right_"):
        return "R"
    return None


def _module_for(placement: str) -> str | None:
    if placement in FOOT:
        return "foot"
    if placement == "lower_back":
        return "lower_back"
    if placement in POCKET or placement == "hand":  # hand: steps of both feet, no sides
        return "pocket"
    return None


def detect_stream(stream: SensorStream) -> Detection:
    mod_name = _module_for(stream.placement)
    if mod_name is None:
        raise ValueError(f"no event detector for placement {stream.placement!r}")
    if stream.sample_rate_hz < MIN_GAIT_HZ:
        raise ValueError(f"{stream.placement} sampled at {stream.sample_rate_hz:.3g} Hz, too "
                         f"slow to find foot contacts (expected at least {MIN_GAIT_HZ:g} Hz, "
                         "ideally 100 Hz)")
    mod = importlib.import_module(f"gait.events.{mod_name}")
    det: Detection = mod.detect(stream, side=side_of(stream.placement))
    det.sources = [stream.placement]
    return det


def merge_bouts(bouts: list[pd.DataFrame]) -> pd.DataFrame:
    """Union of bout lists (overlapping intervals joined; 'run' wins over 'walk')."""
    parts = [x for x in bouts if len(x)]
    if not parts:
        return empty_bouts()
    b = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    start, end = b["start"].to_numpy(), b["end"].to_numpy()
    if start.dtype.kind != "f" or end.dtype.kind != "f":
        b = b.sort_values("start").reset_index(drop=True)
        rows = b[["start", "end", "kind"]].itertuples(index=False)
    else:
        order = dsp.sort_order(start)  # sort_values("start")'s order
        rows = zip(start[order].tolist(), end[order].tolist(),
                   b["kind"].to_numpy(dtype=object)[order].tolist(), strict=True)
    out: list[list] = []
    for s, e, k in rows:  # one per bout
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
            if k == "run":
                out[-1][2] = "run"
        else:
            out.append([s, e, k])
    return pd.DataFrame(out, columns=BOUT_COLUMNS)


def detect_events(rec: Recording) -> Detection:
    """Events of a recording, using the best placements it has.

    Feet or shanks give contacts (side from the placement); without them a lower-back sensor
    does; without either a pocket phone does. Streams of other placements are not used for
    contacts.
    """
    by = {s.placement: s for s in rec.streams}
    placement_notes: list[str] = []
    if "unknown" in by and not any(p in by for p in (*FOOT, "lower_back", *POCKET, "hand")):
        try:
            stream, note = _placed(by["unknown"], rec.source_format in PHONE_APPS)
        except PlacementUnclear as e:
            return steps_only_detection(by["unknown"], e.guess)
        del by["unknown"]
        by[stream.placement] = stream
        placement_notes.append(note)
    feet = [p for p in FOOT if p in by]
    if feet and all(by[p].gyr is None for p in feet):  # the foot/shank detector needs a gyro
        others = [p for p in ("lower_back", *POCKET, "hand") if p in by]
        if not others:
            det = steps_only_detection(by[feet[0]], None, cause="no_gyroscope")
            det.notes = [*placement_notes, *det.notes]
            return det
        placement_notes.append(f"{', '.join(feet)}: {NO_GYRO_NOTE}; contacts from {others[0]}")
        feet = []
    if feet:
        chosen = feet
    elif "lower_back" in by:
        chosen = ["lower_back"]
    else:
        chosen = [p for p in (*POCKET, "hand") if p in by][:1]
    if not chosen:
        raise ValueError(
            "no stream with an event detector (placements: " + ", ".join(by) + "); "
            "expected lower_back, a foot/shank or a pocket sensor: say where it was worn with "
            "PLACEMENT=FILE, e.g. lower_back=walk.csv or right_pocket=walk.csv")
    dets = [detect_stream(by[p]) for p in chosen]
    ev = pd.concat([d.events for d in dets if len(d.events)], ignore_index=True) if any(
        len(d.events) for d in dets) else empty_events()
    if not _in_time_kind_order(ev):  # a single detector's events come in that order already
        ev = ev.sort_values(["t", "kind"], kind="stable").reset_index(drop=True)
    ev["t"] = ev["t"].astype(float)
    ev["confidence"] = np.clip(ev["confidence"].astype(float), 0, 1)
    ev["side_confidence"] = side_confidence_column(ev)
    return Detection(events=ev[DETECTION_COLUMNS], bouts=merge_bouts([d.bouts for d in dets]),
                     sources=chosen, notes=[*placement_notes, *(n for d in dets for n in d.notes)],
                     side_source=next((d.side_source for d in dets if d.side_source), None),
                     frames={p: f for d in dets for p, f in d.frames.items()})


#: source formats of phone apps (a trunk-like phone facing up is held in the hand)
PHONE_APPS = frozenset({"phyphox", "sensor_logger", "physics_toolbox", "sensorlog",
                        "matlab_mobile", "androsensor"})
#: a note of the report holds this when feet or shanks without a gyroscope were not used
NO_GYRO_NOTE = "no gyroscope (the foot and shank contact detector needs angular rate)"
#: a note of the report starts with this when the placement was inferred
INFERRED_NOTE = "placement inferred from the signal"


class PlacementUnclear(ValueError):
    """Walking was found but where the sensor was worn is not clear (``guess``:
    :class:`gait.events.placement.PlacementGuess`)."""

    def __init__(self, message: str, guess: object) -> None:
        super().__init__(message)
        self.guess = guess


def steps_only_detection(stream: SensorStream, guess: object,
                         cause: str = "placement_unclear") -> Detection:
    """The walk of a sensor whose placement is not clear (``cause`` "placement_unclear";
    ``guess``: the placement guess), or of feet or shanks without a gyroscope ("no_gyroscope":
    the placement is ``stream``'s own): bouts and one event per step (or per stride) without
    sides, by :func:`gait.events.steps_only.detect`, with the guess, the step period and the
    cause in :attr:`Detection.steps_only`."""
    from gait.events.steps_only import detect

    so = detect(stream, getattr(guess, "features", None))
    per = so.periods
    det = so.detection
    known = cause == "no_gyroscope"
    if known:
        det.sources = [stream.placement]
    det.steps_only = {
        "cause": cause,
        "placement": stream.placement if known else (
            getattr(guess, "placement", None) or "lower_back"),
        "confidence": 1.0 if known else float(getattr(guess, "confidence", 0.0)),
        "candidates": tuple(getattr(guess, "candidates", ())),
        "reason": "no gyroscope" if known else str(getattr(guess, "reason", "")),
        "unit": None if per.step_s is None else ("stride" if per.per_stride else "step"),
        "step_s": per.step_s if per.timed else None, "why": per.why}
    return det


def _placed(stream: SensorStream, phone: bool) -> tuple[SensorStream, str]:
    """``stream`` (placement ``unknown``) with the placement :func:`gait.events.placement.
    infer_placement` finds, and the report's note; a one-line ``ValueError`` when it finds
    no walking, :class:`PlacementUnclear` (asking for ``PLACEMENT=``) when it is not sure
    (confidence below ``MIN_CONFIDENCE``). A pocket, foot or shank of unknown side becomes
    ``pocket``, ``foot`` or
    ``shank``: the side is never guessed."""
    from dataclasses import replace

    from gait.events.placement import MIN_CONFIDENCE, infer_placement

    g = infer_placement(stream, phone=phone)
    if g.placement is None:
        raise ValueError(f"nothing to analyse: {g.reason}")
    if not g.usable:
        guess = (f"; best guess {g.placement}, confidence {g.confidence:.2f} < "
                 f"{MIN_CONFIDENCE}" if g.confidence > 0 else "")
        raise PlacementUnclear(
            f"where the sensor was worn is not clear from the signal ({g.reason}{guess}): say "
            f"it with PLACEMENT=FILE, one of {', '.join(g.candidates)}", g)
    side = {"pocket": "; give left_pocket=FILE or right_pocket=FILE for sides",
            "foot": "; give left_foot=FILE or right_foot=FILE for its side",
            "shank": "; give left_shank=FILE or right_shank=FILE for its side",
            "hand": ": hand-held, no left/right (steps and cadence only)"}.get(g.placement, "")
    note = (f"{INFERRED_NOTE}: {g.placement} (confidence {g.confidence:.2f}; {g.reason}; "
            f"PLACEMENT=FILE overrides){side}")
    return replace(stream, placement=g.placement), note


def _in_time_kind_order(ev: pd.DataFrame) -> bool:
    """Whether ``ev`` is as ``sort_values(["t", "kind"], kind="stable").reset_index(drop=True)``
    leaves it: a default index, float times without NaN that never decrease, and string kinds
    in order wherever two times are equal."""
    idx = ev.index
    if not (isinstance(idx, pd.RangeIndex) and idx.start == 0 and idx.step == 1) or \
            isinstance(ev["kind"].dtype, pd.CategoricalDtype):
        return False
    t = ev["t"].to_numpy()
    if t.dtype.kind != "f" or np.isnan(t).any():
        return False
    d = np.diff(t)
    if (d < 0).any():
        return False
    tie = np.flatnonzero(d == 0)  # a few, if any: their kinds compared one by one
    kind = ev["kind"].to_numpy(dtype=object)
    return all(isinstance(kind[i], str) and isinstance(kind[i + 1], str)
               and kind[i] <= kind[i + 1] for i in tie.tolist())


def side_confidence_column(ev: pd.DataFrame) -> np.ndarray:
    """Each event's side confidence: the detector's where it gave one (lower back), 1 for a
    side known from the placement (a foot, shank or pocket of known side), NaN without a side."""
    sided = ev["side"].isin(["L", "R"]).to_numpy()
    given = ev["side_confidence"].to_numpy(float) if "side_confidence" in ev else \
        np.full(len(ev), np.nan)
    return np.where(sided, np.where(np.isfinite(given), given, 1.0), np.nan)
