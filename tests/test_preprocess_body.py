"""gait.preprocess.body: the batched window directions give the per-window numbers."""

from __future__ import annotations

import numpy as np
import pytest

from gait.preprocess.body import principal_horizontal, principal_horizontal_windows


@pytest.mark.parametrize(("n", "w", "hop"), [(36_000, 1000, 500), (5_003, 300, 150),
                                             (999, 1000, 500), (1000, 1000, 500),
                                             (2_500, 200, 1)])
def test_principal_horizontal_windows_bit_for_bit(n: int, w: int, hop: int) -> None:
    rng = np.random.default_rng(n + w)
    x = rng.normal(size=(n, 3)) * [1.0, 2.0, 0.3] + [0.1, 0.0, -0.2]
    want = np.array([principal_horizontal(x[s:s + w]) for s in range(0, n - w + 1, hop)])
    got = principal_horizontal_windows(x, w, hop)
    assert got.shape == (len(want), 3)
    if len(want):
        np.testing.assert_array_equal(got, want)
