"""Acceptance of issue 2: every real phone-app export in ../shared loads with the right format,
units and rate.

Each file under ``phone_exports/`` is loaded as a user would pass it (a member file of a
multi-file export loads the whole export). Checks: the detected reader matches the app folder;
the grid rate is within 2 % of the rate measured from the timestamps; where gravity is included
it has the right magnitude: within 0.3 m/s^2 of 9.81 over the quietest second when the phone was
still at some point (SD of |a| there < 0.3, at >= 20 Hz: a 1 Hz log has no "second"),
else (a walk from first to last sample) the mean acceleration vector, which gravity dominates,
within 1.0 m/s^2 of 9.81.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import gait
from gait.io.base import rest_stats
from gait.io.detect import detect

from .conftest import PHONE, needs_shared

APP_OF_FOLDER = {
    "phyphox": "phyphox", "sensor_logger": "sensor_logger", "physics_toolbox": "physics_toolbox",
    "sensorlog": "sensorlog", "matlab_mobile": "matlab_mobile", "androsensor": "androsensor",
    "mbientlab_metabase": "metabase",
}
SAMPLES = sorted(p for p in PHONE.rglob("*") if p.is_file() and p.suffix != ".md") \
    if PHONE.is_dir() else []


@needs_shared
@pytest.mark.parametrize("path", SAMPLES, ids=[str(p.relative_to(PHONE)) for p in SAMPLES])
def test_phone_export_loads_with_right_units(path: Path) -> None:
    app = APP_OF_FOLDER[path.relative_to(PHONE).parts[0]]
    reader, _ = detect(path)
    assert reader.name == app
    rec = gait.load(path)
    assert rec.source_format == app
    assert rec.streams
    for s in rec.streams:
        meas = s.info["measured_rate_hz"]
        assert abs(s.sample_rate_hz - meas) / meas < 0.02, (s.sample_rate_hz, meas)
        assert s.duration_s > 5
        if s.acc_kind == "total":
            g, sd = rest_stats(s.acc, s.sample_rate_hz)
            if sd < 0.3 and s.sample_rate_hz >= 20:
                assert abs(g - 9.81) < 0.3, g
            else:
                mean_vec = float(np.linalg.norm(np.nanmean(s.acc, axis=0)))
                assert abs(mean_vec - 9.81) < 1.0, mean_vec
        else:
            assert any("gravity" in w for w in rec.warnings)


@needs_shared
def test_every_app_folder_is_covered() -> None:
    folders = {p.relative_to(PHONE).parts[0] for p in SAMPLES}
    assert folders <= set(APP_OF_FOLDER), folders - set(APP_OF_FOLDER)
    assert len(folders) >= 6
