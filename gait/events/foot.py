"""Initial and final contacts from one foot- or shank-mounted IMU (gyroscope based).

Algorithm (one stream, one side per call; the same for feet and shanks):

1. **Sagittal (pitch) axis from the data.** Feet and shanks rotate mostly about the
   medio-lateral axis while walking, so the pitch axis is the principal axis of the angular-rate
   covariance (10 Hz low-pass, moving samples only). No device axis is assumed. The sagittal
   axis stays perpendicular to gravity in every sagittal pose, so when that principal axis lies
   within 60 deg of the mean specific force (``AXIS_MAX_COS``) it is re-sought in the plane
   perpendicular to it: a paretic shank can rotate more about its long axis (circumduction)
   than in its small swing (trojaniello S023 right shank: 1.8 vs 1.1 rad2/s2; the unconstrained
   axis correlated 0.26 with the sagittal gyro, 22 instead of 4 of 29 ICs found).
2. **Sign: swing positive.** The mid-swing lobe is the broadest lobe of the pitch rate; the
   push-off and heel-strike lobes are negative, briefer and split in two per stride, so after a
   2 Hz low-pass the swing lobe dominates: the sign with the larger 99th percentile (moving
   samples) wins (ratio 1.08-1.8 on the 130 real and simulated foot/shank walks checked). When
   that ratio is below ``SIGN_CLEAR`` (running: push-off and swing lobes are alike) the heel-strike
   impact decides: with the right sign the end of every positive lobe is followed by the impact
   (largest jerk of the accelerometer), with the wrong sign it is not. Shanks use their own cue
   instead (Aminian 2002, Salarian 2004: the shank swing is one brief fast forward rotation, the
   stance a long slow backward one): the skewness of the 2 Hz rate (|rate| > ``SKEW_RAD_S``) is
   positive, +0.11..+1.41 on the 38 real and virtual shank streams checked. The impact cue
   fails where there is no impact: the virtual shuffling shank gaitkit SUB07 left had
   ratio 1.13 and an "impact" ratio of 14.5 for the wrong sign.
   Feet use the pitch excursion from foot flat (``_excursion_ratio``) whenever it is the
   clearer cue: the angle (the rate integrated, referred to the rests between strides) goes
   farther toes-down at toe-off than toes-up at heel strike (walking foot about -60 vs +20 deg,
   Perry & Burnfield 2010; a flat-foot or forefoot landing has no toes-up excursion at all,
   Mariani et al. 2013 report the smaller heel-strike pitch of Parkinson's feet). -P1/P99 of that
   angle while moving: 1.16-61 (median 2.65) on 128 of the 130 real walking foot streams, all
   with the sign the swing lobe or impact gave. The exceptions are truong2019 NEU_S009 left
   (0.04 / 0.15, swing-lobe ratio 1.29 the other way): a slow foot whose brief push-off lobe
   (-5 rad/s) outweighs its 0.6 s swing (+2 rad/s); with the swing-lobe sign its ICs fell at
   the start of the annotated footsteps, after the push-off, with the excursion sign at their
   end, on the impact. The simulator's severe shuffling feet (swing-lobe ratio 1.10-1.25 for
   the wrong sign, impact ratio 1.13-1.20 wrong too: IC F1 0.33) have 6.0-6.9. Running feet do
   not rest (``EXCURSION_REST_S``) and keep the other cues.
3. **Mid-swing peaks -> strides** (Aminian et al. 2002, "Spatio-temporal parameters of gait
   measured by an ambulatory system using miniature gyroscopes", J Biomech 35:689-699; Salarian
   et al. 2004, "Gait assessment in Parkinson's disease: toward an ambulatory system for long-term
   monitoring", IEEE TBME 51:1434-1443): peaks of the smoothed rate (Gaussian, -3 dB at 3 Hz: no
   ringing) above ``MIN_SWING_PEAK`` and ``REL_SWING_PEAK`` of the local typical peak, at least
   ``MIN_STRIDE_S`` apart; two peaks without a negative rate between them are one swing.
4. **Contacts: level crossings of the two negative lobes that frame the swing** (15 Hz rate,
   interpolated between samples, so 50 Hz data is timed to a few ms).

   * IC: after mid-swing the rate crosses zero (the foot stops rotating toes-up) and falls into
     the heel-strike lobe (the foot lowering after contact; its minimum is the IC feature of
     Falbriard et al. 2018, "Accurate estimation of running temporal parameters using foot-worn
     inertial sensors", Front Physiol 9:610, and Salarian 2004 for shanks). IC is where the rate
     reaches ``IC_LEVEL`` (half) of that lobe's minimum (searched ``HEEL_LOBE_S`` after the zero
     crossing). The zero crossing alone is an early bound (with swing-leg retraction the foot
     starts lowering before the heel touches), the minimum a late one. In turns and closing
     steps the foot can hover with a rate just below zero before the heel lands; when the rate
     stays above -``HEEL_DEPTH`` for ``HEEL_LOBE_S``, the lobe is sought where it first falls
     below that (within ``HEEL_WAIT_S``), not in the hovering. A closing step put down flat has
     no heel-strike lobe: the swing rotation stops at contact and the rate settles on the gyro
     offset without crossing zero. For a stride with no zero crossing, no lobe below
     -``HEEL_DEPTH`` after it and the whole foot (angular-rate magnitude) at rest within
     ``HEEL_WAIT_S``, IC is where the swing rate has fallen to ``FLAT_LEVEL`` (10 %) of its
     peak (Voisard 2023: 2 closing steps recovered, +15 / +70 ms). A shank whose rate after
     the zero crossing stays shallower than both -``HEEL_DEPTH`` and ``FLAT_PUSH`` (20 %) of
     the same leg's typical push-off lobe (the median push-off minimum, ``_push_off_depth``)
     for ``HEEL_LOBE_S`` has no heel-strike lobe (shuffling, flat-foot landing; cf. Greene et
     al. 2010, "An adaptive gyroscope-based algorithm for temporal gait analysis", Med Biol Eng
     Comput 48:1251-1260, thresholds from the subject's own signal, and Trojaniello 2014, whose
     shank IC windows adapt to a paretic leg's small swing): the swing rotation ends at
     contact, and IC is where the swing rate has fallen to ``FLAT_LEVEL`` of its peak, before
     the zero crossing, not in the later loading lobe (gaitkit SUB07 left shank, a shuffling PD
     leg still rotating forward at contact: the zero crossing is +150 ms after the ICs, the
     shallow lobe +200..+250 ms; the 10 % point +11 ms, IC F1 0.61 -> 0.96). The reference is
     the leg's other stance lobe (Aminian 2002, Salarian 2004: the shank's stance is one
     rotation with local extremes at IC and before FC), not its swing peak: both stance lobes
     scale with how fast the shank turns over the foot, the swing peak with how fast it swings,
     and a hemiparetic walk makes that ratio differ between the legs (the sound leg's swing is
     short and fast, its stance long and slow). With ``FLAT_LOBE`` (15 %) of the swing peak as
     the reference the simulator's severe hemiparetic sound shank (swing peak 5.7 rad/s, lobe
     -0.78 rad/s: 0.13 of the peak, 0.48 of its push-off) was called flat on every stride, IC
     -74 ms, its paretic shank (lobe 0.24 of a 2.4 rad/s peak) not, IC +6 ms: a report step SI
     20 points off. Lobe / push-off (per-leg medians): heel-striking shanks 0.32-1.5
     (trojaniello on the walkway 0.37-1.50, fukuchi2018 0.41-0.95, gaitkit SUB01 / SUB05
     0.32-0.68, fukuchi2017 running 0.79-1.30, simulator 0.48-0.63); SUB07 left 0.04-0.15 per
     stride (flat; its half-depth IC would be +34..+480 ms late); SUB07 right 0.10-0.29 per
     stride, the seven above 0.2 now on the half-depth point, 17-20 ms nearer the annotated IC
     than the 10 % point on each. A foot
     is put down flat by the same test when it is at rest (angular-rate magnitude below
     ``BURST_RAD_S``) before its rate crosses zero and no lobe below -``HEEL_DEPTH`` follows
     (the crossing is then gyro drift: gaitkit SUB01, a PD foot settling at +0.03 rad/s and
     drifting through zero 0.25 s later; gaitkit feet IC F1 0.86 -> 0.93, Voisard 0.98 kept),
     and unless a lobe deeper than ``FLAT_LOBE`` of its own swing peak follows within
     ``HEEL_LOBE_S``: a slow paretic foot (simulated severe hemiparetic: swing peak 1.3 rad/s,
     heel-strike lobe -0.8 rad/s 75 ms after the crossing) falls below ``BURST_RAD_S`` at the
     end of its swing and was called flat, IC -76 ms, step SI error 19 points.
   * FC: before mid-swing the push-off lobe (plantarflexion) peaks and reverses as the toe
     leaves the ground. Walking with a foot sensor: FC is where the rate has recovered
     ``FC_LEVEL`` (half) of the push-off minimum. Shanks: FC is just after the push-off minimum,
     where ``FC_LEVEL_RUN`` (90 %) of it remains (the minimum is the TC feature of Salarian 2004
     / Aminian 2002 for shanks; the 90 % point is sharper than a flat-bottomed minimum); shanks
     take the last recovery to 90 %. Rampp et al. 2015 ("Inertial sensor-based stride
     parameter calculation from gait sequences in geriatric patients", IEEE TBME
     62:1089-1097) use the zero crossing (TC), 20-35 ms late here.
     Running feet: FC is where the magnitude of the specific force (15 Hz) has fallen half-way
     (``TOE_OFF_LEVEL``) from its push-off hump (its largest value in the ``TOE_OFF_HUMP_S``
     before the dip) to its toe-off dip (its smallest value while the pitch rate is below
     ``TOE_OFF_LOBE`` (half) of the push-off minimum); a fall smaller than ``TOE_OFF_DROP`` is
     no toe-off and the gyro point (first recovery to 90 % after the minimum) is kept. Physics:
     in push-off the foot pivots on the metatarsal heads and the leg drives it up and forward;
     the push ends when the toes leave the ground, and with it that acceleration. Measured on
     the fukuchi2017 markers (RBDS0041, sensor origin, 15 Hz, median over the contacts): the
     MT1 marker starts to rise at the plate's FC (left 55 -> 556 mm/s from -40 to 0 ms), the
     foot's fore-aft / vertical acceleration falls from 10 / 7 m/s2 (left; right 12 / 8) at
     -20 ms to 5 / 2 (right -1 / -1) at +20 ms, the specific-force magnitude from 19.5 to
     13.0 m/s2 (right 21.7 to 9.6). The pitch rate holds no such feature on a rearfoot
     runner's flat-bottomed push-off: RBDS0041's left foot turns at -6.3..-6.8 rad/s from -20
     to +40 ms with two dips, so its minimum (Falbriard et al. 2018, "Accurate estimation of
     running temporal parameters using foot-worn inertial sensors", Front Physiol 9:610: the
     TC feature against force plates) lies -22 +-29 ms (sd) from the plate's FC and the 90 %
     recovery +58 +-18 ms (FC F1 0.86, stance SI +25.7 vs the plate's +2.7). Signed FC offset
     (ms, median +- sd) on the six fukuchi2017 feet, |acc| half-fall / 90 % recovery / pitch
     minimum: RBDS0041 L -1+-2 / +58+-18 / -22+-29, R +2+-1 / -2+-2 / -22+-3; RBDS001 2.5 m/s
     L +3+-2 / +3+-3 / -23+-3, R -2+-2 / +11+-3 / -22+-4; 3.5 m/s L +9+-1 / +7+-2 / -14+-2, R
     +8+-1 / +13+-2 / -6+-3. The simulator's running foot has its |acc| hump 45 ms before FC
     and its dip 10 ms after it: -15 ms (+4 with the 90 % recovery), its stance SI error 1.1-1.3
     -> 0.8-0.9 points. Accelerometer-only running-foot events: Benson et al. 2019, "Automated
     accelerometer-based gait event detection during multiple running conditions", Sensors
     19:1483. Caveat: tuned on virtual (marker-derived, 15 Hz) signals; a real foot IMU adds
     vibration, but toe-off has no impact and the detector low-passes at 15 Hz too.
     Known limit, running shanks: on fukuchi2017 the shank's push-off minimum comes +86..+93 ms
     after the plate's FC (the knee flexes after toe-off; FC lies at the lobe's onset, where
     30 % of the minimum is reached: -3..+20 ms), so running-shank FCs are ~+120 ms late (FC
     F1 0) and running shanks are called walking; the simulator's running shank has its FC at
     the minimum (+6 ms) and the onset -230 ms, so no rule fits both.

   Basis, median signed offset from the references (ms), IC / FC: gaitmap ``healthy_2x20m``
   optical mocap +22 / +7; Voisard 2023 (foot-IMU detectors, checked by hand) -2 / +9; simulator
   walking foot +3 / -4, shank +2 / -3, running foot -5 / -15, shank +9 / +10. FC: both real
   references lie 7-9 ms before the half-recovery point (60 % gives +4 / +5, 70 % +1 / 0, but
   the simulator -8 / -13, and the mocap stance time, whose late IC the late FC offsets, 3 ms
   further off); kept at half. IC: the references disagree by 20-35 ms on every contact feature,
   not only this one (mocap / Voisard: zero crossing +2 / -27, half depth +22 / -2, heel-lobe
   minimum +54 / +30, first impact peak of the jerk +27 / +5, fore-aft deceleration peak
   (Rampp's IC) +44 / +10), while within each set the half depth is the steadiest feature
   (per-foot medians 22-23 ms mocap, -15..+13 Voisard; impact features vary by 80 ms between
   Voisard subjects, with the forefoot slap often the larger peak). The half-depth point, the
   usual half-amplitude convention, matches Voisard and the simulator. (gaitmap
   ``healthy_4x10m`` is a third definition: its ICs lie on the impact, 0 ms from the
   acceleration-magnitude and fore-aft deceleration peaks, where ``healthy_2x20m``'s lie 24 / 44
   ms before them; its tilted sensor's heel lobe begins ~70 ms before that IC.) The levels are
   documented constants (``IC_LEVEL = 0`` gives the zero crossing).

   Shanks (same feature; a shank's heel-strike lobe is the heel rocker, the shank rotating back
   over the planted heel). Median signed IC offset per leg (ms), half depth / zero crossing /
   largest accelerometer jerk: simulator walk +2 / -39 / -, run +10 / -36 / -; fukuchi2017
   running (force plate) -14..+2 / -29..-21 / +9..+60; fukuchi2018 walking (force plates)
   -40..-21 / -58..-35 / +2..+7; gaitkit PD (annotated, 39-57 ms after the plates) -22..+13 /
   -50..+150 / -30..+20 (SUB07 left +147); trojaniello2014 (GAITRite, real Opal shanks) elderly
   +35..+71 / +26..+48 / +76..+108, stroke +29..+123 / +16..+87 / +94..+147. Against the force
   plates and the simulator the zero crossing is 20-60 ms *before* contact; against the walkway
   it is 16-87 ms *after*, and the accelerometer impact (a sharp fore-aft transient, e.g. S001
   left +83..+94 ms) and this project's lower-back detector (+54..+86 ms on the elderly,
   -44..+29 ms on voisard/gaitkit/fukuchi2018) lag it too. Every feature is shifted by
   ~+60..+100 ms on that copy of trojaniello alone, which points to its walkway/IMU time
   alignment rather than to a shank feature; the README's "impact peak on the IC (-8 ms on
   S001)" is the swing's centripetal |acc| hump before contact, not the impact. Trojaniello
   2014's own IC (the minimum after mid-swing) lies +55..+139 ms there. So shanks keep the
   half-depth point. The zero crossing for shanks was measured: trojaniello stroke IC F1 0.71 ->
   0.98 and the elderly report step SI within 3 points 3/7 -> 6/7 (their L-R offset difference
   6-14 ms -> 0-6 ms), but the stroke report step SI within 5 points 3/4 -> 1/4 (S022's paretic
   crossing +36 ms, the other leg's +87), every force-plate and simulated shank IC 20-60 ms
   early (fukuchi2017 median |error| 4 -> 24 ms, fukuchi2018 30 -> 42 ms) and the simulator's
   shank stance-SI error 1.2 -> 1.8 points. On a paretic leg the heel-strike lobe is slow and
   the half-depth point late: trojaniello's paretic legs +55..+77 ms after their zero crossing
   (elderly +10..+25); no feature separated them from the simulator's normal slow lobe (+50 ms
   after the crossing with IC +2 ms). (The simulator's severe hemiparetic shank had +40 ms
   while its stance rotation turned back between keyframes; since that was fixed, +6..+9.)

   **Walking shanks with a contact transient: IC on the accelerometer.** The half-depth point
   depends on how the foot lands. trojaniello S028 (stroke): the left shank's heel-strike lobe
   is split by the impact (a shallow dip, -0.9 rad/s, as the foot lands, then after the impact
   a deeper loading lobe, -2 rad/s, ~70 ms later); the lobe minimum within ``HEEL_LOBE_S`` was
   sometimes the first dip and mostly the second, so the left IC lay +123 ms after the walkway's
   IC (bimodal, +57..+139) and the right one +29 ms: a step SI of +22.5 against the walkway's
   +1.2. The contact transient of the shank's accelerometer (the tibial shock of heel strike,
   rising within 10-20 ms of contact: Whittle 1999, Gait Posture 10:264; Lafortune et al.
   1996) is there however the foot lands, heel, flat or toe first, and lies at the same delay
   after the walkway's IC on both legs (S028 +97 / +85 ms, every other walk within 14 ms; the
   gyro's L - R differences were -14..+10 ms and +93 on S028). Rule: in a window from
   ``IMPACT_WINDOW_S`` before to after the end of the swing rotation (the zero crossing, or the
   flat-landing IC), the first peak of the slope of ``|acc|`` that reaches ``IMPACT_FRAC`` of
   the window's steepest (a paretic leg's landing is followed by ringing and slaps as steep as
   it: S023 right); IC there, if ``|acc|`` rises through it by ``IMPACT_MIN_RISE`` (0.5 g) in
   ``IMPACT_RISE_S`` (15 ms) and by ``IMPACT_PROMINENCE`` (2x) more than at any point since
   mid-swing; otherwise the gyro IC stays. Walking strides only (not "run", stride at least
   ``IMPACT_MIN_STRIDE_S``, cadence below ~140 steps/min; running cadences are 150-180,
   Novacheck 1998): the virtual running shanks of fukuchi2017 (no real impact, low-passed
   markers) pass the rise test with features up to +60 ms off, and are often not called
   running. Measured (median IC delay after the walkway, ms, L / R, reference as given; the
   walkway is ~84 ms early on the IMU clock, ``benchmarks/trojaniello_clock.py``): elderly
   +68..+88, stroke S022 +85 / +87, S023 +91 / +90, S025 +102 / +88, S028 +97 / +85; on the
   shifted reference IC F1 stroke / elderly 1.00 / 1.00, median |error| 13 -> 8 / 31 -> 6 ms;
   the on-mat step SI error (mean |.|) elderly 3.3 -> 1.3, stroke 6.2 -> 2.0 points. The gyro
   IC on these shanks is 15-50 ms *before* the transient (elderly), consistent with the
   force-plate shanks above (half depth -40..-21 ms). Virtual and simulated shanks have no
   such transient (fukuchi2018 rises 2-3 m/s2 in 15 ms, gaitkit < 1, the simulator's swing
   |acc| hump is sharper than its impact) and keep the gyro IC unchanged, except the
   simulator's severe shuffling shank (both legs -14 instead of +4 ms). The simulator's
   severe hemiparetic shanks (paretic transient 0.5 x, < 0.5 g) keep their gyro ICs (sound
   +19, paretic +8 ms, median over 3 seeds). Trojaniello et al. 2014 (J NeuroEng Rehabil
   11:152) time shank ICs on the gyro (the minimum after mid-swing, with windows adapted to
   the paretic swing); Salarian 2004 and Aminian 2002 likewise; Greene 2010 adapts the gyro
   thresholds per subject. The gyro alone stays the IC where no transient stands out.
5. **Walk or run** per stride from the duty factor (stance / stride, with the push-off minimum
   as FC for feet, the near-minimum FC for shanks; of two dips of a flat-bottomed push-off
   within 90 % of each other the first is the minimum: RBDS0041's left foot otherwise had a
   duty factor of 0.45-0.47 on 12 of 39 strides, 10 of them called walking and given the
   walking FC, +150 ms):
   walking always has double support (duty factor > 0.5), running a flight phase (< 0.4)
   (Novacheck 1998, "The biomechanics of running", Gait Posture 7:77-95); ``RUN_DUTY`` 0.45
   leaves room for that FC being ~35 ms early in walking. Running also needs a stride shorter
   than ``RUN_MAX_STRIDE_S`` (cadence above 120 steps/min), so slow pathological walking with a
   short stance is not "run". Majority of three strides; a change of gait lasts at least
   ``MIN_KIND_STRIDES`` strides.
6. **Steps without a pitch swing** (pivot steps in turns, small closing steps when stopping):
   bursts of the angular-rate magnitude between rests that hold no stride, last 0.2-2 s, rotate
   the foot by ``BURST_MIN_DEG`` and lie within ``MAX_STRIDE_S`` of a stride. IC at the largest
   jerk of their second half, no FC (their toe-off is ill-defined); low confidence.
7. **Turns** (gravity in the accelerometer): a stride whose heading (angular rate about gravity,
   integrated from this mid-swing to the next) changes by more than ``TURN_DEG_PER_STRIDE`` is
   turning. Its events are kept (turn steps are real steps) with lower confidence, but it is left
   out of the bouts, so bouts hold straight gait (stance asymmetry is measured there).
8. **Bouts**: runs of consecutive straight strides less than ``MAX_STRIDE_S`` apart, split where
   walking and running alternate.

Confidence (0..1) per event: swing-peak amplitude relative to the local typical peak times
stride-time regularity relative to the neighbours, halved within ``GAP_MARGIN_S`` of a NaN gap,
``TURN_CONFIDENCE`` in turns, ``BURST_CONFIDENCE`` for swing-less steps.

Parameters are one set for every foot and one for every shank stream (the detector is told the
placement; shanks differ in the swing-sign cue, the no-heel-lobe rule and the running FC point,
and take every stride's FC just after the push-off minimum; running feet take theirs from the
accelerometer), physiological rather than fitted per file: 10/15/3/2 Hz bands cover gait
kinematics (swing lobe ~0.35 s, contact edges ~50 ms; the toe-off fall of |acc| takes 40-60 ms,
``TOE_OFF_HUMP_S`` 0.1 s holds it, ``TOE_OFF_DROP`` 2 m/s2 is below the 4.6-28 m/s2 falls seen
on the six fukuchi2017 feet and the simulator's);
``MIN_SWING_PEAK`` 1 rad/s is below the mid-swing rate of very slow pathological walking (~2 rad/s)
and above standing sway; ``MIN_STRIDE_S`` 0.35 s is shorter than a sprint stride; search windows
are phase durations (half swing <= 0.5 s, push-off <= 0.4 s, heel-strike lobe ~0.1 s). Works at
50-410 Hz (filters are capped at 0.45 fs) and with NaN gaps (bridged for filtering; events near a
gap get a lower confidence).

Size: one algorithm; about a quarter of the module is its description above (the evidence
behind each constant), the rest its stages in the order they run.
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pandas as pd

from gait.dsp import find_peaks, gaussian_filter1d
from gait.events import BOUT_COLUMNS, EVENT_COLUMNS, Detection, empty_bouts, side_of
from gait.preprocess import fill_gaps, lowpass
from gait.recording import SensorStream

AXIS_HZ = 10.0  # low-pass for the pitch-axis PCA
SIGN_HZ = 2.0  # low-pass for the polarity decision
SIGN_CLEAR = 1.15  # percentile ratio above which the polarity needs no impact check
SKEW_RAD_S = 0.05  # shank sign cue: skewness of the 2 Hz rate where |rate| exceeds this
EXCURSION_REST_S = 1.0  # foot sign cue: needs this much rest (foot flat) and motion
AXIS_MAX_COS = 0.5  # the pitch axis is within 60 deg of perpendicular to gravity, or re-sought
GRAVITY_RANGE = (5.0, 20.0)  # m/s2: the mean specific force of a limb segment (centripetal part)
SWING_HZ = 3.0  # -3 dB frequency of the Gaussian smoothing for mid-swing peaks
EVENT_HZ = 15.0  # low-pass for event timing
MOVING_RAD_S = 0.5  # |rate| above which a sample counts as moving
MIN_SWING_PEAK = 1.0  # rad/s
REL_SWING_PEAK = 0.15  # of the local typical mid-swing peak
LOCAL_PEAKS = 11  # peaks in the running median that defines "local typical"
MIN_STRIDE_S = 0.35  # minimal time between mid-swings of one foot
MAX_HALF_SWING_S = 0.5  # mid-swing -> IC zero crossing, swing onset -> mid-swing, at most
HEEL_LOBE_S = 0.1  # heel-strike minimum searched this long after the zero crossing
HEEL_DEPTH = 1.0  # rad/s; a heel-strike lobe shallower than this within HEEL_LOBE_S is hovering
HEEL_WAIT_S = 0.2  # ... and the lobe proper is sought where the rate first falls below -HEEL_DEPTH
PUSH_OFF_S = 0.4  # push-off minimum searched this long before the swing onset
IMPACT_WINDOW_S = (0.05, 0.1)  # walking shank: the contact transient is sought this long
# before / after the end of the swing rotation (zero crossing, or the flat-landing IC)
IMPACT_RISE_S = 0.015  # ... its rise of |acc| is measured over this long
IMPACT_MIN_RISE = 5.0  # m/s2 (0.5 g) in IMPACT_RISE_S: smaller is no contact transient
IMPACT_PROMINENCE = 2.0  # ... nor one not this much sharper than any rise since mid-swing
IMPACT_MIN_STRIDE_S = 0.85  # ... and only on walking strides: cadence below ~140 steps/min
IMPACT_FRAC = 0.5  # the first slope peak of |acc| reaching this fraction of the window's steepest
FLAT_LOBE = 0.15  # foot: a lobe shallower than this fraction of the swing peak is no heel strike
FLAT_PUSH = 0.2  # shank: nor one shallower than this fraction of the leg's typical push-off lobe
FLAT_LEVEL = 0.1  # flat landing: IC where the swing rate has fallen to this fraction of its peak
IC_LEVEL = 0.5  # IC where the rate has fallen to this fraction of the heel-strike minimum
FC_LEVEL = 0.5  # walking foot FC: the rate has recovered to this fraction of the push-off min
FC_LEVEL_RUN = 0.9  # running and shank FC: just after the push-off minimum
TOE_OFF_LOBE = 0.5  # running foot: the toe-off dip of |acc| is sought where the rate is below
# this fraction of the push-off minimum
TOE_OFF_LEVEL = 0.5  # ... and FC is half-way down from the push-off hump of |acc| to that dip
TOE_OFF_HUMP_S = 0.1  # the hump: the largest |acc| this long before the dip
TOE_OFF_DROP = 2.0  # m/s2: a smaller fall of |acc| is no toe-off (the gyro point is kept)
RUN_DUTY = 0.45
RUN_MAX_STRIDE_S = 1.0  # running cadence is above 120 steps/min
MIN_KIND_STRIDES = 3  # shorter stretches of walking in running (or back) are not bouts
MAX_STRIDE_S = 2.5  # longer gaps between strides split bouts (as gait.metrics)
TURN_DEG_PER_STRIDE = 30.0
GAP_MARGIN_S = 0.05
BURST_RAD_S = 0.5  # |angular rate| above which the foot moves
BURST_JOIN_S = 0.15  # shorter rests inside a movement are ignored
BURST_S = (0.2, 2.0)  # duration of a pivot / closing step
BURST_MIN_DEG = 15.0  # the foot rotates at least this much in it
BURST_CONFIDENCE = 0.4
TURN_CONFIDENCE = 0.8
BOUT_MARGIN_S = 0.05


def detect(stream: SensorStream, side: str | None = None) -> Detection:
    """IC / FC events and bouts of one foot (or shank) stream; ``side`` defaults to the
    placement's side."""
    if side is None:
        side = side_of(stream.placement)
    det = Detection()
    name = stream.placement
    if stream.gyr is None:
        det.notes.append(f"{name}: no gyroscope; the foot/shank detector needs angular rate")
        return det
    fs = float(stream.sample_rate_hz)
    if stream.n_samples < int(2 * fs) or np.isnan(stream.gyr).all():
        det.notes.append(f"{name}: too short or empty for event detection")
        return det
    missing = np.isnan(stream.gyr).any(axis=1) | np.isnan(stream.acc).any(axis=1)
    gyr = fill_gaps(stream.gyr)
    acc = fill_gaps(stream.acc)
    shank = "shank" in name
    w, ratio, cue = pitch_rate(gyr, fs, missing, acc, shank, stream.acc_kind == "total")
    wf = lowpass(w, fs, EVENT_HZ)
    ws = smooth(w, fs)
    peaks = swing_peaks(ws, wf, fs)
    if len(peaks) == 0:
        det.notes.append(f"{name}: no strides found")
        return det
    if ratio < SIGN_CLEAR:
        det.notes.append(f"{name}: swing polarity uncertain ({cue} ratio {ratio:.2f})")
    gn = gaussian_filter1d(np.linalg.norm(gyr, axis=1), 0.04 * fs, mode="nearest")
    ic, fc_walk, fc_run, fc_min = contact_positions(wf, peaks, fs, gn, first=not shank,
                                                       shank=shank)
    run = _running(peaks, ic, fc_run if shank else fc_min, fs)
    if shank:  # walking shank: IC on the contact transient of the accelerometer where there is one
        imp = impact_positions(acc, _swing_ends(wf, peaks, ic, fs), peaks, fs)
        gaps = np.diff(peaks) / fs
        stride = np.fmax(np.append(gaps, np.nan), np.insert(gaps, 0, np.nan))
        walk = ~run & ~(stride < IMPACT_MIN_STRIDE_S)  # running shanks are often not "run"
        ic = np.where(np.isfinite(imp) & walk, imp, ic)
    if not shank:  # running feet: toe-off from the fall of the specific-force magnitude
        an = lowpass(np.linalg.norm(acc, axis=1), fs, EVENT_HZ)
        fc_acc = toe_off_positions(wf, an, np.where(run, fc_min, np.nan), fs)
        fc_run = np.where(np.isfinite(fc_acc), fc_acc, fc_run)
    fc = np.where(run | shank, fc_run, fc_walk)
    ok = np.isfinite(ic) | np.isfinite(fc)
    peaks, ic, fc, run = peaks[ok], ic[ok], fc[ok], run[ok]
    conf = _confidence(ws, peaks, fs)
    bp, bi = _burst_steps(gyr, acc, fs, peaks, ic, fc)
    if len(bp):
        order = np.argsort(np.concatenate([peaks, bp]), kind="stable")
        peaks = np.concatenate([peaks, bp])[order]
        ic = np.concatenate([ic, bi])[order]
        fc = np.concatenate([fc, np.full(len(bp), np.nan)])[order]
        run = np.concatenate([run, np.zeros(len(bp), bool)])[order]
        conf = np.concatenate([conf, np.full(len(bp), BURST_CONFIDENCE)])[order]
    turn = _turning(stream, gyr, acc, fs, peaks)
    conf = np.where(turn, TURN_CONFIDENCE * conf, conf)
    t0 = stream.start_s
    has_ic, has_fc = np.isfinite(ic), np.isfinite(fc)
    ci = conf * np.where(_near_gap(ic, missing, fs), 0.5, 1.0)
    cf = conf * np.where(_near_gap(fc, missing, fs), 0.5, 1.0)
    n_ic, n_fc = int(has_ic.sum()), int(has_fc.sum())
    events = pd.DataFrame({
        "t": np.concatenate([t0 + ic[has_ic] / fs, t0 + fc[has_fc] / fs]),
        "kind": np.array(["IC"] * n_ic + ["FC"] * n_fc, dtype=object),
        "side": np.array([side] * (n_ic + n_fc), dtype=object),
        "confidence": np.clip(np.concatenate([ci[has_ic], cf[has_fc]]), 0.0, 1.0),
    })
    det.events = events.sort_values("t", kind="stable").reset_index(drop=True).reindex(
        columns=EVENT_COLUMNS)  # columns this detector does not fill (if any) are NaN
    det.bouts = _bouts(peaks, ic, fc, run, turn, fs, t0)
    if stream.acc_kind != "total":
        det.notes.append(f"{name}: no gravity in the accelerometer, turns not detected")
    return det


def pitch_rate(gyr: np.ndarray, fs: float, missing: np.ndarray | None = None,
               acc: np.ndarray | None = None, shank: bool = False,
               gravity: bool = True) -> tuple[np.ndarray, float, str]:
    """Signed sagittal angular rate (rad/s, swing positive), the ratio that decided the sign
    (>= 1, near 1 = uncertain) and which cue it was ("swing lobe", "skew" or "impact").
    ``acc`` (with ``gravity`` in it) keeps the axis perpendicular to gravity; ``shank`` selects the
    shank's sign cue (skewness) when the swing-lobe ratio is unclear."""
    g = lowpass(gyr, fs, AXIS_HZ)
    use = np.ones(len(g), bool) if missing is None else ~missing
    mov = use & (np.linalg.norm(g, axis=1) > MOVING_RAD_S)
    x = g[mov] if mov.sum() > fs else g[use] if use.sum() > 3 else g
    x = x - x.mean(axis=0)
    evals, evecs = np.linalg.eigh(x.T @ x)
    axis = evecs[:, int(np.argmax(evals))]
    up = _gravity_direction(acc, use) if gravity else None
    if up is not None and abs(float(axis @ up)) > AXIS_MAX_COS:
        # a paretic shank's long-axis rotation can exceed its swing: the sagittal axis is the
        # principal axis of the rotation perpendicular to gravity
        p = np.eye(3) - np.outer(up, up)
        evals, evecs = np.linalg.eigh(p @ (x.T @ x) @ p)
        axis = evecs[:, int(np.argmax(evals))]
    w = gyr @ axis
    wl = lowpass(w, fs, SIGN_HZ)
    act = (np.abs(wl) > MOVING_RAD_S) & use
    v = wl[act] if act.sum() > 10 else wl
    hi, lo = float(np.percentile(v, 99)), float(-np.percentile(v, 1))
    r = hi / lo if lo > 0 else np.inf
    sign, ratio, cue = (1.0 if r >= 1 else -1.0), _clarity(r), "swing lobe"
    if ratio < SIGN_CLEAR and shank:
        a = (np.abs(wl) > SKEW_RAD_S) & use
        v = wl[a] - wl[a].mean() if a.sum() > 10 else wl - wl.mean()
        sd = float(v.std())
        sk = float(np.mean(v ** 3)) / sd ** 3 if sd > 0 else 0.0
        if sk != 0:
            return (1.0 if sk > 0 else -1.0) * w, float(1.0 + abs(sk)), "skew"
    if not shank:  # feet: the pitch excursion from foot flat is largest toes-down
        re = _excursion_ratio(w, gyr, fs, use)
        if np.isfinite(re) and _clarity(re) > ratio:
            sign, ratio, cue = (1.0 if re >= 1 else -1.0), _clarity(re), "excursion"
    if ratio < SIGN_CLEAR and acc is not None:
        ri = _impact_ratio(w, acc, fs)
        if np.isfinite(ri) and _clarity(ri) > ratio:
            sign, ratio, cue = (1.0 if ri >= 1 else -1.0), _clarity(ri), "impact"
    return sign * w, float(ratio), cue


def _clarity(r: float) -> float:
    """How clearly a ratio of the two directions' cues (>= 0) picks one: ``max(r, 1 / r)``,
    infinite when one direction's cue is zero (a few seconds of data: no lobe, no impact)."""
    return max(r, 1 / r) if r > 0 else math.inf


def _gravity_direction(acc: np.ndarray | None, use: np.ndarray) -> np.ndarray | None:
    """Unit mean direction of the specific force (gravity, 'up'), or None without gravity."""
    if acc is None or use.sum() < 10:
        return None
    m = np.mean(acc[use], axis=0)
    n = float(np.linalg.norm(m))
    return m / n if GRAVITY_RANGE[0] < n < GRAVITY_RANGE[1] else None


def _impact_ratio(w: np.ndarray, acc: np.ndarray, fs: float) -> float:
    """Median impact (jerk) just after the end of the positive lobes of ``w`` divided by the same
    for ``-w``: > 1 when positive is the swing (contacts follow it)."""
    jerk = np.concatenate([[0.0], np.linalg.norm(np.diff(acc, axis=0), axis=1)])
    ws, wf = smooth(w, fs), lowpass(w, fs, EVENT_HZ)
    a, b = int(0.03 * fs), int(0.1 * fs) + 1
    out = []
    for s in (1.0, -1.0):
        pk, _ = find_peaks(s * ws, height=MIN_SWING_PEAK, distance=max(1, int(MIN_STRIDE_S * fs)))
        down, _ = _crossings(s * wf)
        if len(pk) == 0 or len(down) == 0:
            out.append(0.0)
            continue
        j = np.searchsorted(down, pk)
        d = down[np.minimum(j, len(down) - 1)]
        d = d[(j < len(down)) & (d - pk < MAX_HALF_SWING_S * fs)]
        e = [jerk[max(0, k - a):k + b].max() for k in d]
        out.append(float(np.median(e)) if e else 0.0)
    return out[0] / out[1] if out[1] > 0 else (np.inf if out[0] > 0 else np.nan)


def _excursion_ratio(w: np.ndarray, gyr: np.ndarray, fs: float, use: np.ndarray) -> float:
    """Foot polarity cue: how far the foot pitches one way from foot flat over the other way.

    Parameters
    ----------
    w : numpy.ndarray
        Unsigned pitch rate (rad/s) on the pitch axis.
    gyr : numpy.ndarray
        Angular rate (n, 3), rad/s, gaps filled.
    fs : float
        Sample rate (Hz).
    use : numpy.ndarray
        Samples that were not missing.

    Returns
    -------
    float
        ``-P1 / P99`` of the pitch angle relative to foot flat while the foot moves: > 1 when
        negative ``w`` pitches the foot the farther way (toes down at toe-off, so positive is
        the swing), < 1 otherwise; NaN without ``EXCURSION_REST_S`` of rest and of motion
        (running: the foot never rests).

    Notes
    -----
    The angle is the integral of ``w`` minus its value interpolated between the rests (foot
    flat, angular-rate magnitude below ``BURST_RAD_S``), which also removes the gyro offset.
    """
    gn = gaussian_filter1d(np.linalg.norm(gyr, axis=1), 0.04 * fs, mode="nearest")
    rest = (gn < BURST_RAD_S) & use
    moving = (gn >= BURST_RAD_S) & use
    if rest.sum() < EXCURSION_REST_S * fs or moving.sum() < EXCURSION_REST_S * fs:
        return float("nan")
    th = np.cumsum(np.where(use, w, 0.0)) / fs
    idx = np.flatnonzero(rest)
    e = (th - np.interp(np.arange(len(w)), idx, th[idx]))[moving]
    down, up = -float(np.percentile(e, 1)), float(np.percentile(e, 99))
    if down <= 0 or up <= 0:
        return float("nan")
    return down / up


def smooth(w: np.ndarray, fs: float) -> np.ndarray:
    """Gaussian smoothing with a -3 dB frequency of SWING_HZ: unlike a Butterworth low-pass it
    does not ring, so the large negative push-off and heel-strike lobes leave no positive
    overshoot that could pass for a small swing."""
    return gaussian_filter1d(w, 0.1325 / SWING_HZ * fs, mode="nearest")


def swing_peaks(ws: np.ndarray, wf: np.ndarray, fs: float) -> np.ndarray:
    """Sample indices of mid-swing peaks (one per stride)."""
    pk, props = find_peaks(ws, height=MIN_SWING_PEAK, distance=max(1, int(MIN_STRIDE_S * fs)))
    if len(pk) == 0:
        return pk
    h = props["peak_heights"]
    keep = h >= REL_SWING_PEAK * _running_median(h, LOCAL_PEAKS)
    pk, h = pk[keep], h[keep]
    # two peaks without a stance between them (the fast rate never negative) are one swing
    down, _ = _crossings(wf)
    while len(pk) > 1:
        j = np.searchsorted(down, pk[:-1], side="right")
        nxt = np.where(j < len(down), down[np.minimum(j, len(down) - 1)], len(wf))
        same = np.flatnonzero(nxt >= pk[1:])
        if len(same) == 0:
            break
        k = int(same[0])
        drop = k if h[k] < h[k + 1] else k + 1
        pk, h = np.delete(pk, drop), np.delete(h, drop)
    return pk


def contact_positions(wf: np.ndarray, peaks: np.ndarray, fs: float,
                      gn: np.ndarray | None = None, first: bool = True, shank: bool = False
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Fractional sample positions per mid-swing peak: IC (half depth of the heel-strike lobe,
    or the end of the swing rotation for a flat landing, which needs ``gn``, the smoothed
    angular-rate magnitude), walking FC (half recovery from the push-off minimum), running
    FC (just after the push-off minimum) and the push-off minimum itself; NaN where not
    found."""
    n = len(wf)
    down, up = _crossings(wf)
    half = MAX_HALF_SWING_S * fs
    ic = np.full(len(peaks), np.nan)
    fc_walk = np.full(len(peaks), np.nan)
    fc_run = np.full(len(peaks), np.nan)
    fc_min = np.full(len(peaks), np.nan)
    nxt_pk = np.append(peaks[1:], n)
    push = _push_off_depth(wf, peaks, up, fs) if shank else np.nan
    if len(down):
        j = np.searchsorted(down, peaks, side="right")
        d = down[np.minimum(j, len(down) - 1)]
        has = (j < len(down)) & (d - peaks <= half) & (d < nxt_pk)
        hs = max(2, int(HEEL_LOBE_S * fs))
        wait = int(HEEL_WAIT_S * fs)
        for k in np.flatnonzero(has):  # one cheap slice per stride
            seg = wf[d[k] - 1:min(n, d[k] + wait + hs)]  # seg[0] >= 0 > seg[1]
            deep = np.flatnonzero(seg[:wait + 1] <= -HEEL_DEPTH)
            p = int(peaks[k])
            if shank:  # the heel rocker against the same leg's push-off (both stance lobes)
                flat = seg[:hs].min() > -min(HEEL_DEPTH, FLAT_PUSH * push)
            else:  # a foot at rest before its rate crossed zero, no lobe after: put down flat
                flat = gn is not None and seg.min() > -HEEL_DEPTH and \
                    seg[:hs].min() > -FLAT_LOBE * wf[p] and gn[p:d[k]].min() < BURST_RAD_S
            if flat:
                # no heel-strike lobe (shuffling, paretic, flat landing): the swing rotation
                # ends at contact, IC where it has fallen to FLAT_LEVEL of its peak
                sw = wf[p:d[k]]
                f = np.flatnonzero(sw < FLAT_LEVEL * sw[0])
                if len(f) and f[0] > 0:
                    ic[k] = p + _cross(sw, int(f[0]) - 1, FLAT_LEVEL * sw[0])
                    continue
            # hovering about zero before the heel strike (turns): the lobe proper starts later
            a = int(deep[0]) if len(deep) and seg[:hs].min() > -HEEL_DEPTH else 0
            seg = seg[:a + hs + 1]
            m = a + int(np.argmin(seg[a:]))
            level = IC_LEVEL * seg[m]
            i = int(np.flatnonzero(seg[:m + 1] <= level)[0])
            ic[k] = d[k] - 1 + _cross(seg, i - 1, level)
    if gn is not None:
        _flat_landings(wf, gn, peaks, nxt_pk, fs, ic)
    if len(up):
        j = np.searchsorted(up, peaks, side="right") - 1
        u = up[np.maximum(j, 0)]
        prev_ic = np.concatenate([[-np.inf], ic[:-1]])
        prev_pk = np.concatenate([[-1], peaks[:-1]])
        has = (j >= 0) & (peaks - u <= half) & (u > prev_pk)
        w_push = int(PUSH_OFF_S * fs)
        for k in np.flatnonzero(has):
            lo = max(0, int(u[k]) - w_push, int(prev_pk[k]) + 1)
            if np.isfinite(prev_ic[k]):
                lo = max(lo, int(np.ceil(prev_ic[k])))
            seg = wf[lo:u[k] + 1]  # ends with the first sample >= 0
            if len(seg) < 3:
                continue
            m = int(np.argmin(seg))
            level = FC_LEVEL * seg[m]
            i = m + int(np.flatnonzero(seg[m:] <= level)[-1])
            fc_walk[k] = lo + _cross(seg, i, level)
            # running / shank: the first recovery to 90 % after the minimum (a long flat-bottomed
            # push-off, as a rearfoot runner's, can dip to the 90 % level again much later)
            level = FC_LEVEL_RUN * seg[m]
            i = m + (int(np.argmax(seg[m:] > level)) - 1 if first else
                     int(np.flatnonzero(seg[m:] <= level)[-1]))
            fc_run[k] = lo + _cross(seg, i, level)
            # the push-off minimum; of two near-equal dips of a flat bottom, the first
            dips = np.flatnonzero((seg[1:-1] <= seg[:-2]) & (seg[1:-1] <= seg[2:])
                                  & (seg[1:-1] <= level)) + 1
            fc_min[k] = lo + min(m, int(dips[0])) if len(dips) else lo + m
    return ic, fc_walk, fc_run, fc_min


def _push_off_depth(wf: np.ndarray, peaks: np.ndarray, up: np.ndarray, fs: float) -> float:
    """Typical depth of a leg's push-off lobe (rad/s, positive): the median over strides of
    the smallest rate within ``PUSH_OFF_S`` before the upward zero crossing that starts each
    swing (within ``MAX_HALF_SWING_S`` of the mid-swing peak, after the previous one).

    Parameters
    ----------
    wf : numpy.ndarray
        Pitch rate (rad/s, swing positive), low-passed at ``EVENT_HZ``.
    peaks : numpy.ndarray
        Sample positions of the mid-swing peaks.
    up : numpy.ndarray
        Indices of the upward zero crossings of ``wf`` (:func:`_crossings`).
    fs : float
        Sample rate (Hz).

    Returns
    -------
    float
        The depth (>= 0); NaN without a push-off lobe (a NaN reference lets no stride be
        called flat).
    """
    if len(up) == 0 or len(peaks) == 0:
        return float("nan")
    pk = np.asarray(peaks, np.int64)
    j = np.searchsorted(up, pk, side="right") - 1
    u = up[np.maximum(j, 0)]
    prev_pk = np.concatenate([[-1], pk[:-1]])
    ok = (j >= 0) & (pk - u <= MAX_HALF_SWING_S * fs) & (u > prev_pk)
    if not ok.any():
        return float("nan")
    lo = np.maximum(u[ok] - int(PUSH_OFF_S * fs), prev_pk[ok] + 1)
    hi = u[ok] + 1  # [lo, hi) ends with the first sample >= 0
    mins = np.minimum.reduceat(np.append(wf, 0.0), np.ravel(np.column_stack([lo, hi])))[::2]
    return float(max(0.0, -np.median(mins)))


def _swing_ends(wf: np.ndarray, peaks: np.ndarray, ic: np.ndarray, fs: float) -> np.ndarray:
    """Per stride the end of the swing rotation: the first downward zero crossing of ``wf``
    after the mid-swing peak (within ``MAX_HALF_SWING_S``), or the gyro IC where that comes
    first (a flat landing) or there is no crossing; NaN where neither exists."""
    down, _ = _crossings(wf)
    d = np.full(len(peaks), np.nan)
    if len(down):
        j = np.searchsorted(down, peaks, side="right")
        c = down[np.minimum(j, len(down) - 1)].astype(float)
        d = np.where((j < len(down)) & (c - peaks <= MAX_HALF_SWING_S * fs), c, np.nan)
    return np.where(np.isfinite(ic) & ~(d <= ic + 1), ic, d)


def impact_positions(acc: np.ndarray, anchor: np.ndarray, peaks: np.ndarray, fs: float
                     ) -> np.ndarray:
    """Walking-shank IC on the contact transient of the accelerometer (module docstring, 4).

    Parameters
    ----------
    acc : numpy.ndarray
        Accelerometer samples (n, 3), m/s2, without NaN.
    anchor : numpy.ndarray
        Fractional sample position of the end of each stride's swing rotation (the end-of-swing
        zero crossing of the pitch rate, or the flat-landing IC); NaN where none.
    peaks : numpy.ndarray
        Sample positions of the mid-swing peaks, one per ``anchor``.
    fs : float
        Sample rate (Hz).

    Returns
    -------
    numpy.ndarray
        Fractional sample positions, one per ``anchor``: the first peak of the slope of
        ``|acc|`` within ``IMPACT_WINDOW_S`` of the anchor that reaches ``IMPACT_FRAC`` of the
        window's steepest slope (parabolic interpolation); NaN where ``anchor`` is NaN, the
        window leaves the recording, or the rise of ``|acc|`` in ``IMPACT_RISE_S`` through that
        slope peak is smaller than ``IMPACT_MIN_RISE`` or than ``IMPACT_PROMINENCE`` times
        the largest such rise from the mid-swing peak to the window.
    """
    out = np.full(len(anchor), np.nan)
    an = np.linalg.norm(acc, axis=1)
    slope = np.diff(an) * fs  # slope[i]: from sample i to i + 1
    pre, post = round(IMPACT_WINDOW_S[0] * fs), round(IMPACT_WINDOW_S[1] * fs)
    r = max(1, round(IMPACT_RISE_S * fs))
    start = np.round(np.where(np.isfinite(anchor), anchor, -1e9)).astype(np.int64) - pre
    ok = (start >= 1) & (start + pre + post + 2 < len(slope)) & (
        start + pre + post + r < len(an)) & (start - peaks > r)
    if not ok.any():
        return out
    k = np.flatnonzero(ok)
    s = slope[start[k, None] + np.arange(-1, pre + post + 2)]  # one sample beyond each end
    mid = s[:, 1:-1]
    top = mid >= IMPACT_FRAC * mid.max(axis=1, keepdims=True)
    big = (mid >= s[:, :-2]) & (mid > s[:, 2:]) & top
    m = start[k] + np.where(big.any(axis=1), big.argmax(axis=1), mid.argmax(axis=1))
    # the rise of |acc| over r samples through the steepest step m -> m + 1
    e = m[:, None] + 1 + np.arange(r)
    rise = (an[e] - an[e - r]).max(axis=1)
    # the sharpest rise of the swing before the window (one pass over the stride's samples)
    rr = np.concatenate([np.full(r, -np.inf), an[r:] - an[:-r]])  # rr[i]: rise into sample i
    cm = np.maximum.reduceat(rr, np.ravel(np.column_stack([peaks[k].astype(np.int64) + r,
                                                            start[k]])))[::2]
    rise = np.where(rise >= IMPACT_PROMINENCE * cm, rise, 0.0)
    y0, y1, y2 = slope[m - 1], slope[m], slope[m + 1]
    den = y0 - 2.0 * y1 + y2
    with np.errstate(invalid="ignore", divide="ignore"):
        off = np.where(den < 0, 0.5 * (y0 - y2) / den, 0.0)
    pos = m + 0.5 + np.clip(off, -0.5, 0.5)
    out[k] = np.where(rise >= IMPACT_MIN_RISE, pos, np.nan)
    return out


def toe_off_positions(wf: np.ndarray, an: np.ndarray, fc_min: np.ndarray, fs: float
                      ) -> np.ndarray:
    """Running-foot FC from the specific-force magnitude (see the module docstring, step 4).

    Parameters
    ----------
    wf : numpy.ndarray
        Pitch rate (rad/s, swing positive), low-passed at ``EVENT_HZ``.
    an : numpy.ndarray
        Magnitude of the accelerometer vector (m/s2), low-passed at ``EVENT_HZ``.
    fc_min : numpy.ndarray
        Sample positions of the push-off minima of ``wf``; NaN where none (or not running).
    fs : float
        Sample rate (Hz).

    Returns
    -------
    numpy.ndarray
        Fractional sample positions, one per ``fc_min``: where ``an`` has fallen
        ``TOE_OFF_LEVEL`` of the way from its push-off hump to its toe-off dip; NaN where
        ``fc_min`` is NaN or the fall is smaller than ``TOE_OFF_DROP``.
    """
    out = np.full(len(fc_min), np.nan)
    n = len(wf)
    hump = max(1, round(TOE_OFF_HUMP_S * fs))
    reach = max(2, round(PUSH_OFF_S * fs))
    for j in np.flatnonzero(np.isfinite(fc_min)):  # one slice per stride
        m = int(fc_min[j])
        lo, hi = max(0, m - reach), min(n, m + reach + 1)
        deep = wf[lo:hi] <= TOE_OFF_LOBE * wf[m]
        # the deep part of the push-off lobe around its minimum: [a, b)
        c = m - lo
        shallow_before = np.flatnonzero(~deep[:c])
        shallow_after = np.flatnonzero(~deep[c:])
        a = lo + (int(shallow_before[-1]) + 1 if len(shallow_before) else 0)
        b = m + int(shallow_after[0]) if len(shallow_after) else hi
        k = a + int(np.argmin(an[a:b]))  # the dip: the push is over
        h0 = max(0, k - hump)
        h = h0 + int(np.argmax(an[h0:k + 1]))  # the hump: the foot pushed up and forward
        if an[h] - an[k] < TOE_OFF_DROP:
            continue  # no toe-off signature: keep the gyro point
        level = TOE_OFF_LEVEL * an[h] + (1.0 - TOE_OFF_LEVEL) * an[k]
        i = h + int(np.flatnonzero(an[h:k + 1] >= level)[-1])
        out[j] = _cross(an, i, level)
    return out


def _flat_landings(wf: np.ndarray, gn: np.ndarray, peaks: np.ndarray, nxt_pk: np.ndarray,
                   fs: float, ic: np.ndarray) -> None:
    """Fill ``ic`` (in place) for strides whose rate never crosses zero after mid-swing: the
    foot put down flat (closing steps) stops rotating at contact. IC where the swing rate has
    fallen to ``FLAT_LEVEL`` of its peak, if no heel-strike lobe follows and the whole foot
    (every axis) is at rest within ``HEEL_WAIT_S``."""
    n = len(wf)
    hs, wait = max(2, int(HEEL_LOBE_S * fs)), int(HEEL_WAIT_S * fs)
    for k in np.flatnonzero(~np.isfinite(ic)):  # the few strides without a zero crossing
        p = int(peaks[k])
        level = FLAT_LEVEL * wf[p]
        seg = wf[p:min(n, p + int(MAX_HALF_SWING_S * fs), int(nxt_pk[k]))]
        f = np.flatnonzero(seg < level)
        if level <= 0 or len(f) == 0 or f[0] == 0:
            continue
        e = p + int(f[0])
        if wf[e:e + wait + hs].min() > -HEEL_DEPTH and gn[e:e + wait + 1].min() < BURST_RAD_S:
            ic[k] = p + _cross(seg, int(f[0]) - 1, level)


def _cross(seg: np.ndarray, i: int, level: float) -> float:
    """Fractional position where ``seg`` crosses ``level`` between samples i and i + 1."""
    if i < 0 or i + 1 >= len(seg):
        return float(max(i, 0))
    y0, y1 = seg[i], seg[i + 1]
    return i + (float((level - y0) / (y1 - y0)) if y1 != y0 else 0.0)


def _crossings(wf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices i of downward (w[i-1] >= 0 > w[i]) and upward (w[i-1] < 0 <= w[i]) crossings."""
    s = wf >= 0
    down = np.flatnonzero(s[:-1] & ~s[1:]) + 1
    up = np.flatnonzero(~s[:-1] & s[1:]) + 1
    return down, up


def _running_median(x: np.ndarray, n: int) -> np.ndarray:
    if len(x) <= n:
        return np.full(len(x), np.median(x))
    from numpy.lib.stride_tricks import sliding_window_view

    return np.median(sliding_window_view(np.pad(x, n // 2, mode="edge"), n), axis=1)


def _running(peaks: np.ndarray, ic: np.ndarray, fc_min: np.ndarray, fs: float) -> np.ndarray:
    """Running strides: duty factor (IC -> next push-off minimum over IC -> next IC) below
    RUN_DUTY, majority of three neighbouring strides."""
    stance = np.append(fc_min[1:], np.nan) - ic
    stride = np.append(ic[1:], np.nan) - ic
    with np.errstate(invalid="ignore", divide="ignore"):
        duty = stance / stride
    ok = np.isfinite(duty) & (stride <= MAX_STRIDE_S * fs)
    run = ok & (duty < RUN_DUTY) & (stride < RUN_MAX_STRIDE_S * fs)
    if len(run) >= 3:
        votes = np.convolve(run.astype(int), np.ones(3, int), "same")
        known = np.convolve(ok.astype(int), np.ones(3, int), "same")
        run = np.where(known > 0, 2 * votes > known, False)
        # a change of gait lasts at least MIN_KIND_STRIDES strides
        edges = np.flatnonzero(np.diff(run.astype(np.int8))) + 1
        bounds = np.concatenate([[0], edges, [len(run)]])
        for a, b in pairwise(bounds):  # segments, not samples
            if b - a < MIN_KIND_STRIDES and (a > 0 or b < len(run)):
                run[a:b] = run[a - 1] if a > 0 else run[b]
    return run


def _burst_steps(gyr: np.ndarray, acc: np.ndarray, fs: float, peaks: np.ndarray,
                 ic: np.ndarray, fc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Steps without a pitch swing (see module docstring): (pseudo mid-swing, IC) positions."""
    empty = np.zeros(0)
    if len(peaks) == 0:
        return empty, empty
    gn = gaussian_filter1d(np.linalg.norm(gyr, axis=1), 0.04 * fs, mode="nearest")
    mv = np.concatenate([[False], gn > BURST_RAD_S, [False]])
    d = np.diff(mv.astype(np.int8))
    st, en = np.flatnonzero(d == 1), np.flatnonzero(d == -1)  # [st, en)
    if len(st) == 0:
        return empty, empty
    join = (st[1:] - en[:-1]) < BURST_JOIN_S * fs  # a brief slow-down is not a rest
    st = st[np.concatenate([[True], ~join])]
    en = en[np.concatenate([~join, [True]])]
    dur = (en - st) / fs
    cum = np.concatenate([[0.0], np.cumsum(gn) / fs])
    ang = np.degrees(cum[en] - cum[st])
    marks = np.sort(np.concatenate([peaks, ic[np.isfinite(ic)], fc[np.isfinite(fc)]]))
    j0 = np.searchsorted(marks, st - 0.05 * fs)
    j1 = np.searchsorted(marks, en + 0.05 * fs)
    prev_m = marks[np.clip(j0 - 1, 0, len(marks) - 1)]
    next_m = marks[np.clip(j1, 0, len(marks) - 1)]
    near = ((j0 > 0) & (st - prev_m <= MAX_STRIDE_S * fs)) | (
        (j1 < len(marks)) & (next_m - en <= MAX_STRIDE_S * fs))
    ok = ((j1 == j0) & near & (dur >= BURST_S[0]) & (dur <= BURST_S[1])
          & (ang >= BURST_MIN_DEG))
    if not ok.any():
        return empty, empty
    jerk = np.concatenate([[0.0], np.linalg.norm(np.diff(acc, axis=0), axis=1)])
    bi, bp = [], []
    for a, b in zip(st[ok], en[ok], strict=True):  # a few per walk
        lo = (a + b) // 2
        hi = min(len(jerk), b + int(0.05 * fs))
        bi.append(lo + int(np.argmax(jerk[lo:hi])) - 0.5)
        bp.append((a + b) / 2)
    return np.array(bp), np.array(bi)


def _confidence(ws: np.ndarray, peaks: np.ndarray, fs: float) -> np.ndarray:
    """Per-stride confidence from mid-swing amplitude and stride regularity."""
    h = ws[peaks]
    c_amp = np.clip(h / (0.6 * _running_median(h, LOCAL_PEAKS)), 0.0, 1.0)
    d = np.diff(peaks) / fs
    if len(d) == 0:
        return 0.5 * c_amp
    ok = d <= MAX_STRIDE_S
    med = float(np.median(d[ok])) if ok.any() else float(np.median(d))
    dev = np.where(ok, np.abs(d - med) / med, np.inf)
    # a stride's regularity: the better of its two neighbouring intervals
    best = np.minimum(np.concatenate([[np.inf], dev]), np.concatenate([dev, [np.inf]]))
    c_reg = np.where(np.isfinite(best), np.clip(1.0 - best, 0.3, 1.0), 0.5)
    return c_amp * c_reg


def _near_gap(pos: np.ndarray, missing: np.ndarray, fs: float) -> np.ndarray:
    """True where a (fractional) sample position is within GAP_MARGIN_S of a missing sample."""
    if not missing.any():
        return np.zeros(len(pos), bool)
    mi = np.flatnonzero(missing)
    p = np.where(np.isfinite(pos), pos, -1e12)
    j = np.searchsorted(mi, p)
    left = np.abs(p - mi[np.clip(j - 1, 0, len(mi) - 1)])
    right = np.abs(mi[np.clip(j, 0, len(mi) - 1)] - p)
    return np.isfinite(pos) & (np.minimum(left, right) <= GAP_MARGIN_S * fs + 1)


def _turning(stream: SensorStream, gyr: np.ndarray, acc: np.ndarray, fs: float,
             peaks: np.ndarray) -> np.ndarray:
    """Turning strides (see module docstring); the last stride uses the interval before it."""
    out = np.zeros(len(peaks), bool)
    if stream.acc_kind != "total" or len(peaks) < 2:
        return out
    up = lowpass(acc, fs, 0.25, order=2)
    up /= np.maximum(np.linalg.norm(up, axis=1, keepdims=True), 1e-9)
    cum = np.concatenate([[0.0], np.cumsum(np.einsum("ij,ij->i", gyr, up)) / fs])
    pk = np.clip(np.round(peaks).astype(int), 0, len(gyr) - 1)
    ang = np.degrees(np.abs(cum[pk[1:]] - cum[pk[:-1]]))
    turn = (ang > TURN_DEG_PER_STRIDE) & (np.diff(peaks) / fs <= MAX_STRIDE_S)
    out[:-1] = turn
    out[-1] = turn[-1]
    return out


def _bouts(peaks: np.ndarray, ic: np.ndarray, fc: np.ndarray, run: np.ndarray,
           turn: np.ndarray, fs: float, t0: float) -> pd.DataFrame:
    """Bouts of straight walking / running (see module docstring)."""
    keep = ~turn
    idx = np.flatnonzero(keep)
    if len(idx) == 0:
        return empty_bouts()
    first = np.where(np.isfinite(fc), fc, np.where(np.isfinite(ic), ic, peaks) - 0.2 * fs)
    last = np.where(np.isfinite(ic), ic, peaks + 0.2 * fs)
    start_t = np.fmin(first, last) / fs + t0 - BOUT_MARGIN_S
    end_t = np.fmax(first, last) / fs + t0 + BOUT_MARGIN_S
    gap = np.concatenate([[True], np.diff(peaks) / fs > MAX_STRIDE_S])
    prev_keep = np.concatenate([[False], keep[:-1]])
    changed = run != np.concatenate([run[:1], run[:-1]])
    bout_id = np.cumsum(keep & (gap | ~prev_keep | changed))[idx]
    starts = np.flatnonzero(np.diff(np.concatenate([[-1], bout_id])) != 0)
    ends = np.append(starts[1:], len(idx)) - 1
    return pd.DataFrame({"start": start_t[idx[starts]], "end": end_t[idx[ends]],
                         "kind": np.where(run[idx[starts]], "run", "walk").astype(object)},
                        columns=BOUT_COLUMNS)


__all__ = ["contact_positions", "detect", "impact_positions", "pitch_rate", "smooth",
           "swing_peaks", "toe_off_positions"]
