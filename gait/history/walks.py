"""Walks in the history: the content hash of a recording's files, the walk's time, storing a
report (one row per walk, one per parameter) and reading walks back.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import numbers
import os
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gait.errors import GaitInputError
from gait.history.database import connect, db_error, resolve_db, transaction


def source_files(sources: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The files on disk behind a recording's ``sources`` (``archive.zip!member`` -> the zip),
    without duplicates, in order."""
    out: list[Path] = []
    for s in sources:
        text = str(s)
        p = Path(text)
        if not p.exists() and "!" in text:
            p = Path(text.split("!", 1)[0])
        if p.exists() and p not in out:
            out.append(p)
    return out


def _files_of(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file()
                            and not any(part.startswith(".") for part in f.relative_to(p).parts))
        elif p.is_file():
            files.append(p)
        else:
            raise GaitInputError(p, "no such file or folder", expected="an existing path")
    return list(dict.fromkeys(f.resolve() for f in files))


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """sha256 of a file's bytes, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def content_hash(paths: Sequence[str | os.PathLike[str]]) -> str:
    """Identity of a recording: the sha256 of its one file, or for several files (folders are
    walked) the sha256 of their sorted sha256 digests. Names and order do not matter."""
    files = _files_of([Path(p) for p in paths])
    if not files:
        raise GaitInputError(None, "the walk has no source files to identify it",
                             expected="a recording read from files")
    try:
        digests = sorted(file_sha256(f) for f in files)
    except OSError as exc:
        raise GaitInputError(exc.filename, f"cannot read ({exc.strerror})",
                             expected="a readable file") from None
    if len(digests) == 1:
        return digests[0]
    return hashlib.sha256("".join(d + "\n" for d in digests).encode()).hexdigest()


def parse_when(text: str | None) -> datetime | None:
    """``--date`` value (ISO 8601 date or date-time; no zone = local time) as aware UTC."""
    if text is None or not text.strip():
        return None
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        raise GaitInputError(None, f"date {text!r} is not ISO 8601", where="--date",
                             expected="e.g. 2025-03-14 or 2025-03-14T08:30") from None
    return dt.astimezone(UTC)


def iso_utc(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def walk_time(doc: Mapping[str, Any], sources: Sequence[Path], when: datetime | None = None
              ) -> tuple[datetime, str]:
    """When the walk was, and how that is known: ``given`` (``when``), ``recording`` (start
    time in the file), ``file_mtime`` (latest modification of the sources) or ``analysis``."""
    if when is not None:
        return when.astimezone(UTC), "given"
    start = (doc.get("recording") or {}).get("start_time_utc")
    if start:
        with contextlib.suppress(ValueError, TypeError):
            dt = datetime.fromisoformat(str(start))
            return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC), "recording"
    mtimes = [f.stat().st_mtime for f in _files_of(list(sources))] if sources else []
    if mtimes:
        return datetime.fromtimestamp(max(mtimes), UTC), "file_mtime"
    return datetime.now(UTC), "analysis"



def finite(x: Any) -> float | None:
    """``x`` as a finite float; None for None, booleans, non-numbers, NaN and infinities."""
    if isinstance(x, bool) or x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _pair(x: Any) -> tuple[float | None, float | None]:
    if isinstance(x, list | tuple) and len(x) == 2:
        return finite(x[0]), finite(x[1])
    return None, None


def _json(x: Any) -> str:
    return json.dumps(x, allow_nan=False, default=finite, separators=(",", ":"))


def _clean(x: Any) -> Any:
    """JSON-safe copy: non-finite floats -> None, numpy scalars -> Python."""
    if isinstance(x, Mapping):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if x is None or isinstance(x, str | bool):
        return x
    if isinstance(x, numbers.Integral):
        return int(x)
    return finite(x)


_UPSERT = """
INSERT INTO walks (content_hash, walk_utc, walk_time_source, analysed_utc, first_analysed_utc,
    file, sources, placements, used_placements, gait_kind, duration_s, n_steps, quality_ok,
    problems, per_side, verdict_level, verdict_towards, verdict_summary, report_schema,
    generated_by, cadence_spm, step_s)
VALUES (:content_hash, :walk_utc, :walk_time_source, :analysed_utc, :analysed_utc, :file,
    :sources, :placements, :used_placements, :gait_kind, :duration_s, :n_steps, :quality_ok,
    :problems, :per_side, :verdict_level, :verdict_towards, :verdict_summary, :report_schema,
    :generated_by, :cadence_spm, :step_s)
ON CONFLICT (content_hash) DO UPDATE SET
    walk_utc = CASE WHEN excluded.walk_time_source = 'given'
                     OR walks.walk_time_source <> 'given' THEN excluded.walk_utc
                    ELSE walks.walk_utc END,
    walk_time_source = CASE WHEN excluded.walk_time_source = 'given'
                             OR walks.walk_time_source <> 'given'
                            THEN excluded.walk_time_source ELSE walks.walk_time_source END,
    analysed_utc = excluded.analysed_utc, n_analyses = walks.n_analyses + 1,
    file = excluded.file, sources = excluded.sources, placements = excluded.placements,
    used_placements = excluded.used_placements, gait_kind = excluded.gait_kind,
    duration_s = excluded.duration_s, n_steps = excluded.n_steps,
    quality_ok = excluded.quality_ok, problems = excluded.problems,
    per_side = excluded.per_side, verdict_level = excluded.verdict_level,
    verdict_towards = excluded.verdict_towards, verdict_summary = excluded.verdict_summary,
    report_schema = excluded.report_schema, generated_by = excluded.generated_by,
    cadence_spm = excluded.cadence_spm, step_s = excluded.step_s
RETURNING id
"""


def store(doc: Mapping[str, Any], sources: list[Path], db: Path | None = None,
          when: datetime | None = None, *, digest: str | None = None) -> int:
    """Store an analysed walk (a ``gait-report/1`` document); returns its walk id.

    ``sources``: the input files (folders are walked) whose bytes identify the walk; the same
    content stored again updates its entry (a date given with ``when`` is kept unless a new
    one is given). ``when``: the walk's date (default: recording start, else the files'
    modification time, else now). ``digest``: a precomputed :func:`content_hash`.
    """
    srcs = [Path(s) for s in sources]
    digest = digest or content_hash(srcs)
    walk_dt, how = walk_time(doc, srcs, when)
    rec = doc.get("recording") or {}
    quality = doc.get("quality") or {}
    verdict = doc.get("verdict") or {}
    overall = doc.get("overall") or {}
    row = {
        "content_hash": digest, "walk_utc": iso_utc(walk_dt), "walk_time_source": how,
        "analysed_utc": iso_utc(datetime.now(UTC)),
        "file": str(rec.get("file") or (srcs[0] if srcs else "")),
        "sources": _json([str(s) for s in srcs]),
        "placements": _json([s.get("placement") for s in rec.get("streams") or []]),
        "used_placements": _json(list(doc.get("sources") or [])),
        "gait_kind": doc.get("gait_kind"), "duration_s": finite(rec.get("duration_s")),
        "n_steps": quality.get("n_steps"),
        "quality_ok": None if quality.get("ok") is None else int(bool(quality.get("ok"))),
        "problems": _json(list(quality.get("problems") or [])),
        "per_side": _json(_clean(doc.get("per_side") or {})),
        "verdict_level": verdict.get("level"), "verdict_towards": verdict.get("towards"),
        "verdict_summary": verdict.get("summary"),
        "report_schema": str(doc.get("schema", "")), "generated_by": doc.get("generated_by"),
        "cadence_spm": finite(overall.get("cadence_spm")),
        "step_s": finite((overall.get("step_s") or {}).get("mean")),
    }
    sym_rows = []
    for p, s in (doc.get("symmetry") or {}).items():
        lo, hi = _pair(s.get("ci95"))
        slo, shi = _pair(s.get("left_share_ci95"))
        n = s.get("n_strides")
        sym_rows.append((p, finite(s.get("si_pct")), lo, hi, finite(s.get("left_share_pct")), slo,
                         shi, finite(s.get("gait_asymmetry_pct")),
                         None if n is None else int(n)))
    path = resolve_db(db)
    con = connect(path)
    try:
        with transaction(con):
            walk_id = int(con.execute(_UPSERT, row).fetchone()[0])
            con.execute("DELETE FROM symmetry WHERE walk_id = ?", (walk_id,))
            con.executemany("INSERT INTO symmetry VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [(walk_id, *r) for r in sym_rows])
    except sqlite3.Error as exc:
        raise db_error(path, exc) from None
    finally:
        con.close()
    return walk_id



def _walk_dict(r: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": r["id"], "walk_utc": r["walk_utc"], "walk_time_source": r["walk_time_source"],
        "analysed_utc": r["analysed_utc"], "first_analysed_utc": r["first_analysed_utc"],
        "n_analyses": r["n_analyses"], "file": r["file"], "content_hash": r["content_hash"],
        "sources": json.loads(r["sources"]), "placements": json.loads(r["placements"]),
        "used_placements": json.loads(r["used_placements"]), "gait_kind": r["gait_kind"],
        "duration_s": r["duration_s"], "n_steps": r["n_steps"],
        "cadence_spm": r["cadence_spm"], "step_s": r["step_s"],
        "quality_ok": None if r["quality_ok"] is None else bool(r["quality_ok"]),
        "problems": json.loads(r["problems"]),
        "verdict": {"level": r["verdict_level"], "towards": r["verdict_towards"],
                    "summary": r["verdict_summary"]},
        "per_side": json.loads(r["per_side"]),
    }


def walks(db: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """Every stored walk, oldest first, each with its ``symmetry`` per parameter; [] when
    there is no database yet."""
    path = resolve_db(db)
    if not path.exists():
        return []
    con = connect(path)
    try:
        rows = con.execute("SELECT * FROM walks ORDER BY walk_utc, id").fetchall()
        sym: dict[int, dict[str, Any]] = {}
        for s in con.execute("SELECT * FROM symmetry ORDER BY walk_id, parameter"):
            sym.setdefault(s["walk_id"], {})[s["parameter"]] = {
                "si_pct": s["si_pct"], "ci95": [s["ci_lo"], s["ci_hi"]],
                "left_share_pct": s["left_share_pct"],
                "left_share_ci95": [s["left_share_ci_lo"], s["left_share_ci_hi"]],
                "gait_asymmetry_pct": s["gait_asymmetry_pct"], "n_strides": s["n_strides"]}
    except sqlite3.Error as exc:
        raise db_error(path, exc) from None
    finally:
        con.close()
    return [{**_walk_dict(r), "symmetry": sym.get(r["id"], {})} for r in rows]


def get_walk(content_hash_: str, db: str | os.PathLike[str] | None = None
             ) -> dict[str, Any] | None:
    """The stored walk with this content hash, or None."""
    return next((w for w in walks(db) if w["content_hash"] == content_hash_), None)


def forget(walk_id: int, db: str | os.PathLike[str] | None = None) -> bool:
    """Delete one walk (and its symmetry rows); True when it existed."""
    path = resolve_db(db)
    con = connect(path, create=False)
    try:
        with transaction(con):
            n = con.execute("DELETE FROM walks WHERE id = ?", (walk_id,)).rowcount
    except sqlite3.Error as exc:
        raise db_error(path, exc) from None
    finally:
        con.close()
    return n > 0
