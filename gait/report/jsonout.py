"""The analysis document ("gait-report/1"): strict JSON output, its schema check, reading back.

The document is a :class:`gait.document.Report` made by ``gait.analysis.single.analyse()``, or its
plain form (``Analysis.doc``, a dict); every report writer takes the plain form, ``dumps`` /
``dump`` / ``validate`` either. Its long tables (``steps``, ``events``) are read-only columnar
tables there (:class:`gait.table.Table`; lists of dicts are taken too), written and checked by
column. ``dumps`` writes strict JSON (NaN/inf become null, numpy types become Python ones,
floats are rounded to 6 significant digits but never coarser than 1e-4, keys in a stable order);
``validate`` checks a document against the JSON Schema ``schema/report.schema.json`` (shipped
in this package, :func:`schema`), raising a one-line ``GaitInputError`` (a ``ValueError``)
``"<path>: <problem>"`` at the first problem (e.g. ``steps[12].side: expected one of 'L', 'R',
got string 'X'``); missing keys, unknown keys and wrong types are all problems. ``loads`` reads
a written report back as a validated :class:`~gait.document.Report`.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, TextIO

import numpy as np

from gait.document import Report, rows_table
from gait.errors import GaitInputError
from gait.parameters import BY_NAME, SCHEMA
from gait.table import Table

#: Trunk measures: key -> label (dimensionless).
TRUNK: dict[str, str] = {
    "step_regularity": "Step regularity",
    "stride_regularity": "Stride regularity",
    "autocorr_step_symmetry": "Step symmetry (autocorrelation)",
    "harmonic_ratio_v": "Harmonic ratio, vertical",
    "harmonic_ratio_ap": "Harmonic ratio, antero-posterior",
    "harmonic_ratio_ml": "Harmonic ratio, medio-lateral",
}

LEVELS = ("balanced", "mild", "marked", "undetermined")
FINDING_LEVELS = ("balanced", "mild", "marked", "uncertain")

_TOP_ORDER = ("schema", "generated_by", "created_utc", "headline", "disclaimer", "recording",
              "sources", "gait_kind", "bouts", "quality", "per_side", "symmetry", "trunk",
              "verdict", "steps", "events")
_SIG_DIGITS = 6
_MIN_DECIMALS = 4


def param_label(key: str) -> str:
    """Human label of a parameter key (``stance_s`` -> ``Stance time``)."""
    if key in BY_NAME:
        return BY_NAME[key].title
    return key.replace("_", " ").capitalize()


def param_unit(key: str) -> str:
    """Unit of a parameter key, '' when unknown."""
    return BY_NAME[key].unit if key in BY_NAME else ""


def fmt_value(key: str, x: Any) -> str:
    """A parameter value with the parameter's display precision; '–' for null/NaN."""
    if not _is_real(x) or not math.isfinite(float(x)):
        return "–"
    if key in BY_NAME:
        return f"{float(x):.{BY_NAME[key].decimals}f}"
    return f"{float(x):.3g}"


# --- strict JSON -----------------------------------------------------------------------------

def _round(x: float) -> float | None:
    if not math.isfinite(x):
        return None
    if x == 0.0:
        return 0.0
    a = abs(x)
    # |x| >= 10: log10 >= 1, so the floor of _MIN_DECIMALS wins (saves the log on most values)
    decimals = _MIN_DECIMALS if a >= 10.0 else max(
        _SIG_DIGITS - 1 - math.floor(math.log10(a)), _MIN_DECIMALS)
    return round(x, decimals)


def to_jsonable(obj: Any) -> Any:
    """``obj`` as plain JSON types: numpy scalars/arrays converted, non-finite floats -> None,
    floats rounded, dict keys as strings in a stable order (schema order at the top, sorted below).
    """
    return _plain(obj, top=True)


def _plain(obj: Any, top: bool = False) -> Any:
    t = type(obj)  # exact built-in types first (the bulk: steps and events), then the rest
    if t is float:
        return _round(obj)
    if obj is None or t is str or t is int or t is bool:
        return obj
    if t is dict and not top:
        return {k: _plain(obj[k]) for k in sorted(obj)} if all(
            type(k) is str for k in obj) else _plain_mapping(obj, top)
    if t is list:
        return [_plain(v) for v in obj]
    if isinstance(obj, str | bool):
        return obj
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return _round(float(obj))
    if isinstance(obj, np.ndarray):
        return _plain(obj.tolist())
    if isinstance(obj, Mapping):
        return _plain_mapping(obj, top)
    if isinstance(obj, Table):
        return [_plain(v) for v in obj]
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, datetime):
        return obj.isoformat()
    raise TypeError(f"cannot write {type(obj).__name__} to JSON")


def _plain_mapping(obj: Mapping[Any, Any], top: bool) -> dict[str, Any]:
    items = {str(k): v for k, v in obj.items()}
    if top:
        keys = [k for k in _TOP_ORDER if k in items]
        keys += sorted(k for k in items if k not in _TOP_ORDER)
    else:
        keys = sorted(items)
    return {k: _plain(items[k]) for k in keys}


def dumps(doc: Mapping[str, Any] | Report, indent: int = 1) -> str:
    """Strict JSON text of an analysis document.

    Containers holding only scalars (a step, an event, a statistic, a CI) are written on one
    line, so the file stays readable and about as small as compact JSON. The document's long
    tables (steps, events: lists of flat objects with the same keys) are written column by
    column (:class:`_Table`), with the same text.
    """
    return "".join(_pieces(doc, indent))


def dump(doc: Mapping[str, Any] | Report, fh: TextIO, indent: int = 1) -> None:
    """Write :func:`dumps` of ``doc`` to a text file piece by piece: the long tables go out
    ``TABLE_BLOCK`` rows at a time, so the text is never held whole (a 24-hour report's JSON
    is ~65 MB)."""
    for piece in _pieces(doc, indent):
        fh.write(piece)


def _pieces(doc: Mapping[str, Any] | Report, indent: int) -> Iterator[str]:
    if isinstance(doc, Report):
        doc = doc.to_dict()
    if type(doc) is dict and len(doc) and all(type(k) is str for k in doc):
        keys = [k for k in _TOP_ORDER if k in doc] + sorted(k for k in doc if k not in _TOP_ORDER)
        plain: Any = {k: _Table.of(doc[k]) or _plain(doc[k]) for k in keys}
    else:
        plain = to_jsonable(doc)
    out: list[Any] = []
    _emit(plain, 0, indent, out, "")
    text: list[str] = []
    for x in out:
        if type(x) is str:
            text.append(x)
            continue
        yield "".join(text)
        text = []
        yield from x
    text.append("\n")
    yield "".join(text)


_TABLE_MIN = 16  # lists of at least this many flat objects are written by column
TABLE_BLOCK = 8192  # rows rendered at a time


class _Table:
    """A table of rows with the same string keys and scalar values, written as one-line rows
    (the text :func:`_inline` gives each) built column by column, block by block. ``texts(key,
    rows)`` gives the JSON texts of column ``key`` for the rows of slice ``rows``."""

    def __init__(self, n: int, keys: list[str],
                 texts: Callable[[str, slice], list[str]]) -> None:
        self.n, self.keys, self.texts = n, keys, texts
        self.pad = self.inner = self.prefix = ""

    @classmethod
    def of(cls, v: Any) -> _Table | None:
        """The table of ``v`` (a :class:`~gait.table.Table` or a list of flat dicts), or None
        when ``v`` is anything else (written the usual way)."""
        if isinstance(v, Table):
            if len(v) < _TABLE_MIN or not v.keys:
                return None
            return cls(len(v), sorted(v.keys), lambda k, rows: _table_texts(v, k, rows))
        if type(v) is not list or len(v) < _TABLE_MIN or type(v[0]) is not dict:
            return None
        keys = sorted(v[0])
        if not keys or not all(type(k) is str for k in keys):
            return None
        key_set = set(keys)
        if not all(type(r) is dict and len(r) == len(keys) and r.keys() == key_set for r in v):
            return None
        for k in keys:
            if any(issubclass(t, dict | list | tuple | Mapping | np.ndarray)
                   for t in set(type(r[k]) for r in v)):
                return None
        return cls(len(v), keys, lambda k, rows: _column_texts([r[k] for r in v[rows]]))

    def placed(self, prefix: str, pad: str, inner: str) -> _Table:
        self.prefix, self.pad, self.inner = prefix, pad, inner
        return self

    def __iter__(self) -> Iterator[str]:
        sep = ",\n" + self.inner
        heads = [_encode_str(k) + ": " for k in self.keys]
        for i in range(0, self.n, TABLE_BLOCK):
            rows = slice(i, i + TABLE_BLOCK)
            cols = [[h + x for x in self.texts(k, rows)]
                    for k, h in zip(self.keys, heads, strict=True)]
            text = sep.join(["{" + ", ".join(r) + "}" for r in zip(*cols, strict=True)])
            yield (self.prefix + "[\n" + self.inner if i == 0 else sep) + text
        yield "\n" + self.pad + "]"


def _table_texts(t: Table, key: str, rows: slice) -> list[str]:
    """JSON texts of column ``key`` of a columnar table (as :func:`_column_texts` writes the
    same values), without making the rows."""
    c = t.codes(key)
    if c is not None:
        labels = np.empty(len(c.labels), dtype=object)
        labels[:] = [_scalar(_plain(x)) for x in c.labels]
        return labels[c.codes[rows]].tolist()
    a = t.column(key)[rows]
    if a.dtype.kind == "f":
        return _float_texts(a)
    return list(map(int.__repr__, a.tolist()))


def _column_texts(col: list[Any]) -> list[str]:
    """JSON texts of a column of scalars as :func:`_plain` + :func:`_scalar` write them (floats
    rounded in bulk)."""
    types = set(map(type, col))
    if types <= {float, type(None)}:
        return _float_texts(np.array([np.nan if x is None else x for x in col], dtype=float))
    if types <= {str, type(None)}:
        return [_encode_str(x) if x is not None else "null" for x in col]
    if types == {int}:
        return list(map(int.__repr__, col))
    return [_scalar(_plain(x)) for x in col]


def _float_texts(a: np.ndarray) -> list[str]:
    """:func:`_round` + ``repr`` of every value (non-finite: null), vectorised but for the
    rounding itself (Python's correctly rounded :func:`round`, grouped by decimals)."""
    out = np.full(len(a), "null", dtype=object)
    fin = np.isfinite(a)
    out[fin & (a == 0)] = "0.0"  # -0.0 too, as _round
    nz = fin & (a != 0)
    x = a[nz]
    ax = np.abs(x)
    with np.errstate(divide="ignore"):
        lg = np.log10(ax)
    dec = np.where(ax >= 10.0, _MIN_DECIMALS,
                   np.maximum(_SIG_DIGITS - 1 - np.floor(lg), _MIN_DECIMALS)).astype(np.int64)
    # near a power of ten numpy's log10 may differ from math's in the last bit: _round's
    near = np.flatnonzero((ax < 10.0) & (np.abs(lg - np.round(lg)) < 1e-9))
    for i in near.tolist():
        dec[i] = max(_SIG_DIGITS - 1 - math.floor(math.log10(ax[i])), _MIN_DECIMALS)
    out[nz] = list(map(float.__repr__, _round_all(x, dec)))
    return out.tolist()


def _round_all(x: np.ndarray, dec: np.ndarray) -> list[float]:
    """``round(x[i], dec[i])`` for every value: ``rint(x * 10**d) / 10**d`` is the same double
    (both are the one nearest the rounded decimal) unless the product was rounded across a
    half (within a few ulps of it), is not exact or rounds to 0: those go through round()."""
    scale = 10.0 ** np.minimum(dec, 22)
    y = x * scale
    k = np.rint(y)
    ay = np.abs(y)
    risky = (dec > 22) | (ay >= 2.0 ** 52) | (k == 0) | (
        np.abs(ay - np.floor(ay) - 0.5) <= 4 * np.spacing(ay))
    out = (k / scale).tolist()
    if risky.any():
        xs, ds = x.tolist(), dec.tolist()
        for i in np.flatnonzero(risky).tolist():
            out[i] = round(xs[i], ds[i])
    return out


_encode_str = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses


def _scalar(v: Any) -> str:
    """JSON text of a plain scalar, as ``json.dumps(v, ensure_ascii=False, allow_nan=False)``."""
    t = type(v)
    if t is float and math.isfinite(v):
        return float.__repr__(v)
    if t is str:
        return _encode_str(v)
    if t is int:
        return int.__repr__(v)
    if v is None:
        return "null"
    return json.dumps(v, ensure_ascii=False, allow_nan=False)


def _inline(v: Any) -> str | None:
    """One-line text of a container of scalars, or None when it should be expanded."""
    vals = v.values() if type(v) is dict else v
    for x in vals:
        if type(x) is dict or type(x) is list or isinstance(x, dict | list | _Table):
            return None
    if isinstance(v, dict):
        return "{" + ", ".join([f"{_scalar(k)}: {_scalar(x)}" for k, x in v.items()]) + "}"
    text = "[" + ", ".join([_scalar(x) for x in v]) + "]"
    numeric = all(x is None or isinstance(x, int | float) for x in v)
    return text if numeric or len(text) <= 100 else None


def _emit(v: Any, level: int, indent: int, out: list[Any], prefix: str) -> None:
    if type(v) is _Table:
        out.append(v.placed(prefix, " " * (indent * level), " " * (indent * (level + 1))))
        return
    if not isinstance(v, dict | list):
        out.append(prefix + _scalar(v))
        return
    one = _inline(v)
    if one is not None:
        out.append(prefix + one)
        return
    pad, inner = " " * (indent * level), " " * (indent * (level + 1))
    is_dict = isinstance(v, dict)
    items = list(v.items()) if is_dict else [(None, x) for x in v]
    out.append(prefix + ("{" if is_dict else "["))
    for i, (k, x) in enumerate(items):
        out.append("\n")
        _emit(x, level + 1, indent, out, inner + (f"{_scalar(k)}: " if is_dict else ""))
        if i < len(items) - 1:
            out.append(",")
    out.append("\n" + pad + ("}" if is_dict else "]"))


# --- validation ------------------------------------------------------------------------------

def _is_real(x: Any) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and not isinstance(
        x, bool | np.bool_)


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
        plain = {str(k): (_representative_rows(tables[k]) if k in tables else _plain(v))
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
    return [_plain({k: r[i % len(r)] for k, r in reps.items() if r}) for i in range(n)]


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
        problem = _first_problem(_plain(rows[i]), rv, (key, i))
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
