"""Initial and final contacts with side from one IMU on the lower back (L4-S1).

Algorithm
---------
1. **Frame** (any mounting): vertical from gravity (low-passed acceleration, per sample); AP is
   the horizontal direction whose acceleration repeats most from one step to the next (the
   sideways one reverses every step; :func:`gait.preprocess.step_periodic_horizontal`), one
   direction for the whole recording (the sensor is strapped to the body, turns do not move
   it); its sign
   from the phase of AP versus vertical acceleration at the step frequency (walking: forward
   acceleration peaks before the vertical one, Zijlstra & Hof 2003, Gait Posture 18:1-10;
   running: it lags, spring-mass bouncing); ML = up x AP (:func:`gait.preprocess.to_body`).
2. **Bouts and local cadence** from the autocorrelation of vertical and AP acceleration in 3 s
   windows (:mod:`gait.events.bouts`, Moe-Nilssen & Helbostad 2004).
3. **Steps**: McCamley et al. 2012 (Gait Posture 36:316-318) integrate the vertical acceleration
   and differentiate it with a Gaussian CWT, i.e. smooth it with a Gaussian: one maximum per step.
   Here the Gaussian's width follows the local cadence (sigma = ``SIGMA_FRAC`` x step time, so
   the double hump of loading and push-off merges at any cadence). Which maxima are steps is
   decided by dynamic programming over the candidate peaks (beat tracking, Ellis 2007, J New Music
   Res 36:51-60): peak strength rewarded, intervals off the local step time penalised, so weak
   steps in rhythm (turns, the last step) are kept and strong wobbles out of rhythm dropped. A
   weak peak opening a chain (the push-off before the first heel strike) is dropped.
4. **IC** (walking): the heel-strike transient's peak in the vertical acceleration (10 ms
   Gaussian, parabolic sub-sample peak; Lafortune et al. 1996, J Biomech 29:1531) searched
   ``REFINE_BACK`` step before to ``REFINE_FWD`` after the step peak, minus its delay
   ``IC_DELAY_S``, averaged (weight ``W_V``) with the forward-acceleration peak at the end of the
   trailing leg's push-off (Zijlstra & Hof 2003's AP peak at IC) minus ``AP_DELAY_S``. The
   impact peak rides on the load-transfer (double-support) envelope, so it comes later after a
   longer double support: ``DS_SLOPE`` x (that side's double support - the median) is removed,
   each side's double support being the running median of its FC - IC. Running steps (a flight
   phase: the vertical acceleration stays below ``-FLIGHT_G`` g, free fall, for ``FLIGHT_FRAC``
   of the step) load at mid-stance; their stance is the time the vertical acceleration stands
   above its free-fall floor, IC where it leaves it (:func:`_run_contacts`, after Patoz et al.
   2022).
5. **FC** walking (the other foot's toe-off, end of double support): the trailing leg's load
   ends with a kink in the summed vertical force, a peak of the second derivative of the
   vertical acceleration (the physical basis of McCamley's FC at a maximum of the second CWT
   derivative), and its propulsion with the net braking peak (forward-acceleration minimum, the
   trunk feature that tracks the reference double support best on voisard2023: within-walk
   r = 0.45); the foot leaves the ground ``FC_KINK_S``/``FC_BRAKE_S`` later; the two are averaged
   (weight ``W_KINK``). Running (the same foot's toe-off): where the vertical acceleration
   comes back down to its free-fall floor (``RUN_LEVEL`` of the step's range above it; on the
   three fukuchi2017 runs IC/FC F1 1.00, median errors -10..+15 ms; the second-derivative
   kink used before found 58 % of the FCs). A bout is "run" when
   most of its steps have a flight phase (cadence does not decide: jogging can be slower than
   fast walking).
6. **Side**: with a gyroscope, McCamley's yaw-rate sign before IC plus the combined yaw/roll rate
   of Ullrich et al. 2022 ("Machine learning-based distinction of left and right foot contacts in
   lower back inertial sensor gait data", and the mobgap "combined" McCamley variant): yaw - roll
   < 0 at a left IC. Without a gyroscope the medio-lateral acceleration just after IC (trunk
   pushed towards the side opposite the new stance foot). The per-step evidence feeds a
   two-state Viterbi chain that alternates sides with a small probability of a missed/extra
   step (``P_SAME_SIDE``; an interval of an even number of step times means a missed step, so
   the same side is likely), so a whole run of steps is labelled consistently and a wrong single
   score is outvoted, while a real break (an extra step, a pause) can flip the phase. The
   pelvis's yaw and its roll after IC are also labelled separately; where they disagree for
   most steps the trunk's inverted-pendulum sway arbitrates (walking, clear forward sign), and
   where nothing decides the walk's side is "uncertain" (:func:`infer_sides`). A side check at the
   start of the recording (:mod:`gait.events.side_check`) confirms or corrects the result.
   With a stated mount (:mod:`gait.mount`, ``--mount``) forward is the stated one made
   horizontal and the side comes from physics instead: the sign of the trunk's sideways
   velocity change over the step after the IC, corrected for the pelvis's roll
   (:func:`mount_sides`).

Parameter basis (one set for the placement; no per-file tuning): widths and windows are fractions
of the local step time (cadence-independent) or physiological durations (the heel-strike
transient is ~10 Hz at the trunk: 10 ms smoothing; the force kink and the braking peak are
20-ms features); ``A_MIN`` 1 m/s^2 is the smallest step amplitude of slow walking. The delays
are the median lags of each trunk feature behind the foot-referenced events of the two lower-back
validation sets (voisard2023 foot-IMU and mobgap INDIP references: impact peak 40 / 50 ms after
IC, forward peak 10 / 0 ms before it, load end and braking peak ~30 ms before FC); where the two
sets differ the delay is the one minimising the larger of their median errors. ``W_V`` and
``W_KINK`` weigh features whose per-walk left/right timing biases on voisard2023 are only
partly correlated (averaging halves the within-walk jitter; their left-right bias spread is
10-15 ms either way). ``DS_SLOPE`` 0.15 is the delay of the impact peak per unit longer double
support in the force model of :mod:`gait.simulate` (0.17) and in the within-walk regression of
the voisard2023 (0.17) and mobgap HA001 (0.22) walks - the latter partly a reference-noise
artefact, so the smaller value. ``SIDE_GAIN``/``P_SAME_SIDE`` express that one step's side score
is weak evidence (~90 % correct) and a missed step is rare.

Size: one algorithm (bouts, candidate steps, step selection, IC/FC timing); its side
assignment is apart, in :mod:`gait.events.lower_back_sides`.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from gait.dsp import find_peaks, gaussian_filter1d, median_filter, moving_rms, uniform_filter1d
from gait.events import Detection, empty_bouts
from gait.events.bouts import BOUT_COLUMNS, BoutResult, detect_bouts
from gait.events.lower_back_sides import (
    FRAME_CLARITY_MIN,
    infer_sides,
    mount_sides,
    sway_llr,
    window_mean,
)
from gait.preprocess import BodySignals, ap_sign_clarity, bandpass, to_body
from gait.recording import G, SensorStream

SIGMA_FRAC = 0.15  # Gaussian sigma of the step signal / local step time
HUMP_AP_WEIGHT = 0.7  # forward acceleration added to a two-humped step signal (gaitkit PD:
# IC F1 0.89 / 0.94 / 0.94 / 0.92 / 0.86 at 0.5 / 0.6 / 0.7 / 0.8 / 1.0; 0.81 forward alone)
MIN_STEP_S = 0.25  # shortest step (running at 240 steps/min)
PROM_ABS = 0.1  # m/s^2, candidate peaks below this are noise
PROM_FRAC = 0.1  # candidate prominence >= this x local acceleration std
A_MIN = 1.0  # m/s^2, reference amplitude floor (weakest walking step)
W_CAP = 1.5  # cap of a candidate's strength (one big jolt must not dominate)
DP_LAMBDA = 2.0  # penalty per interval: DP_LAMBDA * log(interval / step time)^2
DP_BETA = 0.1  # cost per step (a peak must be stronger than this to be worth a step)
DP_GAMMA = 1.0  # cost of ending a chain and starting another
DP_MIN_GAP = 0.45  # shortest interval, x step time
DP_MAX_GAP = 2.2  # longest interval within a chain, x step time
REL_LEADING = 0.35  # a chain's first peak must reach this x the median of the next three
REFINE_BACK = 0.3  # IC search window before the peak, x step time
REFINE_FWD = 0.05  # ... and after it, x step time
IMPACT_SIGMA_S = 0.01  # Gaussian smoothing of the vertical acceleration for the impact peak
IC_DELAY_S = 0.045  # the trunk's impact peak follows the foot's IC by this much
AP_BACK = 0.4  # forward-acceleration peak searched this far before the step peak, x step time
AP_DELAY_S = -0.005  # the forward-acceleration peak precedes the IC by this much
W_V = 0.6  # weight of the impact-peak time (vs the forward-peak time) in the IC
FC_START_S = 0.03  # FC searched from this long after the IC ...
FC_END = 0.45  # ... to this fraction of the step time after it
FC_SIGMA_S = 0.015  # Gaussian smoothing of the vertical acceleration for the load end
BRAKE_SIGMA_S = 0.02  # ... of the forward acceleration for the braking peak
FC_KINK_S = 0.030  # the foot leaves the ground this long after its load has ended
FC_BRAKE_S = 0.025  # ... and this long after the net braking peak
W_KINK = 0.3  # weight of the load-end time (vs the braking-peak time) in the FC
DS_SLOPE = 0.15  # delay of the IC signature per second of longer double support
FLIGHT_G = 0.8  # a step has a flight phase if its vertical acceleration stays below -0.8 g
FLIGHT_FRAC = 0.15  # ... for this fraction of the step (running: 20-35 %, walking: < 0.1)
RUN_FLOOR_PCT = 5.0  # running: the free-fall floor, percentile of the vertical acc. near a step
RUN_LEVEL = 0.1  # running: in contact while above floor + this x (peak - floor)
# (|sin| of the forward/vertical phase: 0.69-1.00 on every real walk it arbitrates, 0.22-0.29
# on voisard S05, whose forward and vertical accelerations are nearly in anti-phase)
SIDE_UNCERTAIN_NOTE = (
    "lower_back: side uncertain - the pelvis's rotation (yaw) and its roll point to opposite "
    "legs for most steps, so which leg is which cannot be told from this sensor; the size of an "
    "asymmetry is reported, not its side (a sensor on each foot or shank tells the sides)")
MOUNT_NOTE = (
    "lower_back: sides from the stated mount ({spec}; {axes}): the trunk's sideways velocity "
    "change over each step (inverted pendulum: towards the right after a left foot contact), "
    "not inferred from the pelvis's rotation")
MOUNT_NO_GYRO_NOTE = (
    "lower_back: no gyroscope - the sideways acceleration is not corrected for the pelvis's "
    "roll, so the sides from the mount are less certain")
GAP_MIN_S = 0.2  # NaN gaps longer than this break step chains
GAP_PAD_S = 0.1  # events this close to such a gap are dropped


@dataclass
class LowerBackResult:
    """Everything :func:`analyse` found: the contract's Detection plus turns and the frame."""

    detection: Detection
    turns: pd.DataFrame
    bouts: BoutResult | None
    ap_dir: np.ndarray | None  # AP unit vector (device frame, at the first sample)
    # per step, the time (s) each IC feature puts the IC at (delays removed): "impact",
    # "forward", "step_peak" (the smoothed step maximum, no delay), the final "ic", and "side",
    # "run"; for measuring the features' timing per side (benchmarks/side_bias.py)
    features: pd.DataFrame | None = None


def detect(stream: SensorStream, side: str | None = None) -> Detection:
    """IC/FC events with side and the walking/running bouts of a lower-back stream.

    ``side`` is ignored (a lower-back sensor sees both feet).
    """
    return analyse(stream).detection


def analyse(stream: SensorStream) -> LowerBackResult:
    """:func:`detect` plus the turns (from the yaw rate) and the estimated frame."""
    if stream.acc_kind == "linear":
        raise ValueError(
            "lower_back: the acceleration has no gravity (the app's linear acceleration), so "
            "the trunk's vertical cannot be found (expected acceleration with gravity: phyphox "
            "'Acceleration (with g)', Sensor Logger 'TotalAcceleration')")
    fs = stream.sample_rate_hz
    t0 = stream.start_s
    n = stream.n_samples
    none = LowerBackResult(Detection(), pd.DataFrame(), None, None)
    if n < 3 * fs or np.isnan(stream.acc).all():
        none.detection.notes.append("lower_back: recording shorter than 3 s or empty")
        return none
    # the bouts' frame: their autocorrelations do not depend on AP's (and ML's) sign
    body0 = to_body(stream, window_s=None, sign=False)
    br = detect_bouts(np.column_stack([body0.v, body0.ap]), fs, body0.gyr_v, start_s=t0,
                     lateral=body0.ml)
    if not br.gait_mask.any():
        none.detection.notes.append("lower_back: no walking or running found")
        none.bouts = br
        return none
    step_hz = float(np.nanmedian(br.step_freq[br.gait_mask]))
    mount = stream.mount
    body = to_body(stream, window_s=None, mask=br.gait_mask, step_hz=step_hz, like=body0,
                   step_freq=br.step_freq, forward=None if mount is None else mount.forward)
    v, ap = body.v, body.ap
    sf = np.where(np.isfinite(br.step_freq), br.step_freq, step_hz)
    T = 1.0 / sf  # local step time (s) per sample

    # 3. candidate steps and their selection
    # the vertical's 0.5-8 Hz band, as detect_bouts filtered it (body.v is body0.v: the same
    # acceleration projected on the same gravity direction)
    v_band = br.band if br.band is not None else bandpass(v, fs, 0.5, 8.0)
    sig = v
    if br.two_humps is not None and br.two_humps.any():
        # where a slow step's vertical acceleration has two humps (loading and push-off, found
        # by gait.events.bouts' lateral-sway check) its smoothed peaks are not one per step; the
        # forward acceleration peaks once per step, at the trailing leg's push-off (Zijlstra &
        # Hof 2003), so it is added there, scaled to the vertical's amplitude
        rv = float(np.std(v_band[br.gait_mask]))
        ra = float(np.std(bandpass(ap, fs, 0.5, 8.0)[br.gait_mask]))
        sig = v + np.where(br.two_humps, HUMP_AP_WEIGHT * rv / max(ra, 1e-9), 0.0) * ap
    vs = _adaptive_smooth(sig, SIGMA_FRAC * T * fs)
    amp = moving_rms(v_band, max(int(fs), 1))
    pk, props = find_peaks(vs, distance=max(int(MIN_STEP_S * fs), 1), prominence=0)
    prom = props["prominences"]
    near_gait = uniform_filter1d(br.gait_mask.astype(float), max(int(0.6 * fs), 1)) > 0
    keep = near_gait[pk] & (prom > PROM_FRAC * amp[pk]) & (prom > PROM_ABS)
    pk, prom = pk[keep], prom[keep]
    strength = np.minimum(prom / np.maximum(2 * amp[pk], A_MIN), W_CAP)
    sel, chain_start = _select_steps_dp(pk, strength, T[pk] * fs)
    pk, prom, strength, chain_start = pk[sel], prom[sel], strength[sel], chain_start[sel]
    keep = _drop_leading_weak(prom, chain_start)
    pk, prom, strength = pk[keep], prom[keep], strength[keep]
    Tp = T[pk]

    # 4. IC timing
    lo = np.round(pk - REFINE_BACK * Tp * fs).astype(int)
    hi = np.round(pk + REFINE_FWD * Tp * fs).astype(int)
    v_imp = gaussian_filter1d(v, IMPACT_SIGMA_S * fs)
    t_v = _argext_fine(v_imp, lo, hi) - IC_DELAY_S * fs
    ap_s = gaussian_filter1d(ap, IMPACT_SIGMA_S * fs)
    t_ap = _argext_fine(ap_s, np.round(pk - AP_BACK * Tp * fs).astype(int), pk) - AP_DELAY_S * fs
    ic = W_V * t_v + (1 - W_V) * t_ap
    t_pk = pk.astype(float)
    # running steps have a flight phase (free fall: specific force ~0, v ~ -1 g) after the step
    # peak; their loading peak is at mid-stance and the IC is where the flight ends: a kink of
    # the vertical acceleration (flat at -1 g, then rising), the maximum of its second derivative
    run = window_mean((v_imp < -FLIGHT_G * G).astype(float), pk,
                       np.round(pk + Tp * fs).astype(int)) >= FLIGHT_FRAC
    # 5. FC
    fc = _final_contacts(v, ap, ic, Tp, fs)
    if run.any():
        ic[run], fc[run] = _run_contacts(v_imp, pk[run], Tp[run] * fs)
    # drop events in long NaN gaps (the filters bridged them; short ones are interpolated well)
    notes: list[str] = []
    long_gap = _long_gaps(body.missing, round(GAP_MIN_S * fs))
    if long_gap.any():
        pad = round(GAP_PAD_S * fs)
        bad = np.convolve(long_gap.astype(float), np.ones(2 * pad + 1), mode="same") > 0
        ok = ~bad[np.clip(np.round(ic).astype(int), 0, n - 1)]
        ic, fc, Tp, strength, run = ic[ok], fc[ok], Tp[ok], strength[ok], run[ok]
        t_v, t_ap, t_pk = t_v[ok], t_ap[ok], t_pk[ok]
        notes.append(f"lower_back: {int((~ok).sum())} steps at NaN gaps dropped")
    run_kept = run
    # 6. sides
    gap_between = _gap_between(ic, long_gap)
    if mount is not None:
        end = np.where(run_kept, fc, ic + Tp * fs)  # running: over the stance only
        sides, side_conf = mount_sides(ic, end, Tp, body.ml, body.v, body.gyr_ap, body.gyr_v,
                                        fs, gap_between)
        origin = f", {mount.origin}" if mount.origin else ""
        notes.append(MOUNT_NOTE.format(spec=f"{mount.placement}={mount.spec}{origin}",
                                       axes=mount.describe()))
        if body.gyr_ap is None:
            notes.append(MOUNT_NO_GYRO_NOTE)
        side_source = "mount"
    else:
        if body.gyr_v is None:
            notes.append("lower_back: no gyroscope - left/right from the ML acceleration "
                         "(unreliable)")
        sway = None
        # the sway cue's sign rests on the inferred forward sign: only where that is clear (an
        # error would flip the sway and the roll cue together and name the wrong leg)
        if body.gyr_ap is not None and (
                body.ap_clarity if body.ap_clarity is not None else ap_sign_clarity(
                    body.v, body.ap, fs, step_hz, br.gait_mask)) >= FRAME_CLARITY_MIN:
            end = np.where(run_kept, fc, ic + Tp * fs)
            # computed by infer_sides only where yaw and roll disagree (seldom)
            sway = partial(sway_llr, ic, end, Tp, body.ml, body.v, body.gyr_ap, body.gyr_v, fs)
        sides, side_conf, certain = infer_sides(ic, Tp, body.gyr_v, body.gyr_ap, body.ml, fs,
                                           gap_between, run_kept, sway)
        sides, side_conf, side_source = _side_check(stream, body, br.gait_mask, ic, Tp,
                                                    step_hz, sides, side_conf, run_kept, notes)
        if not certain and side_source != "side check":
            notes.append(SIDE_UNCERTAIN_NOTE)
    ic = _ds_correction(ic, fc, sides, ~run_kept)
    other = np.where(sides == "L", "R", "L").astype(object)
    other[run_kept] = sides[run_kept]  # running: the FC after an IC is that foot's toe-off
    conf = np.clip(strength, 0.0, 1.0)
    ev = _event_table(t0 + ic / fs, t0 + fc / fs, sides, other, conf, side_conf)
    # turning steps are real steps but not straight gait: the inner leg's are shorter, and a
    # walk that always turns the same way would read as an asymmetry (as the foot detector's
    # turns, gait.events.foot); they stay as events, outside the bouts
    t_ic = ic / fs + t0
    turning = np.zeros(len(ic), dtype=bool)
    for a, b in zip(br.turns["start"], br.turns["end"], strict=True):
        turning |= (t_ic >= a) & (t_ic <= b)
    bouts = _bouts_from_steps(t_ic, Tp, run_kept, turning)
    det = Detection(events=ev, bouts=bouts, notes=notes, side_source=side_source,
                    frames={"lower_back": body})
    feats = pd.DataFrame({"impact": t0 + t_v / fs, "forward": t0 + t_ap / fs,
                          "step_peak": t0 + t_pk / fs, "ic": t0 + ic / fs, "side": sides,
                          "run": run_kept})
    return LowerBackResult(det, br.turns, br, body.ap_dir[0], feats)


def _event_table(t_ic: np.ndarray, t_fc: np.ndarray, sides: np.ndarray, other: np.ndarray,
                 conf: np.ndarray, side_conf: np.ndarray) -> pd.DataFrame:
    """The events (``t, kind, side, confidence, side_confidence``) of the ICs and their FCs
    (``other``: the FCs' sides), sorted by time and kind, ties in IC-then-FC order: the table
    ``pd.concat`` of the two and ``sort_values(["t", "kind"], kind="stable")`` give (the same
    rows and column types), built once from arrays."""
    if len(t_ic) == 0:  # pandas types the empty columns differently: its own way
        ev = pd.concat([
            pd.DataFrame({"t": t_ic, "kind": "IC", "side": sides, "confidence": conf,
                          "side_confidence": side_conf}),
            pd.DataFrame({"t": t_fc, "kind": "FC", "side": other, "confidence": conf,
                          "side_confidence": side_conf}),
        ], ignore_index=True)
        return ev.sort_values(["t", "kind"], kind="stable").reset_index(drop=True)
    t = np.concatenate([t_ic, t_fc])
    is_ic = np.arange(len(t)) < len(t_ic)
    order = np.lexsort((is_ic, t))  # stable: by time, then FC (False) before IC
    return pd.DataFrame({"t": t[order], "kind": np.where(is_ic, "IC", "FC").astype(object)[order],
                         "side": np.concatenate([sides, other])[order],
                         "confidence": np.concatenate([conf, conf])[order],
                         "side_confidence": np.concatenate([side_conf, side_conf])[order]})


def _side_check(stream: SensorStream, body: BodySignals, gait_mask: np.ndarray,
                ic: np.ndarray, Tp: np.ndarray, step_hz: float, sides: np.ndarray,
                side_conf: np.ndarray, run: np.ndarray, notes: list[str]
                ) -> tuple[np.ndarray, np.ndarray, str]:
    """Align the inferred sides with a side check (taps on the left hip) when the recording
    starts with one (:mod:`gait.events.side_check`); the sides, their confidence and where the
    side comes from ("side check" or "inferred"). Appends what was done to ``notes``."""
    from gait.events import SIDE_TRUST_MIN, side_check

    check = side_check.find(stream, body, gait_mask)
    if check is None or len(ic) == 0:
        return sides, side_conf, "inferred"
    where = f"{check.n_taps} taps on the left hip at {check.t:.1f} s"
    if body.gyr_ap is None:
        notes.append(f"lower_back: side check found ({where}) but not used: tying it to the "
                     "steps needs a gyroscope; sides inferred")
        return sides, side_conf, "inferred"
    fs = stream.sample_rate_hz
    sway = side_check.sway_scores(body, ic, Tp, step_hz)
    before = float(np.mean(side_conf))
    new, conf, flipped, applied = side_check.align(check, sides, side_conf,
                                                   stream.start_s + ic / fs, sway, ~run)
    if not applied:
        notes.append(f"lower_back: side check found ({where}) but not used: no walking "
                     "stretch to tie it to (the trunk's sway over the stance foot is used for "
                     "walking steps only); sides inferred")
        return sides, side_conf, "inferred"
    if not flipped:
        notes.append(f"lower_back: side check ({where}) confirms the sides")
    elif before >= SIDE_TRUST_MIN:
        notes.append(f"lower_back: side check ({where}) contradicts the inferred sides "
                     f"(confidence {before:.2f}): the side check is trusted, left and right "
                     "swapped")
    else:
        notes.append(f"lower_back: sides set by the side check ({where}); the inference "
                     "could not tell them")
    return new, conf, "side check"


def _final_contacts(v: np.ndarray, ap: np.ndarray, ic: np.ndarray, Tp: np.ndarray, fs: float
                    ) -> np.ndarray:
    """Walking FC (fractional sample index) following every IC: the other foot's toe-off, the
    end of the double support."""
    lo = np.round(ic + FC_START_S * fs).astype(int)
    hi = np.round(ic + FC_END * Tp * fs).astype(int)
    # the trailing leg's load ends: its force stops falling, a kink in the summed vertical
    # force, i.e. a peak of the second derivative of the vertical acceleration (the physical
    # basis of McCamley et al. 2012's FC at the second-CWT maximum)
    kink = _argext_fine(gaussian_filter1d(v, FC_SIGMA_S * fs, order=2), lo, hi)
    # ... and its propulsion: the net braking force (forward acceleration minimum) peaks
    brake = _argext_fine(-gaussian_filter1d(ap, BRAKE_SIGMA_S * fs), lo, hi)
    return W_KINK * (kink + FC_KINK_S * fs) + (1 - W_KINK) * (brake + FC_BRAKE_S * fs)


def _run_contacts(v: np.ndarray, pk: np.ndarray, T_smp: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Running IC and FC (fractional sample indices) of the steps peaking at ``pk``.

    A running step's stance is the time the vertical ground reaction force is above zero; at
    the trunk, the time the vertical specific force stands above its free-fall floor (in flight
    the trunk falls freely). Contact begins where the vertical acceleration leaves that floor
    and ends where it comes back: the last up-crossing before the step's peak and the first
    down-crossing after it of ``floor + RUN_LEVEL x (peak - floor)``, floor (a low percentile)
    and peak taken within half a step either side of the peak - the vertical-acceleration
    threshold of Patoz et al. 2022 ("A single sacral-mounted inertial measurement unit to
    estimate peak vertical ground reaction force, contact time, and flight time in running",
    Sensors 22:784), made relative to each step's own range so that the sensor's tilt, the
    pelvis's rotation in flight and the running speed do not move it. Linear interpolation
    between the samples either side of a crossing.
    """
    n = len(v)
    half = np.round(0.5 * T_smp).astype(int)
    lo, hi = np.clip(pk - half, 0, n - 1), np.clip(pk + half + 1, 1, n)
    width = int((hi - lo).max())
    col = np.arange(width)[None, :]
    idx = lo[:, None] + col
    valid = idx < hi[:, None]
    vals = np.where(valid, v[np.clip(idx, 0, n - 1)], np.nan)
    floor = np.nanpercentile(vals, RUN_FLOOR_PCT, axis=1)
    thr = floor + RUN_LEVEL * (np.nanmax(vals, axis=1) - floor)
    below = valid & (vals < thr[:, None])
    rel_pk = (pk - lo)[:, None]
    after, before = below & (col > rel_pk), below & (col < rel_pk)
    # the first sample below after the peak (FC), the last one below before it (IC); where
    # there is none, the window's end
    j_fc = lo + np.where(after.any(axis=1), np.argmax(after, axis=1), hi - lo - 1)
    j_ic = lo + np.where(before.any(axis=1), width - 1 - np.argmax(before[:, ::-1], axis=1), 0)

    def cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ya, yb = v[a], v[b]
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(ya != yb, (thr - ya) / (yb - ya), 0.0)
        return a + np.clip(f, 0.0, 1.0)

    return (cross(j_ic, np.minimum(j_ic + 1, n - 1)),
            cross(np.maximum(j_fc - 1, 0), j_fc))


def _ds_correction(ic: np.ndarray, fc: np.ndarray, sides: np.ndarray, walk: np.ndarray
                   ) -> np.ndarray:
    """The impact peak rides on the load-transfer envelope of the double support that follows
    the IC: a longer double support delays it. Remove ``DS_SLOPE`` x (this side's double
    support - the median double support); each side's double support is the running median of
    its last five steps' FC - IC."""
    out = ic.copy()
    if walk.sum() < 6:
        return out
    ds = fc - ic
    med = float(np.median(ds[walk]))
    for sd in ("L", "R"):
        m = walk & (sides == sd)
        if m.sum() >= 3:
            sm = median_filter(ds[m], min(5, int(m.sum())), mode="nearest")
            out[m] -= DS_SLOPE * (sm - med)
    return out


def _adaptive_smooth(x: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Gaussian smoothing with a per-sample sigma (samples), from a bank of at most 12 log-spaced
    widths (each sample takes the nearest): McCamley's CWT at a scale that follows the cadence."""
    s_lo, s_hi = max(float(np.min(sigma)), 0.5), max(float(np.max(sigma)), 0.6)
    n_bank = int(np.clip(np.ceil(np.log(s_hi / s_lo) / np.log(1.08)), 2, 12))  # 8 % apart
    bank = np.geomspace(s_lo, s_hi, n_bank)
    k = np.abs(np.log(np.maximum(sigma, 0.5))[None, :] - np.log(bank)[:, None]).argmin(axis=0)
    out = np.empty(len(x))
    for j, s in enumerate(bank):  # 12 filters of the whole signal
        m = k == j
        if m.any():
            out[m] = gaussian_filter1d(x, s)[m]
    return out


def _argext(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, fn) -> np.ndarray:
    """Index of ``fn`` (np.argmax / np.argmin) of x in [lo, hi) for every row (vectorised)."""
    n = len(x)
    if len(lo) == 0:
        return np.zeros(0)
    lo = np.clip(np.asarray(lo).astype(int), 0, n - 1)
    hi = np.asarray(hi).astype(int)
    hi = np.clip(hi, lo + 1, n)
    width = int((hi - lo).max())
    idx = lo[:, None] + np.arange(width)[None, :]
    valid = idx < hi[:, None]
    fill = -np.inf if fn is np.argmax else np.inf
    vals = np.where(valid, x[np.clip(idx, 0, n - 1)], fill)
    return (lo + fn(vals, axis=1)).astype(float)


def _argext_fine(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Index of the maximum of x in [lo, hi) per row, refined to a fraction of a sample by a
    parabola through the maximum and its neighbours."""
    k = _argext(x, lo, hi, np.argmax).astype(int)
    if len(k) == 0:
        return k.astype(float)
    n = len(x)
    km, kp = np.clip(k - 1, 0, n - 1), np.clip(k + 1, 0, n - 1)
    y0, y1, y2 = x[km], x[k], x[kp]
    den = y0 - 2 * y1 + y2
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(den < 0, 0.5 * (y0 - y2) / den, 0.0)
    return k + np.clip(d, -0.5, 0.5)


def _select_steps_dp(pk: np.ndarray, w: np.ndarray, T_smp: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Choose the candidate peaks that form regular step sequences (dynamic programming).

    Beat tracking by dynamic programming (Ellis 2007) adapted to steps: a chain of peaks scores
    the sum of the peak strengths ``w`` minus ``DP_BETA`` per step, minus
    ``DP_LAMBDA * log(interval / T)^2`` per interval (T = local step time); a chain may end and
    another start at cost ``DP_GAMMA``. Returns a boolean selection mask and, per candidate,
    whether it opens a chain. One loop over the candidates (~5 neighbours each).
    """
    n = len(pk)
    sel = np.zeros(n, dtype=bool)
    starts = np.zeros(n, dtype=bool)
    if n == 0:
        return sel, starts
    # plain Python floats and lists: the loop touches ~5 neighbours per candidate, where numpy
    # calls cost more than the arithmetic; logs come from numpy tables (same values)
    P = [int(x) for x in pk]
    W = [float(x) for x in w]
    Ts = [float(x) for x in T_smp]
    logT = np.log(T_smp).tolist()
    logd = np.log(np.maximum(np.arange(int(DP_MAX_GAP * max(Ts)) + 2), 1)).tolist()
    C = [0.0] * n
    prev = [-1] * n
    restart = [False] * n
    pmax = [0.0] * n  # prefix maximum of C and where it is
    parg = [0] * n
    j0 = 0
    for i in range(n):
        ti, Ti, lt = P[i], Ts[i], logT[i]
        while j0 < i and ti - P[j0] > DP_MAX_GAP * Ti:
            j0 += 1
        best, arg = -np.inf, -1
        lo_gap = DP_MIN_GAP * Ti
        for j in range(j0, i):
            d = ti - P[j]
            if d < lo_gap:
                continue
            v = C[j] - DP_LAMBDA * (logd[d] - lt) ** 2
            if v > best:
                best, arg = v, j
        kk = bisect_right(P, ti - lo_gap) - 1
        r_val, r_arg = 0.0, -1
        if kk >= 0 and pmax[kk] > 0:
            r_val, r_arg = pmax[kk], parg[kk]
        r_val -= DP_GAMMA
        if best >= r_val:
            C[i], prev[i] = W[i] - DP_BETA + best, arg
        else:
            C[i], prev[i], restart[i] = W[i] - DP_BETA + r_val, r_arg, True
        if i == 0 or C[i] > pmax[i - 1]:
            pmax[i], parg[i] = C[i], i
        else:
            pmax[i], parg[i] = pmax[i - 1], parg[i - 1]
    i = int(parg[-1]) if pmax[-1] > 0 else -1
    while i >= 0:
        sel[i] = True
        starts[i] = restart[i]
        i = int(prev[i])
    return sel, starts


def _drop_leading_weak(prom: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Mask dropping the first peaks of a chain while they are weaker than ``REL_LEADING`` x the
    median of the next three: the push-off before the first heel strike of a bout is not an IC
    (the closing step of a bout, also weak, is one and is kept)."""
    keep = np.ones(len(prom), dtype=bool)
    for i in np.flatnonzero(start):  # one pass per chain (a few per bout)
        j = i
        while j + 3 < len(prom) and not start[j + 1:j + 4].any() and \
                prom[j] < REL_LEADING * np.median(prom[j + 1:j + 4]):
            keep[j] = False
            j += 1
    return keep


def _long_gaps(missing: np.ndarray, min_len: int) -> np.ndarray:
    """Mask of the NaN runs of at least ``min_len`` samples."""
    d = np.diff(np.concatenate([[0], missing.astype(np.int8), [0]]))
    a, b = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
    out = np.zeros(len(missing), dtype=bool)
    for s0, e0 in zip(a, b, strict=True):  # one per gap
        if e0 - s0 >= min_len:
            out[s0:e0] = True
    return out


def _gap_between(ic: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """For consecutive ICs: is there a NaN gap between them?"""
    if len(ic) < 2 or not missing.any():
        return np.zeros(max(len(ic) - 1, 0), dtype=bool)
    c = np.concatenate([[0], np.cumsum(missing)])
    i = np.clip(np.round(ic).astype(int), 0, len(missing))
    return (c[i[1:]] - c[i[:-1]]) > 0


def _bouts_from_steps(t: np.ndarray, T: np.ndarray, run: np.ndarray,
                      turning: np.ndarray | None = None) -> pd.DataFrame:
    """Bouts = runs of at least 3 ICs less than max(2.5 step times, 1.5 s) apart and not in a
    turn (``turning``: per IC); "run" when most of its steps have a flight phase."""
    if len(t) < 3:
        return empty_bouts()
    turn = np.zeros(len(t), dtype=bool) if turning is None else turning
    brk = np.concatenate([[True], (np.diff(t) > np.maximum(2.5 * T[1:], 1.5))
                          | (turn[1:] != turn[:-1])])
    starts = np.flatnonzero(brk)
    ends = np.concatenate([starts[1:], [len(t)]]) - 1
    rows = []
    for a, b in zip(starts, ends, strict=True):  # one per bout
        if b - a + 1 < 3 or turn[a]:
            continue
        kind = "run" if np.mean(run[a:b + 1]) > 0.5 else "walk"
        rows.append((float(t[a]), float(t[b]), kind))
    return pd.DataFrame(rows, columns=BOUT_COLUMNS) if rows else empty_bouts()
