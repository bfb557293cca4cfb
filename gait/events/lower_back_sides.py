"""Left and right of a lower-back sensor's steps (:mod:`gait.events.lower_back`).

Inferred (:func:`infer_sides`): the pelvis's yaw rate and its roll after each IC, z-scored per walk,
as per-step log-odds through a two-state chain that alternates sides with a small probability
of a missed or extra step (``P_SAME_SIDE``; a gap of an even number of step times makes the
same side likely), decoded by Viterbi and with per-step posteriors; where yaw and roll disagree
for most steps the trunk's sway arbitrates, and where nothing decides the walk is uncertain.
With a stated mount (:func:`mount_sides`, ``--mount``): the sign of the trunk's sideways
velocity change over the step after the IC, corrected for the pelvis's roll, through the same
chain, a clear reading keeping its side (``MOUNT_CLEAR``). McCamley et al. 2012 (Gait Posture
36:316-318) and Ullrich et al. 2022 (Mobilise-D, left/right from a lower-back sensor).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from gait.dsp import gaussian_filter1d, uniform_filter1d
from gait.preprocess import bandpass, lowpass
from gait.recording import G

P_SAME_GAP = 0.2  # same for a gap of an odd number >= 3 of step times (1 - for even)
P_SAME_SIDE = 0.02  # prior of a missed/extra step between two regular steps
P_SAME_OFF_GRID = 0.3  # ... and of a gap off the step grid (nothing known; a slight lean to
# alternation)
SIDE_GAIN = 0.5  # nats of log-odds per unit of the (z-scored) side score
MOUNT_GAIN = 4.0  # the same with a mount: its cue is ~99 % right per step (mount_sides)
MOUNT_CLEAR = 2.0  # a step whose own mount reading is this clear (nats) keeps it (_mount_labels)
SIDE_AGREE_MIN = 0.5  # the yaw and roll cues must label at least this share of steps alike
SWAY_AGREE_MIN = 0.8  # ... or the sway cue must label this share like one of them
FRAME_CLARITY_MIN = 0.5  # the sway arbitrates only where the forward sign is this clear
TURN_RATE = 0.8  # rad/s: a step turning this fast has its mount side evidence divided by e
# (mobgap's daily-life walks: 0.65-1.0 alike, 0.5 leaves a turning stop's strong step to the
# chain; simulator: running turns need the discount, 1.5 and above label some steps wrong)
TURN_LP_HZ = 0.3  # ... its heading rate: the yaw rate low-passed at this frequency
MOUNT_BAND_HZ = (0.3, 3.0)  # band of the sideways acceleration and the roll (step and stride)


def window_mean(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    c = np.concatenate([[0.0], np.cumsum(x)])
    a = np.clip(a, 0, len(x))
    b = np.clip(b, 0, len(x))
    return (c[b] - c[a]) / np.maximum(b - a, 1)


def infer_sides(ic: np.ndarray, T: np.ndarray, yaw: np.ndarray | None, roll: np.ndarray | None,
                ml: np.ndarray, fs: float, gap_between: np.ndarray, run: np.ndarray | None = None,
                sway: np.ndarray | Callable[[], np.ndarray] | None = None
                ) -> tuple[np.ndarray, np.ndarray, bool]:
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
    the inverted-pendulum cue (:func:`sway_llr`, the trunk's sideways velocity change over the
    step, towards the midline after each contact; MacKinnon & Winter 1993) in the inferred
    frame. The cue it labels like for at least ``SWAY_AGREE_MIN`` of the steps is taken as the
    one that is not inverted, and the sides come from the two together. It resolves trojaniello
    S025 (sides 0.00 -> 1.00) and mobgap's belt-worn walks (0.87-1.00 -> 0.92-1.00, all
    previously "uncertain"). Runs stay uncertain: on fukuchi2017's virtual pelvis the sway sided
    with the wrong cue in one of three runs. ``sway`` may be a function giving it: it is then
    called only where it arbitrates.
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
        pre = -flip * window_mean(yb, np.round(ic - 0.25 * T * fs).astype(int), ii)
        comb = rb[ii] - flip * yb[ii]  # Ullrich 2022 / mobgap "combined": yaw - roll <= 0: left
        score = _z(pre) + _z(comb)
        score_yaw = _z(pre) + _z(-flip * yb[ii])
        score_roll = _z(window_mean(bandpass(roll, fs, 0.5, 3.0), ii,
                                     np.round(ic + 0.3 * T * fs).astype(int)))
    else:
        # the trunk accelerates towards the right during a left stance (ML is positive left):
        # just after IC (high-passed, free of the gravity leak of pelvic roll) and over the first
        # half of the step
        mlh = ml - gaussian_filter1d(ml, 0.15 * fs)
        m1 = -window_mean(mlh, np.round(ic - 0.05 * fs).astype(int),
                           np.round(ic + 0.1 * fs).astype(int))
        m2 = -window_mean(bandpass(ml, fs, 0.3, 3.0), ii, np.round(ic + 0.5 * T * fs).astype(int))
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
            if callable(sway):
                sway = sway()
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
    steps, reads one slow step as two (same side). Used with a mount (:func:`mount_sides`;
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


def mount_sides(ic: np.ndarray, end: np.ndarray, T: np.ndarray, ml: np.ndarray, v: np.ndarray,
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
    llr = sway_llr(ic, end, T, ml, v, roll, yaw, fs)
    p_same = _p_same(ic, T, fs, gap_between, neighbour_grid=True)
    return _mount_labels(llr, p_same)


def _mount_labels(llr: np.ndarray, p_same: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """L/R and confidence of the steps of :func:`mount_sides` from their sway log-odds
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


def sway_llr(ic: np.ndarray, end: np.ndarray, T: np.ndarray, ml: np.ndarray, v: np.ndarray,
             roll: np.ndarray | None, yaw: np.ndarray | None, fs: float) -> np.ndarray:
    """Per-IC log-odds of a left IC from the trunk's sideways velocity change over the step
    (the inverted-pendulum cue of :func:`mount_sides`, roll-corrected, turns discounted)."""
    lo, hi = MOUNT_BAND_HZ
    x = bandpass(ml, fs, lo, hi)
    if roll is not None:
        phi = bandpass(np.cumsum(bandpass(roll, fs, lo, hi)) / fs, fs, lo, hi)
        x = x - (v + G) * np.sin(phi)
    # a turn's centripetal acceleration (speed x heading rate, up to ~0.5 g when running)
    # changes slowly: the mean over one stride removes it and leaves the stride-periodic sway
    x = x - uniform_filter1d(x, max(round(2 * float(np.median(T)) * fs), 1))
    a = np.round(ic).astype(int)
    score = -window_mean(x, a, np.round(end).astype(int))
    llr = MOUNT_GAIN * _z(score)
    if yaw is not None:
        # in a turn the centripetal acceleration (speed x yaw rate) biases the sway by an
        # unknown amount: such a step's evidence is discounted (at TURN_RATE rad/s, ~0.6 m/s^2
        # at walking speed, the sway's own size, by e) and its side follows its neighbours
        # the heading rate: the yaw rate low-passed below the stride frequency (the pelvis's
        # own rotation, +-0.3 rad/s at ~0.9 Hz, is not a turn)
        w = np.abs(window_mean(lowpass(yaw, fs, TURN_LP_HZ), a, np.round(end).astype(int)))
        llr = llr * np.exp(-((w / TURN_RATE) ** 2))
    return llr


def _z(x: np.ndarray) -> np.ndarray:
    """``x`` in units of its standard deviation (no centring: the sign carries the side)."""
    return x / (np.std(x) + 1e-9)


def _logaddexp(x: float, y: float) -> float:
    """log(exp(x) + exp(y)) of two floats, as ``numpy.logaddexp`` (on floats: ~10x faster)."""
    if x == y:
        return x + _LN2
    d = x - y
    return x + math.log1p(math.exp(-d)) if d > 0 else y + math.log1p(math.exp(d))


_LN2 = math.log(2.0)


def _posterior_left(llr: np.ndarray, p_same: np.ndarray) -> np.ndarray:
    """Posterior probability that each step is left, by the forward-backward algorithm on the
    alternation chain of :func:`_viterbi_alternation` (log domain; a loop over steps in plain
    floats, a few microseconds per step)."""
    n = len(llr)
    ls, la = np.log(p_same).tolist(), np.log1p(-p_same).tolist()
    er = (-0.5 * llr).tolist()  # emission log-likelihoods: right, left
    el = (0.5 * llr).tolist()
    lae = _logaddexp
    f0, f1 = [0.0] * n, [0.0] * n
    z = lae(er[0], el[0])
    f0[0], f1[0] = er[0] - z, el[0] - z
    for k in range(1, n):
        a, b = ls[k - 1], la[k - 1]
        r = lae(f0[k - 1] + a, f1[k - 1] + b) + er[k]
        left = lae(f1[k - 1] + a, f0[k - 1] + b) + el[k]
        z = lae(r, left)
        f0[k], f1[k] = r - z, left - z
    b0, b1 = [0.0] * n, [0.0] * n
    for k in range(n - 2, -1, -1):
        a, b = ls[k], la[k]
        n0, n1 = b0[k + 1] + er[k + 1], b1[k + 1] + el[k + 1]
        r, left = lae(a + n0, b + n1), lae(a + n1, b + n0)
        z = lae(r, left)
        b0[k], b1[k] = r - z, left - z
    p0 = np.add(f0, b0)
    p1 = np.add(f1, b1)
    return np.exp(p1 - np.logaddexp(p0, p1))


def _viterbi_alternation(llr: np.ndarray, p_same: np.ndarray) -> np.ndarray:
    """Most likely L/R sequence (True = left) of a two-state chain that alternates sides.

    ``llr``: each step's log-likelihood ratio left vs right; ``p_same[k]``: probability that steps
    k and k+1 are on the same side (a missed or an extra step). A loop over scalars (a few
    microseconds per step).
    """
    n = len(llr)
    ls = np.log(p_same).tolist()
    la = np.log1p(-p_same).tolist()
    half = (0.5 * llr).tolist()
    back_r = [False] * n  # True: came from the same state
    back_l = [False] * n
    s_r, s_l = -half[0], half[0]  # state 0 = right, 1 = left
    for k in range(1, n):
        e = half[k]
        a, b = ls[k - 1], la[k - 1]
        r_same, r_alt = s_r + a, s_l + b
        l_same, l_alt = s_l + a, s_r + b
        back_r[k] = r_same >= r_alt
        back_l[k] = l_same >= l_alt
        s_r = max(r_same, r_alt) - e
        s_l = max(l_same, l_alt) + e
    out = np.zeros(n, dtype=bool)
    st = int(s_l > s_r)
    for k in range(n - 1, -1, -1):
        out[k] = bool(st)
        if k and not (back_l[k] if st else back_r[k]):
            st = 1 - st
    return out
