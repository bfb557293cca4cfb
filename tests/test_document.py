"""The report document typed (gait.document) and its JSON Schema (gait/report/schema/).

Every report these tests write validates against the schema: ``gait report --json``, the
bundled recordings (whole and chunked), the simulator's every placement, a run, one leg, a
too-short walk, and what ``gait batch`` keeps for the history. A broken document is rejected
with one line naming the file and the JSON path; a document read back is the document written.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest

import gait
from gait import document
from gait.analysis.single import Analysis, analyse
from gait.batch import analyse_one
from gait.errors import GaitInputError
from gait.interpret import SENSOR_KINDS
from gait.parameters import NAMES, SCHEMA
from gait.report import validation
from gait.report.jsonout import FINDING_LEVELS, LEVELS, TRUNK, dumps
from gait.report.validation import loads, schema, validate
from gait.simulate import SIM_PLACEMENTS, simulate
from gait.table import Table

from .conftest import REPO
from .test_cli import run

RECORDINGS = sorted((REPO / "recordings").glob("*.gait.json"))
QUIET = {"noise": (0.02, 0.003)}


def _checked(a: Analysis) -> Analysis:
    """Every form of the analysis's document validates; the typed one writes the same JSON."""
    assert isinstance(a.report, document.Report)
    validate(a.report)
    validate(a.doc)
    text = dumps(a.report)
    assert text == dumps(a.doc)
    validate(json.loads(text))
    jsonschema.validate(json.loads(text), schema())  # the plain library agrees
    return a


# --- the schema file ---------------------------------------------------------------------------

def test_schema_is_draft_2020_12_and_names_what_the_code_names() -> None:
    s = schema()
    jsonschema.Draft202012Validator.check_schema(s)
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert s["properties"]["schema"] == {"const": SCHEMA}
    defs = s["$defs"]
    assert defs["parameter"]["enum"] == list(NAMES)
    assert s["properties"]["trunk"]["propertyNames"]["enum"] == list(TRUNK)
    assert defs["verdict"]["properties"]["level"]["enum"] == list(LEVELS)
    assert defs["headline"]["properties"]["level"]["enum"] == list(LEVELS)
    assert defs["finding"]["properties"]["level"]["enum"] == list(FINDING_LEVELS)
    assert defs["threshold"]["properties"]["sensors"]["enum"] == list(SENSOR_KINDS)
    assert set(s["required"]) == {f.name for f in dataclasses.fields(document.Report)}
    # the schema and the dataclasses name the same keys, object by object
    pairs = {"stream": document.Stream, "recording": document.RecordingInfo,
             "bout": document.Bout, "quality": document.Quality, "stat": document.Stat,
             "overall": document.Overall, "finding": document.Finding,
             "position": document.Position, "band": document.Band,
             "threshold": document.Threshold, "cause": document.Cause,
             "verdict": document.Verdict}
    for name, cls in pairs.items():
        assert list(defs[name]["properties"]) == [f.name for f in dataclasses.fields(cls)], name
        assert defs[name]["additionalProperties"] is False
        optional = {f.name for f in dataclasses.fields(cls) if f.metadata.get("omit")}
        assert set(defs[name]["required"]) == set(defs[name]["properties"]) - optional, name
    assert set(s["properties"]) == {f.name for f in dataclasses.fields(document.Report)}
    sym = [f.name for f in dataclasses.fields(document.Symmetry) if f.name != "walking"]
    sym += [f.name for f in dataclasses.fields(document.StepAsymmetry)]
    assert list(defs["symmetry"]["properties"]) == sym
    head = [f.name for f in dataclasses.fields(document.Headline)][:5]
    head += [f.name for g in (document.HeadlineNumber, document.HeadlineCause)
             for f in dataclasses.fields(g)]
    assert list(defs["headline"]["properties"]) == head


def test_one_schema_constant_per_document() -> None:
    """Each document's schema name is one constant in gait/ (the report's:
    gait.parameters.SCHEMA, which the schema file states and every module imports)."""
    consts = [(p.relative_to(REPO).as_posix(), m.group(1))
              for p in sorted((REPO / "gait").rglob("*.py"))
              for m in re.finditer(r'^\w*SCHEMA\w* = "([^"]+)"', p.read_text(), re.M)]
    names = [v for _, v in consts]
    assert len(names) == len(set(names)), consts
    assert {"gait-report/1", "gait-events/1", "gait-history/1"} <= set(names)
    literal = [p for p in (REPO / "gait").rglob("*.py")
               if re.search(r'"schema": "gait-', p.read_text())]
    assert literal == []  # every document names its schema by its constant
    assert ("gait/parameters.py", SCHEMA) in consts
    assert validation.SCHEMA is document.SCHEMA is SCHEMA


# --- every written report validates ------------------------------------------------------------

@pytest.mark.parametrize("manifest", RECORDINGS, ids=[m.name for m in RECORDINGS])
def test_bundled_recordings_validate_whole_and_chunked(manifest: Path) -> None:
    a = _checked(analyse(gait.load(manifest)))
    chunked = _checked(gait.analyse(manifest, jobs=1))
    assert chunked.report is not None
    assert chunked.report.verdict.level == a.report.verdict.level


@pytest.mark.parametrize("placement", SIM_PLACEMENTS)
def test_simulated_recordings_of_every_placement_validate(placement: str) -> None:
    rec, _ = simulate(40, placements=(placement,), seed=3)
    a = _checked(analyse(rec))
    assert a.report.recording.streams[0].placement.startswith(placement)


@pytest.mark.parametrize("kw", [
    {"placements": ("left_foot", "right_foot", "lower_back"), "gait": "run", "duration_s": 40},
    {"placements": ("lower_back",), "duration_s": 8},  # undetermined: too short
    {"placements": ("lower_back",), "duration_s": 60, "stance_asym_pct": 12.0},
    {"placements": ("lower_back",), "duration_s": 40, "fs": 40.0},  # coarse: impact left out
], ids=["run-three-sensors", "too-short", "weight-shift", "40-hz"])
def test_simulated_special_cases_validate(kw: dict[str, Any]) -> None:
    rec, _ = simulate(seed=4, **kw)
    _checked(analyse(rec))


def test_gait_report_json_validates_and_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    r = run("report", str(REPO / "recordings" / "walk_two_feet.gait.json"), "--json", str(out),
            "--no-history", "--quiet")
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    back = loads(text, str(out))
    assert isinstance(back, document.Report) and back.sources == ("left_foot", "right_foot")
    assert dumps(back).rstrip() == text.rstrip()  # the file ends in one more newline


def test_what_batch_keeps_for_the_history_is_the_document() -> None:
    res = analyse_one(str(REPO / "recordings" / "walk_symmetric.gait.json"), keep_doc=True)
    assert res["row"]["status"] == "ok"
    validate({**res["doc"], "steps": [], "events": []})  # batch leaves out only the tables


# --- round trip --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def analysed() -> Analysis:
    rec, _ = simulate(60, placements=("lower_back", "left_foot", "right_foot"), seed=5)
    return analyse(rec)


def test_document_json_document_round_trip(analysed: Analysis) -> None:
    first = loads(dumps(analysed.report))
    assert dumps(first) == dumps(analysed.report)  # the JSON read back writes the same JSON
    second = loads(dumps(first))
    assert second == first  # and gives the equal document
    assert first != dataclasses.replace(first, gait_kind="run")
    assert isinstance(first.steps, Table) and first.steps.column("ic").dtype == np.float64
    assert first.steps.column("bout").dtype == np.int64
    assert first.symmetry["stance_s"].si_pct == pytest.approx(
        analysed.report.symmetry["stance_s"].si_pct, rel=1e-5)
    assert first.to_dict()["quality"] == json.loads(dumps(analysed.doc))["quality"]
    assert isinstance(first.verdict.findings[0], document.Finding)
    assert first.headline.number is not None and first.headline.undetermined is None


def test_dataclasses_are_frozen_and_typed(analysed: Analysis) -> None:
    rep = analysed.report
    with pytest.raises(dataclasses.FrozenInstanceError):
        rep.gait_kind = "run"  # type: ignore[misc]
    assert not hasattr(rep, "__dict__")  # slots
    assert isinstance(rep.quality.problems, tuple) and isinstance(rep.bouts[0], document.Bout)
    assert analysed.doc["quality"]["problems"] == list(rep.quality.problems)


def test_optional_groups_are_left_out_or_written_whole() -> None:
    s = document.Symmetry(1.0, (0.5, 1.5), 50.2, (50.0, 50.4), 1.0, 30)
    assert "limit_pct" not in s.to_dict() and "walking" not in s.to_dict()
    w = dataclasses.replace(s, walking=document.StepAsymmetry(None, 0, 7.7))
    assert w.to_dict() | {} == {**s.to_dict(), "asymmetric_steps_pct": None,
                                "n_step_pairs": 0, "limit_pct": 7.7}
    assert document.Symmetry.from_dict(w.to_dict()) == w
    assert document.Symmetry.from_dict(s.to_dict()) == s


# --- broken documents --------------------------------------------------------------------------

def _text(analysed: Analysis, change: Any) -> str:
    d = json.loads(dumps(analysed.report))
    change(d)
    return json.dumps(d)


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["quality"].pop("n_bouts"), "r.json: quality.n_bouts: missing"),
    (lambda d: d["verdict"].__setitem__("findings", {}),
     "r.json: verdict.findings: expected a list, got object {}"),
    (lambda d: d["steps"][7].__setitem__("stance_s", "0.6"),
     "r.json: steps[7].stance_s: expected a number or null, got string '0.6'"),
    (lambda d: d["events"][2].__setitem__("speed", 1.0), "r.json: events[2].speed: unknown key"),
    (lambda d: d.__setitem__("comment", "x"), "r.json: comment: unknown key"),
    (lambda d: d["per_side"]["L"].__setitem__("speed", d["per_side"]["L"]["stance_s"]),
     "r.json: per_side.L.speed: unknown key (expected one of 'stance_s'"),
    (lambda d: d["headline"].__setitem__("si_pct", 3.0) or d["headline"].pop("parameter"),
     "r.json: headline: "),
])
def test_a_broken_document_is_rejected_in_one_line(analysed: Analysis, change: Any,
                                                   message: str) -> None:
    with pytest.raises(GaitInputError) as exc:
        loads(_text(analysed, change), "r.json")
    text = str(exc.value)
    assert text.startswith(message) and "\n" not in text
    assert exc.value.path == "r.json"


def test_the_first_problem_in_the_document_is_named(analysed: Analysis) -> None:
    def two(d: dict[str, Any]) -> None:
        d["events"][0]["kind"] = "HS"
        d["recording"]["streams"][0]["acc_kind"] = "raw"

    with pytest.raises(GaitInputError, match=r"^r\.json: recording\.streams\[0\]\.acc_kind: "):
        loads(_text(analysed, two), "r.json")


def test_not_json_is_rejected_in_one_line() -> None:
    with pytest.raises(GaitInputError, match=r"^r\.json: line 1, column 2: not JSON"):
        loads("{oops", "r.json")
    with pytest.raises(GaitInputError, match=r"^r\.json: \(document\): expected an object"):
        loads("[1, 2]", "r.json")


def test_a_bad_row_of_a_table_is_named(analysed: Analysis) -> None:
    d = dict(analysed.doc)
    t = d["steps"]
    ic = t.column("ic").copy()
    ic[17] = np.nan
    d["steps"] = Table({k: (ic if k == "ic" else t.codes(k) or t.column(k)) for k in t.keys})
    with pytest.raises(ValueError, match=r"^steps\[17\]\.ic: expected a number, got null$"):
        validate(d)
    bad = copy.deepcopy(analysed.doc)
    bad["bouts"] = [{"start": 5.0, "end": 4.0, "kind": "walk"}]
    with pytest.raises(ValueError, match=r"^bouts\[0\]\.end: expected >= start"):
        validate(bad)


@pytest.mark.parametrize(("bad", "message"), [
    ({3000: ("side", "X")}, "steps[3000].side: expected one of 'L', 'R', got string 'X'"),
    ({2500: ("speed", 1.0)}, "steps[2500].speed: unknown key"),
    ({2500: ("speed", 1.0), 2000: ("side", "Q")}, "steps[2000].side: expected one of"),
    ({2500: ("bout", -3), 2700: ("ic", None)}, "steps[2500].bout: expected an integer >= -1"),
    ({2700: ("ic", ...)}, "steps[2700].ic: missing"),
])
def test_long_tables_read_back_name_their_first_bad_row(analysed: Analysis,
                                                        bad: dict[int, Any],
                                                        message: str) -> None:
    """Rows read back from JSON are checked by column (a day's rows in seconds, not minutes)
    and still name the first bad row, whatever the kinds of problem."""
    d = json.loads(dumps(analysed.report))
    d["steps"] = [dict(r) for r in d["steps"] * (4000 // len(d["steps"]) + 1)]
    validate(d)
    for i, (k, v) in bad.items():
        if v is ...:
            del d["steps"][i][k]
        else:
            d["steps"][i][k] = v
    with pytest.raises(GaitInputError) as exc:
        validate(d)
    assert str(exc.value).startswith(message)
