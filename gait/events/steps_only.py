"""Steps and cadence of a walk whose sensor placement is not clear (no sides, no stance).

When :func:`gait.events.placement.infer_placement` finds walking but cannot tell where the
sensor was worn (confidence below :data:`~gait.events.placement.MIN_CONFIDENCE`), the walk is
still analysed for what does not depend on the placement: the walking bouts, the step count
and the cadence. The one thing that does depend on it is whether the signal repeats once per
step (the trunk: lower back, chest, a phone in the hand) or once per stride (one leg: foot,
shank, thigh), and getting that wrong halves or doubles the cadence. So it is decided from the
signal, and when it cannot be decided no cadence is reported.

Algorithm
---------
1. Walking: :func:`gait.events.bouts.detect_bouts` on the vertical acceleration (gravity
   direction, or the most step-periodic principal axis of linear acceleration), on a <= 50 Hz
   copy.
2. Periods (orientation-free), over 6-s windows of the walking (Moe-Nilssen & Helbostad 2004):
   ``P3``, the fundamental (first autocorrelation peak within 80 % of the highest in
   0.3-2.5 s, the YIN rule, de Cheveigné & Kawahara 2002) of the 0.5-8 Hz 3-D acceleration
   (axes' autocovariances summed), and ``Pm``, that of the acceleration magnitude.
3. Step or stride: every segment of one leg turns through tens of degrees once per stride, so
   its 3-D acceleration (gravity turning with it) repeats once per stride; the trunk's
   magnitude, dominated by the vertical bounce, repeats once per step (both legs load it the
   same way). So

   * ``Pm`` ~ ``P3 / 2``: the magnitude sees steps where the 3-D signal sees strides; the step
     is ``Pm`` (the trunk of an asymmetric walker, a thigh that feels both heel strikes).
   * ``Pm`` ~ ``P3``: both see the same period, a step on the trunk, a stride on a limb.
     Longer than :data:`STEP_MAX_S` (1 s; a step that long is a cadence below 60 steps/min)
     it is a stride; shorter than :data:`STRIDE_MIN_S` (0.6 s, a cadence above 200 steps/min
     if it were a stride: sprinting) a step. In between, the placement classifier's
     trunk-versus-limb probability
     (the first node of :data:`gait.events.placement.TREE`, which is far surer than the full
     placement) decides: a stride below :data:`LIMB_MAX_P`; a step above :data:`TRUNK_MIN_P`
     when the magnitude is also in anti-phase at half that period (the bounce of a step,
     autocorrelation below :data:`STEP_HALF_AC_MAX`). Otherwise undecided.
   * anything else, or a periodicity below :data:`MIN_PERIODICITY`: undecided.

   On the labelled recordings of ``shared/validation`` (``benchmarks/steps_only.py``) ``Pm`` ~
   ``P3 / 2`` was the trunk of every asymmetric walker and the pocket of runs; in the ``Pm`` ~
   ``P3`` group every trunk step was at most 0.62 s with a trunk probability of at least
   0.62, every limb stride below 1 s had a trunk probability of at most 0.12.
4. Events: one marker per repeating unit, the maxima of the signal that repeats with it,
   band-passed at 0.6-1.6 x the unit's frequency (the magnitude for steps; the first principal
   component of the 3-D acceleration for strides), at least 0.6 units apart, inside the
   walking bouts, in 6-s windows that repeat at the walk's period (autocorrelation at least
   :data:`MIN_WINDOW_AC` of the walk's most regular window's at their own period, within 10 %
   of the walk's: handling the phone
   and standing do not repeat; the periodicity test of phone step counters, Rai et al. 2012,
   Brajdic & Harle 2013), and at least :data:`MIN_MARKER_FRAC` of the 90th percentile of
   their heights (the standing at a bout's edges passes the bout detector's padding). They count
   and time units; they are not contacts of a known leg
   (``side`` None, no final contacts), and a stride marker stands for two steps
   (:attr:`StepsOnly.per_stride`). The cadence is 60 over the step period of step 3 (the
   autocorrelation lag, refined by a parabola), not the markers' intervals: a marker more or
   less in a stride's double-humped signal moves their mean by several per cent.

References
----------
Moe-Nilssen R, Helbostad JL (2004). Estimation of gait cycle characteristics by trunk
accelerometry. J Biomech 37:121-126.
de Cheveigné A, Kawahara H (2002). YIN, a fundamental frequency estimator for speech and music.
J Acoust Soc Am 111:1917-1930.
Rai A, Chintalapudi KK, Padmanabhan VN, Sen R (2012). Zee: zero-effort crowdsourcing for indoor
localization. MobiCom 2012:293-304.
Brajdic A, Harle R (2013). Walk detection and step counting on unconstrained smartphones.
UbiComp 2013:225-234.
Weyand PG, Sternlight DB, Bellizzi MJ, Wright S (2000). Faster top running speeds are achieved
with greater ground forces not more rapid leg movements. J Appl Physiol 89:1991-1999.
Zijlstra W, Hof AL (2003). Assessment of spatio-temporal gait parameters from trunk
accelerations during human walking. Gait Posture 18:1-10.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from gait.dsp import find_peaks
from gait.events import Detection, empty_events
from gait.events.bouts import detect_bouts
from gait.events.placement import WORK_HZ, class_probabilities, fundamental, walking_windows
from gait.events.pocket import acf, vertical_from_linear
from gait.preprocess import bandpass, fill_gaps, gravity_direction, lowpass
from gait.recording import G, SensorStream

#: a period both the 3-D signal and its magnitude show, longer than this, is a stride
STEP_MAX_S = 1.0
#: a period both show, shorter than this, is a step: a stride that short is a cadence above 200
#: steps/min, which only sprinting reaches (Weyand et al. 2000)
STRIDE_MIN_S = 0.6
#: the trunk-versus-limb probability below which a common period is a stride
LIMB_MAX_P = 0.25
#: the trunk-versus-limb probability above which a common period may be a step ...
TRUNK_MIN_P = 0.5
#: ... when the magnitude's autocorrelation at half of it is below this (a step's bounce)
STEP_HALF_AC_MAX = -0.2
#: the autocorrelation at the period below which it is not trusted
MIN_PERIODICITY = 0.25
AC_WIN_S = 6.0
#: a window's autocorrelation at its own period, against the walk's most regular window's,
#: from which its units are counted (walking repeats; handling the phone and standing do not):
#: the periodicity test of phone step counters (Rai et al. 2012; Brajdic & Harle 2013),
#: relative because a phone held in the hand repeats weakly (0.1-0.5 on a 20-step walk)
MIN_WINDOW_AC = 0.35
#: a cadence needs this many 6-s windows of walking (overlapping by half: 12 s) ...
MIN_WINDOWS = 3
#: ... of which this share has its own period within 5 % of the walk's
MIN_STEADY = 0.9
#: a marker's height against the 90th percentile of the walk's marker heights below which it
#: is the sway of standing at a bout's edge, not a step or stride
MIN_MARKER_FRAC = 0.35


@dataclass(frozen=True)
class Periods:
    """What :func:`periods` found: the step period (s) or None, whether the signal repeats per
    stride, and the figures it was decided from (for the report's note and the benchmark)."""

    step_s: float | None
    per_stride: bool
    p3_s: float | None
    pm_s: float | None
    p_trunk: float | None
    why: str
    #: the share of the walk's 6-s windows whose own period is within 5 % of the walk's (1:
    #: a steady rhythm), and the number of windows
    steady: float = np.nan
    n_windows: int = 0
    #: the rhythm is steady enough for ``step_s`` to give the cadence (else the steps are
    #: counted, the cadence is not reported)
    timed: bool = True
    #: the samples whose 6-s window repeats at the walk's period (autocorrelation at its own
    #: period >= :data:`MIN_WINDOW_AC` x the walk's highest, the period within 10 % of the
    #: walk's): where units are counted
    periodic: np.ndarray | None = field(default=None, repr=False, compare=False)


@dataclass
class StepsOnly:
    """The detection (events one per step or one per stride, no sides) and its periods."""

    detection: Detection
    periods: Periods

    @property
    def per_stride(self) -> bool:
        return self.periods.per_stride


def _prepare(stream: SensorStream) -> tuple[np.ndarray, np.ndarray, float]:
    fs = float(stream.sample_rate_hz)
    dec = max(1, int(fs // WORK_HZ))
    fw = fs / dec
    acc = fill_gaps(stream.acc)
    if dec > 1:
        acc = lowpass(acc, fs, 0.4 * fw)[::dec]
    total = stream.acc_kind == "total"
    v = (np.einsum("ij,ij->i", acc, gravity_direction(acc, fw)) - G if total
         else vertical_from_linear(acc, fw))
    return acc, v, fw


def periods(acc: np.ndarray, mask: np.ndarray, fw: float, p_trunk: float | None) -> Periods:
    """Step or stride, and the step period, from the walking samples ``mask`` of ``acc``
    (N x 3 at ``fw`` Hz; see the module docstring, step 3). ``p_trunk``: the placement
    classifier's probability of a trunk (None without it)."""
    ka = int(AC_WIN_S * fw)
    wa = walking_windows(mask, ka, ka // 2)
    if not wa:
        ka = int(3.0 * fw)
        wa = walking_windows(mask, ka, ka // 2)
    if not wa:
        return Periods(None, False, None, None, p_trunk, "no walking window")
    take = np.asarray(wa)[:, None] + np.arange(ka)[None, :]
    hi = min(8.0, 0.45 * fw)
    w3 = acf(bandpass(acc, fw, 0.5, hi)[take])
    a3 = w3.mean(axis=0)
    am = acf(bandpass(np.linalg.norm(acc, axis=1), fw, 0.5, hi)[take]).mean(axis=0)
    l3, lm = fundamental(a3, fw), fundamental(am, fw)
    if l3 is None or lm is None:
        return Periods(None, False, None, None, p_trunk, "no periodic walking signal")
    p3, pm = _refine(a3, l3) / fw, _refine(am, lm) / fw
    lo, top = int(0.8 * l3), min(int(1.2 * l3) + 2, ka - 1)
    k = lo + np.argmax(w3[:, lo:top], axis=1)
    own = k / fw
    steady = float(np.mean(np.abs(own / p3 - 1) <= 0.05))
    ac = w3[np.arange(len(k)), k]
    good = (np.abs(own / p3 - 1) <= 0.1) & (ac >= MIN_WINDOW_AC * ac.max())
    periodic = np.zeros(len(mask), dtype=bool)
    # a run's last window stops short of its end by up to half a window: it covers the rest
    end = np.flatnonzero(np.diff(np.r_[mask, False].astype(np.int8)) == -1) + 1
    for w in np.asarray(wa)[good]:
        stop = w + ka
        e = int(end[np.searchsorted(end, stop)])  # the end of the window's run
        periodic[w:e if e - stop < ka // 2 else stop] = True
    per = replace(_decide(a3, am, l3, lm, p3, pm, fw, p_trunk), steady=steady,
                  n_windows=len(wa), periodic=periodic & mask)
    if per.step_s is not None and (len(wa) < MIN_WINDOWS or steady < MIN_STEADY):
        return replace(per, timed=False, why=(
            f"{per.why}, but the rhythm is not steady enough to time it to 5 % ("
            f"{len(wa)} windows of {AC_WIN_S:g} s, {100 * steady:.0f} % of them at the walk's "
            f"period; {MIN_WINDOWS} and {100 * MIN_STEADY:.0f} % needed)"))
    return per


def _decide(a3: np.ndarray, am: np.ndarray, l3: int, lm: int, p3: float, pm: float, fw: float,
            p_trunk: float | None) -> Periods:
    """Step 3 of the module docstring from the walk's mean autocorrelations."""
    if max(a3[l3], am[lm]) < MIN_PERIODICITY:
        return Periods(None, False, p3, pm, p_trunk, "the walk is not regular enough")
    r = pm / p3
    if abs(r - 0.5) < 0.1:
        return Periods(pm, False, p3, pm, p_trunk, "the magnitude repeats every step")
    if abs(r - 1.0) >= 0.15:
        return Periods(None, False, p3, pm, p_trunk,
                       f"the signal's periods ({p3:.2f} s, {pm:.2f} s) do not fit steps")
    if p3 > STEP_MAX_S:
        return Periods(p3 / 2, True, p3, pm, p_trunk,
                       f"the signal repeats every {p3:.2f} s, too long for a step: a stride")
    if p3 < STRIDE_MIN_S:
        return Periods(p3, False, p3, pm, p_trunk,
                       f"the signal repeats every {p3:.2f} s, too short for a stride: a step")
    half = am[round(pm * fw / 2)]
    if p_trunk is not None and p_trunk <= LIMB_MAX_P:
        return Periods(p3 / 2, True, p3, pm, p_trunk, "one leg's signal: repeats every stride")
    if p_trunk is not None and p_trunk >= TRUNK_MIN_P and half < STEP_HALF_AC_MAX:
        return Periods(p3, False, p3, pm, p_trunk, "the trunk's signal: repeats every step")
    return Periods(None, False, p3, pm, p_trunk,
                   "whether the signal repeats every step or every stride is not clear")


def _refine(a: np.ndarray, lag: int) -> float:
    """The autocorrelation peak's lag refined by a parabola through it and its neighbours."""
    y0, y1, y2 = a[lag - 1], a[lag], a[lag + 1]
    den = y0 - 2 * y1 + y2
    return float(lag + (0.5 * (y0 - y2) / den if den < 0 else 0.0))


def _markers(x: np.ndarray, fw: float, unit_s: float, mask: np.ndarray,
             start_s: float) -> np.ndarray:
    """Times (s) of the maxima of ``x`` band-passed at 0.6-1.6 x 1/``unit_s``, at least 0.6
    units apart, inside ``mask``."""
    f = 1.0 / unit_s
    y = bandpass(x, fw, 0.6 * f, min(1.6 * f, 0.45 * fw))
    pk = find_peaks(y, distance=max(1, int(0.6 * unit_s * fw)))[0]
    pk = pk[mask[pk] & (y[pk] > 0)]
    if len(pk):  # the walk's units, not the sway of standing inside a bout's edges
        pk = pk[y[pk] >= MIN_MARKER_FRAC * np.percentile(y[pk], 90)]
    return start_s + pk / fw


def detect(stream: SensorStream, features: object | None = None) -> StepsOnly:
    """Walking bouts and one event per step (or per stride) of ``stream``, any placement.

    Parameters
    ----------
    stream : SensorStream
        Any placement and orientation (the stated one is not used).
    features : PlacementFeatures, optional
        :func:`gait.events.placement.placement_features` of the stream (its trunk-versus-limb
        probability helps decide step or stride); computed when not given.

    Returns
    -------
    StepsOnly
        ``detection``: IC events without a side (one per step, or one per stride when
        ``per_stride``; none when step or stride cannot be decided), the walking bouts;
        ``periods``: how it was decided.
    """
    from gait.events.placement import placement_features

    acc, v, fw = _prepare(stream)
    br = detect_bouts(v, fw, start_s=stream.start_s)
    mask = br.gait_mask
    f = placement_features(stream) if features is None else features
    pr = None if f is None else class_probabilities(f)  # type: ignore[arg-type]
    p_trunk = None if pr is None else float(pr[0])
    per = periods(acc, mask, fw, p_trunk)
    ev = empty_events()
    if per.step_s is not None:
        if per.periodic is not None:
            mask = per.periodic
        if per.per_stride:
            x = bandpass(acc, fw, 0.3, min(8.0, 0.45 * fw))
            _, vec = np.linalg.eigh(np.cov(lowpass(x[mask], fw, 3.0).T))
            t = _markers(x @ vec[:, -1], fw, 2 * per.step_s, mask, stream.start_s)
        else:
            t = _markers(np.linalg.norm(acc, axis=1), fw, per.step_s, mask, stream.start_s)
        ev = pd.DataFrame({"t": t, "kind": "IC", "side": None, "confidence": 0.5})
    det = Detection(events=ev, bouts=br.bouts, sources=["unknown"])
    return StepsOnly(det, per)
