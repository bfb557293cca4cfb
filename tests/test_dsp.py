"""gait.dsp against scipy.signal, scipy.fft and scipy.ndimage (the oracles; scipy stays a test
dependency, and gait simulate and the Matlab Mobile reader use scipy.spatial and scipy.io)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import fft as sp_fft
from scipy import ndimage, signal

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


# --- FFT lengths --------------------------------------------------------------------------

@settings(max_examples=400, deadline=None)
@given(n=st.one_of(st.integers(0, 5000), st.integers(0, 10**12)), real=st.booleans())
def test_next_fast_len_equal_scipy(n: int, real: bool) -> None:
    assert dsp.next_fast_len(n, real) == sp_fft.next_fast_len(n, real)


def test_next_fast_len_all_small_targets() -> None:
    for real in (False, True):
        ours = [dsp.next_fast_len(n, real) for n in range(30_000)]
        assert ours == [sp_fft.next_fast_len(n, real) for n in range(30_000)]
    with pytest.raises(ValueError):
        dsp.next_fast_len(-1)


@SETTINGS
@given(n=st.integers(1, 3000), seed=st.integers(0, 2**16))
def test_acf_equal_scipy_fft(n: int, seed: int) -> None:
    """gait.metrics' autocorrelation (numpy.fft) is the scipy.fft one it replaced."""
    from gait.metrics.trunk import _acf

    x = _signal("walk", n, 0, seed)
    if n < 2:
        np.testing.assert_array_equal(_acf(x), np.ones(n))
        return
    xc = x - x.mean()
    nfft = sp_fft.next_fast_len(2 * n - 1, real=True)
    f = sp_fft.rfft(xc, nfft)
    ref = sp_fft.irfft(f.real ** 2 + f.imag ** 2, nfft)[:n] / (n - np.arange(n))
    ref /= ref[0] if ref[0] else 1.0
    _close(_acf(x), ref, 1e-12)


# --- ndimage filters ------------------------------------------------------------------------

modes = st.sampled_from(["reflect", "nearest"])
lengths = st.integers(1, 400)
kinds = st.sampled_from(["noise", "walk", "constant", "plateaus"])


@SETTINGS
@given(n=lengths, sigma=st.floats(0.05, 40.0), order=st.integers(0, 2), mode=modes,
       seed=st.integers(0, 2**16), kind=kinds)
def test_gaussian_filter1d_equal_scipy(n: int, sigma: float, order: int, mode: str, seed: int,
                                       kind: str) -> None:
    """Kernel radius rule (int(4 sigma + 0.5)), derivatives, extensions longer than the signal.
    The sums are ndimage's, in its order: equal on x86-64; 1e-13 allows a fused multiply-add."""
    x = _signal(kind, n, 0, seed)
    ref = ndimage.gaussian_filter1d(x, sigma, order=order, mode=mode)
    _close(dsp.gaussian_filter1d(x, sigma, order, mode), ref, 1e-13, x)


@SETTINGS
@given(n=lengths, size=st.integers(1, 150), mode=modes, seed=st.integers(0, 2**16), kind=kinds)
def test_uniform_filter1d_equal_scipy(n: int, size: int, mode: str, seed: int,
                                      kind: str) -> None:
    x = _signal(kind, n, 0, seed)
    ref = ndimage.uniform_filter1d(x, size, mode=mode)
    np.testing.assert_array_equal(dsp.uniform_filter1d(x, size, mode), ref)


@SETTINGS
@given(n=lengths, size=st.integers(1, 60), mode=modes, seed=st.integers(0, 2**16),
       dtype=st.sampled_from([np.uint8, np.float64]))
def test_maximum_filter1d_equal_scipy(n: int, size: int, mode: str, seed: int,
                                      dtype: type) -> None:
    rng = np.random.default_rng(seed)
    x = (rng.random(n) < 0.05).astype(dtype) if dtype is np.uint8 else rng.standard_normal(n)
    ref = ndimage.maximum_filter1d(x, size, mode=mode)
    ours = dsp.maximum_filter1d(x, size, mode)
    assert ours.dtype == ref.dtype
    np.testing.assert_array_equal(ours, ref)


@SETTINGS
@given(data=st.data(), n=st.integers(1, 60), mode=modes, seed=st.integers(0, 2**16),
       kind=kinds)
def test_median_filter_equal_scipy(data: st.DataObject, n: int, mode: str, seed: int,
                                   kind: str) -> None:
    """Odd and even sizes (an even window's median is its upper middle value), up to twice the
    signal's length (longer windows take another ndimage code path; gait's never do)."""
    size = data.draw(st.integers(1, min(2 * n, 12)))
    x = _signal(kind, n, 0, seed)
    ref = ndimage.median_filter(x, size=size, mode=mode)
    np.testing.assert_array_equal(dsp.median_filter(x, size, mode), ref)


def test_filters_long_signal_equal_scipy() -> None:
    """A 1-hour 100 Hz signal with the sizes gait uses (the uniform filter's running sum over
    360000 samples is ndimage's own, bit for bit)."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal(360_000).cumsum() * 0.01
    for size in (50, 60, 100):
        np.testing.assert_array_equal(dsp.uniform_filter1d(x ** 2, size),
                                      ndimage.uniform_filter1d(x ** 2, size))
    for sigma, order in ((1.0, 0), (1.5, 2), (7.5, 0), (15.0, 0), (4.4, 0)):
        _close(dsp.gaussian_filter1d(x, sigma, order, "nearest"),
               ndimage.gaussian_filter1d(x, sigma, order=order, mode="nearest"), 1e-13, x)
    gaps = (rng.random(360_000) < 0.001).astype(np.uint8)
    np.testing.assert_array_equal(dsp.maximum_filter1d(gaps, 21),
                                  ndimage.maximum_filter1d(gaps, 21))


def test_filters_bad_arguments() -> None:
    x = np.arange(5.0)
    for fn in (dsp.uniform_filter1d, dsp.maximum_filter1d, dsp.median_filter):
        with pytest.raises(ValueError):
            fn(x, 0)
        with pytest.raises(ValueError):
            fn(x, 3, mode="constant")
    with pytest.raises(ValueError):
        dsp.gaussian_filter1d(x, 1.0, order=-1)


# --- no scipy on the report path ----------------------------------------------------------

def _scipy_modules(code: str, tmp_path: object) -> tuple[list[str], list[str]]:
    """The scipy modules in ``sys.modules`` after running ``code`` in a fresh interpreter, and
    after a deliberate ``import scipy.fft`` (a check that the check can see one)."""
    script = (
        "import sys\n" + code
        + "def scipy_mods():\n"
        "    return sorted(m for m in sys.modules if m == 'scipy' or m.startswith('scipy.'))\n"
        "print(scipy_mods())\n"
        "import scipy.fft\n"
        "print(scipy_mods())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       env=env, cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    before, after = r.stdout.strip().splitlines()[-2:]
    return ast.literal_eval(before), ast.literal_eval(after)


def test_report_commands_import_no_scipy(tmp_path: object) -> None:
    """``gait report`` on lower-back, two-feet, pocket and running recordings (JSON and HTML)
    runs without importing any scipy module (scipy.signal 0.6-0.9 s, scipy.fft 0.2-0.3 s and
    scipy.ndimage 0.3 s of start-up; gait.dsp replaces what gait used of them)."""
    code = (
        "import runpy\n"
        "for name in ('walk_symmetric', 'walk_two_feet', 'walk_pocket_right', 'run'):\n"
        f"    sys.argv = ['gait', 'report', {str(REPO / 'recordings')!r} + '/' + name"
        " + '.gait.json', '--json', " f"{str(tmp_path)!r} + '/r.json', '--html', "
        f"{str(tmp_path)!r} + '/r.html', '-q', '--no-history']\n"
        "    try:\n"
        "        runpy.run_module('gait', run_name='__main__', alter_sys=True)\n"
        "    except SystemExit as e:\n"
        "        assert not e.code, e.code\n"
    )
    before, after = _scipy_modules(code, tmp_path)
    assert before == []
    assert "scipy.fft" in after


def test_no_gait_module_imports_scipy(tmp_path: object) -> None:
    """Importing every gait module imports no scipy (simulate and the Matlab Mobile reader
    import theirs inside the functions that need them)."""
    code = (
        "import importlib, pkgutil, gait\n"
        "for m in pkgutil.walk_packages(gait.__path__, 'gait.'):\n"
        "    if m.name != 'gait.__main__':\n"
        "        try:\n"
        "            importlib.import_module(m.name)\n"
        "        except ImportError:\n"
        "            pass  # an optional dependency (bumble, dask) not installed\n"
    )
    before, after = _scipy_modules(code, tmp_path)
    assert before == []
    assert "scipy.fft" in after


def test_moving_rms_never_negative_after_a_huge_value() -> None:
    """The running mean of squares is a cumulative sum: after a huge sample leaves the window
    its rounding can go below zero, whose square root would be NaN with a RuntimeWarning."""
    import warnings

    from gait.dsp import moving_rms

    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 1e-2, 50), [9.9e7], rng.normal(0, 1e-2, 500)])
    from gait.dsp import uniform_filter1d

    assert uniform_filter1d(x ** 2, 25).min() < 0  # the rounding this guards against
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = moving_rms(x, 25)
    assert np.all(np.isfinite(r)) and np.all(r >= 0)
    assert r[50] > 1e6 and r[-1] < 5e-2
    two = moving_rms(np.column_stack([x, x]), 25)
    assert np.allclose(two, np.sqrt(2) * r)


# --- matrix products on one thread -----------------------------------------------------------

@pytest.mark.parametrize(("n", "k", "m"), [
    (360_001, 3, 2),  # a signal times a basis: blocks of rows (and a remainder)
    (2, 330_007, 2),  # a sum over the samples: slices of k (and a remainder)
    (50, 3300, 44), (50, 80_000, 4),  # bootstrap blocks of an hour and of a day
    (3, 10, 2),  # small: one product
    (3000, 3000, 3000 // 100),  # neither way small: left to OpenBLAS
])
def test_matmul_is_the_product(n: int, k: int, m: int) -> None:
    rng = np.random.default_rng(n + k + m)
    a = rng.normal(size=(n, k))
    a[:, ::5] = 0.0
    b = rng.normal(size=(k, m))
    want = a @ b
    got = dsp.matmul(a, b)
    assert got.shape == want.shape
    # to rounding: the terms are O(1), their sums O(sqrt(k))
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12 * np.sqrt(k))


def test_matmul_of_views_and_integers() -> None:
    """Transposed and sliced operands (``a.T @ b`` over the samples) and integer counts."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200_003, 2))
    y = rng.normal(size=(200_003, 2))
    np.testing.assert_allclose(dsp.matmul(x.T, y), x.T @ y, rtol=0, atol=1e-9)
    c = rng.integers(0, 5, size=(50, 4000))
    w = rng.normal(size=(4000, 8))
    np.testing.assert_allclose(dsp.matmul(c, w), c @ w, rtol=0, atol=1e-10)


@pytest.mark.parametrize("k", [1, 2, 3, 4, 6])
def test_row_norms_and_nan_rows_equal_numpy_bit_for_bit(k: int) -> None:
    rng = np.random.default_rng(k)
    x = rng.normal(size=(5000, k)) * rng.choice([1e-3, 1.0, 1e3], size=k)
    x[::7, 0] = np.nan
    x[3, -1] = np.inf
    x[11] = -0.0
    np.testing.assert_array_equal(dsp.row_norms(x), np.linalg.norm(x, axis=1))
    np.testing.assert_array_equal(dsp.nan_rows(x), np.isnan(x).any(axis=1))
    y = np.asfortranarray(rng.normal(size=(300, k)))  # any layout
    np.testing.assert_array_equal(dsp.row_norms(y), np.linalg.norm(y, axis=1))


def test_row_dots_equal_einsum() -> None:
    """The row dot products of einsum (to rounding: einsum's order of the three products is
    numpy's and the CPU's choice; on numpy 2.4, x86-64, the same bits), in a fixed order."""
    rng = np.random.default_rng(4)
    for n in (1, 2, 7, 1000, 64001):
        buf = rng.normal(size=3 * n + 3) * 10.0 ** rng.uniform(-4, 4, size=3 * n + 3)
        a = buf[1:1 + 3 * n].reshape(n, 3)  # unaligned rows
        b = rng.normal(size=(n, 3))
        b /= np.linalg.norm(b, axis=1)[:, None]
        r = dsp.row_dots(a, b)
        tol = 4 * np.finfo(float).eps * np.sum(np.abs(a * b), axis=1)
        assert np.all(np.abs(r - np.einsum("ij,ij->i", a, b)) <= tol)
        np.testing.assert_array_equal(r, (a[:, 0] * b[:, 0] + a[:, 2] * b[:, 2])
                                      + a[:, 1] * b[:, 1] + 0.0)
    x = rng.normal(size=(50, 3))
    x[::7, 0] = np.nan
    x[3, -1] = np.inf
    x[11] = -0.0  # an all -0.0 row: +0.0, as einsum
    y = rng.normal(size=(50, 3))
    e, r = np.einsum("ij,ij->i", x, y), dsp.row_dots(x, y)
    np.testing.assert_array_equal(np.isnan(r), np.isnan(e))
    np.testing.assert_array_equal(r[np.isinf(e)], e[np.isinf(e)])
    assert r[11] == 0.0 and not np.signbit(r[11])
    xf = np.asfortranarray(x)  # any layout (einsum's own order for others)
    np.testing.assert_array_equal(dsp.row_dots(xf, y), np.einsum("ij,ij->i", xf, y))


def test_finite_rows_equal_numpy() -> None:
    x = np.random.default_rng(3).normal(size=(2000, 3))
    x[::5, 1] = np.nan
    x[7, 2] = -np.inf
    np.testing.assert_array_equal(dsp.finite_rows(x), np.all(np.isfinite(x), axis=1))
    np.testing.assert_array_equal(dsp.finite_rows(x[:, :1]), np.isfinite(x[:, 0]))


def test_sort_order_is_pandas_sort_values_order() -> None:
    import pandas as pd

    rng = np.random.default_rng(6)
    for n in (0, 1, 5, 200):
        t = np.round(rng.normal(size=n), 1)  # ties
        if n:
            t[rng.choice(n, max(n // 5, 1))] = np.nan
        want = pd.Series(t).sort_values().index.to_numpy()
        np.testing.assert_array_equal(dsp.sort_order(t), want)
