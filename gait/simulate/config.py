"""A simulation's settings: gait patterns (normal, hemiparetic, shuffling) and severities, sensor
orientations, hesitations, and :func:`configure`, which checks and resolves every argument of
:func:`gait.simulate.simulate` into one :class:`Config`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np

from gait.simulate.constants import (
    FOOT_PITCH,
    IMPACT,
    POCKET_AHEAD,
    SHANK,
    SIM_PLACEMENTS,
    TRUNK,
    V_NOM,
    WALK_RATIO,
)
from gait.simulate.forces import stance_impulse, vertical_impulse, vertical_parts
from gait.simulate.side_check import side_check_taps

if TYPE_CHECKING:
    pass




#: Gait patterns (:func:`simulate`'s ``pattern``) and the named severities (0..1, see the module
#: docstring, "Impaired gait").
PATTERNS: tuple[str, ...] = ("normal", "hemiparetic", "shuffling")
SEVERITY_LEVELS: dict[str, float] = {"mild": 0.3, "moderate": 0.6, "severe": 1.0}
# keyframe rows of the walking tables that a pattern scales: foot pitch (FOOT_PITCH["walk"])
# and shank angle (SHANK["walk"]) around the IC (heel rocker) and around the FC (push-off)
_FOOT_IC_ROWS, _FOOT_FC_ROWS = (0, 1), (4, 5)
_SHANK_IC_ROWS, _SHANK_FC_ROWS = (0, 1), (5, 6)


def _normal_legs() -> dict[str, np.ndarray]:
    """Per-side signal features of a pattern (index 0 = left, 1 = right); these are the
    identity (normal gait): keyframe gains of the foot pitch and shank angle tables, thigh
    swing gain, foot clearance gain, circumduction (frontal-plane roll of foot and shank in
    swing, deg, and lateral excursion of the foot, m, both outwards), trunk fore-aft (braking and
    propulsion) and medial force gains of each leg's stance."""
    return dict(foot=np.ones((2, len(FOOT_PITCH["walk"]))),
                shank=np.ones((2, len(SHANK["walk"]))), thigh=np.ones(2), clear=np.ones(2),
                circ_deg=np.zeros(2), circ_m=np.zeros(2), ap=np.ones(2), ml=np.ones(2))


@dataclass
class _Pattern:
    """A gait pattern resolved for one affected side and severity: the defaults it gives the
    :func:`simulate` parameters left at ``None`` and the signal features it adds."""

    name: str
    side: str  # "L" | "R"
    severity: float
    speed: float | None = None
    cadence: float | None = None
    duty: float | None = None
    stance_asym_pct: float = 0.0
    step_asym_pct: float = 0.0
    impact_asym_pct: float = 0.0
    variability_pct: float = 2.0
    impact_gain: float = 1.0  # both sides' heel-strike transients
    rot_gain: float = 1.0  # trunk transverse rotation and sagittal tilt
    hike_deg: np.ndarray = field(default_factory=lambda: np.zeros(2))  # less drop per stance leg
    legs: dict[str, np.ndarray] = field(default_factory=_normal_legs)

    def record(self) -> dict[str, Any]:
        label = next((k for k, v in SEVERITY_LEVELS.items() if v == self.severity), None)
        return {"name": self.name, "affected_side": self.side,
                "severity": round(self.severity, 4), "severity_label": label}


def _severity(value: float | str) -> float:
    if isinstance(value, str):
        key = value.strip().lower()
        if key in SEVERITY_LEVELS:
            return SEVERITY_LEVELS[key]
        try:
            value = float(key)
        except ValueError:
            raise ValueError(f"severity {value!r}: expected a number 0..1 or one of "
                             f"{', '.join(SEVERITY_LEVELS)}") from None
    sev = float(value)
    if not 0.0 <= sev <= 1.0:
        raise ValueError(f"severity {sev:g}: expected a number 0..1 or one of "
                         f"{', '.join(SEVERITY_LEVELS)}")
    return sev


def _pattern(name: str, affected_side: str, severity: float | str) -> _Pattern:
    """Parameter set of a gait pattern (values and sources in the module docstring).

    Parameters
    ----------
    name : str
        One of :data:`PATTERNS`.
    affected_side : str
        ``"L"``/``"R"`` (also ``"left"``/``"right"``): the paretic side (hemiparetic), the more
        affected side (shuffling).
    severity : float or str
        0..1 or a name of :data:`SEVERITY_LEVELS`; every feature moves linearly from normal
        gait (0) to the severe end of the published ranges (1).

    Returns
    -------
    _Pattern
        The identity for ``"normal"`` (severity and side are then ignored).
    """
    if name not in PATTERNS:
        raise ValueError(f"pattern {name!r}: expected one of {', '.join(PATTERNS)}")
    side = {"l": "L", "left": "L", "r": "R", "right": "R"}.get(str(affected_side).lower())
    if side is None:
        raise ValueError(f"affected side {affected_side!r}: expected 'left' or 'right'")
    s = _severity(severity)
    pat = _Pattern(name, side, s)
    if name == "normal":
        return pat
    a = 0 if side == "L" else 1  # index of the affected side
    sg = 1.0 if side == "L" else -1.0  # sign of an SI (L - R) that is larger on that side
    legs = pat.legs
    if name == "hemiparetic":
        pat.speed, pat.cadence, pat.duty = 1.2 - 0.9 * s, 110.0 - 45.0 * s, 0.62 + 0.06 * s
        pat.stance_asym_pct = -sg * 20.0 * s  # paretic stance shorter
        pat.step_asym_pct = sg * 15.0 * s  # paretic step (ending with its IC) longer
        paretic_impact = 1.0 - 0.5 * s
        pat.impact_asym_pct = sg * 200.0 * (paretic_impact - 1.0) / (paretic_impact + 1.0)
        pat.variability_pct = 2.0 + 3.5 * s
        pat.hike_deg[1 - a] = 5.0 * s  # hip hiking / lean to the sound side in paretic swing
        # the slow walk makes the sound leg's excursions smaller too
        legs["foot"][1 - a, list(_FOOT_IC_ROWS + _FOOT_FC_ROWS)] = 1.0 - 0.3 * s
        legs["shank"][1 - a, list(_SHANK_IC_ROWS + _SHANK_FC_ROWS)] = 1.0 - 0.2 * s
        legs["foot"][a, list(_FOOT_IC_ROWS)] = 1.0 - 0.85 * s  # flat-foot landing
        legs["foot"][a, list(_FOOT_FC_ROWS)] = 1.0 - 0.6 * s  # weak push-off
        legs["shank"][a, list(_SHANK_IC_ROWS + _SHANK_FC_ROWS)] = 1.0 - 0.5 * s
        legs["thigh"][a] = 1.0 - 0.4 * s
        legs["clear"][a] = 1.0 - 0.5 * s
        legs["circ_deg"][a] = 12.0 * s
        legs["circ_m"][a] = 0.08 * s
        legs["ap"][a] = 1.0 - 0.6 * s  # paretic braking and propulsion (Bowden 2006)
        legs["ml"][1 - a] = 1.0 + 0.5 * s  # wider sway onto the sound leg
    else:  # shuffling
        pat.speed, pat.cadence, pat.duty = 1.2 - 0.75 * s, 110.0 + 15.0 * s, 0.62 + 0.08 * s
        pat.stance_asym_pct = sg * 2.5 * s  # more affected leg: shorter swing (Plotnik 2005)
        pat.variability_pct = 2.0 + 3.0 * s
        pat.impact_gain = 1.0 - 0.5 * s
        pat.rot_gain = 1.0 - 0.7 * s
        more = np.where(np.arange(2) == a, 1.0 - 0.15 * s, 1.0)  # more affected side
        legs["foot"][:, list(_FOOT_IC_ROWS)] = ((1.0 - 0.8 * s) * more)[:, None]
        legs["foot"][:, list(_FOOT_FC_ROWS)] = ((1.0 - 0.6 * s) * more)[:, None]
        legs["shank"][:, list(_SHANK_IC_ROWS + _SHANK_FC_ROWS)] = \
            ((1.0 - 0.5 * s) * more)[:, None]
        legs["thigh"][:] = (1.0 - 0.5 * s) * more
        legs["clear"][:] = (1.0 - 0.6 * s) * more
        legs["ap"][:] = 1.0 - 0.4 * s
    return pat



@dataclass
class Config:
    duration_s: float
    fs: float
    n: int
    gait: str
    speed: float
    cadence: float
    step: np.ndarray  # nominal step time per side (L, R), s
    stance: np.ndarray
    swing: np.ndarray
    stride: float
    cv: float
    cv_amp: float
    q: float
    v_impulse: float  # integral of the vertical stance-force shape over the phase
    knots: tuple[float, float]  # nominal stance phase at the end / start of double support
    v_parts: tuple[float, float, float]  # the vertical shape's integral over the three parts
    impact: dict[str, tuple[np.ndarray, float, float, float]]
    drop: np.ndarray
    trunk: dict[str, float]
    windows: list[tuple[float, float]]
    turns: np.ndarray  # (k, 3): start, duration, angle rad
    placements: tuple[str, ...]
    gyro: dict[str, bool]
    drift: dict[str, float]
    rot: dict[str, np.ndarray]
    noise: tuple[float, float]
    bias: tuple[float, float]
    seed: int
    params: dict[str, Any] = field(default_factory=dict)
    v_nominal: np.ndarray = field(default_factory=lambda: np.zeros(2))  # stance impulse, s
    legs: dict[str, np.ndarray] = field(default_factory=_normal_legs)  # pattern features
    side_check: dict[str, np.ndarray] | None = None  # the taps of :func:`side_check_taps`
    #: the pocket phone's offset ahead of the thigh's axis (m; :data:`POCKET_AHEAD` for a front
    #: pocket; 0 on the axis, the thigh part of :func:`gait.simulate.simulate_back_pocket`)
    pocket_ahead: float = POCKET_AHEAD


def rotation_matrix(spec: Any, rng: np.random.Generator) -> np.ndarray:
    if spec is None:
        return np.eye(3)
    if isinstance(spec, str):
        if spec != "random":
            raise ValueError(f"orientation {spec!r}: expected None, 'random', 3 Euler angles "
                             "(deg) or a 3x3 rotation matrix")
        q = rng.standard_normal(4)
        w, x, y, z = q / np.linalg.norm(q)
        return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                         [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                         [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])
    a = np.asarray(spec, dtype=float)
    if a.shape == (3,):
        from scipy.spatial.transform import Rotation

        return Rotation.from_euler("xyz", a, degrees=True).as_matrix()
    if a.shape == (3, 3) and np.allclose(a @ a.T, np.eye(3), atol=1e-6) \
            and np.linalg.det(a) > 0:
        return a
    raise ValueError(f"orientation {spec!r}: expected 3 Euler angles (deg, 'xyz') or a 3x3 "
                     "rotation matrix")


def _per_placement(value: Any, placements: Sequence[str], default: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        unknown = set(value) - set(placements)
        if unknown:
            raise ValueError(f"settings for placements not simulated: {sorted(unknown)}")
        return {p: value.get(p, default) for p in placements}
    return dict.fromkeys(placements, value)


def _hesitations(rate: float, start: float, end: float, stride: float,
                 pauses: Sequence[tuple[float, ...]], seed: int) -> list[tuple[float, float]]:
    """Brief stops (standing periods) at about ``rate`` per minute of walking.

    Parameters
    ----------
    rate : float
        Hesitations per minute (0: none).
    start, end : float
        The movement period (s), between the initial and final standing.
    stride : float
        Nominal stride time (s): each stop lasts 1.5-2.5 s plus a stride (the shortest pause
        that the timeline accepts is 1 s plus a stride) and is at least 3 strides away from
        the ends of the movement period and from the given ``pauses``.
    pauses : sequence of tuple
        The explicit pauses ``(start_s, duration_s)``.
    seed : int
        The simulation's seed (the stops have their own random stream).

    Returns
    -------
    list of tuple
        ``(start_s, duration_s)`` of each stop, in time order.
    """
    if not 0 <= rate <= 20 or not math.isfinite(rate):
        raise ValueError(f"hesitations_per_min {rate}: expected 0-20")
    span = end - start
    n = math.floor(rate * span / 60.0 + 0.5)
    if n == 0:
        return []
    rng = np.random.default_rng([seed, 8])
    gap = span / n
    out = []
    for k, (u, v) in enumerate(zip(rng.uniform(-0.25, 0.25, n).tolist(),
                                   rng.uniform(0.0, 1.0, n).tolist(), strict=True)):
        dur = 1.5 + v + stride
        a = start + (k + 0.5 + u) * gap - 0.5 * dur
        clear = 3.0 * stride
        if a < start + clear or a + dur > end - clear:
            continue
        if any(a < p0 + p1 + clear and p0 < a + dur + clear for p0, p1 in pauses):
            continue
        if out and a < out[-1][0] + out[-1][1] + clear:
            continue
        out.append((a, dur))
    return out


def configure(
    duration_s: float, placements: Sequence[str], gait: str, cadence_spm: float | None,
    speed_mps: float | None, stance_asym_pct: float | None, step_asym_pct: float | None,
    impact_asym_pct: float | None, pelvic_drop_asym_deg: float | None,
    variability_pct: float | None,
    noise: tuple[float, float] | None, bias: tuple[float, float] | None, fs: float,
    orientation: Any, turns: Sequence[Sequence[float]], pauses: Sequence[Sequence[float]],
    stand_s: float, clock_drift_ppm: float | Mapping[str, float], with_gyro: bool | Any,
    seed: int, pattern: str = "normal", affected_side: str = "L",
    severity: float | str = "moderate", hesitations_per_min: float = 0.0,
    side_check: str | None = None,
) -> Config:
    if gait not in ("walk", "run"):
        raise ValueError(f"gait {gait!r}: expected 'walk' or 'run'")
    pat = _pattern(pattern, affected_side, severity)
    if pat.name != "normal" and gait != "walk":
        raise ValueError(f"pattern {pat.name!r} is a walking pattern (gait='walk')")
    # parameters left at None take the pattern's values
    if stance_asym_pct is None:
        stance_asym_pct = pat.stance_asym_pct
    if step_asym_pct is None:
        step_asym_pct = pat.step_asym_pct
    if impact_asym_pct is None:
        impact_asym_pct = pat.impact_asym_pct
    if pelvic_drop_asym_deg is None:
        pelvic_drop_asym_deg = 0.0
    if variability_pct is None:
        variability_pct = pat.variability_pct
    if isinstance(placements, str):
        placements = (placements,)
    placements = tuple(placements)
    if not placements or len(set(placements)) != len(placements):
        raise ValueError("placements must be a non-empty list without repeats")
    bad = [p for p in placements if p not in SIM_PLACEMENTS]
    if bad:
        raise ValueError(f"cannot simulate placement(s) {bad} (expected {SIM_PLACEMENTS})")
    if not fs > 0 or not math.isfinite(fs):
        raise ValueError("fs must be a positive sample rate in Hz")
    if not duration_s > 0 or not math.isfinite(duration_s):
        raise ValueError("duration_s must be positive")
    n = round(duration_s * fs)
    if n < 2:
        raise ValueError("duration_s * fs must give at least 2 samples")
    v_nom = V_NOM[gait]
    if gait == "walk":
        ratio = WALK_RATIO
        if pat.speed is not None and pat.cadence is not None:
            # the pattern's own walk ratio links a given speed or cadence to the other
            ratio = pat.speed * 60.0 / pat.cadence ** 2
            if speed_mps is None and cadence_spm is None:
                speed_mps, cadence_spm = pat.speed, pat.cadence
        if speed_mps is None and cadence_spm is None:
            speed_mps = v_nom
        if cadence_spm is None:
            cadence_spm = math.sqrt(60.0 * speed_mps / ratio)
        if speed_mps is None:
            speed_mps = ratio * cadence_spm ** 2 / 60.0
        lo_c, hi_c, lo_v, hi_v = 50.0, 160.0, 0.2, 2.6
    else:
        if speed_mps is None and cadence_spm is None:
            speed_mps = v_nom
        if cadence_spm is None:
            cadence_spm = 166.0 * (speed_mps / 3.0) ** 0.35
        if speed_mps is None:
            speed_mps = 3.0 * (cadence_spm / 166.0) ** (1 / 0.35)
        lo_c, hi_c, lo_v, hi_v = 120.0, 230.0, 1.5, 9.0
    if not lo_c <= cadence_spm <= hi_c:
        raise ValueError(f"cadence {cadence_spm:.0f} steps/min outside {lo_c:.0f}-{hi_c:.0f} "
                         f"for gait={gait!r}")
    if not lo_v <= speed_mps <= hi_v:
        raise ValueError(f"speed {speed_mps:.2f} m/s outside {lo_v}-{hi_v} for gait={gait!r}")
    step_mean = 60.0 / cadence_spm
    stride = 2.0 * step_mean
    if gait == "walk":
        duty = float(np.clip(0.605 - 0.05 * (speed_mps - 1.3), 0.55, 0.68))
        if pat.duty is not None:
            duty = pat.duty
        q = float(np.clip(0.3 + 0.25 * (speed_mps - 1.2), 0.15, 0.5))
    else:
        duty = float(np.clip(0.245 * (3.0 / speed_mps) ** 0.75 / stride, 0.2, 0.45))
        q = 0.0
    sgn = np.array([1.0, -1.0])
    step = step_mean * (1 + sgn * step_asym_pct / 200.0)
    stance = duty * stride * (1 + sgn * stance_asym_pct / 200.0)
    swing = stride - stance
    if max(abs(stance_asym_pct), abs(step_asym_pct), abs(impact_asym_pct)) >= 100:
        raise ValueError("asymmetries must be within +-100 %")
    # stance of R must outlast the L step (double support) when walking, and vice versa
    ds = np.array([stance[1] - step[0], stance[0] - step[1]])
    if gait == "walk" and np.any(ds < 0.03 * step_mean):
        raise ValueError("these stance/step asymmetries leave no double support; walking needs "
                         "stance(R) > step(L) and stance(L) > step(R)")
    if gait == "run" and np.any(ds > -0.03 * step_mean):
        raise ValueError("these stance/step asymmetries leave no flight phase; running needs "
                         "stance(R) < step(L) and stance(L) < step(R)")
    # nominal stance phase of the end / start of double support (symmetric gait)
    u1 = float(np.clip((float(np.mean(stance)) - step_mean) / float(np.mean(stance)), 0.05, 0.45))
    knots = (u1, 1.0 - u1)
    if np.any(swing < 0.2 * stride):
        raise ValueError("stance too long for the stride: swing would be < 20 % of the stride")
    if not 0 <= variability_pct <= 10:
        raise ValueError("variability_pct must be within 0-10")
    cv = variability_pct / 100.0
    scale = (speed_mps / v_nom) ** 1.5 if gait == "walk" else speed_mps / v_nom
    impact = {}
    for seg, (amp, f, tau, delay) in IMPACT[gait].items():
        amps = amp * scale * pat.impact_gain * (1 + sgn * impact_asym_pct / 200.0)
        impact[seg] = (amps, f, tau, delay)
    trunk = dict(TRUNK[gait])
    trunk["rot"] *= pat.rot_gain
    trunk["tilt"] *= pat.rot_gain
    drop = trunk["drop"] + sgn * pelvic_drop_asym_deg / 2.0
    if np.any(drop < 0) or abs(pelvic_drop_asym_deg) > 20:
        raise ValueError(f"pelvic_drop_asym_deg {pelvic_drop_asym_deg}: the drop on one side "
                         f"would be negative (base drop {trunk['drop']} deg per side)")
    drop = drop - pat.hike_deg  # hip hiking (negative: that hemipelvis rises)
    # movement windows between standing periods
    if stand_s < 0:
        raise ValueError("stand_s must be >= 0")
    end = duration_s - stand_s
    user_pauses = [tuple(map(float, p)) for p in pauses]
    hes = _hesitations(hesitations_per_min, stand_s, end, stride, user_pauses, seed)
    windows: list[tuple[float, float]] = []
    cur = stand_s
    for p in sorted(user_pauses + hes, key=lambda p: p[0]):
        if len(p) != 2 or p[1] <= 0:
            raise ValueError(f"pause {p}: expected (start_s, duration_s) with duration > 0")
        if p[0] < cur:
            raise ValueError(f"pause {p} overlaps the previous pause or the initial standing")
        windows.append((cur, p[0]))
        cur = p[0] + p[1]
    windows.append((cur, end))
    min_len = 2.5 * stride
    windows = [(a, b) for a, b in windows if b - a >= min_len]
    for (_, b0), (a1, _) in pairwise(windows):
        if a1 - b0 < 1.0 + stride:
            raise ValueError(f"pause at {b0:.2f} s is shorter than {1.0 + stride:.1f} s")
    tt = []
    for tr in turns:
        tr = tuple(map(float, tr))
        if len(tr) == 2:
            tr = (tr[0], tr[1], max(abs(tr[1]) / 90.0, 0.5))
        if len(tr) != 3 or tr[2] <= 0:
            raise ValueError(f"turn {tr}: expected (start_s, angle_deg[, duration_s])")
        tt.append((tr[0], tr[2], math.radians(tr[1])))
    tarr = np.array(sorted(tt), dtype=float).reshape(-1, 3)
    if len(tarr) > 1 and np.any(tarr[1:, 0] < tarr[:-1, 0] + tarr[:-1, 1]):
        raise ValueError("turns overlap")
    drift = _per_placement(clock_drift_ppm, placements, 0.0)
    if not isinstance(clock_drift_ppm, Mapping):
        drift = {p: (0.0 if i == 0 else float(clock_drift_ppm)) for i, p in enumerate(placements)}
    if drift[placements[0]] != 0.0:
        raise ValueError("the first placement is the time reference: its drift must be 0")
    gyro = _per_placement(with_gyro, placements, True)
    orient = _per_placement(orientation, placements, None)
    rot = {p: rotation_matrix(orient[p], np.random.default_rng([seed, 4, i]))
           for i, p in enumerate(placements)}
    noise = (0.0, 0.0) if noise is None else (float(noise[0]), float(noise[1]))
    bias = (0.0, 0.0) if bias is None else (float(bias[0]), float(bias[1]))
    params = dict(
        duration_s=duration_s, placements=list(placements), gait=gait,
        cadence_spm=round(cadence_spm, 4), speed_mps=round(speed_mps, 4),
        stance_asym_pct=stance_asym_pct, step_asym_pct=step_asym_pct,
        impact_asym_pct=impact_asym_pct, pelvic_drop_asym_deg=pelvic_drop_asym_deg,
        variability_pct=variability_pct, noise=list(noise), bias=list(bias), fs=fs,
        orientation={p: (o if o is None or isinstance(o, str) else np.asarray(o).tolist())
                     for p, o in orient.items()},
        turns=[list(map(float, t)) for t in turns], pauses=[list(map(float, p)) for p in pauses],
        stand_s=stand_s, clock_drift_ppm=drift, with_gyro=gyro, seed=seed,
        nominal=dict(step_s={"L": round(step[0], 6), "R": round(step[1], 6)},
                     stance_s={"L": round(stance[0], 6), "R": round(stance[1], 6)},
                     stride_s=round(stride, 6), duty_factor=round(duty, 4),
                     grf_shape_q=round(q, 4), pelvic_drop_deg={"L": drop[0], "R": drop[1]}),
    )
    if hesitations_per_min:
        params["hesitations_per_min"] = hesitations_per_min
        params["hesitations"] = [[round(a, 4), round(d, 4)] for a, d in hes]
    taps = side_check_taps(side_check, stand_s, seed)
    if taps is not None:  # (absent without the gesture: such truth files stay as they were)
        params["side_check"] = {"gesture": "three taps on the outside of the hip",
                                "side": str(taps["side"]),
                                "taps_s": [round(float(x), 4) for x in taps["t"]]}
    if pat.name != "normal":  # (absent for normal gait: older truth files stay as they were)
        params["pattern"] = pat.record()
        params["nominal"]["swing_s"] = {"L": round(swing[0], 6), "R": round(swing[1], 6)}
    cfg = Config(duration_s=duration_s, fs=fs, n=n, gait=gait, speed=speed_mps,
                   cadence=cadence_spm, step=step, stance=stance, swing=swing, stride=stride,
                   cv=cv, cv_amp=min(3 * cv, 0.3), q=q,
                   v_impulse=vertical_impulse(q, trunk["k"]), knots=knots,
                   v_parts=vertical_parts(q, trunk["k"], knots), impact=impact, drop=drop,
                   trunk=trunk,
                   windows=windows, turns=tarr, placements=placements, gyro=gyro, drift=drift,
                   rot=rot, noise=noise, bias=bias, seed=seed, params=params, legs=pat.legs,
                   side_check=taps)
    # vertical impulse of a nominal stance of each side (IC at 0, the other foot's FC and IC at
    # its nominal times, the load ending ``toe`` before the FC)
    zero = np.zeros(2)
    cfg.v_nominal = stance_impulse(cfg, zero, stance[::-1] - step_mean, zero + step_mean,
                                    stance * (1.0 - trunk["toe"]))
    return cfg
