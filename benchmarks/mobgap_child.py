"""Run mobgap's own lower-back pipeline on lower-back CSV files (child process of validate.py).

Runs under an interpreter that has ``mobgap`` (1.x) installed, never in gait's environment:
``benchmarks/validate.py --mobgap`` starts it in a virtualenv under a cache folder and sends
it a JSON list of jobs on stdin, one per walk::

    {"id": ..., "csv": PATH, "axes": [[3 x 3 matrix]], "pipeline": "healthy"|"impaired",
     "cohort": "HA"|"PD"|"MS", "height_m": float, "sensor_height_m": float}

Each CSV (``time_s, ax, ay, az, gx, gy, gz``; m/s^2 and rad/s, the validation format) is
linearly resampled onto a uniform grid at its median sampling rate (voisard2023 has gaps),
turned into the Mobilise-D sensor frame (x up, y right, z forward: ``axes @ [ax, ay, az]``),
gyr in deg/s as mobgap wants, and put through ``MobilisedPipelineHealthy`` or
``MobilisedPipelineImpaired`` with their predefined algorithms (GsdIluz or GsdIonescu,
IcdIonescu, LrcUllrich; DMO thresholds and aggregation off: they do not change the contacts).
Its initial contacts with sides (``raw_ic_list_``: every IC of every gait sequence, before
stride selection) and gait sequences come back as one JSON line per job on stdout, in seconds
on the CSV's clock; a job that fails returns ``{"id": ..., "error": ...}``.

``mobgap_child.py --summary JOBS.json`` (``benchmarks/bench_report.py``, which times the whole
process): the jobs from a file instead of stdin, and per job only the counts (``n_ic``,
``n_gs``) and the times (``load_s``: CSV read and resampling, ``seconds``: the pipeline)
instead of the lists; the first line also gives ``import_s``, mobgap's import time.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd


def load(csv: str, axes: list[list[float]]) -> tuple[pd.DataFrame, float, np.ndarray]:
    d = pd.read_csv(csv)
    t = d["time_s"].to_numpy(float)
    fs = float(round(1.0 / np.median(np.diff(t))))
    grid = t[0] + np.arange(int(np.floor((t[-1] - t[0]) * fs)) + 1) / fs
    acc = np.column_stack([np.interp(grid, t, d[c].to_numpy(float)) for c in ("ax", "ay", "az")])
    gyr = np.column_stack([np.interp(grid, t, d[c].to_numpy(float)) for c in ("gx", "gy", "gz")])
    m = np.asarray(axes, float)
    acc, gyr = acc @ m.T, np.rad2deg(gyr @ m.T)
    data = pd.DataFrame(np.column_stack([acc, gyr]),
                        columns=["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"])
    return data, fs, grid


def run(job: dict) -> dict:
    from mobgap.pipeline import MobilisedPipelineHealthy, MobilisedPipelineImpaired

    t_load = time.perf_counter()
    data, fs, grid = load(job["csv"], job["axes"])
    t_load = time.perf_counter() - t_load
    cls = MobilisedPipelineImpaired if job["pipeline"] == "impaired" else \
        MobilisedPipelineHealthy
    pipe = cls().set_params(dmo_thresholds=None, dmo_aggregation=None)
    dp = SimpleNamespace(
        data_ss=data, sampling_rate_hz=fs, group_label=job["id"],
        participant_metadata={"cohort": job["cohort"], "height_m": job["height_m"],
                              "sensor_height_m": job["sensor_height_m"]},
        recording_metadata={"measurement_condition": "laboratory"})
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe = pipe.run(dp)
    secs = time.perf_counter() - t0
    ic = pipe.raw_ic_list_.reset_index()
    idx = np.clip(ic["ic"].to_numpy(int), 0, len(grid) - 1) if len(ic) else np.array([], int)
    side = {"left": "L", "right": "R"}
    gs = pipe.gs_list_
    last = len(grid) - 1
    return {"id": job["id"], "seconds": secs, "load_s": t_load, "fs": fs,
            "ic": [{"t": float(grid[i]), "side": side.get(str(s))}
                   for i, s in zip(idx, ic.get("lr_label", [None] * len(ic)), strict=True)],
            "gs": [[float(grid[min(int(a), last)]), float(grid[min(int(b), last)])]
                   for a, b in zip(gs["start"], gs["end"], strict=True)]}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    summary = args[:1] == ["--summary"]
    t0 = time.perf_counter()
    import mobgap
    import mobgap.pipeline  # (its import time counts as start-up)

    import_s = time.perf_counter() - t0
    if summary:
        with open(args[1], encoding="utf-8") as fh:
            jobs = json.load(fh)
    else:
        jobs = json.load(sys.stdin)
    print(json.dumps({"version": mobgap.__version__, "import_s": import_s}), flush=True)
    for job in jobs:
        try:
            out = run(job)
        except Exception as exc:  # reported to the parent, which skips the walk
            out = {"id": job["id"], "error": f"{type(exc).__name__}: {exc}"}
        if summary and "error" not in out:
            out = {"id": out["id"], "seconds": out["seconds"], "load_s": out["load_s"],
                   "fs": out["fs"], "n_ic": len(out["ic"]), "n_gs": len(out["gs"])}
        print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
