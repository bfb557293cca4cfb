"""MATLAB Mobile .mat logs: the two real samples, synthetic timetables, damaged files."""

from __future__ import annotations

import random
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gait.errors import GaitInputError
from gait.io import mat_v5, matio_loader
from gait.io import matlab_mobile as mm
from gait.io.base import Container, ReadOptions, at_rest_gravity
from gait.io.detect import detect, load_path
from gait.recording import Recording

# mat-io sets a pandas option on import, which pandas 3 answers with a deprecation warning.
pytestmark = pytest.mark.filterwarnings("ignore:The 'future.infer_string' option")

SAMPLES = {
    # file: (duration s per PROVENANCE, first Timestamp, main rate Hz)
    "sensorlog.mat": (230.0, "2023-06-08T14:37:31.210", 50.0),
    "sensorlog_20230608_134859.mat": (359.0, "2023-06-08T13:48:59.008", 25.0),
}
SUBDIR = "matlab_mobile/walk_fitness_tracker_prokopiou"


def _sample(phone_exports: Path, name: str) -> Path:
    p = phone_exports / SUBDIR / name
    if not p.is_file():
        pytest.skip(f"{p} not present")
    return p


def _timetable(n: int, fs: float, start: str = "2024-03-01 10:00:00", offset_ms: float = 0.0,
               values: np.ndarray | None = None) -> pd.DataFrame:
    idx = pd.date_range(start, periods=n, freq=pd.Timedelta(seconds=1 / fs))
    idx = idx + pd.Timedelta(milliseconds=offset_ms)
    idx.name = "Timestamp"
    v = values if values is not None else np.zeros((n, 3))
    return pd.DataFrame({"X": v[:, 0], "Y": v[:, 1], "Z": v[:, 2]}, index=idx)


def _write_log(path: Path, *, gyro: bool = True, compress: bool = True, n: int = 1000,
               fs: float = 50.0, extra: dict | None = None) -> Path:
    """A MATLAB-Mobile-like .mat (timetables written by mat-io's writer)."""
    from matio import save_to_mat

    t = np.arange(n) / fs
    acc = np.column_stack([0.3 * np.sin(2 * np.pi * 1.8 * t), 9.81 + np.sin(2 * np.pi * 1.8 * t),
                           0.2 * np.cos(2 * np.pi * 0.9 * t)])
    acc[: int(2 * fs)] = [0.0, 9.81, 0.0]  # 2 s at rest
    data = {"Acceleration": _timetable(n, fs, values=acc)}
    if gyro:
        g = np.column_stack([np.full(n, 1.0), np.sin(2 * np.pi * 0.9 * t), np.zeros(n)])
        data["AngularVelocity"] = _timetable(n, fs, offset_ms=7.0, values=g)
    data.update(extra or {})
    save_to_mat(str(path), data, version="v7", do_compression=compress)
    return path


def _read(path: Path) -> Recording:
    return mm.READER.read(Container(path), ReadOptions())


# ---------------------------------------------------------------------------------------------
# Real samples
# ---------------------------------------------------------------------------------------------


@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_real_sample_detected_and_loaded(phone_exports: Path, name: str) -> None:
    p = _sample(phone_exports, name)
    reader, _c = detect(p)
    assert reader.name == "matlab_mobile"
    rec = load_path(p)
    duration, first, _rate = SAMPLES[name]
    assert rec.source_format == "matlab_mobile"
    assert rec.app == "MATLAB Mobile"
    assert rec.platform is None and rec.device is None  # the file does not say
    assert rec.start_time_utc is None  # local clock times without a zone
    assert rec.meta["start_time_local"] == first
    assert rec.meta["time_zone"] is None
    assert set(rec.meta["variables"]) == {"Acceleration", "Position"}
    assert rec.sources == [str(p)]
    s = rec.streams[0]
    assert s.acc_kind == "total" and not s.has_gyr and s.placement == "unknown"
    assert abs(at_rest_gravity(s.acc, s.sample_rate_hz) - 9.81) < 0.3
    assert abs(s.sample_rate_hz - s.info["measured_rate_hz"]) / s.info["measured_rate_hz"] < 0.02
    assert abs(rec.duration_s - duration) < 2.0
    assert any("no AngularVelocity" in w for w in rec.warnings)


@pytest.mark.shared
def test_real_50hz_sample_on_50hz_grid(phone_exports: Path) -> None:
    rec = load_path(_sample(phone_exports, "sensorlog.mat"))
    assert rec.streams[0].sample_rate_hz == 50.0
    assert rec.meta["variables"]["Acceleration"]["rows"] == 11362


@pytest.mark.shared
def test_real_25hz_sample_reports_its_rate_change(phone_exports: Path) -> None:
    # This log runs at 50 Hz for its first and last seconds and at 25 Hz in between.
    rec = load_path(_sample(phone_exports, "sensorlog_20230608_134859.mat"))
    assert rec.meta["variables"]["Acceleration"]["rate_hz"] == pytest.approx(25.0, rel=0.02)
    assert "rate_change" in rec.meta
    assert any("sampling rate changed" in w and "25 Hz" in w for w in rec.warnings)


@pytest.mark.shared
def test_real_sample_in_zip_and_folder(phone_exports: Path, tmp_path: Path) -> None:
    p = _sample(phone_exports, "sensorlog.mat")
    z = tmp_path / "log.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(p, "MobileSensorData/sensorlog.mat")
    reader, _ = detect(z)
    assert reader.name == "matlab_mobile"
    rec = load_path(z)
    assert rec.streams[0].sample_rate_hz == 50.0
    assert rec.sources == [f"{z}!MobileSensorData/sensorlog.mat"]
    d = tmp_path / "folder"
    d.mkdir()
    shutil.copy(p, d / "x.mat")
    (d / "notes.txt").write_text("walk\n")
    assert detect(d)[0].name == "matlab_mobile"
    assert load_path(d).streams[0].n_samples == rec.streams[0].n_samples


@pytest.mark.shared
def test_folder_with_two_logs_is_ambiguous(phone_exports: Path) -> None:
    d = phone_exports / SUBDIR
    if not d.is_dir():
        pytest.skip(f"{d} not present")
    with pytest.raises(GaitInputError, match="2 MATLAB Mobile logs"):
        load_path(d)


@pytest.mark.shared
def test_real_sample_structure_check(phone_exports: Path) -> None:
    info = mat_v5.check_v5(_sample(phone_exports, "sensorlog.mat").read_bytes())
    assert info.variables == [("Acceleration", "timetable"), ("Position", "timetable")]
    assert info.all_compressed


@pytest.mark.shared
@pytest.mark.parametrize("frac", [0.0, 0.001, 0.3, 0.5, 0.999])
def test_truncated_real_file(phone_exports: Path, tmp_path: Path, frac: float) -> None:
    raw = _sample(phone_exports, "sensorlog.mat").read_bytes()
    n = max(128, int(len(raw) * frac)) if frac else 128
    if frac == 0.999:
        n = len(raw) - 10
    p = tmp_path / "cut.mat"
    p.write_bytes(raw[:n])
    with pytest.raises(GaitInputError) as ei:
        load_path(p)
    msg = str(ei.value)
    assert str(p) in msg and "byte" in msg and "MAT-file" in msg


@pytest.mark.shared
def test_header_only_fragment_is_not_claimed(phone_exports: Path, tmp_path: Path) -> None:
    raw = _sample(phone_exports, "sensorlog.mat").read_bytes()
    p = tmp_path / "frag.mat"
    p.write_bytes(raw[:100])  # shorter than a MAT header
    assert not mm.READER.sniff(Container(p))
    with pytest.raises(GaitInputError, match=str(p)):
        load_path(p)
    with pytest.raises(GaitInputError, match="byte 0"):
        _read(p)


@pytest.mark.shared
@pytest.mark.parametrize("seed", range(4))
def test_random_bytes_after_valid_header(phone_exports: Path, tmp_path: Path, seed: int) -> None:
    raw = _sample(phone_exports, "sensorlog.mat").read_bytes()
    rng = np.random.default_rng(seed)
    p = tmp_path / "junk.mat"
    p.write_bytes(raw[:128] + rng.integers(0, 256, 5000, dtype=np.uint8).tobytes())
    assert detect(p)[0].name == "matlab_mobile"
    with pytest.raises(GaitInputError, match=r"junk\.mat.*byte"):
        load_path(p)


@pytest.mark.shared
def test_flipped_byte_in_compressed_data(phone_exports: Path, tmp_path: Path) -> None:
    raw = bytearray(_sample(phone_exports, "sensorlog.mat").read_bytes())
    raw[50_000] ^= 0x10
    p = tmp_path / "flip.mat"
    p.write_bytes(bytes(raw))
    with pytest.raises(GaitInputError, match="compressed data"):
        load_path(p)


@pytest.mark.shared
def test_trailing_junk(phone_exports: Path, tmp_path: Path) -> None:
    raw = _sample(phone_exports, "sensorlog.mat").read_bytes()
    p = tmp_path / "tail.mat"
    p.write_bytes(raw + b"\x01\x02\x03")
    with pytest.raises(GaitInputError, match="stray bytes"):
        load_path(p)


# ---------------------------------------------------------------------------------------------
# Synthetic logs
# ---------------------------------------------------------------------------------------------


def test_gyro_merged_onto_acc_grid(tmp_path: Path) -> None:
    p = _write_log(tmp_path / "sensorlog_20240301_100000.mat")
    assert detect(p)[0].name == "matlab_mobile"
    rec = load_path(p)
    s = rec.streams[0]
    assert s.has_gyr and s.sample_rate_hz == 50.0 and s.n_samples == 1000
    assert rec.meta["start_time_local"] == "2024-03-01T10:00:00.000"
    # gyro X is 1 rad/s throughout; it starts 7 ms after the acc, so the first sample is NaN
    assert np.nanmedian(s.gyr[:, 0]) == pytest.approx(1.0)
    assert np.isfinite(s.gyr[5:, 0]).all()
    assert abs(at_rest_gravity(s.acc, s.sample_rate_hz) - 9.81) < 0.05
    assert s.acc[10, 1] == pytest.approx(9.81)  # kept as is: m/s^2, +9.81 on the up axis
    assert not any("AngularVelocity" in w for w in rec.warnings)
    assert rec.meta["units"]["AngularVelocity"] == "rad/s"


def test_uncompressed_log_loads_in_child_process(tmp_path: Path) -> None:
    p = _write_log(tmp_path / "plain.mat", compress=False, n=300)
    info = mat_v5.check_v5(p.read_bytes())
    assert not info.all_compressed
    rec = _read(p)
    assert rec.streams[0].has_gyr and rec.streams[0].n_samples == 300


def test_mat_without_sensor_timetables_names_variables(tmp_path: Path) -> None:
    import scipy.io as sio

    p = tmp_path / "results.mat"
    sio.savemat(p, {"stepCount": np.arange(5.0), "label": "walk"})
    assert detect(p)[0].name == "matlab_mobile"
    with pytest.raises(GaitInputError) as ei:
        load_path(p)
    msg = str(ei.value)
    assert str(p) in msg
    assert "stepCount (double)" in msg and "label (char)" in msg
    assert "Acceleration" in msg and "AngularVelocity" in msg


def test_angular_velocity_without_acceleration(tmp_path: Path) -> None:
    from matio import save_to_mat

    p = tmp_path / "gyro_only.mat"
    save_to_mat(str(p), {"AngularVelocity": _timetable(100, 50.0)}, version="v7")
    with pytest.raises(GaitInputError, match="AngularVelocity without Acceleration"):
        load_path(p)


def test_acceleration_as_plain_matrix(tmp_path: Path) -> None:
    import scipy.io as sio

    p = tmp_path / "matrix.mat"
    sio.savemat(p, {"Acceleration": np.zeros((100, 3))})
    with pytest.raises(GaitInputError, match=r"variable 'Acceleration'.*not a timetable"):
        load_path(p)


def test_acceleration_timetable_without_xyz(tmp_path: Path) -> None:
    from matio import save_to_mat

    df = _timetable(100, 50.0).rename(columns={"X": "ax"})
    p = tmp_path / "cols.mat"
    save_to_mat(str(p), {"Acceleration": df}, version="v7")
    with pytest.raises(GaitInputError, match="no column 'X'"):
        load_path(p)


def test_one_row(tmp_path: Path) -> None:
    from matio import save_to_mat

    p = tmp_path / "one.mat"
    save_to_mat(str(p), {"Acceleration": _timetable(1, 50.0)}, version="v7")
    with pytest.raises(GaitInputError, match="1 row"):
        load_path(p)


def test_v73_hdf5_log(tmp_path: Path) -> None:
    from matio import save_to_mat

    p = tmp_path / "v73.mat"
    save_to_mat(str(p), {"Acceleration": _timetable(200, 100.0, values=np.tile(
        [0.0, 0.0, 9.81], (200, 1)))}, version="v7.3")
    assert mat_v5.mat_version(p.read_bytes()[:128]) == 2
    rec = load_path(p)
    assert rec.streams[0].sample_rate_hz == 100.0


def test_corrupt_subsystem_in_uncompressed_file_does_not_crash(tmp_path: Path) -> None:
    # A flipped byte in the MCOS subsystem of an uncompressed file made mat-io allocate 12.8 GB
    # (found by fuzzing); it runs in a memory-limited child, so this is a clean error.
    p = _write_log(tmp_path / "plain.mat", compress=False, n=300)
    raw = bytearray(p.read_bytes())
    raw[len(raw) - (26152 - 12895)] = 0o146
    p.write_bytes(bytes(raw))
    try:
        rec = _read(p)
    except GaitInputError as exc:
        assert str(p) in str(exc)
    else:
        assert isinstance(rec, Recording)


def test_sniff_never_claims_or_fails_on_foreign_files(tmp_path: Path) -> None:
    csv = tmp_path / "a.csv"
    csv.write_text("time_s,ax,ay,az\n0,0,0,9.8\n")
    junk = tmp_path / "b.bin"
    junk.write_bytes(bytes(range(256)) * 3)
    empty = tmp_path / "c.mat"
    empty.write_bytes(b"")
    for p in (csv, junk, empty):
        assert not mm.READER.sniff(Container(p))
    d = tmp_path / "d"
    d.mkdir()
    import scipy.io as sio

    sio.savemat(d / "other.mat", {"x": np.arange(3.0)})
    assert not mm.READER.sniff(Container(d))  # a folder needs a MATLAB Mobile log in it


def test_zone_from_mat_io_warning() -> None:
    msg = ("MATLAB datetime was saved with timezone 'Europe/Athens'.NumPy datetime64 does not "
           "support time zones, so the timezone information will be lost.")
    assert matio_loader.zone_from_warnings([msg]) == "Europe/Athens"
    utc = "MATLAB datetime was saved with timezone '['UTC']'."
    assert matio_loader.zone_from_warnings([utc]) == "UTC"
    assert matio_loader.zone_from_warnings(["something else"]) is None


def test_checker_rejects_unknown_data_type(tmp_path: Path) -> None:
    # The crash mat-io has (an unknown type code indexes past its dtype table) must be caught.
    import scipy.io as sio

    p = tmp_path / "u.mat"
    sio.savemat(p, {"Acceleration": np.zeros((10, 3))}, do_compression=False)
    raw = bytearray(p.read_bytes())
    # the real-part tag follows flags (16), dims (16), name (8 + 16): type at 128+8+56
    pos = 128 + 8 + 16 + 16 + 8 + 16
    assert struct.unpack_from("<I", raw, pos)[0] == 9  # miDOUBLE
    raw[pos] = 95
    p.write_bytes(bytes(raw))
    with pytest.raises(GaitInputError, match="unknown data type code 95"):
        _read(p)


def test_checker_rejects_dims_that_do_not_match_data(tmp_path: Path) -> None:
    import scipy.io as sio

    p = tmp_path / "u.mat"
    sio.savemat(p, {"Acceleration": np.zeros((10, 3))}, do_compression=False)
    raw = bytearray(p.read_bytes())
    raw[128 + 8 + 16 + 8 + 4 + 3] = 0x7F  # second dimension -> huge
    p.write_bytes(bytes(raw))
    with pytest.raises(GaitInputError, match="dimensions say"):
        _read(p)


def test_inflate_detects_checksum_error() -> None:
    comp = bytearray(zlib.compress(b"x" * 1000))
    comp[-1] ^= 1
    with pytest.raises(mat_v5._Bad):
        mat_v5._inflate(bytes(comp), 0)


# ---------------------------------------------------------------------------------------------
# Property tests: mangled files give a Recording or a GaitInputError, nothing else
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compressed_log(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return _write_log(tmp_path_factory.mktemp("mm") / "c.mat", n=400).read_bytes()


@pytest.fixture(scope="module")
def plain_log(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return _write_log(tmp_path_factory.mktemp("mm") / "u.mat", n=200,
                      compress=False).read_bytes()


def _mangle(raw: bytes, seed: int, mode: int) -> bytes:
    rng = random.Random(seed)
    b = bytearray(raw)
    if mode == 0:  # flip a few bytes anywhere after the text header
        for _ in range(rng.randint(1, 6)):
            b[rng.randrange(116, len(b))] = rng.randrange(256)
    elif mode == 1:  # truncate
        b = b[: rng.randrange(0, len(b))]
    elif mode == 2:  # random bytes after a valid header
        b = b[:128] + bytes(rng.randrange(256) for _ in range(rng.randint(0, 2000)))
    elif mode == 3:  # damage the first array headers
        for _ in range(rng.randint(1, 3)):
            b[rng.randrange(116, min(len(b), 600))] = rng.randrange(256)
    else:  # insert bytes
        p = rng.randrange(128, len(b))
        b[p:p] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(b)


def _check_outcome(tmp_path: Path, data: bytes) -> None:
    p = tmp_path / "m.mat"
    p.write_bytes(data)
    try:
        mm.READER.sniff(Container(p))
        rec = _read(p)
    except GaitInputError as exc:
        assert str(p) in str(exc)
    else:
        assert isinstance(rec, Recording) and rec.streams[0].acc.shape[1] == 3


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), mode=st.integers(0, 4))
def test_mangled_compressed_log(tmp_path: Path, compressed_log: bytes, seed: int,
                                mode: int) -> None:
    _check_outcome(tmp_path, _mangle(compressed_log, seed, mode))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), mode=st.integers(0, 4))
def test_mangled_uncompressed_log(tmp_path: Path, plain_log: bytes, seed: int, mode: int,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Uncompressed arrays reach mat-io without a checksum: this exercises the structural check
    # and the child process (short timeout: some damage makes mat-io loop for minutes).
    monkeypatch.setattr(matio_loader, "ISOLATED_TIMEOUT_S", 5.0)
    _check_outcome(tmp_path, _mangle(plain_log, seed, mode))
