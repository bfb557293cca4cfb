"""The whole analysis of one recording: events -> steps -> per side -> symmetry -> verdict.

Pure computation over a :class:`~gait.recording.Recording`; the result is an
:class:`Analysis` whose ``report`` is the versioned document (schema ``gait-report/1``,
documented in the README), typed (:class:`gait.document.Report`), and whose ``doc`` is its
plain form (:meth:`~gait.document.Report.to_dict`) that the terminal, JSON and HTML reports
render. Its per-step and
per-event rows are read-only columnar tables (:class:`gait.table.Table`: numpy columns that
read as lists of dicts), so a 24-hour report does not hold ~300k dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from gait.document import (
    Bout,
    Headline,
    Overall,
    Quality,
    RecordingInfo,
    Report,
    Stat,
    Stream,
    Symmetry,
    Verdict,
)
from gait.events import FOOT, INFERRED_NOTE, NO_GYRO_NOTE, SIDE_TRUST_MIN, Detection, detect_events
from gait.interpret import (
    DISCLAIMER,
    SIDE_UNKNOWN,
    by_param,
    headline,
    verdict,
)
from gait.metrics import (
    IMPACT_HIGHPASS_HZ,
    describe_values,
    impact_features,
    impact_min_rate,
    impact_resolved,
    mark_irregular,
    overall,
    pelvic_features,
    per_side,
    step_asymmetry,
    step_table,
    symmetry,
    trunk_measures,
)
from gait.parameters import NAMES, SCHEMA
from gait.preprocess import fill_gaps, to_body, vertical
from gait.recording import Recording, SensorStream, describe
from gait.table import Codes, Table
from gait.version import __version__

#: Systematic left/right event-timing uncertainty of each detector (SD of the difference of
#: the two sides' timing biases, s), added to the confidence intervals of temporal symmetry
#: (see metrics.symmetry). Basis: feet, the spread of per-walk stance-SI errors against the
#: voisard2023 and gaitmap references (median 0.9 points at 0.65 s stance, ~4 ms) and the
#: 2-3 ms side bias seen on the simulator; lower back, calibrated on the 24 voisard2023 and 6
#: mobgap walks: with 15 ms the report's stance-SI error over its CI, combined with the
#: reference's own sampling error, has an RMS z of 0.99 (voisard) and 1.06 (mobgap); 10 ms gave
#: 1.14 / 1.10, i.e. intervals too narrow; pocket, the 10-20 ms subject-specific trunk
#: response offsets seen on oxford (side-specific timing cannot be scored there).
TIMING_SD_S = {"feet": 0.004, "lower_back": 0.015, "pocket": 0.010}
MIN_RATE_HZ = 50.0


@dataclass
class Analysis:
    """Result of :func:`analyse`: the report document plus the tables behind it.

    ``report`` is the typed document (:class:`gait.document.Report`), ``doc`` its plain form
    (``report.to_dict()``: the JSON's keys and values). ``doc["steps"]`` and ``doc["events"]``
    are read-only :class:`gait.table.Table` objects: ``len``, iteration and indexing give plain
    dicts, ``.column(key)`` a numpy array and ``.to_list()`` the list of dicts. The analysis
    renders nothing: the writers of :mod:`gait.report` take ``doc`` (``dumps(a.doc)``,
    ``render_html(a.doc)``)."""

    doc: dict[str, Any]
    steps: pd.DataFrame
    detection: Detection
    sources: list[str] = field(default_factory=list)  # the files the recording was read from
    report: Report | None = None  # the typed document (doc is its plain form)


#: Per-side parameters a trouser-pocket phone does not measure (see :data:`POCKET_NOTE`).
POCKET_UNMEASURED = ("step_s",)
#: parameters that compare one sensor's events with another's: they need the sensors on one
#: time axis (walking asymmetry comes from step_s)
BETWEEN_SENSORS = ("step_s", "double_support_s")


def alignment_note(meta: dict[str, Any]) -> str | None:
    """The note when a BLE recording's sensors are not aligned well enough for the parameters
    between them (``meta.ble.alignment``, :func:`gait.ble.assemble.alignment_summary`)."""
    al = (meta.get("ble") or {}).get("alignment") or {}
    unc, limit = al.get("uncertainty_ms"), al.get("limit_ms")
    if unc is None or limit is None or unc <= limit:
        return None
    return (f"step time, double support and walking asymmetry left out: the two sensors' clocks "
            f"are aligned only to +-{unc:.0f} ms (limit {limit:g} ms), and these compare one "
            "sensor's events with the other's")
POCKET_NOTE = ("per-side step times not reported: a phone in a trouser pocket times each step "
               "from its vertical acceleration band-passed at the step frequency, which evens "
               "out a left/right step-time difference (on the simulator a 3 % step asymmetry "
               "read as 0 %); cadence, step count and step times of both legs together are "
               "measured")


SIDE_INFERRED_NOTE = ("sides inferred from the pelvis's motion (lower-back sensor); three taps "
                      "on the left hip while standing before the walk make them certain "
                      "(README: side check)")


def _impact_note(fs: float, site: str) -> str:
    where = "foot sensors sample" if site == "foot" else "lower-back sensor samples"
    return (f"impact not reported: the {where} at {fs:g} Hz; the heel-strike transient at the "
            f"{'foot' if site == 'foot' else 'trunk'} needs "
            f"{impact_min_rate(IMPACT_HIGHPASS_HZ[site]):g} Hz or more")


def add_features(rec: Recording, det: Detection, steps: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Impact, pelvic and trunk features from the best stream for each: impact from the feet
    (or shanks) when both sides have one (the heel strike measured where it happens), else from
    the lower back; pelvis and trunk from the lower back."""
    by = {s.placement: s for s in rec.streams}
    trunk: dict = {}
    feet = {side: [p for p in FOOT if p in by and by[p].acc_kind == "total"
                   and p.startswith("left" if side == "L" else "right")] for side in ("L", "R")}
    back = by.get("lower_back")
    if back is not None and back.acc_kind != "total":
        back = None
    # the lower back's body frame as its detector found it (forward over the walking it
    # detected; a stated mount, gait.mount, gives forward and left by geometry); computed here
    # only when that detector did not run (feet were used for the contacts)
    body = None if back is None else det.frames.get("lower_back") or to_body(
        back, window_s=None, forward=None if back.mount is None else back.mount.forward)
    if all(feet.values()) or (back is None and any(feet.values())):
        steps, slow = _foot_impact(by, feet, steps)
        if slow:
            trunk["impact_note"] = _impact_note(slow, "foot")
    elif back is not None and body is not None:
        steps = impact_features(steps, body.v, back.sample_rate_hz, back.start_s)
        if not impact_resolved(back.sample_rate_hz, IMPACT_HIGHPASS_HZ["trunk"]):
            trunk["impact_note"] = _impact_note(back.sample_rate_hz, "trunk")
    # pocket: one thigh sees both legs' contacts differently (ipsilateral vs contralateral),
    # so a per-side impact from it would measure the phone's side, not the legs: left out.
    if back is not None and body is not None:
        steps, levelled = pelvic_features(steps, back.acc, body, back.start_s, det.bouts)
        if not levelled:
            steps["pelvic_drop_deg"] = np.nan  # no standing reference: the level is unknown
            trunk["notes"] = ["pelvic drop not reported: no standing period to take the level "
                              "of the pelvis from (stand still for a few seconds when recording)"]
        trunk.update(trunk_measures(body.v, body.ap, body.ml, back.sample_rate_hz, back.start_s,
                                    steps, det.bouts))
    return steps, trunk


def _foot_impact(by: dict[str, SensorStream], feet: dict[str, list[str]],
                 steps: pd.DataFrame) -> tuple[pd.DataFrame, float | None]:
    """Each side's impact from its own foot (or shank) sensor; the slowest rate too slow to
    resolve it, if any."""
    parts = []
    slow: list[float] = []
    for side in ("L", "R"):
        sub = steps[steps["side"] == side]
        if feet[side]:
            s = by[feet[side][0]]
            # the foot's vertical acceleration (to_body's v, without its AP and ML frame)
            v = vertical(fill_gaps(s.acc), s.sample_rate_hz)[1]
            sub = impact_features(sub, v, s.sample_rate_hz, s.start_s,
                                  highpass_hz=IMPACT_HIGHPASS_HZ["foot"])
            if not impact_resolved(s.sample_rate_hz, IMPACT_HIGHPASS_HZ["foot"]):
                slow.append(s.sample_rate_hz)
        parts.append(sub)
    out = pd.concat(parts).sort_values("ic").reset_index(drop=True) if parts else steps
    return out, (min(slow) if slow else None)


def steps_only_overall(det: Detection, per_stride: bool, step_s: float | None
                       ) -> dict[str, Any]:
    """:func:`gait.metrics.overall` of a steps-only detection (:mod:`gait.events.steps_only`):
    its events are one per step, or one per stride of an unknown leg (``per_stride``: counted
    as strides, two steps each, as a sensor on one leg; the leg is not named); the cadence is
    60 / ``step_s``, the detector's step period; no cadence (None) without it (the rhythm not
    steady enough to time it), the steps still counted."""
    if not len(det.events):
        return {"n_steps": 0, "cadence_spm": None, "step_s": describe_values(np.empty(0))}
    if not per_stride:
        out = overall(det.events, det.bouts)
    else:
        out = overall(det.events.assign(side="L"), det.bouts)  # one (unnamed) leg: strides
        out.pop("one_leg", None)
    out["cadence_spm"] = None if step_s is None else round(60.0 / step_s, 1)
    return out


def _unplaced_problem(so: dict[str, Any]) -> str:
    """The quality problem of a walk whose placement was not clear (steps only)."""
    best = (f"best guess {so['placement']}, confidence {so['confidence']:.2f}"
            if so["confidence"] > 0 else "no guess")
    return (f"where the sensor was worn is not clear from the signal ({best}): steps and "
            "cadence only, no left/right")


def _nogyro_problem(so: dict[str, Any]) -> str:
    """The quality problem of feet or shanks recorded without a gyroscope (steps only)."""
    return (f"{so['placement']} has no gyroscope: the foot and shank contact detector needs "
            "angular rate, so only steps and cadence were measured, no left/right")


def _quality(rec: Recording, det: Detection, steps: pd.DataFrame) -> dict[str, Any]:
    problems: list[str] = []
    used = [s for s in rec.streams if s.placement in det.sources]
    for s in used:
        if s.sample_rate_hz < MIN_RATE_HZ:
            problems.append(f"{s.placement} sampled at {s.sample_rate_hz:g} Hz (below "
                            f"{MIN_RATE_HZ:g} Hz, contact timing is coarse)")
        if s.missing_fraction > 0.1:
            problems.append(f"{s.placement}: {100 * s.missing_fraction:.0f} % of samples missing")
    walking = float((det.bouts["end"] - det.bouts["start"]).sum()) if len(det.bouts) else 0.0
    if walking < 15:
        problems.append(f"only {walking:.0f} s of walking or running found")
    n_l = int((steps["side"] == "L").sum())
    n_r = int((steps["side"] == "R").sum())
    sided = det.events["side"].isin(["L", "R"]).mean() if len(det.events) else 0.0
    if len(det.events) and sided < 0.5:
        problems.append(_UNSIDED.get(det.sources[0] if det.sources else "",
                                     _UNSIDED["pocket"]))
    irregular = int((~steps["regular"]).sum()) if "regular" in steps else 0
    return {"ok": not problems, "n_steps": n_l + n_r, "n_steps_L": n_l, "n_steps_R": n_r,
            "n_irregular_steps": irregular,
            "n_bouts": len(det.bouts), "walking_s": walking, "problems": problems}


#: why a stream's events have no sides, by placement (a placement inferred without a side, a
#: phone held in the hand): the quality problem that makes the verdict undetermined
_UNSIDED = {
    "pocket": "left and right could not be told apart (give the pocket side: left_pocket=FILE "
              "or right_pocket=FILE)",
    "hand": "hand-held: no left/right (a phone in the hand moves with the arm, not with one "
            "leg; steps and cadence are measured)",
    "foot": "one foot sensor of unknown side: left and right could not be told apart (give "
            "left_foot=FILE or right_foot=FILE)",
    "shank": "one shank sensor of unknown side: left and right could not be told apart (give "
             "left_shank=FILE or right_shank=FILE)",
}


def _inferred_placement(stream: dict[str, Any], det: Detection) -> dict[str, str]:
    """The placement shown for a stream of unknown placement whose placement the detection
    inferred from the signal (:func:`gait.events.detect_events`): e.g. "hand (inferred)"."""
    if stream.get("placement") != "unknown" or not any(
            n.startswith(INFERRED_NOTE) for n in det.notes) or len(det.sources) != 1:
        return {}
    return {"placement": f"{det.sources[0]} (inferred)"}


def _side_source(det: Detection, kind: str) -> str | None:
    """Where the report's left and right come from: "placement" (sensors on each foot or
    shank, a pocket of known side), "side check" (the taps of :mod:`gait.events.side_check`),
    "inferred" (a lower-back sensor's pelvic cues), or the detector's own word
    (``Detection.side_source``); None without sided events."""
    if det.side_source:
        return det.side_source
    if not (len(det.events) and det.events["side"].isin(["L", "R"]).any()):
        return None
    return "inferred" if kind == "lower_back" else "placement"


def _finite(x: Any) -> Any:
    if isinstance(x, float | np.floating):
        return float(x) if np.isfinite(x) else None
    return x


def _step_table(steps: pd.DataFrame, cols: list[str]) -> Table:
    """The step table as the document's columnar rows (``bout`` as integers, other non-float
    columns as codes)."""
    return Table({c: steps[c].to_numpy().astype(np.int64) if c == "bout"
                  else _codes(steps[c]) if steps[c].dtype.kind in "OT" or c == "side"
                  else steps[c].to_numpy() for c in cols})


def _event_table(events: pd.DataFrame) -> Table:
    """The event table as the document's columnar rows (side None unless L/R)."""
    return Table({"t": events["t"].to_numpy(np.float64),
                  "kind": _codes(events["kind"].astype(str)),
                  "side": _codes(events["side"], only=("L", "R")),
                  "confidence": events["confidence"].to_numpy(np.float64),
                  **({"side_confidence": events["side_confidence"].to_numpy(np.float64)}
                     if "side_confidence" in events else {})})


def _codes(col: pd.Series, only: tuple[str, ...] | None = None) -> Codes:
    """``Codes.of(col.to_numpy(object))``, values not in ``only`` as None: the same codes and
    labels (in order of first appearance), from pandas' factorization instead of a Python
    object per row (a 24-hour walk's 318k events: ~16 MB a column)."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    labels = [None if only is not None and u not in only else u
              for u in Codes.of(np.asarray(uniques, dtype=object)).labels] + [None]
    codes = np.where(codes < 0, len(labels) - 1, codes)
    present, first = np.unique(codes, return_index=True)
    # one code per distinct label (several values may have become None), in order of first row
    seen: dict[Any, int] = {}
    for c in present[np.argsort(first)]:
        seen.setdefault(labels[c], len(seen))
    remap = np.array([seen.get(label, 0) for label in labels], dtype=np.int64)
    return Codes(remap[codes], tuple(seen))


def analyse(rec: Recording, *, n_boot: int = 2000, seed: int = 0,
            file: str | None = None) -> Analysis:
    """Analyse a recording: events, step table, per-side summaries, symmetry with 95 % CIs,
    trunk measures and the weight-shift verdict."""
    det = detect_events(rec)
    steps = mark_irregular(step_table(det.events, det.bouts))
    steps, trunk = add_features(rec, det, steps)
    det = replace(det, frames={})  # the body frames are used up: not kept with the result
    return summarise(rec, describe(rec), det, steps, trunk, n_boot=n_boot, seed=seed,
                     file=file or (rec.sources[0] if rec.sources else ""))


def summarise(rec: Any, info: dict[str, Any], det: Detection, steps: pd.DataFrame,
              trunk: dict[str, Any], *, n_boot: int = 2000, seed: int = 0,
              file: str = "") -> Analysis:
    """Per-side summaries, symmetry, verdict and the report document from the finished tables.

    ``rec`` is only asked for its streams' ``placement``, ``sample_rate_hz`` and
    ``missing_fraction`` (quality checks); ``info`` is :func:`describe` of it, or the same facts
    gathered chunk by chunk (:func:`gait.analysis.pipeline.analyse_chunks`).
    """
    kind = "feet" if any(p in FOOT for p in det.sources) else (
        "lower_back" if "lower_back" in det.sources else "pocket")
    unaligned = alignment_note(getattr(rec, "meta", None) or {})
    params = [p for p in NAMES if p in steps and steps[p].notna().any()
              and not (kind == "pocket" and p in POCKET_UNMEASURED)
              and not (unaligned and p in BETWEEN_SENSORS)]
    sides = per_side(steps, params)
    sym = symmetry(steps, params, n_boot=n_boot, seed=seed, timing_sd_s=TIMING_SD_S[kind])
    if "step_s" in sym:
        sym["step_s"].update(step_asymmetry(steps, by_param(kind)["step_s"].mild_pct))
    quality = _quality(rec, det, steps)
    so = det.steps_only
    nogyro = so is not None and so.get("cause") == "no_gyroscope"
    if so is not None:  # placement not clear, or feet without a gyro: steps and cadence only
        quality["problems"] = [_nogyro_problem(so) if nogyro else _unplaced_problem(so), *(
            [] if so["step_s"] else [f"no cadence: {so['why']}"]), *(
            p for p in quality["problems"] if p not in _UNSIDED.values())]
        quality["ok"] = False
        if not nogyro:
            quality["placement_guess"] = {k: so[k] for k in (
                "placement", "confidence", "candidates", "reason", "unit")}
    quality["notes"] = [*trunk.get("notes", []),
                        *([trunk["impact_note"]] if "impact_note" in trunk else []),
                        *([POCKET_NOTE] if kind == "pocket" and len(steps)
                           and "hand" not in det.sources else []),
                        *([unaligned] if unaligned else [])]
    kinds = set(det.bouts["kind"]) if len(det.bouts) else set()
    gait_kind = "mixed" if len(kinds) > 1 else (kinds.pop() if kinds else "walk")
    quality["side_confidence"] = det.side_confidence
    source = _side_source(det, kind)
    if source is not None:
        quality["side_source"] = source
    # what the side check did (found, confirmed, swapped, or found but not usable)
    check_notes = [n.removeprefix("lower_back: ") for n in det.notes if "side check" in n]
    quality["notes"] += [n for n in det.notes
                         if n.startswith(INFERRED_NOTE) or NO_GYRO_NOTE in n]
    quality["notes"] += check_notes or ([SIDE_INFERRED_NOTE] if source == "inferred" else [])
    if source == "mount":  # which mount, and where it was stated
        quality["notes"] += [n.removeprefix("lower_back: ") for n in det.notes
                             if "stated mount" in n]
    if quality["side_confidence"] is not None and quality["side_confidence"] < SIDE_TRUST_MIN:
        quality["notes"].append(f"sides uncertain (mean side confidence "
                                f"{quality['side_confidence']:.2f}): {SIDE_UNKNOWN}; left and "
                                "right below may be swapped, the sizes of the differences hold")
    v = verdict(sym, {"L": quality["n_steps_L"], "R": quality["n_steps_R"]},
                quality["problems"], gait_kind,
                side_known=quality["side_confidence"] is None
                or quality["side_confidence"] >= SIDE_TRUST_MIN,
                sensors="hand" if "hand" in det.sources else (
                    "no_gyroscope" if nogyro else "unplaced" if so is not None else kind),
                per_side=sides,
                streams=info["streams"], walking_s=quality["walking_s"],
                placement_guess=quality.get("placement_guess"))
    recording = RecordingInfo(
        file=file, format=info["format"], app=info["app"], platform=info["platform"],
        device=info["device"], start_time_utc=info["start_time_utc"],
        duration_s=info["duration_s"],
        streams=tuple(Stream.from_dict({k: st[k] for k in (
            "placement", "sample_rate_hz", "sensors", "acc_kind", "missing_pct", "n_samples")}
            | _inferred_placement(st, det)) for st in info["streams"]),
        warnings=tuple(info["warnings"]))
    step_cols = ["side", "ic", "fc", "bout", *params]
    report = Report(
        schema=SCHEMA,
        generated_by=f"gait {__version__}",
        created_utc=datetime.now(UTC).isoformat(timespec="seconds"),
        headline=Headline("undetermined", None, "", "", ()),  # replaced below
        disclaimer=DISCLAIMER,
        recording=recording,
        sources=tuple(det.sources),
        gait_kind=gait_kind,
        bouts=tuple(Bout(float(b.start), float(b.end), str(b.kind))
                    for b in det.bouts.itertuples(index=False)),
        quality=Quality.from_dict(quality),
        overall=Overall.from_dict(overall(det.events, det.bouts) if so is None else
                                  steps_only_overall(det, so["unit"] == "stride",
                                                     so["step_s"])),
        per_side={s: {p: Stat.from_dict(x) for p, x in by.items()} for s, by in sides.items()},
        symmetry={p: Symmetry.from_dict(x) for p, x in sym.items()},
        trunk={k: _finite(x) for k, x in trunk.items() if k not in ("notes", "impact_note")},
        verdict=Verdict.from_dict(v),
        steps=_step_table(steps, [c for c in step_cols if c in steps]),
        events=_event_table(det.events),
    )
    report = replace(report, headline=Headline.from_dict(headline(report.to_dict())))
    doc = report.to_dict()
    return Analysis(doc=doc, steps=steps, detection=det,
                    sources=list(getattr(rec, "sources", None) or []), report=report)
