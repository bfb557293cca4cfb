"""The recorder journal: framing, torn tails, corruption, and recovery to a recording."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gait.api import load
from gait.ble.assemble import default_output, finalise
from gait.ble.journal import (
    CHAR_DATA,
    EVENT,
    HEAD_SIZE,
    JournalWriter,
    json_record,
    read_journal,
)
from gait.ble.sim import models_from_simulation, offline_journal
from gait.errors import GaitInputError


def _journal(tmp: Path, n: int = 50) -> tuple[Path, list[bytes]]:
    p = tmp / "x.gait.journal"
    p.unlink(missing_ok=True)
    w = JournalWriter(p, {"format": "gait-ble-journal", "origin_ns": 0})
    pkts = [bytes([i % 256]) * (20 + i % 7) for i in range(n)]
    for i, b in enumerate(pkts):
        w.data(i % 2, 1000 * i, b, CHAR_DATA)
    w.write(json_record(EVENT, {"sid": 0, "host_ns": 5, "event": "connected"}))
    w.close()
    return p, pkts


def test_round_trip(tmp_path: Path) -> None:
    p, pkts = _journal(tmp_path)
    j = read_journal(p)
    assert j.meta["format"] == "gait-ble-journal"
    # every JSON record is written twice (format version 2) and read once
    assert j.version == 2 and j.n_records == 54 and j.json_copies == 2
    assert j.torn_tail_bytes == 0 and j.corrupt_bytes == 0
    assert [j.payload(i) for i in range(len(pkts))] == pkts
    np.testing.assert_array_equal(j.host_ns, 1000 * np.arange(50))
    np.testing.assert_array_equal(j.sid, np.arange(50) % 2)
    assert j.events == [{"sid": 0, "host_ns": 5, "event": "connected"}]


def test_torn_tail_dropped(tmp_path: Path) -> None:
    p, pkts = _journal(tmp_path)
    data = p.read_bytes()
    copy = len(json_record(EVENT, {"sid": 0, "host_ns": 5, "event": "connected"}, copies=1))
    p.write_bytes(data[:-7])  # the event's second copy is cut: nothing lost
    j = read_journal(p)
    assert j.torn_tail_bytes == copy - 7 and len(j.events) == 1
    assert any("copy" in n and "nothing lost" in n for n in j.notes)
    p.write_bytes(data[:-copy - 7])  # its first copy is cut too: the event is lost
    j = read_journal(p)
    assert j.torn_tail_bytes == copy - 7 and j.events == []
    assert [j.payload(i) for i in range(len(pkts))] == pkts
    assert any("torn final record dropped" in n for n in j.notes)


def test_corrupt_middle_is_skipped(tmp_path: Path) -> None:
    p, pkts = _journal(tmp_path)
    data = bytearray(p.read_bytes())
    j0 = read_journal(p)
    off = int(j0.start[10])  # flip a byte inside packet 10
    data[off + 3] ^= 0xFF
    p.write_bytes(bytes(data))
    j = read_journal(p)
    got = [j.payload(i) for i in range(len(j.start))]
    assert got == pkts[:10] + pkts[11:]
    assert j.corrupt_bytes == HEAD_SIZE + 11 + len(pkts[10]) and j.torn_tail_bytes == 0


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 4000), junk=st.binary(max_size=40))
def test_any_truncation_gives_a_prefix(tmp_path: Path, cut: int, junk: bytes) -> None:
    p, pkts = _journal(tmp_path)
    data = p.read_bytes()
    q = tmp_path / "cut.gait.journal"
    q.write_bytes(data[: max(10, min(cut, len(data)))] + junk)
    j = read_journal(q)
    got = [j.payload(i) for i in range(len(j.start))]
    assert got == pkts[: len(got)]


def test_not_a_journal(tmp_path: Path) -> None:
    p = tmp_path / "a.gait.journal"
    p.write_bytes(b"hello")
    with pytest.raises(GaitInputError, match="not a gait journal"):
        read_journal(p)


def test_default_output() -> None:
    assert default_output("d/walk.gait.journal") == Path("d/walk.gait.json")


def test_offline_journal_to_recording(tmp_path: Path) -> None:
    """Every delivered sample is in the recording unchanged; every lost one is in a gap."""
    models = models_from_simulation(("left_foot", "right_foot"), duration_s=25, rate_hz=200,
                                    clock_ppm=(80, -80), odr_ppm=(300, -200), seed=4)
    jp = tmp_path / "w.gait.journal"
    logs = offline_journal(str(jp), models, 20.0, loss=0.05, garbage=0.02,
                           extra_latency_s=0.004, seed=3)
    res = finalise(jp)
    rec = load(res.manifest)
    doc = json.loads(res.manifest.read_text())
    for m in models:
        log = logs[m.placement]
        s = next(x for x in res.sensors if x.placement == m.placement)
        st_ = s.stats
        sent = np.concatenate([np.arange(k, k + n) for k, n in log.sent])
        lost = np.concatenate([np.arange(k, k + n) for k, n in log.dropped])
        lost = lost[(lost > sent.min()) & (lost < sent.max())]
        assert st_["samples"] == len(sent)
        assert st_["samples_lost"] == len(lost) == sum(g["n_samples"] for g in s.gaps)
        assert 1 <= sum(st_["malformed"].values()) <= log.garbage
        # exact values: grid row = index - first index
        raw = m.samples(0, int(sent.max()) + 1)
        acc = raw[sent, :3] / m.acc_lsb_per_g * 9.80665
        np.testing.assert_allclose(s.acc[sent - s.k0], acc, rtol=1e-6)  # f4 scale
        assert np.isnan(s.acc[lost - s.k0]).all()
        # the host-clock rate is the true rate (within 2 ms over these 20 s; the hour-long
        # alignment is tested in test_ble_timebase)
        assert st_["rate_host_hz"] == pytest.approx(200 / (1 + m.odr_ppm * 1e-6), rel=2e-4)
        # the written CSV holds the same (rounded) values
        stream = rec.stream(m.placement)
        assert stream.sample_rate_hz == pytest.approx(st_["rate_host_hz"], rel=1e-8)
        # (the reader re-grids the 1-us-rounded times: it may interpolate by a few 1e-6 and
        # drop a sample next to a gap or the very last row)
        rows = sent - s.k0
        ok = rows < len(stream.acc)
        ok[ok] &= np.isfinite(stream.acc[rows[ok], 0])
        assert ok.mean() > 0.98
        np.testing.assert_allclose(stream.acc[rows[ok]], acc[ok], atol=1e-2)
    assert doc["meta"]["ble"]["journal"]["clean_end"] is True
    assert any("malformed" in w for w in doc["warnings"])



def test_polar_journal_to_recording(tmp_path: Path) -> None:
    """Polar PMD frames (no sample index): loss from timestamps, gyro merged onto the acc grid."""
    from gait.ble.decode import encode_polar_frame
    from gait.ble.journal import SENSOR

    fs, per, n_fr = 52.0, 36, 60
    jp = tmp_path / "polar.gait.journal"
    w = JournalWriter(jp, {"format": "gait-ble-journal", "origin_ns": 0,
                           "origin_utc": "2025-01-01T00:00:00+00:00"})
    w.write(json_record(SENSOR, {
        "sid": 0, "placement": "lower_back", "address": "A0:9E:1A:00:00:01",
        "name": "Polar Sense 1", "profile": "polar-pmd",
        "settings": {"ACC": {"SAMPLE_RATE": fs, "FACTOR": 1.0},
                     "GYRO": {"SAMPLE_RATE": fs, "FACTOR": 0.5}}}))
    k = np.arange(n_fr * per)
    acc = np.column_stack([100 * np.sin(k / 9), 50 * np.cos(k / 7), 1000 + 0 * k]).astype(int)
    gyr = np.column_stack([20 * np.sin(k / 5), 0 * k, 10 + 0 * k]).astype(int)
    t0 = 10**18
    for f in range(n_fr):
        sl = slice(f * per, (f + 1) * per)
        ts = t0 + int(((f + 1) * per - 1) / fs * 1e9)
        host = int(((f + 1) * per - 1) / fs * 1e9) + 20_000_000
        if f != 17:  # one ACC frame lost
            w.data(0, host, encode_polar_frame("ACC", ts, acc[sl]))
        w.data(0, host, encode_polar_frame("GYRO", ts, gyr[sl]))
    w.close()
    res = finalise(jp)
    s = res.sensors[0]
    assert s.stats["profile"] == "polar-pmd"
    assert s.stats["samples"] == (n_fr - 1) * per and s.stats["samples_lost"] == per
    assert s.stats["rate_host_hz"] == pytest.approx(fs, rel=1e-6)
    np.testing.assert_allclose(s.acc[: 17 * per], acc[: 17 * per] * 9.80665e-3, rtol=1e-9)
    assert np.isnan(s.acc[17 * per:18 * per]).all()
    np.testing.assert_allclose(s.gyr[: 17 * per], np.deg2rad(gyr[: 17 * per] * 0.5), atol=1e-4)


# ------------------------------------------------------------------ flipped bits (issue 20 item 4)

def _two_sensor_journal(tmp: Path) -> Path:
    models = models_from_simulation(("left_foot", "right_foot"), duration_s=4, rate_hz=200,
                                    seed=2)
    p = tmp / "two.gait.journal"
    offline_journal(str(p), models, 0.6, seed=1)
    return p


def _records(buf: bytes) -> list[tuple[int, int]]:
    """(offset, end) of every record of an undamaged journal."""
    import struct

    out, pos = [], 10
    while pos < len(buf):
        ln = struct.unpack_from("<H", buf, pos + 2)[0]
        out.append((pos, pos + HEAD_SIZE + ln))
        pos += HEAD_SIZE + ln
    return out


def _samples(j: object) -> dict[str, int]:
    from gait.ble.assemble import assemble

    return {s.placement: s.stats["samples"] for s in assemble(j)}  # type: ignore[arg-type]


def test_every_bit_flip_loses_at_most_the_record_it_hits(tmp_path: Path) -> None:
    """One bit flipped at every byte position of a 2-sensor journal (bit = position % 8): the
    file header and every header/sensor/event/end record lose nothing (their other copy is
    read); a data record loses itself only, and the note names its sensor and samples."""
    p = _two_sensor_journal(tmp_path)
    buf = p.read_bytes()
    base = read_journal(p)
    recs = _records(buf)
    assert base.corrupt_bytes == 0 and len(recs) == base.n_records
    base_payloads = [base.payload(i) for i in range(len(base.start))]
    base_samples = _samples(base)
    assert set(base_samples) == {"left_foot", "right_foot"}
    n_json_bytes = 0
    for pos in range(len(buf)):
        b = bytearray(buf)
        b[pos] ^= 1 << (pos % 8)
        j = read_journal(p, bytes(b))
        hit = next((r for r in recs if r[0] <= pos < r[1]), None)
        is_data = hit is not None and buf[hit[0] + HEAD_SIZE] == 3
        # every other record is read, the JSON documents all survive
        assert (j.meta, j.sensors, j.events, j.end) == (base.meta, base.sensors, base.events,
                                                       base.end), pos
        got = [j.payload(i) for i in range(len(j.start))]
        if not is_data:
            n_json_bytes += 1
            assert got == base_payloads, pos
            assert j.n_records >= base.n_records - 1 and all(
                d.kind == "copy" for d in j.damage), pos
            assert all("nothing lost" in n or "file header damaged" in n for n in j.notes), pos
            if hit is None or buf[hit[0] + HEAD_SIZE] in (1, 2):  # header, sensor records
                assert _samples(j) == base_samples, pos
            continue
        assert hit is not None
        i_hit = sum(1 for r in recs[: recs.index(hit)] if buf[r[0] + HEAD_SIZE] == 3)
        assert got == base_payloads[:i_hit] + base_payloads[i_hit + 1:], pos
        assert j.n_records == base.n_records - 1 and len(j.damage) == 1, pos
        sid = buf[hit[0] + HEAD_SIZE + 1]
        placement = ("left_foot", "right_foot")[sid]
        payload = base_payloads[i_hit]
        n_lost = payload[12]
        assert j.damage[0].lost_samples.get(sid) == n_lost, (pos, j.notes)
        assert any(f"{placement} lacks {n_lost} samples" in n for n in j.notes), (pos, j.notes)
    assert n_json_bytes > 2000  # the test did flip the header and sensor records


def _v1(buf: bytes) -> bytes:
    """A version-2 journal rewritten as version 1 wrote it (one copy of each JSON record)."""
    out, prev = bytearray(buf[:8] + b"\x01\x00"), b""
    for a, b in _records(buf):
        rec = buf[a:b]
        if rec != prev or buf[a + HEAD_SIZE] == 3:
            out += rec
        prev = rec
    return bytes(out)


def test_version_1_journal_is_read(tmp_path: Path) -> None:
    p = _two_sensor_journal(tmp_path)
    base = read_journal(p)
    q = tmp_path / "v1.gait.journal"
    q.write_bytes(_v1(p.read_bytes()))
    j = read_journal(q)
    assert j.version == 1 and j.json_copies == 0 and j.notes == []
    assert (j.meta, j.sensors, j.events, j.end) == (base.meta, base.sensors, base.events,
                                                   base.end)
    assert _samples(j) == _samples(base)
    # version 1 has one sensor record: a flipped bit in it loses that sensor, and says so
    a, b = next(r for r in _records(j.buf) if j.buf[r[0] + HEAD_SIZE] == 2
                and b'"sid":1' in j.buf[r[0]:r[1]])
    bad = bytearray(j.buf)
    bad[(a + b) // 2] ^= 4
    q.write_bytes(bytes(bad))
    j = read_journal(q)
    assert list(_samples(j)) == ["left_foot"]
    # (offline_journal's header record has no sensor list: the recorder's names the placement)
    msg = "sensor 1: no intact sensor record, so its 12 data packets cannot be decoded: lost"
    assert msg in j.notes and "1 sensor record" in j.notes[0]
    res = finalise(q, tmp_path / "v1out")
    assert [s.placement for s in res.sensors] == ["left_foot"] and msg in res.warnings


def test_both_header_copies_lost_still_recovers(tmp_path: Path) -> None:
    p = _two_sensor_journal(tmp_path)
    buf = bytearray(p.read_bytes())
    metas = [r for r in _records(bytes(buf)) if buf[r[0] + HEAD_SIZE] == 1]
    assert len(metas) == 2
    for a, b in metas:
        buf[(a + b) // 2] ^= 1
    p.write_bytes(bytes(buf))
    j = read_journal(p)
    assert j.meta == {} and any("no intact header record" in n for n in j.notes)
    res = finalise(p, tmp_path / "nohead")
    assert {s.placement: s.stats["samples"] for s in res.sensors} == {
        "left_foot": 120, "right_foot": 120}
    assert json.loads(res.manifest.read_text())["start_time_utc"] is None


def test_many_damaged_stretches_summarised(tmp_path: Path) -> None:
    p = _two_sensor_journal(tmp_path)
    base = read_journal(p)
    buf = bytearray(p.read_bytes())
    rows = range(1, 23, 3)  # 8 data records, none adjacent
    hit = [int(base.start[i]) + 20 for i in rows]
    for pos in hit:
        buf[pos] ^= 0x10
    j = read_journal(p, bytes(buf))
    assert len(j.damage) == len(hit) and len(j.sid) == len(base.sid) - len(hit)
    assert len(j.notes) == 3  # two stretches, then one line for the rest and the totals
    lost = {s: sum(d.lost_samples.get(s, 0) for d in j.damage) for s in (0, 1)}
    n = {s: 10 * sum(1 for i in rows if base.sid[i] == s) for s in (0, 1)}
    assert lost == n
    assert j.notes[2].endswith(f"left_foot {n[0]}, right_foot {n[1]}"), j.notes


@pytest.mark.parametrize("data", [b"", b"GAITJ", b"GAITJRNL\x02"])
def test_empty_journal(tmp_path: Path, data: bytes) -> None:
    """Killed before (or while) the file header was written: empty, not 'not a journal'."""
    p = tmp_path / "e.gait.journal"
    p.write_bytes(data)
    j = read_journal(p)
    assert j.empty and j.notes[0].startswith("empty journal")
    from click.testing import CliRunner

    from gait.cli import cli

    r = CliRunner().invoke(cli, ["recover", str(p)])
    assert r.exit_code == 0 and "empty journal, no samples" in r.output
    assert not (tmp_path / "e.gait.json").exists()


def test_new_journal_header_on_disk_before_data(tmp_path: Path) -> None:
    """The file header and header record reach the file when the journal is created."""
    p = tmp_path / "n.gait.journal"
    w = JournalWriter(p, {"format": "gait-ble-journal", "origin_ns": 7})
    try:
        j = read_journal(p)  # another reader, before any flush or close
        assert j.meta["origin_ns"] == 7 and j.empty and j.json_copies == 1
    finally:
        w.close()
