"""Two virtual BLE sensors on one clock: alignment error and between-leg parameters vs truth.

    python benchmarks/bench_ble_align.py [--duration 3600] [--speed 1 4] [--seed 1] [--keep DIR]

Per speed, as a user would: ``gait record --virtual`` of a walk with a 6 % stance asymmetry and
no step asymmetry, +-100 ppm crystals, 5 % packet loss and two forced disconnects (at a third
and two thirds of the walk), then ``gait report --json``. Prints, against the truth file the
virtual sensors leave beside the recording (``NAME.truth.json``):

* the alignment error between the two sensors' sample times (P95 and max, ms) and the
  uncertainty the recording states in ``meta.ble.alignment``;
* the report's step SI, stance SI and cadence against the truth's (and stance SI against 6 %);
* the live balance line's final stance left share against the report's.

Figures, not pass/fail; wall time per run is about duration / speed plus the analysis.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(tmp: Path, duration: float, speed: float, seed: int) -> dict:
    out = tmp / f"walk_s{speed:g}"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "gait", "record", "--virtual", "--sensor", "left_foot=virtual",
           "--sensor", "right_foot=virtual", "--duration", f"{duration:g}", "--sim-drift", "100",
           "--sim-loss", "5", "--sim-disconnect", f"{duration / 3:.0f}", "--sim-disconnect",
           f"{2 * duration / 3:.0f}", "--sim-stance-asym", "6", "--sim-speed", f"{speed:g}",
           "--sim-seed", str(seed), str(out)]
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode:
        raise SystemExit(f"gait record failed: {r.stderr.strip().splitlines()[-1:]}")
    end = [ln for ln in r.stderr.splitlines() if ln.endswith("(end)")]
    live = float(re.search(r"stance ([\d.]+) % left", end[-1]).group(1)) if end else None
    rep = subprocess.run([sys.executable, "-m", "gait", "report", f"{out}.gait.json", "--json",
                          "-", "--no-history"], cwd=tmp, env=env, capture_output=True, text=True)
    if rep.returncode:
        raise SystemExit(f"gait report failed: {rep.stderr.strip()}")
    doc = json.loads(rep.stdout)
    truth = json.loads(Path(f"{out}.truth.json").read_text())
    manifest = json.loads(Path(f"{out}.gait.json").read_text())
    ble = manifest["meta"]["ble"]
    sym = doc["symmetry"]
    ungated = None
    if "step_s" not in sym:  # left out for the stated uncertainty: what it would have said
        manifest["meta"]["ble"]["alignment"]["uncertainty_ms"] = None
        Path(f"{out}_ungated.gait.json").write_text(json.dumps(manifest))
        r2 = subprocess.run([sys.executable, "-m", "gait", "report", f"{out}_ungated.gait.json",
                             "--json", "-", "--no-history"], cwd=tmp, env=env,
                            capture_output=True, text=True)
        ungated = json.loads(r2.stdout)["symmetry"].get("step_s", {}).get("si_pct")
    return {"speed": speed, "duration": duration, "wall": wall, "al": truth["alignment"],
            "unc": ble.get("alignment", {}).get("uncertainty_ms"),
            "step": (sym.get("step_s") or {}).get("si_pct"), "step_ungated": ungated,
            "step_t": truth["summary"]["step_symmetry_index_pct"],
            "stance": sym["stance_s"]["si_pct"],
            "stance_t": truth["summary"]["stance_symmetry_index_pct"],
            "cad": doc["overall"]["cadence_spm"], "cad_t": truth["summary"]["cadence_spm"],
            "share": sym["stance_s"]["left_share_pct"], "live": live,
            "walk_asym": (sym.get("step_s") or {}).get("asymmetric_steps_pct"),
            "notes": doc["quality"]["notes"],
            "lost": {k: v["lost_pct"] for k, v in ble["sensors"].items()},
            "pings": {k: v.get("time_pings") for k, v in ble["sensors"].items()}}


def show(x: dict) -> None:
    al = x["al"]
    step = f"{x['step']:+.2f}" if x["step"] is not None else "left out"
    if x["step_ungated"] is not None:
        step += f" (without the limit: {x['step_ungated']:+.2f})"
    print(f"speed {x['speed']:g}, {x['duration']:g} s walk ({x['wall']:.0f} s wall; lost % "
          f"{x['lost']}; pings {x['pings']})")
    print(f"  alignment error between sensors: P95 {al['between_p95_ms']:.2f} ms, max "
          f"{al['between_max_ms']:.2f} ms (stated uncertainty {x['unc']} ms); per sensor mean "
          + ", ".join(f"{k} {v['mean_ms']:+.2f} ms" for k, v in al["sensors"].items()))
    print(f"  step SI {step} (truth {x['step_t']:+.2f}), stance SI {x['stance']:+.2f} (truth "
          f"{x['stance_t']:+.2f}, asked +6), cadence {x['cad']:.1f} (truth {x['cad_t']:.1f}), "
          f"walking asymmetry {x['walk_asym']} %")
    live = f"{x['live']:.1f}" if x["live"] is not None else "none"
    print(f"  live stance balance at the end {live} % left, report {x['share']:.2f} %")
    for n in x["notes"]:
        print(f"  note: {n}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=3600.0)
    ap.add_argument("--speed", type=float, nargs="+", default=[1.0, 4.0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, help="Keep the recordings in this directory.")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = a.keep or Path(d)
        tmp.mkdir(parents=True, exist_ok=True)
        for sp in a.speed:
            show(run(tmp, a.duration, sp, a.seed))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
