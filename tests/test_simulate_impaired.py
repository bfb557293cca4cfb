"""Impaired gait patterns of the simulator (gait.simulate, ``pattern=``): hemiparetic and
shuffling walks, their exact truth, their signal features and the ``gait simulate`` options."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import gait
from gait.cli import cli
from gait.recording import G
from gait.simulate import simulate

QUIET = dict(noise=None, bias=None)


def _stances(truth, side: str) -> np.ndarray:
    """Stance times recomputed from the IC and FC lists: each IC to the same side's next FC."""
    ic = truth.ic_times(side)
    fc = truth.fc_times(side)
    j = np.searchsorted(fc, ic)
    ok = j < len(fc)
    ok[ok] &= np.searchsorted(ic, fc[j[ok]]) == np.flatnonzero(ok) + 1  # no IC in between
    return fc[j[ok]] - ic[ok]


def _double_support_fraction(truth) -> float:
    """Share of the walking time with both feet on the ground, from the contact lists."""
    b = truth.walking_bouts[0]
    t = np.arange(b["start"] + 1.0, b["end"] - 1.0, 0.001)
    on = []
    for side in "LR":
        ic, fc = truth.ic_times(side), truth.fc_times(side)
        last_ic = np.searchsorted(ic, t, side="right") - 1
        last_fc = np.searchsorted(fc, t, side="right") - 1
        ok = last_ic >= 0
        on.append(ok & ((last_fc < 0) | (ic[np.maximum(last_ic, 0)]
                                         > fc[np.maximum(last_fc, 0)])))
    return float(np.mean(on[0] & on[1]))


def _swing_peaks(rec, truth, placement: str, side: str) -> np.ndarray:
    """Largest pitch rate (gyro x of foot and shank) in each swing (FC to the next IC)."""
    s = rec.stream(placement)
    gx = s.gyr[:, 0]
    t = s.time_s
    ic = truth.ic_times(side)
    out = []
    for f in truth.fc_times(side):
        nxt = ic[ic > f]
        if len(nxt):
            m = (t > f) & (t < nxt[0])
            out.append(gx[m].max())
    return np.array(out)


class _Lists:
    """IC/FC times per side of a truth JSON document (as :class:`gait.simulate.Truth`)."""

    def __init__(self, doc: dict) -> None:
        self.doc = doc

    def ic_times(self, side: str) -> np.ndarray:
        return np.array([e["t"] for e in self.doc["initial_contacts"] if e["side"] == side])

    def fc_times(self, side: str) -> np.ndarray:
        return np.array([e["t"] for e in self.doc["final_contacts"] if e["side"] == side])


@pytest.mark.parametrize("affected", ["L", "R"])
def test_hemiparetic_truth_puts_the_asymmetry_on_the_affected_side(affected: str) -> None:
    _, truth = simulate(90, pattern="hemiparetic", affected_side=affected, severity="moderate",
                        seed=3)
    sound = "R" if affected == "L" else "L"
    s = truth.summary
    assert truth.params["pattern"] == {"name": "hemiparetic", "affected_side": affected,
                                       "severity": 0.6, "severity_label": "moderate"}
    # long paretic swing, short paretic stance, long paretic step (ends with its IC)
    assert s["mean_swing_s"][affected] > 1.15 * s["mean_swing_s"][sound]
    assert s["mean_stance_s"][affected] < 0.95 * s["mean_stance_s"][sound]
    assert s["mean_step_s"][affected] > 1.04 * s["mean_step_s"][sound]
    sign = 1 if affected == "L" else -1  # SI = L - R
    assert sign * s["stance_symmetry_index_pct"] < -8
    assert sign * s["step_symmetry_index_pct"] > 5
    assert sign * s["swing_symmetry_index_pct"] > 15
    assert sign * s["impact_symmetry_index_pct"] < -20  # weaker paretic landing
    # hip hiking / lean to the sound side: less pelvic drop while standing on the sound leg
    assert s["pelvic_drop_deg"][sound] < s["pelvic_drop_deg"][affected] - 2
    # the truth stays exact: the listed stance times are the IC -> FC intervals of the lists
    for side in "LR":
        np.testing.assert_allclose(np.sort(_stances(truth, side)),
                                   np.sort(truth.stance_times_s[side]), atol=2e-4)
    for b in truth.walking_bouts:
        sides = [e["side"] for e in truth.initial_contacts if b["start"] <= e["t"] <= b["end"]]
        assert all(x != y for x, y in pairwise(sides))
    # without variability the truth's SIs are exactly the pattern's nominal ones
    _, exact = simulate(60, pattern="hemiparetic", affected_side=affected, severity=0.6,
                        variability_pct=0, seed=3)
    nom = exact.params["nominal"]
    si = 200 * (nom["stance_s"]["L"] - nom["stance_s"]["R"]) / (nom["stance_s"]["L"]
                                                               + nom["stance_s"]["R"])
    assert exact.summary["stance_symmetry_index_pct"] == pytest.approx(si, abs=1e-2)
    assert exact.summary["stance_symmetry_index_pct"] == pytest.approx(-sign * 12.0, abs=1e-2)
    assert exact.summary["step_symmetry_index_pct"] == pytest.approx(sign * 9.0, abs=1e-2)


def test_hemiparetic_is_slower_and_more_irregular_with_severity() -> None:
    cad, cv = {}, {}
    for sev in (0.0, "mild", "moderate", "severe"):
        _, truth = simulate(90, pattern="hemiparetic" if sev else "normal", severity=sev or 0,
                            seed=4)
        cad[sev] = truth.summary["cadence_spm"]
        steps = np.concatenate([truth.step_times_s[k] for k in "LR"])
        cv[sev] = np.std(truth.step_times_s["L"]) / np.mean(truth.step_times_s["L"])
        assert len(steps) > 40
    assert cad[0.0] > cad["mild"] > cad["moderate"] > cad["severe"]
    assert cad["moderate"] < 90 and cad[0.0] > 105  # Olney & Richards 1996: slow cadence
    assert cv["severe"] > 1.8 * cv[0.0]
    # the speed follows Perry et al.'s (1995) walking classes: community, limited, household
    speeds = [simulate(20, pattern="hemiparetic", severity=sev, seed=4)[1].params["speed_mps"]
              for sev in ("mild", "moderate", "severe")]
    assert speeds[0] > 0.8 and 0.4 < speeds[1] < 0.8 and speeds[2] < 0.4


def test_shuffling_has_short_steps_and_long_double_support() -> None:
    _, normal = simulate(60, seed=6)
    _, shuf = simulate(60, pattern="shuffling", severity="severe", seed=6)
    p_n, p_s = normal.params, shuf.params
    step_len = {k: p["speed_mps"] * 60 / p["cadence_spm"] for k, p in (("n", p_n), ("s", p_s))}
    assert step_len["s"] < 0.5 * step_len["n"]  # short steps (Morris et al. 1994)
    assert shuf.summary["cadence_spm"] >= normal.summary["cadence_spm"]  # not slower cadence
    ds_n, ds_s = _double_support_fraction(normal), _double_support_fraction(shuf)
    assert ds_n == pytest.approx(0.21, abs=0.03)
    assert ds_s > ds_n + 0.1
    assert shuf.params["pattern"]["name"] == "shuffling"


def test_hemiparetic_signal_features_on_the_paretic_leg() -> None:
    rec, truth = simulate(60, placements=("left_foot", "right_foot", "lower_back"),
                          pattern="hemiparetic", affected_side="L", severity="moderate", seed=7,
                          **QUIET)
    # smaller and slower paretic swing (mid-swing pitch-rate peak)
    pk_l = np.median(_swing_peaks(rec, truth, "left_foot", "L"))
    pk_r = np.median(_swing_peaks(rec, truth, "right_foot", "R"))
    assert pk_l < 0.7 * pk_r
    # flat-foot landing: tiny heel-strike lobe (negative pitch rate just after IC), small impact
    lobe, impact = {}, {}
    for side, pl in (("L", "left_foot"), ("R", "right_foot")):
        s = rec.stream(pl)
        lo, hi = [], []
        for t_ic in truth.ic_times(side)[1:-1]:
            m = (s.time_s >= t_ic) & (s.time_s < t_ic + 0.12)
            lo.append(s.gyr[m, 0].min())
            hi.append(s.acc[m, 2].max() - G)  # foot: gravity on +z
        lobe[side], impact[side] = -np.median(lo), np.median(hi)
    assert lobe["L"] < 0.7 * lobe["R"]
    assert impact["L"] < 0.8 * impact["R"]
    # circumduction: frontal-plane rotation (foot roll about the forward axis, gyro y) in swing
    assert np.abs(rec.stream("left_foot").gyr[:, 1]).max() > np.radians(20)
    assert np.abs(rec.stream("right_foot").gyr[:, 1]).max() < np.radians(2)
    # and the nominal (normal) walk has none of it
    rec_n, _ = simulate(20, placements=("left_foot",), seed=7, **QUIET)
    assert np.abs(rec_n.stream("left_foot").gyr[:, 1]).max() < np.radians(2)


def test_shuffling_signal_features() -> None:
    out = {}
    for pat in ("normal", "shuffling"):
        rec, truth = simulate(40, placements=("left_shank", "lower_back"), pattern=pat,
                              severity="severe", seed=8, **QUIET)
        yaw = rec.stream("lower_back").gyr[:, 1]  # lower back: y up, gyro y = yaw rate
        walk = (rec.stream("lower_back").time_s > truth.walking_bouts[0]["start"] + 2) & (
            rec.stream("lower_back").time_s < truth.walking_bouts[0]["end"] - 2)
        out[pat] = (np.median(_swing_peaks(rec, truth, "left_shank", "L")), np.std(yaw[walk]))
    assert out["shuffling"][0] < 0.75 * out["normal"][0]  # small swing (Salarian 2004)
    assert out["shuffling"][1] < 0.6 * out["normal"][1]  # reduced trunk rotation


def test_pattern_values_are_overridden_by_explicit_parameters() -> None:
    _, truth = simulate(60, pattern="hemiparetic", severity="severe", stance_asym_pct=0.0,
                        step_asym_pct=0.0, variability_pct=0.0, cadence_spm=70.0, seed=9)
    s = truth.summary
    assert s["stance_symmetry_index_pct"] == pytest.approx(0.0, abs=1e-3)
    assert s["step_symmetry_index_pct"] == pytest.approx(0.0, abs=1e-3)
    assert s["cadence_spm"] == pytest.approx(70.0, abs=0.01)
    # the pattern's walk ratio gives the speed: 0.3 m/s at 65 steps/min, so ~0.35 at 70
    assert truth.params["speed_mps"] == pytest.approx(0.3 * (70 / 65) ** 2, rel=1e-3)


def test_impaired_pattern_is_deterministic_with_a_seed() -> None:
    kw = dict(placements=("lower_back", "right_shank"), pattern="hemiparetic",
              affected_side="right", severity=0.8)
    a, ta = simulate(20, seed=11, **kw)
    b, tb = simulate(20, seed=11, **kw)
    c, tc = simulate(20, seed=12, **kw)
    for x, y, z in zip(a.streams, b.streams, c.streams, strict=True):
        np.testing.assert_array_equal(x.acc, y.acc)
        np.testing.assert_array_equal(x.gyr, y.gyr)
        assert not np.allclose(x.acc, z.acc)
    assert ta.to_json() == tb.to_json()
    assert ta.initial_contacts != tc.initial_contacts


def test_bad_pattern_parameters() -> None:
    for kw in (dict(pattern="limp"), dict(pattern="hemiparetic", severity=1.5),
               dict(pattern="hemiparetic", severity="extreme"),
               dict(pattern="shuffling", affected_side="middle"),
               dict(pattern="hemiparetic", gait="run")):
        with pytest.raises(ValueError):
            simulate(10, **kw)


def test_cli_writes_an_impaired_walk_that_loads_back(tmp_path: Path) -> None:
    out = tmp_path / "stroke"
    r = CliRunner().invoke(cli, ["simulate", str(out), "--duration", "40", "--pattern",
                                 "hemiparetic", "--affected-side", "right", "--severity",
                                 "severe", "--placement", "left_foot", "--placement",
                                 "right_foot", "--seed", "2", "--hesitations", "2"])
    assert r.exit_code == 0, r.output
    assert "hemiparetic, affected side right" in r.output
    rec = gait.load(tmp_path / "stroke.gait.json")
    assert set(rec.placements) == {"left_foot", "right_foot"}
    doc = json.loads((tmp_path / "stroke.truth.json").read_text())
    assert doc["params"]["pattern"] == {"name": "hemiparetic", "affected_side": "R",
                                        "severity": 1.0, "severity_label": "severe"}
    assert doc["summary"]["stance_symmetry_index_pct"] > 10  # right (paretic) stance shorter
    assert doc["summary"]["cadence_spm"] < 75
    assert len(doc["params"]["hesitations"]) == 1 and len(doc["walking_bouts"]) == 2
    # the recording's signals are the simulator's: the paretic right foot swings less
    peaks = {pl: np.median(_swing_peaks(rec, _Lists(doc), pl, pl[0].upper()))
             for pl in ("left_foot", "right_foot")}
    assert peaks["right_foot"] < 0.6 * peaks["left_foot"]
    r2 = CliRunner().invoke(cli, ["simulate", str(tmp_path / "bad"), "--pattern", "shuffling",
                                  "--severity", "very"])
    assert r2.exit_code != 0 and "severity 'very'" in str(r2.exception)


def test_detectors_run_on_impaired_walks() -> None:
    """The event detectors and the report do not crash on these walks (how well they do is
    reported elsewhere, not asserted here)."""
    from gait.analysis.single import analyse

    for placements in (("lower_back",), ("left_foot", "right_foot"),
                       ("left_shank", "right_shank")):
        for pat in ("hemiparetic", "shuffling"):
            rec, _ = simulate(30, placements=placements, pattern=pat, severity="moderate",
                              seed=13)
            doc = analyse(rec, n_boot=50).doc
            assert "verdict" in doc


def test_shuffling_hesitations_are_stops_in_the_truth() -> None:
    rec, truth = simulate(90, placements=("lower_back",), pattern="shuffling", severity=0.8,
                          hesitations_per_min=3, seed=14, **QUIET)
    hes = truth.params["hesitations"]
    assert 3 <= len(hes) <= 5 and len(truth.walking_bouts) == len(hes) + 1
    ic = truth.ic_times()
    s = rec.stream("lower_back")
    for a, d in hes:
        assert not np.any((ic > a + 0.5) & (ic < a + d - 0.5))  # no contact while stopped
        quiet = (s.time_s > a + 1.2) & (s.time_s < a + d - 0.2)
        assert np.abs(s.gyr[quiet]).max() < 0.05  # standing still
    _, plain = simulate(90, pattern="shuffling", severity=0.8, seed=14)
    assert "hesitations" not in plain.params and len(plain.walking_bouts) == 1


def test_slow_walk_foot_never_turns_toes_up_after_heel_off() -> None:
    """The foot keyframe rates are given at the walk's own phase durations; in a slow walk the
    quintic between heel-off and toe-off used to swing the other way first (severe hemiparetic
    sound foot: a +1.2 rad/s toes-up lobe in terminal stance, counted as an extra swing). From
    mid-stance to toe-off the foot only pitches toes-down (heel rise)."""
    rec, truth = simulate(40.0, ("left_foot",), pattern="hemiparetic", severity="severe",
                          affected_side="R", seed=0, noise=(0.0, 0.0), bias=(0.0, 0.0))
    s = rec.streams[0]
    t = np.arange(s.n_samples) / s.sample_rate_hz
    gx = s.gyr[:, 0]  # toes-up rate of the nominal foot mount
    ics, fcs = truth.ic_times("L"), truth.fc_times("L")
    peaks = []
    for ic in ics:
        nxt = fcs[fcs > ic]
        if len(nxt):
            m = (t > ic + 0.4 * (nxt[0] - ic)) & (t < nxt[0])
            peaks.append(gx[m].max())
    assert len(peaks) > 10 and max(peaks) < 0.05


@pytest.mark.parametrize("severity", ["moderate", "severe"])
def test_slow_walk_shank_keeps_rotating_through_stance(severity: str) -> None:
    """The shank keyframe rates are given at the walk's own phase durations too; in a slow
    walk the stance quintics used to overshoot (severe hemiparetic: both shanks' stance
    rotation stopped twice and turned the swing way at +0.3..+0.4 rad/s). Real stroke shanks
    (trojaniello2014 S022-S028) rotate the stance way through the whole stance: the pitch rate
    stays negative from just after IC to just before FC."""
    rec, truth = simulate(40.0, ("left_shank", "right_shank"), pattern="hemiparetic",
                          severity=severity, affected_side="R", seed=0, **QUIET)
    for placement, side in (("left_shank", "L"), ("right_shank", "R")):
        s = rec.stream(placement)
        gx = s.gyr[:, 0]  # swing-forward rate of the nominal shank mount
        ics, fcs = truth.ic_times(side), truth.fc_times(side)
        highs = []
        for ic in ics:
            nxt = fcs[fcs > ic]
            if len(nxt):
                m = (s.time_s > ic + 0.05) & (s.time_s < nxt[0] - 0.02)
                highs.append(gx[m].max())
        assert len(highs) > 10 and max(highs) < -0.2, (placement, max(highs))
