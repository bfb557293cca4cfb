"""The answer first (issue 18): the headline in the terminal, the JSON and the HTML, the
undetermined verdict's cause with its step of ``gait guide``, and the sentences that must not
appear (pelvis not measured, walking asymmetry of a run, a single foot's stride as a step)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from gait.analysis.single import analyse
from gait.interpret import verdict
from gait.interpret.guide import STEPS, step
from gait.report import dumps, render_html, render_text_str, validate
from gait.simulate import simulate

from .test_cli import run


def _flat(out: str) -> str:
    """Terminal text without panel borders and line breaks."""
    return " ".join(out.translate(str.maketrans("", "", "┃│")).split())


@cache
def _doc(placements: tuple[str, ...], gait: str = "walk", duration: float = 90.0,
         stance: float = 8.0) -> dict[str, Any]:
    rec, _ = simulate(duration_s=duration, placements=placements, gait=gait,
                      stance_asym_pct=stance, seed=3)
    doc = analyse(rec, n_boot=300, file="sim").doc
    validate(json.loads(dumps(doc)))
    return doc


def test_headline_of_a_weight_shift_in_json_terminal_and_html() -> None:
    doc = _doc(("left_foot", "right_foot"))
    h = json.loads(dumps(doc))["headline"]
    share = doc["symmetry"]["stance_s"]["left_share_pct"]
    assert h["level"] in ("mild", "marked") and h["towards"] == "L"
    assert h["title"] == f"{h['level'].upper()} asymmetry towards the left"
    assert h["left_pct"] == pytest.approx(share, abs=1e-3)
    assert h["right_pct"] == pytest.approx(100 - share, abs=1e-3)
    assert h["healthy_left_share_90"] == [48.9, 51.1]  # foot sensors' band (gait/interpret.py)
    number = f"Stance balance L {share:.1f} % / R {100 - share:.1f} %"
    assert h["text"].startswith(number) and "95 % CI" in h["text"] and "48.9-51.1 %" in h["text"]
    out = render_text_str(doc)
    lines = out.splitlines()
    # the first screen: header, then the verdict with the number, before the table
    top = "\n".join(lines[:8])
    assert f"Verdict: {h['title']}" in top and number in top and "48.9-51.1" in top
    assert out.index(number) < out.index("Parameter")
    page = render_html(doc)
    assert page.index(number) < page.index('id="parameters"')
    assert f"Verdict: {h['title']}" in page


def test_informational_parameters_apart_and_not_in_verdict_colours() -> None:
    doc = _doc(("lower_back",), stance=0.0)
    out = render_text_str(doc)
    table = out[out.index("Parameter"):out.index("Both legs")]
    assert table.index("Stance time") < table.index("For information:") < table.index("Impact")
    assert all(f.get("counts") is (f["parameter"] == "stance_s")
               for f in doc["verdict"]["findings"])
    page = render_html(doc)
    informational = page[page.index("For information, not counted"):page.index('id="findings"')]
    assert "Impact" in informational and "Stance time" not in informational
    findings = page[page.index('id="findings"'):page.index('id="explanation"')]
    assert findings.count('class="info"') == len(doc["verdict"]["findings"]) - 1


def test_pelvis_named_only_where_measured_and_per_stance_leg() -> None:
    feet = verdict({"stance_s": {"si_pct": 12.0, "ci95": [9.0, 15.0], "left_share_pct": 53.0}},
                   {"L": 60, "R": 60}, [], sensors="feet")
    assert feet["level"] == "marked"
    assert not any("pelvi" in s for s in feet["explanation"] + [feet["summary"]])
    back = verdict({"stance_s": {"si_pct": 12.0, "ci95": [9.0, 15.0], "left_share_pct": 53.0},
                    "pelvic_drop_deg": {"si_pct": 60.0, "ci95": [50.0, 70.0],
                                        "left_share_pct": 65.0}},
                   {"L": 60, "R": 60}, [], sensors="lower_back",
                   per_side={"L": {"pelvic_drop_deg": {"mean": 5.2}},
                             "R": {"pelvic_drop_deg": {"mean": 2.7}}})
    pelvis = next(f["text"] for f in back["findings"] if f["parameter"] == "pelvic_drop_deg")
    # the left stance's drop is the right hemipelvis's, as in the explanation
    assert "while you stand on the left leg the pelvis drops 5.2 deg (on the right)" in \
        pelvis.lower()
    assert "larger on the left" not in pelvis
    assert any("pelvis drop on the right side while you stand on the left leg" in s
               for s in back["explanation"])


def test_one_foot_sensor_cadence_from_strides() -> None:
    doc = _doc(("left_foot",))
    o = doc["overall"]
    assert o["one_leg"] == "L" and o["step_s"]["n"] == 0
    assert o["cadence_spm"] == pytest.approx(120 / o["stride_s"]["mean"])
    assert 100 < o["cadence_spm"] < 125  # the simulator walks at ~110 steps/min, not 55
    out = render_text_str(doc)
    assert "2 x the left leg's strides" in out and "step time" not in out
    h = doc["headline"]
    assert h["level"] == "undetermined" and h["cause"] == "one_leg"
    assert h["guide_step"] == step("placement").n and "gait guide, step 2" in h["text"]


def test_run_has_no_walking_asymmetry() -> None:
    doc = _doc(("left_foot", "right_foot"), gait="run", stance=0.0)
    assert doc["gait_kind"] == "run"
    out, page = render_text_str(doc), render_html(doc)
    assert "Walking asymmetry" not in out and "Walking asymmetry" not in page
    assert "Step-time asymmetry:" in out and "healthy walkers" not in doc["headline"]["text"]


@pytest.mark.parametrize(("placements", "duration", "cause", "key"), [
    (("right_pocket",), 60.0, "pocket", "placement"),
    (("lower_back",), 15.0, "too_short", "walk"),
])
def test_undetermined_names_its_cause_and_the_guide_step(placements: tuple[str, ...],
                                                         duration: float, cause: str,
                                                         key: str) -> None:
    doc = _doc(placements, duration=duration)
    v = doc["verdict"]
    assert v["level"] == "undetermined" and v["causes"][0]["cause"] == cause
    ref = f"gait guide, step {step(key).n}: {step(key).title}"
    assert v["causes"][0]["guide"] == ref and ref in v["advice"][0]
    assert ref in doc["headline"]["text"] and ref in _flat(render_text_str(doc))
    assert not any("one to two minutes" in a for a in v["advice"])  # the old catch-all


def test_causes_from_the_streams() -> None:
    streams = [{"placement": "lower_back", "sample_rate_hz": 25.0, "acc_kind": "linear",
                "sensors": ["accelerometer"], "missing_pct": 30.0}]
    v = verdict({}, {"L": 5, "R": 5}, ["too few"], sensors="lower_back", streams=streams)
    got = [c["cause"] for c in v["causes"]]
    assert got == ["sample_rate", "linear_acceleration", "no_gyroscope", "missing_samples",
                   "too_short"]
    assert {c["guide_step"] for c in v["causes"][:4]} == {step("app").n}


def test_gait_guide_command() -> None:
    r = run("guide")
    assert r.returncode == 0, r.stderr
    assert max(len(line) for line in r.stdout.splitlines()) <= 80
    for s in STEPS:
        assert f"{s.n}. {s.title}" in r.stdout
    for app in ("phyphox", "Sensor Logger", "Physics Toolbox Sensor Suite", "SensorLog",
                "AndroSensor", "MATLAB Mobile"):
        assert app in r.stdout
    text = " ".join(r.stdout.split())
    for needle in ("100 Hz", "WITH gravity", "Gyroscope on", "LEFT hip three times",
                   "5 s", "at least 2 minutes", "level ground", "screen-out,top-up"):
        assert needle in text, needle


def test_long_report_progress_counts_the_chunks() -> None:
    from gait.analysis.pipeline import _counting

    ticks: list[int] = []
    out = list(_counting(map, lambda: ticks.append(1))(lambda x: 2 * x, range(5)))
    assert out == [0, 2, 4, 6, 8] and len(ticks) == 5


def test_cause_of_a_stream_of_unknown_placement_names_the_sensor() -> None:
    """A stream whose placement was not given is "the sensor" in the causes, not "unknown"."""
    from gait.interpret import causes

    why = causes("lower_back", {"L": 5, "R": 5},
                 [{"placement": "unknown", "sensors": ["accelerometer"]}])
    text = next(c["text"] for c in why if c["cause"] == "no_gyroscope")
    assert text.startswith("the sensor has no gyroscope")
