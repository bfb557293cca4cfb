"""Time and peak memory to simulate and write a long lower-back recording.

Run: ``python benchmarks/bench_simulate.py [--duration S] [--fs HZ] [--chunk S] [--keep DIR]``
(default 1 hour; ``--duration 86400`` for the 24-hour figure). Writes through
:func:`gait.cli.demo.simulate_to_file` (chunked CSV + streamed truth JSON) into a temporary folder
unless ``--keep`` names one, and prints wall time, the ratio to real time, peak resident memory
(``ru_maxrss``, whole process) and, with ``--tracemalloc``, the peak of Python/numpy allocations.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gait.cli.demo import simulate_to_file


def _rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024.0 if sys.platform != "darwin" else kb / 1024.0 / 1024.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=3600.0, help="seconds (default 3600)")
    ap.add_argument("--fs", type=float, default=100.0, help="sample rate, Hz (default 100)")
    ap.add_argument("--chunk", type=float, default=600.0, help="chunk length, s (default 600)")
    ap.add_argument("--gait", choices=("walk", "run"), default="walk")
    ap.add_argument("--keep", type=Path, default=None, help="write here and keep the files")
    ap.add_argument("--tracemalloc", action="store_true",
                    help="also trace Python/numpy allocations (slower)")
    args = ap.parse_args(argv)

    rss0 = _rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        out = (args.keep or Path(tmp)) / "bench"
        if args.tracemalloc:
            tracemalloc.start()
        t0 = time.perf_counter()
        manifest, _truth = simulate_to_file(out, duration_s=args.duration, fs=args.fs,
                                            gait=args.gait, chunk_s=args.chunk,
                                            placements=("lower_back",), seed=0)
        wall = time.perf_counter() - t0
        traced = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else None
        if args.tracemalloc:
            tracemalloc.stop()
        sizes = {p.name: p.stat().st_size for p in manifest.parent.glob("bench.*")}
    rss1 = _rss_mb()
    n = round(args.duration * args.fs)
    print(f"simulated {args.gait}, lower_back, {args.duration:.0f} s at {args.fs:g} Hz "
          f"({n:,} samples, acc+gyr), chunk {args.chunk:g} s")
    print(f"wall time        {wall:10.2f} s")
    print(f"real-time ratio  {args.duration / wall:10.0f} x faster than real time")
    print(f"throughput       {n / wall / 1e6:10.2f} M samples/s")
    print(f"peak RSS         {rss1:10.1f} MB (process; {rss0:.1f} MB after imports, "
          f"+{rss1 - rss0:.1f} MB)")
    if traced is not None:
        print(f"tracemalloc peak {traced:10.1f} MB (Python/numpy allocations)")
    for name, size in sorted(sizes.items()):
        print(f"  {name:28s} {size / 2**20:10.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
