"""Zip limits: how fast and in how much memory `gait info` refuses archives that expand too far.

Run: ``python benchmarks/zip_limits.py [--gb 1] [--csv]``. Writes a zip of ``--gb`` GB of zeros
(about 1 MB compressed: a zip bomb) and, with ``--csv``, a zip holding a CSV of that size (a
plausible recording, ~8 x compressed), runs ``gait info`` on each in a fresh process and prints
its exit status, wall and CPU time, peak memory and message. Targets: refused in under 1 s and
200 MB (the limits are read from the zip's directory: gait.io.base.check_zip_limits).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def zeros_zip(path: Path, n_mb: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf, \
            zf.open("Accelerometer.csv", "w", force_zip64=True) as fh:
        block = bytes(16 << 20)
        for _ in range(n_mb // 16):
            fh.write(block)
    return path


def csv_zip(path: Path, n_mb: int) -> Path:
    """A generic CSV of ``n_mb`` MB (a 100 Hz walk-like signal) in a zip."""
    import numpy as np

    rng = np.random.default_rng(0)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf, \
            zf.open("walk.csv", "w", force_zip64=True) as fh:
        fh.write(b"time_s,ax,ay,az,gx,gy,gz\n")
        written, t0 = 0, 0
        while written < n_mb << 20:
            t = (t0 + np.arange(100_000)) / 100.0
            x = rng.normal(0, 1, (len(t), 6))
            x[:, 1] += 9.81
            text = "\n".join(",".join(f"{v:.5f}" for v in (tt, *row))
                             for tt, row in zip(t, x, strict=True)) + "\n"
            fh.write(text.encode())
            written += len(text)
            t0 += len(t)
    return path


def info(path: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "gait", "info", str(path)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return (f"exit {proc.returncode}, {took:.2f} s ({usage.ru_utime + usage.ru_stime:.2f} s "
            f"CPU), {usage.ru_maxrss / 1024:.0f} MB peak: {err.strip()}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gb", type=float, default=1.0, help="uncompressed size (default 1)")
    ap.add_argument("--csv", action="store_true", help="also a zip of a CSV that large")
    args = ap.parse_args(argv)
    n_mb = int(args.gb * 1024)
    with tempfile.TemporaryDirectory() as tmp:
        bomb = zeros_zip(Path(tmp) / "zeros.zip", n_mb)
        print(f"{bomb.stat().st_size / 2**20:.1f} MB zip of {n_mb} MB of zeros: {info(bomb)}")
        if args.csv:
            z = csv_zip(Path(tmp) / "csv.zip", n_mb)
            print(f"{z.stat().st_size / 2**20:.0f} MB zip of a {n_mb} MB CSV: {info(z)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
