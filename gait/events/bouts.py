"""Walking / running bouts and turns, for any sensor placement.

Bouts come from the vertical acceleration (gravity removed, any placement; optionally more
channels such as a trunk sensor's AP acceleration, whose autocorrelations are averaged): the
signal is cut into 3 s windows every 0.25 s and each window gets

* ``power``: standard deviation of the 0.5-8 Hz band (m/s^2), i.e. how much the body moves;
* ``step_freq``: the step frequency from the window's autocorrelation (dominant peak in
  0.25-1.1 s; if the autocorrelation also has a clearly positive peak (> 0.2) at 1/2, 1/3 or 1/4
  of that lag, the dominant lag spans several steps - the stride, or more when running - and the
  shortest such lag is the step); with several channels, their average autocorrelation is used
  where it is periodic and the vertical alone is not, or where it finds half the vertical's
  period (the step where the vertical repeats per stride, as in asymmetric gait); with a trunk
  sensor's lateral acceleration, a period at which the lateral sway is in anti-phase two
  periods on is half a step and is doubled (the two humps of a slow step), and a period of
  ``STRIDE_CHECK_S`` or more at which it is in phase, and in anti-phase half a period on, is a
  stride and is halved (a paretic step too weak to repeat in the vertical);
* ``regularity``: the larger of the unbiased autocorrelations at the step and at the stride lag
  (Moe-Nilssen & Helbostad 2004, "Estimation of gait cycle characteristics by trunk
  accelerometry", J Biomech 37:121-126). Walking and running are periodic (0.5-0.9), other
  movements are not.

A window is gait when it moves (``power`` above ``MIN_POWER``), is periodic (``regularity`` above
``MIN_REGULARITY``) at a plausible cadence (0.6-4 steps/s). Gait windows are joined into bouts
(gaps shorter than ``MERGE_GAP_S`` closed, bouts shorter than ``MIN_BOUT_S`` dropped); a bout is
"run" when its cadence is above 2.5 steps/s (150 steps/min, above nearly all walking) and its
vertical acceleration is large (standard deviation above 4 m/s^2: running has a flight phase
and 2-3 g impacts, walking stays near 1-3 m/s^2).

Turns (only with a gyroscope) follow El-Gohary et al. 2014 ("Continuous monitoring of turning
in patients with movement disability", Sensors 14:356-369): the yaw rate about the vertical is
low-passed at 1.5 Hz; a turn is a stretch where it exceeds 15 deg/s with a peak above
``TURN_PEAK_DPS`` and a turned angle of at least 45 deg; neighbouring stretches turning the same
way less than 0.5 s apart are one turn.

Parameters are physiological ranges, not fitted to a data set: cadence 0.6-4 steps/s covers slow
pathological walking to sprinting; ``MIN_POWER`` 0.25 m/s^2 is below the smallest trunk
acceleration of slow walking (about 0.5 m/s^2 standard deviation) and above sensor noise and
standing sway; ``MIN_REGULARITY`` 0.4 is generous on purpose (walking is 0.5-0.9; band-limited
noise reaches 0.3 in a 3 s window by chance; the event detectors check the steps themselves).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from gait import dsp
from gait.preprocess import bandpass, fill_gaps, lowpass

WINDOW_S = 3.0
HOP_S = 0.25
GRID_HZ = 50.0  # features are computed on a 50 Hz copy of the signal (fast at any rate)
AC_BLOCK = 256  # windows per FFT block in window_features (see _window_ac)
MIN_POWER = 0.25  # m/s^2
MIN_REGULARITY = 0.4
HALF_LAG_MIN_AC = 0.2  # positive autocorrelation at d/k: the dominant lag d spans k steps
MAX_STRIDE_LAG_S = 1.8  # longest stride lag searched (slow hemiparetic gait: 1.2-1.6 s)
LATERAL_ANTI = 0.3  # lateral acceleration in anti-phase at twice the lag: the lag is half a step
STRIDE_MIN_AC = 0.65  # a stride peak beyond the step range must reach this (noise: 9 %)
MIN_STEP_HZ, MAX_STEP_HZ = 0.6, 4.0
MAX_STEP_S = 1.1  # longest step lag searched in the step range
STRIDE_CHECK_S = 0.8  # a period this long may be a stride (lateral check; half: 150 steps/min)
MERGE_GAP_S = 1.0
EDGE_FRAC = 0.2  # bout edges: where the 0.5 s envelope reaches this x the bout's median
MIN_BOUT_S = 1.0
RUN_STEP_HZ = 2.5
RUN_POWER = 4.0  # m/s^2
TURN_MIN_DPS = 15.0
TURN_PEAK_DPS = 30.0
TURN_MIN_DEG = 45.0

BOUT_COLUMNS = ["start", "end", "kind"]
TURN_COLUMNS = ["start", "end", "angle_deg", "direction"]


@dataclass
class GaitWindows:
    """Per-window features (window centres ``t`` in s from the first sample)."""

    t: np.ndarray
    power: np.ndarray
    step_freq: np.ndarray
    regularity: np.ndarray
    gait: np.ndarray  # bool
    two_humps: np.ndarray | None = None  # bool: the vertical's period was half the step


@dataclass
class BoutResult:
    """Bouts (``start, end, kind`` in s on the stream's axis), turns and per-sample tracks."""

    bouts: pd.DataFrame
    turns: pd.DataFrame
    windows: GaitWindows
    gait_mask: np.ndarray  # per input sample: inside a bout
    step_freq: np.ndarray  # per input sample: local step frequency (Hz), interpolated
    two_humps: np.ndarray | None = None  # per input sample: steps with two vertical humps
    band: np.ndarray | None = None  # per input sample: the vertical's 0.5-8 Hz band


def _resample(x: np.ndarray, fs: float, fs_new: float) -> np.ndarray:
    """``x`` linearly interpolated at ``fs_new`` (the first sample kept). When ``fs`` is a
    whole multiple q of ``fs_new`` every q-th sample: the same numbers (the new times k /
    ``fs_new`` are the same doubles as the old ones q k / ``fs``, both the rounding of one real,
    and ``np.interp`` returns a sample itself at its time), without the interpolation."""
    n_new = max(int(np.floor((len(x) - 1) * fs_new / fs)) + 1, 1)
    q = round(fs / fs_new)
    if q >= 1 and q * fs_new == fs and len(x):
        return np.ascontiguousarray(x[::q][:n_new])
    t_new = np.arange(n_new) / fs_new
    return np.interp(t_new, np.arange(len(x)) / fs, x)


def window_features(v: np.ndarray, fs: float, window_s: float = WINDOW_S,
                    hop_s: float = HOP_S, lateral: np.ndarray | None = None,
                    band0: np.ndarray | None = None) -> GaitWindows:
    """Power, step frequency and regularity of the vertical acceleration in sliding windows.

    ``v`` may be N x k (e.g. vertical and AP acceleration of a trunk sensor): the normalised
    autocorrelations of the channels are averaged (multi-axis autocorrelation, as in
    Moe-Nilssen & Helbostad 2004), ``power`` is that of the first channel.

    ``lateral`` (a trunk sensor's medio-lateral acceleration) checks the step against the
    stride: the trunk sways once per stride, so its lateral acceleration is in anti-phase one
    step apart and in phase one stride apart (Moe-Nilssen & Helbostad 2004). Where it is in
    anti-phase (autocorrelation below ``-LATERAL_ANTI``) at twice the lag found, that lag is
    half a step - the loading and push-off humps of a slow step taken for two steps - and the
    step is twice it. (On every lower-back walk of ../shared/validation: 88 % of the windows
    whose vertical period is half the reference step, 0.3 % of those where it is the step.)
    Conversely, where it is in phase at a period of ``STRIDE_CHECK_S`` or more and in
    anti-phase at half of it, that period is the stride - a hemiparetic walker's paretic step
    moves the trunk too little for the vertical to repeat per step - and the step is half of it
    (trojaniello2014 stroke S022: lower-back IC F1 0.86 -> 0.98 with the walkway on the IMU
    clock; below 0.8 s, 150 steps/min once halved, the check misread turns and shuffles of
    mobgap MS001 as strides).

    ``band0``: the first channel's 0.5-8 Hz band (:func:`_band`), when the caller has it.
    """
    v = np.asarray(v, float)
    chans = v.reshape(len(v), -1)
    n_win = round(window_s * GRID_HZ)
    hop = max(round(hop_s * GRID_HZ), 1)
    ac, power = _window_ac(chans[:, 0], fs, n_win, hop, band0)
    t = (np.arange(len(ac)) * hop + n_win / 2) / GRID_HZ
    acs = [ac]
    for c in range(1, chans.shape[1]):  # the other channels' autocorrelations (no SD needed)
        x_c = _windows_signal(chans[:, c], fs, n_win)
        acs.append(_window_ac_rows(x_c, n_win, hop, slice(None)))
    step_freq, regularity = _step_lag(acs[0], n_win)
    if len(acs) > 1:
        # the channel average where it is periodic and the first channel is not; where both are,
        # the shorter period if one is twice the other (the longer one is the stride), else the
        # more regular one
        sf2, reg2 = _step_lag(_mean_of(acs), n_win)
        ok1 = regularity > MIN_REGULARITY
        ok2 = reg2 > MIN_REGULARITY
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = sf2 / step_freq
        twice = np.abs(ratio - 2) < 0.3
        half = np.abs(ratio - 0.5) < 0.075
        use2 = ok2 & (~ok1 | twice | (~half & (reg2 > regularity)))
        step_freq = np.where(use2, sf2, step_freq)
        regularity = np.where(use2, reg2, regularity)
    two_humps = None
    if lateral is not None:
        # the checks read the lateral autocorrelation only at windows whose period is long
        # (a possible stride) or short (a possible half step): those windows' rows alone
        x_lat = _windows_signal(lateral, fs, n_win)
        ac_lat = np.zeros((len(step_freq), n_win))  # rows no check reads stay zero
        done = np.zeros(len(step_freq), dtype=bool)
        for rows_of in (_stride_rows, _half_step_rows):
            need = rows_of(step_freq, n_win)[1] & ~done
            if need.any():
                ac_lat[need] = _window_ac_rows(x_lat, n_win, hop, np.flatnonzero(need))
                done |= need
            if rows_of is _stride_rows:  # the half-step check reads the checked periods
                step_freq = _check_stride(step_freq, ac_lat)
        checked = _check_half_step(step_freq, ac_lat)
        two_humps = np.isfinite(step_freq) & (checked != step_freq)
        step_freq = checked
    ok = np.isfinite(step_freq)
    gait = ok & (power > MIN_POWER) & (regularity > MIN_REGULARITY) & \
        (step_freq >= MIN_STEP_HZ) & (step_freq <= MAX_STEP_HZ)
    return GaitWindows(t=t, power=power, step_freq=step_freq, regularity=regularity, gait=gait,
                       two_humps=two_humps)


def _stride_rows(step_freq: np.ndarray, n_lags: int) -> tuple[np.ndarray, np.ndarray]:
    """The lags (samples) of :func:`_check_stride` and the windows it checks."""
    with np.errstate(invalid="ignore", divide="ignore"):
        lag = GRID_HZ / step_freq
    return lag, np.isfinite(lag) & (lag >= STRIDE_CHECK_S * GRID_HZ) & (lag < n_lags - 1)


def _half_step_rows(step_freq: np.ndarray, n_lags: int) -> tuple[np.ndarray, np.ndarray]:
    """The lags (samples) of :func:`_check_half_step` and the windows it checks: the doubled
    step stays in the step range, and the sway is in phase again one stride (four lags) on."""
    with np.errstate(invalid="ignore", divide="ignore"):
        lag = GRID_HZ / step_freq
    return lag, np.isfinite(lag) & (2 * lag <= MAX_STEP_S * GRID_HZ) & (4 * lag < 0.6 * n_lags)


def _check_stride(step_freq: np.ndarray, ac_lat: np.ndarray) -> np.ndarray:
    """Halve the step period where the lateral sway is in phase at it and in anti-phase at half
    of it: the period found is the stride (see :func:`window_features`)."""
    rows = np.arange(len(step_freq))
    lag, ok = _stride_rows(step_freq, ac_lat.shape[1])
    k1 = np.where(ok, np.round(lag), 0).astype(int)
    kh = np.where(ok, np.round(lag / 2), 0).astype(int)
    stride = ok & (ac_lat[rows, k1] > LATERAL_ANTI) & (ac_lat[rows, kh] < -LATERAL_ANTI)
    return np.where(stride, 2 * step_freq, step_freq)


def _check_half_step(step_freq: np.ndarray, ac_lat: np.ndarray) -> np.ndarray:
    """Double the step period where the lateral autocorrelation is in anti-phase at twice it
    (see :func:`window_features`)."""
    rows = np.arange(len(step_freq))
    lag, ok = _half_step_rows(step_freq, ac_lat.shape[1])
    k2 = np.where(ok, np.round(2 * lag), 0).astype(int)
    k4 = np.where(ok, np.round(4 * lag), 0).astype(int)
    anti = ok & (ac_lat[rows, k2] < -LATERAL_ANTI) & (ac_lat[rows, k4] > LATERAL_ANTI)
    return np.where(anti, step_freq / 2, step_freq)


def _mean_of(arrays: list[np.ndarray]) -> np.ndarray:
    """``np.mean(arrays, axis=0)`` (the same numbers: summed in order, divided by the count)
    without stacking the arrays into one first."""
    out = arrays[0].copy()
    for a in arrays[1:]:
        out += a
    out /= len(arrays)
    return out


def _band(x: np.ndarray, fs: float) -> np.ndarray:
    """The 0.5-8 Hz band of ``x`` (gaps filled), as the windows' features use it."""
    return bandpass(fill_gaps(x), fs, 0.5, 8.0)


def _window_ac(x: np.ndarray, fs: float, n_win: int, hop: int, band: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """Unbiased normalised autocorrelation (windows x lags) and standard deviation of the
    0.5-8 Hz band of ``x`` (``band``, when given) in windows of ``n_win`` samples every ``hop``
    on the 50 Hz grid."""
    w = sliding_window_view(_windows_signal(x, fs, n_win, band), n_win)[::hop]
    std = np.empty(len(w))
    return _ac_blocks(w, n_win, std), std


def _ac_blocks(w: np.ndarray, n_win: int, std: np.ndarray | None = None) -> np.ndarray:
    """Unbiased normalised autocorrelation of every window (row) of ``w``; each window's SD
    into ``std`` when given."""
    nfft = dsp.next_fast_len(2 * n_win - 1, real=True)
    unbias = n_win / (n_win - np.arange(n_win))
    ac = np.empty((len(w), n_win))
    # the centred windows are written into a zero-padded buffer of the FFT length: the FFT's
    # input as numpy pads it (the same numbers), without a padded copy per block
    buf = np.zeros((min(AC_BLOCK, len(w)), nfft))
    # blocks of windows: the FFT buffers stay small and are reused, where one FFT of all the
    # windows of an hour (~60 MB per buffer) spent as long again in page faults; 256 windows
    # (~0.3 MB of centred windows, 0.6 MB of spectrum) keep a step's input and output within a
    # core's 1 MB L2 cache (AMD EPYC, 2 cores: one channel of a 10-minute chunk alone 6 ms
    # against 11 ms with 512; in the whole analysis of an hour ~0.02 s less); the numbers do not
    # depend on the block (each row is its own FFT). Double
    # precision: numpy's float32 FFT of many short rows is twice as slow as its float64 one
    # (scipy.fft's float32 was faster, but importing scipy.fft costs 0.2-0.3 s)
    for i in range(0, len(w), AC_BLOCK):  # a loop over blocks of windows, not samples
        blk = w[i:i + AC_BLOCK]
        pad = buf[:len(blk)]
        blk = np.subtract(blk, blk.mean(axis=1, keepdims=True), out=pad[:, :n_win])
        if std is not None:
            # the windows' SD from the centred block, as w.std(axis=1) computes it (sum of
            # squares about the mean over n), without a second pass over the strided windows
            std[i:i + AC_BLOCK] = np.sqrt(np.sum(blk * blk, axis=1) / n_win)
        f = np.fft.rfft(pad, axis=1)
        a = np.fft.irfft(f.real ** 2 + f.imag ** 2, nfft, axis=1)[:, :n_win]
        ac[i:i + AC_BLOCK] = a / np.maximum(a[:, :1], 1e-12) * unbias
    return ac


def _windows_signal(x: np.ndarray, fs: float, n_win: int, band: np.ndarray | None = None
                    ) -> np.ndarray:
    """The signal :func:`_window_ac` cuts into windows: the 0.5-8 Hz band of ``x`` (``band``,
    when given) on the 50 Hz grid, zero-padded to at least one window."""
    x = _band(x, fs) if band is None else band
    x = _resample(x, fs, GRID_HZ) if abs(fs - GRID_HZ) > 1e-6 else x
    if len(x) < n_win:
        x = np.pad(x, (0, n_win - len(x)))
    return x


def _window_ac_rows(x: np.ndarray, n_win: int, hop: int, rows: np.ndarray | slice
                    ) -> np.ndarray:
    """The rows ``rows`` (indices, or a slice) of :func:`_window_ac`'s autocorrelation of the
    windowed signal ``x`` (:func:`_windows_signal`): the same numbers (each window is its own
    FFT), for those windows only, without their SD."""
    return _ac_blocks(sliding_window_view(x, n_win)[::hop][rows], n_win)


def _step_lag(ac: np.ndarray, n_win: int) -> tuple[np.ndarray, np.ndarray]:
    """Step frequency (Hz, NaN without a peak) and regularity from windowed autocorrelations."""
    lo = int(np.floor(GRID_HZ / MAX_STEP_HZ))
    hi = min(int(np.ceil(MAX_STEP_S * GRID_HZ)), n_win // 2)
    hi2 = min(2 * hi + 2, n_win - 2)
    a = ac[:, : hi2 + 2]
    rows = np.arange(len(a))
    is_pk = np.zeros_like(a, dtype=bool)
    is_pk[:, 1:-1] = (a[:, 1:-1] > a[:, :-2]) & (a[:, 1:-1] >= a[:, 2:])
    # the highest peak in lags lo..hi (only those columns are searched; a row without one
    # gives lag 0, as an argmax over the whole row of -inf would)
    cand = np.where(is_pk[:, lo:hi + 1], a[:, lo:hi + 1], -np.inf)
    d1 = np.argmax(cand, axis=1)
    ok = np.isfinite(cand[rows, d1])
    d1 = np.where(ok, d1 + lo, 0)
    # a peak with positive autocorrelation near d1 / k (k = 2, 3, 4): d1 spans k steps (the
    # stride, or more at running cadences) and the shortest such lag is the step
    best = d1.copy()
    n_col = a.shape[1]
    # flat views (a C-ordered ac's rows are ac.shape[1] apart: no copy of its first columns)
    ac_c = np.ascontiguousarray(ac)
    a_flat, a_row, pk_flat = ac_c.ravel(), ac_c.shape[1], is_pk.ravel()
    for kk in (2, 3, 4):
        frac_lag = d1 / kk
        tol = np.maximum(1.5, 0.15 * frac_lag)
        # the lags within tol of frac_lag, gathered in increasing order (a few per row, not the
        # whole row): argmax then picks the same first maximum as over the full row
        span = int(np.ceil(tol.max())) + 1
        cols = np.floor(frac_lag)[:, None].astype(int) + np.arange(-span, span + 2)[None, :]
        inside = (cols >= lo) & (cols < n_col) & (np.abs(cols - frac_lag[:, None])
                                                  <= tol[:, None])
        cols = np.clip(cols, 0, n_col - 1)
        # gathered from the flat arrays (faster than 2-D indexing)
        near = inside & pk_flat[rows[:, None] * n_col + cols]
        hv = np.where(near, a_flat[rows[:, None] * a_row + cols], -np.inf)
        j = np.argmax(hv, axis=1)
        h_val = hv[rows, j]
        use = np.isfinite(h_val) & (h_val > HALF_LAG_MIN_AC)
        best = np.where(use, cols[rows, j], best)
    k = np.clip(best, 1, a.shape[1] - 2)
    # parabolic refinement of the lag
    y0, y1, y2 = a[rows, k - 1], a[rows, k], a[rows, k + 1]
    den = y0 - 2 * y1 + y2
    frac = np.where(np.abs(den) > 1e-12, 0.5 * (y0 - y2) / np.where(den == 0, 1, den), 0.0)
    step_lag = k + np.clip(frac, -0.5, 0.5)
    stride_k = np.clip(np.round(2 * step_lag).astype(int), 0, a.shape[1] - 1)
    # the stride peak may sit a sample or two away from twice the step lag
    stride_ac = np.max(np.stack([a[rows, np.clip(stride_k + d, 0, a.shape[1] - 1)]
                                 for d in (-2, -1, 0, 1, 2)]), axis=0)
    regularity = np.where(ok, np.maximum(y1, stride_ac), -1.0)
    # asymmetric gait (a hemiparetic leg): the two steps of a stride differ, the autocorrelation
    # at the step lag is weak or negative and only the stride repeats, with a lag that can
    # exceed the step range (1.2-1.6 s). Where the step range found nothing periodic, a strong
    # stride peak beyond it gives the step as half the stride (trojaniello2014 S023: step-lag
    # autocorrelation 0.2-0.3, stride lag 1.26 s at 0.6-0.85)
    hi_s = min(int(MAX_STRIDE_LAG_S * GRID_HZ), a.shape[1] - 2, int(0.6 * n_win))
    if hi_s > hi:
        cand_s = np.where(is_pk[:, hi + 1:hi_s + 1], a[:, hi + 1:hi_s + 1], -np.inf)
        ds_ = np.argmax(cand_s, axis=1)
        ac_s = cand_s[rows, ds_]
        ds_ = np.where(np.isfinite(ac_s), ds_ + hi + 1, 0)
        use_s = np.isfinite(ac_s) & (ac_s > STRIDE_MIN_AC) & (regularity <= MIN_REGULARITY)
        if use_s.any():
            ks = np.clip(ds_, 1, a.shape[1] - 2)
            z0, z1, z2 = a[rows, ks - 1], a[rows, ks], a[rows, ks + 1]
            dz = z0 - 2 * z1 + z2
            fz = np.where(np.abs(dz) > 1e-12, 0.5 * (z0 - z2) / np.where(dz == 0, 1, dz), 0.0)
            step_lag = np.where(use_s, 0.5 * (ks + np.clip(fz, -0.5, 0.5)), step_lag)
            regularity = np.where(use_s, ac_s, regularity)
            ok = ok | use_s
    step_freq = np.where(ok, GRID_HZ / np.maximum(step_lag, 1e-9), np.nan)
    return step_freq, regularity


def _runs(mask: np.ndarray) -> np.ndarray:
    """Start/stop index pairs (stop exclusive) of the True runs of a boolean array."""
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return np.column_stack([np.flatnonzero(d == 1), np.flatnonzero(d == -1)])


def detect_turns(yaw_rate: np.ndarray, fs: float, start_s: float = 0.0) -> pd.DataFrame:
    """Turns from the yaw rate about the vertical (rad/s), El-Gohary et al. 2014."""
    w = np.degrees(lowpass(fill_gaps(np.asarray(yaw_rate, float)), fs, 1.5))
    rows: list[tuple[float, float, float, str]] = []
    for sign in (1.0, -1.0):
        sw = sign * w
        r = _runs(sw > TURN_MIN_DPS)
        if not len(r):
            continue
        # runs less than 0.5 s apart are merged (a walk's pelvic rotation crosses the threshold
        # every step: thousands of runs an hour, screened at once here, not one by one)
        a, b = r[:, 0], r[:, 1]
        first = np.concatenate([[True], a[1:] - b[:-1] >= 0.5 * fs])
        starts = a[first]
        ends = b[np.concatenate([np.flatnonzero(first)[1:] - 1, [len(r) - 1]])]
        # the peak over a merged run and the gap after it: the gap stays at or below
        # TURN_MIN_DPS, under TURN_PEAK_DPS, so the test is that of the run alone
        peak = np.maximum.reduceat(sw, starts)
        cs = np.concatenate([[0.0], np.cumsum(sw)])
        rough = (cs[ends] - cs[starts]) / fs  # the angle to rounding: a screen only
        cand = (peak >= TURN_PEAK_DPS) & ((ends - starts) / fs <= 10.0) & \
            (rough >= TURN_MIN_DEG - 1.0)
        for a0, b0 in zip(starts[cand].tolist(), ends[cand].tolist(), strict=True):
            seg = sw[a0:b0]
            angle = float(seg.sum() / fs)
            if seg.max() >= TURN_PEAK_DPS and angle >= TURN_MIN_DEG and (b0 - a0) / fs <= 10.0:
                rows.append((start_s + a0 / fs, start_s + b0 / fs, angle,
                             "left" if sign > 0 else "right"))
    df = pd.DataFrame(rows, columns=TURN_COLUMNS)
    return df.sort_values("start").reset_index(drop=True)


def detect_bouts(v: np.ndarray, fs: float, yaw_rate: np.ndarray | None = None,
                 start_s: float = 0.0, lateral: np.ndarray | None = None) -> BoutResult:
    """Walking/running bouts from the vertical acceleration (m/s^2, gravity removed).

    ``v`` may be N x k (vertical first, then e.g. the AP acceleration, see
    :func:`window_features`); ``lateral`` a trunk sensor's medio-lateral acceleration (the
    step/stride check of :func:`window_features`).

    ``yaw_rate`` (rad/s about the vertical, counter-clockwise seen from above positive) adds the
    turns. Times in the returned tables are ``start_s + index / fs``.
    """
    v = np.asarray(v, float)
    n = len(v)
    # the vertical's band: the first channel's windows, the bout edges, and the caller's
    x = _band(v.reshape(n, -1)[:, 0], fs)
    win = window_features(v, fs, lateral=lateral, band0=x)
    g = win.gait
    # window mask -> sample mask (a run of gait windows covers its windows' full extent)
    half = WINDOW_S / 2
    t_s = np.arange(n) / fs
    mask = np.zeros(n, dtype=bool)
    for a, b in _runs(g):
        lo = max(round((win.t[a] - half) * fs), 0)
        hi = min(round((win.t[b - 1] + half) * fs), n)
        mask[lo:hi] = True
    # trim bout edges to where the body moves (a window is gait if part of it is)
    env = dsp.moving_rms(x, max(round(0.5 * fs), 1))
    for a, b in _runs(mask):
        thr = max(EDGE_FRAC * float(np.median(env[a:b])), MIN_POWER)
        act = np.flatnonzero(env[a:b] >= thr)
        mask[a:b] = False
        if len(act):
            pad = round(0.25 * fs)
            mask[max(a + act[0] - pad, a):min(a + act[-1] + 1 + pad, b)] = True
    # close short gaps, drop short bouts
    for a, b in _runs(~mask):
        if a > 0 and b < n and (b - a) / fs < MERGE_GAP_S:
            mask[a:b] = True
    for a, b in _runs(mask):
        if (b - a) / fs < MIN_BOUT_S:
            mask[a:b] = False
    sf = win.step_freq.copy()
    good = g & np.isfinite(sf)
    step_freq = np.interp(t_s, win.t[good], sf[good]) if good.any() else np.full(n, np.nan)
    two_humps = None
    if win.two_humps is not None:
        two_humps = (np.interp(t_s, win.t[good], win.two_humps[good].astype(float)) > 0.5
                     if good.any() else np.zeros(n, dtype=bool))
    rows = []
    for a, b in _runs(mask):
        in_w = good & (win.t >= a / fs) & (win.t <= b / fs)
        cad = float(np.median(sf[in_w])) if in_w.any() else float(np.nanmedian(step_freq[a:b]))
        pw = float(np.median(win.power[in_w])) if in_w.any() else 0.0
        kind = "run" if cad > RUN_STEP_HZ and pw > RUN_POWER else "walk"
        rows.append((start_s + a / fs, start_s + (b - 1) / fs, kind))
    bouts = pd.DataFrame(rows, columns=BOUT_COLUMNS)
    turns = (detect_turns(yaw_rate, fs, start_s) if yaw_rate is not None
             else pd.DataFrame(columns=TURN_COLUMNS))
    return BoutResult(bouts=bouts, turns=turns, windows=win, gait_mask=mask, step_freq=step_freq,
                      two_humps=two_humps, band=x)
