"""The per-step parameters, in one registry, and the schema name of the report document.

Every stage reads the parameters from here: :mod:`gait.metrics` summarises them per side and
computes their symmetry (in this order), :mod:`gait.interpret` takes which of them count
towards the weight-shift verdict and their healthy bands (its thresholds derive from these),
the report writers (:mod:`gait.report`) their labels, units and display precision, ``gait
batch`` its table columns and ``gait history`` its order. Pure data: no I/O, and it imports
nothing of gait, so every layer may read it (``lint-imports``, see pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

#: The analysis document's schema: :func:`gait.analysis.single.analyse` writes it (in a
#: :class:`gait.document.Report`), ``gait/report/schema/report.schema.json`` describes it and
#: :func:`gait.report.validation.validate` checks against that.
SCHEMA = "gait-report/1"


@dataclass(frozen=True)
class Band:
    """How one parameter's SI spreads over healthy walkers measured with one kind of sensor:
    every healthy walk of ../shared/validation, the detector's own error included
    (``benchmarks/norms.py``, which prints these figures and checks them against this table)."""

    n_walks: int
    n_subjects: int
    datasets: str
    sd_pct: float  # SD of the signed SI over the healthy walks
    p975_pct: float  # 97.5th percentile of |SI| (normal fit of the signed SIs)
    p995_pct: float  # 99.5th percentile of |SI| (normal fit)
    left_share_90: tuple[float, float]  # central 90 % of the left share (%), empirical
    diff_p90: float | None = None  # pelvic drop: 90th percentile of |L - R| in degrees


@dataclass(frozen=True)
class Parameter:
    """One per-step parameter: its key in the document (``per_side``, ``symmetry``, ``steps``),
    how it reads and whether and against what it is judged."""

    name: str
    label: str  # in running text, lower case: "stance time" (:attr:`title` at a line's start)
    unit: str  # "" when dimensionless
    decimals: int  # display precision of a value
    counts: bool = False  # counts towards the weight-shift verdict
    #: healthy walkers' band of the SI per kind of sensor ("feet": foot or shank sensors,
    #: "lower_back"); none: not judged
    bands: Mapping[str, Band] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """The label at the start of a line or as a heading: "Stance time"."""
        return self.label[:1].upper() + self.label[1:]


#: the healthy walks behind the bands: with foot or shank sensors, with a lower-back sensor
LEG_DATASETS = ("fukuchi2017, fukuchi2018, gaitmap, trojaniello2014 elderly, truong2019, "
                "voisard2023")
BACK_DATASETS = "fukuchi2017, fukuchi2018, mobgap HA, trojaniello2014 elderly, voisard2023"
_LEGS, _BACK = LEG_DATASETS, BACK_DATASETS

#: Every per-step parameter, in the order the metrics compute and the reports list them.
PARAMETERS: tuple[Parameter, ...] = (
    Parameter("stance_s", "stance time", "s", 3, counts=True, bands={
        "feet": Band(53, 29, _LEGS, 2.67, 6.0, 7.5, (48.9, 51.1)),
        "lower_back": Band(39, 24, _BACK, 4.09, 9.3, 11.6, (48.1, 51.4))}),
    Parameter("step_s", "step time", "s", 3, bands={
        "feet": Band(53, 29, _LEGS, 5.24, 11.8, 14.8, (48.1, 52.2)),
        "lower_back": Band(39, 24, _BACK, 6.04, 13.6, 17.0, (48.2, 51.7))}),
    Parameter("stride_s", "stride time", "s", 3),
    Parameter("swing_s", "swing time", "s", 3, bands={
        "feet": Band(53, 29, _LEGS, 5.41, 12.1, 15.2, (47.8, 52.3)),
        "lower_back": Band(39, 24, _BACK, 6.48, 15.2, 18.9, (48.5, 52.6))}),
    Parameter("double_support_s", "double support", "s", 3),
    Parameter("impact_ms2", "impact", "m/s²", 1, bands={
        "feet": Band(43, 24, _LEGS, 29.9, 67.6, 84.6, (36.9, 58.9)),
        "lower_back": Band(39, 24, _BACK, 32.3, 72.5, 90.8, (37.1, 59.3))}),
    Parameter("loading_rate_ms3", "loading rate", "m/s³", 0, bands={
        "feet": Band(43, 24, _LEGS, 31.4, 70.6, 88.4, (35.9, 60.6)),
        "lower_back": Band(39, 24, _BACK, 33.6, 75.6, 94.6, (38.2, 60.1))}),
    Parameter("pelvic_drop_deg", "pelvic drop", "°", 1, bands={
        "lower_back": Band(27, 13, "mobgap HA, voisard2023", 28.9, 66.9, 83.7, (41.5, 64.0),
                           1.73)}),
    Parameter("lateral_sway_ms2", "lateral sway", "m/s²", 2),
)
#: the parameters' names, in registry order
NAMES: tuple[str, ...] = tuple(p.name for p in PARAMETERS)
BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}
