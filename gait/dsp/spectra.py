"""``scipy.signal.welch`` with its defaults and ``scipy.fft.next_fast_len``.
"""

from __future__ import annotations

import math

import numpy as np


def welch(x: np.ndarray, fs: float = 1.0, nperseg: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Power spectral density of a 1-D signal by Welch's method (Welch 1967, IEEE Trans Audio
    Electroacoust 15:70), equal to ``scipy.signal.welch(x, fs, nperseg=nperseg)``: periodic Hann
    window, ``nperseg // 2`` overlap, each segment's mean removed, one-sided density (V^2/Hz),
    mean over segments. ``nperseg`` above the length is cut to it (scipy warns)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError("welch: x must be 1-D")
    n = len(x)
    if n == 0:
        return np.empty(0), np.empty(0)
    nperseg = min(int(nperseg), n)
    if nperseg < 1:
        raise ValueError(f"Parameter nperseg={nperseg} is not a positive integer!")
    win = np.ones(1)  # scipy's window of one sample
    if nperseg > 1:
        win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(nperseg) / nperseg)
    noverlap = nperseg // 2
    hop = nperseg - noverlap
    nseg = (n - noverlap) // hop
    seg = x[np.arange(nseg)[:, None] * hop + np.arange(nperseg)]
    seg = seg - seg.mean(axis=1, keepdims=True)
    spec = np.fft.rfft(seg * win, axis=1)
    p = (spec.real ** 2 + spec.imag ** 2) / (fs * np.sum(win ** 2))
    p[:, 1:-1 if nperseg % 2 == 0 else None] *= 2
    return np.fft.rfftfreq(nperseg, 1.0 / fs), p.mean(axis=0)



def next_fast_len(target: int, real: bool = False) -> int:
    """Smallest FFT length ``>= target`` that pocketfft (numpy's and scipy's FFT) transforms
    fastest, equal to ``scipy.fft.next_fast_len(target, real)``: a 5-smooth number
    ``2^a 3^b 5^c`` for real transforms (pocketfft's ``good_size_real``), an 11-smooth one
    (also ``7^d 11^e``) for complex transforms (``good_size_cmplx``). ``target`` 0 gives 0.

    The loop runs over the odd factors (a few dozen products for any practical length), each
    doubled up to the target."""
    n = int(target)
    if n < 0:
        raise ValueError("Target cannot be negative")
    if n <= 1:
        return n
    best = 1 << (n - 1).bit_length()  # the power of two
    odd = [1]
    for p in ((3, 5) if real else (3, 5, 7, 11)):
        odd = [o * p ** k for o in odd for k in range(int(math.log(best, p)) + 2)
               if o * p ** k < best]
    for o in odd:
        best = min(best, o << ((n - 1) // o).bit_length())  # the least o * 2^k >= n
    return best
