"""Asked-for asymmetry recovered on the simulator (issues 4 and 5), per placement, gait and rate.

For every placement (both feet, lower back, a phone in the left trouser pocket), gait (walk,
run) and sample rate (50, 100, 200 Hz) the simulator (:func:`gait.simulate.simulate`, random
sensor orientation, 90 s, seeds ``0..N-1``) is asked for one asymmetry at a time (stance 8 %,
step 3 %, impact 10 % symmetry index; lower back also pelvic drop 3 deg left minus right) and
for the first three together; the full analysis
(:func:`gait.analysis.single.analyse`, the numbers ``gait report`` prints) is compared with the
simulator's truth. Printed per cell: the largest and the mean error of the reported symmetry
index (points; truth = the simulated steps' own SI) and how often the 95 % CI covers the truth,
or "not reported" where the report withholds the parameter and says why (impact from sensors
too slow to resolve the heel-strike transient: :func:`gait.metrics.impact_resolved`).

Issue 4 asks for every asked-for asymmetry to be recovered within 1 point; issue 5 for stance,
step and impact within 1 point with a CI that covers the truth in >= 90 % of seeds. Impact is
the report's trunk or foot heel-strike peak (``impact_ms2``); the truth is the amplitude of
the simulated heel-strike transient alone, so other parts of the signal that change with
stance timing (the simulator stretches the load transfer of the longer double support) show
up as impact error in the combined rows.

A second table scores the detectors on impaired walks (``gait simulate --pattern hemiparetic
|shuffling``, mild to severe, exact truth; :data:`IMPAIRED`) for the lower back, feet, shanks
and a left trouser pocket: IC F1 (+-100 ms), side accuracy, the median IC timing bias per side
(a bias that differs between the sides invents a step asymmetry) and the report's stance and
step SI error.

Run: ``python benchmarks/validate_sim.py [--seeds N] [--placement feet|lower_back|pocket|shanks]
[--gait walk|run] [--fs HZ] [--no-impaired] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from validate import match  # one-to-one matching, closest pairs first

from gait.analysis.single import analyse
from gait.simulate import simulate

PLACEMENTS = {"feet": ("left_foot", "right_foot"), "lower_back": ("lower_back",),
              "pocket": ("left_pocket",)}
#: report parameter -> (simulate keyword, asked SI, truth summary key)
ASK = {"stance_s": ("stance_asym_pct", 8.0, "stance_symmetry_index_pct"),
       "step_s": ("step_asym_pct", 3.0, "step_symmetry_index_pct"),
       "impact_ms2": ("impact_asym_pct", 10.0, "impact_symmetry_index_pct"),
       "pelvic_drop_deg": ("pelvic_drop_asym_deg", 3.0, "pelvic_drop_deg")}
TOL = 1.0
#: parameters the issues set the 1-point target for (pelvic drop is measured, not targeted)
TARGETED = ("stance_s", "step_s", "impact_ms2")
#: what each placement is asked for (a trouser-pocket phone times steps, not stance: the other
#: leg's contacts reach it only through the pelvis, so it gives no per-side stance or impact; its
#: per-side step times are withheld by the report, counted here as "not reported")
MEASURES = {"feet": TARGETED, "lower_back": tuple(ASK), "pocket": ("step_s",)}


def truth_si(truth_summary: dict, key: str) -> float | None:
    """The simulated steps' own SI of one parameter (pelvic drop: of its per-side means)."""
    v = truth_summary.get(key)
    if isinstance(v, dict):  # per-side means (pelvic drop, deg)
        lo, hi = v.get("L"), v.get("R")
        return None if lo is None or hi is None else 200.0 * (lo - hi) / (lo + hi)
    return v


def cell(placement: str, gait: str, fs: float, case: str, seeds: int) -> dict[str, dict]:
    """Errors of the reported SIs for one grid cell; ``case`` is a parameter or "all"."""
    wanted = [p for p in ASK if case == p or (case == "all" and p in TARGETED)]
    asked = {ASK[p][0]: ASK[p][1] for p in wanted}  # pocket "all" too
    errs: dict[str, list[float]] = {}
    cover: dict[str, list[bool]] = {}
    withheld: dict[str, int] = {}
    for seed in range(seeds):
        rec, truth = simulate(duration_s=90, placements=PLACEMENTS[placement], gait=gait,
                              fs=fs, seed=seed, orientation="random", **asked)
        sym = analyse(rec, n_boot=500, seed=seed).doc["symmetry"]
        for p, (_, _, key) in ASK.items():
            want = truth_si(truth.summary, key)
            if p not in wanted or p not in MEASURES[placement] or want is None:
                continue
            if p not in sym:  # the report says why (e.g. impact below its sample rate)
                withheld[p] = withheld.get(p, 0) + 1
                continue
            errs.setdefault(p, []).append(sym[p]["si_pct"] - want)
            lo, hi = sym[p]["ci95"]
            cover.setdefault(p, []).append(bool(lo <= want <= hi))
    out: dict[str, dict] = {p: {"withheld": k} for p, k in withheld.items() if p not in errs}
    out.update({p: {"max_abs_err": float(np.max(np.abs(e))), "mean_err": float(np.mean(e)),
                    "coverage": float(np.mean(cover[p])), "n": len(e),
                    "withheld": withheld.get(p, 0)} for p, e in errs.items()})
    return out


#: impaired walks (pattern, severity, affected side) and the placements scored on them
IMPAIRED = (("hemiparetic", "mild", "L"), ("hemiparetic", "moderate", "L"),
            ("hemiparetic", "severe", "R"), ("shuffling", "moderate", "L"),
            ("shuffling", "severe", "L"))
IMPAIRED_PLACEMENTS = {"lower_back": ("lower_back",), "feet": ("left_foot", "right_foot"),
                       "shanks": ("left_shank", "right_shank"), "pocket": ("left_pocket",)}
MATCH_S = 0.1


def impaired_cell(pattern: str, severity: str, affected: str, placement: str, seeds: int
                  ) -> dict[str, float]:
    """IC F1, side accuracy, per-side median IC bias (ms) and the report's stance / step SI
    error (points) against the simulator's truth, over ``seeds`` 90-s walks."""
    f1, side_ok, bias, err = [], [], {"L": [], "R": []}, {"stance": [], "step": []}
    for seed in range(seeds):
        rec, truth = simulate(90.0, placements=IMPAIRED_PLACEMENTS[placement], pattern=pattern,
                              severity=severity, affected_side=affected, seed=seed)
        res = analyse(rec, n_boot=50)
        doc, ev = res.doc, res.detection.events
        ic = ev[ev["kind"] == "IC"]
        dt, ds = ic["t"].to_numpy(float), ic["side"].to_numpy(object)
        rt = np.array([e["t"] for e in truth.initial_contacts], float)
        rs = np.array([e["side"] for e in truth.initial_contacts], object)
        pairs = match(rt, dt, MATCH_S)
        f1.append(2 * len(pairs) / (len(rt) + len(dt)) if len(rt) + len(dt) else 0.0)
        side_ok += [rs[a] == ds[b] for a, b in pairs]
        for a, b in pairs:
            bias[rs[a]].append(dt[b] - rt[a])
        for p in ("stance", "step"):
            got = (doc.get("symmetry") or {}).get(f"{p}_s", {}).get("si_pct")
            true = truth.summary[f"{p}_symmetry_index_pct"]
            err[p].append(float(got) - true if got is not None else float("nan"))

    def med(x: list[float]) -> float:
        return float(np.median(x)) * 1000 if x else float("nan")

    def mean(x: list[float]) -> float:
        x = [v for v in x if np.isfinite(v)]
        return float(np.mean(x)) if x else float("nan")

    return {"ic_f1": float(np.mean(f1)), "lr": float(np.mean(side_ok)) if side_ok else
            float("nan"), "bias_L_ms": med(bias["L"]), "bias_R_ms": med(bias["R"]),
            "stance_si_err": mean(err["stance"]), "step_si_err": mean(err["step"])}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--placement", choices=sorted(set(PLACEMENTS) | set(IMPAIRED_PLACEMENTS)),
                    action="append", help="shanks: the impaired-walk table only")
    ap.add_argument("--gait", choices=("walk", "run"), action="append")
    ap.add_argument("--fs", type=float, action="append")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--no-impaired", action="store_true",
                    help="skip the impaired-walk table (hemiparetic, shuffling)")
    args = ap.parse_args(argv)
    rows = []
    print(f"{'placement':11} {'gait':4} {'fs':>4} {'asked':10} | parameter: max|err| mean err "
          "(points), CI coverage")
    t0 = time.perf_counter()
    for placement, gait, fs in itertools.product([p for p in args.placement or PLACEMENTS
                                                  if p in PLACEMENTS],
                                                 args.gait or ["walk", "run"],
                                                 args.fs or [50.0, 100.0, 200.0]):
        for case in (*MEASURES[placement], "all"):
            res = cell(placement, gait, fs, case, args.seeds)
            if not res:
                continue
            rows.append({"placement": placement, "gait": gait, "fs": fs, "asked": case,
                         "result": res})
            txt = "  ".join(f"{p.split('_')[0]}: not reported" if "n" not in r else
                            f"{p.split('_')[0]}: {r['max_abs_err']:4.1f} {r['mean_err']:+5.1f} "
                            f"{r['coverage']:.0%}" for p, r in res.items())
            print(f"{placement:11} {gait:4} {fs:4.0f} {case:10} | {txt}", flush=True)
    print(f"\n{time.perf_counter() - t0:.0f} s. Cells within {TOL:g} point (max over seeds) "
          "and covered in >= 90 % of seeds:")
    for p in ASK:
        for alone in (True, False):
            sel = [r["result"][p] for r in rows if p in r["result"]
                   and (r["asked"] == p) == alone]
            if sel:
                got = [r for r in sel if "n" in r]
                ok = sum(r["max_abs_err"] <= TOL for r in got)
                cov = sum(r["coverage"] >= 0.9 for r in got)
                gone = f", {len(sel) - len(got)} not reported" if len(got) < len(sel) else ""
                note = "" if p in TARGETED else " (no target: for information)"
                print(f"  {p:11} asked {'alone' if alone else 'with the others'}: "
                      f"{ok}/{len(sel)} within, {cov}/{len(sel)} covered{gone}{note}")
    imp = []
    if not args.no_impaired:
        print(f"\nImpaired walks (gait simulate --pattern), {args.seeds} seeds of 90 s: IC F1 "
              f"(+-{MATCH_S * 1000:.0f} ms), side accuracy, median IC bias per side (ms), mean "
              "error of the report's stance and step SI (points; not reported: -)")
        for (pat, sev, aff), placement in itertools.product(IMPAIRED, IMPAIRED_PLACEMENTS):
            if args.placement and placement not in args.placement:
                continue
            r = impaired_cell(pat, sev, aff, placement, args.seeds)
            imp.append({"pattern": pat, "severity": sev, "affected": aff,
                        "placement": placement, **r})
            print(f"  {pat:11} {sev:8} {aff} {placement:10} | IC F1 {r['ic_f1']:.2f} L/R "
                  f"{r['lr']:.2f} | bias L {r['bias_L_ms']:+4.0f} R {r['bias_R_ms']:+4.0f} | "
                  f"stance {r['stance_si_err']:+6.1f} step {r['step_si_err']:+6.1f}",
                  flush=True)
    if args.json:
        args.json.write_text(json.dumps({"cells": rows, "impaired": imp}, indent=1) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
