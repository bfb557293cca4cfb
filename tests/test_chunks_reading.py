"""Chunked reading (gait.io.chunks) of small files in small chunks: the rows of every chunk
whatever the order of the times, and one acceleration unit per stream."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from gait.io import chunks
from gait.io.base import build_stream
from gait.io.gaitcsv import RecordingWriter, StreamSpec
from gait.recording import G

FS = 100.0
HEADER = "time_s,ax,ay,az,gx,gy,gz"


def _walk(t: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Acceleration (m/s^2, gravity on y) and angular rate of a rhythmic movement."""
    rng = np.random.default_rng(seed)
    noise = 0.3 * rng.standard_normal(len(t))
    acc = np.column_stack([0.5 * np.sin(2 * np.pi * 1.8 * t),
                           G + 1.5 * np.sin(2 * np.pi * 0.9 * t) + noise,
                           0.8 * np.cos(2 * np.pi * 1.8 * t)])
    gyr = np.column_stack([0.3 * np.sin(2 * np.pi * 0.9 * t), 0.1 * rng.standard_normal(len(t)),
                           0.2 * np.cos(2 * np.pi * 1.8 * t)])
    return acc, gyr


def _write(path: Path, rows: np.ndarray) -> Path:
    """A generic CSV of the rows (NaN: an empty cell)."""
    lines = [HEADER] + [",".join("" if math.isnan(v) else f"{v:.5f}" for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def _read_rows(path: Path) -> np.ndarray:
    with open(path) as fh:
        fh.readline()
        return np.array([[float(v) if v else np.nan for v in ln.strip().split(",")]
                         for ln in fh if ln.strip()])


@pytest.mark.parametrize("disorder", [False, True])
def test_every_chunk_holds_the_rows_of_its_span(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                disorder: bool) -> None:
    """Rows are parsed in small blocks; each chunk's stream is the one built from the file's
    rows with time in [core start - margin, core end + margin) (all after the last core start),
    in file order: in order or not, with repeated and missing times and missing values."""
    monkeypatch.setattr(chunks, "BLOCK_ROWS", 700)
    t = np.arange(6000) / FS
    acc, gyr = _walk(t)
    rows = np.column_stack([t, acc, gyr])
    if disorder:
        rng = np.random.default_rng(1)
        i = rng.choice(len(t) - 2, 80, replace=False) + 1
        rows[[*i, *(i + 1)]] = rows[[*(i + 1), *i]]  # neighbours swapped: times go back
        j = rng.choice(len(t) - 1, 40, replace=False) + 1
        rows[j, 0] = rows[j - 1, 0]  # repeated times
        rows[rng.choice(len(t), 30), 0] = np.nan  # no time
        rows[rng.choice(len(t), 30), 2] = np.nan  # a missing value
    path = _write(tmp_path / "walk.csv", rows)
    rows = _read_rows(path)  # as written (5 decimals)
    t_file = rows[:, 0]
    margin = 1.5
    got = list(chunks.iter_chunks(path, chunk_s=7.0, margin_s=margin, placement="lower_back"))
    assert len(got) == 9  # 60 s in 7 s chunks: the last takes the 4 s left
    t0 = np.nanmin(t_file)
    for ch in got:
        c0, c1 = ch.meta["chunk"]["core"]
        lo = (t0 if c0 == -math.inf else c0) - margin
        hi = math.inf if c1 == math.inf else c1 + margin
        part = rows[(t_file >= lo) & (t_file < hi)]
        want = build_stream(str(path), part[:, 0], part[:, 1:4], gyr=part[:, 4:7],
                            placement="lower_back", nominal_hz=FS, t_zero=0.0, name="walk")
        (s,) = ch.streams
        assert s.info["n_raw"] == len(part)
        assert s.info["n_backwards"] == want.info["n_backwards"]
        assert s.start_s == want.start_s and s.sample_rate_hz == want.sample_rate_hz
        np.testing.assert_array_equal(s.acc, want.acc)
        np.testing.assert_array_equal(s.gyr, want.gyr)
    if disorder:
        assert any(ch.streams[0].info["n_backwards"] for ch in got)


def test_a_csv_in_g_is_read_in_g_in_every_chunk(tmp_path: Path) -> None:
    """A generic CSV in g: the generic reader's decision on the file's head holds for every
    chunk, even one with two samples (judged alone it would stay unconverted), with one
    warning."""
    t = np.arange(15000) / FS
    acc, gyr = _walk(t)
    keep = (t < 60) | ((t >= 80) & (t < 80.015)) | (t >= 110)  # two samples in a pause
    rows = np.column_stack([t, acc / G, gyr])[keep]
    path = _write(tmp_path / "in_g.csv", rows)
    got = list(chunks.iter_chunks(path, chunk_s=20.0, margin_s=2.0))
    assert len(got) == 8
    assert got[4].streams[0].n_samples == 2  # [80, 100) and its margins
    for ch in got:
        s = ch.streams[0]
        assert s.info["acc_unit_from_gravity"] == "g"
        assert np.nanmedian(np.linalg.norm(s.acc, axis=1)) == pytest.approx(G, rel=0.2)
        unit = [w for w in ch.warnings if "read as g" in w]
        assert len(unit) == 1 and unit == [w for w in got[0].warnings if "read as g" in w]


def test_a_gait_recording_in_g_is_judged_on_its_first_chunk(tmp_path: Path) -> None:
    """A gait recording whose numbers are in g: its first chunk decides, later chunks are
    read in that unit without judging again, each with the first chunk's warning."""
    t = np.arange(9000) / FS
    acc, gyr = _walk(t)
    with RecordingWriter(tmp_path / "w.gait.json", [StreamSpec("lower_back", FS)]) as w:
        w.write("lower_back", acc / G, gyr)
    got = list(chunks.iter_chunks(tmp_path / "w.gait.json", chunk_s=20.0, margin_s=2.0))
    assert len(got) == 5
    note = [w for w in got[0].warnings if "read as g" in w]
    assert len(note) == 1
    for ch in got:
        s = ch.streams[0]
        assert s.info["acc_unit_from_gravity"] == "g"
        assert np.median(np.linalg.norm(s.acc, axis=1)) == pytest.approx(G, rel=0.2)
        assert [w for w in ch.warnings if "read as g" in w] == note


def test_a_csv_in_m_s2_is_never_converted(tmp_path: Path) -> None:
    t = np.arange(6000) / FS
    acc, gyr = _walk(t)
    path = _write(tmp_path / "ms2.csv", np.column_stack([t, acc, gyr]))
    for ch in chunks.iter_chunks(path, chunk_s=20.0, margin_s=2.0):
        assert "acc_unit_from_gravity" not in ch.streams[0].info
        assert not any("gravity" in w for w in ch.warnings)


def test_a_row_stamped_far_ahead_does_not_stop_the_reading(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """One glitched time far ahead early in the file: every row is still read into its chunk
    (the glitch itself sorted into place, as the whole-file reader does), none lost."""
    monkeypatch.setattr(chunks, "BLOCK_ROWS", 300)
    t = np.arange(6000) / FS
    acc, gyr = _walk(t)
    rows = np.column_stack([t, acc, gyr])
    rows[1000, 0] = 55.0  # a row at 10 s stamped 55 s
    path = _write(tmp_path / "glitch.csv", rows)
    got = list(chunks.iter_chunks(path, chunk_s=7.0, margin_s=1.5, placement="lower_back"))
    n = 0
    for ch in got:
        c0, c1 = ch.meta["chunk"]["core"]
        (s,) = ch.streams
        ts = s.time_s[np.isfinite(s.acc[:, 0])]
        n += int(((ts >= c0) & (ts < c1)).sum())
        assert not any("left out" in w for w in ch.warnings)
    # every sample of the minute once, in its core: 10 s's missing row interpolated, the glitch
    # averaged with 55 s's own row (the whole-file reader's handling of both)
    assert n == 6000
    assert any("repeated an earlier timestamp" in w for ch in got for w in ch.warnings)


def test_a_row_that_comes_too_late_is_left_out_with_a_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A row read after its chunk was made (blocks of 300 rows) is left out, and said so."""
    monkeypatch.setattr(chunks, "BLOCK_ROWS", 300)
    t = np.arange(6000) / FS
    acc, gyr = _walk(t)
    rows = np.column_stack([t, acc, gyr])
    rows[4500, 0] = 3.0  # a row at 45 s stamped 3 s: its chunk was made long before
    path = _write(tmp_path / "late.csv", rows)
    got = list(chunks.iter_chunks(path, chunk_s=7.0, margin_s=1.5, placement="lower_back"))
    said = [w for ch in got for w in ch.warnings if "left out" in w]
    assert len(said) == 1
    assert "1 row(s) (the first: data row 4501)" in said[0] and "late.csv" in said[0]
