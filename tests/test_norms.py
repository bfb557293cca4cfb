"""benchmarks/norms.py on a few real healthy walks (../shared/validation): the per-walk rows carry
what the bands need, and the verdict with the step gate lifted is computed.

* voisard2023 S01_T1 (17 steps per side): the report refuses a verdict (fewer than
  ``MIN_STEPS_PER_SIDE``); the lifted-gate verdict judges it (balanced, mild or marked);
* trojaniello2014 S004 (58 steps per side): the gate is not in play, so the lifted-gate verdict is
  the report's own;
* thresholds swapped in by ``candidate_thresholds`` are used by ``gait.interpret.verdict`` and
  restored afterwards.
"""

from __future__ import annotations

import numpy as np

from gait import interpret

from .conftest import benchmark_module, needs_shared

WALKS = ("S01_T1", "S004")


@needs_shared
def test_norms_rows_and_lifted_verdict() -> None:
    norms = benchmark_module("norms")
    rows = norms.healthy_walks(("lower_back", "feet", "shanks"), n_boot=300, only=WALKS)
    got = {(r["walk"], r["config"]) for r in rows}
    assert got == {("S01_T1", "lower_back"), ("S01_T1", "feet"), ("S004", "lower_back"),
                   ("S004", "shanks")}, got
    for r in rows:
        for key in ("dataset", "subject", "cohort", "gait", "age_group", "n_steps_L",
                    "n_steps_R", "verdict", "lifted_verdict", "lifted_hits", "params"):
            assert key in r, key
        assert r["gait"] == "walk"
        st = r["params"]["stance_s"]
        assert np.isfinite(st["si_pct"]) and st["n_strides"] > 5
        lo, hi = st["ci95"]
        assert lo <= st["si_pct"] <= hi
        # left share = 100 L / (L + R) = 50 + SI / 4
        assert abs(st["left_share_pct"] - (50 + st["si_pct"] / 4)) < 1e-6
        assert abs(st["diff_LR"] - (st["mean_L"] - st["mean_R"])) < 1e-12
    by = {(r["walk"], r["config"]): r for r in rows}
    v = by[("S01_T1", "lower_back")]
    assert v["subject"] == "voisard2023:1" and v["age_group"] == "adult"
    assert min(v["n_steps_L"], v["n_steps_R"]) < interpret.MIN_STEPS_PER_SIDE
    assert v["verdict"] == "undetermined"
    assert v["lifted_verdict"] in ("balanced", "mild", "marked")
    pel = v["params"]["pelvic_drop_deg"]
    assert np.isfinite(pel["diff_LR"]) and abs(pel["diff_LR"]) < 10
    t = by[("S004", "lower_back")]
    assert t["cohort"] == "elderly" and t["age_group"] == "elderly"
    assert min(t["n_steps_L"], t["n_steps_R"]) >= interpret.MIN_STEPS_PER_SIDE
    assert t["lifted_verdict"] == t["verdict"] != "undetermined"

    # thresholds passed in are the ones the verdict uses, and are restored
    before = interpret.THRESHOLDS
    with norms.candidate_thresholds({p: (1e6, 2e6) for p in norms.weight_params()}):
        assert norms.lifted_verdict(v["_doc"])["level"] == "balanced"
    assert interpret.THRESHOLDS is before
    with norms.candidate_thresholds({}, informational=norms.weight_params()):
        assert norms.lifted_verdict(v["_doc"])["level"] == "undetermined"
    assert interpret.BY_PARAM["stance_s"].weight

    bands = norms.all_bands(rows)
    b = next(b for b in bands if b["config"] == "lower_back" and b["param"] == "stance_s"
             and b["group"] == "all")
    assert b["n_walks"] == 2 and b["n_subjects"] == 2 and b["p97_5"] is None
    res = norms.loso(rows)
    assert res["P90/P97.5"]["lower_back"]["n"] == 2
