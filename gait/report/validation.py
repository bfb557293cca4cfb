"""The report document checked against its JSON Schema (``schema/report.schema.json``, Draft
2020-12, shipped in this package) with ``jsonschema``, and read back (:func:`loads`).

A failure is one line: ``"<path>: <problem>"`` at the first problem in document order. The long
tables are checked by column on representative rows first (a day's rows in ~2 s instead of ~50 s),
the first bad row then found by bisection; the two orderings a schema cannot state (a bout's end
after its start, a threshold's marked after its mild) are checked here.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from gait.document import Report, rows_table
from gait.errors import GaitInputError
from gait.parameters import SCHEMA
from gait.report.jsonout import plain_value
from gait.table import Table

if TYPE_CHECKING:
    pass



SCHEMA_FILE = "schema/report.schema.json"  # in this package (gait/report/)


@functools.cache
def schema() -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of the document, ``gait/report/schema/
    report.schema.json``."""
    text = importlib.resources.files("gait.report").joinpath(SCHEMA_FILE).read_text("utf-8")
    out = json.loads(text)
    if out["properties"]["schema"]["const"] != SCHEMA:  # one name: gait.parameters.SCHEMA
        raise RuntimeError(f"{SCHEMA_FILE} describes {out['properties']['schema']['const']}, "
                           f"not {SCHEMA}")
    return out


@functools.cache
def _validator() -> Any:
    import jsonschema  # imported on first use: writing a report does not need it

    cls = jsonschema.Draft202012Validator
    return cls(schema(), format_checker=cls.FORMAT_CHECKER)


def validate(doc: Any) -> None:
    """Check an analysis document (a :class:`~gait.document.Report`, its plain form, or JSON
    read back) against the JSON Schema of "gait-report/1" (:func:`schema`), plus the two
    orderings a schema cannot state (a bout's end >= its start, a threshold's marked >= mild).

    Raises :class:`~gait.errors.GaitInputError` (a ``ValueError``) with one line naming the
    JSON path of the first problem, e.g. ``recording.streams[0].acc_kind: expected one of
    'total', 'linear', got 'raw'``. Values are checked as :func:`dumps` writes them (NaN as
    null); columnar tables by column (their distinct values and extremes), and row by row only
    to name the first bad row.
    """
    if isinstance(doc, Report):
        doc = doc.to_dict()
    if not isinstance(doc, Mapping):
        raise GaitInputError(None, f"expected an object, got {_json_type(doc)}",
                             where="(document)")
    # the long tables by column, also as lists of flat rows (JSON read back): a day's ~300k
    # rows would take the schema check ~1 min row by row
    tables = {k: v if isinstance(v, Table) else rows_table(v) for k, v in doc.items()
              if isinstance(v, Table) or (k in ("steps", "events") and _flat_rows(v))}
    try:
        plain = {str(k): (_representative_rows(tables[k]) if k in tables else plain_value(v))
                 for k, v in doc.items()}
    except TypeError as exc:
        raise GaitInputError(None, str(exc), where="(document)") from None
    problem = _first_problem(plain)
    key = None if problem is None else problem[0].split("[")[0].split(".")[0]
    if key in tables:  # nothing comes before it: name its first bad row
        problem = _first_bad_row(key, doc[key], tables[key])
    if problem is None:
        problem = _disordered(plain)
    if problem is not None:
        raise GaitInputError(None, problem[1], where=problem[0])


def loads(text: str, source: str = "<string>") -> Report:
    """The document of JSON text (a report ``gait report --json`` wrote), validated
    (:func:`validate`): a :class:`~gait.document.Report`. Raises
    :class:`~gait.errors.GaitInputError` naming ``source`` and the JSON path of the first
    problem (``report.json: steps[12].side: expected one of 'L', 'R', got 'X'``)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GaitInputError(source, f"not JSON: {exc.msg}",
                             where=f"line {exc.lineno}, column {exc.colno}") from None
    try:
        validate(doc)
    except GaitInputError as exc:
        raise GaitInputError(source, exc.what, where=exc.where) from None
    return Report.from_dict(doc)


_SCALARS = (str, int, float, bool, type(None))


def _flat_rows(v: Any) -> bool:
    """Whether ``v`` is a list of dicts of scalars (a table as JSON gives it back)."""
    return type(v) is list and all(
        type(r) is dict and all(isinstance(x, _SCALARS) for x in r.values()) for r in v)


def _representative_rows(t: Table) -> list[dict[str, Any]]:
    """Rows standing for a whole table in the schema check: column by column its labels, or
    its least and greatest finite values and null when it has any (every constraint of a
    row's schema is on one key, so these rows pass exactly when all rows do)."""
    reps: dict[str, list[Any]] = {}
    for key in t.keys:
        c = t.codes(key)
        if c is not None:  # the labels in use (a slice keeps all of the table's)
            reps[key] = [c.labels[i] for i in np.unique(c.codes).tolist()]
            continue
        a = t.column(key)
        fin = a[np.isfinite(a)] if a.dtype.kind == "f" else a
        reps[key] = [fin.min().item(), fin.max().item()] if len(fin) else []
        if len(fin) < len(a):
            reps[key].append(None)
    n = max((len(r) for r in reps.values()), default=0) if len(t) else 0
    return [plain_value({k: r[i % len(r)] for k, r in reps.items() if r}) for i in range(n)]


def _first_problem(plain: Any, validator: Any = None,
                   prefix: tuple[Any, ...] = ()) -> tuple[str, str] | None:
    """(JSON path, what is wrong) of the schema violation that comes first in the document
    (``validator``, ``prefix``: of one part, at that path)."""
    errors = list((validator or _validator()).iter_errors(plain))
    if not errors:
        return None
    found = [_described(e, prefix) for e in errors]
    return min(found, key=lambda pw: _order(plain, pw[2][len(prefix):]))[:2]


_ROW_DEFS = {"steps": "step", "events": "event"}


def _first_bad_row(key: str, rows: Any, table: Table) -> tuple[str, str] | None:
    """The first row of table ``key`` that its schema rejects: the shortest failing prefix
    by bisection on the representative rows (a prefix with a bad row fails), then that row
    checked as it is (row by row from the top if it passes: a key missing from some rows
    only)."""
    row = schema()["$defs"][_ROW_DEFS[key]]
    rv = _validator().evolve(schema=row)
    allowed, required = set(row["properties"]), set(row["required"])
    # rows read back from JSON: the first with a key missing or unknown (the table has the
    # column in every row, null where a row has no such key)
    odd = None if isinstance(rows, Table) else next(
        (i for i, r in enumerate(rows) if not required <= r.keys() <= allowed), None)
    known = Table({k: table.codes(k) or table.column(k) for k in table.keys if k in allowed})

    def passes(t: Table) -> bool:
        return all(rv.is_valid(r) for r in _representative_rows(t))

    lo, hi = 0, len(known)  # known[:lo] passes, known[:hi] fails (or is the whole table)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if passes(known[:mid]) else (lo, mid)
    first = sorted({hi - 1, odd} - {None, -1})
    for i in [*first, *range(len(table))]:
        problem = _first_problem(plain_value(rows[i]), rv, (key, i))
        if problem is not None:
            return problem
    return None


def _described(e: Any, prefix: tuple[Any, ...] = ()) -> tuple[str, str, list[Any]]:
    path = [*prefix, *e.absolute_path]
    inst = e.instance
    if e.validator == "required":
        path.append(next(k for k in e.validator_value if k not in inst))
        return _path(path), "missing", path
    if e.validator == "additionalProperties" and isinstance(inst, dict):
        known = e.schema.get("properties", {})
        path.append(next(k for k in inst if k not in known))
        return _path(path), "unknown key (not in schema gait-report/1)", path
    if "propertyNames" in e.absolute_schema_path:  # a key not among the allowed names
        path.append(inst)
        allowed = ", ".join(map(repr, e.validator_value)) if e.validator == "enum" else ""
        return _path(path), f"unknown key (expected one of {allowed})"[:200], path
    if e.validator == "dependentRequired":
        return _path(path), e.message[:200], path
    if e.validator in ("enum", "const"):
        allowed = e.validator_value if e.validator == "enum" else [e.validator_value]
        what = "expected one of " + ", ".join("null" if a is None else repr(a) for a in allowed)
    elif e.validator == "type":
        want = e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]
        what = "expected " + " or ".join(_TYPE_NAMES.get(w, w) for w in want)
    elif e.validator in ("minItems", "maxItems"):
        what = f"expected a list of {e.validator_value} items"
    elif e.validator in ("minimum", "maximum", "exclusiveMinimum"):
        sch = e.schema
        kind = "an integer" if "integer" in str(sch.get("type")) else "a number"
        if "minimum" in sch and "maximum" in sch:
            what = f"expected {kind} in [{sch['minimum']:g}, {sch['maximum']:g}]"
        else:
            word = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">"}[e.validator]
            what = f"expected {kind} {word} {e.validator_value:g}"
    elif e.validator in ("format", "pattern") and e.schema.get("format") == "date-time":
        what = "expected an ISO 8601 date-time"
    else:
        what = " ".join(e.message.split())[:200]
        return _path(path), what, path
    return _path(path), f"{what}, got {_json_type(inst)}", path


_TYPE_NAMES = {"object": "an object", "array": "a list", "string": "a string",
               "number": "a number", "integer": "an integer", "boolean": "true or false",
               "null": "null"}


def _json_type(x: Any) -> str:
    name = {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null",
            int: "integer", float: "number"}.get(type(x), type(x).__name__)
    shown = "" if x is None else " " + repr(x)[:60]
    return name + shown


def _path(path: list[Any]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(document)"


def _order(doc: Any, path: list[Any]) -> list[int]:
    """Where ``path`` lies in the document (keys in their written order)."""
    out, x = [], doc
    for p in path:
        if isinstance(x, dict) and p in x:
            out.append(list(x).index(p))
            x = x[p]
        elif isinstance(x, list) and isinstance(p, int) and p < len(x):
            out.append(p)
            x = x[p]
        else:
            out.append(len(x) if isinstance(x, dict | list) else 0)
            break
    return out


def _disordered(doc: dict[str, Any]) -> tuple[str, str] | None:
    """The first bout ending before it starts, or threshold marked below mild."""
    for i, b in enumerate(doc["bouts"]):
        if b["end"] < b["start"]:
            return f"bouts[{i}].end", f"expected >= start ({b['start']}), got {b['end']}"
    for i, t in enumerate(doc["verdict"]["thresholds"]):
        if t["marked_pct"] < t["mild_pct"]:
            return (f"verdict.thresholds[{i}].marked_pct",
                    f"expected >= mild_pct ({t['mild_pct']}), got {t['marked_pct']}")
    return None
