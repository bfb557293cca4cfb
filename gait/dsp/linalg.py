"""Matrix products kept on the calling thread.

OpenBLAS splits a product of more than ``SMP_THRESHOLD_MIN x GEMM_MULTITHREAD_THRESHOLD``
(65536 x 4) multiply-adds over its thread pool; the woken threads then spin-wait for the next
product. gait's tall products (a signal of an hour times a 3 x 2 basis; 50 bootstrap resamples of
3300 strides times 44 sums) are memory-bound and gain nothing from a second thread, while on a
machine shared with other work the spinning threads cost ~15 x the CPU time of the product
(measured: the 2000 bootstrap resamples of an hour, 0.29 s of CPU on two threads, 0.02 s on
one). :func:`matmul` cuts such a product into pieces each below that size.
"""

from __future__ import annotations

import numpy as np

#: OpenBLAS runs a product of m x n x k multiply-adds at most this on the calling thread
ONE_THREAD_MNK = 65536 * 4


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for 2-D ``a`` (n x k) and ``b`` (k x m), in pieces OpenBLAS keeps on one thread.

    Short rows (``k * m`` small): blocks of rows, one stacked product (each output row is
    computed as in ``a @ b``). Long rows (``k`` large, e.g. a sum over all samples): slices of
    ``k`` whose products are added in order, equal to ``a @ b`` to rounding (~1e-16 relative of
    the terms' magnitude)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    n, k = a.shape
    m = b.shape[1]
    if n * k * m <= ONE_THREAD_MNK or n == 0 or m == 0 or k == 0:
        return a @ b
    if k * m <= ONE_THREAD_MNK // 16:  # rows: blocks of at least 16
        r = ONE_THREAD_MNK // (k * m)
        full = n // r * r
        out = np.empty((n, m))
        np.matmul(np.ascontiguousarray(a[:full]).reshape(-1, r, k), b,
                  out=out[:full].reshape(-1, r, m))
        out[full:] = a[full:] @ b
        return out
    if n * m > ONE_THREAD_MNK // 16:  # neither way is small: leave it to OpenBLAS
        return a @ b
    kc = ONE_THREAD_MNK // (n * m)
    nk = k // kc
    full = nk * kc
    parts = np.matmul(a[:, :full].reshape(n, nk, kc).transpose(1, 0, 2),
                      b[:full].reshape(nk, kc, m))
    out = parts.sum(axis=0)
    if full < k:
        out += a[:, full:] @ b[full:]
    return out


def row_norms(x: np.ndarray) -> np.ndarray:
    """``np.linalg.norm(x, axis=1)`` of an N x k array, the same numbers (the squares summed
    left to right, as numpy's reduction over a short row does), column by column: 3-4 x faster
    for N x 3, where numpy's reduction over rows of three is slow."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] == 0 or x.shape[1] > 4:
        return np.linalg.norm(x, axis=1)
    c = x[:, 0]
    s = c * c
    for j in range(1, x.shape[1]):
        c = x[:, j]
        s += c * c
    return np.sqrt(s, out=s)


def row_dots(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.einsum("ij,ij->i", a, b)`` of two N x 3 arrays, column by column: ~2 x faster than
    einsum's loop over rows of three. A row's three products are added as
    ``(a0 b0 + a2 b2) + a1 b1`` onto a zero (an all -0.0 row gives +0.0), the order numpy 2.4's
    einsum uses for C-ordered rows on x86-64 (the same bits there, the reports unchanged;
    elsewhere equal to rounding, ``tests/test_dsp.py``). Other layouts: einsum itself."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or b.shape != a.shape or a.shape[1] != 3 or not (
            a.flags.c_contiguous and b.flags.c_contiguous):
        return np.einsum("ij,ij->i", a, b)
    s = a[:, 0] * b[:, 0]
    s += a[:, 2] * b[:, 2]
    s += a[:, 1] * b[:, 1]
    s += 0.0
    return s


def cross_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.cross(a, b)`` of two N x 3 arrays, the same numbers (each component the difference
    of two products, as numpy forms it), column by column: ~2.5 x faster than numpy's broadcast
    over rows of three."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or b.shape != a.shape or a.shape[1] != 3:
        return np.cross(a, b)
    a0, a1, a2 = a[:, 0], a[:, 1], a[:, 2]
    b0, b1, b2 = b[:, 0], b[:, 1], b[:, 2]
    out = np.empty(a.shape)
    out[:, 0] = a1 * b2 - a2 * b1
    out[:, 1] = a2 * b0 - a0 * b2
    out[:, 2] = a0 * b1 - a1 * b0
    return out


def nan_rows(x: np.ndarray) -> np.ndarray:
    """``np.isnan(x).any(axis=1)`` of an N x k array, column by column (~10 x faster for
    N x 3)."""
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] == 0:
        return np.isnan(x).any(axis=1)
    out = np.isnan(x[:, 0])
    for j in range(1, x.shape[1]):
        out |= np.isnan(x[:, j])
    return out


def finite_rows(x: np.ndarray) -> np.ndarray:
    """``np.all(np.isfinite(x), axis=1)`` of an N x k array, column by column."""
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] == 0:
        return np.all(np.isfinite(x), axis=1)
    out = np.isfinite(x[:, 0])
    for j in range(1, x.shape[1]):
        out &= np.isfinite(x[:, j])
    return out


def sort_order(t: np.ndarray) -> np.ndarray:
    """The permutation ``pd.Series(t).sort_values()`` applies to a float array: numpy's
    quicksort of the non-NaN values, then the NaN in their order (an index array)."""
    nan = np.isnan(t)
    if not nan.any():
        return np.argsort(t, kind="quicksort")
    idx = np.arange(len(t))
    return np.concatenate([idx[~nan][np.argsort(t[~nan], kind="quicksort")], idx[nan]])
