"""One recording of a batch analysed: its table row.

Work: :func:`analyse_one` (a pure function of the path and the bootstrap seed) runs in local
worker processes (``concurrent.futures.ProcessPoolExecutor``, spawn start method, one BLAS
thread each) or, given a scheduler address, on a Dask distributed cluster
(``pip install 'gait[dask]'``; the workers must see the files under the same paths). A file
that cannot be read or analysed gives a row with status ``error`` (bad input) or ``failed``
(internal error) and the batch goes on.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gait.batch.discovery import COLUMNS
from gait.errors import GaitInputError
from gait.history import finite  # one number cleaner for the rows and the database
from gait.parameters import NAMES  # a column triple per parameter, in registry order


def table_row(path: str, doc: dict[str, Any] | None) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(file=path, status="ok")
    if doc is None:
        return row
    rec = doc.get("recording") or {}
    q = doc.get("quality") or {}
    v = doc.get("verdict") or {}
    row.update(
        format=rec.get("format"),
        placements="+".join(str(s.get("placement")) for s in rec.get("streams") or []),
        start_time_utc=rec.get("start_time_utc"), duration_s=finite(rec.get("duration_s")),
        gait_kind=doc.get("gait_kind"),
        # steps without sides (hand-held, placement not clear) are counted in overall
        n_steps=q.get("n_steps") or (doc.get("overall") or {}).get("n_steps"),
        n_steps_L=q.get("n_steps_L"),
        n_steps_R=q.get("n_steps_R"),
        cadence_spm=finite((doc.get("overall") or {}).get("cadence_spm")),
        quality_ok=q.get("ok"), verdict_level=v.get("level"),
        verdict_towards=v.get("towards"), verdict_summary=v.get("summary"))
    for p in NAMES:
        s = (doc.get("symmetry") or {}).get(p) or {}
        ci = s.get("ci95") if isinstance(s.get("ci95"), list | tuple) else [None, None]
        row[f"{p}_si_pct"] = finite(s.get("si_pct"))
        row[f"{p}_ci_lo"], row[f"{p}_ci_hi"] = finite(ci[0]), finite(ci[1])
    return row


def analyse_one(path: str, seed: int = 0, keep_doc: bool = False,
                placement: str | None = None, mounts: Sequence[str] = ()) -> dict[str, Any]:
    """Load and analyse one recording; never raises.

    ``placement``: where the sensor was worn, for files that do not say; ``mounts``: the
    ``--mount`` values (``PLACEMENT=SPEC``, :mod:`gait.mount`), the same for every recording:
    a recording without that placement, or whose gravity contradicts the mount, is an
    ``error`` row. The row's ``mount`` is the mount used (``PLACEMENT=SPEC``, ``;`` between
    placements), empty without one.
    The recording goes through :func:`gait.analysis.pipeline.analyse`, as in ``gait report``: one
    of an hour or more is read and analysed in chunks (bounded memory), in this process.
    Returns ``{"row": <table row>, "doc": <report without steps/events, if keep_doc>,
    "sources": [files]}``. Status ``error``: the input cannot be read or analysed (the one-line
    message is in ``error``); ``failed``: an internal error.
    """
    from gait.analysis.pipeline import analyse
    from gait.history import content_hash, source_files
    from gait.mount import Mount, MountError

    t0 = time.perf_counter()
    out: dict[str, Any] = {"row": table_row(path, None), "doc": None, "sources": []}
    ropts = {"placement": placement} if placement else {}
    try:
        used: dict[str, Mount] = {}
        try:  # jobs=1: a batch runs its recordings in parallel, each in one process
            result = analyse(path, jobs=1, seed=seed, file=path, mounts=list(mounts),
                             used_mounts=used, **ropts)
        except MountError as exc:
            raise GaitInputError(None, str(exc)) from None
        sources = source_files(result.sources) or [Path(path)]
        digest = content_hash(sources)
        doc = result.doc
        del result
        out["row"] = table_row(path, doc)
        out["row"]["mount"] = ";".join(f"{pl}={m.spec}" for pl, m in used.items()) or None
        out["row"]["content_hash"] = digest
        out["sources"] = [str(s) for s in sources]
        if keep_doc:
            out["doc"] = {k: x for k, x in doc.items() if k not in ("steps", "events")}
    except GaitInputError as exc:
        out["row"].update(status="error", error=exc.one_line())
    except ValueError as exc:
        out["row"].update(status="error", error=f"{path}: {' '.join(str(exc).split())}")
    except Exception as exc:
        out["row"].update(status="failed", error=f"{type(exc).__name__}: {exc}")
    out["row"]["seconds"] = round(time.perf_counter() - t0, 4)
    return out
