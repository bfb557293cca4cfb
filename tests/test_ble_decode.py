"""Packet decoding: encode -> decode round trips; malformed packets counted, never raised."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gait.ble.decode import (
    decode_gait,
    decode_polar,
    decode_polar_frame,
    encode_gait_packet,
    encode_polar_frame,
)
from gait.ble.spec import gait_profile, polar_profile


def _pack(packets: list[bytes]) -> tuple[bytes, np.ndarray, np.ndarray]:
    lengths = np.array([len(p) for p in packets], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    return b"".join(packets), starts, lengths


def test_gait_round_trip_many_packets() -> None:
    rng = np.random.default_rng(0)
    pkts, truth, firsts = [], [], []
    k = 2**32 - 25  # the index wraps inside the stream
    for i in range(40):
        n = int(rng.integers(1, 20))
        gyro = i % 7 != 3
        s = rng.integers(-32768, 32768, (n, 6 if gyro else 3)).astype(np.int16)
        pkts.append(encode_gait_packet(i, k, 1000 * i, s, side=1, config_id=3,
                                       overflow=i == 5))
        full = np.zeros((n, 6), np.int16)
        full[:, : s.shape[1]] = s
        truth.append(full)
        firsts.append(k & 0xFFFFFFFF)
        k += n
    buf, starts, lengths = _pack(pkts)
    d = decode_gait(buf, starts, lengths, np.arange(40))
    assert d.malformed == {}
    assert d.n_packets == 40
    np.testing.assert_array_equal(d.raw, np.concatenate(truth))
    np.testing.assert_array_equal(d.first_index, firsts)
    np.testing.assert_array_equal(d.t_first, 1000 * np.arange(40))
    assert list(d.has_gyr) == [i % 7 != 3 for i in range(40)]
    p = gait_profile()
    assert ((d.flags & p.flags[2]) != 0).sum() == 1
    assert (d.config_id == 3).all() and (d.flags & 3 == 1).all()
    sub = d.take(np.arange(40) % 2 == 0)
    np.testing.assert_array_equal(sub.raw, np.concatenate(truth[::2]))


def test_gait_malformed_kinds() -> None:
    s = np.ones((4, 6), np.int16)
    good = encode_gait_packet(0, 0, 0, s)
    bad = [good[:5], encode_gait_packet(0, 0, 0, s, version=9), good + b"\x00",
           good[:-2], bytes([1, 0x40]) + good[2:], encode_gait_packet(0, 0, 0, s[:0])]
    buf, st_, ln = _pack([good, *bad, good])
    d = decode_gait(buf, st_, ln)
    assert d.n_packets == 2
    assert d.malformed == {"short": 1, "version": 1, "length": 2, "flags": 1, "empty": 1}


def _classify(b: bytes) -> str | None:
    """What the spec says about one packet (reference, unvectorised)."""
    p = gait_profile()
    if len(b) < 14:
        return "short"
    if b[0] != p.data_version:
        return "version"
    if b[1] & 0xF0:
        return "flags"
    if b[12] == 0:
        return "empty"
    if len(b) != 14 + b[12] * (12 if b[1] & 4 else 6):
        return "length"
    return None


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(
    st.binary(max_size=80),
    st.builds(lambda n, g, v, cut: encode_gait_packet(
        0, 5, 9, np.full((n, 6 if g else 3), 7, np.int16), version=v)[:cut],
        st.integers(1, 20), st.booleans(), st.sampled_from([1, 1, 1, 0, 2, 255]),
        st.integers(0, 300))), max_size=30))
def test_malformed_are_counted_never_raised(packets: list[bytes]) -> None:
    buf, starts, lengths = _pack(packets) if packets else (b"", np.zeros(0), np.zeros(0))
    d = decode_gait(buf, starts, lengths)
    kinds = [_classify(b) for b in packets]
    assert d.n_packets == kinds.count(None)
    for k in ("short", "version", "flags", "empty", "length"):
        assert d.malformed.get(k, 0) == kinds.count(k)
    assert d.n_samples == sum(b[12] for b, k in zip(packets, kinds, strict=True) if k is None)


@pytest.mark.parametrize("frame_type,nbytes", [(0, 1), (1, 2), (2, 3)])
def test_polar_uncompressed_round_trip(frame_type: int, nbytes: int) -> None:
    rng = np.random.default_rng(frame_type)
    lim = 1 << (8 * nbytes - 1)
    s = rng.integers(-lim, lim, (25, 3))
    f = encode_polar_frame("ACC", 123456789, s, compressed=False, frame_type=frame_type)
    d = decode_polar_frame(f)
    assert d.measurement == "ACC" and d.timestamp_ns == 123456789 and d.unit == "mg"
    np.testing.assert_array_equal(d.samples, s)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 80), st.integers(0, 15), st.sampled_from(["ACC", "GYRO"]),
       st.integers(1, 40), st.integers(0, 2**63))
def test_polar_compressed_round_trip(n: int, scale_bits: int, meas: str, block: int,
                                     ts: int) -> None:
    rng = np.random.default_rng(n * 31 + scale_bits)
    steps = rng.integers(-(1 << scale_bits), (1 << scale_bits) + 1, (n, 3))
    s = np.clip(np.cumsum(steps, axis=0), -32768, 32767)
    f = encode_polar_frame(meas, ts, s, compressed=True, block=block)
    d = decode_polar_frame(f, factor=0.5)
    assert d.measurement == meas and d.timestamp_ns == ts
    np.testing.assert_array_equal(d.samples, s * 0.5)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=60), max_size=20))
def test_polar_garbage_counted(packets: list[bytes]) -> None:
    good = encode_polar_frame("ACC", 5, np.zeros((4, 3), int))
    res = decode_polar([good, *packets, good])
    assert len(res.frames) + sum(res.malformed.values()) == len(packets) + 2
    assert len(res.frames) >= 2


def test_polar_truncated_frame_is_malformed() -> None:
    f = encode_polar_frame("GYRO", 5, np.arange(60).reshape(20, 3))
    res = decode_polar([f[:-1], f[:9], bytes([7]) + f[1:], f])
    assert len(res.frames) == 1
    assert sum(res.malformed.values()) == 3
    assert polar_profile().measurement_name(7) is None
