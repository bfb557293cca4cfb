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
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

_BANDS = {"low": "low", "lowpass": "low", "lp": "low", "l": "low",
          "high": "high", "highpass": "high", "hp": "high", "h": "high",
          "band": "band", "bandpass": "band", "bp": "band", "pass": "band"}


# --- Butterworth design ---------------------------------------------------------------------

def butter(order: int, wn: float | tuple[float, float] | list[float], btype: str = "low",
           fs: float = 2.0) -> np.ndarray:
    """Digital Butterworth filter as second-order sections (n_sections x 6), equal to
    ``scipy.signal.butter(order, wn, btype, fs=fs, output="sos")``.

    Design: the analog prototype's poles ``-exp(i*pi*m/(2N))``, ``m = -N+1, -N+3, ..., N-1``; the
    cut-off(s) pre-warped to ``4*tan(pi*Wn/2)`` (Wn as a fraction of Nyquist) so that the
    bilinear transform ``z = (4 + s) / (4 - s)`` maps them back exactly; low-to-low, low-to-high
    (``s -> w/s``) or low-to-band (``s -> (s^2 + w0^2) / (s*bw)``) transformation; then
    :func:`zpk2sos`.
    """
    if int(order) != order or order < 1:
        raise ValueError("Filter order must be a positive integer")
    order = int(order)
    kind = _BANDS.get(str(btype).lower())
    if kind is None:
        raise ValueError(f"'{btype}' is an invalid bandtype for filter.")
    w = np.atleast_1d(np.asarray(wn, dtype=np.float64)) / (fs / 2)
    if np.any(w <= 0):
        raise ValueError("filter critical frequencies must be greater than 0")
    if w.size > 1 and not w[0] < w[1]:
        raise ValueError("Wn[0] must be less than Wn[1]")
    if np.any(w >= 1):
        raise ValueError("Digital filter critical frequencies must be 0 < Wn < fs/2 "
                         f"(fs={fs} -> fs/2={fs / 2})")
    warped = 4.0 * np.tan(np.pi * w / 2.0)
    m = np.arange(-order + 1, order, 2, dtype=np.float64)
    p = -np.exp(1j * np.pi * m / (2 * order))  # analog prototype, cut-off 1 rad/s
    z = np.zeros(0, dtype=np.float64)
    if kind in ("low", "high"):
        if w.size != 1:
            raise ValueError("Must specify a single critical frequency Wn for lowpass or "
                             "highpass filter")
        wo = float(warped[0])
        if kind == "low":
            p, k = wo * p, wo ** order
        else:
            k = float(np.real(1.0 / np.prod(-p)))
            p, z = wo / p, np.zeros(order)
    else:
        if w.size != 2:
            raise ValueError("Wn must specify start and stop frequencies for bandpass or "
                             "bandstop filter")
        bw = float(warped[1] - warped[0])
        wo = float(np.sqrt(warped[0] * warped[1]))
        p_lp = (p * bw / 2).astype(np.complex128)
        root = np.sqrt(p_lp ** 2 - wo ** 2)
        p = np.concatenate((p_lp + root, p_lp - root))
        z, k = np.zeros(order), bw ** order
    # bilinear transform with fs = 2 (fs2 = 4); zeros at infinity go to z = -1
    degree = len(p) - len(z)
    k = k * float(np.real(np.prod(4.0 - z) / np.prod(4.0 - p)))
    z = np.concatenate(((4.0 + z) / (4.0 - z), -np.ones(degree)))
    p = (4.0 + p) / (4.0 - p)
    return zpk2sos(z, p, k)


def _poly(roots: np.ndarray) -> np.ndarray:
    """Polynomial coefficients from roots (as numpy.poly: real when the roots come in
    conjugate pairs)."""
    roots = np.atleast_1d(roots)
    if len(roots) == 0:
        return np.ones(1)
    a = np.ones(1, dtype=roots.dtype)
    for r in roots:
        a = np.convolve(a, np.array([1, -r], dtype=roots.dtype))
    if np.iscomplexobj(a):
        r = roots.astype(np.complex128)
        if np.all(np.sort(r.imag) == np.sort(np.conj(r).imag)):
            a = a.real.copy()
    return a


def _section(z: list, p: list) -> np.ndarray:
    sos = np.zeros(6)
    b, a = _poly(np.asarray(z)), _poly(np.asarray(p))
    sos[3 - len(b):3] = b
    sos[6 - len(a):6] = a
    return sos


def _cplxreal(z: np.ndarray, tol: float = 100 * np.finfo(np.float64).eps
              ) -> tuple[np.ndarray, np.ndarray]:
    """Complex values (one per conjugate pair, positive imaginary part, pairs averaged) and
    real values of ``z``, each sorted as scipy's ``_cplxreal`` sorts them."""
    z = np.atleast_1d(z)
    if z.size == 0:
        return z, z
    z = z[np.lexsort((abs(z.imag), z.real))]
    real = abs(z.imag) <= tol * abs(z)
    zr = z[real].real
    if len(zr) == len(z):
        return np.array([]), zr
    z = z[~real]
    zp, zn = z[z.imag > 0], z[z.imag < 0]
    if len(zp) != len(zn):
        raise ValueError("Array contains complex value with no matching conjugate.")
    same_real = np.diff(zp.real) <= tol * abs(zp[:-1])
    diffs = np.diff(np.concatenate(([0], same_real, [0])))
    for start, stop in zip(np.nonzero(diffs > 0)[0], np.nonzero(diffs < 0)[0] + 1, strict=True):
        for chunk in (zp[start:stop], zn[start:stop]):
            chunk[...] = chunk[np.lexsort([abs(chunk.imag)])]
    if any(abs(zp - zn.conj()) > tol * abs(zn)):
        raise ValueError("Array contains complex value with no matching conjugate.")
    return (zp + zn.conj()) / 2, zr


def _nearest(fro: np.ndarray, to: complex, which: str) -> int:
    order = np.argsort(np.abs(fro - to))
    if which == "any":
        return int(order[0])
    mask = np.isreal(fro[order])
    if which == "complex":
        mask = ~mask
    return int(order[np.nonzero(mask)[0][0]])


def zpk2sos(z: np.ndarray, p: np.ndarray, k: float) -> np.ndarray:
    """Second-order sections of a digital filter from its zeros, poles and gain, paired as
    ``scipy.signal.zpk2sos(pairing="nearest")``: the pole closest to the unit circle goes with
    its conjugate into the last section, with the zeros nearest to it; the gain multiplies the
    first section's numerator."""
    z, p = np.asarray(z), np.asarray(p)
    if len(z) == len(p) == 0:
        return np.array([[k, 0.0, 0.0, 1.0, 0.0, 0.0]])
    p = np.concatenate((p, np.zeros(max(len(z) - len(p), 0))))
    z = np.concatenate((z, np.zeros(max(len(p) - len(z), 0))))
    n_sections = (max(len(p), len(z)) + 1) // 2
    if len(p) % 2 == 1:
        p = np.append(p, 0)
        z = np.append(z, 0)
    z = np.concatenate(_cplxreal(z))
    p = np.concatenate(_cplxreal(p))

    def worst(q: np.ndarray) -> int:
        return int(np.argmin(np.abs(1 - np.abs(q))))

    sos = np.zeros((n_sections, 6))
    for si in range(n_sections - 1, -1, -1):
        i1 = worst(p)
        p1 = p[i1]
        p = np.delete(p, i1)
        if np.isreal(p1) and np.isreal(p).sum() == 0:
            j = _nearest(z, p1, "real")
            z1 = z[j]
            z = np.delete(z, j)
            sos[si] = _section([z1, 0], [p1, 0])
        elif (len(p) + 1 == len(z) and not np.isreal(p1) and np.isreal(p).sum() == 1
              and np.isreal(z).sum() == 1):
            j = _nearest(z, p1, "complex")
            z1 = z[j]
            z = np.delete(z, j)
            sos[si] = _section([z1, z1.conj()], [p1, p1.conj()])
        else:
            if np.isreal(p1):
                real_idx = np.flatnonzero(np.isreal(p))
                i2 = int(real_idx[worst(p[real_idx])])
                p2 = p[i2]
                p = np.delete(p, i2)
            else:
                p2 = p1.conj()
            if len(z) > 0:
                j = _nearest(z, p1, "any")
                z1 = z[j]
                z = np.delete(z, j)
                if not np.isreal(z1):
                    sos[si] = _section([z1, z1.conj()], [p1, p2])
                elif len(z) > 0:
                    j = _nearest(z, p1, "real")
                    z2 = z[j]
                    z = np.delete(z, j)
                    sos[si] = _section([z1, z2], [p1, p2])
                else:
                    sos[si] = _section([z1], [p1, p2])
            else:
                sos[si] = _section([], [p1, p2])
    sos[0][:3] *= k
    return sos


# --- IIR filtering ----------------------------------------------------------------------------

def _check_sos(sos: np.ndarray) -> np.ndarray:
    sos = np.asarray(sos, dtype=np.float64)
    if sos.ndim != 2 or sos.shape[1] != 6:
        raise ValueError("sos array must be shape (n_sections, 6)")
    if not (sos[:, 3] == 1).all():
        raise ValueError("sos[:, 3] should be all ones")
    return sos


def sosfilt_zi(sos: np.ndarray) -> np.ndarray:
    """Initial states (n_sections x 2, direct form II transposed) for the steady state of a
    unit step, as ``scipy.signal.sosfilt_zi``: each section's ``lfilter_zi`` (solve
    ``zi = A zi + B`` for the companion matrix A) times the DC gain of the sections before it."""
    sos = _check_sos(sos)
    zi = np.empty((len(sos), 2))
    scale = 1.0
    for i, (b0, b1, b2, _, a1, a2) in enumerate(sos):
        i_minus_a = np.array([[1.0 + a1, -1.0], [a2, 1.0]])
        zi[i] = scale * np.linalg.solve(i_minus_a, np.array([b1 - a1 * b0, b2 - a2 * b0]))
        scale *= (b0 + b1 + b2) / (1.0 + a1 + a2)
    return zi


BLOCK = 64  # samples per block of the block recursion (see sosfilt)
_ROWS = 64  # rows per matrix product: OpenBLAS keeps products this small on one thread


def _mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for a tall ``a``, as a stack of 64-row products: one large product would be
    split over threads by OpenBLAS, which costs more CPU than it saves on a shared machine."""
    rows = a.shape[0] // _ROWS * _ROWS
    if rows == 0:
        return a @ b
    out = np.empty((a.shape[0], b.shape[1]))
    np.matmul(a[:rows].reshape(-1, _ROWS, a.shape[1]), b,
              out=out[:rows].reshape(-1, _ROWS, b.shape[1]))
    out[rows:] = a[rows:] @ b
    return out


@lru_cache(maxsize=64)
def _block_operators(sos_bytes: bytes, n_sections: int, n: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Linear maps of one block of ``n`` samples through the cascade (direct form II transposed,
    state vector ``[z0, z1]`` per section): input -> output (lower-triangular Toeplitz of the
    impulse response), initial state -> output, input -> final state, initial state -> final
    state. Found by running the recursion on a unit impulse and on each unit state (``n`` x
    n_sections small steps once per filter and block length, cached; never per signal sample)."""
    sos = np.frombuffer(sos_bytes, dtype=np.float64).reshape(n_sections, 6)
    m = 2 * n_sections
    nb = 1 + m  # batch: impulse, then one run per unit initial state
    state = np.zeros((m, nb))
    state[np.arange(m), 1 + np.arange(m)] = 1.0
    out = np.empty((n, nb))
    imp_state = np.empty((n, m))  # state of the impulse run after each sample
    for t in range(n):
        xin = np.zeros(nb)
        if t == 0:
            xin[0] = 1.0
        for s, (b0, b1, b2, _, a1, a2) in enumerate(sos):
            y = b0 * xin + state[2 * s]
            state[2 * s] = b1 * xin - a1 * y + state[2 * s + 1]
            state[2 * s + 1] = b2 * xin - a2 * y
            xin = y
        out[t] = xin
        imp_state[t] = state[:, 0]
    h = out[:, 0]
    lag = np.arange(n)[:, None] - np.arange(n)[None, :]
    to_out = np.where(lag >= 0, h[np.maximum(lag, 0)], 0.0)
    state_to_out = out[:, 1:]
    to_state = imp_state[::-1].T  # input at sample j acts for n - j samples
    state_to_state = state[:, 1:].copy()
    return to_out, state_to_out, to_state, state_to_state


def sosfilt(sos: np.ndarray, x: np.ndarray, zi: np.ndarray) -> np.ndarray:
    """Cascade of biquads (direct form II transposed, as ``scipy.signal.sosfilt``) along the last
    axis of ``x`` (channels x samples), started from states ``zi`` (n_sections x 2 x channels).

    Block recursion instead of a per-sample loop: the signal is cut into blocks of
    :data:`BLOCK` samples; a block's output is a matrix product of its input with the
    impulse-response Toeplitz matrix plus the response to the state it starts in, and its final
    state is a matrix product too. The states at the block starts follow
    ``s[b+1] = G s[b] + d[b]``, solved by a log-depth scan (Hillis & Steele 1986) that stops once
    ``G^(2^k)`` has decayed below rounding. Every matrix entry is bounded for a stable filter, so
    the result equals the sequential recursion to rounding (~1e-13 relative).
    """
    sos = _check_sos(sos)
    c, n = x.shape
    blk, nblocks = _blocks(n)
    u = np.zeros((c, nblocks * blk))
    u[:, :n] = x
    return _sosfilt_blocks(sos, u, blk, zi)[:, :n]


def _blocks(n: int) -> tuple[int, int]:
    blk = min(BLOCK, n)
    return blk, -(-n // blk)


def _sosfilt_blocks(sos: np.ndarray, u: np.ndarray, blk: int, zi: np.ndarray) -> np.ndarray:
    """:func:`sosfilt` of ``u`` (channels x a whole number of blocks of ``blk`` samples)."""
    c = u.shape[0]
    nblocks = u.shape[1] // blk
    m = 2 * len(sos)
    to_out, state_to_out, to_state, g = _block_operators(sos.tobytes(), len(sos), blk)
    u = u.reshape(c * nblocks, blk)
    y = _mm(u, to_out.T)
    s = np.empty((c, nblocks, m))
    s[:, 0] = np.asarray(zi, dtype=np.float64).reshape(m, c).T
    if nblocks > 1:
        s[:, 1:] = _mm(u, to_state.T).reshape(c, nblocks, m)[:, :-1]
    shift, power = 1, g
    while shift < nblocks and np.abs(power).max() > 1e-18:
        s[:, shift:] += s[:, :-shift] @ power.T
        shift, power = 2 * shift, power @ power
    y += _mm(s.reshape(c * nblocks, m), state_to_out.T)
    return y.reshape(c, nblocks * blk)


def sosfiltfilt(sos: np.ndarray, x: np.ndarray, axis: int = 0) -> np.ndarray:
    """Zero-phase forward-backward filtering, equal to ``scipy.signal.sosfiltfilt(sos, x,
    axis=axis)`` (defaults: ``padtype="odd"``, ``padlen=None``).

    The signal is extended at both ends by ``3 * ntaps`` samples, odd about the end values
    (``ntaps = 2 * n_sections + 1``, less one if a section is first order); each pass starts from
    :func:`sosfilt_zi` scaled by its first sample (the steady state of a step of that height:
    Gustafsson 1996, as scipy and Matlab's ``filtfilt``). A signal not longer than the extension
    raises the same ``ValueError`` as scipy.
    """
    sos = _check_sos(sos)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 0:
        raise ValueError("x must be at least 1-D")
    ntaps = 2 * len(sos) + 1 - min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    edge = 3 * ntaps
    if x.shape[axis] <= edge:
        raise ValueError("The length of the input vector x must be greater than padlen, "
                         f"which is {edge}.")
    xm = np.moveaxis(x, axis, -1)
    shape = xm.shape
    x2 = xm.reshape(-1, shape[-1])  # channels x samples (a view for 1-D and 2-D input)
    n = x2.shape[1]
    n_ext = n + 2 * edge
    blk, nblocks = _blocks(n_ext)
    buf = np.zeros((x2.shape[0], nblocks * blk))  # the extended signal, then zeros to a block
    buf[:, :edge] = 2 * x2[:, :1] - x2[:, edge:0:-1]
    buf[:, edge:edge + n] = x2
    buf[:, edge + n:n_ext] = 2 * x2[:, -1:] - x2[:, -2:-edge - 2:-1]
    zi = sosfilt_zi(sos)[:, :, None]
    y = _sosfilt_blocks(sos, buf, blk, zi * buf[:, 0])
    buf[:, :n_ext] = y[:, n_ext - 1::-1]  # backward pass (zeros after n_ext are untouched)
    y = _sosfilt_blocks(sos, buf, blk, zi * buf[:, 0])
    y = y[:, n_ext - 1 - edge:edge - 1:-1]  # reversed back, extension dropped
    return np.ascontiguousarray(np.moveaxis(y.reshape(shape), -1, axis))


# --- peaks --------------------------------------------------------------------------------

def _local_maxima(x: np.ndarray) -> np.ndarray:
    """Indices of local maxima (midpoint of a flat top, rounded down), edges excluded, as
    scipy's ``_local_maxima_1d``: a rise, equal samples, a fall. Comparisons as scipy's (a NaN
    neither rises nor falls, so it bounds no maximum)."""
    a, b = x[:-1], x[1:]
    up, down, equal = b > a, b < a, a == b
    if not equal.any():  # no flat stretch: a rise then a fall
        return np.flatnonzero(up[:-1] & down[1:]) + 1
    nz = np.flatnonzero(~equal)  # the steps between unequal samples
    if len(nz) < 2:
        return np.zeros(0, dtype=np.intp)
    k = np.flatnonzero(up[nz[:-1]] & down[nz[1:]])
    return (nz[k] + 1 + nz[k + 1]) // 2


def _prev_greater(v: np.ndarray, q: np.ndarray) -> np.ndarray:
    """For each index in ``q``: the nearest index before it whose ``v`` is strictly greater,
    -1 if none. Binary lifting over a sparse table of range maxima (log2(len(v)) steps)."""
    levels = [v]  # levels[k][i] = max(v[i : i + 2^k])
    while (1 << len(levels)) <= len(v):
        half = 1 << (len(levels) - 1)
        levels.append(np.maximum(levels[-1][:-half], levels[-1][half:]))
    pos, val = q.copy(), v[q]
    for k in range(len(levels) - 1, -1, -1):
        cand = pos - (1 << k)
        ok = cand >= 0
        ok &= levels[k][np.where(ok, cand, 0)] <= val
        pos = np.where(ok, cand, pos)
    return pos - 1


def _range_argmin(vals: np.ndarray, lo: np.ndarray, hi: np.ndarray, right: bool) -> np.ndarray:
    """Index of the minimum of ``vals[lo..hi]`` (inclusive), the rightmost (``right``) or
    leftmost of equal minima; sparse table, O(1) per query."""
    tab = [np.arange(len(vals))]
    while (1 << len(tab)) <= len(vals):
        half = 1 << (len(tab) - 1)
        a, b = tab[-1][:-half], tab[-1][half:]
        take_b = vals[b] <= vals[a] if right else vals[b] < vals[a]
        tab.append(np.where(take_b, b, a))
    k = np.frexp(hi - lo + 1)[1] - 1  # floor(log2(length)), exact for integers
    out = np.empty(len(lo), dtype=np.intp)
    for kk in np.unique(k):
        sel = k == kk
        a = tab[kk][lo[sel]]
        b = tab[kk][hi[sel] - (1 << kk) + 1]
        take_b = vals[b] <= vals[a] if right else vals[b] < vals[a]
        out[sel] = np.where(take_b, b, a)
    return out


def peak_prominences(x: np.ndarray, peaks: np.ndarray, maxima: np.ndarray | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Prominences, left bases and right bases of local-maximum ``peaks`` of ``x``, as
    ``scipy.signal.peak_prominences(x, peaks)`` with ``wlen=None``: the base on each side is the
    lowest sample between the peak and the nearest strictly higher sample (or the signal's
    end), the rightmost / leftmost of equal minima, as scipy's outward walk finds them.

    The nearest higher sample is never needed: between a peak and the nearest strictly higher
    *local maximum* no sample is lower than the minimum before the nearest higher sample (a
    lower one would put a higher local maximum in between). So bases are range minima over the
    valleys between consecutive local maxima (``maxima``, all of them, default
    ``_local_maxima(x)``), with the nearest higher local maximum found by binary lifting.
    ``peaks`` must be local maxima of ``x``. A NaN stops scipy's walk like a higher sample, so
    NaNs count as +inf here.
    """
    x = np.asarray(x, dtype=np.float64)
    peaks = np.asarray(peaks, dtype=np.intp)
    nan = np.isnan(x)
    if nan.any():
        x = np.where(nan, np.inf, x)
        maxima = None
    if maxima is None:
        maxima = _local_maxima(x)
    if len(peaks) == 0:
        return np.zeros(0), np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    qi = np.searchsorted(maxima, peaks)
    if np.any(qi >= len(maxima)) or np.any(maxima[np.minimum(qi, len(maxima) - 1)] != peaks):
        raise ValueError("peaks must be local maxima of x")
    v = x[maxima]
    nmax = len(maxima)
    left_hi = _prev_greater(v, qi)  # -1: none
    right_hi = nmax - 1 - _prev_greater(v[::-1].copy(), nmax - 1 - qi)  # nmax: none
    # valley j (0..nmax): samples (maxima[j-1], maxima[j]] (ends: [0, maxima[0]], after last)
    starts = np.concatenate(([0], maxima + 1))
    vmin = np.minimum.reduceat(x, starts)
    seg = np.repeat(np.arange(nmax + 1), np.diff(np.append(starts, len(x))))
    at_min = np.flatnonzero(x == vmin[seg])
    seg_at = seg[at_min]
    first = at_min[np.searchsorted(seg_at, np.arange(nmax + 1), side="left")]
    last = at_min[np.searchsorted(seg_at, np.arange(nmax + 1), side="right") - 1]
    lv = _range_argmin(vmin, left_hi + 1, qi, right=True)
    rv = _range_argmin(vmin, qi + 1, right_hi, right=False)
    left, right = last[lv], first[rv]
    if nan.any():  # a NaN stops the walk from a +inf peak too, which +inf cannot express
        for j in np.flatnonzero(np.isposinf(x[peaks])):
            left[j], right[j] = _walk_bases(np.where(nan, np.nan, x), int(peaks[j]))
    prom = x[peaks] - np.maximum(x[left], x[right])
    return prom, left, right


def _walk_bases(x: np.ndarray, peak: int) -> tuple[int, int]:
    """scipy's outward walk from one peak to its bases (used for the rare +inf peak)."""
    bases = []
    for step in (-1, 1):
        i = base = peak
        low = x[peak]
        while 0 <= i < len(x) and x[i] <= x[peak]:
            if x[i] < low:
                low, base = x[i], i
            i += step
        bases.append(base)
    return bases[0], bases[1]


def _condition(cond: object, x: np.ndarray, peaks: np.ndarray
               ) -> tuple[np.ndarray | float | None, np.ndarray | float | None]:
    lo, hi = cond if isinstance(cond, tuple | list) else (cond, None)
    lo = lo[peaks] if isinstance(lo, np.ndarray) and lo.shape == x.shape else lo
    hi = hi[peaks] if isinstance(hi, np.ndarray) and hi.shape == x.shape else hi
    return lo, hi


def _within(values: np.ndarray, lo: object, hi: object) -> np.ndarray:
    keep = np.ones(len(values), dtype=bool)
    if lo is not None:
        keep &= lo <= values
    if hi is not None:
        keep &= values <= hi
    return keep


def _by_distance(peaks: np.ndarray, priority: np.ndarray, distance: float) -> np.ndarray:
    """Keep mask: from the highest priority down, a kept peak removes the others closer than
    ``ceil(distance)`` samples (scipy's ``_select_by_peak_distance``, same tie order). Peaks
    with no neighbour that close are kept outright; the greedy loop runs only over the others."""
    d = math.ceil(distance)
    n = len(peaks)
    keep = np.ones(n, dtype=bool)
    close = np.diff(peaks) < d
    crowded = np.zeros(n, dtype=bool)
    crowded[:-1] |= close
    crowded[1:] |= close
    if not crowded.any():
        return keep
    order = np.argsort(priority)
    order = order[crowded[order]][::-1].tolist()
    pk = peaks.tolist()
    kp = [True] * n
    for j in order:
        if not kp[j]:
            continue
        p = pk[j]
        k = j - 1
        while k >= 0 and p - pk[k] < d:
            kp[k] = False
            k -= 1
        k = j + 1
        while k < n and pk[k] - p < d:
            kp[k] = False
            k += 1
    return np.array(kp, dtype=bool)


def find_peaks(x: np.ndarray, height: object = None, distance: float | None = None,
               prominence: object = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Peaks of a 1-D signal and their properties, equal to ``scipy.signal.find_peaks`` for
    these arguments: local maxima (flat tops at their middle, edges excluded), then ``height``
    (``peak_heights``), then ``distance`` (higher peaks first), then ``prominence``
    (``prominences``, ``left_bases``, ``right_bases``; ``wlen=None``). A condition is a minimum,
    or a ``(min, max)`` pair with ``None`` for no bound."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"`x` must be a 1-D array (got {x.ndim}-D)")
    if distance is not None and distance < 1:
        raise ValueError("`distance` must be greater or equal to 1")
    maxima = _local_maxima(x)
    peaks = maxima
    props: dict[str, np.ndarray] = {}
    if height is not None:
        heights = x[peaks]
        keep = _within(heights, *_condition(height, x, peaks))
        peaks = peaks[keep]
        props["peak_heights"] = heights[keep]
    if distance is not None and len(peaks) > 1:
        keep = _by_distance(peaks, x[peaks], distance)
        peaks = peaks[keep]
        props = {key: a[keep] for key, a in props.items()}
    if prominence is not None:
        prom, left, right = peak_prominences(x, peaks, maxima)
        props.update(prominences=prom, left_bases=left, right_bases=right)
        keep = _within(prom, *_condition(prominence, x, peaks))
        peaks = peaks[keep]
        props = {key: a[keep] for key, a in props.items()}
    return peaks, props


# --- spectra ------------------------------------------------------------------------------

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


# --- FFT lengths ----------------------------------------------------------------------------

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


# --- 1-D filters as scipy.ndimage ---------------------------------------------------------

_PAD_MODES = {"reflect": "symmetric", "nearest": "edge", "mirror": "reflect", "wrap": "wrap"}


def _extend(x: np.ndarray, before: int, after: int, mode: str) -> np.ndarray:
    """``x`` (1-D) extended as ndimage extends a line: ``reflect`` (d c b a | a b c d | d c b a,
    the default), ``nearest`` (a a | a b c d | d d), ``mirror`` or ``wrap``; extensions longer
    than ``x`` continue the pattern, as in ndimage."""
    if mode not in _PAD_MODES:
        raise ValueError(f"unsupported mode {mode!r}")
    if x.ndim != 1:
        raise ValueError("only 1-D signals are supported")
    if len(x) == 0:
        raise ValueError("empty signal")
    if mode == "mirror" and len(x) == 1:
        return np.full(before + len(x) + after, x[0])
    return np.pad(x, (before, after), mode=_PAD_MODES[mode])


def _gaussian_kernel(sigma: float, order: int, radius: int) -> np.ndarray:
    """The sampled Gaussian (normalised to sum 1) or its ``order``-th derivative, taps
    ``-radius..radius``, computed as ``scipy.ndimage._filters._gaussian_kernel1d``: the
    derivative is ``q(x) * phi(x)`` with the polynomial ``q`` from ``q' + q * p'``,
    ``p' = -x / sigma^2``."""
    x = np.arange(-radius, radius + 1)
    sigma2 = sigma * sigma
    phi = np.exp(-0.5 / sigma2 * x ** 2)
    phi = phi / phi.sum()
    if order == 0:
        return phi
    exps = np.arange(order + 1)
    q = np.zeros(order + 1)
    q[0] = 1
    step = np.diag(exps[1:], 1) + np.diag(np.ones(order) / -sigma2, -1)
    for _ in range(order):
        q = step.dot(q)
    return (x[:, None] ** exps).dot(q) * phi


def gaussian_filter1d(x: np.ndarray, sigma: float, order: int = 0, mode: str = "reflect",
                      truncate: float = 4.0) -> np.ndarray:
    """Gaussian smoothing (or its ``order``-th derivative) of a 1-D signal, equal to
    ``scipy.ndimage.gaussian_filter1d(x, sigma, order=order, mode=mode, truncate=truncate)``:
    radius ``int(truncate * sigma + 0.5)`` samples, the kernel of :func:`_gaussian_kernel`, and
    ndimage's correlation of an (anti)symmetric kernel - the centre tap, then the pairs of taps
    from the outermost inwards, ``(x[i-j] +/- x[i+j]) * w[j]`` - so the sums are the same
    numbers. One vectorised pass per tap (a radius of 4 sigma: 30-60 passes for the step
    smoothing of gait), not per sample."""
    x = np.asarray(x, dtype=np.float64)
    if order < 0:
        raise ValueError("order must be non-negative")
    r = int(truncate * float(sigma) + 0.5)
    w = _gaussian_kernel(float(sigma), int(order), r)[::-1]  # ndimage correlates the reversed
    ext = _extend(x, r, r, mode)
    n = len(x)
    out = ext[r:r + n] * w[r]
    tmp = np.empty(n)
    sign = 1.0 if order % 2 == 0 else -1.0  # a Gaussian derivative has the order's parity
    for j in range(r, 0, -1):
        if sign > 0:
            np.add(ext[r - j:r - j + n], ext[r + j:r + j + n], out=tmp)
        else:
            np.subtract(ext[r - j:r - j + n], ext[r + j:r + j + n], out=tmp)
        tmp *= w[r - j]
        out += tmp
    return out


def _window_extend(x: np.ndarray, size: int, mode: str) -> tuple[int, int, np.ndarray]:
    """``(size, len(x), x extended by size//2 before and size - size//2 - 1 after)``: the
    samples every window of a moving filter centred as in ndimage (origin 0) can reach."""
    size = int(size)
    if size < 1:
        raise ValueError("incorrect filter size")
    h = size // 2
    return size, len(x), _extend(x, h, size - h - 1, mode)


def uniform_filter1d(x: np.ndarray, size: int, mode: str = "reflect") -> np.ndarray:
    """Moving mean of ``size`` samples (``x[i - size//2 .. i + size - size//2 - 1]``), equal to
    ``scipy.ndimage.uniform_filter1d(x, size, mode=mode)`` bit for bit: ndimage (1.17) sums the
    first window, then adds ``x_in - x_out`` sample after sample and divides each running sum by
    ``size``; that recursion is a cumulative sum (numpy's ``cumsum`` adds in order)."""
    x = np.asarray(x, dtype=np.float64)
    size, n, ext = _window_extend(x, size, mode)
    steps = np.empty(n)
    steps[0] = np.cumsum(ext[:size])[-1]
    np.subtract(ext[size:size + n - 1], ext[:n - 1], out=steps[1:])
    out = np.cumsum(steps)
    out /= size
    return out


def moving_rms(x: np.ndarray, size: int, mode: str = "reflect") -> np.ndarray:
    """Moving root mean square over ``size`` samples (of the last axis summed, for an N x k
    ``x``: the norm's RMS). The running mean of squares comes from a cumulative sum, whose
    rounding can leave a window after a large value slightly below zero: clipped at zero."""
    sq = np.asarray(x, dtype=np.float64) ** 2
    if sq.ndim > 1:
        sq = sq.sum(axis=1)
    return np.sqrt(np.maximum(uniform_filter1d(sq, size, mode), 0.0))


def maximum_filter1d(x: np.ndarray, size: int, mode: str = "reflect") -> np.ndarray:
    """Moving maximum over ``x[i - size//2 .. i + size - size//2 - 1]``, equal to
    ``scipy.ndimage.maximum_filter1d(x, size, mode=mode)`` (for signals without NaN; the dtype
    is kept). Van Herk / Gil-Werman: running maxima within blocks of ``size`` samples, forwards
    and backwards; each window spans the end of one block and the start of the next, O(n) for
    any size."""
    x = np.asarray(x)
    size, n, ext = _window_extend(x, size, mode)
    nb = -(-len(ext) // size)
    blocks = np.pad(ext, (0, nb * size - len(ext)), mode="edge").reshape(nb, size)
    fwd = np.maximum.accumulate(blocks, axis=1).ravel()
    bwd = np.maximum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.maximum(bwd[:n], fwd[size - 1:size - 1 + n])


def median_filter(x: np.ndarray, size: int, mode: str = "reflect") -> np.ndarray:
    """Moving median over ``x[i - size//2 .. i + size - size//2 - 1]``, equal to
    ``scipy.ndimage.median_filter(x, size=size, mode=mode)`` for a 1-D signal without NaN:
    ndimage's median is the element of rank ``size // 2`` of the window, for an even size the
    upper of the two middle values (not their mean). O(n * size): for the short, per-step
    series gait smooths."""
    x = np.asarray(x)
    size = int(size)
    if size < 1:
        raise ValueError("incorrect filter size")
    h = size // 2
    ext = _extend(x, h, size - h - 1, mode)
    win = np.lib.stride_tricks.sliding_window_view(ext, size)
    return np.partition(win, h, axis=1)[:, h].astype(x.dtype, copy=False)
