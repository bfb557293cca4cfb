"""Where a sensor was worn, from the signal: lower back, trouser pocket, hand, foot or shank.

Every real phone export arrives without a placement. :func:`infer_placement` tells the
placement from what the sensor does to gravity and rotation over the strides of the walking
part of the recording, with features that do not depend on how the device was oriented on the
body (on-body location recognition: Kunze et al. 2005, Vahdatpour et al. 2011, Mannini et al.
2015 use the same kind of orientation-free statistics over walking).

Features (over the walking windows found by :func:`gait.events.bouts.detect_bouts`, 3 s each)
--------------------------------------------------------------------------------------
* ``hswing_deg`` (gyroscope and gravity): range of the rotation angle about the main
  horizontal axis, the rate about the window's mean gravity direction removed first
  (:func:`_horizontal_swing`): a limb segment swings about a medio-lateral axis through tens
  of degrees per stride (Perry & Burnfield 2010); the trunk tilts a few, and its pelvic yaw
  and the turns of the walk (which made a lower back look like a limb) are about the vertical.
* ``swing_deg`` (gyroscope): the same about the main axis of any direction (the first
  principal axis of the 0.25-8 Hz rate, integrated), for a gyroscope without gravity.
* ``planar`` (gyroscope): the share of the rate variance on that axis (limbs rotate about one
  axis, the pelvis about three).
* ``rate_p95`` (gyroscope): the 95th percentile of ``|gyr|`` in deg/s: a thigh rotates slower
  than a shank, a foot fastest (peak sagittal rates about 200, 350 and 500 deg/s at a normal
  pace; Aminian et al. 2002, Perry & Burnfield 2010).
* ``smooth`` (gyroscope): 95th over 50th percentile of ``|gyr|`` (the thigh rotates nearly
  sinusoidally; shank and foot have a sharp mid-swing peak over a slow stance).
* ``still``, ``still10``, ``still25`` (gyroscope): the fraction of the window with ``|gyr|``
  below 15, 10 and 25 % of its 95th percentile: a foot stands flat and still in stance
  (zero-velocity intervals, Sabatini et al. 2005), a shank rotates through it.
* ``neg_peak``, ``neg_frac`` (gyroscope): the main-axis rate signed so that mid-swing is
  positive; the opposite peak over the mid-swing peak, and the share of time below -15 % of
  the 95th percentile (the foot's short, sharp push-off and foot-lowering lobes against the
  shank's long, low stance lobe; Aminian et al. 2002).
* ``tilt_deg`` (gravity): 95th percentile of the angle between the 1.2 Hz low-passed
  acceleration and its window mean (a limb's gravity vector swings with the segment);
  ``tilt3_deg`` the same at 3 Hz (with the stride's harmonics).
* ``v_share`` (gravity): the share of the 0.5-20 Hz acceleration along gravity (the trunk
  moves mostly up and down; a limb's swing and the gravity it turns through are across it).
* ``jerk_still`` (gravity): the share of samples whose jerk is below 10 % of its 95th
  percentile (a segment at rest, as zero-velocity detection from the acceleration; Skog et al.
  2010). These three and ``acc_still`` place a sensor without a gyroscope
  (:func:`_gravity_shape`).
* ``half_ac``: the 3-D autocorrelation at half its fundamental lag (the trunk repeats every
  step, one leg every stride; Moe-Nilssen & Helbostad 2004).
* ``regularity``: the highest 3-D autocorrelation peak at 0.3-2.5 s (:func:`_regularity`). A
  walk repeats every step or stride; white noise's autocorrelation has a standard error of
  about 1 / sqrt(3 n) over n samples of three axes, so a "walk" whose regularity is not
  :data:`MIN_REGULARITY_Z` (6) such errors above zero is no walk (noise on gravity passed the
  bout detector and was read as a confident lower back; the lowest labelled walk is near 9).
* ``peaky``: 99th over 50th percentile of the 0.5-20 Hz acceleration magnitude (impacts);
  ``acc_p95`` its 95th percentile in m/s^2.
* ``acc_still``: the fraction of samples with ``|acc|`` within 1 m/s^2 of g.
* ``screen_up``: ``|g_z| / |g|`` of the mean acceleration (a phone held to be read faces up).

Decision: a tree of fitted logistic nodes
-----------------------------------------
Three binary nodes, trunk | limb, thigh | lower leg, foot | shank (:data:`TREE`), each a ridge
logistic regression (Hosmer et al. 2013) on a few standardised features chosen from the
physiology above (:data:`NODE_FEATURES`; one set with a gyroscope and gravity, one with a
gyroscope and linear acceleration, one from the acceleration with gravity alone; the sets
were picked by the leave-one-dataset-out accuracy of each node among the physiological
candidates). A class's probability is the product of the node probabilities on its path; the
top class is the guess and its probability the confidence. The coefficients (:data:`MODEL`,
one parameter set for every file) are fitted by ``python benchmarks/placement.py --fit`` on the
labelled recordings of ``shared/validation`` and on simulated walks (normal, hemiparetic,
shuffling, running; random orientation), every (data set, placement) group weighing the same.
A trunk-like phone from a phone app whose screen faces up is ``hand`` (the odds are updated by
Bayes' rule with :data:`SCREEN_UP_LR`); a chest sensor reads like a lower-back one and is named
among the candidates. Linear acceleration (no gravity) without a gyroscope is never placed:
neither the tilt nor the rotation is there, and the trunk's contacts need gravity.

Confidence: a placement is used from :data:`MIN_CONFIDENCE` (0.9) on; below it the user is
asked with the likely ``PLACEMENT=`` names. The threshold was set from the leave-one-dataset-
out guesses of the benchmark (each data set scored by a model fitted without it, the
simulator counting as one data set): from 0.9 on every held-out guess was right (154 of 335
used; 0.85: 98.9 %, 2 of 188 wrong; refitted 2026-12 on the simulator's new walking thigh,
:data:`gait.simulate.constants.THIGH_WALK`; before: 0.85: 99.5 %, a running foot read as
shank at 0.897). The fit saw the labelled recordings, so the in-sample figures are not
blind; the leave-one-dataset-out ones are.
A confident guess must also be the guess of each half of the walk's windows alone
(:func:`_half_agreement`): else its confidence drops to the disagreeing half's probability,
and a walk of a single window (under 6 s) is asked for. On 8-25 s crops of the labelled
recordings this left 1 confident wrong guess of 344 used (4 of 332 before these features).
Without a gyroscope a running foot and a running shank are told apart by how hard they are
thrown about: a running foot is the end of a shank swinging at 8-10 rad/s, its 0.5-20 Hz
acceleration larger than the shank's (``acc_p95`` 45-63 against 26-36 m/s^2 on the
marker-based runs of fukuchi2017, 44 against 30 on the simulator's). The simulator used to
keyframe the swinging ankle without that pendulum and had it the other way round (34 against
39), so the two disagreed and 6 of 24 simulated feet were read as shanks; since the
simulated running swing is the leg's chain (:mod:`gait.simulate`), none is. With their
acceleration alone the 6 fukuchi2017 feet and 6 shanks all get the right top guess too, but
a running foot or shank without a gyroscope stays below the threshold (foot 0.55-0.95,
shank 0.53-0.63 on fukuchi2017; 0.62-0.78 on the simulator): one marker-based running data
set, smoothed at 15 Hz, is too little to trust more.

References
----------
Kunze K, Lukowicz P, Junker H, Tröster G (2005). Where am I: recognizing on-body positions of
wearable sensors. LoCA 2005, LNCS 3479:264-275.
Vahdatpour A, Amini N, Sarrafzadeh M (2011). On-body device localization for health and
medical monitoring applications. IEEE PerCom 2011:37-44.
Mannini A, Sabatini AM, Intille SS (2015). Accelerometry-based recognition of the placement
sites of a wearable sensor. Pervasive Mob Comput 21:62-74.
Perry J, Burnfield JM (2010). Gait analysis: normal and pathological function, 2nd ed.
Sabatini AM, Martelloni C, Scapellato S, Cavallo F (2005). Assessment of walking features from
foot inertial sensing. IEEE Trans Biomed Eng 52:486-494.
Aminian K, Najafi B, Büla C, Leyvraz PF, Robert P (2002). Spatio-temporal parameters of gait
measured by an ambulatory system using miniature gyroscopes. J Biomech 35:689-699.
Hosmer DW, Lemeshow S, Sturdivant RX (2013). Applied logistic regression, 3rd ed. Wiley.
Skog I, Händel P, Nilsson JO, Rantakokko J (2010). Zero-velocity detection: an algorithm
evaluation. IEEE Trans Biomed Eng 57:2657-2666.
Moe-Nilssen R, Helbostad JL (2004). Estimation of gait cycle characteristics by trunk
accelerometry. J Biomech 37:121-126.

Size: one classifier: its features, its fitted model literal and its inference read together
with the evidence above.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gait.events.bouts import detect_bouts
from gait.events.pocket import acf, vertical_from_linear
from gait.preprocess import bandpass, fill_gaps, gravity_direction, lowpass
from gait.recording import MIN_GAIT_HZ, G, SensorStream

WORK_HZ = 50.0  # features on a <= ~50 Hz copy (rotation and tilt are below 10 Hz)
WIN_S = 3.0  # feature windows (2-3 strides)
AC_WIN_S = 6.0  # autocorrelation windows
TILT_LP_HZ = 1.2  # below the step frequency: the trunk's step accelerations do not tilt
MIN_WALK_S = 3.0  # walking needed to tell anything (one feature window)
#: the walk's periodicity must stand this many standard errors of white noise's above zero
#: (:func:`_regularity` against 1 / sqrt(3 n) for n samples of three axes)
MIN_REGULARITY_Z = 6.0
#: a guess is used from this confidence on (set from the leave-one-dataset-out table of
#: ``benchmarks/placement.py``: the lowest level at which >= 98 % of the held-out guesses
#: above it are right)
MIN_CONFIDENCE = 0.9
SCREEN_UP = 0.7
#: ridge penalty of the node fits (on standardised features, weights summing to 2)
RIDGE = 0.01
#: the classes of the tree and its nodes: (node, positive classes, negative classes)
CLASSES = ("lower_back", "pocket", "foot", "shank")
TREE = (("trunk", ("lower_back",), ("pocket", "foot", "shank")),
        ("pocket", ("pocket",), ("foot", "shank")),
        ("foot", ("foot",), ("shank",)))
#: the features of each node: with a gyroscope and gravity, with a gyroscope and linear
#: acceleration, and with gravity alone (no gyroscope)
NODE_FEATURES = {
    "gyro": {"trunk": ("hswing_deg", "acc_still", "smooth"),
             "pocket": ("hswing_deg", "still25", "rate_p95", "peaky"),
             "foot": ("smooth", "still10", "neg_peak")},
    "gyro_lin": {"trunk": ("swing_deg", "planar", "smooth"),
                 "pocket": ("smooth", "rate_p95", "peaky"),
                 "foot": ("smooth", "still10", "neg_peak")},
    "acc": {"trunk": ("tilt_deg", "tilt3_deg", "peaky"),
            "pocket": ("acc_still", "v_share", "jerk_still"),
            "foot": ("tilt_deg", "acc_still", "acc_p95", "v_share")},
}
#: the feature that tells each set's sensor has it (a gyroscope and gravity, a gyroscope
#: with linear acceleration, gravity alone)
KIND_NEEDS = {"gyro": "hswing_deg", "gyro_lin": "swing_deg", "acc": "tilt_deg"}
#: features used on a log scale (ratios and ranges)
LOG_FEATURES = frozenset({"swing_deg", "smooth", "peaky", "tilt_deg", "hswing_deg", "rate_p95",
                          "acc_p95", "tilt3_deg"})
#: fitted node models, (mean, sd, coefficients with the intercept first) per feature set and
#: node: printed by ``python benchmarks/placement.py --fit`` (real labelled + simulated walks)
MODEL: dict[str, dict[str, tuple[tuple[float, ...], ...]]] = {
    "gyro": {
        "trunk": (
            (3.637, 0.3804, 1.031,),
            (1.061, 0.2328, 0.3989,),
            (-2.784, -3.136, -0.4311, -0.7063,),
        ),
        "pocket": (
            (4.175, 0.3906, 5.811, 1.572,),
            (0.4671, 0.1378, 0.5255, 0.54,),
            (-3.777, -1.08, -1.076, -1.206, -2.231,),
        ),
        "foot": (
            (1.179, 0.2302, 0.6998,),
            (0.398, 0.1419, 0.1556,),
            (0.6644, -0.7556, 2.274, 2.199,),
        ),
    },
    "gyro_lin": {
        "trunk": (
            (3.868, 0.8636, 1.092,),
            (0.8201, 0.1451, 0.4245,),
            (-3.407, -1.834, -1.562, -0.7389,),
        ),
        "pocket": (
            (1.162, 5.82, 1.637,),
            (0.4275, 0.4789, 0.491,),
            (-3.815, -0.9244, -1.971, -2.2,),
        ),
        "foot": (
            (1.222, 0.2694, 0.7373,),
            (0.4162, 0.1417, 0.1527,),
            (1.814, -0.7589, 2.275, 2.14,),
        ),
    },
    "acc": {
        "trunk": (
            (2.321, 3.382, 1.371,),
            (0.7711, 0.6802, 0.5721,),
            (-2.578, -1.756, -1.216, -1.224,),
        ),
        "pocket": (
            (0.3265, 0.3507, 0.1572,),
            (0.2228, 0.195, 0.1188,),
            (-2.296, 1.303, 1.916, -2.75,),
        ),
        "foot": (
            (2.801, 0.326, 3.063, 0.2758,),
            (0.3818, 0.2034, 0.5485, 0.1283,),
            (0.7632, 0.9855, 2.588, 2.145, -1.544,),
        ),
    },
}
#: likelihood ratio of a phone's screen facing up (``screen_up`` >= :data:`SCREEN_UP`) on a
#: limb against in the hand: 0 of 13 labelled limb phones against 5 of 5 hand-held ones, with
#: Laplace's rule, (0 + 1) / (13 + 2) over (5 + 1) / (5 + 2)
SCREEN_UP_LR = (1 / 15) / (6 / 7)
#: ``PLACEMENT=`` names of each class (a chest sensor reads like a lower-back one)
CANDIDATES = {"lower_back": ("lower_back", "chest"), "hand": ("hand", "lower_back"),
              "pocket": ("left_pocket", "right_pocket"), "foot": ("left_foot", "right_foot"),
              "shank": ("left_shank", "right_shank")}


@dataclass(frozen=True)
class PlacementFeatures:
    """Orientation-free features of the walking part (NaN where the sensor lacks them)."""

    walking_s: float
    swing_deg: float
    planar: float
    smooth: float
    still: float
    tilt_deg: float
    half_ac: float
    screen_up: float
    still10: float = np.nan
    still25: float = np.nan
    neg_peak: float = np.nan
    neg_frac: float = np.nan
    peaky: float = np.nan
    acc_still: float = np.nan
    linear: bool = False
    rate_p95: float = np.nan
    hswing_deg: float = np.nan
    acc_p95: float = np.nan
    v_share: float = np.nan
    tilt3_deg: float = np.nan
    regularity: float = np.nan
    jerk_still: float = np.nan


@dataclass(frozen=True)
class PlacementGuess:
    """What :func:`infer_placement` found.

    ``placement`` is ``lower_back``, ``hand``, ``pocket``, ``foot`` or ``shank`` (the side of a
    pocket, foot or shank cannot be told from one sensor), or None without walking;
    ``candidates`` the placements to choose from (``PLACEMENT=`` names); ``reason`` one line.
    """

    placement: str | None
    confidence: float
    candidates: tuple[str, ...]
    reason: str
    features: PlacementFeatures | None = None

    @property
    def usable(self) -> bool:
        return self.placement is not None and self.confidence >= MIN_CONFIDENCE


def _windows(mask: np.ndarray, n: int, hop: int) -> list[int]:
    idx = np.flatnonzero(mask)
    if not len(idx):
        return []
    runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
    return [s for r in runs for s in range(int(r[0]), int(r[-1]) - n + 2, hop)]


def placement_features(stream: SensorStream, part: int | None = None
                       ) -> PlacementFeatures | None:
    """The features of :func:`infer_placement` over the walking part; None without
    :data:`MIN_WALK_S` of walking (or below :data:`~gait.recording.MIN_GAIT_HZ`). ``part`` 0
    or 1: over the first or the second half of the walking windows only (None without a
    window there)."""
    fs = float(stream.sample_rate_hz)
    if fs < MIN_GAIT_HZ or stream.n_samples < int(2 * WIN_S * fs) or \
            np.isnan(stream.acc).all():
        return None
    dec = max(1, int(fs // WORK_HZ))
    fw = fs / dec
    acc = fill_gaps(stream.acc)
    gyr = None if stream.gyr is None or np.isnan(stream.gyr).all() else fill_gaps(stream.gyr)
    if dec > 1:
        acc = lowpass(acc, fs, 0.4 * fw)[::dec]
        gyr = None if gyr is None else lowpass(gyr, fs, 0.4 * fw)[::dec]
    total = stream.acc_kind == "total"
    v = (np.einsum("ij,ij->i", acc, gravity_direction(acc, fw)) - G if total
         else vertical_from_linear(acc, fw))
    mask = detect_bouts(v, fw).gait_mask
    if mask.sum() < MIN_WALK_S * fw:
        return None
    k = int(WIN_S * fw)
    ws = _windows(mask, k, k)
    ka = int(AC_WIN_S * fw)
    wa = _windows(mask, ka, ka // 2)
    if part is not None:  # the first or the second half of the walk's windows
        ws = ws[:len(ws) // 2] if part == 0 else ws[len(ws) // 2:]
        if not ws:
            return None
        keep = np.zeros(len(mask), dtype=bool)
        keep[ws[0]:ws[-1] + k] = True
        mask = mask & keep
        wa = [w for w in wa if ws[0] <= w and w + ka <= ws[-1] + k]
    if not ws:
        return None
    take = np.asarray(ws)[:, None] + np.arange(k)[None, :]
    tilt = screen = acc_still = np.nan
    extra: dict[str, float] = {}
    mu = None
    if total:
        lp = lowpass(acc, fw, TILT_LP_HZ)[take]
        u = lp / np.maximum(np.linalg.norm(lp, axis=2, keepdims=True), 1e-9)
        mu = u.mean(axis=1, keepdims=True)
        mu /= np.maximum(np.linalg.norm(mu, axis=2, keepdims=True), 1e-9)
        ang = np.degrees(np.arccos(np.clip((u * mu).sum(axis=2), -1.0, 1.0)))
        tilt = float(np.median(np.percentile(ang, 95, axis=1)))
        g = acc[mask].mean(axis=0)
        screen = float(abs(g[2]) / max(np.linalg.norm(g), 1e-9))
        acc_still = float(np.median(np.mean(
            np.abs(np.linalg.norm(acc[take], axis=2) - G) < 1.0, axis=1)))
    swing = planar = smooth = still = still10 = still25 = neg_peak = neg_frac = np.nan
    if gyr is not None:
        gw = bandpass(gyr, fw, 0.25, 8.0)[take]
        ev, vec = np.linalg.eigh(np.einsum("wki,wkj->wij", gw, gw))
        planar = float(np.median(ev[:, -1] / np.maximum(ev.sum(axis=1), 1e-12)))
        w = np.einsum("wki,wi->wk", gw, vec[:, :, -1])
        angle = np.cumsum(w, axis=1) / fw
        swing = float(np.degrees(np.median(np.percentile(angle, 97, axis=1)
                                           - np.percentile(angle, 3, axis=1))))
        gn = np.linalg.norm(gyr[take], axis=2)
        p95 = np.percentile(gn, 95, axis=1)
        smooth = float(np.median(p95 / np.maximum(np.percentile(gn, 50, axis=1), 1e-3)))
        still10, still, still25 = (float(np.median(np.mean(gn < q * p95[:, None], axis=1)))
                                   for q in (0.10, 0.15, 0.25))
        # the main-axis rate signed so that its largest excursion (mid-swing) is positive
        w = w * np.sign(np.take_along_axis(w, np.abs(w).argmax(axis=1)[:, None], axis=1))
        top = np.percentile(w, 98, axis=1)
        neg_peak = float(np.median(-np.percentile(w, 2, axis=1) / np.maximum(top, 1e-6)))
        neg_frac = float(np.median(np.mean(w < -0.15 * np.percentile(np.abs(w), 95, axis=1)
                                          [:, None], axis=1)))
    if gyr is not None:
        extra["rate_p95"] = float(np.degrees(np.median(p95)))
        if mu is not None:
            extra["hswing_deg"] = _horizontal_swing(gw, mu, fw)
    hp3 = bandpass(acc, fw, 0.5, min(20.0, 0.45 * fw))[take]
    hp = np.linalg.norm(hp3, axis=2)
    extra["acc_p95"] = float(np.median(np.percentile(hp, 95, axis=1)))
    if mu is not None:
        extra |= _gravity_shape(acc, hp3, take, mu, fw)
    peaky = float(np.median(np.percentile(hp, 99, axis=1)
                            / np.maximum(np.percentile(hp, 50, axis=1), 1e-3)))
    if not wa:  # walking runs shorter than AC_WIN_S: the feature windows
        ka, wa = k, ws
    takea = np.asarray(wa)[:, None] + np.arange(ka)[None, :]
    A = acf(acc[takea]).mean(axis=0)
    half = _half_period_ac(A, fw)
    extra["regularity"] = _regularity(A, fw)
    if part is None and extra["regularity"] * np.sqrt(3.0 * mask.sum()) < MIN_REGULARITY_Z:
        return None  # no periodic signal: noise or fidgeting, not walking
    return PlacementFeatures(walking_s=float(mask.sum() / fw), swing_deg=swing, planar=planar,
                             smooth=smooth, still=still, tilt_deg=tilt, half_ac=half,
                             screen_up=screen, still10=still10, still25=still25,
                             neg_peak=neg_peak, neg_frac=neg_frac, peaky=peaky,
                             acc_still=acc_still, linear=not total, **extra)


def _fundamental(A: np.ndarray, fw: float) -> int | None:
    """The lag (samples) of the first autocorrelation peak within 80 % of the highest one
    between 0.3 and 2.5 s (the signal's period), None without a peak."""
    lo, hi = int(0.3 * fw), min(int(2.5 * fw), len(A) - 2)
    seg = A[lo:hi]
    loc = np.flatnonzero((seg[1:-1] >= seg[:-2]) & (seg[1:-1] > seg[2:])) + 1
    if not len(loc):
        return None
    top = seg[loc].max()
    return int(loc[seg[loc] >= top - 0.2 * abs(top)][0]) + lo


def _horizontal_swing(gw: np.ndarray, up: np.ndarray, fw: float) -> float:
    """Range (deg) of the rotation about the main horizontal axis (``gw`` windows x samples x
    3 band-passed rate, ``up`` each window's mean gravity direction; the rate about the
    vertical removed first): a limb segment swings about a horizontal, medio-lateral axis
    through tens of degrees per stride (Perry & Burnfield 2010); the trunk tilts a few degrees,
    and its pelvic yaw and the turns of the walk are about the vertical."""
    gh = gw - np.einsum("wki,wki->wk", gw, np.broadcast_to(up, gw.shape))[:, :, None] * up
    _, vec = np.linalg.eigh(np.einsum("wki,wkj->wij", gh, gh))
    angle = np.cumsum(np.einsum("wki,wi->wk", gh, vec[:, :, -1]), axis=1) / fw
    return float(np.degrees(np.median(np.percentile(angle, 97, axis=1)
                                      - np.percentile(angle, 3, axis=1))))


def _gravity_shape(acc: np.ndarray, hp3: np.ndarray, take: np.ndarray, up: np.ndarray,
                   fw: float) -> dict[str, float]:
    """Features of the acceleration with gravity, for sensors without a gyroscope.

    ``v_share``: the share of the 0.5-20 Hz acceleration (``hp3``, windows x samples x 3)
    along the window's mean gravity direction ``up`` (the trunk moves mostly up and down, a
    limb's swing and the gravity it turns through are across its axis); ``tilt3_deg``: the
    95th percentile of the angle of the 3 Hz low-passed acceleration from ``up`` (the tilt
    with the stride's harmonics); ``jerk_still``: the share of samples whose jerk (4 Hz
    low-passed) is below 10 % of its 95th percentile (a segment at rest in stance, as in
    zero-velocity detection from the acceleration, Skog et al. 2010).
    """
    vert = np.einsum("wki,wki->wk", hp3, np.broadcast_to(up, hp3.shape))
    lp3 = lowpass(acc, fw, 3.0)[take]
    u3 = lp3 / np.maximum(np.linalg.norm(lp3, axis=2, keepdims=True), 1e-9)
    ang3 = np.degrees(np.arccos(np.clip((u3 * up).sum(axis=2), -1.0, 1.0)))
    jerk = np.linalg.norm(np.gradient(lowpass(acc, fw, 4.0), axis=0) * fw, axis=1)[take]
    return {"v_share": float(np.median(np.sum(vert ** 2, axis=1) / np.maximum(
                np.sum(hp3 ** 2, axis=(1, 2)), 1e-12))),
            "tilt3_deg": float(np.median(np.percentile(ang3, 95, axis=1))),
            "jerk_still": float(np.median(np.mean(
                jerk < 0.1 * np.percentile(jerk, 95, axis=1)[:, None], axis=1)))}


def _regularity(A: np.ndarray, fw: float) -> float:
    """The highest autocorrelation peak between 0.3 and 2.5 s (0 without one): a walk repeats
    every step or stride (Moe-Nilssen & Helbostad 2004), noise does not."""
    lo, hi = int(0.3 * fw), min(int(2.5 * fw), len(A) - 2)
    seg = A[lo:hi]
    loc = np.flatnonzero((seg[1:-1] >= seg[:-2]) & (seg[1:-1] > seg[2:])) + 1
    return float(max(seg[loc].max(), 0.0)) if len(loc) else 0.0


def _half_period_ac(A: np.ndarray, fw: float) -> float:
    """The autocorrelation at half the period of :func:`_fundamental` (NaN without one)."""
    lag = _fundamental(A, fw)
    return np.nan if lag is None else float(A[lag // 2])


def _design(fs: list[PlacementFeatures], names: tuple[str, ...]) -> np.ndarray:
    """The node's features of every recording as a matrix (log of :data:`LOG_FEATURES`)."""
    x = np.array([[getattr(f, n) for n in names] for f in fs], dtype=float).reshape(
        len(fs), len(names))
    logs = np.array([n in LOG_FEATURES for n in names])
    x[:, logs] = np.log(np.maximum(x[:, logs], 1e-3))
    return x


def _logistic_fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, ridge: float
                  ) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]:
    """Weighted ridge logistic regression on standardised features (Newton's method)."""
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.column_stack([np.ones(len(x)), (x - mu) / sd])
    w = w / w.sum() * 2.0
    pen = np.full(z.shape[1], 2.0 * ridge)
    pen[0] = 0.0
    b = np.zeros(z.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ b, -30, 30)))
        grad = z.T @ (w * (p - y)) + pen * b
        hess = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(pen + 1e-9)
        step = np.linalg.solve(hess, grad)
        b -= step
        if np.abs(step).max() < 1e-8:
            break
    return tuple(map(float, mu)), tuple(map(float, sd)), tuple(map(float, b))


def fit_model(fs: list[PlacementFeatures], labels: list[str], groups: list[str],
              ridge: float = RIDGE) -> dict[str, dict[str, tuple[tuple[float, ...], ...]]]:
    """Fit the node models of :data:`TREE` (the form of :data:`MODEL`).

    Parameters
    ----------
    fs, labels, groups : list
        Features of labelled walks, their placement (one of :data:`CLASSES`; ``hand`` counts
        as trunk-like ``lower_back``) and their data set. Every (data set, placement) group
        weighs the same, so a large data set does not decide alone.
    ridge : float
        Penalty on the standardised coefficients.

    Returns
    -------
    dict
        ``{"gyro"|"gyro_lin"|"acc": {node: (mean, sd, coefficients)}}``. Each set is fitted
        on every walk that has its features (:data:`KIND_NEEDS`): ``acc`` on every walk with
        gravity (a gyroscope's walks too, their acceleration alone), ``gyro_lin`` on every walk
        with a gyroscope (gravity or not).

    References
    ----------
    Hosmer DW, Lemeshow S, Sturdivant RX (2013). Applied logistic regression, 3rd ed. Wiley.
    """
    lab = np.array(["lower_back" if x == "hand" else x for x in labels])
    grp = np.array(groups)
    model: dict[str, dict[str, tuple[tuple[float, ...], ...]]] = {}
    for kind, nodes in NODE_FEATURES.items():
        model[kind] = {}
        for node, pos, neg in TREE:
            names = nodes[node]
            x = _design(fs, names)
            sel = np.isin(lab, pos + neg) & np.isfinite(x).all(axis=1)
            sel &= np.array([np.isfinite(getattr(f, KIND_NEEDS[kind])) for f in fs])
            key = np.char.add(np.char.add(grp[sel], "|"), lab[sel])
            _, inv, cnt = np.unique(key, return_inverse=True, return_counts=True)
            model[kind][node] = _logistic_fit(x[sel], np.isin(lab[sel], pos).astype(float),
                                              1.0 / cnt[inv], ridge)
    return model


def class_probabilities(f: PlacementFeatures, model: dict | None = None) -> np.ndarray | None:
    """P(lower_back, pocket, foot, shank) of one walk by the tree (None without the features):
    the product of the node probabilities along each path."""
    model = MODEL if model is None else model
    kind = next((k for k in NODE_FEATURES if np.isfinite(getattr(f, KIND_NEEDS[k]))), "acc")
    p = {}
    for node, _, _ in TREE:
        x = _design([f], NODE_FEATURES[kind][node])[0]
        if not np.isfinite(x).all():
            return None
        mu, sd, b = (np.asarray(v) for v in model[kind][node])
        p[node] = float(1.0 / (1.0 + np.exp(-(b[0] + ((x - mu) / sd) @ b[1:]))))
    t, k, ft = p["trunk"], p["pocket"], p["foot"]
    return np.array([t, (1 - t) * k, (1 - t) * (1 - k) * ft, (1 - t) * (1 - k) * (1 - ft)])


def _reason(place: str, f: PlacementFeatures) -> str:
    sw, st = f.swing_deg, f.still
    hs = f.hswing_deg if np.isfinite(f.hswing_deg) else sw
    if np.isfinite(sw):
        return {"lower_back": f"tilts {hs:.0f} deg per stride about the horizontal (turns "
                              f"{sw:.0f} deg, {f.planar:.2f} on one axis): the trunk",
                "pocket": f"swings {hs:.0f} deg per stride, smoothly (peak rotation "
                          f"{f.rate_p95:.0f} deg/s): a thigh",
                "foot": f"swings {hs:.0f} deg per stride and stands still {100 * st:.0f} % of "
                        "it: a foot",
                "shank": f"swings {hs:.0f} deg per stride and rotates through stance: a shank"
                }[place]
    return {"lower_back": f"no gyroscope; tilts only {f.tilt_deg:.0f} deg per stride: the "
                          "trunk?",
            "pocket": f"no gyroscope; tilts {f.tilt_deg:.0f} deg per stride, without a foot's "
                      "jolts: a thigh?",
            "foot": f"no gyroscope; tilts {f.tilt_deg:.0f} deg per stride: a foot?",
            "shank": f"no gyroscope; tilts {f.tilt_deg:.0f} deg per stride: a shank?"}[place]


def classify(f: PlacementFeatures, phone: bool = False, model: dict | None = None
             ) -> tuple[str | None, float, str, tuple[str, ...]]:
    """(placement, confidence, reason, candidates) from the features by the tree of the module
    docstring (``model``: :data:`MODEL` or one of :func:`fit_model`); the candidates are the
    ``PLACEMENT=`` names of the likely classes, the most probable first."""
    if not np.isfinite(f.swing_deg) and f.linear:
        trunk = np.isfinite(f.half_ac) and f.half_ac < 0
        return ("lower_back" if trunk else "pocket"), 0.0, (
            "the export holds linear acceleration (no gravity) and no gyroscope, which tell "
            "neither where the phone was nor, on the trunk, the contacts: record with gravity "
            "(phyphox 'Acceleration with g', Physics Toolbox 'g-Force' or 'Multi Record' with "
            "gF, Sensor Logger 'TotalAcceleration') or with the gyroscope on"), (
            ("hand", "left_pocket", "right_pocket") if trunk else
            ("left_pocket", "right_pocket", "hand"))
    pr = class_probabilities(f, model)
    if pr is None:
        return None, 0.0, "no periodic walking signal", ()
    hand = phone and f.screen_up >= SCREEN_UP
    if hand:
        # a phone facing up while walking is held to be read: Bayes' rule with the odds of the
        # screen facing up on a limb against in the hand (:data:`SCREEN_UP_LR`)
        pr = pr * np.array([1.0, SCREEN_UP_LR, SCREEN_UP_LR, SCREEN_UP_LR])
        pr /= pr.sum()
    order = np.argsort(-pr)
    i = int(order[0])
    place, conf = CLASSES[i], float(pr[i])
    why = _reason(place, f)
    if place == "lower_back" and hand:
        place, why = "hand", why.replace("the trunk", "screen facing up: held in the hand")
    cands = [c for j in order if j == i or pr[j] >= 0.05
             for c in CANDIDATES["hand" if j == i and place == "hand" else CLASSES[j]]]
    return place, conf, why, tuple(dict.fromkeys(cands))


def infer_placement(stream: SensorStream, phone: bool = False) -> PlacementGuess:
    """Where ``stream``'s sensor was worn, from its walking part.

    Parameters
    ----------
    stream : SensorStream
        Any placement (the stated one is ignored); any orientation, with or without a
        gyroscope or gravity.
    phone : bool
        The stream comes from a phone app's export: a trunk-like phone whose screen faces up
        is held in the hand (see the module docstring).

    Returns
    -------
    PlacementGuess
        ``placement`` (None without walking), ``confidence`` (0-1; used from
        :data:`MIN_CONFIDENCE`), ``candidates`` (``PLACEMENT=`` names, the guess first) and a
        one-line ``reason``.

    References
    ----------
    Kunze et al. 2005; Vahdatpour et al. 2011; Mannini et al. 2015 (module docstring).
    """
    f = placement_features(stream)
    if f is None:
        why = (f"sampled at {stream.sample_rate_hz:.3g} Hz, too slow for gait (at least "
               f"{MIN_GAIT_HZ:g} Hz needed)" if stream.sample_rate_hz < MIN_GAIT_HZ
               else f"no walking found (at least {MIN_WALK_S:g} s of regular steps needed)")
        return PlacementGuess(None, 0.0, (), why, None)
    placement, conf, reason, cands = classify(f, phone)
    if placement is not None and conf >= MIN_CONFIDENCE:
        conf = min(conf, _half_agreement(stream, placement, phone))
    return PlacementGuess(placement, round(float(conf), 3), cands, reason, f)


def _half_agreement(stream: SensorStream, placement: str, phone: bool,
                    model: dict | None = None) -> float:
    """1 when the first and the second half of the walking windows, each classified alone,
    both give ``placement``; else the disagreeing half's probability of it (0 when a half has
    no window). A confident guess is capped by it: a placement carried by one part of the walk
    (a turn, a stop) or by a walk too short to check (one window) is asked for."""
    return half_agreement([placement_features(stream, part) for part in (0, 1)], placement,
                          phone, model)


def half_agreement(halves: list[PlacementFeatures | None], placement: str, phone: bool,
                   model: dict | None = None) -> float:
    """:func:`_half_agreement` from the halves' features (``placement_features(stream, 0)``
    and ``(stream, 1)``), for a benchmark that refits ``model``."""
    for f in halves:
        if f is None:
            return 0.0
        if classify(f, phone, model)[0] != placement:
            pr = class_probabilities(f, model)
            return 0.0 if pr is None else float(
                pr[CLASSES.index("lower_back" if placement == "hand" else placement)])
    return 1.0


#: the walking windows and the autocorrelation's fundamental, as :mod:`gait.events.steps_only`
#: takes them
walking_windows = _windows
fundamental = _fundamental
