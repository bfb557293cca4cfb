"""Lower-back IC/FC/side detection: synthetic and simulated walks, plus real validation walks."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.transform import Rotation

import gait
from gait.events import DETECTION_COLUMNS, detect_events
from gait.events import lower_back as lb
from gait.events import lower_back_sides as lbs
from gait.preprocess import ap_sign, ap_sign_clarity
from gait.recording import Recording, SensorStream

from .conftest import VALIDATION, benchmark_module, needs_shared

simulate = pytest.importorskip("gait.simulate").simulate


def _match(ref: np.ndarray, det: np.ndarray, tol: float = 0.1) -> list[tuple[int, int]]:
    """One-to-one matching, closest pairs first (as benchmarks/validate.py)."""
    if len(ref) == 0 or len(det) == 0:
        return []
    d = np.abs(ref[:, None] - det[None, :])
    i, j = np.nonzero(d <= tol)
    pairs, ur, ud = [], set(), set()
    for k in np.argsort(d[i, j], kind="stable"):
        if i[k] not in ur and j[k] not in ud:
            ur.add(i[k])
            ud.add(j[k])
            pairs.append((int(i[k]), int(j[k])))
    return pairs


def _score(truth_events: list[dict], ev: pd.DataFrame, kind: str) -> dict[str, float]:
    rt = np.array([e["t"] for e in truth_events])
    rs = np.array([e["side"] for e in truth_events])
    d = ev[ev["kind"] == kind]
    dt, ds = d["t"].to_numpy(float), d["side"].to_numpy(object)
    pairs = _match(rt, dt)
    f1 = 2 * len(pairs) / (len(rt) + len(dt)) if len(rt) + len(dt) else 0.0
    err = np.array([dt[b] - rt[a] for a, b in pairs])
    side = np.mean([rs[a] == ds[b] for a, b in pairs]) if pairs else np.nan
    return {"f1": f1, "med_ms": float(np.median(np.abs(err)) * 1000) if len(err) else np.nan,
            "lr": float(side)}


def _walk(**kw):
    args = {"duration_s": 60.0, "gait": "walk", "seed": 0, **kw}
    rec, truth = simulate(**args)
    return rec.stream("lower_back"), truth


# --- simulator -------------------------------------------------------------------------------

@pytest.mark.parametrize(("fs", "orientation"), [(100.0, None), (50.0, "random"),
                                                 (200.0, "random")])
def test_simulated_walk(fs: float, orientation: str | None) -> None:
    s, truth = _walk(fs=fs, orientation=orientation)
    det = lb.detect(s)
    ic = _score(truth.initial_contacts, det.events, "IC")
    fc = _score(truth.final_contacts, det.events, "FC")
    assert ic["f1"] >= 0.88
    assert ic["med_ms"] <= 40
    assert ic["lr"] >= 0.97
    assert fc["f1"] >= 0.85
    assert (det.bouts["kind"] == "walk").all() and len(det.bouts) >= 1


def test_simulated_asymmetric_walk_keeps_both_sides() -> None:
    """The weaker side's steps (small vertical peak) are still found: cadence from V and AP."""
    s, truth = _walk(stance_asym_pct=10, orientation="random", seed=3)
    ic = _score(truth.initial_contacts, lb.detect(s).events, "IC")
    assert ic["f1"] >= 0.85 and ic["lr"] >= 0.95


def test_simulated_run() -> None:
    rec, truth = simulate(duration_s=40.0, gait="run", fs=200.0, seed=1, orientation="random")
    det = lb.detect(rec.stream("lower_back"))
    ic = _score(truth.initial_contacts, det.events, "IC")
    fc = _score(truth.final_contacts, det.events, "FC")
    assert ic["f1"] >= 0.97 and ic["lr"] >= 0.97 and ic["med_ms"] <= 15
    # running: the FC after an IC is the same foot's toe-off (end of stance, before the flight)
    assert fc["f1"] >= 0.95 and fc["lr"] >= 0.97 and fc["med_ms"] <= 15
    assert (det.bouts["kind"] == "run").any()


def _si(steps: pd.DataFrame, col: str) -> float:
    m = steps.groupby("side")[col].mean()
    return float(100 * (m["L"] - m["R"]) / (0.5 * (m["L"] + m["R"])))


@pytest.mark.parametrize(("gait_kind", "stance", "step", "tol_stance", "tol_step"), [
    ("walk", 0.0, 0.0, 0.5, 0.5), ("walk", 0.0, 5.0, 1.0, 1.0), ("walk", 8.0, 0.0, 1.5, 1.0),
    ("walk", -8.0, 0.0, 1.5, 1.0), ("walk", 4.0, -4.0, 1.0, 1.0), ("run", 8.0, 3.0, 1.5, 1.0)])
def test_simulated_asymmetry_recovered(gait_kind: str, stance: float, step: float,
                                       tol_stance: float, tol_step: float) -> None:
    """Stance and step SI from the detected events vs the simulator's truth (issue 5 asks for
    1 point; a pure stance asymmetry, i.e. a longer double support on one side, is
    under-estimated by ~1 point: the trunk's FC features track ~85 % of it)."""
    from gait.metrics import step_table

    rec, truth = simulate(duration_s=90.0, gait=gait_kind, seed=2, orientation="random",
                          stance_asym_pct=stance, step_asym_pct=step)
    det = lb.detect(rec.stream("lower_back"))
    steps = step_table(det.events, det.bouts)
    assert _si(steps, "stance_s") == pytest.approx(
        truth.summary["stance_symmetry_index_pct"], abs=tol_stance)
    assert _si(steps, "step_s") == pytest.approx(
        truth.summary["step_symmetry_index_pct"], abs=tol_step)


def test_orientation_invariance() -> None:
    s, _ = _walk(seed=4)
    R = Rotation.from_euler("xyz", [70, -40, 125], degrees=True).as_matrix()
    s2 = SensorStream("lower_back", s.sample_rate_hz, s.acc @ R, s.gyr @ R, start_s=s.start_s)
    a = lb.detect(s).events
    b = lb.detect(s2).events
    assert len(a) == len(b)
    assert np.abs(a["t"].to_numpy() - b["t"].to_numpy()).max() < 1.5 / s.sample_rate_hz
    assert (a["side"].to_numpy() == b["side"].to_numpy()).mean() > 0.97


def test_nan_gap_and_start_offset() -> None:
    s, truth = _walk(seed=5)
    acc, gyr = s.acc.copy(), s.gyr.copy()
    fs = s.sample_rate_hz
    acc[int(30 * fs):int(32 * fs)] = np.nan
    gyr[int(30 * fs):int(32 * fs)] = np.nan
    s2 = SensorStream("lower_back", fs, acc, gyr, start_s=100.0)
    det = lb.detect(s2)
    t = det.events["t"].to_numpy()
    assert not ((t > 130.0) & (t < 132.0)).any()
    shifted = [{"t": e["t"] + 100.0, "side": e["side"]} for e in truth.initial_contacts
               if not 29.9 < e["t"] < 32.1]
    ic = _score(shifted, det.events, "IC")
    assert ic["f1"] >= 0.85 and ic["lr"] >= 0.95


def test_without_gyroscope_still_detects_steps() -> None:
    s, truth = _walk(seed=6, with_gyro=False)
    det = lb.detect(s)
    assert _score(truth.initial_contacts, det.events, "IC")["f1"] >= 0.85
    assert any("no gyroscope" in n for n in det.notes)


def test_contract_through_detect_events() -> None:
    s, _ = _walk(seed=7)
    det = detect_events(Recording(streams=[s], source_format="test"))
    ev = det.events
    assert list(ev.columns) == DETECTION_COLUMNS
    assert set(ev["kind"]) == {"IC", "FC"} and set(ev["side"]) <= {"L", "R"}
    # a clean simulated walk: both side cues agree, every side is nearly certain
    assert ev["side_confidence"].between(0.5, 1).all() and det.side_confidence > 0.9
    assert ev["t"].is_monotonic_increasing
    assert ev["confidence"].between(0, 1).all()
    assert list(det.bouts.columns) == ["start", "end", "kind"] and det.sources == ["lower_back"]


def test_standing_only_and_short_recordings() -> None:
    fs = 100.0
    rng = np.random.default_rng(0)
    acc = np.tile([0.0, 9.81, 0.0], (int(30 * fs), 1)) + rng.normal(0, 0.02, (int(30 * fs), 3))
    det = lb.detect(SensorStream("lower_back", fs, acc, np.zeros_like(acc)))
    assert det.events.empty and det.notes
    det = lb.detect(SensorStream("lower_back", fs, acc[:100]))
    assert det.events.empty and det.notes


# --- building blocks -------------------------------------------------------------------------

def test_viterbi_alternation() -> None:
    n = 20
    truth = np.arange(n) % 2 == 0  # L, R, L, ...
    llr = np.where(truth, 1.0, -1.0)
    llr[[3, 8, 9]] *= -1  # three wrong single-step scores
    out = lbs._viterbi_alternation(llr, np.full(n - 1, 0.02))
    assert (out == truth).all()
    # a real phase break (an extra step) after step 9: the evidence after it wins
    truth2 = np.concatenate([truth[:10], truth[9:19]])
    out2 = lbs._viterbi_alternation(np.where(truth2, 1.5, -1.5), np.full(n - 1, 0.02))
    assert (out2 == truth2).all()


def test_dp_keeps_weak_steps_in_rhythm_and_drops_wobbles() -> None:
    T = 55.0
    pk = np.arange(10) * T
    w = np.full(10, 1.0)
    w[5] = 0.15  # weak step in rhythm (turn): kept
    pk = np.append(pk, 3 * T + 20)  # strong-ish wobble out of rhythm: dropped
    w = np.append(w, 0.8)
    order = np.argsort(pk)
    pk, w = pk[order], w[order]
    sel, _ = lb._select_steps_dp(pk.astype(int), w, np.full(len(pk), T))
    assert set(pk[sel].astype(int)) == set((np.arange(10) * T).astype(int))


def test_ap_sign_rule() -> None:
    fs, f = 100.0, 1.8
    t = np.arange(int(20 * fs)) / fs
    v = np.sin(2 * np.pi * f * t)
    ap_fwd = np.sin(2 * np.pi * f * t + np.radians(110))  # forward leads vertical
    assert ap_sign(v, ap_fwd, fs, f) == 1.0
    assert ap_sign(v, -ap_fwd, fs, f) == -1.0
    # running (flight phases: v at -1 g a third of the time): forward lags vertical by ~90 deg
    f = 2.8
    t = np.arange(int(20 * fs)) / fs
    ph = (f * t) % 1.0
    stance = ph < 0.65
    v_run = np.where(stance, 25.0 * np.sin(np.pi * ph / 0.65) - 9.81, -9.81)
    ap_run = np.where(stance, -3.0 * np.sin(2 * np.pi * ph / 0.65), 0.0)  # brake, then propel
    assert ap_sign(v_run, ap_run, fs, f) == 1.0
    assert ap_sign(v_run, -ap_run, fs, f) == -1.0


def test_ap_sign_clarity() -> None:
    """1 when forward and vertical acceleration are a quarter period apart, ~0 when in phase or
    in anti-phase (where the forward sign is a coin flip and the sway may not arbitrate)."""
    fs, f = 100.0, 1.8
    t = np.arange(int(20 * fs)) / fs
    v = np.sin(2 * np.pi * f * t)
    assert ap_sign_clarity(v, np.sin(2 * np.pi * f * t + np.radians(90)), fs, f) > 0.99
    assert ap_sign_clarity(v, np.sin(2 * np.pi * f * t + np.radians(170)), fs, f) < 0.2
    assert ap_sign_clarity(v, 0.5 * v, fs, f) < 0.05
    assert lb.FRAME_CLARITY_MIN > 0.2


@needs_shared
def test_two_humped_slow_steps_and_contradicting_side_cues() -> None:
    """gaitkit PD SUB05 (slow, two vertical humps per step: without the lateral-sway step check
    and the forward acceleration in the step signal every hump was a step) and trojaniello
    S025 (the pelvis's yaw and roll contradict each other: the sway arbitrates)."""
    val = benchmark_module("validate")
    for dataset, walk, f1_min, lr_min in (("gaitkit_pd_overground_virtual", "SUB05_off_walk8",
                                           0.9, 0.95),
                                          ("trojaniello2014_uniss_stroke_imu", "S025", 0.9,
                                           0.95)):
        ref_path = VALIDATION / dataset / "converted" / f"ref_{walk}.json"
        ref = json.loads(ref_path.read_text())
        rec = gait.load({"lower_back": ref_path.parent / ref["imu_files"]["lowerback"]})
        ev = detect_events(rec).events
        reg = val.region(ref)
        shift = 0.084 if dataset.startswith("trojaniello") else 0.0  # the walkway clock
        ics = [{**e, "t": e["t"] + shift} for e in ref["initial_contacts"]]
        reg = [(a + shift, b + shift) for a, b in reg]
        ic = val.score_events(ics, ev[ev.kind == "IC"], reg, True).row()
        assert ic["F1"] >= f1_min and ic["LR_acc"] >= lr_min, (walk, ic)


@pytest.mark.parametrize(("gait_kind", "cadence"), [("walk", 75.0), ("walk", 95.0),
                                                    ("walk", 130.0), ("run", 150.0),
                                                    ("run", 190.0)])
def test_forward_direction_found_at_any_cadence(gait_kind: str, cadence: float) -> None:
    """The AP sign rule holds on the simulator from slow walking to running (nominal mount:
    z = backwards)."""
    rec, _ = simulate(duration_s=40.0, gait=gait_kind, cadence_spm=cadence, seed=3)
    res = lb.analyse(rec.stream("lower_back"))
    assert res.ap_dir[2] < -0.9


# --- real validation walks (../shared) -------------------------------------------------------

# (dataset, walk, IC F1 floor, L/R floor): floors are the figures reached minus a margin
# reached: 1.00/1.00, 0.89/0.89, 0.93/1.00, 0.94/1.00, 1.00/1.00 (HA001_Test11's side is
# declared uncertain - its roll and yaw cues disagree - so no leg is named from it)
REAL = [("mobgap_lab_example", "HA001_Test5_Trial1", 0.95, 0.95),
        ("mobgap_lab_example", "HA001_Test11_Trial1", 0.85, 0.85),
        ("voisard2023_ipol_healthy", "S01_T1", 0.9, 0.95),
        ("voisard2023_ipol_healthy", "S10_T2", 0.9, 0.95),
        ("voisard2023_ipol_healthy", "S12_T2", 0.95, 0.95)]


@needs_shared
@pytest.mark.parametrize(("dataset", "walk", "f1_min", "lr_min"), REAL)
def test_real_walks(dataset: str, walk: str, f1_min: float, lr_min: float) -> None:
    val = benchmark_module("validate")
    ref_path = VALIDATION / dataset / "converted" / f"ref_{walk}.json"
    ref = json.loads(ref_path.read_text())
    rec = gait.load({"lower_back": ref_path.parent / ref["imu_files"]["lowerback"]})
    det = detect_events(rec)
    ev = det.events
    reg = val.region(ref)
    ic = val.score_events(ref["initial_contacts"], ev[ev.kind == "IC"], reg, True).row()
    assert ic["F1"] >= f1_min
    assert ic["med_ms"] <= 40
    assert ic["LR_acc"] >= lr_min
    fc = val.score_events(ref["final_contacts"], ev[ev.kind == "FC"], reg, True).row()
    assert fc["F1"] >= 0.65


def test_linear_acceleration_is_refused() -> None:
    from dataclasses import replace

    s, _ = _walk(seed=6)
    with pytest.raises(ValueError, match="no gravity"):
        lb.detect(replace(s, acc=s.acc - s.acc.mean(axis=0), acc_kind="linear"))
