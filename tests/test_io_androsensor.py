"""AndroSensor reader: the real 1 Hz file (../shared), synthetic variants, malformed input."""

from __future__ import annotations

import random
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gait.errors import GaitInputError
from gait.io.androsensor import READER
from gait.io.base import Container, ReadOptions, at_rest_gravity
from gait.io.detect import detect, load_path
from gait.recording import Recording

HEADER = [
    "ACCELEROMETER X (m/s²)", "ACCELEROMETER Y (m/s²)", "ACCELEROMETER Z (m/s²)",
    "GRAVITY X (m/s²)", "GRAVITY Y (m/s²)", "GRAVITY Z (m/s²)",
    "LINEAR ACCELERATION X (m/s²)", "LINEAR ACCELERATION Y (m/s²)",
    "LINEAR ACCELERATION Z (m/s²)",
    "GYROSCOPE X (rad/s)", "GYROSCOPE Y (rad/s)", "GYROSCOPE Z (rad/s)",
    "LIGHT (lux)", "MAGNETIC FIELD X (μT)", "ORIENTATION Z (azimuth °)",
    "LOCATION Latitude : ", "Satellites in range",
    "Time since start in ms", "YYYY-MO-DD HH-MI-SS_SSS",
]
START = datetime(2018, 11, 18, 16, 38, 9, 894000)


def _signals(t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lin = np.column_stack([0.3 * np.sin(2 * np.pi * 0.9 * t), 1.5 * np.sin(2 * np.pi * 1.8 * t),
                           0.8 * np.cos(2 * np.pi * 1.8 * t)])
    grav = np.column_stack([np.zeros_like(t), 1.2 * np.ones_like(t), np.full_like(t, 9.7318)])
    gyr = np.column_stack([0.2 * np.sin(2 * np.pi * t), np.zeros_like(t),
                           0.5 * np.sin(2 * np.pi * 0.9 * t)])
    return lin, grav, gyr


def make_csv(*, n: int = 500, fs: float = 50.0, delim: str = ",", decimal_comma: bool = False,
             title_line: bool = False, drop: tuple[str, ...] = (), empty_rows: tuple[int, ...] = ()
             ) -> tuple[str, dict[str, np.ndarray]]:
    """An AndroSensor CSV (4 decimals like the app) and the signals it holds."""
    t = np.arange(n) / fs
    ms = np.round(t * 1000).astype(int) + 7
    lin, grav, gyr = _signals(t)
    acc = lin + grav
    data = {
        "ACCELEROMETER": acc, "GRAVITY": grav, "LINEAR ACCELERATION": lin, "GYROSCOPE": gyr,
    }

    def num(x: float) -> str:
        s = f"{x:.4f}"
        return s.replace(".", ",") if decimal_comma else s

    header = [h for h in HEADER if not any(h.startswith(d + " ") for d in drop)]
    rows = []
    for i in range(n):
        cells = []
        for h in header:
            key = next((k for k in data if h.startswith(k + " ")), None)
            if key is not None:
                j = "XYZ".index(h[len(key) + 1])
                cells.append("" if i in empty_rows else num(data[key][i, j]))
            elif h.startswith("Time since"):
                cells.append(str(ms[i]))
            elif h.startswith("YYYY"):
                d = START + timedelta(milliseconds=int(ms[i] - 7))
                cells.append(d.strftime("%Y-%m-%d %H:%M:%S:") + f"{d.microsecond // 1000:03d}")
            elif h.startswith("LOCATION"):
                cells.append("NaN")
            elif h.startswith("Satellites"):
                cells.append("0 / 25")
            else:
                cells.append(num(1.5))
        rows.append(delim.join(cells))
    lines = ([f"AndroSensor log{delim}{delim}"] if title_line else []) + [delim.join(header)] + rows
    return "\r\n".join(lines) + "\r\n", {"t": t, "acc": acc, "lin": lin, "grav": grav, "gyr": gyr}


def _assert_valid(rec: Recording) -> None:
    assert isinstance(rec, Recording) and rec.streams
    s = rec.streams[0]
    assert s.acc.ndim == 2 and s.acc.shape[1] == 3 and s.sample_rate_hz > 0


# ---------------------------------------------------------------------------------------------
# Real sample
# ---------------------------------------------------------------------------------------------


@pytest.mark.shared
def test_real_androsensor(phone_exports: Path) -> None:
    p = phone_exports / "androsensor" / "steps_fahadsha" / "steps_found.csv"
    reader, _ = detect(p)
    assert reader.name == "androsensor"
    rec = load_path(p)
    s = rec.streams[0]
    assert rec.source_format == "androsensor" and rec.platform == "android"
    assert s.acc_kind == "total" and s.gyr is not None
    meas = s.info["measured_rate_hz"]
    assert abs(meas - 1.0) < 0.01
    assert abs(s.sample_rate_hz - meas) / meas < 0.02
    assert abs(s.duration_s - 201.0) < 1.5
    # Gravity is included. The file is 200 s of walking logged at 1 Hz, so there is no rest:
    # at_rest_gravity's 3-sample window is still mid-stride (10.4). The median |a| over the
    # walk (9.82) is the check that fits this file.
    mag = np.linalg.norm(s.acc, axis=1)
    assert abs(np.nanmedian(mag) - 9.81) < 0.3
    assert abs(at_rest_gravity(s.acc, s.sample_rate_hz) - 9.81) < 1.0
    assert any("far too slow for gait" in w for w in rec.warnings)
    assert rec.meta["start_time_local"] == "2018-11-18T16:38:09.894"
    assert rec.start_time_utc is None


# ---------------------------------------------------------------------------------------------
# Synthetic variants
# ---------------------------------------------------------------------------------------------


def test_comma_utf8_crlf(tmp_path: Path) -> None:
    text, sig = make_csv()
    p = tmp_path / "Sensor_record_20181118_163809_AndroSensor.csv"
    p.write_bytes(text.encode("utf-8"))
    reader, _ = detect(p)
    assert reader.name == "androsensor"
    rec = load_path(p)
    s = rec.streams[0]
    assert s.sample_rate_hz == 50.0 and s.n_samples == 500
    np.testing.assert_allclose(s.acc, sig["acc"], atol=1e-4)
    np.testing.assert_allclose(s.gyr, sig["gyr"], atol=1e-4)
    assert abs(at_rest_gravity(s.acc, s.sample_rate_hz) - 9.81) < 0.3
    assert not any("too slow" in w for w in rec.warnings)
    assert rec.meta["start_time_local"] == "2018-11-18T16:38:09.894"


def test_semicolon_decimal_comma_cp1252_title_line(tmp_path: Path) -> None:
    text, sig = make_csv(delim=";", decimal_comma=True, title_line=True)
    p = tmp_path / "a.csv"
    p.write_bytes(text.replace("μ", "u").encode("cp1252"))
    reader, _ = detect(p)
    assert reader.name == "androsensor"
    rec = load_path(p)
    assert rec.meta["delimiter"] == ";" and rec.meta["decimal_comma"] is True
    assert rec.meta["encoding"] == "cp1252" and rec.meta["header_line"] == 2
    np.testing.assert_allclose(rec.streams[0].acc, sig["acc"], atol=1e-4)


def test_linear_plus_gravity(tmp_path: Path) -> None:
    text, sig = make_csv(drop=("ACCELEROMETER",))
    p = tmp_path / "a.csv"
    p.write_text(text)
    rec = load_path(p)
    assert rec.streams[0].acc_kind == "total" and "GRAVITY" in rec.meta["acc_source"]
    np.testing.assert_allclose(rec.streams[0].acc, sig["lin"] + sig["grav"], atol=2e-4)


def test_linear_only(tmp_path: Path) -> None:
    text, _ = make_csv(drop=("ACCELEROMETER", "GRAVITY"))
    p = tmp_path / "a.csv"
    p.write_text(text)
    reader, _ = detect(p)
    assert reader.name == "androsensor"
    rec = load_path(p)
    assert rec.streams[0].acc_kind == "linear"
    assert any("gravity" in w for w in rec.warnings)


def test_empty_cells_and_no_gyro(tmp_path: Path) -> None:
    text, _ = make_csv(drop=("GYROSCOPE",), empty_rows=(100, 101, 102, 103, 104, 105, 106))
    p = tmp_path / "a.csv"
    p.write_text(text)
    s = load_path(p).streams[0]
    assert s.gyr is None
    assert np.isnan(s.acc[100:107]).all() and len(s.gaps) == 1
    assert np.isfinite(s.acc[:100]).all()


def test_date_column_only(tmp_path: Path) -> None:
    text, sig = make_csv()
    lines = text.split("\r\n")
    hdr = lines[0].split(",")
    k = hdr.index("Time since start in ms")
    out = [",".join(c for i, c in enumerate(line.split(",")) if i != k) if line else line
           for line in lines]
    p = tmp_path / "a.csv"
    p.write_text("\r\n".join(out))
    rec = load_path(p)
    assert rec.streams[0].sample_rate_hz == 50.0
    np.testing.assert_allclose(rec.streams[0].acc, sig["acc"], atol=1e-4)


def test_low_rate_warns(tmp_path: Path) -> None:
    text, _ = make_csv(fs=10.0, n=100)
    p = tmp_path / "a.csv"
    p.write_text(text)
    rec = load_path(p)
    assert any("10 Hz, far too slow" in w for w in rec.warnings)


def test_sniff_rejects_foreign(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    a.write_text("time_s,ax,ay,az\n0,1,2,3\n")
    b = tmp_path / "b.csv"
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


def test_missing_time_columns(tmp_path: Path) -> None:
    text, _ = make_csv()
    text = text.replace("Time since start in ms", "Elapsed").replace("YYYY-MO-DD", "DATE")
    p = tmp_path / "a.csv"
    p.write_text(text)
    e = _err(p)
    assert "a.csv" in str(e) and "line 1" in str(e) and "Time since start in ms" in str(e)


def test_missing_axis(tmp_path: Path) -> None:
    text, _ = make_csv(drop=("GRAVITY", "LINEAR ACCELERATION"))
    text = text.replace("ACCELEROMETER Z (m/s²)", "PRESSURE (hPa)")
    p = tmp_path / "a.csv"
    p.write_text(text)
    e = _err(p)
    assert "line 1" in str(e) and "ACCELEROMETER Z" in str(e)


def test_text_in_numeric_column(tmp_path: Path) -> None:
    text, _ = make_csv()
    lines = text.split("\r\n")
    cells = lines[30].split(",")
    cells[1] = "x!"
    lines[30] = ",".join(cells)
    p = tmp_path / "a.csv"
    p.write_text("\r\n".join(lines))
    e = _err(p)
    assert "a.csv" in str(e) and "line 31" in str(e) and "ACCELEROMETER Y" in str(e)


def test_bad_date_when_only_time_source(tmp_path: Path) -> None:
    text, _ = make_csv(n=20)
    text = text.replace("Time since start in ms", "Elapsed")
    lines = text.split("\r\n")
    cells = lines[5].split(",")
    cells[-1] = "yesterday"
    lines[5] = ",".join(cells)
    p = tmp_path / "a.csv"
    p.write_text("\r\n".join(lines))
    e = _err(p)
    assert "line 6" in str(e) and "yesterday" in str(e)


def test_empty_and_one_sample(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_bytes(b"")
    with pytest.raises(GaitInputError, match="empty"):
        load_path(p)
    text, _ = make_csv(n=1)
    q = tmp_path / "b.csv"
    q.write_text(text)
    e = _err(q)
    assert "b.csv" in str(e) and "sample" in str(e)
    r = tmp_path / "c.csv"
    r.write_text(",".join(HEADER) + "\r\n")
    e = _err(r)
    assert "c.csv" in str(e) and "line 2" in str(e)


# ---------------------------------------------------------------------------------------------
# Property tests
# ---------------------------------------------------------------------------------------------

_BASES = {d: make_csv(n=60, delim=d, decimal_comma=d == ";")[0].encode("utf-8")
          for d in (",", ";")}
_JUNK = st.one_of(st.binary(max_size=12), st.sampled_from(
    [b"", b"NaN", b"abc", b"-1", b"1e400", b"\xb2", b'"', b";", b",", b"2018-13-45 99:99:99:999"]))


def _mangle(data: bytes, how: str, rnd: random.Random, junk: bytes, delim: bytes) -> bytes:
    lines = data.split(b"\r\n")
    if how == "truncate":
        return data[: rnd.randrange(len(data) + 1)]
    if how == "cells":
        for _ in range(rnd.randrange(1, 5)):
            i = rnd.randrange(len(lines))
            cells = lines[i].split(delim)
            cells[rnd.randrange(len(cells))] = junk
            lines[i] = delim.join(cells)
        return b"\r\n".join(lines)
    if how == "shuffle":
        body = lines[1:]
        rnd.shuffle(body)
        return b"\r\n".join([lines[0], *body])
    h = bytearray(lines[0])
    for _ in range(rnd.randrange(1, 4)):
        h[rnd.randrange(len(h))] = rnd.choice(b"XYZ(),; \x00\xff\xb2")
    return b"\r\n".join([bytes(h), *lines[1:]])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(delim=st.sampled_from([",", ";"]),
       how=st.sampled_from(["truncate", "cells", "shuffle", "header"]),
       seed=st.integers(0, 2**32 - 1), junk=_JUNK)
def test_property_mangled(delim: str, how: str, seed: int, junk: bytes) -> None:
    data = _mangle(_BASES[delim], how, random.Random(seed), junk, delim.encode())
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "a.csv"
        p.write_bytes(data)
        try:
            c = Container(p)
            assert READER.sniff(c) in (True, False)
            rec = READER.read(c, ReadOptions())
        except GaitInputError as e:
            assert str(e)
            return
        _assert_valid(rec)
