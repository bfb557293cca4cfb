"""The truth of a virtual recording: where each sample really was, and the simulated walk.

``gait record --virtual`` writes ``NAME.truth.json`` (the simulator's truth, as ``gait simulate``
writes it) with its times on the virtual host clock (seconds from the sensors' power-on) and puts
the clocks' truth in the journal header (``meta.virtual``: power-on time, each sensor's crystal
error, tick rate and power-on tick, IMU period). When the journal becomes a recording
(:func:`gait.ble.assemble.finalise`, also after a crash) :func:`apply` moves the truth's times to
the recording's axis and adds ``alignment``: each sensor's true sample times against those the
recording gives them, and the error between the sensors.

The true host time of sample ``k`` follows from the sensor's own ticks: the sample clock fitted on
``t_first`` (no BLE latency in it) mapped through the crystal's truth, exact to a tick.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from gait.ble.assemble import SensorResult

TICK_WRAP = 1 << 32
TIMED_KEYS = ("initial_contacts", "final_contacts", "walking_bouts", "standing", "turns")


def true_host_s(s: SensorResult, clock: dict[str, Any], world0_ns: int, origin_ns: int,
                k: np.ndarray) -> np.ndarray:
    """True host time (s from the journal origin) of grid rows ``k`` of sensor ``s``."""
    assert s.dev_clock is not None
    tick_hz = float(clock["tick_hz"])
    ticks = s.dev_clock(s.k0 + np.asarray(k, dtype=np.float64)) * tick_hz - float(clock["tick0"])
    ticks -= np.floor(ticks[0] / TICK_WRAP) * TICK_WRAP if len(ticks) else 0.0
    elapsed = (ticks + 0.5) / (tick_hz * (1.0 + float(clock["clock_ppm"]) * 1e-6))
    return (world0_ns - origin_ns) / 1e9 + elapsed


def alignment(sensors: list[SensorResult], virtual: dict[str, Any], origin_ns: int,
              origin_s: float, step_s: float = 1.0) -> dict[str, Any]:
    """Per-sensor and between-sensor errors of the recording's sample times (ms), every
    ``step_s`` over the span all sensors cover."""
    clocks = virtual.get("clocks") or {}
    world0 = int(virtual["world0_ns"])
    per: dict[str, Any] = {}
    errs: dict[str, np.ndarray] = {}
    use = [s for s in sensors if s.placement in clocks and s.dev_clock is not None]
    if not use:
        return {}
    lo = max(s.host_start_s for s in use)
    hi = min(s.host_start_s + (len(s.acc) - 1) / s.rate_hz for s in use)
    t = np.arange(lo, hi, step_s) if hi > lo else np.array([lo])
    for s in use:
        k = (t - s.host_start_s) * s.rate_hz
        e = (t - true_host_s(s, clocks[s.placement], world0, origin_ns, k)) * 1e3
        errs[s.placement] = e
        per[s.placement] = {"mean_ms": round(float(np.mean(e)), 3),
                            "start_ms": round(float(e[0]), 3), "end_ms": round(float(e[-1]), 3),
                            "first_sample_true_s": round(float(true_host_s(
                                s, clocks[s.placement], world0, origin_ns, np.zeros(1))[0])
                                - origin_s, 6)}
    out: dict[str, Any] = {"sensors": per, "span_s": round(float(hi - lo), 3)}
    names = list(errs)
    if len(names) >= 2:
        d = np.abs(errs[names[0]] - errs[names[1]])
        out["between"] = names[:2]
        out["between_p95_ms"] = round(float(np.percentile(d, 95)), 3)
        out["between_max_ms"] = round(float(np.max(d)), 3)
    return out


def apply(path: Path, sensors: list[SensorResult], virtual: dict[str, Any], origin_ns: int,
          origin_s: float) -> dict[str, Any] | None:
    """Move the truth file's times to the recording's axis (``origin_s`` host seconds after the
    journal origin is the recording's 0) and record the alignment; idempotent. Returns the
    alignment, or None without a truth file."""
    if not path.is_file():
        return None
    doc = json.loads(path.read_text())
    scale = float(virtual.get("walk_scale", 1.0))
    # recording t = walk t * scale - offset
    offset = origin_s - (int(virtual["world0_ns"]) - origin_ns) / 1e9
    applied = float((doc.get("recording_axis") or {}).get("offset_s", 0.0))
    first = "recording_axis" not in doc
    for key in TIMED_KEYS:
        for e in doc.get(key) or []:
            for f in ("t", "start", "end"):
                if f in e and e[f] is not None:
                    w = (float(e[f]) * scale) if first else float(e[f]) + applied
                    e[f] = round(w - offset, 6)
    doc["time_axis"] = ("seconds on the recording's axis (time_s of its CSV files): true times, "
                        "so any difference is the recording's error")
    al = alignment(sensors, virtual, origin_ns, origin_s)
    doc["recording_axis"] = {"offset_s": offset, "walk_scale": scale}
    doc["alignment"] = al
    path.write_text(json.dumps(doc) + "\n")
    return al
