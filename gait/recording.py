"""The canonical recording: what every importer produces and every stage consumes.

Conventions (nothing downstream knows where the data came from):

* Units: acceleration in m/s^2, angular rate in rad/s, time in seconds.
* Device frame: the Android convention. With the device lying face up, x points right,
  y up the screen, z out of the screen, and the accelerometer reads +9.81 m/s^2 on z.
  Gyroscope is right-handed about the same axes. iOS data (-1 on every acceleration axis,
  in g) is converted by the importers.
* Time: every stream has a uniform grid ``start_s + k / sample_rate_hz`` on the recording's
  time axis, whose zero is the first sample of the recording's source file(s).
* Gaps: where the source had no samples for longer than a few sample periods the values
  are NaN and the gap is listed in ``SensorStream.gaps``. Short jitter is interpolated.
* ``acc_kind``: ``"total"`` (gravity included, what impact and gravity alignment need) or
  ``"linear"`` (the OS removed gravity; accepted, but flagged).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    from gait.mount import Mount

PLACEMENTS: tuple[str, ...] = (
    "lower_back",
    "left_foot",
    "right_foot",
    "left_shank",
    "right_shank",
    "foot",
    "shank",
    "left_pocket",
    "right_pocket",
    "pocket",
    "hand",
    "chest",
    "unknown",
)

AccKind = Literal["total", "linear"]
G = 9.80665  # standard gravity, m/s^2
#: slowest sample rate gait can be analysed at (Nyquist 10 Hz: the step fundamental and a few
#: harmonics; contact timing needs ~100 Hz)
MIN_GAIT_HZ = 20.0


@dataclass(frozen=True)
class Gap:
    """A stretch of the grid without source samples (values are NaN there)."""

    start_s: float
    end_s: float
    n_samples: int

    def to_dict(self) -> dict[str, float | int]:
        return {"start_s": self.start_s, "end_s": self.end_s, "n_samples": self.n_samples}


@dataclass
class SensorStream:
    """One IMU's samples on a uniform grid.

    ``info`` holds per-stream import facts (source file, nominal and measured rates,
    duplicate/backwards timestamp counts, resampling method) for ``gait info``.
    """

    placement: str
    sample_rate_hz: float
    acc: np.ndarray
    gyr: np.ndarray | None = None
    start_s: float = 0.0
    acc_kind: AccKind = "total"
    gaps: tuple[Gap, ...] = ()
    name: str = ""
    info: dict[str, Any] = field(default_factory=dict)
    #: the mounting the user stated (``--mount``; :mod:`gait.mount`): the lower-back detector
    #: then takes forward and left from it instead of inferring them
    mount: Mount | None = None

    def __post_init__(self) -> None:
        if self.placement not in PLACEMENTS:
            raise ValueError(f"unknown placement {self.placement!r} (expected one of {PLACEMENTS})")
        self.acc = np.asarray(self.acc, dtype=np.float64)
        if self.acc.ndim != 2 or self.acc.shape[1] != 3:
            raise ValueError(f"acc must be N x 3, got {self.acc.shape}")
        if self.gyr is not None:
            self.gyr = np.asarray(self.gyr, dtype=np.float64)
            if self.gyr.shape != self.acc.shape:
                raise ValueError(f"gyr shape {self.gyr.shape} differs from acc {self.acc.shape}")
        if not self.sample_rate_hz > 0:
            raise ValueError("sample_rate_hz must be positive")

    @property
    def n_samples(self) -> int:
        return int(self.acc.shape[0])

    @property
    def duration_s(self) -> float:
        return self.n_samples / self.sample_rate_hz

    @property
    def time_s(self) -> np.ndarray:
        """Time of every sample on the recording's axis."""
        return self.start_s + np.arange(self.n_samples) / self.sample_rate_hz

    @property
    def has_gyr(self) -> bool:
        return self.gyr is not None

    @property
    def missing_fraction(self) -> float:
        if self.n_samples == 0:
            return 0.0
        return float(np.isnan(self.acc[:, 0]).mean())


@dataclass
class Recording:
    """One walk or run: streams on one time axis plus provenance."""

    streams: list[SensorStream]
    source_format: str
    app: str = ""
    platform: str | None = None
    device: str | None = None
    start_time_utc: datetime | None = None
    sources: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def stream(self, placement: str) -> SensorStream:
        for s in self.streams:
            if s.placement == placement:
                return s
        raise KeyError(placement)

    @property
    def placements(self) -> list[str]:
        return [s.placement for s in self.streams]

    @property
    def duration_s(self) -> float:
        if not self.streams:
            return 0.0
        return max(s.start_s + s.duration_s for s in self.streams) - min(
            s.start_s for s in self.streams
        )


def describe(rec: Recording) -> dict[str, Any]:
    """Facts about a recording for ``gait info`` (JSON-ready)."""
    streams = []
    for s in rec.streams:
        mag = np.linalg.norm(s.acc, axis=1)
        streams.append({
            "placement": s.placement,
            "name": s.name,
            "sensors": ["accelerometer"] + (["gyroscope"] if s.has_gyr else []),
            "acc_kind": s.acc_kind,
            "sample_rate_hz": round(s.sample_rate_hz, 4),
            "nominal_rate_hz": s.info.get("nominal_rate_hz"),
            "measured_rate_hz": _r(s.info.get("measured_rate_hz")),
            "gyr_measured_rate_hz": _r(s.info.get("gyr_measured_rate_hz")),
            "n_samples": s.n_samples,
            "start_s": round(s.start_s, 6),
            "duration_s": round(s.duration_s, 3),
            "gaps": [g.to_dict() for g in s.gaps],
            "missing_pct": round(100 * s.missing_fraction, 3),
            "dropped_samples": s.info.get("dropped_samples", 0),
            "duplicate_timestamps": s.info.get("n_duplicates", 0),
            "backwards_timestamps": s.info.get("n_backwards", 0),
            "resampled": bool(s.info.get("resampled", False)),
            "acc_norm_median": _r(float(np.nanmedian(mag)) if s.n_samples else None),
            "source": s.info.get("source"),
        })
    return {
        "format": rec.source_format,
        "app": rec.app,
        "platform": rec.platform,
        "device": rec.device,
        "start_time_utc": rec.start_time_utc.isoformat() if rec.start_time_utc else None,
        "duration_s": round(rec.duration_s, 3),
        "sources": rec.sources,
        "streams": streams,
        "warnings": rec.warnings,
        "meta": _jsonable(rec.meta),
    }


def _r(x: float | None, nd: int = 3) -> float | None:
    if x is None or not np.isfinite(x):
        return None
    return round(float(x), nd)


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, datetime):
        return x.isoformat()
    if isinstance(x, float) and not np.isfinite(x):
        return None
    return x
