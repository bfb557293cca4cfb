"""Compatibility layer (to be removed): the chunked reading moved to :mod:`gait.io.chunks`, the
chunked analysis to :mod:`gait.pipeline` (:func:`gait.pipeline.analyse`, the one analysis
path)."""

from __future__ import annotations

from collections.abc import Iterable
from os import PathLike
from typing import Any

from gait.analysis import Analysis
from gait.io.chunks import (
    CHUNK_S,
    LONG_S,
    MARGIN_S,
    duration_hint,
    iter_chunks,
    source_paths,
    wants_chunks,
)
from gait.pipeline import ChunkResult, analyse_chunks, measure_chunk
from gait.recording import Recording

__all__ = ["CHUNK_S", "LONG_S", "MARGIN_S", "ChunkResult", "analyse_long", "duration_hint",
           "iter_chunks", "measure_chunk", "source_paths", "wants_chunks"]


def analyse_long(source: str | PathLike[str] | Iterable[Recording], *, chunk_s: float = CHUNK_S,
                 margin_s: float = MARGIN_S, **kw: Any) -> Analysis:
    """:func:`gait.pipeline.analyse_chunks` of a path's chunks or of the chunks themselves."""
    names = ("n_boot", "seed", "file", "mapper", "mounts", "used_mounts")
    akw = {k: kw.pop(k) for k in names if k in kw}
    if isinstance(source, str | PathLike):
        return analyse_chunks(iter_chunks(source, chunk_s=chunk_s, margin_s=margin_s, **kw),
                              source=str(source), **akw)
    return analyse_chunks(source, **akw)
