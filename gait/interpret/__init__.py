"""Interpretation: the symmetry of each parameter read against healthy walkers.

* :mod:`~gait.interpret.thresholds`: when an SI counts as mild or marked, per kind of sensor,
  from the healthy bands of :mod:`gait.parameters`;
* :mod:`~gait.interpret.weight_shift`: the weight-shift verdict, its side, its plain-language
  explanation and headline, and the causes of an undetermined one;
* :mod:`~gait.interpret.guide`: how to record (``gait guide``), whose steps the causes name.
"""

from gait.interpret.thresholds import (
    BY_PARAM,
    IMPACT_NOTE,
    MIN_STEPS_PER_SIDE,
    SENSOR_KINDS,
    THRESHOLDS,
    Threshold,
    by_param,
    classify,
    threshold_doc,
    thresholds_for,
)
from gait.interpret.weight_shift import (
    DISCLAIMER,
    SIDE_ADVICE,
    SIDE_UNKNOWN,
    causes,
    headline,
    level_title,
    verdict,
)

__all__ = [
    "BY_PARAM", "DISCLAIMER", "IMPACT_NOTE", "MIN_STEPS_PER_SIDE", "SENSOR_KINDS", "SIDE_ADVICE",
    "SIDE_UNKNOWN", "THRESHOLDS", "Threshold", "by_param", "causes", "classify", "headline",
    "level_title", "threshold_doc", "thresholds_for", "verdict",
]
