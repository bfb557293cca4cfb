"""SensorLog (iOS) reader: the real zip (../shared), synthetic CSVs, malformed input."""

from __future__ import annotations

import random
import tempfile
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gait.errors import GaitInputError
from gait.io.base import Container, ReadOptions, at_rest_gravity
from gait.io.detect import detect, load_path
from gait.io.sensorlog import READER
from gait.recording import G, Recording

REBOOT0 = 9130.260591916667
WALL0 = datetime(2025, 3, 11, 14, 44, 11, 899000, tzinfo=timezone(timedelta(hours=-4)))


def _signals(t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Android-frame linear acc, gravity (m/s^2) and gyro (rad/s)."""
    lin = np.column_stack([0.3 * np.sin(2 * np.pi * 0.9 * t), 1.5 * np.sin(2 * np.pi * 1.8 * t),
                           0.8 * np.cos(2 * np.pi * 1.8 * t)])
    grav = np.column_stack([np.zeros_like(t), 1.2 * np.ones_like(t), np.full_like(t, 9.7318)])
    gyr = np.column_stack([0.2 * np.sin(2 * np.pi * t), np.zeros_like(t),
                           0.5 * np.sin(2 * np.pi * 0.9 * t)])
    return lin, grav, gyr


def make_csv(*, n: int = 400, fs: float = 50.0, delim: str = ",", watch: bool = False,
             raw_acc: bool = True, motion_gravity: bool = True, gyro: bool = True,
             sentinel_rows: tuple[int, ...] = ()) -> tuple[str, dict[str, np.ndarray]]:
    """A SensorLog CSV (iOS signs, G) and the Android-frame signals it holds."""
    t = np.arange(n) / fs
    lin, grav, gyr = _signals(t)

    def u(name: str, unit: str) -> str:
        return name if watch else f"{name}({unit})"

    cols: list[tuple[str, list[str]]] = []
    wall = [(WALL0 + timedelta(seconds=float(x))).isoformat(timespec="milliseconds") for x in t]
    cols.append((u("loggingTime", "txt"), wall))
    cols.append((u("loggingSample", "N"), [str(i + 1) for i in range(n)]))
    cols.append((u("locationSpeed", "m/s"), ["-1"] * n))
    acc_ts = REBOOT0 + t
    if raw_acc:
        acc_g = -(lin + grav) / G
        ts = [repr(x) for x in acc_ts.tolist()]
        for i in sentinel_rows:
            ts[i] = "-1"
        cols.append((u("accelerometerTimestamp_sinceReboot", "s"), ts))
        for j, a in enumerate("XYZ"):
            cols.append((u(f"accelerometerAcceleration{a}", "G"),
                         [repr(x) for x in acc_g[:, j].tolist()]))
    if gyro:
        cols.append((u("gyroTimestamp_sinceReboot", "s"),
                     [repr(x) for x in (acc_ts - 0.01).tolist()]))
        _, _, gy_early = _signals(t - 0.01)
        for j, a in enumerate("XYZ"):
            cols.append((u(f"gyroRotation{a}", "rad/s"),
                         [repr(x) for x in gy_early[:, j].tolist()]))
    cols.append((u("motionTimestamp_sinceReboot", "s"), [repr(x) for x in acc_ts.tolist()]))
    for j, a in enumerate("XYZ"):
        cols.append((u(f"motionRotationRate{a}", "rad/s"), [repr(x) for x in gyr[:, j].tolist()]))
    for j, a in enumerate("XYZ"):
        cols.append((u(f"motionUserAcceleration{a}", "G"),
                     [repr(x) for x in (-lin[:, j] / G).tolist()]))
    if motion_gravity:
        for j, a in enumerate("XYZ"):
            cols.append((u(f"motionGravity{a}", "G"),
                         [repr(x) for x in (-grav[:, j] / G).tolist()]))
    cols.append((u("activity", "txt"), ["walking"] * n))
    cols.append((u("deviceID", "txt"), ["my_iOS_device"] * n))
    cols.append((u("label", "N"), ["0"] * n))
    lines = [delim.join(c[0] for c in cols)]
    lines += [delim.join(c[1][i] for c in cols) for i in range(n)]
    return "\n".join(lines) + "\n", {"t": t, "lin": lin, "grav": grav, "gyr": gyr}


def _assert_valid(rec: Recording) -> None:
    assert isinstance(rec, Recording) and rec.streams
    s = rec.streams[0]
    assert s.acc.ndim == 2 and s.acc.shape[1] == 3 and s.sample_rate_hz > 0


# ---------------------------------------------------------------------------------------------
# Real sample
# ---------------------------------------------------------------------------------------------


@pytest.mark.shared
def test_real_sensorlog_zip(phone_exports: Path) -> None:
    zips = sorted((phone_exports / "sensorlog" / "ios_walk_waterways").glob("*.zip"))
    assert zips
    z = zips[0]
    reader, c = detect(z)
    assert reader.name == "sensorlog" and c.is_zip
    rec = load_path(z)
    s = rec.streams[0]
    assert rec.source_format == "sensorlog" and rec.platform == "ios"
    assert rec.device == "my_iOS_device"
    assert s.acc_kind == "total" and s.gyr is not None
    assert abs(at_rest_gravity(s.acc, s.sample_rate_hz) - 9.81) < 0.3
    meas = s.info["measured_rate_hz"]
    assert abs(meas - 16.78) < 0.05
    assert abs(s.sample_rate_hz - meas) / meas < 0.02
    assert abs(s.duration_s - 689.9) < 1.0  # 11.5 min, 11,578 rows
    # phone upside down: raw accel Y about +1 G, i.e. about -9.8 m/s^2 in the Android frame
    assert np.nanmean(s.acc[:, 1]) < -9.0
    assert rec.start_time_utc is not None
    assert abs((rec.start_time_utc - datetime(2025, 3, 11, 18, 44, 11, 899000, tzinfo=UTC))
               .total_seconds()) < 0.1
    assert any("too slow for gait" in w for w in rec.warnings)
    assert rec.meta["n_columns"] == 82


# ---------------------------------------------------------------------------------------------
# Synthetic files
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("delim", [",", "|", ";"])
def test_bare_csv_delimiters(tmp_path: Path, delim: str) -> None:
    text, sig = make_csv(delim=delim)
    p = tmp_path / "2025-03-11_14_44_11_my_iOS_device.csv"
    p.write_text(text)
    reader, _ = detect(p)
    assert reader.name == "sensorlog"
    rec = load_path(p)
    s = rec.streams[0]
    assert s.sample_rate_hz == 50.0 and s.n_samples == 400
    np.testing.assert_allclose(s.acc, sig["lin"] + sig["grav"], atol=1e-9)
    ok = np.isfinite(s.gyr[:, 0])
    assert ok[:-1].all()  # the gyro ends 10 ms before the accelerometer
    np.testing.assert_allclose(s.gyr[ok], sig["gyr"][ok], atol=0.02)
    assert rec.meta["delimiter"] == delim
    assert rec.start_time_utc == WALL0.astimezone(UTC)
    assert not any("too slow" in w for w in rec.warnings)


def test_face_up_sign(tmp_path: Path) -> None:
    """iOS face up reads z = -1 G; canonical is +9.80665 m/s^2."""
    text, _ = make_csv()
    p = tmp_path / "a.csv"
    p.write_text(text)
    rec = load_path(p)
    assert abs(np.nanmean(rec.streams[0].acc[:, 2]) - 9.7318) < 0.01


def test_zip_with_one_csv(tmp_path: Path) -> None:
    text, sig = make_csv()
    z = tmp_path / "SensorLogFiles_my_iOS_device_250311_14-55-58.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("SensorLogFiles_x_2/", "")
        zf.writestr("SensorLogFiles_x_2/2025-03-11_14_44_11_my_iOS_device.csv", text)
    reader, _ = detect(z)
    assert reader.name == "sensorlog"
    np.testing.assert_allclose(load_path(z).streams[0].acc, sig["lin"] + sig["grav"], atol=1e-9)


def test_zip_with_two_csvs_is_refused(tmp_path: Path) -> None:
    text, _ = make_csv()
    z = tmp_path / "two.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.csv", text)
        zf.writestr("b.csv", text)
    with pytest.raises(GaitInputError, match="2 SensorLog recordings"):
        load_path(z)


def test_watchos_unitless_header(tmp_path: Path) -> None:
    text, sig = make_csv(watch=True)
    p = tmp_path / "watch.csv"
    p.write_text(text)
    reader, _ = detect(p)
    assert reader.name == "sensorlog"
    rec = load_path(p)
    assert "watchOS" in rec.meta["variant"]
    np.testing.assert_allclose(rec.streams[0].acc, sig["lin"] + sig["grav"], atol=1e-9)


def test_no_raw_accelerometer_uses_motion(tmp_path: Path) -> None:
    text, sig = make_csv(raw_acc=False, gyro=False)
    p = tmp_path / "a.csv"
    p.write_text(text)
    rec = load_path(p)
    s = rec.streams[0]
    assert s.acc_kind == "total" and "motionGravity" in rec.meta["acc_source"]
    np.testing.assert_allclose(s.acc, sig["lin"] + sig["grav"], atol=1e-9)
    assert "motionRotationRate" in rec.meta["gyr_source"]
    np.testing.assert_allclose(s.gyr, sig["gyr"], atol=1e-9)


def test_user_acceleration_only_is_linear(tmp_path: Path) -> None:
    text, sig = make_csv(raw_acc=False, motion_gravity=False)
    p = tmp_path / "a.csv"
    p.write_text(text)
    rec = load_path(p)
    assert rec.streams[0].acc_kind == "linear"
    np.testing.assert_allclose(rec.streams[0].acc, sig["lin"], atol=1e-9)
    assert any("gravity" in w for w in rec.warnings)


def test_sentinel_timestamps_dropped_but_minus_one_values_kept(tmp_path: Path) -> None:
    text, _ = make_csv(sentinel_rows=(10, 11, 12))
    lines = text.splitlines()
    # a valid -1 G reading in row 40 (z axis), which must stay a value
    hdr = lines[0].split(",")
    iz = hdr.index("accelerometerAccelerationZ(G)")
    cells = lines[41].split(",")
    cells[iz] = "-1"
    lines[41] = ",".join(cells)
    p = tmp_path / "a.csv"
    p.write_text("\n".join(lines) + "\n")
    rec = load_path(p)
    s = rec.streams[0]
    assert s.info["n_nan_time"] == 3
    assert np.isfinite(s.acc).all()  # 3 missing rows at 50 Hz: short, interpolated
    assert abs(s.acc[40, 2] - G) < 1e-9


def test_sentinel_9999_value_is_missing(tmp_path: Path) -> None:
    text, _ = make_csv()
    lines = text.splitlines()
    hdr = lines[0].split(",")
    ix = hdr.index("accelerometerAccelerationX(G)")
    cells = lines[101].split(",")
    cells[ix] = "-9999"
    lines[101] = ",".join(cells)
    p = tmp_path / "a.csv"
    p.write_text("\n".join(lines) + "\n")
    s = load_path(p).streams[0]
    assert np.abs(s.acc).max() < 100


def test_placement_option(tmp_path: Path) -> None:
    text, _ = make_csv()
    p = tmp_path / "a.csv"
    p.write_text(text)
    assert load_path(p, ReadOptions(placement="right_pocket")).placements == ["right_pocket"]


def test_sniff_rejects_foreign(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    a.write_text("time_s,ax,ay,az\n0,1,2,3\n")
    b = tmp_path / "b.bin"
    b.write_bytes(bytes(range(256)))
    for p in (a, b):
        assert READER.sniff(Container(p)) is False


# ---------------------------------------------------------------------------------------------
# Malformed input
# ---------------------------------------------------------------------------------------------


def _err(p: Path) -> GaitInputError:
    with pytest.raises(GaitInputError) as ei:
        READER.read(Container(p), ReadOptions())
    return ei.value


def test_missing_accelerometer_columns(tmp_path: Path) -> None:
    text, _ = make_csv(raw_acc=False, motion_gravity=False)
    text = text.replace("motionUserAcceleration", "motionUserAcc")
    p = tmp_path / "a.csv"
    p.write_text(text)
    e = _err(p)
    assert "a.csv" in str(e) and "line 1" in str(e) and "accelerometer" in str(e)


def test_text_in_acceleration(tmp_path: Path) -> None:
    text, _ = make_csv()
    lines = text.splitlines()
    hdr = lines[0].split(",")
    iy = hdr.index("accelerometerAccelerationY(G)")
    cells = lines[20].split(",")
    cells[iy] = "oops"
    lines[20] = ",".join(cells)
    p = tmp_path / "a.csv"
    p.write_text("\n".join(lines) + "\n")
    e = _err(p)
    assert "a.csv" in str(e) and "line 21" in str(e) and "accelerometerAccelerationY(G)" in str(e)


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("")
    with pytest.raises(GaitInputError, match="empty"):
        load_path(p)
    q = tmp_path / "b.csv"
    q.write_text(make_csv()[0].splitlines()[0] + "\n")
    e = _err(q)
    assert "b.csv" in str(e) and "line 2" in str(e)


def test_one_sample(tmp_path: Path) -> None:
    text, _ = make_csv(n=1)
    p = tmp_path / "a.csv"
    p.write_text(text)
    e = _err(p)
    assert "a.csv" in str(e) and "sample" in str(e)


def test_timestamp_outlier(tmp_path: Path) -> None:
    text, _ = make_csv()
    lines = text.splitlines()
    hdr = lines[0].split(",")
    it = hdr.index("accelerometerTimestamp_sinceReboot(s)")
    cells = lines[50].split(",")
    cells[it] = "91302600.5"
    lines[50] = ",".join(cells)
    p = tmp_path / "a.csv"
    p.write_text("\n".join(lines) + "\n")
    e = _err(p)
    assert "line 51" in str(e)


def test_cut_last_line_dropped(tmp_path: Path) -> None:
    text, _ = make_csv()
    p = tmp_path / "a.csv"
    p.write_text(text[: len(text) - 60])
    rec = load_path(p)
    assert any("incomplete" in w for w in rec.warnings)
    assert rec.streams[0].n_samples == 399


# ---------------------------------------------------------------------------------------------
# Property tests
# ---------------------------------------------------------------------------------------------

_BASE = make_csv(n=80)[0].encode()
_JUNK = st.one_of(st.binary(max_size=12), st.sampled_from(
    [b"", b"NaN", b"abc", b"-1", b"-9999", b"0", b"1e400", b"\xff", b'"', b"|", b"T"]))


def _mangle(data: bytes, how: str, rnd: random.Random, junk: bytes) -> bytes:
    lines = data.split(b"\n")
    if how == "truncate":
        return data[: rnd.randrange(len(data) + 1)]
    if how == "cells":
        for _ in range(rnd.randrange(1, 5)):
            i = rnd.randrange(len(lines))
            cells = lines[i].split(b",")
            cells[rnd.randrange(len(cells))] = junk
            lines[i] = b",".join(cells)
        return b"\n".join(lines)
    if how == "shuffle":
        body = lines[1:]
        rnd.shuffle(body)
        return b"\n".join([lines[0], *body])
    h = bytearray(lines[0])
    for _ in range(rnd.randrange(1, 4)):
        h[rnd.randrange(len(h))] = rnd.choice(b"()XYZ,|_ \x00\xffG")
    return b"\n".join([bytes(h), *lines[1:]])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(how=st.sampled_from(["truncate", "cells", "shuffle", "header"]),
       seed=st.integers(0, 2**32 - 1), junk=_JUNK, zipped=st.booleans())
@example(how="cells", seed=661976, junk=b"\r", zipped=False)  # a bare CR inside the header
def test_property_mangled(how: str, seed: int, junk: bytes, zipped: bool) -> None:
    rnd = random.Random(seed)
    data = _mangle(_BASE, how, rnd, junk)
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "a.csv"
        p.write_bytes(data)
        if zipped:
            z = Path(d) / "a.zip"
            with zipfile.ZipFile(z, "w") as zf:
                zf.writestr("x/a.csv", data)
            p = z
        try:
            c = Container(p)
            assert READER.sniff(c) in (True, False)
            rec = READER.read(c, ReadOptions())
        except GaitInputError as e:
            assert str(e)
            return
        _assert_valid(rec)
