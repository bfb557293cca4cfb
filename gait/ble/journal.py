"""The recorder's append-only journal: raw packets as they arrived, crash-safe.

File: ``GAITJRNL`` + u16 version, then records::

    magic u16 (0x5AA5) | body length u16 | CRC-32 of body u32 | body

body = ``type u8`` + payload:

* ``META`` (JSON): journal version, host clock origin (monotonic ns and UTC), spec hashes;
* ``SENSOR`` (JSON): a sensor's id, placement, address, profile, device info and configuration,
  written at every (re)connection;
* ``DATA``: ``sid u8 | host_ns i8 | char u8`` + the notification bytes, unchanged;
* ``EVENT`` (JSON): connected, disconnected, reconnecting, errors (with ``sid`` and ``host_ns``);
* ``END`` (JSON): written when the recorder stopped cleanly.

The recorder flushes (and fsyncs) every second, so a crash loses at most the last second. On
reading, a record whose length runs past the end of the file or whose CRC does not match at the
end is a torn tail and is dropped; a bad record in the middle is skipped by searching for the
next magic whose record checks out (counted as ``corrupt_bytes``).
"""

from __future__ import annotations

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
FILE_VERSION = 1
REC_MAGIC = 0x5AA5
_REC_MAGIC_BYTES = struct.pack("<H", REC_MAGIC)
_HEAD = struct.Struct("<HHI")
_DATA = struct.Struct("<BBqB")  # type, sid, host_ns, char
HEAD_SIZE = _HEAD.size
DATA_PREFIX = _DATA.size
MAX_BODY = 0xFFFF

META, SENSOR, DATA, EVENT, END = 1, 2, 3, 4, 5
CHAR_DATA, CHAR_STATUS, CHAR_BATTERY, CHAR_CONTROL = 0, 1, 2, 3


def record(body: bytes) -> bytes:
    """One framed record."""
    if len(body) > MAX_BODY:
        raise ValueError(f"journal record of {len(body)} bytes (max {MAX_BODY})")
    return _HEAD.pack(REC_MAGIC, len(body), zlib.crc32(body)) + body


def json_record(rtype: int, doc: dict[str, Any]) -> bytes:
    return record(bytes([rtype]) + json.dumps(doc, separators=(",", ":")).encode())


def data_record(sid: int, host_ns: int, payload: bytes | bytearray, char: int = CHAR_DATA
                ) -> bytes:
    return record(_DATA.pack(DATA, sid, host_ns, char) + bytes(payload))


class JournalWriter:
    """Append records; :meth:`flush` pushes them to the disk (``fsync``)."""

    def __init__(self, path: str | Path, meta: dict[str, Any] | None = None,
                 buffer_bytes: int = 1 << 20) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists() or self.path.stat().st_size == 0
        self._fh: BinaryIO = open(self.path, "ab", buffering=buffer_bytes)  # noqa: SIM115
        if new:
            self._fh.write(FILE_MAGIC + struct.pack("<H", FILE_VERSION))
        if meta is not None:
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

    def packets(self, sid: int, char: int = CHAR_DATA) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(starts, lengths, host_ns) of one sensor's notifications on ``char``."""
        m = (self.sid == sid) & (self.char == char)
        return self.start[m], self.length[m], self.host_ns[m]

    def payload(self, i: int) -> bytes:
        s = int(self.start[i])
        return self.buf[s:s + int(self.length[i])]


def _valid_at(buf: bytes, pos: int) -> int:
    """Length of the record at ``pos`` if it is complete and its CRC matches, else -1/-2.

    -1: runs past the end (torn); -2: present but corrupt.
    """
    if pos + HEAD_SIZE > len(buf):
        return -1
    magic, ln, crc = _HEAD.unpack_from(buf, pos)
    if magic != REC_MAGIC:
        return -2
    end = pos + HEAD_SIZE + ln
    if end > len(buf):
        return -1
    if zlib.crc32(memoryview(buf)[pos + HEAD_SIZE:end]) != crc:
        return -2
    return ln


def read_journal(path: str | Path) -> Journal:
    """Parse a journal; a torn tail and corrupt stretches are skipped and counted."""
    p = Path(path)
    try:
        buf = p.read_bytes()
    except OSError as exc:
        raise GaitInputError(p, f"cannot read ({exc.strerror})", expected="a gait journal") \
            from None
    if not buf.startswith(FILE_MAGIC):
        raise GaitInputError(p, "not a gait journal", where="byte 0",
                             expected=f"{FILE_MAGIC.decode()} (written by gait record)")
    if len(buf) < len(FILE_MAGIC) + 2:
        raise GaitInputError(p, "journal header is cut off", expected="a gait journal")
    (ver,) = struct.unpack_from("<H", buf, len(FILE_MAGIC))
    if ver != FILE_VERSION:
        raise GaitInputError(p, f"unsupported journal version {ver}", where="byte 8",
                             expected=str(FILE_VERSION))
    pos = len(FILE_MAGIC) + 2
    n = len(buf)
    mv = memoryview(buf)
    up = _HEAD.unpack_from
    crc32 = zlib.crc32
    d_pos: list[int] = []
    d_len: list[int] = []
    jsons: list[tuple[int, int, int]] = []
    n_rec = corrupt = 0
    torn = 0
    while pos < n:
        ok = False
        if pos + HEAD_SIZE <= n:
            magic, ln, crc = up(buf, pos)
            end = pos + HEAD_SIZE + ln
            if magic == REC_MAGIC and end <= n and crc32(mv[pos + HEAD_SIZE:end]) == crc:
                ok = True
        if ok:
            n_rec += 1
            t = buf[pos + HEAD_SIZE]
            if t == DATA and ln >= DATA_PREFIX:
                d_pos.append(pos + HEAD_SIZE)
                d_len.append(ln)
            else:
                jsons.append((t, pos + HEAD_SIZE + 1, end))
            pos = end
            continue
        # not a valid record here: torn tail, or corruption followed by valid records
        nxt = pos + 1
        found = -1
        while True:
            nxt = buf.find(_REC_MAGIC_BYTES, nxt)
            if nxt < 0:
                break
            if _valid_at(buf, nxt) >= 0:
                found = nxt
                break
            nxt += 1
        if found < 0:
            torn = n - pos
            break
        corrupt += found - pos
        pos = found
    meta: dict[str, Any] = {}
    sensors: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    end_doc: dict[str, Any] | None = None
    bad_json = 0
    for t, a, b in jsons:
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
    arr = np.frombuffer(buf, dtype=np.uint8)
    dp = np.asarray(d_pos, dtype=np.int64)
    dl = np.asarray(d_len, dtype=np.int64)
    sid = arr[dp + 1] if len(dp) else np.zeros(0, np.uint8)
    host = (np.ascontiguousarray(arr[dp[:, None] + np.arange(2, 10)]).view("<i8").ravel()
            if len(dp) else np.zeros(0, np.int64))
    char = arr[dp + 10] if len(dp) else np.zeros(0, np.uint8)
    notes = []
    if torn:
        notes.append(f"torn final record dropped ({torn} bytes)")
    if corrupt:
        notes.append(f"{corrupt} corrupt bytes skipped")
    return Journal(p, buf, meta, sensors, events, end_doc, sid, host, char,
                   dp + DATA_PREFIX, dl - DATA_PREFIX, n_rec, torn, corrupt, bad_json, notes)
