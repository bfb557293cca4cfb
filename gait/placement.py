"""Where a sensor was worn, from the signal: lower back, trouser pocket, hand, foot or shank.

Every real phone export arrives without a placement. :func:`infer_placement` tells the
placement from what the sensor does to gravity and rotation over the strides of the walking
part of the recording, with features that do not depend on how the device was oriented on the
body (on-body location recognition: Kunze et al. 2005, Vahdatpour et al. 2011, Mannini et al.
2015 use the same kind of orientation-free statistics over walking).

Features (over the walking windows found by :func:`gait.bouts.detect_bouts`, 3 s each)
--------------------------------------------------------------------------------------
* ``swing_deg`` (gyroscope): the range of the rotation angle about the main rotation axis
  (the gyroscope's first principal axis in the window, 0.25-8 Hz, integrated). A limb segment
  swings in the sagittal plane through tens of degrees per stride (thigh ~40-60, shank
  ~60-90, foot ~70-110 in walking; Perry & Burnfield 2010); the trunk turns a few degrees.
* ``planar`` (gyroscope): the share of the angular-rate variance on that main axis. Limbs
  rotate about one axis (flexion-extension, 0.75-0.97 on the labelled limbs), the pelvis about
  three (0.45-0.7).
* ``smooth`` (gyroscope): 95th over 50th percentile of ``|gyr|``. The thigh rotates nearly
  sinusoidally (ratio 1.4-2.4 on the labelled pockets); shank and foot have a sharp mid-swing
  peak over a slow stance (2.5-6).
* ``still`` (gyroscope): the fraction of the window with ``|gyr|`` below 15 % of its 95th
  percentile: the foot is flat and still for a third of the stride in walking, the shank
  rotates through stance (Sabatini et al. 2005, zero-velocity intervals).
* ``tilt_deg`` (gravity in the acceleration): the 95th percentile of the angle between the
  1.2 Hz low-passed acceleration and its window mean; a limb's gravity vector swings with
  the segment, the trunk's does not.
* ``half_ac``: the 3-D autocorrelation (autocovariances summed over axes: orientation free) at
  half its fundamental lag (the shortest autocorrelation peak in 0.3-2.5 s within 80 % of the
  highest, the rule of :mod:`gait.events.pocket`). A trunk signal repeats every step and is
  nearly sinusoidal there, so half a step is in anti-phase (< -0.3); one leg's signal repeats
  every stride, and a thigh feels the other leg's heel strike too (>= 0: both halves of the
  stride alike).
* ``screen_up``: ``|g_z| / |g|`` of the mean acceleration. A phone held to be read faces up
  (0.85-0.98 on the five hand-held walks we have); a phone in a pocket, on the lower back or
  on a limb lies against a near-vertical body surface (< 0.35 on every labelled phone).

Decision (one parameter set, the thresholds below)
--------------------------------------------------
With a gyroscope: trunk-like when ``swing_deg`` < 15 deg, or ``planar`` < 0.72 with
``swing_deg`` < 35; a limb otherwise: pocket when ``smooth`` < 2.5 and ``swing_deg`` < 70
(the hip's flexion-extension range stays below ~60 deg even in running), foot when ``still`` >=
0.25 with ``swing_deg`` >= 45, or ``still`` >= 0.45, else shank. Without a gyroscope: trunk-
like when ``half_ac`` < -0.3 with ``tilt_deg`` < 8 (or, without gravity, ``half_ac`` < -0.3);
pocket when ``half_ac`` >= 0; foot when ``tilt_deg`` >= 20; else shank. A trunk-like stream
from a phone app (``phone=True``) whose screen faces up (``screen_up`` >= 0.7) is ``hand``,
otherwise ``lower_back``; a chest sensor reads like a lower-back one (no labelled chest data
exists to separate them) and is named among the candidates. Front and back pockets are not
told apart (the side-agnostic ``pocket`` detector serves both).

Confidence: each threshold the decision passed contributes a logistic of its margin in units
of the feature's scale (:data:`SCALE`); the confidence is the smallest of them (the decision is
as weak as its closest call), and 0.5 at most without a gyroscope for the limbs (thigh, shank
and foot differ by how they rotate; without rotation they are told apart by the tilt alone,
which confuses the front pocket with the shank on the labelled walks). A placement is used when
the confidence is at least :data:`MIN_CONFIDENCE` (0.6): below it the user is asked.

The thresholds were set from the physiology above and checked on the labelled recordings of
``shared/validation`` and on simulated recordings (``benchmarks/placement.py`` prints the
confusion table); they are the same for every file. The labelled recordings were looked at
when setting them, so the accuracy there is not a blind estimate.

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
Moe-Nilssen R, Helbostad JL (2004). Estimation of gait cycle characteristics by trunk
accelerometry. J Biomech 37:121-126.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gait.bouts import detect_bouts
from gait.events.pocket import _acf, _vertical_from_linear
from gait.preprocess import bandpass, fill_gaps, gravity_direction, lowpass
from gait.recording import MIN_GAIT_HZ, G, SensorStream

WORK_HZ = 50.0  # features on a <= ~50 Hz copy (rotation and tilt are below 10 Hz)
WIN_S = 3.0  # feature windows (2-3 strides)
AC_WIN_S = 6.0  # autocorrelation windows
TILT_LP_HZ = 1.2  # below the step frequency: the trunk's step accelerations do not tilt
MIN_WALK_S = 6.0  # walking needed to tell anything
MIN_CONFIDENCE = 0.6
#: thresholds of the decision (module docstring)
SWING_TRUNK_DEG, SWING_TRUNK_PLANAR_DEG, PLANAR_TRUNK = 15.0, 35.0, 0.72
SMOOTH_POCKET, SWING_POCKET_MAX_DEG = 2.5, 70.0
STILL_FOOT, SWING_FOOT_DEG, STILL_FOOT_ALONE = 0.25, 45.0, 0.45
HALF_TRUNK, TILT_TRUNK_DEG, HALF_POCKET, TILT_FOOT_DEG = -0.3, 8.0, 0.0, 20.0
SCREEN_UP = 0.7
NO_GYRO_LIMB_CAP = 0.5
#: scale of each feature's margin in the confidence logistic (about the spread within a class)
SCALE = {"swing_deg": 4.0, "planar": 0.04, "smooth": 0.3, "still": 0.05, "half_ac": 0.08,
         "tilt_deg": 2.0, "screen_up": 0.08}
#: the placements that read alike, listed with a guess
ALIKE = {"lower_back": ("lower_back", "chest", "hand"), "hand": ("hand", "lower_back", "chest"),
         "pocket": ("pocket", "left_shank", "right_shank"),
         "foot": ("left_foot", "right_foot", "left_shank", "right_shank"),
         "shank": ("left_shank", "right_shank", "left_foot", "right_foot", "pocket")}


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


def placement_features(stream: SensorStream) -> PlacementFeatures | None:
    """The features of :func:`infer_placement` over the walking part; None without
    :data:`MIN_WALK_S` of walking (or below :data:`~gait.recording.MIN_GAIT_HZ`)."""
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
         else _vertical_from_linear(acc, fw))
    mask = detect_bouts(v, fw).gait_mask
    if mask.sum() < MIN_WALK_S * fw:
        return None
    k = int(WIN_S * fw)
    ws = _windows(mask, k, k)
    ka = int(AC_WIN_S * fw)
    wa = _windows(mask, ka, ka // 2)
    if not ws:
        return None
    take = np.asarray(ws)[:, None] + np.arange(k)[None, :]
    tilt = screen = np.nan
    if total:
        lp = lowpass(acc, fw, TILT_LP_HZ)[take]
        u = lp / np.maximum(np.linalg.norm(lp, axis=2, keepdims=True), 1e-9)
        mu = u.mean(axis=1, keepdims=True)
        mu /= np.maximum(np.linalg.norm(mu, axis=2, keepdims=True), 1e-9)
        ang = np.degrees(np.arccos(np.clip((u * mu).sum(axis=2), -1.0, 1.0)))
        tilt = float(np.median(np.percentile(ang, 95, axis=1)))
        g = acc[mask].mean(axis=0)
        screen = float(abs(g[2]) / max(np.linalg.norm(g), 1e-9))
    swing = planar = smooth = still = np.nan
    if gyr is not None:
        gw = bandpass(gyr, fw, 0.25, 8.0)[take]
        ev, vec = np.linalg.eigh(np.einsum("wki,wkj->wij", gw, gw))
        planar = float(np.median(ev[:, -1] / np.maximum(ev.sum(axis=1), 1e-12)))
        angle = np.cumsum(np.einsum("wki,wi->wk", gw, vec[:, :, -1]), axis=1) / fw
        swing = float(np.degrees(np.median(np.percentile(angle, 97, axis=1)
                                           - np.percentile(angle, 3, axis=1))))
        gn = np.linalg.norm(gyr[take], axis=2)
        p95 = np.percentile(gn, 95, axis=1)
        smooth = float(np.median(p95 / np.maximum(np.percentile(gn, 50, axis=1), 1e-3)))
        still = float(np.median(np.mean(gn < 0.15 * p95[:, None], axis=1)))
    half = np.nan
    if wa:
        A = _acf(acc[np.asarray(wa)[:, None] + np.arange(ka)[None, :]]).mean(axis=0)
        lo, hi = int(0.3 * fw), min(int(2.5 * fw), ka - 2)
        seg = A[lo:hi]
        loc = np.flatnonzero((seg[1:-1] >= seg[:-2]) & (seg[1:-1] > seg[2:])) + 1
        if len(loc):
            lag = int(loc[seg[loc] >= 0.8 * seg[loc].max()][0]) + lo
            half = float(A[lag // 2])
    return PlacementFeatures(walking_s=float(mask.sum() / fw), swing_deg=swing, planar=planar,
                             smooth=smooth, still=still, tilt_deg=tilt, half_ac=half,
                             screen_up=screen)


def _sure(x: float, thr: float, key: str) -> float:
    """Confidence that ``x`` is on its side of ``thr`` (logistic of the margin in scale units)."""
    return float(1.0 / (1.0 + np.exp(-abs(x - thr) / SCALE[key] * 2.0)))


def _classify(f: PlacementFeatures, phone: bool) -> tuple[str | None, float, str]:
    """(placement, confidence, reason) from the features: the decision of the module docstring."""
    sw, pl, sm, st = f.swing_deg, f.planar, f.smooth, f.still
    ha, ti = f.half_ac, f.tilt_deg
    if np.isfinite(sw):
        if sw < SWING_TRUNK_DEG or (pl < PLANAR_TRUNK and sw < SWING_TRUNK_PLANAR_DEG):
            c = _sure(sw, SWING_TRUNK_DEG, "swing_deg") if sw < SWING_TRUNK_DEG else min(
                _sure(pl, PLANAR_TRUNK, "planar"), _sure(sw, SWING_TRUNK_PLANAR_DEG, "swing_deg"))
            why = f"turns {sw:.0f} deg per stride ({pl:.2f} on one axis)"
        elif sm < SMOOTH_POCKET and sw < SWING_POCKET_MAX_DEG:
            return "pocket", min(_sure(sm, SMOOTH_POCKET, "smooth"),
                                 _sure(sw, SWING_POCKET_MAX_DEG, "swing_deg"),
                                 _sure(sw, SWING_TRUNK_DEG, "swing_deg")), (
                f"swings {sw:.0f} deg per stride, smoothly (peak/median rotation {sm:.1f}): a "
                "thigh")
        elif (st >= STILL_FOOT and sw >= SWING_FOOT_DEG) or st >= STILL_FOOT_ALONE:
            c = _sure(st, STILL_FOOT_ALONE, "still") if st >= STILL_FOOT_ALONE else min(
                _sure(st, STILL_FOOT, "still"), _sure(sw, SWING_FOOT_DEG, "swing_deg"))
            return "foot", min(c, _sure(sm, SMOOTH_POCKET, "smooth")), (
                f"swings {sw:.0f} deg per stride and stands still {100 * st:.0f} % of it: a "
                "foot")
        else:
            return "shank", min(_sure(st, STILL_FOOT, "still"),
                                _sure(sm, SMOOTH_POCKET, "smooth")), (
                f"swings {sw:.0f} deg per stride and rotates through stance: a shank")
    elif np.isfinite(ha) and ha < HALF_TRUNK and not (ti >= TILT_TRUNK_DEG):
        c = _sure(ha, HALF_TRUNK, "half_ac")
        if np.isfinite(ti):
            c = min(c, _sure(ti, TILT_TRUNK_DEG, "tilt_deg"))
        why = f"repeats every step (half-step autocorrelation {ha:.2f})"
    elif not np.isfinite(ha):
        return None, 0.0, "no periodic walking signal"
    else:
        cap = NO_GYRO_LIMB_CAP
        if ha >= HALF_POCKET:
            return "pocket", min(cap, _sure(ha, HALF_POCKET, "half_ac")), (
                f"no gyroscope; both halves of the stride alike ({ha:.2f}): a thigh?")
        if np.isfinite(ti) and ti >= TILT_FOOT_DEG:
            return "foot", min(cap, _sure(ti, TILT_FOOT_DEG, "tilt_deg")), (
                f"no gyroscope; tilts {ti:.0f} deg per stride: a foot?")
        return "shank", cap * 0.9, "no gyroscope; repeats every stride: a leg, which part unknown"
    # trunk-like: the lower back, or a phone held in the hand
    if phone and np.isfinite(f.screen_up) and f.screen_up >= SCREEN_UP:
        return "hand", min(c, _sure(f.screen_up, SCREEN_UP, "screen_up")), (
            f"{why}, screen facing up: held in the hand")
    if phone and np.isfinite(f.screen_up):
        c = min(c, _sure(f.screen_up, SCREEN_UP, "screen_up"))
    return "lower_back", c, f"{why}: the trunk"


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
               else f"no walking found (at least {MIN_WALK_S:g} s of steps needed)")
        return PlacementGuess(None, 0.0, (), why, None)
    placement, conf, reason = _classify(f, phone)
    cands = ALIKE.get(placement or "", ("lower_back", "left_pocket", "right_foot"))
    return PlacementGuess(placement, round(float(conf), 3), tuple(cands), reason, f)
