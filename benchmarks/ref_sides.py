"""Check the left/right labels of a validation reference against the feet's own motion.

A reference's sides come from which foot sensor (or insole) a contact was found on; a sensor
strapped to the other foot than its file name says swaps every side of the reference, which a
lower-back detector then "gets wrong" on every step. This check needs no detector: the roll and
yaw rates of a foot are mirror images between the left and the right foot (the sagittal pitch
rate is not), so with the same sensor mounting on every subject the IC-locked roll and yaw rate
(-0.5 to +1.0 s around each reference IC of that side) of a left-foot file should correlate
positively with the average left-foot pattern of the *other* subjects and negatively with the
right one. Score per walk = mean over its two files of r(own side's pattern) - r(other side's);
a negative score means the files look swapped.

Used by ``benchmarks/validate.py`` (which scores left/right accuracy with and without such
walks, and prints which) and runnable alone: ``python benchmarks/ref_sides.py [DATASET_DIR]``
(default ``../shared/validation/voisard2023_ipol_healthy``). It only applies to data sets with
``imu_<walk>_left_foot.csv`` / ``imu_<walk>_right_foot.csv`` of one mounting and three or more
subjects; others give ``{}``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GAIT_SHARED", ROOT.parent / "shared")).resolve()
FS = 100.0
WINDOW = (-0.5, 1.0)  # s around each IC
MIN_SUBJECTS = 3


def _rates(path: Path) -> np.ndarray:
    """Roll/pitch/yaw-rate columns (device gx, gy, gz) resampled to FS over the file's gaps."""
    df = pd.read_csv(path)
    t = df["time_s"].to_numpy(float)
    grid = np.arange(0.0, t[-1], 1.0 / FS)
    return np.column_stack([np.interp(grid, t, df[c].to_numpy(float)) for c in ("gx", "gy", "gz")])


def _pattern(gyr: np.ndarray, ics: np.ndarray) -> np.ndarray | None:
    """Mean IC-locked gx and gz (the mirror-symmetric axes of this mounting), flattened."""
    lo, hi = round(WINDOW[0] * FS), round(WINDOW[1] * FS)
    idx = np.round(ics * FS).astype(int)
    idx = idx[(idx + lo >= 0) & (idx + hi <= len(gyr))]
    if len(idx) < 3:
        return None
    seg = gyr[idx[:, None] + np.arange(lo, hi)[None, :]]
    return seg[:, :, [0, 2]].mean(axis=0).ravel()


def side_scores(folder: Path) -> dict[str, float]:
    """Walk -> score (mean r with its own side's pattern minus the other side's; < 0: the
    reference's sides look swapped). Empty when the data set does not allow the check."""
    pats: dict[tuple[str, str], np.ndarray] = {}
    for ref_path in sorted(folder.glob("ref_*.json")):
        walk = ref_path.stem.removeprefix("ref_")
        files = {s: folder / f"imu_{walk}_{n}.csv" for s, n in (("L", "left_foot"),
                                                               ("R", "right_foot"))}
        if not all(f.is_file() for f in files.values()):
            continue
        ref = json.loads(ref_path.read_text())
        for side, f in files.items():
            ics = np.array([e["t"] for e in ref.get("initial_contacts", []) if e["side"] == side])
            p = _pattern(_rates(f), ics)
            if p is not None:
                pats[(walk, side)] = p
    subject = {w: w.split("_")[0] for w, _ in pats}
    if len(set(subject.values())) < MIN_SUBJECTS:
        return {}
    scores = {}
    for walk in sorted({w for w, _ in pats}):
        if (walk, "L") not in pats or (walk, "R") not in pats:
            continue
        mean = {s: np.mean([p for (w, side), p in pats.items()
                            if side == s and subject[w] != subject[walk]], axis=0) for s in "LR"}
        diff = []
        for side, other in (("L", "R"), ("R", "L")):
            x = pats[(walk, side)]
            diff.append(np.corrcoef(x, mean[side])[0, 1] - np.corrcoef(x, mean[other])[0, 1])
        scores[walk] = float(np.mean(diff))
    return scores


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else SHARED / "validation" / "voisard2023_ipol_healthy"
    conv = folder / "converted" if (folder / "converted").is_dir() else folder
    scores = side_scores(conv)
    if not scores:
        print(f"{folder}: no left/right foot files of three or more subjects to check")
        return 0
    for walk, s in scores.items():
        print(f"{walk:12s} {s:+.2f}{'  <- reference sides look swapped' if s < 0 else ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
