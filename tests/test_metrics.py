"""Per-step table: double support, and its recovery on the simulator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gait.interpret import BY_PARAM
from gait.metrics import step_table

LIMIT = BY_PARAM["step_s"].mild_pct  # what the report uses


def _events(rows: list[tuple[float, str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"t": [r[0] for r in rows], "kind": [r[1] for r in rows],
                         "side": [r[2] for r in rows], "confidence": 1.0})


def test_double_support_is_ic_to_the_other_foots_toe_off() -> None:
    # walking: L IC 0.0, R FC 0.10, R IC 0.55, L FC 0.70, L IC 1.10, R FC 1.22, R IC 1.65
    ev = _events([(0.0, "IC", "L"), (0.10, "FC", "R"), (0.55, "IC", "R"), (0.70, "FC", "L"),
                  (1.10, "IC", "L"), (1.22, "FC", "R"), (1.65, "IC", "R"), (1.80, "FC", "L")])
    st = step_table(ev)
    assert st["double_support_s"].to_numpy() == pytest.approx([0.10, 0.15, 0.12, 0.15])
    # stance = the other side's step + the double support the other side's IC opens
    assert st.loc[1, "stance_s"] == pytest.approx(st.loc[2, "step_s"] + st.loc[2,
                                                                              "double_support_s"])


def test_running_has_no_double_support() -> None:
    # the other foot leaves the ground before each IC (flight)
    ev = _events([(0.0, "IC", "L"), (0.25, "FC", "L"), (0.35, "IC", "R"), (0.60, "FC", "R"),
                  (0.70, "IC", "L"), (0.95, "FC", "L"), (1.05, "IC", "R"), (1.30, "FC", "R")])
    st = step_table(ev)
    assert st["double_support_s"].isna().all()
    assert st["stance_s"].to_numpy() == pytest.approx([0.25] * 4)


def test_missing_toe_off_gives_no_double_support() -> None:
    ev = _events([(0.0, "IC", "L"), (0.55, "IC", "R"), (0.70, "FC", "L"), (1.10, "IC", "L")])
    st = step_table(ev)
    assert np.isnan(st.loc[0, "double_support_s"])
    assert st.loc[1, "double_support_s"] == pytest.approx(0.15)


def test_double_support_from_foot_sensors_matches_the_simulators_truth() -> None:
    from gait.events import detect_events
    from gait.simulate import simulate

    rec, truth = simulate(90.0, ["left_foot", "right_foot"], "walk", seed=3,
                          stance_asym_pct=8.0, orientation="random")
    det = detect_events(rec)
    mine = step_table(det.events, det.bouts)
    ref = _events([(e["t"], "IC", e["side"]) for e in truth.initial_contacts]
                  + [(e["t"], "FC", e["side"]) for e in truth.final_contacts])
    ref = step_table(ref.sort_values("t"))
    for s in ("L", "R"):
        a = mine.loc[mine.side == s, "double_support_s"].mean()
        b = ref.loc[ref.side == s, "double_support_s"].mean()
        assert a == pytest.approx(b, abs=0.010)
    # a longer left stance is a longer double support opened by the right IC
    m = mine.groupby("side")["double_support_s"].mean()
    assert m["R"] > m["L"]


def _steps(step_times: list[float], bouts: list[int] | None = None) -> pd.DataFrame:
    n = len(step_times)
    return pd.DataFrame({"side": ["L" if i % 2 == 0 else "R" for i in range(n)],
                         "ic": np.cumsum(step_times), "bout": bouts or [0] * n,
                         "step_s": step_times})


def test_step_asymmetry_counts_pairs_beyond_the_limit() -> None:
    from gait.metrics import step_asymmetry

    limp = step_asymmetry(_steps([0.50, 0.60] * 10), LIMIT)  # 18 % apart: every pair
    assert limp["asymmetric_steps_pct"] == pytest.approx(100.0)
    assert limp["n_step_pairs"] == 19
    even = step_asymmetry(_steps([0.55, 0.56] * 10), LIMIT)  # 1.8 % apart: none
    assert even["asymmetric_steps_pct"] == pytest.approx(0.0)
    # one long step in 20 makes two asymmetric pairs out of 19
    one = step_asymmetry(_steps([0.55] * 9 + [0.65] + [0.55] * 10), LIMIT)
    assert one["asymmetric_steps_pct"] == pytest.approx(100 * 2 / 19)


def test_step_asymmetry_needs_pairs_in_one_bout_and_enough_of_them() -> None:
    from gait.metrics import step_asymmetry

    few = step_asymmetry(_steps([0.5, 0.6] * 3), LIMIT)
    assert few["asymmetric_steps_pct"] is None and few["n_step_pairs"] == 5
    split = step_asymmetry(_steps([0.5, 0.6] * 10, bouts=[0] * 10 + [1] * 10), LIMIT)
    assert split["n_step_pairs"] == 18  # no pair across the two bouts
    gaps = _steps([0.5, 0.6] * 10)
    gaps.loc[5, "step_s"] = np.nan  # an irregular step blanked by mark_irregular
    assert step_asymmetry(gaps, LIMIT)["n_step_pairs"] == 17
