"""BLE benchmark: decoding throughput and whether the recorder keeps up with 2 x 416 Hz.

    python benchmarks/bench_ble.py [--samples 2000000] [--seconds 20] [--speed 8]

Prints figures, not pass/fail:

1. ``decode_gait`` on packets in a journal buffer (samples/s; target >= 1e6);
2. ``read_journal`` (records/s) and a whole journal -> recording (``finalise``, CSV included);
3. Polar PMD delta-compressed frames (samples/s);
4. the real recorder (bleak over bumble) against two virtual sensors at 416 Hz, run ``--speed``
   times faster than real time: samples the sensors sent vs what the journal holds, and the
   real-time headroom (speed x 2 x 416 samples/s handled).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import numpy as np

from gait.ble.assemble import finalise
from gait.ble.decode import decode_gait, decode_polar, encode_gait_packet, encode_polar_frame
from gait.ble.journal import read_journal
from gait.ble.sim import models_from_simulation, offline_journal


def bench_decode(n_samples: int, spp: int) -> float:
    rng = np.random.default_rng(0)
    raw = rng.integers(-2000, 2000, (spp, 6)).astype(np.int16)
    n_pk = n_samples // spp
    pkts = [encode_gait_packet(i, i * spp, i * 100, raw) for i in range(n_pk)]
    lengths = np.full(n_pk, len(pkts[0]), np.int64)
    starts = np.arange(n_pk, dtype=np.int64) * (len(pkts[0]) + 12) + 12  # journal-like spacing
    buf = bytearray(int(starts[-1] + lengths[-1]))
    for s, p in zip(starts.tolist(), pkts, strict=True):
        buf[s:s + len(p)] = p
    buf = bytes(buf)
    best = np.inf
    for _ in range(3):
        t = time.perf_counter()
        d = decode_gait(buf, starts, lengths)
        best = min(best, time.perf_counter() - t)
    assert d.n_samples == n_pk * spp
    rate = d.n_samples / best
    print(f"decode_gait, {spp:2d} samples/packet: {d.n_samples:,} samples in {best * 1e3:.0f} ms"
          f" = {rate / 1e6:.1f} M samples/s")
    return rate


def bench_polar(n_samples: int) -> None:
    rng = np.random.default_rng(1)
    frames = []
    per = 36
    for i in range(n_samples // per):
        s = np.cumsum(rng.integers(-60, 60, (per, 3)), axis=0)
        frames.append(encode_polar_frame("ACC", 10**9 + i, s))
    t = time.perf_counter()
    res = decode_polar(frames)
    dt = time.perf_counter() - t
    n = sum(len(f.samples) for f in res.frames)
    print(f"decode_polar (delta-compressed ACC, {per}/frame): {n:,} samples in {dt * 1e3:.0f} ms"
          f" = {n / dt / 1e6:.2f} M samples/s")


def bench_journal(tmp: Path, seconds: float) -> None:
    models = models_from_simulation(("left_foot", "right_foot"), duration_s=seconds + 5,
                                    rate_hz=416, samples_per_packet=19, seed=2)
    jp = tmp / "bench.gait.journal"
    offline_journal(str(jp), models, seconds, loss=0.02, seed=1)
    t = time.perf_counter()
    j = read_journal(jp)
    dt = time.perf_counter() - t
    print(f"read_journal: {j.n_records:,} records ({jp.stat().st_size / 1e6:.1f} MB) in "
          f"{dt * 1e3:.0f} ms = {j.n_records / dt / 1e6:.2f} M records/s")
    t = time.perf_counter()
    res = finalise(jp, tmp / "bench")
    dt = time.perf_counter() - t
    n = sum(s.stats["samples"] for s in res.sensors)
    print(f"finalise (2 x 416 Hz x {seconds:g} s, CSV written): {n:,} samples in {dt:.2f} s = "
          f"{n / dt / 1e6:.2f} M samples/s")


async def _record(tmp: Path, seconds: float, speed: float) -> tuple[list, list, float, float]:
    from gait.ble.recorder import Recorder, Target
    from gait.ble.sim import Faults, VirtualClock, VirtualRadio

    models = models_from_simulation(("left_foot", "right_foot"), duration_s=seconds + 10,
                                    rate_hz=416, samples_per_packet=19, seed=3)
    radio = VirtualRadio(VirtualClock(speed))
    await radio.start()
    sensors = [await radio.add_sensor(m, Faults(seed=i)) for i, m in enumerate(models)]
    sc, cl = radio.backends()
    rec = Recorder([Target(m.placement, s.address) for m, s in zip(models, sensors, strict=True)],
                   tmp / "live.gait.journal", backend_scanner=sc, backend_client=cl,
                   clock=radio.clock.now_ns, rate_hz=416)
    t, c = time.perf_counter(), time.process_time()
    await rec.run(seconds)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    await radio.close()
    return sensors, rec.states, wall, cpu


def bench_recorder(tmp: Path, seconds: float, speed: float) -> None:
    try:
        import bumble  # noqa: F401
    except ModuleNotFoundError:
        print("recorder: skipped (pip install bumble)")
        return
    sensors, states, wall, cpu = asyncio.run(_record(tmp, seconds, speed))
    j = read_journal(tmp / "live.gait.journal")
    sent = sum(n for s in sensors for _, n in s.log.sent)
    got = sum(st.samples for st in states)
    print(f"recorder (bleak over bumble, 2 x 416 Hz, {seconds:g} virtual s at {speed:g}x real "
          f"time): sensors sent {sent:,} samples, recorder journalled {got:,} "
          f"({j.n_records:,} records), wall {wall:.1f} s, CPU {cpu:.1f} s")
    print(f"  -> handled {got / wall:,.0f} samples/s = {got / wall / (2 * 416):.1f}x the "
          f"real-time load of 2 x 416 Hz; losses at the host: {sent - got}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=2_000_000)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--speed", type=float, default=8.0)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for spp in (19, 10, 4):
            bench_decode(a.samples, spp)
        bench_polar(a.samples // 4)
        bench_journal(tmp, 300.0)
        bench_recorder(tmp, a.seconds, a.speed)


if __name__ == "__main__":
    main()
