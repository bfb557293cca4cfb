"""Synthetic recordings as the tools use them: the demo recording that ``gait report``
analyses when it is given no file, and a simulation written to disk (``gait simulate``).

The demo is the bundled ``recordings/walk_weight_shift_left`` (made by ``recordings/make.sh``); an
installed package has no ``recordings/`` folder, so the same simulation is run in memory
(deterministic: same parameters and seed, same signals). :func:`simulate_to_file` joins the
simulator (:mod:`gait.simulate`, which knows no file format) and the recording format
(:mod:`gait.io.gaitcsv`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def simulate_to_file(path: str | Path, *, chunk_s: float = 600.0, **kwargs: Any
                     ) -> tuple[Path, Path]:
    """Simulate any duration straight to disk in bounded memory.

    Writes the recording (``NAME.gait.json`` + ``NAME.<placement>.csv``, see
    :mod:`gait.io.gaitcsv`) chunk by chunk and the truth ``NAME.truth.json``; returns (manifest,
    truth). ``kwargs`` are those of :func:`gait.simulate.simulate`. The signals are identical to
    its signals for the same arguments, whatever ``chunk_s``.
    """
    from gait.io.gaitcsv import RecordingWriter, StreamSpec, manifest_path, truth_path
    from gait.simulate import Simulation

    if not chunk_s > 0:
        raise ValueError("chunk_s must be positive")
    sim = Simulation(**kwargs)
    mpath = manifest_path(path)
    tpath = truth_path(mpath)
    specs = [StreamSpec(p, sim.sample_rate_hz, sim.has_gyr(p), "total", f"simulated {p}")
             for p in sim.placements]
    mpath.parent.mkdir(parents=True, exist_ok=True)
    with RecordingWriter(mpath, specs, source_format=sim.source_format, app=sim.app,
                         device=sim.device, meta={**sim.meta, "truth": tpath.name}) as w:
        for out in sim.chunks(tpath, chunk_s):
            for p, (a, g) in out.items():
                w.write(p, a, g)
    return mpath, tpath


def simulate_back_pocket_to_file(path: str | Path, side: str, **kwargs: Any
                                 ) -> tuple[Path, Path]:
    """A simulated phone in the back trouser pocket of ``side`` (:func:`gait.simulate.
    simulate_back_pocket`, a model) written as a gait recording and its truth; returns
    (manifest, truth). Made in memory (the model blends two simulated sensors)."""
    from gait.io.gaitcsv import manifest_path, truth_path, write_recording
    from gait.simulate import simulate_back_pocket

    rec, truth = simulate_back_pocket(side=side, **kwargs)
    mpath = manifest_path(path)
    tpath = truth_path(mpath)
    mpath.parent.mkdir(parents=True, exist_ok=True)
    rec.meta["truth"] = tpath.name
    write_recording(rec, mpath)
    truth.write(tpath)
    return mpath, tpath
