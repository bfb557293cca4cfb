"""Validate the event detectors against the independent references in ../shared/validation.

For every walk with a reference and every placement configuration it has (lower back; both
feet; pocket phone) the detector runs on the IMU files exactly as a user would load them, and
the detections are compared with ``ref_*.json``:

* IC and FC precision / recall / F1: one-to-one matching within +-100 ms (closest pairs first),
  inside the evaluation region (reference walking bouts and the stretches between reference
  contacts less than 2.5 s apart, each widened by 0.3 s: turns and pauses between the bouts
  count too); a second row per data set ("bouts") scores only the reference contacts inside
  the reference walking bouts, against the detections inside them +-100 ms, as issue 4 words
  it;
* median and mean absolute timing error (ms) of matched contacts;
* left/right accuracy of matched contacts (where the reference has sides and the detector does);
* step count error (% of the reference count);
* per-side mean stance time error (ms), stance and step symmetry index error (points).

Dataset caveats respected: mobgap Test5 stance asymmetry is also scored against the optical
(Stereophoto) reference, which its README says to prefer, and a second mobgap row scores the
contacts of the same walks against it (INDIP's right ICs of MS001 are 0.1-0.23 s late); the
report-level stance SI (over the report's regular steps: :func:`gait.metrics.mark_irregular`)
is compared with the reference's own contacts put through the same step rules, inside the
reference's walking bouts (:func:`ref_regular_stance_si`), so that stops and starts, which the
report leaves out and the published means keep (voisard S05_T1: a 1.19 s stopping stance moves
its SI by 4 points), do not count as detection error; the published SI (mobgap Test11: its
``regular_strides``) is printed beside it; truong2019 has no IC/FC (only step counts); oxford
pocket phones have an unknown pocket side (side accuracy is not scored) and
+-45 ms reference timing.

Run: ``python benchmarks/validate.py [--dataset NAME] [--config lower_back|feet|pocket]
[--per-walk [--events]] [--json PATH]`` (``--events``: each walk's missed and false contacts).
Needs ../shared/validation (or GAIT_SHARED).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

import gait
from gait.analysis import analyse
from gait.events import detect_events
from gait.metrics import mark_irregular, per_side_means, step_table, symmetry_index

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GAIT_SHARED", ROOT.parent / "shared")).resolve()
VALIDATION = SHARED / "validation"
TOL = 0.100

LOCATION = {"lowerback": "lower_back", "left_foot": "left_foot", "right_foot": "right_foot",
            "left_shank": "left_shank", "right_shank": "right_shank",
            "frontpocket": "pocket", "backpocket": "pocket"}
CONFIGS = {"lower_back": ("lower_back",), "feet": ("left_foot", "right_foot"),
           "shanks": ("left_shank", "right_shank"), "pocket": ("pocket",)}


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[float] = field(default_factory=list)
    side_ok: int = 0
    side_n: int = 0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.errors += other.errors
        self.side_ok += other.side_ok
        self.side_n += other.side_n

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0

    def row(self) -> dict[str, float]:
        e = np.abs(self.errors) * 1000 if self.errors else np.array([np.nan])
        return {"P": self.precision, "R": self.recall, "F1": self.f1,
                "med_ms": float(np.median(e)), "mean_ms": float(np.mean(e)),
                "LR_acc": self.side_ok / self.side_n if self.side_n else float("nan"),
                "n_ref": self.tp + self.fn}


def match(ref_t: np.ndarray, det_t: np.ndarray, tol: float = TOL) -> list[tuple[int, int]]:
    """One-to-one matching, closest pairs first, within tol."""
    if len(ref_t) == 0 or len(det_t) == 0:
        return []
    d = np.abs(ref_t[:, None] - det_t[None, :])
    i, j = np.nonzero(d <= tol)
    order = np.argsort(d[i, j], kind="stable")
    used_r: set[int] = set()
    used_d: set[int] = set()
    pairs = []
    for k in order:
        a, b = int(i[k]), int(j[k])
        if a not in used_r and b not in used_d:
            used_r.add(a)
            used_d.add(b)
            pairs.append((a, b))
    return pairs


def region(ref: dict) -> list[tuple[float, float]]:
    iv = [(b["start"], b["end"]) for b in ref.get("walking_bouts", [])]
    ts = sorted(e["t"] for e in ref.get("initial_contacts", []) + ref.get("final_contacts", []))
    iv += [(a, b) for a, b in itertools.pairwise(ts) if b - a < 2.5]
    iv = sorted((a - 0.3, b + 0.3) for a, b in iv)
    merged: list[list[float]] = []
    for a, b in iv:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def inside(t: np.ndarray, reg: list[tuple[float, float]]) -> np.ndarray:
    m = np.zeros(len(t), dtype=bool)
    for a, b in reg:
        m |= (t >= a) & (t <= b)
    return m


def score_events(ref_ev: list[dict], det: pd.DataFrame, reg: list[tuple[float, float]],
                 score_sides: bool, det_reg: list[tuple[float, float]] | None = None) -> Score:
    """One-to-one matching of the reference contacts inside ``reg`` with the detections inside
    ``det_reg`` (default ``reg``)."""
    rt = np.array([e["t"] for e in ref_ev], dtype=float)
    rs = np.array([e.get("side") for e in ref_ev], dtype=object)
    keep = inside(rt, reg)
    rt, rs = rt[keep], rs[keep]
    dt = det["t"].to_numpy(float)
    ds = det["side"].to_numpy(dtype=object)
    dk = inside(dt, reg if det_reg is None else det_reg)
    dt, ds = dt[dk], ds[dk]
    pairs = match(rt, dt)
    s = Score(tp=len(pairs), fp=len(dt) - len(pairs), fn=len(rt) - len(pairs))
    s.errors = [float(dt[b] - rt[a]) for a, b in pairs]
    if score_sides:
        for a, b in pairs:
            if rs[a] in ("L", "R") and ds[b] in ("L", "R"):
                s.side_n += 1
                s.side_ok += int(rs[a] == ds[b])
    return s


def unmatched(ref: dict, det: pd.DataFrame, reg: list[tuple[float, float]]) -> list[str]:
    """Per-walk diagnostics: reference contacts without a detection (MISSED), detections
    without a reference contact (FALSE) within +-TOL (matched as scored, whatever the side) and
    matched contacts given the other side (SIDE), in time order per kind, with their time
    relative to the reference bouts (s after a start, or after the end of the last bout
    before)."""
    bouts = sorted((b["start"], b["end"]) for b in ref.get("walking_bouts", []))

    def where(t: float) -> str:
        for i, (a, b) in enumerate(bouts):
            if a <= t <= b:
                return f"bout {i} +{t - a:.2f} s"
        before = [i for i, (_, b) in enumerate(bouts) if b < t]
        return f"after bout {before[-1]} +{t - bouts[before[-1]][1]:.2f} s" if before else \
            "before the bouts"

    out = []
    for kind, key in (("IC", "initial_contacts"), ("FC", "final_contacts")):
        # matched as scored (whatever the side), then the sides of the matched pairs compared
        ref_ev = [e for e in ref.get(key) or [] if inside(np.array([e["t"]]), reg)[0]]
        rt = np.array([e["t"] for e in ref_ev], float)
        rs = [e.get("side") for e in ref_ev]
        d = det[det.kind == kind]
        d = d[inside(d["t"].to_numpy(float), reg)]
        dt, dc = d["t"].to_numpy(float), d["confidence"].to_numpy(float)
        dsd = [x if x in ("L", "R") else None for x in d["side"].tolist()]
        pairs = match(rt, dt)
        lines = [(rt[a], f"MISSED {kind} {rs[a]} {rt[a]:7.2f} ({where(rt[a])})")
                 for a in sorted(set(range(len(rt))) - {p[0] for p in pairs})]
        lines += [(dt[b], f"FALSE  {kind} {dsd[b]} {dt[b]:7.2f} ({where(dt[b])}) conf "
                   f"{dc[b]:.2f}") for b in sorted(set(range(len(dt))) - {p[1] for p in pairs})]
        lines += [(rt[a], f"SIDE   {kind} {rs[a]} {rt[a]:7.2f} ({where(rt[a])}) detected as "
                   f"{dsd[b]} {1000 * (dt[b] - rt[a]):+.0f} ms conf {dc[b]:.2f}")
                  for a, b in pairs if rs[a] in ("L", "R") and dsd[b] in ("L", "R")
                  and rs[a] != dsd[b]]
        out += [line for _, line in sorted(lines)]
    return out


def walks() -> list[tuple[str, Path, dict]]:
    out = []
    for ref_path in sorted(VALIDATION.glob("*/converted/ref_*.json")):
        ref = json.loads(ref_path.read_text())
        if not ref.get("reference_available", True):
            continue
        out.append((ref["dataset"], ref_path, ref))
    return out


def ref_regular_stance_si(ref: dict) -> float:
    """Stance SI of a reference's own contacts through the report's step rules
    (:func:`gait.metrics.step_table`, :func:`gait.metrics.mark_irregular`) over the stances
    that lie wholly inside its walking bouts; NaN without final contacts or bouts."""
    if not ref.get("final_contacts") or not ref.get("walking_bouts"):
        return float("nan")
    ev = pd.DataFrame([{"t": e["t"], "side": e.get("side"), "kind": kind}
                       for kind, key in (("IC", "initial_contacts"), ("FC", "final_contacts"))
                       for e in ref.get(key) or []])
    bouts = pd.DataFrame([{"start": b["start"], "end": b["end"]} for b in ref["walking_bouts"]])
    steps = mark_irregular(step_table(ev, bouts))
    ic, fc = steps["ic"].to_numpy(float), steps["fc"].to_numpy(float)
    whole = np.zeros(len(steps), dtype=bool)
    for a, b in zip(bouts["start"], bouts["end"], strict=True):
        whole |= (ic >= a) & (fc <= b)
    m = per_side_means(steps[whole], "stance_s")
    return symmetry_index(m["L"], m["R"])


def _strict(x: object) -> object:
    """``x`` with every non-finite float as None (JSON has no NaN)."""
    if isinstance(x, dict):
        return {k: _strict(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_strict(v) for v in x]
    if isinstance(x, float) and not np.isfinite(x):
        return None
    return x


def proxy_r(rs: list[dict]) -> float:
    """Pearson r of the report's stance SI with a reference's stance proxy SI over the walks
    that have both (truong2019's flat-foot SI); NaN with fewer than 5."""
    pairs = np.array([(r["report"]["stance_si"], r["proxy_stance_si"]) for r in rs
                      if r.get("proxy_stance_si") is not None
                      and r["report"]["stance_si"] is not None
                      and np.isfinite(r["report"]["stance_si"])], float)
    return float(np.corrcoef(pairs.T)[0, 1]) if len(pairs) >= 5 else float("nan")


def temporal(ref: dict) -> dict[str, float]:
    st = ref.get("stance_times_s") or {}
    sp = ref.get("step_times_s") or {}

    def m(d: dict, s: str) -> float:
        v = d.get(s) or []
        return float(np.mean(v)) if len(v) else float("nan")

    out = {"stance_L": m(st, "L"), "stance_R": m(st, "R"), "step_L": m(sp, "L"),
           "step_R": m(sp, "R")}
    out["stance_si"] = symmetry_index(out["stance_L"], out["stance_R"])
    out["step_si"] = symmetry_index(out["step_L"], out["step_R"])
    return out


def evaluate_walk(dataset: str, ref_path: Path, ref: dict, config: str) -> dict | None:
    files = {LOCATION[k]: ref_path.parent / v for k, v in ref["imu_files"].items()
             if k in LOCATION}
    need = CONFIGS[config]
    if not all(p in files for p in need):
        return None
    t0 = time.perf_counter()
    rec = gait.load({p: files[p] for p in need})
    det = detect_events(rec)
    elapsed = time.perf_counter() - t0
    reg = region(ref)
    score_sides = config != "pocket"
    ev = det.events
    res: dict = {"dataset": dataset, "walk": ref["walk"], "config": config, "seconds": elapsed,
                 "ref_path": ref_path}
    res["IC"] = score_events(ref.get("initial_contacts", []), ev[ev.kind == "IC"], reg,
                             score_sides)
    # walks whose reference has no final contacts (gaitmap healthy_4x10m) do not score FC
    res["FC"] = score_events(ref["final_contacts"], ev[ev.kind == "FC"], reg, score_sides) \
        if ref.get("final_contacts") else Score()
    res["unmatched"] = unmatched(ref, ev, reg)
    wbs = sorted((b["start"], b["end"]) for b in ref.get("walking_bouts", []))
    if wbs:
        # the wording: reference contacts inside the reference walking bouts,
        # detections inside them give or take the tolerance (no turns between the bouts)
        wide = [(a - TOL, b + TOL) for a, b in wbs]
        res["IC_wb"] = score_events(ref.get("initial_contacts", []), ev[ev.kind == "IC"], wbs,
                                    score_sides, wide)
        res["FC_wb"] = score_events(ref["final_contacts"], ev[ev.kind == "FC"], wbs,
                                    score_sides, wide) if ref.get("final_contacts") else Score()
    n_ic = int(inside(ev.loc[ev.kind == "IC", "t"].to_numpy(float), reg).sum())
    if dataset == "truong2019_ipol_gaitdata":
        acts = ref["extra"].get("foot_activity", [])
        lo = min(a["start"] for a in acts) - 1.0
        hi = max(a["end"] for a in acts) + 1.0
        t_ic = ev.loc[ev.kind == "IC", "t"].to_numpy(float)
        n_ic = int(((t_ic >= lo) & (t_ic <= hi)).sum())
    ref_steps = ref.get("step_count")
    res["step_count"] = (n_ic, ref_steps)
    steps = step_table(ev[inside(ev["t"].to_numpy(float), reg)], det.bouts)
    st_steps = steps
    if dataset == "voisard2023_ipol_healthy" and wbs:
        # its README: the reference stance times keep only stances fully inside the two
        # straight 10 m segments (its walking bouts); the U-turn's are left out, so ours too
        ic_t, fc_t = steps["ic"].to_numpy(float), steps["fc"].to_numpy(float)
        whole = np.zeros(len(steps), dtype=bool)
        for a, b in wbs:
            whole |= (ic_t >= a) & (fc_t <= b)
        st_steps = steps[whole]
    st = per_side_means(st_steps, "stance_s")
    sp_steps = steps
    if wbs:
        # reference step times are consecutive ICs within one reference bout
        # (validation/README.md): ours likewise, not the steps of the turns between them
        ic_t = steps["ic"].to_numpy(float)
        prev = ic_t - steps["step_s"].to_numpy(float)
        within = np.zeros(len(steps), dtype=bool)
        for a, b in wbs:
            within |= (ic_t >= a - TOL) & (ic_t <= b + TOL) & (prev >= a - TOL) & (prev <= b + TOL)
        sp_steps = steps[within]
    sp = per_side_means(sp_steps, "step_s")
    mine = {"stance_L": st["L"], "stance_R": st["R"], "step_L": sp["L"], "step_R": sp["R"],
            "stance_si": symmetry_index(st["L"], st["R"]),
            "step_si": symmetry_index(sp["L"], sp["R"])}
    res["temporal"] = (mine, temporal(ref))
    alt = (ref.get("extra", {}).get("alternative_references") or {}).get("Stereophoto")
    if dataset == "mobgap_lab_example" and alt and "Test5" in ref["walk"]:
        res["temporal_mocap"] = (mine, temporal(alt))
    # the report's SI is over its regular steps (gait.metrics.mark_irregular: stride and stance
    # 0.7-1.3 x the side's median in the bout, no stance longer than its stride); the
    # reference's published SI keeps stops and starts (voisard S05_T1: a 1.19 s stopping stance
    # moves it by 4 points). The report is compared with the reference's own events through
    # the same step rules; the published SI is kept for information
    res["report_ref_stance_si"] = ref_regular_stance_si(
        alt if "temporal_mocap" in res else ref)
    regular = ref.get("extra", {}).get("regular_strides") or {}
    published = regular.get("stance_symmetry_index_pct")  # mobgap: its regular strides
    res["report_ref_stance_si_published"] = float(published) if (
        published is not None and "temporal_mocap" not in res) else res[
        "temporal_mocap" if "temporal_mocap" in res else "temporal"][1]["stance_si"]
    if dataset == "mobgap_lab_example" and alt and alt.get("initial_contacts"):
        # the optical reference, scored the same way: its README calls it the more accurate
        # system and finds INDIP's right ICs of MS001 0.1-0.23 s late
        reg_m = region(alt)
        res["IC_mocap"] = score_events(alt["initial_contacts"], ev[ev.kind == "IC"], reg_m,
                                       score_sides)
        res["FC_mocap"] = score_events(alt.get("final_contacts", []), ev[ev.kind == "FC"],
                                       reg_m, score_sides)
    # what the user is told: the full report (all bouts, bootstrap CI, verdict)
    doc = analyse(rec, n_boot=500).doc
    st = doc["symmetry"].get("stance_s", {})
    # truong2019 has no contacts, only the annotated foot-movement intervals: the flat-foot time
    # between them (mid-stance) is a proxy of stance, its SI one of the stance SI
    res["proxy_stance_si"] = (ref.get("extra") or {}).get("flat_foot_symmetry_index_pct")
    res["report"] = {"group": (ref.get("subject") or {}).get("PathologyGroup"),
                     "stance_si": st.get("si_pct", float("nan")), "ci95": st.get("ci95"),
                     "verdict": doc["verdict"]["level"], "towards": doc["verdict"]["towards"]}
    return res


def fmt(x: float, nd: int = 3) -> str:
    return "   -" if x is None or not np.isfinite(x) else f"{x:.{nd}f}"


def summarise(results: list[dict]) -> list[dict]:
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in results:
        groups.setdefault((r["dataset"], r["config"]), []).append(r)
    rows = []
    for (ds, cfg), rs in sorted(groups.items()):
        ic, fc, ic_m, fc_m, ic_wb, fc_wb = Score(), Score(), Score(), Score(), Score(), Score()
        for r in rs:
            ic.add(r["IC"])
            fc.add(r["FC"])
            if "IC_wb" in r:
                ic_wb.add(r["IC_wb"])
                fc_wb.add(r["FC_wb"])
            if "IC_mocap" in r:
                ic_m.add(r["IC_mocap"])
                fc_m.add(r["FC_mocap"])
        step_err = [100 * (d - ref) / ref for d, ref in (r["step_count"] for r in rs)
                    if ref]
        ste, sie, spe = [], [], []
        for r in rs:
            key = "temporal_mocap" if "temporal_mocap" in r else "temporal"
            mine, ref = r[key]
            for s in ("L", "R"):
                if np.isfinite(mine[f"stance_{s}"]) and np.isfinite(ref[f"stance_{s}"]):
                    ste.append(abs(mine[f"stance_{s}"] - ref[f"stance_{s}"]) * 1000)
            if np.isfinite(mine["stance_si"]) and np.isfinite(ref["stance_si"]):
                sie.append(abs(mine["stance_si"] - ref["stance_si"]))
            if np.isfinite(mine["step_si"]) and np.isfinite(ref["step_si"]):
                spe.append(abs(mine["step_si"] - ref["step_si"]))
        tol = 2.0 if cfg == "feet" else 3.0
        rep_err, pub_err, verdicts, by_group = [], [], {}, {}
        for r in rs:
            rep_si = r["report"]["stance_si"]
            for errs, ref_si in ((rep_err, r["report_ref_stance_si"]),
                                 (pub_err, r["report_ref_stance_si_published"])):
                if np.isfinite(ref_si) and rep_si is not None and np.isfinite(rep_si):
                    errs.append(abs(rep_si - ref_si))
            verdicts[r["report"]["verdict"]] = verdicts.get(r["report"]["verdict"], 0) + 1
            group = r["report"]["group"]
            if group:
                by_group.setdefault(group, {})
                by_group[group][r["report"]["verdict"]] = \
                    by_group[group].get(r["report"]["verdict"], 0) + 1
        rows.append({
            "dataset": ds, "config": cfg, "walks": len(rs),
            "report_stance_si_err_pts_median": float(np.median(rep_err)) if rep_err
            else float("nan"),
            "report_stance_si_err_pts_max": float(np.max(rep_err)) if rep_err else float("nan"),
            "report_walks_within_tol": int(sum(e <= tol for e in rep_err)),
            "report_walks_within_tol_published": int(sum(e <= tol for e in pub_err)),
            "report_walks_scored": len(rep_err),
            "verdicts": verdicts,
            "verdicts_by_group": by_group,
            "report_stance_si_r_proxy": proxy_r(rs),
            "IC": ic.row(), "FC": fc.row(),
            "IC_walking_bouts_only": ic_wb.row() if ic_wb.tp + ic_wb.fn else None,
            "FC_walking_bouts_only": fc_wb.row() if fc_wb.tp + fc_wb.fn else None,
            "IC_mocap": ic_m.row() if ic_m.tp + ic_m.fn else None,
            "FC_mocap": fc_m.row() if fc_m.tp + fc_m.fn else None,
            "step_count_err_pct_median": float(np.median(np.abs(step_err))) if step_err
            else float("nan"),
            "stance_err_ms_mean": float(np.mean(ste)) if ste else float("nan"),
            "stance_si_err_pts_mean": float(np.mean(sie)) if sie else float("nan"),
            "stance_si_err_pts_max": float(np.max(sie)) if sie else float("nan"),
            "step_si_err_pts_mean": float(np.mean(spe)) if spe else float("nan"),
            "seconds": float(sum(r["seconds"] for r in rs)),
        })
    return rows


def side_swaps(results: list[dict]) -> dict[tuple[str, str], dict]:
    """Per (dataset, config) with walks whose reference sides look swapped
    (:func:`ref_sides.side_scores` < 0): those walks and the L/R accuracy without them."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from ref_sides import side_scores

    out: dict[tuple[str, str], dict] = {}
    flagged: dict[str, set[str]] = {}
    for r in results:
        ds = r["dataset"]
        if ds not in flagged:
            folder = r["ref_path"].parent
            flagged[ds] = {w for w, sc in side_scores(folder).items() if sc < 0}
        if not flagged[ds] or r["IC"].side_n == 0 or r["config"] == "feet":  # feet: by file
            continue
        d = out.setdefault((ds, r["config"]), {"suspected_side_swaps": sorted(flagged[ds]),
                                               "_ok": 0, "_n": 0})
        if r["walk"] not in flagged[ds]:
            d["_ok"] += r["IC"].side_ok
            d["_n"] += r["IC"].side_n
    for d in out.values():
        ok, n = d.pop("_ok"), d.pop("_n")
        d["LR_acc_without_swaps"] = ok / n if n else float("nan")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", help="only datasets whose name contains this")
    ap.add_argument("--config", choices=sorted(CONFIGS), action="append")
    ap.add_argument("--per-walk", action="store_true")
    ap.add_argument("--events", action="store_true",
                    help="with --per-walk: list missed and false contacts of each walk")
    ap.add_argument("--json", type=Path, help="write the summary as JSON")
    a = ap.parse_args()
    if not VALIDATION.is_dir():
        print(f"validation data not found at {VALIDATION}", file=sys.stderr)
        return 2
    configs = a.config or sorted(CONFIGS)
    results = []
    for ds, ref_path, ref in walks():
        if a.dataset and a.dataset not in ds:
            continue
        for cfg in configs:
            try:
                r = evaluate_walk(ds, ref_path, ref, cfg)
            except (ValueError, ModuleNotFoundError, gait.GaitInputError) as exc:
                print(f"{ds} {ref['walk']} {cfg}: skipped ({exc})", file=sys.stderr)
                continue
            if r is None:
                continue
            results.append(r)
            if a.per_walk:
                ic, fc = r["IC"].row(), r["FC"].row()
                mine, refv = r.get("temporal_mocap", r["temporal"])
                print(f"{ds[:12]:12s} {r['walk'][:34]:34s} {cfg:10s} IC F1 {fmt(ic['F1'])} "
                      f"med {fmt(ic['med_ms'], 0)} ms LR {fmt(ic['LR_acc'])}  FC F1 "
                      f"{fmt(fc['F1'])}  steps {r['step_count'][0]}/{r['step_count'][1]}  "
                      f"stSI {fmt(mine['stance_si'], 1)}/{fmt(refv['stance_si'], 1)} report "
                      f"{fmt(r['report']['stance_si'], 1)}/"
                      f"{fmt(r['report_ref_stance_si'], 1)} "
                      f"(published {fmt(r['report_ref_stance_si_published'], 1)}) "
                      f"{r['report']['verdict']}")
                if r.get("IC_mocap"):
                    icm, fcm = r["IC_mocap"].row(), r["FC_mocap"].row()
                    print(f"{'':12s} {'(optical reference)':34s} {'':10s} IC F1 {fmt(icm['F1'])} "
                          f"med {fmt(icm['med_ms'], 0)} ms LR {fmt(icm['LR_acc'])}  FC F1 "
                          f"{fmt(fcm['F1'])}")
                if a.events:
                    for line in r["unmatched"]:
                        print(f"    {line}")
    rows = summarise(results)
    swaps = side_swaps(results)
    for row in rows:
        row.update(swaps.get((row["dataset"], row["config"]), {}))
    print()
    print(f"{'dataset':26s} {'config':10s} {'walks':>5s} | {'IC P':>5s} {'IC R':>5s} "
          f"{'IC F1':>5s} {'med':>4s} {'mean':>4s} {'L/R':>5s} | {'FC F1':>5s} {'med':>4s} | "
          f"{'steps%':>6s} {'stance':>6s} {'stSI':>5s} {'stSImax':>7s} {'spSI':>5s} | {'s':>5s}")
    for r in rows:
        ic, fc = r["IC"], r["FC"]
        print(f"{r['dataset'][:26]:26s} {r['config']:10s} {r['walks']:5d} | {fmt(ic['P'], 2):>5s} "
              f"{fmt(ic['R'], 2):>5s} {fmt(ic['F1'], 2):>5s} {fmt(ic['med_ms'], 0):>4s} "
              f"{fmt(ic['mean_ms'], 0):>4s} {fmt(ic['LR_acc'], 2):>5s} | {fmt(fc['F1'], 2):>5s} "
              f"{fmt(fc['med_ms'], 0):>4s} | {fmt(r['step_count_err_pct_median'], 1):>6s} "
              f"{fmt(r['stance_err_ms_mean'], 0):>6s} {fmt(r['stance_si_err_pts_mean'], 1):>5s} "
              f"{fmt(r['stance_si_err_pts_max'], 1):>7s} {fmt(r['step_si_err_pts_mean'], 1):>5s} | "
              f"{r['seconds']:5.1f}")
    for r in rows:
        if r.get("IC_mocap"):
            ic, fc = r["IC_mocap"], r["FC_mocap"]
            print(f"{r['dataset'][:26]:26s} {r['config']:10s} {'mocap':>5s} | "
                  f"{fmt(ic['P'], 2):>5s} {fmt(ic['R'], 2):>5s} {fmt(ic['F1'], 2):>5s} "
                  f"{fmt(ic['med_ms'], 0):>4s} {fmt(ic['mean_ms'], 0):>4s} "
                  f"{fmt(ic['LR_acc'], 2):>5s} | {fmt(fc['F1'], 2):>5s} {fmt(fc['med_ms'], 0):>4s} "
                  "| same walks against the optical (Stereophoto) reference")
    for r in rows:
        wb, fwb = r.get("IC_walking_bouts_only"), r.get("FC_walking_bouts_only")
        if wb and r["config"] != "pocket":
            print(f"{r['dataset'][:26]:26s} {r['config']:10s} {'bouts':>5s} | "
                  f"{fmt(wb['P'], 2):>5s} {fmt(wb['R'], 2):>5s} {fmt(wb['F1'], 2):>5s} "
                  f"{fmt(wb['med_ms'], 0):>4s} {fmt(wb['mean_ms'], 0):>4s} "
                  f"{fmt(wb['LR_acc'], 2):>5s} | "
                  f"{fmt(fwb['F1'] if fwb else None, 2):>5s} "
                  f"{fmt(fwb['med_ms'] if fwb else None, 0):>4s} | inside the reference "
                  "walking bouts only (the issue's wording; detections +-100 ms)")
    for r in rows:
        if r.get("suspected_side_swaps"):
            print(f"{r['dataset'][:26]:26s} {r['config']:10s} L/R "
                  f"{fmt(r['LR_acc_without_swaps'], 3)} without "
                  f"{', '.join(r['suspected_side_swaps'])}, whose reference sides look "
                  "swapped (feet's own roll/yaw pattern, benchmarks/ref_sides.py)")
    print("\nReport level (gait report on the whole walk): stance SI error vs reference, "
          "walks within tolerance (feet 2, lower back 3 points), verdicts")
    for r in rows:
        print(f"{r['dataset'][:26]:26s} {r['config']:10s} median "
              f"{fmt(r['report_stance_si_err_pts_median'], 1)} max "
              f"{fmt(r['report_stance_si_err_pts_max'], 1)} points; within: "
              f"{r['report_walks_within_tol']}/{r['report_walks_scored']} (vs the published "
              f"SI {r['report_walks_within_tol_published']}); verdicts "
              + ", ".join(f"{k} {v}" for k, v in sorted(r["verdicts"].items())))
        if np.isfinite(r["report_stance_si_r_proxy"]):
            print(f"{'':37s} stance SI vs the annotated flat-foot SI (a stance proxy): "
                  f"r = {r['report_stance_si_r_proxy']:.2f}")
        if len(r["verdicts_by_group"]) > 1:
            # a data set with patients and controls: who is flagged (specificity, sensitivity)
            print(f"{'':37s} by group: " + "; ".join(
                f"{g} " + ", ".join(f"{k} {v}" for k, v in sorted(c.items()))
                for g, c in sorted(r["verdicts_by_group"].items())))
    print("\nIC/FC: +-100 ms one-to-one; med/mean: |timing error| ms; L/R: side accuracy of "
          "matched ICs;\nsteps%: median |step count error|; stance: mean |per-side mean stance "
          "error| ms;\nstSI/spSI: mean |stance/step SI error| points (mobgap Test5 vs mocap).")
    if a.json:
        a.json.write_text(json.dumps(_strict(rows), indent=2, allow_nan=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
