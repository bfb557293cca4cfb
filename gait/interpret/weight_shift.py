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

from collections.abc import Mapping, Sequence
from typing import Any

from gait.interpret.thresholds import (
    IMPACT_NOTE,
    MIN_STEPS_PER_SIDE,
    Threshold,
    by_param,
    classify,
    threshold_doc,
    thresholds_for,
)

DISCLAIMER = ("gait measures how you walk or run; it does not diagnose. An asymmetry can have "
              "many causes, most of them harmless. If you have pain, numbness, weakness or an "
              "asymmetry that keeps growing, see a physiotherapist or physician.")


_WHO = {"feet": "foot or shank sensors", "lower_back": "a lower-back sensor"}


def _healthy(t: Threshold, s: dict, per_side: dict, side_known: bool,
             gait_kind: str = "walk") -> dict | None:
    """Where a walk sits against healthy walkers: its left share and the central 90 % of
    theirs (pelvic drop: the difference in degrees), with a sentence saying so."""
    b = t.band
    if b is None:
        return None
    who = f"{_healthy_who(gait_kind)} measured with {_WHO[t.sensors]}"
    if t.parameter == "pelvic_drop_deg" and b.diff_p90 is not None:
        left = (per_side.get("L") or {}).get(t.parameter) or {}
        right = (per_side.get("R") or {}).get(t.parameter) or {}
        lm, rm = left.get("mean"), right.get("mean")
        if lm is None or rm is None:
            return None
        diff = float(lm) - float(rm)
        # a side's drop is measured during its stance: the other side of the pelvis drops
        sides = (f"while you stand on the left leg the pelvis drops {lm:.1f} deg (on the "
                 f"right), on the right leg {rm:.1f} deg (on the left): difference "
                 f"{abs(diff):.1f} deg" if side_known else
                 f"pelvic drop differs by {abs(diff):.1f} deg between the two legs' stances")
        return {"diff_deg": diff, "healthy_diff_p90_deg": b.diff_p90,
                "text": f"{sides[0].upper()}{sides[1:]}; 9 in 10 {who} differ by at most "
                        f"{b.diff_p90:.1f} deg."}
    share = s.get("left_share_pct")
    if share is None:
        return None
    lo, hi = b.left_share_90
    if side_known:
        where = f"{_SHARE_NAME.get(t.parameter, t.label)} {share:.1f} % left"
        band = f"{lo:.1f}-{hi:.1f} %"
    else:  # the side is unknown: the larger share, against the upper end of the band
        name = _SHARE_NAME.get(t.parameter, t.label)
        where = f"{name} {max(share, 100 - share):.1f} % on one side"
        band = f"at most {max(hi, 100 - lo):.1f} % on one side"
    return {"left_share_pct": share, "healthy_left_share_90": [lo, hi],
            "text": f"{where[0].upper()}{where[1:]}; 9 in 10 {who} are within {band}."}


_SHARE_NAME = {"stance_s": "stance balance", "step_s": "step balance",
               "swing_s": "swing balance", "impact_ms2": "impact balance",
               "loading_rate_ms3": "loading-rate balance"}


def _healthy_who(gait_kind: str) -> str:
    """Who the bands describe: walkers, or, for a run, people (the few healthy runs are pooled
    with the walks)."""
    return "healthy walkers" if gait_kind == "walk" else "healthy people"


def _larger_where(parameter: str, side: str | None) -> str:
    """``on the left``; pelvic drop is measured during a leg's stance: ``while standing on the
    left leg``."""
    if parameter == "pelvic_drop_deg":
        return f"while standing on the {_side_name(side)} leg"
    return f"on the {_side_name(side)}"


def _side_name(s: str | None) -> str:
    return {"L": "left", "R": "right"}.get(s or "", "neither")


SIDE_UNKNOWN = ("which leg it is cannot be told from this recording: the lower-back sensor's "
                "side cues contradict each other")
SIDE_ADVICE = ("To learn which leg it is, record again with the side check (three taps on "
               "the left hip before walking: gait guide, step 4), or with a sensor on each foot "
               "or shank (their sides are known from where they are worn), or with the "
               "lower-back sensor centred on the spine and strapped firmly.")


def verdict(symmetry: dict[str, dict], n_steps: dict[str, int], problems: list[str],
            gait_kind: str = "walk", side_known: bool = True, sensors: str = "feet",
            per_side: dict[str, dict] | None = None, streams: Sequence[Mapping] = (),
            walking_s: float | None = None,
            placement_guess: Mapping[str, Any] | None = None) -> dict:
    """The weight-shift verdict, its findings and the explanation.

    ``sensors`` ("feet" for feet or shanks, "lower_back") selects the thresholds and healthy
    bands (:func:`thresholds_for`); each finding says where the walk sits against healthy
    walkers measured the same way. Only parameters whose threshold has ``weight`` count;
    impact is reported with :data:`IMPACT_NOTE` in its finding's text but does not count.
    Pelvic drop is shown in degrees per side (``per_side``: the report's per-side summaries)
    and does not count. ``side_known=False`` (a lower-back walk whose side cues disagree):
    levels from the size of each asymmetry, no side named anywhere, and advice on how to make
    the side certain. An undetermined verdict lists its ``causes`` (:func:`causes`, from
    ``streams``: the report's ``recording.streams``, and ``walking_s``), each with the step of
    ``gait guide`` that fixes it, as its advice.
    """
    table = thresholds_for(sensors)
    weights = {t.parameter: t.weight for t in table}
    thresholds = [threshold_doc(t) for t in table]
    findings = []
    for t in table:
        s = symmetry.get(t.parameter)
        if not s:
            continue
        level, towards = classify(s.get("si_pct"), s.get("ci95"), t)
        si = s["si_pct"]
        ci = s["ci95"]
        if not side_known:
            towards = None
        # a parameter that does not count gets no level word in its text (its level stays in
        # the JSON): "marked" beside a balanced verdict reads as an alarm
        said = f": {level}" if t.weight else ""
        if level in ("mild", "marked") and not side_known:
            text = (f"{t.label.capitalize()} differs by {abs(si):.1f} % between the legs (95 % "
                    f"CI of the size {min(abs(ci[0]), abs(ci[1])):.1f} to "
                    f"{max(abs(ci[0]), abs(ci[1])):.1f} %){said}; {SIDE_UNKNOWN}.")
        elif level in ("mild", "marked"):
            text = (f"{t.label.capitalize()} is {abs(si):.1f} % larger "
                    f"{_larger_where(t.parameter, towards)} (95 % CI {ci[0]:+.1f} to "
                    f"{ci[1]:+.1f} %){said}.")
        elif level == "balanced":
            text = f"{t.label.capitalize()} is balanced (SI {si:+.1f} %)."
        else:
            text = (f"{t.label.capitalize()} differs by {si:+.1f} % but the 95 % CI "
                    f"({ci[0]:+.1f} to {ci[1]:+.1f} %) includes no difference.")
        healthy = _healthy(t, s, (per_side or {}), side_known, gait_kind)
        if healthy:
            text += " " + healthy["text"]
        if t.parameter == "impact_ms2":
            text += f" ({IMPACT_NOTE[0].upper()}{IMPACT_NOTE[1:]}.)"
        elif t.parameter == "loading_rate_ms3":
            text += " (Like impact, shown for information only.)"
        elif t.parameter == "pelvic_drop_deg":
            text += (" (Shown for information only: healthy walkers' pelvic drop differs "
                     "between the sides too much to tell a weakness from it.)")
        elif not t.weight:
            text += " (Shown for information: a difference in timing, not a weight shift.)"
        f = {"parameter": t.parameter, "label": t.label, "si_pct": si, "ci95": ci,
             "level": level, "towards": towards, "counts": t.weight, "text": text}
        if healthy:
            f["healthy"] = {k: v for k, v in healthy.items() if k != "text"}
        findings.append(f)
    few = min(n_steps.get("L", 0), n_steps.get("R", 0)) < MIN_STEPS_PER_SIDE
    if few and sensors not in ("unplaced", "hand", "no_gyroscope"):  # no sides by design:
        # their problem says so
        problems = [*problems, f"only {n_steps.get('L', 0)} left and {n_steps.get('R', 0)} right "
                    f"steps; at least {MIN_STEPS_PER_SIDE} per side are needed for a verdict"]
    weight = [f for f in findings if weights[f["parameter"]]]
    hits = [f for f in weight if f["level"] in ("mild", "marked")]
    lead = "Not enough good walking to judge the balance between the legs: "
    if not few and not problems and not weight:
        lead = "The balance between the legs cannot be judged from this recording: "
        measures = " nor ".join(t.label for t in table if t.weight)
        problems = [f"neither {measures}, the measures of a weight shift, was measured (they "
                    "need foot or lower-back sensors; a phone in a trouser pocket gives cadence "
                    "and step times)"]
    if few or (problems and not weight):
        why = causes(sensors, n_steps, streams, walking_s, measured=bool(weight),
                     placement_guess=placement_guess)
        return {"level": "undetermined", "towards": None,
                "summary": lead + "; ".join(problems) + ".",
                "findings": findings, "explanation": [],
                "advice": [f"{c['text'][:1].upper()}{c['text'][1:]} ({c['guide']})."
                           for c in why],
                "causes": why, "thresholds": thresholds}
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
        summary = ("Your weight is shared evenly between the legs: the difference in stance "
                   "time is within the range of healthy walkers measured the same way.")
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
            "explanation": _explanation(level, towards, gait_kind,
                                        pelvis="pelvic_drop_deg" in symmetry),
            "advice": _advice(level), "thresholds": thresholds}


def _explanation(level: str, towards: str | None, gait_kind: str,
                 pelvis: bool = False) -> list[str]:
    """What a weight shift can mean; the pelvis is named only when it was measured
    (``pelvis``: a lower-back sensor with its standing level)."""
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
        f"side, or weak hip abductors (gluteus medius) on the {side} side"
        + (f", which also lets the pelvis drop on the {other} side while you stand on the "
           f"{side} leg (see pelvic drop above)." if pelvis else "."),
    ]
    if gait_kind != "walk":
        lines.append("In running, ground-contact-time balance beyond about 52 % on one side is "
                     "associated with a higher load on that leg.")
    if towards is None:
        lines = ["The parameters disagree on which leg carries more; this often reflects a "
                 "temporary compensation or measurement noise. Record again on another day."]
    return lines


def causes(sensors: str, n_steps: Mapping[str, int], streams: Sequence[Mapping] = (),
           walking_s: float | None = None, measured: bool = True,
           placement_guess: Mapping[str, Any] | None = None) -> list[dict]:
    """Why a verdict is undetermined: ``{"cause", "text", "guide_step", "guide"}`` per cause
    (the most basic first), each naming the step of ``gait guide`` (:mod:`gait.interpret.guide`)
    that fixes it. ``sensors``: "feet", "lower_back", "pocket", "hand", "no_gyroscope" (feet
    or shanks without a gyroscope: steps only) or "unplaced" (the
    placement was not clear from the signal: ``placement_guess``, the report's
    ``quality.placement_guess``, names the best guess and the ``PLACEMENT=`` candidates);
    ``measured``: whether a counting parameter was measured at all."""
    from gait.interpret.guide import ref, step

    out: list[dict] = []

    def add(cause: str, key: str, text: str) -> None:
        out.append({"cause": cause, "text": text, "guide_step": step(key).n, "guide": ref(key)})

    placements = [str(s.get("placement", "")) for s in streams]
    for s in streams:
        where = s.get("placement") or "unknown"
        where = "the sensor" if where == "unknown" else f"the {where.replace('_', ' ')} sensor"
        rate = s.get("sample_rate_hz")
        if isinstance(rate, int | float) and rate < 50:
            add("sample_rate", "app", f"{where} was sampled at {rate:g} Hz: set the app to "
                "100 Hz or more")
        if s.get("acc_kind") == "linear":
            add("linear_acceleration", "app", f"{where} recorded acceleration without gravity: "
                "choose acceleration with gravity (raw, g-force or total)")
        if "gyroscope" not in (s.get("sensors") or ["gyroscope"]):
            add("no_gyroscope", "app", f"{where} has no gyroscope: switch it on in the app")
        missing = s.get("missing_pct")
        if isinstance(missing, int | float) and missing > 10:
            add("missing_samples", "app", f"{missing:.0f} % of {where}'s samples are missing: "
                "keep the screen on or the app in the foreground")
    nl, nr = n_steps.get("L", 0), n_steps.get("R", 0)
    if sensors == "unplaced":  # first: the placement is what the rest of the analysis needs
        out.insert(0, placement_cause(placement_guess or {}))
    elif sensors == "hand":
        add("hand", "placement", "a phone held in the hand moves with the arm, not with one "
            "leg: it measures steps and cadence, not the balance between the legs; wear it at "
            "the lower back, or a sensor on each foot")
    elif sensors == "pocket" or (any("pocket" in p for p in placements) and not measured):
        add("pocket", "placement", "a phone in a trouser pocket measures cadence, not the "
            "balance between the legs: wear it at the lower back, or a sensor on each foot")
    elif sensors == "feet" and (nl == 0) != (nr == 0):
        worn = "left" if nl else "right"
        add("one_leg", "placement", f"only the {worn} leg carries a sensor: wear one on each "
            "foot or shank, or one at the lower back")
    elif nl + nr and min(nl, nr) == 0:
        add("sides_unknown", "placement", "left and right could not be told apart: say which "
            "pocket (left_pocket=FILE or right_pocket=FILE), or wear the phone at the lower "
            "back")
    if min(nl, nr) < MIN_STEPS_PER_SIDE and sensors != "no_gyroscope" and not any(
            c["cause"] in ("one_leg", "sides_unknown", "hand", "placement_unclear")
            for c in out):
        walked = f"{walking_s:.0f} s of walking, " if walking_s is not None else ""
        add("too_short", "walk", f"only {walked}{nl} left and {nr} right steps: walk at "
            f"least 2 minutes on level ground, for at least {MIN_STEPS_PER_SIDE} steps per leg")
    if not out:
        add("unclear", "walk", "record again: at least 2 minutes of steady, straight walking, "
            "with the sensor firmly attached")
    return out


#: every ``PLACEMENT=`` name a walk can be analysed with, for a guess of no confidence
ALL_PLACEMENTS = ("lower_back", "left_foot", "right_foot", "left_shank", "right_shank",
                  "left_pocket", "right_pocket", "hand")


def placement_cause(guess: Mapping[str, Any]) -> dict:
    """The cause ``placement_unclear`` of a walk analysed for steps and cadence only because
    where the sensor was worn is not clear from the signal (``guess``: the report's
    ``quality.placement_guess``): the best guess with its confidence (or, at confidence 0, the
    reason there is none), the ``PLACEMENT=`` names to choose from, and the guide's step."""
    from gait.interpret.guide import ref, step

    conf = float(guess.get("confidence") or 0.0)
    cands = tuple(guess.get("candidates") or ()) if conf > 0 else ALL_PLACEMENTS
    best = (f"best guess {guess.get('placement')}, confidence {conf:.2f}" if conf > 0 else
            "no guess: " + str(guess.get("reason") or "the signal does not tell").split(": ")[0])
    text = (f"where the sensor was worn is not clear from the signal ({best}), so only steps "
            f"and cadence were measured: say where it was with PLACEMENT=FILE, one of "
            f"{', '.join(cands)} (e.g. gait report {cands[0]}=FILE)")
    return {"cause": "placement_unclear", "text": text, "guide_step": step("placement").n,
            "guide": ref("placement")}


def _advice(level: str) -> list[str]:
    if level == "undetermined":
        from gait.interpret.guide import ref

        return ["Record at least 2 minutes of steady, straight walking (at least 20 steps per "
                f"leg), with the sensor firmly attached ({ref('walk')})."]
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


# --- the headline ----------------------------------------------------------------------------

_HEADLINE_PARAM = "stance_s"  # the one parameter that counts (:data:`THRESHOLDS`)


def _sensor_kind(sources: Sequence[str]) -> str:
    if any(str(p).endswith(("_foot", "_shank")) for p in sources):
        return "feet"
    return "lower_back" if "lower_back" in sources else "pocket"


def level_title(level: str, towards: str | None) -> str:
    """``MILD asymmetry towards the left``, ``BALANCED``, ``UNDETERMINED``."""
    title = level.upper() + (" asymmetry" if level in ("mild", "marked") else "")
    return title + (f" towards the {_side_name(towards)}" if towards in ("L", "R") else "")


def headline(doc: Mapping) -> dict:
    """The answer in one line, for the top of every report: the verdict and its side, the main
    number as people know it (stance balance "L 51.4 % / R 48.6 %", the SI with its 95 % CI) and
    where 9 in 10 healthy people measured the same way lie. An undetermined verdict gives its
    first cause and the step of ``gait guide`` that fixes it instead of a number.

    Keys: ``level``, ``towards``, ``title``, ``text`` (what follows the title; ``lines``: the
    same as separate lines), and
    with a number ``parameter``, ``left_pct``, ``right_pct``, ``si_pct``, ``ci95``,
    ``healthy_left_share_90``; undetermined: ``cause``, ``guide_step``.
    """
    v = doc.get("verdict") or {}
    level = str(v.get("level") or "undetermined")
    towards = v.get("towards") if v.get("towards") in ("L", "R") else None
    out: dict = {"level": level, "towards": towards, "title": level_title(level, towards)}
    if level == "undetermined":
        why = v.get("causes") or [{}]
        first = why[0]
        text = str(first.get("text") or v.get("summary") or "")
        text = text[:1].upper() + text[1:]
        if first.get("guide"):
            text += f" ({first['guide']})."
        out.update(text=text, lines=[text], cause=first.get("cause"),
                   guide_step=first.get("guide_step"))
        return out
    s = (doc.get("symmetry") or {}).get(_HEADLINE_PARAM) or {}
    share, si, ci = s.get("left_share_pct"), s.get("si_pct"), s.get("ci95") or [None, None]
    si_txt = None if si is None else round(float(si), 1) + 0.0  # no "-0.0"
    if share is None or si is None:
        out["text"] = str(v.get("summary") or "")
        out["lines"] = [out["text"]]
        return out
    kind = _sensor_kind(doc.get("sources") or [])
    band = by_param(kind)[_HEADLINE_PARAM].band
    who = f"{_healthy_who(str(doc.get('gait_kind') or 'walk'))} " \
          f"({'lower-back sensor' if kind == 'lower_back' else 'foot or shank sensors'})"
    # imported here: at the top it would load pandas wherever a report writer is imported
    from gait.events import SIDE_TRUST_MIN

    q = doc.get("quality") or {}
    conf = q.get("side_confidence")
    ci_txt = (f" (95 % CI {ci[0]:+.1f} to {ci[1]:+.1f})" if None not in ci[:2] else "")
    lines = []
    if conf is None or conf >= SIDE_TRUST_MIN:
        lines.append(f"Stance balance L {share:.1f} % / R {100 - share:.1f} % · SI {si_txt:+.1f} %"
                     f"{ci_txt}.")
        if band:
            lo, hi = band.left_share_90
            lines.append(f"9 in 10 {who} lie within L {lo:.1f}-{hi:.1f} %.")
    else:  # the size is measured, the leg is not
        big = max(share, 100 - share)
        lines.append(f"Stance balance {big:.1f} % / {100 - big:.1f} % between the legs "
                     f"(which leg is unknown) · |SI| {abs(si):.1f} %.")
        if band:
            lo, hi = band.left_share_90
            lines.append(f"9 in 10 {who} lie within {max(hi, 100 - lo):.1f} % on one side.")
    out.update(text=" ".join(lines), lines=lines, parameter=_HEADLINE_PARAM, left_pct=share,
               right_pct=100 - share, si_pct=si, ci95=list(ci[:2]))
    if band:
        out["healthy_left_share_90"] = list(band.left_share_90)
    return out
