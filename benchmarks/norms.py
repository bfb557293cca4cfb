"""Healthy normative bands of the symmetry indices and the healthy false-alarm rate of the verdict.

What (issue 16, the measurement part): for every healthy walk in ``../shared/validation``
(voisard2023, mobgap HA, truong2019 healthy group, trojaniello2014 elderly S001-S010 as cohort
"elderly", gaitmap, oxford_step_counter, fukuchi2017 runs as gait "run", fukuchi2018 walks) and
every placement configuration the walk has (``lower_back``, ``feet``, ``shanks``, ``pocket``,
``left_pocket``, ``right_pocket``; :data:`validate.CONFIGS`), the full analysis
(:func:`gait.analysis.single.analyse`, what ``gait report`` computes, 2000 bootstrap resamples) is
run and every parameter of ``doc["symmetry"]`` is kept per walk: SI (``si_pct``), its 95 % CI, the
left share, the number of strides and, from ``doc["per_side"]``, the two side means (pelvic drop:
the difference L - R in degrees, since the SI of two small angles is a poor measure). Each walk
carries its subject (from its reference's ``subject``), data set, cohort, gait (walk/run: the
data set's, not the detector's) and age group.

How:

1. *Today's verdict*: ``doc["verdict"]`` as the report gives it (gated: fewer than
   :data:`gait.interpret.MIN_STEPS_PER_SIDE` steps on a side gives "undetermined") and the same
   verdict recomputed with the gate lifted, as if the walk were long enough:
   :func:`gait.interpret.verdict` called exactly as :func:`gait.analysis.single.summarise` calls
   it, with each side's step count replaced by ``max(n, MIN_STEPS_PER_SIDE)`` (nothing in ``gait/``
   is changed). The share of healthy walks called mild or marked is today's healthy false-alarm
   rate, per placement, gait and age group.
2. *Bands*: per placement x parameter (and per gait / age group / walk length where there are at
   least :data:`MIN_GROUP_WALKS` walks of :data:`MIN_GROUP_SUBJECTS` subjects) the distribution of
   |SI| over walks: n walks, n subjects, data sets, median, empirical 90th, 95th and 97.5th
   percentiles (numpy's linear interpolation; marked ``*`` when n is below :data:`MIN_N`: a
   q-quantile needs about 1 / (1 - q) walks, the 97.5th 40), a parametric 97.5th (a folded normal
   with the signed SIs' mean and SD, walk level) and a subject-level bootstrap 90 % interval of the
   empirical 97.5th (subjects resampled with all their walks, :data:`N_BOOT_SUBJECTS` resamples),
   and the left share's central 90 % and 95 % ranges (left share = 50 + SI / 4 exactly, so these
   are the SI bands in the user's words).
3. *Leave-one-subject-out*: for each subject, candidate thresholds of the parameters that count
   towards the verdict (``Threshold.weight``: stance time, pelvic drop) are taken per placement
   from the |SI| of every other subject's healthy walks (:data:`CANDIDATES`: mild = P90 /
   marked = P97.5; P95 / P99; P97.5 / P99; the normal-fit P90 / P97.5; and P90 / P97.5 and
   P95 / P99 with pelvic drop left informational, i.e. only stance time counting) and that
   subject's walks are judged with the gate lifted. Thresholds are per placement, pooled over
   gait and age (a subgroup has too few subjects to leave one out).
   The thresholds are passed by swapping :data:`gait.interpret.THRESHOLDS` and ``BY_PARAM`` for
   the duration of the call (:func:`candidate_thresholds`), so the comparison is
   :func:`gait.interpret.classify` itself (CI excludes zero and |SI| >= mild; marked also needs
   |SI| >= marked and the CI clear of mild), not a reimplementation. The false-alarm rate (mild or
   marked) per placement is printed beside today's.

Caveats:

* The SIs include the detector's error (event timing, side assignment, irregular steps), which is
  what the issue asks for: bands of what the tool reads on healthy people, not of true gait.
* Many walks are short (voisard2023: 14-22 steps per side; mobgap Test5: 5-6; truong2019: 11-22;
  fukuchi2018 16-24): their SI carries more sampling noise than a 2-minute walk would, so the
  bands are wider than those of long walks would be (the ``long`` group: >= 20 steps per side).
* n is small: ~40 walks of ~20 subjects per placement at most (shanks 12 walks of 10 subjects);
  two walks of one subject are not independent (the bootstrap resamples subjects). The 97.5th
  percentile is at the edge of what 40 walks can say; the 99th is beyond it (it is the maximum).
* Ages: voisard2023 26-75 years, truong2019 healthy 18-83, fukuchi2017 22 and 39;
  trojaniello2014 "elderly" (ages not in the copied files); mobgap HA, gaitmap, oxford and
  fukuchi2018 give no age. "elderly" = trojaniello2014's elderly cohort or an age >= 65 years.
* Running: only fukuchi2017's three treadmill runs of two runners (virtual sensors): too few for
  a band of their own; they are pooled into their placement's bands and shown as a group.
* gaitmap does not state whether its two healthy walks are one person: they are taken as one
  subject (the conservative choice for leave-one-subject-out).
* Pocket phones: oxford's pocket side is unknown, so no per-side parameter is measured (no
  verdict); the virtual left/right pockets measure stride time only (no weight parameter).
* Pelvic drop needs a standing period to level the pelvis: only voisard2023 and mobgap have it.

Run: ``python benchmarks/norms.py [--json PATH] [--placement CONFIG]``. Needs
../shared/validation (or GAIT_SHARED); without it prints one line and exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import validate  # benchmarks/validate.py: walks, LOCATION, CONFIGS, cohort_of, VALIDATION

import gait
from gait import interpret
from gait.analysis.single import analyse
from gait.events import FOOT, SIDE_TRUST_MIN
from gait.interpret import thresholds as interpret_thresholds

#: cohorts of healthy walkers (validate.cohort_of); every other cohort is left out
HEALTHY_COHORTS = ("healthy", "elderly", "running")
#: percentiles of |SI| in the bands
PERCENTILES = (50.0, 90.0, 95.0, 97.5)
#: walks a percentile needs to mean anything: about 1 / (1 - q)
MIN_N = {50.0: 3, 90.0: 10, 95.0: 20, 97.5: 40, 99.0: 100}
#: a subgroup band (gait, age group, long walks) is printed with at least this many walks ...
MIN_GROUP_WALKS = 6
#: ... of at least this many subjects
MIN_GROUP_SUBJECTS = 3
#: subject-level bootstrap resamples of the 97.5th percentile
N_BOOT_SUBJECTS = 1000
#: age from which a walker counts as elderly where the data set gives the age
ELDERLY_AGE = 65
#: candidate thresholds of the leave-one-subject-out evaluation: (name, mild q, marked q, how)
#: and whether pelvic drop is left informational (``weight`` off: only stance time counts)
CANDIDATES: tuple[tuple[str, float, float, str, bool], ...] = (
    ("P97.5/P99.5 normal (used)", 97.5, 99.5, "normal", True),
    ("P95/P99.5 normal", 95.0, 99.5, "normal", True),
    ("P90/P97.5", 90.0, 97.5, "empirical", False),
    ("P95/P99", 95.0, 99.0, "empirical", False),
    ("P97.5/P99", 97.5, 99.0, "empirical", False),
    ("P90/P97.5 normal", 90.0, 97.5, "normal", False),
    ("P90/P97.5 no pelvis", 90.0, 97.5, "empirical", True),
    ("P95/P99 no pelvis", 95.0, 99.0, "empirical", True),
)
#: the parameter a "no pelvis" candidate leaves informational
PELVIS = "pelvic_drop_deg"
#: feet and shanks together (they share their thresholds: gait.interpret "feet")
LEGS = "feet+shanks"
FLAGGED = ("mild", "marked")


# --- per walk -----------------------------------------------------------------------------------

def subject_of(dataset: str, ref: dict) -> str:
    """A walk's subject, unique across data sets.

    Parameters
    ----------
    dataset : str
        The data set's name.
    ref : dict
        The walk's ``ref_*.json``.

    Returns
    -------
    str
        ``"<dataset>:<id>"`` from the reference's ``subject`` (``subject``, ``Subject``,
        ``participant_id`` with its cohort, ``subject_id_in_dataset``, ``user``); gaitmap, which
        does not say whose its walks are, gives one subject for all of them.
    """
    subj = ref.get("subject") or {}
    short = dataset.split("_")[0]
    if "participant_id" in subj:
        return f"{short}:{subj.get('cohort', '')}{subj['participant_id']}"
    for key in ("subject", "Subject", "subject_id_in_dataset", "user"):
        if subj.get(key) is not None:
            return f"{short}:{subj[key]}"
    return f"{short}:unstated"


def age_group_of(cohort: str, ref: dict) -> str:
    """``"elderly"`` for trojaniello2014's elderly cohort or an age >= :data:`ELDERLY_AGE`
    years, else ``"adult"`` (including walkers whose age the data set does not give).

    Parameters
    ----------
    cohort : str
        The walk's cohort (:func:`validate.cohort_of`).
    ref : dict
        The walk's ``ref_*.json``.

    Returns
    -------
    str
        ``"elderly"`` or ``"adult"``.
    """
    subj = ref.get("subject") or {}
    age = subj.get("Age", subj.get("age_years"))
    if cohort == "elderly" or (age is not None and float(age) >= ELDERLY_AGE):
        return "elderly"
    return "adult"


def sensors_of(doc: dict) -> str:
    """The kind of sensor whose thresholds judge a report (as :func:`gait.analysis.single.summarise`
    picks them): "feet" for feet or shanks, else "lower_back" (pockets: "feet", whose counting
    parameters they do not measure)."""
    src = doc.get("sources") or []
    if any(p in FOOT for p in src):
        return "feet"
    return "lower_back" if "lower_back" in src else "feet"


def lifted_verdict(doc: dict) -> dict:
    """The report's verdict recomputed with the step gate lifted (as if the walk were long
    enough): :func:`gait.interpret.verdict` called as :func:`gait.analysis.single.summarise` calls
    it, each side's step count replaced by ``max(n, MIN_STEPS_PER_SIDE)``. Uses the thresholds
    :data:`gait.interpret.THRESHOLDS` holds at the time of the call.

    Parameters
    ----------
    doc : dict
        The report document (:attr:`gait.analysis.single.Analysis.doc`).

    Returns
    -------
    dict
        The verdict (``level``, ``towards``, ``findings``, ...).
    """
    q = doc["quality"]
    gate = interpret.MIN_STEPS_PER_SIDE
    conf = q["side_confidence"]
    return interpret.verdict(doc["symmetry"],
                             {"L": max(q["n_steps_L"], gate), "R": max(q["n_steps_R"], gate)},
                             q["problems"], doc["gait_kind"],
                             side_known=conf is None or conf >= SIDE_TRUST_MIN,
                             sensors=sensors_of(doc), per_side=doc.get("per_side"))


def _num(x: Any) -> float:
    return float(x) if x is not None and np.isfinite(x) else float("nan")


def walk_row(dataset: str, ref: dict, config: str, doc: dict) -> dict:
    """One walk's row: who, where, the report's and the lifted-gate verdicts and every symmetry
    parameter.

    Parameters
    ----------
    dataset : str
        The data set's name.
    ref : dict
        The walk's ``ref_*.json``.
    config : str
        The placement configuration (a key of :data:`validate.CONFIGS`).
    doc : dict
        The report document of the walk in that configuration.

    Returns
    -------
    dict
        ``dataset, walk, subject, config, cohort, gait, gait_kind, age_group, n_steps_L,
        n_steps_R, side_confidence, verdict, towards, lifted_verdict, lifted_towards,
        lifted_hits, params``; ``params[p]`` holds ``si_pct, ci95, left_share_pct, n_strides,
        mean_L, mean_R, diff_LR`` (``diff_LR``: L - R in the parameter's unit).
    """
    cohort = validate.cohort_of(dataset, ref)
    lifted = lifted_verdict(doc)
    params = {}
    for p, s in doc["symmetry"].items():
        mean_l = _num((doc["per_side"].get("L", {}).get(p) or {}).get("mean"))
        mean_r = _num((doc["per_side"].get("R", {}).get(p) or {}).get("mean"))
        params[p] = {"si_pct": _num(s.get("si_pct")),
                     "ci95": [_num(c) for c in (s.get("ci95") or [None, None])],
                     "left_share_pct": _num(s.get("left_share_pct")),
                     "n_strides": int(s.get("n_strides") or 0),
                     "mean_L": mean_l, "mean_R": mean_r, "diff_LR": mean_l - mean_r}
    q = doc["quality"]
    return {"dataset": dataset, "walk": ref["walk"], "subject": subject_of(dataset, ref),
            "config": config, "cohort": cohort,
            "gait": "run" if cohort == "running" else "walk", "gait_kind": doc["gait_kind"],
            "age_group": age_group_of(cohort, ref),
            "n_steps_L": q["n_steps_L"], "n_steps_R": q["n_steps_R"],
            "side_confidence": q["side_confidence"],
            "verdict": doc["verdict"]["level"], "towards": doc["verdict"]["towards"],
            "lifted_verdict": lifted["level"], "lifted_towards": lifted["towards"],
            "lifted_hits": [f["parameter"] for f in lifted["findings"]
                            if f["level"] in FLAGGED
                            and interpret.by_param(sensors_of(doc))[f["parameter"]].weight],
            "params": params, "_doc": doc}


def healthy_walks(configs: Sequence[str] | None = None, n_boot: int = 2000,
                  only: Sequence[str] | None = None) -> list[dict]:
    """The rows (:func:`walk_row`) of every healthy walk and placement configuration.

    Parameters
    ----------
    configs : sequence of str, optional
        Configurations to run (default all of :data:`validate.CONFIGS`).
    n_boot : int
        Bootstrap resamples of the analysis (2000 as ``gait report``).
    only : sequence of str, optional
        Only the walks with these names (tests).

    Returns
    -------
    list of dict
        One row per walk and configuration; a walk without a configuration's files, or whose
        files cannot be loaded, is skipped (the latter with a line on stderr).
    """
    rows = []
    for ds, ref_path, ref in validate.walks():
        if validate.cohort_of(ds, ref) not in HEALTHY_COHORTS:
            continue
        if only is not None and ref["walk"] not in only:
            continue
        files = {validate.LOCATION[k]: ref_path.parent / v for k, v in ref["imu_files"].items()
                 if k in validate.LOCATION}
        for cfg in configs or validate.CONFIGS:
            need = validate.CONFIGS[cfg]
            if not all(p in files for p in need):
                continue
            try:
                rec = gait.load({p: files[p] for p in need})
                doc = analyse(rec, n_boot=n_boot).doc
            except (ValueError, gait.GaitInputError) as exc:
                print(f"{ds} {ref['walk']} {cfg}: skipped ({exc})", file=sys.stderr)
                continue
            rows.append(walk_row(ds, ref, cfg, doc))
    return rows


# --- bands --------------------------------------------------------------------------------------

def folded_normal_quantile(signed: np.ndarray, q: float) -> float:
    """The q-th percentile of |X| for X normal with the mean and SD (n - 1) of ``signed``.

    Parameters
    ----------
    signed : numpy.ndarray
        Signed values (per-walk SIs).
    q : float
        Percentile, 0-100.

    Returns
    -------
    float
        NaN with fewer than 3 values.
    """
    if len(signed) < 3:
        return float("nan")
    m, s = float(np.mean(signed)), float(np.std(signed, ddof=1))
    if s <= 0:
        return abs(m)
    return float(stats.foldnorm.ppf(q / 100.0, abs(m) / s, scale=s))


def subject_bootstrap(values: np.ndarray, subjects: np.ndarray, q: float,
                      n_boot: int = N_BOOT_SUBJECTS, seed: int = 0) -> tuple[float, float]:
    """90 % interval of the empirical q-th percentile of ``values`` over subject-level
    resamples (subjects drawn with replacement, each with all its walks).

    Parameters
    ----------
    values : numpy.ndarray
        Per-walk values.
    subjects : numpy.ndarray
        Each walk's subject.
    q : float
        Percentile, 0-100.
    n_boot : int
        Resamples.
    seed : int
        Random seed.

    Returns
    -------
    tuple of float
        (5th, 95th) percentile of the resampled percentile; NaNs with fewer than 3 subjects.
    """
    uniq = np.unique(subjects)
    if len(uniq) < 3:
        return float("nan"), float("nan")
    idx = [np.flatnonzero(subjects == u) for u in uniq]
    rng = np.random.default_rng(seed)
    out = np.empty(n_boot)
    for b in range(n_boot):
        pick = rng.integers(0, len(uniq), len(uniq))
        out[b] = np.percentile(values[np.concatenate([idx[i] for i in pick])], q)
    return float(np.percentile(out, 5)), float(np.percentile(out, 95))


def band(rows: list[dict], param: str, key: str = "si_pct") -> dict | None:
    """The healthy distribution of one parameter's ``|key|`` over ``rows``.

    Parameters
    ----------
    rows : list of dict
        Walk rows (:func:`walk_row`) of one placement (and group).
    param : str
        A symmetry parameter.
    key : str
        ``"si_pct"`` (bands of |SI| and of the left share) or ``"diff_LR"`` (bands of |L - R|
        in the parameter's unit).

    Returns
    -------
    dict or None
        ``n_walks, n_subjects, datasets, median_strides, p50, p90, p95, p97_5, p99`` (empirical;
        None where n < :data:`MIN_N`, the value kept in ``*_raw``), ``p97_5_normal``,
        ``p97_5_boot90`` and, for the SI, the signed mean/SD and the left share's central 90 %
        and 95 % ranges; None when no walk has the parameter.
    """
    use = [r for r in rows if param in r["params"] and np.isfinite(r["params"][param][key])]
    if not use:
        return None
    signed = np.array([r["params"][param][key] for r in use])
    a = np.abs(signed)
    subj = np.array([r["subject"] for r in use])
    out: dict[str, Any] = {"n_walks": len(use), "n_subjects": len(set(subj)),
                           "datasets": sorted({r["dataset"] for r in use}),
                           "median_strides": float(np.median(
                               [r["params"][param]["n_strides"] for r in use])),
                           "mean_signed": float(np.mean(signed)),
                           "sd_signed": float(np.std(signed, ddof=1)) if len(use) > 1
                           else float("nan")}
    for q in (*PERCENTILES, 99.0):
        name = f"p{q:g}".replace(".", "_")
        val = float(np.percentile(a, q))
        out[f"{name}_raw"] = val
        out[name] = val if len(use) >= MIN_N[q] else None
    out["p97_5_normal"] = folded_normal_quantile(signed, 97.5)
    out["p97_5_boot90"] = list(subject_bootstrap(a, subj, 97.5))
    if key == "si_pct":
        share = np.array([r["params"][param]["left_share_pct"] for r in use])
        share = share[np.isfinite(share)]
        if len(share):
            out["left_share_90"] = [float(np.percentile(share, 5)),
                                    float(np.percentile(share, 95))]
            out["left_share_95"] = [float(np.percentile(share, 2.5)),
                                    float(np.percentile(share, 97.5))]
    return out


def groups_of(rows: list[dict]) -> dict[str, list[dict]]:
    """The subgroups of one placement's rows: ``all``, by gait, by age group among walks, and
    long walks (>= :data:`gait.interpret.MIN_STEPS_PER_SIDE` steps per side).

    Parameters
    ----------
    rows : list of dict
        Walk rows of one placement.

    Returns
    -------
    dict
        Group name -> its rows (possibly empty).
    """
    gate = interpret.MIN_STEPS_PER_SIDE
    return {"all": rows,
            "walk": [r for r in rows if r["gait"] == "walk"],
            "run": [r for r in rows if r["gait"] == "run"],
            "walk adult": [r for r in rows if r["gait"] == "walk" and r["age_group"] == "adult"],
            "walk elderly": [r for r in rows if r["gait"] == "walk"
                             and r["age_group"] == "elderly"],
            "long": [r for r in rows if min(r["n_steps_L"], r["n_steps_R"]) >= gate]}


def all_bands(rows: list[dict]) -> list[dict]:
    """Bands (:func:`band`) per placement x parameter x group; subgroups other than ``all``
    only with >= :data:`MIN_GROUP_WALKS` walks of >= :data:`MIN_GROUP_SUBJECTS` subjects (and
    not identical to ``all``). Pelvic drop also in degrees (``measure`` ``diff_deg``).

    Parameters
    ----------
    rows : list of dict
        All walk rows.

    Returns
    -------
    list of dict
        Each band with ``config, param, measure, group``.
    """
    out = []
    for cfg in validate.CONFIGS:
        crow = [r for r in rows if r["config"] == cfg]
        params = sorted({p for r in crow for p in r["params"]}, key=_param_order)
        for gname, grows in groups_of(crow).items():
            if gname != "all" and (len(grows) < MIN_GROUP_WALKS or len(grows) == len(crow)
                                   or len({r["subject"] for r in grows}) < MIN_GROUP_SUBJECTS):
                continue
            for p in params:
                for measure, key in (("si", "si_pct"), ("diff_deg", "diff_LR")):
                    if measure == "diff_deg" and p != "pelvic_drop_deg":
                        continue
                    b = band(grows, p, key)
                    if b is not None:
                        out.append({"config": cfg, "param": p, "measure": measure,
                                    "group": gname, **b})
    return out


def _param_order(p: str) -> int:
    order = ("stance_s", "step_s", "stride_s", "swing_s", "double_support_s", "impact_ms2",
             "loading_rate_ms3", "pelvic_drop_deg", "lateral_sway_ms2")
    return order.index(p) if p in order else len(order)


# --- verdicts -----------------------------------------------------------------------------------

@contextlib.contextmanager
def candidate_thresholds(limits: dict[str, tuple[float, float]],
                         informational: Sequence[str] = ()) -> Iterator[None]:
    """Within the block, :data:`gait.interpret.THRESHOLDS` (and ``BY_PARAM``) have the given
    (mild, marked) % of the named parameters, and the ``informational`` ones do not count
    (``weight`` off); restored afterwards. This process only.

    Parameters
    ----------
    limits : dict
        Parameter -> (mild_pct, marked_pct).
    informational : sequence of str
        Parameters that no longer count towards the verdict.

    Yields
    ------
    None
    """
    # the verdict reads them in gait.interpret.thresholds; the package re-exports them
    mods = (interpret, interpret_thresholds)
    old, old_by = interpret_thresholds.THRESHOLDS, interpret_thresholds.BY_PARAM
    new = tuple(dataclasses.replace(
        t, mild_pct=limits.get(t.parameter, (t.mild_pct, t.marked_pct))[0],
        marked_pct=limits.get(t.parameter, (t.mild_pct, t.marked_pct))[1],
        weight=t.weight and t.parameter not in informational) for t in old)
    for m in mods:
        m.THRESHOLDS = new
    new_by = interpret_thresholds.by_param("feet")
    for m in mods:
        m.BY_PARAM = new_by
    try:
        yield
    finally:
        for m in mods:
            m.THRESHOLDS, m.BY_PARAM = old, old_by


def weight_params(sensors: str | None = None) -> list[str]:
    """The parameters that count towards the verdict (``Threshold.weight``) for one kind of
    sensor (``None``: any)."""
    return list(dict.fromkeys(t.parameter for t in interpret.THRESHOLDS if t.weight
                              and (sensors is None or t.sensors == sensors)))


def derive_limits(train: list[dict], mild_q: float, marked_q: float,
                  how: str) -> dict[str, tuple[float, float]]:
    """Candidate (mild, marked) thresholds of the weight parameters from healthy walks.

    Parameters
    ----------
    train : list of dict
        Walk rows of one placement (the other subjects').
    mild_q, marked_q : float
        Percentiles of |SI|, 0-100.
    how : str
        ``"empirical"`` (numpy's linear interpolation) or ``"normal"`` (folded normal of the
        signed SIs, :func:`folded_normal_quantile`).

    Returns
    -------
    dict
        Parameter -> (mild, marked); a parameter with fewer than 3 training walks is left out
        (it keeps today's threshold).
    """
    out = {}
    for p in weight_params(sensors_of(train[0]["_doc"]) if train else None):
        si = np.array([r["params"][p]["si_pct"] for r in train if p in r["params"]
                       and np.isfinite(r["params"][p]["si_pct"])])
        if len(si) < 3:
            continue
        if how == "normal":
            out[p] = (folded_normal_quantile(si, mild_q), folded_normal_quantile(si, marked_q))
        else:
            out[p] = (float(np.percentile(np.abs(si), mild_q)),
                      float(np.percentile(np.abs(si), marked_q)))
    return out


def loso(rows: list[dict]) -> dict[str, dict[str, dict]]:
    """Leave-one-subject-out false alarms of each candidate in :data:`CANDIDATES`.

    For every placement and subject, thresholds from the other subjects' walks of that
    placement (:func:`derive_limits`), the subject's walks judged with them and the gate
    lifted (:func:`lifted_verdict` inside :func:`candidate_thresholds`).

    Parameters
    ----------
    rows : list of dict
        All walk rows (with their ``_doc``).

    Returns
    -------
    dict
        Candidate -> placement -> ``{levels: {level: n}, n, flagged, marked, per_walk:
        [(walk, subject, level)], limits: {subject: {param: (mild, marked)}}}``.
    """
    out: dict[str, dict[str, dict]] = {}
    for name, mq, kq, how, no_pelvis in CANDIDATES:
        out[name] = {}
        info = (PELVIS,) if no_pelvis else ()
        for cfg in (*validate.CONFIGS, LEGS):
            crow = _config_rows(rows, cfg)
            if not crow:
                continue
            res: dict[str, Any] = {"levels": {}, "per_walk": [], "limits": {}}
            for subj in sorted({r["subject"] for r in crow}):
                lim = derive_limits([r for r in crow if r["subject"] != subj], mq, kq, how)
                res["limits"][subj] = lim
                with candidate_thresholds(lim, info):
                    for r in crow:
                        if r["subject"] == subj:
                            lev = lifted_verdict(r["_doc"])["level"]
                            res["levels"][lev] = res["levels"].get(lev, 0) + 1
                            res["per_walk"].append((r["walk"], subj, lev))
            out[name][cfg] = _rates(res)
    return out


def _config_rows(rows: list[dict], cfg: str) -> list[dict]:
    """The rows of a placement configuration, or of both leg placements for :data:`LEGS`
    (feet and shanks share their thresholds)."""
    if cfg == LEGS:
        return [r for r in rows if r["config"] in ("feet", "shanks")]
    return [r for r in rows if r["config"] == cfg]


def _rates(res: dict[str, Any]) -> dict[str, Any]:
    lev = res["levels"]
    n = sum(v for k, v in lev.items() if k != "undetermined")
    res["n"] = n
    res["flagged"] = sum(lev.get(k, 0) for k in FLAGGED)
    res["marked"] = lev.get("marked", 0)
    return res


def today_rates(rows: list[dict], key: str) -> dict[str, Any]:
    """Levels of verdict ``key`` (``verdict``: the report's, gated; ``lifted_verdict``) over
    ``rows``.

    Parameters
    ----------
    rows : list of dict
        Walk rows.
    key : str
        ``"verdict"`` or ``"lifted_verdict"``.

    Returns
    -------
    dict
        ``levels, n`` (walks with a verdict), ``flagged`` (mild or marked), ``marked``.
    """
    lev: dict[str, int] = {}
    for r in rows:
        lev[r[key]] = lev.get(r[key], 0) + 1
    return _rates({"levels": lev})


# --- output -------------------------------------------------------------------------------------

def _f(x: float | None, nd: int = 1, width: int = 6) -> str:
    s = "-" if x is None or not np.isfinite(x) else f"{x:.{nd}f}"
    return f"{s:>{width}s}"


def _pct(k: int, n: int) -> str:
    return f"{k:2d}/{n:<3d} {100 * k / n:5.1f} %" if n else "   no verdict  "


def _ds_short(names: list[str]) -> str:
    return ",".join(n.split("_")[0].replace("2023", "").replace("2019", "").replace(
        "2014", "") for n in names)


def _pcell(b: dict, q: str) -> str:
    """A band's empirical percentile ``q``, starred where n is too small for it."""
    return _f(b[f"{q}_raw"], 1, 6) + (" " if b[q] is not None else "*")


def print_bands(bands: list[dict]) -> None:
    """Print the bands as tables (|SI| and left share; pelvic drop in degrees)."""
    print("\nHEALTHY BANDS of |SI| (%) per placement x parameter (empirical percentiles, * = "
          "fewer walks than the percentile needs: P90 10, P95 20, P97.5 40;\n  norm = folded "
          "normal of the signed SIs; boot90 = subject-bootstrap 90 % interval of P97.5; left "
          "share central 90 % range)")
    hdr = (f"{'placement':12s} {'parameter':17s} {'group':12s} {'walks':>5s} {'subj':>4s} "
           f"{'strd':>4s} {'mean':>6s} {'median':>6s} {'P90':>7s} {'P95':>7s} {'P97.5':>7s} "
           f"{'norm':>6s} {'boot90':>13s} {'left share 90%':>14s}  data sets")
    print(hdr)
    last = None
    for b in bands:
        if b["measure"] != "si":
            continue
        if last is not None and b["config"] != last:
            print()
        last = b["config"]

        ls = b.get("left_share_90")
        lo, hi = b["p97_5_boot90"]
        print(f"{b['config']:12s} {b['param']:17s} {b['group']:12s} {b['n_walks']:5d} "
              f"{b['n_subjects']:4d} {b['median_strides']:4.0f} {_f(b['mean_signed'])} "
              f"{_f(b['p50_raw'])} {_pcell(b, 'p90')} {_pcell(b, 'p95')} {_pcell(b, 'p97_5')} "
              f"{_f(b['p97_5_normal'])} {_f(lo, 1, 6)}-{_f(hi, 1, 6)} "
              + (f"{ls[0]:6.1f}-{ls[1]:4.1f} %" if ls else f"{'-':>14s}")
              + f"  {_ds_short(b['datasets'])}")
    print("  (mean: mean signed SI, the systematic left/right bias; strd: median strides per "
          "walk; groups other than 'all' only with >= "
          f"{MIN_GROUP_WALKS} walks of >= {MIN_GROUP_SUBJECTS} subjects)")
    pel = [b for b in bands if b["measure"] == "diff_deg"]
    if pel:
        print("\nPELVIC DROP in degrees: |mean drop L - mean drop R| (the SI of two small angles "
              "is a poor measure)")
        print(f"{'placement':12s} {'group':12s} {'walks':>5s} {'subj':>4s} {'mean':>6s} "
              f"{'median':>6s} {'P90':>7s} {'P95':>7s} {'P97.5':>7s} {'norm':>6s}  data sets")
        for b in pel:
            print(f"{b['config']:12s} {b['group']:12s} {b['n_walks']:5d} {b['n_subjects']:4d} "
                  f"{_f(b['mean_signed'], 2)} {_f(b['p50_raw'], 2)} "
                  + " ".join(_f(b[f"{q}_raw"], 2, 6) + (" " if b[q] is not None else "*")
                             for q in ("p90", "p95", "p97_5"))
                  + f" {_f(b['p97_5_normal'], 2)}  {_ds_short(b['datasets'])}")


def print_pelvic_walks(rows: list[dict]) -> None:
    """Per walk: pelvic drop per side (degrees), their difference and the SI."""
    pr = [r for r in rows if "pelvic_drop_deg" in r["params"]]
    if not pr:
        return
    print("\nPelvic drop per walk (lower back): mean drop L / R (deg), L - R (deg), SI (%) "
          "[95 % CI]")
    for r in pr:
        p = r["params"]["pelvic_drop_deg"]
        print(f"  {r['dataset'][:10]:10s} {r['walk'][:20]:20s} {_f(p['mean_L'], 2)} "
              f"{_f(p['mean_R'], 2)} {_f(p['diff_LR'], 2, 7)} {_f(p['si_pct'], 1, 7)} "
              f"[{_f(p['ci95'][0], 1)} {_f(p['ci95'][1], 1)}]")


def print_verdicts(rows: list[dict], loso_res: dict[str, dict[str, dict]]) -> None:
    """Today's healthy false-alarm rates (gated and lifted), by group, and the LOSO rates."""
    print("\nTODAY'S VERDICT ON HEALTHY WALKS (mild or marked / walks with a verdict; "
          "undetermined walks not counted)")
    print(f"{'placement':12s} {'group':12s} {'walks':>5s} | {'report (gated)':>16s} | "
          f"{'gate lifted':>16s} {'marked':>6s} | lifted levels; flagged by")
    for cfg in validate.CONFIGS:
        crow = [r for r in rows if r["config"] == cfg]
        if not crow:
            continue
        for gname, grows in groups_of(crow).items():
            if not grows or (gname != "all" and len(grows) == len(crow)) or gname == "long":
                continue
            g, li = today_rates(grows, "verdict"), today_rates(grows, "lifted_verdict")
            if gname != "all" and not li["n"]:
                continue
            by: dict[str, int] = {}
            for r in grows:
                for p in r["lifted_hits"]:
                    by[p] = by.get(p, 0) + 1
            print(f"{cfg:12s} {gname:12s} {len(grows):5d} | {_pct(g['flagged'], g['n'])} | "
                  f"{_pct(li['flagged'], li['n'])} {li['marked']:6d} | "
                  + ", ".join(f"{k} {v}" for k, v in sorted(li["levels"].items()))
                  + ("; " + ", ".join(f"{k} {v}" for k, v in sorted(by.items())) if by else ""))
    judged = [c for c in (*validate.CONFIGS, LEGS)
              if today_rates(_config_rows(rows, c), "lifted_verdict")["n"]]
    none = [c for c in validate.CONFIGS if c not in judged and any(r["config"] == c
                                                                    for r in rows)]
    print("\nLEAVE-ONE-SUBJECT-OUT, gate lifted: each subject's walks judged with thresholds of "
          + " and ".join(weight_params())
          + " (mild/marked percentiles of |SI|) taken from the other subjects' healthy walks of "
          "the placement;\n  false alarms = mild or marked / walks with a verdict (m: marked); "
          "'no pelvis': pelvic drop informational, only stance time counts")
    print(f"{'thresholds':24s} | " + " | ".join(f"{c:>19s}" for c in judged))

    def cells(get: Any) -> str:
        return " | ".join(f"{_pct(x['flagged'], x['n'])} m{x['marked']:<2d}" for x in
                          (get(c) for c in judged))

    print(f"{'report today (gated)':24s} | " + cells(
        lambda c: today_rates(_config_rows(rows, c), "verdict")))
    print(f"{'today, gate lifted':24s} | " + cells(
        lambda c: today_rates(_config_rows(rows, c), "lifted_verdict")))
    for name, *_ in CANDIDATES:
        print(f"{'LOSO ' + name:24s} | " + cells(lambda c, n=name: loso_res[n][c]))
    if none:
        print(f"  no verdict possible from {', '.join(none)}: no parameter that counts is "
              "measured there (oxford pockets: no sides; virtual pockets: stride time only)")
    print("  thresholds of each candidate from all healthy walks (LOSO uses all but one "
          "subject's):")
    for name, mq, kq, how, no_pelvis in CANDIDATES:
        for cfg in judged:
            lim = derive_limits(_config_rows(rows, cfg), mq, kq, how)
            if no_pelvis:
                lim.pop(PELVIS, None)
            print(f"    {name:20s} {cfg:12s} " + "; ".join(
                f"{p} mild {lo:.1f} marked {hi:.1f}" for p, (lo, hi) in lim.items()))
    for name, *_ in CANDIDATES:
        for cfg in judged:
            fl = [f"{w} {lev}" for w, _, lev in loso_res[name][cfg]["per_walk"]
                  if lev in FLAGGED]
            if fl:
                print(f"  LOSO {name:20s} {cfg:12s} flags: {', '.join(fl)}")
    flagged = [r for r in rows if r["lifted_verdict"] in FLAGGED]
    if flagged:
        print("\nHealthy walks flagged today with the gate lifted:")
        for r in flagged:
            hits = "; ".join(
                f"{p} {r['params'][p]['si_pct']:+.1f} % [{r['params'][p]['ci95'][0]:+.1f} "
                f"{r['params'][p]['ci95'][1]:+.1f}]" for p in r["lifted_hits"])
            print(f"  {r['config']:12s} {r['dataset'][:12]:12s} {r['walk'][:22]:22s} "
                  f"{r['lifted_verdict']:7s} ({r['n_steps_L']}/{r['n_steps_R']} steps) {hits}")


def _strict(x: Any) -> Any:
    """``x`` with tuples as lists and non-finite floats as None (JSON has no NaN)."""
    if isinstance(x, dict):
        return {k: _strict(v) for k, v in x.items() if k != "_doc"}
    if isinstance(x, (list, tuple)):
        return [_strict(v) for v in x]
    if isinstance(x, float) and not np.isfinite(x):
        return None
    if isinstance(x, np.floating):
        return _strict(float(x))
    if isinstance(x, np.integer):
        return int(x)
    return x


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; see the module docstring.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status (0; also when the validation data are missing).
    """
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", type=Path, help="write every per-walk row, the bands and rates")
    ap.add_argument("--placement", choices=sorted(validate.CONFIGS), action="append",
                    help="only these placement configurations (default all)")
    a = ap.parse_args(argv)
    if not validate.VALIDATION.is_dir():
        print(f"norms: validation data not found at {validate.VALIDATION}; skipped")
        return 0
    t0 = time.perf_counter()
    rows = healthy_walks(a.placement)
    print(f"{len(rows)} healthy walk x placement analyses ({len({r['walk'] for r in rows})} "
          f"walks, {len({r['subject'] for r in rows})} subjects) in "
          f"{time.perf_counter() - t0:.1f} s")
    for cfg in validate.CONFIGS:
        crow = [r for r in rows if r["config"] == cfg]
        if crow:
            per_ds: dict[str, int] = {}
            for r in crow:
                per_ds[r["dataset"]] = per_ds.get(r["dataset"], 0) + 1
            print(f"  {cfg:12s} {len(crow):3d} walks, {len({r['subject'] for r in crow}):2d} "
                  "subjects: " + ", ".join(f"{k} {v}" for k, v in sorted(per_ds.items())))
    bands = all_bands(rows)
    print_bands(bands)
    print_pelvic_walks(rows)
    loso_res = loso(rows)
    print_verdicts(rows, loso_res)
    print(f"\n{time.perf_counter() - t0:.1f} s")
    if a.json:
        today = {cfg: {"report": today_rates([r for r in rows if r["config"] == cfg], "verdict"),
                       "lifted": today_rates([r for r in rows if r["config"] == cfg],
                                             "lifted_verdict")}
                 for cfg in validate.CONFIGS if any(r["config"] == cfg for r in rows)}
        a.json.write_text(json.dumps(_strict({"walks": rows, "bands": bands, "today": today,
                                              "loso": loso_res}), indent=1, allow_nan=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
