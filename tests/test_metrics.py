"""Per-step table (double support, its recovery on the simulator) and heel-strike impact."""

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


# --- heel-strike impact (metrics.impact_features) on the simulator, at the true ICs ------------

def _impact_si(placement: str, gait: str, seed: int, **asked: float) -> tuple[float, float]:
    """(impact SI as the report computes it at the true ICs, the simulated transients' SI)."""
    from gait.metrics import IMPACT_HIGHPASS_HZ, impact_features, symmetry_index
    from gait.preprocess import to_body
    from gait.simulate import simulate

    names = ("lower_back",) if placement == "trunk" else ("left_foot", "right_foot")
    rec, truth = simulate(duration_s=90, placements=names, gait=gait, fs=100.0, seed=seed,
                          orientation="random", **asked)
    steps = pd.DataFrame(truth.initial_contacts).rename(columns={"t": "ic"})
    by = {s.placement: s for s in rec.streams}
    mean = {}
    for side in ("L", "R"):
        s = by["lower_back" if placement == "trunk" else
               ("left_foot" if side == "L" else "right_foot")]
        out = impact_features(steps[steps["side"] == side], to_body(s).v, s.sample_rate_hz,
                              s.start_s, highpass_hz=IMPACT_HIGHPASS_HZ[placement])
        assert out["impact_ms2"].notna().mean() > 0.95
        mean[side] = float(out["impact_ms2"].mean())
    return symmetry_index(mean["L"], mean["R"]), float(truth.summary["impact_symmetry_index_pct"])


#: (placement, gait) -> tolerance (points) on the mean error over 3 seeds when 10 % is asked.
#: Walking: the trunk's 10 Hz transient overlaps the load transfer, so the peak under-reads the
#: asymmetry by ~25 % (about -2.5 points at 10 %); the old 3 Hz definition under-read running by
#: ~12 points. The foot reads within 1 point at 100 Hz since the peak is interpolated
#: (true peak; the sampled maximum scattered by 25 % per step and missed by up to 7 points).
IMPACT_ALONE_TOL = {("trunk", "walk"): 4.0, ("trunk", "run"): 1.0, ("foot", "walk"): 1.5,
                    ("foot", "run"): 1.0}


@pytest.mark.parametrize(("placement", "gait"), list(IMPACT_ALONE_TOL))
def test_asked_impact_asymmetry_alone_is_recovered(placement: str, gait: str) -> None:
    err = [np.subtract(*_impact_si(placement, gait, seed, impact_asym_pct=10.0))
           for seed in range(3)]
    assert abs(np.mean(err)) < IMPACT_ALONE_TOL[(placement, gait)], err
    assert max(abs(e) for e in err) < 2 * IMPACT_ALONE_TOL[(placement, gait)], err


@pytest.mark.parametrize(("placement", "gait", "tol"), [("trunk", "run", 1.5),
                                                        ("foot", "walk", 3.0),
                                                        ("foot", "run", 1.5)])
def test_stance_only_asymmetry_makes_no_large_impact_asymmetry(placement: str, gait: str,
                                                               tol: float) -> None:
    # truth: no impact asymmetry (the simulated transients' SI is only sampling noise)
    err = [np.subtract(*_impact_si(placement, gait, seed, stance_asym_pct=8.0))
           for seed in range(3)]
    assert abs(np.mean(err)) < tol, err


def test_walking_trunk_impact_leak_is_why_impact_does_not_count() -> None:
    # walking at the trunk a stance-only asymmetry still moves the impact SI (the load transfer
    # it stretches has content above 10 Hz): that, and the weak agreement with the foot sensors
    # on real walks, is why the verdict does not count impact (test_analysis / README)
    from gait.interpret import by_param

    err = [np.subtract(*_impact_si("trunk", "walk", seed, stance_asym_pct=8.0))
           for seed in range(2)]
    # an 8 % stance asymmetry alone reads as a ~12-point impact asymmetry: more than the ~10 %
    # healthy force-plate spread (Zifchock 2008); if this fails, revisit the verdict
    assert abs(np.mean(err)) > 8.0
    assert not any(by_param(s)["impact_ms2"].weight for s in ("feet", "lower_back"))


@pytest.mark.parametrize("fs", [50.0, 100.0, 200.0])
def test_true_peak_reads_a_transient_whatever_the_sample_phase(fs: float) -> None:
    # a band-limited 0.3 fs burst: the sampled maximum depends on where the samples fall, the
    # interpolated peak does not
    from gait.metrics.impact import _true_peak

    sampled, true = [], []
    for phase in np.linspace(0.0, 1.0, 9, endpoint=False):
        t = (np.arange(200) + phase) / fs
        u = t - 100.0 / fs  # the burst's centre, mid-signal
        x = np.exp(-((u * fs / 4.0) ** 2)) * np.cos(2 * np.pi * 0.3 * fs * u)
        i = int(np.argmax(x))
        sampled.append(x[i])
        true.append(float(_true_peak(x, np.array([i]))[0]))
    assert max(sampled) - min(sampled) > 0.2
    np.testing.assert_allclose(true, 1.0, atol=0.01)


def test_impact_needs_a_rate_that_resolves_its_band() -> None:
    from gait.metrics import IMPACT_HIGHPASS_HZ, impact_features, impact_resolved

    assert impact_resolved(100.0, IMPACT_HIGHPASS_HZ["foot"])
    assert not impact_resolved(50.0, IMPACT_HIGHPASS_HZ["foot"])
    assert impact_resolved(50.0, IMPACT_HIGHPASS_HZ["trunk"])
    steps = pd.DataFrame({"ic": [1.0, 2.0, 3.0], "side": ["L", "R", "L"]})
    v = np.random.default_rng(0).normal(size=250)
    out = impact_features(steps, v, 50.0, 0.0, highpass_hz=IMPACT_HIGHPASS_HZ["foot"])
    assert out["impact_ms2"].isna().all() and out["loading_rate_ms3"].isna().all()


# --- bootstrap sums --------------------------------------------------------------------------

def _old_boot_sums(per_stride: np.ndarray, n_boot: int, seed: int,
                   block: int = 50) -> np.ndarray:
    """metrics._boot_sums up to 42f2df5: counts of the whole block at once (4 blocks' worth
    of memory)."""
    k = len(per_stride)
    out = np.empty((n_boot, per_stride.shape[1]))
    if k == 0 or per_stride.shape[1] == 0:
        return out
    rng = np.random.default_rng(seed)
    for i in range(0, n_boot, block):
        b = min(block, n_boot - i)
        idx = rng.integers(0, k, size=(b, k)) + (np.arange(b) * k)[:, None]
        counts = np.bincount(idx.ravel(), minlength=b * k).reshape(b, k)
        out[i:i + b] = counts.astype(float) @ per_stride
    return out


@pytest.mark.parametrize(("k", "m", "n_boot"), [(1, 4, 60), (7, 8, 2000), (3301, 36, 130),
                                                (20_000, 4, 120)])
def test_boot_sums_are_those_of_the_block_counts(k: int, m: int, n_boot: int) -> None:
    """The same resamples as the block counts (a different draw would differ by whole strides'
    values); the sums equal to rounding (one-thread products over slices of the strides)."""
    from gait.metrics.statistics import _boot_sums

    x = np.random.default_rng(k).normal(size=(k, m))
    x[::3] = 0.0
    old = _old_boot_sums(x, n_boot, 5)
    np.testing.assert_allclose(_boot_sums(x, n_boot, 5), old, rtol=0,
                               atol=1e-13 * max(np.abs(old).max(), 1.0))


def test_boot_sums_hold_one_block_of_counts() -> None:
    """Memory of the bootstrap: one block of at most BOOT_CELLS stride draws (a 24-hour walk's
    80k strides: 8 MB), where it held BOOT_BLOCK x strides (32 MB) and before that four such
    arrays (indices, offset indices, counts, counts as floats)."""
    import tracemalloc

    from gait.metrics.statistics import BOOT_BLOCK, BOOT_CELLS, _boot_sums

    k = 80_000
    x = np.random.default_rng(0).normal(size=(k, 4))
    tracemalloc.start()
    try:
        _boot_sums(x, 2 * BOOT_BLOCK, 0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1.3 * 8 * BOOT_CELLS + 8 * 2 * BOOT_BLOCK * 4, peak / 1e6


def test_boot_sums_do_not_depend_on_the_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """A smaller block draws the same resamples: the sums agree to rounding."""
    from gait.metrics import statistics

    x = np.random.default_rng(1).normal(size=(3000, 6))
    full = statistics._boot_sums(x, 120, 7)
    monkeypatch.setattr(statistics, "BOOT_CELLS", 3000 * 7)  # 7 resamples a block
    small = statistics._boot_sums(x, 120, 7)
    np.testing.assert_allclose(small, full, rtol=1e-12, atol=1e-9)
    assert not np.allclose(statistics._boot_sums(x, 120, 8), full)  # another seed differs


def test_overall_counts_both_legs_whatever_the_sides() -> None:
    from gait.metrics import overall

    # two bouts of steps every 0.5 s, sides unknown, a 1.2 s pause inside the second
    t = np.concatenate([np.arange(10) * 0.5 + 1.0, [20.0, 20.5, 21.0, 22.2, 22.7, 23.2]])
    events = pd.DataFrame({"t": t, "kind": "IC", "side": None, "confidence": 1.0})
    events = pd.concat([events, pd.DataFrame({"t": t + 0.1, "kind": "FC", "side": None,
                                              "confidence": 1.0})], ignore_index=True)
    bouts = pd.DataFrame({"start": [0.9, 19.9], "end": [5.6, 23.3], "kind": ["walk", "walk"]})
    o = overall(events, bouts)
    assert o["n_steps"] == 16
    assert o["step_s"]["n"] == 9 + 4  # the pause and the gap between the bouts do not count
    assert o["step_s"]["mean"] == pytest.approx(0.5) and o["cadence_spm"] == pytest.approx(120)
    assert overall(events.iloc[:0], bouts)["cadence_spm"] is None
