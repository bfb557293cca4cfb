"""Pick the reader from a file's content (never from its name alone) and load it.

Order follows ``shared/notes/phone_apps.md``: containers (zip / folder) first, then MATLAB
files, then the first line of a CSV. A file that belongs to a multi-file export (a Sensor
Logger ``Accelerometer.csv`` beside its ``Metadata.csv``, phyphox ``meta/device.csv``) is read as
the whole export. A folder that holds exports of different kinds (say a phyphox export and a
Sensor Logger one, or an export beside a zipped one) is an error that lists them, as a folder
of several recordings of one kind is.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

from gait.errors import GaitInputError
from gait.io.base import Container, Reader, ReadOptions, input_errors
from gait.recording import Recording

# Module names under gait.io, in detection order. Each defines READER.
READER_MODULES = (
    "gaitcsv",
    "phyphox",
    "sensor_logger",
    "matlab_mobile",
    "sensorlog",
    "physics_toolbox",
    "androsensor",
    "metabase",
    "generic",
)


def readers() -> list[Reader]:
    return list(_iter_readers())


def _iter_readers() -> Iterator[Reader]:
    """The readers in detection order, each module imported when it is reached (a gait
    recording, the first, is detected without importing the phone-app readers)."""
    for m in READER_MODULES:
        try:
            mod = importlib.import_module(f"gait.io.{m}")
        except ModuleNotFoundError as exc:
            if exc.name == f"gait.io.{m}":
                continue
            raise
        yield mod.READER


def export_root(path: Path) -> Path:
    """The folder of a multi-file export that ``path`` is a member of, else ``path``."""
    if not path.is_file():
        return path
    parent = path.parent
    if parent.name == "meta" and (parent / "time.csv").exists():
        return parent.parent
    if (parent / "meta" / "time.csv").exists() or (parent / "meta" / "device.csv").exists():
        return parent
    try:
        with open(path, "rb") as fh:
            head = fh.read(16).lstrip(b"\xef\xbb\xbf")
    except OSError:
        head = b""
    if head.startswith(b'"Time (s)"') and path.suffix.lower() == ".csv":
        # a phyphox multi-sensor export without meta/: read the sibling sensor files too
        for sib in parent.glob("*.csv"):
            if sib != path:
                with open(sib, "rb") as fh:
                    if fh.read(16).lstrip(b"\xef\xbb\xbf").startswith(b'"Time (s)"'):
                        return parent
    md = parent / "Metadata.csv"
    if md.exists() and path.suffix.lower() == ".csv":
        try:
            with open(md, "rb") as fh:
                if fh.read(64).lstrip(b"\xef\xbb\xbf").startswith(b"version,device name"):
                    return parent
        except OSError:
            pass
    return path


def _sniffs(r: Reader, c: Container) -> bool:
    """A reader's verdict on a container; a foreign file must never make sniffing fail."""
    try:
        return bool(r.sniff(c))
    except GaitInputError:
        raise
    except Exception:
        return False


def detect(path: Path, opts: ReadOptions | None = None) -> tuple[Reader, Container]:
    """The reader for ``path`` and the container it reads from.

    With explicit generic-CSV column names in ``opts`` a single CSV that no app reader claims
    is read by the generic reader.
    """
    if not path.exists():
        raise GaitInputError(path, "no such file or folder", expected="an existing path")
    root = export_root(path)
    if root.is_file() and root.stat().st_size == 0:
        raise GaitInputError(path, "the file is empty", expected="a recording")
    c = Container(root)
    if not c.names:
        raise GaitInputError(path, "the folder holds no files", expected="an export folder")
    if not c.is_dir:  # a file or a zip: the first reader that claims it
        first = next((r for r in _iter_readers() if _sniffs(r, c)), None)
        if first is not None:
            return first, c
    rs = readers()
    claim = [r for r in rs if _sniffs(r, c)] if c.is_dir else []
    if claim and c.is_dir:
        # a folder may hold exports of different apps (or an export beside a zipped one):
        # reading one of them silently would analyse a walk the user may not have meant
        mine = {r.name: _claimed(r, root) for r in claim}
        taken = {e.rstrip("/") for es in mine.values() for e in es}
        # a zip in the folder is an export of its own (no reader reads a zip inside a folder
        # as a part of the folder's export); a .mat file is one unless the folder's reader
        # reads it (MATLAB Mobile logs)
        packed = [f.name for f in _recordings_in(root, rs) if f.suffix.lower() == ".zip"
                  or (f.suffix.lower() == ".mat" and f.name not in taken)]
        mine = {n: [e for e in es if not e.lower().endswith(".zip")] for n, es in mine.items()}
        more = {n: ", ..." if len(es) > 4 else "" for n, es in mine.items()}
        found = [f"{n} ({', '.join(es[:4])}{more[n]})" if es else n for n, es in mine.items()]
        found += packed
        if len(found) > 1:
            raise GaitInputError(
                path, f"{len(found)} different exports in this folder: {'; '.join(found)}",
                expected="one export (give its folder or file, or PLACEMENT=FILE for each "
                         "sensor of one walk)")
    if claim:
        return claim[0], c
    if opts is not None and opts.columns and not (c.is_zip or c.is_dir):
        return next(r for r in rs if r.name == "generic"), c
    if c.is_dir:
        # a folder that holds a single export file (a zip, a CSV, a .mat): read that file
        inner = _recordings_in(root, rs)
        if len(inner) == 1:
            return detect(inner[0], opts)
        if len(inner) > 1:
            names = ", ".join(p.name for p in inner[:6]) + (", ..." if len(inner) > 6 else "")
            raise GaitInputError(
                path, f"{len(inner)} recordings in this folder: {names}",
                expected="one recording (give the file itself, or PLACEMENT=FILE for each "
                         "sensor of one walk)")
    if c.is_zip or c.is_dir:
        what = "zip" if c.is_zip else "folder"
        raise GaitInputError(
            path, f"no known export in this {what}",
            expected="a phyphox, Sensor Logger or SensorLog export, or a gait recording")
    head = c.first_line(c.names[0])[:60]
    raise GaitInputError(
        path, f"unknown format, first line {head!r}",
        expected="a supported phone-app export or a CSV with a time_s,ax,ay,az header "
                 "(see 'gait formats')")


def _claimed(r: Reader, folder: Path) -> list[str]:
    """The entries of ``folder`` (files, and sub-folders with a trailing "/") that ``r``
    reads on their own."""
    mine = []
    for f in sorted(folder.iterdir()):
        if f.name.startswith(".") or (f.is_file() and f.stat().st_size == 0):
            continue
        try:
            if _sniffs(r, Container(f)):
                mine.append(f.name + ("/" if f.is_dir() else ""))
        except GaitInputError:
            continue
    return mine


def _recordings_in(folder: Path, rs: list[Reader]) -> list[Path]:
    """The files directly in ``folder`` that some reader claims (sorted by name)."""
    out = []
    for f in sorted(folder.iterdir()):
        if not f.is_file() or f.name.startswith(".") or f.stat().st_size == 0:
            continue
        try:
            c = Container(f)
        except GaitInputError:
            continue
        if any(_sniffs(r, c) for r in rs):
            out.append(f)
    return out


def load_path(path: str | Path, opts: ReadOptions | None = None) -> Recording:
    """Load one file, zip or folder into a :class:`Recording`."""
    p = Path(path)
    opts = opts or ReadOptions()
    reader, c = detect(p, opts)
    with input_errors(str(p), f"a readable {reader.name} recording"):
        rec = reader.read(c, opts)
    if opts.placement:
        for s in rec.streams:
            if s.placement in ("unknown", "pocket") or len(rec.streams) == 1:
                s.placement = opts.placement
    return rec
