"""Physics Toolbox Sensor Suite reader: real files, synthetic variants, malformed input."""

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
from gait.io.base import Container, ReadOptions, at_rest_gravity
from gait.io.detect import detect, load_path
from gait.io.physics_toolbox import READER
from gait.recording import G, Recording

from .helpers import walk_like

T0 = datetime(2022, 12, 8, 20, 10, 31, 349000)

# ---------------------------------------------------------------------------------------------
# synthetic files
# ---------------------------------------------------------------------------------------------


def clock(t: np.ndarray, t0: datetime = T0) -> list[str]:
    """Wall-clock strings with 4 fractional digits, as the app writes them."""
    out = []
    for s in t.tolist():  # test fixture writer, not library code
        d = t0 + timedelta(seconds=s)
        out.append(d.strftime("%Y-%m-%d %H:%M:%S.") + f"{d.microsecond // 100:04d}")
    return out


def write_ptb(path: Path, header: str, times: list[str], cols: np.ndarray, *, fmt: str = "{:.3f}",
              delim: str = ",", decimal_comma: bool = False) -> Path:
    rows = []
    for ts, r in zip(times, cols.tolist(), strict=True):
        vals = [fmt.format(v) for v in r]
        if decimal_comma:
            vals = [v.replace(".", ",") for v in vals]
            ts = ts.replace(".", ",")
        rows.append(delim.join([ts, *vals]))
    path.write_text("\n".join([header.replace(",", delim), *rows]) + "\n")
    return path


def gforce(n: int = 1500, fs: float = 100.0, rest: tuple[float, float, float] = (0, 0, 1),
           seed: int = 0) -> np.ndarray:
    """g-force (g): two still seconds with gravity on `rest`, then a vertical-phone walk."""
    acc, _ = walk_like(n, fs, seed)
    g = acc / G
    k = min(int(2 * fs), n)
    g[:k] = np.asarray(rest) + np.random.default_rng(seed).normal(0, 0.002, (k, 3))
    return g


def read(path: Path) -> Recording:
    return READER.read(Container(path), ReadOptions())


def _check_rate(rec: Recording) -> None:
    s = rec.streams[0]
    meas = s.info["measured_rate_hz"]
    assert abs(s.sample_rate_hz - meas) / meas < 0.02


# ---------------------------------------------------------------------------------------------
# real files
# ---------------------------------------------------------------------------------------------


@pytest.mark.shared
@pytest.mark.parametrize(("name", "duration"), [("ankle1_100.csv", 85.59),
                                                ("pocket1_114.csv", 93.79)])
def test_real_linear_accelerometer(phone_exports: Path, name: str, duration: float) -> None:
    p = phone_exports / "physics_toolbox/linacc_single_alfred" / name
    assert detect(p)[0].name == "physics_toolbox"
    rec = load_path(p)
    s = rec.streams[0]
    assert rec.source_format == "physics_toolbox"
    assert rec.app == "Physics Toolbox Sensor Suite"
    assert s.acc_kind == "linear" and not s.has_gyr
    assert any("without gravity" in w for w in rec.warnings)
    assert at_rest_gravity(s.acc, s.sample_rate_hz) < 0.5
    # ~201 samples every second, delivered with up to 70 ms jitter: re-timed, no false gaps
    assert 200 < rec.meta["timing_regularised"]["rate_hz"] < 202.5
    assert s.sample_rate_hz == 200.0
    _check_rate(rec)
    assert not s.gaps and s.missing_fraction == 0.0
    assert abs(s.duration_s - duration) < 0.1
    assert rec.start_time_utc is None and rec.platform is None
    assert rec.meta["mode"] == "Linear Accelerometer"


@pytest.mark.shared
@pytest.mark.parametrize(("name", "local", "duration"), [
    ("Ankle1.1.csv", "2022-12-08T18:30:01.136000", 67.95),
    ("Pocket1.1.csv", "2022-12-08T18:24:00.934000", 62.82)])
def test_real_multi_record_gforce(phone_exports: Path, name: str, local: str,
                                  duration: float) -> None:
    p = phone_exports / "physics_toolbox/multirecord_gforce_linacc_janit" / name
    assert detect(p)[0].name == "physics_toolbox"
    rec = load_path(p)
    s = rec.streams[0]
    assert s.acc_kind == "total" and not s.has_gyr
    assert s.sample_rate_hz == 100.0
    _check_rate(rec)
    assert abs(s.duration_s - duration) < 0.05
    # the stale first row (58-70 s early) is dropped; the local start is the second row
    assert any("first row is" in w and "dropped" in w for w in rec.warnings)
    assert rec.start_time_utc is None and rec.meta["start_time_local"] == local
    assert any("without a time zone" in w for w in rec.warnings)
    # gF in g with gravity -> m/s^2. The file is walking only (no still second, so
    # at_rest_gravity is not about gravity here); gravity is the mean over the walk.
    mean = np.nanmean(s.acc, axis=0)
    assert abs(np.linalg.norm(mean) - 9.81) < 1.0
    # The stale row (phone held before the walk) lies flat with gz = -1 g: iOS sign, flipped.
    assert rec.meta["sign_convention"]["gF"] == "ios"
    assert rec.platform == "ios" and "inferred" in rec.meta["platform_source"]
    assert "opposite sign" in rec.meta["linear_acc_columns"]


# ---------------------------------------------------------------------------------------------
# synthetic variants
# ---------------------------------------------------------------------------------------------


def test_iphone_gforce_total_with_duplicate_bursts(tmp_path: Path) -> None:
    n = 1500
    g = gforce(n, rest=(0, 0, -1))  # iOS: face up reads -1 g on z
    g[200:, :] *= -1  # the walk part in iOS sign too
    t = np.arange(n) / 100.0
    # every 10th sample written three times within 1 ms (the app's duplicate bursts)
    idx = np.repeat(np.arange(n), np.where(np.arange(n) % 10 == 0, 3, 1))
    tt = t[idx] + np.where(np.diff(np.concatenate([[-1], idx])) == 0, 0.0005, 0.0)
    tt = np.maximum.accumulate(tt + 1e-7 * np.arange(len(tt)))
    total = np.linalg.norm(g, axis=1)[idx]
    f = write_ptb(tmp_path / "iph.csv", "time,gFx,gFy,gFz,gFTotal", clock(tt),
                  np.column_stack([g[idx], total]))
    assert detect(f)[0].name == "physics_toolbox"
    rec = load_path(f)
    s = rec.streams[0]
    assert rec.platform == "ios" and rec.meta["sign_convention"]["gF"] == "ios"
    assert abs(at_rest_gravity(s.acc, s.sample_rate_hz) - 9.81) < 0.3
    assert np.nanmean(s.acc[:150, 2]) > 9.5  # Android sign: face up +z
    assert rec.meta["dropped_repeated_rows"] > 0
    assert s.sample_rate_hz == 100.0 and abs(s.duration_s - 15.0) < 0.05
    assert rec.meta["start_time_local"] == "2022-12-08T20:10:31.349000"
    assert rec.meta["mode"] == "g-Force Meter"


def test_android_gforce_tgf(tmp_path: Path) -> None:
    g = gforce(rest=(0, 0, 1))
    t = np.arange(len(g)) / 100.0
    f = write_ptb(tmp_path / "a.csv", "time,gFx,gFy,gFz,TgF", [f"{x:.4f}" for x in t],
                  np.column_stack([g, np.linalg.norm(g, axis=1)]))
    rec = load_path(f)
    s = rec.streams[0]
    assert rec.meta["sign_convention"]["gF"] == "android" and rec.platform == "android"
    assert np.allclose(s.acc, g * G, atol=1e-2)
    assert abs(at_rest_gravity(s.acc, s.sample_rate_hz) - 9.81) < 0.3


def test_gforce_sign_ambiguous_assumes_android(tmp_path: Path) -> None:
    g = gforce(rest=(0, 1, 0))  # upright at rest: says nothing about the convention
    lin = (g - [0, 1, 0]) * G
    t = np.arange(len(g)) / 100.0
    f = write_ptb(tmp_path / "m.csv", "time,gFx,gFy,gFz,ax,ay,az", clock(t),
                  np.column_stack([g, lin]))
    rec = load_path(f)
    assert rec.meta["sign_convention"]["gF"] == "android"
    assert any("could not be inferred" in w for w in rec.warnings)
    assert rec.platform is None
    assert "same sign" in rec.meta["linear_acc_columns"]


def test_gforce_header_hint_wins_over_conflicting_rest(tmp_path: Path) -> None:
    g = gforce(rest=(0, 0, 1))
    t = np.arange(len(g)) / 100.0
    f = write_ptb(tmp_path / "c.csv", "time,gFx,gFy,gFz,gFTotal", clock(t),
                  np.column_stack([g, np.linalg.norm(g, axis=1)]))
    rec = load_path(f)
    assert rec.meta["sign_convention"]["gF"] == "ios"
    assert any("header was followed" in w for w in rec.warnings)


@pytest.mark.parametrize("linear", [False, True])
def test_multi_record_acc_gyro_unitless(tmp_path: Path, linear: bool) -> None:
    acc, gyr = walk_like(1500, 100.0)
    acc[:200] = [0, 9.81, 0]
    if linear:
        acc = acc - [0, 9.81, 0]
    t = np.arange(1500) / 100.0
    f = write_ptb(tmp_path / "ag.csv", "time,ax,ay,az,wx,wy,wz", clock(t),
                  np.column_stack([acc, gyr]), fmt="{:.4f}")
    assert detect(f)[0].name == "physics_toolbox"
    rec = load_path(f)
    s = rec.streams[0]
    assert s.has_gyr and np.allclose(s.gyr, gyr, atol=1e-3)
    assert s.acc_kind == ("linear" if linear else "total")
    assert ("-> linear" if linear else "-> total") in rec.meta["acc_kind_reason"]
    assert np.allclose(s.acc, acc, atol=1e-3)
    if linear:
        assert any("without gravity" in w for w in rec.warnings)
    else:
        assert abs(at_rest_gravity(s.acc, s.sample_rate_hz) - 9.81) < 0.3


def test_time_rows_mid_file_dropped(tmp_path: Path) -> None:
    g = gforce()
    t = np.arange(len(g)) / 100.0
    f = write_ptb(tmp_path / "h.csv", "time,gFx,gFy,gFz,TgF", clock(t),
                  np.column_stack([g, np.linalg.norm(g, axis=1)]))
    lines = f.read_text().splitlines()
    lines.insert(400, "Time,0.1,0.2,0.3,0.4")
    lines.insert(700, "time,gFx,gFy,gFz,TgF")
    lines.insert(900, "Time,,,,")
    f.write_text("\n".join(lines) + "\n")
    rec = load_path(f)
    assert rec.meta["dropped_header_rows"] == 3
    assert any("3 repeated header" in w for w in rec.warnings)
    assert rec.streams[0].n_samples == len(g)


def test_stale_first_row_and_duplicates_seconds(tmp_path: Path) -> None:
    acc, _ = walk_like(1000, 100.0)
    t = 60.0 + np.arange(1000) / 100.0
    t = np.concatenate([[0.003], t])
    acc = np.vstack([[0, 9.8, 0], acc]) - [0, 9.81, 0]
    # duplicate rows
    t = np.insert(t, 500, t[500])
    acc = np.insert(acc, 500, acc[500], axis=0)
    f = write_ptb(tmp_path / "s.csv", "time,ax (m/s^2),ay (m/s^2),az (m/s^2),aT (m/s^2)",
                  [f"{x:.6f}" for x in t], np.column_stack([acc, np.linalg.norm(acc, axis=1)]),
                  fmt="{:.4f}")
    rec = load_path(f)
    s = rec.streams[0]
    assert any("first row is" in w for w in rec.warnings)
    assert s.info["n_duplicates"] == 1
    assert abs(s.duration_s - 10.0) < 0.02 and s.sample_rate_hz == 100.0


def test_jittered_delivery_times_are_regularised(tmp_path: Path) -> None:
    fs, n = 270.0, 270 * 30
    rng = np.random.default_rng(3)
    true_t = np.arange(n) / fs
    # delivered in bursts: each time is the true time plus 0-60 ms, kept in order
    delivered = np.maximum.accumulate(true_t + rng.uniform(0, 0.06, n) ** 2 / 0.06)
    delivered += np.arange(n) * 1e-9
    acc, _ = walk_like(n, fs)
    lin = acc - [0, 9.81, 0]
    f = write_ptb(tmp_path / "j.csv", "time,ax (m/s^2),ay (m/s^2),az (m/s^2),aT (m/s^2)",
                  [f"{x:.6f}" for x in delivered], np.column_stack([lin, np.zeros(n)]),
                  fmt="{:.4f}")
    rec = load_path(f)
    s = rec.streams[0]
    assert abs(rec.meta["timing_regularised"]["rate_hz"] - fs) < 1.0
    assert not s.gaps
    _check_rate(rec)
    assert abs(s.sample_rate_hz - fs) / fs < 0.02


def test_semicolon_decimal_comma(tmp_path: Path) -> None:
    g = gforce(rest=(0, 0, 1))
    t = np.arange(len(g)) / 100.0
    f = write_ptb(tmp_path / "sc.csv", "time,gFx,gFy,gFz,TgF", clock(t),
                  np.column_stack([g, np.linalg.norm(g, axis=1)]), delim=";",
                  decimal_comma=True)
    rec = load_path(f)
    assert rec.meta["delimiter"] == ";" and rec.meta["decimal_comma"] is True
    assert np.allclose(rec.streams[0].acc, g * G, atol=1e-2)


def test_sniff(tmp_path: Path) -> None:
    cases = {
        "ptb1.csv": ("time,gFx,gFy,gFz,gFTotal", True),
        "ptb2.csv": ("time,ax (m/s^2),ay (m/s^2),az (m/s^2),aT (m/s^2)", True),
        "ptb3.csv": ("time,ax,ay,az,wx,wy,wz", True),
        "ptb4.csv": ("time,gFx,gFy,gFz,ax,ay,az", True),
        "generic.csv": ("time,ax,ay,az", False),
        "generic2.csv": ("time_s,ax,ay,az", False),
        "phyphox.csv": ('"Time (s)","Acceleration x (m/s^2)"', False),
        "sl.csv": ("time,seconds_elapsed,z,y,x", False),
    }
    for name, (hdr, want) in cases.items():
        (tmp_path / name).write_text(hdr + "\n1,2,3,4,5,6,7\n")
        assert READER.sniff(Container(tmp_path / name)) is want, name
    (tmp_path / "bin.csv").write_bytes(bytes(range(256)) * 3)
    assert READER.sniff(Container(tmp_path / "bin.csv")) is False


# ---------------------------------------------------------------------------------------------
# malformed input
# ---------------------------------------------------------------------------------------------


def _good_lines() -> list[str]:
    g = gforce(60)
    t = np.arange(60) / 100.0
    return ["time,gFx,gFy,gFz,TgF"] + [
        ",".join([ts] + [f"{v:.3f}" for v in r])
        for ts, r in zip(clock(t), np.column_stack([g, np.linalg.norm(g, axis=1)]).tolist(),
                         strict=True)]


def _bad(tmp_path: Path, lines: list[str], match: str) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("\n".join(lines) + "\n")
    with pytest.raises(GaitInputError, match=match) as ei:
        load_path(f)
    assert str(f) in str(ei.value)


def test_malformed_text_in_value(tmp_path: Path) -> None:
    lines = _good_lines()
    lines[9] = lines[9].split(",")[0] + ",0.1,oops,0.3,1.0"
    _bad(tmp_path, lines, r"line 10: text 'oops' in numeric column 'gFy'")


def test_malformed_time(tmp_path: Path) -> None:
    lines = _good_lines()
    lines[20] = "2022-13-45 99:10:31.3490" + lines[20][24:]
    _bad(tmp_path, lines, r"line 21, column 'time': unparseable time '2022-13-45")
    lines = _good_lines()
    lines[1] = "yesterday" + lines[1][24:]
    _bad(tmp_path, lines, r"line 2, column 'time': unparseable time 'yesterday'")


def test_malformed_missing_column(tmp_path: Path) -> None:
    _bad(tmp_path, ["time,gFx,gFy,TgF", "0.1,1,2,3"],
         r"line 1 \(header\): column 'gFz' is missing")


def test_malformed_empty_and_one_sample(tmp_path: Path) -> None:
    lines = _good_lines()
    _bad(tmp_path, lines[:1], r"line 2: no data rows")
    _bad(tmp_path, lines[:2], r"(only 1|at least 2)")
    _bad(tmp_path, [lines[0], "Time,1,2,3,4", "Time,1,2,3,4"], r"only 0 data row")


def test_torn_last_row_is_dropped_with_a_warning(tmp_path: Path) -> None:
    lines = _good_lines()
    lines[-1] = lines[-1][:15]
    f = tmp_path / "torn.csv"
    f.write_text("\n".join(lines))
    rec = load_path(f)
    assert any(f"{f}: line 61 is torn" in w for w in rec.warnings)


def test_malformed_short_row_inside(tmp_path: Path) -> None:
    lines = _good_lines()
    lines[30] = lines[30][:15]
    _bad(tmp_path, lines, r"line 31: row has 1 fields, the header has 5")


# ---------------------------------------------------------------------------------------------
# property tests
# ---------------------------------------------------------------------------------------------

_G = gforce(300)
BASE_CLOCK = "\n".join(["time,gFx,gFy,gFz,ax,ay,az"] + [
    ",".join([ts] + [f"{v:.3f}" for v in r]) for ts, r in
    zip(clock(np.arange(300) / 100.0), np.column_stack([_G, _G * 3]).tolist(), strict=True)]) + "\n"
BASE_SEC = "\n".join(["time,ax (m/s^2),ay (m/s^2),az (m/s^2),aT (m/s^2)"] + [
    f"{i / 270.0:.6f},{r[0]:.4f},{r[1]:.4f},{r[2]:.4f},0.1" for i, r in
    enumerate((_G * 2).tolist())]) + "\n"


def _check(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "x.csv"
        f.write_bytes(raw)
        try:
            rec = read(f)
        except GaitInputError as exc:
            assert str(f) in str(exc)
            return
        assert isinstance(rec, Recording)
        s = rec.streams[0]
        assert s.acc.shape[1] == 3 and s.sample_rate_hz > 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([BASE_CLOCK, BASE_SEC]), st.floats(0, 1))
def test_prop_truncated(base: str, frac: float) -> None:
    _check(base[: int(frac * len(base))].encode())


@settings(max_examples=80, deadline=None)
@given(st.sampled_from([BASE_CLOCK, BASE_SEC]),
       st.lists(st.tuples(st.integers(0, 300), st.integers(0, 6), st.text(max_size=10)),
                min_size=1, max_size=6))
def test_prop_random_cells(base: str, edits: list[tuple[int, int, str]]) -> None:
    lines = base.splitlines()
    for row, col, val in edits:
        i = 1 + row % (len(lines) - 1)
        parts = lines[i].split(",")
        parts[col % len(parts)] = val
        lines[i] = ",".join(parts)
    _check(("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"))


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([BASE_CLOCK, BASE_SEC]), st.randoms(use_true_random=False))
def test_prop_shuffled_rows(base: str, rnd: random.Random) -> None:
    lines = base.splitlines()
    body = lines[1:]
    rnd.shuffle(body)
    _check(("\n".join([lines[0], *body]) + "\n").encode())


@settings(max_examples=80, deadline=None)
@given(st.sampled_from([BASE_CLOCK, BASE_SEC]), st.integers(0, 45),
       st.binary(min_size=1, max_size=4))
def test_prop_header_damage(base: str, pos: int, junk: bytes) -> None:
    raw = base.encode()
    _check(raw[:pos] + junk + raw[pos + 1:])


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=400))
def test_prop_random_bytes_after_header(junk: bytes) -> None:
    _check(b"time,gFx,gFy,gFz,TgF\n" + junk)


def test_placement_option(tmp_path: Path) -> None:
    g = gforce()
    t = np.arange(len(g)) / 100.0
    f = write_ptb(tmp_path / "p.csv", "time,gFx,gFy,gFz,TgF", clock(t),
                  np.column_stack([g, np.linalg.norm(g, axis=1)]))
    rec = load_path(f, ReadOptions(placement="right_pocket"))
    assert rec.streams[0].placement == "right_pocket"
