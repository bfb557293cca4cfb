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
   where nothing decides the walk's side is "uncertain" (:func:`_sides`). A side check at the
   start of the recording (:mod:`gait.events.side_check`) confirms or corrects the result.
   With a stated mount (:mod:`gait.mount`, ``--mount``) forward is the stated one made
   horizontal and the side comes from physics instead: the sign of the trunk's sideways
   velocity change over the step after the IC, corrected for the pelvis's roll
   (:func:`_sides_mount`).

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
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gait.dsp import find_peaks, gaussian_filter1d, median_filter, moving_rms, uniform_filter1d
from gait.events import Detection, empty_bouts
from gait.events.bouts import BOUT_COLUMNS, BoutResult, detect_bouts
from gait.preprocess import BodySignals, ap_sign_clarity, bandpass, lowpass, to_body
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
P_SAME_GAP = 0.2  # same for a gap of an odd number >= 3 of step times (1 - for even)
P_SAME_SIDE = 0.02  # prior of a missed/extra step between two regular steps
P_SAME_OFF_GRID = 0.3  # ... and of a gap off the step grid (nothing known; a slight lean to
# alternation)
SIDE_GAIN = 0.5  # nats of log-odds per unit of the (z-scored) side score
MOUNT_GAIN = 4.0  # the same with a mount: its cue is ~99 % right per step (_sides_mount)
MOUNT_CLEAR = 2.0  # a step whose own mount reading is this clear (nats) keeps it (_mount_labels)
FLIGHT_G = 0.8  # a step has a flight phase if its vertical acceleration stays below -0.8 g
FLIGHT_FRAC = 0.15  # ... for this fraction of the step (running: 20-35 %, walking: < 0.1)
RUN_FLOOR_PCT = 5.0  # running: the free-fall floor, percentile of the vertical acc. near a step
RUN_LEVEL = 0.1  # running: in contact while above floor + this x (peak - floor)
SIDE_AGREE_MIN = 0.5  # the yaw and roll cues must label at least this share of steps alike
SWAY_AGREE_MIN = 0.8  # ... or the sway cue must label this share like one of them
FRAME_CLARITY_MIN = 0.5  # the sway arbitrates only where the forward sign is this clear
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
TURN_RATE = 0.8  # rad/s: a step turning this fast has its mount side evidence divided by e
# (mobgap's daily-life walks: 0.65-1.0 alike, 0.5 leaves a turning stop's strong step to the
# chain; simulator: running turns need the discount, 1.5 and above label some steps wrong)
TURN_LP_HZ = 0.3  # ... its heading rate: the yaw rate low-passed at this frequency
MOUNT_BAND_HZ = (0.3, 3.0)  # band of the sideways acceleration and the roll (step and stride)
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
    body0 = to_body(stream, window_s=None)
    br = detect_bouts(np.column_stack([body0.v, body0.ap]), fs, body0.gyr_v, start_s=t0,
                     lateral=body0.ml)
    if not br.gait_mask.any():
        none.detection.notes.append("lower_back: no walking or running found")
        none.bouts = br
        return none
    step_hz = float(np.nanmedian(br.step_freq[br.gait_mask]))
    mount = stream.mount
    body = to_body(stream, window_s=None, mask=br.gait_mask, step_hz=step_hz, up=body0.up,
                   step_freq=br.step_freq, forward=None if mount is None else mount.forward)
    v, ap = body.v, body.ap
    sf = np.where(np.isfinite(br.step_freq), br.step_freq, step_hz)
    T = 1.0 / sf  # local step time (s) per sample

    # 3. candidate steps and their selection
    sig = v
    if br.two_humps is not None and br.two_humps.any():
        # where a slow step's vertical acceleration has two humps (loading and push-off, found
        # by gait.events.bouts' lateral-sway check) its smoothed peaks are not one per step; the
        # forward acceleration peaks once per step, at the trailing leg's push-off (Zijlstra &
        # Hof 2003), so it is added there, scaled to the vertical's amplitude
        rv = float(np.std(bandpass(v, fs, 0.5, 8.0)[br.gait_mask]))
        ra = float(np.std(bandpass(ap, fs, 0.5, 8.0)[br.gait_mask]))
        sig = v + np.where(br.two_humps, HUMP_AP_WEIGHT * rv / max(ra, 1e-9), 0.0) * ap
    vs = _adaptive_smooth(sig, SIGMA_FRAC * T * fs)
    amp = moving_rms(bandpass(v, fs, 0.5, 8.0), max(int(fs), 1))
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
    run = _window_mean((v_imp < -FLIGHT_G * G).astype(float), pk,
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
        sides, side_conf = _sides_mount(ic, end, Tp, body.ml, body.v, body.gyr_ap, body.gyr_v,
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
        if body.gyr_ap is not None and ap_sign_clarity(
                body.v, body.ap, fs, step_hz, br.gait_mask) >= FRAME_CLARITY_MIN:
            end = np.where(run_kept, fc, ic + Tp * fs)
            sway = _sway_llr(ic, end, Tp, body.ml, body.v, body.gyr_ap, body.gyr_v, fs)
        sides, side_conf, certain = _sides(ic, Tp, body.gyr_v, body.gyr_ap, body.ml, fs,
                                           gap_between, run_kept, sway)
        sides, side_conf, side_source = _side_check(stream, body, br.gait_mask, ic, Tp,
                                                    step_hz, sides, side_conf, run_kept, notes)
        if not certain and side_source != "side check":
            notes.append(SIDE_UNCERTAIN_NOTE)
    ic = _ds_correction(ic, fc, sides, ~run_kept)
    other = np.where(sides == "L", "R", "L").astype(object)
    other[run_kept] = sides[run_kept]  # running: the FC after an IC is that foot's toe-off
    conf = np.clip(strength, 0.0, 1.0)
    ev = pd.concat([
        pd.DataFrame({"t": t0 + ic / fs, "kind": "IC", "side": sides, "confidence": conf,
                      "side_confidence": side_conf}),
        pd.DataFrame({"t": t0 + fc / fs, "kind": "FC", "side": other, "confidence": conf,
                      "side_confidence": side_conf}),
    ], ignore_index=True)
    ev = ev.sort_values(["t", "kind"], kind="stable").reset_index(drop=True)
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


def _window_mean(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    c = np.concatenate([[0.0], np.cumsum(x)])
    a = np.clip(a, 0, len(x))
    b = np.clip(b, 0, len(x))
    return (c[b] - c[a]) / np.maximum(b - a, 1)


def _sides(ic: np.ndarray, T: np.ndarray, yaw: np.ndarray | None, roll: np.ndarray | None,
           ml: np.ndarray, fs: float, gap_between: np.ndarray, run: np.ndarray | None = None,
           sway: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, bool]:
    """L/R of every IC (object array of "L"/"R"), each label's confidence (posterior
    probability of the chosen side, 0.5-1) and whether the walk's side is certain.

    With a gyroscope two independent cues are labelled separately through the alternation
    chain: the pelvis's yaw (McCamley's pre-IC yaw sign plus the yaw rate at IC) and its roll
    (mean roll rate over the first 30 % of the step after IC: the pelvis rolls over the new
    stance leg). When their labellings disagree for most steps (agreement below
    ``SIDE_AGREE_MIN``), one cue is inverted for the whole walk and nothing tells which: the
    walk's side is uncertain and every label's confidence is 0.5. (Measured, share of steps
    each cue labels right: yaw 0.98-1.00 on voisard2023, mobgap, gaitkit and trojaniello elderly
    but 0.00 on the stroke walk S025; roll 0.90-1.00 on voisard2023 and trojaniello but
    0.00-0.34 on mobgap's belt-worn sensor. Agreement flags S025 and mobgap, never a voisard2023
    walk.) The labels themselves come from the joint score (pre-IC yaw plus Ullrich 2022's
    roll - yaw at IC). Running: the pelvis rotates the other way round in the transverse plane
    (Novacheck 1998, "The biomechanics of running", Gait Posture 7:77-95; the yaw cues label
    0-3 % of the steps of the three fukuchi2017 runs right), so running steps' yaw is negated;
    their roll is not (its walking pattern persists, Novacheck 1998; fukuchi2017's virtual
    pelvis, tracked on skin markers, labels 24-32 % right with it, so those runs come out
    uncertain rather than named).

    A third cue arbitrates where yaw and roll disagree (walking only): ``sway``, the log-odds of
    the inverted-pendulum cue (:func:`_sway_llr`, the trunk's sideways velocity change over the
    step, towards the midline after each contact; MacKinnon & Winter 1993) in the inferred
    frame. The cue it labels like for at least ``SWAY_AGREE_MIN`` of the steps is taken as the
    one that is not inverted, and the sides come from the two together. It resolves trojaniello
    S025 (sides 0.00 -> 1.00) and mobgap's belt-worn walks (0.87-1.00 -> 0.92-1.00, all
    previously "uncertain"). Runs stay uncertain: on fukuchi2017's virtual pelvis the sway sided
    with the wrong cue in one of three runs.
    """
    if len(ic) == 0:
        return np.array([], dtype=object), np.zeros(0), True
    n = len(ml)
    ii = np.clip(np.round(ic).astype(int), 0, n - 1)
    flip = np.where(run, -1.0, 1.0) if run is not None and len(run) == len(ic) else 1.0
    score_yaw = score_roll = None
    if yaw is not None and roll is not None:
        yb = bandpass(yaw, fs, 0.5, 2.0)
        rb = bandpass(roll, fs, 0.5, 2.0)
        # McCamley: the pelvis yaws clockwise (seen from above) while the left leg swings
        pre = -flip * _window_mean(yb, np.round(ic - 0.25 * T * fs).astype(int), ii)
        comb = rb[ii] - flip * yb[ii]  # Ullrich 2022 / mobgap "combined": yaw - roll <= 0: left
        score = _z(pre) + _z(comb)
        score_yaw = _z(pre) + _z(-flip * yb[ii])
        score_roll = _z(_window_mean(bandpass(roll, fs, 0.5, 3.0), ii,
                                     np.round(ic + 0.3 * T * fs).astype(int)))
    else:
        # the trunk accelerates towards the right during a left stance (ML is positive left):
        # just after IC (high-passed, free of the gravity leak of pelvic roll) and over the first
        # half of the step
        mlh = ml - gaussian_filter1d(ml, 0.15 * fs)
        m1 = -_window_mean(mlh, np.round(ic - 0.05 * fs).astype(int),
                           np.round(ic + 0.1 * fs).astype(int))
        m2 = -_window_mean(bandpass(ml, fs, 0.3, 3.0), ii, np.round(ic + 0.5 * T * fs).astype(int))
        score = _z(m1) + _z(m2)
    p_same = _p_same(ic, T, fs, gap_between)
    is_left = _viterbi_alternation(SIDE_GAIN * score, p_same)
    p_left = _posterior_left(SIDE_GAIN * score, p_same)
    conf = np.where(is_left, p_left, 1 - p_left)
    certain = True
    if score_yaw is not None and score_roll is not None and len(ic) >= 4:
        lab_yaw = _viterbi_alternation(SIDE_GAIN * score_yaw, p_same)
        lab_roll = _viterbi_alternation(SIDE_GAIN * score_roll, p_same)
        certain = float(np.mean(lab_yaw == lab_roll)) >= SIDE_AGREE_MIN
        walking = run is None or len(run) != len(ic) or float(np.mean(run)) <= 0.5
        if not certain and sway is not None and walking:
            # the inverted-pendulum sway (physics, given the inferred frame) arbitrates: the
            # cue it agrees with is the one that is not inverted
            lab_sway = _viterbi_alternation(sway, p_same)
            for lab, sc in ((lab_yaw, score_yaw), (lab_roll, score_roll)):
                if float(np.mean(lab_sway == lab)) >= SWAY_AGREE_MIN:
                    llr = sway + SIDE_GAIN * sc
                    is_left = _viterbi_alternation(llr, p_same)
                    p_left = _posterior_left(llr, p_same)
                    conf = np.where(is_left, p_left, 1 - p_left)
                    certain = True
                    break
    if not certain:
        conf = np.full(len(ic), 0.5)
    return np.where(is_left, "L", "R").astype(object), np.clip(conf, 0.5, 1.0), certain


def _p_same(ic: np.ndarray, T: np.ndarray, fs: float, gap_between: np.ndarray,
            neighbour_grid: bool = False) -> np.ndarray:
    """Probability that consecutive ICs are on the same side: a gap of about k step times
    means k - 1 missed steps (same side if k is even); off the step grid, after a long pause
    or across a NaN gap nothing is known.

    ``neighbour_grid``: the gap is read on the grid of each of the two ICs' local step times,
    not only on the later one's, and only where both say the same is that said; where they
    differ (the step time is changing: slowing into a stop, a shuffling turn) the gap is off
    the grid. The local step time follows a slow step (a stop, a missed contact), so the later
    IC's grid alone reads a gap of two steps as one (k = 1, alternate with ``P_SAME_SIDE``)
    where the step before says two; the earlier IC's grid alone, after quick (shuffling)
    steps, reads one slow step as two (same side). Used with a mount (:func:`_sides_mount`;
    mobgap Test11: two missed contacts before a stop, each followed by a step of the same
    side, whose sway said so and was overruled; a 0.95 s step after a shuffling turn, on the
    0.48 s grid of the steps before it, and a stop's last step after two missed contacts,
    whose sway was overruled the other way). Not for the inferred sides: their weaker per-step
    evidence then changes the report's SI figures (mobgap step SI error 10.9 -> 15.8 points
    with the shorter of the two step times)."""
    gaps = np.diff(ic) / fs
    p_same = _p_same_grid(gaps, T[1:])
    if neighbour_grid:
        p_same = np.where(p_same == _p_same_grid(gaps, T[:-1]), p_same, P_SAME_OFF_GRID)
    return np.where((gaps > 2.5) | gap_between, 0.5, p_same)


def _p_same_grid(gaps: np.ndarray, Tg: np.ndarray) -> np.ndarray:
    """:func:`_p_same` for gaps (s) read on the grid of step times ``Tg`` (s), before NaN gaps
    and long pauses."""
    k = np.round(gaps / Tg)
    on_grid = np.abs(gaps / Tg - k) < 0.3
    p_same = np.where(k % 2 == 0, 1 - P_SAME_GAP, P_SAME_GAP)
    p_same = np.where(k == 1, P_SAME_SIDE, p_same)
    return np.where(on_grid & (k >= 1), p_same, P_SAME_OFF_GRID)


def _sides_mount(ic: np.ndarray, end: np.ndarray, T: np.ndarray, ml: np.ndarray, v: np.ndarray,
                 roll: np.ndarray | None, yaw: np.ndarray | None, fs: float,
                 gap_between: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """L/R of every IC and its confidence (posterior, 0.5-1) when the mount gives the ML axis.

    Physics, not the pelvis's rotation pattern: the body is an inverted pendulum over the
    stance foot, and in single stance on the left foot the centre of pressure lies left of the
    centre of mass, so the horizontal ground reaction force, and the trunk's sideways
    acceleration, point to the right, towards the midline (MacKinnon & Winter 1993, "Control
    of whole body balance in the frontal plane during human walking", J Biomech 26:633-644;
    Hof et al. 2005, "The condition for dynamic stability", J Biomech 38:1-8). The cue is the
    sideways velocity change over the step after each IC, the mean of the ML acceleration
    (positive left) from the IC over one local step time: negative after a left IC. With the
    ML axis from the mount its sign is geometric, the same for everyone.

    The accelerometer's "sideways" axis tilts with the pelvis's roll (obliquity, a few degrees
    at the stride frequency, the same as the sway), which adds g sin(roll) of gravity: of the
    order of the sway itself (on trojaniello2014 S002 and voisard2023 S11/S12 the uncorrected
    acceleration labels 0-40 % of the steps right). With a gyroscope the roll angle (the roll
    rate about the forward axis, band-passed ``MOUNT_BAND_HZ`` and integrated) is removed:
    ml - (v + g) sin(roll), the vertical specific force leaking into the tilted axis (a
    positive roll, about forward, lifts the left axis; in a running flight the specific force,
    and so the leak, is zero). The per-step scores go through the same alternation chain as
    the inferred sides (:func:`_viterbi_alternation`, :func:`_posterior_left`), with
    ``MOUNT_GAIN`` nats of log-odds per unit of the z-scored score: the sign alone labels 99.8
    / 98.0 / 99.3 % of the steps right on trojaniello2014 / mobgap / voisard2023 (reference
    sides trusted), i.e. a typical step's log-odds is ~4-5 nats; with ``SIDE_GAIN`` (0.5) the
    chain's alternation prior overrules correct labels of irregular daily-life stepping
    (mobgap: 0.91 instead of 0.97, measured before the turn discount below). The gaps between
    ICs are put on the step grid of the neighbouring step times (``neighbour_grid`` of
    :func:`_p_same`), so a missed contact before a stop lets the next step keep its side, and
    a step whose own reading is clear keeps it (:func:`_mount_labels`).
    """
    if len(ic) == 0:
        return np.array([], dtype=object), np.zeros(0)
    llr = _sway_llr(ic, end, T, ml, v, roll, yaw, fs)
    p_same = _p_same(ic, T, fs, gap_between, neighbour_grid=True)
    return _mount_labels(llr, p_same)


def _mount_labels(llr: np.ndarray, p_same: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """L/R and confidence of the steps of :func:`_sides_mount` from their sway log-odds
    ``llr`` and the alternation prior ``p_same``: the alternation chain
    (:func:`_viterbi_alternation`, :func:`_posterior_left`) labels the steps, except that a
    step whose own reading is clear (``|llr| >= MOUNT_CLEAR``) keeps its own side.

    The chain resolves two consecutive readings of the same side by relabelling one of them,
    whichever its priors make cheapest. Where the detector has an extra contact inside a
    stance (a shuffling step, the loading after a hesitating foot contact) that contact reads
    the sway of the stance, the side of the contact before it, and the chain may relabel a
    real step to make room for it: mobgap MS001 Test11 at 219.0 s, a clear right step (-3.6)
    followed by a contact also reading right (-2.5), was relabelled together with the weak
    turning steps before it once the gap prior of :func:`_p_same` read both neighbours' grids
    (at 128.9 s a weak true step, +1.0, next to an extra contact reading the same side, +1.9,
    is left to the gap prior). The clear readings are right where the chain is not: on the
    three data sets with a documented mount (voisard2023 without its swapped S04,
    trojaniello2014, mobgap) the sway's sign labels 1301 of the 1302 matched ICs with
    ``|llr| >= 2`` right, 60 of 60 with 1-2 (the chain alone 59), 72 of 76 below 1 (the chain
    alone 73); any ``MOUNT_CLEAR`` from 0.5 to 3.5 scores the same on them (mobgap 147/148,
    from 145/148). A kept reading's confidence is its own (logistic of ``|llr|``) where the
    chain had labelled it otherwise."""
    is_left = _viterbi_alternation(llr, p_same)
    p_left = _posterior_left(llr, p_same)
    conf = np.where(is_left, p_left, 1 - p_left)
    clear = np.abs(llr) >= MOUNT_CLEAR
    kept = clear & (is_left != (llr > 0))
    is_left = np.where(clear, llr > 0, is_left)
    conf = np.where(kept, 1.0 / (1.0 + np.exp(-np.abs(llr))), conf)
    return np.where(is_left, "L", "R").astype(object), np.clip(conf, 0.5, 1.0)


def _sway_llr(ic: np.ndarray, end: np.ndarray, T: np.ndarray, ml: np.ndarray, v: np.ndarray,
              roll: np.ndarray | None, yaw: np.ndarray | None, fs: float) -> np.ndarray:
    """Per-IC log-odds of a left IC from the trunk's sideways velocity change over the step
    (the inverted-pendulum cue of :func:`_sides_mount`, roll-corrected, turns discounted)."""
    lo, hi = MOUNT_BAND_HZ
    x = bandpass(ml, fs, lo, hi)
    if roll is not None:
        phi = bandpass(np.cumsum(bandpass(roll, fs, lo, hi)) / fs, fs, lo, hi)
        x = x - (v + G) * np.sin(phi)
    # a turn's centripetal acceleration (speed x heading rate, up to ~0.5 g when running)
    # changes slowly: the mean over one stride removes it and leaves the stride-periodic sway
    x = x - uniform_filter1d(x, max(round(2 * float(np.median(T)) * fs), 1))
    a = np.round(ic).astype(int)
    score = -_window_mean(x, a, np.round(end).astype(int))
    llr = MOUNT_GAIN * _z(score)
    if yaw is not None:
        # in a turn the centripetal acceleration (speed x yaw rate) biases the sway by an
        # unknown amount: such a step's evidence is discounted (at TURN_RATE rad/s, ~0.6 m/s^2
        # at walking speed, the sway's own size, by e) and its side follows its neighbours
        # the heading rate: the yaw rate low-passed below the stride frequency (the pelvis's
        # own rotation, +-0.3 rad/s at ~0.9 Hz, is not a turn)
        w = np.abs(_window_mean(lowpass(yaw, fs, TURN_LP_HZ), a, np.round(end).astype(int)))
        llr = llr * np.exp(-((w / TURN_RATE) ** 2))
    return llr


def _z(x: np.ndarray) -> np.ndarray:
    """``x`` in units of its standard deviation (no centring: the sign carries the side)."""
    return x / (np.std(x) + 1e-9)


def _posterior_left(llr: np.ndarray, p_same: np.ndarray) -> np.ndarray:
    """Posterior probability that each step is left, by the forward-backward algorithm on the
    alternation chain of :func:`_viterbi_alternation` (log domain, a loop over steps)."""
    n = len(llr)
    ls, la = np.log(p_same), np.log1p(-p_same)
    e = 0.5 * np.column_stack([-llr, llr])  # emission log-likelihoods: right, left
    fw = np.zeros((n, 2))
    bw = np.zeros((n, 2))
    fw[0] = e[0] - np.logaddexp(*e[0])
    for k in range(1, n):
        a, b = ls[k - 1], la[k - 1]
        fw[k, 0] = np.logaddexp(fw[k - 1, 0] + a, fw[k - 1, 1] + b) + e[k, 0]
        fw[k, 1] = np.logaddexp(fw[k - 1, 1] + a, fw[k - 1, 0] + b) + e[k, 1]
        fw[k] -= np.logaddexp(*fw[k])
    for k in range(n - 2, -1, -1):
        a, b = ls[k], la[k]
        nx = bw[k + 1] + e[k + 1]
        bw[k, 0] = np.logaddexp(a + nx[0], b + nx[1])
        bw[k, 1] = np.logaddexp(a + nx[1], b + nx[0])
        bw[k] -= np.logaddexp(*bw[k])
    post = fw + bw
    return np.exp(post[:, 1] - np.logaddexp(post[:, 0], post[:, 1]))


def _viterbi_alternation(llr: np.ndarray, p_same: np.ndarray) -> np.ndarray:
    """Most likely L/R sequence (True = left) of a two-state chain that alternates sides.

    ``llr``: each step's log-likelihood ratio left vs right; ``p_same[k]``: probability that steps
    k and k+1 are on the same side (a missed or an extra step). A loop over scalars (a few
    microseconds per step).
    """
    n = len(llr)
    ls = np.log(p_same)
    la = np.log1p(-p_same)
    back = np.zeros((n, 2), dtype=bool)  # True: came from the same state
    s_r, s_l = -0.5 * float(llr[0]), 0.5 * float(llr[0])  # state 0 = right, 1 = left
    for k in range(1, n):
        e = 0.5 * float(llr[k])
        a, b = float(ls[k - 1]), float(la[k - 1])
        r_same, r_alt = s_r + a, s_l + b
        l_same, l_alt = s_l + a, s_r + b
        back[k, 0] = r_same >= r_alt
        back[k, 1] = l_same >= l_alt
        s_r = max(r_same, r_alt) - e
        s_l = max(l_same, l_alt) + e
    out = np.zeros(n, dtype=bool)
    st = int(s_l > s_r)
    for k in range(n - 1, -1, -1):
        out[k] = bool(st)
        if k and not back[k, st]:
            st = 1 - st
    return out


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
