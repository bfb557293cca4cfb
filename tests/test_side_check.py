"""The side check (three taps on the left hip before walking): simulated, found, used."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gait.events import detect_events, side_check
from gait.events.bouts import detect_bouts
from gait.preprocess import to_body
from gait.recording import SensorStream
from gait.report.validation import validate
from gait.simulate import simulate

from .test_cli import run


def _find(stream: SensorStream) -> side_check.SideCheck | None:
    fs = stream.sample_rate_hz
    body0 = to_body(stream, window_s=None)
    br = detect_bouts(np.column_stack([body0.v, body0.ap]), fs, body0.gyr_v,
                      start_s=stream.start_s, lateral=body0.ml)
    step_hz = float(np.nanmedian(br.step_freq[br.gait_mask]))
    body = to_body(stream, window_s=None, mask=br.gait_mask, step_hz=step_hz, like=body0,
                   step_freq=br.step_freq)
    return side_check.find(stream, body, br.gait_mask)


def _lr(det, truth) -> float:
    ev = det.events[det.events["kind"] == "IC"]
    return truth.side_accuracy(ev["t"].to_numpy(float), ev["side"].to_numpy())


@pytest.mark.parametrize("gait_kind", ["walk", "run"])
@pytest.mark.parametrize("orientation", [None, "random"])
def test_found_with_the_gesture_and_not_without(gait_kind: str, orientation: str | None) -> None:
    for seed in range(2):
        for side in ("left", "right"):
            rec, truth = simulate(25.0, gait=gait_kind, side_check=side, stand_s=6.0, seed=seed,
                                  orientation=orientation)
            found = _find(rec.streams[0])
            assert found is not None, (side, seed)
            assert found.side == side[0].upper()
            assert abs(found.t - truth.params["side_check"]["taps_s"][0]) < 0.1
            assert 0.75 < found.confidence <= 0.99 and found.n_taps == 3
        rec, _ = simulate(25.0, gait=gait_kind, stand_s=6.0, seed=seed, orientation=orientation)
        assert _find(rec.streams[0]) is None


def test_found_in_any_mounting() -> None:
    """Property: whatever the sensor's orientation, the left-hip taps are found as left."""
    rng = np.random.default_rng(11)
    for k in range(6):
        euler = rng.uniform(-180, 180, 3)
        rec, _ = simulate(25.0, side_check="left", stand_s=6.0, seed=20 + k,
                          orientation=euler, noise=(0.05, 0.008))
        found = _find(rec.streams[0])
        assert found is not None and found.side == "L", euler


def test_the_sides_follow_the_check() -> None:
    """Left-hip taps confirm the (right) inferred sides and raise their confidence; taps on the
    right hip (a user tapping the wrong hip) swap the whole walk - the check is trusted."""
    base, truth = simulate(30.0, stand_s=6.0, seed=4, pauses=[(16.0, 3.0)])
    inferred = detect_events(base)
    assert inferred.side_source == "inferred" and _lr(inferred, truth) == 1.0
    rec, truth = simulate(30.0, stand_s=6.0, seed=4, pauses=[(16.0, 3.0)], side_check="left")
    det = detect_events(rec)
    assert det.side_source == "side check" and _lr(det, truth) == 1.0
    assert det.side_confidence >= inferred.side_confidence
    assert any("confirms the sides" in n for n in det.notes)
    rec, truth = simulate(30.0, stand_s=6.0, seed=4, pauses=[(16.0, 3.0)], side_check="right")
    det = detect_events(rec)
    assert det.side_source == "side check" and _lr(det, truth) == 0.0
    assert any("contradicts the inferred sides" in n for n in det.notes)


def test_a_run_keeps_its_inferred_sides() -> None:
    rec, truth = simulate(25.0, gait="run", stand_s=6.0, seed=1, side_check="left")
    det = detect_events(rec)
    assert det.side_source == "inferred" and _lr(det, truth) == 1.0
    assert any("side check found" in n and "not used" in n for n in det.notes)


def test_align_votes_per_stretch() -> None:
    """Each stretch (steps < 2.5 s apart) flips by its own sway vote; one too short to vote
    takes the first decided stretch's flip."""
    check = side_check.SideCheck("L", 1.0, 0.95, 3)
    t = np.concatenate([np.arange(10) * 0.5, 20 + np.arange(10) * 0.5, 40 + np.arange(2) * 0.5])
    sides = np.array(["L", "R"] * 11, dtype=object)
    sway = np.where(sides == "L", 1.0, -1.0)
    sway[10:20] *= -1  # the second stretch's labels disagree with its sway
    new, conf, flipped, applied = side_check.align(check, sides, np.full(22, 0.9), t, sway,
                                                   np.ones(22, dtype=bool))
    assert applied and flipped
    assert (new[:10] == sides[:10]).all() and (new[10:20] != sides[10:20]).all()
    assert (new[20:] == sides[20:]).all()  # inherits the first stretch's "keep"
    assert (conf[:10] > 0.99).all() and (conf[10:20] > 0.9).all()
    _, _, _, applied = side_check.align(check, sides, np.full(22, 0.9), t, sway,
                                        np.zeros(22, dtype=bool))
    assert not applied  # running steps do not vote


def test_simulate_records_the_gesture_and_needs_standing() -> None:
    _, truth = simulate(20.0, stand_s=5.0, side_check="right", seed=2)
    sc = truth.params["side_check"]
    assert sc["side"] == "R" and len(sc["taps_s"]) == 3 and sc["taps_s"][-1] < 5.0
    _, truth = simulate(20.0, stand_s=5.0, seed=2)
    assert "side_check" not in truth.params
    with pytest.raises(ValueError, match="stand_s"):
        simulate(20.0, side_check="left")
    with pytest.raises(ValueError, match="side_check"):
        simulate(20.0, stand_s=6.0, side_check="middle")


def test_cli_simulate_side_check_then_report(tmp_path: Path) -> None:
    r = run("simulate", str(tmp_path / "w"), "--duration", "30", "--side-check", "left",
            "--orientation", "random", "--seed", "5")
    assert r.returncode == 0, r.stderr
    truth = json.loads((tmp_path / "w.truth.json").read_text())
    assert truth["params"]["side_check"]["side"] == "L"
    j, h = tmp_path / "r.json", tmp_path / "r.html"
    r = run("report", "--no-history", str(tmp_path / "w.gait.json"), "--json", str(j),
            "--html", str(h))
    assert r.returncode == 0, r.stderr
    doc = json.loads(j.read_text())
    validate(doc)
    assert doc["quality"]["side_source"] == "side check"
    assert doc["quality"]["side_confidence"] > 0.95
    assert "side check" in r.stdout and "side check" in h.read_text()
    r = run("simulate", str(tmp_path / "p"), "--duration", "30", "--seed", "5")
    r = run("report", "--no-history", str(tmp_path / "p.gait.json"), "--json", str(j))
    assert r.returncode == 0, r.stderr
    doc = json.loads(j.read_text())
    assert doc["quality"]["side_source"] == "inferred"
    assert any("three taps on the left hip" in n for n in doc["quality"]["notes"])
