"""Report writers: strict JSON + validator, the 80-column terminal report, the self-contained HTML.

``make_doc`` builds a realistic analysis document ("gait-report/1") from synthetic steps: a
lower-back walk in two bouts with a left weight shift (stance +6 %, impact +20 %, pelvic drop
+3 deg on the left), independent of ``gait.analysis.single``.
"""

from __future__ import annotations

import copy
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pytest
from rich.console import Console

import gait.report as report
from gait.interpret import headline
from gait.report import dumps, render_html, render_text, render_text_str, validate
from gait.report.text import counting, parameter_keys

SVG_NS = "{http://www.w3.org/2000/svg}"

THRESHOLDS = {  # parameter: (mild %, marked %, source)
    "stance_s": (4.0, 8.0, "Patterson et al. 2010, Gait Posture 31:241 (SI of healthy adults)"),
    "step_s": (3.0, 6.0, "Patterson et al. 2010, Gait Posture 31:241"),
    "impact_ms2": (10.0, 25.0, "Zifchock et al. 2008, Gait Posture 27:622 (peak impact SI)"),
    "loading_rate_ms3": (10.0, 20.0, "Zifchock et al. 2008, Gait Posture 27:622"),
    "pelvic_drop_deg": (30.0, 60.0, "gait default (no published norm for the SI)"),
}
PERIODIC = ("stance_s", "swing_s", "step_s", "stride_s", "impact_ms2", "loading_rate_ms3",
            "pelvic_drop_deg")


def _level(si: float, lo: float, hi: float, mild: float, marked: float) -> str:
    if lo < 0 < hi and abs(si) >= mild:
        return "uncertain"
    return "balanced" if abs(si) < mild else "mild" if abs(si) < marked else "marked"


def _overall(rows: list[dict[str, Any]]) -> dict[str, Any]:
    st = np.array([r["step_s"] for r in rows if r["step_s"] is not None])
    return {"n_steps": len(rows), "cadence_spm": float(60 / st.mean()),
            "step_s": {"mean": float(st.mean()), "sd": float(st.std(ddof=1)),
                       "cv": float(100 * st.std(ddof=1) / st.mean()), "n": len(st)}}


def make_doc(duration_s: float = 150.0, seed: int = 0, file: str = "walk_weight_shift_left.csv",
             shift: float = 1.0, pause: bool = True) -> dict[str, Any]:
    """A realistic "gait-report/1" document: a lower-back walk, left weight shift x ``shift``."""
    rng = np.random.default_rng(seed)
    start = 2.0
    bouts = ([(start, 0.48 * duration_s), (0.48 * duration_s + 6.0, duration_s - 1.5)] if pause
             else [(start, duration_s - 1.5)])
    side_mean = {  # per-side means, left weight shift: longer stance, harder impact, more drop
        "L": {"step_s": 0.556, "stance_s": 0.650 * (1 + 0.03 * shift),
              "impact_ms2": 12.0 * (1 + 0.10 * shift),
              "loading_rate_ms3": 310.0 * (1 + 0.08 * shift),
              "pelvic_drop_deg": 5.5 + 1.5 * shift},
        "R": {"step_s": 0.552, "stance_s": 0.650 * (1 - 0.03 * shift),
              "impact_ms2": 12.0 * (1 - 0.10 * shift),
              "loading_rate_ms3": 310.0 * (1 - 0.08 * shift),
              "pelvic_drop_deg": 5.5 - 1.5 * shift},
    }
    rows: list[dict[str, Any]] = []
    for b, (t0, t1) in enumerate(bouts):
        n = int((t1 - t0) / 0.554)
        side = np.where(np.arange(n) % 2 == 0, "L", "R")
        is_l = side == "L"

        def draw(key: str, cv: float, side: np.ndarray = side, is_l: np.ndarray = is_l,
                 n: int = n) -> np.ndarray:
            mu = np.where(is_l, side_mean["L"][key], side_mean["R"][key])
            return mu * (1 + cv * rng.standard_normal(n))

        step = draw("step_s", 0.025)
        ic = t0 + np.concatenate([[0.0], np.cumsum(step[1:])])
        stride = np.full(n, np.nan)
        stride[2:] = ic[2:] - ic[:-2]
        stance = draw("stance_s", 0.03)
        step_s = np.concatenate([[np.nan], np.diff(ic)])
        rows += [{"side": str(s), "ic": float(t), "fc": float(t + st), "stance_s": float(st),
                  "step_s": float(sp), "stride_s": float(sd), "swing_s": float(sd - st),
                  "impact_ms2": float(im), "loading_rate_ms3": float(lr),
                  "pelvic_drop_deg": float(pd), "bout": b}
                 for s, t, st, sp, sd, im, lr, pd in zip(
                     side, ic, stance, step_s, stride, draw("impact_ms2", 0.12),
                     draw("loading_rate_ms3", 0.15), draw("pelvic_drop_deg", 0.2), strict=True)]
    for r in rows:  # JSON-ready: NaN -> None as analyse() would after dumps
        for k, v in r.items():
            if isinstance(v, float) and math.isnan(v):
                r[k] = None
    sides = np.array([r["side"] for r in rows])
    per_side: dict[str, dict[str, Any]] = {"L": {}, "R": {}}
    symmetry: dict[str, Any] = {}
    for key in PERIODIC:
        col = np.array([np.nan if r[key] is None else r[key] for r in rows])
        vals = {s: col[(sides == s) & np.isfinite(col)] for s in "LR"}
        for s in "LR":
            v = vals[s]
            per_side[s][key] = {"mean": float(v.mean()), "sd": float(v.std(ddof=1)),
                                "cv": float(v.std(ddof=1) / v.mean()), "n": len(v)}
        n = min(len(vals["L"]), len(vals["R"]))
        lv, rv = vals["L"][:n], vals["R"][:n]
        boot = rng.integers(0, n, (400, n))
        bl, br = lv[boot].mean(axis=1), rv[boot].mean(axis=1)
        si_b, share_b = 200 * (bl - br) / (bl + br), 100 * bl / (bl + br)
        ml, mr = lv.mean(), rv.mean()
        symmetry[key] = {
            "si_pct": float(200 * (ml - mr) / (ml + mr)),
            "ci95": [float(x) for x in np.percentile(si_b, [2.5, 97.5])],
            "left_share_pct": float(100 * ml / (ml + mr)),
            "left_share_ci95": [float(x) for x in np.percentile(share_b, [2.5, 97.5])],
            "gait_asymmetry_pct": float(100 * abs(np.log(ml / mr))), "n_strides": int(n)}
    findings = []
    for key, (mild, marked, _src) in THRESHOLDS.items():
        sy = symmetry[key]
        lvl = _level(sy["si_pct"], *sy["ci95"], mild, marked)
        towards = None if lvl in ("balanced", "uncertain") else ("L" if sy["si_pct"] > 0 else "R")
        side_word = {"L": "left", "R": "right", None: "neither side"}[towards]
        findings.append({
            "parameter": key, "label": PARAM_LABELS[key], "si_pct": sy["si_pct"],
            "ci95": sy["ci95"], "level": lvl, "towards": towards, "counts": key == "stance_s",
            "text": f"{PARAM_LABELS[key]}: SI {sy['si_pct']:+.1f} % "
                    f"({lvl}, larger on the {side_word})" if towards else
                    f"{PARAM_LABELS[key]}: SI {sy['si_pct']:+.1f} % ({lvl})"})
    rank = {"balanced": 0, "uncertain": 0, "mild": 1, "marked": 2}
    worst = max(findings, key=lambda f: rank[f["level"]])
    level = worst["level"] if rank[worst["level"]] else "balanced"
    towards = worst["towards"] if level != "balanced" else None
    events = []
    for r in rows:
        events.append({"t": r["ic"], "kind": "IC", "side": r["side"],
                       "confidence": float(rng.uniform(0.7, 1.0))})
        events.append({"t": r["fc"], "kind": "FC", "side": r["side"],
                       "confidence": float(rng.uniform(0.6, 1.0))})
    n_l, n_r = int((sides == "L").sum()), int((sides == "R").sum())
    doc = {
        "schema": "gait-report/1", "generated_by": "gait 0.1.0",
        "created_utc": "2025-03-11T14:56:02+00:00",
        "disclaimer": "gait reports a measurement, not a diagnosis. An asymmetry can have many "
                      "causes; talk to a physiotherapist or physician about what it means for you.",
        "recording": {
            "file": file, "format": "sensor_logger", "app": "Sensor Logger", "platform": "android",
            "device": None, "start_time_utc": "2025-03-11T14:52:00+00:00",
            "duration_s": duration_s,
            "streams": [{"placement": "lower_back", "sample_rate_hz": 100.0,
                         "sensors": ["accelerometer", "gyroscope"], "acc_kind": "total",
                         "missing_pct": 0.4, "n_samples": int(100 * duration_s)}],
            "warnings": ["3 backwards timestamps sorted"]},
        "sources": ["lower_back"], "gait_kind": "walk",
        "bouts": [{"start": a, "end": b, "kind": "walk"} for a, b in bouts],
        "quality": {"ok": True, "n_steps": len(rows), "n_steps_L": n_l, "n_steps_R": n_r,
                    "n_irregular_steps": 0, "n_bouts": len(bouts),
                    "walking_s": float(sum(b - a for a, b in bouts)), "problems": [],
                    "notes": [], "side_confidence": 0.93, "side_source": "inferred"},
        "overall": _overall(rows),
        "per_side": per_side, "symmetry": symmetry,
        "trunk": {"step_regularity": 0.78, "stride_regularity": 0.86,
                  "autocorr_step_symmetry": 0.91, "harmonic_ratio_v": 2.4,
                  "harmonic_ratio_ap": 2.1, "harmonic_ratio_ml": 1.7},
        "verdict": {
            "level": level, "towards": towards,
            "summary": (f"A {level} asymmetry: you stay longer and land harder on your "
                        f"{'left' if towards == 'L' else 'right'} leg."
                        if towards else "Your left and right steps are balanced."),
            "findings": findings,
            "explanation": [
                "The symmetry index (SI) compares left and right: 0 % is perfect balance, "
                "positive means the left value is larger.",
                "The 95 % interval shows how sure the measurement is: when it crosses 0 the "
                "side cannot be told."],
            "advice": ["Record again on another day to see whether the pattern persists.",
                       "If you have pain or the asymmetry grows, see a physiotherapist."],
            "thresholds": [{"parameter": k, "label": PARAM_LABELS[k], "mild_pct": a,
                            "marked_pct": b, "source": src, "sensors": "lower_back",
                            "counts": k == "stance_s"}
                           for k, (a, b, src) in THRESHOLDS.items()]},
        "steps": rows, "events": events,
    }
    doc["headline"] = headline(doc)
    return doc


PARAM_LABELS = {"stance_s": "Stance time", "swing_s": "Swing time", "step_s": "Step time",
                "stride_s": "Stride time", "impact_ms2": "Impact",
                "loading_rate_ms3": "Loading rate", "pelvic_drop_deg": "Pelvic drop"}


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return make_doc()


def _svgs(page: str, narrow: bool = False) -> list[ET.Element]:
    """The page's plots for a wide screen (``narrow``: the phone's, drawn beside them)."""
    svgs = [ET.fromstring(m) for m in re.findall(r"<svg\b.*?</svg>", page, flags=re.S)]
    return [s for s in svgs if s.get("id", "").endswith("-narrow") == narrow]


# --- the fixture ---------------------------------------------------------------------------

def test_fixture_is_a_realistic_valid_document(doc: dict[str, Any]) -> None:
    validate(doc)
    assert doc["quality"]["n_steps"] >= 200 and len(doc["bouts"]) == 2
    assert doc["symmetry"]["stance_s"]["si_pct"] == pytest.approx(6.0, abs=2.5)
    assert doc["symmetry"]["impact_ms2"]["si_pct"] == pytest.approx(20.0, abs=6.0)
    assert doc["verdict"]["level"] in ("mild", "marked") and doc["verdict"]["towards"] == "L"


# --- JSON ------------------------------------------------------------------------------------

def test_dumps_round_trip_validates_and_is_idempotent(doc: dict[str, Any]) -> None:
    text = dumps(doc)
    back = json.loads(text)
    validate(back)
    assert dumps(back) == text
    assert list(back)[:5] == ["schema", "generated_by", "created_utc", "headline", "disclaimer"]
    assert back["steps"][5]["ic"] == pytest.approx(doc["steps"][5]["ic"], abs=1e-4)
    assert back["symmetry"]["stance_s"]["si_pct"] == pytest.approx(
        doc["symmetry"]["stance_s"]["si_pct"], rel=1e-5)
    assert back["per_side"]["L"]["stance_s"]["n"] == doc["per_side"]["L"]["stance_s"]["n"]
    # one step / event per line: readable and compact
    assert sum(line.lstrip().startswith('{"bout"') for line in text.splitlines()) == len(
        doc["steps"])
    assert len(text) < 1.3 * len(json.dumps(back, separators=(",", ":")))


def test_dumps_is_strict_json_with_numpy_and_non_finite_values() -> None:
    d = {"b": np.float64(np.nan), "a": [np.inf, -np.inf, np.float32(0.5), np.int64(7)],
         "c": np.array([1.123456789, 2.0]), "d": np.bool_(True), "e": {"z": 1, "y": None}}
    text = dumps(d)

    def bad(name: str) -> None:
        raise AssertionError(f"non-strict constant {name}")

    back = json.loads(text, parse_constant=bad)
    assert back == {"a": [None, None, 0.5, 7], "b": None, "c": [1.12346, 2.0], "d": True,
                    "e": {"y": None, "z": 1}}
    assert list(back) == ["a", "b", "c", "d", "e"] and list(back["e"]) == ["y", "z"]
    assert isinstance(back["a"][3], int)


@pytest.mark.parametrize(("value", "expected"), [
    (0.123456789, 0.123457), (3599.123456, 3599.1235), (86400.123456, 86400.1235),
    (1.23456789e-7, 1.23457e-7), (123456789.0, 123456789.0), (-0.65, -0.65), (0.0, 0.0)])
def test_dumps_rounds_to_6_significant_digits_but_keeps_0_1_ms(value: float,
                                                                expected: float) -> None:
    assert json.loads(dumps({"x": value}))["x"] == expected


def _hostile_values(rng: np.random.Generator, n: int) -> np.ndarray:
    """Floats that test rounding: every magnitude, exact halves, powers of ten, non-finite."""
    return np.concatenate([
        rng.random(n) * 86400, rng.normal(0, 50, n), 10 ** rng.uniform(-12, 20, n),
        (rng.integers(0, 36_000_000, n) + 0.5) / 1e4, (rng.integers(0, 10**6, n) + 0.5) / 1e6,
        rng.integers(-2**40, 2**40, n) / 2.0 ** rng.integers(0, 60, n),
        [0.0, -0.0, 1e-5, 0.1, 0.09999999999999999, 1.0, 10.0, 9.999999999999998, 100.0, 1e300,
         5e-324, 1e-300, np.nan, np.inf, -np.inf, 0.125, 2.5e-5, 1e16, 1e22, 1e23]])


def test_dumps_writes_floats_in_bulk_as_one_by_one() -> None:
    from gait.report import jsonout

    x = _hostile_values(np.random.default_rng(3), 20_000)
    assert jsonout._float_texts(x) == [jsonout._scalar(jsonout._round(v)) for v in x.tolist()]


def test_dumps_writes_ints_in_bulk_as_one_by_one() -> None:
    from gait.report import jsonout

    rng = np.random.default_rng(5)
    small = rng.integers(-10**6, 10**6, 1000)
    for a in (small, np.concatenate([small, [2**62, -2**63, 10**18 - 1]]), small[:0],
              np.zeros(3, dtype=np.int64)):
        a = np.asarray(a, dtype=np.int64)
        assert jsonout._cells_texts(jsonout._int_cells(a)) == list(map(repr, a.tolist()))


@pytest.mark.any_document  # hostile content outside the report schema
def test_dumps_tables_by_column_are_byte_identical(doc: dict[str, Any],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Steps and events (written column by column) give the text of the generic writer, with
    hostile values, numpy scalars, None, odd strings and a step with an extra key."""
    from gait.report import jsonout

    rng = np.random.default_rng(4)
    x = _hostile_values(rng, 300)
    big = copy.deepcopy(doc)
    big["events"] = [{"t": float(x[i]), "kind": "IC" if i % 2 else "FC",
                      "side": [None, "L", "R", 'é"\\\n'][i % 4], "confidence": float(x[-i])}
                     for i in range(len(x))]
    big["steps"] = [{**s, "ic": float(x[i]), "bout": i % 3 if i % 5 else np.int64(2),
                     "stance_s": np.float64(x[i // 2]) if i % 7 else None}
                    for i, s in enumerate(big["steps"])]
    odd = copy.deepcopy(big)
    odd["steps"][7]["extra"] = [1.0, 2.0]  # not a table any more: written the usual way
    texts = [dumps(d) for d in (doc, big, odd)]
    monkeypatch.setattr(jsonout, "TABLE_BLOCK", 7)  # rows rendered 7 at a time
    assert texts == [dumps(d) for d in (doc, big, odd)]
    fh = io.StringIO()
    jsonout.dump(big, fh)
    assert fh.getvalue() == texts[1]
    monkeypatch.setattr(jsonout, "_TABLE_MIN", 10**9)  # generic writer only
    assert texts == [dumps(d) for d in (doc, big, odd)]
    assert '"extra": [1.0, 2.0]' in texts[2]


def test_dumps_key_order_does_not_depend_on_insertion(doc: dict[str, Any]) -> None:
    shuffled = {k: doc[k] for k in reversed(list(doc))}
    shuffled["per_side"] = {s: dict(reversed(list(v.items())))
                            for s, v in reversed(list(doc["per_side"].items()))}
    assert dumps(shuffled) == dumps(doc)


def _set(d: dict[str, Any], path: str, value: Any) -> None:
    keys = re.findall(r"[^.\[\]]+", path)
    for k in keys[:-1]:
        d = d[int(k)] if isinstance(d, list) else d[k]
    last = keys[-1]
    if value is _DELETE:
        del d[last]
    elif isinstance(d, list):
        d[int(last)] = value
    else:
        d[last] = value


_DELETE = object()


@pytest.mark.parametrize(("path", "value", "message"), [
    ("schema", "gait-report/2", "schema: expected one of 'gait-report/1'"),
    ("created_utc", "yesterday", "created_utc: expected an ISO 8601 date-time"),
    ("disclaimer", _DELETE, "disclaimer: missing"),
    ("recording.duration_s", "150", "recording.duration_s: expected a number, got string"),
    ("recording.platform", 3, "recording.platform: expected a string or null"),
    ("recording.streams[0].acc_kind", "raw", "recording.streams[0].acc_kind: expected one of"),
    ("recording.streams[0].missing_pct", 140.0, "recording.streams[0].missing_pct: expected a"),
    ("recording.warnings[0]", None, "recording.warnings[0]: expected a string"),
    ("gait_kind", "crawl", "gait_kind: expected one of 'walk', 'run', 'mixed'"),
    ("bouts[1].end", 1.0, "bouts[1].end: expected >= start"),
    ("quality.n_steps", 211.5, "quality.n_steps: expected an integer"),
    ("quality.ok", "yes", "quality.ok: expected true or false"),
    ("per_side.R", _DELETE, "per_side.R: missing"),
    ("per_side.L.stance_s.mean", "0.67", "per_side.L.stance_s.mean: expected a number or null"),
    ("per_side.L.impact_ms2.n", -1, "per_side.L.impact_ms2.n: expected an integer >= 0"),
    ("symmetry.stance_s.ci95", [1.0], "symmetry.stance_s.ci95: expected a list of 2 items"),
    ("symmetry.step_s.si_pct", float("nan"), "symmetry.step_s.si_pct: expected a number, got null"),
    ("trunk.harmonic_ratio_v", "2.4", "trunk.harmonic_ratio_v: expected a number or null"),
    ("trunk.cadence", 1.0, "trunk.cadence: unknown key"),
    ("verdict.level", "severe", "verdict.level: expected one of 'balanced', 'mild'"),
    ("verdict.towards", "left", "verdict.towards: expected one of 'L', 'R', null"),
    ("verdict.findings[2].level", "mild!", "verdict.findings[2].level: expected one of"),
    ("verdict.thresholds[0].marked_pct", 1.0, "verdict.thresholds[0].marked_pct: expected >="),
    ("verdict.advice", "rest", "verdict.advice: expected a list"),
    ("steps[5].side", "X", "steps[5].side: expected one of 'L', 'R'"),
    ("steps[7].ic", None, "steps[7].ic: expected a number, got null"),
    ("steps[9].impact_ms2", "hard", "steps[9].impact_ms2: expected a number or null"),
    ("steps[11].bout", -2, "steps[11].bout: expected an integer >= -1"),
    ("events[3].confidence", 1.5, "events[3].confidence: expected a number in [0, 1]"),
    ("events[4].kind", "HS", "events[4].kind: expected one of 'IC', 'FC'"),
    # the schema is exact: unknown keys (a newer document has a newer schema name) and every
    # key of the document are checked
    ("extra_from_a_newer_version", {"x": 1}, "extra_from_a_newer_version: unknown key"),
    ("quality.extra", 1, "quality.extra: unknown key"),
    ("symmetry.cadence", {}, "symmetry.cadence: unknown key (expected one of 'stance_s'"),
    ("steps[3].speed", 1.2, "steps[3].speed: unknown key"),
    ("headline", _DELETE, "headline: missing"),
    ("headline.title", 3, "headline.title: expected a string, got integer 3"),
    ("quality.notes", _DELETE, "quality.notes: missing"),
    ("verdict.findings[0].counts", "yes", "verdict.findings[0].counts: expected true or false"),
    ("recording.streams[0].n_samples", -5, "recording.streams[0].n_samples: expected an integer"
     " >= 0"),
])
def test_validate_names_the_path_of_the_first_problem(doc: dict[str, Any], path: str,
                                                       value: Any, message: str) -> None:
    bad = copy.deepcopy(doc)
    _set(bad, path, value)
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        validate(bad)


def test_validate_rejects_a_non_document() -> None:
    with pytest.raises(ValueError, match=r"^\(document\): expected an object"):
        validate([1, 2])


def test_validate_accepts_optional_and_null_parts(doc: dict[str, Any]) -> None:
    d = copy.deepcopy(doc)
    d["trunk"] = {}
    d["recording"]["platform"] = None
    for s in "LR":
        del d["per_side"][s]["pelvic_drop_deg"]
        d["per_side"][s]["swing_s"]["mean"] = None
    del d["symmetry"]["pelvic_drop_deg"]
    d["steps"][0]["fc"] = None
    d["steps"][1]["pelvic_drop_deg"] = float("nan")
    del d["steps"][2]["loading_rate_ms3"]
    d["symmetry"]["stance_s"]["ci95"] = [None, None]
    validate(d)
    validate(json.loads(dumps(d)))


# --- terminal --------------------------------------------------------------------------------

def test_text_fits_80_columns_and_shows_the_essentials(doc: dict[str, Any]) -> None:
    out = render_text_str(doc)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "walk_weight_shift_left.csv" in out
    assert f"{doc['quality']['n_steps']} steps" in out
    ps = doc["per_side"]
    for s in "LR":
        assert f"{ps[s]['stance_s']['mean']:.3f}±{ps[s]['stance_s']['sd']:.3f}" in out
        assert f"{ps[s]['impact_ms2']['mean']:.1f}±{ps[s]['impact_ms2']['sd']:.1f}" in out
    si = doc["symmetry"]["stance_s"]
    assert f"{si['si_pct']:+.1f}" in out
    assert f"{si['left_share_pct']:.1f}" in out
    assert doc["verdict"]["level"].upper() in out
    for text in ("Stance time", "Impact", "Pelvic drop", "m/s²", doc["disclaimer"][:30],
                 doc["verdict"]["advice"][0][:30], "Step regularity"):
        assert text in out, text
    for f in doc["verdict"]["findings"]:
        assert f["label"] in out


def test_text_stays_in_80_columns_with_long_and_hostile_content(doc: dict[str, Any]) -> None:
    d = copy.deepcopy(doc)
    d["recording"]["file"] = "[bold red]x[/] " + "very_long_name_" * 12 + ".csv"
    d["verdict"]["level"] = "undetermined"
    d["verdict"]["towards"] = None
    d["quality"]["ok"] = False
    d["quality"]["problems"] = ["only 12 steps on the right " * 5, "sensor [clipped]"]
    d["symmetry"]["stance_s"]["ci95"] = [None, None]
    d["headline"] = headline(d)
    for w in (80, 60):
        out = render_text_str(d, width=w)
        assert max(len(line) for line in out.splitlines()) <= w
    out = render_text_str(d)
    assert "[bold red]x[/]" in out  # shown literally, not as markup
    assert "sensor [clipped]" in out and "UNDETERMINED" in out


def test_text_without_trunk_and_pelvic_drop(doc: dict[str, Any]) -> None:
    d = copy.deepcopy(doc)
    d["trunk"] = {}
    for s in "LR":
        del d["per_side"][s]["pelvic_drop_deg"]
    del d["symmetry"]["pelvic_drop_deg"]
    out = render_text_str(d)
    assert "Pelvic drop (" not in out.split("Verdict")[0] and "regularity" not in out


def test_render_text_writes_to_a_given_console(doc: dict[str, Any]) -> None:
    buf = io.StringIO()
    console = Console(file=buf, width=80, force_terminal=True, color_system="truecolor")
    render_text(doc, console)
    out = buf.getvalue()
    assert "\x1b[" in out and "Stance time" in out  # coloured


# --- HTML ------------------------------------------------------------------------------------

def test_html_is_self_contained(doc: dict[str, Any]) -> None:
    page = render_html(doc)
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    refs = re.findall(r"""(?:src|href)\s*=\s*["']?([^"' >]+)""", page, flags=re.I)
    assert all(r.startswith("#") for r in refs), refs
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls
    assert "@import" not in page and "url(http" not in page
    assert "default-src 'none'" in page  # the browser itself refuses any fetch


def test_html_has_four_accessible_plots_with_data(doc: dict[str, Any]) -> None:
    page = render_html(doc)
    svgs = _svgs(page)
    assert len(svgs) == 4
    ids = [s.get("id") for s in svgs]
    assert ids == ["plot-stance", "plot-stance-dist", "plot-impact", "plot-symmetry"]
    for s in svgs:
        assert s.get("class") == "plot" and s.get("role") == "img"
        assert len(s.get("aria-label", "")) > 20
        title = s.find(f"{SVG_NS}title")
        assert title is not None and title.text
        assert s.get("viewBox", "").startswith("0 0 900 ")  # scales to the page width
        assert len(s.findall(f".//{SVG_NS}path")) >= 4  # data, axes, ticks
        assert len(s.findall(f".//{SVG_NS}text")) >= 5  # tick labels kept as text
    # data: the along-the-walk plots draw a path per side, in the side's colour, with a vertex
    # per step
    for plot in (svgs[0], svgs[2]):
        for side, colour in (("L", "#0072B2"), ("R", "#E69F00")):
            paths = [p for p in plot.iter(f"{SVG_NS}path") if p.get("stroke") == colour]
            vertices = max(len(re.findall(r"[ML]-?\d", p.get("d", ""))) for p in paths)
            assert vertices >= doc["quality"][f"n_steps_{side}"] - 2
    # the histogram outlines both sides; the symmetry plot has one dot per parameter
    assert {p.get("stroke") for p in svgs[1].iter(f"{SVG_NS}path")} >= {"#0072B2", "#E69F00"}
    dots = svgs[3].findall(f".//{SVG_NS}circle")
    assert len(dots) == len([k for k in parameter_keys(doc) if k in doc["symmetry"]])
    labels = [t.text for t in svgs[3].iter(f"{SVG_NS}text")]
    assert "Stance time" in labels and "← right larger" in labels
    # no duplicate ids across the page (clip-path ids are prefixed per plot)
    all_ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(all_ids) == len(set(all_ids))
    # the same four plots for a phone, 360 units wide, their legends in HTML
    narrow = _svgs(page, narrow=True)
    assert [s.get("id") for s in narrow] == [f"{i}-narrow" for i in ids]
    assert all(s.get("viewBox", "").startswith("0 0 360 ") for s in narrow)
    assert page.count('<ul class="legend">') == 3  # the symmetry plot has no legend
    # parameters that do not count are never drawn in the verdict's colours
    from gait.report.plots import INFO_COLOR, LEVEL_COLOR

    fills = [c.get("fill") for c in dots]
    keys = [k for k in parameter_keys(doc) if k in doc["symmetry"]]
    counted = counting(doc)
    assert counted == {"stance_s"}
    for k, fill in zip(keys, fills, strict=True):
        if k in counted:
            assert fill in LEVEL_COLOR.values(), k
        else:
            assert fill == INFO_COLOR, k


def test_html_sections_and_verdict_colour(doc: dict[str, Any]) -> None:
    page = render_html(doc)
    lvl = doc["verdict"]["level"]
    assert f'class="verdict level-{lvl}"' in page
    for sec in ("summary", "plots", "parameters", "findings", "explanation", "advice",
                "thresholds", "quality", "recording"):
        assert f'id="{sec}"' in page, sec
    # the answer first: the headline, then the table, findings and advice, then the plots
    assert page.index('id="summary"') < page.index('class="headline"') < page.index(
        'id="parameters"') < page.index('id="findings"') < page.index(
        'class="disclaimer"') < page.index('id="plots"') < page.index('id="recording"')
    ps = doc["per_side"]
    assert f"{ps['L']['stance_s']['mean']:.3f}" in page
    assert "Patterson et al. 2010" in page and "3 backwards timestamps sorted" in page
    assert "Step regularity" in page
    assert f"{doc['overall']['cadence_spm']:.0f} steps/min" in page


def test_html_escapes_all_text(doc: dict[str, Any]) -> None:
    d = copy.deepcopy(doc)
    evil = "<script>alert(1)</script>.csv"
    d["recording"]["file"] = evil
    d["verdict"]["summary"] = "<img src=x onerror=alert(2)>"
    d["verdict"]["findings"][0]["label"] = "<b>stance</b>"
    d["recording"]["warnings"].append('"><svg onload=alert(3)>')
    page = render_html(d)
    assert "<script" not in page and "<img" not in page and "onload=alert" not in page.replace(
        "&quot;&gt;&lt;svg onload=alert(3)&gt;", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.csv" in page
    assert "<b>stance</b>" not in page


def test_html_of_a_one_hour_walk_stays_small() -> None:
    d = make_doc(duration_s=3600.0, seed=2)
    assert d["quality"]["n_steps"] > 6000
    page = render_html(d)
    assert len(page.encode()) < 2_000_000
    assert len(_svgs(page)) == 4


def test_html_without_steps_or_symmetry_still_renders(doc: dict[str, Any]) -> None:
    d = copy.deepcopy(doc)
    d["steps"], d["events"], d["bouts"], d["symmetry"], d["trunk"] = [], [], [], {}, {}
    d["per_side"] = {"L": {}, "R": {}}
    d["verdict"].update(level="undetermined", towards=None, findings=[],
                        summary="Too few steps to tell.")
    d["quality"].update(ok=False, n_steps=0, n_steps_L=0, n_steps_R=0,
                        problems=["only 0 steps detected"])
    d["headline"] = headline(d)
    validate(d)
    page = render_html(d)
    assert len(_svgs(page)) == 4 and "level-undetermined" in page
    assert "only 0 steps detected" in page
    out = render_text_str(d)
    assert "UNDETERMINED" in out and "only 0 steps detected" in out


def test_package_exports() -> None:
    assert set(report.__all__) >= {"render_text", "render_text_str", "render_html", "dumps",
                                   "validate"}
