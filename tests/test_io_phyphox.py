"""phyphox reader: real exports (../shared), synthetic variants, malformed and mangled input."""

from __future__ import annotations

import random
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
from gait.io.phyphox import READER
from gait.recording import G, Recording

from .helpers import walk_like

ACC_HDR = ('"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)",'
           '"Acceleration z (m/s^2)","Absolute acceleration (m/s^2)"')
LIN_HDR = ('"Time (s)","Linear Acceleration x (m/s^2)","Linear Acceleration y (m/s^2)",'
           '"Linear Acceleration z (m/s^2)","Absolute acceleration (m/s^2)"')
GYR_HDR = ('"Time (s)","Gyroscope x (rad/s)","Gyroscope y (rad/s)","Gyroscope z (rad/s)",'
           '"Absolute (rad/s)"')
SYS_T0 = 1739381134.172472

# ---------------------------------------------------------------------------------------------
# synthetic exports in the documented layout
# ---------------------------------------------------------------------------------------------


def _num(v: float, decimal_comma: bool) -> str:
    s = f"{v:.9E}".replace("E+0", "E").replace("E-0", "E-").replace("E+", "E")
    return s.replace(".", ",") if decimal_comma else s


def data_csv(header: str, t: np.ndarray, xyz: np.ndarray, *, delim: str = ",",
             decimal_comma: bool = False, absolute: bool = True, final_newline: bool = True,
             pad: int = 0, pad_token: str = "NaN") -> str:
    """A phyphox data CSV (quoted header, unquoted E-notation numbers)."""
    hdr = header.replace('","', f'"{delim}"')
    cols = [t, xyz[:, 0], xyz[:, 1], xyz[:, 2]]
    if absolute:
        cols.append(np.linalg.norm(xyz, axis=1))
    if not absolute:
        hdr = delim.join(hdr.split(delim)[:4])
    rows = [delim.join(_num(v, decimal_comma) for v in r) for r in zip(*cols, strict=True)]
    # Short columns: the last `pad` rows have a time but no values (as when sensors differ).
    for k in range(1, pad + 1):
        parts = rows[-k].split(delim)
        rows[-k] = delim.join([pad_token] + [pad_token] * (len(parts) - 1))
    text = "\n".join([hdr, *rows])
    return text + ("\n" if final_newline else "")


def device_csv(brand: str = "samsung", model: str = "SM-G780G", version: str = "1.1.12") -> str:
    rows = [("version", version), ("build", "1011208"), ("fileFormat", "1.16"),
            ("deviceModel", model), ("deviceBrand", brand), ("deviceRelease", "13"),
            ("accelerometer Name", "LSM6DSO Accelerometer"), ("accelerometer MinDelay", "2404")]
    return "\n".join(['"property","value"'] + [f'"{k}","{v}"' for k, v in rows]) + "\n"


def time_csv(segments: list[tuple[float, float, float]], sys0: float = SYS_T0) -> str:
    """segments: (experiment start, experiment end, real start offset) per START..PAUSE."""
    lines = ['"event","experiment time","system time","system time text"']
    for e0, e1, r0 in segments:
        lines.append(f'"START",{e0:.15E},{sys0 + r0:.15E},"x UTC+02:00"')
        lines.append(f'"PAUSE",{e1:.15E},{sys0 + r0 + (e1 - e0):.15E},"x UTC+02:00"')
    return "\n".join(lines) + "\n"


def write_folder(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        p = folder / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return folder


def write_zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return path


def synth(n: int = 1500, fs: float = 100.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray,
                                                                     np.ndarray]:
    acc, gyr = walk_like(n, fs, seed)
    acc[: int(2 * fs)] = [0.0, 9.81, 0.0]  # two still seconds
    t = 0.0081 + np.arange(n) / fs
    return t, acc, gyr


def read(path: Path) -> Recording:
    return READER.read(Container(path), ReadOptions())


# ---------------------------------------------------------------------------------------------
# real exports
# ---------------------------------------------------------------------------------------------


def _check_rate(rec: Recording) -> None:
    s = rec.streams[0]
    meas = s.info["measured_rate_hz"]
    assert abs(s.sample_rate_hz - meas) / meas < 0.02


@pytest.mark.shared
def test_real_android_zip(phone_exports: Path) -> None:
    p = (phone_exports / "phyphox/android_zip_acc_with_g_ckenz0"
         / "Acelerao com g 2023-09-25 17-36-23.zip")
    reader, _ = detect(p)
    assert reader.name == "phyphox"
    rec = load_path(p)
    s = rec.streams[0]
    assert rec.source_format == "phyphox" and rec.app == "phyphox"
    assert rec.platform == "android" and rec.device == "SM-G780G"
    assert rec.meta["app_version"] == "1.1.12" and rec.meta["file_format"] == "1.16"
    assert s.acc_kind == "total" and not s.has_gyr
    assert abs(at_rest_gravity(s.acc, s.sample_rate_hz) - 9.81) < 0.3
    assert s.acc[:, 2].mean() > 9.0  # lying face up: +z, Android sign
    _check_rate(rec)
    assert 405 < s.info["measured_rate_hz"] < 420
    assert abs(s.duration_s - 18.23) < 0.1
    # START at 1695674132.382 (Unix s), first sample 0.0335 s later
    assert rec.start_time_utc is not None and rec.start_time_utc.tzinfo is not None
    assert abs(rec.start_time_utc.timestamp() - (1695674132.382 + 0.03352)) < 0.01
    assert "pauses" not in rec.meta and not rec.warnings


@pytest.mark.shared
def test_real_ios_linear_folder(phone_exports: Path) -> None:
    folder = phone_exports / "phyphox/ios_walk_linear_sannatikk"
    for p in (folder, folder / "Linear Accelerometer.csv"):  # a member reads the whole export
        reader, c = detect(p)
        assert reader.name == "phyphox" and c.path == folder
        rec = load_path(p)
        s = rec.streams[0]
        assert rec.platform == "ios" and rec.device == "iPhone14,2"
        assert rec.meta["app_version"] == "1.1.16"
        assert s.acc_kind == "linear"
        assert any("without gravity" in w for w in rec.warnings)
        assert at_rest_gravity(s.acc, s.sample_rate_hz) < 4.5
        _check_rate(rec)
        assert s.sample_rate_hz == 100.0
        assert abs(s.duration_s - 282.47) < 0.1
        assert rec.start_time_utc == datetime.fromtimestamp(SYS_T0 + 0.008126, tz=UTC)
        assert len(rec.sources) == 3


@pytest.mark.shared
def test_real_simple_acc_gyro(phone_exports: Path) -> None:
    folder = phone_exports / "phyphox/acc_gyro_simple_lucadomene"
    reader, _ = detect(folder)
    assert reader.name == "phyphox"
    rec = load_path(folder)
    s = rec.streams[0]
    assert s.acc_kind == "total" and s.has_gyr
    assert rec.platform is None and rec.start_time_utc is None
    assert s.sample_rate_hz == 50.0
    _check_rate(rec)
    assert abs(s.duration_s - 48.0) < 0.1
    assert abs(at_rest_gravity(s.acc, s.sample_rate_hz) - 9.81) < 0.3
    assert np.nanmedian(s.acc[:, 0]) > 8.0  # the phone's x axis points up (PROVENANCE)
    assert np.isfinite(s.gyr).mean() > 0.99
    assert {Path(x).name for x in rec.sources} == {"Accelerometer.csv", "Gyroscope.csv"}
    # the gyroscope in the stream matches the file at the file's times
    raw = np.loadtxt(folder / "Gyroscope.csv", delimiter=",", skiprows=1)
    k = 500
    t_grid = s.start_s + k / s.sample_rate_hz + 0.0028105
    ref = np.interp(t_grid, raw[:, 0], raw[:, 1])
    assert abs(s.gyr[k, 0] - ref) < 0.05


# ---------------------------------------------------------------------------------------------
# synthetic variants
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("delim", "comma"), [(";", True), ("\t", False), ("\t", True),
                                              (";", False), (",", False)])
def test_delimiters_and_decimal_comma(tmp_path: Path, delim: str, comma: bool) -> None:
    t, acc, _ = synth()
    f = tmp_path / "Raw Data.csv"
    f.write_text(data_csv(ACC_HDR, t, acc, delim=delim, decimal_comma=comma))
    reader, _ = detect(f)
    assert reader.name == "phyphox"
    rec = load_path(f)
    s = rec.streams[0]
    assert rec.meta["delimiter"] == delim and rec.meta["decimal_comma"] is comma
    assert s.acc_kind == "total" and s.sample_rate_hz == 100.0
    assert np.allclose(s.acc, acc, atol=1e-6)
    assert rec.platform is None


def test_zip_with_meta_and_gyro_raw_data_merged(tmp_path: Path) -> None:
    """A custom experiment: acceleration and gyroscope columns in one Raw Data.csv."""
    t, acc, gyr = synth()
    hdr = ('"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)",'
           '"Acceleration z (m/s^2)","Gyroscope x (rad/s)","Gyroscope y (rad/s)",'
           '"Gyroscope z (rad/s)"')
    rows = [",".join(_num(v, False) for v in r) for r in np.column_stack([t, acc, gyr])]
    z = write_zip(tmp_path / "Custom 2025-02-12 19-25-34.zip", {
        "Raw Data.csv": "\n".join([hdr, *rows]) + "\n",
        "meta/device.csv": device_csv(), "meta/time.csv": time_csv([(0.0, 15.1, 0.0)])})
    rec = load_path(z)
    s = rec.streams[0]
    assert s.has_gyr and np.allclose(s.gyr, gyr, atol=1e-6)
    assert rec.platform == "android"
    assert rec.start_time_utc == datetime.fromtimestamp(SYS_T0 + 0.0081, tz=UTC)


def test_gyroscope_only_raw_data_is_refused(tmp_path: Path) -> None:
    t, _, gyr = synth()
    folder = write_folder(tmp_path / "gyro", {"Raw Data.csv": data_csv(GYR_HDR, t, gyr),
                                              "meta/device.csv": device_csv(),
                                              "meta/time.csv": time_csv([(0, 15, 0)])})
    assert detect(folder)[0].name == "phyphox"
    with pytest.raises(GaitInputError, match=r"Raw Data\.csv: line 1 \(header\): no accel"):
        load_path(folder)


def test_simple_experiment_folder_merges_gyro_at_other_times(tmp_path: Path) -> None:
    t, acc, _ = synth(2400, 50.0)
    tg = t + 0.0025
    _, _, gyr = synth(2400, 50.0, seed=1)
    folder = write_folder(tmp_path / "simple", {
        "Accelerometer.csv": data_csv('"Time (s)","X (m/s^2)","Y (m/s^2)","Z (m/s^2)"', t, acc,
                                      absolute=False, final_newline=False),
        "Gyroscope.csv": data_csv('"Time (s)","X (rad/s)","Y (rad/s)","Z (rad/s)"', tg, gyr,
                                  absolute=False, final_newline=False),
        "Magnetometer.csv": data_csv('"Time (s)","X (µT)","Y (µT)","Z (µT)"', t, acc,
                                     absolute=False),
        "meta/device.csv": device_csv("Apple", "iPhone15,3", "1.1.13"),
        "meta/time.csv": time_csv([(0, 48.1, 0)])})
    rec = load_path(folder)
    s = rec.streams[0]
    assert rec.platform == "ios" and rec.device == "iPhone15,3"
    assert s.sample_rate_hz == 50.0 and s.has_gyr and s.acc_kind == "total"
    # iOS: phyphox used 9.81, the reader rescales to 9.80665
    assert np.allclose(s.acc[300:400], acc[300:400] * G / 9.81, atol=1e-6)
    assert "ios_g_rescaled" in rec.meta
    inner = slice(10, -10)
    ref = np.column_stack([np.interp(t[inner] - t[0], tg - t[0], gyr[:, j]) for j in range(3)])
    assert np.allclose(s.gyr[inner], ref, atol=1e-6)
    assert not any("Magnetometer" in x for x in rec.sources)


def test_linear_header_and_padding(tmp_path: Path) -> None:
    t, acc, _ = synth()
    lin = acc - [0.0, 9.81, 0.0]
    f = tmp_path / "Raw Data.csv"
    f.write_text(data_csv(LIN_HDR, t, lin, pad=30, pad_token="NaN"))
    rec = load_path(f)
    s = rec.streams[0]
    assert s.acc_kind == "linear"
    assert any("without gravity" in w for w in rec.warnings)
    assert abs(s.duration_s - (len(t) - 30) / 100.0) < 0.02  # padded rows carry no time
    # iOS pads with "" and has no final newline
    f.write_text(data_csv(LIN_HDR, t, lin, pad=30, pad_token="", final_newline=False))
    s2 = load_path(f).streams[0]
    assert s2.n_samples == s.n_samples


def test_padding_values_only(tmp_path: Path) -> None:
    """Times present, values missing at the end: NaN values, reported as a trailing gap."""
    t, acc, _ = synth()
    acc[-50:] = np.nan
    f = tmp_path / "Raw Data.csv"
    f.write_text(data_csv(ACC_HDR, t, acc).replace("NAN", "NaN"))
    s = load_path(f).streams[0]
    assert np.isnan(s.acc[-40:]).all() and np.isfinite(s.acc[:1400]).all()


def test_linear_plus_gravity_gives_total(tmp_path: Path) -> None:
    t, acc, _ = synth()
    grav = np.tile([0.0, 9.81, 0.0], (len(t), 1))
    hdr = ('"Time (s)","Linear Acceleration x (m/s^2)","Linear Acceleration y (m/s^2)",'
           '"Linear Acceleration z (m/s^2)","Gravity x (m/s^2)","Gravity y (m/s^2)",'
           '"Gravity z (m/s^2)"')
    rows = [",".join(_num(v, False) for v in r) for r in np.column_stack([t, acc - grav, grav])]
    f = tmp_path / "Raw Data.csv"
    f.write_text("\n".join([hdr, *rows]) + "\n")
    rec = load_path(f)
    assert rec.streams[0].acc_kind == "total" and "gravity_added" in rec.meta
    assert np.allclose(rec.streams[0].acc, acc, atol=1e-6)


def test_pauses_become_gaps(tmp_path: Path) -> None:
    """Experiment time stops during a pause; real time does not: the pause is a NaN gap."""
    t, acc, _ = synth(2000)
    t = np.arange(2000) / 100.0 + 0.01  # experiment time 0.01 .. 20.0, contiguous
    folder = write_folder(tmp_path / "paused", {
        "Raw Data.csv": data_csv(ACC_HDR, t, acc),
        "meta/device.csv": device_csv(),
        # run 0-10 s, pause 5 s of real time, run 10-20 s
        "meta/time.csv": time_csv([(0.0, 10.0, 0.0), (10.0, 20.1, 15.0)])})
    rec = load_path(folder)
    s = rec.streams[0]
    assert rec.meta["pauses"] == [{"experiment_time_s": 10.0, "duration_s": 5.0}]
    assert any("paused 1 time" in w for w in rec.warnings)
    assert abs(s.duration_s - 25.0) < 0.05
    assert len(s.gaps) == 1 and abs(s.gaps[0].end_s - s.gaps[0].start_s - 5.0) < 0.05
    assert np.allclose(s.acc[: 900], acc[: 900], atol=1e-6)


def test_sniff_rejects_foreign_files(tmp_path: Path) -> None:
    (tmp_path / "ptb.csv").write_text("time,gFx,gFy,gFz\n0.1,0,0,1\n0.2,0,0,1\n")
    (tmp_path / "sl.csv").write_text("time,seconds_elapsed,z,y,x\n1,0.1,1,2,3\n")
    (tmp_path / "bin.csv").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "plain.csv").write_text("Time (s),a,b\n1,2,3\n")
    for name in ("ptb.csv", "sl.csv", "bin.csv", "plain.csv"):
        assert READER.sniff(Container(tmp_path / name)) is False
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "notes.txt").write_text("hello")
    assert READER.sniff(Container(tmp_path / "folder")) is False


def test_time_csv_damaged_is_a_warning(tmp_path: Path) -> None:
    t, acc, _ = synth()
    folder = write_folder(tmp_path / "x", {"Raw Data.csv": data_csv(ACC_HDR, t, acc),
                                           "meta/time.csv": '"event","foo"\n"START",1\n'})
    rec = load_path(folder)
    assert rec.start_time_utc is None
    assert any("time.csv" in w for w in rec.warnings)


# ---------------------------------------------------------------------------------------------
# malformed input: GaitInputError naming the file and the line/column
# ---------------------------------------------------------------------------------------------


def _bad(tmp_path: Path, text: str, match: str) -> None:
    f = tmp_path / "Raw Data.csv"
    f.write_text(text)
    with pytest.raises(GaitInputError, match=match) as ei:
        load_path(f)
    assert str(f) in str(ei.value)


def test_malformed_text_in_cell(tmp_path: Path) -> None:
    t, acc, _ = synth(50)
    lines = data_csv(ACC_HDR, t, acc).splitlines()
    lines[7] = lines[7].replace(lines[7].split(",")[2], "abc")
    _bad(tmp_path, "\n".join(lines) + "\n", r"line 8: text 'abc' in numeric column "
         r"'Acceleration y \(m/s\^2\)'")


def test_malformed_missing_axis(tmp_path: Path) -> None:
    hdr = '"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)"'
    _bad(tmp_path, hdr + "\n0.1,1,2\n0.2,1,2\n",
         r"line 1 \(header\): column 'Acceleration z \(m/s\^2\)' is missing")


def test_malformed_no_rows_and_one_sample(tmp_path: Path) -> None:
    _bad(tmp_path, ACC_HDR + "\n", r"line 2: no data rows")
    _bad(tmp_path, ACC_HDR + "\n1.0E-2,0,9.81,0,9.81\n", r"only 1 sample")


def test_torn_last_row_is_dropped_with_a_warning(tmp_path: Path) -> None:
    t, acc, _ = synth(50)
    text = data_csv(ACC_HDR, t, acc)
    cut = text.rfind(",", 0, len(text) - 30)
    f = tmp_path / "Raw Data.csv"
    f.write_text(text[:cut])
    rec = read(f)
    assert rec.streams[0].n_samples == 49  # line 51 (the 50th row) is torn
    assert any(f"{f}: line 51 is torn" in w and "rows before it are kept" in w
               for w in rec.warnings)


def test_short_row_inside_the_file_is_still_an_error(tmp_path: Path) -> None:
    t, acc, _ = synth(50)
    lines = data_csv(ACC_HDR, t, acc).splitlines()
    lines[20] = lines[20][: lines[20].rfind(",", 0, lines[20].rfind(","))]
    _bad(tmp_path, "\n".join(lines) + "\n", r"line 21: row has \d fields")


def test_simple_accelerometer_export_in_g_is_read_as_g(tmp_path: Path) -> None:
    """A phyphox "Accelerometer" export whose numbers are in g under a m/s^2 header (gravity
    ~1) is read as g with a warning, not as a gravity-free acceleration."""
    t, acc, _ = synth()
    hdr = '"Time (s)","X (m/s^2)","Y (m/s^2)","Z (m/s^2)"'
    f = tmp_path / "Accelerometer.csv"
    f.write_text(data_csv(hdr, t, acc / G, absolute=False))
    rec = load_path(f)
    s = rec.streams[0]
    assert s.acc_kind == "total"
    assert at_rest_gravity(s.acc, s.sample_rate_hz) == pytest.approx(9.81, abs=0.05)
    assert any("look like g; read as g" in w for w in rec.warnings)


def test_linear_acceleration_is_not_taken_for_g(tmp_path: Path) -> None:
    t, acc, _ = synth()
    hdr = '"Time (s)","X (m/s^2)","Y (m/s^2)","Z (m/s^2)"'
    f = tmp_path / "Linear Accelerometer.csv"
    lin = acc - [0.0, 9.81, 0.0]  # gravity-free: ~0 at rest, ~1-2 m/s^2 walking
    f.write_text(data_csv(hdr, t, lin, absolute=False))
    rec = load_path(f)
    assert rec.streams[0].acc_kind == "linear"
    assert not any("read as g" in w for w in rec.warnings)


def test_malformed_time_not_increasing(tmp_path: Path) -> None:
    _bad(tmp_path, ACC_HDR + "\n1,0,9.8,0,9.8\n1,0,9.8,0,9.8\n1,0,9.8,0,9.8\n",
         r"same time|only 1 sample")


def test_malformed_absurd_time(tmp_path: Path) -> None:
    t, acc, _ = synth(50)
    t[10] = 1e30
    _bad(tmp_path, data_csv(ACC_HDR, t, acc), r"time value 1e\+30 s lies .* away from the rest")


def test_truncated_zip(tmp_path: Path) -> None:
    t, acc, _ = synth()
    z = write_zip(tmp_path / "a.zip", {"Raw Data.csv": data_csv(ACC_HDR, t, acc),
                                       "meta/time.csv": time_csv([(0, 15, 0)])})
    data = z.read_bytes()
    z.write_bytes(data[: len(data) // 2])
    with pytest.raises(GaitInputError, match=r"a\.zip.*(zip|format)"):
        load_path(z)


@pytest.mark.parametrize("sys0", [1e12, -1e11, 1e300])
def test_time_csv_system_time_not_a_date(tmp_path: Path, sys0: float) -> None:
    t, acc, _ = synth(300)
    folder = write_folder(tmp_path / "x", {"Raw Data.csv": data_csv(ACC_HDR, t, acc),
                                           "meta/time.csv": time_csv([(0, 3.1, 0)], sys0=sys0)})
    with pytest.raises(GaitInputError, match=r"time\.csv: row 1, column 'system time': "
                       r"system time .* is not a date") as ei:
        load_path(folder)
    assert str(folder / "meta" / "time.csv") in str(ei.value)


_T300, _ACC300, _ = synth(300)
_DATA300 = data_csv(ACC_HDR, _T300, _ACC300)


@settings(max_examples=60, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_prop_time_csv_any_system_time(sys0: float) -> None:
    """Any number in time.csv's system time: a Recording or a GaitInputError, nothing else."""
    with tempfile.TemporaryDirectory() as d:
        time_text = ('"event","experiment time","system time"\n'
                     f'"START",0,{sys0!r}\n"PAUSE",3.1,{sys0!r}\n')
        folder = write_folder(Path(d), {"Raw Data.csv": _DATA300, "meta/time.csv": time_text})
        try:
            rec = load_path(folder)
        except GaitInputError as exc:
            assert "system time" in str(exc)
            return
        assert rec.streams


# ---------------------------------------------------------------------------------------------
# property tests: mangled input gives a Recording or a GaitInputError, nothing else
# ---------------------------------------------------------------------------------------------

_BASE_T, _BASE_ACC, _ = synth(300)
BASE = data_csv(ACC_HDR, _BASE_T, _BASE_ACC)


def _check(text: bytes, name: str = "Raw Data.csv") -> None:
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / name
        f.write_bytes(text)
        try:
            rec = read(f)
        except GaitInputError as exc:
            assert str(f) in str(exc) or d in str(exc)
            return
        assert isinstance(rec, Recording) and rec.streams
        s = rec.streams[0]
        assert s.acc.shape[1] == 3 and s.sample_rate_hz > 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(BASE)))
def test_prop_truncated(n: int) -> None:
    _check(BASE[:n].encode())


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 300), st.integers(0, 4),
                          st.text(min_size=0, max_size=8)), min_size=1, max_size=6))
def test_prop_random_cells(edits: list[tuple[int, int, str]]) -> None:
    lines = BASE.splitlines()
    for row, col, val in edits:
        i = 1 + row % (len(lines) - 1)
        parts = lines[i].split(",")
        parts[col % len(parts)] = val
        lines[i] = ",".join(parts)
    _check(("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"))


@settings(max_examples=40, deadline=None)
@given(st.randoms(use_true_random=False))
def test_prop_shuffled_rows(rnd: random.Random) -> None:
    lines = BASE.splitlines()
    body = lines[1:]
    rnd.shuffle(body)
    _check(("\n".join([lines[0], *body]) + "\n").encode())


@settings(max_examples=80, deadline=None)
@given(st.integers(0, len(ACC_HDR) - 1), st.binary(min_size=1, max_size=4))
def test_prop_header_damage(pos: int, junk: bytes) -> None:
    raw = BASE.encode()
    _check(raw[:pos] + junk + raw[pos + 1:])


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=0, max_size=400))
def test_prop_random_bytes_after_header(junk: bytes) -> None:
    _check(ACC_HDR.encode() + b"\n" + junk)


def test_header_kind_disagrees_with_magnitude(tmp_path: Path) -> None:
    t, acc, _ = synth()
    f = tmp_path / "Raw Data.csv"
    f.write_text(data_csv(ACC_HDR, t, acc - [0.0, 9.81, 0.0]))
    rec = load_path(f)
    assert rec.streams[0].acc_kind == "total"  # the documented header wins
    assert any("columns say total" in w for w in rec.warnings)


def test_placement_option(tmp_path: Path) -> None:
    t, acc, _ = synth()
    f = tmp_path / "Raw Data.csv"
    f.write_text(data_csv(ACC_HDR, t, acc))
    assert load_path(f).streams[0].placement == "unknown"
    assert load_path(f, ReadOptions(placement="lower_back")).streams[0].placement == "lower_back"
    with pytest.raises(GaitInputError, match="unknown placement"):
        READER.read(Container(f), ReadOptions(placement="elbow"))
