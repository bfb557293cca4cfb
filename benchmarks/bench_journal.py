"""Journal robustness: flipped bits and kill -9 at real-time speed (issue 20 items 4 and 9).

    python benchmarks/bench_journal.py [--trials 20] [--seconds 2] [--no-flips] [--no-kill]

Prints figures, not pass/fail:

1. one bit flipped at every byte position of a 2-sensor journal (``--seconds`` of data; bit =
   position % 8), one flip at a time: positions flipped, records lost per flip (max), flips that
   lost a header/sensor/event/end record (their other copy must be read: 0), and whether both
   sensors' samples survived every flip outside a data record;
2. ``gait record --virtual`` (two sensors, 200 Hz, real-time speed) killed with SIGKILL at a
   random time 1.5-8 s after its first data, then ``gait recover``: the loss is the kill time
   minus the time of the last recovered sample (the recording's UTC start + its stream offset +
   (n - 1) / rate), the worse of the two sensors; max, median and every trial.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from gait.ble.assemble import assemble
from gait.ble.journal import DATA, HEAD_SIZE, read_journal
from gait.ble.sim import models_from_simulation, offline_journal

REPO = Path(__file__).resolve().parents[1]


def bench_flips(tmp: Path, seconds: float) -> None:
    models = models_from_simulation(("left_foot", "right_foot"), duration_s=seconds + 3,
                                    rate_hz=200, seed=2)
    p = tmp / "flip.gait.journal"
    offline_journal(str(p), models, seconds, seed=1)
    buf = p.read_bytes()
    base = read_journal(p)
    samples = {s.placement: s.stats["samples"] for s in assemble(base)}
    json_pos = data_pos = 0
    worst = json_lost = sensor_loss = 0
    pos_rec = 10
    kinds = bytearray(len(buf))  # record type at each byte (0: the file header)
    while pos_rec < len(buf):
        end = pos_rec + HEAD_SIZE + int.from_bytes(buf[pos_rec + 2:pos_rec + 4], "little")
        kinds[pos_rec:end] = bytes([buf[pos_rec + HEAD_SIZE]]) * (end - pos_rec)
        pos_rec = end
    t = time.perf_counter()
    for pos in range(len(buf)):
        b = bytearray(buf)
        b[pos] ^= 1 << (pos % 8)
        j = read_journal(p, bytes(b))
        lost = base.n_records - j.n_records
        worst = max(worst, lost)
        if kinds[pos] == DATA:
            data_pos += 1
            continue
        json_pos += 1
        if (j.meta, j.sensors, j.events, j.end) != (base.meta, base.sensors, base.events,
                                                    base.end) or len(j.sid) != len(base.sid):
            json_lost += 1
        if {s.placement: s.stats["samples"] for s in assemble(j)} != samples:
            sensor_loss += 1
    dt = time.perf_counter() - t
    print(f"bit flips: {len(buf):,} positions flipped one at a time ({json_pos:,} in the file "
          f"header and header/sensor/event/end records, {data_pos:,} in data records), "
          f"{dt:.1f} s")
    print(f"  records lost per flip: max {worst} (a redundant copy or the data record hit); "
          f"flips outside data records that lost a document or a data record: {json_lost}; "
          f"that changed a sensor's samples: {sensor_loss}")


def _trial(tmp: Path, i: int, rng: random.Random) -> tuple[float, float]:
    out = tmp / f"kill{i}"
    journal = tmp / f"kill{i}.gait.journal"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gait", "record", "--virtual", "--duration", "120",
         "--sim-speed", "1", "--sim-seed", str(i + 1), "--quiet", str(out)],
        cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if journal.exists() and journal.stat().st_size > 6000:
                break
            time.sleep(0.01)
        wait = rng.uniform(1.5, 8.0)
        time.sleep(wait)
        t_kill = time.time()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    r = subprocess.run([sys.executable, "-m", "gait", "recover", str(journal)], cwd=tmp,
                       env=env, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise SystemExit(f"trial {i}: gait recover failed: {r.stderr.strip()}")
    doc = json.loads((tmp / f"kill{i}.gait.json").read_text())
    t0 = datetime.fromisoformat(doc["start_time_utc"]).timestamp()
    last = [t0 + s["start_s"] + (s["n_samples"] - 1) / s["sample_rate_hz"]
            for s in doc["streams"]]
    return t_kill - min(last), wait


def bench_kill(tmp: Path, trials: int, seed: int) -> None:
    try:
        import bumble  # noqa: F401
    except ModuleNotFoundError:
        print("kill -9: skipped (pip install bumble)")
        return
    rng = random.Random(seed)
    losses = []
    for i in range(trials):
        loss, wait = _trial(tmp, i, rng)
        losses.append(loss)
        print(f"  trial {i + 1:2d}: killed {wait:.2f} s after the first data, lost {loss:.3f} s",
              flush=True)
    ok = sum(x <= 1.0 for x in losses)
    print(f"kill -9 at real-time speed: loss max {max(losses):.3f} s, median "
          f"{statistics.median(losses):.3f} s, min {min(losses):.3f} s; <= 1.0 s in {ok} of "
          f"{trials} trials")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=20)
    ap.add_argument("--no-flips", action="store_true")
    ap.add_argument("--no-kill", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if not a.no_flips:
            bench_flips(tmp, a.seconds)
        if not a.no_kill:
            bench_kill(tmp, a.trials, a.seed)


if __name__ == "__main__":
    main()
