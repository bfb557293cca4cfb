"""Device clocks to host time: unwrapping, sample-clock fit, lower-envelope drift fit."""

from __future__ import annotations

import numpy as np
import pytest

from gait.ble.timebase import fit_host_map, fit_sample_clock, unwrap


def test_unwrap() -> None:
    x = (np.arange(0, 100_000, 997) + 2**32 - 50_000) % 2**32
    np.testing.assert_array_equal(unwrap(x.astype(np.uint32), 32) - (2**32 - 50_000),
                                  np.arange(0, 100_000, 997))
    y = np.array([65530, 65535, 3, 10], dtype=np.uint16)
    np.testing.assert_array_equal(unwrap(y, 16), [65530, 65535, 65539, 65546])


def _sensor(ppm_crystal: float, odr_err: float, hours: float, seed: int,
            fs: float = 200.0, n: int = 10, tick_hz: int = 32768
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """Packets of one sensor: (first index, t_first ticks u32, host s, n, true period)."""
    rng = np.random.default_rng(seed)
    period = (1 + odr_err) / fs  # true seconds per sample
    n_pk = int(hours * 3600 / period) // n
    k = np.arange(n_pk, dtype=np.int64) * n
    t_true = 3.7 + k * period  # true (host) time of each packet's first sample
    ticks = np.floor((2**32 - 10_000_000) + t_true * tick_hz * (1 + ppm_crystal * 1e-6))
    ticks = (ticks.astype(np.int64) % 2**32).astype(np.uint32)
    ci = 0.030
    ready = t_true + (n - 1) * period + 0.0005
    phase = rng.uniform(0, ci)
    host = phase + np.ceil((ready - phase) / ci) * ci  # the next connection event
    host += ci * rng.geometric(0.8, n_pk) - ci  # retransmissions
    host += rng.exponential(0.003, n_pk)  # host stack
    burst = rng.random(n_pk) < 0.01
    host[burst] += rng.uniform(0.1, 0.5, burst.sum())  # congested moments
    host = np.maximum.accumulate(host)
    keep = rng.random(n_pk) > 0.05  # 5 % lost
    return k[keep] % 2**32, ticks[keep], host[keep], np.full(keep.sum(), n), period


def _host_times(k: np.ndarray, ticks: np.ndarray, host: np.ndarray, n: np.ndarray,
                tick_hz: int = 32768) -> tuple[np.ndarray, np.ndarray]:
    ku = unwrap(k, 32)
    t = unwrap(ticks, 32) / tick_hz
    clock, inl = fit_sample_clock(ku, t, 200.0)
    assert inl.all()
    hm = fit_host_map(clock(ku + n - 1), host)
    return ku, hm(clock(ku))


def test_two_sensors_100ppm_apart_stay_aligned_over_an_hour() -> None:
    errs = []
    for ppm, odr, seed in ((100.0, 0.004, 1), (-100.0, -0.002, 2)):
        k, ticks, host, n, period = _sensor(ppm, odr, 1.0, seed)
        ku, h = _host_times(k, ticks, host, n)
        truth = 3.7 + ku * period
        errs.append(h - truth)
    # each sensor on the host axis within 5 ms everywhere, hence aligned within 5 ms
    for e in errs:
        assert np.abs(e).max() < 0.005
    assert abs(np.median(errs[0]) - np.median(errs[1])) < 0.005


def test_sample_clock_rejects_garbled_packets() -> None:
    k = np.arange(0, 2000, 10)
    t = 1.0 + k / 208.0
    t[50] += 7.0  # a packet from elsewhere
    clock, inl = fit_sample_clock(k, t)
    assert not inl[50] and inl.sum() == len(k) - 1
    assert clock.rate_hz == pytest.approx(208.0, rel=1e-9)


def test_host_map_short_recording() -> None:
    t = np.linspace(0, 3, 60)
    hm = fit_host_map(t, t + 0.02 + np.random.default_rng(0).exponential(0.005, 60))
    assert hm.b == 1.0  # too short to see drift: no slope is fitted
    assert hm(0.0) == pytest.approx(0.02, abs=1e-3)
    assert hm.latency_median_ms > 0
