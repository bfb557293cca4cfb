"""Initial contacts (ICs) of both feet from a phone in a trouser pocket (front or back).

Accelerometer for the steps; a gyroscope, if present, only for the sides of walking steps
(step 4); any phone orientation, 50-410 Hz, NaN gaps. No final contacts (toe-offs): the
thigh/buttock signal has no toe-off feature we could validate (the only real pocket reference,
Oxford's foot switches, has no true toe-off), so stance times cannot come from a pocket phone.

Algorithm
---------
1. Vertical acceleration ``v``: the acceleration projected on the gravity direction
   (``gait.preprocess.gravity_direction``, 0.25 Hz low-pass) minus 1 g (Moe-Nilssen 1998,
   Clin Biomech 13:320-327). Without gravity (``acc_kind == "linear"``) the one of the three
   principal axes of the 0.5-3 Hz acceleration with the most power periodic at the step
   (autocovariance at half the 3-D stride lag) is used, signed so that the impacts point up
   (positive skewness of ``v``, true on every real pocket walk); coarser.
2. Step period, in 6-s windows every 0.5 s, from unbiased autocorrelations (Moe-Nilssen &
   Helbostad 2004, J Biomech 37:121-126). A pocket phone moves with one leg, so the strongest
   periodicity of the 3-D acceleration (autocovariances of the axes summed: orientation
   independent) is the stride. The stride lag is the shortest autocorrelation peak in
   0.5-2.5 s within 80 % of the highest (the first-good-peak rule of the YIN estimator,
   de Cheveigné & Kawahara 2002, JASA 111:1917-1930, so two strides are not taken for one).
   The step period is half that lag when the vertical acceleration or the impact envelope
   (8-25 Hz energy) has a positive autocorrelation peak near half the lag, else the lag itself
   (a leg-symmetric signal). The stride-lag autocorrelation is the periodicity strength:
   steps are counted only where it is >= 0.5 (periodicity as the walking test, Rai et al. 2012,
   "Zee", MobiCom; Brajdic & Harle 2013, "Walk detection and step counting on unconstrained
   smartphones", UbiComp). Each sample takes the strength of the most periodic window covering
   it, so the first and last steps of a walk are not lost to windows half full of standing,
   and the median step period of the covering windows that are >= 80 % as periodic (a vote
   against a single window's wrong step/stride decision).
3. Steps: ``v`` band-passed from 0.6 to 1.0 x the local step frequency (a bank of zero-phase
   Butterworth filters 15 % apart, blended per sample). Each maximum is one step's IC: the
   upward acceleration of the loading response after every heel strike, peak-picked on the
   smoothed signal like phone step counters do (Salvi et al. 2018, "An optimised algorithm for
   accurate steps counting from smart-phone accelerometry", IEEE EMBC; Brajdic & Harle 2013).
   The band removes the impact transients, whose timing relative to the foot switches differs
   between the pocket leg and the other leg by up to ~100 ms on the Oxford walks, and damps the
   stride component (the pocket leg's swing), which otherwise can swallow every other step.
   In walking the peak is the IC (Oxford pocket walks: median 6 ms after the foot-switch IC).
   Slow gait (the band's local RMS, over two step periods, below 0.45 m/s^2): the band peak
   is the centre of the step's loading, i.e. the middle of double support, which lengthens as
   walking slows (Murray, Drought & Kory 1964, J Bone Joint Surg 46A:335-360; Kirtley, Whittle
   & Jefferson 1985, J Biomed Eng 7:282-288), so it lags the IC by half the double support:
   measured 50-230 ms on the virtual slow walks (gaitkit PD 0.16-0.48 m/s: 50 / 140 / 90-107
   ms; fukuchi2018 0.48 m/s: 223-235 ms = half its 0.46 s double support). There the IC is the
   loading onset: the steepest rise of ``v`` (5 Hz low-pass) in the half step before the peak
   (median |error| 16-46 ms on those walks). The band RMS is 0.55-1.85 m/s^2 on every Oxford
   pocket step (5th-95th percentiles) and 0.13-0.55 on the slow virtual walks; on Oxford the
   steepest rise would be wrong (IC F1 0.3-0.96: a real phone's swing and impacts), so normal
   walking keeps the peak. The prominence floor of slow steps is the largest local RMS
   within +-2 steps (a sinusoid's prominence is 2.8 x its RMS; the maximum keeps the filter's
   ringing at the walk's edges out), within 0.15-0.5 m/s^2, instead of 0.5 m/s^2, which the slow
   walks' steps do not reach (band prominences 0.2-1.1 m/s^2).
   With a gyroscope, a slow step of the other leg (side from step 4) takes the earlier of its
   loading onset and the pocket thigh's hip-extension maximum in the half step before it: at
   the thigh the other leg's loading starts gradually (gaitkit SUB07 right pocket: onsets
   60-340 ms late), while the pocket hip's extension peaks at the other leg's contact, where
   pre-swing begins (Perry & Burnfield 2010, "Gait analysis", 2nd ed.: peak hip extension at
   ~50 % of the cycle, the contralateral IC; thigh-worn IMU events from the sagittal thigh
   rate: Lee et al. 2010, Med Biol Eng Comput 48:1089-1101; Aminian et al. 2002, J Biomech
   35:689-699). Both markers lag the contact, so the earlier one is kept. The extension peak
   alone is no better (median -53..+113 ms from the contralateral IC on the six gaitkit
   pockets, +220 ms on fukuchi2018 WBDS19): it only bounds the onset. Its flexion sign is the
   sign of the swing, the thigh's fastest rotation (Winter 1991), in the step after the IC.
   Gaitkit right pocket IC F1 0.79 -> 0.88 (SUB05 0.92 -> 0.97, SUB07 0.67 -> 0.82); left
   pocket and fukuchi2018 unchanged. The earlier marker is not always right: on fukuchi2018
   WBDS42 (left pocket) five loading onsets lay 0.17-0.22 s before the contact while the
   extension maximum was within 20 ms. So a step whose phase (its offset from the midpoint of
   the two flanking own ICs, in step periods) lies more than ``PHASE_DEV_X_STEP`` = 0.2 from
   the bout's median phase takes the later marker when that one lies within
   ``PHASE_OK_X_STEP`` = 0.1 of it (:func:`_phase_consistent`: step asymmetry shifts every
   step's phase alike; stride-time variability is 2-6 % even in Parkinson's disease, Hausdorff
   et al. 1998, Mov Disord 13:428-437). fukuchi2018 left pocket IC F1 0.92 -> 0.99 (WBDS42 0.89
   -> 1.00, its step SI error +26.4 -> +12.2 points); no other real or simulated walk changes
   (the same for thresholds 0.15-0.24; without the second condition the simulator's severe
   hemiparesis, steps +-10 %, lost 3 points of IC F1).
   Walking with a gyroscope, the pocket leg's own ICs (side from step 4) come from the thigh
   itself: heel strike ends terminal swing, which begins at the thigh's flexion maximum (peak
   hip flexion at ~87 % of the cycle, then a slight extension to the contact; Perry &
   Burnfield 2010; thigh-IMU heel-strike detection from the sagittal thigh rate: Strick, Farris
   & Sawicki 2024, J Biomech Eng 146:044502; Lee et al. 2010). The flexion maximum is the first
   downward zero crossing of the flexion rate after the swing's peak flexion rate (the largest
   flexion rate in the step period before the band peak; a slow walk's thigh turns again just
   after the contact, so the last crossing before the peak is not it), and the IC is
   ``FLEX_LEAD_X_STEP`` = 0.22 step periods later: the flexion maximum preceded the
   force-plate contact by 0.16-0.30 step periods (median 0.22) on the marker-derived thigh
   sensors of fukuchi2018 (0.48, 0.63 m/s) and gaitkit (Parkinson's, 0.16-0.48 m/s), by 0.35-0.39
   in the fukuchi2017 runs (running keeps the peak-based IC). The flexion sign: the thigh
   flexes, on average, over the step that ends with its own IC (its swing). This replaces the
   loading onset / band peak, which on the slow walks was 110-250 ms early or late on some steps
   (fukuchi2018 IC F1 0.84 / 0.90 -> 0.92 / 0.94 left / right pocket, WBDS19 left 0.77 -> 0.97;
   gaitkit right pocket 0.88 -> 0.93, left 0.97 -> 0.96, SUB05 0.97 -> 0.92). The other leg's
   ICs keep the acceleration (their thigh landmark, the extension maximum, lies 0.2 s before to
   0.2 s after the contact on those walks). The simulator's walking thigh peaked 0.07 stride
   before its IC until 2026-12 (0.12-0.15 step periods; the real 0.16-0.30), so there the own
   ICs were 60-90 ms late: validate_sim's impaired pocket walks IC F1 hemiparetic mild 0.74 ->
   0.86, shuffling 0.82 / 0.72 -> 0.90 / 0.84, but hemiparetic severe 0.86 -> 0.62 (a slow
   walk, own ICs +92 ms; all with the simulator's phone on the thigh's axis, see below). Its
   walking thigh now follows the real thighs' timing and shape
   (:data:`gait.simulate.constants.THIGH_WALK`: flexion maximum 0.25-0.26 step periods before
   the IC), and the own ICs are on time there too (``benchmarks/pocket_step_si.py``, simulated
   front-pocket walks: median -5 ms, before +63; back pocket +27-29, before +76); the other
   leg's band peaks still come 79-80 ms late there (before 92-93; real pockets -17 to +31), so
   its step SI errors grew (front, gyroscope: -14.3 -> -30.8 points; back -> -15.3) while its
   IC F1 rose (front 0.70-0.72 -> 0.99). The detector was not retuned.
   In running bouts (step 5) the vertical force is a half sine centred on mid-stance
   (spring-mass model, Blickhan 1989, J Biomech 22:1217-1227), so the IC is put half a stance,
   0.35 step periods (duty factor ~0.35), before the peak.
4. Sides (only when ``side`` is given: "L" for left_pocket, "R" for right_pocket): the pocket
   leg's heel strike reaches the phone through that extended leg, the other one through the
   pelvis, which attenuates the impact (Lafortune, Lake & Hennig 1996, J Biomech
   29:1531-1537). So the 8-25 Hz energy within +-0.35 step periods of an IC alternates, larger
   at the pocket leg's ICs. Each step's contrast with its neighbours, sign-alternated, is
   median-smoothed over 9 steps within runs of consecutive steps, so an odd step or a missed
   step affects only the steps around it; confidence = agreement of the 9 steps. The pocket
   side is not recorded in any real data set, so this is checked for consistency only: the
   impact side is the same in every Oxford walk of a user and agrees on all 8 with the
   thigh-tilt phase (the ipsilateral IC follows the flexion peak of late swing), and on the one
   real pocket export with a gyroscope also with the gyroscope's thigh angle. Walking with a
   gyroscope: the pocket leg's swing lies in the step that ends with its own IC (toe-off at
   ~60 % of the stride, after the other leg's IC; Perry 1992, "Gait analysis"), and the swing
   is the thigh's fastest rotation (hip flexion rate, Winter 1991, "The biomechanics and motor
   control of human gait"). So the cue is the mean thigh angular rate (0.3-3 Hz, the component
   about the phone's largest horizontal rotation axis: flexion-extension, not the rotation
   about the near-vertical thigh, clipped at its 95th percentile against glitches) over the
   step before each IC; the sign of the axis is not needed. The median window is shifted to
   stay inside the run at its ends (edge padding repeated the edge step, whose own contrast
   then decided: the first and last steps, gait initiation and termination with the weakest
   swing contrast, were not smoothed; gaitkit left pocket L/R 0.91 -> 1.00, SUB01 0.82 and
   SUB05 0.83 -> 1.00; fukuchi2018 0.98 / 0.99 -> 1.00). The impact cue cannot work on
   signals without impact transients (the virtual pockets are marker-derived, 10 Hz low-pass:
   gaitkit 8-25 Hz RMS 0.05-0.28 m/s^2 vs 1.3-3.4 on Oxford), where it gave L/R 0.6-0.67.
   Running bouts keep the impact cue (without it, running steps had no cue at all and every
   one was called the other leg's: simulator runs L/R 0.00 -> 1.00) while it is clear: the
   median sign-alternated contrast of a run of steps at least ``RUN_IMPACT_CONTRAST`` (0.5 in
   log energy, a factor 1.6; 1.4-2.6 on five fukuchi2017 pocket files, 2.5-3 simulated).
   Below that, with a gyroscope, the cue is the mean *signed* flexion rate over the step
   before each IC (``_run_thigh_cue``): positive before the pocket leg's own IC (its swing),
   negative before the other's (its stance and push-off); unsigned, it is the same for both
   steps, which is why the swing-magnitude cue failed on runs. Flexion is the sign of the
   thigh's fastest rotation (the swing-phase flexion outruns the stance extension in running,
   Novacheck 1998, Gait Posture 7:77-95; right on all six fukuchi2017 pocket files, log ratio of
   the 99th to the 1st percentile 0.07-0.21, flexion 39-43 % of the time). It decides the
   fukuchi2017 run whose impact contrast is 0.11 (RBDS0041 right pocket: the impact cue swapped
   the whole run, L/R 0.08 -> 1.00). The thigh is not the first cue: in the simulator's back
   pocket (:func:`gait.simulate.simulate_back_pocket`, pelvis and thigh blended) the pelvic
   rotation reverses that percentile ratio and the thigh cue swapped every running step, while
   the impact cue was right. Walking keeps the unsigned swing cue above; the thigh-tilt cue is
   not used there.
5. Bouts: runs of >= 4 ICs without a gap of more than 2.5 step periods (one missed step); ICs
   outside a bout are dropped (phone handling, a stumble). ``gait.events.bouts`` is not used: its
   window-based bouts include the standing edges and join short pauses. "run" when the bout's
   cadence is >= 2.5 steps/s (150 steps/min; walking is below ~135, Tudor-Locke et al. 2018,
   Br J Sports Med 52:776-788) or its 0.5-8 Hz vertical acceleration RMS is >= 6 m/s^2
   (flight-phase impacts; walking in a pocket gave 2.3-4.5 m/s^2 on every real recording).

Limits: the band-limited IC is the step's loading peak, not a per-step impact time, so
step-time asymmetry is attenuated (simulator: SI -10 / +10 % comes out -3 / +4 %); pocket
step-time asymmetry is not reliable (a note says so). Per-step markers do not restore it: a
step's own loading peak (``v``, 3 Hz low-pass, timed per step) gave the simulated pocket
cells their asymmetry back (step SI errors 7 of 8 within 1.5 points, one seed), but at a real
thigh the peak follows the pocket leg's own IC later than the other leg's, by 23-40 ms in the
fukuchi2017 runs
(step SI errors +-12 to +-22 points) and by up to ~80 ms either way on Oxford (IC F1 0.97 ->
0.84); the thigh's flexion and extension maxima lag the two legs' ICs by amounts that differ
by 0.07-0.45 step periods between walks and between the two thighs of one walk
(``benchmarks/pocket_thigh_timing.py``). No broadband per-step marker of ``v`` (loading peak,
steepest rise, pulse centroid or half-level crossing at 3-8 Hz, the same for both legs) has a
leg-independent bias on both the simulator and the real thighs: their pocket-minus-other-leg
bias differences are tens of ms on fukuchi2017/2018 and gaitkit even where the simulator's are
a few (``benchmarks/pocket_marker_timing.py``). The simulated pocket differed there while its
phone sat on the thigh's axis, whereas a front pocket (and fukuchi2017's virtual phone) lies
~6-8 cm in front of it, where the thigh's angular acceleration adds to the vertical
acceleration. Since 2026-12 the simulated phone lies 7 cm ahead of the thigh's axis
(:data:`gait.simulate.constants.POCKET_AHEAD`): the pocket-minus-other-leg difference of its
3 Hz loading peaks is +20 ms running (before: +2), at the low end of the real thighs' 22-40
ms, and -35 ms walking (before: -1). The same move cost the detector on the simulator (the
detector is unchanged): the thigh's angular acceleration raises the step band's RMS (0.48 /
0.63 m/s walks 0.11 / 0.13 -> 0.19 / 0.21 m/s^2, the real fukuchi2018 ones 0.18-0.20 /
0.38-0.41), so more steps of the simulated slow and impaired walks lie above ``SLOW_RMS``
and take the band peak (mid double support, ~100-170 ms after the other leg's IC) instead of
the loading onset, and the other leg's band peaks come later (shuffling moderate: median +66
-> +84 ms): validate_sim's impaired pocket walks IC F1 hemiparetic mild /
moderate / severe 0.86 / 0.95 / 0.62 -> 0.62 / 0.92 / 0.45, shuffling moderate / severe 0.90
/ 0.84 -> 0.73 / 0.73; the simulated 1.3 m/s front-pocket walks of
``benchmarks/pocket_step_si.py``, whose other-leg ICs were already late (median +91 ms,
seed 0), IC F1 0.87-0.89 -> 0.65-0.72 (median +103 ms: 57 % of them, before 22 %, past the
+-100 ms match). With the walking thigh of 2026-12 (timing and shape from the real thighs,
:data:`gait.simulate.constants.THIGH_WALK`; its step band's RMS is now above the real walks',
0.27 / 0.49 at fukuchi2018's two speeds and cadences by the detector's own measure) those
IC F1 are: impaired hemiparetic mild / moderate / severe 0.88 / 0.74 / 0.60, shuffling
moderate / severe 0.85 / 0.75; the 1.3 m/s front-pocket walks 0.98-0.99. Moving
the real phones back to the hip joint with their gyroscope (rigid-body lever-arm terms; the lever
arm fitted in the flight phases, where the hip falls freely) and timing each side by its 3 Hz
loading-pulse centroid put every fukuchi2017 step SI within 1.9 points, but the result swung to
6.7-6.9 points with a 2.5 or 4 Hz low-pass (3 Hz is barely above the step frequency, i.e. nearly
the equalising band) and left the simulated front-pocket runs at -7: not adopted. Slow-gait
ICs: the virtual walks' right pocket of SUB07 (0.16 m/s) still has its own leg's ICs ~70-130
ms early (the steepest rise of ``v`` precedes the annotated heel strike) and two contralateral
ICs late; the last IC of a walk
cut mid-step (the virtual walks) has no loading peak after it and is missed. The simulator's
walking pocket loading (band) peaks lag its ICs by ~50-80 ms (before 2026-12 ~90), real walks
(Oxford) ~0 ms: walking timing follows the real data.

Parameter basis (one set for every pocket recording, nothing per file): cadence 48-240
steps/min (stride lag 0.5-2.5 s); 6-s windows hold >= 2 strides of slow gait; periodicity 0.5
and prominence 0.5 m/s^2 (0.05 g) are walking-detection floors far below walking values at the
thigh (0.8-1.0; 2-5 m/s^2); the band 0.6-1.0 x the step frequency keeps the step fundamental
and suppresses the stride and the harmonics (compared on the 8 Oxford pocket walks with a
low-pass at 1.0-1.5 x: IC F1 0.97-0.86, and bands 0.7-1.0 / 0.75-1.25 x: 0.97; step counts
within 1 % for all).

Size: one algorithm; a quarter of the module is its description and evidence above.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from gait import dsp
from gait.events import BOUT_COLUMNS, Detection, empty_bouts, empty_events
from gait.preprocess import bandpass, fill_gaps, gravity_direction, lowpass
from gait.recording import G, SensorStream

WORK_FS = 100.0  # Hz, working rate (signals are decimated to <= ~100 Hz, enough for 5 Hz content)
PERIOD_FS = 25.0  # Hz, rate of the autocorrelation analysis
WIN_S, HOP_S = 6.0, 0.5  # autocorrelation windows
STRIDE_LAG_S = (0.5, 2.5)  # 48-240 steps/min
PEAK_REL = 0.8  # shortest autocorrelation peak within 80 % of the best = the stride
MIN_PERIODICITY = 0.5  # stride-lag autocorrelation needed to count steps
CUTOFF_X_STEP_FREQ = 1.0  # band's upper edge / local step frequency
BANK_LO, BANK_RATIO = 0.4, 1.15  # filter bank: 0.4 Hz * 1.15^k
BAND_LO_RATIO = 0.6  # the band's low edge: the stride fundamental (0.5 x) is attenuated
MIN_PROMINENCE = 0.5  # m/s^2
MIN_PROMINENCE_ABS = 0.15  # m/s^2, candidates for the relative floor of slow gait
REL_PROMINENCE = 1.0  # slow gait: prominence floor / largest local band RMS (+-2 steps)
SLOW_RMS = 0.45  # m/s^2, band RMS below which the gait is slow (step 3)
SWING_HZ = 3.0  # thigh angular rate band's upper edge
ONSET_LP_HZ = 5.0  # Hz, low-pass of v for the loading onset
EXT_SEARCH_X_PERIOD = 0.5  # slow contralateral IC: hip extension peak this far back (onset's)
MIN_STEP_S = 0.25  # no two ICs closer (240 steps/min)
BURST_BAND = (8.0, 25.0)  # Hz, impact band
SIDE_SMOOTH_STEPS = 9
SEGMENT_GAP_X_PERIOD = 1.6  # a longer IC interval means a missed step: side parity restarts
BOUT_GAP_X_PERIOD = 2.5  # a longer IC interval (> one missed step) ends a bout
BOUT_MIN_STEPS = 4
RUN_CADENCE_HZ = 2.5
RUN_RMS = 6.0  # m/s^2, 0.5-8 Hz vertical acceleration RMS of a bout
FLEX_LEAD_X_STEP = 0.22  # walking: IC this many step periods after the thigh flexion maximum
RUN_IC_LEAD = 0.35  # running: IC this many step periods before the band-limited peak
PHASE_DEV_X_STEP = 0.2  # slow contralateral IC: this far off the bout's median phase = suspect
PHASE_OK_X_STEP = 0.1  # ... and replaced by its other candidate when that lies this close
PHASE_MIN_STEPS = 5
RUN_IMPACT_CONTRAST = 0.5  # log impact-energy contrast below which a run's impact cue is weak


def detect(stream: SensorStream, side: str | None = None) -> Detection:
    """ICs (kind "IC") of both feet from a pocket phone; sides when ``side`` is "L" or "R"."""
    if side not in (None, "L", "R"):
        raise ValueError(f"side must be 'L', 'R' or None, got {side!r}")
    fs = float(stream.sample_rate_hz)
    notes: list[str] = ["pocket: initial contacts only (no toe-off from a thigh phone)"]
    missing = np.isnan(stream.acc).any(axis=1)
    if stream.n_samples < int(2 * WIN_S * fs / 3) or missing.all():
        notes.append("pocket: recording too short or empty for step detection")
        return Detection(notes=notes)
    dec = max(1, int(fs // WORK_FS))
    fw = fs / dec
    acc = fill_gaps(stream.acc)
    if dec > 1:
        acc = lowpass(acc, fs, 0.4 * fw)[::dec]
        missing = dsp.maximum_filter1d(missing.astype(np.uint8), dec)[::dec].astype(bool)
    gyr = None
    if stream.gyr is not None and not np.isnan(stream.gyr).all():
        gyr = fill_gaps(stream.gyr)
        if dec > 1:
            gyr = lowpass(gyr, fs, 0.4 * fw)[::dec]
    if stream.acc_kind == "linear":
        notes.append("pocket: acceleration without gravity; vertical taken as the main axis of "
                     "motion (less accurate)")
        v = vertical_from_linear(acc, fw)
    else:
        up = gravity_direction(acc, fw)
        v = np.einsum("ij,ij->i", acc, up) - G

    period, strength = step_period(acc, v, fw)
    x = _track_band(v, fw, CUTOFF_X_STEP_FREQ / period)
    pk, props = dsp.find_peaks(x, prominence=MIN_PROMINENCE_ABS,
                               distance=max(1, int(MIN_STEP_S * fw)))
    n_step = max(1, int(np.median(period) * fw))
    rms = dsp.moving_rms(x, 2 * n_step)  # the band's local RMS
    rms_near = dsp.maximum_filter1d(rms, 4 * n_step + 1)  # largest within +-2 steps
    floor = np.where(rms[pk] < SLOW_RMS,
                     np.clip(REL_PROMINENCE * rms_near[pk], MIN_PROMINENCE_ABS, MIN_PROMINENCE),
                     MIN_PROMINENCE)
    pk = pk[props["prominences"] >= floor]
    near_gap = dsp.maximum_filter1d(missing.astype(np.uint8), int(0.2 * fw) + 1)
    pk = pk[(strength[pk] >= MIN_PERIODICITY) & ~near_gap[pk].astype(bool)]
    if len(pk) == 0:
        notes.append("pocket: no periodic walking found")
        return Detection(notes=notes)
    t_idx = pk + _parabolic(x, pk)
    slow = rms[pk] < SLOW_RMS  # slow gait: the band peak is mid double support, IC earlier
    if slow.any():
        t_idx = np.where(slow, _loading_onset(v, fw, pk, period[pk]), t_idx)
    t = stream.start_s + t_idx * dec / fs
    power = bandpass(v, fw, 0.5, 8.0) ** 2
    bouts = local_bouts(t, period[pk], power, fw, stream.start_s)
    keep = _in_bouts(t, bouts)  # isolated peaks (phone handled, a stumble) are not steps
    pk, t = pk[keep], t[keep]
    if len(pk) == 0:
        notes.append(f"pocket: no walking bout of >= {BOUT_MIN_STEPS} steps found")
        return Detection(notes=notes)
    if (bouts["kind"] == "run").any():  # running: the peak is mid-stance, the IC earlier
        bout_id = np.searchsorted(bouts["start"].to_numpy(float), t + 1e-9) - 1
        run = (bouts["kind"].to_numpy(object) == "run")[bout_id]
        t = t - RUN_IC_LEAD * period[pk] * run
        bouts = bouts.assign(start=[float(t[bout_id == i].min()) for i in range(len(bouts))],
                             end=[float(t[bout_id == i].max()) for i in range(len(bouts))])
    run = np.zeros(len(pk), dtype=bool)
    if (bouts["kind"] == "run").any():
        bout_id = np.searchsorted(bouts["start"].to_numpy(float), t + 1e-9) - 1
        run = (bouts["kind"].to_numpy(object) == "run")[np.clip(bout_id, 0, len(bouts) - 1)]
    conf = np.clip(strength[pk], 0.0, 1.0)

    sides = np.full(len(pk), None, dtype=object)
    if side is not None:
        ic_idx = np.round((t - stream.start_s) * fs / dec).astype(int)
        ipsi, side_conf = ipsilateral(pk, acc, fw, period[pk], gyr, ic_idx, run)
        other = "L" if side == "R" else "R"
        known = ~np.isnan(side_conf)
        sides[known] = np.where(ipsi[known], side, other)
        if gyr is not None:
            own = known & ipsi & ~run
            if own.any():
                rate_f = thigh_rate(acc, gyr, fw)
                t[own] = stream.start_s + _thigh_ic(rate_f, ic_idx, pk, period[pk], fw, own,
                                                    t[own] - stream.start_s)
        contra = known & ~ipsi & ~run & (rms[pk] < SLOW_RMS)
        if gyr is not None and contra.any():
            ext = _peak_extension(thigh_rate(acc, gyr, fw), ic_idx[contra], period[pk][contra], fw)
            tc = t[contra]
            te = np.where(np.isnan(ext), tc, stream.start_s + ext * dec / fs)
            t[contra] = np.minimum(tc, te)
            t[contra] = _phase_consistent(t, contra, known & ipsi & ~run, np.maximum(tc, te),
                                          bouts)
        conf = np.where(known, np.minimum(conf, np.nan_to_num(side_conf)), conf)
        notes.append(f"pocket: sides from the phone's leg ({side}); ipsilateral contacts by "
                     "impact strength (not validated against a reference); step-time "
                     "asymmetry from a pocket phone is attenuated, not reliable")
    events = pd.DataFrame({"t": t.astype(float), "kind": pd.Series(["IC"] * len(t), dtype=object),
                           "side": pd.Series(sides, dtype=object),
                           "confidence": conf.astype(float)})
    return Detection(events=events if len(events) else empty_events(),
                     bouts=bouts, notes=notes)


def step_period(acc: np.ndarray, v: np.ndarray, fs: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-sample step period (s) and periodicity strength (stride-lag autocorrelation).

    ``acc`` N x 3 (any frame), ``v`` vertical acceleration, both at ``fs``.
    """
    n = len(v)
    dec = max(1, round(fs / PERIOD_FS))
    fp = fs / dec
    a = bandpass(acc, fs, 0.3, 4.0)[::dec]
    vb = bandpass(v, fs, 0.5, 4.0)[::dec]
    hi = min(BURST_BAND[1], 0.45 * fs)
    env = np.sum(bandpass(acc, fs, BURST_BAND[0], hi) ** 2, axis=1) if hi > BURST_BAND[0] * 1.2 \
        else np.zeros(len(v))
    eb = bandpass(np.sqrt(env), fs, 0.5, 6.0)[::dec]  # impact envelope: one burst per contact
    w = min(round(WIN_S * fp), len(vb))
    hop = max(1, round(HOP_S * fp))
    starts = np.arange(0, len(vb) - w + 1, hop)
    k_lo = max(2, int(STRIDE_LAG_S[0] * fp))
    k_hi = min(int(STRIDE_LAG_S[1] * fp), w - 2)
    if k_hi <= k_lo + 2:
        return np.full(n, 1.0), np.zeros(n)
    lag_s = np.empty(len(starts))
    strength = np.empty(len(starts))
    for c0 in range(0, len(starts), 2048):  # chunks bound the memory (1 h = 7200 windows)
        st = starts[c0:c0 + 2048]
        idx = st[:, None] + np.arange(w)[None, :]
        A = acf(a[idx])
        V = np.maximum(acf(vb[idx]), acf(eb[idx]))
        lag_s[c0:c0 + 2048], strength[c0:c0 + 2048] = _pick_step(A, V, k_lo, k_hi, fp)
    # each window stands for the +-WIN_S/2 around its centre: a sample takes the strength of
    # the most periodic window covering it and the median step period of the covering windows
    # at least 80 % as periodic (a vote against single wrong step/stride decisions)
    h = round(WIN_S / HOP_S) // 2
    st = sliding_window_view(np.pad(strength, h, mode="edge"), 2 * h + 1)
    ls = sliding_window_view(np.pad(np.log(lag_s), h, mode="edge"), 2 * h + 1)
    best = st.max(axis=1)
    voted = np.nanmedian(np.where(st >= PEAK_REL * best[:, None], ls, np.nan), axis=1)
    centers = (starts + w / 2) * dec / fs  # s
    tt = np.arange(n) / fs
    period = np.exp(np.interp(tt, centers, voted))
    stren = np.interp(tt, centers, best)
    return period, stren


def ipsilateral(pk: np.ndarray, acc: np.ndarray, fs: float, period: np.ndarray,
                gyr: np.ndarray | None = None, ic: np.ndarray | None = None,
                run: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Which ICs (sample indices ``pk``) belong to the pocket leg; confidence (NaN = unknown).

    Per IC a cue (module docstring, step 4): the thigh angular rate over the step ending at
    the IC (``ic``: IC sample indices) when ``gyr`` is given and the step is not in a running
    bout (``run``), else the impact energy around the band peak ``pk``. The cue is compared
    with the neighbouring steps'; in runs of consecutive steps the sign-alternated contrast is
    median-smoothed.
    """
    n = len(pk)
    ipsi = np.zeros(n, dtype=bool)
    conf = np.full(n, np.nan)
    run = np.zeros(n, dtype=bool) if run is None else np.asarray(run, dtype=bool)
    energy = np.full(n, np.nan)
    hi = min(BURST_BAND[1], 0.45 * fs)
    use_impact = np.ones(n, dtype=bool) if gyr is None else run
    if use_impact.any() and hi > BURST_BAND[0] * 1.2:
        hf = np.sum(bandpass(acc, fs, BURST_BAND[0], hi) ** 2, axis=1)
        half = np.maximum((0.35 * period * fs).astype(int), 1)
        energy = np.where(use_impact, np.log(np.maximum(
            _window_mean(hf, pk - half, pk + half), 1e-12)), energy)
    if gyr is not None and (~run).any():  # walking: the pocket leg's swing ends at its IC
        rate = np.abs(thigh_rate(acc, gyr, fs))
        rate = np.minimum(rate, np.percentile(rate, 95))  # marker/sensor glitches
        ic = pk if ic is None else ic
        span = np.maximum((period * fs).astype(int), 1)
        energy = np.where(run, energy, np.log(np.maximum(
            _window_mean(rate, ic - span, ic), 1e-12)))
    if np.isnan(energy).all():
        return ipsi, conf
    energy = np.nan_to_num(energy, nan=float(np.nanmedian(energy)))
    tilt = None  # running with a gyroscope: the signed thigh cue (module docstring, step 4)
    if gyr is not None and run.any():
        tilt = _run_thigh_cue(acc, gyr, fs, pk if ic is None else ic, period)
    # segments of consecutive steps (no missed step between)
    gap = np.diff(pk) / fs > SEGMENT_GAP_X_PERIOD * period[1:]
    seg_id = np.concatenate([[0], np.cumsum(gap)])
    for sid in np.unique(seg_id):  # a loop over walking segments, not samples
        m = np.flatnonzero(seg_id == sid)
        if len(m) < 4:
            continue
        alt = (-1.0) ** np.arange(len(m))
        s = alt * _contrast(energy[m])
        if tilt is not None and run[m].all() and abs(np.median(s)) < RUN_IMPACT_CONTRAST:
            s = alt * _contrast(tilt[m])  # a run with a gyroscope and weak impacts: the swing
        k = min(SIDE_SMOOTH_STEPS, len(m) - (1 - len(m) % 2))
        win = _inner_windows(len(m), k)
        sm = np.median(s[win], axis=1)
        ipsi[m] = alt * sm > 0
        agree = np.mean(np.sign(s[win]) == np.sign(sm)[:, None], axis=1)
        conf[m] = np.clip(2 * agree - 1, 0.0, 1.0)
    return ipsi, conf


def _contrast(e: np.ndarray) -> np.ndarray:
    """Each step's cue minus the mean of its neighbours' (the edge steps: minus the one)."""
    d = np.empty_like(e)
    d[1:-1] = e[1:-1] - 0.5 * (e[:-2] + e[2:])
    d[0], d[-1] = e[0] - e[1], e[-1] - e[-2]
    return d


def _run_thigh_cue(acc: np.ndarray, gyr: np.ndarray, fs: float, ic: np.ndarray,
                   period: np.ndarray) -> np.ndarray:
    """Running: the mean thigh flexion rate (rad/s) over the step before each IC (sample
    indices ``ic``), positive before the pocket leg's own contacts (its thigh swings forward,
    then retracts before the contact; Novacheck 1998, Gait Posture 7:77-95). Flexion is the
    sign of the thigh's fastest rotation, the swing (99th vs 1st percentile of the rate)."""
    rate = thigh_rate(acc, gyr, fs)
    sgn = 1.0 if np.percentile(rate, 99) >= -np.percentile(rate, 1) else -1.0
    span = np.maximum((period * fs).astype(int), 1)
    return sgn * _window_mean(rate, ic - span, ic)


def thigh_rate(acc: np.ndarray, gyr: np.ndarray, fs: float) -> np.ndarray:
    """Thigh angular rate (rad/s, 0.3-``SWING_HZ`` Hz) about the phone's largest horizontal
    rotation axis, the hip's flexion-extension axis (not the rotation about the near-vertical
    thigh); its sign (flexion or extension) is arbitrary."""
    g = bandpass(gyr, fs, 0.3, min(SWING_HZ, 0.4 * fs))
    up = gravity_direction(acc, fs)
    g = g - np.einsum("ij,ij->i", g, up)[:, None] * up  # not about the thigh's long axis
    _, vec = np.linalg.eigh(g.T @ g)
    return g @ vec[:, -1]


def _thigh_ic(rate: np.ndarray, ic: np.ndarray, pk: np.ndarray, period: np.ndarray, fs: float,
              own: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """IC times of the pocket leg's own walking steps: the thigh's flexion maximum at the end
    of mid-swing plus ``FLEX_LEAD_X_STEP`` step periods (module docstring, step 3).

    Parameters
    ----------
    rate : numpy.ndarray
        Thigh flexion-extension rate (:func:`thigh_rate`, arbitrary sign) at ``fs``.
    ic, pk : numpy.ndarray
        Current IC estimates and band peaks of every step (sample indices).
    period : numpy.ndarray
        Step period (s) of every step.
    fs : float
        Sample rate (Hz).
    own : numpy.ndarray
        Boolean mask of the pocket leg's own walking steps.
    fallback : numpy.ndarray
        Current IC times (s from the stream start) of the ``own`` steps, kept where no
        flexion maximum is found.

    Returns
    -------
    numpy.ndarray
        IC times (s from the stream start) of the ``own`` steps.
    """
    n = len(rate)
    span = np.maximum((period * fs).astype(int), 2)
    # flexion sign: the thigh rotates forward (flexion) in the pocket leg's swing, the step
    # before its IC
    means = _window_mean(rate, ic[own] - span[own], ic[own])
    sgn = 1.0 if np.median(means) >= 0 else -1.0
    f = sgn * rate
    p = pk[own]
    sp = span[own]
    # the swing's peak flexion rate in the step before the band peak, then the first flexion
    # maximum (flexion rate + -> -) after it: the end of mid-swing
    idx = (p - sp)[:, None] + np.arange(int(sp.max()) + 1)[None, :]
    inside = (idx <= p[:, None]) & (idx >= 0)
    idx = np.clip(idx, 0, n - 2)
    top = idx[np.arange(len(p)), np.argmax(np.where(inside, f[idx], -np.inf), axis=1)]
    cross = np.flatnonzero((f[:-1] > 0) & (f[1:] <= 0))
    if len(cross) == 0:
        return fallback
    j = np.searchsorted(cross, top, side="left")
    k = cross[np.clip(j, 0, len(cross) - 1)]
    ok = (j < len(cross)) & (k - top <= sp)
    f1 = f[np.minimum(k + 1, n - 1)]
    frac = f[k] / np.where(f[k] - f1 == 0, 1.0, f[k] - f1)
    return np.where(ok, (k + frac) / fs + FLEX_LEAD_X_STEP * period[own], fallback)


def _peak_extension(rate: np.ndarray, ic: np.ndarray, period: np.ndarray, fs: float
                    ) -> np.ndarray:
    """The pocket thigh's last extension maximum (fractional sample index) at or before each
    contralateral IC ``ic`` (sample indices), within ``EXT_SEARCH_X_PERIOD`` step periods;
    NaN if the thigh does not turn within that window.

    The swing that follows the other leg's contact is the thigh's fastest rotation, so the
    sign of ``rate`` at its largest magnitude in the step after ``ic`` is flexion; the maximum
    extension is where the flexion rate last turns from negative to positive before it.
    """
    n = len(rate)
    span = np.maximum((period * fs).astype(int), 2)
    fwd = ic[:, None] + np.arange(int(span.max()) + 1)[None, :]
    ok = (fwd <= (ic + span)[:, None]) & (fwd < n)
    fwd = np.clip(fwd, 0, n - 1)
    j = np.argmax(np.where(ok, np.abs(rate[fwd]), -np.inf), axis=1)
    swing = fwd[np.arange(len(ic)), j]
    sgn = np.sign(rate[swing])
    back = np.maximum((EXT_SEARCH_X_PERIOD * period * fs).astype(int), 1)
    idx = swing[:, None] - np.arange(int((swing - ic + back).max()) + 1)[None, :]
    inside = (idx >= np.maximum(ic - back, 1)[:, None]) & (idx <= swing[:, None])
    idx = np.clip(idx, 1, n - 1)
    f = sgn[:, None] * rate[idx]  # flexion rate
    f0 = sgn[:, None] * rate[idx - 1]
    turn = inside & (f0 < 0) & (f >= 0)  # extension turns into flexion between idx-1 and idx
    has = turn.any(axis=1)
    k = idx[np.arange(len(ic)), np.argmax(turn, axis=1)]
    r0, r1 = sgn * rate[k - 1], sgn * rate[k]
    frac = r0 / np.where(r1 - r0 == 0, 1.0, r0 - r1)  # linear zero crossing in [k-1, k]
    return np.where(has, k - 1 - frac, np.nan)


def _phase_consistent(t: np.ndarray, contra: np.ndarray, own: np.ndarray, alt: np.ndarray,
                      bouts: pd.DataFrame) -> np.ndarray:
    """IC times (s) of the other leg's slow walking steps ``t[contra]`` (boolean mask), each
    replaced by its second candidate ``alt`` (same order) where the chosen one lies more than
    ``PHASE_DEV_X_STEP`` step periods from the bout's median phase and the second within
    ``PHASE_OK_X_STEP`` of it (module docstring, step 3).

    The phase of a contralateral IC is its offset from the midpoint of the pocket leg's two
    flanking ICs (``t[own]``), in step periods (half their interval). Step asymmetry moves it,
    but steadily over a walk, whereas a wrong candidate moves a single step: step-time
    variability is a few percent of the step even in Parkinson's disease (stride-time CV
    2-6 %, Hausdorff et al. 1998, Mov Disord 13:428-437), and 0.2 step periods is one step's
    SI of 40 points. Where both candidates are off (the simulator's severe hemiparesis, whose
    steps vary by +-10 %) nothing changes. Strides longer than 1.6 median own intervals (a
    missed step) and bouts (``bouts``) with fewer than ``PHASE_MIN_STEPS`` phases are left.
    """
    cur = t[contra].copy()
    own_t = np.sort(t[own])
    if len(own_t) < 2:
        return cur

    def phase(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        j = np.clip(np.searchsorted(own_t, x), 1, len(own_t) - 1)
        a, b = own_t[j - 1], own_t[j]
        ok = (a < x) & (x < b) & (b - a <= SEGMENT_GAP_X_PERIOD * np.median(np.diff(own_t)))
        return (x - 0.5 * (a + b)) / (0.5 * (b - a)), ok

    d_cur, ok_cur = phase(cur)
    d_alt, ok_alt = phase(alt)
    bid = np.clip(np.searchsorted(bouts["start"].to_numpy(float), cur + 1e-9) - 1, 0,
                  max(len(bouts) - 1, 0))
    for b in np.unique(bid):  # a loop over bouts, not samples
        m = (bid == b) & ok_cur
        if m.sum() < PHASE_MIN_STEPS:
            continue
        med = np.median(d_cur[m])
        far = np.abs(d_cur - med)
        swap = m & ok_alt & (far > PHASE_DEV_X_STEP) & (np.abs(d_alt - med) <= PHASE_OK_X_STEP)
        cur = np.where(swap, alt, cur)
    return cur


def _inner_windows(n: int, k: int) -> np.ndarray:
    """Indices (n x k) of a ``k``-long window per element of a series of ``n`` (k <= n):
    centred where possible, shifted to lie inside the series at its edges.

    A window padded at the edge (``mode="nearest"``) repeats the edge step k/2 times, so its
    median is the edge step's own value: the first and last steps of a walk, gait initiation
    and termination with the weakest swing contrast, were not smoothed at all.
    """
    start = np.clip(np.arange(n) - k // 2, 0, n - k)
    return start[:, None] + np.arange(k)[None, :]


def _pick_step(A: np.ndarray, V: np.ndarray, k_lo: int, k_hi: int, fp: float
               ) -> tuple[np.ndarray, np.ndarray]:
    sub = A[:, k_lo - 1:k_hi + 2]
    mid = sub[:, 1:-1]
    locmax = (mid >= sub[:, :-2]) & (mid > sub[:, 2:])
    vals = np.where(locmax, mid, -np.inf)
    best = vals.max(axis=1)
    good = locmax & (mid >= PEAK_REL * best[:, None])
    has = good.any(axis=1)
    k = np.argmax(good, axis=1) + k_lo
    r = np.arange(len(k))
    y0, y1, y2 = A[r, k - 1], A[r, k], A[r, k + 1]
    den = y0 - 2 * y1 + y2
    off = np.where(np.abs(den) > 1e-12, 0.5 * (y0 - y2) / np.where(den == 0, 1, den), 0.0)
    lag = k + np.clip(off, -0.5, 0.5)
    # vertical autocorrelation near half the lag: positive peak => the lag is a stride
    j = np.arange(V.shape[1])[None, :]
    near = (j >= np.floor(0.85 * lag / 2)[:, None]) & (j <= np.ceil(1.15 * lag / 2)[:, None])
    vh = np.max(np.where(near, V, -np.inf), axis=1)
    step = np.where(vh > 0, lag / 2, lag) / fp
    strength = np.where(has & np.isfinite(y1), y1, 0.0)
    return np.where(has, step, 1.0), strength


def acf(seg: np.ndarray) -> np.ndarray:
    """Unbiased autocorrelation of each row (rows x lags), normalised to 1 at lag 0.

    ``seg`` is windows x samples (x axes: autocovariances summed over the axes).
    """
    w = seg.shape[1]
    seg = seg - seg.mean(axis=1, keepdims=True)
    nfft = 1 << int(np.ceil(np.log2(2 * w)))
    f = np.fft.rfft(seg, nfft, axis=1)
    p = f.real ** 2 + f.imag ** 2
    if p.ndim == 3:
        p = p.sum(axis=2)
    ac = np.fft.irfft(p, nfft, axis=1)[:, :w] / (w - np.arange(w))[None, :]
    return ac / np.maximum(ac[:, :1], 1e-12)


def _track_band(v: np.ndarray, fs: float, fc: np.ndarray) -> np.ndarray:
    """``v`` band-passed (``BAND_LO_RATIO`` fc - fc) with a per-sample ``fc`` (filter bank,
    log-linear blend)."""
    n_bank = int(np.floor(np.log(0.4 * fs / BANK_LO) / np.log(BANK_RATIO))) + 1
    pos = np.clip(np.log(fc / BANK_LO) / np.log(BANK_RATIO), 0, n_bank - 1 - 1e-9)
    i0 = np.floor(pos).astype(int)
    fr = pos - i0
    x = np.zeros(len(v))
    for j in np.unique(np.concatenate([i0, np.minimum(i0 + 1, n_bank - 1)])):
        w = np.where(i0 == j, 1 - fr, 0.0) + np.where(i0 + 1 == j, fr, 0.0)
        if w.any():
            f = BANK_LO * BANK_RATIO ** j
            x += w * bandpass(v, fs, BAND_LO_RATIO * f, f)
    return x


def vertical_from_linear(acc: np.ndarray, fs: float) -> np.ndarray:
    """Gravity-free acceleration: the principal axis (of the 0.5-3 Hz band) with the most power
    periodic at the step (half the stride of the 3-D signal), signed with impacts upward."""
    band = bandpass(acc, fs, 0.5, 3.0)
    a = band - band.mean(axis=0)
    _, vec = np.linalg.eigh(a.T @ a)
    dec = max(1, round(fs / PERIOD_FS))
    fp = fs / dec
    proj = (a @ vec)[::dec]  # the three principal components
    A = acf(proj.T[None, :, :].transpose(0, 2, 1))[0]  # 3-D autocorrelation
    comp = acf(proj.T)  # each component's autocorrelation
    k_lo, k_hi = max(2, int(STRIDE_LAG_S[0] * fp)), min(int(STRIDE_LAG_S[1] * fp), len(A) - 2)
    best = 2
    if k_hi > k_lo + 2:
        seg = A[k_lo:k_hi]
        loc = np.flatnonzero((seg[1:-1] >= seg[:-2]) & (seg[1:-1] > seg[2:])) + 1
        if len(loc):
            good = loc[seg[loc] >= PEAK_REL * seg[loc].max()]
            half = (good[0] + k_lo) / 2
            j0, j1 = int(np.floor(0.85 * half)), int(np.ceil(1.15 * half)) + 1
            power = np.var(proj, axis=0) * np.maximum(comp[:, j0:j1].max(axis=1), 0.0)
            best = int(np.argmax(power))  # most power periodic at the step
    v = acc @ vec[:, best]
    vb = bandpass(v, fs, 0.3, min(15.0, 0.4 * fs))
    skew = np.mean(vb ** 3) / max(np.mean(vb ** 2), 1e-12) ** 1.5
    return -v if skew < 0 else v


def _loading_onset(v: np.ndarray, fs: float, pk: np.ndarray, period: np.ndarray
                   ) -> np.ndarray:
    """Steepest rise of ``v`` (``ONSET_LP_HZ`` low-pass) in the half step period before each
    band-limited peak ``pk`` (sample indices, fractional)."""
    d = np.gradient(lowpass(v, fs, ONSET_LP_HZ))
    span = np.maximum((0.5 * period * fs).astype(int), 1)
    idx = (pk - span)[:, None] + np.arange(int(span.max()) + 1)[None, :]
    ok = (idx <= pk[:, None]) & (idx >= 0)
    idx = np.clip(idx, 0, len(v) - 1)
    k = idx[np.arange(len(pk)), np.argmax(np.where(ok, d[idx], -np.inf), axis=1)]
    return k + _parabolic(d, k)


def _window_mean(e: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    c = np.concatenate([[0.0], np.cumsum(e)])
    a = np.clip(a, 0, len(e))
    b = np.clip(b, 0, len(e))
    return (c[b] - c[a]) / np.maximum(b - a, 1)


def _parabolic(x: np.ndarray, pk: np.ndarray) -> np.ndarray:
    """Sub-sample offset of each peak from a parabola through its three samples."""
    i = np.clip(pk, 1, len(x) - 2)
    y0, y1, y2 = x[i - 1], x[i], x[i + 1]
    den = y0 - 2 * y1 + y2
    off = np.where(np.abs(den) > 1e-12, 0.5 * (y0 - y2) / np.where(den == 0, 1, den), 0.0)
    return np.clip(off, -0.5, 0.5)


def _in_bouts(t: np.ndarray, bouts: pd.DataFrame) -> np.ndarray:
    keep = np.zeros(len(t), dtype=bool)
    for a, b in bouts[["start", "end"]].itertuples(index=False):
        keep |= (t >= a - 1e-9) & (t <= b + 1e-9)
    return keep


def local_bouts(t: np.ndarray, period: np.ndarray | None = None,
                power: np.ndarray | None = None, fs: float = 1.0, start_s: float = 0.0
                ) -> pd.DataFrame:
    """Runs of >= ``BOUT_MIN_STEPS`` ICs (times ``t``, sorted) without a gap longer than
    ``BOUT_GAP_X_PERIOD`` step periods (``period`` per IC; default: the median interval).

    ``power`` (per sample at ``fs``, first sample at ``start_s``): the 0.5-8 Hz vertical
    acceleration's squared deviation; a bout is "run" at >= ``RUN_CADENCE_HZ`` or when its RMS
    reaches ``RUN_RMS`` (module docstring).
    """
    t = np.asarray(t, dtype=float)
    if len(t) < BOUT_MIN_STEPS:
        return empty_bouts()
    if period is None:
        period = np.full(len(t), float(np.median(np.diff(t))))
    brk = np.flatnonzero(np.diff(t) > BOUT_GAP_X_PERIOD * np.asarray(period)[1:])
    first = np.concatenate([[0], brk + 1])
    last = np.concatenate([brk, [len(t) - 1]])
    rows = []
    for a, b in zip(first, last, strict=True):
        if b - a + 1 < BOUT_MIN_STEPS:
            continue
        cadence = 1.0 / float(np.median(np.diff(t[a:b + 1])))
        rms = 0.0
        if power is not None:
            i0, i1 = (np.array([t[a], t[b]]) - start_s) * fs
            seg = power[max(int(i0), 0):max(int(i1), int(i0) + 1)]
            rms = float(np.sqrt(np.mean(seg))) if len(seg) else 0.0
        run = cadence >= RUN_CADENCE_HZ or rms >= RUN_RMS
        rows.append((float(t[a]), float(t[b]), "run" if run else "walk"))
    return pd.DataFrame(rows, columns=BOUT_COLUMNS) if rows else empty_bouts()
