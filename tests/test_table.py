"""The columnar step and event tables of the report document (:class:`gait.table.Table`).

They must read like the lists of dicts the document held before (same keys, order, Python types
and None for non-finite values), write the same JSON bytes as those lists (and as a plain
``json.dumps`` of each rounded row), validate with the same messages, draw the same HTML and
terminal header, and stay small: no per-row dicts are made to build or write them.
"""

from __future__ import annotations

import copy
import io
import json
import pickle
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from gait.analysis.single import _event_table, _finite, _step_table, analyse
from gait.api import load
from gait.report import jsonout, render_html, render_text_str, validate
from gait.report.text import header_text
from gait.table import Codes, Table

from .test_report import make_doc

REPO = Path(__file__).resolve().parents[1]


# --- the lists of dicts the document held before (gait.analysis.single up to 42f2df5) ------------

def _old_column_values(col: pd.Series) -> list[Any]:
    if col.dtype.kind == "f":
        a = col.to_numpy(np.float64)
        out = a.tolist()
        for i in np.flatnonzero(~np.isfinite(a)).tolist():
            out[i] = None
        return out
    return [_finite(x) for x in col.tolist()]


def _old_step_records(steps: pd.DataFrame, cols: list[str]) -> list[dict[str, Any]]:
    vals = [steps[c].to_numpy().astype(np.int64).tolist() if c == "bout"
            else _old_column_values(steps[c]) for c in cols]
    return [dict(zip(cols, row, strict=True)) for row in zip(*vals, strict=True)]


def _old_event_records(events: pd.DataFrame) -> list[dict[str, Any]]:
    t = events["t"].to_numpy(np.float64).tolist()
    kind = [str(k) for k in events["kind"].tolist()]
    side = [s if s in ("L", "R") else None for s in events["side"].tolist()]
    conf = events["confidence"].to_numpy(np.float64).tolist()
    rows = [{"t": a, "kind": b, "side": c, "confidence": d}
            for a, b, c, d in zip(t, kind, side, conf, strict=True)]
    if "side_confidence" in events:  # detect_events' tables carry each side's confidence
        for r, sc in zip(rows, events["side_confidence"].to_numpy(np.float64).tolist(),
                         strict=True):
            r["side_confidence"] = sc
    return rows


def _typed(rows: Any) -> list[list[tuple[str, str, Any]]]:
    """Rows as (key, type name, value) in key order: == alone would take 1 for 1.0."""
    return [[(k, type(v).__name__, v) for k, v in r.items()] for r in rows]


# --- fixtures --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def analysed() -> Any:
    return analyse(load(REPO / "recordings" / "walk_weight_shift_left.gait.json"), n_boot=200)


def _hostile_steps(n: int = 500, seed: int = 1) -> pd.DataFrame:
    """A step table with every kind of awkward value: NaN, +-inf, -0.0, halves, huge, tiny."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 50, n)
    x[::7] = np.nan
    x[1::11] = np.inf
    x[2::13] = -np.inf
    x[3::17] = -0.0
    x[4::19] = (rng.integers(0, 10**6, len(x[4::19])) + 0.5) / 1e4
    x[5::23] = 10 ** rng.uniform(-12, 20, len(x[5::23]))
    return pd.DataFrame({
        "side": np.where(rng.random(n) < 0.5, "L", "R").astype(object),
        "ic": np.sort(rng.random(n) * 86400),
        "fc": np.where(rng.random(n) < 0.1, np.nan, rng.random(n) * 86400),
        "bout": rng.integers(-1, 40, n).astype(float),
        "stance_s": x, "impact_ms2": x[::-1].copy(),
        "n_thing": rng.integers(0, 5, n),  # an integer column stays integers
        "flag": rng.random(n) < 0.3,  # a boolean one stays booleans
    })


def _hostile_events(n: int = 700, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    side = np.array(["L", "R", None, "?", np.nan, "L "], dtype=object)[rng.integers(0, 6, n)]
    t = rng.random(n) * 86400
    t[::31] = np.nan
    return pd.DataFrame({"t": t, "kind": np.where(rng.random(n) < 0.5, "IC", "FC"),
                         "side": side, "confidence": rng.random(n)})


def _as_lists(doc: dict[str, Any]) -> dict[str, Any]:
    return {**doc, "steps": list(doc["steps"]), "events": list(doc["events"])}


# --- the table itself ------------------------------------------------------------------------

def test_table_reads_like_its_list_of_dicts() -> None:
    t = Table({"side": ["L", "R", None, "L"], "x": np.array([1.5, np.nan, np.inf, -0.0]),
               "n": np.array([3, -1, 0, 7], dtype=np.int32), "ok": np.array([True, False] * 2)})
    rows = [{"side": "L", "x": 1.5, "n": 3, "ok": True},
            {"side": "R", "x": None, "n": -1, "ok": False},
            {"side": None, "x": None, "n": 0, "ok": True},
            {"side": "L", "x": -0.0, "n": 7, "ok": False}]
    assert len(t) == 4 and t.keys == ("side", "x", "n", "ok")
    assert list(t) == rows and t == rows and rows == t and t.to_list() == rows
    assert _typed(t) == _typed(rows)
    assert t[0] == rows[0] and t[-1] == rows[-1] and t[np.int64(2)] == rows[2]
    with pytest.raises(IndexError):
        t[4]
    assert t != rows[:3] and t != [*rows[:3], {**rows[3], "n": 8}]
    assert t[1:3] == rows[1:3] and isinstance(t[1:3], Table)
    assert t[np.array([True, False, False, True])] == [rows[0], rows[3]]
    assert t == Table({k: [r[k] for r in rows] for k in ("ok", "n", "x", "side")})
    assert t != Table({"side": ["L"] * 4, "x": np.zeros(4), "n": np.zeros(4, int),
                       "ok": [True] * 4})
    assert bool(t) and not Table({}) and len(Table({"x": np.zeros(0)})) == 0
    np.testing.assert_array_equal(t.column("x"), [1.5, np.nan, np.nan, -0.0])
    assert t.column("n").dtype == np.int64 and t.column("side").tolist() == ["L", "R", None, "L"]
    assert t.codes("x") is None and t.codes("side").labels == ("L", "R", None)
    assert t.isin("side", ("L",)).tolist() == [True, False, False, True]
    assert t.isin("side", ("L", None)).tolist() == [True, False, True, True]
    assert t.isin("x", (None,)).tolist() == [False, True, True, False]
    assert t.isin("missing", ("L",)).tolist() == [False] * 4
    with pytest.raises(ValueError):
        t.column("x")[0] = 2.0  # read-only
    assert "4 rows" in repr(t)
    assert copy.deepcopy(t) is t and pickle.loads(pickle.dumps(t)) == rows
    with pytest.raises(ValueError, match="different lengths"):
        Table({"a": np.zeros(2), "b": np.zeros(3)})


def test_table_does_not_share_the_callers_array() -> None:
    a = np.array([1.0, 2.0])
    t = Table({"a": a})
    a[0] = 9.0
    assert t[0] == {"a": 1.0}


def test_codes_of_normalises_labels() -> None:
    c = Codes.of(np.array(["IC", np.float64(np.nan), None, "IC", np.int64(3)], dtype=object))
    assert c.codes.tolist() == [0, 1, 2, 0, 3] and c.labels == ("IC", None, None, 3)
    assert type(c.labels[3]) is int


# --- the document's tables equal the old lists of dicts --------------------------------------

def test_step_and_event_tables_equal_the_old_records(analysed: Any) -> None:
    steps, events = analysed.steps, analysed.detection.events
    cols = list(analysed.doc["steps"].keys)
    assert cols[:4] == ["side", "ic", "fc", "bout"]
    assert _typed(analysed.doc["steps"]) == _typed(_old_step_records(steps, cols))
    assert _typed(analysed.doc["events"]) == _typed(_old_event_records(events))
    assert analysed.doc["steps"] == _old_step_records(steps, cols)


def test_hostile_tables_equal_the_old_records() -> None:
    steps = _hostile_steps()
    cols = list(steps.columns)
    new, old = _step_table(steps, cols), _old_step_records(steps, cols)
    assert _typed(new) == _typed(old)
    events = _hostile_events()
    # the old event rows kept a NaN time as nan (JSON null all the same); tables say None
    old_events = [{k: None if isinstance(v, float) and np.isnan(v) else v for k, v in r.items()}
                  for r in _old_event_records(events)]
    assert _typed(_event_table(events)) == _typed(old_events)
    assert jsonout.dumps({"e": _event_table(events)}) == jsonout.dumps(
        {"e": _old_event_records(events)})
    empty = _hostile_events().iloc[:0]
    assert list(_event_table(empty)) == _old_event_records(empty) == []


def test_analysis_doc_is_usable_as_before(analysed: Any) -> None:
    doc = analysed.doc
    validate(doc)
    assert isinstance(doc["steps"], Table) and isinstance(doc["events"], Table)
    assert len(doc["steps"]) == doc["quality"]["n_steps"]
    first = doc["steps"][0]
    assert set(first) >= {"side", "ic", "fc", "bout", "stance_s"}
    left = [s for s in doc["steps"] if s["side"] == "L"]
    assert len(left) == doc["quality"]["n_steps_L"]
    assert sum(e["kind"] == "IC" for e in doc["events"]) >= len(doc["steps"])
    back = json.loads(jsonout.dumps(doc))
    assert len(back["steps"]) == len(doc["steps"]) and len(back["events"]) == len(doc["events"])
    assert back["steps"][0]["ic"] == pytest.approx(first["ic"], abs=1e-4)


# --- JSON ------------------------------------------------------------------------------------

def _reference_rows(rows: list[dict[str, Any]], indent: str) -> str:
    """A table's JSON as ``json.dumps`` writes each row (keys sorted, floats rounded as
    jsonout._round, non-finite as null), one row per line."""
    def plain(v: Any) -> Any:
        return jsonout._round(v) if isinstance(v, float) else v

    lines = [indent + json.dumps({k: plain(r[k]) for k in sorted(r)}, ensure_ascii=False,
                                 allow_nan=False) for r in rows]
    return "[\n" + ",\n".join(lines) + "\n" + indent[:-1] + "]"


def test_json_of_the_tables_is_json_dumps_of_their_rows(analysed: Any) -> None:
    doc = analysed.doc
    text = jsonout.dumps(doc)
    for key in ("steps", "events"):
        ref = _reference_rows(doc[key].to_list(), "  ")
        assert f'"{key}": {ref}' in text
    assert text == jsonout.dumps(_as_lists(doc))


@pytest.mark.any_document  # hostile content outside the report schema
@pytest.mark.parametrize("block", [jsonout.TABLE_BLOCK, 7])
def test_hostile_tables_write_the_bytes_of_their_lists(block: int,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    steps = _hostile_steps()
    doc = make_doc()
    doc["steps"] = _step_table(steps, list(steps.columns))
    doc["events"] = _event_table(_hostile_events())
    monkeypatch.setattr(jsonout, "TABLE_BLOCK", block)
    text = jsonout.dumps(doc)
    assert text == jsonout.dumps(_as_lists(doc))
    fh = io.StringIO()
    jsonout.dump(doc, fh)
    assert fh.getvalue() == text
    assert f'"steps": {_reference_rows(doc["steps"].to_list(), "  ")}' in text
    assert f'"events": {_reference_rows(doc["events"].to_list(), "  ")}' in text
    monkeypatch.setattr(jsonout, "_TABLE_MIN", 10**9)  # the generic writer, row by row
    assert jsonout.dumps(doc) == text


@pytest.mark.any_document  # hostile content outside the report schema
def test_short_and_empty_tables_are_written_like_lists() -> None:
    doc = make_doc()
    for n in (0, 1, jsonout._TABLE_MIN - 1, jsonout._TABLE_MIN):
        steps = _hostile_steps(n=n)
        d = {**doc, "steps": _step_table(steps, list(steps.columns)),
             "events": _event_table(_hostile_events(n=n))}
        assert jsonout.dumps(d) == jsonout.dumps(_as_lists(d)), n
    assert jsonout.to_jsonable([Table({"a": [1, 2]})]) == [[{"a": 1}, {"a": 2}]]


# --- validation ------------------------------------------------------------------------------

def _fails(doc: dict[str, Any]) -> str:
    with pytest.raises(ValueError) as exc:
        validate(doc)
    return str(exc.value)


@pytest.mark.parametrize(("key", "col", "value"), [
    ("steps", "side", "X"), ("steps", "ic", np.nan), ("steps", "bout", -2),
    ("steps", "stance_s", "slow"), ("events", "confidence", 1.5), ("events", "kind", "HS"),
    ("events", "side", "left")])
def test_tables_validate_with_the_messages_of_lists(analysed: Any, key: str, col: str,
                                                    value: Any) -> None:
    doc = dict(analysed.doc)
    validate(doc)
    t = doc[key]
    cols = {k: t.codes(k) or t.column(k) for k in t.keys}
    if isinstance(value, str):
        labels = t.column(col).tolist()
        labels[12] = value
        cols[col] = labels
    else:
        a = t.column(col).copy()
        a[12] = value
        cols[col] = a
    doc[key] = Table(cols)
    msg = _fails(doc)
    assert msg.startswith(f"{key}[12].{col}: ")
    assert msg == _fails(_as_lists(doc))


def test_table_missing_a_required_column_fails(analysed: Any) -> None:
    t = analysed.doc["events"]
    doc = {**analysed.doc, "events": Table({k: t.codes(k) or t.column(k)
                                            for k in t.keys if k != "confidence"})}
    assert _fails(doc) == "events[0].confidence: missing"


# --- HTML and terminal -----------------------------------------------------------------------

def test_html_and_text_from_tables_equal_those_from_lists(analysed: Any) -> None:
    doc = analysed.doc
    page = render_html(doc)
    assert page == render_html(_as_lists(doc))
    assert page.count("<svg") == 8 and "<path" in page  # each plot wide and for a phone
    assert render_text_str(doc) == render_text_str(_as_lists(doc))


def test_long_walk_html_draws_from_tables() -> None:
    """An hour of steps (binned plots) and one side only, from tables."""
    doc = make_doc(duration_s=3600.0, seed=2)
    rows = doc["steps"]
    keys = list(dict.fromkeys(k for r in rows for k in r))
    doc["steps"] = Table({k: [r.get(k) for r in rows] if k == "side"
                          else np.array([np.nan if r.get(k) is None else r[k] for r in rows],
                                        dtype=np.int64 if k == "bout" else float)
                          for k in keys})
    page = render_html(doc)
    assert page == render_html(_as_lists(doc)) and page.count("<svg") == 8
    left = {**doc, "steps": doc["steps"][doc["steps"].isin("side", ("L",))]}
    assert render_html(left) == render_html(_as_lists(left))


def test_unsided_steps_are_counted_from_a_table() -> None:
    doc = make_doc()
    doc["quality"].update(n_steps=0, n_steps_L=0, n_steps_R=0)
    ev = pd.DataFrame({"t": np.arange(40.0), "kind": ["IC", "FC"] * 20,
                       "side": [None] * 30 + ["L"] * 10, "confidence": np.ones(40)})
    doc["events"] = _event_table(ev)
    doc["overall"]["n_steps"] = 0  # not counted by the analysis: the header counts the table
    assert "15 steps (sides unknown)" in header_text(doc)
    assert render_text_str(doc) == render_text_str(_as_lists(doc))


# --- memory ----------------------------------------------------------------------------------

def test_a_day_of_steps_and_events_stays_small(monkeypatch: pytest.MonkeyPatch) -> None:
    """160k steps and 320k events (a 24-hour walk) take ~21 MB as tables (~200 MB as lists of
    dicts), and the JSON, HTML and terminal writers read their columns without making rows."""
    n = 160_000
    rng = np.random.default_rng(0)
    steps = pd.DataFrame({"side": np.tile(np.array(["L", "R"], dtype=object), n // 2),
                          "ic": np.arange(n) * 0.55, "fc": np.arange(n) * 0.55 + 0.6,
                          "bout": np.repeat(np.arange(n // 1000), 1000)})
    for p in ("stance_s", "swing_s", "step_s", "stride_s", "double_support_s", "impact_ms2",
              "loading_rate_ms3", "pelvic_drop_deg", "lateral_sway_ms2"):
        steps[p] = rng.random(n)
    events = pd.DataFrame({"t": np.arange(2 * n) * 0.27, "kind": np.tile(["IC", "FC"], n),
                           "side": np.tile(np.array(["L", "L", "R", "R"], dtype=object),
                                           n // 2),
                           "confidence": rng.random(2 * n)})
    doc = make_doc()
    tracemalloc.start()
    try:
        doc["steps"] = _step_table(steps, list(steps.columns))
        doc["events"] = _event_table(events)
        size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size < 30e6 and peak < 60e6, (size, peak)

    def no_rows(*_: Any) -> Any:
        raise AssertionError("a writer made rows of a table")

    monkeypatch.setattr(Table, "__iter__", no_rows)
    monkeypatch.setattr(Table, "_values", no_rows)

    class Null(io.TextIOBase):
        size = 0

        def write(self, s: str) -> int:
            self.size += len(s)
            return len(s)

    out = Null()
    jsonout.dump(doc, out)
    assert out.size > 50e6
    doc["events"] = _event_table(events.assign(side=None))
    doc["quality"].update(n_steps=0)
    doc["overall"]["n_steps"] = 0  # not counted by the analysis: the header counts the table
    assert render_html(doc).count("<svg") == 8
    assert f"{n} steps (sides unknown)" in header_text(doc)  # unsided ICs, counted by column
