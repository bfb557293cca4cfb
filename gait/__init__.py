"""gait: left/right gait imbalance from IMU recordings.

A measuring tool, not a diagnosis. See the README for the command line; the Python API mirrors it:

>>> import gait
>>> rec = gait.load("recordings/walk_symmetric.gait.json")   # doctest: +SKIP
>>> a = gait.analyse("recordings/walk_symmetric.gait.json")  # doctest: +SKIP
>>> a.doc["verdict"]                                          # doctest: +SKIP

:func:`gait.analyse` is the analysis ``gait report`` runs (:func:`gait.analysis.pipeline.analyse`):
a path or a loaded :class:`Recording`; a recording of an hour or more is read and analysed in
10-minute chunks in bounded memory, in worker processes (``jobs=1``: in this one).
"""

from typing import Any

from gait.api import combine, load
from gait.errors import GaitInputError
from gait.recording import Recording, SensorStream
from gait.version import __version__

__all__ = ["GaitInputError", "Recording", "SensorStream", "__version__", "analyse", "combine",
           "load"]


def __getattr__(name: str) -> Any:
    """``gait.analyse`` on first use: the analysis stack (events, metrics, pandas) is not
    imported by ``import gait``."""
    if name == "analyse":
        from gait.analysis.pipeline import analyse

        return analyse
    raise AttributeError(f"module 'gait' has no attribute {name!r}")
