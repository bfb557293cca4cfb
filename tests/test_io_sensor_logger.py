"""Sensor Logger reader: real exports (../shared), synthetic zips/folders, malformed input."""

from __future__ import annotations

import random
import shutil
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gait.errors import GaitInputError
from gait.io.base import Container, ReadOptions, at_rest_gravity
from gait.io.detect import detect, load_path
from gait.io.sensor_logger import READER, _read_sensor
from gait.recording import G, Recording

T0 = 1711795430105320701  # ns, odd on purpose: a float64 cannot hold it
STUDY_FOLDER = "GaitStudy_SensorLogger-2024-03-30_10-43-50"

# ---------------------------------------------------------------------------------------------
# Synthetic exports
# ---------------------------------------------------------------------------------------------


def _signals(t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Android-frame linear acc, gravity and gyro at times t (s)."""
    lin = np.column_stack([0.3 * np.sin(2 * np.pi * 0.9 * t), 1.5 * np.sin(2 * np.pi * 1.8 * t),
                           0.8 * np.cos(2 * np.pi * 1.8 * t)])
    grav = np.column_stack([np.zeros_like(t), 1.2 * np.ones_like(t), np.full_like(t, 9.7312)])
    gyr = np.column_stack([0.2 * np.sin(2 * np.pi * t), np.zeros_like(t),
                           0.5 * np.sin(2 * np.pi * 0.9 * t)])
    return lin, grav, gyr


def _sensor_csv(ns: np.ndarray, xyz: np.ndarray, version: int, t_start: int) -> str:
    if version >= 3:
        lines = ["time,seconds_elapsed,z,y,x"]
        lines += [f"{n},{(n - t_start) * 1e-9!r},{v[2]!r},{v[1]!r},{v[0]!r}"
                  for n, v in zip(ns.tolist(), xyz.tolist(), strict=True)]
    else:
        lines = ["time,z,y,x"]
        lines += [f"{n},{v[2]!r},{v[1]!r},{v[0]!r}"
                  for n, v in zip(ns.tolist(), xyz.tolist(), strict=True)]
    return "\n".join(lines) + "\n"


def write_export(folder: Path, *, platform: str = "ios", version: int = 3, n: int = 600,
                 fs: float = 100.0, gyro_fs: float | None = None, total: bool = False,
                 standardisation: str | None = "false", gravity: bool = True,
                 gyro: bool = True, gyro_delay_s: float = 0.0, annotation: bool = True,
                 metadata: bool = True) -> dict[str, np.ndarray]:
    """A Sensor Logger export folder; returns the Android-frame signals written."""
    folder.mkdir(parents=True, exist_ok=True)
    step = round(1e9 / fs)
    ns = T0 + np.arange(n, dtype=np.int64) * step
    t = (ns - T0) * 1e-9
    lin, grav, _ = _signals(t)
    sign = -1.0 if (platform == "ios" and standardisation != "true") else 1.0
    epoch_ms = T0 // 1_000_000 - 170
    t_start = epoch_ms * 1_000_000
    (folder / "Accelerometer.csv").write_text(_sensor_csv(ns, sign * lin, version, t_start))
    if gravity:
        (folder / "Gravity.csv").write_text(_sensor_csv(ns, sign * grav, version, t_start))
    if total:
        (folder / "TotalAcceleration.csv").write_text(
            _sensor_csv(ns, sign * (lin + grav), version, t_start))
    gfs = gyro_fs or fs
    g_ns = (T0 + round(gyro_delay_s * 1e9)
            + np.arange(int(n * gfs / fs), dtype=np.int64) * round(1e9 / gfs))
    _, _, gyr = _signals((g_ns - T0) * 1e-9)
    if gyro:
        (folder / "Gyroscope.csv").write_text(_sensor_csv(g_ns, gyr, version, t_start))
    if annotation:
        (folder / "Annotation.csv").write_bytes(b"")
    if metadata:
        if version >= 3:
            head = ("version,device name,recording epoch time,recording time,recording timezone,"
                    "platform,appVersion,device id,sensors,sampleRateMs")
            sensors = "Accelerometer|Gravity|Gyroscope|Annotation" + (
                "|TotalAcceleration" if total else "")
            ms = f"{1000 / fs:g}|{1000 / fs:g}|{1000 / gfs:g}|" + (f"|{1000 / fs:g}" if total
                                                                  else "")
            row = (f"3,Test Phone,{epoch_ms},2024-03-30_10-43-49,Asia/Shanghai,{platform},1.43.2,"
                   f"abc-123,{sensors},{ms}")
            if standardisation is not None:
                head += ",standardisation"
                row += f",{standardisation}"
        else:
            head = "version,device name,recording time,platform"
            row = f"2,Test Phone,2024-00-30_10-43-49,{platform}"
        (folder / "Metadata.csv").write_text(head + "\n" + row)
    return {"t": t, "lin": lin, "grav": grav, "ns": ns}


def zip_folder(folder: Path, zpath: Path, prefix: str) -> Path:
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(prefix + "/", "")
        for f in sorted(folder.iterdir()):
            z.write(f, f"{prefix}/{f.name}")
    return zpath


def _assert_valid(rec: Recording) -> None:
    assert isinstance(rec, Recording)
    assert rec.streams
    s = rec.streams[0]
    assert s.acc.ndim == 2 and s.acc.shape[1] == 3 and s.n_samples >= 1
    assert s.sample_rate_hz > 0


# ---------------------------------------------------------------------------------------------
# Real samples
# ---------------------------------------------------------------------------------------------

REAL = {
    # folder: (platform, device, schema version, duration s, gyro rate Hz)
    "android_v2_inpocket_walk_azyfen_Matan": ("android", "SM-N960F", 2, 30.64, 500.0),
    "android_v3_inhand_walk_azyfen_Zyf": ("android", "22041211AC", 3, 20.49, 103.6),
    "ios_v2_inhand_walk_azyfen_Ido": ("ios", "iPhone", 2, 17.43, 99.9),
    "ios_v3_inhand_walk_azyfen_Cxh": ("ios", "iPhone 12", 3, 20.63, 100.2),
}


def _first_ns(csv_path: Path) -> int:
    lines = csv_path.read_text().splitlines()[1:]
    return min(int(line.split(",", 1)[0]) for line in lines if line.strip())


@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(REAL))
def test_real_export(phone_exports: Path, name: str) -> None:
    folder = phone_exports / "sensor_logger" / name
    platform, device, version, duration, gyr_hz = REAL[name]
    reader, _ = detect(folder)
    assert reader.name == "sensor_logger"
    rec = load_path(folder)
    s = rec.streams[0]
    assert rec.source_format == "sensor_logger"
    assert rec.platform == platform and rec.device == device
    assert rec.meta["schema_version"] == version
    assert s.acc_kind == "total"
    assert "Gravity" in rec.meta["acc_source"]
    assert abs(at_rest_gravity(s.acc, s.sample_rate_hz) - 9.81) < 0.3
    meas = s.info["measured_rate_hz"]
    assert abs(s.sample_rate_hz - meas) / meas < 0.02
    assert abs(s.duration_s - duration) < 0.1
    assert s.gyr is not None and s.gyr.shape == s.acc.shape
    assert abs(s.info["gyr_measured_rate_hz"] - gyr_hz) / gyr_hz < 0.01
    assert rec.placements == ["unknown"]
    # start time: the first accelerometer sample's ns epoch, exactly (to the microsecond)
    ns = _first_ns(folder / "Accelerometer.csv")
    want = datetime.fromtimestamp(ns // 10**9, tz=UTC).replace(microsecond=(ns % 10**9) // 1000)
    assert rec.start_time_utc == want
    if version == 2:
        assert "month '00'" in rec.meta["recording_time_note"]


@pytest.mark.shared
@pytest.mark.parametrize("name", ["android_v3_inhand_walk_azyfen_Zyf",
                                  "ios_v3_inhand_walk_azyfen_Cxh"])
def test_real_face_up_sign(phone_exports: Path, name: str) -> None:
    """Both in-hand v3 phones were held face up: canonical z must be about +9.6 on both
    (raw gravity z is +9.63 on Android and -9.62 on iOS)."""
    rec = load_path(phone_exports / "sensor_logger" / name)
    mean = np.nanmean(rec.streams[0].acc, axis=0)
    assert 9.0 < mean[2] < 10.2
    assert mean[1] > 1.0  # top of the phone tilted up, on both platforms


@pytest.mark.shared
def test_real_single_csv_reads_whole_export(phone_exports: Path) -> None:
    folder = phone_exports / "sensor_logger" / "android_v2_inpocket_walk_azyfen_Matan"
    rec = load_path(folder / "Gyroscope.csv")
    assert rec.source_format == "sensor_logger"
    assert any(p.endswith("Accelerometer.csv") for p in rec.sources)
    assert rec.streams[0].n_samples == load_path(folder).streams[0].n_samples


@pytest.mark.shared
def test_real_v2_android_gyro_500hz_merged(phone_exports: Path) -> None:
    rec = load_path(phone_exports / "sensor_logger" / "android_v2_inpocket_walk_azyfen_Matan")
    s = rec.streams[0]
    assert s.sample_rate_hz == 100.0
    # the gyro starts 0.25 s after the accelerometer: NaN there, then values
    first = int(np.argmax(np.isfinite(s.gyr[:, 0])))
    assert 20 <= first <= 30
    assert np.isfinite(s.gyr[first:-5]).all()


@pytest.mark.shared
def test_real_parent_folder_with_several_exports_is_refused(phone_exports: Path) -> None:
    with pytest.raises(GaitInputError, match="4 Sensor Logger recordings"):
        load_path(phone_exports / "sensor_logger")


@pytest.mark.shared
def test_real_export_zipped_with_study_prefix(phone_exports: Path, tmp_path: Path) -> None:
    src = phone_exports / "sensor_logger" / "ios_v3_inhand_walk_azyfen_Cxh"
    z = tmp_path / "export.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in sorted(src.iterdir()):
            zf.write(f, f"{STUDY_FOLDER}/{f.name}")
        zf.writestr(f"{STUDY_FOLDER}/Annotation.csv", b"")
    a = load_path(z)
    b = load_path(src)
    np.testing.assert_array_equal(a.streams[0].acc, b.streams[0].acc)


# ---------------------------------------------------------------------------------------------
# Synthetic exports
# ---------------------------------------------------------------------------------------------


def test_synthetic_zip_with_study_prefix_ios(tmp_path: Path) -> None:
    sig = write_export(tmp_path / "x", platform="ios")
    z = zip_folder(tmp_path / "x", tmp_path / "rec.zip", STUDY_FOLDER)
    reader, c = detect(z)
    assert reader.name == "sensor_logger" and c.is_zip
    rec = load_path(z)
    s = rec.streams[0]
    assert rec.platform == "ios" and rec.device == "Test Phone"
    assert rec.meta["export_folder"] == STUDY_FOLDER
    assert rec.meta["nominal_rates_hz"]["Accelerometer"] == 100.0
    assert s.sample_rate_hz == 100.0 and s.n_samples == 600
    # iOS signs inverted and gravity added: canonical total = lin + grav (Android frame)
    np.testing.assert_allclose(s.acc, sig["lin"] + sig["grav"], atol=1e-9)
    assert abs(at_rest_gravity(s.acc, s.sample_rate_hz) - 9.81) < 0.3
    assert rec.start_time_utc == datetime.fromtimestamp(T0 // 10**9, tz=UTC).replace(
        microsecond=(T0 % 10**9) // 1000)
    assert "interpolated" in rec.meta["acc_source"]
    assert not any("Annotation" in w for w in rec.warnings)


def test_android_v2_folder(tmp_path: Path) -> None:
    sig = write_export(tmp_path / "x", platform="android", version=2)
    rec = load_path(tmp_path / "x")
    np.testing.assert_allclose(rec.streams[0].acc, sig["lin"] + sig["grav"], atol=1e-9)
    assert rec.meta["schema_version"] == 2


def test_total_acceleration_preferred(tmp_path: Path) -> None:
    sig = write_export(tmp_path / "x", platform="android", total=True)
    # spoil Gravity: if it were used the result would be wrong
    g = tmp_path / "x" / "Gravity.csv"
    g.write_text(g.read_text().replace("9.7312", "1.0"))
    rec = load_path(tmp_path / "x")
    assert rec.meta["acc_source"].startswith("TotalAcceleration")
    np.testing.assert_allclose(rec.streams[0].acc, sig["lin"] + sig["grav"], atol=1e-9)
    assert rec.streams[0].info["nominal_rate_hz"] == 100.0


def test_standardised_ios_is_not_flipped(tmp_path: Path) -> None:
    sig = write_export(tmp_path / "x", platform="ios", standardisation="true")
    rec = load_path(tmp_path / "x")
    np.testing.assert_allclose(rec.streams[0].acc, sig["lin"] + sig["grav"], atol=1e-9)
    assert rec.meta["standardisation"] is True


def test_linear_only_is_flagged(tmp_path: Path) -> None:
    sig = write_export(tmp_path / "x", platform="android", gravity=False)
    rec = load_path(tmp_path / "x")
    s = rec.streams[0]
    assert s.acc_kind == "linear"
    np.testing.assert_allclose(s.acc, sig["lin"], atol=1e-9)
    assert any("gravity" in w for w in rec.warnings)


def test_uncalibrated_ios_in_g(tmp_path: Path) -> None:
    sig = write_export(tmp_path / "x", platform="ios", gravity=False)
    (tmp_path / "x" / "Accelerometer.csv").unlink()
    ns = sig["ns"]
    tot_g = -(sig["lin"] + sig["grav"]) / G  # iOS: g, inverted
    (tmp_path / "x" / "AccelerometerUncalibrated.csv").write_text(
        _sensor_csv(ns, tot_g, 3, int(ns[0])))
    rec = load_path(tmp_path / "x")
    np.testing.assert_allclose(rec.streams[0].acc, sig["lin"] + sig["grav"], atol=1e-9)
    assert "g by its magnitude" in rec.meta["acc_source"]


def test_gyro_at_other_rate_and_later_start_shares_time_zero(tmp_path: Path) -> None:
    write_export(tmp_path / "x", platform="android", gyro_fs=500.0, gyro_delay_s=0.2, n=1000)
    rec = load_path(tmp_path / "x")
    s = rec.streams[0]
    assert s.sample_rate_hz == 100.0
    ok = np.isfinite(s.gyr[:, 2])
    assert not ok[:15].any() and ok[25:-5].all()
    _, _, want = _signals(s.time_s)
    np.testing.assert_allclose(s.gyr[ok][10:-10, 2], want[ok][10:-10, 2], atol=0.02)


def test_time_parsed_as_exact_int64(tmp_path: Path) -> None:
    ns = T0 + np.arange(5, dtype=np.int64) * 10_000_000 + np.array([0, 1, 0, 3, 0])
    p = tmp_path / "Accelerometer.csv"
    p.write_text(_sensor_csv(ns, np.zeros((5, 3)), 3, T0))
    sensor = _read_sensor(Container(p), p.name, [])
    assert sensor is not None and sensor.ns is not None
    assert sensor.ns.tolist() == ns.tolist()
    from gait.io.sensor_logger import _Meta

    rel = sensor.rel(T0, _Meta())
    np.testing.assert_allclose(rel, [0, 0.010000001, 0.02, 0.030000003, 0.04], rtol=0, atol=1e-15)


def test_lone_accelerometer_csv_without_metadata(tmp_path: Path) -> None:
    write_export(tmp_path / "x", platform="android", metadata=False)
    reader, _ = detect(tmp_path / "x" / "Accelerometer.csv")
    assert reader.name == "sensor_logger"
    rec = load_path(tmp_path / "x" / "Accelerometer.csv")
    assert rec.streams[0].acc_kind == "linear"


def test_folder_without_metadata(tmp_path: Path) -> None:
    sig = write_export(tmp_path / "x", platform="android", metadata=False)
    rec = load_path(tmp_path / "x")
    np.testing.assert_allclose(rec.streams[0].acc, sig["lin"] + sig["grav"], atol=1e-9)
    assert any("platform unknown" in w for w in rec.warnings)


def test_placement_option(tmp_path: Path) -> None:
    write_export(tmp_path / "x")
    rec = load_path(tmp_path / "x", ReadOptions(placement="lower_back"))
    assert rec.placements == ["lower_back"]


def test_sniff_rejects_foreign_files(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    a.write_text("time_s,ax,ay,az\n0,1,2,3\n0.01,1,2,3\n")
    b = tmp_path / "b.csv"
    b.write_bytes(bytes(range(256)) * 4)
    c = tmp_path / "c.csv"
    c.write_text("time,z,y,x\n0.01,1,2,3\n")  # seconds, not ns: not Sensor Logger
    d = tmp_path / "d"
    d.mkdir()
    (d / "Metadata.csv").write_text("something else\n")
    for p in (a, b, c, d):
        assert READER.sniff(Container(p)) is False


# ---------------------------------------------------------------------------------------------
# Malformed input
# ---------------------------------------------------------------------------------------------


def _err(path: Path) -> GaitInputError:
    with pytest.raises(GaitInputError) as ei:
        READER.read(Container(path), ReadOptions())
    return ei.value


def test_missing_column(tmp_path: Path) -> None:
    write_export(tmp_path / "x")
    a = tmp_path / "x" / "Accelerometer.csv"
    a.write_text(a.read_text().replace("time,seconds_elapsed,z,y,x", "time,seconds_elapsed,z,y,q"))
    e = _err(tmp_path / "x")
    assert "Accelerometer.csv" in str(e) and "line 1" in str(e) and "'x'" in str(e)


def test_text_in_numeric_column(tmp_path: Path) -> None:
    write_export(tmp_path / "x")
    a = tmp_path / "x" / "Gravity.csv"
    lines = a.read_text().splitlines()
    parts = lines[10].split(",")
    parts[3] = "abc"
    lines[10] = ",".join(parts)
    a.write_text("\n".join(lines) + "\n")
    e = _err(tmp_path / "x")
    assert "Gravity.csv" in str(e) and "line 11" in str(e) and "'abc'" in str(e)


def test_float_time_is_refused(tmp_path: Path) -> None:
    write_export(tmp_path / "x")
    a = tmp_path / "x" / "Accelerometer.csv"
    lines = a.read_text().splitlines()
    lines[5] = "1.7117954301e18" + lines[5][19:]
    a.write_text("\n".join(lines) + "\n")
    e = _err(tmp_path / "x")
    assert "line 6" in str(e) and "'time'" in str(e) and "integer nanoseconds" in str(e)


def test_time_not_ns_epoch(tmp_path: Path) -> None:
    write_export(tmp_path / "x")
    a = tmp_path / "x" / "Accelerometer.csv"
    lines = a.read_text().splitlines()
    lines[3] = "12345" + lines[3][19:]
    a.write_text("\n".join(lines) + "\n")
    e = _err(tmp_path / "x")
    assert "line 4" in str(e) and "nanoseconds since 1970" in str(e)


def test_time_outlier_far_away(tmp_path: Path) -> None:
    write_export(tmp_path / "x")
    a = tmp_path / "x" / "Accelerometer.csv"
    lines = a.read_text().splitlines()
    lines[7] = "2011795430105320701" + lines[7][19:]  # ten years later
    a.write_text("\n".join(lines) + "\n")
    e = _err(tmp_path / "x")
    assert "Accelerometer.csv" in str(e) and "line 8" in str(e)


def test_empty_accelerometer_file(tmp_path: Path) -> None:
    write_export(tmp_path / "x")
    (tmp_path / "x" / "Accelerometer.csv").write_bytes(b"")
    e = _err(tmp_path / "x")
    assert "Accelerometer.csv" in str(e) and "empty" in str(e)


def test_header_only_accelerometer(tmp_path: Path) -> None:
    write_export(tmp_path / "x")
    (tmp_path / "x" / "Accelerometer.csv").write_text("time,seconds_elapsed,z,y,x\n")
    e = _err(tmp_path / "x")
    assert "Accelerometer.csv" in str(e) and "line 2" in str(e)


def test_one_sample(tmp_path: Path) -> None:
    write_export(tmp_path / "x", n=1, gyro=False)
    e = _err(tmp_path / "x")
    assert "Accelerometer.csv" in str(e) and "sample" in str(e)


def test_truncated_zip(tmp_path: Path) -> None:
    write_export(tmp_path / "x")
    z = zip_folder(tmp_path / "x", tmp_path / "rec.zip", STUDY_FOLDER)
    data = z.read_bytes()
    z.write_bytes(data[: len(data) // 2])
    with pytest.raises(GaitInputError) as ei:
        load_path(z)
    assert "rec.zip" in str(ei.value)


def test_cut_last_line_is_dropped_with_warning(tmp_path: Path) -> None:
    write_export(tmp_path / "x")
    a = tmp_path / "x" / "Accelerometer.csv"
    text = a.read_text().rstrip("\n")
    a.write_text(text[: text.rfind(",")])  # last row loses its last field, no final newline
    rec = load_path(tmp_path / "x")
    assert any("incomplete" in w for w in rec.warnings)


def test_missing_accelerometer(tmp_path: Path) -> None:
    write_export(tmp_path / "x")
    (tmp_path / "x" / "Accelerometer.csv").unlink()
    e = _err(tmp_path / "x")
    assert "accelerometer" in str(e).lower()


# ---------------------------------------------------------------------------------------------
# Property tests: mangled input gives a Recording or a GaitInputError, nothing else
# ---------------------------------------------------------------------------------------------

_BASE = Path(tempfile.mkdtemp(prefix="gait_sl_base_"))
write_export(_BASE / "exp", platform="ios", n=120, gyro_fs=500.0)
_FILES = {p.name: p.read_bytes() for p in (_BASE / "exp").iterdir()}
shutil.rmtree(_BASE, ignore_errors=True)

_JUNK = st.one_of(st.binary(max_size=12), st.sampled_from(
    [b"", b"NaN", b"abc", b"-1", b"1e400", b"\xff\xfe", b"1,2", b'"', b"9" * 25, b"-"]))


def _mangle(data: bytes, how: str, rnd: random.Random, junk: bytes) -> bytes:
    lines = data.split(b"\n")
    if how == "truncate":
        return data[: rnd.randrange(len(data) + 1)]
    if how == "cells":
        for _ in range(rnd.randrange(1, 4)):
            i = rnd.randrange(len(lines))
            cells = lines[i].split(b",")
            cells[rnd.randrange(len(cells))] = junk
            lines[i] = b",".join(cells)
        return b"\n".join(lines)
    if how == "shuffle":
        body = lines[1:]
        rnd.shuffle(body)
        return b"\n".join([lines[0], *body])
    if how == "header":
        h = bytearray(lines[0])
        for _ in range(rnd.randrange(1, 3)):
            if h:
                h[rnd.randrange(len(h))] = rnd.choice(b"xyzXt,_ \x00\xff")
        return b"\n".join([bytes(h), *lines[1:]])
    return data


def _check(path: Path) -> None:
    try:
        rec = READER.read(Container(path), ReadOptions())
    except GaitInputError as e:
        assert str(e)
        return
    _assert_valid(rec)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(["Accelerometer.csv", "Gravity.csv", "Gyroscope.csv",
                               "Metadata.csv"]),
       how=st.sampled_from(["truncate", "cells", "shuffle", "header"]),
       seed=st.integers(0, 2**32 - 1), junk=_JUNK, zipped=st.booleans())
def test_property_mangled_export(target: str, how: str, seed: int, junk: bytes,
                                 zipped: bool) -> None:
    rnd = random.Random(seed)
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d) / "exp"
        folder.mkdir()
        for name, data in _FILES.items():
            out = _mangle(data, how, rnd, junk) if name == target else data
            (folder / name).write_bytes(out)
        if zipped:
            z = zip_folder(folder, Path(d) / "e.zip", STUDY_FOLDER)
            if how == "truncate" and rnd.random() < 0.3:
                b = z.read_bytes()
                z.write_bytes(b[: rnd.randrange(len(b) + 1)])
            try:
                c = Container(z)
            except GaitInputError:
                return
            try:
                rec = READER.read(c, ReadOptions())
            except GaitInputError:
                return
            _assert_valid(rec)
        else:
            _check(folder)


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=400))
def test_property_random_bytes_as_lone_csv(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "Accelerometer.csv"
        p.write_bytes(b"time,seconds_elapsed,z,y,x\n" + data)
        assert READER.sniff(Container(p)) in (True, False)
        _check(p)
