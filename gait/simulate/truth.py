"""The ground truth of a simulation: every contact, per-step parameters and their per-side
summary, kept in memory or streamed to temporary files, and the truth JSON written beside a
recording.
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gait.simulate.constants import SCHEMA_VERSION, SIDES

if TYPE_CHECKING:
    from gait.simulate.config import Config





def _si(left: float, right: float) -> float | None:
    if not (np.isfinite(left) and np.isfinite(right)) or left + right == 0:
        return None
    return round(100.0 * (left - right) / (0.5 * (left + right)), 4)


class TruthSink:
    """Collects the truth from the generator's blocks, in memory or in temporary files."""

    LISTS = ("ic", "fc", "stance_L", "stance_R", "swing_L", "swing_R", "step_L", "step_R",
             "stride_L", "stride_R")
    EXTRA = ("imp_L", "imp_R", "drop_L", "drop_R")

    def __init__(self, tmpdir: Path | None = None) -> None:
        self.tmpdir = tmpdir
        self.mem: dict[str, list] = {k: [] for k in self.LISTS}
        self.files = {}
        self.empty = dict.fromkeys(self.LISTS, True)
        if tmpdir is not None:
            self.files = {k: open(tmpdir / f"{k}.part", "w")  # noqa: SIM115
                          for k in self.LISTS}
        self.sums = {k: [0, 0.0] for k in self.LISTS + self.EXTRA}
        for s in SIDES:
            self.sums[f"n_ic_{s}"] = [0, 0.0]
            self.sums[f"n_fc_{s}"] = [0, 0.0]
        self.bouts: list[dict] = []

    def add_bout(self, b: dict) -> None:
        self.bouts.append(b)

    def _emit(self, key: str, values: np.ndarray | list) -> None:
        if isinstance(values, np.ndarray):
            if key not in ("ic", "fc"):
                self.sums[key][0] += len(values)
                self.sums[key][1] += float(np.sum(values))
            items = np.round(values, 4).tolist() if key not in ("ic", "fc") else values
        else:
            items = values
        if not len(items):
            return
        if self.tmpdir is None:
            self.mem[key].extend(items)
            return
        text = json.dumps(items)[1:-1]
        fh = self.files[key]
        if not self.empty[key]:
            fh.write(", ")
        fh.write(text)
        self.empty[key] = False

    def add(self, c: dict[str, np.ndarray]) -> None:
        side = np.array(SIDES)[c["foot"]]
        ic = np.isfinite(c["ic"])
        fc = np.isfinite(c["fc"])
        self._emit("ic", [{"t": t, "side": s, "impact_ms2": a} for t, s, a in
                          zip(np.round(c["ic"][ic], 4).tolist(), side[ic].tolist(),
                              np.round(c["imp"][ic], 4).tolist(), strict=True)])
        self._emit("fc", [{"t": t, "side": s} for t, s in
                          zip(np.round(c["fc"][fc], 4).tolist(), side[fc].tolist(), strict=True)])
        for k, s in enumerate(SIDES):
            m = c["foot"] == k
            self._emit(f"stance_{s}", (c["fc"] - c["ic"])[m & ic & fc])
            self._emit(f"swing_{s}", c["sw_next"][m & ic & fc & np.isfinite(c["sw_next"])])
            self._emit(f"step_{s}", c["step"][m & ic & np.isfinite(c["step"])])
            self._emit(f"stride_{s}", c["stride"][m & ic & np.isfinite(c["stride"])])
            for key, arr, mask in ((f"imp_{s}", c["imp"], m & ic), (f"drop_{s}", c["drop"], m)):
                self.sums[key][0] += int(mask.sum())
                self.sums[key][1] += float(np.sum(arr[mask]))
        self.sums["ic"][0] += int(ic.sum())
        self.sums["fc"][0] += int(fc.sum())
        for k, s in enumerate(SIDES):
            self.sums[f"n_ic_{s}"][0] += int((ic & (c["foot"] == k)).sum())
            self.sums[f"n_fc_{s}"][0] += int((fc & (c["foot"] == k)).sum())

    def mean(self, key: str) -> float:
        n, s = self.sums[key]
        return s / n if n else float("nan")

    def summary(self) -> dict[str, Any]:
        def pair(k: str, nd: int = 4) -> dict[str, float | None]:
            out = {}
            for s in SIDES:
                m = self.mean(f"{k}_{s}")
                out[s] = round(m, nd) if np.isfinite(m) else None
            return out

        ms, mst, mstr, msw = pair("stance"), pair("step"), pair("stride"), pair("swing")
        frac = {s: (round(ms[s] / mstr[s], 4) if ms[s] and mstr[s] else None) for s in SIDES}
        steps = [self.mean("step_L"), self.mean("step_R")]
        n_steps = self.sums["step_L"][0] + self.sums["step_R"][0]
        mean_step = (self.sums["step_L"][1] + self.sums["step_R"][1]) / n_steps \
            if n_steps else float("nan")
        return {
            "n_initial_contacts": {s: self.sums[f"n_ic_{s}"][0] for s in SIDES},
            "n_final_contacts": {s: self.sums[f"n_fc_{s}"][0] for s in SIDES},
            "n_stance_times": {s: self.sums[f"stance_{s}"][0] for s in SIDES},
            "mean_stance_s": ms,
            "stance_symmetry_index_pct": _si(self.mean("stance_L"), self.mean("stance_R")),
            "mean_step_s": mst,
            "step_symmetry_index_pct": _si(*steps),
            "mean_swing_s": msw,
            "swing_symmetry_index_pct": _si(self.mean("swing_L"), self.mean("swing_R")),
            "mean_stride_s": mstr,
            "stance_fraction": frac,
            "cadence_spm": round(60.0 / mean_step, 3) if np.isfinite(mean_step) else None,
            "impact_symmetry_index_pct": _si(self.mean("imp_L"), self.mean("imp_R")),
            "pelvic_drop_deg": pair("drop", 4),
            "pelvic_drop_asym_deg": round(self.mean("drop_L") - self.mean("drop_R"), 4)
            if self.sums["drop_L"][0] and self.sums["drop_R"][0] else None,
        }

    def close(self) -> None:
        for fh in self.files.values():
            fh.close()


def standing_bouts(bouts: list[dict], duration: float) -> list[dict]:
    out, cur = [], 0.0
    for b in bouts:
        if b["move_start"] > cur:
            out.append({"start": round(cur, 4), "end": round(b["move_start"], 4)})
        cur = b["end"]
    if duration > cur:
        out.append({"start": round(cur, 4), "end": round(duration, 4)})
    return out


def truth_head(cfg: Config) -> dict[str, Any]:
    mounts = {"lower_back": ("upright on L5, screen facing backwards: x right, y up, z back", "+y"),
              "foot": ("flat on the instep: x right, y forward (toes), z up", "+z"),
              "shank": ("front of the shin: x right, y up the shank, z back", "+y"),
              "pocket": ("front trouser pocket, screen to the thigh, top up: x right, y up, "
                         "z back", "+y")}
    sensors = {}
    for p in cfg.placements:
        key = "lower_back" if p == "lower_back" else p.split("_")[-1]
        desc, gax = mounts[key]
        sensors[p] = {"mount": desc, "gravity_axis_at_rest_nominal": gax,
                      "orientation_matrix": np.round(cfg.rot[p], 9).tolist(),
                      "clock_drift_ppm": cfg.drift[p], "gyroscope": bool(cfg.gyro[p])}
    return {
        "schema_version": SCHEMA_VERSION,
        "dataset": "gait.simulate",
        "reference_system": "simulation ground truth (exact)",
        "time_axis": "seconds from the first sample of the first stream; a stream with clock "
                     "drift d ppm shows an event at t as t * (1 + d * 1e-6)",
        "params": cfg.params,
        "sensors": sensors,
    }


def turns_json(cfg: Config) -> list[dict]:
    return [{"start": round(float(a), 4), "end": round(float(a + d), 4),
             "angle_deg": round(math.degrees(r), 3)}
            for a, d, r in cfg.turns]


def bouts_json(bouts: list[dict]) -> list[dict]:
    return [{"start": round(b["start"], 4), "end": round(b["end"], 4), "kind": b["kind"],
             "n_initial_contacts": b["n_initial_contacts"]} for b in bouts]


@dataclass
class Truth:
    """The ground truth of a simulation (schema of ``shared/validation`` "Converted format").

    ``initial_contacts``: lists of ``{"t", "side", "impact_ms2"}`` (the amplitude of that
    step's heel-strike transient at the trunk; the foot's, shank's and thigh's scale with it);
    ``final_contacts``: lists of ``{"t", "side"}``; the ``*_times_s``
    dicts hold per-side lists (the side of a stride is the side of the IC that starts it; an L
    step ends with an L IC); ``summary`` has the means and symmetry indices
    SI = 100 (L - R) / (0.5 (L + R)) of the means.
    """

    head: dict[str, Any]
    walking_bouts: list[dict]
    standing: list[dict]
    turns: list[dict]
    initial_contacts: list[dict]
    final_contacts: list[dict]
    stance_times_s: dict[str, list[float]]
    swing_times_s: dict[str, list[float]]
    step_times_s: dict[str, list[float]]
    stride_times_s: dict[str, list[float]]
    summary: dict[str, Any]

    @property
    def params(self) -> dict[str, Any]:
        return self.head["params"]

    def ic_times(self, side: str | None = None) -> np.ndarray:
        return np.array([e["t"] for e in self.initial_contacts
                         if side is None or e["side"] == side])

    def fc_times(self, side: str | None = None) -> np.ndarray:
        return np.array([e["t"] for e in self.final_contacts
                         if side is None or e["side"] == side])

    def side_accuracy(self, t: np.ndarray, sides: np.ndarray, tol_s: float = 0.1) -> float:
        """Share of detected ICs (times ``t``, sides ``sides``) within ``tol_s`` of a true IC
        whose side they name right (NaN when none is that close)."""
        rt = self.ic_times()
        rs = np.array([e["side"] for e in self.initial_contacts])
        t = np.asarray(t, float)
        if not len(t) or not len(rt):
            return float("nan")
        j = np.abs(rt[None, :] - t[:, None]).argmin(axis=1)
        ok = np.abs(rt[j] - t) < tol_s
        return float(np.mean((np.asarray(sides) == rs[j])[ok])) if ok.any() else float("nan")

    def to_json(self) -> dict[str, Any]:
        return {**self.head, "walking_bouts": self.walking_bouts, "standing": self.standing,
                "turns": self.turns, "initial_contacts": self.initial_contacts,
                "final_contacts": self.final_contacts, "stance_times_s": self.stance_times_s,
                "swing_times_s": self.swing_times_s, "step_times_s": self.step_times_s,
                "stride_times_s": self.stride_times_s,
                "step_count": len(self.initial_contacts),
                "step_count_source": "number of simulated initial contacts",
                "summary": self.summary}

    def write(self, path: str | Path) -> Path:
        p = Path(path)
        p.write_text(json.dumps(self.to_json()) + "\n")
        return p


def write_truth_file(sink: TruthSink, cfg: Config, path: Path) -> None:
    """Assemble the truth JSON from the temporary list files (bounded memory)."""
    sink.close()
    head = truth_head(cfg)
    n_ic = sink.sums["ic"][0]
    parts = [(k, json.dumps(v)) for k, v in head.items()]
    parts += [("walking_bouts", json.dumps(bouts_json(sink.bouts))),
              ("standing", json.dumps(standing_bouts(sink.bouts, cfg.duration_s))),
              ("turns", json.dumps(turns_json(cfg)))]
    with open(path, "w") as out:
        out.write("{")
        for k, v in parts:
            out.write(f"{json.dumps(k)}: {v}, ")

        def copy(key: str) -> None:
            out.write("[")
            with open(sink.tmpdir / f"{key}.part") as fh:  # type: ignore[operator]
                shutil.copyfileobj(fh, out)
            out.write("]")

        out.write('"initial_contacts": ')
        copy("ic")
        out.write(', "final_contacts": ')
        copy("fc")
        for name in ("stance", "swing", "step", "stride"):
            out.write(f', "{name}_times_s": {{"L": ')
            copy(f"{name}_L")
            out.write(', "R": ')
            copy(f"{name}_R")
            out.write("}")
        out.write(f', "step_count": {n_ic}, "step_count_source": '
                  f'"number of simulated initial contacts", "summary": '
                  f"{json.dumps(sink.summary())}}}\n")
