"""The thresholds of the verdict: when a parameter's SI counts as mild or marked, per kind of
sensor, from the healthy bands of the parameter registry (:mod:`gait.parameters`), each with
its source, and the classification of one parameter's SI and CI against them.
"""

from __future__ import annotations

from dataclasses import dataclass

from gait.parameters import BACK_DATASETS, BY_NAME, LEG_DATASETS, Band


@dataclass(frozen=True)
class Threshold:
    """When one parameter's SI counts as mild or marked for one kind of sensor, and why:
    made by :func:`_threshold` from the registry (:mod:`gait.parameters`: label, whether it
    counts, the healthy band whose percentiles are the limits) and the source below."""

    parameter: str
    label: str
    sensors: str  # "feet" (feet or shanks) or "lower_back"
    mild_pct: float
    marked_pct: float
    source: str
    weight: bool  # counts towards the weight-shift verdict
    band: Band | None = None


def _threshold(parameter: str, sensors: str, source: str) -> Threshold:
    """Mild beyond the 97.5th percentile of healthy walkers' |SI|, marked beyond the 99.5th
    (:data:`_BASIS`), of the registry's band of ``parameter`` for ``sensors``."""
    p = BY_NAME[parameter]
    band = p.bands[sensors]
    return Threshold(parameter, p.label, sensors, band.p975_pct, band.p995_pct, source,
                     p.counts, band)


_LEGS, _BACK = LEG_DATASETS, BACK_DATASETS
#: mild beyond the 97.5th percentile of healthy walkers' |SI|, marked beyond the 99.5th (normal
#: fits of the signed SIs; there are too few walks to read these percentiles off directly): a
#: healthy walker is called mild by chance about once in 40 walks, and never marked. Leave one
#: subject out, 1 of 39 healthy lower-back walks and 2 of 53 leg-sensor walks are called mild,
#: none marked; with mild at the 95th percentile it was 2 of 39 and 2 of 53, with the former
#: literature thresholds 18 and 3 (benchmarks/norms.py). Every stroke walk of trojaniello2014
#: with a walkway step SI beyond 20 % stays flagged from the lower back and from the shanks.
_BASIS = "mild: healthy 97.5th percentile of |SI|, marked: 99.5th (normal fit)"
#: The thresholds, in the order of the verdict's findings; the figures are the registry's bands
#: (gait.parameters), the sources say where they come from.
THRESHOLDS: tuple[Threshold, ...] = (
    _threshold("stance_s", "feet",
               f"{_BASIS}; 53 walks of 29 healthy subjects with foot or shank sensors ({_LEGS}). "
               "Literature: upper limit of normal stance-time symmetry ratio 1.05 = SI 4.9 "
               "(Patterson et al. 2010, Gait Posture 31:241); Garmin's ground-contact-time "
               "balance red zone 52.2 % = SI 8.8"),
    _threshold("stance_s", "lower_back",
               f"{_BASIS}; 39 walks of 24 healthy subjects with a lower-back sensor ({_BACK}): "
               "wider than at the legs because the trunk reaches the two legs' contacts with "
               "slightly different delays (benchmarks/side_bias.py). Literature: Patterson et "
               "al. 2010, SI 4.9 measured at the feet"),
    _threshold("impact_ms2", "feet",
               f"{_BASIS}; 43 healthy walks. Literature: healthy runners show up to ~10 % "
               "loading asymmetry at the force plate (Zifchock et al. 2008, Gait Posture "
               "27:622); a body-worn sensor spreads far wider. Shown for information, not "
               "counted (see the impact note)"),
    _threshold("impact_ms2", "lower_back",
               f"{_BASIS}; 39 healthy walks. Literature: Zifchock et al. 2008 (~10 % at the "
               "force plate). Shown for information, not counted"),
    _threshold("loading_rate_ms3", "feet", f"{_BASIS}; 43 healthy walks; as impact"),
    _threshold("loading_rate_ms3", "lower_back", f"{_BASIS}; 39 healthy walks; as impact"),
    _threshold("pelvic_drop_deg", "lower_back",
               f"{_BASIS} of the SI; 27 walks of 13 healthy subjects (mobgap HA, voisard2023). "
               "The SI of two small angles spreads too widely in healthy walkers (SD 30 "
               "points) to flag anyone, and the difference in degrees (90 % of healthy "
               "walkers within 1.7 deg) keeps its sign between a person's walks (a mounting or "
               "posture offset), so pelvic drop is shown for information, in degrees, and not "
               "counted. Needs a standing period as the level reference"),
    _threshold("step_s", "feet",
               f"{_BASIS}; 53 healthy walks. Literature: upper limit of normal step symmetry "
               "ratio 1.08 = SI 7.7 (Patterson et al. 2010). Shown, not counted: a step-time "
               "difference is a limp, not a weight shift"),
    _threshold("step_s", "lower_back",
               f"{_BASIS}; 39 healthy walks. Literature: Patterson et al. 2010, SI 7.7. Shown, "
               "not counted"),
    _threshold("swing_s", "feet",
               f"{_BASIS}; 53 healthy walks. Literature: upper limit of normal swing-time "
               "symmetry ratio 1.06 = SI 5.8 (Patterson et al. 2010). Shown, not counted"),
    _threshold("swing_s", "lower_back",
               f"{_BASIS}; 39 healthy walks. Literature: Patterson et al. 2010, SI 5.8. Shown, "
               "not counted"),
)
SENSOR_KINDS = ("feet", "lower_back")


def thresholds_for(sensors: str) -> tuple[Threshold, ...]:
    """The thresholds of one kind of sensor ("feet": feet or shanks; "lower_back"; anything
    else, e.g. a pocket phone, gets the leg sensors' set, of which it measures no counting
    parameter)."""
    kind = sensors if sensors in SENSOR_KINDS else "feet"
    return tuple(t for t in THRESHOLDS if t.sensors == kind)


def by_param(sensors: str) -> dict[str, Threshold]:
    return {t.parameter: t for t in thresholds_for(sensors)}


BY_PARAM = by_param("feet")

#: Why impact does not count. Basis (benchmarks/validate_impact.py): on 24 healthy voisard2023
#: walks the lower-back impact SI follows the SI of the foot sensors' own heel-strike peaks only
#: loosely (r = 0.46 for the report's definition, 0.1-0.5 for every other candidate) and spreads
#: with an SD of ~24 points over healthy walks (threshold 10); on the simulator a stance-only
#: asymmetry of 8 % moves the walking trunk impact SI by ~14 points. At the foot the peak mixes
#: the transient with the foot's own deceleration, which also changes with stance timing.
IMPACT_NOTE = ("impact is shown for information only and does not count towards the verdict: "
               "from a body-worn sensor it follows each leg's heel strike only loosely, and in "
               "healthy walkers the two sides often differ by 20-30 %")

MIN_STEPS_PER_SIDE = 20  # fewer: the CI is too wide to say anything (about 20 strides)

# Which side "carries more" when the SI is positive (left larger): for stance, impact and
# loading the left; for pelvic drop measured during the left stance, the left hip.
_LEVELS = ("balanced", "mild", "marked")


def classify(si: float | None, ci: list | tuple | None, th: Threshold) -> tuple[str, str | None]:
    """(level, towards) of one parameter."""
    if si is None or ci is None or ci[0] is None or ci[1] is None:
        return "uncertain", None
    excludes_zero = ci[0] > 0 or ci[1] < 0
    a = abs(si)
    if a < th.mild_pct:
        return "balanced", None
    if not excludes_zero:
        return "uncertain", None
    # the CI must also clear the mild threshold for "marked"
    level = "marked" if a >= th.marked_pct and min(abs(ci[0]), abs(ci[1])) >= th.mild_pct \
        else "mild"
    return level, ("L" if si > 0 else "R")


def threshold_doc(t: Threshold) -> dict:
    doc = {"parameter": t.parameter, "label": t.label, "mild_pct": t.mild_pct,
           "marked_pct": t.marked_pct, "source": t.source, "sensors": t.sensors,
           "counts": t.weight}
    if t.band is not None:
        doc["healthy"] = {"n_walks": t.band.n_walks, "n_subjects": t.band.n_subjects,
                          "datasets": t.band.datasets, "sd_pct": t.band.sd_pct,
                          "left_share_90": list(t.band.left_share_90)}
    return doc
