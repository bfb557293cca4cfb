"""The 1-D filters of ``scipy.ndimage`` that gait uses, for the modes it passes (``reflect``,
``nearest``): Gaussian, uniform (and a moving RMS), maximum and median.
"""

from __future__ import annotations

import numpy as np

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
