"""Reading delimited text tables fast (pyarrow) with exact error locations.

The fast path is ``pyarrow.csv`` (multi-threaded C++ parser, decimal comma support).
When it rejects a file, a slow pure-Python pass finds the first offending line and column so
the user gets a one-line error that names them. The slow pass only runs on bad input.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from gait.errors import GaitInputError

NULLS = ["", "NaN", "nan", "NAN", "null", "NULL", "None", "-nan", "+nan"]


def field_count_error(path: str | Path, n: int, n_fields: int, line_no: int,
                      delimiter: str) -> GaitInputError:
    """The one-line error of a row whose field count differs from the header's."""
    return GaitInputError(path, f"row has {n} fields, the header has {n_fields}",
                          where=f"line {line_no}",
                          expected=f"{n_fields} fields separated by {delimiter!r}")


def arrow_input(raw: bytes) -> pa.BufferReader:
    """``raw`` copied into memory that Arrow owns, as input for ``pyarrow.csv``.

    Never a Python object (``io.BytesIO``, ``bytes``): Arrow's background reader threads then
    take the GIL to read or release it, and one still doing so while the interpreter exits is
    ended by Python with ``pthread_exit``, whose unwinding through Arrow's C++ aborts the
    process after its work is done ("terminate called without an active exception", exit 134).
    """
    buf = pa.allocate_buffer(len(raw))
    memoryview(buf).cast("B")[:] = raw
    return pa.BufferReader(buf)


def read_text_head(path: Path, data: bytes | None = None, n_bytes: int = 65536) -> str:
    """First bytes of a file as text (BOM dropped; UTF-8, else cp1252)."""
    if data is None:
        with open(path, "rb") as fh:
            data = fh.read(n_bytes)
    else:
        data = data[:n_bytes]
    return decode(data)


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of a head read is not an encoding problem.
        if exc.start >= len(data) - 3:
            return data[: exc.start].decode("utf-8")
        return data.decode("cp1252", errors="replace")


def first_line(text: str) -> str:
    return text.split("\n", 1)[0].rstrip("\r")


def split_header(line: str, delimiter: str) -> list[str]:
    """Header names, with quotes removed (a stray carriage return inside the line, which the
    csv module refuses outside quotes, is read as part of a name)."""
    try:
        return [c.strip() for c in next(csv.reader([line], delimiter=delimiter))]
    except csv.Error:
        return [c.strip().strip('"').strip() for c in line.split(delimiter)]


_DECIMAL_COMMA = re.compile(r"(?:^|[;\t])\s*-?\d+,\d+(?:[eE][-+]?\d+)?\s*(?:[;\t]|$)")


def sniff_delimiter(header: str, sample_line: str | None = None) -> str:
    """Pick ',' ';' '\\t' or '|' from the header (the most frequent outside quotes)."""
    stripped = re.sub(r'"[^"]*"', "", header)
    counts = {d: stripped.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        return ","
    return best


def sniff_decimal_comma(sample_lines: Iterable[str], delimiter: str) -> bool:
    """True when numbers use a decimal comma (only possible with a non-comma delimiter)."""
    if delimiter == ",":
        return False
    return any(_DECIMAL_COMMA.search(line) for line in sample_lines if line.strip())


def read_table(
    source: Path | bytes,
    *,
    path: Path | str,
    delimiter: str = ",",
    decimal_comma: bool = False,
    skip_rows: int = 0,
    numeric: Sequence[str] = (),
    text: Sequence[str] = (),
    header_line_no: int = 1,
    allow_missing: Sequence[str] = (),
    warnings: list[str] | None = None,
) -> dict[str, np.ndarray]:
    """Read the named columns of a delimited table.

    ``numeric`` columns come back as float64 (empty / NaN cells become NaN), ``text`` columns
    as object arrays of str. ``path`` is only used for messages. Missing columns (unless in
    ``allow_missing``) and non-numeric cells raise :class:`GaitInputError` naming the line.
    With ``warnings`` (a list the caller reports), a torn last line (:func:`torn_tail`: a
    phone stopped while writing it) is dropped with a warning naming it and the rows before it
    are kept; without, it is an error like any other bad line.
    """
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw or raw.isspace():  # as ``not raw.strip()``, without copying the file
        raise GaitInputError(path, "the file is empty", expected="a header line and data rows")
    head_text = decode(raw[:65536])
    lines = head_text.splitlines()
    if len(lines) <= skip_rows:
        raise GaitInputError(path, "the file ends before its header", expected="a header line")
    header = split_header(lines[skip_rows], delimiter)
    wanted = list(numeric) + list(text)
    missing = [c for c in wanted if c not in header and c not in allow_missing]
    if missing:
        raise GaitInputError(
            path,
            f"column {missing[0]!r} is missing",
            where=f"line {header_line_no + skip_rows} (header)",
            expected="columns " + ", ".join(repr(c) for c in wanted),
        )
    present_num = [c for c in numeric if c in header]
    present_txt = [c for c in text if c in header]
    if len(set(header)) != len(header):
        # pyarrow refuses duplicate names: rename later duplicates positionally.
        seen: dict[str, int] = {}
        names = []
        for h in header:
            seen[h] = seen.get(h, 0) + 1
            names.append(h if seen[h] == 1 else f"{h}.{seen[h] - 1}")
    else:
        names = header
    types: dict[str, pa.DataType] = {c: pa.float64() for c in present_num}
    types.update({c: pa.string() for c in present_txt})
    try:
        table = pacsv.read_csv(
            arrow_input(raw),
            read_options=pacsv.ReadOptions(
                skip_rows=skip_rows + 1, column_names=names, block_size=1 << 22
            ),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                include_columns=present_num + present_txt,
                null_values=NULLS,
                strings_can_be_null=False,
                decimal_point="," if decimal_comma else ".",
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        cut = torn_tail(raw, len(names), delimiter) if warnings is not None else None
        if cut is not None and raw[:cut].count(b"\n") > skip_rows:
            line_no = header_line_no + raw[:cut].count(b"\n")
            tail = decode(raw[cut:]).strip()[:40]
            out = read_table(raw[:cut], path=path, delimiter=delimiter,
                             decimal_comma=decimal_comma, skip_rows=skip_rows, numeric=numeric,
                             text=text, header_line_no=header_line_no,
                             allow_missing=allow_missing, warnings=None)
            warnings.append(f"{path}: line {line_no} is torn ({tail!r}: the file was cut "
                            "short while it was written); it was dropped, the rows before it "
                            "are kept")
            return out
        _locate_error(raw, path, names, present_num, delimiter, decimal_comma, skip_rows, exc)
        raise  # pragma: no cover - _locate_error always raises
    out: dict[str, np.ndarray] = {}
    for c in present_num:
        out[c] = table.column(c).to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
    for c in present_txt:
        out[c] = np.asarray(table.column(c).to_pylist(), dtype=object)
    return out


def torn_tail(raw: bytes, n_fields: int, delimiter: str) -> int | None:
    """Byte offset of the last line when it is torn, else None.

    Torn: the file does not end with a line break, or its last non-empty line has fewer
    fields than the header (``n_fields``). A complete last line with a bad cell is not torn.
    """
    body = raw.rstrip(b"\r\n \t")
    start = body.rfind(b"\n") + 1
    if start == 0:
        return None  # the header is the only line
    last = decode(body[start:])
    try:
        fields = next(csv.reader([last], delimiter=delimiter))
    except (csv.Error, StopIteration):
        fields = last.split(delimiter)
    if len(fields) < n_fields or not raw.endswith((b"\n", b"\r")):
        return start
    return None


def _to_float(cell: str, decimal_comma: bool) -> float:
    s = cell.strip().strip('"')
    if s in NULLS:
        return math.nan
    if decimal_comma:
        s = s.replace(",", ".")
    return float(s)


def _locate_error(
    raw: bytes,
    path: Path | str,
    names: list[str],
    numeric: Sequence[str],
    delimiter: str,
    decimal_comma: bool,
    skip_rows: int,
    exc: Exception,
) -> None:
    text = decode(raw)
    idx = {c: names.index(c) for c in numeric}
    reader = csv.reader(io.StringIO(text.replace("\x00", ""), newline=""), delimiter=delimiter)
    try:
        rows = list(enumerate(reader, start=1))
    except csv.Error as err:
        raise GaitInputError(path, f"cannot parse the table ({err})",
                             expected="a delimited table") from None
    for line_no, row in rows:
        if line_no <= skip_rows + 1 or not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) < len(names) and (not idx or any(i >= len(row) for i in idx.values())):
            raise field_count_error(path, len(row), len(names), line_no, delimiter)
        for c, i in idx.items():
            try:
                _to_float(row[i], decimal_comma)
            except ValueError:
                cell = row[i].strip()[:40]
                raise GaitInputError(
                    path,
                    f"text {cell!r} in numeric column {c!r}",
                    where=f"line {line_no}",
                    expected="a number",
                ) from None
        if len(row) > len(names) and any(f.strip() for f in row[len(names) :]):
            raise field_count_error(path, len(row), len(names), line_no, delimiter)
    msg = str(exc).splitlines()[0][:120]
    raise GaitInputError(path, f"cannot parse the table ({msg})", expected="a delimited table")
