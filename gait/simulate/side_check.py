"""The side-check gesture (three taps on a hip while standing, :mod:`gait.events.side_check`),
added to the lower-back signals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from gait.simulate.config import Config




#: the side-check gesture (:mod:`gait.events.side_check`): three taps on the outside of a hip
#: during the initial standing. Each tap is a damped oscillation of the pelvis's specific force
#: (``_TAP_HZ``, decay ``_TAP_TAU_S``), its first lobe pointing away from the tapped hip (the
#: hand pushes the pelvis towards the midline), peak ``_TAP_AMP`` m/s^2 (a ~0.5 kg hand stopping
#: from ~1 m/s in ~20 ms on the ~10-20 kg of pelvis and soft tissue that a brief push moves:
#: 1.5-4 m/s^2; illustrative, not fitted to recordings), off its axis by ``_TAP_SKEW`` (SD,
#: forward and vertical: a tap is never exactly sideways), preceded by the arm's reaction (the
#: trunk pushed towards the tapped side while the arm swings in, ``_TAP_REACT`` m/s^2, ~0.1 s)
#: and with a small roll and yaw burst. Standing gets a postural sway when the gesture is
#: simulated (random sinusoids of 0.2-1 Hz, ``_SWAY_MS2`` m/s^2 RMS per horizontal axis: a centre
#: of mass swaying by a few mm, Prieto et al. 1996, IEEE TBME 43:956-966), so that the detector
#: does not rely on a perfectly still standing.
_TAP_HZ, _TAP_TAU_S = 12.0, 0.03
_TAP_AMP = (1.5, 4.0)
_TAP_SKEW = 0.25
_TAP_REACT = 0.3
_TAP_GAP_S = (0.35, 0.8)
_SWAY_MS2 = 0.03
SIDE_CHECK_MIN_STAND_S = 5.0


def side_check_taps(side: str | None, stand_s: float, seed: int
                    ) -> dict[str, Any] | None:
    """The taps of a side check: times (s), peak amplitudes, push directions (heading frame X
    forward, Y left, Z up), roll/yaw burst amplitudes and the standing sway's sinusoids; None
    without one."""
    if side is None:
        return None
    key = str(side).strip().lower()
    if key not in ("left", "right", "l", "r"):
        raise ValueError(f"side_check {side!r}: expected 'left' or 'right'")
    sd = "L" if key in ("left", "l") else "R"
    if stand_s < SIDE_CHECK_MIN_STAND_S:
        raise ValueError(f"side_check needs stand_s >= {SIDE_CHECK_MIN_STAND_S:g} s (quiet "
                         "standing, the three taps, quiet standing before the walk)")
    rng = np.random.default_rng([seed, 8])
    t0 = rng.uniform(1.0, stand_s - 3.5)
    t = t0 + np.concatenate([[0.0], np.cumsum(rng.uniform(*_TAP_GAP_S, 2))])
    d = np.column_stack([rng.normal(0.0, _TAP_SKEW, 3),
                         np.full(3, -1.0 if sd == "L" else 1.0),
                         rng.normal(0.0, _TAP_SKEW, 3)])
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    return {"side": sd, "t": t, "amp": rng.uniform(*_TAP_AMP, 3), "dir": d,
            "burst": rng.normal(0.0, 0.15, (3, 2)),
            "sway_f": rng.uniform(0.2, 1.0, (2, 4)), "sway_ph": rng.uniform(0, 2 * np.pi, (2, 4))}


def taps_signal(cfg: Config, t: np.ndarray, standing: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Specific force (heading frame, m/s^2) and angular velocity (rad/s) the side check's taps
    and the standing sway add at the pelvis; ``standing`` weighs the sway (1 standing, 0
    walking)."""
    sc = cfg.side_check
    assert sc is not None
    f = np.zeros((len(t), 3))
    w = np.zeros((len(t), 3))
    for k in range(len(sc["t"])):  # three taps
        u = t - sc["t"][k]
        pulse = np.where(u >= 0, np.exp(-np.maximum(u, 0) / _TAP_TAU_S)
                         * np.sin(2 * np.pi * _TAP_HZ * u), 0.0) / 0.549  # first lobe peak 1
        react = -_TAP_REACT * np.exp(-0.5 * ((u + 0.1) / 0.05) ** 2)
        f += (sc["amp"][k] * pulse + react)[:, None] * sc["dir"][k][None, :]
        w[:, 0] += sc["burst"][k, 0] * pulse
        w[:, 2] += sc["burst"][k, 1] * pulse
    amp = _SWAY_MS2 / np.sqrt(0.5 * sc["sway_f"].shape[1])
    for j in (0, 1):  # forward and sideways sway
        f[:, j] += standing * amp * np.sin(2 * np.pi * sc["sway_f"][j][None, :] * t[:, None]
                                           + sc["sway_ph"][j][None, :]).sum(axis=1)
    return f, w
