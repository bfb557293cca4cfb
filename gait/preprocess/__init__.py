"""Preprocessing: a sensor's signals filtered and turned into the body's frame.

* :mod:`~gait.preprocess.filters`: gap filling, zero-phase Butterworth low- and band-pass;
* :mod:`~gait.preprocess.body`: gravity, vertical, anterior-posterior and medio-lateral
  acceleration whatever the sensor's orientation (:func:`to_body`), step frequency, running.
"""

from gait.preprocess.body import (
    BodySignals,
    ap_sign,
    ap_sign_clarity,
    dominant_step_hz,
    gravity_direction,
    is_running,
    principal_horizontal,
    step_periodic_horizontal,
    to_body,
    vertical,
)
from gait.preprocess.filters import bandpass, butter_sos, fill_gaps, lowpass

__all__ = [
    "BodySignals", "ap_sign", "ap_sign_clarity", "bandpass", "butter_sos", "dominant_step_hz",
    "fill_gaps", "gravity_direction", "is_running", "lowpass", "principal_horizontal",
    "step_periodic_horizontal", "to_body", "vertical",
]
