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
  averages of the foot sensors in ``shared/validation``.
* **Shank**: sagittal angle keyframes (Salarian 2004 / Aminian 2002 shank gyroscope: mid-swing
  peak, local minima at IC and before FC, steady forward rotation in stance), rotation about the
  ankle carried by the foot's translation; as the foot's, the angle never turns back between
  keyframes (a slow walk's stance rotation neither stops nor reverses, as on the
  trojaniello2014 stroke shanks of ``shared/validation``).
* **Trouser pocket** (thigh): hip flexion/extension (cosine between the extremes of late swing and
  terminal stance) about a hip that moves with the trunk, plus the ipsilateral heel-strike spike
  (+15 m/s^2 walking, as in the front-pocket recordings of ``shared/validation``). ``pocket``
  (side unknown) is simulated as the right pocket. A back trouser pocket (a model, not
  validated): :func:`simulate_back_pocket`, the pelvis's and the thigh's signals blended.
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
  vary by +-20-40 ms between subjects). Running is not validated (no real running recording):
  its trunk model is the spring-mass one. The foot gyroscope matches the IC-locked foot averages
  closely; a real front-pocket phone swings about twice as much at step frequency as the
  simulated one (fabric and soft-tissue wobble are not modelled).
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

from __future__ import annotations

import json
import math
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from gait.recording import G, Recording, SensorStream

SCHEMA_VERSION = 1
SIM_PLACEMENTS: tuple[str, ...] = (
    "lower_back", "left_foot", "right_foot", "left_shank", "right_shank",
    "left_pocket", "right_pocket", "pocket",
)
SIDES = ("L", "R")
_B = 1024  # steps per generator block (fixed: results never depend on the chunk size)
_NOISE_BLOCK = 8192  # samples per noise block
_MARGIN_S = 2.5  # contacts kept around a chunk

# flags of a contact
_INIT_LEAD, _INIT_TRAIL, _FIRST, _LAST = 1, 2, 4, 8

# Keyframe tables. Hermite rows: (anchor, duration, fraction, value deg, rate deg/s at the
# nominal phase duration). anchor: "ic"|"fc"; duration: "stance"|"sw_prev"|"sw_next".
_FOOT_PITCH = {
    "walk": (("ic", "sw_prev", -0.035, 20.0, 0.0), ("ic", "stance", 0.045, 12.0, -300.0),
             ("ic", "stance", 0.18, 0.0, 0.0), ("fc", "stance", -0.38, 0.0, 0.0),
             ("fc", "stance", -0.045, -45.0, -500.0), ("fc", "sw_next", 0.07, -58.0, 0.0)),
    "run": (("ic", "sw_prev", -0.04, 12.0, 0.0), ("ic", "stance", 0.10, 5.0, -250.0),
            ("ic", "stance", 0.30, 0.0, 0.0), ("fc", "stance", -0.50, 0.0, 0.0),
            ("fc", "stance", -0.10, -40.0, -700.0), ("fc", "sw_next", 0.30, -95.0, 0.0)),
}
_SHANK = {
    "walk": (("ic", "sw_prev", -0.09, 24.0, 0.0), ("ic", "stance", 0.08, 18.0, -120.0),
             ("ic", "stance", 0.50, -8.0, -70.0), ("ic_only", "stance", 0.95, 0.0, 0.0),
             ("fc_only", "stance", -0.6, 0.0, 0.0), ("fc", "stance", -0.05, -44.0, -190.0),
             ("fc", "sw_next", 0.15, -55.0, 0.0)),
    "run": (("ic", "sw_prev", -0.08, 15.0, 0.0), ("ic", "stance", 0.15, 10.0, -150.0),
            ("ic", "stance", 0.50, -10.0, -300.0), ("ic_only", "stance", 0.95, 0.0, 0.0),
            ("fc_only", "stance", -0.6, 0.0, 0.0), ("fc", "stance", -0.10, -40.0, -350.0),
            ("fc", "sw_next", 0.30, -70.0, 0.0)),
}
# (anchors "ic_only"/"fc_only": stances that end/begin in standing; the shank is upright there)
# thigh (pocket) extremes, cosine interpolation: (anchor, fraction of stride, value deg).
# Running: flexion maximum 0.18 stride before the IC (swing-phase retraction, Novacheck 1998,
# Gait Posture 7:77-95; the marker-derived thigh sensors of the fukuchi2017 runs in
# shared/validation: 0.17-0.20), extension maximum just after toe-off (fukuchi2017: ~0.06 stride
# after FC), so the flexion half-cycle is the shorter one, as in those runs
_THIGH = {"walk": (("ic", -0.07, 28.0), ("fc", -0.08, -15.0)),
          "run": (("ic", -0.18, 40.0), ("fc", 0.06, -18.0))}
# foot translation keyframes (m, m/s): IC, foot flat, heel off, FC, mid swing
_FOOT_POS = {
    "walk": dict(x_ic=-0.02, z_ic=0.03, vx_ic=0.5, vz_ic=-0.3, flat=0.18, ho=-0.38,
                 dx_fc=0.05, z_fc=0.05, vx_fc=0.8, vz_fc=0.4, z_ms=0.09, vms=1.6),
    "run": dict(x_ic=-0.03, z_ic=0.03, vx_ic=1.0, vz_ic=-0.8, flat=0.30, ho=-0.50,
                dx_fc=0.08, z_fc=0.08, vx_fc=2.0, vz_fc=1.0, z_ms=0.25, vms=1.6),
}
# impact transient per segment: (peak m/s^2 at the nominal speed, frequency Hz, decay s, onset
# delay after IC s). Walking trunk: the lower-back recordings of shared/validation peak 40-50 ms
# after the foot-referenced IC (the heel-strike force builds up and travels up the leg).
_IMPACT = {
    "walk": {"trunk": (3.0, 10.0, 0.025, 0.015), "foot": (25.0, 30.0, 0.012, 0.0),
             "shank": (8.0, 20.0, 0.015, 0.0), "thigh": (15.0, 15.0, 0.020, 0.0)},
    "run": {"trunk": (8.0, 15.0, 0.025, 0.0), "foot": (60.0, 30.0, 0.015, 0.0),
            "shank": (30.0, 20.0, 0.018, 0.0), "thigh": (40.0, 15.0, 0.020, 0.0)},
}
# Trunk (walking values fitted to the IC-locked averages of the lower-back recordings in
# shared/validation, see the module docstring): GRF fore-aft b and medial c (body weights);
# stance-phase warp k of the vertical force (moves the Alexander-Jayes force peaks, 0.32/0.68 of
# stance, towards the loading response and push-off); fore-aft lobes ``ap`` in walking (braking
# centre and width, broad propulsion centre and width, push-off centre and width and its share,
# phase units; the propulsion amplitudes make the net impulse zero; running: a sine, braking then
# propulsion); medial-force decay exponent p (the medial force of a walking stance peaks in early
# stance and fades by the contralateral IC); toe: the last fraction of a walking stance carries
# no load (the trunk's push-off signature precedes the foot-sensor toe-off by 30-40 ms in the
# recordings); pelvis angles and trunk lean (deg). Obliquity: the contralateral hemipelvis drops
# by ``drop`` during the loading response (``roll_load`` of the stride after IC) and rises back
# to ``roll_hold`` x that by the next IC.
_TRUNK = {
    "walk": dict(b=0.19, c=0.13, k=0.04, ap=(0.16, 0.35, 0.70, 0.60, 0.83, 0.16, 0.5), p=1.0,
                 toe=0.05, drop=4.0, roll_load=0.14, roll_hold=0.3, rot=4.0, tilt=1.5, lean=3.0,
                 lean_stand=1.0),
    # rot < 0: in running the pelvis rotates the other way round in the transverse plane
    # (Novacheck 1998, Gait Posture 7:77-95; in antiphase with walking on the fukuchi2017 runs)
    "run": dict(b=0.35, c=0.05, k=0.0, ap=None, p=0.0, toe=0.0, drop=4.0, roll_load=0.14,
                roll_hold=0.3, rot=-6.0, tilt=3.0, lean=8.0, lean_stand=1.0),
}
_R_SHANK, _R_POCKET = 0.20, 0.25  # sensor distance from ankle / hip
_V_NOM = {"walk": 1.3, "run": 3.0}
_WALK_RATIO = 0.0064  # m per (step/min), Sekiya & Nagasaki 1998


# --------------------------------------------------------------------------- configuration

#: Gait patterns (:func:`simulate`'s ``pattern``) and the named severities (0..1, see the module
#: docstring, "Impaired gait").
PATTERNS: tuple[str, ...] = ("normal", "hemiparetic", "shuffling")
SEVERITY_LEVELS: dict[str, float] = {"mild": 0.3, "moderate": 0.6, "severe": 1.0}
# keyframe rows of the walking tables that a pattern scales: foot pitch (_FOOT_PITCH["walk"])
# and shank angle (_SHANK["walk"]) around the IC (heel rocker) and around the FC (push-off)
_FOOT_IC_ROWS, _FOOT_FC_ROWS = (0, 1), (4, 5)
_SHANK_IC_ROWS, _SHANK_FC_ROWS = (0, 1), (5, 6)


def _normal_legs() -> dict[str, np.ndarray]:
    """Per-side signal features of a pattern (index 0 = left, 1 = right); these are the
    identity (normal gait): keyframe gains of the foot pitch and shank angle tables, thigh
    swing gain, foot clearance gain, circumduction (frontal-plane roll of foot and shank in
    swing, deg, and lateral excursion of the foot, m, both outwards), trunk fore-aft (braking and
    propulsion) and medial force gains of each leg's stance."""
    return dict(foot=np.ones((2, len(_FOOT_PITCH["walk"]))),
                shank=np.ones((2, len(_SHANK["walk"]))), thigh=np.ones(2), clear=np.ones(2),
                circ_deg=np.zeros(2), circ_m=np.zeros(2), ap=np.ones(2), ml=np.ones(2))


@dataclass
class _Pattern:
    """A gait pattern resolved for one affected side and severity: the defaults it gives the
    :func:`simulate` parameters left at ``None`` and the signal features it adds."""

    name: str
    side: str  # "L" | "R"
    severity: float
    speed: float | None = None
    cadence: float | None = None
    duty: float | None = None
    stance_asym_pct: float = 0.0
    step_asym_pct: float = 0.0
    impact_asym_pct: float = 0.0
    variability_pct: float = 2.0
    impact_gain: float = 1.0  # both sides' heel-strike transients
    rot_gain: float = 1.0  # trunk transverse rotation and sagittal tilt
    hike_deg: np.ndarray = field(default_factory=lambda: np.zeros(2))  # less drop per stance leg
    legs: dict[str, np.ndarray] = field(default_factory=_normal_legs)

    def record(self) -> dict[str, Any]:
        label = next((k for k, v in SEVERITY_LEVELS.items() if v == self.severity), None)
        return {"name": self.name, "affected_side": self.side,
                "severity": round(self.severity, 4), "severity_label": label}


def _severity(value: float | str) -> float:
    if isinstance(value, str):
        key = value.strip().lower()
        if key in SEVERITY_LEVELS:
            return SEVERITY_LEVELS[key]
        try:
            value = float(key)
        except ValueError:
            raise ValueError(f"severity {value!r}: expected a number 0..1 or one of "
                             f"{', '.join(SEVERITY_LEVELS)}") from None
    sev = float(value)
    if not 0.0 <= sev <= 1.0:
        raise ValueError(f"severity {sev:g}: expected a number 0..1 or one of "
                         f"{', '.join(SEVERITY_LEVELS)}")
    return sev


def _pattern(name: str, affected_side: str, severity: float | str) -> _Pattern:
    """Parameter set of a gait pattern (values and sources in the module docstring).

    Parameters
    ----------
    name : str
        One of :data:`PATTERNS`.
    affected_side : str
        ``"L"``/``"R"`` (also ``"left"``/``"right"``): the paretic side (hemiparetic), the more
        affected side (shuffling).
    severity : float or str
        0..1 or a name of :data:`SEVERITY_LEVELS`; every feature moves linearly from normal
        gait (0) to the severe end of the published ranges (1).

    Returns
    -------
    _Pattern
        The identity for ``"normal"`` (severity and side are then ignored).
    """
    if name not in PATTERNS:
        raise ValueError(f"pattern {name!r}: expected one of {', '.join(PATTERNS)}")
    side = {"l": "L", "left": "L", "r": "R", "right": "R"}.get(str(affected_side).lower())
    if side is None:
        raise ValueError(f"affected side {affected_side!r}: expected 'left' or 'right'")
    s = _severity(severity)
    pat = _Pattern(name, side, s)
    if name == "normal":
        return pat
    a = 0 if side == "L" else 1  # index of the affected side
    sg = 1.0 if side == "L" else -1.0  # sign of an SI (L - R) that is larger on that side
    legs = pat.legs
    if name == "hemiparetic":
        pat.speed, pat.cadence, pat.duty = 1.2 - 0.9 * s, 110.0 - 45.0 * s, 0.62 + 0.06 * s
        pat.stance_asym_pct = -sg * 20.0 * s  # paretic stance shorter
        pat.step_asym_pct = sg * 15.0 * s  # paretic step (ending with its IC) longer
        paretic_impact = 1.0 - 0.5 * s
        pat.impact_asym_pct = sg * 200.0 * (paretic_impact - 1.0) / (paretic_impact + 1.0)
        pat.variability_pct = 2.0 + 3.5 * s
        pat.hike_deg[1 - a] = 5.0 * s  # hip hiking / lean to the sound side in paretic swing
        # the slow walk makes the sound leg's excursions smaller too
        legs["foot"][1 - a, list(_FOOT_IC_ROWS + _FOOT_FC_ROWS)] = 1.0 - 0.3 * s
        legs["shank"][1 - a, list(_SHANK_IC_ROWS + _SHANK_FC_ROWS)] = 1.0 - 0.2 * s
        legs["foot"][a, list(_FOOT_IC_ROWS)] = 1.0 - 0.85 * s  # flat-foot landing
        legs["foot"][a, list(_FOOT_FC_ROWS)] = 1.0 - 0.6 * s  # weak push-off
        legs["shank"][a, list(_SHANK_IC_ROWS + _SHANK_FC_ROWS)] = 1.0 - 0.5 * s
        legs["thigh"][a] = 1.0 - 0.4 * s
        legs["clear"][a] = 1.0 - 0.5 * s
        legs["circ_deg"][a] = 12.0 * s
        legs["circ_m"][a] = 0.08 * s
        legs["ap"][a] = 1.0 - 0.6 * s  # paretic braking and propulsion (Bowden 2006)
        legs["ml"][1 - a] = 1.0 + 0.5 * s  # wider sway onto the sound leg
    else:  # shuffling
        pat.speed, pat.cadence, pat.duty = 1.2 - 0.75 * s, 110.0 + 15.0 * s, 0.62 + 0.08 * s
        pat.stance_asym_pct = sg * 2.5 * s  # more affected leg: shorter swing (Plotnik 2005)
        pat.variability_pct = 2.0 + 3.0 * s
        pat.impact_gain = 1.0 - 0.5 * s
        pat.rot_gain = 1.0 - 0.7 * s
        more = np.where(np.arange(2) == a, 1.0 - 0.15 * s, 1.0)  # more affected side
        legs["foot"][:, list(_FOOT_IC_ROWS)] = ((1.0 - 0.8 * s) * more)[:, None]
        legs["foot"][:, list(_FOOT_FC_ROWS)] = ((1.0 - 0.6 * s) * more)[:, None]
        legs["shank"][:, list(_SHANK_IC_ROWS + _SHANK_FC_ROWS)] = \
            ((1.0 - 0.5 * s) * more)[:, None]
        legs["thigh"][:] = (1.0 - 0.5 * s) * more
        legs["clear"][:] = (1.0 - 0.6 * s) * more
        legs["ap"][:] = 1.0 - 0.4 * s
    return pat



@dataclass
class _Config:
    duration_s: float
    fs: float
    n: int
    gait: str
    speed: float
    cadence: float
    step: np.ndarray  # nominal step time per side (L, R), s
    stance: np.ndarray
    swing: np.ndarray
    stride: float
    cv: float
    cv_amp: float
    q: float
    v_impulse: float  # integral of the vertical stance-force shape over the phase
    knots: tuple[float, float]  # nominal stance phase at the end / start of double support
    v_parts: tuple[float, float, float]  # the vertical shape's integral over the three parts
    impact: dict[str, tuple[np.ndarray, float, float, float]]
    drop: np.ndarray
    trunk: dict[str, float]
    windows: list[tuple[float, float]]
    turns: np.ndarray  # (k, 3): start, duration, angle rad
    placements: tuple[str, ...]
    gyro: dict[str, bool]
    drift: dict[str, float]
    rot: dict[str, np.ndarray]
    noise: tuple[float, float]
    bias: tuple[float, float]
    seed: int
    params: dict[str, Any] = field(default_factory=dict)
    v_nominal: np.ndarray = field(default_factory=lambda: np.zeros(2))  # stance impulse, s
    legs: dict[str, np.ndarray] = field(default_factory=_normal_legs)  # pattern features
    side_check: dict[str, np.ndarray] | None = None  # the taps of :func:`_side_check_taps`


def _rotation(spec: Any, rng: np.random.Generator) -> np.ndarray:
    if spec is None:
        return np.eye(3)
    if isinstance(spec, str):
        if spec != "random":
            raise ValueError(f"orientation {spec!r}: expected None, 'random', 3 Euler angles "
                             "(deg) or a 3x3 rotation matrix")
        q = rng.standard_normal(4)
        w, x, y, z = q / np.linalg.norm(q)
        return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                         [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                         [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])
    a = np.asarray(spec, dtype=float)
    if a.shape == (3,):
        from scipy.spatial.transform import Rotation

        return Rotation.from_euler("xyz", a, degrees=True).as_matrix()
    if a.shape == (3, 3) and np.allclose(a @ a.T, np.eye(3), atol=1e-6) \
            and np.linalg.det(a) > 0:
        return a
    raise ValueError(f"orientation {spec!r}: expected 3 Euler angles (deg, 'xyz') or a 3x3 "
                     "rotation matrix")


def _per_placement(value: Any, placements: Sequence[str], default: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        unknown = set(value) - set(placements)
        if unknown:
            raise ValueError(f"settings for placements not simulated: {sorted(unknown)}")
        return {p: value.get(p, default) for p in placements}
    return dict.fromkeys(placements, value)


def _hesitations(rate: float, start: float, end: float, stride: float,
                 pauses: Sequence[tuple[float, ...]], seed: int) -> list[tuple[float, float]]:
    """Brief stops (standing periods) at about ``rate`` per minute of walking.

    Parameters
    ----------
    rate : float
        Hesitations per minute (0: none).
    start, end : float
        The movement period (s), between the initial and final standing.
    stride : float
        Nominal stride time (s): each stop lasts 1.5-2.5 s plus a stride (the shortest pause
        that the timeline accepts is 1 s plus a stride) and is at least 3 strides away from
        the ends of the movement period and from the given ``pauses``.
    pauses : sequence of tuple
        The explicit pauses ``(start_s, duration_s)``.
    seed : int
        The simulation's seed (the stops have their own random stream).

    Returns
    -------
    list of tuple
        ``(start_s, duration_s)`` of each stop, in time order.
    """
    if not 0 <= rate <= 20 or not math.isfinite(rate):
        raise ValueError(f"hesitations_per_min {rate}: expected 0-20")
    span = end - start
    n = math.floor(rate * span / 60.0 + 0.5)
    if n == 0:
        return []
    rng = np.random.default_rng([seed, 8])
    gap = span / n
    out = []
    for k, (u, v) in enumerate(zip(rng.uniform(-0.25, 0.25, n).tolist(),
                                   rng.uniform(0.0, 1.0, n).tolist(), strict=True)):
        dur = 1.5 + v + stride
        a = start + (k + 0.5 + u) * gap - 0.5 * dur
        clear = 3.0 * stride
        if a < start + clear or a + dur > end - clear:
            continue
        if any(a < p0 + p1 + clear and p0 < a + dur + clear for p0, p1 in pauses):
            continue
        if out and a < out[-1][0] + out[-1][1] + clear:
            continue
        out.append((a, dur))
    return out


def _configure(
    duration_s: float, placements: Sequence[str], gait: str, cadence_spm: float | None,
    speed_mps: float | None, stance_asym_pct: float | None, step_asym_pct: float | None,
    impact_asym_pct: float | None, pelvic_drop_asym_deg: float | None,
    variability_pct: float | None,
    noise: tuple[float, float] | None, bias: tuple[float, float] | None, fs: float,
    orientation: Any, turns: Sequence[Sequence[float]], pauses: Sequence[Sequence[float]],
    stand_s: float, clock_drift_ppm: float | Mapping[str, float], with_gyro: bool | Any,
    seed: int, pattern: str = "normal", affected_side: str = "L",
    severity: float | str = "moderate", hesitations_per_min: float = 0.0,
    side_check: str | None = None,
) -> _Config:
    if gait not in ("walk", "run"):
        raise ValueError(f"gait {gait!r}: expected 'walk' or 'run'")
    pat = _pattern(pattern, affected_side, severity)
    if pat.name != "normal" and gait != "walk":
        raise ValueError(f"pattern {pat.name!r} is a walking pattern (gait='walk')")
    # parameters left at None take the pattern's values
    if stance_asym_pct is None:
        stance_asym_pct = pat.stance_asym_pct
    if step_asym_pct is None:
        step_asym_pct = pat.step_asym_pct
    if impact_asym_pct is None:
        impact_asym_pct = pat.impact_asym_pct
    if pelvic_drop_asym_deg is None:
        pelvic_drop_asym_deg = 0.0
    if variability_pct is None:
        variability_pct = pat.variability_pct
    if isinstance(placements, str):
        placements = (placements,)
    placements = tuple(placements)
    if not placements or len(set(placements)) != len(placements):
        raise ValueError("placements must be a non-empty list without repeats")
    bad = [p for p in placements if p not in SIM_PLACEMENTS]
    if bad:
        raise ValueError(f"cannot simulate placement(s) {bad} (expected {SIM_PLACEMENTS})")
    if not fs > 0 or not math.isfinite(fs):
        raise ValueError("fs must be a positive sample rate in Hz")
    if not duration_s > 0 or not math.isfinite(duration_s):
        raise ValueError("duration_s must be positive")
    n = round(duration_s * fs)
    if n < 2:
        raise ValueError("duration_s * fs must give at least 2 samples")
    v_nom = _V_NOM[gait]
    if gait == "walk":
        ratio = _WALK_RATIO
        if pat.speed is not None and pat.cadence is not None:
            # the pattern's own walk ratio links a given speed or cadence to the other
            ratio = pat.speed * 60.0 / pat.cadence ** 2
            if speed_mps is None and cadence_spm is None:
                speed_mps, cadence_spm = pat.speed, pat.cadence
        if speed_mps is None and cadence_spm is None:
            speed_mps = v_nom
        if cadence_spm is None:
            cadence_spm = math.sqrt(60.0 * speed_mps / ratio)
        if speed_mps is None:
            speed_mps = ratio * cadence_spm ** 2 / 60.0
        lo_c, hi_c, lo_v, hi_v = 50.0, 160.0, 0.2, 2.6
    else:
        if speed_mps is None and cadence_spm is None:
            speed_mps = v_nom
        if cadence_spm is None:
            cadence_spm = 166.0 * (speed_mps / 3.0) ** 0.35
        if speed_mps is None:
            speed_mps = 3.0 * (cadence_spm / 166.0) ** (1 / 0.35)
        lo_c, hi_c, lo_v, hi_v = 120.0, 230.0, 1.5, 9.0
    if not lo_c <= cadence_spm <= hi_c:
        raise ValueError(f"cadence {cadence_spm:.0f} steps/min outside {lo_c:.0f}-{hi_c:.0f} "
                         f"for gait={gait!r}")
    if not lo_v <= speed_mps <= hi_v:
        raise ValueError(f"speed {speed_mps:.2f} m/s outside {lo_v}-{hi_v} for gait={gait!r}")
    step_mean = 60.0 / cadence_spm
    stride = 2.0 * step_mean
    if gait == "walk":
        duty = float(np.clip(0.605 - 0.05 * (speed_mps - 1.3), 0.55, 0.68))
        if pat.duty is not None:
            duty = pat.duty
        q = float(np.clip(0.3 + 0.25 * (speed_mps - 1.2), 0.15, 0.5))
    else:
        duty = float(np.clip(0.245 * (3.0 / speed_mps) ** 0.75 / stride, 0.2, 0.45))
        q = 0.0
    sgn = np.array([1.0, -1.0])
    step = step_mean * (1 + sgn * step_asym_pct / 200.0)
    stance = duty * stride * (1 + sgn * stance_asym_pct / 200.0)
    swing = stride - stance
    if max(abs(stance_asym_pct), abs(step_asym_pct), abs(impact_asym_pct)) >= 100:
        raise ValueError("asymmetries must be within +-100 %")
    # stance of R must outlast the L step (double support) when walking, and vice versa
    ds = np.array([stance[1] - step[0], stance[0] - step[1]])
    if gait == "walk" and np.any(ds < 0.03 * step_mean):
        raise ValueError("these stance/step asymmetries leave no double support; walking needs "
                         "stance(R) > step(L) and stance(L) > step(R)")
    if gait == "run" and np.any(ds > -0.03 * step_mean):
        raise ValueError("these stance/step asymmetries leave no flight phase; running needs "
                         "stance(R) < step(L) and stance(L) < step(R)")
    # nominal stance phase of the end / start of double support (symmetric gait)
    u1 = float(np.clip((float(np.mean(stance)) - step_mean) / float(np.mean(stance)), 0.05, 0.45))
    knots = (u1, 1.0 - u1)
    if np.any(swing < 0.2 * stride):
        raise ValueError("stance too long for the stride: swing would be < 20 % of the stride")
    if not 0 <= variability_pct <= 10:
        raise ValueError("variability_pct must be within 0-10")
    cv = variability_pct / 100.0
    scale = (speed_mps / v_nom) ** 1.5 if gait == "walk" else speed_mps / v_nom
    impact = {}
    for seg, (amp, f, tau, delay) in _IMPACT[gait].items():
        amps = amp * scale * pat.impact_gain * (1 + sgn * impact_asym_pct / 200.0)
        impact[seg] = (amps, f, tau, delay)
    trunk = dict(_TRUNK[gait])
    trunk["rot"] *= pat.rot_gain
    trunk["tilt"] *= pat.rot_gain
    drop = trunk["drop"] + sgn * pelvic_drop_asym_deg / 2.0
    if np.any(drop < 0) or abs(pelvic_drop_asym_deg) > 20:
        raise ValueError(f"pelvic_drop_asym_deg {pelvic_drop_asym_deg}: the drop on one side "
                         f"would be negative (base drop {trunk['drop']} deg per side)")
    drop = drop - pat.hike_deg  # hip hiking (negative: that hemipelvis rises)
    # movement windows between standing periods
    if stand_s < 0:
        raise ValueError("stand_s must be >= 0")
    end = duration_s - stand_s
    user_pauses = [tuple(map(float, p)) for p in pauses]
    hes = _hesitations(hesitations_per_min, stand_s, end, stride, user_pauses, seed)
    windows: list[tuple[float, float]] = []
    cur = stand_s
    for p in sorted(user_pauses + hes, key=lambda p: p[0]):
        if len(p) != 2 or p[1] <= 0:
            raise ValueError(f"pause {p}: expected (start_s, duration_s) with duration > 0")
        if p[0] < cur:
            raise ValueError(f"pause {p} overlaps the previous pause or the initial standing")
        windows.append((cur, p[0]))
        cur = p[0] + p[1]
    windows.append((cur, end))
    min_len = 2.5 * stride
    windows = [(a, b) for a, b in windows if b - a >= min_len]
    for (_, b0), (a1, _) in pairwise(windows):
        if a1 - b0 < 1.0 + stride:
            raise ValueError(f"pause at {b0:.2f} s is shorter than {1.0 + stride:.1f} s")
    tt = []
    for tr in turns:
        tr = tuple(map(float, tr))
        if len(tr) == 2:
            tr = (tr[0], tr[1], max(abs(tr[1]) / 90.0, 0.5))
        if len(tr) != 3 or tr[2] <= 0:
            raise ValueError(f"turn {tr}: expected (start_s, angle_deg[, duration_s])")
        tt.append((tr[0], tr[2], math.radians(tr[1])))
    tarr = np.array(sorted(tt), dtype=float).reshape(-1, 3)
    if len(tarr) > 1 and np.any(tarr[1:, 0] < tarr[:-1, 0] + tarr[:-1, 1]):
        raise ValueError("turns overlap")
    drift = _per_placement(clock_drift_ppm, placements, 0.0)
    if not isinstance(clock_drift_ppm, Mapping):
        drift = {p: (0.0 if i == 0 else float(clock_drift_ppm)) for i, p in enumerate(placements)}
    if drift[placements[0]] != 0.0:
        raise ValueError("the first placement is the time reference: its drift must be 0")
    gyro = _per_placement(with_gyro, placements, True)
    orient = _per_placement(orientation, placements, None)
    rot = {p: _rotation(orient[p], np.random.default_rng([seed, 4, i]))
           for i, p in enumerate(placements)}
    noise = (0.0, 0.0) if noise is None else (float(noise[0]), float(noise[1]))
    bias = (0.0, 0.0) if bias is None else (float(bias[0]), float(bias[1]))
    params = dict(
        duration_s=duration_s, placements=list(placements), gait=gait,
        cadence_spm=round(cadence_spm, 4), speed_mps=round(speed_mps, 4),
        stance_asym_pct=stance_asym_pct, step_asym_pct=step_asym_pct,
        impact_asym_pct=impact_asym_pct, pelvic_drop_asym_deg=pelvic_drop_asym_deg,
        variability_pct=variability_pct, noise=list(noise), bias=list(bias), fs=fs,
        orientation={p: (o if o is None or isinstance(o, str) else np.asarray(o).tolist())
                     for p, o in orient.items()},
        turns=[list(map(float, t)) for t in turns], pauses=[list(map(float, p)) for p in pauses],
        stand_s=stand_s, clock_drift_ppm=drift, with_gyro=gyro, seed=seed,
        nominal=dict(step_s={"L": round(step[0], 6), "R": round(step[1], 6)},
                     stance_s={"L": round(stance[0], 6), "R": round(stance[1], 6)},
                     stride_s=round(stride, 6), duty_factor=round(duty, 4),
                     grf_shape_q=round(q, 4), pelvic_drop_deg={"L": drop[0], "R": drop[1]}),
    )
    if hesitations_per_min:
        params["hesitations_per_min"] = hesitations_per_min
        params["hesitations"] = [[round(a, 4), round(d, 4)] for a, d in hes]
    taps = _side_check_taps(side_check, stand_s, seed)
    if taps is not None:  # (absent without the gesture: such truth files stay as they were)
        params["side_check"] = {"gesture": "three taps on the outside of the hip",
                                "side": str(taps["side"]),
                                "taps_s": [round(float(x), 4) for x in taps["t"]]}
    if pat.name != "normal":  # (absent for normal gait: older truth files stay as they were)
        params["pattern"] = pat.record()
        params["nominal"]["swing_s"] = {"L": round(swing[0], 6), "R": round(swing[1], 6)}
    cfg = _Config(duration_s=duration_s, fs=fs, n=n, gait=gait, speed=speed_mps,
                   cadence=cadence_spm, step=step, stance=stance, swing=swing, stride=stride,
                   cv=cv, cv_amp=min(3 * cv, 0.3), q=q,
                   v_impulse=_vertical_impulse(q, trunk["k"]), knots=knots,
                   v_parts=_vertical_parts(q, trunk["k"], knots), impact=impact, drop=drop,
                   trunk=trunk,
                   windows=windows, turns=tarr, placements=placements, gyro=gyro, drift=drift,
                   rot=rot, noise=noise, bias=bias, seed=seed, params=params, legs=pat.legs,
                   side_check=taps)
    # vertical impulse of a nominal stance of each side (IC at 0, the other foot's FC and IC at
    # its nominal times, the load ending ``toe`` before the FC)
    zero = np.zeros(2)
    cfg.v_nominal = _stance_impulse(cfg, zero, stance[::-1] - step_mean, zero + step_mean,
                                    stance * (1.0 - trunk["toe"]))
    return cfg


# --------------------------------------------------------------------------- contact timeline

_FIELDS = ("foot", "ic", "fc", "vic", "vfc", "fco", "ico", "sw_prev", "sw_next", "x", "x_next",
           "a1", "imp",
           "drop", "bout", "flag", "aux", "step", "stride")


def _empty() -> dict[str, np.ndarray]:
    return {k: np.empty(0, dtype=np.int64 if k in ("foot", "bout", "flag") else float)
            for k in _FIELDS}


def _cat(parts: Sequence[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([p[k] for p in parts]) for k in _FIELDS}


@dataclass
class _BoutState:
    id: int
    a: float
    b: float
    lead: int
    n: int = 0
    carry_ic: float = 0.0
    carry_fc: tuple[float, float] = (0.0, 0.0)
    first_ic: float = 0.0
    x_off: float = 0.0


class _Timeline:
    """Generates the stance phases (contacts) of both feet in order, block by block.

    One contact per stance: ``ic``/``fc`` are the true contact times (NaN where the stance begins
    or ends in standing), ``vic``/``vfc`` the same with virtual fill-ins (periodic continuation).
    Random numbers come from generators keyed on (seed, bout, block), so the timeline is the same
    whatever chunk size the signal synthesis uses.
    """

    def __init__(self, cfg: _Config, sink: _TruthSink) -> None:
        self.cfg = cfg
        self.sink = sink
        self.buf = _empty()
        self.wi = 0  # next movement window
        self.bout_id = 0
        self.state: _BoutState | None = None
        self.done = False
        self._zcache: dict[tuple[int, int], np.ndarray] = {}
        self.last_x = [0.0, 0.0]  # where each foot stands after the previous bout

    # random numbers per step: rows step, stance, impact, pelvic drop
    def _z(self, bout: int, n0: int, n1: int) -> np.ndarray:
        out = []
        for blk in range(n0 // _B, (n1 - 1) // _B + 1):
            key = (bout, blk)
            if key not in self._zcache:
                if len(self._zcache) > 4:
                    self._zcache.clear()
                rng = np.random.default_rng([self.cfg.seed, 7, bout, blk])
                self._zcache[key] = np.clip(rng.standard_normal((4, _B)), -2.5, 2.5)
            out.append(self._zcache[key])
        z = np.concatenate(out, axis=1)
        off = (n0 // _B) * _B
        return z[:, n0 - off:n1 - off]

    def _next_bout(self) -> bool:
        cfg = self.cfg
        while self.wi < len(cfg.windows):
            a, b = cfg.windows[self.wi]
            self.wi += 1
            lead = self.bout_id % 2
            first = a + cfg.swing[lead]
            # at least 4 initial contacts
            if first + 3 * cfg.step.max() * 1.1 > b:
                continue
            # the first foot lands half a stride ahead of the front foot
            x_off = max(self.last_x) + 0.5 * cfg.speed * cfg.stride - cfg.speed * (first - a)
            self.state = _BoutState(self.bout_id, a, b, lead, x_off=x_off)
            self.bout_id += 1
            return True
        self.state = None
        return False

    def _block(self) -> dict[str, np.ndarray]:
        cfg, st = self.cfg, self.state
        assert st is not None
        n0 = st.n
        idx = np.arange(n0, n0 + _B + 3)
        z = self._z(st.id, n0, n0 + _B + 3)
        side = (st.lead + idx) % 2
        d = cfg.step[side] * (1 + cfg.cv * z[0])
        if n0 == 0:
            d[0] = cfg.swing[st.lead]  # from the lead toe-off (at a) to the first IC
            ic = st.a + np.cumsum(d)
            d[0] = np.nan
        else:
            ic = st.carry_ic + np.cumsum(d)
        exists = ic <= st.b
        nb = _B
        m = len(idx)
        # stance with neighbour constraints (uses the next two steps)
        d1 = np.append(d[1:], np.nan)
        d2 = np.append(d[2:], [np.nan, np.nan])
        stance = cfg.stance[side] * (1 + cfg.cv * z[1])
        if cfg.gait == "walk":
            lo = d1 + 0.03 * cfg.step.mean()
            hi = d1 + d2 - 0.2 * cfg.stride
        else:
            lo = np.full(m, 0.1 * cfg.stride)
            hi = d1 - 0.03 * cfg.step.mean()
        ok = np.isfinite(lo) & np.isfinite(hi)
        stance[ok] = np.minimum(np.maximum(stance[ok], lo[ok]), hi[ok])
        ex2 = np.append(exists[2:], [False, False])
        has_fc = exists & ex2
        fc = np.where(has_fc, ic + stance, np.nan)
        vfc = np.where(has_fc, fc, ic + cfg.stance[side])
        ic2 = np.append(ic[2:], [np.nan, np.nan])
        fc_ext = np.concatenate([st.carry_fc, fc])[:m]
        if n0 == 0:
            fc_ext[:2] = [st.a, ic[1] - cfg.swing[1 - st.lead]]
        sw_prev = ic - fc_ext
        # the other foot's FC ending this stance's initial double support, and its IC starting
        # the terminal one (the knots of the stance phase, see _stance_phase)
        fco = np.concatenate([[st.carry_fc[1]], fc])[:m]
        if n0 == 0:
            fco[0] = ic[1] - cfg.swing[1 - st.lead]
        ico = np.where(np.append(exists[1:], False), np.append(ic[1:], np.nan), np.nan)
        sw_next = np.where(has_fc, ic2 - fc, np.nan)
        stride = np.where(ex2 & exists, ic2 - ic, np.nan)
        share = np.where(np.isfinite(d1 + d2), d1 + d2, cfg.stride)
        toe = cfg.trunk["toe"]
        # the vertical impulse of this stance and of a nominal one of the other foot make the
        # body weight times the two steps
        a1 = share / (_stance_impulse(cfg, ic, fco, ico, vfc - toe * (vfc - ic))
                      + cfg.v_nominal[1 - side])
        imp_amp = np.array([cfg.impact["trunk"][0][0], cfg.impact["trunk"][0][1]])
        imp = imp_amp[side] * (1 + cfg.cv_amp * z[2])
        drop = cfg.drop[side] * (1 + cfg.cv_amp * z[3])
        flag = np.zeros(m, dtype=np.int64)
        if n0 == 0:
            flag[0] |= _FIRST
        last = exists & ~np.append(exists[1:], False)
        flag[last] |= _LAST
        x = st.x_off + cfg.speed * (ic - st.a)
        x_next = np.where(ex2 & exists, st.x_off + cfg.speed * (ic2 - st.a), np.nan)
        main = slice(0, nb)
        keep = exists[main]
        out = dict(foot=side[main], ic=ic[main], fc=fc[main], vic=ic[main], vfc=vfc[main],
                   fco=fco[main], ico=ico[main],
                   sw_prev=sw_prev[main], sw_next=sw_next[main], x=x[main], x_next=x_next[main],
                   a1=a1[main], imp=imp[main], drop=drop[main],
                   bout=np.full(nb, st.id, dtype=np.int64), flag=flag[main],
                   aux=np.full(nb, np.nan), step=d[main], stride=stride[main])
        out = {k: v[keep] for k, v in out.items()}
        parts = []
        if n0 == 0:
            st.first_ic = float(ic[0])
            s0, s1 = st.lead, 1 - st.lead
            fc_trail = float(ic[1] - cfg.swing[s1])
            init = dict(
                foot=np.array([s0, s1]), ic=np.array([np.nan, np.nan]),
                fc=np.array([st.a, fc_trail]),
                vic=np.array([st.a - cfg.stance[s0], fc_trail - cfg.stance[s1]]),
                vfc=np.array([st.a, fc_trail]), fco=np.array([np.nan, np.nan]),
                ico=np.array([np.nan, np.nan]), sw_prev=np.array([np.nan, np.nan]),
                sw_next=np.array([ic[0] - st.a, ic[1] - fc_trail]),
                x=np.array([self.last_x[s0], self.last_x[s1]]), x_next=np.array([x[0], x[1]]),
                a1=cfg.stride / cfg.v_nominal.sum() * np.ones(2),
                imp=np.array([np.nan, np.nan]), drop=cfg.drop[[s0, s1]],
                bout=np.array([st.id, st.id]), flag=np.array([_INIT_LEAD, _INIT_TRAIL]),
                aux=np.array([ic[0], np.nan]), step=np.array([np.nan, np.nan]),
                stride=np.array([np.nan, np.nan]))
            parts.append(init)
        parts.append(out)
        blk = _cat(parts)
        if exists[nb]:
            st.n = n0 + nb
            st.carry_ic = float(ic[nb - 1])
            st.carry_fc = (float(fc[nb - 2]), float(fc[nb - 1]))
        else:
            k_last = int(np.flatnonzero(exists)[-1])
            self.last_x[int(side[k_last])] = float(x[k_last])
            self.last_x[int(side[k_last - 1])] = float(x[k_last - 1])
            self.sink.add_bout(dict(start=st.first_ic, end=float(ic[k_last]),
                                    kind=cfg.gait, n_initial_contacts=n0 + k_last + 1,
                                    move_start=st.a))
            self.state = None
        self.sink.add(blk)
        return blk

    def _generate(self) -> bool:
        if self.state is None and not self._next_bout():
            self.done = True
            return False
        blk = self._block()
        self.buf = _cat([self.buf, blk])
        return True

    def window(self, t0: float, t1: float) -> dict[str, np.ndarray]:
        """Contacts around [t0, t1] (plus three more each side)."""
        while not self.done and (len(self.buf["vic"]) < 3
                                 or np.sum(self.buf["vic"] > t1 + _MARGIN_S) < 3):
            self._generate()
        vic = self.buf["vic"]
        i0 = max(int(np.searchsorted(vic, t0 - _MARGIN_S - 3.0 * self.cfg.stride)) - 3, 0)
        i1 = min(int(np.searchsorted(vic, t1 + _MARGIN_S, side="right")) + 3, len(vic))
        return {k: v[i0:i1] for k, v in self.buf.items()}

    def trim(self, t: float) -> None:
        vic = self.buf["vic"]
        i0 = max(int(np.searchsorted(vic, t - _MARGIN_S - 3.0 * self.cfg.stride)) - 4, 0)
        if i0 > 0:
            self.buf = {k: v[i0:] for k, v in self.buf.items()}

    def finish(self) -> None:
        while not self.done:
            self._generate()


# --------------------------------------------------------------------------- interpolation


def _hermite(tk: np.ndarray, pk: np.ndarray, vk: np.ndarray, t: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quintic Hermite through knots (value, slope, zero 2nd derivative): p, p', p''."""
    if len(tk) < 2:
        c = np.full(t.shape, pk[0] if len(tk) else 0.0)
        return c, np.zeros_like(t), np.zeros_like(t)
    i = np.clip(np.searchsorted(tk, t, side="right") - 1, 0, len(tk) - 2)
    h = tk[i + 1] - tk[i]
    s = np.clip((t - tk[i]) / h, 0.0, 1.0)
    s2, s3 = s * s, s * s * s
    s4, s5 = s3 * s, s3 * s2
    p0, p1, v0, v1 = pk[i], pk[i + 1], vk[i], vk[i + 1]
    h5 = 10 * s3 - 15 * s4 + 6 * s5
    dh5 = 30 * s2 - 60 * s3 + 30 * s4
    ddh5 = 60 * s - 180 * s2 + 120 * s3
    h1 = s - 6 * s3 + 8 * s4 - 3 * s5
    dh1 = 1 - 18 * s2 + 32 * s3 - 15 * s4
    ddh1 = -36 * s + 96 * s2 - 60 * s3
    h4 = -4 * s3 + 7 * s4 - 3 * s5
    dh4 = -12 * s2 + 28 * s3 - 15 * s4
    ddh4 = -24 * s + 84 * s2 - 60 * s3
    dp = p1 - p0
    p = p0 + dp * h5 + h * (v0 * h1 + v1 * h4)
    d1 = dp * dh5 / h + v0 * dh1 + v1 * dh4
    d2 = dp * ddh5 / h ** 2 + (v0 * ddh1 + v1 * ddh4) / h
    out = (t < tk[0]) | (t > tk[-1])
    if np.any(out):
        d1 = np.where(out, 0.0, d1)
        d2 = np.where(out, 0.0, d2)
    return p, d1, d2


def _no_reversal(tk: np.ndarray, pk: np.ndarray, vk: np.ndarray) -> np.ndarray:
    """Keyframe rates limited so that :func:`_hermite` never turns back between two keyframes.

    A quintic Hermite segment with zero end accelerations, mean slope ``m`` and end rates
    ``a0 m``, ``a1 m`` (``a0``, ``a1`` >= 0) is monotone when ``a0 + a1 <= 2.5``; a larger end
    rate makes it first move the other way (a toes-up bump of the foot after heel-off, a
    rebound after toe-off). The walking foot and shank tables keep within that at their design
    phase durations (foot heel-off -> toe-off 2.43; shank at most 2.14 walking, 2.34 running),
    but their rates are given at the walk's own nominal phase durations, so a slow walk's
    longer phases exceed it (severe hemiparetic sound foot: 4.7, a +1.2 rad/s toes-up lobe in
    terminal stance; severe hemiparetic shanks: up to 5-6 in mid stance, the stance rotation
    stopping twice and turning the swing way at 0.3-0.4 rad/s, where the real stroke shanks of
    trojaniello2014 rotate the stance way through the whole stance). Rates whose sign differs
    from a neighbouring segment's slope are left as they are.

    Parameters
    ----------
    tk, pk, vk : numpy.ndarray
        Keyframe times (s, increasing), values and rates (per s).

    Returns
    -------
    numpy.ndarray
        The rates, scaled down where a segment's end rates exceed that bound.
    """
    if len(tk) < 2:
        return vk
    m = np.diff(pk) / np.diff(tk)
    a0, a1 = vk[:-1] * m, vk[1:] * m  # > 0: the end rate goes the segment's way
    load = np.where(a0 > 0, np.abs(vk[:-1]), 0.0) + np.where(a1 > 0, np.abs(vk[1:]), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(load > 2.5 * np.abs(m), 2.5 * np.abs(m) / load, 1.0)
    scale = np.ones(len(vk))
    scale[:-1] = np.where(a0 > 0, f, 1.0)
    scale[1:] = np.minimum(scale[1:], np.where(a1 > 0, f, 1.0))
    return vk * scale


def _cosine(tk: np.ndarray, pk: np.ndarray, t: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Half-cosine interpolation between extremes (a sinusoid when they alternate evenly)."""
    if len(tk) < 2:
        c = np.full(t.shape, pk[0] if len(tk) else 0.0)
        return c, np.zeros_like(t), np.zeros_like(t)
    i = np.clip(np.searchsorted(tk, t, side="right") - 1, 0, len(tk) - 2)
    h = tk[i + 1] - tk[i]
    s = np.clip((t - tk[i]) / h, 0.0, 1.0)
    dp = pk[i + 1] - pk[i]
    c, sn = np.cos(np.pi * s), np.sin(np.pi * s)
    inside = (t >= tk[0]) & (t <= tk[-1])
    return (pk[i] + dp * (1 - c) / 2, inside * dp * np.pi * sn / (2 * h),
            inside * dp * np.pi ** 2 * c / (2 * h * h))


#: Sensor anti-aliasing filter: linear-phase low-pass at this fraction of the sample rate
#: (MEMS IMUs filter at roughly 0.25-0.45 x the output data rate), windowed sinc over +-this
#: many samples, evaluated on a grid this many times finer than the samples.
_AA_CUTOFF = 0.4
_AA_HALF_SAMPLES = 4
_AA_OVERSAMPLE = 32


@lru_cache(maxsize=32)
def _transient_shape(f: float, tau: float, fs: float) -> tuple[float, float, np.ndarray]:
    """Unit heel-strike transient as a sensor sampling at ``fs`` records it.

    The transient is a damped oscillation ``exp(-s/tau) sin(2 pi f s)`` (s >= 0, scaled to a peak
    of 1) passed through the sensor's anti-aliasing filter (a Hann-windowed sinc low-pass at
    ``_AA_CUTOFF * fs``, zero phase so that contact times stay put). Returns ``(t0, dx, y)``:
    ``y[i]`` is the filtered transient at ``t0 + i dx`` seconds after its onset (0 outside).
    Without the filter a transient near the Nyquist frequency would read anywhere between its
    peak and a fraction of it depending on where the samples fall (aliasing), which no real
    sensor does.
    """
    om = 2 * np.pi * f
    tp = math.atan(om * tau) / om
    norm = math.exp(-tp / tau) * math.sin(om * tp)
    dx = 1.0 / (_AA_OVERSAMPLE * fs)
    half = _AA_HALF_SAMPLES * _AA_OVERSAMPLE
    s = np.arange(-half, round(8 * tau / dx) + half + 1) * dx
    x = np.where(s >= 0, np.exp(-np.maximum(s, 0) / tau) * np.sin(om * np.maximum(s, 0)) / norm,
                 0.0)
    u = np.arange(-half, half + 1) * dx
    h = np.sinc(2 * _AA_CUTOFF * fs * u) * np.cos(np.pi * u / (2 * half * dx)) ** 2
    y = np.convolve(x, h / h.sum(), mode="same")
    return float(s[0]), dx, y


def _bump(u: np.ndarray, c: float, w: float) -> np.ndarray:
    x = (u - c) / w
    return np.where(np.abs(x) < 0.5, np.cos(np.pi * x) ** 2, 0.0)


def _stance_forces(tau: np.ndarray, q: float, k: float, ap: tuple | None, p: float
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shapes of one stance's vertical, fore-aft and medial force over its phase tau in [0, 1).

    Vertical: Alexander & Jayes (1980) ``cos(pi x) - q cos(3 pi x)`` with ``x = w - 1/2`` on the
    warped phase ``w = tau + k sin(2 pi tau)``. Fore-aft: ``-sin(2 pi tau)`` (running) or, in
    walking, a braking lobe, a broad propulsion lobe and a sharp push-off lobe (``cos^2``
    bumps; the real trunk shows a sharp forward peak at the other foot's IC) whose net impulse
    is zero. Medial: ``sin(pi tau) (1 - tau)^p`` normalised to a peak of 1.
    """
    w = tau + k * np.sin(2 * np.pi * tau)
    x = np.pi * (w - 0.5)
    fv = np.cos(x) - q * np.cos(3 * x)
    if ap is None:
        fap = -np.sin(2 * np.pi * tau)
    else:
        cb, wb, cp, wp, ck, wk, r2 = ap
        fap = (-_bump(tau, cb, wb) + (wb - r2 * wk) / wp * _bump(tau, cp, wp)
               + r2 * _bump(tau, ck, wk))
    fml = np.sin(np.pi * tau) * (1 - tau) ** p / _medial_peak(p)
    return fv, fap, fml


def _medial_peak(p: float) -> float:
    u = np.linspace(0.0, 1.0, 2001)
    return float(np.max(np.sin(np.pi * u) * (1 - u) ** p))


def _vertical_impulse(q: float, k: float) -> float:
    """Integral over tau in [0, 1] of the vertical shape of :func:`_stance_forces`."""
    return float(sum(_vertical_parts(q, k, (0.3, 0.7))))


def _vertical_parts(q: float, k: float, knots: tuple[float, float]) -> tuple[float, float, float]:
    """Integrals of the vertical shape over the phase intervals [0, u1], [u1, u2], [u2, 1]."""
    u = (np.arange(8000) + 0.5) / 8000
    f = _stance_forces(u, q, k, None, 0.0)[0] / 8000
    u1, u2 = knots
    return (float(f[u < u1].sum()), float(f[(u >= u1) & (u < u2)].sum()),
            float(f[u >= u2].sum()))


def _phase_ok(ic: np.ndarray, fco: np.ndarray, ico: np.ndarray, fc: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (fco > ic) & (ico > fco) & (fc > ico)


def _stance_phase(t: np.ndarray, ic: np.ndarray, fco: np.ndarray, ico: np.ndarray,
                  fc: np.ndarray, knots: tuple[float, float]) -> np.ndarray:
    """Phase u in [0, 1) of a walking stance, piecewise linear between its four events: IC (0),
    the other foot's FC (u1, end of the weight acceptance in double support), the other foot's
    IC (u2, start of the terminal double support) and FC (1); the nominal u1, u2 are those of
    the symmetric gait. A longer or shorter double support stretches or compresses the load
    transfer between the legs in it, so the legs' forces still share the body weight (an
    asymmetric stance changes the timing of the trunk's signals, not the total force). Where
    the knots are missing or out of order (running, the first and last steps) u is the plain
    fraction of the stance."""
    u1, u2 = knots
    tau = (t - ic) / (fc - ic)
    ok = _phase_ok(ic, fco, ico, fc)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.where(t < fco, u1 * (t - ic) / (fco - ic),
                     np.where(t < ico, u1 + (u2 - u1) * (t - fco) / (ico - fco),
                              u2 + (1 - u2) * (t - ico) / (fc - ico)))
    return np.where(ok, u, tau)


def _stance_impulse(cfg: _Config, ic: np.ndarray, fco: np.ndarray, ico: np.ndarray,
                    fc: np.ndarray) -> np.ndarray:
    """Integral over time of the vertical shape of each stance on its phase (seconds)."""
    (u1, u2), (c1, c2, c3) = cfg.knots, cfg.v_parts
    ok = _phase_ok(ic, fco, ico, fc)
    with np.errstate(invalid="ignore"):
        warped = ((fco - ic) * c1 / u1 + (ico - fco) * c2 / (u2 - u1)
                  + (fc - ico) * c3 / (1 - u2))
    return np.where(ok, warped, (fc - ic) * (c1 + c2 + c3))


def _smoothstep(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = np.clip(s, 0.0, 1.0)
    return s ** 3 * (10 - 15 * s + 6 * s * s), 30 * s * s * (1 - s) ** 2


def _monotone(tk: np.ndarray, *vals: np.ndarray) -> tuple[np.ndarray, ...]:
    """Drop knots that do not advance in time (degenerate very short phases)."""
    keep = np.ones(len(tk), dtype=bool)
    if len(tk) > 1:
        run = np.maximum.accumulate(tk)
        keep[1:] = tk[1:] > run[:-1] + 1e-4
    return (tk[keep], *(v[keep] for v in vals))


# --------------------------------------------------------------------------- body model


class _Body:
    """Everything that depends on the contact window and a time array."""

    def __init__(self, cfg: _Config, w: dict[str, np.ndarray], t: np.ndarray,
                 fs: float | None = None) -> None:
        self.cfg, self.w, self.t = cfg, w, t
        self.fs = cfg.fs if fs is None else fs  # the sensor's true rate (its clock may drift)
        self._cache: dict[str, Any] = {}

    def foot_contacts(self, s: int) -> dict[str, np.ndarray]:
        key = f"contacts{s}"
        if key not in self._cache:
            sel = self.w["foot"] == s
            self._cache[key] = {k: v[sel] for k, v in self.w.items()}
        return self._cache[key]

    # ramp between standing (0) and gait (1), and its derivative
    def ramp(self) -> tuple[np.ndarray, np.ndarray]:
        if "ramp" in self._cache:
            return self._cache["ramp"]
        cfg, w, t = self.cfg, self.w, self.t
        up = np.flatnonzero(w["flag"] & _INIT_LEAD)
        dn = np.flatnonzero(w["flag"] & _LAST)
        edges = [(w["fc"][i], 1, w["aux"][i]) for i in up]
        half = 0.5 * cfg.step.mean()
        edges += [(w["ic"][i] - half, 0, w["ic"][i] + 0.5 * cfg.stance.mean()) for i in dn]
        if not edges:
            val = np.full(t.shape, 1.0 if len(w["vic"]) else 0.0)
            res = (val, np.zeros_like(t))
        else:
            edges.sort()
            e0 = np.array([e[0] for e in edges])
            kind = np.array([e[1] for e in edges])
            e1 = np.array([e[2] for e in edges])
            j = np.searchsorted(e0, t, side="right") - 1
            jj = np.clip(j, 0, len(e0) - 1)
            s = (t - e0[jj]) / (e1[jj] - e0[jj])
            sm, dsm = _smoothstep(s)
            inside = (s > 0) & (s < 1)
            dsm = dsm * inside / (e1[jj] - e0[jj])
            val = np.where(kind[jj] == 1, sm, 1 - sm)
            der = np.where(kind[jj] == 1, dsm, -dsm)
            before = j < 0  # before the first edge: the opposite of that edge
            val = np.where(before, 1.0 - kind[0], val)
            der = np.where(before, 0.0, der)
            res = (val, der)
        self._cache["ramp"] = res
        return res

    def heading_rate(self) -> np.ndarray:
        if "yaw" in self._cache:
            return self._cache["yaw"]
        tr, t = self.cfg.turns, self.t
        r = np.zeros_like(t)
        if len(tr):
            j = np.clip(np.searchsorted(tr[:, 0], t, side="right") - 1, 0, len(tr) - 1)
            s = (t - tr[j, 0]) / tr[j, 1]
            _, ds = _smoothstep(s)
            r = np.where((s > 0) & (s < 1), tr[j, 2] * ds / tr[j, 1], 0.0)
        self._cache["yaw"] = r
        return r

    def _impact(self, seg: str, s: int) -> np.ndarray:
        """Heel-strike transient of foot ``s`` as felt at segment ``seg`` (m/s^2, upwards),
        as the sensor samples it: through its anti-aliasing filter (:func:`_transient_shape`)."""
        amps, f, tau, delay = self.cfg.impact[seg]
        c = self.foot_contacts(s)
        real = np.isfinite(c["ic"])
        ic = c["ic"][real] + delay
        scale = c["imp"][real] / self.cfg.impact["trunk"][0][s]  # per-step variation
        t = self.t
        out = np.zeros_like(t)
        if len(ic) == 0:
            return out
        t0, dx, shape = _transient_shape(f, tau, self.fs)
        lead = -t0  # the filtered transient starts this long before its onset
        j = np.searchsorted(ic, t + lead, side="right") - 1
        for back in range(3):  # a transient (< 0.3 s) overlaps at most the next two onsets
            k = j - back
            kk = np.clip(k, 0, len(ic) - 1)
            u = (t - ic[kk] - t0) / dx
            out += np.where(k >= 0, scale[kk] * np.interp(u, np.arange(len(shape)), shape,
                                                          left=0.0, right=0.0), 0.0)
        return amps[s] * out

    def trunk_force(self) -> np.ndarray:
        """Specific force at the centre of mass in the heading frame (X fwd, Y left, Z up)."""
        if "force" in self._cache:
            return self._cache["force"]
        cfg, t = self.cfg, self.t
        tr = cfg.trunk
        fv = np.zeros_like(t)
        fap = np.zeros_like(t)
        fml = np.zeros_like(t)
        for s in (0, 1):
            c = self.foot_contacts(s)
            if len(c["vic"]) == 0:
                continue
            j = np.searchsorted(c["vic"], t, side="right") - 1
            jj = np.clip(j, 0, len(c["vic"]) - 1)
            dur = c["vfc"][jj] - c["vic"][jj]
            tau = (t - c["vic"][jj]) / dur
            act = (j >= 0) & (tau >= 0) & (tau < 1)
            vic, vfc = c["vic"][jj], c["vfc"][jj]
            u = _stance_phase(t, vic, c["fco"][jj], c["ico"][jj], vfc - tr["toe"] * (vfc - vic),
                              cfg.knots)
            act &= u < 1.0
            u = np.where(act, np.clip(u, 0.0, 1.0), 0.0)
            sv, sap, sml = _stance_forces(u, cfg.q, tr["k"], tr["ap"], tr["p"])
            fv += act * c["a1"][jj] * sv
            fap += act * (tr["b"] * cfg.legs["ap"][s]) * sap
            fml -= act * (1.0 if s == 0 else -1.0) * (tr["c"] * cfg.legs["ml"][s]) * sml
        w, _ = self.ramp()
        f = np.empty((len(t), 3))
        f[:, 0] = w * G * fap
        f[:, 1] = w * (G * fml + cfg.speed * self.heading_rate())
        f[:, 2] = G + w * (G * fv - G)
        for s in (0, 1):
            imp = self._impact("trunk", s)
            f[:, 2] += imp
            f[:, 0] -= 0.3 * imp
        self._cache["force"] = f
        return f

    def pelvis(self) -> tuple[np.ndarray, np.ndarray]:
        """Pelvis angles (roll, pitch, yaw; rad) and body-frame angular velocity (rad/s)."""
        if "pelvis" in self._cache:
            return self._cache["pelvis"]
        cfg, w, t = self.cfg, self.w, self.t
        tr = cfg.trunk
        sgn = np.where(w["foot"] == 0, 1.0, -1.0)
        # obliquity: the contralateral hemipelvis drops during the loading response (peak
        # ~14-16 % of the stride after IC, Perry & Burnfield 2010) and rises back towards level
        # by the next IC: the roll rate is a sharp peak after each IC, as in the lower-back
        # recordings, and the obliquity at an IC is still the previous stance's
        val = sgn * np.radians(w["drop"])
        prev = tr["roll_hold"] * np.concatenate([-val[:1], val[:-1]])
        tk = np.column_stack([w["vic"], w["vic"] + tr["roll_load"] * cfg.stride]).ravel()
        tk, pk = _monotone(tk, np.column_stack([prev, val]).ravel())
        roll, droll, _ = _cosine(tk, pk, t)
        tk, pk = _monotone(w["vic"] + 0.18 * cfg.stride,
                           -sgn * math.radians(tr["rot"]) * np.ones(len(sgn)))
        yaw, dyaw, _ = _cosine(tk, pk, t)
        half = 0.5 * cfg.step[w["foot"]]
        tt = np.column_stack([w["vic"], w["vic"] + half]).ravel()
        amp = math.radians(tr["tilt"])
        pp = np.tile([-amp, amp], len(w["vic"]))
        tk, pk = _monotone(tt, pp)
        tilt, dtilt, _ = _cosine(tk, pk, t)
        r, dr = self.ramp()
        lean0, lean1 = math.radians(tr["lean_stand"]), math.radians(tr["lean"])
        phi, dphi = r * roll, dr * roll + r * droll
        th = lean0 + r * (lean1 - lean0 + tilt)
        dth = dr * (lean1 - lean0 + tilt) + r * dtilt
        psi, dpsi = r * yaw, dr * yaw + r * dyaw + self.heading_rate()
        ang = np.column_stack([phi, th, psi])
        cphi, sphi, cth, sth = np.cos(phi), np.sin(phi), np.cos(th), np.sin(th)
        om = np.column_stack([dphi - dpsi * sth, dth * cphi + dpsi * cth * sphi,
                              -dth * sphi + dpsi * cth * cphi])
        self._cache["pelvis"] = (ang, om)
        return ang, om

    def foot(self, s: int) -> dict[str, np.ndarray]:
        """Foot pitch (toes up +) and translation of foot ``s`` with derivatives."""
        key = f"foot{s}"
        if key in self._cache:
            return self._cache[key]
        cfg, t = self.cfg, self.t
        c = self.foot_contacts(s)
        stance = c["vfc"] - c["vic"]
        sw_prev = np.where(np.isfinite(c["sw_prev"]), c["sw_prev"], cfg.swing[s])
        sw_next = np.where(np.isfinite(c["sw_next"]), c["sw_next"], cfg.swing[s])
        has_ic, has_fc = np.isfinite(c["ic"]), np.isfinite(c["fc"])
        beta, dbeta, _ = self._keyframes(_FOOT_PITCH[cfg.gait], c, stance, sw_prev, sw_next,
                                         has_ic, has_fc, s, cfg.legs["foot"][s], monotone=True)
        fp = _FOOT_POS[cfg.gait]
        x0 = c["x"]
        xfc = x0 + fp["dx_fc"]
        xn = np.where(np.isfinite(c["x_next"]), c["x_next"], x0 + cfg.speed * cfg.stride)
        xic_next = xn + fp["x_ic"]
        vms = fp["vms"] * (xic_next - xfc) / sw_next
        sp = cfg.speed / _V_NOM[cfg.gait]
        rows = [  # time, mask, x, z, vx, vz
            (c["vic"], has_ic, x0 + fp["x_ic"], fp["z_ic"], fp["vx_ic"] * sp, fp["vz_ic"]),
            (c["vic"] + fp["flat"] * stance, has_ic, x0, 0.0, 0.0, 0.0),
            (c["vfc"] + fp["ho"] * stance, has_fc, x0, 0.0, 0.0, 0.0),
            (c["vfc"], has_fc, xfc, fp["z_fc"], fp["vx_fc"] * sp, fp["vz_fc"]),
            (c["vfc"] + 0.5 * sw_next, has_fc, 0.5 * (xfc + xic_next),
             fp["z_ms"] * cfg.legs["clear"][s], vms, 0.0),
        ]
        k = len(x0)
        tk = np.column_stack([r[0] for r in rows]).ravel()
        mk = np.column_stack([r[1] for r in rows]).ravel()
        xs = np.column_stack([np.broadcast_to(r[2], k) for r in rows]).ravel()
        zs = np.column_stack([np.broadcast_to(r[3], k) for r in rows]).ravel()
        vxs = np.column_stack([np.broadcast_to(r[4], k) for r in rows]).ravel()
        vzs = np.column_stack([np.broadcast_to(r[5], k) for r in rows]).ravel()
        tk, xs, zs, vxs, vzs = _monotone(tk[mk], xs[mk], zs[mk], vxs[mk], vzs[mk])
        _, _, ax = _hermite(tk, xs, vxs, t)
        _, _, az = _hermite(tk, zs, vzs, t)
        res = dict(beta=beta, dbeta=dbeta, ax=ax, az=az)
        res.update(self._circumduction(s, c, has_fc, sw_next))
        self._cache[key] = res
        return res

    def _circumduction(self, s: int, c: dict[str, np.ndarray], has_fc: np.ndarray,
                       sw_next: np.ndarray) -> dict[str, np.ndarray]:
        """Frontal-plane swing of leg ``s`` (circumduction): a roll of foot and shank about the
        walking direction (rad, positive = the leg's lower end outwards: about +X for the left
        leg, -X for the right) and the foot's lateral excursion (m, outwards = +Y left), both a
        half-cosine bump from FC to the next IC, with their derivatives. Empty for normal gait.

        Parameters
        ----------
        s : int
            0 left, 1 right.
        c : dict of numpy.ndarray
            The contacts of that foot (:meth:`foot_contacts`).
        has_fc : numpy.ndarray
            Which contacts end in an FC (a swing follows).
        sw_next : numpy.ndarray
            Duration of the swing after each contact (s).

        Returns
        -------
        dict of numpy.ndarray
            ``roll``, ``droll``, ``ddroll`` (rad, rad/s, rad/s^2, signed about +X) and ``ay``
            (lateral acceleration of the foot, m/s^2, +Y); ``{}`` without circumduction.
        """
        amp_deg, amp_m = self.cfg.legs["circ_deg"][s], self.cfg.legs["circ_m"][s]
        if amp_deg == 0.0 and amp_m == 0.0:
            return {}
        out = 1.0 if s == 0 else -1.0
        t0 = c["vfc"][has_fc]
        sw = sw_next[has_fc]
        tk = np.column_stack([t0, t0 + 0.5 * sw, t0 + sw]).ravel()
        unit = np.tile([0.0, 1.0, 0.0], len(t0))
        tk, unit = _monotone(tk, unit)
        g, dg, ddg = _cosine(tk, unit, self.t)  # 0 in stance and standing
        roll = out * math.radians(amp_deg)
        return dict(roll=roll * g, droll=roll * dg, ddroll=roll * ddg, ay=out * amp_m * ddg)

    def _keyframes(self, table: tuple, c: dict[str, np.ndarray], stance: np.ndarray,
                   sw_prev: np.ndarray, sw_next: np.ndarray, has_ic: np.ndarray,
                   has_fc: np.ndarray, s: int, gain: np.ndarray | None = None,
                   monotone: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Quintic-Hermite angle of a segment through the rows of ``table`` anchored on each
        contact; ``gain`` scales each row's angle and rate (a pattern's weaker push-off,
        flat-foot landing, smaller swing; ones = the table as it is); ``monotone`` limits the
        rates so that the angle never turns back between two keyframes
        (:func:`_no_reversal`)."""
        cfg = self.cfg
        if gain is None:
            gain = np.ones(len(table))
        nom = {"stance": cfg.stance[s], "sw_prev": cfg.swing[s], "sw_next": cfg.swing[s]}
        durs = {"stance": stance, "sw_prev": sw_prev, "sw_next": sw_next}
        tcols, pcols, vcols, mcols = [], [], [], []
        masks = {"ic": has_ic, "fc": has_fc, "ic_only": has_ic & ~has_fc,
                 "fc_only": has_fc & ~has_ic}
        for (anchor, dname, frac, val, rate), g in zip(table, gain.tolist(), strict=True):
            base = c["vic"] if anchor.startswith("ic") else c["vfc"]
            dur = durs[dname]
            tcols.append(base + frac * dur)
            pcols.append(np.full(len(base), math.radians(val) * g))
            vcols.append(math.radians(rate) * g * nom[dname] / dur)
            mcols.append(masks[anchor])
        tk = np.column_stack(tcols).ravel()
        mk = np.column_stack(mcols).ravel()
        pk = np.column_stack(pcols).ravel()
        vk = np.column_stack(vcols).ravel()
        tk, pk, vk = _monotone(tk[mk], pk[mk], vk[mk])
        if monotone:
            vk = _no_reversal(tk, pk, vk)
        return _hermite(tk, pk, vk, self.t)

    def shank(self, s: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        cfg = self.cfg
        c = self.foot_contacts(s)
        stance = c["vfc"] - c["vic"]
        sw_prev = np.where(np.isfinite(c["sw_prev"]), c["sw_prev"], cfg.swing[s])
        sw_next = np.where(np.isfinite(c["sw_next"]), c["sw_next"], cfg.swing[s])
        return self._keyframes(_SHANK[cfg.gait], c, stance, sw_prev, sw_next,
                               np.isfinite(c["ic"]), np.isfinite(c["fc"]), s,
                               cfg.legs["shank"][s], monotone=True)

    def thigh(self, s: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        cfg = self.cfg
        c = self.foot_contacts(s)
        (a0, f0, v0), (a1, f1, v1) = _THIGH[cfg.gait]
        t0 = (c["vic"] if a0 == "ic" else c["vfc"]) + f0 * cfg.stride
        t1 = (c["vic"] if a1 == "ic" else c["vfc"]) + f1 * cfg.stride
        tk = np.column_stack([t0, t1]).ravel()
        pk = np.tile(np.radians([v0, v1]) * cfg.legs["thigh"][s], len(t0))
        tk, pk = _monotone(tk, pk)
        g, dg, ddg = _cosine(tk, pk, self.t)
        r, dr = self.ramp()
        # second derivative of the ramp is neglected (the ramp lasts about one step)
        return r * g, dr * g + r * dg, r * ddg + 2 * dr * dg


def _sagittal(f: np.ndarray, ang: np.ndarray, rate: np.ndarray, yaw: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Heading-frame specific force -> segment rotated by ``ang`` about the right axis."""
    c, s = np.cos(ang), np.sin(ang)
    fb = np.column_stack([f[:, 0] * c + f[:, 2] * s, f[:, 1], -f[:, 0] * s + f[:, 2] * c])
    wb = np.column_stack([yaw * s, -rate, yaw * c])
    return fb, wb


def _roll(fb: np.ndarray, wb: np.ndarray, seg: dict[str, np.ndarray]
          ) -> tuple[np.ndarray, np.ndarray]:
    """Add a segment's roll (circumduction, :meth:`_Body._circumduction`) about its own
    forward axis X after its sagittal rotation: ``v -> Rx(roll).T v``, plus the roll rate on X.

    Parameters
    ----------
    fb, wb : numpy.ndarray
        (n, 3) specific force and angular velocity in the sagittally rotated segment frame.
    seg : dict of numpy.ndarray
        The foot's dict; without ``roll`` the inputs are returned unchanged.

    Returns
    -------
    tuple of numpy.ndarray
        Specific force and angular velocity in the rolled segment frame.
    """
    if "roll" not in seg:
        return fb, wb
    c, s = np.cos(seg["roll"]), np.sin(seg["roll"])
    f = np.column_stack([fb[:, 0], c * fb[:, 1] + s * fb[:, 2], -s * fb[:, 1] + c * fb[:, 2]])
    w = np.column_stack([wb[:, 0] + seg["droll"], c * wb[:, 1] + s * wb[:, 2],
                         -s * wb[:, 1] + c * wb[:, 2]])
    return f, w


def _mount_leg(v: np.ndarray) -> np.ndarray:
    """Segment frame (X fwd, Y left, Z up) -> device (x right, y up, z backwards)."""
    return np.column_stack([-v[:, 1], v[:, 2], -v[:, 0]])


def _mount_foot(v: np.ndarray) -> np.ndarray:
    """Foot frame -> device (x right, y forward, z up)."""
    return np.column_stack([-v[:, 1], v[:, 0], v[:, 2]])


def _sensor(body: _Body, placement: str) -> tuple[np.ndarray, np.ndarray]:
    """Noise-free specific force and angular velocity in the nominal device frame."""
    yaw = body.heading_rate()
    side = 0 if placement.startswith("left") else 1
    if placement == "lower_back":
        f = body.trunk_force()
        (phi, th, psi), om = body.pelvis()[0].T, body.pelvis()[1]
        if body.cfg.side_check is not None:
            tf, tw = _taps_signal(body.cfg, body.t, 1.0 - body.ramp()[0])
            f, om = f + tf, om + tw
        # f_body = Rx(-phi) Ry(-th) Rz(-psi) f
        c, s = np.cos(psi), np.sin(psi)
        x, y, z = f[:, 0] * c + f[:, 1] * s, -f[:, 0] * s + f[:, 1] * c, f[:, 2]
        c, s = np.cos(th), np.sin(th)
        x, z = x * c - z * s, x * s + z * c
        c, s = np.cos(phi), np.sin(phi)
        y, z = y * c + z * s, -y * s + z * c
        return _mount_leg(np.column_stack([x, y, z])), _mount_leg(om)
    if placement.endswith("foot"):
        ft = body.foot(side)
        f = np.column_stack([ft["ax"], ft.get("ay", np.zeros_like(ft["ax"])), ft["az"] + G])
        imp = body._impact("foot", side)
        f[:, 2] += imp
        f[:, 0] -= 0.5 * imp
        fb, wb = _roll(*_sagittal(f, ft["beta"], ft["dbeta"], yaw), ft)
        return _mount_foot(fb), _mount_foot(wb)
    if placement.endswith("shank"):
        ft = body.foot(side)
        a, da, dda = body.shank(side)
        ca, sa = np.cos(a), np.sin(a)
        lat = np.zeros_like(a)
        if "roll" in ft:  # the sensor sits _R_SHANK above the ankle: lateral -R sin(roll)
            r, dr, ddr = ft["roll"], ft["droll"], ft["ddroll"]
            lat = ft["ay"] - _R_SHANK * (ddr * np.cos(r) - dr * dr * np.sin(r))
        f = np.column_stack([ft["ax"] - _R_SHANK * (dda * ca - da * da * sa), lat,
                             ft["az"] + G - _R_SHANK * (dda * sa + da * da * ca)])
        imp = body._impact("shank", side)
        f[:, 2] += imp
        f[:, 0] -= 0.3 * imp
        fb, wb = _roll(*_sagittal(f, a, da, yaw), ft)
        return _mount_leg(fb), _mount_leg(wb)
    # pocket: thigh about the hip, hip moving with the trunk
    g, dg, ddg = body.thigh(side)
    cg, sg = np.cos(g), np.sin(g)
    f = body.trunk_force().copy()
    f[:, 0] += _R_POCKET * (ddg * cg - dg * dg * sg)
    f[:, 2] += _R_POCKET * (ddg * sg + dg * dg * cg)
    f[:, 2] += body._impact("thigh", side) - body._impact("trunk", side)
    fb, wb = _sagittal(f, g, dg, yaw)
    return _mount_leg(fb), _mount_leg(wb)


# --------------------------------------------------------------------------- truth


def _si(left: float, right: float) -> float | None:
    if not (np.isfinite(left) and np.isfinite(right)) or left + right == 0:
        return None
    return round(100.0 * (left - right) / (0.5 * (left + right)), 4)


class _TruthSink:
    """Collects the truth from the generator's blocks, in memory or in temporary files."""

    LISTS = ("ic", "fc", "stance_L", "stance_R", "swing_L", "swing_R", "step_L", "step_R",
             "stride_L", "stride_R")
    EXTRA = ("imp_L", "imp_R", "drop_L", "drop_R")

    def __init__(self, tmpdir: Path | None = None) -> None:
        self.tmpdir = tmpdir
        self.mem: dict[str, list] = {k: [] for k in self.LISTS}
        self.files = {}
        self.empty = dict.fromkeys(self.LISTS, True)
        if tmpdir is not None:
            self.files = {k: open(tmpdir / f"{k}.part", "w")  # noqa: SIM115
                          for k in self.LISTS}
        self.sums = {k: [0, 0.0] for k in self.LISTS + self.EXTRA}
        for s in SIDES:
            self.sums[f"n_ic_{s}"] = [0, 0.0]
            self.sums[f"n_fc_{s}"] = [0, 0.0]
        self.bouts: list[dict] = []

    def add_bout(self, b: dict) -> None:
        self.bouts.append(b)

    def _emit(self, key: str, values: np.ndarray | list) -> None:
        if isinstance(values, np.ndarray):
            if key not in ("ic", "fc"):
                self.sums[key][0] += len(values)
                self.sums[key][1] += float(np.sum(values))
            items = np.round(values, 4).tolist() if key not in ("ic", "fc") else values
        else:
            items = values
        if not len(items):
            return
        if self.tmpdir is None:
            self.mem[key].extend(items)
            return
        text = json.dumps(items)[1:-1]
        fh = self.files[key]
        if not self.empty[key]:
            fh.write(", ")
        fh.write(text)
        self.empty[key] = False

    def add(self, c: dict[str, np.ndarray]) -> None:
        side = np.array(SIDES)[c["foot"]]
        ic = np.isfinite(c["ic"])
        fc = np.isfinite(c["fc"])
        self._emit("ic", [{"t": t, "side": s, "impact_ms2": a} for t, s, a in
                          zip(np.round(c["ic"][ic], 4).tolist(), side[ic].tolist(),
                              np.round(c["imp"][ic], 4).tolist(), strict=True)])
        self._emit("fc", [{"t": t, "side": s} for t, s in
                          zip(np.round(c["fc"][fc], 4).tolist(), side[fc].tolist(), strict=True)])
        for k, s in enumerate(SIDES):
            m = c["foot"] == k
            self._emit(f"stance_{s}", (c["fc"] - c["ic"])[m & ic & fc])
            self._emit(f"swing_{s}", c["sw_next"][m & ic & fc & np.isfinite(c["sw_next"])])
            self._emit(f"step_{s}", c["step"][m & ic & np.isfinite(c["step"])])
            self._emit(f"stride_{s}", c["stride"][m & ic & np.isfinite(c["stride"])])
            for key, arr, mask in ((f"imp_{s}", c["imp"], m & ic), (f"drop_{s}", c["drop"], m)):
                self.sums[key][0] += int(mask.sum())
                self.sums[key][1] += float(np.sum(arr[mask]))
        self.sums["ic"][0] += int(ic.sum())
        self.sums["fc"][0] += int(fc.sum())
        for k, s in enumerate(SIDES):
            self.sums[f"n_ic_{s}"][0] += int((ic & (c["foot"] == k)).sum())
            self.sums[f"n_fc_{s}"][0] += int((fc & (c["foot"] == k)).sum())

    def mean(self, key: str) -> float:
        n, s = self.sums[key]
        return s / n if n else float("nan")

    def summary(self) -> dict[str, Any]:
        def pair(k: str, nd: int = 4) -> dict[str, float | None]:
            out = {}
            for s in SIDES:
                m = self.mean(f"{k}_{s}")
                out[s] = round(m, nd) if np.isfinite(m) else None
            return out

        ms, mst, mstr, msw = pair("stance"), pair("step"), pair("stride"), pair("swing")
        frac = {s: (round(ms[s] / mstr[s], 4) if ms[s] and mstr[s] else None) for s in SIDES}
        steps = [self.mean("step_L"), self.mean("step_R")]
        n_steps = self.sums["step_L"][0] + self.sums["step_R"][0]
        mean_step = (self.sums["step_L"][1] + self.sums["step_R"][1]) / n_steps \
            if n_steps else float("nan")
        return {
            "n_initial_contacts": {s: self.sums[f"n_ic_{s}"][0] for s in SIDES},
            "n_final_contacts": {s: self.sums[f"n_fc_{s}"][0] for s in SIDES},
            "n_stance_times": {s: self.sums[f"stance_{s}"][0] for s in SIDES},
            "mean_stance_s": ms,
            "stance_symmetry_index_pct": _si(self.mean("stance_L"), self.mean("stance_R")),
            "mean_step_s": mst,
            "step_symmetry_index_pct": _si(*steps),
            "mean_swing_s": msw,
            "swing_symmetry_index_pct": _si(self.mean("swing_L"), self.mean("swing_R")),
            "mean_stride_s": mstr,
            "stance_fraction": frac,
            "cadence_spm": round(60.0 / mean_step, 3) if np.isfinite(mean_step) else None,
            "impact_symmetry_index_pct": _si(self.mean("imp_L"), self.mean("imp_R")),
            "pelvic_drop_deg": pair("drop", 4),
            "pelvic_drop_asym_deg": round(self.mean("drop_L") - self.mean("drop_R"), 4)
            if self.sums["drop_L"][0] and self.sums["drop_R"][0] else None,
        }

    def close(self) -> None:
        for fh in self.files.values():
            fh.close()


def _standing(bouts: list[dict], duration: float) -> list[dict]:
    out, cur = [], 0.0
    for b in bouts:
        if b["move_start"] > cur:
            out.append({"start": round(cur, 4), "end": round(b["move_start"], 4)})
        cur = b["end"]
    if duration > cur:
        out.append({"start": round(cur, 4), "end": round(duration, 4)})
    return out


def _head(cfg: _Config) -> dict[str, Any]:
    mounts = {"lower_back": ("upright on L5, screen facing backwards: x right, y up, z back", "+y"),
              "foot": ("flat on the instep: x right, y forward (toes), z up", "+z"),
              "shank": ("front of the shin: x right, y up the shank, z back", "+y"),
              "pocket": ("front trouser pocket, screen to the thigh, top up: x right, y up, "
                         "z back", "+y")}
    sensors = {}
    for p in cfg.placements:
        key = "lower_back" if p == "lower_back" else p.split("_")[-1]
        desc, gax = mounts[key]
        sensors[p] = {"mount": desc, "gravity_axis_at_rest_nominal": gax,
                      "orientation_matrix": np.round(cfg.rot[p], 9).tolist(),
                      "clock_drift_ppm": cfg.drift[p], "gyroscope": bool(cfg.gyro[p])}
    return {
        "schema_version": SCHEMA_VERSION,
        "dataset": "gait.simulate",
        "reference_system": "simulation ground truth (exact)",
        "time_axis": "seconds from the first sample of the first stream; a stream with clock "
                     "drift d ppm shows an event at t as t * (1 + d * 1e-6)",
        "params": cfg.params,
        "sensors": sensors,
    }


def _turns_json(cfg: _Config) -> list[dict]:
    return [{"start": round(float(a), 4), "end": round(float(a + d), 4),
             "angle_deg": round(math.degrees(r), 3)}
            for a, d, r in cfg.turns]


def _bouts_json(bouts: list[dict]) -> list[dict]:
    return [{"start": round(b["start"], 4), "end": round(b["end"], 4), "kind": b["kind"],
             "n_initial_contacts": b["n_initial_contacts"]} for b in bouts]


@dataclass
class Truth:
    """The ground truth of a simulation (schema of ``shared/validation`` "Converted format").

    ``initial_contacts``: lists of ``{"t", "side", "impact_ms2"}`` (the amplitude of that
    step's heel-strike transient at the trunk; the foot's, shank's and thigh's scale with it);
    ``final_contacts``: lists of ``{"t", "side"}``; the ``*_times_s``
    dicts hold per-side lists (the side of a stride is the side of the IC that starts it; an L
    step ends with an L IC); ``summary`` has the means and symmetry indices
    SI = 100 (L - R) / (0.5 (L + R)) of the means.
    """

    head: dict[str, Any]
    walking_bouts: list[dict]
    standing: list[dict]
    turns: list[dict]
    initial_contacts: list[dict]
    final_contacts: list[dict]
    stance_times_s: dict[str, list[float]]
    swing_times_s: dict[str, list[float]]
    step_times_s: dict[str, list[float]]
    stride_times_s: dict[str, list[float]]
    summary: dict[str, Any]

    @property
    def params(self) -> dict[str, Any]:
        return self.head["params"]

    def ic_times(self, side: str | None = None) -> np.ndarray:
        return np.array([e["t"] for e in self.initial_contacts
                         if side is None or e["side"] == side])

    def fc_times(self, side: str | None = None) -> np.ndarray:
        return np.array([e["t"] for e in self.final_contacts
                         if side is None or e["side"] == side])

    def side_accuracy(self, t: np.ndarray, sides: np.ndarray, tol_s: float = 0.1) -> float:
        """Share of detected ICs (times ``t``, sides ``sides``) within ``tol_s`` of a true IC
        whose side they name right (NaN when none is that close)."""
        rt = self.ic_times()
        rs = np.array([e["side"] for e in self.initial_contacts])
        t = np.asarray(t, float)
        if not len(t) or not len(rt):
            return float("nan")
        j = np.abs(rt[None, :] - t[:, None]).argmin(axis=1)
        ok = np.abs(rt[j] - t) < tol_s
        return float(np.mean((np.asarray(sides) == rs[j])[ok])) if ok.any() else float("nan")

    def to_json(self) -> dict[str, Any]:
        return {**self.head, "walking_bouts": self.walking_bouts, "standing": self.standing,
                "turns": self.turns, "initial_contacts": self.initial_contacts,
                "final_contacts": self.final_contacts, "stance_times_s": self.stance_times_s,
                "swing_times_s": self.swing_times_s, "step_times_s": self.step_times_s,
                "stride_times_s": self.stride_times_s,
                "step_count": len(self.initial_contacts),
                "step_count_source": "number of simulated initial contacts",
                "summary": self.summary}

    def write(self, path: str | Path) -> Path:
        p = Path(path)
        p.write_text(json.dumps(self.to_json()) + "\n")
        return p


def _write_truth_file(sink: _TruthSink, cfg: _Config, path: Path) -> None:
    """Assemble the truth JSON from the temporary list files (bounded memory)."""
    sink.close()
    head = _head(cfg)
    n_ic = sink.sums["ic"][0]
    parts = [(k, json.dumps(v)) for k, v in head.items()]
    parts += [("walking_bouts", json.dumps(_bouts_json(sink.bouts))),
              ("standing", json.dumps(_standing(sink.bouts, cfg.duration_s))),
              ("turns", json.dumps(_turns_json(cfg)))]
    with open(path, "w") as out:
        out.write("{")
        for k, v in parts:
            out.write(f"{json.dumps(k)}: {v}, ")

        def copy(key: str) -> None:
            out.write("[")
            with open(sink.tmpdir / f"{key}.part") as fh:  # type: ignore[operator]
                shutil.copyfileobj(fh, out)
            out.write("]")

        out.write('"initial_contacts": ')
        copy("ic")
        out.write(', "final_contacts": ')
        copy("fc")
        for name in ("stance", "swing", "step", "stride"):
            out.write(f', "{name}_times_s": {{"L": ')
            copy(f"{name}_L")
            out.write(', "R": ')
            copy(f"{name}_R")
            out.write("}")
        out.write(f', "step_count": {n_ic}, "step_count_source": '
                  f'"number of simulated initial contacts", "summary": '
                  f"{json.dumps(sink.summary())}}}\n")


# --------------------------------------------------------------------------- side check

#: the side-check gesture (:mod:`gait.events.side_check`): three taps on the outside of a hip
#: during the initial standing. Each tap is a damped oscillation of the pelvis's specific force
#: (``_TAP_HZ``, decay ``_TAP_TAU_S``), its first lobe pointing away from the tapped hip (the
#: hand pushes the pelvis towards the midline), peak ``_TAP_AMP`` m/s^2 (a ~0.5 kg hand stopping
#: from ~1 m/s in ~20 ms on the ~10-20 kg of pelvis and soft tissue that a brief push moves:
#: 1.5-4 m/s^2; illustrative, not fitted to recordings), off its axis by ``_TAP_SKEW`` (SD,
#: forward and vertical: a tap is never exactly sideways), preceded by the arm's reaction (the
#: trunk pushed towards the tapped side while the arm swings in, ``_TAP_REACT`` m/s^2, ~0.1 s)
#: and with a small roll and yaw burst. Standing gets a postural sway when the gesture is
#: simulated (random sinusoids of 0.2-1 Hz, ``_SWAY_MS2`` m/s^2 RMS per horizontal axis: a centre
#: of mass swaying by a few mm, Prieto et al. 1996, IEEE TBME 43:956-966), so that the detector
#: does not rely on a perfectly still standing.
_TAP_HZ, _TAP_TAU_S = 12.0, 0.03
_TAP_AMP = (1.5, 4.0)
_TAP_SKEW = 0.25
_TAP_REACT = 0.3
_TAP_GAP_S = (0.35, 0.8)
_SWAY_MS2 = 0.03
SIDE_CHECK_MIN_STAND_S = 5.0


def _side_check_taps(side: str | None, stand_s: float, seed: int
                     ) -> dict[str, Any] | None:
    """The taps of a side check: times (s), peak amplitudes, push directions (heading frame X
    forward, Y left, Z up), roll/yaw burst amplitudes and the standing sway's sinusoids; None
    without one."""
    if side is None:
        return None
    key = str(side).strip().lower()
    if key not in ("left", "right", "l", "r"):
        raise ValueError(f"side_check {side!r}: expected 'left' or 'right'")
    sd = "L" if key in ("left", "l") else "R"
    if stand_s < SIDE_CHECK_MIN_STAND_S:
        raise ValueError(f"side_check needs stand_s >= {SIDE_CHECK_MIN_STAND_S:g} s (quiet "
                         "standing, the three taps, quiet standing before the walk)")
    rng = np.random.default_rng([seed, 8])
    t0 = rng.uniform(1.0, stand_s - 3.5)
    t = t0 + np.concatenate([[0.0], np.cumsum(rng.uniform(*_TAP_GAP_S, 2))])
    d = np.column_stack([rng.normal(0.0, _TAP_SKEW, 3),
                         np.full(3, -1.0 if sd == "L" else 1.0),
                         rng.normal(0.0, _TAP_SKEW, 3)])
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    return {"side": sd, "t": t, "amp": rng.uniform(*_TAP_AMP, 3), "dir": d,
            "burst": rng.normal(0.0, 0.15, (3, 2)),
            "sway_f": rng.uniform(0.2, 1.0, (2, 4)), "sway_ph": rng.uniform(0, 2 * np.pi, (2, 4))}


def _taps_signal(cfg: _Config, t: np.ndarray, standing: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Specific force (heading frame, m/s^2) and angular velocity (rad/s) the side check's taps
    and the standing sway add at the pelvis; ``standing`` weighs the sway (1 standing, 0
    walking)."""
    sc = cfg.side_check
    assert sc is not None
    f = np.zeros((len(t), 3))
    w = np.zeros((len(t), 3))
    for k in range(len(sc["t"])):  # three taps
        u = t - sc["t"][k]
        pulse = np.where(u >= 0, np.exp(-np.maximum(u, 0) / _TAP_TAU_S)
                         * np.sin(2 * np.pi * _TAP_HZ * u), 0.0) / 0.549  # first lobe peak 1
        react = -_TAP_REACT * np.exp(-0.5 * ((u + 0.1) / 0.05) ** 2)
        f += (sc["amp"][k] * pulse + react)[:, None] * sc["dir"][k][None, :]
        w[:, 0] += sc["burst"][k, 0] * pulse
        w[:, 2] += sc["burst"][k, 1] * pulse
    amp = _SWAY_MS2 / np.sqrt(0.5 * sc["sway_f"].shape[1])
    for j in (0, 1):  # forward and sideways sway
        f[:, j] += standing * amp * np.sin(2 * np.pi * sc["sway_f"][j][None, :] * t[:, None]
                                           + sc["sway_ph"][j][None, :]).sum(axis=1)
    return f, w


# --------------------------------------------------------------------------- synthesis


def _noise_block(seed: int, stream: int, k0: int, k1: int) -> np.ndarray:
    out = []
    for blk in range(k0 // _NOISE_BLOCK, (k1 - 1) // _NOISE_BLOCK + 1):
        out.append(np.random.default_rng([seed, 6, stream, blk]).standard_normal(
            (_NOISE_BLOCK, 6)))
    z = np.concatenate(out)
    off = (k0 // _NOISE_BLOCK) * _NOISE_BLOCK
    return z[k0 - off:k1 - off]


def _chunks(cfg: _Config, sink: _TruthSink, chunk_s: float
            ) -> Iterator[tuple[int, dict[str, tuple[np.ndarray, np.ndarray | None]]]]:
    """Yield (first sample index, {placement: (acc, gyr)}) chunk by chunk."""
    tl = _Timeline(cfg, sink)
    step = max(round(chunk_s * cfg.fs), 1)
    biases = {}
    for i, p in enumerate(cfg.placements):
        rng = np.random.default_rng([cfg.seed, 5, i])
        biases[p] = (rng.normal(0.0, 1.0, 3) * cfg.bias[0], rng.normal(0.0, 1.0, 3) * cfg.bias[1])
    for k0 in range(0, cfg.n, step):
        k1 = min(k0 + step, cfg.n)
        tref = np.arange(k0, k1) / cfg.fs
        times = {p: tref / (1.0 + cfg.drift[p] * 1e-6) for p in cfg.placements}
        lo = min(float(t[0]) for t in times.values())
        hi = max(float(t[-1]) for t in times.values())
        w = tl.window(lo, hi)
        bodies: dict[float, _Body] = {}
        out = {}
        for i, p in enumerate(cfg.placements):
            d = cfg.drift[p]
            if d not in bodies:
                bodies[d] = _Body(cfg, w, times[p], cfg.fs * (1.0 + d * 1e-6))
            acc, gyr = _sensor(bodies[d], p)
            q = cfg.rot[p]
            acc = acc @ q
            gyr = gyr @ q
            z = _noise_block(cfg.seed, i, k0, k1)
            ba, bg = biases[p]
            acc = acc + ba + cfg.noise[0] * z[:, :3]
            gyr = gyr + bg + cfg.noise[1] * z[:, 3:] if cfg.gyro[p] else None
            out[p] = (acc, gyr)
        tl.trim(lo)
        yield k0, out
    tl.finish()


def simulate(
    duration_s: float = 60.0,
    placements: Sequence[str] = ("lower_back",),
    gait: str = "walk",
    *,
    cadence_spm: float | None = None,
    speed_mps: float | None = None,
    stance_asym_pct: float | None = None,
    step_asym_pct: float | None = None,
    impact_asym_pct: float | None = None,
    pelvic_drop_asym_deg: float | None = None,
    variability_pct: float | None = None,
    noise: tuple[float, float] | None = (0.02, 0.003),
    bias: tuple[float, float] | None = (0.05, 0.003),
    fs: float = 100.0,
    orientation: Any = None,
    turns: Sequence[Sequence[float]] = (),
    pauses: Sequence[Sequence[float]] = (),
    stand_s: float = 2.0,
    clock_drift_ppm: float | Mapping[str, float] = 0.0,
    with_gyro: bool | Mapping[str, bool] = True,
    seed: int = 0,
    pattern: str = "normal",
    affected_side: str = "L",
    severity: float | str = "moderate",
    hesitations_per_min: float = 0.0,
    side_check: str | None = None,
) -> tuple[Recording, Truth]:
    """Simulate a walk or run in memory: the :class:`Recording` and its :class:`Truth`.

    Parameters
    ----------
    duration_s: length of the recording (s), standing ``stand_s`` at both ends included.
    placements: any of :data:`SIM_PLACEMENTS`; the first one is the time reference.
    gait: ``"walk"`` or ``"run"``.
    cadence_spm, speed_mps: either or both; the other follows from the walk ratio (walking) or a
        running cadence law. Defaults: 1.3 m/s (110 steps/min) walking, 3.0 m/s (166) running.
        An impaired ``pattern`` has its own (see the module docstring); giving one of them
        keeps the pattern's walk ratio (step length / cadence) for the other.
    stance_asym_pct, step_asym_pct, impact_asym_pct: symmetry indices SI = 100 (L - R) /
        (0.5 (L + R)) of the mean stance time, step time and heel-strike impact; positive = left
        larger. Swing asymmetry follows (the stride is the same for both sides). ``None``: the
        pattern's (0 for normal gait); a number replaces the pattern's value.
    pelvic_drop_asym_deg: pelvic drop while on the left leg minus while on the right leg (deg);
        ``None``: 0 (a hemiparetic pattern's hip hiking comes on top).
    variability_pct: step-to-step coefficient of variation of step and stance times (%);
        amplitudes (impact, pelvic drop) vary by three times that (at most 30 %). ``None``: the
        pattern's (2 % for normal gait).
    noise: white-noise SD (accelerometer m/s^2, gyroscope rad/s); ``None`` for none.
    bias: SD of the constant per-axis offsets drawn per sensor (same units); ``None`` for none.
    fs: sample rate (Hz).
    orientation: ``None`` (nominal mount, see the module docstring), ``"random"``, Euler angles
        (deg, extrinsic ``"xyz"``) or a 3x3 rotation matrix; or a dict per placement.
    turns: ``(start_s, angle_deg[, duration_s])`` each (positive = to the left; default duration
        1 s per 90 deg, at least 0.5 s).
    pauses: ``(start_s, duration_s)`` standing periods within the recording.
    stand_s: standing time at the start and at the end.
    clock_drift_ppm: clock drift of every stream after the first (ppm, positive = its clock runs
        fast), or a dict per placement.
    with_gyro: whether the sensors have a gyroscope (bool or dict per placement).
    seed: seeds every random draw (timeline, noise, bias, random orientation).
    pattern: ``"normal"``, ``"hemiparetic"`` or ``"shuffling"`` (walking only; see the module
        docstring, "Impaired gait"). The truth's ``params.pattern`` records it with the
        affected side and severity (absent for normal gait).
    affected_side: ``"L"``/``"R"`` (or ``"left"``/``"right"``): the paretic side
        (hemiparetic) or the more affected side (shuffling).
    severity: 0..1 or ``"mild"`` (0.3), ``"moderate"`` (0.6), ``"severe"`` (1.0).
    hesitations_per_min: brief stops (1.5-2.5 s plus a stride of standing) at about this many
        per minute, spread evenly with jitter (any walk; meant for ``"shuffling"``); recorded
        in the truth's ``params.hesitations`` and ``standing``.
    side_check: ``"left"`` or ``"right"``: the side-check gesture of
        :mod:`gait.events.side_check` (three taps on the outside of that hip) during the
        initial standing (``stand_s`` >= 5 s), felt by the lower-back sensor only (the taps
        and a postural sway while standing); the truth's ``params.side_check`` records the
        side and the tap times. ``None`` (default): no gesture, the signals as without the
        option.
    """
    cfg = _configure(duration_s, placements, gait, cadence_spm, speed_mps, stance_asym_pct,
                     step_asym_pct, impact_asym_pct, pelvic_drop_asym_deg, variability_pct,
                     noise, bias, fs, orientation, turns, pauses, stand_s, clock_drift_ppm,
                     with_gyro, seed, pattern, affected_side, severity, hesitations_per_min,
                     side_check)
    sink = _TruthSink()
    acc = {p: [] for p in cfg.placements}
    gyr = {p: [] for p in cfg.placements}
    for _, out in _chunks(cfg, sink, 600.0):
        for p, (a, g) in out.items():
            acc[p].append(a)
            if g is not None:
                gyr[p].append(g)
    streams = [SensorStream(placement=p, sample_rate_hz=cfg.fs, acc=np.concatenate(acc[p]),
                            gyr=np.concatenate(gyr[p]) if cfg.gyro[p] else None,
                            name=f"simulated {p}",
                            info={"simulated": True, "clock_drift_ppm": cfg.drift[p],
                                  "measured_rate_hz": cfg.fs})
               for p in cfg.placements]
    rec = Recording(streams=streams, source_format=Simulation.source_format,
                    app=Simulation.app, device=Simulation.device,
                    meta={"simulation": cfg.params})
    truth = Truth(head=_head(cfg), walking_bouts=_bouts_json(sink.bouts),
                  standing=_standing(sink.bouts, cfg.duration_s), turns=_turns_json(cfg),
                  initial_contacts=sink.mem["ic"], final_contacts=sink.mem["fc"],
                  stance_times_s={s: sink.mem[f"stance_{s}"] for s in SIDES},
                  swing_times_s={s: sink.mem[f"swing_{s}"] for s in SIDES},
                  step_times_s={s: sink.mem[f"step_{s}"] for s in SIDES},
                  stride_times_s={s: sink.mem[f"stride_{s}"] for s in SIDES},
                  summary=sink.summary())
    return rec, truth


class Simulation:
    """A simulation of any duration, chunk by chunk in bounded memory, for a writer: the
    arguments are those of :func:`simulate`; the signals are identical to its signals for the
    same arguments, whatever the chunk length. It knows no file format: :func:`gait.demo.
    simulate_to_file` writes it as a gait recording through :mod:`gait.io.gaitcsv`."""

    #: what the recording says of itself (``Recording`` fields, as :func:`simulate` sets them)
    source_format = "gait-simulate"
    app = "gait simulate"
    device = "simulated IMU"

    def __init__(self, **kwargs: Any) -> None:
        self.cfg = _configure(**{**_defaults(), **kwargs})

    @property
    def placements(self) -> tuple[str, ...]:
        return tuple(self.cfg.placements)

    @property
    def sample_rate_hz(self) -> float:
        return float(self.cfg.fs)

    def has_gyr(self, placement: str) -> bool:
        return bool(self.cfg.gyro[placement])

    @property
    def meta(self) -> dict[str, Any]:
        """The recording's ``meta`` (``{"simulation": the parameters}``)."""
        return {"simulation": self.cfg.params}

    def chunks(self, truth: str | Path, chunk_s: float = 600.0
               ) -> Iterator[dict[str, tuple[np.ndarray, np.ndarray | None]]]:
        """Yield ``{placement: (acc, gyr or None)}`` for every ``chunk_s`` seconds, in order;
        once the last chunk has been taken, write the truth JSON to ``truth`` (assembled from
        temporary list files beside it, so memory does not grow with the duration)."""
        if not chunk_s > 0:
            raise ValueError("chunk_s must be positive")
        truth = Path(truth)
        with tempfile.TemporaryDirectory(dir=truth.parent, prefix=".sim-") as tmp:
            sink = _TruthSink(Path(tmp))
            for _, out in _chunks(self.cfg, sink, chunk_s):
                yield out
            _write_truth_file(sink, self.cfg, truth)


def _defaults() -> dict[str, Any]:
    import inspect

    sig = inspect.signature(simulate)
    return {k: v.default for k, v in sig.parameters.items()}




#: share of the thigh's motion in a back-pocket phone (:func:`simulate_back_pocket`)
BACK_POCKET_THIGH_SHARE = 0.4


def simulate_back_pocket(duration_s: float = 60.0, side: str = "L", *,
                         thigh_share: float = BACK_POCKET_THIGH_SHARE, orientation: Any = None,
                         noise: tuple[float, float] | None = (0.02, 0.003),
                         bias: tuple[float, float] | None = (0.05, 0.003),
                         with_gyro: bool = True, seed: int = 0, **kwargs: Any
                         ) -> tuple[Recording, Truth]:
    """A phone in the back trouser pocket of ``side`` ("L"/"R"): one stream named
    ``left_pocket`` / ``right_pocket`` (the pocket's side, as a user gives it), and the truth.

    Model (not validated: the only real back-pocket recordings, oxford_step_counter's, have no
    gyroscope and no pocket side): the phone lies on the buttock behind the hip, so it moves
    with the pelvis, and the gluteal tissue under it follows the thigh's flexion-extension in
    part. Its specific force and angular rate are the pelvis's (the ``lower_back`` sensor's)
    and the front-pocket thigh's (``*_pocket``) blended, ``thigh_share`` of the thigh's, both
    simulated in their nominal mounts (the same axes: x right, y up, z back; the screen faces
    backwards), then turned to ``orientation`` (as :func:`simulate`'s) and given white noise
    and a constant bias per axis (``noise``, ``bias``: SDs as :func:`simulate`'s). The
    ipsilateral heel strike arrives through the pocket leg (its share of the thigh's impact),
    the other through the pelvis (the trunk's). Every other keyword goes to :func:`simulate`
    (``gait``, ``step_asym_pct``, ``stance_asym_pct``, ``pattern``, ...); the truth is its truth.
    """
    side = {"left": "L", "right": "R"}.get(side, side)
    if side not in SIDES:
        raise ValueError(f"side must be 'L' or 'R', got {side!r}")
    if not 0.0 <= thigh_share <= 1.0:
        raise ValueError(f"thigh_share must be within 0..1, got {thigh_share!r}")
    pocket = "left_pocket" if side == "L" else "right_pocket"
    rec, truth = simulate(duration_s, placements=(pocket, "lower_back"), orientation=None,
                          noise=None, bias=None, with_gyro=with_gyro, seed=seed, **kwargs)
    thigh, pelvis = rec.stream(pocket), rec.stream("lower_back")
    w = float(thigh_share)
    acc = (1.0 - w) * pelvis.acc + w * thigh.acc
    gyr = None
    if with_gyro and thigh.gyr is not None and pelvis.gyr is not None:
        gyr = (1.0 - w) * pelvis.gyr + w * thigh.gyr
    rng = np.random.default_rng([seed, 0xBAC])
    q = _rotation(orientation, rng)
    acc = acc @ q
    na, ng = noise if noise is not None else (0.0, 0.0)
    ba, bg = bias if bias is not None else (0.0, 0.0)
    acc = acc + rng.normal(0.0, 1.0, 3) * ba + na * rng.standard_normal(acc.shape)
    if gyr is not None:
        gyr = gyr @ q
        gyr = gyr + rng.normal(0.0, 1.0, 3) * bg + ng * rng.standard_normal(gyr.shape)
    stream = SensorStream(placement=pocket, sample_rate_hz=thigh.sample_rate_hz, acc=acc,
                          gyr=gyr, name=f"simulated back pocket ({pocket})",
                          info={**thigh.info, "back_pocket": True})
    meta = {**rec.meta, "back_pocket": {"side": side, "thigh_share": w,
                                        "orientation_matrix": np.round(q, 9).tolist()}}
    out = Recording(streams=[stream], source_format=rec.source_format, app=rec.app,
                    device=rec.device, meta=meta)
    return out, truth
