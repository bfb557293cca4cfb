"""The model's fixed tables: keyframes of the foot, shank and thigh angles, foot positions, impact
transients and trunk motion per gait, nominal speeds, and the generator's block sizes.
"""

from __future__ import annotations

SCHEMA_VERSION = 1
SIM_PLACEMENTS: tuple[str, ...] = (
    "lower_back", "left_foot", "right_foot", "left_shank", "right_shank",
    "left_pocket", "right_pocket", "pocket",
)
SIDES = ("L", "R")
STEPS_PER_BLOCK = 1024  # steps per generator block (fixed: results never depend on the chunk size)
NOISE_BLOCK = 8192  # samples per noise block
MARGIN_S = 2.5  # contacts kept around a chunk

# flags of a contact
FLAG_INIT_LEAD, FLAG_INIT_TRAIL, FLAG_FIRST, FLAG_LAST = 1, 2, 4, 8

# Keyframe tables. Hermite rows: (anchor, duration, fraction, value deg, rate deg/s at the
# nominal phase duration). anchor: "ic"|"fc"; duration: "stance"|"sw_prev"|"sw_next".
FOOT_PITCH = {
    "walk": (("ic", "sw_prev", -0.035, 20.0, 0.0), ("ic", "stance", 0.045, 12.0, -300.0),
             ("ic", "stance", 0.18, 0.0, 0.0), ("fc", "stance", -0.38, 0.0, 0.0),
             ("fc", "stance", -0.045, -45.0, -500.0), ("fc", "sw_next", 0.07, -58.0, 0.0)),
    "run": (("ic", "sw_prev", -0.04, 12.0, 0.0), ("ic", "stance", 0.10, 5.0, -250.0),
            ("ic", "stance", 0.30, 0.0, 0.0), ("fc", "stance", -0.50, 0.0, 0.0),
            ("fc", "stance", -0.10, -40.0, -700.0), ("fc", "sw_next", 0.30, -95.0, 0.0)),
}
SHANK = {
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
# running thigh (pocket) extremes, cosine interpolation: (anchor, fraction of stride, value
# deg; walking: THIGH_WALK below). Running: flexion maximum 0.18 stride before the IC
# (swing-phase retraction, Novacheck 1998, Gait Posture 7:77-95; the marker-derived thigh
# sensors of the fukuchi2017 runs in shared/validation: 0.17-0.20), extension maximum just
# after toe-off (fukuchi2017: ~0.06 stride after FC), so the flexion half-cycle is the shorter
# one, as in those runs
THIGH = {"run": (("ic", -0.18, 40.0), ("fc", 0.06, -18.0))}
#: walking thigh (pocket) angle, a quintic Hermite with continuous curvature
#: (:func:`gait.simulate.forces.hermite_c2_interp`; rates limited by
#: :func:`gait.simulate.forces.cubic_no_reversal`): (anchor "ic"|"fc", fraction of the stride,
#: value deg, rate deg per stride). Flexion maximum 0.13 stride before the IC and a slight
#: extension (3 deg) into the contact; extension maximum 0.09 stride before the FC; the
#: swing's fastest flexion at the FC (peak hip flexion at ~85-87 % of the cycle, a few degrees
#: more than at the IC, peak extension at ~50-55 %, fastest flexion in initial swing: Perry &
#: Burnfield 2010, "Gait analysis", 2nd ed.; Winter 1991, "The biomechanics and motor control
#: of human gait"; peak thigh rate ~200 deg/s at a normal pace, Aminian et al. 2002, J Biomech
#: 35:689-699). Measured on the marker-derived thigh sensors of fukuchi2018 (0.48 / 0.63 m/s,
#: force plates) in shared/validation (medians per thigh; gaitkit's Parkinson's walks beside):
#: flexion maximum 0.16-0.30 step periods (0.08-0.15 stride) before the IC; flexion rate at
#: the IC +6 to -55 deg per stride (+3 to -42 deg/s; -40 here, the 0.63 m/s walk's; gaitkit 0
#: to -35); extension maximum 0.09-0.16 stride before the FC (gaitkit 0.15-0.26); fastest
#: swing flexion 0.00-0.03 stride after the FC (gaitkit 0.02-0.06 before), 201-236 deg per
#: stride. Simulated (``benchmarks``-style stride averages, 1.3 / 0.63 / 0.48 m/s): flexion
#: maximum 0.25-0.26 step periods before the IC, IC rate -21 to -37 deg/s, extension maximum
#: 0.09-0.10 stride before the FC, fastest flexion 0.03 stride after it, 207-212 deg per
#: stride. The extension maximum is the latest of the measured range: 0.12 stride before the
#: FC (the median) put it at the contralateral IC at 1.3 m/s, where the steps before the two
#: legs' contacts hold equal thigh rotation, and :mod:`gait.events.pocket`'s swing cue of the
#: sides swapped whole simulated walks (L/R 0.12). The simulated thigh turns about its lateral
#: axis only, so its rate passes through zero at each turning point, where the real thighs'
#: ab/adduction and axial rotation keep it up: a quintic Hermite with zero curvature at every
#: keyframe (flat turning points) had it below 25 % of its 95th percentile 45 % of the time
#: (placement feature ``still25``; real pockets 13-29 %) and read it as a shank; a cubic
#: Hermite (29-31 %) jumps in curvature at the keyframes, which put broadband energy into the
#: simulated back pocket and swapped its impact side cue; this one: 26-38 %.
#: Before 2026-12 the walking thigh was a cosine between a flexion maximum 0.07 stride before
#: the IC and an extension maximum 0.08 before the FC (28 / -15 deg): the flexion maximum led
#: the IC by 0.12 step periods, the swing's fastest flexion came 0.07-0.09 stride after the
#: FC, and the swing's deceleration peaked at the flexion maximum itself. That put the
#: thigh's own vertical acceleration (the swing's acceleration, then deceleration, of a phone
#: in front of the femur) later than in the real front pockets (oxford_step_counter: the
#: swing's dip of the vertical acceleration at ~0.75 of the pocket leg's stride; simulated
#: 0.85-0.9 before, 0.8-0.85 now), and the step-band peaks of :mod:`gait.events.pocket`
#: 85-88 ms after the ICs at 1.3 m/s (real oxford_step_counter pocket walks, per leg: -64 to
#: +31 ms); now 51-54 ms (the lower back alone: +48). At fukuchi2018's speeds and cadences:
#: 100 ms at 0.63 / 91 steps/min (real 64-117; before 212) and 146 ms at 0.48 / 63 (real
#: 202-255, half its 0.46 s double support; the simulator's stance is shorter there; before
#: 278). The step band's RMS (:data:`gait.events.pocket.SLOW_RMS`'s measure) is now above
#: the real thighs' (0.27 / 0.49-0.50 m/s^2 at those two walks, real 0.17-0.20 / 0.38-0.40;
#: before 0.16 / 0.27-0.28).
THIGH_WALK = (("ic", -0.13, 28.0, 0.0), ("ic", 0.0, 25.0, -40.0), ("fc", -0.09, -15.0, 0.0),
              ("fc", 0.0, -4.0, 200.0))
# foot translation keyframes (m, m/s): IC, foot flat, heel off, FC, mid swing
FOOT_POS = {
    "walk": dict(x_ic=-0.02, z_ic=0.03, vx_ic=0.5, vz_ic=-0.3, flat=0.18, ho=-0.38,
                 dx_fc=0.05, z_fc=0.05, vx_fc=0.8, vz_fc=0.4, z_ms=0.09, vms=1.6),
    "run": dict(x_ic=-0.03, z_ic=0.03, vx_ic=1.0, vz_ic=-0.8, flat=0.30, ho=-0.50,
                dx_fc=0.08, z_fc=0.08, vx_fc=2.0, vz_fc=1.0, z_ms=0.25, vms=1.6),
}
# impact transient per segment: (peak m/s^2 at the nominal speed, frequency Hz, decay s, onset
# delay after IC s). Walking trunk: the lower-back recordings of shared/validation peak 40-50 ms
# after the foot-referenced IC (the heel-strike force builds up and travels up the leg).
IMPACT = {
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
TRUNK = {
    "walk": dict(b=0.19, c=0.13, k=0.04, ap=(0.16, 0.35, 0.70, 0.60, 0.83, 0.16, 0.5), p=1.0,
                 toe=0.05, drop=4.0, roll_load=0.14, roll_hold=0.3, rot=4.0, tilt=1.5, lean=3.0,
                 lean_stand=1.0),
    # rot < 0: in running the pelvis rotates the other way round in the transverse plane
    # (Novacheck 1998, Gait Posture 7:77-95; in antiphase with walking on the fukuchi2017 runs)
    "run": dict(b=0.35, c=0.05, k=0.0, ap=None, p=0.0, toe=0.0, drop=4.0, roll_load=0.14,
                roll_hold=0.3, rot=-6.0, tilt=3.0, lean=8.0, lean_stand=1.0),
}
R_SHANK, R_POCKET = 0.20, 0.25  # sensor distance from ankle / hip (along the segment's axis)
#: a front-pocket phone's offset from the thigh's axis (hip to knee), m, perpendicular to it:
#: ahead (anterior) and outwards (lateral). A trouser pocket lies on the front of the thigh,
#: slightly to the side, not on the femur: fukuchi2017's and fukuchi2018's virtual pocket
#: phones in shared/validation sit 8 cm out of the thigh at 45 deg between forward and lateral
#: (5.7 cm ahead, 5.7 cm outwards; their READMEs), and a thigh's radius is ~8 cm at mid-thigh
#: (circumference ~50 cm). 7 cm ahead and 4 cm out: 8 cm from the axis, 30 deg out of
#: straight ahead. Only the anterior part enters the signals
#: (:func:`gait.simulate.body._pocket_lever`): the simulated thigh turns about its lateral axis
#: only (no ab/adduction or axial rotation), so a lateral offset lies on the rotation axis and
#: adds nothing. Before 2026-12 the phone sat on the thigh's axis (0, 0).
POCKET_AHEAD, POCKET_OUT = 0.07, 0.04
#: knee-ankle distance (m) of the swinging leg, per gait (None: the ankle's swing is keyframed
#: directly, as in walking; see :meth:`gait.simulate.body.Body._swing_about_knee`). Running:
#: 0.43 m, the functional knee-ankle length of the fukuchi2017 runners in shared/validation
#: (0.432-0.451 m; 0.246 x height, Winter 2009)
KNEE_ANKLE = {"walk": None, "run": 0.43}
#: hip-knee distance (m) of the swinging leg, per gait: 0.46 m running (fukuchi2017:
#: 0.454-0.475 m)
THIGH_LENGTH = {"walk": None, "run": 0.46}
#: share of the time from mid swing to IC over which a running ankle is handed back from the
#: swinging leg to its keyframed landing (:meth:`gait.simulate.body.Body._swing_about_knee`;
#: 0.2: ~45 ms at 3 m/s, the shortest of 0.1 / 0.2 / 0.35 that left the simulator's running-foot
#: impact SI errors of ``benchmarks/validate_sim.py`` no larger than with the keyframed swing)
SWING_HANDBACK = 0.2
V_NOM = {"walk": 1.3, "run": 3.0}
WALK_RATIO = 0.0064  # m per (step/min), Sekiya & Nagasaki 1998
