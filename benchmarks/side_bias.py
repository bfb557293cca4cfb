"""Per-side timing bias of the initial contacts, on every data set with a reference.

A detector whose IC lands later, relative to the true contact, on one leg than on the other
invents a step asymmetry: with a bias ``b_L`` on left ICs and ``b_R`` on right ones, every left
step (right IC -> left IC) lengthens by ``b_L - b_R`` and every right step shortens by as much,
so the step SI moves by about ``200 (b_L - b_R) / step time`` points. On a 0.55 s step a 10 ms
difference is 3.6 points - the tolerance the issue asks of healthy walks.

For every walk with reference ICs this prints, per placement (lower back, shanks, feet) and
per side, the median signed error of the detected ICs (matched one-to-one within +-250 ms, wide
so that a biased side is still matched; the +-100 ms scores are ``benchmarks/validate.py``'s),
the difference L - R and the step-SI bias it implies. For the lower back it also gives the same
for each trunk feature the IC is built from (:class:`gait.events.lower_back.LowerBackResult`
``features``): the impact peak, the forward-acceleration peak and the smoothed step maximum,
so that a feature's side-dependence can be told from the detector's. Summary per data set and
cohort: median and largest |L - R|.

A constant offset of a reference's clock shifts both sides alike and cancels in L - R.

mobgap_lab_example is scored twice: against its INDIP reference and, as
``mobgap_lab_example/mocap``, against the optical (Stereophoto) reference of the same walks,
which its README calls the more accurate system. INDIP's right ICs of MS001 are 0.1-0.23 s
late, so the ~120 ms |L - R| of the MS walks against INDIP is the reference's: against mocap
every trunk feature's MS |L - R| is 10-25 ms.

Usage: ``python benchmarks/side_bias.py [--dataset NAME] [--per-walk] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import validate as V

import gait
from gait.events import detect_events
from gait.events import lower_back as LB

TOL_S = 0.25
PLACEMENTS = ("lower_back", "shanks", "feet")
FEATURES = ("ic", "impact", "forward", "step_peak")


def side_errors(ref_ic: list[dict], det_t: np.ndarray, det_side: np.ndarray | None,
                reg: list[tuple[float, float]]) -> dict[str, np.ndarray]:
    """Signed errors (s) of the detections matched to the reference ICs inside ``reg``, per
    reference side. ``det_side`` (optional) restricts matches to detections of the same side."""
    rt = np.array([e["t"] for e in ref_ic], float)
    rs = np.array([e.get("side") for e in ref_ic], object)
    keep = V.inside(rt, reg)
    rt, rs = rt[keep], rs[keep]
    dk = V.inside(det_t, reg)
    dt = det_t[dk]
    out: dict[str, np.ndarray] = {}
    for s in ("L", "R"):
        if det_side is None:
            pairs = V.match(rt, dt, TOL_S)
            e = [dt[b] - rt[a] for a, b in pairs if rs[a] == s]
        else:
            ds = det_side[dk]
            pairs = V.match(rt[rs == s], dt[ds == s], TOL_S)
            e = [dt[ds == s][b] - rt[rs == s][a] for a, b in pairs]
        out[s] = np.asarray(e, float)
    return out


def bias_row(err: dict[str, np.ndarray], step_s: float) -> dict[str, float]:
    """Median signed error per side (ms), L - R (ms) and the implied step-SI bias (points)."""
    bl = float(np.median(err["L"])) * 1000 if len(err["L"]) else float("nan")
    br = float(np.median(err["R"])) * 1000 if len(err["R"]) else float("nan")
    d = bl - br
    return {"L_ms": bl, "R_ms": br, "diff_ms": d, "si_bias": 0.2 * d / step_s,
            "n": int(len(err["L"]) + len(err["R"]))}


def mean_step(ref: dict) -> float:
    t = np.sort([e["t"] for e in ref["initial_contacts"]])
    d = np.diff(t)
    d = d[(d > 0.2) & (d < 2.0)]
    return float(np.median(d)) if len(d) else float("nan")


def evaluate(dataset: str, ref_path: Path, ref: dict) -> list[dict]:
    files = {V.LOCATION[k]: ref_path.parent / v for k, v in ref["imu_files"].items()
             if k in V.LOCATION}
    reg = V.region(ref)
    step_s = mean_step(ref)
    rows = []
    for cfg in PLACEMENTS:
        need = V.CONFIGS[cfg]
        if not all(p in files for p in need):
            continue
        rec = gait.load({p: files[p] for p in need})
        base = {"dataset": dataset, "walk": ref["walk"], "cohort": V.cohort_of(dataset, ref),
                "config": cfg}
        if cfg == "lower_back":
            res = LB.analyse(rec.streams[0])
            f = res.features
            if f is None or f.empty:
                continue
            for feat in FEATURES:
                err = side_errors(ref["initial_contacts"], f[feat].to_numpy(float), None, reg)
                rows.append({**base, "feature": feat, **bias_row(err, step_s)})
        else:
            ev = detect_events(rec).events
            ic = ev[ev["kind"] == "IC"]
            err = side_errors(ref["initial_contacts"], ic["t"].to_numpy(float), None, reg)
            rows.append({**base, "feature": "ic", **bias_row(err, step_s)})
    return rows


def mocap_ref(ref: dict, alt: dict) -> dict:
    """``ref`` with its contacts and bouts replaced by the optical reference ``alt``."""
    out = dict(ref)
    for key in ("initial_contacts", "final_contacts", "walking_bouts"):
        out[key] = alt.get(key) or []
    return out


def summarise(df: pd.DataFrame) -> pd.DataFrame:
    g = df.assign(abs_diff=df["diff_ms"].abs(), abs_si=df["si_bias"].abs()).groupby(
        ["dataset", "cohort", "config", "feature"], sort=True)
    return g.agg(walks=("walk", "count"), med_abs_diff_ms=("abs_diff", "median"),
                 max_abs_diff_ms=("abs_diff", "max"), med_abs_si=("abs_si", "median"),
                 max_abs_si=("abs_si", "max")).reset_index()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="")
    ap.add_argument("--per-walk", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if not V.VALIDATION.is_dir():
        print(f"side_bias: skipped - no validation data at {V.VALIDATION}")
        return 0
    rows: list[dict] = []
    for ds, rp, ref in V.walks():
        if args.dataset not in ds or not ref.get("initial_contacts"):
            continue
        if not any(e.get("side") in ("L", "R") for e in ref["initial_contacts"]):
            continue
        rows += evaluate(ds, rp, ref)
        alt = (ref.get("extra", {}).get("alternative_references") or {}).get("Stereophoto")
        if ds == "mobgap_lab_example" and alt and alt.get("initial_contacts"):
            rows += evaluate(f"{ds}/mocap", rp, mocap_ref(ref, alt))
    if not rows:
        print("side_bias: no walk with sided reference ICs")
        return 0
    df = pd.DataFrame(rows)
    pd.set_option("display.width", 160)
    pd.set_option("display.max_rows", 500)
    if args.per_walk:
        print(df.round(1).to_string(index=False))
        print()
    summ = summarise(df)
    print("Per-side IC timing bias: |median error L - median error R| per walk (ms), and the "
          "step-SI bias it implies (points); matched within +-250 ms")
    print(summ.round(1).to_string(index=False))
    if args.json:
        args.json.write_text(json.dumps({"walks": rows, "summary": summ.to_dict("records")},
                                        indent=1, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
