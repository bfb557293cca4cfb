"""Packets to samples, vectorised, driven by the profile tables in :mod:`gait.ble.spec`.

* Open gait profile: :func:`decode_gait` takes many packets at once (a byte buffer plus the
  offset and length of each packet), validates every header with numpy and gathers the int16
  samples of all valid packets in one fancy-indexing step. Malformed packets (too short, wrong
  version, reserved flag bits, length not ``header + n x sample size``) are counted by reason
  and left out; nothing raises.
* Polar PMD: :func:`decode_polar` decodes ACC/GYRO/MAG frames, uncompressed (int8/16/24) and
  delta-compressed (reference sample, then ``[bit width][count][packed deltas]`` blocks, unpacked
  with ``numpy.unpackbits``).

The encoders (:func:`encode_gait_packet`, :func:`encode_polar_frame`) are used by the virtual
sensor and the round-trip tests.
"""

from __future__ import annotations

import math
import struct
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from gait.ble.spec import GaitProfile, PolarProfile, gait_profile, polar_profile

MALFORMED_REASONS = ("short", "version", "flags", "length", "empty")
_CHUNK_PACKETS = 1 << 15  # packets per gather step (bounds the index arrays)


@dataclass
class GaitPackets:
    """Valid packets of one sensor (arrival order) and their samples (raw int16).

    ``sample_start[i]`` is the row of packet ``i``'s first sample in ``raw``; ``raw`` is
    ``N x 6`` (ax ay az gx gy gz; gyro columns zero where ``has_gyr`` is False).
    """

    host_ns: np.ndarray
    flags: np.ndarray
    seq: np.ndarray
    first_index: np.ndarray  # uint32 as sent (wrapping)
    t_first: np.ndarray  # uint32 device ticks (wrapping)
    n: np.ndarray
    config_id: np.ndarray
    sample_start: np.ndarray
    raw: np.ndarray
    has_gyr: np.ndarray  # per packet
    malformed: Counter[str] = field(default_factory=Counter)

    @property
    def n_packets(self) -> int:
        return len(self.n)

    @property
    def n_samples(self) -> int:
        return int(self.raw.shape[0])

    def take(self, keep: np.ndarray) -> GaitPackets:
        """The packets selected by a boolean mask or index array, with their samples."""
        idx = np.flatnonzero(keep) if keep.dtype == bool else np.asarray(keep)
        n = self.n[idx].astype(np.int64)
        rows = sample_ranges(self.sample_start[idx], n)
        starts = np.concatenate([[0], np.cumsum(n)[:-1]]).astype(np.int64) if len(n) else n
        return GaitPackets(self.host_ns[idx], self.flags[idx], self.seq[idx],
                           self.first_index[idx], self.t_first[idx], self.n[idx],
                           self.config_id[idx], starts, self.raw[rows], self.has_gyr[idx],
                           Counter(self.malformed))


def sample_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + l)`` for every (s, l), vectorised."""
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    nz = lengths > 0
    out = np.ones(total, dtype=np.int64)
    out[first[nz]] = np.asarray(starts, dtype=np.int64)[nz]
    prev_end = np.asarray(starts, dtype=np.int64)[nz][:-1] + lengths[nz][:-1] - 1
    out[first[nz][1:]] -= prev_end
    return np.cumsum(out)


def _as_u8(buf: bytes | bytearray | memoryview | np.ndarray) -> np.ndarray:
    if isinstance(buf, np.ndarray):
        return buf.view(np.uint8).ravel()
    return np.frombuffer(buf, dtype=np.uint8)


def decode_gait(buf: bytes | bytearray | memoryview | np.ndarray, starts: np.ndarray,
                lengths: np.ndarray, host_ns: np.ndarray | None = None,
                profile: GaitProfile | None = None) -> GaitPackets:
    """Decode many open-profile packets lying in ``buf`` at ``starts`` (``lengths`` bytes each).

    Invalid packets are counted in ``malformed`` by reason and dropped.
    """
    p = profile or gait_profile()
    arr = _as_u8(buf)
    starts = np.asarray(starts, dtype=np.int64)
    lengths = np.asarray(lengths, dtype=np.int64)
    host = (np.zeros(len(starts), np.int64) if host_ns is None
            else np.asarray(host_ns, dtype=np.int64))
    hs = p.header_size
    bad = Counter()
    short = lengths < hs
    bad["short"] = int(short.sum())
    ok_idx = np.flatnonzero(~short)
    hdr = np.empty(len(ok_idx), dtype=p.header.dtype)
    if len(ok_idx):
        gathered = arr[starts[ok_idx, None] + np.arange(hs)]
        hdr = np.ascontiguousarray(gathered).view(p.header.dtype).ravel()
    side_mask, gyro_bit, ovf_bit = p.flags
    reserved = ~np.uint8(side_mask | gyro_bit | ovf_bit)
    ver_bad = hdr["ver"] != p.data_version
    flags_bad = ~ver_bad & ((hdr["flags"] & reserved) != 0)
    has_gyr = (hdr["flags"] & gyro_bit) != 0
    size = np.where(has_gyr, 12, 6)
    nn = hdr["n"].astype(np.int64)
    empty = ~ver_bad & ~flags_bad & (nn == 0)
    len_bad = ~ver_bad & ~flags_bad & ~empty & (lengths[ok_idx] != hs + nn * size)
    bad["version"] = int(ver_bad.sum())
    bad["flags"] = int(flags_bad.sum())
    bad["empty"] = int(empty.sum())
    bad["length"] = int(len_bad.sum())
    good = ~(ver_bad | flags_bad | empty | len_bad)
    gi = ok_idx[good]
    h = hdr[good]
    nn = nn[good]
    hg = has_gyr[good]
    raw = _gather_samples(arr, starts[gi] + hs, nn, hg)
    sample_start = np.concatenate([[0], np.cumsum(nn)[:-1]]).astype(np.int64) if len(nn) else nn
    bad = Counter({k: v for k, v in bad.items() if v})
    return GaitPackets(host[gi], h["flags"].copy(), h["seq"].copy(),
                       h["first_sample_index"].copy(), h["t_first"].copy(), h["n"].copy(),
                       h["config_id"].copy(), sample_start, raw, hg, bad)


def _gather_samples(arr: np.ndarray, pay: np.ndarray, n: np.ndarray, gyro: np.ndarray
                    ) -> np.ndarray:
    """int16 samples (sum(n) x 6) from payloads at ``pay``; grouped by packet shape."""
    total = int(n.sum())
    out = np.zeros((total, 6), dtype=np.int16)
    if total == 0:
        return out
    row0 = np.concatenate([[0], np.cumsum(n)[:-1]])
    shapes = np.unique(np.stack([n, gyro.astype(np.int64)], axis=1), axis=0)
    for nv, gv in shapes:
        sel = np.flatnonzero((n == nv) & (gyro == bool(gv)))
        width = int(nv) * (12 if gv else 6)
        ch = 6 if gv else 3
        for c0 in range(0, len(sel), _CHUNK_PACKETS):
            s = sel[c0:c0 + _CHUNK_PACKETS]
            block = np.ascontiguousarray(arr[pay[s, None] + np.arange(width)])
            vals = block.view("<i2").reshape(len(s) * int(nv), ch)
            rows = (row0[s, None] + np.arange(int(nv))).ravel()
            out[rows, :ch] = vals
    return out


def encode_gait_packet(seq: int, first_index: int, t_first: int, samples: np.ndarray, *,
                       side: int = 0, overflow: bool = False, config_id: int = 0,
                       version: int | None = None, profile: GaitProfile | None = None) -> bytes:
    """One data packet. ``samples``: ``n x 6`` (with gyro) or ``n x 3`` int16 raw values."""
    p = profile or gait_profile()
    s = np.asarray(samples)
    side_mask, gyro_bit, ovf_bit = p.flags
    flags = (side & side_mask) | (gyro_bit if s.shape[1] == 6 else 0) | (ovf_bit if overflow else 0)
    head = p.header.pack(ver=p.data_version if version is None else version, flags=flags,
                         seq=seq & 0xFFFF, first_sample_index=first_index & 0xFFFFFFFF,
                         t_first=t_first & 0xFFFFFFFF, n=len(s), config_id=config_id)
    return head + np.ascontiguousarray(s, dtype="<i2").tobytes()


def peek_gait(packet: bytes | bytearray, profile: GaitProfile | None = None
              ) -> tuple[int, int] | None:
    """(first_sample_index, n) of a valid-looking packet, else None (recorder status line)."""
    p = profile or gait_profile()
    if len(packet) < p.header_size or packet[0] != p.data_version:
        return None
    h = p.header.unpack(packet)
    return h["first_sample_index"], h["n"]


# ---------------------------------------------------------------------------- Polar PMD


@dataclass
class PolarFrame:
    """One decoded PMD frame: samples (n x channels, in the frame's unit) and its stamp."""

    measurement: str
    timestamp_ns: int
    samples: np.ndarray
    unit: str
    host_ns: int = 0


@dataclass
class PolarFrames:
    frames: list[PolarFrame]
    malformed: Counter[str] = field(default_factory=Counter)


def _signed(x: np.ndarray, bits: int) -> np.ndarray:
    x = x.astype(np.int64)
    return np.where(x >= 1 << (bits - 1), x - (1 << bits), x)


def _le_ints(b: np.ndarray, nbytes: int) -> np.ndarray:
    """Little-endian signed integers of ``nbytes`` from the rows of a uint8 matrix."""
    v = np.zeros(b.shape[:-1], dtype=np.int64)
    for i in range(nbytes):
        v |= b[..., i].astype(np.int64) << (8 * i)
    return _signed(v, 8 * nbytes)


def _unpack_deltas(payload: np.ndarray, width: int, count: int) -> np.ndarray:
    """``count`` signed ``width``-bit values packed LSB first."""
    bits = np.unpackbits(payload, bitorder="little")[: width * count].reshape(count, width)
    vals = bits.astype(np.int64) @ (np.int64(1) << np.arange(width, dtype=np.int64))
    return _signed(vals, width)


def decode_polar_frame(data: bytes | bytearray, factor: float = 1.0, resolution: int = 16,
                       profile: PolarProfile | None = None) -> PolarFrame:
    """Decode one PMD data frame; raises ``ValueError`` with the reason if malformed."""
    p = profile or polar_profile()
    hs = p.header_size
    if len(data) < hs + 1:
        raise ValueError("short")
    h = p.header.unpack(data)
    meas = p.measurement_name(h["measurement_type"])
    compressed = bool(h["frame_type"] & p.compressed_bit)
    ftype = h["frame_type"] & int(p.raw["frame"]["frame_type_mask"])
    spec = p.frame(meas, ftype, compressed) if meas else None
    if spec is None:
        raise ValueError("type")
    ch = int(spec["channels"])
    b = np.frombuffer(bytes(data[hs:]), dtype=np.uint8)
    if not compressed:
        nb = int(spec["bytes"])
        if len(b) % (nb * ch):
            raise ValueError("length")
        vals = _le_ints(b.reshape(-1, ch, nb), nb).astype(np.float64)
        return PolarFrame(meas, h["timestamp_ns"], vals, spec["unit"])
    rb = math.ceil(resolution / 8)
    if len(b) < rb * ch:
        raise ValueError("length")
    ref = _le_ints(b[: rb * ch].reshape(ch, rb), rb)
    out = [ref[None, :]]
    pos = rb * ch
    while pos < len(b):
        if pos + 2 > len(b):
            raise ValueError("length")
        width, count = int(b[pos]), int(b[pos + 1])
        nbytes = math.ceil(width * count * ch / 8)
        if width == 0 or width > 32 or pos + 2 + nbytes > len(b):
            raise ValueError("length")
        d = _unpack_deltas(b[pos + 2: pos + 2 + nbytes], width, count * ch).reshape(count, ch)
        out.append(d)
        pos += 2 + nbytes
    allv = np.concatenate(out, axis=0)
    vals = np.cumsum(allv, axis=0).astype(np.float64) * factor
    return PolarFrame(meas, h["timestamp_ns"], vals, spec["unit"])


def decode_polar(packets: list[bytes], host_ns: list[int] | np.ndarray | None = None,
                 factors: dict[str, float] | None = None, resolution: int = 16,
                 profile: PolarProfile | None = None) -> PolarFrames:
    """Decode many PMD frames; malformed ones are counted, never raised."""
    p = profile or polar_profile()
    factors = factors or {}
    frames: list[PolarFrame] = []
    bad: Counter[str] = Counter()
    for i, pkt in enumerate(packets):
        meas = p.measurement_name(pkt[0]) if len(pkt) else None
        try:
            f = decode_polar_frame(pkt, factors.get(meas or "", 1.0), resolution, p)
        except ValueError as exc:
            bad[str(exc)] += 1
            continue
        f.host_ns = int(host_ns[i]) if host_ns is not None else 0
        frames.append(f)
    return PolarFrames(frames, bad)


def _pack_deltas(d: np.ndarray, width: int) -> bytes:
    u = (d.astype(np.int64) & ((1 << width) - 1)).ravel()
    bits = ((u[:, None] >> np.arange(width)) & 1).astype(np.uint8).ravel()
    return np.packbits(bits, bitorder="little").tobytes()


def encode_polar_frame(measurement: str, timestamp_ns: int, samples: np.ndarray, *,
                       compressed: bool = True, frame_type: int = 0, resolution: int = 16,
                       block: int = 16, profile: PolarProfile | None = None) -> bytes:
    """A PMD frame; ``samples`` are integers (n x channels) in raw units."""
    p = profile or polar_profile()
    s = np.asarray(samples, dtype=np.int64)
    ftype = frame_type | (p.compressed_bit if compressed else 0)
    head = p.header.pack(measurement_type=p.measurement_types[measurement],
                         timestamp_ns=timestamp_ns, frame_type=ftype)
    if not compressed:
        spec = p.frame(measurement, frame_type, False)
        assert spec is not None
        nb = int(spec["bytes"])
        u = s & ((1 << (8 * nb)) - 1)
        b = ((u[..., None] >> (8 * np.arange(nb))) & 0xFF).astype(np.uint8)
        return head + b.tobytes()
    rb = math.ceil(resolution / 8)
    ref = s[0] & ((1 << (8 * rb)) - 1)
    body = bytearray(((ref[:, None] >> (8 * np.arange(rb))) & 0xFF).astype(np.uint8).tobytes())
    deltas = np.diff(s, axis=0)
    for i in range(0, len(deltas), block):
        d = deltas[i:i + block]
        m = int(np.max(np.abs(d))) if d.size else 0
        width = max(1, int(m).bit_length() + 1)
        body += struct.pack("<BB", width, len(d)) + _pack_deltas(d, width)
    return head + bytes(body)
