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


#: exports whose placement PROVENANCE.md states (the in-hand ones are in test_placement.py)
KNOWN_PLACEMENT = {
    "sensor_logger/android_v2_inpocket_walk_azyfen_Matan": "pocket",
    "physics_toolbox/multirecord_gforce_linacc_janit/Pocket1.1.csv": "pocket",
    "physics_toolbox/multirecord_gforce_linacc_janit/Ankle1.1.csv": "shank",
}


@needs_shared
def test_every_export_is_ok_or_one_clear_error() -> None:
    """Issue 18: ``gait batch`` on the exports gives every export that holds walking an ok
    row (where its placement is not clear: steps, and the cadence or none, with the cause
    asking for PLACEMENT=), and the others one error line that says why (too slow, no
    walking); no export fails with an internal error."""
    from gait.batch import analyse_one, discover

    units = discover([PHONE])
    assert len(units) >= 10
    errors = 0
    for unit in units:
        row = analyse_one(str(unit))["row"]
        assert row["status"] in ("ok", "error"), (unit, row["error"])
        if row["status"] == "error":
            errors += 1
            msg = row["error"]
            assert "\n" not in msg
            assert any(k in msg for k in ("too slow", "no walking")), msg
        else:
            assert row["n_steps"] and row["n_steps"] >= 10, (unit, row)
            assert row["verdict_level"] == "undetermined", (unit, row)
    assert errors == 3


@needs_shared
@pytest.mark.parametrize("rel", sorted(KNOWN_PLACEMENT))
def test_export_of_known_placement_never_placed_wrong_confidently(rel: str) -> None:
    """A phone export is placed right or asked for, never confidently placed wrong."""
    from gait.events.placement import infer_placement

    g = infer_placement(gait.load(PHONE / rel).streams[0], phone=True)
    assert g.placement is not None
    assert g.placement == KNOWN_PLACEMENT[rel] or not g.usable, g
