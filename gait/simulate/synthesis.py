"""The signals chunk by chunk: :func:`simulate` (a :class:`~gait.recording.Recording` and its
:class:`~gait.simulate.truth.Truth`) and :class:`Simulation` (any duration, for a writer).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gait.recording import Recording, SensorStream
from gait.simulate.body import Body, sensor_signals
from gait.simulate.config import configure
from gait.simulate.constants import NOISE_BLOCK, SIDES
from gait.simulate.timeline import Timeline
from gait.simulate.truth import (
    Truth,
    TruthSink,
    bouts_json,
    standing_bouts,
    truth_head,
    turns_json,
    write_truth_file,
)

if TYPE_CHECKING:
    from gait.simulate.config import Config





def _noise_block(seed: int, stream: int, k0: int, k1: int) -> np.ndarray:
    out = []
    for blk in range(k0 // NOISE_BLOCK, (k1 - 1) // NOISE_BLOCK + 1):
        out.append(np.random.default_rng([seed, 6, stream, blk]).standard_normal(
            (NOISE_BLOCK, 6)))
    z = np.concatenate(out)
    off = (k0 // NOISE_BLOCK) * NOISE_BLOCK
    return z[k0 - off:k1 - off]


def _chunks(cfg: Config, sink: TruthSink, chunk_s: float
            ) -> Iterator[tuple[int, dict[str, tuple[np.ndarray, np.ndarray | None]]]]:
    """Yield (first sample index, {placement: (acc, gyr)}) chunk by chunk."""
    tl = Timeline(cfg, sink)
    step = max(round(chunk_s * cfg.fs), 1)
    biases = {}
    for i, p in enumerate(cfg.placements):
        rng = np.random.default_rng([cfg.seed, 5, i])
        biases[p] = (rng.normal(0.0, 1.0, 3) * cfg.bias[0], rng.normal(0.0, 1.0, 3) * cfg.bias[1])
    for k0 in range(0, cfg.n, step):
        k1 = min(k0 + step, cfg.n)
        tref = np.arange(k0, k1) / cfg.fs
        times = {p: tref / (1.0 + cfg.drift[p] * 1e-6) for p in cfg.placements}
        lo = min(float(t[0]) for t in times.values())
        hi = max(float(t[-1]) for t in times.values())
        w = tl.window(lo, hi)
        bodies: dict[float, Body] = {}
        out = {}
        for i, p in enumerate(cfg.placements):
            d = cfg.drift[p]
            if d not in bodies:
                bodies[d] = Body(cfg, w, times[p], cfg.fs * (1.0 + d * 1e-6))
            acc, gyr = sensor_signals(bodies[d], p)
            q = cfg.rot[p]
            acc = acc @ q
            gyr = gyr @ q
            z = _noise_block(cfg.seed, i, k0, k1)
            ba, bg = biases[p]
            acc = acc + ba + cfg.noise[0] * z[:, :3]
            gyr = gyr + bg + cfg.noise[1] * z[:, 3:] if cfg.gyro[p] else None
            out[p] = (acc, gyr)
        tl.trim(lo)
        yield k0, out
    tl.finish()


def simulate(
    duration_s: float = 60.0,
    placements: Sequence[str] = ("lower_back",),
    gait: str = "walk",
    *,
    cadence_spm: float | None = None,
    speed_mps: float | None = None,
    stance_asym_pct: float | None = None,
    step_asym_pct: float | None = None,
    impact_asym_pct: float | None = None,
    pelvic_drop_asym_deg: float | None = None,
    variability_pct: float | None = None,
    noise: tuple[float, float] | None = (0.02, 0.003),
    bias: tuple[float, float] | None = (0.05, 0.003),
    fs: float = 100.0,
    orientation: Any = None,
    turns: Sequence[Sequence[float]] = (),
    pauses: Sequence[Sequence[float]] = (),
    stand_s: float = 2.0,
    clock_drift_ppm: float | Mapping[str, float] = 0.0,
    with_gyro: bool | Mapping[str, bool] = True,
    seed: int = 0,
    pattern: str = "normal",
    affected_side: str = "L",
    severity: float | str = "moderate",
    hesitations_per_min: float = 0.0,
    side_check: str | None = None,
) -> tuple[Recording, Truth]:
    """Simulate a walk or run in memory: the :class:`Recording` and its :class:`Truth`.

    Parameters
    ----------
    duration_s: length of the recording (s), standing ``stand_s`` at both ends included.
    placements: any of :data:`SIM_PLACEMENTS`; the first one is the time reference.
    gait: ``"walk"`` or ``"run"``.
    cadence_spm, speed_mps: either or both; the other follows from the walk ratio (walking) or a
        running cadence law. Defaults: 1.3 m/s (110 steps/min) walking, 3.0 m/s (166) running.
        An impaired ``pattern`` has its own (see the module docstring); giving one of them
        keeps the pattern's walk ratio (step length / cadence) for the other.
    stance_asym_pct, step_asym_pct, impact_asym_pct: symmetry indices SI = 100 (L - R) /
        (0.5 (L + R)) of the mean stance time, step time and heel-strike impact; positive = left
        larger. Swing asymmetry follows (the stride is the same for both sides). ``None``: the
        pattern's (0 for normal gait); a number replaces the pattern's value.
    pelvic_drop_asym_deg: pelvic drop while on the left leg minus while on the right leg (deg);
        ``None``: 0 (a hemiparetic pattern's hip hiking comes on top).
    variability_pct: step-to-step coefficient of variation of step and stance times (%);
        amplitudes (impact, pelvic drop) vary by three times that (at most 30 %). ``None``: the
        pattern's (2 % for normal gait).
    noise: white-noise SD (accelerometer m/s^2, gyroscope rad/s); ``None`` for none.
    bias: SD of the constant per-axis offsets drawn per sensor (same units); ``None`` for none.
    fs: sample rate (Hz).
    orientation: ``None`` (nominal mount, see the module docstring), ``"random"``, Euler angles
        (deg, extrinsic ``"xyz"``) or a 3x3 rotation matrix; or a dict per placement.
    turns: ``(start_s, angle_deg[, duration_s])`` each (positive = to the left; default duration
        1 s per 90 deg, at least 0.5 s).
    pauses: ``(start_s, duration_s)`` standing periods within the recording.
    stand_s: standing time at the start and at the end.
    clock_drift_ppm: clock drift of every stream after the first (ppm, positive = its clock runs
        fast), or a dict per placement.
    with_gyro: whether the sensors have a gyroscope (bool or dict per placement).
    seed: seeds every random draw (timeline, noise, bias, random orientation).
    pattern: ``"normal"``, ``"hemiparetic"`` or ``"shuffling"`` (walking only; see the module
        docstring, "Impaired gait"). The truth's ``params.pattern`` records it with the
        affected side and severity (absent for normal gait).
    affected_side: ``"L"``/``"R"`` (or ``"left"``/``"right"``): the paretic side
        (hemiparetic) or the more affected side (shuffling).
    severity: 0..1 or ``"mild"`` (0.3), ``"moderate"`` (0.6), ``"severe"`` (1.0).
    hesitations_per_min: brief stops (1.5-2.5 s plus a stride of standing) at about this many
        per minute, spread evenly with jitter (any walk; meant for ``"shuffling"``); recorded
        in the truth's ``params.hesitations`` and ``standing``.
    side_check: ``"left"`` or ``"right"``: the side-check gesture of
        :mod:`gait.events.side_check` (three taps on the outside of that hip) during the
        initial standing (``stand_s`` >= 5 s), felt by the lower-back sensor only (the taps
        and a postural sway while standing); the truth's ``params.side_check`` records the
        side and the tap times. ``None`` (default): no gesture, the signals as without the
        option.
    """
    cfg = configure(duration_s, placements, gait, cadence_spm, speed_mps, stance_asym_pct,
                     step_asym_pct, impact_asym_pct, pelvic_drop_asym_deg, variability_pct,
                     noise, bias, fs, orientation, turns, pauses, stand_s, clock_drift_ppm,
                     with_gyro, seed, pattern, affected_side, severity, hesitations_per_min,
                     side_check)
    return simulate_config(cfg)


def simulate_config(cfg: Config) -> tuple[Recording, Truth]:
    """:func:`simulate` of a resolved :class:`~gait.simulate.config.Config`."""
    sink = TruthSink()
    acc = {p: [] for p in cfg.placements}
    gyr = {p: [] for p in cfg.placements}
    for _, out in _chunks(cfg, sink, 600.0):
        for p, (a, g) in out.items():
            acc[p].append(a)
            if g is not None:
                gyr[p].append(g)
    streams = [SensorStream(placement=p, sample_rate_hz=cfg.fs, acc=np.concatenate(acc[p]),
                            gyr=np.concatenate(gyr[p]) if cfg.gyro[p] else None,
                            name=f"simulated {p}",
                            info={"simulated": True, "clock_drift_ppm": cfg.drift[p],
                                  "measured_rate_hz": cfg.fs})
               for p in cfg.placements]
    rec = Recording(streams=streams, source_format=Simulation.source_format,
                    app=Simulation.app, device=Simulation.device,
                    meta={"simulation": cfg.params})
    truth = Truth(head=truth_head(cfg), walking_bouts=bouts_json(sink.bouts),
                  standing=standing_bouts(sink.bouts, cfg.duration_s), turns=turns_json(cfg),
                  initial_contacts=sink.mem["ic"], final_contacts=sink.mem["fc"],
                  stance_times_s={s: sink.mem[f"stance_{s}"] for s in SIDES},
                  swing_times_s={s: sink.mem[f"swing_{s}"] for s in SIDES},
                  step_times_s={s: sink.mem[f"step_{s}"] for s in SIDES},
                  stride_times_s={s: sink.mem[f"stride_{s}"] for s in SIDES},
                  summary=sink.summary())
    return rec, truth


class Simulation:
    """A simulation of any duration, chunk by chunk in bounded memory, for a writer: the
    arguments are those of :func:`simulate`; the signals are identical to its signals for the
    same arguments, whatever the chunk length. It knows no file format: :func:`gait.cli.demo.
    simulate_to_file` writes it as a gait recording through :mod:`gait.io.gaitcsv`."""

    #: what the recording says of itself (``Recording`` fields, as :func:`simulate` sets them)
    source_format = "gait-simulate"
    app = "gait simulate"
    device = "simulated IMU"

    def __init__(self, **kwargs: Any) -> None:
        self.cfg = configure(**{**simulate_defaults(), **kwargs})

    @property
    def placements(self) -> tuple[str, ...]:
        return tuple(self.cfg.placements)

    @property
    def sample_rate_hz(self) -> float:
        return float(self.cfg.fs)

    def has_gyr(self, placement: str) -> bool:
        return bool(self.cfg.gyro[placement])

    @property
    def meta(self) -> dict[str, Any]:
        """The recording's ``meta`` (``{"simulation": the parameters}``)."""
        return {"simulation": self.cfg.params}

    def chunks(self, truth: str | Path, chunk_s: float = 600.0
               ) -> Iterator[dict[str, tuple[np.ndarray, np.ndarray | None]]]:
        """Yield ``{placement: (acc, gyr or None)}`` for every ``chunk_s`` seconds, in order;
        once the last chunk has been taken, write the truth JSON to ``truth`` (assembled from
        temporary list files beside it, so memory does not grow with the duration)."""
        if not chunk_s > 0:
            raise ValueError("chunk_s must be positive")
        truth = Path(truth)
        with tempfile.TemporaryDirectory(dir=truth.parent, prefix=".sim-") as tmp:
            sink = TruthSink(Path(tmp))
            for _, out in _chunks(self.cfg, sink, chunk_s):
                yield out
            write_truth_file(sink, self.cfg, truth)


def simulate_defaults() -> dict[str, Any]:
    """The defaults of :func:`simulate`'s keyword arguments (a :func:`configure` base)."""
    import inspect

    sig = inspect.signature(simulate)
    return {k: v.default for k, v in sig.parameters.items()}
