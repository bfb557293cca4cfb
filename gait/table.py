"""Read-only columnar tables: the per-step and per-event rows of the report document.

A :class:`Table` holds one numpy array per column and reads like the list of flat dicts it
stands for: ``len``, iteration, indexing and ``==`` (with another table or a list of dicts)
give plain dicts of Python scalars, non-finite floats as None. A 24-hour report (~100k steps,
~200k events) then keeps ~10 MB of arrays instead of ~300k dicts (~200 MB), and the writers
take the columns directly (:meth:`Table.column`, :meth:`Table.codes`, :meth:`Table.isin`).
Pure data, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple, overload

import numpy as np

BLOCK = 4096  # rows turned into dicts at a time when iterating


class Codes(NamedTuple):
    """A column of a few distinct values (strings, None, booleans): ``labels[codes[i]]``."""

    codes: np.ndarray
    labels: tuple[Any, ...]

    @classmethod
    def of(cls, values: Sequence[Any] | np.ndarray) -> Codes:
        """Codes of ``values`` (labels in order of first appearance; NaN and numpy scalars
        become None and Python scalars)."""
        vals = values.tolist() if isinstance(values, np.ndarray) else list(values)
        first = dict.fromkeys(vals)
        index = {v: i for i, v in enumerate(first)}
        codes = np.fromiter(map(index.__getitem__, vals), dtype=np.int64, count=len(vals))
        return cls(codes, tuple(map(_label, first)))

    def values(self, rows: slice | np.ndarray = slice(None)) -> np.ndarray:
        """The labels of ``rows`` as an object array."""
        labels = np.empty(len(self.labels), dtype=object)
        labels[:] = self.labels
        return labels[self.codes[rows]]


def _label(x: Any) -> Any:
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not np.isfinite(x):
        return None
    return x


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _column(values: np.ndarray | Codes | Sequence[Any]) -> np.ndarray | Codes:
    """A column as stored: float64 with NaN for every non-finite value, int64, or codes."""
    if isinstance(values, Codes):
        n = max(len(values.labels), 1)
        dtype = np.int8 if n <= 127 else np.int32
        return Codes(_readonly(np.asarray(values.codes).astype(dtype)), tuple(values.labels))
    a = values if isinstance(values, np.ndarray) else np.asarray(values)
    if a.dtype.kind in "US" and not isinstance(values, np.ndarray):
        return _column(Codes.of(list(values)))  # mixed strings and numbers stay themselves
    if a.dtype.kind == "f":
        a = a.astype(np.float64)  # a copy: the table does not share the caller's array
        a[~np.isfinite(a)] = np.nan
        return _readonly(a)
    if a.dtype.kind in "iu":
        return _readonly(a.astype(np.int64))
    return _column(Codes.of(a if a.dtype.kind == "O" else a.tolist()))


class Table(Sequence[dict[str, Any]]):
    """Read-only rows of named columns; row ``i`` is ``{key: value of column key at i}``.

    ``columns``: key -> float or integer array, :class:`Codes`, or a sequence of scalars
    (strings, None, booleans: stored as codes). Rows are dicts with the keys in this order.
    """

    def __init__(self, columns: Mapping[str, np.ndarray | Codes | Sequence[Any]]) -> None:
        cols = {str(k): _column(v) for k, v in columns.items()}
        lengths = {len(c.codes) if isinstance(c, Codes) else len(c) for c in cols.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")
        self._cols = cols
        self._n = lengths.pop() if lengths else 0

    # --- columns ---------------------------------------------------------------------------

    @property
    def keys(self) -> tuple[str, ...]:
        """The column names, in row order."""
        return tuple(self._cols)

    def column(self, key: str) -> np.ndarray:
        """Column ``key``: float64 (NaN for null), int64, or an object array of its labels."""
        c = self._cols[key]
        return c.values() if isinstance(c, Codes) else c

    def codes(self, key: str) -> Codes | None:
        """Column ``key`` as codes and labels when it is stored so, else None."""
        c = self._cols[key]
        return c if isinstance(c, Codes) else None

    def isin(self, key: str, values: Sequence[Any]) -> np.ndarray:
        """Rows whose ``key`` is one of ``values`` (a missing column counts as None)."""
        if key not in self._cols:
            return np.full(self._n, None in values)
        c = self._cols[key]
        if isinstance(c, Codes):
            hit = np.array([x in values for x in c.labels] or [False])
            return hit[c.codes]
        want = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        return np.isin(c, want) | (np.isnan(c) if None in values and c.dtype.kind == "f"
                                   else False)

    def _values(self, key: str, rows: slice | np.ndarray) -> list[Any]:
        c = self._cols[key]
        if isinstance(c, Codes):
            return c.values(rows).tolist()
        a = c[rows]
        out = a.tolist()
        if a.dtype.kind == "f":
            for i in np.flatnonzero(np.isnan(a)).tolist():
                out[i] = None
        return out

    # --- rows ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, i: slice | np.ndarray) -> Table: ...

    def __getitem__(self, i: int | slice | np.ndarray) -> dict[str, Any] | Table:
        """Row ``i`` as a dict; a slice, boolean mask or index array gives a Table."""
        if isinstance(i, slice | np.ndarray):
            return Table({k: Codes(c.codes[i], c.labels) if isinstance(c, Codes) else c[i]
                          for k, c in self._cols.items()})
        j = int(i)  # numpy integers too
        if not -self._n <= j < self._n:
            raise IndexError(f"row {i} of a table of {self._n}")
        j %= self._n
        return {k: self._values(k, slice(j, j + 1))[0] for k in self._cols}

    def __iter__(self) -> Iterator[dict[str, Any]]:
        keys = self.keys
        for i in range(0, self._n, BLOCK):
            rows = slice(i, min(i + BLOCK, self._n))
            for vals in zip(*[self._values(k, rows) for k in keys], strict=True):
                yield dict(zip(keys, vals, strict=True))

    def to_list(self) -> list[dict[str, Any]]:
        """The rows as a list of plain dicts (what the document held before tables)."""
        return list(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Table):
            return (self._n == other._n and set(self._cols) == set(other._cols)
                    and all(self._values(k, slice(None)) == other._values(k, slice(None))
                            for k in self._cols))
        if isinstance(other, list | tuple):
            return len(other) == self._n and all(
                a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to lists, which are unhashable

    def __copy__(self) -> Table:
        return self  # immutable

    def __deepcopy__(self, memo: dict[int, Any]) -> Table:
        return self

    def __repr__(self) -> str:
        return f"Table({self._n} rows: {', '.join(self._cols)})"
