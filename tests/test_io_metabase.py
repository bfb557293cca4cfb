"""MbientLab MetaBase CSV exports (synthetic files in the exact MetaBase layout)."""

from __future__ import annotations

import contextlib
import random
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gait.errors import GaitInputError
from gait.io import metabase as mb
from gait.io.base import Container, ReadOptions, at_rest_gravity
from gait.io.detect import detect, load_path
from gait.recording import G, Recording

E0 = 1659731173153  # 2022-08-05T15:26:13.153-05:00
PREFIX = "walk1_MetaWear_2022-08-05T15.26.10.877_C8A8C8F4B5E1"
FS = 100.0


def write_metabase(path: Path, t_ms: np.ndarray, xyz: np.ndarray, unit: str = "g",
                   zone: str = "-0500", first: str = "epoc (ms)", second: str = "timestamp",
                   crlf: bool = False) -> Path:
    """A MetaBase CSV: epoch ms, local time with dots, elapsed s, three axes (3 decimals)."""
    z = zone.removeprefix("GMT")
    sign = -1 if z.startswith("-") else 1
    digits = z.lstrip("+-").replace(":", "")
    tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))
    local = [datetime.fromtimestamp(t / 1000, tz).strftime("%Y-%m-%dT%H.%M.%S.%f")[:-3]
             for t in t_ms]
    head = (f"{first},{second} ({zone}),elapsed (s),x-axis ({unit}),y-axis ({unit}),"
            f"z-axis ({unit})")
    rows = [f"{int(t)},{lt},{(t - t_ms[0]) / 1000:.3f},{x:.3f},{y:.3f},{z:.3f}"
            for t, lt, (x, y, z) in zip(t_ms, local, xyz, strict=True)]
    nl = "\r\n" if crlf else "\n"
    path.write_text(nl.join([head, *rows]) + nl)
    return path


def session(n: int = int(20 * FS), seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """20 s at 100 Hz: 3 s at rest with +1 g on y, then a walking-like signal (g, deg/s)."""
    rng = np.random.default_rng(seed)
    t_ms = E0 + np.round(np.arange(n) * 1000 / FS + rng.integers(-1, 2, n) * 0.0)
    tt = np.arange(n) / FS
    acc = np.column_stack([0.05 * np.sin(2 * np.pi * 0.9 * tt), 1.0 + 0.2 * np.sin(
        2 * np.pi * 1.8 * tt), 0.1 * np.cos(2 * np.pi * 1.8 * tt)])
    acc[: int(3 * FS)] = [0.0, 1.0, 0.0]
    gyr = np.column_stack([np.full(n, 57.29578), 30 * np.sin(2 * np.pi * 0.9 * tt), np.zeros(n)])
    return t_ms, acc, gyr


def export(folder: Path, prefix: str = PREFIX, gyro: bool = True, t_shift_ms: float = 0.0,
           seed: int = 0) -> tuple[Path, Path | None]:
    folder.mkdir(parents=True, exist_ok=True)
    t, acc, gyr = session(seed=seed)
    a = write_metabase(folder / f"{prefix}_Accelerometer_1.4.5.csv", t + t_shift_ms, acc)
    g = None
    if gyro:
        g = write_metabase(folder / f"{prefix}_Gyroscope_1.4.5.csv", t + t_shift_ms + 4, gyr,
                           unit="deg/s")
    return a, g


def _read(p: Path) -> Recording:
    return mb.READER.read(Container(p), ReadOptions())


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def test_accelerometer_file_alone(tmp_path: Path) -> None:
    a, _ = export(tmp_path / "s", gyro=False)
    reader, _c = detect(a)
    assert reader.name == "metabase"
    rec = load_path(a)
    s = rec.streams[0]
    assert rec.source_format == "metabase" and rec.app == "MbientLab MetaBase"
    assert rec.platform is None and rec.device == "MbientLab MetaWear C8:A8:C8:F4:B5:E1"
    assert s.sample_rate_hz == 100.0
    assert abs(s.sample_rate_hz - s.info["measured_rate_hz"]) / s.info["measured_rate_hz"] < 0.02
    assert s.acc_kind == "total" and not s.has_gyr
    assert abs(at_rest_gravity(s.acc, s.sample_rate_hz) - 9.81) < 0.3
    # g -> m/s^2, axes kept: +1 g on y at rest becomes +9.80665 on y
    np.testing.assert_allclose(s.acc[50], [0.0, G, 0.0], atol=1e-9)
    assert rec.start_time_utc == datetime(2022, 8, 5, 20, 26, 13, 153000, tzinfo=UTC)
    assert rec.meta["start_time_local"] == "2022-08-05T15:26:13.153-05:00"
    assert rec.meta["utc_offset"] == "-05:00"
    assert rec.meta["firmware"] == "1.4.5"
    assert rec.meta["session"] == PREFIX
    assert rec.duration_s == pytest.approx(20.0, abs=0.02)
    assert any("no gyroscope file" in w for w in rec.warnings)


@pytest.mark.parametrize("how", ["acc_file", "folder", "gyro_file", "zip"])
def test_gyroscope_merged(tmp_path: Path, how: str) -> None:
    a, g = export(tmp_path / "s")
    assert g is not None
    if how == "zip":
        p = tmp_path / "export.zip"
        with zipfile.ZipFile(p, "w") as zf:
            zf.write(a, f"MetaBase/{a.name}")
            zf.write(g, f"MetaBase/{g.name}")
    else:
        p = {"acc_file": a, "folder": tmp_path / "s", "gyro_file": g}[how]
    assert detect(p)[0].name == "metabase"
    rec = load_path(p)
    s = rec.streams[0]
    assert s.has_gyr and s.sample_rate_hz == 100.0
    # 57.29578 deg/s on x -> 1 rad/s; the gyro starts 4 ms later, so row 0 may be NaN
    assert np.nanmedian(s.gyr[:, 0]) == pytest.approx(1.0, abs=1e-4)
    assert np.isfinite(s.gyr[1:, 0]).all()
    assert rec.meta["files"]["gyroscope"] == g.name
    assert len(rec.sources) == 2
    assert rec.start_time_utc == datetime(2022, 8, 5, 20, 26, 13, 153000, tzinfo=UTC)
    assert ("not an accelerometer file" in " ".join(rec.warnings)) == (how == "gyro_file")


def test_gyro_of_other_board_or_session_not_picked(tmp_path: Path) -> None:
    d = tmp_path / "s"
    a, _ = export(d, gyro=False)
    t, _acc, gyr = session()
    # same time, other board (MAC differs): not this session
    write_metabase(d / "walk1_MetaWear_2022-08-05T15.26.10.900_D1E8F5D2A3C4_Gyroscope_1.4.5.csv",
                   t, gyr, unit="deg/s")
    # same prefix, an hour later: not overlapping
    write_metabase(d / f"{PREFIX}_Gyroscope_1.4.5.csv", t + 3_600_000, gyr, unit="deg/s")
    rec = load_path(a)
    assert not rec.streams[0].has_gyr


def test_plain_file_names_paired_by_time(tmp_path: Path) -> None:
    d = tmp_path / "s"
    d.mkdir()
    t, acc, gyr = session()
    a = write_metabase(d / "acc.csv", t, acc)
    write_metabase(d / "gyr.csv", t + 2, gyr, unit="deg/s")
    write_metabase(d / "old_gyr.csv", t - 86_400_000, gyr, unit="deg/s")  # a day earlier
    rec = load_path(a)
    assert rec.streams[0].has_gyr
    assert rec.meta["files"]["gyroscope"] == "gyr.csv"


def test_packed_samples_sharing_a_millisecond(tmp_path: Path) -> None:
    # Two samples per Bluetooth packet stamped with the packet time: pairs of equal epochs.
    t, acc, _ = session()
    t_packed = t.copy()
    t_packed[1::2] = t_packed[0::2]
    a = write_metabase(tmp_path / "Accelerometer.csv", t_packed, acc)
    rec = load_path(a)
    s = rec.streams[0]
    assert s.sample_rate_hz == 100.0  # averaging the pairs would have given 50 Hz
    assert s.n_samples >= len(t) - 2
    assert any("spread evenly" in w for w in rec.warnings)


def test_spread_ties() -> None:
    t = np.array([0.0, 0.0, 20.0, 20.0, 40.0, 40.0])
    out, n = mb.spread_ties(t)
    assert n == 3
    np.testing.assert_allclose(out, [0, 10, 20, 30, 40, 50])
    # a tied pair before a long gap stays one sample interval apart, not half the gap
    t = np.array([0.0, 10.0, 20.0, 20.0, 5000.0, 5010.0])
    out, _ = mb.spread_ties(t)
    np.testing.assert_allclose(out[:4], [0, 10, 20, 30])
    assert mb.spread_ties(np.array([1.0, 2.0]))[1] == 0


def test_linear_plus_gravity_gives_total(tmp_path: Path) -> None:
    d = tmp_path / "fusion"
    d.mkdir()
    t, acc, _ = session()
    grav = np.tile([0.0, 1.0, 0.0], (len(t), 1))
    pre = "fus_MetaWear_2022-08-05T15.26.10.877_C8A8C8F4B5E1"
    lin = write_metabase(d / f"{pre}_Linear Acceleration_1.5.0.csv", t, acc - grav)
    write_metabase(d / f"{pre}_Gravity_1.5.0.csv", t, grav)
    for p in (lin, d):
        rec = load_path(p)
        s = rec.streams[0]
        assert s.acc_kind == "total"
        assert abs(at_rest_gravity(s.acc, s.sample_rate_hz) - 9.81) < 0.3
        assert "Gravity" in rec.meta["acc_source"]


def test_linear_only_is_flagged(tmp_path: Path) -> None:
    t, acc, _ = session()
    acc = acc - [0.0, 1.0, 0.0]
    p = write_metabase(tmp_path / "x_Linear Acceleration_1.5.0.csv", t, acc)
    rec = load_path(p)
    assert rec.streams[0].acc_kind == "linear"
    assert any("gravity" in w.lower() for w in rec.warnings)
    # without a sensor name, the content says it: |a| ~ 0 at rest
    p2 = write_metabase(tmp_path / "plain.csv", t + 10**7, acc)
    assert load_path(p2).streams[0].acc_kind == "linear"


def test_gravity_file_alone_is_refused(tmp_path: Path) -> None:
    t, _, _ = session()
    p = write_metabase(tmp_path / "x_Gravity_1.5.0.csv", t, np.tile([0.0, 1.0, 0.0], (len(t), 1)))
    with pytest.raises(GaitInputError, match="Gravity file"):
        load_path(p)


def test_variants_epoch_spelling_zone_and_crlf(tmp_path: Path) -> None:
    t, acc, _ = session()
    p = write_metabase(tmp_path / "a.csv", t, acc, first="epoch (ms)", second="time",
                       zone="+05:30", crlf=True)
    assert detect(p)[0].name == "metabase"
    rec = load_path(p)
    assert rec.meta["utc_offset"] == "+05:30"
    assert rec.meta["start_time_local"].endswith("+05:30")
    p2 = write_metabase(tmp_path / "b.csv", t, acc, second="timestamp", zone="GMT-05:00")
    assert load_path(p2).meta["utc_offset"] == "-05:00"


def test_two_sessions_in_a_folder_are_ambiguous(tmp_path: Path) -> None:
    d = tmp_path / "s"
    export(d)
    export(d, prefix="walk2_MetaWear_2022-08-05T16.00.00.000_C8A8C8F4B5E1", t_shift_ms=3e6)
    with pytest.raises(GaitInputError, match="2 MetaBase acceleration files"):
        load_path(d)
    # the file itself picks its own session
    rec = load_path(d / f"{PREFIX}_Accelerometer_1.4.5.csv")
    assert rec.meta["files"]["gyroscope"] == f"{PREFIX}_Gyroscope_1.4.5.csv"


def test_generic_csvs_are_not_claimed(tmp_path: Path) -> None:
    cases = {
        "generic.csv": "time_s,ax,ay,az\n0,0,0,9.8\n0.01,0,0,9.8\n",
        "epoch.csv": "epoch (ms),ax,ay,az\n1659731173153,0,0,1\n",
        "empty.csv": "",
        "bin.dat": "\x00\x01\x02",
    }
    for name, text in cases.items():
        p = tmp_path / name
        p.write_text(text)
        assert not mb.READER.sniff(Container(p)), name
    assert not mb.READER.sniff(Container(tmp_path))  # a folder without MetaBase files
    assert detect(tmp_path / "generic.csv")[0].name != "metabase"


# ---------------------------------------------------------------------------------------------
# Malformed input
# ---------------------------------------------------------------------------------------------


def _lines(tmp_path: Path) -> list[str]:
    t, acc, _ = session(n=300)
    (tmp_path / "src").mkdir(exist_ok=True)
    return write_metabase(tmp_path / "src" / "src.csv", t, acc).read_text().splitlines()


def _bad(tmp_path: Path, lines: list[str], name: str = "bad_Accelerometer.csv") -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n")
    return p


def test_missing_column(tmp_path: Path) -> None:
    lines = [",".join(x.split(",")[:5]) for x in _lines(tmp_path)]
    p = _bad(tmp_path, lines)
    with pytest.raises(GaitInputError, match=r"bad_Accelerometer\.csv: line 1 \(header\): "
                                             r"column 'z-axis \(g\)' is missing"):
        load_path(p)


def test_text_in_numeric_column(tmp_path: Path) -> None:
    lines = _lines(tmp_path)
    f = lines[42].split(",")
    f[4] = "abc"
    lines[42] = ",".join(f)
    p = _bad(tmp_path, lines)
    with pytest.raises(GaitInputError, match=r"line 43.*'abc'.*y-axis \(g\)"):
        load_path(p)


def test_header_only_and_one_row(tmp_path: Path) -> None:
    lines = _lines(tmp_path)
    with pytest.raises(GaitInputError, match=r"header_Accelerometer\.csv: line 2: only 0"):
        load_path(_bad(tmp_path, lines[:1], "header_Accelerometer.csv"))
    with pytest.raises(GaitInputError, match=r"one_Accelerometer\.csv: line 3: only 1"):
        load_path(_bad(tmp_path, lines[:2], "one_Accelerometer.csv"))


def test_epoch_in_seconds_is_refused(tmp_path: Path) -> None:
    lines = _lines(tmp_path)
    f = lines[1].split(",")
    f[0] = str(int(f[0]) / 1000)
    lines[1] = ",".join(f)
    with pytest.raises(GaitInputError, match=r"line 2, column 'epoc \(ms\)'.*not a Unix time"):
        load_path(_bad(tmp_path, lines))


def test_epoch_far_away_is_refused(tmp_path: Path) -> None:
    lines = _lines(tmp_path)
    f = lines[100].split(",")
    f[0] = str(int(f[0]) + 10 * 365 * 86_400_000)
    lines[100] = ",".join(f)
    with pytest.raises(GaitInputError, match=r"line 101, column 'epoc \(ms\)'"):
        load_path(_bad(tmp_path, lines))


def test_unknown_unit(tmp_path: Path) -> None:
    lines = _lines(tmp_path)
    lines[0] = lines[0].replace("(g)", "(furlong)")
    with pytest.raises(GaitInputError, match=r"line 1 \(header\): unit 'furlong'"):
        _read(_bad(tmp_path, lines))


def test_cut_last_line_is_dropped_with_warning(tmp_path: Path) -> None:
    text = "\n".join(_lines(tmp_path))
    p = tmp_path / "cut_Accelerometer.csv"
    p.write_text(text[: text.rfind(",") - 3])  # ends inside the last row, no newline
    rec = load_path(p)
    assert any("incomplete" in w for w in rec.warnings)


def test_truncated_zip(tmp_path: Path) -> None:
    a, g = export(tmp_path / "s")
    z = tmp_path / "e.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(a, a.name)
        zf.write(g, g.name)  # type: ignore[arg-type]
    raw = z.read_bytes()
    z.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(GaitInputError, match=r"e\.zip"):
        load_path(z)


def test_broken_gyro_sibling_only_warns(tmp_path: Path) -> None:
    a, g = export(tmp_path / "s")
    assert g is not None
    lines = g.read_text().splitlines()
    cells = lines[10].split(",")
    cells[3] = "oops"
    lines[10] = ",".join(cells)
    g.write_text("\n".join(lines) + "\n")
    rec = load_path(a)
    assert not rec.streams[0].has_gyr
    assert any("gyroscope file could not be read" in w and "line 11" in w for w in rec.warnings)


# ---------------------------------------------------------------------------------------------
# Property tests: mangled exports give a Recording or a GaitInputError, nothing else
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def source_lines(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    t, acc, _ = session(n=400, seed=3)
    p = write_metabase(tmp_path_factory.mktemp("mb") / "s.csv", t, acc)
    return p.read_text().splitlines()


def _mangle(lines: list[str], seed: int, mode: int) -> str:
    rng = random.Random(seed)
    head, rows = lines[0], list(lines[1:])
    if mode == 0:  # truncate anywhere
        text = "\n".join([head, *rows])
        return text[: rng.randrange(0, len(text))]
    if mode == 1:  # random characters in random cells
        for _ in range(rng.randint(1, 5)):
            i = rng.randrange(len(rows))
            cells = rows[i].split(",")
            j = rng.randrange(len(cells))
            cells[j] = "".join(rng.choice("0123456789.-eE+x ,;\"'nan") for _ in range(
                rng.randint(0, 8)))
            rows[i] = ",".join(cells)
    elif mode == 2:  # shuffled rows
        rng.shuffle(rows)
    elif mode == 3:  # header damage (keeping the first field, so the reader is chosen)
        cells = head.split(",")
        for _ in range(rng.randint(1, 3)):
            j = rng.randrange(1, len(cells))
            cells[j] = "".join(rng.choice("xyz-axis()gdeg/s ") for _ in range(rng.randint(0, 9)))
        if rng.random() < 0.3:
            cells = cells[: rng.randint(1, len(cells))]
        head = ",".join(cells)
    else:  # duplicated and dropped rows
        for _ in range(rng.randint(1, 20)):
            i = rng.randrange(len(rows))
            if rng.random() < 0.5:
                rows.insert(i, rows[i])
            else:
                del rows[i]
    return "\n".join([head, *rows]) + "\n"


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), mode=st.integers(0, 4))
def test_mangled_exports(tmp_path: Path, source_lines: list[str], seed: int, mode: int) -> None:
    p = tmp_path / "m_Accelerometer.csv"
    p.write_text(_mangle(source_lines, seed, mode))
    c = Container(p)
    mb.READER.sniff(c)
    try:
        rec = mb.READER.read(c, ReadOptions())
    except GaitInputError as exc:
        assert str(p) in str(exc)
    else:
        assert isinstance(rec, Recording)
        s = rec.streams[0]
        assert s.acc.shape[1] == 3 and s.sample_rate_hz > 0


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_random_bytes_after_header(tmp_path: Path, data: bytes) -> None:
    p = tmp_path / "r.csv"
    p.write_bytes(b"epoc (ms),timestamp (-0500),elapsed (s),x-axis (g),y-axis (g),z-axis (g)\n"
                  + data)
    with contextlib.suppress(GaitInputError):
        _read(p)
