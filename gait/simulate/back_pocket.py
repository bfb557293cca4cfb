"""A phone in a back trouser pocket (a model, not validated): the pelvis's and the thigh's signals
blended (:func:`simulate_back_pocket`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from gait.recording import Recording, SensorStream
from gait.simulate.config import configure, rotation_matrix
from gait.simulate.constants import SIDES
from gait.simulate.synthesis import simulate_config, simulate_defaults
from gait.simulate.truth import Truth

#: share of the thigh's motion in a back-pocket phone (:func:`simulate_back_pocket`)
BACK_POCKET_THIGH_SHARE = 0.4


def simulate_back_pocket(duration_s: float = 60.0, side: str = "L", *,
                         thigh_share: float = BACK_POCKET_THIGH_SHARE, orientation: Any = None,
                         noise: tuple[float, float] | None = (0.02, 0.003),
                         bias: tuple[float, float] | None = (0.05, 0.003),
                         with_gyro: bool = True, seed: int = 0, **kwargs: Any
                         ) -> tuple[Recording, Truth]:
    """A phone in the back trouser pocket of ``side`` ("L"/"R"): one stream named
    ``left_pocket`` / ``right_pocket`` (the pocket's side, as a user gives it), and the truth.

    Model (not validated: the only real back-pocket recordings, oxford_step_counter's, have no
    gyroscope and no pocket side): the phone lies on the buttock behind the hip, so it moves
    with the pelvis, and the gluteal tissue under it follows the thigh's flexion-extension in
    part. Its specific force and angular rate are the pelvis's (the ``lower_back`` sensor's)
    and the thigh's blended, ``thigh_share`` of the thigh's, both simulated in their nominal
    mounts (the same axes: x right, y up, z back; the screen faces backwards), then turned to
    ``orientation`` (as :func:`~gait.simulate.simulate`'s) and given white noise and a
    constant bias per axis (``noise``, ``bias``: SDs as :func:`~gait.simulate.simulate`'s).
    The ipsilateral heel strike arrives through the pocket leg (its share of the thigh's
    impact), the other through the pelvis (the trunk's). Every other keyword goes to
    :func:`~gait.simulate.simulate` (``gait``, ``step_asym_pct``, ``stance_asym_pct``,
    ``pattern``, ...); the truth is its truth.

    The thigh part is the thigh's motion on its axis, 0.25 m below the hip (the front pocket's
    signal before its phone was moved 7 cm ahead of the thigh,
    :data:`~gait.simulate.constants.POCKET_AHEAD`): a back pocket lies behind the hip on the
    buttock, which belongs to the pelvis and its soft tissue, not to the thigh as a rigid
    body, so no lever arm of the thigh's rotation applies to it, and the front pocket's
    anterior one would point the wrong way. The pelvis's own lever arm (its rotation times the
    pocket's offset from L5) is left out, as for the ``lower_back`` sensor, treated as at the
    centre of mass. The signals are those of the model before the front pocket was moved, but
    for the walking thigh's angle, which follows
    :data:`~gait.simulate.constants.THIGH_WALK` since 2026-12 (running: unchanged).
    """
    side = {"left": "L", "right": "R"}.get(side, side)
    if side not in SIDES:
        raise ValueError(f"side must be 'L' or 'R', got {side!r}")
    if not 0.0 <= thigh_share <= 1.0:
        raise ValueError(f"thigh_share must be within 0..1, got {thigh_share!r}")
    pocket = "left_pocket" if side == "L" else "right_pocket"
    fixed = dict(duration_s=duration_s, placements=(pocket, "lower_back"), orientation=None,
                 noise=None, bias=None, with_gyro=with_gyro, seed=seed)
    if set(kwargs) & set(fixed):
        raise TypeError(f"simulate_back_pocket() got multiple values for "
                        f"{sorted(set(kwargs) & set(fixed))}")
    cfg = configure(**{**simulate_defaults(), **kwargs, **fixed})
    cfg.pocket_ahead = 0.0  # the thigh's motion on its axis (see above)
    rec, truth = simulate_config(cfg)
    thigh, pelvis = rec.stream(pocket), rec.stream("lower_back")
    w = float(thigh_share)
    acc = (1.0 - w) * pelvis.acc + w * thigh.acc
    gyr = None
    if with_gyro and thigh.gyr is not None and pelvis.gyr is not None:
        gyr = (1.0 - w) * pelvis.gyr + w * thigh.gyr
    rng = np.random.default_rng([seed, 0xBAC])
    q = rotation_matrix(orientation, rng)
    acc = acc @ q
    na, ng = noise if noise is not None else (0.0, 0.0)
    ba, bg = bias if bias is not None else (0.0, 0.0)
    acc = acc + rng.normal(0.0, 1.0, 3) * ba + na * rng.standard_normal(acc.shape)
    if gyr is not None:
        gyr = gyr @ q
        gyr = gyr + rng.normal(0.0, 1.0, 3) * bg + ng * rng.standard_normal(gyr.shape)
    stream = SensorStream(placement=pocket, sample_rate_hz=thigh.sample_rate_hz, acc=acc,
                          gyr=gyr, name=f"simulated back pocket ({pocket})",
                          info={**thigh.info, "back_pocket": True})
    meta = {**rec.meta, "back_pocket": {"side": side, "thigh_share": w,
                                        "orientation_matrix": np.round(q, 9).tolist()}}
    out = Recording(streams=[stream], source_format=rec.source_format, app=rec.app,
                    device=rec.device, meta=meta)
    return out, truth
