"""End-to-end: ``gait events`` on bundled and real recordings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from .conftest import REPO, VALIDATION, needs_shared
from .test_cli import run

REC = REPO / "recordings"


def _f1(ref: list[float], det: list[float], tol: float = 0.1) -> float:
    ref_a, det_a = np.array(ref), np.array(det)
    used: set[int] = set()
    tp = 0
    for r in ref_a:
        d = np.abs(det_a - r)
        for j in np.argsort(d):
            if d[j] > tol:
                break
            if j not in used:
                used.add(int(j))
                tp += 1
                break
    return 2 * tp / (len(ref_a) + len(det_a))


def test_events_json_two_feet_matches_truth(tmp_path: Path) -> None:
    out = tmp_path / "ev.json"
    r = run("events", str(REC / "walk_two_feet.gait.json"), "--json", str(out))
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text())
    assert doc["schema"] == "gait-events/1"
    assert {s["placement"] for s in doc["sensors"]} == {"left_foot", "right_foot"}
    assert all(set(e) == {"t", "kind", "side", "confidence", "side_confidence"}
               for e in doc["events"])
    # feet: every side comes from the placement
    assert all(e["side_confidence"] == 1.0 for e in doc["events"])
    assert doc["side_confidence"] == 1.0
    truth = json.loads((REC / "walk_two_feet.truth.json").read_text())
    for side in ("L", "R"):
        ref = [e["t"] for e in truth["initial_contacts"] if e["side"] == side]
        det = [e["t"] for e in doc["events"] if e["kind"] == "IC" and e["side"] == side]
        assert _f1(ref, det) > 0.95
    assert len(doc["bouts"]) == 2  # the 4 s pause splits the walk


def test_events_terminal_and_stdout_json() -> None:
    r = run("events", str(REC / "walk_pocket_right.gait.json"))
    assert r.returncode == 0, r.stderr
    assert "initial" in r.stdout and "right_pocket" in r.stdout
    r = run("events", str(REC / "walk_pocket_right.gait.json"), "--json", "-")
    doc = json.loads(r.stdout)
    assert sum(e["kind"] == "IC" for e in doc["events"]) > 80


def test_events_rejects_placement_without_detector(tmp_path: Path) -> None:
    from .helpers import walk_like, write_generic

    acc, gyr = walk_like(800)
    p = write_generic(tmp_path / "w.csv", np.arange(800) / 100, acc, gyr)
    r = run("events", f"chest={p}")  # hand: steps without sides (issue 18)
    assert r.returncode == 2
    assert "no stream with an event detector" in r.stderr


@needs_shared
def test_events_on_real_foot_sensors(tmp_path: Path) -> None:
    d = VALIDATION / "gaitmap_example/converted"
    out = tmp_path / "ev.json"
    r = run("events", f"left_foot={d / 'imu_healthy_2x20m_left_foot.csv'}",
            f"right_foot={d / 'imu_healthy_2x20m_right_foot.csv'}", "--json", str(out))
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text())
    ref = json.loads((d / "ref_healthy_2x20m.json").read_text())
    for side in ("L", "R"):
        rt = [e["t"] for e in ref["initial_contacts"] if e["side"] == side]
        dt = [e["t"] for e in doc["events"] if e["kind"] == "IC" and e["side"] == side]
        assert _f1(rt, dt) >= 0.95


@pytest.mark.parametrize("name", ["walk_symmetric", "run"])
def test_events_lower_back_bundled(name: str) -> None:
    r = run("events", str(REC / f"{name}.gait.json"), "--json", "-")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    truth = json.loads((REC / f"{name}.truth.json").read_text())
    ref = [e["t"] for e in truth["initial_contacts"]]
    det = [e["t"] for e in doc["events"] if e["kind"] == "IC"]
    assert _f1(ref, det) > 0.9
