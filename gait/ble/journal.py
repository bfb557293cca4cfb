"""The recorder's append-only journal: raw packets as they arrived, crash-safe.

File: ``GAITJRNL`` + u16 version (2; version 1 is read too), then records::

    magic u16 (0x5AA5) | body length u16 | CRC-32 of body u32 | body

body = ``type u8`` + payload:

* ``META`` (JSON): journal version, host clock origin (monotonic ns and UTC), spec hashes;
* ``SENSOR`` (JSON): a sensor's id, placement, address, profile, device info and configuration,
  written at every (re)connection;
* ``DATA``: ``sid u8 | host_ns i8 | char u8`` + the notification bytes, unchanged;
* ``EVENT`` (JSON): connected, disconnected, reconnecting, errors (with ``sid`` and ``host_ns``);
* ``END`` (JSON): written when the recorder stopped cleanly.

Guarantees (version 2):

* the file header and the first ``META`` are fsynced when the journal is created, before any
  data; the recorder hands every batch of packets to the OS as it arrives (a killed process
  loses nothing it had received) and fsyncs every 0.5 s (a power loss loses at most that, plus
  the packets in flight);
* every JSON record is written twice, back to back, so one damaged copy loses nothing; the
  reader keeps one of two identical consecutive JSON records;
* on reading, a stretch that is not a valid record (bad magic, length or CRC) is skipped up to
  the next record that checks out, so a flipped bit loses at most the record it hits; each
  skipped stretch is described in :attr:`Journal.notes` (a damaged copy: nothing lost; else the
  samples each sensor lacks across it). A record cut off by the end of the file is a torn tail.
  A file header with a few flipped bits is still recognised. A file that holds no more than
  the file header (killed at once) is an *empty* journal, not an error.

Size: one file format (the append-only journal: its records, writing, flushing and reading
back after a crash), in one module so that its reader and writer cannot drift apart.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from gait.errors import GaitInputError

FILE_MAGIC = b"GAITJRNL"
FILE_VERSION = 2
READ_VERSIONS = (1, 2)
FILE_HEAD = len(FILE_MAGIC) + 2
REC_MAGIC = 0x5AA5
_REC_MAGIC_BYTES = struct.pack("<H", REC_MAGIC)
_HEAD = struct.Struct("<HHI")
_DATA = struct.Struct("<BBqB")  # type, sid, host_ns, char
HEAD_SIZE = _HEAD.size
DATA_PREFIX = _DATA.size
MAX_BODY = 0xFFFF
JSON_COPIES = 2  # every JSON record is written this many times (version 2)
MAGIC_MAX_BAD_BITS = 3  # a file magic this close to GAITJRNL is a damaged one
COPY_MAX_BAD_BITS = 8  # a damaged stretch this close to its neighbour is a copy of it

META, SENSOR, DATA, EVENT, END = 1, 2, 3, 4, 5
CHAR_DATA, CHAR_STATUS, CHAR_BATTERY, CHAR_CONTROL = 0, 1, 2, 3
_TYPE_NAME = {META: "header", SENSOR: "sensor", DATA: "data", EVENT: "event", END: "end"}


def record(body: bytes) -> bytes:
    """One framed record."""
    if len(body) > MAX_BODY:
        raise ValueError(f"journal record of {len(body)} bytes (max {MAX_BODY})")
    return _HEAD.pack(REC_MAGIC, len(body), zlib.crc32(body)) + body


def json_record(rtype: int, doc: dict[str, Any], copies: int = JSON_COPIES) -> bytes:
    """A JSON record, framed ``copies`` times back to back (one damaged copy loses nothing)."""
    return record(bytes([rtype]) + json.dumps(doc, separators=(",", ":")).encode()) * copies


def data_record(sid: int, host_ns: int, payload: bytes | bytearray, char: int = CHAR_DATA
                ) -> bytes:
    return record(_DATA.pack(DATA, sid, host_ns, char) + bytes(payload))


def _fsync_dir(path: Path) -> None:
    """Make a new file's directory entry durable (POSIX; a no-op where unsupported)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class JournalWriter:
    """Append records; :meth:`flush` pushes them to the OS and (``sync``) to the disk.

    A new journal's file header and ``meta`` record are fsynced before the constructor returns.
    """

    def __init__(self, path: str | Path, meta: dict[str, Any] | None = None,
                 buffer_bytes: int = 1 << 20) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists() or self.path.stat().st_size == 0
        if new:
            # the header and meta go to a side file, fsynced, then renamed into place: a kill
            # at any moment leaves no journal or one whose header is whole
            tmp = self.path.with_name(self.path.name + ".new")
            with open(tmp, "wb") as fh:
                fh.write(FILE_MAGIC + struct.pack("<H", FILE_VERSION))
                if meta is not None:
                    fh.write(json_record(META, meta))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
            _fsync_dir(self.path.parent)
        self._fh: BinaryIO = open(self.path, "ab", buffering=buffer_bytes)  # noqa: SIM115
        if not new and meta is not None:
            self.write(json_record(META, meta))

    def write(self, rec: bytes) -> None:
        self._fh.write(rec)

    def data(self, sid: int, host_ns: int, payload: bytes | bytearray, char: int = CHAR_DATA
             ) -> None:
        self._fh.write(data_record(sid, host_ns, payload, char))

    def json(self, rtype: int, doc: dict[str, Any]) -> None:
        self._fh.write(json_record(rtype, doc))

    def flush(self, sync: bool = True) -> None:
        self._fh.flush()
        if sync:
            os.fsync(self._fh.fileno())

    def fileno(self) -> int:
        return self._fh.fileno()

    def close(self) -> None:
        if not self._fh.closed:
            self.flush()
            self._fh.close()


@dataclass
class Damage:
    """A stretch of the file that is not a valid record, skipped on reading."""

    offset: int
    nbytes: int
    kind: str  # "copy" (its twin was read: nothing lost), "records" (lost), "tail" (at the end)
    lost_samples: dict[int, int] = field(default_factory=dict)  # sid -> samples lacking across it


@dataclass
class Journal:
    """A parsed journal: JSON records, and DATA records as arrays into ``buf``."""

    path: Path
    buf: bytes
    meta: dict[str, Any]
    sensors: list[dict[str, Any]]
    events: list[dict[str, Any]]
    end: dict[str, Any] | None
    sid: np.ndarray  # per DATA record
    host_ns: np.ndarray
    char: np.ndarray
    start: np.ndarray  # payload offset in buf
    length: np.ndarray
    n_records: int = 0
    torn_tail_bytes: int = 0
    corrupt_bytes: int = 0
    bad_json: int = 0
    notes: list[str] = field(default_factory=list)
    version: int = FILE_VERSION
    damage: list[Damage] = field(default_factory=list)
    json_copies: int = 0  # redundant JSON copies read (and dropped as duplicates)

    @property
    def empty(self) -> bool:
        """Nothing recorded: no sensor data packet and no damaged stretch (a torn tail and
        control-point or battery records may be there)."""
        return not (self.char == CHAR_DATA).any() and self.corrupt_bytes == 0

    def packets(self, sid: int, char: int = CHAR_DATA) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(starts, lengths, host_ns) of one sensor's notifications on ``char``."""
        m = (self.sid == sid) & (self.char == char)
        return self.start[m], self.length[m], self.host_ns[m]

    def payload(self, i: int) -> bytes:
        s = int(self.start[i])
        return self.buf[s:s + int(self.length[i])]


def _record_len(buf: bytes, pos: int) -> int:
    """Body length of the valid record at ``pos`` (complete, body >= 1 byte, CRC matches), or
    -1 if there is none."""
    if pos + HEAD_SIZE > len(buf):
        return -1
    magic, ln, crc = _HEAD.unpack_from(buf, pos)
    end = pos + HEAD_SIZE + ln
    if magic != REC_MAGIC or ln == 0 or end > len(buf) \
            or zlib.crc32(memoryview(buf)[pos + HEAD_SIZE:end]) != crc:
        return -1
    return ln


def _bits(a: bytes, b: bytes) -> int:
    return (int.from_bytes(a, "little") ^ int.from_bytes(b, "little")).bit_count()


def _is_copy(buf: bytes, a: int, b: int, twin: tuple[int, int] | None) -> bool:
    """``buf[a:b]`` is a damaged copy of the valid JSON record ``twin`` (same size, few bits)."""
    if twin is None or twin[1] - twin[0] != b - a or buf[twin[0] + HEAD_SIZE] == DATA:
        return False
    return _bits(buf[a:b], buf[twin[0]:twin[1]]) <= COPY_MAX_BAD_BITS


def _empty(p: Path, buf: bytes, note: str) -> Journal:
    z = np.zeros(0, np.int64)
    return Journal(p, buf, {}, [], [], None, z.astype(np.uint8), z, z.astype(np.uint8), z, z,
                   torn_tail_bytes=len(buf), notes=[note])


def read_journal(path: str | Path, data: bytes | None = None) -> Journal:
    """Parse a journal (``data``: its bytes, already read); a torn tail and damaged stretches
    are skipped, counted and described."""
    p = Path(path)
    try:
        buf = p.read_bytes() if data is None else data
    except OSError as exc:
        raise GaitInputError(p, f"cannot read ({exc.strerror})", expected="a gait journal") \
            from None
    notes: list[str] = []
    if len(buf) < FILE_HEAD and FILE_MAGIC.startswith(buf[:len(FILE_MAGIC)]):
        return _empty(p, buf, "empty journal: the recorder stopped before writing anything")
    bad_magic = _bits(buf[:len(FILE_MAGIC)], FILE_MAGIC) if len(buf) >= FILE_HEAD else 99
    if bad_magic > MAGIC_MAX_BAD_BITS:
        raise GaitInputError(p, "not a gait journal", where="byte 0",
                             expected=f"{FILE_MAGIC.decode()} (written by gait record)")
    if bad_magic:
        notes.append(f"file header damaged ({bad_magic} bit(s) of its magic): read anyway")
    (ver,) = struct.unpack_from("<H", buf, len(FILE_MAGIC))
    pos = FILE_HEAD
    n = len(buf)
    mv = memoryview(buf)
    up = _HEAD.unpack_from
    crc32 = zlib.crc32
    d_pos: list[int] = []  # body offsets of DATA records
    d_len: list[int] = []
    jsons: list[tuple[int, int, int]] = []
    stretches: list[tuple[int, int, tuple[int, int] | None]] = []  # (a, b, last valid record)
    last: tuple[int, int] | None = None
    n_rec = corrupt = 0
    torn = 0
    while pos < n:
        ok = False
        if pos + HEAD_SIZE <= n:
            magic, ln, crc = up(buf, pos)
            end = pos + HEAD_SIZE + ln
            if magic == REC_MAGIC and ln and end <= n and crc32(mv[pos + HEAD_SIZE:end]) == crc:
                ok = True
        if ok:
            n_rec += 1
            t = buf[pos + HEAD_SIZE]
            if t == DATA and ln >= DATA_PREFIX:
                d_pos.append(pos + HEAD_SIZE)
                d_len.append(ln)
            else:
                jsons.append((t, pos + HEAD_SIZE + 1, end))
            last = (pos, end)
            pos = end
            continue
        # not a valid record here: torn tail, or damage followed by valid records
        nxt = pos + 1
        found = -1
        while True:
            nxt = buf.find(_REC_MAGIC_BYTES, nxt)
            if nxt < 0:
                break
            if _record_len(buf, nxt) > 0:
                found = nxt
                break
            nxt += 1
        stretches.append((pos, n if found < 0 else found, last))
        if found < 0:
            torn = n - pos
            break
        corrupt += found - pos
        pos = found
    meta: dict[str, Any] = {}
    sensors: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    end_doc: dict[str, Any] | None = None
    bad_json = copies = 0
    prev_body = b""
    for t, a, b in jsons:
        body = buf[a - 1:b]
        if body == prev_body:  # the redundant copy of the record before
            copies += 1
            continue
        prev_body = body
        try:
            doc = json.loads(buf[a:b])
        except (ValueError, UnicodeDecodeError):
            bad_json += 1
            continue
        if not isinstance(doc, dict):
            bad_json += 1
        elif t == META:
            meta = doc
        elif t == SENSOR:
            sensors.append(doc)
        elif t == EVENT:
            events.append(doc)
        elif t == END:
            end_doc = doc
    if ver not in READ_VERSIONS:
        mver = meta.get("version")
        if mver is not None and mver not in READ_VERSIONS:
            raise GaitInputError(p, f"unsupported journal version {mver}", where="header record",
                                 expected=" or ".join(map(str, READ_VERSIONS)))
        # version 2 writes every JSON record twice; else trust the header record, else the
        # known version one bit away
        guess = 2 if copies else mver if mver is not None else next(
            (v for v in READ_VERSIONS if (v ^ ver).bit_count() == 1), None)
        if guess is None:
            raise GaitInputError(p, f"unsupported journal version {ver}", where="byte 8",
                                 expected=" or ".join(map(str, READ_VERSIONS)))
        notes.append(f"file header damaged (version field {ver}): read as version {guess}")
        ver = int(guess)
    arr = np.frombuffer(buf, dtype=np.uint8)
    dp = np.asarray(d_pos, dtype=np.int64)
    dl = np.asarray(d_len, dtype=np.int64)
    sid = arr[dp + 1] if len(dp) else np.zeros(0, np.uint8)
    host = (np.ascontiguousarray(arr[dp[:, None] + np.arange(2, 10)]).view("<i8").ravel()
            if len(dp) else np.zeros(0, np.int64))
    char = arr[dp + 10] if len(dp) else np.zeros(0, np.uint8)
    j = Journal(p, buf, meta, sensors, events, end_doc, sid, host, char,
                dp + DATA_PREFIX, dl - DATA_PREFIX, n_rec, torn, corrupt, bad_json, notes, ver,
                json_copies=copies)
    if stretches:
        _describe_damage(j, stretches, dp - HEAD_SIZE)
    _check_headers(j)
    return j


# ------------------------------------------------------------------------ what was lost

def _names(j: Journal) -> dict[int, str]:
    out = {int(s["sid"]): str(s.get("placement")) for s in j.meta.get("sensors") or []
           if isinstance(s, dict) and isinstance(s.get("sid"), int)}
    out.update({int(d["sid"]): str(d.get("placement")) for d in j.sensors
                if isinstance(d.get("sid"), int)})
    return out


def _rates(j: Journal) -> dict[int, float]:
    out: dict[int, float] = {}
    for d in j.sensors:
        if not isinstance(d.get("sid"), int):
            continue
        cfg = d.get("config") or {}
        acc = (d.get("settings") or {}).get("ACC") or {}
        r = cfg.get("odr_hz") or acc.get("SAMPLE_RATE")
        if isinstance(r, int | float) and r > 0:
            out[int(d["sid"])] = float(r)
    return out


def _gait_index(j: Journal) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per DATA record: is it a gait data packet, its first sample index and sample count."""
    from gait.ble.spec import gait_profile

    gp = gait_profile()
    arr = np.frombuffer(j.buf, dtype=np.uint8)
    ok = (j.char == CHAR_DATA) & (j.length >= gp.header_size)
    s = j.start[ok]
    ok[ok] = arr[s] == gp.data_version
    k = np.zeros(len(j.start), np.int64)
    cnt = np.zeros(len(j.start), np.int64)
    s = j.start[ok]
    if len(s):
        k[ok] = np.ascontiguousarray(arr[s[:, None] + np.arange(4, 8)]).view("<u4").ravel()
        cnt[ok] = arr[s + 12]
    return ok, k, cnt


def _guess(j: Journal, a: int, b: int) -> tuple[bool, int, int, int, int, int]:
    """The damaged stretch read as one data record (any field may be the damaged one):
    (framing consistent, type, sid, host_ns, gait first index, gait sample count)."""
    buf = j.buf
    if b - a < HEAD_SIZE + DATA_PREFIX:
        return False, buf[a + HEAD_SIZE] if b - a > HEAD_SIZE else -1, -1, 0, -1, 0
    magic, ln, _ = _HEAD.unpack_from(buf, a)
    one = magic == REC_MAGIC and HEAD_SIZE + ln == b - a
    t, s, h, _ = _DATA.unpack_from(buf, a + HEAD_SIZE)
    body = a + HEAD_SIZE + DATA_PREFIX
    size = b - body
    k, cnt = -1, 0
    if size >= 14:
        k, cnt = struct.unpack_from("<I", buf, body + 4)[0], buf[body + 12]
        whole = one or b < len(buf)  # (not a torn tail)
        if whole and size not in (14 + 12 * cnt, 14 + 6 * cnt):  # damaged count: size tells
            cnt = (size - 14) // 12 if (size - 14) % 12 == 0 else (
                (size - 14) // 6 if (size - 14) % 6 == 0 else 0)
    return one, t, s, h, k, cnt


def _describe_damage(j: Journal, stretches: list[tuple[int, int, tuple[int, int] | None]],
                     rec_pos: np.ndarray) -> None:
    """Classify each skipped stretch and say in ``j.notes`` what it cost."""
    buf, n = j.buf, len(j.buf)
    names, rates = _names(j), _rates(j)
    origin = int(j.meta.get("origin_ns", 0)) if j.meta else (
        int(j.host_ns.min()) if len(j.host_ns) else 0)
    gait_ok, k, cnt = _gait_index(j)
    sids = sorted({int(s) for s in np.unique(j.sid[j.char == CHAR_DATA])})
    per_sid = {s: np.flatnonzero((j.sid == s) & (j.char == CHAR_DATA)) for s in sids}
    lines: list[str] = []
    copies: list[int] = []
    wrap = 1 << 32
    for a, b, last in stretches:
        nxt = None
        if b < n:
            nxt = (b, b + HEAD_SIZE + _record_len(buf, b))
        twin = next((r for r in (last, nxt) if _is_copy(buf, a, b, r)), None)
        if twin is None and b == n and last is not None and n - a < last[1] - last[0]:
            twin = last if _is_copy(buf, a, b, (last[0], last[0] + n - a)) else None  # torn
        if j.version >= 2 and twin is not None:  # (a stretch always starts where ``last`` ends)
            j.damage.append(Damage(a, b - a, "copy"))
            copies.append(buf[twin[0] + HEAD_SIZE])
            if b == n and n - a == twin[1] - twin[0]:  # a damaged copy, not a torn one
                j.torn_tail_bytes = 0
                j.corrupt_bytes += b - a
            continue
        i = int(np.searchsorted(rec_pos, a))  # first DATA record after the stretch
        h_lo = int(j.host_ns[i - 1]) if i > 0 else -(1 << 63)
        h_hi = int(j.host_ns[i]) if i < len(rec_pos) else (1 << 63) - 1
        one, g_t, g_sid, g_host, g_k, g_n = _guess(j, a, b)
        lost: dict[int, int] = {}
        fits: list[int] = []  # sensors at whose start or end the damaged packet fits
        for s, idx in per_sid.items():
            m = int(np.searchsorted(idx, i))
            pa = int(idx[m - 1]) if m > 0 and gait_ok[idx[m - 1]] else None
            pb = int(idx[m]) if m < len(idx) and gait_ok[idx[m]] else None
            if pa is not None and pb is not None:
                hole = (int(k[pb]) - int(k[pa]) - int(cnt[pa])) % wrap
                lost[s] = hole if hole < wrap // 2 else 0
            elif g_n and g_k >= 0 and (pa is not None or pb is not None):
                exp = ((int(k[pa]) + int(cnt[pa])) if pa is not None else int(k[pb]) - g_n) % wrap
                if (exp ^ g_k).bit_count() <= 1:  # (its index may be the damaged field)
                    fits.append(s)
        if fits:
            s = g_sid if g_sid in fits else fits[0]
            lost[s] = g_n
            g_sid = s
        label = ""
        if g_sid in names and (g_sid in fits or (g_t == DATA and h_lo <= g_host <= h_hi)):
            label = f"{'1' if one else 'a'} data record of {names[g_sid]}"
        elif one and g_t in _TYPE_NAME and g_t != DATA:
            label = f"1 {_TYPE_NAME[g_t]} record"
        when_ns = h_lo if i > 0 else (g_host if label.startswith(("1 data", "a data")) else None)
        when = f"at {(when_ns - origin) / 1e9:.3f} s" if when_ns is not None else ""
        what = ", ".join(x for x in (label, when) if x)
        parts = []
        for s in sids:
            if s in lost:
                r = rates.get(s)
                sec = f" ({lost[s] / r:.3f} s)" if r else ""
                name = names.get(s, f"sensor {s}")
                parts.append(f"{name} lacks {lost[s]} samples{sec}" if lost[s] else f"{name} none")
        if b == n:
            magic, ln, _ = _HEAD.unpack_from(buf, a) if n - a >= HEAD_SIZE else (0, 0, 0)
            whole = magic == REC_MAGIC and HEAD_SIZE + ln == n - a
            j.damage.append(Damage(a, n - a, "tail", lost))
            lines.append(f"{'damaged' if whole else 'torn'} final record dropped ({n - a} bytes "
                         f"at byte {a}{', ' + what if what else ''})"
                         + (": " + ", ".join(parts) if parts else ""))
            continue
        j.damage.append(Damage(a, b - a, "records", lost))
        lines.append(f"byte {a}: {b - a} damaged bytes skipped{f' ({what})' if what else ''}"
                     + (": " + ", ".join(parts) + " there" if parts else ""))
    if copies:
        kinds = sorted({_TYPE_NAME.get(t, "unknown") for t in copies})
        j.notes.append(f"{len(copies)} damaged copy(ies) of {'/'.join(kinds)} record(s) skipped "
                       "(the other copy was read: nothing lost)")
    if len(lines) > 4:
        total: dict[int, int] = {}
        for d in j.damage:
            for s, v in d.lost_samples.items():
                total[s] = total.get(s, 0) + v
        bad = [d for d in j.damage if d.kind != "copy"]
        lost_all = ", ".join(f"{names.get(s, f'sensor {s}')} {v}"
                             for s, v in sorted(total.items()))
        lines = [*lines[:2], f"... and {len(lines) - 2} more: {len(bad)} damaged stretches "
                 f"({sum(d.nbytes for d in bad)} bytes) in all; samples lacking across them: "
                 f"{lost_all or 'unknown'}"]
    j.notes.extend(lines)


def _check_headers(j: Journal) -> None:
    """Notes for data whose header or sensor record is missing (damaged beyond its copies)."""
    if not j.meta and len(j.sid):
        j.notes.append("no intact header record: the start time (UTC) and mounts are unknown")
    names = _names(j)
    have = {d.get("sid") for d in j.sensors}
    data = {int(x) for x in np.unique(j.sid[j.char == CHAR_DATA])}
    if data:
        for s in sorted({x for x in have if isinstance(x, int)} - data):
            j.notes.append(f"{names.get(s, f'sensor {s}')}: connected, but no samples arrived")
    for s in sorted({int(x) for x in np.unique(j.sid)}):
        if s not in have:
            npk = int(((j.sid == s) & (j.char == CHAR_DATA)).sum())
            j.notes.append(f"{names.get(s, f'sensor {s}')}: no intact sensor record, so its "
                           f"{npk} data packets cannot be decoded: lost")
