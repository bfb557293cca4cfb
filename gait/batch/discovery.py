"""Which recordings a batch analyses.

Discovery (:func:`discover`): arguments are files, folders (walked recursively) or glob
patterns. Each recording counts once: a gait recording is its ``NAME.gait.json`` manifest (the
CSVs it lists are not analysed on their own), a multi-file phone export (a Sensor Logger or
phyphox folder) is its folder, a zip is one recording. In folders only ``*.gait.json``,
``*.csv``, ``*.tsv``, ``*.zip`` and ``*.mat`` files are looked at (``*.truth.json`` and hidden
files are not); a file named explicitly is always analysed. Two recordings with the same
content (same sha256 of their files) are one: the later one's row gets status ``duplicate``.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from gait.parameters import NAMES  # a column triple per parameter, in registry order

RECORDING_SUFFIXES = (".csv", ".tsv", ".zip", ".mat")
MANIFEST_SUFFIX = ".gait.json"
COLUMNS: tuple[str, ...] = (
    "file", "status", "error", "format", "placements", "mount", "start_time_utc", "duration_s",
    "gait_kind", "n_steps", "n_steps_L", "n_steps_R", "cadence_spm", "quality_ok",
    "verdict_level", "verdict_towards",
    *(f"{p}_{k}" for p in NAMES for k in ("si_pct", "ci_lo", "ci_hi")),
    "verdict_summary", "content_hash", "seconds", "history_id",
)



def _is_candidate(f: Path) -> bool:
    name = f.name.lower()
    if name.endswith(".truth.json"):
        return False
    return name.endswith(MANIFEST_SUFFIX) or f.suffix.lower() in RECORDING_SUFFIXES


def _manifest_streams(m: Path) -> list[str]:
    try:
        doc = json.loads(m.read_text(encoding="utf-8"))
        return [str(s["file"]) for s in doc.get("streams", []) if "file" in s]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return []


class _Claims:
    """Which manifest (if any) claims a CSV of its folder; cached per folder."""

    def __init__(self) -> None:
        self._by_dir: dict[Path, dict[str, Path]] = {}

    def manifest_of(self, f: Path) -> Path | None:
        d = f.parent
        if d not in self._by_dir:
            claims: dict[str, Path] = {}
            for m in sorted(d.glob("*" + MANIFEST_SUFFIX)):
                for name in _manifest_streams(m):
                    claims.setdefault(name, m)
            self._by_dir[d] = claims
        return self._by_dir[d].get(f.name)


def _unit_of(f: Path, claims: _Claims) -> Path:
    """The recording that file ``f`` belongs to (manifest, export folder, or itself)."""
    from gait.io.detect import export_root

    if f.name.lower().endswith(MANIFEST_SUFFIX) or not f.is_file():
        return f
    if f.suffix.lower() == ".csv" and (m := claims.manifest_of(f)) is not None:
        return m
    try:
        return export_root(f)
    except OSError:
        return f


def discover(args: Iterable[str | os.PathLike[str]],
             exclude: Iterable[Path] = ()) -> list[Path]:
    """The recordings named by files, folders and glob patterns, each once, in order.

    Folders and patterns yield only recording-like files (see the module docstring); a file
    named literally is always kept, even one that does not exist (or a pattern that matches
    nothing), so that its row reports the problem.
    """
    skip = {p.resolve() for p in exclude}
    files: list[Path] = []
    for a in args:
        text = os.fspath(a)
        pattern = glob.has_magic(text)
        matches = sorted(glob.glob(text, recursive=True)) if pattern else [text]
        for m in matches or [text]:
            p = Path(m)
            if p.is_dir():
                files += [f for f in sorted(p.rglob("*")) if f.is_file() and _is_candidate(f)
                          and not any(s.startswith(".") for s in f.relative_to(p).parts)]
            elif not (pattern and matches and not _is_candidate(p)):
                files.append(p)
    claims = _Claims()
    units: dict[Path, None] = {}
    for f in files:
        if f.exists() and f.resolve() in skip:
            continue
        units.setdefault(_unit_of(f, claims), None)
    return list(units)


def unit_files(unit: Path) -> list[Path]:
    """The files a recording is read from (for the resume key)."""
    if unit.is_dir():
        return sorted(f for f in unit.rglob("*") if f.is_file()
                      and not any(s.startswith(".") for s in f.relative_to(unit).parts))
    if unit.name.lower().endswith(MANIFEST_SUFFIX):
        return [unit, *(unit.parent / n for n in _manifest_streams(unit))]
    return [unit]


def unit_key(unit: Path, seed: int, placement: str | None = None,
             mounts: Sequence[str] = ()) -> str:
    """Resume key: absolute path, size and mtime of every file, options (``mounts``, the
    ``--mount`` values, only when given: earlier journals' keys stay valid)."""
    parts: list[Any] = [str(unit.resolve()), seed, placement]
    if mounts:
        parts.append(sorted(mounts))
    for f in unit_files(unit):
        try:
            st = f.stat()
            parts.append([str(f.resolve()), st.st_size, st.st_mtime_ns])
        except OSError:
            parts.append([str(f), None, None])
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:32]
