"""benchmarks/trojaniello_clock.py: the lag of the shank heel-strike transient and of the
end-of-swing gyro zero crossing behind reference initial contacts (synthetic, and on one real
trojaniello2014 walk when ../shared is there)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from .conftest import VALIDATION, benchmark_module

TROJ = VALIDATION / "trojaniello2014_uniss_stroke_imu" / "converted"

needs_trojaniello = pytest.mark.skipif(
    not TROJ.is_dir(),
    reason=f"trojaniello2014 validation data not found at {TROJ} (only in the project's "
    "workspace/CI)",
)


def test_synthetic_lags_are_found() -> None:
    """A spike 90 ms after each contact and a swing bump whose zero crossing is 40 ms after
    it: both lags come back to within a sample."""
    clock = benchmark_module("trojaniello_clock")
    fs, n = 128.0, 128 * 20
    t = np.arange(n) / fs
    ics = np.arange(2.0, 18.0, 1.1)
    acc = np.zeros((n, 3))
    acc[:, 0] = 9.81
    gy = np.full(n, -0.5)
    for ic in ics:
        acc[int(np.round((ic + 0.090) * fs)), 0] += 30.0
        # positive swing half-wave from ic - 0.46 to ic + 0.04, negative elsewhere
        u = t - (ic - 0.46)
        gy += np.where((u > 0) & (u < 0.5), 4.0 * np.sin(np.pi * u / 0.5) + 0.5, 0.0)
    tr = clock.transient_lags(acc, fs, ics)
    gz = clock.gyro_zero_crossing_lags(gy, fs, ics)
    assert np.all(np.abs(tr - 0.090) <= 1 / fs)
    assert np.all(np.isfinite(gz))
    # the 10 Hz low-pass rounds the corner; the crossing stays within two samples
    assert np.all(np.abs(gz - 0.040) <= 2 / fs)


def test_shift_moves_contacts_and_bouts() -> None:
    clock = benchmark_module("trojaniello_clock")
    ref = {"initial_contacts": [{"t": 1.0, "side": "L"}],
           "walking_bouts": [{"start": 1.0, "end": 5.0}]}
    s = clock.shifted(ref, 0.08)
    assert s["initial_contacts"][0] == {"t": pytest.approx(1.08), "side": "L"}
    assert (s["walking_bouts"][0]["start"], s["walking_bouts"][0]["end"]) == \
        pytest.approx((1.08, 5.08))
    assert ref["initial_contacts"][0]["t"] == 1.0  # the original is left alone


@needs_trojaniello
def test_real_walk_transient_lag_is_consistent() -> None:
    """S001 (elderly): the transient follows every GAITRite IC by a consistent ~90 ms (small
    IQR), the gyro zero crossing follows it too; with the data-set shift the shanks detector's
    ICs are within +-100 ms of every reference IC in the bouts."""
    clock = benchmark_module("trojaniello_clock")
    ref_path = TROJ / "ref_S001.json"
    ref = json.loads(ref_path.read_text())
    lags = clock.walk_lags(ref_path, ref)
    tr, gy = clock.lag_stats(lags["transient"]), clock.lag_stats(lags["gyro"])
    assert tr["n"] == len(ref["initial_contacts"])
    assert np.isfinite(lags["transient"]).all()
    assert 60.0 <= tr["median_ms"] <= 120.0
    assert tr["iqr_ms"] <= 20.0
    assert gy["n"] >= 0.9 * len(ref["initial_contacts"])
    assert 0.0 <= gy["median_ms"] <= 80.0
    scores = clock.score_walk(ref_path, ref, "shanks", {"shifted": tr["median_ms"] / 1000
                                                       - clock.TRANSIENT_DELAY_S})
    row = scores["shifted"]["bouts"].row()
    assert row["F1"] >= 0.95
    assert row["med_ms"] <= 50.0
