"""The side check: three taps on the outside of the LEFT hip, standing, before walking.

A lower-back sensor infers each step's side from the pelvis's yaw and roll
(:func:`gait.events.lower_back._sides`); a person whose pelvis moves the other way round (a
stroke walk, running) gets every side swapped, and nothing in the walk says so. The side check
is a gesture that tells the sensor which way is left, whatever its mounting.

The gesture, and why
--------------------
Stand still for a few seconds, then tap the outside of your **left** hip (the side of the
pelvis, below the belt) three times, firmly, with the flat of the hand - about two taps a
second - stand still again for two seconds, then walk.

* **Easy for everyone.** Both feet stay on the ground and one hand is enough: the other may
  hold a rail or a stick, and a person who cannot use the left arm taps the left hip with the
  right hand, across the body (the push has the same direction). Standing on one leg for 3 s,
  the other candidate, is what many older people and people with a weak leg cannot do safely
  (unipedal stance falls to ~9-17 s on average beyond 70 years and is often impossible after
  a stroke; Springer et al. 2007, J Geriatr Phys Ther 30:8-15), and it is a fall risk at the
  very start of a recording.
* **Physically unambiguous.** A tap pushes the pelvis towards the midline: away from the
  tapped hip (Newton's third law; the arm's own swing is internal to the body and, being slow,
  is filtered out). The push's sharp first lobe lies in the horizontal plane along the
  medio-lateral axis, whatever the sensor's orientation (gravity gives the vertical, the
  walking frame of :func:`gait.preprocess.to_body` the two horizontal axes), and three taps in
  rhythm while standing have no counterpart in quiet standing, sitting down, fiddling with the
  sensor (a tap on the sensor itself pushes it forwards, not sideways) or walking (heel
  strikes are vertical and come with the step oscillation). Standing on one leg is not
  unambiguous from the pelvis: whether the pelvis tilts towards or away from the stance leg
  depends on the hip abductors (a positive Trendelenburg sign is the reverse of the normal
  response; Hardcastle & Nade 1985, J Bone Joint Surg Br 67:741-746), i.e. on exactly the
  people the check is for, and the centre of mass's shift over the foot (a few cm, < 1 m/s^2)
  is of the size of the gravity leak of a 3-degree tilt.

From the taps to the steps
--------------------------
The taps say which horizontal direction is left in the sensor's frame. A walking step's side
follows from the trunk's lateral sway: to balance on one leg the centre of mass moves over the
stance foot every step, so the trunk's lateral acceleration at the stride frequency points
away from the stance side during each single support (MacKinnon & Winter 1993, "Control of
whole body balance in the frontal plane during human walking", J Biomech 26:633-644; Winter
1995, Gait Posture 3:193-214) - mechanics, not a habit of the pelvis. The accelerometer's
lateral axis also tilts with the pelvis's roll (a 4-degree obliquity leaks 0.7 m/s^2 of
gravity, as much as the sway), so the roll angle (the integrated roll rate, stride band) times
g is removed first (:func:`sway_scores`). Measured on the real lower-back walks of
``shared/validation`` with their reference sides and the walking frame's lateral axis (what
the taps of a correctly mounted sensor give): the corrected sway labels 97-100 % of the steps
right on every voisard2023 walk but the two S04 walks (whose reference or mounting is swapped:
the yaw/roll inference disagrees with it too), 97-100 % on the six mobgap walks (whose yaw and
roll cues contradict each other on four), 100 % on the eleven trojaniello2014 walks including
the stroke walk S025 whose yaw/roll inference is swapped, 92-100 % on gaitkit and fukuchi2018
walks but 0 % on one gaitkit walk (virtual IMU of skin markers); on the three fukuchi2017 runs
(virtual) 0-44 %, so running steps are not aligned by the sway.

Use (:func:`align`): each walking stretch of the alternation chain (steps less than 2.5 s
apart) keeps or flips its labelling by a vote of its steps' sway along the taps' left: the
taps fix the direction for the whole recording (the sensor is strapped), the sway ties every
walking stretch to it, the chain keeps the labels within a stretch consistent. A stretch with
too few walking steps, or an undecided vote, takes the first decided stretch's flip (the cues'
inversion is a property of the person and the mounting). The check's probability of being
right is the taps' confidence times the vote's; where it confirms the inference the two are
combined as independent evidence (odds multiply: the side confidence rises), where it
contradicts it the check is trusted and its probability becomes the side confidence; the
report says which (``quality.side_source``, a note).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gait.dsp import find_peaks, moving_rms
from gait.preprocess import BodySignals, bandpass
from gait.recording import G, SensorStream

TAP_BAND_HZ = (5.0, 40.0)  # a tap's sharp first lobe (the arm's swing and sway lie below)
ENV_S = 0.04  # envelope smoothing of the high-passed acceleration
TAP_MIN_MS2 = 0.6  # a tap's envelope peak must reach this ...
TAP_FLOOR_X = 5.0  # ... and this many times the standing's median envelope
TAP_GAP_S = (0.2, 1.2)  # intervals between the taps of one gesture
TAP_GAP_RATIO = 2.5  # longest / shortest interval of a gesture (a rhythm)
N_TAPS = (3, 5)  # "three taps" (one extra either way is accepted ... at most five)
ISOLATION_S = 1.0  # no other burst this close before the first or after the last tap
LATERAL_MIN = 0.7  # |ML component| of each tap's push direction (45 deg from lateral at most)
QUIET_MS2 = 0.5  # standing: the 0.5-3 Hz vertical acceleration's SD around the taps below this
WALK_MARGIN_S = 0.5  # the gesture ends this long before the first walking sample
SWAY_MIN_STEPS = 4  # a walking stretch votes with at least this many walking steps
STEP_TRUST = 0.9  # one step's sway vote is right this often (measured 0.97-1.0, rounded down)
GAP_BREAK_S = 2.5  # steps further apart than this: a new stretch of the chain


@dataclass(frozen=True)
class SideCheck:
    """A side check found in a recording.

    Attributes
    ----------
    side : str
        ``"L"`` / ``"R"``: the tapped hip in the walking frame's terms (the frame's lateral axis
        from :func:`gait.preprocess.to_body`); ``"L"`` when the documented left-hip taps meet a
        correctly oriented frame.
    t : float
        Time of the first tap (s, recording axis).
    confidence : float
        0.5-0.99, from how lateral the taps' pushes are.
    n_taps : int
        Number of taps in the gesture.
    """

    side: str
    t: float
    confidence: float
    n_taps: int


def find(stream: SensorStream, body: BodySignals, gait_mask: np.ndarray | None = None
         ) -> SideCheck | None:
    """The side check (three taps on a hip) in the standing before the first walking bout.

    Parameters
    ----------
    stream : SensorStream
        The lower-back stream (its rate and start time are used).
    body : BodySignals
        Its signals in the walking frame (:func:`gait.preprocess.to_body` with the gait mask:
        vertical from gravity, the lateral axis from the walk).
    gait_mask : numpy.ndarray, optional
        Boolean per sample, walking or running (:func:`gait.events.bouts.detect_bouts`); the search
        ends ``WALK_MARGIN_S`` before its first sample. None: the whole stream.

    Returns
    -------
    SideCheck or None
        The gesture, or None when there is no group of 3-5 sharp, lateral, same-direction,
        rhythmic and isolated bursts in quiet standing.
    """
    fs = stream.sample_rate_hz
    n = len(body.v)
    end = n
    if gait_mask is not None and gait_mask.any():
        end = int(np.argmax(gait_mask)) - round(WALK_MARGIN_S * fs)
    if end < 2 * fs or fs < 2.5 * TAP_BAND_HZ[0]:
        return None
    lo, hi = TAP_BAND_HZ[0], min(TAP_BAND_HZ[1], 0.45 * fs)
    x = bandpass(np.column_stack([body.v[:end], body.ap[:end], body.ml[:end]]), fs, lo, hi)
    env = moving_rms(x, max(round(ENV_S * fs), 1))
    thr = max(TAP_MIN_MS2, TAP_FLOOR_X * float(np.median(env)))
    pk, _ = find_peaks(env, height=thr, distance=max(round(TAP_GAP_S[0] * fs), 1))
    if len(pk) < N_TAPS[0]:
        return None
    # each burst's push: the direction of its strongest sample's vector, signed by its first
    # lobe (the first sample along that axis above half the burst's peak)
    half = max(round(0.06 * fs), 2)
    idx = np.clip(pk[:, None] + np.arange(-half, half + 1)[None, :], 0, end - 1)
    seg = x[idx]  # bursts x samples x (v, ap, ml)
    strongest = seg[np.arange(len(pk)), np.argmax((seg ** 2).sum(axis=2), axis=1)]
    u = strongest / np.linalg.norm(strongest, axis=1, keepdims=True)
    proj = np.einsum("kjc,kc->kj", seg, u)
    first = np.argmax(np.abs(proj) >= 0.5 * np.abs(proj).max(axis=1, keepdims=True), axis=1)
    push = u * np.sign(proj[np.arange(len(pk)), first])[:, None]
    lateral = np.abs(push[:, 2])
    # quiet standing around: no step oscillation
    vq = bandpass(body.v[:end], fs, 0.5, 3.0)
    t_pk = pk / fs
    # groups of bursts chained by tap-like intervals
    brk = np.concatenate([[True], np.diff(t_pk) > TAP_GAP_S[1]])
    starts = np.flatnonzero(brk)
    stops = np.concatenate([starts[1:], [len(pk)]])
    for a, b in zip(starts, stops, strict=True):  # a few groups at most
        k = b - a
        if not N_TAPS[0] <= k <= N_TAPS[1]:
            continue
        gaps = np.diff(t_pk[a:b])
        if gaps.min() < TAP_GAP_S[0] or gaps.max() > TAP_GAP_RATIO * gaps.min():
            continue
        if (a > 0 and t_pk[a] - t_pk[a - 1] < ISOLATION_S) or \
                (b < len(pk) and t_pk[b] - t_pk[b - 1] < ISOLATION_S):
            continue
        if lateral[a:b].min() < LATERAL_MIN:
            continue
        signs = np.sign(push[a:b, 2])
        if not (signs == signs[0]).all():
            continue
        q0 = max(pk[a] - round(ISOLATION_S * fs), 0)
        q1 = min(pk[b - 1] + round(ISOLATION_S * fs), end)
        if np.std(vq[q0:q1]) > QUIET_MS2:
            continue
        # 0.99 for purely lateral pushes, 0.79 at the LATERAL_MIN limit
        conf = float(0.99 - 0.2 * (1.0 - lateral[a:b].min()) / (1.0 - LATERAL_MIN))
        # a push towards -ML (the right) is a tap on the frame's left hip
        return SideCheck("L" if signs[0] < 0 else "R", float(stream.start_s + t_pk[a]), conf, k)
    return None


def sway_scores(body: BodySignals, ic: np.ndarray, T: np.ndarray, step_hz: float
                ) -> np.ndarray:
    """Each step's lateral sway: positive when the trunk stands towards the walking frame's
    left (+ML) during the step's stance, i.e. a left step.

    Parameters
    ----------
    body : BodySignals
        The stream in the walking frame, with a gyroscope (``gyr_ap``).
    ic : numpy.ndarray
        Initial contacts (fractional sample indices).
    T : numpy.ndarray
        Each step's step time (s).
    step_hz : float
        The walk's step frequency (Hz): the sway is taken at half of it (the stride).

    Returns
    -------
    numpy.ndarray
        Minus the mean lateral acceleration (m/s^2, stride band, pelvic roll's gravity leak
        removed) over each step's first step time after its IC.
    """
    fs = body.fs
    if body.gyr_ap is None or len(ic) == 0:
        return np.zeros(len(ic))
    # the roll about the forward axis tilts the lateral axis towards the vertical: g x roll
    roll = bandpass(np.cumsum(bandpass(body.gyr_ap, fs, 0.2, 5.0)) / fs, fs, 0.3, 3.0)
    stride = 0.5 * step_hz
    lat = bandpass(body.ml - G * roll, fs, 0.6 * stride, 1.6 * stride)
    c = np.concatenate([[0.0], np.cumsum(lat)])
    n = len(lat)
    a = np.clip(np.round(ic).astype(int), 0, n)
    b = np.clip(np.round(ic + T * fs).astype(int), 0, n)
    return -(c[b] - c[a]) / np.maximum(b - a, 1)


def align(check: SideCheck, sides: np.ndarray, side_conf: np.ndarray, ic_s: np.ndarray,
          sway: np.ndarray, walk: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool, bool]:
    """Keep or flip each walking stretch's sides so that they agree with the side check.

    Parameters
    ----------
    check : SideCheck
        The gesture found by :func:`find` (the documented taps are on the LEFT hip).
    sides : numpy.ndarray
        The inferred sides ("L"/"R", object array), per IC.
    side_conf : numpy.ndarray
        Their confidence (0.5-1).
    ic_s : numpy.ndarray
        The ICs' times (s).
    sway : numpy.ndarray
        :func:`sway_scores` per IC (positive: the frame's left).
    walk : numpy.ndarray
        Boolean per IC: a walking (not running) step.

    Returns
    -------
    sides, side_conf : numpy.ndarray
        The aligned sides and their confidence.
    flipped : bool
        Whether any stretch was flipped.
    applied : bool
        False when no stretch had enough walking steps to vote (nothing changed).
    """
    n = len(sides)
    if n == 0:
        return sides, side_conf, False, False
    # the taps' hip is left: a step is left when its sway points towards the tapped hip
    toward = np.sign(sway) * (1.0 if check.side == "L" else -1.0)
    is_left = sides == "L"
    brk = np.concatenate([[True], np.diff(ic_s) > GAP_BREAK_S])
    stretch = np.cumsum(brk) - 1
    n_st = int(stretch[-1]) + 1
    votes = walk & (toward != 0)
    agree = np.bincount(stretch, weights=(votes & ((toward > 0) == is_left)).astype(float),
                        minlength=n_st)
    total = np.bincount(stretch, weights=votes.astype(float), minlength=n_st)
    margin = 2 * agree - total  # agreeing minus disagreeing votes
    decided = (total >= SWAY_MIN_STEPS) & (margin != 0)
    if not decided.any():
        return sides, side_conf, False, False
    flip = margin < 0
    flip[~decided] = flip[np.flatnonzero(decided)[0]]
    # the vote's probability of being right (independent votes, each right STEP_TRUST of the
    # time); an undecided stretch inherits the first decided one's at a coin-flip discount
    lr = np.log(STEP_TRUST / (1 - STEP_TRUST))
    p_vote = 1.0 / (1.0 + np.exp(-lr * np.abs(margin)))
    p_vote[~decided] = 0.5 + 0.5 * (p_vote[np.flatnonzero(decided)[0]] - 0.5)
    new_left = np.where(flip[stretch], ~is_left, is_left)
    # the check's own probability of being right; where it agrees with the inference the two
    # are independent evidence (odds multiply), where it contradicts it the check is trusted
    b = np.clip(check.confidence * p_vote[stretch], 0.5, 0.99)
    a = np.clip(side_conf, 0.5, 0.999)
    both = 1.0 / (1.0 + (1 - a) * (1 - b) / (a * b))
    conf = np.clip(np.where(flip[stretch], b, both), 0.5, 0.999)
    return (np.where(new_left, "L", "R").astype(object), conf, bool(flip.any()), True)
