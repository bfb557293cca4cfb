"""Metrics: per-step parameters from the events, per side, and their symmetry.

One module per family, in the order the analysis uses them:

* :mod:`~gait.metrics.temporal`: the step table (stance, step, stride, swing, double support per
  IC), irregular steps, cadence of both legs together;
* :mod:`~gait.metrics.impact`: heel-strike impact and loading rate per step;
* :mod:`~gait.metrics.pelvis`: pelvic drop and lateral sway per stance (lower back);
* :mod:`~gait.metrics.trunk`: regularity and harmonic ratios of a trunk sensor;
* :mod:`~gait.metrics.statistics`: per-side summaries, symmetry index and bootstrap CIs.
"""

from gait.metrics.impact import (
    IMPACT_HIGHPASS_HZ,
    impact_features,
    impact_min_rate,
    impact_resolved,
)
from gait.metrics.pelvis import pelvic_features
from gait.metrics.statistics import (
    BOOT_BLOCK,
    MIN_STEP_PAIRS,
    REGULAR_STEP,
    describe_values,
    overall,
    per_side,
    per_side_means,
    step_asymmetry,
    stride_ids,
    symmetry,
    symmetry_index,
)
from gait.metrics.temporal import MAX_STRIDE_S, TEMPORAL, bout_index, mark_irregular, step_table
from gait.metrics.trunk import trunk_measures

__all__ = [
    "BOOT_BLOCK", "IMPACT_HIGHPASS_HZ", "MAX_STRIDE_S", "MIN_STEP_PAIRS", "REGULAR_STEP",
    "TEMPORAL", "bout_index", "describe_values", "impact_features", "impact_min_rate",
    "impact_resolved", "mark_irregular", "overall", "pelvic_features", "per_side",
    "per_side_means", "step_asymmetry", "step_table", "stride_ids", "symmetry", "symmetry_index",
    "trunk_measures",
]
