"""Butterworth design, zero-phase filtering, peak finding, Welch spectra and filters without scipy.

``import scipy.signal`` costs 0.6-0.9 s (scipy 1.17 imports scipy.stats, interpolate and optimize
with it), a third or more of the 2 s budget of ``gait report`` on a 1-hour file. gait uses four of
its functions; this module reimplements them for the arguments gait passes and returns the same
numbers (``tests/test_dsp.py`` compares them with scipy.signal on random inputs):

* :func:`butter` - digital Butterworth second-order sections, as ``scipy.signal.butter(...,
  output="sos")``: analog prototype poles, frequency pre-warping, low/high/band-pass
  transformation, bilinear transform, poles and zeros paired into sections as scipy's
  ``zpk2sos(pairing="nearest")`` does (Oppenheim & Schafer, "Discrete-Time Signal Processing",
  3rd ed., sec. 7.1-7.2).
* :func:`sosfiltfilt` - forward-backward filtering as ``scipy.signal.sosfiltfilt``: odd
  extension of ``3 * ntaps`` samples at both ends, each pass started from the steady state of a
  step (``sosfilt_zi`` scaled by the first sample; Gustafsson 1996, "Determining the initial
  states in forward-backward filtering", IEEE Trans Signal Process 44:988, as in Matlab's
  ``filtfilt``). The recursion runs in blocks (:func:`sosfilt`), not sample by sample in Python.
* :func:`find_peaks` - ``scipy.signal.find_peaks`` with ``height``, ``distance`` and
  ``prominence`` (``wlen=None``), vectorised.
* :func:`welch` - ``scipy.signal.welch`` with its defaults (periodic Hann window, half overlap,
  constant detrend, one-sided density, mean of the segments).

``scipy.fft`` and ``scipy.ndimage`` cost another 0.2-0.3 s each (both import scipy's array-API
layer; scipy.fft also scipy.special and numpy.f2py). gait's FFTs are ``numpy.fft`` with
:func:`next_fast_len` (``scipy.fft.next_fast_len``), and the 1-D ndimage filters it uses are here
for the modes it passes (``reflect``, ``nearest``): :func:`gaussian_filter1d`,
:func:`uniform_filter1d`, :func:`maximum_filter1d` and :func:`median_filter`, compared with
scipy.fft and scipy.ndimage in the same tests.

:mod:`gait.dsp.linalg` holds numpy's own numbers computed faster: :func:`matmul` (a product cut
into pieces OpenBLAS keeps on the calling thread: its woken threads spin-wait between products,
costly on a shared machine), :func:`row_norms`, :func:`nan_rows`, :func:`finite_rows` (row-wise
reductions of N x 3 arrays, column by column), :func:`cross_rows` (``np.cross`` of N x 3 arrays),
:func:`row_dots` (their row-wise dot products, as ``np.einsum("ij,ij->i", ...)``),
:func:`sort_order` (the order ``pandas.Series.sort_values`` gives floats, NaN last).
"""

from gait.dsp.iir import BLOCK, butter, sosfilt, sosfilt_zi, sosfiltfilt, zpk2sos
from gait.dsp.linalg import (
    cross_rows,
    finite_rows,
    matmul,
    nan_rows,
    row_dots,
    row_norms,
    sort_order,
)
from gait.dsp.peaks import find_peaks, peak_prominences
from gait.dsp.smoothing import (
    gaussian_filter1d,
    maximum_filter1d,
    median_filter,
    moving_rms,
    uniform_filter1d,
)
from gait.dsp.spectra import next_fast_len, welch

__all__ = [
    "BLOCK",
    "butter",
    "cross_rows",
    "find_peaks",
    "finite_rows",
    "gaussian_filter1d",
    "matmul",
    "maximum_filter1d",
    "median_filter",
    "moving_rms",
    "nan_rows",
    "next_fast_len",
    "peak_prominences",
    "row_dots",
    "row_norms",
    "sort_order",
    "sosfilt",
    "sosfilt_zi",
    "sosfiltfilt",
    "uniform_filter1d",
    "welch",
    "zpk2sos",
]
