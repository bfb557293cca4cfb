"""Live balance while ``gait record`` runs: the report's own analysis on the journal so far.

Every few seconds (in a worker thread, so the recorder's event loop keeps its pace) the journal
is read as ``gait recover`` would read it (:func:`gait.ble.assemble.assemble`), its sensors are
put on the recording's axis exactly as ``finalise`` does, turned into streams by the same loader
function as the written CSV files (:func:`gait.io.base.build_stream`) and analysed by
:func:`gait.analysis.single.analyse`, the report's code: the line shows its stance balance (left
share with the bootstrap 95 % interval) and cadence once ``MIN_STRIDES`` strides are in. The
interval between updates grows with the analysis time (at most a third of the time is spent on it).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MIN_STRIDES = 20
EVERY_S = 3.0
WIDTH = 80


@dataclass(frozen=True)
class Balance:
    """The running stance balance (None before ``MIN_STRIDES`` strides)."""

    strides: int
    left_share_pct: float | None = None
    ci95: tuple[float, float] | None = None
    cadence_spm: float | None = None
    stance_si_pct: float | None = None

    def line(self) -> str:
        if self.left_share_pct is None or self.ci95 is None:
            return f"balance     waiting for {MIN_STRIDES} strides ({self.strides} so far)"
        cad = f"{self.cadence_spm:.0f}/min" if self.cadence_spm else "?"
        return (f"balance     stance {self.left_share_pct:.1f} % left "
                f"[{self.ci95[0]:.1f}, {self.ci95[1]:.1f}] · cadence {cad} · "
                f"{self.strides} strides")[:WIDTH]


def recording_of(sensors: list[Any], meta: dict[str, Any]) -> Any:
    """The in-memory recording of assembled sensors, on the axis ``finalise`` writes (mounts of
    ``meta`` applied)."""
    from gait.io.base import build_stream
    from gait.mount import parse_spec
    from gait.recording import Recording

    origin = min(s.host_start_s for s in sensors)
    mounts = meta.get("mounts") or {}
    streams = []
    for s in sensors:
        t = (s.host_start_s - origin) + np.arange(len(s.acc)) / s.rate_hz
        st = build_stream("journal", t, s.acc, gyr=s.gyr, placement=s.placement,
                          nominal_hz=s.rate_hz, t_zero=0.0, warnings=[])
        if s.placement in mounts:
            st.mount = parse_spec(s.placement, mounts[s.placement])
        streams.append(st)
    return Recording(streams=streams, source_format="gait-ble", app="gait record")


def balance_of(analysis_doc: dict[str, Any]) -> Balance:
    """The live figures from a report document (``Analysis.doc``)."""
    st = (analysis_doc.get("symmetry") or {}).get("stance_s") or {}
    n = int(st.get("n_strides") or 0)
    cad = (analysis_doc.get("overall") or {}).get("cadence_spm")
    ci = st.get("left_share_ci95") or [None, None]
    if n < MIN_STRIDES or st.get("left_share_pct") is None or None in ci:
        return Balance(n, cadence_spm=cad)
    return Balance(n, float(st["left_share_pct"]), (float(ci[0]), float(ci[1])), cad,
                   float(st["si_pct"]))


def compute(journal: str | Path) -> Balance | None:
    """The balance of everything journalled so far (None before both sides have data)."""
    from gait.analysis.single import analyse
    from gait.ble.assemble import assemble
    from gait.ble.journal import read_journal
    from gait.errors import GaitInputError

    try:
        j = read_journal(journal)
        sensors = [s for s in assemble(j) if len(s.acc) >= 2]
        if not sensors:
            return None
        rec = recording_of(sensors, j.meta)
        return balance_of(analyse(rec).doc)
    except (GaitInputError, ValueError):  # too little data yet
        return None


class LiveBalance:
    """Background updates of :func:`compute` for a status display."""

    def __init__(self, journal: str | Path, every_s: float = EVERY_S) -> None:
        self.journal = Path(journal)
        self.every_s = every_s
        self.latest: Balance | None = None
        self._thread: threading.Thread | None = None
        self._next = time.monotonic() + every_s

    def _work(self) -> None:
        t = time.monotonic()
        b = compute(self.journal)
        if b is not None:
            self.latest = b
        self._next = time.monotonic() + max(self.every_s, 2.0 * (time.monotonic() - t))

    def poll(self) -> None:
        """Start an update if one is due and none is running."""
        if (self._thread is None or not self._thread.is_alive()) and \
                time.monotonic() >= self._next and self.journal.exists():
            self._thread = threading.Thread(target=self._work, daemon=True)
            self._thread.start()

    def final(self) -> Balance | None:
        """The balance of the whole journal (waits for a running update first)."""
        if self._thread is not None:
            self._thread.join()
        self._work()
        return self.latest

    def line(self) -> str:
        return self.latest.line() if self.latest else "balance     (after the first strides)"
