"""Synthetic IMU gait with an exact ground truth of every initial and final contact.

What is simulated
-----------------
A walk or a run is a *contact timeline*: for each foot a sequence of stance phases, each from an
initial contact (IC, heel strike) to a final contact (FC, toe off). Walking has double support
(the next IC comes before the other foot's FC), running has a flight phase (the FC comes before
the other foot's IC). Step times, stance times, impact amplitudes and pelvic-drop amplitudes are
drawn per step around the requested means (coefficient of variation ``variability_pct``), so the
left/right asymmetries in the truth equal the requested ones (exactly with ``variability_pct=0``).
Every sensor signal is computed from that timeline as a function of continuous time, so the
signals and the truth agree by construction:

* **Trunk / lower back** (centre of mass, L5). The specific force is the sum of both feet's ground
  reaction forces divided by body mass, with the force of each stance modelled after Alexander &
  Jayes (1980): vertical ``a1 [cos(pi u) - q cos(3 pi u)]`` (``q`` > 0 gives the double hump of
  walking, growing with speed; ``q`` = 0 the half sine of the spring-mass run of Blickhan 1989)
  on a slightly warped phase; fore-aft a braking lobe early in stance, a broad propulsion lobe
  and a sharp push-off peak at the other foot's IC (running: ``-b sin(2 pi tau)``); a medial
  force towards the other foot that peaks in early stance and fades by the other foot's IC.
  The stance phase of a walking step is piecewise linear between its four events (IC, the other
  foot's FC, the other foot's IC, FC), so a longer double support stretches the load transfer
  between the legs instead of adding force; the last 5 % of a walking stance carries no load.
  ``a1`` is set per stride so that the vertical impulse equals body weight times time, which gives
  the inverted-pendulum pattern of Zijlstra & Hof (2003) in walking (upward acceleration in double
  support, about -1.5 to -2 m/s^2 in mid single support, forward-acceleration peak at IC) and the
  free fall (specific force ~0) of the flight phase in running. The centripetal force of turns is
  added. Pelvic obliquity (the contralateral hemipelvis drops during the loading response, by
  ~14 % of the stride after IC, Perry & Burnfield 2010, then rises back to 30 % of that by the
  next IC), transverse rotation and sagittal tilt rotate the sensor; the yaw-rate phase
  (negative, i.e. clockwise seen from above, around a left IC) follows the IC-locked averages of
  the lower-back recordings in ``shared/validation`` and is the sign pattern the left/right rule
  of McCamley et al. (2012) relies on.
* **Heel-strike transients**: a damped oscillation (soft-tissue wobbling mass) starting at each IC
  (at the trunk 15 ms later in walking, as the force builds up), largest at the foot, attenuated
  up the leg to the trunk (Lafortune et al. 1996); amplitude per side scaled by
  ``impact_asym_pct``, per step in the truth (``impact_ms2`` of each initial contact).
* **Foot** (instep): sagittal pitch angle as quintic-Hermite keyframes anchored on IC/FC, giving
  the angular-velocity shape of Aminian et al. (2002) and Salarian et al. (2004): a large positive
  mid-swing peak, a sharp negative peak just after IC (foot lowering) and a negative push-off peak
  just before FC, zero in foot flat; between keyframes the pitch never turns back (rates
  limited where a slow walk's long phases would make the quintic overshoot). Heights and
  forward displacement of the foot are keyframed (minimum-jerk-like swing, Flash & Hogan
  1985); the foot is still in foot flat. The shapes were checked against IC/FC-locked
  averages of the foot sensors in ``shared/validation``. In a running swing the ankle is the
  end of the leg hanging from the hip (pelvis, thigh and shank as a chain, with the shank's
  centripetal and tangential acceleration about the knee), handed over from and back to the
  keyframes around FC and IC (:meth:`Body._swing_about_knee
  <gait.simulate.body.Body._swing_about_knee>`; the marker-based runs of fukuchi2017 in
  ``shared/validation`` show the foot accelerating more than the shank, which a keyframed
  ankle did not).
* **Shank**: sagittal angle keyframes (Salarian 2004 / Aminian 2002 shank gyroscope: mid-swing
  peak, local minima at IC and before FC, steady forward rotation in stance), rotation about the
  ankle carried by the foot's translation (in a running swing: the chain above); as the
  foot's, the angle never turns back between keyframes (a slow walk's stance rotation neither
  stops nor reverses, as on the trojaniello2014 stroke shanks of ``shared/validation``).
* **Trouser pocket** (thigh): hip flexion/extension (cosine between the extremes of late swing and
  terminal stance) about a hip that moves with the trunk, plus the ipsilateral heel-strike spike
  (+15 m/s^2 walking, as in the front-pocket recordings of ``shared/validation``). The phone
  lies in front of the thigh, not on the femur: 0.25 m below the hip and 7 cm ahead of the
  thigh's axis (:data:`~gait.simulate.constants.POCKET_AHEAD`; fukuchi2017's virtual phones
  5.7 cm, a thigh's radius ~8 cm), so the thigh's angular acceleration (``g'' d`` along the
  thigh) and centripetal acceleration (``g'^2 d`` towards its axis) add to its acceleration,
  as on a rigid body (:func:`~gait.simulate.body._pocket_lever`; the gyroscope is the
  thigh's wherever the phone sits). Before 2026-12 the phone sat on the thigh's axis; moving it
  raised the pocket's step-band (0.6-1 x step frequency) vertical RMS from 0.11 / 0.13 to
  0.19 / 0.21 m/s^2 at 0.48 / 0.63 m/s (fukuchi2018's virtual phones at those speeds:
  0.18-0.20 / 0.38-0.41) and from 0.62 to 0.76 m/s^2 at 1.3 m/s (Oxford's real pocket steps:
  0.55-1.85). ``pocket`` (side unknown) is simulated as the right pocket. A back trouser
  pocket (a model, not validated): :func:`simulate_back_pocket`, the pelvis's and the
  thigh's signals blended (the thigh's on its axis).
* Cadence from speed (or back) by the walk ratio of Sekiya & Nagasaki (1998); duty factor from
  speed (walking ~0.60, running ~0.30-0.38).

Impaired gait (``pattern``)
---------------------------
``pattern="hemiparetic"`` (after stroke) and ``"shuffling"`` (Parkinsonian) are walking patterns
built from the same model: a parameter set (speed, cadence, duty factor, stance and step SIs,
variability, impact) plus a few per-side signal features (gains of the foot/shank/thigh keyframes
around IC and FC, foot clearance, a frontal-plane swing, per-leg trunk force gains, trunk
rotation, hip hiking). The contact timeline is generated as for any walk, so the truth stays exact:
every IC/FC with its side, and the pattern's asymmetries are in the truth's stance, step and swing
times (exactly the nominal ones with ``variability_pct=0``; ``params.nominal`` has them).
``params.pattern`` records ``name``, ``affected_side``, ``severity`` (and its label); normal gait
has no ``pattern`` key, so its files are the same as before the patterns existed.

*Severity* is a number 0..1 (``mild`` = 0.3, ``moderate`` = 0.6, ``severe`` = 1.0): every feature
moves linearly from normal gait (0) to the severe end of the published ranges (1). A continuous
scale because the literature grades these gaits continuously (speed, symmetry ratio, UPDRS item
scores), because asymmetry grows smoothly as speed falls (Patterson et al. 2008: temporal
asymmetry vs preferred speed r = -0.58 over 54 community-ambulating stroke survivors), and because
a detector's breakdown point is found by sweeping it; the three names are anchors, placed so that
the hemiparetic speeds fall in the three walking classes of Perry et al. (1995): community
(> 0.8 m/s), limited community (0.4-0.8), household (< 0.4). Explicit ``cadence_spm``,
``speed_mps``, ``stance_asym_pct``, ``step_asym_pct``, ``impact_asym_pct`` or ``variability_pct``
replace the pattern's value (a given speed or cadence keeps the pattern's walk ratio for the
other). ``affected_side`` is the paretic side (hemiparetic) or the more affected side (shuffling).

Hemiparetic, severity ``s`` (paretic = affected side, values at s = 0.3 / 0.6 / 1.0):

* Speed ``1.2 - 0.9 s`` m/s (0.93 / 0.66 / 0.30) and cadence ``110 - 45 s`` steps/min (97 / 83 /
  65): slow, short steps (Olney & Richards 1996 review the slow speed, reduced cadence and
  long double support of hemiparetic gait; Perry et al. 1995 for the classes above). Duty
  factor ``0.62 + 0.06 s``: long double support.
* Stance SI ``-20 s`` % and step SI ``+15 s`` % with the paretic side as "L" (signs flip for a
  right paretic side): a short paretic stance, hence a long paretic swing (swing ratio
  paretic/non-paretic 1.11 / 1.26 / 1.54 nominal, against a normal limit of 1.06, Patterson et al.
  2010; 55 % of the survivors of Patterson et al. 2008 were asymmetric in time) and a long
  paretic step (the step that ends with the paretic IC, which contains the paretic swing).
* Weak push-off: paretic foot and shank keyframes around the FC at ``1 - 0.6 s`` and ``1 - 0.5
  s`` (smaller push-off lobe of the pitch rate), and the paretic stance's fore-aft trunk force
  (braking and propulsion) at ``1 - 0.6 s`` (the paretic leg's share of propulsion falls with
  severity, Bowden et al. 2006).
* Small, slow paretic swing and flat-foot (or forefoot) landing: paretic foot keyframes around
  the IC at ``1 - 0.85 s`` (heel-rocker dorsiflexion 20 deg -> 3 deg at s = 1: no clear
  heel-strike lobe), shank ``1 - 0.5 s``, thigh ``1 - 0.4 s``, foot clearance ``1 - 0.5 s``;
  the paretic heel-strike transient at ``1 - 0.5 s`` of the other side's (impact SI; the slow
  speed lowers both). With the long paretic swing the median mid-swing pitch-rate peak of the
  paretic foot (shank) is 0.8 (0.8) / 0.6 (0.6) / 0.3 (0.4) x the sound one's. The sound
  leg's keyframes are at ``1 - 0.3 s`` (foot) and ``1 - 0.2 s`` (shank): a slow walk has
  smaller excursions on both sides.
* Circumduction: the paretic foot and shank roll outwards about the walking direction by up to
  ``12 s`` deg and the foot moves ``8 s`` cm outwards, both a half-cosine bump from FC to IC
  (frontal-plane rotation on the gyroscope's forward axis). Kerrigan et al. (2000) found that
  "circumduction" is mostly pelvic obliquity (hip hiking) with little extra hip abduction, so
  the pelvis also hikes: the pelvic drop while standing on the sound leg (during the paretic
  swing) is reduced by ``5 s`` deg (4 -> -1 deg at s = 1: the paretic hemipelvis rises, i.e.
  roll towards the sound side), and the sound stance's medial force (lateral sway onto the
  sound leg) is ``1 + 0.5 s``. These amplitudes are illustrative, not fitted to recordings.
* Variability ``2 + 3.5 s`` % (step-to-step CV of step and stance times): irregular steps.

Shuffling (Parkinsonian), severity ``s``:

* Speed ``1.2 - 0.75 s`` m/s and cadence ``110 + 15 s`` steps/min: step length 0.65 m -> 0.22 m
  at s = 1 with a normal or higher cadence (Morris et al. 1994: the hypokinesia of PD gait is a
  short stride with preserved cadence regulation). Duty factor ``0.62 + 0.08 s`` (long double
  support, 24 % -> 40 % of the stride).
* Small swing and flat-foot landing: foot keyframes around the IC ``1 - 0.8 s`` (tiny
  heel-strike lobe), around the FC ``1 - 0.6 s``, shank ``1 - 0.5 s`` (lower mid-swing shank
  peak, Salarian et al. 2004: median 454 deg/s normal, 390 / 315 deg/s at s = 0.6 / 1),
  thigh ``1 - 0.5 s``, foot clearance ``1 - 0.6 s``, heel-strike transients ``1 - 0.5 s``,
  trunk fore-aft force ``1 - 0.4 s``; the more affected leg's keyframe and clearance gains are
  multiplied by a further ``1 - 0.15 s``, and its stance is longer (stance SI ``2.5 s`` %
  towards it: swing-time asymmetry ~6 % at s = 1, the order of the swing asymmetry of PD
  patients in Plotnik et al. 2005).
* Reduced trunk (and, in reality, arm) rotation: pelvis transverse rotation and sagittal tilt at
  ``1 - 0.7 s`` (axial rigidity, Van Emmerik et al. 1999; arms are not simulated).
* Variability ``2 + 3 s`` % (stride-time variability is raised in PD, Hausdorff et al. 1998).
  Optional hesitations: ``hesitations_per_min`` brief stops (standing 1.5-2.5 s plus a
  stride, a new bout each; Morris et al. 1994 and Hausdorff's work describe hesitations and
  freezing; the trembling of a real freeze is not modelled). ``pauses`` adds stops at chosen
  times.

Frames, units, time
-------------------
Canonical device frame (see :mod:`gait.recording`): m/s^2 *with* gravity, rad/s, Android axes.
Nominal mounts, before the optional ``orientation`` rotation:

* ``lower_back``: device upright on the back, screen facing backwards: x = subject's right,
  y = up, z = backwards. Gravity reads +9.81 on **+y** at rest.
* ``*_shank`` (front of the shin) and ``*_pocket`` (front trouser pocket, screen towards the
  thigh, top up): same axes as the lower back along the segment: x = right, y = up along the
  segment, z = backwards. Gravity on **+y**. Swinging the leg forward gives a positive ``gx``.
* ``*_foot`` (instep, lying flat): x = right, y = forward (towards the toes), z = up. Gravity on
  **+z**. Toes-up rotation gives a positive ``gx`` (mid-swing peak positive).

``orientation`` rotates the device relative to that mount: with rotation matrix ``Q`` (columns =
device axes in the nominal frame) a vector ``v`` reads ``Q.T @ v``; norms are unchanged.
The recording axis is the first stream's clock; truth times are on that axis (seconds from the
first sample). With ``clock_drift_ppm`` every other stream's clock runs fast by that many ppm:
its sample ``k`` (nominal time ``k/fs``) was taken at true time ``k / fs / (1 + ppm 1e-6)``, so an
event at true time ``t`` appears at ``t (1 + ppm 1e-6)`` in that stream.

Asymmetry sign convention (Robinson et al. 1987): SI = 100 (L - R) / (0.5 (L + R)) of the means;
positive = left larger. ``stance_asym_pct``, ``step_asym_pct`` and ``impact_asym_pct`` are such SIs
(the step of a side ends with that side's IC). ``pelvic_drop_asym_deg`` = (pelvic obliquity peak
while standing on the left leg, i.e. drop of the right hemipelvis) minus the same on the right leg.

Limits (what this is not)
-------------------------
* A kinematic/force *pattern* model, not a musculoskeletal simulation: segment angles are
  keyframed average shapes, the legs move in the sagittal plane only (no foot inversion/eversion,
  no hip ab/adduction of the thigh, no arm swing) apart from the hemiparetic circumduction (a roll
  of foot and shank about their own forward axis, the shank sensor's lateral offset to first
  order, the thigh left sagittal), sensors sit on rigid segments (no strap wobble
  apart from the impact transient), the lower-back sensor is treated as at the centre of mass.
* The impaired patterns are parameter sets on this normal-gait model, not recordings of
  patients: no knee hyperextension or stiff-knee swing, no festination or freezing with
  trembling, no arm swing, no real-data fit of their signal shapes (the amplitudes of the new
  features are illustrative, the timing values are from the papers cited above).
* Gait initiation and termination are simplified (the pattern fades in over the first step and out
  over the last); turns only add yaw rate and centripetal force (no shorter steps, no turn-specific
  asymmetry); standing has no postural sway (except with ``side_check``: its taps and a
  small sway, see "side check" below); feet and shanks also receive the heading rate of a
  turn continuously (in reality a stance foot does not turn).
* Step-to-step variability is white (no long-range correlation, no drift of speed); sensor noise is
  white with a constant bias per axis (no bias drift, no scale-factor error, no saturation, no
  quantisation, no sample loss).
* Every sensor is ideal apart from its noise, bias and anti-aliasing filter; the filter (a
  zero-phase low-pass at 0.4 fs, :func:`_transient_shape`) is applied to the heel-strike
  transients, the only simulated content near the Nyquist frequency, so a 100 Hz sensor records
  them partly and a 50 Hz one barely (as real ones do), never aliased.
* Asymmetry is expressed in timing, impact and pelvic drop only; the ground-reaction-force peak
  is the same for both legs. A stance asymmetry without step asymmetry lengthens one double
  support: its load transfer is stretched (see above), which also shifts the trunk's impact
  peak after that IC by ~0.17 x the extra double support (as on real walks).
* Compared with real recordings (``shared/validation``): the lower-back vertical, AP and ML
  acceleration and the yaw and roll rates were fitted to the IC- and FC-locked averages (per
  side, body frame) of the voisard2023 and mobgap walks: at 110 steps/min the simulated averages
  correlate 0.94 / 0.94 / 0.83 / 0.86 / 0.80 with the real ones (the two real data sets correlate
  0.77 / 0.71 / 0.30 / 0.66 / 0.13 with each other: sensor attachment matters, e.g. the
  belt-worn mobgap sensor barely rolls). Timing relative to the foot events: vertical impact peak
  33-40 ms after IC (real 40-50), forward-acceleration peak ~8 ms before IC (real 0-10), end of
  the trailing leg's load ~30 ms before its FC (real ~30), net braking peak 2-7 ms before FC (real
  ~30: too late). Not matched: the real strapped sensor's 8-10 Hz ringing after the impact, the
  trunk pitch rate (noisy in the recordings), subject-to-subject differences (real feature delays
  vary by +-20-40 ms between subjects). Running is not validated against real IMUs: its trunk
  model is the spring-mass one; its foot and shank accelerations in swing were compared with
  the marker-based virtual sensors of fukuchi2017 (``shared/validation``; see
  :meth:`Body._swing_about_knee <gait.simulate.body.Body._swing_about_knee>`), whose shank
  swing comes ~8 % of the stride later and holds its angle in late stance (the simulated one
  keeps turning: a planar leg without the real shank's axial rotation would otherwise stand
  as still as a foot to the gyroscope). The foot gyroscope matches the IC-locked foot averages
  closely; a real front-pocket phone swings more at step frequency than the simulated one
  (fabric and soft-tissue wobble are not modelled; see "Trouser pocket" above).
* Memory: signals are produced chunk by chunk; the contact timeline is generated in blocks of
  1024 steps and trimmed behind each chunk, so memory does not grow with duration.

References: Alexander RM, Jayes AS (1980) J Biomech 13:383-390; Zijlstra W, Hof AL (2003) Gait
Posture 18:1-10; Aminian K et al. (2002) J Biomech 35:689-699; Salarian A et al. (2004) IEEE TBME
51:1434-1443; Blickhan R (1989) J Biomech 22:1217-1227; Perry J, Burnfield JM (2010) Gait Analysis,
2nd ed.; McCamley J et al. (2012) Gait Posture 36:316-318; Lafortune MA et al. (1996) J Biomech
29:1531-1537; Flash T, Hogan N (1985) J Neurosci 5:1688-1703; Sekiya N, Nagasaki H (1998) Gait
Posture 7:225-227; Robinson RO et al. (1987) J Manipulative Physiol Ther 10:172-176.
Impaired gait: Olney SJ, Richards C (1996) Gait Posture 4:136-148; Perry J et al. (1995) Stroke
26:982-989; Patterson KK et al. (2008) Arch Phys Med Rehabil 89:304-310; Patterson KK et al.
(2010) Gait Posture 31:241-246; Bowden MG et al. (2006) Stroke 37:872-876; Kerrigan DC et al.
(2000) Am J Phys Med Rehabil 79:247-252; Morris ME et al. (1994) Brain 117:1169-1181; Hausdorff
JM et al. (1998) Mov Disord 13:428-437; Plotnik M et al. (2005) Ann Neurol 57:656-663; Van
Emmerik REA et al. (1999) Arch Phys Med Rehabil 80:186-191.
"""

from gait.simulate.back_pocket import BACK_POCKET_THIGH_SHARE, simulate_back_pocket
from gait.simulate.config import PATTERNS, SEVERITY_LEVELS
from gait.simulate.constants import SCHEMA_VERSION, SIDES, SIM_PLACEMENTS
from gait.simulate.side_check import SIDE_CHECK_MIN_STAND_S
from gait.simulate.synthesis import Simulation, simulate
from gait.simulate.truth import Truth

__all__ = ["BACK_POCKET_THIGH_SHARE", "PATTERNS", "SCHEMA_VERSION", "SEVERITY_LEVELS", "SIDES",
           "SIDE_CHECK_MIN_STAND_S", "SIM_PLACEMENTS", "Simulation", "Truth", "simulate",
           "simulate_back_pocket"]
