"""The project's own recording format: one CSV per sensor plus a JSON manifest.

``NAME.gait.json`` (the manifest)::

    {"format": "gait-recording", "version": 1, "source_format": ..., "app": ..., "platform": ...,
     "device": ..., "start_time_utc": ISO 8601 | null, "warnings": [...], "meta": {...},
     "streams": [{"placement": "lower_back", "file": "NAME.lower_back.csv",
                  "sample_rate_hz": 100.0, "start_s": 0.0, "acc_kind": "total",
                  "has_gyr": true, "n_samples": 6000, "name": "...",
                  "mount": "lid-out,top-up"}]}

``mount`` (optional; lower back only): how the sensor was worn, a SPEC of :mod:`gait.mount`
(written by ``gait record --mount``); the tools use it as if given with ``--mount`` (a
command-line ``--mount`` overrides it). An unknown or contradictory SPEC is an error naming
the manifest and the field; so is one that gravity contradicts (when analysed).

``NAME.<placement>.csv``: header ``time_s,ax,ay,az[,gx,gy,gz]`` (s, m/s^2, rad/s, canonical
device frame), so every stream file is also a valid generic CSV. Pointing the tools at one of the
CSVs reads the whole recording. The simulator and the BLE recorder write this format in chunks
(:class:`RecordingWriter`), so a 24-hour recording never has to be in memory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from gait.errors import GaitInputError
from gait.io.base import Container, ReadOptions, build_stream
from gait.io.table import read_table
from gait.recording import PLACEMENTS, Recording, SensorStream

FORMAT = "gait-recording"
VERSION = 1
MANIFEST_SUFFIX = ".gait.json"
#: a simulated (or reference) walk's ground truth beside its manifest: ``NAME.truth.json``
TRUTH_SUFFIX = ".truth.json"


def manifest_path(path: str | Path) -> Path:
    p = Path(path)
    if p.name.endswith(MANIFEST_SUFFIX):
        return p
    return p.with_name(p.name.removesuffix(".json") + MANIFEST_SUFFIX)


def truth_path(path: str | Path) -> Path:
    """``NAME.truth.json`` beside the manifest ``NAME.gait.json`` of ``path``."""
    m = manifest_path(path)
    return m.with_name(m.name.removesuffix(MANIFEST_SUFFIX) + TRUTH_SUFFIX)


@dataclass
class StreamSpec:
    placement: str
    sample_rate_hz: float
    has_gyr: bool = True
    acc_kind: str = "total"
    name: str = ""
    start_s: float = 0.0
    mount: str | None = None  # a gait.mount SPEC, written to the manifest when given


def _columns(has_gyr: bool) -> list[str]:
    return ["time_s", "ax", "ay", "az"] + (["gx", "gy", "gz"] if has_gyr else [])


def stream_file(mpath: Path, s: dict) -> tuple[Path, list[str]]:
    """The CSV of manifest stream ``s`` (beside the manifest ``mpath``) and its columns; a
    one-line error when the file is missing."""
    f = mpath.parent / s["file"]
    if not f.is_file():
        raise GaitInputError(mpath, f"stream file {s['file']!r} is missing",
                             where="field 'streams[].file'",
                             expected="the CSV beside the manifest")
    return f, _columns(bool(s.get("has_gyr", True)))


def _csv_bytes(t: np.ndarray, acc: np.ndarray, gyr: np.ndarray | None, header: bool) -> bytes:
    """CSV text of a chunk; values rounded (1 us, 1e-5 m/s^2, 1e-6 rad/s) to keep files small."""
    arrays = [pa.array(np.round(t, 6))]
    arrays += [pa.array(np.round(acc[:, j], 5)) for j in range(3)]
    if gyr is not None:
        arrays += [pa.array(np.round(gyr[:, j], 6)) for j in range(3)]
    table = pa.Table.from_arrays(arrays, names=_columns(gyr is not None))
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, write_options=pacsv.WriteOptions(
        include_header=header, quoting_style="none"))
    return sink.getvalue().to_pybytes().replace(b"\n\n", b"\n")


class RecordingWriter:
    """Write a recording chunk by chunk (bounded memory).

    >>> with RecordingWriter("walk.gait.json", [StreamSpec("lower_back", 100.0)]) as w:
    ...     w.write("lower_back", acc_chunk, gyr_chunk)   # doctest: +SKIP
    """

    def __init__(self, path: str | Path, streams: list[StreamSpec], *,
                 source_format: str = "gait", app: str = "gait", platform: str | None = None,
                 device: str | None = None, start_time_utc: datetime | None = None,
                 meta: dict[str, Any] | None = None, warnings: list[str] | None = None) -> None:
        self.manifest = manifest_path(path)
        self.manifest.parent.mkdir(parents=True, exist_ok=True)
        stem = self.manifest.name.removesuffix(MANIFEST_SUFFIX)
        self.specs = {s.placement: s for s in streams}
        if len(self.specs) != len(streams):
            raise ValueError("one stream per placement")
        for s in streams:
            if s.placement not in PLACEMENTS:
                raise ValueError(f"unknown placement {s.placement!r}")
        self.files = {p: self.manifest.with_name(f"{stem}.{p}.csv") for p in self.specs}
        self.counts = dict.fromkeys(self.specs, 0)
        self.head = dict(source_format=source_format, app=app, platform=platform, device=device,
                         start_time_utc=start_time_utc.isoformat() if start_time_utc else None,
                         warnings=list(warnings or []), meta=dict(meta or {}))
        self._fh = {p: open(f, "wb") for p, f in self.files.items()}  # noqa: SIM115
        for p, fh in self._fh.items():
            fh.write((",".join(_columns(self.specs[p].has_gyr)) + "\n").encode())

    def write(self, placement: str, acc: np.ndarray, gyr: np.ndarray | None = None) -> None:
        spec = self.specs[placement]
        if spec.has_gyr != (gyr is not None):
            raise ValueError(f"stream {placement}: gyr {'required' if spec.has_gyr else 'absent'}")
        n0 = self.counts[placement]
        t = spec.start_s + (n0 + np.arange(len(acc))) / spec.sample_rate_hz
        self._fh[placement].write(_csv_bytes(t, acc, gyr, header=False))
        self.counts[placement] = n0 + len(acc)

    def close(self) -> Path:
        for fh in self._fh.values():
            fh.close()
        doc = {"format": FORMAT, "version": VERSION, **self.head, "streams": [
            {"placement": p, "file": self.files[p].name, "sample_rate_hz": s.sample_rate_hz,
             "start_s": s.start_s, "acc_kind": s.acc_kind, "has_gyr": s.has_gyr,
             "n_samples": self.counts[p], "name": s.name,
             **({"mount": s.mount} if s.mount else {})}
            for p, s in self.specs.items()]}
        self.manifest.write_text(json.dumps(doc, indent=2) + "\n")
        return self.manifest

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def write_recording(rec: Recording, path: str | Path, chunk: int = 1 << 18) -> Path:
    """Write a whole Recording; returns the manifest path."""
    specs = [StreamSpec(s.placement, s.sample_rate_hz, s.has_gyr, s.acc_kind, s.name, s.start_s,
                        s.mount.spec if s.mount is not None else None)
             for s in rec.streams]
    with RecordingWriter(path, specs, source_format=rec.source_format, app=rec.app,
                         platform=rec.platform, device=rec.device,
                         start_time_utc=rec.start_time_utc, meta=rec.meta,
                         warnings=rec.warnings) as w:
        for s in rec.streams:
            for i in range(0, max(s.n_samples, 1), chunk):
                w.write(s.placement, s.acc[i:i + chunk],
                        None if s.gyr is None else s.gyr[i:i + chunk])
    return w.manifest


def find_manifest(c: Container) -> tuple[Path, dict] | None:
    """The manifest that this container is (or whose CSV it is), parsed; else None."""
    if c.is_zip or c.is_dir:
        if c.is_dir:
            found = [n for n in c.names if n.endswith(MANIFEST_SUFFIX)]
            if len(found) == 1:
                p = c.path / found[0]
                return p, _parse(p)
        return None
    p = c.path
    if p.name.endswith(MANIFEST_SUFFIX) or p.suffix == ".json":
        try:
            head = p.read_bytes()[:4096]
        except OSError:
            return None
        if b'"gait-recording"' not in head:
            return None
        return p, _parse(p)
    if p.suffix.lower() == ".csv":
        for m in p.parent.glob("*" + MANIFEST_SUFFIX):
            try:
                doc = json.loads(m.read_text())
            except (OSError, ValueError):
                continue
            if any(s.get("file") == p.name for s in doc.get("streams", [])):
                return m, _parse(m)
    return None


def _parse(p: Path) -> dict:
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise GaitInputError(p, f"cannot read ({exc})", expected="a gait recording manifest") \
            from None
    except json.JSONDecodeError as exc:
        raise GaitInputError(p, f"invalid JSON ({exc.msg})", where=f"line {exc.lineno}",
                             expected="a gait recording manifest") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise GaitInputError(p, "not a gait recording manifest", where="field 'format'",
                             expected=f"'{FORMAT}'")
    if doc.get("version") != VERSION:
        raise GaitInputError(p, f"unsupported version {doc.get('version')!r}",
                             where="field 'version'", expected=str(VERSION))
    streams = doc.get("streams")
    if not isinstance(streams, list) or not streams:
        raise GaitInputError(p, "no streams listed", where="field 'streams'",
                             expected="a list of streams")
    for i, s in enumerate(streams):
        for k, typ in (("placement", str), ("file", str), ("sample_rate_hz", (int, float))):
            if not isinstance(s, dict) or not isinstance(s.get(k), typ):
                raise GaitInputError(p, f"stream {i} has no valid {k!r}",
                                     where=f"field 'streams[{i}].{k}'", expected=k)
        if s["placement"] not in PLACEMENTS:
            raise GaitInputError(p, f"unknown placement {s['placement']!r}",
                                 where=f"field 'streams[{i}].placement'",
                                 expected=", ".join(PLACEMENTS))
        if not s["sample_rate_hz"] > 0:
            raise GaitInputError(p, "sample rate must be positive",
                                 where=f"field 'streams[{i}].sample_rate_hz'",
                                 expected="a rate in Hz")
        if "mount" in s:
            manifest_mount(p, i, s)
    return doc


def manifest_mount(p: Path, i: int, s: dict) -> Any:
    """The :class:`gait.mount.Mount` of stream ``i`` (``s``) of manifest ``p`` (None without
    one); :class:`GaitInputError` naming the file and field for an unknown or contradictory
    SPEC."""
    from gait.mount import MountError, parse_spec

    spec = s.get("mount")
    if spec is None:
        return None
    where = f"field 'streams[{i}].mount'"
    if not isinstance(spec, str):
        raise GaitInputError(p, f"mount {spec!r} is not a SPEC", where=where,
                             expected="e.g. 'lid-out,top-up'")
    try:
        m = parse_spec(s["placement"], spec)
    except MountError as exc:
        what = str(exc).removeprefix(f"--mount {s['placement']}={spec}: ")
        raise GaitInputError(p, f"mount {spec!r}: {what}", where=where) from None
    from dataclasses import replace

    return replace(m, origin="from the recording's manifest", field=f"{p}: {where}")


class GaitCsvReader:
    name = "gait"

    def sniff(self, c: Container) -> bool:
        try:
            return find_manifest(c) is not None
        except GaitInputError:
            return True  # it is ours, but broken: read() reports the problem

    def read(self, c: Container, opts: ReadOptions) -> Recording:
        found = find_manifest(c)
        assert found is not None
        mpath, doc = found
        streams: list[SensorStream] = []
        warnings = list(doc.get("warnings") or [])
        for i, s in enumerate(doc["streams"]):
            f, names = stream_file(mpath, s)
            has_gyr = "gx" in names
            cols = read_table(f, path=f, numeric=names)
            t = cols["time_s"]
            if len(t) < 2:
                raise GaitInputError(f, f"only {len(t)} sample(s)", expected="at least 2")
            acc = np.column_stack([cols["ax"], cols["ay"], cols["az"]])
            gyr = np.column_stack([cols["gx"], cols["gy"], cols["gz"]]) if has_gyr else None
            st = build_stream(str(f), t, acc, gyr=gyr, placement=s["placement"],
                              acc_kind=s.get("acc_kind", "total"), name=s.get("name", ""),
                              nominal_hz=float(s["sample_rate_hz"]), t_zero=0.0,
                              warnings=warnings)
            st.mount = manifest_mount(mpath, i, s)
            streams.append(st)
        start = doc.get("start_time_utc")
        return Recording(
            streams=streams, source_format=doc.get("source_format") or "gait",
            app=doc.get("app") or "gait", platform=doc.get("platform"), device=doc.get("device"),
            start_time_utc=datetime.fromisoformat(start) if start else None,
            sources=[str(mpath)] + [str(mpath.parent / s["file"]) for s in doc["streams"]],
            warnings=warnings, meta={**(doc.get("meta") or {}), "container": "gait-recording"})


READER = GaitCsvReader()
