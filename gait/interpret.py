"""Weight-shift verdict and its plain-language explanation.

A parameter counts as asymmetric only when the 95 % confidence interval of its symmetry index
excludes zero *and* the index passes the parameter's threshold. Every threshold is in
:data:`THRESHOLDS` with its source. The direction of a weight shift is the side that carries
more: the longer stance and the side whose stance shows the larger pelvic drop of the other
hemipelvis (a Trendelenburg-like pattern points to the stance side's hip abductors). Impact is
reported but does not count (see :data:`IMPACT_NOTE`).

This is a measurement, not a diagnosis; the text says so.
"""

from __future__ import annotations

from dataclasses import dataclass

DISCLAIMER = ("gait measures how you walk or run; it does not diagnose. An asymmetry can have "
              "many causes, most of them harmless. If you have pain, numbness, weakness or an "
              "asymmetry that keeps growing, see a physiotherapist or physician.")


@dataclass(frozen=True)
class Threshold:
    parameter: str
    label: str
    mild_pct: float
    marked_pct: float
    source: str
    weight: bool  # counts towards the weight-shift verdict


THRESHOLDS: tuple[Threshold, ...] = (
    Threshold("stance_s", "stance time", 4.9, 8.8,
              "mild: upper limit of normal stance-time symmetry ratio 1.05 (Patterson et al. "
              "2010, Gait Posture 31:241); marked: ground-contact-time balance 52.2 % "
              "(Garmin running dynamics red zone) = SI 8.8 %", True),
    Threshold("impact_ms2", "impact", 10.0, 20.0,
              "healthy runners show up to ~10 % loading asymmetry (Zifchock et al. 2008, Gait "
              "Posture 27:622); beyond twice that is marked. Shown for information, not counted "
              "towards the weight shift (see the impact note)", False),
    Threshold("loading_rate_ms3", "loading rate", 10.0, 20.0,
              "as impact (Zifchock et al. 2008)", False),
    Threshold("pelvic_drop_deg", "pelvic drop", 15.0, 30.0,
              "project convention (no published normative SI for pelvic drop): about twice the "
              "stride-to-stride CV of pelvic obliquity in healthy walking; needs a standing "
              "period as the level reference, else not reported", True),
    Threshold("step_s", "step time", 7.7, 15.0,
              "mild: upper limit of normal step symmetry ratio 1.08 (Patterson et al. 2010); "
              "marked: twice that", False),
    Threshold("swing_s", "swing time", 5.8, 12.0,
              "mild: upper limit of normal swing-time symmetry ratio 1.06 (Patterson et al. "
              "2010); marked: twice that", False),
)
BY_PARAM = {t.parameter: t for t in THRESHOLDS}

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


def _side_name(s: str | None) -> str:
    return {"L": "left", "R": "right"}.get(s or "", "neither")


#: a walk's mean side confidence below this (a lower-back sensor whose side cues contradict
#: each other reads 0.5) leaves the side out of the verdict: the size of an asymmetry is
#: reported, never a leg that may be the wrong one
SIDE_TRUST_MIN = 0.75
SIDE_UNKNOWN = ("which leg it is cannot be told from this recording: the lower-back sensor's "
                "side cues contradict each other")
SIDE_ADVICE = ("To learn which leg it is, record again with a sensor on each foot or shank "
               "(their sides are known from where they are worn), or with the lower-back sensor "
               "centred on the spine and strapped firmly.")


def verdict(symmetry: dict[str, dict], n_steps: dict[str, int], problems: list[str],
            gait_kind: str = "walk", side_known: bool = True) -> dict:
    """The weight-shift verdict, its findings and the explanation.

    Only parameters whose threshold has ``weight`` count; impact is reported with
    :data:`IMPACT_NOTE` in its finding's text but does not count. ``side_known=False`` (a
    lower-back walk whose side cues disagree): levels from the size of each asymmetry, no side
    named anywhere, and advice on how to make the side certain.
    """
    thresholds = [{"parameter": t.parameter, "label": t.label, "mild_pct": t.mild_pct,
                   "marked_pct": t.marked_pct, "source": t.source} for t in THRESHOLDS]
    findings = []
    for t in THRESHOLDS:
        s = symmetry.get(t.parameter)
        if not s:
            continue
        level, towards = classify(s.get("si_pct"), s.get("ci95"), t)
        si = s["si_pct"]
        ci = s["ci95"]
        if not side_known:
            towards = None
        if level in ("mild", "marked") and not side_known:
            text = (f"{t.label.capitalize()} differs by {abs(si):.1f} % between the legs (95 % "
                    f"CI of the size {min(abs(ci[0]), abs(ci[1])):.1f} to "
                    f"{max(abs(ci[0]), abs(ci[1])):.1f} %): {level}; {SIDE_UNKNOWN}.")
        elif level in ("mild", "marked"):
            text = (f"{t.label.capitalize()} is {abs(si):.1f} % larger on the "
                    f"{_side_name(towards)} (95 % CI {ci[0]:+.1f} to {ci[1]:+.1f} %): {level}.")
        elif level == "balanced":
            text = f"{t.label.capitalize()} is balanced (SI {si:+.1f} %)."
        else:
            text = (f"{t.label.capitalize()} differs by {si:+.1f} % but the 95 % CI "
                    f"({ci[0]:+.1f} to {ci[1]:+.1f} %) includes no difference.")
        if t.parameter == "impact_ms2":
            text += f" ({IMPACT_NOTE[0].upper()}{IMPACT_NOTE[1:]}.)"
        elif t.parameter == "loading_rate_ms3":
            text += " (Like impact, shown for information only.)"
        findings.append({"parameter": t.parameter, "label": t.label, "si_pct": si, "ci95": ci,
                         "level": level, "towards": towards, "text": text})
    few = min(n_steps.get("L", 0), n_steps.get("R", 0)) < MIN_STEPS_PER_SIDE
    if few:
        problems = [*problems, f"only {n_steps.get('L', 0)} left and {n_steps.get('R', 0)} right "
                    f"steps; at least {MIN_STEPS_PER_SIDE} per side are needed for a verdict"]
    weight = [f for f in findings if BY_PARAM[f["parameter"]].weight]
    hits = [f for f in weight if f["level"] in ("mild", "marked")]
    lead = "Not enough good walking to judge the balance between the legs: "
    if not few and not problems and not weight:
        lead = "The balance between the legs cannot be judged from this recording: "
        measures = " nor ".join(t.label for t in THRESHOLDS if t.weight)
        problems = [f"neither {measures}, the measures of a weight shift, was measured (they "
                    "need foot or lower-back sensors; a phone in a trouser pocket gives cadence "
                    "and step times)"]
    if few or (problems and not weight):
        return {"level": "undetermined", "towards": None,
                "summary": lead + "; ".join(problems) + ".",
                "findings": findings, "explanation": [], "advice": _advice("undetermined"),
                "thresholds": thresholds}
    sides = {f["towards"] for f in hits}
    if hits and not side_known:
        level = "marked" if any(f["level"] == "marked" for f in hits) else "mild"
        what = ", ".join(f["label"] for f in hits)
        return {"level": level, "towards": None,
                "summary": f"A {level} asymmetry between the legs ({what}), but {SIDE_UNKNOWN}.",
                "findings": findings,
                "explanation": ["The size of the difference between the legs is measured; "
                                "which leg takes the longer stance is not, because the lower-"
                                "back sensor's two side cues (pelvic rotation and roll) point "
                                "to opposite legs in this recording."],
                "advice": [SIDE_ADVICE, *_advice(level)], "thresholds": thresholds}
    if not hits:
        level, towards = "balanced", None
        summary = ("Your weight is shared evenly between the legs: stance time and pelvic "
                   "motion are within the normal range of symmetry.")
    elif len(sides) > 1:
        level = "mild"
        towards = None
        summary = ("Mixed picture: some parameters favour the left, others the right "
                   "(" + "; ".join(f"{f['label']} {_side_name(f['towards'])}" for f in hits)
                   + "). No consistent weight shift.")
    else:
        towards = sides.pop()
        level = "marked" if any(f["level"] == "marked" for f in hits) else "mild"
        what = ", ".join(f["label"] for f in hits)
        summary = (f"A {level} weight shift towards the {_side_name(towards)} leg ({what}).")
    return {"level": level, "towards": towards, "summary": summary, "findings": findings,
            "explanation": _explanation(level, towards, gait_kind),
            "advice": _advice(level), "thresholds": thresholds}


def _explanation(level: str, towards: str | None, gait_kind: str) -> list[str]:
    if level == "balanced":
        return ["Small differences between the legs are normal; yours are within the range "
                "seen in healthy people."]
    side = _side_name(towards)
    other = _side_name({"L": "R", "R": "L"}.get(towards or "", ""))
    lines = [
        f"Spending longer on the {side} leg is how the body protects or "
        f"spares the {other} leg, or how it compensates for a load on one side.",
        "Common, mostly harmless reasons: carrying a bag or a child on one shoulder or hip, a "
        "one-sided sport (tennis, golf, football), habit after an old ankle, knee or hip injury, "
        "a leg-length difference, or worn shoes.",
        f"Muscular patterns that show up this way: a tight hip flexor or calf on the {other} "
        f"side, or weak hip abductors (gluteus medius) on the {side} side, which also lets the "
        f"pelvis drop on the {other} side while you stand on the {side} leg.",
    ]
    if gait_kind != "walk":
        lines.append("In running, ground-contact-time balance beyond about 52 % on one side is "
                     "associated with a higher load on that leg.")
    if towards is None:
        lines = ["The parameters disagree on which leg carries more; this often reflects a "
                 "temporary compensation or measurement noise. Record again on another day."]
    return lines


def _advice(level: str) -> list[str]:
    if level == "undetermined":
        return ["Record at least one to two minutes of steady, straight walking (at least 20 "
                "steps per leg), with the sensor firmly attached."]
    if level == "balanced":
        return ["Nothing to correct. Record again now and then to follow your balance over time."]
    return [
        "People usually work on this with single-leg strength work (single-leg squats, step-ups, "
        "side-lying hip abduction, single-leg bridges) and stretching of the tight side (hip "
        "flexors, calves).",
        "Change how you carry loads: switch shoulders, or use a backpack with both straps.",
        "Record again every week or two to see whether the exercise is working.",
        "If the asymmetry is marked, painful or growing, have it assessed by a physiotherapist.",
    ]
