"""gait.dsp against scipy.signal (the oracle; scipy stays a dependency for fft and ndimage)."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import signal

from gait import dsp

from .conftest import REPO

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _close(ours: np.ndarray, ref: np.ndarray, rel: float, x: np.ndarray | None = None) -> None:
    """Equal to ``rel`` of the largest magnitude of the reference (or of the input ``x``)."""
    assert ours.shape == ref.shape
    scale = max(float(np.abs(ref).max(initial=0.0)), 1e-300)
    if x is not None:
        scale = max(scale, float(np.abs(x).max(initial=0.0)))
    np.testing.assert_allclose(ours, ref, rtol=0, atol=rel * scale)


# --- butter -----------------------------------------------------------------------------

cutoff = st.floats(0.002, 0.995)


@SETTINGS
@given(order=st.integers(1, 10), wn=cutoff, btype=st.sampled_from(["low", "high"]),
       fs=st.sampled_from([2.0, 20.0, 100.0, 128.0, 1000.0]))
def test_butter_low_high_equal_scipy(order: int, wn: float, btype: str, fs: float) -> None:
    ref = signal.butter(order, wn * fs / 2, btype, fs=fs, output="sos")
    _close(dsp.butter(order, wn * fs / 2, btype, fs), ref, 1e-12)


@SETTINGS
@given(order=st.integers(1, 8), lo=cutoff, hi=cutoff, fs=st.sampled_from([2.0, 50.0, 100.0]))
def test_butter_band_equal_scipy(order: int, lo: float, hi: float, fs: float) -> None:
    assume(lo < hi * 0.98)
    wn = (lo * fs / 2, hi * fs / 2)
    ref = signal.butter(order, wn, "band", fs=fs, output="sos")
    _close(dsp.butter(order, wn, "band", fs), ref, 1e-12)


def test_butter_gait_filters_bit_for_bit() -> None:
    """The filters gait designs are the same numbers, not just close."""
    for args in [(4, 5.0, "low", 100.0), (2, 0.25, "low", 100.0), (2, (0.5, 8.0), "band", 100.0),
                 (2, 3.0, "high", 100.0), (4, 40.0, "low", 200.0), (2, (0.3, 15.0), "band", 50.0)]:
        order, wn, btype, fs = args
        ref = signal.butter(order, wn, btype, fs=fs, output="sos")
        np.testing.assert_array_equal(dsp.butter(*args), ref)


@pytest.mark.parametrize("args", [(4, 50.0, "low", 100.0), (4, 0.0, "low", 100.0),
                                  (2, (8.0, 0.5), "band", 100.0), (0, 5.0, "low", 100.0),
                                  (2, 5.0, "notch", 100.0), (2, (1.0, 2.0), "low", 100.0)])
def test_butter_bad_arguments_raise_like_scipy(args: tuple) -> None:
    order, wn, btype, fs = args
    with pytest.raises(ValueError):
        dsp.butter(*args)
    if order > 0:  # scipy accepts order 0 (a constant); gait never designs one
        with pytest.raises(ValueError):
            signal.butter(order, wn, btype, fs=fs, output="sos")


# --- sosfiltfilt ----------------------------------------------------------------------------

def _signal(kind: str, n: int, ch: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shape = (n,) if ch == 0 else (n, ch)
    if kind == "noise":
        return rng.standard_normal(shape)
    if kind == "walk":
        return rng.standard_normal(shape).cumsum(axis=0) + 9.81
    if kind == "constant":
        return np.full(shape, rng.normal() * 10)
    # plateaus: a few levels, each held for a random number of samples
    levels = rng.integers(-3, 4, size=(max(n // 6, 1), *shape[1:])).astype(float)
    return levels[np.sort(rng.integers(0, len(levels), n))]


sos_args = st.one_of(
    st.tuples(st.integers(1, 8), st.floats(0.004, 0.95), st.sampled_from(["low", "high"])),
    st.tuples(st.integers(1, 5), st.tuples(st.floats(0.004, 0.4), st.floats(0.45, 0.95)),
              st.just("band")),
)


@SETTINGS
@given(args=sos_args, n=st.integers(1, 700), ch=st.integers(0, 3), seed=st.integers(0, 2**16),
       kind=st.sampled_from(["noise", "walk", "constant", "plateaus"]))
def test_sosfiltfilt_equal_scipy(args: tuple, n: int, ch: int, seed: int, kind: str) -> None:
    order, wn, btype = args
    sos = signal.butter(order, wn, btype, output="sos")
    x = _signal(kind, n, ch, seed)
    try:
        ref = signal.sosfiltfilt(sos, x, axis=0)
    except ValueError as e:  # shorter than the padding: the same error
        with pytest.raises(ValueError, match="greater than padlen") as ours:
            dsp.sosfiltfilt(sos, x, axis=0)
        assert str(ours.value) == str(e)
        return
    _close(dsp.sosfiltfilt(sos, x, axis=0), ref, 1e-9, x)


@pytest.mark.parametrize("args", [(2, 0.25, "low"), (4, 5.0, "low"), (2, (0.5, 8.0), "band"),
                                  (2, 3.0, "high"), (4, 40.0, "low"), (3, 0.3, "high")])
def test_sosfiltfilt_long_2d_equal_scipy(args: tuple) -> None:
    """Many blocks (the state scan over blocks) on a 10-minute 100 Hz 3-axis signal, including
    the slowest filter gait uses (gravity, 0.25 Hz)."""
    order, wn, btype = args
    sos = signal.butter(order, wn, btype, fs=100.0, output="sos")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((60_000, 3)).cumsum(axis=0) * 0.1 + [0.0, 0.0, 9.81]
    _close(dsp.sosfiltfilt(sos, x, axis=0), signal.sosfiltfilt(sos, x, axis=0), 1e-9)
    _close(dsp.sosfiltfilt(sos, x.T, axis=1), signal.sosfiltfilt(sos, x.T, axis=1), 1e-9)


def test_sosfiltfilt_padlen_boundary() -> None:
    sos = signal.butter(4, 0.2, output="sos")  # padlen 15 (odd order: 12)
    for sos_, padlen in [(sos, 15), (signal.butter(3, 0.2, output="sos"), 12)]:
        x = np.arange(padlen + 1, dtype=float) ** 2
        _close(dsp.sosfiltfilt(sos_, x), signal.sosfiltfilt(sos_, x), 1e-9)
        with pytest.raises(ValueError, match=f"which is {padlen}"):
            dsp.sosfiltfilt(sos_, x[:padlen])


@SETTINGS
@given(args=sos_args)
def test_sosfilt_zi_equal_scipy(args: tuple) -> None:
    order, wn, btype = args
    sos = signal.butter(order, wn, btype, output="sos")
    _close(dsp.sosfilt_zi(sos), signal.sosfilt_zi(sos), 1e-12)


# --- find_peaks -----------------------------------------------------------------------------

def _peaks_equal(x: np.ndarray, **kw: object) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PeakPropertyWarning on zero prominences
        ref, ref_props = signal.find_peaks(x, **kw)
    ours, props = dsp.find_peaks(x, **kw)
    np.testing.assert_array_equal(ours, ref)
    assert props.keys() == ref_props.keys()
    for key, val in ref_props.items():
        np.testing.assert_array_equal(props[key], val, err_msg=key)


signals = st.one_of(
    # few levels: long plateaus, equal peaks (distance ties), flat tops at the edges
    st.lists(st.integers(0, 4), max_size=120).map(lambda v: np.array(v, dtype=float)),
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), max_size=120).map(np.array),
    # NaN (a gap) and infinities: scipy's comparisons decide, so must ours
    st.lists(st.sampled_from([0.0, 1.0, 2.0, 3.0, np.nan, np.inf, -np.inf]), max_size=80)
    .map(np.array),
)
conditions = st.one_of(st.none(), st.floats(-2, 3), st.tuples(st.none() | st.floats(-1, 2),
                                                            st.none() | st.floats(0, 4)))


@settings(max_examples=400, deadline=None)
@given(x=signals, height=conditions, distance=st.none() | st.floats(1, 12),
       prominence=conditions)
def test_find_peaks_equal_scipy(x: np.ndarray, height: object, distance: float | None,
                                prominence: object) -> None:
    _peaks_equal(x, height=height, distance=distance, prominence=prominence)


@pytest.mark.parametrize("kw", [dict(distance=25, prominence=0), dict(height=0.1, distance=40),
                                dict(prominence=0.2, distance=25), dict(prominence=(0.1, 0.5))])
def test_find_peaks_long_smooth_signal(kw: dict) -> None:
    rng = np.random.default_rng(5)
    x = np.convolve(rng.standard_normal(100_000), np.ones(15) / 15, "same")
    x[1000:1100] = x[1000]  # a long plateau
    _peaks_equal(x, **kw)


def test_find_peaks_constant_short_and_bad_distance() -> None:
    for x in (np.zeros(50), np.ones(1), np.array([]), np.array([0.0, 1.0]), np.array([0, 1, 0.0])):
        _peaks_equal(x, distance=3, prominence=0, height=0)
    with pytest.raises(ValueError, match="distance"):
        dsp.find_peaks(np.arange(5.0), distance=0.5)


# --- welch --------------------------------------------------------------------------------

@SETTINGS
@given(n=st.integers(1, 3000), nperseg=st.integers(1, 1200), fs=st.sampled_from([1.0, 20.0]),
       seed=st.integers(0, 2**16))
def test_welch_equal_scipy(n: int, nperseg: int, fs: float, seed: int) -> None:
    x = np.random.default_rng(seed).standard_normal(n) + 3.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nperseg > len(x)
        f_ref, p_ref = signal.welch(x, fs, nperseg=nperseg)
    f, p = dsp.welch(x, fs, nperseg=nperseg)
    _close(f, f_ref, 1e-13)
    _close(p, p_ref, 1e-10)


# --- no scipy.signal on the report path ---------------------------------------------------

def test_report_commands_do_not_import_scipy_signal(tmp_path: object) -> None:
    """``gait report`` on lower-back, two-feet and pocket recordings (JSON output) runs without
    importing scipy.signal (0.6-0.9 s of start-up)."""
    script = (
        "import runpy, sys\n"
        "for name in ('walk_symmetric', 'walk_two_feet', 'walk_pocket_right'):\n"
        f"    sys.argv = ['gait', 'report', {str(REPO / 'recordings')!r} + '/' + name"
        " + '.gait.json', '--json', " f"{str(tmp_path)!r} + '/r.json', '-q']\n"
        "    try:\n"
        "        runpy.run_module('gait', run_name='__main__', alter_sys=True)\n"
        "    except SystemExit as e:\n"
        "        assert not e.code, e.code\n"
        "print('scipy.signal' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       env=env, cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip().splitlines()[-1] == "False"


def test_no_gait_module_imports_scipy_signal() -> None:
    script = (
        "import importlib, pkgutil, sys, gait\n"
        "for m in pkgutil.walk_packages(gait.__path__, 'gait.'):\n"
        "    if m.name != 'gait.__main__':\n"
        "        try:\n"
        "            importlib.import_module(m.name)\n"
        "        except ImportError:\n"
        "            pass  # an optional dependency (bumble, dask) not installed\n"
        "print(sorted(m for m in sys.modules if m.startswith('scipy.signal')))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                       cwd=REPO, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip().splitlines()[-1] == "[]"
