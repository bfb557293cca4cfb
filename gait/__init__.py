"""gait: left/right gait imbalance from IMU recordings.

A measuring tool, not a diagnosis. See the README for the command line; the Python API mirrors it:

>>> import gait
>>> rec = gait.load("recordings/walk_symmetric.gait.json")   # doctest: +SKIP
"""

from gait.api import combine, load
from gait.errors import GaitInputError
from gait.recording import Recording, SensorStream
from gait.version import __version__

__all__ = ["GaitInputError", "Recording", "SensorStream", "__version__", "combine", "load"]
