"""benchmarks/ref_sides.py: a validation reference whose foot files are swapped is found from
the feet's mirror-symmetric roll and yaw rates alone."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .conftest import benchmark_module


def _walk(folder: Path, walk: str, swapped: bool, rng: np.random.Generator) -> None:
    fs, n = 100.0, 3000
    t = np.arange(n) / fs
    ics = {"L": np.arange(2.0, 28.0, 1.1), "R": np.arange(2.55, 28.0, 1.1)}
    rates = {}
    # swapped: each file's contacts are its own (the reference found them on that file), but
    # the sensor sat on the other foot, so its roll and yaw are the other foot's mirror image
    for side, sign in (("L", 1.0), ("R", -1.0)):
        sign = -sign if swapped else sign
        g = rng.normal(0.0, 0.3, (n, 3))
        for ic in ics[side]:
            u = t - ic
            bump = np.exp(-((u - 0.1) / 0.08) ** 2) - 0.6 * np.exp(-((u - 0.5) / 0.1) ** 2)
            g[:, 0] += sign * 2.0 * bump          # roll: mirrored between the feet
            g[:, 1] += 3.0 * np.exp(-((u + 0.3) / 0.1) ** 2)  # pitch: the same on both
            g[:, 2] += sign * 1.5 * np.roll(bump, 20)  # yaw: mirrored
        rates[side] = g
    for side, name in (("L", "left_foot"), ("R", "right_foot")):
        pd.DataFrame({"time_s": t, "gx": rates[side][:, 0], "gy": rates[side][:, 1],
                      "gz": rates[side][:, 2]}).to_csv(folder / f"imu_{walk}_{name}.csv",
                                                       index=False)
    ref = {"initial_contacts": [{"t": float(x), "side": s} for s in "LR" for x in ics[s]]}
    (folder / f"ref_{walk}.json").write_text(json.dumps(ref))


def test_swapped_foot_files_are_flagged(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    for k in range(1, 5):
        _walk(tmp_path, f"S0{k}_T1", swapped=(k == 3), rng=rng)
    scores = benchmark_module("ref_sides").side_scores(tmp_path)
    assert set(scores) == {"S01_T1", "S02_T1", "S03_T1", "S04_T1"}
    assert [w for w, s in scores.items() if s < 0] == ["S03_T1"]
    assert min(s for w, s in scores.items() if w != "S03_T1") > 0.5


def test_too_few_subjects_gives_no_verdict(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    for k in range(1, 3):
        _walk(tmp_path, f"S0{k}_T1", swapped=False, rng=rng)
    assert benchmark_module("ref_sides").side_scores(tmp_path) == {}
