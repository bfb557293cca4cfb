"""The demo recording that ``gait report`` analyses when it is given no file.

It is the bundled ``recordings/walk_weight_shift_left`` (made by ``recordings/make.sh``); an
installed package has no ``recordings/`` folder, so the same simulation is run in memory
(deterministic: same parameters and seed, same signals).
"""

from __future__ import annotations

from pathlib import Path

from gait.recording import Recording

NAME = "walk_weight_shift_left"
PARAMS = dict(duration_s=60.0, placements=("lower_back",), gait="walk", seed=2,
              stance_asym_pct=12.0, step_asym_pct=-3.0, impact_asym_pct=20.0,
              pelvic_drop_asym_deg=3.0)


def demo_recording(search: Path | None = None) -> tuple[Recording, str]:
    """(recording, label): the bundled file when found in ``search``/recordings, else simulated."""
    from gait.api import load

    base = (search or Path.cwd()) / "recordings" / f"{NAME}.gait.json"
    if base.is_file():
        return load(base), str(base)
    from gait.simulate import simulate

    rec, _ = simulate(**PARAMS)
    return rec, f"demo: simulated {NAME} (gait simulate, seed {PARAMS['seed']})"
