"""Bout, cadence and turn detection (gait.events.bouts) on synthetic signals."""

from __future__ import annotations

import numpy as np
import pytest

from gait.events.bouts import detect_bouts, detect_turns, window_features


def _gait(t: np.ndarray, step_hz: float, amp: float = 2.0, stride_amp: float = 0.0,
          seed: int = 0) -> np.ndarray:
    """Vertical-acceleration-like signal: step fundamental + harmonic (+ stride component)."""
    rng = np.random.default_rng(seed)
    ph = 2 * np.pi * step_hz * t
    return (amp * np.sin(ph) + 0.4 * amp * np.sin(2 * ph + 0.7)
            + stride_amp * np.sin(ph / 2 + 0.3) + rng.normal(0, 0.05, len(t)))


@pytest.mark.parametrize("fs", [50.0, 100.0, 410.0])
def test_window_features_step_frequency(fs: float) -> None:
    t = np.arange(int(20 * fs)) / fs
    win = window_features(_gait(t, 1.8), fs)
    assert win.gait.mean() > 0.95
    assert np.nanmedian(win.step_freq) == pytest.approx(1.8, abs=0.05)
    assert np.median(win.regularity) > 0.8


def test_stride_dominated_signal_gives_the_step() -> None:
    """A strong stride component (asymmetric gait) must not halve the cadence."""
    fs = 100.0
    t = np.arange(int(20 * fs)) / fs
    win = window_features(_gait(t, 1.8, amp=1.0, stride_amp=0.7), fs)
    assert np.nanmedian(win.step_freq[win.gait]) == pytest.approx(1.8, abs=0.08)


def test_stride_dominated_vertical_with_ap_channel() -> None:
    """Strongly asymmetric gait: vertical repeats per stride, AP per step; both channels give
    the step."""
    fs = 100.0
    t = np.arange(int(20 * fs)) / fs
    v = _gait(t, 1.8, amp=0.8, stride_amp=1.0)
    ap = _gait(t, 1.8, amp=1.5, seed=4)
    assert np.nanmedian(window_features(v, fs).step_freq) == pytest.approx(0.9, abs=0.05)
    win = window_features(np.column_stack([v, ap]), fs)
    assert np.nanmedian(win.step_freq[win.gait]) == pytest.approx(1.8, abs=0.08)


def test_lateral_sway_tells_a_double_humped_step_from_two_steps() -> None:
    """Slow gait whose vertical acceleration has two equal humps per step (loading and
    push-off): the vertical alone gives half the step; the trunk's lateral sway, once per
    stride, is in anti-phase two lags on and gives the step. A regular step with a lateral
    sway keeps its period."""
    fs = 100.0
    t = np.arange(int(20 * fs)) / fs
    step_hz = 1.6
    rng = np.random.default_rng(2)
    v = np.sin(2 * np.pi * 2 * step_hz * t) + rng.normal(0, 0.05, len(t))
    ml = np.sin(np.pi * step_hz * t + 0.4) + rng.normal(0, 0.05, len(t))
    assert np.nanmedian(window_features(v, fs).step_freq) == pytest.approx(2 * step_hz, abs=0.1)
    win = window_features(v, fs, lateral=ml)
    assert np.nanmedian(win.step_freq[win.gait]) == pytest.approx(step_hz, abs=0.05)
    regular = _gait(t, 1.8)
    sway = np.sin(np.pi * 1.8 * t) + rng.normal(0, 0.05, len(t))
    win = window_features(regular, fs, lateral=sway)
    assert np.nanmedian(win.step_freq[win.gait]) == pytest.approx(1.8, abs=0.05)


def test_lateral_sway_tells_a_stride_from_a_slow_step() -> None:
    """Slow hemiparetic gait: the paretic step barely moves the trunk, so the vertical repeats
    per stride (~1.1 s) and the step-lag autocorrelation is weak; the trunk's lateral sway is in
    phase one stride on and in anti-phase one step on, so the period is halved. A slow walker's
    genuinely long step (sway in anti-phase at it) keeps its period."""
    fs = 100.0
    t = np.arange(int(20 * fs)) / fs
    stride_hz = 0.9
    rng = np.random.default_rng(3)
    ph = 2 * np.pi * stride_hz * t
    # one strong (non-paretic) loading per stride, a weak paretic one in between
    v = (np.exp(4 * np.cos(ph)) + 0.15 * np.exp(4 * np.cos(ph - np.pi))) / 20
    v = v - v.mean() + rng.normal(0, 0.02, len(t))
    ml = np.sin(ph + 0.4) + rng.normal(0, 0.05, len(t))
    assert np.nanmedian(window_features(v, fs).step_freq) == pytest.approx(stride_hz, abs=0.05)
    win = window_features(v, fs, lateral=ml)
    assert np.nanmedian(win.step_freq[win.gait]) == pytest.approx(2 * stride_hz, abs=0.08)
    slow_step_hz = 0.95  # a long step: the sway reverses every step
    slow = _gait(t, slow_step_hz)
    sway = np.sin(np.pi * slow_step_hz * t) + rng.normal(0, 0.05, len(t))
    win = window_features(slow, fs, lateral=sway)
    assert np.nanmedian(win.step_freq[win.gait]) == pytest.approx(slow_step_hz, abs=0.05)


def test_noise_and_standing_are_not_gait() -> None:
    fs = 100.0
    rng = np.random.default_rng(1)
    win = window_features(rng.normal(0, 1.0, int(30 * fs)), fs)
    assert win.gait.mean() < 0.1
    win = window_features(rng.normal(0, 0.03, int(30 * fs)), fs)  # standing: sensor noise
    assert not win.gait.any()


def test_detect_bouts_walk_and_pause() -> None:
    fs = 100.0
    t = np.arange(int(60 * fs)) / fs
    v = np.random.default_rng(2).normal(0, 0.03, len(t))
    walk1 = (t >= 5) & (t < 20)
    walk2 = (t >= 35) & (t < 55)
    v[walk1 | walk2] += _gait(t, 1.9)[walk1 | walk2]
    res = detect_bouts(v, fs, start_s=10.0)
    b = res.bouts
    assert list(b["kind"]) == ["walk", "walk"]
    assert b["start"].to_numpy() == pytest.approx([15.0, 45.0], abs=1.5)
    assert b["end"].to_numpy() == pytest.approx([30.0, 65.0], abs=1.5)
    assert np.median(res.step_freq[res.gait_mask]) == pytest.approx(1.9, abs=0.05)
    assert res.gait_mask[int(10 * fs)] and not res.gait_mask[int(27 * fs)]


def test_detect_bouts_run() -> None:
    fs = 200.0
    t = np.arange(int(30 * fs)) / fs
    v = _gait(t, 2.8, amp=9.0)
    b = detect_bouts(v, fs).bouts
    assert len(b) == 1 and b["kind"].iloc[0] == "run"


def test_detect_bouts_with_nan_gap_and_extra_channel() -> None:
    fs = 100.0
    t = np.arange(int(30 * fs)) / fs
    v = _gait(t, 1.7)
    ap = _gait(t + 0.1, 1.7, amp=1.0, seed=3)
    v[1000:1100] = np.nan
    res = detect_bouts(np.column_stack([v, ap]), fs)
    assert len(res.bouts) == 1
    assert np.median(res.step_freq[res.gait_mask]) == pytest.approx(1.7, abs=0.05)


def test_detect_turns() -> None:
    fs = 100.0
    t = np.arange(int(20 * fs)) / fs
    yaw = 0.1 * np.sin(2 * np.pi * 0.9 * t)  # gait oscillation only: no turn
    assert detect_turns(yaw, fs).empty
    left = (t >= 5) & (t < 6)  # 90 deg to the left in 1 s
    right = (t >= 12) & (t < 14)  # 180 deg to the right in 2 s
    yaw = yaw + np.where(left, np.pi / 2, 0.0) - np.where(right, np.pi / 2, 0.0)
    turns = detect_turns(yaw, fs, start_s=1.0)
    assert list(turns["direction"]) == ["left", "right"]
    assert turns["angle_deg"].to_numpy() == pytest.approx([90, 180], abs=10)
    assert turns["start"].to_numpy() == pytest.approx([6.0, 13.0], abs=0.3)
    res = detect_bouts(_gait(t, 1.8), fs, yaw_rate=yaw)
    assert len(res.turns) == 2
