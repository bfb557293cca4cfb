"""Small builders for synthetic test files."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def walk_like(n: int = 1000, fs: float = 100.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A lower-back-like acc (m/s^2, gravity on +y) and gyro (rad/s) with a 1.8 Hz step rhythm."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fs
    acc = np.column_stack([
        0.8 * np.sin(2 * np.pi * 0.9 * t),
        9.81 + 2.0 * np.sin(2 * np.pi * 1.8 * t),
        1.2 * np.sin(2 * np.pi * 1.8 * t + 0.5),
    ]) + rng.normal(0, 0.05, (n, 3))
    gyr = np.column_stack([0.3 * np.sin(2 * np.pi * 0.9 * t), 0.2 * np.cos(2 * np.pi * 0.9 * t),
                           0.1 * np.sin(2 * np.pi * 1.8 * t)])
    return acc, gyr


def write_generic(path: Path, t: np.ndarray, acc: np.ndarray, gyr: np.ndarray | None = None,
                  header: str | None = None, delimiter: str = ",") -> Path:
    cols = [t[:, None], acc] + ([gyr] if gyr is not None else [])
    data = np.hstack(cols)
    if header is None:
        header = "time_s,ax,ay,az" + (",gx,gy,gz" if gyr is not None else "")
    lines = [header] + [delimiter.join(f"{v:.6f}" for v in row) for row in data]
    path.write_text("\n".join(lines) + "\n")
    return path
