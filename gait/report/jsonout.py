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

import json
import math
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from gait.document import Report
from gait.parameters import BY_NAME
from gait.table import Table

if TYPE_CHECKING:
    pass


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
    return plain_value(obj, top=True)


def plain_value(obj: Any, top: bool = False) -> Any:
    t = type(obj)  # exact built-in types first (the bulk: steps and events), then the rest
    if t is float:
        return _round(obj)
    if obj is None or t is str or t is int or t is bool:
        return obj
    if t is dict and not top:
        return {k: plain_value(obj[k]) for k in sorted(obj)} if all(
            type(k) is str for k in obj) else _plain_mapping(obj, top)
    if t is list:
        return [plain_value(v) for v in obj]
    if isinstance(obj, str | bool):
        return obj
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return _round(float(obj))
    if isinstance(obj, np.ndarray):
        return plain_value(obj.tolist())
    if isinstance(obj, Mapping):
        return _plain_mapping(obj, top)
    if isinstance(obj, Table):
        return [plain_value(v) for v in obj]
    if isinstance(obj, list | tuple):
        return [plain_value(v) for v in obj]
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
    return {k: plain_value(items[k]) for k in keys}


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
        plain: Any = {k: _Table.of(doc[k]) or plain_value(doc[k]) for k in keys}
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
    (the text :func:`_inline` gives each) built column by column, block by block, as bytes.
    ``texts(key, rows)`` gives the JSON texts of column ``key`` for the rows of slice ``rows``
    as :data:`Cells`."""

    def __init__(self, n: int, keys: list[str],
                 texts: Callable[[str, slice], Cells]) -> None:
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
        # row text: "{" head0 cell0 ", " head1 cell1 ... "}" sep; the block is made at once as
        # the valid bytes, in row order, of the pieces' padded byte matrices side by side
        glue = ["{" + heads[0], *[", " + h for h in heads[1:]]]
        for i in range(0, self.n, TABLE_BLOCK):
            rows = slice(i, min(i + TABLE_BLOCK, self.n))
            m = rows.stop - rows.start
            mats: list[np.ndarray] = []
            masks: list[np.ndarray] = []
            for k, g in zip(self.keys, glue, strict=True):
                _const(g, m, mats, masks)
                cm, cmask = self.texts(k, rows)
                mats.append(cm)
                masks.append(cmask)
            _const("}" + sep, m, mats, masks)
            big = np.concatenate(mats, axis=1)
            text = big[np.concatenate(masks, axis=1)].tobytes().decode("utf-8")[: -len(sep)]
            yield (self.prefix + "[\n" + self.inner if i == 0 else sep) + text
        yield "\n" + self.pad + "]"


#: a table column's JSON texts as bytes: a (rows, width) uint8 matrix and a boolean mask of
#: the same shape, each row's text the bytes of its row where the mask is true, in order
Cells = tuple[np.ndarray, np.ndarray]


def _const(text: str, m: int, mats: list[np.ndarray], masks: list[np.ndarray]) -> None:
    """The same ``text`` on each of ``m`` rows, appended as a piece of :meth:`_Table.__iter__`."""
    b = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    mats.append(np.broadcast_to(b, (m, len(b))))
    masks.append(np.ones((m, len(b)), dtype=bool))


def _cells_of(texts: list[str]) -> Cells:
    """:data:`Cells` of a list of texts."""
    raw = [t.encode("utf-8") for t in texts]
    lengths = np.fromiter(map(len, raw), dtype=np.int64, count=len(raw))
    w = max(int(lengths.max(initial=0)), 1)
    mat = np.array(raw, dtype=f"S{w}").view(np.uint8).reshape(len(raw), w)
    return mat, np.arange(w) < lengths[:, None]


def _cells_texts(cells: Cells) -> list[str]:
    """The texts of :data:`Cells`."""
    mat, mask = cells
    return [bytes(r[m]).decode("utf-8") for r, m in zip(mat, mask, strict=True)]


def _table_texts(t: Table, key: str, rows: slice) -> Cells:
    """:data:`Cells` of column ``key`` of a columnar table (as :func:`_column_texts` writes the
    same values), without making the rows."""
    c = t.codes(key)
    if c is not None:
        mat, mask = _cells_of([_scalar(plain_value(x)) for x in c.labels])
        codes = c.codes[rows]
        return mat[codes], mask[codes]
    a = t.column(key)[rows]
    if a.dtype.kind == "f":
        return _float_cells(a)
    return _int_cells(a)


def _column_texts(col: list[Any]) -> Cells:
    """:data:`Cells` of a column of scalars as :func:`plain_value` + :func:`_scalar` write them
    (floats rounded in bulk)."""
    types = set(map(type, col))
    if types <= {float, type(None)}:
        return _float_cells(np.array([np.nan if x is None else x for x in col], dtype=float))
    if types <= {str, type(None)}:
        return _cells_of([_encode_str(x) if x is not None else "null" for x in col])
    if types == {int}:
        return _cells_of(list(map(int.__repr__, col)))
    return _cells_of([_scalar(plain_value(x)) for x in col])


def _float_texts(a: np.ndarray) -> list[str]:
    """:func:`_round` + ``repr`` of every value (non-finite: null), in bulk
    (:func:`_float_cells`)."""
    return _cells_texts(_float_cells(a))


def _digits(k: np.ndarray, width: int = 0) -> np.ndarray:
    """Decimal digits of non-negative int64 values, most significant first, as many columns
    as the largest has and at least ``width``."""
    cols: list[np.ndarray] = []
    t = k
    while len(cols) < width or t.any():
        t, r = np.divmod(t, 10)
        cols.append(r.astype(np.uint8))
    return np.stack(cols[::-1], axis=1) if cols else np.zeros((len(k), 0), dtype=np.uint8)


def _fixed_cells(k: np.ndarray, neg: np.ndarray, dec: np.ndarray, point: bool) -> Cells:
    """:data:`Cells` of ``(-1 if neg) * k / 10**dec`` in fixed notation (``k`` >= 0 int64): the
    integer digits (at least one), then, with ``point``, ``.`` and the decimals without
    trailing zeros (at least one): ``repr`` of a float or int of that value. Laid out in
    columns: sign, integer digits, point, decimals (the decimals of each value scaled to the
    most decimals), the mask keeping each value's own."""
    n = len(k)
    if n == 0:
        return np.zeros((0, 1), dtype=np.uint8), np.zeros((0, 1), dtype=bool)
    nf = int(dec.max(initial=0)) if point else 0
    p10 = 10 ** np.arange(nf + 1, dtype=np.int64)
    ip, fp = np.divmod(k, p10[dec]) if point else (k, k)
    di = _digits(ip, 1)
    lead = np.argmax(di != 0, axis=1)  # leading zeros of the integer digits (0: one digit)
    lead = np.where(di.any(axis=1), lead, di.shape[1] - 1)
    mats = [np.full((n, 1), 45, dtype=np.uint8), di + 48]
    masks = [neg[:, None], np.arange(di.shape[1]) >= lead[:, None]]
    if point:
        df = _digits(fp * p10[nf - dec], nf)
        nzf = df != 0  # decimals up to the last non-zero one, at least one
        last = np.where(nzf.any(axis=1), nf - np.argmax(nzf[:, ::-1], axis=1), 1)
        mats += [np.full((n, 1), 46, dtype=np.uint8), df + 48]
        masks += [np.ones((n, 1), dtype=bool), np.arange(nf) < last[:, None]]
    return np.concatenate(mats, axis=1), np.concatenate(masks, axis=1)


def _int_cells(a: np.ndarray) -> Cells:
    """:data:`Cells` of ``repr`` of int64 values."""
    big = np.abs(a) >= 10**18  # (and the int64 minimum)
    if big.any():
        return _cells_of(list(map(int.__repr__, a.tolist())))
    return _fixed_cells(np.abs(a), a < 0, np.zeros(len(a), dtype=np.int64), point=False)


def _float_cells(a: np.ndarray) -> Cells:
    """:data:`Cells` of :func:`_round` + ``repr`` of every value (non-finite: null),
    vectorised: a value rounded to ``d`` decimals is the double nearest ``k / 10**d`` for an
    integer ``k`` (:func:`_round_all`); with at most 15 significant digits no shorter decimal
    reads as that double, so its ``repr`` is ``k`` written with ``d`` decimals, trailing zeros
    dropped (fixed notation for 1e-4 <= |value| < 1e16). Other values (rounding near a half,
    tiny or huge values) go through ``round`` and ``repr``."""
    n = len(a)
    fin = np.isfinite(a)
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
    scale = 10.0 ** np.minimum(dec, 22)
    k = np.rint(x * scale)
    ak = np.abs(k)
    fast = ~_risky(x, dec, scale) & (ak < 1e15) & (ak >= 10.0 ** np.minimum(dec - 4, 22))
    fm, fk = _fixed_cells(ak[fast].astype(np.int64), x[fast] < 0, dec[fast], point=True)
    slow = np.flatnonzero(~fast)
    st = [float.__repr__(v) for v in _round_all(x[slow], dec[slow])]
    sm, sk = _cells_of(st) if st else (np.zeros((0, 1), np.uint8), np.zeros((0, 1), bool))
    w = max(fm.shape[1], sm.shape[1], 4)
    mat = np.zeros((n, w), dtype=np.uint8)
    mask = np.zeros((n, w), dtype=bool)
    mat[~fin, :4] = np.frombuffer(b"null", dtype=np.uint8)
    mask[~fin, :4] = True
    zero = fin & (a == 0)  # -0.0 too, as _round
    mat[zero, :3] = np.frombuffer(b"0.0", dtype=np.uint8)
    mask[zero, :3] = True
    where = np.flatnonzero(nz)
    mat[where[fast], : fm.shape[1]] = fm
    mask[where[fast], : fm.shape[1]] = fk
    mat[where[slow], : sm.shape[1]] = sm
    mask[where[slow], : sm.shape[1]] = sk
    return mat, mask


def _risky(x: np.ndarray, dec: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Where ``rint(x * scale) / scale`` may not be ``round(x, dec)`` (:func:`_round_all`)."""
    y = x * scale
    ay = np.abs(y)
    return (dec > 22) | (ay >= 2.0 ** 52) | (np.rint(y) == 0) | (
        np.abs(ay - np.floor(ay) - 0.5) <= 4 * np.spacing(ay))


def _round_all(x: np.ndarray, dec: np.ndarray) -> list[float]:
    """``round(x[i], dec[i])`` for every value: ``rint(x * 10**d) / 10**d`` is the same double
    (both are the one nearest the rounded decimal) unless the product was rounded across a
    half (within a few ulps of it), is not exact or rounds to 0: those go through round()."""
    scale = 10.0 ** np.minimum(dec, 22)
    risky = _risky(x, dec, scale)
    out = (np.rint(x * scale) / scale).tolist()
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



def _is_real(x: Any) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and not isinstance(
        x, bool | np.bool_)
