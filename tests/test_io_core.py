"""Canonical model, resampling, the table parser, the generic CSV reader and our own format."""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import gait
from gait.errors import GaitInputError
from gait.io import resample
from gait.io.base import at_rest_gravity, gravity_unit
from gait.io.detect import detect, load_path
from gait.io.gaitcsv import RecordingWriter, StreamSpec, write_recording
from gait.recording import Recording, SensorStream, describe

from .conftest import VALIDATION, needs_shared
from .helpers import walk_like, write_generic


def test_clean_timestamps_sorts_dedups_and_counts() -> None:
    t = np.array([0.0, 0.01, 0.02, 0.02, 0.015, 0.03, 0.04])
    tl = resample.clean_timestamps(t)
    assert tl.n_backwards == 1
    assert tl.n_duplicates == 1
    np.testing.assert_allclose(tl.t, [0.0, 0.01, 0.015, 0.02, 0.03, 0.04])
    x = np.arange(7.0)[:, None] * np.ones((1, 3))
    out = tl.apply(x)
    # rows at t=0.02 (values 2 and 3) are averaged; t=0.015 (value 4) moved before them
    np.testing.assert_allclose(out[:, 0], [0, 1, 4, 2.5, 5, 6])


def test_stale_first_row_dropped() -> None:
    t = np.concatenate([[0.0], 60.0 + np.arange(500) / 100])
    tl = resample.clean_timestamps(t)
    assert tl.dropped_stale_first == pytest.approx(60.0)
    assert len(tl.t) == 500


def test_uniform_grid_keeps_gaps_as_nan() -> None:
    t = np.concatenate([np.arange(0, 1, 0.01), np.arange(1.5, 2.5, 0.01)])
    x = np.column_stack([t, 2 * t, 3 * t])
    start, fs, vals, gaps, _info = resample.to_uniform(t, x)
    assert fs == 100.0
    assert len(gaps) == 1
    g = gaps[0]
    assert 0.99 < g.start_s < 1.01 and 1.48 < g.end_s < 1.5
    assert np.isnan(vals[105]).all()
    # interpolation elsewhere is exact for a linear signal
    ok = ~np.isnan(vals[:, 0])
    grid = start + np.arange(len(vals)) / fs
    np.testing.assert_allclose(vals[ok, 1], 2 * grid[ok], atol=1e-9)


def test_jittery_timestamps_resampled_linearly() -> None:
    rng = np.random.default_rng(1)
    dt = rng.uniform(0.003, 0.007, 2000)
    t = np.concatenate([[0.0], np.cumsum(dt)])
    x = np.column_stack([np.sin(t), np.cos(t), t])
    start, fs, vals, _gaps, info = resample.to_uniform(t, x)
    assert abs(fs - 1 / dt.mean()) / fs < 0.02
    grid = start + np.arange(len(vals)) / fs
    np.testing.assert_allclose(vals[:, 0], np.sin(grid), atol=1e-4)
    assert info["resampled"]


def test_fixed_rate_with_dropped_samples_keeps_nominal_rate() -> None:
    t = np.arange(1000) / 100.0
    keep = np.ones(1000, bool)
    keep[100:103] = False  # 3 dropped samples: interpolated
    keep[500:520] = False  # 20 dropped: a gap
    rate = resample.measured_rate(t[keep])
    assert rate == pytest.approx(100.0)
    assert resample.dropped_samples(t[keep], 100.0) == 23


def test_high_rate_gyro_is_low_passed_before_merging() -> None:
    fs_g = 500.0
    tg = np.arange(0, 10, 1 / fs_g)
    # 2 Hz motion + 140 Hz vibration that would alias into a 100 Hz grid
    g = np.column_stack([np.sin(2 * np.pi * 2 * tg) + 0.5 * np.sin(2 * np.pi * 140 * tg)] * 3)
    vals, _mask = resample.interpolate(tg, g, 0.0, 100.0, 1000)
    grid = np.arange(1000) / 100.0
    inner = slice(50, 950)
    np.testing.assert_allclose(vals[inner, 0], np.sin(2 * np.pi * 2 * grid[inner]), atol=0.05)


def test_generic_csv_roundtrip_and_units(tmp_path: Path) -> None:
    acc, gyr = walk_like(600)
    t = np.arange(600) / 100
    p = write_generic(tmp_path / "w.csv", t, acc / 9.80665, np.degrees(gyr),
                      header="t_ms,accX,accY,accZ,wx,wy,wz")
    rec = gait.load(p, columns={"time": "t_ms", "ax": "accX", "ay": "accY", "az": "accZ",
                                "gx": "wx", "gy": "wy", "gz": "wz"},
                    acc_unit="g", gyr_unit="deg/s", time_unit="s", placement="lower_back")
    s = rec.streams[0]
    assert s.placement == "lower_back"
    np.testing.assert_allclose(s.acc, acc, atol=1e-5)
    np.testing.assert_allclose(s.gyr, gyr, atol=1e-5)
    assert s.sample_rate_hz == 100.0


def test_generic_in_g_without_a_unit_is_read_as_g(tmp_path: Path) -> None:
    acc, _ = walk_like(600)
    acc[:200] = [0.1, 9.80, 0.3]  # standing still, then walking
    p = write_generic(tmp_path / "g.csv", np.arange(600) / 100, acc / 9.80665)
    rec = gait.load(p)
    np.testing.assert_allclose(rec.streams[0].acc, acc, atol=1e-4)
    assert rec.streams[0].acc_kind == "total"
    assert any(f"{p}: acceleration at rest" in w and "not ~9.81 m/s^2 (gravity): the values "
               "look like g; read as g (x 9.80665)" in w for w in rec.warnings)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([("m/s2", 1.0), ("g", 1 / 9.80665), ("mg", 1000 / 9.80665)]),
       st.sampled_from([None, "m/s2", "g"]), st.integers(0, 2**31 - 1), st.booleans())
def test_prop_gravity_sets_the_unit(unit: tuple[str, float], declared: str | None, seed: int,
                                    rest: bool) -> None:
    """Whatever unit the numbers are in and whatever unit is declared (none, m/s^2, g), in any
    orientation, with or without a still period, gravity comes out at 9.81 m/s^2 and a unit
    contradicted by gravity is named in a warning."""
    acc, _ = walk_like(800, seed=seed % 1000)
    if rest:
        acc[:200] = [0.0, 9.81, 0.0]
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(3, 3)))
    acc = acc @ q.T
    assume(not (unit[0] == "mg" and declared == "g"))  # 1000 g at rest: not a phone
    with tempfile.TemporaryDirectory() as d:
        p = write_generic(Path(d) / "w.csv", np.arange(800) / 100, acc * unit[1])
        rec = gait.load(p, acc_unit=declared)
    s = rec.streams[0]
    assert at_rest_gravity(s.acc, s.sample_rate_hz) == pytest.approx(9.81, rel=0.05)
    converted = any("not ~9.81 m/s^2 (gravity)" in w for w in rec.warnings)
    assert converted == (unit[0] != (declared or "m/s2"))


def test_gravity_free_walk_is_never_taken_for_g() -> None:
    """A gravity-free acceleration whose magnitude is ~1 m/s^2 throughout (no still period)
    averages out to ~0: it is not g."""
    rng = np.random.default_rng(3)
    t = np.arange(3000) / 100.0
    lin = np.column_stack([np.sin(2 * np.pi * 1.8 * t), np.cos(2 * np.pi * 1.8 * t),
                           0.3 * np.sin(2 * np.pi * 0.9 * t)]) + rng.normal(0, 0.05, (3000, 3))
    assert gravity_unit(lin, 100.0) is None
    acc, _ = walk_like(3000)
    assert gravity_unit(acc / 9.80665, 100.0) == ("g", 9.80665)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 60))
def test_prop_torn_last_line(cut: int) -> None:
    """A file cut anywhere inside its last row keeps every row before it; a cut that leaves
    the row with fewer fields (or no line break) is dropped with a warning naming its line."""
    acc, _ = walk_like(300)
    with tempfile.TemporaryDirectory() as d:
        p = write_generic(Path(d) / "w.csv", np.arange(300) / 100, acc)
        raw = p.read_bytes()
        last = raw.rstrip(b"\n").rfind(b"\n") + 1
        keep = min(len(raw) - 1, last + cut)
        p.write_bytes(raw[:keep])
        tail = raw[last:keep]
        try:
            rec = gait.load(p)
        except GaitInputError as exc:  # only a tail that is a number cut short may fail
            raise AssertionError(f"{tail!r}: {exc}") from None
    n = rec.streams[0].n_samples
    torn = [w for w in rec.warnings if "line 301 is torn" in w]
    assert n in (299, 300)
    assert bool(torn) == (n == 299) == (tail.count(b",") < 3)


def test_torn_last_line_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    acc, _ = walk_like(3000)
    p = write_generic(tmp_path / "w.csv", np.arange(3000) / 100, acc)
    p.write_bytes(p.read_bytes() + b"30.000000,0.1")
    from gait.cli import main

    with pytest.raises(SystemExit) as ei:
        main(["info", str(p)])
    out = capsys.readouterr()
    assert ei.value.code == 0
    assert "line 3002 is torn ('30.000000,0.1'" in out.out + out.err


def test_folder_with_two_kinds_of_export_lists_them(tmp_path: Path) -> None:
    acc, _ = walk_like(300)
    (tmp_path / "phone").mkdir()
    t = np.arange(300) / 100.0
    rows = "\n".join(f"{a:.6f},{x:.6f},{y:.6f},{z:.6f}" for a, x, y, z in
                     zip(t, *acc.T, strict=True))
    (tmp_path / "phone" / "Accelerometer.csv").write_text(
        '"Time (s)","X (m/s^2)","Y (m/s^2)","Z (m/s^2)"\n' + rows + "\n")
    logger = tmp_path / "logger"
    logger.mkdir()
    (logger / "Metadata.csv").write_text(
        "version,device name,recording time,platform\n2,Pixel,2024-01-01_10-00-00,android\n")
    ns = (1_700_000_000 + t) * 1e9
    (logger / "Accelerometer.csv").write_text("time,seconds_elapsed,z,y,x\n" + "\n".join(
        f"{n:.0f},{e:.3f},{z:.4f},{y:.4f},{x:.4f}" for n, e, x, y, z in
        zip(ns, t, *acc.T, strict=True)) + "\n")
    assert load_path(tmp_path / "phone").source_format == "phyphox"
    assert load_path(logger).source_format == "sensor_logger"
    with pytest.raises(GaitInputError) as ei:
        load_path(tmp_path)
    msg = ei.value.one_line()
    assert f"{tmp_path}: 2 different exports in this folder: phyphox (phone/); " \
           "sensor_logger (logger/)" in msg and "\n" not in msg


def test_folder_with_an_export_beside_a_zipped_one(tmp_path: Path) -> None:
    head = ('"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)",'
            '"Acceleration z (m/s^2)"\n')
    body = "".join(f"{i / 100:.2f},0,9.8,0\n" for i in range(300))
    (tmp_path / "Raw Data.csv").write_text(head + body)
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as z:
        z.writestr("Raw Data.csv", head + body)
    with pytest.raises(GaitInputError, match=r"2 different exports in this folder: phyphox "
                       r"\(Raw Data.csv\); other.zip"):
        load_path(tmp_path)


def test_generic_linear_acceleration_is_marked(tmp_path: Path) -> None:
    acc, _ = walk_like(600)
    acc[:, 1] -= 9.81
    acc[:300] = 0.01 * np.random.default_rng(0).normal(size=(300, 3))
    p = write_generic(tmp_path / "lin.csv", np.arange(600) / 100, acc)
    rec = gait.load(p)
    assert rec.streams[0].acc_kind == "linear"
    assert any("gravity is not in the acceleration" in w for w in rec.warnings)


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("", "empty"),
        ("time_s,ax,ay,az\n", "no data rows"),
        ("time_s,ax,ay,az\n0,1,2,3\n", "only one sample"),
        ("time_s,ax,ay\n0,1,2\n0.01,1,2\n", "column 'az' is missing"),
        ("time_s,ax,ay,az\n0,1,2,3\n0.01,1,abc,3\n", "line 3: text 'abc' in numeric column 'ay'"),
        ("time_s,ax,ay,az\n0,1,2,3\n0.01,1,2\n0.02,1,2,3\n", "line 3"),
        ("time_s,ax,ay,az,gx,gy\n0,1,2,3,4,5\n0.01,1,2,3,4,5\n", "column 'gz' is missing"),
    ],
)
def test_generic_bad_input_one_line(tmp_path: Path, content: str, needle: str) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(content)
    with pytest.raises(GaitInputError) as ei:
        gait.load(p)
    msg = ei.value.one_line()
    assert str(p) in msg and needle in msg and "\n" not in msg


def test_unknown_format_names_first_line(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("foo,bar\n1,2\n")
    with pytest.raises(GaitInputError, match="unknown format, first line 'foo,bar'"):
        gait.load(p)


def test_truncated_zip(tmp_path: Path) -> None:
    import zipfile

    z = tmp_path / "a.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("data.csv", "time_s,ax,ay,az\n" + "0,1,2,3\n" * 1000)
    raw = z.read_bytes()
    z.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(GaitInputError, match="zip"):
        gait.load(z)


def encrypted_zip(path: Path) -> Path:
    """A zip whose member is marked password-protected (zipfile cannot write real ones)."""
    import zipfile

    acc, _ = walk_like(300)
    t = np.arange(300) / 100.0
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("data.csv", "time_s,ax,ay,az\n"
                    + "".join(f"{a:.3f},{b:.3f},{c:.3f},{d:.3f}\n"
                              for a, (b, c, d) in zip(t, acc, strict=True)))
    raw = bytearray(path.read_bytes())
    raw[raw.find(b"PK\x03\x04") + 6] |= 1  # general purpose flag bit 0: encrypted
    raw[raw.find(b"PK\x01\x02") + 8] |= 1
    path.write_bytes(bytes(raw))
    return path


def test_password_protected_zip(tmp_path: Path) -> None:
    z = encrypted_zip(tmp_path / "locked.zip")
    with pytest.raises(GaitInputError, match=r"locked\.zip: zip member 'data\.csv' is "
                       r"password-protected"):
        gait.load(z)


def test_recording_writer_roundtrip(tmp_path: Path) -> None:
    acc, gyr = walk_like(1000)
    with RecordingWriter(tmp_path / "r.gait.json",
                         [StreamSpec("left_foot", 100.0), StreamSpec("right_foot", 100.0,
                                                                     has_gyr=False)],
                         meta={"note": "x"}) as w:
        for i in range(0, 1000, 300):
            w.write("left_foot", acc[i:i + 300], gyr[i:i + 300])
            w.write("right_foot", acc[i:i + 300])
    reader, _ = detect(tmp_path / "r.gait.json")
    assert reader.name == "gait"
    for entry in (tmp_path / "r.gait.json", tmp_path / "r.left_foot.csv"):
        rec = load_path(entry)
        assert rec.placements == ["left_foot", "right_foot"]
        np.testing.assert_allclose(rec.stream("left_foot").acc, acc, atol=1e-5)
        np.testing.assert_allclose(rec.stream("left_foot").gyr, gyr, atol=1e-6)
        assert rec.stream("right_foot").gyr is None
        assert rec.meta["note"] == "x"


def test_write_recording_of_loaded_recording(tmp_path: Path) -> None:
    acc, gyr = walk_like(500)
    rec = Recording([SensorStream("lower_back", 50.0, acc, gyr)], source_format="test")
    m = write_recording(rec, tmp_path / "x.gait.json")
    back = gait.load(m)
    np.testing.assert_allclose(back.streams[0].acc, acc, atol=1e-5)
    assert back.streams[0].sample_rate_hz == 50.0
    d = describe(back)
    json.dumps(d, allow_nan=False)
    assert d["streams"][0]["n_samples"] == 500


def test_manifest_errors(tmp_path: Path) -> None:
    m = tmp_path / "x.gait.json"
    m.write_text('{"format": "gait-recording", "version": 1, "streams": [{"placement": "knee"}]}')
    with pytest.raises(GaitInputError, match=r"streams\[0\]"):
        gait.load(m)
    m.write_text('{"format": "gait-recording", "version": 1,')
    with pytest.raises(GaitInputError, match="invalid JSON"):
        gait.load(m)


def test_load_mapping_combines_placements(tmp_path: Path) -> None:
    acc, gyr = walk_like(500)
    t = np.arange(500) / 100
    a = write_generic(tmp_path / "L.csv", t, acc, gyr)
    b = write_generic(tmp_path / "R.csv", t, acc, gyr)
    rec = gait.load({"left_foot": a, "right_foot": b})
    assert rec.placements == ["left_foot", "right_foot"]


def test_at_rest_gravity() -> None:
    acc, _ = walk_like(1000)
    acc[200:400] = [0, 9.81, 0]
    assert at_rest_gravity(acc, 100) == pytest.approx(9.81, abs=0.01)


CONVERTED = sorted(VALIDATION.glob("*/converted/imu_*.csv")) if VALIDATION.is_dir() else []


@needs_shared
@pytest.mark.parametrize("path", CONVERTED, ids=[p.name for p in CONVERTED])
def test_every_converted_validation_file_loads_generic(path: Path) -> None:
    reader, _ = detect(path)
    assert reader.name == "generic"
    rec = load_path(path)
    s = rec.streams[0]
    assert s.n_samples > 100
    assert abs(s.sample_rate_hz - s.info["measured_rate_hz"]) / s.sample_rate_hz < 0.02
    if "truong2019" in str(path):
        assert s.acc_kind == "linear"  # the dataset removed gravity
    else:
        assert s.acc_kind == "total"
        # mean acceleration vector: gravity plus (foot sensors, no rest) impacts; a swinging
        # segment's sensor-frame mean also carries the centripetal part (the virtual feet of
        # fukuchi2017's runs: 15-23 m/s^2, its README)
        assert 7.0 < np.linalg.norm(np.nanmean(s.acc, axis=0)) < 25.0


def test_folder_with_one_export_file_reads_it(tmp_path: Path) -> None:
    acc, gyr = walk_like(600)
    write_generic(tmp_path / "walk.csv", np.arange(600) / 100.0, acc, gyr)
    (tmp_path / "notes.txt").write_text("morning walk, phone at the lower back\n")
    rec = load_path(tmp_path)
    assert rec.streams[0].n_samples == 600
    assert rec.streams[0].acc[:, 1].mean() == pytest.approx(9.81, abs=0.05)


def test_folder_with_several_recordings_names_them(tmp_path: Path) -> None:
    acc, gyr = walk_like(300)
    for name in ("left.csv", "right.csv"):
        write_generic(tmp_path / name, np.arange(300) / 100.0, acc, gyr)
    with pytest.raises(GaitInputError) as ei:
        load_path(tmp_path)
    msg = str(ei.value)
    assert "2 recordings in this folder: left.csv, right.csv" in msg
    assert "give the file itself" in msg and "\n" not in msg


@needs_shared
def test_folder_holding_a_real_sensorlog_zip() -> None:
    folder = VALIDATION / "phone_exports" / "sensorlog" / "ios_walk_waterways"
    rec = load_path(folder)
    assert rec.source_format == "sensorlog" and rec.streams[0].n_samples > 1000


def _zip_of_zeros(path: Path, n_mb: int) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf, \
            zf.open("Accelerometer.csv", "w", force_zip64=True) as fh:
        for _ in range(n_mb):
            fh.write(bytes(1 << 20))
    return path


def test_zip_bomb_is_refused_from_its_directory(tmp_path: Path) -> None:
    """A zip that expands 1000 times is refused before any member is decompressed: quickly and
    without allocating its contents (the same holds for 1 GB: benchmarks/zip_limits.py)."""
    import time
    import tracemalloc

    from gait.io.base import Container

    z = _zip_of_zeros(tmp_path / "bomb.zip", 64)
    tracemalloc.start()
    t0 = time.perf_counter()
    with pytest.raises(GaitInputError, match=r"bomb\.zip: the zip expands \d+ times"):
        Container(z)
    took = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert took < 0.5 and peak < 4 << 20, (took, peak)


def test_zip_larger_than_the_limit_is_refused(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    from gait.io import base

    z = tmp_path / "walk.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("walk.csv", "time_s,ax,ay,az\n" + "".join(
            f"{i / 100:.2f},{i % 7},{i % 5},{i % 3}\n" for i in range(3000)))
    assert base.Container(z).read_bytes("walk.csv").count(b"\n") == 3001
    monkeypatch.setattr(base, "MAX_ZIP_BYTES", 10_000)
    with pytest.raises(GaitInputError, match=r"walk\.zip: the zip expands to 0 MB \(expected "
                       r"at most 0 MB uncompressed"):
        base.Container(z)
    monkeypatch.setattr(base, "MAX_ZIP_MEMBERS", 0)
    with pytest.raises(GaitInputError, match="the zip holds 1 members"):
        base.Container(z)


def test_zip_member_is_read_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Members are decompressed a piece at a time, whole pieces and the last partial one."""
    import zipfile

    from gait.io import base

    data = bytes(range(256)) * 1001
    z = tmp_path / "a.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("m.bin", data)
    monkeypatch.setattr(base, "ZIP_PIECE", 1000)
    assert base.Container(z).read_bytes("m.bin") == data


def _bouts_with_a_pause(path: Path, pause_s: float, bout_s: float = 25.0) -> Path:
    acc, gyr = walk_like(int(100 * bout_s))
    t = np.arange(len(acc)) / 100.0
    return write_generic(path, np.concatenate([t, t + bout_s + pause_s]),
                         np.vstack([acc, acc]), np.vstack([gyr, gyr]))


def test_an_hour_long_pause_is_a_gap_between_two_bouts(tmp_path: Path) -> None:
    """Two 25-s walks an hour apart are one recording with a gap (issue 20 item 8), not a
    corrupt time; a single time far away still is."""
    p = _bouts_with_a_pause(tmp_path / "pause.csv", 3600.0)
    rec = gait.load(p, placement="lower_back")
    (s,) = rec.streams
    assert s.duration_s == pytest.approx(3650.0, abs=0.1)
    assert len(s.gaps) == 1
    assert s.gaps[0].n_samples / s.sample_rate_hz == pytest.approx(3600, abs=1)
    assert not any("gyroscope covers" in w for w in rec.warnings)
    from gait.analysis.single import analyse

    det = analyse(rec, n_boot=50).detection
    assert len(det.bouts) == 2
    acc, _ = walk_like(2000)
    t = np.arange(2000) / 100.0
    t[700] = 7200.0  # one corrupt time
    with pytest.raises(GaitInputError, match=r"time value 7200 s lies .* away from the rest"):
        gait.load(write_generic(tmp_path / "bad.csv", t, acc))


def test_a_pause_too_long_to_read_whole_is_one_line(tmp_path: Path) -> None:
    p = _bouts_with_a_pause(tmp_path / "days.csv", 3 * 86400.0, bout_s=5.0)
    with pytest.raises(GaitInputError, match=r"days\.csv: column 'time': time: a pause of "
                       r"2\.59e\+05 s between bouts makes 2\.59e\+07 samples"):
        gait.load(p)


def test_zip_with_a_corrupt_deflate_stream_is_one_line(tmp_path: Path) -> None:
    """zlib's own error (found by fuzzing: an internal error before) is a broken zip."""
    import zipfile

    z = tmp_path / "bad.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Accelerometer.csv", "".join(
            f"{i / 100:.2f},{i % 7 * 0.1:.3f},{9.8 + i % 5 * 0.01:.3f}\n" for i in range(20000)))
    raw = bytearray(z.read_bytes())
    start = raw.find(b"Accelerometer.csv") + len("Accelerometer.csv") + 40
    raw[start:start + 64] = b"\xff" * 64
    z.write_bytes(bytes(raw))
    with pytest.raises(GaitInputError, match=r"bad\.zip: broken zip archive \(Error -3 while "
                       "decompressing data: invalid block type"):
        gait.load(z)
