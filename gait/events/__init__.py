"""Gait events (initial and final contacts with side) for every placement.

Every detector module (``foot``, ``lower_back``, ``pocket``) has
``detect(stream, side=None) -> Detection`` and returns the same event table:
columns ``t`` (s, recording axis), ``kind`` ("IC"|"FC"), ``side`` ("L"|"R"|None),
``confidence`` (0..1), plus the walking/running bouts it found.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gait.recording import MIN_GAIT_HZ, Recording, SensorStream

EVENT_COLUMNS = ["t", "kind", "side", "confidence"]
#: the columns of :func:`detect_events`'s table: a detector's own columns plus each side's
#: confidence (:func:`side_confidence_column`)
DETECTION_COLUMNS = [*EVENT_COLUMNS, "side_confidence"]
BOUT_COLUMNS = ["start", "end", "kind"]


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


FOOT = ("left_foot", "right_foot", "left_shank", "right_shank")
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
    if placement in POCKET:
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
    b = pd.concat([x for x in bouts if len(x)], ignore_index=True) if any(
        len(x) for x in bouts) else empty_bouts()
    if b.empty:
        return empty_bouts()
    b = b.sort_values("start").reset_index(drop=True)
    out: list[list] = []
    for s, e, k in b[["start", "end", "kind"]].itertuples(index=False):
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
    feet = [p for p in FOOT if p in by]
    if feet:
        chosen = feet
    elif "lower_back" in by:
        chosen = ["lower_back"]
    else:
        chosen = [p for p in POCKET if p in by][:1]
    if not chosen:
        raise ValueError(
            "no stream with an event detector (placements: " + ", ".join(by) + "); "
            "expected lower_back, a foot/shank or a pocket sensor: say where it was worn with "
            "PLACEMENT=FILE, e.g. lower_back=walk.csv or right_pocket=walk.csv")
    dets = [detect_stream(by[p]) for p in chosen]
    ev = pd.concat([d.events for d in dets if len(d.events)], ignore_index=True) if any(
        len(d.events) for d in dets) else empty_events()
    ev = ev.sort_values(["t", "kind"], kind="stable").reset_index(drop=True)
    ev["t"] = ev["t"].astype(float)
    ev["confidence"] = np.clip(ev["confidence"].astype(float), 0, 1)
    ev["side_confidence"] = side_confidence_column(ev)
    return Detection(events=ev[DETECTION_COLUMNS], bouts=merge_bouts([d.bouts for d in dets]),
                     sources=chosen, notes=[n for d in dets for n in d.notes],
                     side_source=next((d.side_source for d in dets if d.side_source), None))


def side_confidence_column(ev: pd.DataFrame) -> np.ndarray:
    """Each event's side confidence: the detector's where it gave one (lower back), 1 for a
    side known from the placement (a foot, shank or pocket of known side), NaN without a side."""
    sided = ev["side"].isin(["L", "R"]).to_numpy()
    given = ev["side_confidence"].to_numpy(float) if "side_confidence" in ev else \
        np.full(len(ev), np.nan)
    return np.where(sided, np.where(np.isfinite(given), given, 1.0), np.nan)
